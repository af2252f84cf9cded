//! Quantity and value caps: per-window running totals, violations from the
//! event that takes a total past the limit, warnings at thresholds.

use super::finding::{Finding, What, MAX_CONTRIBUTORS};
use super::windows::{fixed_window, rolling_window};
use super::{conversion_commodity, convert_with, is_money, violation_kind, FindingKind};
use crate::diagnostic::Code;
use crate::events::{Event, EventDiagnostic, EventLoc};
use crate::exact::{exact, percent_of, Exact};
use crate::model::{Limit, PartyKey, Rule, RuleKind, RuleSet};
use crate::syntax::ast::{By, Period};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::sync::Arc;

/// What a cap keeps of each matching event.
#[derive(Debug, Clone)]
struct Entry {
    date: NaiveDate,
    id: Box<str>,
    /// The event's amount in each limit's unit, exactly (`None`: could not
    /// be counted, and the event is not evaluable for the rule).
    amounts: Box<[Option<Exact>]>,
    /// The origin or destination, for `by` caps.
    group: Option<Box<str>>,
    loc: EventLoc,
}

#[derive(Debug, Default)]
pub struct Caps {
    per_rule: Vec<Vec<Entry>>,
}

/// A fixed window's total at its end, per limit of a cap (for comparing
/// rule sets: `sanc diff`).
#[derive(Debug, Clone, PartialEq)]
pub struct WindowTotal {
    /// Index of the rule in the rule set.
    pub rule: usize,
    /// The window label, with the party of a `by` cap (`2023`, `2023 RUS`).
    pub window: Box<str>,
    pub total: Exact,
    pub limit: Decimal,
    pub unit: Box<str>,
}

/// The cap `rule` cannot count this event: it is not evaluable for it.
fn diag(
    e: &Event,
    rule: &Rule,
    code: Code,
    field: &str,
    message: String,
    help: String,
) -> EventDiagnostic {
    crate::events::not_evaluable(e, &rule.id, code, field, message, help)
}

fn key_name(k: &PartyKey) -> &str {
    match k {
        PartyKey::Country(c) | PartyKey::Entity(c) => c,
    }
}

impl Caps {
    pub fn new(rules: &RuleSet) -> Self {
        Caps {
            per_rule: vec![Vec::new(); rules.rules.len()],
        }
    }

    /// Record a matching event for cap rule `ri`.
    pub fn add(&mut self, rules: &RuleSet, ri: usize, e: &Event, diags: &mut Vec<EventDiagnostic>) {
        let rule = &rules.rules[ri];
        let RuleKind::Cap { limits, by, .. } = &rule.kind else {
            return;
        };
        let group = match by {
            None => None,
            Some(b) => {
                let (party, field) = match b {
                    By::Origin => (e.from.as_ref(), "from"),
                    By::Destination => (e.to.as_ref(), "to"),
                };
                match party.and_then(|p| p.keys.first()) {
                    Some(k) => Some(Box::from(key_name(k))),
                    None => {
                        diags.push(diag(
                            e,
                            rule,
                            Code::EventMissingParty,
                            field,
                            format!("the cap `{}` counts each {} on its own, and this shipment has no `{field}`", rule.id, if field == "from" { "origin" } else { "destination" }),
                            format!("add `{field}` so the shipment can be counted"),
                        ));
                        return;
                    }
                }
            }
        };
        let commodity = conversion_commodity(rules, rule);
        let mut amounts = Vec::with_capacity(limits.len());
        for l in limits {
            amounts.push(amount_for(rules, rule, commodity, e, l, diags));
        }
        if amounts.iter().all(Option::is_none) {
            return;
        }
        if let Some(v) = self.per_rule.get_mut(ri) {
            v.push(Entry {
                date: e.date,
                id: e.id.as_str().into(),
                amounts: amounts.into_boxed_slice(),
                group,
                loc: e.loc,
            });
        }
    }

    /// Drop every entry of events whose id `gone` says is rejected.
    pub fn forget(&mut self, gone: impl Fn(&str) -> bool) {
        for v in &mut self.per_rule {
            v.retain(|e| !gone(&e.id));
        }
    }

