//! Robust limits around a location: `center ± k · 1.4826 · MAD`, with a
//! relative floor on the margin.
//!
//! The sampler judges a sample contended when its per-iteration time lies
//! above the upper limit, and reports samples below the lower limit. The
//! margin is `k` scaled MADs ([`DEFAULT_K`] = 3, about three standard
//! deviations for normal data), but never less than
//! [`DEFAULT_MIN_RELATIVE_MARGIN`] = 5% of `|center|`.
//!
//! The floor is the fallback for a MAD of 0: identical samples, or samples
//! on a coarse timer tick where more than half share one value (case C02:
//! 958/1000/1042 ns gives MAD 0). Without it every sample one tick away
//! would lie outside the limits and be re-taken without end. 5% sits above
//! one tick of such data (4.2%) and at the default threshold, so a sample
//! within the noise a verdict tolerates is never called contended on
//! spread alone. The floor also applies when the MAD is merely tiny, for the
//! same reason.

use super::quantile::{median_sorted, sorted};
use super::summary::{mad_sorted, MAD_SCALE};

/// Default number of scaled MADs between the center and a limit.
pub const DEFAULT_K: f64 = 3.0;

/// Default smallest margin, as a fraction of `|center|`.
pub const DEFAULT_MIN_RELATIVE_MARGIN: f64 = 0.05;

/// How far from the center the limits lie.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LimitRule {
    /// Scaled MADs between the center and each limit.
    pub k: f64,
    /// Smallest margin, as a fraction of `|center|`; the fallback when the
    /// MAD is 0.
    pub min_relative_margin: f64,
}

impl Default for LimitRule {
    fn default() -> Self {
        LimitRule {
            k: DEFAULT_K,
            min_relative_margin: DEFAULT_MIN_RELATIVE_MARGIN,
        }
    }
}

/// Lower and upper limits around a center.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// The location the limits surround.
    pub center: f64,
    /// Distance from the center to each limit.
    pub margin: f64,
    /// `center − margin`: samples below it are reported as fast.
    pub lower: f64,
    /// `center + margin`: samples above it are contended.
    pub upper: f64,
    /// True when the relative floor, not the MAD, set the margin (always
    /// so when the MAD is 0).
    pub floored: bool,
}

impl LimitRule {
    /// Limits around the median of `samples`, spread from their MAD;
    /// `None` when there are no samples.
    pub fn limits(&self, samples: &[f64]) -> Option<Limits> {
        let s = sorted(samples);
        let center = median_sorted(&s)?;
        Some(self.limits_around(center, mad_sorted(&s)?))
    }

    /// Limits around any `center` (a low quantile marking the fast mode,
    /// say) with spread `mad` (unscaled).
    pub fn limits_around(&self, center: f64, mad: f64) -> Limits {
        let from_mad = self.k * MAD_SCALE * mad;
        let floor = self.min_relative_margin * center.abs();
        let floored = from_mad <= floor || from_mad.is_nan();
        let margin = if floored { floor } else { from_mad };
        Limits {
            center,
            margin,
            lower: center - margin,
            upper: center + margin,
            floored,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Case C02: 20 samples on a coarse timer tick; MAD is 0.
    fn timer_tick_samples() -> Vec<f64> {
        let mut v = vec![958.0; 3];
        v.extend([1000.0; 14]);
        v.extend([1042.0; 3]);
        v
    }

    #[test]
    fn zero_mad_falls_back_to_the_relative_margin() {
        let l = LimitRule::default().limits(&timer_tick_samples()).unwrap();
        assert!(l.floored);
        assert_eq!(l.center, 1000.0);
        assert_eq!(l.margin, 50.0);
        assert_eq!((l.lower, l.upper), (950.0, 1050.0));
    }

    #[test]
    fn timer_tick_samples_all_lie_within_the_limits() {
        let samples = timer_tick_samples();
        let l = LimitRule::default().limits(&samples).unwrap();
        assert!(samples.iter().all(|&x| l.lower <= x && x <= l.upper));
    }

    #[test]
    fn wide_spread_sets_the_margin_from_the_mad() {
        // Median 100, MAD 10: margin 3 · 1.4826 · 10.
        let samples = [80.0, 90.0, 100.0, 110.0, 120.0];
        let l = LimitRule::default().limits(&samples).unwrap();
        assert!(!l.floored);
        assert!((l.margin - 44.478).abs() < 1e-9);
        assert!((l.upper - 144.478).abs() < 1e-9);
    }

    #[test]
    fn limits_can_surround_a_fast_mode_quantile() {
        let l = LimitRule::default().limits_around(200.0, 2.0);
        assert!(l.floored, "3·1.4826·2 = 8.9 < 10 = 5% of 200");
        assert_eq!(l.upper, 210.0);
    }

    #[test]
    fn no_samples_give_no_limits() {
        assert_eq!(LimitRule::default().limits(&[]), None);
    }
}
