//! Test files for rule sets (`sanc test`): events with the findings and
//! diagnostics they should produce, and coverage of the rules they exercise.
//!
//! A test file (`*.sanc-test`) is TOML; its format is documented in
//! docs/testing.md. Every problem with a test file is a [`Problem`] with
//! file, line and column; a test that runs ends [`Status::Pass`] or
//! [`Status::Fail`] with the differences between what it expected and what
//! the evaluation found.

use crate::eval::{Evaluator, Finding, FindingKind, Outcome};
use crate::events::read::{read, Input, InputFormat};
use crate::events::EventDiagnostic;
use crate::loader::{self, RuleSource};
use crate::model::RuleSet;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use toml::Spanned;

/// The extension of test files.
pub const TEST_EXTENSION: &str = "sanc-test";

/// A place in a test file (lines and columns count from 1).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Loc {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl std::fmt::Display for Loc {
    /// `file:line:column`, or only `file` for a problem with the whole file
    /// or path (line 0).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.file)
        } else {
            write!(f, "{}:{}:{}", self.file, self.line, self.column)
        }
    }
}

/// An error in a test file, or in the rules or events it names: the run
/// cannot say whether the test passes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    #[serde(flatten)]
    pub loc: Loc,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: error: {}", self.loc, self.message)?;
        if let Some(h) = &self.help {
            write!(f, "\n  help: {h}")?;
        }
        Ok(())
    }
}

/// A finding a test expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedFinding {
    pub rule: String,
    pub kind: FindingKind,
    pub event: String,
    pub total: Option<Decimal>,
    pub window: Option<String>,
    pub share: Option<Decimal>,
    pub why: Option<String>,
    pub loc: Loc,
}

/// An event diagnostic a test expects (`code` with or without its
/// `sanc::event::` prefix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedDiagnostic {
    pub code: String,
    pub event: Option<String>,
    pub rule: Option<String>,
    pub loc: Loc,
}

/// One test: events, and what they should produce.
#[derive(Debug, Clone)]
pub struct TestCase {
    pub name: String,
    pub loc: Loc,
    pub as_of: Option<NaiveDate>,
    /// Only findings of these rules are compared (all when empty).
    pub rules: Vec<(String, Loc)>,
    /// Inline events as NDJSON lines, with where each is written.
    pub events: Vec<(String, Loc)>,
    pub event_files: Vec<(PathBuf, Loc)>,
    pub expect: Vec<ExpectedFinding>,
    pub expect_diagnostics: Vec<ExpectedDiagnostic>,
}

/// A parsed test file.
#[derive(Debug, Clone)]
pub struct TestFile {
    pub name: String,
    /// The rule set its tests run against.
    pub rules: Vec<PathBuf>,
    pub rules_loc: Loc,
    pub tests: Vec<TestCase>,
}

// ------------------------------------------------------------------ parsing

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    rules: Option<Spanned<OneOrMany>>,
    as_of: Option<Spanned<toml::Value>>,
    #[serde(default)]
    test: Vec<Spanned<RawTest>>,
}

