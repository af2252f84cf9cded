//! The language server's picture of the rule sets: every `.sanc` file of
//! each workspace folder (one namespace per folder), with the editor's
//! unsaved text in place of the file's, parsed and checked by the same
//! code as `sanc check`.

use crate::check::{self, Checked};
use crate::loader;
use crate::source::{FileId, SourceMap};
use crate::syntax::{self, Parsed};
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// One file the server knows: its text, and whether an editor has it open.
#[derive(Debug, Clone)]
struct Doc {
    text: String,
    open: bool,
}

/// One checked rule set.
#[derive(Debug)]
pub struct Analysis {
    pub sources: SourceMap,
    pub parsed: Vec<Parsed>,
    pub checked: Checked,
    /// The path of each file, by `FileId`.
    pub paths: Vec<PathBuf>,
    /// Text hash of each parsed file, to reuse parses of unchanged files.
    hashes: Vec<u64>,
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
    sets: HashMap<PathBuf, Analysis>,
    /// Whether closed and changed files are read from disk (not when the
    /// server runs on in-memory input).
    pub read_disk: bool,
}

fn text_hash(text: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
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
                    ws.docs.insert(f, Doc { text, open: false });
                }
            }
        }
        ws
    }

    /// The rule set a file belongs to: its workspace folder, or itself.
    pub fn set_of(&self, path: &Path) -> PathBuf {
        self.roots
            .iter()
            .filter(|r| path.starts_with(r))
            .max_by_key(|r| r.components().count())
            .cloned()
            .unwrap_or_else(|| path.to_path_buf())
    }

    /// The editor opened or changed a file.
    pub fn set_text(&mut self, path: &Path, text: String) {
        self.docs
            .insert(path.to_path_buf(), Doc { text, open: true });
    }

    /// The editor closed a file: from now on the file on disk counts.
    pub fn close(&mut self, path: &Path) {
        match self.read(path) {
            Ok(text) if path.starts_with(self.set_of(path)) && self.set_of(path) != path => {
                self.docs
                    .insert(path.to_path_buf(), Doc { text, open: false });
            }
            _ => {
                self.docs.remove(path);
            }
        }
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
        let in_root = self.roots.iter().any(|r| path.starts_with(r));
        if !known && !in_root {
            return false;
        }
        let is_rules = path.extension().is_some_and(|e| e == "sanc");
        match self.read(path) {
            Ok(text) if is_rules => {
                self.docs
                    .insert(path.to_path_buf(), Doc { text, open: false });
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
            .keys()
            .filter(|p| self.set_of(p) == set)
            .cloned()
            .collect()
    }

    /// Parse (reusing unchanged files) and check a rule set again.
    pub fn recheck(&mut self, set: &Path) -> &Analysis {
        let members = self.members(set);
        let old = self.sets.remove(set);
        let mut sources = SourceMap::new();
        let mut parsed = Vec::with_capacity(members.len());
        let mut hashes = Vec::with_capacity(members.len());
        let mut reusable: HashMap<(PathBuf, u64, u32), Parsed> = HashMap::new();
        if let Some(old) = old {
            for ((p, h), (i, parse)) in old
                .paths
                .into_iter()
                .zip(old.hashes)
                .zip(old.parsed.into_iter().enumerate())
            {
                reusable.insert((p, h, i as u32), parse);
            }
        }
        for (i, path) in members.iter().enumerate() {
            let text = self
                .docs
                .get(path)
                .map(|d| d.text.clone())
                .unwrap_or_default();
            let hash = text_hash(&text);
            let id = FileId(i as u32);
            let parse = reusable
                .remove(&(path.clone(), hash, i as u32))
                .unwrap_or_else(|| syntax::parse(id, &text));
            let name = path.to_string_lossy().into_owned();
            sources.add(name, Some(path), text);
            parsed.push(parse);
            hashes.push(hash);
        }
        let checked = check::check(&parsed);
        self.sets.insert(
            set.to_path_buf(),
            Analysis {
                sources,
                parsed,
                checked,
                paths: members,
                hashes,
            },
        );
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
