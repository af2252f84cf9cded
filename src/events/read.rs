//! Readers: JSON arrays, NDJSON (streamed line by line, never held whole)
//! and CSV. Each record is handed to a callback with its location.

use super::fields::{Column, JsonEvent, RawEvent, FIELD_NAMES};
use super::{Effect, EventDiagnostic, EventLoc};
use crate::diagnostic::{Code, Severity};
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Json,
    Ndjson,
    Csv,
    /// A UN Comtrade CSV download (chosen with `--input-format comtrade`).
    Comtrade,
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
    /// Comtrade: which side of the trade to count.
    pub comtrade_view: super::comtrade::View,
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
    /// One JSON object's text, not yet parsed: [`parse_json`] turns it
    /// into a record. Readers hand objects over unparsed so that parsing can
    /// run on other threads than reading (see `eval::pipeline`).
    Json {
        text: &'a str,
        loc: EventLoc,
    },
    /// One CSV row split into cells, not yet decoded: [`Row::raw`] turns
    /// it into fields. Like [`Item::Json`], so that decoding can run on
    /// other threads than reading.
    Row(Row<'a>),
    Malformed(Box<EventDiagnostic>),
    /// A remark about the input, not about one event (a CSV column that is
    /// not an event field): shown, and no event is counted.
    Note(Box<EventDiagnostic>),
}

/// A CSV row as the reader split it: its cells (valid UTF-8, one after
/// the other, cell `i` ending at `ends[i]`), the event field each column
/// is, where the row is, and its text.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub cells: &'a [u8],
    pub ends: &'a [u32],
    pub columns: &'a [Option<Column>],
    pub loc: EventLoc,
    pub text: &'a str,
}

impl<'a> Row<'a> {
    /// The row's fields, each cell trimmed of white space (as the csv
    /// crate's `Trim::All` trims a `StringRecord`).
    pub fn raw(&self) -> RawEvent<'a> {
        let mut raw = RawEvent::default();
        // The reader checked that the cells are UTF-8.
        let all = std::str::from_utf8(self.cells).unwrap_or_default();
        let mut start = 0;
        for (i, &end) in self.ends.iter().enumerate() {
            let end = end as usize;
            let cell = all.get(start..end).unwrap_or_default();
            start = end;
            if let Some(Some(column)) = self.columns.get(i) {
                raw.set_column(*column, super::validate::trim(cell));
            }
        }
        raw
    }

    /// The row as a record to validate.
    pub fn record(&self) -> Record<'a> {
        Record {
            raw: self.raw(),
            loc: self.loc,
            text: self.text,
        }
    }
}

fn malformed(
    loc: EventLoc,
    message: String,
    help: &str,
    text: Option<&str>,
) -> Box<EventDiagnostic> {
    Box::new(crate::diagnostic::Diagnostic::from(
        crate::diagnostic::EventProblem {
            code: Code::EventMalformed,
            severity: Severity::Error,
            message,
            help: Some(help.to_string()),
            loc,
            field: None,
            event_id: None,
            effect: Effect::Rejected,
            rule: None,
            text: text.map(|t| {
                let mut end = t.len().min(1024);
                while !t.is_char_boundary(end) {
                    end -= 1;
                }
                t[..end].to_string()
            }),
        },
    ))
}

/// Parse one JSON object's text into a record (or say why it is not one).
pub fn parse_json(text: &str, loc: EventLoc) -> Result<Record<'_>, Box<EventDiagnostic>> {
    let mut raw = RawEvent::default();
    parse_json_into(text, loc, &mut raw)?;
    Ok(Record { raw, loc, text })
}