type RawEvent = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTest {
    name: Spanned<String>,
    rule: Option<Spanned<OneOrMany>>,
    as_of: Option<Spanned<toml::Value>>,
    #[serde(default)]
    event: Vec<Spanned<RawEvent>>,
    events_file: Option<Spanned<OneOrMany>>,
    #[serde(default)]
    expect: Vec<Spanned<RawExpect>>,
    #[serde(default)]
    expect_diagnostic: Vec<Spanned<RawExpectDiagnostic>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpect {
    rule: Option<String>,
    kind: String,
    event: Option<String>,
    total: Option<toml::Value>,
    window: Option<toml::Value>,
    share: Option<toml::Value>,
    why: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpectDiagnostic {
    code: String,
    event: Option<String>,
    rule: Option<String>,
}

/// Line and column (from 1) of a byte offset in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

struct Parser<'a> {
    name: &'a str,
    dir: PathBuf,
    text: &'a str,
    problems: Vec<Problem>,
}

impl Parser<'_> {
    fn loc(&self, span: std::ops::Range<usize>) -> Loc {
        let (line, column) = line_col(self.text, span.start);
        Loc {
            file: self.name.to_string(),
            line,
            column,
        }
    }

    fn problem(&mut self, loc: Loc, message: String, help: Option<&str>) {
        self.problems.push(Problem {
            loc,
            message,
            help: help.map(str::to_string),
        });
    }

    fn date(&mut self, v: &Spanned<toml::Value>) -> Option<NaiveDate> {
        let text = match v.get_ref() {
            toml::Value::String(s) => s.clone(),
            toml::Value::Datetime(d) => d.to_string(),
            _ => String::new(),
        };
        let date = NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok();
        if date.is_none() {
            let loc = self.loc(v.span());
            self.problem(
                loc,
                format!("`as_of` must be a date, not `{}`", v.get_ref()),
                Some("write it as YYYY-MM-DD, e.g. `as_of = 2025-01-01`"),
            );
        }
        date
    }

    fn decimal(&mut self, what: &str, v: Option<&toml::Value>, loc: &Loc) -> Option<Decimal> {
        let v = v?;
        let text = match v {
            toml::Value::String(s) => s.replace(['_', ','], ""),
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            _ => String::new(),
        };
        let text = text.trim().trim_end_matches('%').trim().to_string();
        match Decimal::from_str(&text) {
            Ok(d) => Some(d),
            Err(_) => {
                self.problem(
                    loc.clone(),
                    format!("`{what}` must be a number, not `{v}`"),
                    Some("e.g. `total = \"450000\"` or `share = 90`"),
                );
                None
            }
        }
    }

    fn kind(&mut self, kind: &str, loc: &Loc) -> Option<FindingKind> {
        match kind {
            "violation" => Some(FindingKind::Violation),
            "warning" => Some(FindingKind::Warning),
            _ => {
                self.problem(
                    loc.clone(),
                    format!("unknown finding kind `{kind}`"),
                    Some("a finding is a `violation` or a `warning`"),
                );
                None
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn expectation(
        &mut self,
        raw: RawExpect,
        event: Option<String>,
        default_rule: Option<&str>,
        loc: Loc,
    ) -> Option<ExpectedFinding> {
        let kind = self.kind(&raw.kind, &loc);
        let rule = match raw.rule.or_else(|| default_rule.map(str::to_string)) {
            Some(r) => Some(r),
            None => {
                self.problem(
                    loc.clone(),
                    "this expectation names no rule, and the test names no single `rule`".into(),
                    Some("add `rule = \"<rule id>\"` to the expectation or to the test"),
                );
                None
            }
        };
        let event = match raw.event.or(event) {
            Some(e) => Some(e),
            None => {
                self.problem(
                    loc.clone(),
                    "this expectation names no event".into(),
                    Some("add `event = \"<event id>\"`, or write it as `expect` in the event"),
                );
                None
            }
        };
        let total = self.decimal("total", raw.total.as_ref(), &loc);
        let share = self.decimal("share", raw.share.as_ref(), &loc);
        let window = match raw.window {
            Some(toml::Value::String(s)) => Some(s),
            Some(v) => Some(v.to_string()),
            None => None,
        };
        Some(ExpectedFinding {
            rule: rule?,
            kind: kind?,
            event: event?,
            total,
            window,
            share,
            why: raw.why,
            loc,
        })
    }

    /// An inline event: its JSON line, and the expectations written in it.
    fn event(&mut self, raw: Spanned<RawEvent>, test: &mut TestCase, default_rule: Option<&str>) {
        let loc = self.loc(raw.span());
        let mut json = serde_json::Map::new();
        let mut expect = None;
        let mut why = None;
        for (k, v) in raw.into_inner() {
            match k.get_ref().as_str() {
                "expect" => expect = Some(v),
                "why" => {
                    why = match v.get_ref() {
                        toml::Value::String(s) => Some(s.clone()),
                        _ => None,
                    }
                }
                key => {
                    json.insert(key.to_string(), to_json(v.into_inner()));
                }
            }
        }
        let id = json.get("id").and_then(|v| v.as_str()).map(str::to_string);
        if let Some(expect) = expect {
            let eloc = self.loc(expect.span());
            let items = match expect.into_inner() {
                toml::Value::Array(a) => a,
                other => {
                    self.problem(
                        eloc.clone(),
                        format!("`expect` must be a list, not `{other}`"),
                        Some("e.g. `expect = [\"violation\"]`, or `expect = []` for an event that should find nothing"),
                    );
                    Vec::new()
                }
            };
            for item in items {
                let raw = match item {
                    toml::Value::String(kind) => Ok(RawExpect {
                        rule: None,
                        kind,
                        event: None,
                        total: None,
                        window: None,
                        share: None,
                        why: None,
                    }),
                    toml::Value::Table(t) => toml::Value::Table(t).try_into::<RawExpect>(),
                    other => {
                        self.problem(
                            eloc.clone(),
                            format!("`expect` lists finding kinds or tables, not `{other}`"),
                            Some("e.g. `expect = [\"warning\"]` or `expect = [{ kind = \"warning\", total = \"450000\" }]`"),
                        );
                        continue;
                    }
                };
                match raw {
                    Ok(mut raw) => {
                        if raw.why.is_none() {
                            raw.why.clone_from(&why);
                        }
                        if id.is_none() && raw.event.is_none() {
                            self.problem(
                                loc.clone(),
                                "this event has no `id`, so its `expect` cannot name it".into(),
                                Some("give every event an `id`"),
                            );
                            continue;
                        }
                        if let Some(e) =
                            self.expectation(raw, id.clone(), default_rule, eloc.clone())
                        {
                            test.expect.push(e);
                        }
                    }
                    Err(e) => self.problem(
                        eloc.clone(),
                        format!("bad expectation in `expect`: {}", e.message()),
                        None,
                    ),
                }
            }
        }
        test.events
            .push((serde_json::Value::Object(json).to_string(), loc));
    }

    fn test(&mut self, raw: Spanned<RawTest>) -> TestCase {
        let loc = self.loc(raw.span());
        let raw = raw.into_inner();
        let as_of = raw.as_of.as_ref().and_then(|v| self.date(v));
        let rules: Vec<(String, Loc)> = match raw.rule {
            Some(r) => {
                let l = self.loc(r.span());
                r.into_inner()
                    .into_vec()
                    .into_iter()
                    .map(|s| (s, l.clone()))
                    .collect()
            }
            None => Vec::new(),
        };
        let default_rule = match rules.as_slice() {
            [(r, _)] => Some(r.clone()),
            _ => None,
        };
        let mut test = TestCase {
            name: raw.name.get_ref().clone(),
            loc,
            as_of,
            rules,
            events: Vec::new(),
            event_files: Vec::new(),
            expect: Vec::new(),
            expect_diagnostics: Vec::new(),
        };
        for e in raw.event {
            self.event(e, &mut test, default_rule.as_deref());
        }
        if let Some(files) = raw.events_file {
            let l = self.loc(files.span());
            for f in files.into_inner().into_vec() {
                test.event_files.push((beside(&self.dir, &f), l.clone()));
            }
        }
        for x in raw.expect {
            let l = self.loc(x.span());
            if let Some(e) = self.expectation(x.into_inner(), None, default_rule.as_deref(), l) {
                test.expect.push(e);
            }
        }
        for d in raw.expect_diagnostic {
            let l = self.loc(d.span());
            let d = d.into_inner();
            test.expect_diagnostics.push(ExpectedDiagnostic {
                code: d.code,
                event: d.event,
                rule: d.rule,
                loc: l,
            });
        }
        if test.events.is_empty() && test.event_files.is_empty() {
            let l = test.loc.clone();
            self.problem(
                l,
                format!("test `{}` has no events", test.name),
                Some("add events as `[[test.event]]` tables, or name a file with `events_file = \"…\"`"),
            );
        }
        test
    }
}

/// A path written in a test file in `dir`: relative to `dir`.
fn beside(dir: &Path, path: &str) -> PathBuf {
    if dir == Path::new(".") {
        PathBuf::from(path)
    } else {
        dir.join(path)
    }
}

/// TOML values as JSON event fields: dates become `YYYY-MM-DD` strings.
fn to_json(v: toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        toml::Value::String(s) => J::String(s),
        toml::Value::Integer(i) => J::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(a.into_iter().map(to_json).collect()),
        toml::Value::Table(t) => J::Object(t.into_iter().map(|(k, v)| (k, to_json(v))).collect()),
    }
}

/// The default rule set of a test file in `dir`: `dir` if some `.sanc` file
/// is below it, otherwise its parent folder (`rules/tests/` → `rules/`).
fn default_rules(dir: &Path) -> PathBuf {
    if !loader::rule_files(dir).files.is_empty() {
        return dir.to_path_buf();
    }
    match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from(".."),
    }
}

/// Parse a test file's text; `name` is how it is shown, `path` where it is
/// (rule and event paths are relative to its folder).
pub fn parse(name: &str, path: &Path, text: &str) -> Result<TestFile, Vec<Problem>> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let mut p = Parser {
        name,
        dir: dir.clone(),
        text,
        problems: Vec::new(),
    };
    let raw: RawFile = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let loc = p.loc(e.span().unwrap_or(0..0));
            let message = e.message().trim().to_string();
            return Err(vec![Problem {
                loc,
                message: format!("not a valid test file: {message}"),
                help: Some("see docs/testing.md for the format of test files".into()),
            }]);
        }
    };
    let (rules, rules_loc) = match raw.rules {
        Some(r) => {
            let l = p.loc(r.span());
            let v = r.into_inner().into_vec();
            (v.into_iter().map(|r| beside(&dir, &r)).collect(), l)
        }
        None => (vec![default_rules(&dir)], p.loc(0..0)),
    };
    let as_of = raw.as_of.as_ref().and_then(|v| p.date(v));
    let mut tests = Vec::new();
    if raw.test.is_empty() {
        p.problem(
            p.loc(0..0),
            "this test file has no tests".into(),
            Some("add a `[[test]]` table with a `name`, events and expectations"),
        );
    }
    let mut names: HashMap<String, Loc> = HashMap::new();
    for t in raw.test {
        let mut t = p.test(t);
        t.as_of = t.as_of.or(as_of);
        if let Some(first) = names.get(&t.name) {
            let message = format!(
                "two tests are named `{}` (the first at line {})",
                t.name, first.line
            );
            p.problem(t.loc.clone(), message, Some("give each test its own name"));
        }
        names.insert(t.name.clone(), t.loc.clone());
        tests.push(t);
    }
    if !p.problems.is_empty() {
        return Err(p.problems);
    }
    Ok(TestFile {
        name: name.to_string(),
        rules,
        rules_loc,
        tests,
    })
}

