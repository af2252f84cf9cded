//! Shuffling the events never changes the findings, their order, the
//! diagnostics or the counts. (Event locations follow the input, so they are
//! the one thing compared apart: each finding must still point at its own
//! event's line.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use sanc::eval::Evaluator;
use sanc::events::{read, Input, InputFormat};
use sanc::loader::load_texts;
use sanc::report::eval::{prepare, EvalJson, Need, Run};
use serde_json::Value;

const RULES: &str = r#"
party DPRK = PRK
commodity refined_petroleum = hs 2710
commodity diesel = hs 271019 under refined_petroleum
convert refined_petroleum 1 t = 7.33 bbl
commodity arms = hs 93
commodity crude_oil = hs 2709
exemption humanitarian "humanitarian"
annual: cap refined_petroleum to DPRK 100 bbl per year warn at 50%, 75%
rolling: cap refined_petroleum to DPRK 60 bbl per 10 days by origin
ban arms to DPRK except exemption humanitarian
cap price crude_oil from RUS 60 USD per bbl
require report of refined_petroleum to DPRK within 5 days
"#;

fn events() -> Vec<String> {
    let mut v = Vec::new();
    // Several events on the same day, so the id tie-break matters.
    for (i, (date, qty, from)) in [
        ("2023-01-01", "20 bbl", "RUS"),
        ("2023-01-01", "20 bbl", "CHN"),
        ("2023-01-01", "3 t", "RUS"),
        ("2023-01-04", "15 bbl", "RUS"),
        ("2023-01-09", "30 bbl", "CHN"),
        ("2023-01-09", "5 bbl", "RUS"),
        ("2023-02-01", "40 bbl", "CHN"),
        ("2024-01-01", "70 bbl", "RUS"),
    ]
    .iter()
    .enumerate()
    {
        v.push(format!(
            r#"{{"id": "p{i}", "date": "{date}", "commodity": "diesel", "quantity": "{qty}", "from": "{from}", "to": "PRK"}}"#
        ));
    }
    v.push(r#"{"id": "rep", "type": "report", "date": "2023-01-03", "reporter": "RUS", "covers": ["p0", "p2", "nope"]}"#.into());
    v.push(r#"{"id": "arms1", "date": "2023-01-01", "commodity": "arms", "quantity": "1 units", "from": "RUS", "to": "PRK"}"#.into());
    v.push(r#"{"id": "arms2", "date": "2023-01-01", "commodity": "arms", "quantity": "1 units", "from": "RUS", "to": "PRK", "exemptions": ["humanitarian"]}"#.into());
    v.push(r#"{"id": "oil", "date": "2023-01-02", "commodity": "crude_oil", "quantity": "1 bbl", "price": "61 USD/bbl", "from": "RUS", "to": "IND"}"#.into());
    v.push(r#"{"id": "dup", "date": "2023-01-02", "commodity": "arms", "quantity": "1 units", "from": "RUS", "to": "PRK"}"#.into());
    v.push(r#"{"id": "dup", "date": "2023-01-05", "commodity": "arms", "quantity": "2 units", "from": "RUS", "to": "PRK"}"#.into());
    v.push(r#"{"id": "bad", "date": "2023-13-01", "commodity": "arms", "quantity": "1 units", "to": "PRK"}"#.into());
    // Twins where only one would get a remark (no price under a price cap).
    v.push(r#"{"id": "twin", "date": "2023-01-06", "commodity": "crude_oil", "quantity": "1 bbl", "from": "RUS", "to": "IND"}"#.into());
    v.push(r#"{"id": "twin", "date": "2023-01-06", "commodity": "crude_oil", "quantity": "1 bbl", "price": "50 USD/bbl", "from": "RUS", "to": "IND"}"#.into());
    v
}

/// Evaluate, and return the JSON output with locations split off:
/// (output without event locations, each finding's event line text).
fn run(lines: &[String]) -> (Value, Vec<(String, String)>) {
    let text = lines.join("\n");
    let mut rules = load_texts([("rules.sanc", RULES)]);
    assert!(!rules.has_errors());
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let mut ev = Evaluator::new(&rules.checked.rules, as_of);
    let mut inputs = vec![Input::new("events.ndjson", None, InputFormat::Ndjson)];
    read::read(0, &mut inputs[0], text.as_bytes(), |i| ev.item(i), |_| {}).unwrap();
    let outcome = ev.finish();
    let prepared = prepare(&mut rules.sources, &inputs, &outcome, Need::Diagnostics);
    let run = Run {
        sources: &rules.sources,
        rules: &rules.checked.rules,
        rule_diags: &[],
        inputs: &inputs,
        outcome: &outcome,
        prepared: &prepared,
    };
    let mut v = serde_json::to_value(EvalJson(&run)).unwrap();
    let mut placed = Vec::new();
    for f in v["findings"].as_array_mut().unwrap() {
        let line = f["event_location"]["line"].as_u64().unwrap() as usize;
        placed.push((
            f["event"].as_str().unwrap().to_string(),
            lines[line - 1].clone(),
        ));
        f.as_object_mut().unwrap().remove("event_location");
    }
    for d in v["diagnostics"].as_array_mut().unwrap() {
        let o = d.as_object_mut().unwrap();
        o.remove("line");
        o.remove("column");
    }
    (v, placed)
}

#[test]
fn the_reference_order_gives_the_expected_findings() {
    let (v, _) = run(&events());
    assert_eq!(v["stats"]["events_read"], 17);
    assert_eq!(
        v["stats"]["events_rejected"], 5,
        "two `dup`, two `twin` and the bad date"
    );
    let remarks: Vec<&Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["event"] == "twin")
        .collect();
    assert_eq!(
        remarks.len(),
        1,
        "only the duplicate-id rejection: {remarks:?}"
    );
    assert!(v["findings"].as_array().unwrap().len() >= 6);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn shuffling_events_never_changes_the_output(shuffled in Just(events()).prop_shuffle()) {
        let (reference, _) = run(&events());
        let (got, placed) = run(&shuffled);
        prop_assert_eq!(
            serde_json::to_string_pretty(&reference).unwrap(),
            serde_json::to_string_pretty(&got).unwrap()
        );
        // Every finding still points at its own event's line.
        for (id, line) in placed {
            let needle = format!("\"id\": \"{}\"", id);
            prop_assert!(line.contains(&needle), "{} not on {}", id, line);
        }
    }
}
