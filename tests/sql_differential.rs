//! Differential test of `sanc compile --to sql`: random rule sets and event
//! streams (every rule kind and clause, window edges, conversions, bad
//! rows) judged by `sanc eval --format json` and by the compiled SQL on
//! DuckDB (and, for fewer cases, Apache Spark in local mode). Findings must
//! be identical on every JSON field the SQL writes; the events rejected or
//! not evaluable, and the remarks, must carry the same codes.
//!
//! The engines run in Python from the virtual environment that
//! `scripts/test` makes (`SANC_TEST_PYTHON`), many cases per process
//! (tests/sql/run.py). `SANC_SQL_CASES` / `SANC_SPARK_CASES` set the
//! number of cases, `SANC_SQL_SEED` the first seed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "sql/common.rs"]
mod sql_common;
use chrono::{Days, NaiveDate};
use serde_json::{json, Value};
use sql_common::{diagnostic_set, finding_lines, python};
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

const DUCKDB_CASES: u64 = 2000;
const SPARK_CASES: u64 = 20;
const BATCH: usize = 100;

// ---------------------------------------------------------------------------
// Random cases
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
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1) as u64) as i64
    }
    fn pct(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
}

const RULE_PARTIES: [&str; 12] = [
    "PRK", "DPRK", "RUS", "Russia", "CHN", "IRN", "G1", "G2", "GE", "acme", "shellco", "any",
];
const EVENT_PARTIES: [&str; 9] = [
    "PRK", "DPRK", "RUS", "Russia", "CHN", "IRN", "acme", "shellco", "SYR",
];
const GOODS_UNITS: [&str; 6] = ["t", "kg", "bbl", "l", "m3", "units"];

