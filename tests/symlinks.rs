//! Rule sets reached through symbolic links: links to files and folders are
//! followed, loops and broken links are reported by path, never walked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg(unix)]

use assert_cmd::Command;
use predicates::prelude::*;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::time::Duration;

fn sanc(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("sanc").unwrap();
    c.current_dir(dir)
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(60));
    c
}

const DECLARATIONS: &str = "party DPRK = PRK\ncommodity arms = hs 93\n";
const BAN: &str = "ban arms to DPRK cite \"UNSCR 1718 (2006) OP 8(a)\"\n";

/// `set/declarations.sanc`, and elsewhere `shared/un/ban.sanc`.
fn layout() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("set")).unwrap();
    std::fs::create_dir_all(tmp.path().join("shared/un")).unwrap();
    std::fs::write(tmp.path().join("set/declarations.sanc"), DECLARATIONS).unwrap();
    std::fs::write(tmp.path().join("shared/un/ban.sanc"), BAN).unwrap();
    tmp
}

#[test]
fn a_symlinked_rule_file_is_read() {
    let tmp = layout();
    symlink("../shared/un/ban.sanc", tmp.path().join("set/ban.sanc")).unwrap();
    sanc(tmp.path())
        .args(["check", "set"])
        .assert()
        .code(0)
        .stdout("ok: 2 files, 1 rule, no problems\n");
}

#[test]
fn a_symlinked_folder_is_walked_and_its_rules_count() {
    let tmp = layout();
    symlink("../shared/un", tmp.path().join("set/un")).unwrap();
    sanc(tmp.path())
        .args(["check", "set"])
        .assert()
        .code(0)
        .stdout("ok: 2 files, 1 rule, no problems\n");
    // And evaluated: the linked ban catches a shipment.
    let events = tmp.path().join("events.ndjson");
    std::fs::write(
        &events,
        "{\"id\":\"e1\",\"type\":\"shipment\",\"date\":\"2024-01-01\",\"hs\":\"930100\",\"quantity\":\"1 kg\",\"from\":\"CHN\",\"to\":\"PRK\"}\n",
    )
    .unwrap();
    sanc(tmp.path())
        .args(["eval", "set", "events.ndjson", "--format", "json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\"rule\": \"ban-arms-to-PRK\""))
        .stdout(predicate::str::contains("\"file\": \"set/un/ban.sanc\""));
}

#[test]
fn a_file_reached_directly_and_through_a_link_is_read_once() {
    let tmp = layout();
    std::fs::write(tmp.path().join("set/ban.sanc"), BAN).unwrap();
    symlink("ban.sanc", tmp.path().join("set/again.sanc")).unwrap();
    sanc(tmp.path())
        .args(["check", "set"])
        .assert()
        .code(0)
        .stdout("ok: 2 files, 1 rule, no problems\n");
}

#[test]
fn a_symlink_loop_is_reported_by_path_and_not_walked() {
    let tmp = layout();
    std::fs::write(tmp.path().join("set/ban.sanc"), BAN).unwrap();
    std::fs::create_dir_all(tmp.path().join("set/sub")).unwrap();
    symlink("..", tmp.path().join("set/sub/back")).unwrap();
    symlink(".", tmp.path().join("set/here")).unwrap();
    sanc(tmp.path())
        .args(["check", "set"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "`set/here` is a symbolic link back to `set`, which contains it (a loop)",
        ))
        .stdout(predicate::str::contains(
            "`set/sub/back` is a symbolic link back to `set`, which contains it (a loop)",
        ))
        .stdout(predicate::str::contains("2 files, 1 rule"));
}

#[test]
fn a_broken_symlink_is_reported() {
    let tmp = layout();
    std::fs::write(tmp.path().join("set/ban.sanc"), BAN).unwrap();
    symlink("../nowhere/eu.sanc", tmp.path().join("set/eu.sanc")).unwrap();
    sanc(tmp.path())
        .args(["check", "set"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "`set/eu.sanc` is a symbolic link to `../nowhere/eu.sanc`, which does not exist",
        ));
    // Named directly, too.
    sanc(tmp.path())
        .args(["check", "set/eu.sanc"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains(
            "`set/eu.sanc` is a symbolic link to `../nowhere/eu.sanc`, which does not exist",
        ));
}
