//! Model-based test: random rule sets and shuffled event streams, judged by
//! the real `sanc eval --format json` and by a deliberately naive reference
//! evaluator written here from `docs/language.md`, `docs/events.md` and
//! `docs/output.md` (not from `src/eval`).
//!
//! The reference has no indexes and no incremental state: for every event it
//! re-sums the whole window from scratch, with exact rationals. It is slow on
//! purpose, so that it is obviously right rather than fast.
//!
//! One case = one rule set + one event stream + one `sanc` process. The number
//! of cases is `SANC_REFERENCE_CASES` (default [`DEFAULT_CASES`]), the first
//! seed `SANC_REFERENCE_SEED`. A failing case is shrunk (events, rules, clauses
//! and fields removed while it still fails) and printed as a reproducer.
//! `SANC_REFERENCE_KEEP_GOING=1` collects every failing case instead of
//! stopping at the first, to survey disagreements.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use chrono::{Datelike, Days, Months, NaiveDate};
use num_bigint::BigInt;
use num_rational::BigRational;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

// ---------------------------------------------------------------------------
// Knobs for semantics that are about to change in `src/eval`.
// ---------------------------------------------------------------------------

/// A shipment without `quantity` is read and judged by bans, price caps (from
/// its price) and reporting duties; caps cannot count it (not evaluable).
const SHIPMENT_NEEDS_QUANTITY: bool = false;

/// Every event is evaluated, rejected or not evaluable, and the stats and
/// exit code (3: incomplete) say so.
const NOT_EVALUABLE_IN_STATS: bool = true;

/// Cases per run unless `SANC_REFERENCE_CASES` says otherwise: about 30 s in
/// a debug build on 2 cores.
const DEFAULT_CASES: u64 = 2000;

/// sanc prints an amount whose decimal expansion does not end rounded to
/// this many places (half away from zero); every other amount exactly.
const PRINTED_DECIMALS: u32 = 20;

type Q = BigRational;

// ---------------------------------------------------------------------------
// Exact decimals
// ---------------------------------------------------------------------------

fn q_int(n: i64) -> Q {
    Q::from_integer(BigInt::from(n))
}

fn pow10(n: u32) -> BigInt {
    BigInt::from(10u8).pow(n)
}

/// A plain decimal (`-12.50`) or one with an exponent (`1.5e1`), exactly.
fn parse_decimal(s: &str) -> Option<Q> {
    let (mantissa, exp) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => (s, 0),
    };
    let (neg, digits) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    let all: String = format!("{int}{frac}");
    if !all.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: BigInt = all.parse().ok()?;
    let n = if neg { -n } else { n };
    let scale = i32::try_from(frac.len()).ok()? - exp;
    Some(if scale >= 0 {
        Q::new(n, pow10(scale.unsigned_abs()))
    } else {
        Q::from_integer(n * pow10(scale.unsigned_abs()))
    })
}

fn dec(s: &str) -> Q {
    parse_decimal(s).unwrap_or_else(|| panic!("`{s}` is not a decimal"))
}

/// Whether a rational has a finite decimal expansion.
fn terminates(q: &Q) -> bool {
    let mut d = q.denom().clone();
    for p in [2u8, 5] {
        let p = BigInt::from(p);
        while (&d % &p) == BigInt::from(0u8) {
            d /= &p;
        }
    }
    d == BigInt::from(1u8)
}

/// The exact decimal text of a terminating rational (`None` otherwise).
fn decimal_text(q: &Q) -> Option<String> {
    if !terminates(q) {
        return None;
    }
    let neg = q < &q_int(0);
    let abs = if neg { -q.clone() } else { q.clone() };
    let mut places = 0u32;
    while !(&abs * Q::from_integer(pow10(places))).is_integer() {
        places += 1;
    }
    let digits = (&abs * Q::from_integer(pow10(places)))
        .to_integer()
        .to_string();
    let digits = format!("{digits:0>width$}", width = places as usize + 1);
    let (int, frac) = digits.split_at(digits.len() - places as usize);
    let sign = if neg { "-" } else { "" };
    Some(if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    })
}

/// THE comparison of an amount sanc printed with the reference's exact one:
/// terminating values must be equal; a non-terminating one (a conversion at
/// 7.33 bbl/t) must be the exact value rounded to [`PRINTED_DECIMALS`].
fn amount_matches(sanc: &str, reference: &Q) -> bool {
    let Some(got) = parse_decimal(sanc) else {
        return false;
    };
    if terminates(reference) {
        return &got == reference;
    }
    let scale = Q::from_integer(pow10(PRINTED_DECIMALS));
    let scaled = reference * &scale;
    let half = Q::new(BigInt::from(1), BigInt::from(2));
    let rounded = if scaled < q_int(0) {
        -((-scaled + half).floor())
    } else {
        (scaled + half).floor()
    };
    got == rounded / scale
}

// ---------------------------------------------------------------------------
// A small deterministic RNG (SplitMix64): seeds reproduce cases exactly.
// ---------------------------------------------------------------------------

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// Inclusive range.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
    /// True `percent` times in a hundred.
    fn pct(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            xs.swap(i, self.below(i + 1));
        }
    }
}

// ---------------------------------------------------------------------------
// Units (docs/language.md, "Built-in units")
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dim {
    Mass,
    Volume,
    Count,
    Money(&'static str),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Unit(&'static str);

impl Unit {
    fn dim(self) -> Dim {
        match self.0 {
            "t" | "kg" => Dim::Mass,
            "bbl" | "l" | "m3" => Dim::Volume,
            "units" => Dim::Count,
            currency => Dim::Money(currency),
        }
    }
    /// Size in the dimension's base unit (kg, l, piece, one unit of money).
    fn base(self) -> Q {
        match self.0 {
            "t" | "m3" => q_int(1000),
            "bbl" => dec("158.987294928"),
            _ => q_int(1),
        }
    }
}

const GOODS_UNITS: [Unit; 6] = [
    Unit("t"),
    Unit("kg"),
    Unit("bbl"),
    Unit("l"),
    Unit("m3"),
    Unit("units"),
];

/// An amount as written (`1_000.5`) and its exact value.
#[derive(Clone, Debug)]
struct Amount {
    text: String,
    value: Q,
}

impl Amount {
    fn exact(value: Q) -> Option<Amount> {
        Some(Amount {
            text: decimal_text(&value)?,
            value,
        })
    }
    fn of(text: &str) -> Amount {
        Amount {
            text: text.to_string(),
            value: dec(text),
        }
    }
}

/// A random amount between `lo` and `hi` with 0–2 decimals.
fn gen_amount(rng: &mut Rng, lo: i64, hi: i64) -> Amount {
    let int = rng.range(lo, hi);
    let text = match rng.below(4) {
        0 => format!("{int}.{}", rng.range(0, 9)),
        1 => format!("{int}.{:02}", rng.range(0, 99)),
        _ => int.to_string(),
    };
    Amount::of(&text)
}

/// Typical size of one shipment in a unit, so that mixed units still add up
/// to comparable totals (about 1 t ≈ 7 bbl ≈ 1 m3 ≈ 1000 kg or l).
fn magnitude(u: Unit) -> (i64, i64) {
    match u.0 {
        "t" | "m3" | "units" => (1, 40),
        "bbl" => (5, 300),
        "kg" | "l" => (500, 40_000),
        _ => (100, 9_000), // money
    }
}

// ---------------------------------------------------------------------------
// The world: declarations shared by every case (with random factors)
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
struct CommodityDecl {
    name: &'static str,
    hs: Option<&'static str>,
    parent: Option<&'static str>,
}

const COMMODITIES: [CommodityDecl; 7] = [
    CommodityDecl {
        name: "petro",
        hs: Some("2710"),
        parent: None,
    },
    CommodityDecl {
        name: "diesel",
        hs: Some("271019"),
        parent: Some("petro"),
    },
    CommodityDecl {
        name: "jet",
        hs: None,
        parent: Some("petro"),
    },
    CommodityDecl {
        name: "crude",
        hs: Some("2709"),
        parent: None,
    },
    CommodityDecl {
        name: "arms",
        hs: Some("93"),
        parent: None,
    },
    CommodityDecl {
        name: "rifles",
        hs: Some("9301"),
        parent: Some("arms"),
    },
    CommodityDecl {
        name: "luxury",
        hs: None,
        parent: None,
    },
];

/// A name an event may use that no `commodity` declares.
const UNDECLARED: &str = "mystery";

fn commodity(name: &str) -> Option<&'static CommodityDecl> {
    COMMODITIES.iter().find(|c| c.name == name)
}

/// The declared commodity with the longest HS code that `code` starts with
/// (the first declared, on a tie).
fn most_specific_by_hs(code: &str) -> Option<&'static str> {
    let mut best: Option<(usize, &'static str)> = None;
    for c in &COMMODITIES {
        if let Some(h) = c.hs {
            if code.starts_with(h) && best.is_none_or(|(n, _)| h.len() > n) {
                best = Some((h.len(), c.name));
            }
        }
    }
    best.map(|(_, n)| n)
}

/// The commodity and its ancestors, nearest first.
fn lineage(name: &str) -> Vec<&'static CommodityDecl> {
    let mut out = Vec::new();
    let mut next = commodity(name);
    while let Some(c) = next {
        out.push(c);
        next = c.parent.and_then(commodity);
    }
    out
}

