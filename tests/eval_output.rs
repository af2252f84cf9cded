//! What `sanc eval` prints: human reports for a finding of each rule kind
//! (snapshotted), JSON, every input format, and the flags.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use predicates::prelude::*;

fn sanc() -> Command {
    let mut c = Command::cargo_bin("sanc").unwrap();
    c.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/eval"))
        .env("NO_COLOR", "1");
    c
}

fn stdout(args: &[&str]) -> (i32, String) {
    let out = sanc().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn human_output_for_every_rule_kind() {
    // A cap crossed (by tonnes converted to barrels) and a warning, a ban,
    // a price cap, and a missing report: each a report pointing into the
    // rule file and into the event's own line.
    let (code, out) = stdout(&[
        "eval",
        "rules.sanc",
        "events.ndjson",
        "--as-of",
        "2025-01-01",
    ]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("eval_human_every_kind", out);
}

#[test]
fn json_output_for_every_rule_kind() {
    let (code, out) = stdout(&[
        "eval",
        "rules.sanc",
        "events.ndjson",
        "--as-of",
        "2025-01-01",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("eval_json_every_kind", out);
}

#[test]
fn csv_input_with_lists_and_a_bad_cell() {
    let (code, out) = stdout(&["eval", "rules.sanc", "events.csv", "--as-of", "2025-01-01"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("eval_human_csv", out);
}

#[test]
fn json_array_input_points_into_multi_line_records() {
    let (code, out) = stdout(&["eval", "rules.sanc", "events.json", "--as-of", "2025-01-01"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("eval_human_json_array", out);
}

#[test]
fn several_inputs_in_one_run() {
    let (_, out) = stdout(&[
        "eval",
        "rules.sanc",
        "events.ndjson",
        "events.csv",
        "events.json",
        "--as-of",
        "2025-01-01",
        "--quiet",
    ]);
    assert_eq!(
        out,
        "7 violations, 1 warning, 2 errors · 11 events read, 9 evaluated, 2 rejected, 0 not evaluable · 4 rules\n\
         incomplete: 2 of 11 events not checked (2 rejected, 0 not evaluable), so this run cannot say they comply\n"
    );
}

#[test]
fn standard_input_is_ndjson() {
    let input = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/eval/events.ndjson"
    ))
    .unwrap();
    sanc()
        .args([
            "eval",
            "rules.sanc",
            "-",
            "--as-of",
            "2025-01-01",
            "--quiet",
        ])
        .write_stdin(input)
        .assert()
        .code(1)
        .stdout("5 violations, 1 warning · 6 events read, 6 evaluated, 0 rejected, 0 not evaluable · 4 rules\n");
}

#[test]
fn input_format_overrides_the_extension() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("events.txt");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/eval/events.csv"
        ),
        &copy,
    )
    .unwrap();
    let p = copy.to_string_lossy().into_owned();
    sanc()
        .args(["eval", "rules.sanc", &p, "--quiet"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("cannot tell the format"));
    sanc()
        .args([
            "eval",
            "rules.sanc",
            &p,
            "--input-format",
            "csv",
            "--quiet",
            "--as-of",
            "2025-01-01",
        ])
        .assert()
        .code(1)
        .stdout("1 violation, 0 warnings, 1 error · 3 events read, 2 evaluated, 1 rejected, 0 not evaluable · 4 rules\n\
                 incomplete: 1 of 3 events not checked (1 rejected, 0 not evaluable), so this run cannot say they comply\n");
}

#[test]
fn rule_errors_stop_before_any_event_is_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.sanc"), "ban arms to DRPK\n").unwrap();
    let rules = dir.path().join("bad.sanc").to_string_lossy().into_owned();
    sanc()
        .args(["eval", &rules, "events.ndjson"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("unknown commodity `arms`"));
}

#[test]
fn an_unreadable_input_exits_two_but_the_others_are_evaluated() {
    let (code, out) = stdout(&[
        "eval",
        "rules.sanc",
        "missing.ndjson",
        "events.ndjson",
        "--as-of",
        "2025-01-01",
        "--format",
        "json",
    ]);
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["stats"]["events_read"], 6);
    assert!(v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["code"] == "sanc::event::unreadable"));
}

#[test]
fn an_input_with_no_events_fails_the_run_in_every_format() {
    // An export that failed half-way, or the wrong file, checks nothing: the
    // run must not read as "0 violations" and exit 0.
    let dir = rules_dir();
    let empties = [
        ("empty.ndjson", ""),
        ("blank.ndjson", "\n  \n"),
        ("empty.json", "[]\n"),
        ("header.csv", "id,date,commodity,quantity,from,to\n"),
    ];
    for (name, text) in empties {
        std::fs::write(dir.path().join(name), text).unwrap();
        let (code, out) = run_in(
            dir.path(),
            &["eval", "rules.sanc", name, "--format", "json"],
        );
        assert_eq!(code, 2, "{name}: {out}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let d = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == "sanc::event::empty_input")
            .unwrap_or_else(|| panic!("{name}: {out}"));
        assert_eq!(
            d["message"],
            format!("`{name}` holds no events, so nothing in it was checked")
        );
    }
    // Beside a file with events, the empty one still fails the run, and
    // the other is evaluated.
    std::fs::write(
        dir.path().join("one.ndjson"),
        r#"{"id":"a","date":"2024-01-01","commodity":"arms","quantity":"1 t","from":"RUS","to":"PRK"}"#,
    )
    .unwrap();
    let (code, out) = run_in(
        dir.path(),
        &["eval", "rules.sanc", "one.ndjson", "empty.json", "--quiet"],
    );
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("`empty.json` holds no events"), "{out}");
    assert!(
        out.contains("1 violation, 0 warnings, 1 error · 1 event read, 1 evaluated"),
        "{out}"
    );
    // Standard input, named as such.
    let out = Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["eval", "rules.sanc", "-"])
        .write_stdin("")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("standard input held no events, so nothing was checked"),
        "{text}"
    );
}

