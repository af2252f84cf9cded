//! The one way from rule texts to a checked rule set, shared by the
//! command line (`sanc check`, `sanc eval`) and the language server:
//! texts → source map → parsed files → checked rule set. Handing the
//! previous analysis back lets a caller that checks the same rule set again
//! (the server, after each burst of edits) re-parse only the files whose
//! content changed.

use crate::check::{self, Checked};
use crate::source::{FileId, SourceMap};
use crate::syntax::{self, Parsed};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;

/// One rule file to analyse.
#[derive(Debug, Clone)]
pub struct Input {
    /// The name diagnostics show.
    pub name: String,
    pub path: Option<PathBuf>,
    pub text: String,
}

/// A checked rule set and what it was made from.
#[derive(Debug)]
pub struct Analyzed {
    pub sources: SourceMap,
    /// One per input, in input order (`FileId(i)` is input `i`).
    pub parsed: Vec<Parsed>,
    pub checked: Checked,
    /// Content key of each parsed file, for reuse by the next analysis.
    keys: Vec<(u64, usize, u32)>,
    /// Lists read, for reuse while their files do not change.
    lists: Vec<CachedList>,
}

/// A list as read from a file, with what identifies that reading.
#[derive(Debug, Clone)]
struct CachedList {
    file: PathBuf,
    spec: crate::lists::Spec,
    name: String,
    stamp: Option<(std::time::SystemTime, u64)>,
    list: std::sync::Arc<crate::lists::List>,
    problems: Vec<crate::lists::LoadProblem>,
    text: std::sync::Arc<String>,
}

fn stamp(file: &std::path::Path) -> Option<(std::time::SystemTime, u64)> {
    let m = std::fs::metadata(file).ok()?;
    Some((m.modified().ok()?, m.len()))
}

/// Read every list the rule set declares, relative to the file that
/// declares it (or to the working directory, for rule texts without a
/// file). A file that cannot be read is an error of the rule set; problems
/// inside one are warnings that point into it, and never stop the check.
fn load_lists(
    checked: &mut Checked,
    sources: &mut SourceMap,
    previous: Vec<CachedList>,
) -> Vec<CachedList> {
    use crate::diagnostic::{Code, Diagnostic};
    let mut cache = Vec::new();
    let names: Vec<String> = checked.rules.lists.keys().cloned().collect();
    for name in names {
        let Some(decl) = checked.rules.lists.get(&name).cloned() else {
            continue;
        };
        let base = sources
            .try_get(decl.span.file)
            .and_then(|f| f.path.as_ref())
            .and_then(|p| p.parent())
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
        let file = base.join(&decl.spec.path);
        let now = stamp(&file);
        let reused = previous.iter().find(|c| {
            c.file == file
                && c.spec == decl.spec
                && c.name == name
                && now.is_some()
                && c.stamp == now
        });
        let entry = match reused {
            Some(c) => c.clone(),
            None => match crate::lists::load(&name, &decl.spec, &file) {
                Ok(l) => CachedList {
                    file: file.clone(),
                    spec: decl.spec.clone(),
                    name: name.clone(),
                    stamp: now,
                    list: std::sync::Arc::new(l.list),
                    problems: l.problems,
                    text: std::sync::Arc::new(l.text),
                },
                Err(why) => {
                    checked.diagnostics.push(
                        Diagnostic::error(Code::ListUnreadable, why)
                            .with_label(decl.path_span, "this list file")
                            .with_help(format!(
                                "the path is relative to the rule file{}; check it, or download the list there",
                                if base.as_os_str().is_empty() { String::new() } else { format!(" (`{}`)", base.display()) }
                            )),
                    );
                    continue;
                }
            },
        };
        if !entry.problems.is_empty() {
            let shown = file.to_string_lossy().replace('\\', "/");
            let id = sources.add(shown, Some(&file), entry.text.as_ref().clone());
            for p in &entry.problems {
                let span = crate::source::Span::new(id, p.offset, p.offset + p.len);
                checked.diagnostics.push(
                    Diagnostic::warning(
                        Code::ListMalformed,
                        format!("list `{name}`: {}", p.message),
                    )
                    .with_label(span, "here")
                    .maybe_help(p.help.clone()),
                );
            }
        }
        if let Some(d) = checked.rules.lists.get_mut(&name) {
            d.data = Some(entry.list.clone());
        }
        cache.push(entry);
    }
    crate::diagnostic::sort(&mut checked.diagnostics);
    cache
}

fn key(text: &str, id: FileId) -> (u64, usize, u32) {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    (h.finish(), text.len(), id.0)
}

/// Parse and check `inputs` as one rule set. With the `previous` analysis
/// of the same rule set, files whose text and place did not change are not
/// parsed again: their parses are moved over (a parse's spans carry its
/// `FileId`, so a file must keep its place for its parse to be reused).
pub fn analyze(inputs: Vec<Input>, previous: Option<Analyzed>) -> Analyzed {
    let mut reusable: HashMap<(u64, usize, u32), Parsed> = HashMap::new();
    let mut previous_lists = Vec::new();
    if let Some(prev) = previous {
        reusable.extend(prev.keys.into_iter().zip(prev.parsed));
        previous_lists = prev.lists;
    }
    let mut sources = SourceMap::new();
    let mut parsed = Vec::with_capacity(inputs.len());
    let mut keys = Vec::with_capacity(inputs.len());
    for (i, input) in inputs.into_iter().enumerate() {
        let id = FileId(i as u32);
        let k = key(&input.text, id);
        let parse = reusable
            .remove(&k)
            .unwrap_or_else(|| syntax::parse(id, &input.text));
        sources.add(input.name, input.path.as_deref(), input.text);
        parsed.push(parse);
        keys.push(k);
    }
    let mut checked = check::check(&parsed);
    let lists = load_lists(&mut checked, &mut sources, previous_lists);
    Analyzed {
        sources,
        parsed,
        checked,
        keys,
        lists,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(b: &str) -> Vec<Input> {
        [("a.sanc", "commodity arms = hs 93\n"), ("b.sanc", b)]
            .into_iter()
            .map(|(n, t)| Input {
                name: n.into(),
                path: None,
                text: t.into(),
            })
            .collect()
    }

    /// Re-analysis with the previous analysis gives what a fresh one gives.
    #[test]
    fn reusing_parses_changes_nothing() {
        let first = analyze(inputs("ban arms to PRK\n"), None);
        assert!(first.checked.diagnostics.is_empty());
        let again = analyze(inputs("ban arms to DRPK\n"), Some(first));
        let fresh = analyze(inputs("ban arms to DRPK\n"), None);
        assert_eq!(again.checked.diagnostics, fresh.checked.diagnostics);
        assert_eq!(again.checked.diagnostics.len(), 1);
        assert_eq!(again.keys, fresh.keys);
    }
}
