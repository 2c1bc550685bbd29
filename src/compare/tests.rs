//! Behaviour of [`super::compare_benchmark`], including the field cases
//! C03, C04, C05, C12 and C14 at the level of one benchmark. Unless a test
//! says otherwise it uses the defaults: threshold 5%, alpha 0.05,
//! 95% interval, 10 000 resamples, at least 8 clean samples per side.

use proptest::prelude::*;

use super::{compare_benchmark, CompareOptions, Comparison, Input, Verdict};
use crate::baseline::Throughput;
use crate::sampler::{SampleRecord, SampleStatus};
use crate::Error;

/// `n` samples around `center`, spread ±2.5% in a fixed pattern.
fn noisy(center: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| center * (1.0 + 0.005 * ((i * 7 % 11) as f64 - 5.0)))
        .collect()
}

fn compare(baseline: Vec<f64>, candidate: Vec<f64>) -> Comparison {
    compare_benchmark(
        "bench",
        Some(Input::new(baseline)),
        Some(Input::new(candidate)),
        &CompareOptions::default(),
    )
    .unwrap()
}

fn error_text(baseline: Vec<f64>, candidate: Vec<f64>) -> String {
    let err = compare_benchmark(
        "halo/large_dag",
        Some(Input::new(baseline)),
        Some(Input::new(candidate)),
        &CompareOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Benchmark { ref id, .. } if id == "halo/large_dag"));
    assert_eq!(err.exit_status(), 2);
    err.to_string()
}

fn has_note(c: &Comparison, words: &str) -> bool {
    c.notes.iter().any(|n| n.contains(words))
}

/// Every float a comparison carries.
fn numbers(c: &Comparison) -> Vec<f64> {
    let mut v = vec![c.threshold];
    v.extend(c.change);
    v.extend(c.p_value);
    v.extend(c.interval.iter().flat_map(|i| [i.lo, i.hi, i.level]));
    for side in c.baseline.iter().chain(c.candidate.iter()) {
        let s = &side.summary;
        v.extend([s.median, s.mad, s.mean, s.min, s.max]);
        v.extend(&side.samples);
    }
    v
}

// Case C03: twenty samples of 27 on both sides.
#[test]
fn identical_constant_samples_pass_with_zero_change_and_no_p_value() {
    let c = compare(vec![27.0; 20], vec![27.0; 20]);
    assert_eq!(c.verdict, Verdict::Pass);
    assert_eq!(c.change, Some(0.0));
    assert_eq!(c.p_value, None);
    assert!(
        has_note(&c, "not applicable (zero spread)"),
        "{:?}",
        c.notes
    );
    let i = c.interval.unwrap();
    assert_eq!((i.lo, i.hi), (0.0, 0.0));
    assert!(numbers(&c).iter().all(|x| x.is_finite()));
}

// Case C03, variant: candidate twenty samples of 28.
#[test]
fn constant_samples_one_nanosecond_slower_pass_below_the_threshold() {
    let c = compare(vec![27.0; 20], vec![28.0; 20]);
    assert_eq!(c.verdict, Verdict::Pass);
    let change = c.change.unwrap();
    assert_eq!(change, 28.0 / 27.0 - 1.0);
    assert_eq!(super::verdict::pct(change), "+3.70%");
    assert!(c.p_value.unwrap() < 1e-9);
    assert!(numbers(&c).iter().all(|x| x.is_finite()));
}

// Case C04: two huge candidate samples against ten baseline samples.
#[test]
fn two_candidate_samples_are_inconclusive_for_too_few_samples() {
    let baseline = noisy(9_900_000_000.0, 10);
    let c = compare(
        baseline.clone(),
        vec![30_000_000_000.0, 30_000_000_000.000001],
    );
    assert_eq!(c.verdict, Verdict::Inconclusive);
    assert!(
        has_note(&c, "too few samples (2 < 8) in the candidate"),
        "{:?}",
        c.notes
    );
    assert_eq!(c.p_value, None);

    // Faster, but still too few: never `improved`.
    let c = compare(baseline, vec![1e9, 1e9]);
    assert_eq!(c.verdict, Verdict::Inconclusive);
    assert!(c.change.unwrap() < -0.5);
}

