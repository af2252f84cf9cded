//! Findings for people, grouped: one block per rule and window (a cap's
//! window, a reporting duty's year, a ban's or price cap's rule). A cap's
//! block shows the thresholds, the shipment that took the total over the
//! cap and "and N later shipments, X bbl"; `verbose` lists every event.
//! Each finding line gives the date, the event, its quantity as given and
//! as counted, and a second line its place in the input and its `source`.
//! Every line fits [`WIDTH`] columns; the work is linear in the findings.

use super::human::WIDTH;
use super::summary::{findings_words, wrap};
use super::words::{self, given, percent};
use crate::eval::{Facts, Finding, FindingKind, Outcome, ReportStatus, WindowSummary};
use crate::events::read::Input;
use crate::exact::{self, Exact};
use crate::model::{Period, RuleKind, RuleSet};
use crate::source::SourceMap;
use crate::units::format_amount;
use chrono::{Datelike, NaiveDate};
use std::collections::HashMap;

/// Lines listed for a ban's or price cap's block, and for a reporting
/// duty's, before "and N more" (without `verbose`).
const LISTED: usize = 3;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    /// A fixed window of a cap: its first day, party and limit.
    Window(NaiveDate, Option<Box<str>>, u8),
    /// A year (reporting duties, rolling caps).
    Year(i32, Option<Box<str>>),
    /// The whole rule (bans, price caps).
    Rule,
}

fn key(rules: &RuleSet, f: &Finding) -> Key {
    match &f.facts {
        Facts::Cap(c) => match &rules.rules[f.rule].kind {
            RuleKind::Cap {
                period: Period::Days(_),
                ..
            } => Key::Year(f.date.year(), c.group.clone()),
            _ => Key::Window(c.start, c.group.clone(), c.limit_index),
        },
        Facts::Report(_) => Key::Year(f.date.year(), None),
        Facts::Ban(_) | Facts::Price(_) | Facts::PortCall(_) | Facts::Designated(_) => Key::Rule,
    }
}

fn symbol(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::Violation => "✗",
        FindingKind::Warning => "⚠",
    }
}