const ALIASES: [(&str, &str); 2] = [("DPRK", "PRK"), ("Russia", "RUS")];
const ENTITIES: [(&str, Option<&str>); 2] = [("acme", Some("RUS")), ("shellco", None)];
const GROUPS: [(&str, &[&str]); 3] = [
    ("G1", &["Russia", "CHN"]),
    ("G2", &["G1", "acme", "IRN"]),
    ("GE", &["shellco"]),
];
const EXEMPTIONS: [&str; 2] = ["hum", "lic"];

/// Parties a rule may name (`any` included).
const RULE_PARTIES: [&str; 12] = [
    "PRK", "DPRK", "RUS", "Russia", "CHN", "IRN", "G1", "G2", "GE", "acme", "shellco", "any",
];
/// Parties an event may name.
const EVENT_PARTIES: [&str; 9] = [
    "PRK", "DPRK", "RUS", "Russia", "CHN", "IRN", "acme", "shellco", "SYR",
];

#[derive(Clone, Debug)]
struct Conversion {
    commodity: &'static str,
    from: (Amount, Unit),
    to: (Amount, Unit),
}

#[derive(Clone, Debug)]
struct World {
    regime: Option<&'static str>,
    conversions: Vec<Conversion>,
    /// Declarations are written in a random order: order must not matter.
    order_seed: u64,
}

fn conv(c: &'static str, a: &str, ua: &'static str, b: &str, ub: &'static str) -> Conversion {
    Conversion {
        commodity: c,
        from: (Amount::of(a), Unit(ua)),
        to: (Amount::of(b), Unit(ub)),
    }
}

fn gen_world(rng: &mut Rng) -> World {
    let mut conversions = vec![conv(
        "petro",
        "1",
        "t",
        rng.pick(&["7.33", "8", "6.5", "7"]),
        "bbl",
    )];
    // `jet` sometimes declares its own volume-mass factor (the nearest wins),
    // written the other way round (volume first).
    if rng.pct(50) {
        conversions.push(conv(
            "jet",
            "1",
            "m3",
            rng.pick(&["0.8", "0.75", "0.81"]),
            "t",
        ));
    }
    // Without this, crude in barrels cannot be counted against a cap in tonnes.
    if rng.pct(50) {
        conversions.push(conv("crude", "1", "t", rng.pick(&["7.33", "7.5"]), "bbl"));
    }
    if rng.pct(60) {
        conversions.push(conv(
            "arms",
            "1",
            "units",
            rng.pick(&["4", "3.5", "12"]),
            "kg",
        ));
    }
    if rng.pct(30) {
        conversions.push(conv("rifles", "2", "units", "7", "kg"));
    }
    World {
        regime: if rng.pct(50) { Some("reg") } else { None },
        conversions,
        order_seed: rng.next(),
    }
}

impl World {
    fn declarations(&self) -> String {
        let mut lines: Vec<String> = EXEMPTIONS
            .iter()
            .map(|x| format!("exemption {x} \"An exemption\""))
            .collect();
        for (a, code) in ALIASES {
            lines.push(format!("party {a} = {code}"));
        }
        for (e, country) in ENTITIES {
            lines.push(match country {
                Some(c) => format!("entity {e} \"An entity\" in {c}"),
                None => format!("entity {e}"),
            });
        }
        for (g, members) in GROUPS {
            lines.push(format!("group {g} = [{}]", members.join(", ")));
        }
        for c in &COMMODITIES {
            let mut l = format!("commodity {}", c.name);
            if let Some(h) = c.hs {
                write!(l, " = hs {h}").expect("write to a String");
            }
            if let Some(p) = c.parent {
                write!(l, " under {p}").expect("write to a String");
            }
            lines.push(l);
        }
        for k in &self.conversions {
            lines.push(format!(
                "convert {} {} {} = {} {}",
                k.commodity, k.from.0.text, k.from.1 .0, k.to.0.text, k.to.1 .0
            ));
        }
        Rng(self.order_seed).shuffle(&mut lines);
        if let Some(r) = self.regime {
            lines.insert(0, format!("regime {r}"));
        }
        lines.join("\n")
    }

    /// Convert for one commodity: built in within a dimension, else through
    /// the nearest `convert` on it or above it that links the two kinds.
    fn convert_for(&self, commodity: Option<&str>, q: &Q, from: Unit, to: Unit) -> Option<Q> {
        if from.dim() == to.dim() {
            return Some(q * from.base() / to.base());
        }
        for c in lineage(commodity?) {
            for k in self.conversions.iter().filter(|k| k.commodity == c.name) {
                let (a, b) = (&k.from, &k.to);
                let (a, b) = if a.1.dim() == from.dim() && b.1.dim() == to.dim() {
                    (a, b)
                } else if b.1.dim() == from.dim() && a.1.dim() == to.dim() {
                    (b, a)
                } else {
                    continue;
                };
                // q `from` → `a` units → × b/a → `b` units → `to`.
                let in_a = q * from.base() / a.1.base();
                let in_b = in_a * &b.0.value / &a.0.value;
                return Some(in_b * b.1.base() / to.base());
            }
        }
        None
    }

    /// An event's amount in a rule's unit: the event's commodity's
    /// conversions first, then the rule's commodity's.
    fn convert(&self, rule: &Rule, e: &Event, q: &Q, from: Unit, to: Unit) -> Option<Q> {
        // A shipment named by no declared commodity but by `hs` takes the
        // conversions of the most specific commodity its code falls under.
        let own = e
            .commodity
            .filter(|c| commodity(c).is_some())
            .or_else(|| e.hs.and_then(most_specific_by_hs));
        self.convert_for(own, q, from, to)
            .or_else(|| match &rule.goods {
                Goods::Commodity(c) => self.convert_for(Some(c), q, from, to),
                _ => None,
            })
    }
}

/// The keys a party in an event stands for: itself, and for an entity also
/// the country it is in. Aliases are their ISO code.
fn event_party_keys(name: &str) -> Vec<String> {
    if let Some((_, code)) = ALIASES.iter().find(|(a, _)| *a == name) {
        return vec![code.to_string()];
    }
    if let Some((e, country)) = ENTITIES.iter().find(|(e, _)| *e == name) {
        let mut keys = vec![format!("entity:{e}")];
        keys.extend(country.map(str::to_string));
        return keys;
    }
    vec![name.to_string()]
}

/// The keys a party in a rule stands for (groups expanded, at any depth).
fn rule_party_keys(name: &str, out: &mut Vec<String>) {
    if let Some((_, members)) = GROUPS.iter().find(|(g, _)| *g == name) {
        for m in *members {
            rule_party_keys(m, out);
        }
    } else if ENTITIES.iter().any(|(e, _)| *e == name) {
        out.push(format!("entity:{name}"));
    } else if let Some((_, code)) = ALIASES.iter().find(|(a, _)| *a == name) {
        out.push(code.to_string());
    } else {
        out.push(name.to_string());
    }
}

/// How findings name a party of a `by` cap: aliases as their ISO code.
fn party_display(name: &str) -> String {
    match ALIASES.iter().find(|(a, _)| *a == name) {
        Some((_, code)) => code.to_string(),
        None => name.to_string(),
    }
}

