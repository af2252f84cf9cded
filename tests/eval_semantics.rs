//! `sanc eval` end to end, one rule kind and boundary at a time. Expected
//! findings are worked out by hand in each test's comments.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::*;

const DECLS: &str = r#"
party DPRK = PRK
commodity refined_petroleum = hs 2710
commodity diesel = hs 271019 under refined_petroleum
convert refined_petroleum 1 t = 7.33 bbl
commodity arms = hs 93
commodity crude_oil = hs 2709
"#;

fn rules(body: &str) -> String {
    format!("{DECLS}\n{body}\n")
}

#[test]
fn cap_is_crossed_by_one_event_and_every_later_one_in_the_window() {
    // 60 + 40 = 100: exactly at the cap, no violation. +1 = 101: over.
    // The next event in 2023 is over too; 2024 starts again from zero.
    let r = rules("cap refined_petroleum to DPRK 100 bbl per year");
    let ev = lines(&[
        ship(
            "a",
            "2023-01-10",
            "refined_petroleum",
            "60 bbl",
            "RUS",
            "PRK",
        ),
        ship(
            "b",
            "2023-02-10",
            "refined_petroleum",
            "40 bbl",
            "CHN",
            "PRK",
        ),
        ship(
            "c",
            "2023-03-10",
            "refined_petroleum",
            "1 bbl",
            "RUS",
            "PRK",
        ),
        ship(
            "d",
            "2023-12-31",
            "refined_petroleum",
            "5 bbl",
            "RUS",
            "PRK",
        ),
        ship(
            "e",
            "2024-01-01",
            "refined_petroleum",
            "99 bbl",
            "RUS",
            "PRK",
        ),
    ]);
    let (code, v) = eval_json(&r, &ev);
    assert_eq!(code, 1);
    assert_eq!(
        findings(&v),
        vec![
            (
                "violation".into(),
                "cap-refined_petroleum-to-PRK".into(),
                "c".into(),
                "101".into()
            ),
            (
                "violation".into(),
                "cap-refined_petroleum-to-PRK".into(),
                "d".into(),
                "106".into()
            ),
        ]
    );
    let f = &v["findings"][0];
    assert_eq!(f["limit"], "100");
    assert_eq!(f["unit"], "bbl");
    assert_eq!(f["window"], "2023");
    assert_eq!(f["contributors"], serde_json::json!(["a", "b", "c"]));
}

#[test]
fn a_total_exactly_at_the_cap_is_not_a_violation() {
    let r = rules("cap refined_petroleum to DPRK 100 bbl per year");
    let ev = lines(&[
        ship(
            "a",
            "2023-01-10",
            "refined_petroleum",
            "50 bbl",
            "RUS",
            "PRK",
        ),
        ship(
            "b",
            "2023-01-10",
            "refined_petroleum",
            "50.000 bbl",
            "RUS",
            "PRK",
        ),
    ]);
    let (code, v) = eval_json(&r, &ev);
    assert_eq!(code, 0);
    assert_eq!(v["findings"], serde_json::json!([]));
    assert_eq!(v["stats"]["events_evaluated"], 2);
}

#[test]
fn tonnes_count_against_a_barrel_cap_through_convert() {
    // 10 t × 7.33 = 73.3 bbl; + 4 t × 7.33 = 29.32 → 102.62 bbl > 100.
    // Diesel is under refined_petroleum, so the parent's factor applies.
    let r = rules("cap refined_petroleum to DPRK 100 bbl per year");
    let ev = lines(&[
        ship("a", "2023-01-10", "refined_petroleum", "10 t", "RUS", "PRK"),
        ship("b", "2023-02-10", "diesel", "4000 kg", "CHN", "PRK"),
    ]);
    let (_, v) = eval_json(&r, &ev);
    assert_eq!(
        findings(&v),
        vec![(
            "violation".into(),
            "cap-refined_petroleum-to-PRK".into(),
            "b".into(),
            "102.62".into()
        )]
    );
}

#[test]
fn rolling_windows_end_at_each_event() {
    // 30-day window ending at each event (that day and the 29 before it).
    // a 01-01: 60.  b 01-20: 90.  c 01-31: window 01-02..01-31 = b + c = 50.
    // d 02-09: window 01-11..02-09 = b + c + d = 30 + 20 + 60 = 110 > 100.
    // e 03-20: window 02-19..03-20 = 10.
    let r = rules("cap refined_petroleum to DPRK 100 bbl per 30 days");
    let ev = lines(&[
        ship(
            "a",
            "2023-01-01",
            "refined_petroleum",
            "60 bbl",
            "RUS",
            "PRK",
        ),
        ship(
            "b",
            "2023-01-20",
            "refined_petroleum",
            "30 bbl",
            "RUS",
            "PRK",
        ),
        ship(
            "c",
            "2023-01-31",
            "refined_petroleum",
            "20 bbl",
            "RUS",
            "PRK",
        ),
        ship(
            "d",
            "2023-02-09",
            "refined_petroleum",
            "60 bbl",
            "RUS",
            "PRK",
        ),
        ship(
            "e",
            "2023-03-20",
            "refined_petroleum",
            "10 bbl",
            "RUS",
            "PRK",
        ),
    ]);
    let (_, v) = eval_json(&r, &ev);
    assert_eq!(
        findings(&v),
        vec![(
            "violation".into(),
            "cap-refined_petroleum-to-PRK".into(),
            "d".into(),
            "110".into()
        )]
    );
    assert_eq!(v["findings"][0]["window"], "2023-01-11..2023-02-09");
    assert_eq!(
        v["findings"][0]["contributors"],
        serde_json::json!(["b", "c", "d"])
    );
}

