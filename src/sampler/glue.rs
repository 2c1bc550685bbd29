//! Driving the sampler from criterion's `Bencher::iter_custom`.
//!
//! For one benchmark, criterion 0.8 (`routine.rs`, in benchmark mode)
//! calls the `iter_custom` closure in two phases:
//!
//! 1. **warm-up**: with 1, 2, 4, 8, … iterations, each call's time being
//!    criterion's own `Instant` around the closure, until the summed time
//!    exceeds the warm-up time;
//! 2. **measurement**: exactly `sample_size` calls with the iteration
//!    counts it derived from the warm-up (`d, 2d, …, n·d` in linear
//!    sampling, `d` every time in flat sampling), using the returned
//!    durations as samples.
//!
//! [`PhaseTracker`] mirrors that loop: a call is warm-up while its
//! iterations continue the doubling from 1 *and* the time spent in earlier
//! calls has not exceeded the warm-up time. Our time of a call (taken
//! inside the closure) never exceeds criterion's (taken around it), so a
//! true warm-up call is never taken for a measurement. Warm-up calls run
//! the batch once, unjudged and unrecorded; measurement calls go through
//! [`Sampler::sample`] (the first after a pilot batch) and return the clean
//! attempt's duration. Test mode (`cargo test --benches`) makes a single
//! warm-up-like call, so it records nothing.

use std::time::Duration;

use super::measure::Sampler;
use super::probe::Probe;
use super::record::{BenchRecord, MachineReading};
use crate::baseline::Throughput;

/// Which of criterion's phases a call belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Criterion is estimating the routine's speed: no sample.
    WarmUp,
    /// The call is one of criterion's samples.
    Measurement,
}

/// Tells criterion's warm-up calls from its measurement calls.
#[derive(Debug, Clone)]
pub struct PhaseTracker {
    warm_up_ns: u128,
    spent_ns: u128,
    next_warm_up_iterations: u64,
    measuring: bool,
}

impl PhaseTracker {
    /// A tracker for a benchmark with criterion's warm-up time `warm_up`.
    pub fn new(warm_up: Duration) -> Self {
        PhaseTracker {
            warm_up_ns: warm_up.as_nanos(),
            spent_ns: 0,
            next_warm_up_iterations: 1,
            measuring: false,
        }
    }

    /// The phase of a call with `iterations`; once measuring, always
    /// measuring.
    pub fn classify(&mut self, iterations: u64) -> Phase {
        let warming = !self.measuring
            && iterations == self.next_warm_up_iterations
            && self.spent_ns <= self.warm_up_ns;
        if warming {
            // criterion doubles with wrapping_mul; so do we.
            self.next_warm_up_iterations = iterations.wrapping_mul(2);
            return Phase::WarmUp;
        }
        self.measuring = true;
        Phase::Measurement
    }

    /// Adds the time one call took, ns.
    pub fn add_elapsed(&mut self, ns: u64) {
        self.spent_ns += u128::from(ns);
    }
}

/// One benchmark's sampler as criterion drives it.
#[derive(Debug)]
pub struct CriterionRun<P: Probe> {
    sampler: Sampler<P>,
    phases: PhaseTracker,
    sample_size: usize,
    warm_up_calls: usize,
    measurement_calls: usize,
    machine: Option<MachineReader>,
    machine_before: Option<f64>,
}

/// Reads the machine's speed, ns per canary iteration (see
/// [`super::canary::read_speed`]); `None` when it could not.
pub struct MachineReader(pub Box<dyn FnMut() -> Option<f64>>);

impl MachineReader {
    /// One reading.
    pub fn read(&mut self) -> Option<f64> {
        (self.0)()
    }
}

impl std::fmt::Debug for MachineReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MachineReader")
    }
}

impl<P: Probe> CriterionRun<P> {
    /// `warm_up` and `sample_size` must be the values criterion uses for
    /// this benchmark (the suite sets them on the group).
    pub fn new(sampler: Sampler<P>, warm_up: Duration, sample_size: usize) -> Self {
        CriterionRun {
            sampler,
            phases: PhaseTracker::new(warm_up),
            sample_size,
            warm_up_calls: 0,
            measurement_calls: 0,
            machine: None,
            machine_before: None,
        }
    }

    /// The same run, reading the machine's speed with `reader` just before
    /// the first measurement call and at [`CriterionRun::finish`], into the
    /// record's [`MachineReading`]. Warm-up and filtered-out benchmarks
    /// read nothing.
    pub fn with_machine_reader(mut self, reader: MachineReader) -> Self {
        self.machine = Some(reader);
        self
    }

    /// The body of the `iter_custom` closure: runs `iterations` calls of
    /// the routine as criterion's phase requires and returns the duration
    /// criterion should see.
    pub fn call(&mut self, iterations: u64, batch: &mut dyn FnMut(u64)) -> Duration {
        let start = self.sampler.probe_mut().now_ns();
        let wall_ns = match self.phases.classify(iterations) {
            Phase::WarmUp => {
                self.warm_up_calls += 1;
                self.sampler.read(iterations, batch).wall_ns
            }
            Phase::Measurement => {
                if self.measurement_calls == 0 {
                    self.machine_before =
                        self.machine.as_mut().and_then(MachineReader::read);
                    self.sampler.pilot(iterations, batch);
                }
                self.measurement_calls += 1;
                self.sampler.sample(iterations, batch).wall_ns
            }
        };
        let end = self.sampler.probe_mut().now_ns();
        self.phases.add_elapsed(end.saturating_sub(start));
        Duration::from_nanos(wall_ns)
    }

    /// Warm-up calls seen so far.
    pub fn warm_up_calls(&self) -> usize {
        self.warm_up_calls
    }

    /// Measurement calls seen so far.
    pub fn measurement_calls(&self) -> usize {
        self.measurement_calls
    }

    /// The record, or `None` when criterion made no measurement call (the
    /// benchmark was filtered out, or criterion ran in test mode).
    pub fn finish(
        mut self,
        id: &str,
        throughput: Option<Throughput>,
    ) -> Option<BenchRecord> {
        if self.measurement_calls == 0 {
            return None;
        }
        let (made, expected) = (self.measurement_calls, self.sample_size);
        let after = self.machine.as_mut().and_then(MachineReader::read);
        let mut record = self.sampler.finish(id, throughput);
        record.sampling.machine = reading(self.machine_before, after);
        if made != expected {
            record.warnings.push(format!(
                "criterion made {made} measurement calls where {expected} were \
                 expected: it ran in a mode perfgate does not follow (--quick or \
                 --profile-time?); rerun plain `cargo bench`"
            ));
        }
        Some(record)
    }
}

/// Both readings, or none: one reading alone cannot be told from a
/// contended one.
pub fn reading(before: Option<f64>, after: Option<f64>) -> Option<MachineReading> {
    Some(MachineReading {
        before_ns: before?,
        after_ns: after?,
    })
}
