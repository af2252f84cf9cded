//! Rule files of unusual size: long runs of comments, strings and names of
//! megabytes, a statement too large to parse. They parse, or get a located
//! diagnostic; no output quotes a huge line whole.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;

fn check(dir: &std::path::Path, text: &str, format: &str) -> (i32, String) {
    let file = dir.join("big.sanc");
    std::fs::write(&file, text).unwrap();
    let out = Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(["check", "--format", format, "big.sanc"])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

const HEAD: &str = "party DPRK = PRK\ncommodity arms = hs 93\n";

#[test]
fn sixty_thousand_comment_lines_parse() {
    let tmp = tempfile::tempdir().unwrap();
    let text = format!(
        "{HEAD}{}ban arms to DPRK\n{}",
        "# a comment line, as a long licence header might have\n".repeat(60_000),
        "# trailing\n".repeat(60_000)
    );
    let (code, out) = check(tmp.path(), &text, "human");
    assert_eq!(
        (code, out.as_str()),
        (0, "ok: 1 file, 1 rule, no problems\n")
    );
    // The formatter keeps every comment.
    let formatted = sanc::fmt::format(&text).unwrap();
    assert_eq!(formatted.matches('#').count(), 120_000);
}

#[test]
fn a_three_megabyte_string_parses() {
    let tmp = tempfile::tempdir().unwrap();
    let cite = "x".repeat(3_000_000) + "\\\"" + &"\\\\".repeat(10_000);
    let text = format!("{HEAD}ban arms to DPRK cite \"{cite}\"\n");
    let (code, out) = check(tmp.path(), &text, "human");
    assert_eq!(
        (code, out.as_str()),
        (0, "ok: 1 file, 1 rule, no problems\n")
    );
}

#[test]
fn an_unterminated_huge_string_is_located_and_not_quoted_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let text = format!("{HEAD}ban arms to DPRK cite \"{}\n", "x".repeat(3_000_000));
    for format in ["human", "json", "sarif"] {
        let (code, out) = check(tmp.path(), &text, format);
        assert_eq!(code, 2, "{format}");
        assert!(out.len() < 10_000, "{format}: {} bytes", out.len());
        assert!(out.contains("sanc::parse::unterminated_string"), "{format}");
    }
    let (_, out) = check(tmp.path(), &text, "human");
    assert!(out.contains("[big.sanc:3:23]"), "{out}");
}

#[test]
fn a_huge_name_is_reported_without_repeating_it() {
    let tmp = tempfile::tempdir().unwrap();
    let text = format!("{HEAD}ban {} to DPRK\n", "y".repeat(3_000_000));
    for format in ["human", "json", "sarif"] {
        let (code, out) = check(tmp.path(), &text, format);
        assert_eq!(code, 2, "{format}");
        assert!(out.len() < 10_000, "{format}: {} bytes", out.len());
        assert!(out.contains("characters left out"), "{format}");
    }
}

#[test]
fn a_statement_too_large_to_parse_is_reported_at_its_start() {
    let tmp = tempfile::tempdir().unwrap();
    let text = format!(
        "{HEAD}group g = [{}DPRK]\nban arms to g\n",
        "DPRK, ".repeat(1_000_000)
    );
    let (code, out) = check(tmp.path(), &text, "human");
    assert_eq!(code, 2);
    assert!(out.len() < 10_000, "{} bytes", out.len());
    assert!(
        out.contains("this statement is too large to parse"),
        "{out}"
    );
    assert!(out.contains("[big.sanc:3:1]"), "{out}");
}