    /// The findings of every cap, and the totals of its fixed windows.
    pub fn judge(&mut self, rules: &RuleSet) -> (Vec<Finding>, Vec<WindowTotal>) {
        let mut out = Vec::new();
        let mut windows = Vec::new();
        for (ri, entries) in self.per_rule.iter_mut().enumerate() {
            if entries.is_empty() {
                continue;
            }
            let rule = &rules.rules[ri];
            let RuleKind::Cap {
                limits,
                period,
                warn_at,
                ..
            } = &rule.kind
            else {
                continue;
            };
            entries.sort_by(|a, b| (&a.group, a.date, &a.id).cmp(&(&b.group, b.date, &b.id)));
            let cx = Judge {
                ri,
                rule,
                limits,
                warn_at,
                caps: limits.iter().map(|l| exact(l.amount)).collect(),
                thresholds: limits
                    .iter()
                    .map(|l| warn_at.iter().map(|p| percent_of(l.amount, *p)).collect())
                    .collect(),
            };
            let mut start = 0;
            while start < entries.len() {
                let end = start
                    + entries[start..]
                        .iter()
                        .take_while(|e| e.group == entries[start].group)
                        .count();
                let group = &entries[start..end];
                match period {
                    Period::Days(n) => cx.rolling(group, *n, &mut out),
                    _ => cx.fixed(group, period, &mut out, &mut windows),
                }
                start = end;
            }
        }
        (out, windows)
    }
}

/// An event's amount in a limit's unit, exactly, or a diagnostic saying
/// why the cap cannot count it.
fn amount_for(
    rules: &RuleSet,
    rule: &Rule,
    commodity: Option<usize>,
    e: &Event,
    l: &Limit,
    diags: &mut Vec<EventDiagnostic>,
) -> Option<Exact> {
    if is_money(&l.unit) {
        return match e.value {
            Some((v, u)) if u.dimension == l.unit.dimension => Some(exact(v)),
            Some((_, u)) => {
                diags.push(diag(e, rule, Code::EventOtherCurrency, "value", format!(
                    "the value is in {}, and the cap `{}` counts {}; sanc does not convert currencies, so it cannot count this shipment", u.symbol, rule.id, l.unit.symbol
                ), format!("give `value` in {} (converted at the rate of the shipment's date)", l.unit.symbol)));
                None
            }
            None => {
                diags.push(diag(
                    e,
                    rule,
                    Code::EventMissingValue,
                    "value",
                    format!(
                        "the cap `{}` counts value in {}, and the shipment has no `value`",
                        rule.id, l.unit.symbol
                    ),
                    format!("add `value`, e.g. `\"1500000 {}\"`", l.unit.symbol),
                ));
                None
            }
        };
    }
    let Some((q, u)) = e.quantity else {
        diags.push(diag(
            e,
            rule,
            Code::EventMissingQuantity,
            "quantity",
            format!(
                "the cap `{}` counts {}, and the shipment has no `quantity`",
                rule.id, l.unit.symbol
            ),
            format!(
                "add `quantity`, e.g. `\"1000 {}\"`; a shipment without one can be judged by bans and reporting duties only",
                l.unit.symbol
            ),
        ));
        return None;
    };
    match convert_with(rules, commodity, e, &exact(q), &u, &l.unit) {
        Some(x) => Some(x),
        None => {
            diags.push(super::unconvertible(e, rule, "quantity", &u, &l.unit));
            None
        }
    }
}

struct Judge<'a> {
    ri: usize,
    rule: &'a Rule,
    limits: &'a [Limit],
    warn_at: &'a [Decimal],
    /// Each limit, exactly.
    caps: Vec<Exact>,
    /// Each limit's thresholds (`warn at`), exactly, in order.
    thresholds: Vec<Vec<Exact>>,
}

