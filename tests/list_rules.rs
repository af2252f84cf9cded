//! Rules on vessels, parties and designation lists: each form finds what
//! it should, and a near miss finds nothing. Findings carry the list, the
//! entry's reference and listed date, the field and the method.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use serde_json::Value;

const LISTS: &str = "list un_kp \"UN DPRK designations\" = un \"un.xml\" reference \"KP\"\n\
                     list vessels \"UN 1718 designated vessels\" = csv \"vessels.csv\"\n";

const UN_XML: &str = r#"<CONSOLIDATED_LIST><ENTITIES>
<ENTITY><FIRST_NAME>OCEAN MARITIME MANAGEMENT COMPANY, LIMITED (OMM)</FIRST_NAME><REFERENCE_NUMBER>KPe.020</REFERENCE_NUMBER><LISTED_ON>2014-07-28</LISTED_ON></ENTITY>
<ENTITY><FIRST_NAME>KOREA RYONBONG GENERAL CORPORATION</FIRST_NAME><REFERENCE_NUMBER>KPe.002</REFERENCE_NUMBER><LISTED_ON>2009-04-24</LISTED_ON></ENTITY>
</ENTITIES></CONSOLIDATED_LIST>
"#;

const VESSELS: &str = "name,imo,listed_on,delisted_on,reference\nCHON MA SAN,8660313,2018-03-30,,V-8660313\nYU JONG 2,8604917,2018-03-30,,V-8604917\n";

/// Run `sanc eval --format json` on `rules` (after the list declarations) and NDJSON `events`.
fn run(rules: &str, events: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("un.xml"), UN_XML).unwrap();
    std::fs::write(p.join("vessels.csv"), VESSELS).unwrap();
    let prelude = "party DPRK = PRK\ngroup G7 = [CAN, FRA, DEU, ITA, JPN, GBR, USA]\ncommodity refined_petroleum = hs 2710\n";
    std::fs::write(p.join("rules.sanc"), format!("{prelude}{LISTS}{rules}")).unwrap();
    std::fs::write(p.join("events.ndjson"), events).unwrap();
    let out = Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(p)
        .args(["eval", "rules.sanc", "events.ndjson", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    let errors: Vec<&Value> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    v
}

/// (event, rule) of each finding.
fn found(v: &Value) -> Vec<(String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["event"].as_str().unwrap().into(),
                f["rule"].as_str().unwrap().into(),
            )
        })
        .collect()
}

fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
    p.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn any_listed_party_and_the_day_of_listing() {
    let v = run(
        "ban any with any party on un_kp\n",
        concat!(
            r#"{"id": "hit", "date": "2014-07-28", "hs": "2710", "to": "PRK", "parties": {"insurer": "Ocean Maritime Management Co., Ltd."}}"#,
            "\n",
            r#"{"id": "day-before", "date": "2014-07-27", "hs": "2710", "to": "PRK", "parties": {"insurer": "Ocean Maritime Management Co., Ltd."}}"#,
            "\n",
            r#"{"id": "alias", "date": "2015-01-01", "hs": "2710", "to": "CHN", "parties": {"owner": "omm"}}"#,
            "\n",
        ),
    );
    assert_eq!(
        found(&v),
        pairs(&[
            ("hit", "ban-any-with-any-party-on-un_kp"),
            ("alias", "ban-any-with-any-party-on-un_kp")
        ])
    );
    let m = &v["findings"][0]["matches"][0];
    assert_eq!(m["list"], "un_kp");
    assert_eq!(m["entry_reference"], "KPe.020");
    assert_eq!(m["listed_on"], "2014-07-28");
    assert_eq!(m["field"], "parties.insurer");
    assert_eq!(m["method"], "name");
    assert_eq!(v["findings"][1]["matches"][0]["method"], "alias");
}

#[test]
fn named_roles_only() {
    let v = run(
        "ban any with owner or operator on un_kp\n",
        concat!(
            r#"{"id": "owner", "date": "2020-01-01", "hs": "2710", "to": "PRK", "parties": {"owner": "Korea Ryonbong General Corp."}}"#,
            "\n",
            r#"{"id": "broker", "date": "2020-01-01", "hs": "2710", "to": "PRK", "parties": {"broker": "Korea Ryonbong General Corp."}}"#,
            "\n",
        ),
    );
    assert_eq!(
        found(&v),
        pairs(&[("owner", "ban-any-with-owner-or-operator-on-un_kp")])
    );
}

#[test]
fn sts_transfers_with_dprk_flagged_or_listed_vessels() {
    let v = run(
        "ban any by sts transfer with vessel flagged DPRK\nban any by sts transfer with vessel on vessels\n",
        concat!(
            r#"{"id": "flag", "date": "2020-01-01", "hs": "2710", "to": "CHN", "transfer": "sts", "vessel": "IMO 9074729", "counterpart_vessel": {"name": "Ul Ji Bong", "flag": "PRK"}}"#, "\n",
            r#"{"id": "in-port", "date": "2020-01-01", "hs": "2710", "to": "CHN", "transfer": "port", "vessel": {"name": "Ul Ji Bong", "flag": "PRK"}}"#, "\n",
            r#"{"id": "listed", "date": "2020-01-01", "hs": "2710", "to": "CHN", "transfer": "sts", "vessel": "IMO 9074729", "counterpart_vessel": "IMO 8604917"}"#, "\n",
            r#"{"id": "unlisted", "date": "2020-01-01", "hs": "2710", "to": "CHN", "transfer": "sts", "vessel": "IMO 9074729", "counterpart_vessel": "IMO 8122347"}"#, "\n",
        ),
    );
    assert_eq!(
        found(&v),
        pairs(&[
            ("flag", "ban-any-by-sts-with-vessel-flagged-PRK"),
            ("listed", "ban-any-by-sts-with-vessel-on-vessels"),
        ])
    );
    let m = &v["findings"][1]["matches"][0];
    assert_eq!(
        (
            m["field"].as_str(),
            m["method"].as_str(),
            m["entry_reference"].as_str()
        ),
        (Some("counterpart_vessel"), Some("imo"), Some("V-8604917"))
    );
}

