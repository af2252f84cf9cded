//! The parser and checker never panic, whatever the text: a generated
//! corpus of 12,000 mutations of real rule files, and proptest on arbitrary
//! strings. Every diagnostic's spans must also lie inside its file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use sanc::loader::{load_texts, RuleSource};
use sanc::report::{human::HumanRenderer, json};
use std::path::Path;

/// Seed texts: every `.sanc` file shipped in the repository.
fn seeds() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["tests", "rules", "examples", "docs"] {
        for entry in walkdir::WalkDir::new(root.join(dir)).sort_by_file_name() {
            let Ok(entry) = entry else { continue };
            let p = entry.path();
            if p.extension().is_some_and(|e| e == "sanc") {
                if let Ok(text) = std::fs::read_to_string(p) {
                    out.push(text);
                }
            }
        }
    }
    // Blocks of the language reference too.
    if let Ok(doc) = std::fs::read_to_string(root.join("docs/language.md")) {
        let mut block = None::<String>;
        for line in doc.lines() {
            match (&mut block, line.trim_start().starts_with("```")) {
                (None, true) if line.contains("sanc") => block = Some(String::new()),
                (Some(b), true) => {
                    out.push(std::mem::take(b));
                    block = None;
                }
                (Some(b), false) => {
                    b.push_str(line);
                    b.push('\n');
                }
                _ => {}
            }
        }
    }
    assert!(out.len() >= 20, "too few seed files: {}", out.len());
    out
}

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const TOKENS: &[&str] = &[
    "ban ",
    "cap ",
    "price ",
    "require report of ",
    "within ",
    " days",
    "per ",
    "year",
    "quarter",
    "12 months from 2017-12-22",
    "from ",
    "to ",
    "via ",
    "any ",
    "by origin",
    "warn at ",
    "75%",
    "150%",
    "effective ",
    "until ",
    "2023-02-30",
    "2018-01-01",
    "cite ",
    "\"",
    "\"text\"",
    "\\",
    "except exemption ",
    "severity warning",
    "unless loaded before 2022-12-05 and delivered before 2023-01-19",
    "commodity x = hs 27",
    "party P = PRK",
    "group G = [",
    "]",
    ",",
    "=",
    ":",
    "label:",
    "hs ",
    "1",
    "0",
    "99999999999999999999999999999999",
    "0.000000000000000000000000000001",
    "_",
    "bbl",
    "t",
    "USD",
    "#",
    "## doc\n",
    "\n",
    " ",
    "\t",
    "é",
    "𝄞",
    "\u{FEFF}",
    "\r\n",
    "PRK",
    "DRPK",
    "measured in ",
    "under ",
    "convert x 1 t = 7.33 bbl",
    "regime r",
    "entity e in RUS",
];

fn char_floor(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut s = text.to_string();
    for _ in 0..=rng.below(4) {
        let len = s.len();
        match rng.below(7) {
            0 => {
                let a = char_floor(&s, rng.below(len + 1));
                let b = char_floor(&s, a + rng.below(20));
                s.replace_range(a..b.max(a), "");
            }
            1 | 2 => {
                let a = char_floor(&s, rng.below(len + 1));
                s.insert_str(a, TOKENS[rng.below(TOKENS.len())]);
            }
            3 => {
                let a = char_floor(&s, rng.below(len + 1));
                s.truncate(a);
            }
            4 => {
                let lines: Vec<&str> = s.lines().collect();
                if !lines.is_empty() {
                    let i = rng.below(lines.len());
                    let mut v: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
                    let dup = v[i].clone();
                    v.insert(rng.below(v.len() + 1), dup);
                    s = v.join("\n");
                }
            }
            5 => {
                let mut v: Vec<String> = s.lines().map(str::to_string).collect();
                if v.len() > 1 {
                    let (i, j) = (rng.below(v.len()), rng.below(v.len()));
                    v.swap(i, j);
                    s = v.join("\n");
                }
            }
            _ => {
                let a = char_floor(&s, rng.below(len + 1));
                if let Some(c) = s[a..].chars().next() {
                    let r = ["x", "9", " ", "\"", "%", "-", ":", "["][rng.below(8)];
                    s.replace_range(a..a + c.len_utf8(), r);
                }
            }
        }
    }
    s
}

fn assert_spans_valid(rules: &RuleSource, input: &str) {
    for d in rules.diagnostics() {
        for l in &d.labels {
            let f = rules.sources.get(l.span.file);
            assert!(
                l.span.start <= l.span.end && l.span.end <= f.text.len(),
                "span {:?} outside file of {} bytes for {:?}\ninput:\n{input}",
                l.span,
                f.text.len(),
                d
            );
            assert!(
                f.text.is_char_boundary(l.span.start) && f.text.is_char_boundary(l.span.end),
                "span {:?} not on char boundaries for {:?}\ninput:\n{input}",
                l.span,
                d
            );
        }
    }
}

fn run_one(input: &str, render: bool) {
    let rules = load_texts([("mutant.sanc", input)]);
    assert_spans_valid(&rules, input);
    if render {
        let r = HumanRenderer::new(false);
        for d in rules.diagnostics() {
            let _ = r.render(d, &rules.sources);
            let _ = json::diagnostic(d, &rules.sources);
        }
    }
}

#[test]
fn twelve_thousand_mutants_never_panic() {
    let seeds = seeds();
    let mut rng = Rng(0x5A4C_2397_1718_0001);
    let mut count = 0;
    for i in 0..12_000 {
        let seed = &seeds[rng.below(seeds.len())];
        let input = mutate(&mut rng, seed);
        let result = std::panic::catch_unwind(|| run_one(&input, i % 8 == 0));
        assert!(result.is_ok(), "panicked on mutant {i}:\n{input}");
        count += 1;
    }
    assert_eq!(count, 12_000);
}

#[test]
fn hostile_nesting_and_size_do_not_crash() {
    for input in [
        "[".repeat(100_000),
        "ban x ".repeat(20_000),
        format!("cite \"{}", "a".repeat(100_000)),
        "#".repeat(50_000),
        "\u{FEFF}ban arms to PRK".to_string(),
        String::from_utf8_lossy(&[0xff, 0xfe, 0x00, 0x41]).into_owned(),
    ] {
        run_one(&input, false);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(input in "\\PC{0,200}") {
        run_one(&input, true);
    }

    #[test]
    fn arbitrary_token_soup_never_panics(tokens in proptest::collection::vec(0..TOKENS.len(), 0..40)) {
        let input: String = tokens.into_iter().map(|t| TOKENS[t]).collect();
        run_one(&input, true);
    }
}
