//! `perfgate check` and `perfgate report` on a recorded run, through the
//! real binary: verdicts, exit statuses, reports, filters, configuration
//! warnings and colour.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

/// A copy of `tests/fixtures/run` (baselines plus several recorded runs)
/// in a fresh directory, with the field-case configuration.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("run"), dir.path());
    std::fs::copy(fixture("cases.toml"), dir.path().join("perfgate.toml")).unwrap();
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

/// `perfgate check` on the recorded run `run` inside `work`.
fn check(work: &Path, run: &str) -> Command {
    let mut cmd = Command::cargo_bin("perfgate").unwrap();
    cmd.current_dir(work)
        .env_remove("PERFGATE_CONFIG")
        .env_remove("PERFGATE_GATE")
        .env("PERFGATE_RECORDS_DIR", format!("{run}/records"))
        .env("NO_COLOR", "1")
        .arg("check");
    cmd
}

fn results(work: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(work.join("reports/results.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The ids of every comparison in `results`.
fn compared_ids(results: &serde_json::Value) -> Vec<String> {
    let comparisons = results["comparisons"].as_array().unwrap();
    comparisons
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

fn verdict_of(results: &serde_json::Value, id: &str) -> String {
    let comparisons = results["comparisons"].as_array().unwrap();
    let c = comparisons.iter().find(|c| c["id"] == id).unwrap();
    c["verdict"].as_str().unwrap().to_owned()
}

#[test]
fn check_of_an_unchanged_run_passes_and_writes_results() {
    let work = workspace();
    check(work.path(), "pass").assert().code(0).stdout(
        contains("kept")
            .and(contains("fresh"))
            .and(contains("exit status 0")),
    );
    let results = results(work.path());
    assert_eq!(verdict_of(&results, "kept"), "pass");
    assert_eq!(verdict_of(&results, "fresh"), "new");
    assert_eq!(verdict_of(&results, "gone"), "missing");
    assert_eq!(results["exit_status"], 0);
    for file in ["index.html", "summary.md"] {
        let text =
            std::fs::read_to_string(work.path().join("reports").join(file)).unwrap();
        assert!(text.contains("kept") && !text.contains("NaN"), "{file}");
    }
}

#[test]
fn check_of_a_slower_run_exits_one_with_the_regression_in_results() {
    let work = workspace();
    check(work.path(), "regressed")
        .assert()
        .code(1)
        .stdout(contains("slow"));
    let results = results(work.path());
    assert_eq!(verdict_of(&results, "slow"), "regressed");
    assert_eq!(results["exit_status"], 1);
}

#[test]
fn check_with_the_gate_off_reports_a_regression_but_exits_zero() {
    let work = workspace();
    check(work.path(), "regressed")
        .env("PERFGATE_GATE", "off")
        .assert()
        .code(0)
        .stderr(contains("exit status 1 replaced by 0"));
    let results = results(work.path());
    assert_eq!(verdict_of(&results, "slow"), "regressed");
    assert_eq!(
        results["exit_status"], 1,
        "the reports keep the real status"
    );
}

/// `scripts/gate.sh` with a stand-in `cargo` on PATH that writes the
/// results of a regressed run, as the suite would, and fails as
/// `cargo bench` does when the bench binary exits non-zero.
fn gate_script(work: &Path) -> Command {
    let bin = work.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let results = serde_json::json!({ "exit_status": 1, "comparisons": [] });
    std::fs::write(work.join("results.fixture.json"), results.to_string()).unwrap();
    let fake = format!(
        "#!/bin/sh\nmkdir -p \"$PERFGATE_REPORTS_DIR\"\ncp '{}' \"$PERFGATE_REPORTS_DIR/results.json\"\nexit 101\n",
        work.join("results.fixture.json").display()
    );
    let cargo = bin.join("cargo");
    std::fs::write(&cargo, fake).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let mut cmd =
        Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/gate.sh"));
    cmd.env("PATH", path)
        .env("PERFGATE_REPORTS_DIR", work.join("reports"))
        .env_remove("PERFGATE_GATE")
        .env_remove("GITHUB_STEP_SUMMARY");
    cmd
}

#[test]
fn gate_script_exits_with_the_status_the_results_record() {
    let work = tempfile::tempdir().unwrap();
    gate_script(work.path()).assert().code(1);
}

#[test]
fn gate_script_with_the_gate_off_exits_zero_and_says_what_it_replaced() {
    let work = tempfile::tempdir().unwrap();
    gate_script(work.path())
        .env("PERFGATE_GATE", "OFF")
        .assert()
        .code(0)
        .stderr(contains("exit status 1 replaced by 0"));
}

#[test]
fn a_damaged_baseline_is_an_error_naming_it_while_the_other_benchmarks_are_still_judged()
{
    let work = workspace();
    let damaged = work.path().join("baselines/kept-583876d75cd7d1d9.json");
    let before = std::fs::read(&damaged).unwrap();
    std::fs::write(&damaged, &before[..before.len() / 2]).unwrap();
    check(work.path(), "regressed")
        .assert()
        .code(2)
        .stdout(contains("slow").and(contains("regressed")))
        .stderr(contains("kept-583876d75cd7d1d9.json").and(contains("hint:")));
    let results = results(work.path());
    assert_eq!(verdict_of(&results, "slow"), "regressed");
    assert_eq!(results["exit_status"], 2);
    let ids = compared_ids(&results);
    assert!(
        !ids.contains(&"kept".to_owned()),
        "kept is an error, never `new`: {ids:?}"
    );
}

#[test]
fn gate_script_with_the_gate_off_exits_zero_even_without_results() {
    let work = tempfile::tempdir().unwrap();
    let mut cmd = gate_script(work.path());
    // The stand-in cargo now fails before writing any results.
    std::fs::remove_file(work.path().join("results.fixture.json")).unwrap();
    cmd.env("PERFGATE_GATE", "off").assert().code(0);
    let mut cmd = gate_script(work.path());
    std::fs::remove_file(work.path().join("results.fixture.json")).unwrap();
    cmd.assert().code(2).stderr(contains("without writing"));
}

#[test]
fn check_with_strict_exits_two_on_missing_and_new() {
    let work = workspace();
    check(work.path(), "pass").arg("--strict").assert().code(2);
}

#[test]
fn a_filtered_run_does_not_report_unmeasured_baselines_as_missing() {
    let work = workspace();
    check(work.path(), "filtered")
        .arg("--strict")
        .assert()
        .code(0);
    let results = results(work.path());
    assert_eq!(results["comparisons"].as_array().unwrap().len(), 1);
    assert_eq!(verdict_of(&results, "kept"), "pass");
}

#[test]
fn check_without_records_is_an_error_saying_to_run_the_benchmarks() {
    let work = workspace();
    check(work.path(), "nothing_here")
        .assert()
        .code(2)
        .stderr(contains("no benchmark records").and(contains("cargo bench")));
}

#[test]
fn a_record_with_zero_timings_exits_two_naming_the_benchmark_and_reports_the_rest() {
    let work = workspace();
    check(work.path(), "bad_record")
        .assert()
        .code(2)
        .stderr(contains("benchmark `slow`"));
    assert_eq!(verdict_of(&results(work.path()), "kept"), "pass");
}

#[test]
fn an_unknown_configuration_key_is_a_warning_naming_it() {
    let work = workspace();
    std::fs::copy(
        fixture("unknown_key.toml"),
        work.path().join("perfgate.toml"),
    )
    .unwrap();
    check(work.path(), "pass")
        .assert()
        .code(0)
        .stderr(contains("warning:").and(contains("unknown key `treshold`")));
}

#[test]
fn a_missing_configuration_file_given_explicitly_is_an_error() {
    let work = workspace();
    check(work.path(), "pass")
        .args(["--config", "nope.toml"])
        .assert()
        .code(2)
        .stderr(contains("nope.toml"));
}

#[test]
fn report_re_renders_from_results_json() {
    let work = workspace();
    check(work.path(), "regressed").assert().code(1);
    std::fs::remove_file(work.path().join("reports/results.json")).ok();
    Command::cargo_bin("perfgate")
        .unwrap()
        .current_dir(work.path())
        .arg("report")
        .assert()
        .code(2)
        .stderr(contains("results.json"));
    check(work.path(), "regressed").assert().code(1);
    Command::cargo_bin("perfgate")
        .unwrap()
        .current_dir(work.path())
        .args(["report", "--color", "never"])
        .assert()
        .code(0)
        .stdout(contains("slow").and(contains("\u{1b}[").not()));
}

#[test]
fn color_always_colours_the_table_and_no_color_is_honoured_in_auto() {
    let work = workspace();
    check(work.path(), "regressed")
        .args(["--color", "always"])
        .assert()
        .stdout(contains("\u{1b}["));
    check(work.path(), "regressed")
        .assert()
        .stdout(contains("\u{1b}[").not());
}

#[test]
fn check_without_a_baselines_directory_warns_naming_it() {
    let work = workspace();
    std::fs::remove_dir_all(work.path().join("baselines")).unwrap();
    check(work.path(), "pass")
        .assert()
        .code(0)
        .stdout(contains("`perfgate baseline save` records one"))
        .stderr(
            contains("warning: no baselines directory baselines")
                .and(contains("every benchmark is `new`")),
        );
    let results = results(work.path());
    assert_eq!(verdict_of(&results, "kept"), "new");
    let warnings = results["warnings"].as_array().unwrap();
    assert!(warnings
        .iter()
        .any(|w| w.as_str().unwrap().contains("no baselines directory")));
}

/// Rewrites every sample of the record of `fresh` in the run `run` of
/// `work` with `edit`.
fn edit_fresh_samples(work: &Path, run: &str, edit: impl Fn(&mut serde_json::Value)) {
    let path = work.join(run).join("records/fresh-fcd500563d7a36cf.json");
    let mut record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    for s in record["samples"].as_array_mut().unwrap() {
        edit(s);
    }
    std::fs::write(&path, record.to_string()).unwrap();
}

#[test]
fn a_benchmark_without_clean_samples_shows_no_median_rather_than_zero() {
    let work = workspace();
    edit_fresh_samples(work.path(), "pass", |s| s["status"] = "flagged".into());
    let out = check(work.path(), "pass").output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let row = stdout.lines().find(|l| l.starts_with("fresh ")).unwrap();
    assert!(!row.contains("0.000"), "{row}");
    assert!(row.contains("n/a"), "{row}");
    let html = std::fs::read_to_string(work.path().join("reports/index.html")).unwrap();
    assert!(
        !html.contains(">0.000 ns<"),
        "a zero median in the HTML table"
    );
    // Nor does the history (the trend chart) get a median of 0 for it.
    let history =
        std::fs::read_to_string(work.path().join("reports/history.jsonl")).unwrap();
    let last: serde_json::Value =
        serde_json::from_str(history.lines().last().unwrap()).unwrap();
    assert!(last["medians"].get("fresh").is_none(), "{last}");
    assert!(last["medians"].get("kept").is_some(), "{last}");
}

#[test]
fn a_record_sample_of_zero_iterations_is_an_error_naming_the_file() {
    let work = workspace();
    edit_fresh_samples(work.path(), "pass", |s| s["iterations"] = 0.into());
    check(work.path(), "pass").assert().code(2).stderr(
        contains("fresh-fcd500563d7a36cf.json")
            .and(contains("times 0 iterations"))
            .and(contains("hint: delete the records directory")),
    );
}

#[test]
fn reports_dir_from_the_environment_overrides_the_configuration() {
    let work = workspace();
    check(work.path(), "pass")
        .env("PERFGATE_REPORTS_DIR", "ci reports")
        .assert()
        .code(0);
    assert!(work.path().join("ci reports/results.json").is_file());
    assert!(!work.path().join("reports/results.json").exists());
    // `perfgate report` finds them there too.
    let mut cmd = Command::cargo_bin("perfgate").unwrap();
    cmd.current_dir(work.path())
        .env_remove("PERFGATE_CONFIG")
        .env("PERFGATE_REPORTS_DIR", "ci reports")
        .arg("report")
        .assert()
        .code(0)
        .stdout(contains("kept"));
}

#[test]
fn a_record_with_a_neighbour_load_outside_zero_to_one_is_an_error_naming_its_file() {
    let work = workspace();
    let path = work.path().join("pass/records/fresh-fcd500563d7a36cf.json");
    let mut record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    record["sampling"]["neighbour_load"] = serde_json::json!(5.0);
    std::fs::write(&path, record.to_string()).unwrap();
    check(work.path(), "pass").assert().code(2).stderr(
        contains("fresh-fcd500563d7a36cf.json").and(contains("neighbour_load 5")),
    );
}

#[test]
fn a_damaged_record_is_an_error_naming_it_while_the_other_benchmarks_are_still_judged() {
    let work = workspace();
    let damaged = work
        .path()
        .join("regressed/records/kept-583876d75cd7d1d9.json");
    std::fs::write(&damaged, "{\"schema\": 1, \"id\": \"kept\", \"samples\": [").unwrap();
    check(work.path(), "regressed")
        .assert()
        .code(2)
        .stdout(contains("slow").and(contains("regressed")))
        .stderr(contains("kept-583876d75cd7d1d9.json").and(contains("hint:")));
    let results = results(work.path());
    assert_eq!(verdict_of(&results, "slow"), "regressed");
    let ids = compared_ids(&results);
    assert!(
        !ids.contains(&"kept".to_owned()),
        "an error, never `missing`: {ids:?}"
    );
}

#[test]
fn a_save_with_a_damaged_record_writes_nothing() {
    let work = workspace();
    let before =
        std::fs::read(work.path().join("baselines/slow-6a771318f6fe2cb8.json")).unwrap();
    let damaged = work
        .path()
        .join("regressed/records/kept-583876d75cd7d1d9.json");
    std::fs::write(&damaged, "[]").unwrap();
    let mut cmd = Command::cargo_bin("perfgate").unwrap();
    cmd.current_dir(work.path())
        .env_remove("PERFGATE_CONFIG")
        .env("PERFGATE_RECORDS_DIR", "regressed/records")
        .args(["baseline", "save"])
        .assert()
        .code(2)
        .stderr(contains("kept-583876d75cd7d1d9.json"));
    let after =
        std::fs::read(work.path().join("baselines/slow-6a771318f6fe2cb8.json")).unwrap();
    assert_eq!(before, after, "the slow baseline is untouched");
}
