//! Findings in words: the one place where the evaluator's facts become
//! sentences, per rule kind, with the legal framing that fits each kind (a
//! ban forbids the shipment; a price cap forbids services for a cargo
//! bought above it; a cap is exceeded by a window's total, not by one
//! delivery; a reporting duty is about a report).

use crate::eval::{
    CapFacts, Facts, Finding, Given, GoodsMatch, PriceBasis, PriceFacts, ReportFacts, ReportStatus,
    Shipment,
};
use crate::exact::{self, Exact};
use crate::model::{Due, Period, Rule, RuleKind, RuleSet};
use crate::units::format_amount;

/// `4,337 t`
pub fn given(g: &Given) -> String {
    format!("{} {}", format_amount(g.amount), g.unit)
}

/// `12.5%`, one decimal place (rounded half up).
pub fn percent(x: &Exact) -> String {
    let tenths = (x * Exact::from_integer(10.into())).round() / Exact::from_integer(10.into());
    let s = exact::human(&tenths);
    if s.contains('.') {
        format!("{s}%")
    } else {
        format!("{s}.0%")
    }
}

/// `the shipment of 5 units of arms from RUS to PRK`
pub fn shipment(s: &Shipment) -> String {
    let mut out = String::from("the shipment");
    if let Some(q) = &s.quantity {
        out.push_str(&format!(" of {}", given(q)));
    }
    match (&s.commodity, &s.hs) {
        (Some(c), _) => out.push_str(&format!(" of {c}")),
        (None, Some(h)) => out.push_str(&format!(" of HS {h}")),
        _ => {}
    }
    if let Some(p) = &s.from {
        out.push_str(&format!(" from {p}"));
    }
    if let Some(p) = &s.to {
        out.push_str(&format!(" to {p}"));
    }
    if !s.via.is_empty() {
        let v: Vec<&str> = s.via.iter().map(|v| &**v).collect();
        out.push_str(&format!(" via {}", v.join(", ")));
    }
    out
}

/// Why the rule's goods matched: `by its commodity `diesel``, `by HS 271019`.
fn matched(s: &Shipment) -> String {
    match (s.matched, &s.commodity, &s.hs) {
        (GoodsMatch::Any, ..) => "the rule covers any goods".into(),
        (GoodsMatch::Commodity, Some(c), _) => format!("matched by its commodity `{c}`"),
        (GoodsMatch::Hs, _, Some(h)) => format!("matched by its HS code {h}"),
        _ => "matched by its goods".into(),
    }
}

/// One line: what happened.
pub fn message(rules: &RuleSet, f: &Finding) -> String {
    let rule = &rules.rules[f.rule];
    match &f.facts {
        Facts::Ban(s) => format!("{} is banned", shipment(s)),
        Facts::Price(p) => {
            let (cap, unit) = f.limit(rules).unwrap_or_default();
            format!(
                "covered services are prohibited for {}: bought at {} {unit}, above the price cap of {} {unit}",
                shipment(&p.shipment),
                exact::human(&p.price),
                format_amount(cap),
            )
        }
        Facts::Cap(c) => cap_message(rules, rule, f, c),
        Facts::Report(r) => report_message(rule, r, f),
        Facts::PortCall(p) => format!("the port call of {} in {} is banned", p.vessel, p.port),
        Facts::Designated(s) => format!(
            "{} has a listed party, so it is not a permitted supply under the cap",
            shipment(s)
        ),
    }
}

fn unit(rules: &RuleSet, f: &Finding) -> String {
    f.limit(rules).map(|l| l.1).unwrap_or_default()
}

fn window_words(rule: &Rule, c: &CapFacts) -> String {
    match &rule.kind {
        RuleKind::Cap {
            period: Period::Days(d),
            ..
        } => format!("the {d} days {}..{}", c.start, c.end),
        RuleKind::Cap { period, .. } => crate::eval::windows::label(period, c.start, c.end),
        _ => String::new(),
    }
}

