//! `sanc report`: one self-contained HTML page. Without a browser: its
//! structure (a chart per cap and grouping, a panel per window, the
//! tables), that nothing in it can make a request, and that it is the same
//! run as `sanc eval`. The browser test is tests/browser_report.rs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;

const REPORTED: &str = "examples/dprk-petroleum/reported.json";
const ESTIMATED: &str = "examples/dprk-petroleum/estimated-unreported.ndjson";

fn sanc(args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(PathBuf::from(env!("CARGO_MANIFEST_DIR")))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

/// Windows per cap in the JSON output of the same run.
fn windows_per_cap() -> Vec<(String, usize)> {
    let (_, out) = sanc(&[
        "eval",
        "rules/",
        REPORTED,
        ESTIMATED,
        "--as-of",
        "2025-01-01",
        "--format",
        "json",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let mut caps: Vec<(String, usize)> = Vec::new();
    for w in v["windows"].as_array().unwrap() {
        let rule = w["rule"].as_str().unwrap().to_string();
        match caps.last_mut() {
            Some((r, n)) if *r == rule => *n += 1,
            _ => caps.push((rule, 1)),
        }
    }
    caps
}

#[test]
fn the_report_is_one_self_contained_page() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.html");
    let (code, out) = sanc(&[
        "report",
        "rules/",
        REPORTED,
        ESTIMATED,
        "--as-of",
        "2025-01-01",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(
        (code, out.as_str()),
        (1, ""),
        "the run's exit code, nothing on stdout"
    );
    let html = std::fs::read_to_string(&file).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
    ));
    // Nothing that could load: no script, no link, no URL of any scheme.
    for banned in [
        "<script", "<link", "<iframe", "<img", "@import", "url(", "http:", "https:", "//",
    ] {
        assert!(!html.contains(banned), "`{banned}` in the report");
    }
    // Per cap, a chart by evidence and one by supplier, each with a panel
    // per window, and the cap, thresholds and breach drawn.
    let caps = windows_per_cap();
    assert_eq!(caps.len(), 2, "{caps:?}");
    for (rule, n) in &caps {
        for by in ["evidence", "supplier"] {
            let tag = format!(
                "<svg class=\"chart\" data-rule=\"{rule}\" data-by=\"{by}\" data-windows=\"{n}\""
            );
            let at = html.find(&tag).unwrap_or_else(|| panic!("no chart {tag}"));
            let svg = &html[at..at + html[at..].find("</svg>").unwrap()];
            assert_eq!(
                svg.matches("<g class=\"window\"").count(),
                *n,
                "{rule} by {by}"
            );
            assert_eq!(svg.matches("class=\"cap-line\"").count(), *n);
        }
    }
    let cap = &html[html
        .find("data-rule=\"un_dprk.petroleum_cap\" data-by=\"evidence\"")
        .unwrap()..];
    let cap = &cap[..cap.find("</svg>").unwrap()];
    assert_eq!(cap.matches("class=\"threshold\"").count(), 7 * 3);
    assert_eq!(
        cap.matches("class=\"breach\"").count(),
        3,
        "2018, 2020, 2024"
    );
    assert!(cap.contains("over the cap 2018-03-31"));
    assert!(cap.contains("<title>modelled</title>") && cap.contains("<title>notified</title>"));
    // The tables: findings with citations, bans and price caps, the annex
    // with sources, the run's stats.
    for section in [
        "id=\"findings\"",
        "id=\"bans\"",
        "id=\"annex\"",
        "id=\"stats\"",
        "id=\"diagnostics\"",
    ] {
        assert!(html.contains(section), "{section}");
    }
    assert!(html.contains("UNSCR 2397 (2017) OP 5 (notification every thirty days)"));
    assert!(html.contains("US submission to the 1718 Committee (KBS, Oct 2018)"));
    assert!(html.contains("un_dprk.condensates_ban"));
    assert!(
        html.contains("over the cap on 2018-03-31; notified figures alone stay under it (76.5%)")
    );
}

#[test]
fn report_writes_to_standard_output_without_dash_o_and_escapes_text() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("r.sanc"),
        "commodity arms = hs 93\nban arms to PRK cite \"<b>Art. 1 & 2</b>\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("e.ndjson"),
        "{\"id\": \"a<1>\", \"date\": \"2023-01-01\", \"hs\": \"9301\", \"to\": \"PRK\", \"source\": \"<script>x</script>\"}\n",
    )
    .unwrap();
    let out = Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(dir.path())
        .args(["report", "r.sanc", "e.ndjson"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(!html.contains("<script"), "{html}");
    assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"));
    assert!(html.contains("&lt;b&gt;Art. 1 &amp; 2&lt;/b&gt;"));
    assert!(html.contains("No cap counted an event."));
}

#[test]
fn a_rule_set_with_errors_gives_a_page_of_its_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("r.sanc"), "ban armz to PRK\n").unwrap();
    std::fs::write(dir.path().join("e.ndjson"), "").unwrap();
    let out = Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(dir.path())
        .args(["report", "r.sanc", "e.ndjson"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.contains("The rules have errors"));
    assert!(html.contains("sanc::check::unknown_commodity"), "{html}");
}
