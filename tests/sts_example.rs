//! examples/sts-transfers: every finding its README explains, with the
//! facts of each list match.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use serde_json::Value;

#[test]
fn the_sts_example_finds_what_its_readme_says() {
    let out = Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "eval",
            "examples/sts-transfers/rules.sanc",
            "examples/sts-transfers/events.ndjson",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["diagnostics"].as_array().unwrap().len(),
        0,
        "{}",
        v["diagnostics"]
    );
    assert_eq!(v["stats"]["events_read"], 7);
    assert_eq!(v["stats"]["violations"], 6);
    assert_eq!(v["stats"]["warnings"], 1);
    let found: Vec<(String, String, String, Vec<String>)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let matches = f["matches"]
                .as_array()
                .map(|m| {
                    m.iter()
                        .map(|m| {
                            format!(
                                "{} {} {} {} {}",
                                m["list"].as_str().unwrap(),
                                m["entry_reference"].as_str().unwrap(),
                                m["listed_on"].as_str().unwrap_or("-"),
                                m["field"].as_str().unwrap(),
                                m["method"].as_str().unwrap()
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            (
                f["event"].as_str().unwrap().to_string(),
                f["rule"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("un_dprk_maritime.")
                    .to_string(),
                f["kind"].as_str().unwrap().to_string(),
                matches,
            )
        })
        .collect();
    let s = |x: &str| x.to_string();
    assert_eq!(
        found,
        [
            (
                s("pc-2"),
                s("port_entry"),
                s("violation"),
                vec![s("un_vessels UN1718-IMO8660313 2018-03-30 vessel imo")]
            ),
            (
                s("pc-3"),
                s("port_entry"),
                s("violation"),
                vec![s("un_vessels UN1718-IMO8705539 2018-10-16 vessel name")]
            ),
            (s("sts-1"), s("sts_dprk_flag"), s("violation"), vec![]),
            (
                s("sts-2"),
                s("sts_listed"),
                s("violation"),
                vec![s("os_vessels os-vessel-9066540 - counterpart_vessel imo")]
            ),
            (
                s("ship-1"),
                s("asset_freeze"),
                s("violation"),
                vec![s("un_kp KPe.020 2014-07-28 parties.owner name")]
            ),
            (
                s("ship-1"),
                s("listed_owner_or_operator"),
                s("warning"),
                vec![s("ftm_un ftm-omm - parties.owner name")]
            ),
            (
                s("ship-1"),
                s("petroleum_cap"),
                s("violation"),
                vec![s("un_kp KPe.020 2014-07-28 parties.owner name")]
            ),
        ]
    );
}