fn cap_message(rules: &RuleSet, rule: &Rule, f: &Finding, c: &CapFacts) -> String {
    let unit = unit(rules, f);
    let limit = f
        .limit(rules)
        .map(|l| format_amount(l.0))
        .unwrap_or_default();
    let share = f.share(rules).map(|s| percent(&s)).unwrap_or_default();
    let scope = &rule.scope_text;
    let group = c
        .group
        .as_deref()
        .map(|g| format!(" for {g}"))
        .unwrap_or_default();
    let window = window_words(rule, c);
    let total = exact::human(&c.total);
    match c.threshold {
        None => format!(
            "over the cap on {scope}{group}: the total for {window} reached {total} {unit} ({share} of the cap of {limit} {unit}) with this shipment"
        ),
        Some(p) => format!(
            "{p}% of the cap on {scope}{group} reached: {total} of {limit} {unit} ({share}) for {window}"
        ),
    }
}

/// When the report was due, said of the shipment.
fn due_phrase(due: Due) -> String {
    match due {
        Due::Within(n) => format!("within {n} days"),
        Due::MonthlyBy(n) => format!("by day {n} of the following month"),
        Due::Every { days, from } => {
            format!("at the end of its {days}-day period (counted from {from})")
        }
    }
}

fn report_message(rule: &Rule, r: &ReportFacts, f: &Finding) -> String {
    let id = &rule.id;
    let due = due_phrase(r.due);
    match &r.status {
        ReportStatus::Late { report, on } => format!(
            "reported late: `{id}` wants this shipment reported {due}; the report `{report}` came on {on}, {} days after it; it was due by {}",
            (*on - f.date).num_days(),
            r.deadline
        ),
        ReportStatus::Missing { .. } => format!(
            "not reported: `{id}` wants this shipment reported {due}; no report covers it, and it was due by {}",
            r.deadline
        ),
        ReportStatus::Pending { .. } => format!(
            "report pending: `{id}` wants this shipment reported {due}, by {}",
            r.deadline
        ),
    }
}

/// The reasoning and arithmetic, ready to paste into a report.
pub fn explanation(rules: &RuleSet, f: &Finding) -> String {
    let rule = &rules.rules[f.rule];
    let id = &rule.id;
    match &f.facts {
        Facts::Ban(s) => format!(
            "`{id}` bans {}{}; {}{}",
            rule.scope_text,
            in_force(rule),
            matched(s),
            matches_text(&s.matches)
        ),
        Facts::PortCall(p) => format!(
            "`{id}` bans {}{}{}",
            rule.scope_text,
            in_force(rule),
            matches_text(&p.matches)
        ),
        Facts::Designated(s) => {
            let (who, list) = match &rule.conditions.provided {
                Some(p) => (provided_who(p), p.list.as_str()),
                None => (String::new(), ""),
            };
            format!(
                "`{id}` permits supply only provided no {who} is on `{list}`{}; the shipment still counts toward the cap",
                matches_text(&s.matches)
            )
        }
        Facts::Price(p) => price_explanation(rules, rule, f, p),
        Facts::Cap(c) => cap_explanation(rules, rule, f, c),
        Facts::Report(r) => {
            let event = &f.event;
            match &r.status {
                ReportStatus::Late { report, on } => format!(
                    "`{id}` requires a report {}, by {}; the first report covering `{event}` is `{report}` of {on}",
                    r.due, r.deadline
                ),
                ReportStatus::Missing { as_of } => format!(
                    "`{id}` requires a report {}; no report event covers `{event}` (judged as of {as_of})",
                    r.due
                ),
                ReportStatus::Pending { as_of } => format!(
                    "`{id}` requires a report {}; none covers `{event}` yet, and the deadline has not passed as of {as_of}",
                    r.due
                ),
            }
        }
    }
}

fn price_explanation(rules: &RuleSet, rule: &Rule, f: &Finding, p: &PriceFacts) -> String {
    let (cap, unit) = f.limit(rules).unwrap_or_default();
    let price = format!("{} {unit}", exact::human(&p.price));
    let worked = match &p.basis {
        PriceBasis::Given {
            amount,
            currency,
            per,
        } => {
            let given = format!("{} {currency}/{per}", format_amount(*amount));
            if given == price {
                format!("the price is {price}")
            } else {
                format!("the price {given} is {price}")
            }
        }
        PriceBasis::Derived { value, quantity } => format!(
            "the price derived from `value` {} for {} is {price}",
            given(value),
            given(quantity)
        ),
    };
    let over = &p.price - exact::exact(cap);
    format!(
        "{worked}, {} {unit} above the cap; `{}` caps the price at {} {unit}{}: services for the maritime transport of a cargo bought above the cap (carriage, insurance, finance, brokering) are prohibited; the cap does not itself forbid the sale",
        exact::human(&over),
        rule.id,
        format_amount(cap),
        in_force(rule)
    )
}

