//! One event's fields as read, before validation: JSON values (kept as raw
//! text so numbers are never read through a float) or CSV cells.

use crate::roles::PartyRole;
use serde::Deserialize;
use serde_json::value::RawValue;

/// A field's value as found in the input.
#[derive(Debug, Clone, Copy)]
pub enum Field<'a> {
    Json(&'a RawValue),
    Text(&'a str),
}

/// The known fields of an event; unknown ones are ignored (they remain in
/// the record's text, which reports show).
#[derive(Debug, Default, Deserialize)]
pub struct JsonEvent<'a> {
    #[serde(borrow, default)]
    pub id: Option<&'a RawValue>,
    #[serde(borrow, default, rename = "type")]
    pub kind: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub date: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub commodity: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub hs: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub quantity: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub price: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub value: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub from: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub to: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub via: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub reporter: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub covers: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub exemptions: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub loaded: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub delivered: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub contract_date: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub nomenclature: Option<&'a RawValue>,
    pub source: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub evidence: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub quantity_low: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub quantity_high: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub vessel: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub counterpart_vessel: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub transfer: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub parties: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub port: Option<&'a RawValue>,
}

/// A vessel as CSV gives it: one `vessel` cell, or flat columns.
#[derive(Debug, Default, Clone)]
pub struct VesselCells<'a> {
    pub imo: Option<Field<'a>>,
    pub name: Option<Field<'a>>,
    pub flag: Option<Field<'a>>,
}

impl VesselCells<'_> {
    pub fn is_empty(&self) -> bool {
        self.imo.is_none() && self.name.is_none() && self.flag.is_none()
    }
}

/// The fields every reader produces, whatever the format.
#[derive(Debug, Default, Clone)]
pub struct RawEvent<'a> {
    pub id: Option<Field<'a>>,
    pub kind: Option<Field<'a>>,
    pub date: Option<Field<'a>>,
    pub commodity: Option<Field<'a>>,
    pub hs: Option<Field<'a>>,
    pub quantity: Option<Field<'a>>,
    pub price: Option<Field<'a>>,
    pub value: Option<Field<'a>>,
    pub from: Option<Field<'a>>,
    pub to: Option<Field<'a>>,
    pub via: Option<Field<'a>>,
    pub reporter: Option<Field<'a>>,
    pub covers: Option<Field<'a>>,
    pub exemptions: Option<Field<'a>>,
    pub loaded: Option<Field<'a>>,
    pub delivered: Option<Field<'a>>,
    pub contract_date: Option<Field<'a>>,
    pub nomenclature: Option<Field<'a>>,
    pub source: Option<Field<'a>>,
    pub evidence: Option<Field<'a>>,
    pub quantity_low: Option<Field<'a>>,
    pub quantity_high: Option<Field<'a>>,
    /// `"IMO 9123456"`, a name, or `{"imo", "name", "flag"}`.
    pub vessel: Option<Field<'a>>,
    /// CSV: `vessel_imo`, `vessel_name`, `vessel_flag`.
    pub vessel_cells: VesselCells<'a>,
    pub counterpart_vessel: Option<Field<'a>>,
    /// CSV: `counterpart_vessel_imo`, `…_name`, `…_flag`.
    pub counterpart_cells: VesselCells<'a>,
    pub transfer: Option<Field<'a>>,
    /// JSON: an object from role to party.
    pub parties: Option<Field<'a>>,
    /// CSV: `party_<role>` and `party_<role>_country`, by [`PartyRole::ALL`] index.
    pub party_cells: [(Option<Field<'a>>, Option<Field<'a>>); 11],
    /// A port call's country.
    pub port: Option<Field<'a>>,
}

