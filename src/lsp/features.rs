//! Hover, go to definition, references, rename, completion, document
//! symbols and formatting, answered from the checked rule set.

use super::convert::{location, offset, range};
use super::workspace::Analysis;
use crate::iso;
use crate::model::{DeclKind, RuleKind};
use crate::source::{FileId, Span};
use crate::syntax::ast::{ItemKind, PartyRef};
use crate::syntax::{is_keyword, CLAUSE_KEYWORDS, KEYWORDS, STATEMENT_KEYWORDS};
use crate::units;
use lsp_types as lsp;
use std::collections::HashMap;

/// The identifier at `pos`, with its span.
fn word_at(a: &Analysis, file: FileId, pos: lsp::Position) -> Option<(String, Span)> {
    let f = a.sources.try_get(file)?;
    let at = offset(f, pos);
    let b = f.text.as_bytes();
    let is_word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut s = at;
    while s > 0 && is_word(b[s - 1]) {
        s -= 1;
    }
    let mut e = at;
    while e < b.len() && is_word(b[e]) {
        e += 1;
    }
    (e > s).then(|| (f.text[s..e].to_string(), Span::new(file, s, e)))
}

/// The declared name at `pos` (a declaration or a use of one).
fn name_at(a: &Analysis, file: FileId, pos: lsp::Position) -> Option<String> {
    let (word, span) = word_at(a, file, pos)?;
    let m = &a.checked.rules;
    let is_decl = m
        .declarations
        .get(&word)
        .is_some_and(|d| d.name_span == span)
        || declaration_spans(a, &word).contains(&span);
    let is_ref = m.references.iter().any(|r| {
        r.span.file == file
            && r.span.start <= span.start
            && span.end <= r.span.end
            && r.name == word
    });
    (is_decl || is_ref).then_some(word)
}

/// Every place `name` is declared: a duplicate declaration (an error, but
/// still the user's text) counts too, so a rename leaves none behind.
fn declaration_spans(a: &Analysis, name: &str) -> Vec<Span> {
    let mut out = Vec::new();
    for p in &a.parsed {
        for it in &p.ast.items {
            let declared = match &it.kind {
                ItemKind::Party(d) => &d.name,
                ItemKind::Group(d) => &d.name,
                ItemKind::Entity(d) => &d.name,
                ItemKind::Commodity(d) => &d.name,
                ItemKind::Exemption(d) => &d.name,
                ItemKind::List(d) => &d.name,
                ItemKind::Regime(_) | ItemKind::Convert(_) | ItemKind::Rule(_) => continue,
            };
            if declared.node == name {
                out.push(declared.span);
            }
        }
    }
    out
}

/// A list on hover: its file, format, filter, entry count and dates.
fn list_hover(l: &crate::model::ListDecl) -> String {
    let mut t = format!("{} from `{}`", l.spec.format.describe(), l.spec.path);
    if !l.spec.references.is_empty() {
        t.push_str(&format!(
            ", references beginning {}",
            l.spec.references.join(", ")
        ));
    }
    if !l.spec.datasets.is_empty() {
        t.push_str(&format!(", datasets {}", l.spec.datasets.join(", ")));
    }
    if !l.spec.schemata.is_empty() {
        t.push_str(&format!(", schema {}", l.spec.schemata.join(", ")));
    }
    match &l.data {
        Some(data) => {
            t.push_str(&format!(
                "\n\n{} entries (file `{}`",
                data.entries.len(),
                data.file.display()
            ));
            if data.filtered_out > 0 {
                t.push_str(&format!(
                    "; {} more left out by the filter",
                    data.filtered_out
                ));
            }
            t.push(')');
            match data.date_range() {
                (Some(a), Some(b)) => t.push_str(&format!("\n\nlisted {a} … {b}")),
                _ => t.push_str("\n\nno listing dates: entries count as listed on every day"),
            }
        }
        None => t.push_str("\n\nnot loaded"),
    }
    t
}

