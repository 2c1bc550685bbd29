//! The fast-mode anchor: where a routine's uncontended samples lie.
//!
//! The reference set holds the pilot samples without OS evidence of
//! contention plus every clean sample so far, kept sorted. From it:
//!
//! 1. `q` = the [`fast_quantile`](super::SamplerConfig::fast_quantile)
//!    (10%) of the reference: a point inside the fast mode even when most
//!    samples are slow;
//! 2. the fast mode = reference values in `[min, q · (1 + fast_window)]`;
//! 3. limits = the fast mode's median ± `k` scaled MADs, at least a
//!    relative margin ([`LimitRule`]), and at least one timer tick when the
//!    samples are visibly quantized (case C02: 958/1000/1042 ns).
//!
//! The limits are recomputed after every added value while the reference
//! holds up to [`REFRESH_EVERY_UP_TO`] values, then whenever it has grown
//! by a sixteenth: with dozens of values in, one more barely moves a median
//! or a MAD, and recomputing (a sort for the MAD) every time was most of the
//! sampler's own per-sample cost.
//!
//! Anchoring on the median of *all* samples would fail here: 60–70% of the
//! samples on these machines can be slow, so that median sits in the slow
//! mode and no slow sample would ever be retaken.

use serde::{Deserialize, Serialize};

use crate::stats::{mad_sorted, median_sorted, quantile_sorted, LimitRule};

/// Reference sizes up to which the limits are recomputed on every value.
pub const REFRESH_EVERY_UP_TO: usize = 32;

/// The limits a sample's per-iteration time is judged against, ns.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SampleLimits {
    /// The fast mode's median.
    pub center: f64,
    /// Below it a sample is reported as fast (never retaken).
    pub lower: f64,
    /// Above it a sample is contended.
    pub upper: f64,
    /// The timer tick per iteration, when the samples are quantized.
    pub tick: Option<f64>,
}

/// How the fast mode is found; a view of the sampler's settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct AnchorRule {
    pub fast_quantile: f64,
    pub fast_window: f64,
    pub limit_rule: LimitRule,
    pub min_reference: usize,
}

/// The sorted reference set and the limits derived from it.
#[derive(Debug, Clone)]
pub(crate) struct FastMode {
    rule: AnchorRule,
    sorted: Vec<f64>,
    limits: Option<SampleLimits>,
    refreshed_at: usize,
}

impl FastMode {
    pub fn new(rule: AnchorRule) -> Self {
        FastMode {
            rule,
            sorted: Vec::new(),
            limits: None,
            refreshed_at: 0,
        }
    }

    /// Adds a per-iteration time to the reference and refreshes the limits.
    pub fn add(&mut self, per_iteration_ns: f64) {
        if !per_iteration_ns.is_finite() {
            return;
        }
        // Insertion keeps the set sorted in O(n) moves, far cheaper than
        // re-sorting for every sample.
        let at = self.sorted.partition_point(|&x| x <= per_iteration_ns);
        self.sorted.insert(at, per_iteration_ns);
        let n = self.sorted.len();
        if n <= REFRESH_EVERY_UP_TO || n >= self.refreshed_at + self.refreshed_at / 16 {
            self.refresh();
        }
    }

    /// Recomputes the limits from the whole reference now.
    pub fn refresh(&mut self) {
        self.limits = self.compute();
        self.refreshed_at = self.sorted.len();
    }

    /// The current limits; `None` until the reference is big enough.
    pub fn limits(&self) -> Option<SampleLimits> {
        self.limits
    }

    fn compute(&self) -> Option<SampleLimits> {
        if self.sorted.len() < self.rule.min_reference.max(1) {
            return None;
        }
        let q = quantile_sorted(&self.sorted, self.rule.fast_quantile)?;
        let top = q + q.abs() * self.rule.fast_window;
        let end = self.sorted.partition_point(|&x| x <= top);
        let fast = &self.sorted[..end.max(1)];
        let center = median_sorted(fast)?;
        let limits = self
            .rule
            .limit_rule
            .limits_around(center, mad_sorted(fast)?);
        let tick = timer_tick(&self.sorted);
        let margin = limits.margin.max(tick.unwrap_or(0.0));
        Some(SampleLimits {
            center,
            lower: center - margin,
            upper: center + margin,
            tick,
        })
    }
}

