//! The language's vocabulary, in one table: every reserved word and what
//! it does. Parse-error wording (what a statement or clause may begin
//! with), completion, the formatter (through the AST's `keyword()` names,
//! checked against this table) and the grammar test all read it.

use std::sync::LazyLock;

/// What a reserved word does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Begins a declaration statement (and names what it declares).
    Declaration,
    /// Begins a statement that declares no name (`convert`, rules).
    Statement,
    /// Begins a rule clause.
    Clause,
    /// Any other reserved word.
    Other,
}

/// Every reserved word of the language (they cannot be names), in the
/// order the grammar's `keyword` rule lists them.
pub const TABLE: &[(&str, Role)] = &[
    ("regime", Role::Declaration),
    ("party", Role::Declaration),
    ("group", Role::Declaration),
    ("entity", Role::Declaration),
    ("commodity", Role::Declaration),
    ("convert", Role::Statement),
    ("exemption", Role::Declaration),
    ("ban", Role::Statement),
    ("cap", Role::Statement),
    ("require", Role::Statement),
    ("report", Role::Other),
    ("price", Role::Other),
    ("of", Role::Other),
    ("within", Role::Other),
    ("from", Role::Other),
    ("to", Role::Other),
    ("via", Role::Other),
    ("per", Role::Other),
    ("by", Role::Other),
    ("origin", Role::Other),
    ("destination", Role::Other),
    ("year", Role::Other),
    ("quarter", Role::Other),
    ("months", Role::Other),
    ("month", Role::Other),
    ("days", Role::Other),
    ("day", Role::Other),
    ("effective", Role::Clause),
    ("until", Role::Clause),
    ("cite", Role::Clause),
    ("warn", Role::Clause),
    ("at", Role::Other),
    ("except", Role::Clause),
    ("severity", Role::Clause),
    ("error", Role::Other),
    ("warning", Role::Other),
    ("unless", Role::Clause),
    ("loaded", Role::Other),
    ("before", Role::Other),
    ("and", Role::Other),
    ("delivered", Role::Other),
    ("hs", Role::Other),
    ("under", Role::Other),
    ("measured", Role::Other),
    ("in", Role::Other),
    ("any", Role::Other),
    ("or", Role::Other),
    ("list", Role::Declaration),
    ("reference", Role::Other),
    ("dataset", Role::Other),
    ("schema", Role::Other),
    ("with", Role::Other),
    ("on", Role::Other),
    ("fuzzy", Role::Other),
    ("flagged", Role::Other),
    ("transfer", Role::Other),
    ("port", Role::Other),
    ("calls", Role::Other),
    ("provided", Role::Clause),
    ("no", Role::Other),
];

fn with(roles: &[Role]) -> Vec<&'static str> {
    TABLE
        .iter()
        .filter(|(_, r)| roles.contains(r))
        .map(|(w, _)| *w)
        .collect()
}

/// Every reserved word.
pub static KEYWORDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    with(&[
        Role::Declaration,
        Role::Statement,
        Role::Clause,
        Role::Other,
    ])
});

/// Words that begin a statement.
pub static STATEMENT_KEYWORDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| with(&[Role::Declaration, Role::Statement]));

/// Words that begin a declaration.
pub static DECLARATION_KEYWORDS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| with(&[Role::Declaration]));

/// Words that begin a rule clause.
pub static CLAUSE_KEYWORDS: LazyLock<Vec<&'static str>> = LazyLock::new(|| with(&[Role::Clause]));

pub fn is_keyword(word: &str) -> bool {
    TABLE.iter().any(|(w, _)| *w == word)
}
