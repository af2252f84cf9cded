//! Readers: JSON arrays, NDJSON (streamed line by line, never held whole)
//! and CSV. Each record is handed to a callback with its location.

use super::fields::{JsonEvent, RawEvent, FIELD_NAMES};
use super::{codes, Effect, EventDiagnostic, EventLoc};
use crate::diagnostic::Severity;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Json,
    Ndjson,
    Csv,
}

impl InputFormat {
    /// The format an input's name implies (`-` is standard input, NDJSON).
    pub fn from_name(name: &str) -> Option<InputFormat> {
        if name == "-" {
            return Some(InputFormat::Ndjson);
        }
        let ext = Path::new(name).extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(InputFormat::Json),
            "ndjson" | "jsonl" => Some(InputFormat::Ndjson),
            "csv" => Some(InputFormat::Csv),
            _ => None,
        }
    }
}

/// How to read CSV: the delimiter, when not detected from the header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CsvOptions {
    pub delimiter: Option<u8>,
}

/// One event input of a run.
#[derive(Debug, Clone)]
pub struct Input {
    /// As the user named it (`-` for standard input).
    pub name: String,
    /// The file, when it can be read again (not for standard input).
    pub path: Option<PathBuf>,
    pub format: InputFormat,
    /// CSV: the header's columns, as written.
    pub columns: Vec<String>,
    pub csv: CsvOptions,
}

impl Input {
    /// An input read from `path` (`None`: standard input) in `format`.
    pub fn new(name: impl Into<String>, path: Option<PathBuf>, format: InputFormat) -> Self {
        Input {
            name: name.into(),
            path,
            format,
            columns: Vec::new(),
            csv: CsvOptions::default(),
        }
    }
}

/// One record as read: its fields, where it is, and its text.
pub struct Record<'a> {
    pub raw: RawEvent<'a>,
    pub loc: EventLoc,
    pub text: &'a str,
}

/// What a reader hands on: a record to validate, or a record that could not
/// be read at all (it is rejected, and still counted).
// Items are handed over one at a time, never stored, so the size of the
// record variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum Item<'a> {
    Record(Record<'a>),
    Malformed(Box<EventDiagnostic>),
    /// A remark about the input, not about one event (a CSV column that is
    /// not an event field): shown, and no event is counted.
    Note(Box<EventDiagnostic>),
}

fn malformed(
    loc: EventLoc,
    message: String,
    help: &str,
    text: Option<&str>,
) -> Box<EventDiagnostic> {
    Box::new(EventDiagnostic {
        code: codes::MALFORMED,
        severity: Severity::Error,
        message,
        help: Some(help.to_string()),
        loc,
        field: None,
        event_id: None,
        effect: Effect::Rejected,
        rule: None,
        text: text.map(|t| t.chars().take(4096).collect()),
    })
}

/// Parse one JSON object's text into a record (or say why it is not one).
fn json_record<'a>(text: &'a str, loc: EventLoc) -> Item<'a> {
    // serde would also read a struct from a JSON list; an event is an object.
    if !text.starts_with('{') {
        return Item::Malformed(malformed(
            loc,
            "expected an event object `{…}`".to_string(),
            "each event is one JSON object, e.g. {\"id\": \"a1\", \"date\": \"2023-01-31\", …}",
            Some(text),
        ));
    }
    match serde_json::from_str::<JsonEvent>(text) {
        Ok(j) => Item::Record(Record {
            raw: RawEvent::from_json(j),
            loc,
            text,
        }),
        Err(e) => {
            let what = if text.trim_start().starts_with('{') {
                format!("malformed JSON: {e}")
            } else {
                "expected an event object `{…}`".to_string()
            };
            // Point at the place serde stopped, within the record.
            let mut at = loc;
            if e.line() > 1 {
                at.line = loc.line + e.line() as u32 - 1;
                at.column = e.column() as u32;
            } else if e.column() > 0 {
                at.column = loc.column + e.column() as u32 - 1;
            }
            Item::Malformed(malformed(
                at,
                what,
                "each event is one JSON object, e.g. {\"id\": \"a1\", \"date\": \"2023-01-31\", …}",
                Some(text),
            ))
        }
    }
}

