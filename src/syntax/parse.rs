//! The parser driver: pest, one statement at a time, lowered to the typed AST.
//!
//! pest has no error recovery, so we drive it statement by statement. After
//! a statement fails we skip to the next line that begins a statement, which
//! keeps one mistake from hiding the rest of the file.

use super::ast::Shift;
use super::ast::*;
use super::errors::{syntax_error, StatementStart};
use super::grammar::{Rule as R, SancParser};
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::source::{FileId, Span};
use chrono::NaiveDate;
use pest::iterators::Pair;
use pest::Parser;
use rust_decimal::Decimal;
use std::num::NonZeroUsize;
use std::sync::Once;

/// What parsing one file gives: the statements that parsed, the problems,
/// and the names of declarations that did not parse (so the checker does not
/// report every later use of them as unknown).
#[derive(Debug, Clone)]
pub struct Parsed {
    pub ast: SourceFileAst,
    pub diagnostics: Vec<Diagnostic>,
    pub broken_names: Vec<String>,
    /// Words in statements that did not parse: declarations they name are
    /// not reported as unused.
    pub unparsed_words: Vec<String>,
    /// What each step of the parser (one statement, or one stretch skipped
    /// after an error) began at and gave, for [`reparse`].
    steps: Vec<Step>,
}

/// One step of the statement-by-statement parse: where it began, and how
/// many items, diagnostics, broken names and unparsed words it added.
#[derive(Debug, Clone, Copy)]
struct Step {
    start: usize,
    items: u32,
    diagnostics: u32,
    broken: u32,
    words: u32,
    /// The diagnostic before this step starts where the step does (an
    /// error there is not reported twice).
    diagnostic_at_start: bool,
}

/// Bounds pest's work on hostile input (it errors instead of running away).
const CALL_LIMIT: usize = 5_000_000;

pub fn parse(file: FileId, text: &str) -> Parsed {
    let mut out = Parsed {
        ast: SourceFileAst {
            file,
            items: Vec::new(),
        },
        diagnostics: Vec::new(),
        broken_names: Vec::new(),
        unparsed_words: Vec::new(),
        steps: Vec::new(),
    };
    run(&mut out, text, skip_trivia(text, 0), |_, _| false);
    out
}

/// Parse `new`, the text of a file whose previous text `old` parsed as
/// `previous`: only the statements around the edit are parsed again; those
/// before it are kept, those after it are kept with their spans moved. The
/// result is the one [`parse`] gives (the incremental test compares them).
pub fn reparse(file: FileId, old: &str, previous: Parsed, new: &str) -> Parsed {
    if previous.ast.file != file {
        return parse(file, new);
    }
    // The edit: a common beginning, and a common end not overlapping it.
    let head = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let room = old.len().min(new.len()) - head;
    let tail = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(room)
        .take_while(|(a, b)| a == b)
        .count();
    let old_end = old.len() - tail;
    let new_end = new.len() - tail;
    let delta = new.len() as isize - old.len() as isize;
    let line_end = |at: usize| old[at..].find('\n').map_or(old.len(), |i| at + i);
    // A step is kept when the look-ahead past its end (the next step's
    // first words, on that step's first line) ends before the edit.
    let keep = previous
        .steps
        .iter()
        .position(|s| line_end(s.start) >= head)
        .unwrap_or(previous.steps.len())
        .saturating_sub(1);
    let kept = &previous.steps[..keep];
    let count = |f: fn(&Step) -> u32| -> usize { kept.iter().map(|s| f(s) as usize).sum() };
    let (k_items, k_diags, k_broken, k_words) = (
        count(|s| s.items),
        count(|s| s.diagnostics),
        count(|s| s.broken),
        count(|s| s.words),
    );
    let Parsed {
        ast,
        diagnostics,
        broken_names,
        unparsed_words,
        steps: old_steps,
    } = previous;
    let mut out = Parsed {
        ast: SourceFileAst {
            file,
            items: ast.items,
        },
        diagnostics,
        broken_names,
        unparsed_words,
        steps: old_steps,
    };
    // Take the old outputs apart: the kept beginning stays in `out`. The
    // items stay where they are (a large file has many): the statements
    // parsed again go to `out` alone, and take the place of the old ones.
    let mut items = std::mem::take(&mut out.ast.items);
    let mut diags = out.diagnostics.split_off(k_diags);
    let mut broken = out.broken_names.split_off(k_broken);
    let mut words = out.unparsed_words.split_off(k_words);
    let mut rest = out.steps.split_off(keep);
    // The first step again, or the file's start if the edit is before it.
    let resume = match rest.first() {
        Some(s) if s.start < head => s.start,
        _ => skip_trivia(new, 0),
    };
    // Parse again until a step begins where an old one did, in the
    // unchanged end, with two whole old steps between the edit and it (what
    // a step reads before its start lies in them), and in the same state.
    let mut found: Option<usize> = None;
    let starts: Vec<usize> = rest.iter().map(|s| s.start).collect();
    let stop = |pos: usize, at_start: bool| {
        if pos < new_end {
            return false;
        }
        let Some(q) = pos.checked_add_signed(-delta) else {
            return false;
        };
        let Ok(j) = starts.binary_search(&q) else {
            return false;
        };
        if j < 2 || starts[j - 2] < old_end || rest[j].diagnostic_at_start != at_start {
            return false;
        }
        found = Some(j);
        true
    };
    run(&mut out, new, resume, stop);
    let Some(j) = found else {
        items.truncate(k_items);
        items.append(&mut out.ast.items);
        out.ast.items = items;
        return out;
    };
    // The old steps from `j` on, moved by `delta`.
    let before = |f: fn(&Step) -> u32| -> usize { rest[..j].iter().map(|s| f(s) as usize).sum() };
    let (n_items, n_diags, n_broken, n_words) = (
        before(|s| s.items),
        before(|s| s.diagnostics),
        before(|s| s.broken),
        before(|s| s.words),
    );
    let first_items = rest[j].items as usize;
    let parsed_again = out.ast.items.len();
    items.splice(
        k_items..(k_items + n_items).min(items.len()),
        out.ast.items.drain(..),
    );
    out.ast.items = items;
    let moved_at = (k_items + parsed_again).min(out.ast.items.len());
    let moved_items = &mut out.ast.items[moved_at..];
    let mut moved_diags = diags.split_off(n_diags);
    let ok = moved_items.iter_mut().all(|i| i.shift(delta, old_end))
        && moved_diags
            .iter_mut()
            .all(|d| d.labels.iter_mut().all(|l| l.span.shift(delta, old_end)));
    if !ok {
        return parse(file, new);
    }
    // A doc comment is read from the lines above its statement, which for
    // the first kept step may have changed.
    for item in moved_items.iter_mut().take(first_items) {
        item.doc = doc_comment(new, item.span.start);
    }
    out.diagnostics.append(&mut moved_diags);
    out.broken_names.append(&mut broken.split_off(n_broken));
    out.unparsed_words.append(&mut words.split_off(n_words));
    for mut s in rest.drain(j..) {
        s.start = s.start.saturating_add_signed(delta);
        out.steps.push(s);
    }
    out
}

