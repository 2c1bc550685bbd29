//! The gate that ends `cargo bench`: re-measurement of regressions, the
//! report-only and save modes, with a scripted re-measurement instead of a
//! real benchmark.

use std::path::{Path, PathBuf};

use perfgate::cli::check::{gate, GateMode, GateOptions};
use perfgate::sampler::BenchRecord;

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

/// A copy of the recorded runs in `out`: the gate takes lock files next to
/// the records and in the baselines directory, which must not land in the
/// source tree.
fn copy_runs(out: &Path) -> PathBuf {
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
    let runs = out.join("run");
    if !runs.exists() {
        copy_tree(&fixture("run"), &runs);
    }
    runs
}

/// Gate options on the recorded run `run`, with the field-case settings
/// and no backoff, writing into `out`.
fn options(run: &str, out: &Path, mode: GateMode) -> GateOptions {
    let config = out.join("perfgate.toml");
    let text = std::fs::read_to_string(fixture("cases.toml")).unwrap();
    std::fs::write(
        &config,
        format!("confirm_retries = 2\nconfirm_backoff_ms = 0\n{text}"),
    )
    .unwrap();
    GateOptions {
        config,
        records_dir: copy_runs(out).join(run).join("records"),
        baselines_dir: Some(copy_runs(out).join("baselines")),
        reports_dir: Some(out.join("reports")),
        filtered: false,
        strict: false,
        color: false,
        mode,
    }
}

