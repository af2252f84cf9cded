//! The HTML report in a real browser: headless Chromium (Debian's
//! `chromium`, installed by scripts/test, found through SANC_TEST_CHROMIUM)
//! opens `sanc report`'s page. The test checks, in the DOM as Chromium
//! parsed it, that every cap's charts are there with a panel per window;
//! that no request leaves the page; and it keeps a screenshot as an
//! artefact, target/browser-report/report.png.
//!
//! Requests: every request Chromium makes goes to a proxy this test runs,
//! which records the host of each. Chromium itself contacts a few Google
//! hosts whatever the page (network time, sign-in, updates: `*.google.com`,
//! `*.gvt1.com`), so those, and what the same browser requests opening
//! `about:blank`, are the baseline; the report may add no host to it. A control page that loads an image from another host shows
//! the proxy sees a page's requests. (A request from the page to one of the
//! baseline's own hosts would not be told apart; the page's
//! Content-Security-Policy, checked in the DOM, forbids every request.)

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const REPORTED: &str = "examples/dprk-petroleum/reported.json";
const ESTIMATED: &str = "examples/dprk-petroleum/estimated-unreported.ndjson";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chromium() -> PathBuf {
    match std::env::var_os("SANC_TEST_CHROMIUM") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => panic!(
            "SANC_TEST_CHROMIUM is not set: run the tests with scripts/test, which installs \
             Debian's `chromium` (tests/debian-packages.txt) and sets it"
        ),
    }
}

/// A proxy that answers nothing and records the first line of every
/// request made to it (`CONNECT host:443 …`, `GET http://…`).
struct Recorder {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
}

impl Recorder {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (seen.clone(), stop.clone());
        std::thread::spawn(move || {
            while !st.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((mut conn, _)) => {
                        conn.set_nonblocking(false).ok();
                        conn.set_read_timeout(Some(Duration::from_secs(2))).ok();
                        let mut line = String::new();
                        let _ = BufReader::new(&conn).read_line(&mut line);
                        s.lock().unwrap().push(line.trim().to_string());
                        let _ =
                            conn.write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Recorder { port, seen, stop }
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }

    /// The hosts requested: `CONNECT host:443 …` or `GET http://host/… …`.
    fn hosts(&self) -> std::collections::BTreeSet<String> {
        self.seen()
            .iter()
            .filter_map(|l| {
                let target = l.split_whitespace().nth(1)?;
                let target = target.strip_prefix("http://").unwrap_or(target);
                let host = target.split(['/', ':']).next()?;
                Some(host.to_string())
            })
            .collect()
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Hosts Chromium itself contacts, at start-up or later, whatever the page
/// (network time, sign-in, updates), beyond those the baseline run saw in
/// its short life. Font and script CDNs (fonts.googleapis.com, gstatic.com,
/// …) are not among them.
fn chromium_service(host: &str) -> bool {
    host == "google.com"
        || host.ends_with(".google.com")
        || host.ends_with(".gvt1.com")
        || host == "update.googleapis.com"
}

/// Run headless Chromium on `page` with a fresh profile, every request sent
/// to `proxy`; `extra` adds the action (`--dump-dom`, `--screenshot=…`).
fn browse(page: &Path, proxy: &Recorder, extra: &[String]) -> String {
    let profile = tempfile::tempdir().unwrap();
    let url = if page.is_absolute() {
        format!("file://{}", page.display())
    } else {
        page.display().to_string()
    };
    let out = std::process::Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--proxy-server=http://127.0.0.1:{}", proxy.port))
        // Even loopback addresses go through the proxy.
        .arg("--proxy-bypass-list=<-loopback>")
        .args(extra)
        .arg(&url)
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Windows per cap, from `sanc eval --format json` on the same inputs.
fn windows_per_cap() -> Vec<(String, usize)> {
    let out = Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(root())
        .args([
            "eval",
            "rules/",
            REPORTED,
            ESTIMATED,
            "--as-of",
            "2025-01-01",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut caps: Vec<(String, usize)> = Vec::new();
    for w in v["windows"].as_array().unwrap() {
        let rule = w["rule"].as_str().unwrap().to_string();
        match caps.last_mut() {
            Some((r, n)) if *r == rule => *n += 1,
            _ => caps.push((rule, 1)),
        }
    }
    caps
}

#[test]
fn chromium_shows_every_chart_and_makes_no_request() {
    let artefacts = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map(|t| t.join("browser-report"))
        .unwrap();
    std::fs::create_dir_all(&artefacts).unwrap();
    let page = artefacts.join("report.html");
    let status = Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(root())
        .args([
            "report",
            "rules/",
            REPORTED,
            ESTIMATED,
            "--as-of",
            "2025-01-01",
            "-o",
        ])
        .arg(&page)
        .output()
        .unwrap()
        .status;
    assert_eq!(status.code(), Some(1), "violations: exit 1");

    // The baseline: what Chromium requests on its own, for a blank page.
    let baseline_proxy = Recorder::start();
    browse(
        Path::new("about:blank"),
        &baseline_proxy,
        &["--dump-dom".to_string()],
    );
    std::thread::sleep(Duration::from_millis(300));
    let baseline = baseline_proxy.hosts();

    // The control: a page that loads an image from the network is seen by
    // the proxy, so silence below means no request, not a deaf proxy.
    let control_proxy = Recorder::start();
    let control = artefacts.join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><html><body><img src=\"http://sanc-test.invalid/pixel.png\"></body></html>",
    )
    .unwrap();
    browse(&control, &control_proxy, &["--dump-dom".to_string()]);
    std::thread::sleep(Duration::from_millis(200));
    let seen = control_proxy.hosts();
    assert!(
        seen.contains("sanc-test.invalid") && !baseline.contains("sanc-test.invalid"),
        "the proxy did not see the control page's request: {seen:?}"
    );

    let proxy = Recorder::start();
    let dom = browse(&page, &proxy, &["--dump-dom".to_string()]);
    let caps = windows_per_cap();
    assert_eq!(caps.len(), 2, "{caps:?}");
    for (rule, n) in &caps {
        for by in ["evidence", "supplier"] {
            let tag = format!(
                "<svg class=\"chart\" data-rule=\"{rule}\" data-by=\"{by}\" data-windows=\"{n}\""
            );
            let at = dom
                .find(&tag)
                .unwrap_or_else(|| panic!("chart {tag} not in the DOM"));
            let svg = &dom[at..at + dom[at..].find("</svg>").unwrap()];
            assert_eq!(
                svg.matches("<g class=\"window\"").count(),
                *n,
                "{rule} by {by}"
            );
            assert!(svg.contains("class=\"cap-line\""));
        }
    }
    assert_eq!(dom.matches("<svg class=\"chart\"").count(), 2 * caps.len());
    assert!(
        dom.contains("content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"")
    );

    let shot = artefacts.join("report.png");
    let _ = std::fs::remove_file(&shot);
    browse(
        &page,
        &proxy,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1100,2400".to_string(),
        ],
    );
    let png = std::fs::read(&shot).expect("the screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "{} bytes",
        png.len()
    );
    std::thread::sleep(Duration::from_millis(300));
    let extra: Vec<String> = proxy
        .hosts()
        .into_iter()
        .filter(|h| !baseline.contains(h) && !chromium_service(h))
        .collect();
    assert!(
        extra.is_empty(),
        "requests left the report: {extra:?} (all: {:?})",
        proxy.seen()
    );
}