/// [`parse_json`] into `raw`, which starts empty (the fields are over a
/// kilobyte: they are filled where they are, not moved).
pub fn parse_json_into<'a>(
    text: &'a str,
    loc: EventLoc,
    raw: &mut RawEvent<'a>,
) -> Result<(), Box<EventDiagnostic>> {
    // serde would also read a struct from a JSON list; an event is an object.
    if !text.starts_with('{') {
        return Err(malformed(
            loc,
            "expected an event object `{…}`".to_string(),
            "each event is one JSON object, e.g. {\"id\": \"a1\", \"date\": \"2023-01-31\", …}",
            Some(text),
        ));
    }
    if raw.read_flat_json(text) {
        return Ok(());
    }
    match serde_json::from_str::<JsonEvent>(text) {
        Ok(j) => {
            *raw = RawEvent::from_json(j);
            // The keys that are no field, as the flat reader finds them
            // (the text is an object: serde has just read it).
            let keys: std::collections::BTreeMap<std::borrow::Cow<str>, serde::de::IgnoredAny> =
                serde_json::from_str(text).unwrap_or_default();
            for key in keys.into_keys() {
                if !super::fields::JSON_FIELDS.contains(&&*key) {
                    if let Some(f) = super::fields::json_near_miss(&key) {
                        raw.misnamed.push((key, f));
                    }
                }
            }
            Ok(())
        }
        Err(e) => {
            let what = if text.trim_start().starts_with('{') {
                // serde's own place ("at line 1 column 110") counts from the
                // record; the diagnostic's place (below) is in the file.
                let e = e.to_string();
                let e = e.rsplit_once(" at line ").map_or(e.as_str(), |(m, _)| m);
                format!("malformed JSON: {}", in_words(e))
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
            Err(malformed(
                at,
                what,
                "each event is one JSON object, e.g. {\"id\": \"a1\", \"date\": \"2023-01-31\", …}",
                Some(text),
            ))
        }
    }
}

/// serde_json's account of malformed text, in an analyst's words where
/// its own ("EOF while parsing a string") are a parser's.
fn in_words(serde: &str) -> String {
    let said = match serde {
        "EOF while parsing a string" => "the record ends inside a string: its closing `\"` is missing",
        "EOF while parsing an object" => "the record ends before its object is closed with `}`",
        "EOF while parsing a list" => "the record ends before a list is closed with `]`",
        "EOF while parsing a value" => "the record ends where a value should be",
        "expected `,` or `}`" => "expected `,` before the next field, or `}` to close the object",
        "expected `,` or `]`" => "expected `,` before the next item, or `]` to close the list",
        "expected `:`" => "expected `:` between a key and its value",
        "key must be a string" => "a key is not in double quotes (JSON writes `\"key\": value`)",
        "trailing comma" => "a comma before `}` or `]`, where no other value follows",
        "expected value" => "expected a value: text in double quotes, a number, a list, an object, true, false or null",
        "invalid escape" => "an escape after `\\` that JSON does not know (`\\\\` writes a backslash)",
        "control character (\\u0000-\\u001F) found while parsing a string" => {
            "a line break or other control character inside a string (write it as `\\n`), or a string left open"
        }
        other => match other.strip_prefix("duplicate field `") {
            Some(rest) => {
                return format!("the field `{}` is given twice", rest.trim_end_matches('`'));
            }
            None => other,
        },
    };
    said.to_string()
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
    let name = input.name.clone();
    let result = match input.format {
        InputFormat::Ndjson => read_ndjson(index, reader, &mut on_item, &mut progress),
        InputFormat::Json => read_json(index, &input.name, reader, &mut on_item, &mut progress),
        InputFormat::Csv | InputFormat::Comtrade => {
            read_csv(index, input, reader, &mut on_item, &mut progress)
        }
    };
    // Every message names the input it is about.
    result.map_err(|e| {
        if e.contains(&format!("`{name}`")) {
            e
        } else {
            format!("cannot read `{name}`: {e}")
        }
    })
}

/// A record (a line, an array element, a CSV row) longer than this is
/// rejected with a diagnostic and never held whole: memory stays bounded
/// whatever the input (`/dev/zero`, a file with no line breaks).
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// A "record" longer than this is no event file at all (`/dev/zero`, a
/// binary file): the input is given up as unreadable instead of being
/// scanned for ever.
pub const MAX_SKIPPED_BYTES: u64 = 16 << 20;

fn not_records(line: u32) -> String {
    format!(
        "line {line} is longer than {} MiB with no end in sight; this does not look like a file of events",
        MAX_SKIPPED_BYTES >> 20
    )
}

/// Where a line starts, and how long it really was.
#[derive(Debug, Clone, Copy)]
struct LineInfo {
    line: u32,
    offset: u64,
    /// Bytes of the line without its ending; more than the buffer holds
    /// when it was longer than [`MAX_RECORD_BYTES`].
    len: u64,
}

/// Lines of an input with their numbers and offsets, ended by LF, CRLF or a
/// lone CR; lines looked at ahead (to see whether an object goes on over
/// several lines) can be put back.
struct Lines<R> {
    reader: std::io::BufReader<R>,
    line: u32,
    offset: u64,
    /// The last line ended with CR: a LF right after it belongs to it.
    after_cr: bool,
    back: std::collections::VecDeque<(Vec<u8>, LineInfo)>,
    /// Bytes of the reader's buffer that [`Lines::next_in_place`] handed
    /// out and that are let go before the next line is read …
    pending: usize,
    /// … and where in them its line lies.
    in_place: (usize, usize),
}

impl<R: Read> Lines<R> {
    fn new(reader: std::io::BufReader<R>) -> Self {
        Lines {
            reader,
            line: 0,
            offset: 0,
            after_cr: false,
            back: Default::default(),
            pending: 0,
            in_place: (0, 0),
        }
    }

    /// The next line, as [`Lines::next`] gives it, but left in the reader's
    /// buffer when it lies wholly there, as almost every line does: `true`
    /// then, and [`Lines::line_in_place`] is the line. A line is copied
    /// once (into the batch a worker parses), not twice.
    fn next_in_place(&mut self, buf: &mut Vec<u8>) -> Result<Option<(LineInfo, bool)>, String> {
        self.reader.consume(std::mem::take(&mut self.pending));
        if self.back.is_empty() {
            if let Ok(chunk) = self.reader.fill_buf() {
                let skip = usize::from(self.after_cr && chunk.first() == Some(&b'\n'));
                let rest = chunk.get(skip..).unwrap_or_default();
                if let Some(i) = memchr::memchr2(b'\n', b'\r', rest) {
                    self.after_cr = rest.get(i) == Some(&b'\r');
                    self.line += 1;
                    let info = LineInfo {
                        line: self.line,
                        offset: self.offset + skip as u64,
                        len: i as u64,
                    };
                    self.pending = skip + i + 1;
                    self.offset += self.pending as u64;
                    self.in_place = (skip, skip + i);
                    return Ok(Some((info, true)));
                }
            }
        }
        // A line that runs past the buffer, a line put back, the end or
        // an error: the general way.
        Ok(self.next(buf)?.map(|info| (info, false)))
    }

    /// The line [`Lines::next_in_place`] left in the reader's buffer.
    fn line_in_place(&self) -> &[u8] {
        self.reader
            .buffer()
            .get(self.in_place.0..self.in_place.1)
            .unwrap_or_default()
    }

    /// The next line (without its line ending, at most [`MAX_RECORD_BYTES`]
    /// of it) into `buf`.
    fn next(&mut self, buf: &mut Vec<u8>) -> Result<Option<LineInfo>, String> {
        self.reader.consume(std::mem::take(&mut self.pending));
        if let Some((b, info)) = self.back.pop_front() {
            *buf = b;
            return Ok(Some(info));
        }
        buf.clear();
        let err = |line: u32, e: std::io::Error| match line {
            0 => e.to_string(),
            _ => format!("{e} (after line {line})"),
        };
        let mut start = None;
        let mut len: u64 = 0;
        loop {
            let chunk = self.reader.fill_buf().map_err(|e| err(self.line, e))?;
            if chunk.is_empty() {
                return Ok(start.map(|offset| LineInfo {
                    line: self.line,
                    offset,
                    len,
                }));
            }
            if self.after_cr && start.is_none() && chunk[0] == b'\n' {
                self.after_cr = false;
                self.reader.consume(1);
                self.offset += 1;
                continue;
            }
            self.after_cr = false;
            if start.is_none() {
                start = Some(self.offset);
                self.line += 1;
            }
            let (take, ended) = match memchr::memchr2(b'\n', b'\r', chunk) {
                Some(i) => (i, Some(chunk[i])),
                None => (chunk.len(), None),
            };
            let room = MAX_RECORD_BYTES.saturating_sub(buf.len());
            buf.extend_from_slice(&chunk[..take.min(room)]);
            len += take as u64;
            if len > MAX_SKIPPED_BYTES {
                return Err(not_records(self.line));
            }
            let used = take + usize::from(ended.is_some());
            self.reader.consume(used);
            self.offset += used as u64;
            if let Some(end) = ended {
                self.after_cr = end == b'\r';
                return Ok(start.map(|offset| LineInfo {
                    line: self.line,
                    offset,
                    len,
                }));
            }
        }
    }
}

fn too_long(loc: EventLoc, len: u64) -> Item<'static> {
    Item::Malformed(malformed(
        loc,
        format!(
            "this record is {} bytes long; a record may have at most {} bytes",
            crate::report::thousands(len as usize),
            crate::report::thousands(MAX_RECORD_BYTES)
        ),
        "each event is one JSON object (or CSV row) of ordinary size; check that the file is what it should be",
        None,
    ))
}

