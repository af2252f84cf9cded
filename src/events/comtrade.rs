//! UN Comtrade records as events (`--input-format comtrade`): each row of a
//! Comtrade CSV download is one shipment, with its parties from the
//! reporter, the partner and the flow, its period as a date, its quantity
//! from `qty` (or `netWgt`), its value from `primaryValue` (USD), and its
//! transport mode from `motCode`.

/// Which side of the trade a run counts (`--comtrade-view`). A download
/// often holds both accounts of the same goods: the importer's reported
/// imports and the partner's reported exports (mirror statistics); read
/// together they count the goods twice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum View {
    /// Every row (warned about each mirror pair found).
    #[default]
    All,
    /// Import rows (`M`, `RM`) only: the goods as the importers reported them.
    Importer,
    /// Export rows (`X`, `RX`) only: the goods as the exporters reported
    /// them (for a country that reports nothing, the mirror statistics).
    Exporter,
}

impl View {
    /// Does the view count a row of this flow?
    pub fn counts(self, import: bool) -> bool {
        match self {
            View::All => true,
            View::Importer => import,
            View::Exporter => !import,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            View::All => "all",
            View::Importer => "importer",
            View::Exporter => "exporter",
        }
    }
}

/// The Comtrade columns read (case-insensitive), in this order.
pub const COLUMNS: [&str; 11] = [
    "refyear",
    "refmonth",
    "reporteriso",
    "flowcode",
    "partneriso",
    "cmdcode",
    "qty",
    "qtyunitabbr",
    "netwgt",
    "primaryvalue",
    "motcode",
];

/// The columns a row cannot do without.
pub const REQUIRED: [&str; 5] = [
    "refyear",
    "reporteriso",
    "flowcode",
    "partneriso",
    "cmdcode",
];

/// One row's event fields, owned (a record borrows them while it is read).
#[derive(Debug, Default)]
pub struct Row {
    pub id: String,
    pub date: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub hs: Option<String>,
    pub quantity: Option<String>,
    pub value: Option<String>,
    pub transfer: Option<String>,
    pub reporter: String,
    /// Whose account the row is: `UN Comtrade: PRK's reported imports`.
    pub source: String,
    /// An import (`M`, `RM`), not an export; `None` for an unknown flow.
    pub import: Option<bool>,
    /// The trade the row is an account of, whoever reports it: exporter,
    /// importer, `cmdCode` and year (a mirror pair has the same key).
    pub trade: Option<(String, String, String, String)>,
    /// Why the row cannot be an event (the field, and what is wrong).
    pub problem: Option<(&'static str, String)>,
}

/// A Comtrade unit as sanc writes it.
fn unit(abbr: &str) -> Option<&'static str> {
    match abbr.trim() {
        "kg" => Some("kg"),
        "t" => Some("t"),
        "l" => Some("l"),
        "m³" | "m3" => Some("m3"),
        "u" => Some("units"),
        "bbl" => Some("bbl"),
        _ => None,
    }
}

/// Comtrade's mode of transport: `1000` air, `2xxx` water (sea and inland
/// waterways: loaded in port), `3100` rail, `3200` road; other codes (and
/// `0`, all modes) give no mode.
fn mode(mot: &str) -> Option<&'static str> {
    match mot.trim() {
        "1000" => Some("air"),
        m if m.len() == 4 && m.starts_with('2') => Some("port"),
        "3100" => Some("rail"),
        "3200" => Some("road"),
        _ => None,
    }
}

/// The last day of a month.
fn month_end(year: i32, month: u32) -> Option<chrono::NaiveDate> {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    chrono::NaiveDate::from_ymd_opt(y, m, 1).and_then(|d| d.pred_opt())
}

