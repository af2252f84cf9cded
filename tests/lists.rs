//! Designation lists: each reader, with a malformed entry located in its
//! file; filters; a missing file as a rule-set error.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sanc::diagnostic::Severity;
use sanc::loader::{load_files, RuleSource};
use std::path::Path;

/// Write `files` into a temporary folder and load `rules.sanc` from it.
fn load(rules: &str, files: &[(&str, &str)]) -> (tempfile::TempDir, RuleSource) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    std::fs::write(dir.path().join("rules.sanc"), rules).unwrap();
    let r = load_files(&[dir.path().join("rules.sanc")]);
    (dir, r)
}

/// (code, severity, file name, line, column) of each diagnostic.
fn located(r: &RuleSource) -> Vec<(String, Severity, String, usize, usize)> {
    r.diagnostics()
        .filter(|d| d.code.as_str() != "sanc::check::unused_declaration")
        .map(|d| {
            let span = d.primary_span().unwrap();
            let f = r.sources.get(span.file);
            let lc = f.line_col(f.local(span.start));
            let name = Path::new(&f.name)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (
                d.code.as_str().to_string(),
                d.severity,
                name,
                lc.line,
                lc.column,
            )
        })
        .collect()
}

fn entries(r: &RuleSource, list: &str) -> Vec<(String, String, Vec<u32>, Option<String>)> {
    let l = r.checked.rules.lists[list].data.as_ref().unwrap();
    l.entries
        .iter()
        .map(|e| {
            (
                e.reference.clone(),
                e.name.clone(),
                e.imo.clone(),
                e.listed_on.map(|d| d.to_string()),
            )
        })
        .collect()
}

#[test]
fn un_xml_filtered_by_reference_prefix() {
    let xml = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/sts-transfers/lists/un-consolidated.xml"
    ))
    .unwrap();
    let (_d, r) = load(
        "list un_kp \"UN 1718 designations\" = un \"lists/un.xml\" reference \"KP\"\n",
        &[("lists/un.xml", &xml)],
    );
    assert_eq!(located(&r), []);
    let e = entries(&r, "un_kp");
    assert_eq!(e.len(), 3, "QDe.004 is left out by the filter");
    assert_eq!(e[2].0, "KPe.020");
    assert_eq!(e[2].1, "OCEAN MARITIME MANAGEMENT COMPANY, LIMITED (OMM)");
    assert_eq!(e[2].3.as_deref(), Some("2014-07-28"));
    assert_eq!(
        r.checked.rules.lists["un_kp"]
            .data
            .as_ref()
            .unwrap()
            .filtered_out,
        1
    );
}

#[test]
fn un_xml_bad_date_and_broken_xml_located() {
    let xml = "<CONSOLIDATED_LIST><ENTITIES>\n<ENTITY><FIRST_NAME>A &amp; B</FIRST_NAME><REFERENCE_NUMBER>KPe.900</REFERENCE_NUMBER>\n<LISTED_ON>2014-13-01</LISTED_ON></ENTITY>\n<ENTITY><FIRST_NAME>C</FIRST_NAME></ENTITY>\n<ENTITY><FIRST_NAME>D</FIRST_NAME><REFERENCE_NUMBER>KPe.901</REFERENCE_NUMBER></ENTITY>\n<ENTITY><FIRST_NAME>E</FIRSTNAME>\n";
    let (_d, r) = load("list u = un \"u.xml\"\n", &[("u.xml", xml)]);
    let d = located(&r);
    assert_eq!(
        d.iter()
            .map(|x| (x.0.as_str(), x.2.as_str(), x.3))
            .collect::<Vec<_>>(),
        [
            ("sanc::list::malformed", "u.xml", 3),
            ("sanc::list::malformed", "u.xml", 4),
            ("sanc::list::malformed", "u.xml", 6),
        ]
    );
    assert!(
        d.iter().all(|x| x.1 == Severity::Warning),
        "never stops the check"
    );
    assert!(!r.has_errors());
    let e = entries(&r, "u");
    assert_eq!(
        e.iter().map(|e| e.1.as_str()).collect::<Vec<_>>(),
        ["A & B", "D"]
    );
}

#[test]
fn opensanctions_simple_csv_with_a_malformed_row() {
    let csv = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/sts-transfers/lists/targets.simple.csv"
    ))
    .unwrap();
    let bad_row = format!("{csv}os-y,Vessel,SHORT ROW\n");
    let (_d, r) = load(
        "list os = opensanctions \"t.csv\" dataset \"un_sc_sanctions\" schema Vessel\nlist os2 = opensanctions \"u.csv\"\n",
        &[("t.csv", &csv), ("u.csv", &bad_row)],
    );
    let e = entries(&r, "os");
    assert_eq!(e.len(), 2, "only vessels");
    assert_eq!(e[0].2, [8_660_313], "IMO from identifiers");
    assert_eq!(e[0].3, None, "no listing date in this format");
    let d = located(&r);
    assert_eq!(d.len(), 1);
    assert_eq!(
        (d[0].0.as_str(), d[0].2.as_str(), d[0].3, d[0].4),
        ("sanc::list::malformed", "u.csv", 6, 1)
    );
    assert_eq!(entries(&r, "os2").len(), 4);
}

