//! What the sampler keeps of every sample, retakes included.
//!
//! These records are written per benchmark id under the target directory
//! (`target/perfgate/records/`), read back by `perfgate check`, and drawn
//! in the reports' timelines.

use serde::{Deserialize, Serialize};

use super::anchor::SampleLimits;
use super::probe::CpuScope;
use crate::baseline::Throughput;

/// Why a sample was judged contended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContentionReason {
    /// The OS counted involuntary context switches during the sample.
    ContextSwitches,
    /// Wall time exceeded CPU time by more than the configured fraction.
    WallExceedsCpu,
    /// The per-iteration time lay above the robust upper limit anchored on
    /// the routine's fast mode.
    UpperOutlier,
}

/// What became of a sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SampleStatus {
    /// Accepted: used in the comparison.
    Clean,
    /// Judged contended and replaced by a later attempt.
    Retaken,
    /// Still contended after its last attempt (or once the retake budget
    /// ran out): kept, but excluded from the comparison.
    Flagged,
}

/// One timed batch of iterations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleRecord {
    /// Index of the sample slot this attempt fills (0-based).
    pub index: u32,
    /// Attempt number for this slot, counting from 0.
    pub attempt: u32,
    /// Calls of the routine in this sample.
    pub iterations: u64,
    /// Wall-clock time of the whole sample, ns.
    pub wall_ns: u64,
    /// CPU time of the sample (thread or process, see the sampler), ns.
    pub cpu_ns: u64,
    /// Involuntary context switches counted during the sample.
    pub involuntary_switches: u64,
    /// Backoff slept right before this attempt, ns (0 for attempt 0).
    pub delay_ns: u64,
    /// Reasons it was judged contended; empty when clean.
    pub reasons: Vec<ContentionReason>,
    /// What became of it.
    pub status: SampleStatus,
    /// Faster than the lower limit: reported, never re-taken.
    #[serde(default)]
    pub fast: bool,
}

impl SampleRecord {
    /// Wall time per iteration in nanoseconds.
    pub fn per_iteration_ns(&self) -> f64 {
        self.wall_ns as f64 / self.iterations.max(1) as f64
    }
}

/// Everything perfgate kept of one benchmark's run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchRecord {
    /// Record schema version ([`RECORD_SCHEMA`]).
    pub schema: u32,
    /// Benchmark id as criterion shows it (`halo/large_dag`).
    pub id: String,
    /// Declared throughput per iteration, if any.
    pub throughput: Option<Throughput>,
    /// Every sample attempt in the order taken, retakes included.
    pub samples: Vec<SampleRecord>,
    /// Warnings raised while sampling (timer resolution, budget exhausted).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// When the run finished (RFC 3339, UTC).
    pub finished_at: String,
    /// How the samples were judged: CPU scope, pilot batch, final limits,
    /// retake cost.
    #[serde(default)]
    pub sampling: SamplingInfo,
}

/// How a benchmark's samples were taken and judged.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SamplingInfo {
    /// Whose CPU time and context switches were read.
    pub cpu_scope: CpuScope,
    /// Per-iteration times of the pilot batch, ns (not samples: never
    /// compared).
    pub pilot: Vec<f64>,
    /// The limits at the end of the run, against which every clean sample
    /// was checked once more.
    pub limits: Option<SampleLimits>,
    /// Time spent on retakes (their sleeps and measurements), ns.
    pub retake_time_ns: u64,
    /// True when the retake budget ran out and contended samples were
    /// flagged without a retake.
    pub budget_exhausted: bool,
    /// Share (0–1) of the other CPUs that other processes kept busy while
    /// the benchmark was measured, from the pilot to the last sample:
    /// contention the routine's own CPU time and context switches do not
    /// show (shared caches, memory bandwidth). Absent where the OS does not
    /// tell the machine's busy time, on one CPU, and in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neighbour_load: Option<f64>,
    /// The machine's speed just before and just after the benchmark was
    /// measured, read with the machine canary ([`super::canary`]); the
    /// comparison divides it out (see [`crate::compare::verdict`]).
    /// Absent when the suite reads no canary, and in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<MachineReading>,
}

/// Two readings of the machine canary around one measurement, each the
/// median of its clean per-iteration samples, ns.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MachineReading {
    /// Read just before the benchmark's first sample.
    pub before_ns: f64,
    /// Read just after its last sample.
    pub after_ns: f64,
}

/// Plausible readings of the machine's speed, ns per canary iteration: the
/// canary's iteration takes about 10 µs on the machines this runs on, and
/// any machine fast or slow enough to fall outside 1 ns – 1 s is a damaged
/// file, not a measurement.
pub const MACHINE_NS_RANGE: std::ops::RangeInclusive<f64> = 1.0..=1e9;

/// Whether `ns` is a plausible reading (see [`MACHINE_NS_RANGE`]); false
/// for NaN and infinities.
pub fn plausible_machine_ns(ns: f64) -> bool {
    MACHINE_NS_RANGE.contains(&ns)
}

/// What is wrong with a reading of `ns`, for an error message; `None`
/// when it is plausible. The number is plain when ordinary and in
/// scientific notation when far out (a 300-digit number helps no one).
pub fn implausible_reading(ns: f64) -> Option<String> {
    if plausible_machine_ns(ns) {
        return None;
    }
    let shown = if ns == 0.0 || (1e-3..1e12).contains(&ns.abs()) {
        format!("{ns}")
    } else {
        format!("{ns:e}")
    };
    Some(format!("{shown} is not a time between 1 ns and 1 s"))
}

impl MachineReading {
    /// The faster of the two readings. Contention only ever slows the
    /// canary, and a burst that falls on one short reading does not fall
    /// on both: in A/A trials under the contention generator, an unchanged
    /// routine divided by the faster reading moved by 1.6% (standard
    /// deviation; 7.8% at worst), divided by the mean of the two by 3.2%
    /// (13% at worst).
    pub fn ns(&self) -> f64 {
        self.before_ns.min(self.after_ns)
    }
}

/// Version of the [`BenchRecord`] file format.
pub const RECORD_SCHEMA: u32 = 1;

impl BenchRecord {
    /// Per-iteration times of the clean samples, in the order taken.
    pub fn clean_per_iteration(&self) -> Vec<f64> {
        self.samples
            .iter()
            .filter(|s| s.status == SampleStatus::Clean)
            .map(SampleRecord::per_iteration_ns)
            .collect()
    }

    /// The most common iteration count of the clean samples (the larger
    /// on a tie); 0 without clean samples.
    pub fn typical_iterations(&self) -> u64 {
        let mut counts: std::collections::BTreeMap<u64, usize> = Default::default();
        let clean = self
            .samples
            .iter()
            .filter(|s| s.status == SampleStatus::Clean);
        for s in clean {
            *counts.entry(s.iterations).or_default() += 1;
        }
        counts
            .into_iter()
            .max_by_key(|&(iterations, count)| (count, iterations))
            .map_or(0, |(iterations, _)| iterations)
    }

    /// Number of attempts beyond the first across all slots.
    pub fn retakes(&self) -> usize {
        self.samples.iter().filter(|s| s.attempt > 0).count()
    }

    /// Number of samples still contended after their last attempt.
    pub fn flagged(&self) -> usize {
        self.samples
            .iter()
            .filter(|s| s.status == SampleStatus::Flagged)
            .count()
    }
}
