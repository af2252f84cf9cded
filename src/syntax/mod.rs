//! Syntax: the pest grammar, the typed AST with spans, and recovery.

pub mod ast;
mod errors;
mod parse;

pub mod keywords;
pub use keywords::{is_keyword, CLAUSE_KEYWORDS, KEYWORDS, STATEMENT_KEYWORDS};
pub use parse::{parse, reparse, Parsed};

/// The generated pest parser for `grammar/sanc.pest`.
pub(crate) mod grammar {
    #[derive(pest_derive::Parser)]
    #[grammar = "grammar/sanc.pest"]
    pub struct SancParser;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The words the formatter and the AST print for clauses, rules and
    /// directions are the table's, in the role it gives them.
    #[test]
    fn printed_keywords_are_in_the_table() {
        use ast::{Clause, Direction, RuleKind};
        use keywords::{Role, TABLE};
        let role = |w: &str| TABLE.iter().find(|(k, _)| *k == w).map(|(_, r)| *r);
        let d = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
        let clauses = [
            Clause::Effective(d),
            Clause::Until(d),
            Clause::Cite(String::new()),
            Clause::WarnAt(Vec::new()),
            Clause::Severity(crate::diagnostic::Severity::Error),
        ];
        for c in &clauses {
            let first = c.keyword().split(' ').next().unwrap_or("");
            assert_eq!(role(first), Some(Role::Clause), "{first}");
            for w in c.keyword().split(' ') {
                assert!(is_keyword(w), "{w}");
            }
        }
        assert_eq!(role(RuleKind::Ban.keyword()), Some(Role::Statement));
        for dir in [Direction::From, Direction::To, Direction::Via] {
            assert!(is_keyword(dir.keyword()));
        }
        assert_eq!(CLAUSE_KEYWORDS.len(), 8);
    }

    /// The grammar's `keyword` rule and [`KEYWORDS`] list the same words.
    #[test]
    fn keyword_list_matches_the_grammar() {
        let grammar = include_str!("../../grammar/sanc.pest");
        let start = grammar.find("keyword = @{").unwrap_or(0);
        let end = start + grammar[start..].find("~ !(").unwrap_or(0);
        let mut in_grammar: Vec<&str> = grammar[start..end].split('"').skip(1).step_by(2).collect();
        let mut listed = KEYWORDS.clone();
        in_grammar.sort_unstable();
        listed.sort_unstable();
        assert_eq!(in_grammar, listed);
        for kw in KEYWORDS.iter() {
            let p = parse(
                crate::source::FileId(0),
                &format!("commodity {kw} = hs 27\n"),
            );
            assert!(!p.diagnostics.is_empty(), "`{kw}` was accepted as a name");
        }
    }
}
