//! Every kind of bad input, through the real binary: the message names the
//! file or the benchmark, says what is wrong, and gives a `hint:`; the exit
//! status is 2 and nothing saved is lost.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use perfgate::names::file_name;

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

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("run"), dir.path());
    std::fs::copy(fixture("cases.toml"), dir.path().join("perfgate.toml")).unwrap();
    dir
}

fn perfgate(work: &Path) -> Command {
    let mut cmd = Command::cargo_bin("perfgate").unwrap();
    cmd.current_dir(work)
        .env_remove("PERFGATE_CONFIG")
        .env("PERFGATE_RECORDS_DIR", "pass/records")
        .env("PERFGATE_LOCK_TIMEOUT", "0.2")
        .env("NO_COLOR", "1");
    cmd
}

fn baseline(id: &str) -> String {
    format!("baselines/{}", file_name(id, "json"))
}

fn record(id: &str) -> String {
    format!("pass/records/{}", file_name(id, "json"))
}

fn write(work: &Path, rel: &str, text: &str) {
    std::fs::write(work.join(rel), text).unwrap();
}

/// Edits the JSON file `rel` in place.
fn edit(work: &Path, rel: &str, change: impl FnOnce(&mut serde_json::Value)) {
    let path = work.join(rel);
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    change(&mut doc);
    std::fs::write(&path, doc.to_string()).unwrap();
}

struct Case {
    what: &'static str,
    setup: fn(&Path),
    args: &'static [&'static str],
    /// Text the message must hold: the file or benchmark, and the fault.
    expect: Vec<String>,
}

