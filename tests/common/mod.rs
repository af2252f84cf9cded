//! Helpers shared by the end-to-end tests: run the real `sanc` binary on
//! rules and events written to a temporary directory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub dir: tempfile::TempDir,
}

/// Write `rules` and `events` (named `events.<ext>`) and run `sanc eval`.
pub fn eval(rules: &str, events: &str, ext: &str, args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rules.sanc"), rules).unwrap();
    let ev: PathBuf = dir.path().join(format!("events.{ext}"));
    std::fs::write(&ev, events).unwrap();
    let out = Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args([
            "eval",
            "rules.sanc",
            &format!("events.{ext}"),
            "--as-of",
            "2025-01-01",
        ])
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        dir,
    }
}

/// `sanc eval --format json` on NDJSON events; the parsed output.
pub fn eval_json(rules: &str, ndjson: &str) -> (i32, Value) {
    let run = eval(rules, ndjson, "ndjson", &["--format", "json"]);
    let v: Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    (run.code, v)
}

/// Findings as `(kind, rule, event, total)` — the shape most tests assert on.
pub fn findings(v: &Value) -> Vec<(String, String, String, String)> {
    v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
                    (s("kind"), s("rule"), s("event"), s("total"))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The diagnostics about events (leaving out the rule set's own warnings).
pub fn event_diagnostics(v: &Value) -> Vec<Value> {
    v["diagnostics"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|d| {
                    d["code"]
                        .as_str()
                        .is_some_and(|c| c.starts_with("sanc::event::"))
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

/// Only the `(kind, event)` of each finding.
pub fn kinds(v: &Value) -> Vec<(String, String)> {
    findings(v).into_iter().map(|(k, _, e, _)| (k, e)).collect()
}

pub fn s(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// One NDJSON shipment line.
pub fn ship(id: &str, date: &str, commodity: &str, qty: &str, from: &str, to: &str) -> String {
    format!(
        r#"{{"id": "{id}", "date": "{date}", "commodity": "{commodity}", "quantity": "{qty}", "from": "{from}", "to": "{to}"}}"#
    )
}

pub fn lines(v: &[String]) -> String {
    let mut s = v.join("\n");
    s.push('\n');
    s
}

/// Peak resident memory of this process so far, in MiB (Linux's VmHWM).
pub fn peak_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .expect("VmHWM in /proc/self/status")
        / 1024
}
