//! The `sanc` command line: subcommands, output formats, exit codes.

use chrono::NaiveDate;
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sanc::diagnostic::Diagnostic;
use sanc::eval::Evaluator;
use sanc::events::{Input, InputFormat};
use sanc::loader::{self, RuleSource};
use sanc::report::{self, eval as eval_report, human::HumanRenderer, json, Counts};
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
    /// order). All files given form one rule set with one namespace.
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
        Command::Check { paths, format } => check(&paths, format),
        Command::Fmt { paths, check } => fmt(&paths, check),
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
        } => eval(EvalArgs {
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

fn fmt(paths: &[PathBuf], check_only: bool) -> Exit {
    let renderer = HumanRenderer::new(use_color());
    let mut out = std::io::stdout().lock();
    if paths.len() == 1 && paths[0].as_os_str() == "-" {
        let mut text = String::new();
        if std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).is_err() {
            eprintln!("error: standard input is not UTF-8 text");
            return Exit::Errors;
        }
        return match sanc::fmt::format(&text) {
            Ok(formatted) => {
                let _ = out.write_all(formatted.as_bytes());
                Exit::Clean
            }
            Err(diags) => {
                let mut sources = sanc::source::SourceMap::new();
                sources.add("<stdin>", None, text);
                for d in &diags {
                    eprint!("{}", renderer.render(d, &sources));
                }
                Exit::Errors
            }
        };
    }
    let mut files = Vec::new();
    let mut failed = false;
    for p in paths {
        match loader::rule_files(p) {
            Ok(found) => files.extend(found),
            Err(e) => {
                let _ = writeln!(out, "error: {e}");
                failed = true;
            }
        }
    }
    let (mut changed, mut unchanged) = (0usize, 0usize);
    for f in &files {
        let name = f.to_string_lossy().into_owned();
        let Ok(text) = std::fs::read_to_string(f) else {
            let _ = writeln!(out, "error: cannot read `{name}` as UTF-8 text");
            failed = true;
            continue;
        };
        match sanc::fmt::format(&text) {
            Ok(formatted) if formatted == text => unchanged += 1,
            Ok(formatted) => {
                changed += 1;
                if check_only {
                    let _ = writeln!(out, "not formatted: {name}");
                } else if std::fs::write(f, formatted).is_err() {
                    let _ = writeln!(out, "error: cannot write `{name}`");
                    failed = true;
                }
            }
            Err(diags) => {
                let mut sources = sanc::source::SourceMap::new();
                sources.add(name.clone(), Some(f), text);
                for d in &diags {
                    let _ = write!(out, "{}", renderer.render(d, &sources));
                }
                let _ = writeln!(out, "left unformatted: {name} (it does not parse)");
                failed = true;
            }
        }
    }
    let summary = if check_only {
        format!(
            "{} to format, {} already formatted",
            report::plural(changed, "file", "files"),
            report::thousands(unchanged)
        )
    } else {
        format!(
            "formatted {}, {} already formatted",
            report::plural(changed, "file", "files"),
            report::thousands(unchanged)
        )
    };
    let _ = writeln!(out, "{summary}");
    if failed {
        Exit::Errors
    } else if check_only && changed > 0 {
        Exit::Violations
    } else {
        Exit::Clean
    }
}

struct EvalArgs {
    rules: PathBuf,
    events: Vec<String>,
    format: Format,
    input_format: Option<InputFormat>,
    as_of: NaiveDate,
    strict: bool,
    quiet: bool,
}

/// A progress bar on stderr for long runs, only when stderr is a terminal.
fn progress_bar(total: Option<u64>) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
    };
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} {msg} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
    ) {
        bar.set_style(style);
    }
    bar
}

