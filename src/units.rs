//! Units, dimensions and exact conversions.
//!
//! Conversions within a dimension are built in; across dimensions (tonnes to
//! barrels) only through a commodity's `convert` declaration. All arithmetic
//! is `rust_decimal`: exact for the factors below, rounded at 28 significant
//! digits only where a division does not terminate (e.g. litres to barrels).

use crate::exact::{ratio, Exact};
use crate::iso;
use rust_decimal::Decimal;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    Mass,
    Volume,
    Count,
    /// Money in one currency; currencies do not convert into each other.
    Money(&'static str),
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dimension::Mass => f.write_str("mass"),
            Dimension::Volume => f.write_str("volume"),
            Dimension::Count => f.write_str("count"),
            Dimension::Money(c) => write!(f, "money in {c}"),
        }
    }
}

/// A known unit: its symbol, dimension and size in the dimension's base unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Unit {
    pub symbol: &'static str,
    pub dimension: Dimension,
    /// How many base units (kg, l, units, one unit of currency) one of it is.
    pub to_base: Decimal,
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol)
    }
}

/// Litres in one US oil barrel (42 US gallons), exactly.
pub const LITRES_PER_BARREL: Decimal = Decimal::from_parts(73_504_976, 37, 0, false, 9);

/// Built-in units other than currencies: symbol, dimension, size in base units.
pub fn builtin_units() -> [(&'static str, Dimension, Decimal); 6] {
    BUILTIN
}

const BUILTIN: [(&str, Dimension, Decimal); 6] = [
    ("t", Dimension::Mass, Decimal::ONE_THOUSAND),
    ("kg", Dimension::Mass, Decimal::ONE),
    ("bbl", Dimension::Volume, LITRES_PER_BARREL),
    ("l", Dimension::Volume, Decimal::ONE),
    ("m3", Dimension::Volume, Decimal::ONE_THOUSAND),
    ("units", Dimension::Count, Decimal::ONE),
];

/// The unit a symbol names, if any (currencies are ISO 4217 codes).
pub fn lookup(symbol: &str) -> Option<Unit> {
    lookup_static(symbol).copied()
}

/// [`lookup`], as the one `'static` copy of the unit: an event holds its
/// units by reference (8 bytes where a unit is 48, and an event is written
/// once for every record).
pub fn lookup_static(symbol: &str) -> Option<&'static Unit> {
    // The builtin units by position, without building the table.
    let i = match symbol {
        "t" => 0,
        "kg" => 1,
        "bbl" => 2,
        "l" => 3,
        "m3" => 4,
        "units" => 5,
        _ => usize::MAX,
    };
    if let Some(u) = BUILTIN_UNITS.get(i) {
        return Some(u);
    }
    static CURRENCY_UNITS: std::sync::OnceLock<Vec<Unit>> = std::sync::OnceLock::new();
    let n = iso::currency_index(symbol)?;
    CURRENCY_UNITS
        .get_or_init(|| {
            iso::CURRENCIES
                .iter()
                .map(|&code| Unit {
                    symbol: code,
                    dimension: Dimension::Money(code),
                    to_base: Decimal::ONE,
                })
                .collect()
        })
        .get(n)
}

static BUILTIN_UNITS: [Unit; 6] = {
    let mut units = [Unit {
        symbol: "",
        dimension: Dimension::Count,
        to_base: Decimal::ONE,
    }; 6];
    let mut i = 0;
    while i < 6 {
        let (symbol, dimension, to_base) = BUILTIN[i];
        units[i] = Unit {
            symbol,
            dimension,
            to_base,
        };
        i += 1;
    }
    units
};

/// A likely intended unit for an unknown symbol (`barrels` → `bbl`).
pub fn suggest(symbol: &str) -> Option<&'static str> {
    let lower = symbol.to_lowercase();
    let known: &[(&[&str], &str)] = &[
        (&["barrel", "barrels", "bbls", "bl", "b"], "bbl"),
        (&["tonne", "tonnes", "ton", "tons", "mt", "tn"], "t"),
        (&["kilogram", "kilograms", "kgs"], "kg"),
        (&["litre", "litres", "liter", "liters", "ltr"], "l"),
        (&["cubic_metres", "cbm", "m³"], "m3"),
        (&["unit", "pieces", "pcs", "items"], "units"),
        (&["usd", "dollars", "dollar"], "USD"),
        (&["eur", "euros", "euro"], "EUR"),
    ];
    if let Some((_, s)) = known
        .iter()
        .find(|(alts, _)| alts.contains(&lower.as_str()))
    {
        return Some(s);
    }
    if let Some(code) = iso::currency(&symbol.to_uppercase()) {
        return Some(code);
    }
    crate::suggest::closest(symbol, builtin_units().iter().map(|(s, _, _)| *s))
}

/// Convert within one dimension, exactly; `None` across dimensions.
pub fn convert_same(amount: &Exact, from: &Unit, to: &Unit) -> Option<Exact> {
    if from.dimension != to.dimension {
        return None;
    }
    if from.to_base == to.to_base {
        return Some(amount.clone());
    }
    Some(amount * ratio(from.to_base, to.to_base)?)
}

/// A declared cross-dimension equivalence: `from_amount from = to_amount to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    pub from_amount: Decimal,
    pub from: Unit,
    pub to_amount: Decimal,
    pub to: Unit,
}

