//! `perfgate route` end to end.

use assert_cmd::Command;
use serde_json::Value;

fn route_json(args: &[&str]) -> Value {
    let out = Command::cargo_bin("perfgate")
        .unwrap()
        .arg("route")
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn route_json_reports_the_flat_parity_counts() {
    let v = route_json(&["--shape", "flat", "--tasks", "200"]);
    assert_eq!(v["tasks"], 200);
    assert_eq!(v["edges"], 0);
    assert_eq!(v["assigned"], 70);
    assert_eq!(v["unassigned"], 130);
    assert_eq!(v["waves"], 1);
    assert!(v["route_ns"].as_u64().unwrap() > 0);
}

#[test]
fn route_json_reports_pipeline_waves() {
    let v = route_json(&["--shape", "pipeline", "--mode", "waves"]);
    assert_eq!(v["tasks"], 8);
    assert_eq!(v["edges"], 8);
    assert_eq!(v["assigned"], 8);
    assert_eq!(v["waves"], 7);
}

#[test]
fn route_layered_waves_assigns_every_task_with_the_seed_echoed() {
    let args = [
        "--shape", "layered", "--tasks", "5000", "--mode", "waves", "--seed", "9",
    ];
    let v = route_json(&args);
    assert_eq!(v["assigned"], 5000);
    assert_eq!(v["seed"], 9);
    assert!(v["waves"].as_u64().unwrap() >= 5000 / 64);
    assert_eq!(route_json(&args)["waves"], v["waves"]);
}

#[test]
fn route_text_output_names_the_counts() {
    let out = Command::cargo_bin("perfgate")
        .unwrap()
        .args(["route", "--tasks", "100", "--types", "4"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("assigned    40"), "{text}");
}

#[test]
fn route_rejects_a_type_count_out_of_range_with_status_2() {
    let out = Command::cargo_bin("perfgate")
        .unwrap()
        .args(["route", "--types", "8"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--types"));
}

#[test]
fn route_rejects_a_task_count_beyond_the_limit_with_status_2() {
    let out = Command::cargo_bin("perfgate")
        .unwrap()
        .args(["route", "--tasks", "99999999999"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tasks"));
}

#[test]
fn route_help_states_the_task_limit_as_a_number() {
    let out = Command::cargo_bin("perfgate")
        .unwrap()
        .args(["route", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("at most 20,000,000"), "{help}");
    assert!(!help.contains("[`"), "{help}");
}

#[test]
fn route_text_output_spells_shape_and_mode_as_their_flags() {
    let out = Command::cargo_bin("perfgate")
        .unwrap()
        .args(["route", "--tasks", "10", "--mode", "per-plan"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("shape       flat (seed 0"), "{text}");
    assert!(text.contains("mode        per-plan\n"), "{text}");
}
