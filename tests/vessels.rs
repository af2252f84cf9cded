//! Vessels, transfer modes and parties by role, read from every format:
//! accepted when valid, and a bad IMO number rejected with its place.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use serde_json::Value;

const RULES: &str = "commodity refined_petroleum = hs 2710\nban refined_petroleum to PRK\n";

fn diagnostics(v: &Value) -> Vec<(String, String, u64, u64)> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["field"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn run(events: &str, ext: &str) -> Value {
    let r = common::eval(RULES, events, ext, &["--format", "json"]);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
}

#[test]
fn ndjson_vessels_and_a_bad_imo_located() {
    let events = concat!(
        r#"{"id": "ok", "date": "2023-01-01", "hs": "271019", "to": "PRK", "transfer": "sts", "vessel": "IMO 9066540", "counterpart_vessel": {"name": "Yu Jong 2", "flag": "PRK"}, "parties": {"owner": {"name": "Acme Shipping", "country": "HKG"}}}"#,
        "\n",
        r#"{"id": "bad", "date": "2023-01-01", "hs": "271019", "to": "PRK", "counterpart_vessel": {"name": "Yu Jong 2", "imo": "8604918"}}"#,
        "\n",
    );
    let v = run(events, "ndjson");
    assert_eq!(v["stats"]["events_rejected"], 1);
    assert_eq!(v["stats"]["violations"], 1);
    let d = diagnostics(&v);
    // The column of `"imo"` inside `counterpart_vessel` on line 2.
    let col = events.lines().nth(1).unwrap().find("\"imo\"").unwrap() as u64 + 1;
    assert_eq!(
        d,
        [(
            "sanc::event::bad_imo".to_string(),
            "counterpart_vessel.imo".to_string(),
            2,
            col
        )]
    );
}

#[test]
fn json_array_port_call() {
    let events = r#"[
 {"id": "pc", "type": "port_call", "date": "2023-01-01", "port": "RUS", "vessel": {"imo": 8660313, "flag": "PRK"}},
 {"id": "pc2", "type": "port_call", "date": "2023-01-01", "vessel": "Chon Ma San"}
]"#;
    let v = run(events, "json");
    assert_eq!(v["stats"]["events_read"], 2);
    assert_eq!(v["stats"]["events_rejected"], 1);
    let d = diagnostics(&v);
    assert_eq!(d.len(), 1);
    assert_eq!(
        (d[0].0.as_str(), d[0].1.as_str(), d[0].2),
        ("sanc::event::missing_field", "port", 3)
    );
}

#[test]
fn csv_flat_columns_and_a_bad_imo_located() {
    let events = "id,date,hs,to,transfer,vessel_imo,vessel_flag,counterpart_vessel,party_owner,party_owner_country\n\
                  a,2023-01-01,271019,PRK,sts,9066540,PRK,Yu Jong 2,Korea Ansan Shipping Company,PRK\n\
                  b,2023-01-01,271019,PRK,STS,9066541,PRK,,,\n";
    let v = run(events, "csv");
    assert_eq!(v["stats"]["events_read"], 2);
    assert_eq!(v["stats"]["violations"], 1);
    let d = diagnostics(&v);
    assert_eq!(
        d,
        [(
            "sanc::event::bad_imo".to_string(),
            "vessel_imo".to_string(),
            3,
            29
        )]
    );
}
