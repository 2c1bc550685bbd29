//! Wilson score intervals for a proportion.
//!
//! Calibration reports rates (false failures in A/A trials, detections in
//! A/B trials) from a few dozen trials, often with counts of 0 or 1. The
//! plain normal ("Wald") interval collapses to zero width at those counts;
//! the Wilson score interval (Wilson 1927) stays inside [0, 1], keeps a
//! sensible width at k = 0 and k = n, and has close to nominal coverage for
//! small n (Newcombe 1998, "Two-sided confidence intervals for the single
//! proportion: comparison of seven methods", Statistics in Medicine 17,
//! 857–872).
//!
//! For k successes in n trials, p = k/n and z the two-sided normal quantile:
//!
//! ```text
//! centre = (p + z²/2n) / (1 + z²/n)
//! half   = z / (1 + z²/n) · sqrt(p(1 − p)/n + z²/4n²)
//! ```

use serde::{Deserialize, Serialize};

/// The two-sided 97.5% standard normal quantile, for 95% intervals.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// A proportion with its Wilson score interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Proportion {
    /// Successes counted.
    pub k: u32,
    /// Trials.
    pub n: u32,
    /// k / n.
    pub rate: f64,
    /// Lower bound of the interval.
    pub lo: f64,
    /// Upper bound of the interval.
    pub hi: f64,
}

/// The 95% Wilson score interval of `k` successes in `n` trials; `None`
/// when there were no trials (nothing to estimate) or `k > n`.
pub fn wilson_95(k: u32, n: u32) -> Option<Proportion> {
    wilson(k, n, Z_95)
}

/// The Wilson score interval of `k` successes in `n` trials for the normal
/// quantile `z`; `None` when `n == 0` or `k > n`.
pub fn wilson(k: u32, n: u32, z: f64) -> Option<Proportion> {
    if n == 0 || k > n {
        return None;
    }
    let nf = f64::from(n);
    let p = f64::from(k) / nf;
    let z2 = z * z;
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = z / denom * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    // The bounds bracket p exactly; at k = 0 or k = n rounding can put
    // them a few ulps on the wrong side of p, so clamp to it.
    Some(Proportion {
        k,
        n,
        rate: p,
        lo: (centre - half).clamp(0.0, p),
        hi: (centre + half).clamp(p, 1.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference values: Newcombe (1998), Table II, method 3 (score
    /// interval without continuity correction), given to 4 decimals.
    #[test]
    fn matches_newcombe_1998_table_ii_score_intervals() {
        let cases = [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0000, 0.1611),
            (1, 29, 0.0061, 0.1718),
        ];
        for (k, n, lo, hi) in cases {
            let w = wilson_95(k, n).unwrap();
            assert!((w.lo - lo).abs() < 5e-5, "{k}/{n}: lo {} vs {lo}", w.lo);
            assert!((w.hi - hi).abs() < 5e-5, "{k}/{n}: hi {} vs {hi}", w.hi);
        }
    }

    #[test]
    fn no_trials_gives_no_interval() {
        assert_eq!(wilson_95(0, 0), None);
        assert_eq!(wilson_95(3, 2), None);
    }

    #[test]
    fn all_successes_reach_one_and_mirror_zero_successes() {
        let all = wilson_95(20, 20).unwrap();
        let none = wilson_95(0, 20).unwrap();
        assert_eq!(all.hi, 1.0);
        assert_eq!(none.lo, 0.0);
        assert!((all.lo - (1.0 - none.hi)).abs() < 1e-12);
    }

    proptest::proptest! {
        #[test]
        fn interval_contains_the_rate_and_stays_in_unit_range(
            n in 1u32..2000,
            frac in 0.0f64..=1.0,
        ) {
            let k = (frac * f64::from(n)).round() as u32;
            let w = wilson_95(k, n).unwrap();
            proptest::prop_assert!(0.0 <= w.lo && w.lo <= w.rate);
            proptest::prop_assert!(w.rate <= w.hi && w.hi <= 1.0);
        }
    }
}
