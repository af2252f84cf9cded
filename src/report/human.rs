//! Human output: miette graphical reports. Labels in other files than the
//! primary one become `related` reports, so one diagnostic can point into a
//! rule file and an event file at once.

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::source::{FileId, SourceMap};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use std::fmt;
use std::sync::Arc;

/// Renders diagnostics the way a terminal user sees them.
pub struct HumanRenderer {
    handler: GraphicalReportHandler,
}

/// Width used for every rendering, so output (and snapshots) do not depend
/// on the terminal.
pub const WIDTH: usize = 100;

impl HumanRenderer {
    pub fn new(color: bool) -> Self {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        HumanRenderer {
            handler: GraphicalReportHandler::new_themed(theme)
                .with_width(WIDTH)
                .with_wrap_lines(false)
                .with_links(false),
        }
    }

    pub fn render(&self, diag: &Diagnostic, sources: &SourceMap) -> String {
        self.render_parts(
            diag.code.as_str(),
            diag.severity,
            &diag.message,
            &diag.labels,
            diag.help.as_deref(),
            sources,
        )
    }

    /// Render anything shaped like a diagnostic (findings use their rule id as code).
    pub fn render_parts(
        &self,
        code: &str,
        severity: Severity,
        message: &str,
        labels: &[Label],
        help: Option<&str>,
        sources: &SourceMap,
    ) -> String {
        let report = Report::build(code, severity, message, labels, help, sources);
        let mut out = String::new();
        // miette panics on some extreme layouts; a plain line is better
        // than a crash.
        let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.handler.render_report(&mut out, &report)
        }));
        if !matches!(rendered, Ok(Ok(()))) {
            out = format!("{code}: {message}\n");
        }
        out
    }
}

/// A diagnostic in the shape miette renders.
#[derive(Debug)]
struct Report {
    message: String,
    code: Option<String>,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<Snippet>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl Report {
    fn build(
        code: &str,
        severity: Severity,
        message: &str,
        all_labels: &[Label],
        help: Option<&str>,
        sources: &SourceMap,
    ) -> Report {
        // Group labels by file, keeping the primary file first.
        let mut files: Vec<FileId> = Vec::new();
        for l in all_labels {
            if !files.contains(&l.span.file) {
                files.push(l.span.file);
            }
        }
        let mut reports = files.iter().map(|&f| {
            let spans: Vec<(usize, usize)> = all_labels
                .iter()
                .filter(|l| l.span.file == f)
                .map(|l| (l.span.start, l.span.end))
                .collect();
            let source = sources.try_get(f).map(|file| around(file, &spans));
            let labels: Vec<LabeledSpan> = all_labels
                .iter()
                .filter(|l| l.span.file == f)
                .filter_map(|l| {
                    let file = sources.try_get(f)?;
                    let start = file.base + file.local(l.span.start);
                    let end = (file.base + file.local(l.span.end)).max(start);
                    // Only what the snippet shows (all of it, unless a
                    // line is too long to show whole).
                    let (start, end) = match &source {
                        Some(s) => {
                            let (lo, hi) = (s.base, s.base + s.text.len());
                            if start > hi || end < lo {
                                return None;
                            }
                            (start.max(lo), end.min(hi))
                        }
                        None => (start, end),
                    };
                    Some(LabeledSpan::new_with_span(
                        l.message.clone(),
                        SourceSpan::new(start.into(), end - start),
                    ))
                })
                .collect();
            (labels, source)
        });
        let (labels, source) = reports.next().unwrap_or_default();
        let related = reports
            .map(|(mut labels, source)| Report {
                // The first label's text heads the related report; the
                // underline then needs no text of its own.
                message: match labels.first_mut() {
                    Some(first) => {
                        let text = first.label().map(str::to_string);
                        *first = LabeledSpan::new_with_span(None, first.inner().to_owned());
                        text.unwrap_or_else(|| "see also".to_string())
                    }
                    None => "see also".to_string(),
                },
                code: None,
                severity: miette::Severity::Advice,
                help: None,
                source,
                labels,
                related: Vec::new(),
            })
            .collect();
        Report {
            message: message.to_string(),
            code: Some(code.to_string()),
            severity: match severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Advice => miette::Severity::Advice,
            },
            help: help.map(str::to_string),
            source,
            labels,
            related,
        }
    }
}

/// A file, or a piece of one, as miette reads it: offsets and line numbers
/// are those of the whole file.
#[derive(Debug)]
struct Snippet {
    name: String,
    text: Arc<String>,
    base: usize,
    first_line: usize,
    first_col: usize,
}

/// Lines of context shown around labels.
const CONTEXT: usize = 3;

/// The part of a file a report shows: the labelled lines and a few around
/// them. miette scans its source from the start for every report, so
/// handing it the whole file makes many reports on a large file slow.
fn around(file: &crate::source::SourceFile, spans: &[(usize, usize)]) -> Snippet {
    let lo = spans.iter().map(|s| file.local(s.0)).min().unwrap_or(0);
    let hi = spans.iter().map(|s| file.local(s.1)).max().unwrap_or(0);
    let first = file.line_of(lo).saturating_sub(CONTEXT);
    let last = file.line_of(hi) + CONTEXT;
    let (start, end) = (file.line_start(first), file.line_start(last + 1));
    let longest = file.text[start..end.max(start)]
        .split('\n')
        .map(str::len)
        .max()
        .unwrap_or(0);
    if longest > MAX_LINE {
        return window(file, spans.first().map_or(lo, |s| file.local(s.0)));
    }
    Snippet {
        name: file.name.clone(),
        text: Arc::new(file.text[start..end.max(start)].to_string()),
        base: file.base + start,
        first_line: file.first_line + first,
        first_col: if first == 0 { file.first_col } else { 0 },
    }
}

/// The longest line quoted whole, in bytes.
const MAX_LINE: usize = 400;

/// A piece of one line around `at`, for labels on a line too long to quote
/// (a string of megabytes): never more than [`MAX_LINE`] bytes.
fn window(file: &crate::source::SourceFile, at: usize) -> Snippet {
    let text = file.text.as_str();
    let line = file.line_of(at);
    let line_start = file.line_start(line);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let mut start = at.saturating_sub(MAX_LINE / 4).max(line_start);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (start + MAX_LINE).min(line_end);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let col = text[line_start..start].chars().count();
    Snippet {
        name: file.name.clone(),
        text: Arc::new(text[start..end].to_string()),
        base: file.base + start,
        first_line: file.first_line + line,
        first_col: col + if line == 0 { file.first_col } else { 0 },
    }
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let local = SourceSpan::new(span.offset().saturating_sub(self.base).into(), span.len());
        let inner = self.text.as_str().read_span(&local, before, after)?;
        // miette counts columns in bytes; sanc's JSON, SARIF and the
        // language server count characters, and so does this header.
        let data_start = inner.span().offset();
        let column = self
            .text
            .get(data_start.saturating_sub(inner.column())..data_start)
            .map_or(inner.column(), |s| s.chars().count());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            SourceSpan::new(
                (inner.span().offset() + self.base).into(),
                inner.span().len(),
            ),
            inner.line() + self.first_line,
            column + if inner.line() == 0 { self.first_col } else { 0 },
            inner.line_count(),
        )))
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }
}