/// The parser's loop from `pos` on, adding to `out`; before each step,
/// `stop(pos, diagnostic_at_start)` may end it.
fn run(out: &mut Parsed, text: &str, mut pos: usize, mut stop: impl FnMut(usize, bool) -> bool) {
    static LIMIT: Once = Once::new();
    LIMIT.call_once(|| pest::set_call_limit(NonZeroUsize::new(CALL_LIMIT)));
    let file = out.ast.file;
    while pos < text.len() {
        let diagnostic_at_start = out
            .diagnostics
            .last()
            .is_some_and(|d| d.primary_span().map(|s| s.start) == Some(pos));
        if stop(pos, diagnostic_at_start) {
            return;
        }
        let before = (
            out.ast.items.len(),
            out.diagnostics.len(),
            out.broken_names.len(),
            out.unparsed_words.len(),
        );
        let start = pos;
        match SancParser::parse(R::statement_at, &text[pos..]) {
            Ok(pairs) => {
                let mut end = pos;
                for pair in pairs {
                    end = end.max(pos + pair.as_span().end());
                    let mut lower = Lower {
                        file,
                        offset: pos,
                        diags: &mut out.diagnostics,
                    };
                    match lower.item(pair, text) {
                        Some(item) => out.ast.items.push(item),
                        None => {
                            let stmt = &text[pos..end.max(pos)];
                            out.broken_names.extend(StatementStart::declared_name(stmt));
                            out.unparsed_words.extend(words(stmt));
                        }
                    }
                }
                // A successful parse always consumes something; guard anyway.
                pos = skip_trivia(text, end.max(pos + 1));
            }
            Err(err) => {
                let diag = syntax_error(file, text, pos, &err);
                let err_at = diag.primary_span().map_or(pos, |s| s.start);
                // Resuming at the very token that failed would report it twice.
                let again = out
                    .diagnostics
                    .last()
                    .is_some_and(|d| d.primary_span().map(|s| s.start) == Some(err_at));
                if !again {
                    out.diagnostics.push(diag);
                }
                out.broken_names
                    .extend(StatementStart::declared_name(&text[pos..]));
                let next = resync(text, pos, err_at);
                out.unparsed_words.extend(words(&text[pos..next]));
                pos = next;
            }
        }
        let n = |now: usize, was: usize| (now - was) as u32;
        out.steps.push(Step {
            start,
            items: n(out.ast.items.len(), before.0),
            diagnostics: n(out.diagnostics.len(), before.1),
            broken: n(out.broken_names.len(), before.2),
            words: n(out.unparsed_words.len(), before.3),
            diagnostic_at_start,
        });
    }
}

/// The identifiers in a piece of text (comments included; it is only a hint).
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
        .map(str::to_string)
}

/// Skip white space and comments.
fn skip_trivia(text: &str, mut pos: usize) -> usize {
    let bytes = text.as_bytes();
    while pos < bytes.len() {
        match bytes[pos] {
            b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
            b'#' => {
                while pos < bytes.len() && bytes[pos] != b'\n' {
                    pos += 1;
                }
            }
            _ if text[pos..].starts_with('\u{FEFF}') => pos += '\u{FEFF}'.len_utf8(),
            _ => break,
        }
    }
    pos.min(text.len())
}

