//! Event streams: readers for JSON, NDJSON and CSV, validation of each
//! event, and the locations diagnostics and findings point at.
//!
//! Every record read is accounted for: it becomes an [`Event`] or an
//! [`EventDiagnostic`] that rejects it, never nothing.

pub mod comtrade;
mod fields;
mod marks;
pub mod read;
pub mod scan;
mod validate;
pub mod vessel;

pub use fields::{Column, Field, RawEvent, FIELD_NAMES};
pub use read::{CsvOptions, Input, InputFormat};
pub use validate::validate;
pub use vessel::{RoleParty, Vessel};

use crate::diagnostic::{Code, Diagnostic, Severity};
pub use crate::diagnostic::{Effect, EventLoc, EventSite};
use crate::model::{CommodityId, PartyKeys};
use crate::units::Unit;
use chrono::NaiveDate;
use compact_str::CompactString;
use rust_decimal::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    Shipment,
    Report,
    /// A vessel's call at a port (`type: "port_call"`).
    PortCall,
}

/// A party an event names, with what it resolves to in the rule set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventParty {
    pub name: CompactString,
    pub keys: PartyKeys,
}

/// A unit price: `72.50 USD/bbl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Price {
    pub amount: Decimal,
    pub currency: &'static Unit,
    pub per: &'static Unit,
}

/// A validated event.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: CompactString,
    pub kind: EventKind,
    pub date: NaiveDate,
    pub commodity: Option<CommodityId>,
    pub commodity_name: Option<CompactString>,
    pub hs: Option<CompactString>,
    pub quantity: Option<(Decimal, &'static Unit)>,
    pub price: Option<Price>,
    pub value: Option<(Decimal, &'static Unit)>,
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
    /// When the contract the cargo is delivered under was concluded (old
    /// contracts may be outside a new price cap).
    pub contract_date: Option<NaiveDate>,
    /// The national nomenclature the event's code was given in, when its
    /// lines beyond six digits are not the rules' (`china`, `eaeu`, `hts`,
    /// `national`): `hs` then holds the code's HS-6 root.
    pub nomenclature: Option<&'static str>,
    /// Where the figure comes from (a publication, a dataset), as given.
    pub source: Option<CompactString>,
    /// What kind of fact the event is (`notified`, `estimated`, …).
    pub evidence: Evidence,
    /// Bounds of an estimated quantity, in the quantity's own terms.
    pub quantity_low: Option<(Decimal, &'static Unit)>,
    pub quantity_high: Option<(Decimal, &'static Unit)>,
    /// The vessel that carried the goods, or that called at a port. Boxed,
    /// as `counterpart` and `port` are: most trade data names no vessel,
    /// and each byte of an event is written, read and freed once a record
    /// (with the vessel inline, and two parties inline a party, an event
    /// was 720 bytes, now 608; 2 to 4% less CPU time, measured side by
    /// side).
    pub vessel: Option<Box<Vessel>>,
    /// The other vessel of a ship-to-ship transfer.
    pub counterpart: Option<Box<Vessel>>,
    /// How the goods moved.
    pub transfer: Option<crate::roles::Transfer>,
    /// The parties to the transaction, by role.
    pub parties: Vec<RoleParty>,
    /// A port call's country.
    pub port: Option<Box<EventParty>>,
    pub loc: EventLoc,
}

/// Nomenclatures an event's `hs` may be given in. `hs` and `cn` (the EU's
/// Combined Nomenclature, whose lines the rule library uses beyond six
/// digits) are compared digit for digit; the others are national lines
/// that agree with the rules only on the six-digit HS root.
pub const NOMENCLATURES: &[(&str, bool)] = &[
    ("hs", false),
    ("cn", false),
    ("china", true),
    ("eaeu", true),
    ("hts", true),
    ("national", true),
];

/// What kind of fact an event is: how firm its figures are. Listed from
/// the firmest; an event without `evidence` is [`Evidence::Unstated`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Evidence {
    /// Notified to the authority that administers the measure.
    Notified,
    /// Customs or trade statistics.
    Customs,
    /// Reported by a government, a panel of experts or the press, as a figure.
    Reported,
    /// An estimate (often a lower bound).
    Estimated,
    /// A figure produced by a model (an estimate split into deliveries).
    Modelled,
    /// The event does not say.
    #[default]
    Unstated,
}

impl Evidence {
    pub const ALL: [Evidence; 6] = [
        Evidence::Notified,
        Evidence::Customs,
        Evidence::Reported,
        Evidence::Estimated,
        Evidence::Modelled,
        Evidence::Unstated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::Notified => "notified",
            Evidence::Customs => "customs",
            Evidence::Reported => "reported",
            Evidence::Estimated => "estimated",
            Evidence::Modelled => "modelled",
            Evidence::Unstated => "unstated",
        }
    }

    pub fn parse(s: &str) -> Option<Evidence> {
        Evidence::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// A problem with an event is a [`Diagnostic`] with an [`EventSite`]: one
/// diagnostic type for rule files and events alike.
pub type EventDiagnostic = Diagnostic;

/// A remark about a valid event that is still evaluated.
pub fn remark(
    e: &Event,
    code: Code,
    severity: Severity,
    field: &str,
    message: String,
    help: Option<String>,
) -> Diagnostic {
    Diagnostic::about_event(
        code,
        severity,
        message,
        help,
        EventSite {
            loc: e.loc,
            field: Some(field.to_string()),
            event_id: Some(e.id.to_string()),
            effect: Effect::Remark,
            rule: None,
            text: None,
        },
    )
}

/// A valid event that rule `rule` cannot judge: an error, since the run
/// cannot say the event complies.
pub fn not_evaluable(
    e: &Event,
    rule: &str,
    code: Code,
    field: &str,
    message: String,
    help: String,
) -> Diagnostic {
    let mut d = remark(e, code, Severity::Error, field, message, Some(help));
    if let Some(site) = d.event.as_mut() {
        site.effect = Effect::NotEvaluable;
        site.rule = Some(rule.to_string());
    }
    d
}
