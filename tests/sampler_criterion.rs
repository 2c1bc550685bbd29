//! The sampler under criterion: warm-up calls are told from measurement
//! calls, exactly on a scripted machine and for real through criterion.

use std::time::Duration;

use criterion::{Criterion, SamplingMode};
use perfgate::sampler::fake::{FakeMachine, Step};
use perfgate::sampler::{
    BenchRecord, CriterionRun, Probe, SampleStatus, Sampler, SamplerConfig, Suite,
    SuiteConfig, Throughput,
};

/// Replays criterion 0.8's benchmark-mode loop (`routine.rs`): warm-up
/// doubling from 1 iteration until the summed call time exceeds
/// `warm_up`, then one call per entry of `measurement(met)`, where `met`
/// is the warm-up's mean time per iteration. Returns the durations of the
/// measurement calls.
fn drive_like_criterion(
    run: &mut CriterionRun<FakeMachine>,
    clock: &mut FakeMachine,
    batch: &mut dyn FnMut(u64),
    warm_up: Duration,
    measurement: impl Fn(f64) -> Vec<u64>,
) -> Vec<Duration> {
    let (mut spent, mut total_iters, mut iters) = (0u64, 0u64, 1u64);
    loop {
        let start = clock.now_ns();
        run.call(iters, batch);
        spent += clock.now_ns() - start;
        total_iters += iters;
        if u128::from(spent) > warm_up.as_nanos() {
            break;
        }
        iters = iters.wrapping_mul(2);
    }
    let met = spent as f64 / total_iters as f64;
    measurement(met)
        .into_iter()
        .map(|n| run.call(n, batch))
        .collect()
}

fn linear(n: u64, target_ns: f64) -> impl Fn(f64) -> Vec<u64> {
    move |met| {
        let d = (target_ns / met / (n * (n + 1) / 2) as f64).ceil().max(1.0) as u64;
        (1..=n).map(|i| i * d).collect()
    }
}

fn attempt_zero_iterations(rec: &BenchRecord) -> Vec<u64> {
    let first = rec.samples.iter().filter(|s| s.attempt == 0);
    first.map(|s| s.iterations).collect()
}

#[test]
fn warm_up_calls_are_neither_recorded_nor_retaken() {
    // Warm-up at 2000 ns per iteration with wall far above CPU time
    // (contended by OS evidence): 1+2+…+256 iterations = 1.022 ms > 1 ms,
    // so nine warm-up calls. Then a quiet 1000 ns per iteration.
    let contended = std::iter::repeat_n(Step::waiting(2000, 1000), 9);
    let machine = FakeMachine::new(contended.chain([Step::quiet(1000)]));
    let sampler = Sampler::new(SamplerConfig::default(), machine.clone());
    let warm_up = Duration::from_millis(1);
    let mut run = CriterionRun::new(sampler, warm_up, 10);
    let mut batch = machine.batch();

    let seen = drive_like_criterion(
        &mut run,
        &mut machine.clone(),
        &mut batch,
        warm_up,
        linear(10, 5e6),
    );

    assert_eq!(run.warm_up_calls(), 9);
    assert_eq!(run.measurement_calls(), 10);
    assert!(machine.sleeps().is_empty(), "no retake during warm-up");
    let rec = run.finish("g/f", None).unwrap();
    let iterations = attempt_zero_iterations(&rec);
    let d = iterations[0];
    assert_eq!(iterations, (1..=10).map(|i| i * d).collect::<Vec<_>>());
    assert_eq!(rec.sampling.pilot.len(), 5);
    assert!(rec.samples.iter().all(|s| s.status == SampleStatus::Clean));
    assert!(rec
        .warnings
        .iter()
        .all(|w| !w.contains("measurement calls")));
    let returned: Vec<u64> = seen.iter().map(|d| d.as_nanos() as u64).collect();
    let expected: Vec<u64> = iterations.iter().map(|n| n * 1000).collect();
    assert_eq!(returned, expected, "criterion sees the clean attempts");
    // Nothing else ran: warm-up, pilot and samples, no retakes.
    assert_eq!(machine.batches().len(), 9 + 5 + 10);
}

#[test]
fn a_measurement_call_continuing_the_doubling_is_still_a_measurement() {
    // Flat sampling whose iteration count happens to be the next power of
    // two after the warm-up's last call: only the time tells them apart.
    let machine = FakeMachine::new([Step::quiet(1000)]);
    let sampler = Sampler::new(SamplerConfig::default(), machine.clone());
    let warm_up = Duration::from_micros(100);
    let mut run = CriterionRun::new(sampler, warm_up, 10);
    let mut batch = machine.batch();

    // 1+2+…+64 = 127 iterations = 127 µs > 100 µs: the next would be 128.
    drive_like_criterion(&mut run, &mut machine.clone(), &mut batch, warm_up, |_| {
        vec![128; 10]
    });

    assert_eq!((run.warm_up_calls(), run.measurement_calls()), (7, 10));
    let rec = run.finish("g/f", None).unwrap();
    assert_eq!(attempt_zero_iterations(&rec), [128; 10]);
}