/// Read an input; `progress` is told how many bytes have been read so far.
/// Returns an error only when the input cannot be read at all.
pub fn read(
    index: u32,
    input: &mut Input,
    reader: impl Read,
    mut on_item: impl FnMut(Item),
    mut progress: impl FnMut(u64),
) -> Result<(), String> {
    match input.format {
        InputFormat::Ndjson => read_ndjson(index, reader, &mut on_item, &mut progress),
        InputFormat::Json => {
            let text = read_whole(&input.name, reader, &mut progress)?;
            read_json_array(index, &input.name, &text, &mut on_item)
        }
        InputFormat::Csv => read_csv(index, input, reader, &mut on_item, &mut progress),
    }
}

/// Lines of an input with their numbers and offsets; lines looked at ahead
/// (to see whether an object goes on over several lines) can be put back.
struct Lines<R> {
    reader: std::io::BufReader<R>,
    line: u32,
    offset: u64,
    back: std::collections::VecDeque<(Vec<u8>, u32, u64)>,
}

impl<R: Read> Lines<R> {
    /// The next line (without its line ending), its number and offset.
    fn next(&mut self, buf: &mut Vec<u8>) -> Result<Option<(u32, u64)>, String> {
        if let Some((b, line, offset)) = self.back.pop_front() {
            *buf = b;
            return Ok(Some((line, offset)));
        }
        buf.clear();
        let n = self
            .reader
            .read_until(b'\n', buf)
            .map_err(|e| format!("read error after line {}: {e}", self.line))?;
        if n == 0 {
            return Ok(None);
        }
        self.line += 1;
        let start = self.offset;
        self.offset += n as u64;
        while let [.., b'\n' | b'\r'] = buf[..] {
            buf.pop();
        }
        Ok(Some((self.line, start)))
    }
}

/// At most this many lines are joined to find the end of an object that a
/// pretty-printer spread over several lines of an NDJSON file.
const MAX_JOINED_LINES: usize = 10_000;
const MAX_JOINED_BYTES: usize = 1 << 20;

/// Does `text` start with a JSON value that ends on a later line, so that
/// this line alone is a truncated object?
fn ends_early(text: &str) -> bool {
    text.starts_with('{')
        && serde_json::from_str::<serde::de::IgnoredAny>(text).is_err_and(|e| e.is_eof())
}

fn read_ndjson(
    index: u32,
    reader: impl Read,
    on_item: &mut impl FnMut(Item),
    progress: &mut impl FnMut(u64),
) -> Result<(), String> {
    let mut lines = Lines {
        reader: std::io::BufReader::with_capacity(1 << 16, reader),
        line: 0,
        offset: 0,
        back: Default::default(),
    };
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    while let Some((line, start)) = lines.next(&mut buf)? {
        if line % 4096 == 0 {
            progress(lines.offset);
        }
        // A byte-order mark is not part of the first record.
        let bom = if line == 1 && buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
            3
        } else {
            0
        };
        let bytes = &buf[bom..];
        let lead = bytes
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        if lead == bytes.len() {
            continue; // blank lines are not events
        }
        let loc = EventLoc {
            input: index,
            line,
            column: lead as u32 + 1,
            offset: start + (bom + lead) as u64,
            len: (bytes.len() - lead) as u32,
        };
        match std::str::from_utf8(&bytes[lead..]) {
            Ok(text) if ends_early(text) => {
                let owned = text.to_string();
                match joined_object(&mut lines, owned.clone(), loc)? {
                    Some(item) => on_item(item),
                    None => on_item(json_record(&owned, loc)),
                }
            }
            Ok(text) => on_item(json_record(text, loc)),
            Err(e) => on_item(Item::Malformed(malformed(
                loc,
                format!(
                    "the line is not UTF-8 text (invalid byte at column {})",
                    e.valid_up_to() + 1
                ),
                "save the file as UTF-8",
                None,
            ))),
        }
    }
    Ok(())
}

