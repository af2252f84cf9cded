//! Static semantics: names, units, dates and lints → diagnostics, and the
//! checked [`RuleSet`] the evaluator consumes.
//!
//! The checker keeps going after errors (every statement that parsed is
//! checked), so an editor sees all problems at once.

mod declarations;
mod lints;
mod rules;

use crate::diagnostic::{self, Diagnostic};
use crate::model::RuleSet;
use crate::source::{FileId, Span};
use crate::syntax::{ast, Parsed};
use std::collections::{BTreeMap, BTreeSet};

/// The result of checking a rule set: the model and every diagnostic.
#[derive(Debug, Clone)]
pub struct Checked {
    pub rules: RuleSet,
    pub diagnostics: Vec<Diagnostic>,
}

impl Checked {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Check parsed files as one rule set (one namespace). Parse diagnostics are
/// included in the result, sorted by place.
pub fn check(files: &[Parsed]) -> Checked {
    check_again(files, &[], &[], Memo::default(), None).0
}

/// What a check found for each file's rules, kept so that the next check of
/// the same rule set ([`check_again`]) does not check them again.
#[derive(Debug, Default)]
pub struct Memo {
    /// Fingerprint of what the rules were checked against (the
    /// declarations, without their places).
    env: u64,
    files: Vec<Option<FileRules>>,
    /// References made by declarations, ahead of the rules' in the list.
    declaration_refs: usize,
    /// How many rule items this check took from the previous one (read by
    /// tests).
    #[cfg_attr(not(test), allow(dead_code))]
    reused: usize,
    /// Emptied lists of rules and references, kept for their memory: the
    /// next check fills them instead of growing new ones.
    spare_rules: Vec<crate::model::Rule>,
    spare_references: Vec<crate::model::Reference>,
    /// What checking the declarations found, for the next check to reuse
    /// while no declaration changes.
    decls: Option<DeclMemo>,
    /// Whether this check took the declarations over from the previous
    /// one (read by tests).
    #[cfg_attr(not(test), allow(dead_code))]
    declarations_reused: bool,
}

/// The declarations' part of a check (everything before the rules are
/// checked), kept so that the next check takes it over, its places moved,
/// when every file's declarations (every statement that is not a rule) are
/// the same text in the same order.
#[derive(Debug)]
struct DeclMemo {
    files: Vec<DeclFile>,
    /// What checking the declarations reported.
    diags: Vec<Diagnostic>,
    /// The names used once the declarations were checked.
    used: foldhash::HashSet<String>,
    broken: BTreeSet<String>,
    regimes: BTreeMap<FileId, (String, Span)>,
}

/// A file's declarations: a key for each statement that is not a rule
/// (its text and doc comment) with its place, and a hash of the names and
/// words of the file's statements that did not parse.
#[derive(Debug, Clone, PartialEq)]
struct DeclFile {
    items: Vec<(u64, usize, usize)>,
    words: u64,
}

impl DeclFile {
    fn of(parsed: &Parsed, text: &str) -> DeclFile {
        use std::hash::{BuildHasher, Hash, Hasher};
        let items = parsed
            .ast
            .items
            .iter()
            .filter(|i| !matches!(i.kind, ast::ItemKind::Rule(_)))
            .map(|i| (rules::item_key(text, i, None), i.span.start, i.span.end))
            .collect();
        let mut h = foldhash::quality::FixedState::default().build_hasher();
        parsed.broken_names.hash(&mut h);
        parsed.unparsed_words.hash(&mut h);
        DeclFile {
            items,
            words: h.finish(),
        }
    }
}

/// How the places of one file's declarations moved: for each, its old
/// start and end and how far it moved.
type Moves = Vec<(usize, usize, isize)>;

/// Move a span of a reused declaration (`moves` by file; `None`: the file
/// did not change). `false` if it lies in no declaration of its file.
fn move_span(s: &mut Span, moves: &[Option<Moves>]) -> bool {
    let Some(Some(m)) = moves.get(s.file.0 as usize) else {
        return true;
    };
    let i = m.partition_point(|&(start, _, _)| start <= s.start);
    match i.checked_sub(1).and_then(|i| m.get(i)) {
        Some(&(start, end, by)) if s.start >= start && s.end <= end => {
            s.start = s.start.saturating_add_signed(by);
            s.end = s.end.saturating_add_signed(by);
            true
        }
        _ => false,
    }
}

#[cfg(test)]
impl Memo {
    pub(crate) fn env_for_test(&self) -> u64 {
        self.env
    }

