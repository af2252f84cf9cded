//! The documentation cannot drift from the implementation: every `sanc`
//! example in docs/language.md and docs/diagnostics.md is checked, and the
//! diagnostic codes documented are exactly those sanc emits.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sanc::diagnostic::{Code, Severity};
use sanc::loader::load_texts;
use std::path::Path;

/// Fenced blocks whose info string starts with `sanc`: (info, text, line).
fn blocks(doc: &str) -> Vec<(String, String, usize)> {
    let mut out = Vec::new();
    let mut cur: Option<(String, String, usize)> = None;
    for (n, line) in doc.lines().enumerate() {
        if let Some(info) = line.strip_prefix("```") {
            match cur.take() {
                Some(b) => out.push(b),
                None if info.starts_with("sanc") => {
                    cur = Some((info.to_string(), String::new(), n + 1))
                }
                None => cur = None,
            }
            if !info.is_empty() && !info.starts_with("sanc") {
                // A non-sanc block: skip to its end.
                cur = Some(("skip".into(), String::new(), n + 1));
            }
        } else if let Some((_, text, _)) = &mut cur {
            text.push_str(line);
            text.push('\n');
        }
    }
    out.into_iter()
        .filter(|(info, _, _)| info != "skip")
        .collect()
}

fn read(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap()
}

/// Check one block (with an optional prelude file) against its info string.
fn check_block(doc: &str, info: &str, text: &str, line: usize, prelude: Option<&str>) {
    let mut files = Vec::new();
    if let Some(p) = prelude {
        files.push(("prelude.sanc", p));
    }
    files.push(("example.sanc", text));
    let rules = load_texts(files);
    let diags: Vec<_> = rules.diagnostics().collect();
    let errors: Vec<_> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    let expect = |kind: &str| {
        info.split_whitespace()
            .find_map(|w| w.strip_prefix(kind))
            .map(str::to_string)
    };
    if let Some(code) = expect("error=") {
        assert!(
            errors.iter().any(|d| d.code.as_str() == code),
            "{doc}:{line}: expected error {code}, got {:?}",
            diags
                .iter()
                .map(|d| (d.code, &d.message))
                .collect::<Vec<_>>()
        );
    } else if let Some(code) = expect("warning=") {
        assert!(
            errors.is_empty(),
            "{doc}:{line}: unexpected errors {errors:?}"
        );
        assert!(
            diags.iter().any(|d| d.code.as_str() == code),
            "{doc}:{line}: expected warning {code}"
        );
    } else {
        assert!(
            errors.is_empty(),
            "{doc}:{line}: the example has errors: {errors:?}"
        );
    }
}

#[test]
fn every_language_reference_example_checks() {
    let doc = read("docs/language.md");
    let all = blocks(&doc);
    let preludes: Vec<_> = all
        .iter()
        .filter(|(i, _, _)| i.contains("prelude"))
        .collect();
    assert_eq!(preludes.len(), 1, "exactly one ```sanc prelude block");
    let prelude = preludes[0].1.clone();
    let rules = load_texts([("prelude.sanc", prelude.as_str())]);
    assert!(!rules.has_errors(), "the prelude has errors");
    let mut n = 0;
    for (info, text, line) in all.iter().filter(|(i, _, _)| !i.contains("prelude")) {
        check_block("docs/language.md", info, text, *line, Some(&prelude));
        n += 1;
    }
    assert!(n >= 25, "only {n} examples");
}

#[test]
fn every_diagnostics_example_produces_its_code() {
    let doc = read("docs/diagnostics.md");
    let mut n = 0;
    for (info, text, line) in blocks(&doc) {
        check_block("docs/diagnostics.md", &info, &text, line, None);
        n += 1;
    }
    assert!(n >= 25, "only {n} examples");
}

#[test]
fn the_readme_examples_parse_and_the_full_one_checks() {
    let readme = read("README.md");
    let all = blocks(&readme);
    assert_eq!(all.len(), 2);
    for (_, text, line) in &all {
        let parsed = sanc::syntax::parse(sanc::source::FileId(0), text);
        assert!(
            parsed.diagnostics.is_empty(),
            "README.md:{line}: {:?}",
            parsed.diagnostics
        );
    }
    check_block("README.md", "sanc", &all[1].1, all[1].2, None);
}

/// The ```text block that follows each example in docs/diagnostics.md
/// quotes what sanc prints: every quoted line must be in the real output.
#[test]
fn quoted_output_in_diagnostics_md_is_what_sanc_prints() {
    let doc = read("docs/diagnostics.md");
    let renderer = sanc::report::human::HumanRenderer::new(false);
    let mut example: Option<String> = None;
    let mut in_text = false;
    let mut in_sanc = false;
    let mut current = String::new();
    let mut checked = 0;
    for (n, line) in doc.lines().enumerate() {
        if line.starts_with("### ") {
            example = None;
        }
        if let Some(info) = line.strip_prefix("```") {
            if in_sanc {
                example = Some(std::mem::take(&mut current));
                in_sanc = false;
            } else if in_text {
                in_text = false;
            } else if info.starts_with("sanc") {
                in_sanc = true;
                current.clear();
            } else if info == "text" && example.is_some() {
                in_text = true;
            }
            continue;
        }
        if in_sanc {
            current.push_str(line);
            current.push('\n');
        } else if in_text {
            let Some(ex) = &example else { continue };
            let rules = load_texts([("example.sanc", ex.as_str())]);
            let out: String = rules
                .diagnostics()
                .map(|d| renderer.render(d, &rules.sources))
                .collect();
            let quoted = line.trim().trim_start_matches(['×', '⚠', '☞']).trim();
            if quoted.is_empty() || quoted.starts_with('…') {
                continue;
            }
            assert!(
                out.contains(quoted),
                "docs/diagnostics.md:{}: `{quoted}` is not in the output:\n{out}",
                n + 1
            );
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} quoted lines");
}

#[test]
fn every_rule_code_is_documented_and_no_other() {
    let doc = read("docs/diagnostics.md");
    let documented: Vec<&str> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("### `").and_then(|l| l.strip_suffix('`')))
        .filter(|c| c.starts_with("sanc::") && !c.starts_with("sanc::event::"))
        .collect();
    let rule_codes: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| !c.is_event())
        .map(|c| c.as_str())
        .collect();
    assert_eq!(
        documented, rule_codes,
        "docs/diagnostics.md sections vs the rule codes of `Code`, in order"
    );
}

#[test]
fn every_event_code_is_documented() {
    let doc = read("docs/events.md");
    for code in sanc::diagnostic::Code::ALL.iter().filter(|c| c.is_event()) {
        assert!(
            doc.contains(&format!("`{code}`")),
            "docs/events.md does not explain {code}"
        );
    }
}
