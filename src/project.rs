//! The rule-set project file, `sanc.toml`: it marks the folder it sits in
//! as the root of one rule set and says which paths below it hold the
//! rules, which regimes `sanc eval` uses, and defaults for `sanc eval`.
//!
//! `sanc check`, `sanc eval` and `sanc lsp` find it the same way, walking
//! up from each rule path (a file's folder, or the folder itself) to the
//! first folder that has one, so the command line and the editor always
//! agree on what a rule set is.

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, SourceMap, Span};
use chrono::NaiveDate;
use serde::Deserialize;
use std::path::{Component, Path, PathBuf};

/// The name of the project file.
pub const FILE_NAME: &str = "sanc.toml";

/// A loaded project file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// The project file itself.
    pub file: PathBuf,
    /// The folder it sits in.
    pub root: PathBuf,
    /// The rule files and folders, below `root` (default: `root` itself).
    pub paths: Vec<PathBuf>,
    /// The regimes `sanc eval` evaluates (empty: all of them).
    pub regimes: Vec<String>,
    /// Defaults for `sanc eval`.
    pub eval: EvalDefaults,
}

/// `[eval]`: what `sanc eval` uses when its options do not say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvalDefaults {
    /// `--as-of`.
    pub as_of: Option<NaiveDate>,
    /// `--format`: `human` or `json`.
    pub format: Option<String>,
    /// `--input-format`: `json`, `ndjson` or `csv`.
    pub input_format: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProject {
    #[serde(default)]
    paths: Option<Vec<String>>,
    #[serde(default)]
    regimes: Vec<String>,
    #[serde(default)]
    eval: RawEval,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawEval {
    as_of: Option<toml::value::Datetime>,
    format: Option<String>,
    input_format: Option<String>,
}

/// The project file that governs `start` (a rule file or a folder): the
/// first `sanc.toml` in its folder or one above. Relative paths stay
/// relative (`../sanc.toml` when it is above the current folder).
pub fn find(start: &Path) -> Option<PathBuf> {
    let mut dir = if start.is_dir() {
        start.to_path_buf()
    } else {
        start.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    loop {
        let candidate = if dir.as_os_str().is_empty() {
            PathBuf::from(FILE_NAME)
        } else {
            dir.join(FILE_NAME)
        };
        if candidate.is_file() {
            return Some(candidate);
        }
        let only_up = dir
            .components()
            .all(|c| matches!(c, Component::ParentDir | Component::CurDir));
        if only_up {
            // `""`, `.`, `..`, `../..`: go on above the current folder,
            // up to the file-system root.
            let here = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir.as_path()
            };
            std::fs::canonicalize(here).ok()?.parent()?;
            dir = if dir.as_os_str().is_empty() || dir == Path::new(".") {
                PathBuf::from("..")
            } else {
                dir.join("..")
            };
        } else {
            dir = dir.parent()?.to_path_buf();
        }
    }
}

/// `root` joined with `rel`, without `.` components (`rules/.` is `rules`).
fn join(root: &Path, rel: &Path) -> PathBuf {
    let mut out: PathBuf = root
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect();
    for c in rel.components() {
        if !matches!(c, Component::CurDir) {
            out.push(c);
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// A problem with a project file: the diagnostic, and the file's text in
/// `sources` for it to point into.
#[derive(Debug)]
pub struct ProjectError {
    pub sources: SourceMap,
    pub diagnostic: Diagnostic,
}

impl Project {
    /// Read and check a project file.
    pub fn load(file: &Path) -> Result<Project, ProjectError> {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) => {
                return Err(ProjectError {
                    sources: SourceMap::new(),
                    diagnostic: Diagnostic::error(
                        Code::Project,
                        format!("cannot read `{}`: {e}", file.display()),
                    ),
                })
            }
        };
        Project::parse(file, text)
    }

    /// Check the text of a project file found at `file`.
    pub fn parse(file: &Path, text: String) -> Result<Project, ProjectError> {
        let root = file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let fail = |text: String, span: Option<std::ops::Range<usize>>, message: String| {
            let mut sources = SourceMap::new();
            let name = file.to_string_lossy().replace('\\', "/");
            let name = name.strip_prefix("./").unwrap_or(&name).to_string();
            let len = text.len();
            let id: FileId = sources.add(name, Some(file), text);
            let span = span.unwrap_or(0..0);
            let start = span.start.min(len);
            let end = span.end.clamp(start, len);
            ProjectError {
                sources,
                diagnostic: Diagnostic::error(
                    Code::Project,
                    format!("bad project file: {message}"),
                )
                .with_label(Span::new(id, start, end), "here")
                .with_help(
                    "a sanc.toml has `paths = [\"…\"]`, `regimes = [\"…\"]` and an `[eval]` table with `as-of`, `format` and `input-format`; see docs/projects.md",
                ),
            }
        };
        let raw: RawProject = match toml::from_str(&text) {
            Ok(r) => r,
            Err(e) => {
                let message = e.message().trim_end().to_string();
                return Err(fail(text, e.span(), message));
            }
        };
        let locate = |needle: &str| text.find(needle).map(|start| start..start + needle.len());
        if let Some(f) = &raw.eval.format {
            if !matches!(f.as_str(), "human" | "json") {
                let span = locate(&format!("\"{f}\""));
                return Err(fail(
                    text.clone(),
                    span,
                    format!("`{f}` is not an output format (human or json)"),
                ));
            }
        }
        if let Some(f) = &raw.eval.input_format {
            if !matches!(f.as_str(), "json" | "ndjson" | "csv") {
                let span = locate(&format!("\"{f}\""));
                return Err(fail(
                    text.clone(),
                    span,
                    format!("`{f}` is not an input format (json, ndjson or csv)"),
                ));
            }
        }
        let as_of = match raw.eval.as_of {
            None => None,
            Some(d) => match (d.date, d.time, d.offset) {
                (Some(date), None, None) => {
                    NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into())
                }
                _ => None,
            }
            .map(Some)
            .ok_or_else(|| {
                fail(
                    text.clone(),
                    locate("as-of"),
                    format!("`as-of = {d}` is not a date; write it as `as-of = 2025-01-01`"),
                )
            })?,
        };
        let eval = EvalDefaults {
            as_of,
            format: raw.eval.format,
            input_format: raw.eval.input_format,
        };
        let rels = raw.paths.unwrap_or_else(|| vec![".".into()]);
        let mut paths = Vec::new();
        for rel in &rels {
            let p = Path::new(rel);
            let outside = p.is_absolute() || p.components().any(|c| c == Component::ParentDir);
            if outside {
                let span = locate(&format!("\"{rel}\""));
                return Err(fail(
                    text.clone(),
                    span,
                    format!("`{rel}` is not below the project folder; rule paths are relative to sanc.toml and stay below it"),
                ));
            }
            paths.push(join(&root, p));
        }
        Ok(Project {
            file: file.to_path_buf(),
            root,
            paths,
            regimes: raw.regimes,
            eval,
        })
    }

    /// Whether a rule file or folder is part of this project.
    pub fn contains(&self, path: &Path) -> bool {
        self.paths.iter().any(|p| path.starts_with(p))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    #[test]
    fn paths_are_below_the_project_folder() {
        let p = Project::parse(
            Path::new("rules/sanc.toml"),
            "paths = [\".\", \"un/\"]\nregimes = [\"un_dprk\"]\n[eval]\nas-of = 2025-01-01\nformat = \"json\"\n".into(),
        )
        .unwrap();
        assert_eq!(p.root, Path::new("rules"));
        assert_eq!(p.paths, [PathBuf::from("rules"), PathBuf::from("rules/un")]);
        assert_eq!(p.regimes, ["un_dprk"]);
        assert_eq!(p.eval.as_of, NaiveDate::from_ymd_opt(2025, 1, 1));
        assert!(p.contains(Path::new("rules/un/dprk.sanc")));
        assert!(!p.contains(Path::new("tests/x.sanc")));
        let p = Project::parse(Path::new("sanc.toml"), String::new()).unwrap();
        assert_eq!(p.paths, [PathBuf::from(".")]);
    }

    #[test]
    fn a_bad_project_file_is_located() {
        for (text, at, says) in [
            ("paths = [\"..\"]\n", "\"..\"", "not below"),
            ("path = [\"x\"]\n", "path", "unknown field"),
            (
                "[eval]\nformat = \"xml\"\n",
                "\"xml\"",
                "not an output format",
            ),
            ("[eval]\nas-of = \"yesterday\"\n", "\"yesterday\"", ""),
            ("paths = [\n", "", ""),
        ] {
            let e = Project::parse(Path::new("sanc.toml"), text.into()).unwrap_err();
            let span = e.diagnostic.primary_span().unwrap();
            if !at.is_empty() {
                assert_eq!(&text[span.start..span.end], at, "{text}");
            }
            assert!(
                e.diagnostic.message.contains(says),
                "{}",
                e.diagnostic.message
            );
        }
    }
}
