//! The `sanc` command line: subcommands, output formats, exit codes.

mod check;
mod compile;
mod diff;
mod eval;
mod fmt;
mod test;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use sanc::events::InputFormat;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::{ExitCode, Termination};

/// How a run ended, as an exit code (like linters and grep).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The rules compiled and no violation was found (warnings allowed).
    Clean = 0,
    /// The rules compiled and at least one violation was found.
    Violations = 1,
    /// Rule errors, an input unreadable or with no events, a usage error,
    /// or (with `--strict`) an event rejected or not evaluable.
    Errors = 2,
    /// No violation, but incomplete: an event was rejected, or a rule that
    /// applies to it could not judge it.
    Incomplete = 3,
}

impl Termination for Exit {
    fn report(self) -> ExitCode {
        ExitCode::from(self as u8)
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "sanc",
    version,
    about = "Check sanctions rules (.sanc) and evaluate shipments and reports against them",
    long_about = "sanc reads sanctions regimes written in the .sanc language (bans, quantity and \
                  price caps, reporting duties, each with its legal citation) and checks event \
                  streams against them.\n\nExit codes (eval): 0 every event checked, no violation \
                  (warnings allowed); 1 violations found; 2 rule errors, an input unreadable or \
                  with no events, usage \
                  error, a failed write, or with --strict any event rejected or not evaluable; \
                  3 no violation, but incomplete: an event was rejected or a rule could not judge \
                  it. When standard output is a pipe that closes early (`sanc check rules | \
                  head`), sanc stops quietly with the code the run would have had."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Rich diagnostics for people (colour only on a terminal, never with NO_COLOR).
    Human,
    /// One JSON object on standard output (see docs/output.md).
    Json,
    /// The caps' window summaries as Markdown tables, for a report's annex.
    Markdown,
    /// The caps' window summaries as one CSV table.
    Csv,
}

/// Which quantity of an event with bounds a run counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QuantitiesArg {
    /// `quantity`, as given.
    Given,
    /// `quantity_low` where the event gives one.
    Low,
    /// `quantity_high` where the event gives one.
    High,
}

/// The kinds of evidence an event can state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvidenceArg {
    Notified,
    Customs,
    Reported,
    Estimated,
    Modelled,
    /// Events that state no `evidence`.
    Unstated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// Rich diagnostics for people.
    Human,
    /// One JSON object (see docs/output.md).
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards and CI.
    Sarif,
}