/// At most this many lines are joined to find the end of an object that a
/// pretty-printer spread over several lines of an NDJSON file.
const MAX_JOINED_LINES: usize = 10_000;
const MAX_JOINED_BYTES: usize = 1 << 20;

/// Does `text` start with a JSON value that ends on a later line, so that
/// this line alone is a truncated object?
fn ends_early(text: &str) -> bool {
    // A whole object on one line ends with `}`: only other lines are parsed
    // here, so the common case costs no second parse.
    text.starts_with('{')
        && !text.trim_end().ends_with('}')
        && serde_json::from_str::<serde::de::IgnoredAny>(text).is_err_and(|e| e.is_eof())
}

fn read_ndjson(
    index: u32,
    reader: impl Read,
    on_item: &mut impl FnMut(Item),
    progress: &mut impl FnMut(u64),
) -> Result<(), String> {
    let reader = std::io::BufReader::with_capacity(1 << 16, reader);
    read_lines(index, reader, false, on_item, progress)
}

/// Objects one per line. `whole_objects`: a `.json` file holding objects
/// rather than an array, where an object spread over several lines is one
/// event; in NDJSON it is a mistake, reported once.
fn read_lines<R: Read>(
    index: u32,
    reader: std::io::BufReader<R>,
    whole_objects: bool,
    on_item: &mut impl FnMut(Item),
    progress: &mut impl FnMut(u64),
) -> Result<(), String> {
    let mut lines = Lines::new(reader);
    let mut buf: Vec<u8> = Vec::with_capacity(1024);
    while let Some((info, in_place)) = lines.next_in_place(&mut buf)? {
        let line = info.line;
        if line % 4096 == 0 {
            progress(lines.offset);
        }
        let whole: &[u8] = if in_place {
            lines.line_in_place()
        } else {
            &buf
        };
        // A byte-order mark is not part of the first record.
        let bom = if info.offset == 0 && whole.starts_with(&[0xEF, 0xBB, 0xBF]) {
            3
        } else {
            0
        };
        let bytes = &whole[bom..];
        let lead = bytes
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count();
        if lead == bytes.len() && info.len as usize == whole.len() {
            continue; // blank lines are not events
        }
        let loc = EventLoc {
            input: index,
            line,
            column: lead as u32 + 1,
            offset: info.offset + (bom + lead) as u64,
            len: (info.len as usize)
                .saturating_sub(bom + lead)
                .min(u32::MAX as usize) as u32,
        };
        if info.len as usize > whole.len() {
            on_item(too_long(loc, info.len));
            continue;
        }
        match std::str::from_utf8(&bytes[lead..]) {
            Ok(text) if ends_early(text) => {
                let owned = text.to_string();
                match joined_object(&mut lines, owned.clone(), loc)? {
                    Some((joined, last)) if whole_objects => {
                        let mut loc = loc;
                        loc.len = joined.len() as u32;
                        on_item(Item::Json { text: &joined, loc });
                        let _ = last;
                    }
                    Some((_, last)) => on_item(multiline(loc, last)),
                    None => on_item(Item::Json { text: &owned, loc }),
                }
            }
            // A JSON array where objects one per line were expected (a
            // `.json` export piped to standard input, or misnamed).
            Ok(text) if text.starts_with('[') => on_item(Item::Malformed(malformed(
                loc,
                "this line is a JSON list, not an event object: the input is read as NDJSON, one object per line".to_string(),
                "if it is a JSON array of events, name the file .json or pass `--input-format json` (standard input is read as NDJSON unless told); or write one object per line (`jq -c '.[]'` does)",
                Some(text),
            ))),
            Ok(text) => on_item(Item::Json { text, loc }),
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

fn multiline(loc: EventLoc, last: u32) -> Item<'static> {
    let d = crate::diagnostic::Diagnostic::from(crate::diagnostic::EventProblem {
        code: Code::EventMultilineRecord,
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
    });
    Item::Malformed(Box::new(d))
}

/// An object spread over several lines (a pretty-printed export): its text
/// and last line. `None` when the following lines do not complete an
/// object (they are put back and read as lines of their own).
fn joined_object<R: Read>(
    lines: &mut Lines<R>,
    first: String,
    loc: EventLoc,
) -> Result<Option<(String, u32)>, String> {
    let mut joined = first;
    let mut taken: Vec<(Vec<u8>, LineInfo)> = Vec::new();
    let mut buf = Vec::new();
    let _ = loc;
    while taken.len() < MAX_JOINED_LINES && joined.len() < MAX_JOINED_BYTES {
        let Some(info) = lines.next(&mut buf)? else {
            break;
        };
        taken.push((buf.clone(), info));
        joined.push('\n');
        joined.push_str(&String::from_utf8_lossy(&buf));
        let mut values =
            serde_json::Deserializer::from_str(&joined).into_iter::<serde::de::IgnoredAny>();
        match values.next() {
            Some(Ok(_)) => {
                let end = values.byte_offset();
                let rest = joined[end..].trim();
                if rest.is_empty() || rest == "," {
                    joined.truncate(end);
                    return Ok(Some((joined, info.line)));
                }
                break;
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

/// Line and column of the byte about to be read, counted as bytes pass:
/// LF, CRLF and a lone CR each end a line; columns count characters.
#[derive(Debug, Clone, Copy)]
struct Pos {
    offset: u64,
    line: u32,
    column: u32,
    after_cr: bool,
}

impl Pos {
    fn new() -> Self {
        Pos {
            offset: 0,
            line: 1,
            column: 1,
            after_cr: false,
        }
    }

    #[inline]
    fn step(&mut self, b: u8) {
        self.offset += 1;
        match b {
            b'\n' if self.after_cr => self.after_cr = false,
            b'\n' => {
                self.line += 1;
                self.column = 1;
            }
            b'\r' => {
                self.line += 1;
                self.column = 1;
                self.after_cr = true;
            }
            _ => {
                self.after_cr = false;
                // Continuation bytes of a UTF-8 character add no column.
                if b & 0xC0 != 0x80 {
                    self.column += 1;
                }
            }
        }
    }

    /// Step over many bytes at once: line breaks found with memchr, and
    /// columns counted only on the last line.
    fn advance(&mut self, bytes: &[u8]) {
        let mut last = 0;
        for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if i > last {
                self.after_cr = false;
            }
            if bytes[i] == b'\n' && self.after_cr {
                self.after_cr = false;
            } else {
                self.line += 1;
                self.after_cr = bytes[i] == b'\r';
            }
            self.column = 1;
            last = i + 1;
        }
        let tail = &bytes[last..];
        if !tail.is_empty() {
            self.after_cr = false;
            // ASCII text (most) is one column a byte.
            let chars = if tail.is_ascii() {
                tail.len()
            } else {
                tail.iter().filter(|b| **b & 0xC0 != 0x80).count()
            };
            self.column += chars as u32;
        }
        self.offset += bytes.len() as u64;
    }

    fn loc(&self, input: u32) -> EventLoc {
        EventLoc {
            input,
            line: self.line,
            column: self.column,
            offset: self.offset,
            len: 0,
        }
    }
}

/// A `.json` input: an array of events streamed element by element, never
/// held whole and never re-scanned (one line or many). A file of objects
/// instead of an array is read as objects, one per line or pretty-printed.
fn read_json(
    index: u32,
    name: &str,
    reader: impl Read,
    on_item: &mut impl FnMut(Item),
    progress: &mut impl FnMut(u64),
) -> Result<(), String> {
    let mut r = std::io::BufReader::with_capacity(1 << 16, reader);
    let first = {
        let chunk = r
            .fill_buf()
            .map_err(|e| format!("cannot read `{name}`: {e}"))?;
        let body = chunk.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(chunk);
        body.iter()
            .copied()
            .find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
    };
    if first == Some(b'{') {
        return read_lines(index, r, true, on_item, progress);
    }
    read_json_array(index, name, r, on_item, progress)
}

fn read_json_array<R: Read>(
    index: u32,
    name: &str,
    mut r: std::io::BufReader<R>,
    on_item: &mut impl FnMut(Item),
    progress: &mut impl FnMut(u64),
) -> Result<(), String> {
    #[derive(PartialEq)]
    enum State {
        /// Before the `[`.
        Start,
        /// Between elements; `true` when an element must come (after `[` or `,`).
        Between(bool),
        /// Inside an element.
        Element,
        /// After the `]`.
        After,
    }
    let mut pos = Pos::new();
    let mut state = State::Start;
    // An element that goes on into the next chunk is gathered here; one
    // within a chunk is handed on from the chunk itself.
    let mut elem: Vec<u8> = Vec::with_capacity(4096);
    let mut elem_loc = pos.loc(index);
    let mut elem_len: u64 = 0;
    let mut depth = 0usize;
    let mut carry = super::marks::Carry::default();
    let mut marks = super::marks::Marks::default();
    let mut chunks = 0u32;
    let mut after_comma = false;
    let not_array = |pos: &Pos| {
        format!(
            "`{name}` is not a JSON array of events (line {}, column {}); use `--input-format` if it is NDJSON or CSV",
            pos.line, pos.column
        )
    };
    // Hand on a finished element (trailing white space trimmed) of `len`
    // bytes in all, of which `bytes` were kept.
    let finish = |bytes: &[u8], loc: EventLoc, len: u64, on_item: &mut dyn FnMut(Item)| {
        let mut bytes = bytes;
        while let [rest @ .., b' ' | b'\t' | b'\r' | b'\n'] = bytes {
            bytes = rest;
        }
        let mut loc = loc;
        if len as usize > MAX_RECORD_BYTES {
            loc.len = u32::try_from(len).unwrap_or(u32::MAX);
            on_item(too_long(loc, len));
        } else {
            loc.len = bytes.len() as u32;
            match std::str::from_utf8(bytes) {
                Ok(text) => on_item(Item::Json { text, loc }),
                Err(e) => on_item(Item::Malformed(malformed(
                    loc,
                    format!(
                        "the record is not UTF-8 text (invalid byte {} bytes in)",
                        e.valid_up_to()
                    ),
                    "save the file as UTF-8",
                    None,
                ))),
            }
        }
    };
    let empty = |pos: &Pos, what: &str| {
        Item::Malformed(malformed(
            pos.loc(index),
            format!("{what}: the array has an empty element here"),
            "separate the events with one comma each, with no comma before `]`",
            None,
        ))
    };
    loop {
        let chunk = r
            .fill_buf()
            .map_err(|e| format!("cannot read `{name}` after line {}: {e}", pos.line))?;
        if chunk.is_empty() {
            break;
        }
        let n = chunk.len();
        // Where the brackets and commas outside strings are, for the whole
        // chunk at once (the state between elements is outside strings too,
        // so the chunk is read as one JSON text).
        marks.fill(chunk, &mut carry);
        let mut i = 0;
        // Inside an element, `pos` is not stepped byte by byte: it lags
        // from this byte of the chunk, and catches up (counting the lines
        // and columns of the bytes passed at once) when the element ends
        // and at the end of the chunk.
        let mut lag: Option<usize> = None;
        while let Some(&b) = chunk.get(i) {
            // Inside an element: on from bracket to bracket (and, out of
            // them, to a comma) to the comma or `]` that ends it, or to the
            // end of the chunk.
            if matches!(state, State::Element) {
                let mut from = i;
                let mut end = None;
                while let Some(at) = marks.next(depth == 0, from) {
                    match chunk.get(at) {
                        Some(b'{' | b'[') => depth += 1,
                        Some(b'}' | b']') if depth > 0 => depth -= 1,
                        Some(b',' | b']') => {
                            end = Some(at);
                            break;
                        }
                        // A `}` with nothing open: part of a bad element.
                        _ => {}
                    }
                    from = at + 1;
                }
                let taken = chunk.get(i..end.unwrap_or(n)).unwrap_or_default();
                elem_len += taken.len() as u64;
                lag.get_or_insert(i);
                let whole_here = elem_len == taken.len() as u64;
                if end.is_none() || !whole_here {
                    let room = MAX_RECORD_BYTES.saturating_sub(elem.len());
                    elem.extend_from_slice(taken.get(..room.min(taken.len())).unwrap_or_default());
                    if elem.len() >= MAX_RECORD_BYTES && elem_len > MAX_SKIPPED_BYTES {
                        return Err(not_records(elem_loc.line));
                    }
                }
                let Some(at) = end else {
                    i = n;
                    continue;
                };
                if whole_here {
                    finish(taken, elem_loc, elem_len, on_item);
                } else {
                    finish(&elem, elem_loc, elem_len, on_item);
                    elem.clear();
                }
                // Past the comma or `]` after the element.
                after_comma = chunk.get(at) == Some(&b',');
                i = at + 1;
                state = if after_comma {
                    State::Between(true)
                } else {
                    State::After
                };
                // Caught up, past this byte.
                if let Some(from) = lag.take() {
                    pos.advance(chunk.get(from..i).unwrap_or_default());
                }
                continue;
            }
            i += 1;
            match state {
                State::Start => match b {
                    b' ' | b'\t' | b'\r' | b'\n' => {}
                    0xEF | 0xBB | 0xBF if pos.offset < 3 => {}
                    b'[' => state = State::Between(true),
                    _ => return Err(not_array(&pos)),
                },
                State::Between(must) => match b {
                    b' ' | b'\t' | b'\r' | b'\n' => {}
                    b',' => {
                        if must {
                            on_item(empty(&pos, "a comma with no event before it"));
                        }
                        after_comma = true;
                        state = State::Between(true);
                    }
                    b']' => {
                        // `[]` is an empty array; `[a, ]` has a stray comma.
                        if must && after_comma {
                            on_item(empty(&pos, "a comma before `]`"));
                        }
                        state = State::After;
                    }
                    _ => {
                        elem_loc = pos.loc(index);
                        elem_loc.len = 1;
                        elem_len = 0;
                        state = State::Element;
                        // The element's first byte is taken with the rest
                        // of it, at the top of the loop.
                        i -= 1;
                        continue;
                    }
                },
                State::After => {
                    if !matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
                        return Err(format!(
                            "`{name}` has more text after its array of events (line {}, column {}); join the arrays into one, or use NDJSON",
                            pos.line, pos.column
                        ));
                    }
                }
                State::Element => {}
            }
            pos.step(b);
        }
        if let Some(from) = lag {
            pos.advance(chunk.get(from..).unwrap_or_default());
        }
        r.consume(n);
        chunks += 1;
        if chunks.is_multiple_of(64) {
            progress(pos.offset);
        }
    }
    progress(pos.offset);
    match state {
        State::Start => Err(not_array(&pos)),
        State::After => Ok(()),
        State::Between(_) | State::Element => {
            if state == State::Element {
                finish(&elem, elem_loc, elem_len, on_item);
            }
            Err(format!(
                "`{name}` ends before its array is closed with `]`; the events before the end were read"
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
    // Streamed: the csv crate parses rows from a reader that keeps the bytes
    // of the rows being read (for line numbers and the text reports quote),
    // so memory is bounded by one row, not the file.
    const PEEK: usize = 1 << 16;
    let mut raw = std::io::BufReader::with_capacity(PEEK, reader);
    let peeked = raw
        .fill_buf()
        .map_err(|e| format!("cannot read `{}`: {e}", input.name))?;
    // Spreadsheets write a byte-order mark and, in many locales, `;` or tabs.
    let bom = if peeked.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    if peeked.len() == PEEK && memchr::memchr2(b'\n', b'\r', peeked).is_none() {
        return Err(format!(
            "the header row of `{}` is longer than {} KiB; is it a CSV file?",
            input.name,
            PEEK >> 10
        ));
    }
    let body = String::from_utf8_lossy(&peeked[bom..]).into_owned();
    let delimiter = input
        .csv
        .delimiter
        .unwrap_or_else(|| detect_delimiter(&body));
    // Kept, so that reports find a row's cells as the reader did.
    input.csv.delimiter = Some(delimiter);
    let header_line = body.split(['\n', '\r']).next().unwrap_or("");
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .delimiter(delimiter)
        // Headers only: `Row::raw` trims each cell as it reads it (the
        // crate would copy every record to trim it).
        .trim(csv::Trim::Headers)
        .from_reader(Tee {
            inner: raw,
            kept: Vec::new(),
            base: 0,
            passed: 0,
            overflowed: false,
        });
    let headers = r
        .headers()
        .map_err(|e| format!("cannot read the header row of `{}`: {e}", input.name))?
        .clone();
    input.columns = headers
        .iter()
        .map(|h| h.trim_start_matches('\u{FEFF}').to_string())
        .collect();
    let known: Vec<Option<&'static str>> = input
        .columns
        .iter()
        .map(|h| {
            let h = h.to_ascii_lowercase();
            FIELD_NAMES.iter().copied().find(|f| *f == h)
        })
        .collect();
    let comtrade = input.format == InputFormat::Comtrade;
    // Comtrade: where each column it reads is.
    let ct: Vec<Option<usize>> = super::comtrade::COLUMNS
        .iter()
        .map(|c| {
            input
                .columns
                .iter()
                .position(|h| h.trim().eq_ignore_ascii_case(c))
        })
        .collect();
    if comtrade {
        let missing: Vec<&str> = super::comtrade::REQUIRED
            .iter()
            .copied()
            .filter(|r| {
                let i = super::comtrade::COLUMNS.iter().position(|x| x == r);
                i.and_then(|i| ct.get(i).copied().flatten()).is_none()
            })
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "`{}` is not a UN Comtrade download: it has no column {}",
                input.name,
                missing.join(", ")
            ));
        }
    }
    // Columns that are not event fields are kept in each row's text, and
    // listed once, so a misnamed `Qty` is not dropped without a word.
    // A column named like a field the file lacks (`Qty` and no `quantity`)
    // holds what every row would be judged without: the file is refused.
    let mut misnamed = Vec::new();
    for (h, k) in input.columns.iter().zip(&known) {
        if comtrade {
            break;
        }
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
            Some(f) if !known.contains(&Some(f)) => {
                misnamed.push(format!("has no `{f}` column but has `{h}`: did you mean `{f}`?"));
                continue;
            }
            _ => (
                Severity::Advice,
                format!("not an event field, so sanc does not read it (it shows in the row's text); the fields are {}, and for each role (owner, operator, insurer, …) `party_<role>` and `party_<role>_country`", FIELD_NAMES.iter().filter(|f| !f.starts_with("party_")).copied().collect::<Vec<_>>().join(", ")),
            ),
        };
        on_item(Item::Note(Box::new(crate::diagnostic::Diagnostic::from(
            crate::diagnostic::EventProblem {
                code: Code::EventUnknownColumn,
                severity,
                message: format!("column `{h}` of `{}` is not an event field", input.name),
                help: Some(help),
                loc,
                field: Some(h.clone()),
                event_id: None,
                effect: Effect::Remark,
                rule: None,
                text: Some(header_line.to_string()),
            },
        ))));
    }
    if !misnamed.is_empty() {
        return Err(format!(
            "`{}` {}; rename the column to the field's name (or remove it, if it means something else), so that no row is judged without that field",
            input.name,
            misnamed.join("; ")
        ));
    }
    if !comtrade && !known.contains(&Some("id")) {
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
    // Rows are split here and handed on as cells; decoding them into
    // fields may run on other threads (see `eval::pipeline`).
    // Each column's field, found once for all rows.
    let columns: Vec<Option<Column>> = known.iter().map(|k| k.and_then(Column::of)).collect();
    let mut rec = csv::ByteRecord::new();
    let mut ends: Vec<u32> = Vec::new();
    let mut pos = Pos::new();
    let mut rows = 0u32;
    let mut mirror = Mirror::new(input.csv.comtrade_view, &input.name);
    loop {
        let at = r.position().clone();
        let before = at.byte();
        // As `csv::Reader::read_record` reads a `StringRecord`: a row that
        // is not UTF-8 is an error at the position the row was read from.
        let read = match r.read_byte_record(&mut rec) {
            Ok(true) => match utf8_error(&rec) {
                None => Ok(true),
                Some((field, valid_up_to)) => Err(format!(
                    "CSV parse error: record {} (line {}, field: {field}, byte: {}): invalid utf-8: invalid UTF-8 in field {field} near byte index {valid_up_to}",
                    at.record(),
                    at.line(),
                    at.byte()
                )),
            },
            Ok(false) => Ok(false),
            Err(e) => Err(e.to_string()),
        };
        let next = r.position().byte();
        let tee = r.get_mut();
        match read {
            Ok(false) if tee.overflowed => return Err(not_records(pos.line)),
            Ok(false) => {
                if let Some(note) = mirror.left_out() {
                    on_item(note);
                }
                progress(next);
                return Ok(());
            }
            Ok(true) => {
                // With CRLF endings the csv crate may place a record on the
                // line ending before it: the row starts after it.
                let mut start = rec.position().map_or(before, |p| p.byte());
                tee.catch_up(&mut pos, start);
                while matches!(tee.byte_at(start), Some(b'\r' | b'\n')) {
                    start += 1;
                }
                tee.catch_up(&mut pos, start);
                let row = tee.slice(start, next);
                let end = memchr::memchr2(b'\r', b'\n', row).unwrap_or(row.len());
                let mut loc = pos.loc(index);
                loc.len = end as u32;
                if end > MAX_RECORD_BYTES {
                    on_item(too_long(loc, end as u64));
                } else {
                    let text = std::str::from_utf8(&row[..end]).unwrap_or_default();
                    if comtrade {
                        let mut cells =
                            csv::StringRecord::from_byte_record(rec.clone()).unwrap_or_default();
                        cells.trim();
                        comtrade_row(&ct, &cells, loc, text, &mut mirror, on_item);
                    } else if let Some(why) = cell_count(&rec, known.len()) {
                        on_item(Item::Malformed(malformed(
                            loc,
                            why,
                            "each row has one cell for each column of the header, in its order; leave a cell empty (`a,,c`) rather than out",
                            Some(text),
                        )));
                    } else {
                        ends.clear();
                        let mut end = 0;
                        for cell in rec.iter() {
                            end += cell.len();
                            ends.push(u32::try_from(end).unwrap_or(u32::MAX));
                        }
                        on_item(Item::Row(Row {
                            cells: rec.as_slice(),
                            ends: &ends,
                            columns: &columns,
                            loc,
                            text,
                        }));
                    }
                }
            }
            Err(e) => {
                let mut start = before;
                tee.catch_up(&mut pos, start);
                while matches!(tee.byte_at(start), Some(b'\r' | b'\n')) {
                    start += 1;
                }
                tee.catch_up(&mut pos, start);
                on_item(Item::Malformed(malformed(
                    pos.loc(index),
                    format!("unreadable CSV record: {e}"),
                    "each row has the header's columns, separated by the header's delimiter; quote cells that contain it",
                    None,
                )));
            }
        }
        r.get_mut().catch_up(&mut pos, next);
        rows += 1;
        if rows.is_multiple_of(4096) {
            progress(next);
        }
    }
}

/// Why a row's cells do not line up with the header's columns: too few
/// (which one is missing cannot be told, so no cell can be trusted), or
/// more, with text past the last column (it belongs to no field).
/// Empty cells after the last column (a trailing delimiter) are no loss.
fn cell_count(rec: &csv::ByteRecord, columns: usize) -> Option<String> {
    let n = rec.len();
    let extra = || rec.iter().skip(columns).any(|c| !c.trim_ascii().is_empty());
    (n < columns || (n > columns && extra())).then(|| {
        format!(
            "this row has {n} cells where the header has {columns} columns{}",
            if n < columns {
                ": sanc cannot tell which are missing, so it reads none of them"
            } else {
                ": the cells past the last column belong to no field"
            }
        )
    })
}

/// The first cell of a row that is not UTF-8, and how far it is valid.
fn utf8_error(rec: &csv::ByteRecord) -> Option<(usize, usize)> {
    if rec.as_slice().is_ascii() {
        return None;
    }
    // As the crate's `Trim::All` would have left the cell.
    rec.iter().enumerate().find_map(|(i, cell)| {
        std::str::from_utf8(cell.trim_ascii())
            .err()
            .map(|e| (i, e.valid_up_to()))
    })
}

/// A reader that keeps what it has read beyond the rows passed (see
/// [`Tee::catch_up`]): the bytes of the CSV rows being parsed.
struct Tee<R> {
    inner: R,
    kept: Vec<u8>,
    /// The input offset of `kept[0]`.
    base: u64,
    /// How many bytes of `kept` the rows have passed; they are let go in
    /// bulk, once they are half of it.
    passed: usize,
    /// One row went on past [`MAX_SKIPPED_BYTES`]: reading stopped there.
    overflowed: bool,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.kept.len().saturating_sub(self.passed) as u64 > MAX_SKIPPED_BYTES {
            self.overflowed = true;
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        self.kept.extend_from_slice(&buf[..n]);
        Ok(n)
    }
}

impl<R> Tee<R> {
    fn byte_at(&self, offset: u64) -> Option<u8> {
        let i = usize::try_from(offset.checked_sub(self.base)?).ok()?;
        self.kept.get(i).copied()
    }

    fn slice(&self, from: u64, to: u64) -> &[u8] {
        let i = |o: u64| (o.saturating_sub(self.base) as usize).min(self.kept.len());
        &self.kept[i(from)..i(to).max(i(from))]
    }

    /// Count the lines of the bytes up to `offset` and let them go.
    fn catch_up(&mut self, pos: &mut Pos, offset: u64) {
        if offset <= pos.offset {
            return;
        }
        let from = (pos.offset.saturating_sub(self.base) as usize).min(self.kept.len());
        let to = (offset.saturating_sub(self.base) as usize).min(self.kept.len());
        pos.advance(&self.kept[from..to]);
        self.passed = to;
        // Letting each row go as it passes would move the rest of the
        // buffer (kilobytes read ahead) once a row; in bulk, each byte
        // kept is moved at most once.
        if to * 2 >= self.kept.len() {
            self.kept.drain(..to);
            self.base += to as u64;
            self.passed = 0;
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
/// One Comtrade row as an event: its fields are built from the row's
/// cells (see [`super::comtrade`]) and live while the record is handed on.
fn comtrade_row(
    ct: &[Option<usize>],
    rec: &csv::StringRecord,
    loc: EventLoc,
    text: &str,
    mirror: &mut Mirror,
    on_item: &mut impl FnMut(Item),
) {
    let get = |name: &str| {
        let i = super::comtrade::COLUMNS.iter().position(|c| *c == name)?;
        let col = ct.get(i).copied().flatten()?;
        rec.get(col)
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
    };
    let r = super::comtrade::row(get);
    if let Some((field, why)) = &r.problem {
        on_item(Item::Malformed(Box::new(crate::diagnostic::Diagnostic::from(
            crate::diagnostic::EventProblem {
                code: Code::EventBadField,
                severity: Severity::Error,
                message: format!("Comtrade row `{}`: {why}", r.id),
                help: Some("a Comtrade row has refYear, refMonth (1–12, or 52 for a year), reporterISO, flowCode (M, X, RM, RX), partnerISO and cmdCode".into()),
                loc,
                field: Some((*field).to_string()),
                event_id: Some(r.id.clone()),
                effect: Effect::Rejected,
                rule: None,
                text: Some(text.chars().take(1024).collect()),
            },
        ))));
        return;
    }
    match mirror.row(&r, loc, text) {
        Seen::LeftOut => return,
        Seen::Mirror(note) => on_item(Item::Note(note)),
        Seen::Counted => {}
    }
    fn t(s: &Option<String>) -> Option<super::Field<'_>> {
        s.as_deref().map(super::Field::Text)
    }
    let raw = RawEvent {
        id: Some(super::Field::Text(&r.id)),
        date: Some(super::Field::Text(&r.date)),
        from: t(&r.from),
        to: t(&r.to),
        hs: t(&r.hs),
        quantity: t(&r.quantity),
        value: t(&r.value),
        transfer: t(&r.transfer),
        reporter: Some(super::Field::Text(&r.reporter)),
        source: Some(super::Field::Text(&r.source)),
        ..RawEvent::default()
    };
    on_item(Item::Record(Record { raw, loc, text }));
}

/// What `--comtrade-view` makes of a row.
enum Seen {
    Counted,
    /// Counted, and the other account of a trade already counted.
    Mirror(Box<EventDiagnostic>),
    LeftOut,
}

/// The Comtrade rows of one input by side: those the view leaves out,
/// and (with every row counted) the trades reported from both sides.
struct Mirror {
    view: super::comtrade::View,
    input: String,
    /// Trade → (an import, the first row's id), for the rows counted.
    seen: std::collections::HashMap<(String, String, String, String), (bool, String)>,
    warned: std::collections::HashSet<(String, String, String, String)>,
    /// Rows left out, and where the first was.
    left_out: u64,
    first: Option<(EventLoc, String)>,
}

impl Mirror {
    fn new(view: super::comtrade::View, input: &str) -> Self {
        Mirror {
            view,
            input: input.to_string(),
            seen: Default::default(),
            warned: Default::default(),
            left_out: 0,
            first: None,
        }
    }

    fn row(&mut self, r: &super::comtrade::Row, loc: EventLoc, text: &str) -> Seen {
        let Some(import) = r.import else {
            return Seen::Counted;
        };
        if !self.view.counts(import) {
            self.left_out += 1;
            if self.first.is_none() {
                self.first = Some((loc, text.chars().take(1024).collect()));
            }
            return Seen::LeftOut;
        }
        let Some(trade) = &r.trade else {
            return Seen::Counted;
        };
        match self.seen.get(trade) {
            None => {
                self.seen.insert(trade.clone(), (import, r.id.clone()));
                Seen::Counted
            }
            Some((side, _)) if *side == import => Seen::Counted,
            Some((_, other)) => {
                if !self.warned.insert(trade.clone()) {
                    return Seen::Counted;
                }
                let (from, to, cmd, year) = trade;
                let (this, that) = if import {
                    (
                        format!("{to}'s reported imports"),
                        format!("{from}'s reported exports"),
                    )
                } else {
                    (
                        format!("{from}'s reported exports"),
                        format!("{to}'s reported imports"),
                    )
                };
                Seen::Mirror(Box::new(crate::diagnostic::Diagnostic::from(
                    crate::diagnostic::EventProblem {
                        code: Code::EventComtradeMirror,
                        severity: Severity::Warning,
                        message: format!(
                            "Comtrade row `{}` ({this} of {cmd} from {from} to {to} in {year}) is the mirror of row `{other}` ({that}): both are counted, so the same goods may be counted twice",
                            r.id
                        ),
                        help: Some("count one side: `--comtrade-view importer` (the importers' reports) or `--comtrade-view exporter` (the exporters' reports, the mirror statistics); run both to compare them side by side".into()),
                        loc,
                        field: Some("flowCode".into()),
                        event_id: Some(r.id.clone()),
                        effect: Effect::Remark,
                        rule: None,
                        text: Some(text.chars().take(1024).collect()),
                    },
                )))
            }
        }
    }

    /// One note for the rows the view left out.
    fn left_out(&mut self) -> Option<Item<'static>> {
        let (loc, text) = self.first.take()?;
        let (side, other) = match self.view {
            super::comtrade::View::Importer => ("export", "importer"),
            _ => ("import", "exporter"),
        };
        let n = self.left_out;
        Some(Item::Note(Box::new(crate::diagnostic::Diagnostic::from(
            crate::diagnostic::EventProblem {
                code: Code::EventComtradeMirror,
                severity: Severity::Advice,
                message: format!(
                    "{n} {side} row{} of `{}` left out: `--comtrade-view {other}` counts the goods as the {other}s reported them",
                    if n == 1 { "" } else { "s" },
                    self.input
                ),
                help: Some(format!("the first is here; `--comtrade-view {}` counts them instead", if other == "importer" { "exporter" } else { "importer" })),
                loc,
                field: Some("flowCode".into()),
                event_id: None,
                effect: Effect::Remark,
                rule: None,
                text: Some(text),
            },
        ))))
    }
}

pub(super) fn column_suggestion(column: &str) -> Option<&'static str> {
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

#[cfg(test)]
mod tests {
    use super::{read, Input, InputFormat, Item};

    #[test]
    fn serde_json_s_complaints_are_put_in_words() {
        // The texts serde_json writes today: a change in its wording shows
        // here rather than as a parser's message to an analyst.
        let said = |text: &str| {
            let e = serde_json::from_str::<super::JsonEvent>(text)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            super::in_words(e.rsplit_once(" at line ").map_or(e.as_str(), |(m, _)| m))
        };
        for (text, words) in [
            (r#"{"id": "a"#, "ends inside a string"),
            (r#"{"id": "a""#, "before its object is closed"),
            (r#"{"via": ["a""#, "before a list is closed"),
            (r#"{"id": "#, "ends where a value should be"),
            (
                r#"{"id": "a" "date": "b"}"#,
                "expected `,` before the next field",
            ),
            (r#"{"via": ["a" "b"]}"#, "expected `,` before the next item"),
            (r#"{"id" "a"}"#, "expected `:` between a key"),
            (r#"{id: "a"}"#, "not in double quotes"),
            (r#"{"id": "a",}"#, "a comma before"),
            (r#"{"id": x}"#, "expected a value"),
            (r#"{"id": "a\q"}"#, "an escape after"),
            ("{\"id\": \"a\nb\"}", "control character"),
            (r#"{"id": "a", "id": "b"}"#, "the field `id` is given twice"),
        ] {
            let got = said(text);
            assert!(got.contains(words), "{text}: {got}");
        }
    }

    /// Hands out at most `step` bytes a read, so a buffered reader's
    /// chunks end everywhere: inside strings, right after a backslash.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(out.len()).min(self.bytes.len());
            out[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    /// Each element's text and place, as the JSON array reader hands them on.
    fn elements(text: &str, step: usize) -> Vec<String> {
        let mut input = Input::new("t.json", None, InputFormat::Json);
        let mut out = Vec::new();
        let reader = Trickle {
            bytes: text.as_bytes(),
            step,
        };
        let result = read(
            0,
            &mut input,
            reader,
            |item| match item {
                Item::Json { text, loc } => {
                    out.push(format!("{}:{}:{} {text}", loc.line, loc.column, loc.len))
                }
                Item::Malformed(d) => out.push(format!("malformed {}", d.message)),
                _ => out.push("other".to_string()),
            },
            |_| {},
        );
        assert!(result.is_ok(), "{result:?}");
        out
    }

    #[test]
    fn ndjson_lines_are_found_whatever_the_chunks_and_line_endings() {
        // LF, CRLF and a lone CR; a CR and its LF in different chunks (the
        // line read in place, the LF after it not a blank line); blank
        // and indented lines; a byte-order mark; an object spread over
        // lines; a line that is not UTF-8.
        let mut text =
            "\u{feff}{\"id\":\"a\"}\r\n{\"id\":\"b\"}\r{\"id\":\"c\"}\n\n  \t\n".to_string();
        text.push_str("  {\"id\":\"d\"}\r\n\r\n{\"id\":\n\"e\"}\n{\"id\":\"f\"}");
        let mut bytes = text.into_bytes();
        bytes.extend_from_slice(b"\n{\"id\":\"\xff\"}\r\n{\"id\":\"g\"}\r");
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let read = |step: usize| {
            let mut input = Input::new("t", None, InputFormat::Ndjson);
            let mut out = Vec::new();
            let result = read(
                0,
                &mut input,
                Trickle {
                    bytes: &bytes,
                    step,
                },
                |item| match item {
                    Item::Json { text, loc } => out.push(format!(
                        "{}:{}:{}:{} {text}",
                        loc.line, loc.column, loc.offset, loc.len
                    )),
                    Item::Malformed(d) => out.push(format!("malformed {}", d.message)),
                    _ => out.push("other".to_string()),
                },
                |_| {},
            );
            assert!(result.is_ok(), "{result:?}");
            out
        };
        let whole = read(usize::MAX);
        assert_eq!(
            whole[..4],
            [
                "1:1:3:10 {\"id\":\"a\"}",
                "2:1:15:10 {\"id\":\"b\"}",
                "3:1:26:10 {\"id\":\"c\"}",
                "6:3:44:10 {\"id\":\"d\"}",
            ],
            "{text:?}: {whole:#?}"
        );
        assert_eq!(whole.len(), 8, "{whole:#?}");
        assert!(
            whole[4].starts_with("malformed this event spreads over lines 8–9"),
            "{whole:#?}"
        );
        assert!(whole[5].starts_with("10:1:"), "{whole:#?}");
        assert!(
            whole[6].starts_with("malformed the line is not UTF-8"),
            "{whole:#?}"
        );
        assert!(whole[7].starts_with("12:1:"), "{whole:#?}");
        for step in 1..=12 {
            assert_eq!(read(step), whole, "chunks of {step} bytes");
        }
    }

    #[test]
    fn json_array_elements_are_found_whatever_the_chunks() {
        // Quotes, backslashes, commas and brackets inside strings; an
        // escaped backslash before a closing quote; nested values; line
        // breaks between and inside elements.
        let text = concat!(
            "[{\"id\":\"a\\\"],{\",\"source\":\"c:\\\\\"},\n",
            " {\"id\":\"b\",\"via\":[\"CHN\",\"RUS\"],\"note\":{\"x\":\"]\"}},\r\n",
            "{\"id\":\"\\\\\\\"\",\n\"to\":\"PRK\"} ]"
        );
        let whole = elements(text, usize::MAX);
        assert_eq!(whole.len(), 3, "{whole:#?}");
        assert!(whole[0].starts_with("1:2:"), "{whole:#?}");
        assert!(whole[1].starts_with("2:2:"), "{whole:#?}");
        assert!(whole[2].starts_with("3:1:"), "{whole:#?}");
        for step in 1..=9 {
            assert_eq!(elements(text, step), whole, "chunks of {step} bytes");
        }
    }
}