#[test]
fn output_is_byte_identical_from_run_to_run() {
    let a = stdout(&[
        "eval",
        "rules.sanc",
        "events.ndjson",
        "events.csv",
        "--as-of",
        "2025-01-01",
        "--format",
        "json",
    ]);
    let b = stdout(&[
        "eval",
        "rules.sanc",
        "events.ndjson",
        "events.csv",
        "--as-of",
        "2025-01-01",
        "--format",
        "json",
    ]);
    assert_eq!(a, b);
}

fn run_in(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn rules_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("rules.sanc"),
        "commodity arms = hs 93\nban arms to PRK\n",
    )
    .unwrap();
    dir
}

#[test]
fn crlf_csv_and_indented_json_point_at_the_right_line_and_column() {
    let dir = rules_dir();
    std::fs::write(
        dir.path().join("e.csv"),
        "id,date,commodity,quantity,to\r\na,2023-01-01,arms,1 units,PRK\r\nd,2023-02-30,arms,1 units,PRK\r\n",
    )
    .unwrap();
    let (_, out) = run_in(
        dir.path(),
        &[
            "eval",
            "rules.sanc",
            "e.csv",
            "--format",
            "json",
            "--as-of",
            "2025-01-01",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v["findings"][0]["event_location"],
        serde_json::json!({"file": "e.csv", "line": 2, "column": 1})
    );
    let d = &v["diagnostics"][0];
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(3), Some(3)),
        "{d}"
    );

    std::fs::write(
        dir.path().join("e.json"),
        "[\n    {\"id\": \"d\", \"date\": \"2023-02-30\", \"commodity\": \"arms\", \"quantity\": \"1 units\", \"to\": \"PRK\"}\n]\n",
    )
    .unwrap();
    let (_, out) = run_in(
        dir.path(),
        &["eval", "rules.sanc", "e.json", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let d = &v["diagnostics"][0];
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(17)),
        "{d}"
    );
}

#[test]
fn json_text_outside_one_array_fails_the_run_but_the_events_read_count() {
    let dir = rules_dir();
    let a = r#"[{"id": "a", "date": "2023-01-01", "commodity": "arms", "quantity": "1 units", "to": "PRK"}]"#;
    let b = r#"[{"id": "b", "date": "2023-01-01", "commodity": "arms", "quantity": "1 units", "to": "PRK"}]"#;
    std::fs::write(dir.path().join("two.json"), format!("{a}\n{b}\n")).unwrap();
    let (code, out) = run_in(
        dir.path(),
        &["eval", "rules.sanc", "two.json", "--format", "json"],
    );
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["stats"]["events_read"], 1);
    assert!(v["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("more text after its array"));
    std::fs::write(dir.path().join("open.json"), &a[..a.len() - 1]).unwrap();
    let (code, out) = run_in(
        dir.path(),
        &["eval", "rules.sanc", "open.json", "--format", "json"],
    );
    assert_eq!(code, 2);
    assert!(out.contains("ends before its array is closed"));
    // One pretty-printed object is one event.
    std::fs::write(dir.path().join("one.json"), "{\n  \"id\": \"x\",\n  \"date\": \"2023-01-01\",\n  \"commodity\": \"arms\",\n  \"quantity\": \"1 units\",\n  \"to\": \"PRK\"\n}\n").unwrap();
    let (code, out) = run_in(dir.path(), &["eval", "rules.sanc", "one.json", "--quiet"]);
    assert_eq!(
        (code, out.as_str()),
        (
            1,
            "1 violation, 0 warnings · 1 event read, 1 evaluated, 0 rejected, 0 not evaluable · 1 rule\n"
        )
    );
}

#[test]
fn json_output_keeps_its_shape_when_the_rules_have_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.sanc"), "ban arms to PRK\n").unwrap();
    std::fs::write(dir.path().join("e.ndjson"), "").unwrap();
    let (code, out) = run_in(
        dir.path(),
        &["eval", "bad.sanc", "e.ndjson", "--format", "json"],
    );
    assert_eq!(code, 2);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["findings"], serde_json::json!([]));
    assert_eq!(v["stats"]["events_read"], 0);
    assert_eq!(
        v["diagnostics"][0]["code"],
        "sanc::check::unknown_commodity"
    );
}

