//! Designation lists: who and which vessels a sanctions authority has
//! listed, and since when. Read from the files analysts have (the UN
//! Consolidated List XML, OpenSanctions `targets.simple.csv`,
//! FollowTheMoney JSON lines, a plain CSV), indexed once, and matched
//! against the names and IMO numbers events give.
//!
//! Matching says how it matched ([`Method`]): by IMO number, by the
//! entry's name or an alias after normalisation ([`normalize`]), or, when a
//! rule asks for it, by similarity above a threshold.

mod fuzzy;
pub mod normalize;
mod read;

pub use read::{load, LoadProblem};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::PathBuf;

/// The file formats a list may come in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// The UN Security Council Consolidated List, XML.
    UnXml,
    /// OpenSanctions `targets.simple.csv`.
    OpenSanctions,
    /// FollowTheMoney entities, one JSON object per line.
    Ftm,
    /// A plain CSV: `name, imo, listed_on, delisted_on, reference` (and `aliases`).
    Csv,
}

impl Format {
    pub const NAMES: [&'static str; 4] = ["un", "opensanctions", "ftm", "csv"];

    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "un" => Some(Format::UnXml),
            "opensanctions" => Some(Format::OpenSanctions),
            "ftm" => Some(Format::Ftm),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::UnXml => "un",
            Format::OpenSanctions => "opensanctions",
            Format::Ftm => "ftm",
            Format::Csv => "csv",
        }
    }

    /// In words, for hovers and messages.
    pub fn describe(self) -> &'static str {
        match self {
            Format::UnXml => "UN Consolidated List (XML)",
            Format::OpenSanctions => "OpenSanctions targets.simple.csv",
            Format::Ftm => "FollowTheMoney JSON lines",
            Format::Csv => "CSV (name, imo, listed_on, delisted_on, reference)",
        }
    }
}

/// What a `list` declaration asks for: the file and which of its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub format: Format,
    /// As written in the rule file.
    pub path: String,
    /// Keep entries whose reference begins with one of these (`KP`).
    pub references: Vec<String>,
    /// Keep entries of one of these datasets (OpenSanctions, FollowTheMoney).
    pub datasets: Vec<String>,
    /// Keep entries of one of these schemata (`Vessel`, `Company`, …).
    pub schemata: Vec<String>,
}

/// One listed person, entity or vessel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The list's own reference (`KPe.020`, an OpenSanctions id).
    pub reference: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub imo: Vec<u32>,
    /// Listed from this day on (unknown: listed on every day).
    pub listed_on: Option<NaiveDate>,
    /// No longer listed from this day on.
    pub delisted_on: Option<NaiveDate>,
    pub schema: Option<String>,
    /// 1-based line of the entry in its file.
    pub line: u32,
}

impl Entry {
    /// Was the entry listed on `date`? From its listing day (inclusive) to
    /// its delisting day (exclusive).
    pub fn listed(&self, date: NaiveDate) -> bool {
        self.listed_on.is_none_or(|l| l <= date) && self.delisted_on.is_none_or(|d| date < d)
    }
}

/// How an event's party or vessel matched a list entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The same IMO number.
    Imo,
    /// The entry's name, after normalisation.
    Name,
    /// One of the entry's aliases, after normalisation.
    Alias,
    /// Similar enough to the name or an alias: the score (0–1, three decimals, cut).
    Fuzzy(Decimal),
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Imo => "imo",
            Method::Name => "name",
            Method::Alias => "alias",
            Method::Fuzzy(_) => "fuzzy",
        }
    }

    /// `IMO`, `exact name`, `alias`, `fuzzy 0.93`.
    pub fn describe(self) -> String {
        match self {
            Method::Imo => "IMO number".into(),
            Method::Name => "name".into(),
            Method::Alias => "alias".into(),
            Method::Fuzzy(s) => format!("fuzzy {s}"),
        }
    }
}

/// A fact for a finding: which entry of which list matched which field of
/// the event, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListMatch {
    pub list: Box<str>,
    pub entry_reference: Box<str>,
    pub entry_name: Box<str>,
    pub listed_on: Option<NaiveDate>,
    pub delisted_on: Option<NaiveDate>,
    /// The event's field (`vessel`, `counterpart_vessel`, `parties.owner`).
    pub field: Box<str>,
    /// What the event gave there.
    pub value: Box<str>,
    pub method: Method,
}

