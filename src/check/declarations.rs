//! Declarations: the one namespace of a rule set, duplicates, and the
//! resolution of parties, groups, entities, commodities and conversions.

use super::Checker;
use crate::diagnostic::{Code, Diagnostic};
use crate::iso;
use crate::model::{Commodity, DeclKind, Declaration, PartyKey, PartySet};
use crate::source::Span;
use crate::suggest;
use crate::syntax::ast::{self, ItemKind, Node, PartyRef};
use crate::units::{self, Conversion, Unit};
use std::collections::{BTreeMap, BTreeSet};

impl Checker<'_> {
    /// Collect every declared name; report duplicates with both places.
    pub(super) fn declare(&mut self) {
        for (file, item) in self.items() {
            if let ItemKind::Regime(r) = &item.kind {
                if let Some((_, first)) = self.regimes.get(&file) {
                    let first = *first;
                    self.emit(
                        Diagnostic::error(
                            Code::DuplicateRegime,
                            format!("a second `regime` in one file: `{}`", r.name.node),
                        )
                        .with_label(r.name.span, "second regime here")
                        .with_label(first, "the file's regime is declared here")
                        .with_help("a file belongs to one regime; split it into two files"),
                    );
                } else {
                    self.regimes
                        .insert(file, (r.name.node.clone(), r.name.span));
                }
                continue;
            }
            let Some(name) = item.kind.declared_name() else {
                continue;
            };
            let (kind, title, code) = match &item.kind {
                ItemKind::Party(d) => {
                    (DeclKind::Party, d.title.as_ref(), Some(d.code.node.clone()))
                }
                ItemKind::Group(d) => (DeclKind::Group, d.title.as_ref(), None),
                ItemKind::Entity(d) => (DeclKind::Entity, d.title.as_ref(), None),
                ItemKind::Commodity(d) => (DeclKind::Commodity, d.title.as_ref(), None),
                ItemKind::Exemption(d) => (DeclKind::Exemption, d.title.as_ref(), None),
                ItemKind::List(d) => (DeclKind::List, d.title.as_ref(), None),
                _ => continue,
            };
            if iso::is_country(&name.node) {
                self.emit(
                    Diagnostic::error(
                        Code::ShadowsIsoCode,
                        format!(
                            "`{}` is the ISO code of {}",
                            name.node,
                            iso::country_name(&name.node).unwrap_or("a country")
                        ),
                    )
                    .with_label(name.span, "this name would hide the country code")
                    .with_help("choose another name; ISO codes can be used without declaring them"),
                );
                continue;
            }
            if let Some(prev) = self.model.declarations.get(&name.node) {
                let prev_span = prev.name_span;
                let prev_kind = prev.kind;
                self.emit(
                    Diagnostic::error(
                        Code::DuplicateDeclaration,
                        format!("`{}` is declared twice", name.node),
                    )
                    .with_label(
                        name.span,
                        format!("declared again here as {}", kind.a_noun()),
                    )
                    .with_label(
                        prev_span,
                        format!("first declared here as {}", prev_kind.a_noun()),
                    )
                    .with_help("all files of a rule set share one namespace; rename or remove one"),
                );
                continue;
            }
            self.model.declarations.insert(
                name.node.clone(),
                Declaration {
                    kind,
                    name: name.node.clone(),
                    name_span: name.span,
                    span: item.span,
                    title: title.map(|t| t.node.clone()),
                    doc: item.doc.clone(),
                    code,
                },
            );
        }
    }

    /// Is this item the declaration that won (not a reported duplicate)?
    fn is_the_declaration(&self, name: &ast::Ident) -> bool {
        self.model
            .declarations
            .get(&name.node)
            .is_some_and(|d| d.name_span == name.span)
    }

    pub(super) fn resolve_declarations(&mut self) {
        let items: Vec<_> = self.items().collect();
        // Aliases first: everything else may refer to them.
        for (_, item) in &items {
            if let ItemKind::Party(d) = &item.kind {
                if !self.is_the_declaration(&d.name) {
                    continue;
                }
                if iso::is_country(&d.code.node) {
                    self.model
                        .aliases
                        .insert(d.name.node.clone(), d.code.node.clone());
                } else {
                    let help = suggest::closest(&d.code.node, iso::COUNTRIES.iter().map(|c| c.0))
                        .map(|c| {
                            format!(
                                "did you mean `{c}` ({})?",
                                iso::country_name(c).unwrap_or("")
                            )
                        })
                        .unwrap_or_else(|| {
                            "a party alias stands for an ISO 3166-1 alpha-3 code such as `PRK`"
                                .into()
                        });
                    self.emit(
                        Diagnostic::error(
                            Code::UnknownParty,
                            format!(
                                "`{}` is not an ISO 3166-1 alpha-3 country code",
                                d.code.node
                            ),
                        )
                        .with_label(d.code.span, "unknown country code")
                        .with_help(help),
                    );
                    self.broken.insert(d.name.node.clone());
                }
            }
        }
        // Entities: their country must be a country.
        for (_, item) in &items {
            if let ItemKind::Entity(d) = &item.kind {
                if !self.is_the_declaration(&d.name) {
                    continue;
                }
                let country = d.country.as_ref().and_then(|c| self.entity_country(c));
                self.model.entities.insert(d.name.node.clone(), country);
            }
        }
        // Groups, flattened (they may contain groups declared anywhere).
        let groups: BTreeMap<String, &ast::GroupDecl> = items
            .iter()
            .filter_map(|(_, i)| match &i.kind {
                ItemKind::Group(g) if self.is_the_declaration(&g.name) => {
                    Some((g.name.node.clone(), g))
                }
                _ => None,
            })
            .collect();
        for (name, g) in &groups {
            let mut stack = vec![name.clone()];
            let members = self.flatten_group(g, &groups, &mut stack);
            if g.members.is_empty() {
                self.emit(
                    Diagnostic::warning(Code::EmptyGroup, format!("group `{name}` has no members"))
                        .with_label(g.name.span, "empty group")
                        .with_help("a rule on an empty group matches nothing"),
                );
            }
            self.model.groups.insert(name.clone(), members);
        }
        self.resolve_commodities(&items);
        for (_, item) in &items {
            if let ItemKind::Exemption(d) = &item.kind {
                if self.is_the_declaration(&d.name) {
                    self.model.exemptions.insert(d.name.node.clone());
                }
            }
        }
    }

    /// `list` declarations: the format and filters; the file is read later
    /// (by the analysis, which knows where the rule file is).
    pub(super) fn resolve_lists(&mut self) {
        let items: Vec<_> = self.items().collect();
        for (_, item) in items {
            let ItemKind::List(d) = &item.kind else {
                continue;
            };
            if !self.is_the_declaration(&d.name) {
                continue;
            }
            let Some(format) = crate::lists::Format::from_name(&d.format.node) else {
                let names = crate::lists::Format::NAMES;
                let help = match suggest::closest(&d.format.node, names) {
                    Some(b) => format!("did you mean `{b}`? The formats are {}", names.join(", ")),
                    None => format!("the formats are {} (UN Consolidated List XML, OpenSanctions targets.simple.csv, FollowTheMoney JSON lines, plain CSV)", names.join(", ")),
                };
                self.emit(
                    Diagnostic::error(
                        Code::BadList,
                        format!("unknown list format `{}`", d.format.node),
                    )
                    .with_label(d.format.span, "not a list format")
                    .with_help(help),
                );
                continue;
            };
            use crate::lists::Format;
            if !d.datasets.is_empty() && !matches!(format, Format::OpenSanctions | Format::Ftm) {
                let at = d.datasets[0].span;
                self.emit(
                    Diagnostic::error(
                        Code::BadList,
                        format!("a `{}` list has no datasets", format.name()),
                    )
                    .with_label(
                        at,
                        "`dataset` filters OpenSanctions and FollowTheMoney lists",
                    )
                    .with_help("filter by `reference` prefix instead, e.g. `reference \"KP\"`"),
                );
                continue;
            }
            if d.path.node.trim().is_empty() {
                self.emit(
                    Diagnostic::error(Code::BadList, "a list without a file")
                        .with_label(d.path.span, "empty path")
                        .with_help("give the list's file, relative to this rule file"),
                );
                continue;
            }
            let spec = crate::lists::Spec {
                format,
                path: d.path.node.clone(),
                references: d.references.iter().map(|r| r.node.clone()).collect(),
                datasets: d.datasets.iter().map(|r| r.node.clone()).collect(),
                schemata: d.schemata.iter().map(|r| r.node.clone()).collect(),
            };
            self.model.lists.insert(
                d.name.node.clone(),
                crate::model::ListDecl {
                    name: d.name.node.clone(),
                    spec,
                    span: item.span,
                    path_span: d.path.span,
                    data: None,
                },
            );
        }
    }

    fn entity_country(&mut self, c: &Node<PartyRef>) -> Option<String> {
        let PartyRef::Name(n) = &c.node else {
            self.emit(
                Diagnostic::error(Code::WrongKind, "an entity is in one country, not `any`")
                    .with_label(c.span, "expected a country")
                    .with_help("write the country's ISO code, e.g. `in RUS`"),
            );
            return None;
        };
        if iso::is_country(n) {
            return Some(n.clone());
        }
        if let Some(code) = self.model.aliases.get(n).cloned() {
            self.mark_used(n, c.span);
            return Some(code);
        }
        if let Some(d) = self.model.declarations.get(n) {
            let noun = d.kind.a_noun();
            self.used.insert(n.clone());
            self.emit(
                Diagnostic::error(Code::WrongKind, format!("`{n}` is {noun}, not a country"))
                    .with_label(c.span, "expected a country")
                    .with_help("an entity is `in` one country: an ISO code or a `party` alias"),
            );
            return None;
        }
        self.unknown_party(n, c.span);
        None
    }

    fn flatten_group(
        &mut self,
        g: &ast::GroupDecl,
        groups: &BTreeMap<String, &ast::GroupDecl>,
        stack: &mut Vec<String>,
    ) -> BTreeSet<PartyKey> {
        let mut out = BTreeSet::new();
        for m in &g.members {
            let PartyRef::Name(n) = &m.node else {
                self.emit(
                    Diagnostic::error(Code::WrongKind, "`any` cannot be a group member")
                        .with_label(m.span, "here")
                        .with_help("list the parties the group stands for"),
                );
                continue;
            };
            if stack.len() == 1 {
                self.mark_used(n, m.span);
            }
            if let Some(inner) = groups.get(n) {
                if stack.contains(n) {
                    // Reported once per cycle: for the group that comes
                    // first by name among those on it.
                    if *n == stack[0] && stack.iter().all(|g| *g >= stack[0]) {
                        let path = stack.join("` → `");
                        let decl = groups.get(&stack[0]).map_or(m.span, |g| g.name.span);
                        self.emit(
                            Diagnostic::error(
                                Code::HierarchyCycle,
                                format!("group `{}` contains itself", stack[0]),
                            )
                            .with_label(decl, format!("`{path}` → `{n}`"))
                            .with_help("a group cannot be a member of itself, directly or through other groups"),
                        );
                    }
                    continue;
                }
                stack.push(n.clone());
                out.extend(self.flatten_group(inner, groups, stack));
                stack.pop();
                continue;
            }
            if stack.len() > 1 {
                // Members of nested groups are reported where that group is checked.
                if let Some(keys) = self.party_keys_quiet(n) {
                    out.extend(keys);
                }
                continue;
            }
            if let Some(keys) = self.party_keys_quiet(n) {
                out.extend(keys);
            } else if !self.broken.contains(n) {
                self.unknown_member(n, m.span);
            }
        }
        out
    }

    /// Keys for a single named party (not a group), without diagnostics.
    fn party_keys_quiet(&self, n: &str) -> Option<Vec<PartyKey>> {
        if iso::is_country(n) {
            return Some(vec![PartyKey::Country(n.into())]);
        }
        if let Some(code) = self.model.aliases.get(n) {
            return Some(vec![PartyKey::Country(code.as_str().into())]);
        }
        if self.model.entities.contains_key(n) {
            return Some(vec![PartyKey::Entity(n.into())]);
        }
        self.model
            .groups
            .get(n)
            .map(|g| g.iter().cloned().collect())
    }

    /// Keys for a named party, reporting unknown names and wrong kinds.
    fn party_keys(&mut self, n: &str, span: Span) -> Option<Vec<PartyKey>> {
        if let Some(keys) = self.party_keys_quiet(n) {
            return Some(keys);
        }
        if self.broken.contains(n) {
            return None;
        }
        if let Some(d) = self.model.declarations.get(n) {
            let noun = d.kind.a_noun();
            self.emit(
                Diagnostic::error(Code::WrongKind, format!("`{n}` is {noun}, not a party"))
                    .with_label(span, "expected a party")
                    .with_help("parties are ISO codes, or names declared with `party`, `group` or `entity`"),
            );
            return None;
        }
        self.unknown_party(n, span);
        None
    }

    fn unknown_member(&mut self, n: &str, span: Span) {
        if let Some(d) = self.model.declarations.get(n) {
            let noun = d.kind.a_noun();
            self.emit(
                Diagnostic::error(Code::WrongKind, format!("`{n}` is {noun}, not a party"))
                    .with_label(span, "expected a party")
                    .with_help("group members are ISO codes, or names declared with `party`, `group` or `entity`"),
            );
            return;
        }
        let help = self.party_suggestion(n);
        self.emit(
            Diagnostic::error(
                Code::UnknownGroupMember,
                format!("unknown group member `{n}`"),
            )
            .with_label(span, "not a country code or a declared party")
            .with_help(help),
        );
    }

    pub(super) fn unknown_party(&mut self, n: &str, span: Span) {
        let help = self.party_suggestion(n);
        self.emit(
            Diagnostic::error(Code::UnknownParty, format!("unknown party `{n}`"))
                .with_label(span, "not a country code or a declared party")
                .with_help(help),
        );
    }

    /// "did you mean …?" for a party name, or what parties can be.
    fn party_suggestion(&mut self, n: &str) -> String {
        if let Some(code) = iso::common_name_code(n) {
            self.used.insert(code.to_string());
            return format!(
                "`{n}` is not an ISO 3166-1 alpha-3 code; did you mean `{code}` ({})?",
                iso::country_name(code).unwrap_or("")
            );
        }
        let declared: Vec<&str> = self
            .model
            .declarations
            .values()
            .filter(|d| matches!(d.kind, DeclKind::Party | DeclKind::Group | DeclKind::Entity))
            .map(|d| d.name.as_str())
            .collect();
        let best = suggest::closest(
            n,
            declared
                .iter()
                .copied()
                .chain(iso::COUNTRIES.iter().map(|c| c.0)),
        )
        .map(str::to_string);
        if let Some(b) = &best {
            // The analyst meant it: do not also call it unused.
            self.used.insert(b.clone());
        }
        let best = best.as_deref();
        let help = match best {
            Some(b) => match self.model.aliases.get(b) {
                Some(code) => format!(
                    "did you mean `{b}` ({code}, {})?",
                    iso::country_name(code).unwrap_or("")
                ),
                None => match iso::country_name(b) {
                    Some(name) => format!("did you mean `{b}` ({name})?"),
                    None => format!("did you mean `{b}`?"),
                },
            },
            None => "parties are ISO 3166-1 alpha-3 codes such as `PRK`, or names declared with `party`, `group` or `entity`".to_string(),
        };
        help
    }

    /// A rule's `from`/`to`/`via` party.
    pub(super) fn party_set(&mut self, p: &Node<PartyRef>) -> Option<PartySet> {
        match &p.node {
            PartyRef::Any => Some(PartySet::Any),
            PartyRef::Name(n) => {
                if self.model.declarations.contains_key(n) {
                    self.mark_used(n, p.span);
                }
                self.party_keys(n, p.span)
                    .map(|k| PartySet::Of(k.into_iter().collect()))
            }
        }
    }

    fn unit(&mut self, u: &ast::Ident) -> Option<Unit> {
        if let Some(unit) = units::lookup(&u.node) {
            return Some(unit);
        }
        let scientific = u.node.len() > 1
            && u.node.starts_with('e')
            && u.node[1..].bytes().all(|b| b.is_ascii_digit());
        let help = match units::suggest(&u.node) {
            _ if scientific => {
                "write numbers in full (`1000000` or `1_000_000`), not in scientific notation"
                    .to_string()
            }
            Some(s) => format!("did you mean `{s}`?"),
            None => "units are t, kg, bbl, l, m3, units, or an ISO 4217 currency such as USD"
                .to_string(),
        };
        self.emit(
            Diagnostic::error(Code::UnknownUnit, format!("unknown unit `{}`", u.node))
                .with_label(u.span, "not a unit sanc knows")
                .with_help(help),
        );
        None
    }

    /// A unit that must measure goods (not money).
    pub(super) fn goods_unit(&mut self, u: &ast::Ident) -> Option<Unit> {
        let unit = self.unit(u)?;
        if let units::Dimension::Money(_) = unit.dimension {
            self.emit(
                Diagnostic::error(
                    Code::UnknownUnit,
                    format!("`{}` is a currency, not a unit of goods", u.node),
                )
                .with_label(u.span, "expected a unit such as `bbl` or `t`"),
            );
            return None;
        }
        Some(unit)
    }

    /// A unit that must be a currency.
    pub(super) fn currency(&mut self, u: &ast::Ident) -> Option<Unit> {
        if let Some(unit) = units::lookup(&u.node) {
            if matches!(unit.dimension, units::Dimension::Money(_)) {
                return Some(unit);
            }
        }
        let help = match units::suggest(&u.node).filter(|s| iso::is_currency(s)) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "prices are in an ISO 4217 currency such as `USD` or `EUR`".to_string(),
        };
        self.emit(
            Diagnostic::error(
                Code::UnknownCurrency,
                format!("`{}` is not a currency", u.node),
            )
            .with_label(u.span, "expected a currency such as `USD`")
            .with_help(help),
        );
        None
    }

    pub(super) fn hs_code(&mut self, code: &Node<String>) -> bool {
        let n = code.node.len();
        if matches!(n, 2 | 4 | 6..=12) {
            return true;
        }
        self.emit(
            Diagnostic::error(
                Code::BadHsCode,
                format!("`{}` is not an HS code", code.node),
            )
            .with_label(
                code.span,
                format!("{n} digit{}", if n == 1 { "" } else { "s" }),
            )
            .with_help("HS codes are a chapter (2 digits, `27`), a heading (4, `2710`) or a subheading (6 or more, `271019`)"),
        );
        false
    }

    fn resolve_commodities(&mut self, items: &[(crate::source::FileId, &ast::Item)]) {
        let decls: Vec<(&ast::CommodityDecl, Option<String>)> = items
            .iter()
            .filter_map(|(_, i)| match &i.kind {
                ItemKind::Commodity(c) if self.is_the_declaration(&c.name) => {
                    Some((c, i.doc.clone()))
                }
                _ => None,
            })
            .collect();
        for (c, doc) in &decls {
            let hs =
                c.hs.iter()
                    .filter(|h| self.hs_code(h))
                    .map(|h| h.node.clone())
                    .collect();
            let measured = c
                .measured
                .iter()
                .filter_map(|u| self.goods_unit(u))
                .collect();
            let id = self.model.commodities.len();
            self.model.commodity_ids.insert(c.name.node.clone(), id);
            self.model.commodities.push(Commodity {
                name: c.name.node.clone(),
                title: c.title.as_ref().map(|t| t.node.clone()),
                doc: doc.clone(),
                hs,
                except: Vec::new(),
                parent: None,
                measured,
                conversions: Vec::new(),
                conversion_spans: Vec::new(),
                span: c.name.span,
            });
        }
        // Parents, then cycles.
        for (c, _) in &decls {
            let Some(p) = &c.parent else { continue };
            let Some(parent) = self.commodity_ref(p) else {
                continue;
            };
            if let Some(&id) = self.model.commodity_ids.get(&c.name.node) {
                self.model.commodities[id].parent = Some(parent);
            }
        }
        for (c, _) in &decls {
            let Some(&id) = self.model.commodity_ids.get(&c.name.node) else {
                continue;
            };
            let mut seen = BTreeSet::from([id]);
            let mut cur = self.model.commodities[id].parent;
            while let Some(p) = cur {
                if !seen.insert(p) {
                    if p == id {
                        let span = c.parent.as_ref().map_or(c.name.span, |p| p.span);
                        self.emit(
                            Diagnostic::error(
                                Code::HierarchyCycle,
                                format!("commodity `{}` is declared under itself", c.name.node),
                            )
                            .with_label(span, "this `under` leads back to it")
                            .with_help("the `under` chain must end at a commodity with no parent"),
                        );
                        self.model.commodities[id].parent = None;
                    }
                    break;
                }
                cur = self.model.commodities[p].parent;
            }
        }
        self.resolve_exceptions(&decls);
        // Conversions.
        for (_, item) in items {
            if let ItemKind::Convert(cv) = &item.kind {
                self.conversion(cv, item.span);
            }
        }
    }

    /// `except`: the codes a commodity's `hs` codes leave out, given or
    /// through other commodities (with everything under them). An exception
    /// outside every code of the commodity leaves out nothing; one that
    /// takes in a whole code leaves nothing of it.
    fn resolve_exceptions(&mut self, decls: &[(&ast::CommodityDecl, Option<String>)]) {
        let children = self.model.children_index();
        for (c, _) in decls {
            let Some(&id) = self.model.commodity_ids.get(&c.name.node) else {
                continue;
            };
            let own = self.model.commodities[id].hs.clone();
            let mut except: Vec<(String, Span)> = Vec::new();
            for code in &c.except_hs {
                if self.hs_code(code) {
                    except.push((code.node.clone(), code.span));
                }
            }
            for name in &c.except_commodities {
                let Some(other) = self.commodity_ref(name) else {
                    continue;
                };
                if other == id || self.model.is_under(id, other) {
                    self.emit(
                        Diagnostic::error(
                            Code::BadExcept,
                            format!(
                                "`{}` cannot leave out `{}`: it is under it",
                                c.name.node, name.node
                            ),
                        )
                        .with_label(name.span, "this takes in the whole commodity")
                        .with_help("leave out the codes or the commodities that are not this one"),
                    );
                    continue;
                }
                for p in self.model.hs_prefixes_with(&children, other) {
                    except.push((p.to_string(), name.span));
                }
            }
            let mut kept: Vec<String> = Vec::new();
            for (code, span) in except {
                if let Some(whole) = own.iter().find(|h| h.starts_with(code.as_str())) {
                    self.emit(
                        Diagnostic::error(
                            Code::BadExcept,
                            format!("`except {code}` leaves out all of `hs {whole}`"),
                        )
                        .with_label(span, format!("every code under {whole} starts with {code}"))
                        .with_help(format!("leave out longer codes, under {whole} (e.g. `{whole}12`), or drop `hs {whole}`")),
                    );
                    continue;
                }
                if !own.iter().any(|h| code.starts_with(h.as_str())) {
                    let codes = if own.is_empty() {
                        "no HS codes of its own".to_string()
                    } else {
                        format!("only {}", own.join(", "))
                    };
                    self.emit(
                        Diagnostic::warning(
                            Code::BadExcept,
                            format!("`except {code}` leaves out nothing: `{}` covers {codes}", c.name.node),
                        )
                        .with_label(span, "outside every code of the commodity")
                        .with_help("an exception names codes under the commodity's own, e.g. `hs 2710 except 271012`"),
                    );
                    continue;
                }
                kept.push(code);
            }
            kept.sort_unstable();
            kept.dedup();
            self.model.commodities[id].except = kept;
        }
    }

    /// A name that must be a declared commodity.
    pub(super) fn commodity_ref(&mut self, n: &ast::Ident) -> Option<usize> {
        if let Some(&id) = self.model.commodity_ids.get(&n.node) {
            self.mark_used(&n.node, n.span);
            return Some(id);
        }
        if self.broken.contains(&n.node) {
            return None;
        }
        if let Some(d) = self.model.declarations.get(&n.node) {
            let noun = d.kind.a_noun();
            self.emit(
                Diagnostic::error(
                    Code::WrongKind,
                    format!("`{}` is {noun}, not a commodity", n.node),
                )
                .with_label(n.span, "expected a commodity"),
            );
            return None;
        }
        let names: Vec<String> = self.model.commodity_ids.keys().cloned().collect();
        let best = suggest::closest(&n.node, names.iter().map(String::as_str)).map(str::to_string);
        let help = match best {
            Some(b) => {
                self.used.insert(b.clone());
                format!("did you mean `{b}`?")
            }
            // No example code: a made-up one (`hs 2710` for `arms`) would
            // read as advice about what the goods are.
            None => format!(
                "declare it with its HS codes, e.g. `commodity {} = hs <code>`, or name the codes in the rule (`hs <code>`)",
                n.node
            ),
        };
        self.emit(
            Diagnostic::error(
                Code::UnknownCommodity,
                format!("unknown commodity `{}`", n.node),
            )
            .with_label(n.span, "not declared in this rule set")
            .with_help(help),
        );
        None
    }

    fn conversion(&mut self, cv: &ast::ConvertDecl, span: Span) {
        let Some(id) = self.commodity_ref(&cv.commodity) else {
            return;
        };
        let (Some(from), Some(to)) = (self.goods_unit(&cv.from.unit), self.goods_unit(&cv.to.unit))
        else {
            return;
        };
        let bad = |msg: String, at: Span, help: &str| {
            Diagnostic::error(Code::BadConversion, msg)
                .with_label(at, "here")
                .with_help(help.to_string())
        };
        if from.dimension == to.dimension {
            self.emit(bad(
                format!(
                    "`{from}` and `{to}` are both {}; sanc converts them itself",
                    from.dimension
                ),
                span,
                "declare conversions only across dimensions, e.g. `convert coal 1 t = 7.33 bbl`",
            ));
            return;
        }
        for q in [&cv.from, &cv.to] {
            if q.amount.node.is_zero() {
                self.emit(bad(
                    "a conversion factor cannot be zero".to_string(),
                    q.amount.span,
                    "write how many of one unit make how many of the other, e.g. `1 t = 7.33 bbl`",
                ));
                return;
            }
        }
        let conv = Conversion {
            from_amount: cv.from.amount.node,
            from,
            to_amount: cv.to.amount.node,
            to,
        };
        let existing = self.model.commodities[id]
            .conversions
            .iter()
            .zip(&self.model.commodities[id].conversion_spans)
            .find(|(c, _)| c.links(&conv.from.dimension, &conv.to.dimension))
            .map(|(_, s)| *s);
        if let Some(first) = existing {
            self.emit(
                Diagnostic::error(
                    Code::DuplicateDeclaration,
                    format!(
                        "`{}` already has a conversion between {} and {}",
                        cv.commodity.node, conv.from.dimension, conv.to.dimension
                    ),
                )
                .with_label(span, "second conversion here")
                .with_label(first, "first conversion here")
                .with_help("keep one factor per commodity and pair of dimensions"),
            );
            return;
        }
        self.model.commodities[id].conversions.push(conv);
        self.model.commodities[id].conversion_spans.push(span);
    }
}
