//! Turns candidate and baseline samples into verdicts.
//!
//! [`compare_benchmark`] judges one benchmark from the clean samples of its
//! baseline and candidate ([`Input`]) with [`CompareOptions`]; the verdict
//! rules are in [`verdict`]. The types below are what reports and
//! `reports/results.json` show.

mod input;
mod options;
#[cfg(test)]
mod tests;
pub mod verdict;

use serde::{Deserialize, Serialize};

pub use input::Input;
pub use options::{
    CompareOptions, DEFAULT_ALPHA, DEFAULT_MAX_INTERVAL_WIDTH, DEFAULT_MIN_SAMPLES,
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
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
    /// Confidence level (0.95).
    pub level: f64,
}

/// One side (baseline or candidate) of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Side {
    /// Summary of the clean per-iteration samples (per element when a
    /// throughput of the same kind is declared on both sides), ns.
    pub summary: Summary,
    /// The clean samples compared, ns, in the order taken: per iteration,
    /// or per element under the same condition as `summary`.
    pub samples: Vec<f64>,
    /// Declared throughput per iteration.
    pub throughput: Option<Throughput>,
}

/// The comparison of one benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Benchmark id.
    pub id: String,
    /// Baseline id when a rename map paired it with a different id.
    pub renamed_from: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// Baseline side; absent for `new`.
    pub baseline: Option<Side>,
    /// Candidate side; absent for `missing`.
    pub candidate: Option<Side>,
    /// location(candidate) / location(baseline) − 1, as a fraction.
    pub change: Option<f64>,
    /// Bootstrap confidence interval of `change`.
    pub interval: Option<Interval>,
    /// Two-sided Mann–Whitney U p-value; absent when not applicable (zero
    /// spread on both sides, too few samples).
    pub p_value: Option<f64>,
    /// Slowdown allowed before `regressed`, as a fraction.
    pub threshold: f64,
    /// Retakes of single samples during the candidate run.
    pub retakes: usize,
    /// Candidate samples still contended after their last attempt.
    pub flagged: usize,
    /// Times the whole benchmark was re-measured to confirm a verdict.
    pub confirmations: u32,
    /// Why the verdict is what it is, in plain words (too few samples,
    /// interval too wide, drift, throughput changed, ...).
    pub notes: Vec<String>,
    /// Every candidate sample attempt, for the timeline chart.
    #[serde(default)]
    pub records: Vec<SampleRecord>,
}

/// The settings a run was judged with, shown in report headers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Default threshold, as a fraction.
    pub default_threshold: f64,
    /// Significance level of the Mann–Whitney test.
    pub alpha: f64,
    /// Confidence level of the bootstrap interval.
    pub confidence: f64,
    /// Bootstrap resamples.
    pub resamples: usize,
    /// Seed of the bootstrap.
    pub seed: u64,
    /// Minimum clean samples per side for a decision.
    pub min_samples: usize,
    /// Location statistic (`median`).
    pub statistic: String,
    /// Widest interval, as a multiple of the threshold, that may straddle a
    /// threshold and still pass.
    #[serde(default = "default_max_interval_width")]
    pub max_interval_width: f64,
}

fn default_max_interval_width() -> f64 {
    DEFAULT_MAX_INTERVAL_WIDTH
}

/// The whole result of a gated run: what `reports/results.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResults {
    /// Results file format version.
    pub schema: u32,
    /// perfgate version.
    pub perfgate_version: String,
    /// When the comparison ran (RFC 3339, UTC).
    pub created_at: String,
    /// Git commit of the candidate, if known.
    pub git_commit: Option<String>,
    /// The machine of the candidate run.
    pub machine: Fingerprint,
    /// Warnings about the run as a whole (other machine, ...).
    pub warnings: Vec<String>,
    /// Settings used.
    pub settings: Settings,
    /// One entry per benchmark, sorted by id.
    pub comparisons: Vec<Comparison>,
    /// The exit status the run ends with (0, 1, 2 or 3).
    pub exit_status: i32,
}
