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

/// `examples/comtrade/mirror.csv`: CHN's reported exports to PRK (100 t in
/// January, 200 t in February, monthly rows), PRK's reported imports from
/// CHN (250 t, one annual row), RUS's reported exports (50 t, March) and
/// PRK's reported imports from RUS (40 t, March). A cap of 300 t a year.
fn mirror(view: &str) -> Value {
    let rules = "commodity refined_petroleum = hs 2710 measured in t\ncap refined_petroleum to PRK 300 t per year\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("r.sanc"), rules).unwrap();
    let out = Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "eval",
            dir.path().join("r.sanc").to_str().unwrap(),
            "examples/comtrade/mirror.csv",
            "--input-format",
            "comtrade",
            "--comtrade-view",
            view,
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The year's window: events, total, and totals by supplier.
fn window(v: &Value) -> (u64, String, Vec<(String, String)>) {
    let w = &v["windows"][0];
    (
        w["events"].as_u64().unwrap(),
        w["total"].as_str().unwrap().into(),
        w["by_supplier"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["key"].as_str().unwrap().into(),
                    p["total"].as_str().unwrap().into(),
                )
            })
            .collect(),
    )
}

fn codes(v: &Value) -> Vec<(String, String, u64)> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().into(),
                d["severity"].as_str().unwrap().into(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn importer_view_counts_the_importers_reports() {
    let v = mirror("importer");
    // 250 t (annual, from CHN) + 40 t (March, from RUS) = 290 t: under 300 t.
    assert_eq!(
        window(&v),
        (
            2,
            "290".to_string(),
            pairs(&[("CHN", "250"), ("RUS", "40")])
        )
    );
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    assert_eq!(v["stats"]["events_read"], 2);
    // The three export rows are left out, said once, at the first of them.
    assert_eq!(
        codes(&v),
        [(
            "sanc::event::comtrade_mirror".to_string(),
            "advice".to_string(),
            2
        )]
    );
    let m = v["diagnostics"][0]["message"].as_str().unwrap();
    assert!(m.starts_with("3 export rows of"), "{m}");
}

#[test]
fn exporter_view_counts_the_mirror_statistics() {
    let v = mirror("exporter");
    // 100 t + 200 t (CHN) + 50 t (RUS) = 350 t: over 300 t with March.
    assert_eq!(
        window(&v),
        (
            3,
            "350".to_string(),
            pairs(&[("CHN", "300"), ("RUS", "50")])
        )
    );
    let f = &v["findings"][0];
    assert_eq!(f["event"], "comtrade:RUS:X:PRK:2710:2019-03:2100");
    assert_eq!(f["source"], "UN Comtrade: RUS's reported exports");
    assert_eq!(f["total"], "350");
    assert_eq!(v["stats"]["events_read"], 3);
    assert_eq!(
        codes(&v),
        [(
            "sanc::event::comtrade_mirror".to_string(),
            "advice".to_string(),
            4
        )]
    );
}

#[test]
fn all_rows_warn_of_each_mirror_pair() {
    let v = mirror("all");
    // 100 + 200 + 250 + 50 + 40 = 640 t: each trade counted from both sides.
    assert_eq!(
        window(&v),
        (
            5,
            "640".to_string(),
            pairs(&[("CHN", "550"), ("RUS", "90")])
        )
    );
    // Row 4 (PRK's annual import from CHN) mirrors row 2; row 6 (PRK's
    // import from RUS) mirrors row 5: one warning each.
    assert_eq!(
        codes(&v),
        [
            (
                "sanc::event::comtrade_mirror".to_string(),
                "warning".to_string(),
                4
            ),
            (
                "sanc::event::comtrade_mirror".to_string(),
                "warning".to_string(),
                6
            )
        ]
    );
}
