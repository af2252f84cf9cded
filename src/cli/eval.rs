//! `sanc eval`: evaluate event streams against a rule set.

use super::check::write_check_human;
use super::{use_color, write_json, Exit, Format};
use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sanc::diagnostic::Diagnostic;
use sanc::eval::{pipeline, Evaluator};
use sanc::events::{CsvOptions, Input, InputFormat};
use sanc::loader;
use sanc::report::{self, eval as eval_report, human::HumanRenderer, Counts};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

pub(super) struct EvalArgs {
    /// Rule paths, then event inputs.
    pub(super) paths: Vec<String>,
    pub(super) regimes: Vec<String>,
    /// `None`: the project file's, or human.
    pub(super) format: Option<Format>,
    pub(super) input_format: Option<InputFormat>,
    /// `None`: the project file's, or today.
    pub(super) as_of: Option<NaiveDate>,
    pub(super) strict: bool,
    pub(super) quiet: bool,
    pub(super) csv: CsvOptions,
    /// List every finding's event.
    pub(super) verbose: bool,
    /// Write here instead of standard output.
    pub(super) output: Option<PathBuf>,
    /// `sanc report`: one HTML file.
    pub(super) html: bool,
    pub(super) scenarios: sanc::eval::Scenarios,
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

/// Split the positional paths: the leading directories and `.sanc` files are
/// the rule set, the rest are event inputs.
fn split_paths(paths: &[String]) -> (Vec<PathBuf>, Vec<String>) {
    let is_rules = |p: &String| {
        let path = std::path::Path::new(p);
        p != "-" && (path.is_dir() || path.extension().is_some_and(|e| e == "sanc"))
    };
    let n = paths.iter().take_while(|p| is_rules(p)).count().max(1);
    let n = n.min(paths.len().saturating_sub(1)).max(1);
    (
        paths[..n].iter().map(PathBuf::from).collect(),
        paths[n..].to_vec(),
    )
}

pub(super) fn eval(mut args: EvalArgs) -> Exit {
    let (rule_paths, events) = split_paths(&args.paths);
    let mut rules = loader::load(&rule_paths);
    // The project file's choices, where the command line makes none.
    let defaults = rules.project.as_ref().map(|p| &p.eval);
    let format = args
        .format
        .or_else(|| match defaults?.format.as_deref()? {
            "json" => Some(Format::Json),
            _ => Some(Format::Human),
        })
        .unwrap_or(Format::Human);
    args.input_format = args
        .input_format
        .or_else(|| match defaults?.input_format.as_deref()? {
            "json" => Some(InputFormat::Json),
            "ndjson" => Some(InputFormat::Ndjson),
            "comtrade" => Some(InputFormat::Comtrade),
            _ => Some(InputFormat::Csv),
        });
    let as_of = args
        .as_of
        .or_else(|| defaults?.as_of)
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    if args.regimes.is_empty() {
        if let Some(p) = &rules.project {
            args.regimes = p.regimes.clone();
        }
    }
    if !args.regimes.is_empty() && !rules.has_errors() {
        let known: Vec<String> = rules
            .checked
            .rules
            .regimes()
            .into_iter()
            .map(str::to_string)
            .collect();
        for r in &args.regimes {
            if !known.contains(r) {
                let hint = sanc::suggest::closest(r, known.iter().map(String::as_str))
                    .map(|b| format!("did you mean `{b}`? "))
                    .unwrap_or_default();
                super::stderr_line(format_args!(
                    "error: no rules of regime `{r}` in the rule set; {hint}its regimes are: {}",
                    known.join(", ")
                ));
                return Exit::Errors;
            }
        }
        rules.checked.rules.keep_regimes(&args.regimes);
    }
    let mut out: Box<dyn Write> = match &args.output {
        // Buffered: standard output flushes at every newline otherwise,
        // a system call per line of pretty-printed JSON.
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
        Some(path) => match std::fs::File::create(path) {
            Ok(f) => Box::new(std::io::BufWriter::new(f)),
            Err(e) => {
                super::stderr_line(format_args!(
                    "error: cannot write `{}`: {e}",
                    path.display()
                ));
                return Exit::Errors;
            }
        },
    };
    let renderer = HumanRenderer::new(args.output.is_none() && use_color());
    if rules.has_errors() {
        // The rules must compile before any event is judged.
        let written = match format {
            Format::Human if args.quiet => {
                let errors: Vec<&Diagnostic> =
                    rules.diagnostics().filter(|d| d.is_error()).collect();
                let text: String = errors
                    .iter()
                    .map(|d| renderer.render(d, &rules.sources) + "\n")
                    .collect();
                out.write_all(text.as_bytes()).and_then(|_| {
                    writeln!(
                        out,
                        "{}",
                        report::plural(errors.len(), "error", "errors")
                            + " in the rules; no event was evaluated"
                    )
                })
            }
            _ if args.html => {
                let diags: Vec<Diagnostic> = rules.diagnostics().cloned().collect();
                let html = sanc::report::html::rules_failed(&rules.sources, &diags);
                out.write_all(html.as_bytes())
            }
            Format::Human | Format::Markdown | Format::Csv => {
                write_check_human(&mut out, &rules, Counts::of(rules.diagnostics()))
            }
            Format::Json => {
                let diags: Vec<Diagnostic> = rules.diagnostics().cloned().collect();
                let json = eval_report::rules_failed(
                    &rules.sources,
                    &diags,
                    rules.checked.rules.rules.len(),
                );
                write_json(&mut out, &json)
            }
        };
        return super::finish(&mut out, written, Exit::Errors);
    }

    let mut inputs = Vec::new();
    let mut unreadable = Vec::new();
    for name in &events {
        let format = args.input_format.or_else(|| InputFormat::from_name(name));
        match format {
            Some(format) => inputs.push(Input {
                csv: args.csv,
                ..Input::new(
                    name.clone(),
                    (name != "-").then(|| PathBuf::from(name)),
                    format,
                )
            }),
            None => {
                let path = std::path::Path::new(name);
                let (message, help) = if path.is_dir() {
                    (
                        format!("`{name}` is a directory, not a file of events"),
                        "rule directories and `.sanc` files come first, then the event files: `sanc eval rules/ events/*.ndjson`",
                    )
                } else if path.extension().is_some_and(|e| e == "sanc") {
                    (
                        format!("`{name}` is a rule file, given after the events"),
                        "rule directories and `.sanc` files come first, then the event files: `sanc eval rules/ extra.sanc events.ndjson`",
                    )
                } else {
                    (
                        format!("cannot tell the format of `{name}` from its extension"),
                        "name it .json, .ndjson, .jsonl or .csv, or pass `--input-format json|ndjson|csv`",
                    )
                };
                unreadable.push(
                    Diagnostic::error(sanc::diagnostic::Code::EventUnreadable, message)
                        .with_help(help),
                );
            }
        }
    }

    let mut evaluator = Evaluator::new(&rules.checked.rules, as_of);
    evaluator.set_scenarios(args.scenarios.clone());
    if args.html {
        evaluator.keep_steps();
    }
    let workers = pipeline::workers();
    for (i, input) in inputs.iter_mut().enumerate() {
        let before = evaluator.records();
        let result = match input.path.clone() {
            None => {
                let bar = progress_bar(None);
                bar.set_message("reading standard input");
                let progress = bar.clone();
                let r = pipeline::run(
                    &mut evaluator,
                    i as u32,
                    input,
                    std::io::stdin(),
                    None,
                    move |b| progress.set_position(b),
                    workers,
                );
                bar.finish_and_clear();
                r
            }
            Some(path) => match std::fs::File::open(&path) {
                Ok(file) => {
                    // A regular file's length; not a pipe's or a device's.
                    let len = file
                        .metadata()
                        .ok()
                        .filter(|m| m.is_file())
                        .map(|m| m.len());
                    let bar = progress_bar(len);
                    bar.set_message(input.name.clone());
                    let progress = bar.clone();
                    let r = pipeline::run(
                        &mut evaluator,
                        i as u32,
                        input,
                        file,
                        len,
                        move |b| progress.set_position(b),
                        workers,
                    );
                    bar.finish_and_clear();
                    r
                }
                Err(e) => Err(format!("cannot read `{}`: {e}", input.name)),
            },
        };
        match result {
            Err(message) => unreadable.push(Diagnostic::error(
                sanc::diagnostic::Code::EventUnreadable,
                message,
            )),
            // Nothing in it was checked: an export that failed or a wrong
            // file must not pass as a compliant one.
            Ok(()) if evaluator.records() == before => unreadable.push(
                Diagnostic::error(
                    sanc::diagnostic::Code::EventEmptyInput,
                    match input.path {
                        Some(_) => format!(
                            "`{}` holds no events, so nothing in it was checked",
                            input.name
                        ),
                        None => "standard input held no events, so nothing was checked".into(),
                    },
                )
                .with_help(
                    "check that the file is the export meant and that it was written to the end; an input with no records is not a compliant one",
                ),
            ),
            Ok(()) => {}
        }
    }
    let outcome = evaluator.finish();
    let show = match (args.quiet, args.strict) {
        (false, _) => eval_report::Show::All,
        (true, false) => eval_report::Show::Quiet,
        (true, true) => eval_report::Show::QuietStrict,
    };
    let need = match (format, show) {
        _ if args.html => eval_report::Need::Everything,
        (Format::Human, eval_report::Show::Quiet) => eval_report::Need::Nothing,
        (Format::Human, eval_report::Show::All) => eval_report::Need::Everything,
        (Format::Markdown | Format::Csv, _) => eval_report::Need::Nothing,
        _ => eval_report::Need::Diagnostics,
    };
    let prepared = eval_report::prepare(&mut rules.sources, &inputs, &outcome, need);
    let mut rule_diags: Vec<Diagnostic> = rules.diagnostics().cloned().collect();
    rule_diags.extend(unreadable.iter().cloned());
    let run = eval_report::Run {
        sources: &rules.sources,
        rules: &rules.checked.rules,
        rule_diags: &rule_diags,
        inputs: &inputs,
        outcome: &outcome,
        prepared: &prepared,
    };
    let written = match format {
        _ if args.html => {
            let html = sanc::report::html::render(&run, as_of);
            out.write_all(html.as_bytes())
        }
        Format::Human => eval_report::human(&renderer, &run, show, args.verbose, &mut out),
        Format::Markdown => {
            let mut text = sanc::report::summary::markdown(run.rules, &outcome.summaries);
            if let Some(why) = unchecked_note(&run, &unreadable) {
                // In the annex itself: tables alone would read as complete.
                text.push_str(&format!(
                    "> **Incomplete run.** {}\n",
                    why.replace('\n', "  \n> ")
                ));
            }
            out.write_all(text.as_bytes())
        }
        Format::Csv => match sanc::report::summary::csv(run.rules, &outcome.summaries) {
            Ok(text) => out.write_all(text.as_bytes()),
            Err(e) => Err(std::io::Error::other(e.to_string())),
        },
        Format::Json => write_json(&mut out, &eval_report::EvalJson(&run)),
    };
    if matches!(format, Format::Markdown | Format::Csv) && !args.html {
        // The tables have no place for diagnostics: what went unchecked is
        // said on standard error, so that it is never only an exit code.
        if let Some(why) = unchecked_note(&run, &unreadable) {
            let mut err = std::io::stderr().lock();
            for d in &unreadable {
                let _ = writeln!(err, "error: {}", d.message);
            }
            let _ = writeln!(err, "{why}");
        }
    }
    let code = verdict(&outcome.stats, !unreadable.is_empty(), args.strict);
    // The process ends here and its memory goes back to the system whole:
    // freeing a big run's findings one by one only delays the exit.
    std::mem::forget(prepared);
    std::mem::forget(outcome);
    super::finish(&mut out, written, code)
}

/// For the table formats: the run's summary and where to find what went
/// unchecked, when an input was unreadable or an event not checked.
fn unchecked_note(run: &eval_report::Run<'_>, unreadable: &[Diagnostic]) -> Option<String> {
    let s = &run.outcome.stats;
    (s.events_rejected + s.events_not_evaluable > 0 || !unreadable.is_empty()).then(|| {
        format!(
            "{}\nthe tables do not show the diagnostics: run `sanc eval` with the default or JSON format to see them",
            eval_report::summary(s, eval_report::errors(run.rule_diags, run.outcome))
        )
    })
}

/// The exit code: a run is never clean when something went unchecked.
fn verdict(stats: &sanc::eval::Stats, unreadable: bool, strict: bool) -> Exit {
    let unchecked = stats.events_rejected + stats.events_not_evaluable > 0;
    if unreadable || (strict && unchecked) {
        Exit::Errors
    } else if stats.violations > 0 {
        Exit::Violations
    } else if unchecked {
        Exit::Incomplete
    } else {
        Exit::Clean
    }
}