// ---------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Goods {
    Commodity(&'static str),
    Hs(Vec<&'static str>),
    Any,
}

#[derive(Clone, Debug)]
enum Period {
    Year,
    Quarter,
    Month,
    Day,
    Days(u32),
    Months(u32, NaiveDate),
}

#[derive(Clone, Copy, Debug)]
enum By {
    Origin,
    Destination,
}

#[derive(Clone, Debug)]
struct Limit {
    amount: Amount,
    unit: Unit,
}

#[derive(Clone, Debug)]
enum Kind {
    Ban,
    Cap {
        limits: Vec<Limit>,
        period: Period,
        by: Option<By>,
        /// Ascending percentages.
        warn_at: Vec<Amount>,
    },
    Price {
        amount: Amount,
        currency: Unit,
        per: Unit,
    },
    Report {
        days: u32,
    },
}

#[derive(Clone, Debug)]
struct Rule {
    label: String,
    goods: Goods,
    from: Option<&'static str>,
    to: Option<&'static str>,
    via: Option<&'static str>,
    kind: Kind,
    effective: Option<NaiveDate>,
    until: Option<NaiveDate>,
    exemptions: Vec<&'static str>,
    severity_warning: bool,
    wind_down: Option<(NaiveDate, NaiveDate)>,
    /// Scopes and clauses are written in a random order.
    order_seed: u64,
}

impl Rule {
    fn id(&self, world: &World) -> String {
        match world.regime {
            Some(r) => format!("{r}.{}", self.label),
            None => self.label.clone(),
        }
    }

    fn text(&self) -> String {
        let mut rng = Rng(self.order_seed);
        let goods = match &self.goods {
            Goods::Commodity(c) => c.to_string(),
            Goods::Hs(codes) => format!("hs {}", codes.join(", ")),
            Goods::Any => "any".into(),
        };
        let mut scopes: Vec<String> = [("from", self.from), ("to", self.to), ("via", self.via)]
            .iter()
            .filter_map(|(k, p)| p.map(|p| format!("{k} {p}")))
            .collect();
        rng.shuffle(&mut scopes);
        let scopes = scopes.join(" ");
        let head = match &self.kind {
            Kind::Ban => format!("ban {goods} {scopes}"),
            Kind::Cap {
                limits, period, by, ..
            } => {
                let limits: Vec<String> = limits
                    .iter()
                    .map(|l| format!("{} {}", group_digits(&l.amount.text, &mut rng), l.unit.0))
                    .collect();
                let period = match period {
                    Period::Year => "year".into(),
                    Period::Quarter => "quarter".into(),
                    Period::Month => "month".into(),
                    Period::Day => "day".into(),
                    Period::Days(n) => format!("{n} days"),
                    Period::Months(n, from) => format!("{n} months from {from}"),
                };
                let by = match by {
                    None => "",
                    Some(By::Origin) => " by origin",
                    Some(By::Destination) => " by destination",
                };
                format!(
                    "cap {goods} {scopes} {} per {period}{by}",
                    limits.join(" or ")
                )
            }
            Kind::Price {
                amount,
                currency,
                per,
            } => format!(
                "cap price {goods} {scopes} {} {} per {}",
                amount.text, currency.0, per.0
            ),
            Kind::Report { days } => {
                format!("require report of {goods} {scopes} within {days} days")
            }
        };
        let mut clauses: Vec<String> = vec![format!("cite \"Rule {}\"", self.label)];
        if let Some(d) = self.effective {
            clauses.push(format!("effective {d}"));
        }
        if let Some(d) = self.until {
            clauses.push(format!("until {d}"));
        }
        if let Kind::Cap { warn_at, .. } = &self.kind {
            if !warn_at.is_empty() {
                let p: Vec<String> = warn_at.iter().map(|p| format!("{}%", p.text)).collect();
                clauses.push(format!("warn at {}", p.join(", ")));
            }
        }
        for x in &self.exemptions {
            clauses.push(format!("except exemption {x}"));
        }
        if self.severity_warning {
            clauses.push("severity warning".into());
        }
        if let Some((l, d)) = self.wind_down {
            clauses.push(format!("unless loaded before {l} and delivered before {d}"));
        }
        rng.shuffle(&mut clauses);
        let mut s = format!("{}:\n{head}", self.label);
        for c in clauses {
            write!(s, "\n    {c}").expect("write to a String");
        }
        s
    }
}

/// `12000` may be written `12_000`: the same number.
fn group_digits(text: &str, rng: &mut Rng) -> String {
    if text.len() < 4 || text.contains('.') || !rng.pct(30) {
        return text.to_string();
    }
    let (head, tail) = text.split_at(text.len() - 3);
    format!("{head}_{tail}")
}

// ---------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------

/// Ways an event is broken; each must be rejected (docs/events.md, "Bad input").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Bad {
    MissingQuantity,
    ImpossibleDate,
    NegativeQuantity,
    UnknownUnit,
    UnknownParty,
    GroupAsParty,
    NotAnHsCode,
    UnknownType,
    NoGoods,
    NoParties,
    MoneyQuantity,
    WrongJsonType,
    ReportWithoutCovers,
    NotAnObject,
}

#[derive(Clone, Debug)]
struct Price {
    amount: Amount,
    currency: Unit,
    per: Unit,
}

#[derive(Clone, Debug)]
struct Event {
    id: String,
    report: bool,
    date: NaiveDate,
    commodity: Option<&'static str>,
    hs: Option<&'static str>,
    quantity: Option<(Amount, Unit)>,
    price: Option<Price>,
    value: Option<(Amount, Unit)>,
    from: Option<&'static str>,
    to: Option<&'static str>,
    via: Vec<&'static str>,
    exemptions: Vec<&'static str>,
    loaded: Option<NaiveDate>,
    delivered: Option<NaiveDate>,
    covers: Vec<String>,
    bad: Option<Bad>,
    /// How fields are spelled (strings or objects, a date with a time…).
    style: u64,
}

impl Event {
    fn json(&self) -> Value {
        if self.bad == Some(Bad::NotAnObject) {
            return json!(["not", "an", "event", self.id]);
        }
        let mut rng = Rng(self.style);
        let mut m = Map::new();
        m.insert("id".into(), json!(self.id));
        let date = if rng.pct(10) {
            format!("{}T08:00:00Z", self.date)
        } else {
            self.date.to_string()
        };
        m.insert("date".into(), json!(date));
        if self.report {
            m.insert("type".into(), json!("report"));
            m.insert("reporter".into(), json!("RUS"));
            m.insert("covers".into(), json!(self.covers));
        } else if rng.pct(20) {
            m.insert("type".into(), json!("shipment"));
        }
        if let Some(c) = self.commodity {
            m.insert("commodity".into(), json!(c));
        }
        if let Some(h) = self.hs {
            m.insert("hs".into(), json!(h));
        }
        if let Some((a, u)) = &self.quantity {
            let v = if rng.pct(25) {
                json!({"amount": a.text, "unit": u.0})
            } else {
                json!(format!("{} {}", a.text, u.0))
            };
            m.insert("quantity".into(), v);
        }
        if let Some(p) = &self.price {
            let v = match rng.below(3) {
                0 => json!({"amount": p.amount.text, "currency": p.currency.0, "unit": p.per.0}),
                1 => json!(format!(
                    "{} {} per {}",
                    p.amount.text, p.currency.0, p.per.0
                )),
                _ => json!(format!("{} {}/{}", p.amount.text, p.currency.0, p.per.0)),
            };
            m.insert("price".into(), v);
        }
        if let Some((a, u)) = &self.value {
            let v = if rng.pct(25) {
                json!({"amount": a.text, "currency": u.0})
            } else {
                json!(format!("{} {}", a.text, u.0))
            };
            m.insert("value".into(), v);
        }
        if let Some(p) = self.from {
            m.insert("from".into(), json!(p));
        }
        if let Some(p) = self.to {
            m.insert("to".into(), json!(p));
        }
        if !self.via.is_empty() {
            m.insert("via".into(), json!(self.via));
        }
        if !self.exemptions.is_empty() {
            m.insert("exemptions".into(), json!(self.exemptions));
        }
        if let Some(d) = self.loaded {
            m.insert("loaded".into(), json!(d.to_string()));
        }
        if let Some(d) = self.delivered {
            m.insert("delivered".into(), json!(d.to_string()));
        }
        if rng.pct(10) {
            m.insert("source".into(), json!("an unknown field, ignored"));
        }
        match self.bad {
            None | Some(Bad::NotAnObject) => {}
            Some(Bad::MissingQuantity) => {
                m.remove("quantity");
            }
            Some(Bad::ImpossibleDate) => {
                m.insert("date".into(), json!("2024-02-30"));
            }
            Some(Bad::NegativeQuantity) => {
                m.insert("quantity".into(), json!("-5 t"));
            }
            Some(Bad::UnknownUnit) => {
                m.insert("quantity".into(), json!("5 barrels"));
            }
            Some(Bad::UnknownParty) => {
                m.insert("from".into(), json!("Narnia"));
            }
            Some(Bad::GroupAsParty) => {
                m.insert("to".into(), json!("G1"));
            }
            Some(Bad::NotAnHsCode) => {
                m.insert("hs".into(), json!("27a1"));
            }
            Some(Bad::UnknownType) => {
                m.insert("type".into(), json!("invoice"));
            }
            Some(Bad::NoGoods) => {
                m.remove("commodity");
                m.remove("hs");
            }
            Some(Bad::NoParties) => {
                m.remove("from");
                m.remove("to");
            }
            Some(Bad::MoneyQuantity) => {
                m.insert("quantity".into(), json!("5 USD"));
            }
            Some(Bad::WrongJsonType) => {
                m.insert("commodity".into(), json!({"name": "petro"}));
            }
            Some(Bad::ReportWithoutCovers) => {
                m.remove("covers");
            }
        }
        Value::Object(m)
    }

    fn declared_commodity(&self) -> Option<&'static CommodityDecl> {
        self.commodity.and_then(commodity)
    }
}

// ---------------------------------------------------------------------------
// A case
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Ndjson,
    JsonArray,
}

#[derive(Clone, Debug)]
struct Case {
    seed: u64,
    world: World,
    rules: Vec<Rule>,
    /// In input order (already shuffled).
    events: Vec<Event>,
    as_of: NaiveDate,
    format: Format,
}

impl Case {
    fn rules_text(&self) -> String {
        let mut s = self.world.declarations();
        for r in &self.rules {
            s.push_str("\n\n");
            s.push_str(&r.text());
        }
        s.push('\n');
        s
    }

    fn events_text(&self) -> String {
        let records: Vec<Value> = self.events.iter().map(Event::json).collect();
        match self.format {
            Format::Ndjson => {
                let mut s = String::new();
                for r in &records {
                    s.push_str(&r.to_string());
                    s.push('\n');
                }
                s
            }
            Format::JsonArray => serde_json::to_string_pretty(&records).expect("JSON of events"),
        }
    }

    fn events_file(&self) -> &'static str {
        match self.format {
            Format::Ndjson => "events.ndjson",
            Format::JsonArray => "events.json",
        }
    }
}

// ---------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("`{s}`: {e}"))
}

fn shift(d: NaiveDate, days: i64) -> NaiveDate {
    if days >= 0 {
        d.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        d.checked_sub_days(Days::new(days.unsigned_abs()))
    }
    .expect("a date in range")
}

