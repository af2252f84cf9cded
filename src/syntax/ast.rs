//! The typed syntax tree. Every node carries its span; spans are left out
//! of equality so tests (and the formatter's round trip) compare meaning.

use crate::diagnostic::Severity;
use crate::source::{FileId, Span};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// A value with the place it came from.
#[derive(Debug, Clone)]
pub struct Node<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Node<T> {
    pub fn new(node: T, span: Span) -> Self {
        Node { node, span }
    }
}

impl<T: PartialEq> PartialEq for Node<T> {
    fn eq(&self, other: &Self) -> bool {
        self.node == other.node
    }
}

pub type Ident = Node<String>;

/// One parsed file: the statements that parsed, in source order.
/// Equal when the statements are (spans and file ids aside).
#[derive(Debug, Clone)]
pub struct SourceFileAst {
    pub file: FileId,
    pub items: Vec<Item>,
}

impl PartialEq for SourceFileAst {
    fn eq(&self, other: &Self) -> bool {
        self.items == other.items
    }
}

#[derive(Debug, Clone)]
pub struct Item {
    /// The `##` doc comment directly above the statement, without the `##`.
    pub doc: Option<String>,
    pub kind: ItemKind,
    pub span: Span,
}

impl PartialEq for Item {
    fn eq(&self, other: &Self) -> bool {
        self.doc == other.doc && self.kind == other.kind
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ItemKind {
    Regime(RegimeDecl),
    Party(PartyDecl),
    Group(GroupDecl),
    Entity(EntityDecl),
    Commodity(CommodityDecl),
    Convert(ConvertDecl),
    Exemption(ExemptionDecl),
    List(ListDecl),
    Rule(Rule),
}

impl ItemKind {
    /// The declared name, for declarations that introduce one.
    pub fn declared_name(&self) -> Option<&Ident> {
        match self {
            ItemKind::Party(d) => Some(&d.name),
            ItemKind::Group(d) => Some(&d.name),
            ItemKind::Entity(d) => Some(&d.name),
            ItemKind::Commodity(d) => Some(&d.name),
            ItemKind::Exemption(d) => Some(&d.name),
            ItemKind::List(d) => Some(&d.name),
            ItemKind::Regime(_) | ItemKind::Convert(_) | ItemKind::Rule(_) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RegimeDecl {
    pub name: Ident,
    pub title: Option<Node<String>>,
}

/// `party DPRK = PRK "…"`: an alias of an ISO 3166-1 alpha-3 code.
#[derive(Debug, Clone, PartialEq)]
pub struct PartyDecl {
    pub name: Ident,
    pub code: Ident,
    pub title: Option<Node<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupDecl {
    pub name: Ident,
    pub members: Vec<Node<PartyRef>>,
    pub title: Option<Node<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EntityDecl {
    pub name: Ident,
    pub title: Option<Node<String>>,
    pub country: Option<Node<PartyRef>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CommodityDecl {
    pub name: Ident,
    pub title: Option<Node<String>>,
    pub hs: Vec<Node<String>>,
    /// `except 271012, premium_products`: codes, and commodities whose codes
    /// (theirs and those of everything under them), the `hs` codes leave out.
    pub except_hs: Vec<Node<String>>,
    pub except_commodities: Vec<Ident>,
    pub parent: Option<Ident>,
    /// `measured in t, bbl`: the units this commodity's events come in.
    pub measured: Vec<Ident>,
}

/// `convert refined_petroleum 1 t = 7.33 bbl`
#[derive(Debug, Clone, PartialEq)]
pub struct ConvertDecl {
    pub commodity: Ident,
    pub from: Quantity,
    pub to: Quantity,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExemptionDecl {
    pub name: Ident,
    pub title: Option<Node<String>>,
}

/// `list un_1718 "…" = un "lists/un.xml" reference "KP"`: a designation list.
#[derive(Debug, Clone, PartialEq)]
pub struct ListDecl {
    pub name: Ident,
    pub title: Option<Node<String>>,
    /// `un`, `opensanctions`, `ftm` or `csv`.
    pub format: Ident,
    /// The file, relative to the rule file.
    pub path: Node<String>,
    /// `reference "KP"`: keep entries whose reference begins so.
    pub references: Vec<Node<String>>,
    /// `dataset "un_sc_sanctions"`.
    pub datasets: Vec<Node<String>>,
    /// `schema Vessel, Company`.
    pub schemata: Vec<Ident>,
}

/// Who a condition is about: `any party` (every role and both vessels), or
/// the roles named (`owner or operator`, `vessel`).
#[derive(Debug, Clone, PartialEq)]
pub enum Participants {
    AnyParty,
    Roles(Vec<Ident>),
}

/// A condition on a rule besides goods and `from`/`to`/`via`.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// `by sts transfer`
    Transfer(Ident),
    /// `with owner or operator on un_1718 [fuzzy 90%]`
    Listed {
        who: Node<Participants>,
        list: Ident,
        fuzzy: Option<Node<Decimal>>,
    },
    /// `with vessel flagged DPRK`
    Flagged {
        who: Node<Participants>,
        party: Node<PartyRef>,
    },
    /// `with insurer in G7`: the nationality of the parties in those roles.
    Nationality {
        who: Node<Participants>,
        party: Node<PartyRef>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    pub amount: Node<Decimal>,
    pub unit: Ident,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PartyRef {
    Any,
    Name(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Goods {
    Any,
    Hs(Vec<Node<String>>),
    Named(String),
    /// `ban port calls …`: not goods, a vessel entering a port.
    PortCalls,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Direction {
    From,
    To,
    Via,
}

impl Direction {
    pub fn keyword(self) -> &'static str {
        match self {
            Direction::From => super::keywords::word::FROM,
            Direction::To => super::keywords::word::TO,
            Direction::Via => super::keywords::word::VIA,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    pub direction: Node<Direction>,
    pub party: Node<PartyRef>,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub label: Option<Ident>,
    /// The rule's keyword (`ban`, `cap`, `require`): where findings point.
    pub keyword: Span,
    pub kind: RuleKind,
    pub goods: Node<Goods>,
    pub scope: Vec<Scope>,
    /// `by sts transfer`, `with … on …`, in source order.
    pub conditions: Vec<Node<Condition>>,
    pub clauses: Vec<Node<Clause>>,
}

impl PartialEq for Rule {
    fn eq(&self, other: &Self) -> bool {
        self.label == other.label
            && self.kind == other.kind
            && self.goods == other.goods
            && self.scope == other.scope
            && self.conditions == other.conditions
            && self.clauses == other.clauses
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum RuleKind {
    Ban,
    /// `cap C … 500000 bbl [or 70000 t] per year [by origin]`
    Cap {
        limits: Vec<Quantity>,
        period: Node<Period>,
        by: Option<Node<By>>,
    },
    /// `cap price C … 60 USD per bbl`
    CapPrice {
        amount: Node<Decimal>,
        currency: Ident,
        per_unit: Ident,
    },
    /// `require report of C … within 30 days` (or `monthly by day 30`,
    /// `every 90 days from 2017-12-22`)
    RequireReport {
        due: Node<Due>,
    },
}

/// When a report is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    /// `within N days` of each shipment.
    Within(u32),
    /// `monthly by day N`: by day N of the month after the shipment's (the
    /// month's last day when it has fewer days).
    MonthlyBy(u32),
    /// `every N days from D`: by the end of the N-day period, counted from
    /// D, that the shipment falls in.
    Every { days: u32, from: NaiveDate },
}

impl RuleKind {
    pub fn keyword(&self) -> &'static str {
        match self {
            RuleKind::Ban => "ban",
            RuleKind::Cap { .. } => "cap",
            RuleKind::CapPrice { .. } => "cap price",
            RuleKind::RequireReport { .. } => "require report",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Year,
    Quarter,
    Month,
    Day,
    /// A rolling window of N days ending at each event.
    Days(u32),
    /// Consecutive windows of N months counted from a date (anniversary periods).
    Months {
        count: u32,
        from: NaiveDate,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum By {
    Origin,
    Destination,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    Effective(NaiveDate),
    Until(NaiveDate),
    Cite(String),
    WarnAt(Vec<Node<Decimal>>),
    Except(Ident),
    Severity(Severity),
    /// `unless loaded before D1 and delivered before D2`
    WindDown {
        loaded_before: NaiveDate,
        delivered_before: NaiveDate,
    },
    /// `unless contracted before D [and delivered before D2]`
    ContractedBefore {
        contracted: NaiveDate,
        delivered: Option<NaiveDate>,
    },
    /// `unless by pipeline transfer`
    UnlessTransfer(Ident),
    /// `provided no party on un_1718`: a cap's supply is permitted only if
    /// no listed party (in the roles named) takes part.
    Provided {
        who: Node<Participants>,
        list: Ident,
        fuzzy: Option<Node<Decimal>>,
    },
}

impl Clause {
    pub fn keyword(&self) -> &'static str {
        match self {
            Clause::Effective(_) => "effective",
            Clause::Until(_) => "until",
            Clause::Cite(_) => "cite",
            Clause::WarnAt(_) => "warn at",
            Clause::Except(_) => "except exemption",
            Clause::Severity(_) => "severity",
            Clause::WindDown { .. } => "unless loaded before",
            Clause::ContractedBefore { .. } => "unless contracted before",
            Clause::UnlessTransfer(_) => "unless by",
            Clause::Provided { .. } => "provided no",
        }
    }
}

/// Moving a parsed statement within its file: every span it holds moves by
/// the same number of bytes (an edit earlier in the file changed its
/// length). Used by incremental re-parsing ([`super::reparse`]), which
/// keeps the statements after an edit instead of parsing them again.
///
/// Every AST type is destructured in full, so a new node kind or field
/// cannot be forgotten here.
pub(crate) trait Shift {
    /// Move every span by `by` bytes; `false` if a span would start before
    /// `floor` (the statement was not where it was thought to be).
    fn shift(&mut self, by: isize, floor: usize) -> bool;
}

impl Shift for Span {
    fn shift(&mut self, by: isize, floor: usize) -> bool {
        if self.start < floor {
            return false;
        }
        match (
            self.start.checked_add_signed(by),
            self.end.checked_add_signed(by),
        ) {
            (Some(s), Some(e)) => {
                self.start = s;
                self.end = e;
                true
            }
            _ => false,
        }
    }
}

impl<T: Shift> Shift for Node<T> {
    fn shift(&mut self, by: isize, floor: usize) -> bool {
        self.span.shift(by, floor) && self.node.shift(by, floor)
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, by: isize, floor: usize) -> bool {
        self.as_mut().is_none_or(|t| t.shift(by, floor))
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, by: isize, floor: usize) -> bool {
        self.iter_mut().all(|t| t.shift(by, floor))
    }
}

/// Leaves: values without spans.
macro_rules! no_spans {
    ($($t:ty),*) => {$(
        impl Shift for $t {
            fn shift(&mut self, _: isize, _: usize) -> bool {
                true
            }
        }
    )*};
}
no_spans!(String, Decimal, u32, NaiveDate, PartyRef, Direction, Period, By, Due);

impl Shift for Goods {
    fn shift(&mut self, by: isize, floor: usize) -> bool {
        match self {
            Goods::Any | Goods::Named(_) | Goods::PortCalls => true,
            Goods::Hs(codes) => codes.shift(by, floor),
        }
    }
}

impl Shift for Participants {
    fn shift(&mut self, by: isize, floor: usize) -> bool {
        match self {
            Participants::AnyParty => true,
            Participants::Roles(r) => r.shift(by, floor),
        }
    }
}

impl Shift for Condition {
    fn shift(&mut self, by: isize, floor: usize) -> bool {
        match self {
            Condition::Transfer(t) => t.shift(by, floor),
            Condition::Listed { who, list, fuzzy } => {
                who.shift(by, floor) && list.shift(by, floor) && fuzzy.shift(by, floor)
            }
            Condition::Flagged { who, party } | Condition::Nationality { who, party } => {
                who.shift(by, floor) && party.shift(by, floor)
            }
        }
    }
}

impl Shift for Quantity {
    fn shift(&mut self, by: isize, floor: usize) -> bool {
        let Quantity { amount, unit } = self;
        amount.shift(by, floor) && unit.shift(by, floor)
    }
}

impl Shift for Scope {
    fn shift(&mut self, by: isize, floor: usize) -> bool {
        let Scope { direction, party } = self;
        direction.shift(by, floor) && party.shift(by, floor)
    }
}

impl Shift for Clause {
    fn shift(&mut self, by: isize, floor: usize) -> bool {
        match self {
            Clause::WarnAt(p) => p.shift(by, floor),
            Clause::Provided { who, list, fuzzy } => {
                who.shift(by, floor) && list.shift(by, floor) && fuzzy.shift(by, floor)
            }
            Clause::Except(e) | Clause::UnlessTransfer(e) => e.shift(by, floor),
            Clause::Effective(_)
            | Clause::Until(_)
            | Clause::Cite(_)
            | Clause::Severity(_)
            | Clause::WindDown { .. }
            | Clause::ContractedBefore { .. } => true,
        }
    }
}

impl Shift for RuleKind {
    fn shift(&mut self, by: isize, floor: usize) -> bool {
        match self {
            RuleKind::Ban => true,
            RuleKind::Cap {
                limits,
                period,
                by: b,
            } => limits.shift(by, floor) && period.shift(by, floor) && b.shift(by, floor),
            RuleKind::CapPrice {
                amount,
                currency,
                per_unit,
            } => amount.shift(by, floor) && currency.shift(by, floor) && per_unit.shift(by, floor),
            RuleKind::RequireReport { due } => due.shift(by, floor),
        }
    }
}

impl Shift for Rule {
    fn shift(&mut self, by: isize, floor: usize) -> bool {
        let Rule {
            label,
            keyword,
            kind,
            goods,
            scope,
            conditions,
            clauses,
        } = self;
        label.shift(by, floor)
            && keyword.shift(by, floor)
            && kind.shift(by, floor)
            && goods.shift(by, floor)
            && scope.shift(by, floor)
            && conditions.shift(by, floor)
            && clauses.shift(by, floor)
    }
}

impl Shift for ItemKind {
    fn shift(&mut self, by: isize, floor: usize) -> bool {
        match self {
            ItemKind::Regime(RegimeDecl { name, title }) => {
                name.shift(by, floor) && title.shift(by, floor)
            }
            ItemKind::Party(PartyDecl { name, code, title }) => {
                name.shift(by, floor) && code.shift(by, floor) && title.shift(by, floor)
            }
            ItemKind::Group(GroupDecl {
                name,
                members,
                title,
            }) => name.shift(by, floor) && members.shift(by, floor) && title.shift(by, floor),
            ItemKind::Entity(EntityDecl {
                name,
                title,
                country,
            }) => name.shift(by, floor) && title.shift(by, floor) && country.shift(by, floor),
            ItemKind::Commodity(CommodityDecl {
                name,
                title,
                hs,
                except_hs,
                except_commodities,
                parent,
                measured,
            }) => {
                name.shift(by, floor)
                    && title.shift(by, floor)
                    && hs.shift(by, floor)
                    && except_hs.shift(by, floor)
                    && except_commodities.shift(by, floor)
                    && parent.shift(by, floor)
                    && measured.shift(by, floor)
            }
            ItemKind::Convert(ConvertDecl {
                commodity,
                from,
                to,
            }) => commodity.shift(by, floor) && from.shift(by, floor) && to.shift(by, floor),
            ItemKind::Exemption(ExemptionDecl { name, title }) => {
                name.shift(by, floor) && title.shift(by, floor)
            }
            ItemKind::List(ListDecl {
                name,
                title,
                format,
                path,
                references,
                datasets,
                schemata,
            }) => {
                name.shift(by, floor)
                    && title.shift(by, floor)
                    && format.shift(by, floor)
                    && path.shift(by, floor)
                    && references.shift(by, floor)
                    && datasets.shift(by, floor)
                    && schemata.shift(by, floor)
            }
            ItemKind::Rule(r) => r.shift(by, floor),
        }
    }
}

impl Shift for Item {
    fn shift(&mut self, by: isize, floor: usize) -> bool {
        let Item { doc: _, kind, span } = self;
        span.shift(by, floor) && kind.shift(by, floor)
    }
}
