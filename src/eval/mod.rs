//! Evaluation: events in, findings out.
//!
//! Events arrive in any order and are looked at once. Bans and price caps
//! are judged on the spot; caps and reporting duties keep only what they
//! need of each matching event (date, id, amount, location) and are judged
//! in [`Evaluator::finish`], in order of date then event id. That order,
//! and sorting the findings, make the result independent of input order.

mod caps;
mod conditions;
mod finding;
mod index;
pub mod pipeline;
mod reports;
pub mod windows;

pub use caps::WindowTotal;

pub use finding::{describe_rule_scope, Finding, FindingKind, What, MAX_CONTRIBUTORS};

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::events::{read::Item, validate, Effect, Event, EventDiagnostic, EventKind, EventLoc};
use crate::exact::{exact, Exact};
use crate::model::{Goods, PartySet, Rule, RuleKind, RuleSet};
use crate::units::{format_amount, Dimension, Unit};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// Counts for the summary line and the JSON `stats`. Every event read is
/// exactly one of evaluated, rejected or not evaluable.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    pub events_read: usize,
    /// Read, and judged by every rule that applies to it.
    pub events_evaluated: usize,
    /// Could not be read, or invalid: no rule judged it.
    pub events_rejected: usize,
    /// Read, but some rule that applies to it could not judge it.
    pub events_not_evaluable: usize,
    pub rules: usize,
    pub violations: usize,
    pub warnings: usize,
}

/// What a run found.
#[derive(Debug)]
pub struct Outcome {
    /// Sorted by date, then rule id, then event id.
    pub findings: Vec<Finding>,
    /// Problems with events, sorted by event id (then position).
    pub diagnostics: Vec<EventDiagnostic>,
    pub stats: Stats,
    /// With [`Evaluator::track_touched`]: every (rule index, event id) where
    /// the rule's goods cover the event's, whether or not the rule applied
    /// (dates, parties, exemptions) or found anything. Empty otherwise.
    pub touched: Vec<(usize, Box<str>)>,
    /// The total of every fixed window of every cap at the window's end,
    /// by rule, then window (rolling windows are not listed).
    pub windows: Vec<WindowTotal>,
}

/// An id seen more than once: the id, and how many events carry it.
struct Duplicate {
    id: Box<str>,
    count: u32,
    /// The earliest repeat in the input.
    loc: EventLoc,
}

/// Id hashes are already well mixed: hashing them again is wasted work.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type IdMap<V> = HashMap<u64, V, BuildHasherDefault<PassThrough>>;
type IdSet = std::collections::HashSet<u64, BuildHasherDefault<PassThrough>>;

pub struct Evaluator<'r> {
    rules: &'r RuleSet,
    index: index::RuleIndex,
    as_of: NaiveDate,
    caps: caps::Caps,
    reports: reports::Reports,
    findings: Vec<Finding>,
    diags: Vec<EventDiagnostic>,
    /// Where each id was first seen, by id hash.
    ids: IdSet,
    duplicates: IdMap<Duplicate>,
    stats: Stats,
    scratch: Vec<usize>,
    texts_kept: usize,
    touched: Option<Vec<(usize, Box<str>)>>,
}

/// A record as the stateless stage leaves it: validated, owned, ready for
/// the evaluator. Decoding needs only the rule set, so it can run on
/// another thread than evaluation.
#[derive(Debug)]
pub enum Decoded {
    /// A remark about the input (a CSV column), counting no event.
    Note(Diagnostic),
    /// A record that cannot be read or is invalid, with why.
    Rejected(Vec<Diagnostic>),
    /// A valid event, with its remarks.
    Valid(Box<Event>, Vec<Diagnostic>),
}

/// Validate one record against the rule set; its diagnostics keep the
/// first [`KEPT_TEXT_BYTES`] of its text.
pub fn decode(rules: &RuleSet, item: Item) -> Decoded {
    match item {
        Item::Note(d) => Decoded::Note(*d),
        Item::Malformed(mut d) => {
            let text = d.text().map(clip);
            if let Some(site) = d.event.as_mut() {
                site.text = text;
            }
            Decoded::Rejected(vec![*d])
        }
        Item::Record(rec) => {
            let v = validate(&rec.raw, rec.loc, rules);
            let mut diags = v.diagnostics;
            if !rec.text.is_empty() {
                for d in &mut diags {
                    if let Some(site) = d.event.as_mut() {
                        site.text = Some(clip(rec.text));
                    }
                }
            }
            match v.event {
                Some(e) => Decoded::Valid(Box::new(e), diags),
                None => Decoded::Rejected(diags),
            }
        }
    }
}