/// Dates that sit on window edges: year, quarter and month ends, a leap day.
const EDGE_DATES: [&str; 8] = [
    "2023-12-31",
    "2024-01-01",
    "2024-02-29",
    "2024-03-01",
    "2024-03-31",
    "2024-04-01",
    "2023-11-30",
    "2024-01-31",
];

fn gen_case(seed: u64) -> Case {
    let mut rng = Rng(seed);
    let world = gen_world(&mut rng);

    // A few "hot" dates per case, so that events share days and sit next to
    // each other and to rule edges.
    let start = date("2023-11-01");
    let mut hot: Vec<NaiveDate> = (0..rng.range(2, 5))
        .map(|_| {
            if rng.pct(50) {
                date(rng.pick(&EDGE_DATES))
            } else {
                shift(start, rng.range(0, 180))
            }
        })
        .collect();
    hot.sort();
    let mut pick_date = |rng: &mut Rng| -> NaiveDate {
        if rng.pct(25) {
            shift(start, rng.range(0, 180))
        } else {
            shift(rng.pick(&hot), rng.pick(&[0, 0, 0, -1, 1, 2, 5, 20]))
        }
    };

    let n_events = rng.range(1, 25) as usize;
    let mut ids: Vec<u32> = (1..=99).collect();
    rng.shuffle(&mut ids);
    let mut events: Vec<Event> = Vec::new();
    for &n in ids.iter().take(n_events) {
        let d = pick_date(&mut rng);
        let mut e = gen_shipment(&mut rng, format!("e{n}"), d, &mut pick_date);
        // Bans, price caps and reports judge a shipment without a quantity;
        // caps cannot count it.
        if !SHIPMENT_NEEDS_QUANTITY && rng.pct(4) {
            e.quantity = None;
        }
        events.push(e);
    }
    // Reports, covering some of the shipments (and sometimes an unknown id).
    let shipment_ids: Vec<(String, NaiveDate)> =
        events.iter().map(|e| (e.id.clone(), e.date)).collect();
    for k in 0..rng.range(0, 3) {
        if shipment_ids.is_empty() {
            break;
        }
        let (sid, sdate) = &shipment_ids[rng.below(shipment_ids.len())];
        let mut covers = vec![sid.clone()];
        for _ in 0..rng.range(0, 2) {
            covers.push(shipment_ids[rng.below(shipment_ids.len())].0.clone());
        }
        if rng.pct(10) {
            covers.push("ghost".into());
        }
        covers.dedup();
        let mut r = blank_event(
            format!("r{k}"),
            shift(*sdate, rng.range(-2, 40)),
            rng.next(),
        );
        r.report = true;
        r.covers = covers;
        events.push(r);
    }
    // Bad events: each must be rejected and counted, and change nothing else.
    for k in 0..rng.range(0, 3) {
        if !rng.pct(40) {
            continue;
        }
        let d = pick_date(&mut rng);
        let mut e = gen_shipment(&mut rng, format!("bad{k}"), d, &mut pick_date);
        let bad = rng.pick(&[
            Bad::MissingQuantity,
            Bad::ImpossibleDate,
            Bad::NegativeQuantity,
            Bad::UnknownUnit,
            Bad::UnknownParty,
            Bad::GroupAsParty,
            Bad::NotAnHsCode,
            Bad::UnknownType,
            Bad::NoGoods,
            Bad::NoParties,
            Bad::MoneyQuantity,
            Bad::WrongJsonType,
            Bad::ReportWithoutCovers,
            Bad::NotAnObject,
        ]);
        if bad == Bad::ReportWithoutCovers {
            e.report = true;
        }
        e.bad = Some(bad);
        if bad == Bad::MissingQuantity && !SHIPMENT_NEEDS_QUANTITY {
            // No longer a mistake: a shipment without a quantity is valid.
            e.quantity = None;
            e.bad = None;
        }
        events.push(e);
    }
    // Two valid events with one id: both are rejected.
    if rng.pct(5) && !events.is_empty() {
        let twin_of = events[rng.below(events.len())].clone();
        if twin_of.bad.is_none() && !twin_of.report {
            let d = pick_date(&mut rng);
            let mut twin = gen_shipment(&mut rng, twin_of.id.clone(), d, &mut pick_date);
            twin.style = rng.next();
            events.push(twin);
        }
    }

    let n_rules = rng.range(1, 4) as usize;
    let rules: Vec<Rule> = (0..n_rules)
        .map(|i| gen_rule(&mut rng, &world, format!("r{i}"), &events, &mut pick_date))
        .collect();

    rng.shuffle(&mut events);
    let as_of = if rng.pct(30) {
        date("2030-01-01")
    } else {
        pick_date(&mut rng)
    };
    let mut case = Case {
        seed,
        world,
        rules,
        events,
        as_of,
        format: Format::Ndjson,
    };
    if rng.pct(25) {
        case.format = Format::JsonArray;
    }
    case
}

fn blank_event(id: String, date: NaiveDate, style: u64) -> Event {
    Event {
        id,
        report: false,
        date,
        commodity: None,
        hs: None,
        quantity: None,
        price: None,
        value: None,
        from: None,
        to: None,
        via: Vec::new(),
        exemptions: Vec::new(),
        loaded: None,
        delivered: None,
        covers: Vec::new(),
        bad: None,
        style,
    }
}

fn gen_shipment(
    rng: &mut Rng,
    id: String,
    date: NaiveDate,
    pick_date: &mut impl FnMut(&mut Rng) -> NaiveDate,
) -> Event {
    let mut e = blank_event(id, date, rng.next());
    // Goods: a declared commodity, an HS code, or both (mostly consistent).
    let c = rng.pick(&COMMODITIES).name;
    // Sometimes a name no `commodity` declares: with `hs` it is judged by its
    // code; without, only by `any` rules (and it is not evaluable).
    let name = if rng.pct(4) { UNDECLARED } else { c };
    let hs_for = |c: &str| -> &'static [&'static str] {
        match c {
            "petro" => &["2710", "271012"],
            "diesel" => &["271019", "27101943"],
            "crude" => &["2709"],
            "arms" => &["93", "9302"],
            "rifles" => &["9301", "930190"],
            _ => &[],
        }
    };
    match rng.below(10) {
        0..=3 => e.commodity = Some(name),
        4..=6 => {
            e.commodity = Some(name);
            let own = hs_for(name);
            e.hs = Some(if own.is_empty() || rng.pct(15) {
                rng.pick(&["2710", "271019", "2709", "93", "9301", "8703"])
            } else {
                rng.pick(own)
            });
        }
        _ => {
            e.hs = Some(rng.pick(&[
                "2710", "271019", "27101943", "2709", "27", "93", "9301", "930190", "8703",
            ]));
        }
    }
    // Quantity, in a unit that usually suits the goods (and sometimes not).
    let unit = if rng.pct(80) {
        match name {
            "petro" | "diesel" | "jet" | "crude" => {
                rng.pick(&[Unit("t"), Unit("bbl"), Unit("kg"), Unit("l"), Unit("m3")])
            }
            "arms" | "rifles" => rng.pick(&[Unit("units"), Unit("kg"), Unit("t")]),
            _ => Unit("units"),
        }
    } else {
        rng.pick(&GOODS_UNITS)
    };
    let (lo, hi) = magnitude(unit);
    let amount = match rng.below(30) {
        0 => Amount::of("0"),
        1 => Amount::of("1.5e1"),
        _ => gen_amount(rng, lo, hi),
    };
    e.quantity = Some((amount, unit));
    if rng.pct(45) {
        let per = rng.pick(&[
            Unit("bbl"),
            Unit("bbl"),
            Unit("t"),
            Unit("kg"),
            Unit("units"),
        ]);
        let amount = match per.0 {
            "bbl" => rng.pick(&["60", "60.01", "59.99", "47.60", "75", "100"]),
            "t" => rng.pick(&["439.80", "440", "350", "800"]),
            "kg" => rng.pick(&["0.4398", "0.5"]),
            _ => rng.pick(&["10", "1000"]),
        };
        e.price = Some(Price {
            amount: Amount::of(amount),
            currency: if rng.pct(90) {
                Unit("USD")
            } else {
                Unit("EUR")
            },
            per,
        });
    }
    if rng.pct(70) {
        let currency = if rng.pct(85) {
            Unit("USD")
        } else {
            Unit("EUR")
        };
        let (lo, hi) = magnitude(currency);
        e.value = Some((gen_amount(rng, lo, hi), currency));
    }
    // Parties: at least one of `from` and `to`.
    e.from = rng.pct(85).then(|| rng.pick(&EVENT_PARTIES));
    e.to = rng.pct(85).then(|| rng.pick(&EVENT_PARTIES));
    if e.from.is_none() && e.to.is_none() {
        e.to = Some(rng.pick(&EVENT_PARTIES));
    }
    for _ in 0..rng.pick(&[0, 0, 0, 1, 1, 2]) {
        e.via.push(rng.pick(&EVENT_PARTIES));
    }
    if rng.pct(15) {
        e.exemptions = rng
            .pick(&[&["hum"][..], &["lic"], &["hum", "lic"], &["nonesuch"]])
            .to_vec();
    }
    if rng.pct(25) {
        e.loaded = Some(pick_date(rng));
    }
    if rng.pct(25) {
        e.delivered = Some(pick_date(rng));
    }
    e
}