#[test]
fn contended_measurement_calls_are_retaken_and_criterion_gets_the_clean_one() {
    // Warm-up 1 ms at 1000 ns: 1+…+512 = 1023 µs, ten calls. Pilot five
    // quiet; the first sample is contended once.
    let steps = std::iter::repeat_n(Step::quiet(1000), 15)
        .chain([Step::quiet(1000).with_switches(2), Step::quiet(1000)]);
    let machine = FakeMachine::new(steps);
    let sampler = Sampler::new(SamplerConfig::default(), machine.clone());
    let warm_up = Duration::from_millis(1);
    let mut run = CriterionRun::new(sampler, warm_up, 10);
    let mut batch = machine.batch();

    let seen =
        drive_like_criterion(&mut run, &mut machine.clone(), &mut batch, warm_up, |_| {
            vec![100; 10]
        });

    assert_eq!(run.warm_up_calls(), 10);
    assert_eq!(seen, vec![Duration::from_micros(100); 10]);
    assert_eq!(machine.sleeps(), [1_000_000]);
    let rec = run.finish("g/f", None).unwrap();
    assert_eq!(rec.retakes(), 1);
    assert_eq!(rec.samples[0].status, SampleStatus::Retaken);
}

#[test]
fn a_run_with_no_measurement_call_records_nothing() {
    // criterion's test mode: one call of one iteration.
    let machine = FakeMachine::new([Step::quiet(1000)]);
    let sampler = Sampler::new(SamplerConfig::default(), machine.clone());
    let mut run = CriterionRun::new(sampler, Duration::from_secs(3), 100);
    run.call(1, &mut machine.batch());
    assert_eq!(run.warm_up_calls(), 1);
    assert!(run.finish("g/f", None).is_none());
}

#[test]
fn too_few_measurement_calls_leave_a_warning_in_the_record() {
    let machine = FakeMachine::new([Step::quiet(1000)]);
    let sampler = Sampler::new(SamplerConfig::default(), machine.clone());
    let mut run = CriterionRun::new(sampler, Duration::from_secs(3), 100);
    let mut batch = machine.batch();
    run.call(1, &mut batch);
    run.call(1000, &mut batch); // profile mode: one big call
    let rec = run.finish("g/f", None).unwrap();
    assert!(rec
        .warnings
        .iter()
        .any(|w| w.contains("1 measurement calls")));
}

#[test]
fn a_suite_run_through_criterion_records_only_measurement_samples() {
    let tmp = tempfile::tempdir().unwrap();
    let records = tmp.path().join("perfgate").join("records");
    let config = SuiteConfig {
        records_dir: records.clone(),
        ..SuiteConfig::from_env()
    };
    let data: Vec<u64> = (0..64).collect();
    let mut suite = Suite::new(config);
    suite
        .bench("tiny/sum", Some(Throughput::Elements(64)), || {
            data.iter().sum::<u64>()
        })
        .sample_size(10)
        .warm_up_time(Duration::from_millis(20))
        .measurement_time(Duration::from_millis(40))
        .sampling_mode(SamplingMode::Linear);
    suite
        .bench("tiny/skipped", None, || 1 + 1)
        .sample_size(10)
        .warm_up_time(Duration::from_millis(20))
        .measurement_time(Duration::from_millis(40));
    let mut criterion = Criterion::default()
        .output_directory(&tmp.path().join("criterion"))
        .without_plots()
        .with_filter("tiny/sum");

    suite.run(&mut criterion).unwrap();

    // The machine canary is measured after the cases, whatever the filter.
    assert_eq!(suite.measured_ids(), ["tiny/sum", "perfgate/machine"]);
    let canary = records.join(perfgate::names::file_name("perfgate/machine", "json"));
    let canary: BenchRecord =
        serde_json::from_str(&std::fs::read_to_string(&canary).unwrap()).unwrap();
    assert_eq!(canary.samples.iter().filter(|s| s.attempt == 0).count(), 30);
    let path = records.join(perfgate::names::file_name("tiny/sum", "json"));
    let rec: BenchRecord =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(rec.id, "tiny/sum");
    assert_eq!(rec.throughput, Some(Throughput::Elements(64)));
    // The machine's speed is read around the case, not around the canary.
    let reading = rec.sampling.machine.expect("read before and after");
    assert!(
        reading.before_ns > 0.0 && reading.after_ns > 0.0,
        "{reading:?}"
    );
    assert_eq!(canary.sampling.machine, None);
    // Ten measurement samples in linear sampling: d, 2d, …, 10d. A warm-up
    // call (1, 2, 4, … iterations) kept as a sample would break this.
    let iterations = attempt_zero_iterations(&rec);
    let d = iterations[0];
    assert_eq!(iterations, (1..=10).map(|i| i * d).collect::<Vec<_>>());
    assert!(d > 1, "a 40 ms measurement of a sub-µs routine");
    let skipped = records.join(perfgate::names::file_name("tiny/skipped", "json"));
    assert!(!skipped.exists());
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tmp.path().join("perfgate/run.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        manifest["ids"],
        serde_json::json!(["tiny/sum", "perfgate/machine"])
    );
    assert_eq!(manifest["filtered"], serde_json::json!(true));
    assert_eq!(
        manifest["declared"],
        serde_json::json!(["tiny/sum", "tiny/skipped"])
    );

    // A confirming re-measurement takes samples as long as criterion's
    // (the most common count; on linear sampling's tie, the largest).
    let again = suite.remeasure("tiny/sum").unwrap();
    let lengths = attempt_zero_iterations(&again);
    assert!(lengths.iter().all(|&n| n == 10 * d), "{lengths:?}");
    assert!(
        again.sampling.machine.is_some(),
        "a re-measurement reads it too"
    );
}

