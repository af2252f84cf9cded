//! `sanc diff`: the same events under two rule sets.

use super::{write_json, Exit};
use chrono::NaiveDate;
use clap::ValueEnum;
use sanc::diff::{self, Diff, Row};
use sanc::loader;
use sanc::report::{human::HumanRenderer, plural};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Sections for people.
    Human,
    /// One JSON object (see docs/diff.md).
    Json,
    /// Markdown tables, for a pull request or a memo.
    Markdown,
}

pub(super) struct DiffArgs {
    pub(super) a: PathBuf,
    pub(super) b: PathBuf,
    pub(super) events: Vec<PathBuf>,
    pub(super) regime_a: Vec<String>,
    pub(super) regime_b: Vec<String>,
    pub(super) format: DiffFormat,
    pub(super) as_of: NaiveDate,
}

/// How a side is named in the output: its path, and its regimes if kept.
fn label(path: &std::path::Path, regimes: &[String]) -> String {
    if regimes.is_empty() {
        path.display().to_string()
    } else {
        format!("{} (regime {})", path.display(), regimes.join(", "))
    }
}

pub(super) fn diff(args: DiffArgs) -> Exit {
    let mut sides = Vec::new();
    for (path, regimes) in [(&args.a, &args.regime_a), (&args.b, &args.regime_b)] {
        let mut rules = match path.to_str().and_then(diff::git_revision) {
            Some((rev, dir)) => match diff::git_rules(&rev, &dir) {
                // The files' folder is only needed while the rules load.
                Ok(git) => loader::load_named(
                    git.files
                        .iter()
                        .map(|(n, p, t)| (n.clone(), Some(p.clone()), t.clone())),
                ),
                Err(message) => {
                    super::stderr_line(format_args!("error: {message}"));
                    return Exit::Errors;
                }
            },
            None => loader::load(std::slice::from_ref(path)),
        };
        if rules.has_errors() {
            let renderer = HumanRenderer::new(super::use_color());
            for d in rules.diagnostics().filter(|d| d.is_error()) {
                super::stderr_text(&(renderer.render(d, &rules.sources) + "\n"));
            }
            super::stderr_line(format_args!(
                "error: the rule set `{}` has errors; nothing was compared",
                path.display()
            ));
            return Exit::Errors;
        }
        if let Err(message) = diff::keep_regimes(&mut rules.checked.rules, regimes) {
            super::stderr_line(format_args!("error: {}: {message}", path.display()));
            return Exit::Errors;
        }
        sides.push(rules);
    }
    let mut outcomes = Vec::new();
    for side in &sides {
        match diff::evaluate(&side.checked.rules, &args.events, args.as_of) {
            Ok(o) => outcomes.push(o),
            Err(message) => {
                super::stderr_line(format_args!("error: {message}"));
                return Exit::Errors;
            }
        }
    }
    let (Some(sa), Some(sb), Some(oa), Some(ob)) = (
        sides.first(),
        sides.get(1),
        outcomes.first(),
        outcomes.get(1),
    ) else {
        return Exit::Errors;
    };
    let d = diff::compare((&sa.checked.rules, oa), (&sb.checked.rules, ob));
    let head = Head {
        a: label(&args.a, &args.regime_a),
        b: label(&args.b, &args.regime_b),
        events: args
            .events
            .iter()
            .map(|e| e.display().to_string())
            .collect(),
        as_of: args.as_of.to_string(),
    };
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        DiffFormat::Human => out.write_all(human(&head, &d).as_bytes()),
        DiffFormat::Markdown => out.write_all(markdown(&head, &d).as_bytes()),
        DiffFormat::Json => write_json(
            &mut out,
            &JsonDiff {
                head: &head,
                diff: &d,
            },
        ),
    };
    let code = if d.is_empty() {
        Exit::Clean
    } else {
        Exit::Violations
    };
    super::finish(&mut out, written, code)
}

#[derive(serde::Serialize)]
pub struct Head {
    pub a: String,
    pub b: String,
    pub events: Vec<String>,
    pub as_of: String,
}

#[derive(serde::Serialize)]
struct JsonDiff<'a> {
    #[serde(flatten)]
    head: &'a Head,
    #[serde(flatten)]
    diff: &'a Diff,
}

fn counts(s: &sanc::eval::Stats) -> String {
    format!(
        "{}, {}",
        plural(s.violations, "violation", "violations"),
        plural(s.warnings, "warning", "warnings")
    )
}

fn summary(d: &Diff) -> String {
    format!(
        "{} only in A, {} only in B, {} changed, {} the same",
        d.only_a.len(),
        d.only_b.len(),
        d.changed.len(),
        d.same
    )
}

fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or("-")
}

fn pct(s: &Option<String>) -> String {
    s.as_ref().map_or("-".into(), |s| format!("{s}%"))
}

