//! One input per mistake an analyst makes, in `tests/diagnostics/` (a file,
//! or a directory for mistakes that span files). Each is checked by the real
//! binary and the exact output is snapshotted in `tests/snapshots/`.
//!
//! To review changes: `INSTA_UPDATE=always cargo test --test diagnostics`,
//! then read the `git diff` of the snapshots (or use `cargo insta review`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn inputs() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diagnostics");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    out.sort();
    out
}

fn describe(path: &Path) -> String {
    let mut text = String::new();
    let files = if path.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(path)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        v.sort();
        v
    } else {
        vec![path.to_path_buf()]
    };
    for f in files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        text.push_str(&format!(
            "--- {name}\n{}",
            std::fs::read_to_string(&f).unwrap_or_default()
        ));
    }
    text
}

#[test]
fn every_mistake_has_a_clear_diagnostic() {
    let inputs = inputs();
    assert!(
        inputs.len() >= 20,
        "expected at least 20 mistakes, found {}",
        inputs.len()
    );
    for path in inputs {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let rel = path
            .strip_prefix(env!("CARGO_MANIFEST_DIR"))
            .unwrap_or(&path)
            .to_path_buf();
        let out = Command::cargo_bin("sanc")
            .unwrap()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("NO_COLOR", "1")
            .arg("check")
            .arg(&rel)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let code = out.status.code().unwrap_or(-1);
        assert!(
            stdout.contains("sanc::"),
            "{name}: no diagnostic at all:\n{stdout}"
        );
        assert!(!stdout.contains("panicked"), "{name}: {stdout}");
        insta::with_settings!({
            omit_expression => true,
            prepend_module_to_snapshot => false,
        }, {
            insta::assert_snapshot!(
                name,
                format!("{}\n=== sanc check {} (exit code {code})\n\n{stdout}", describe(&path), rel.display())
            );
        });
    }
}
