//! The diagnostic type every stage returns, and the catalogue of codes.
//!
//! Library code never renders: it returns [`Diagnostic`] values with spans,
//! and `report` turns them into miette reports, JSON or LSP messages.

use crate::source::Span;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Advice,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Advice => "advice",
        }
    }
}

/// A labelled place in a file; labels of one diagnostic may be in several files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: Option<String>,
}

/// One diagnostic type for every stage: about rule files (located by
/// labels on spans) or about an event (located by its [`EventSite`], its
/// place in an input that is read once and not kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// The first label is the primary location.
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// For a problem with an event: where it is and what it did to it.
    pub event: Option<Box<EventSite>>,
}

/// Where an event is in its input: enough to point at it, and to read its
/// text back later (large inputs are never held in memory whole).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventLoc {
    /// Index of the input in the run's list of inputs.
    pub input: u32,
    /// 1-based line of the record's first byte.
    pub line: u32,
    /// 1-based column (in characters) of the record's first byte.
    pub column: u32,
    /// Byte offset of the record in its input.
    pub offset: u64,
    /// Byte length of the record.
    pub len: u32,
}

/// What a problem with an event did to its verdict. Every event read ends
/// as exactly one of: evaluated, rejected, or not evaluable (for a rule).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    /// The event was still evaluated by every rule; this is a remark.
    #[default]
    Remark,
    /// The event could not be read or is invalid: no rule judged it.
    Rejected,
    /// The event was read, but a rule that applies to it cannot judge it
    /// (a cap without a quantity, a price in another currency, …).
    NotEvaluable,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Remark => "remark",
            Effect::Rejected => "rejected",
            Effect::NotEvaluable => "not_evaluable",
        }
    }
}

/// The parts of a problem with an event, to build its [`Diagnostic`].
#[derive(Debug, Clone)]
pub struct EventProblem {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub loc: EventLoc,
    pub field: Option<String>,
    pub event_id: Option<String>,
    pub effect: Effect,
    pub rule: Option<String>,
    pub text: Option<String>,
}

impl From<EventProblem> for Diagnostic {
    fn from(p: EventProblem) -> Self {
        Diagnostic::about_event(
            p.code,
            p.severity,
            p.message,
            p.help,
            EventSite {
                loc: p.loc,
                field: p.field,
                event_id: p.event_id,
                effect: p.effect,
                rule: p.rule,
                text: p.text,
            },
        )
    }
}

/// The event a diagnostic is about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventSite {
    pub loc: EventLoc,
    /// The offending field's name, if one field is to blame.
    pub field: Option<String>,
    /// The event's id, when it could be read.
    pub event_id: Option<String>,
    /// What this problem did to the event's verdict.
    pub effect: Effect,
    /// The rule that could not judge the event (not-evaluable problems).
    pub rule: Option<String>,
    /// The record's text, kept so the report can show it.
    pub text: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: clamp_text(message.into()),
            labels: Vec::new(),
            help: None,
            event: None,
        }
    }

    /// A problem with an event.
    pub fn about_event(
        code: Code,
        severity: Severity,
        message: String,
        help: Option<String>,
        site: EventSite,
    ) -> Self {
        Diagnostic {
            code,
            severity,
            message: clamp_text(message),
            labels: Vec::new(),
            help: help.map(clamp_text),
            event: Some(Box::new(site)),
        }
    }

    /// The event's place (the start of its input, for a rule diagnostic).
    pub fn loc(&self) -> EventLoc {
        self.event.as_ref().map(|s| s.loc).unwrap_or_default()
    }

    pub fn field(&self) -> Option<&str> {
        self.event.as_ref().and_then(|s| s.field.as_deref())
    }

    pub fn event_id(&self) -> Option<&str> {
        self.event.as_ref().and_then(|s| s.event_id.as_deref())
    }

    /// What the problem did to its event (a rule diagnostic: nothing).
    pub fn effect(&self) -> Effect {
        self.event.as_ref().map(|s| s.effect).unwrap_or_default()
    }

    pub fn rejected(&self) -> bool {
        self.effect() == Effect::Rejected
    }

    /// The rule that could not judge the event.
    pub fn rule(&self) -> Option<&str> {
        self.event.as_ref().and_then(|s| s.rule.as_deref())
    }

    /// The event's record text, when the reader kept it.
    pub fn text(&self) -> Option<&str> {
        self.event.as_ref().and_then(|s| s.text.as_deref())
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: Some(clamp_text(message.into())),
        });
        self
    }

    pub fn with_span(mut self, span: Span) -> Self {
        self.labels.push(Label {
            span,
            message: None,
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(clamp_text(help.into()));
        self
    }

    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help.map(clamp_text);
        }
        self
    }

    pub fn primary_span(&self) -> Option<Span> {
        self.labels.first().map(|l| l.span)
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The longest message, label or help a diagnostic keeps, in characters.
pub const MAX_TEXT: usize = 500;

/// Cut a text longer than [`MAX_TEXT`] characters in its middle: a message
/// quoting a name of megabytes must not repeat it whole.
pub fn clamp_text(text: String) -> String {
    if text.len() <= MAX_TEXT || text.chars().nth(MAX_TEXT).is_none() {
        return text;
    }
    let head: String = text.chars().take(MAX_TEXT - 100).collect();
    let tail_len = 80;
    let total = text.chars().count();
    let tail: String = text.chars().skip(total - tail_len).collect();
    format!(
        "{head} … ({} characters left out) … {tail}",
        total - head.chars().count() - tail_len
    )
}

/// Sort diagnostics by file, position, then code, so output is deterministic.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        let key = |d: &Diagnostic| d.primary_span().map(|s| (s.file, s.start, s.end));
        key(a)
            .cmp(&key(b))
            .then_with(|| a.code.cmp(&b.code))
            .then_with(|| a.message.cmp(&b.message))
    });
}

