//! Readers for the list formats. A malformed entry is skipped with a
//! [`LoadProblem`] giving its line and column; reading goes on with the
//! next one, so one bad line never hides the rest of a list.

use super::{Entry, Format, List, Spec};
use chrono::NaiveDate;
use std::path::Path;

/// A problem with one part of a list file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadProblem {
    /// Byte offset in the file.
    pub offset: usize,
    pub len: usize,
    pub message: String,
    pub help: Option<String>,
}

/// What reading a list gives: the list, what was wrong in it, and the
/// file's text (for showing the problems in place).
pub struct Loaded {
    pub list: List,
    pub problems: Vec<LoadProblem>,
    pub text: String,
}

/// Read the list a declaration names from `file`. `Err`: the file cannot
/// be read at all (missing, unreadable, not UTF-8).
pub fn load(name: &str, spec: &Spec, file: &Path) -> Result<Loaded, String> {
    let bytes = std::fs::read(file).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            format!("the list file `{}` does not exist", file.display())
        }
        _ => format!("cannot read the list file `{}`: {e}", file.display()),
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "the list file `{}` is not UTF-8 text (invalid byte at offset {})",
            file.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    let mut problems = Vec::new();
    let all = match spec.format {
        Format::UnXml => un_xml(&text, &mut problems),
        Format::OpenSanctions => opensanctions(&text, &mut problems),
        Format::Ftm => ftm(&text, spec, &mut problems),
        Format::Csv => plain_csv(&text, &mut problems),
    };
    let total = all.len();
    let entries: Vec<Entry> = all
        .into_iter()
        .filter(|(e, datasets)| keep(spec, e, datasets))
        .map(|(e, _)| e)
        .collect();
    let filtered_out = total - entries.len();
    Ok(Loaded {
        list: List::new(
            name.to_string(),
            spec.clone(),
            file.to_path_buf(),
            entries,
            filtered_out,
        ),
        problems,
        text,
    })
}

/// Does the declaration's filter keep this entry?
fn keep(spec: &Spec, e: &Entry, datasets: &[String]) -> bool {
    (spec.references.is_empty()
        || spec
            .references
            .iter()
            .any(|p| e.reference.starts_with(p.as_str())))
        && (spec.datasets.is_empty() || datasets.iter().any(|d| spec.datasets.contains(d)))
        && (spec.schemata.is_empty()
            || e.schema.as_ref().is_some_and(|s| spec.schemata.contains(s)))
}

fn problem(offset: usize, len: usize, message: String, help: Option<&str>) -> LoadProblem {
    LoadProblem {
        offset,
        len,
        message,
        help: help.map(str::to_string),
    }
}

/// `2009-04-24`, or a date and time whose date is used.
fn date(t: &str) -> Option<NaiveDate> {
    let t = t.trim();
    NaiveDate::parse_from_str(t.get(..10).unwrap_or(t), "%Y-%m-%d").ok()
}

/// IMO numbers in a text: `IMO 8660313`, `IMO8660313`, or a bare
/// seven-digit number with a valid check digit.
fn imos_in(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let after_imo = i >= 3 && b[i - 3..i].eq_ignore_ascii_case(b"imo");
        if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_alphanumeric() || after_imo) {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let after_ok = i == b.len() || !b[i].is_ascii_alphanumeric();
            if i - start == 7 && after_ok {
                if let Ok(n) = crate::roles::parse_imo(&text[start..i]) {
                    if !out.contains(&n) {
                        out.push(n);
                    }
                }
            }
            continue;
        }
        i += 1;
    }
    out
}

// ------------------------------------------------------------------ UN XML