/// An object spread over several lines of an NDJSON file (a pretty-printed
/// export): one diagnostic for the whole object, not one per line. `None`
/// when the following lines do not complete an object (they are put back
/// and read as lines of their own).
fn joined_object<R: Read>(
    lines: &mut Lines<R>,
    first: String,
    loc: EventLoc,
) -> Result<Option<Item<'static>>, String> {
    let mut joined = first;
    let mut taken: Vec<(Vec<u8>, u32, u64)> = Vec::new();
    let mut buf = Vec::new();
    while taken.len() < MAX_JOINED_LINES && joined.len() < MAX_JOINED_BYTES {
        let Some((line, offset)) = lines.next(&mut buf)? else {
            break;
        };
        taken.push((buf.clone(), line, offset));
        joined.push('\n');
        joined.push_str(&String::from_utf8_lossy(&buf));
        let mut values =
            serde_json::Deserializer::from_str(&joined).into_iter::<serde::de::IgnoredAny>();
        match values.next() {
            Some(Ok(_)) => {
                let last = line;
                let d = EventDiagnostic {
                    code: codes::MULTILINE_RECORD,
                    severity: Severity::Error,
                    message: format!(
                        "this event spreads over lines {}–{last}; NDJSON needs each event on one line",
                        loc.line
                    ),
                    help: Some("write one object per line (`jq -c '.[]' events.json` does), or, if the file is a JSON array, name it .json or pass `--input-format json`".into()),
                    loc,
                    field: None,
                    event_id: None,
                    effect: Effect::Rejected,
                    rule: None,
                    text: None,
                };
                return Ok(Some(Item::Malformed(Box::new(d))));
            }
            Some(Err(e)) if e.is_eof() => continue,
            _ => break,
        }
    }
    // Not one object after all: read the lines looked at as they are.
    for t in taken.into_iter().rev() {
        lines.back.push_front(t);
    }
    Ok(None)
}

/// An input read whole, as UTF-8 text.
fn read_whole(
    name: &str,
    reader: impl Read,
    progress: &mut impl FnMut(u64),
) -> Result<String, String> {
    let mut bytes = Vec::new();
    std::io::BufReader::new(reader)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read `{name}`: {e}"))?;
    progress(bytes.len() as u64);
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "`{name}` is not UTF-8 text (invalid byte at offset {}); save it as UTF-8",
            e.utf8_error().valid_up_to()
        )
    })
}

/// Line and column of a byte offset, counting from a known earlier point.
struct LineCounter<'a> {
    text: &'a str,
    pos: usize,
    line: u32,
    line_start: usize,
}

impl LineCounter<'_> {
    fn advance(&mut self, to: usize) -> (u32, u32) {
        let to = to.min(self.text.len());
        for (i, b) in self.text.as_bytes()[self.pos..to].iter().enumerate() {
            if *b == b'\n' {
                self.line += 1;
                self.line_start = self.pos + i + 1;
            }
        }
        self.pos = to;
        let col = self
            .text
            .get(self.line_start..to)
            .map_or(1, |s| s.chars().count() + 1);
        (self.line, col as u32)
    }
}

