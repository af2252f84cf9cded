//! Dates in words: why a text is not a date, shared by rule files and events.

use chrono::{Datelike, NaiveDate};

/// Why a `YYYY-MM-DD` string is not a date, in words.
pub fn why_not_a_date(text: &str) -> String {
    let parts: Vec<u32> = text.split('-').filter_map(|p| p.parse().ok()).collect();
    if let [y, m, d] = parts[..] {
        if !(1..=12).contains(&m) {
            return format!("there is no month {m}; dates are written YYYY-MM-DD");
        }
        let first = NaiveDate::from_ymd_opt(y as i32, m, 1);
        let next = if m == 12 {
            NaiveDate::from_ymd_opt(y as i32 + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(y as i32, m + 1, 1)
        };
        if let (Some(f), Some(n)) = (first, next) {
            let days = (n - f).num_days();
            if d == 0 || i64::from(d) > days {
                return format!("{} {} has {} days", month_name(f.month()), f.year(), days);
            }
        }
    }
    "dates are written YYYY-MM-DD, e.g. `2018-01-01`".to_string()
}

pub fn month_name(m: u32) -> &'static str {
    const NAMES: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    m.checked_sub(1)
        .and_then(|i| NAMES.get(i as usize))
        .copied()
        .unwrap_or("that month")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_dates_are_explained() {
        assert_eq!(why_not_a_date("2023-02-30"), "February 2023 has 28 days");
        assert_eq!(why_not_a_date("2024-02-30"), "February 2024 has 29 days");
        assert_eq!(
            why_not_a_date("2023-13-01"),
            "there is no month 13; dates are written YYYY-MM-DD"
        );
        assert_eq!(
            why_not_a_date("31/01/2023"),
            "dates are written YYYY-MM-DD, e.g. `2018-01-01`"
        );
    }
}
