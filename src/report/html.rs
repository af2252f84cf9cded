//! `sanc report`: one self-contained HTML page for a run (no script, no
//! font, no request: a Content-Security-Policy forbids any). Per cap, a
//! cumulative chart of each window against the cap, with the warning
//! thresholds and the breach marked, stacked by evidence and by supplier
//! (SVG written here); the findings with their citations; the bans and
//! price caps; an annex of the events with their sources; the run's stats
//! and diagnostics. Laid out to print to PDF.
//!
//! Chart coordinates are the only numbers here not computed exactly:
//! totals are converted to floating point to place them in pixels, never
//! to print them.

use super::eval as eval_report;
use super::eval::Run;
use super::summary::{findings_words, label};
use super::words::{self, given, percent};
use crate::diagnostic::Diagnostic;
use crate::eval::{Facts, FindingKind, Step, WindowSummary};
use crate::events::Evidence;
use crate::exact::{self, Exact};
use crate::model::RuleKind;
use crate::source::SourceMap;
use crate::units::format_amount;
use chrono::NaiveDate;
use num_traits::ToPrimitive;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;

/// Text made safe for HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// No request of any kind: only the page's own styles and inline images.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE: &str = "
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#111;margin:2em auto;max-width:1000px;padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.6em;border-bottom:1px solid #ccc}h3{margin-bottom:.3em}
table{border-collapse:collapse;width:100%;margin:.5em 0 1em}th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.n{text-align:right;white-space:nowrap}.violation{color:#b00020}.warning{color:#8a5a00}
.note{color:#333;margin:.2em 0}.muted{color:#666}svg{display:block;width:100%;height:auto;margin:.4em 0 1em}
.legend span{display:inline-block;margin-right:1em}.legend i{display:inline-block;width:.9em;height:.9em;margin-right:.3em;vertical-align:-.1em}
figure{margin:0;break-inside:avoid;page-break-inside:avoid}tr{break-inside:avoid;page-break-inside:avoid}
@media print{body{margin:0;max-width:none;font-size:11px}h2{break-after:avoid;page-break-after:avoid}a{color:#111}}
";

fn evidence_color(e: Evidence) -> &'static str {
    match e {
        Evidence::Notified => "#1b7837",
        Evidence::Customs => "#7fbf7b",
        Evidence::Reported => "#762a83",
        Evidence::Estimated => "#f1a340",
        Evidence::Modelled => "#d95f02",
        Evidence::Unstated => "#9e9e9e",
    }
}

const PALETTE: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
];

/// The page for a run whose rules have errors: the diagnostics only.
pub fn rules_failed(sources: &SourceMap, diags: &[Diagnostic]) -> String {
    let mut out = head("sanc report: the rules have errors");
    out.push_str("<h1>The rules have errors</h1><p>No event was evaluated.</p>");
    let json: Vec<_> = diags
        .iter()
        .map(|d| super::json::diagnostic(d, sources))
        .collect();
    diagnostics_table(&mut out, &json);
    out.push_str("</body></html>\n");
    out
}

fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style></head><body>\n",
        esc(title)
    )
}

