//! From the fields as read to a validated [`Event`]: every problem becomes
//! an [`EventDiagnostic`] naming the field, and an event with an error is
//! rejected (not evaluated) rather than half-read.

use super::fields::{json_kind, CsvCells, Field, RawEvent};
use super::{Effect, Event, EventDiagnostic, EventKind, EventLoc, EventParty, Evidence, Price};
use crate::diagnostic::{Code, Severity};
use crate::iso;
use crate::model::RuleSet;
use crate::suggest;
use crate::units::{self, Dimension, Unit};
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use compact_str::CompactString;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// The result of validating one record.
#[derive(Debug)]
pub struct Validated {
    /// Boxed where it is made: it is about a kilobyte, and moved on.
    pub event: Option<Box<Event>>,
    pub diagnostics: Vec<EventDiagnostic>,
}

pub(super) struct Cx<'r> {
    pub(super) rules: &'r RuleSet,
    loc: EventLoc,
    id: Option<CompactString>,
    diags: Vec<EventDiagnostic>,
}

type Why = String;

impl Cx<'_> {
    pub(super) fn push(
        &mut self,
        code: Code,
        severity: Severity,
        field: &str,
        message: String,
        help: Option<String>,
    ) {
        self.diags.push(crate::diagnostic::Diagnostic::from(
            crate::diagnostic::EventProblem {
                code,
                severity,
                message,
                help,
                loc: self.loc,
                field: Some(field.to_string()),
                event_id: self.id.as_deref().map(str::to_string),
                effect: if severity == Severity::Error {
                    Effect::Rejected
                } else {
                    Effect::Remark
                },
                rule: None,
                text: None,
            },
        ));
    }

    pub(super) fn error(&mut self, code: Code, field: &str, message: String, help: Option<String>) {
        self.push(code, Severity::Error, field, message, help);
    }

    pub(super) fn warn(&mut self, code: Code, field: &str, message: String, help: Option<String>) {
        self.push(code, Severity::Warning, field, message, help);
    }

    /// A field's text (borrowed from the record when it has no escapes),
    /// or a diagnostic saying why it is not text.
    #[inline]
    pub(super) fn text<'a>(&mut self, name: &str, f: Option<Field<'a>>) -> Option<Cow<'a, str>> {
        match f? {
            // Most fields: their text as read, without a `Result` to move.
            Field::Text(t) | Field::Str(t) => Some(Cow::Borrowed(trim(t))),
            f => match text_of(f) {
                Ok(t) => Some(t),
                Err(why) => {
                    self.not_text(name, why);
                    None
                }
            },
        }
    }

    #[cold]
    fn not_text(&mut self, name: &str, why: Why) {
        self.error(Code::EventBadField, name, format!("`{name}` {why}"), None);
    }

    /// `quantity_low` ≤ `quantity` ≤ `quantity_high`, in the same unit.
    fn bounds(
        &mut self,
        q: Option<(Decimal, &'static Unit)>,
        low: Option<(Decimal, &'static Unit)>,
        high: Option<(Decimal, &'static Unit)>,
    ) {
        for (name, b) in [("quantity_low", low), ("quantity_high", high)] {
            let Some((amount, unit)) = b else { continue };
            let Some((q, qu)) = q else {
                self.error(
                    Code::EventMissingField,
                    name,
                    format!("`{name}` bounds a `quantity`, and the event has none"),
                    Some("give the best figure in `quantity` and its bounds in `quantity_low` and `quantity_high`".into()),
                );
                continue;
            };
            if unit.symbol != qu.symbol {
                self.error(
                    Code::EventBadField,
                    name,
                    format!(
                        "`{name}` is in {}, and `quantity` in {}",
                        unit.symbol, qu.symbol
                    ),
                    Some(format!(
                        "give both bounds in {}, the unit of `quantity`",
                        qu.symbol
                    )),
                );
                continue;
            }
            let wrong = if name == "quantity_low" {
                amount > q
            } else {
                amount < q
            };
            if wrong {
                self.error(
                    Code::EventBadField,
                    name,
                    format!(
                        "`{name}` is {} {}, {} `quantity` ({} {})",
                        amount,
                        unit.symbol,
                        if name == "quantity_low" { "above" } else { "below" },
                        q,
                        qu.symbol
                    ),
                    Some("the bounds must enclose `quantity`: quantity_low ≤ quantity ≤ quantity_high".into()),
                );
            }
        }
    }

    fn required<T>(&mut self, name: &str, v: Option<T>, help: &str) -> Option<T> {
        if v.is_none() && !self.diags.iter().any(|d| d.field() == Some(name)) {
            self.error(
                Code::EventMissingField,
                name,
                format!("the event has no `{name}`"),
                Some(help.to_string()),
            );
        }
        v
    }

    // The optional fields' readers below take an absent field inline: most
    // events leave most of them out, and a call for nothing cost about 50
    // instructions a field.
    #[inline]
    fn date(&mut self, name: &str, f: Option<Field>) -> Option<NaiveDate> {
        self.date_of(name, f?)
    }

    #[inline(never)]
    fn date_of(&mut self, name: &str, f: Field) -> Option<NaiveDate> {
        let t = self.text(name, Some(f))?;
        match parse_date(&t) {
            Some(d) => Some(d),
            None => {
                let day = t.get(..10).unwrap_or(&t);
                let why = crate::dates::why_not_a_date(day);
                let help = if why.starts_with("dates are written") {
                    "dates are written YYYY-MM-DD (a date and time such as 2023-01-31T08:00:00Z is accepted too)".to_string()
                } else {
                    why
                };
                self.error(
                    Code::EventBadDate,
                    name,
                    format!("`{t}` is not a date"),
                    Some(help),
                );
                None
            }
        }
    }

    #[inline]
    pub(super) fn list(&mut self, name: &str, f: Option<Field>) -> Vec<String> {
        match f {
            None => Vec::new(),
            Some(f) => self.list_of(name, f),
        }
    }

    #[inline(never)]
    fn list_of(&mut self, name: &str, f: Field) -> Vec<String> {
        match list_of(f) {
            Ok(v) => v,
            Err(why) => {
                self.error(Code::EventBadField, name, format!("`{name}` {why}"), None);
                Vec::new()
            }
        }
    }

    pub(super) fn party(&mut self, name: &str, value: &str) -> Option<EventParty> {
        if let Some(keys) = self.rules.resolve_party(value) {
            return Some(EventParty {
                name: value.into(),
                keys,
            });
        }
        if self.rules.groups.contains_key(value) {
            self.error(
                Code::EventUnknownParty,
                name,
                format!("`{value}` in `{name}` is a group of the rules, not a party"),
                Some(
                    "an event names the parties themselves: a country code, an alias or an entity"
                        .into(),
                ),
            );
            return None;
        }
        if let Some(code) = iso::common_name_code(value) {
            self.error(
                Code::EventUnknownParty,
                name,
                format!("unknown party `{value}` in `{name}`"),
                Some(format!(
                    "`{value}` is not an ISO 3166-1 alpha-3 code; did you mean `{code}`?"
                )),
            );
            return None;
        }
        let declared = self
            .rules
            .aliases
            .keys()
            .chain(self.rules.entities.keys())
            .map(String::as_str);
        // Only a code-like name (three letters) is likely a mistyped
        // country code; anything else is a name the rules do not know.
        let code_like = value.len() == 3 && value.bytes().all(|b| b.is_ascii_alphabetic());
        let closest = if code_like {
            suggest::closest(value, declared.chain(iso::COUNTRIES.iter().map(|c| c.0)))
        } else {
            suggest::closest(value, declared)
        };
        let help = match closest {
            Some(b) => format!("did you mean `{b}`?"),
            None if code_like => "parties are ISO 3166-1 alpha-3 codes such as `PRK`, or aliases and entities declared in the rules".into(),
            None => format!(
                "`{value}` is not a country code, alias or entity of the rules; if it is an organisation or a person, declare it in the rules, e.g. `entity {} \"{value}\" in RUS` (with its country), and name it so in events",
                entity_name(value)
            ),
        };
        self.error(
            Code::EventUnknownParty,
            name,
            format!("unknown party `{value}` in `{name}`"),
            Some(help),
        );
        None
    }

    fn unit(&mut self, name: &str, symbol: &str) -> Option<&'static Unit> {
        match units::lookup_static(symbol) {
            Some(u) => Some(u),
            None => {
                let help = units::suggest(symbol)
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| {
                        "units are t, kg, bbl, l, m3, units, or an ISO 4217 currency such as USD"
                            .into()
                    });
                self.error(
                    Code::EventUnknownUnit,
                    name,
                    format!("unknown unit `{symbol}` in `{name}`"),
                    Some(help),
                );
                None
            }
        }
    }

    fn amount(&mut self, name: &str, text: &str) -> Option<Decimal> {
        match parse_amount(text) {
            Some(d) if d.is_sign_negative() && !d.is_zero() => {
                self.error(
                    Code::EventNegativeQuantity,
                    name,
                    format!("`{name}` is negative ({text})"),
                    Some("quantities, prices and values are never negative; record a return as its own event".into()),
                );
                None
            }
            Some(d) => Some(d),
            None if looks_numeric(text) => {
                self.error(
                    Code::EventBadAmount,
                    name,
                    format!("`{text}` in `{name}` has more digits than sanc holds exactly"),
                    Some("amounts have at most 28 significant digits (up to 79,228,162,514,264,337,593,543,950,335); give it in a larger unit (`t` for `kg`)".into()),
                );
                None
            }
            None => {
                self.error(
                    Code::EventBadAmount,
                    name,
                    format!("`{text}` is not a number in `{name}`"),
                    Some("amounts are decimal numbers such as `44655` or `72.50`, without thousands separators".into()),
                );
                None
            }
        }
    }

    /// `"44655 bbl"` or `{"amount": 44655, "unit": "bbl"}`.
    #[inline]
    fn quantity(&mut self, name: &str, f: Option<Field>) -> Option<(Decimal, &'static Unit)> {
        self.quantity_of(name, f?)
    }

    #[inline(never)]
    fn quantity_of(&mut self, name: &str, f: Field) -> Option<(Decimal, &'static Unit)> {
        let (amount, unit) = self.amount_with_unit(name, f)?;
        let unit = self.unit(name, &unit)?;
        if let Dimension::Money(_) = unit.dimension {
            self.error(
                Code::EventWrongUnitKind,
                name,
                format!("`{name}` is an amount of money ({})", unit.symbol),
                Some(
                    "give the goods' quantity here (e.g. `44655 bbl`) and their worth in `value`"
                        .into(),
                ),
            );
            return None;
        }
        Some((amount, unit))
    }

    /// `"3237487.50 USD"` or `{"amount": …, "currency": "USD"}`.
    #[inline]
    fn value(&mut self, name: &str, f: Option<Field>) -> Option<(Decimal, &'static Unit)> {
        self.value_of(name, f?)
    }

    #[inline(never)]
    fn value_of(&mut self, name: &str, f: Field) -> Option<(Decimal, &'static Unit)> {
        let (amount, unit) = self.amount_with_unit(name, f)?;
        let unit = self.unit(name, &unit)?;
        if !matches!(unit.dimension, Dimension::Money(_)) {
            self.error(
                Code::EventWrongUnitKind,
                name,
                format!("`{name}` must be an amount of money, not `{}`", unit.symbol),
                Some("e.g. `\"3237487.50 USD\"`".into()),
            );
            return None;
        }
        Some((amount, unit))
    }

    /// `"72.50 USD/bbl"`, `"72.50 USD per bbl"` or `{"amount", "currency", "unit"}`.
    fn price(&mut self, name: &str, f: Option<Field>) -> Option<Price> {
        let (amount, unit) = self.amount_with_unit(name, f?)?;
        let (cur, per) = match unit.split_once('/').or_else(|| unit.split_once(" per ")) {
            Some((c, p)) => (trim(c), trim(p)),
            None => {
                self.error(
                    Code::EventMissingUnit,
                    name,
                    format!("`{name}` needs a currency and a unit, found `{unit}`"),
                    Some("write a price as `\"72.50 USD/bbl\"`".into()),
                );
                return None;
            }
        };
        let currency = self.unit(name, cur)?;
        let per = self.unit(name, per)?;
        if !matches!(currency.dimension, Dimension::Money(_))
            || matches!(per.dimension, Dimension::Money(_))
        {
            self.error(
                Code::EventWrongUnitKind,
                name,
                format!("`{name}` must be money per unit of goods, found `{unit}`"),
                Some("write a price as `\"72.50 USD/bbl\"`".into()),
            );
            return None;
        }
        Some(Price {
            amount,
            currency,
            per,
        })
    }

    /// The amount of a quantity-like field, and its unit's text: a plain
    /// one (most) read at once, anything else by the general path.
    fn amount_with_unit<'a>(
        &mut self,
        name: &str,
        f: Field<'a>,
    ) -> Option<(Decimal, Cow<'a, str>)> {
        if let Some((amount, unit)) = plain_amount(&f) {
            return Some((amount, Cow::Borrowed(unit)));
        }
        let (amount, unit) = self.amount_and_unit(name, f)?;
        Some((self.amount(name, &amount)?, unit))
    }

    fn amount_and_unit<'a>(
        &mut self,
        name: &str,
        f: Field<'a>,
    ) -> Option<(Cow<'a, str>, Cow<'a, str>)> {
        match amount_and_unit(f) {
            Ok(v) => Some(v),
            Err(why) => {
                // `"44655"` has no unit; a number or a list is the wrong JSON type.
                let code = if why.contains("unit") {
                    Code::EventMissingUnit
                } else {
                    Code::EventBadField
                };
                self.error(
                    code,
                    name,
                    format!("`{name}` {why}"),
                    Some(
                        "write `\"44655 bbl\"` or `{\"amount\": \"44655\", \"unit\": \"bbl\"}`"
                            .into(),
                    ),
                );
                None
            }
        }
    }
}

