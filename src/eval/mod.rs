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
mod ids;
mod index;
pub mod pipeline;
mod reports;
pub mod windows;

pub use caps::{is_firm, Crossing, Scenario, Step, WindowSummary, WindowTotal};

pub use finding::{
    CapFacts, Facts, Finding, FindingKind, Given, GoodsMatch, PortCallFacts, PriceBasis,
    PriceFacts, ReportFacts, ReportStatus, Shipment, TextId, MAX_CONTRIBUTORS,
};

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::events::{
    read::{Item, Row},
    validate, Effect, Event, EventDiagnostic, EventKind, EventLoc, Evidence, RawEvent,
};
use crate::exact::{exact, Exact};
use crate::model::{Goods, PartySet, Rule, RuleKind, RuleSet};
use crate::units::{Dimension, Unit};
use chrono::NaiveDate;
use ids::IdSet;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

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
    /// Valid events left out of the run by a scenario (`--evidence`): not
    /// counted in `events_read`.
    #[serde(skip_serializing_if = "is_zero")]
    pub events_left_out: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Which quantity of an event with bounds (`quantity_low`,
/// `quantity_high`) a run counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Quantities {
    /// `quantity`, as given.
    #[default]
    Given,
    Low,
    High,
}

/// A scenario: which events count, at which quantity.
#[derive(Debug, Clone, Default)]
pub struct Scenarios {
    /// Count only events with one of these kinds of evidence (`None`: all).
    pub evidence: Option<Vec<Evidence>>,
    pub quantities: Quantities,
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
    /// Every fixed window of every cap, summarized, by rule, then group,
    /// then window start; for a rolling cap (`per 30 days`), its peak
    /// window per party: the N days with the highest total.
    pub summaries: Vec<WindowSummary>,
    /// The events' `source` texts that findings and summaries refer to
    /// ([`TextId`]), each kept once.
    pub texts: Vec<Box<str>>,
}

impl Outcome {
    /// The text of a [`TextId`].
    pub fn text(&self, id: Option<TextId>) -> Option<&str> {
        id.and_then(|i| self.texts.get(i as usize)).map(|t| &**t)
    }
}

/// The longest `source` kept, in bytes (longer ones are cut).
pub const MAX_SOURCE: usize = 500;

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

/// Evaluation in input order: what each event means for the state the
/// rules keep (ids seen, cap windows, reporting deadlines, the sources
/// findings name), on top of what a [`Judge`] found about the event alone.
pub struct Evaluator<'r> {
    rules: &'r RuleSet,
    /// Judges the events handed over undecided ([`Evaluator::item`]).
    judge: Judge<'r>,
    as_of: NaiveDate,
    caps: caps::Caps,
    reports: reports::Reports,
    findings: Vec<Finding>,
    diags: Vec<EventDiagnostic>,
    /// Where each id was first seen, by id hash.
    ids: IdSet,
    duplicates: IdMap<Duplicate>,
    stats: Stats,
    texts_kept: usize,
    touched: Option<Vec<(usize, Box<str>)>>,
    /// Sources, each kept once.
    texts: Vec<Box<str>>,
    text_ids: foldhash::HashMap<Box<str>, TextId>,
}

/// What the rule set says about one event on its own: bans, price caps,
/// which rules cover and apply to it. A judge keeps no state between
/// events, so judges on several threads give the same answers as one.
pub struct Judge<'r> {
    rules: &'r RuleSet,
    index: Arc<index::RuleIndex>,
    scratch: Vec<usize>,
    /// The candidate rules of each commodity and HS code met, which
    /// depend on nothing else: most events repeat a few of them.
    candidates: CandidateMemo,
    /// The rules that judged the current event (reused between events).
    applied_rules: Vec<usize>,
    track_touched: bool,
    scenarios: Scenarios,
    /// What judging the current event found (handed on in a [`Judged`]).
    findings: Vec<Finding>,
    diags: Vec<EventDiagnostic>,
}

/// [`index::RuleIndex::candidates`] remembered by commodity and HS code,
/// all it depends on. Bounded: forgotten all at once past
/// [`CandidateMemo::MAX`] keys (a stream of ever new HS codes).
#[derive(Default)]
struct CandidateMemo(foldhash::HashMap<EventGoods, Box<[usize]>>);

/// An event's commodity and HS code.
type EventGoods = (
    Option<crate::model::CommodityId>,
    Option<compact_str::CompactString>,
);

impl CandidateMemo {
    const MAX: usize = 4096;

