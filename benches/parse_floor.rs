//! The parse floor of the speed benchmark (scripts/bench): the fastest a
//! single core can read the NDJSON events at all — serde_json into a typed
//! struct borrowing from a reused line buffer, doing nothing with them.
//! `cargo bench --bench parse_floor -- FILE` prints the events read.

use serde::Deserialize;
use std::io::BufRead;

#[derive(Deserialize)]
#[allow(dead_code)]
struct Event<'a> {
    #[serde(borrow)]
    id: &'a str,
    #[serde(borrow, default)]
    date: Option<&'a str>,
    #[serde(borrow, default)]
    commodity: Option<&'a str>,
    #[serde(borrow, default)]
    hs: Option<&'a str>,
    #[serde(borrow, default)]
    quantity: Option<&'a str>,
    #[serde(borrow, default)]
    price: Option<&'a str>,
    #[serde(borrow, default)]
    from: Option<&'a str>,
    #[serde(borrow, default)]
    to: Option<&'a str>,
}

fn main() {
    let Some(path) = std::env::args().skip(1).find(|a| !a.starts_with('-')) else {
        eprintln!("usage: parse_floor FILE.ndjson");
        std::process::exit(2);
    };
    let Ok(file) = std::fs::File::open(&path) else {
        eprintln!("cannot open {path}");
        std::process::exit(2);
    };
    let mut r = std::io::BufReader::with_capacity(1 << 16, file);
    let mut line = Vec::with_capacity(1024);
    let (mut ok, mut bad) = (0u64, 0u64);
    loop {
        line.clear();
        match r.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(_) => match serde_json::from_slice::<Event>(&line) {
                Ok(_) => ok += 1,
                Err(_) => bad += 1,
            },
            Err(_) => break,
        }
    }
    println!("{ok} events parsed, {bad} not");
}
