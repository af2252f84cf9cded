//! Language-server latency: re-check a rule set of 5,000, 20,000 and 50,000
//! lines (ten files), and one file of 50,000 one-line `cap` rules, after a
//! one-line change, as `sanc lsp` does after each burst of edits.
//!
//!     cargo bench --bench recheck [-- 5000|20000|50000|1|caps N]
//!
//! Prints the cold check, then the median, 90th percentile and worst of 40
//! re-checks (SANC_BENCH_RUNS changes the count), twice: through the
//! library as the server calls it (the changed file parsed again around
//! the edit only, only the changed statement's rule checked again, rule
//! ids and lints checked in full, every diagnostic converted to the LSP's
//! form), and through `sanc lsp` itself over standard input and output,
//! from writing the `didChange` to reading the last `publishDiagnostics`
//! (this includes the server's wait for more changes: 2 ms once it has
//! read every byte sent, else 10 ms).
//! SANC_BENCH_SERVER=PATH times another build of `sanc lsp` instead, for
//! a comparison side by side.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sanc::lsp::Workspace;

// The allocator `sanc` itself uses (src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
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

/// Check a rule set cold, then `SANC_BENCH_RUNS` (40) times after a
/// one-line change to one of its files: first through the library
/// ([`Workspace`]: re-parse, re-check, each diagnostic converted as the
/// server does), then through `sanc lsp` itself over standard input and
/// output, from the `didChange` written to the last `publishDiagnostics`
/// read: what an editor waits for.
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
        let published: usize = a
            .checked
            .diagnostics
            .iter()
            .filter_map(|d| sanc::lsp::to_lsp_diagnostic(d, &a.sources))
            .count();
        std::hint::black_box(published);
        times.push(start.elapsed());
    }
    report(
        "re-check (library: re-parse, re-check, convert)",
        runs,
        &mut times,
    );
    drop(ws);
    match through_the_server(&root, files, changed, from, runs, diags) {
        Ok(mut times) => report(
            "didChange → publishDiagnostics (sanc lsp over stdio)",
            runs,
            &mut times,
        ),
        Err(e) => eprintln!("  sanc lsp: {e}"),
    }
}

fn report(what: &str, runs: usize, times: &mut [Duration]) {
    if times.is_empty() {
        return;
    }
    times.sort();
    let median = times[times.len() / 2];
    let p90 = times[times.len() * 9 / 10];
    let worst = times[times.len() - 1];
    println!(
        "  {what}, {runs} runs: median {:.1} ms, p90 {:.1} ms, worst {:.1} ms",
        ms(median),
        ms(p90),
        ms(worst)
    );
}

/// A `sanc lsp` process on the rule set in `root`, its messages read on a
/// thread.
struct Server {
    child: std::process::Child,
    stdin: std::process::ChildStdin,
    incoming: std::sync::mpsc::Receiver<serde_json::Value>,
}

impl Server {
    fn start(root: &std::path::Path) -> Result<Server, String> {
        use std::io::{BufRead, Read};
        use std::process::{Command, Stdio};
        // SANC_BENCH_SERVER: another build of `sanc` to compare with.
        let exe = std::env::var("SANC_BENCH_SERVER")
            .unwrap_or_else(|_| env!("CARGO_BIN_EXE_sanc").to_string());
        let mut child = Command::new(exe)
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start it: {e}"))?;
        let stdin = child.stdin.take().ok_or("no standard input")?;
        let stdout = child.stdout.take().ok_or("no standard output")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut r = std::io::BufReader::new(stdout);
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        len = n.parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; len];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                let msg = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
        let mut s = Server {
            child,
            stdin,
            incoming: rx,
        };
        let root_uri = uri(root);
        s.send(
            serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"processId": null, "rootUri": root_uri, "capabilities": {}}}),
        )?;
        loop {
            if s.recv()?.get("id").is_some() {
                break;
            }
        }
        s.send(serde_json::json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}))?;
        Ok(s)
    }

    fn send(&mut self, msg: serde_json::Value) -> Result<(), String> {
        use std::io::Write;
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len())
            .and_then(|()| self.stdin.flush())
            .map_err(|e| format!("cannot write to it: {e}"))
    }

    fn recv(&mut self) -> Result<serde_json::Value, String> {
        self.incoming
            .recv_timeout(Duration::from_secs(120))
            .map_err(|_| "no answer within 120 s".to_string())
    }

    /// Read messages until `n` diagnostics publications have come; how
    /// many diagnostics they held.
    fn publications(&mut self, n: usize) -> Result<usize, String> {
        let mut seen = 0;
        let mut diagnostics = 0;
        while seen < n {
            let msg = self.recv()?;
            if msg["method"] == "textDocument/publishDiagnostics" {
                seen += 1;
                diagnostics += msg["params"]["diagnostics"].as_array().map_or(0, Vec::len);
            }
        }
        Ok(diagnostics)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Shut down and exit as an editor does; killed if it does not.
        let _ = self.send(serde_json::json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}));
        let _ = self.send(serde_json::json!({"jsonrpc": "2.0", "method": "exit"}));
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

/// The same edits as an editor sends them: the changed file opened, then
/// each edit as a `didChange` replacing the edited line; timed until the
/// server has published the diagnostics of every file of the rule set.
fn through_the_server(
    root: &std::path::Path,
    files: &[String],
    changed: usize,
    from: &str,
    runs: usize,
    expected: usize,
) -> Result<Vec<Duration>, String> {
    let mut server = Server::start(root)?;
    let doc = uri(&root.join(format!("r{changed:02}.sanc")));
    let text = &files[changed];
    server.send(serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": {"textDocument": {"uri": doc, "languageId": "sanc", "version": 0, "text": text}}}))?;
    server.publications(files.len())?;
    let at = text
        .find(from)
        .ok_or("the edited text is not in the file")?;
    let line = text[..at].matches('\n').count();
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    // Each edit replaces the line as the server now has it (the previous
    // edit's) with the original line changed once more, as the library
    // path's edits do: the text always parses.
    let original = text[line_start..line_end].to_string();
    let mut old_line = original.clone();
    let mut times = Vec::new();
    for i in 0..runs {
        let new_line = original.replacen(from, &format!("{i}{from}"), 1);
        let change = serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didChange",
            "params": {"textDocument": {"uri": doc, "version": i + 1},
                "contentChanges": [{"range": {
                    "start": {"line": line, "character": 0},
                    "end": {"line": line, "character": old_line.encode_utf16().count()}},
                    "text": new_line}]}});
        let start = Instant::now();
        server.send(change)?;
        let published = server.publications(files.len())?;
        times.push(start.elapsed());
        // The edits keep the rule set as it was: what was published is
        // what the library found (none, for the generated rule sets).
        if published != expected {
            return Err(format!(
                "edit {i}: {published} diagnostics published, {expected} expected"
            ));
        }
        old_line = new_line;
    }
    Ok(times)
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