/// The inputs and flags of `sanc eval` and `sanc report`.
#[derive(Debug, clap::Args)]
struct EvalCli {
    /// Rule files or directories, then event files (`-` reads NDJSON from
    /// standard input).
    #[arg(required = true, num_args = 2.., value_name = "PATH")]
    paths: Vec<String>,
    /// Evaluate only the rules of this regime (repeat for several; default: the
    /// project file's `regimes`, or all).
    #[arg(long, value_name = "ID")]
    regime: Vec<String>,
    /// Output format (default: the project file's `[eval] format`, or human;
    /// `sanc report` writes its HTML page whatever the format).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Read every event input in this format instead of guessing from its extension
    /// (default: the project file's `[eval] input-format`).
    #[arg(long, value_enum, value_name = "FORMAT")]
    input_format: Option<InputFormatArg>,
    /// Judge reporting deadlines as of this date (YYYY-MM-DD; default: the project
    /// file's `[eval] as-of`, or today).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    as_of: Option<NaiveDate>,
    /// Exit with code 2 if any event is rejected or not evaluable (instead of 3).
    #[arg(long)]
    strict: bool,
    /// The CSV delimiter (default: detected from the header row: `,`, `;` or tab).
    #[arg(long, value_name = "CHAR", value_parser = parse_delimiter)]
    csv_delimiter: Option<u8>,
    /// Comtrade input: which account of each trade to count. `all` (every
    /// row; a warning for each trade reported from both sides, which is
    /// then counted twice), `importer` (import rows only), `exporter`
    /// (export rows only: the mirror statistics). Run `importer` and
    /// `exporter` to compare the two accounts side by side.
    #[arg(long, value_enum, value_name = "SIDE", default_value = "all")]
    comtrade_view: ComtradeViewArg,
    /// Print only the summary line (human format).
    #[arg(long, short)]
    quiet: bool,
    /// List every finding's event (human format; without it, a cap's
    /// block shows the shipment that passed the cap and "and N later
    /// shipments").
    #[arg(long, short)]
    verbose: bool,
    /// Write the output to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Count only shipments with this evidence (comma-separated, e.g.
    /// `notified,customs`); the others are left out of the run.
    #[arg(long, value_enum, value_delimiter = ',', value_name = "KIND")]
    evidence: Vec<EvidenceArg>,
    /// Count each shipment's `quantity_low` or `quantity_high` instead of
    /// its `quantity`, where it gives one.
    #[arg(long, value_enum, default_value_t = QuantitiesArg::Given)]
    quantities: QuantitiesArg,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check rule files for errors and warnings without evaluating events.
    ///
    /// PATH is a .sanc file or a directory (every *.sanc below it, in path
    /// order, following symbolic links). All files given form one rule set
    /// with one namespace. When the paths lie in a project (a sanc.toml in
    /// their folder or one above, see docs/projects.md), the rule set is the
    /// project's, whole: `sanc check rules/un/dprk_goods.sanc` checks the
    /// rule set that file belongs to, as the language server does.
    Check {
        /// Rule files or directories.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
        format: CheckFormat,
    },
    /// Evaluate event streams against a rule set and report every violation and warning.
    ///
    /// RULES are .sanc files or directories (every path before the first
    /// event file that is a directory or ends in .sanc; together they form
    /// one rule set, or the whole project they lie in when a sanc.toml is
    /// found in their folder or above). EVENTS are JSON arrays (.json),
    /// NDJSON (.ndjson, .jsonl, or `-` for standard input) or CSV (.csv)
    /// files; several may be given. Events need not be sorted: findings come
    /// out in order of date, then rule id, then event id, whatever the input
    /// order. Every event ends evaluated, rejected (it cannot be read, or
    /// is invalid: a field missing, malformed or misnamed, an id used
    /// twice) or not evaluable (a rule that applies cannot judge it: a cap without a
    /// quantity, a price in another currency, an undeclared commodity with
    /// no `hs`, …), each with a diagnostic; the others are still evaluated.
    ///
    /// Exit codes: 0 every event evaluated and no violation (warnings
    /// allowed); 1 at least one violation; 2 rule errors, an input
    /// unreadable or with no events, a usage error, or (with --strict) any event rejected or not
    /// evaluable; 3 no violation, but incomplete: some event was rejected or
    /// not evaluable, so the run cannot say everything complies.
    ///
    /// `--regime` evaluates only the rules of the named regimes (e.g. one
    /// jurisdiction: `--regime us_russia_oil`), with the declarations of the
    /// whole rule set.
    #[command(override_usage = "sanc eval [OPTIONS] <RULES>... <EVENTS>...")]
    Eval(EvalCli),
    /// Write one self-contained HTML report of an evaluation (`-o report.html`).
    ///
    /// The same inputs and flags as `sanc eval`. The page has, per cap, a
    /// cumulative chart of each window against the cap with the warning
    /// thresholds and the breach marked, stacked by evidence and by
    /// supplier; the window summaries; every finding with its citation; the
    /// bans and price caps; an annex of the events with their sources; the
    /// run's stats and diagnostics. It loads nothing (no script, font or
    /// image from anywhere: a Content-Security-Policy forbids it) and prints
    /// to PDF. Exit codes as for `sanc eval`.
    #[command(override_usage = "sanc report [OPTIONS] <RULES>... <EVENTS>... -o report.html")]
    Report(EvalCli),
    /// Run the tests of rule sets: `*.sanc-test` files (docs/testing.md).
    ///
    /// PATH is a test file or a directory (every *.sanc-test below it;
    /// default: the current directory). Each test evaluates its events
    /// against the test file's rule set and compares the findings and event
    /// diagnostics with those it expects; a failure shows the difference,
    /// located in the test file. Coverage: a rule is covered when some test
    /// made it fire and some event of its goods passed it (a near miss).
    ///
    /// Exit codes: 0 every test passed (and coverage is at least
    /// --min-coverage); 1 some test failed, or coverage is below it; 2 an
    /// error in a test file, in the rules it names, or in the events it
    /// reads.
    Test {
        /// Test files or directories.
        #[arg(value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = test::TestFormat::Human)]
        format: test::TestFormat,
        /// Judge reporting deadlines as of this date in tests that set no
        /// `as_of` (YYYY-MM-DD; default: today).
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        /// Print the coverage table: each rule's findings and near misses.
        #[arg(long)]
        coverage: bool,
        /// Exit 1 if fewer than P percent of the rules are covered.
        #[arg(long, value_name = "P")]
        min_coverage: Option<rust_decimal::Decimal>,
    },
    /// Evaluate the same events under two rule sets and compare the findings.
    ///
    /// A and B are rule files or directories (e.g. the rules before and
    /// after an amendment), or `REV:PATH` for PATH at a git revision
    /// (`HEAD~1:rules`); EVENTS are event files as for `eval`. Findings
    /// are paired by rule id, kind and event id and reported as only in A,
    /// only in B, or changed (a total, limit, share or window that moved),
    /// with every cap's window totals side by side (docs/diff.md).
    /// `--regime-a`/`--regime-b` keep one regime per side, to compare
    /// jurisdictions within one rule set.
    ///
    /// Exit codes: 0 no difference; 1 differences; 2 rule errors, an
    /// input unreadable or with no events, or a usage error.
    Diff {
        /// Rule set A.
        #[arg(value_name = "A")]
        a: PathBuf,
        /// Rule set B.
        #[arg(value_name = "B")]
        b: PathBuf,
        /// Event files.
        #[arg(required = true, value_name = "EVENTS")]
        events: Vec<PathBuf>,
        /// Keep only the rules of this regime in A (repeat for several).
        #[arg(long, value_name = "ID")]
        regime_a: Vec<String>,
        /// Keep only the rules of this regime in B (repeat for several).
        #[arg(long, value_name = "ID")]
        regime_b: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = diff::DiffFormat::Human)]
        format: diff::DiffFormat,
        /// Judge reporting deadlines as of this date (YYYY-MM-DD; default: today).
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        as_of: Option<NaiveDate>,
    },
    /// Compile a rule set to one SQL script for DuckDB, Apache Spark or PostgreSQL.
    ///
    /// The script reads an events table `sanc_events` (every event field a
    /// text column, as in a CSV file; `--events` makes it a view over CSV,
    /// Parquet or NDJSON files) and writes `sanc_findings`, with the
    /// findings of `sanc eval --format json` (rule, kind, event, date, cite,
    /// window, total, limit, unit, contributors, contributor_count,
    /// deadline), and `sanc_diagnostics`, the events it rejects or cannot
    /// judge, with their codes. Amounts are exact (whole numbers of
    /// 10^-10 in 38-digit integers). A rule that cannot be compiled
    /// exactly is reported and nothing is written. See docs/scale-out.md.
    ///
    /// Exit codes: 0 compiled; 2 rule errors, a rule that cannot be
    /// compiled, or a usage error.
    Compile {
        /// Rule files or directories (the project they lie in, as for `check`).
        #[arg(required = true, value_name = "RULES")]
        paths: Vec<PathBuf>,
        /// What to compile to.
        #[arg(long, value_enum, default_value_t = compile::Target::Sql)]
        to: compile::Target,
        /// The SQL engine.
        #[arg(long, value_enum, default_value_t = compile::DialectArg::Duckdb)]
        dialect: compile::DialectArg,
        /// Compile only the rules of this regime (repeat for several; default: the
        /// project file's `regimes`, or all).
        #[arg(long, value_name = "ID")]
        regime: Vec<String>,
        /// Judge reporting deadlines as of this date (YYYY-MM-DD; default: the project
        /// file's `[eval] as-of`, or the day the script runs).
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        /// Read the events from these files (a path or glob) instead of an existing
        /// `sanc_events` table.
        #[arg(long, value_name = "PATH")]
        events: Option<String>,
        /// The format of `--events` (default: from its extension; CSV otherwise).
        #[arg(long, value_enum, value_name = "FORMAT")]
        events_format: Option<compile::EventsFormatArg>,
        /// Write the script here instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Run the language server (LSP over standard input and output) for editors.
    ///
    /// It publishes the same diagnostics as `sanc check` while you type, for
    /// the whole rule set of the file (its project, found as `sanc check`
    /// finds it; without a sanc.toml, the workspace folder's .sanc files), and
    /// answers hover, go to definition, references, rename, completion,
    /// document symbols and formatting. See editors/README.md.
    Lsp,
    /// Format rule files in the one canonical layout.
    ///
    /// Declarations take one line each; a rule with at most one clause that
    /// fits in 100 columns takes one line, with the clauses of consecutive
    /// one-line rules aligned; other rules put each clause on its own
    /// indented line. Comments stay where they were. A file that does not
    /// parse is left untouched and its errors are shown. A file is
    /// replaced only once its new text is completely written (through a
    /// temporary file in the same folder), keeping its permissions; a file
    /// that cannot be written is reported and left as it was. `-` formats
    /// standard input to standard output.
    ///
    /// A file named is formatted. In a directory, the files of a project
    /// (a sanc.toml in their folder or above, see docs/projects.md) are
    /// formatted if they lie inside its `paths`, as `sanc check` reads the
    /// rule set; the others (test fixtures beside it) are left alone and
    /// counted.
    Fmt {
        /// Rule files or directories (every *.sanc below), or `-`.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Change nothing; list the files that are not formatted and exit 1
        /// if any. With `-`, nothing goes to standard output: `not
        /// formatted: <stdin>` on standard error and exit 1, or exit 0.
        #[arg(long)]
        check: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormatArg {
    Json,
    Ndjson,
    Csv,
    /// A UN Comtrade CSV download: one shipment per row (docs/events.md).
    Comtrade,
}

impl From<InputFormatArg> for InputFormat {
    fn from(f: InputFormatArg) -> Self {
        match f {
            InputFormatArg::Json => InputFormat::Json,
            InputFormatArg::Ndjson => InputFormat::Ndjson,
            InputFormatArg::Csv => InputFormat::Csv,
            InputFormatArg::Comtrade => InputFormat::Comtrade,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ComtradeViewArg {
    All,
    Importer,
    Exporter,
}

impl From<ComtradeViewArg> for sanc::events::comtrade::View {
    fn from(v: ComtradeViewArg) -> Self {
        use sanc::events::comtrade::View;
        match v {
            ComtradeViewArg::All => View::All,
            ComtradeViewArg::Importer => View::Importer,
            ComtradeViewArg::Exporter => View::Exporter,
        }
    }
}

/// One ASCII character; `tab` or `\t` for a tab.
fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        _ => Err(format!(
            "`{s}` is not one character; use e.g. `,`, `;` or `tab`"
        )),
    }
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("`{s}` is not a date (YYYY-MM-DD)"))
}

pub fn run() -> Exit {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help and version to stdout (exit 0) and usage errors to stderr.
            let code = if e.use_stderr() {
                Exit::Errors
            } else {
                Exit::Clean
            };
            return match e.print() {
                Ok(()) => code,
                Err(err) => output_failed(&err, code),
            };
        }
    };
    match cli.command {
        Command::Check { paths, format } => check::check(&paths, format),
        Command::Fmt { paths, check } => fmt::fmt(&paths, check),
        Command::Diff {
            a,
            b,
            events,
            regime_a,
            regime_b,
            format,
            as_of,
        } => diff::diff(diff::DiffArgs {
            a,
            b,
            events,
            regime_a,
            regime_b,
            format,
            as_of: as_of.unwrap_or_else(|| chrono::Local::now().date_naive()),
        }),
        Command::Test {
            paths,
            format,
            as_of,
            coverage,
            min_coverage,
        } => test::test(test::TestArgs {
            paths,
            format,
            as_of: as_of.unwrap_or_else(|| chrono::Local::now().date_naive()),
            coverage,
            min_coverage,
        }),
        Command::Compile {
            paths,
            to: compile::Target::Sql,
            dialect,
            regime,
            as_of,
            events,
            events_format,
            output,
        } => compile::compile(compile::CompileArgs {
            paths,
            dialect,
            regimes: regime,
            as_of,
            events,
            events_format,
            output,
        }),
        Command::Lsp => match sanc::lsp::run_stdio() {
            Ok(true) => Exit::Clean,
            // The Language Server Protocol: exit code 1 when the client
            // exits (or goes away) without asking to shut down first.
            Ok(false) => Exit::Violations,
            Err(e) => {
                stderr_line(format_args!("sanc lsp: {e}"));
                Exit::Errors
            }
        },
        Command::Eval(args) => eval::eval(eval_args(args, false)),
        Command::Report(args) => eval::eval(eval_args(args, true)),
    }
}

