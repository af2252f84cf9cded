//! Comparing two rule sets on the same events (`sanc diff`): the findings
//! only one of them makes, those both make with other figures, and every
//! cap's window totals side by side.

use crate::eval::{Finding, Outcome, Stats};
use crate::exact;
use crate::model::RuleSet;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// A finding as a comparison shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub rule: String,
    pub kind: &'static str,
    pub event: String,
    pub date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    /// Caps: the window's total with this event; price caps: the price.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Caps: the total in percent of the limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<String>,
    /// Warnings of caps: the threshold reached, in percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<String>,
}

impl Row {
    pub fn of(rules: &RuleSet, f: &Finding) -> Self {
        let (share, threshold) = match f.cap() {
            Some(c) => (
                f.share(rules).map(|s| rounded(&s)),
                c.threshold.map(|p| p.normalize().to_string()),
            ),
            None => (None, None),
        };
        let limit = f.limit(rules);
        Row {
            rule: rules
                .rules
                .get(f.rule)
                .map(|r| r.id.clone())
                .unwrap_or_default(),
            kind: f.kind.as_str(),
            event: f.event.to_string(),
            date: f.date.to_string(),
            window: f.window_label(rules),
            total: f.total().map(exact::plain),
            limit: limit.as_ref().map(|l| l.0.normalize().to_string()),
            unit: limit.map(|l| l.1),
            share,
            threshold,
        }
    }

    fn key(&self) -> (String, &'static str, String) {
        (self.rule.clone(), self.kind, self.event.clone())
    }

    /// `2019-06-01 warning un_dprk.petroleum_cap y2019-b (90% reached, total 450000 of 500000 bbl, window 2019)`
    pub fn describe(&self) -> String {
        let mut details = Vec::new();
        if let Some(t) = &self.threshold {
            details.push(format!("{t}% reached"));
        }
        // For people, four decimal places at most (JSON keeps them all).
        let total = self.total.as_deref().map(|t| match t.parse::<Decimal>() {
            Ok(d) if d.scale() > 4 => format!("{}…", d.round_dp(4).normalize()),
            _ => t.to_string(),
        });
        match (&total, &self.limit) {
            (Some(t), Some(l)) => details.push(format!(
                "{} {t} of {l} {}",
                if self.window.is_some() {
                    "total"
                } else {
                    "price"
                },
                self.unit.as_deref().unwrap_or("")
            )),
            (Some(t), None) => details.push(format!("total {t}")),
            _ => {}
        }
        if let Some(s) = &self.share {
            details.push(format!("{s}% of the cap"));
        }
        if let Some(w) = &self.window {
            details.push(format!("window {w}"));
        }
        let details = if details.is_empty() {
            String::new()
        } else {
            format!(" ({})", details.join(", "))
        };
        format!(
            "{} {} `{}` `{}`{details}",
            self.date, self.kind, self.rule, self.event
        )
    }

    /// What moved between `self` (in A) and `b`.
    fn changes(&self, b: &Row) -> Vec<String> {
        let mut out = Vec::new();
        let mut field = |name: &str, a: &Option<String>, b: &Option<String>| {
            if a != b {
                out.push(format!(
                    "{name} {} → {}",
                    a.as_deref().unwrap_or("none"),
                    b.as_deref().unwrap_or("none")
                ));
            }
        };
        field("threshold", &self.threshold, &b.threshold);
        field("total", &self.total, &b.total);
        field("limit", &self.limit, &b.limit);
        field("share", &self.share, &b.share);
        field("window", &self.window, &b.window);
        field("unit", &self.unit, &b.unit);
        out
    }
}

/// A percentage to four decimal places, without trailing zeros.
fn rounded(x: &exact::Exact) -> String {
    let plain = exact::plain(x);
    match plain.parse::<Decimal>() {
        Ok(d) => d.round_dp(4).normalize().to_string(),
        Err(_) => plain,
    }
}

/// A finding both rule sets make, with other figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changed {
    pub a: Row,
    pub b: Row,
    /// `total 382597 → 363225`, …
    pub changes: Vec<String>,
}

/// A cap window's total under each rule set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WindowRow {
    pub rule: String,
    pub window: String,
    pub unit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_a: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit_a: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_a: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_b: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit_b: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share_b: Option<String>,
}

/// Event ids with a violation under both rule sets, only A, only B; each sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EventSplit {
    pub both: Vec<String>,
    pub only_a: Vec<String>,
    pub only_b: Vec<String>,
}

fn violating(outcome: &Outcome) -> std::collections::BTreeSet<String> {
    outcome
        .findings
        .iter()
        .filter(|f| f.kind == crate::eval::FindingKind::Violation)
        .map(|f| f.event.to_string())
        .collect()
}