fn declarations(rng: &mut Rng) -> String {
    let mut s = String::from(
        "exemption hum \"Humanitarian\"\nexemption lic \"Licensed\"\n\
         party DPRK = PRK\nparty Russia = RUS\n\
         entity acme \"Acme\" in RUS\nentity shellco\n\
         group G1 = [Russia, CHN]\ngroup G2 = [G1, acme, IRN]\ngroup GE = [shellco]\n\
         commodity diesel = hs 271019 under petro\n\
         commodity jet under petro\ncommodity crude = hs 2709\n\
         commodity arms = hs 93\ncommodity rifles = hs 9301 under arms\ncommodity luxury\n",
    );
    // Residual categories (`except`): codes, and a commodity.
    s.push_str(rng.pick(&[
        "commodity petro = hs 2710\n",
        "commodity petro = hs 2710\n",
        "commodity petro = hs 2710 except 27101943\n",
        "commodity petro = hs 2710 except 271012, 27101943\n",
    ]));
    s.push_str(rng.pick(&[
        "commodity otherarms = hs 93 except rifles under arms\n",
        "commodity otherarms = hs 9302, 9303 under arms\n",
    ]));
    let _ = writeln!(
        s,
        "convert petro 1 t = {} bbl",
        rng.pick(&["7.33", "8", "6.5", "7"])
    );
    if rng.pct(50) {
        let _ = writeln!(
            s,
            "convert jet 1 m3 = {} t",
            rng.pick(&["0.8", "0.75", "0.81"])
        );
    }
    if rng.pct(50) {
        let _ = writeln!(s, "convert crude 1 t = {} bbl", rng.pick(&["7.33", "7.5"]));
    }
    if rng.pct(60) {
        let _ = writeln!(
            s,
            "convert arms 1 units = {} kg",
            rng.pick(&["4", "3.5", "12"])
        );
    }
    if rng.pct(30) {
        s.push_str("convert rifles 2 units = 7 kg\n");
    }
    s
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn shift(d: NaiveDate, n: i64) -> NaiveDate {
    if n >= 0 {
        d.checked_add_days(Days::new(n as u64)).unwrap()
    } else {
        d.checked_sub_days(Days::new((-n) as u64)).unwrap()
    }
}

const EDGES: [&str; 8] = [
    "2023-12-31",
    "2024-01-01",
    "2024-02-29",
    "2024-03-01",
    "2024-03-31",
    "2024-04-01",
    "2023-11-30",
    "2024-01-31",
];

struct Dates {
    hot: Vec<NaiveDate>,
}

impl Dates {
    fn pick(&self, rng: &mut Rng) -> NaiveDate {
        if rng.pct(25) {
            shift(date("2023-11-01"), rng.range(0, 180))
        } else {
            shift(rng.pick(&self.hot), rng.pick(&[0, 0, 0, -1, 1, 2, 5, 20]))
        }
    }
}

fn amount(rng: &mut Rng, lo: i64, hi: i64) -> String {
    let int = rng.range(lo, hi);
    match rng.below(5) {
        0 => format!("{int}.{}", rng.range(0, 9)),
        1 => format!("{int}.{:02}", rng.range(0, 99)),
        _ => int.to_string(),
    }
}

fn magnitude(u: &str) -> (i64, i64) {
    match u {
        "t" | "m3" | "units" => (1, 40),
        "bbl" => (5, 300),
        "kg" | "l" => (500, 40_000),
        _ => (100, 9_000),
    }
}

/// Conditions on vessels and parties by role: `with vessel flagged P`,
/// `with ROLE in P`.
fn participants(rng: &mut Rng) -> String {
    let mut s = String::new();
    if rng.pct(15) {
        let _ = write!(s, " with vessel flagged {}", rng.pick(&RULE_PARTIES));
    }
    if rng.pct(15) {
        let who = rng.pick(&[
            "owner",
            "operator",
            "owner or operator",
            "any party",
            "charterer",
            "insurer or exporter",
        ]);
        let _ = write!(s, " with {who} in {}", rng.pick(&RULE_PARTIES));
    }
    s
}

/// `ban port calls`: `to` the port's country, conditions on the vessel
/// and parties, dates, exemptions.
fn port_rule(rng: &mut Rng, label: &str, dates: &Dates) -> String {
    let mut head = String::from("ban port calls");
    if rng.pct(50) {
        let _ = write!(head, " to {}", rng.pick(&RULE_PARTIES));
    }
    if rng.pct(15) {
        head.push_str(" by sts transfer");
    }
    head.push_str(&participants(rng));
    let mut s = format!("{label}:\n{head}\n    cite \"Rule {label}\"");
    let mut effective = None;
    if rng.pct(30) {
        let e = dates.pick(rng);
        effective = Some(e);
        let _ = write!(s, "\n    effective {e}");
    }
    if rng.pct(20) {
        let u = shift(date("2024-02-01"), rng.range(0, 90))
            .max(effective.unwrap_or(date("2020-01-01")));
        let _ = write!(s, "\n    until {u}");
    }
    if rng.pct(25) {
        s.push_str("\n    except exemption hum");
    }
    if rng.pct(15) {
        s.push_str("\n    severity warning");
    }
    s
}

fn rule_text(rng: &mut Rng, label: &str, dates: &Dates, event_dates: &[NaiveDate]) -> String {
    let goods = match rng.below(10) {
        0..=5 => rng
            .pick(&[
                "petro",
                "diesel",
                "jet",
                "crude",
                "arms",
                "rifles",
                "luxury",
                "otherarms",
            ])
            .to_string(),
        6..=7 => {
            let mut codes = vec![rng.pick(&["27", "2710", "271019", "2709", "93", "9301"])];
            if rng.pct(30) {
                codes.push(rng.pick(&["2709", "93", "8703"]));
            }
            codes.dedup();
            format!("hs {}", codes.join(", "))
        }
        _ => "any".into(),
    };
    let mut scopes = String::new();
    for (k, p) in [("from", 30), ("to", 35), ("via", 12)] {
        if rng.pct(p) {
            let _ = write!(scopes, " {k} {}", rng.pick(&RULE_PARTIES));
        }
    }
    if rng.pct(6) {
        scopes.push_str(" by sts transfer");
    }
    scopes.push_str(&participants(rng));
    let money = ["USD", "USD", "EUR"];
    let head = match rng.below(20) {
        0..=2 => format!("ban {goods}{scopes}"),
        3..=12 => {
            let units: Vec<&str> = match rng.below(10) {
                0..=5 => vec![rng.pick(&GOODS_UNITS)],
                6..=7 => vec![rng.pick(&money)],
                _ => vec![rng.pick(&money), rng.pick(&GOODS_UNITS)],
            };
            let limits: Vec<String> = units
                .iter()
                .map(|u| {
                    let (lo, hi) = magnitude(u);
                    format!("{} {u}", amount(rng, lo * 2, hi * 4))
                })
                .collect();
            let period = match rng.below(12) {
                0..=1 => "year".to_string(),
                2..=3 => "quarter".into(),
                4..=5 => "month".into(),
                6 => "day".into(),
                7..=9 => format!("{} days", rng.pick(&[1, 2, 7, 30, 45, 90])),
                _ => format!(
                    "{} months from {}",
                    rng.pick(&[1, 2, 3, 12]),
                    if rng.pct(50) {
                        date(rng.pick(&["2023-10-31", "2023-11-30", "2023-12-22", "2024-01-31"]))
                    } else {
                        dates.pick(rng)
                    }
                ),
            };
            let by = match rng.below(10) {
                0..=1 => " by origin",
                2 => " by destination",
                _ => "",
            };
            format!(
                "cap {goods}{scopes} {} per {period}{by}",
                limits.join(" or ")
            )
        }
        13..=15 => {
            let per = rng.pick(&["bbl", "bbl", "t", "kg", "l"]);
            let amount = match per {
                "bbl" => rng.pick(&["60", "47.60", "75"]),
                "t" => rng.pick(&["439.80", "440", "500"]),
                "kg" => rng.pick(&["0.4398", "0.44"]),
                _ => rng.pick(&["0.5", "0.4"]),
            };
            let cur = if rng.pct(85) { "USD" } else { "EUR" };
            format!("cap price {goods}{scopes} {amount} {cur} per {per}")
        }
        _ => {
            let due = match rng.below(4) {
                0..=1 => format!("within {} days", rng.pick(&[1, 7, 30, 90])),
                2 => format!("monthly by day {}", rng.pick(&[1, 15, 28, 30, 31])),
                _ => format!(
                    "every {} days from {}",
                    rng.pick(&[7, 30, 90]),
                    dates.pick(rng)
                ),
            };
            format!("require report of {goods}{scopes} {due}")
        }
    };
    let mut clauses = vec![format!("cite \"Rule {label}\"")];
    let edge = |rng: &mut Rng| {
        let base = if !event_dates.is_empty() && rng.pct(70) {
            rng.pick(event_dates)
        } else {
            dates.pick(rng)
        };
        shift(base, rng.pick(&[-1, 0, 1]))
    };
    let mut effective = None;
    if rng.pct(35) {
        let e = edge(rng);
        effective = Some(e);
        clauses.push(format!("effective {e}"));
    }
    if rng.pct(30) {
        let u = edge(rng);
        let u = match effective {
            Some(e) if u < e => e,
            _ => u,
        };
        clauses.push(format!("until {u}"));
    }
    if head.starts_with("cap ") && !head.starts_with("cap price") && rng.pct(40) {
        let mut ps = vec!["10", "33.3", "50", "75", "90", "97.5"];
        let n = rng.range(1, 3) as usize;
        let mut chosen: Vec<&str> = Vec::new();
        for _ in 0..n {
            let i = rng.below(ps.len());
            chosen.push(ps.remove(i));
        }
        chosen.sort_by(|a, b| {
            a.parse::<f64>()
                .unwrap()
                .total_cmp(&b.parse::<f64>().unwrap())
        });
        let p: Vec<String> = chosen.iter().map(|p| format!("{p}%")).collect();
        clauses.push(format!("warn at {}", p.join(", ")));
    }
    if rng.pct(20) {
        for x in rng.pick(&[&["hum"][..], &["lic"], &["hum", "lic"]]) {
            clauses.push(format!("except exemption {x}"));
        }
    }
    if rng.pct(15) {
        clauses.push("severity warning".into());
    }
    if rng.pct(12) {
        let before = edge(rng);
        if rng.pct(40) {
            clauses.push(format!(
                "unless contracted before {before} and delivered before {}",
                shift(before, rng.range(1, 40))
            ));
        } else {
            clauses.push(format!("unless contracted before {before}"));
        }
    }
    if rng.pct(8) {
        clauses.push(format!(
            "unless by {} transfer",
            rng.pick(&["pipeline", "sts"])
        ));
    }
    if rng.pct(15) {
        let d1 = dates.pick(rng);
        clauses.push(format!(
            "unless loaded before {d1} and delivered before {}",
            shift(d1, rng.range(0, 20))
        ));
    }
    let mut s = format!("{label}:\n{head}");
    for c in clauses {
        let _ = write!(s, "\n    {c}");
    }
    s
}

/// One CSV row per event: every column of docs/events.md (the JSON
/// `parties` object aside).
const COLUMNS: usize = 54;
type Row = [String; COLUMNS];

/// The column of an event field.
fn col(name: &str) -> usize {
    sanc::events::FIELD_NAMES
        .iter()
        .position(|f| *f == name)
        .unwrap()
}

/// An IMO number: valid (its check digit right), or not.
fn imo(rng: &mut Rng, valid: bool) -> String {
    let six: Vec<u32> = (0..6).map(|_| rng.range(0, 9) as u32).collect();
    let sum: u32 = six.iter().zip([7, 6, 5, 4, 3, 2]).map(|(d, w)| d * w).sum();
    let check = if valid {
        sum % 10
    } else {
        (sum + rng.range(1, 9) as u32) % 10
    };
    let digits: String = six.iter().map(|d| d.to_string()).collect();
    let n = format!("{digits}{check}");
    match rng.below(5) {
        0 => format!("IMO {n}"),
        1 => format!("IMO{n}"),
        2 => format!("imo: {n}"),
        _ => n,
    }
}

const FLAGS: [&str; 7] = ["PRK", "DPRK", "PAN", "RUS", "Russia", "CHN", "LBR"];
const BAD_FLAGS: [&str; 4] = ["Narnia", "acme", "G1", "XXX"];
const ROLES: [&str; 8] = [
    "owner",
    "owner",
    "operator",
    "operator",
    "charterer",
    "insurer",
    "exporter",
    "manager",
];
const ROLE_NAMES: [&str; 16] = [
    "acme",
    "shellco",
    "RUS",
    "DPRK",
    "PRK",
    "CHN",
    "Korea Ansan Shipping Co.",
    "Korea Ansan Shipping Company Limited",
    "Some Trader Ltd",
    "G1",
    "acme;Some Trader Ltd",
    "ocean maritime management",
    "OMM",
    "Ansan & Shipping",
    "L L C Shellco",
    "Société Générale",
];

/// A vessel in the columns of `prefix` (`vessel`, `counterpart_vessel`):
/// the text column (an IMO number or a name) and the `_imo`, `_name` and
/// `_flag` ones, sometimes wrong.
fn vessel(rng: &mut Rng, r: &mut Row, prefix: &str, bad: bool) {
    let c = |f: &str| col(&format!("{prefix}{f}"));
    let valid = !bad || rng.pct(50);
    match rng.below(6) {
        0 => r[c("")] = imo(rng, valid),
        1 => {
            r[c("")] = rng
                .pick(&[
                    "Chon Ma San",
                    "Yu Jong 2",
                    "Sam Jong 1",
                    "IMO",
                    "CHONMASAN",
                    "Yu-Jong 2",
                ])
                .into()
        }
        2 => r[c("_imo")] = imo(rng, valid),
        3 => {
            let n = rng.pick(&KNOWN_IMOS);
            let f = c(rng.pick(&["", "_imo"]));
            r[f] = if rng.pct(50) {
                n.to_string()
            } else {
                format!("IMO {n}")
            };
        }
        _ => {}
    }
    if rng.pct(30) {
        r[c("_name")] = rng
            .pick(&["Chon Ma San", "Kum Un San 3", "Sam Jong 1", "Sam Jŏng 1"])
            .into();
    }
    if rng.pct(70) || r[c("")].is_empty() && r[c("_imo")].is_empty() {
        r[c("_flag")] = if bad && rng.pct(50) {
            rng.pick(&BAD_FLAGS)
        } else {
            rng.pick(&FLAGS)
        }
        .into();
    }
    if bad && valid && r[c("_flag")].is_empty() {
        r[c("_imo")] = rng.pick(&["IMO 123", "12345678", "IMO 9074728"]).into();
    }
}

/// Parties by role, sometimes wrong (a country that is none, a
/// code-like name the rules do not know, a country without a name).
fn parties(rng: &mut Rng, r: &mut Row, bad: bool) {
    for _ in 0..rng.range(1, 2) {
        let role = rng.pick(&ROLES);
        let (name, country) = (
            col(&format!("party_{role}")),
            col(&format!("party_{role}_country")),
        );
        r[name] = if bad && rng.pct(40) {
            rng.pick(&["XYZ", "PRK;QQQ"]).into()
        } else {
            rng.pick(&ROLE_NAMES).into()
        };
        if rng.pct(40) {
            r[country] = if bad && rng.pct(50) {
                rng.pick(&BAD_FLAGS)
            } else {
                rng.pick(&FLAGS)
            }
            .into();
        }
        if bad && rng.pct(20) {
            r[name].clear();
        }
    }
}

/// IMO numbers with a valid check digit, which both events and lists use.
const KNOWN_IMOS: [&str; 4] = ["9074729", "8660313", "8405311", "9066540"];

/// A plain-CSV designation list: names as lists write them (legal forms,
/// spacing, case, an alias, a bracketed name) and IMO numbers, listed and
/// sometimes delisted around the case's dates.
fn designation_list(rng: &mut Rng, dates: &Dates) -> String {
    let mut s = String::from("name,imo,listed_on,delisted_on,reference,aliases\n");
    let entries: [(&str, &str, &str); 8] = [
        ("CHON MA SAN", "8660313", ""),
        ("KOREA ANSAN SHIPPING CO., LTD.", "", "ANSAN SHIPPING"),
        ("Acme", "", ""),
        ("SOME TRADER LIMITED", "", ""),
        ("YU JONG 2", "9074729", ""),
        ("Ocean Maritime Management (OMM)", "", "Kum Un San 3"),
        ("", "8405311", ""),
        ("SAM JONG 1", "", "L.L.C. Shellco"),
    ];
    for (k, (name, imo, aliases)) in entries.iter().enumerate() {
        if !rng.pct(70) {
            continue;
        }
        let listed = if rng.pct(80) {
            dates.pick(rng).to_string()
        } else {
            String::new()
        };
        let delisted = match listed.parse::<NaiveDate>() {
            Ok(d) if rng.pct(25) => shift(d, rng.range(1, 60)).to_string(),
            _ => String::new(),
        };
        let _ = writeln!(s, "\"{name}\",{imo},{listed},{delisted},E{k},\"{aliases}\"");
    }
    s
}

fn write_list(dir: &Path, case: &Case) {
    if let Some(l) = &case.list {
        std::fs::write(dir.join(format!("case{}-list.csv", case.seed)), l).unwrap();
    }
}

/// A vessel's call at a port.
fn port_call(rng: &mut Rng, id: &str, d: NaiveDate, bad: bool) -> Row {
    let mut r = blank(id, d);
    r[1] = "port_call".into();
    if !(bad && rng.pct(30)) {
        let wrong = bad && rng.pct(50);
        vessel(rng, &mut r, "vessel", wrong);
    }
    if !(bad && rng.pct(20)) {
        r[col("port")] = if bad && rng.pct(40) {
            rng.pick(&["Narnia", "G1"])
        } else {
            rng.pick(&["RUS", "CHN", "PRK", "DPRK", "acme"])
        }
        .into();
    }
    if rng.pct(30) {
        parties(rng, &mut r, false);
    }
    if rng.pct(15) {
        r[13] = rng.pick(&["hum", "lic"]).into();
    }
    if rng.pct(10) {
        r[30] = "sts".into();
    }
    r
}

fn blank(id: &str, d: NaiveDate) -> Row {
    let mut r: Row = std::array::from_fn(|_| String::new());
    r[0] = id.into();
    r[2] = d.to_string();
    r
}

fn shipment(rng: &mut Rng, id: &str, d: NaiveDate, dates: &Dates) -> Row {
    let mut r = blank(id, d);
    if rng.pct(10) {
        r[2] = format!("{d}T08:00:00Z");
    }
    if rng.pct(15) {
        r[1] = "shipment".into();
    }
    let c = rng.pick(&[
        "petro",
        "diesel",
        "jet",
        "crude",
        "arms",
        "rifles",
        "luxury",
        "otherarms",
    ]);
    let name = if rng.pct(4) { "mystery" } else { c };
    let hs_for = |c: &str| -> &'static [&'static str] {
        match c {
            "petro" => &["2710", "271012"],
            "diesel" => &["271019", "27101943"],
            "crude" => &["2709"],
            "arms" => &["93", "9302"],
            "rifles" => &["9301", "930190"],
            "otherarms" => &["9302", "9303", "930190"],
            _ => &[],
        }
    };
    match rng.below(10) {
        0..=3 => r[3] = name.into(),
        4..=6 => {
            r[3] = name.into();
            let own = hs_for(name);
            r[4] = if own.is_empty() || rng.pct(15) {
                rng.pick(&["2710", "271019", "2709", "93", "9301", "8703"])
            } else {
                rng.pick(own)
            }
            .into();
        }
        _ => {
            r[4] = rng
                .pick(&[
                    "2710", "271019", "27101943", "271012", "2709", "27", "93", "9301", "930190",
                    "9303", "8703",
                ])
                .into()
        }
    }
    let unit = if rng.pct(80) {
        match name {
            "petro" | "diesel" | "jet" | "crude" => rng.pick(&["t", "bbl", "kg", "l", "m3"]),
            "arms" | "rifles" | "otherarms" => rng.pick(&["units", "kg", "t"]),
            _ => "units",
        }
    } else {
        rng.pick(&GOODS_UNITS)
    };
    let (lo, hi) = magnitude(unit);
    let a = match rng.below(30) {
        0 => "0".to_string(),
        1 => "1.5e1".into(),
        2 => "1_000".into(),
        3 => "+12".into(),
        _ => amount(rng, lo, hi),
    };
    if !rng.pct(4) {
        r[5] = format!("{a} {unit}");
    }
    // Bounds of an estimate, sometimes wrong (above or below the figure,
    // another unit) or without a figure.
    if rng.pct(10) {
        let u = if rng.pct(85) { unit } else { "kg" };
        r[20] = format!("{} {u}", rng.pick(&["0", "1", "1.5", a.as_str(), "99999"]));
    }
    if rng.pct(10) {
        let u = if rng.pct(85) { unit } else { "t" };
        r[21] = format!("{} {u}", rng.pick(&["1", a.as_str(), "100000", "5e5"]));
    }
    if rng.pct(45) {
        let per = rng.pick(&["bbl", "bbl", "t", "kg", "units"]);
        let amount = match per {
            "bbl" => rng.pick(&["60", "60.01", "59.99", "47.60", "75", "100"]),
            "t" => rng.pick(&["439.80", "440", "350", "800"]),
            "kg" => rng.pick(&["0.4398", "0.5"]),
            _ => rng.pick(&["10", "1000"]),
        };
        let cur = if rng.pct(90) { "USD" } else { "EUR" };
        r[6] = if rng.pct(30) {
            format!("{amount} {cur} per {per}")
        } else {
            format!("{amount} {cur}/{per}")
        };
    }
    if rng.pct(70) {
        let cur = if rng.pct(85) { "USD" } else { "EUR" };
        r[7] = format!("{} {cur}", amount(rng, 100, 9000));
    }
    if rng.pct(85) {
        r[8] = rng.pick(&EVENT_PARTIES).into();
    }
    if rng.pct(85) || r[8].is_empty() {
        r[9] = rng.pick(&EVENT_PARTIES).into();
    }
    let via: Vec<&str> = (0..rng.pick(&[0, 0, 0, 1, 1, 2]))
        .map(|_| rng.pick(&EVENT_PARTIES))
        .collect();
    r[10] = via.join(";");
    if rng.pct(15) {
        r[13] = rng.pick(&["hum", "lic", "hum;lic", "nonesuch"]).into();
    }
    if rng.pct(25) {
        r[14] = dates.pick(rng).to_string();
    }
    if rng.pct(25) {
        r[15] = dates.pick(rng).to_string();
    }
    if rng.pct(50) {
        r[16] = dates.pick(rng).to_string();
    }
    if rng.pct(6) {
        r[17] = rng.pick(&["hs", "cn", "CN"]).into();
    }
    if rng.pct(10) {
        r[19] = rng.pick(&["estimated", "notified", "customs"]).into();
    }
    if rng.pct(15) {
        r[30] = rng.pick(&["sts", "pipeline", "Pipeline", "port"]).into();
    }
    if rng.pct(45) {
        vessel(rng, &mut r, "vessel", false);
        if r[30] == "sts" || rng.pct(20) {
            vessel(rng, &mut r, "counterpart_vessel", false);
        }
    }
    if rng.pct(45) {
        parties(rng, &mut r, false);
    }
    r
}