#[test]
fn quiet_strict_shows_the_rejections_that_failed_the_run() {
    let dir = rules_dir();
    std::fs::write(dir.path().join("e.ndjson"), "{\"id\": \"a\", \"date\": \"2023-02-30\", \"commodity\": \"arms\", \"quantity\": \"1 units\", \"to\": \"JPN\"}\n").unwrap();
    let (code, out) = run_in(
        dir.path(),
        &["eval", "rules.sanc", "e.ndjson", "--quiet", "--strict"],
    );
    assert_eq!(code, 2);
    assert!(out.contains("sanc::event::bad_date"), "{out}");
    let (_, out) = run_in(dir.path(), &["eval", "rules.sanc", "e.ndjson", "--quiet"]);
    assert!(!out.contains("bad_date"), "{out}");
}

#[test]
fn findings_from_standard_input_name_the_event_location() {
    sanc()
        .args(["eval", "rules.sanc", "-", "--as-of", "2025-01-01"])
        .write_stdin("\n{\"id\": \"arms-1\", \"date\": \"2023-05-01\", \"commodity\": \"arms\", \"quantity\": \"2 units\", \"to\": \"PRK\"}\n")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("arms-1: the shipment").and(predicate::str::contains("      -:2:1")));
}

#[test]
fn several_rule_paths_and_regimes_chosen_by_id() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let events = "examples/price-cap/crude-cargoes.csv";
    let violations = |args: &[&str]| {
        let mut all = vec!["eval"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--format", "json", "--as-of", "2025-01-01"]);
        let (code, out) = run_in(root, &all);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        (
            code,
            v["stats"]["violations"].clone(),
            v["stats"]["rules"].clone(),
        )
    };
    // One jurisdiction out of the whole library, by regime id…
    let us = violations(&["rules", events, "--regime", "us_russia_oil"]);
    assert_eq!(us, (1, 4.into(), 3.into()));
    // Naming part of the library gives the whole of it: `rules/` is one
    // project (rules/sanc.toml), so its rule set is always the same.
    assert_eq!(
        violations(&["rules/common", "rules/us", events]),
        violations(&["rules", events])
    );
    // Several regimes add up.
    let (_, eu, _) = violations(&["rules", events, "--regime", "eu_russia_oil"]);
    let (_, both, _) = violations(&[
        "rules",
        events,
        "--regime",
        "eu_russia_oil",
        "--regime",
        "us_russia_oil",
    ]);
    assert_eq!(both.as_u64(), Some(eu.as_u64().unwrap() + 4));
    // An unknown regime is a usage error that names the known ones.
    let out = Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(root)
        .args(["eval", "rules", events, "--regime", "us_russia_oi"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean `us_russia_oil`?"), "{err}");
}

#[test]
fn each_rule_kind_is_framed_in_its_own_legal_terms() {
    let (_, out) = stdout(&[
        "eval",
        "rules.sanc",
        "events.ndjson",
        "--as-of",
        "2025-01-01",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let by_rule = |rule: &str| -> Vec<String> {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == rule)
            .map(|f| format!("{} | {}", f["message"], f["cite"]))
            .collect()
    };
    // A price cap prohibits services for the cargo, not the sale.
    let price = by_rule("demo.crude_price_cap");
    assert!(
        price[0].contains("covered services are prohibited for the shipment"),
        "{price:?}"
    );
    assert!(!price[0].contains("violation of"), "{price:?}");
    assert!(
        price[0].contains("Council Regulation (EU) 2022/2367"),
        "{price:?}"
    );
    // Reporting duties say which report is late or missing, and when it was due.
    let reports = by_rule("demo.reporting");
    assert!(reports[0].contains("reported late: `demo.reporting` wants this shipment reported within 30 days; the report `rep-2023-01` came on 2023-03-10"), "{reports:?}");
    assert!(reports[1].contains("not reported: `demo.reporting` wants this shipment reported within 30 days; no report covers it, and it was due by 2023-04-30"), "{reports:?}");
    assert!(reports[1].contains("UNSCR 2397 (2017) OP 5"), "{reports:?}");
}
