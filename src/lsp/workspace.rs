//! The language server's picture of the rule sets. A file belongs to the
//! rule set of its project (the nearest `sanc.toml` above it whose paths
//! hold it, found as `sanc check` finds it), or, outside any project, to
//! its workspace folder (one namespace per folder), or else stands alone.
//! The editor's unsaved text stands in for the file's, and everything is
//! parsed and checked by the same code as `sanc check`.

use crate::analysis::{self, Analyzed, Input};
use crate::diagnostic::Diagnostic;
use crate::loader;
use crate::project::{self, Project, ProjectError};
use crate::source::FileId;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// One file the server knows: its text, and whether an editor has it open.
#[derive(Debug, Clone)]
struct Doc {
    text: String,
    open: bool,
    /// The rule set it belongs to (see [`Workspace::set_of`]).
    set: PathBuf,
}

/// One checked rule set: the shared analysis ([`crate::analysis`]), and
/// the path of each file. It reads as an [`Analyzed`] (`a.sources`,
/// `a.parsed`, `a.checked`).
#[derive(Debug)]
pub struct Analysis {
    analyzed: Analyzed,
    /// The path of each file, by `FileId` (a malformed project file last).
    pub paths: Vec<PathBuf>,
}

impl std::ops::Deref for Analysis {
    type Target = Analyzed;
    fn deref(&self) -> &Analyzed {
        &self.analyzed
    }
}

impl Analysis {
    pub fn file_id(&self, path: &Path) -> Option<FileId> {
        self.paths
            .iter()
            .position(|p| p == path)
            .map(|i| FileId(i as u32))
    }
}

#[derive(Debug, Default)]
pub struct Workspace {
    roots: Vec<PathBuf>,
    docs: BTreeMap<PathBuf, Doc>,
    /// Project files read so far, by path; a malformed one keeps its
    /// diagnostic (published on it) and counts as `paths = ["."]`.
    projects: HashMap<PathBuf, (Project, Option<ProjectError>)>,
    sets: HashMap<PathBuf, Analysis>,
    /// Whether closed and changed files are read from disk (not when the
    /// server runs on in-memory input).
    pub read_disk: bool,
}

impl Workspace {
    /// A workspace over these folders, reading every `.sanc` file in them.
    pub fn new(roots: Vec<PathBuf>) -> Self {
        let mut ws = Workspace {
            roots,
            read_disk: true,
            ..Workspace::default()
        };
        for root in ws.roots.clone() {
            for f in loader::rule_files(&root).files {
                if let Ok(text) = std::fs::read_to_string(&f) {
                    ws.insert(&f, text, false);
                }
            }
        }
        ws
    }

    fn insert(&mut self, path: &Path, text: String, open: bool) {
        let set = self.find_set(path);
        self.docs
            .insert(path.to_path_buf(), Doc { text, open, set });
    }

    /// The project a file belongs to, reading its project file (and every
    /// rule file of the project) the first time.
    fn project_of(&mut self, path: &Path) -> Option<&(Project, Option<ProjectError>)> {
        if !self.read_disk {
            return None;
        }
        let file = project::find(path)?;
        if !self.projects.contains_key(&file) {
            let state = match Project::load(&file) {
                Ok(p) => (p, None),
                Err(e) => {
                    let root = file.parent().map(Path::to_path_buf).unwrap_or_default();
                    let fallback = Project {
                        file: file.clone(),
                        root: root.clone(),
                        paths: vec![root],
                        regimes: Vec::new(),
                        eval: Default::default(),
                    };
                    (fallback, Some(e))
                }
            };
            let members: Vec<PathBuf> = state
                .0
                .paths
                .iter()
                .flat_map(|p| loader::rule_files(p).files)
                .collect();
            self.projects.insert(file.clone(), state);
            for f in members {
                if !self.docs.contains_key(&f) {
                    if let Ok(text) = std::fs::read_to_string(&f) {
                        let set = self.find_set(&f);
                        self.docs.insert(
                            f,
                            Doc {
                                text,
                                open: false,
                                set,
                            },
                        );
                    }
                }
            }
        }
        self.projects.get(&file).filter(|(p, _)| p.contains(path))
    }

    /// The innermost workspace folder holding `path`, else the file itself.
    fn folder_of(&self, path: &Path) -> PathBuf {
        self.roots
            .iter()
            .filter(|r| path.starts_with(r))
            .max_by_key(|r| r.components().count())
            .cloned()
            .unwrap_or_else(|| path.to_path_buf())
    }

    fn find_set(&mut self, path: &Path) -> PathBuf {
        if let Some((p, _)) = self.project_of(path) {
            return p.root.clone();
        }
        self.folder_of(path)
    }

    /// The rule set a file belongs to, named by its root: its project's
    /// folder, else its workspace folder, else the file itself.
    pub fn set_of(&self, path: &Path) -> PathBuf {
        if let Some(d) = self.docs.get(path) {
            return d.set.clone();
        }
        let project = self
            .projects
            .values()
            .filter(|(p, _)| p.contains(path))
            .max_by_key(|(p, _)| p.root.components().count());
        if let Some((p, _)) = project {
            return p.root.clone();
        }
        self.folder_of(path)
    }

