//! A finding: one violation or warning, with everything needed to explain
//! it. The words are produced only when a finding is printed, so a run with
//! many findings keeps only their numbers in memory.

use crate::events::EventLoc;
use crate::exact::{self, Exact};
use crate::model::{Rule, RuleKind, RuleSet};
use crate::syntax::ast::Period;
use crate::units::format_amount;
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

/// What happened, in data; [`Finding::message`] and
/// [`Finding::explanation`] put it in words.
#[derive(Debug, Clone)]
pub enum What {
    /// A banned shipment, described (`the shipment of 5 units of arms from RUS to PRK`).
    Ban { shipment: Box<str> },
    /// A price above a price cap; `how` says where the price came from.
    Price { shipment: Box<str>, how: Box<str> },
    /// A cap passed (`percent: None`) or a warning threshold reached.
    Cap {
        /// `2023`, or `the 30 days 2023-01-02..2023-01-31` for rolling windows.
        window_words: Box<str>,
        /// The origin or destination of a `by` cap.
        group: Option<Box<str>>,
        percent: Option<Decimal>,
        /// Several limits joined by `or`.
        several_limits: bool,
    },
    /// A shipment reported after its deadline.
    ReportLate {
        within: u32,
        report: Box<str>,
        on: NaiveDate,
    },
    /// A shipment no report covers; `pending` while the deadline is open.
    ReportMissing {
        within: u32,
        as_of: NaiveDate,
        pending: bool,
    },
    /// A banned port call (`ban port calls …`): the vessel and the port.
    PortCall { vessel: Box<str>, port: Box<str> },
    /// A shipment under a cap with a listed party (`provided no … on LIST`):
    /// not a permitted supply, though it still counts toward the cap.
    Designated { shipment: Box<str> },
}

#[derive(Debug, Clone)]
pub struct Finding {
    /// Index of the rule in the rule set.
    pub rule: usize,
    pub kind: FindingKind,
    pub event: Box<str>,
    pub date: NaiveDate,
    pub what: What,
    /// Caps: the window label (`2023`, `2023-Q2`, `2017-12-22..2018-12-21`, with a `by` party).
    pub window: Option<Box<str>>,
    /// Caps: the window's total with this event; price caps: the price in
    /// the cap's unit. Exact.
    pub total: Option<Exact>,
    pub limit: Option<Decimal>,
    pub unit: Option<Box<str>>,
    pub contributors: Option<Arc<[Box<str>]>>,
    pub contributor_count: usize,
    pub deadline: Option<NaiveDate>,
    pub loc: EventLoc,
    /// Which list entries matched which fields of the event, and how.
    pub matches: Vec<crate::lists::ListMatch>,
}

impl Finding {
    /// A finding with no cap or deadline details (set them after).
    pub fn new(
        rule: usize,
        kind: FindingKind,
        event: Box<str>,
        date: NaiveDate,
        what: What,
        loc: EventLoc,
    ) -> Self {
        Finding {
            rule,
            kind,
            event,
            date,
            what,
            window: None,
            total: None,
            limit: None,
            unit: None,
            contributors: None,
            contributor_count: 0,
            deadline: None,
            loc,
            matches: Vec::new(),
        }
    }

    /// The listed contributors (at most [`MAX_CONTRIBUTORS`]).
    pub fn contributor_ids(&self) -> &[Box<str>] {
        match &self.contributors {
            Some(c) => &c[..self.contributor_count.min(c.len())],
            None => &[],
        }
    }

    fn amount(&self, d: Option<Decimal>) -> String {
        d.map(format_amount).unwrap_or_default()
    }

    fn total_text(&self) -> String {
        self.total.as_ref().map(exact::human).unwrap_or_default()
    }

    /// The total minus the limit (negative: below it), exactly.
    fn over(&self) -> Exact {
        let total = self.total.clone().unwrap_or_default();
        total - exact::exact(self.limit.unwrap_or_default())
    }

    /// One line: what happened.
    pub fn message(&self, rules: &RuleSet) -> String {
        let rule = &rules.rules[self.rule];
        let unit = self.unit.as_deref().unwrap_or("");
        let (total, limit) = (self.total_text(), self.amount(self.limit));
        match &self.what {
            What::Ban { shipment } => format!("{shipment} is banned"),
            What::Price { shipment, .. } => {
                format!("{shipment} at {total} {unit}, above the price cap of {limit} {unit}")
            }
            What::Cap {
                window_words,
                group,
                percent,
                ..
            } => {
                let scope = describe_rule_scope(rules, rule);
                let group = group.as_deref().map(|g| format!(" for {g}")).unwrap_or_default();
                match percent {
                    None => format!(
                        "over the cap on {scope}{group}: the total for {window_words} reached {total} {unit} with this shipment; the cap is {limit} {unit}"
                    ),
                    Some(p) => format!(
                        "{p}% of the cap on {scope}{group} reached: {total} of {limit} {unit} for {window_words}"
                    ),
                }
            }
            What::ReportLate { within, report, on } => format!(
                "reported late: report `{report}` of {on} came {} days after the shipment; due within {within} days",
                (*on - self.date).num_days()
            ),
            What::ReportMissing { within, pending: false, .. } => format!(
                "not reported: the report was due by {} ({within} days after the shipment)",
                self.deadline.map(|d| d.to_string()).unwrap_or_default()
            ),
            What::ReportMissing { pending: true, .. } => format!(
                "report pending: due by {}",
                self.deadline.map(|d| d.to_string()).unwrap_or_default()
            ),
            What::PortCall { vessel, port } => {
                format!("the port call of {vessel} in {port} is banned")
            }
            What::Designated { shipment } => format!(
                "{shipment} has a listed party, so it is not a permitted supply under the cap"
            ),
        }
    }

