//! Writing a report holds no more than the typed findings: the JSON and
//! human reports of 40,000 findings and 40,000 rejected events are written
//! as they are rendered, not built as one document first (which cost about
//! 2.6 KB a finding). The process's peak resident memory, read from /proc,
//! may grow only a little while the reports are written. This file holds
//! one test so that no other test shares the process's peak.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use sanc::eval::Evaluator;
use sanc::events::{read, Input, InputFormat};
use sanc::report::eval::{self as eval_report, EvalJson, Need, Run, Show};
use sanc::report::human::HumanRenderer;

/// Every shipment goes over a 1 t rolling cap: one finding each.
const RULES: &str = "commodity coal = hs 2701\ncap coal to PRK 1 t per 30 days\n";

/// `n` shipments over the cap, then `n` records rejected for a date that
/// does not exist.
fn events(n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n * 220);
    for i in 0..n {
        let (y, m, d) = (2000 + i / 336, i / 28 % 12 + 1, i % 28 + 1);
        out.extend_from_slice(
            format!(
                "{{\"id\":\"e{i}\",\"date\":\"{y}-{m:02}-{d:02}\",\"commodity\":\"coal\",\"quantity\":\"2 t\",\"from\":\"CHN\",\"to\":\"PRK\",\"source\":\"synthetic\"}}\n"
            )
            .as_bytes(),
        );
    }
    for i in 0..n {
        out.extend_from_slice(
            format!("{{\"id\":\"r{i}\",\"date\":\"2024-02-30\",\"commodity\":\"coal\",\"quantity\":\"2 t\",\"from\":\"CHN\",\"to\":\"PRK\"}}\n").as_bytes(),
        );
    }
    out
}

#[test]
fn reports_are_written_as_they_are_rendered() {
    let n = 40_000;
    let mut rules = sanc::loader::load_texts([("rules.sanc", RULES)]);
    assert!(!rules.has_errors());
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("a date");
    let bytes = events(n);
    let mut inputs = vec![Input::new("events.ndjson", None, InputFormat::Ndjson)];
    let mut ev = Evaluator::new(&rules.checked.rules, as_of);
    read::read(0, &mut inputs[0], bytes.as_slice(), |i| ev.item(i), |_| {})
        .expect("the stream reads");
    drop(bytes);
    let outcome = ev.finish();
    assert_eq!(outcome.stats.violations, n);
    assert_eq!(outcome.stats.events_rejected, n);
    let prepared = eval_report::prepare(&mut rules.sources, &inputs, &outcome, Need::Everything);

    let before = common::peak_mib();
    let mut json = CountingSink::default();
    let run = Run {
        sources: &rules.sources,
        rules: &rules.checked.rules,
        rule_diags: &[],
        inputs: &inputs,
        outcome: &outcome,
        prepared: &prepared,
    };
    serde_json::to_writer_pretty(&mut json, &EvalJson(&run)).expect("JSON is written");
    let mut human = CountingSink::default();
    eval_report::human(
        &HumanRenderer::new(false),
        &run,
        Show::All,
        true,
        &mut human,
    )
    .expect("the report is written");
    let grew = common::peak_mib().saturating_sub(before);
    eprintln!(
        "JSON {} MiB, human {} MiB written; peak grew by {grew} MiB",
        json.0 >> 20,
        human.0 >> 20
    );
    // Both reports are far larger than what writing them may add; built
    // whole, the JSON alone would add about 100 MiB.
    assert!(
        json.0 >> 20 >= 60 && human.0 >> 20 >= 10,
        "{} {}",
        json.0,
        human.0
    );
    assert!(grew < 24, "writing the reports grew the peak by {grew} MiB");
}

/// Counts what is written and keeps nothing.
#[derive(Default)]
struct CountingSink(u64);

impl std::io::Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
