//! The sampler's settings, each default with the reason for its value.
//!
//! The numbers come from the noise measured on the 2-vCPU shared machines
//! perfgate runs on: 60–70% of samples can be at least 1.3× slower than the
//! floor, slow periods last from milliseconds to about 4 s, and the slow
//! periods are invisible to CPU-time accounting.

use std::time::Duration;

use crate::stats::limits::LimitRule;

/// Sleeps before retakes: `initial · factor^(attempt − 1)`, at most `cap`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// Sleep before the first retake.
    pub initial: Duration,
    /// Growth per further retake.
    pub factor: f64,
    /// Longest sleep.
    pub cap: Duration,
}

impl Backoff {
    /// 1 ms first: contention from a short burst (a timer, a page-cache
    /// flush) is often over by then, and a quiet machine pays almost
    /// nothing for the odd false alarm.
    pub const DEFAULT_INITIAL: Duration = Duration::from_millis(1);
    /// ×4: reaches the second range within six retakes (1, 4, 16, 64,
    /// 256, 1024 ms), so a slow period of unknown length is waited out
    /// with few wasted attempts.
    pub const DEFAULT_FACTOR: f64 = 4.0;
    /// 4 s: the longest slow period measured on these machines; sleeping
    /// longer than one such period buys nothing.
    pub const DEFAULT_CAP: Duration = Duration::from_secs(4);

    /// The sleep before `attempt` (attempt 0, the first measurement, has
    /// none).
    pub fn delay(&self, attempt: u32) -> Duration {
        if attempt == 0 {
            return Duration::ZERO;
        }
        // Past 2^10 retakes the growth has long hit the cap (or infinity).
        let exponent = (attempt - 1).min(1024) as i32;
        let growth = self.factor.max(1.0).powi(exponent);
        let ns = self.initial.as_nanos() as f64 * growth;
        let cap = self.cap.as_nanos() as f64;
        // `min` also tames an infinite growth for absurd attempt numbers.
        Duration::from_nanos(ns.min(cap) as u64)
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            initial: Self::DEFAULT_INITIAL,
            factor: Self::DEFAULT_FACTOR,
            cap: Self::DEFAULT_CAP,
        }
    }
}

/// How much retaking one benchmark may cost in total; when either limit is
/// reached, contended samples are flagged without a retake.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetakeBudget {
    /// Most retakes (attempts beyond the first) across all samples.
    pub max_retakes: Option<u32>,
    /// Most time spent on retakes: their sleeps plus their measurements.
    pub max_time: Option<Duration>,
}

impl RetakeBudget {
    /// 100 retakes: one per sample at criterion's default sample count.
    pub const DEFAULT_MAX_RETAKES: u32 = 100;
    /// 10 s: waits out about two of the longest slow periods (4 s) and
    /// keeps a suite of ten benchmarks within its few-minute budget even
    /// when every one of them meets contention.
    pub const DEFAULT_MAX_TIME: Duration = Duration::from_secs(10);

    /// No retakes at all (retakes off).
    pub fn none() -> Self {
        RetakeBudget {
            max_retakes: Some(0),
            max_time: Some(Duration::ZERO),
        }
    }
}

impl Default for RetakeBudget {
    fn default() -> Self {
        RetakeBudget {
            max_retakes: Some(Self::DEFAULT_MAX_RETAKES),
            max_time: Some(Self::DEFAULT_MAX_TIME),
        }
    }
}

