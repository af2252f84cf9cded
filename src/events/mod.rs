//! Event streams: readers for JSON, NDJSON and CSV, validation of each
//! event, and the locations diagnostics and findings point at.
//!
//! Every record read is accounted for: it becomes an [`Event`] or an
//! [`EventDiagnostic`] that rejects it, never nothing.

mod fields;
pub mod read;
pub mod scan;
mod validate;

pub use fields::{Field, RawEvent};
pub use read::{CsvOptions, Input, InputFormat};
pub use validate::validate;

use crate::diagnostic::{Code, Severity};
use crate::model::{CommodityId, PartyKey};
use crate::units::Unit;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Where an event is in its input: enough to point at it, and to read its
/// text back later (large NDJSON inputs are never held in memory whole).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventLoc {
    /// Index of the input in the run's list of inputs.
    pub input: u32,
    /// 1-based line of the record's first byte.
    pub line: u32,
    /// 1-based column (in characters) of the record's first byte.
    pub column: u32,
    /// Byte offset of the record in its input.
    pub offset: u64,
    /// Byte length of the record.
    pub len: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Shipment,
    Report,
}

/// A party an event names, with what it resolves to in the rule set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventParty {
    pub name: String,
    pub keys: Vec<PartyKey>,
}

/// A unit price: `72.50 USD/bbl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Price {
    pub amount: Decimal,
    pub currency: Unit,
    pub per: Unit,
}

/// A validated event.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: String,
    pub kind: EventKind,
    pub date: NaiveDate,
    pub commodity: Option<CommodityId>,
    pub commodity_name: Option<String>,
    pub hs: Option<String>,
    pub quantity: Option<(Decimal, Unit)>,
    pub price: Option<Price>,
    pub value: Option<(Decimal, Unit)>,
    pub from: Option<EventParty>,
    pub to: Option<EventParty>,
    pub via: Vec<EventParty>,
    pub reporter: Option<String>,
    pub covers: Vec<String>,
    pub exemptions: Vec<String>,
    /// The most specific declared commodity the `hs` code falls under, when
    /// the event names no commodity: its conversions apply.
    pub hs_commodity: Option<CommodityId>,
    /// Wind-down evidence: when the cargo was loaded and delivered.
    pub loaded: Option<NaiveDate>,
    pub delivered: Option<NaiveDate>,
    pub loc: EventLoc,
}

/// What a problem with an event did to its verdict. Every event read ends
/// as exactly one of: evaluated, rejected, or not evaluable (for a rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    /// The event was still evaluated by every rule; this is a remark.
    Remark,
    /// The event could not be read or is invalid: no rule judged it.
    Rejected,
    /// The event was read, but a rule that applies to it cannot judge it
    /// (a cap without a quantity, a price in another currency, …).
    NotEvaluable,
}

impl Effect {
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Remark => "remark",
            Effect::Rejected => "rejected",
            Effect::NotEvaluable => "not_evaluable",
        }
    }
}

/// A problem with one event: it is rejected (errors), not evaluable for a
/// rule, or evaluated with a remark. Points at the event and, where known,
/// the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDiagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub loc: EventLoc,
    /// The offending field's name, if one field is to blame.
    pub field: Option<String>,
    /// The event's id, when it could be read.
    pub event_id: Option<String>,
    /// What this problem did to the event's verdict.
    pub effect: Effect,
    /// The rule that could not judge the event (not-evaluable problems).
    pub rule: Option<String>,
    /// The record's text, kept so the report can show it.
    pub text: Option<String>,
}

impl EventDiagnostic {
    /// A remark about a valid event that is still evaluated.
    pub fn remark(
        e: &Event,
        code: Code,
        severity: Severity,
        field: &str,
        message: String,
        help: Option<String>,
    ) -> Self {
        EventDiagnostic {
            code,
            severity,
            message,
            help,
            loc: e.loc,
            field: Some(field.to_string()),
            event_id: Some(e.id.clone()),
            effect: Effect::Remark,
            rule: None,
            text: None,
        }
    }

    /// A valid event that rule `rule` cannot judge: an error, since the
    /// run cannot say the event complies.
    pub fn not_evaluable(
        e: &Event,
        rule: &str,
        code: Code,
        field: &str,
        message: String,
        help: String,
    ) -> Self {
        EventDiagnostic {
            effect: Effect::NotEvaluable,
            rule: Some(rule.to_string()),
            ..Self::remark(e, code, Severity::Error, field, message, Some(help))
        }
    }

    pub fn rejected(&self) -> bool {
        self.effect == Effect::Rejected
    }
}
