//! A stream of a few hundred malformed events of every kind, mixed with good
//! ones: every record is accounted for, the good ones are still evaluated,
//! and every rejection points at the right line, column and field.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use assert_cmd::Command;
use serde_json::Value;

const RULES: &str = "commodity refined_petroleum = hs 2710\nban refined_petroleum to PRK\n";

/// One kind of mistake: the line to write, the code expected, the field it
/// must point at (None: the record itself), and whether it rejects the event.
struct Mistake {
    line: String,
    code: &'static str,
    field: Option<&'static str>,
    rejects: bool,
}

fn mistakes(i: usize) -> Vec<Mistake> {
    let m = |line: String, code, field, rejects| Mistake {
        line,
        code,
        field,
        rejects,
    };
    vec![
        m(
            format!(r#"{{"id": "m{i}", "date": "2023-01-01", "#),
            "sanc::event::malformed",
            None,
            true,
        ),
        m("[1, 2, 3]".into(), "sanc::event::malformed", None, true),
        m(
            format!(
                r#"{{"date": "2023-01-01", "commodity": "refined_petroleum", "quantity": "1 t", "to": "PRK", "n": {i}}}"#
            ),
            "sanc::event::missing_field",
            Some("id"),
            true,
        ),
        m(
            format!(
                r#"{{"id": "nodate{i}", "commodity": "refined_petroleum", "quantity": "1 t", "to": "PRK"}}"#
            ),
            "sanc::event::missing_field",
            Some("date"),
            true,
        ),
        m(
            format!(
                r#"{{"id": "baddate{i}", "date": "2023-02-30", "commodity": "refined_petroleum", "quantity": "1 t", "to": "PRK"}}"#
            ),
            "sanc::event::bad_date",
            Some("date"),
            true,
        ),
        m(
            format!(
                r#"{{"id": "badqty{i}", "date": "2023-01-01", "commodity": "refined_petroleum", "quantity": "lots bbl", "to": "PRK"}}"#
            ),
            "sanc::event::bad_amount",
            Some("quantity"),
            true,
        ),
        m(
            format!(
                r#"{{"id": "nounit{i}", "date": "2023-01-01", "commodity": "refined_petroleum", "quantity": "44655", "to": "PRK"}}"#
            ),
            "sanc::event::missing_unit",
            Some("quantity"),
            true,
        ),
        m(
            format!(
                r#"{{"id": "money{i}", "date": "2023-01-01", "commodity": "refined_petroleum", "quantity": "100 USD", "to": "PRK"}}"#
            ),
            "sanc::event::wrong_unit_kind",
            Some("quantity"),
            true,
        ),
        m(
            format!(
                r#"{{"id": "unit{i}", "date": "2023-01-01", "commodity": "refined_petroleum", "quantity": "5 barrels", "to": "PRK"}}"#
            ),
            "sanc::event::unknown_unit",
            Some("quantity"),
            true,
        ),
        m(
            format!(
                r#"{{"id": "neg{i}", "date": "2023-01-01", "commodity": "refined_petroleum", "quantity": {{"amount": -5, "unit": "bbl"}}, "to": "PRK"}}"#
            ),
            "sanc::event::negative_quantity",
            Some("quantity"),
            true,
        ),
        m(
            format!(
                r#"{{"id": "party{i}", "date": "2023-01-01", "commodity": "refined_petroleum", "quantity": "1 t", "to": "DRPK"}}"#
            ),
            "sanc::event::unknown_party",
            Some("to"),
            true,
        ),
        m(
            format!(
                r#"{{"id": "hs{i}", "date": "2023-01-01", "hs": "27.10", "quantity": "1 t", "to": "PRK"}}"#
            ),
            "sanc::event::bad_hs_code",
            Some("hs"),
            true,
        ),
        m(
            format!(
                r#"{{"id": "type{i}", "type": "shipmnt", "date": "2023-01-01", "commodity": "refined_petroleum", "quantity": "1 t", "to": "PRK"}}"#
            ),
            "sanc::event::bad_type",
            Some("type"),
            true,
        ),
        m(
            format!(
                r#"{{"id": "oddhs{i}", "date": "2023-01-01", "hs": "271", "quantity": "1 t", "to": "PRK"}}"#
            ),
            "sanc::event::bad_hs_code",
            Some("hs"),
            true,
        ),
        m(
            format!(
                r#"{{"id": "nocover{i}", "type": "report", "date": "2023-02-01", "reporter": "CHN", "covers": []}}"#
            ),
            "sanc::event::missing_field",
            Some("covers"),
            true,
        ),
        m(
            format!(
                r#"{{"id": "noreporter{i}", "type": "report", "date": "2023-02-01", "reporter": "", "covers": ["good0"]}}"#
            ),
            "sanc::event::missing_field",
            Some("reporter"),
            true,
        ),
        m(
            format!(
                r#"{{"id": "noparty{i}", "date": "2023-01-01", "commodity": "refined_petroleum", "quantity": "1 t"}}"#
            ),
            "sanc::event::missing_field",
            Some("from"),
            true,
        ),
        m(
            format!(
                r#"{{"id": {{"n": {i}}}, "date": "2023-01-01", "commodity": "refined_petroleum", "quantity": "1 t", "to": "PRK"}}"#
            ),
            "sanc::event::bad_field",
            Some("id"),
            true,
        ),
        m(
            format!(
                r#"{{"id": "rep{i}", "type": "report", "date": "2023-02-01", "reporter": "CHN", "covers": ["ghost{i}"]}}"#
            ),
            "sanc::event::unknown_cover",
            Some("covers"),
            false,
        ),
        m(
            format!(
                r#"{{"id": "exm{i}", "date": "2023-01-01", "commodity": "refined_petroleum", "quantity": "1 t", "to": "JPN", "exemptions": ["made_up"]}}"#
            ),
            "sanc::event::unknown_exemption",
            Some("exemptions"),
            false,
        ),
    ]
}

fn good(i: usize) -> String {
    format!(
        r#"{{"id": "good{i}", "date": "2023-01-{:02}", "commodity": "refined_petroleum", "quantity": "{i} bbl", "from": "CHN", "to": "PRK"}}"#,
        i % 28 + 1
    )
}

#[test]
fn every_bad_event_is_accounted_for_and_located() {
    let mut lines: Vec<String> = Vec::new();
    let mut expected: Vec<(usize, Mistake)> = Vec::new();
    let mut goods = 0;
    for round in 0..20 {
        for m in mistakes(round) {
            lines.push(good(lines.len()));
            goods += 1;
            expected.push((lines.len() + 1, m));
            lines.push(
                expected
                    .last()
                    .map(|(_, m)| m.line.clone())
                    .unwrap_or_default(),
            );
        }
        // A duplicated id: both events are rejected.
        lines.push(format!(r#"{{"id": "twin{round}", "date": "2023-03-01", "commodity": "refined_petroleum", "quantity": "1 t", "to": "PRK"}}"#));
        lines.push(format!(r#"{{"id": "twin{round}", "date": "2023-03-02", "commodity": "refined_petroleum", "quantity": "2 t", "to": "PRK"}}"#));
    }
    // A line that is not UTF-8 at all.
    let mut bytes = lines.join("\n").into_bytes();
    bytes.extend_from_slice(b"\n{\"id\": \"\xff\xfe\"}\n");
    let total = lines.len() + 1;
    assert!(total > 600);

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rules.sanc"), RULES).unwrap();
    std::fs::write(dir.path().join("events.ndjson"), &bytes).unwrap();
    let out = Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(dir.path())
        .args([
            "eval",
            "rules.sanc",
            "events.ndjson",
            "--format",
            "json",
            "--as-of",
            "2025-01-01",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "violations found, not a failed run"
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();

    let rejecting = expected.iter().filter(|(_, m)| m.rejects).count() + 2 * 20 + 1;
    assert_eq!(v["stats"]["events_read"], total);
    assert_eq!(v["stats"]["events_rejected"], rejecting);
    assert_eq!(v["stats"]["events_evaluated"], total - rejecting);
    // Every good event is still judged: each one is banned.
    let banned: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["event"].as_str())
        .collect();
    assert_eq!(
        banned.iter().filter(|e| e.starts_with("good")).count(),
        goods
    );

    let diags = v["diagnostics"].as_array().unwrap();
    for (line_no, m) in &expected {
        let found = diags
            .iter()
            .find(|d| d["line"] == *line_no && d["code"] == m.code);
        let Some(d) = found else {
            panic!("no {} on line {line_no}: {}", m.code, m.line);
        };
        assert_eq!(d["file"], "events.ndjson");
        assert_eq!(d["rejected"], m.rejects, "{}", m.line);
        let column = d["column"].as_u64().unwrap() as usize;
        match m.field {
            Some(f) if m.line.contains(&format!("\"{f}\"")) => {
                let at = m.line.find(&format!("\"{f}\"")).unwrap() + 1;
                assert_eq!(column, at, "{} should point at `{f}` in {}", m.code, m.line);
                assert_eq!(d["field"], f);
            }
            Some(f) => {
                // A missing field: the record itself, naming the field.
                assert_eq!(column, 1);
                assert_eq!(d["field"], f);
            }
            None => assert!(column >= 1),
        }
    }
    let twins = diags
        .iter()
        .filter(|d| d["code"] == "sanc::event::duplicate_id")
        .count();
    assert_eq!(twins, 20);
    let utf8 = diags.iter().find(|d| d["line"] == total).unwrap();
    assert_eq!(utf8["code"], "sanc::event::malformed");
}

#[test]
fn a_rejection_exits_three_and_two_with_strict() {
    let ev = "{\"id\": \"a\", \"date\": \"2023-02-30\", \"commodity\": \"refined_petroleum\", \"quantity\": \"1 t\", \"to\": \"JPN\"}\n";
    let run = common::eval(RULES, ev, "ndjson", &[]);
    assert_eq!(
        run.code, 3,
        "without --strict a rejection makes the run incomplete"
    );
    let run = common::eval(RULES, ev, "ndjson", &["--strict"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.contains(
        "0 violations, 0 warnings, 1 error · 1 event read, 0 evaluated, 1 rejected, 0 not evaluable · 1 rule\n\
         incomplete: 1 of 1 event not checked (1 rejected, 0 not evaluable), so this run cannot say they comply"
    ), "{}", run.stdout);
}

#[test]
fn a_byte_order_mark_does_not_shift_locations() {
    let ev = "\u{FEFF}{\"id\": \"a\", \"date\": \"2023-02-30\", \"commodity\": \"refined_petroleum\", \"quantity\": \"1 t\", \"to\": \"JPN\"}\n";
    let run = common::eval(RULES, ev, "ndjson", &[]);
    // The report shows the record and points at its `date` field.
    assert!(run.stdout.contains("events.ndjson:1:"), "{}", run.stdout);
    assert!(
        run.stdout.contains("`2023-02-30` is not a date"),
        "{}",
        run.stdout
    );
    let at = run.stdout.lines().find(|l| l.contains("───")).unwrap_or("");
    let record = run
        .stdout
        .lines()
        .find(|l| l.contains("\"date\": \"2023-02-30\""))
        .unwrap_or("");
    assert_eq!(
        at.find('─').map(|i| at[..i].chars().count()),
        record.find("\"date\"").map(|i| record[..i].chars().count()),
        "the underline starts under `\"date\"`:\n{}",
        run.stdout
    );
}
