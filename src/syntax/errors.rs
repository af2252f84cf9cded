//! Turning pest's errors into diagnostics an analyst can act on: what was
//! found, what was expected (in words, never grammar rule names), and a fix
//! where one is known.

use super::grammar::Rule as R;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span};
use crate::suggest;
use pest::error::{Error, ErrorVariant, InputLocation};

use super::keywords::{CLAUSE_KEYWORDS, DECLARATION_KEYWORDS, STATEMENT_KEYWORDS};

/// Recognising where a statement begins, from plain text.
pub struct StatementStart;

impl StatementStart {
    /// Does `text` begin with a statement keyword or a `label:`?
    pub fn at(text: &str) -> bool {
        let word = leading_word(text);
        if word.is_empty() {
            return false;
        }
        STATEMENT_KEYWORDS.contains(&word)
            || (text[word.len()..].starts_with(':') && !super::is_keyword(word))
    }

    /// Does `text` begin like a statement, counting a misspelt statement
    /// keyword (`comodity x`)? Recovery resumes there, so the misspelling
    /// is reported too rather than skipped with the broken statement.
    pub fn likely(text: &str) -> bool {
        let word = leading_word(text);
        StatementStart::at(text)
            || (!word.is_empty()
                && !super::is_keyword(word)
                && text[word.len()..].starts_with([' ', '\t'])
                && suggest::closest(word, STATEMENT_KEYWORDS.iter().copied()).is_some())
    }

    /// The name a declaration statement introduces (`commodity coal …` → `coal`).
    pub fn declared_name(text: &str) -> Option<String> {
        let kw = leading_word(text);
        if !DECLARATION_KEYWORDS.contains(&kw) {
            return None;
        }
        let rest = text[kw.len()..].trim_start_matches([' ', '\t']);
        let name = leading_word(rest);
        (!name.is_empty()).then(|| name.to_string())
    }
}

fn leading_word(text: &str) -> &str {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    &text[..end]
}

/// What stands at the error position, for "found …".
fn found_token(rest: &str) -> (String, usize) {
    if rest.is_empty() {
        return ("the end of the file".to_string(), 0);
    }
    let word = leading_word(rest);
    if !word.is_empty() {
        return (format!("`{word}`"), word.len());
    }
    if rest.starts_with('"') {
        let line = rest.lines().next().unwrap_or(rest);
        return (format!("`{line}`"), line.len());
    }
    let c = rest.chars().next().map_or(' ', |c| c);
    if c == '\n' || c == '\r' {
        return ("the end of the line".to_string(), 0);
    }
    (format!("`{c}`"), c.len_utf8())
}

