//! Between sanc's byte spans and the LSP's UTF-16 positions, and from
//! sanc's diagnostics to the LSP's.

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{SourceFile, SourceMap, Span};
use lsp_types as lsp;
use std::path::Path;

pub fn position(file: &SourceFile, offset: usize) -> lsp::Position {
    let (line, character) = file.utf16_position(offset);
    lsp::Position { line, character }
}

pub fn range(sources: &SourceMap, span: Span) -> Option<lsp::Range> {
    let f = sources.try_get(span.file)?;
    Some(lsp::Range {
        start: position(f, span.start),
        end: position(f, span.end),
    })
}

pub fn offset(file: &SourceFile, pos: lsp::Position) -> usize {
    file.offset_of_utf16(pos.line, pos.character)
}

pub fn uri(path: &Path) -> Option<lsp::Url> {
    lsp::Url::from_file_path(path).ok()
}

pub fn location(sources: &SourceMap, span: Span) -> Option<lsp::Location> {
    let f = sources.try_get(span.file)?;
    Some(lsp::Location {
        uri: uri(f.path.as_deref()?)?,
        range: range(sources, span)?,
    })
}

/// A sanc diagnostic as the editor shows it: the same message and code as
/// `sanc check`, the help on a second line, other places as related info.
pub fn diagnostic(d: &Diagnostic, sources: &SourceMap) -> Option<lsp::Diagnostic> {
    let primary = d.labels.first()?;
    let mut message = d.message.clone();
    if let Some(label) = &primary.message {
        message.push_str(&format!(" ({label})"));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .labels
        .iter()
        .skip(1)
        .filter_map(|l| {
            Some(lsp::DiagnosticRelatedInformation {
                location: location(sources, l.span)?,
                message: l.message.clone().unwrap_or_else(|| "see also".into()),
            })
        })
        .collect();
    Some(lsp::Diagnostic {
        range: range(sources, primary.span)?,
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            Severity::Advice => lsp::DiagnosticSeverity::HINT,
        }),
        code: Some(lsp::NumberOrString::String(d.code.to_string())),
        source: Some("sanc".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp::Diagnostic::default()
    })
}