/// Validate one record against the rule set (for names of parties,
/// commodities and exemptions).
pub fn validate(raw: &RawEvent, loc: EventLoc, rules: &RuleSet) -> Validated {
    let mut cx = Cx {
        rules,
        loc,
        id: None,
        diags: Vec::new(),
    };
    let id = cx.text("id", raw.id).filter(|s| !s.is_empty()).map(compact);
    // Kept once, in `cx` (diagnostics copy it), until the event takes it.
    cx.id = id;
    for d in &mut cx.diags {
        if let Some(site) = d.event.as_mut() {
            site.event_id = cx.id.as_deref().map(str::to_string);
        }
    }
    // A key that looks like a field the event lacks (`To` and no `to`):
    // judged without it, the event could pass a rule it breaks.
    for (key, field) in &raw.misnamed {
        if !raw.gives(field) {
            cx.error(
                Code::EventMisnamedField,
                key,
                format!("`{key}` is not an event field, and the event has no `{field}`"),
                Some(if key.trim().eq_ignore_ascii_case(field) {
                    format!("field names are lower case: rename the key `{key}` to `{field}` so that sanc reads it")
                } else {
                    format!("did you mean `{field}`? Rename the key to `{field}` so that sanc reads it")
                }),
            );
        }
    }
    let has_id = cx.id.is_some().then_some(());
    cx.required(
        "id",
        has_id,
        "every event needs an `id`, unique in the stream",
    );
    let kind = match cx.text("type", raw.kind).as_deref() {
        None | Some("shipment") => Some(EventKind::Shipment),
        Some("report") => Some(EventKind::Report),
        Some("port_call") => Some(EventKind::PortCall),
        Some(other) => {
            let other = other.to_string();
            cx.error(
                Code::EventBadType,
                "type",
                format!("unknown event type `{other}`"),
                Some("`type` is `shipment` (the default), `report` or `port_call`".into()),
            );
            None
        }
    };
    let date = cx.date("date", raw.date);
    let date = cx.required("date", date, "every event needs a `date` (YYYY-MM-DD)");
    let loaded = cx.date("loaded", raw.loaded);
    let contract_date = cx.date("contract_date", raw.contract_date);
    let delivered = cx.date("delivered", raw.delivered);

    let commodity_name = cx.text("commodity", raw.commodity).map(compact);
    let hs = cx.text("hs", raw.hs).map(compact);
    if let Some(h) = hs.as_deref() {
        if h.len() < 2 || !h.bytes().all(|b| b.is_ascii_digit()) {
            cx.error(
                Code::EventBadHsCode,
                "hs",
                format!("`{h}` is not an HS code"),
                Some("HS codes are at least 2 digits, without dots, e.g. `271019`".into()),
            );
        } else if h.len() % 2 == 1 {
            // HS chapters, headings and subheadings come in pairs of digits:
            // an odd count is almost always a leading zero a spreadsheet
            // dropped (`302` for 0302, fish), and matching `302` as it stands
            // would put fish under chapter 30, pharmaceuticals.
            cx.error(
                Code::EventBadHsCode,
                "hs",
                format!("`{h}` has an odd number of digits, so it is not an HS code"),
                Some(format!(
                    "HS codes have 2, 4, 6, 8 or 10 digits; a spreadsheet may have dropped a leading zero: did you mean `0{h}`? Store the column as text to keep it"
                )),
            );
        }
    }
    let nomenclature = match cx.text("nomenclature", raw.nomenclature) {
        None => None,
        Some(n) => {
            let name = n.to_ascii_lowercase();
            match super::NOMENCLATURES.iter().find(|(k, _)| *k == name) {
                Some((k, true)) => Some(*k),
                Some((_, false)) => None,
                None => {
                    let names = super::NOMENCLATURES.iter().map(|(k, _)| *k);
                    let help = match suggest::closest(&name, names) {
                        Some(b) => format!("did you mean `{b}`? "),
                        None => String::new(),
                    } + "nomenclatures are `hs`, `cn` (EU Combined Nomenclature), `china`, `eaeu`, `hts` (US) or `national` (any other)";
                    cx.error(
                        Code::EventBadField,
                        "nomenclature",
                        format!("unknown nomenclature `{n}`"),
                        Some(help),
                    );
                    None
                }
            }
        }
    };
    // A national line beyond six digits says nothing about the rules'
    // lines: only its HS-6 root is compared.
    let hs = match (hs, nomenclature) {
        (Some(h), Some(_)) if h.len() > 6 && h.bytes().all(|b| b.is_ascii_digit()) => {
            Some(CompactString::from(&h[..6]))
        }
        (h, _) => h,
    };
    let commodity = commodity_name.as_ref().and_then(|n| rules.commodity_id(n));
    let quantity = cx.quantity("quantity", raw.quantity);
    let price = cx.price("price", raw.price);
    let value = cx.value("value", raw.value);
    let from = cx.text("from", raw.from).and_then(|p| cx.party("from", &p));
    let to = cx.text("to", raw.to).and_then(|p| cx.party("to", &p));
    let via_names = cx.list("via", raw.via);
    let via: Vec<EventParty> = via_names
        .into_iter()
        .filter_map(|p| cx.party("via", &p))
        .collect();
    let reporter = cx.text("reporter", raw.reporter).map(Cow::into_owned);
    let covers = cx.list("covers", raw.covers);
    let exemptions = cx.list("exemptions", raw.exemptions);
    let source = cx.text("source", raw.source).map(compact);
    let evidence = match cx.text("evidence", raw.evidence).as_deref() {
        None => Some(Evidence::Unstated),
        Some(t) => match Evidence::parse(t) {
            Some(e) if e != Evidence::Unstated => Some(e),
            _ => {
                let t = t.to_string();
                let names: Vec<&str> = Evidence::ALL[..5].iter().map(|e| e.as_str()).collect();
                let hint = crate::suggest::closest(&t, names.iter().copied())
                    .map(|b| format!("did you mean `{b}`? "))
                    .unwrap_or_default();
                cx.error(
                    Code::EventBadField,
                    "evidence",
                    format!("`{t}` is not a kind of evidence sanc knows"),
                    Some(format!(
                        "{hint}`evidence` is one of {}, or left out",
                        names.join(", ")
                    )),
                );
                None
            }
        },
    };
    let quantity_low = cx.quantity("quantity_low", raw.quantity_low);
    let quantity_high = cx.quantity("quantity_high", raw.quantity_high);
    cx.bounds(quantity, quantity_low, quantity_high);
    let cells = raw.cells.as_deref().unwrap_or(&CsvCells::NONE);
    let vessel = cx.vessel("vessel", raw.vessel, &cells.vessel).map(Box::new);
    let counterpart = cx
        .vessel(
            "counterpart_vessel",
            raw.counterpart_vessel,
            &cells.counterpart,
        )
        .map(Box::new);
    let transfer = cx.transfer(raw.transfer);
    let parties = cx.parties(raw.parties, raw.cells.as_deref().map(|c| &c.parties));
    let port = cx
        .text("port", raw.port)
        .and_then(|p| cx.party("port", &p))
        .map(Box::new);

    match kind {
        Some(EventKind::Shipment) => {
            if commodity_name.is_none()
                && hs.is_none()
                && raw.commodity.is_none()
                && raw.hs.is_none()
            {
                cx.error(
                    Code::EventMissingField,
                    "commodity",
                    "the shipment has neither `commodity` nor `hs`".into(),
                    Some("name the goods with `commodity` (as declared in the rules), an `hs` code, or both".into()),
                );
            }
            if raw.from.is_none() && raw.to.is_none() {
                cx.error(
                    Code::EventMissingField,
                    "from",
                    "the shipment has neither `from` nor `to`".into(),
                    Some(
                        "give the supplying party in `from`, the receiving one in `to`, or both"
                            .into(),
                    ),
                );
            }
        }
        Some(EventKind::Report) => {
            if raw.covers.is_some() && covers.is_empty() && !has_error(&cx, "covers") {
                cx.error(
                    Code::EventMissingField,
                    "covers",
                    "the report's `covers` lists no shipment".into(),
                    Some(
                        "list the ids of the shipments the report covers, e.g. `[\"ru-2023-01\"]`"
                            .into(),
                    ),
                );
            }
            if raw.reporter.is_some() && reporter.as_deref() == Some("") {
                cx.error(
                    Code::EventMissingField,
                    "reporter",
                    "the report's `reporter` is empty".into(),
                    Some("name the reporting party, e.g. `\"CHN\"`".into()),
                );
            }
            if raw.covers.is_none() {
                cx.required::<()>(
                    "covers",
                    None,
                    "a report lists the ids of the shipments it reports in `covers`",
                );
            }
            if raw.reporter.is_none() {
                cx.required::<()>(
                    "reporter",
                    None,
                    "a report names the reporting party in `reporter`",
                );
            }
        }
        Some(EventKind::PortCall) => {
            if raw.vessel.is_none() && cells.vessel.is_empty() {
                cx.required::<()>(
                    "vessel",
                    None,
                    "a port call names the vessel in `vessel` (`\"IMO 9074729\"`, a name, or `{\"imo\", \"name\", \"flag\"}`)",
                );
            }
            if raw.port.is_none() {
                cx.required::<()>(
                    "port",
                    None,
                    "a port call names the port's country in `port` (e.g. `\"RUS\"`)",
                );
            }
        }
        None => {}
    }

    let rejected = cx.diags.iter().any(|d| d.rejected());
    if !rejected {
        for e in &exemptions {
            if !rules.exemptions.contains(e) {
                let e = e.clone();
                cx.warn(
                    Code::EventUnknownExemption,
                    "exemptions",
                    format!("the event claims exemption `{e}`, which no rule declares"),
                    Some("the claim is ignored; check the spelling against the rules' `exemption` declarations".into()),
                );
            }
        }
    }

    let id = cx.id.take();
    let event = match (rejected, id, kind, date) {
        // Allocated first and written in place: `Box::new` of an event
        // made on the stack would copy its kilobyte.
        (false, Some(id), Some(kind), Some(date)) => Some(Box::write(
            Box::new_uninit(),
            Event {
                id,
                kind,
                date,
                commodity,
                commodity_name,
                hs_commodity: match (commodity, &hs) {
                    (None, Some(h)) => rules.commodity_of_hs(h),
                    _ => None,
                },
                hs,
                quantity,
                price,
                value,
                from,
                to,
                via,
                reporter,
                covers,
                exemptions,
                loaded,
                contract_date,
                nomenclature,
                delivered,
                source,
                evidence: evidence.unwrap_or_default(),
                quantity_low,
                quantity_high,
                vessel,
                counterpart,
                transfer,
                parties,
                port,
                loc,
            },
        )),
        _ => None,
    };
    Validated {
        event,
        diagnostics: cx.diags,
    }
}

