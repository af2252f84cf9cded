//! Honest verdicts, end to end: every event ends evaluated, rejected or not
//! evaluable, and a run that left anything unchecked never exits 0. Each
//! case is one mistake an analyst makes, with the exit code and counts
//! worked out by hand.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{eval, eval_json, event_diagnostics, kinds, s};
use serde_json::Value;

const RULES: &str = "\
commodity arms = hs 93
commodity refined_petroleum = hs 2710
convert refined_petroleum 1 t = 7.33 bbl
arms_ban: ban arms from PRK cite \"UNSCR 1718 (2006) OP 8(b)\"
oil_cap: cap refined_petroleum to PRK 500000 bbl per year
price_cap: cap price refined_petroleum from RUS 60 USD per bbl
";

fn stats(v: &Value) -> (u64, u64, u64, u64) {
    let n = |k: &str| v["stats"][k].as_u64().unwrap_or(u64::MAX);
    (
        n("events_read"),
        n("events_evaluated"),
        n("events_rejected"),
        n("events_not_evaluable"),
    )
}

/// `--strict` turns an incomplete run (3) into a failed one (2).
fn strict_code(rules: &str, events: &str) -> i32 {
    eval(rules, events, "ndjson", &["--strict", "--quiet"]).code
}

#[test]
fn every_event_rejected_is_an_incomplete_run_not_a_clean_one() {
    let ev = "\
{\"id\": \"a\", \"date\": \"2023-02-30\", \"commodity\": \"arms\", \"from\": \"PRK\"}
{\"id\": \"b\", \"date\": \"2023-01-01\", \"commodity\": \"arms\", \"from\": \"North Korea\"}
{\"id\": \"c\"}
";
    let (code, v) = eval_json(RULES, ev);
    assert_eq!(code, 3, "{v}");
    assert_eq!(stats(&v), (3, 0, 3, 0));
    assert_eq!(v["stats"]["violations"], 0);
    let run = eval(RULES, ev, "ndjson", &["--quiet"]);
    assert_eq!(run.code, 3);
    assert_eq!(
        run.stdout,
        "0 violations, 0 warnings, 5 errors · 3 events read, 0 evaluated, 3 rejected, 0 not evaluable · 3 rules\n\
         incomplete: 3 of 3 events not checked (3 rejected, 0 not evaluable), so this run cannot say they comply\n"
    );
    assert_eq!(strict_code(RULES, ev), 2);
}

#[test]
fn an_undeclared_commodity_with_no_hs_is_not_evaluable() {
    // Rockets from the DPRK: the arms ban cannot tell whether it covers them.
    let ev = "{\"id\": \"r\", \"date\": \"2023-01-05\", \"commodity\": \"rockets\", \"from\": \"PRK\", \"to\": \"SYR\", \"quantity\": \"5 units\"}\n";
    let (code, v) = eval_json(RULES, ev);
    assert_eq!(code, 3, "{v}");
    assert_eq!(stats(&v), (1, 0, 0, 1));
    let d = &event_diagnostics(&v)[0];
    assert_eq!(d["code"], "sanc::event::unknown_commodity");
    assert_eq!(d["effect"], "not_evaluable");
    assert_eq!(d["rule"], "arms_ban");
    assert_eq!(d["field"], "commodity");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(1), Some(35))
    );
    assert!(d["help"]
        .as_str()
        .is_some_and(|h| h.contains("add an `hs` code")));
    assert_eq!(strict_code(RULES, ev), 2);
    // Given its HS code, the same shipment is judged, and banned.
    let ev = ev.replace("\"commodity\": \"rockets\"", "\"hs\": \"930690\"");
    let (code, v) = eval_json(RULES, &ev);
    assert_eq!((code, kinds(&v)), (1, s(&[("violation", "r")])));
    // Between parties no rule concerns, an unknown name is only a warning.
    let ev = "{\"id\": \"w\", \"date\": \"2023-01-05\", \"commodity\": \"widgets\", \"from\": \"FRA\", \"to\": \"DEU\", \"quantity\": \"5 units\"}\n";
    let (code, v) = eval_json(RULES, ev);
    assert_eq!(code, 0, "{v}");
    assert_eq!(stats(&v), (1, 1, 0, 0));
    assert_eq!(event_diagnostics(&v)[0]["severity"], "warning");
}