fn cases() -> Vec<Case> {
    let kept = baseline("kept");
    vec![
        Case {
            what: "truncated baseline",
            setup: |w| write(w, &baseline("kept"), "{\"schema\": 1, \"id\": \"ke"),
            args: &["check"],
            expect: vec![kept.clone(), "truncated".into()],
        },
        Case {
            what: "empty baseline",
            setup: |w| write(w, &baseline("kept"), ""),
            args: &["check"],
            expect: vec![kept.clone(), "empty".into()],
        },
        Case {
            what: "baseline that is not text",
            setup: |w| std::fs::write(w.join(baseline("kept")), b"\x00\xff{").unwrap(),
            args: &["check"],
            expect: vec![kept.clone(), "not UTF-8".into()],
        },
        Case {
            what: "baseline above the size limit",
            setup: |w| {
                let f = std::fs::File::create(w.join(baseline("kept"))).unwrap();
                f.set_len(perfgate::files::MAX_FILE_BYTES + 1).unwrap();
            },
            args: &["check"],
            expect: vec![kept.clone(), "above the 64 MiB limit".into()],
        },
        Case {
            what: "baseline with more samples than the limit",
            setup: |w| {
                edit(w, &baseline("kept"), |b| {
                    let n = perfgate::files::MAX_SAMPLES + 1;
                    b["samples"] = serde_json::json!(vec![1.5; n]);
                })
            },
            args: &["check"],
            expect: vec![kept.clone(), "`kept`".into(), "above the limit".into()],
        },
        Case {
            what: "baseline of a future schema",
            setup: |w| edit(w, &baseline("kept"), |b| b["schema"] = 9.into()),
            args: &["check"],
            expect: vec![kept.clone(), "schema version 9".into()],
        },
        Case {
            what: "baseline holding a JSON array",
            setup: |w| write(w, &baseline("kept"), "[]"),
            args: &["check"],
            expect: vec![
                kept.clone(),
                "holds a JSON array, not a baseline".into(),
                "expected a JSON object with \"schema\"".into(),
            ],
        },
        Case {
            what: "baseline of a schema older than any supported",
            setup: |w| edit(w, &baseline("kept"), |b| b["schema"] = 0.into()),
            args: &["check"],
            expect: vec![
                kept.clone(),
                "schema version 0".into(),
                "older than any schema".into(),
                "`perfgate baseline save`".into(),
            ],
        },
        Case {
            what: "baseline with zero timings",
            setup: |w| {
                edit(w, &baseline("kept"), |b| {
                    b["samples"] = serde_json::json!([0.0])
                })
            },
            args: &["check"],
            expect: vec!["benchmark `kept`".into(), "zero, negative".into()],
        },
        Case {
            what: "baseline with a negative machine reading",
            setup: |w| edit(w, &baseline("kept"), |b| b["machine_ns"] = (-3.0).into()),
            args: &["check"],
            expect: vec![
                kept.clone(),
                "machine_ns -3 is not a time between 1 ns and 1 s".into(),
                "remove the `machine_ns` key".into(),
            ],
        },
        Case {
            what: "record with a machine reading of zero",
            setup: |w| {
                edit(w, &record("kept"), |r| {
                    r["sampling"]["machine"] =
                        serde_json::json!({"before_ns": 40.0, "after_ns": 0.0})
                })
            },
            args: &["check"],
            expect: vec![
                record("kept"),
                "after_ns 0 is not a time between 1 ns and 1 s".into(),
            ],
        },
        Case {
            what: "baseline under another benchmark's file name",
            setup: |w| edit(w, &baseline("kept"), |b| b["id"] = "other".into()),
            args: &["check"],
            expect: vec![kept.clone(), "holds benchmark `other`".into()],
        },
        Case {
            what: "corrupt record",
            setup: |w| write(w, &record("kept"), "{\"schema\": 1,"),
            args: &["check"],
            expect: vec![record("kept"), "truncated".into()],
        },
        Case {
            what: "record of a future schema",
            setup: |w| edit(w, &record("kept"), |r| r["schema"] = 7.into()),
            args: &["baseline", "save"],
            expect: vec![record("kept"), "schema version 7".into()],
        },
        Case {
            what: "record under another benchmark's file name",
            setup: |w| edit(w, &record("kept"), |r| r["id"] = "other".into()),
            args: &["check"],
            expect: vec![record("kept"), "holds benchmark `other`".into()],
        },
        Case {
            what: "record listed by the run but missing",
            setup: |w| std::fs::remove_file(w.join(record("kept"))).unwrap(),
            args: &["check"],
            expect: vec!["benchmark `kept`".into(), record("kept")],
        },
        Case {
            what: "record whose clean samples are zero",
            setup: |w| {
                edit(w, &record("fresh"), |r| {
                    for s in r["samples"].as_array_mut().unwrap() {
                        s["wall_ns"] = 0.into();
                    }
                })
            },
            args: &["baseline", "save"],
            expect: vec!["benchmark `fresh`".into(), "zero, negative".into()],
        },
        Case {
            what: "corrupt run manifest",
            setup: |w| write(w, "pass/run.json", "{\"schema\": 1, \"ids\": [\"kept\""),
            args: &["check"],
            expect: vec![
                "pass/run.json".into(),
                "truncated".into(),
                "run `cargo bench`".into(),
            ],
        },
        Case {
            what: "run that did not finish",
            setup: |w| edit(w, "pass/run.json", |m| m["in_progress"] = true.into()),
            args: &["baseline", "save"],
            expect: vec!["pass/run.json".into(), "did not finish".into()],
        },
        Case {
            what: "no records at all",
            setup: |w| std::fs::remove_dir_all(w.join("pass")).unwrap(),
            args: &["check"],
            expect: vec!["pass/records".into(), "nothing to check".into()],
        },
        Case {
            what: "saving a benchmark the run did not measure",
            setup: |_| {},
            args: &["baseline", "save", "halo/nope"],
            expect: vec!["benchmark `halo/nope`".into(), "not measured".into()],
        },
        Case {
            what: "configuration value out of range",
            setup: |w| write(w, "perfgate.toml", "alpha = 2.0\n"),
            args: &["check"],
            expect: vec!["perfgate.toml".into(), "`alpha`".into()],
        },
        Case {
            what: "configuration that is not TOML",
            setup: |w| write(w, "perfgate.toml", "threshold = = 1\n"),
            args: &["check"],
            expect: vec!["perfgate.toml".into(), "not a valid configuration".into()],
        },
        Case {
            what: "configuration path that is a directory",
            setup: |w| std::fs::create_dir(w.join("conf.d")).unwrap(),
            args: &["--config", "conf.d", "check"],
            expect: vec!["conf.d".into(), "reading failed".into()],
        },
        Case {
            what: "corrupt results.json for report",
            setup: |w| {
                std::fs::create_dir_all(w.join("reports")).unwrap();
                write(w, "reports/results.json", "{\"schema\": ");
            },
            args: &["report"],
            expect: vec!["reports/results.json".into(), "truncated".into()],
        },
        Case {
            what: "results.json with more benchmarks than the limit",
            setup: |w| {
                assert!(perfgate(w).arg("check").output().unwrap().status.success());
                edit(w, "reports/results.json", |r| {
                    let one = r["comparisons"][0].clone();
                    let n = perfgate::files::MAX_BENCHMARKS + 1;
                    r["comparisons"] = serde_json::Value::Array(vec![one; n]);
                });
            },
            args: &["report"],
            expect: vec!["reports/results.json".into(), "above the limit".into()],
        },
        Case {
            what: "records locked by another run",
            setup: |w| {
                write(w, "pass/lock", "pid 4242 (cargo bench) since now\n");
                let f = std::fs::File::open(w.join("pass/lock")).unwrap();
                f.lock().unwrap();
                // Held until the test process ends.
                std::mem::forget(f);
            },
            args: &["check"],
            expect: vec!["pass/lock".into(), "pid 4242 (cargo bench)".into()],
        },
    ]
}