/// The report of a run whose reporting deadlines were judged as of `as_of`.
pub fn render(run: &Run, as_of: NaiveDate) -> String {
    let outcome = run.outcome;
    let mut out = head("sanc report");
    let s = &outcome.stats;
    let _ = write!(
        out,
        "<h1>sanc report</h1><p class=\"muted\">Rules judged as of {}; inputs: {}.</p><p><b>{}</b></p>",
        as_of,
        esc(&run
            .inputs
            .iter()
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")),
        esc(&eval_report::summary(s, eval_report::errors(run.rule_diags, outcome)))
            .replace('\n', "<br>")
    );
    // Caps: a section per rule with windows.
    out.push_str("<h2 id=\"caps\">Caps</h2>");
    let mut rule_order: Vec<usize> = outcome.summaries.iter().map(|s| s.rule).collect();
    rule_order.dedup();
    if rule_order.is_empty() {
        out.push_str("<p>No cap counted an event.</p>");
    }
    for ri in rule_order {
        let windows: Vec<&WindowSummary> =
            outcome.summaries.iter().filter(|s| s.rule == ri).collect();
        cap_section(&mut out, run, ri, &windows);
    }
    findings_table(&mut out, run);
    bans_and_price_caps(&mut out, run);
    annex(&mut out, run);
    out.push_str("<h2 id=\"stats\">Run</h2><table>");
    let rows: [(&str, usize); 9] = [
        ("events read", s.events_read),
        ("evaluated", s.events_evaluated),
        ("rejected", s.events_rejected),
        ("not evaluable", s.events_not_evaluable),
        ("left out by --evidence", s.events_left_out),
        ("rules", s.rules),
        ("violations", s.violations),
        ("warnings", s.warnings),
        ("errors", eval_report::errors(run.rule_diags, outcome)),
    ];
    for (k, v) in rows {
        let _ = write!(
            out,
            "<tr><th>{k}</th><td class=\"n\">{}</td></tr>",
            super::thousands(v)
        );
    }
    out.push_str("</table>");
    let diagnostics: Vec<_> = eval_report::json_diagnostics(run).collect();
    out.push_str("<h2 id=\"diagnostics\">Diagnostics</h2>");
    diagnostics_table(&mut out, &diagnostics);
    out.push_str("<p class=\"muted\">Written by sanc; this page loads nothing from anywhere.</p></body></html>\n");
    out
}

fn diagnostics_table(out: &mut String, diags: &[super::json::JsonDiagnostic]) {
    if diags.is_empty() {
        out.push_str("<p>None.</p>");
        return;
    }
    out.push_str(
        "<table><tr><th>severity</th><th>code</th><th>where</th><th>message</th><th>help</th></tr>",
    );
    for d in diags {
        let at = match (&d.file, d.line, d.column) {
            (Some(f), Some(l), Some(c)) => format!("{f}:{l}:{c}"),
            (Some(f), ..) => f.clone(),
            _ => String::new(),
        };
        let _ = write!(
            out,
            "<tr><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            if d.severity == "error" {
                "violation"
            } else {
                "warning"
            },
            d.severity,
            esc(d.code.as_str()),
            esc(&at),
            esc(&d.message),
            esc(d.help.as_deref().unwrap_or(""))
        );
    }
    out.push_str("</table>");
}

fn cap_section(out: &mut String, run: &Run, ri: usize, windows: &[&WindowSummary]) {
    let rule = &run.rules.rules[ri];
    let first = windows[0];
    let _ = write!(
        out,
        "<section class=\"cap\" data-rule=\"{}\"><h3>{}: {} {} per {}</h3>",
        esc(&rule.id),
        esc(&rule.id),
        format_amount(first.limit),
        esc(first.unit),
        esc(&words::period_words(rule))
    );
    if let Some(c) = &rule.cite {
        let _ = write!(out, "<p class=\"muted\">{}</p>", esc(c));
    }
    // The table of windows.
    out.push_str("<table><tr><th>window</th><th>events</th><th>total</th><th>share</th>");
    for (p, _) in &first.thresholds {
        let _ = write!(out, "<th>{}% reached</th>", format_amount(*p));
    }
    out.push_str("<th>over the cap</th><th>by evidence</th><th>by supplier</th></tr>");
    for s in windows {
        let date = |c: &Option<crate::eval::Crossing>| {
            c.as_ref().map_or("–".to_string(), |c| {
                format!("{} ({})", c.date, esc(&c.event))
            })
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{} {}</td><td class=\"n\">{}</td>",
            esc(&label(run.rules, s)),
            s.events,
            exact::human(&s.total),
            esc(s.unit),
            s.share().map(|x| percent(&x)).unwrap_or_default()
        );
        for (_, c) in &s.thresholds {
            let _ = write!(out, "<td>{}</td>", date(c));
        }
        let _ = write!(
            out,
            "<td>{}</td><td>{}</td><td>{}</td></tr>",
            date(&s.passed),
            esc(&super::summary::by_evidence(s)),
            esc(&super::summary::by_supplier(s))
        );
    }
    out.push_str("</table>");
    for s in windows {
        for n in findings_words(s) {
            let _ = write!(
                out,
                "<p class=\"note\">{}: {}</p>",
                esc(&label(run.rules, s)),
                esc(&n)
            );
        }
    }
    // Two charts: stacked by evidence, and by supplier.
    let evidence_key = |st: &Step| -> (String, String) {
        (
            st.evidence.as_str().to_string(),
            evidence_color(st.evidence).to_string(),
        )
    };
    let mut suppliers: Vec<String> = Vec::new();
    for s in windows {
        for st in &s.steps {
            let name = st.supplier.as_deref().unwrap_or("not named").to_string();
            if !suppliers.contains(&name) {
                suppliers.push(name);
            }
        }
    }
    suppliers.sort_by_key(|n| n == "not named");
    let supplier_key = |st: &Step| -> (String, String) {
        let name = st.supplier.as_deref().unwrap_or("not named").to_string();
        let color = if name == "not named" {
            "#9e9e9e"
        } else {
            let i = suppliers.iter().position(|n| *n == name).unwrap_or(0);
            PALETTE[i % PALETTE.len()]
        };
        (name, color.to_string())
    };
    chart(out, run, rule, windows, "evidence", &evidence_key);
    chart(out, run, rule, windows, "supplier", &supplier_key);
    out.push_str("</section>");
}