fn record(run: &str, id: &str) -> BenchRecord {
    let path = fixture(&format!("run/{run}/records"))
        .join(perfgate::names::file_name(id, "json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn comparison(out: &Path, id: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("reports/results.json")).unwrap();
    let results: serde_json::Value = serde_json::from_str(&text).unwrap();
    let all = results["comparisons"].as_array().unwrap();
    all.iter().find(|c| c["id"] == id).unwrap().clone()
}

#[test]
fn a_regression_that_vanishes_when_measured_again_passes() {
    let out = tempfile::tempdir().unwrap();
    let mut asked = Vec::new();
    let mut remeasure = |id: &str| {
        asked.push(id.to_owned());
        let mut fast = record("regressed", "kept");
        fast.id = id.to_owned();
        Ok(fast)
    };
    let status = gate(
        &options("regressed", out.path(), GateMode::Gate),
        &mut remeasure,
    );
    assert_eq!(status, 0);
    assert_eq!(asked, ["slow"]);
    let slow = comparison(out.path(), "slow");
    assert_eq!(slow["verdict"], "pass");
    assert_eq!(slow["confirmations"], 1);
}

#[test]
fn the_confirming_measurement_replaces_the_record_a_later_check_or_save_reads() {
    let out = tempfile::tempdir().unwrap();
    let mut fast = record("regressed", "kept");
    fast.id = "slow".to_owned();
    let expected = fast.clone();
    let mut remeasure = move |_: &str| Ok(fast.clone());
    let opts = options("regressed", out.path(), GateMode::Gate);

    assert_eq!(gate(&opts, &mut remeasure), 0);

    let path = opts
        .records_dir
        .join(perfgate::names::file_name("slow", "json"));
    let stored: BenchRecord =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(stored.clean_per_iteration(), expected.clean_per_iteration());
}

#[test]
fn a_regression_that_persists_fails_after_every_retry() {
    let out = tempfile::tempdir().unwrap();
    let mut calls = 0;
    let mut remeasure = |_: &str| {
        calls += 1;
        Ok(record("regressed", "slow"))
    };
    let status = gate(
        &options("regressed", out.path(), GateMode::Gate),
        &mut remeasure,
    );
    assert_eq!(status, 1);
    assert_eq!(calls, 2);
    let slow = comparison(out.path(), "slow");
    assert_eq!(slow["verdict"], "regressed");
    assert_eq!(slow["confirmations"], 2);
}

#[test]
fn a_failing_re_measurement_keeps_the_verdict_and_warns() {
    let out = tempfile::tempdir().unwrap();
    let mut remeasure =
        |_: &str| -> anyhow::Result<BenchRecord> { anyhow::bail!("no such routine") };
    let status = gate(
        &options("regressed", out.path(), GateMode::Gate),
        &mut remeasure,
    );
    assert_eq!(status, 1);
    let text = std::fs::read_to_string(out.path().join("reports/results.json")).unwrap();
    assert!(
        text.contains("re-measuring failed: no such routine"),
        "{text}"
    );
}

#[test]
fn report_only_mode_writes_reports_and_exits_zero_despite_a_regression() {
    let out = tempfile::tempdir().unwrap();
    let mut remeasure = |_: &str| Ok(record("regressed", "slow"));
    let opts = options("regressed", out.path(), GateMode::ReportOnly);
    assert_eq!(gate(&opts, &mut remeasure), 0);
    assert_eq!(comparison(out.path(), "slow")["verdict"], "regressed");
}

#[test]
fn save_mode_writes_the_runs_records_as_baselines() {
    let out = tempfile::tempdir().unwrap();
    let mut opts = options("pass", out.path(), GateMode::SaveBaselines);
    opts.baselines_dir = Some(out.path().join("baselines"));
    let mut remeasure =
        |_: &str| -> anyhow::Result<BenchRecord> { unreachable!("nothing is judged") };
    assert_eq!(gate(&opts, &mut remeasure), 0);
    let saved = perfgate::baseline::load_dir(&out.path().join("baselines")).unwrap();
    assert_eq!(saved.keys().collect::<Vec<_>>(), ["fresh", "kept"]);
    assert!(!out.path().join("reports").exists());
}

#[test]
fn a_save_measures_again_a_benchmark_left_with_too_few_clean_samples() {
    let out = tempfile::tempdir().unwrap();
    let mut opts = options("pass", out.path(), GateMode::SaveBaselines);
    opts.baselines_dir = Some(out.path().join("baselines"));
    let path = opts
        .records_dir
        .join(perfgate::names::file_name("kept", "json"));
    let mut thin: BenchRecord =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let full = thin.clone();
    for s in thin.samples.iter_mut().skip(3) {
        s.status = perfgate::sampler::SampleStatus::Flagged;
    }
    std::fs::write(&path, serde_json::to_string(&thin).unwrap()).unwrap();
    let mut asked = Vec::new();
    let mut remeasure = |id: &str| {
        asked.push(id.to_owned());
        Ok(full.clone())
    };

    assert_eq!(gate(&opts, &mut remeasure), 0);

    assert_eq!(asked, ["kept"], "only the thin record is measured again");
    let saved = perfgate::baseline::load_dir(&out.path().join("baselines")).unwrap();
    assert_eq!(saved["kept"].samples, full.clean_per_iteration());
}

/// The `regressed` run with a machine canary beside it: its baseline is
/// the `slow` benchmark's baseline and its record the `slow` record, so
/// the canary ran as much slower than its baseline as `slow` did.
fn with_slow_canary(opts: &GateOptions) {
    use perfgate::sampler::canary::CANARY_ID;
    let baselines = opts.baselines_dir.clone().unwrap();
    let rename = |from: &Path, to: &Path| {
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(from).unwrap()).unwrap();
        v["id"] = CANARY_ID.into();
        std::fs::write(to, v.to_string()).unwrap();
    };
    let file = |id: &str| perfgate::names::file_name(id, "json");
    rename(
        &baselines.join(file("slow")),
        &baselines.join(file(CANARY_ID)),
    );
    rename(
        &opts.records_dir.join(file("slow")),
        &opts.records_dir.join(file(CANARY_ID)),
    );
    let manifest = opts.records_dir.parent().unwrap().join("run.json");
    let mut run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    run["ids"].as_array_mut().unwrap().push(CANARY_ID.into());
    std::fs::write(&manifest, run.to_string()).unwrap();
}

#[test]
fn a_slowdown_while_the_machine_canary_runs_slower_too_is_inconclusive_not_regressed() {
    let out = tempfile::tempdir().unwrap();
    let opts = options("regressed", out.path(), GateMode::Gate);
    with_slow_canary(&opts);
    let mut asked = Vec::new();
    let mut remeasure = |id: &str| {
        asked.push(id.to_owned());
        let mut again = record("regressed", "slow");
        again.id = id.to_owned();
        Ok(again)
    };

    assert_eq!(gate(&opts, &mut remeasure), 3);

    assert_eq!(
        asked,
        ["perfgate/machine", "slow", "perfgate/machine", "slow"],
        "the canary is measured again before each confirmation"
    );
    let slow = comparison(out.path(), "slow");
    assert_eq!(slow["verdict"], "inconclusive");
    let notes = slow["notes"].to_string();
    assert!(notes.contains("machine canary"), "{notes}");
    let text = std::fs::read_to_string(out.path().join("reports/results.json")).unwrap();
    let results: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(results["machine_canary"]["id"], "perfgate/machine");
    let ids: Vec<_> = results["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    assert!(
        !ids.contains(&"perfgate/machine".into()),
        "never a gated benchmark"
    );
    let summary = std::fs::read_to_string(out.path().join("reports/summary.md")).unwrap();
    assert!(summary.contains("machine canary: +"), "{summary}");
}

#[test]
fn a_slowdown_while_the_machine_canary_keeps_its_speed_is_regressed() {
    let out = tempfile::tempdir().unwrap();
    let opts = options("regressed", out.path(), GateMode::Gate);
    with_slow_canary(&opts);
    let mut remeasure = |id: &str| {
        let source = if id == "slow" { "slow" } else { "kept" };
        let mut again = record("regressed", source);
        again.id = id.to_owned();
        Ok(again)
    };

    assert_eq!(gate(&opts, &mut remeasure), 1);

    assert_eq!(comparison(out.path(), "slow")["verdict"], "regressed");
}

#[test]
fn a_compare_with_the_results_of_a_run_reads_its_machine_canary_as_the_run_did() {
    let out = tempfile::tempdir().unwrap();
    let opts = options("regressed", out.path(), GateMode::Gate);
    with_slow_canary(&opts);
    let mut remeasure = |id: &str| {
        let mut again = record("regressed", "slow");
        again.id = id.to_owned();
        Ok(again)
    };
    assert_eq!(gate(&opts, &mut remeasure), 3);

    let config = perfgate::config::Config::load(&opts.config, true)
        .unwrap()
        .config;
    let status = perfgate::cli::compare_cmd::run(
        &config,
        opts.baselines_dir.as_ref().unwrap(),
        &out.path().join("reports/results.json"),
        true,
        false,
        false,
    )
    .unwrap();

    assert_eq!(status, 3, "slow stays inconclusive beside the slow canary");
}
