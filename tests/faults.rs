//! Faults around the run: failed and closed standard output, unwritable
//! standard error, files that cannot be written. sanc reports them and
//! exits with a code; it never panics (exit 101) or truncates a file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(unix)]

use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn sanc() -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("sanc"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    c
}

fn dev_full() -> Stdio {
    Stdio::from(File::options().write(true).open("/dev/full").unwrap())
}

fn with_stdin(mut cmd: Command, input: &str) -> Output {
    cmd.stdin(Stdio::piped());
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

const UNFORMATTED: &str = "party  DPRK = PRK\n";
const FORMATTED: &str = "party DPRK = PRK\n";

#[test]
fn fmt_check_on_stdin_checks_and_prints_nothing_on_stdout() {
    let mut c = sanc();
    c.args(["fmt", "--check", "-"]);
    let out = with_stdin(c, UNFORMATTED);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "not formatted: <stdin>\n"
    );

    let mut c = sanc();
    c.args(["fmt", "--check", "-"]);
    let out = with_stdin(c, FORMATTED);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());

    // A buffer that does not parse: its errors, exit 2, still nothing on stdout.
    let mut c = sanc();
    c.args(["fmt", "--check", "-"]);
    let out = with_stdin(c, "party DPRK =\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("sanc::parse::syntax"));
}

#[test]
fn fmt_stdin_to_a_full_disk_reports_and_fails() {
    let mut c = sanc();
    c.args(["fmt", "-"]).stdout(dev_full());
    c.stdin(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(UNFORMATTED.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot write to standard output: No space left on device"),
        "{err}"
    );
}

#[test]
fn check_to_a_full_disk_reports_and_fails() {
    let out = sanc()
        .args(["check", "rules"])
        .stdout(dev_full())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write to standard output"));
    // JSON and SARIF go through the same path.
    for format in ["json", "sarif"] {
        let out = sanc()
            .args(["check", "--format", format, "rules"])
            .stdout(dev_full())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{format}");
    }
}

/// A rule set with many warnings: more output than a pipe holds.
fn noisy_rules(dir: &Path) -> std::path::PathBuf {
    let mut text = String::new();
    for i in 0..3000 {
        text.push_str(&format!("commodity unused_{i} = hs {}\n", 1000 + i));
    }
    let path = dir.join("noisy.sanc");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_pipe_closed_early_ends_quietly_with_the_runs_own_code() {
    let tmp = tempfile::tempdir().unwrap();
    let rules = noisy_rules(tmp.path());
    for (args, code) in [
        (vec!["check"], 0),
        (vec!["check", "--format", "json"], 0),
        (vec!["fmt", "--check"], 0),
    ] {
        let mut child = sanc()
            .args(&args)
            .arg(&rules)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Like `| head -c 10`: read a little, then close the pipe.
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 10];
        let _ = stdout.read(&mut first);
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}");
        assert!(
            out.stderr.is_empty(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // A run with rule errors keeps its exit code 2.
    let bad = tmp.path().join("bad.sanc");
    let mut text = std::fs::read_to_string(&rules).unwrap();
    text.push_str("ban arms to NOWHERE\n");
    std::fs::write(&bad, text).unwrap();
    let mut child = sanc()
        .args(["check"])
        .arg(&bad)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stderr.is_empty());
}

#[test]
fn an_unwritable_stderr_never_panics() {
    // fmt: a buffer that does not parse, its errors to a full stderr.
    let mut c = sanc();
    c.args(["fmt", "-"])
        .stderr(dev_full())
        .stdout(Stdio::null());
    c.stdin(Stdio::piped());
    let mut child = c.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"party DPRK =\n")
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(2));

    // fmt and check with both outputs full.
    for args in [
        vec!["fmt", "--check", "rules"],
        vec!["check", "rules"],
        vec!["check", "no/such/path"],
    ] {
        let status = sanc()
            .args(&args)
            .stdout(dev_full())
            .stderr(dev_full())
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(2), "{args:?}");
    }

    // lsp: standard input is not LSP, standard error is full. The frame is
    // skipped (the note about it cannot be written); the input then ends
    // without `shutdown`, which is exit code 1 in the protocol.
    let mut c = sanc();
    c.args(["lsp"]).stderr(dev_full()).stdout(Stdio::null());
    c.stdin(Stdio::piped());
    let mut child = c.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"hello\r\n\r\n")
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(1));
}

fn lsp_frame(body: &str) -> String {
    format!("Content-Length: {}\r\n\r\n{body}", body.len())
}

#[test]
fn lsp_with_a_full_stdout_reports_and_exits() {
    let mut input =
        lsp_frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#);
    input += &lsp_frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#);
    input += &lsp_frame(
        r#"{"jsonrpc":"2.0","id":2,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///x.sanc"},"position":{"line":0,"character":0}}}"#,
    );
    let mut c = sanc();
    c.args(["lsp"])
        .stdout(dev_full())
        .stderr(Stdio::piped())
        .stdin(Stdio::piped());
    let mut child = c.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write to standard output"));
}

#[test]
fn lsp_refuses_a_huge_content_length() {
    let mut c = sanc();
    c.args(["lsp"]);
    let out = with_stdin(c, "Content-Length: 18446744073709551615\r\n\r\n{}");
    // Skipped with a note; the input ends without `shutdown`: exit code 1.
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("more than the"));
}

#[test]
fn fmt_leaves_a_file_it_cannot_write_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a.sanc");
    std::fs::write(&file, UNFORMATTED).unwrap();
    // A file size limit of 0 makes every write fail as a full disk would;
    // the shell ignores the signal that would otherwise end sanc.
    let out = Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 0; exec \"$0\" fmt a.sanc")
        .arg(assert_cmd::cargo::cargo_bin("sanc"))
        .current_dir(tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("error: cannot write `a.sanc` (left unchanged)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("formatted 0 files, 0 already formatted, 1 could not be written"),
        "{stdout}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), UNFORMATTED);
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "no temporary file is left behind");
}

#[test]
fn a_write_failing_half_way_leaves_the_original_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a.sanc");
    std::fs::write(&file, UNFORMATTED).unwrap();
    let err = sanc::fmt::write_file_with(&file, |f| {
        f.write_all(b"party")?;
        Err(std::io::Error::other("the disk is full"))
    })
    .unwrap_err();
    assert_eq!(err.to_string(), "the disk is full");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), UNFORMATTED);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
}

#[test]
fn fmt_keeps_permissions_and_symbolic_links() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a.sanc");
    std::fs::write(&file, UNFORMATTED).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = tmp.path().join("link.sanc");
    std::os::unix::fs::symlink("a.sanc", &link).unwrap();
    let out = sanc().arg("fmt").arg(&link).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "formatted 1 file, 0 already formatted\n"
    );
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), FORMATTED);
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o640);
}
