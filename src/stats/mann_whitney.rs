//! Two-sided Mann–Whitney U test (Wilcoxon rank-sum test).
//!
//! `U` of the first sample counts the pairs `(x, y)` with `x > y`, a tie
//! counting one half; it equals `R₁ − n₁(n₁+1)/2` with `R₁` the sum of the
//! first sample's mid-ranks in the pooled samples.
//!
//! - **Exact** when neither side has more than [`EXACT_MAX_N`] = 20 samples
//!   and no value occurs twice in the pooled samples: the null distribution
//!   of `U` is counted exactly as the coefficients of the Gaussian binomial
//!   coefficient `[n₁+n₂ choose n₁]_q`, and `p = 2·P(U ≤ min(U, n₁n₂ − U))`,
//!   capped at 1. Up to 20 + 20 the counts stay below 2·10¹¹, so `i128`
//!   arithmetic is exact and the work (n₁ · n₁n₂ steps) is negligible.
//! - **Normal approximation** otherwise, with the tie-corrected variance
//!   `n₁n₂/12 · ((n+1) − Σ(t³ − t)/(n(n−1)))` (t = size of each group of
//!   equal values) and a continuity correction of 0.5; the tail comes from
//!   `statrs`' standard normal.
//!
//! Both match `scipy.stats.mannwhitneyu(x, y, alternative="two-sided")`
//! with `method="exact"` and `method="asymptotic"` respectively.
//!
//! No test is run when it cannot say anything: when one side is empty, when
//! every pooled value is the same (zero spread on both sides, identical),
//! or when even the most extreme ordering could not reach `alpha`
//! (`2 / C(n₁+n₂, n₁) ≥ alpha`, e.g. 3 against 3 samples: 0.1). Reference:
//! H. B. Mann and D. R. Whitney, Ann. Math. Statist. 18(1), 1947.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal};

/// Largest side for which the exact distribution is used (when untied).
pub const EXACT_MAX_N: usize = 20;

/// How the p-value was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Exact null distribution (small samples, no ties).
    Exact,
    /// Normal approximation, tie-corrected, with continuity correction.
    Normal,
}

/// Why no test was run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoTest {
    /// One side has no samples.
    Empty,
    /// Every sample on both sides has the same value.
    ZeroSpread,
    /// Too few samples: the smallest p-value these sizes allow, `min_p`,
    /// is not below alpha.
    TooFewSamples {
        /// Smallest attainable two-sided p-value for the sample sizes.
        min_p: f64,
    },
}

impl NoTest {
    /// Plain words for reports (`not applicable (zero spread)`).
    pub fn describe(&self) -> String {
        match self {
            NoTest::Empty => "not applicable (no samples)".to_string(),
            NoTest::ZeroSpread => "not applicable (zero spread)".to_string(),
            NoTest::TooFewSamples { min_p } => {
                format!("not applicable (too few samples: p ≥ {min_p:.3} at best)")
            }
        }
    }
}

/// The outcome of [`mann_whitney`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UTest {
    /// The test ran.
    Tested {
        /// U statistic of the first sample.
        u: f64,
        /// Two-sided p-value, in `[0, 1]`.
        p: f64,
        /// How `p` was computed.
        method: Method,
    },
    /// No test was run, and why.
    NotApplicable(NoTest),
}

impl UTest {
    /// The p-value when the test ran.
    pub fn p_value(&self) -> Option<f64> {
        match self {
            UTest::Tested { p, .. } => Some(*p),
            UTest::NotApplicable(_) => None,
        }
    }
}

/// Two-sided Mann–Whitney U test of `x` against `y` at level `alpha`
/// (used only to decide whether significance is reachable at all).
pub fn mann_whitney(x: &[f64], y: &[f64], alpha: f64) -> UTest {
    let (n1, n2) = (x.len(), y.len());
    if n1 == 0 || n2 == 0 {
        return UTest::NotApplicable(NoTest::Empty);
    }
    let min_p = min_attainable_p(n1, n2);
    if min_p >= alpha {
        return UTest::NotApplicable(NoTest::TooFewSamples { min_p });
    }
    let ranked = rank(x, y);
    if ranked.tie_term == cube_minus(n1 + n2) {
        return UTest::NotApplicable(NoTest::ZeroSpread);
    }
    let u = ranked.rank_sum_x - (n1 * (n1 + 1)) as f64 / 2.0;
    let exact = ranked.tie_term == 0.0 && n1.max(n2) <= EXACT_MAX_N;
    let (p, method) = if exact {
        (exact_p(u, n1, n2), Method::Exact)
    } else {
        (normal_p(u, n1, n2, ranked.tie_term), Method::Normal)
    };
    UTest::Tested { u, p, method }
}

/// `2 / C(n₁+n₂, n₁)`, capped at 1: the p-value of complete separation.
pub fn min_attainable_p(n1: usize, n2: usize) -> f64 {
    // ln C(n, k) through ln Γ keeps this finite for any sizes.
    let ln_c = statrs::function::factorial::ln_binomial((n1 + n2) as u64, n1 as u64);
    (2.0 * (-ln_c).exp()).min(1.0)
}

