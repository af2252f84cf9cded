//! Loading a rule set: files and directories (recursively, `*.sanc`, in
//! path order), each parsed into the one source map.

use crate::check::{self, Checked};
use crate::diagnostic::{codes, Diagnostic};
use crate::source::SourceMap;
use crate::syntax::{self, Parsed};
use std::path::{Path, PathBuf};

/// A loaded and checked rule set, with the sources its diagnostics point into.
#[derive(Debug)]
pub struct RuleSource {
    pub sources: SourceMap,
    pub parsed: Vec<Parsed>,
    pub checked: Checked,
    /// Problems reading the paths (missing, unreadable, not UTF-8).
    pub io_errors: Vec<Diagnostic>,
    pub file_count: usize,
}

/// The `.sanc` files a path stands for: itself, or every one below it.
pub fn rule_files(path: &Path) -> Result<Vec<PathBuf>, String> {
    if !path.exists() {
        return Err(format!("`{}` does not exist", path.display()));
    }
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    // Hidden folders and build output (`target`, `node_modules`) are not
    // part of a rule set, even below the folder named.
    let skipped = |e: &walkdir::DirEntry| {
        e.depth() > 0
            && e.file_type().is_dir()
            && e.file_name()
                .to_str()
                .is_some_and(|n| n.starts_with('.') || n == "target" || n == "node_modules")
    };
    for entry in walkdir::WalkDir::new(path)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !skipped(e))
    {
        let entry = entry.map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "sanc") {
            out.push(entry.into_path());
        }
    }
    out.sort();
    Ok(out)
}

fn io_error(message: String) -> Diagnostic {
    Diagnostic::error(codes::IO, message)
}

/// Load, parse and check the rule files under `paths` as one rule set.
pub fn load(paths: &[PathBuf]) -> RuleSource {
    let mut sources = SourceMap::new();
    let mut io_errors = Vec::new();
    let mut files = Vec::new();
    for p in paths {
        match rule_files(p) {
            Ok(found) if found.is_empty() => {
                io_errors.push(io_error(format!("no `.sanc` files in `{}`", p.display())))
            }
            Ok(found) => files.extend(found),
            Err(e) => io_errors.push(io_error(e)),
        }
    }
    // The same file named twice (`rules rules/un/dprk.sanc`) is read once.
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    for f in &files {
        match std::fs::read(f) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => {
                    sources.add(display_name(f), Some(f), text);
                }
                Err(e) => io_errors.push(io_error(format!(
                    "`{}` is not UTF-8 text (invalid byte at offset {})",
                    f.display(),
                    e.utf8_error().valid_up_to()
                ))),
            },
            Err(e) => io_errors.push(io_error(format!("cannot read `{}`: {e}", f.display()))),
        }
    }
    let file_count = sources.files().count();
    let parsed: Vec<Parsed> = sources
        .files()
        .map(|(id, f)| syntax::parse(id, &f.text))
        .collect();
    let checked = check::check(&parsed);
    RuleSource {
        sources,
        parsed,
        checked,
        io_errors,
        file_count,
    }
}

/// Load a rule set from in-memory texts (tests, the language server).
pub fn load_texts<'a>(texts: impl IntoIterator<Item = (&'a str, &'a str)>) -> RuleSource {
    let mut sources = SourceMap::new();
    for (name, text) in texts {
        sources.add(name, None, text.to_string());
    }
    let parsed: Vec<Parsed> = sources
        .files()
        .map(|(id, f)| syntax::parse(id, &f.text))
        .collect();
    let checked = check::check(&parsed);
    let file_count = parsed.len();
    RuleSource {
        sources,
        parsed,
        checked,
        io_errors: Vec::new(),
        file_count,
    }
}

fn display_name(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

impl RuleSource {
    /// Every diagnostic: read problems first, then parse and check.
    pub fn diagnostics(&self) -> impl Iterator<Item = &Diagnostic> {
        self.io_errors.iter().chain(self.checked.diagnostics.iter())
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics().any(Diagnostic::is_error)
    }
}