// Case C04, variant: 200 samples of 1e17 ns.
#[test]
fn huge_identical_samples_have_an_exact_mean_and_no_change() {
    let c = compare(vec![1e17; 200], vec![1e17; 200]);
    assert_eq!(c.candidate.unwrap().summary.mean, 1e17);
    assert_eq!(c.change, Some(0.0));
    assert_eq!(c.verdict, Verdict::Pass);
}

// Case C05: one hundred candidate samples of 0 against a baseline of 120.
#[test]
fn all_zero_candidate_is_an_error_naming_the_benchmark() {
    let text = error_text(noisy(120.0, 20), vec![0.0; 100]);
    assert!(text.contains("zero or negative timings"), "{text}");
    assert!(text.contains("100 of 100 candidate samples"), "{text}");
    assert!(!text.contains("NaN"));
}

// Case C05: candidate -3, 12, 11.
#[test]
fn negative_candidate_timings_are_an_error() {
    let text = error_text(noisy(120.0, 20), vec![-3.0, 12.0, 11.0]);
    assert!(text.contains("zero or negative timings: 1 of 3"), "{text}");
}

// Case C05: baseline median 0 against a candidate of 50.
#[test]
fn zero_baseline_median_is_an_error_naming_the_benchmark() {
    let text = error_text(vec![0.0; 20], noisy(50.0, 20));
    assert!(
        text.contains("percent change undefined for a zero baseline"),
        "{text}"
    );
    assert!(text.contains("perfgate baseline save"), "{text}");
}

#[test]
fn non_finite_timings_are_an_error_on_either_side() {
    let text = error_text(noisy(10.0, 20), vec![1.0, f64::NAN, f64::INFINITY]);
    assert!(
        text.contains("2 of 3 candidate samples are NaN or infinite"),
        "{text}"
    );
    let text = error_text(vec![f64::NEG_INFINITY, 3.0], noisy(10.0, 20));
    assert!(text.contains("baseline"), "{text}");
}

