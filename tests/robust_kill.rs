//! Runs killed at random points (SIGKILL) never corrupt a file.
//!
//! On a workspace with many benchmarks and two recorded runs (A and B,
//! different samples), `perfgate baseline save`, `perfgate check` and
//! `perfgate report` are started over and over and killed after a random
//! delay (seeded). After every kill each baseline must equal its bytes
//! before the run or be a complete baseline of the run's records; each
//! report must be the old file or a complete new one; the history may only
//! have grown by whole lines. The number of runs comes from
//! `PERFGATE_KILL_RUNS` (default 15, a few seconds); the counts are
//! printed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use perfgate::compare::RunResults;
use perfgate::sampler::{
    write_manifest, write_record, BenchRecord, RunManifest, SampleRecord, SampleStatus,
    RECORD_SCHEMA,
};
use rand::{Rng, SeedableRng};

const BENCHMARKS: usize = 40;
const SAMPLES: usize = 60;

type Files = BTreeMap<PathBuf, Vec<u8>>;

/// A record of `id` whose samples are `base` ns per iteration plus a
/// small ripple: run B is run A 3% slower.
fn record(id: &str, base: f64) -> BenchRecord {
    let samples = (0..SAMPLES)
        .map(|i| SampleRecord {
            index: i as u32,
            attempt: 0,
            iterations: 1000,
            wall_ns: ((base + (i % 7) as f64) * 1000.0) as u64,
            cpu_ns: ((base + (i % 7) as f64) * 1000.0) as u64,
            involuntary_switches: 0,
            delay_ns: 0,
            reasons: Vec::new(),
            status: SampleStatus::Clean,
            fast: false,
        })
        .collect();
    BenchRecord {
        schema: RECORD_SCHEMA,
        id: id.to_owned(),
        throughput: None,
        samples,
        warnings: Vec::new(),
        finished_at: "2025-01-01T00:00:00Z".to_owned(),
        sampling: Default::default(),
    }
}

fn ids() -> Vec<String> {
    (0..BENCHMARKS)
        .map(|i| format!("kill/bench_{i:02}"))
        .collect()
}

/// Writes run `name` (records + manifest) with samples scaled by `factor`.
fn write_run(work: &Path, name: &str, factor: f64) -> BTreeMap<String, Vec<f64>> {
    let records = work.join(name).join("records");
    let mut clean = BTreeMap::new();
    for (i, id) in ids().iter().enumerate() {
        let r = record(id, (100.0 + 10.0 * i as f64) * factor);
        write_record(&records, &r).unwrap();
        clean.insert(id.clone(), r.clean_per_iteration());
    }
    let manifest = RunManifest {
        schema: 1,
        started_at: "2025-01-01T00:00:00Z".to_owned(),
        finished_at: "2025-01-01T00:01:00Z".to_owned(),
        ids: ids(),
        declared: ids(),
        filtered: false,
        in_progress: false,
        fingerprint: None,
    };
    write_manifest(&records, &manifest).unwrap();
    clean
}

