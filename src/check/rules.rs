//! Rules: resolve names, check clauses, units and dates, assign stable ids.

use super::{Checker, FileRules, ItemRules, LoweredRule, Memo};
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::model::{self, Goods, Limit, PartySet};
use crate::roles::Participant;
use crate::source::Span;
use crate::suggest;
use crate::syntax::ast::{self, Clause, Condition, Direction, ItemKind, Node, PartyRef, Period};
use crate::units::{Dimension, Unit};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

impl Checker<'_> {
    /// Check every file's rules (or take them from `memo`, see
    /// [`super::check_again`]), adding them to the rule set in file order,
    /// then report (and take out) rules with the id of an earlier one.
    pub(super) fn lower_rules(
        &mut self,
        memo: Memo,
        env: Option<u64>,
        unchanged: &[bool],
        mut old_rules: Vec<model::Rule>,
        mut old_refs: Vec<model::Reference>,
        old_declaration_refs: usize,
    ) -> Memo {
        let env = env.unwrap_or_else(|| self.fingerprint());
        let declaration_refs = self.model.references.len();
        let Memo {
            env: old_env,
            files: mut old_files,
            spare_rules,
            ..
        } = memo;
        if old_env != env {
            old_files.clear();
            old_rules.clear();
            old_refs.clear();
        }
        self.model.rules = spare_rules;
        self.model.rules.clear();
        self.model.rules.reserve(old_rules.len());
        let mut out = Vec::with_capacity(self.files.len());
        {
            // The previous check's rules and references are taken in order.
            let mut rules_in = old_rules.drain(..);
            let mut refs_in = old_refs.drain(..);
            refs_in.by_ref().take(old_declaration_refs).for_each(drop);
            for i in 0..self.files.len() {
                let previous = old_files.get_mut(i).and_then(Option::take);
                let same = unchanged.get(i) == Some(&true);
                let file = self.lower_file(i, previous, same, &mut rules_in, &mut refs_in);
                out.push(Some(file));
            }
        }
        self.add_rules(&mut out);
        Memo {
            env,
            files: out,
            declaration_refs,
            reused: self.reused,
            spare_rules: old_rules,
            spare_references: old_refs,
            decls: None,
            declarations_reused: false,
        }
    }

    /// Check the rules of file `i` (their rules, diagnostics, references
    /// and used names go to the rule set as they are found; a copy of
    /// what is needed to reuse them is kept), taking from `previous` (what
    /// checking the file last time found; its rules and references are
    /// the next ones in `rules_in` and `refs_in`) each rule item whose
    /// text did not change. `same`: the file and its parse are the ones
    /// `previous` was checked from.
    fn lower_file(
        &mut self,
        i: usize,
        previous: Option<FileRules>,
        same: bool,
        rules_in: &mut impl Iterator<Item = model::Rule>,
        refs_in: &mut impl Iterator<Item = model::Reference>,
    ) -> FileRules {
        let old_items = previous.map_or_else(Vec::new, |f| f.items);
        let Some(parsed) = self.files.get(i) else {
            drop_items(old_items, rules_in, refs_in);
            return FileRules::default();
        };
        let file = parsed.ast.file;
        let regime = self.regimes.get(&file).map(|(n, _)| n.clone());
        let rule_items: Vec<(usize, &ast::Item, &ast::Rule)> = parsed
            .ast
            .items
            .iter()
            .enumerate()
            .filter_map(|(n, item)| match &item.kind {
                ItemKind::Rule(r) => Some((n, item, r)),
                _ => None,
            })
            .collect();
        let keys: Vec<u64> = if same && old_items.len() == rule_items.len() {
            old_items.iter().map(|o| o.key).collect()
        } else {
            let text = self.texts.get(i).copied().unwrap_or("");
            rule_items
                .iter()
                .map(|(_, item, _)| item_key(text, item, regime.as_deref()))
                .collect()
        };
        let old_keys: Vec<u64> = old_items.iter().map(|o| o.key).collect();
        let matches = align(&old_keys, &keys);
        let mut old_iter = old_items.into_iter().enumerate().peekable();
        let mut items = Vec::with_capacity(rule_items.len());
        for ((n, item, r), (key, j)) in rule_items.into_iter().zip(keys.into_iter().zip(matches)) {
            let mut old = None;
            if let Some(j) = j {
                // The old items before it are gone.
                while let Some((_, o)) = old_iter.next_if(|(k, _)| *k < j) {
                    drop_items(vec![o], rules_in, refs_in);
                }
                old = old_iter.next().map(|(_, o)| o);
            }
            let lowered = match old {
                Some(o) if o.local && o.key == key => {
                    self.reused += 1;
                    self.reuse_item(o, n, item.span.start, rules_in, refs_in)
                }
                o => {
                    drop_items(o.into_iter().collect(), rules_in, refs_in);
                    self.lower_item(file, n, item, r, regime.as_ref())
                }
            };
            items.push(ItemRules { key, ..lowered });
        }
        drop_items(old_iter.map(|(_, o)| o).collect(), rules_in, refs_in);
        FileRules { items }
    }

    /// A rule item checked last time, moved to where it now begins, with
    /// its rule (the next in `rules_in`, unless it lost to an earlier id)
    /// and references (the next ones in `refs_in`).
    fn reuse_item(
        &mut self,
        mut old: ItemRules,
        n: usize,
        start: usize,
        rules_in: &mut impl Iterator<Item = model::Rule>,
        refs_in: &mut impl Iterator<Item = model::Reference>,
    ) -> ItemRules {
        let by = start as isize - old.start as isize;
        let shift = |s: &mut Span| {
            s.start = s.start.saturating_add_signed(by);
            s.end = s.end.saturating_add_signed(by);
        };
        if by != 0 {
            for d in &mut old.diagnostics {
                for l in &mut d.labels {
                    shift(&mut l.span);
                }
            }
        }
        self.diags.extend(old.diagnostics.iter().cloned());
        for mut r in refs_in.by_ref().take(old.references) {
            shift(&mut r.span);
            self.model.references.push(r);
        }
        for name in &old.used {
            if !self.used.contains(name) {
                self.used.insert(name.clone());
            }
        }
        if let Some(l) = &mut old.rule {
            shift(&mut l.at);
            l.item = n;
            let rule = match l.loser.take() {
                Some(rule) => Some(*rule),
                None => rules_in.next(),
            };
            if let Some(mut rule) = rule {
                shift(&mut rule.keyword);
                shift(&mut rule.span);
                for (_, s) in &mut rule.clause_spans {
                    shift(s);
                }
                self.model.rules.push(rule);
            }
        }
        old.start = start;
        old
    }

    /// Check one rule item.
    fn lower_item(
        &mut self,
        file: crate::source::FileId,
        n: usize,
        item: &ast::Item,
        r: &ast::Rule,
        regime: Option<&String>,
    ) -> ItemRules {
        let diags_before = self.diags.len();
        let refs_before = self.model.references.len();
        self.used.log = Some(Vec::new());
        let lowered = self.lower_rule(r, item.span);
        let (id, labelled) = match &r.label {
            Some(l) => (l.node.clone(), true),
            None => (self.derived_id(r), false),
        };
        let id = match regime {
            Some(reg) => format!("{reg}.{id}"),
            None => id,
        };
        let at = r.label.as_ref().map_or(r.keyword, |l| l.span);
        let inside =
            |s: &Span| s.file == file && s.start >= item.span.start && s.end <= item.span.end;
        // A rule with errors already has a diagnostic; do not pile on.
        let mut rule_local = true;
        let rule = lowered.map(|mut rule| {
            rule.id = id;
            rule.regime = regime.cloned();
            rule.doc = item.doc.clone();
            rule_local = inside(&at) && inside(&rule.keyword) && inside(&rule.span);
            self.model.rules.push(rule);
            LoweredRule {
                loser: None,
                at,
                labelled,
                item: n,
            }
        });
        let mut used = self.used.log.take().unwrap_or_default();
        used.sort_unstable();
        used.dedup();
        let diagnostics = self.diags[diags_before..].to_vec();
        let references = &self.model.references[refs_before..];
        let local = rule_local
            && diagnostics
                .iter()
                .flat_map(|d| &d.labels)
                .all(|l| inside(&l.span))
            && references.iter().all(|r| inside(&r.span));
        ItemRules {
            key: 0,
            start: item.span.start,
            rule,
            diagnostics,
            references: references.len(),
            used,
            local,
        }
    }

    /// Report each rule whose id an earlier rule has, and take it out of
    /// the rule set (it stays in its item's [`LoweredRule`]).
    fn add_rules(&mut self, files: &mut [Option<FileRules>]) {
        // The rules that lose, by their index in the rule set, with the
        // place of the first rule with their id.
        let mut losers: Vec<(usize, usize, usize, Span, bool)> = Vec::new();
        {
            let mut ids: foldhash::HashMap<&str, (Span, bool)> =
                foldhash::HashMap::with_capacity_and_hasher(
                    self.model.rules.len(),
                    Default::default(),
                );
            let mut k = 0;
            for (f, file) in files.iter().enumerate() {
                let Some(file) = file else { continue };
                for (n, item) in file.items.iter().enumerate() {
                    let Some(l) = &item.rule else { continue };
                    let Some(rule) = self.model.rules.get(k) else {
                        continue;
                    };
                    match ids.get(rule.id.as_str()) {
                        Some(&(first, first_labelled)) => {
                            losers.push((k, f, n, first, first_labelled));
                        }
                        None => {
                            ids.insert(rule.id.as_str(), (l.at, l.labelled));
                        }
                    }
                    k += 1;
                }
            }
        }
        if losers.is_empty() {
            return;
        }
        let mut lost: Vec<Option<model::Rule>> = Vec::new();
        {
            let mut next = losers.iter().map(|x| x.0).peekable();
            let rules = std::mem::take(&mut self.model.rules);
            for (k, rule) in rules.into_iter().enumerate() {
                if next.peek() == Some(&k) {
                    next.next();
                    lost.push(Some(rule));
                } else {
                    self.model.rules.push(rule);
                }
            }
        }
        for ((_, f, n, first, first_labelled), rule) in losers.into_iter().zip(lost) {
            let Some(l) = files
                .get_mut(f)
                .and_then(Option::as_mut)
                .and_then(|file| file.items.get_mut(n))
                .and_then(|item| item.rule.as_mut())
            else {
                continue;
            };
            let Some(rule) = rule else { continue };
            let help = if l.labelled && first_labelled {
                "labels must be unique within a regime; rename one".to_string()
            } else {
                "give the rules different labels, e.g. `cap_2018:` on the line before the rule"
                    .to_string()
            };
            self.emit(
                Diagnostic::error(
                    Code::RuleIdCollision,
                    format!("two rules have the id `{}`", rule.id),
                )
                .with_label(l.at, "second rule with this id")
                .with_label(first, "first rule with this id")
                .with_help(help),
            );
            l.loser = Some(Box::new(rule));
        }
    }

    /// `ban-arms-from-PRK`: kind, goods and scope, with aliases resolved to
    /// codes, so the id does not change when other rules are edited.
    fn derived_id(&self, r: &ast::Rule) -> String {
        let mut parts: Vec<String> = vec![match r.kind {
            ast::RuleKind::Ban => "ban".into(),
            ast::RuleKind::Cap { .. } => "cap".into(),
            ast::RuleKind::CapPrice { .. } => "cap-price".into(),
            ast::RuleKind::RequireReport { .. } => "require-report".into(),
        }];
        parts.push(match &r.goods.node {
            ast::Goods::Any => "any".into(),
            ast::Goods::Named(n) => n.clone(),
            ast::Goods::Hs(codes) => {
                let c: Vec<&str> = codes.iter().map(|c| c.node.as_str()).collect();
                format!("hs-{}", c.join("-"))
            }
            ast::Goods::PortCalls => "port-calls".into(),
        });
        let mut scope: Vec<&ast::Scope> = r.scope.iter().collect();
        scope.sort_by_key(|s| s.direction.node);
        for s in scope {
            parts.push(s.direction.node.keyword().into());
            parts.push(match &s.party.node {
                PartyRef::Any => "any".into(),
                PartyRef::Name(n) => self.model.aliases.get(n).unwrap_or(n).clone(),
            });
        }
        let party = |p: &PartyRef| match p {
            PartyRef::Any => "any".to_string(),
            PartyRef::Name(n) => self.model.aliases.get(n).unwrap_or(n).clone(),
        };
        for c in &r.conditions {
            match &c.node {
                Condition::Transfer(m) => parts.extend(["by".into(), m.node.clone()]),
                Condition::Listed { who, list, .. } => parts.extend([
                    "with".into(),
                    who_words(&who.node),
                    "on".into(),
                    list.node.clone(),
                ]),
                Condition::Flagged { who, party: p } => parts.extend([
                    "with".into(),
                    who_words(&who.node),
                    "flagged".into(),
                    party(&p.node),
                ]),
                Condition::Nationality { who, party: p } => parts.extend([
                    "with".into(),
                    who_words(&who.node),
                    "in".into(),
                    party(&p.node),
                ]),
            }
        }
        parts.join("-")
    }

    fn lower_rule(&mut self, r: &ast::Rule, span: Span) -> Option<model::Rule> {
        let mut ok = true;
        let goods = match &r.goods.node {
            ast::Goods::Any => Some(Goods::Any),
            ast::Goods::Named(n) => self
                .commodity_ref(&Node::new(n.clone(), r.goods.span))
                .map(Goods::Commodity),
            ast::Goods::Hs(codes) => {
                let good = codes.iter().filter(|c| self.hs_code(c)).count() == codes.len();
                good.then(|| Goods::Hs(codes.iter().map(|c| c.node.clone()).collect()))
            }
            ast::Goods::PortCalls => Some(Goods::PortCalls),
        };
        ok &= goods.is_some();
        let port_calls = matches!(r.goods.node, ast::Goods::PortCalls);

        let mut scope: BTreeMap<Direction, (PartySet, Span)> = BTreeMap::new();
        for s in &r.scope {
            let d = s.direction.node;
            if let Some((_, first)) = scope.get(&d) {
                let first = *first;
                self.emit(
                    Diagnostic::error(
                        Code::DuplicateClause,
                        format!("`{}` is given twice in one rule", d.keyword()),
                    )
                    .with_label(s.direction.span.to(s.party.span), "second one here")
                    .with_label(first, "first one here")
                    .with_help("to name several parties, declare a `group` and use it here"),
                );
                ok = false;
                continue;
            }
            match self.party_set(&s.party) {
                Some(set) => {
                    scope.insert(d, (set, s.direction.span.to(s.party.span)));
                }
                None => ok = false,
            }
        }

        if port_calls {
            for s in &r.scope {
                if s.direction.node != Direction::To {
                    self.emit(
                        Diagnostic::error(
                            Code::MisplacedClause,
                            format!("`{}` does not apply to port calls", s.direction.node.keyword()),
                        )
                        .with_label(s.direction.span.to(s.party.span), "here")
                        .with_help("a port call has a vessel and a port: `to PARTY` names the port's country, `with vessel …` the vessel"),
                    );
                    ok = false;
                }
            }
        }
        let conditions = self.conditions(r);
        ok &= conditions.is_some();
        let mut conditions = conditions.unwrap_or_default();

        let mut clause_seen: BTreeMap<&'static str, Span> = BTreeMap::new();
        let mut effective = None;
        let mut until = None;
        let mut cite = None;
        let mut warn_at: Vec<Decimal> = Vec::new();
        let mut warn_span = None;
        let mut severity = Severity::Error;
        let mut exemptions = BTreeSet::new();
        let mut wind_down = None;
        let mut contracted_before = None;
        let mut contract_delivered_before = None;
        let mut unless_transfer = None;
        for c in &r.clauses {
            let kw = c.node.keyword();
            if !matches!(c.node, Clause::Except(_)) {
                if let Some(first) = clause_seen.get(kw).copied() {
                    self.emit(
                        Diagnostic::error(
                            Code::DuplicateClause,
                            format!("`{kw}` is given twice in one rule"),
                        )
                        .with_label(c.span, "second one here")
                        .with_label(first, "first one here")
                        .with_help("keep one; split the rule in two if both are meant"),
                    );
                    ok = false;
                    continue;
                }
                clause_seen.insert(kw, c.span);
            }
            match &c.node {
                Clause::Effective(d) => effective = Some((*d, c.span)),
                Clause::Until(d) => until = Some((*d, c.span)),
                Clause::Cite(s) => cite = Some(s.clone()),
                Clause::Severity(s) => severity = *s,
                Clause::WarnAt(pcts) => {
                    warn_span = Some(c.span);
                    for p in pcts {
                        if p.node <= Decimal::ZERO || p.node >= Decimal::ONE_HUNDRED {
                            self.emit(
                                Diagnostic::error(
                                    Code::BadPercentage,
                                    format!("`{}%` is not a warning threshold", p.node),
                                )
                                .with_label(p.span, "must be above 0% and below 100%")
                                .with_help("a warning comes before the cap; at 100% the cap itself is reached"),
                            );
                            ok = false;
                        } else {
                            warn_at.push(p.node);
                        }
                    }
                }
                Clause::Except(e) => {
                    if self.exemption_ref(e) {
                        exemptions.insert(e.node.clone());
                    } else {
                        ok = false;
                    }
                }
                Clause::WindDown {
                    loaded_before,
                    delivered_before,
                } => {
                    if loaded_before > delivered_before {
                        self.emit(
                            Diagnostic::error(
                                Code::DatesReversed,
                                "cargo cannot be delivered before it is loaded",
                            )
                            .with_label(c.span, format!("loaded before {loaded_before}, delivered before {delivered_before}"))
                            .with_help("the delivery date is the later one"),
                        );
                        ok = false;
                    }
                    wind_down = Some((*loaded_before, *delivered_before));
                }
                Clause::ContractedBefore {
                    contracted,
                    delivered,
                } => {
                    if let Some(d) = delivered.filter(|d| d <= contracted) {
                        self.emit(
                            Diagnostic::error(
                                Code::DatesReversed,
                                "no cargo of an older contract can be delivered in this window",
                            )
                            .with_label(c.span, format!("contracted before {contracted}, delivered before {d}"))
                            .with_help("the delivery deadline is the end of the wind-down, after the contract cut-off"),
                        );
                        ok = false;
                    }
                    contracted_before = Some(*contracted);
                    contract_delivered_before = *delivered;
                }
                Clause::UnlessTransfer(m) => {
                    // The grammar admits only the six modes.
                    unless_transfer = crate::roles::Transfer::from_name(&m.node);
                    ok &= unless_transfer.is_some();
                }
                Clause::Provided { who, list, fuzzy } => {
                    if !matches!(r.kind, ast::RuleKind::Cap { .. }) {
                        self.emit(
                            Diagnostic::error(
                                Code::MisplacedClause,
                                format!("`provided no` does not apply to a `{}` rule", r.kind.keyword()),
                            )
                            .with_label(c.span, "here")
                            .with_help("`provided no … on LIST` makes a cap's permitted supply conditional; to forbid transactions with listed parties, write `with … on LIST` in a `ban`"),
                        );
                        ok = false;
                    }
                    match self.list_condition(who, list, fuzzy.as_ref()) {
                        Some(lc) => conditions.provided = Some(lc),
                        None => ok = false,
                    }
                }
            }
        }
        if let (Some((e, es)), Some((u, us))) = (effective, until) {
            if u < e {
                self.emit(
                    Diagnostic::error(Code::DatesReversed, format!("the rule ends ({u}) before it begins ({e})"))
                        .with_label(us, "ends here")
                        .with_label(es, "begins here")
                        .with_help("`until` is the last day the rule applies, inclusive; it must not be before `effective`"),
                );
                ok = false;
            }
        }
        warn_at.sort_unstable();
        warn_at.dedup();
        if let (Some(ws), false) = (warn_span, matches!(r.kind, ast::RuleKind::Cap { .. })) {
            self.emit(
                Diagnostic::error(
                    Code::MisplacedClause,
                    format!("`warn at` does not apply to a `{}` rule", r.kind.keyword()),
                )
                .with_label(ws, "here")
                .with_help("warning thresholds are shares of a quantity cap"),
            );
            ok = false;
        }

        let kind = self.rule_kind(r, goods.as_ref(), warn_at);
        ok &= kind.is_some();
        if !ok {
            return None;
        }
        let mut clause_spans: Vec<(&'static str, Span)> = Vec::new();
        if matches!(r.goods.node, ast::Goods::PortCalls) {
            clause_spans.push(("ban port calls", r.goods.span));
        }
        for c in &r.conditions {
            let kw = match &c.node {
                ast::Condition::Transfer(_) => "by sts transfer",
                ast::Condition::Listed { .. } => "with … on",
                ast::Condition::Flagged { .. } => "with … flagged",
                ast::Condition::Nationality { .. } => "with … in",
            };
            clause_spans.push((kw, c.span));
        }
        clause_spans.extend(r.clauses.iter().map(|c| (c.node.keyword(), c.span)));
        let mut take = |d| scope.remove(&d).map(|(s, _)| s);
        Some(model::Rule {
            id: String::new(),
            regime: None,
            kind: kind?,
            goods: goods?,
            from: take(Direction::From),
            to: take(Direction::To),
            via: take(Direction::Via),
            effective: effective.map(|e| e.0),
            until: until.map(|u| u.0),
            cite,
            scope_text: scope_text(r),
            doc: None,
            severity,
            exemptions,
            wind_down,
            contracted_before,
            contract_delivered_before,
            unless_transfer,
            conditions,
            clause_spans,
            keyword: r.keyword,
            span,
        })
    }

    /// `by sts transfer`, `with … on LIST`, `with vessel flagged P`, `with ROLE in P`.
    fn conditions(&mut self, r: &ast::Rule) -> Option<model::Conditions> {
        let mut out = model::Conditions::default();
        let mut ok = true;
        let mut transfer_at: Option<Span> = None;
        for c in &r.conditions {
            match &c.node {
                Condition::Transfer(m) => {
                    if let Some(first) = transfer_at {
                        self.emit(
                            Diagnostic::error(
                                Code::DuplicateClause,
                                "`by … transfer` is given twice in one rule",
                            )
                            .with_label(c.span, "second one here")
                            .with_label(first, "first one here")
                            .with_help(
                                "a rule is about one mode of transfer; write two rules for two",
                            ),
                        );
                        ok = false;
                        continue;
                    }
                    transfer_at = Some(c.span);
                    out.transfer = crate::roles::Transfer::from_name(&m.node);
                    ok &= out.transfer.is_some();
                }
                Condition::Listed { who, list, fuzzy } => {
                    match self.list_condition(who, list, fuzzy.as_ref()) {
                        Some(lc) => out.listed.push(lc),
                        None => ok = false,
                    }
                }
                Condition::Flagged { who, party } => {
                    let w = self.who(who);
                    if let Some(model::Who::Of(set)) = &w {
                        if let Some(p) = set.iter().find(|p| !matches!(p, Participant::Vessel)) {
                            self.emit(
                                Diagnostic::error(Code::WrongKind, format!("a {} has no flag", p.as_str()))
                                    .with_label(who.span, "only vessels fly a flag")
                                    .with_help(format!("write `with vessel flagged …`; for the country of the {}, write `with {} in …`", p.as_str(), p.as_str())),
                            );
                            ok = false;
                            continue;
                        }
                    }
                    let set = self.party_set(party);
                    match (w, set) {
                        (Some(w), Some(set)) => out.flagged.push((w, set)),
                        _ => ok = false,
                    }
                }
                Condition::Nationality { who, party } => {
                    let w = self.who(who);
                    if let Some(model::Who::Of(set)) = &w {
                        if set.contains(&Participant::Vessel) {
                            self.emit(
                                Diagnostic::error(
                                    Code::WrongKind,
                                    "a vessel has a flag, not a nationality",
                                )
                                .with_label(who.span, "a vessel here")
                                .with_help("write `with vessel flagged …` for the flag state"),
                            );
                            ok = false;
                            continue;
                        }
                    }
                    let set = self.party_set(party);
                    match (w, set) {
                        (Some(w), Some(set)) => out.nationality.push((w, set)),
                        _ => ok = false,
                    }
                }
            }
        }
        ok.then_some(out)
    }

    /// The roles a condition names, each known (with "did you mean" otherwise).
    fn who(&mut self, who: &Node<ast::Participants>) -> Option<model::Who> {
        let ast::Participants::Roles(roles) = &who.node else {
            return Some(model::Who::AnyParty);
        };
        let mut out = BTreeSet::new();
        let mut ok = true;
        for r in roles {
            match Participant::from_name(&r.node) {
                Some(p) => {
                    out.insert(p);
                }
                None => {
                    let names: Vec<&str> = Participant::names().collect();
                    let help = match suggest::closest(&r.node, names.iter().copied()) {
                        Some(b) => format!("did you mean `{b}`?"),
                        None => format!("the roles are {}, and `vessel` (the vessel or, in a ship-to-ship transfer, either vessel)", names[..names.len() - 1].join(", ")),
                    };
                    self.emit(
                        Diagnostic::error(Code::UnknownRole, format!("unknown role `{}`", r.node))
                            .with_label(r.span, "not a role")
                            .with_help(help),
                    );
                    ok = false;
                }
            }
        }
        ok.then_some(model::Who::Of(out))
    }

    fn list_condition(
        &mut self,
        who: &Node<ast::Participants>,
        list: &ast::Ident,
        fuzzy: Option<&Node<Decimal>>,
    ) -> Option<model::ListCondition> {
        let w = self.who(who);
        let l = self.list_ref(list);
        let mut share = None;
        if let Some(f) = fuzzy {
            if f.node <= Decimal::ZERO || f.node > Decimal::ONE_HUNDRED {
                self.emit(
                    Diagnostic::error(
                        Code::BadPercentage,
                        format!("`{}%` is not a similarity", f.node),
                    )
                    .with_label(f.span, "must be above 0% and at most 100%")
                    .with_help(
                        "a fuzzy threshold such as `fuzzy 90%`: names at least 90% alike match",
                    ),
                );
                return None;
            }
            share = Some(f.node / Decimal::ONE_HUNDRED);
        }
        Some(model::ListCondition {
            list: l?,
            who: w?,
            fuzzy: share,
        })
    }

    /// A list name used in a rule.
    fn list_ref(&mut self, list: &ast::Ident) -> Option<String> {
        if self.model.lists.contains_key(&list.node) {
            self.mark_used(&list.node, list.span);
            return Some(list.node.clone());
        }
        if let Some(d) = self.model.declarations.get(&list.node) {
            if d.kind == model::DeclKind::List {
                // Declared, with a mistake already reported.
                self.used.insert(list.node.clone());
                return None;
            }
            let kind = d.kind;
            self.emit(
                Diagnostic::error(
                    Code::WrongKind,
                    format!("`{}` is {}, not a list", list.node, kind.a_noun()),
                )
                .with_label(list.span, "expected a list")
                .with_help("declare the designation list with `list NAME = FORMAT \"FILE\"`"),
            );
            return None;
        }
        if self.broken.contains(&list.node) {
            return None;
        }
        let names: Vec<&str> = self.model.lists.keys().map(String::as_str).collect();
        let help = match suggest::closest(&list.node, names) {
            Some(b) => {
                let b = b.to_string();
                self.used.insert(b.clone());
                format!("did you mean `{b}`?")
            }
            None => format!(
                "declare it: `list {} \"…\" = un \"lists/consolidated.xml\" reference \"KP\"`",
                list.node
            ),
        };
        self.emit(
            Diagnostic::error(Code::UnknownList, format!("unknown list `{}`", list.node))
                .with_label(list.span, "no list of this name")
                .with_help(help),
        );
        None
    }

    fn exemption_ref(&mut self, e: &ast::Ident) -> bool {
        if self.model.exemptions.contains(&e.node) {
            self.mark_used(&e.node, e.span);
            return true;
        }
        if self.broken.contains(&e.node) {
            return false;
        }
        let names: Vec<&str> = self.model.exemptions.iter().map(String::as_str).collect();
        let best = suggest::closest(&e.node, names).map(str::to_string);
        let help = match best {
            Some(b) => {
                // The analyst meant it: do not also call it unused.
                self.used.insert(b.clone());
                format!("did you mean `{b}`?")
            }
            None => format!("declare it: `exemption {} \"…\"`", e.node),
        };
        self.emit(
            Diagnostic::error(
                Code::UnknownExemption,
                format!("unknown exemption `{}`", e.node),
            )
            .with_label(e.span, "not declared in this rule set")
            .with_help(help),
        );
        false
    }

    fn rule_kind(
        &mut self,
        r: &ast::Rule,
        goods: Option<&Goods>,
        warn_at: Vec<Decimal>,
    ) -> Option<model::RuleKind> {
        match &r.kind {
            ast::RuleKind::Ban => Some(model::RuleKind::Ban),
            ast::RuleKind::Cap { limits, period, by } => {
                let mut ok = self.period(period);
                let mut out = Vec::new();
                for l in limits {
                    let unit = match crate::units::lookup(&l.unit.node) {
                        Some(u) => Some(u),
                        None => self.goods_unit(&l.unit),
                    };
                    if l.amount.node.is_zero() {
                        self.emit(
                            Diagnostic::error(Code::ZeroLimit, "a cap of zero")
                                .with_label(l.amount.span, "nothing may pass")
                                .with_help("to forbid the goods outright, write a `ban` rule"),
                        );
                        ok = false;
                    }
                    match unit {
                        Some(unit) => {
                            if !matches!(unit.dimension, Dimension::Money(_)) {
                                ok &= self.reachable(goods, &unit, l.unit.span);
                            }
                            if let Some(prev) = out
                                .iter()
                                .find(|p: &&Limit| p.unit.dimension == unit.dimension)
                            {
                                self.emit(
                                    Diagnostic::error(
                                        Code::RepeatedLimit,
                                        format!("two limits in {}: `{}` and `{}`", unit.dimension, prev.unit, unit),
                                    )
                                    .with_label(l.unit.span, "measures the same thing as an earlier limit")
                                    .with_help("`or` joins limits of different kinds, e.g. `400870018 USD or 7500000 t`; keep the lower of these two"),
                                );
                                ok = false;
                            }
                            out.push(Limit {
                                amount: l.amount.node,
                                unit,
                            });
                        }
                        None => ok = false,
                    }
                }
                ok.then_some(model::RuleKind::Cap {
                    limits: out,
                    period: model_period(period.node),
                    by: by.as_ref().map(|b| match b.node {
                        ast::By::Origin => crate::model::By::Origin,
                        ast::By::Destination => crate::model::By::Destination,
                    }),
                    warn_at,
                })
            }
            ast::RuleKind::CapPrice {
                amount,
                currency,
                per_unit,
            } => {
                if amount.node.is_zero() {
                    self.emit(
                        Diagnostic::error(Code::ZeroLimit, "a price cap of zero")
                            .with_label(amount.span, "no price is at or below zero")
                            .with_help("to forbid the goods outright, write a `ban` rule"),
                    );
                    return None;
                }
                let currency = self.currency(currency);
                let per = self.goods_unit(per_unit);
                let reachable = match &per {
                    Some(u) => self.reachable(goods, u, per_unit.span),
                    None => false,
                };
                if !reachable {
                    return None;
                }
                Some(model::RuleKind::CapPrice {
                    amount: amount.node,
                    currency: currency?,
                    per_unit: per?,
                })
            }
            ast::RuleKind::RequireReport { due } => {
                let bad = match due.node {
                    ast::Due::Within(0) | ast::Due::Every { days: 0, .. } => Some((
                        "a reporting deadline of 0 days".to_string(),
                        "must be at least 1",
                        "reports are due within N days of the shipment, e.g. `within 30 days`, or every N days, e.g. `every 90 days from 2017-12-22`",
                    )),
                    ast::Due::MonthlyBy(d) if !(1..=31).contains(&d) => Some((
                        format!("day {d} is no day of a month"),
                        "must be 1 to 31",
                        "`monthly by day 30` makes reports due by the 30th of the month after the shipment's (the last day of a shorter month)",
                    )),
                    _ => None,
                };
                if let Some((message, label, help)) = bad {
                    self.emit(
                        Diagnostic::error(Code::ZeroDeadline, message)
                            .with_label(due.span, label)
                            .with_help(help),
                    );
                    return None;
                }
                Some(model::RuleKind::RequireReport {
                    due: match due.node {
                        ast::Due::Within(n) => model::Due::Within(n),
                        ast::Due::MonthlyBy(n) => model::Due::MonthlyBy(n),
                        ast::Due::Every { days, from } => model::Due::Every { days, from },
                    },
                })
            }
        }
    }

    fn period(&mut self, p: &Node<Period>) -> bool {
        let (n, most, unit) = match p.node {
            Period::Days(n) => (n, 36_600, "days"),
            Period::Months { count, .. } => (count, 1_200, "months"),
            _ => return true,
        };
        if n > most {
            self.emit(
                Diagnostic::error(Code::BadPeriod, format!("a period of {n} {unit}"))
                    .with_label(p.span, format!("at most {most} {unit} (a hundred years)"))
                    .with_help("periods are at most a hundred years; for a cap with no period, use `per 36600 days`"),
            );
            return false;
        }
        if n > 0 {
            return true;
        }
        self.emit(
            Diagnostic::error(Code::BadPeriod, "a period of zero length")
                .with_label(p.span, "must be at least 1")
                .with_help("e.g. `per 30 days` or `per 12 months from 2017-12-22`"),
        );
        false
    }

    /// Can every unit the commodity's events come in be converted to `unit`?
    fn reachable(&mut self, goods: Option<&Goods>, unit: &Unit, at: Span) -> bool {
        let Some(Goods::Commodity(id)) = goods else {
            return true;
        };
        let id = *id;
        let model = &self.model;
        for d in model.subtree(&self.children, id) {
            for m in model.measured_units(d) {
                if m.dimension == unit.dimension {
                    continue;
                }
                let converts = model
                    .lineage(d)
                    .filter_map(|c| model.commodities.get(c))
                    .flat_map(|c| c.conversions.iter())
                    .any(|c| c.links(&m.dimension, &unit.dimension));
                if converts {
                    continue;
                }
                let name = model.commodities[d].name.clone();
                let decl = model.commodities[d].span;
                let m = *m;
                self.emit(
                    Diagnostic::error(
                        Code::UnreachableUnit,
                        format!("`{unit}` cannot be reached from `{m}`, the unit `{name}` is measured in"),
                    )
                    .with_label(at, format!("a {} unit", unit.dimension))
                    .with_label(decl, format!("`{name}` is measured in `{m}`, a {} unit", m.dimension))
                    .with_help(format!(
                        "declare a conversion, e.g. `convert {name} 1 {m} = <how many> {unit}`"
                    )),
                );
                return false;
            }
        }
        true
    }
}

