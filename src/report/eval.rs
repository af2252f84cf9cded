//! Reporting an evaluation: each finding points into the rule file and into
//! the event's record; each event diagnostic into the record and its field.

use super::human::HumanRenderer;
use super::json::{self, JsonDiagnostic, JsonLocation};
use super::snippets::Snippets;
use super::words;
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::eval::{Facts, Finding, Outcome, Stats};
use crate::events::Evidence;
use crate::events::{read::Input, EventDiagnostic, EventLoc};
use crate::model::{RuleKind, RuleSet};
use crate::source::SourceMap;
use crate::units::plain_amount;
use serde::Serialize;

/// Labels for every finding and event diagnostic, with the event records
/// they need loaded into the source map.
pub struct Prepared {
    pub diagnostics: Vec<Vec<Label>>,
}

/// What to load event text for: human reports show every finding's record;
/// JSON needs only the diagnostics' (for the offending field's column);
/// a quiet run needs none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Everything,
    Diagnostics,
    Nothing,
}

pub fn prepare(
    sources: &mut SourceMap,
    inputs: &[Input],
    outcome: &Outcome,
    need: Need,
) -> Prepared {
    let mut snippets = Snippets::default();
    if need == Need::Nothing {
        return Prepared {
            diagnostics: Vec::new(),
        };
    }
    let diagnostics = outcome
        .diagnostics
        .iter()
        .map(
            |d| match snippets.load(sources, inputs, d.loc(), d.text()) {
                Some(file) => vec![Label {
                    span: Snippets::field_span(sources, inputs, file, d.field()),
                    message: Some(match d.field() {
                        Some(f) => format!("`{f}`"),
                        None => "this record".to_string(),
                    }),
                }],
                None => Vec::new(),
            },
        )
        .collect();
    Prepared { diagnostics }
}

/// Render rule diagnostics, findings and event diagnostics (with `quiet`,
/// only errors that failed the run), then the summary line.
/// What a human report shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    /// Everything.
    All,
    /// `--quiet`: the summary, and the errors that failed the run.
    Quiet,
    /// `--quiet --strict`: also the rejections, which fail the run.
    QuietStrict,
}

/// Render rule diagnostics, findings and event diagnostics, then the
/// summary line, writing each as it is rendered (the report of 600,000
/// rejected lines is never held as one text).
pub fn human(
    renderer: &HumanRenderer,
    run: &Run,
    show: Show,
    verbose: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let Run {
        sources,
        rules,
        rule_diags,
        inputs,
        outcome,
        prepared,
    } = *run;
    let all = show == Show::All;
    // Errors about the rules or unreadable inputs show even with `--quiet`:
    // they are why the run failed.
    for d in rule_diags.iter().filter(|d| all || d.is_error()) {
        out.write_all(renderer.render(d, sources).as_bytes())?;
        out.write_all(b"\n")?;
    }
    if all {
        super::grouped::render(sources, rules, inputs, outcome, verbose, out)?;
        if !outcome.summaries.is_empty() {
            out.write_all(super::summary::human(rules, &outcome.summaries).as_bytes())?;
        }
    }
    let shown = outcome
        .diagnostics
        .iter()
        .zip(
            prepared
                .diagnostics
                .iter()
                .map(Some)
                .chain(std::iter::repeat(None)),
        )
        .filter(|(d, _)| {
            all || (show == Show::QuietStrict && d.effect() != crate::events::Effect::Remark)
        });
    for (d, labels) in shown {
        let message = match d.event_id() {
            Some(id) => format!("event `{id}`: {}", d.message),
            None => d.message.clone(),
        };
        let mut help = d.help.clone().unwrap_or_default();
        let verdict = match d.effect() {
            crate::events::Effect::Rejected => Some("this event was rejected and not evaluated"),
            crate::events::Effect::NotEvaluable => {
                Some("this event was not evaluated: the run cannot say it complies")
            }
            crate::events::Effect::Remark => None,
        };
        if let Some(v) = verdict {
            if !help.is_empty() {
                help.push('\n');
            }
            help.push_str(v);
        }
        let labels = labels.map(Vec::as_slice).unwrap_or_default();
        if labels.is_empty() {
            let at = event_location(inputs, d.loc());
            help.push_str(&format!("\nat {}:{}:{}", at.file, at.line, at.column));
        }
        let help = (!help.is_empty()).then_some(help);
        let text = renderer.render_parts(
            d.code.as_str(),
            d.severity,
            &message,
            labels,
            help.as_deref(),
            sources,
        );
        out.write_all(text.as_bytes())?;
        out.write_all(b"\n")?;
    }
    let errors = errors(rule_diags, outcome);
    writeln!(out, "{}", summary(&outcome.stats, errors))
}

/// Error diagnostics of a run: about the rules, unreadable inputs, and events.
pub fn errors(rule_diags: &[Diagnostic], outcome: &Outcome) -> usize {
    rule_diags.iter().filter(|d| d.is_error()).count()
        + outcome
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
}