/// Panel size and margins, in SVG units.
const PW: f64 = 300.0;
const PH: f64 = 170.0;
const GAP: f64 = 14.0;
const ML: f64 = 58.0;
const MR: f64 = 8.0;
const MT: f64 = 30.0;
const MB: f64 = 20.0;
const COLUMNS: usize = 3;

fn f(x: &Exact) -> f64 {
    x.to_f64().unwrap_or(0.0)
}

/// One chart of a cap: a panel per window, the cumulative total of each
/// key (evidence or supplier) stacked, against the cap.
fn chart(
    out: &mut String,
    run: &Run,
    rule: &crate::model::Rule,
    windows: &[&WindowSummary],
    by: &str,
    key: &dyn Fn(&Step) -> (String, String),
) {
    let rows = windows.len().div_ceil(COLUMNS);
    let width = COLUMNS as f64 * PW + (COLUMNS - 1) as f64 * GAP;
    let height = rows as f64 * (PH + GAP);
    let mut legend: Vec<(String, String)> = Vec::new();
    let _ = write!(
        out,
        "<figure><svg class=\"chart\" data-rule=\"{}\" data-by=\"{by}\" data-windows=\"{}\" viewBox=\"0 0 {width} {height}\" role=\"img\" font-size=\"10\" font-family=\"sans-serif\"><title>{}: cumulative total of each window against the cap, by {by}</title>",
        esc(&rule.id),
        windows.len(),
        esc(&rule.id)
    );
    for (n, s) in windows.iter().enumerate() {
        let ox = (n % COLUMNS) as f64 * (PW + GAP);
        let oy = (n / COLUMNS) as f64 * (PH + GAP);
        let limit = f(&exact::exact(s.limit));
        let top = limit.max(f(&s.total)) * 1.08;
        let top = if top > 0.0 { top } else { 1.0 };
        let (x0, x1) = (ox + ML, ox + PW - MR);
        let (y0, y1) = (oy + PH - MB, oy + MT);
        let days = ((s.end - s.start).num_days() + 1).max(1) as f64;
        let x = |d: NaiveDate| x0 + (d - s.start).num_days() as f64 / days * (x1 - x0);
        let y = |v: f64| y0 - v / top * (y0 - y1);
        let _ = write!(
            out,
            "<g class=\"window\" data-window=\"{}\"><rect x=\"{x0:.1}\" y=\"{y1:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#fafafa\" stroke=\"#ccc\"/>",
            esc(&label(run.rules, s)),
            x1 - x0,
            y0 - y1
        );
        // The cumulative series of each key, over the window's dates.
        let mut keys: Vec<(String, String)> = Vec::new();
        let mut dates: Vec<NaiveDate> = Vec::new();
        for st in &s.steps {
            let k = key(st);
            if !keys.contains(&k) {
                keys.push(k.clone());
            }
            if !legend.contains(&k) {
                legend.push(k);
            }
            if dates.last() != Some(&st.date) {
                dates.push(st.date);
            }
        }
        let mut cum = vec![vec![0.0f64; dates.len()]; keys.len()];
        let mut running = vec![Exact::default(); keys.len()];
        let mut di = 0;
        for st in &s.steps {
            while dates[di] != st.date {
                di += 1;
            }
            let k = keys.iter().position(|k| *k == key(st)).unwrap_or(0);
            running[k] += &st.amount;
            for (kk, r) in running.iter().enumerate() {
                cum[kk][di] = f(r);
            }
        }
        // Dates with no event of a key keep its running total.
        let mut lower = vec![0.0f64; dates.len()];
        for (k, (name, color)) in keys.iter().enumerate() {
            let upper: Vec<f64> = lower.iter().zip(&cum[k]).map(|(l, c)| l + c).collect();
            let mut pts: Vec<(f64, f64)> = vec![(x0, y(0.0))];
            let mut prev = 0.0;
            for (i, d) in dates.iter().enumerate() {
                pts.push((x(*d), y(prev)));
                pts.push((x(*d), y(upper[i])));
                prev = upper[i];
            }
            pts.push((x1, y(prev)));
            let mut prev_low = lower.last().copied().unwrap_or(0.0);
            pts.push((x1, y(prev_low)));
            for (i, d) in dates.iter().enumerate().rev() {
                pts.push((x(*d), y(lower[i])));
                prev_low = if i > 0 { lower[i - 1] } else { 0.0 };
                pts.push((x(*d), y(prev_low)));
            }
            pts.push((x0, y(0.0)));
            let path: Vec<String> = pts.iter().map(|(a, b)| format!("{a:.1},{b:.1}")).collect();
            let _ = write!(
                out,
                "<polygon class=\"layer\" points=\"{}\" fill=\"{color}\" fill-opacity=\"0.85\"><title>{}</title></polygon>",
                path.join(" "),
                esc(name)
            );
            lower = upper;
        }
        // The thresholds, the cap, and the breach.
        for (p, _) in &s.thresholds {
            let v = limit * p.to_f64().unwrap_or(0.0) / 100.0;
            let _ = write!(
                out,
                "<line class=\"threshold\" x1=\"{x0:.1}\" x2=\"{x1:.1}\" y1=\"{0:.1}\" y2=\"{0:.1}\" stroke=\"#b8860b\" stroke-dasharray=\"4 3\"/><text x=\"{2:.1}\" y=\"{1:.1}\" fill=\"#8a5a00\" font-size=\"8\">{3}%</text>",
                y(v),
                y(v) + 8.0,
                x0 + 3.0,
                format_amount(*p)
            );
        }
        let _ = write!(
            out,
            "<line class=\"cap-line\" x1=\"{x0:.1}\" x2=\"{x1:.1}\" y1=\"{0:.1}\" y2=\"{0:.1}\" stroke=\"#b00020\" stroke-width=\"1.5\"/><text x=\"{2:.1}\" y=\"{1:.1}\" text-anchor=\"end\" fill=\"#b00020\">{3}</text><text x=\"{2:.1}\" y=\"{4:.1}\" text-anchor=\"end\">0</text>",
            y(limit),
            y(limit) + 3.0,
            x0 - 3.0,
            format_amount(s.limit),
            y0
        );
        if let Some(c) = &s.passed {
            let bx = x(c.date);
            let _ = write!(
                out,
                "<line class=\"breach\" x1=\"{bx:.1}\" x2=\"{bx:.1}\" y1=\"{y0:.1}\" y2=\"{y1:.1}\" stroke=\"#b00020\" stroke-dasharray=\"2 2\"/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#b00020\" text-anchor=\"{}\">over the cap {}</text>",
                bx,
                y1 + 10.0,
                if bx > (x0 + x1) / 2.0 { "end" } else { "start" },
                c.date
            );
        }
        let _ = write!(
            out,
            "<text x=\"{x0:.1}\" y=\"{:.1}\" font-weight=\"bold\">{}</text><text x=\"{x1:.1}\" y=\"{:.1}\" text-anchor=\"end\">{} {} · {}</text><text x=\"{x0:.1}\" y=\"{:.1}\" fill=\"#666\">{}</text><text x=\"{x1:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#666\">{}</text></g>",
            oy + 12.0,
            esc(&label(run.rules, s)),
            oy + 12.0,
            exact::human(&s.total),
            esc(s.unit),
            s.share().map(|x| percent(&x)).unwrap_or_default(),
            y0 + 13.0,
            s.start,
            y0 + 13.0,
            s.end
        );
    }
    out.push_str("</svg><figcaption class=\"legend\">");
    let _ = write!(out, "By {by}: ");
    for (name, color) in &legend {
        let _ = write!(
            out,
            "<span><i style=\"background:{color}\"></i>{}</span>",
            esc(name)
        );
    }
    out.push_str("<span><i style=\"background:#b00020\"></i>the cap</span><span><i style=\"background:#b8860b\"></i>warning thresholds</span></figcaption></figure>");
}

