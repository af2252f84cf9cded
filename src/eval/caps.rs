//! Quantity and value caps: per-window running totals, violations from the
//! event that takes a total past the limit, warnings at thresholds.

use super::finding::{Finding, What, MAX_CONTRIBUTORS};
use super::windows::{fixed_window, rolling_window};
use super::{conversion_commodity, convert_with, is_money, violation_kind, FindingKind};
use crate::diagnostic::Severity;
use crate::events::{codes, Event, EventDiagnostic, EventLoc};
use crate::model::{Limit, PartyKey, Rule, RuleKind, RuleSet};
use crate::syntax::ast::{By, Period};
use crate::units::settle;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::sync::Arc;

/// What a cap keeps of each matching event.
#[derive(Debug, Clone)]
struct Entry {
    date: NaiveDate,
    id: Box<str>,
    /// The event's amount in each limit's unit (`None`: could not be counted).
    amounts: Box<[Option<Decimal>]>,
    /// The origin or destination, for `by` caps.
    group: Option<Box<str>>,
    loc: EventLoc,
}

#[derive(Debug, Default)]
pub struct Caps {
    per_rule: Vec<Vec<Entry>>,
}

fn diag(
    e: &Event,
    code: &'static str,
    severity: Severity,
    field: &str,
    message: String,
    help: String,
) -> EventDiagnostic {
    EventDiagnostic::remark(e, code, severity, field, message, Some(help))
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
                            codes::MISSING_PARTY,
                            Severity::Warning,
                            field,
                            format!("the cap `{}` counts each {} on its own, and this shipment has no `{field}`", rule.id, if field == "from" { "origin" } else { "destination" }),
                            format!("add `{field}` so the shipment can be counted"),
                        ));
                        return;
                    }
                }
            }
        };
        let commodity = conversion_commodity(rules, rule, e);
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

    pub fn judge(&mut self, rules: &RuleSet) -> Vec<Finding> {
        let mut out = Vec::new();
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
                    _ => cx.fixed(group, period, &mut out),
                }
                start = end;
            }
        }
        out
    }
}

/// An event's amount in a limit's unit, or a diagnostic saying why not.
fn amount_for(
    rules: &RuleSet,
    rule: &Rule,
    commodity: Option<usize>,
    e: &Event,
    l: &Limit,
    diags: &mut Vec<EventDiagnostic>,
) -> Option<Decimal> {
    if is_money(&l.unit) {
        return match e.value {
            Some((v, u)) if u.dimension == l.unit.dimension => Some(v),
            Some((_, u)) => {
                diags.push(diag(e, codes::UNCONVERTIBLE, Severity::Error, "value", format!(
                    "the value is in {}, the cap `{}` counts {}; sanc does not convert currencies", u.symbol, rule.id, l.unit.symbol
                ), format!("give `value` in {}", l.unit.symbol)));
                None
            }
            None => {
                diags.push(diag(
                    e,
                    codes::MISSING_VALUE,
                    Severity::Warning,
                    "value",
                    format!(
                        "the cap `{}` counts value in {}, and the event has no `value`",
                        rule.id, l.unit.symbol
                    ),
                    format!("add `value`, e.g. `\"1500000 {}\"`", l.unit.symbol),
                ));
                None
            }
        };
    }
    let (q, u) = e.quantity?;
    match convert_with(rules, commodity, e, q, &u, &l.unit) {
        Some(x) => Some(x),
        None => {
            let what = e
                .commodity_name
                .clone()
                .unwrap_or_else(|| "these goods".into());
            diags.push(diag(e, codes::UNCONVERTIBLE, Severity::Error, "quantity", format!(
                "cannot convert `{}` to `{}` for `{what}`, so the cap `{}` cannot count this shipment", u.symbol, l.unit.symbol, rule.id
            ), format!("declare a conversion in the rules, e.g. `convert {what} 1 {} = <how many> {}`", u.symbol, l.unit.symbol)));
            None
        }
    }
}

struct Judge<'a> {
    ri: usize,
    rule: &'a Rule,
    limits: &'a [Limit],
    warn_at: &'a [Decimal],
}

impl Judge<'_> {
    fn fixed(&self, entries: &[Entry], period: &Period, out: &mut Vec<Finding>) {
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
            let mut totals = vec![Decimal::ZERO; self.limits.len()];
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
            i += run.len();
        }
    }

    fn rolling(&self, entries: &[Entry], days: u32, out: &mut Vec<Finding>) {
        let mut totals = vec![Decimal::ZERO; self.limits.len()];
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
            let before: Vec<Decimal> = totals
                .iter()
                .zip(e.amounts.iter())
                .map(|(t, a)| *t - a.unwrap_or_default())
                .collect();
            // A rolling window is new at every event: warn when this event crosses a threshold.
            let mut warned = vec![0usize; self.limits.len()];
            for (k, b) in before.iter().enumerate() {
                warned[k] = self
                    .warn_at
                    .iter()
                    .take_while(|p| settle(*b) >= threshold(self.limits[k].amount, **p))
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
        totals: &[Decimal],
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
            total: Some(settle(totals[k])),
            limit: Some(l.amount),
            unit: Some(l.unit.symbol.into()),
            contributors: Some(contributors.0.clone()),
            contributor_count: contributors.1,
            deadline: None,
            loc: e.loc,
        };
        let exceeded = self
            .limits
            .iter()
            .enumerate()
            .find(|(k, l)| settle(totals[*k]) > l.amount);
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
            let reached = self
                .warn_at
                .iter()
                .take_while(|p| settle(totals[k]) >= threshold(l.amount, **p))
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

/// `percent`% of `limit`, without overflowing on the largest limits.
pub(super) fn threshold(limit: Decimal, percent: Decimal) -> Decimal {
    limit
        .checked_mul(percent)
        .map(|x| x / Decimal::ONE_HUNDRED)
        .or_else(|| (limit / Decimal::ONE_HUNDRED).checked_mul(percent))
        .unwrap_or(Decimal::MAX)
}

/// Totals saturate rather than overflow: a total too large to hold is past
/// any limit anyway.
fn add(totals: &mut [Decimal], e: &Entry) {
    for (t, a) in totals.iter_mut().zip(e.amounts.iter()) {
        if let Some(a) = a {
            *t = t.saturating_add(*a);
        }
    }
}

fn sub(totals: &mut [Decimal], e: &Entry) {
    for (t, a) in totals.iter_mut().zip(e.amounts.iter()) {
        if let Some(a) = a {
            *t = t.saturating_sub(*a);
        }
    }
}
