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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The first label is the primary location.
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: clamp_text(message.into()),
            labels: Vec::new(),
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
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
            .then_with(|| a.code.cmp(b.code))
            .then_with(|| a.message.cmp(&b.message))
    });
}

/// Every diagnostic code sanc emits. docs/diagnostics.md explains each one;
/// a test keeps the two lists equal.
pub mod codes {
    pub const IO: &str = "sanc::io";
    pub const PROJECT: &str = "sanc::project";
    pub const PARSE_SYNTAX: &str = "sanc::parse::syntax";
    pub const PARSE_UNKNOWN_KEYWORD: &str = "sanc::parse::unknown_keyword";
    pub const PARSE_MISSING_UNIT: &str = "sanc::parse::missing_unit";
    pub const PARSE_UNTERMINATED_STRING: &str = "sanc::parse::unterminated_string";
    pub const PARSE_BAD_DATE: &str = "sanc::parse::bad_date";
    pub const PARSE_BAD_NUMBER: &str = "sanc::parse::bad_number";

    pub const UNKNOWN_PARTY: &str = "sanc::check::unknown_party";
    pub const UNKNOWN_COMMODITY: &str = "sanc::check::unknown_commodity";
    pub const UNKNOWN_GROUP_MEMBER: &str = "sanc::check::unknown_group_member";
    pub const UNKNOWN_EXEMPTION: &str = "sanc::check::unknown_exemption";
    pub const UNKNOWN_UNIT: &str = "sanc::check::unknown_unit";
    pub const UNKNOWN_CURRENCY: &str = "sanc::check::unknown_currency";
    pub const WRONG_KIND: &str = "sanc::check::wrong_kind";
    pub const DUPLICATE_DECLARATION: &str = "sanc::check::duplicate_declaration";
    pub const DUPLICATE_REGIME: &str = "sanc::check::duplicate_regime";
    pub const DUPLICATE_CLAUSE: &str = "sanc::check::duplicate_clause";
    pub const MISPLACED_CLAUSE: &str = "sanc::check::misplaced_clause";
    pub const SHADOWS_ISO_CODE: &str = "sanc::check::shadows_iso_code";
    pub const RULE_ID_COLLISION: &str = "sanc::check::rule_id_collision";
    pub const UNREACHABLE_UNIT: &str = "sanc::check::unreachable_unit";
    pub const BAD_CONVERSION: &str = "sanc::check::bad_conversion";
    pub const DATES_REVERSED: &str = "sanc::check::dates_reversed";
    pub const BAD_PERCENTAGE: &str = "sanc::check::bad_percentage";
    pub const BAD_AMOUNT: &str = "sanc::check::bad_amount";
    pub const BAD_HS_CODE: &str = "sanc::check::bad_hs_code";
    pub const HIERARCHY_CYCLE: &str = "sanc::check::hierarchy_cycle";
    pub const SHADOWED_CAP: &str = "sanc::check::shadowed_cap";
    pub const UNUSED_DECLARATION: &str = "sanc::check::unused_declaration";
    pub const EMPTY_GROUP: &str = "sanc::check::empty_group";

    /// Codes of rule-file diagnostics (parse and check), in documentation order.
    pub const RULE_CODES: &[&str] = &[
        IO,
        PROJECT,
        PARSE_SYNTAX,
        PARSE_UNKNOWN_KEYWORD,
        PARSE_MISSING_UNIT,
        PARSE_UNTERMINATED_STRING,
        PARSE_BAD_DATE,
        PARSE_BAD_NUMBER,
        UNKNOWN_PARTY,
        UNKNOWN_COMMODITY,
        UNKNOWN_GROUP_MEMBER,
        UNKNOWN_EXEMPTION,
        UNKNOWN_UNIT,
        UNKNOWN_CURRENCY,
        WRONG_KIND,
        DUPLICATE_DECLARATION,
        DUPLICATE_REGIME,
        DUPLICATE_CLAUSE,
        MISPLACED_CLAUSE,
        SHADOWS_ISO_CODE,
        RULE_ID_COLLISION,
        UNREACHABLE_UNIT,
        BAD_CONVERSION,
        DATES_REVERSED,
        BAD_PERCENTAGE,
        BAD_AMOUNT,
        BAD_HS_CODE,
        HIERARCHY_CYCLE,
        SHADOWED_CAP,
        UNUSED_DECLARATION,
        EMPTY_GROUP,
    ];
}
