//! Synthetic [`RunResults`] for the report tests and the browser check
//! (`examples/report_fixture.rs` includes this file).
//!
//! The samples come from a seeded generator that imitates the machines
//! perfgate runs on: a fast mode with 1% noise, and attempts that land in a
//! slow period (1.3–1.7× slower) and are retaken, up to a last attempt that
//! stays flagged. The comparison numbers (change, interval, p-value) are
//! made consistent with the samples here, not computed by the crate's
//! statistics: these fixtures test the reports, not the statistics.
#![allow(dead_code)]

use perfgate::baseline::{Fingerprint, Summary, Throughput};
use perfgate::compare::{Comparison, Interval, RunResults, Settings, Side, Verdict};
use perfgate::report::HistoryEntry;
use perfgate::sampler::{SampleRecord, SampleStatus};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The names of cases C08 and C09: not file names, not text.
pub const HOSTILE_NAMES: [&str; 9] = [
    "lookup/\"key/with/slash\"",
    "a.b{c/d",
    "Parser Test 1",
    "résumé",
    "it's fast/dummy",
    "std::map<std::string, int>::insert",
    "</script><img src=x onerror=alert(1)>",
    "ends with a backslash\\",
    "line one\nline two",
];

/// Summary of a sample set, computed plainly.
pub fn summary(samples: &[f64]) -> Summary {
    let mut v = samples.to_vec();
    v.sort_by(f64::total_cmp);
    let median = median_of_sorted(&v);
    let mut dev: Vec<f64> = v.iter().map(|x| (x - median).abs()).collect();
    dev.sort_by(f64::total_cmp);
    Summary {
        n: v.len(),
        median,
        mad: median_of_sorted(&dev),
        mean: v.iter().sum::<f64>() / v.len().max(1) as f64,
        min: v.first().copied().unwrap_or(0.0),
        max: v.last().copied().unwrap_or(0.0),
    }
}

fn median_of_sorted(v: &[f64]) -> f64 {
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// A side made of the given clean samples.
pub fn side(samples: Vec<f64>, throughput: Option<Throughput>) -> Side {
    Side {
        summary: summary(&samples),
        samples,
        throughput,
        machine_ns: None,
    }
}

/// `n` sample slots around `ns` per iteration, with contended attempts
/// retaken (up to 3 attempts) and the last one flagged.
pub fn records(
    rng: &mut ChaCha8Rng,
    ns: f64,
    n: u32,
    slow_odds: f64,
) -> Vec<SampleRecord> {
    let iterations = ((2_000_000.0 / ns).ceil() as u64).max(1);
    let mut out = Vec::new();
    for index in 0..n {
        for attempt in 0..3u32 {
            let slow = rng.gen_bool(slow_odds);
            let factor = if slow {
                rng.gen_range(1.3..1.7)
            } else {
                1.0 + rng.gen_range(0.0..0.02)
            };
            let per_iter = ns * factor;
            let status = match (slow, attempt) {
                (false, _) => SampleStatus::Clean,
                (true, 2) => SampleStatus::Flagged,
                (true, _) => SampleStatus::Retaken,
            };
            let wall_ns = (per_iter * iterations as f64) as u64;
            out.push(SampleRecord {
                index,
                attempt,
                iterations,
                wall_ns,
                cpu_ns: wall_ns,
                involuntary_switches: 0,
                delay_ns: if attempt == 0 {
                    0
                } else {
                    1_000_000 << attempt
                },
                reasons: if slow {
                    vec![perfgate::sampler::ContentionReason::UpperOutlier]
                } else {
                    vec![]
                },
                status,
                fast: false,
            });
            if status != SampleStatus::Retaken {
                break;
            }
        }
    }
    out
}

/// Clean per-iteration times of records.
pub fn clean(records: &[SampleRecord]) -> Vec<f64> {
    records
        .iter()
        .filter(|r| r.status == SampleStatus::Clean)
        .map(SampleRecord::per_iteration_ns)
        .collect()
}

/// One benchmark of the synthetic suite.
pub struct Spec {
    pub id: &'static str,
    /// Baseline per-iteration time, ns; `None` for `new`.
    pub baseline_ns: Option<f64>,
    /// Candidate / baseline; `None` for `missing`.
    pub factor: Option<f64>,
    pub verdict: Verdict,
    /// Half-width of the interval, as a fraction.
    pub half_width: f64,
    pub elements: Option<u64>,
    pub notes: &'static [&'static str],
}