#[test]
fn zero_declared_throughput_is_an_error() {
    let err = compare_benchmark(
        "per_task",
        Some(Input::new(noisy(100.0, 20)).with_throughput(Some(Throughput::Elements(0)))),
        Some(Input::new(noisy(100.0, 20)).with_throughput(Some(Throughput::Elements(1)))),
        &CompareOptions::default(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("throughput of 0 elements"),
        "{err}"
    );
}

// Case C12: 1 element at 100 ns against 2 elements at 180 ns.
#[test]
fn doubled_throughput_is_compared_per_element_and_noted() {
    let c = compare_benchmark(
        "per_task",
        Some(Input::new(noisy(100.0, 30)).with_throughput(Some(Throughput::Elements(1)))),
        Some(Input::new(noisy(180.0, 30)).with_throughput(Some(Throughput::Elements(2)))),
        &CompareOptions::default(),
    )
    .unwrap();
    assert!((c.change.unwrap() + 0.10).abs() < 1e-12, "{:?}", c.change);
    assert_eq!(c.verdict, Verdict::Improved);
    assert!(
        has_note(
            &c,
            "throughput changed: 1 element → 2 elements per iteration"
        ),
        "{:?}",
        c.notes
    );
    assert_eq!(c.candidate.unwrap().summary.median, 90.0);
}

#[test]
fn throughputs_of_different_kinds_are_inconclusive_and_noted() {
    let c = compare_benchmark(
        "parse",
        Some(Input::new(noisy(100.0, 30)).with_throughput(Some(Throughput::Elements(1)))),
        Some(Input::new(noisy(300.0, 30)).with_throughput(Some(Throughput::Bytes(64)))),
        &CompareOptions::default(),
    )
    .unwrap();
    assert_eq!(c.verdict, Verdict::Inconclusive);
    assert!(has_note(
        &c,
        "1 element → 64 bytes per iteration; not comparable"
    ));
}

#[test]
fn throughput_on_one_side_only_is_compared_per_iteration_and_noted() {
    let c = compare_benchmark(
        "per_task",
        Some(Input::new(noisy(100.0, 30))),
        Some(Input::new(noisy(100.0, 30)).with_throughput(Some(Throughput::Elements(4)))),
        &CompareOptions::default(),
    )
    .unwrap();
    assert_eq!(c.change, Some(0.0));
    assert!(has_note(&c, "declared by the candidate only"));
}

// Case C14: the whole sample set moves by +50%. Reference p-value: SciPy
// 1.17.1, mannwhitneyu(candidate, baseline) -> 0.004139002236262862.
#[test]
fn whole_sample_set_fifty_percent_slower_regresses() {
    let baseline = vec![100.0, 101.0, 99.0, 100.0, 102.0, 100.0, 101.0, 99.0];
    let candidate = vec![100.0, 150.0, 151.0, 149.0, 152.0, 150.0, 151.0, 149.0];
    let c = compare(baseline, candidate);
    assert_eq!(c.change, Some(0.5));
    assert!((c.p_value.unwrap() - 0.004139002236262862).abs() < 1e-12);
    assert!(c.interval.unwrap().lo > 0.0);
    assert_eq!(c.verdict, Verdict::Regressed);
    assert!(has_note(&c, "slower by +50.00%"), "{:?}", c.notes);
}

// Case C14, variant: medians 1.8 ns -> 2.2 ns.
#[test]
fn sub_nanosecond_medians_change_in_floating_point() {
    let c = compare(noisy(1.8, 20), noisy(2.2, 20));
    assert!((c.change.unwrap() - (2.2 / 1.8 - 1.0)).abs() < 1e-12);
    assert_eq!(super::verdict::pct(c.change.unwrap()), "+22.22%");
    assert_eq!(c.verdict, Verdict::Regressed);
}

#[test]
fn small_significant_change_within_the_threshold_passes() {
    let c = compare(noisy(100.0, 40), noisy(102.0, 40));
    assert!(c.p_value.unwrap() < 0.05);
    assert!((c.change.unwrap() - 0.02).abs() < 1e-12);
    assert_eq!(c.verdict, Verdict::Pass);
}

#[test]
fn candidate_drifting_across_the_threshold_is_inconclusive() {
    // From the baseline's level at the start to 29% slower at the end.
    let candidate: Vec<f64> = (0..30).map(|i| 100.0 + f64::from(i)).collect();
    let c = compare(noisy(100.0, 30), candidate);
    assert_eq!(c.verdict, Verdict::Inconclusive);
    assert!(
        has_note(&c, "the candidate drifts within its run"),
        "{:?}",
        c.notes
    );
}

#[test]
fn candidate_drifting_wholly_beyond_the_threshold_is_still_regressed() {
    // Already 10% slower at its start, 30% at its end: either end alone
    // is a regression.
    let candidate: Vec<f64> = (0..30).map(|i| 106.0 + f64::from(i)).collect();
    let c = compare(noisy(100.0, 30), candidate);
    assert_eq!(c.verdict, Verdict::Regressed, "{:?}", c.notes);
    assert!(has_note(&c, "the candidate drifts within its run"));
    assert!(has_note(&c, "does not change the verdict"), "{:?}", c.notes);
}

#[test]
fn drift_note_gives_the_medians_in_time_units_not_raw_floats() {
    let candidate: Vec<f64> = (0..30)
        .map(|i| 1000.0 + 20.0 * f64::from(i) / 3.0)
        .collect();
    let c = compare(noisy(1000.0, 30), candidate);
    let note = c.notes.iter().find(|n| n.contains("drifts")).unwrap();
    assert!(note.contains(" µs, of the last 10 "), "{note}");
    assert!(!note.contains(".666"), "{note}");
}

#[test]
fn wide_interval_straddling_the_threshold_is_inconclusive() {
    // Bimodal sides: the median jumps between the modes under resampling.
    let mut baseline = vec![60.0, 61.0, 62.0, 63.0, 64.0];
    baseline.extend([140.0, 141.0, 142.0, 143.0, 144.0, 145.0]);
    let mut candidate = vec![60.5, 61.5, 62.5, 63.5, 64.5, 65.5];
    candidate.extend([140.5, 141.5, 142.5, 143.5, 144.5]);
    let c = compare(baseline, candidate);
    let i = c.interval.unwrap();
    assert!(i.lo < -0.05 && 0.05 < i.hi, "{i:?}");
    assert_eq!(c.verdict, Verdict::Inconclusive);
    assert!(has_note(&c, "interval too wide"), "{:?}", c.notes);
}

#[test]
fn no_baseline_is_new_and_no_candidate_is_missing() {
    let opts = CompareOptions::default();
    let new =
        compare_benchmark("b", None, Some(Input::new(noisy(5.0, 3))), &opts).unwrap();
    assert_eq!(new.verdict, Verdict::New);
    assert!(new.baseline.is_none() && new.change.is_none());
    assert_eq!(new.candidate.unwrap().summary.n, 3);

    let missing =
        compare_benchmark("b", Some(Input::new(noisy(5.0, 9))), None, &opts).unwrap();
    assert_eq!(missing.verdict, Verdict::Missing);
    assert!(missing.candidate.is_none());

    let neither = compare_benchmark("b", None, None, &opts).unwrap_err();
    assert!(neither
        .to_string()
        .contains("neither a baseline nor a candidate"));
}

#[test]
fn candidate_retakes_and_records_are_carried_into_the_comparison() {
    let record = SampleRecord {
        index: 0,
        attempt: 1,
        iterations: 10,
        wall_ns: 1000,
        cpu_ns: 1000,
        involuntary_switches: 0,
        delay_ns: 5,
        reasons: Vec::new(),
        status: SampleStatus::Clean,
        fast: false,
    };
    let candidate = Input {
        records: vec![record.clone()],
        retakes: 3,
        flagged: 1,
        ..Input::new(noisy(100.0, 10))
    };
    let c = compare_benchmark(
        "b",
        Some(Input::new(noisy(100.0, 10))),
        Some(candidate),
        &CompareOptions::default(),
    )
    .unwrap();
    assert_eq!((c.retakes, c.flagged, c.confirmations), (3, 1, 0));
    assert_eq!(c.records, vec![record]);
}

#[test]
fn same_seed_gives_the_same_comparison_and_another_seed_another_interval() {
    // Few resamples, so that two seeds' intervals differ visibly.
    let run = |seed| {
        let opts = CompareOptions {
            seed,
            resamples: 300,
            ..Default::default()
        };
        let spread = |c: f64, n: u32| -> Vec<f64> {
            (0..n)
                .map(|i| c + f64::from(i * i * 13 % 97) * 0.05)
                .collect()
        };
        let b = Input::new(spread(100.0, 25));
        let k = Input::new(spread(104.0, 23));
        compare_benchmark("b", Some(b), Some(k), &opts).unwrap()
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7).interval, run(8).interval);
}

