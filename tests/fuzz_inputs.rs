//! Fuzzing every file perfgate reads: baselines, records, the run
//! manifest, `results.json`, `history.jsonl` and `perfgate.toml`.
//!
//! Each reader gets arbitrary bytes, JSON-like token soup, and valid files
//! mutated at a random place (a value replaced by any JSON value, a key
//! removed, the text cut short). Whatever it gets, it must not panic, and
//! an error must name the file. Whatever it accepts goes on through the
//! comparison and every report renderer, which must not panic either.
//!
//! `cargo test` runs proptest's default case count; run long with
//! `PROPTEST_CASES=200000 cargo test --release --test fuzz_inputs fuzz_`.
//! Inputs that once broke something are the named tests at the end.

use std::path::Path;

use perfgate::baseline::{Baseline, Fingerprint, Summary, Throughput};
use perfgate::cli::evaluate::{self, Measured, Pair};
use perfgate::cli::{compare_cmd, output, records};
use perfgate::compare::{Input, RunResults};
use perfgate::config::Config;
use perfgate::report::{self, HistoryEntry, ReportOptions};
use perfgate::sampler::{
    BenchRecord, RunManifest, SampleRecord, SampleStatus, RECORD_SCHEMA,
};
use proptest::prelude::*;
use serde_json::{json, Value};

// ---- valid files to mutate ----------------------------------------------

fn samples(base: f64) -> Vec<f64> {
    (0..20).map(|i| base + (i % 5) as f64).collect()
}

fn valid_baseline() -> Baseline {
    let s = samples(100.0);
    Baseline {
        schema: 1,
        id: "fuzz/bench".to_owned(),
        unit: "ns_per_iteration".to_owned(),
        summary: Summary::of(&s),
        samples: s,
        iterations: 1000,
        throughput: Some(Throughput::Elements(10)),
        fingerprint: Fingerprint::default(),
        git_commit: None,
        date: "2025-01-01T00:00:00Z".to_owned(),
        perfgate_version: "0.1.0".to_owned(),
        machine_ns: None,
    }
}

fn valid_record() -> BenchRecord {
    let samples = samples(104.0)
        .iter()
        .enumerate()
        .map(|(i, per)| SampleRecord {
            index: i as u32,
            attempt: 0,
            iterations: 1000,
            wall_ns: (per * 1000.0) as u64,
            cpu_ns: (per * 1000.0) as u64,
            involuntary_switches: 0,
            delay_ns: 0,
            reasons: Vec::new(),
            status: SampleStatus::Clean,
            fast: false,
        })
        .collect();
    BenchRecord {
        schema: RECORD_SCHEMA,
        id: "fuzz/bench".to_owned(),
        throughput: Some(Throughput::Elements(10)),
        samples,
        warnings: vec!["a warning".to_owned()],
        finished_at: "2025-01-01T00:00:00Z".to_owned(),
        sampling: Default::default(),
    }
}

fn valid_manifest() -> RunManifest {
    RunManifest {
        schema: 1,
        started_at: "2025-01-01T00:00:00Z".to_owned(),
        finished_at: "2025-01-01T00:01:00Z".to_owned(),
        ids: vec!["fuzz/bench".to_owned()],
        declared: vec!["fuzz/bench".to_owned()],
        filtered: false,
        in_progress: false,
        fingerprint: Some(Fingerprint::default()),
    }
}

fn config() -> Config {
    Config {
        resamples: 200,
        ..Config::default()
    }
}

/// Judges one pair and renders every report of the result.
fn judge_and_render(
    baseline: Option<Measured>,
    candidate: Option<Measured>,
) -> RunResults {
    let config = config();
    let pair = Pair {
        id: "fuzz/bench".to_owned(),
        renamed_from: None,
        baseline,
        candidate,
    };
    let evaluation = evaluate::evaluate(&config, &[pair]);
    let status = evaluate::exit_status(&evaluation, false);
    let results =
        output::run_results(&config, &evaluation, Fingerprint::default(), status);
    render(&results);
    results
}

