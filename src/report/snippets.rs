//! Event text for reports. Inputs are not kept in memory, so the records a
//! report needs to show are read back from their files by offset (or taken
//! from what the reader kept) and added to the source map as snippets.

use crate::events::{read::Input, scan, EventLoc, InputFormat};
use crate::source::{FileId, SourceFile, SourceMap, Span};
use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};

/// The longest record shown; longer ones are cut.
const MAX_RECORD: usize = 16 * 1024;

/// Snippets of event records, by location.
#[derive(Debug, Default)]
pub struct Snippets {
    files: HashMap<(u32, u64), FileId>,
}

impl Snippets {
    /// Make sure the record at `loc` is in `sources` (reading it back if
    /// needed); `text` is the record's text when the reader kept it.
    pub fn load(
        &mut self,
        sources: &mut SourceMap,
        inputs: &[Input],
        loc: EventLoc,
        text: Option<&str>,
    ) -> Option<FileId> {
        if let Some(id) = self.files.get(&(loc.input, loc.offset)) {
            return Some(*id);
        }
        let input = inputs.get(loc.input as usize)?;
        let text = match text {
            Some(t) => t.to_string(),
            None => read_back(input, loc)?,
        };
        let name = input.name.clone();
        let id = sources.push(SourceFile::snippet(
            name,
            text,
            loc.offset as usize,
            loc.line.saturating_sub(1) as usize,
            loc.column.saturating_sub(1) as usize,
        ));
        self.files.insert((loc.input, loc.offset), id);
        Some(id)
    }

    /// The span of a field of the record (or the whole record's first line).
    pub fn field_span(
        sources: &SourceMap,
        inputs: &[Input],
        file: FileId,
        field: Option<&str>,
    ) -> Span {
        let f = sources.get(file);
        let text = f.text.as_str();
        let whole = Span::new(file, f.base, f.base + text.find('\n').unwrap_or(text.len()));
        let Some(field) = field else { return whole };
        let input = inputs.iter().find(|i| i.name == f.name);
        let range = match input.map(|i| i.format) {
            Some(InputFormat::Csv | InputFormat::Comtrade) => input.and_then(|i| {
                let col = i
                    .columns
                    .iter()
                    .position(|c| c.eq_ignore_ascii_case(field))?;
                scan::csv_cells(text, i.csv.delimiter.unwrap_or(b','))
                    .get(col)
                    .copied()
            }),
            _ => scan::field_path_range(text, field),
        };
        match range {
            Some((s, e)) => Span::new(file, f.base + s, f.base + e),
            None => whole,
        }
    }
}

fn read_back(input: &Input, loc: EventLoc) -> Option<String> {
    let path = input.path.as_ref()?;
    // A named pipe or device cannot be read twice (opening it again would
    // wait forever): such records are reported by location.
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return None;
    }
    let mut f = std::fs::File::open(path).ok()?;
    f.seek(SeekFrom::Start(loc.offset)).ok()?;
    let want = if loc.len == 0 {
        MAX_RECORD
    } else {
        (loc.len as usize).min(MAX_RECORD)
    };
    let mut buf = vec![0u8; want];
    let mut got = 0;
    while got < want {
        match f.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(_) => return None,
        }
    }
    buf.truncate(got);
    if loc.len == 0 {
        // A CSV record: up to the end of its line.
        if let Some(nl) = buf.iter().position(|b| *b == b'\n') {
            buf.truncate(nl);
        }
    }
    Some(String::from_utf8_lossy(&buf).into_owned())
}
