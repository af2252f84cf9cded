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

/// Parse and check `inputs` as one rule set. With the `previous` analysis
/// of the same rule set, the work is incremental:
///
/// - a file whose text, name and place did not change is not parsed again
///   (a parse's spans carry its `FileId`, so a file must keep its place);
/// - a file that changed, at the same place under the same name, is parsed
///   again around the edit only ([`syntax::reparse`]);
/// - the rules whose text did not change are not checked again while the
///   declarations they refer to did not change, and the declarations are
///   not checked again while none of them changed ([`check::check_again`]).
///
/// The result is the one a fresh analysis gives (tested on random edits).
pub fn analyze(inputs: Vec<Input>, previous: Option<Analyzed>) -> Analyzed {
    let mut old: Vec<Option<(Parsed, SourceFile)>> = Vec::new();
    let mut memo = check::Memo::default();
    let mut old_checked = None;
    let mut previous_lists = Vec::new();
    if let Some(prev) = previous {
        memo = prev.memo;
        previous_lists = prev.lists;
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
    let texts: Vec<&str> = sources.files().map(|(_, f)| f.text.as_str()).collect();
    let (mut checked, memo) =
        check::check_again(&parsed, &texts, &unchanged, memo, old_checked.as_mut());
    drop(texts);
    // What is left of the previous analysis is freed on another thread: a
    // large rule set takes milliseconds to free, and the editor waits for
    // the diagnostics, not for that.
    if old_checked.is_some() || !old.is_empty() {
        let _ = std::thread::Builder::new()
            .name("sanc-free".into())
            .spawn(move || drop((old, old_checked, garbage)));
    }
    let lists = load_lists(&mut checked, &mut sources, previous_lists);
    Analyzed {
        sources,
        parsed,
        checked,
        memo,
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
        let mut reused_declarations = 0;
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
            if a.memo.declarations_reused_for_test() {
                reused_declarations += 1;
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
        // Edits that leave every declaration's text alone (wherever it
        // moved) reuse the declarations' check too.
        assert!(reused_declarations > 20, "{reused_declarations}");
        assert!(reused_declarations < 150, "{reused_declarations}");
    }

    /// A large file of rules generated like the recheck bench's, and a
    /// small one using its declarations.
    fn large_rule_set() -> Vec<(String, String)> {
        use std::fmt::Write;
        let mut big = String::from(
            "regime big \"Generated\"\n\ncommodity base = hs 27 measured in t\nconvert base 1 t = 7 bbl\nlist lst = csv \"missing.csv\"\ngroup g = [PRK, RUS]\n\n",
        );
        let countries = ["PRK", "RUS", "CHN", "IRN", "SYR"];
        for n in 0..40 {
            let _ = writeln!(big, "## Goods number {n}.");
            let _ = writeln!(
                big,
                "commodity c{n} \"Commodity {n}\" = hs {} under base",
                2700 + n
            );
            let _ = writeln!(big, "party p{n} = {}", countries[n % 5]);
            let _ = writeln!(big, "ban c{n} from p{n}  cite \"Resolution {n} OP 1\"");
            let _ = writeln!(
                big,
                "cap_{n}:\ncap c{n} to p{n} {} t per year by origin",
                1000 + n
            );
            let _ = writeln!(big, "    warn at 75%, 90%\n    effective 2018-01-01");
            let _ = writeln!(big, "require report of c{n} to p{n} within 30 days\n");
            if n % 5 == 0 {
                let _ = writeln!(big, "ban c{n} to g with any party on lst\n");
            }
            if n % 7 == 0 {
                let _ = writeln!(big, "cap c{n} to p{n} 5 bbl per year\n");
            }
        }
        let small = "regime small\nban c3 to p3\ncap c4 to g 10 t per year\nban base to p9 with any party on lst\n";
        vec![
            ("big.sanc".into(), big),
            ("small.sanc".into(), small.into()),
        ]
    }

    /// Incremental analysis equals a fresh one over random edits inside one
    /// large file of rules: edits to rules (most of the file's rules are
    /// then reused, not checked again), to declarations that rules in both
    /// files use (a commodity's code, unit or parent, a party's country, a
    /// list's name, a group's members), and edits that break a statement's
    /// parse and repair it.
    #[test]
    fn incremental_analysis_of_edits_inside_a_large_file_equals_a_fresh_one() {
        let mut files = large_rule_set();
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
        // Declarations others use, changed and changed back.
        let toggles = [
            (
                "commodity c5 \"Commodity 5\" = hs 2705",
                "commodity c5 \"Commodity 5\" = hs 2805",
            ),
            ("party p3 = RUS", "party p3 = CHN"),
            ("party p9 = IRN", "party p9x = IRN"),
            ("base = hs 27 measured in t", "base = hs 27 measured in bbl"),
            ("convert base 1 t = 7 bbl", "convert base 1 t = 7 kg"),
            ("list lst = csv", "list lst2 = csv"),
            ("group g = [PRK, RUS]", "group g = [PRK, XXX]"),
            ("hs 2712 under base", "hs 2712"),
            ("cap_4:", "cap_5:"),
            ("regime big", "regime bigger"),
            ("ban c7 from p7", "ban c7 from p77"),
            ("1010 t per year", "1010 kg per year"),
        ];
        let pieces = [
            "\n", "x", "0", "\"", "# c\n", "## doc\n", " to PRK", "ban ", "cap ", "c1: ",
        ];
        let mut seed: u64 = 0x9e37_79b9;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % n.max(1)
        };
        let mut a = analyze(inputs(&files), None);
        let (mut reused, mut rules, mut declarations) = (0, 0, 0);
        // A quote inserted to break a statement, removed by the next edit.
        let mut broken: Option<usize> = None;
        for edit in 0..80 {
            let text = &mut files[0].1;
            let what = match broken.take() {
                Some(at) => {
                    text.remove(at);
                    format!("repaired at {at}")
                }
                None => match next(3) {
                    0 => {
                        let (x, y) = toggles[next(toggles.len())];
                        if text.contains(x) {
                            *text = text.replacen(x, y, 1);
                        } else {
                            *text = text.replacen(y, x, 1);
                        }
                        format!("toggled {x:?}")
                    }
                    1 => {
                        let at = next(text.len());
                        let at = text[..at].rfind('\n').map_or(0, |i| i + 1);
                        text.insert(at, '"');
                        broken = Some(at);
                        format!("broken at {at}")
                    }
                    _ => {
                        let at = next(text.len() + 1);
                        let end = (at + next(8)).min(text.len());
                        let insert = if next(4) == 0 {
                            ""
                        } else {
                            pieces[next(pieces.len())]
                        };
                        text.replace_range(at..end, insert);
                        format!("{at}..{end} replaced with {insert:?}")
                    }
                },
            };
            a = analyze(inputs(&files), Some(a));
            let fresh = analyze(inputs(&files), None);
            reused += a.memo.reused_for_test();
            declarations += usize::from(a.memo.declarations_reused_for_test());
            rules += fresh.parsed[0]
                .ast
                .items
                .iter()
                .filter(|i| matches!(i.kind, crate::syntax::ast::ItemKind::Rule(_)))
                .count();
            assert!(whole(&a) == whole(&fresh), "edit {edit}: {what}");
        }
        // Most edits change one rule: the others were reused.
        assert!(reused * 2 > rules, "{reused} of {rules}");
        // Edits to rules only (a fifth of them) leave the declarations'
        // check to be taken over, moved.
        assert!((8..80).contains(&declarations), "{declarations}");
    }
}