/// The comparison of two evaluations of the same events.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    pub only_a: Vec<Row>,
    pub only_b: Vec<Row>,
    pub changed: Vec<Changed>,
    /// Findings both make with the same figures.
    pub same: usize,
    pub windows: Vec<WindowRow>,
    /// Events with at least one violation, by side: the answer to "which
    /// cargoes does each rule set stop", whatever the rule ids.
    pub violating_events: EventSplit,
    pub stats_a: Stats,
    pub stats_b: Stats,
}

impl Diff {
    /// Whether the two rule sets judge the events alike.
    pub fn is_empty(&self) -> bool {
        self.only_a.is_empty() && self.only_b.is_empty() && self.changed.is_empty()
    }
}

type WindowKey = (String, String, String);
type WindowSide = (String, String, Option<String>);

fn windows(rules: &RuleSet, outcome: &Outcome) -> BTreeMap<WindowKey, WindowSide> {
    outcome
        .windows
        .iter()
        .map(|w| {
            let rule = rules
                .rules
                .get(w.rule)
                .map(|r| r.id.clone())
                .unwrap_or_default();
            (
                (rule, w.window.to_string(), w.unit.to_string()),
                (
                    exact::plain(&w.total),
                    w.limit.normalize().to_string(),
                    exact::share(&w.total, w.limit).map(|s| rounded(&s)),
                ),
            )
        })
        .collect()
}