/// `3 violations, 2 warnings · 1,204 events read, 1,202 evaluated, 2 rejected, 0 not evaluable · 14 rules`,
/// and, when something went unchecked, a second line that says so plainly.
pub fn summary(s: &Stats, errors: usize) -> String {
    use super::{plural, thousands};
    let errors = if errors > 0 {
        format!(", {}", plural(errors, "error", "errors"))
    } else {
        String::new()
    };
    let mut out = format!(
        "{}, {}{errors} · {} read, {} evaluated, {} rejected, {} not evaluable · {}",
        plural(s.violations, "violation", "violations"),
        plural(s.warnings, "warning", "warnings"),
        plural(s.events_read, "event", "events"),
        thousands(s.events_evaluated),
        thousands(s.events_rejected),
        thousands(s.events_not_evaluable),
        plural(s.rules, "rule", "rules"),
    );
    let unchecked = s.events_rejected + s.events_not_evaluable;
    if unchecked > 0 {
        out.push_str(&format!(
            "\nincomplete: {} of {} not checked ({} rejected, {} not evaluable), so this run cannot say they comply",
            thousands(unchecked),
            plural(s.events_read, "event", "events"),
            thousands(s.events_rejected),
            thousands(s.events_not_evaluable),
        ));
    }
    out
}

#[derive(Debug, Serialize)]
pub struct JsonFinding {
    pub rule: String,
    pub kind: &'static str,
    pub event: String,
    pub date: String,
    pub message: String,
    pub explanation: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cite: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contributors: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contributor_count: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<String>,
    /// Caps: the total as a share of the limit, in percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<String>,
    /// Cap warnings: the threshold reached, in percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<String>,
    /// The event's quantity (or a value cap's value) as given: `4337 t`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<String>,
    /// Caps: the event's amount as counted, in `unit`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    /// The event's `evidence`, when it states one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<&'static str>,
    /// The event's `source`, when it gives one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub rule_location: JsonLocation,
    pub event_location: JsonLocation,
    /// List entries that matched the event (rules on designation lists).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<JsonListMatch>,
}

/// One list entry that matched one field of the event.
#[derive(Debug, Serialize)]
pub struct JsonListMatch {
    pub list: String,
    pub entry_reference: String,
    pub entry_name: String,
    /// `null` when the list gives no listing date.
    pub listed_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delisted_on: Option<String>,
    /// The event's field: `vessel`, `counterpart_vessel`, `parties.owner`, …
    pub field: String,
    /// What the event gave there.
    pub value: String,
    /// `imo`, `name`, `alias` or `fuzzy`.
    pub method: &'static str,
    /// The similarity of a fuzzy match (0–1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<String>,
}

fn json_match(m: &crate::lists::ListMatch) -> JsonListMatch {
    JsonListMatch {
        list: m.list.to_string(),
        entry_reference: m.entry_reference.to_string(),
        entry_name: m.entry_name.to_string(),
        listed_on: m.listed_on.map(|d| d.to_string()),
        delisted_on: m.delisted_on.map(|d| d.to_string()),
        field: m.field.to_string(),
        value: m.value.to_string(),
        method: m.method.as_str(),
        score: match m.method {
            crate::lists::Method::Fuzzy(s) => Some(s.to_string()),
            _ => None,
        },
    }
}

#[derive(Debug, Serialize)]
pub struct EvalOutput {
    pub findings: Vec<JsonFinding>,
    /// Every fixed window of every cap, summarized (docs/output.md).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub windows: Vec<super::summary::JsonWindow>,
    pub diagnostics: Vec<JsonDiagnostic>,
    pub stats: JsonStats,
}

/// The run's counts, and how many diagnostics are errors.
#[derive(Debug, Serialize)]
pub struct JsonStats {
    #[serde(flatten)]
    pub stats: Stats,
    pub errors: usize,
}

/// The event's quantity (or a value cap's value) as given.
fn given_quantity(f: &Finding) -> Option<crate::eval::Given> {
    match &f.facts {
        Facts::Cap(c) => c.given,
        Facts::Ban(s) | Facts::Designated(s) => s.quantity,
        Facts::Price(p) => p.shipment.quantity,
        Facts::Report(_) | Facts::PortCall(_) => None,
    }
}

fn event_location(inputs: &[Input], loc: EventLoc) -> JsonLocation {
    JsonLocation {
        file: inputs
            .get(loc.input as usize)
            .map(|i| i.name.clone())
            .unwrap_or_default(),
        line: loc.line as usize,
        column: loc.column as usize,
    }
}

fn event_diagnostic(
    d: &EventDiagnostic,
    labels: &[Label],
    sources: &SourceMap,
    inputs: &[Input],
) -> JsonDiagnostic {
    let at = labels
        .first()
        .and_then(|l| json::location(sources, l.span))
        .unwrap_or_else(|| event_location(inputs, d.loc()));
    JsonDiagnostic {
        code: d.code,
        severity: d.severity.as_str(),
        message: d.message.clone(),
        file: Some(at.file),
        line: Some(at.line),
        column: Some(at.column),
        end_line: None,
        end_column: None,
        label: None,
        help: d.help.clone(),
        related: Vec::new(),
        field: d.field().map(str::to_string),
        event: d.event_id().map(str::to_string),
        rejected: Some(d.rejected()),
        effect: Some(d.effect().as_str()),
        rule: d.rule().map(str::to_string),
    }
}

