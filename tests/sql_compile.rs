//! `sanc compile --to sql`: the shipped rules compile for every dialect; the
//! DPRK and price-cap examples give the findings of `sanc eval` through
//! DuckDB and Apache Spark; a rule that cannot be compiled exactly is a
//! located error and no script.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "sql/common.rs"]
mod sql_common;
use assert_cmd::Command;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn compile(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(root())
        .env("NO_COLOR", "1")
        .arg("compile")
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn shipped_rules_compile_for_every_dialect() {
    for dialect in ["duckdb", "spark", "postgres"] {
        let out = compile(&["--to", "sql", "--dialect", dialect, "rules"]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{dialect}: {stderr}");
        let sql = String::from_utf8(out.stdout).unwrap();
        for table in ["sanc_findings", "sanc_diagnostics", "sanc_ev"] {
            assert!(sql.contains(table), "{dialect}: no {table}");
        }
        // Every rule of the rule set is compiled.
        let rules = sanc::loader::load(&[root().join("rules")]);
        assert!(rules.checked.rules.rules.len() > 20);
        for r in &rules.checked.rules.rules {
            assert!(
                sql.contains(&format!("'{}'", r.id)),
                "{dialect}: no rule {}",
                r.id
            );
        }
    }
}

#[test]
fn events_from_files_are_a_view() {
    let out = compile(&["--to", "sql", "--events", "data/*.parquet", "rules"]);
    let sql = String::from_utf8(out.stdout).unwrap();
    assert!(sql.contains("read_parquet('data/*.parquet'"), "{sql:.400}");
    // Matched by name to every column: columns the files lack are absent.
    assert!(
        sql.contains("WHERE FALSE) UNION ALL BY NAME SELECT * FROM read_parquet("),
        "{sql:.2000}"
    );
    let out = compile(&[
        "--to",
        "sql",
        "--dialect",
        "spark",
        "--events",
        "s3://bucket/events/",
        "--events-format",
        "parquet",
        "rules",
    ]);
    let sql = String::from_utf8(out.stdout).unwrap();
    // Read with the table's schema: columns the files lack are absent.
    assert!(
        sql.contains("CREATE OR REPLACE TEMPORARY VIEW sanc_events (`id` STRING, `type` STRING,"),
        "{sql:.600}"
    );
    assert!(
        sql.contains(") USING parquet OPTIONS (path 's3://bucket/events/')"),
        "{sql:.600}"
    );
}

#[test]
fn a_rule_that_cannot_be_compiled_exactly_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let mut rules = String::from("commodity goods = hs 27\n");
    // Ten commodities under it, each converting barrels to tonnes with its
    // own prime factor: a common denominator too large for 38 digits.
    let primes = [
        "7.01", "7.03", "7.09", "7.19", "7.27", "7.33", "7.39", "7.43", "7.57", "7.61", "7.73",
        "7.87", "7.97",
    ];
    for (i, p) in primes.iter().enumerate() {
        rules.push_str(&format!(
            "commodity g{i} = hs 27{:02} under goods\nconvert g{i} 1 t = {p} bbl\n",
            10 + i
        ));
    }
    rules.push_str("\ncap goods 100 t per year\n");
    std::fs::write(dir.path().join("r.sanc"), &rules).unwrap();
    let out = Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["compile", "--to", "sql", "r.sanc"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("sanc::compile::unsupported"), "{err}");
    assert!(err.contains("cannot be compiled to SQL exactly"), "{err}");
    assert!(err.contains("r.sanc:"), "{err}");
    assert!(
        err.contains("1 rule cannot be compiled to SQL; nothing was written"),
        "{err}"
    );
}

/// Conditions on vessels, parties by role, port calls and designation
/// lists compile without a warning; fuzzy matching on a list, which SQL
/// cannot reproduce exactly, is refused with an error at the rule.
#[test]
fn list_conditions_compile_and_fuzzy_matching_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("lists")).unwrap();
    std::fs::copy(
        root().join("examples/sts-transfers/lists/un-1718-vessels.csv"),
        dir.path().join("lists/un.csv"),
    )
    .unwrap();
    let rules = "list un \"UN vessels\" = csv \"lists/un.csv\"\n\
                 commodity oil = hs 27\n\
                 \n\
                 ban any by sts transfer\n\
                 ban any with vessel flagged PRK\n\
                 ban port calls with vessel on un\n\
                 ban oil with owner in RUS\n\
                 cap oil 10 t per year\n    provided no party on un\n\
                 ban oil with any party on un\n";
    std::fs::write(dir.path().join("r.sanc"), rules).unwrap();
    let run = |file: &str| {
        Command::cargo_bin("sanc")
            .unwrap()
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .args(["compile", "--to", "sql", file])
            .output()
            .unwrap()
    };
    let out = run("r.sanc");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("sanc::compile::unsupported"), "{err}");
    let sql = String::from_utf8(out.stdout).unwrap();
    // The list as a table of keys, the events' names normalised in SQL.
    assert!(
        sql.contains("CREATE OR REPLACE TABLE sanc_list_0"),
        "no list table"
    );
    assert!(
        sql.contains("'imo', '8660313'"),
        "no IMO number of the list"
    );
    assert!(
        sql.contains("'name', 'chon ma san'"),
        "no name key of the list"
    );
    // The JSON `parties` object is left to `sanc eval`; the vessel, port
    // and role columns are read.
    assert!(sql.contains("f_parties IS NOT NULL"), "no check of parties");
    for f in ["vessel_imo", "party_owner", "port"] {
        assert!(sql.contains(&format!("f_{f}")), "{f} not read");
    }
    std::fs::write(
        dir.path().join("f.sanc"),
        "list un \"UN vessels\" = csv \"lists/un.csv\"\n\nban any with vessel on un fuzzy 90%\n",
    )
    .unwrap();
    let out = run("f.sanc");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("sanc::compile::unsupported"), "{err}");
    assert!(
        err.contains("fuzzy matching of names on a designation list"),
        "{err}"
    );
    assert!(err.contains("f.sanc:3:1"), "{err}");
    assert!(err.contains("fuzzy matching here"), "{err}");
}