struct Case {
    seed: u64,
    rules: String,
    /// A designation list (a plain CSV file), named `lst` in the rules.
    list: Option<String>,
    events: Vec<Row>,
    as_of: NaiveDate,
}

fn gen_case(seed: u64) -> Case {
    let mut rng = Rng(seed);
    let mut rules = declarations(&mut rng);
    let start = date("2023-11-01");
    let mut hot: Vec<NaiveDate> = (0..rng.range(2, 5))
        .map(|_| {
            if rng.pct(50) {
                date(rng.pick(&EDGES))
            } else {
                shift(start, rng.range(0, 180))
            }
        })
        .collect();
    hot.sort();
    let dates = Dates { hot };
    let mut events = Vec::new();
    let n = rng.range(1, 25);
    let mut ids: Vec<String> = Vec::new();
    for k in 0..n {
        let id = format!("e{}", rng.range(1, 99) * 100 + k);
        let d = dates.pick(&mut rng);
        events.push(shipment(&mut rng, &id, d, &dates));
        ids.push(id);
    }
    for k in 0..rng.range(0, 3) {
        if ids.is_empty() {
            break;
        }
        let i = rng.below(ids.len());
        let base = date(events[i][2].get(..10).unwrap_or("2024-01-01"));
        let mut r = blank(&format!("r{k}"), shift(base, rng.range(-2, 40)));
        r[1] = "report".into();
        r[11] = "RUS".into();
        let mut covers = vec![ids[i].clone()];
        if rng.pct(40) {
            covers.push(
                rng.pick(&ids.iter().map(String::as_str).collect::<Vec<_>>())
                    .into(),
            );
        }
        if rng.pct(10) {
            covers.push("ghost".into());
        }
        r[12] = covers.join(";");
        events.push(r);
    }
    for k in 0..rng.range(0, 3) {
        if rng.pct(50) {
            let d = dates.pick(&mut rng);
            events.push(port_call(&mut rng, &format!("pc{k}"), d, false));
        }
    }
    // Bad rows: each rejected with its code, and changing nothing else.
    for k in 0..rng.range(0, 3) {
        if !rng.pct(50) {
            continue;
        }
        let d = dates.pick(&mut rng);
        let mut e = shipment(&mut rng, &format!("bad{k}"), d, &dates);
        match rng.below(24) {
            0 => e[2] = "2024-02-30".into(),
            1 => e[5] = "-5 t".into(),
            2 => e[5] = "5 barrels".into(),
            3 => e[8] = "Narnia".into(),
            4 => e[9] = "G1".into(),
            5 => e[4] = "27a1".into(),
            6 => e[1] = "invoice".into(),
            7 => {
                e[3].clear();
                e[4].clear();
            }
            8 => {
                e[8].clear();
                e[9].clear();
            }
            9 => e[5] = "5 USD".into(),
            10 => {
                e[1] = "report".into();
                e[12].clear();
            }
            11 => e[5] = "1,000 t".into(),
            12 => e[5] = "44".into(),
            13 => e[6] = "60 USD".into(),
            14 => e[7] = "100 t".into(),
            15 => e[16] = "2024-13-01".into(),
            16 => e[17] = "harmonised".into(),
            17 => e[19] = "rumour".into(),
            18 => e[30] = "teleport".into(),
            19 => vessel(&mut rng, &mut e, "vessel", true),
            20 => vessel(&mut rng, &mut e, "counterpart_vessel", true),
            21 => parties(&mut rng, &mut e, true),
            22 => e = port_call(&mut rng, &format!("bad{k}"), d, true),
            _ => e[0].clear(),
        }
        events.push(e);
    }
    if rng.pct(5) && !ids.is_empty() {
        let id = ids[rng.below(ids.len())].clone();
        let d = dates.pick(&mut rng);
        events.push(shipment(&mut rng, &id, d, &dates));
    }
    let event_dates: Vec<NaiveDate> = events
        .iter()
        .filter_map(|e| NaiveDate::parse_from_str(e[2].get(..10).unwrap_or(""), "%Y-%m-%d").ok())
        .collect();
    for i in 0..rng.range(1, 4) {
        rules.push('\n');
        rules.push_str(&rule_text(&mut rng, &format!("r{i}"), &dates, &event_dates));
        rules.push('\n');
    }
    if rng.pct(30) {
        rules.push('\n');
        rules.push_str(&port_rule(&mut rng, "pcr", &dates));
        rules.push('\n');
    }
    let list = rng.pct(40).then(|| {
        let _ = writeln!(rules, "\nlist lst \"Designated\" = csv \"case{seed}-list.csv\"");
        for (k, who) in [("l0", "vessel"), ("l1", "owner"), ("l2", "any party")] {
            if rng.pct(50) {
                let goods = if rng.pct(50) { "any" } else { "petro" };
                let _ = writeln!(rules, "\n{k}:\nban {goods} with {who} on lst\n    cite \"Rule {k}\"");
            }
        }
        if rng.pct(40) {
            let _ = writeln!(rules, "\nlp:\nban port calls with vessel on lst\n    cite \"Rule lp\"");
        }
        if rng.pct(50) {
            let who = rng.pick(&["party", "owner or operator", "vessel", "any party"]);
            let _ = writeln!(
                rules,
                "\nlc:\ncap petro {} t per year\n    provided no {who} on lst\n    cite \"Rule lc\"",
                rng.range(20, 200)
            );
        }
        designation_list(&mut rng, &dates)
    });

    // Shuffle the input order.
    for i in (1..events.len()).rev() {
        let j = rng.below(i + 1);
        events.swap(i, j);
    }
    let as_of = if rng.pct(30) {
        date("2030-01-01")
    } else {
        dates.pick(&mut rng)
    };
    Case {
        seed,
        rules,
        list,
        events,
        as_of,
    }
}

