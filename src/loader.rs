//! Loading a rule set: files and directories (recursively, `*.sanc`, in
//! path order), each parsed into the one source map.

use crate::analysis::{self, Analyzed, Input};
use crate::check::{self, Checked};
use crate::diagnostic::{Code, Diagnostic};
use crate::project::{self, Project, ProjectError};
use crate::source::SourceMap;
use crate::syntax::Parsed;
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
    /// The project file (`sanc.toml`) that named the rule paths, if any.
    pub project: Option<Project>,
}

/// The `.sanc` files a path stands for, and what stood in the way of
/// finding them.
#[derive(Debug, Default)]
pub struct RuleFiles {
    /// In path order, each file once.
    pub files: Vec<PathBuf>,
    /// Paths that could not be followed: missing, broken links, link loops,
    /// unreadable folders. Each message names the path.
    pub problems: Vec<String>,
}

/// The `.sanc` files a path stands for: itself, or every one below it.
/// Symbolic links to files and folders are followed; a link that leads back
/// into its own folder (a loop) or to nothing is reported, not walked.
pub fn rule_files(path: &Path) -> RuleFiles {
    let mut found = RuleFiles::default();
    if !path.exists() {
        let problem = match std::fs::read_link(path) {
            Ok(target) => broken_link(path, &target),
            Err(_) => format!("`{}` does not exist", path.display()),
        };
        found.problems.push(problem);
        return found;
    }
    if path.is_file() {
        found.files.push(path.to_path_buf());
        return found;
    }
    // Hidden folders and build output (`target`, `node_modules`) are not
    // part of a rule set, even below the folder named.
    let skipped = |e: &walkdir::DirEntry| {
        e.depth() > 0
            && e.file_type().is_dir()
            && e.file_name()
                .to_str()
                .is_some_and(|n| n.starts_with('.') || n == "target" || n == "node_modules")
    };
    // walkdir detects loops when following links: a link to one of its own
    // ancestors is an error entry, not another round.
    for entry in walkdir::WalkDir::new(path)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !skipped(e))
    {
        match entry {
            Ok(entry) => {
                if entry.file_type().is_file()
                    && entry.path().extension().is_some_and(|e| e == "sanc")
                {
                    found.files.push(entry.into_path());
                }
            }
            Err(e) => found.problems.push(walk_problem(path, &e)),
        }
    }
    found.files.sort();
    // A file reached both directly and through a link is one file.
    let mut seen = std::collections::HashSet::new();
    found
        .files
        .retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    found
}

fn broken_link(link: &Path, target: &Path) -> String {
    format!(
        "`{}` is a symbolic link to `{}`, which does not exist",
        link.display(),
        target.display()
    )
}

/// Words for what went wrong at one entry of a folder walk.
fn walk_problem(root: &Path, e: &walkdir::Error) -> String {
    let at = e.path().unwrap_or(root);
    if let Some(ancestor) = e.loop_ancestor() {
        return format!(
            "`{}` is a symbolic link back to `{}`, which contains it (a loop); it was not followed",
            at.display(),
            ancestor.display()
        );
    }
    if let Ok(target) = std::fs::read_link(at) {
        if !at.exists() {
            return broken_link(at, &target);
        }
    }
    match e.io_error() {
        Some(io) => format!("cannot read `{}`: {io}", at.display()),
        None => format!("cannot read `{}`: {e}", at.display()),
    }
}

fn io_error(message: String) -> Diagnostic {
    Diagnostic::error(Code::Io, message)
}

/// Load, parse and check the rule set that `paths` stand for: the project
/// (`sanc.toml`) they belong to, whole, or without one the files and
/// folders given. A project file that cannot be read or checked is the
/// only diagnostic.
pub fn load(paths: &[PathBuf]) -> RuleSource {
    match project_of(paths) {
        Ok(Some(project)) => {
            let mut rules = load_files(&project.paths);
            rules.project = Some(project);
            rules
        }
        Ok(None) => load_files(paths),
        Err(e) => RuleSource {
            sources: e.sources,
            parsed: Vec::new(),
            checked: check::check(&[]),
            io_errors: vec![e.diagnostic],
            file_count: 0,
            project: None,
        },
    }
}

