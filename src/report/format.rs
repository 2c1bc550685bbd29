//! Numbers and words shared by every output, so the terminal, Markdown and
//! HTML say the same thing the same way. Missing or non-finite values are
//! printed as [`NA`], never `NaN` or `inf`.

use crate::compare::{Comparison, RunResults, Verdict};
use crate::units::Nanos;

/// Printed for a value that does not exist or is not finite.
pub const NA: &str = "n/a";

/// Printed for a p-value when both sides have zero spread.
pub const P_ZERO_SPREAD: &str = "not applicable (zero spread)";

/// Every verdict, in the order rows are listed: most in need of a
/// reader's attention first.
pub const VERDICT_ORDER: [Verdict; 6] = [
    Verdict::Regressed,
    Verdict::Inconclusive,
    Verdict::Missing,
    Verdict::Improved,
    Verdict::New,
    Verdict::Pass,
];

/// Position of a verdict in [`VERDICT_ORDER`].
pub fn verdict_rank(v: Verdict) -> usize {
    VERDICT_ORDER.iter().position(|&o| o == v).unwrap_or(0)
}

/// The comparisons in report order: by verdict rank, then by id.
pub fn ordered(results: &RunResults) -> Vec<&Comparison> {
    let mut rows: Vec<&Comparison> = results.comparisons.iter().collect();
    rows.sort_by(|a, b| {
        verdict_rank(a.verdict)
            .cmp(&verdict_rank(b.verdict))
            .then_with(|| a.id.cmp(&b.id))
    });
    rows
}

/// How many comparisons got each verdict, in [`VERDICT_ORDER`], zeros left
/// out.
pub fn verdict_counts(results: &RunResults) -> Vec<(Verdict, usize)> {
    VERDICT_ORDER
        .iter()
        .map(|&v| {
            let n = results
                .comparisons
                .iter()
                .filter(|c| c.verdict == v)
                .count();
            (v, n)
        })
        .filter(|&(_, n)| n > 0)
        .collect()
}

/// `2 regressed, 7 pass` (or `no benchmarks`).
pub fn counts_sentence(results: &RunResults) -> String {
    let parts: Vec<String> = verdict_counts(results)
        .iter()
        .map(|(v, n)| format!("{n} {v}"))
        .collect();
    if parts.is_empty() {
        "no benchmarks".to_string()
    } else {
        parts.join(", ")
    }
}

/// What an exit status means (DESIGN.md: 0 pass, 1 regression, 2 harness
/// or input error, 3 inconclusive).
pub fn exit_meaning(status: i32) -> &'static str {
    match status {
        0 => "pass",
        1 => "regression",
        2 => "harness or input error",
        3 => "inconclusive",
        _ => "unknown status",
    }
}

/// A per-iteration time in human units, or [`NA`].
pub fn nanos(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() => Nanos(v).to_string(),
        _ => NA.to_string(),
    }
}

/// A signed fraction as a percentage with two decimals (`+3.70%`).
pub fn percent(v: Option<f64>) -> String {
    match v {
        // Scaled, since a finite fraction above f64::MAX / 100 (only from
        // a hand-edited results.json) would print "+inf%".
        Some(v) if (v * 100.0).is_finite() => {
            // Avoid printing "-0.00%" for a change that rounds to zero.
            let pct = v * 100.0;
            let pct = if pct.abs() < 0.005 { 0.0 } else { pct };
            if pct.abs() >= 1e6 {
                // A change of 10 000× or more (absurd input): scientific
                // notation instead of hundreds of digits.
                return format!("{}{pct:.2e}%", if pct > 0.0 { "+" } else { "" });
            }
            format!("{pct:+.2}%")
        }
        _ => NA.to_string(),
    }
}

/// The change with its interval: `+3.70% [+1.20%, +6.10%]`.
pub fn change_with_interval(c: &Comparison) -> String {
    let change = percent(c.change);
    match c.interval {
        Some(i) if i.lo.is_finite() && i.hi.is_finite() && c.change.is_some() => {
            format!(
                "{change} [{}, {}]",
                percent(Some(i.lo)),
                percent(Some(i.hi))
            )
        }
        _ => change,
    }
}

/// A non-negative fraction as a percentage (`5.0%`).
pub fn threshold(v: f64) -> String {
    if v.is_finite() {
        format!("{:.1}%", v * 100.0)
    } else {
        NA.to_string()
    }
}

/// The p-value with three significant decimals, `< 0.001` below that, or
/// why it is missing.
pub fn p_value(c: &Comparison, zero_spread_text: &str) -> String {
    match c.p_value {
        Some(p) if p.is_finite() && p < 0.001 => "< 0.001".to_string(),
        Some(p) if p.is_finite() => format!("{p:.3}"),
        _ if zero_spread(c) => zero_spread_text.to_string(),
        _ => NA.to_string(),
    }
}