#[test]
fn bad_options_are_a_usage_error_not_a_verdict() {
    let opts = CompareOptions {
        resamples: 0,
        ..Default::default()
    };
    let err =
        compare_benchmark("b", Some(Input::new(vec![1.0])), None, &opts).unwrap_err();
    assert!(matches!(err, Error::Usage { .. }));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn no_comparison_holds_nan_or_infinity(
        b in prop::collection::vec(1e-3f64..1e12, 1..30),
        k in prop::collection::vec(1e-3f64..1e12, 1..30),
        seed in any::<u64>(),
    ) {
        let opts = CompareOptions { resamples: 200, seed, ..Default::default() };
        let c = compare_benchmark("p", Some(Input::new(b)), Some(Input::new(k)), &opts)
            .unwrap();
        prop_assert!(numbers(&c).iter().all(|x| x.is_finite()), "{c:?}");
        prop_assert!(c.verdict != Verdict::Regressed || c.change.unwrap() > opts.threshold);
        prop_assert!(c.verdict != Verdict::Improved || c.change.unwrap() < -opts.threshold);
    }
}

/// A candidate 50% slower than its baseline, measured while other
/// processes kept `load` of the other CPUs busy.
fn slower_beside_a_neighbour(load: Option<f64>) -> Comparison {
    let candidate = Input {
        neighbour_load: load,
        ..Input::new(noisy(150.0, 20))
    };
    let baseline = Some(Input::new(noisy(100.0, 20)));
    compare_benchmark("b", baseline, Some(candidate), &CompareOptions::default()).unwrap()
}

