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

/// Denominators must stay below 10^this for totals to be printed exactly
/// (and for sums of remainders to fit 38 digits).
pub const MAX_DENOMINATOR_DIGITS: u32 = 36;

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

/// Layers that print `ip + fnum / den` (whole-number columns, 0 <= fnum
/// < den, den > 0, den < 10^36) as `sanc eval` prints an exact amount: the
/// exact decimal when it has at most 32 places, else rounded half away
/// from zero to 20 places; trailing zeros dropped. The result is column
/// `out` of a query wrapped around `inner`.
pub fn format_ratio(d: Dialect, inner: &str, ip: &str, fnum: &str, den: &str, out: &str) -> String {
    let tag = format!("fmt_{out}_");
    let e4 = lit(d, &pow10(CHUNK));
    let mut q = format!("SELECT *, {fnum} AS {tag}r0 FROM ({inner}) {tag}0");
    for k in 1..=LAYERS_EXACT {
        let shifted = format!("({tag}r{} * {e4})", k - 1);
        q = format!(
            "SELECT *, {} AS {tag}c{k}, {shifted} % ({den}) AS {tag}r{k} FROM ({q}) {tag}{k}",
            d.idiv(&shifted, den)
        );
    }
    let (r20, rx) = (
        format!("{tag}r{LAYERS_20}"),
        format!("{tag}r{LAYERS_EXACT}"),
    );
    let ends = Ends {
        zero20: format!("{r20} = 0"),
        zero_exact: format!("{rx} = 0"),
        half_up: format!("{r20} * 2 >= ({den})"),
    };
    digits_text(d, &q, &tag, ip, &ends, out)
}

/// [`format_ratio`] for a fraction over `l * m` (columns), kept as a pair
/// (`x`, `y`) standing for `x * l + y` (0 <= x < m, 0 <= y < l), so that
/// no product passes 38 digits when `l * m` does: `l < 10^36`.
pub fn format_ratio_mixed(
    d: Dialect,
    inner: &str,
    ip: &str,
    (x0, y0): (&str, &str),
    (l, m): (&str, &str),
    out: &str,
) -> String {
    let tag = format!("fmt_{out}_");
    let e4 = lit(d, &pow10(CHUNK));
    let mut q = format!("SELECT *, {x0} AS {tag}x0, {y0} AS {tag}y0 FROM ({inner}) {tag}0");
    for k in 1..=LAYERS_EXACT {
        let (x, y) = (format!("{tag}x{}", k - 1), format!("{tag}y{}", k - 1));
        // 100 (x l + y) = (100 x + 100 y div l) l + 100 y mod l
        let t = format!("({x} * {e4} + {})", d.idiv(&format!("{y} * {e4}"), l));
        q = format!(
            "SELECT *, {} AS {tag}c{k}, {t} % ({m}) AS {tag}x{k}, ({y} * {e4}) % ({l}) AS {tag}y{k} FROM ({q}) {tag}{k}",
            d.idiv(&t, m)
        );
    }
    let zero = |k: u32| format!("({tag}x{k} = 0 AND {tag}y{k} = 0)");
    let ends = Ends {
        zero20: zero(LAYERS_20),
        zero_exact: zero(LAYERS_EXACT),
        half_up: format!(
            "{tag}x{LAYERS_20} * 2 + {} >= ({m})",
            d.idiv(&format!("{tag}y{LAYERS_20} * 2"), l)
        ),
    };
    digits_text(d, &q, &tag, ip, &ends, out)
}

/// How a long division ends: no remainder after 20 places, after 32, and
/// whether the remainder after 20 is at least half a unit of the 20th.
struct Ends {
    zero20: String,
    zero_exact: String,
    half_up: String,
}

/// The printed number from the digit columns `{tag}c1…` of `q`.
fn digits_text(d: Dialect, q: &str, tag: &str, ip: &str, ends: &Ends, out: &str) -> String {
    let e20 = lit(d, &pow10(20));
    let pad = |c: &str| format!("lpad({}, {CHUNK}, '0')", d.to_text(c));
    let trim0 = |s: &str| d.replace_re(s, "0+$", "");
    let digits = |n: u32| {
        (1..=n)
            .map(|k| pad(&format!("{tag}c{k}")))
            .collect::<Vec<_>>()
            .join(" || ")
    };
    let f20 = (1..=LAYERS_20)
        .map(|k| format!("{tag}c{k} * {}", lit(d, &pow10(CHUNK * (LAYERS_20 - k)))))
        .collect::<Vec<_>>()
        .join(" + ");
    let Ends {
        zero20,
        zero_exact,
        half_up,
    } = ends;
    let rounded = format!("({f20} + CASE WHEN {half_up} THEN 1 ELSE 0 END)");
    let carry = format!("NOT ({zero20}) AND NOT ({zero_exact}) AND {rounded} >= {e20}");
    let int_text = format!(
        "CASE WHEN {carry} THEN {} ELSE {} END",
        d.to_text(&format!("({ip}) + 1")),
        d.to_text(&format!("({ip})"))
    );
    let frac = format!(
        "CASE WHEN {zero20} THEN {} WHEN {zero_exact} THEN {} WHEN {rounded} >= {e20} THEN '' ELSE {} END",
        trim0(&digits(LAYERS_20)),
        trim0(&digits(LAYERS_EXACT)),
        trim0(&format!("lpad({}, 20, '0')", d.to_text(&rounded)))
    );
    format!(
        "SELECT *, ({int_text}) || CASE WHEN ({frac}) = '' THEN '' ELSE '.' || ({frac}) END AS {out} FROM ({q}) {tag}x"
    )
}

/// Digits per step of the long division that prints amounts.
const CHUNK: u32 = 2;
/// Steps for 20 places, and for the 32 places printed exactly.
const LAYERS_20: u32 = 10;
const LAYERS_EXACT: u32 = 16;