/// The test files a path stands for: itself, or every `*.sanc-test` below it
/// (hidden folders and `target` skipped), sorted.
pub fn test_files(path: &Path) -> Result<Vec<PathBuf>, String> {
    if !path.exists() {
        return Err(format!("`{}` does not exist", path.display()));
    }
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found = Vec::new();
    let walk = walkdir::WalkDir::new(path)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !e.file_type().is_dir()
                || e.file_name()
                    .to_str()
                    .is_some_and(|n| !n.starts_with('.') && n != "target")
        });
    for entry in walk {
        match entry {
            Ok(e) => {
                if e.file_type().is_file()
                    && e.path().extension().is_some_and(|x| x == TEST_EXTENSION)
                {
                    found.push(e.into_path());
                }
            }
            Err(e) => return Err(format!("cannot read `{}`: {e}", path.display())),
        }
    }
    found.sort();
    Ok(found)
}

// ------------------------------------------------------------------ running

/// A finding in words, expected or found alike:
/// `violation of `r` for `e` (total 1, window 2023, share 90%)`.
fn describe_finding(
    kind: &str,
    rule: &str,
    event: &str,
    total: Option<&str>,
    window: Option<&str>,
    share: Option<&str>,
) -> String {
    let mut details = Vec::new();
    if let Some(t) = total {
        details.push(format!("total {t}"));
    }
    if let Some(w) = window {
        details.push(format!("window {w}"));
    }
    if let Some(s) = share {
        details.push(format!("share {s}%"));
    }
    let details = if details.is_empty() {
        String::new()
    } else {
        format!(" ({})", details.join(", "))
    };
    format!("{kind} of `{rule}` for `{event}`{details}")
}