/// Rank sum of `x` in the pooled samples and the tie term Σ(t³ − t).
struct Ranked {
    rank_sum_x: f64,
    tie_term: f64,
}

fn rank(x: &[f64], y: &[f64]) -> Ranked {
    let mut pooled: Vec<(f64, bool)> = x.iter().map(|&v| (v, true)).collect();
    pooled.extend(y.iter().map(|&v| (v, false)));
    pooled.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));

    let mut rank_sum_x = 0.0;
    let mut tie_term = 0.0;
    let mut start = 0;
    while start < pooled.len() {
        let end = start + pooled[start..].partition_point(|p| p.0 == pooled[start].0);
        // Positions start..end (0-based) share the mid-rank of ranks
        // start+1 ..= end.
        let mid_rank = (start + 1 + end) as f64 / 2.0;
        let in_x = pooled[start..end].iter().filter(|p| p.1).count();
        rank_sum_x += mid_rank * in_x as f64;
        tie_term += cube_minus(end - start);
        start = end;
    }
    Ranked {
        rank_sum_x,
        tie_term,
    }
}

/// `t³ − t` as a float (exact below 2⁵³).
fn cube_minus(t: usize) -> f64 {
    let t = t as f64;
    t * t * t - t
}

fn normal_p(u: f64, n1: usize, n2: usize, tie_term: f64) -> f64 {
    let (n1, n2) = (n1 as f64, n2 as f64);
    let n = n1 + n2;
    let mean = n1 * n2 / 2.0;
    let variance = n1 * n2 / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
    if variance <= 0.0 {
        return 1.0;
    }
    let z = ((u - mean).abs() - 0.5) / variance.sqrt();
    (2.0 * Normal::standard().sf(z)).clamp(0.0, 1.0)
}

fn exact_p(u: f64, n1: usize, n2: usize) -> f64 {
    let counts = u_counts(n1, n2);
    let total: i128 = counts.iter().sum();
    // Untied U is a whole number; round away float noise of the rank sum.
    let u = u.round() as usize;
    let smaller = u.min(n1 * n2 - u);
    let tail: i128 = counts[..=smaller].iter().sum();
    (2.0 * tail as f64 / total as f64).min(1.0)
}