#[test]
fn the_machine_is_read_just_before_the_first_measurement_and_at_the_end() {
    use perfgate::sampler::MachineReader;
    use std::cell::RefCell;
    use std::rc::Rc;

    let machine = FakeMachine::new([Step::quiet(1000)]);
    let sampler = Sampler::new(SamplerConfig::default(), machine.clone());
    // Each reading notes how many batches the routine had run by then.
    let batches = Rc::new(RefCell::new(0u64));
    let readings = Rc::new(RefCell::new(Vec::new()));
    let (seen, log) = (Rc::clone(&batches), Rc::clone(&readings));
    let reader = MachineReader(Box::new(move || {
        let n = *seen.borrow();
        log.borrow_mut().push(n);
        Some(40.0 + n as f64)
    }));
    let mut run = CriterionRun::new(sampler, Duration::from_millis(1), 10)
        .with_machine_reader(reader);
    let mut fake_batch = machine.batch();
    let counter = Rc::clone(&batches);
    let mut batch = move |n: u64| {
        *counter.borrow_mut() += 1;
        fake_batch(n);
    };
    drive_like_criterion(
        &mut run,
        &mut machine.clone(),
        &mut batch,
        Duration::from_millis(1),
        linear(10, 1e6),
    );
    let warm_up_batches = run.warm_up_calls() as u64;
    let total = *batches.borrow();
    let rec = run.finish("g/f", None).unwrap();

    // Once after the warm-up and before the pilot, once after the last
    // sample; never during the measurement.
    assert_eq!(*readings.borrow(), [warm_up_batches, total]);
    let reading = rec.sampling.machine.unwrap();
    assert_eq!(reading.before_ns, 40.0 + warm_up_batches as f64);
    assert_eq!(reading.after_ns, 40.0 + total as f64);
    assert_eq!(reading.ns(), reading.before_ns, "the faster of the two");
}

#[test]
fn a_benchmark_whose_machine_reading_failed_has_none() {
    let machine = FakeMachine::new([Step::quiet(1000)]);
    let sampler = Sampler::new(SamplerConfig::default(), machine.clone());
    let mut calls = 0;
    let reader = perfgate::sampler::MachineReader(Box::new(move || {
        calls += 1;
        (calls == 1).then_some(40.0)
    }));
    let mut run =
        CriterionRun::new(sampler, Duration::ZERO, 10).with_machine_reader(reader);
    let mut batch = machine.batch();
    for _ in 0..10 {
        run.call(1000, &mut batch);
    }
    let rec = run.finish("g/f", None).unwrap();
    assert_eq!(rec.sampling.machine, None, "one reading alone is not used");
}

#[test]
fn remeasuring_a_parallel_case_samples_process_cpu_time_with_its_own_settings() {
    let tmp = tempfile::tempdir().unwrap();
    let config = SuiteConfig {
        records_dir: tmp.path().join("records"),
        ..SuiteConfig::from_env()
    };
    let mut suite = Suite::new(config);
    suite
        .bench_parallel("par/sum", Some(Throughput::Elements(1000)), || {
            (0..1000u64).map(|x| x * x).sum::<u64>()
        })
        .sample_size(10)
        .sampler_config(SamplerConfig {
            pilot_samples: 3,
            ..SamplerConfig::default()
        });

    let rec = suite.remeasure("par/sum").unwrap();

    assert_eq!(rec.id, "par/sum");
    assert_eq!(rec.throughput, Some(Throughput::Elements(1000)));
    assert_eq!(rec.sampling.cpu_scope, perfgate::sampler::CpuScope::Process);
    assert_eq!(rec.samples.iter().filter(|s| s.attempt == 0).count(), 10);
    assert_eq!(
        rec.sampling.pilot.len(),
        3,
        "the case's own sampler settings"
    );
    // Nothing is written and nothing counts as measured by a run.
    assert!(!tmp.path().join("records").exists());
    assert!(suite.measured_ids().is_empty());
}

#[test]
fn a_case_named_like_the_machine_canary_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let config = SuiteConfig {
        records_dir: tmp.path().join("records"),
        ..SuiteConfig::from_env()
    };
    let mut suite = Suite::new(config);
    suite.bench("perfgate/machine", None, || 1 + 1);
    let mut criterion = Criterion::default()
        .output_directory(&tmp.path().join("criterion"))
        .without_plots();

    let err = suite.run(&mut criterion).unwrap_err().to_string();

    assert!(err.contains("machine canary"), "{err}");
    assert!(err.contains("another id"), "{err}");
}