/// A finding as a test sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GotFinding {
    pub rule: String,
    pub kind: &'static str,
    pub event: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    /// Caps: the total as a share of the limit, in percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<String>,
    /// Where the event is written in the test file (inline events).
    #[serde(skip)]
    pub loc: Option<Loc>,
}

impl GotFinding {
    fn of(rules: &RuleSet, f: &Finding) -> Self {
        let share = f
            .cap()
            .and_then(|_| f.share(rules))
            .map(|s| crate::exact::plain(&s));
        GotFinding {
            rule: rules
                .rules
                .get(f.rule)
                .map(|r| r.id.clone())
                .unwrap_or_default(),
            kind: f.kind.as_str(),
            event: f.event.to_string(),
            total: f.total().map(crate::exact::plain),
            window: f.window_label(rules),
            share,
            loc: None,
        }
    }

    /// `violation of `r` for `e` (total 1, window 2023, share 90%)`.
    pub fn describe(&self) -> String {
        describe_finding(
            self.kind,
            &self.rule,
            &self.event,
            self.total.as_deref(),
            self.window.as_deref(),
            self.share.as_deref(),
        )
    }
}

impl ExpectedFinding {
    pub fn describe(&self) -> String {
        describe_finding(
            self.kind.as_str(),
            &self.rule,
            &self.event,
            self.total.map(|t| t.to_string()).as_deref(),
            self.window.as_deref(),
            self.share.map(|s| s.to_string()).as_deref(),
        )
    }

    fn same_finding(&self, g: &GotFinding) -> bool {
        self.rule == g.rule && self.kind.as_str() == g.kind && self.event == g.event
    }

