//! Two runs on one checkout: locks, waiting, and runs that did not finish,
//! through the real `perfgate` binary.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
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

/// A copy of the recorded runs with the field-case configuration.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("run"), dir.path());
    std::fs::copy(fixture("cases.toml"), dir.path().join("perfgate.toml")).unwrap();
    dir
}

fn perfgate(work: &Path, run: &str, lock_timeout: &str) -> Command {
    let mut cmd = Command::cargo_bin("perfgate").unwrap();
    cmd.current_dir(work)
        .env_remove("PERFGATE_CONFIG")
        .env("PERFGATE_RECORDS_DIR", format!("{run}/records"))
        .env("PERFGATE_LOCK_TIMEOUT", lock_timeout)
        .env("NO_COLOR", "1");
    cmd
}

/// Holds `path` locked as another process would, with a holder line.
fn hold(path: &Path) -> File {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, "pid 4242 (another perfgate check) since now\n").unwrap();
    let file = File::open(path).unwrap();
    file.lock().unwrap();
    file
}

fn baseline_bytes(work: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(work.join("baselines"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn a_save_while_another_run_holds_the_records_fails_after_its_wait_naming_the_holder() {
    let work = workspace();
    let before = baseline_bytes(work.path());
    let _held = hold(&work.path().join("pass/lock"));
    perfgate(work.path(), "pass", "0.3")
        .args(["baseline", "save"])
        .assert()
        .code(2)
        .stderr(contains("pass/lock").and(contains("still locked after 0.3 s")))
        .stderr(contains("pid 4242 (another perfgate check)"))
        .stderr(contains("hint:").and(contains("PERFGATE_LOCK_TIMEOUT")));
    assert_eq!(baseline_bytes(work.path()), before, "nothing saved");
}

#[test]
fn a_check_waits_for_a_baseline_save_to_finish_then_runs() {
    let work = workspace();
    let held = hold(&work.path().join("baselines/.lock"));
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(600));
        drop(held);
    });
    perfgate(work.path(), "pass", "30")
        .arg("check")
        .assert()
        .code(0)
        .stderr(contains("waiting up to 30 s").and(contains("pid 4242")));
    release.join().unwrap();
    assert!(work.path().join("reports/results.json").is_file());
}

#[test]
fn a_compare_of_a_baselines_directory_waits_for_a_save_in_it_to_finish() {
    let work = workspace();
    let held = hold(&work.path().join("baselines/.lock"));
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(600));
        drop(held);
    });
    perfgate(work.path(), "pass", "30")
        .args(["compare", "baselines", "baselines"])
        .assert()
        .code(0)
        .stderr(contains("waiting up to 30 s").and(contains("pid 4242")));
    release.join().unwrap();
}

#[test]
fn a_compare_of_a_directory_without_a_lock_file_leaves_none_behind() {
    let work = workspace();
    std::fs::remove_file(work.path().join("baselines/.lock")).ok();
    perfgate(work.path(), "pass", "0.3")
        .args(["compare", "baselines", "baselines"])
        .assert()
        .code(0);
    assert!(!work.path().join("baselines/.lock").exists());
}

#[test]
fn two_saves_at_once_both_complete_and_every_baseline_parses() {
    let work = workspace();
    let spawn = || {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_perfgate"));
        cmd.current_dir(work.path())
            .env("PERFGATE_RECORDS_DIR", "pass/records")
            .env("PERFGATE_LOCK_TIMEOUT", "60")
            .args(["baseline", "save"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        cmd.spawn().unwrap()
    };
    let (mut a, mut b) = (spawn(), spawn());
    assert!(a.wait().unwrap().success());
    assert!(b.wait().unwrap().success());
    let loaded = perfgate::baseline::load_dir(&work.path().join("baselines")).unwrap();
    assert!(loaded.contains_key("kept") && loaded.contains_key("fresh"));
}

#[test]
fn a_run_that_did_not_finish_is_never_judged_or_saved() {
    let work = workspace();
    let manifest = work.path().join("pass/run.json");
    let mut run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    run["in_progress"] = serde_json::Value::Bool(true);
    std::fs::write(&manifest, run.to_string()).unwrap();
    let before = baseline_bytes(work.path());
    for args in [&["check"][..], &["baseline", "save"]] {
        perfgate(work.path(), "pass", "1")
            .args(args)
            .assert()
            .code(2)
            .stderr(contains("pass/run.json").and(contains("did not finish")))
            .stderr(contains("hint: run `cargo bench` again"));
    }
    assert_eq!(baseline_bytes(work.path()), before);
}

#[test]
fn baseline_save_stamps_the_benchmarks_build_profile_from_the_run_manifest() {
    let work = workspace();
    let manifest = work.path().join("pass/run.json");
    let mut run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    let mut machine = perfgate::baseline::Fingerprint::current();
    machine.profile = "bench".to_owned();
    run["fingerprint"] = serde_json::to_value(&machine).unwrap();
    std::fs::write(&manifest, run.to_string()).unwrap();
    perfgate(work.path(), "pass", "1")
        .args(["baseline", "save", "kept"])
        .assert()
        .code(0);
    let saved = perfgate::baseline::load(&work.path().join("baselines"), "kept")
        .unwrap()
        .unwrap();
    assert_eq!(saved.fingerprint.profile, "bench");
}

#[test]
fn the_gate_after_a_suite_shares_its_records_lock_while_other_processes_wait() {
    use perfgate::cli::check::{self, GateMode, GateOptions};
    use perfgate::sampler::{Suite, SuiteConfig};

    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("records");
    let mut config = SuiteConfig::from_env();
    config.records_dir = records.clone();
    let mut suite = Suite::new(config);
    suite
        .bench("lock/add", None, || std::hint::black_box(2u64) + 2)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(20))
        .measurement_time(Duration::from_millis(50));
    let mut criterion = criterion::Criterion::default()
        .output_directory(&dir.path().join("criterion"))
        .without_plots();
    suite.run(&mut criterion).unwrap();

    // Another process waits for the suite's lock and gives up.
    let lock = perfgate::lock::records_lock_path(&records);
    Command::cargo_bin("perfgate")
        .unwrap()
        .current_dir(dir.path())
        .env("PERFGATE_RECORDS_DIR", &records)
        .env("PERFGATE_LOCK_TIMEOUT", "0.2")
        .arg("check")
        .assert()
        .code(2)
        .stderr(contains(format!(
            "pid {} (cargo bench)",
            std::process::id()
        )));
    assert!(perfgate::lock::acquire_within(&lock, "gate", Duration::ZERO).is_ok());

    // The gate in the suite's own process goes straight through.
    let opts = GateOptions {
        config: dir.path().join("perfgate.toml"),
        records_dir: records,
        baselines_dir: Some(dir.path().join("baselines")),
        reports_dir: Some(dir.path().join("reports")),
        filtered: false,
        strict: false,
        color: false,
        mode: GateMode::Gate,
    };
    assert_eq!(
        check::run(&opts, None).unwrap(),
        0,
        "a new benchmark passes"
    );
    drop(suite);
    let other = File::open(&lock).unwrap();
    assert!(other.try_lock().is_ok(), "released with the suite");
}