/// The timer's tick per iteration, when sorted samples show one: at least
/// three distinct values but at most half as many as samples (a fine clock
/// gives nearly all distinct values), evenly spaced: every gap a whole
/// multiple of the smallest one, which is the tick. Two distinct values
/// alone cannot tell a tick from a fast or slow sample.
pub(crate) fn timer_tick(sorted: &[f64]) -> Option<f64> {
    let gaps: Vec<f64> = sorted
        .windows(2)
        .map(|pair| pair[1] - pair[0])
        .filter(|&gap| gap > 0.0)
        .collect();
    let distinct = gaps.len() + 1;
    if distinct < 3 || distinct * 2 > sorted.len() {
        return None;
    }
    let tick = gaps.iter().copied().fold(f64::INFINITY, f64::min);
    let whole = |gap: f64| ((gap / tick) - (gap / tick).round()).abs() < 0.05;
    gaps.iter().all(|&gap| whole(gap)).then_some(tick)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> AnchorRule {
        AnchorRule {
            fast_quantile: 0.1,
            fast_window: 0.15,
            limit_rule: LimitRule {
                k: 3.0,
                min_relative_margin: 0.02,
            },
            min_reference: 3,
        }
    }

    #[test]
    fn limits_anchor_on_the_fast_mode_when_most_samples_are_slow() {
        let mut m = FastMode::new(rule());
        // Three fast samples near 100, seven slow ones near 135.
        for x in [
            100.0, 101.0, 99.0, 135.0, 136.0, 134.0, 138.0, 133.0, 135.0, 137.0,
        ] {
            m.add(x);
        }
        let l = m.limits().unwrap();
        assert_eq!(l.center, 100.0);
        assert!(l.upper < 110.0, "{l:?}");
    }

    /// Limits computed from scratch for `values`.
    fn fresh(values: &[f64]) -> Option<SampleLimits> {
        let mut m = FastMode::new(rule());
        m.sorted = values.to_vec();
        m.sorted.sort_unstable_by(f64::total_cmp);
        m.refresh();
        m.limits()
    }

    #[test]
    fn a_large_reference_refreshes_its_limits_as_it_grows_by_a_sixteenth() {
        let mut m = FastMode::new(rule());
        let mut values: Vec<f64> = (0..64).map(|i| [100.0, 104.0][i % 2]).collect();
        values.iter().for_each(|&x| m.add(x));
        m.refresh();
        let at_64 = m.limits();
        assert_eq!(at_64.map(|l| l.center), Some(102.0));

        let three_more = [104.0; 3];
        three_more.iter().for_each(|&x| m.add(x));
        values.extend(three_more);
        assert_eq!(m.limits(), at_64, "67 < 64 + 64/16: not refreshed yet");
        assert_ne!(fresh(&values), at_64);

        m.add(104.0);
        values.push(104.0);
        assert_eq!(m.limits(), fresh(&values));
        assert_eq!(m.limits().map(|l| l.center), Some(104.0));

        m.add(10.0);
        values.push(10.0);
        m.refresh();
        assert_eq!(m.limits(), fresh(&values));
    }

    #[test]
    fn no_limits_before_the_minimum_reference() {
        let mut m = FastMode::new(rule());
        m.add(100.0);
        m.add(100.0);
        assert_eq!(m.limits(), None);
        m.add(f64::NAN);
        assert_eq!(m.limits(), None, "non-finite values are ignored");
        m.add(100.0);
        assert!(m.limits().is_some());
    }

    #[test]
    fn quantized_samples_widen_the_margin_to_one_tick() {
        let mut m = FastMode::new(rule());
        for x in [
            958.0, 1000.0, 1000.0, 1000.0, 1000.0, 1042.0, 1000.0, 1000.0,
        ] {
            m.add(x);
        }
        let l = m.limits().unwrap();
        assert_eq!(l.tick, Some(42.0));
        assert_eq!((l.lower, l.center, l.upper), (958.0, 1000.0, 1042.0));
    }

    #[test]
    fn a_fine_clock_shows_no_tick() {
        assert_eq!(timer_tick(&[1.0, 2.0, 3.5, 4.0, 7.0]), None);
        assert_eq!(timer_tick(&[5.0, 5.0, 5.0, 5.0]), None, "no gap at all");
        let two_values = [800.0, 1000.0, 1000.0, 1000.0, 1000.0, 1000.0];
        assert_eq!(timer_tick(&two_values), None, "a fast sample, not a tick");
        let uneven = [1.0, 1.0, 1.0, 2.0, 2.0, 3.5, 3.5, 3.5];
        assert_eq!(timer_tick(&uneven), None);
    }
}
