//! A finding: one violation or warning, as typed facts (the window, the
//! totals, the limit, the event's quantity as given and as counted, its
//! evidence and source, why the rule matched). No words: `report` says
//! them, per rule kind, when a finding is printed. A finding held for
//! sorting costs a few hundred bytes (tested below).

use crate::events::{EventLoc, Evidence};
use crate::exact::{self, Exact};
use crate::model::{Due, RuleKind, RuleSet};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingKind {
    Violation,
    Warning,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Violation => "violation",
            FindingKind::Warning => "warning",
        }
    }
}

/// At most this many contributing event ids are listed per finding (the
/// earliest ones); `contributor_count` always has the full number.
pub const MAX_CONTRIBUTORS: usize = 50;

/// An amount as the event gave it: `4337 t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Given {
    pub amount: Decimal,
    pub unit: &'static str,
}

/// An index into [`crate::eval::Outcome::texts`]: an event's `source`,
/// kept once however many findings and windows name it.
pub type TextId = u32;

/// How the rule's goods matched the event's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoodsMatch {
    /// The rule covers any goods.
    Any,
    /// By the commodity the event names (or one under the rule's).
    Commodity,
    /// By the event's HS code, under the rule's goods.
    Hs,
}

/// The shipment as the event describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment {
    pub quantity: Option<Given>,
    pub commodity: Option<Box<str>>,
    pub hs: Option<Box<str>>,
    pub from: Option<Box<str>>,
    pub to: Option<Box<str>>,
    pub via: Box<[Box<str>]>,
    pub matched: GoodsMatch,
    /// Which list entries matched which fields of the event, and how (rules
    /// with `with … on LIST` or `provided no … on LIST`).
    pub matches: Vec<crate::lists::ListMatch>,
}

/// A banned port call (`ban port calls …`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortCallFacts {
    /// The vessel, described (`Chon Ma San (IMO 8660313, PRK)`).
    pub vessel: Box<str>,
    /// The port's country.
    pub port: Box<str>,
    pub matches: Vec<crate::lists::ListMatch>,
}

/// Where a price compared with a price cap came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PriceBasis {
    /// The event's `price`, per its own unit (`72.5 USD/bbl`).
    Given {
        amount: Decimal,
        currency: &'static str,
        per: &'static str,
    },
    /// Derived from the event's `value` and `quantity`.
    Derived { value: Given, quantity: Given },
}

#[derive(Debug, Clone)]
pub struct PriceFacts {
    pub shipment: Shipment,
    pub basis: PriceBasis,
    /// The price per the cap's unit (the rule's currency and unit), exactly.
    pub price: Exact,
}