fn render(results: &RunResults) {
    let opts = ReportOptions {
        criterion_dir: None,
        ..ReportOptions::default()
    };
    let history = [HistoryEntry::from_results(results)];
    let page = report::html(results, &history, &opts);
    assert!(page.ends_with("</html>\n"));
    let _ = report::markdown(results);
    let _ = report::terminal_table(results, true);
    let _ = serde_json::to_string(results);
}

fn valid_results() -> Value {
    let base = Measured::from_baseline(&valid_baseline());
    let cand = Measured {
        input: Input::from_record(&valid_record()),
        fingerprint: None,
    };
    serde_json::to_value(judge_and_render(Some(base), Some(cand))).unwrap()
}

// ---- generators -----------------------------------------------------------

fn any_json() -> impl Strategy<Value = Value> {
    let numbers = prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |x| x.is_finite())
            .prop_map(Value::from),
        prop::sample::select(vec![
            json!(0),
            json!(-1),
            json!(1e308),
            json!(-1e308),
            json!(5e-324),
            json!(u64::MAX),
            json!(i64::MIN),
            json!(0.5),
            json!(4294967296u64),
        ]),
    ];
    let strings = prop_oneof![
        ".{0,12}".prop_map(Value::from),
        prop::sample::select(vec![
            "elements",
            "bytes",
            "clean",
            "flagged",
            "retaken",
            "pass",
            "regressed",
            "ns_per_iteration",
            "thread",
            "process",
            "upper_outlier",
            "",
        ])
        .prop_map(Value::from),
        (1usize..20_000).prop_map(|n| Value::from("é".repeat(n))),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        numbers,
        strings,
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// What to do to a valid document.
#[derive(Debug, Clone)]
enum Mutation {
    Replace(Vec<usize>, Value),
    Remove(Vec<usize>),
    /// Serialise, then keep this share of the text.
    Cut(f64),
}

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    let path = prop::collection::vec(any::<usize>(), 1..5);
    let one = prop_oneof![
        4 => (path.clone(), any_json()).prop_map(|(p, v)| Mutation::Replace(p, v)),
        2 => path.prop_map(Mutation::Remove),
        1 => (0.0..1.0f64).prop_map(Mutation::Cut),
    ];
    prop::collection::vec(one, 1..4)
}

/// Follows `path` (child indices, modulo each level's size) and replaces
/// or removes the node reached.
fn apply(doc: &mut Value, path: &[usize], replacement: Option<Value>) {
    let (&step, rest) = path.split_first().unwrap();
    let children = match doc {
        Value::Object(map) => map.len(),
        Value::Array(items) => items.len(),
        _ => 0,
    };
    if children == 0 {
        if let Some(v) = replacement {
            *doc = v;
        }
        return;
    }
    let i = step % children;
    let descend = !rest.is_empty();
    match doc {
        Value::Object(map) => {
            let key = map.keys().nth(i).unwrap().clone();
            match (descend, replacement) {
                (true, r) => apply(map.get_mut(&key).unwrap(), rest, r),
                (false, Some(v)) => {
                    map.insert(key, v);
                }
                (false, None) => {
                    map.remove(&key);
                }
            }
        }
        Value::Array(items) => match (descend, replacement) {
            (true, r) => apply(&mut items[i], rest, r),
            (false, Some(v)) => items[i] = v,
            (false, None) => {
                items.remove(i);
            }
        },
        _ => unreachable!(),
    }
}

/// The mutated document as file text.
fn mutate(mut doc: Value, mutations: &[Mutation]) -> String {
    let mut cut = None;
    for m in mutations {
        match m {
            Mutation::Replace(p, v) => apply(&mut doc, p, Some(v.clone())),
            Mutation::Remove(p) => apply(&mut doc, p, None),
            Mutation::Cut(share) => cut = Some(*share),
        }
    }
    let text = serde_json::to_string_pretty(&doc).unwrap();
    match cut {
        Some(share) => {
            let mut at = (text.len() as f64 * share) as usize;
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text[..at].to_owned()
        }
        None => text,
    }
}

