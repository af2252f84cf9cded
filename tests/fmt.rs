//! `sanc fmt` on every rule file in the repository: idempotent, meaning
//! preserved (the re-parsed AST equals the original, spans aside), every
//! comment kept; and the command's `--check` and in-place modes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use predicates::prelude::PredicateBooleanExt;
use sanc::fmt::format;
use sanc::source::FileId;
use sanc::syntax::parse;
use std::path::{Path, PathBuf};

fn corpus() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["rules", "examples", "tests", "benches"] {
        for e in walkdir::WalkDir::new(root.join(dir))
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            if e.path().extension().is_some_and(|x| x == "sanc") {
                let text = std::fs::read_to_string(e.path()).unwrap();
                out.push((e.path().display().to_string(), text));
            }
        }
    }
    // The language reference's examples too.
    let doc = std::fs::read_to_string(root.join("docs/language.md")).unwrap();
    let mut block: Option<String> = None;
    for (n, line) in doc.lines().enumerate() {
        if line.starts_with("```sanc") {
            block = Some(String::new());
        } else if line.starts_with("```") {
            if let Some(b) = block.take() {
                out.push((format!("docs/language.md block ending line {}", n + 1), b));
            }
        } else if let Some(b) = &mut block {
            b.push_str(line);
            b.push('\n');
        }
    }
    out
}

/// The comments of a text, in order, as written.
fn comments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut in_string = false;
        let mut prev = ' ';
        for (i, c) in line.char_indices() {
            match c {
                '"' if prev != '\\' => in_string = !in_string,
                '#' if !in_string => {
                    out.push(line[i..].trim_end().to_string());
                    break;
                }
                _ => {}
            }
            prev = c;
        }
    }
    out
}

#[test]
fn formatting_is_idempotent_and_keeps_meaning_and_comments() {
    let mut formatted_files = 0;
    for (name, text) in corpus() {
        let Ok(once) = format(&text) else {
            // Files with syntax errors (the diagnostics corpus) are refused.
            assert!(
                !parse(FileId(0), &text).diagnostics.is_empty(),
                "{name}: refused but parses"
            );
            continue;
        };
        formatted_files += 1;
        let before = parse(FileId(0), &text);
        let after = parse(FileId(0), &once);
        assert!(
            after.diagnostics.is_empty(),
            "{name}: formatted text does not parse:\n{once}"
        );
        assert_eq!(
            before.ast, after.ast,
            "{name}: formatting changed the meaning:\n{once}"
        );
        let twice = format(&once).unwrap();
        assert_eq!(once, twice, "{name}: formatting is not idempotent");
        assert_eq!(
            comments(&text),
            comments(&once),
            "{name}: comments changed:\n{once}"
        );
    }
    assert!(
        formatted_files >= 60,
        "only {formatted_files} files formatted"
    );
}

#[test]
fn the_shipped_rules_are_formatted() {
    Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["fmt", "--check", "rules", "examples"])
        .assert()
        .code(0);
}

#[test]
fn fmt_rewrites_in_place_and_check_reports() {
    let dir = tempfile::tempdir().unwrap();
    let f: PathBuf = dir.path().join("r.sanc");
    std::fs::write(
        &f,
        "commodity arms=hs 93\nban arms to PRK   cite \"x\" # why\n",
    )
    .unwrap();
    let p = f.to_string_lossy().into_owned();
    Command::cargo_bin("sanc")
        .unwrap()
        .args(["fmt", "--check", &p])
        .assert()
        .code(1);
    Command::cargo_bin("sanc")
        .unwrap()
        .args(["fmt", &p])
        .assert()
        .code(0);
    assert_eq!(
        std::fs::read_to_string(&f).unwrap(),
        "commodity arms = hs 93\nban arms to PRK cite \"x\"  # why\n"
    );
    Command::cargo_bin("sanc")
        .unwrap()
        .args(["fmt", "--check", &p])
        .assert()
        .code(0);
}

#[test]
fn fmt_leaves_a_file_that_does_not_parse_alone() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.sanc");
    let text = "ban arms to\n";
    std::fs::write(&f, text).unwrap();
    Command::cargo_bin("sanc")
        .unwrap()
        .args(["fmt", &f.to_string_lossy()])
        .assert()
        .code(2)
        .stdout(predicates::str::contains("left unformatted"));
    assert_eq!(std::fs::read_to_string(&f).unwrap(), text);
}