#[test]
fn quarters_are_calendar_quarters() {
    // 03-31 is Q1, 04-01 is Q2: neither quarter passes 100.
    let r = rules("cap refined_petroleum to DPRK 100 bbl per quarter");
    let ev = lines(&[
        ship(
            "a",
            "2023-03-31",
            "refined_petroleum",
            "80 bbl",
            "RUS",
            "PRK",
        ),
        ship(
            "b",
            "2023-04-01",
            "refined_petroleum",
            "80 bbl",
            "RUS",
            "PRK",
        ),
        ship(
            "c",
            "2023-06-30",
            "refined_petroleum",
            "21 bbl",
            "RUS",
            "PRK",
        ),
    ]);
    let (_, v) = eval_json(&r, &ev);
    assert_eq!(kinds(&v), s(&[("violation", "c")]));
    assert_eq!(v["findings"][0]["window"], "2023-Q2");
    assert_eq!(v["findings"][0]["total"], "101");
}

#[test]
fn months_and_days_are_calendar_windows() {
    let r = rules("cap refined_petroleum to DPRK 100 bbl per month\ndaily: cap refined_petroleum to DPRK 50 bbl per day");
    let ev = lines(&[
        ship(
            "a",
            "2024-02-29",
            "refined_petroleum",
            "60 bbl",
            "RUS",
            "PRK",
        ),
        ship(
            "b",
            "2024-03-01",
            "refined_petroleum",
            "45 bbl",
            "RUS",
            "PRK",
        ),
        ship(
            "c",
            "2024-03-01",
            "refined_petroleum",
            "10 bbl",
            "RUS",
            "PRK",
        ),
    ]);
    let (_, v) = eval_json(&r, &ev);
    // a: 60 > 50 on 02-29 (daily). c: daily 55 > 50; monthly March 55 ≤ 100.
    assert_eq!(
        findings(&v),
        vec![
            ("violation".into(), "daily".into(), "a".into(), "60".into()),
            ("violation".into(), "daily".into(), "c".into(), "55".into()),
        ]
    );
}

#[test]
fn by_origin_counts_each_supplier_on_its_own() {
    // RUS: 60 + 50 = 110 > 100 at r2. CHN: 90 alone. Aggregate would be 200.
    let r = rules("cap refined_petroleum to DPRK 100 bbl per year by origin");
    let ev = lines(&[
        ship(
            "r1",
            "2023-01-10",
            "refined_petroleum",
            "60 bbl",
            "RUS",
            "PRK",
        ),
        ship(
            "c1",
            "2023-01-11",
            "refined_petroleum",
            "90 bbl",
            "CHN",
            "PRK",
        ),
        ship(
            "r2",
            "2023-01-12",
            "refined_petroleum",
            "50 bbl",
            "RUS",
            "PRK",
        ),
    ]);
    let (_, v) = eval_json(&r, &ev);
    assert_eq!(kinds(&v), s(&[("violation", "r2")]));
    assert_eq!(v["findings"][0]["window"], "2023 RUS");
    assert_eq!(
        v["findings"][0]["contributors"],
        serde_json::json!(["r1", "r2"])
    );
}

#[test]
fn warnings_come_once_per_window_per_threshold() {
    // 75% = 75, 90% = 90. a: 70 (none). b: 80 → 75%. c: 85 (already warned).
    // d: 95 → 90%. 2024: e 76 → 75% again (new window).
    let r = rules("cap refined_petroleum to DPRK 100 bbl per year warn at 75%, 90%");
    let ev = lines(&[
        ship(
            "a",
            "2023-01-01",
            "refined_petroleum",
            "70 bbl",
            "RUS",
            "PRK",
        ),
        ship(
            "b",
            "2023-02-01",
            "refined_petroleum",
            "10 bbl",
            "RUS",
            "PRK",
        ),
        ship(
            "c",
            "2023-03-01",
            "refined_petroleum",
            "5 bbl",
            "RUS",
            "PRK",
        ),
        ship(
            "d",
            "2023-04-01",
            "refined_petroleum",
            "10 bbl",
            "RUS",
            "PRK",
        ),
        ship(
            "e",
            "2024-01-01",
            "refined_petroleum",
            "76 bbl",
            "RUS",
            "PRK",
        ),
    ]);
    let (code, v) = eval_json(&r, &ev);
    assert_eq!(code, 0, "warnings alone exit 0");
    assert_eq!(
        kinds(&v),
        s(&[("warning", "b"), ("warning", "d"), ("warning", "e")])
    );
    assert_eq!(v["stats"]["warnings"], 3);
}

#[test]
fn price_above_the_cap_is_a_violation_and_exactly_at_it_is_not() {
    let r = rules("cap price crude_oil from RUS 60 USD per bbl effective 2022-12-05");
    let ev = lines(&[
        r#"{"id": "at", "date": "2023-01-05", "commodity": "crude_oil", "quantity": "700000 bbl", "price": "60.00 USD/bbl", "from": "RUS", "to": "IND"}"#.into(),
        r#"{"id": "above", "date": "2023-01-06", "commodity": "crude_oil", "quantity": "700000 bbl", "price": "60.01 USD/bbl", "from": "RUS", "to": "IND"}"#.into(),
        r#"{"id": "below", "date": "2023-01-07", "hs": "270900", "quantity": "700000 bbl", "price": {"amount": 59.99, "currency": "USD", "unit": "bbl"}, "from": "RUS", "to": "IND"}"#.into(),
        r#"{"id": "derived", "date": "2023-01-08", "commodity": "crude_oil", "quantity": "100000 bbl", "value": "6500000 USD", "from": "RUS", "to": "IND"}"#.into(),
        r#"{"id": "noprice", "date": "2023-01-09", "commodity": "crude_oil", "quantity": "100000 bbl", "from": "RUS", "to": "IND"}"#.into(),
    ]);
    let (code, v) = eval_json(&r, &ev);
    assert_eq!(code, 1);
    assert_eq!(
        kinds(&v),
        s(&[("violation", "above"), ("violation", "derived")])
    );
    assert_eq!(v["findings"][0]["total"], "60.01");
    assert_eq!(v["findings"][0]["unit"], "USD/bbl");
    assert_eq!(v["findings"][1]["total"], "65");
    // No price at all: not evaluable for the cap, never silently passed.
    let d = &event_diagnostics(&v)[0];
    assert_eq!(d["code"], "sanc::event::missing_price");
    assert_eq!(d["event"], "noprice");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["effect"], "not_evaluable");
    assert_eq!(d["rule"], "cap-price-crude_oil-from-RUS");
    assert_eq!(v["stats"]["events_not_evaluable"], 1);
    assert_eq!(v["stats"]["events_evaluated"], 4);
}