/// Both sides exist and every clean sample on each side is the same value.
pub fn zero_spread(c: &Comparison) -> bool {
    match (&c.baseline, &c.candidate) {
        (Some(b), Some(k)) => {
            b.summary.n > 0
                && k.summary.n > 0
                && b.summary.min == b.summary.max
                && k.summary.min == k.summary.max
        }
        _ => false,
    }
}

/// Retakes, with the flagged count when there is one: `3 (1 flagged)`.
pub fn retakes(c: &Comparison) -> String {
    if c.flagged > 0 {
        format!("{} ({} flagged)", c.retakes, c.flagged)
    } else {
        c.retakes.to_string()
    }
}

/// Median of the baseline's clean samples, if there is a baseline with
/// any (the summary of no samples holds a median of 0, not one to show).
pub fn baseline_median(c: &Comparison) -> Option<f64> {
    side_median(c.baseline.as_ref())
}

/// Median of the candidate's clean samples, if the benchmark ran and kept
/// any.
pub fn candidate_median(c: &Comparison) -> Option<f64> {
    side_median(c.candidate.as_ref())
}

fn side_median(side: Option<&crate::compare::Side>) -> Option<f64> {
    side.filter(|s| s.summary.n > 0).map(|s| s.summary.median)
}

/// What the machine canary says of this machine's speed, for every
/// report: `machine canary: +2.10% [+0.40%, +3.90%] against its baseline
/// (pass)`, or `None` without a canary comparison.
pub fn canary_sentence(results: &RunResults) -> Option<String> {
    let c = results.machine_canary.as_ref()?;
    let doubt = match c.clear_slowdown() {
        Some(_) => {
            "; slowdowns of the benchmarks not adjusted for the machine's speed are \
             not judged regressed while the machine is this slow"
        }
        None => "",
    };
    Some(format!(
        "machine canary: {} against its baseline ({}){doubt}",
        change_with_interval(c),
        c.verdict
    ))
}

/// The settings line of a report header.
pub fn settings_sentence(results: &RunResults) -> String {
    let s = &results.settings;
    let machine = if s.adjust_for_machine {
        format!(
            "; adjusted for the machine's speed within ±{}",
            threshold(s.max_machine_change)
        )
    } else {
        String::new()
    };
    format!(
        "statistic {}, default threshold {}, alpha {}, {}% interval from {} \
         bootstrap resamples (seed {}), at least {} clean samples per side{machine}",
        s.statistic,
        threshold(s.default_threshold),
        finite_or_na(s.alpha),
        finite_or_na(s.confidence * 100.0),
        s.resamples,
        s.seed,
        s.min_samples
    )
}

/// A plain number, or [`NA`] when it is not finite.
pub fn finite_or_na(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        NA.to_string()
    }
}

/// The confidence level of the interval column header (`95%`).
pub fn confidence_label(results: &RunResults) -> String {
    let level = results.settings.confidence * 100.0;
    if level.is_finite() {
        format!("{level:.0}%")
    } else {
        NA.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_never_prints_nan_or_negative_zero() {
        assert_eq!(percent(Some(0.037)), "+3.70%");
        assert_eq!(percent(Some(-0.00001)), "+0.00%");
        assert_eq!(percent(Some(f64::NAN)), NA);
        assert_eq!(percent(Some(f64::INFINITY)), NA);
        assert_eq!(percent(None), NA);
    }

    #[test]
    fn percent_of_a_huge_change_prints_in_scientific_notation() {
        assert_eq!(percent(Some(1e300)), "+1.00e302%");
        assert_eq!(percent(Some(-1e5)), "-1.00e7%");
        assert_eq!(percent(Some(9999.0)), "+999900.00%");
    }

    #[test]
    fn percent_of_a_change_too_large_to_scale_is_na_not_inf() {
        assert_eq!(percent(Some(1e308)), NA);
        assert_eq!(percent(Some(-1e308)), NA);
        assert_eq!(percent(Some(1e300)).chars().last(), Some('%'));
    }

    #[test]
    fn nanos_of_a_non_finite_value_is_na() {
        assert_eq!(nanos(Some(f64::NEG_INFINITY)), NA);
        assert_eq!(nanos(Some(27.0)), "27.00 ns");
    }

    #[test]
    fn exit_statuses_have_their_documented_meaning() {
        assert_eq!(exit_meaning(0), "pass");
        assert_eq!(exit_meaning(1), "regression");
        assert_eq!(exit_meaning(2), "harness or input error");
        assert_eq!(exit_meaning(3), "inconclusive");
    }
}