#[test]
fn a_slowdown_measured_beside_a_busy_neighbour_is_inconclusive_never_regressed() {
    let c = slower_beside_a_neighbour(Some(0.8));
    assert_eq!(c.verdict, Verdict::Inconclusive);
    assert!(has_note(&c, "not judged regressed"), "{:?}", c.notes);
    assert!(has_note(&c, "80% of the other CPUs"), "{:?}", c.notes);
    assert_eq!(c.neighbour_load, Some(0.8));
}

#[test]
fn a_slowdown_on_a_quiet_machine_or_without_a_load_reading_is_regressed() {
    for load in [Some(0.02), Some(0.3), None] {
        let c = slower_beside_a_neighbour(load);
        assert_eq!(c.verdict, Verdict::Regressed, "load {load:?}");
        assert!(!has_note(&c, "other CPUs"), "{:?}", c.notes);
    }
}

#[test]
fn a_busy_neighbour_is_noted_beside_any_other_verdict() {
    let candidate = Input {
        neighbour_load: Some(0.9),
        ..Input::new(noisy(100.0, 20))
    };
    let baseline = Some(Input::new(noisy(100.0, 20)));
    let c = compare_benchmark("b", baseline, Some(candidate), &CompareOptions::default())
        .unwrap();
    assert_eq!(c.verdict, Verdict::Pass);
    assert!(has_note(&c, "90% of the other CPUs busy"), "{:?}", c.notes);
}

#[test]
fn a_clear_slowdown_needs_its_whole_interval_above_zero_and_enough_samples() {
    let clear = compare(noisy(100.0, 20), noisy(120.0, 20));
    assert!(
        clear.clear_slowdown().is_some_and(|c| c > 0.15),
        "{clear:?}"
    );

    let few = compare(noisy(100.0, 20), vec![120.0, 120.0]);
    assert_eq!(few.clear_slowdown(), None, "too few samples is no evidence");

    let spread: Vec<f64> = (0..30)
        .map(|i| 100.0 * (0.5 + (i * 37 % 30) as f64 / 29.0))
        .collect();
    let noisy_slower: Vec<f64> = spread.iter().map(|x| x * 1.08).collect();
    let wide = compare(spread, noisy_slower);
    assert!(
        wide.change.is_some_and(|c| c > 0.05)
            && wide.interval.is_some_and(|i| i.lo <= 0.0),
        "a slowdown beyond the threshold whose interval reaches zero: {wide:?}"
    );
    assert_eq!(
        wide.clear_slowdown(),
        None,
        "an interval reaching zero is no evidence"
    );
}

/// An input of `samples` measured while the machine canary read `machine`
/// ns per iteration.
fn read_at(samples: Vec<f64>, machine: Option<f64>) -> Input {
    Input {
        machine_ns: machine,
        ..Input::new(samples)
    }
}

