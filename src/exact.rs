//! Exact amounts: every total, conversion and price comparison is a ratio of
//! big integers, so no sum can overflow or keep a rounding residue, and a
//! total exactly at a cap is never over it. Decimals are the input and the
//! printed form only.

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{Signed, ToPrimitive, Zero};
use rust_decimal::Decimal;

/// An exact rational amount.
pub type Exact = BigRational;

/// A decimal, exactly.
pub fn exact(d: Decimal) -> Exact {
    // In lowest terms without big-integer arithmetic: the mantissa has at
    // most 96 bits and 10^scale (scale ≤ 28) fits in 128, so their common
    // factor is found on machine integers; `new` would find the same.
    let m = d.mantissa();
    let Some(den) = 10u128.checked_pow(d.scale()) else {
        return BigRational::new(BigInt::from(m), pow10(d.scale()));
    };
    let g = num_integer::gcd(m.unsigned_abs(), den);
    if g == 0 {
        return BigRational::new(BigInt::from(m), pow10(d.scale()));
    }
    let n = BigInt::from(m.unsigned_abs() / g);
    let n = if m < 0 { -n } else { n };
    BigRational::new_raw(n, BigInt::from(den / g))
}

/// A running sum of exact amounts, kept over a common denominator and put
/// in lowest terms only when read: adding to a [`BigRational`] reduces it
/// every time (a greatest common divisor of big integers), and the
/// amounts of one window mostly share their denominator.
#[derive(Debug, Clone, Default)]
pub struct Sum {
    numer: BigInt,
    /// Zero until the first amount (then positive).
    denom: BigInt,
}

impl Sum {
    pub fn add(&mut self, x: &Exact) {
        if self.denom == *x.denom() {
            self.numer += x.numer();
        } else if self.denom.is_zero() {
            self.numer = x.numer().clone();
            self.denom = x.denom().clone();
        } else if let (Some(ours), Some(theirs)) = (self.denom.to_u64(), x.denom().to_u64()) {
            // Decimal amounts' denominators (1, 2, 4, 5, …, 100): their
            // common one found on machine integers.
            let g = num_integer::gcd(ours, theirs);
            let (ours_g, theirs_g) = (ours / g.max(1), theirs / g.max(1));
            match ours.checked_mul(theirs_g) {
                Some(d) => {
                    self.numer = &self.numer * theirs_g + x.numer() * ours_g;
                    self.denom = BigInt::from(d);
                }
                None => self.add_big(x),
            }
        } else {
            self.add_big(x);
        }
    }

    fn add_big(&mut self, x: &Exact) {
        let g = self.denom.gcd(x.denom());
        let theirs = x.denom() / &g;
        self.numer = &self.numer * &theirs + x.numer() * (&self.denom / &g);
        self.denom *= theirs;
    }

    /// The sum, in lowest terms.
    pub fn value(&self) -> Exact {
        if self.denom.is_zero() {
            return Exact::default();
        }
        BigRational::new(self.numer.clone(), self.denom.clone())
    }

    /// How the sum compares with `x`, without reducing it.
    pub fn cmp_exact(&self, x: &Exact) -> std::cmp::Ordering {
        if self.denom.is_zero() {
            return Exact::default().cmp(x);
        }
        // Both denominators are positive.
        (&self.numer * x.denom()).cmp(&(x.numer() * &self.denom))
    }
}

/// The ratio `a / b` of two decimals (`None` when `b` is zero).
pub fn ratio(a: Decimal, b: Decimal) -> Option<Exact> {
    (!b.is_zero()).then(|| exact(a) / exact(b))
}

fn pow10(n: u32) -> BigInt {
    num_traits::pow(BigInt::from(10u8), n as usize)
}

/// Fraction digits printed for an amount whose decimal expansion does not
/// end (barrels converted to tonnes at 7.33); comparisons stay exact.
pub const PRINTED_DECIMALS: u32 = 20;

/// Digits of `|x|` scaled by 10^`places` and rounded half away from zero,
/// and whether that is exact.
fn scaled(x: &Exact, places: u32) -> (BigInt, bool) {
    let numer = x.numer().abs() * pow10(places);
    let denom = x.denom();
    let (q, r) = numer.div_rem(denom);
    if r.is_zero() {
        return (q, true);
    }
    let up = r * 2u8 >= *denom;
    (if up { q + 1u8 } else { q }, false)
}

/// `x` rounded to `places` decimal places: sign, integer digits, and the
/// fraction's digits without trailing zeros.
fn digits(x: &Exact, places: u32) -> (bool, String, String) {
    let (n, _) = scaled(x, places);
    let s = n.to_string();
    let width = places as usize + 1;
    let s = if s.len() < width {
        format!("{}{s}", "0".repeat(width - s.len()))
    } else {
        s
    };
    let (int, frac) = s.split_at(s.len() - places as usize);
    let frac = frac.trim_end_matches('0').to_string();
    let negative = x.is_negative() && (!int.trim_start_matches('0').is_empty() || !frac.is_empty());
    (negative, int.to_string(), frac)
}

/// The number of decimal places `x` needs, when its expansion ends.
fn terminating_places(x: &Exact) -> Option<u32> {
    let mut d = x.denom().clone();
    let (mut twos, mut fives) = (0u32, 0u32);
    let (two, five) = (BigInt::from(2u8), BigInt::from(5u8));
    while d.is_even() {
        d /= &two;
        twos += 1;
    }
    while (&d % &five).is_zero() {
        d /= &five;
        fives += 1;
    }
    (d == BigInt::from(1u8)).then_some(twos.max(fives))
}

