//! Renderers: one per output format. They turn diagnostics (and, for
//! `eval`, findings) into text; nothing below this layer prints.

pub mod eval;
pub mod grouped;
pub mod html;
pub mod human;
pub mod json;
pub mod sarif;
pub mod snippets;
pub mod summary;
pub mod words;

use crate::diagnostic::{Diagnostic, Severity};

/// Counts for a summary line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
}

impl Counts {
    pub fn of<'a>(diags: impl IntoIterator<Item = &'a Diagnostic>) -> Self {
        let mut c = Counts::default();
        for d in diags {
            match d.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Advice => {}
            }
        }
        c
    }
}

/// `1 error`, `2 warnings`, with thousands separators.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

/// `1204` → `1,204`.
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(1204), "1,204");
        assert_eq!(super::thousands(1_000_000), "1,000,000");
    }
}
