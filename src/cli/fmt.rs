//! `sanc fmt`: rewrite rule files in the canonical layout.

use super::{use_color, Exit};
use sanc::loader;
use sanc::report::{self, human::HumanRenderer};
use std::io::Write;
use std::path::PathBuf;

pub(super) fn fmt(paths: &[PathBuf], check_only: bool) -> Exit {
    let renderer = HumanRenderer::new(use_color());
    let mut out = std::io::stdout().lock();
    if paths.len() == 1 && paths[0].as_os_str() == "-" {
        let mut text = String::new();
        if std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).is_err() {
            eprintln!("error: standard input is not UTF-8 text");
            return Exit::Errors;
        }
        return match sanc::fmt::format(&text) {
            Ok(formatted) => {
                let _ = out.write_all(formatted.as_bytes());
                Exit::Clean
            }
            Err(diags) => {
                // Give the text back unchanged: editors that pipe a buffer
                // through `sanc fmt -` must not lose it.
                let _ = out.write_all(text.as_bytes());
                let mut sources = sanc::source::SourceMap::new();
                sources.add("<stdin>", None, text);
                for d in &diags {
                    eprint!("{}", renderer.render(d, &sources));
                }
                Exit::Errors
            }
        };
    }
    let mut files = Vec::new();
    let mut failed = false;
    for p in paths {
        let found = loader::rule_files(p);
        for problem in &found.problems {
            let _ = writeln!(out, "error: {problem}");
            failed = true;
        }
        files.extend(found.files);
    }
    let (mut changed, mut unchanged) = (0usize, 0usize);
    for f in &files {
        let name = f.to_string_lossy().into_owned();
        let Ok(text) = std::fs::read_to_string(f) else {
            let _ = writeln!(out, "error: cannot read `{name}` as UTF-8 text");
            failed = true;
            continue;
        };
        match sanc::fmt::format(&text) {
            Ok(formatted) if formatted == text => unchanged += 1,
            Ok(formatted) => {
                changed += 1;
                if check_only {
                    let _ = writeln!(out, "not formatted: {name}");
                } else if std::fs::write(f, formatted).is_err() {
                    let _ = writeln!(out, "error: cannot write `{name}`");
                    failed = true;
                }
            }
            Err(diags) => {
                let mut sources = sanc::source::SourceMap::new();
                sources.add(name.clone(), Some(f), text);
                for d in &diags {
                    let _ = write!(out, "{}", renderer.render(d, &sources));
                }
                let _ = writeln!(out, "left unformatted: {name} (it does not parse)");
                failed = true;
            }
        }
    }
    let summary = if check_only {
        format!(
            "{} to format, {} already formatted",
            report::plural(changed, "file", "files"),
            report::thousands(unchanged)
        )
    } else {
        format!(
            "formatted {}, {} already formatted",
            report::plural(changed, "file", "files"),
            report::thousands(unchanged)
        )
    };
    let _ = writeln!(out, "{summary}");
    if failed {
        Exit::Errors
    } else if check_only && changed > 0 {
        Exit::Violations
    } else {
        Exit::Clean
    }
}
