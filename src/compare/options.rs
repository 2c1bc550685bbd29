//! The settings a comparison is judged with.

use serde::{Deserialize, Serialize};

use super::Settings;
use crate::stats::bootstrap::{DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES, DEFAULT_SEED};
use crate::stats::{BootstrapOptions, Location};
use crate::{Error, Result};

/// Default threshold: a 5% slowdown is allowed.
pub const DEFAULT_THRESHOLD: f64 = 0.05;
/// Default significance level of the Mann–Whitney test.
pub const DEFAULT_ALPHA: f64 = 0.05;
/// Default minimum of clean samples per side. With 8 against 8 the U test
/// can reach p = 2/C(16, 8) ≈ 1.6·10⁻⁴, far below any usual alpha, and a
/// resampled median still takes enough distinct values for a percentile
/// interval; below that both become too coarse to judge a 5% change.
pub const DEFAULT_MIN_SAMPLES: usize = 8;
/// Default widest interval, in thresholds, that may straddle a threshold
/// and still give `pass`.
pub const DEFAULT_MAX_INTERVAL_WIDTH: f64 = 2.0;
/// Default highest neighbour load under which a slowdown may be judged
/// `regressed`: 0.3 of the other CPUs. Measured on the 2-vCPU machines
/// this suite runs on: a quiet machine shows 0–5% during `cargo bench`, a
/// cargo build or another benchmark on the other core 60–100%, and the
/// latter slowed the memory-heavy cases by 10–30% with no context switch
/// and CPU time equal to wall time.
pub const DEFAULT_MAX_NEIGHBOUR_LOAD: f64 = 0.3;

/// Default largest change of the machine's speed that is divided out:
/// 10%. Measured on the 2-vCPU machines: between measurements seconds to
/// a minute apart the host's speed moved an unchanged busy loop by up to
/// 9.5%, and the canary followed it; readings 30–40% slow came from bursts
/// on the other core that slowed the cache-bound canary far more than the
/// routine, and dividing them out would have hidden a 10% slowdown.
pub const DEFAULT_MAX_MACHINE_CHANGE: f64 = 0.10;

/// How [`super::compare_benchmark`] judges one benchmark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CompareOptions {
    /// Slowdown allowed before `regressed`, as a fraction (0.05 = 5%).
    pub threshold: f64,
    /// Significance level of the two-sided Mann–Whitney U test.
    pub alpha: f64,
    /// Confidence level of the bootstrap interval of the change.
    pub confidence: f64,
    /// Bootstrap resamples.
    pub resamples: usize,
    /// Seed of the bootstrap.
    pub seed: u64,
    /// Fewest clean samples per side for a decision.
    pub min_samples: usize,
    /// Widest interval, as a multiple of the threshold, that may straddle
    /// `+threshold` or `−threshold` without making the verdict
    /// `inconclusive` (see [`super::verdict`]).
    pub max_interval_width: f64,
    /// Location statistic of the change.
    pub location: Location,
    /// Highest share of the other CPUs that other processes may have kept
    /// busy while the candidate was measured for a slowdown to count as
    /// `regressed`; above it the slowdown is `inconclusive` (see
    /// [`super::verdict`]).
    pub max_neighbour_load: f64,
    /// Divide the machine's change of speed out of the change when both
    /// sides read it (see [`super::verdict`]).
    pub machine_adjust: bool,
    /// Largest change of the machine's speed, as a fraction, that is
    /// divided out; beyond it the times are compared as measured and a
    /// slowdown is `inconclusive` (see [`super::verdict`]).
    pub max_machine_change: f64,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            threshold: DEFAULT_THRESHOLD,
            alpha: DEFAULT_ALPHA,
            confidence: DEFAULT_CONFIDENCE,
            resamples: DEFAULT_RESAMPLES,
            seed: DEFAULT_SEED,
            min_samples: DEFAULT_MIN_SAMPLES,
            max_interval_width: DEFAULT_MAX_INTERVAL_WIDTH,
            location: Location::Median,
            max_neighbour_load: DEFAULT_MAX_NEIGHBOUR_LOAD,
            machine_adjust: true,
            max_machine_change: DEFAULT_MAX_MACHINE_CHANGE,
        }
    }
}