fn compare_read(baseline: Input, candidate: Input, opts: &CompareOptions) -> Comparison {
    compare_benchmark("halo/large_dag", Some(baseline), Some(candidate), opts).unwrap()
}

#[test]
fn a_machine_eight_percent_slower_does_not_make_unchanged_code_regress() {
    let opts = CompareOptions::default();
    let c = compare_read(
        read_at(noisy(100.0, 30), Some(50.0)),
        read_at(noisy(108.0, 30), Some(54.0)),
        &opts,
    );
    assert_eq!(c.verdict, Verdict::Pass, "{:?}", c.notes);
    assert!(c.change.unwrap().abs() < 1e-9, "{:?}", c.change);
    assert!((c.machine_change.unwrap() - 0.08).abs() < 1e-9);
    assert!(has_note(&c, "machine ran 8.00% slower"), "{:?}", c.notes);
    // The candidate's samples are kept as measured.
    assert_eq!(c.candidate.as_ref().unwrap().samples, noisy(108.0, 30));
    assert_eq!(c.candidate.as_ref().unwrap().machine_ns, Some(54.0));
    assert_eq!(c.baseline.as_ref().unwrap().machine_ns, Some(50.0));

    // The same times unadjusted are a regression.
    let off = CompareOptions {
        machine_adjust: false,
        ..CompareOptions::default()
    };
    let c = compare_read(
        read_at(noisy(100.0, 30), Some(50.0)),
        read_at(noisy(108.0, 30), Some(54.0)),
        &off,
    );
    assert_eq!(c.verdict, Verdict::Regressed);
    assert_eq!(c.machine_change, None);
}

#[test]
fn a_slowdown_hidden_by_a_faster_machine_is_found() {
    // 10% slower code on a machine 8% faster: 1.10 × 0.92 ≈ 1.012 as
    // measured, well within the threshold.
    let c = compare_read(
        read_at(noisy(100.0, 30), Some(50.0)),
        read_at(noisy(101.2, 30), Some(46.0)),
        &CompareOptions::default(),
    );
    assert_eq!(c.verdict, Verdict::Regressed, "{:?}", c.notes);
    assert!((c.change.unwrap() - 0.10).abs() < 1e-9, "{:?}", c.change);
    assert!(has_note(&c, "machine ran 8.00% faster"), "{:?}", c.notes);
}

#[test]
fn without_a_reading_on_both_sides_the_times_are_compared_as_measured() {
    let opts = CompareOptions::default();
    let slower = || read_at(noisy(112.0, 30), Some(56.0));
    let c = compare_read(read_at(noisy(100.0, 30), None), slower(), &opts);
    assert_eq!(c.verdict, Verdict::Regressed);
    assert_eq!(c.machine_change, None);
    assert!(
        has_note(&c, "the baseline has no reading"),
        "the note says how to get the adjustment: {:?}",
        c.notes
    );
    let c = compare_read(
        read_at(noisy(100.0, 30), Some(50.0)),
        read_at(noisy(112.0, 30), None),
        &opts,
    );
    assert_eq!(c.verdict, Verdict::Regressed);
    assert_eq!(c.machine_change, None);
    assert!(
        has_note(&c, "the candidate has no reading"),
        "{:?}",
        c.notes
    );
    // Neither side read: nothing to say.
    let c = compare_read(
        read_at(noisy(100.0, 30), None),
        read_at(noisy(112.0, 30), None),
        &opts,
    );
    assert!(!has_note(&c, "machine"), "{:?}", c.notes);
}

