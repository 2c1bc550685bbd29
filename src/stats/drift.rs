//! Drift within one run: do the clean samples move with time?
//!
//! The samples, in the order taken, are cut into thirds; the first and the
//! last third are compared with the two-sided Mann–Whitney U test
//! ([`mod@super::mann_whitney`]), and the relative shift of their medians is
//! reported. The middle third is left out so that a change which sets in
//! gradually shows more clearly. A first-vs-last comparison, rather than a
//! rank correlation with the sample index, answers the question a verdict
//! needs ("is the end of the run at another level than its start?") in the
//! same unit as the change, and a slow period confined to the middle of the
//! run does not count as drift.
//!
//! The check needs [`MIN_DRIFT_SAMPLES`] = 12 samples, 4 per third: with 3
//! against 3 no ordering reaches p < 0.05. The caller decides what counts
//! as drift (the comparison asks for significance *and* a shift beyond the
//! threshold, so ordinary noise in a long run does not block a verdict).

use serde::{Deserialize, Serialize};

use super::mann_whitney::{mann_whitney, UTest};
use super::quantile::median;

/// Fewest samples the drift check looks at.
pub const MIN_DRIFT_SAMPLES: usize = 12;

/// The first third of a run against its last third.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Drift {
    /// Samples in each third compared.
    pub third: usize,
    /// Median of the first third, ns.
    pub first_median: f64,
    /// Median of the last third, ns.
    pub last_median: f64,
    /// `last_median / first_median − 1`; `None` when the first median is
    /// not positive.
    pub shift: Option<f64>,
    /// Mann–Whitney U test of the last third against the first.
    pub test: UTest,
}

impl Drift {
    /// True when the thirds differ significantly at `alpha` and their
    /// medians by more than `min_shift` (a fraction) in either direction.
    pub fn is_drifting(&self, alpha: f64, min_shift: f64) -> bool {
        let significant = self.test.p_value().is_some_and(|p| p < alpha);
        let large = self.shift.is_some_and(|s| s.abs() > min_shift);
        significant && large
    }
}

/// The drift check of `samples` in the order taken, tested at `alpha`;
/// `None` with fewer than [`MIN_DRIFT_SAMPLES`] samples.
pub fn drift(samples: &[f64], alpha: f64) -> Option<Drift> {
    if samples.len() < MIN_DRIFT_SAMPLES {
        return None;
    }
    let third = samples.len() / 3;
    let first = &samples[..third];
    let last = &samples[samples.len() - third..];
    let first_median = median(first)?;
    let last_median = median(last)?;
    let shift = (first_median > 0.0).then(|| last_median / first_median - 1.0);
    Some(Drift {
        third,
        first_median,
        last_median,
        shift: shift.filter(|s| s.is_finite()),
        test: mann_whitney(last, first, alpha),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_that_slows_down_steadily_drifts() {
        let samples: Vec<f64> = (0..30).map(|i| 100.0 + 2.0 * f64::from(i)).collect();
        let d = drift(&samples, 0.05).unwrap();
        assert_eq!(d.third, 10);
        assert_eq!((d.first_median, d.last_median), (109.0, 149.0));
        assert!(d.test.p_value().unwrap() < 1e-4);
        assert!(d.is_drifting(0.05, 0.05));
    }

    #[test]
    fn a_slow_burst_in_the_middle_is_not_drift() {
        let mut samples = vec![100.0, 101.0, 99.0, 102.0, 98.0, 100.5];
        samples.extend([180.0; 6]);
        samples.extend([100.2, 99.5, 101.5, 98.5, 100.0, 101.0]);
        let d = drift(&samples, 0.05).unwrap();
        assert!(!d.is_drifting(0.05, 0.05), "{d:?}");
    }

    #[test]
    fn a_significant_but_tiny_shift_is_not_drift() {
        let samples: Vec<f64> = (0..60).map(|i| 100.0 + 0.01 * f64::from(i)).collect();
        let d = drift(&samples, 0.05).unwrap();
        assert!(d.test.p_value().unwrap() < 0.05);
        assert!(!d.is_drifting(0.05, 0.05));
    }

    #[test]
    fn short_runs_are_not_checked() {
        assert_eq!(drift(&[1.0; MIN_DRIFT_SAMPLES - 1], 0.05), None);
    }
}