/// A field's text held inline (up to 24 bytes). `CompactString::new` of a
/// `&str`, inlined here, builds the string in registers; `From<Cow>` is a
/// call whose result was written to memory and read back at once, the
/// likeliest cause of a stall the profiler showed right after the call
/// (2% of the CPU time of a run, measured side by side).
#[inline(always)]
fn compact(text: Cow<'_, str>) -> CompactString {
    CompactString::new(&*text)
}

/// A plain decimal (sign, digits, at most one point): when such text does
/// not parse, it is too long, not malformed.
fn looks_numeric(t: &str) -> bool {
    let t = t.trim().trim_start_matches(['+', '-']).replace('_', "");
    !t.is_empty()
        && t.bytes().filter(|b| *b == b'.').count() <= 1
        && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && t.bytes().any(|b| b.is_ascii_digit())
}

fn has_error(cx: &Cx, field: &str) -> bool {
    cx.diags.iter().any(|d| d.field() == Some(field))
}

/// A name as an `entity` declaration would spell it: lower case, `_` for spaces.
fn entity_name(value: &str) -> String {
    let n: String = value
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if n.starts_with(|c: char| c.is_ascii_alphabetic()) {
        n
    } else {
        format!("party_{n}")
    }
}

/// The ASCII bytes that are Unicode white space (`char::is_whitespace`):
/// the space and `\t` to `\r`, which includes the vertical tab that
/// `u8::is_ascii_whitespace` leaves out.
fn is_ascii_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t'..=b'\r')
}

