//! The formatter: one canonical layout for `.sanc` files.
//!
//! Declarations take one line each. A rule with at most one clause that
//! fits in 100 columns takes one line, and consecutive one-line rules have
//! their clause aligned in one column; other rules put each clause on its
//! own line, indented. A label goes on its own line above its rule.
//! Comments stay where they were: whole-line comments above the statement
//! they preceded, end-of-line comments after the line they ended.
//! Blank lines between statements are kept (runs of them become one).
//!
//! The formatter refuses a file that does not parse: it never guesses.

use crate::diagnostic::Diagnostic;
use crate::source::FileId;
use crate::syntax::ast::*;
// Every word the formatter prints is the keyword table's.
use crate::syntax::keywords::word::*;
use crate::syntax::parse;
use std::io::{self, Write};
use std::path::Path;

const WIDTH: usize = 100;
const INDENT: &str = "    ";

/// Format `text`, or return the parse errors that stop it.
pub fn format(text: &str) -> Result<String, Vec<Diagnostic>> {
    let parsed = parse(FileId(0), text);
    if !parsed.diagnostics.is_empty() {
        return Err(parsed.diagnostics);
    }
    Ok(Printer::new(text, &parsed.ast.items).print())
}

/// Replace the file at `path` with `text`, never leaving it cut short:
/// the text goes to a temporary file in the same folder, which is renamed
/// over the original only once it is complete. The original's permissions
/// (and, where allowed, owner) are kept. A symbolic link is written
/// through, to the file it names, and stays a link.
pub fn write_file(path: &Path, text: &str) -> io::Result<()> {
    write_file_with(path, |file| file.write_all(text.as_bytes()))
}

/// [`write_file`], with the writing of the new content done by `write`
/// (tests use it to fail half-way, as a full disk would).
pub fn write_file_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> io::Result<()>,
) -> io::Result<()> {
    let target = std::fs::canonicalize(path)?;
    let meta = std::fs::metadata(&target)?;
    let dir = target.parent().unwrap_or(Path::new("."));
    // Dropped on any error below, which deletes the temporary file.
    let mut tmp = tempfile::Builder::new()
        .prefix(".sanc-fmt-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    write(tmp.as_file_mut())?;
    tmp.as_file().sync_all()?;
    tmp.as_file().set_permissions(meta.permissions())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        // Only root may give a file away; for anyone else the new file is
        // theirs already, which is what the original was.
        let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(meta.uid()), Some(meta.gid()));
    }
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}

/// A comment in the source: where it starts, its text, and whether code
/// stands before it on its line.
#[derive(Debug, Clone)]
struct Comment {
    start: usize,
    text: String,
    trailing: bool,
}

/// Every comment, found outside strings.
fn comments(text: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    let mut in_string = false;
    let mut line_has_code = false;
    while i < b.len() {
        let c = b[i];
        if in_string {
            match c {
                b'\\' => i += 1,
                b'"' | b'\n' => in_string = false,
                _ => {}
            }
            if c == b'\n' {
                line_has_code = false;
            }
        } else {
            match c {
                b'"' => {
                    in_string = true;
                    line_has_code = true;
                }
                b'#' => {
                    let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                    out.push(Comment {
                        start: i,
                        text: text[i..end].trim_end().to_string(),
                        trailing: line_has_code,
                    });
                    i = end;
                    continue;
                }
                b'\n' => line_has_code = false,
                b' ' | b'\t' | b'\r' => {}
                _ => line_has_code = true,
            }
        }
        i += 1;
    }
    out
}

/// Does the source have a blank line between two offsets?
fn blank_between(text: &str, from: usize, to: usize) -> bool {
    let gap = text.get(from..to).unwrap_or("");
    gap.split('\n')
        .skip(1)
        .collect::<Vec<_>>()
        .split_last()
        .is_some_and(|(_, middle)| middle.iter().any(|l| l.trim().is_empty()))
}

/// One printed statement: its lines (without comments), and for each line
/// the source offset where that line's content ends (to place comments).
struct Printed {
    lines: Vec<(String, usize)>,
    /// A rule that may share a column with its neighbours: (head, clause).
    one_line: Option<(String, String)>,
}

struct Printer<'a> {
    text: &'a str,
    items: &'a [Item],
    comments: Vec<Comment>,
}

