//! `sanc test`: the test runner for rule sets (docs/testing.md).
//!
//! Fixtures under `tests/fixtures/testing/`: `coverage/` a small rule set
//! (`demo.*`, four rules) and tests that pass; `failing/` expectations that
//! do not hold, one of each kind of difference; `malformed/` test files
//! with errors. Snapshots: `INSTA_UPDATE=always cargo test --test
//! sanc_test`, then review `tests/snapshots/sanc_test__*.snap`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use rust_decimal::Decimal;
use sanc::testing::{self, Status};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `sanc test ARGS…` from the crate root: exit code and standard output.
fn sanc_test(args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(root())
        .env("NO_COLOR", "1")
        .arg("test")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

const COVERAGE: &str = "tests/fixtures/testing/coverage";
const FAILING: &str = "tests/fixtures/testing/failing";
const MALFORMED: &str = "tests/fixtures/testing/malformed";

#[test]
fn passing_tests_exit_0_with_a_line_each() {
    let (code, out) = sanc_test(&[COVERAGE]);
    assert_eq!(code, 0, "{out}");
    insta::assert_snapshot!("passing", out);
}

#[test]
fn failing_tests_exit_1_with_a_located_diff() {
    let (code, out) = sanc_test(&[FAILING]);
    assert_eq!(code, 1, "{out}");
    // Each difference points at the line of the test file it is about.
    let file = "tests/fixtures/testing/failing/wrong.sanc-test";
    assert!(out.contains(&format!(
        "~ {file}:31:10: warning of `demo.coal_cap` for `c1`"
    )));
    assert!(out.contains("total: expected 800, got 900; share: expected 80%, got 90%"));
    assert!(out.contains(&format!("- {file}:52:10: expected violation of `demo.coal_cap` for `c3`, not found; why: Demo Art. 2 (wrongly)")));
    assert!(out.contains(&format!("+ {file}:33:1: found violation of `demo.coal_cap` for `c2` (total 1100, window 2023, share 110%), not expected")));
    assert!(out.contains(&format!(
        "- {file}:83:1: expected diagnostic `missing_price` for `p2`, not found"
    )));
    assert!(out.contains(&format!(
        "+ {file}:58:1: found diagnostic `sanc::event::missing_price` for `p1`"
    )));
    insta::assert_snapshot!("failing", out);
}

#[test]
fn malformed_test_files_exit_2_with_file_line_and_column() {
    let (code, out) = sanc_test(&[MALFORMED]);
    assert_eq!(code, 2, "{out}");
    let dir = "tests/fixtures/testing/malformed";
    for expected in [
        format!("{dir}/syntax.sanc-test:4:17: error: not a valid test file: invalid basic string"),
        format!(
            "{dir}/unknown_key.sanc-test:5:1: error: not a valid test file: unknown field `evnt`"
        ),
        format!(
            "{dir}/bad_values.sanc-test:2:9: error: `as_of` must be a date, not `\"1 May 2023\"`"
        ),
        format!("{dir}/bad_values.sanc-test:4:1: error: test `no events` has no events"),
        format!("{dir}/bad_values.sanc-test:19:10: error: unknown finding kind `violaton`"),
        format!(
            "{dir}/unknown_rule.sanc-test:6:8: error: no rule `demo.arms_bann` in the rule set"
        ),
        "help: did you mean `demo.arms_ban`?".to_string(),
        format!("{dir}/unknown_rule.sanc-test:19:15: error: cannot read `{dir}/missing.ndjson`"),
    ] {
        assert!(out.contains(&expected), "missing {expected:?} in\n{out}");
    }
    insta::assert_snapshot!("malformed", out);
}

#[test]
fn a_missing_path_or_a_folder_without_tests_is_an_error() {
    let (code, out) = sanc_test(&["tests/fixtures/testing/nowhere"]);
    assert_eq!(code, 2);
    assert!(
        out.contains("`tests/fixtures/testing/nowhere` does not exist"),
        "{out}"
    );
    let (code, out) = sanc_test(&["tests/diagnostics"]);
    assert_eq!(code, 2);
    assert!(out.contains("no test files (*.sanc-test)"), "{out}");
}

/// By hand, from `coverage/demo.sanc-test`:
/// - `demo.arms_ban`: a1 is banned → 1 finding; no other arms → no near miss.
/// - `demo.coal_cap`: c1 (900 t, 90%) a warning, c2 (1100 t) a violation;
///   c3 (10 t in 2024) nothing → 2 findings, 1 near miss.
/// - `demo.crude_price`: p1 at 59 USD/bbl, under 60 → 0 findings, 1 near miss.
/// - `demo.statues_ban`: no event of its goods → never.
///
/// One rule of four both fired and near-missed: 25%.
#[test]
fn coverage_counts_findings_and_near_misses_per_rule() {
    let run = testing::run_paths(
        &[root().join(COVERAGE)],
        chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
    );
    assert!(run.problems.is_empty(), "{:?}", run.problems);
    assert_eq!(run.count(&Status::Pass), 3);
    let table: Vec<(&str, usize, usize, &str)> = run
        .coverage
        .rules
        .iter()
        .map(|r| (r.rule.as_str(), r.findings, r.near_misses, r.state()))
        .collect();
    assert_eq!(
        table,
        [
            ("demo.arms_ban", 1, 0, "fired only"),
            ("demo.coal_cap", 2, 1, "covered"),
            ("demo.crude_price", 0, 1, "near miss only"),
            ("demo.statues_ban", 0, 0, "never"),
        ]
    );
    assert_eq!(run.coverage.percent, Decimal::from(25));
}

#[test]
fn coverage_table_and_minimum() {
    let (code, out) = sanc_test(&[COVERAGE, "--coverage", "--min-coverage", "25"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("demo.statues_ban         0            0  never"),
        "{out}"
    );
    assert!(out.contains("rule coverage 25% (1 of 4 rules fired and near-missed)"));
    let (code, out) = sanc_test(&[COVERAGE, "--min-coverage", "30"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("rule coverage 25% is below the minimum of 30%"),
        "{out}"
    );
}

#[test]
fn json_output_has_tests_differences_and_coverage() {
    let (code, out) = sanc_test(&[FAILING, "--format", "json"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["summary"]["tests"], 3);
    assert_eq!(v["summary"]["failed"], 2);
    let t = &v["tests"][1];
    assert_eq!(t["status"], "fail");
    assert_eq!(t["line"], 19);
    let kinds: Vec<&str> = t["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["changed", "missing", "unexpected"]);
    assert_eq!(t["differences"][1]["line"], 52);
    assert_eq!(v["coverage"]["percent"], "50");
}

#[test]
fn junit_xml_for_ci() {
    let (code, out) = sanc_test(&[FAILING, "--format", "junit"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("junit", out);
}

#[test]
fn a_test_file_with_no_rules_key_uses_its_folder_or_the_parent() {
    // `coverage/demo.sanc-test` names no `rules`: its own folder has them.
    let file = root().join(COVERAGE).join("demo.sanc-test");
    let text = std::fs::read_to_string(&file).unwrap();
    let parsed = testing::parse("demo.sanc-test", &file, &text).unwrap();
    assert_eq!(parsed.rules, [root().join(COVERAGE)]);
    // `rules/un/dprk_goods.sanc-test` says `rules = ".."`.
    let file = root().join("rules/un/dprk_goods.sanc-test");
    let text = std::fs::read_to_string(&file).unwrap();
    let parsed = testing::parse("x", &file, &text).unwrap();
    assert_eq!(parsed.rules, [root().join("rules/un").join("..")]);
    assert!(Path::new(&parsed.rules[0]).join("common").is_dir());
}

/// Every TOML example in docs/testing.md is a valid test file.
#[test]
fn the_examples_in_docs_testing_md_parse() {
    let doc = std::fs::read_to_string(root().join("docs/testing.md")).unwrap();
    let mut blocks = Vec::new();
    let mut cur: Option<String> = None;
    for line in doc.lines() {
        match (&mut cur, line) {
            (None, "```toml") => cur = Some(String::new()),
            (Some(b), "```") => {
                blocks.push(std::mem::take(b));
                cur = None;
            }
            (Some(b), l) => {
                b.push_str(l);
                b.push('\n');
            }
            _ => {}
        }
    }
    assert!(!blocks.is_empty());
    for b in blocks {
        let file = root().join("docs/example.sanc-test");
        let parsed = testing::parse("example", &file, &b);
        assert!(parsed.is_ok(), "{:?}\n{b}", parsed.err());
    }
}

/// Events read from a file beside the test file, and an expected event
/// diagnostic (a rejected event) that is found: the test passes. The test
/// names `demo.coal_cap`, and its expectation another rule, which is
/// therefore compared too.
#[test]
fn events_files_and_expected_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join(COVERAGE).join("rules.sanc"),
        dir.path().join("rules.sanc"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("events.ndjson"),
        concat!(
            r#"{"id": "a1", "type": "shipment", "date": "2023-05-01", "hs": "930200", "from": "CHN", "to": "PRK"}"#,
            "\n",
            r#"{"id": "bad", "type": "shipment", "date": "2023-13-01", "hs": "930200", "from": "CHN", "to": "PRK"}"#,
            "\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("file.sanc-test"),
        r#"as_of = 2024-01-01

[[test]]
name = "from a file"
rule = "demo.coal_cap"
events_file = "events.ndjson"

[[test.expect]]
rule = "demo.arms_ban"
kind = "violation"
event = "a1"

[[test.expect_diagnostic]]
code = "bad_date"
"#,
    )
    .unwrap();
    let run = testing::run_paths(
        &[dir.path().to_path_buf()],
        chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
    );
    assert!(run.problems.is_empty(), "{:?}", run.problems);
    assert_eq!(run.tests.len(), 1);
    assert_eq!(run.tests[0].status, Status::Pass, "{:?}", run.tests[0]);
}

/// A test file whose rule set cannot be loaded: located at its `rules`, exit 2.
#[test]
fn a_rule_set_that_does_not_exist_is_located_at_the_rules_key() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.sanc-test"),
        "rules = \"nowhere\"\n[[test]]\nname = \"x\"\n[[test.event]]\nid = \"a\"\n",
    )
    .unwrap();
    let out = Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(dir.path())
        .args(["test", "a.sanc-test"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("a.sanc-test:1:9: error: in the rules: `nowhere` does not exist"),
        "{text}"
    );
}