/// Findings on the fields the SQL writes, and event diagnostics.
/// A script that reads the events files itself (`--events`), on files
/// with only some of the columns: the missing ones are absent fields, and
/// the findings are those of `sanc eval`.
#[test]
fn events_files_with_some_columns_give_the_findings_of_sanc_eval_on_duckdb() {
    let as_of = "2024-06-30";
    for e in [
        "examples/price-cap/crude-cargoes.csv",
        "examples/price-cap/eu-imports.ndjson",
    ] {
        let path = root().join(e);
        let out = compile(&[
            "--to",
            "sql",
            "--as-of",
            as_of,
            "--events",
            path.to_str().unwrap(),
            "rules",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let script = String::from_utf8(out.stdout).unwrap();
        let got = sql_common::run_cases("duckdb", vec![json!({"script": script, "events": null})]);
        assert!(got[0].get("error").is_none(), "{e}: {}", got[0]["error"]);
        let eval = Command::cargo_bin("sanc")
            .unwrap()
            .current_dir(root())
            .args(["eval", "rules", e, "--format", "json", "--as-of", as_of])
            .output()
            .unwrap();
        let expected: Value = serde_json::from_slice(&eval.stdout).unwrap();
        let (ef, _) = summary(&expected);
        let (gf, _) = summary(&got[0]);
        assert!(!ef.is_empty(), "{e}: no findings to compare");
        assert_eq!(gf, ef, "{e}: findings differ");
    }
}

fn summary(v: &Value) -> (Vec<String>, BTreeSet<String>) {
    (
        sql_common::finding_lines(&v["findings"]),
        sql_common::diagnostic_set(&v["diagnostics"]),
    )
}

const EXAMPLES: [&str; 5] = [
    "examples/dprk-petroleum/reported.json",
    "examples/dprk-petroleum/estimated-unreported.ndjson",
    "examples/price-cap/crude-cargoes.csv",
    "examples/price-cap/eu-imports.ndjson",
    "examples/price-cap/product-cargoes.ndjson",
];

/// Each example through an engine, with the whole library or one regime.
fn examples_on(engine: &str, examples: &[(&str, Option<&str>)]) {
    let as_of = "2024-06-30";
    let regime_args = |r: Option<&str>| match r {
        Some(r) => vec!["--regime".to_string(), r.to_string()],
        None => Vec::new(),
    };
    let cases: Vec<Value> = examples
        .iter()
        .map(|(e, r)| {
            let mut args = vec!["--to", "sql", "--dialect", engine, "--as-of", as_of];
            let extra = regime_args(*r);
            args.extend(extra.iter().map(String::as_str));
            // Spark reads NDJSON examples itself (`--events`: lists as
            // JSON, columns the file lacks); the others are loaded into
            // `sanc_events` by tests/sql/run.py.
            let path = root().join(e);
            let by_file = engine == "spark" && e.ends_with(".ndjson");
            if by_file {
                args.extend(["--events", path.to_str().unwrap()]);
            }
            args.push("rules");
            let out = compile(&args);
            assert!(out.status.success());
            let script = String::from_utf8(out.stdout).unwrap();
            json!({"script": script, "events": if by_file { Value::Null } else { json!(path) }})
        })
        .collect();
    let got = sql_common::run_cases(engine, cases);
    let mut total = 0;
    for ((e, r), got) in examples.iter().zip(&got) {
        assert!(
            got.get("error").is_none(),
            "{engine} on {e}: {}",
            got["error"]
        );
        let eval = Command::cargo_bin("sanc")
            .unwrap()
            .current_dir(root())
            .args(["eval", "rules", e, "--format", "json", "--as-of", as_of])
            .args(regime_args(*r))
            .output()
            .unwrap();
        let expected: Value = serde_json::from_slice(&eval.stdout).unwrap();
        let (ef, ed) = summary(&expected);
        let (gf, gd) = summary(got);
        let only = |a: &[String], b: &[String]| -> Vec<String> {
            a.iter()
                .filter(|x| !b.contains(x))
                .take(3)
                .cloned()
                .collect()
        };
        assert!(
            gf == ef,
            "{engine} on {e}: findings differ\nonly from sanc eval: {:#?}\nonly from SQL: {:#?}",
            only(&ef, &gf),
            only(&gf, &ef)
        );
        assert_eq!(gd, ed, "{engine} on {e}: diagnostics differ");
        total += ef.len();
    }
    assert!(total > 5, "only {total} findings in the examples");
}

/// Every example with the whole library, and the DPRK example as its
/// README runs it: the UN regime alone.
fn all_examples() -> Vec<(&'static str, Option<&'static str>)> {
    let mut all: Vec<(&str, Option<&str>)> = EXAMPLES.iter().map(|e| (*e, None)).collect();
    all.push(("examples/dprk-petroleum/reported.json", Some("un_dprk")));
    all.push((
        "examples/dprk-petroleum/estimated-unreported.ndjson",
        Some("un_dprk"),
    ));
    all
}

#[test]
fn examples_give_the_same_findings_on_duckdb() {
    examples_on("duckdb", &all_examples());
}

/// On demand, like the PostgreSQL differential: `cargo test --test
/// sql_compile -- --ignored` with `PGHOST`, `PGPORT` and `PGUSER` naming a
/// server (each run in a schema of its own).
#[test]
#[ignore = "needs a PostgreSQL server named by PGHOST, PGPORT and PGUSER"]
fn examples_give_the_same_findings_on_postgres() {
    examples_on("postgres", &all_examples());
}

/// Spark in local mode, one session for all: every example file, each
/// with one regime, which keeps the scripts small enough for a test (Spark
/// plans and compiles each stage of a script, a few seconds each). The
/// price-cap files go through the EU, UK and US caps between them.
#[test]
fn examples_give_the_same_findings_on_spark() {
    examples_on(
        "spark",
        &[
            ("examples/dprk-petroleum/reported.json", Some("un_dprk")),
            (
                "examples/dprk-petroleum/estimated-unreported.ndjson",
                Some("un_dprk"),
            ),
            (
                "examples/price-cap/eu-imports.ndjson",
                Some("eu_russia_oil"),
            ),
            (
                "examples/price-cap/product-cargoes.ndjson",
                Some("uk_russia_oil"),
            ),
            (
                "examples/price-cap/crude-cargoes.csv",
                Some("us_russia_oil"),
            ),
        ],
    );
}

/// The ship-to-ship example (vessels, flags, port calls, parties by role,
/// four designation lists in four formats) gives the findings of `sanc
/// eval` through an engine: its events are NDJSON with vessel and
/// `parties` objects, written into the table's columns as
/// docs/scale-out.md says.
fn sts_transfers_on(engine: &str) {
    let dir = root().join("examples/sts-transfers");
    let out = Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(&dir)
        .args(["compile", "--to", "sql", "--dialect", engine, "rules.sanc"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let script = String::from_utf8(out.stdout).unwrap();
    let events = dir.join("events.ndjson");
    let got = sql_common::run_cases(engine, vec![json!({"script": script, "events": events})]);
    let got = &got[0];
    assert!(got.get("error").is_none(), "{engine}: {}", got["error"]);
    let eval = Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(&dir)
        .args(["eval", "rules.sanc", "events.ndjson", "--format", "json"])
        .output()
        .unwrap();
    let expected: Value = serde_json::from_slice(&eval.stdout).unwrap();
    let (ef, ed) = summary(&expected);
    let (gf, gd) = summary(got);
    assert_eq!(gf, ef, "{engine}: findings differ");
    assert_eq!(gd, ed, "{engine}: diagnostics differ");
    // Flags, lists by IMO number and by name, port calls on their dates.
    assert!(ef.len() >= 5, "only {} findings: {ef:#?}", ef.len());
}

#[test]
fn sts_transfers_example_gives_the_same_findings_on_duckdb() {
    sts_transfers_on("duckdb");
}

#[test]
fn sts_transfers_example_gives_the_same_findings_on_spark() {
    sts_transfers_on("spark");
}

#[test]
#[ignore = "needs a PostgreSQL server named by PGHOST, PGPORT and PGUSER"]
fn sts_transfers_example_gives_the_same_findings_on_postgres() {
    sts_transfers_on("postgres");
}
