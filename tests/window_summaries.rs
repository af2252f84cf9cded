//! Window summaries of caps on the DPRK example (examples/dprk-petroleum):
//! each year's total and share, as the example's README states them, in
//! every format (human table, Markdown, CSV, JSON), with snapshots.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;

const REPORTED: &str = "examples/dprk-petroleum/reported.json";
const ESTIMATED: &str = "examples/dprk-petroleum/estimated-unreported.ndjson";
const CAP: &str = "un_dprk.petroleum_cap";

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .env("NO_COLOR", "1")
        .args(["eval", "rules/"])
        .args(args)
        // Under the UN regime, as a DPRK monitor runs it (the Russian price
        // caps would ask for the price of every Russian delivery).
        .args(["--regime", "un_dprk", "--as-of", "2025-01-01"])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

fn windows(args: &[&str]) -> Vec<Value> {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let (_, out) = run(&a);
    let v: Value = serde_json::from_str(&out).unwrap();
    v["windows"].as_array().cloned().unwrap_or_default()
}

/// (window, total, share rounded to 0.1) of the cap.
fn years(ws: &[Value]) -> Vec<(String, String, String)> {
    ws.iter()
        .filter(|w| w["rule"] == CAP)
        .map(|w| {
            let share: f64 = w["share"].as_str().unwrap().parse().unwrap();
            (
                w["window"].as_str().unwrap().to_string(),
                w["total"].as_str().unwrap().to_string(),
                format!("{share:.1}"),
            )
        })
        .collect()
}

fn owned(rows: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    rows.iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

#[test]
fn each_year_of_notified_deliveries_has_the_readmes_total_and_share() {
    // The table of examples/dprk-petroleum/README.md, section 1: every year,
    // including those below every threshold (no finding).
    assert_eq!(
        years(&windows(&[REPORTED])),
        owned(&[
            ("2018", "382597", "76.5"),
            ("2019", "417989", "83.6"),
            ("2020", "129706", "25.9"),
            ("2021", "91909", "18.4"),
            ("2022", "17117", "3.4"),
            ("2023", "105844", "21.2"),
            ("2024", "168679", "33.7"),
        ])
    );
}

#[test]
fn notified_and_estimated_years_match_the_readme() {
    // Section 2: 1,142,390 bbl counted in 2018 (228.5%), 1,729,738 in 2020
    // (345.9%), 1,168,679 in 2024 (233.7%); the other years as notified.
    let ws = windows(&[REPORTED, ESTIMATED]);
    let y = years(&ws);
    assert_eq!(y[0], owned(&[("2018", "1142390", "228.5")])[0]);
    assert_eq!(y[2], owned(&[("2020", "1729738", "345.9")])[0]);
    assert_eq!(y[6], owned(&[("2024", "1168679", "233.7")])[0]);
    let w2018 = ws
        .iter()
        .find(|w| w["rule"] == CAP && w["window"] == "2018")
        .unwrap();
    assert_eq!(w2018["over_the_cap"]["date"], "2018-03-31");
    assert_eq!(w2018["over_the_cap"]["event"], "cn-ru-2018-03");
    let reached: Vec<&str> = w2018["thresholds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["reached"]["date"].as_str().unwrap())
        .collect();
    assert_eq!(reached, ["2018-03-09", "2018-03-24", "2018-03-30"]);
}

#[test]
fn summary_tables_in_every_format() {
    let (code, human) = run(&[REPORTED]);
    assert_eq!(code, 0);
    let table = &human[human.find("un_dprk.petroleum_cap · 500,000").unwrap()..];
    insta::assert_snapshot!("dprk_windows_human", table);
    let (_, md) = run(&[REPORTED, "--format", "markdown"]);
    insta::assert_snapshot!("dprk_windows_markdown", md);
    let (_, csv) = run(&[REPORTED, "--format", "csv"]);
    insta::assert_snapshot!("dprk_windows_csv", csv);
    let ws = windows(&[REPORTED]);
    let cap: Vec<&Value> = ws.iter().filter(|w| w["rule"] == CAP).collect();
    insta::assert_json_snapshot!("dprk_windows_json", cap);
    // The CSV reads back: one `all` row per window of every cap.
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let all = r
        .records()
        .map(Result::unwrap)
        .filter(|r| &r[5] == "all" && &r[0] == CAP)
        .count();
    assert_eq!(all, 7);
}

#[test]
fn output_goes_to_a_file_with_dash_o() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("windows.csv");
    let (code, out) = run(&[REPORTED, "--format", "csv", "-o", file.to_str().unwrap()]);
    assert_eq!((code, out.as_str()), (0, ""));
    let (_, direct) = run(&[REPORTED, "--format", "csv"]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), direct);
}

fn window<'a>(ws: &'a [Value], year: &str) -> &'a Value {
    ws.iter()
        .find(|w| w["rule"] == CAP && w["window"] == year)
        .unwrap()
}