/// Compare the outcomes of rule sets A and B on the same events. Findings
/// are paired by rule id, kind and event id.
pub fn compare(a: (&RuleSet, &Outcome), b: (&RuleSet, &Outcome)) -> Diff {
    let rows_a: Vec<Row> = a.1.findings.iter().map(|f| Row::of(a.0, f)).collect();
    let mut rows_b: Vec<Option<Row>> = b.1.findings.iter().map(|f| Some(Row::of(b.0, f))).collect();
    let mut by_key: BTreeMap<(String, &'static str, String), Vec<usize>> = BTreeMap::new();
    for (i, r) in rows_b.iter().enumerate() {
        if let Some(r) = r {
            by_key.entry(r.key()).or_default().push(i);
        }
    }
    let mut diff = Diff {
        only_a: Vec::new(),
        only_b: Vec::new(),
        changed: Vec::new(),
        same: 0,
        windows: Vec::new(),
        violating_events: EventSplit::default(),
        stats_a: a.1.stats,
        stats_b: b.1.stats,
    };
    for ra in rows_a {
        let partner = by_key.get_mut(&ra.key()).and_then(|v| {
            if v.is_empty() {
                None
            } else {
                Some(v.remove(0))
            }
        });
        match partner
            .and_then(|i| rows_b.get_mut(i))
            .and_then(Option::take)
        {
            Some(rb) => {
                let changes = ra.changes(&rb);
                if changes.is_empty() {
                    diff.same += 1;
                } else {
                    diff.changed.push(Changed {
                        a: ra,
                        b: rb,
                        changes,
                    });
                }
            }
            None => diff.only_a.push(ra),
        }
    }
    diff.only_b = rows_b.into_iter().flatten().collect();
    let wa = windows(a.0, a.1);
    let mut wb = windows(b.0, b.1);
    for (key, (total, limit, share)) in wa {
        let other = wb.remove(&key);
        diff.windows.push(WindowRow {
            rule: key.0,
            window: key.1,
            unit: key.2,
            total_a: Some(total),
            limit_a: Some(limit),
            share_a: share,
            total_b: other.as_ref().map(|o| o.0.clone()),
            limit_b: other.as_ref().map(|o| o.1.clone()),
            share_b: other.and_then(|o| o.2),
        });
    }
    for (key, (total, limit, share)) in wb {
        diff.windows.push(WindowRow {
            rule: key.0,
            window: key.1,
            unit: key.2,
            total_a: None,
            limit_a: None,
            share_a: None,
            total_b: Some(total),
            limit_b: Some(limit),
            share_b: share,
        });
    }
    let (va, vb) = (violating(a.1), violating(b.1));
    diff.violating_events = EventSplit {
        both: va.intersection(&vb).cloned().collect(),
        only_a: va.difference(&vb).cloned().collect(),
        only_b: vb.difference(&va).cloned().collect(),
    };
    diff.windows
        .sort_by(|x, y| (&x.rule, &x.window, &x.unit).cmp(&(&y.rule, &y.window, &y.unit)));
    diff
}

/// Keep only the rules of `regimes` (none: keep all), or say which regime
/// the rule set does not have.
pub fn keep_regimes(rules: &mut RuleSet, regimes: &[String]) -> Result<(), String> {
    if regimes.is_empty() {
        return Ok(());
    }
    let known: Vec<String> = rules.regimes().into_iter().map(str::to_string).collect();
    for r in regimes {
        if !known.contains(r) {
            let hint = crate::suggest::closest(r, known.iter().map(String::as_str))
                .map(|b| format!("did you mean `{b}`? "))
                .unwrap_or_default();
            return Err(format!(
                "no rules of regime `{r}` in the rule set; {hint}its regimes are: {}",
                known.join(", ")
            ));
        }
    }
    rules.keep_regimes(regimes);
    Ok(())
}

/// Evaluate event files (`.json`, `.ndjson`, `.jsonl`, `.csv`) against a
/// rule set; the error says which file could not be read.
pub fn evaluate(
    rules: &RuleSet,
    events: &[std::path::PathBuf],
    as_of: chrono::NaiveDate,
) -> Result<Outcome, String> {
    use crate::events::read::{read, Input, InputFormat};
    let mut evaluator = crate::eval::Evaluator::new(rules, as_of);
    for (i, path) in events.iter().enumerate() {
        let name = path.to_string_lossy().into_owned();
        let format = InputFormat::from_name(&name).ok_or_else(|| {
            format!("cannot tell the format of `{name}` from its extension; name it .json, .ndjson, .jsonl or .csv")
        })?;
        let mut input = Input::new(name.clone(), Some(path.clone()), format);
        let file = std::fs::File::open(path).map_err(|e| format!("cannot read `{name}`: {e}"))?;
        let index = u32::try_from(i).unwrap_or(u32::MAX);
        let before = evaluator.records();
        read(index, &mut input, file, |it| evaluator.item(it), |_| {})?;
        if evaluator.records() == before {
            // Compared on nothing, two rule sets would agree.
            return Err(format!(
                "`{name}` holds no events, so the rule sets cannot be compared on it"
            ));
        }
    }
    Ok(evaluator.finish())
}

/// A rule set at a git revision: `REV:PATH` (`HEAD~1:rules`, `v1.2:rules/un`),
/// read with `git` from the repository of the current folder. `None` when
/// `spec` is not of that form or names a path that exists as it is.
pub fn git_revision(spec: &str) -> Option<(String, String)> {
    if std::path::Path::new(spec).exists() {
        return None;
    }
    let (rev, path) = spec.split_once(':')?;
    if rev.is_empty() {
        return None;
    }
    Some((rev.to_string(), path.trim_end_matches('/').to_string()))
}

/// A rule set as it was at a git revision: every file below the path,
/// written to a temporary folder so that the files its rules name (lists)
/// are read as they were at that revision too.
pub struct GitRules {
    /// Kept for as long as the rule set is used; removed when dropped.
    pub dir: tempfile::TempDir,
    /// The `.sanc` files: (name shown, `rev:file`; where it was written; text).
    pub files: Vec<(String, std::path::PathBuf, String)>,
}

/// The files of `path` at git revision `rev`, or why they cannot be read.
pub fn git_rules(rev: &str, path: &str) -> Result<GitRules, String> {
    let git = |args: &[&str]| -> Result<Vec<u8>, String> {
        let out = std::process::Command::new("git")
            .args(args)
            .output()
            .map_err(|e| format!("cannot run git: {e}"))?;
        if out.status.success() {
            Ok(out.stdout)
        } else {
            Err(format!(
                "git {}: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    };
    let spec = if path.is_empty() { "." } else { path };
    let list = git(&[
        "ls-tree",
        "-r",
        "--name-only",
        "--full-name",
        rev,
        "--",
        spec,
    ])?;
    let all: Vec<String> = String::from_utf8_lossy(&list)
        .lines()
        .map(str::to_string)
        .collect();
    if !all.iter().any(|f| f.ends_with(".sanc")) {
        return Err(format!("no `.sanc` files in `{path}` at revision `{rev}`"));
    }
    let dir = tempfile::tempdir().map_err(|e| format!("cannot make a temporary folder: {e}"))?;
    let mut files = Vec::new();
    for f in all {
        let bytes = git(&["show", &format!("{rev}:{f}")])?;
        // `--full-name` paths are relative to the repository and never
        // climb out of it; refuse anything else rather than write there.
        if std::path::Path::new(&f)
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            return Err(format!("`{f}` at revision `{rev}` is not a plain path"));
        }
        let at = dir.path().join(&f);
        if let Some(parent) = at.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot write `{}`: {e}", parent.display()))?;
        }
        std::fs::write(&at, &bytes).map_err(|e| format!("cannot write `{}`: {e}", at.display()))?;
        if f.ends_with(".sanc") {
            let text = String::from_utf8(bytes)
                .map_err(|_| format!("`{f}` at revision `{rev}` is not UTF-8 text"))?;
            files.push((format!("{rev}:{f}"), at, text));
        }
    }
    Ok(GitRules { dir, files })
}
