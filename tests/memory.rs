//! Memory is bounded by what the rules must remember, not by the input:
//! a large generated stream (never written out whole) goes through each
//! reader and the evaluator, and the process's peak resident memory, read
//! from /proc, stays far below the size of the input. This file holds one
//! test so that no other test shares the process's peak.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use sanc::eval::Evaluator;
use sanc::events::{read, Input, InputFormat};
use std::io::Read;

const RULES: &str = "commodity arms = hs 93\ncommodity fuel = hs 2710\nban arms from PRK\ncap fuel to PRK 1000 t per year\n";

/// An input made on the fly: `n` compact events in the given layout.
struct Generated {
    n: usize,
    next: usize,
    format: InputFormat,
    pending: Vec<u8>,
    at: usize,
    done: bool,
}

impl Generated {
    fn new(n: usize, format: InputFormat) -> Self {
        let head = match format {
            InputFormat::Json => b"[".to_vec(),
            InputFormat::Csv | InputFormat::Comtrade => {
                b"id,date,commodity,quantity,from,to,source\n".to_vec()
            }
            InputFormat::Ndjson => Vec::new(),
        };
        Generated {
            n,
            next: 0,
            format,
            pending: head,
            at: 0,
            done: false,
        }
    }

    fn refill(&mut self) {
        self.pending.clear();
        self.at = 0;
        if self.next == self.n {
            if !self.done && self.format == InputFormat::Json {
                self.pending.extend_from_slice(b"]\n");
            }
            self.done = true;
            return;
        }
        let i = self.next;
        self.next += 1;
        let to = if i.is_multiple_of(500) { "PRK" } else { "IND" };
        let (m, d) = (i % 12 + 1, i % 28 + 1);
        let line = match self.format {
            InputFormat::Csv => {
                format!(
                    "e{i},2023-{m:02}-{d:02},fuel,{} t,RUS,{to},synthetic\n",
                    i % 97 + 1
                )
            }
            _ => {
                let sep = match (self.format, i) {
                    (InputFormat::Json, 0) => "",
                    (InputFormat::Json, _) => ",",
                    _ => "",
                };
                let end = if self.format == InputFormat::Ndjson {
                    "\n"
                } else {
                    ""
                };
                format!(
                    r#"{sep}{{"id":"e{i}","date":"2023-{m:02}-{d:02}","commodity":"fuel","quantity":"{} t","from":"RUS","to":"{to}","source":"synthetic"}}{end}"#,
                    i % 97 + 1
                )
            }
        };
        self.pending.extend_from_slice(line.as_bytes());
    }
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.pending.len() {
            if self.done {
                return Ok(0);
            }
            self.refill();
        }
        let n = buf.len().min(self.pending.len() - self.at);
        buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[test]
fn memory_stays_bounded_on_a_large_stream_in_every_format() {
    let rules = sanc::loader::load_texts([("rules.sanc", RULES)]);
    assert!(!rules.has_errors());
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("a date");
    let n = 400_000;
    let before = common::peak_mib();
    let mut sizes = Vec::new();
    for format in [InputFormat::Json, InputFormat::Ndjson, InputFormat::Csv] {
        let mut input = Input::new("generated", None, format);
        let mut ev = Evaluator::new(&rules.checked.rules, as_of);
        let mut bytes = 0u64;
        read::read(
            0,
            &mut input,
            Generated::new(n, format),
            |i| ev.item(i),
            |b| bytes = b,
        )
        .expect("the stream reads");
        let outcome = ev.finish();
        assert_eq!(outcome.stats.events_read, n, "{format:?}");
        assert_eq!(outcome.stats.events_evaluated, n, "{format:?}");
        // Every 500th shipment goes to the DPRK: 800 of them, 1..97 t each,
        // pass the 1,000 t cap within each year.
        assert!(outcome.stats.violations > 0, "{format:?}");
        sizes.push(bytes);
    }
    let grew = common::peak_mib().saturating_sub(before);
    eprintln!("inputs {sizes:?} bytes; peak grew by {grew} MiB");
    // The JSON inputs are about 47 MiB, the CSV 18 MiB; what must be
    // remembered (an id hash per event, the cap's 800 entries) is a few MiB.
    assert!(sizes[0] >> 20 >= 40 && sizes[2] >> 20 >= 16, "{sizes:?}");
    assert!(grew < 16, "peak memory grew by {grew} MiB");
}
