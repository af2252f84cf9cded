//! Cap windows: calendar (year, quarter, month, day), anniversary periods
//! (N months from a date) and rolling windows (the N days ending at an event).

use crate::model::Period;
use chrono::{Datelike, Months, NaiveDate};

/// A fixed window a date falls in: first and last day (inclusive) and a label.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Window {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub label: String,
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// The fixed window `date` falls in, or `None` for rolling periods and for
/// dates before an anniversary period's first day.
pub fn fixed_window(period: &Period, date: NaiveDate) -> Option<Window> {
    let (y, m) = (date.year(), date.month());
    match *period {
        Period::Year => Some(Window {
            start: ymd(y, 1, 1)?,
            end: ymd(y, 12, 31)?,
            label: format!("{y}"),
        }),
        Period::Quarter => {
            let q = (m - 1) / 3;
            let start = ymd(y, q * 3 + 1, 1)?;
            let end = start.checked_add_months(Months::new(3))?.pred_opt()?;
            Some(Window {
                start,
                end,
                label: format!("{y}-Q{}", q + 1),
            })
        }
        Period::Month => {
            let start = ymd(y, m, 1)?;
            let end = start.checked_add_months(Months::new(1))?.pred_opt()?;
            Some(Window {
                start,
                end,
                label: format!("{y}-{m:02}"),
            })
        }
        Period::Day => Some(Window {
            start: date,
            end: date,
            label: date.to_string(),
        }),
        Period::Months { count, from } => {
            if date < from || count == 0 {
                return None;
            }
            // Whole periods elapsed since `from`, found without looping over
            // every period: estimate from the month difference, then correct.
            let months =
                (date.year() - from.year()) * 12 + date.month() as i32 - from.month() as i32;
            let mut k = (months.max(0) as u32) / count;
            let at = |k: u32| from.checked_add_months(Months::new(k.checked_mul(count)?));
            while k > 0 && at(k).is_none_or(|s| s > date) {
                k -= 1;
            }
            while at(k + 1).is_some_and(|s| s <= date) {
                k += 1;
            }
            let start = at(k)?;
            let end = at(k + 1)?.pred_opt()?;
            Some(Window {
                start,
                end,
                label: format!("{start}..{end}"),
            })
        }
        Period::Days(_) => None,
    }
}

/// A window's label from its period and first and last day: `2023`,
/// `2023-Q2`, `2023-05`, `2023-05-17`, `2017-12-22..2018-12-21`.
pub fn label(period: &Period, start: NaiveDate, end: NaiveDate) -> String {
    match period {
        Period::Year => format!("{}", start.year()),
        Period::Quarter => format!("{}-Q{}", start.year(), (start.month() - 1) / 3 + 1),
        Period::Month => format!("{}-{:02}", start.year(), start.month()),
        Period::Day => start.to_string(),
        Period::Days(_) | Period::Months { .. } => format!("{start}..{end}"),
    }
}

/// The rolling window of `days` days ending on `date`.
pub fn rolling_window(days: u32, date: NaiveDate) -> Window {
    let start = date
        .checked_sub_days(chrono::Days::new(u64::from(days.saturating_sub(1))))
        .unwrap_or(NaiveDate::MIN);
    Window {
        start,
        end: date,
        label: format!("{start}..{date}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn calendar_windows() {
        let w = fixed_window(&Period::Quarter, d("2023-05-17")).map(|w| (w.start, w.end, w.label));
        assert_eq!(
            w,
            Some((d("2023-04-01"), d("2023-06-30"), "2023-Q2".to_string()))
        );
        let w = fixed_window(&Period::Month, d("2024-02-10")).map(|w| w.end);
        assert_eq!(w, Some(d("2024-02-29")));
        let w = fixed_window(&Period::Year, d("2018-12-31")).map(|w| w.label);
        assert_eq!(w, Some("2018".to_string()));
    }

    #[test]
    fn anniversary_windows() {
        let p = Period::Months {
            count: 12,
            from: d("2017-12-22"),
        };
        let w = fixed_window(&p, d("2018-12-21")).map(|w| (w.start, w.end));
        assert_eq!(w, Some((d("2017-12-22"), d("2018-12-21"))));
        let w = fixed_window(&p, d("2018-12-22")).map(|w| (w.start, w.end));
        assert_eq!(w, Some((d("2018-12-22"), d("2019-12-21"))));
        assert_eq!(fixed_window(&p, d("2017-12-21")), None);
        // Month ends: a period from 31 January.
        let p = Period::Months {
            count: 1,
            from: d("2023-01-31"),
        };
        let w = fixed_window(&p, d("2023-03-01")).map(|w| (w.start, w.end));
        assert_eq!(w, Some((d("2023-02-28"), d("2023-03-30"))));
    }

    #[test]
    fn labels_match_the_windows() {
        for (p, day) in [
            (Period::Year, "2018-12-31"),
            (Period::Quarter, "2023-05-17"),
            (Period::Month, "2024-02-10"),
            (Period::Day, "2024-02-10"),
        ] {
            let w = fixed_window(&p, d(day)).map(|w| (label(&p, w.start, w.end), w.label));
            assert!(w.as_ref().is_some_and(|(a, b)| a == b), "{w:?}");
        }
    }

    #[test]
    fn rolling() {
        let w = rolling_window(30, d("2023-01-30"));
        assert_eq!(w.start, d("2023-01-01"));
    }
}