#[test]
fn a_price_per_tonne_is_compared_per_barrel() {
    // 439.80 USD/t ÷ 7.33 bbl/t = 60 USD/bbl: at the cap. 440 USD/t is above.
    let r = rules("cap price refined_petroleum from RUS 60 USD per bbl");
    let ev = lines(&[
        r#"{"id": "t1", "date": "2023-03-01", "commodity": "diesel", "quantity": "1000 t", "price": "439.80 USD/t", "from": "RUS"}"#.into(),
        r#"{"id": "t2", "date": "2023-03-02", "commodity": "diesel", "quantity": "1000 t", "price": "440 USD/t", "from": "RUS"}"#.into(),
    ]);
    let (_, v) = eval_json(&r, &ev);
    assert_eq!(kinds(&v), s(&[("violation", "t2")]));
}

#[test]
fn reports_on_day_n_are_in_time_and_on_day_n_plus_1_late() {
    // Shipments on 2023-01-01; within 30 days means by 2023-01-31.
    let r = rules("require report of refined_petroleum to DPRK within 30 days");
    let ev = lines(&[
        ship("ok", "2023-01-01", "refined_petroleum", "10 bbl", "RUS", "PRK"),
        ship("late", "2023-01-01", "refined_petroleum", "10 bbl", "RUS", "PRK"),
        ship("never", "2023-01-01", "refined_petroleum", "10 bbl", "RUS", "PRK"),
        ship("pending", "2024-12-20", "refined_petroleum", "10 bbl", "RUS", "PRK"),
        r#"{"id": "rep1", "type": "report", "date": "2023-01-31", "reporter": "RUS", "covers": ["ok"]}"#.into(),
        r#"{"id": "rep2", "type": "report", "date": "2023-02-01", "reporter": "RUS", "covers": ["late", "ghost"]}"#.into(),
    ]);
    let (code, v) = eval_json(&r, &ev);
    assert_eq!(code, 1);
    // As of 2025-01-01, `pending` is due by 2025-01-19: not yet a violation.
    assert_eq!(
        kinds(&v),
        s(&[
            ("violation", "late"),
            ("violation", "never"),
            ("warning", "pending")
        ])
    );
    assert_eq!(v["findings"][0]["deadline"], "2023-01-31");
    assert!(v["findings"][0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("reported late"));
    assert!(v["findings"][2]["message"]
        .as_str()
        .unwrap_or("")
        .contains("pending"));
    // The report covering an id that is not in the stream is a diagnostic.
    let d = event_diagnostics(&v);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["code"], "sanc::event::unknown_cover");
    assert_eq!(d[0]["event"], "rep2");
}

#[test]
fn effective_and_until_are_inclusive() {
    let r = rules("ban arms to DPRK effective 2017-08-05 until 2017-12-31");
    let ev = lines(&[
        ship("day-before", "2017-08-04", "arms", "1 units", "RUS", "PRK"),
        ship("first-day", "2017-08-05", "arms", "1 units", "RUS", "PRK"),
        ship("last-day", "2017-12-31", "arms", "1 units", "RUS", "PRK"),
        ship("day-after", "2018-01-01", "arms", "1 units", "RUS", "PRK"),
    ]);
    let (_, v) = eval_json(&r, &ev);
    assert_eq!(
        kinds(&v),
        s(&[("violation", "first-day"), ("violation", "last-day")])
    );
}

#[test]
fn hs_prefixes_match_longer_codes_only() {
    let r = rules("ban hs 2710 to DPRK");
    let ev = lines(&[
        r#"{"id": "six", "date": "2023-01-01", "hs": "271019", "quantity": "1 t", "to": "PRK"}"#.into(),
        r#"{"id": "four", "date": "2023-01-01", "hs": "2710", "quantity": "1 t", "to": "PRK"}"#.into(),
        r#"{"id": "crude", "date": "2023-01-01", "hs": "2709", "quantity": "1 t", "to": "PRK"}"#.into(),
        r#"{"id": "chapter", "date": "2023-01-01", "hs": "27", "quantity": "1 t", "to": "PRK"}"#.into(),
        // No HS code, but a commodity whose declared code is under 2710.
        r#"{"id": "named", "date": "2023-01-01", "commodity": "diesel", "quantity": "1 t", "to": "PRK"}"#.into(),
    ]);
    let (_, v) = eval_json(&r, &ev);
    assert_eq!(
        kinds(&v),
        s(&[
            ("violation", "four"),
            ("violation", "named"),
            ("violation", "six")
        ])
    );
}

#[test]
fn commodity_hierarchy_and_hs_both_match_a_commodity_rule() {
    let r = rules("ban refined_petroleum to DPRK");
    let ev = lines(&[
        ship("child", "2023-01-01", "diesel", "1 t", "CHN", "PRK"),
        r#"{"id": "by-hs", "date": "2023-01-01", "commodity": "kerosene", "hs": "271019", "quantity": "1 t", "to": "PRK"}"#.into(),
        ship("other", "2023-01-01", "crude_oil", "1 t", "CHN", "PRK"),
    ]);
    let (_, v) = eval_json(&r, &ev);
    assert_eq!(
        kinds(&v),
        s(&[("violation", "by-hs"), ("violation", "child")])
    );
}

