//! `sanc fmt`: rewrite rule files in the canonical layout.

use super::{finish, stderr_line, stderr_text, use_color, Exit};
use sanc::loader;
use sanc::report::{self, human::HumanRenderer};
use std::io::{self, Read, Write};
use std::path::PathBuf;

pub(super) fn fmt(paths: &[PathBuf], check_only: bool) -> Exit {
    if paths.len() == 1 && paths[0].as_os_str() == "-" {
        return fmt_stdin(check_only);
    }
    let renderer = HumanRenderer::new(use_color());
    let mut out = Out {
        w: io::stdout().lock(),
        failed: None,
    };
    let mut files = Vec::new();
    let mut failed = false;
    let mut projects = Projects::default();
    let mut outside = 0usize;
    for p in paths {
        let found = loader::rule_files(p);
        for problem in &found.problems {
            out.line(format_args!("error: {problem}"));
            failed = true;
        }
        // A file named is formatted; in a folder, files of a project that
        // are outside its `paths` (test fixtures beside the rule set) are
        // not part of any rule set, and are left alone.
        for f in found.files {
            if p.is_dir() && !projects.belongs(&f) {
                outside += 1;
                continue;
            }
            files.push(f);
        }
    }
    let (mut changed, mut unchanged, mut unwritten) = (0usize, 0usize, 0usize);
    for f in &files {
        let name = f.to_string_lossy().into_owned();
        let Ok(text) = std::fs::read_to_string(f) else {
            out.line(format_args!("error: cannot read `{name}` as UTF-8 text"));
            failed = true;
            continue;
        };
        match sanc::fmt::format(&text) {
            Ok(formatted) if formatted == text => unchanged += 1,
            Ok(_) if check_only => {
                changed += 1;
                out.line(format_args!("not formatted: {name}"));
            }
            Ok(formatted) => match sanc::fmt::write_file(f, &formatted) {
                Ok(()) => changed += 1,
                Err(e) => {
                    // The original is untouched: the new text went to a
                    // temporary file that is never renamed over it.
                    unwritten += 1;
                    out.line(format_args!(
                        "error: cannot write `{name}` (left unchanged): {e}"
                    ));
                    failed = true;
                }
            },
            Err(diags) => {
                let mut sources = sanc::source::SourceMap::new();
                sources.add(name.clone(), Some(f), text);
                for d in &diags {
                    out.text(&renderer.render(d, &sources));
                }
                out.line(format_args!("left unformatted: {name} (it does not parse)"));
                failed = true;
            }
        }
    }
    let mut summary = if check_only {
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
    if unwritten > 0 {
        summary += &format!(", {} could not be written", report::thousands(unwritten));
    }
    if outside > 0 {
        summary += &format!(
            ", {} outside the paths of its project (sanc.toml) left alone",
            report::plural(outside, "file", "files")
        );
    }
    out.line(format_args!("{summary}"));
    let code = if failed {
        Exit::Errors
    } else if check_only && changed > 0 {
        Exit::Violations
    } else {
        Exit::Clean
    };
    let written = out.failed.map_or(Ok(()), Err);
    finish(&mut out.w, written, code)
}

/// `sanc fmt -`: standard input to standard output; with `--check`, only
/// the verdict, on standard error, and the exit code.
fn fmt_stdin(check_only: bool) -> Exit {
    let mut bytes = Vec::new();
    if let Err(e) = io::stdin().lock().read_to_end(&mut bytes) {
        stderr_line(format_args!("error: cannot read standard input: {e}"));
        return Exit::Errors;
    }
    let Ok(text) = String::from_utf8(bytes) else {
        stderr_line(format_args!("error: standard input is not UTF-8 text"));
        return Exit::Errors;
    };
    let mut out = io::stdout().lock();
    match sanc::fmt::format(&text) {
        Ok(formatted) if check_only => {
            if formatted == text {
                Exit::Clean
            } else {
                stderr_line(format_args!("not formatted: <stdin>"));
                Exit::Violations
            }
        }
        Ok(formatted) => {
            let written = out.write_all(formatted.as_bytes());
            finish(&mut out, written, Exit::Clean)
        }
        Err(diags) => {
            // Give the text back unchanged: editors that pipe a buffer
            // through `sanc fmt -` must not lose it.
            let written = if check_only {
                Ok(())
            } else {
                out.write_all(text.as_bytes())
            };
            let renderer = HumanRenderer::new(use_color());
            let mut sources = sanc::source::SourceMap::new();
            sources.add("<stdin>", None, text);
            for d in &diags {
                stderr_text(&renderer.render(d, &sources));
            }
            finish(&mut out, written, Exit::Errors)
        }
    }
}

/// Standard output that keeps the first write error, so that a report of
/// many files goes on being produced and the error decides the exit code.
struct Out<W: Write> {
    w: W,
    failed: Option<io::Error>,
}

impl<W: Write> Out<W> {
    fn text(&mut self, text: &str) {
        if self.failed.is_none() {
            self.failed = self.w.write_all(text.as_bytes()).err();
        }
    }

    fn line(&mut self, args: std::fmt::Arguments) {
        if self.failed.is_none() {
            self.failed = self
                .w
                .write_fmt(args)
                .and_then(|()| self.w.write_all(b"\n"))
                .err();
        }
    }
}

/// The projects (`sanc.toml`) of the files found in folders, each read once.
#[derive(Default)]
struct Projects {
    /// By project file: its rule paths, canonical (none if it cannot be read).
    read: std::collections::HashMap<PathBuf, Option<Vec<PathBuf>>>,
}

impl Projects {
    /// Is `file` part of a rule set: inside the paths of the project it is
    /// in (found as `sanc check` finds it), or in no project? A project file
    /// that cannot be read counts as naming everything (`sanc check`
    /// reports it).
    fn belongs(&mut self, file: &std::path::Path) -> bool {
        let Some(project) = sanc::project::find(file) else {
            return true;
        };
        let canon =
            |p: &std::path::Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let paths = self.read.entry(project.clone()).or_insert_with(|| {
            sanc::project::Project::load(&project)
                .ok()
                .map(|p| p.paths.iter().map(|q| canon(q)).collect())
        });
        let file = canon(file);
        paths
            .as_ref()
            .is_none_or(|ps| ps.iter().any(|q| file.starts_with(q)))
    }
}
