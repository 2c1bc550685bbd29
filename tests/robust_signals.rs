//! Ctrl-C and SIGTERM while measuring: the run stops at the next sample
//! with its own exit status, and what it leaves behind is never judged.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use perfgate::sampler::{Suite, SuiteConfig};

/// Set in the child process that runs the suite.
const CHILD_ENV: &str = "PERFGATE_TEST_SUITE_CHILD";

/// The measuring run, started as a child process by the tests below (this
/// test binary runs itself with only this test selected). A suite of one
/// slow benchmark, long enough never to end on its own.
#[test]
#[ignore = "runs only as the child process of the signal tests"]
fn child_suite_that_measures_for_minutes() {
    let Some(records) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let mut config = SuiteConfig::from_env();
    config.records_dir = PathBuf::from(records);
    let mut suite = Suite::new(config);
    suite
        .bench("demo/spin", None, || {
            (0..20_000u64).fold(0u64, |a, i| a.wrapping_mul(31).wrapping_add(i))
        })
        .sample_size(10_000)
        .warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_secs(600));
    suite.run(&mut criterion::Criterion::default()).unwrap();
}

/// Waits for `child` at most `limit` (a hang guard, not a speed check).
fn wait_at_most(child: &mut Child, limit: Duration) -> Option<i32> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            eprintln!("stopped {:?} after the signal", start.elapsed());
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    panic!("still running {limit:?} after the signal");
}

fn signal(child: &Child, signal: i32) {
    // SAFETY: sends a signal to a child this test started.
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, signal) };
    assert_eq!(rc, 0);
}

/// Starts the example suite and waits until it measures.
fn start_suite(dir: &Path) -> Child {
    let child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_suite_that_measures_for_minutes"])
        .args(["--ignored", "--nocapture", "--test-threads", "1"])
        .env(CHILD_ENV, dir.join("records"))
        .env("CRITERION_HOME", dir.join("criterion"))
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let manifest = dir.join("run.json");
    let start = Instant::now();
    while !manifest.exists() {
        assert!(start.elapsed() < Duration::from_secs(60), "never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(400)); // into warm-up or samples
    child
}

fn stderr_of(child: Child) -> String {
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn sigint_during_the_suite_exits_130_and_leaves_a_run_that_is_never_judged() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = start_suite(dir.path());
    signal(&child, libc::SIGINT);
    assert_eq!(wait_at_most(&mut child, Duration::from_secs(10)), Some(130));
    let stderr = stderr_of(child);
    assert!(stderr.contains("interrupted by SIGINT"), "{stderr}");

    let manifest = std::fs::read_to_string(dir.path().join("run.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(manifest["in_progress"], true);
    let check = Command::new(env!("CARGO_BIN_EXE_perfgate"))
        .arg("check")
        .env("PERFGATE_RECORDS_DIR", dir.path().join("records"))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(2));
    let err = String::from_utf8_lossy(&check.stderr);
    assert!(
        err.contains("did not finish") && err.contains("hint:"),
        "{err}"
    );
}

#[test]
fn sigterm_during_the_suite_exits_143() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = start_suite(dir.path());
    signal(&child, libc::SIGTERM);
    assert_eq!(wait_at_most(&mut child, Duration::from_secs(10)), Some(143));
}

#[test]
fn sigint_during_calibration_under_contention_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_perfgate"))
        .args(["calibrate", "--trials", "200", "--contention", "on"])
        .args(["--retakes", "on", "--effects", "0.1", "--seed", "5"])
        .args(["--routine-ns", "2000"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500)); // into the trials
    signal(&child, libc::SIGINT);
    assert_eq!(wait_at_most(&mut child, Duration::from_secs(10)), Some(130));
    let stderr = stderr_of(child);
    assert!(stderr.contains("interrupted by SIGINT"), "{stderr}");
}
