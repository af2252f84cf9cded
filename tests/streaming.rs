//! Every input format is streamed: linear in its size whatever its layout,
//! and bounded in memory. A regression to a quadratic reader fails these
//! tests by their size (they would not finish), not by a timer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

const RULES: &str =
    "commodity arms = hs 93\ncommodity fuel = hs 2710\nban arms from PRK\nban fuel to SYR\n";

/// One event as compact JSON, as `json.dump` and `jq -c` write it.
fn event(i: usize) -> String {
    let (commodity, from) = if i.is_multiple_of(1000) {
        ("arms", "PRK")
    } else {
        ("fuel", "RUS")
    };
    format!(
        r#"{{"id":"e{i}","date":"2023-{:02}-{:02}","commodity":"{commodity}","quantity":"{} t","from":"{from}","to":"IND"}}"#,
        i % 12 + 1,
        i % 28 + 1,
        i % 997 + 1
    )
}

fn sanc(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("sanc")
        .expect("the sanc binary")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("sanc runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn a_compact_json_array_of_200000_events_on_one_line_is_evaluated() {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::write(dir.path().join("rules.sanc"), RULES).expect("rules written");
    let mut f = std::fs::File::create(dir.path().join("events.json")).expect("events file");
    let n = 200_000;
    let mut line = String::with_capacity(n * 120);
    line.push('[');
    for i in 0..n {
        if i > 0 {
            line.push(',');
        }
        line.push_str(&event(i));
    }
    line.push_str("]\n");
    f.write_all(line.as_bytes()).expect("events written");
    drop(f);
    let (code, out) = sanc(
        dir.path(),
        &[
            "eval",
            "rules.sanc",
            "events.json",
            "--quiet",
            "--as-of",
            "2025-01-01",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        out,
        "200 violations, 0 warnings · 200,000 events read, 200,000 evaluated, 0 rejected, 0 not evaluable · 2 rules\n"
    );
    // A finding on the one line points at its own column.
    let (_, json) = sanc(
        dir.path(),
        &[
            "eval",
            "rules.sanc",
            "events.json",
            "--format",
            "json",
            "--as-of",
            "2025-01-01",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON output");
    let second = v["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["event"] == "e1000"))
        .expect("e1000 is banned");
    let at = line
        .find(r#"{"id":"e1000","#)
        .expect("e1000 is in the line");
    assert_eq!(second["event"], "e1000");
    assert_eq!(second["event_location"]["line"], 1);
    assert_eq!(second["event_location"]["column"], at + 1);
}

#[test]
fn every_line_ending_style_gives_the_same_locations() {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::write(dir.path().join("rules.sanc"), RULES).expect("rules written");
    let rows = [
        "id,date,commodity,quantity,from",
        "a,2023-01-01,arms,1 units,PRK",
        "b,2023-02-30,arms,1 units,PRK",
        "c,2023-01-03,arms,1 units,PRK",
    ];
    let mut seen = Vec::new();
    for (name, ending) in [("lf", "\n"), ("crlf", "\r\n"), ("cr", "\r")] {
        let file = format!("{name}.csv");
        std::fs::write(dir.path().join(&file), rows.join(ending) + ending).expect("csv");
        let (code, json) = sanc(
            dir.path(),
            &[
                "eval",
                "rules.sanc",
                &file,
                "--format",
                "json",
                "--as-of",
                "2025-01-01",
            ],
        );
        let v: serde_json::Value = serde_json::from_str(&json).expect("JSON output");
        assert_eq!(code, 1, "{name}: {v}");
        let d = v["diagnostics"]
            .as_array()
            .and_then(|d| d.iter().find(|d| d["code"] == "sanc::event::bad_date"))
            .expect("the bad date is reported");
        assert_eq!(
            (
                d["event"].as_str(),
                d["line"].as_u64(),
                d["column"].as_u64()
            ),
            (Some("b"), Some(3), Some(3)),
            "{name}"
        );
        let lines: Vec<u64> = v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter_map(|f| f["event_location"]["line"].as_u64())
            .collect();
        seen.push(lines);
    }
    assert_eq!(seen, [vec![2, 4], vec![2, 4], vec![2, 4]]);
    // A JSON array with CR-only endings too.
    let json = "[\r{\"id\": \"x\", \"date\": \"2023-01-01\", \"commodity\": \"arms\",\r \"from\": \"PRK\"}\r]\r";
    std::fs::write(dir.path().join("cr.json"), json).expect("json");
    let (_, out) = sanc(
        dir.path(),
        &[
            "eval",
            "rules.sanc",
            "cr.json",
            "--format",
            "json",
            "--as-of",
            "2025-01-01",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON output");
    assert_eq!(v["findings"][0]["event_location"]["line"], 2);
}

#[test]
fn empty_elements_and_endless_lines_are_reported_not_passed() {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::write(dir.path().join("rules.sanc"), RULES).expect("rules written");
    let ev = event(0);
    std::fs::write(dir.path().join("holes.json"), format!("[{ev}, , ,]")).expect("json");
    let (code, out) = sanc(
        dir.path(),
        &[
            "eval",
            "rules.sanc",
            "holes.json",
            "--format",
            "json",
            "--as-of",
            "2025-01-01",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON output");
    assert_eq!(code, 1);
    assert_eq!(v["stats"]["events_read"], 4, "{v}");
    assert_eq!(v["stats"]["events_rejected"], 3);
    // A line with no end (a binary file, /dev/zero) ends the input with a
    // diagnostic instead of filling memory or running for ever.
    let zeros = vec![0u8; (17 << 20) as usize];
    for ext in ["ndjson", "json", "csv"] {
        let file = format!("zeros.{ext}");
        std::fs::write(dir.path().join(&file), &zeros).expect("zeros");
        let started = Instant::now();
        let (code, out) = sanc(
            dir.path(),
            &["eval", "rules.sanc", &file, "--format", "json"],
        );
        assert_eq!(code, 2, "{ext}: {out}");
        assert!(started.elapsed() < Duration::from_secs(120));
        // The message names the input it is about.
        let v: serde_json::Value = serde_json::from_str(&out).expect("JSON output");
        let message = v["diagnostics"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(&format!("`{file}`")), "{ext}: {message}");
    }
    // An input that cannot be read at all (a folder) is named too.
    std::fs::create_dir(dir.path().join("folder.ndjson")).expect("a folder");
    let (code, out) = sanc(
        dir.path(),
        &["eval", "rules.sanc", "folder.ndjson", "--quiet"],
    );
    assert_eq!(code, 2);
    assert!(out.contains("cannot read `folder.ndjson`"), "{out}");
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_read_once_and_the_report_still_comes() {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::write(dir.path().join("rules.sanc"), RULES).expect("rules written");
    let fifo = dir.path().join("events.ndjson");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(fifo)
                .expect("the pipe opens");
            writeln!(f, "{}", event(0)).expect("written");
        })
    };
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("sanc"))
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args([
            "eval",
            "rules.sanc",
            "events.ndjson",
            "--as-of",
            "2025-01-01",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sanc starts");
    // Human output quotes records; opening the pipe a second time would wait
    // for a writer that never comes.
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break Some(s);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    writer.join().expect("writer done");
    assert_eq!(
        status.and_then(|s| s.code()),
        Some(1),
        "sanc hung on a FIFO"
    );
}

/// A small deterministic generator (xorshift), so a failing case can be
/// replayed from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A random record as JSON: valid events of every rule kind, events some
/// rule cannot judge, invalid values, duplicate ids, unreadable text.
fn random_record(rng: &mut Rng, i: usize) -> String {
    let commodities = ["arms", "fuel", "fuel", "coal", "widgets"];
    let parties = ["PRK", "RUS", "CHN", "IND", "SYR"];
    let c = commodities[rng.below(5) as usize];
    let from = parties[rng.below(5) as usize];
    let to = parties[rng.below(5) as usize];
    let id = if rng.below(40) == 0 {
        format!("dup{}", rng.below(5))
    } else {
        format!("e{i}")
    };
    let date = if rng.below(60) == 0 {
        "2023-02-30".to_string()
    } else {
        format!(
            "202{}-{:02}-{:02}",
            2 + rng.below(2),
            1 + rng.below(12),
            1 + rng.below(28)
        )
    };
    match rng.below(30) {
        0 => "{not json".to_string(),
        1 => r#"["a list"]"#.to_string(),
        2 => format!(
            r#"{{"id":"{id}","date":"{date}","commodity":"{c}","from":"{from}","to":"{to}","quantity":"12 furlongs"}}"#
        ),
        3 => format!(
            r#"{{"id":"{id}","date":"{date}","commodity":"fuel","from":"RUS","to":"{to}","quantity":"{} t"}}"#,
            1 + rng.below(900)
        ),
        _ => format!(
            r#"{{"id":"{id}","date":"{date}","commodity":"{c}","quantity":"{}.{} t","price":"{}.{:02} USD/t","from":"{from}","to":"{to}"}}"#,
            1 + rng.below(2000),
            rng.below(10),
            40 + rng.below(40),
            rng.below(100)
        ),
    }
}

/// The same records as CSV (unreadable ones become rows with bad values).
fn csv_row(json: &str) -> String {
    let v: serde_json::Value = match serde_json::from_str(json) {
        Ok(serde_json::Value::Object(m)) => serde_json::Value::Object(m),
        _ => return "x,not-a-date,,,,,\n".to_string(),
    };
    let cell = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
    format!(
        "{},{},{},{},{},{},{}\n",
        cell("id"),
        cell("date"),
        cell("commodity"),
        cell("quantity"),
        cell("price"),
        cell("from"),
        cell("to")
    )
}

/// Parsing and validating on several threads while one evaluates in input
/// order gives byte-for-byte the output of one thread, in every format, on
/// random streams long enough for many batches.
#[test]
fn several_threads_give_byte_identical_output_on_random_streams() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let rules = "commodity arms = hs 93\ncommodity fuel = hs 2710\ncommodity coal = hs 2701\n\
                 ban arms from PRK\nban arms to PRK\nban coal from PRK\n\
                 cap fuel to PRK 5000 t per year warn at 50%\ncap fuel to SYR 300 t per 30 days\n\
                 cap price fuel from RUS 60 USD per t\n";
    std::fs::write(dir.path().join("rules.sanc"), rules).expect("rules written");
    for seed in [7u64, 2024] {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let n = 3000 + rng.below(3000) as usize;
        let records: Vec<String> = (0..n).map(|i| random_record(&mut rng, i)).collect();
        std::fs::write(dir.path().join("events.ndjson"), records.join("\n")).expect("ndjson");
        // One line, as `jq -c` writes it, and one element per line; broken
        // JSON would end the array, so those elements are strings instead.
        let elements: Vec<&str> = records
            .iter()
            .map(|r| {
                if r.starts_with("{not") {
                    "\"not an event\""
                } else {
                    r
                }
            })
            .collect();
        std::fs::write(
            dir.path().join("compact.json"),
            format!("[{}]", elements.join(",")),
        )
        .expect("json");
        std::fs::write(
            dir.path().join("lines.json"),
            format!("[\n{}\n]\n", elements.join(",\n")),
        )
        .expect("json");
        let mut csv = String::from("id,date,commodity,quantity,price,from,to\n");
        for r in &records {
            csv.push_str(&csv_row(r));
        }
        std::fs::write(dir.path().join("events.csv"), csv).expect("csv");
        for file in ["events.ndjson", "compact.json", "lines.json", "events.csv"] {
            let run = |threads: &str, format: &str| {
                let out = Command::cargo_bin("sanc")
                    .expect("the sanc binary")
                    .current_dir(dir.path())
                    .env("SANC_THREADS", threads)
                    .args([
                        "eval",
                        "rules.sanc",
                        file,
                        "--format",
                        format,
                        "--as-of",
                        "2025-01-01",
                    ])
                    .output()
                    .expect("sanc runs");
                (out.status.code(), out.stdout)
            };
            // The human report reads records back the same way for every
            // format: one file is enough for it.
            let formats: &[&str] = if file == "events.ndjson" {
                &["json", "human"]
            } else {
                &["json"]
            };
            for &format in formats {
                let one = run("1", format);
                assert!(
                    one.1.len() > 10_000,
                    "seed {seed}, {file}: too little output"
                );
                for threads in ["2", "3"] {
                    let many = run(threads, format);
                    assert!(
                        one == many,
                        "seed {seed}, {file}, {format}: 1 and {threads} threads differ"
                    );
                }
            }
        }
    }
}

/// CSV rows are split into cells by the reading thread and decoded by the
/// workers: with a quoted cell over two lines, a row that is not UTF-8 and
/// LF, CRLF or CR endings, two threads give the output of one, and the
/// rows keep their lines and columns.
#[test]
fn csv_rows_decoded_on_workers_keep_their_places() {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::write(dir.path().join("rules.sanc"), RULES).expect("rules written");
    for ending in ["\n", "\r\n", "\r"] {
        let mut rows: Vec<Vec<u8>> = vec![b"id,date,commodity,quantity,from,to,source".to_vec()];
        for i in 0..1500 {
            let row = format!(
                "c{i},2023-01-{:02},fuel,{} t,RUS,SYR,\"note, \"\"{i}\"\"\"",
                i % 28 + 1,
                i % 50 + 1
            );
            rows.push(row.into_bytes());
        }
        // Row 300 holds a line break in a quoted cell: later rows are one
        // line further down.
        rows[300] = b"m300,2023-01-05,fuel,3 t,RUS,SYR,\"two\nlines\"".to_vec();
        rows[600] = b"m600,2023-13-01,fuel,1 t,RUS,SYR,x".to_vec();
        rows[900] = b"m900,2023-01-01,fu\xffel,1 t,RUS,SYR,x".to_vec();
        let mut bytes = rows.join(ending.as_bytes());
        bytes.extend_from_slice(ending.as_bytes());
        std::fs::write(dir.path().join("events.csv"), &bytes).expect("csv");
        let run = |threads: &str| {
            let out = Command::cargo_bin("sanc")
                .expect("the sanc binary")
                .current_dir(dir.path())
                .env("SANC_THREADS", threads)
                .args(["eval", "rules.sanc", "events.csv", "--format", "json"])
                .args(["--as-of", "2025-01-01"])
                .output()
                .expect("sanc runs");
            (out.status.code(), out.stdout)
        };
        let one = run("1");
        assert!(one == run("2"), "{ending:?}: 1 and 2 threads differ");
        let v: serde_json::Value = serde_json::from_slice(&one.1).expect("JSON output");
        assert_eq!(v["stats"]["events_read"], 1500, "{ending:?}");
        assert_eq!(v["findings"].as_array().map(Vec::len), Some(1499 - 1));
        let diags = v["diagnostics"].as_array().expect("diagnostics");
        let find = |code: &str| {
            diags
                .iter()
                .find(|d| d["code"] == code)
                .unwrap_or_else(|| panic!("{ending:?}: no {code} in {diags:?}"))
        };
        let date = find("sanc::event::bad_date");
        assert_eq!(
            (date["line"].as_u64(), date["column"].as_u64()),
            (Some(602), Some(6))
        );
        let utf8 = find("sanc::event::malformed");
        assert_eq!(
            (utf8["line"].as_u64(), utf8["column"].as_u64()),
            (Some(902), Some(1))
        );
        assert!(
            utf8["message"]
                .as_str()
                .is_some_and(|m| m.contains("invalid UTF-8 in field 2")),
            "{utf8}"
        );
    }
}
