//! SARIF 2.1.0 output for `sanc check --format sarif`, so CI systems and
//! code-scanning dashboards can show rule-file problems. Columns are
//! counted in Unicode code points, as the run says (`columnKind`).

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{SourceMap, Span};
use serde_json::{json, Value};

fn region(sources: &SourceMap, span: Span) -> Option<(String, Value)> {
    let f = sources.try_get(span.file)?;
    let (s, e) = (f.line_col(span.start), f.line_col(span.end));
    Some((
        f.name.clone(),
        json!({
            "startLine": s.line,
            "startColumn": s.column,
            "endLine": e.line,
            "endColumn": e.column.max(if e.line == s.line { s.column + 1 } else { 1 }),
        }),
    ))
}

/// A path as a URI reference: percent-encoded; absolute paths as `file:` URIs,
/// relative ones against `%SRCROOT%` (where sanc ran).
fn artifact(path: &str) -> Value {
    let mut encoded = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                encoded.push(b as char)
            }
            _ => encoded.push_str(&format!("%{b:02X}")),
        }
    }
    if path.starts_with('/') {
        json!({"uri": format!("file://{encoded}")})
    } else {
        json!({"uri": encoded, "uriBaseId": "%SRCROOT%"})
    }
}

fn physical(sources: &SourceMap, span: Span) -> Option<Value> {
    let (path, region) = region(sources, span)?;
    Some(json!({
        "artifactLocation": artifact(&path),
        "region": region,
    }))
}

/// `sanc::check::unknown_party` → `unknown party`.
fn short_description(code: &str) -> String {
    code.rsplit("::").next().unwrap_or(code).replace('_', " ")
}

/// One SARIF log with one run: a rule per diagnostic code that occurs, a
/// result per diagnostic.
pub fn log<'a>(diags: impl IntoIterator<Item = &'a Diagnostic>, sources: &SourceMap) -> Value {
    let diags: Vec<&Diagnostic> = diags.into_iter().collect();
    let mut codes: Vec<&str> = diags.iter().map(|d| d.code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    let rules: Vec<Value> = codes
        .iter()
        .map(|c| {
            json!({
                "id": c,
                "name": c.rsplit("::").next().unwrap_or(c),
                "shortDescription": {"text": short_description(c)},
                "help": {"text": format!("docs/diagnostics.md explains `{c}` with an example and a fix")},
            })
        })
        .collect();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let mut text = d.message.clone();
            if let Some(h) = &d.help {
                text.push_str(&format!("\nhelp: {h}"));
            }
            let mut r = json!({
                "ruleId": d.code,
                "ruleIndex": codes.iter().position(|c| *c == d.code.as_str()).unwrap_or(0),
                "level": match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Advice => "note",
                },
                "message": {"text": text},
            });
            if let Some(loc) = d.labels.first().and_then(|l| physical(sources, l.span)) {
                r["locations"] = json!([{"physicalLocation": loc}]);
            }
            let related: Vec<Value> = d
                .labels
                .iter()
                .skip(1)
                .enumerate()
                .filter_map(|(i, l)| {
                    Some(json!({
                        "id": i + 1,
                        "physicalLocation": physical(sources, l.span)?,
                        "message": {"text": l.message.clone().unwrap_or_else(|| "see also".into())},
                    }))
                })
                .collect();
            if !related.is_empty() {
                r["relatedLocations"] = Value::Array(related);
            }
            r
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "sanc",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn uris_are_encoded() {
        assert_eq!(
            super::artifact("dir x/a b#1%.sanc")["uri"],
            "dir%20x/a%20b%231%25.sanc"
        );
        assert_eq!(super::artifact("/abs/r.sanc")["uri"], "file:///abs/r.sanc");
        assert!(super::artifact("/abs/r.sanc").get("uriBaseId").is_none());
    }
}