/// `arms to DPRK`: goods and parties as the rule writes them.
fn scope_text(r: &ast::Rule) -> String {
    let mut s = match &r.goods.node {
        ast::Goods::Any => "all goods".to_string(),
        ast::Goods::Named(n) => n.clone(),
        ast::Goods::Hs(codes) => {
            let c: Vec<&str> = codes.iter().map(|c| c.node.as_str()).collect();
            format!("HS {}", c.join(", "))
        }
        ast::Goods::PortCalls => "port calls".to_string(),
    };
    for sc in &r.scope {
        let party = match &sc.party.node {
            PartyRef::Any => "any party",
            PartyRef::Name(n) => n.as_str(),
        };
        s.push_str(&format!(" {} {party}", sc.direction.node.keyword()));
    }
    let party = |p: &PartyRef| match p {
        PartyRef::Any => "any party".to_string(),
        PartyRef::Name(n) => n.clone(),
    };
    for c in &r.conditions {
        s.push_str(&match &c.node {
            Condition::Transfer(m) => format!(" by {} transfer", m.node),
            Condition::Listed { who, list, fuzzy } => format!(
                " with {} on {}{}",
                who_text(&who.node),
                list.node,
                fuzzy
                    .as_ref()
                    .map(|f| format!(" fuzzy {}%", f.node))
                    .unwrap_or_default()
            ),
            Condition::Flagged { who, party: p } => {
                format!(" with {} flagged {}", who_text(&who.node), party(&p.node))
            }
            Condition::Nationality { who, party: p } => {
                format!(" with {} in {}", who_text(&who.node), party(&p.node))
            }
        });
    }
    s
}