fn eval(args: EvalArgs) -> Exit {
    let mut rules = loader::load(std::slice::from_ref(&args.rules));
    let mut out = std::io::stdout().lock();
    let renderer = HumanRenderer::new(use_color());
    if rules.has_errors() {
        // The rules must compile before any event is judged.
        let counts = Counts::of(rules.diagnostics());
        let _ = match args.format {
            Format::Human => write_check_human(&mut out, &rules, counts),
            Format::Json => write_check_json(&mut out, &rules, counts),
        };
        return Exit::Errors;
    }

    let mut inputs = Vec::new();
    let mut unreadable = Vec::new();
    for name in &args.events {
        let format = args.input_format.or_else(|| InputFormat::from_name(name));
        match format {
            Some(format) => inputs.push(Input {
                name: name.clone(),
                path: (name != "-").then(|| PathBuf::from(name)),
                format,
                columns: Vec::new(),
            }),
            None => unreadable.push(Diagnostic::error(
                sanc::events::codes::UNREADABLE,
                format!("cannot tell the format of `{name}` from its extension"),
            ).with_help("name it .json, .ndjson, .jsonl or .csv, or pass `--input-format json|ndjson|csv`")),
        }
    }

    let mut evaluator = Evaluator::new(&rules.checked.rules, args.as_of);
    for (i, input) in inputs.iter_mut().enumerate() {
        let result = match &input.path {
            None => {
                let bar = progress_bar(None);
                bar.set_message("reading standard input");
                let r = sanc::events::read::read(
                    i as u32,
                    input,
                    std::io::stdin().lock(),
                    |item| evaluator.item(item),
                    |b| bar.set_position(b),
                );
                bar.finish_and_clear();
                r
            }
            Some(path) => match std::fs::File::open(path) {
                Ok(file) => {
                    let bar = progress_bar(file.metadata().ok().map(|m| m.len()));
                    bar.set_message(input.name.clone());
                    let r = sanc::events::read::read(
                        i as u32,
                        input,
                        file,
                        |item| evaluator.item(item),
                        |b| bar.set_position(b),
                    );
                    bar.finish_and_clear();
                    r
                }
                Err(e) => Err(format!("cannot read `{}`: {e}", input.name)),
            },
        };
        if let Err(message) = result {
            unreadable.push(Diagnostic::error(sanc::events::codes::UNREADABLE, message));
        }
    }
    let outcome = evaluator.finish();
    let need = match (args.format, args.quiet) {
        (Format::Json, _) => eval_report::Need::Diagnostics,
        (Format::Human, true) => eval_report::Need::Nothing,
        (Format::Human, false) => eval_report::Need::Everything,
    };
    let prepared = eval_report::prepare(
        &mut rules.sources,
        &rules.checked.rules,
        &inputs,
        &outcome,
        need,
    );
    let mut rule_diags: Vec<Diagnostic> = rules.diagnostics().cloned().collect();
    rule_diags.extend(unreadable.iter().cloned());
    let written = match args.format {
        Format::Human => {
            let text = eval_report::human(
                &renderer,
                &rules.sources,
                &rules.checked.rules,
                &rule_diags,
                &outcome,
                &prepared,
                args.quiet,
            );
            out.write_all(text.as_bytes())
        }
        Format::Json => {
            let json = eval_report::json_output(
                &rules.sources,
                &rules.checked.rules,
                &rule_diags,
                &inputs,
                &outcome,
                &prepared,
            );
            serde_json::to_writer_pretty(&mut out, &json)
                .map_err(std::io::Error::other)
                .and_then(|_| writeln!(out))
        }
    };
    if written.is_err() {
        return Exit::Errors;
    }
    if !unreadable.is_empty() || (args.strict && outcome.stats.events_rejected > 0) {
        Exit::Errors
    } else if outcome.stats.violations > 0 {
        Exit::Violations
    } else {
        Exit::Clean
    }
}

/// Colour only on a terminal, and never when NO_COLOR is set.
fn use_color() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn check(paths: &[PathBuf], format: CheckFormat) -> Exit {
    let rules = loader::load(paths);
    let counts = Counts::of(rules.diagnostics());
    let mut out = std::io::stdout().lock();
    let written = match format {
        CheckFormat::Human => write_check_human(&mut out, &rules, counts),
        CheckFormat::Json => write_check_json(&mut out, &rules, counts),
        CheckFormat::Sarif => {
            let log = report::sarif::log(rules.diagnostics(), &rules.sources);
            serde_json::to_writer_pretty(&mut out, &log)
                .map_err(std::io::Error::other)
                .and_then(|_| writeln!(out))
        }
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