impl CompareOptions {
    /// Checks every value is usable; an [`Error::Usage`] names the first
    /// that is not.
    pub fn validate(&self) -> Result<()> {
        let fraction = |x: f64| x > 0.0 && x < 1.0;
        let checks = [
            (
                self.threshold.is_finite() && self.threshold >= 0.0,
                "threshold",
                "a fraction ≥ 0, e.g. 0.05 for 5%",
            ),
            (
                fraction(self.alpha),
                "alpha",
                "a level in (0, 1), e.g. 0.05",
            ),
            (
                fraction(self.confidence),
                "confidence",
                "a level in (0, 1), e.g. 0.95",
            ),
            (self.resamples > 0, "resamples", "at least 1, e.g. 10000"),
            (self.min_samples > 0, "min_samples", "at least 1, e.g. 8"),
            (
                self.max_interval_width.is_finite() && self.max_interval_width > 0.0,
                "max_interval_width",
                "a positive multiple of the threshold, e.g. 2",
            ),
            (
                (0.0..=1.0).contains(&self.max_neighbour_load),
                "max_neighbour_load",
                "a share of the other CPUs in [0, 1], e.g. 0.3",
            ),
            (
                self.max_machine_change.is_finite() && self.max_machine_change >= 0.0,
                "max_machine_change",
                "a fraction ≥ 0, e.g. 0.10",
            ),
            (
                matches!(self.location, Location::Median)
                    || matches!(self.location, Location::Quantile(p) if (0.0..=1.0).contains(&p)),
                "location",
                "`median` or a quantile in [0, 1]",
            ),
        ];
        match checks.into_iter().find(|(ok, _, _)| !ok) {
            None => Ok(()),
            Some((_, name, want)) => Err(Error::Usage {
                message: format!("comparison setting `{name}` is out of range"),
                hint: format!("set `{name}` to {want}"),
            }),
        }
    }

    /// The bootstrap part of these options.
    pub fn bootstrap(&self) -> BootstrapOptions {
        BootstrapOptions {
            resamples: self.resamples,
            confidence: self.confidence,
            seed: self.seed,
        }
    }

    /// The settings shown in report headers.
    pub fn settings(&self) -> Settings {
        Settings::from(self)
    }
}

impl From<&CompareOptions> for Settings {
    fn from(o: &CompareOptions) -> Self {
        Settings {
            default_threshold: o.threshold,
            alpha: o.alpha,
            confidence: o.confidence,
            resamples: o.resamples,
            seed: o.seed,
            min_samples: o.min_samples,
            statistic: o.location.name(),
            max_interval_width: o.max_interval_width,
            adjust_for_machine: o.machine_adjust,
            max_machine_change: o.max_machine_change,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_options_are_valid_and_fill_the_settings() {
        let o = CompareOptions::default();
        o.validate().unwrap();
        let s = o.settings();
        assert_eq!(
            (s.default_threshold, s.alpha, s.confidence),
            (0.05, 0.05, 0.95)
        );
        assert_eq!(
            (s.resamples, s.seed, s.min_samples),
            (10_000, DEFAULT_SEED, 8)
        );
        assert_eq!(s.statistic, "median");
        assert_eq!(s.max_interval_width, 2.0);
    }

    #[test]
    fn out_of_range_option_is_a_usage_error_naming_it() {
        let o = CompareOptions {
            alpha: 1.5,
            ..Default::default()
        };
        let err = o.validate().unwrap_err().to_string();
        assert!(err.contains("`alpha`"), "{err}");
        let o = CompareOptions {
            location: Location::Quantile(f64::NAN),
            ..Default::default()
        };
        assert!(o.validate().unwrap_err().to_string().contains("`location`"));
    }
}
