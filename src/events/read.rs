//! Readers: JSON arrays, NDJSON (streamed line by line, never held whole)
//! and CSV. Each record is handed to a callback with its location.

use super::fields::{JsonEvent, RawEvent, FIELD_NAMES};
use super::{codes, EventDiagnostic, EventLoc};
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
        rejected: true,
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

fn read_ndjson(
    index: u32,
    reader: impl Read,
    on_item: &mut impl FnMut(Item),
    progress: &mut impl FnMut(u64),
) -> Result<(), String> {
    let mut r = std::io::BufReader::with_capacity(1 << 16, reader);
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    let mut offset: u64 = 0;
    let mut line: u32 = 0;
    loop {
        buf.clear();
        let n = r
            .read_until(b'\n', &mut buf)
            .map_err(|e| format!("read error after line {line}: {e}"))?;
        if n == 0 {
            return Ok(());
        }
        line += 1;
        let start = offset;
        offset += n as u64;
        if line % 4096 == 0 {
            progress(offset);
        }
        let mut bytes = &buf[..];
        while let [rest @ .., b'\n' | b'\r'] = bytes {
            bytes = rest;
        }
        // A byte-order mark is not part of the first record.
        let bom = if line == 1 && bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
            3
        } else {
            0
        };
        bytes = &bytes[bom..];
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
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
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
    if !known.contains(&Some("id")) {
        return Err(format!(
            "`{}` has no `id` column; the header row must name the event fields (id, date, commodity, quantity, from, to, …)",
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
                "each row has the header's columns, separated by commas; quote cells that contain commas",
                None,
            ))),
        }
    }
}
