//! Vessels, transfer modes and parties by role: reading them from an
//! event's fields (JSON values or CSV cells) into typed values, with a
//! located diagnostic for every problem.

use super::fields::{json_kind, Field, VesselCells};
use super::validate::{text_of, Cx};
use crate::diagnostic::Code;
use crate::model::{PartyKey, PartyKeys};
use crate::roles::{self, ImoError, PartyRole, Transfer};
use serde_json::value::RawValue;
use std::collections::BTreeMap;

/// A vessel an event names: by IMO number, by name, or both, with its flag.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Vessel {
    /// The IMO ship identification number (check digit verified).
    pub imo: Option<u32>,
    pub name: Option<String>,
    /// The ISO 3166-1 alpha-3 code of the flag state.
    pub flag: Option<String>,
}

impl Vessel {
    /// `IMO 9074729 (Chon Ma San, PRK)`, for messages.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(n) = &self.name {
            parts.push(n.clone());
        }
        if let Some(f) = &self.flag {
            parts.push(format!("flag {f}"));
        }
        match (self.imo, parts.is_empty()) {
            (Some(i), true) => format!("IMO {i}"),
            (Some(i), false) => format!("IMO {i} ({})", parts.join(", ")),
            (None, _) => parts.join(", "),
        }
    }
}

/// A party to a transaction in a role: a country, a declared entity, or a
/// name the rules do not declare (which designation lists may still match).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleParty {
    pub role: PartyRole,
    /// As the event writes it.
    pub name: String,
    /// What the name stands for in the rules (empty for an undeclared name).
    pub keys: PartyKeys,
    /// Its nationality: the country given with it, or the country it is
    /// (a code) or is in (an entity).
    pub country: Option<String>,
}

