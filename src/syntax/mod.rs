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