#[test]
fn a_price_in_another_currency_than_the_cap_is_not_evaluable() {
    let ev = "{\"id\": \"p\", \"date\": \"2023-03-01\", \"commodity\": \"refined_petroleum\", \"quantity\": \"1000 bbl\", \"price\": \"80 EUR/bbl\", \"from\": \"RUS\", \"to\": \"IND\"}\n";
    let (code, v) = eval_json(RULES, ev);
    assert_eq!(code, 3, "{v}");
    assert_eq!(stats(&v), (1, 0, 0, 1));
    let d = &event_diagnostics(&v)[0];
    assert_eq!(
        (d["code"].as_str(), d["rule"].as_str(), d["field"].as_str()),
        (
            Some("sanc::event::other_currency"),
            Some("price_cap"),
            Some("price")
        )
    );
    assert_eq!(v["stats"]["errors"], 1);
    assert_eq!(strict_code(RULES, ev), 2);
}

#[test]
fn a_ban_needs_no_quantity_but_a_cap_does() {
    let ev = "\
{\"id\": \"g\", \"date\": \"2023-01-06\", \"commodity\": \"arms\", \"from\": \"PRK\", \"to\": \"SYR\"}
{\"id\": \"o\", \"date\": \"2023-01-07\", \"commodity\": \"refined_petroleum\", \"from\": \"CHN\", \"to\": \"PRK\"}
";
    let (code, v) = eval_json(RULES, ev);
    assert_eq!(code, 1, "the ban finds g: {v}");
    assert_eq!(kinds(&v), s(&[("violation", "g")]));
    // The finding states no invented quantity.
    let message = v["findings"][0]["message"].as_str().unwrap_or_default();
    assert_eq!(message, "the shipment of arms from PRK to SYR is banned");
    // The cap cannot count o: not evaluable, named, located.
    assert_eq!(stats(&v), (2, 1, 0, 1));
    let d = &event_diagnostics(&v)[0];
    assert_eq!(d["code"], "sanc::event::missing_quantity");
    assert_eq!(d["rule"], "oil_cap");
    assert_eq!(d["line"], 2);
}

#[test]
fn a_dropped_leading_zero_in_an_hs_code_is_rejected_with_the_likely_code() {
    // `302` would otherwise fall under chapter 30 (pharmaceuticals).
    let rules = "commodity medicines = hs 30\nban medicines to PRK";
    let ev = "{\"id\": \"f\", \"date\": \"2023-01-01\", \"hs\": \"302\", \"quantity\": \"5 t\", \"from\": \"NOR\", \"to\": \"PRK\"}\n";
    let (code, v) = eval_json(rules, ev);
    assert_eq!(code, 3, "{v}");
    assert_eq!(kinds(&v), s(&[]));
    let d = &event_diagnostics(&v)[0];
    assert_eq!(d["code"], "sanc::event::bad_hs_code");
    assert_eq!(d["effect"], "rejected");
    assert_eq!(d["column"], 35);
    assert!(
        d["help"].as_str().is_some_and(|h| h.contains("`0302`")),
        "{d}"
    );
}

#[test]
fn a_spreadsheet_csv_with_bom_and_semicolons_reads_like_the_comma_version() {
    let comma = "id,date,commodity,quantity,from,to,agency\n\
                 a,2023-01-06,arms,5 units,PRK,SYR,customs\n\
                 b,2023-02-01,refined_petroleum,400000 bbl,CHN,PRK,customs\n\
                 c,2023-03-01,refined_petroleum,200000 bbl,CHN,PRK,customs\n";
    // As Excel saves it in many locales: a byte-order mark, `;`, CRLF, and
    // the header in its own capitals.
    let excel = format!("\u{FEFF}{}", comma.replace(',', ";").replace('\n', "\r\n")).replacen(
        "id;date;commodity;quantity;from;to",
        "ID;Date;Commodity;Quantity;From;To",
        1,
    );
    let json = |events: &str| {
        let run = eval(RULES, events, "csv", &["--format", "json"]);
        let v: Value = serde_json::from_str(&run.stdout).unwrap_or_default();
        (run.code, v)
    };
    let (code_c, c) = json(comma);
    let (code_e, e) = json(&excel);
    assert_eq!((code_c, code_e), (1, 1));
    assert_eq!(kinds(&c), s(&[("violation", "a"), ("violation", "c")]));
    assert_eq!(c["findings"], e["findings"]);
    assert_eq!(c["stats"], e["stats"]);
    // Each names the column it does not read, once, in its own words.
    for v in [&c, &e] {
        let notes: Vec<&Value> = v["diagnostics"]
            .as_array()
            .map(|d| d.iter().collect())
            .unwrap_or_default();
        assert_eq!(notes.len(), 1, "{v}");
        assert_eq!(notes[0]["code"], "sanc::event::unknown_column");
        assert_eq!(notes[0]["field"], "agency");
        assert_eq!(notes[0]["column"], 36);
    }
    // The column a header names is found whatever the case (`ID`, `From`).
    // `--csv-delimiter` overrides the guess.
    let run = eval(RULES, &excel, "csv", &["--csv-delimiter", ",", "--quiet"]);
    assert_eq!(run.code, 2, "no `id` column when split on commas");
}

#[test]
fn a_misnamed_column_is_refused() {
    // `Qty` and `Origin` for a file with no `quantity` and no `from`: every
    // row would be judged without them, so the file is refused (exit 2),
    // naming both with what they seem to mean.
    let csv = "id,date,commodity,Qty,Origin,to\nx,2023-01-07,refined_petroleum,1000 bbl,CHN,PRK\n";
    let run = eval(RULES, csv, "csv", &["--format", "json"]);
    assert_eq!(run.code, 2);
    let v: Value = serde_json::from_str(&run.stdout).unwrap_or_default();
    let text = v.to_string();
    assert!(
        text.contains("has no `quantity` column but has `Qty`: did you mean `quantity`?"),
        "{text}"
    );
    assert!(
        text.contains("has no `from` column but has `Origin`: did you mean `from`?"),
        "{text}"
    );
    assert_eq!(v["stats"]["events_evaluated"], 0, "{v}");
    // With a `quantity` column too, `Qty` is only listed (advice), and the
    // run goes on.
    let csv = "id,date,commodity,quantity,Qty,from,to\nx,2023-01-07,refined_petroleum,1000 bbl,9,CHN,KOR\n";
    let run = eval(RULES, csv, "csv", &["--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn a_misnamed_json_key_rejects_the_event() {
    // `To` and `dest` for a missing `to`: judged without it, each arms
    // shipment to the DPRK would pass the ban. Rejected, with the key
    // located and the field it seems to mean; a key beside the field it
    // looks like, or one like no field, changes nothing.
    let events = concat!(
        r#"{"id":"t1","date":"2023-01-10","commodity":"refined_petroleum","quantity":"5 bbl","from":"CHN","To":"PRK"}"#,
        "\n",
        r#"{"id":"t2","date":"2023-01-10","commodity":"refined_petroleum","quantity":"5 bbl","from":"CHN","dest":"PRK","via":["RUS"]}"#,
        "\n",
        r#"{"id":"t3","date":"2023-01-10","commodity":"refined_petroleum","quantity":"5 bbl","from":"CHN","to":"KOR","To":"KOR","notes":"x"}"#,
        "\n",
    );
    let run = eval(RULES, events, "ndjson", &["--format", "json"]);
    assert_eq!(run.code, 3, "{}", run.stdout);
    let v: Value = serde_json::from_str(&run.stdout).unwrap_or_default();
    let got: Vec<(String, String, String, String)> = event_diagnostics(&v)
        .iter()
        .filter(|d| d["code"] == "sanc::event::misnamed_field")
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap_or_default().to_string();
            (s("event"), s("field"), s("effect"), d["column"].to_string())
        })
        .collect();
    assert_eq!(
        got,
        [
            ("t1".into(), "To".into(), "rejected".into(), "96".into()),
            ("t2".into(), "dest".into(), "rejected".into(), "96".into()),
        ]
    );
    assert_eq!(v["stats"]["events_rejected"], 2, "{v}");
    assert_eq!(v["stats"]["events_evaluated"], 1, "{v}");
}

#[test]
fn an_undeclared_party_name_gets_help_to_declare_an_entity() {
    let ev = "{\"id\": \"w\", \"date\": \"2023-01-01\", \"commodity\": \"arms\", \"from\": \"wagner\", \"to\": \"MLI\"}\n";
    let (_, v) = eval_json(RULES, ev);
    let help = event_diagnostics(&v)[0]["help"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(help.contains("`entity wagner \"wagner\" in RUS`"), "{help}");
    assert!(!help.contains("NER"), "{help}");
}

#[test]
fn a_pretty_printed_object_in_ndjson_is_one_diagnostic() {
    let ev = "{\n  \"id\": \"m\",\n  \"date\": \"2023-01-06\",\n  \"commodity\": \"arms\",\n  \"from\": \"PRK\"\n}\n\
              {\"id\": \"n\", \"date\": \"2023-01-06\", \"commodity\": \"arms\", \"from\": \"PRK\"}\n";
    let (code, v) = eval_json(RULES, ev);
    assert_eq!(code, 1);
    assert_eq!(kinds(&v), s(&[("violation", "n")]));
    let d = event_diagnostics(&v);
    assert_eq!(d.len(), 1, "{v}");
    assert_eq!(d[0]["code"], "sanc::event::multiline_record");
    assert!(d[0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("lines 1–6")));
    assert_eq!(stats(&v), (2, 1, 1, 0));
}

#[test]
fn an_impossible_event_date_says_why() {
    let ev =
        "{\"id\": \"d\", \"date\": \"2023-02-30\", \"commodity\": \"arms\", \"from\": \"PRK\"}\n";
    let (_, v) = eval_json(RULES, ev);
    assert_eq!(
        event_diagnostics(&v)[0]["help"],
        "February 2023 has 28 days"
    );
}

#[test]
fn messages_name_the_real_problem() {
    // A zero quantity under a price cap is not a currency problem.
    let ev = "{\"id\": \"z\", \"date\": \"2023-03-01\", \"commodity\": \"refined_petroleum\", \"quantity\": \"0 bbl\", \"value\": \"100 USD\", \"from\": \"RUS\"}\n";
    let (code, v) = eval_json(RULES, ev);
    assert_eq!(code, 3);
    // (And the cap to PRK cannot tell whether it applies: no `to`.)
    let codes: Vec<String> = event_diagnostics(&v)
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        codes,
        ["sanc::event::missing_party", "sanc::event::zero_quantity"],
        "{v}"
    );
    // An amount too long to hold is not "not a number".
    let ev = "{\"id\": \"o\", \"date\": \"2023-03-01\", \"commodity\": \"arms\", \"quantity\": \"792281625142643375935439503350 units\", \"from\": \"PRK\"}\n";
    let (_, v) = eval_json(RULES, ev);
    let m = event_diagnostics(&v)[0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(m.contains("more digits than sanc holds exactly"), "{m}");
}

#[test]
fn a_cap_that_cannot_count_an_event_fails_strict_quiet_runs() {
    // 999,999 t against a bbl cap with no conversion for these goods.
    let rules = "commodity fuel = hs 2710\ncap fuel to PRK 500000 bbl per year";
    let ev = "{\"id\": \"t\", \"date\": \"2023-01-01\", \"commodity\": \"fuel\", \"quantity\": \"999999 t\", \"from\": \"CHN\", \"to\": \"PRK\"}\n";
    let run = eval(rules, ev, "ndjson", &["--strict", "--quiet"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.contains("sanc::event::unconvertible"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.ends_with(
            "0 violations, 0 warnings, 1 error · 1 event read, 0 evaluated, 0 rejected, 1 not evaluable · 1 rule\n\
             incomplete: 1 of 1 event not checked (0 rejected, 1 not evaluable), so this run cannot say they comply\n"
        ),
        "{}",
        run.stdout
    );
    let (_, v) = eval_json(rules, ev);
    assert_eq!(v["stats"]["errors"], 1);
}

#[test]
fn a_csv_row_whose_cells_do_not_line_up_is_rejected() {
    // Arms from the DPRK with the destination left out: read as it stands,
    // the last cell would shift into no column, or `from` would be all
    // there is. Too few cells, or text past the last column: rejected. A
    // trailing delimiter (an empty cell past the last column) is no loss.
    let csv = "id,date,commodity,quantity,from,to\n\
               a,2023-01-11,arms,5 units,PRK\n\
               b,2023-01-11,arms,5 units,CHN,KOR,PRK\n\
               c,2023-01-11,arms,5 units,PRK,KOR,\n";
    let run = eval(RULES, csv, "csv", &["--format", "json"]);
    let v: Value = serde_json::from_str(&run.stdout).unwrap_or_default();
    assert_eq!(stats(&v), (3, 1, 2, 0), "{v}");
    assert_eq!(kinds(&v), s(&[("violation", "c")]));
    let got: Vec<(String, u64, String)> = event_diagnostics(&v)
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or_default(),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "sanc::event::malformed".to_string(),
                2,
                "this row has 5 cells where the header has 6 columns: sanc cannot tell which are missing, so it reads none of them".to_string()
            ),
            (
                "sanc::event::malformed".to_string(),
                3,
                "this row has 7 cells where the header has 6 columns: the cells past the last column belong to no field".to_string()
            ),
        ]
    );
    assert_eq!(run.code, 1);
}

#[test]
fn malformed_json_is_placed_once_in_the_file() {
    // serde's own "at line 1 column N" counts from the record; the
    // diagnostic says where in the file, and only there.
    let ev = "{\"id\": \"a\", \"date\": \"2023-01-01\", \"commodity\": \"arms\", \"from\": \"PRK\"}\n{\"id\": \"b\", \"date\": 2023-01-02}\n";
    let (code, v) = eval_json(RULES, ev);
    assert_eq!(code, 1, "{v}");
    let d = event_diagnostics(&v);
    assert_eq!(d.len(), 1, "{v}");
    let message = d[0]["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("malformed JSON: "), "{message}");
    assert!(!message.contains(" at line "), "{message}");
    assert_eq!(
        (d[0]["line"].as_u64(), d[0]["column"].as_u64()),
        (Some(2), Some(25)),
        "{v}"
    );
}

#[test]
fn a_directory_or_a_rule_file_among_the_events_is_named_for_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rules.sanc"), RULES).unwrap();
    std::fs::write(dir.path().join("more.sanc"), "").unwrap();
    std::fs::write(dir.path().join("e.ndjson"), "").unwrap();
    std::fs::create_dir(dir.path().join("evdir")).unwrap();
    let run = |args: &[&str]| {
        let out = assert_cmd::Command::cargo_bin("sanc")
            .unwrap()
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .arg("eval")
            .args(args)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stderr).into_owned()
            + &String::from_utf8_lossy(&out.stdout);
        (out.status.code(), text)
    };
    let (code, text) = run(&["rules.sanc", "evdir"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("`evdir` is a directory, not a file of events"),
        "{text}"
    );
    let (code, text) = run(&["rules.sanc", "e.ndjson", "more.sanc"]);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("`more.sanc` is a rule file, given after the events"),
        "{text}"
    );
}