fn read_json_array(
    index: u32,
    name: &str,
    text: &str,
    on_item: &mut impl FnMut(Item),
) -> Result<(), String> {
    let position = |at: usize| {
        LineCounter {
            text,
            pos: 0,
            line: 1,
            line_start: 0,
        }
        .advance(at)
    };
    let (elements, end) = match super::scan::split_array(text) {
        super::scan::ArrayScan::Elements(e, end) => (e, end),
        super::scan::ArrayScan::NotAnArray(at) => {
            let rest = &text[at..];
            if rest.starts_with('{') {
                // One object: one event, however it is laid out.
                if serde_json::from_str::<&serde_json::value::RawValue>(rest).is_ok() {
                    let (line, column) = position(at);
                    let loc = EventLoc {
                        input: index,
                        line,
                        column,
                        offset: at as u64,
                        len: rest.trim_end().len() as u32,
                    };
                    on_item(json_record(rest.trim_end(), loc));
                    return Ok(());
                }
                // One object per line in a `.json` file: read it as NDJSON.
                return read_ndjson(index, text.as_bytes(), on_item, &mut |_| {});
            }
            let (line, col) = position(at);
            return Err(format!(
                "`{name}` is not a JSON array of events (line {line}, column {col}); use `--input-format` if it is NDJSON or CSV"
            ));
        }
    };
    let mut lc = LineCounter {
        text,
        pos: 0,
        line: 1,
        line_start: 0,
    };
    for (s, e) in elements {
        let (line, column) = lc.advance(s);
        let loc = EventLoc {
            input: index,
            line,
            column,
            offset: s as u64,
            len: (e - s) as u32,
        };
        on_item(json_record(&text[s..e], loc));
    }
    // Events that could be read were evaluated; the rest of the file could
    // not be, and that fails the run rather than passing silently.
    match end {
        None => Ok(()),
        Some(super::scan::ArrayEnd::Unclosed) => Err(format!(
            "`{name}` ends before its array is closed with `]`; the events before the end were read"
        )),
        Some(super::scan::ArrayEnd::TextAfter(at)) => {
            let (line, col) = position(at);
            Err(format!(
                "`{name}` has more text after its array of events (line {line}, column {col}); join the arrays into one, or use NDJSON"
            ))
        }
    }
}

fn read_csv(
    index: u32,
    input: &mut Input,
    reader: impl Read,
    on_item: &mut impl FnMut(Item),
    progress: &mut impl FnMut(u64),
) -> Result<(), String> {
    // A CSV file is read whole (spreadsheet exports are modest), so that
    // line numbers come from byte offsets: the csv crate's own line count
    // is off for CRLF files.
    let text = read_whole(&input.name, reader, progress)?;
    let mut lines = LineCounter {
        text: &text,
        pos: 0,
        line: 1,
        line_start: 0,
    };
    // Spreadsheets write a byte-order mark and, in many locales, `;` or tabs.
    let body = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    let bom = text.len() - body.len();
    let delimiter = input
        .csv
        .delimiter
        .unwrap_or_else(|| detect_delimiter(body));
    // Kept, so that reports find a row's cells as the reader did.
    input.csv.delimiter = Some(delimiter);
    let header_line = body.split(['\n', '\r']).next().unwrap_or("");
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .delimiter(delimiter)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = r
        .headers()
        .map_err(|e| format!("cannot read the header row of `{}`: {e}", input.name))?
        .clone();
    input.columns = headers
        .iter()
        .map(|h| h.trim_start_matches('\u{FEFF}').to_string())
        .collect();
    let known: Vec<Option<&str>> = input
        .columns
        .iter()
        .map(|h| {
            let h = h.to_ascii_lowercase();
            FIELD_NAMES.iter().copied().find(|f| *f == h)
        })
        .collect();
    // Columns that are not event fields are kept in each row's text, and
    // listed once, so a misnamed `Qty` is not dropped without a word.
    for (h, k) in input.columns.iter().zip(&known) {
        if k.is_some() || h.is_empty() {
            continue;
        }
        // The note quotes the header row, and its field points at the column.
        let loc = EventLoc {
            input: index,
            line: 1,
            column: 1,
            offset: bom as u64,
            len: header_line.len() as u32,
        };
        let (severity, help) = match column_suggestion(h) {
            Some(f) if !known.contains(&Some(f)) => (
                Severity::Warning,
                format!("did you mean `{f}`? Rename the column to `{f}` so sanc reads it"),
            ),
            _ => (
                Severity::Advice,
                format!("not an event field, so sanc does not read it (it shows in the row's text); the fields are {}", FIELD_NAMES.join(", ")),
            ),
        };
        on_item(Item::Note(Box::new(EventDiagnostic {
            code: codes::UNKNOWN_COLUMN,
            severity,
            message: format!("column `{h}` of `{}` is not an event field", input.name),
            help: Some(help),
            loc,
            field: Some(h.clone()),
            event_id: None,
            effect: Effect::Remark,
            rule: None,
            text: Some(header_line.to_string()),
        })));
    }
    if !known.contains(&Some("id")) {
        let near = input
            .columns
            .iter()
            .find(|h| column_suggestion(h) == Some("id"))
            .map(|h| format!(" (is `{h}` the id?)"))
            .unwrap_or_default();
        return Err(format!(
            "`{}` has no `id` column{near}; the header row must name the event fields (id, date, commodity, quantity, from, to, …)",
            input.name
        ));
    }
    let mut rec = csv::StringRecord::new();
    let mut at = |byte: u64| {
        // With CRLF endings the csv crate may place a record on the `\n`
        // that ends the previous line.
        let mut offset = (byte as usize).min(text.len());
        while text[offset..].starts_with(['\r', '\n']) {
            offset += 1;
        }
        let (line, column) = lines.advance(offset);
        let end = text[offset..]
            .find(['\r', '\n'])
            .map_or(text.len(), |e| offset + e);
        let loc = EventLoc {
            input: index,
            line,
            column,
            offset: offset as u64,
            len: (end - offset) as u32,
        };
        (loc, &text[offset..end])
    };
    loop {
        let (loc, _) = at(r.position().byte());
        match r.read_record(&mut rec) {
            Ok(false) => return Ok(()),
            Ok(true) => {
                let (loc, line_text) = at(rec.position().map_or(loc.offset, |p| p.byte()));
                let mut raw = RawEvent::default();
                for (i, cell) in rec.iter().enumerate() {
                    if let Some(Some(name)) = known.get(i) {
                        raw.set(name, cell);
                    }
                }
                on_item(Item::Record(Record {
                    raw,
                    loc,
                    text: line_text,
                }));
            }
            Err(e) => on_item(Item::Malformed(malformed(
                loc,
                format!("unreadable CSV record: {e}"),
                "each row has the header's columns, separated by the header's delimiter; quote cells that contain it",
                None,
            ))),
        }
    }
}

