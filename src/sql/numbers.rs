//! Exact numbers in SQL: every amount becomes a whole number of
//! 10^-[`SCALE`] units, every conversion a whole multiplier over a common
//! denominator, so sums and comparisons are integer arithmetic (no
//! rounding, no residue), as `sanc eval` does them with exact fractions.

use super::dialect::Dialect;
use crate::exact::Exact;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed};

/// Fraction digits an event's amount may have in SQL.
pub const SCALE: u32 = 10;

/// Integer digits an event's amount may have in SQL.
pub const INT_DIGITS: u32 = 20;

/// Constants (scaled limits, thresholds, multipliers) must stay below
/// 10^this, so that sums of many events still fit 38 digits.
pub const MAX_CONSTANT_DIGITS: u32 = 36;

/// Denominators must stay below 10^this for totals to be printed exactly.
pub const MAX_DENOMINATOR_DIGITS: u32 = 27;

pub fn pow10(n: u32) -> BigInt {
    num_traits::pow(BigInt::from(10u8), n as usize)
}

pub fn digits(n: &BigInt) -> u32 {
    n.abs().to_string().len() as u32
}

/// The least common multiple of the denominators of `xs` (1 for none).
pub fn common_denominator<'a>(xs: impl IntoIterator<Item = &'a Exact>) -> BigInt {
    xs.into_iter()
        .fold(BigInt::one(), |acc, x| acc.lcm(x.denom()))
}

/// `x`, rounded down to a whole number.
pub fn floor(x: &Exact) -> BigInt {
    x.floor().to_integer()
}

/// `x`, rounded up to a whole number.
pub fn ceil(x: &Exact) -> BigInt {
    x.ceil().to_integer()
}

/// An integer expression as text, for SQL.
pub fn lit(d: Dialect, n: &BigInt) -> String {
    if n.abs() < BigInt::from(1_000_000_000i64) {
        format!("CAST({n} AS {})", d.int())
    } else {
        d.int_lit(&n.to_string())
    }
}

/// Layers that print `num / den` (two non-negative whole-number columns,
/// `den` > 0) as `sanc eval` prints an exact amount: the exact decimal
/// when it has at most 30 places, else rounded half away from zero to 20
/// places; trailing zeros dropped. The result is column `out` of a query
/// wrapped around `inner`.
pub fn format_ratio(d: Dialect, inner: &str, num: &str, den: &str, out: &str) -> String {
    let e10 = lit(d, &pow10(10));
    let e20 = lit(d, &pow10(20));
    let l1 = format!(
        "SELECT *, {} AS fmt_i, ({num}) % ({den}) AS fmt_r0 FROM ({inner}) fmt0",
        d.idiv(num, den)
    );
    let step = |prev: &str, c: &str, r: &str, from: &str, alias: &str| {
        let shifted = format!("({prev} * {e10})");
        format!(
            "SELECT *, {} AS {c}, {shifted} % ({den}) AS {r} FROM ({from}) {alias}",
            d.idiv(&shifted, den)
        )
    };
    let l2 = step("fmt_r0", "fmt_c1", "fmt_r1", &l1, "fmt1");
    let l3 = step("fmt_r1", "fmt_c2", "fmt_r2", &l2, "fmt2");
    let l4 = step("fmt_r2", "fmt_c3", "fmt_r3", &l3, "fmt3");
    let pad = |c: &str| format!("lpad({}, 10, '0')", d.to_text(c));
    let trim0 = |s: &str| d.replace_re(s, "0+$", "");
    let rounded = format!(
        "(fmt_c1 * {e10} + fmt_c2 + CASE WHEN fmt_r2 * 2 >= ({den}) THEN 1 ELSE 0 END)"
    );
    let int_text = format!(
        "CASE WHEN fmt_r2 <> 0 AND fmt_r3 <> 0 AND {rounded} >= {e20} THEN {} ELSE {} END",
        d.to_text("fmt_i + 1"),
        d.to_text("fmt_i")
    );
    let frac = format!(
        "CASE WHEN fmt_r2 = 0 THEN {} WHEN fmt_r3 = 0 THEN {} WHEN {rounded} >= {e20} THEN '' ELSE {} END",
        trim0(&format!("{} || {}", pad("fmt_c1"), pad("fmt_c2"))),
        trim0(&format!(
            "{} || {} || {}",
            pad("fmt_c1"),
            pad("fmt_c2"),
            pad("fmt_c3")
        )),
        trim0(&format!("lpad({}, 20, '0')", d.to_text(&rounded)))
    );
    format!(
        "SELECT *, ({int_text}) || CASE WHEN ({frac}) = '' THEN '' ELSE '.' || ({frac}) END AS {out} FROM ({l4}) fmt4"
    )
}

