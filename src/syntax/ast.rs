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
            Direction::From => "from",
            Direction::To => "to",
            Direction::Via => "via",
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
    /// `require report of C … within 30 days`
    RequireReport {
        within_days: Node<u32>,
    },
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
            Clause::Provided { .. } => "provided no",
        }
    }
}
