//! One event's fields as read, before validation: JSON values (kept as raw
//! text so numbers are never read through a float) or CSV cells.

use crate::roles::PartyRole;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// A field's value as found in the input.
#[derive(Debug, Clone, Copy)]
pub enum Field<'a> {
    Json(&'a RawValue),
    /// A JSON string without escapes: its text between the quotes (read as
    /// [`Field::Json`] of that string would be).
    Str(&'a str),
    Text(&'a str),
}

/// A vessel as CSV gives it: one `vessel` cell, or flat columns.
#[derive(Debug, Default, Clone)]
pub struct VesselCells<'a> {
    pub imo: Option<Field<'a>>,
    pub name: Option<Field<'a>>,
    pub flag: Option<Field<'a>>,
}

impl VesselCells<'_> {
    pub const NONE: VesselCells<'static> = VesselCells {
        imo: None,
        name: None,
        flag: None,
    };

    pub fn is_empty(&self) -> bool {
        self.imo.is_none() && self.name.is_none() && self.flag.is_none()
    }
}

/// The event fields, each once: the field of [`RawEvent`] and its JSON key
/// (its CSV column too, but for `parties`). The JSON reader ([`JsonEvent`],
/// [`JSON_FIELDS`], the flat reader's key lookup), the CSV reader
/// ([`RawEvent::set`]) and validation's diagnostics ([`RawEvent::gives`])
/// are all made from this one list.
macro_rules! event_fields {
    ($($(#[$doc:meta])* $field:ident = $key:literal,)*) => {
        /// The fields every reader produces, whatever the format.
        #[derive(Debug, Default, Clone)]
        pub struct RawEvent<'a> {
            $($(#[$doc])* pub $field: Option<Field<'a>>,)*
            /// JSON keys that are no field but look like one (`To`, `dest`),
            /// with the field each seems to mean: when the event lacks that
            /// field, the key's value is what it lacks, and the event is
            /// rejected rather than judged without it.
            pub misnamed: Vec<(Cow<'a, str>, &'static str)>,
            /// CSV's flat vessel and party columns, only when a row has one:
            /// they would more than double the size of every record, which
            /// is made afresh for each event.
            pub cells: Option<Box<CsvCells<'a>>>,
        }

        /// The known fields of an event object, as serde reads them; other
        /// keys are ignored (they remain in the record's text, which
        /// reports show).
        #[derive(Debug, Default, Deserialize)]
        pub struct JsonEvent<'a> {
            $(#[serde(borrow, default, rename = $key)] pub $field: Option<&'a RawValue>,)*
        }

        /// Each field's place in [`JSON_FIELDS`].
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Key {
            $($field,)*
        }

        /// The keys of a JSON event object.
        pub const JSON_FIELDS: &[&str] = &[$($key,)*];

        impl Key {
            /// The field a JSON key (or CSV column) names.
            fn of(key: &str) -> Option<Key> {
                match key {
                    $($key => Some(Key::$field),)*
                    _ => None,
                }
            }
        }

        impl<'a> RawEvent<'a> {

            /// The field of a key.
            fn field_mut(&mut self, key: Key) -> &mut Option<Field<'a>> {
                match key {
                    $(Key::$field => &mut self.$field,)*
                }
            }

            /// Does the event give the JSON field `name` (not `null`)?
            pub fn gives(&self, name: &str) -> bool {
                match name {
                    $($key => self.$field.is_some(),)*
                    _ => false,
                }
            }

            /// Every field with its key, in the list's order.
            #[cfg(test)]
            fn fields(&self) -> Vec<(&'static str, Option<Field<'a>>)> {
                vec![$(($key, self.$field),)*]
            }

            pub fn from_json(j: JsonEvent<'a>) -> Self {
                // JSON null counts as absent.
                let f = |v: Option<&'a RawValue>| v.filter(|r| r.get() != "null").map(Field::Json);
                RawEvent {
                    $($field: f(j.$field),)*
                    ..RawEvent::default()
                }
            }
        }
    };
}

event_fields! {
    id = "id",
    kind = "type",
    date = "date",
    commodity = "commodity",
    hs = "hs",
    quantity = "quantity",
    price = "price",
    value = "value",
    from = "from",
    to = "to",
    via = "via",
    reporter = "reporter",
    covers = "covers",
    exemptions = "exemptions",
    loaded = "loaded",
    delivered = "delivered",
    contract_date = "contract_date",
    nomenclature = "nomenclature",
    source = "source",
    evidence = "evidence",
    quantity_low = "quantity_low",
    quantity_high = "quantity_high",
    /// `"IMO 9123456"`, a name, or `{"imo", "name", "flag"}`.
    vessel = "vessel",
    counterpart_vessel = "counterpart_vessel",
    transfer = "transfer",
    /// JSON: an object from role to party.
    parties = "parties",
    /// A port call's country.
    port = "port",
}

/// The columns CSV spreads a vessel or a party over, where JSON has one
/// object.
#[derive(Debug, Default, Clone)]
pub struct CsvCells<'a> {
    /// `vessel_imo`, `vessel_name`, `vessel_flag`.
    pub vessel: VesselCells<'a>,
    /// `counterpart_vessel_imo`, `…_name`, `…_flag`.
    pub counterpart: VesselCells<'a>,
    /// `party_<role>` and `party_<role>_country`, by [`PartyRole::ALL`] index.
    pub parties: [(Option<Field<'a>>, Option<Field<'a>>); 11],
}

impl CsvCells<'_> {
    /// A record without any of these columns.
    pub const NONE: CsvCells<'static> = CsvCells {
        vessel: VesselCells::NONE,
        counterpart: VesselCells::NONE,
        parties: [(None, None); 11],
    };
}

