//! Machine output: our own serde types with file, line and column (miette's
//! JSON handler only knows byte offsets). The shape is documented in
//! docs/output.md and is a contract.

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{SourceMap, Span};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct JsonLocation {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct JsonRelated {
    #[serde(flatten)]
    pub location: JsonLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct JsonDiagnostic {
    pub code: Code,
    pub severity: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<JsonRelated>,
    /// Event diagnostics: the offending field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Event diagnostics: the event's id, when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// Event diagnostics: whether the event was rejected (not evaluated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected: Option<bool>,
    /// Event diagnostics: what the problem did to the event's verdict:
    /// `rejected`, `not_evaluable` or `remark`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effect: Option<&'static str>,
    /// Event diagnostics that make an event not evaluable: the rule that
    /// could not judge it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

pub fn location(sources: &SourceMap, span: Span) -> Option<JsonLocation> {
    let f = sources.try_get(span.file)?;
    let lc = f.line_col(span.start);
    Some(JsonLocation {
        file: f.name.clone(),
        line: lc.line,
        column: lc.column,
    })
}

pub fn diagnostic(d: &Diagnostic, sources: &SourceMap) -> JsonDiagnostic {
    let primary = d.labels.first();
    let start = primary.and_then(|l| location(sources, l.span));
    let end = primary.and_then(|l| {
        let f = sources.try_get(l.span.file)?;
        Some(f.line_col(l.span.end))
    });
    JsonDiagnostic {
        code: d.code,
        severity: d.severity.as_str(),
        message: d.message.clone(),
        file: start.as_ref().map(|s| s.file.clone()),
        line: start.as_ref().map(|s| s.line),
        column: start.as_ref().map(|s| s.column),
        end_line: end.map(|e| e.line),
        end_column: end.map(|e| e.column),
        label: primary.and_then(|l| l.message.clone()),
        help: d.help.clone(),
        related: d
            .labels
            .iter()
            .skip(1)
            .filter_map(|l| {
                Some(JsonRelated {
                    location: location(sources, l.span)?,
                    message: l.message.clone(),
                })
            })
            .collect(),
        field: None,
        event: None,
        rejected: None,
        effect: None,
        rule: None,
    }
}

/// `sanc check --format json`: `{"diagnostics": [...], "stats": {...}}`.
#[derive(Debug, Serialize)]
pub struct CheckOutput {
    pub diagnostics: Vec<JsonDiagnostic>,
    pub stats: CheckStats,
}

#[derive(Debug, Serialize)]
pub struct CheckStats {
    pub files: usize,
    pub rules: usize,
    pub errors: usize,
    pub warnings: usize,
}
