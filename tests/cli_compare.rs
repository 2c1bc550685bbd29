//! `perfgate compare` end to end on the field cases, through the real
//! binary and its exit statuses.

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

fn fixture(path: &str) -> String {
    format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))
}

/// `perfgate compare` with the field-case settings, in a directory without
/// a perfgate.toml.
fn compare(config: &str, baseline: &str, candidate: &str) -> Command {
    let mut cmd = Command::cargo_bin("perfgate").unwrap();
    cmd.current_dir(std::env::temp_dir())
        .env_remove("PERFGATE_CONFIG")
        .env("NO_COLOR", "1")
        .args(["--config", &fixture(config), "compare"])
        .arg(fixture(baseline))
        .arg(fixture(candidate));
    cmd
}

fn verdicts(output: &[u8]) -> Vec<(String, String)> {
    let results: serde_json::Value = serde_json::from_slice(output).unwrap();
    results["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_owned(),
                c["verdict"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn c11_one_sided_benchmarks_are_missing_or_new_and_exit_zero() {
    let out = compare("no_renames.toml", "c11/baseline", "c11/candidate")
        .arg("--json")
        .assert()
        .code(0);
    let got = verdicts(&out.get_output().stdout);
    let want = pairs(&[
        ("chained/16", "missing"),
        ("codeword/16", "new"),
        ("kept", "pass"),
        ("old_only", "missing"),
    ]);
    assert_eq!(got, want);
}

#[test]
fn c11_strict_option_makes_missing_and_new_exit_two_saying_why_and_what_to_do() {
    compare("no_renames.toml", "c11/baseline", "c11/candidate")
        .arg("--strict")
        .assert()
        .code(2)
        .stdout(contains("missing"))
        .stderr(contains("error: strict mode").and(contains("codeword/16")))
        .stderr(contains("hint:").and(contains("perfgate baseline save")));
}

#[test]
fn config_entries_that_match_no_benchmark_are_warnings_naming_them() {
    // cases.toml renames chained/16, which c14 does not have.
    compare("cases.toml", "c14/baseline", "c14/candidate")
        .assert()
        .code(1)
        .stderr(contains(
            "warning: [renames] \"chained/16\" = \"codeword/16\" paired nothing",
        ));
}

#[test]
fn a_threshold_too_large_to_gate_anything_is_an_error_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("huge.toml");
    std::fs::write(&config, "[thresholds]\n\"kept\" = 1e308\n").unwrap();
    let mut cmd = Command::cargo_bin("perfgate").unwrap();
    cmd.current_dir(dir.path())
        .env_remove("PERFGATE_CONFIG")
        .arg("--config")
        .arg(&config)
        .args([
            "compare",
            &fixture("c11/baseline"),
            &fixture("c11/candidate"),
        ])
        .assert()
        .code(2)
        .stdout(contains("inf").not())
        .stderr(contains("thresholds.\"kept\"").and(contains("at most 100")));
}

#[test]
fn c11_rename_map_pairs_the_renamed_benchmark() {
    let out = compare("cases.toml", "c11/baseline", "c11/candidate")
        .arg("--json")
        .assert()
        .code(0);
    let stdout = &out.get_output().stdout;
    let got = verdicts(stdout);
    let want = pairs(&[
        ("codeword/16", "pass"),
        ("kept", "pass"),
        ("old_only", "missing"),
    ]);
    assert_eq!(got, want);
    let results: serde_json::Value = serde_json::from_slice(stdout).unwrap();
    assert_eq!(results["comparisons"][0]["renamed_from"], "chained/16");
}

#[test]
fn c11_a_rename_entry_never_takes_the_baseline_from_a_benchmark_still_running_under_its_old_id(
) {
    // cases.toml maps chained/16 to codeword/16, but here chained/16 runs
    // under its old id and codeword/16 does not run: chained/16 must still
    // be judged against its own baseline, never shown as `new`.
    let out = compare("cases.toml", "c11/baseline", "c11/baseline")
        .arg("--json")
        .assert()
        .code(0);
    let got = verdicts(&out.get_output().stdout);
    let want = pairs(&[
        ("chained/16", "pass"),
        ("kept", "pass"),
        ("old_only", "pass"),
    ]);
    assert_eq!(got, want);
}

#[test]
fn c14_a_shift_of_the_whole_sample_set_is_a_regression_exiting_one() {
    let out = compare("cases.toml", "c14/baseline", "c14/candidate")
        .arg("--json")
        .assert()
        .code(1);
    let results: serde_json::Value =
        serde_json::from_slice(&out.get_output().stdout).unwrap();
    let c = &results["comparisons"][0];
    assert_eq!(c["verdict"], "regressed");
    assert!((c["change"].as_f64().unwrap() - 0.5).abs() < 1e-12);
    let p = c["p_value"].as_f64().unwrap();
    assert!(
        (0.003..0.005).contains(&p),
        "Mann–Whitney p ≈ 0.004, got {p}"
    );
}

#[test]
fn c14_sub_nanosecond_medians_are_compared_in_floating_point() {
    let out = compare("cases.toml", "c14_subns/baseline", "c14_subns/candidate")
        .arg("--json")
        .assert()
        .code(1);
    let results: serde_json::Value =
        serde_json::from_slice(&out.get_output().stdout).unwrap();
    let change = results["comparisons"][0]["change"].as_f64().unwrap();
    assert!((change - (2.2 / 1.8 - 1.0)).abs() < 1e-9, "{change}");
}

#[test]
fn c12_more_elements_per_iteration_is_never_a_regression() {
    let out = compare("cases.toml", "c12/baseline", "c12/candidate")
        .arg("--json")
        .assert()
        .code(0);
    let results: serde_json::Value =
        serde_json::from_slice(&out.get_output().stdout).unwrap();
    let c = &results["comparisons"][0];
    assert_eq!(c["verdict"], "improved", "90 ns against 100 ns per element");
    assert!((c["change"].as_f64().unwrap() + 0.10).abs() < 1e-9, "{c}");
}

#[test]
fn c03_identical_samples_pass_without_nan() {
    compare("cases.toml", "c03/baseline", "c03/candidate_same")
        .assert()
        .code(0)
        .stdout(
            contains("pass")
                .and(contains("NaN").not())
                .and(contains("inf").not()),
        );
    compare("cases.toml", "c03/baseline", "c03/candidate_28")
        .assert()
        .code(0)
        .stdout(contains("+3.70%").and(contains("NaN").not()));
}

#[test]
fn c04_two_samples_are_inconclusive_never_improved() {
    compare("cases.toml", "c04/baseline", "c04/candidate")
        .arg("--json")
        .assert()
        .code(3)
        .stdout(contains("\"inconclusive\"").and(contains("improved").not()));
}

#[test]
fn c05_zero_timings_are_an_error_naming_the_benchmark() {
    compare("cases.toml", "c05/baseline", "c05/candidate_zero")
        .assert()
        .code(2)
        .stderr(contains("c05/never_ran").and(contains("zero, negative")))
        .stdout(contains("NaN").not());
}

#[test]
fn c05_negative_timings_are_an_error_naming_the_benchmark() {
    compare("cases.toml", "c05/baseline", "c05/candidate_negative")
        .assert()
        .code(2)
        .stderr(contains("c05/never_ran").and(contains("negative")));
}

#[test]
fn c05_a_zero_baseline_is_an_error_naming_the_benchmark() {
    compare("cases.toml", "c05/baseline_zero", "c05/candidate_50")
        .assert()
        .code(2)
        .stderr(contains("c05/never_ran"))
        .stdout(contains("NaN").not());
}

#[test]
fn the_terminal_table_says_why_a_benchmark_is_inconclusive() {
    compare("cases.toml", "c04/baseline", "c04/candidate")
        .assert()
        .code(3)
        .stdout(contains("notes:").and(contains("too few samples (2 < 8)")));
}

#[test]
fn a_single_baseline_file_given_to_compare_says_to_pass_its_directory() {
    let dir = fixture("c03/baseline");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut cmd = Command::cargo_bin("perfgate").unwrap();
    cmd.current_dir(std::env::temp_dir())
        .env_remove("PERFGATE_CONFIG")
        .args(["--config", &fixture("cases.toml"), "compare"])
        .arg(&file)
        .arg(fixture("c03/candidate_same"))
        .assert()
        .code(2)
        .stderr(
            contains("holds the baseline of one benchmark (\"c03/identical\")")
                .and(contains(format!("pass the baselines directory {dir}")))
                .and(contains("created_at").not()),
        );
}

/// Two baselines directories of `count` benchmarks with 1500 samples each,
/// so the JSON comparison is far larger than a pipe's buffer.
fn many_benchmarks(count: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let template = fixture("c03/baseline/c03_identical-3750ac2fd00bbc2b.json");
    let template: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(template).unwrap()).unwrap();
    for side in ["a", "b"] {
        std::fs::create_dir(dir.path().join(side)).unwrap();
        for i in 0..count {
            let id = format!("bench/{i}");
            let mut b = template.clone();
            b["id"] = id.clone().into();
            b["samples"] = (0..1500).map(|j| 100.0 + f64::from(j % 7)).collect();
            b["summary"] = serde_json::Value::Null;
            let name = perfgate::names::file_name(&id, "json");
            std::fs::write(dir.path().join(side).join(name), b.to_string()).unwrap();
        }
    }
    dir
}

#[test]
fn json_read_by_a_reader_that_stops_early_keeps_the_exit_status_without_a_panic() {
    use std::process::Stdio;
    let dirs = many_benchmarks(5);
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("perfgate"))
        .current_dir(std::env::temp_dir())
        .env_remove("PERFGATE_CONFIG")
        .args(["--config", &fixture("cases.toml"), "compare", "--json"])
        .arg(dirs.path().join("a"))
        .arg(dirs.path().join("b"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the read end at once, as `| head -1` does after its line.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
}

#[test]
fn a_results_json_from_a_future_schema_is_an_error_naming_both_versions() {
    let dir = tempfile::tempdir().unwrap();
    let out = compare("cases.toml", "c14/baseline", "c14/candidate")
        .arg("--json")
        .output()
        .unwrap();
    let mut results: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    results["schema"] = 9.into();
    let path = dir.path().join("results.json");
    std::fs::write(&path, results.to_string()).unwrap();
    let mut cmd = Command::cargo_bin("perfgate").unwrap();
    cmd.current_dir(std::env::temp_dir())
        .env_remove("PERFGATE_CONFIG")
        .args(["--config", &fixture("cases.toml"), "compare"])
        .arg(fixture("c14/baseline"))
        .arg(&path)
        .assert()
        .code(2)
        .stderr(contains(
            "schema version 9 is not supported (this perfgate reads 1)",
        ));
    // `perfgate report` reads results.json the same way.
    Command::cargo_bin("perfgate")
        .unwrap()
        .env_remove("PERFGATE_CONFIG")
        .args(["--config", &fixture("cases.toml"), "report", "--reports"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(contains("schema version 9"));
}

/// `perfgate compare` of two identical sides, its stdout on `/dev/full`
/// (every write fails with "no space left").
#[cfg(target_os = "linux")]
fn compare_into_dev_full(extra: &[&str]) -> std::process::Output {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    std::process::Command::new(assert_cmd::cargo::cargo_bin("perfgate"))
        .current_dir(std::env::temp_dir())
        .env_remove("PERFGATE_CONFIG")
        .env("NO_COLOR", "1")
        .args(["--config", &fixture("cases.toml"), "compare"])
        .args([fixture("c03/baseline"), fixture("c03/candidate_same")])
        .args(extra)
        .stdout(full)
        .output()
        .unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn json_that_cannot_be_written_to_stdout_is_an_error_exiting_two() {
    use assert_cmd::assert::OutputAssertExt;
    compare_into_dev_full(&["--json"])
        .assert()
        .code(2)
        .stderr(contains("stdout: writing the output failed").and(contains("hint:")));
}

#[cfg(target_os = "linux")]
#[test]
fn a_table_that_cannot_be_written_to_stdout_is_an_error_exiting_two() {
    use assert_cmd::assert::OutputAssertExt;
    compare_into_dev_full(&[])
        .assert()
        .code(2)
        .stderr(contains("stdout: writing the output failed"));
}