/// Arbitrary bytes, or text from JSON's and TOML's alphabets.
fn soup() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        "[\\[\\]{}\":,=0-9a-z\\-+.eE \n\\\\]{0,400}".prop_map(String::into_bytes),
    ]
}

// ---- the readers ----------------------------------------------------------

/// An error of a reader must name the file and say what to do.
fn assert_names_file(err: &perfgate::Error, path: &Path) {
    let text = err.to_string();
    assert!(
        text.contains(&path.display().to_string()),
        "error does not name {}: {text}",
        path.display()
    );
    assert!(text.contains("hint:"), "error without a hint: {text}");
}

fn check_baseline(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fuzz_bench-0000000000000000.json");
    std::fs::write(&path, bytes).unwrap();
    match perfgate::baseline::load_file(&path) {
        Ok(b) => {
            let cand = Measured {
                input: Input::from_record(&valid_record()),
                fingerprint: None,
            };
            judge_and_render(Some(Measured::from_baseline(&b)), Some(cand));
        }
        Err(e) => assert_names_file(&e, &path),
    }
}

/// Writes a records directory with `record` and `manifest` texts and reads
/// the last run back; whatever loads is judged against a valid baseline.
fn check_last_run(record: &[u8], manifest: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let records_dir = dir.path().join("records");
    std::fs::create_dir_all(&records_dir).unwrap();
    let record_path = records_dir.join(perfgate::names::file_name("fuzz/bench", "json"));
    let manifest_path = dir.path().join("run.json");
    std::fs::write(&record_path, record).unwrap();
    std::fs::write(&manifest_path, manifest).unwrap();
    // The manifest may list any id: its record's expected path is then
    // named, inside the records directory.
    let names_a_file = |e: &perfgate::Error| {
        let text = e.to_string();
        let named = [&records_dir, &manifest_path]
            .iter()
            .any(|p| text.contains(&p.display().to_string()));
        assert!(named, "{text}");
        assert!(text.contains("hint:"), "{text}");
    };
    match records::load_last_run(&records_dir) {
        Ok(last) => {
            let machine = Fingerprint::default();
            for r in last.records.values() {
                let base = Measured::from_baseline(&valid_baseline());
                let cand = Measured::from_record(r, &machine);
                judge_and_render(Some(base), Some(cand));
            }
            for (_, e) in &last.bad {
                names_a_file(e);
            }
        }
        Err(e) => names_a_file(&e),
    }
}

fn check_results(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("results.json");
    std::fs::write(&path, bytes).unwrap();
    match compare_cmd::load_results(&path) {
        Ok(results) => {
            render(&results);
            let side = compare_cmd::load_side(&path).unwrap();
            for (_, m) in side {
                let base = Measured::from_baseline(&valid_baseline());
                judge_and_render(Some(base), Some(m));
            }
        }
        Err(e) => assert_names_file(&e, &path),
    }
}

fn check_history(bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("history.jsonl");
    std::fs::write(&path, bytes).unwrap();
    let entries = report::load_history(&path, 30).expect("bad lines are skipped");
    let results: RunResults = serde_json::from_value(valid_results()).unwrap();
    let opts = ReportOptions {
        criterion_dir: None,
        ..ReportOptions::default()
    };
    assert!(report::html(&results, &entries, &opts).ends_with("</html>\n"));
}

fn check_config(text: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("perfgate.toml");
    std::fs::write(&path, text).unwrap();
    match Config::load(&path, true) {
        Ok(loaded) => {
            let base = Measured::from_baseline(&valid_baseline());
            let pair = Pair {
                id: "fuzz/bench".to_owned(),
                renamed_from: None,
                baseline: Some(base.clone()),
                candidate: Some(base),
            };
            let mut config = loaded.config;
            config.resamples = config.resamples.min(500);
            let _ = evaluate::judge_pair(&config, &pair);
        }
        Err(e) => assert_names_file(&e, &path),
    }
}