/// `sanc eval --format json` when the rules have errors: the same shape,
/// no findings, the rules' diagnostics, nothing read.
pub fn rules_failed(sources: &SourceMap, diags: &[Diagnostic], rules: usize) -> EvalOutput {
    EvalOutput {
        findings: Vec::new(),
        windows: Vec::new(),
        diagnostics: diags.iter().map(|d| json::diagnostic(d, sources)).collect(),
        stats: JsonStats {
            stats: Stats {
                rules,
                ..Stats::default()
            },
            errors: diags.iter().filter(|d| d.is_error()).count(),
        },
    }
}

/// One finding as `sanc eval --format json` writes it.
fn json_finding(
    sources: &SourceMap,
    rules: &RuleSet,
    inputs: &[Input],
    outcome: &Outcome,
    f: &Finding,
) -> JsonFinding {
    let rule = &rules.rules[f.rule];
    let is_cap = matches!(rule.kind, RuleKind::Cap { .. });
    let limit = f.limit(rules);
    JsonFinding {
        rule: rule.id.clone(),
        kind: f.kind.as_str(),
        event: f.event.to_string(),
        date: f.date.to_string(),
        message: words::message(rules, f),
        explanation: words::explanation(rules, f),
        cite: rule.cite.clone(),
        window: f.window_label(rules),
        total: f.total().map(crate::exact::plain),
        limit: limit.as_ref().map(|l| plain_amount(l.0)),
        unit: limit.map(|l| l.1),
        contributors: is_cap.then(|| f.contributor_ids().iter().map(|s| s.to_string()).collect()),
        contributor_count: f.cap().map(|c| c.contributor_count as usize),
        deadline: f.report().map(|r| r.deadline.to_string()),
        share: f
            .cap()
            .and_then(|_| f.share(rules))
            .map(|s| crate::exact::plain(&s)),
        threshold: f.cap().and_then(|c| c.threshold).map(plain_amount),
        quantity: given_quantity(f).map(|g| format!("{} {}", plain_amount(g.amount), g.unit)),
        amount: f
            .cap()
            .and_then(|c| c.amount.as_ref())
            .map(crate::exact::plain),
        evidence: (f.evidence != Evidence::Unstated).then(|| f.evidence.as_str()),
        source: outcome.text(f.source).map(str::to_string),
        rule_location: json::location(sources, rule.keyword).unwrap_or(JsonLocation {
            file: String::new(),
            line: 0,
            column: 0,
        }),
        event_location: event_location(inputs, f.loc),
        matches: f.matches().iter().map(json_match).collect(),
    }
}

/// The diagnostics of a run as JSON: about the rules, then the events.
pub fn json_diagnostics<'a>(run: &'a Run<'a>) -> impl Iterator<Item = JsonDiagnostic> + 'a {
    run.rule_diags
        .iter()
        .map(|d| json::diagnostic(d, run.sources))
        .chain(
            run.outcome
                .diagnostics
                .iter()
                .zip(&run.prepared.diagnostics)
                .map(|(d, l)| event_diagnostic(d, l, run.sources, run.inputs)),
        )
}

/// Everything a report of an evaluation shows.
pub struct Run<'a> {
    pub sources: &'a SourceMap,
    pub rules: &'a RuleSet,
    pub rule_diags: &'a [Diagnostic],
    pub inputs: &'a [Input],
    pub outcome: &'a Outcome,
    pub prepared: &'a Prepared,
}

/// `sanc eval --format json`, written as it is serialized: each finding
/// and diagnostic becomes JSON text one at a time, so the output of 300,000
/// findings holds no more than the typed findings themselves. The shape is
/// [`EvalOutput`]'s.
pub struct EvalJson<'a>(pub &'a Run<'a>);

/// A sequence serialized from an iterator made on demand.
struct Seq<F>(F);

impl<F, I> Serialize for Seq<F>
where
    F: Fn() -> I,
    I: Iterator,
    I::Item: Serialize,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

impl Serialize for EvalJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let run = self.0;
        let windows = super::summary::json(run.rules, &run.outcome.summaries);
        let mut st = s.serialize_struct("EvalOutput", 4)?;
        st.serialize_field(
            "findings",
            &Seq(|| {
                run.outcome
                    .findings
                    .iter()
                    .map(|f| json_finding(run.sources, run.rules, run.inputs, run.outcome, f))
            }),
        )?;
        if windows.is_empty() {
            st.skip_field("windows")?;
        } else {
            st.serialize_field("windows", &windows)?;
        }
        st.serialize_field("diagnostics", &Seq(|| json_diagnostics(run)))?;
        st.serialize_field(
            "stats",
            &JsonStats {
                stats: run.outcome.stats,
                errors: errors(run.rule_diags, run.outcome),
            },
        )?;
        st.end()
    }
}
