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

/// A rule path inside a project (a `sanc.toml` above it) stands for the
/// whole project; a malformed project file is a located diagnostic.
#[test]
fn a_project_file_makes_the_rule_set() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // One file of the library alone would have unknown names: the whole
    // library is checked instead, from anywhere.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sanc"))
        .current_dir(root)
        .args(["check", "rules/un/dprk_petroleum.sanc"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let all = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(all.starts_with("ok: 11 files"), "{all}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sanc"))
        .current_dir(root.join("rules/un"))
        .args(["check", "dprk_goods.sanc"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), all);

    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir_all(p.join("set/rules")).unwrap();
    std::fs::write(p.join("set/rules/a.sanc"), "commodity arms = hs 93\n").unwrap();
    std::fs::write(p.join("set/rules/b.sanc"), "ban arms to PRK\n").unwrap();
    // Not part of the project: its paths are `rules/` only.
    std::fs::write(p.join("set/scratch.sanc"), "ban nothing_declared to PRK\n").unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_sanc"))
            .current_dir(p)
            .env("NO_COLOR", "1")
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).to_string(),
        )
    };
    std::fs::write(
        p.join("set/sanc.toml"),
        "paths = [\"rules\"]\nregimes = []\n[eval]\nformat = \"json\"\nas-of = 2024-01-01\n",
    )
    .unwrap();
    assert_eq!(
        run(&["check", "set/rules/b.sanc"]),
        (0, "ok: 2 files, 1 rule, no problems\n".into())
    );
    // `[eval]` gives the defaults: JSON output here.
    std::fs::write(
        p.join("ev.ndjson"),
        "{\"id\": \"e1\", \"date\": \"2023-05-01\", \"commodity\": \"arms\", \"quantity\": \"2 units\", \"to\": \"PRK\"}\n",
    )
    .unwrap();
    let (code, out) = run(&["eval", "set/rules", "ev.ndjson"]);
    assert_eq!(code, 1, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["stats"]["violations"], 1);

    // A malformed project file: the one diagnostic, pointing into it.
    std::fs::write(p.join("set/sanc.toml"), "paths = [\"rules\"]\nrule = 1\n").unwrap();
    let (code, out) = run(&["check", "set/rules"]);
    assert_eq!(code, 2);
    assert!(out.contains("sanc::project"), "{out}");
    assert!(out.contains("unknown field `rule`"), "{out}");
    assert!(out.contains("set/sanc.toml:2:1"), "{out}");
}

/// Human output counts columns in characters, as JSON and the language
/// server do (not bytes: `é` is two, `𝄞` four).
#[test]
fn human_columns_are_characters_like_json() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.sanc"),
        "exemption h \"Corée 𝄞\" ban arms to DRPK\n",
    )
    .unwrap();
    let run = |format: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_sanc"))
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .args(["check", "a.sanc", "--format", format])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let json: serde_json::Value = serde_json::from_str(&run("json")).unwrap();
    let human = run("human");
    let places: Vec<String> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("[a.sanc:{}:{}]", d["line"], d["column"]))
        .collect();
    assert_eq!(places.len(), 3);
    assert!(places.contains(&"[a.sanc:1:35]".to_string()), "{places:?}");
    for p in &places {
        assert!(human.contains(p.as_str()), "{p} not in\n{human}");
    }
}
