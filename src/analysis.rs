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
    if let Some(prev) = previous {
        reusable.extend(prev.keys.into_iter().zip(prev.parsed));
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
    let checked = check::check(&parsed);
    Analyzed {
        sources,
        parsed,
        checked,
        keys,
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