fn cap_explanation(rules: &RuleSet, rule: &Rule, f: &Finding, c: &CapFacts) -> String {
    let unit = unit(rules, f);
    let limit = f.limit(rules).map(|l| l.0).unwrap_or_default();
    let group = c
        .group
        .as_deref()
        .map(|g| format!(" for {g}"))
        .unwrap_or_default();
    let window = window_words(rule, c);
    let ids = contributors(f);
    let several = matches!(&rule.kind, RuleKind::Cap { limits, .. } if limits.len() > 1);
    let this = this_shipment(f, c, &unit);
    match c.threshold {
        None => format!(
            "`{}` allows {} {unit}{} per {}{group}; the total for {window} is {} {unit} with this shipment{this}, {} {unit} over; contributing events: {ids}",
            rule.id,
            format_amount(limit),
            if several { " (the first of its limits to be passed)" } else { "" },
            period_words(rule),
            exact::human(&c.total),
            exact::human(&(&c.total - exact::exact(limit))),
        ),
        Some(p) => format!(
            "`{}` warns at {p}% of {} {unit} ({} {unit}); the total for {window} is {} {unit} with this shipment{this}, {} {unit} left; contributing events: {ids}",
            rule.id,
            format_amount(limit),
            exact::human(&exact::percent_of(limit, p)),
            exact::human(&c.total),
            exact::human(&(exact::exact(limit) - &c.total)),
        ),
    }
}

/// ` (4,337 t = 34,262.3 bbl)`, or nothing when no conversion was needed.
fn this_shipment(f: &Finding, c: &CapFacts, unit: &str) -> String {
    let _ = f;
    match (&c.given, &c.amount) {
        (Some(g), Some(a)) if g.unit != unit => {
            format!(" ({} = {} {unit})", given(g), exact::human(a))
        }
        (Some(g), None) => format!(" ({}, not countable in {unit})", given(g)),
        (None, None) => format!(" (nothing countable in {unit})"),
        _ => String::new(),
    }
}

/// The first ten contributors in words (JSON lists up to fifty).
fn contributors(f: &Finding) -> String {
    let ids = f.contributor_ids();
    let shown: Vec<&str> = ids.iter().take(10).map(|s| &**s).collect();
    let count = f.cap().map_or(0, |c| c.contributor_count as usize);
    let more = count.saturating_sub(shown.len());
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

pub fn in_force(rule: &Rule) -> String {
    match (rule.effective, rule.until) {
        (Some(e), Some(u)) => format!(" from {e} until {u}"),
        (Some(e), None) => format!(" from {e}"),
        (None, Some(u)) => format!(" until {u}"),
        (None, None) => String::new(),
    }
}

/// `calendar year`, `30 days (rolling)`.
pub fn period_words(rule: &Rule) -> String {
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

/// Who a `provided no` clause names: `party` (any), or the roles.
pub fn provided_who(p: &crate::model::ListCondition) -> String {
    match p.who {
        crate::model::Who::AnyParty => "party".to_string(),
        _ => p.who.describe(),
    }
}

/// Which list entries matched which fields of the event, and how.
fn matches_text(m: &[crate::lists::ListMatch]) -> String {
    matched_entries(m)
        .map(|t| format!("; {t}"))
        .unwrap_or_default()
}

/// `matched: insurer `…` is KPe.002 `…` on `un_kp` (listed 2009-04-24), by name`,
/// or nothing when no list entry matched.
pub fn matched_entries(m: &[crate::lists::ListMatch]) -> Option<String> {
    if m.is_empty() {
        return None;
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
    Some(format!("matched: {}", each.join("; ")))
}