/// Where to resume after a statement starting at `pos` failed at `err`: the
/// first line after the statement's first line that begins a statement and
/// does not begin before the error (so a failing line is not tried twice).
fn resync(text: &str, pos: usize, err: usize) -> usize {
    let mut line_start = match text[pos..].find('\n') {
        Some(i) => pos + i + 1,
        None => return text.len(),
    };
    while line_start < text.len() {
        let first = line_start
            + text[line_start..]
                .find(|c: char| c != ' ' && c != '\t')
                .unwrap_or(text.len() - line_start);
        if first >= err && StatementStart::likely(&text[first..]) {
            return first;
        }
        line_start = match text[line_start..].find('\n') {
            Some(i) => line_start + i + 1,
            None => return text.len(),
        };
    }
    text.len()
}

struct Lower<'d> {
    file: FileId,
    offset: usize,
    diags: &'d mut Vec<Diagnostic>,
}

type P<'i> = Pair<'i, R>;

impl Lower<'_> {
    /// A node's span, ending at its last token: pest's own spans of
    /// non-atomic rules also take in the white space and comments that
    /// follow an optional part that is absent.
    fn span(&self, pair: &P) -> Span {
        let s = pair.as_span();
        Span::new(
            self.file,
            self.offset + s.start(),
            self.offset + token_end(pair),
        )
    }

    fn ident(&self, pair: &P) -> Ident {
        Node::new(pair.as_str().to_string(), self.span(pair))
    }

    fn item(&mut self, pair: P, text: &str) -> Option<Item> {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            R::regime_decl => ItemKind::Regime(self.regime(pair)?),
            R::party_decl => ItemKind::Party(self.party_decl(pair)?),
            R::group_decl => ItemKind::Group(self.group(pair)?),
            R::entity_decl => ItemKind::Entity(self.entity(pair)?),
            R::commodity_decl => ItemKind::Commodity(self.commodity(pair)?),
            R::convert_decl => ItemKind::Convert(self.convert(pair)?),
            R::exemption_decl => ItemKind::Exemption(self.exemption(pair)?),
            R::list_decl => ItemKind::List(self.list_decl(pair)?),
            R::rule => ItemKind::Rule(self.rule(pair)?),
            _ => return None,
        };
        Some(Item {
            doc: doc_comment(text, span.start),
            kind,
            span,
        })
    }

    fn title(&self, pair: P) -> Node<String> {
        let span = self.span(&pair);
        let body = pair
            .into_inner()
            .flat_map(|p| p.into_inner())
            .find(|p| p.as_rule() == R::string_body)
            .map(|p| unescape(p.as_str()))
            .unwrap_or_default();
        Node::new(body, span)
    }

    fn string(&self, pair: P) -> String {
        pair.into_inner()
            .find(|p| p.as_rule() == R::string_body)
            .map(|p| unescape(p.as_str()))
            .unwrap_or_default()
    }

    fn regime(&mut self, pair: P) -> Option<RegimeDecl> {
        let (mut name, mut title) = (None, None);
        for p in pair.into_inner() {
            match p.as_rule() {
                R::name => name = Some(self.ident(&p)),
                R::title => title = Some(self.title(p)),
                _ => {}
            }
        }
        Some(RegimeDecl { name: name?, title })
    }

    fn party_decl(&mut self, pair: P) -> Option<PartyDecl> {
        let (mut name, mut code, mut title) = (None, None, None);
        for p in pair.into_inner() {
            match p.as_rule() {
                R::name => name = Some(self.ident(&p)),
                R::country_code => code = Some(self.ident(&p)),
                R::title => title = Some(self.title(p)),
                _ => {}
            }
        }
        Some(PartyDecl {
            name: name?,
            code: code?,
            title,
        })
    }

    fn party(&self, pair: P) -> Node<PartyRef> {
        let span = self.span(&pair);
        let inner = pair.into_inner().next();
        match inner {
            Some(p) if p.as_rule() == R::name_ref => {
                Node::new(PartyRef::Name(p.as_str().to_string()), span)
            }
            _ => Node::new(PartyRef::Any, span),
        }
    }

    fn group(&mut self, pair: P) -> Option<GroupDecl> {
        let (mut name, mut members, mut title) = (None, Vec::new(), None);
        for p in pair.into_inner() {
            match p.as_rule() {
                R::name => name = Some(self.ident(&p)),
                R::party => members.push(self.party(p)),
                R::title => title = Some(self.title(p)),
                _ => {}
            }
        }
        Some(GroupDecl {
            name: name?,
            members,
            title,
        })
    }

    fn entity(&mut self, pair: P) -> Option<EntityDecl> {
        let (mut name, mut title, mut country) = (None, None, None);
        for p in pair.into_inner() {
            match p.as_rule() {
                R::name => name = Some(self.ident(&p)),
                R::title => title = Some(self.title(p)),
                R::party => country = Some(self.party(p)),
                _ => {}
            }
        }
        Some(EntityDecl {
            name: name?,
            title,
            country,
        })
    }

    fn hs_codes(&self, pair: P) -> Vec<Node<String>> {
        pair.into_inner()
            .filter(|p| p.as_rule() == R::hs_code)
            .map(|p| self.ident(&p))
            .collect()
    }

    fn commodity(&mut self, pair: P) -> Option<CommodityDecl> {
        let mut d = CommodityDecl {
            name: Node::new(String::new(), self.span(&pair)),
            title: None,
            hs: Vec::new(),
            except_hs: Vec::new(),
            except_commodities: Vec::new(),
            parent: None,
            measured: Vec::new(),
        };
        let mut named = false;
        for p in pair.into_inner() {
            match p.as_rule() {
                R::name => {
                    d.name = self.ident(&p);
                    named = true;
                }
                R::title => d.title = Some(self.title(p)),
                R::hs_list => {
                    let mut inner = p.into_inner();
                    d.hs = inner
                        .clone()
                        .filter(|p| p.as_rule() == R::hs_code)
                        .map(|p| self.ident(&p))
                        .collect();
                    if let Some(except) = inner.find(|p| p.as_rule() == R::hs_except) {
                        for item in except.into_inner() {
                            match item.as_rule() {
                                R::hs_code => d.except_hs.push(self.ident(&item)),
                                R::name_ref => d.except_commodities.push(self.ident(&item)),
                                _ => {}
                            }
                        }
                    }
                }
                R::parent => {
                    d.parent = p
                        .into_inner()
                        .find(|p| p.as_rule() == R::name_ref)
                        .map(|p| self.ident(&p))
                }
                R::measured => {
                    d.measured = p
                        .into_inner()
                        .filter(|p| p.as_rule() == R::unit)
                        .map(|p| self.ident(&p))
                        .collect()
                }
                _ => {}
            }
        }
        named.then_some(d)
    }

    /// `within 30 days`, `monthly by day 30`, `every 90 days from 2017-12-22`.
    fn due(&mut self, pair: P) -> Option<Node<Due>> {
        let span = self.span(&pair);
        let inner = pair.into_inner().next()?;
        let kind = inner.as_rule();
        let (mut n, mut from) = (None, None);
        for p in inner.into_inner() {
            match p.as_rule() {
                R::day_count => {
                    n = p
                        .into_inner()
                        .find(|p| p.as_rule() == R::integer)
                        .and_then(|i| self.integer(&i))
                }
                R::integer => n = self.integer(&p),
                R::date => from = self.date(&p),
                _ => {}
            }
        }
        let due = match kind {
            R::due_within => Due::Within(n?.node),
            R::due_monthly => Due::MonthlyBy(n?.node),
            R::due_every => Due::Every {
                days: n?.node,
                from: from?,
            },
            _ => return None,
        };
        Some(Node::new(due, span))
    }

    fn quantity(&mut self, pair: P) -> Option<Quantity> {
        let (mut amount, mut unit) = (None, None);
        for p in pair.into_inner() {
            match p.as_rule() {
                R::amount => amount = Some(self.amount(&p)?),
                R::unit => unit = Some(self.ident(&p)),
                _ => {}
            }
        }
        Some(Quantity {
            amount: amount?,
            unit: unit?,
        })
    }

    fn convert(&mut self, pair: P) -> Option<ConvertDecl> {
        let (mut commodity, mut qs) = (None, Vec::new());
        for p in pair.into_inner() {
            match p.as_rule() {
                R::name_ref => commodity = Some(self.ident(&p)),
                R::quantity => qs.push(self.quantity(p)?),
                _ => {}
            }
        }
        let mut qs = qs.into_iter();
        Some(ConvertDecl {
            commodity: commodity?,
            from: qs.next()?,
            to: qs.next()?,
        })
    }

    fn exemption(&mut self, pair: P) -> Option<ExemptionDecl> {
        let (mut name, mut title) = (None, None);
        for p in pair.into_inner() {
            match p.as_rule() {
                R::name => name = Some(self.ident(&p)),
                R::title => title = Some(self.title(p)),
                _ => {}
            }
        }
        Some(ExemptionDecl { name: name?, title })
    }

    fn amount(&mut self, pair: &P) -> Option<Node<Decimal>> {
        let span = self.span(pair);
        let digits: String = pair.as_str().chars().filter(|c| *c != '_').collect();
        match Decimal::from_str_exact(&digits) {
            Ok(d) => Some(Node::new(d, span)),
            Err(_) => {
                self.diags.push(
                    Diagnostic::error(
                        Code::ParseBadNumber,
                        format!("`{}` is too large or too precise", pair.as_str()),
                    )
                    .with_label(span, "this number")
                    .with_help("amounts are exact decimals of at most 28 significant digits"),
                );
                None
            }
        }
    }

    fn integer(&mut self, pair: &P) -> Option<Node<u32>> {
        let span = self.span(pair);
        let digits: String = pair.as_str().chars().filter(|c| *c != '_').collect();
        match digits.parse::<u32>() {
            Ok(n) => Some(Node::new(n, span)),
            Err(_) => {
                self.diags.push(
                    Diagnostic::error(
                        Code::ParseBadNumber,
                        format!("`{}` is too large", pair.as_str()),
                    )
                    .with_label(span, "this number")
                    .with_help("use a whole number below 4,294,967,296"),
                );
                None
            }
        }
    }

    fn date(&mut self, pair: &P) -> Option<NaiveDate> {
        let span = self.span(pair);
        let text = pair.as_str();
        if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            return Some(d);
        }
        self.diags.push(
            Diagnostic::error(Code::ParseBadDate, format!("`{text}` is not a date"))
                .with_label(span, "no such day")
                .with_help(crate::dates::why_not_a_date(text)),
        );
        None
    }

    fn percent(&mut self, pair: P) -> Option<Node<Decimal>> {
        let span = self.span(&pair);
        let amount = pair.into_inner().find(|p| p.as_rule() == R::amount)?;
        let value = self.amount(&amount)?;
        Some(Node::new(value.node, span))
    }

    fn goods(&self, pair: P) -> Node<Goods> {
        let span = self.span(&pair);
        let goods = match pair.into_inner().next() {
            Some(p) if p.as_rule() == R::name_ref => Goods::Named(p.as_str().to_string()),
            Some(p) if p.as_rule() == R::hs_goods => Goods::Hs(self.hs_codes(p)),
            _ => Goods::Any,
        };
        Node::new(goods, span)
    }

    fn list_decl(&mut self, pair: P) -> Option<ListDecl> {
        let (mut name, mut title, mut format, mut path) = (None, None, None, None);
        let (mut references, mut datasets, mut schemata) = (Vec::new(), Vec::new(), Vec::new());
        for p in pair.into_inner() {
            match p.as_rule() {
                R::name => name = Some(self.ident(&p)),
                R::title => title = Some(self.title(p)),
                R::list_format => format = Some(self.ident(&p)),
                R::list_path => path = Some(self.title(p)),
                R::list_reference | R::list_dataset => {
                    let into = if p.as_rule() == R::list_reference {
                        &mut references
                    } else {
                        &mut datasets
                    };
                    for s in p.into_inner().filter(|s| s.as_rule() == R::string) {
                        let span = self.span(&s);
                        into.push(Node::new(self.string(s), span));
                    }
                }
                R::list_schema => {
                    for s in p.into_inner().filter(|s| s.as_rule() == R::name_ref) {
                        schemata.push(self.ident(&s));
                    }
                }
                _ => {}
            }
        }
        Some(ListDecl {
            name: name?,
            title,
            format: format?,
            path: path?,
            references,
            datasets,
            schemata,
        })
    }

    fn participants(&self, pair: P) -> Node<Participants> {
        let span = self.span(&pair);
        let roles: Vec<Ident> = pair
            .into_inner()
            .filter(|p| p.as_rule() == R::role)
            .map(|p| self.ident(&p))
            .collect();
        if roles.is_empty() {
            Node::new(Participants::AnyParty, span)
        } else {
            Node::new(Participants::Roles(roles), span)
        }
    }

    /// `on LIST [fuzzy P%]`: the list and the threshold as a share (0–1).
    fn on_list(&mut self, pair: P) -> Option<(Ident, Option<Node<Decimal>>)> {
        let (mut list, mut fuzzy) = (None, None);
        for p in pair.into_inner() {
            match p.as_rule() {
                R::name_ref => list = Some(self.ident(&p)),
                R::fuzzy => {
                    let pct = p.into_inner().find(|q| q.as_rule() == R::percent)?;
                    fuzzy = Some(self.percent(pct)?);
                }
                _ => {}
            }
        }
        Some((list?, fuzzy))
    }

    fn condition(&mut self, pair: P) -> Option<Node<Condition>> {
        let span = self.span(&pair);
        let c = match pair.as_rule() {
            R::transfer_scope => {
                let mode = pair
                    .into_inner()
                    .find(|p| p.as_rule() == R::transfer_mode)?;
                Condition::Transfer(self.ident(&mode))
            }
            R::with_scope => {
                let mut who = None;
                let mut out = None;
                for p in pair.into_inner() {
                    match p.as_rule() {
                        R::participants => who = Some(self.participants(p)),
                        R::on_list => out = Some((p.as_rule(), self.on_list(p)?, None)),
                        R::flagged | R::nationality => {
                            let which = p.as_rule();
                            let party = p.into_inner().find(|q| q.as_rule() == R::party)?;
                            out = Some((
                                which,
                                (Node::new(String::new(), span), None),
                                Some(self.party(party)),
                            ));
                        }
                        _ => {}
                    }
                }
                let who = who?;
                match out? {
                    (R::on_list, (list, fuzzy), _) => Condition::Listed { who, list, fuzzy },
                    (R::flagged, _, Some(party)) => Condition::Flagged { who, party },
                    (_, _, Some(party)) => Condition::Nationality { who, party },
                    _ => return None,
                }
            }
            _ => return None,
        };
        Some(Node::new(c, span))
    }

    fn scope(&self, pair: P) -> Option<Scope> {
        let (mut direction, mut party) = (None, None);
        for p in pair.into_inner() {
            match p.as_rule() {
                R::direction => {
                    let span = self.span(&p);
                    let d = match p.into_inner().next().map(|k| k.as_rule()) {
                        Some(R::kw_from) => Direction::From,
                        Some(R::kw_to) => Direction::To,
                        _ => Direction::Via,
                    };
                    direction = Some(Node::new(d, span));
                }
                R::party => party = Some(self.party(p)),
                _ => {}
            }
        }
        Some(Scope {
            direction: direction?,
            party: party?,
        })
    }

    fn period(&mut self, pair: P) -> Option<Node<Period>> {
        let span = self.span(&pair);
        let inner = pair.into_inner().next()?;
        let period = match inner.as_rule() {
            R::calendar => match inner.into_inner().next()?.as_rule() {
                R::kw_year => Period::Year,
                R::kw_quarter => Period::Quarter,
                R::kw_month => Period::Month,
                _ => Period::Day,
            },
            R::rolling => {
                let n = inner.into_inner().find(|p| p.as_rule() == R::integer)?;
                Period::Days(self.integer(&n)?.node)
            }
            _ => {
                let (mut count, mut from) = (None, None);
                for p in inner.into_inner() {
                    match p.as_rule() {
                        R::integer => count = Some(self.integer(&p)?.node),
                        R::date => from = Some(self.date(&p)?),
                        _ => {}
                    }
                }
                Period::Months {
                    count: count?,
                    from: from?,
                }
            }
        };
        Some(Node::new(period, span))
    }

    fn clause(&mut self, pair: P) -> Option<Node<Clause>> {
        let span = self.span(&pair);
        let which = pair.as_rule();
        let mut inner = pair.into_inner();
        let clause = match which {
            R::effective => Clause::Effective(self.date(&inner.find(|p| p.as_rule() == R::date)?)?),
            R::until => Clause::Until(self.date(&inner.find(|p| p.as_rule() == R::date)?)?),
            R::cite => Clause::Cite(self.string(inner.find(|p| p.as_rule() == R::string)?)),
            R::warn_at => {
                let mut pcts = Vec::new();
                for p in inner.filter(|p| p.as_rule() == R::percent) {
                    pcts.push(self.percent(p)?);
                }
                Clause::WarnAt(pcts)
            }
            R::except => Clause::Except(self.ident(&inner.find(|p| p.as_rule() == R::name_ref)?)),
            R::severity => match inner.nth(1).map(|p| p.as_rule()) {
                Some(R::kw_error) => Clause::Severity(Severity::Error),
                _ => Clause::Severity(Severity::Warning),
            },
            R::provided => {
                let mut who = None;
                let mut on = None;
                for p in inner {
                    match p.as_rule() {
                        R::no_party => who = Some(Node::new(Participants::AnyParty, self.span(&p))),
                        R::participants => who = Some(self.participants(p)),
                        R::on_list => on = Some(self.on_list(p)?),
                        _ => {}
                    }
                }
                let (list, fuzzy) = on?;
                Clause::Provided {
                    who: who?,
                    list,
                    fuzzy,
                }
            }
            R::wind_down => {
                let mut dates = Vec::new();
                for p in inner.filter(|p| p.as_rule() == R::date) {
                    dates.push(self.date(&p)?);
                }
                Clause::WindDown {
                    loaded_before: *dates.first()?,
                    delivered_before: *dates.get(1)?,
                }
            }
            R::contracted => {
                let mut dates = Vec::new();
                for p in inner.filter(|p| p.as_rule() == R::date) {
                    dates.push(self.date(&p)?);
                }
                Clause::ContractedBefore {
                    contracted: *dates.first()?,
                    delivered: dates.get(1).copied(),
                }
            }
            R::not_transfer => Clause::UnlessTransfer(
                self.ident(&inner.find(|p| p.as_rule() == R::transfer_mode)?),
            ),
            _ => return None,
        };
        Some(Node::new(clause, span))
    }

    fn rule(&mut self, pair: P) -> Option<Rule> {
        let mut label = None;
        let mut body = None;
        for p in pair.into_inner() {
            match p.as_rule() {
                R::label => {
                    let span = self.span(&p);
                    let name = p.as_str().trim_end_matches(':').to_string();
                    let end = span.start + name.len();
                    label = Some(Node::new(name, Span::new(self.file, span.start, end)));
                }
                _ => body = Some(p),
            }
        }
        let body = body?;
        let kind_rule = body.as_rule();
        let mut keyword = None;
        let mut goods = None;
        let mut scope = Vec::new();
        let mut conditions = Vec::new();
        let mut clauses = Vec::new();
        let mut limits = Vec::new();
        let (mut period, mut by) = (None, None);
        let (mut amount, mut currency, mut per_unit, mut due) = (None, None, None, None);
        let mut failed = false;
        for p in body.into_inner() {
            match p.as_rule() {
                R::kw_ban | R::kw_cap | R::kw_require if keyword.is_none() => {
                    keyword = Some(self.span(&p))
                }
                R::goods => goods = Some(self.goods(p)),
                R::port_calls => goods = Some(Node::new(Goods::PortCalls, self.span(&p))),
                R::scope => scope.extend(self.scope(p)),
                R::transfer_scope | R::with_scope => match self.condition(p) {
                    Some(c) => conditions.push(c),
                    None => failed = true,
                },
                R::limit => match self.quantity(p) {
                    Some(q) => limits.push(q),
                    None => failed = true,
                },
                R::period => {
                    period = self.period(p);
                    failed |= period.is_none();
                }
                R::by => {
                    let span = self.span(&p);
                    let b = match p.into_inner().nth(1).map(|k| k.as_rule()) {
                        Some(R::kw_origin) => By::Origin,
                        _ => By::Destination,
                    };
                    by = Some(Node::new(b, span));
                }
                R::amount => {
                    amount = self.amount(&p);
                    failed |= amount.is_none();
                }
                R::currency => currency = Some(self.ident(&p)),
                R::unit => per_unit = Some(self.ident(&p)),
                R::due => {
                    due = self.due(p);
                    failed |= due.is_none();
                }
                R::effective
                | R::until
                | R::cite
                | R::warn_at
                | R::except
                | R::severity
                | R::provided
                | R::wind_down
                | R::contracted
                | R::not_transfer => match self.clause(p) {
                    Some(c) => clauses.push(c),
                    None => failed = true,
                },
                _ => {}
            }
        }
        if failed {
            return None;
        }
        let kind = match kind_rule {
            R::ban_rule | R::port_call_rule => RuleKind::Ban,
            R::cap_rule => RuleKind::Cap {
                limits,
                period: period?,
                by,
            },
            R::cap_price_rule => RuleKind::CapPrice {
                amount: amount?,
                currency: currency?,
                per_unit: per_unit?,
            },
            R::require_rule => RuleKind::RequireReport { due: due? },
            _ => return None,
        };
        Some(Rule {
            label,
            keyword: keyword?,
            kind,
            goods: goods?,
            scope,
            conditions,
            clauses,
        })
    }
}

