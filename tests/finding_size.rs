//! A finding held for sorting costs a few hundred bytes at most: typed
//! facts (numbers, dates, small ids), not text. Every kind of finding is
//! measured: its size plus what it owns on the heap.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sanc::eval::{Evaluator, Facts, Finding};
use sanc::events::{read, Input, InputFormat};

const RULES: &str = "\
commodity arms = hs 93
commodity fuel = hs 2710
convert fuel 1 t = 7.33 bbl
ban arms from PRK
cap fuel to PRK 1000 bbl per year warn at 50%
cap fuel to SYR 1000 bbl per 30 days
cap price fuel 60 USD per bbl
require report of fuel to PRK within 30 days
";

#[test]
fn a_finding_costs_a_few_hundred_bytes() {
    let rules = sanc::loader::load_texts([("rules.sanc", RULES)]);
    assert!(!rules.has_errors());
    let mut text = String::new();
    for i in 0..3000 {
        let (m, d) = (i % 12 + 1, i % 28 + 1);
        let to = ["PRK", "SYR", "IND"][i % 3];
        let long_source = "a publication with a long title, quoted in full ".repeat(4);
        text.push_str(&format!(
            r#"{{"id": "e{i:05}", "date": "2023-{m:02}-{d:02}", "commodity": "fuel", "quantity": "{} t", "price": "70 USD/bbl", "from": "RUS", "to": "{to}", "evidence": "estimated", "source": "{long_source} {i}"}}"#,
            i % 97 + 1
        ));
        text.push('\n');
        text.push_str(&format!(
            r#"{{"id": "a{i:05}", "date": "2023-{m:02}-{d:02}", "hs": "9301", "quantity": "5 units", "from": "PRK", "to": "IND"}}"#
        ));
        text.push('\n');
    }
    let mut ev = Evaluator::new(&rules.checked.rules, chrono::NaiveDate::MIN);
    let mut input = Input::new("events.ndjson", None, InputFormat::Ndjson);
    read::read(0, &mut input, text.as_bytes(), |item| ev.item(item), |_| {}).unwrap();
    let outcome = ev.finish();
    let mut kinds = [0usize; 4];
    for f in &outcome.findings {
        let k = match f.facts {
            // Port calls and designated supplies are shipments (or vessels)
            // with list matches, sized like bans.
            Facts::Ban(_) | Facts::PortCall(_) | Facts::Designated(_) => 0,
            Facts::Price(_) => 1,
            Facts::Cap(_) => 2,
            Facts::Report(_) => 3,
        };
        kinds[k] += 1;
        let bytes = std::mem::size_of::<Finding>() + f.heap_bytes();
        assert!(bytes <= 400, "{bytes} bytes for {f:?}");
    }
    assert!(
        kinds.iter().all(|n| *n > 0),
        "every kind of finding: {kinds:?}"
    );
    assert!(
        std::mem::size_of::<Finding>() <= 96,
        "{}",
        std::mem::size_of::<Finding>()
    );
    // Sources are kept once each, beside the findings, cut to a bound.
    assert!(outcome
        .texts
        .iter()
        .all(|t| t.len() <= sanc::eval::MAX_SOURCE));
}
