//! The language's vocabulary, in one table: every reserved word and what
//! it does. Parse-error wording (what a statement or clause may begin
//! with), completion, the formatter (it prints the [`word`] constants
//! declared with the table; clause names come from the AST's `keyword()`,
//! checked against this table) and the grammar tests (Rust and VS Code)
//! all read it.

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

/// Declares the table and, for code that prints a word (the formatter),
/// a constant per word in [`word`].
macro_rules! table {
    ($($name:ident = $word:literal: $role:ident,)*) => {
        /// Every reserved word, by name: code that prints the language
        /// (the formatter) writes these, not words of its own.
        pub mod word {
            $(pub const $name: &str = $word;)*
        }

        /// Every reserved word of the language (they cannot be names), in
        /// the order the grammar's `keyword` rule lists them.
        pub const TABLE: &[(&str, Role)] = &[$((word::$name, Role::$role),)*];
    };
}

table! {
    REGIME = "regime": Declaration,
    PARTY = "party": Declaration,
    GROUP = "group": Declaration,
    ENTITY = "entity": Declaration,
    COMMODITY = "commodity": Declaration,
    CONVERT = "convert": Statement,
    EXEMPTION = "exemption": Declaration,
    BAN = "ban": Statement,
    CAP = "cap": Statement,
    REQUIRE = "require": Statement,
    REPORT = "report": Other,
    PRICE = "price": Other,
    OF = "of": Other,
    WITHIN = "within": Other,
    MONTHLY = "monthly": Other,
    EVERY = "every": Other,
    FROM = "from": Other,
    TO = "to": Other,
    VIA = "via": Other,
    PER = "per": Other,
    BY = "by": Other,
    ORIGIN = "origin": Other,
    DESTINATION = "destination": Other,
    YEAR = "year": Other,
    QUARTER = "quarter": Other,
    MONTHS = "months": Other,
    MONTH = "month": Other,
    DAYS = "days": Other,
    DAY = "day": Other,
    EFFECTIVE = "effective": Clause,
    UNTIL = "until": Clause,
    CITE = "cite": Clause,
    WARN = "warn": Clause,
    AT = "at": Other,
    EXCEPT = "except": Clause,
    SEVERITY = "severity": Clause,
    ERROR = "error": Other,
    WARNING = "warning": Other,
    UNLESS = "unless": Clause,
    LOADED = "loaded": Other,
    CONTRACTED = "contracted": Other,
    BEFORE = "before": Other,
    AND = "and": Other,
    DELIVERED = "delivered": Other,
    HS = "hs": Other,
    UNDER = "under": Other,
    MEASURED = "measured": Other,
    IN = "in": Other,
    ANY = "any": Other,
    OR = "or": Other,
    LIST = "list": Declaration,
    REFERENCE = "reference": Other,
    DATASET = "dataset": Other,
    SCHEMA = "schema": Other,
    WITH = "with": Other,
    ON = "on": Other,
    FUZZY = "fuzzy": Other,
    FLAGGED = "flagged": Other,
    TRANSFER = "transfer": Other,
    PORT = "port": Other,
    CALLS = "calls": Other,
    PROVIDED = "provided": Clause,
    NO = "no": Other,
}

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