pub fn hover(a: &Analysis, file: FileId, pos: lsp::Position) -> Option<lsp::Hover> {
    let (word, span) = word_at(a, file, pos)?;
    let m = &a.checked.rules;
    let mut text = String::new();
    if let Some(d) = m.declarations.get(&word) {
        text.push_str(&format!("**{}** `{}`", d.kind.noun(), d.name));
        if let Some(t) = &d.title {
            text.push_str(&format!(" — {t}"));
        }
        match d.kind {
            DeclKind::Party => {
                if let Some(code) = &d.code {
                    text.push_str(&format!(
                        "\n\nalias of `{code}` ({})",
                        iso::country_name(code).unwrap_or("unknown code")
                    ));
                }
            }
            DeclKind::Commodity => {
                if let Some(c) = m
                    .commodity_ids
                    .get(&word)
                    .and_then(|i| m.commodities.get(*i))
                {
                    if !c.hs.is_empty() {
                        text.push_str(&format!("\n\nHS {}", c.hs.join(", ")));
                    }
                    if let Some(p) = c.parent.and_then(|p| m.commodities.get(p)) {
                        text.push_str(&format!("\n\nunder `{}`", p.name));
                    }
                    if !c.measured.is_empty() {
                        let u: Vec<&str> = c.measured.iter().map(|u| u.symbol).collect();
                        text.push_str(&format!("\n\nmeasured in {}", u.join(", ")));
                    }
                }
            }
            DeclKind::Group => {
                if let Some(g) = m.groups.get(&word) {
                    let names: Vec<String> = g
                        .iter()
                        .map(|k| match k {
                            crate::model::PartyKey::Country(c)
                            | crate::model::PartyKey::Entity(c) => c.to_string(),
                        })
                        .collect();
                    text.push_str(&format!("\n\nmembers: {}", names.join(", ")));
                }
            }
            DeclKind::Entity => {
                if let Some(Some(c)) = m.entities.get(&word) {
                    text.push_str(&format!(
                        "\n\nin `{c}` ({})",
                        iso::country_name(c).unwrap_or("")
                    ));
                }
            }
            DeclKind::Exemption => {}
            DeclKind::List => {
                if let Some(l) = m.lists.get(&word) {
                    text.push_str(&format!("\n\n{}", list_hover(l)));
                }
            }
        }
        if let Some(doc) = &d.doc {
            text.push_str(&format!("\n\n---\n\n{doc}"));
        }
    } else if let Some(name) = iso::country_name(&word) {
        text = format!("**country** `{word}` — {name} (ISO 3166-1 alpha-3)");
    } else if let Some(rule) = m.rules.iter().find(|r| {
        r.span.file == file
            && r.span.start <= span.start
            && span.end <= r.span.end
            && (is_keyword(&word) || r.id.ends_with(&word))
    }) {
        text = format!("**rule** `{}`", rule.id);
        text.push_str(match rule.kind {
            RuleKind::Ban => " (ban)",
            RuleKind::Cap { .. } => " (cap)",
            RuleKind::CapPrice { .. } => " (price cap)",
            RuleKind::RequireReport { .. } => " (reporting duty)",
        });
        if let Some(c) = &rule.cite {
            text.push_str(&format!("\n\ncite: {c}"));
        }
        match (rule.effective, rule.until) {
            (Some(e), Some(u)) => text.push_str(&format!("\n\nin force {e} to {u}")),
            (Some(e), None) => text.push_str(&format!("\n\nin force from {e}")),
            (None, Some(u)) => text.push_str(&format!("\n\nin force until {u}")),
            (None, None) => {}
        }
        if let Some(doc) = &rule.doc {
            text.push_str(&format!("\n\n---\n\n{doc}"));
        }
    } else if let Some(u) = units::lookup(&word) {
        text = format!("**unit** `{}` — {}", u.symbol, u.dimension);
    } else {
        return None;
    }
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: text,
        }),
        range: range(&a.sources, span),
    })
}

pub fn definition(a: &Analysis, file: FileId, pos: lsp::Position) -> Option<lsp::Location> {
    let name = name_at(a, file, pos)?;
    let d = a.checked.rules.declarations.get(&name)?;
    location(&a.sources, d.name_span)
}