impl<'a> Printer<'a> {
    fn new(text: &'a str, items: &'a [Item]) -> Self {
        Printer {
            text,
            items,
            comments: comments(text),
        }
    }

    fn src(&self, start: usize, end: usize) -> &str {
        self.text.get(start..end).unwrap_or("")
    }

    fn print(&self) -> String {
        let mut out: Vec<String> = Vec::new();
        let mut ci = 0; // next comment to place
        let mut prev_end: Option<usize> = None;
        // Consecutive one-line rules, printed together so their clauses align.
        let mut block: Vec<(String, String, Vec<String>)> = Vec::new();

        let flush = |out: &mut Vec<String>, block: &mut Vec<(String, String, Vec<String>)>| {
            let width = block
                .iter()
                .map(|(h, _, _)| h.chars().count())
                .max()
                .unwrap_or(0);
            for (head, clause, trailing) in block.drain(..) {
                let mut line = if clause.is_empty() {
                    head
                } else {
                    let pad = width - head.chars().count();
                    format!("{head}{} {clause}", " ".repeat(pad))
                };
                for t in trailing {
                    line.push_str("  ");
                    line.push_str(&t);
                }
                out.push(line);
            }
        };

        for item in self.items {
            // Whole-line comments before this item, and blank lines.
            let mut leading: Vec<(bool, String)> = Vec::new();
            let mut cursor = prev_end.unwrap_or(0);
            while ci < self.comments.len() && self.comments[ci].start < item.span.start {
                let c = &self.comments[ci];
                if c.trailing {
                    // The end of the previous statement's last line.
                    if let Some(last) = block.last_mut() {
                        last.2.push(c.text.clone());
                    } else if let Some(last) = out.last_mut() {
                        last.push_str("  ");
                        last.push_str(&c.text);
                    }
                } else {
                    let printed_before =
                        !out.is_empty() || !leading.is_empty() || !block.is_empty();
                    leading.push((
                        printed_before && blank_between(self.text, cursor, c.start),
                        c.text.clone(),
                    ));
                }
                cursor = c.start + c.text.len();
                ci += 1;
            }
            let printed_before = !out.is_empty() || !leading.is_empty() || !block.is_empty();
            let blank_before_item =
                printed_before && blank_between(self.text, cursor, item.span.start);

            let printed = self.item(item);
            // Comments inside the statement go to the end of their line.
            // Each printed line keeps at most one comment at its end; other
            // comments that belong to it follow on lines of their own.
            let mut inner: Vec<Vec<(bool, String)>> = vec![Vec::new(); printed.lines.len()];
            while ci < self.comments.len() && self.comments[ci].start < item.span.end {
                let c = &self.comments[ci];
                let line = printed
                    .lines
                    .iter()
                    .rposition(|(_, end)| *end <= c.start)
                    .unwrap_or(0);
                inner[line].push((c.trailing, c.text.clone()));
                ci += 1;
            }
            // A comment right after the statement, on its last line.
            while ci < self.comments.len() && self.comments[ci].trailing {
                let c = &self.comments[ci];
                let next_start = self
                    .items
                    .iter()
                    .find(|i| i.span.start > item.span.start)
                    .map_or(usize::MAX, |i| i.span.start);
                if c.start > next_start {
                    break;
                }
                if let Some(last) = inner.last_mut() {
                    last.push((true, c.text.clone()));
                }
                ci += 1;
            }
            let ends_line = |cs: &Vec<(bool, String)>| matches!(cs.as_slice(), [] | [(true, _)]);

            let one_line = printed.one_line.filter(|_| {
                inner
                    .iter()
                    .take(inner.len().saturating_sub(1))
                    .all(Vec::is_empty)
                    && inner.last().is_none_or(ends_line)
            });
            let breaks_block = blank_before_item || !leading.is_empty() || one_line.is_none();
            if breaks_block {
                flush(&mut out, &mut block);
            }
            for (blank, text) in leading {
                if blank && out.last().is_some_and(|l| !l.is_empty()) {
                    out.push(String::new());
                }
                out.push(text);
            }
            if blank_before_item && out.last().is_some_and(|l| !l.is_empty()) {
                out.push(String::new());
            }
            match one_line {
                Some((head, clause)) => {
                    // Aligning must not push a line past the width.
                    let width = block
                        .iter()
                        .map(|(h, _, _)| h.chars().count())
                        .chain([head.chars().count()])
                        .max()
                        .unwrap_or(0);
                    let fits = block
                        .iter()
                        .map(|(_, c, _)| c)
                        .chain([&clause])
                        .all(|c| c.is_empty() || width + 1 + c.chars().count() <= WIDTH);
                    if !fits {
                        flush(&mut out, &mut block);
                    }
                    let trailing = inner
                        .pop()
                        .unwrap_or_default()
                        .into_iter()
                        .map(|c| c.1)
                        .collect();
                    block.push((head, clause, trailing));
                }
                None => {
                    let last = printed.lines.len().saturating_sub(1);
                    for (i, ((line, _), comments)) in
                        printed.lines.into_iter().zip(inner).enumerate()
                    {
                        let mut line = line;
                        let mut rest = comments.into_iter().peekable();
                        if let Some((true, c)) = rest.peek() {
                            line.push_str("  ");
                            line.push_str(c);
                            rest.next();
                        }
                        out.push(line);
                        // Inside the statement, indented; after its last
                        // line, where a re-read finds them between statements.
                        let indent = if i == last { "" } else { INDENT };
                        for (_, c) in rest {
                            out.push(format!("{indent}{c}"));
                        }
                    }
                }
            }
            prev_end = Some(item.span.end);
        }
        flush(&mut out, &mut block);
        // Comments after the last statement.
        let mut cursor = prev_end.unwrap_or(0);
        for c in &self.comments[ci..] {
            if c.trailing {
                if let Some(last) = out.last_mut() {
                    last.push_str("  ");
                    last.push_str(&c.text);
                }
            } else {
                if prev_end.is_some()
                    && blank_between(self.text, cursor, c.start)
                    && out.last().is_some_and(|l| !l.is_empty())
                {
                    out.push(String::new());
                }
                out.push(c.text.clone());
            }
            cursor = c.start + c.text.len();
        }
        let mut s = out.join("\n");
        s.push('\n');
        if s.trim().is_empty() {
            return String::new();
        }
        s
    }

