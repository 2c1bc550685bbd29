//! Baseline files from elsewhere (case C10) and saving baselines, through
//! the real `perfgate` binary.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

fn perfgate(cwd: &Path) -> Command {
    let mut cmd = Command::cargo_bin("perfgate").unwrap();
    cmd.current_dir(cwd)
        .env_remove("PERFGATE_CONFIG")
        .env_remove("PERFGATE_RECORDS_DIR")
        .env("NO_COLOR", "1");
    cmd
}

fn compare(config: &str, baseline: &str, candidate: &str) -> Command {
    let mut cmd = perfgate(&std::env::temp_dir());
    cmd.arg("--config")
        .arg(fixture(config))
        .arg("compare")
        .arg(fixture(baseline))
        .arg(fixture(candidate));
    cmd
}

#[test]
fn c10_truncated_baseline_is_a_parse_error_with_position_exiting_two() {
    compare("cases.toml", "c10/truncated", "c10/candidate")
        .assert()
        .code(2)
        .stderr(contains("fib_20-a0fe5955f4d04331.json"))
        .stderr(contains("line 8, column 4").and(contains("truncated")))
        .stdout(contains("pass").not());
}

#[test]
fn c10_empty_baseline_is_an_error_naming_the_file_exiting_two() {
    compare("cases.toml", "c10/empty", "c10/candidate")
        .assert()
        .code(2)
        .stderr(contains("c10/empty/fib_20-a0fe5955f4d04331.json").and(contains("empty")))
        .stdout(contains("pass").not());
}

#[test]
fn c10_future_schema_names_the_version_found_and_supported() {
    compare("cases.toml", "c10/future", "c10/candidate")
        .assert()
        .code(2)
        .stderr(
            contains("schema version 2 is not supported").and(contains("reads 1 to 1")),
        );
}

#[test]
fn c10_baseline_without_summary_gets_it_recomputed_from_samples() {
    let out = compare("cases.toml", "c10/no_summary", "c10/candidate")
        .arg("--json")
        .assert()
        .code(0);
    let results: serde_json::Value =
        serde_json::from_slice(&out.get_output().stdout).unwrap();
    let summary = &results["comparisons"][0]["baseline"]["summary"];
    assert_eq!(summary["n"], 20);
    assert!(
        (summary["median"].as_f64().unwrap() - 187.0).abs() < 1e-9,
        "{summary}"
    );
}

#[test]
fn c10_clock_rate_difference_is_the_same_machine() {
    compare("mismatch_fail.toml", "c10/candidate", "c10/candidate_clock")
        .assert()
        .code(0)
        .stderr(contains("another machine").not());
}

#[test]
fn c10_other_cpu_model_warns_then_passes_under_warn_policy() {
    compare("cases.toml", "c10/candidate", "c10/candidate_other_cpu")
        .assert()
        .code(0)
        .stderr(contains("warning: baseline recorded on another machine"))
        .stderr(contains("CPU model: Intel(R) Xeon(R) CPU → AMD EPYC 7B12"));
}

#[test]
fn c10_other_cpu_model_exits_two_under_fail_policy() {
    compare(
        "mismatch_fail.toml",
        "c10/candidate",
        "c10/candidate_other_cpu",
    )
    .assert()
    .code(2)
    .stderr(contains("another machine"));
}

#[test]
fn nan_in_a_baseline_is_a_parse_error_not_a_verdict() {
    compare("cases.toml", "c10/nan", "c10/candidate")
        .assert()
        .code(2)
        .stderr(contains("line").and(contains("not valid JSON")))
        .stdout(contains("pass").not());
}

#[test]
fn a_baseline_holding_another_benchmark_is_a_collision_error() {
    compare("cases.toml", "c10/wrong_id", "c10/candidate")
        .assert()
        .code(2)
        .stderr(contains("holds benchmark `fib_21`"));
}

/// Copies a fixture tree into a fresh directory the test may change.
fn scratch(from: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture(from), dir.path());
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let dest = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).unwrap();
        }
    }
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn baseline_save_writes_every_record_of_the_last_run() {
    let work = scratch("run");
    perfgate(work.path())
        .args([
            "baseline",
            "save",
            "--records",
            "pass/records",
            "--baselines",
            "new",
        ])
        .assert()
        .code(0)
        .stdout(contains("saved kept (20 samples)").and(contains("saved fresh")));
    let saved = perfgate::baseline::load(&work.path().join("new"), "fresh")
        .unwrap()
        .unwrap();
    assert_eq!(saved.samples.len(), 20);
    assert_eq!(saved.iterations, 1000);
    assert!(!saved.fingerprint.os.is_empty());
}