    pub(crate) fn reused_for_test(&self) -> usize {
        self.reused
    }

    pub(crate) fn declarations_reused_for_test(&self) -> bool {
        self.declarations_reused
    }
}

/// The rules of one file, checked: what checking each rule item added to
/// the rule set, in order.
#[derive(Debug, Default)]
struct FileRules {
    items: Vec<ItemRules>,
}

/// What checking one rule item (one statement) added to the rule set. It
/// is reused by the next check, moved to the item's new place, when the
/// declarations did not change and the item's text, doc comment and
/// regime are the same ([`ItemRules::key`]), wherever it now is in its
/// file.
#[derive(Debug)]
struct ItemRules {
    /// A hash of the item's text, its doc comment and its file's regime.
    key: u64,
    /// Where the item began when it was checked.
    start: usize,
    /// The rule, if it checked.
    rule: Option<LoweredRule>,
    diagnostics: Vec<Diagnostic>,
    /// How many references to declarations it made (they are in the rule
    /// set's list, which the next check takes them from).
    references: usize,
    /// Names it uses (declarations that are not unused).
    used: Vec<String>,
    /// Every place it holds lies inside the item: it can be moved. (A
    /// diagnostic that points at a declaration elsewhere is not reused.)
    local: bool,
}

/// One rule that checked (id, regime and doc set). It is in the rule set's
/// list of rules (which the next check takes it from), unless an earlier
/// rule has its id.
#[derive(Debug)]
struct LoweredRule {
    /// The rule, when an earlier rule has its id (and it is not in the
    /// rule set).
    loser: Option<Box<crate::model::Rule>>,
    /// Where a second rule with its id is reported.
    at: Span,
    labelled: bool,
    /// Index of its statement among the file's items.
    item: usize,
}

/// Check parsed files as [`check`] does, reusing from `memo` (what checking
/// the same rule set last time found) the checked rules of every rule
/// statement whose text, doc comment and regime did not change (in a
/// changed file too, wherever the statement moved), when the declarations
/// they were checked against did not change. `texts` are the files' texts
/// (`unchanged` marks the files whose text and parse are the previous
/// check's). The declarations' check is taken over from the previous one
/// (`DeclMemo`, its places moved) while every file's declarations keep
/// their text and order; duplicate rule ids and lints are checked again
/// every time. The result is the one [`check`] gives (a test compares them
/// over random edits). `previous` is what that check gave: its rules and
/// references are taken from it, not copied.
pub fn check_again(
    files: &[Parsed],
    texts: &[&str],
    unchanged: &[bool],
    mut memo: Memo,
    previous: Option<&mut Checked>,
) -> (Checked, Memo) {
    // Each file's declarations, and whether (and how far) they moved
    // since the previous check; `None` if they changed.
    let keep = !texts.is_empty() && texts.len() == files.len();
    let mut old_decls = memo.decls.take();
    let mut decl_files = Vec::new();
    let mut moves: Option<Vec<Option<Moves>>> = old_decls
        .as_ref()
        .filter(|d| keep && previous.is_some() && d.files.len() == files.len())
        .map(|_| Vec::with_capacity(files.len()));
    if keep {
        let mut old_files = old_decls
            .as_mut()
            .map(|d| std::mem::take(&mut d.files))
            .unwrap_or_default();
        for (i, (f, t)) in files.iter().zip(texts).enumerate() {
            let old = old_files.get_mut(i);
            if unchanged.get(i) == Some(&true) {
                if let Some(old) = old {
                    decl_files.push(std::mem::replace(
                        old,
                        DeclFile {
                            items: Vec::new(),
                            words: 0,
                        },
                    ));
                    if let Some(m) = &mut moves {
                        m.push(None);
                    }
                    continue;
                }
            }
            let new = DeclFile::of(f, t);
            let moved = old.filter(|o| {
                o.words == new.words
                    && o.items.len() == new.items.len()
                    && o.items.iter().zip(&new.items).all(|(a, b)| a.0 == b.0)
            });
            match (moved, &mut moves) {
                (Some(o), Some(m)) => m.push(Some(
                    o.items
                        .iter()
                        .zip(&new.items)
                        .map(|(a, b)| (a.1, a.2, b.1 as isize - a.1 as isize))
                        .collect(),
                )),
                _ => moves = None,
            }
            decl_files.push(new);
        }
    }
    let (mut rules, mut references, mut skip_refs) = (Vec::new(), Vec::new(), 0);
    let mut reused = None;
    if let Some(p) = previous {
        rules = std::mem::take(&mut p.rules.rules);
        references = std::mem::take(&mut p.rules.references);
        skip_refs = memo.declaration_refs.min(references.len());
        if let (Some(moves), Some(dm)) = (&moves, old_decls.take()) {
            let rest = references.split_off(skip_refs);
            let declared = std::mem::replace(&mut references, rest);
            skip_refs = 0;
            reused = take_declarations(&mut p.rules, dm, declared, moves);
        }
    }
    let mut cx = Checker {
        files,
        texts,
        broken: BTreeSet::new(),
        diags: files
            .iter()
            .flat_map(|f| f.diagnostics.iter().cloned())
            .collect(),
        model: RuleSet::default(),
        used: Used::default(),
        regimes: BTreeMap::new(),
        children: Vec::new(),
        reused: 0,
    };
    let declarations_reused = reused.is_some();
    let env = match reused {
        Some((model, dm)) => {
            cx.model = model;
            cx.diags.extend(dm.diags.iter().cloned());
            cx.used.names = dm.used.clone();
            cx.broken = dm.broken.clone();
            cx.regimes = dm.regimes.clone();
            old_decls = Some(DeclMemo {
                files: decl_files,
                ..dm
            });
            Some(memo.env)
        }
        None => {
            cx.model.references = std::mem::take(&mut memo.spare_references);
            cx.model.references.clear();
            cx.broken = files
                .iter()
                .flat_map(|f| f.broken_names.iter().cloned())
                .collect();
            cx.used.names = files
                .iter()
                .flat_map(|f| f.unparsed_words.iter().cloned())
                .collect();
            let parse_diags = cx.diags.len();
            cx.declare();
            cx.resolve_declarations();
            cx.resolve_lists();
            old_decls = keep.then(|| DeclMemo {
                files: decl_files,
                diags: cx.diags[parse_diags..].to_vec(),
                used: cx.used.names.clone(),
                broken: cx.broken.clone(),
                regimes: cx.regimes.clone(),
            });
            None
        }
    };
    cx.children = cx.model.children_index();
    let mut memo = cx.lower_rules(memo, env, unchanged, rules, references, skip_refs);
    memo.decls = old_decls;
    memo.declarations_reused = declarations_reused;
    cx.lint();
    let mut diagnostics = cx.diags;
    diagnostic::sort(&mut diagnostics);
    diagnostics.dedup();
    (
        Checked {
            rules: cx.model,
            diagnostics,
        },
        memo,
    )
}

/// The previous check's declarations (and the references they made),
/// moved to where they now are, with what checking them reported; `None`
/// (and nothing taken) if some place lies outside every declaration.
fn take_declarations(
    old: &mut RuleSet,
    mut dm: DeclMemo,
    mut declared: Vec<crate::model::Reference>,
    moves: &[Option<Moves>],
) -> Option<(RuleSet, DeclMemo)> {
    let mut ok = true;
    let mut mv = |s: &mut Span| ok &= move_span(s, moves);
    for d in &mut dm.diags {
        for l in &mut d.labels {
            mv(&mut l.span);
        }
    }
    for (_, s) in dm.regimes.values_mut() {
        mv(s);
    }
    for r in &mut declared {
        mv(&mut r.span);
    }
    for d in old.declarations.values_mut() {
        mv(&mut d.name_span);
        mv(&mut d.span);
    }
    for c in &mut old.commodities {
        mv(&mut c.span);
        for s in &mut c.conversion_spans {
            mv(s);
        }
    }
    for l in old.lists.values_mut() {
        mv(&mut l.span);
        mv(&mut l.path_span);
        // Read again by the analysis.
        l.data = None;
    }
    if !ok {
        return None;
    }
    let model = RuleSet {
        declarations: std::mem::take(&mut old.declarations),
        references: declared,
        aliases: std::mem::take(&mut old.aliases),
        groups: std::mem::take(&mut old.groups),
        entities: std::mem::take(&mut old.entities),
        commodities: std::mem::take(&mut old.commodities),
        commodity_ids: std::mem::take(&mut old.commodity_ids),
        commodity_index: Default::default(),
        exemptions: std::mem::take(&mut old.exemptions),
        lists: std::mem::take(&mut old.lists),
        rules: Vec::new(),
    };
    Some((model, dm))
}

/// The declared names something refers to; while a file's rules are
/// checked, the names added are also logged (for [`FileRules::used`]).
#[derive(Debug, Default)]
struct Used {
    names: foldhash::HashSet<String>,
    log: Option<Vec<String>>,
}

impl Used {
    fn insert(&mut self, name: String) -> bool {
        if let Some(log) = &mut self.log {
            log.push(name.clone());
        }
        self.names.insert(name)
    }

