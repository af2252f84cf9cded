//! Source files, byte spans and line indexes.
//!
//! Spans are byte ranges into one file; line and column are computed only
//! when something is printed (1-based, columns in characters), and UTF-16
//! positions only for the language server.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        Span {
            file,
            start,
            end: end.max(start),
        }
    }

    /// The smallest span covering both (same file assumed).
    pub fn to(self, other: Span) -> Span {
        Span::new(
            self.file,
            self.start.min(other.start),
            self.end.max(other.end),
        )
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// One loaded file: its display name, text and line starts.
///
/// A file may also be a snippet: a few lines cut out of a larger file (an
/// event's line in a large NDJSON stream that is never held whole). Offsets
/// stay those of the whole file; `base` and `first_line` say where the
/// snippet sits in it.
#[derive(Debug)]
pub struct SourceFile {
    pub name: String,
    pub path: Option<PathBuf>,
    pub text: Arc<String>,
    /// Byte offset of `text` in the whole file.
    pub base: usize,
    /// 0-based line number of the first line of `text` in the whole file.
    pub first_line: usize,
    /// Characters before `text` on its first line (a record that does not
    /// start its line).
    pub first_col: usize,
    line_starts: Vec<usize>,
}

/// A 1-based line and column (column counted in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, path: Option<PathBuf>, text: String) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            name: name.into(),
            path,
            text: Arc::new(text),
            base: 0,
            first_line: 0,
            first_col: 0,
            line_starts,
        }
    }

    /// A piece of a larger file, starting at byte `base` on 0-based line `first_line`.
    pub fn snippet(
        name: impl Into<String>,
        text: String,
        base: usize,
        first_line: usize,
        first_col: usize,
    ) -> Self {
        SourceFile {
            base,
            first_line,
            first_col,
            ..SourceFile::new(name, None, text)
        }
    }

    /// Clamp an offset into `text` and onto a character boundary.
    pub fn clamp(&self, offset: usize) -> usize {
        let mut o = offset.min(self.text.len());
        while o > 0 && !self.text.is_char_boundary(o) {
            o -= 1;
        }
        o
    }

    /// A whole-file offset as an offset into `text`, clamped.
    pub fn local(&self, offset: usize) -> usize {
        self.clamp(offset.saturating_sub(self.base))
    }

    /// 0-based line number within `text` of an offset into `text`.
    pub fn line_of(&self, offset: usize) -> usize {
        let o = self.clamp(offset);
        match self.line_starts.binary_search(&o) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len())
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 1-based line and character column of a whole-file byte offset.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let o = self.local(offset);
        let line = self.line_of(o);
        let start = self.line_starts[line];
        let before = if line == 0 { self.first_col } else { 0 };
        LineCol {
            line: self.first_line + line + 1,
            column: before + self.text[start..o].chars().count() + 1,
        }
    }

    /// 0-based line and UTF-16 column, as the Language Server Protocol counts.
    pub fn utf16_position(&self, offset: usize) -> (u32, u32) {
        let o = self.clamp(offset);
        let line = self.line_of(o);
        let start = self.line_starts[line];
        let col: usize = self.text[start..o].chars().map(char::len_utf16).sum();
        (line as u32, col as u32)
    }

    /// Byte offset of a 0-based line and UTF-16 column (clamped to the line).
    pub fn offset_of_utf16(&self, line: u32, col: u32) -> usize {
        let line = line as usize;
        if line >= self.line_starts.len() {
            return self.text.len();
        }
        let start = self.line_starts[line];
        let end = self.line_start(line + 1);
        let mut units = 0u32;
        for (i, ch) in self.text[start..end].char_indices() {
            if units >= col || ch == '\n' {
                return start + i;
            }
            units += ch.len_utf16() as u32;
        }
        end
    }
}

/// Every file a run has read: rule files and event files alike.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, name: impl Into<String>, path: Option<&Path>, text: String) -> FileId {
        self.push(SourceFile::new(name, path.map(Path::to_path_buf), text))
    }

    pub fn push(&mut self, file: SourceFile) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files.push(file);
        id
    }

    /// The files, to move into another map.
    pub fn into_files(self) -> Vec<SourceFile> {
        self.files
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn try_get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    /// The text a span covers (empty if the span is out of range).
    pub fn slice(&self, span: Span) -> &str {
        let Some(f) = self.try_get(span.file) else {
            return "";
        };
        let (s, e) = (f.local(span.start), f.local(span.end));
        &f.text[s..e.max(s)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("a", None, "ab\nçé x\n".to_string());
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(3), LineCol { line: 2, column: 1 });
        // 'x' is after two 2-byte characters and a space.
        assert_eq!(f.line_col(8), LineCol { line: 2, column: 4 });
    }

    #[test]
    fn utf16_round_trip() {
        let f = SourceFile::new("a", None, "# 𝄞 clef\nban x".to_string());
        let off = f.text.find("clef").unwrap_or(0);
        let (l, c) = f.utf16_position(off);
        assert_eq!((l, c), (0, 5)); // '𝄞' is two UTF-16 units
        assert_eq!(f.offset_of_utf16(l, c), off);
        assert_eq!(f.offset_of_utf16(9, 0), f.text.len());
    }
}