/// The delimiter of a CSV file, from its header row: the most frequent of
/// `,`, `;` and tab outside quotes (`,` when none occurs).
fn detect_delimiter(text: &str) -> u8 {
    let header = text.split(['\n', '\r']).next().unwrap_or("");
    let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
    let mut quoted = false;
    for b in header.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted {
            for (d, n) in &mut counts {
                if *d == b {
                    *n += 1;
                }
            }
        }
    }
    // Ties go to the comma (first in the list).
    counts
        .iter()
        .fold(
            (b',', 0),
            |best, &(d, n)| if n > best.1 { (d, n) } else { best },
        )
        .0
}

/// The event field a column name probably means: common spreadsheet
/// names, then a close spelling.
fn column_suggestion(column: &str) -> Option<&'static str> {
    let c = column.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    let by_name = match c.as_str() {
        "qty" | "quantity_value" | "amount" | "volume" | "weight" | "net_weight" | "netwgt" => {
            Some("quantity")
        }
        "origin" | "from_country" | "exporter" | "supplier" | "source_country"
        | "country_of_origin" => Some("from"),
        "destination" | "dest" | "to_country" | "importer" | "consignee_country" => Some("to"),
        "transit" | "via_countries" | "transshipment" => Some("via"),
        "hs_code" | "hscode" | "cmdcode" | "commodity_code" | "tariff_code" | "cn_code" => {
            Some("hs")
        }
        "product" | "goods" | "commodity_name" => Some("commodity"),
        "unit_price" | "price_per_unit" => Some("price"),
        "event_id" | "record_id" | "shipment_id" | "ref" | "reference" => Some("id"),
        "shipment_date" | "ship_date" | "event_date" | "period" => Some("date"),
        "event_type" | "kind" => Some("type"),
        "trade_value" | "primaryvalue" | "total_value" => Some("value"),
        _ => None,
    };
    by_name.or_else(|| crate::suggest::closest(&c, FIELD_NAMES.iter().copied()))
}