/// An amount for machines: the exact decimal text when there is one
/// (`512300`, `0.1`, `1e-25` as `0.0000000000000000000000001`), else
/// rounded to [`PRINTED_DECIMALS`] places.
pub fn plain(x: &Exact) -> String {
    let places = terminating_places(x).unwrap_or(PRINTED_DECIMALS);
    let (neg, int, frac) = digits(x, places);
    let sign = if neg { "-" } else { "" };
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

/// An amount for people: thousands grouped, and at most 4 decimal places
/// when the amount has more (`557,755`, `68,212.8240`→`68,212.824`).
pub fn human(x: &Exact) -> String {
    let (_, exact_at_6) = scaled(x, 6);
    let places = if exact_at_6 { 6 } else { 4 };
    let (neg, int, frac) = digits(x, places);
    let mut out = String::from(if neg { "-" } else { "" });
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(&frac);
    }
    out
}

/// `x` as a decimal when it is one exactly and fits (`None` otherwise).
pub fn to_decimal(x: &Exact) -> Option<Decimal> {
    for places in 0..=28u32 {
        let (n, exact) = scaled(x, places);
        if exact {
            let m = n.to_i128()?;
            let d = Decimal::try_from_i128_with_scale(m, places).ok()?;
            return Some(if x.is_negative() { -d } else { d });
        }
    }
    None
}

/// `percent`% of `limit`, exactly.
pub fn percent_of(limit: Decimal, percent: Decimal) -> Exact {
    exact(limit) * exact(percent) / BigRational::from_integer(BigInt::from(100u8))
}

/// `x` as a share of `limit`, in percent (`None` for a zero limit).
pub fn share(x: &Exact, limit: Decimal) -> Option<Exact> {
    (!limit.is_zero()).then(|| x * BigRational::from_integer(BigInt::from(100u8)) / exact(limit))
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_sum_is_the_rationals_sum() {
        use super::{exact, Exact, Sum};
        use rust_decimal::Decimal;
        let amounts: Vec<Exact> = ["8781.34", "0.5", "12", "7.33", "-3.25", "0.001", "100.10"]
            .iter()
            .map(|t| exact(t.parse::<Decimal>().unwrap_or_default()))
            .chain([
                Exact::new(1.into(), 3.into()),
                Exact::new(2.into(), 7.into()),
                // Denominators past machine integers.
                Exact::new(1.into(), num_traits::pow(num_bigint::BigInt::from(10), 30)),
                Exact::new(7.into(), num_traits::pow(num_bigint::BigInt::from(3), 50)),
            ])
            .collect();
        let mut sum = Sum::default();
        let mut total = Exact::default();
        assert_eq!(sum.value(), total);
        for a in &amounts {
            assert_eq!(sum.cmp_exact(a), total.cmp(a));
            sum.add(a);
            total += a;
            assert_eq!(sum.value(), total);
            for b in &amounts {
                assert_eq!(sum.cmp_exact(b), total.cmp(b), "{total} against {b}");
            }
            assert_eq!(sum.cmp_exact(&total), std::cmp::Ordering::Equal);
        }
    }

    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("a decimal")
    }

    #[test]
    fn decimals_round_trip() {
        for s in [
            "0",
            "1",
            "-2.5",
            "72.50",
            "0.0000000000000000000000001",
            "79228162514264337593543950335",
        ] {
            let x = exact(d(s));
            assert_eq!(to_decimal(&x), Some(d(s)), "{s}");
            assert_eq!(plain(&x), d(s).normalize().to_string(), "{s}");
        }
    }

    #[test]
    fn thirds_sum_to_one_exactly() {
        let third = ratio(Decimal::ONE, Decimal::from(3)).expect("non-zero");
        assert_eq!(&third + &third + &third, exact(Decimal::ONE));
        for t in [
            "0",
            "-0.00",
            "72.50",
            "-1234.5",
            "1000",
            "0.0000000000000000000000000001",
            "79228162514264337593543950335",
            "-7.9228162514264337593543950335",
            "12.3400",
        ] {
            let v = d(t);
            let slow = BigRational::new(BigInt::from(v.mantissa()), pow10(v.scale()));
            let fast = exact(v);
            assert_eq!(
                (fast.numer(), fast.denom()),
                (slow.numer(), slow.denom()),
                "{t}"
            );
        }
        assert_eq!(plain(&third), "0.33333333333333333333");
        assert_eq!(human(&third), "0.3333");
    }

    #[test]
    fn printing() {
        assert_eq!(human(&exact(d("512300"))), "512,300");
        assert_eq!(human(&exact(d("72.50"))), "72.5");
        assert_eq!(human(&exact(d("-1234.5"))), "-1,234.5");
        let big = exact(Decimal::MAX) * exact(Decimal::from(10));
        assert_eq!(plain(&big), "792281625142643375935439503350");
        assert_eq!(to_decimal(&big), None);
        assert_eq!(
            plain(&exact(d("-0.000000000000000000001"))),
            "-0.000000000000000000001"
        );
        assert_eq!(human(&exact(d("-0.000000000000000000001"))), "0");
    }

    #[test]
    fn shares_and_thresholds() {
        assert_eq!(percent_of(d("500000"), d("75")), exact(d("375000")));
        let s = share(&exact(d("396825")), d("500000")).expect("non-zero");
        assert_eq!(plain(&s), "79.365");
    }
}