fn eval_args(a: EvalCli, html: bool) -> eval::EvalArgs {
    eval::EvalArgs {
        verbose: a.verbose,
        output: a.output,
        html,
        scenarios: scenarios(&a.evidence, a.quantities),
        paths: a.paths,
        regimes: a.regime,
        format: a.format,
        input_format: a.input_format.map(Into::into),
        as_of: a.as_of,
        strict: a.strict,
        quiet: a.quiet,
        csv: sanc::events::CsvOptions {
            delimiter: a.csv_delimiter,
            comtrade_view: a.comtrade_view.into(),
        },
    }
}

/// The scenario the flags ask for.
fn scenarios(evidence: &[EvidenceArg], quantities: QuantitiesArg) -> sanc::eval::Scenarios {
    use sanc::events::Evidence;
    sanc::eval::Scenarios {
        evidence: (!evidence.is_empty()).then(|| {
            evidence
                .iter()
                .map(|e| match e {
                    EvidenceArg::Notified => Evidence::Notified,
                    EvidenceArg::Customs => Evidence::Customs,
                    EvidenceArg::Reported => Evidence::Reported,
                    EvidenceArg::Estimated => Evidence::Estimated,
                    EvidenceArg::Modelled => Evidence::Modelled,
                    EvidenceArg::Unstated => Evidence::Unstated,
                })
                .collect()
        }),
        quantities: match quantities {
            QuantitiesArg::Given => sanc::eval::Quantities::Given,
            QuantitiesArg::Low => sanc::eval::Quantities::Low,
            QuantitiesArg::High => sanc::eval::Quantities::High,
        },
    }
}