/// The column names a CSV header may use (the JSON field names).
pub const FIELD_NAMES: &[&str] = &[
    "id",
    "type",
    "date",
    "commodity",
    "hs",
    "quantity",
    "price",
    "value",
    "from",
    "to",
    "via",
    "reporter",
    "covers",
    "exemptions",
    "loaded",
    "delivered",
    "contract_date",
    "nomenclature",
    "source",
    "evidence",
    "quantity_low",
    "quantity_high",
    "vessel",
    "vessel_imo",
    "vessel_name",
    "vessel_flag",
    "counterpart_vessel",
    "counterpart_vessel_imo",
    "counterpart_vessel_name",
    "counterpart_vessel_flag",
    "transfer",
    "port",
    "party_exporter",
    "party_exporter_country",
    "party_importer",
    "party_importer_country",
    "party_consignee",
    "party_consignee_country",
    "party_shipper",
    "party_shipper_country",
    "party_owner",
    "party_owner_country",
    "party_operator",
    "party_operator_country",
    "party_manager",
    "party_manager_country",
    "party_charterer",
    "party_charterer_country",
    "party_insurer",
    "party_insurer_country",
    "party_financier",
    "party_financier_country",
    "party_broker",
    "party_broker_country",
];

impl<'a> RawEvent<'a> {
    pub fn from_json(j: JsonEvent<'a>) -> Self {
        let f = |v: Option<&'a RawValue>| {
            // JSON null counts as absent.
            v.filter(|r| r.get() != "null").map(Field::Json)
        };
        RawEvent {
            id: f(j.id),
            kind: f(j.kind),
            date: f(j.date),
            commodity: f(j.commodity),
            hs: f(j.hs),
            quantity: f(j.quantity),
            price: f(j.price),
            value: f(j.value),
            from: f(j.from),
            to: f(j.to),
            via: f(j.via),
            reporter: f(j.reporter),
            covers: f(j.covers),
            exemptions: f(j.exemptions),
            loaded: f(j.loaded),
            delivered: f(j.delivered),
            contract_date: f(j.contract_date),
            nomenclature: f(j.nomenclature),
            source: f(j.source),
            evidence: f(j.evidence),
            quantity_low: f(j.quantity_low),
            quantity_high: f(j.quantity_high),
            vessel: f(j.vessel),
            counterpart_vessel: f(j.counterpart_vessel),
            transfer: f(j.transfer),
            parties: f(j.parties),
            port: f(j.port),
            ..RawEvent::default()
        }
    }

    /// Set a field by its column name (CSV); empty cells count as absent.
    pub fn set(&mut self, name: &str, cell: &'a str) {
        if cell.trim().is_empty() {
            return;
        }
        let v = Some(Field::Text(cell));
        match name {
            "id" => self.id = v,
            "type" => self.kind = v,
            "date" => self.date = v,
            "commodity" => self.commodity = v,
            "hs" => self.hs = v,
            "quantity" => self.quantity = v,
            "price" => self.price = v,
            "value" => self.value = v,
            "from" => self.from = v,
            "to" => self.to = v,
            "via" => self.via = v,
            "reporter" => self.reporter = v,
            "covers" => self.covers = v,
            "exemptions" => self.exemptions = v,
            "loaded" => self.loaded = v,
            "delivered" => self.delivered = v,
            "contract_date" => self.contract_date = v,
            "nomenclature" => self.nomenclature = v,
            "source" => self.source = v,
            "evidence" => self.evidence = v,
            "quantity_low" => self.quantity_low = v,
            "quantity_high" => self.quantity_high = v,
            "vessel" => self.vessel = v,
            "vessel_imo" => self.vessel_cells.imo = v,
            "vessel_name" => self.vessel_cells.name = v,
            "vessel_flag" => self.vessel_cells.flag = v,
            "counterpart_vessel" => self.counterpart_vessel = v,
            "counterpart_vessel_imo" => self.counterpart_cells.imo = v,
            "counterpart_vessel_name" => self.counterpart_cells.name = v,
            "counterpart_vessel_flag" => self.counterpart_cells.flag = v,
            "transfer" => self.transfer = v,
            "port" => self.port = v,
            other => {
                for (i, role) in PartyRole::ALL.into_iter().enumerate() {
                    if other == role.column() {
                        self.party_cells[i].0 = v;
                    } else if other == role.country_column() {
                        self.party_cells[i].1 = v;
                    }
                }
            }
        }
    }
}

/// What a field's value is, in words, for "expected … found …".
pub fn json_kind(raw: &RawValue) -> &'static str {
    match raw.get().as_bytes().first() {
        Some(b'"') => "a string",
        Some(b'{') => "an object",
        Some(b'[') => "a list",
        Some(b't' | b'f') => "true or false",
        Some(b'n') => "null",
        _ => "a number",
    }
}
