//! The `sanc` command line: subcommands, output formats, exit codes.

mod check;
mod eval;
mod fmt;

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use sanc::events::InputFormat;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::{ExitCode, Termination};

/// How a run ended, as an exit code (like linters and grep).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The rules compiled and no violation was found (warnings allowed).
    Clean = 0,
    /// The rules compiled and at least one violation was found.
    Violations = 1,
    /// Rule errors, unreadable input, a usage error, or a rejected event under `--strict`.
    Errors = 2,
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
                  streams against them.\n\nExit codes: 0 no violations (warnings allowed), \
                  1 violations found, 2 rule errors, unreadable input or usage error."
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

#[derive(Debug, Subcommand)]
enum Command {
    /// Check rule files for errors and warnings without evaluating events.
    ///
    /// PATH is a .sanc file or a directory (every *.sanc below it, in path
    /// order, following symbolic links). All files given form one rule set
    /// with one namespace.
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
    /// RULES is a .sanc file or a directory. EVENTS are JSON arrays (.json),
    /// NDJSON (.ndjson, .jsonl, or `-` for standard input) or CSV (.csv)
    /// files; several may be given. Events need not be sorted: findings come
    /// out in order of date, then rule id, then event id, whatever the input
    /// order. Bad events are rejected with a diagnostic and counted; the
    /// others are still evaluated.
    Eval {
        /// The rule set: a .sanc file or a directory of them.
        #[arg(value_name = "RULES")]
        rules: PathBuf,
        /// Event files (`-` reads NDJSON from standard input).
        #[arg(required = true, value_name = "EVENTS")]
        events: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Read every event input in this format instead of guessing from its extension.
        #[arg(long, value_enum, value_name = "FORMAT")]
        input_format: Option<InputFormatArg>,
        /// Judge reporting deadlines as of this date (YYYY-MM-DD; default: today).
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        /// Exit with code 2 if any event is rejected.
        #[arg(long)]
        strict: bool,
        /// Print only the summary line (human format).
        #[arg(long, short)]
        quiet: bool,
    },
    /// Run the language server (LSP over standard input and output) for editors.
    ///
    /// It publishes the same diagnostics as `sanc check` while you type, for
    /// the whole rule set of the file (a workspace folder's .sanc files), and
    /// answers hover, go to definition, references, rename, completion,
    /// document symbols and formatting. See editors/README.md.
    Lsp,
    /// Format rule files in the one canonical layout.
    ///
    /// Declarations take one line each; a rule with at most one clause that
    /// fits in 100 columns takes one line, with the clauses of consecutive
    /// one-line rules aligned; other rules put each clause on its own
    /// indented line. Comments stay where they were. A file that does not
    /// parse is left untouched and its errors are shown. `-` formats
    /// standard input to standard output.
    Fmt {
        /// Rule files or directories (every *.sanc below), or `-`.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Change nothing; list the files that are not formatted and exit 1 if any.
        #[arg(long)]
        check: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormatArg {
    Json,
    Ndjson,
    Csv,
}

impl From<InputFormatArg> for InputFormat {
    fn from(f: InputFormatArg) -> Self {
        match f {
            InputFormatArg::Json => InputFormat::Json,
            InputFormatArg::Ndjson => InputFormat::Ndjson,
            InputFormatArg::Csv => InputFormat::Csv,
        }
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
            let _ = e.print();
            return code;
        }
    };
    match cli.command {
        Command::Check { paths, format } => check::check(&paths, format),
        Command::Fmt { paths, check } => fmt::fmt(&paths, check),
        Command::Lsp => match sanc::lsp::run_stdio() {
            Ok(()) => Exit::Clean,
            Err(e) => {
                eprintln!("sanc lsp: {e}");
                Exit::Errors
            }
        },
        Command::Eval {
            rules,
            events,
            format,
            input_format,
            as_of,
            strict,
            quiet,
        } => eval::eval(eval::EvalArgs {
            rules,
            events,
            format,
            input_format: input_format.map(Into::into),
            as_of: as_of.unwrap_or_else(|| chrono::Local::now().date_naive()),
            strict,
            quiet,
        }),
    }
}

/// Colour only on a terminal, and never when NO_COLOR is set.
/// One JSON value, pretty-printed, and a newline: every `--format json|sarif` output.
pub(super) fn write_json(
    out: &mut impl std::io::Write,
    value: &impl serde::Serialize,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(std::io::Error::other)?;
    writeln!(out)
}

pub(super) fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