impl Judge<'_> {
    fn fixed(
        &self,
        entries: &[Entry],
        period: &Period,
        out: &mut Vec<Finding>,
        windows: &mut Vec<WindowTotal>,
    ) {
        let mut i = 0;
        while i < entries.len() {
            let Some(w) = fixed_window(period, entries[i].date) else {
                i += 1; // before an anniversary period's first day: not counted
                continue;
            };
            let run = entries[i..].iter().take_while(|e| e.date <= w.end).count();
            let run = &entries[i..i + run];
            let ids: Arc<[Box<str>]> = run
                .iter()
                .take(MAX_CONTRIBUTORS)
                .map(|e| e.id.clone())
                .collect();
            let mut totals = vec![Exact::default(); self.limits.len()];
            let mut warned = vec![0usize; self.limits.len()]; // thresholds already warned
            for (j, e) in run.iter().enumerate() {
                add(&mut totals, e);
                self.judge_one(
                    e,
                    &totals,
                    &w.label,
                    (w.start, w.end),
                    (ids.clone(), j + 1),
                    &mut warned,
                    None,
                    out,
                );
            }
            let label: Box<str> = match run.first().and_then(|e| e.group.as_deref()) {
                Some(g) => format!("{} {g}", w.label).into(),
                None => w.label.as_str().into(),
            };
            for (l, total) in self.limits.iter().zip(totals) {
                windows.push(WindowTotal {
                    rule: self.ri,
                    window: label.clone(),
                    total,
                    limit: l.amount,
                    unit: l.unit.symbol.into(),
                });
            }
            i += run.len();
        }
    }

    fn rolling(&self, entries: &[Entry], days: u32, out: &mut Vec<Finding>) {
        let mut totals = vec![Exact::default(); self.limits.len()];
        let mut lo = 0;
        for (i, e) in entries.iter().enumerate() {
            let w = rolling_window(days, e.date);
            add(&mut totals, e);
            while entries[lo].date < w.start {
                sub(&mut totals, &entries[lo]);
                lo += 1;
            }
            let ids: Arc<[Box<str>]> = entries[lo..=i]
                .iter()
                .take(MAX_CONTRIBUTORS)
                .map(|e| e.id.clone())
                .collect();
            // A rolling window is new at every event: warn when this event
            // crosses a threshold, judged on the total without it.
            let mut warned = vec![0usize; self.limits.len()];
            for (k, t) in totals.iter().enumerate() {
                let before = match &e.amounts[k] {
                    Some(a) => t - a,
                    None => t.clone(),
                };
                warned[k] = self.thresholds[k]
                    .iter()
                    .take_while(|th| before >= **th)
                    .count();
            }
            self.judge_one(
                e,
                &totals,
                &w.label,
                (w.start, w.end),
                (ids, i - lo + 1),
                &mut warned,
                Some(days),
                out,
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn judge_one(
        &self,
        e: &Entry,
        totals: &[Exact],
        label: &str,
        span: (NaiveDate, NaiveDate),
        contributors: (Arc<[Box<str>]>, usize),
        warned: &mut [usize],
        rolling: Option<u32>,
        out: &mut Vec<Finding>,
    ) {
        let window_words: Box<str> = match rolling {
            Some(d) => format!("the {d} days {}..{}", span.0, span.1).into(),
            None => label.into(),
        };
        let window: Box<str> = match &e.group {
            Some(g) => format!("{label} {g}").into(),
            None => label.into(),
        };
        let finding = |kind, k: usize, l: &Limit, percent| Finding {
            rule: self.ri,
            kind,
            event: e.id.clone(),
            date: e.date,
            what: What::Cap {
                window_words: window_words.clone(),
                group: e.group.clone(),
                percent,
                several_limits: self.limits.len() > 1,
            },
            window: Some(window.clone()),
            total: Some(totals[k].clone()),
            limit: Some(l.amount),
            unit: Some(l.unit.symbol.into()),
            contributors: Some(contributors.0.clone()),
            contributor_count: contributors.1,
            deadline: None,
            loc: e.loc,
            matches: Vec::new(),
        };
        let exceeded = self
            .limits
            .iter()
            .enumerate()
            .find(|(k, _)| totals[*k] > self.caps[*k]);
        if let Some((k, l)) = exceeded {
            // No threshold warns after the cap is passed in this window.
            for w in warned.iter_mut() {
                *w = self.warn_at.len();
            }
            out.push(finding(violation_kind(self.rule), k, l, None));
            return;
        }
        for (k, l) in self.limits.iter().enumerate() {
            if e.amounts[k].is_none() {
                continue;
            }
            let reached = self.thresholds[k]
                .iter()
                .take_while(|th| totals[k] >= **th)
                .count();
            if reached <= warned[k] {
                continue;
            }
            warned[k] = reached;
            let p = self.warn_at[reached - 1];
            out.push(finding(FindingKind::Warning, k, l, Some(p)));
        }
    }
}

/// Exact sums: no total overflows, and a rolling window keeps no residue
/// of the events that left it.
fn add(totals: &mut [Exact], e: &Entry) {
    for (t, a) in totals.iter_mut().zip(e.amounts.iter()) {
        if let Some(a) = a {
            *t += a;
        }
    }
}

fn sub(totals: &mut [Exact], e: &Entry) {
    for (t, a) in totals.iter_mut().zip(e.amounts.iter()) {
        if let Some(a) = a {
            *t -= a;
        }
    }
}