/// The UN Consolidated List: `INDIVIDUAL` and `ENTITY` records with
/// `FIRST_NAME` … `FOURTH_NAME`, `REFERENCE_NUMBER`, `LISTED_ON`, aliases
/// (`ALIAS_NAME`), and IMO numbers mentioned in `OTHER_INFORMATION`.
fn un_xml(text: &str, problems: &mut Vec<LoadProblem>) -> Vec<(Entry, Vec<String>)> {
    use quick_xml::events::Event as X;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut out = Vec::new();
    let mut cur: Option<(Entry, Vec<String>, usize)> = None;
    let mut name_parts: Vec<String> = Vec::new();
    let mut buf = String::new();
    let mut field_at = 0usize;
    let mut lines = Lines::new(text);
    loop {
        let at = reader.buffer_position() as usize;
        match reader.read_event() {
            Ok(X::Start(e)) => {
                let tag = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                buf.clear();
                field_at = at;
                if tag == "INDIVIDUAL" || tag == "ENTITY" {
                    let schema = if tag == "INDIVIDUAL" {
                        "Person"
                    } else {
                        "Organization"
                    };
                    cur = Some((
                        Entry {
                            reference: String::new(),
                            name: String::new(),
                            aliases: Vec::new(),
                            imo: Vec::new(),
                            listed_on: None,
                            delisted_on: None,
                            schema: Some(schema.to_string()),
                            line: 0,
                        },
                        Vec::new(),
                        at,
                    ));
                    name_parts.clear();
                }
            }
            Ok(X::Text(t)) => match t.decode() {
                Ok(s) => buf.push_str(&s),
                Err(e) => problems.push(problem(
                    at,
                    1,
                    format!("unreadable text in the XML: {e}"),
                    None,
                )),
            },
            Ok(X::CData(t)) => buf.push_str(&String::from_utf8_lossy(&t)),
            Ok(X::GeneralRef(r)) => {
                let name = String::from_utf8_lossy(r.as_ref()).into_owned();
                match r.resolve_char_ref() {
                    Ok(Some(c)) => buf.push(c),
                    _ => match name.as_str() {
                        "amp" => buf.push('&'),
                        "lt" => buf.push('<'),
                        "gt" => buf.push('>'),
                        "quot" => buf.push('"'),
                        "apos" => buf.push('\''),
                        other => problems.push(problem(
                            at,
                            other.len() + 2,
                            format!("unknown XML entity `&{other};`"),
                            None,
                        )),
                    },
                }
            }
            Ok(X::End(e)) => {
                let tag = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let value = buf.trim().to_string();
                buf.clear();
                if tag == "INDIVIDUAL" || tag == "ENTITY" {
                    if let Some((mut entry, datasets, start)) = cur.take() {
                        entry.name = name_parts.join(" ");
                        entry.line = lines.of(start);
                        if entry.reference.is_empty() {
                            problems.push(problem(
                                start,
                                tag.len() + 2,
                                format!(
                                    "a UN list {} without a `REFERENCE_NUMBER`; it is skipped",
                                    tag.to_lowercase()
                                ),
                                Some("every UN list entry has a reference such as `KPe.020`"),
                            ));
                        } else if entry.name.is_empty() {
                            problems.push(problem(
                                start,
                                tag.len() + 2,
                                format!(
                                    "UN list entry `{}` has no name; it is skipped",
                                    entry.reference
                                ),
                                None,
                            ));
                        } else {
                            out.push((entry, datasets));
                        }
                    }
                    continue;
                }
                let Some((entry, _, _)) = cur.as_mut() else {
                    continue;
                };
                match tag.as_str() {
                    "FIRST_NAME" | "SECOND_NAME" | "THIRD_NAME" | "FOURTH_NAME" if !value.is_empty() => {
                        name_parts.push(value)
                    }
                    "REFERENCE_NUMBER" => entry.reference = value,
                    "LISTED_ON" => match date(&value) {
                        Some(d) => entry.listed_on = Some(d),
                        None => problems.push(problem(
                            field_at,
                            value.len().max(1),
                            format!("`LISTED_ON` `{value}` is not a date"),
                            Some("dates in the UN list are written YYYY-MM-DD; the entry is kept as listed on every day"),
                        )),
                    },
                    "ALIAS_NAME" if !value.is_empty() => entry.aliases.push(value),
                    "OTHER_INFORMATION" | "NOTE" => {
                        for n in imos_in(&value) {
                            if !entry.imo.contains(&n) {
                                entry.imo.push(n);
                            }
                        }
                    }
                    _ => {}
                }
            }
            Ok(X::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                let pos = (reader.error_position() as usize).min(text.len());
                problems.push(problem(
                    pos,
                    1,
                    format!(
                        "the XML is malformed here ({e}); entries after this point are not read"
                    ),
                    Some("the file may be cut off or edited by hand; download the list again"),
                ));
                break;
            }
        }
    }
    out
}