    /// The editor opened or changed a file.
    pub fn set_text(&mut self, path: &Path, text: String) {
        match self.docs.get_mut(path) {
            Some(d) => {
                d.text = text;
                d.open = true;
            }
            None => self.insert(path, text, true),
        }
    }

    /// The editor closed a file: from now on the file on disk counts.
    pub fn close(&mut self, path: &Path) {
        let set = self.set_of(path);
        match self.read(path) {
            Ok(text) if set != path => {
                if let Some(d) = self.docs.get_mut(path) {
                    d.text = text;
                    d.open = false;
                }
            }
            _ => {
                self.docs.remove(path);
            }
        }
    }

    /// A project file was created, changed or deleted: every file's rule
    /// set is found again. Returns the files whose diagnostics may change.
    pub fn reload_projects(&mut self) -> Vec<PathBuf> {
        self.projects.clear();
        let paths: Vec<PathBuf> = self.docs.keys().cloned().collect();
        for p in &paths {
            let set = self.find_set(p);
            if let Some(d) = self.docs.get_mut(p) {
                d.set = set;
            }
        }
        self.docs.keys().cloned().collect()
    }

    /// A file changed on disk (or was created or deleted): read it again.
    /// Open files keep the editor's text; files outside every workspace
    /// folder that the server does not know are ignored. `true` if the
    /// file is part of a rule set the server knows.
    pub fn reload(&mut self, path: &Path) -> bool {
        if self.docs.get(path).is_some_and(|d| d.open) {
            return false;
        }
        let known = self.docs.contains_key(path);
        let in_root = self.roots.iter().any(|r| path.starts_with(r))
            || self.projects.values().any(|(p, _)| p.contains(path));
        if !known && !in_root {
            return false;
        }
        let is_rules = path.extension().is_some_and(|e| e == "sanc");
        match self.read(path) {
            Ok(text) if is_rules => {
                self.insert(path, text, false);
                true
            }
            _ => self.docs.remove(path).is_some(),
        }
    }

    /// The text of a file, leaving it empty (to be edited and set again).
    pub fn take_text(&mut self, path: &Path) -> String {
        self.docs
            .get_mut(path)
            .map(|d| std::mem::take(&mut d.text))
            .unwrap_or_default()
    }

    fn read(&self, path: &Path) -> std::io::Result<String> {
        if !self.read_disk {
            return Err(std::io::ErrorKind::Unsupported.into());
        }
        std::fs::read_to_string(path)
    }

    pub fn text(&self, path: &Path) -> Option<&str> {
        self.docs.get(path).map(|d| d.text.as_str())
    }

    /// The files of a rule set, in path order.
    pub fn members(&self, set: &Path) -> Vec<PathBuf> {
        self.docs
            .iter()
            .filter(|(_, d)| d.set == set)
            .map(|(p, _)| p.clone())
            .collect()
    }

    /// The problem with the project file of a rule set, if it has one.
    fn project_error(&self, set: &Path) -> Option<&ProjectError> {
        self.projects
            .values()
            .find(|(p, _)| p.root == set)
            .and_then(|(_, e)| e.as_ref())
    }

    /// Parse (reusing unchanged files) and check a rule set again.
    pub fn recheck(&mut self, set: &Path) -> &Analysis {
        let members = self.members(set);
        let previous = self.sets.remove(set).map(|a| a.analyzed);
        let inputs: Vec<Input> = members
            .iter()
            .map(|path| Input {
                name: path.to_string_lossy().into_owned(),
                path: Some(path.clone()),
                text: self
                    .docs
                    .get(path)
                    .map(|d| d.text.clone())
                    .unwrap_or_default(),
            })
            .collect();
        let mut analyzed = analysis::analyze(inputs, previous);
        let mut paths = members;
        // Designation list files with problems follow the rule files.
        let listed: Vec<PathBuf> = analyzed
            .sources
            .files()
            .skip(paths.len())
            .map(|(_, f)| f.path.clone().unwrap_or_default())
            .collect();
        paths.extend(listed);
        // A malformed project file: its diagnostic, on it.
        if let Some(e) = self.project_error(set) {
            if let Some((_, f)) = e.sources.files().next() {
                let id = analyzed.sources.add(
                    f.name.clone(),
                    f.path.as_deref(),
                    f.text.as_str().to_string(),
                );
                let mut d: Diagnostic = e.diagnostic.clone();
                for l in &mut d.labels {
                    l.span.file = id;
                }
                analyzed.checked.diagnostics.push(d);
                paths.extend(f.path.clone());
            }
        }
        self.sets
            .insert(set.to_path_buf(), Analysis { analyzed, paths });
        // Just inserted above.
        &self.sets[set]
    }

    /// The analysis of a set, checking it first if it has none yet.
    pub fn analysis(&mut self, set: &Path) -> &Analysis {
        if !self.sets.contains_key(set) {
            return self.recheck(set);
        }
        &self.sets[set]
    }
}
