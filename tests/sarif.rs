//! `sanc check --format sarif` validates against the SARIF 2.1.0 schema.
//!
//! The schema is OASIS's `sarif-schema-2.1.0.json`, kept in
//! tests/fixtures so that the test reads neither the network nor cargo's
//! cache.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use assert_cmd::Command;
use serde_json::Value;

/// The SARIF 2.1.0 JSON schema (OASIS), as shipped in tests/fixtures.
fn schema() -> Value {
    let text = include_str!("fixtures/sarif-2.1.0-schema.json");
    serde_json::from_str(text).unwrap()
}

fn sarif(path: &str) -> Value {
    let out = Command::cargo_bin("sanc")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "--format", "sarif", path])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn sarif_output_validates_against_the_2_1_0_schema() {
    let schema = schema();
    assert!(schema["$id"]
        .as_str()
        .is_some_and(|id| id.ends_with("/sarif-schema-2.1.0.json")));
    let validator = jsonschema::validator_for(&schema).unwrap();
    // The validator is not a rubber stamp.
    assert!(
        !validator.is_valid(&serde_json::json!({"version": "2.1.0", "runs": [{"results": []}]}))
    );
    assert!(!validator.is_valid(&serde_json::json!({"version": "3.0", "runs": []})));
    for path in [
        "tests/diagnostics/duplicate_across_files",
        "tests/diagnostics/unused_declarations.sanc",
        "tests/diagnostics/two_errors_one_file",
        "tests/diagnostics/unterminated_string.sanc",
        "rules",
    ] {
        let log = sarif(path);
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{path}: {errors:#?}");
    }
}

#[test]
fn sarif_results_carry_code_level_location_and_related_places() {
    let log = sarif("tests/diagnostics/duplicate_across_files");
    let run = &log["runs"][0];
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(run["tool"]["driver"]["name"], "sanc");
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let r = &run["results"][0];
    assert_eq!(r["ruleId"], "sanc::check::duplicate_declaration");
    assert_eq!(r["level"], "error");
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(
        loc["artifactLocation"]["uri"],
        "tests/diagnostics/duplicate_across_files/b.sanc"
    );
    assert_eq!(loc["region"]["startLine"], 2);
    assert_eq!(loc["region"]["startColumn"], 11);
    assert_eq!(
        r["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "tests/diagnostics/duplicate_across_files/a.sanc"
    );
    assert_eq!(
        run["tool"]["driver"]["rules"][0]["id"],
        "sanc::check::duplicate_declaration"
    );
    // A clean rule set has a run with no results.
    assert_eq!(sarif("rules")["runs"][0]["results"], serde_json::json!([]));
}