/// A comparison built from a spec with seeded samples.
pub fn comparison(rng: &mut ChaCha8Rng, spec: &Spec, samples: u32) -> Comparison {
    let throughput = spec.elements.map(Throughput::Elements);
    let per = spec.elements.unwrap_or(1) as f64;
    // A new benchmark (no baseline) runs at the suite's largest case time.
    let base_ns = spec.baseline_ns.unwrap_or(310_000_000.0);
    let baseline = spec.baseline_ns.map(|ns| {
        let recs = records(rng, ns, samples, 0.0);
        side(clean(&recs).iter().map(|v| v / per).collect(), throughput)
    });
    let recs = spec
        .factor
        .map(|f| records(rng, base_ns * f, samples, 0.3))
        .unwrap_or_default();
    let candidate = spec
        .factor
        .map(|_| side(clean(&recs).iter().map(|v| v / per).collect(), throughput));
    let change = match (&baseline, &candidate) {
        (Some(b), Some(c)) => Some(c.summary.median / b.summary.median - 1.0),
        _ => None,
    };
    let interval = change.map(|x| Interval {
        lo: x - spec.half_width,
        hi: x + spec.half_width,
        level: 0.95,
    });
    let p_value = change.map(|x| (0.9 - x.abs() * 8.0).clamp(0.0002, 0.9));
    Comparison {
        id: spec.id.to_string(),
        renamed_from: None,
        verdict: spec.verdict,
        baseline,
        candidate,
        change,
        interval,
        p_value,
        threshold: 0.05,
        retakes: recs.iter().filter(|r| r.attempt > 0).count(),
        flagged: recs
            .iter()
            .filter(|r| r.status == SampleStatus::Flagged)
            .count(),
        confirmations: u32::from(spec.verdict == Verdict::Regressed),
        notes: spec.notes.iter().map(|s| s.to_string()).collect(),
        neighbour_load: None,
        machine_change: None,
        records: recs,
    }
}

/// Run-level fields around a set of comparisons.
pub fn run(mut comparisons: Vec<Comparison>, exit_status: i32) -> RunResults {
    comparisons.sort_by(|a, b| a.id.cmp(&b.id));
    RunResults {
        schema: 1,
        perfgate_version: "0.1.0".to_string(),
        created_at: "2026-12-03T18:00:00Z".to_string(),
        git_commit: Some("0123456789abcdef0123456789abcdef01234567".to_string()),
        machine: Fingerprint {
            cpu_model: "AMD EPYC 7B13".to_string(),
            logical_cores: 2,
            os: "linux".to_string(),
            arch: "x86_64".to_string(),
            kernel: "6.1.0".to_string(),
            rustc: "rustc 1.89.0".to_string(),
            profile: "bench".to_string(),
        },
        warnings: vec![],
        settings: Settings {
            default_threshold: 0.05,
            alpha: 0.01,
            confidence: 0.95,
            resamples: 10_000,
            seed: 42,
            min_samples: 10,
            statistic: "median".to_string(),
            max_interval_width: 2.0,
            adjust_for_machine: true,
            max_machine_change: 0.10,
        },
        comparisons,
        exit_status,
        machine_canary: None,
    }
}