/// [`str::trim`]: ASCII white space stripped byte by byte (the space
/// between an amount and its unit), by characters only where text begins
/// or ends with a byte that is not ASCII.
#[inline]
pub(super) fn trim(t: &str) -> &str {
    // Most values begin and end with a visible ASCII character: taken
    // inline (it is asked of every field).
    if let (Some(a), Some(z)) = (t.as_bytes().first(), t.as_bytes().last()) {
        if a.is_ascii_graphic() && z.is_ascii_graphic() {
            return t;
        }
    }
    trim_slow(t)
}

#[inline(never)]
fn trim_slow(t: &str) -> &str {
    let b = t.as_bytes();
    let start = b
        .iter()
        .position(|&c| !is_ascii_space(c))
        .unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|&c| !is_ascii_space(c))
        .map_or(start, |e| e + 1);
    // Both ends are ASCII bytes, so on character boundaries.
    let t = t.get(start..end).unwrap_or(t);
    match (t.as_bytes().first(), t.as_bytes().last()) {
        (Some(a), Some(z)) if !a.is_ascii() || !z.is_ascii() => t.trim(),
        _ => t,
    }
}

pub(super) fn text_of(f: Field<'_>) -> Result<Cow<'_, str>, Why> {
    match f {
        Field::Text(t) | Field::Str(t) => Ok(Cow::Borrowed(trim(t))),
        Field::Json(raw) => {
            let s = raw.get();
            // A string without escapes is its own text between the quotes.
            if s.len() >= 2 && s.starts_with('"') && !s.contains('\\') {
                return Ok(Cow::Borrowed(trim(&s[1..s.len() - 1])));
            }
            if s.starts_with('"') {
                serde_json::from_str::<Cow<str>>(s)
                    .map(|c| Cow::Owned(c.trim().to_string()))
                    .map_err(|e| format!("is not a valid string ({e})"))
            } else if s.starts_with(|c: char| c == '-' || c.is_ascii_digit()) {
                Ok(Cow::Borrowed(s))
            } else {
                Err(format!("must be a string, found {}", json_kind(raw)))
            }
        }
    }
}

fn list_of(f: Field) -> Result<Vec<String>, Why> {
    match f {
        Field::Text(t) | Field::Str(t) => Ok(t
            .split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()),
        Field::Json(raw) if raw.get().starts_with('[') => {
            let items: Vec<&RawValue> = serde_json::from_str(raw.get())
                .map_err(|e| format!("is not a valid list ({e})"))?;
            items
                .into_iter()
                .map(|i| text_of(Field::Json(i)).map(|c| c.into_owned()))
                .filter(|r| r.as_ref().map_or(true, |s| !s.is_empty()))
                .collect()
        }
        Field::Json(_) => text_of(f).map(|t| {
            t.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        }),
    }
}

#[derive(Deserialize)]
struct AmountObject<'a> {
    #[serde(borrow)]
    amount: &'a RawValue,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    currency: Option<String>,
}