#[test]
fn every_input_error_names_its_file_or_benchmark_and_gives_a_hint() {
    for case in cases() {
        let work = workspace();
        (case.setup)(work.path());
        let before = std::fs::read_dir(work.path().join("baselines"))
            .unwrap()
            .filter_map(|e| {
                let p = e.unwrap().path();
                std::fs::read(&p).ok().map(|b| (p, b))
            })
            .collect::<Vec<_>>();
        let out = perfgate(work.path()).args(case.args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {stderr}", case.what);
        for text in &case.expect {
            assert!(
                stderr.contains(text.as_str()),
                "{}: no `{text}` in {stderr}",
                case.what
            );
        }
        assert!(
            stderr.contains("hint:"),
            "{}: no hint in {stderr}",
            case.what
        );
        assert!(!stderr.contains("panicked"), "{}: {stderr}", case.what);
        for (path, bytes) in before {
            assert_eq!(
                std::fs::read(&path).ok(),
                Some(bytes),
                "{}: changed",
                case.what
            );
        }
    }
}

#[test]
fn a_baseline_starting_with_a_byte_order_mark_is_read_as_if_it_had_none() {
    let work = workspace();
    let path = work.path().join(baseline("kept"));
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("\u{feff}{text}")).unwrap();
    let out = perfgate(work.path()).arg("check").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("kept-"), "{stderr}");
    assert_ne!(out.status.code(), Some(2), "{stderr}");
}

#[test]
fn an_unknown_configuration_key_is_a_warning_naming_it_and_the_run_goes_on() {
    let work = workspace();
    let text = std::fs::read_to_string(work.path().join("perfgate.toml")).unwrap();
    write(
        work.path(),
        "perfgate.toml",
        &format!("treshold = 0.1\n{text}"),
    );
    let out = perfgate(work.path()).arg("check").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("perfgate.toml: unknown key `treshold`"),
        "{stderr}"
    );
}

#[test]
fn a_benchmark_id_of_ten_thousand_characters_is_saved_checked_and_reported() {
    let work = workspace();
    let id = format!("long/{}", "é".repeat(9_995));
    assert_eq!(id.chars().count(), 10_000);
    let mut rec: perfgate::sampler::BenchRecord = serde_json::from_str(
        &std::fs::read_to_string(work.path().join(record("kept"))).unwrap(),
    )
    .unwrap();
    rec.id = id.clone();
    let records = work.path().join("pass/records");
    perfgate::sampler::write_record(&records, &rec).unwrap();
    edit(work.path(), "pass/run.json", |m| {
        m["ids"].as_array_mut().unwrap().push(id.clone().into());
    });
    for args in [&["baseline", "save"][..], &["check"], &["report"]] {
        let out = perfgate(work.path()).args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
    }
    let saved = perfgate::baseline::load(&work.path().join("baselines"), &id)
        .unwrap()
        .unwrap();
    assert_eq!(saved.id, id);
    let page = std::fs::read_to_string(work.path().join("reports/index.html")).unwrap();
    assert!(page.contains(&id));
}
