//! The trial runner that goes through the gate: sampler, comparison and
//! the confirming re-measure of a `regressed` or `inconclusive` verdict.
//!
//! [`GateRunner`] does what the experiment needs around the gate (start
//! and stop contention per block, slow the loop by the trial's effect,
//! count retaken samples, time the trial); the gate itself sits behind
//! the [`Gate`] trait so that this logic is tested with scripted records.
//!
//! A trial follows the gate's rule that a regression must persist: with
//! retakes on, a verdict of `regressed` or `inconclusive` is re-measured
//! after a backoff, up to the configured number of confirmations, and the
//! last verdict stands. With retakes off, the first verdict stands: "off"
//! means both levels of retaking are off, so the table shows what the
//! two levels buy together.

use std::time::{Duration, Instant};

use super::contention::{self, ContentionConfig, ContentionGuard};
use super::experiment::{Block, BlockBaseline, TrialOutcome, TrialRunner};
use super::routine::BusyLoop;
use crate::compare::{Comparison, Verdict};
use crate::sampler::{BenchRecord, SampleStatus};
use crate::{Error, Result};

/// Benchmark id under which the busy loop is measured and compared.
pub const BENCH_ID: &str = "calibrate/busy";

/// Longest life of one block's contention generator: a bound in case a
/// block never ends (a hung sampler), far above a block's normal length.
pub const CONTENTION_DEADLINE: Duration = Duration::from_secs(300);

/// Longest wait before a confirming re-measure, as in the gate.
pub const MAX_CONFIRM_WAIT: Duration = Duration::from_secs(60);

/// The gate as a trial uses it.
pub trait Gate {
    /// Measures `busy` with the sampler, sample retakes on or off.
    fn measure(&mut self, busy: &BusyLoop, retakes: bool) -> Result<BenchRecord>;

    /// Compares a candidate record with a baseline record at the
    /// configured settings, the baseline taken as a saved baseline file
    /// would hold it (its clean samples and machine reading).
    fn compare(
        &mut self,
        baseline: &BenchRecord,
        candidate: &BenchRecord,
    ) -> Result<Comparison>;

    /// Re-measurements allowed to confirm a verdict, and the wait before
    /// the first (it doubles for each later one).
    fn confirmation(&self) -> (u32, Duration);

    /// Waits before a confirming re-measure.
    fn sleep(&mut self, wait: Duration);
}

/// Runs calibration trials through a [`Gate`].
#[derive(Debug)]
pub struct GateRunner<G> {
    gate: G,
    busy: BusyLoop,
    seed: u64,
    blocks: u64,
    contention: Option<ContentionGuard>,
}

impl<G: Gate> GateRunner<G> {
    /// A runner of `busy` through `gate`; `seed` seeds the contention
    /// bursts (each block draws its own stream from it).
    pub fn with_gate(gate: G, busy: BusyLoop, seed: u64) -> Self {
        GateRunner {
            gate,
            busy,
            seed,
            blocks: 0,
            contention: None,
        }
    }

    /// The gate, for its description.
    pub fn gate(&self) -> &G {
        &self.gate
    }

    /// The live-worker counter of the running contention generator, if
    /// one runs (see [`ContentionGuard::live_workers`]).
    pub fn contention_workers(
        &self,
    ) -> Option<std::sync::Arc<std::sync::atomic::AtomicUsize>> {
        self.contention.as_ref().map(ContentionGuard::live_workers)
    }

    fn start_contention(&mut self) -> Result<()> {
        let seed = self
            .seed
            .wrapping_add(self.blocks.wrapping_mul(0x9e37_79b9));
        let config = ContentionConfig::new(seed, CONTENTION_DEADLINE);
        let guard = contention::start(&config).map_err(|e| Error::Usage {
            message: format!("cannot start the contention generator: {e}"),
            hint: "run with --contention off, or free some threads".into(),
        })?;
        self.contention = Some(guard);
        Ok(())
    }

    /// Measures and compares once, then re-measures while the verdict is
    /// `regressed` or `inconclusive` and confirmations are left.
    fn judge(
        &mut self,
        busy: &BusyLoop,
        retakes: bool,
        baseline: &BenchRecord,
        tally: &mut Tally,
    ) -> Result<Comparison> {
        let (retries, first_wait) = self.gate.confirmation();
        let retries = if retakes { retries } else { 0 };
        let mut wait = first_wait;
        let mut attempt = 0;
        loop {
            let record = self.gate.measure(busy, retakes)?;
            tally.add(&record);
            let comparison = self.gate.compare(baseline, &record)?;
            let unsettled = matches!(
                comparison.verdict,
                Verdict::Regressed | Verdict::Inconclusive
            );
            if !unsettled || attempt >= retries {
                return Ok(comparison);
            }
            self.gate.sleep(wait);
            wait = wait.saturating_mul(2).min(MAX_CONFIRM_WAIT);
            attempt += 1;
        }
    }
}

impl<G: Gate> TrialRunner for GateRunner<G> {
    /// The baseline's record; the gate takes from it what a committed
    /// baseline file holds.
    type Baseline = BenchRecord;

    fn baseline(&mut self, block: Block) -> Result<BlockBaseline<BenchRecord>> {
        self.blocks += 1;
        if block.contention {
            self.start_contention()?;
        }
        let start = Instant::now();
        let record = self.gate.measure(&self.busy, block.retakes)?;
        Ok(BlockBaseline {
            data: record,
            wall: start.elapsed(),
        })
    }

    fn trial(
        &mut self,
        block: Block,
        baseline: &BenchRecord,
        effect: f64,
    ) -> Result<TrialOutcome> {
        let start = Instant::now();
        let busy = self.busy.slowed(effect);
        let mut tally = Tally::default();
        let judged = self.judge(&busy, block.retakes, baseline, &mut tally)?;
        Ok(TrialOutcome {
            verdict: judged.verdict,
            notes: judged.notes,
            samples: tally.slots,
            retaken: tally.retaken,
            wall: start.elapsed(),
        })
    }

    fn end_block(&mut self, _block: Block) {
        if let Some(guard) = self.contention.take() {
            let done = guard.stop();
            log::debug!(
                "contention: {} bursts, {} ms busy",
                done.bursts,
                done.busy_ns / 1_000_000
            );
        }
    }
}

/// Sample slots measured and slots retaken over a trial's measurements.
#[derive(Debug, Default)]
struct Tally {
    slots: usize,
    retaken: usize,
}

impl Tally {
    fn add(&mut self, record: &BenchRecord) {
        let firsts = record.samples.iter().filter(|s| s.attempt == 0);
        for s in firsts {
            self.slots += 1;
            if s.status == SampleStatus::Retaken {
                self.retaken += 1;
            }
        }
    }
}
