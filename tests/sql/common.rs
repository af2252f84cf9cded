//! What the SQL tests share: the Python that has the engines, and running
//! compiled scripts on an engine through tests/sql/run.py.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![allow(dead_code)]

use serde_json::{json, Value};
use std::collections::BTreeSet;

/// The Python of target/test-venv (`SANC_TEST_PYTHON`, set by scripts/test).
pub fn python() -> String {
    match std::env::var("SANC_TEST_PYTHON") {
        Ok(p) if !p.is_empty() => p,
        _ => panic!(
            "SANC_TEST_PYTHON is not set: run the tests with scripts/test, which installs duckdb (tests/requirements.txt) into target/test-venv and sets it"
        ),
    }
}

/// Run cases (`{"script", "events"}`) on an engine in one Python process;
/// one result per case.
pub fn run_cases(engine: &str, cases: Vec<Value>) -> Vec<Value> {
    let n = cases.len();
    let mut child = std::process::Command::new(python())
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sql/run.py"))
        .arg(engine)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        let input = json!({"columns": sanc::sql::event_columns(), "cases": cases});
        stdin
            .write_all(serde_json::to_string(&input).unwrap().as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let v: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "tests/sql/run.py {engine} failed ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(v.len(), n);
    v
}

/// Findings as comparable lines, on the fields the SQL writes.
pub fn finding_lines(findings: &Value) -> Vec<String> {
    const FIELDS: [&str; 13] = [
        "rule",
        "kind",
        "event",
        "date",
        "cite",
        "window",
        "total",
        "share",
        "limit",
        "unit",
        "contributors",
        "contributor_count",
        "deadline",
    ];
    let mut v: Vec<String> = findings
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            let m: serde_json::Map<String, Value> = FIELDS
                .iter()
                .map(|k| (k.to_string(), f.get(*k).cloned().unwrap_or(Value::Null)))
                .collect();
            Value::Object(m).to_string()
        })
        .collect();
    v.sort();
    v
}

/// Event diagnostics as a set of (event, code, field, effect, rule).
pub fn diagnostic_set(diags: &Value) -> BTreeSet<String> {
    diags
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d.get("effect").is_some())
        .filter(|d| d["code"] != "sanc::event::unknown_column")
        .map(|d| json!([d["event"], d["code"], d["field"], d["effect"], d["rule"]]).to_string())
        .collect()
}