#[test]
fn bans_by_origin_transit_group_entity_and_any() {
    let r = rules(
        r#"
group suppliers = [RUS, CHN]
entity wagner "Wagner Group" in RUS
ban arms from DPRK
transit: ban refined_petroleum via suppliers
wagner_ban: ban any to wagner
"#,
    );
    let ev = lines(&[
        ship("from-prk", "2023-01-01", "arms", "1 units", "PRK", "SYR"),
        ship("to-prk", "2023-01-01", "arms", "1 units", "SYR", "PRK"),
        r#"{"id": "via-chn", "date": "2023-01-01", "commodity": "diesel", "quantity": "1 t", "from": "SGP", "to": "JPN", "via": ["MYS", "CHN"]}"#.into(),
        r#"{"id": "via-none", "date": "2023-01-01", "commodity": "diesel", "quantity": "1 t", "from": "SGP", "to": "JPN"}"#.into(),
        ship("to-wagner", "2023-01-01", "crude_oil", "1 t", "SYR", "wagner"),
        ship("to-rus", "2023-01-01", "crude_oil", "1 t", "SYR", "RUS"),
    ]);
    let (_, v) = eval_json(&r, &ev);
    assert_eq!(
        findings(&v)
            .into_iter()
            .map(|(_, r, e, _)| (r, e))
            .collect::<Vec<_>>(),
        s(&[
            ("ban-arms-from-PRK", "from-prk"),
            ("transit", "via-chn"),
            ("wagner_ban", "to-wagner")
        ])
    );
}

#[test]
fn an_exemption_claimed_by_the_event_lifts_the_rule() {
    let r = rules(
        "exemption humanitarian \"1718 Committee exemption\"\nban refined_petroleum to DPRK except exemption humanitarian",
    );
    let ev = lines(&[
        r#"{"id": "claimed", "date": "2023-01-01", "commodity": "diesel", "quantity": "1 t", "to": "PRK", "exemptions": ["humanitarian"]}"#.into(),
        r#"{"id": "plain", "date": "2023-01-01", "commodity": "diesel", "quantity": "1 t", "to": "PRK"}"#.into(),
        r#"{"id": "typo", "date": "2023-01-01", "commodity": "diesel", "quantity": "1 t", "to": "PRK", "exemptions": ["humanitarain"]}"#.into(),
    ]);
    let (_, v) = eval_json(&r, &ev);
    assert_eq!(
        kinds(&v),
        s(&[("violation", "plain"), ("violation", "typo")])
    );
    assert_eq!(
        event_diagnostics(&v)[0]["code"],
        "sanc::event::unknown_exemption"
    );
}

#[test]
fn two_limits_whichever_is_reached_first() {
    // 100 USD or 10 t: a (60 USD, 5 t), b (50 USD, 2 t) → 110 USD > 100 at b.
    let r = "commodity coal = hs 2701\ncap coal from PRK 100 USD or 10 t per year";
    let ev = lines(&[
        r#"{"id": "a", "date": "2017-01-10", "commodity": "coal", "quantity": "5 t", "value": "60 USD", "from": "PRK"}"#.into(),
        r#"{"id": "b", "date": "2017-02-10", "commodity": "coal", "quantity": "2 t", "value": "50 USD", "from": "PRK"}"#.into(),
    ]);
    let (_, v) = eval_json(r, &ev);
    assert_eq!(
        findings(&v),
        vec![(
            "violation".into(),
            "cap-coal-from-PRK".into(),
            "b".into(),
            "110".into()
        )]
    );
    assert_eq!(v["findings"][0]["unit"], "USD");
}

#[test]
fn anniversary_periods_count_from_their_date() {
    // 12-month periods from 2017-12-22: 2018-12-21 is in the first, 2018-12-22 starts the second.
    let r = rules("cap crude_oil to DPRK 100 bbl per 12 months from 2017-12-22");
    let ev = lines(&[
        ship("before", "2017-12-21", "crude_oil", "500 bbl", "CHN", "PRK"),
        ship("a", "2017-12-22", "crude_oil", "60 bbl", "CHN", "PRK"),
        ship("b", "2018-12-21", "crude_oil", "50 bbl", "CHN", "PRK"),
        ship("c", "2018-12-22", "crude_oil", "90 bbl", "CHN", "PRK"),
    ]);
    let (_, v) = eval_json(&r, &ev);
    assert_eq!(kinds(&v), s(&[("violation", "b")]));
    assert_eq!(v["findings"][0]["window"], "2017-12-22..2018-12-21");
}

#[test]
fn wind_down_cargo_is_outside_the_rule() {
    let r = rules(
        "cap price crude_oil from RUS 60 USD per bbl effective 2022-12-05 unless loaded before 2022-12-05 and delivered before 2023-01-19",
    );
    let ev = lines(&[
        r#"{"id": "wound-down", "date": "2023-01-10", "commodity": "crude_oil", "quantity": "1 bbl", "price": "80 USD/bbl", "from": "RUS", "loaded": "2022-12-01", "delivered": "2023-01-18"}"#.into(),
        r#"{"id": "too-late", "date": "2023-01-10", "commodity": "crude_oil", "quantity": "1 bbl", "price": "80 USD/bbl", "from": "RUS", "loaded": "2022-12-01", "delivered": "2023-01-19"}"#.into(),
        r#"{"id": "no-dates", "date": "2023-01-10", "commodity": "crude_oil", "quantity": "1 bbl", "price": "80 USD/bbl", "from": "RUS"}"#.into(),
    ]);
    let (_, v) = eval_json(&r, &ev);
    assert_eq!(
        kinds(&v),
        s(&[("violation", "no-dates"), ("violation", "too-late")])
    );
}

