//! Exact contention scenarios replayed on a scripted machine: no real time
//! passes, every clock reading and sleep is known.

use std::time::Duration;

use perfgate::compare::{compare_benchmark, CompareOptions, Input};
use perfgate::sampler::fake::{FakeMachine, Step};
use perfgate::sampler::{
    Backoff, BenchRecord, ContentionReason, RetakeBudget, SampleStatus, Sampler,
    SamplerConfig,
};

const MS: u64 = 1_000_000;

fn run(machine: &FakeMachine, config: SamplerConfig, samples: u32) -> BenchRecord {
    let mut batch = machine.batch();
    Sampler::new(config, machine.clone()).measure("case", 1, samples, &mut batch)
}

/// Five quiet pilot samples of 1000 ns, then `rest`.
fn after_quiet_pilot(rest: impl IntoIterator<Item = Step>) -> FakeMachine {
    FakeMachine::new(std::iter::repeat_n(Step::quiet(1000), 5).chain(rest))
}

fn statuses(rec: &BenchRecord, index: u32) -> Vec<SampleStatus> {
    let slot = rec.samples.iter().filter(|s| s.index == index);
    slot.map(|s| s.status).collect()
}

#[test]
fn one_burst_of_contention_is_retaken_and_cleared() {
    let quiet = Step::quiet(1000);
    let machine = after_quiet_pilot([
        quiet,
        quiet,
        Step::quiet(1500),
        Step::quiet(1400),
        quiet,
        quiet,
    ]);

    let rec = run(&machine, SamplerConfig::default(), 4);

    use SampleStatus::*;
    assert_eq!(statuses(&rec, 2), [Retaken, Retaken, Clean]);
    let slot: Vec<_> = rec.samples.iter().filter(|s| s.index == 2).collect();
    assert_eq!(
        slot.iter().map(|s| s.attempt).collect::<Vec<_>>(),
        [0, 1, 2]
    );
    assert_eq!(
        slot.iter().map(|s| s.delay_ns).collect::<Vec<_>>(),
        [0, MS, 4 * MS]
    );
    assert_eq!(slot[0].reasons, [ContentionReason::UpperOutlier]);
    assert_eq!(slot[2].wall_ns, 1000);
    assert_eq!(machine.sleeps(), [MS, 4 * MS]);
    assert_eq!(rec.clean_per_iteration(), [1000.0; 4]);
    assert_eq!((rec.retakes(), rec.flagged()), (2, 0));
    // The only warning: the scripted clean samples are identical.
    assert_eq!(rec.warnings.len(), 1, "{:?}", rec.warnings);
    assert!(rec.warnings[0].contains("identical"));
}

#[test]
fn persistent_contention_exhausts_the_attempts_then_the_time_budget() {
    let machine = after_quiet_pilot([Step::waiting(2000, 1000)]);
    let config = SamplerConfig::default();

    let rec = run(&machine, config.clone(), 20);

    // Every slot ends flagged; none is clean.
    assert_eq!(rec.flagged(), 20);
    assert!(rec.clean_per_iteration().is_empty());
    // The first slot used all 8 attempts.
    assert_eq!(statuses(&rec, 0).len(), 8);
    // The run stayed within the 10 s retake budget.
    let budget = config.budget.max_time.unwrap().as_nanos() as u64;
    assert!(rec.sampling.retake_time_ns <= budget);
    let slept: u64 = machine.sleeps().iter().sum();
    assert!(slept <= budget, "{slept}");
    assert!(rec.sampling.budget_exhausted);
    assert!(rec.warnings.iter().any(|w| w.contains("budget exhausted")));
    assert!(rec
        .warnings
        .iter()
        .any(|w| w.contains("20 of 20 samples flagged")));
    // Late slots are flagged at their first attempt: the budget is spent.
    assert_eq!(statuses(&rec, 19), [SampleStatus::Flagged]);
    let first = &rec.samples[0];
    assert_eq!(
        first.reasons,
        [
            ContentionReason::WallExceedsCpu,
            ContentionReason::UpperOutlier
        ]
    );
}

#[test]
fn the_retake_count_budget_bounds_the_run() {
    let machine = after_quiet_pilot([Step::quiet(5000)]);
    let config = SamplerConfig {
        budget: RetakeBudget {
            max_retakes: Some(10),
            max_time: None,
        },
        ..SamplerConfig::default()
    };

    let rec = run(&machine, config, 30);

    assert_eq!(rec.retakes(), 10);
    assert_eq!(rec.flagged(), 30);
    assert_eq!(machine.batches().len(), 5 + 30 + 10);
}

