//! Every input in the fuzz corpora (fuzz/corpus/<target>/) goes through the
//! fuzz targets' code again, on stable Rust, so that what fuzzing found
//! stays fixed. See fuzz/README.md.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../fuzz/cases.rs"]
mod cases;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Panics seen, even those the language server catches to keep serving.
static PANICS: AtomicUsize = AtomicUsize::new(0);

fn replay(target: &str, case: fn(&[u8])) {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        hook(info);
    }));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no corpus in {}", dir.display());
    for f in &files {
        let before = PANICS.load(Ordering::SeqCst);
        let data = std::fs::read(f).unwrap();
        let outcome = std::panic::catch_unwind(|| case(&data));
        assert!(
            outcome.is_ok() && PANICS.load(Ordering::SeqCst) == before,
            "{target}: {} panics",
            f.display()
        );
    }
}

#[test]
fn rules_corpus() {
    replay("rules", cases::rules);
}

#[test]
fn events_corpus() {
    replay("events", cases::events);
}

#[test]
fn lsp_corpus() {
    replay("lsp", cases::lsp);
}