#[test]
fn readings_of_exactly_the_bound_are_divided_out_and_equal_ones_say_nothing() {
    let opts = CompareOptions::default();
    let c = compare_read(
        read_at(noisy(100.0, 30), Some(1000.0)),
        read_at(noisy(110.0, 30), Some(1100.0)),
        &opts,
    );
    assert_eq!(c.verdict, Verdict::Pass, "{:?}", c.notes);
    assert!((c.machine_change.unwrap() - 0.10).abs() < 1e-9);
    let c = compare_read(
        read_at(noisy(100.0, 30), Some(1000.0)),
        read_at(noisy(100.0, 30), Some(1000.0)),
        &opts,
    );
    assert_eq!(c.machine_change, Some(0.0));
    assert!(!has_note(&c, "machine"), "{:?}", c.notes);
}

#[test]
fn an_implausible_machine_reading_is_an_error_naming_the_benchmark_and_side() {
    for (b, k, side) in [
        (Some(0.0), Some(50.0), "baseline"),
        (Some(50.0), Some(-1.0), "candidate"),
        (Some(1e-300), Some(50.0), "baseline"),
        (Some(50.0), Some(1e308), "candidate"),
        (Some(f64::NAN), None, "baseline"),
    ] {
        let err = compare_benchmark(
            "halo/large_dag",
            Some(read_at(noisy(100.0, 30), b)),
            Some(read_at(noisy(100.0, 30), k)),
            &CompareOptions::default(),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("halo/large_dag"), "{text}");
        assert!(
            text.contains(&format!("the {side}'s machine reading")),
            "{text}"
        );
        assert!(!text.contains("0000000000"), "numbers stay compact: {text}");
        assert_eq!(err.exit_status(), 2);
    }
}

// Case C14 with readings 5% apart: dividing the candidate by 1.05 moves
// its one sample tied with the baseline below it, and the U test's p
// (0.013) misses alpha 0.01 while the interval lies wholly beyond the
// threshold. Disagreeing evidence is inconclusive, never pass.
#[test]
fn c14_adjusted_is_never_a_pass_with_its_interval_beyond_the_threshold() {
    let opts = CompareOptions {
        alpha: 0.01,
        confidence: 0.99,
        ..CompareOptions::default()
    };
    let base = vec![100.0, 101.0, 99.0, 100.0, 102.0, 100.0, 101.0, 99.0];
    let cand = vec![100.0, 150.0, 151.0, 149.0, 152.0, 150.0, 151.0, 149.0];
    let c = compare_read(
        read_at(base, Some(1000.0)),
        read_at(cand, Some(1050.0)),
        &opts,
    );
    assert_ne!(c.verdict, Verdict::Pass, "{:?}", c.notes);
    if c.verdict == Verdict::Inconclusive {
        assert!(has_note(&c, "not significant"), "{:?}", c.notes);
    }
}

#[test]
fn a_machine_reading_far_off_is_not_divided_out_and_a_slowdown_on_it_is_inconclusive() {
    let opts = CompareOptions::default();
    // The canary read 35% slower (a burst on the other core), the routine
    // 12%: the times are compared as measured and the slowdown is doubted.
    let c = compare_read(
        read_at(noisy(100.0, 30), Some(50.0)),
        read_at(noisy(112.0, 30), Some(67.5)),
        &opts,
    );
    assert_eq!(c.verdict, Verdict::Inconclusive, "{:?}", c.notes);
    assert_eq!(c.machine_change, None);
    assert!((c.change.unwrap() - 0.12).abs() < 1e-9);
    assert!(
        has_note(&c, "beyond the 10.00% it is trusted for"),
        "{:?}",
        c.notes
    );
    assert!(has_note(&c, "not judged regressed"), "{:?}", c.notes);

    // A reading far faster is not divided out either: the slowdown stands.
    let c = compare_read(
        read_at(noisy(100.0, 30), Some(50.0)),
        read_at(noisy(112.0, 30), Some(40.0)),
        &opts,
    );
    assert_eq!(c.verdict, Verdict::Regressed, "{:?}", c.notes);
    assert_eq!(c.machine_change, None);
    assert!(has_note(&c, "20.00% faster"), "{:?}", c.notes);
}
