//! Window summaries of caps, in every format: a table for people, Markdown
//! and CSV for a report's annex, and JSON. One row per window of a cap
//! (with or without findings): its total, share of the cap, the day each
//! threshold and the cap were first passed, totals by evidence and by
//! supplier, and the scenarios (firm evidence only, low and high bounds).

use super::words::{percent, period_words};
use crate::eval::{Crossing, Scenario, WindowSummary};
use crate::events::Evidence;
use crate::exact::{self, Exact};
use crate::model::{RuleKind, RuleSet};
use crate::units::{format_amount, plain_amount};
use serde::Serialize;

/// The window's label, with the party of a `by` cap.
pub fn label(rules: &RuleSet, s: &WindowSummary) -> String {
    let l = match &rules.rules[s.rule].kind {
        RuleKind::Cap { period, .. } => crate::eval::windows::label(period, s.start, s.end),
        _ => String::new(),
    };
    match &s.group {
        Some(g) => format!("{l} {g}"),
        None => l,
    }
}

fn share_of(x: &Exact, limit: rust_decimal::Decimal) -> String {
    exact::share(x, limit)
        .map(|s| percent(&s))
        .unwrap_or_default()
}

/// `notified 382,597 (76.5%), modelled 759,793 (152.0%)`
pub fn by_evidence(s: &WindowSummary) -> String {
    s.by_evidence
        .iter()
        .map(|(e, t)| {
            format!(
                "{} {} ({})",
                e.as_str(),
                exact::human(t),
                share_of(t, s.limit)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `RUS 15,279 (3.1%), not named 153,400 (30.7%)`
pub fn by_supplier(s: &WindowSummary) -> String {
    s.by_supplier
        .iter()
        .map(|(p, t)| {
            format!(
                "{} {} ({})",
                p.as_deref().unwrap_or("not named"),
                exact::human(t),
                share_of(t, s.limit)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn evidence_stated(s: &WindowSummary) -> bool {
    s.by_evidence.iter().any(|(e, _)| *e != Evidence::Unstated)
}

fn scenario_words(name: &str, sc: &Scenario, limit: rust_decimal::Decimal) -> String {
    match sc.passed {
        Some(d) => format!(
            "{name}: over the cap on {d} ({})",
            share_of(&sc.total, limit)
        ),
        None => format!(
            "{name}: {} ({}), not over the cap",
            exact::human(&sc.total),
            share_of(&sc.total, limit)
        ),
    }
}

/// The attribution and scenarios in words: which evidence took the window
/// over the cap, and the range of breach dates the bounds give.
pub fn findings_words(s: &WindowSummary) -> Vec<String> {
    let mut out = Vec::new();
    if let (Some(passed), Some(firm)) = (&s.passed, &s.firm) {
        if firm.passed.is_none() {
            let others: Vec<&str> = s
                .by_evidence
                .iter()
                .filter(|(e, _)| !crate::eval::is_firm(*e))
                .map(|(e, _)| e.as_str())
                .collect();
            out.push(format!(
                "over the cap on {}; notified figures alone stay under it ({}): {} figures took it over",
                passed.date,
                share_of(&firm.total, s.limit),
                others.join(" and ")
            ));
        } else {
            out.push(scenario_words("notified figures alone", firm, s.limit));
        }
    } else if let Some(firm) = &s.firm {
        out.push(scenario_words("notified figures alone", firm, s.limit));
    }
    if let (Some(low), Some(high)) = (&s.low, &s.high) {
        match (high.passed, low.passed) {
            (Some(h), Some(l)) if h != l => out.push(format!(
                "over the cap between {h} (every estimate at its high bound) and {l} (at its low bound)"
            )),
            _ => {
                out.push(scenario_words("at the low bounds", low, s.limit));
                out.push(scenario_words("at the high bounds", high, s.limit));
            }
        }
    }
    out
}

/// The caps' window tables for people, at most 100 columns wide.
pub fn human(rules: &RuleSet, summaries: &[WindowSummary]) -> String {
    let mut out = String::new();
    for group in by_rule(summaries) {
        let first = &group[0];
        let rule = &rules.rules[first.rule];
        let several_limits = group.iter().any(|s| s.limit_index > 0);
        let mut head = format!(
            "{} · {} {} per {}",
            rule.id,
            format_amount(first.limit),
            first.unit,
            period_words(rule)
        );
        if several_limits {
            head = format!("{} · limits apart", rule.id);
        }
        if let Some(c) = &rule.cite {
            head.push_str(&format!(" · {c}"));
        }
        out.push_str(&wrap(&head, "", super::human::WIDTH));
        let thresholds: Vec<String> = first
            .thresholds
            .iter()
            .map(|(p, _)| format!("{}%", plain_amount(*p)))
            .collect();
        let inline = thresholds.len() <= 3;
        let mut rows: Vec<Vec<String>> = vec![{
            let mut h = vec![
                "window".to_string(),
                "events".into(),
                format!("total ({})", first.unit),
                "share".into(),
            ];
            if inline {
                h.extend(thresholds.iter().cloned());
            }
            h.push("over the cap".into());
            h
        }];
        let mut notes: Vec<Vec<String>> = vec![Vec::new()];
        for s in &group {
            let mut r = vec![
                label(rules, s),
                s.events.to_string(),
                exact::human(&s.total),
                s.share().map(|x| percent(&x)).unwrap_or_default(),
            ];
            let date =
                |c: &Option<Crossing>| c.as_ref().map_or("-".to_string(), |c| c.date.to_string());
            if inline {
                r.extend(s.thresholds.iter().map(|(_, c)| date(c)));
            }
            r.push(date(&s.passed));
            if several_limits {
                r[2] = format!("{} {}", exact::human(&s.total), s.unit);
            }
            rows.push(r);
            let mut n = Vec::new();
            if !inline && !s.thresholds.is_empty() {
                let t: Vec<String> = s
                    .thresholds
                    .iter()
                    .map(|(p, c)| format!("{}% {}", plain_amount(*p), date(c)))
                    .collect();
                n.push(format!("thresholds: {}", t.join(", ")));
            }
            let mut parts = Vec::new();
            if evidence_stated(s) {
                parts.push(format!("by evidence: {}", by_evidence(s)));
            }
            if s.by_supplier.len() > 1 || s.by_supplier.iter().any(|(p, _)| p.is_some()) {
                parts.push(format!("by supplier: {}", by_supplier(s)));
            }
            if !parts.is_empty() {
                n.push(parts.join(" · "));
            }
            // A window with findings has its attribution in its block.
            if s.passed.is_none() {
                n.extend(findings_words(s));
            }
            notes.push(n);
        }
        let widths: Vec<usize> = (0..rows[0].len())
            .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
            .collect();
        for (r, n) in rows.iter().zip(&notes) {
            let mut line = String::from("  ");
            for (c, cell) in r.iter().enumerate() {
                let pad = widths[c] - cell.chars().count();
                if c == 0 {
                    line.push_str(cell);
                    line.push_str(&" ".repeat(pad));
                } else {
                    line.push_str("  ");
                    line.push_str(&" ".repeat(pad));
                    line.push_str(cell);
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
            for note in n {
                out.push_str(&wrap(note, "      ", super::human::WIDTH));
            }
        }
        out.push('\n');
    }
    out
}

/// Summaries grouped by rule (they come sorted by rule).
fn by_rule(summaries: &[WindowSummary]) -> Vec<Vec<&WindowSummary>> {
    let mut out: Vec<Vec<&WindowSummary>> = Vec::new();
    for s in summaries {
        match out.last_mut() {
            Some(g) if g[0].rule == s.rule => g.push(s),
            _ => out.push(vec![s]),
        }
    }
    out
}

/// `text` in lines of at most `width` columns, the first starting with
/// `indent`, the others two columns further in, broken at spaces (a word
/// too long for a line is cut).
pub fn wrap(text: &str, indent: &str, width: usize) -> String {
    let room = width.saturating_sub(indent.chars().count() + 2).max(10);
    let mut out = String::new();
    let mut line = String::from(indent);
    let mut empty = true;
    let words = text.split(' ').flat_map(|w| {
        let chars: Vec<char> = w.chars().collect();
        chars
            .chunks(room)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
    });
    for word in words {
        let len = line.chars().count();
        if !empty && len + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line = format!("{indent}  ");
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(&word);
        empty = false;
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// A Markdown table per cap, for a report's annex.
pub fn markdown(rules: &RuleSet, summaries: &[WindowSummary]) -> String {
    let mut out = String::new();
    for group in by_rule(summaries) {
        let first = &group[0];
        let rule = &rules.rules[first.rule];
        out.push_str(&format!(
            "### `{}`: {} {} per {}\n\n",
            rule.id,
            format_amount(first.limit),
            first.unit,
            period_words(rule)
        ));
        if let Some(c) = &rule.cite {
            out.push_str(&format!("{c}\n\n"));
        }
        let th: Vec<String> = first
            .thresholds
            .iter()
            .map(|(p, _)| format!("{}% reached", plain_amount(*p)))
            .collect();
        let mut head = vec!["window", "events", "total", "share"];
        head.extend(th.iter().map(String::as_str));
        head.extend(["over the cap", "by evidence", "by supplier", "notes"]);
        out.push_str(&format!("| {} |\n", head.join(" | ")));
        let align: Vec<&str> = head
            .iter()
            .enumerate()
            .map(|(i, _)| if (1..4).contains(&i) { "---:" } else { "---" })
            .collect();
        out.push_str(&format!("| {} |\n", align.join(" | ")));
        for s in &group {
            let date = |c: &Option<Crossing>| {
                c.as_ref()
                    .map_or("–".to_string(), |c| format!("{} (`{}`)", c.date, c.event))
            };
            let mut r = vec![
                label(rules, s),
                s.events.to_string(),
                format!("{} {}", exact::human(&s.total), s.unit),
                s.share().map(|x| percent(&x)).unwrap_or_default(),
            ];
            r.extend(s.thresholds.iter().map(|(_, c)| date(c)));
            r.push(date(&s.passed));
            r.push(by_evidence(s));
            r.push(by_supplier(s));
            r.push(findings_words(s).join("; "));
            let r: Vec<String> = r.iter().map(|c| c.replace('|', "\\|")).collect();
            out.push_str(&format!("| {} |\n", r.join(" | ")));
        }
        out.push('\n');
    }
    out
}

/// One CSV table of every window: a row for the window (`part` = `all`),
/// then one per kind of evidence and per supplier.
pub fn csv(rules: &RuleSet, summaries: &[WindowSummary]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "rule",
        "window",
        "start",
        "end",
        "group",
        "part",
        "key",
        "events",
        "total",
        "unit",
        "limit",
        "share",
        "thresholds",
        "over_the_cap",
        "over_the_cap_event",
    ])?;
    for s in summaries {
        let rule = &rules.rules[s.rule];
        let base = |part: &str, key: &str, total: &Exact, events: String| {
            vec![
                rule.id.clone(),
                label(rules, s),
                s.start.to_string(),
                s.end.to_string(),
                s.group.as_deref().unwrap_or("").to_string(),
                part.to_string(),
                key.to_string(),
                events,
                exact::plain(total),
                s.unit.to_string(),
                plain_amount(s.limit),
                exact::share(total, s.limit)
                    .map(|x| exact::plain(&x))
                    .unwrap_or_default(),
            ]
        };
        let mut row = base("all", "", &s.total, s.events.to_string());
        let th: Vec<String> = s
            .thresholds
            .iter()
            .map(|(p, c)| {
                format!(
                    "{}%: {}",
                    plain_amount(*p),
                    c.as_ref().map_or("-".to_string(), |c| c.date.to_string())
                )
            })
            .collect();
        row.push(th.join("; "));
        row.push(
            s.passed
                .as_ref()
                .map_or(String::new(), |c| c.date.to_string()),
        );
        row.push(
            s.passed
                .as_ref()
                .map_or(String::new(), |c| c.event.to_string()),
        );
        w.write_record(&row)?;
        for (e, t) in &s.by_evidence {
            let mut r = base("evidence", e.as_str(), t, String::new());
            r.extend([String::new(), String::new(), String::new()]);
            w.write_record(&r)?;
        }
        for (p, t) in &s.by_supplier {
            let mut r = base(
                "supplier",
                p.as_deref().unwrap_or("not named"),
                t,
                String::new(),
            );
            r.extend([String::new(), String::new(), String::new()]);
            w.write_record(&r)?;
        }
        for (name, sc) in [
            ("firm evidence only", &s.firm),
            ("low bounds", &s.low),
            ("high bounds", &s.high),
        ] {
            if let Some(sc) = sc {
                let mut r = base("scenario", name, &sc.total, String::new());
                r.extend([
                    String::new(),
                    sc.passed.map(|d| d.to_string()).unwrap_or_default(),
                    String::new(),
                ]);
                w.write_record(&r)?;
            }
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[derive(Debug, Serialize)]
pub struct JsonCrossing {
    pub date: String,
    pub event: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<&'static str>,
    /// The window's total before this event.
    pub total_before: String,
}

#[derive(Debug, Serialize)]
pub struct JsonThreshold {
    pub percent: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reached: Option<JsonCrossing>,
}

#[derive(Debug, Serialize)]
pub struct JsonPart {
    pub key: String,
    pub total: String,
    pub share: String,
}

#[derive(Debug, Serialize)]
pub struct JsonScenario {
    pub total: String,
    pub share: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_the_cap: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct JsonWindow {
    pub rule: String,
    pub window: String,
    pub start: String,
    pub end: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub events: usize,
    pub total: String,
    pub limit: String,
    pub unit: &'static str,
    pub share: String,
    pub thresholds: Vec<JsonThreshold>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_the_cap: Option<JsonCrossing>,
    pub by_evidence: Vec<JsonPart>,
    pub by_supplier: Vec<JsonPart>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub firm_evidence_only: Option<JsonScenario>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub low_bounds: Option<JsonScenario>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub high_bounds: Option<JsonScenario>,
    /// The attribution and scenarios in words.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

pub fn json(rules: &RuleSet, summaries: &[WindowSummary]) -> Vec<JsonWindow> {
    let share = |x: &Exact, l| {
        exact::share(x, l)
            .map(|x| exact::plain(&x))
            .unwrap_or_default()
    };
    summaries
        .iter()
        .map(|s| {
            let crossing = |c: &Crossing| JsonCrossing {
                date: c.date.to_string(),
                event: c.event.to_string(),
                evidence: (c.evidence != Evidence::Unstated).then(|| c.evidence.as_str()),
                total_before: exact::plain(&c.before),
            };
            let scenario = |sc: &Option<Scenario>| {
                sc.as_ref().map(|sc| JsonScenario {
                    total: exact::plain(&sc.total),
                    share: share(&sc.total, s.limit),
                    over_the_cap: sc.passed.map(|d| d.to_string()),
                })
            };
            JsonWindow {
                rule: rules.rules[s.rule].id.clone(),
                window: label(rules, s),
                start: s.start.to_string(),
                end: s.end.to_string(),
                group: s.group.as_deref().map(str::to_string),
                events: s.events,
                total: exact::plain(&s.total),
                limit: plain_amount(s.limit),
                unit: s.unit,
                share: share(&s.total, s.limit),
                thresholds: s
                    .thresholds
                    .iter()
                    .map(|(p, c)| JsonThreshold {
                        percent: plain_amount(*p),
                        reached: c.as_ref().map(crossing),
                    })
                    .collect(),
                over_the_cap: s.passed.as_ref().map(crossing),
                by_evidence: s
                    .by_evidence
                    .iter()
                    .map(|(e, t)| JsonPart {
                        key: e.as_str().to_string(),
                        total: exact::plain(t),
                        share: share(t, s.limit),
                    })
                    .collect(),
                by_supplier: s
                    .by_supplier
                    .iter()
                    .map(|(p, t)| JsonPart {
                        key: p.as_deref().unwrap_or("").to_string(),
                        total: exact::plain(t),
                        share: share(t, s.limit),
                    })
                    .collect(),
                firm_evidence_only: scenario(&s.firm),
                low_bounds: scenario(&s.low),
                high_bounds: scenario(&s.high),
                notes: findings_words(s),
            }
        })
        .collect()
}
