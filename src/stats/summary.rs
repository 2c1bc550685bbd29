//! Location and spread of a set of samples: median, MAD, an exact mean and
//! the [`Summary`] stored in baselines.
//!
//! The MAD is the median of absolute deviations from the median. Multiplied
//! by [`MAD_SCALE`] (1.4826 ≈ 1/Φ⁻¹(3/4)) it estimates the standard
//! deviation of normally distributed samples while ignoring up to half of
//! them being contended (Hampel, "The influence curve and its role in
//! robust estimation", JASA 69, 1974).
//!
//! The mean is a shifted, compensated sum: every sample minus the first one
//! is summed with Neumaier's compensation and the mean of the differences is
//! added back. Identical samples therefore give their own value exactly,
//! however large (200 samples of 10¹⁷ ns average to exactly 10¹⁷), and
//! sums of differences stay far from overflow.

use serde::{Deserialize, Serialize};

use super::quantile::{median_sorted, sorted};

/// Factor turning a MAD into a standard-deviation estimate for normal data.
pub const MAD_SCALE: f64 = 1.4826;

/// Summary of a set of per-iteration samples (ns), recomputable from them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of samples.
    pub n: usize,
    /// Median, ns.
    pub median: f64,
    /// Median absolute deviation (unscaled), ns.
    pub mad: f64,
    /// Arithmetic mean, ns.
    pub mean: f64,
    /// Smallest sample, ns.
    pub min: f64,
    /// Largest sample, ns.
    pub max: f64,
}

impl Summary {
    /// Summarises `samples`; `None` when there are none.
    pub fn of(samples: &[f64]) -> Option<Summary> {
        let s = sorted(samples);
        Some(Summary {
            n: s.len(),
            median: median_sorted(&s)?,
            mad: mad_sorted(&s)?,
            mean: mean(&s)?,
            min: *s.first()?,
            max: *s.last()?,
        })
    }

    /// The MAD scaled by [`MAD_SCALE`] (a standard-deviation estimate).
    pub fn scaled_mad(&self) -> f64 {
        self.mad * MAD_SCALE
    }
}

/// The arithmetic mean, exact for identical samples and free of overflow
/// for any samples whose pairwise differences are finite; `None` when empty.
pub fn mean(samples: &[f64]) -> Option<f64> {
    let shift = *samples.first()?;
    let (mut lo, mut hi) = (shift, shift);
    let mut sum = 0.0_f64;
    let mut compensation = 0.0_f64;
    for &x in samples {
        lo = lo.min(x);
        hi = hi.max(x);
        let d = x - shift;
        let t = sum + d;
        // Neumaier: keep the low-order bits lost by whichever term is smaller.
        if sum.abs() >= d.abs() {
            compensation += (sum - t) + d;
        } else {
            compensation += (d - t) + sum;
        }
        sum = t;
    }
    let n = samples.len() as f64;
    // Rounding of the last addition must not move the mean past the range.
    Some((shift + (sum + compensation) / n).clamp(lo, hi))
}

/// The median absolute deviation from the median (unscaled); `None` when
/// empty.
pub fn mad(samples: &[f64]) -> Option<f64> {
    mad_sorted(&sorted(samples))
}

/// [`mad`] of samples already sorted ascending.
pub fn mad_sorted(sorted_samples: &[f64]) -> Option<f64> {
    let m = median_sorted(sorted_samples)?;
    let deviations: Vec<f64> = sorted_samples.iter().map(|x| (x - m).abs()).collect();
    median_sorted(&sorted(&deviations))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Reference: SciPy 1.17.1, `scipy.stats.median_abs_deviation(d)` = 1.5
    // and with `scale="normal"` = 2.223903327758403 (SciPy's scale is
    // 1/Φ⁻¹(3/4) = 1.482602…, so the 4-digit constant agrees to 1e-6).
    #[test]
    fn mad_matches_scipy() {
        let d = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0];
        let s = Summary::of(&d).unwrap();
        assert_eq!(s.mad, 1.5);
        assert!((s.scaled_mad() - 2.223903327758403).abs() < 1e-5);
        assert_eq!(s.median, 3.5);
        assert_eq!(s.mean, 3.9);
        assert_eq!((s.n, s.min, s.max), (10, 1.0, 9.0));
    }

    // Case C04 (variant): the mean of 200 samples of 1e17 ns is exactly 1e17.
    #[test]
    fn mean_of_huge_identical_samples_is_exact() {
        let samples = vec![1e17; 200];
        let s = Summary::of(&samples).unwrap();
        assert_eq!(s.mean, 1e17);
        assert_eq!(s.mad, 0.0);
    }

    #[test]
    fn mean_keeps_small_differences_between_huge_samples() {
        // A naive left-to-right sum loses the +2 and +4 entirely.
        let samples = [1e17, 1e17 + 16.0, 1e17 + 32.0, 1e17 - 48.0];
        assert_eq!(mean(&samples), Some(1e17));
    }

    #[test]
    fn empty_samples_have_no_summary() {
        assert_eq!(Summary::of(&[]), None);
        assert_eq!(mean(&[]), None);
        assert_eq!(mad(&[]), None);
    }

    proptest! {
        #[test]
        fn summary_is_finite_and_ordered_for_finite_samples(
            xs in prop::collection::vec(-1e300f64..1e300, 1..100),
        ) {
            let s = Summary::of(&xs).unwrap();
            for v in [s.median, s.mad, s.mean, s.min, s.max] {
                prop_assert!(v.is_finite(), "{s:?}");
            }
            prop_assert!(s.min <= s.median && s.median <= s.max);
            prop_assert!(s.min <= s.mean && s.mean <= s.max, "{s:?}");
            prop_assert!(s.mad >= 0.0);
        }
    }
}