    /// The details that differ from the finding: `total: expected 1, got 2`.
    fn differences(&self, g: &GotFinding) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(t) = self.total {
            if !number_matches(t, g.total.as_deref()) {
                out.push(format!(
                    "total: expected {t}, got {}",
                    g.total.as_deref().unwrap_or("none")
                ));
            }
        }
        if let Some(w) = &self.window {
            if g.window.as_deref() != Some(w.as_str()) {
                out.push(format!(
                    "window: expected {w}, got {}",
                    g.window.as_deref().unwrap_or("none")
                ));
            }
        }
        if let Some(s) = self.share {
            if !number_matches(s, g.share.as_deref()) {
                out.push(format!(
                    "share: expected {s}%, got {}",
                    g.share
                        .as_deref()
                        .map_or("none".into(), |s| format!("{s}%"))
                ));
            }
        }
        out
    }
}

/// An expected number matches a found one if the found one, rounded to as
/// many decimal places as the expected one has, is equal to it (`95.01`
/// matches 95.0054; `450000` matches only 450000 and what rounds to it).
fn number_matches(expected: Decimal, got: Option<&str>) -> bool {
    let Some(got) = got.and_then(|g| Decimal::from_str(g).ok()) else {
        return false;
    };
    got.round_dp(expected.scale()) == expected
}

/// An event diagnostic as a test sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GotDiagnostic {
    pub code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    pub message: String,
    #[serde(skip)]
    pub loc: Option<Loc>,
}

impl ExpectedDiagnostic {
    fn matches(&self, d: &GotDiagnostic) -> bool {
        let code = self.code.as_str();
        let short = d.code.rsplit("::").next().unwrap_or(&d.code);
        (code == d.code || code == short)
            && self
                .event
                .as_ref()
                .is_none_or(|e| d.event.as_ref() == Some(e))
            && self
                .rule
                .as_ref()
                .is_none_or(|r| d.rule.as_ref() == Some(r))
    }

    pub fn describe(&self) -> String {
        let mut s = format!("diagnostic `{}`", self.code);
        if let Some(e) = &self.event {
            s += &format!(" for `{e}`");
        }
        if let Some(r) = &self.rule {
            s += &format!(" from `{r}`");
        }
        s
    }
}

/// One difference between what a test expected and what it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Difference {
    /// Expected, not found.
    Missing {
        #[serde(flatten)]
        loc: Loc,
        expected: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        why: Option<String>,
    },
    /// Found, not expected.
    Unexpected {
        #[serde(skip_serializing_if = "Option::is_none")]
        #[serde(flatten)]
        loc: Option<Loc>,
        found: String,
    },
    /// Found, with other totals, windows or shares than expected.
    Changed {
        #[serde(flatten)]
        loc: Loc,
        expected: String,
        differences: Vec<String>,
    },
}

impl Difference {
    /// One line of a diff: `-` expected and missing, `+` found and not
    /// expected, `~` found with other details.
    pub fn line(&self) -> String {
        match self {
            Difference::Missing { loc, expected, why } => {
                let why = why
                    .as_deref()
                    .map(|w| format!("; why: {w}"))
                    .unwrap_or_default();
                format!("- {loc}: expected {expected}, not found{why}")
            }
            Difference::Unexpected {
                loc: Some(loc),
                found,
            } => {
                format!("+ {loc}: found {found}, not expected")
            }
            Difference::Unexpected { loc: None, found } => {
                format!("+ found {found}, not expected")
            }
            Difference::Changed {
                loc,
                expected,
                differences,
            } => format!("~ {loc}: {expected}: {}", differences.join("; ")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    Error,
}

/// The result of one test.
#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    pub name: String,
    #[serde(flatten)]
    pub loc: Loc,
    pub status: Status,
    /// The test's `as_of` (`YYYY-MM-DD`), when it sets one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub differences: Vec<Difference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
}

/// How far the tests exercised one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleCoverage {
    pub rule: String,
    /// The rule file, and the line of the rule.
    pub file: String,
    pub line: usize,
    /// Findings of the rule across all tests.
    pub findings: usize,
    /// Events whose goods the rule covers and for which it found nothing.
    pub near_misses: usize,
}

impl RuleCoverage {
    /// `fired and missed`, `fired only`, `near miss only`, `never`.
    pub fn state(&self) -> &'static str {
        match (self.findings > 0, self.near_misses > 0) {
            (true, true) => "covered",
            (true, false) => "fired only",
            (false, true) => "near miss only",
            (false, false) => "never",
        }
    }

    pub fn covered(&self) -> bool {
        self.findings > 0 && self.near_misses > 0
    }
}

/// Coverage over every rule of the rule sets tested.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Coverage {
    pub rules: Vec<RuleCoverage>,
    /// Rules both fired and near-missed, in percent of all rules (100
    /// when there are none).
    pub percent: Decimal,
}