/// One description per expected thing; `rank` orders the list.
fn describe(which: R) -> Option<(u8, &'static str)> {
    use R::*;
    Some(match which {
        goods => (1, "a commodity (a declared name, `hs 2710`, or `any`)"),
        party => (1, "a party such as `PRK`, a declared name, or `any`"),
        name => (1, "a name such as `refined_petroleum`"),
        name_ref => (1, "a declared name"),
        country_code => (1, "an ISO 3166 country code such as `PRK`"),
        limit | amount => (1, "an amount such as `500000`"),
        unit => (1, "a unit such as `bbl` or `t`"),
        currency => (1, "a currency such as `USD`"),
        integer | day_count | rolling => (1, "a whole number of days such as `30`"),
        percent => (1, "a percentage such as `75%`"),
        hs_code => (1, "an HS code such as `2710`"),
        date => (1, "a date such as `2018-01-01`"),
        string | title => (1, "a quoted text such as `\"UNSCR 2397 (2017) OP 5\"`"),
        period | calendar | anniversary | kw_year | kw_quarter | kw_month | kw_day => (
            1,
            "a period such as `year`, `quarter`, `30 days` or `12 months from 2017-12-22`",
        ),
        quantity => (1, "a quantity such as `1 t`"),
        eq => (2, "`=`"),
        lbracket => (2, "`[`"),
        rbracket => (2, "`]`"),
        comma => (4, "`,`"),
        scope | direction | kw_from | kw_to | kw_via => (2, "`from`, `to` or `via`"),
        by | kw_by => (3, "`by origin` or `by destination`"),
        kw_or => (3, "`or` and a second limit"),
        kw_price => (2, "`price`"),
        kw_report => (2, "`report`"),
        kw_of => (2, "`of`"),
        kw_within | kw_monthly | kw_every | due | due_within | due_monthly | due_every => {
            (2, "when the report is due: `within 30 days`, `monthly by day 30` or `every 90 days from 2017-12-22`")
        }
        transfer_mode => (
            1,
            "how goods moved: `sts`, `port`, `pipeline`, `road`, `rail` or `air`",
        ),
        kw_transfer => (2, "`transfer`"),
        kw_per => (2, "`per`"),
        kw_days => (2, "`days`"),
        kw_months => (2, "`months`"),
        kw_at => (2, "`at`"),
        kw_in => (2, "`in`"),
        kw_hs => (2, "`hs`"),
        kw_under => (3, "`under`"),
        kw_except_codes | hs_except => (3, "`except`"),
        kw_measured => (3, "`measured in`"),
        kw_exemption => (2, "`exemption`"),
        kw_origin | kw_destination => (2, "`origin` or `destination`"),
        kw_error | kw_warning => (2, "`error` or `warning`"),
        kw_loaded | kw_contracted => (
            2,
            "`loaded before …`, `contracted before …` or `by … transfer`",
        ),
        kw_before => (2, "`before`"),
        kw_and => (2, "`and`"),
        kw_delivered => (2, "`delivered`"),
        effective | until | cite | warn_at | except | severity | wind_down | contracted | not_transfer | kw_effective
        | kw_until | kw_cite | kw_warn | kw_except | kw_severity | kw_unless => (
            5,
            "a clause such as `cite`, `effective`, `until` or `warn at`",
        ),
        label | kw_regime | kw_party | kw_group | kw_entity | kw_commodity | kw_convert
        | start_exemption | kw_ban | kw_cap | kw_require | regime_decl | party_decl
        | group_decl | entity_decl | commodity_decl | convert_decl | exemption_decl | rule
        | ban_rule | cap_rule | cap_price_rule | require_rule => {
            (6, "a new statement such as `ban`, `cap` or `commodity`")
        }
        EOI => (7, "the end of the file"),
        _ => return None,
    })
}