impl Conversion {
    /// Convert `amount` of `unit` into `target` through this equivalence,
    /// in whichever direction it applies, exactly.
    pub fn apply(&self, amount: &Exact, unit: &Unit, target: &Unit) -> Option<Exact> {
        let (a_amt, a, b_amt, b) = if unit.dimension == self.from.dimension
            && target.dimension == self.to.dimension
        {
            (self.from_amount, &self.from, self.to_amount, &self.to)
        } else if unit.dimension == self.to.dimension && target.dimension == self.from.dimension {
            (self.to_amount, &self.to, self.from_amount, &self.from)
        } else {
            return None;
        };
        let in_a = convert_same(amount, unit, a)?;
        let in_b = in_a * ratio(b_amt, a_amt)?;
        convert_same(&in_b, b, target)
    }

    pub fn links(&self, x: &Dimension, y: &Dimension) -> bool {
        (&self.from.dimension == x && &self.to.dimension == y)
            || (&self.from.dimension == y && &self.to.dimension == x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exact::exact;

    fn u(s: &str) -> Unit {
        match lookup(s) {
            Some(u) => u,
            None => panic!("unknown unit {s}"),
        }
    }

    #[test]
    fn builtin_conversions_are_exact() {
        let x = |d: Decimal| exact(d);
        assert_eq!(
            convert_same(&x(Decimal::from(2)), &u("t"), &u("kg")),
            Some(x(Decimal::from(2000)))
        );
        assert_eq!(
            convert_same(&x(Decimal::from(10)), &u("bbl"), &u("l")),
            Some(x(Decimal::new(158_987_294_928, 8)))
        );
        assert_eq!(convert_same(&x(Decimal::ONE), &u("t"), &u("bbl")), None);
        assert_eq!(convert_same(&x(Decimal::ONE), &u("USD"), &u("EUR")), None);
    }

    #[test]
    fn declared_conversion_runs_both_ways() {
        let c = Conversion {
            from_amount: Decimal::ONE,
            from: u("t"),
            to_amount: Decimal::new(733, 2),
            to: u("bbl"),
        };
        assert_eq!(
            c.apply(&exact(Decimal::from(1000)), &u("kg"), &u("bbl")),
            Some(exact(Decimal::new(733, 2)))
        );
        assert_eq!(
            c.apply(&exact(Decimal::new(733, 2)), &u("bbl"), &u("t")),
            Some(exact(Decimal::ONE))
        );
        // Barrels to tonnes and back leaves nothing behind.
        let t = c
            .apply(&exact(Decimal::ONE), &u("bbl"), &u("t"))
            .expect("converts");
        assert_eq!(c.apply(&t, &u("t"), &u("bbl")), Some(exact(Decimal::ONE)));
    }

    #[test]
    fn every_builtin_unit_is_looked_up_as_itself() {
        for (symbol, dimension, to_base) in builtin_units() {
            let u = lookup(symbol).unwrap();
            assert_eq!(
                (u.symbol, u.dimension, u.to_base),
                (symbol, dimension, to_base)
            );
        }
        assert_eq!(
            lookup("USD").map(|u| u.dimension),
            Some(Dimension::Money("USD"))
        );
        assert!(lookup("tt").is_none() && lookup("").is_none());
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("barrels"), Some("bbl"));
        assert_eq!(suggest("usd"), Some("USD"));
        assert_eq!(suggest("bbbl"), Some("bbl"));
    }
}

/// An amount for people: exact, trailing zeros dropped, thousands grouped
/// (`512300` → `512,300`; `72.50` → `72.5`). Long fractions from
/// non-terminating conversions are shown to 4 decimal places.
pub fn format_amount(d: Decimal) -> String {
    let d = if d.scale() > 6 { d.round_dp(4) } else { d };
    let s = d.normalize().to_string();
    let (sign, s) = match s.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", s.as_str()),
    };
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let mut out = String::from(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// An amount for machines: exact decimal text, trailing zeros dropped.
pub fn plain_amount(d: Decimal) -> String {
    d.normalize().to_string()
}

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn static_units_are_the_units_and_one_each() {
        // Every builtin and every currency, as the table builds them, and
        // the same reference however often it is asked for.
        let mut symbols: Vec<&str> = BUILTIN.iter().map(|(s, _, _)| *s).collect();
        symbols.extend(iso::CURRENCIES.iter().copied());
        for s in symbols {
            let (a, b) = (lookup_static(s), lookup_static(s));
            let Some(a) = a else {
                panic!("{s} is not a unit")
            };
            assert!(b.is_some_and(|b| std::ptr::eq(a, b)), "{s}");
            assert_eq!(a.symbol, s);
            match a.dimension {
                Dimension::Money(code) => {
                    assert_eq!(code, s);
                    assert_eq!(a.to_base, Decimal::ONE);
                }
                d => assert!(BUILTIN.contains(&(s, d, a.to_base)), "{s}"),
            }
        }
        for s in ["", "T", "usd", "XXXX", "barrel", "€"] {
            assert!(lookup_static(s).is_none(), "{s}");
        }
    }

    #[test]
    fn formats() {
        assert_eq!(format_amount(Decimal::from(512_300)), "512,300");
        assert_eq!(format_amount(Decimal::new(7250, 2)), "72.5");
        assert_eq!(format_amount(Decimal::new(-1_000_000, 0)), "-1,000,000");
        assert_eq!(plain_amount(Decimal::new(50000000, 2)), "500000");
    }
}