fn gen_rule(
    rng: &mut Rng,
    world: &World,
    label: String,
    events: &[Event],
    pick_date: &mut impl FnMut(&mut Rng) -> NaiveDate,
) -> Rule {
    let goods = match rng.below(10) {
        0..=5 => Goods::Commodity(rng.pick(&COMMODITIES).name),
        6..=7 => {
            let mut codes = vec![rng.pick(&["27", "2710", "271019", "2709", "93", "9301"])];
            if rng.pct(30) {
                codes.push(rng.pick(&["2709", "93", "8703"]));
            }
            codes.dedup();
            Goods::Hs(codes)
        }
        _ => Goods::Any,
    };
    let party = |rng: &mut Rng, p: u64| rng.pct(p).then(|| rng.pick(&RULE_PARTIES));
    let mut rule = Rule {
        label,
        goods,
        from: party(rng, 30),
        to: party(rng, 35),
        via: party(rng, 12),
        kind: Kind::Ban,
        effective: None,
        until: None,
        exemptions: Vec::new(),
        severity_warning: rng.pct(15),
        wind_down: None,
        order_seed: rng.next(),
    };
    // Effective and until fall on, or next to, event dates: the edges.
    let edge = |rng: &mut Rng, pick_date: &mut dyn FnMut(&mut Rng) -> NaiveDate| {
        let base = if !events.is_empty() && rng.pct(70) {
            events[rng.below(events.len())].date
        } else {
            pick_date(rng)
        };
        shift(base, rng.pick(&[-1, 0, 1]))
    };
    if rng.pct(35) {
        rule.effective = Some(edge(rng, pick_date));
    }
    if rng.pct(30) {
        let u = edge(rng, pick_date);
        rule.until = Some(match rule.effective {
            Some(e) if u < e => e,
            _ => u,
        });
    }
    if rng.pct(20) {
        rule.exemptions = rng
            .pick(&[&["hum"][..], &["lic"], &["hum", "lic"]])
            .to_vec();
    }
    if rng.pct(15) {
        let d1 = pick_date(rng);
        rule.wind_down = Some((d1, shift(d1, rng.range(0, 20))));
    }
    rule.kind = match rng.below(20) {
        0..=2 => Kind::Ban,
        3..=12 => gen_cap(rng, world, &rule, events, pick_date),
        13..=15 => {
            let per = rng.pick(&[Unit("bbl"), Unit("bbl"), Unit("t"), Unit("kg"), Unit("l")]);
            let amount = match per.0 {
                "bbl" => rng.pick(&["60", "47.60", "75"]),
                "t" => rng.pick(&["439.80", "440", "500"]),
                "kg" => rng.pick(&["0.4398", "0.44"]),
                _ => rng.pick(&["0.5", "0.4"]),
            };
            Kind::Price {
                amount: Amount::of(amount),
                currency: if rng.pct(85) {
                    Unit("USD")
                } else {
                    Unit("EUR")
                },
                per,
            }
        }
        _ => Kind::Report {
            days: rng.pick(&[1, 7, 30, 90]),
        },
    };
    rule
}

fn gen_cap(
    rng: &mut Rng,
    world: &World,
    rule: &Rule,
    events: &[Event],
    pick_date: &mut impl FnMut(&mut Rng) -> NaiveDate,
) -> Kind {
    let money = [Unit("USD"), Unit("USD"), Unit("EUR")];
    let mut units = match rng.below(10) {
        0..=5 => vec![rng.pick(&GOODS_UNITS)],
        6..=7 => vec![rng.pick(&money)],
        _ => vec![rng.pick(&money), rng.pick(&GOODS_UNITS)],
    };
    if units.len() == 2 && rng.pct(50) {
        units.swap(0, 1);
    }
    let period = match rng.below(12) {
        0..=1 => Period::Year,
        2..=3 => Period::Quarter,
        4..=5 => Period::Month,
        6 => Period::Day,
        7..=9 => Period::Days(rng.pick(&[1, 2, 7, 30, 45, 90])),
        _ => Period::Months(
            rng.pick(&[1, 2, 3, 12]),
            if rng.pct(50) {
                date(rng.pick(&["2023-10-31", "2023-11-30", "2023-12-22", "2024-01-31"]))
            } else {
                pick_date(rng)
            },
        ),
    };
    let by = match rng.below(10) {
        0..=1 => Some(By::Origin),
        2 => Some(By::Destination),
        _ => None,
    };
    let mut limits: Vec<Limit> = units
        .iter()
        .map(|&unit| {
            let (lo, hi) = magnitude(unit);
            Limit {
                amount: gen_amount(rng, lo * 2, hi * 4),
                unit,
            }
        })
        .collect();
    // Often make a limit exactly the sum of the first few matching events in
    // its unit: totals that land on the limit must not be violations.
    if rng.pct(40) {
        let k = rng.below(limits.len());
        let unit = limits[k].unit;
        let mut matching: Vec<&Event> = events
            .iter()
            .filter(|e| e.bad.is_none() && !e.report && applies(world, rule, e))
            .collect();
        matching.sort_by(|a, b| (a.date, &a.id).cmp(&(b.date, &b.id)));
        let take = rng.range(1, 4) as usize;
        let mut sum = q_int(0);
        for e in matching.iter().take(take) {
            if let Some(x) = counted_amount(world, rule, e, unit) {
                sum += x;
            }
        }
        if sum > q_int(0) {
            if let Some(a) = Amount::exact(sum) {
                if a.text.len() <= 28 {
                    limits[k].amount = a;
                }
            }
        }
    }
    let mut warn_at = Vec::new();
    if rng.pct(40) {
        let mut ps = vec!["10", "33.3", "50", "75", "90", "97.5"];
        rng.shuffle(&mut ps);
        ps.truncate(rng.range(1, 3) as usize);
        let mut ps: Vec<Amount> = ps.into_iter().map(Amount::of).collect();
        ps.sort_by(|a, b| a.value.cmp(&b.value));
        warn_at = ps;
    }
    Kind::Cap {
        limits,
        period,
        by,
        warn_at,
    }
}

// ---------------------------------------------------------------------------
// The reference evaluator (docs/language.md, "How rules are evaluated")
// ---------------------------------------------------------------------------

/// What became of an event. `NotEvaluable`: read fine, but some rule that
/// applies to it cannot judge it (no quantity for a cap, a value in another
/// currency, units that do not convert, no price for a price cap, no party
/// for a `by` cap, an undeclared commodity without `hs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    Evaluated,
    Rejected,
    NotEvaluable,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Stats {
    read: usize,
    evaluated: usize,
    rejected: usize,
    not_evaluable: usize,
    violations: usize,
    warnings: usize,
}

/// A finding, as the reference expects it.
#[derive(Clone, Debug)]
struct Expected {
    rule: String,
    kind: &'static str,
    event: String,
    date: NaiveDate,
    window: Option<String>,
    total: Option<Q>,
    limit: Option<Q>,
    unit: Option<String>,
    /// Caps: the window's shipments up to and including this one, in order.
    contributors: Option<Vec<String>>,
    /// Threshold warnings: the highest threshold reached, as the rule writes it.
    percent: Option<String>,
    deadline: Option<NaiveDate>,
}

struct Outcome {
    findings: Vec<Expected>,
    stats: Stats,
    verdicts: Vec<Verdict>,
}

/// Goods (docs: "Which shipments a rule applies to", Goods).
fn goods_match(rule: &Rule, e: &Event) -> bool {
    // A shipment without `hs` is treated as having its commodity's codes.
    let codes: Vec<&str> = match (e.hs, e.declared_commodity()) {
        (Some(h), _) => vec![h],
        (None, Some(c)) => c.hs.into_iter().collect(),
        (None, None) => Vec::new(),
    };
    match &rule.goods {
        Goods::Any => true,
        Goods::Hs(prefixes) => codes
            .iter()
            .any(|c| prefixes.iter().any(|p| c.starts_with(p))),
        Goods::Commodity(rc) => {
            let named_under = e
                .declared_commodity()
                .is_some_and(|c| lineage(c.name).iter().any(|a| a.name == *rc));
            // HS codes of the rule's commodity and of everything under it.
            let prefixes: Vec<&str> = COMMODITIES
                .iter()
                .filter(|c| lineage(c.name).iter().any(|a| a.name == *rc))
                .filter_map(|c| c.hs)
                .collect();
            named_under
                || codes
                    .iter()
                    .any(|c| prefixes.iter().any(|p| c.starts_with(p)))
        }
    }
}

/// A rule's HS prefixes: its codes, or those of its commodity and of
/// everything under it.
fn rule_prefixes(rule: &Rule) -> Vec<&'static str> {
    match &rule.goods {
        Goods::Any => Vec::new(),
        Goods::Hs(prefixes) => prefixes.clone(),
        Goods::Commodity(rc) => COMMODITIES
            .iter()
            .filter(|c| lineage(c.name).iter().any(|a| a.name == *rc))
            .filter_map(|c| c.hs)
            .collect(),
    }
}

fn party_match(rule_party: Option<&str>, event_party: Option<&str>) -> bool {
    match (rule_party, event_party) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some("any"), Some(_)) => true,
        (Some(r), Some(p)) => {
            let mut keys = Vec::new();
            rule_party_keys(r, &mut keys);
            event_party_keys(p).iter().any(|k| keys.contains(k))
        }
    }
}