/// The checked model's period for the syntax tree's.
fn model_period(p: Period) -> crate::model::Period {
    use crate::model::Period as M;
    match p {
        Period::Year => M::Year,
        Period::Quarter => M::Quarter,
        Period::Month => M::Month,
        Period::Day => M::Day,
        Period::Days(n) => M::Days(n),
        Period::Months { count, from } => M::Months { count, from },
    }
}
/// `owner or operator`, `any party`, as written.
fn who_text(w: &ast::Participants) -> String {
    match w {
        ast::Participants::AnyParty => "any party".into(),
        ast::Participants::Roles(r) => r
            .iter()
            .map(|r| r.node.as_str())
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

/// `owner-or-operator`, `any-party`: for derived ids.
fn who_words(w: &ast::Participants) -> String {
    who_text(w).replace(' ', "-")
}

/// What a rule item's check depends on besides the declarations: its text,
/// its doc comment and its file's regime.
pub(super) fn item_key(text: &str, item: &ast::Item, regime: Option<&str>) -> u64 {
    use std::hash::{BuildHasher, Hash, Hasher};
    let mut h = foldhash::quality::FixedState::default().build_hasher();
    text.get(item.span.start..item.span.end).hash(&mut h);
    item.doc.hash(&mut h);
    regime.hash(&mut h);
    h.finish()
}

/// Old rule items not reused: their rules and references leave the lists
/// they are taken from.
fn drop_items(
    items: Vec<ItemRules>,
    rules_in: &mut impl Iterator<Item = model::Rule>,
    refs_in: &mut impl Iterator<Item = model::Reference>,
) {
    for o in items {
        if o.rule.as_ref().is_some_and(|l| l.loser.is_none()) {
            rules_in.next();
        }
        refs_in.by_ref().take(o.references).for_each(drop);
    }
}

/// Which old item each new one takes (by their keys; in order, so the
/// old items' rules and references are taken from their lists in order):
/// the common beginning and end by place, the middle by key.
fn align(old: &[u64], new: &[u64]) -> Vec<Option<usize>> {
    let mut out = vec![None; new.len()];
    let head = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let room = old.len().min(new.len()) - head;
    let tail = old
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    for (k, o) in out.iter_mut().enumerate().take(head) {
        *o = Some(k);
    }
    let (old_mid, new_mid) = (head..old.len() - tail, head..new.len() - tail);
    let mut by_key: foldhash::HashMap<u64, Vec<usize>> = Default::default();
    for j in old_mid.clone().rev() {
        by_key.entry(old[j]).or_default().push(j);
    }
    let mut cursor = head;
    for k in new_mid {
        let Some(js) = by_key.get_mut(&new[k]) else {
            continue;
        };
        while js.last().is_some_and(|&j| j < cursor) {
            js.pop();
        }
        if let Some(j) = js.pop() {
            out[k] = Some(j);
            cursor = j + 1;
        }
    }
    for t in 0..tail {
        out[new.len() - tail + t] = Some(old.len() - tail + t);
    }
    out
}
