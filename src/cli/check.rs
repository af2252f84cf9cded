//! `sanc check`: check rule files and print their diagnostics.

use super::{finish, use_color, write_json, CheckFormat, Exit};
use sanc::loader::{self, RuleSource};
use sanc::report::{self, human::HumanRenderer, json, Counts};
use std::io::Write;
use std::path::PathBuf;

pub(super) fn check(paths: &[PathBuf], format: CheckFormat) -> Exit {
    let rules = loader::load(paths);
    let counts = Counts::of(rules.diagnostics());
    let mut out = std::io::stdout().lock();
    let written = match format {
        CheckFormat::Human => write_check_human(&mut out, &rules, counts),
        CheckFormat::Json => write_check_json(&mut out, &rules, counts),
        CheckFormat::Sarif => {
            let log = report::sarif::log(rules.diagnostics(), &rules.sources);
            write_json(&mut out, &log)
        }
    };
    let code = if counts.errors > 0 {
        Exit::Errors
    } else {
        Exit::Clean
    };
    finish(&mut out, written, code)
}

pub(super) fn write_check_human(
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
    write_json(out, &output)
}