#[test]
fn the_table_formats_say_when_the_run_is_incomplete() {
    // A rejected event under `--format csv` or `markdown`: the tables have
    // no place for it, so standard error says it, and the Markdown too.
    let ev = "{\"id\": \"a\", \"date\": \"2023-01-01\", \"commodity\": \"refined_petroleum\", \"quantity\": \"5 bbl\", \"from\": \"CHN\", \"to\": \"PRK\"}\n{\"id\": \"b\"}\n";
    for format in ["csv", "markdown"] {
        let run = eval(RULES, ev, "ndjson", &["--format", format]);
        assert_eq!(run.code, 3, "{format}");
        let out = assert_cmd::Command::cargo_bin("sanc")
            .unwrap()
            .current_dir(run.dir.path())
            .env("NO_COLOR", "1")
            .args([
                "eval",
                "rules.sanc",
                "events.ndjson",
                "--as-of",
                "2025-01-01",
                "--format",
                format,
            ])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("incomplete: 1 of 2 events not checked (1 rejected, 0 not evaluable)"),
            "{format}: {err}"
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            stdout.contains("> **Incomplete run.** "),
            format == "markdown",
            "{format}: {stdout}"
        );
    }
    // A complete run: nothing on standard error, no note.
    let run = eval(
        RULES,
        ev.lines().next().unwrap_or_default(),
        "ndjson",
        &["--format", "markdown"],
    );
    assert_eq!(run.code, 0);
    assert!(!run.stdout.contains("Incomplete"), "{}", run.stdout);
}

