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
}

#[cfg(test)]
impl Memo {
    pub(crate) fn env_for_test(&self) -> u64 {
        self.env
    }

    pub(crate) fn reused_for_test(&self) -> usize {
        self.reused
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
/// check's). Declarations, duplicate rule ids and lints are checked again
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
    let mut model = RuleSet {
        references: std::mem::take(&mut memo.spare_references),
        ..RuleSet::default()
    };
    model.references.clear();
    let mut cx = Checker {
        files,
        texts,
        broken: files
            .iter()
            .flat_map(|f| f.broken_names.iter().cloned())
            .collect(),
        diags: files
            .iter()
            .flat_map(|f| f.diagnostics.iter().cloned())
            .collect(),
        model,
        used: Used {
            names: files
                .iter()
                .flat_map(|f| f.unparsed_words.iter().cloned())
                .collect(),
            log: None,
        },
        regimes: BTreeMap::new(),
        children: Vec::new(),
        reused: 0,
    };
    cx.declare();
    cx.resolve_declarations();
    cx.resolve_lists();
    cx.children = cx.model.children_index();
    let (rules, references) = match previous {
        Some(p) => (
            std::mem::take(&mut p.rules.rules),
            std::mem::take(&mut p.rules.references),
        ),
        None => Default::default(),
    };
    let memo = cx.lower_rules(memo, unchanged, rules, references);
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