    fn of(&mut self, index: &index::RuleIndex, rules: &RuleSet, e: &Event, out: &mut Vec<usize>) {
        let key = (e.commodity, e.hs.clone());
        if let Some(known) = self.0.get(&key) {
            out.clear();
            out.extend_from_slice(known);
            return;
        }
        index.candidates(rules, e, out);
        if self.0.len() >= Self::MAX {
            self.0.clear();
        }
        self.0.insert(key, out.as_slice().into());
    }
}

/// A valid event with what its [`Judge`] found; the [`Evaluator`] settles
/// the rest (duplicate ids, caps, reporting duties, sources) in input order.
#[derive(Debug)]
pub struct Judged {
    pub event: Box<Event>,
    /// The hash of the event's id (see [`id_hash`]).
    hash: u64,
    /// Left out of the run by the scenario (`--evidence`).
    left_out: bool,
    /// Remarks from validation, and what rules that could not judge the
    /// event said.
    diags: Vec<EventDiagnostic>,
    /// Found by bans and price caps; their source is set when settled.
    findings: Vec<Finding>,
    /// Rules whose goods cover the event (with `track_touched`).
    touched: Vec<usize>,
    /// Some rule applies to the event (its source is then kept).
    applied: bool,
    /// Caps and reporting duties that apply to the event, in rule order.
    stateful: Vec<usize>,
}

/// A record as the stateless stage leaves it: validated, judged, owned,
/// ready for the evaluator. It needs only the rule set, so it can run on
/// another thread than evaluation.
#[derive(Debug)]
pub enum Decoded {
    /// A remark about the input (a CSV column), counting no event.
    Note(Diagnostic),
    /// A record that cannot be read or is invalid, with why.
    Rejected(Vec<Diagnostic>),
    /// A valid event, judged.
    Valid(Judged),
}

/// A record validated, not yet judged. The event (about a kilobyte) is
/// boxed where validation makes it, and only the box moves on.
enum Undecided {
    Note(Diagnostic),
    Rejected(Vec<Diagnostic>),
    Valid(Box<Event>, Vec<Diagnostic>),
}

