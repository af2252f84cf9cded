//! `sanc test`: run the tests of rule sets (`*.sanc-test`), with coverage.

use super::{write_json, Exit};
use chrono::NaiveDate;
use clap::ValueEnum;
use rust_decimal::Decimal;
use sanc::report::plural;
use sanc::testing::{self, Run, Status};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    /// A line per test, and a diff for each failure.
    Human,
    /// One JSON object (see docs/testing.md).
    Json,
    /// JUnit XML, for CI test reports.
    Junit,
}

pub(super) struct TestArgs {
    pub(super) paths: Vec<PathBuf>,
    pub(super) format: TestFormat,
    pub(super) as_of: NaiveDate,
    pub(super) coverage: bool,
    pub(super) min_coverage: Option<Decimal>,
}

pub(super) fn test(args: TestArgs) -> Exit {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
    };
    let run = testing::run_paths(&paths, args.as_of);
    let below = args
        .min_coverage
        .is_some_and(|min| run.coverage.percent < min);
    let code = if run.has_errors() {
        Exit::Errors
    } else if run.count(&Status::Fail) > 0 || below {
        Exit::Violations
    } else {
        Exit::Clean
    };
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        TestFormat::Human => {
            out.write_all(human(&run, args.coverage, args.min_coverage).as_bytes())
        }
        TestFormat::Json => write_json(&mut out, &json(&run, args.min_coverage)),
        TestFormat::Junit => out.write_all(junit(&run).as_bytes()),
    };
    super::finish(&mut out, written, code)
}

/// The human report: problems, a line per test with its diff, the coverage
/// table if asked, and a summary.
pub fn human(run: &Run, coverage: bool, min: Option<Decimal>) -> String {
    let mut s = String::new();
    for p in &run.problems {
        s += &format!("{p}\n");
    }
    for t in &run.tests {
        let mark = match t.status {
            Status::Pass => "ok   ",
            Status::Fail => "FAIL ",
            Status::Error => "ERROR",
        };
        s += &format!("{mark} {}:{}  {}\n", t.loc.file, t.loc.line, t.name);
        for d in &t.differences {
            s += &format!("      {}\n", d.line());
        }
        for p in &t.problems {
            s += &format!("      {}\n", p.to_string().replace('\n', "\n      "));
        }
    }
    if coverage {
        s += &coverage_table(run);
    }
    let (pass, fail, err) = (
        run.count(&Status::Pass),
        run.count(&Status::Fail),
        run.count(&Status::Error),
    );
    let mut summary = format!(
        "{}: {pass} passed, {fail} failed",
        plural(run.tests.len(), "test", "tests")
    );
    if err > 0 {
        summary += &format!(", {err} could not run");
    }
    if !run.problems.is_empty() {
        summary += &format!("; {}", plural(run.problems.len(), "error", "errors"));
    }
    let covered = run.coverage.rules.iter().filter(|r| r.covered()).count();
    summary += &format!(
        "; rule coverage {}% ({covered} of {} rules fired and near-missed)",
        run.coverage.percent,
        run.coverage.rules.len()
    );
    s += &summary;
    s.push('\n');
    if let Some(min) = min {
        if run.coverage.percent < min {
            s += &format!(
                "rule coverage {}% is below the minimum of {min}%\n",
                run.coverage.percent
            );
        }
    }
    s
}

/// A table of every rule: findings, near misses, and what is missing.
pub fn coverage_table(run: &Run) -> String {
    let rules = &run.coverage.rules;
    let width = rules.iter().map(|r| r.rule.len()).max().unwrap_or(4).max(4);
    let mut s = format!(
        "\n{:<width$}  {:>8}  {:>11}  coverage\n",
        "rule", "findings", "near misses"
    );
    for r in rules {
        s += &format!(
            "{:<width$}  {:>8}  {:>11}  {}\n",
            r.rule,
            r.findings,
            r.near_misses,
            r.state()
        );
    }
    s.push('\n');
    s
}

#[derive(serde::Serialize)]
struct JsonRun<'a> {
    tests: &'a [testing::TestResult],
    problems: &'a [testing::Problem],
    coverage: &'a testing::Coverage,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_coverage: Option<Decimal>,
    summary: JsonSummary,
}

#[derive(serde::Serialize)]
struct JsonSummary {
    tests: usize,
    passed: usize,
    failed: usize,
    errors: usize,
}

fn json(run: &Run, min: Option<Decimal>) -> impl serde::Serialize + '_ {
    JsonRun {
        tests: &run.tests,
        problems: &run.problems,
        coverage: &run.coverage,
        min_coverage: min,
        summary: JsonSummary {
            tests: run.tests.len(),
            passed: run.count(&Status::Pass),
            failed: run.count(&Status::Fail),
            errors: run.count(&Status::Error) + run.problems.len(),
        },
    }
}

fn xml(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s += "&amp;",
            '<' => s += "&lt;",
            '>' => s += "&gt;",
            '"' => s += "&quot;",
            '\'' => s += "&apos;",
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' && c != '\r' => {}
            c => s.push(c),
        }
    }
    s
}

/// JUnit XML: a test suite per test file, a test case per test; problems
/// with a test file are a test case `(test file)` with an error.
pub fn junit(run: &Run) -> String {
    let mut files: Vec<&str> = run.tests.iter().map(|t| t.loc.file.as_str()).collect();
    files.extend(run.problems.iter().map(|p| p.loc.file.as_str()));
    files.sort_unstable();
    files.dedup();
    let failures = run.count(&Status::Fail);
    let errors = run.count(&Status::Error) + run.problems.len();
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"sanc test\" tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\">\n",
        run.tests.len() + run.problems.len()
    );
    for file in files {
        let tests: Vec<_> = run.tests.iter().filter(|t| t.loc.file == file).collect();
        let problems: Vec<_> = run.problems.iter().filter(|p| p.loc.file == file).collect();
        let f = tests.iter().filter(|t| t.status == Status::Fail).count();
        let e = tests.iter().filter(|t| t.status == Status::Error).count() + problems.len();
        s += &format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{f}\" errors=\"{e}\">\n",
            xml(file),
            tests.len() + problems.len()
        );
        for t in tests {
            s += &format!(
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\"",
                xml(&t.name),
                xml(file),
                xml(file),
                t.loc.line
            );
            match t.status {
                Status::Pass => s += "/>\n",
                Status::Fail => {
                    let text: Vec<String> = t.differences.iter().map(|d| d.line()).collect();
                    s += &format!(
                        ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                        xml(&plural(t.differences.len(), "difference", "differences")),
                        xml(&text.join("\n"))
                    );
                }
                Status::Error => {
                    let text: Vec<String> = t.problems.iter().map(|p| p.to_string()).collect();
                    s += &format!(
                        ">\n      <error message=\"the test could not run\">{}</error>\n    </testcase>\n",
                        xml(&text.join("\n"))
                    );
                }
            }
        }
        for p in problems {
            s += &format!(
                "    <testcase name=\"(test file)\" classname=\"{}\" file=\"{}\" line=\"{}\">\n      <error message=\"{}\">{}</error>\n    </testcase>\n",
                xml(file),
                xml(file),
                p.loc.line,
                xml(&p.message),
                xml(&p.to_string())
            );
        }
        s += "  </testsuite>\n";
    }
    s += "</testsuites>\n";
    s
}
