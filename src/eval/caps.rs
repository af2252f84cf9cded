//! Quantity and value caps: per-window running totals, violations from the
//! event that takes a total past the limit, warnings at thresholds.

use super::finding::{CapFacts, Facts, Finding, FindingKind, Given, TextId, MAX_CONTRIBUTORS};
use super::windows::{fixed_window, rolling_window};
use super::{conversion_commodity, convert_with, is_money, violation_kind};
use crate::diagnostic::Code;
use crate::events::{Event, EventDiagnostic, EventLoc, Evidence};
use crate::exact::{exact, percent_of, Exact, Sum};
use crate::model::{By, Limit, PartyKey, Period, Rule, RuleKind, RuleSet};
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
    /// The event's low and high bounds in each limit's unit, when it gives any.
    bounds: Option<Box<[Bounds]>>,
    /// The event's value and quantity as given, when a limit counts it
    /// (value for a money limit, quantity for the others).
    given: [Option<Given>; 2],
    /// The origin or destination, for `by` caps.
    group: Option<Box<str>>,
    /// The supplier (`from`), for the window summaries.
    supplier: Option<Box<str>>,
    evidence: Evidence,
    source: Option<TextId>,
    loc: EventLoc,
}

/// An amount's bounds (each defaults to the amount itself).
#[derive(Debug, Clone, Default)]
struct Bounds {
    low: Option<Exact>,
    high: Option<Exact>,
}

#[derive(Debug, Default)]
pub struct Caps {
    per_rule: Vec<Vec<Entry>>,
    /// Keep every counted event in the window summaries (for charts).
    pub keep_steps: bool,
}

/// A counted event of a window, kept for charts and annexes
/// ([`crate::eval::Evaluator::keep_steps`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub date: NaiveDate,
    pub event: Box<str>,
    /// Its amount in the limit's unit, and as given.
    pub amount: Exact,
    pub given: Option<Given>,
    pub evidence: Evidence,
    pub supplier: Option<Box<str>>,
    pub source: Option<TextId>,
    pub loc: EventLoc,
}

/// When a window's running total first reached a threshold or passed the cap.
#[derive(Debug, Clone, PartialEq)]
pub struct Crossing {
    pub date: NaiveDate,
    pub event: Box<str>,
    pub evidence: Evidence,
    /// The window's total before this event.
    pub before: Exact,
}

/// A scenario's total for a window, and the day it passed the cap.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub total: Exact,
    pub passed: Option<NaiveDate>,
}

/// One fixed window of one cap (per limit): its total, share, when each
/// threshold and the cap were first passed, and its totals by evidence and
/// by supplier. Every window with a counted event is listed, with or
/// without findings.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowSummary {
    /// Index of the rule in the rule set.
    pub rule: usize,
    pub limit_index: usize,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// The origin or destination of a `by` cap.
    pub group: Option<Box<str>>,
    /// Events counted.
    pub events: usize,
    pub total: Exact,
    pub limit: Decimal,
    pub unit: &'static str,
    /// Each `warn at` percentage, and when the total first reached it.
    pub thresholds: Vec<(Decimal, Option<Crossing>)>,
    /// When the total first passed the cap.
    pub passed: Option<Crossing>,
    /// Totals by evidence, firmest first (only kinds present).
    pub by_evidence: Vec<(Evidence, Exact)>,
    /// Totals by supplier (`from`; `None`: not named), largest first.
    pub by_supplier: Vec<(Option<Box<str>>, Exact)>,
    /// Counting only firm evidence (notified, customs): present when the
    /// window also has other evidence.
    pub firm: Option<Scenario>,
    /// Every event at its low bound, and at its high bound: present when
    /// some event gives bounds.
    pub low: Option<Scenario>,
    pub high: Option<Scenario>,
    /// The counted events in date order, when asked for (else empty).
    pub steps: Vec<Step>,
}

impl WindowSummary {
    /// The window's share of the cap, in percent.
    pub fn share(&self) -> Option<Exact> {
        crate::exact::share(&self.total, self.limit)
    }
}