/// A whole run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Run {
    pub tests: Vec<TestResult>,
    /// Problems with test files that kept all of their tests from running.
    pub problems: Vec<Problem>,
    pub coverage: Coverage,
}

impl Run {
    pub fn count(&self, status: &Status) -> usize {
        self.tests.iter().filter(|t| &t.status == status).count()
    }

    pub fn has_errors(&self) -> bool {
        !self.problems.is_empty() || self.count(&Status::Error) > 0
    }
}

/// Per rule set: (findings, near misses) per rule.
type Tally = Vec<(usize, BTreeSet<Box<str>>)>;

struct LoadedRules {
    source: RuleSource,
    tally: Tally,
    problems: Vec<Problem>,
}

/// The errors of a rule set; those with no place in a rule file (a path
/// that does not exist) are placed at `fallback`, the test file's `rules`.
fn rule_problems(src: &RuleSource, fallback: &Loc) -> Vec<Problem> {
    src.diagnostics()
        .filter(|d| d.is_error())
        .map(|d| {
            let loc = d
                .primary_span()
                .and_then(|s| crate::report::json::location(&src.sources, s))
                .map_or(fallback.clone(), |l| Loc {
                    file: l.file,
                    line: l.line,
                    column: l.column,
                });
            Problem {
                loc,
                message: format!("in the rules: {}", d.message),
                help: d.help.clone(),
            }
        })
        .collect()
}

/// Read the files given, parse them as test files and run their tests.
/// `default_as_of` is used by tests that set no `as_of`.
pub fn run_paths(paths: &[PathBuf], default_as_of: NaiveDate) -> Run {
    let mut run = Run::default();
    let mut files = Vec::new();
    for path in paths {
        match test_files(path) {
            Ok(found) if found.is_empty() => run.problems.push(Problem {
                loc: Loc {
                    file: path.display().to_string(),
                    line: 0,
                    column: 0,
                },
                message: format!("no test files (*.{TEST_EXTENSION}) in `{}`", path.display()),
                help: Some("see docs/testing.md for how to write one".into()),
            }),
            Ok(found) => files.extend(found),
            Err(message) => run.problems.push(Problem {
                loc: Loc {
                    file: path.display().to_string(),
                    line: 0,
                    column: 0,
                },
                message,
                help: None,
            }),
        }
    }
    let mut parsed = Vec::new();
    for f in files {
        let name = f.to_string_lossy().replace('\\', "/");
        let name = name.strip_prefix("./").unwrap_or(&name).to_string();
        match std::fs::read_to_string(&f) {
            Ok(text) => match parse(&name, &f, &text) {
                Ok(t) => parsed.push(t),
                Err(p) => run.problems.extend(p),
            },
            Err(e) => run.problems.push(Problem {
                loc: Loc {
                    file: name.clone(),
                    line: 0,
                    column: 0,
                },
                message: format!("cannot read `{name}`: {e}"),
                help: None,
            }),
        }
    }
    let tested = run_files(&parsed, default_as_of);
    run.tests = tested.tests;
    run.problems.extend(tested.problems);
    run.coverage = tested.coverage;
    run
}