#[test]
fn fmt_reads_standard_input() {
    Command::cargo_bin("sanc")
        .unwrap()
        .args(["fmt", "-"])
        .write_stdin("party   DPRK=PRK\n")
        .assert()
        .code(0)
        .stdout("party DPRK = PRK\n");
}

/// Comments dropped between any two tokens of every rule file: formatting
/// stays idempotent, keeps the meaning and keeps every comment.
#[test]
fn comments_anywhere_survive_formatting() {
    let mut seed: u64 = 0x2397_1718;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    let mut tried = 0;
    for (name, text) in corpus() {
        if format(&text).is_err() {
            continue;
        }
        // Places between tokens: white space outside strings.
        let mut gaps = Vec::new();
        let mut in_string = false;
        let mut in_comment = false;
        for (i, c) in text.char_indices() {
            match c {
                '\n' => {
                    in_comment = false;
                    in_string = false;
                    gaps.push(i);
                }
                '#' if !in_string => in_comment = true,
                '"' if !in_comment => in_string = !in_string,
                ' ' if !in_string && !in_comment => gaps.push(i),
                _ => {}
            }
        }
        for k in 0..16 {
            let mut t = text.clone();
            for j in 0..3 {
                if gaps.is_empty() {
                    break;
                }
                let at = gaps[next(gaps.len())];
                if at <= t.len() && t.is_char_boundary(at) {
                    t.insert_str(at, &format!(" # note {k}.{j}\n"));
                }
            }
            let Ok(once) = format(&t) else { continue };
            tried += 1;
            assert_eq!(
                parse(FileId(0), &t).ast,
                parse(FileId(0), &once).ast,
                "{name}: meaning changed:\n{t}\n---\n{once}"
            );
            assert_eq!(
                format(&once).ok().as_deref(),
                Some(once.as_str()),
                "{name}: not idempotent:\n{t}\n---\n{once}"
            );
            let mut a = comments(&t);
            let mut b = comments(&once);
            a.sort();
            b.sort();
            assert_eq!(a, b, "{name}: comments changed:\n{t}\n---\n{once}");
        }
    }
    assert!(tried > 300, "only {tried} variants");
}

/// `sanc fmt FOLDER` formats the rule files of the folder's project, as
/// `sanc check` reads it: files outside the project's `paths` (fixtures
/// beside the rule set) are left alone and counted; a file named on the
/// command line is formatted wherever it is.
#[test]
fn fmt_of_a_folder_follows_its_project_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("rules")).unwrap();
    std::fs::create_dir_all(root.join("fixtures")).unwrap();
    std::fs::write(root.join("sanc.toml"), "paths = [\"rules\"]\n").unwrap();
    let messy = "commodity arms=hs 93\nban arms to PRK\n";
    std::fs::write(root.join("rules/a.sanc"), messy).unwrap();
    std::fs::write(root.join("fixtures/b.sanc"), messy).unwrap();
    Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(root)
        .args(["fmt", "--check", "."])
        .assert()
        .code(1)
        .stdout(predicates::str::contains("not formatted: ./rules/a.sanc"))
        .stdout(predicates::str::contains("b.sanc").not())
        .stdout(predicates::str::contains(
            "1 file to format, 0 already formatted, 1 file outside the paths of its project (sanc.toml) left alone",
        ));
    Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(root)
        .args(["fmt", "."])
        .assert()
        .code(0);
    let tidy = "commodity arms = hs 93\nban arms to PRK\n";
    assert_eq!(
        std::fs::read_to_string(root.join("rules/a.sanc")).unwrap(),
        tidy
    );
    assert_eq!(
        std::fs::read_to_string(root.join("fixtures/b.sanc")).unwrap(),
        messy
    );
    // Named, the fixture is formatted.
    Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(root)
        .args(["fmt", "fixtures/b.sanc"])
        .assert()
        .code(0);
    assert_eq!(
        std::fs::read_to_string(root.join("fixtures/b.sanc")).unwrap(),
        tidy
    );
}
