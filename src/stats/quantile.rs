//! Sample quantiles, Hyndman–Fan definition 7.
//!
//! For sorted samples `x[0] ≤ … ≤ x[n−1]` and a probability `p` in
//! `[0, 1]`, let `h = (n − 1)·p`. The quantile is `x[⌊h⌋]` plus the
//! fraction `h − ⌊h⌋` of the gap to the next sample. This is the default of
//! R, NumPy (`method="linear"`) and spreadsheets, so reported figures can be
//! checked with any of them. Reference: R. J. Hyndman and Y. Fan, "Sample
//! quantiles in statistical packages", The American Statistician 50(4),
//! 1996.

/// Sorts a copy of `samples` in ascending order (total order, so a stray
/// NaN sorts last instead of panicking).
pub fn sorted(samples: &[f64]) -> Vec<f64> {
    let mut v = samples.to_vec();
    v.sort_unstable_by(f64::total_cmp);
    v
}

/// The `p`-quantile (definition 7) of samples already sorted ascending.
///
/// `p` is clamped to `[0, 1]`. Returns `None` for an empty slice.
/// The result always lies between the two samples it interpolates, so it is
/// monotone in `p` even under floating-point rounding.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let p = if p.is_nan() { 0.5 } else { p.clamp(0.0, 1.0) };
    let h = last as f64 * p;
    let lo = (h.floor() as usize).min(last);
    let frac = h - lo as f64;
    let a = sorted[lo];
    if frac <= 0.0 || lo == last {
        return Some(a);
    }
    let b = sorted[lo + 1];
    Some(interpolate(a, b, frac))
}

/// `a + frac·(b − a)`, kept inside `[a, b]` and finite for finite inputs.
fn interpolate(a: f64, b: f64, frac: f64) -> f64 {
    let gap = b - a;
    let q = if gap.is_finite() {
        a + frac * gap
    } else {
        // The gap overflows only for values near ±f64::MAX.
        (1.0 - frac) * a + frac * b
    };
    q.clamp(a.min(b), a.max(b))
}

/// The `p`-quantile (definition 7) of unsorted samples; `None` when empty.
pub fn quantile(samples: &[f64], p: f64) -> Option<f64> {
    quantile_sorted(&sorted(samples), p)
}

/// The median of samples already sorted ascending; `None` when empty.
pub fn median_sorted(sorted: &[f64]) -> Option<f64> {
    quantile_sorted(sorted, 0.5)
}

/// The median of unsorted samples; `None` when empty.
pub fn median(samples: &[f64]) -> Option<f64> {
    median_sorted(&sorted(samples))
}

/// The `p`-quantile (definition 7) of `buf`, reordering it in place
/// (linear time, no sort). Used by the bootstrap, where each resample is
/// thrown away afterwards.
pub(crate) fn quantile_in_place(buf: &mut [f64], p: f64) -> Option<f64> {
    let last = buf.len().checked_sub(1)?;
    let p = if p.is_nan() { 0.5 } else { p.clamp(0.0, 1.0) };
    let h = last as f64 * p;
    let lo = (h.floor() as usize).min(last);
    let frac = h - lo as f64;
    let (_, a, upper) = buf.select_nth_unstable_by(lo, f64::total_cmp);
    let a = *a;
    if frac <= 0.0 || upper.is_empty() {
        return Some(a);
    }
    let b = upper.iter().copied().min_by(f64::total_cmp)?;
    Some(interpolate(a, b, frac))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Reference: NumPy 2.4.6, `np.quantile(d, p, method="linear")` for
    // d = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3].
    const D: [f64; 10] = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0, 5.0, 3.0];

    #[test]
    fn quantiles_match_numpy_linear_method() {
        let cases = [
            (0.0, 1.0),
            (0.1, 1.0),
            (0.25, 2.25),
            (0.5, 3.5),
            (0.9, 6.299999999999999),
            (1.0, 9.0),
        ];
        for (p, want) in cases {
            let got = quantile(&D, p).unwrap();
            assert!((got - want).abs() < 1e-12, "p={p}: {got} != {want}");
        }
    }

    #[test]
    fn median_of_even_count_averages_the_middle_pair() {
        assert_eq!(median(&D), Some(3.5));
        assert_eq!(median(&[7.0]), Some(7.0));
    }

    #[test]
    fn empty_samples_have_no_quantile() {
        assert_eq!(quantile(&[], 0.5), None);
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn in_place_quantile_agrees_with_sorted_quantile() {
        for p in [0.0, 0.02, 0.1, 0.25, 0.5, 0.77, 1.0] {
            let mut buf = D.to_vec();
            assert_eq!(quantile_in_place(&mut buf, p), quantile(&D, p));
        }
    }

    proptest! {
        #[test]
        fn quantiles_are_monotone_in_p(
            xs in prop::collection::vec(-1e300f64..1e300, 1..60),
            p in 0.0f64..=1.0,
            q in 0.0f64..=1.0,
        ) {
            let s = sorted(&xs);
            let (lo, hi) = if p <= q { (p, q) } else { (q, p) };
            let a = quantile_sorted(&s, lo).unwrap();
            let b = quantile_sorted(&s, hi).unwrap();
            prop_assert!(a <= b, "q({lo})={a} > q({hi})={b}");
            prop_assert!(a.is_finite() && b.is_finite());
            prop_assert!(s[0] <= a && b <= s[s.len() - 1]);
        }

        #[test]
        fn in_place_median_equals_sorted_median(
            xs in prop::collection::vec(0.001f64..1e12, 1..80),
        ) {
            let mut buf = xs.clone();
            prop_assert_eq!(quantile_in_place(&mut buf, 0.5), median(&xs));
        }
    }
}