fn findings_table(out: &mut String, run: &Run) {
    let rules = run.rules;
    out.push_str("<h2 id=\"findings\">Findings</h2>");
    if run.outcome.findings.is_empty() {
        out.push_str("<p>None.</p>");
        return;
    }
    out.push_str("<table><tr><th>date</th><th>finding</th><th>rule</th><th>event</th><th>what</th><th>citation</th><th>evidence</th></tr>");
    for fd in &run.outcome.findings {
        let rule = &rules.rules[fd.rule];
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"{k}\">{k}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            fd.date,
            esc(&rule.id),
            esc(&fd.event),
            esc(&words::message(rules, fd)),
            esc(rule.cite.as_deref().unwrap_or("")),
            if fd.evidence == Evidence::Unstated { "" } else { fd.evidence.as_str() },
            k = match fd.kind {
                FindingKind::Violation => "violation",
                FindingKind::Warning => "warning",
            },
        );
    }
    out.push_str("</table>");
}

fn bans_and_price_caps(out: &mut String, run: &Run) {
    let rules = run.rules;
    let mut count: BTreeMap<usize, usize> = BTreeMap::new();
    for fd in &run.outcome.findings {
        *count.entry(fd.rule).or_default() += 1;
    }
    out.push_str("<h2 id=\"bans\">Bans and price caps</h2><table><tr><th>rule</th><th>what it forbids</th><th>in force</th><th>citation</th><th>findings</th></tr>");
    for (ri, rule) in rules.rules.iter().enumerate() {
        let what = match &rule.kind {
            RuleKind::Ban => format!("bans {}", rule.scope_text),
            RuleKind::CapPrice {
                amount,
                currency,
                per_unit,
            } => format!(
                "services for {} bought above {} {}/{}",
                rule.scope_text,
                format_amount(*amount),
                currency.symbol,
                per_unit.symbol
            ),
            _ => continue,
        };
        let in_force = words::in_force(rule);
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
            esc(&rule.id),
            esc(&what),
            esc(in_force.trim()),
            esc(rule.cite.as_deref().unwrap_or("")),
            count.get(&ri).copied().unwrap_or(0)
        );
    }
    out.push_str("</table>");
}

