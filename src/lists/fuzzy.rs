//! Fuzzy matching without scanning the list: the compact keys of every
//! name and alias, grouped by length and indexed by their bigrams.
//!
//! A name's score against a key is `1 − d ÷ L`, where `d` is the edit
//! distance between the compact keys and `L` the longer length. Two
//! lossless filters leave out keys that cannot reach the threshold `t`:
//!
//! - length: since `d ≥ |n − m|`, a key of length `m` can score `t` only
//!   if `min(n, m) ≥ t · max(n, m)`;
//! - bigrams: a key within `k` edits of the name shares at least
//!   `L − 1 − 2k` of its bigrams (each edit breaks at most two), where `k`
//!   is the most edits the threshold allows at that length. When that bound
//!   is positive, only keys found through the name's bigrams are scored;
//!   otherwise (short keys, low thresholds) every key of the length is.
//!
//! Every key that reaches the threshold is found, exactly as a scan of all
//! the keys would find it.

use rust_decimal::Decimal;
use std::collections::HashMap;
use std::ops::Range;

use super::{entry_names, normalize, Entry};

#[derive(Debug, Default)]
pub struct Index {
    /// (entry, compact key), ordered by the key's length.
    keys: Vec<(u32, Box<str>)>,
    /// Length → the range of `keys` of that length.
    by_len: Vec<Range<usize>>,
    /// Bigram → (key, how many times it has it), keys in order.
    grams: HashMap<[u8; 2], Vec<(u32, u16)>>,
}

/// A compact key's bigrams with their counts, sorted.
fn bigrams(key: &str) -> Vec<([u8; 2], u16)> {
    let mut g: Vec<[u8; 2]> = key.as_bytes().windows(2).map(|w| [w[0], w[1]]).collect();
    g.sort_unstable();
    let mut out: Vec<([u8; 2], u16)> = Vec::with_capacity(g.len());
    for x in g {
        match out.last_mut() {
            Some((y, n)) if *y == x => *n = n.saturating_add(1),
            _ => out.push((x, 1)),
        }
    }
    out
}

