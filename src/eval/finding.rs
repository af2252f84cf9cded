//! A finding: one violation or warning, with everything needed to explain it.

use crate::events::EventLoc;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingKind {
    Violation,
    Warning,
}

impl FindingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::Violation => "violation",
            FindingKind::Warning => "warning",
        }
    }
}

/// At most this many contributing event ids are listed per finding (the
/// earliest ones); `contributor_count` always has the full number.
pub const MAX_CONTRIBUTORS: usize = 50;

#[derive(Debug, Clone)]
pub struct Finding {
    /// Index of the rule in the rule set.
    pub rule: usize,
    pub kind: FindingKind,
    pub event: String,
    pub date: NaiveDate,
    /// One line: what happened.
    pub message: String,
    /// The arithmetic or reasoning, for the help text.
    pub explanation: String,
    pub window: Option<String>,
    pub total: Option<Decimal>,
    pub limit: Option<Decimal>,
    pub unit: Option<String>,
    pub contributors: Option<Arc<[Box<str>]>>,
    pub contributor_count: usize,
    pub deadline: Option<NaiveDate>,
    pub loc: EventLoc,
}

impl Finding {
    /// The listed contributors (at most [`MAX_CONTRIBUTORS`]).
    pub fn contributor_ids(&self) -> &[Box<str>] {
        match &self.contributors {
            Some(c) => &c[..self.contributor_count.min(c.len())],
            None => &[],
        }
    }
}