/// The routing suite: ten benchmarks, `halo/large_dag` regressed, one
/// improved, one inconclusive, one new, one missing, the rest passing.
pub fn suite(samples: u32) -> RunResults {
    let specs = [
        Spec {
            id: "halo/medium_dag",
            baseline_ns: Some(9_800.0),
            factor: Some(1.01),
            verdict: Verdict::Pass,
            half_width: 0.012,
            elements: None,
            notes: &[],
        },
        Spec {
            id: "halo/large_dag",
            baseline_ns: Some(41_000.0),
            factor: Some(1.14),
            verdict: Verdict::Regressed,
            half_width: 0.015,
            elements: None,
            notes: &["regression confirmed by re-measuring after a backoff"],
        },
        Spec {
            id: "halo/rule_matching",
            baseline_ns: Some(3_100.0),
            factor: Some(0.88),
            verdict: Verdict::Improved,
            half_width: 0.01,
            elements: None,
            notes: &[],
        },
        Spec {
            id: "halo/per_task",
            baseline_ns: Some(17_500.0),
            factor: Some(1.02),
            verdict: Verdict::Pass,
            half_width: 0.015,
            elements: Some(100),
            notes: &[],
        },
        Spec {
            id: "halo/dynamic_rule_addition",
            baseline_ns: Some(820.0),
            factor: Some(1.06),
            verdict: Verdict::Inconclusive,
            half_width: 0.07,
            elements: None,
            notes: &["interval too wide to decide against the 5.0% threshold"],
        },
        Spec {
            id: "halo/waves/1k",
            baseline_ns: Some(180_000.0),
            factor: Some(0.99),
            verdict: Verdict::Pass,
            half_width: 0.01,
            elements: Some(1_000),
            notes: &[],
        },
        Spec {
            id: "halo/waves/10k",
            baseline_ns: Some(2_100_000.0),
            factor: Some(1.03),
            verdict: Verdict::Pass,
            half_width: 0.02,
            elements: Some(10_000),
            notes: &[],
        },
        Spec {
            id: "halo/waves/100k",
            baseline_ns: Some(25_000_000.0),
            factor: Some(1.0),
            verdict: Verdict::Pass,
            half_width: 0.015,
            elements: Some(100_000),
            notes: &[],
        },
        Spec {
            id: "halo/waves/1m",
            baseline_ns: None,
            factor: Some(1.0),
            verdict: Verdict::New,
            half_width: 0.0,
            elements: Some(1_000_000),
            notes: &["no baseline: run `perfgate baseline save` to record one"],
        },
        Spec {
            id: "halo/flat_legacy",
            baseline_ns: Some(5_000.0),
            factor: None,
            verdict: Verdict::Missing,
            half_width: 0.0,
            elements: None,
            notes: &["a baseline exists but the benchmark did not run"],
        },
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let comparisons = specs
        .iter()
        .map(|s| comparison(&mut rng, s, samples))
        .collect();
    run(comparisons, 1)
}

/// Every hostile name (C08, C09) plus the zero-spread, single-sample and
/// too-few-samples cases (C03, C04).
pub fn hostile() -> RunResults {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let mut comparisons: Vec<Comparison> = HOSTILE_NAMES
        .iter()
        .map(|&id| {
            let spec = Spec {
                id,
                baseline_ns: Some(1_500.0),
                factor: Some(1.02),
                verdict: Verdict::Pass,
                half_width: 0.02,
                elements: None,
                notes: &[],
            };
            let mut c = comparison(&mut rng, &spec, 20);
            c.notes = vec![format!("note naming {id}")];
            c
        })
        .collect();
    comparisons.push(identical("c03/identical", 27.0, 27.0));
    comparisons.push(identical("c03/identical_vs_28", 27.0, 28.0));
    comparisons.push(single_sample());
    let mut results = run(comparisons, 3);
    results.warnings =
        vec!["baseline of `a.b{c/d` recorded on <another> machine".to_string()];
    results
}

/// C03: twenty samples of `base` against twenty of `cand`, zero spread on
/// both sides, no p-value.
pub fn identical(id: &str, base: f64, cand: f64) -> Comparison {
    let change = cand / base - 1.0;
    let recs: Vec<SampleRecord> = (0..20)
        .map(|index| SampleRecord {
            index,
            attempt: 0,
            iterations: 1000,
            wall_ns: (cand * 1000.0) as u64,
            cpu_ns: (cand * 1000.0) as u64,
            involuntary_switches: 0,
            delay_ns: 0,
            reasons: vec![],
            status: SampleStatus::Clean,
            fast: false,
        })
        .collect();
    Comparison {
        id: id.to_string(),
        renamed_from: None,
        verdict: Verdict::Pass,
        baseline: Some(side(vec![base; 20], None)),
        candidate: Some(side(vec![cand; 20], None)),
        change: Some(change),
        interval: Some(Interval {
            lo: change,
            hi: change,
            level: 0.95,
        }),
        p_value: None,
        threshold: 0.05,
        retakes: 0,
        flagged: 0,
        confirmations: 0,
        notes: vec![],
        neighbour_load: None,
        machine_change: None,
        records: recs,
    }
}

/// C04: one candidate sample, far larger than the baseline: too few
/// samples, inconclusive, no interval and no p-value.
pub fn single_sample() -> Comparison {
    let base: Vec<f64> = (0..10).map(|i| 9.9e9 + i as f64 * 1e6).collect();
    Comparison {
        id: "c04/one_sample".to_string(),
        renamed_from: None,
        verdict: Verdict::Inconclusive,
        baseline: Some(side(base, None)),
        candidate: Some(side(vec![3.0e10], None)),
        change: None,
        interval: None,
        p_value: None,
        threshold: 0.05,
        retakes: 0,
        flagged: 0,
        confirmations: 0,
        notes: vec!["too few samples (1 < 10)".to_string()],
        neighbour_load: None,
        machine_change: None,
        records: vec![SampleRecord {
            index: 0,
            attempt: 0,
            iterations: 1,
            wall_ns: 30_000_000_000,
            cpu_ns: 30_000_000_000,
            involuntary_switches: 0,
            delay_ns: 0,
            reasons: vec![],
            status: SampleStatus::Clean,
            fast: false,
        }],
    }
}

/// `runs` earlier gated runs of the suite: medians wandering by about 1%,
/// the same as the suite's baselines, so the last point of a trend (this
/// run) stands out when it moved.
pub fn past_history(results: &RunResults, runs: usize) -> Vec<HistoryEntry> {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    (0..runs)
        .map(|i| HistoryEntry {
            created_at: format!("2026-11-{:02}T12:00:00Z", i + 1),
            git_commit: Some(format!("{:040x}", i)),
            exit_status: 0,
            medians: results
                .comparisons
                .iter()
                .filter_map(|c| {
                    let b = c.baseline.as_ref().or(c.candidate.as_ref())?;
                    Some((c.id.clone(), b.summary.median * rng.gen_range(0.99..1.01)))
                })
                .collect(),
        })
        .collect()
}
