//! The `sanc` command line: subcommands, output formats, exit codes.

use clap::{Parser, Subcommand, ValueEnum};
use sanc::loader::{self, RuleSource};
use sanc::report::{self, human::HumanRenderer, json, Counts};
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

#[derive(Debug, Subcommand)]
enum Command {
    /// Check rule files for errors and warnings without evaluating events.
    ///
    /// PATH is a .sanc file or a directory (every *.sanc below it, in path
    /// order). All files given form one rule set with one namespace.
    Check {
        /// Rule files or directories.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
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
        Command::Check { paths, format } => check(&paths, format),
    }
}

/// Colour only on a terminal, and never when NO_COLOR is set.
fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn check(paths: &[PathBuf], format: Format) -> Exit {
    let rules = loader::load(paths);
    let counts = Counts::of(rules.diagnostics());
    let mut out = std::io::stdout().lock();
    let written = match format {
        Format::Human => write_check_human(&mut out, &rules, counts),
        Format::Json => write_check_json(&mut out, &rules, counts),
    };
    if written.is_err() {
        return Exit::Errors;
    }
    if counts.errors > 0 {
        Exit::Errors
    } else {
        Exit::Clean
    }
}

fn write_check_human(
    out: &mut impl Write,
    rules: &RuleSource,
    counts: Counts,
) -> std::io::Result<()> {
    let renderer = HumanRenderer::new(use_color());
    for d in rules.diagnostics() {
        write!(out, "{}", renderer.render(d, &rules.sources))?;
        writeln!(out)?;
    }
    let files = report::plural(rules.file_count, "file", "files");
    let nrules = report::plural(rules.checked.rules.rules.len(), "rule", "rules");
    if counts.errors == 0 && counts.warnings == 0 {
        writeln!(out, "ok: {files}, {nrules}, no problems")
    } else {
        writeln!(
            out,
            "{}, {} · {files}, {nrules}",
            report::plural(counts.errors, "error", "errors"),
            report::plural(counts.warnings, "warning", "warnings"),
        )
    }
}

fn write_check_json(
    out: &mut impl Write,
    rules: &RuleSource,
    counts: Counts,
) -> std::io::Result<()> {
    let output = json::CheckOutput {
        diagnostics: rules
            .diagnostics()
            .map(|d| json::diagnostic(d, &rules.sources))
            .collect(),
        stats: json::CheckStats {
            files: rules.file_count,
            rules: rules.checked.rules.rules.len(),
            errors: counts.errors,
            warnings: counts.warnings,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &output)?;
    writeln!(out)
}