/// Firm evidence: counted by an authority.
pub fn is_firm(e: Evidence) -> bool {
    matches!(e, Evidence::Notified | Evidence::Customs)
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
            keep_steps: false,
        }
    }

    /// Record a matching event for cap rule `ri`.
    pub fn add(
        &mut self,
        rules: &RuleSet,
        ri: usize,
        e: &Event,
        source: Option<TextId>,
        diags: &mut Vec<EventDiagnostic>,
    ) {
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
        let bound = |b: Option<(Decimal, &crate::units::Unit)>, l: &Limit| {
            let (q, u) = b?;
            (!is_money(&l.unit))
                .then(|| convert_with(rules, commodity, e, &exact(q), u, &l.unit))
                .flatten()
        };
        let bounds = (e.quantity_low.is_some() || e.quantity_high.is_some()).then(|| {
            limits
                .iter()
                .map(|l| Bounds {
                    low: bound(e.quantity_low, l),
                    high: bound(e.quantity_high, l),
                })
                .collect()
        });
        let as_given = |money: bool| {
            let g = if money { e.value } else { e.quantity };
            limits
                .iter()
                .any(|l| is_money(&l.unit) == money)
                .then_some(g)
                .flatten()
                .map(|(amount, u)| Given {
                    amount,
                    unit: u.symbol,
                })
        };
        let given = [as_given(true), as_given(false)];
        if let Some(v) = self.per_rule.get_mut(ri) {
            v.push(Entry {
                date: e.date,
                id: e.id.as_str().into(),
                amounts: amounts.into_boxed_slice(),
                bounds,
                given,
                group,
                supplier: e
                    .from
                    .as_ref()
                    .and_then(|p| p.keys.first())
                    .map(|k| key_name(k).into()),
                evidence: e.evidence,
                source,
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

    /// The findings of every cap, and the summaries of its fixed windows.
    pub fn judge(&mut self, rules: &RuleSet) -> (Vec<Finding>, Vec<WindowSummary>) {
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
                keep_steps: self.keep_steps,
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
                    Period::Days(n) => cx.rolling(group, *n, &mut out, &mut windows),
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
    match convert_with(rules, commodity, e, &exact(q), u, &l.unit) {
        Some(x) => Some(x),
        None => {
            diags.push(super::unconvertible(e, rule, "quantity", u, &l.unit));
            None
        }
    }
}

struct Judge<'a> {
    keep_steps: bool,
    ri: usize,
    rule: &'a Rule,
    limits: &'a [Limit],
    warn_at: &'a [Decimal],
    /// Each limit, exactly.
    caps: Vec<Exact>,
    /// Each limit's thresholds (`warn at`), exactly, in order.
    thresholds: Vec<Vec<Exact>>,
}

/// A window as the judge sees it.
struct Span {
    start: NaiveDate,
    end: NaiveDate,
}

impl Judge<'_> {
    /// What the event gave that limit `k` counts: its value for a money
    /// limit, its quantity for the others (as `Entry::given` holds them).
    fn given(&self, e: &Entry, k: usize) -> Option<Given> {
        e.given[usize::from(!is_money(&self.limits[k].unit))]
    }

    fn fixed(
        &self,
        entries: &[Entry],
        period: &Period,
        out: &mut Vec<Finding>,
        windows: &mut Vec<WindowSummary>,
    ) {
        let mut i = 0;
        while i < entries.len() {
            let Some(w) = fixed_window(period, entries[i].date) else {
                i += 1; // before an anniversary period's first day: not counted
                continue;
            };
            let run = entries[i..].iter().take_while(|e| e.date <= w.end).count();
            let run = &entries[i..i + run];
            let ids = contributor_lists(run, self.limits.len(), MAX_CONTRIBUTORS);
            let span = Span {
                start: w.start,
                end: w.end,
            };
            let mut totals = vec![Exact::default(); self.limits.len()];
            let mut warned = vec![0usize; self.limits.len()]; // thresholds already warned
                                                              // Per limit: (first, count) of the events counted so far.
            let mut counted = vec![(0usize, 0usize); self.limits.len()];
            for e in run {
                add(&mut totals, e);
                count(&mut counted, e);
                self.judge_one(e, &totals, &span, (&ids, &counted), &mut warned, out);
            }
            for k in 0..self.limits.len() {
                if let Some(s) = self.summary(run, k, &span) {
                    windows.push(s);
                }
            }
            i += run.len();
        }
    }

    /// The summary of one window (the entries of `run`) for limit `k`.
    fn summary(&self, run: &[Entry], k: usize, span: &Span) -> Option<WindowSummary> {
        let counted: Vec<(&Entry, &Exact)> = run
            .iter()
            .filter_map(|e| Some((e, e.amounts[k].as_ref()?)))
            .collect();
        let first = counted.first()?.0;
        let l = &self.limits[k];
        let cap = &self.caps[k];
        let mut total = Sum::default();
        let mut thresholds: Vec<(Decimal, Option<Crossing>)> =
            self.warn_at.iter().map(|p| (*p, None)).collect();
        let mut passed = None;
        let mut by_evidence: Vec<(Evidence, Sum)> = Vec::new();
        let mut by_supplier: Vec<(Option<Box<str>>, Sum)> = Vec::new();
        let with_bounds = counted.iter().any(|(e, _)| e.bounds.is_some());
        let mixed = counted.iter().any(|(e, _)| is_firm(e.evidence))
            && counted.iter().any(|(e, _)| !is_firm(e.evidence));
        let mut firm = Scenario {
            total: Exact::default(),
            passed: None,
        };
        let (mut low, mut high) = (firm.clone(), firm.clone());
        let step = |s: &mut Scenario, a: &Exact, date: NaiveDate| {
            s.total += a;
            if s.passed.is_none() && s.total > *cap {
                s.passed = Some(date);
            }
        };
        for (e, a) in &counted {
            total.add(a);
            // The total before this event, worked out only for the few
            // events that cross something (not kept for every event).
            let crossing = |total: &Sum| Crossing {
                date: e.date,
                event: e.id.clone(),
                evidence: e.evidence,
                before: total.value() - *a,
            };
            for (th, (_, at)) in self.thresholds[k].iter().zip(thresholds.iter_mut()) {
                if at.is_none() && total.cmp_exact(th).is_ge() {
                    *at = Some(crossing(&total));
                }
            }
            if passed.is_none() && total.cmp_exact(cap).is_gt() {
                passed = Some(crossing(&total));
            }
            add_to(&mut by_evidence, &e.evidence, a);
            add_to(&mut by_supplier, &e.supplier, a);
            // The scenarios are summed only when the summary shows them.
            if mixed && is_firm(e.evidence) {
                step(&mut firm, a, e.date);
            }
            if with_bounds {
                let b = e.bounds.as_ref().and_then(|b| b.get(k));
                step(
                    &mut low,
                    b.and_then(|b| b.low.as_ref()).unwrap_or(a),
                    e.date,
                );
                step(
                    &mut high,
                    b.and_then(|b| b.high.as_ref()).unwrap_or(a),
                    e.date,
                );
            }
        }
        let mut by_evidence: Vec<(Evidence, Exact)> = by_evidence
            .into_iter()
            .map(|(e, t)| (e, t.value()))
            .collect();
        let mut by_supplier: Vec<(Option<Box<str>>, Exact)> = by_supplier
            .into_iter()
            .map(|(s, t)| (s, t.value()))
            .collect();
        by_evidence.sort_by_key(|(e, _)| *e);
        by_supplier.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Some(WindowSummary {
            rule: self.ri,
            limit_index: k,
            start: span.start,
            end: span.end,
            group: first.group.clone(),
            events: counted.len(),
            total: total.value(),
            limit: l.amount,
            unit: l.unit.symbol,
            thresholds,
            passed,
            by_evidence,
            by_supplier,
            firm: mixed.then_some(firm),
            low: with_bounds.then_some(low),
            high: with_bounds.then_some(high),
            steps: if self.keep_steps {
                counted
                    .iter()
                    .map(|(e, a)| Step {
                        date: e.date,
                        event: e.id.clone(),
                        amount: (*a).clone(),
                        given: self.given(e, k),
                        evidence: e.evidence,
                        supplier: e.supplier.clone(),
                        source: e.source,
                        loc: e.loc,
                    })
                    .collect()
            } else {
                Vec::new()
            },
        })
    }

    fn rolling(
        &self,
        entries: &[Entry],
        days: u32,
        out: &mut Vec<Finding>,
        windows: &mut Vec<WindowSummary>,
    ) {
        // The peak window of each limit: the N days with the highest total
        // (the earliest of equal ones), summarized at the end.
        let mut peak: Vec<Option<(Exact, usize, usize, NaiveDate)>> = vec![None; self.limits.len()];
        // One list of ids per limit for every window of the group, made
        // when the first finding needs it.
        let mut ids: Option<Vec<Ids>> = None;
        let empty: Vec<Ids> = Vec::new();
        let mut totals = vec![Exact::default(); self.limits.len()];
        // Per limit: (first, count) of the events in the window, as
        // positions among the group's events counted for that limit.
        let mut counted = vec![(0usize, 0usize); self.limits.len()];
        let mut lo = 0;
        for (i, e) in entries.iter().enumerate() {
            let w = rolling_window(days, e.date);
            add(&mut totals, e);
            count(&mut counted, e);
            while entries[lo].date < w.start {
                sub(&mut totals, &entries[lo]);
                uncount(&mut counted, &entries[lo]);
                lo += 1;
            }
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
            for (k, t) in totals.iter().enumerate() {
                if e.amounts[k].is_some() && peak[k].as_ref().is_none_or(|p| *t > p.0) {
                    peak[k] = Some((t.clone(), lo, i, w.start));
                }
            }
            let span = Span {
                start: w.start,
                end: w.end,
            };
            let before = out.len();
            self.judge_one(e, &totals, &span, (&empty, &counted), &mut warned, out);
            if out.len() > before {
                let ids = ids.get_or_insert_with(|| {
                    contributor_lists(entries, self.limits.len(), usize::MAX)
                });
                for f in &mut out[before..] {
                    if let Facts::Cap(c) = &mut f.facts {
                        if let Some(l) = pick(ids, c.limit_index.into()) {
                            c.contributors = l.clone();
                        }
                    }
                }
            }
        }
        for (k, p) in peak.into_iter().enumerate() {
            if let Some((_, lo, hi, start)) = p {
                let span = Span {
                    start,
                    end: entries[hi].date,
                };
                if let Some(s) = self.summary(&entries[lo..=hi], k, &span) {
                    windows.push(s);
                }
            }
        }
    }

    fn judge_one(
        &self,
        e: &Entry,
        totals: &[Exact],
        span: &Span,
        contributors: (&[Ids], &[(usize, usize)]),
        warned: &mut [usize],
        out: &mut Vec<Finding>,
    ) {
        let finding = |kind, k: usize, threshold| {
            let (first, n) = contributors.1.get(k).copied().unwrap_or_default();
            Finding {
                rule: self.ri,
                kind,
                event: e.id.clone(),
                date: e.date,
                evidence: e.evidence,
                source: e.source,
                loc: e.loc,
                facts: Facts::Cap(Box::new(CapFacts {
                    start: span.start,
                    end: span.end,
                    group: e.group.clone(),
                    threshold,
                    limit_index: u8::try_from(k).unwrap_or(u8::MAX),
                    total: totals[k].clone(),
                    amount: e.amounts[k].clone(),
                    given: self.given(e, k),
                    contributors: pick(contributors.0, k)
                        .cloned()
                        .unwrap_or_else(|| Arc::from(Vec::new())),
                    first: u32::try_from(first).unwrap_or(u32::MAX),
                    contributor_count: u32::try_from(n).unwrap_or(u32::MAX),
                })),
            }
        };
        // Once a limit is passed, every later event of the window breaks
        // the cap, whatever it adds (even nothing a limit can count).
        let exceeded = (0..self.limits.len()).find(|k| totals[*k] > self.caps[*k]);
        if let Some(k) = exceeded {
            // No threshold warns after the cap is passed in this window.
            for w in warned.iter_mut() {
                *w = self.warn_at.len();
            }
            out.push(finding(violation_kind(self.rule), k, None));
            return;
        }
        for k in 0..self.limits.len() {
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
            out.push(finding(FindingKind::Warning, k, Some(p)));
        }
    }
}

/// Event ids in date order, shared by findings.
type Ids = Arc<[Box<str>]>;

/// The ids of the events counted for each limit, at most `max` of each:
/// one list shared by every limit when each event counts for all of them
/// (a cap with one limit, or amounts in every unit).
fn contributor_lists(run: &[Entry], limits: usize, max: usize) -> Vec<Ids> {
    if run.iter().all(|e| e.amounts.iter().all(Option::is_some)) {
        return vec![run.iter().take(max).map(|e| e.id.clone()).collect()];
    }
    (0..limits)
        .map(|k| {
            run.iter()
                .filter(|e| e.amounts[k].is_some())
                .take(max)
                .map(|e| e.id.clone())
                .collect()
        })
        .collect()
}

/// Limit `k`'s list among [`contributor_lists`].
fn pick(lists: &[Ids], k: usize) -> Option<&Ids> {
    lists.get(k).or_else(|| lists.first())
}

/// Count the event in each limit it has an amount for.
fn count(counted: &mut [(usize, usize)], e: &Entry) {
    for (c, a) in counted.iter_mut().zip(e.amounts.iter()) {
        if a.is_some() {
            c.1 += 1;
        }
    }
}

/// Take the event that leaves a rolling window out of each limit it was
/// counted in: the window's first counted event is the next one.
fn uncount(counted: &mut [(usize, usize)], e: &Entry) {
    for (c, a) in counted.iter_mut().zip(e.amounts.iter()) {
        if a.is_some() {
            c.0 += 1;
            c.1 -= 1;
        }
    }
}

/// Add `a` to the sum kept for `key`, which starts at zero.
fn add_to<K: PartialEq + Clone>(sums: &mut Vec<(K, Sum)>, key: &K, a: &Exact) {
    match sums.iter_mut().find(|(k, _)| k == key) {
        Some((_, t)) => t.add(a),
        None => {
            let mut t = Sum::default();
            t.add(a);
            sums.push((key.clone(), t));
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