#[test]
fn backoff_grows_geometrically_up_to_its_cap() {
    let machine = after_quiet_pilot([Step::quiet(3000)]);
    let config = SamplerConfig {
        backoff: Backoff {
            initial: Duration::from_millis(10),
            factor: 3.0,
            cap: Duration::from_millis(200),
        },
        max_attempts: 6,
        ..SamplerConfig::default()
    };

    let rec = run(&machine, config, 1);

    assert_eq!(
        machine.sleeps(),
        [10 * MS, 30 * MS, 90 * MS, 200 * MS, 200 * MS]
    );
    let delays: Vec<u64> = rec.samples.iter().map(|s| s.delay_ns).collect();
    assert_eq!(delays, [0, 10 * MS, 30 * MS, 90 * MS, 200 * MS, 200 * MS]);
    assert_eq!(statuses(&rec, 0).last(), Some(&SampleStatus::Flagged));
}

#[test]
fn default_backoff_reaches_seconds_within_one_sample() {
    let machine = after_quiet_pilot([Step::quiet(3000)]);

    run(&machine, SamplerConfig::default(), 1);

    let ms: Vec<u64> = machine.sleeps().iter().map(|s| s / MS).collect();
    assert_eq!(ms, [1, 4, 16, 64, 256, 1024, 4000]);
}

/// Case C02: 958, 1000 and 1042 ns on a coarse timer (three, fourteen,
/// three of twenty), interleaved as a real run would show them.
fn timer_tick_machine() -> FakeMachine {
    let mut values = vec![1000; 20];
    for i in [2, 9, 15] {
        values[i] = 958;
    }
    for i in [5, 12, 18] {
        values[i] = 1042;
    }
    FakeMachine::cycling(values.into_iter().map(Step::quiet))
}

#[test]
fn timer_tick_samples_are_not_retaken_and_warn_about_the_resolution() {
    let machine = timer_tick_machine();

    let rec = run(&machine, SamplerConfig::default(), 20);

    assert_eq!(rec.retakes(), 0);
    assert_eq!(rec.clean_per_iteration().len(), 20);
    assert!(
        rec.warnings
            .iter()
            .any(|w| w.contains("timer's resolution")),
        "{:?}",
        rec.warnings
    );
}

#[test]
fn the_timer_resolution_warning_reaches_the_comparison_the_reports_show() {
    let rec = run(&timer_tick_machine(), SamplerConfig::default(), 20);
    let baseline = Input::new(vec![1000.0; 20]);

    let c = compare_benchmark(
        "c02",
        Some(baseline),
        Some(Input::from_record(&rec)),
        &CompareOptions::default(),
    )
    .unwrap();

    let note = c.notes.iter().find(|n| n.contains("timer's resolution"));
    assert!(
        note.is_some_and(|n| n.starts_with("sampler: ")),
        "{:?}",
        c.notes
    );
}

#[test]
fn timer_tick_samples_under_a_tight_margin_stay_within_the_retake_budget() {
    // A 1% relative floor is below one tick (4.2%): until the tick shows in
    // the reference, a 1042 sample lies above the limit and is retaken.
    let machine = timer_tick_machine();
    let mut config = SamplerConfig::default();
    config.limit_rule.min_relative_margin = 0.01;
    config.budget.max_retakes = Some(5);

    let rec = run(&machine, config, 20);

    assert!((1..=5).contains(&rec.retakes()), "{}", rec.retakes());
    assert_eq!(rec.samples.iter().filter(|s| s.attempt == 0).count(), 20);
    assert!(rec
        .warnings
        .iter()
        .any(|w| w.contains("timer's resolution")));
}

#[test]
fn identical_samples_are_all_clean_and_warn_about_the_resolution() {
    let machine = FakeMachine::new([Step::quiet(27)]);

    let rec = run(&machine, SamplerConfig::default(), 20);

    assert_eq!(rec.clean_per_iteration(), [27.0; 20]);
    assert_eq!(rec.retakes(), 0);
    assert!(rec.warnings.iter().any(|w| w.contains("identical")));
    assert!(rec.samples.iter().all(|s| !s.fast));
}

#[test]
fn os_evidence_alone_makes_a_sample_contended() {
    let machine = after_quiet_pilot([
        Step::quiet(1000).with_switches(1),
        Step::quiet(1000),
        Step::waiting(1000, 900),
        Step::quiet(1000),
    ]);

    let rec = run(&machine, SamplerConfig::default(), 2);

    let reasons: Vec<_> = rec.samples.iter().map(|s| s.reasons.clone()).collect();
    assert_eq!(
        reasons,
        [
            vec![ContentionReason::ContextSwitches],
            vec![],
            vec![ContentionReason::WallExceedsCpu],
            vec![],
        ]
    );
    assert_eq!(rec.samples[0].involuntary_switches, 1);
    assert_eq!(rec.retakes(), 2);
    assert_eq!(rec.clean_per_iteration(), [1000.0, 1000.0]);
}