    /// The reasoning and arithmetic, ready to paste into a report.
    pub fn explanation(&self, rules: &RuleSet) -> String {
        let rule = &rules.rules[self.rule];
        let id = &rule.id;
        let unit = self.unit.as_deref().unwrap_or("");
        let deadline = self.deadline.map(|d| d.to_string()).unwrap_or_default();
        match &self.what {
            What::Ban { .. } | What::PortCall { .. } => format!(
                "`{id}` bans {}{}{}",
                describe_rule_scope(rules, rule),
                in_force_text(rule),
                matches_text(&self.matches)
            ),
            What::Designated { .. } => {
                let (who, list) = match &rule.conditions.provided {
                    Some(p) => (
                        match p.who {
                            crate::model::Who::AnyParty => "party".to_string(),
                            _ => p.who.describe(),
                        },
                        p.list.as_str(),
                    ),
                    None => (String::new(), ""),
                };
                format!(
                    "`{id}` permits supply only provided no {who} is on `{list}`{}; the shipment still counts toward the cap",
                    matches_text(&self.matches)
                )
            }
            What::Price { how, .. } => {
                let cap = self.limit.unwrap_or_default();
                let price_text = format!("{} {unit}", self.total_text());
                let worked = if **how == price_text {
                    format!("the price is {price_text}")
                } else {
                    format!("the price {how} is {price_text}")
                };
                format!(
                    "{worked}, {} {unit} above the cap; `{id}` caps the price at {} {unit}{}",
                    exact::human(&self.over()),
                    format_amount(cap),
                    in_force_text(rule)
                )
            }
            What::Cap {
                window_words,
                group,
                percent,
                several_limits,
            } => {
                let limit = self.limit.unwrap_or_default();
                let group = group.as_deref().map(|g| format!(" for {g}")).unwrap_or_default();
                let ids = self.contributors_text();
                match percent {
                    None => format!(
                        "`{id}` allows {} {unit}{} per {}{group}; the total for {window_words} is {} {unit} with this shipment, {} {unit} over; contributing events: {ids}",
                        format_amount(limit),
                        if *several_limits { " (the first of its limits to be passed)" } else { "" },
                        period_words(rule),
                        self.total_text(),
                        exact::human(&self.over()),
                    ),
                    Some(p) => format!(
                        "`{id}` warns at {p}% of {} {unit} ({} {unit}); the total for {window_words} is {} {unit} with this shipment, {} {unit} left; contributing events: {ids}",
                        format_amount(limit),
                        exact::human(&exact::percent_of(limit, *p)),
                        self.total_text(),
                        exact::human(&-self.over()),
                    ),
                }
            }
            What::ReportLate { within, report, on } => format!(
                "`{id}` requires a report within {within} days, by {deadline}; the first report covering `{}` is `{report}` of {on}",
                self.event
            ),
            What::ReportMissing { within, as_of, pending: false } => format!(
                "`{id}` requires a report within {within} days; no report event covers `{}` (judged as of {as_of})",
                self.event
            ),
            What::ReportMissing { within, as_of, pending: true } => format!(
                "`{id}` requires a report within {within} days; none covers `{}` yet, and the deadline has not passed as of {as_of}",
                self.event
            ),
        }
    }

    /// The first ten contributors in words (JSON lists up to fifty).
    fn contributors_text(&self) -> String {
        let shown: Vec<&str> = self
            .contributor_ids()
            .iter()
            .take(10)
            .map(|s| &**s)
            .collect();
        let more = self.contributor_count.saturating_sub(shown.len());
        if more > 0 {
            format!("{} and {more} more", shown.join(", "))
        } else {
            shown.join(", ")
        }
    }
}

/// `; matched: parties.owner `Korea …` = KPe.020 on `un_kp` (listed 2014-07-28) by name`
fn matches_text(m: &[crate::lists::ListMatch]) -> String {
    if m.is_empty() {
        return String::new();
    }
    let each: Vec<String> = m
        .iter()
        .map(|m| {
            let listed = match (m.listed_on, m.delisted_on) {
                (Some(a), Some(b)) => format!("listed {a}, delisted {b}"),
                (Some(a), None) => format!("listed {a}"),
                (None, Some(b)) => format!("listing date not given, delisted {b}"),
                (None, None) => "listing date not given".to_string(),
            };
            format!(
                "{} `{}` is {} `{}` on `{}` ({listed}), by {}",
                m.field,
                m.value,
                m.entry_reference,
                m.entry_name,
                m.list,
                m.method.describe()
            )
        })
        .collect();
    format!("; matched: {}", each.join("; "))
}

/// `arms to DPRK`, as the rule says it.
pub fn describe_rule_scope(_rules: &RuleSet, rule: &Rule) -> String {
    rule.scope_text.clone()
}

fn in_force_text(rule: &Rule) -> String {
    match (rule.effective, rule.until) {
        (Some(e), Some(u)) => format!(" from {e} until {u}"),
        (Some(e), None) => format!(" from {e}"),
        (None, Some(u)) => format!(" until {u}"),
        (None, None) => String::new(),
    }
}

fn period_words(rule: &Rule) -> String {
    match &rule.kind {
        RuleKind::Cap { period, .. } => match period {
            Period::Year => "calendar year".into(),
            Period::Quarter => "calendar quarter".into(),
            Period::Month => "calendar month".into(),
            Period::Day => "day".into(),
            Period::Days(n) => format!("{n} days (rolling)"),
            Period::Months { count, from } => format!("{count} months counted from {from}"),
        },
        _ => String::new(),
    }
}