/// Number of orderings giving each value of U, for sizes `n1`, `n2`: the
/// coefficients of `[n1+n2 choose n1]_q`, built by
/// `[n+i choose i]_q = [n+i−1 choose i−1]_q · (1 − q^(n+i)) / (1 − q^i)`.
fn u_counts(n1: usize, n2: usize) -> Vec<i128> {
    let mut poly = vec![0_i128; n1 * n2 + 1];
    poly[0] = 1;
    for i in 1..=n1 {
        let degree = i * n2;
        let shift = n2 + i;
        // Only coefficients up to the new degree matter: the division
        // below reads no higher.
        for k in (shift..=degree).rev() {
            poly[k] -= poly[k - shift];
        }
        for k in i..=degree {
            poly[k] += poly[k - i];
        }
    }
    poly
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tested(t: UTest) -> (f64, f64, Method) {
        match t {
            UTest::Tested { u, p, method } => (u, p, method),
            other => panic!("expected a test, got {other:?}"),
        }
    }

    // Case C14. Reference: SciPy 1.17.1,
    // mannwhitneyu(candidate, baseline, method="asymptotic")
    // -> statistic 59.5, pvalue 0.004139002236262862 (also its "auto").
    #[test]
    fn tied_samples_match_scipy_asymptotic_p_value() {
        let baseline = [100.0, 101.0, 99.0, 100.0, 102.0, 100.0, 101.0, 99.0];
        let candidate = [100.0, 150.0, 151.0, 149.0, 152.0, 150.0, 151.0, 149.0];
        let (u, p, method) = tested(mann_whitney(&candidate, &baseline, 0.05));
        assert_eq!(method, Method::Normal);
        assert_eq!(u, 59.5);
        assert!((p - 0.004139002236262862).abs() < 1e-12, "p = {p}");
    }

    // Reference: SciPy 1.17.1, mannwhitneyu(x, y, method="exact").
    #[test]
    fn small_untied_samples_match_scipy_exact_p_value() {
        let x = [1.1, 2.3, 0.7, 4.5, 3.3];
        let y = [5.1, 6.2, 2.9, 7.4, 8.8, 9.0];
        let (u, p, method) = tested(mann_whitney(&x, &y, 0.05));
        assert_eq!(method, Method::Exact);
        assert_eq!(u, 2.0);
        assert!((p - 0.017316017316017316).abs() < 1e-15);

        let x = [3.1, 4.7, 2.2, 5.9, 1.4, 8.8, 7.3, 6.6, 0.5, 9.9, 2.8, 4.1];
        let y = [
            5.2, 6.1, 9.3, 7.7, 8.4, 10.2, 11.5, 3.3, 12.9, 6.8, 9.6, 10.8, 13.1, 7.1,
            12.2,
        ];
        let (u, p, _) = tested(mann_whitney(&x, &y, 0.05));
        assert_eq!(u, 28.0);
        assert!((p - 0.001739429562824367).abs() < 1e-15, "p = {p}");
    }

    // Reference: SciPy 1.17.1, mannwhitneyu(1..=20, 21..=40,
    // method="exact") -> pvalue 1.4508889103849684e-11 (= 2 / C(40, 20)).
    #[test]
    fn exact_distribution_holds_at_the_largest_exact_size() {
        let x: Vec<f64> = (1..=20).map(f64::from).collect();
        let y: Vec<f64> = (21..=40).map(f64::from).collect();
        let (u, p, method) = tested(mann_whitney(&x, &y, 0.05));
        assert_eq!((u, method), (0.0, Method::Exact));
        assert!((p / 1.4508889103849684e-11 - 1.0).abs() < 1e-12);
    }

    // Reference: SciPy 1.17.1, asymptotic, 30 against 25 untied samples
    // (NumPy default_rng(7) normals rounded to 3 decimals)
    // -> statistic 135.0, pvalue 5.159344297745828e-05.
    #[test]
    fn large_untied_samples_use_the_normal_approximation() {
        let x = [
            100.006, 101.494, 98.629, 95.547, 97.727, 95.042, 100.301, 106.701, 97.539,
            96.898, 102.449, 101.784, 100.527, 95.348, 99.854, 103.477, 93.279, 97.712,
            90.494, 93.552, 90.791, 98.825, 93.663, 101.356, 100.784, 99.065, 87.416,
            97.307, 99.757, 100.567,
        ];
        let y = [
            96.349, 101.611, 99.107, 99.956, 109.304, 99.962, 103.837, 108.422, 101.082,
            103.441, 104.552, 104.319, 97.875, 104.381, 110.794, 96.264, 108.297,
            104.597, 100.793, 114.002, 107.811, 98.004, 104.373, 106.883, 103.056,
        ];
        let (u, p, method) = tested(mann_whitney(&x, &y, 0.05));
        assert_eq!((u, method), (135.0, Method::Normal));
        // statrs' and SciPy's normal tails agree to about 1e-10 relative.
        assert!((p / 5.159344297745828e-05 - 1.0).abs() < 1e-9, "p = {p}");
    }

    // Case C03, variant. Reference: SciPy 1.17.1, mannwhitneyu([28]*20,
    // [27]*20, method="asymptotic") -> pvalue 4.682682358742056e-10.
    #[test]
    fn two_different_constant_sides_are_tested_with_tie_correction() {
        let (u, p, _) = tested(mann_whitney(&[28.0; 20], &[27.0; 20], 0.05));
        assert_eq!(u, 400.0);
        assert!((p / 4.682682358742056e-10 - 1.0).abs() < 1e-9, "p = {p}");
    }

    // Case C03: twenty samples of 27 on both sides.
    #[test]
    fn identical_constant_sides_are_not_applicable() {
        let t = mann_whitney(&[27.0; 20], &[27.0; 20], 0.05);
        assert_eq!(t, UTest::NotApplicable(NoTest::ZeroSpread));
        assert_eq!(t.p_value(), None);
    }

    #[test]
    fn three_against_three_samples_cannot_reach_five_percent() {
        // Reference: SciPy 1.17.1, exact, [1,2,3] vs [4,5,6] -> 0.1.
        let t = mann_whitney(&[1.0, 2.0, 3.0], &[4.0, 5.0, 6.0], 0.05);
        match t {
            UTest::NotApplicable(NoTest::TooFewSamples { min_p }) => {
                assert!((min_p - 0.1).abs() < 1e-12)
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            mann_whitney(&[], &[1.0], 0.05),
            UTest::NotApplicable(NoTest::Empty)
        );
    }

    #[test]
    fn exact_counts_sum_to_the_number_of_orderings() {
        // C(10, 4) = 210 orderings; U ranges over 0..=24 symmetrically.
        let c = u_counts(4, 6);
        assert_eq!(c.iter().sum::<i128>(), 210);
        assert_eq!(c.len(), 25);
        assert!((0..25).all(|k| c[k] == c[24 - k] && c[k] > 0));
    }

    proptest! {
        #[test]
        fn p_values_are_probabilities_and_symmetric(
            x in prop::collection::vec(0.0f64..50.0, 1..40),
            y in prop::collection::vec(0.0f64..50.0, 1..40),
        ) {
            let a = mann_whitney(&x, &y, 0.05);
            let b = mann_whitney(&y, &x, 0.05);
            prop_assert_eq!(a.p_value().is_some(), b.p_value().is_some());
            if let (Some(p), Some(q)) = (a.p_value(), b.p_value()) {
                prop_assert!((0.0..=1.0).contains(&p));
                prop_assert!((p - q).abs() < 1e-12);
            }
        }
    }
}
