//! Turns candidate and baseline samples into verdicts.
//!
//! [`compare_benchmark`] judges one benchmark from the clean samples of its
//! baseline and candidate ([`Input`]) with [`CompareOptions`]; the verdict
//! rules are in [`verdict`]. The types below are what reports and
//! `reports/results.json` show.
//!
//! Their doc comments are the documentation of `reports/results.json`. In
//! that file:
//! - the top-level object is a [`RunResults`];
//! - times are nanoseconds as JSON numbers (floats, so sub-nanosecond
//!   values survive), per iteration, or per element when both sides
//!   declare a throughput of the same kind;
//! - changes, intervals and thresholds are fractions (`0.05` = +5%);
//! - an absent value (`Option` in Rust) is `null`;
//! - enums are lower-case strings (`"regressed"`, `"upper_outlier"`);
//!   a throughput is `{"elements": 100}` or `{"bytes": 4096}`.

mod input;
mod options;
#[cfg(test)]
mod tests;
pub mod verdict;

use serde::{Deserialize, Serialize};

pub use input::Input;
pub use options::{
    CompareOptions, DEFAULT_ALPHA, DEFAULT_MAX_INTERVAL_WIDTH,
    DEFAULT_MAX_MACHINE_CHANGE, DEFAULT_MAX_NEIGHBOUR_LOAD, DEFAULT_MIN_SAMPLES,
    DEFAULT_THRESHOLD,
};
pub use verdict::compare_benchmark;

use crate::baseline::{Fingerprint, Summary, Throughput};
use crate::sampler::SampleRecord;

/// The outcome for one benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No change beyond the threshold, or none that is significant.
    Pass,
    /// Faster beyond the threshold, significantly.
    Improved,
    /// Slower beyond the threshold, significantly, and confirmed.
    Regressed,
    /// Too noisy or too few clean samples to decide.
    Inconclusive,
    /// No baseline for this benchmark.
    New,
    /// A baseline exists but the benchmark did not run.
    Missing,
}

impl Verdict {
    /// Lower-case name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Improved => "improved",
            Verdict::Regressed => "regressed",
            Verdict::Inconclusive => "inconclusive",
            Verdict::New => "new",
            Verdict::Missing => "missing",
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A confidence interval of the change, as fractions (0.05 = +5%).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Lower bound of the change, as a fraction.
    pub lo: f64,
    /// Upper bound of the change, as a fraction (`hi >= lo`).
    pub hi: f64,
    /// Confidence level, as a fraction (`0.95` for a 95% interval).
    pub level: f64,
}

/// One side (baseline or candidate) of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Side {
    /// Summary of the clean per-iteration samples (per element when a
    /// throughput of the same kind is declared on both sides), ns.
    pub summary: Summary,
    /// The clean samples compared, ns, in the order taken: per iteration,
    /// or per element under the same condition as `summary`. Retaken and
    /// flagged samples are not here; see [`Comparison::records`].
    pub samples: Vec<f64>,
    /// Declared throughput per iteration; `null` when none is declared.
    pub throughput: Option<Throughput>,
    /// The machine's speed while this side was measured, ns per iteration
    /// of the machine canary (see [`crate::sampler::MachineReading`]);
    /// absent when it was not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_ns: Option<f64>,
}