/// Split a quantity-like field into its amount text and unit text.
/// Both borrowed from the record when the field has no escapes.
fn amount_and_unit(f: Field<'_>) -> Result<(Cow<'_, str>, Cow<'_, str>), Why> {
    fn cut(t: &str) -> Result<(&str, &str), Why> {
        let t = trim(t);
        // The first white space: found byte by byte while the text is
        // ASCII, by characters from the first byte that is not.
        let at = match t.bytes().position(|c| is_ascii_space(c) || !c.is_ascii()) {
            Some(k) if t.as_bytes().get(k).is_some_and(u8::is_ascii) => Some(k),
            Some(_) => t.find(char::is_whitespace),
            None => None,
        }
        .ok_or_else(|| format!("has no unit: `{t}`"))?;
        Ok((&t[..at], trim(&t[at..])))
    }
    fn split(t: Cow<'_, str>) -> Result<(Cow<'_, str>, Cow<'_, str>), Why> {
        match t {
            Cow::Borrowed(t) => cut(t).map(|(a, u)| (Cow::Borrowed(a), Cow::Borrowed(u))),
            Cow::Owned(t) => {
                cut(&t).map(|(a, u)| (Cow::Owned(a.to_string()), Cow::Owned(u.to_string())))
            }
        }
    }
    match f {
        Field::Text(t) | Field::Str(t) => split(Cow::Borrowed(t)),
        Field::Json(raw) => match raw.get().as_bytes().first() {
            Some(b'"') => split(text_of(f)?),
            Some(b'{') => {
                let o: AmountObject = serde_json::from_str(raw.get())
                    .map_err(|e| format!("is not an amount object ({e})"))?;
                let amount = text_of(Field::Json(o.amount))?.into_owned();
                let unit = match (o.unit, o.currency) {
                    (Some(u), Some(c)) => format!("{c}/{u}"),
                    (Some(u), None) => u,
                    (None, Some(c)) => c,
                    (None, None) => return Err("has no `unit`".into()),
                };
                Ok((Cow::Owned(amount), Cow::Owned(unit)))
            }
            _ => Err(format!(
                "must be a string such as `\"44655 bbl\"` or an object, found {}",
                json_kind(raw)
            )),
        },
    }
}