/// Line numbers of offsets that only grow (entries in file order),
/// counted incrementally: each byte of the file is looked at once.
struct Lines<'t> {
    text: &'t str,
    at: usize,
    line: u32,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        Lines {
            text,
            at: 0,
            line: 1,
        }
    }

    /// The 1-based line of `offset` (an offset before the last one asked
    /// about is counted from the start again).
    fn of(&mut self, offset: usize) -> u32 {
        let o = offset.min(self.text.len());
        if o < self.at {
            self.at = 0;
            self.line = 1;
        }
        self.line += memchr::memchr_iter(b'\n', &self.text.as_bytes()[self.at..o]).count() as u32;
        self.at = o;
        self.line
    }
}

// ------------------------------------------------------------------- CSV

/// The byte range of cell `col` of the CSV line starting at `start`.
fn cell_range(text: &str, start: usize, col: usize) -> (usize, usize) {
    let b = text.as_bytes();
    let mut i = start;
    let mut n = 0;
    let mut cell_start = start;
    let mut quoted = false;
    while i < b.len() {
        match b[i] {
            b'"' => quoted = !quoted,
            b',' if !quoted => {
                if n == col {
                    return (cell_start, i);
                }
                n += 1;
                cell_start = i + 1;
            }
            b'\n' | b'\r' if !quoted => break,
            _ => {}
        }
        i += 1;
    }
    if n == col {
        (cell_start, i)
    } else {
        (start, start)
    }
}

/// Read a CSV with a header row; call `row` for each record with its
/// fields by (lower-case) column name and the record's byte offset.
fn csv_rows(
    text: &str,
    problems: &mut Vec<LoadProblem>,
    mut row: impl FnMut(&dyn Fn(&str) -> Option<(String, usize, usize)>, usize, &mut Vec<LoadProblem>),
) -> Option<Vec<String>> {
    // `#` lines carry a file's provenance (where and when it was taken).
    let mut r = csv::ReaderBuilder::new()
        .flexible(false)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match r.headers() {
        Ok(h) => h
            .iter()
            .map(|c| c.trim().trim_start_matches('\u{FEFF}').to_ascii_lowercase())
            .collect(),
        Err(e) => {
            problems.push(problem(
                0,
                1,
                format!("cannot read the header row: {e}"),
                None,
            ));
            return None;
        }
    };
    let mut rec = csv::StringRecord::new();
    loop {
        match r.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let mut start = rec.position().map_or(0, |p| p.byte() as usize);
                // The reader's position of a record after `#` lines is the
                // first of them: step over them to the record itself.
                while text.get(start..).is_some_and(|t| t.starts_with('#')) {
                    start = text[start..]
                        .find('\n')
                        .map_or(text.len(), |n| start + n + 1);
                }
                let get = |name: &str| {
                    let col = headers.iter().position(|h| h == name)?;
                    let v = rec.get(col)?.trim();
                    if v.is_empty() {
                        return None;
                    }
                    let (s, e) = cell_range(text, start, col);
                    Some((v.to_string(), s, e))
                };
                row(&get, start, problems);
            }
            Err(e) => {
                let at = e.position().map_or(0, |p| p.byte() as usize);
                let why = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => {
                        format!(
                            "this row has {len} cells, the header {expected_len}; it is skipped"
                        )
                    }
                    _ => format!("unreadable row ({e}); it is skipped"),
                };
                let end = text[at.min(text.len())..]
                    .find('\n')
                    .map_or(text.len(), |n| at + n);
                problems.push(problem(
                    at,
                    end.saturating_sub(at).max(1),
                    why,
                    Some("quote cells that contain commas"),
                ));
            }
        }
    }
    Some(headers)
}

