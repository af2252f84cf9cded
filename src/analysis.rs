//! The one way from rule texts to a checked rule set, shared by the
//! command line (`sanc check`, `sanc eval`) and the language server:
//! texts → source map → parsed files → checked rule set. Handing the
//! previous analysis back lets a caller that checks the same rule set again
//! (the server, after each burst of edits) re-parse only the files whose
//! content changed.

use crate::check::{self, Checked};
use crate::source::{FileId, SourceFile, SourceMap};
use crate::syntax::{self, Parsed};
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
    /// What checking each file's rules found, for the next analysis.
    memo: check::Memo,
}

/// Parse and check `inputs` as one rule set. With the `previous` analysis
/// of the same rule set, the work is incremental:
///
/// - a file whose text, name and place did not change is not parsed again
///   (a parse's spans carry its `FileId`, so a file must keep its place);
/// - a file that changed, at the same place under the same name, is parsed
///   again around the edit only ([`syntax::reparse`]);
/// - the rules of unchanged files are not checked again while the
///   declarations they refer to did not change ([`check::check_again`]).
///
/// The result is the one a fresh analysis gives (tested on random edits).
pub fn analyze(inputs: Vec<Input>, previous: Option<Analyzed>) -> Analyzed {
    let mut old: Vec<Option<(Parsed, SourceFile)>> = Vec::new();
    let mut memo = check::Memo::default();
    let mut old_checked = None;
    if let Some(prev) = previous {
        memo = prev.memo;
        old_checked = Some(prev.checked);
        old = prev
            .parsed
            .into_iter()
            .zip(prev.sources.into_files())
            .map(Some)
            .collect();
    }
    let mut sources = SourceMap::new();
    let mut parsed = Vec::with_capacity(inputs.len());
    let mut unchanged = Vec::with_capacity(inputs.len());
    let mut garbage = Vec::new();
    for (i, input) in inputs.into_iter().enumerate() {
        let id = FileId(i as u32);
        let same_file = |f: &SourceFile| f.name == input.name && f.path == input.path;
        let (parse, same) = match old.get_mut(i).and_then(Option::take) {
            Some((p, f)) if same_file(&f) && *f.text == input.text => {
                sources.push(f);
                parsed.push(p);
                unchanged.push(true);
                continue;
            }
            Some((p, f)) if same_file(&f) => {
                let p = syntax::reparse(id, &f.text, p, &input.text);
                garbage.push(f);
                (p, false)
            }
            _ => (syntax::parse(id, &input.text), false),
        };
        sources.add(input.name, input.path.as_deref(), input.text);
        parsed.push(parse);
        unchanged.push(same);
    }
    let (checked, memo) = check::check_again(&parsed, &unchanged, memo, old_checked.as_mut());
    // What is left of the previous analysis is freed on another thread: a
    // large rule set takes milliseconds to free, and the editor waits for
    // the diagnostics, not for that.
    if old_checked.is_some() || !old.is_empty() {
        let _ = std::thread::Builder::new()
            .name("sanc-free".into())
            .spawn(move || drop((old, old_checked, garbage)));
    }
    Analyzed {
        sources,
        parsed,
        checked,
        memo,
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
    }

    fn whole(a: &Analyzed) -> String {
        format!(
            "{:#?}\n{:#?}\n{:#?}",
            a.checked.diagnostics,
            a.checked.rules,
            a.parsed.iter().map(|p| &p.ast).collect::<Vec<_>>()
        )
    }

    /// Incremental analysis (re-parsing around the edit, reusing the rules
    /// of unchanged files) gives exactly what a fresh analysis gives, over
    /// random edits to the shipped rule set: edits to rules, to
    /// declarations other files' rules use, ones that break statements or
    /// make names unknown, duplicate or unused.
    #[test]
    fn incremental_analysis_equals_a_fresh_one_after_random_edits() {
        let mut files: Vec<(String, String)> = [
            (
                "common/commodities.sanc",
                include_str!("../rules/common/commodities.sanc"),
            ),
            (
                "common/conversions.sanc",
                include_str!("../rules/common/conversions.sanc"),
            ),
            (
                "common/exemptions.sanc",
                include_str!("../rules/common/exemptions.sanc"),
            ),
            (
                "common/parties.sanc",
                include_str!("../rules/common/parties.sanc"),
            ),
            (
                "eu/russia_oil.sanc",
                include_str!("../rules/eu/russia_oil.sanc"),
            ),
            (
                "un/dprk_goods.sanc",
                include_str!("../rules/un/dprk_goods.sanc"),
            ),
            (
                "un/dprk_petroleum.sanc",
                include_str!("../rules/un/dprk_petroleum.sanc"),
            ),
        ]
        .into_iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
        let pieces = [
            "\n",
            "ban ",
            "cap ",
            "x",
            "0",
            "\"",
            "# c\n",
            "## doc\n",
            " to PRK",
            " to DPRK",
            "commodity coal2 = hs 2701 measured in t\n",
            "party DPRK2 = PRK\n",
            "petroleum",
            "exemption humanitarian \"h\"\n",
            " under crude_oil",
            "convert coal 1 t = 5 bbl\n",
            "group g = [PRK, RUS]\n",
            "ban arms to g\n",
            "cap coal to PRK 5 bbl per year\n",
            " except exemption humanitarian",
            "c1: ",
            "regime r\n",
            " measured in bbl",
        ];
        let inputs = |files: &[(String, String)]| -> Vec<Input> {
            files
                .iter()
                .map(|(n, t)| Input {
                    name: n.clone(),
                    path: None,
                    text: t.clone(),
                })
                .collect()
        };
        let mut seed: u64 = 0x1234_5678;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % n.max(1)
        };
        let mut a = analyze(inputs(&files), None);
        let mut reused_rules = 0;
        for edit in 0..150 {
            let f = next(files.len());
            let text = &mut files[f].1;
            let mut at = next(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let mut end = (at + next(10)).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let insert = if next(4) == 0 {
                ""
            } else {
                pieces[next(pieces.len())]
            };
            text.replace_range(at..end, insert);
            let env = a.memo.env_for_test();
            a = analyze(inputs(&files), Some(a));
            let fresh = analyze(inputs(&files), None);
            if a.memo.env_for_test() == env {
                reused_rules += 1;
            }
            assert!(
                whole(&a) == whole(&fresh),
                "edit {edit}: {at}..{end} of {} replaced with {insert:?}",
                files[f].0
            );
        }
        // Most edits leave the declarations alone: the other files' rules
        // were reused.
        assert!(reused_rules > 30, "{reused_rules}");
    }
}