#[test]
fn port_calls_by_listed_vessels() {
    let v = run(
        "port_entry: ban port calls with vessel on vessels cite \"UNSCR 2371 (2017) OP 6\"\n",
        concat!(
            r#"{"id": "pc1", "type": "port_call", "date": "2018-03-30", "port": "RUS", "vessel": {"imo": "8660313", "name": "Chon Ma San"}}"#,
            "\n",
            r#"{"id": "pc0", "type": "port_call", "date": "2018-03-29", "port": "RUS", "vessel": {"imo": "8660313"}}"#,
            "\n",
            r#"{"id": "pc2", "type": "port_call", "date": "2019-01-01", "port": "CHN", "vessel": "CHONMASAN"}"#,
            "\n",
            r#"{"id": "pc3", "type": "port_call", "date": "2019-01-01", "port": "CHN", "vessel": "Chon Ma Sam"}"#,
            "\n",
        ),
    );
    assert_eq!(
        found(&v),
        pairs(&[("pc1", "port_entry"), ("pc2", "port_entry")])
    );
    assert_eq!(
        v["findings"][0]["matches"].as_array().unwrap().len(),
        1,
        "IMO and name: one fact"
    );
    assert_eq!(v["findings"][1]["matches"][0]["method"], "name");
}

#[test]
fn fuzzy_threshold_in_the_rule_and_the_score_in_the_finding() {
    let v = run(
        "ban port calls with vessel on vessels fuzzy 85%\n",
        concat!(
            r#"{"id": "near", "type": "port_call", "date": "2019-01-01", "port": "CHN", "vessel": "Chon Ma Sam"}"#,
            "\n",
            r#"{"id": "far", "type": "port_call", "date": "2019-01-01", "port": "CHN", "vessel": "Chong Mo Sam"}"#,
            "\n",
        ),
    );
    assert_eq!(
        found(&v),
        pairs(&[("near", "ban-port-calls-with-vessel-on-vessels")])
    );
    let m = &v["findings"][0]["matches"][0];
    assert_eq!(
        (m["method"].as_str(), m["score"].as_str()),
        (Some("fuzzy"), Some("0.888"))
    );
}

#[test]
fn scope_by_flag_and_by_nationality_of_a_role() {
    let v = run(
        "ban refined_petroleum to DPRK with vessel flagged any\nban refined_petroleum with insurer in G7\n",
        concat!(
            r#"{"id": "flagged", "date": "2020-01-01", "hs": "2710", "to": "PRK", "vessel": {"name": "X", "flag": "PAN"}}"#, "\n",
            r#"{"id": "no-flag", "date": "2020-01-01", "hs": "2710", "to": "PRK", "vessel": "X"}"#, "\n",
            r#"{"id": "g7", "date": "2020-01-01", "hs": "2710", "to": "CHN", "parties": {"insurer": {"name": "Acme Marine", "country": "GBR"}}}"#, "\n",
            r#"{"id": "not-g7", "date": "2020-01-01", "hs": "2710", "to": "CHN", "parties": {"insurer": {"name": "Acme Marine", "country": "CHN"}, "owner": {"name": "B", "country": "FRA"}}}"#, "\n",
        ),
    );
    assert_eq!(
        found(&v),
        pairs(&[
            (
                "flagged",
                "ban-refined_petroleum-to-PRK-with-vessel-flagged-any"
            ),
            ("g7", "ban-refined_petroleum-with-insurer-in-G7"),
        ])
    );
}

#[test]
fn cap_provided_no_listed_party() {
    let rules = "cap refined_petroleum to DPRK 100 bbl per year provided no party on un_kp cite \"UNSCR 2397 (2017) OP 5\"\n";
    let v = run(
        rules,
        concat!(
            r#"{"id": "a", "date": "2020-01-01", "hs": "2710", "quantity": "60 bbl", "to": "PRK", "parties": {"shipper": "Korea Ryonbong General Corporation"}}"#,
            "\n",
            r#"{"id": "b", "date": "2020-02-01", "hs": "2710", "quantity": "50 bbl", "to": "PRK"}"#,
            "\n",
        ),
    );
    // `a` is a violation of its own, and counts: `b` takes the total to 110.
    assert_eq!(
        found(&v),
        pairs(&[
            ("a", "cap-refined_petroleum-to-PRK"),
            ("b", "cap-refined_petroleum-to-PRK")
        ])
    );
    assert!(v["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("has a listed party"));
    assert_eq!(v["findings"][0]["matches"][0]["entry_reference"], "KPe.002");
    assert_eq!(v["findings"][1]["total"], "110");
    // Near miss: no listed party (a name that is not on the list), and within the cap.
    let v = run(
        rules,
        concat!(
            r#"{"id": "a", "date": "2020-01-01", "hs": "2710", "quantity": "50 bbl", "to": "PRK", "parties": {"shipper": "Korea Ryonbong Trading"}}"#,
            "\n",
            r#"{"id": "b", "date": "2020-02-01", "hs": "2710", "quantity": "50 bbl", "to": "PRK"}"#,
            "\n",
        ),
    );
    assert_eq!(found(&v), []);
}