/// The field a JSON key that is no field seems to mean: the same name in
/// other case or spacing (`To`, `Contract Date`), or a usual other name
/// (`dest`, `qty`).
pub fn json_near_miss(key: &str) -> Option<&'static str> {
    // The same few extra keys (`notes`, `remarks`) come in every record of
    // an export: each is weighed against the fields once a thread (an edit
    // distance to every field name, some microseconds), then looked up. At
    // most `SEEN` keys are kept: a file of ever-new keys keeps no more.
    const SEEN: usize = 4096;
    thread_local! {
        static WEIGHED: std::cell::RefCell<std::collections::HashMap<Box<str>, Option<&'static str>>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    WEIGHED.with(|weighed| {
        if let Some(known) = weighed.borrow().get(key).copied() {
            return known;
        }
        let found = near_miss(key);
        let mut weighed = weighed.borrow_mut();
        if weighed.len() >= SEEN {
            weighed.clear();
        }
        weighed.insert(key.into(), found);
        found
    })
}

fn near_miss(key: &str) -> Option<&'static str> {
    let k = key.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    JSON_FIELDS
        .iter()
        .copied()
        .find(|f| *f == k)
        .or_else(|| super::read::column_suggestion(&k).filter(|f| JSON_FIELDS.contains(f)))
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
    /// The fields of an event object that is flat, with every value a
    /// string without escapes or `null` (most events), read without serde
    /// and without allocating; `None` for any other text, which serde then
    /// reads (and says where it is malformed). Where both read an object,
    /// they read the same fields.
    pub fn from_flat_json(text: &'a str) -> Option<Self> {
        let mut raw = RawEvent::default();
        raw.read_flat_json(text).then_some(raw)
    }

    /// [`RawEvent::from_flat_json`] into `self`, which starts empty: `false`
    /// (and `self` partly filled) for text it leaves to serde.
    pub fn read_flat_json(&mut self, text: &'a str) -> bool {
        self.flat_json(text).is_some()
    }

    fn flat_json(&mut self, text: &'a str) -> Option<()> {
        let b = text.as_bytes();
        if b.first() != Some(&b'{') {
            return None;
        }
        let raw = self;
        // The known fields seen, `null` or not: serde rejects a repeat.
        let mut seen = 0u32;
        let mut i = skip_ws(b, 1);
        if b.get(i) == Some(&b'}') {
            i += 1;
        } else {
            loop {
                let (key, next) = flat_string(text, i)?;
                i = skip_ws(b, next);
                if b.get(i) != Some(&b':') {
                    return None;
                }
                i = skip_ws(b, i + 1);
                let value = match (b.get(i)?, flat_string(text, i)) {
                    (_, Some((v, next))) => {
                        i = next;
                        Some(Field::Str(v))
                    }
                    (b'n', None) if b.get(i..i + 4) == Some(b"null") => {
                        i += 4;
                        None
                    }
                    _ => {
                        // Lists, objects, numbers, strings with escapes:
                        // serde reads the value alone, as it would in place
                        // (shallow values only, well within its depth limit).
                        let end = value_end(b, i)?;
                        let value = text.get(i..end)?;
                        i = end;
                        Some(Field::Json(serde_json::from_str(value).ok()?))
                    }
                };
                match raw.json_slot(key, value) {
                    Some(n) if seen & (1 << n) != 0 => return None,
                    Some(n) => seen |= 1 << n,
                    None => {
                        if let Some(f) = json_near_miss(key) {
                            raw.misnamed.push((Cow::Borrowed(key), f));
                        }
                    }
                }
                i = skip_ws(b, i);
                match b.get(i)? {
                    b',' => i = skip_ws(b, i + 1),
                    b'}' => {
                        i += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        b.get(i..)?
            .iter()
            .all(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
            .then_some(())
    }

    /// Set the field a JSON key names (as [`JsonEvent`] reads it) and say
    /// which it is; `None` for a key that is no field.
    fn json_slot(&mut self, key: &str, v: Option<Field<'a>>) -> Option<u32> {
        let key = Key::of(key)?;
        *self.field_mut(key) = v;
        Some(key as u32)
    }

    /// Set one of the [`CsvCells`], which are made when the first is given.
    fn set_cell(
        &mut self,
        at: impl for<'c> FnOnce(&'c mut CsvCells<'a>) -> &'c mut Option<Field<'a>>,
        v: Option<Field<'a>>,
    ) {
        if v.is_some() || self.cells.is_some() {
            *at(self.cells.get_or_insert_with(Default::default)) = v;
        }
    }

    /// Set a field by its column name (CSV); empty cells count as absent.
    pub fn set(&mut self, name: &str, cell: &'a str) {
        if let Some(column) = Column::of(name) {
            self.set_column(column, cell);
        }
    }

    /// Set the field a CSV column is (see [`Column::of`], found once a
    /// header); empty cells count as absent.
    pub fn set_column(&mut self, column: Column, cell: &'a str) {
        if super::validate::trim(cell).is_empty() {
            return;
        }
        let v = Some(Field::Text(cell));
        match column {
            Column::Field(key) => *self.field_mut(key) = v,
            Column::Vessel(which, part) => self.set_cell(
                |c| {
                    let vessel = if which == 0 {
                        &mut c.vessel
                    } else {
                        &mut c.counterpart
                    };
                    match part {
                        VesselPart::Imo => &mut vessel.imo,
                        VesselPart::Name => &mut vessel.name,
                        VesselPart::Flag => &mut vessel.flag,
                    }
                },
                v,
            ),
            Column::Party(i, country) => self.set_cell(
                |c| {
                    let (party, of) = &mut c.parties[usize::from(i) % 11];
                    if country {
                        of
                    } else {
                        party
                    }
                },
                v,
            ),
        }
    }
}

/// The event field a CSV column is, found once a header rather than from
/// its name in every row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// A field of its own (`id`, `quantity`, `vessel`, …).
    Field(Key),
    /// `vessel_imo`, `counterpart_vessel_flag`, …: the vessel (0) or the
    /// counterpart (1), and which of its parts.
    Vessel(u8, VesselPart),
    /// `party_<role>` or (`true`) `party_<role>_country`, by the role's
    /// [`PartyRole::ALL`] index.
    Party(u8, bool),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VesselPart {
    Imo,
    Name,
    Flag,
}

impl Column {
    /// The column of that name, `None` for one that is no event field.
    pub fn of(name: &str) -> Option<Column> {
        // `parties` is one JSON object; CSV gives a column a role.
        if name == "parties" {
            return None;
        }
        if let Some(key) = Key::of(name) {
            return Some(Column::Field(key));
        }
        let vessel = |which: u8, rest: &str| match rest {
            "imo" => Some(Column::Vessel(which, VesselPart::Imo)),
            "name" => Some(Column::Vessel(which, VesselPart::Name)),
            "flag" => Some(Column::Vessel(which, VesselPart::Flag)),
            _ => None,
        };
        if let Some(rest) = name.strip_prefix("counterpart_vessel_") {
            return vessel(1, rest);
        }
        if let Some(rest) = name.strip_prefix("vessel_") {
            return vessel(0, rest);
        }
        PartyRole::ALL
            .into_iter()
            .enumerate()
            .find_map(|(i, role)| {
                let i = u8::try_from(i).ok()?;
                if name == role.column() {
                    Some(Column::Party(i, false))
                } else if name == role.country_column() {
                    Some(Column::Party(i, true))
                } else {
                    None
                }
            })
    }
}

/// Past JSON white space from `i`.
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = b.get(i) {
        i += 1;
    }
    i
}

/// The bytes that end a run of plain string text: a quote, a backslash,
/// a control character. One table lookup a byte instead of three tests.
static STRING_STOPS: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = true;
        c += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// The [`STRING_STOPS`] bytes among the eight of `w` (little-endian): the
/// high bit of each byte set for a stop, by the zero-byte test of a word
/// for a quote, a backslash, and bytes below 0x20. The lowest bit set is
/// exact (bits above it may be set by a borrow), which is all that is used.
#[inline]
fn string_stops(w: u64) -> u64 {
    let control = w.wrapping_sub(ONES * 0x20) & !w;
    (quotes_and_backslashes(w) | control) & HIGH
}

/// A byte of 1 in each of the eight bytes of a word, and their high bits.
const ONES: u64 = u64::from_le_bytes([1; 8]);
const HIGH: u64 = u64::from_le_bytes([0x80; 8]);

/// The zero-byte tests for a quote and for a backslash among the eight
/// bytes of `w`, before masking with [`HIGH`].
#[inline]
fn quotes_and_backslashes(w: u64) -> u64 {
    let zero = |x: u64| x.wrapping_sub(ONES) & !x;
    zero(w ^ (ONES * u64::from(b'"'))) | zero(w ^ (ONES * u64::from(b'\\')))
}

/// The JSON string at `i` when it has no escapes and no control
/// characters (which JSON forbids), and where it ends.
fn flat_string(text: &str, i: usize) -> Option<(&str, usize)> {
    let b = text.as_bytes();
    if b.get(i) != Some(&b'"') {
        return None;
    }
    // Eight bytes at a time to the first stop (most strings end in their
    // first or second word), byte by byte in the last few bytes of the text.
    let mut end = i + 1;
    loop {
        match b.get(end..).and_then(<[u8]>::first_chunk::<8>) {
            Some(&word) => match string_stops(u64::from_le_bytes(word)) {
                0 => end += 8,
                stops => {
                    end += stops.trailing_zeros() as usize / 8;
                    break;
                }
            },
            None => {
                end += b
                    .get(end..)?
                    .iter()
                    .position(|&c| STRING_STOPS[usize::from(c)])?;
                break;
            }
        }
    }
    if b.get(end) != Some(&b'"') {
        return None;
    }
    Some((text.get(i + 1..end)?, end + 1))
}

/// Where the JSON value at `i` ends, when it is not a string without
/// escapes: a string, a list or object nested at most 32 deep, or a scalar
/// (up to the next delimiter). Only its extent is found here; serde checks
/// the value.
fn value_end(b: &[u8], i: usize) -> Option<usize> {
    let mut depth = 0u32;
    let mut j = i;
    loop {
        match *b.get(j)? {
            b'"' => {
                j += 1;
                loop {
                    match *b.get(j)? {
                        b'"' => break,
                        b'\\' => j += 2,
                        _ => j += 1,
                    }
                }
            }
            b'[' | b'{' => {
                depth += 1;
                if depth > 32 {
                    return None;
                }
            }
            b']' | b'}' if depth > 0 => depth -= 1,
            b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r' if depth == 0 => return Some(j),
            _ => {}
        }
        j += 1;
        // A string, list or object at the top ends with its last byte.
        if depth == 0 && matches!(b.get(j - 1), Some(b'"' | b']' | b'}')) {
            return Some(j);
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    /// Each field as validation sees it: a JSON string as its raw text.
    fn shown(r: &RawEvent) -> Vec<Option<String>> {
        let f = |v: Option<Field>| {
            v.map(|v| match v {
                Field::Json(raw) => raw.get().to_string(),
                Field::Str(s) => format!("\"{s}\""),
                Field::Text(t) => format!("text {t}"),
            })
        };
        r.fields().into_iter().map(|(_, v)| f(v)).collect()
    }

    #[test]
    fn a_near_miss_is_the_same_weighed_or_remembered() {
        for _ in 0..2 {
            assert_eq!(json_near_miss("To"), Some("to"));
            assert_eq!(json_near_miss("Contract Date"), Some("contract_date"));
            assert_eq!(json_near_miss("dest"), Some("to"));
            assert_eq!(json_near_miss("notes"), None);
        }
        // Past the keys it remembers, it forgets them and weighs again.
        for i in 0..4_200 {
            assert_eq!(json_near_miss(&format!("remark {i} zzzzzzzzzzzz")), None);
        }
        assert_eq!(json_near_miss("To"), Some("to"));
        assert_eq!(json_near_miss("notes"), None);
    }

    #[test]
    fn every_field_is_read_from_its_key_and_its_column() {
        let text = |r: &RawEvent| format!("{r:?}");
        let empty = text(&RawEvent::default());
        for (key, _) in RawEvent::default().fields() {
            // JSON: the key sets the field of that name and no other.
            let mut r = RawEvent::default();
            assert!(r.json_slot(key, Some(Field::Str("x"))).is_some(), "{key}");
            assert!(r.gives(key), "{key}");
            let given: Vec<_> = r
                .fields()
                .into_iter()
                .filter(|(_, v)| v.is_some())
                .collect();
            assert_eq!(given.len(), 1, "{key}");
            assert_eq!(given.first().map(|g| g.0), Some(key));
            // CSV: a column of that name, but for `parties` (one column a role).
            let mut r = RawEvent::default();
            r.set(key, "x");
            assert_eq!(text(&r) != empty, key != "parties", "{key}");
            let given: Vec<_> = r
                .fields()
                .into_iter()
                .filter(|(_, v)| v.is_some())
                .collect();
            if key != "parties" {
                assert_eq!(given.first().map(|g| g.0), Some(key), "{key}");
                assert_eq!(given.len(), 1, "{key}");
            }
            assert_eq!(FIELD_NAMES.contains(&key), key != "parties", "{key}");
        }
        // Every CSV column is read into some field, and the flat vessel
        // and party columns each into their own cell.
        let mut cells = std::collections::HashSet::new();
        for column in FIELD_NAMES {
            let mut r = RawEvent::default();
            r.set(column, "x");
            assert_ne!(text(&r), empty, "{column}");
            if r.fields().iter().all(|(_, v)| v.is_none()) {
                assert!(cells.insert(format!("{:?}", r.cells)), "{column}");
            }
        }
        assert_eq!(cells.len(), 6 + 2 * 11);
        let mut r = RawEvent::default();
        assert!(r.json_slot("notes", Some(Field::Str("x"))).is_none());
        assert!(!r.gives("notes"));
    }

    #[test]
    fn the_first_stop_of_a_word_is_found_exactly() {
        for filler in [b'a', b' ', 0x21, 0x7f, 0x80, 0xff] {
            for at in 0..8 {
                for c in 0..=255u8 {
                    let mut word = [filler; 8];
                    word[at] = c;
                    let first = word.iter().position(|&b| STRING_STOPS[usize::from(b)]);
                    let stops = string_stops(u64::from_le_bytes(word));
                    let found = (stops != 0).then(|| stops.trailing_zeros() as usize / 8);
                    assert_eq!(found, first, "{word:?}");
                }
            }
        }
        // Every string length around the word size, with a stop anywhere.
        for len in 0..20 {
            let plain = format!("\"{}\"", "x".repeat(len));
            assert_eq!(flat_string(&plain, 0), Some((&plain[1..=len], len + 2)));
            for at in 0..len {
                let mut escaped = plain.clone().into_bytes();
                escaped[1 + at] = b'\\';
                let escaped = String::from_utf8(escaped).unwrap();
                assert_eq!(flat_string(&escaped, 0), None, "{escaped}");
            }
        }
    }

    #[test]
    fn flat_objects_read_as_serde_reads_them() {
        let cases = [
            r#"{"id": "e0", "date": "2018-12-26", "commodity": "diesel", "hs": "271019", "quantity": "1198 t", "from": "CHN", "to": "IND", "price": "58.33 USD/bbl", "source": "synthetic"}"#,
            r#"{"id":"a","type":"report","reporter":"CHN","covers":"x; y","evidence":"customs","port":"RUS","vessel":"IMO 9074729","parties":"x","transfer":"sts","via":"ARE","exemptions":"e","loaded":"2023-01-01","delivered":"2023-01-02","contract_date":"2022-01-01","nomenclature":"hts","value":"1 USD","quantity_low":"1 t","quantity_high":"2 t","counterpart_vessel":"B"}"#,
            "{}",
            " {}",
            "{ }  \r\n",
            "{\t\"id\" :\"a\" , \"unknown\": \"x\", \"unknown\": null, \"date\": null}\n",
            r#"{"id": "  spaced  ", "from": "ü café"}"#,
            r#"{"id": "a\"b", "via": ["NLD", "A\u0042"], "quantity": 5.5e3, "vessel": {"imo": "1", "x": [1, {"y": null}]}, "covers": [], "n": true, "m": -1}"#,
            r#"{"id":"r41","covers":["e41"],"date":"2022-01-28","x":{"a":"}"},"y":"]"}"#,
            r#"{"id": false, "parties": {}, "port": "x\\", "to": [ "a" , "b" ] }"#,
        ];
        for text in cases {
            let serde: Option<RawEvent> = serde_json::from_str::<JsonEvent>(text)
                .ok()
                .map(RawEvent::from_json);
            let flat = RawEvent::from_flat_json(text);
            if text.starts_with('{') {
                assert!(serde.is_some(), "{text}");
                assert!(flat.is_some(), "{text}");
                assert_eq!(shown(&serde.unwrap()), shown(&flat.unwrap()), "{text}");
            } else {
                assert!(flat.is_none(), "{text}");
            }
        }
    }

    #[test]
    fn anything_else_is_left_to_serde() {
        let cases = [
            r#"{"i\u0064": "a"}"#,
            r#"{"quantity": 5 6}"#,
            r#"{"quantity": 05}"#,
            r#"{"vessel": {"imo": "1",}}"#,
            r#"{"covers": ["a"]]}"#,
            r#"{"covers": ["a\x"]}"#,
            r#"{"id": tru}"#,
            "{\"deep\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
            r#"{"id": "a", "id": "b"}"#,
            r#"{"id": null, "id": "b"}"#,
            r#"{"id": "a",}"#,
            r#"{"id": "a"} x"#,
            r#"{"id": "a"}}"#,
            r#"{"id": "a" "date": "b"}"#,
            r#"{"id" "a"}"#,
            r#"{"id": nul}"#,
            r#"{"id": "a"#,
            "{\"id\": \"a\tb\"}",
            r#"{id: "a"}"#,
            "{",
            "[]",
        ];
        for text in cases {
            assert!(RawEvent::from_flat_json(text).is_none(), "{text}");
        }
    }
}