/// `key = value` lines and tables over perfgate's keys and others.
fn toml_text() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "threshold",
        "alpha",
        "confidence",
        "resamples",
        "seed",
        "min_samples",
        "max_interval_width",
        "machine_mismatch",
        "strict",
        "confirm_retries",
        "confirm_backoff_ms",
        "baselines_dir",
        "reports_dir",
        "unknown",
        "\"q k\"",
    ]);
    let value = prop_oneof![
        any::<i64>().prop_map(|v| v.to_string()),
        any::<f64>().prop_map(|v| format!("{v:?}")),
        prop::sample::select(vec![
            "nan",
            "inf",
            "-inf",
            "0",
            "-0.0",
            "1e400",
            "true",
            "\"warn\"",
            "\"fail\"",
            "[]",
            "{}",
            "[1, \"a\"]",
            "{ a = 1 }",
            "\"\"",
            "18446744073709551615",
        ])
        .prop_map(str::to_owned),
        ".{0,8}".prop_map(|s| format!("{s:?}")),
    ];
    let line = (key, value).prop_map(|(k, v)| format!("{k} = {v}"));
    let table = prop::sample::select(vec![
        "[thresholds]",
        "[renames]",
        "[other]",
        "[[thresholds]]",
        "",
    ]);
    prop::collection::vec((table, line), 0..8).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(t, l)| format!("{t}\n{l}\n"))
            .collect()
    })
}

/// Up to four history lines, each a mutated entry or soup.
fn history_lines() -> impl Strategy<Value = Vec<(Vec<Mutation>, Vec<u8>, bool)>> {
    prop::collection::vec((mutations(), soup(), any::<bool>()), 0..4)
}

proptest! {
    #[test]
    fn fuzz_baseline_bytes(bytes in soup()) {
        check_baseline(&bytes);
    }

    #[test]
    fn fuzz_baseline_mutated(m in mutations()) {
        let doc = serde_json::to_value(valid_baseline()).unwrap();
        check_baseline(mutate(doc, &m).as_bytes());
    }

    #[test]
    fn fuzz_record_mutated(m in mutations()) {
        let doc = serde_json::to_value(valid_record()).unwrap();
        let manifest = serde_json::to_string(&valid_manifest()).unwrap();
        check_last_run(mutate(doc, &m).as_bytes(), manifest.as_bytes());
    }

    #[test]
    fn fuzz_record_bytes(bytes in soup()) {
        let manifest = serde_json::to_string(&valid_manifest()).unwrap();
        check_last_run(&bytes, manifest.as_bytes());
    }

    #[test]
    fn fuzz_manifest(m in mutations(), bytes in soup(), raw in any::<bool>()) {
        let record = serde_json::to_string(&valid_record()).unwrap();
        let doc = serde_json::to_value(valid_manifest()).unwrap();
        let manifest = if raw { bytes } else { mutate(doc, &m).into_bytes() };
        check_last_run(record.as_bytes(), &manifest);
    }

    #[test]
    fn fuzz_results_mutated(m in mutations()) {
        check_results(mutate(valid_results(), &m).as_bytes());
    }

    #[test]
    fn fuzz_results_bytes(bytes in soup()) {
        check_results(&bytes);
    }

    #[test]
    fn fuzz_history(lines in history_lines()) {
        let line = serde_json::to_value(HistoryEntry::from_results(
            &serde_json::from_value(valid_results()).unwrap(),
        ))
        .unwrap();
        let mut text = Vec::new();
        for (m, bytes, raw) in lines {
            if raw {
                text.extend(bytes);
            } else {
                text.extend(mutate(line.clone(), &m).replace('\n', " ").into_bytes());
            }
            text.push(b'\n');
        }
        check_history(&text);
    }

    #[test]
    fn fuzz_config_text(text in toml_text()) {
        check_config(text.as_bytes());
    }

    #[test]
    fn fuzz_config_bytes(bytes in soup()) {
        check_config(&bytes);
    }
}