/// `"1198 t"`, `"58.33 USD/bbl"`: digits with at most one point inside
/// them (at most 18 digits), spaces, and a unit of visible ASCII, as most
/// quantities and prices are written, read in one pass: the amount (its
/// scale as written, as [`parse_amount`] keeps it) and the unit's text.
/// `None` for anything else, which [`amount_and_unit`] and [`parse_amount`]
/// read; where this reads a field, they read the same.
fn plain_amount<'a>(f: &Field<'a>) -> Option<(Decimal, &'a str)> {
    let (Field::Str(t) | Field::Text(t)) = *f else {
        return None;
    };
    let b = t.as_bytes();
    let (mut mantissa, mut digits, mut point) = (0i64, 0u32, None::<u32>);
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            // Eighteen digits always fit in an i64; more go the general way.
            b'0'..=b'9' if digits < 18 => {
                mantissa = mantissa * 10 + i64::from(c - b'0');
                digits += 1;
            }
            b'0'..=b'9' => return None,
            b'.' if point.is_none() && digits > 0 => point = Some(digits),
            _ => break,
        }
        i += 1;
    }
    let scale = match point {
        // A point with no digit after it is left to the general path.
        Some(p) if p == digits => return None,
        Some(p) => digits - p,
        None if digits == 0 => return None,
        None => 0,
    };
    let spaces = b.get(i..)?.iter().take_while(|&&c| c == b' ').count();
    let unit = t.get(i + spaces..)?;
    if spaces == 0 || unit.is_empty() || !unit.bytes().all(|c| c.is_ascii_graphic()) {
        return None;
    }
    Some((Decimal::new(mantissa, scale), unit))
}