/// Does the rule apply to this (valid) shipment?
fn applies(_world: &World, rule: &Rule, e: &Event) -> bool {
    goods_match(rule, e) && applies_but_goods(rule, e)
}

/// A rule scoped to a destination (origin) the shipment does not name,
/// that would apply whatever it were: it cannot tell whether it applies.
fn missing_party(rule: &Rule, e: &Event) -> bool {
    let without = |from: bool| {
        let mut r = rule.clone();
        if from {
            r.from = None;
        } else {
            r.to = None;
        }
        applies_but_goods(&r, e)
    };
    (rule.to.is_some() && e.to.is_none() && without(false))
        || (rule.from.is_some() && e.from.is_none() && without(true))
}

/// Everything but the goods: dates, parties, exemptions, wind-down.
fn applies_but_goods(rule: &Rule, e: &Event) -> bool {
    let in_force =
        rule.effective.is_none_or(|d| e.date >= d) && rule.until.is_none_or(|d| e.date <= d);
    let via = match rule.via {
        None => true,
        Some(_) => e.via.iter().any(|v| party_match(rule.via, Some(v))),
    };
    let exempt = e.exemptions.iter().any(|x| rule.exemptions.contains(x));
    let wound_down = match (rule.wind_down, e.loaded, e.delivered) {
        (Some((d1, d2)), Some(l), Some(d)) => l < d1 && d < d2,
        _ => false,
    };
    in_force
        && party_match(rule.from, e.from)
        && party_match(rule.to, e.to)
        && via
        && !exempt
        && !wound_down
}

/// The event's amount in a cap limit's unit: its value for a value cap (in
/// the same currency only), else its quantity converted. `None`: cannot count.
fn counted_amount(world: &World, rule: &Rule, e: &Event, unit: Unit) -> Option<Q> {
    if let Dim::Money(_) = unit.dim() {
        return e
            .value
            .as_ref()
            .filter(|(_, u)| *u == unit)
            .map(|(a, _)| a.value.clone());
    }
    let (a, u) = e.quantity.as_ref()?;
    world.convert(rule, e, &a.value, *u, unit)
}

/// The price per the cap's unit, from `price`, or derived from `value` ÷
/// `quantity`. `None`: the cap cannot judge the shipment.
fn unit_price(world: &World, rule: &Rule, e: &Event, currency: Unit, per: Unit) -> Option<Q> {
    if let Some(p) = &e.price {
        if p.currency != currency {
            return None;
        }
        // One of the event's units, in cap units: price ÷ that.
        let one = world.convert(rule, e, &q_int(1), p.per, per)?;
        return (one != q_int(0)).then(|| &p.amount.value / one);
    }
    let (v, vu) = e.value.as_ref()?;
    if *vu != currency {
        return None;
    }
    let (q, qu) = e.quantity.as_ref()?;
    let in_cap_units = world.convert(rule, e, &q.value, *qu, per)?;
    (in_cap_units != q_int(0)).then(|| &v.value / in_cap_units)
}

/// The fixed window a date is in: first day, last day, label. `None`: before
/// the first window of an anniversary period.
fn fixed_window(period: &Period, d: NaiveDate) -> Option<(NaiveDate, NaiveDate, String)> {
    let (y, m) = (d.year(), d.month());
    let first = |y, m| NaiveDate::from_ymd_opt(y, m, 1).expect("first of a month");
    let last = |start: NaiveDate, months| {
        shift(
            start.checked_add_months(Months::new(months)).expect("date"),
            -1,
        )
    };
    Some(match period {
        Period::Year => (first(y, 1), first(y, 12).with_day(31)?, format!("{y}")),
        Period::Quarter => {
            let q = (m - 1) / 3;
            let s = first(y, q * 3 + 1);
            (s, last(s, 3), format!("{y}-Q{}", q + 1))
        }
        Period::Month => (first(y, m), last(first(y, m), 1), format!("{y}-{m:02}")),
        Period::Day => (d, d, d.to_string()),
        Period::Months(n, from) => {
            if d < *from {
                return None;
            }
            // Naively step through the windows from the first one.
            let start_k = |k: u32| from.checked_add_months(Months::new(k * n)).expect("date");
            let mut k = 0;
            while start_k(k + 1) <= d {
                k += 1;
            }
            let (s, e) = (start_k(k), shift(start_k(k + 1), -1));
            (s, e, format!("{s}..{e}"))
        }
        Period::Days(_) => return None,
    })
}

/// A shipment a cap counts: its amount in each limit's unit (`None`: that
/// limit cannot count it), and its party for a `by` cap.
struct Counted {
    event: usize,
    amounts: Vec<Option<Q>>,
    party: Option<String>,
}