fn csv_text(rows: &[Row]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&sanc::events::FIELD_NAMES[..COLUMNS])
        .unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

// ---------------------------------------------------------------------------
// Running and comparing
// ---------------------------------------------------------------------------

fn sanc() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_sanc"))
}

/// `sanc eval --format json` on a case's files.
fn eval(rules: &Path, events: &Path, as_of: &str) -> Value {
    let out = Command::new(sanc())
        .env("NO_COLOR", "1")
        .arg("eval")
        .arg(rules)
        .arg(events)
        .args(["--format", "json", "--as-of", as_of])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "sanc eval gave no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn compile(rules: &Path, dialect: &str, as_of: &str) -> Result<String, String> {
    let out = Command::new(sanc())
        .env("NO_COLOR", "1")
        .args([
            "compile",
            "--to",
            "sql",
            "--dialect",
            dialect,
            "--as-of",
            as_of,
        ])
        .arg(rules)
        .output()
        .unwrap();
    if out.status.success() {
        Ok(String::from_utf8(out.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Run cases (script, events file) on an engine, one Python process.
fn run_engine(engine: &str, cases: &[(String, PathBuf)]) -> Vec<Value> {
    let input: Vec<Value> = cases
        .iter()
        .map(|(s, e)| json!({"script": s, "events": e}))
        .collect();
    sql_common::run_cases(engine, input)
}

/// The remarks of a cap that could not count an event's amount.
const CAP_AMOUNT_CODES: [&str; 4] = [
    "sanc::event::unconvertible",
    "sanc::event::missing_value",
    "sanc::event::missing_quantity",
    "sanc::event::other_currency",
];

/// Events the SQL left to `sanc eval` (`out_of_sql_range` on a field it
/// does not read), with everything said about them taken out of both
/// sides.
fn left_to_eval(expected: &Value, got: &Value) -> (Value, Value) {
    let mut ids = BTreeSet::new();
    for d in got["diagnostics"].as_array().into_iter().flatten() {
        if d["code"] == "sanc::event::out_of_sql_range" {
            let field = d["field"].as_str().unwrap_or_default();
            if !sanc::sql::unread_fields().contains(&field)
                && !sanc::sql::list_fields().contains(&field)
            {
                continue;
            }
            ids.insert(d["event"].to_string());
        }
    }
    // An event left to `sanc eval` is not in the SQL's cap totals, nor
    // known to the reports that cover it: with one, caps' findings
    // (those with a window), the caps' remarks on amounts they could not
    // count (dropped for an event that breaks the cap) and unknown covers
    // are not compared.
    let partial = !ids.is_empty();
    let keep = |v: &Value, key: &str| -> Value {
        Value::Array(
            v[key]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|x| !ids.contains(&x["event"].to_string()))
                .filter(|x| !partial || x["window"].is_null())
                .filter(|x| !(partial && x["code"] == "sanc::event::unknown_cover"))
                // Whether a cap could count an event's amount matters only
                // when the cap does not break whatever it is: it depends
                // on the totals too.
                .filter(|x| {
                    !(partial && CAP_AMOUNT_CODES.contains(&x["code"].as_str().unwrap_or_default()))
                })
                .cloned()
                .collect(),
        )
    };
    (
        json!({"findings": keep(expected, "findings"), "diagnostics": keep(expected, "diagnostics")}),
        json!({"findings": keep(got, "findings"), "diagnostics": keep(got, "diagnostics")}),
    )
}

/// Compare one case; a description of every difference.
fn differences(expected: &Value, got: &Value) -> Vec<String> {
    if let Some(e) = got.get("error") {
        return vec![format!("the SQL failed: {e}")];
    }
    let (expected, got) = left_to_eval(expected, got);
    let (expected, got) = (&expected, &got);
    let mut out = Vec::new();
    let a = finding_lines(&expected["findings"]);
    let b = finding_lines(&got["findings"]);
    for x in a.iter().filter(|x| !b.contains(x)) {
        out.push(format!("finding only from sanc eval: {x}"));
    }
    for x in b.iter().filter(|x| !a.contains(x)) {
        out.push(format!("finding only from SQL:       {x}"));
    }
    let a = diagnostic_set(&expected["diagnostics"]);
    let b = diagnostic_set(&got["diagnostics"]);
    for x in a.difference(&b) {
        out.push(format!("diagnostic only from sanc eval: {x}"));
    }
    for x in b.difference(&a) {
        out.push(format!("diagnostic only from SQL:       {x}"));
    }
    out
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn differential(engine: &str, dialect: &str, cases: u64, first_seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut findings = 0usize;
    let mut diagnostics = 0usize;
    let mut features = std::collections::BTreeMap::new();
    let seeds: Vec<u64> = (first_seed..first_seed + cases).collect();
    let chunks: Vec<&[u64]> = seeds.chunks(BATCH).collect();
    let refused = std::sync::atomic::AtomicU64::new(0);
    // Two batches at a time: one Python process each.
    for pair in chunks.chunks(2) {
        let results: Vec<Vec<(Case, Value, Value)>> = std::thread::scope(|scope| {
            let handles: Vec<_> = pair
                .iter()
                .map(|chunk| {
                    let dir = dir.path();
                    let refused = &refused;
                    scope.spawn(move || {
                        let mut batch = Vec::new();
                        let mut expected = Vec::new();
                        for &seed in chunk.iter() {
                            let case = gen_case(seed);
                            let rules = dir.join(format!("case{seed}.sanc"));
                            let events = dir.join(format!("case{seed}.csv"));
                            std::fs::write(&rules, &case.rules).unwrap();
                            write_list(dir, &case);
                            std::fs::write(&events, csv_text(&case.events)).unwrap();
                            let as_of = case.as_of.to_string();
                            let script = match compile(&rules, dialect, &as_of) {
                                Ok(s) => s,
                                // Refused with a located diagnostic: allowed, if rare.
                                Err(e) if e.contains("sanc::compile::unsupported") => {
                                    if refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                                        < 10
                                    {
                                        eprintln!("seed {seed}: refused by the compiler:\n{e}");
                                    }
                                    continue;
                                }
                                Err(e) => panic!(
                                    "seed {seed}: the rules do not compile:\n{e}\n{}",
                                    case.rules
                                ),
                            };
                            let exp = eval(&rules, &events, &as_of);
                            expected.push((case, exp));
                            batch.push((script, events));
                        }
                        let got = run_engine(engine, &batch);
                        expected
                            .into_iter()
                            .zip(got)
                            .map(|((c, e), g)| (c, e, g))
                            .collect()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (case, exp, got) in results.iter().flatten() {
            findings += exp["findings"].as_array().map_or(0, Vec::len);
            diagnostics += diagnostic_set(&exp["diagnostics"]).len();
            tally(case, exp, &mut features);
            let diff = differences(exp, got);
            if !diff.is_empty() && failures.len() < 3 {
                failures.push(failure(case, &diff));
            }
        }
    }
    let stats = Stats {
        features,
        failures,
        findings,
        diagnostics,
        refused: refused.into_inner(),
    };
    report(engine, cases, &stats);
}

/// DuckDB, through long-lived workers (`tests/sql/run.py duckdb-serve`,
/// `SANC_SQL_WORKERS` of them, 2 by default), each fed one case at a time
/// while the next is compiled and judged by `sanc eval`.
#[test]
fn duckdb_agrees_with_sanc_eval() {
    python();
    let cases = env_u64("SANC_SQL_CASES", DUCKDB_CASES);
    let first = env_u64("SANC_SQL_SEED", 1);
    let workers = env_u64("SANC_SQL_WORKERS", 2).max(1);
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let stats = std::sync::Mutex::new(Stats::default());
    std::thread::scope(|scope| {
        for w in 0..workers {
            let (dir, stats) = (dir.path(), &stats);
            scope.spawn(move || {
                let seeds: Vec<u64> = (first..first + cases)
                    .filter(|s| (s - first) % workers == w)
                    .collect();
                serve(dir, &seeds, stats);
            });
        }
    });
    let stats = stats.into_inner().unwrap();
    report("duckdb", cases, &stats);
    eprintln!(
        "duckdb: {cases} cases in {:.1} s with {workers} workers",
        started.elapsed().as_secs_f64()
    );
}

#[derive(Default)]
struct Stats {
    /// How many findings and diagnostics of sanc eval exercised each
    /// feature the SQL reads (see [`tally`]).
    features: std::collections::BTreeMap<&'static str, usize>,
    failures: Vec<String>,
    findings: usize,
    diagnostics: usize,
    refused: u64,
}

/// A case compiled and judged by `sanc eval`: its events file, the
/// script and what `sanc eval` found (`None`: refused by the compiler).
fn prepare(dir: &Path, seed: u64) -> (Case, PathBuf, Option<(String, Value)>) {
    let case = gen_case(seed);
    let rules = dir.join(format!("case{seed}.sanc"));
    let events = dir.join(format!("case{seed}.csv"));
    std::fs::write(&rules, &case.rules).unwrap();
    write_list(dir, &case);
    std::fs::write(&events, csv_text(&case.events)).unwrap();
    let as_of = case.as_of.to_string();
    match compile(&rules, "duckdb", &as_of) {
        Ok(script) => {
            let exp = eval(&rules, &events, &as_of);
            (case, events, Some((script, exp)))
        }
        // Refused with a located diagnostic: allowed, if rare.
        Err(e) if e.contains("sanc::compile::unsupported") => {
            eprintln!("seed {seed}: refused by the compiler:\n{e}");
            (case, events, None)
        }
        Err(e) => panic!(
            "seed {seed}: the rules do not compile:\n{e}\n{}",
            case.rules
        ),
    }
}

/// One worker's seeds, one case ahead: the next case is prepared while
/// the worker runs the current one.
fn serve(dir: &Path, seeds: &[u64], stats: &std::sync::Mutex<Stats>) {
    use std::io::{BufRead, Write};
    let mut child = Command::new(python())
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sql/run.py"))
        .arg("duckdb-serve")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    writeln!(stdin, "{}", json!(sanc::sql::event_columns())).unwrap();
    let mut pending: Option<(Case, Value)> = None;
    let settle = |pending: Option<(Case, Value)>, stdout: &mut dyn BufRead| {
        let Some((case, exp)) = pending else { return };
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let got: Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("run.py duckdb-serve gave no result ({e}): {line}"));
        let mut st = stats.lock().unwrap();
        st.findings += exp["findings"].as_array().map_or(0, Vec::len);
        st.diagnostics += diagnostic_set(&exp["diagnostics"]).len();
        tally(&case, &exp, &mut st.features);
        let diff = differences(&exp, &got);
        if !diff.is_empty() && st.failures.len() < 3 {
            st.failures.push(failure(&case, &diff));
        }
    };
    for &seed in seeds {
        let (case, events, prepared) = prepare(dir, seed);
        let Some((script, exp)) = prepared else {
            stats.lock().unwrap().refused += 1;
            continue;
        };
        writeln!(stdin, "{}", json!({"script": script, "events": events})).unwrap();
        settle(pending.take(), &mut stdout);
        pending = Some((case, exp));
    }
    settle(pending.take(), &mut stdout);
    drop(stdin);
    child.wait().unwrap();
}

fn failure(case: &Case, diff: &[String]) -> String {
    format!(
        "seed {} (as of {}):\n  {}\n--- rules ---\n{}\n--- events ---\n{}",
        case.seed,
        case.as_of,
        diff.join("\n  "),
        case.rules,
        csv_text(&case.events)
    )
}

/// The verdict on a run: no differences, few refusals, and cases that
/// exercised something.
/// Count what a case's expected results exercised: findings of rules on
/// port calls, vessels' flags, parties' nationalities and designation
/// lists; event checks of vessels, parties by role and ports.
fn tally(case: &Case, exp: &Value, into: &mut std::collections::BTreeMap<&'static str, usize>) {
    for f in exp["findings"].as_array().into_iter().flatten() {
        let id = f["rule"].as_str().unwrap_or_default();
        let Some(at) = case.rules.find(&format!("\n{id}:\n")) else {
            continue;
        };
        let text = case.rules[at..].split("\n\n").next().unwrap_or_default();
        for (word, feature) in [
            ("port calls", "finding: ban port calls"),
            (" flagged ", "finding: with vessel flagged"),
            ("with owner", "finding: with ROLE in"),
            ("with operator", "finding: with ROLE in"),
            ("with any party in", "finding: with ROLE in"),
            ("with charterer", "finding: with ROLE in"),
            ("with insurer", "finding: with ROLE in"),
            (" on lst", "finding: with … on LIST"),
            ("provided no", "finding: provided no … on LIST"),
        ] {
            if text.contains(word) {
                *into.entry(feature).or_default() += 1;
            }
        }
    }
    for d in exp["diagnostics"].as_array().into_iter().flatten() {
        let (code, field) = (
            d["code"].as_str().unwrap_or_default(),
            d["field"].as_str().unwrap_or_default(),
        );
        let feature = match code {
            "sanc::event::bad_imo" => "diagnostic: bad_imo",
            "sanc::event::unknown_party" if field.ends_with("flag") => "diagnostic: flag",
            "sanc::event::unknown_party" if field.starts_with("party_") => {
                "diagnostic: party by role"
            }
            "sanc::event::missing_field" if field.starts_with("party_") => {
                "diagnostic: party by role"
            }
            "sanc::event::unknown_party" | "sanc::event::missing_field" if field == "port" => {
                "diagnostic: port"
            }
            _ => continue,
        };
        *into.entry(feature).or_default() += 1;
    }
}

fn report(engine: &str, cases: u64, st: &Stats) {
    eprintln!("{engine}: exercised {:?}", st.features);
    if cases >= 200 {
        for f in [
            "finding: ban port calls",
            "finding: with vessel flagged",
            "finding: with ROLE in",
            "diagnostic: bad_imo",
            "diagnostic: flag",
            "diagnostic: party by role",
            "diagnostic: port",
        ] {
            assert!(
                st.features.get(f).is_some_and(|n| *n > 0),
                "no {f} in {cases} cases"
            );
        }
    }
    assert!(
        st.failures.is_empty(),
        "{engine}: sanc eval and the compiled SQL disagree:\n\n{}",
        st.failures.join("\n\n")
    );
    assert!(
        st.refused * 100 <= cases,
        "{} of {cases} rule sets could not be compiled to SQL",
        st.refused
    );
    assert!(
        st.findings > cases as usize,
        "only {} findings in {cases} cases",
        st.findings
    );
    assert!(
        st.diagnostics > cases as usize / 10,
        "only {} diagnostics",
        st.diagnostics
    );
    eprintln!(
        "{engine}: {cases} cases ({} refused by the compiler), {} findings, {} diagnostics: identical",
        st.refused, st.findings, st.diagnostics
    );
}

/// Spark in local mode, one session for all the cases (its start and the
/// JVM's warm-up are paid once); fewer cases than DuckDB, as Spark plans
/// and compiles each stage of a script (`SANC_SPARK_CASES` for more).
#[test]
fn spark_agrees_with_sanc_eval() {
    python();
    let started = std::time::Instant::now();
    let cases = env_u64("SANC_SPARK_CASES", SPARK_CASES);
    differential(
        "spark",
        "spark",
        cases,
        env_u64("SANC_SQL_SEED", 1) + 100_000,
    );
    eprintln!(
        "spark: {cases} cases in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// PostgreSQL through `psql`, on the server `PGHOST`/`PGPORT`/`PGUSER`
/// name (no server is started by the test set-up):
/// `cargo test --test sql_differential postgres -- --ignored`.
#[test]
#[ignore = "needs a PostgreSQL server named by PGHOST, PGPORT and PGUSER"]
fn postgres_agrees_with_sanc_eval() {
    python();
    differential(
        "postgres",
        "postgres",
        env_u64("SANC_PG_CASES", 50),
        env_u64("SANC_SQL_SEED", 1) + 200_000,
    );
}