#[test]
fn evidence_scenarios_give_a_range_of_breach_dates_for_2018() {
    // Estimates included, as given (each modelled delivery at its low
    // bound, 8,537 bbl): over the cap on 31 March 2018.
    let all = windows(&[REPORTED, ESTIMATED]);
    let y = window(&all, "2018");
    assert_eq!(y["over_the_cap"]["date"], "2018-03-31");
    // The same run says when each bound passes the cap, and that notified
    // figures alone never do (76.5% of the cap).
    assert_eq!(y["low_bounds"]["over_the_cap"], "2018-03-31");
    assert_eq!(y["high_bounds"]["over_the_cap"], "2018-02-27");
    assert_eq!(y["firm_evidence_only"]["total"], "382597");
    assert!(
        y["firm_evidence_only"].get("over_the_cap").is_none(),
        "{y:#}"
    );
    let notes = y["notes"].to_string();
    assert!(
        notes.contains(
            "notified figures alone stay under it (76.5%): modelled figures took it over"
        ),
        "{notes}"
    );
    assert!(
        notes.contains("between 2018-02-27 (every estimate at its high bound) and 2018-03-31"),
        "{notes}"
    );
    let by: Vec<(&str, &str)> = y["by_evidence"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["key"].as_str().unwrap(), p["total"].as_str().unwrap()))
        .collect();
    assert_eq!(by, [("notified", "382597"), ("modelled", "759793")]);

    // The runs that bound the range: notified deliveries only (the
    // estimates left out) never pass the cap in 2018; every estimate at
    // its high bound passes it on 27 February.
    let (code, out) = run(&[
        REPORTED,
        ESTIMATED,
        "--evidence",
        "notified",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(code, 0, "notified deliveries respect the cap");
    assert_eq!(v["stats"]["events_left_out"], 147);
    let notified = v["windows"].as_array().unwrap();
    assert_eq!(window(notified, "2018")["total"], "382597");
    assert!(window(notified, "2018").get("over_the_cap").is_none());
    let high = windows(&[REPORTED, ESTIMATED, "--quantities", "high"]);
    assert_eq!(window(&high, "2018")["over_the_cap"]["date"], "2018-02-27");
    let low = windows(&[REPORTED, ESTIMATED, "--quantities", "low"]);
    assert_eq!(window(&low, "2018")["over_the_cap"]["date"], "2018-03-31");
}

#[test]
fn the_examples_full_human_output_is_short_and_narrow() {
    let (code, out) = run(&[REPORTED, ESTIMATED]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() < 150, "{} lines:\n{out}", lines.len());
    for l in &lines {
        assert!(l.chars().count() <= 100, "wider than 100 columns: {l}");
    }
    // The attribution fits the facts: the window exceeded the cap, and the
    // modelled deliveries took it over, not the notified March figure.
    assert!(
        out.contains("notified figures alone stay under it (76.5%): modelled figures took it over")
    );
    assert!(out.contains("and 38 later shipments, 625,291.2 bbl"));
    // --verbose lists every event of the block.
    let (_, verbose) = run(&[REPORTED, ESTIMATED, "--verbose"]);
    assert!(verbose.contains("est-2018-089 (modelled): not reported"));
    assert!(!verbose.contains("later shipments"));
}

#[test]
fn evidence_and_bounds_are_validated() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.sanc");
    std::fs::write(
        &rules,
        "commodity fuel = hs 2710\ncap fuel to PRK 100 t per year\n",
    )
    .unwrap();
    let events = dir.path().join("e.ndjson");
    std::fs::write(
        &events,
        concat!(
            r#"{"id": "a", "date": "2023-01-01", "commodity": "fuel", "quantity": "10 t", "to": "PRK", "evidence": "rumour"}"#,
            "\n",
            r#"{"id": "b", "date": "2023-01-02", "commodity": "fuel", "quantity": "10 t", "to": "PRK", "quantity_low": "12 t"}"#,
            "\n",
            r#"{"id": "c", "date": "2023-01-03", "commodity": "fuel", "quantity": "10 t", "to": "PRK", "quantity_high": "12 bbl"}"#,
            "\n",
            r#"{"id": "d", "date": "2023-01-04", "commodity": "fuel", "quantity": "10 t", "to": "PRK", "evidence": "estimated", "quantity_low": "5 t", "quantity_high": "20 t"}"#,
            "\n",
        ),
    )
    .unwrap();
    let out = Command::cargo_bin("sanc")
        .unwrap()
        .args([
            "eval",
            rules.to_str().unwrap(),
            events.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let d: Vec<(&str, &str, &str)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["event"].as_str().unwrap(),
                d["field"].as_str().unwrap(),
                d["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        d,
        [
            ("a", "evidence", "sanc::event::bad_field"),
            ("b", "quantity_low", "sanc::event::bad_field"),
            ("c", "quantity_high", "sanc::event::bad_field"),
        ]
    );
    assert_eq!(v["stats"]["events_rejected"], 3);
    assert_eq!(v["windows"][0]["low_bounds"]["total"], "5");
    assert_eq!(v["windows"][0]["high_bounds"]["total"], "20");
}

#[test]
fn a_rolling_cap_is_summarized_by_its_peak_window() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.sanc");
    std::fs::write(
        &rules,
        "commodity fuel = hs 2710\ncap fuel to PRK 100 t per 30 days warn at 50% cite \"X\"\n",
    )
    .unwrap();
    let events = dir.path().join("e.ndjson");
    let mut text = String::new();
    for (id, date, q) in [
        ("a", "2023-01-01", 40),
        ("b", "2023-01-20", 30),
        ("c", "2023-02-10", 50),
        ("d", "2023-02-15", 60),
    ] {
        text.push_str(&format!(
            "{{\"id\": \"{id}\", \"date\": \"{date}\", \"commodity\": \"fuel\", \"quantity\": \"{q} t\", \"to\": \"PRK\"}}\n"
        ));
    }
    std::fs::write(&events, text).unwrap();
    let out = Command::cargo_bin("sanc")
        .unwrap()
        .args([
            "eval",
            rules.to_str().unwrap(),
            events.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let w = v["windows"].as_array().unwrap();
    // The 30 days ending 2023-02-15 hold b, c and d: 140 t, over the cap.
    assert_eq!(w.len(), 1, "{w:#?}");
    assert_eq!(w[0]["window"], "2023-01-17..2023-02-15");
    assert_eq!(w[0]["events"], 3);
    assert_eq!(w[0]["total"], "140");
    assert_eq!(w[0]["over_the_cap"]["event"], "d");
}