/// Where the last token inside a pair ends: where its last inner pair ends,
/// when only white space and comments follow that inside the pair.
fn token_end(pair: &P) -> usize {
    let end = pair.as_span().end();
    let Some(last) = pair.clone().into_inner().last() else {
        return end;
    };
    let inner_end = token_end(&last);
    let rest = pair
        .get_input()
        .get(last.as_span().end()..end)
        .unwrap_or("");
    if only_trivia(rest) {
        inner_end
    } else {
        end
    }
}

fn only_trivia(s: &str) -> bool {
    let mut rest = s;
    loop {
        rest = rest.trim_start();
        match rest.strip_prefix('#') {
            Some(c) => rest = c.find('\n').map_or("", |i| &c[i..]),
            None => return rest.is_empty(),
        }
    }
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The `##` lines directly above `start`, joined, without the markers.
fn doc_comment(text: &str, start: usize) -> Option<String> {
    let before = &text[..start];
    // Only a statement at the start of its line can have a doc comment.
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    if !before[line_start..].trim().is_empty() {
        return None;
    }
    let mut lines = Vec::new();
    for line in before[..line_start].lines().rev() {
        let t = line.trim();
        match t.strip_prefix("##") {
            Some(doc) => lines.push(doc.strip_prefix(' ').unwrap_or(doc).trim_end()),
            None => break,
        }
    }
    if lines.is_empty() {
        return None;
    }
    lines.reverse();
    Some(lines.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything a parse gives, spans included (the AST's equality leaves
    /// spans out).
    fn whole(p: &Parsed) -> String {
        format!(
            "{:#?}\n{:#?}\n{:?}\n{:?}\n{:?}",
            p.ast, p.diagnostics, p.broken_names, p.unparsed_words, p.steps
        )
    }

    /// Re-parsing after an edit gives exactly what parsing the new text
    /// does, over thousands of random edits (insertions of statement
    /// starts, comments, doc comments, quotes, bad numbers; deletions),
    /// each applied to the result of the previous re-parse.
    #[test]
    fn reparse_equals_parse_after_random_edits() {
        let bases = [
            include_str!("../../rules/un/dprk_petroleum.sanc"),
            include_str!("../../rules/eu/russia_oil.sanc"),
            include_str!("../../rules/common/commodities.sanc"),
            "c0: cap coal to dprk 1000 t per year\nc1: cap coal to dprk 1001 t per year\n## d\nc2: cap coal to dprk 1002 t per year\nban arms to PRK\nban arms to PRK ban oil to PRK\n",
        ];
        let pieces = [
            "ban ",
            "cap ",
            "\n",
            "\n\n",
            "## doc\n",
            "# note\n",
            "\"",
            "x",
            "1e6 ",
            "c9: ",
            " to PRK",
            "commodity ",
            "= hs 27",
            " per year",
            "party p = PRK\n",
            " warn at 50%",
            "effective 2020-02-30",
            ":",
            "  ",
            "regime r\n",
            "group g = [PRK, ",
            "]",
        ];
        let mut seed: u64 = 0x5eed_cafe;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) as usize) % n.max(1)
        };
        let mut edits = 0;
        for base in bases {
            let mut text = base.to_string();
            let mut parsed = parse(FileId(3), &text);
            for _ in 0..150 {
                let mut at = next(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let mut end = (at + next(12)).min(text.len());
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                let mut new = text.clone();
                let insert = if next(3) == 0 {
                    ""
                } else {
                    pieces[next(pieces.len())]
                };
                new.replace_range(at..end, insert);
                let again = reparse(FileId(3), &text, parsed, &new);
                let fresh = parse(FileId(3), &new);
                let (a, b) = (whole(&again), whole(&fresh));
                if a != b {
                    let line = a.lines().zip(b.lines()).position(|(x, y)| x != y);
                    let show = |s: &str| {
                        let l = line.unwrap_or(0);
                        s.lines()
                            .skip(l.saturating_sub(12))
                            .take(16)
                            .collect::<Vec<_>>()
                            .join("\n")
                    };
                    panic!(
                        "after replacing {at}..{end} ({:?}) with {insert:?} (edit {edits}):\nreparse:\n{}\nparse:\n{}",
                        &text[at..end],
                        show(&a),
                        show(&b)
                    );
                }
                parsed = again;
                text = new;
                edits += 1;
            }
        }
        assert_eq!(edits, 600);
    }

    /// A one-line change in a long file parses a few statements again, not
    /// the file: the steps after the edit are the old ones, moved.
    #[test]
    fn reparse_keeps_the_statements_around_the_edit() {
        let mut text = String::from("commodity coal = hs 2701\nparty dprk = PRK\n");
        for i in 0..2000 {
            text.push_str(&format!("c{i}: cap coal to dprk {} t per year\n", 1000 + i));
        }
        let new = text.replacen(
            "c1000: cap coal to dprk 2000 t",
            "c1000: cap coal to dprk 20000 t",
            1,
        );
        assert_ne!(new, text);
        let old = parse(FileId(0), &text);
        let before = old.steps.len();
        let again = reparse(FileId(0), &text, old, &new);
        assert_eq!(whole(&again), whole(&parse(FileId(0), &new)));
        assert_eq!(again.steps.len(), before);
    }

    fn ok(text: &str) -> SourceFileAst {
        let p = parse(FileId(0), text);
        assert!(p.diagnostics.is_empty(), "{:#?}", p.diagnostics);
        p.ast
    }

    #[test]
    fn parses_every_statement_kind() {
        let ast = ok(r#"
regime un_dprk "UN Security Council sanctions on the DPRK"
party DPRK = PRK "Democratic People's Republic of Korea"
group G7 = [CAN, FRA, DEU, ITA, JPN, GBR, USA]
entity wagner "Wagner Group" in RUS
commodity refined_petroleum "Refined petroleum products" = hs 2710
commodity diesel = hs 271019 under refined_petroleum measured in t, bbl
convert refined_petroleum 1 t = 7.33 bbl
exemption humanitarian "1718 Committee humanitarian exemption"
ban arms from DPRK cite "UNSCR 1718 (2006) OP 8(b)"
petroleum_cap:
cap refined_petroleum to DPRK 500_000 bbl per year warn at 75%, 90% effective 2018-01-01
cap coal from DPRK 400870018 USD or 7500000 t per 12 months from 2017-01-01
cap price crude_oil from RUS 60 USD per bbl until 2025-09-02 unless loaded before 2022-12-05 and delivered before 2023-01-19
require report of refined_petroleum to DPRK within 30 days severity warning
ban luxury_goods to DPRK except exemption humanitarian
ban hs 93, 8710 via any
"#);
        assert_eq!(ast.items.len(), 15);
        let ItemKind::Rule(r) = &ast.items[9].kind else {
            panic!("not a rule")
        };
        assert_eq!(
            r.label.as_ref().map(|l| l.node.as_str()),
            Some("petroleum_cap")
        );
        let RuleKind::Cap { limits, period, .. } = &r.kind else {
            panic!("not a cap")
        };
        assert_eq!(limits[0].amount.node, Decimal::from(500_000));
        assert_eq!(period.node, Period::Year);
    }

    #[test]
    fn doc_comments_attach_to_the_next_statement() {
        let ast = ok("# plain\n## The DPRK.\n## Second line.\nparty DPRK = PRK\n\n## orphan\n\nparty X = PRK");
        assert_eq!(ast.items[0].doc.as_deref(), Some("The DPRK.\nSecond line."));
        assert_eq!(ast.items[1].doc, None);
    }

    #[test]
    fn recovers_after_a_bad_statement() {
        let p = parse(
            FileId(0),
            "ban arms from DPRK\ncap oil to DPRK 5 per year\n  warn at 50%\nban arms to DPRK\n",
        );
        assert_eq!(p.diagnostics.len(), 1);
        assert_eq!(p.diagnostics[0].code, Code::ParseMissingUnit);
        assert_eq!(p.ast.items.len(), 2);
    }

    #[test]
    fn bad_dates_are_diagnostics() {
        let p = parse(FileId(0), "ban arms from PRK effective 2023-02-30\n");
        assert_eq!(p.diagnostics[0].code, Code::ParseBadDate);
        assert_eq!(
            p.diagnostics[0].help.as_deref(),
            Some("February 2023 has 28 days")
        );
    }
}