#[test]
fn fast_samples_are_reported_and_never_retaken() {
    let machine = after_quiet_pilot([Step::quiet(800), Step::quiet(1000)]);

    let rec = run(&machine, SamplerConfig::default(), 2);

    assert_eq!(rec.retakes(), 0);
    assert!(rec.samples[0].fast);
    assert_eq!(rec.samples[0].status, SampleStatus::Clean);
    assert!(!rec.samples[1].fast);
}

#[test]
fn a_slow_pilot_anchor_moves_down_and_early_slow_samples_are_flagged_at_the_end() {
    let slow = std::iter::repeat_n(Step::quiet(1350), 10);
    let machine = FakeMachine::new(slow.chain([Step::quiet(1000)]));

    let rec = run(&machine, SamplerConfig::default(), 25);

    // Samples 0-4 (slow) were accepted while the pilot set the anchor...
    assert_eq!(statuses(&rec, 0), [SampleStatus::Flagged]);
    assert_eq!(rec.samples[0].reasons, [ContentionReason::UpperOutlier]);
    assert_eq!(rec.flagged(), 5);
    // ...and the final clean set is the fast mode only.
    assert_eq!(rec.clean_per_iteration(), [1000.0; 20]);
    assert_eq!(rec.sampling.limits.map(|l| l.center), Some(1000.0));
    assert!(rec.warnings.iter().any(|w| w.contains("final upper limit")));
}

#[test]
fn retakes_off_flags_contended_samples_at_once() {
    let machine = after_quiet_pilot([Step::quiet(3000), Step::quiet(1000)]);

    let rec = run(&machine, SamplerConfig::default().without_retakes(), 2);

    assert!(machine.sleeps().is_empty());
    assert_eq!(rec.retakes(), 0);
    assert_eq!(rec.flagged(), 1);
    assert!(!rec.sampling.budget_exhausted);
}

#[test]
fn iterations_are_chosen_so_a_sample_lasts_the_target_time() {
    let machine = FakeMachine::new([Step::quiet(1000)]);
    let mut sampler = Sampler::new(SamplerConfig::default(), machine.clone());

    let n = sampler.iterations_for(&mut machine.batch());

    assert_eq!(n, 2_000, "2 ms at 1 µs per iteration");
    let slow = FakeMachine::new([Step::quiet(150 * MS)]);
    let mut sampler = Sampler::new(SamplerConfig::default(), slow.clone());
    assert_eq!(sampler.iterations_for(&mut slow.batch()), 1);
}

#[test]
fn consecutive_samples_share_their_counter_readings() {
    let machine = FakeMachine::new([Step::quiet(1000)]);

    run(&machine, SamplerConfig::default(), 10);

    // 15 batches (5 pilot + 10 samples): one reading of both counters at
    // the start, then one per batch end.
    assert_eq!(machine.counter_reads(), 2 * (1 + 15));
}

#[test]
fn a_context_switch_between_samples_makes_the_later_one_contended() {
    let machine = FakeMachine::new([Step::quiet(1000)]);
    let mut batch = machine.batch();
    let mut sampler = Sampler::new(SamplerConfig::default(), machine.clone());
    sampler.pilot(1, &mut batch);
    sampler.sample(1, &mut batch);

    machine.add_switches(1);
    let outcome = sampler.sample(1, &mut batch);

    assert_eq!((outcome.status, outcome.attempts), (SampleStatus::Clean, 2));
    let rec = sampler.finish("case", None);
    assert_eq!(rec.samples[1].reasons, [ContentionReason::ContextSwitches]);
    assert_eq!(rec.samples[2].reasons, []);
}

#[test]
fn the_neighbour_load_is_the_share_of_the_other_cpu_that_others_kept_busy() {
    let machine = FakeMachine::new([Step::quiet(1000)]).with_neighbour(0.6);

    let rec = run(&machine, SamplerConfig::default(), 20);

    let load = rec
        .sampling
        .neighbour_load
        .expect("the fake tells machine time");
    assert!((load - 0.6).abs() < 1e-9, "{load}");
}

#[test]
fn a_quiet_machine_shows_no_neighbour_load_and_a_probe_without_one_none() {
    let quiet = FakeMachine::new([Step::quiet(1000)]).with_neighbour(0.0);
    let rec = run(&quiet, SamplerConfig::default(), 20);
    assert_eq!(rec.sampling.neighbour_load, Some(0.0));

    let unknown = FakeMachine::new([Step::quiet(1000)]);
    let rec = run(&unknown, SamplerConfig::default(), 20);
    assert_eq!(rec.sampling.neighbour_load, None);
}