/// Run the tests of parsed test files.
pub fn run_files(files: &[TestFile], default_as_of: NaiveDate) -> Run {
    let mut run = Run::default();
    let mut sets: BTreeMap<Vec<PathBuf>, LoadedRules> = BTreeMap::new();
    for file in files {
        let key: Vec<PathBuf> = file
            .rules
            .iter()
            .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()))
            .collect();
        let set = sets.entry(key).or_insert_with(|| {
            let source = loader::load(&file.rules);
            let problems = rule_problems(&source, &file.rules_loc);
            let tally = vec![(0, BTreeSet::new()); source.checked.rules.rules.len()];
            LoadedRules {
                source,
                tally,
                problems,
            }
        });
        if !set.problems.is_empty() {
            run.problems.push(Problem {
                loc: file.rules_loc.clone(),
                message: format!(
                    "the rule set of this test file ({}) has errors; no test of it ran",
                    file.rules
                        .iter()
                        .map(|p| format!("`{}`", p.display()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                help: Some("run `sanc check` on the rules".into()),
            });
            run.problems.extend(set.problems.iter().cloned());
            continue;
        }
        for test in &file.tests {
            run.tests.push(run_test(
                test,
                &set.source.checked.rules,
                &mut set.tally,
                default_as_of,
            ));
        }
    }
    // Problems of a rule set are listed once.
    let mut seen = BTreeSet::new();
    run.problems
        .retain(|p| seen.insert((p.loc.clone(), p.message.clone())));
    let mut rules = Vec::new();
    for set in sets.values() {
        for (rule, (findings, misses)) in set.source.checked.rules.rules.iter().zip(&set.tally) {
            let loc = crate::report::json::location(&set.source.sources, rule.keyword);
            rules.push(RuleCoverage {
                rule: rule.id.clone(),
                file: loc.as_ref().map(|l| l.file.clone()).unwrap_or_default(),
                line: loc.map_or(0, |l| l.line),
                findings: *findings,
                near_misses: misses.len(),
            });
        }
    }
    let covered = rules.iter().filter(|r| r.covered()).count();
    let percent = if rules.is_empty() {
        Decimal::ONE_HUNDRED
    } else {
        (Decimal::from(covered) * Decimal::ONE_HUNDRED / Decimal::from(rules.len())).round_dp(1)
    };
    run.coverage = Coverage { rules, percent };
    run
}

fn run_test(
    test: &TestCase,
    rules: &RuleSet,
    tally: &mut Tally,
    default_as_of: NaiveDate,
) -> TestResult {
    let as_of = test.as_of.unwrap_or(default_as_of);
    let mut result = TestResult {
        name: test.name.clone(),
        loc: test.loc.clone(),
        status: Status::Pass,
        as_of: test.as_of.map(|d| d.to_string()),
        differences: Vec::new(),
        problems: Vec::new(),
    };
    // Rule ids the test names must exist.
    let ids: BTreeSet<&str> = rules.rules.iter().map(|r| r.id.as_str()).collect();
    let named = test
        .rules
        .iter()
        .map(|(r, l)| (r.as_str(), l))
        .chain(test.expect.iter().map(|e| (e.rule.as_str(), &e.loc)));
    for (r, l) in named {
        if !ids.contains(r) {
            let suffix = format!(".{r}");
            let by_label: Vec<&str> = ids
                .iter()
                .copied()
                .filter(|i| i.ends_with(&suffix))
                .collect();
            let best = match by_label.as_slice() {
                [one] => Some(*one),
                _ => crate::suggest::closest(r, ids.iter().copied()),
            };
            let hint = best.map(|b| format!("did you mean `{b}`? Rule ids are `<regime>.<label>`"));
            result.problems.push(Problem {
                loc: l.clone(),
                message: format!("no rule `{r}` in the rule set"),
                help: hint,
            });
        }
    }
    if !result.problems.is_empty() {
        result.status = Status::Error;
        return result;
    }
    let (outcome, problems) = evaluate(test, rules, as_of);
    if !problems.is_empty() {
        result.problems = problems;
        result.status = Status::Error;
        return result;
    }
    // Coverage.
    let mut fired: BTreeSet<(usize, &str)> = BTreeSet::new();
    for f in &outcome.findings {
        if let Some(t) = tally.get_mut(f.rule) {
            t.0 += 1;
        }
        fired.insert((f.rule, &f.event));
    }
    for (ri, id) in &outcome.touched {
        if !fired.contains(&(*ri, &**id)) {
            if let Some(t) = tally.get_mut(*ri) {
                t.1.insert(format!("{}#{}#{id}", test.loc, test.name).into());
            }
        }
    }
    // Where inline events are written, by id.
    let mut event_locs: HashMap<String, Loc> = HashMap::new();
    for (json, loc) in &test.events {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(json) {
            if let Some(id) = v.get("id").and_then(|i| i.as_str()) {
                event_locs
                    .entry(id.to_string())
                    .or_insert_with(|| loc.clone());
            }
        }
    }
    // A test's `rule`s, and any rule an expectation names, are compared.
    let scope: BTreeSet<&str> = if test.rules.is_empty() {
        BTreeSet::new()
    } else {
        test.rules
            .iter()
            .map(|(r, _)| r.as_str())
            .chain(test.expect.iter().map(|e| e.rule.as_str()))
            .collect()
    };
    let mut got: Vec<GotFinding> = outcome
        .findings
        .iter()
        .map(|f| GotFinding::of(rules, f))
        .filter(|g| scope.is_empty() || scope.contains(g.rule.as_str()))
        .map(|mut g| {
            g.loc = event_locs.get(&g.event).cloned();
            g
        })
        .collect();
    result.differences = compare_findings(&test.expect, &mut got);
    let got_diags: Vec<GotDiagnostic> = outcome
        .diagnostics
        .iter()
        .map(|d| diagnostic(d, test, &event_locs))
        .collect();
    result
        .differences
        .extend(compare_diagnostics(&test.expect_diagnostics, got_diags));
    if !result.differences.is_empty() {
        result.status = Status::Fail;
    }
    result
}

fn diagnostic(
    d: &EventDiagnostic,
    test: &TestCase,
    event_locs: &HashMap<String, Loc>,
) -> GotDiagnostic {
    // Inline events are input 0, one per line.
    let loc = if d.loc().input == 0 && !test.events.is_empty() {
        test.events
            .get((d.loc().line as usize).saturating_sub(1))
            .map(|(_, l)| l.clone())
    } else {
        d.event_id().and_then(|id| event_locs.get(id).cloned())
    };
    GotDiagnostic {
        code: d.code.to_string(),
        event: d.event_id().map(str::to_string),
        rule: d.rule().map(str::to_string),
        message: d.message.clone(),
        loc,
    }
}

/// Pair expected findings with found ones: exact matches first, then
/// findings of the same rule, kind and event whose details differ.
pub fn compare_findings(
    expected: &[ExpectedFinding],
    got: &mut Vec<GotFinding>,
) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut left: Vec<&ExpectedFinding> = Vec::new();
    for e in expected {
        match got
            .iter()
            .position(|g| e.same_finding(g) && e.differences(g).is_empty())
        {
            Some(i) => {
                got.remove(i);
            }
            None => left.push(e),
        }
    }
    for e in left {
        match got.iter().position(|g| e.same_finding(g)) {
            Some(i) => {
                let g = got.remove(i);
                out.push(Difference::Changed {
                    loc: e.loc.clone(),
                    expected: e.describe(),
                    differences: e.differences(&g),
                });
            }
            None => out.push(Difference::Missing {
                loc: e.loc.clone(),
                expected: e.describe(),
                why: e.why.clone(),
            }),
        }
    }
    for g in got.drain(..) {
        out.push(Difference::Unexpected {
            found: g.describe(),
            loc: g.loc,
        });
    }
    out
}