/// Every setting of the [`Sampler`](super::Sampler).
#[derive(Debug, Clone, PartialEq)]
pub struct SamplerConfig {
    /// Samples taken before the first real sample to anchor the fast mode.
    pub pilot_samples: u32,
    /// The quantile of the reference samples that marks the fast mode.
    pub fast_quantile: f64,
    /// The fast mode spans `[q, q · (1 + fast_window)]` with `q` the
    /// [`fast_quantile`](Self::fast_quantile).
    pub fast_window: f64,
    /// Limits around the fast mode's median: `k` scaled MADs, at least a
    /// relative margin (the fallback when the MAD is 0).
    pub limit_rule: LimitRule,
    /// Reference samples needed before the upper limit is applied.
    pub min_reference: usize,
    /// More involuntary context switches than this in a sample make it
    /// contended.
    pub max_involuntary_switches: u64,
    /// Wall time above CPU time · (1 + slack) makes a sample contended;
    /// `None` turns the check off (for routines that sleep or do I/O).
    pub wall_cpu_slack: Option<f64>,
    /// Sleeps before retakes.
    pub backoff: Backoff,
    /// Most attempts per sample, the first included (1 = no retakes).
    pub max_attempts: u32,
    /// What retaking may cost per benchmark.
    pub budget: RetakeBudget,
    /// How long one sample should last when the sampler picks the
    /// iterations itself (standalone use and re-measuring).
    pub target_sample_time: Duration,
}

impl SamplerConfig {
    /// 5 pilot samples: with 60–70% of samples slow, five contain a fast
    /// one with probability 1 − 0.7⁵ ≈ 83%; when they do not, the anchor
    /// moves down as soon as fast samples arrive. More would cost 5% of a
    /// 100-sample benchmark per extra sample-set.
    pub const DEFAULT_PILOT_SAMPLES: u32 = 5;
    /// The 10% quantile: low enough to sit in the fast mode when most
    /// samples are slow, high enough not to be a single lucky minimum.
    pub const DEFAULT_FAST_QUANTILE: f64 = 0.10;
    /// 15%: half the gap to the slow mode (≥ 1.3× the floor), so the fast
    /// mode's own spread is inside and slow samples are not.
    pub const DEFAULT_FAST_WINDOW: f64 = 0.15;
    /// 3 values are the fewest whose median and MAD mean anything.
    pub const DEFAULT_MIN_REFERENCE: usize = 3;
    /// 0 switches: an involuntary switch means another runnable task took
    /// the CPU, which costs a whole time slice (milliseconds).
    pub const DEFAULT_MAX_SWITCHES: u64 = 0;
    /// 5%: interrupts and page faults are charged to the thread, so
    /// uncontended wall and CPU time agree to well under 1%; a preemption
    /// adds milliseconds of wall time only.
    pub const DEFAULT_WALL_CPU_SLACK: f64 = 0.05;
    /// 8 attempts: the seventh retake sleeps the 4 s cap, so one sample can
    /// outwait the longest slow period (≈ 5.4 s of sleep in all).
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 8;
    /// 2 ms: a thousand times the clock and sampler overhead (well under
    /// 1 µs), and short enough that most samples fall entirely inside or
    /// outside a slow period instead of straddling one.
    pub const DEFAULT_TARGET_SAMPLE_TIME: Duration = Duration::from_millis(2);

    /// The same settings with retakes turned off: contended samples are
    /// flagged at once.
    pub fn without_retakes(mut self) -> Self {
        self.max_attempts = 1;
        self.budget = RetakeBudget::none();
        self
    }
}

impl Default for SamplerConfig {
    fn default() -> Self {
        SamplerConfig {
            pilot_samples: Self::DEFAULT_PILOT_SAMPLES,
            fast_quantile: Self::DEFAULT_FAST_QUANTILE,
            fast_window: Self::DEFAULT_FAST_WINDOW,
            limit_rule: LimitRule::default(),
            min_reference: Self::DEFAULT_MIN_REFERENCE,
            max_involuntary_switches: Self::DEFAULT_MAX_SWITCHES,
            wall_cpu_slack: Some(Self::DEFAULT_WALL_CPU_SLACK),
            backoff: Backoff::default(),
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
            budget: RetakeBudget::default(),
            target_sample_time: Self::DEFAULT_TARGET_SAMPLE_TIME,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_backoff_grows_by_four_from_one_millisecond_to_a_four_second_cap() {
        let b = Backoff::default();
        let ms: Vec<u128> = (0..9).map(|a| b.delay(a).as_millis()).collect();
        assert_eq!(ms, [0, 1, 4, 16, 64, 256, 1024, 4000, 4000]);
        assert_eq!(b.delay(u32::MAX), Backoff::DEFAULT_CAP);
    }
}