#[test]
fn ftm_lines_with_a_malformed_line() {
    let ftm = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/sts-transfers/lists/vessels.ftm.json"
    ))
    .unwrap();
    let text = format!("{ftm}{{\"id\": \"x\", \"schema\": \"Vessel\", \"properties\": {{\"name\": [\"X\"]}}\n{{\"id\": \"y\", \"schema\": \"Vessel\", \"properties\": {{\"name\": [\"Y\"], \"imoNumber\": [\"IMO 8122347\"], \"startDate\": [\"2018-03-30\"]}}, \"datasets\": [\"other\"]}}\n");
    let (_d, r) = load(
        "list v = ftm \"v.json\" schema Vessel\nlist w = ftm \"v.json\" dataset \"un_sc_sanctions\"\n",
        &[("v.json", &text)],
    );
    let e = entries(&r, "v");
    assert_eq!(
        e.iter()
            .map(|e| (e.0.as_str(), e.2.clone(), e.3.clone()))
            .collect::<Vec<_>>(),
        [
            ("ftm-vessel-8604917", vec![8_604_917], None),
            ("ftm-vessel-8405311", vec![8_405_311], None),
            ("y", vec![8_122_347], Some("2018-03-30".to_string())),
        ]
    );
    assert_eq!(entries(&r, "w").len(), 3, "the dataset filter");
    let d = located(&r);
    // The broken line is reported once per list that reads it.
    assert!(
        !d.is_empty() && d.iter().all(|x| x.0 == "sanc::list::malformed" && x.3 == 4),
        "{d:?}"
    );
}

#[test]
fn plain_csv_bad_cells_located() {
    let csv = "name,imo,listed_on,delisted_on,reference\nCHON MA SAN,8660313,2018-03-30,,V1\nBAD IMO,8660314,2018-03-30,,V2\nBAD DATE,,2018-02-30,,V3\nREVERSED,,2018-03-30,2017-01-01,V4\n,,,,V5\n";
    let (_d, r) = load("list c = csv \"c.csv\"\n", &[("c.csv", csv)]);
    let d = located(&r);
    assert_eq!(
        d.iter()
            .map(|x| (x.0.as_str(), x.3, x.4))
            .collect::<Vec<_>>(),
        [
            ("sanc::list::malformed", 3, 9),
            ("sanc::list::malformed", 4, 11),
            ("sanc::list::malformed", 5, 22),
            ("sanc::list::malformed", 6, 1),
        ]
    );
    assert_eq!(entries(&r, "c").len(), 1);
}

#[test]
fn plain_csv_comment_lines_are_skipped_and_locations_kept() {
    // A shipped list says where it was taken in `#` lines; a bad cell after
    // them is still located on its own line.
    let csv = "# taken from the Committee's list on 2018-10-16\n# excerpt\nname,imo,listed_on,delisted_on,reference\nKUM UN SAN 3,8705539,2018-10-16,,V1\n# a note between entries\nBAD IMO,8705530,2018-10-16,,V2\n";
    let (_d, r) = load("list c = csv \"c.csv\"\n", &[("c.csv", csv)]);
    let d = located(&r);
    assert_eq!(
        d.iter()
            .map(|x| (x.0.as_str(), x.3, x.4))
            .collect::<Vec<_>>(),
        [("sanc::list::malformed", 6, 9)]
    );
    let e = entries(&r, "c");
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].0, "V1");
    assert_eq!(e[0].1, "KUM UN SAN 3");
    assert_eq!(e[0].2, vec![8705539]);
    assert_eq!(e[0].3.as_deref(), Some("2018-10-16"));
}

#[test]
fn missing_file_is_a_rule_set_error() {
    let (_d, r) = load("list c = csv \"nowhere.csv\"\n", &[]);
    let d = located(&r);
    assert_eq!(d.len(), 1);
    assert_eq!(
        (d[0].0.as_str(), d[0].1, d[0].2.as_str(), d[0].3, d[0].4),
        (
            "sanc::list::unreadable",
            Severity::Error,
            "rules.sanc",
            1,
            14
        )
    );
    assert!(r.has_errors());
}

#[test]
fn unknown_format_and_misplaced_dataset() {
    let (_d, r) = load(
        "list a = opensanction \"a.csv\"\nlist b = csv \"b.csv\" dataset \"x\"\n",
        &[("b.csv", "name\nX\n")],
    );
    let msgs: Vec<(String, Option<String>)> = r
        .diagnostics()
        .filter(|d| d.code.as_str() == "sanc::check::bad_list")
        .map(|d| (d.message.clone(), d.help.clone()))
        .collect();
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(msgs[0]
        .1
        .as_deref()
        .unwrap()
        .starts_with("did you mean `opensanctions`?"));
}