/// The reference evaluation of a whole case.
fn reference(case: &Case) -> Outcome {
    let world = &case.world;
    // Rejected: broken events, and every valid event whose id is used twice.
    let broken = |e: &Event| match e.bad {
        None => false,
        Some(Bad::MissingQuantity) => SHIPMENT_NEEDS_QUANTITY || e.report,
        Some(_) => true,
    };
    let id_count = |id: &str| {
        case.events
            .iter()
            .filter(|e| !broken(e) && e.id == id)
            .count()
    };
    let mut verdicts: Vec<Verdict> = case
        .events
        .iter()
        .map(|e| {
            if broken(e) || id_count(&e.id) > 1 {
                Verdict::Rejected
            } else {
                Verdict::Evaluated
            }
        })
        .collect();
    let valid: Vec<usize> = (0..case.events.len())
        .filter(|&i| verdicts[i] != Verdict::Rejected)
        .collect();
    let shipments: Vec<usize> = valid
        .iter()
        .copied()
        .filter(|&i| !case.events[i].report)
        .collect();
    let mut not_evaluable = vec![false; case.events.len()];
    for &i in &shipments {
        let e = &case.events[i];
        // An undeclared commodity without `hs`: rules on particular goods
        // cannot tell whether they cover it, if they would otherwise apply.
        if e.commodity.is_some_and(|c| commodity(c).is_none())
            && e.hs.is_none()
            && case
                .rules
                .iter()
                .any(|r| !matches!(r.goods, Goods::Any) && applies_but_goods(r, e))
        {
            not_evaluable[i] = true;
        }
        // A code less precise than the lines of a rule that would apply
        // (docs/language.md, HS codes): a ban always asks; a cap or price
        // cap only when no rule judged the shipment (one regime here).
        if let Some(h) = e.hs {
            let judged = case.rules.iter().any(|r| applies(world, r, e));
            let finer = |r: &Rule| {
                rule_prefixes(r)
                    .iter()
                    .any(|p| p.len() > h.len() && p.starts_with(h))
            };
            if case.rules.iter().any(|r| {
                !goods_match(r, e)
                    && applies_but_goods(r, e)
                    && (matches!(r.kind, Kind::Ban) || !judged)
                    && finer(r)
            }) {
                not_evaluable[i] = true;
            }
        }
        if case
            .rules
            .iter()
            .any(|r| goods_match(r, e) && missing_party(r, e))
        {
            not_evaluable[i] = true;
        }
    }

    let mut findings = Vec::new();
    for rule in &case.rules {
        let id = rule.id(world);
        let violation = if rule.severity_warning {
            "warning"
        } else {
            "violation"
        };
        let applying: Vec<usize> = shipments
            .iter()
            .copied()
            .filter(|&i| applies(world, rule, &case.events[i]))
            .collect();
        let finding = |e: &Event, kind: &'static str| Expected {
            rule: id.clone(),
            kind,
            event: e.id.clone(),
            date: e.date,
            window: None,
            total: None,
            limit: None,
            unit: None,
            contributors: None,
            percent: None,
            deadline: None,
        };
        match &rule.kind {
            Kind::Ban => {
                for &i in &applying {
                    findings.push(finding(&case.events[i], violation));
                }
            }
            Kind::Price {
                amount,
                currency,
                per,
            } => {
                for &i in &applying {
                    let e = &case.events[i];
                    match unit_price(world, rule, e, *currency, *per) {
                        None => not_evaluable[i] = true,
                        Some(p) if p > amount.value => findings.push(Expected {
                            total: Some(p),
                            limit: Some(amount.value.clone()),
                            unit: Some(format!("{}/{}", currency.0, per.0)),
                            ..finding(e, violation)
                        }),
                        Some(_) => {}
                    }
                }
            }
            Kind::Report { days } => {
                for &i in &applying {
                    let e = &case.events[i];
                    let deadline = shift(e.date, i64::from(*days));
                    let covered = valid.iter().any(|&j| {
                        let r = &case.events[j];
                        // A report dated after the as-of day did not
                        // exist on that day (docs/language.md).
                        r.report
                            && r.covers.contains(&e.id)
                            && r.date >= e.date
                            && r.date <= deadline
                            && r.date <= case.as_of
                    });
                    if covered {
                        continue;
                    }
                    let kind = if deadline < case.as_of {
                        violation
                    } else {
                        "warning"
                    };
                    findings.push(Expected {
                        deadline: Some(deadline),
                        ..finding(e, kind)
                    });
                }
            }
            Kind::Cap {
                limits,
                period,
                by,
                warn_at,
            } => {
                // Each applying shipment's amount per limit, its `by` party.
                let mut counted: Vec<Counted> = Vec::new();
                // Shipments a limit cannot count: not evaluable, unless
                // they break the cap whatever that amount.
                let mut uncounted: Vec<usize> = Vec::new();
                let mut broke: Vec<usize> = Vec::new();
                for &i in &applying {
                    let e = &case.events[i];
                    let amounts: Vec<Option<Q>> = limits
                        .iter()
                        .map(|l| counted_amount(world, rule, e, l.unit))
                        .collect();
                    let party = match by {
                        None => Some(None),
                        Some(By::Origin) => e.from.map(|p| Some(party_display(p))),
                        Some(By::Destination) => e.to.map(|p| Some(party_display(p))),
                    };
                    if party.is_none() {
                        not_evaluable[i] = true;
                    } else if amounts.iter().any(Option::is_none) {
                        uncounted.push(i);
                    }
                    // A shipment counted in no limit (or with no party for a
                    // `by` cap) is not in any window.
                    if let Some(party) = party {
                        if amounts.iter().any(Option::is_some) {
                            counted.push(Counted {
                                event: i,
                                amounts,
                                party,
                            });
                        }
                    }
                }
                let order = |i: usize| (case.events[i].date, case.events[i].id.clone());
                for this in &counted {
                    let e = &case.events[this.event];
                    // The window of this shipment, and the shipments of the
                    // same party in it up to and including this one, re-found
                    // from scratch every time.
                    let (start, end, label) = match period {
                        Period::Days(n) => {
                            let s = shift(e.date, -(i64::from(*n) - 1));
                            (s, e.date, format!("{s}..{}", e.date))
                        }
                        _ => match fixed_window(period, e.date) {
                            Some(w) => w,
                            None => continue, // before the first window
                        },
                    };
                    let mut members: Vec<&Counted> = counted
                        .iter()
                        .filter(|m| {
                            let d = case.events[m.event].date;
                            m.party == this.party
                                && d >= start
                                && d <= end
                                && order(m.event) <= order(this.event)
                        })
                        .collect();
                    members.sort_by_key(|m| order(m.event));
                    let total_upto = |k: usize, n: usize| -> Q {
                        members[..n]
                            .iter()
                            .filter_map(|m| m.amounts[k].clone())
                            .fold(q_int(0), |s, a| s + a)
                    };
                    let n = members.len();
                    let window = match &this.party {
                        Some(p) => format!("{label} {p}"),
                        None => label,
                    };
                    // Per limit, the shipments it counted.
                    let ids = |k: usize| -> Vec<String> {
                        members
                            .iter()
                            .filter(|m| m.amounts[k].is_some())
                            .map(|m| case.events[m.event].id.clone())
                            .collect()
                    };
                    let cap_finding = |kind, k: usize, percent: Option<String>| Expected {
                        window: Some(window.clone()),
                        total: Some(total_upto(k, n)),
                        limit: Some(limits[k].amount.value.clone()),
                        unit: Some(limits[k].unit.0.to_string()),
                        contributors: Some(ids(k)),
                        percent,
                        ..finding(e, kind)
                    };
                    let over = |k: usize, upto: usize| total_upto(k, upto) > limits[k].amount.value;
                    // Fixed windows: this shipment or an earlier one in the
                    // window took a total past its limit. Rolling: this
                    // shipment's own window total is past it.
                    let broken_at = |upto: usize| (0..limits.len()).any(|k| over(k, upto));
                    let is_violation = match period {
                        Period::Days(_) => broken_at(n),
                        _ => (1..=n).any(broken_at),
                    };
                    if is_violation {
                        let k = (0..limits.len()).find(|&k| over(k, n)).unwrap_or(0);
                        findings.push(cap_finding(violation, k, None));
                        broke.push(this.event);
                        continue;
                    }
                    // Thresholds reached by a total: how many of them.
                    let level = |k: usize, total: &Q| {
                        warn_at
                            .iter()
                            .filter(|p| *total >= &limits[k].amount.value * &p.value / q_int(100))
                            .count()
                    };
                    for (k, own) in this.amounts.iter().enumerate() {
                        if own.is_none() {
                            continue; // it cannot take this total anywhere
                        }
                        let now = level(k, &total_upto(k, n));
                        // Fixed: warned once per window, so the highest level
                        // any earlier total reached. Rolling: the total just
                        // before this shipment, in its own window.
                        let before = match period {
                            Period::Days(_) => level(k, &total_upto(k, n - 1)),
                            _ => (0..n)
                                .map(|m| level(k, &total_upto(k, m)))
                                .max()
                                .unwrap_or(0),
                        };
                        if now > before {
                            let p = warn_at[now - 1].text.clone();
                            findings.push(cap_finding("warning", k, Some(p)));
                        }
                    }
                }
                for i in uncounted {
                    if !broke.contains(&i) {
                        not_evaluable[i] = true;
                    }
                }
            }
        }
    }

    for (i, v) in verdicts.iter_mut().enumerate() {
        if *v == Verdict::Evaluated && not_evaluable[i] {
            *v = Verdict::NotEvaluable;
        }
    }
    let count = |v: Verdict| verdicts.iter().filter(|x| **x == v).count();
    let stats = Stats {
        read: case.events.len(),
        evaluated: count(Verdict::Evaluated),
        rejected: count(Verdict::Rejected),
        not_evaluable: count(Verdict::NotEvaluable),
        violations: findings.iter().filter(|f| f.kind == "violation").count(),
        warnings: findings.iter().filter(|f| f.kind == "warning").count(),
    };
    Outcome {
        findings,
        stats,
        verdicts,
    }
}

/// The `stats` object sanc should print.
fn expected_stats_json(s: &Stats) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::from([
        ("events_read", s.read),
        ("events_evaluated", s.evaluated),
        ("events_rejected", s.rejected),
        ("violations", s.violations),
        ("warnings", s.warnings),
    ]);
    if NOT_EVALUABLE_IN_STATS {
        m.insert("events_not_evaluable", s.not_evaluable);
    }
    m
}

/// The exit code sanc should end with (docs/output.md, "Exit codes").
fn expected_exit(s: &Stats) -> i32 {
    if s.violations > 0 {
        1
    } else if NOT_EVALUABLE_IN_STATS && s.not_evaluable + s.rejected > 0 {
        3
    } else {
        0
    }
}

// ---------------------------------------------------------------------------
// Running sanc and comparing
// ---------------------------------------------------------------------------

struct SancRun {
    code: i32,
    json: Value,
    stderr: String,
}

fn run_sanc(case: &Case) -> SancRun {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("rules.sanc"), case.rules_text()).expect("write rules.sanc");
    std::fs::write(dir.path().join(case.events_file()), case.events_text()).expect("write events");
    let out = Command::cargo_bin("sanc")
        .expect("the sanc binary")
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["eval", "rules.sanc", case.events_file(), "--format", "json"])
        .args(["--as-of", &case.as_of.to_string()])
        .output()
        .expect("run sanc");
    let stdout = String::from_utf8_lossy(&out.stdout);
    SancRun {
        code: out.status.code().unwrap_or(-1),
        json: serde_json::from_str(&stdout).unwrap_or(Value::Null),
        stderr: format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stderr),
            stdout.chars().take(2000).collect::<String>()
        ),
    }
}

/// A finding as one comparable line (amounts kept apart: they are compared
/// through [`amount_matches`]).
fn key_of([rule, kind, event, date, window, unit, contributors, deadline]: [&str; 8]) -> String {
    format!("{rule} {kind} {event} {date} window={window} unit={unit} contributors={contributors} deadline={deadline}")
}

/// `contributor_count` and the (first 50) `contributors`, as one text.
fn contributors_key(count: &Value, ids: &Value) -> String {
    if count.is_null() && ids.is_null() {
        return "-".into();
    }
    let ids: Vec<&str> = ids
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    format!("{count}[{}]", ids.join(","))
}