/// The first [`KEPT_TEXT_BYTES`] of a record's text.
fn clip(text: &str) -> String {
    let mut end = text.len().min(KEPT_TEXT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// How much of a rejected record's text is kept for the report, and for how
/// many diagnostics: memory stays bounded however many records are bad.
pub const KEPT_TEXT_BYTES: usize = 1024;
pub const KEPT_TEXTS: usize = 10_000;

/// Event ids are kept as 64-bit hashes (SipHash with fixed keys) so that
/// memory stays small on large streams.
fn id_hash(id: &str) -> u64 {
    #[allow(deprecated)]
    let mut h = std::hash::SipHasher::new();
    id.hash(&mut h);
    h.finish()
}

impl<'r> Evaluator<'r> {
    /// `as_of`: the day reporting deadlines are judged on.
    pub fn new(rules: &'r RuleSet, as_of: NaiveDate) -> Self {
        Evaluator {
            rules,
            index: index::RuleIndex::new(rules),
            as_of,
            caps: caps::Caps::new(rules),
            reports: reports::Reports::default(),
            findings: Vec::new(),
            diags: Vec::new(),
            ids: IdSet::default(),
            duplicates: IdMap::default(),
            stats: Stats {
                rules: rules.rules.len(),
                ..Stats::default()
            },
            scratch: Vec::new(),
            texts_kept: 0,
            touched: None,
        }
    }

    /// The rule set this evaluator judges by.
    pub fn rules(&self) -> &'r RuleSet {
        self.rules
    }

    /// Record which rules' goods cover which events ([`Outcome::touched`]),
    /// for test coverage: a rule that covers an event and finds nothing
    /// for it had a near miss.
    pub fn track_touched(&mut self) {
        self.touched.get_or_insert_with(Vec::new);
    }

    /// Take one record from a reader: validate it and evaluate it, or
    /// account for its rejection.
    pub fn item(&mut self, item: Item) {
        self.accept(decode(self.rules, item));
    }

    /// Take one decoded record (see [`decode`], which may run on another
    /// thread): evaluate it, or account for its rejection. Records must
    /// come in input order for locations to be reported as read.
    pub fn accept(&mut self, decoded: Decoded) {
        match decoded {
            Decoded::Note(d) => self.diags.push(d),
            Decoded::Rejected(diags) => {
                self.stats.events_read += 1;
                self.stats.events_rejected += 1;
                self.push_with_text(diags);
            }
            Decoded::Valid(event, diags) => {
                self.stats.events_read += 1;
                self.push_with_text(diags);
                self.event(*event);
            }
        }
    }

    /// Keep a record's text for at most [`KEPT_TEXTS`] diagnostics, so a
    /// report can quote it without opening the input again (standard input,
    /// pipes); later ones are reported by location.
    fn push_with_text(&mut self, diags: Vec<Diagnostic>) {
        for mut d in diags {
            if let Some(site) = d.event.as_mut() {
                if site.text.is_some() {
                    if self.texts_kept < KEPT_TEXTS {
                        self.texts_kept += 1;
                    } else {
                        site.text = None;
                    }
                }
            }
            self.diags.push(d);
        }
    }

    /// Evaluate one valid event.
    pub fn event(&mut self, e: Event) {
        self.stats.events_evaluated += 1;
        let hash = id_hash(&e.id);
        if !self.ids.insert(hash) {
            // Every event with this id is rejected in `finish`. Only hashes
            // of ids are kept, so the diagnostic points at the earliest of
            // the repeats (not at the first event, whose place is not kept).
            let dup = self.duplicates.entry(hash).or_insert_with(|| Duplicate {
                id: e.id.as_str().into(),
                count: 1,
                loc: e.loc,
            });
            dup.count += 1;
            dup.loc = dup.loc.min(e.loc);
            return;
        }
        if e.kind == EventKind::Report {
            self.reports.report(&e);
            return;
        }
        if e.kind == EventKind::PortCall {
            self.port_call(&e);
            return;
        }
        if let (None, None, Some(name)) = (e.commodity, &e.hs, &e.commodity_name) {
            self.unknown_commodity(&e, name);
        }
        let mut candidates = std::mem::take(&mut self.scratch);
        self.index.candidates(self.rules, &e, &mut candidates);
        for &ri in &candidates {
            let rule = &self.rules.rules[ri];
            if !self.index.covers(self.rules, ri, &e) {
                continue;
            }
            if let Some(touched) = &mut self.touched {
                touched.push((ri, e.id.as_str().into()));
            }
            if !applies(rule, &e) {
                continue;
            }
            let matches = if rule.conditions.is_empty() {
                Vec::new()
            } else {
                match conditions::check(self.rules, rule, &e) {
                    Some(m) => m,
                    None => continue,
                }
            };
            match &rule.kind {
                RuleKind::Ban => self.ban(ri, &e, matches),
                RuleKind::CapPrice {
                    amount,
                    currency,
                    per_unit,
                } => self.price(ri, rule, &e, *amount, *currency, *per_unit),
                RuleKind::Cap { .. } => {
                    let mut diags = Vec::new();
                    self.caps.add(self.rules, ri, &e, &mut diags);
                    self.diags.extend(diags);
                    // UNSCR 2397 OP 5: a supply with a listed party is not
                    // permitted (a violation of its own), and still counts.
                    let listed = conditions::provided(self.rules, rule, &e);
                    if !listed.is_empty() {
                        let what = What::Designated {
                            shipment: describe_event(&e).into(),
                        };
                        let mut f = self.finding(ri, &e, what);
                        f.matches = listed;
                        self.findings.push(f);
                    }
                }
                RuleKind::RequireReport { within_days } => {
                    self.reports.shipment(ri, &e, *within_days);
                }
            }
        }
        self.scratch = candidates;
    }

    /// A port call: judged only by rules on port calls (`to` is the port's
    /// country).
    fn port_call(&mut self, e: &Event) {
        let rules = self.rules;
        for &ri in &self.index.port_calls {
            let rule = &rules.rules[ri];
            if let Some(touched) = &mut self.touched {
                touched.push((ri, e.id.as_str().into()));
            }
            if !rule.in_force(e.date)
                || !party_matches(rule.to.as_ref(), e.port.as_ref())
                || e.exemptions.iter().any(|x| rule.exemptions.contains(x))
            {
                continue;
            }
            let Some(matches) = conditions::check(rules, rule, e) else {
                continue;
            };
            let what = What::PortCall {
                vessel: e
                    .vessel
                    .as_ref()
                    .map(|v| v.describe())
                    .unwrap_or_default()
                    .into(),
                port: e
                    .port
                    .as_ref()
                    .map(|p| p.name.as_str())
                    .unwrap_or("")
                    .into(),
            };
            let mut f = self.finding(ri, e, what);
            f.matches = matches;
            self.findings.push(f);
        }
    }

    /// Goods named by a commodity the rules do not declare, with no `hs`:
    /// no rule on particular goods can tell whether it covers them. The
    /// event is not evaluable if such a rule would otherwise apply to it.
    fn unknown_commodity(&mut self, e: &Event, name: &str) {
        let names = self.rules.commodity_ids.keys().map(String::as_str);
        let help = match crate::suggest::closest(name, names) {
            Some(b) => format!("did you mean `{b}`? Otherwise add an `hs` code, or declare the commodity in the rules"),
            None => format!("add an `hs` code, or declare `{name}` in the rules (e.g. `commodity {name} = hs …`)"),
        };
        let blind = self
            .rules
            .rules
            .iter()
            .find(|r| !matches!(r.goods, Goods::Any | Goods::PortCalls) && applies(r, e));
        let d = match blind {
            Some(rule) => crate::events::not_evaluable(
                e,
                &rule.id,
                Code::EventUnknownCommodity,
                "commodity",
                format!(
                    "unknown commodity `{name}`: the rules do not declare it and the event has no `hs`, so rules on particular goods, such as `{}`, cannot tell whether they cover it",
                    rule.id
                ),
                help,
            ),
            None => crate::events::remark(
                e,
                Code::EventUnknownCommodity,
                Severity::Warning,
                "commodity",
                format!("unknown commodity `{name}`; no rule on particular goods concerns this shipment's parties and date"),
                Some(help),
            ),
        };
        self.diags.push(d);
    }

    fn finding(&self, ri: usize, e: &Event, what: What) -> Finding {
        let kind = violation_kind(&self.rules.rules[ri]);
        Finding::new(ri, kind, e.id.as_str().into(), e.date, what, e.loc)
    }

    fn ban(&mut self, ri: usize, e: &Event, matches: Vec<crate::lists::ListMatch>) {
        let what = What::Ban {
            shipment: describe_event(e).into(),
        };
        let mut f = self.finding(ri, e, what);
        f.matches = matches;
        self.findings.push(f);
    }

    #[allow(clippy::too_many_arguments)]
    fn price(
        &mut self,
        ri: usize,
        rule: &Rule,
        e: &Event,
        cap: Decimal,
        currency: Unit,
        per: Unit,
    ) {
        let commodity = conversion_commodity(self.rules, rule);
        let one = |d: Decimal| exact(d);
        let (price, how): (Exact, String) = match (e.price, e.value, e.quantity) {
            (Some(p), _, _) => {
                if p.currency.dimension != currency.dimension {
                    let msg = format!(
                        "the price is in {}, and the cap `{}` in {}; sanc does not convert currencies, so it cannot judge this cargo",
                        p.currency.symbol, rule.id, currency.symbol
                    );
                    let help = format!(
                        "give the price in {} (converted at the rate of the contract's date)",
                        currency.symbol
                    );
                    return self.not_evaluable(
                        e,
                        rule,
                        Code::EventOtherCurrency,
                        "price",
                        msg,
                        help,
                    );
                }
                // Price per event unit ÷ cap units in one event unit.
                match convert_with(self.rules, commodity, e, &one(Decimal::ONE), &p.per, &per)
                    .filter(|q| !num_traits::Zero::is_zero(q))
                {
                    Some(q) => (
                        one(p.amount) / q,
                        format!(
                            "{} {}/{}",
                            format_amount(p.amount),
                            p.currency.symbol,
                            p.per.symbol
                        ),
                    ),
                    None => return self.unconvertible(e, rule, "price", &p.per, &per),
                }
            }
            (None, Some((_, vunit)), _) if vunit.dimension != currency.dimension => {
                let msg = format!(
                    "the event has no `price`, and its value is in {}, the cap `{}` in {}; sanc does not convert currencies, so it cannot judge this cargo",
                    vunit.symbol, rule.id, currency.symbol
                );
                let help = format!("give the price, or the value in {}", currency.symbol);
                return self.not_evaluable(e, rule, Code::EventOtherCurrency, "value", msg, help);
            }
            (None, Some(_), Some((qty, _))) if qty.is_zero() => {
                let msg = format!(
                    "the event has no `price`, and its quantity is zero, so no price can be derived from its value for the cap `{}`",
                    rule.id
                );
                let help = "give the price, or the cargo's real quantity".to_string();
                return self.not_evaluable(e, rule, Code::EventZeroQuantity, "quantity", msg, help);
            }
            (None, Some((value, vunit)), Some((qty, qunit))) => {
                match convert_with(self.rules, commodity, e, &one(qty), &qunit, &per) {
                    Some(q) if !num_traits::Zero::is_zero(&q) => (
                        one(value) / q,
                        format!(
                            "derived from `value` {} {} for {} {}",
                            format_amount(value),
                            vunit.symbol,
                            format_amount(qty),
                            qunit.symbol
                        ),
                    ),
                    _ => return self.unconvertible(e, rule, "quantity", &qunit, &per),
                }
            }
            _ => {
                let msg = format!(
                    "the price cap `{}` applies, and the event has no `price` (nor a `value` and a `quantity` to derive it from)",
                    rule.id
                );
                let help = "add `price` (e.g. `\"72.50 USD/bbl\"`), or `value` and `quantity`, so the cap can be checked".to_string();
                return self.not_evaluable(e, rule, Code::EventMissingPrice, "price", msg, help);
            }
        };
        if price <= exact(cap) {
            return;
        }
        let unit = format!("{}/{}", currency.symbol, per.symbol);
        let what = What::Price {
            shipment: describe_event(e).into(),
            how: how.into(),
        };
        let mut f = self.finding(ri, e, what);
        f.total = Some(price);
        f.limit = Some(cap);
        f.unit = Some(unit.into());
        self.findings.push(f);
    }

    fn not_evaluable(
        &mut self,
        e: &Event,
        rule: &Rule,
        code: Code,
        field: &str,
        message: String,
        help: String,
    ) {
        self.diags.push(crate::events::not_evaluable(
            e, &rule.id, code, field, message, help,
        ));
    }

    fn unconvertible(&mut self, e: &Event, rule: &Rule, field: &str, from: &Unit, to: &Unit) {
        self.diags.push(unconvertible(e, rule, field, from, to));
    }

    /// Judge caps and reporting duties, settle duplicate ids, sort.
    pub fn finish(mut self) -> Outcome {
        // Duplicate ids: every event carrying one is rejected, whatever the order.
        let dups = &self.duplicates;
        if !dups.is_empty() {
            self.findings
                .retain(|f| !dups.contains_key(&id_hash(&f.event)));
            self.caps.forget(|id| dups.contains_key(&id_hash(id)));
            // Remarks about events that are now rejected would depend on
            // which of the twins came first.
            self.diags.retain(|d| {
                d.rejected()
                    || d.event_id()
                        .is_none_or(|id| !dups.contains_key(&id_hash(id)))
            });
            self.reports.forget(|id| dups.contains_key(&id_hash(id)));
            for s in dups.values() {
                self.stats.events_evaluated -= s.count as usize;
                self.stats.events_rejected += s.count as usize;
                self.diags.push(crate::diagnostic::Diagnostic::from(crate::diagnostic::EventProblem {
                    code: Code::EventDuplicateId,
                    severity: Severity::Error,
                    message: format!("the id `{}` is used by {} events", s.id, s.count),
                    help: Some("ids must be unique in the stream; every event with this id is rejected, since sanc cannot tell which one is meant".into()),
                    loc: s.loc,
                    field: Some("id".into()),
                    event_id: Some(s.id.to_string()),
                    effect: Effect::Rejected,
                    rule: None,
                    text: None,
                }));
            }
        }
        let mut findings = std::mem::take(&mut self.findings);
        let (cap_findings, mut windows) = self.caps.judge(self.rules);
        findings.extend(cap_findings);
        windows.sort_by(|a, b| (a.rule, &a.window, &a.unit).cmp(&(b.rule, &b.window, &b.unit)));
        let ids = &self.ids;
        let known = |id: &str| ids.contains(&id_hash(id));
        let (report_findings, report_diags) = self.reports.judge(self.rules, self.as_of, known);
        findings.extend(report_findings);
        self.diags.extend(report_diags);

        let rules = self.rules;
        findings.sort_by(|a, b| {
            (
                a.date,
                &rules.rules[a.rule].id,
                &a.event,
                a.kind,
                a.unit.as_deref(),
            )
                .cmp(&(
                    b.date,
                    &rules.rules[b.rule].id,
                    &b.event,
                    b.kind,
                    b.unit.as_deref(),
                ))
        });
        // By event id first (then location, for records whose id could not
        // be read), so the order does not depend on the order of the input.
        self.diags.sort_by(|a, b| {
            let key = |d: &EventDiagnostic| {
                (
                    d.event_id().is_none(),
                    d.event_id().map(str::to_string),
                    d.code,
                    d.field().map(str::to_string),
                    d.message.clone(),
                    d.loc().input,
                    d.loc().offset,
                )
            };
            key(a).cmp(&key(b))
        });
        self.diags.dedup();
        // An event some rule could not judge is not evaluated, however many
        // rules could not.
        let blind: std::collections::HashSet<(u32, u64)> = self
            .diags
            .iter()
            .filter(|d| d.effect() == Effect::NotEvaluable)
            .map(|d| (d.loc().input, d.loc().offset))
            .collect();
        self.stats.events_not_evaluable = blind.len();
        self.stats.events_evaluated -= blind.len();
        for f in &findings {
            match f.kind {
                FindingKind::Violation => self.stats.violations += 1,
                FindingKind::Warning => self.stats.warnings += 1,
            }
        }
        let mut touched = self.touched.take().unwrap_or_default();
        if !dups.is_empty() {
            touched.retain(|(_, id)| !dups.contains_key(&id_hash(id)));
        }
        Outcome {
            findings,
            diagnostics: self.diags,
            stats: self.stats,
            touched,
            windows,
        }
    }
}

/// A rule's violations are warnings when it says `severity warning`.
fn violation_kind(rule: &Rule) -> FindingKind {
    match rule.severity {
        Severity::Warning | Severity::Advice => FindingKind::Warning,
        Severity::Error => FindingKind::Violation,
    }
}

/// `None`: the rule does not ask; `any`: some party must be named.
fn party_matches(set: Option<&PartySet>, party: Option<&crate::events::EventParty>) -> bool {
    match set {
        None => true,
        Some(PartySet::Any) => party.is_some(),
        Some(set) => party.is_some_and(|p| p.keys.iter().any(|k| set.contains(k))),
    }
}

/// Does a rule whose goods cover the event apply to it: parties, dates,
/// exemptions and wind-down?
pub fn applies(rule: &Rule, e: &Event) -> bool {
    if !rule.in_force(e.date)
        || !party_matches(rule.from.as_ref(), e.from.as_ref())
        || !party_matches(rule.to.as_ref(), e.to.as_ref())
    {
        return false;
    }
    if rule.via.is_some()
        && !e
            .via
            .iter()
            .any(|v| party_matches(rule.via.as_ref(), Some(v)))
    {
        return false;
    }
    if e.exemptions.iter().any(|x| rule.exemptions.contains(x)) {
        return false;
    }
    if let (Some((lb, db)), Some(l), Some(d)) = (rule.wind_down, e.loaded, e.delivered) {
        if l < lb && d < db {
            return false;
        }
    }
    true
}

/// The rule's commodity, whose conversions apply when the event's own do
/// not link the units.
fn conversion_commodity(rules: &RuleSet, rule: &Rule) -> Option<usize> {
    match rule.goods {
        Goods::Commodity(c) => Some(c),
        _ => None,
    }
    .filter(|c| *c < rules.commodities.len())
}

/// Convert for an event: the conversions of its own commodity (named, or
/// the most specific one its HS code falls under) first, then the rule's.
fn convert_with(
    rules: &RuleSet,
    commodity: Option<usize>,
    e: &Event,
    amount: &Exact,
    from: &Unit,
    to: &Unit,
) -> Option<Exact> {
    rules
        .convert(e.commodity.or(e.hs_commodity), amount, from, to)
        .or_else(|| rules.convert(commodity, amount, from, to))
}

/// Rule `rule` cannot convert the event's `from` unit to its own `to`: the
/// event is not evaluable for it.
fn unconvertible(e: &Event, rule: &Rule, field: &str, from: &Unit, to: &Unit) -> Diagnostic {
    let what = e.commodity_name.as_deref().unwrap_or("these goods");
    crate::events::not_evaluable(
        e,
        &rule.id,
        Code::EventUnconvertible,
        field,
        format!(
            "cannot convert `{}` to `{}` for `{what}`, so rule `{}` cannot judge this event",
            from.symbol, to.symbol, rule.id
        ),
        format!(
            "declare a conversion in the rules, e.g. `convert {what} 1 {} = <how many> {}`",
            from.symbol, to.symbol
        ),
    )
}

/// `shipment ru-2023-01 of 44,655 bbl refined_petroleum from RUS to PRK`
fn describe_event(e: &Event) -> String {
    let mut s = String::from("the shipment");
    if let Some((q, u)) = e.quantity {
        s.push_str(&format!(" of {} {}", format_amount(q), u.symbol));
    }
    match (&e.commodity_name, &e.hs) {
        (Some(c), _) => s.push_str(&format!(" of {c}")),
        (None, Some(h)) => s.push_str(&format!(" of HS {h}")),
        _ => {}
    }
    if let Some(p) = &e.from {
        s.push_str(&format!(" from {}", p.name));
    }
    if let Some(p) = &e.to {
        s.push_str(&format!(" to {}", p.name));
    }
    if !e.via.is_empty() {
        let v: Vec<&str> = e.via.iter().map(|p| p.name.as_str()).collect();
        s.push_str(&format!(" via {}", v.join(", ")));
    }
    if let Some(t) = e.transfer {
        s.push_str(&format!(" by {} transfer", t.as_str()));
    }
    if let Some(v) = &e.vessel {
        s.push_str(&format!(" on {}", v.describe()));
    }
    if let Some(v) = &e.counterpart {
        s.push_str(&format!(" with {}", v.describe()));
    }
    s
}

/// Is this unit money (a value cap) rather than goods?
fn is_money(u: &Unit) -> bool {
    matches!(u.dimension, Dimension::Money(_))
}