impl Index {
    pub fn new(entries: &[Entry]) -> Self {
        let mut keys: Vec<(u32, Box<str>)> = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            let first = keys.len();
            for (n, _) in entry_names(e) {
                let c = normalize::compact(&n);
                if !c.is_empty() && !keys[first..].iter().any(|(_, k)| **k == *c) {
                    keys.push((i as u32, c.into()));
                }
            }
        }
        // Stable: keys of one length stay in entry order.
        keys.sort_by_key(|(_, k)| k.len());
        let longest = keys.last().map_or(0, |(_, k)| k.len());
        let mut by_len = vec![0..0; longest + 1];
        let mut start = 0;
        for (len, slot) in by_len.iter_mut().enumerate() {
            let end = start
                + keys[start..]
                    .iter()
                    .take_while(|(_, k)| k.len() == len)
                    .count();
            *slot = start..end;
            start = end;
        }
        let mut grams: HashMap<[u8; 2], Vec<(u32, u16)>> = HashMap::new();
        for (j, (_, k)) in keys.iter().enumerate() {
            for (g, n) in bigrams(k) {
                grams.entry(g).or_default().push((j as u32, n));
            }
        }
        Index {
            keys,
            by_len,
            grams,
        }
    }

    /// Every entry with a key scoring at least `threshold` against `name`,
    /// with its score (three decimals, cut), entries in any order and
    /// possibly more than once (each of its keys that scores).
    pub fn similar(&self, name: &str, threshold: Decimal) -> Vec<(u32, Decimal)> {
        let query = normalize::compact(name);
        let n = query.len();
        let mut out = Vec::new();
        if n == 0 {
            return out;
        }
        // Per length: can it score, and the bigrams a key must share (≤ 0: scan).
        let plan: Vec<Option<i64>> = (0..self.by_len.len())
            .map(|m| {
                let longest = n.max(m);
                let (lo, hi) = (Decimal::from(n.min(m)), Decimal::from(longest));
                if m == 0 || lo < threshold * hi {
                    return None;
                }
                let edits = ((Decimal::ONE - threshold) * hi)
                    .floor()
                    .try_into()
                    .unwrap_or(i64::MAX / 4);
                Some(longest as i64 - 1 - 2 * edits)
            })
            .collect();
        let score = |j: usize, out: &mut Vec<(u32, Decimal)>| {
            let Some((entry, key)) = self.keys.get(j) else {
                return;
            };
            let d = strsim::levenshtein(&query, key);
            let longest = n.max(key.len());
            if d >= longest {
                return;
            }
            // score = (longest − d) / longest ≥ threshold, compared exactly.
            let same = Decimal::from(longest - d);
            if same >= threshold * Decimal::from(longest) {
                let s = (same / Decimal::from(longest))
                    .round_dp_with_strategy(3, rust_decimal::RoundingStrategy::ToZero);
                out.push((*entry, s));
            }
        };
        // Lengths to scan whole.
        for (m, p) in plan.iter().enumerate() {
            if matches!(p, Some(b) if *b <= 0) {
                for j in self.by_len[m].clone() {
                    score(j, &mut out);
                }
            }
        }
        // The others: keys sharing enough bigrams.
        if plan.iter().any(|p| matches!(p, Some(b) if *b > 0)) {
            let mut shared: HashMap<u32, i64> = HashMap::new();
            for (g, c) in bigrams(&query) {
                for (j, cj) in self.grams.get(&g).into_iter().flatten() {
                    let len = self.keys.get(*j as usize).map_or(0, |(_, k)| k.len());
                    if matches!(plan.get(len), Some(Some(b)) if *b > 0) {
                        *shared.entry(*j).or_default() += i64::from(c.min(*cj));
                    }
                }
            }
            let mut hits: Vec<u32> = shared
                .into_iter()
                .filter(|(j, s)| {
                    let len = self.keys.get(*j as usize).map_or(0, |(_, k)| k.len());
                    matches!(plan.get(len), Some(Some(b)) if s >= b)
                })
                .map(|(j, _)| j)
                .collect();
            hits.sort_unstable();
            for j in hits {
                score(j as usize, &mut out);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn entry(name: &str) -> Entry {
        Entry {
            reference: name.into(),
            name: name.into(),
            aliases: Vec::new(),
            imo: Vec::new(),
            listed_on: None,
            delisted_on: None,
            schema: None,
            line: 1,
        }
    }

    /// The index finds what scoring every key finds, at every threshold.
    #[test]
    fn same_as_a_scan() {
        let names = [
            "Chon Ma San",
            "Sam Jong 1",
            "Sam Jong 2",
            "Yu Jong 2",
            "Kum Un San 3",
            "Ocean Maritime Management",
            "OMM",
            "A",
            "Ji Song 6",
            "Ji Song 8",
            "Nam San 8",
            "Paek Yang San",
            "Korea Ansan Shipping",
            "An San 1",
            "Rye Song Gang 1",
            "Hae Song",
            "Song Hae",
            "Xin Yuan 18",
        ];
        let entries: Vec<Entry> = names.iter().map(|n| entry(n)).collect();
        let index = Index::new(&entries);
        let queries = [
            "Chon Ma Sam",
            "Sam Jong 7",
            "SAMJONG",
            "OM",
            "Oceam Maritime Managment",
            "Ji Song 9",
            "Nam San",
            "Korea An San Shipping",
            "B",
            "Hae Song Ho",
            "Xin Yuan 19",
            "Paek Yang",
        ];
        for q in queries {
            for t in [
                "0", "0.3", "0.5", "0.7", "0.8", "0.85", "0.875", "0.9", "0.95", "1",
            ] {
                let t: Decimal = t.parse().unwrap();
                let qc = normalize::compact(q);
                let mut scan: Vec<(u32, Decimal)> = Vec::new();
                for (i, e) in entries.iter().enumerate() {
                    let c = normalize::compact(&e.name);
                    let d = strsim::levenshtein(&qc, &c);
                    let l = qc.len().max(c.len());
                    if d < l && Decimal::from(l - d) >= t * Decimal::from(l) {
                        let s = (Decimal::from(l - d) / Decimal::from(l))
                            .round_dp_with_strategy(3, rust_decimal::RoundingStrategy::ToZero);
                        scan.push((i as u32, s));
                    }
                }
                let mut found = index.similar(q, t);
                found.sort();
                assert_eq!(found, scan, "{q} at {t}");
            }
        }
    }
}
