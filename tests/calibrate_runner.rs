//! The gate-backed trial runner, with a scripted gate: confirmation,
//! retake counting and the injected slowdown, without real sampling.

use std::collections::VecDeque;
use std::time::Duration;

use perfgate::calibrate::experiment::{Block, TrialRunner};
use perfgate::calibrate::runner::{Gate, GateRunner, BENCH_ID};
use perfgate::calibrate::BusyLoop;
use perfgate::compare::{Comparison, Verdict};
use perfgate::sampler::{BenchRecord, SampleRecord, SampleStatus};

#[derive(Default)]
struct ScriptedGate {
    verdicts: VecDeque<Verdict>,
    measured: Vec<(u64, bool)>,
    sleeps: Vec<Duration>,
    compared_with: Vec<Vec<f64>>,
}

/// A record of `slots` samples at `rounds` ns each, the first `retaken`
/// of them retaken once.
fn record(slots: u32, retaken: u32, rounds: u64) -> BenchRecord {
    let mut samples = Vec::new();
    for index in 0..slots {
        let sample = |attempt, status| SampleRecord {
            index,
            attempt,
            iterations: 10,
            wall_ns: 10 * rounds,
            cpu_ns: 10 * rounds,
            involuntary_switches: 0,
            delay_ns: 0,
            reasons: vec![],
            status,
            fast: false,
        };
        if index < retaken {
            samples.push(sample(0, SampleStatus::Retaken));
            samples.push(sample(1, SampleStatus::Clean));
        } else {
            samples.push(sample(0, SampleStatus::Clean));
        }
    }
    BenchRecord {
        schema: 1,
        id: BENCH_ID.into(),
        throughput: None,
        samples,
        warnings: vec![],
        finished_at: String::new(),
        sampling: Default::default(),
    }
}

fn comparison(verdict: Verdict) -> Comparison {
    Comparison {
        id: BENCH_ID.into(),
        renamed_from: None,
        verdict,
        baseline: None,
        candidate: None,
        change: None,
        interval: None,
        p_value: None,
        threshold: 0.05,
        retakes: 0,
        flagged: 0,
        confirmations: 0,
        notes: vec![],
        neighbour_load: None,
        machine_change: None,
        records: vec![],
    }
}

impl Gate for ScriptedGate {
    fn measure(
        &mut self,
        busy: &BusyLoop,
        retakes: bool,
    ) -> perfgate::Result<BenchRecord> {
        self.measured.push((busy.rounds, retakes));
        Ok(record(10, if retakes { 3 } else { 0 }, busy.rounds))
    }

    fn compare(
        &mut self,
        baseline: &BenchRecord,
        _c: &BenchRecord,
    ) -> perfgate::Result<Comparison> {
        self.compared_with.push(baseline.clean_per_iteration());
        Ok(comparison(
            self.verdicts.pop_front().expect("a scripted verdict"),
        ))
    }

    fn confirmation(&self) -> (u32, Duration) {
        (2, Duration::from_secs(2))
    }

    fn sleep(&mut self, wait: Duration) {
        self.sleeps.push(wait);
    }
}

fn runner(verdicts: &[Verdict]) -> GateRunner<ScriptedGate> {
    let gate = ScriptedGate {
        verdicts: verdicts.iter().copied().collect(),
        ..ScriptedGate::default()
    };
    GateRunner::with_gate(gate, BusyLoop::new(1000), 1)
}

const QUIET_WITH_RETAKES: Block = Block {
    contention: false,
    retakes: true,
};

#[test]
fn a_regression_that_does_not_persist_ends_as_the_last_verdict() {
    use Verdict::*;
    let mut r = runner(&[Regressed, Inconclusive, Pass]);
    let base = r.baseline(QUIET_WITH_RETAKES).unwrap();
    let out = r.trial(QUIET_WITH_RETAKES, &base.data, 0.0).unwrap();
    r.end_block(QUIET_WITH_RETAKES);
    assert_eq!(out.verdict, Pass);
    assert_eq!(
        r.gate().sleeps,
        [Duration::from_secs(2), Duration::from_secs(4)]
    );
    // One baseline measurement, then three candidate measurements.
    assert_eq!(r.gate().measured.len(), 4);
}

#[test]
fn a_persisting_regression_stands_after_the_configured_confirmations() {
    use Verdict::*;
    let mut r = runner(&[Regressed, Regressed, Regressed, Pass]);
    let base = r.baseline(QUIET_WITH_RETAKES).unwrap();
    let out = r.trial(QUIET_WITH_RETAKES, &base.data, 0.10).unwrap();
    assert_eq!(out.verdict, Regressed);
    assert_eq!(r.gate().measured.len(), 4);
    assert_eq!(r.gate().verdicts.len(), 1, "no fourth comparison");
}

#[test]
fn with_retakes_off_the_first_verdict_stands_and_the_sampler_is_told() {
    let off = Block {
        contention: false,
        retakes: false,
    };
    let mut r = runner(&[Verdict::Regressed, Verdict::Pass]);
    let base = r.baseline(off).unwrap();
    let out = r.trial(off, &base.data, 0.0).unwrap();
    assert_eq!(out.verdict, Verdict::Regressed);
    assert!(r.gate().sleeps.is_empty());
    assert!(r.gate().measured.iter().all(|&(_, retakes)| !retakes));
    assert_eq!((out.samples, out.retaken), (10, 0));
}

#[test]
fn retaken_slots_are_counted_over_every_measurement_of_a_trial() {
    let mut r = runner(&[Verdict::Inconclusive, Verdict::Pass]);
    let base = r.baseline(QUIET_WITH_RETAKES).unwrap();
    let out = r.trial(QUIET_WITH_RETAKES, &base.data, 0.0).unwrap();
    // Two measurements of 10 slots, 3 retaken in each.
    assert_eq!((out.samples, out.retaken), (20, 6));
}

#[test]
fn the_candidate_is_slowed_by_the_effect_and_compared_with_the_clean_baseline() {
    let mut r = runner(&[Verdict::Pass]);
    let base = r.baseline(QUIET_WITH_RETAKES).unwrap();
    let clean = base.data.clean_per_iteration();
    assert_eq!(clean.len(), 10, "retaken attempts are not baseline samples");
    assert!(clean.iter().all(|&v| v == 1000.0));
    r.trial(QUIET_WITH_RETAKES, &base.data, 0.05).unwrap();
    assert_eq!(r.gate().measured[1].0, 1050);
    assert_eq!(r.gate().compared_with[0], clean);
}

#[test]
fn a_contended_block_runs_the_generator_until_the_block_ends() {
    let contended = Block {
        contention: true,
        retakes: true,
    };
    let mut r = runner(&[Verdict::Pass]);
    let base = r.baseline(contended).unwrap();
    let live = r.contention_workers().expect("generator running");
    assert!(live.load(std::sync::atomic::Ordering::SeqCst) >= 1);
    r.trial(contended, &base.data, 0.0).unwrap();
    r.end_block(contended);
    assert_eq!(live.load(std::sync::atomic::Ordering::SeqCst), 0);
    assert!(r.contention_workers().is_none());
}