/// Every event a finding or a cap's window names, with its source.
fn annex(out: &mut String, run: &Run) {
    struct Row<'a> {
        date: NaiveDate,
        event: &'a str,
        evidence: Evidence,
        quantity: String,
        at: (u32, u32, u32),
        source: Option<&'a str>,
    }
    let outcome = run.outcome;
    let mut seen: HashSet<(u32, u64)> = HashSet::new();
    let mut rows: Vec<Row> = Vec::new();
    for s in &outcome.summaries {
        for st in &s.steps {
            if seen.insert((st.loc.input, st.loc.offset)) {
                rows.push(Row {
                    date: st.date,
                    event: &st.event,
                    evidence: st.evidence,
                    quantity: st.given.as_ref().map(given).unwrap_or_default(),
                    at: (st.loc.input, st.loc.line, st.loc.column),
                    source: outcome.text(st.source),
                });
            }
        }
    }
    for fd in &outcome.findings {
        if seen.insert((fd.loc.input, fd.loc.offset)) {
            let quantity = match &fd.facts {
                Facts::Cap(c) => c.given,
                Facts::Ban(s) | Facts::Designated(s) => s.quantity,
                Facts::Price(p) => p.shipment.quantity,
                Facts::Report(_) | Facts::PortCall(_) => None,
            };
            rows.push(Row {
                date: fd.date,
                event: &fd.event,
                evidence: fd.evidence,
                quantity: quantity.as_ref().map(given).unwrap_or_default(),
                at: (fd.loc.input, fd.loc.line, fd.loc.column),
                source: outcome.text(fd.source),
            });
        }
    }
    rows.sort_by(|a, b| (a.date, a.event).cmp(&(b.date, b.event)));
    out.push_str("<h2 id=\"annex\">Annex: events and their sources</h2>");
    if rows.is_empty() {
        out.push_str("<p>None.</p>");
        return;
    }
    out.push_str("<table><tr><th>date</th><th>event</th><th>evidence</th><th>quantity</th><th>where</th><th>source</th></tr>");
    for r in rows {
        let file = run
            .inputs
            .get(r.at.0 as usize)
            .map(|i| i.name.as_str())
            .unwrap_or("");
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td>{}:{}:{}</td><td>{}</td></tr>",
            r.date,
            esc(r.event),
            r.evidence.as_str(),
            esc(&r.quantity),
            esc(file),
            r.at.1,
            r.at.2,
            esc(r.source.unwrap_or(""))
        );
    }
    out.push_str("</table>");
}
