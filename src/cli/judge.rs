//! The call into [`crate::compare`] for one benchmark.

use crate::baseline::store::check_timings;
use crate::baseline::Summary;
use crate::compare::{Comparison, Side, Verdict};
use crate::config::Config;
use crate::Error;

use super::evaluate::{Measured, Pair};

/// Compares one pair at the configured threshold.
pub fn compare(config: &Config, id: &str, pair: &Pair) -> Result<Comparison, Error> {
    let threshold = config.threshold_for(id);
    let mut c = empty(id, threshold);
    match (&pair.baseline, &pair.candidate) {
        (Some(b), None) => {
            c.verdict = Verdict::Missing;
            c.baseline = Some(side(id, b, "the baseline")?);
        }
        (None, Some(k)) => {
            c.verdict = Verdict::New;
            c.candidate = Some(side(id, k, "the candidate")?);
        }
        (Some(b), Some(k)) => {
            let base = side(id, b, "the baseline")?;
            let cand = side(id, k, "the candidate")?;
            decide(&mut c, &base, &cand, config);
            c.baseline = Some(base);
            c.candidate = Some(cand);
        }
        (None, None) => {}
    }
    Ok(c)
}

fn side(id: &str, m: &Measured, what: &str) -> Result<Side, Error> {
    check_timings(id, &m.samples, what)?;
    let per_unit = m
        .throughput
        .map_or(1.0, |t| t.per_iteration().max(1) as f64);
    let samples: Vec<f64> = m.samples.iter().map(|x| x / per_unit).collect();
    Ok(Side {
        summary: Summary::of(&samples).expect("checked non-empty and finite"),
        samples,
        throughput: m.throughput,
    })
}

fn decide(c: &mut Comparison, base: &Side, cand: &Side, config: &Config) {
    let n = base.samples.len().min(cand.samples.len());
    let change = cand.summary.median / base.summary.median - 1.0;
    c.change = Some(change);
    c.verdict = if n < config.min_samples {
        c.notes.push(format!(
            "too few clean samples ({n} < {})",
            config.min_samples
        ));
        Verdict::Inconclusive
    } else if change > c.threshold {
        Verdict::Regressed
    } else if change < -c.threshold {
        Verdict::Improved
    } else {
        Verdict::Pass
    };
}

fn empty(id: &str, threshold: f64) -> Comparison {
    Comparison {
        id: id.to_owned(),
        renamed_from: None,
        verdict: Verdict::Pass,
        baseline: None,
        candidate: None,
        change: None,
        interval: None,
        p_value: None,
        threshold,
        retakes: 0,
        flagged: 0,
        confirmations: 0,
        notes: Vec::new(),
        records: Vec::new(),
    }
}