/// A hasher for keys that are hashes already (mixed by
/// [`normalize::mix`]), and for IMO numbers, which it mixes.
#[derive(Default, Clone, Copy)]
pub struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = normalize::mix(self.0 ^ normalize::fnv(bytes));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = normalize::mix(u64::from(n));
    }
}

type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Prehashed>>;

/// A Bloom filter of the index's keys, a few bits of one 64-bit word per
/// key, small enough to stay in the processor's cache: most names and IMO
/// numbers of an event stream are on no list, and the filter says so
/// without touching the (larger) index.
#[derive(Debug, Default)]
struct Filter {
    words: Vec<u64>,
    shift: u32,
}

impl Filter {
    fn new(keys: usize) -> Self {
        // About sixteen bits per key: under 1% false positives.
        let n = (keys / 4).max(1).next_power_of_two();
        Filter {
            words: vec![0; n],
            shift: 64 - n.trailing_zeros(),
        }
    }

    /// The word (from the high bits) and three bits (from the low ones).
    fn slot(&self, h: u64) -> (usize, u64) {
        let i = if self.shift >= 64 {
            0
        } else {
            (h >> self.shift) as usize
        };
        let bits = (1u64 << (h & 63)) | (1u64 << ((h >> 6) & 63)) | (1u64 << ((h >> 12) & 63));
        (i, bits)
    }

    fn insert(&mut self, h: u64) {
        let (i, bits) = self.slot(h);
        if let Some(w) = self.words.get_mut(i) {
            *w |= bits;
        }
    }

    fn may_contain(&self, h: u64) -> bool {
        let (i, bits) = self.slot(h);
        self.words.get(i).is_some_and(|w| w & bits == bits)
    }
}

/// The filter's key for an IMO number (apart from names' hashes).
fn imo_key(imo: u32) -> u64 {
    normalize::mix(u64::from(imo) ^ 0x1f0_1f0_1f0)
}

/// A loaded list with its index.
#[derive(Debug)]
pub struct List {
    pub name: String,
    pub spec: Spec,
    /// The file it was read from.
    pub file: PathBuf,
    pub entries: Vec<Entry>,
    /// Entries skipped by the declaration's filters.
    pub filtered_out: usize,
    by_imo: FastMap<u32, Vec<u32>>,
    /// Hash of a normalised key or compact key ([`normalize::key_hashes`])
    /// → (entry, is an alias); a hit is confirmed against the entry's own keys.
    by_key: FastMap<u64, Vec<(u32, bool)>>,
    /// Every key of `by_key` and `by_imo`.
    filter: Filter,
    /// For fuzzy matching, built when a rule first asks for it.
    fuzzy: std::sync::OnceLock<fuzzy::Index>,
}

impl List {
    pub fn new(
        name: String,
        spec: Spec,
        file: PathBuf,
        entries: Vec<Entry>,
        filtered_out: usize,
    ) -> Self {
        let n = entries.len();
        let mut by_imo: FastMap<u32, Vec<u32>> =
            FastMap::with_capacity_and_hasher(n, Default::default());
        let mut by_key: FastMap<u64, Vec<(u32, bool)>> =
            FastMap::with_capacity_and_hasher(n * 2, Default::default());
        for (i, e) in entries.iter().enumerate() {
            let i = i as u32;
            for n in &e.imo {
                by_imo.entry(*n).or_default().push(i);
            }
            for (n, alias) in entry_names(e) {
                let Some((sorted, compact)) = normalize::key_hashes(&n) else {
                    continue;
                };
                for k in [sorted, compact] {
                    let v = by_key.entry(k).or_default();
                    if !v.contains(&(i, alias)) {
                        v.push((i, alias));
                    }
                }
            }
        }
        let mut filter = Filter::new(by_key.len() + by_imo.len());
        for k in by_key.keys() {
            filter.insert(*k);
        }
        for imo in by_imo.keys() {
            filter.insert(imo_key(*imo));
        }
        List {
            name,
            spec,
            file,
            entries,
            filtered_out,
            by_imo,
            by_key,
            filter,
            fuzzy: std::sync::OnceLock::new(),
        }
    }

