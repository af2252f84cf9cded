//! `sanc compile --to sql`: the rule set as one SQL script for DuckDB,
//! Apache Spark or PostgreSQL (see docs/scale-out.md).

use super::{stderr_text, use_color, Exit};
use chrono::NaiveDate;
use clap::ValueEnum;
use sanc::loader;
use sanc::report::human::HumanRenderer;
use sanc::sql::{self, Dialect, EventsSource, FileFormat};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// One SQL script (docs/scale-out.md).
    Sql,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DialectArg {
    /// DuckDB (tables; reads CSV, Parquet and NDJSON files itself).
    Duckdb,
    /// Apache Spark SQL (`spark-sql -f`; Parquet tables and temporary views).
    Spark,
    /// PostgreSQL (tables; `psql -f`).
    Postgres,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EventsFormatArg {
    Csv,
    Parquet,
    /// Newline-delimited JSON.
    Json,
}

pub(super) struct CompileArgs {
    pub(super) paths: Vec<PathBuf>,
    pub(super) dialect: DialectArg,
    pub(super) regimes: Vec<String>,
    pub(super) as_of: Option<NaiveDate>,
    pub(super) events: Option<String>,
    pub(super) events_format: Option<EventsFormatArg>,
    pub(super) output: Option<PathBuf>,
}

pub(super) fn compile(mut args: CompileArgs) -> Exit {
    let mut rules = loader::load(&args.paths);
    let renderer = HumanRenderer::new(use_color());
    if rules.has_errors() {
        let text: String = rules
            .diagnostics()
            .filter(|d| d.is_error())
            .map(|d| renderer.render(d, &rules.sources) + "\n")
            .collect();
        stderr_text(&text);
        stderr_text("the rules have errors; nothing was compiled\n");
        return Exit::Errors;
    }
    if args.regimes.is_empty() {
        if let Some(p) = &rules.project {
            args.regimes = p.regimes.clone();
        }
    }
    if !args.regimes.is_empty() {
        let known: Vec<String> = rules
            .checked
            .rules
            .regimes()
            .into_iter()
            .map(str::to_string)
            .collect();
        if let Some(r) = args.regimes.iter().find(|r| !known.contains(r)) {
            super::stderr_line(format_args!(
                "error: no rules of regime `{r}` in the rule set; its regimes are: {}",
                known.join(", ")
            ));
            return Exit::Errors;
        }
        rules.checked.rules.keep_regimes(&args.regimes);
    }
    let as_of = args
        .as_of
        .or_else(|| rules.project.as_ref().and_then(|p| p.eval.as_of));
    let events = match args.events {
        None => EventsSource::Table,
        Some(path) => {
            let format = match args.events_format {
                Some(EventsFormatArg::Csv) => FileFormat::Csv,
                Some(EventsFormatArg::Parquet) => FileFormat::Parquet,
                Some(EventsFormatArg::Json) => FileFormat::Json,
                None => {
                    let lower = path.to_ascii_lowercase();
                    if lower.ends_with(".parquet") {
                        FileFormat::Parquet
                    } else if lower.ends_with(".json")
                        || lower.ends_with(".ndjson")
                        || lower.ends_with(".jsonl")
                    {
                        FileFormat::Json
                    } else {
                        FileFormat::Csv
                    }
                }
            };
            EventsSource::Files { path, format }
        }
    };
    let opts = sql::Options {
        dialect: match args.dialect {
            DialectArg::Duckdb => Dialect::DuckDb,
            DialectArg::Spark => Dialect::Spark,
            DialectArg::Postgres => Dialect::Postgres,
        },
        as_of,
        events,
    };
    let script = match sql::compile(&rules.checked.rules, &opts) {
        Ok(c) => {
            let text: String = c
                .warnings
                .iter()
                .map(|d| renderer.render(d, &rules.sources) + "\n")
                .collect();
            stderr_text(&text);
            c.script
        }
        Err(diags) => {
            let text: String = diags
                .iter()
                .map(|d| renderer.render(d, &rules.sources) + "\n")
                .collect();
            stderr_text(&text);
            stderr_text(&format!(
                "{} cannot be compiled to SQL; nothing was written\n",
                sanc::report::plural(diags.len(), "rule", "rules")
            ));
            return Exit::Errors;
        }
    };
    match args.output {
        Some(path) => match std::fs::write(&path, script) {
            Ok(()) => Exit::Clean,
            Err(e) => {
                super::stderr_line(format_args!(
                    "error: cannot write `{}`: {e}",
                    path.display()
                ));
                Exit::Errors
            }
        },
        None => {
            let mut out = std::io::stdout().lock();
            let written = out.write_all(script.as_bytes());
            super::finish(&mut out, written, Exit::Clean)
        }
    }
}