#[test]
fn severity_warning_rules_report_warnings_and_exit_zero() {
    let r = rules("ban arms to DPRK severity warning");
    let (code, v) = eval_json(
        &r,
        &lines(&[ship("a", "2023-01-01", "arms", "1 units", "RUS", "PRK")]),
    );
    assert_eq!(code, 0);
    assert_eq!(kinds(&v), s(&[("warning", "a")]));
}

#[test]
fn ban_findings_leave_out_cap_fields() {
    let r = rules("ban arms to DPRK cite \"UNSCR 1718 (2006) OP 8(a)\"");
    let (_, v) = eval_json(
        &r,
        &lines(&[ship("a", "2023-01-01", "arms", "1 units", "RUS", "PRK")]),
    );
    let f = v["findings"][0].as_object().unwrap();
    for absent in ["window", "total", "limit", "contributors"] {
        assert!(
            !f.contains_key(absent),
            "{absent} should be left out of a ban finding"
        );
    }
    assert_eq!(f["cite"], "UNSCR 1718 (2006) OP 8(a)");
    assert_eq!(f["rule_location"]["line"], 9);
    assert_eq!(
        f["event_location"],
        serde_json::json!({"file": "events.ndjson", "line": 1, "column": 1})
    );
}

#[test]
fn converted_totals_exactly_at_the_cap_are_not_violations() {
    // 3 + 3 + 15.99 bbl = 21.99 bbl = exactly 3 t at 7.33 bbl/t, though
    // each shipment alone converts to a non-terminating decimal.
    let r = "commodity crude_oil = hs 2709\nconvert crude_oil 1 t = 7.33 bbl\ncap crude_oil to PRK 3 t per year";
    let ev = lines(&[
        ship("a", "2023-01-01", "crude_oil", "3 bbl", "CHN", "PRK"),
        ship("b", "2023-01-02", "crude_oil", "3 bbl", "CHN", "PRK"),
        ship("c", "2023-01-03", "crude_oil", "15.99 bbl", "CHN", "PRK"),
    ]);
    let (code, v) = eval_json(r, &ev);
    assert_eq!(code, 0, "{v}");
    // A price per barrel exactly at a cap per tonne (100 × 7.5 = 750).
    let r = "commodity fuel = hs 2710\nconvert fuel 1 t = 7.5 bbl\ncap price fuel from RUS 750 USD per t";
    let ev = lines(&[r#"{"id": "p", "date": "2023-01-01", "commodity": "fuel", "quantity": "1 bbl", "price": "100 USD/bbl", "from": "RUS"}"#.into()]);
    let (code, v) = eval_json(r, &ev);
    assert_eq!(code, 0, "{v}");
}

#[test]
fn once_an_or_limit_is_passed_every_later_shipment_is_a_violation() {
    // e1 passes the USD limit; e2 has no value but is still in the window.
    let r = "commodity coal = hs 2701\ncap coal from PRK 100 USD or 10 t per year";
    let ev = lines(&[
        r#"{"id": "e1", "date": "2017-01-10", "commodity": "coal", "quantity": "1 t", "value": "200 USD", "from": "PRK"}"#.into(),
        r#"{"id": "e2", "date": "2017-02-10", "commodity": "coal", "quantity": "1 t", "from": "PRK"}"#.into(),
    ]);
    let (code, v) = eval_json(r, &ev);
    assert_eq!(kinds(&v), s(&[("violation", "e1"), ("violation", "e2")]));
    // e2 breaks the cap whatever its value: no "cannot judge" remark, and
    // its finding says what it adds to the limit it is about (nothing).
    assert_eq!(v["diagnostics"], serde_json::json!([]), "{v}");
    assert_eq!(code, 1);
    let e2 = &v["findings"][1];
    assert_eq!(e2["unit"], "USD");
    assert!(e2.get("amount").is_none(), "{e2}");
    // Contributors are the events the limit counted: e2 has no value.
    assert_eq!(e2["contributors"], serde_json::json!(["e1"]));
}

#[test]
fn an_or_limit_that_cannot_count_an_event_leaves_it_not_evaluable() {
    // e2 has no value, and the window is under both limits: whether it
    // passes the USD limit is unknown.
    let r = "commodity coal = hs 2701\ncap coal from PRK 100 USD or 10 t per year";
    let ev = lines(&[
        r#"{"id": "e1", "date": "2017-01-10", "commodity": "coal", "quantity": "1 t", "value": "20 USD", "from": "PRK"}"#.into(),
        r#"{"id": "e2", "date": "2017-02-10", "commodity": "coal", "quantity": "1 t", "from": "PRK"}"#.into(),
        r#"{"id": "e3", "date": "2017-03-10", "commodity": "coal", "quantity": "9 t", "value": "20 USD", "from": "PRK"}"#.into(),
    ]);
    let (code, v) = eval_json(r, &ev);
    assert_eq!(code, 1, "{v}");
    let d = &v["diagnostics"];
    assert_eq!(d.as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(d[0]["code"], "sanc::event::missing_value");
    assert_eq!(d[0]["event"], "e2");
    assert_eq!(d[0]["effect"], "not_evaluable");
    // e3 passes the tonnage limit (11 t): its contributors are the three
    // events the tonnage limit counted.
    assert_eq!(kinds(&v), s(&[("violation", "e3")]));
    let e3 = &v["findings"][0];
    assert_eq!(e3["unit"], "t");
    assert_eq!(e3["quantity"], "9 t");
    assert_eq!(e3["contributors"], serde_json::json!(["e1", "e2", "e3"]));
}

#[test]
fn a_report_dated_after_the_as_of_day_does_not_count_yet() {
    // Shipped 2024-12-10, due 2025-01-09; as of 2025-01-01 a report dated
    // 2025-01-20 does not exist yet: the shipment is pending, not late.
    let r = rules("require report of refined_petroleum to DPRK within 30 days");
    let ev = lines(&[
        ship("s", "2024-12-10", "refined_petroleum", "1 bbl", "RUS", "PRK"),
        r#"{"id": "r", "type": "report", "date": "2025-01-20", "reporter": "RUS", "covers": ["s"]}"#.into(),
    ]);
    let (code, v) = eval_json(&r, &ev);
    assert_eq!(code, 0);
    assert_eq!(kinds(&v), s(&[("warning", "s")]));
}

#[test]
fn amounts_beyond_the_decimal_range_are_summed_exactly() {
    let r = rules("cap refined_petroleum to DPRK 100 bbl per year\nbig: cap refined_petroleum to DPRK 9999999999999999999999999999 bbl per year warn at 75%\ncap price crude_oil from RUS 60 USD per bbl");
    let huge = "79228162514264337593543950335 bbl";
    let ev = lines(&[
        ship("a", "2023-01-01", "refined_petroleum", huge, "RUS", "PRK"),
        ship("b", "2023-01-02", "refined_petroleum", huge, "RUS", "PRK"),
        r#"{"id": "f", "date": "2023-01-03", "commodity": "crude_oil", "quantity": "0.0000000001 bbl", "value": "79228162514264337593543950 USD", "from": "RUS"}"#.into(),
    ]);
    let (code, v) = eval_json(&r, &ev);
    assert_eq!(code, 1);
    // Both caps are passed by each shipment, and the price is judged: no
    // total is clipped at the largest decimal, and nothing goes unjudged.
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(5), "{v}");
    let total_of = |event: &str, rule: &str| {
        v["findings"]
            .as_array()
            .and_then(|f| {
                f.iter().find(|f| {
                    f["event"] == event && f["rule"].as_str().is_some_and(|r| r.ends_with(rule))
                })
            })
            .map(|f| f["total"].clone())
    };
    assert_eq!(
        total_of("b", "big"),
        Some("158456325028528675187087900670".into())
    );
    assert_eq!(
        total_of("f", "RUS"),
        Some("792281625142643375935439500000000000".into())
    );
    assert_eq!(event_diagnostics(&v).len(), 0, "{v}");
    assert_eq!(v["stats"]["events_evaluated"], 3);
}

#[test]
fn exact_arithmetic_no_exceptions() {
    // A shipment given only by HS code is converted with the factor of the
    // most specific declared commodity its code falls under: 100 t of
    // 271019 is 750 bbl under `diesel`, not 733 under refined_petroleum.
    let r = "commodity refined_petroleum = hs 2710\nconvert refined_petroleum 1 t = 7.33 bbl\n\
             commodity diesel = hs 271019 under refined_petroleum\nconvert diesel 1 t = 7.5 bbl\n\
             cap refined_petroleum to PRK 740 bbl per year";
    let ev = lines(&[r#"{"id": "h", "date": "2023-01-01", "hs": "271019", "quantity": "100 t", "from": "RUS", "to": "PRK"}"#.into()]);
    let (code, v) = eval_json(r, &ev);
    assert_eq!(code, 1, "{v}");
    assert_eq!(v["findings"][0]["total"], "750");

    // A rolling window keeps no residue of events that left it: after large
    // totals in barrels converted from tonnes (non-terminating at 7.33), a
    // lone 12 bbl shipment against a 12 bbl cap is at the cap, not over.
    let r =
        "commodity fuel = hs 2710\nconvert fuel 1 t = 7.33 bbl\ncap fuel to PRK 12 t per 30 days";
    let mut ev: Vec<String> = (0..40)
        .map(|i| {
            format!(
                r#"{{"id": "big{i}", "date": "2023-01-{:02}", "commodity": "fuel", "quantity": "1000000000000000001 bbl", "from": "RUS", "to": "PRK"}}"#,
                i % 28 + 1
            )
        })
        .collect();
    ev.push(r#"{"id": "lone", "date": "2023-06-01", "commodity": "fuel", "quantity": "12 t", "from": "RUS", "to": "PRK"}"#.into());
    let (_, v) = eval_json(r, &lines(&ev));
    assert!(
        !kinds(&v).iter().any(|(_, e)| e == "lone"),
        "a lone shipment exactly at the cap is no violation: {v}"
    );

    // Totals exactly at a cap of 28 significant digits are not over it; a
    // total of 2e-25 against a 1e-25 cap is.
    let r = "commodity fuel = hs 2710\ncap fuel to PRK 1234567890.123456789012345678 t per year";
    let ev = lines(&[
        r#"{"id": "x1", "date": "2023-01-01", "commodity": "fuel", "quantity": "1234567890.123456789012345677 t", "from": "RUS", "to": "PRK"}"#.into(),
        r#"{"id": "x2", "date": "2023-01-02", "commodity": "fuel", "quantity": "0.000000000000000001 t", "from": "RUS", "to": "PRK"}"#.into(),
    ]);
    let (code, v) = eval_json(r, &ev);
    assert_eq!(code, 0, "exactly at the cap: {v}");
    let r = "commodity fuel = hs 2710\ncap fuel to PRK 0.0000000000000000000000001 t per year";
    let ev = lines(&[
        r#"{"id": "y1", "date": "2023-01-01", "commodity": "fuel", "quantity": "0.0000000000000000000000001 t", "from": "RUS", "to": "PRK"}"#.into(),
        r#"{"id": "y2", "date": "2023-01-02", "commodity": "fuel", "quantity": "0.0000000000000000000000001 t", "from": "RUS", "to": "PRK"}"#.into(),
    ]);
    let (code, v) = eval_json(r, &ev);
    assert_eq!(code, 1, "{v}");
    assert_eq!(kinds(&v), s(&[("violation", "y2")]));
    assert_eq!(v["findings"][0]["total"], "0.0000000000000000000000002");

    // A price exactly at a cap after conversion is not above it.
    let r = "commodity fuel = hs 2710\nconvert fuel 1 t = 7.33 bbl\ncap price fuel from RUS 60 USD per bbl";
    let ev = lines(&[r#"{"id": "p", "date": "2023-01-01", "commodity": "fuel", "quantity": "3 t", "value": "1319.4 USD", "from": "RUS"}"#.into()]);
    let (code, v) = eval_json(r, &ev);
    assert_eq!(
        code, 0,
        "1319.4 USD for 21.99 bbl is 60 USD/bbl exactly: {v}"
    );
}

#[test]
fn a_residual_category_covers_every_code_but_those_it_leaves_out() {
    let r = rules(
        "commodity premium = hs 27101241, 27101921\n\
         commodity jet = hs 27101921 under premium\n\
         commodity rest = hs 2710 except premium, 27101981\n\
         commodity fuel_oil = hs 27101962 under rest\n\
         cap price rest from RUS 45 USD per bbl",
    );
    let ev = |id: &str, goods: &str| {
        format!(
            r#"{{"id": "{id}", "date": "2023-08-01", {goods}, "quantity": "10 bbl", "price": "50 USD/bbl", "from": "RUS", "to": "TUR"}}"#
        )
    };
    let ev = lines(&[
        // Under 2710 and not left out: in the residual category.
        ev("heading-only", r#""hs": "2710""#),
        ev("six-digit", r#""hs": "271019""#),
        ev("fuel-oil-code", r#""hs": "27101962""#),
        ev("fuel-oil-named", r#""commodity": "fuel_oil""#),
        ev("lubricant", r#""hs": "27101975""#),
        // Left out: a code of `premium`, of a commodity under it, one given
        // as a code, and commodities named without a code.
        ev("gasoline-code", r#""hs": "27101241""#),
        ev("jet-code", r#""hs": "2710192100""#),
        ev("left-out-code", r#""hs": "27101981""#),
        ev("jet-named", r#""commodity": "jet""#),
        ev("premium-named", r#""commodity": "premium""#),
        // Not under 2710 at all.
        ev("crude", r#""hs": "2709""#),
    ]);
    let (_, v) = eval_json(&r, &ev);
    assert_eq!(
        kinds(&v),
        s(&[
            ("violation", "fuel-oil-code"),
            ("violation", "fuel-oil-named"),
            ("violation", "heading-only"),
            ("violation", "lubricant"),
            ("violation", "six-digit"),
        ])
    );
}

#[test]
fn old_contracts_are_left_out_and_undated_cargoes_are_not_evaluable_only_when_it_matters() {
    let r = rules(
        "cap price crude_oil from RUS 47.60 USD per bbl effective 2025-09-03 until 2025-10-18 \
         unless contracted before 2025-07-20",
    );
    let ev = |id: &str, contract: &str, price: &str| {
        format!(
            r#"{{"id": "{id}", "date": "2025-09-15", {contract}"hs": "2709", "quantity": "10 bbl", "price": "{price} USD/bbl", "from": "RUS", "to": "IND"}}"#
        )
    };
    let ev = lines(&[
        // Concluded on the cut-off day: a new contract, over the cap.
        ev("on-cut-off", r#""contract_date": "2025-07-20", "#, "50"),
        // The day before: an old contract, outside the rule.
        ev("day-before", r#""contract_date": "2025-07-19", "#, "50"),
        // No contract date: under the cap passes whatever the contract …
        ev("undated-under", "", "47.60"),
        // … over it cannot be judged.
        ev("undated-over", "", "50"),
    ]);
    let (code, v) = eval_json(&r, &ev);
    assert_eq!(kinds(&v), s(&[("violation", "on-cut-off")]));
    let diags: Vec<_> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            d["code"]
                .as_str()
                .unwrap_or("")
                .starts_with("sanc::event::")
        })
        .collect();
    assert_eq!(diags.len(), 1, "{diags:#?}");
    assert_eq!(diags[0]["code"], "sanc::event::missing_contract_date");
    assert_eq!(diags[0]["event"], "undated-over");
    assert_eq!(diags[0]["field"], "contract_date");
    assert_eq!(v["stats"]["events_not_evaluable"], 1);
    assert_eq!(code, 1);
}

#[test]
fn a_contract_wind_down_leaves_out_old_contracts_only_within_its_window() {
    let r = rules(
        "commodity coal = hs 2701\n\
         ban coal from PRK effective 2017-08-05 \
         unless contracted before 2017-08-05 and delivered before 2017-09-05",
    );
    let ev = |id: &str, date: &str, contract: &str| {
        format!(
            r#"{{"id": "{id}", "date": "{date}", {contract}"hs": "2701", "quantity": "10 t", "from": "PRK", "to": "CHN"}}"#
        )
    };
    let old = r#""contract_date": "2017-08-04", "#;
    let ev = lines(&[
        // An old contract delivered on the window's last day: left out.
        ev("old-last-day", "2017-09-04", old),
        // The same contract delivered a day later: banned.
        ev("old-too-late", "2017-09-05", old),
        // A contract of the adoption day is a new one: banned.
        ev("new", "2017-08-20", r#""contract_date": "2017-08-05", "#),
        // No contract date after the window: banned, no date needed.
        ev("undated-after", "2017-09-05", ""),
        // No contract date within it: cannot be judged.
        ev("undated-within", "2017-08-20", ""),
    ]);
    let (code, v) = eval_json(&r, &ev);
    assert_eq!(
        kinds(&v),
        s(&[
            ("violation", "new"),
            ("violation", "old-too-late"),
            ("violation", "undated-after"),
        ])
    );
    let codes: Vec<(&str, &str)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap(),
                d["event"].as_str().unwrap_or(""),
            )
        })
        .filter(|d| d.0.starts_with("sanc::event::"))
        .collect();
    assert_eq!(
        codes,
        [("sanc::event::missing_contract_date", "undated-within")]
    );
    assert_eq!(code, 1);
}

#[test]
fn unless_by_transfer_leaves_out_only_goods_that_say_they_moved_that_way() {
    let r = rules(
        "ban crude_oil from RUS to NLD unless by pipeline transfer\n\
         cap crude_oil from RUS 15 bbl per year unless by pipeline transfer",
    );
    let ev = |id: &str, date: &str, transfer: &str| {
        format!(
            r#"{{"id": "{id}", "date": "{date}", {transfer}"hs": "2709", "quantity": "10 bbl", "from": "RUS", "to": "NLD"}}"#
        )
    };
    let ev = lines(&[
        // By pipeline: outside both rules (not banned, not counted).
        ev("pipe", "2023-01-10", r#""transfer": "pipeline", "#),
        // Unloaded in port: banned, and counted (10 of 15 bbl).
        ev("port", "2023-01-11", r#""transfer": "port", "#),
        // Not said: judged as the rules' kind of goods, banned and counted
        // (20 bbl > 15: over the cap; the pipeline barrels never counted).
        ev("unsaid", "2023-01-12", ""),
    ]);
    let (code, v) = eval_json(&r, &ev);
    assert_eq!(
        kinds(&v),
        s(&[
            ("violation", "port"),
            ("violation", "unsaid"),
            ("violation", "unsaid"),
        ])
    );
    assert_eq!(v["stats"]["events_evaluated"], 3);
    assert_eq!(code, 1);
}

#[test]
fn national_lines_are_compared_at_their_hs6_root_and_imprecise_codes_are_not_passed() {
    let r = rules(
        "commodity jet_fuel = hs 27101921 under refined_petroleum\n\
         ban jet_fuel to DPRK\n\
         cap refined_petroleum to DPRK 500000 bbl per year",
    );
    let ev = |id: &str, hs: &str, nomenclature: &str| {
        format!(
            r#"{{"id": "{id}", "date": "2019-03-01", "hs": "{hs}", {nomenclature}"quantity": "100 bbl", "from": "CHN", "to": "PRK"}}"#
        )
    };
    let ev = lines(&[
        // The CN line of jet fuel: banned.
        ev("cn-jet", "27101921", r#""nomenclature": "cn", "#),
        // China's 10-digit line: only its HS-6 root (271019) is compared, so
        // the jet-fuel ban cannot tell; the cap still counts it.
        ev("china-line", "2710192100", r#""nomenclature": "china", "#),
        // Six digits in HS: the same question.
        ev("hs6", "271019", ""),
        // A line outside every narrower rule line: nothing to ask.
        ev("crude", "2709", ""),
        // An unknown nomenclature is a bad field, with a suggestion.
        ev("typo", "27101921", r#""nomenclature": "chinese", "#),
    ]);
    let (code, v) = eval_json(&r, &ev);
    assert_eq!(kinds(&v), s(&[("violation", "cn-jet")]));
    let diags: Vec<(String, String, String)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            d["code"]
                .as_str()
                .unwrap_or("")
                .starts_with("sanc::event::")
        })
        .map(|d| {
            (
                d["event"].as_str().unwrap_or("").to_string(),
                d["code"].as_str().unwrap_or("").to_string(),
                d["effect"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let want = |e: &str, c: &str, x: &str| (e.to_string(), c.to_string(), x.to_string());
    assert_eq!(
        diags,
        [
            want("china-line", "sanc::event::imprecise_code", "not_evaluable"),
            want("hs6", "sanc::event::imprecise_code", "not_evaluable"),
            want("typo", "sanc::event::bad_field", "rejected"),
        ]
    );
    let typo = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["event"] == "typo")
        .unwrap();
    assert!(
        typo["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `china`"),
        "{typo:#}"
    );
    let china = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["event"] == "china-line")
        .unwrap();
    assert!(
        china["message"]
            .as_str()
            .unwrap()
            .contains("HS-6 root `271019` of a `china` line"),
        "{china:#}"
    );
    assert_eq!(v["stats"]["events_not_evaluable"], 2);
    assert_eq!(code, 1);
}

#[test]
fn an_imprecise_code_is_not_asked_of_a_rule_whose_conditions_do_not_hold() {
    let r = rules(
        "commodity jet_fuel = hs 27101921 under refined_petroleum\n\
         ban jet_fuel to DPRK by sts transfer",
    );
    let ev = lines(&[
        // By rail: the ban on ship-to-ship deliveries does not concern it,
        // whatever oil it is.
        r#"{"id": "rail", "date": "2019-03-01", "hs": "271019", "quantity": "100 bbl", "from": "CHN", "to": "PRK", "transfer": "rail"}"#.into(),
        // Ship to ship: it may be jet fuel, so the ban cannot tell.
        r#"{"id": "sts", "date": "2019-03-01", "hs": "271019", "quantity": "100 bbl", "from": "CHN", "to": "PRK", "transfer": "sts"}"#.into(),
    ]);
    let (_, v) = eval_json(&r, &ev);
    let flagged: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "sanc::event::imprecise_code")
        .map(|d| d["event"].as_str().unwrap())
        .collect();
    assert_eq!(flagged, ["sts"]);
}