    /// The earliest listing and latest delisting days of the entries.
    pub fn date_range(&self) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let first = self.entries.iter().filter_map(|e| e.listed_on).min();
        let last = self
            .entries
            .iter()
            .flat_map(|e| [e.listed_on, e.delisted_on])
            .flatten()
            .max();
        (first, last)
    }

    /// Might an entry have this IMO number? `false`: certainly none has.
    /// Only a filter probe: cheap, and a run of them (one per field of an
    /// event) overlaps its memory accesses.
    pub fn may_have_imo(&self, imo: u32) -> bool {
        self.filter.may_contain(imo_key(imo))
    }

    /// Might an entry's name or alias match `name` exactly (as
    /// [`List::by_name`] matches without `fuzzy`)? `false`: certainly none does.
    pub fn may_have_name(&self, name: &str) -> bool {
        normalize::key_hashes(name)
            .is_some_and(|(a, b)| self.filter.may_contain(a) | self.filter.may_contain(b))
    }

    /// Entries with this IMO number listed on `date`.
    pub fn by_imo(&self, imo: u32, date: NaiveDate) -> impl Iterator<Item = &Entry> + '_ {
        self.filter
            .may_contain(imo_key(imo))
            .then(|| self.by_imo.get(&imo))
            .flatten()
            .into_iter()
            .flatten()
            .filter_map(|i| self.entries.get(*i as usize))
            .filter(move |e| e.listed(date))
    }

    /// Entries whose name or alias matches `name` listed on `date`: exactly
    /// after normalisation, or, with `fuzzy`, with a similarity of at least
    /// that share (0–1) — the best match of each entry, with its method.
    pub fn by_name(
        &self,
        name: &str,
        date: NaiveDate,
        fuzzy: Option<Decimal>,
    ) -> Vec<(&Entry, Method)> {
        let Some((sorted_hash, compact_hash)) = normalize::key_hashes(name) else {
            return Vec::new();
        };
        let mut out: Vec<(u32, Method)> = Vec::new();
        let mut keys: Option<(String, String)> = None;
        for h in [sorted_hash, compact_hash] {
            if !self.filter.may_contain(h) {
                continue;
            }
            for (i, alias) in self.by_key.get(&h).into_iter().flatten() {
                // Confirm the hit on the keys themselves (hashes may collide).
                let (sorted, compact) =
                    keys.get_or_insert_with(|| normalize::keys(name).unwrap_or_default());
                let Some(e) = self.entries.get(*i as usize) else {
                    continue;
                };
                if !entry_has_key(e, sorted, compact) {
                    continue;
                }
                let m = if *alias { Method::Alias } else { Method::Name };
                push_best(&mut out, *i, m);
            }
        }
        if let Some(threshold) = fuzzy {
            if out.is_empty() {
                let index = self.fuzzy.get_or_init(|| fuzzy::Index::new(&self.entries));
                for (i, score) in index.similar(name, threshold) {
                    push_best(&mut out, i, Method::Fuzzy(score));
                }
            }
        }
        out.sort_by_key(|(i, _)| *i);
        out.into_iter()
            .filter_map(|(i, m)| self.entries.get(i as usize).map(|e| (e, m)))
            .filter(|(e, _)| e.listed(date))
            .collect()
    }
}

/// The names an entry is indexed under (its name, aliases, and the parts
/// of a bracketed name), as in [`List::new`].
pub fn entry_names(e: &Entry) -> Vec<(String, bool)> {
    let mut names: Vec<(String, bool)> = std::iter::once((e.name.clone(), false))
        .chain(e.aliases.iter().map(|a| (a.clone(), true)))
        .collect();
    // `OCEAN MARITIME MANAGEMENT COMPANY, LIMITED (OMM)`: the name
    // without its bracket, and what the bracket holds as an alias.
    for (n, alias) in names.clone() {
        if let (Some(a), Some(b)) = (n.find('('), n.rfind(')')) {
            if a < b {
                let outside = format!("{} {}", &n[..a], &n[b + 1..]);
                names.push((outside, alias));
                names.push((n[a + 1..b].to_string(), true));
            }
        }
    }
    names
}

