//! Language-server latency: re-check a rule set of 5,000, 20,000 and 50,000
//! lines (ten files), and one file of 50,000 one-line `cap` rules, after a
//! one-line change, as `sanc lsp` does after each burst of edits.
//!
//!     cargo bench --bench recheck [-- 5000|20000|50000|1|caps N]
//!
//! Prints the cold check, then the median, 90th percentile and worst of 40
//! re-checks (SANC_BENCH_RUNS changes the count), each as incremental as
//! the server's: the changed file parsed again around the edit only, the
//! rules of the other files not checked again (the declarations did not
//! change), declarations, rule ids and lints checked in full.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sanc::lsp::Workspace;
use std::fmt::Write;
use std::time::{Duration, Instant};

/// About `lines` lines of rules spread over `files` files.
fn rule_set(files: usize, lines: usize) -> Vec<String> {
    let per_file = lines / files;
    let mut out = Vec::new();
    let mut n = 0usize;
    for f in 0..files {
        let mut s = String::new();
        let _ = writeln!(s, "regime r{f} \"Generated regime {f}\"\n");
        let mut lines = 2;
        while lines < per_file {
            lines += 11;
            let c = format!("c{n}");
            let _ = writeln!(s, "## Goods number {n}.");
            let _ = writeln!(
                s,
                "commodity {c} \"Commodity {n}\" = hs {:04} under base{f}",
                1000 + n % 8000
            );
            let _ = writeln!(
                s,
                "party p{n} = {}",
                ["PRK", "RUS", "CHN", "IRN", "SYR"][n % 5]
            );
            let _ = writeln!(s, "ban {c} from p{n}  cite \"Resolution {n} OP 1\"");
            let _ = writeln!(
                s,
                "cap_{n}:\ncap {c} to p{n} {} t per year by origin",
                1000 + n
            );
            let _ = writeln!(
                s,
                "    warn at 75%, 90%\n    effective 2018-01-01\n    cite \"Resolution {n} OP 2\""
            );
            let _ = writeln!(
                s,
                "require report of {c} to p{n} within 30 days  cite \"Resolution {n} OP 3\"\n"
            );
            n += 1;
        }
        let _ = writeln!(s, "commodity base{f} = hs {:02}", 10 + f);
        out.push(s);
    }
    out
}

/// One file of `n` one-line `cap` rules (each with its own label).
fn one_line_caps(n: usize) -> Vec<String> {
    let mut s = String::from("commodity coal = hs 2701\nparty dprk = PRK\n");
    for i in 0..n {
        let _ = writeln!(s, "c{i}: cap coal to dprk {} t per year", 1000 + i);
    }
    vec![s]
}

/// Check a rule set cold, then 40 times after a one-line change to one of
/// its files, as the server does.
fn run(label: &str, files: &[String], changed: usize, from: &str) {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return eprintln!("cannot make a temporary directory: {e}"),
    };
    let total_lines: usize = files.iter().map(|f| f.lines().count()).sum();
    for (i, text) in files.iter().enumerate() {
        if let Err(e) = std::fs::write(dir.path().join(format!("r{i:02}.sanc")), text) {
            return eprintln!("cannot write the rule set: {e}");
        }
    }
    let root = dir.path().to_path_buf();
    let mut ws = Workspace::new(vec![root.clone()]);
    let start = Instant::now();
    let a = ws.recheck(&root);
    let cold = start.elapsed();
    let rules = a.checked.rules.rules.len();
    let diags = a.checked.diagnostics.len();
    println!(
        "{label}: {total_lines} lines in {} files, {rules} rules, {diags} diagnostics",
        files.len()
    );
    println!("  cold check: {:.1} ms (parse every file, check)", ms(cold));

    let target = root.join(format!("r{changed:02}.sanc"));
    let runs: usize = std::env::var("SANC_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(40);
    let mut times = Vec::new();
    for i in 0..runs {
        // One line changes: a cap's amount.
        let text = files[changed].replacen(from, &format!("{i}{from}"), 1);
        let start = Instant::now();
        ws.set_text(&target, text);
        let a = ws.recheck(&root);
        let _published = a
            .checked
            .diagnostics
            .iter()
            .filter(|d| d.primary_span().is_some())
            .count();
        times.push(start.elapsed());
    }
    times.sort();
    let median = times[times.len() / 2];
    let p90 = times[times.len() * 9 / 10];
    let worst = times[times.len() - 1];
    println!(
        "  re-check after a one-line change (40 runs): median {:.1} ms, p90 {:.1} ms, worst {:.1} ms",
        ms(median),
        ms(p90),
        ms(worst)
    );
}

fn main() {
    // `cargo bench --bench recheck -- 5000` runs one size only.
    let only: Option<usize> = std::env::args().nth(1).and_then(|a| a.parse().ok());
    for lines in [5_000, 20_000, 50_000] {
        if only.is_none_or(|n| n == lines) && std::env::args().nth(1).as_deref() != Some("caps") {
            run(
                &format!("{lines} lines"),
                &rule_set(10, lines),
                5,
                " t per year by origin",
            );
        }
    }
    // `-- caps N`: N one-line caps (50,000 unless given).
    let caps: Option<usize> = match std::env::args().nth(1).as_deref() {
        Some("caps") => Some(
            std::env::args()
                .nth(2)
                .and_then(|n| n.parse().ok())
                .unwrap_or(50_000),
        ),
        _ => None,
    };
    if only.is_none_or(|n| n == 1) || caps.is_some() {
        let n = caps.unwrap_or(50_000);
        run(
            &format!("{n} one-line caps"),
            &one_line_caps(n),
            0,
            " t per year",
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
