//! The real [`Gate`]: perfgate's sampler on the machine's clocks, and the
//! comparison the gate after `cargo bench` makes, at the settings of the
//! committed configuration.
//!
//! Each measurement is the benchmark suite's standalone measurement
//! ([`Suite::remeasure`], what the gate calls to confirm a verdict): a
//! pilot batch, then criterion's default of 100 samples of about the
//! sampler's target sample time each, retakes as configured, with the
//! machine canary read just before and after (the machine adjustment of
//! the comparison, see [`crate::compare::verdict`]). The
//! comparison goes through
//! [`crate::cli::evaluate::judge_pair`], the function `cargo bench`'s gate
//! and `perfgate check` call, so calibration judges exactly as they do.

// A trial's first measurement is the standalone one, while under `cargo
// bench` it is criterion's linear sampling (samples of growing length, about
// 8 s with warm-up), which would make a trial with its two confirmations
// last over 10 s. scripts/compare-with-criterion.sh covers that path: the
// busy loop through `cargo bench` itself, A/A, criterion and perfgate
// judging the same runs (the README has its figures).

use std::path::Path;
use std::time::Duration;

use super::routine::BusyLoop;
use super::runner::{Gate, BENCH_ID};
use crate::baseline::{Baseline, Fingerprint};
use crate::cli::evaluate::{judge_pair, Measured, Pair};
use crate::compare::{Comparison, Input};
use crate::config::Config;
use crate::sampler::{BenchRecord, Case, SamplerConfig, Suite, SuiteConfig};
use crate::{Error, Result};

/// The sampler and comparison of the gate, on this machine.
#[derive(Debug, Clone)]
pub struct SamplerGate {
    config: Config,
    sampler: SamplerConfig,
    machine: Fingerprint,
}

impl SamplerGate {
    /// The gate configured by `config_path` (built-in defaults when the
    /// file does not exist), with the default threshold replaced by
    /// `threshold` when given. Returns the configuration's warnings too.
    ///
    /// # Errors
    /// An unreadable or invalid configuration, or a threshold that is not
    /// a fraction ≥ 0.
    pub fn load(
        config_path: &Path,
        threshold: Option<f64>,
    ) -> Result<(Self, Vec<String>)> {
        let loaded = Config::load(config_path, false)?;
        let mut config = loaded.config;
        if let Some(t) = threshold {
            if !(t.is_finite() && t >= 0.0) {
                return Err(Error::Usage {
                    message: format!("--threshold: {t} is not a fraction ≥ 0"),
                    hint: "give a fraction, e.g. --threshold 0.05 for 5%".into(),
                });
            }
            config.threshold = t;
            config.thresholds.remove(BENCH_ID);
        }
        let gate = SamplerGate {
            config,
            sampler: SamplerConfig::default(),
            machine: Fingerprint::current(),
        };
        Ok((gate, loaded.warnings))
    }

    /// The settings in force, one line each, for the report header.
    pub fn describe(&self) -> Vec<String> {
        let c = &self.config;
        let s = &self.sampler;
        vec![
            format!(
                "compare: threshold {:.1}%, alpha {}, confidence {}, {} clean samples \
                 needed; {} confirmations after {} ms, doubling",
                c.threshold_for(BENCH_ID) * 100.0,
                c.alpha,
                c.confidence,
                c.min_samples,
                c.confirm_retries,
                c.confirm_backoff.as_millis(),
            ),
            format!(
                "sampler: {} samples of ~{} ms after {} pilot samples; \
                 retakes: up to {} attempts a sample",
                Case::DEFAULT_SAMPLE_SIZE,
                s.target_sample_time.as_millis(),
                s.pilot_samples,
                s.max_attempts,
            ),
        ]
    }
}

impl Gate for SamplerGate {
    fn measure(&mut self, busy: &BusyLoop, retakes: bool) -> Result<BenchRecord> {
        let mut config = SuiteConfig::from_env();
        config.sampler = if retakes {
            self.sampler.clone()
        } else {
            self.sampler.clone().without_retakes()
        };
        config.remeasure_delay = Duration::ZERO;
        let busy = *busy;
        let mut suite = Suite::new(config);
        suite.bench(BENCH_ID, None, move || busy.iterate());
        suite.remeasure(BENCH_ID)
    }

    fn compare(
        &mut self,
        baseline: &BenchRecord,
        candidate: &BenchRecord,
    ) -> Result<Comparison> {
        let saved = Baseline::from_record(
            baseline,
            self.machine.clone(),
            None,
            baseline.finished_at.clone(),
        )?;
        let pair = Pair {
            id: BENCH_ID.to_string(),
            renamed_from: None,
            baseline: Some(Measured {
                input: Input::from_baseline(&saved),
                fingerprint: Some(self.machine.clone()),
            }),
            candidate: Some(Measured::from_record(candidate, &self.machine)),
        };
        judge_pair(&self.config, &pair)
    }

    fn confirmation(&self) -> (u32, Duration) {
        (self.config.confirm_retries, self.config.confirm_backoff)
    }

    fn sleep(&mut self, wait: Duration) {
        crate::interrupt::sleep(wait);
    }
}