/// Does one of the entry's names have one of these keys?
fn entry_has_key(e: &Entry, sorted: &str, compact: &str) -> bool {
    entry_names(e).iter().any(|(n, _)| {
        normalize::keys(n)
            .is_some_and(|(s, c)| s == sorted || c == compact || c == sorted || s == compact)
    })
}

/// Keep the best method per entry: IMO, then name, then alias, then the
/// highest fuzzy score.
fn push_best(out: &mut Vec<(u32, Method)>, i: u32, m: Method) {
    let rank = |m: &Method| match m {
        Method::Imo => (3, Decimal::ONE),
        Method::Name => (2, Decimal::ONE),
        Method::Alias => (1, Decimal::ONE),
        Method::Fuzzy(s) => (0, *s),
    };
    match out.iter_mut().find(|(j, _)| *j == i) {
        Some(slot) if rank(&m) > rank(&slot.1) => slot.1 = m,
        Some(_) => {}
        None => out.push((i, m)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn list() -> List {
        let e = |r: &str, n: &str, a: &[&str], imo: &[u32], on: &str, off: Option<&str>| Entry {
            reference: r.into(),
            name: n.into(),
            aliases: a.iter().map(|s| s.to_string()).collect(),
            imo: imo.to_vec(),
            listed_on: Some(d(on)),
            delisted_on: off.map(d),
            schema: None,
            line: 1,
        };
        let spec = Spec {
            format: Format::Csv,
            path: "x.csv".into(),
            references: Vec::new(),
            datasets: Vec::new(),
            schemata: Vec::new(),
        };
        List::new(
            "t".into(),
            spec,
            PathBuf::from("x.csv"),
            vec![
                e("V1", "Chon Ma San", &[], &[8_660_313], "2018-03-30", None),
                e("V2", "Sam Jong 1", &[], &[8_405_311], "2018-03-30", None),
                e(
                    "E1",
                    "Ocean Maritime Management Company, Limited",
                    &["OMM"],
                    &[],
                    "2014-07-28",
                    Some("2020-01-01"),
                ),
            ],
            0,
        )
    }

    #[test]
    fn listing_and_delisting_days() {
        let l = list();
        assert_eq!(
            l.by_imo(8_660_313, d("2018-03-29")).count(),
            0,
            "the day before listing"
        );
        assert_eq!(
            l.by_imo(8_660_313, d("2018-03-30")).count(),
            1,
            "the day of listing"
        );
        let omm = |day| l.by_name("OMM", d(day), None).len();
        assert_eq!(omm("2019-12-31"), 1, "the day before delisting");
        assert_eq!(omm("2020-01-01"), 0, "the day of delisting");
    }

    #[test]
    fn methods() {
        let l = list();
        let on = d("2019-01-01");
        let m = |n: &str, f: Option<&str>| {
            l.by_name(n, on, f.map(|f| f.parse().unwrap()))
                .into_iter()
                .map(|(e, m)| (e.reference.clone(), m))
                .collect::<Vec<_>>()
        };
        assert_eq!(m("CHONMASAN", None), [("V1".to_string(), Method::Name)]);
        assert_eq!(m("omm", None), [("E1".to_string(), Method::Alias)]);
        assert_eq!(
            m("Ocean Maritime Management Co., Ltd.", None),
            [("E1".to_string(), Method::Name)]
        );
        // `samjong7` is one edit from `samjong1`: a score of 7/8 = 0.875.
        assert_eq!(m("Sam Jong 7", None), [], "no fuzzy matching unless asked");
        let fuzzy = |t: &str| m("Sam Jong 7", Some(t));
        let hit = [("V2".to_string(), Method::Fuzzy("0.875".parse().unwrap()))];
        assert_eq!(fuzzy("0.875"), hit, "score at the threshold");
        assert_eq!(fuzzy("0.8"), hit, "score above the threshold");
        assert_eq!(fuzzy("0.88"), [], "score below the threshold");
        assert_eq!(
            m("Chon Ma Sam", Some("0.85")),
            [("V1".to_string(), Method::Fuzzy("0.888".parse().unwrap()))]
        );
    }
}