/// The project that every one of `paths` belongs to (found by walking up
/// from each), or none if none does. Paths of two rule sets, or of a
/// project and of none, are an error. A path that does not exist is
/// reported by the loader: then no project is looked for.
pub fn project_of(paths: &[PathBuf]) -> Result<Option<Project>, ProjectError> {
    if paths.iter().any(|p| !p.exists()) {
        return Ok(None);
    }
    let found: Vec<Option<PathBuf>> = paths.iter().map(|p| project::find(p)).collect();
    let key = |f: &Option<PathBuf>| {
        f.as_ref()
            .map(|f| std::fs::canonicalize(f).unwrap_or_else(|_| f.clone()))
    };
    let Some(first) = found.first() else {
        return Ok(None);
    };
    if let Some((i, other)) = found.iter().enumerate().find(|(_, f)| key(f) != key(first)) {
        let of = |f: &Option<PathBuf>| match f {
            Some(f) => format!("the rule set of `{}`", f.display()),
            None => "no project (no sanc.toml in its folder or above)".to_string(),
        };
        return Err(ProjectError {
            sources: SourceMap::new(),
            diagnostic: Diagnostic::error(
                Code::Project,
                format!(
                    "`{}` belongs to {}, but `{}` to {}",
                    paths[0].display(),
                    of(first),
                    paths[i].display(),
                    of(other)
                ),
            )
            .with_help(
                "one run checks one rule set: name paths of one project, or check them separately",
            ),
        });
    }
    match first {
        Some(file) => Project::load(file).map(Some),
        None => Ok(None),
    }
}

/// Load, parse and check the rule files under `paths` as one rule set.
pub fn load_files(paths: &[PathBuf]) -> RuleSource {
    let mut io_errors = Vec::new();
    let mut files = Vec::new();
    for p in paths {
        let found = rule_files(p);
        if found.files.is_empty() && found.problems.is_empty() {
            io_errors.push(io_error(format!("no `.sanc` files in `{}`", p.display())));
        }
        io_errors.extend(found.problems.into_iter().map(io_error));
        files.extend(found.files);
    }
    // The same file named twice (`rules rules/un/dprk.sanc`) is read once.
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    let mut inputs = Vec::new();
    for f in &files {
        match std::fs::read(f) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => inputs.push(Input {
                    name: display_name(f),
                    path: Some(f.clone()),
                    text,
                }),
                Err(e) => io_errors.push(io_error(format!(
                    "`{}` is not UTF-8 text (invalid byte at offset {})",
                    f.display(),
                    e.utf8_error().valid_up_to()
                ))),
            },
            Err(e) => io_errors.push(io_error(format!("cannot read `{}`: {e}", f.display()))),
        }
    }
    let file_count = inputs.len();
    let Analyzed {
        sources,
        parsed,
        checked,
        ..
    } = analysis::analyze(inputs, None);
    RuleSource {
        sources,
        parsed,
        checked,
        io_errors,
        file_count,
        project: None,
    }
}

/// Load a rule set from in-memory texts (tests, the language server).
pub fn load_texts<'a>(texts: impl IntoIterator<Item = (&'a str, &'a str)>) -> RuleSource {
    load_named(
        texts
            .into_iter()
            .map(|(name, text)| (name.to_string(), None, text.to_string())),
    )
}

/// Load a rule set from texts shown under names of their own (`HEAD:rules/a.sanc`)
/// and, where given, read from a path that the files they name (lists) are
/// relative to.
pub fn load_named(
    texts: impl IntoIterator<Item = (String, Option<PathBuf>, String)>,
) -> RuleSource {
    let inputs: Vec<Input> = texts
        .into_iter()
        .map(|(name, path, text)| Input { name, path, text })
        .collect();
    let file_count = inputs.len();
    let Analyzed {
        sources,
        parsed,
        checked,
        ..
    } = analysis::analyze(inputs, None);
    RuleSource {
        sources,
        parsed,
        checked,
        io_errors: Vec::new(),
        file_count,
        project: None,
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