/// Every finding, grouped, each block followed by a blank line.
pub fn render(
    sources: &SourceMap,
    rules: &RuleSet,
    inputs: &[Input],
    outcome: &Outcome,
    verbose: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut index: HashMap<(usize, Key), usize> = HashMap::new();
    let mut blocks: Vec<Vec<&Finding>> = Vec::new();
    for f in &outcome.findings {
        let k = (f.rule, key(rules, f));
        let i = *index.entry(k).or_insert_with(|| {
            blocks.push(Vec::new());
            blocks.len() - 1
        });
        blocks[i].push(f);
    }
    let summaries: HashMap<(usize, NaiveDate, Option<&str>, usize), &WindowSummary> = outcome
        .summaries
        .iter()
        .map(|s| ((s.rule, s.start, s.group.as_deref(), s.limit_index), s))
        .collect();
    for block in &blocks {
        let first = block[0];
        let summary = first.cap().and_then(|c| {
            summaries
                .get(&(
                    first.rule,
                    c.start,
                    c.group.as_deref(),
                    usize::from(c.limit_index),
                ))
                .copied()
        });
        // Each block is written when rendered: the text of 300,000
        // findings is never held at once.
        let text = render_block(sources, rules, inputs, outcome, block, summary, verbose);
        out.write_all(text.as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

fn render_block(
    sources: &SourceMap,
    rules: &RuleSet,
    inputs: &[Input],
    outcome: &Outcome,
    block: &[&Finding],
    summary: Option<&WindowSummary>,
    verbose: bool,
) -> String {
    let first = block[0];
    let rule = &rules.rules[first.rule];
    let violations = block
        .iter()
        .filter(|f| f.kind == FindingKind::Violation)
        .count();
    let warnings = block.len() - violations;
    let kind = if violations > 0 {
        FindingKind::Violation
    } else {
        FindingKind::Warning
    };
    let what = match &first.facts {
        Facts::Cap(c) => match &rule.kind {
            RuleKind::Cap {
                period: Period::Days(d),
                ..
            } => {
                let group = c
                    .group
                    .as_deref()
                    .map(|g| format!(" {g}"))
                    .unwrap_or_default();
                format!("{d}-day windows ending in {}{group}", first.date.year())
            }
            _ => first.window_label(rules).unwrap_or_default(),
        },
        Facts::Report(_) => format!("shipments of {}", first.date.year()),
        Facts::Ban(_) => "ban".into(),
        Facts::Price(_) => "price cap".into(),
        Facts::PortCall(_) => "port calls".into(),
        Facts::Designated(_) => "supplies with a listed party".into(),
    };
    let mut counts = Vec::new();
    if violations > 0 {
        counts.push(super::plural(violations, "violation", "violations"));
    }
    if warnings > 0 {
        counts.push(super::plural(warnings, "warning", "warnings"));
    }
    let mut out = wrap(
        &format!(
            "{} {} · {what} · {}",
            symbol(kind),
            rule.id,
            counts.join(", ")
        ),
        "",
        WIDTH,
    );
    // Where the rule is, what it says, and its citation.
    let at = super::json::location(sources, rule.keyword)
        .map(|l| format!("{}:{}:{}", l.file, l.line, l.column))
        .unwrap_or_default();
    let mut about = format!("{at}: {}", rule_words(rules, first));
    if let Some(c) = &rule.cite {
        about.push_str(&format!(" · cite: {c}"));
    }
    out.push_str(&wrap(&about, "  ", WIDTH));
    if let Some(s) = summary {
        let mut line = format!(
            "the window's total: {} {} ({} of the cap, {} events)",
            exact::human(&s.total),
            s.unit,
            s.share().map(|x| percent(&x)).unwrap_or_default(),
            super::thousands(s.events)
        );
        for w in findings_words(s) {
            line.push_str("; ");
            line.push_str(&w);
        }
        out.push_str(&wrap(&line, "  ", WIDTH));
    }
    // The lines: every finding with `verbose`; else a cap's warnings and
    // first violation, or the first few of other rules.
    let mut shown = 0usize;
    let mut rest: Vec<&Finding> = Vec::new();
    let mut last_source = None;
    let mut passed = false;
    for f in block {
        let listed = verbose
            || match &f.facts {
                Facts::Cap(c) => c.threshold.is_some() || !passed,
                _ => shown < LISTED,
            };
        if f.cap().is_some_and(|c| c.threshold.is_none()) {
            passed = true;
        }
        if !listed {
            rest.push(f);
            continue;
        }
        shown += 1;
        out.push_str(&wrap(&finding_line(rules, f), "  ", WIDTH));
        if let Some(m) = words::matched_entries(f.matches()) {
            out.push_str(&wrap(&m, "      ", WIDTH));
        }
        let place = event_place(inputs, f);
        let source = outcome.text(f.source);
        let line = match source {
            Some(s) if last_source != Some(f.source) => format!("{place} · source: {s}"),
            _ => place,
        };
        last_source = Some(f.source);
        out.push_str(&clip(&format!("      {line}"), WIDTH));
        out.push('\n');
    }
    if !rest.is_empty() {
        // What they added to the limit (nothing, for one it cannot count).
        let amounts: Option<Exact> = rest
            .iter()
            .map(|f| f.cap().map(|c| c.amount.clone().unwrap_or_default()))
            .sum();
        let unit = first.limit(rules).map(|l| l.1).unwrap_or_default();
        let noun = if rest.len() == 1 {
            "shipment"
        } else {
            "shipments"
        };
        let line = match amounts {
            Some(a) if first.cap().is_some() => format!(
                "and {} later {noun}, {} {unit} (--verbose lists them)",
                super::thousands(rest.len()),
                exact::human(&a)
            ),
            _ => format!(
                "and {} later {noun} (--verbose lists them): {}",
                super::thousands(rest.len()),
                id_range(&rest)
            ),
        };
        out.push_str(&wrap(&line, "  ", WIDTH));
    }
    out
}

/// `est-2018-002 … est-2018-089`
fn id_range(rest: &[&Finding]) -> String {
    match (rest.first(), rest.last()) {
        (Some(a), Some(b)) if rest.len() > 1 => format!("{} … {}", a.event, b.event),
        (Some(a), _) => a.event.to_string(),
        _ => String::new(),
    }
}

/// What the rule says, briefly: `500,000 bbl of refined_petroleum to DPRK per calendar year`.
fn rule_words(rules: &RuleSet, f: &Finding) -> String {
    let rule = &rules.rules[f.rule];
    let scope = &rule.scope_text;
    match &rule.kind {
        RuleKind::Ban => format!("bans {scope}{}", words::in_force(rule)),
        RuleKind::CapPrice {
            amount,
            currency,
            per_unit,
        } => format!(
            "caps the price of {scope} at {} {}/{}{}: services for a cargo bought above it are prohibited",
            format_amount(*amount),
            currency.symbol,
            per_unit.symbol,
            words::in_force(rule)
        ),
        RuleKind::Cap { limits, .. } => {
            // A finding of `provided no` has no limit of its own: say the
            // rule's limits and its condition.
            let limit = match f.limit(rules) {
                Some((limit, unit)) => format!("{} {unit}", format_amount(limit)),
                None => limits
                    .iter()
                    .map(|l| format!("{} {}", format_amount(l.amount), l.unit.symbol))
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            let provided = match (&f.facts, &rule.conditions.provided) {
                (Facts::Designated(_), Some(p)) => {
                    format!(", provided no {} is on {}", words::provided_who(p), p.list)
                }
                _ => String::new(),
            };
            format!(
                "caps {scope} at {limit} per {}{provided}",
                words::period_words(rule)
            )
        }
        RuleKind::RequireReport { due } => {
            format!("requires a report of {scope} {due}")
        }
    }
}

/// `✗ 2018-03-31 cn-ru-2018-03: 4,337 t = 34,262.3 bbl, total 517,098.8 bbl (103.4%): over the cap`
fn finding_line(rules: &RuleSet, f: &Finding) -> String {
    let head = match f.evidence {
        crate::events::Evidence::Unstated => format!("{} {} {}", symbol(f.kind), f.date, f.event),
        e => format!("{} {} {} ({})", symbol(f.kind), f.date, f.event, e.as_str()),
    };
    match &f.facts {
        Facts::Cap(c) => {
            let unit = f.limit(rules).map(|l| l.1).unwrap_or_default();
            let quantity = match (&c.given, &c.amount) {
                (Some(g), Some(a)) if g.unit != unit => {
                    format!("{} = {} {unit}", given(g), exact::human(a))
                }
                (_, Some(a)) => format!("{} {unit}", exact::human(a)),
                (Some(g), None) => format!("{} (not countable in {unit})", given(g)),
                (None, None) => format!("nothing countable in {unit}"),
            };
            let what = match c.threshold {
                Some(p) => format!("{p}% reached"),
                None => "over the cap".into(),
            };
            format!(
                "{head}: {quantity}, total {} {unit} ({}): {what}",
                exact::human(&c.total),
                f.share(rules).map(|s| percent(&s)).unwrap_or_default()
            )
        }
        Facts::Report(r) => {
            let status = match &r.status {
                ReportStatus::Late { report, on } => {
                    format!("reported late, on {on} (`{report}`); due by {}", r.deadline)
                }
                ReportStatus::Missing { .. } => format!("not reported; due by {}", r.deadline),
                ReportStatus::Pending { .. } => format!("report pending; due by {}", r.deadline),
            };
            format!("{head}: {status}")
        }
        Facts::Ban(_) | Facts::Price(_) | Facts::PortCall(_) | Facts::Designated(_) => {
            format!("{head}: {}", words::message(rules, f))
        }
    }
}

/// `reported.json:40:3`
fn event_place(inputs: &[Input], f: &Finding) -> String {
    let file = inputs
        .get(f.loc.input as usize)
        .map(|i| i.name.as_str())
        .unwrap_or("");
    format!("{file}:{}:{}", f.loc.line, f.loc.column)
}

/// At most `width` columns, ending in `…` when cut.
fn clip(line: &str, width: usize) -> String {
    if line.chars().count() <= width {
        return line.to_string();
    }
    let mut s: String = line.chars().take(width - 1).collect();
    s.push('…');
    s
}