/// The comparison of one benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Benchmark id as criterion shows it (`halo/large_dag`): any text.
    pub id: String,
    /// Baseline id when a rename map paired it with a different id;
    /// `null` otherwise.
    pub renamed_from: Option<String>,
    /// The verdict: `pass`, `improved`, `regressed`, `inconclusive`,
    /// `new` or `missing`.
    pub verdict: Verdict,
    /// Baseline side; absent for `new`.
    pub baseline: Option<Side>,
    /// Candidate side; absent for `missing`.
    pub candidate: Option<Side>,
    /// location(candidate) / location(baseline) − 1, as a fraction
    /// (`0.12` = 12% slower); `null` when a side is absent or has too few
    /// clean samples.
    pub change: Option<f64>,
    /// Bootstrap confidence interval of `change`; `null` when `change` is.
    pub interval: Option<Interval>,
    /// Two-sided Mann–Whitney U p-value; absent when not applicable (zero
    /// spread on both sides, too few samples).
    pub p_value: Option<f64>,
    /// Slowdown allowed before `regressed`, as a fraction (`0.05`); the
    /// same fraction of speed-up is needed for `improved`.
    pub threshold: f64,
    /// Retakes of single samples during the candidate run (attempts beyond
    /// the first, over all sample slots).
    pub retakes: usize,
    /// Candidate samples still contended after their last attempt: kept in
    /// `records`, excluded from the comparison.
    pub flagged: usize,
    /// Times the whole benchmark was re-measured to confirm a `regressed`
    /// or `inconclusive` verdict (0 when the first measurement stood).
    pub confirmations: u32,
    /// Why the verdict is what it is, in plain words (too few samples,
    /// interval too wide, drift, throughput changed, ...).
    pub notes: Vec<String>,
    /// Share (0–1) of the other CPUs that other processes kept busy while
    /// the candidate was measured; absent where it is not known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neighbour_load: Option<f64>,
    /// How much slower (positive) or faster the machine ran while the
    /// candidate was measured than while the baseline was, as a fraction,
    /// when the comparison was adjusted for it: `change`, `interval` and
    /// `p_value` are then those of the candidate's times divided by
    /// `1 + machine_change`, while `candidate.samples` stay as measured.
    /// Absent when not adjusted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_change: Option<f64>,
    /// Every candidate sample attempt in the order taken, clean, retaken
    /// and flagged (see [`SampleRecord`]); drawn in the report's timeline.
    /// Empty for `missing`.
    #[serde(default)]
    pub records: Vec<SampleRecord>,
}

impl Comparison {
    /// The change when it is a slowdown beyond the threshold whose whole
    /// interval lies above zero: evidence that the candidate is slower,
    /// whatever its verdict says about the rest (used to read the machine
    /// canary).
    pub fn clear_slowdown(&self) -> Option<f64> {
        let above_zero = self.interval.is_some_and(|i| i.lo > 0.0);
        self.change.filter(|&ch| above_zero && ch > self.threshold)
    }
}

/// The settings a run was judged with, shown in report headers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Threshold of benchmarks the configuration gives none, as a fraction.
    pub default_threshold: f64,
    /// Significance level of the Mann–Whitney test: a change counts only
    /// when `p_value < alpha`.
    pub alpha: f64,
    /// Confidence level of the bootstrap interval, as a fraction (`0.95`).
    pub confidence: f64,
    /// Bootstrap resamples drawn per benchmark.
    pub resamples: usize,
    /// Seed of the bootstrap's random generator (the same seed gives the
    /// same intervals).
    pub seed: u64,
    /// Minimum clean samples per side for a decision; fewer gives
    /// `inconclusive`.
    pub min_samples: usize,
    /// Location statistic whose change is estimated (`median`).
    pub statistic: String,
    /// Widest interval, as a multiple of the threshold, that may straddle a
    /// threshold and still pass.
    #[serde(default = "default_max_interval_width")]
    pub max_interval_width: f64,
    /// Whether the machine's change of speed was divided out (see
    /// [`Comparison::machine_change`]); false in results written before
    /// it existed.
    #[serde(default)]
    pub adjust_for_machine: bool,
    /// Largest change of the machine's speed divided out, as a fraction.
    #[serde(default = "default_max_machine_change")]
    pub max_machine_change: f64,
}

fn default_max_machine_change() -> f64 {
    DEFAULT_MAX_MACHINE_CHANGE
}

fn default_max_interval_width() -> f64 {
    DEFAULT_MAX_INTERVAL_WIDTH
}

/// The whole result of a gated run: what `reports/results.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResults {
    /// Results file format version; a reader refuses versions it does not
    /// know.
    pub schema: u32,
    /// perfgate version that wrote the file.
    pub perfgate_version: String,
    /// When the comparison ran (RFC 3339, UTC).
    pub created_at: String,
    /// Git commit of the candidate; `null` when unknown.
    pub git_commit: Option<String>,
    /// The machine of the candidate run.
    pub machine: Fingerprint,
    /// Warnings about the run as a whole (baseline from another machine,
    /// ...), in plain words.
    pub warnings: Vec<String>,
    /// Settings the run was judged with.
    pub settings: Settings,
    /// One entry per benchmark, sorted by id.
    pub comparisons: Vec<Comparison>,
    /// The exit status the run ends with: 0 pass, 1 regression, 2 harness
    /// or input error, 3 inconclusive.
    pub exit_status: i32,
    /// The machine canary (`perfgate/machine`, see
    /// [`crate::sampler::canary`]) against its baseline: how much slower or
    /// faster this machine ran than when the baselines were recorded. Not
    /// a benchmark and never gated; absent when either side is missing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_canary: Option<Comparison>,
}