/// The plain CSV: `name, imo, listed_on, delisted_on, reference`, and
/// optionally `aliases` (`;`-separated) and `schema`; lines that begin
/// with `#` are comments.
fn plain_csv(text: &str, problems: &mut Vec<LoadProblem>) -> Vec<(Entry, Vec<String>)> {
    let mut out = Vec::new();
    let mut lines = Lines::new(text);
    let headers = csv_rows(text, problems, |get, start, problems| {
        let line = lines.of(start);
        let mut bad = false;
        let mut day = |col: &str, problems: &mut Vec<LoadProblem>| -> Option<NaiveDate> {
            let (v, s, e) = get(col)?;
            match NaiveDate::parse_from_str(&v, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    problems.push(problem(
                        s,
                        e - s,
                        format!("`{col}` `{v}` is not a date; the entry is skipped"),
                        Some("dates are written YYYY-MM-DD"),
                    ));
                    bad = true;
                    None
                }
            }
        };
        let listed_on = day("listed_on", problems);
        let delisted_on = day("delisted_on", problems);
        let mut imo = Vec::new();
        if let Some((v, s, e)) = get("imo") {
            match crate::roles::parse_imo(&v) {
                Ok(n) => imo.push(n),
                Err(_) => {
                    problems.push(problem(
                        s,
                        e - s,
                        format!("`imo` `{v}` is not a valid IMO number; the entry is skipped"),
                        Some("seven digits, the last a check digit of the first six"),
                    ));
                    bad = true;
                }
            }
        }
        let name = get("name").map(|v| v.0).unwrap_or_default();
        if name.is_empty() && imo.is_empty() && !bad {
            let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
            problems.push(problem(
                start,
                end - start,
                "an entry with neither `name` nor `imo`; it is skipped".into(),
                None,
            ));
            return;
        }
        if let (Some(a), Some(b)) = (listed_on, delisted_on) {
            if b < a {
                let (_, s, e) = get("delisted_on").unwrap_or_default();
                problems.push(problem(
                    s,
                    e - s,
                    format!("delisted ({b}) before it was listed ({a}); the entry is skipped"),
                    None,
                ));
                bad = true;
            }
        }
        if bad {
            return;
        }
        let reference = get("reference")
            .map(|v| v.0)
            .unwrap_or_else(|| format!("line {line}"));
        let aliases = get("aliases")
            .map(|v| {
                v.0.split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        out.push((
            Entry {
                reference,
                name,
                aliases,
                imo,
                listed_on,
                delisted_on,
                schema: get("schema").map(|v| v.0),
                line,
            },
            Vec::new(),
        ));
    });
    if let Some(h) = headers {
        if !h.iter().any(|c| c == "name") && !h.iter().any(|c| c == "imo") {
            problems.push(problem(
                0,
                text.find('\n').unwrap_or(text.len()),
                "the header row names neither `name` nor `imo`".into(),
                Some("a plain list has the columns name, imo, listed_on, delisted_on, reference"),
            ));
        }
    }
    out
}

/// OpenSanctions `targets.simple.csv`: `id, schema, name, aliases, …,
/// identifiers, …, dataset, first_seen, …`. It gives no listing date, so
/// its entries count as listed on every day.
fn opensanctions(text: &str, problems: &mut Vec<LoadProblem>) -> Vec<(Entry, Vec<String>)> {
    let mut out = Vec::new();
    let mut lines = Lines::new(text);
    let headers = csv_rows(text, problems, |get, start, problems| {
        let Some((id, _, _)) = get("id") else {
            let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
            problems.push(problem(
                start,
                end - start,
                "a row without an `id`; it is skipped".into(),
                None,
            ));
            return;
        };
        let Some((name, _, _)) = get("name") else {
            let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
            problems.push(problem(
                start,
                end - start,
                format!("entry `{id}` has no `name`; it is skipped"),
                None,
            ));
            return;
        };
        let split = |v: Option<(String, usize, usize)>| -> Vec<String> {
            v.map(|v| {
                v.0.split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
        };
        let aliases = split(get("aliases"));
        let datasets = split(get("dataset"));
        let imo = get("identifiers")
            .map(|v| imos_in(&v.0))
            .unwrap_or_default();
        out.push((
            Entry {
                reference: id,
                name,
                aliases,
                imo,
                listed_on: None,
                delisted_on: None,
                schema: get("schema").map(|v| v.0),
                line: lines.of(start),
            },
            datasets,
        ));
    });
    if let Some(h) = headers {
        for need in ["id", "name"] {
            if !h.iter().any(|c| c == need) {
                problems.push(problem(0, text.find('\n').unwrap_or(text.len()), format!("the header row has no `{need}` column, so this is not a targets.simple.csv"), None));
            }
        }
    }
    out
}

/// FollowTheMoney entities, one JSON object per line: `id`, `schema`,
/// `properties` (`name`, `alias`, `weakAlias`, `previousName`, `imoNumber`,
/// `registrationNumber`, `listingDate`/`startDate`, `endDate`), `datasets`.
fn ftm(text: &str, _spec: &Spec, problems: &mut Vec<LoadProblem>) -> Vec<(Entry, Vec<String>)> {
    #[derive(serde::Deserialize)]
    struct Ftm {
        id: Option<String>,
        schema: Option<String>,
        #[serde(default)]
        properties: std::collections::BTreeMap<String, Vec<serde_json::Value>>,
        #[serde(default)]
        datasets: Vec<String>,
    }
    let mut out = Vec::new();
    let mut lines = Lines::new(text);
    let mut offset = 0usize;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if line.trim().is_empty() {
            continue;
        }
        let e: Ftm = match serde_json::from_str(line) {
            Ok(e) => e,
            Err(err) => {
                let col = err.column().saturating_sub(1);
                let at = start + line.char_indices().nth(col).map_or(line.len(), |(i, _)| i);
                problems.push(problem(
                    at,
                    1,
                    format!("not a FollowTheMoney entity ({err}); the line is skipped"),
                    Some("each line is one JSON object with `id`, `schema` and `properties`"),
                ));
                continue;
            }
        };
        let strings = |k: &str| -> Vec<String> {
            e.properties
                .get(k)
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        };
        let Some(id) = e.id.clone() else {
            problems.push(problem(
                start,
                line.len(),
                "an entity without an `id`; it is skipped".into(),
                None,
            ));
            continue;
        };
        let names = strings("name");
        let Some(name) = names.first().cloned() else {
            problems.push(problem(
                start,
                line.len(),
                format!("entity `{id}` has no `name`; it is skipped"),
                None,
            ));
            continue;
        };
        let mut aliases: Vec<String> = names.into_iter().skip(1).collect();
        for k in ["alias", "weakAlias", "previousName"] {
            aliases.extend(strings(k));
        }
        let mut imo = Vec::new();
        for k in ["imoNumber", "registrationNumber"] {
            for v in strings(k) {
                for n in imos_in(&v) {
                    if !imo.contains(&n) {
                        imo.push(n);
                    }
                }
            }
        }
        let first_date = |keys: &[&str]| {
            keys.iter()
                .flat_map(|k| strings(k))
                .filter_map(|v| date(&v))
                .min()
        };
        out.push((
            Entry {
                reference: id,
                name,
                aliases,
                imo,
                listed_on: first_date(&["listingDate", "startDate"]),
                delisted_on: first_date(&["endDate"]),
                schema: e.schema.clone(),
                line: lines.of(start),
            },
            e.datasets.clone(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imo_numbers_in_text() {
        assert_eq!(imos_in("IMO 8660313; reg 1234"), [8_660_313]);
        assert_eq!(imos_in("IMO8660313"), [8_660_313]);
        assert_eq!(imos_in("8660314"), Vec::<u32>::new());
        assert_eq!(imos_in("A8660313"), Vec::<u32>::new());
    }
}
