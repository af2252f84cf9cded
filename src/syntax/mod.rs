//! Syntax: the pest grammar, the typed AST with spans, and recovery.

pub mod ast;
mod errors;
mod parse;

pub use errors::{CLAUSE_KEYWORDS, STATEMENT_KEYWORDS};
pub use parse::{parse, Parsed};

/// The generated pest parser for `grammar/sanc.pest`.
pub(crate) mod grammar {
    #[derive(pest_derive::Parser)]
    #[grammar = "grammar/sanc.pest"]
    pub struct SancParser;
}

/// Every reserved word of the language (they cannot be names).
pub const KEYWORDS: &[&str] = &[
    "regime",
    "party",
    "group",
    "entity",
    "commodity",
    "convert",
    "exemption",
    "ban",
    "cap",
    "require",
    "report",
    "price",
    "of",
    "within",
    "from",
    "to",
    "via",
    "per",
    "by",
    "origin",
    "destination",
    "year",
    "quarter",
    "months",
    "month",
    "days",
    "day",
    "effective",
    "until",
    "cite",
    "warn",
    "at",
    "except",
    "severity",
    "error",
    "warning",
    "unless",
    "loaded",
    "before",
    "and",
    "delivered",
    "hs",
    "under",
    "measured",
    "in",
    "any",
    "or",
];

pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The grammar's `keyword` rule and [`KEYWORDS`] list the same words.
    #[test]
    fn keyword_list_matches_the_grammar() {
        let grammar = include_str!("../../grammar/sanc.pest");
        let start = grammar.find("keyword = @{").unwrap_or(0);
        let end = start + grammar[start..].find("~ !(").unwrap_or(0);
        let mut in_grammar: Vec<&str> = grammar[start..end].split('"').skip(1).step_by(2).collect();
        let mut listed = KEYWORDS.to_vec();
        in_grammar.sort_unstable();
        listed.sort_unstable();
        assert_eq!(in_grammar, listed);
        for kw in KEYWORDS {
            let p = parse(
                crate::source::FileId(0),
                &format!("commodity {kw} = hs 27\n"),
            );
            assert!(!p.diagnostics.is_empty(), "`{kw}` was accepted as a name");
        }
    }
}
