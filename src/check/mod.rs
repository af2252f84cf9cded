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
    let mut cx = Checker {
        files,
        broken: files
            .iter()
            .flat_map(|f| f.broken_names.iter().cloned())
            .collect(),
        diags: files
            .iter()
            .flat_map(|f| f.diagnostics.iter().cloned())
            .collect(),
        model: RuleSet::default(),
        used: files
            .iter()
            .flat_map(|f| f.unparsed_words.iter().cloned())
            .collect(),
        regimes: BTreeMap::new(),
        rule_asts: Vec::new(),
        children: Vec::new(),
    };
    cx.declare();
    cx.resolve_declarations();
    cx.resolve_lists();
    cx.children = cx.model.children_index();
    cx.lower_rules();
    cx.lint();
    let mut diagnostics = cx.diags;
    diagnostic::sort(&mut diagnostics);
    diagnostics.dedup();
    Checked {
        rules: cx.model,
        diagnostics,
    }
}

struct Checker<'a> {
    files: &'a [Parsed],
    /// Names of declarations that failed to parse: uses of them are not
    /// reported again as unknown.
    broken: BTreeSet<String>,
    diags: Vec<Diagnostic>,
    model: RuleSet,
    /// Declared names that something refers to.
    used: BTreeSet<String>,
    regimes: BTreeMap<FileId, (String, Span)>,
    /// The AST of each rule in `model.rules`, same order.
    rule_asts: Vec<&'a ast::Rule>,
    /// `model.children_index()`, once every commodity is declared.
    children: Vec<Vec<crate::model::CommodityId>>,
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
}