/// A record on its way through [`Judge::decode_all`]: the text of a JSON
/// object or the cells of a CSV row, still to decode, or a record the
/// reading thread decoded already. (Not an [`Item`], whose read record
/// is a kilobyte to move.)
pub enum Pending<'t> {
    Json { text: &'t str, loc: EventLoc },
    Row(Row<'t>),
    Decoded(Decoded),
}

/// A record between the passes of [`Judge::decode_all`].
enum Stage<'t> {
    /// Read into the fields at this index of the pass's list, not yet
    /// validated.
    Fields(usize, EventLoc, &'t str),
    Validated(Undecided),
    Decoded(Decoded),
}

/// How many records [`Judge::decode_all`] takes through each pass at a
/// time: their fields (under 700 bytes a record) stay in the nearest
/// caches.
const PASS: usize = 32;

fn malformed(mut d: EventDiagnostic) -> Undecided {
    let text = d.text().map(clip);
    if let Some(site) = d.event.as_mut() {
        site.text = text;
    }
    Undecided::Rejected(vec![d])
}

/// Validate one record against the rule set; its diagnostics keep the
/// first [`KEPT_TEXT_BYTES`] of its text.
fn decode(rules: &RuleSet, item: Item) -> Undecided {
    match item {
        Item::Json { text, loc } => {
            let mut raw = RawEvent::default();
            match crate::events::read::parse_json_into(text, loc, &mut raw) {
                Ok(()) => record(rules, &raw, loc, text),
                Err(d) => malformed(*d),
            }
        }
        Item::Row(row) => record(rules, &row.raw(), row.loc, row.text),
        Item::Note(d) => Undecided::Note(*d),
        Item::Malformed(d) => malformed(*d),
        Item::Record(rec) => record(rules, &rec.raw, rec.loc, rec.text),
    }
}

/// Validate one record's fields, read where they are (they are over a
/// kilobyte), with the record's place and text.
fn record(rules: &RuleSet, raw: &RawEvent, loc: EventLoc, text: &str) -> Undecided {
    let v = validate(raw, loc, rules);
    let mut diags = v.diagnostics;
    if !text.is_empty() {
        for d in &mut diags {
            if let Some(site) = d.event.as_mut() {
                site.text = Some(clip(text));
            }
        }
    }
    match v.event {
        Some(e) => Undecided::Valid(e, diags),
        None => Undecided::Rejected(diags),
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

/// Event ids are kept as 64-bit hashes (foldhash's quality hash with a
/// fixed seed) so that memory stays small on large streams.
fn id_hash(id: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::default().hash_one(id)
}

impl<'r> Evaluator<'r> {
    /// `as_of`: the day reporting deadlines are judged on.
    pub fn new(rules: &'r RuleSet, as_of: NaiveDate) -> Self {
        Evaluator {
            rules,
            judge: Judge {
                rules,
                index: Arc::new(index::RuleIndex::new(rules)),
                scratch: Vec::new(),
                candidates: CandidateMemo::default(),
                applied_rules: Vec::new(),
                track_touched: false,
                scenarios: Scenarios::default(),
                findings: Vec::new(),
                diags: Vec::new(),
            },
            as_of,
            caps: caps::Caps::new(rules),
            reports: reports::Reports::default(),
            findings: Vec::new(),
            diags: Vec::new(),
            ids: IdSet::new(),
            duplicates: IdMap::default(),
            stats: Stats {
                rules: rules.rules.len(),
                ..Stats::default()
            },
            texts_kept: 0,
            touched: None,
            texts: Vec::new(),
            text_ids: foldhash::HashMap::default(),
        }
    }

    /// Keep every counted event of every cap window in the summaries
    /// ([`WindowSummary::steps`]), for charts: memory grows with the
    /// events caps count.
    pub fn keep_steps(&mut self) {
        self.caps.keep_steps = true;
    }

    /// Count only some events, or their bounds (a scenario).
    pub fn set_scenarios(&mut self, scenarios: Scenarios) {
        self.judge.scenarios = scenarios;
    }

    /// The id of an event's source text, kept once.
    fn source_id(&mut self, e: &Event) -> Option<TextId> {
        let text = e.source.as_deref()?;
        let mut end = text.len().min(MAX_SOURCE);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let text = &text[..end];
        if let Some(id) = self.text_ids.get(text) {
            return Some(*id);
        }
        let id = TextId::try_from(self.texts.len()).ok()?;
        self.texts.push(text.into());
        self.text_ids.insert(text.into(), id);
        Some(id)
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
        self.judge.track_touched = true;
    }

    /// A judge for another thread: the same rule set, index and settings.
    pub fn judge(&self) -> Judge<'r> {
        Judge {
            rules: self.rules,
            index: Arc::clone(&self.judge.index),
            scratch: Vec::new(),
            candidates: CandidateMemo::default(),
            applied_rules: Vec::new(),
            track_touched: self.judge.track_touched,
            scenarios: self.judge.scenarios.clone(),
            findings: Vec::new(),
            diags: Vec::new(),
        }
    }

    /// The input being read holds about `records` more records (told from
    /// its length): the duplicate-id set makes room for them at once.
    pub fn expect_records(&mut self, records: usize) {
        self.ids.reserve(self.records().saturating_add(records));
    }

    /// Records taken so far: events read (rejected or not) and events a
    /// scenario left out; remarks about an input (a CSV column) are none.
    pub fn records(&self) -> usize {
        self.stats.events_read + self.stats.events_left_out
    }

    /// Take one record from a reader: validate, judge and evaluate it, or
    /// account for its rejection.
    pub fn item(&mut self, item: Item) {
        let decoded = self.judge.decode(item);
        self.accept(decoded);
    }

    /// Take one decoded record (see [`Judge::decode`], which may run on
    /// another thread): evaluate it, or account for its rejection. Records
    /// must come in input order for locations to be reported as read.
    pub fn accept(&mut self, mut decoded: Decoded) {
        self.accept_in_place(&mut decoded);
    }

    /// [`Evaluator::accept_in_place`] for a batch of records in input
    /// order; the same result, with the duplicate-id table's memory loaded
    /// for the whole batch at once.
    pub fn accept_batch(&mut self, batch: &mut [Decoded]) {
        let mut loaded = 0u64;
        for d in batch.iter() {
            if let Decoded::Valid(j) = d {
                loaded ^= self.ids.touch(j.hash);
            }
        }
        std::hint::black_box(loaded);
        for d in batch {
            self.accept_in_place(d);
        }
    }

    /// [`Evaluator::accept`], taking what it keeps out of `decoded` and
    /// leaving the rest (the event) to be dropped by the caller, e.g. on
    /// the thread that allocated it.
    pub fn accept_in_place(&mut self, decoded: &mut Decoded) {
        match decoded {
            Decoded::Note(_) => {
                let empty = Decoded::Rejected(Vec::new());
                if let Decoded::Note(d) = std::mem::replace(decoded, empty) {
                    self.diags.push(d);
                }
            }
            Decoded::Rejected(diags) => {
                self.stats.events_read += 1;
                self.stats.events_rejected += 1;
                self.push_with_text(std::mem::take(diags));
            }
            Decoded::Valid(judged) => {
                self.stats.events_read += 1;
                self.event(judged);
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

    /// Settle one judged event: duplicate ids, caps, reporting duties,
    /// sources.
    fn event(&mut self, judged: &mut Judged) {
        let Judged {
            event: e,
            hash,
            left_out,
            diags,
            findings,
            touched,
            applied,
            stateful,
        } = judged;
        let (e, hash, left_out, applied) = (&*e, *hash, *left_out, *applied);
        let diags = std::mem::take(diags);
        if left_out {
            self.stats.events_read -= 1;
            self.stats.events_left_out += 1;
            return;
        }
        self.push_with_text(diags);
        self.stats.events_evaluated += 1;
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
            self.reports.report(e);
            return;
        }
        if let Some(all) = &mut self.touched {
            all.extend(touched.drain(..).map(|ri| (ri, e.id.as_str().into())));
        }
        let source = if applied { self.source_id(e) } else { None };
        for f in findings.iter_mut() {
            f.source = source;
        }
        self.findings.append(findings);
        for &ri in stateful.iter() {
            match &self.rules.rules[ri].kind {
                RuleKind::Cap { .. } => {
                    let mut diags = Vec::new();
                    self.caps.add(self.rules, ri, e, source, &mut diags);
                    self.diags.extend(diags);
                }
                RuleKind::RequireReport { due } => {
                    self.reports.shipment(ri, e, *due, source);
                }
                RuleKind::Ban | RuleKind::CapPrice { .. } => {}
            }
        }
    }
}

impl<'r> Judge<'r> {
    /// Validate one record against the rule set and judge it; its
    /// diagnostics keep the first [`KEPT_TEXT_BYTES`] of its text.
    pub fn decode(&mut self, item: Item) -> Decoded {
        let undecided = decode(self.rules, item);
        self.settle(undecided)
    }

    /// [`Judge::decode`] for many records, in order, into `out`: a few
    /// records at a time are read into fields, then validated, then
    /// judged. Each pass's code stays in the instruction cache across the
    /// records, where taking one record through all three would evict it.
    pub fn decode_all<'t>(
        &mut self,
        pending: impl Iterator<Item = Pending<'t>>,
        out: &mut Vec<Decoded>,
    ) {
        let mut pending = pending.fuse();
        // The fields are read in place and not moved: they are large.
        let mut raws: Vec<RawEvent<'t>> = Vec::with_capacity(PASS);
        let mut stages: Vec<Stage<'t>> = Vec::with_capacity(PASS);
        loop {
            raws.clear();
            stages.extend(
                pending
                    .by_ref()
                    .take(PASS)
                    .map(|p| Self::fields(p, &mut raws)),
            );
            if stages.is_empty() {
                return;
            }
            for stage in &mut stages {
                if let Stage::Fields(i, loc, text) = *stage {
                    if let Some(raw) = raws.get(i) {
                        *stage = Stage::Validated(record(self.rules, raw, loc, text));
                    }
                }
            }
            out.extend(stages.drain(..).map(|stage| match stage {
                Stage::Validated(u) => self.settle(u),
                Stage::Decoded(d) => d,
                // Every stage was validated above.
                Stage::Fields(..) => Decoded::Rejected(Vec::new()),
            }));
        }
    }

    /// Read one record into fields at the end of `raws` (the first pass
    /// of [`Judge::decode_all`]).
    fn fields<'t>(pending: Pending<'t>, raws: &mut Vec<RawEvent<'t>>) -> Stage<'t> {
        let i = raws.len();
        match pending {
            Pending::Json { text, loc } => {
                // Made in place: a kilobyte not copied.
                raws.resize_with(i + 1, RawEvent::default);
                let parsed = match raws.last_mut() {
                    Some(raw) => crate::events::read::parse_json_into(text, loc, raw),
                    None => Ok(()),
                };
                match parsed {
                    Ok(()) => Stage::Fields(i, loc, text),
                    Err(d) => {
                        raws.pop();
                        Stage::Validated(malformed(*d))
                    }
                }
            }
            Pending::Row(row) => {
                raws.push(row.raw());
                Stage::Fields(i, row.loc, row.text)
            }
            Pending::Decoded(d) => Stage::Decoded(d),
        }
    }

    /// Judge a validated record (the last pass of [`Judge::decode_all`]).
    fn settle(&mut self, u: Undecided) -> Decoded {
        match u {
            Undecided::Note(d) => Decoded::Note(d),
            Undecided::Rejected(d) => Decoded::Rejected(d),
            Undecided::Valid(e, diags) => Decoded::Valid(self.judge(e, diags)),
        }
    }

    /// What the rules say about a valid event on its own.
    fn judge(&mut self, mut e: Box<Event>, diags: Vec<EventDiagnostic>) -> Judged {
        let hash = id_hash(&e.id);
        let left_out = self
            .scenarios
            .evidence
            .as_ref()
            .is_some_and(|keep| e.kind == EventKind::Shipment && !keep.contains(&e.evidence));
        let bound = match self.scenarios.quantities {
            Quantities::Given => None,
            Quantities::Low => e.quantity_low,
            Quantities::High => e.quantity_high,
        };
        if bound.is_some() {
            e.quantity = bound;
        }
        self.diags = diags;
        let mut touched = Vec::new();
        let mut stateful = Vec::new();
        let mut applied = false;
        if e.kind == EventKind::PortCall && !left_out {
            self.port_call(&e, &mut touched);
            applied = !self.findings.is_empty();
        }
        if e.kind == EventKind::Shipment && !left_out {
            if let (None, None, Some(name)) = (e.commodity, &e.hs, &e.commodity_name) {
                self.unknown_commodity(&e, name);
            }
            let mut candidates = std::mem::take(&mut self.scratch);
            self.candidates
                .of(&self.index, self.rules, &e, &mut candidates);
            // The rules that judged the event (their regimes judged it).
            let mut judged_by = std::mem::take(&mut self.applied_rules);
            judged_by.clear();
            for &ri in &candidates {
                let rule = &self.rules.rules[ri];
                if !self.index.covers(self.rules, ri, &e) {
                    continue;
                }
                if self.track_touched {
                    touched.push(ri);
                }
                if !applies(rule, &e) {
                    // Scoped to a party the shipment does not name: passing
                    // it for lack of that party would be a verdict without
                    // the facts.
                    if let Some(side) = missing_party(rule, &e) {
                        if rule.conditions.is_empty()
                            || conditions::check(self.rules, rule, &e).is_some()
                        {
                            self.partyless(&e, rule, side);
                        }
                    }
                    continue;
                }
                // Transfer modes, lists, flags, nationalities: the rule
                // applies only when they hold, and says which entries matched.
                let matches = if rule.conditions.is_empty() {
                    Vec::new()
                } else {
                    match conditions::check(self.rules, rule, &e) {
                        Some(m) => m,
                        None => continue,
                    }
                };
                applied = true;
                judged_by.push(ri);
                // A rule that leaves out old contracts cannot tell whether
                // it applies to a shipment with no contract date: what it
                // would find is not evaluable (a price cap the cargo meets
                // anyway still passes it).
                let undated = rule.contracted_before.is_some()
                    && e.contract_date.is_none()
                    && in_contract_window(rule, &e);
                let found = self.findings.len();
                match &rule.kind {
                    RuleKind::Ban => self.ban(ri, &e, None, matches),
                    RuleKind::CapPrice {
                        amount,
                        currency,
                        per_unit,
                    } => self.price(ri, rule, &e, None, *amount, *currency, *per_unit),
                    RuleKind::Cap { .. } | RuleKind::RequireReport { .. } if undated => {
                        self.undated_contract(&e, rule);
                    }
                    RuleKind::Cap { .. } => {
                        stateful.push(ri);
                        // UNSCR 2397 OP 5: a supply with a listed party is
                        // not permitted (a violation of its own), and still
                        // counts toward the cap.
                        let listed = conditions::provided(self.rules, rule, &e);
                        if !listed.is_empty() {
                            let mut sh = shipment(rule, &e);
                            sh.matches = listed;
                            let f = self.finding(ri, &e, None, Facts::Designated(Box::new(sh)));
                            self.findings.push(f);
                        }
                    }
                    RuleKind::RequireReport { .. } => stateful.push(ri),
                }
                if undated && self.findings.len() > found {
                    self.findings.truncate(found);
                    self.undated_contract(&e, rule);
                }
            }
            self.scratch = candidates;
            if let Some(code) = &e.hs {
                self.imprecise(&e, code, &judged_by);
            }
            self.applied_rules = judged_by;
        }
        Judged {
            event: e,
            hash,
            left_out,
            diags: std::mem::take(&mut self.diags),
            findings: std::mem::take(&mut self.findings),
            touched,
            applied,
            stateful,
        }
    }

    /// A port call: judged only by rules on port calls (`to` is the port's
    /// country).
    fn port_call(&mut self, e: &Event, touched: &mut Vec<usize>) {
        let rules = self.rules;
        let index = Arc::clone(&self.index);
        for &ri in &index.port_calls {
            let rule = &rules.rules[ri];
            if self.track_touched {
                touched.push(ri);
            }
            if !rule.in_force(e.date)
                || !party_matches(rule.to.as_ref(), e.port.as_deref())
                || e.exemptions.iter().any(|x| rule.exemptions.contains(x))
            {
                continue;
            }
            let Some(matches) = conditions::check(rules, rule, e) else {
                continue;
            };
            let facts = Facts::PortCall(Box::new(PortCallFacts {
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
                matches,
            }));
            let f = self.finding(ri, e, None, facts);
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

    fn finding(&self, ri: usize, e: &Event, source: Option<TextId>, facts: Facts) -> Finding {
        Finding {
            rule: ri,
            kind: violation_kind(&self.rules.rules[ri]),
            event: e.id.as_str().into(),
            date: e.date,
            evidence: e.evidence,
            source,
            loc: e.loc,
            facts,
        }
    }

    fn ban(
        &mut self,
        ri: usize,
        e: &Event,
        source: Option<TextId>,
        matches: Vec<crate::lists::ListMatch>,
    ) {
        let mut sh = shipment(&self.rules.rules[ri], e);
        sh.matches = matches;
        let facts = Facts::Ban(Box::new(sh));
        let f = self.finding(ri, e, source, facts);
        self.findings.push(f);
    }

    #[allow(clippy::too_many_arguments)]
    fn price(
        &mut self,
        ri: usize,
        rule: &Rule,
        e: &Event,
        source: Option<TextId>,
        cap: Decimal,
        currency: Unit,
        per: Unit,
    ) {
        let commodity = conversion_commodity(self.rules, rule);
        let one = |d: Decimal| exact(d);
        let (price, basis): (Exact, PriceBasis) = match (e.price, e.value, e.quantity) {
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
                match convert_with(self.rules, commodity, e, &one(Decimal::ONE), p.per, &per)
                    .filter(|q| !num_traits::Zero::is_zero(q))
                {
                    Some(q) => (
                        // Most prices are per the cap's own unit.
                        if num_traits::One::is_one(&q) {
                            one(p.amount)
                        } else {
                            one(p.amount) / q
                        },
                        PriceBasis::Given {
                            amount: p.amount,
                            currency: p.currency.symbol,
                            per: p.per.symbol,
                        },
                    ),
                    None => return self.unconvertible(e, rule, "price", p.per, &per),
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
                match convert_with(self.rules, commodity, e, &one(qty), qunit, &per) {
                    Some(q) if !num_traits::Zero::is_zero(&q) => (
                        one(value) / q,
                        PriceBasis::Derived {
                            value: Given {
                                amount: value,
                                unit: vunit.symbol,
                            },
                            quantity: Given {
                                amount: qty,
                                unit: qunit.symbol,
                            },
                        },
                    ),
                    _ => return self.unconvertible(e, rule, "quantity", qunit, &per),
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
        let facts = Facts::Price(Box::new(PriceFacts {
            shipment: shipment(rule, e),
            basis,
            price,
        }));
        let f = self.finding(ri, e, source, facts);
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

    /// A code less precise than the lines of a rule that would apply to the
    /// shipment: the rule cannot tell whether the cargo is what it bans or
    /// caps (a jet-fuel line under `271019`, a national line mapped to its
    /// HS-6 root). Caps are asked only when no rule of their regime judged
    /// the cargo; bans always.
    fn imprecise(&mut self, e: &Event, code: &str, judged_by: &[usize]) {
        if self.index.narrower(code).is_empty() {
            return;
        }
        let index = Arc::clone(&self.index);
        for &ri in index.narrower(code) {
            let Some(rule) = self.rules.rules.get(ri) else {
                continue;
            };
            // Another rule of the regime judged the cargo: a cap or price
            // cap on a narrower line adds nothing it would not have found
            // (the residual category is the strictest), but a ban on one
            // is a question of its own (jet fuel under 271019).
            let judged = judged_by.iter().any(|&j| {
                self.rules
                    .rules
                    .get(j)
                    .is_some_and(|r| r.regime == rule.regime)
            });
            if (judged && !matches!(rule.kind, RuleKind::Ban))
                || !applies(rule, e)
                || self.index.covers(self.rules, ri, e)
                || (!rule.conditions.is_empty() && conditions::check(self.rules, rule, e).is_none())
            {
                continue;
            }
            let lines: Vec<&str> = index.lines_under(ri, code).into_iter().take(4).collect();
            let given = match e.nomenclature {
                Some(n) => format!("the HS-6 root `{code}` of a `{n}` line"),
                None => format!("`{code}`"),
            };
            let regime = rule
                .regime
                .as_deref()
                .map(|r| format!(" of `{r}`"))
                .unwrap_or_default();
            let msg = format!(
                "the shipment's code {given} is less precise than the lines of `{}`{regime} ({}), so it cannot tell whether the rule applies",
                rule.id,
                lines.join(", ")
            );
            let help = "give the cargo's line in HS or the EU Combined Nomenclature (`hs` with `nomenclature` `cn`), or name its commodity".to_string();
            self.not_evaluable(e, rule, Code::EventImpreciseCode, "hs", msg, help);
        }
    }

    /// The rule leaves out contracts concluded before a date, and the
    /// event does not say when its contract was concluded.
    fn partyless(&mut self, e: &Event, rule: &Rule, side: &'static str) {
        let (what, who) = if side == "to" {
            (
                "destination",
                "the country (or declared party) the goods went to",
            )
        } else {
            (
                "origin",
                "the country (or declared party) the goods came from",
            )
        };
        let msg = format!(
            "`{}` applies only to shipments of a given {what}, and this shipment has no `{side}`, so it cannot tell whether the rule applies",
            rule.id
        );
        let help = format!("add `{side}`, {who}");
        self.not_evaluable(e, rule, Code::EventMissingParty, side, msg, help);
    }

    fn undated_contract(&mut self, e: &Event, rule: &Rule) {
        let before = rule
            .contracted_before
            .map(|d| d.to_string())
            .unwrap_or_default();
        let window = rule
            .contract_delivered_before
            .map(|d| format!(" delivered before {d}"))
            .unwrap_or_default();
        let msg = format!(
            "`{}` does not apply to cargo under contracts concluded before {before}{window}, and the event has no `contract_date`, so it cannot tell whether the rule applies",
            rule.id
        );
        let help = "add `contract_date`, the day the contract was concluded (e.g. \"2025-07-01\")"
            .to_string();
        self.not_evaluable(
            e,
            rule,
            Code::EventMissingContractDate,
            "contract_date",
            msg,
            help,
        );
    }
}

impl<'r> Evaluator<'r> {
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
        let (cap_findings, mut summaries) = self.caps.judge(self.rules);
        // An event that breaks a cap whatever its amount (its window is
        // over already) has been judged by that cap, though one of the
        // cap's limits could not count it: no "cannot judge" remark.
        let broke: std::collections::HashSet<(&str, &str)> = cap_findings
            .iter()
            .filter(|f| f.cap().is_some_and(|c| c.threshold.is_none()))
            .map(|f| (self.rules.rules[f.rule].id.as_str(), &*f.event))
            .collect();
        if !broke.is_empty() {
            self.diags.retain(|d| {
                !(matches!(
                    d.code,
                    Code::EventMissingValue
                        | Code::EventMissingQuantity
                        | Code::EventOtherCurrency
                        | Code::EventUnconvertible
                ) && d.effect() == Effect::NotEvaluable
                    && d.rule()
                        .zip(d.event_id())
                        .is_some_and(|k| broke.contains(&k)))
            });
        }
        findings.extend(cap_findings);
        summaries.sort_by(|a, b| {
            (a.rule, &a.group, a.start, a.limit_index).cmp(&(
                b.rule,
                &b.group,
                b.start,
                b.limit_index,
            ))
        });
        let mut windows: Vec<WindowTotal> = summaries
            .iter()
            .filter(|s| {
                !matches!(
                    cap_period(self.rules, s.rule),
                    crate::model::Period::Days(_)
                )
            })
            .map(|s| {
                let label = windows::label(cap_period(self.rules, s.rule), s.start, s.end);
                WindowTotal {
                    rule: s.rule,
                    window: match &s.group {
                        Some(g) => format!("{label} {g}").into(),
                        None => label.into(),
                    },
                    total: s.total.clone(),
                    limit: s.limit,
                    unit: s.unit.into(),
                }
            })
            .collect();
        windows.sort_by(|a, b| (a.rule, &a.window, &a.unit).cmp(&(b.rule, &b.window, &b.unit)));
        let ids = &self.ids;
        let known = |id: &str| ids.contains(id_hash(id));
        let (report_findings, report_diags) = self.reports.judge(self.rules, self.as_of, known);
        findings.extend(report_findings);
        self.diags.extend(report_diags);

        let rules = self.rules;
        let limit_of = |f: &Finding| f.cap().map(|c| c.limit_index);
        findings.sort_by(|a, b| {
            (
                a.date,
                &rules.rules[a.rule].id,
                &a.event,
                a.kind,
                limit_of(a),
            )
                .cmp(&(
                    b.date,
                    &rules.rules[b.rule].id,
                    &b.event,
                    b.kind,
                    limit_of(b),
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
            summaries,
            texts: self.texts,
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
/// Is the cargo delivered within the window `unless contracted before … and
/// delivered before D2` leaves old contracts (always, without `and
/// delivered`)? The delivery day is `delivered`, or the event's date.
fn in_contract_window(rule: &Rule, e: &Event) -> bool {
    rule.contract_delivered_before
        .is_none_or(|end| e.delivered.unwrap_or(e.date) < end)
}

pub fn applies(rule: &Rule, e: &Event) -> bool {
    applies_without(rule, e, None)
}

/// The party a rule is scoped to (`to` or `from`) that the shipment does
/// not give, when the rule would apply to it whichever that party were
/// allowed to be: the rule cannot tell whether it applies (an arms ban
/// `to PRK` and a shipment that names no destination).
pub fn missing_party(rule: &Rule, e: &Event) -> Option<&'static str> {
    let side = if rule.to.is_some() && e.to.is_none() {
        "to"
    } else if rule.from.is_some() && e.from.is_none() {
        "from"
    } else {
        return None;
    };
    applies_without(rule, e, Some(side)).then_some(side)
}

/// [`applies`], leaving out the scope on one side (`from` or `to`).
fn applies_without(rule: &Rule, e: &Event, side: Option<&str>) -> bool {
    if !rule.in_force(e.date)
        || (side != Some("from") && !party_matches(rule.from.as_ref(), e.from.as_ref()))
        || (side != Some("to") && !party_matches(rule.to.as_ref(), e.to.as_ref()))
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
    if rule.unless_transfer.is_some() && rule.unless_transfer == e.transfer {
        return false;
    }
    if let (Some(before), Some(c)) = (rule.contracted_before, e.contract_date) {
        if c < before && in_contract_window(rule, e) {
            return false;
        }
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

/// The shipment as the event describes it, and how the rule's goods matched.
fn shipment(rule: &Rule, e: &Event) -> Shipment {
    let name = |p: &Option<crate::events::EventParty>| p.as_ref().map(|p| p.name.as_str().into());
    Shipment {
        quantity: e.quantity.map(|(amount, u)| Given {
            amount,
            unit: u.symbol,
        }),
        commodity: e.commodity_name.as_deref().map(Into::into),
        hs: e.hs.as_deref().map(Into::into),
        from: name(&e.from),
        to: name(&e.to),
        via: e.via.iter().map(|p| p.name.as_str().into()).collect(),
        matches: Vec::new(),
        matched: match (&rule.goods, e.commodity) {
            (Goods::Any, _) => GoodsMatch::Any,
            (_, Some(_)) => GoodsMatch::Commodity,
            (_, None) => GoodsMatch::Hs,
        },
    }
}

/// The period of cap rule `ri` (a year for other rules, never asked).
fn cap_period(rules: &RuleSet, ri: usize) -> &crate::model::Period {
    match &rules.rules[ri].kind {
        RuleKind::Cap { period, .. } => period,
        _ => &crate::model::Period::Year,
    }
}

/// Is this unit money (a value cap) rather than goods?
fn is_money(u: &Unit) -> bool {
    matches!(u.dimension, Dimension::Money(_))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    /// The memo answers as the index does, for repeated and new goods, and
    /// after it has forgotten (more distinct HS codes than it keeps).
    #[test]
    fn remembered_candidates_are_the_index_candidates() {
        let rules = crate::loader::load_texts([(
            "r.sanc",
            "commodity refined_petroleum = hs 2710\n\
             commodity diesel = hs 271019 under refined_petroleum\n\
             commodity arms = hs 93\n\
             ban arms to PRK\n\
             ban diesel to IRN\n\
             ban hs 2710 from SYR\n\
             cap refined_petroleum to PRK 500000 bbl per year\n",
        )])
        .checked
        .rules;
        let index = index::RuleIndex::new(&rules);
        let mut memo = CandidateMemo::default();
        let goods = [
            r#""commodity": "diesel""#,
            r#""commodity": "diesel", "hs": "271019""#,
            r#""hs": "2710""#,
            r#""hs": "930100""#,
            r#""commodity": "arms", "hs": "271019""#,
            r#""commodity": "refined_petroleum""#,
            r#""commodity": "cotton""#,
        ];
        let (mut from_memo, mut from_index) = (Vec::new(), Vec::new());
        let mut found = 0;
        for i in 0..3 * CandidateMemo::MAX {
            let new_code = format!(r#""hs": "27{:06}""#, i);
            let g = if i % 3 == 0 {
                &new_code
            } else {
                goods[i % goods.len()]
            };
            let text = format!(r#"{{"id": "e{i}", "date": "2024-01-01", "to": "PRK", {g}}}"#);
            let raw = RawEvent::from_flat_json(&text).unwrap();
            let e = crate::events::validate(&raw, EventLoc::default(), &rules)
                .event
                .unwrap();
            memo.of(&index, &rules, &e, &mut from_memo);
            index.candidates(&rules, &e, &mut from_index);
            assert_eq!(from_memo, from_index, "{text}");
            assert!(memo.0.len() <= CandidateMemo::MAX);
            found += usize::from(!from_index.is_empty());
        }
        // Most goods are covered by some rule: the test compares lists.
        assert!(found > CandidateMemo::MAX, "{found}");
    }
}
