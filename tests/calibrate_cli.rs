//! `perfgate calibrate` through the real binary.

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

fn perfgate() -> Command {
    let mut cmd = Command::cargo_bin("perfgate").unwrap();
    cmd.env_remove("PERFGATE_CONFIG");
    cmd
}

#[test]
fn an_effect_outside_zero_to_one_is_a_usage_error_naming_the_option() {
    perfgate()
        .args(["calibrate", "--effects", "0.05,1.5"])
        .assert()
        .code(2)
        .stderr(contains("--effects: 1.5"))
        .stderr(contains("hint:"));
}

#[test]
fn a_zero_budget_is_a_usage_error() {
    perfgate()
        .args(["calibrate", "--budget", "0"])
        .assert()
        .code(2)
        .stderr(contains("--budget"));
}

#[test]
fn a_negative_threshold_override_is_a_usage_error() {
    perfgate()
        .args(["calibrate", "--threshold=-0.1", "--trials", "1"])
        .assert()
        .code(2)
        .stderr(contains("--threshold"));
}

#[test]
fn one_quiet_trial_without_retakes_prints_json_with_every_setting() {
    let dir = tempfile::tempdir().unwrap();
    let out = perfgate()
        .current_dir(dir.path())
        .args([
            "calibrate",
            "--trials",
            "1",
            "--contention",
            "off",
            "--retakes",
            "off",
            "--effects",
            "0.10",
            "--seed",
            "3",
            "--json",
            "--routine-ns",
            "2000",
        ])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["plan"]["seed"], 3);
    let cells = json["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 2, "A/A and +10%");
    for cell in cells {
        assert_eq!(cell["trials"], 1);
        assert_eq!(cell["setting"]["contention"], false);
        assert_eq!(cell["regressed"]["n"], 1);
        assert_eq!(cell["retaken_share"], 0.0, "retakes off retakes nothing");
    }
    assert_eq!(cells[1]["setting"]["effect"], 0.1);
}

#[test]
fn a_save_json_path_in_a_missing_directory_fails_before_the_first_trial() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("missing/x.json");
    perfgate()
        .args(["calibrate", "--contention", "off", "--retakes", "off"])
        .arg("--save-json")
        .arg(&target)
        .assert()
        .code(2)
        .stdout("")
        .stderr(contains("missing/x.json").and(contains("does not exist")))
        .stderr(contains("hint: create the directory"))
        .stderr(contains("busy loop").not());
}

#[test]
fn a_save_json_file_gets_the_result_while_the_table_goes_to_stdout() {
    let dir = tempfile::tempdir().unwrap();
    perfgate()
        .current_dir(dir.path())
        .args(["calibrate", "--trials", "1", "--contention", "off"])
        .args(["--retakes", "off", "--effects", "0.10", "--seed", "3"])
        .args(["--routine-ns", "2000", "--save-json", "out.json"])
        .assert()
        .code(0)
        .stdout(contains("A/A"));
    let saved = std::fs::read_to_string(dir.path().join("out.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&saved).unwrap();
    assert_eq!(json["plan"]["seed"], 3);
}