#[test]
fn a_json_array_read_as_ndjson_says_how_to_read_it() {
    // A compact JSON array piped to standard input (read as NDJSON): one
    // rejected record, whose help names `--input-format json`.
    let ev =
        "[{\"id\": \"a\", \"date\": \"2023-01-01\", \"commodity\": \"arms\", \"from\": \"PRK\"}]\n";
    let (code, v) = eval_json(RULES, ev);
    assert_eq!(code, 3, "{v}");
    let d = event_diagnostics(&v);
    assert_eq!(d.len(), 1, "{v}");
    assert_eq!(d[0]["code"], "sanc::event::malformed");
    let help = d[0]["help"].as_str().unwrap_or_default();
    assert!(help.contains("`--input-format json`"), "{help}");
}

#[test]
fn a_rule_scoped_to_a_party_the_shipment_does_not_name_cannot_judge_it() {
    // Arms with a destination but no origin: the ban on arms from PRK
    // cannot tell. Oil from CHN with no destination: the cap on deliveries
    // to PRK cannot tell. Arms from PRK with no destination: the ban
    // applies, whatever the destination.
    let ev = "\
{\"id\": \"a\", \"date\": \"2023-01-06\", \"commodity\": \"arms\", \"to\": \"KOR\"}
{\"id\": \"b\", \"date\": \"2023-01-06\", \"commodity\": \"arms\", \"from\": \"PRK\"}
{\"id\": \"c\", \"date\": \"2023-01-06\", \"commodity\": \"refined_petroleum\", \"quantity\": \"5 bbl\", \"from\": \"CHN\"}
";
    let (code, v) = eval_json(RULES, ev);
    assert_eq!(code, 1, "{v}");
    assert_eq!(kinds(&v), s(&[("violation", "b")]));
    assert_eq!(stats(&v), (3, 1, 0, 2));
    let got: Vec<(String, String, String, String)> = event_diagnostics(&v)
        .iter()
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap_or_default().to_string();
            (s("event"), s("code"), s("field"), s("rule"))
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "a".into(),
                "sanc::event::missing_party".into(),
                "from".into(),
                "arms_ban".into()
            ),
            (
                "c".into(),
                "sanc::event::missing_party".into(),
                "to".into(),
                "oil_cap".into()
            ),
        ]
    );
    // Named, the parties settle it: no remark, a clean run.
    let ev = "{\"id\": \"a\", \"date\": \"2023-01-06\", \"commodity\": \"arms\", \"from\": \"CHN\", \"to\": \"KOR\"}\n";
    assert_eq!(eval_json(RULES, ev).0, 0);
}