    fn contains(&self, name: &str) -> bool {
        self.names.contains(name)
    }
}

struct Checker<'a> {
    files: &'a [Parsed],
    /// The files' texts (none for a check that is not kept).
    texts: &'a [&'a str],
    /// Names of declarations that failed to parse: uses of them are not
    /// reported again as unknown.
    broken: BTreeSet<String>,
    diags: Vec<Diagnostic>,
    model: RuleSet,
    /// Declared names that something refers to.
    used: Used,
    regimes: BTreeMap<FileId, (String, Span)>,
    /// `model.children_index()`, once every commodity is declared.
    children: Vec<Vec<crate::model::CommodityId>>,
    /// Rule items taken from the previous check.
    reused: usize,
}

impl<'a> Checker<'a> {
    fn items(&self) -> impl Iterator<Item = (FileId, &'a ast::Item)> + 'a {
        self.files
            .iter()
            .flat_map(|f| f.ast.items.iter().map(move |i| (f.ast.file, i)))
    }

    fn emit(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn mark_used(&mut self, name: &str, span: Span) {
        self.used.insert(name.to_string());
        self.model.references.push(crate::model::Reference {
            name: name.to_string(),
            span,
        });
    }

    /// A fingerprint of everything checking a rule reads from the
    /// declarations: names and kinds, aliases, entities, groups,
    /// exemptions, commodities (in order, with codes, parents, units and
    /// conversions) and the names of declarations that did not parse.
    /// Places are left out: a rule's diagnostics that point at a
    /// declaration in another file are never reused ([`FileRules::foreign`]).
    fn fingerprint(&self) -> u64 {
        use std::hash::{BuildHasher, Hash, Hasher};
        let mut h = foldhash::quality::FixedState::default().build_hasher();
        let m = &self.model;
        for (name, d) in &m.declarations {
            name.hash(&mut h);
            d.kind.hash(&mut h);
        }
        m.aliases.hash(&mut h);
        m.entities.hash(&mut h);
        m.groups.hash(&mut h);
        m.exemptions.hash(&mut h);
        for c in &m.commodities {
            c.name.hash(&mut h);
            c.hs.hash(&mut h);
            c.except.hash(&mut h);
            c.parent.hash(&mut h);
            c.measured.hash(&mut h);
            for cv in &c.conversions {
                cv.from_amount.hash(&mut h);
                cv.from.hash(&mut h);
                cv.to_amount.hash(&mut h);
                cv.to.hash(&mut h);
            }
        }
        for name in m.lists.keys() {
            name.hash(&mut h);
        }
        self.broken.hash(&mut h);
        h.finish()
    }
}