fn compare_diagnostics(
    expected: &[ExpectedDiagnostic],
    mut got: Vec<GotDiagnostic>,
) -> Vec<Difference> {
    let mut out = Vec::new();
    for e in expected {
        match got.iter().position(|d| e.matches(d)) {
            Some(i) => {
                got.remove(i);
            }
            None => out.push(Difference::Missing {
                loc: e.loc.clone(),
                expected: e.describe(),
                why: None,
            }),
        }
    }
    for d in got {
        let on = d
            .event
            .as_deref()
            .map(|e| format!(" for `{e}`"))
            .unwrap_or_default();
        out.push(Difference::Unexpected {
            found: format!("diagnostic `{}`{on} ({})", d.code, d.message),
            loc: d.loc,
        });
    }
    out
}

/// Evaluate a test's events: the outcome, or why its events could not be read.
fn evaluate(test: &TestCase, rules: &RuleSet, as_of: NaiveDate) -> (Outcome, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut evaluator = Evaluator::new(rules, as_of);
    evaluator.track_touched();
    let mut inline = Input::new(
        format!("{}#{}", test.loc.file, test.name),
        None,
        InputFormat::Ndjson,
    );
    let text: String = test.events.iter().map(|(j, _)| format!("{j}\n")).collect();
    if !test.events.is_empty() {
        if let Err(message) = read(
            0,
            &mut inline,
            text.as_bytes(),
            |i| evaluator.item(i),
            |_| {},
        ) {
            problems.push(Problem {
                loc: test.loc.clone(),
                message,
                help: None,
            });
        }
    }
    for (i, (path, loc)) in test.event_files.iter().enumerate() {
        let name = path.to_string_lossy().into_owned();
        let Some(format) = InputFormat::from_name(&name) else {
            problems.push(Problem {
                loc: loc.clone(),
                message: format!("cannot tell the format of `{name}` from its extension"),
                help: Some("name it .json, .ndjson, .jsonl or .csv".into()),
            });
            continue;
        };
        let mut input = Input::new(name.clone(), Some(path.clone()), format);
        let index = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let r = match std::fs::File::open(path) {
            Ok(file) => read(index, &mut input, file, |it| evaluator.item(it), |_| {}),
            Err(e) => Err(format!("cannot read `{name}`: {e}")),
        };
        if let Err(message) = r {
            problems.push(Problem {
                loc: loc.clone(),
                message,
                help: None,
            });
        }
    }
    (evaluator.finish(), problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_from_one() {
        assert_eq!(line_col("ab\ncd", 0), (1, 1));
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
    }

    #[test]
    fn numbers_match_to_the_places_written() {
        let d = |s: &str| Decimal::from_str(s).unwrap_or_default();
        assert!(number_matches(d("95.01"), Some("95.0054")));
        assert!(number_matches(d("450000"), Some("450000")));
        assert!(!number_matches(d("450000"), Some("450001")));
        assert!(!number_matches(d("1"), None));
    }
}