/// Build the event of one row; `get` gives a column's cell (empty: absent).
pub fn row(get: impl Fn(&str) -> Option<String>) -> Row {
    let mut r = Row::default();
    let year = get("refyear").unwrap_or_default();
    let month = get("refmonth").unwrap_or_default();
    let reporter = get("reporteriso").unwrap_or_default();
    let partner = get("partneriso").unwrap_or_default();
    let flow = get("flowcode").unwrap_or_default();
    let cmd = get("cmdcode").unwrap_or_default();
    r.reporter = reporter.clone();
    // The period: a month (refMonth 1–12) is dated its last day; a year
    // (no refMonth, or Comtrade's 52 for annual data) is dated 31 December.
    let y: Option<i32> = year
        .trim()
        .parse()
        .ok()
        .filter(|y| (1900..=2200).contains(y));
    let m: Option<u32> = match month.trim() {
        "" | "52" => None,
        t => match t.parse::<u32>() {
            Ok(m) if (1..=12).contains(&m) => Some(m),
            _ => {
                r.problem = Some((
                    "refMonth",
                    format!("`{t}` is not a month (1–12, or 52 for a year)"),
                ));
                None
            }
        },
    };
    let date = y.and_then(|y| month_end(y, m.unwrap_or(12)));
    match date {
        Some(d) => r.date = d.to_string(),
        None if r.problem.is_none() => {
            r.problem = Some(("refYear", format!("`{year}` is not a year")));
        }
        None => {}
    }
    let period = match m {
        Some(m) => format!("{year}-{m:02}"),
        None => year.clone(),
    };
    // The flow: an import is from the partner to the reporter; an export
    // (or re-export) from the reporter to the partner.
    match flow.trim() {
        "M" | "RM" => {
            r.from = Some(partner.clone());
            r.to = Some(reporter.clone());
            r.import = Some(true);
        }
        "X" | "RX" => {
            r.from = Some(reporter.clone());
            r.to = Some(partner.clone());
            r.import = Some(false);
        }
        other if r.problem.is_none() => {
            r.problem = Some((
                "flowCode",
                format!(
                    "flow `{other}` is neither an import (`M`, `RM`) nor an export (`X`, `RX`)"
                ),
            ));
        }
        _ => {}
    }
    // "World" and other areas are not countries: leave the party out.
    for p in [&mut r.from, &mut r.to] {
        if p.as_deref()
            .is_some_and(|c| c == "W00" || c.is_empty() || c.starts_with('_'))
        {
            *p = None;
        }
    }
    if let (Some(f), Some(t), Some(y)) = (&r.from, &r.to, y) {
        r.trade = Some((f.clone(), t.clone(), cmd.trim().to_string(), y.to_string()));
    }
    r.source = match r.import {
        Some(true) => format!("UN Comtrade: {}'s reported imports", reporter.trim()),
        Some(false) => format!("UN Comtrade: {}'s reported exports", reporter.trim()),
        None => "UN Comtrade".into(),
    };
    r.hs = Some(cmd.trim().to_string()).filter(|c| !c.is_empty());
    let qty = get("qty").filter(|q| q.trim() != "0");
    let qty_unit = get("qtyunitabbr").and_then(|u| unit(&u));
    r.quantity = match (qty, qty_unit) {
        (Some(q), Some(u)) => Some(format!("{} {u}", q.trim())),
        _ => get("netwgt")
            .filter(|w| w.trim() != "0")
            .map(|w| format!("{} kg", w.trim())),
    };
    r.value = get("primaryvalue").map(|v| format!("{} USD", v.trim()));
    let mot = get("motcode");
    r.transfer = mot.as_deref().and_then(mode).map(str::to_string);
    r.id = format!(
        "comtrade:{reporter}:{}:{partner}:{}:{period}{}",
        flow.trim(),
        cmd.trim(),
        mot.map(|m| format!(":{}", m.trim())).unwrap_or_default()
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells<'a>(v: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            v.iter()
                .find(|(c, _)| *c == k)
                .map(|(_, x)| x.to_string())
                .filter(|x| !x.is_empty())
        }
    }

    #[test]
    fn monthly_import_and_annual_export() {
        let m = row(cells(&[
            ("refyear", "2019"),
            ("refmonth", "2"),
            ("reporteriso", "CHN"),
            ("flowcode", "X"),
            ("partneriso", "PRK"),
            ("cmdcode", "271019"),
            ("qty", "1200"),
            ("qtyunitabbr", "kg"),
            ("primaryvalue", "950"),
            ("motcode", "2100"),
        ]));
        assert_eq!(m.date, "2019-02-28");
        assert_eq!(
            (m.from.as_deref(), m.to.as_deref()),
            (Some("CHN"), Some("PRK"))
        );
        assert_eq!(m.quantity.as_deref(), Some("1200 kg"));
        assert_eq!(m.transfer.as_deref(), Some("port"));
        assert_eq!(m.id, "comtrade:CHN:X:PRK:271019:2019-02:2100");
        let a = row(cells(&[
            ("refyear", "2019"),
            ("refmonth", "52"),
            ("reporteriso", "PRK"),
            ("flowcode", "M"),
            ("partneriso", "CHN"),
            ("cmdcode", "2710"),
            ("qty", "0"),
            ("qtyunitabbr", "N/A"),
            ("netwgt", "5000"),
        ]));
        assert_eq!(a.date, "2019-12-31");
        assert_eq!(
            (a.from.as_deref(), a.to.as_deref()),
            (Some("CHN"), Some("PRK"))
        );
        assert_eq!(
            a.quantity.as_deref(),
            Some("5000 kg"),
            "netWgt when qty has no unit"
        );
        assert!(a.problem.is_none());
        let bad = row(cells(&[
            ("refyear", "2019"),
            ("refmonth", "13"),
            ("flowcode", "M"),
        ]));
        assert_eq!(bad.problem.map(|p| p.0), Some("refMonth"));
    }
}