    fn item(&self, item: &Item) -> Printed {
        let end = item.span.end;
        let line = |s: String| Printed {
            lines: vec![(s, end)],
            one_line: None,
        };
        match &item.kind {
            ItemKind::Regime(d) => line(format!("{REGIME} {}{}", d.name.node, title(&d.title))),
            ItemKind::Party(d) => line(format!(
                "{PARTY} {} = {}{}",
                d.name.node,
                d.code.node,
                title(&d.title)
            )),
            ItemKind::Group(d) => {
                let members: Vec<String> = d.members.iter().map(|m| party(&m.node)).collect();
                let one = format!(
                    "{GROUP} {} = [{}]{}",
                    d.name.node,
                    members.join(", "),
                    title(&d.title)
                );
                if one.chars().count() <= WIDTH {
                    return line(one);
                }
                // Long groups: members wrapped, indented.
                let mut lines = vec![(format!("{GROUP} {} = [", d.name.node), end)];
                let mut cur = String::from(INDENT);
                for (i, m) in members.iter().enumerate() {
                    let piece = if i + 1 < members.len() {
                        format!("{m}, ")
                    } else {
                        m.clone()
                    };
                    if cur.len() + piece.len() > WIDTH && !cur.trim().is_empty() {
                        lines.push((cur.trim_end().to_string(), end));
                        cur = String::from(INDENT);
                    }
                    cur.push_str(&piece);
                }
                lines.push((cur.trim_end().to_string(), end));
                lines.push((format!("]{}", title(&d.title)), end));
                Printed {
                    lines,
                    one_line: None,
                }
            }
            ItemKind::Entity(d) => line(format!(
                "{ENTITY} {}{}{}",
                d.name.node,
                title(&d.title),
                d.country
                    .as_ref()
                    .map(|c| format!(" {IN} {}", party(&c.node)))
                    .unwrap_or_default()
            )),
            ItemKind::Commodity(d) => {
                let mut s = format!("{COMMODITY} {}{}", d.name.node, title(&d.title));
                if !d.hs.is_empty() {
                    let codes: Vec<&str> = d.hs.iter().map(|h| h.node.as_str()).collect();
                    s.push_str(&format!(" = {HS} {}", codes.join(", ")));
                    let except: Vec<&str> = d
                        .except_hs
                        .iter()
                        .chain(&d.except_commodities)
                        .map(|x| x.node.as_str())
                        .collect();
                    if !except.is_empty() {
                        s.push_str(&format!(" {EXCEPT} {}", except.join(", ")));
                    }
                }
                if let Some(p) = &d.parent {
                    s.push_str(&format!(" {UNDER} {}", p.node));
                }
                if !d.measured.is_empty() {
                    let units: Vec<&str> = d.measured.iter().map(|u| u.node.as_str()).collect();
                    s.push_str(&format!(" {MEASURED} {IN} {}", units.join(", ")));
                }
                line(s)
            }
            ItemKind::Convert(d) => line(format!(
                "{CONVERT} {} {} = {}",
                d.commodity.node,
                self.quantity(&d.from),
                self.quantity(&d.to)
            )),
            ItemKind::Exemption(d) => {
                line(format!("{EXEMPTION} {}{}", d.name.node, title(&d.title)))
            }
            ItemKind::List(d) => {
                let mut s = format!(
                    "{LIST} {}{} = {} {}",
                    d.name.node,
                    title(&d.title),
                    d.format.node,
                    quote(&d.path.node)
                );
                let texts = |v: &[Node<String>]| {
                    v.iter()
                        .map(|t| quote(&t.node))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                if !d.references.is_empty() {
                    s.push_str(&format!(" {REFERENCE} {}", texts(&d.references)));
                }
                if !d.datasets.is_empty() {
                    s.push_str(&format!(" {DATASET} {}", texts(&d.datasets)));
                }
                if !d.schemata.is_empty() {
                    let n: Vec<&str> = d.schemata.iter().map(|n| n.node.as_str()).collect();
                    s.push_str(&format!(" {SCHEMA} {}", n.join(", ")));
                }
                line(s)
            }
            ItemKind::Rule(r) => self.rule(r, end),
        }
    }

    fn quantity(&self, q: &Quantity) -> String {
        format!(
            "{} {}",
            self.src(q.amount.span.start, q.amount.span.end),
            q.unit.node
        )
    }

    fn head(&self, r: &Rule) -> String {
        let mut s = match r.kind {
            RuleKind::Ban => BAN.to_string(),
            RuleKind::Cap { .. } => CAP.to_string(),
            RuleKind::CapPrice { .. } => format!("{CAP} {PRICE}"),
            RuleKind::RequireReport { .. } => format!("{REQUIRE} {REPORT} {OF}"),
        };
        s.push(' ');
        s.push_str(&match &r.goods.node {
            Goods::Any => ANY.to_string(),
            Goods::Named(n) => n.clone(),
            Goods::Hs(codes) => {
                let c: Vec<&str> = codes.iter().map(|h| h.node.as_str()).collect();
                format!("{HS} {}", c.join(", "))
            }
            Goods::PortCalls => "port calls".to_string(),
        });
        for sc in &r.scope {
            s.push_str(&format!(
                " {} {}",
                sc.direction.node.keyword(),
                party(&sc.party.node)
            ));
        }
        for c in &r.conditions {
            s.push(' ');
            s.push_str(&self.condition(&c.node));
        }
        match &r.kind {
            RuleKind::Ban => {}
            RuleKind::Cap { limits, period, by } => {
                let l: Vec<String> = limits.iter().map(|q| self.quantity(q)).collect();
                s.push_str(&format!(
                    " {} {PER} {}",
                    l.join(&format!(" {OR} ")),
                    period_text(&period.node)
                ));
                if let Some(b) = by {
                    let to = match b.node {
                        By::Origin => ORIGIN,
                        By::Destination => DESTINATION,
                    };
                    s.push_str(&format!(" {BY} {to}"));
                }
            }
            RuleKind::CapPrice {
                amount,
                currency,
                per_unit,
            } => {
                s.push_str(&format!(
                    " {} {} {PER} {}",
                    self.src(amount.span.start, amount.span.end),
                    currency.node,
                    per_unit.node
                ));
            }
            RuleKind::RequireReport { due } => match due.node {
                Due::Within(n) => s.push_str(&format!(" {WITHIN} {}", days(n))),
                Due::MonthlyBy(n) => s.push_str(&format!(" {MONTHLY} {BY} {DAY} {n}")),
                Due::Every { days: n, from } => {
                    s.push_str(&format!(" {EVERY} {} {FROM} {from}", days(n)))
                }
            },
        }
        s
    }

    fn clause(&self, c: &Node<Clause>) -> String {
        // The clause's words are the AST's (`Clause::keyword`), which a
        // test holds to the keyword table.
        let kw = c.node.keyword();
        match &c.node {
            Clause::Effective(d) => format!("{kw} {d}"),
            Clause::Until(d) => format!("{kw} {d}"),
            Clause::Cite(s) => format!("{kw} {}", quote(s)),
            Clause::WarnAt(p) => {
                let ps: Vec<String> = p
                    .iter()
                    .map(|p| self.src(p.span.start, p.span.end).to_string())
                    .collect();
                format!("{kw} {}", ps.join(", "))
            }
            Clause::Except(e) => format!("{kw} {}", e.node),
            Clause::Severity(s) => format!("{kw} {}", s.as_str()),
            Clause::WindDown {
                loaded_before,
                delivered_before,
            } => format!(
                "{UNLESS} {LOADED} {BEFORE} {loaded_before} {AND} {DELIVERED} {BEFORE} {delivered_before}"
            ),
            Clause::ContractedBefore {
                contracted,
                delivered,
            } => match delivered {
                Some(d) => format!("{kw} {contracted} {AND} {DELIVERED} {BEFORE} {d}"),
                None => format!("{kw} {contracted}"),
            },
            Clause::UnlessTransfer(m) => format!("{kw} {} {TRANSFER}", m.node),
            Clause::Provided { who, list, fuzzy } => {
                let who = match &who.node {
                    Participants::AnyParty => "party".to_string(),
                    Participants::Roles(_) => participants(&who.node),
                };
                format!("{kw} {who} on {}{}", list.node, self.fuzzy(fuzzy.as_ref()))
            }
        }
    }

    fn fuzzy(&self, f: Option<&Node<rust_decimal::Decimal>>) -> String {
        f.map(|f| format!(" fuzzy {}", self.src(f.span.start, f.span.end)))
            .unwrap_or_default()
    }

    /// `by sts transfer`, `with owner or operator on un_1718`, …
    fn condition(&self, c: &Condition) -> String {
        match c {
            Condition::Transfer(m) => format!("by {} transfer", m.node),
            Condition::Listed { who, list, fuzzy } => format!(
                "with {} on {}{}",
                participants(&who.node),
                list.node,
                self.fuzzy(fuzzy.as_ref())
            ),
            Condition::Flagged { who, party: p } => {
                format!(
                    "with {} flagged {}",
                    participants(&who.node),
                    party(&p.node)
                )
            }
            Condition::Nationality { who, party: p } => {
                format!("with {} in {}", participants(&who.node), party(&p.node))
            }
        }
    }

    fn rule(&self, r: &Rule, end: usize) -> Printed {
        let head = self.head(r);
        // Where the head's last token ends: a comment after it belongs to the
        // head line, wherever the clauses start.
        let head_end = match &r.kind {
            RuleKind::Ban => r
                .scope
                .last()
                .map_or(r.goods.span.end, |s| s.party.span.end),
            RuleKind::Cap { period, by, .. } => by.as_ref().map_or(period.span.end, |b| b.span.end),
            RuleKind::CapPrice { per_unit, .. } => per_unit.span.end,
            RuleKind::RequireReport { due } => due.span.end,
        }
        .min(end);
        let mut lines = Vec::new();
        if let Some(l) = &r.label {
            lines.push((format!("{}:", l.node), l.span.end));
        }
        let clauses: Vec<String> = r.clauses.iter().map(|c| self.clause(c)).collect();
        let one_line = match (&r.label, clauses.as_slice()) {
            (None, []) => Some((head.clone(), String::new())),
            (None, [c]) if head.chars().count() + 1 + c.chars().count() <= WIDTH => {
                Some((head.clone(), c.clone()))
            }
            _ => None,
        };
        lines.push((head, head_end));
        for (c, node) in clauses.into_iter().zip(&r.clauses) {
            lines.push((format!("{INDENT}{c}"), node.span.end));
        }
        Printed { lines, one_line }
    }
}

fn title(t: &Option<Node<String>>) -> String {
    t.as_ref()
        .map(|t| format!(" {}", quote(&t.node)))
        .unwrap_or_default()
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn party(p: &PartyRef) -> String {
    match p {
        PartyRef::Any => ANY.to_string(),
        PartyRef::Name(n) => n.clone(),
    }
}

fn days(n: u32) -> String {
    if n == 1 {
        format!("1 {DAY}")
    } else {
        format!("{n} {DAYS}")
    }
}

fn period_text(p: &Period) -> String {
    match p {
        Period::Year => YEAR.into(),
        Period::Quarter => QUARTER.into(),
        Period::Month => MONTH.into(),
        Period::Day => DAY.into(),
        Period::Days(n) => days(*n),
        Period::Months { count, from } => format!("{count} {MONTHS} {FROM} {from}"),
    }
}

/// `owner or operator`, `any party`.
fn participants(w: &Participants) -> String {
    match w {
        Participants::AnyParty => "any party".into(),
        Participants::Roles(r) => r
            .iter()
            .map(|r| r.node.as_str())
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

#[cfg(test)]
mod tests {
    use super::format;

    fn fmt(s: &str) -> String {
        match format(s) {
            Ok(s) => s,
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn aligns_one_line_rules_and_breaks_long_ones() {
        let src = "ban arms from DPRK cite \"UNSCR 1718 (2006) OP 8(b)\"\nban coal from DPRK effective 2017-08-05\n  cite \"UNSCR 2371 (2017) OP 8\"\npetroleum_cap: cap refined_petroleum to DPRK 500_000 bbl per year warn at 75%, 90% effective 2018-01-01\n";
        let want = "ban arms from DPRK cite \"UNSCR 1718 (2006) OP 8(b)\"\nban coal from DPRK\n    effective 2017-08-05\n    cite \"UNSCR 2371 (2017) OP 8\"\npetroleum_cap:\ncap refined_petroleum to DPRK 500_000 bbl per year\n    warn at 75%, 90%\n    effective 2018-01-01\n";
        assert_eq!(fmt(src), want);
        assert_eq!(fmt(want), want);
    }

    #[test]
    fn aligns_a_block() {
        let src = "ban arms from DPRK cite \"a\"\nban arms to DPRK   cite \"b\"\nban luxury_goods to DPRK cite \"c\"\n";
        let want = "ban arms from DPRK       cite \"a\"\nban arms to DPRK         cite \"b\"\nban luxury_goods to DPRK cite \"c\"\n";
        assert_eq!(fmt(src), want);
    }

    #[test]
    fn keeps_comments_and_blank_lines() {
        let src = "# header\n\n\n## Doc.\nparty DPRK = PRK # trailing\n\ncap x to DPRK 5 bbl per year # on head\n  cite \"c\" # on cite\n  effective 2018-01-01\n# end\n";
        let want = "# header\n\n## Doc.\nparty DPRK = PRK  # trailing\n\ncap x to DPRK 5 bbl per year  # on head\n    cite \"c\"  # on cite\n    effective 2018-01-01\n# end\n";
        assert_eq!(fmt(src), want);
        assert_eq!(fmt(want), want);
    }

    #[test]
    fn keeps_the_blank_line_after_a_header() {
        assert_eq!(fmt("# header\n\nregime x\n"), "# header\n\nregime x\n");
    }

    #[test]
    fn comments_in_rules_stay_put_and_formatting_is_stable() {
        for src in [
            "x: cap coal 5 t per year warn at # c\n75% cite \"a\"\n",
            "x:\ncap coal 5 t per year  # c\n    cite \"a\"\n    effective 2018-01-01\n",
            "ban arms to DPRK # one\n# two\nban arms from DPRK\n",
        ] {
            let once = fmt(src);
            assert_eq!(fmt(&once), once, "not stable for {src:?}");
        }
        let once =
            fmt("x:\ncap coal 5 t per year  # c\n    cite \"a\"\n    effective 2018-01-01\n");
        assert!(once.contains("cap coal 5 t per year  # c"), "{once}");
    }

    #[test]
    fn alignment_never_passes_the_width() {
        let long = format!("ban {} to DPRK", "a".repeat(80));
        let src = format!("{long}\nban arms to DPRK cite \"{}\"\n", "c".repeat(60));
        for line in fmt(&src).lines() {
            assert!(line.chars().count() <= super::WIDTH, "{line}");
        }
    }

    #[test]
    fn refuses_what_does_not_parse() {
        assert!(format("ban arms to\n").is_err());
    }
}