impl Cx<'_> {
    /// `vessel` / `counterpart_vessel`: a text or an object, or CSV cells.
    #[inline]
    pub(super) fn vessel(
        &mut self,
        name: &str,
        f: Option<Field>,
        cells: &VesselCells,
    ) -> Option<Vessel> {
        // Most events name no vessel: done without a call.
        if f.is_none() && cells.is_empty() {
            return None;
        }
        self.vessel_of(name, f, cells)
    }

    #[inline(never)]
    fn vessel_of(&mut self, name: &str, f: Option<Field>, cells: &VesselCells) -> Option<Vessel> {
        let mut v = Vessel::default();
        let mut any = false;
        if let Some(f) = f {
            any = true;
            match f {
                Field::Json(raw) if raw.get().starts_with('{') => {
                    self.vessel_object(name, raw, &mut v)
                }
                _ => {
                    let t = self.text(name, Some(f))?.into_owned();
                    self.vessel_text(name, &t, &mut v);
                }
            }
        }
        if cells.is_empty() {
            return any.then_some(v);
        }
        let col = |part: &str| format!("{name}_{part}");
        if let Some(t) = self.text(&col("imo"), cells.imo) {
            any = true;
            v.imo = self.imo(&col("imo"), &t);
        }
        if let Some(t) = self.text(&col("name"), cells.name) {
            any = true;
            v.name = Some(t.into_owned());
        }
        if let Some(t) = self.text(&col("flag"), cells.flag) {
            any = true;
            v.flag = self.flag(&col("flag"), t.into_owned());
        }
        any.then_some(v)
    }

    fn vessel_text(&mut self, name: &str, t: &str, v: &mut Vessel) {
        if t.is_empty() {
            return;
        }
        if roles::looks_like_imo(t) {
            v.imo = self.imo(name, t);
        } else {
            v.name = Some(t.to_string());
        }
    }

    fn vessel_object(&mut self, name: &str, raw: &RawValue, v: &mut Vessel) {
        let map: BTreeMap<String, &RawValue> = match serde_json::from_str(raw.get()) {
            Ok(m) => m,
            Err(e) => {
                self.error(
                    Code::EventBadField,
                    name,
                    format!("`{name}` is not a valid object ({e})"),
                    None,
                );
                return;
            }
        };
        for (k, val) in map {
            if val.get() == "null" {
                continue;
            }
            let field = format!("{name}.{k}");
            match k.as_str() {
                "imo" => {
                    if let Some(t) = self.text(&field, Some(Field::Json(val))) {
                        v.imo = self.imo(&field, &t);
                    }
                }
                "name" => {
                    v.name = self
                        .text(&field, Some(Field::Json(val)))
                        .map(|t| t.into_owned())
                        .filter(|t| !t.is_empty());
                }
                "flag" => {
                    if let Some(t) = self.text(&field, Some(Field::Json(val))) {
                        v.flag = self.flag(&field, t.into_owned());
                    }
                }
                other => {
                    let help = match crate::suggest::closest(other, ["imo", "name", "flag"]) {
                        Some(b) => {
                            format!("did you mean `{b}`? A vessel has `imo`, `name` and `flag`")
                        }
                        None => "a vessel has `imo`, `name` and `flag`".to_string(),
                    };
                    self.error(
                        Code::EventBadField,
                        &field,
                        format!("`{name}` has an unknown field `{other}`"),
                        Some(help),
                    );
                }
            }
        }
    }

    /// An IMO number, its check digit verified.
    fn imo(&mut self, field: &str, t: &str) -> Option<u32> {
        match roles::parse_imo(t) {
            Ok(n) => Some(n),
            Err(ImoError::NotSevenDigits) => {
                self.error(
                    Code::EventBadImo,
                    field,
                    format!("`{t}` in `{field}` is not an IMO number"),
                    Some("an IMO ship identification number has seven digits, written `IMO 9074729` or `9074729`; give the vessel's name instead if its number is unknown".into()),
                );
                None
            }
            Err(ImoError::CheckDigit { expected }) => {
                let digits: String = t.chars().filter(char::is_ascii_digit).collect();
                let first_six = digits.get(..6).unwrap_or_default();
                self.error(
                    Code::EventBadImo,
                    field,
                    format!("`{t}` in `{field}` fails the IMO check digit: its last digit should be {expected}"),
                    Some(format!(
                        "the seventh digit of an IMO number is a check on the first six (weights 7, 6, 5, 4, 3, 2); `IMO {first_six}{expected}` would be valid, but a wrong digit may be anywhere: check the number against the ship's registration"
                    )),
                );
                None
            }
        }
    }

    /// A flag: a country code or a `party` alias, as its ISO code.
    fn flag(&mut self, field: &str, t: String) -> Option<String> {
        self.flag_like(field, t)
    }

    /// `transfer`: `port`, `sts`, `pipeline`, `road`, `rail` or `air`.
    pub(super) fn transfer(&mut self, f: Option<Field>) -> Option<Transfer> {
        let t = self.text("transfer", f)?.into_owned();
        if let Some(m) = Transfer::from_name(&t) {
            return Some(m);
        }
        let names = Transfer::ALL.map(Transfer::as_str);
        let lower = t.to_ascii_lowercase();
        let guess = match lower.as_str() {
            "ship-to-ship" | "ship to ship" | "ship_to_ship" | "stst" => Some("sts"),
            "sea" | "maritime" | "vessel" | "ship" => Some("port"),
            "truck" | "lorry" => Some("road"),
            "train" => Some("rail"),
            "aircraft" | "plane" => Some("air"),
            _ => crate::suggest::closest(&lower, names),
        };
        let help = match guess {
            Some(g) => format!(
                "did you mean `{g}`? `transfer` is one of {}",
                names.join(", ")
            ),
            None => format!("`transfer` is one of {}", names.join(", ")),
        };
        self.error(
            Code::EventBadField,
            "transfer",
            format!("unknown transfer mode `{t}`"),
            Some(help),
        );
        None
    }

    /// `parties` (a JSON object from role to party), or CSV `party_<role>` cells.
    #[inline]
    pub(super) fn parties(
        &mut self,
        f: Option<Field>,
        cells: Option<&[(Option<Field>, Option<Field>); 11]>,
    ) -> Vec<RoleParty> {
        // Most events name no parties by role: done without a call.
        if f.is_none() && cells.is_none() {
            return Vec::new();
        }
        self.parties_of(f, cells)
    }

    #[inline(never)]
    fn parties_of(
        &mut self,
        f: Option<Field>,
        cells: Option<&[(Option<Field>, Option<Field>); 11]>,
    ) -> Vec<RoleParty> {
        let mut out = Vec::new();
        if let Some(f) = f {
            match f {
                Field::Json(raw) if raw.get().starts_with('{') => self.parties_object(raw, &mut out),
                Field::Json(raw) => self.error(
                    Code::EventBadField,
                    "parties",
                    format!(
                        "`parties` must be an object from role to party, found {}",
                        json_kind(raw)
                    ),
                    Some("e.g. `{\"owner\": \"korea_ansan\", \"insurer\": {\"name\": \"Acme Marine\", \"country\": \"GBR\"}}`".into()),
                ),
                Field::Str(_) => self.error(
                    Code::EventBadField,
                    "parties",
                    "`parties` must be an object from role to party, found a string".into(),
                    Some("e.g. `{\"owner\": \"korea_ansan\", \"insurer\": {\"name\": \"Acme Marine\", \"country\": \"GBR\"}}`".into()),
                ),
                Field::Text(_) => self.error(
                    Code::EventBadField,
                    "parties",
                    "a CSV gives parties in columns `party_<role>` (and `party_<role>_country`), not in one `parties` cell".into(),
                    Some("e.g. columns `party_owner` and `party_owner_country`".into()),
                ),
            }
        }
        // Only a CSV row has party cells.
        let Some(cells) = cells else { return out };
        for (role, (name, country)) in PartyRole::ALL.into_iter().zip(cells.iter()) {
            let Some(n) = self.text(role.column(), *name) else {
                if country.is_some() {
                    self.error(
                        Code::EventMissingField,
                        role.country_column(),
                        format!(
                            "`{}` is given without `{}`",
                            role.country_column(),
                            role.column()
                        ),
                        Some(format!("name the {} in `{}`", role.as_str(), role.column())),
                    );
                }
                continue;
            };
            let country = self
                .text(role.country_column(), *country)
                .map(|c| c.into_owned());
            for one in n.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                let field = role.column();
                if let Some(p) = self.role_party(role, field, one.to_string(), country.clone()) {
                    out.push(p);
                }
            }
        }
        out
    }

    fn parties_object(&mut self, raw: &RawValue, out: &mut Vec<RoleParty>) {
        let map: BTreeMap<String, &RawValue> = match serde_json::from_str(raw.get()) {
            Ok(m) => m,
            Err(e) => {
                self.error(
                    Code::EventBadField,
                    "parties",
                    format!("`parties` is not a valid object ({e})"),
                    None,
                );
                return;
            }
        };
        for (k, val) in map {
            let field = format!("parties.{k}");
            let Some(role) = PartyRole::from_name(&k) else {
                let names = PartyRole::ALL.map(PartyRole::as_str);
                let help = match crate::suggest::closest(&k, names) {
                    Some(b) => format!("did you mean `{b}`? The roles are {}", names.join(", ")),
                    None => format!("the roles are {}", names.join(", ")),
                };
                self.error(
                    Code::EventBadField,
                    &field,
                    format!("unknown role `{k}` in `parties`"),
                    Some(help),
                );
                continue;
            };
            let items: Vec<&RawValue> = if val.get().starts_with('[') {
                match serde_json::from_str(val.get()) {
                    Ok(v) => v,
                    Err(e) => {
                        self.error(
                            Code::EventBadField,
                            &field,
                            format!("`{field}` is not a valid list ({e})"),
                            None,
                        );
                        continue;
                    }
                }
            } else {
                vec![val]
            };
            for item in items {
                if item.get() == "null" {
                    continue;
                }
                if item.get().starts_with('{') {
                    #[derive(serde::Deserialize)]
                    struct Named {
                        name: Option<String>,
                        country: Option<String>,
                    }
                    match serde_json::from_str::<Named>(item.get()) {
                        Ok(Named {
                            name: Some(n),
                            country,
                        }) if !n.trim().is_empty() => {
                            if let Some(p) =
                                self.role_party(role, &field, n.trim().to_string(), country)
                            {
                                out.push(p);
                            }
                        }
                        Ok(_) => self.error(
                            Code::EventMissingField,
                            &field,
                            format!("the {k} in `parties` has no `name`"),
                            Some("write `{\"name\": \"…\", \"country\": \"PRK\"}`".into()),
                        ),
                        Err(e) => self.error(
                            Code::EventBadField,
                            &field,
                            format!("`{field}` is not a party ({e})"),
                            Some("a party is a country code, an entity or a name, or `{\"name\": \"…\", \"country\": \"PRK\"}`".into()),
                        ),
                    }
                    continue;
                }
                match text_of(Field::Json(item)) {
                    Ok(t) if !t.is_empty() => {
                        if let Some(p) = self.role_party(role, &field, t.into_owned(), None) {
                            out.push(p);
                        }
                    }
                    Ok(_) => {}
                    Err(why) => self.error(
                        Code::EventBadField,
                        &field,
                        format!("`{field}` {why}"),
                        None,
                    ),
                }
            }
        }
    }

    /// One party in a role: known to the rules (a code, alias or entity),
    /// or a name for designation lists to match. A three-letter capital
    /// word the rules do not know is taken for a mistyped country code.
    fn role_party(
        &mut self,
        role: PartyRole,
        field: &str,
        name: String,
        country: Option<String>,
    ) -> Option<RoleParty> {
        let country = match country
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
        {
            Some(c) => {
                let country_field = if field.starts_with("party_") {
                    role.country_column().to_string()
                } else {
                    format!("{field}.country")
                };
                Some(self.flag_like(&country_field, c)?)
            }
            None => None,
        };
        let code_like = name.len() == 3 && name.bytes().all(|b| b.is_ascii_uppercase());
        let keys = match self.rules.resolve_party(&name) {
            Some(k) => k,
            None if code_like => {
                // Reports it as unknown, with a suggestion.
                self.party(field, &name)?;
                return None;
            }
            None => PartyKeys::new(),
        };
        let own = keys.iter().find_map(|k| match k {
            PartyKey::Country(c) => Some(c.to_string()),
            PartyKey::Entity(_) => None,
        });
        Some(RoleParty {
            role,
            name,
            keys,
            country: country.or(own),
        })
    }

    /// A country (code or alias) given with a party.
    fn flag_like(&mut self, field: &str, t: String) -> Option<String> {
        let p = self.party(field, &t)?;
        match p.keys.as_slice() {
            [PartyKey::Country(c)] => Some(c.to_string()),
            _ => {
                self.error(
                    Code::EventUnknownParty,
                    field,
                    format!("`{t}` in `{field}` is not a country"),
                    Some("a party's country is an ISO 3166-1 alpha-3 code such as `PRK`, or an alias".into()),
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::events::fields::{JsonEvent, RawEvent};
    use crate::events::{validate, EventKind, EventLoc};

    fn rules() -> crate::model::RuleSet {
        crate::loader::load_texts([(
            "r.sanc",
            "party DPRK = PRK\nentity korea_ansan \"Korea Ansan Shipping\" in PRK\n",
        )])
        .checked
        .rules
    }

    fn json(text: &str) -> crate::events::validate::Validated {
        let j: JsonEvent = serde_json::from_str(text).unwrap();
        validate(&RawEvent::from_json(j), EventLoc::default(), &rules())
    }

    #[test]
    fn vessels_parties_and_transfer_from_json() {
        let v = json(
            r#"{"id": "a", "date": "2023-01-01", "hs": "2710", "to": "PRK", "transfer": "STS",
                "vessel": "IMO 9074729",
                "counterpart_vessel": {"imo": 8660313, "name": "Chon Ma San", "flag": "DPRK"},
                "parties": {"owner": "korea_ansan", "insurer": {"name": "Acme Marine", "country": "GBR"},
                            "charterer": ["CHN", "Some Trader Ltd"]}}"#,
        );
        assert!(v.diagnostics.is_empty(), "{:?}", v.diagnostics);
        let e = v.event.unwrap();
        assert_eq!(e.vessel.as_ref().unwrap().imo, Some(9_074_729));
        let c = e.counterpart.as_deref().unwrap();
        assert_eq!(
            (c.imo, c.name.as_deref(), c.flag.as_deref()),
            (Some(8_660_313), Some("Chon Ma San"), Some("PRK"))
        );
        assert_eq!(e.transfer, Some(Transfer::Sts));
        let by: Vec<(&str, &str, Option<&str>)> = e
            .parties
            .iter()
            .map(|p| (p.role.as_str(), p.name.as_str(), p.country.as_deref()))
            .collect();
        assert_eq!(
            by,
            [
                ("charterer", "CHN", Some("CHN")),
                ("charterer", "Some Trader Ltd", None),
                ("insurer", "Acme Marine", Some("GBR")),
                ("owner", "korea_ansan", Some("PRK")),
            ]
        );
    }

    #[test]
    fn csv_flat_columns() {
        let mut raw = RawEvent::default();
        for (k, v) in [
            ("id", "a"),
            ("date", "2023-01-01"),
            ("type", "port_call"),
            ("vessel_imo", "8660313"),
            ("vessel_flag", "PRK"),
            ("port", "RUS"),
            ("party_owner", "Korea Ansan Shipping Co."),
            ("party_owner_country", "DPRK"),
        ] {
            raw.set(k, v);
        }
        let v = validate(&raw, EventLoc::default(), &rules());
        assert!(v.diagnostics.is_empty(), "{:?}", v.diagnostics);
        let e = v.event.unwrap();
        assert_eq!(e.kind, EventKind::PortCall);
        assert_eq!(e.vessel.as_ref().unwrap().flag.as_deref(), Some("PRK"));
        assert_eq!(e.port.unwrap().name, "RUS");
        assert_eq!(e.parties[0].country.as_deref(), Some("PRK"));
    }

    #[test]
    fn bad_imo_unknown_role_and_mode() {
        let v = json(
            r#"{"id": "a", "date": "2023-01-01", "hs": "2710", "to": "PRK", "transfer": "ship-to-ship",
                "vessel": "IMO 9074728", "parties": {"ownr": "X"}}"#,
        );
        assert!(v.event.is_none());
        let got: Vec<(&str, Option<&str>, Option<&str>)> = v
            .diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.field(), d.help.as_deref()))
            .collect();
        assert!(got.iter().any(|(c, f, h)| *c == "sanc::event::bad_imo"
            && *f == Some("vessel")
            && h.is_some_and(|h| h.contains("IMO 9074729"))));
        assert!(got.iter().any(|(c, f, h)| *c == "sanc::event::bad_field"
            && *f == Some("parties.ownr")
            && h.is_some_and(|h| h.contains("did you mean `owner`"))));
        assert!(got.iter().any(|(_, f, h)| *f == Some("transfer")
            && h.is_some_and(|h| h.contains("did you mean `sts`"))));
        let short =
            json(r#"{"id": "b", "date": "2023-01-01", "type": "port_call", "vessel": "IMO 123"}"#);
        let codes: Vec<(&str, Option<&str>)> = short
            .diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.field()))
            .collect();
        assert_eq!(
            codes,
            [
                ("sanc::event::bad_imo", Some("vessel")),
                ("sanc::event::missing_field", Some("port"))
            ]
        );
    }
}