/// Keywords a misspelt word might have been meant as, given what was expected.
fn candidate_keywords(expected: &[R]) -> Vec<&'static str> {
    let mut out = Vec::new();
    for r in expected {
        let words: &[&str] = match describe(*r).map(|d| d.0) {
            Some(5) => &CLAUSE_KEYWORDS,
            Some(6) => &STATEMENT_KEYWORDS,
            _ => match r {
                R::kw_per => &["per"],
                R::kw_price => &["price"],
                R::kw_report => &["report"],
                R::kw_within | R::kw_monthly | R::kw_every => &["within", "monthly", "every"],
                R::kw_days => &["days"],
                R::kw_at => &["at"],
                R::kw_of => &["of"],
                R::scope | R::direction | R::kw_from | R::kw_to | R::kw_via => {
                    &["from", "to", "via"]
                }
                R::period | R::calendar | R::kw_year | R::kw_quarter | R::kw_month => {
                    &["year", "quarter", "month", "day"]
                }
                R::kw_exemption => &["exemption"],
                R::by | R::kw_by => &["by"],
                _ => &[],
            },
        };
        out.extend_from_slice(words);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// Join descriptions as "a, b or c".
fn join_or(items: &[&str]) -> String {
    match items {
        [] => "something else".to_string(),
        [one] => one.to_string(),
        [a, b] if !a.contains(" or ") => format!("{a} or {b}"),
        [init @ .., last] => format!("{}, or {}", init.join(", "), last),
    }
}

/// Convert a pest error for the statement starting at `offset` into a diagnostic.
pub fn syntax_error(file: FileId, text: &str, offset: usize, err: &Error<R>) -> Diagnostic {
    let pos = offset
        + match err.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        };
    let pos = pos.min(text.len());
    let rest = &text[pos..];
    let (found, found_len) = found_token(rest);
    let span = Span::new(file, pos, pos + found_len);

    let positives: Vec<R> = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            // Where `from`, `to` or `via` may come, so may the conditions
            // `by sts transfer` and `with …`: those are not what a typo
            // there most likely meant, and `by` is not `by origin`.
            let mut p = positives.clone();
            if p.iter().any(|r| {
                matches!(
                    r,
                    R::scope | R::direction | R::kw_from | R::kw_to | R::kw_via
                )
            }) {
                p.retain(|r| !matches!(r, R::kw_by | R::kw_with));
            }
            // After `unless`, `by` begins `by pipeline transfer`, which
            // the words for `loaded`/`contracted` name.
            if p.contains(&R::kw_contracted) {
                p.retain(|r| *r != R::kw_by);
            }
            p
        }
        // pest's only custom error is its call limit: the statement is
        // too big to parse (a group of a million members), and the place
        // it gave up means little; point at the statement.
        ErrorVariant::CustomError { message } if message.contains("call limit") => {
            let start = offset.min(text.len());
            let word = leading_word(&text[start..]).len();
            return Diagnostic::error(Code::ParseSyntax, "this statement is too large to parse")
                .with_label(Span::new(file, start, start + word), "this statement")
                .with_help("split it into several smaller statements");
        }
        ErrorVariant::CustomError { message } => {
            return Diagnostic::error(Code::ParseSyntax, format!("cannot parse this: {message}"))
                .with_label(span, "here");
        }
    };

    // An opening quote with no closing one on its line, or an escape that
    // texts do not have.
    if rest.starts_with('"') {
        let line = rest.lines().next().unwrap_or(rest);
        let mut chars = line.char_indices().skip(1);
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => break,
                '\\' => {
                    match chars.next() {
                        Some((_, '"' | '\\')) => {}
                        Some((j, other)) => {
                            let end = j + other.len_utf8();
                            return Diagnostic::error(Code::ParseSyntax, format!("unknown escape `\\{other}` in a text"))
                            .with_label(Span::new(file, pos + i, pos + end), "not an escape sanc knows")
                            .with_help("texts know two escapes: `\\\"` for a quote and `\\\\` for a backslash");
                        }
                        None => {}
                    }
                }
                _ => {}
            }
        }
        if !line[1..].contains('"') {
            return Diagnostic::error(Code::ParseUnterminatedString, "unterminated string")
                .with_label(
                    Span::new(file, pos, pos + line.len()),
                    "this text has no closing `\"`",
                )
                .with_help("close the text with `\"` on the same line");
        }
    }

    // `hs 2710.19`: HS codes are written without dots.
    if positives.contains(&R::hs_code) {
        let dotted: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        if dotted.contains('.') && dotted.starts_with(|c: char| c.is_ascii_digit()) {
            let digits: String = dotted.chars().filter(|c| *c != '.').collect();
            return Diagnostic::error(Code::ParseSyntax, "HS codes are written without dots")
                .with_label(
                    Span::new(file, pos, pos + dotted.len()),
                    "this HS code has a dot",
                )
                .with_help(format!("write `{digits}`"));
        }
    }

    // Where a statement may begin, `exemption` is one of the statements,
    // not the word `except exemption` expects.
    let statement_here = positives
        .iter()
        .any(|r| describe(*r).is_some_and(|d| d.0 == 6));
    // `within 30` wants `days`; `day` is a period only where a period may stand.
    let period_here = positives
        .iter()
        .any(|r| matches!(r, R::period | R::calendar));
    let mut described: Vec<(u8, &str)> = positives
        .iter()
        .filter(|r| !(statement_here && **r == R::kw_exemption))
        .filter_map(|r| match r {
            R::kw_day if !period_here => Some((2, "`days`")),
            _ => describe(*r),
        })
        .collect();
    described.sort_unstable();
    described.dedup();
    // Punctuation that may optionally follow is noise next to real expectations,
    // and "the end of the file" goes without saying when a new statement may come.
    if described.iter().any(|d| d.0 != 4) {
        described.retain(|d| d.0 != 4);
    }
    if described.iter().any(|d| d.0 == 6) {
        described.retain(|d| d.0 != 7);
    }
    let words: Vec<&str> = described.iter().map(|d| d.1).collect();
    let expected = join_or(&words);

    let word = leading_word(rest);
    let is_keyword_here = super::is_keyword(word);

    // `4e6 bbl`: scientific notation reads as the amount `4` and a unit `e6`.
    let before = text[..pos].trim_end();
    let exp_start = before
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '.' || *c == '_'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let number = &before[exp_start..];
    if let Some((mantissa, exponent)) = number.split_once('e') {
        if !mantissa.is_empty()
            && mantissa
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b'_')
            && !exponent.is_empty()
            && exponent.bytes().all(|b| b.is_ascii_digit())
        {
            return Diagnostic::error(
                Code::ParseBadNumber,
                format!("`{number}` is not a number sanc reads"),
            )
            .with_label(
                Span::new(file, exp_start, exp_start + number.len()),
                "scientific notation",
            )
            .with_help("write numbers in full, e.g. `4000000` or `4_000_000`");
        }
    }

    // `60,000 bbl`: a thousands separator.
    if rest.starts_with(',') && before.ends_with(|c: char| c.is_ascii_digit()) {
        let start = before
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_ascii_digit() || *c == '_' || *c == '.'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let tail: String = rest[1..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == ',')
            .collect();
        if tail.len() >= 3 && tail.split(',').all(|g| g.len() == 3) {
            let written = format!("{}{}", &before[start..], &rest[..1 + tail.len()]);
            let plain = written.replace(',', "");
            let grouped = written.replace(',', "_");
            return Diagnostic::error(
                Code::ParseBadNumber,
                format!("`{written}` is not a number sanc reads"),
            )
            .with_label(
                Span::new(file, start, start + written.len()),
                "a comma cannot group digits",
            )
            .with_help(format!("write `{plain}`, or `{grouped}` to group digits"));
        }
    }

    // `per 12 months` with no `from DATE`: say so where it is missing, not
    // at the next statement.
    if before.ends_with("months") && positives.contains(&R::kw_from) {
        let end = before.len();
        let start = before[..end - "months".len()]
            .trim_end()
            .char_indices()
            .rev()
            .find(|(_, c)| !c.is_ascii_digit())
            .map_or(0, |(i, c)| i + c.len_utf8());
        return Diagnostic::error(
            Code::ParseSyntax,
            "a period of months needs the day its first window starts",
        )
        .with_label(Span::new(file, start, end), "`from DATE` is missing here")
        .with_help(format!(
            "write e.g. `{} from 2017-12-22`: windows of months are counted from a day (for a calendar year, write `per year`)",
            &before[start..end]
        ));
    }

    // `price: cap …`: a keyword used as a label.
    if is_keyword_here && rest[word.len()..].starts_with(':') {
        return Diagnostic::error(
            Code::ParseSyntax,
            format!("`{word}` is a keyword and cannot be a label"),
        )
        .with_label(Span::new(file, pos, pos + word.len() + 1), "this label")
        .with_help(format!("choose another label, e.g. `{word}_rule:`"));
    }

    // `500000 per year`: an amount with its unit left out.
    if positives.contains(&R::unit) && word == "per" {
        return Diagnostic::error(Code::ParseMissingUnit, "missing unit after the amount")
            .with_label(span, "expected a unit such as `bbl` or `t` before `per`")
            .with_help("write the unit after the amount, e.g. `500000 bbl per year`");
    }

    // A misspelt keyword: `cyte`, `efective`, `bann`.
    if !word.is_empty() && !is_keyword_here {
        let candidates = candidate_keywords(&positives);
        if let Some(best) = suggest::closest(word, candidates.iter().copied()) {
            let shown = if best == "warn" { "warn at" } else { best };
            return Diagnostic::error(Code::ParseUnknownKeyword, format!("unknown word `{word}`"))
                .with_label(span, format!("expected {expected}"))
                .with_help(format!("did you mean `{shown}`?"));
        }
    }

    let help = if positives.contains(&R::percent) && rest.starts_with(|c: char| c.is_ascii_digit())
    {
        Some("percentages are written with `%`, e.g. `warn at 75%, 90%`".to_string())
    } else if positives.contains(&R::date) {
        Some("dates are written YYYY-MM-DD, e.g. `2018-01-01`".to_string())
    } else if positives.contains(&R::string) || positives.contains(&R::title) {
        Some("texts are written in double quotes".to_string())
    } else if positives.contains(&R::name) && is_keyword_here {
        Some(format!("`{word}` is a keyword; choose another name"))
    } else if positives.contains(&R::hs_code) {
        Some("HS codes are digits only, e.g. `2710` or `271019`".to_string())
    } else {
        None
    };

    Diagnostic::error(
        Code::ParseSyntax,
        format!("expected {expected}, found {found}"),
    )
    .with_label(span, format!("expected {expected}"))
    .maybe_help(help)
}