/// Everything that differs between sanc and the reference, or nothing.
fn compare(expected: &Outcome, got: &SancRun) -> Vec<String> {
    let mut problems = Vec::new();
    if got.json.is_null() {
        return vec![format!(
            "sanc printed no JSON (exit {}): {}",
            got.code, got.stderr
        )];
    }
    // Stats, and the exit code, unless an event could not be judged and
    // today's sanc has no way to say so.
    let comparable = NOT_EVALUABLE_IN_STATS || expected.stats.not_evaluable == 0;
    if comparable {
        for (name, want) in expected_stats_json(&expected.stats) {
            let have = got.json["stats"][name].as_u64();
            if have != Some(want as u64) {
                problems.push(format!("stats.{name}: expected {want}, sanc {have:?}"));
            }
        }
        let want = expected_exit(&expected.stats);
        if got.code != want {
            problems.push(format!("exit code: expected {want}, sanc {}", got.code));
        }
    } else if got.code != 0 && got.code != 1 {
        problems.push(format!("exit code {}: {}", got.code, got.stderr));
    }

    // Findings, as a multiset: match each expected one with an equal sanc one.
    let s = |v: &Value| -> String {
        match v {
            Value::String(s) => s.clone(),
            Value::Null => "-".into(),
            other => other.to_string(),
        }
    };
    let mut have: Vec<(String, Value)> = got.json["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .map(|f| {
            let k = key_of([
                &s(&f["rule"]),
                &s(&f["kind"]),
                &s(&f["event"]),
                &s(&f["date"]),
                &s(&f["window"]),
                &s(&f["unit"]),
                &contributors_key(&f["contributor_count"], &f["contributors"]),
                &s(&f["deadline"]),
            ]);
            (k, f)
        })
        .collect();
    let text = |q: &Option<Q>| {
        q.as_ref()
            .map(|q| decimal_text(q).unwrap_or_else(|| format!("{q} (non-terminating)")))
            .unwrap_or_else(|| "-".into())
    };
    let mut missing = Vec::new();
    for f in &expected.findings {
        let k = key_of([
            &f.rule,
            f.kind,
            &f.event,
            &f.date.to_string(),
            f.window.as_deref().unwrap_or("-"),
            f.unit.as_deref().unwrap_or("-"),
            &f.contributors.as_ref().map_or("-".into(), |ids| {
                let first: Vec<Value> = ids.iter().take(50).map(|i| json!(i)).collect();
                contributors_key(&json!(ids.len()), &json!(first))
            }),
            &f.deadline.map_or("-".into(), |d| d.to_string()),
        ]);
        let amounts_match = |v: &Value| {
            let one = |field: &str, want: &Option<Q>| match (want, v[field].as_str()) {
                (None, None) => true,
                (Some(q), Some(s)) => amount_matches(s, q),
                _ => false,
            };
            // Which threshold warned is only in the message: it must name it.
            let percent = f.percent.as_ref().is_none_or(|p| {
                v["message"]
                    .as_str()
                    .is_some_and(|m| m.contains(&format!("{p}%")))
            });
            one("total", &f.total) && one("limit", &f.limit) && percent
        };
        match have.iter().position(|(hk, v)| *hk == k && amounts_match(v)) {
            Some(p) => {
                have.remove(p);
            }
            None => missing.push(format!(
                "{k} total={} limit={} percent={}",
                text(&f.total),
                text(&f.limit),
                f.percent.as_deref().unwrap_or("-")
            )),
        }
    }
    for m in missing {
        problems.push(format!("expected, not in sanc: {m}"));
    }
    for (k, v) in have {
        problems.push(format!(
            "sanc, not expected: {k} total={} limit={} message={}",
            s(&v["total"]),
            s(&v["limit"]),
            s(&v["message"])
        ));
    }
    problems
}

fn check(case: &Case) -> Vec<String> {
    let expected = reference(case);
    let got = run_sanc(case);
    compare(&expected, &got)
}

// ---------------------------------------------------------------------------
// Shrinking: remove what is not needed for the failure
// ---------------------------------------------------------------------------

/// One way to simplify a rule or an event.
type Edit<T> = Box<dyn Fn(&mut T)>;

/// Smaller versions of a case, most drastic first.
fn smaller(case: &Case) -> Vec<Case> {
    let mut out = Vec::new();
    let with = |f: &dyn Fn(&mut Case)| {
        let mut c = case.clone();
        f(&mut c);
        c
    };
    for i in 0..case.events.len() {
        out.push(with(&|c| {
            c.events.remove(i);
        }));
    }
    if case.rules.len() > 1 {
        for i in 0..case.rules.len() {
            out.push(with(&|c| {
                c.rules.remove(i);
            }));
        }
    }
    for i in 0..case.rules.len() {
        let r = &case.rules[i];
        let edits: Vec<Edit<Rule>> = vec![
            Box::new(|r| r.from = None),
            Box::new(|r| r.to = None),
            Box::new(|r| r.via = None),
            Box::new(|r| r.effective = None),
            Box::new(|r| r.until = None),
            Box::new(|r| r.exemptions.clear()),
            Box::new(|r| r.severity_warning = false),
            Box::new(|r| r.wind_down = None),
            Box::new(|r| r.goods = Goods::Any),
            Box::new(|r| {
                if let Kind::Cap { warn_at, .. } = &mut r.kind {
                    warn_at.clear();
                }
            }),
            Box::new(|r| {
                if let Kind::Cap { by, .. } = &mut r.kind {
                    *by = None;
                }
            }),
            Box::new(|r| {
                if let Kind::Cap { limits, .. } = &mut r.kind {
                    if limits.len() > 1 {
                        limits.remove(0);
                    }
                }
            }),
            Box::new(|r| {
                if let Kind::Cap { limits, .. } = &mut r.kind {
                    limits.truncate(1);
                }
            }),
        ];
        for edit in edits {
            let mut r2 = r.clone();
            edit(&mut r2);
            if format!("{r2:?}") != format!("{r:?}") {
                out.push(with(&|c| c.rules[i] = r2.clone()));
            }
        }
    }
    for i in 0..case.events.len() {
        let e = &case.events[i];
        let edits: Vec<Edit<Event>> = vec![
            Box::new(|e| e.via.clear()),
            Box::new(|e| e.exemptions.clear()),
            Box::new(|e| e.price = None),
            Box::new(|e| e.value = None),
            Box::new(|e| e.loaded = None),
            Box::new(|e| e.delivered = None),
            Box::new(|e| e.style = 0),
            Box::new(|e| {
                if e.to.is_some() {
                    e.from = None;
                }
            }),
            Box::new(|e| {
                if e.from.is_some() {
                    e.to = None;
                }
            }),
        ];
        for edit in edits {
            let mut e2 = e.clone();
            edit(&mut e2);
            if format!("{e2:?}") != format!("{e:?}") {
                out.push(with(&|c| c.events[i] = e2.clone()));
            }
        }
    }
    if case.format != Format::Ndjson {
        out.push(with(&|c| c.format = Format::Ndjson));
    }
    out
}

fn shrink(mut case: Case, mut problems: Vec<String>) -> (Case, Vec<String>) {
    'outer: loop {
        for c in smaller(&case) {
            let p = check(&c);
            if !p.is_empty() {
                case = c;
                problems = p;
                continue 'outer;
            }
        }
        return (case, problems);
    }
}

fn reproducer(case: &Case, problems: &[String]) -> String {
    let expected = reference(case);
    let mut s = format!(
        "seed {} (SANC_REFERENCE_SEED={} SANC_REFERENCE_CASES=1)\n--- rules.sanc\n{}--- {} (as of {})\n{}--- reference verdicts: {:?}\n--- differences:\n",
        case.seed,
        case.seed,
        case.rules_text(),
        case.events_file(),
        case.as_of,
        case.events_text(),
        expected.verdicts,
    );
    for p in problems {
        s.push_str("  ");
        s.push_str(p);
        s.push('\n');
    }
    s
}

/// What the generated cases exercised, printed with the case count so that a
/// generator that stops producing some kind of finding is noticed.
#[derive(Default)]
struct Coverage {
    findings: BTreeMap<String, usize>,
    verdicts: BTreeMap<String, usize>,
    stats_compared: usize,
}

impl Coverage {
    fn add(&mut self, case: &Case, outcome: &Outcome) {
        for f in &outcome.findings {
            let rule = case.rules.iter().find(|r| r.id(&case.world) == f.rule);
            let what = match rule.map(|r| &r.kind) {
                Some(Kind::Ban) => "ban".to_string(),
                Some(Kind::Price { .. }) => "cap price".to_string(),
                Some(Kind::Report { .. }) => "report".to_string(),
                Some(Kind::Cap {
                    limits, period, by, ..
                }) => {
                    let p = match period {
                        Period::Days(_) => "rolling",
                        Period::Months(..) => "months from",
                        _ => "calendar",
                    };
                    let by = if by.is_some() { " by" } else { "" };
                    format!("cap {} limit(s) {p}{by}", limits.len())
                }
                None => "?".to_string(),
            };
            *self
                .findings
                .entry(format!("{what} {}", f.kind))
                .or_default() += 1;
        }
        for v in &outcome.verdicts {
            *self.verdicts.entry(format!("{v:?}")).or_default() += 1;
        }
        if NOT_EVALUABLE_IN_STATS || outcome.stats.not_evaluable == 0 {
            self.stats_compared += 1;
        }
    }
}

impl std::fmt::Display for Coverage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "stats compared in {} cases", self.stats_compared)?;
        writeln!(f, "events: {:?}", self.verdicts)?;
        for (k, n) in &self.findings {
            writeln!(f, "  {n:>6} {k}")?;
        }
        Ok(())
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| {
        v.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a whole number, not `{v}`"))
    })
}

#[test]
fn sanc_agrees_with_the_reference_model() {
    let cases = env_u64("SANC_REFERENCE_CASES").unwrap_or(DEFAULT_CASES);
    let first_seed = env_u64("SANC_REFERENCE_SEED").unwrap_or(0x5A9C_0000);
    let keep_going = std::env::var("SANC_REFERENCE_KEEP_GOING").is_ok_and(|v| v == "1");
    let started = Instant::now();
    let mut failures = Vec::new();
    let mut ran = 0;
    let mut coverage = Coverage::default();
    for seed in first_seed..first_seed + cases {
        let case = gen_case(seed);
        ran += 1;
        coverage.add(&case, &reference(&case));
        let problems = check(&case);
        if problems.is_empty() {
            continue;
        }
        let (small, problems) = shrink(case, problems);
        let report = reproducer(&small, &problems);
        eprintln!("DISAGREEMENT\n{report}");
        failures.push(report);
        if !keep_going || failures.len() >= 20 {
            break;
        }
    }
    eprintln!(
        "reference model: {ran} cases, {} disagreements, {:.1?}\n{coverage}",
        failures.len(),
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "sanc and the reference disagree:\n{}",
        failures.join("\n")
    );
}