pub fn references(
    a: &Analysis,
    file: FileId,
    pos: lsp::Position,
    with_declaration: bool,
) -> Vec<lsp::Location> {
    let Some(name) = name_at(a, file, pos) else {
        return Vec::new();
    };
    let m = &a.checked.rules;
    let mut spans: Vec<Span> = m
        .references
        .iter()
        .filter(|r| r.name == name)
        .map(|r| r.span)
        .collect();
    if with_declaration {
        spans.extend(declaration_spans(a, &name));
    }
    spans.sort_by_key(|s| (s.file, s.start));
    spans.dedup();
    spans
        .into_iter()
        .filter_map(|s| location(&a.sources, s))
        .collect()
}

/// Rename a declared name everywhere, or say why not.
pub fn rename(
    a: &Analysis,
    file: FileId,
    pos: lsp::Position,
    new: &str,
) -> Result<lsp::WorkspaceEdit, String> {
    let name = name_at(a, file, pos).ok_or("only declared names can be renamed")?;
    let valid = new.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && new.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(format!(
            "`{new}` is not a name: use letters, digits and `_`"
        ));
    }
    if is_keyword(new) {
        return Err(format!("`{new}` is a keyword"));
    }
    if iso::is_country(new) {
        return Err(format!(
            "`{new}` is the ISO code of {}",
            iso::country_name(new).unwrap_or("a country")
        ));
    }
    if new != name && a.checked.rules.declarations.contains_key(new) {
        return Err(format!("`{new}` is already declared"));
    }
    // A statement that does not parse may use the name where the server
    // cannot see it: renaming around it would leave it behind.
    if let Some(bad) = a.parsed.iter().find(|p| {
        !p.unparsed_words.is_empty()
            || p.diagnostics
                .iter()
                .any(|d| d.is_error() && d.code.as_str().starts_with("sanc::parse::"))
    }) {
        let shown = a
            .sources
            .try_get(bad.ast.file)
            .map_or_else(|| "a file".to_string(), |f| format!("`{}`", f.name));
        return Err(format!(
            "{shown} does not parse: fix its syntax errors first, so that every use of `{name}` can be renamed"
        ));
    }
    let mut changes: HashMap<lsp::Url, Vec<lsp::TextEdit>> = HashMap::new();
    for loc in references(a, file, pos, true) {
        changes.entry(loc.uri).or_default().push(lsp::TextEdit {
            range: loc.range,
            new_text: new.to_string(),
        });
    }
    Ok(lsp::WorkspaceEdit {
        changes: Some(changes),
        ..lsp::WorkspaceEdit::default()
    })
}

/// Whether the end of `line` (the text of a line before the cursor) is
/// inside a string or a comment. Strings end at the line's end, as in the
/// grammar; `\"` and `\\` are escapes inside them.
fn in_string_or_comment(line: &str) -> bool {
    let mut in_string = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => in_string = !in_string,
            '\\' if in_string => {
                chars.next();
            }
            '#' if !in_string => return true,
            _ => {}
        }
    }
    in_string
}

fn item(label: &str, kind: lsp::CompletionItemKind, detail: Option<String>) -> lsp::CompletionItem {
    lsp::CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        ..lsp::CompletionItem::default()
    }
}