pub fn human(h: &Head, d: &Diff) -> String {
    let mut s = format!(
        "A: {}\nB: {}\nevents: {} (as of {})\n",
        h.a,
        h.b,
        h.events.join(", "),
        h.as_of
    );
    let section = |s: &mut String, title: &str, rows: &[Row]| {
        *s += &format!("\n{title} ({}):\n", rows.len());
        for r in rows {
            *s += &format!("  {}\n", r.describe());
        }
    };
    section(&mut s, "Only in A", &d.only_a);
    section(&mut s, "Only in B", &d.only_b);
    s += &format!("\nChanged ({}):\n", d.changed.len());
    for c in &d.changed {
        s += &format!(
            "  {} {} `{}` `{}`: {}\n",
            c.a.date,
            c.a.kind,
            c.a.rule,
            c.a.event,
            c.changes.join(", ")
        );
    }
    let v = &d.violating_events;
    s += &format!(
        "\nEvents with a violation: {} under both, {} only under A, {} only under B\n",
        v.both.len(),
        v.only_a.len(),
        v.only_b.len()
    );
    for (name, ids) in [
        ("both", &v.both),
        ("only A", &v.only_a),
        ("only B", &v.only_b),
    ] {
        if !ids.is_empty() {
            s += &format!("  {name}: {}\n", ids.join(", "));
        }
    }
    if !d.windows.is_empty() {
        s += "\nCap windows (total at the window's end, and its share of the limit):\n";
        let rows: Vec<[String; 7]> = d
            .windows
            .iter()
            .map(|w| {
                [
                    w.rule.clone(),
                    w.window.clone(),
                    w.unit.clone(),
                    opt(&w.total_a).to_string(),
                    pct(&w.share_a),
                    opt(&w.total_b).to_string(),
                    pct(&w.share_b),
                ]
            })
            .collect();
        let header = [
            "rule", "window", "unit", "A total", "A share", "B total", "B share",
        ]
        .map(str::to_string);
        let mut widths = header.clone().map(|h| h.chars().count());
        for r in &rows {
            for (w, c) in widths.iter_mut().zip(r) {
                *w = (*w).max(c.chars().count());
            }
        }
        for r in std::iter::once(&header).chain(&rows) {
            let line: Vec<String> = r
                .iter()
                .zip(widths)
                .enumerate()
                .map(|(i, (c, w))| {
                    if i < 3 {
                        format!("{c:<w$}")
                    } else {
                        format!("{c:>w$}")
                    }
                })
                .collect();
            s += &format!("  {}\n", line.join("  ").trim_end());
        }
    }
    s += &format!(
        "\nA: {} · B: {} · {}\n",
        counts(&d.stats_a),
        counts(&d.stats_b),
        summary(d)
    );
    s
}

fn md(text: &str) -> String {
    text.replace('|', "\\|")
}

fn md_rows(rows: &[Row]) -> String {
    if rows.is_empty() {
        return "None.\n".into();
    }
    let mut s = "| date | kind | rule | event | total | limit | unit | share | window |\n| --- | --- | --- | --- | ---: | ---: | --- | ---: | --- |\n".to_string();
    for r in rows {
        s += &format!(
            "| {} | {} | `{}` | `{}` | {} | {} | {} | {} | {} |\n",
            r.date,
            r.kind,
            md(&r.rule),
            md(&r.event),
            opt(&r.total),
            opt(&r.limit),
            md(opt(&r.unit)),
            pct(&r.share),
            md(opt(&r.window))
        );
    }
    s
}

pub fn markdown(h: &Head, d: &Diff) -> String {
    let mut s = format!(
        "# sanc diff\n\n- A: `{}`\n- B: `{}`\n- events: {} (as of {})\n- {}\n",
        md(&h.a),
        md(&h.b),
        h.events
            .iter()
            .map(|e| format!("`{}`", md(e)))
            .collect::<Vec<_>>()
            .join(", "),
        h.as_of,
        summary(d)
    );
    s += &format!(
        "\n## Only in A ({})\n\n{}",
        d.only_a.len(),
        md_rows(&d.only_a)
    );
    s += &format!(
        "\n## Only in B ({})\n\n{}",
        d.only_b.len(),
        md_rows(&d.only_b)
    );
    s += &format!("\n## Changed ({})\n\n", d.changed.len());
    if d.changed.is_empty() {
        s += "None.\n";
    } else {
        s += "| date | kind | rule | event | changes |\n| --- | --- | --- | --- | --- |\n";
        for c in &d.changed {
            s += &format!(
                "| {} | {} | `{}` | `{}` | {} |\n",
                c.a.date,
                c.a.kind,
                md(&c.a.rule),
                md(&c.a.event),
                md(&c.changes.join(", "))
            );
        }
    }
    let v = &d.violating_events;
    s += "\n## Events with a violation\n\n| under | events | ids |\n| --- | ---: | --- |\n";
    for (name, ids) in [
        ("both", &v.both),
        ("only A", &v.only_a),
        ("only B", &v.only_b),
    ] {
        let ids: Vec<String> = ids.iter().map(|i| format!("`{}`", md(i))).collect();
        s += &format!("| {name} | {} | {} |\n", ids.len(), ids.join(", "));
    }
    if !d.windows.is_empty() {
        s += "\n## Cap windows\n\n| rule | window | unit | A total | A share | B total | B share |\n| --- | --- | --- | ---: | ---: | ---: | ---: |\n";
        for w in &d.windows {
            s += &format!(
                "| `{}` | {} | {} | {} | {} | {} | {} |\n",
                md(&w.rule),
                md(&w.window),
                md(&w.unit),
                opt(&w.total_a),
                pct(&w.share_a),
                opt(&w.total_b),
                pct(&w.share_b)
            );
        }
    }
    s += &format!("\nA: {} · B: {}\n", counts(&d.stats_a), counts(&d.stats_b));
    s
}
