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
fn c11_strict_option_makes_missing_and_new_exit_two() {
    compare("no_renames.toml", "c11/baseline", "c11/candidate")
        .arg("--strict")
        .assert()
        .code(2)
        .stdout(contains("missing"));
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