#[derive(Debug, Clone)]
pub struct CapFacts {
    /// The window's first and last day (a rolling window's are the N days
    /// ending at the event).
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// The origin or destination of a `by` cap.
    pub group: Option<Box<str>>,
    /// `None`: the cap was passed; else the warning threshold reached, in percent.
    pub threshold: Option<Decimal>,
    /// Which of the cap's limits (`or`) this finding is about.
    pub limit_index: u8,
    /// The window's total with this event, in the limit's unit, exactly.
    pub total: Exact,
    /// This event's amount in the limit's unit, exactly (after
    /// conversion); `None` when this limit cannot count it (the event
    /// breaks the cap because its window is over another limit already).
    pub amount: Option<Exact>,
    /// This event's quantity (for a value limit: its value) as given.
    pub given: Option<Given>,
    /// Event ids in date order, shared by the findings of a window (or,
    /// for a rolling cap, of all its windows); this window's events up to
    /// this one are `contributor_count` of them from `first`.
    pub contributors: Arc<[Box<str>]>,
    pub first: u32,
    pub contributor_count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportStatus {
    /// The first report covering the shipment came after the deadline.
    Late { report: Box<str>, on: NaiveDate },
    /// No report covers it, and the deadline has passed as of `as_of`.
    Missing { as_of: NaiveDate },
    /// No report covers it yet; the deadline is still open on `as_of`.
    Pending { as_of: NaiveDate },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFacts {
    /// When the rule wants the report.
    pub due: Due,
    pub deadline: NaiveDate,
    pub status: ReportStatus,
}

/// What the rule found, per rule kind.
#[derive(Debug, Clone)]
pub enum Facts {
    Ban(Box<Shipment>),
    Price(Box<PriceFacts>),
    Cap(Box<CapFacts>),
    Report(Box<ReportFacts>),
    /// A port call a rule bans.
    PortCall(Box<PortCallFacts>),
    /// A shipment under a cap with a listed party (`provided no … on
    /// LIST`): not a permitted supply, though it still counts toward the cap.
    Designated(Box<Shipment>),
}

#[derive(Debug, Clone)]
pub struct Finding {
    /// Index of the rule in the rule set.
    pub rule: usize,
    pub kind: FindingKind,
    pub event: Box<str>,
    pub date: NaiveDate,
    pub evidence: Evidence,
    /// The event's `source`, if it gives one.
    pub source: Option<TextId>,
    pub loc: EventLoc,
    pub facts: Facts,
}

impl Finding {
    /// The list entries that matched the event, for rules on lists.
    pub fn matches(&self) -> &[crate::lists::ListMatch] {
        match &self.facts {
            Facts::Ban(s) | Facts::Designated(s) => &s.matches,
            Facts::Price(p) => &p.shipment.matches,
            Facts::PortCall(p) => &p.matches,
            Facts::Cap(_) | Facts::Report(_) => &[],
        }
    }

    pub fn cap(&self) -> Option<&CapFacts> {
        match &self.facts {
            Facts::Cap(c) => Some(c),
            _ => None,
        }
    }

    pub fn report(&self) -> Option<&ReportFacts> {
        match &self.facts {
            Facts::Report(r) => Some(r),
            _ => None,
        }
    }

    /// Caps: the running total; price caps: the price per the cap's unit.
    pub fn total(&self) -> Option<&Exact> {
        match &self.facts {
            Facts::Cap(c) => Some(&c.total),
            Facts::Price(p) => Some(&p.price),
            _ => None,
        }
    }

    /// The limit and its unit (`USD/bbl` for a price cap).
    pub fn limit(&self, rules: &RuleSet) -> Option<(Decimal, String)> {
        match &self.facts {
            Facts::Cap(c) => match &rules.rules[self.rule].kind {
                RuleKind::Cap { limits, .. } => limits
                    .get(usize::from(c.limit_index))
                    .map(|l| (l.amount, l.unit.symbol.to_string())),
                _ => None,
            },
            Facts::Price(_) => match &rules.rules[self.rule].kind {
                RuleKind::CapPrice {
                    amount,
                    currency,
                    per_unit,
                } => Some((*amount, format!("{}/{}", currency.symbol, per_unit.symbol))),
                _ => None,
            },
            _ => None,
        }
    }

    /// The total's share of the limit, in percent.
    pub fn share(&self, rules: &RuleSet) -> Option<Exact> {
        let (limit, _) = self.limit(rules)?;
        exact::share(self.total()?, limit)
    }

    /// The window label (`2023`, `2023-Q2`, `2017-12-22..2018-12-21`), with
    /// the party of a `by` cap (`2023 RUS`).
    pub fn window_label(&self, rules: &RuleSet) -> Option<String> {
        let c = self.cap()?;
        let RuleKind::Cap { period, .. } = &rules.rules[self.rule].kind else {
            return None;
        };
        let label = super::windows::label(period, c.start, c.end);
        Some(match &c.group {
            Some(g) => format!("{label} {g}"),
            None => label,
        })
    }

    /// The listed contributors (at most [`MAX_CONTRIBUTORS`]).
    pub fn contributor_ids(&self) -> &[Box<str>] {
        match &self.facts {
            Facts::Cap(c) => {
                let first = (c.first as usize).min(c.contributors.len());
                let n = (c.contributor_count as usize).min(MAX_CONTRIBUTORS);
                &c.contributors[first..(first + n).min(c.contributors.len())]
            }
            _ => &[],
        }
    }

    /// Bytes this finding owns on the heap (shared contributor lists
    /// counted by their share), for the memory bound.
    pub fn heap_bytes(&self) -> usize {
        let s = |b: &Option<Box<str>>| b.as_ref().map_or(0, |b| b.len());
        let shipment = |sh: &Shipment| {
            std::mem::size_of::<Shipment>()
                + s(&sh.commodity)
                + s(&sh.hs)
                + s(&sh.from)
                + s(&sh.to)
                + sh.via.iter().map(|v| 16 + v.len()).sum::<usize>()
                + sh.matches.len() * std::mem::size_of::<crate::lists::ListMatch>()
        };
        let big = |x: &Exact| (x.numer().bits() + x.denom().bits()).div_ceil(8) as usize + 16;
        self.event.len()
            + match &self.facts {
                Facts::Ban(sh) | Facts::Designated(sh) => shipment(sh),
                Facts::PortCall(p) => {
                    std::mem::size_of::<PortCallFacts>()
                        + p.vessel.len()
                        + p.port.len()
                        + p.matches.len() * std::mem::size_of::<crate::lists::ListMatch>()
                }
                Facts::Price(p) => {
                    std::mem::size_of::<PriceFacts>() - std::mem::size_of::<Shipment>()
                        + shipment(&p.shipment)
                        + big(&p.price)
                }
                Facts::Cap(c) => {
                    let list: usize = c.contributors.iter().map(|i| 16 + i.len()).sum();
                    std::mem::size_of::<CapFacts>()
                        + s(&c.group)
                        + big(&c.total)
                        + c.amount.as_ref().map_or(0, big)
                        + list / Arc::strong_count(&c.contributors).max(1)
                }
                Facts::Report(r) => {
                    std::mem::size_of::<ReportFacts>()
                        + match &r.status {
                            ReportStatus::Late { report, .. } => report.len(),
                            _ => 0,
                        }
                }
            }
    }
}