#[test]
fn baseline_save_of_selected_ids_leaves_the_others_alone() {
    let work = scratch("run");
    let before =
        std::fs::read(work.path().join("baselines/kept-583876d75cd7d1d9.json")).unwrap();
    perfgate(work.path())
        .args(["baseline", "save", "fresh", "--records", "pass/records"])
        .assert()
        .code(0);
    let after =
        std::fs::read(work.path().join("baselines/kept-583876d75cd7d1d9.json")).unwrap();
    assert_eq!(before, after);
    assert!(
        perfgate::baseline::load(&work.path().join("baselines"), "fresh")
            .unwrap()
            .is_some()
    );
}

#[test]
fn baseline_save_of_an_id_not_measured_is_an_error() {
    let work = scratch("run");
    perfgate(work.path())
        .args(["baseline", "save", "nope", "--records", "pass/records"])
        .assert()
        .code(2)
        .stderr(contains("benchmark `nope` was not measured"));
}

#[test]
fn a_save_failing_mid_way_leaves_every_old_baseline_intact() {
    let work = scratch("run");
    let before = snapshot(&work.path().join("baselines"));
    perfgate(work.path())
        .args(["baseline", "save", "--records", "bad_record/records"])
        .assert()
        .code(2)
        .stderr(contains("benchmark `slow`").and(contains("zero, negative")));
    assert_eq!(snapshot(&work.path().join("baselines")), before);
}

#[test]
fn baseline_save_prints_names_with_quotes_and_backslashes_literally() {
    let work = scratch("run");
    let id = "it's \"quoted\"\\";
    let records = work.path().join("pass/records");
    let old = records.join("fresh-fcd500563d7a36cf.json");
    let mut record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&old).unwrap()).unwrap();
    record["id"] = id.into();
    std::fs::remove_file(&old).unwrap();
    let new = records.join(perfgate::names::file_name(id, "json"));
    std::fs::write(new, record.to_string()).unwrap();
    let manifest = work.path().join("pass/run.json");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("\"fresh\"", &format!("{:?}", id))).unwrap();
    perfgate(work.path())
        .args(["baseline", "save", "--records", "pass/records"])
        .args(["--baselines", "new"])
        .assert()
        .code(0)
        .stdout(contains(format!("saved {id} (20 samples)")));
    let saved = perfgate::baseline::load(&work.path().join("new"), id).unwrap();
    assert_eq!(saved.unwrap().id, id);
}

/// The `*.json` files in `dir` with their bytes, and the names of any
/// temporary files left there.
fn baselines_and_temporaries(dir: &Path) -> (Vec<(PathBuf, Vec<u8>)>, Vec<String>) {
    let mut json = Vec::new();
    let mut temporaries = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".tmp") {
            temporaries.push(name);
        } else if path.is_file() && name.ends_with(".json") {
            json.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
    json.sort();
    (json, temporaries)
}

#[test]
fn a_save_whose_last_file_cannot_be_replaced_changes_no_baseline_and_prints_no_saved_line(
) {
    let work = scratch("run");
    let baselines = work.path().join("baselines");
    // An old baseline of `fresh`, saved first and so replaced first.
    let kept = baselines.join("kept-583876d75cd7d1d9.json");
    let old_fresh = std::fs::read_to_string(&kept)
        .unwrap()
        .replace("\"kept\"", "\"fresh\"");
    std::fs::write(baselines.join("fresh-fcd500563d7a36cf.json"), old_fresh).unwrap();
    // A directory where `kept`'s baseline must go: its rename fails.
    std::fs::remove_file(&kept).unwrap();
    std::fs::create_dir(&kept).unwrap();
    let before = baselines_and_temporaries(&baselines);

    perfgate(work.path())
        .args(["baseline", "save", "--records", "pass/records"])
        .assert()
        .code(2)
        .stdout(contains("saved").not())
        .stderr(contains("benchmark `kept`").and(contains("not a regular file")))
        .stderr(contains(
            "nothing was saved: the baselines in baselines are unchanged",
        ))
        .stderr(contains("hint: move or remove it"));

    assert_eq!(baselines_and_temporaries(&baselines), before);
    assert!(before.1.is_empty());
}
