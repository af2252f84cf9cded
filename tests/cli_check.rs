//! `sanc check` end to end: exit codes, human and JSON output.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use predicates::prelude::*;

fn sanc() -> Command {
    let mut c = Command::cargo_bin("sanc").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    c
}

#[test]
fn clean_rule_set_exits_zero() {
    sanc()
        .args(["check", "tests/fixtures/check/clean"])
        .assert()
        .code(0)
        .stdout("ok: 2 files, 3 rules, no problems\n");
}

#[test]
fn warnings_alone_exit_zero() {
    sanc()
        .args(["check", "tests/diagnostics/unused_declarations.sanc"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 errors, 3 warnings"));
}

#[test]
fn errors_exit_two() {
    sanc()
        .args(["check", "tests/diagnostics/unknown_country.sanc"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("sanc::check::unknown_party"));
}

#[test]
fn a_missing_path_is_an_error() {
    sanc()
        .args(["check", "no/such/rules"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("`no/such/rules` does not exist"));
}

#[test]
fn usage_errors_exit_two_and_help_exits_zero() {
    sanc().args(["check"]).assert().code(2);
    sanc().args(["frobnicate"]).assert().code(2);
    sanc()
        .args(["check", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("--format"));
}

#[test]
fn several_paths_form_one_namespace() {
    sanc()
        .args([
            "check",
            "tests/diagnostics/duplicate_across_files/a.sanc",
            "tests/diagnostics/duplicate_across_files/b.sanc",
        ])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("`coal` is declared twice"));
}

#[test]
fn json_output_has_the_documented_shape() {
    let out = sanc()
        .args([
            "check",
            "--format",
            "json",
            "tests/diagnostics/duplicate_across_files",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    insta::assert_json_snapshot!(v, @r###"
    {
      "diagnostics": [
        {
          "code": "sanc::check::duplicate_declaration",
          "column": 11,
          "end_column": 15,
          "end_line": 2,
          "file": "tests/diagnostics/duplicate_across_files/b.sanc",
          "help": "all files of a rule set share one namespace; rename or remove one",
          "label": "declared again here as a commodity",
          "line": 2,
          "message": "`coal` is declared twice",
          "related": [
            {
              "column": 11,
              "file": "tests/diagnostics/duplicate_across_files/a.sanc",
              "line": 2,
              "message": "first declared here as a commodity"
            }
          ],
          "severity": "error"
        }
      ],
      "stats": {
        "errors": 1,
        "files": 2,
        "rules": 1,
        "warnings": 0
      }
    }
    "###);
}

#[test]
fn json_output_of_a_clean_set_is_empty() {
    let out = sanc()
        .args(["check", "--format", "json", "tests/fixtures/check/clean"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["diagnostics"], serde_json::json!([]));
    assert_eq!(v["stats"]["rules"], 3);
}