/// One JSON value, pretty-printed, and a newline: every `--format json|sarif` output.
pub(super) fn write_json(
    out: &mut impl std::io::Write,
    value: &impl serde::Serialize,
) -> std::io::Result<()> {
    // `From` keeps an I/O error's kind (a closed pipe stays a closed pipe).
    serde_json::to_writer_pretty(&mut *out, value).map_err(std::io::Error::from)?;
    writeln!(out)
}

/// Colour only on a terminal, and never when NO_COLOR is set.
pub(super) fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Text on standard error. A failure to write it is ignored: there is
/// nowhere left to report it (`eprint!` would panic instead).
pub(crate) fn stderr_text(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// One line on standard error, ignoring a failure to write it (see [`stderr_text`]).
pub(crate) fn stderr_line(args: std::fmt::Arguments) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_fmt(args).and_then(|()| err.write_all(b"\n"));
}

/// The exit code after a failed write to standard output, for a run that
/// would otherwise have ended with `code`. A closed pipe (`sanc check rules
/// | head -1`) is how a reader says it has seen enough: the run ends
/// quietly with `code`. Any other failure (a full disk, `> /dev/full`) is
/// reported on standard error and the run exits 2 ([`Exit::Errors`]).
pub(crate) fn output_failed(err: &std::io::Error, code: Exit) -> Exit {
    if err.kind() == std::io::ErrorKind::BrokenPipe {
        return code;
    }
    stderr_line(format_args!(
        "error: cannot write to standard output: {err}"
    ));
    Exit::Errors
}

/// The exit code of a run that ends with `code` once its output, written
/// with result `written`, is flushed from `out`. Standard output buffers
/// lines, so some failures show only on the flush.
pub(crate) fn finish(out: &mut impl Write, written: std::io::Result<()>, code: Exit) -> Exit {
    match written.and_then(|()| out.flush()) {
        Ok(()) => code,
        Err(e) => output_failed(&e, code),
    }
}
