#![no_main]
//! See ../cases.rs: the same function is replayed on the corpus by
//! tests/fuzz_corpus.rs in the main crate.

#[path = "../cases.rs"]
mod cases;

libfuzzer_sys::fuzz_target!(|data: &[u8]| cases::lsp(data));
