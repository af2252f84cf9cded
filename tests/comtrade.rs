//! UN Comtrade CSV as events: monthly and annual rows, flows, units,
//! and a malformed row located.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use serde_json::Value;

#[test]
fn comtrade_rows_are_shipments() {
    let rules = "commodity refined_petroleum = hs 2710 measured in t, bbl\nconvert refined_petroleum 1 t = 7.33 bbl\ncap refined_petroleum to PRK 10000 bbl per year\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("r.sanc"), rules).unwrap();
    let out = Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "eval",
            dir.path().join("r.sanc").to_str().unwrap(),
            "examples/comtrade/dprk-petroleum.csv",
            "--input-format",
            "comtrade",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["stats"]["events_read"], 4);
    assert_eq!(v["stats"]["events_rejected"], 1);
    // 1,200 t (8,796 bbl) in January, 900 t in February: over 10,000 bbl
    // with February; the annual import row (netWgt 1,900 t, dated
    // 2019-12-31) after it.
    let f: Vec<(String, String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["event"].as_str().unwrap().into(),
                f["date"].as_str().unwrap().into(),
                f["total"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        f,
        [
            (
                "comtrade:CHN:X:PRK:2710:2019-02:2100".to_string(),
                "2019-02-28".to_string(),
                "15393".to_string()
            ),
            (
                "comtrade:PRK:M:CHN:2710:2019:0".to_string(),
                "2019-12-31".to_string(),
                "29320".to_string()
            ),
        ]
    );
    let d = &v["diagnostics"][0];
    assert_eq!(
        (
            d["code"].as_str(),
            d["field"].as_str(),
            d["line"].as_u64(),
            d["column"].as_u64()
        ),
        (
            Some("sanc::event::bad_field"),
            Some("refMonth"),
            Some(5),
            Some(19)
        )
    );
}