/// Keywords, declared names, ISO codes and units, by what the cursor follows.
pub fn completion(a: &Analysis, file: FileId, pos: lsp::Position) -> Vec<lsp::CompletionItem> {
    let Some(f) = a.sources.try_get(file) else {
        return Vec::new();
    };
    let at = offset(f, pos);
    let line_start = f.text[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = &f.text[line_start..at];
    // Nothing to offer inside a string or a comment.
    if in_string_or_comment(before) {
        return Vec::new();
    }
    // The word before the one being typed.
    let mut words = before.split(|c: char| c.is_whitespace() || c == ',' || c == '[');
    let _typing = words.next_back();
    let prev = words.rfind(|w| !w.is_empty()).unwrap_or("");
    let m = &a.checked.rules;
    let decls = |kinds: &[DeclKind]| {
        m.declarations
            .values()
            .filter(|d| kinds.contains(&d.kind))
            .map(|d| {
                item(
                    &d.name,
                    match d.kind {
                        DeclKind::Commodity => lsp::CompletionItemKind::CLASS,
                        DeclKind::Exemption => lsp::CompletionItemKind::EVENT,
                        _ => lsp::CompletionItemKind::CONSTANT,
                    },
                    Some(format!(
                        "{}{}",
                        d.kind.noun(),
                        d.title
                            .as_ref()
                            .map(|t| format!(": {t}"))
                            .unwrap_or_default()
                    )),
                )
            })
            .collect::<Vec<_>>()
    };
    let kw = |words: &[&str]| {
        words
            .iter()
            .map(|w| item(w, lsp::CompletionItemKind::KEYWORD, None))
            .collect::<Vec<_>>()
    };
    let countries = || {
        iso::COUNTRIES
            .iter()
            .map(|(c, n)| item(c, lsp::CompletionItemKind::CONSTANT, Some(n.to_string())))
            .collect::<Vec<_>>()
    };
    let unit_items = || {
        units::builtin_units()
            .iter()
            .map(|(s, d, _)| item(s, lsp::CompletionItemKind::UNIT, Some(d.to_string())))
            .collect::<Vec<_>>()
    };
    let in_group = before.contains('[') && !before.contains(']');
    let mut out = match prev {
        "from" | "to" | "via" | "in" => {
            let mut v = decls(&[DeclKind::Party, DeclKind::Group, DeclKind::Entity]);
            v.extend(kw(&["any"]));
            v.extend(countries());
            v
        }
        _ if in_group => {
            let mut v = decls(&[DeclKind::Party, DeclKind::Group, DeclKind::Entity]);
            v.extend(countries());
            v
        }
        "ban" | "cap" | "of" | "under" | "convert" | "price" => {
            let mut v = decls(&[DeclKind::Commodity]);
            v.extend(kw(&["any", "hs"]));
            if prev == "cap" {
                v.extend(kw(&["price"]));
            }
            v
        }
        "exemption" => decls(&[DeclKind::Exemption]),
        "on" => decls(&[DeclKind::List]),
        "with" | "no" => {
            let mut v: Vec<lsp::CompletionItem> = crate::roles::Participant::names()
                .map(|r| item(r, lsp::CompletionItemKind::FIELD, Some("role".into())))
                .collect();
            if prev == "with" {
                v.extend(kw(&["any"]));
            } else {
                v.extend(kw(&["party"]));
            }
            v
        }
        "flagged" => {
            let mut v = decls(&[DeclKind::Party, DeclKind::Group]);
            v.extend(countries());
            v
        }
        "fuzzy" => Vec::new(),
        "provided" => kw(&["no"]),
        "per" => {
            let mut v = kw(&["year", "quarter", "month", "day"]);
            v.extend(unit_items());
            v
        }
        "severity" => kw(&["error", "warning"]),
        "by" => {
            let mut v = kw(&["origin", "destination"]);
            v.extend(crate::roles::Transfer::ALL.iter().map(|t| {
                item(
                    t.as_str(),
                    lsp::CompletionItemKind::ENUM_MEMBER,
                    Some("transfer mode".into()),
                )
            }));
            v
        }
        "warn" => kw(&["at"]),
        "except" => kw(&["exemption"]),
        p if p.starts_with(|c: char| c.is_ascii_digit()) && !p.ends_with('%') => {
            let mut v = unit_items();
            v.extend(
                iso::CURRENCIES
                    .iter()
                    .map(|c| item(c, lsp::CompletionItemKind::UNIT, Some("currency".into()))),
            );
            v.extend(kw(&["days", "months"]));
            v
        }
        "" => {
            let mut v = kw(&STATEMENT_KEYWORDS);
            v.extend(kw(&CLAUSE_KEYWORDS));
            v
        }
        _ => {
            let mut v = kw(&CLAUSE_KEYWORDS);
            v.extend(kw(&[
                "from", "to", "via", "per", "or", "by", "within", "monthly", "every", "with",
            ]));
            v
        }
    };
    // Keywords everywhere else are still offered last.
    if out.is_empty() {
        out = kw(&KEYWORDS);
    }
    out
}

fn symbol(
    name: String,
    detail: Option<String>,
    kind: lsp::SymbolKind,
    full: lsp::Range,
    selection: lsp::Range,
) -> lsp::DocumentSymbol {
    #[allow(deprecated)]
    lsp::DocumentSymbol {
        name,
        detail,
        kind,
        tags: None,
        deprecated: None,
        range: full,
        selection_range: selection,
        children: None,
    }
}

/// The regime, declarations and rules of one file.
pub fn symbols(a: &Analysis, file: FileId) -> Vec<lsp::DocumentSymbol> {
    let Some(parsed) = a.parsed.get(file.0 as usize) else {
        return Vec::new();
    };
    let m = &a.checked.rules;
    let mut out = Vec::new();
    for it in &parsed.ast.items {
        let Some(full) = range(&a.sources, it.span) else {
            continue;
        };
        let (name, detail, kind, sel) = match &it.kind {
            ItemKind::Regime(d) => (
                d.name.node.clone(),
                d.title.as_ref().map(|t| t.node.clone()),
                lsp::SymbolKind::NAMESPACE,
                d.name.span,
            ),
            ItemKind::Party(d) => (
                d.name.node.clone(),
                Some(format!("= {}", d.code.node)),
                lsp::SymbolKind::CONSTANT,
                d.name.span,
            ),
            ItemKind::Group(d) => {
                let members: Vec<String> = d
                    .members
                    .iter()
                    .map(|p| match &p.node {
                        PartyRef::Any => "any".into(),
                        PartyRef::Name(n) => n.clone(),
                    })
                    .collect();
                (
                    d.name.node.clone(),
                    Some(members.join(", ")),
                    lsp::SymbolKind::ENUM,
                    d.name.span,
                )
            }
            ItemKind::Entity(d) => (
                d.name.node.clone(),
                d.title.as_ref().map(|t| t.node.clone()),
                lsp::SymbolKind::STRUCT,
                d.name.span,
            ),
            ItemKind::Commodity(d) => {
                let hs: Vec<&str> = d.hs.iter().map(|h| h.node.as_str()).collect();
                (
                    d.name.node.clone(),
                    (!hs.is_empty()).then(|| format!("HS {}", hs.join(", "))),
                    lsp::SymbolKind::CLASS,
                    d.name.span,
                )
            }
            ItemKind::Convert(d) => (
                format!("convert {}", d.commodity.node),
                None,
                lsp::SymbolKind::OPERATOR,
                d.commodity.span,
            ),
            ItemKind::Exemption(d) => (
                d.name.node.clone(),
                d.title.as_ref().map(|t| t.node.clone()),
                lsp::SymbolKind::EVENT,
                d.name.span,
            ),
            ItemKind::List(d) => (
                d.name.node.clone(),
                Some(format!("{} \"{}\"", d.format.node, d.path.node)),
                lsp::SymbolKind::ARRAY,
                d.name.span,
            ),
            ItemKind::Rule(r) => {
                let checked = m.rules.iter().find(|x| x.span == it.span);
                let name = match (checked, &r.label) {
                    (Some(c), _) => c.id.clone(),
                    (None, Some(l)) => l.node.clone(),
                    (None, None) => r.kind.keyword().to_string(),
                };
                let sel = r.label.as_ref().map_or(r.keyword, |l| l.span);
                (
                    name,
                    checked.and_then(|c| c.cite.clone()),
                    lsp::SymbolKind::FUNCTION,
                    sel,
                )
            }
        };
        let Some(sel) = range(&a.sources, sel) else {
            continue;
        };
        out.push(symbol(name, detail, kind, full, sel));
    }
    out
}

/// The whole-document edit `sanc fmt` would make; none if the file does
/// not parse or is already formatted.
pub fn formatting(text: &str) -> Vec<lsp::TextEdit> {
    match crate::fmt::format(text) {
        Ok(formatted) if formatted != text => {
            let file = crate::source::SourceFile::new("", None, text.to_string());
            vec![lsp::TextEdit {
                range: lsp::Range {
                    start: lsp::Position::default(),
                    end: super::convert::position(&file, text.len()),
                },
                new_text: formatted,
            }]
        }
        _ => Vec::new(),
    }
}
