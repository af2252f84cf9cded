//! What each fuzz target does with its input. Shared by the cargo-fuzz
//! targets (fuzz_targets/*.rs) and by tests/fuzz_corpus.rs, which replays
//! every corpus file under `cargo test` on stable Rust.
//!
//! A case fails by panicking; library code must never panic, whatever the
//! bytes.
#![allow(dead_code, clippy::panic)]

use sanc::events::read::{read, Input};
use sanc::events::InputFormat;
use std::sync::OnceLock;

/// Rule text → parse and check, every diagnostic rendered (human, JSON,
/// SARIF); and the formatter: formatted text formats to itself and parses
/// without error.
pub fn rules(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let rules = sanc::loader::load_texts([("fuzz.sanc", text)]);
    let renderer = sanc::report::human::HumanRenderer::new(false);
    for d in rules.diagnostics() {
        let _ = renderer.render(d, &rules.sources);
        let _ = sanc::report::json::diagnostic(d, &rules.sources);
    }
    let _ = sanc::report::sarif::log(rules.diagnostics(), &rules.sources);
    if let Ok(once) = sanc::fmt::format(text) {
        match sanc::fmt::format(&once) {
            Ok(twice) if twice == once => {}
            Ok(twice) => panic!("formatting is not stable:\n{once}\n---\n{twice}"),
            Err(d) => panic!("formatted text does not parse: {d:?}\n{once}"),
        }
    }
}

/// The shipped rule library, the rule set events are judged against. Its
/// files (list files included) are compiled in and written to a temporary
/// folder once, so that a fuzz binary needs nothing beside it.
fn library() -> &'static sanc::loader::RuleSource {
    const FILES: &[(&str, &str)] = &[
        (
            "common/commodities.sanc",
            include_str!("../rules/common/commodities.sanc"),
        ),
        (
            "common/conversions.sanc",
            include_str!("../rules/common/conversions.sanc"),
        ),
        (
            "common/exemptions.sanc",
            include_str!("../rules/common/exemptions.sanc"),
        ),
        (
            "common/parties.sanc",
            include_str!("../rules/common/parties.sanc"),
        ),
        (
            "eu/russia_coal.sanc",
            include_str!("../rules/eu/russia_coal.sanc"),
        ),
        (
            "eu/russia_oil.sanc",
            include_str!("../rules/eu/russia_oil.sanc"),
        ),
        (
            "uk/russia_oil.sanc",
            include_str!("../rules/uk/russia_oil.sanc"),
        ),
        (
            "us/russia_oil.sanc",
            include_str!("../rules/us/russia_oil.sanc"),
        ),
        (
            "un/dprk_goods.sanc",
            include_str!("../rules/un/dprk_goods.sanc"),
        ),
        (
            "un/dprk_petroleum.sanc",
            include_str!("../rules/un/dprk_petroleum.sanc"),
        ),
        (
            "un/dprk_vessels.sanc",
            include_str!("../rules/un/dprk_vessels.sanc"),
        ),
        (
            "un/lists/1718-designations.xml",
            include_str!("../rules/un/lists/1718-designations.xml"),
        ),
        (
            "un/lists/1718-vessels.csv",
            include_str!("../rules/un/lists/1718-vessels.csv"),
        ),
    ];
    static RULES: OnceLock<sanc::loader::RuleSource> = OnceLock::new();
    RULES.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("sanc-fuzz-rules-{}", std::process::id()));
        let mut sanc_files = Vec::new();
        for (name, text) in FILES {
            let at = dir.join(name);
            if let Some(parent) = at.parent() {
                let _ = std::fs::create_dir_all(parent);
            }
            let _ = std::fs::write(&at, text);
            if name.ends_with(".sanc") {
                sanc_files.push((name.to_string(), Some(at), text.to_string()));
            }
        }
        sanc::loader::load_named(sanc_files)
    })
}

/// Event bytes → a reader (the first byte picks JSON array, NDJSON or
/// CSV), validation and evaluation against the rule library.
pub fn events(data: &[u8]) {
    let Some((&which, body)) = data.split_first() else {
        return;
    };
    let format = match which % 3 {
        0 => InputFormat::Json,
        1 => InputFormat::Ndjson,
        _ => InputFormat::Csv,
    };
    let rules = library();
    if rules.has_errors() {
        panic!("the rule library does not check");
    }
    let mut input = Input::new("fuzz", None, format);
    let Some(as_of) = chrono::NaiveDate::from_ymd_opt(2024, 6, 30) else {
        return;
    };
    let mut evaluator = sanc::eval::Evaluator::new(&rules.checked.rules, as_of);
    let _ = read(0, &mut input, body, |item| evaluator.item(item), |_| {});
    let _ = evaluator.finish();
}

/// A language-server session. Input starting with `{` is a list of JSON
/// bodies, one a line, each framed with `Content-Length`; anything else is
/// handed over as raw bytes (framing included).
pub fn lsp(data: &[u8]) {
    let mut out = Vec::new();
    if data.first() == Some(&b'{') {
        let mut framed = Vec::new();
        for body in data.split(|&b| b == b'\n') {
            framed.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
            framed.extend_from_slice(body);
        }
        let _ = sanc::lsp::serve_bytes(&framed, &mut out);
    } else {
        let _ = sanc::lsp::serve_bytes(data, &mut out);
    }
}