/// Declares [`Code`] from `Variant = "sanc::…"` lines, with its text and
/// the list of all codes.
macro_rules! codes {
    ($($variant:ident = $text:literal,)*) => {
        /// A diagnostic's stable code. Ordered by its text.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// `sanc::check::unknown_party`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $text,)*
                }
            }
        }
    };
}

// Every diagnostic code sanc emits, in documentation order: the one list.
// docs/diagnostics.md explains the rule codes and docs/events.md the event
// codes; tests keep the docs and this list equal.
codes! {
    Io = "sanc::io",
    Project = "sanc::project",
    ParseSyntax = "sanc::parse::syntax",
    ParseUnknownKeyword = "sanc::parse::unknown_keyword",
    ParseMissingUnit = "sanc::parse::missing_unit",
    ParseUnterminatedString = "sanc::parse::unterminated_string",
    ParseBadDate = "sanc::parse::bad_date",
    ParseBadNumber = "sanc::parse::bad_number",
    UnknownParty = "sanc::check::unknown_party",
    UnknownCommodity = "sanc::check::unknown_commodity",
    UnknownGroupMember = "sanc::check::unknown_group_member",
    UnknownExemption = "sanc::check::unknown_exemption",
    UnknownUnit = "sanc::check::unknown_unit",
    UnknownCurrency = "sanc::check::unknown_currency",
    WrongKind = "sanc::check::wrong_kind",
    DuplicateDeclaration = "sanc::check::duplicate_declaration",
    DuplicateRegime = "sanc::check::duplicate_regime",
    DuplicateClause = "sanc::check::duplicate_clause",
    MisplacedClause = "sanc::check::misplaced_clause",
    ShadowsIsoCode = "sanc::check::shadows_iso_code",
    RuleIdCollision = "sanc::check::rule_id_collision",
    UnreachableUnit = "sanc::check::unreachable_unit",
    BadConversion = "sanc::check::bad_conversion",
    DatesReversed = "sanc::check::dates_reversed",
    BadPercentage = "sanc::check::bad_percentage",
    ZeroLimit = "sanc::check::zero_limit",
    RepeatedLimit = "sanc::check::repeated_limit",
    ZeroDeadline = "sanc::check::zero_deadline",
    BadPeriod = "sanc::check::bad_period",
    BadHsCode = "sanc::check::bad_hs_code",
    BadExcept = "sanc::check::bad_except",
    HierarchyCycle = "sanc::check::hierarchy_cycle",
    ShadowedCap = "sanc::check::shadowed_cap",
    UnusedDeclaration = "sanc::check::unused_declaration",
    EmptyGroup = "sanc::check::empty_group",
    UnknownList = "sanc::check::unknown_list",
    UnknownRole = "sanc::check::unknown_role",
    BadList = "sanc::check::bad_list",
    ListUnreadable = "sanc::list::unreadable",
    ListMalformed = "sanc::list::malformed",
    CompileUnsupported = "sanc::compile::unsupported",
    EventUnreadable = "sanc::event::unreadable",
    EventEmptyInput = "sanc::event::empty_input",
    EventMalformed = "sanc::event::malformed",
    EventMissingField = "sanc::event::missing_field",
    EventBadField = "sanc::event::bad_field",
    EventBadType = "sanc::event::bad_type",
    EventBadDate = "sanc::event::bad_date",
    EventBadAmount = "sanc::event::bad_amount",
    EventMissingUnit = "sanc::event::missing_unit",
    EventWrongUnitKind = "sanc::event::wrong_unit_kind",
    EventNegativeQuantity = "sanc::event::negative_quantity",
    EventUnknownUnit = "sanc::event::unknown_unit",
    EventBadHsCode = "sanc::event::bad_hs_code",
    EventUnknownParty = "sanc::event::unknown_party",
    EventDuplicateId = "sanc::event::duplicate_id",
    EventUnknownCover = "sanc::event::unknown_cover",
    EventUnknownCommodity = "sanc::event::unknown_commodity",
    EventUnknownExemption = "sanc::event::unknown_exemption",
    EventUnconvertible = "sanc::event::unconvertible",
    EventMissingPrice = "sanc::event::missing_price",
    EventMissingParty = "sanc::event::missing_party",
    EventMissingContractDate = "sanc::event::missing_contract_date",
    EventImpreciseCode = "sanc::event::imprecise_code",
    EventMissingValue = "sanc::event::missing_value",
    EventMissingQuantity = "sanc::event::missing_quantity",
    EventOtherCurrency = "sanc::event::other_currency",
    EventZeroQuantity = "sanc::event::zero_quantity",
    EventMultilineRecord = "sanc::event::multiline_record",
    EventUnknownColumn = "sanc::event::unknown_column",
    EventMisnamedField = "sanc::event::misnamed_field",
    EventBadImo = "sanc::event::bad_imo",
    EventOutOfSqlRange = "sanc::event::out_of_sql_range",
    EventComtradeMirror = "sanc::event::comtrade_mirror",
}

impl Code {
    /// A code about events (`sanc::event::…`) rather than rule files.
    pub fn is_event(self) -> bool {
        self.as_str().starts_with("sanc::event::")
    }
}

impl Ord for Code {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for Code {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