fn perfgate(work: &Path, run: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_perfgate"));
    cmd.current_dir(work)
        .args(args)
        .env_remove("PERFGATE_CONFIG")
        .env("PERFGATE_RECORDS_DIR", format!("{run}/records"))
        .env("NO_COLOR", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// Every regular, non-hidden file of `dir`.
fn snapshot(dir: &Path) -> Files {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Files::new();
    };
    entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
        .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
        .collect()
}

/// Problems with the baselines after a save of `run` was killed.
fn baseline_faults(
    before: &Files,
    after: &Files,
    run: &BTreeMap<String, Vec<f64>>,
) -> Vec<String> {
    let mut faults = Vec::new();
    for (path, bytes) in after {
        if before.get(path) == Some(bytes) {
            continue;
        }
        match perfgate::baseline::load_file(path) {
            Ok(b) if run.get(&b.id) == Some(&b.samples) => {}
            Ok(b) => faults.push(format!("{}: samples of neither run", b.id)),
            Err(e) => faults.push(e.to_string()),
        }
    }
    if after.len() < before.len() {
        faults.push("a baseline disappeared".to_owned());
    }
    faults
}

/// Problems with the reports after a killed `check` or `report`.
fn report_faults(before: &Files, after: &Files, reports: &Path) -> Vec<String> {
    let mut faults = Vec::new();
    let changed = |name: &str| {
        let path = reports.join(name);
        (before.get(&path) != after.get(&path))
            .then(|| after.get(&path))
            .flatten()
    };
    let results: Option<RunResults> = match after.get(&reports.join("results.json")) {
        Some(bytes) => match serde_json::from_slice(bytes) {
            Ok(r) => Some(r),
            Err(e) => {
                faults.push(format!("results.json: {e}"));
                None
            }
        },
        None => None,
    };
    if let (Some(md), Some(r)) = (changed("summary.md"), &results) {
        if md != perfgate::report::markdown(r).as_bytes() {
            faults.push("summary.md: neither the old nor this run's".to_owned());
        }
    }
    if let Some(page) = changed("index.html") {
        let page = String::from_utf8_lossy(page);
        if !(page.starts_with("<!DOCTYPE html>") && page.ends_with("</html>\n")) {
            faults.push("index.html: incomplete".to_owned());
        }
    }
    faults.extend(history_faults(before, after, reports));
    faults
}

/// The history only ever grows by whole, parsable lines.
fn history_faults(before: &Files, after: &Files, reports: &Path) -> Vec<String> {
    let path = reports.join("history.jsonl");
    let old = before.get(&path).cloned().unwrap_or_default();
    let new = after.get(&path).cloned().unwrap_or_default();
    if !new.starts_with(&old) {
        return vec!["history.jsonl: earlier lines changed".to_owned()];
    }
    let text = String::from_utf8_lossy(&new);
    let torn = text
        .lines()
        .filter(|l| serde_json::from_str::<perfgate::report::HistoryEntry>(l).is_err());
    torn.map(|l| format!("history.jsonl: torn line {l:.40}"))
        .collect()
}

/// How long a complete run of `args` takes here, to spread the kills
/// over it.
fn full_run(work: &Path, run: &str, args: &[&str]) -> Duration {
    let start = Instant::now();
    let status = perfgate(work, run, args).status().unwrap();
    assert!(status.code().is_some_and(|c| c != 2), "{args:?}: {status}");
    start.elapsed()
}

#[test]
fn runs_killed_at_random_points_never_corrupt_baselines_or_reports() {
    let work = tempfile::tempdir().unwrap();
    let work = work.path();
    std::fs::write(
        work.join("perfgate.toml"),
        "resamples = 200\nconfirm_retries = 0\n",
    )
    .unwrap();
    let runs = [write_run(work, "a", 1.0), write_run(work, "b", 1.03)];
    let commands: [&[&str]; 3] = [&["baseline", "save"], &["check"], &["report"]];
    let mut durations = Vec::new();
    for (k, args) in commands.iter().enumerate() {
        durations.push(full_run(work, ["a", "b"][k % 2], args));
    }

    let total: usize = std::env::var("PERFGATE_KILL_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(15);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let (baselines, reports) = (work.join("baselines"), work.join("reports"));
    let (mut killed, mut corrupt) = (0, Vec::new());
    for n in 0..total {
        let kind = n % 3;
        let run = rng.gen_range(0..2usize);
        let before = (snapshot(&baselines), snapshot(&reports));
        let limit = durations[kind].mul_f64(1.2);
        let delay = limit.mul_f64(rng.gen_range(0.0..1.0));
        let mut child = perfgate(work, ["a", "b"][run], commands[kind])
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_none() {
            killed += 1;
        }
        let _ = child.kill(); // SIGKILL
        child.wait().unwrap();
        let after = (snapshot(&baselines), snapshot(&reports));
        corrupt.extend(baseline_faults(&before.0, &after.0, &runs[run]));
        corrupt.extend(report_faults(&before.1, &after.1, &reports));
    }
    let leftovers = || {
        let entries = std::fs::read_dir(&baselines).unwrap();
        let names = entries.map(|e| e.unwrap().file_name());
        names
            .filter(|n| n.to_string_lossy().ends_with(".tmp"))
            .count()
    };
    let left_by_kills = leftovers();
    eprintln!(
        "kill test: {total} runs, {killed} killed before finishing, {} corruptions, \
         {left_by_kills} leftover temporary files",
        corrupt.len()
    );
    assert!(corrupt.is_empty(), "{corrupt:#?}");
    assert!(perfgate::baseline::load_dir(&baselines).unwrap().len() == BENCHMARKS);
    full_run(work, "a", &["baseline", "save"]);
    assert_eq!(leftovers(), 0, "the next save sweeps what kills left");
}