/// An exact decimal: plain or scientific notation, never through a float.
pub fn parse_amount(t: &str) -> Option<Decimal> {
    let t = trim(t);
    // Most amounts are plain digits and a point: one look at the bytes.
    if !t.bytes().any(|b| matches!(b, b'e' | b'E' | b'_' | b'+')) {
        return Decimal::from_str_exact(t).ok();
    }
    if t.bytes().any(|b| b == b'e' || b == b'E') {
        return Decimal::from_scientific(t).ok();
    }
    let cleaned: Cow<str> = if t.bytes().any(|b| b == b'_') {
        Cow::Owned(t.replace('_', ""))
    } else {
        Cow::Borrowed(t)
    };
    let cleaned = cleaned.strip_prefix('+').unwrap_or(&cleaned);
    Decimal::from_str_exact(cleaned).ok()
}

/// `YYYY-MM-DD`, or a date and time (its date is used, as written).
pub fn parse_date(t: &str) -> Option<NaiveDate> {
    let t = trim(t);
    // The common case, without chrono's format interpreter: `YYYY-MM-DD`.
    if let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *t.as_bytes() {
        let digits = [y0, y1, y2, y3, m0, m1, d0, d1];
        if digits.iter().all(u8::is_ascii_digit) {
            let n = |s: &[u8]| s.iter().fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
            return NaiveDate::from_ymd_opt(
                n(&digits[..4]) as i32,
                n(&digits[4..6]),
                n(&digits[6..]),
            );
        }
    }
    if t.len() <= 10 {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some(dt.date_naive());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, fmt) {
            return Some(dt.date());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_read_into_fields_is_small() {
        // Made afresh for every record and read field by field: CSV's flat
        // vessel and party columns are boxed so that they do not double it.
        let size = std::mem::size_of::<RawEvent>();
        assert!(size <= 700, "{size}");
    }

    #[test]
    fn an_event_is_small() {
        // Allocated, written, read and freed once a record: every byte
        // counts (608 today; mimalloc's fast path ends at 1 KiB).
        assert!(
            std::mem::size_of::<Event>() <= 640,
            "{}",
            std::mem::size_of::<Event>()
        );
    }

    #[test]
    fn trim_is_str_trim() {
        for t in [
            "",
            " ",
            "a",
            " a ",
            "\t72.50\r\n",
            "\u{a0}bbl\u{3000}",
            " \u{a0} x",
            "é",
            " é ",
            "\u{b}t\u{c}",
            "\u{85}",
            "a b",
            "\u{1c}x",
        ] {
            assert_eq!(trim(t), t.trim(), "{t:?}");
        }
    }

    #[test]
    fn ascii_shortcuts_answer_as_the_unicode_paths_do() {
        // The amount/unit split and amount parsing as they were before their
        // ASCII shortcuts.
        fn split_before(t: &str) -> Option<(&str, &str)> {
            let t = t.trim();
            let at = t.find(char::is_whitespace)?;
            Some((&t[..at], t[at..].trim()))
        }
        fn amount_before(t: &str) -> Option<Decimal> {
            let t = t.trim();
            if t.bytes().any(|b| b == b'e' || b == b'E') {
                return Decimal::from_scientific(t).ok();
            }
            let cleaned = t.replace('_', "");
            let cleaned = cleaned.strip_prefix('+').unwrap_or(&cleaned);
            Decimal::from_str_exact(cleaned).ok()
        }
        for t in [
            "1198 t",
            " 72.50  USD/bbl ",
            "5\tbbl",
            "5\u{b}bbl",
            "5\u{a0}bbl",
            "5\u{3000}t",
            "é5 t",
            "5é t",
            "5",
            "",
            " ",
            "+5 t",
            "1_000 kg",
            "1e3 t",
            "-0 t",
            "5. t",
            ".5 t",
            "5\u{85}t",
            "0x10 t",
            "1,000 t",
            "99999999999999999999999999999 t",
        ] {
            let now = amount_and_unit(Field::Str(t)).ok();
            let now = now.as_ref().map(|(a, u)| (a.as_ref(), u.as_ref()));
            assert_eq!(now, split_before(t), "{t:?}");
            let amount = t.split_whitespace().next().unwrap_or(t);
            assert_eq!(parse_amount(amount), amount_before(amount), "{amount:?}");
            assert_eq!(parse_amount(t), amount_before(t), "{t:?}");
        }
    }

    /// Where the plain path reads an amount, the general path reads the
    /// same amount, with the same scale, and the same unit.
    fn plain_is_general(t: &str) {
        for f in [Field::Str(t), Field::Text(t)] {
            let Some((amount, unit)) = plain_amount(&f) else {
                continue;
            };
            let (a, u) = amount_and_unit(f).unwrap();
            let general = parse_amount(&a).unwrap();
            assert_eq!(
                (amount.mantissa(), amount.scale(), unit),
                (general.mantissa(), general.scale(), &*u),
                "{t:?}"
            );
        }
    }

    #[test]
    fn plain_amounts_read_as_the_general_path_reads_them() {
        let read = [
            "1198 t",
            "58.33 USD/bbl",
            "0.50  bbl",
            "007 kg",
            "123456789012345678 t",
        ];
        for t in read {
            assert!(plain_amount(&Field::Str(t)).is_some(), "{t}");
            plain_is_general(t);
        }
        let left = [
            "1234567890123456789 t",
            "5. t",
            ".5 t",
            "-5 t",
            "+5 t",
            "5e3 t",
            "5 t ",
            " 5 t",
            "5\tt",
            "5",
            "5 ",
            "1_000 t",
            "5 US D",
            "5 tö",
            "1.2.3 t",
        ];
        for t in left {
            assert!(plain_amount(&Field::Str(t)).is_none(), "{t}");
        }
    }

    proptest::proptest! {
        #[test]
        fn plain_amounts_agree_on_random_text(
            t in "[0-9]{0,20}[.]?[0-9]{0,4}[ \t]{0,2}(t|bbl|USD/bbl|US D|x/y|ö)?[ ]?"
        ) {
            plain_is_general(&t);
        }
    }

    #[test]
    fn amounts_are_exact() {
        assert_eq!(parse_amount("72.50"), Some(Decimal::new(7250, 2)));
        assert_eq!(parse_amount("1e3"), Some(Decimal::from(1000)));
        assert_eq!(parse_amount("0.1"), Some(Decimal::new(1, 1)));
        assert_eq!(parse_amount("1,000"), None);
        assert_eq!(parse_amount("abc"), None);
    }

    #[test]
    fn dates_and_datetimes() {
        let d = NaiveDate::from_ymd_opt(2023, 1, 31);
        assert_eq!(parse_date("2023-01-31"), d);
        assert_eq!(parse_date("2023-01-31T23:30:00+09:00"), d);
        assert_eq!(parse_date("2023-01-31 08:00:00"), d);
        assert_eq!(parse_date("2023-02-30"), None);
        assert_eq!(parse_date("31/01/2023"), None);
    }
}
