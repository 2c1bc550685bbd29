//! Tukey's fences and the classification of samples against them.
//!
//! With quartiles Q1, Q3 (definition 7, see [`mod@super::quantile`]) and
//! IQR = Q3 − Q1:
//!
//! ```text
//!  low severe | low mild |      normal       | high mild | high severe
//! ------------+----------+-------------------+-----------+-------------
//!         Q1 − 3·IQR  Q1 − 1.5·IQR   Q3 + 1.5·IQR  Q3 + 3·IQR
//!        (outer)        (inner)          (inner)     (outer)
//! ```
//!
//! A sample on a fence belongs to the class nearer the middle. Every sample
//! gets exactly one class, so the counts always sum to the sample count.
//! With an IQR of 0 (most samples on one timer tick, case C02) inner and
//! outer fences coincide and every sample off that tick is severe: fences
//! describe the shape of the data, and the sampler's contention limits
//! ([`super::limits`]) are what decide retakes. Reference: J. W. Tukey,
//! *Exploratory Data Analysis*, 1977.

use serde::{Deserialize, Serialize};

use super::quantile::{quantile_sorted, sorted};

/// Multiple of the IQR from a quartile to an inner fence.
pub const INNER: f64 = 1.5;
/// Multiple of the IQR from a quartile to an outer fence.
pub const OUTER: f64 = 3.0;

/// The four fences of a set of samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Fences {
    /// Q1 − 3·IQR.
    pub low_outer: f64,
    /// Q1 − 1.5·IQR.
    pub low_inner: f64,
    /// Q3 + 1.5·IQR.
    pub high_inner: f64,
    /// Q3 + 3·IQR.
    pub high_outer: f64,
}

/// Where a sample lies relative to the fences.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Below the low outer fence.
    LowSevere,
    /// Below the low inner fence, on or above the outer one.
    LowMild,
    /// Between the inner fences, inclusive.
    Normal,
    /// Above the high inner fence, on or below the outer one.
    HighMild,
    /// Above the high outer fence.
    HighSevere,
}

/// How many samples fall in each class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ClassCounts {
    /// Samples below the low outer fence.
    pub low_severe: usize,
    /// Samples between the low fences.
    pub low_mild: usize,
    /// Samples between the inner fences.
    pub normal: usize,
    /// Samples between the high fences.
    pub high_mild: usize,
    /// Samples above the high outer fence.
    pub high_severe: usize,
}

impl ClassCounts {
    /// Sum of all classes: the number of samples classified.
    pub fn total(&self) -> usize {
        self.low_severe + self.low_mild + self.normal + self.high_mild + self.high_severe
    }

    fn add(&mut self, class: Class) {
        let slot = match class {
            Class::LowSevere => &mut self.low_severe,
            Class::LowMild => &mut self.low_mild,
            Class::Normal => &mut self.normal,
            Class::HighMild => &mut self.high_mild,
            Class::HighSevere => &mut self.high_severe,
        };
        *slot += 1;
    }
}

impl Fences {
    /// The fences of `samples`; `None` when there are none.
    pub fn of(samples: &[f64]) -> Option<Fences> {
        let s = sorted(samples);
        let q1 = quantile_sorted(&s, 0.25)?;
        let q3 = quantile_sorted(&s, 0.75)?;
        let iqr = q3 - q1;
        Some(Fences {
            low_outer: q1 - OUTER * iqr,
            low_inner: q1 - INNER * iqr,
            high_inner: q3 + INNER * iqr,
            high_outer: q3 + OUTER * iqr,
        })
    }

    /// The class of one sample.
    pub fn classify(&self, x: f64) -> Class {
        if x < self.low_outer {
            Class::LowSevere
        } else if x < self.low_inner {
            Class::LowMild
        } else if x > self.high_outer {
            Class::HighSevere
        } else if x > self.high_inner {
            Class::HighMild
        } else {
            Class::Normal
        }
    }

    /// The class counts of `samples` against these fences.
    pub fn count(&self, samples: &[f64]) -> ClassCounts {
        let mut counts = ClassCounts::default();
        for &x in samples {
            counts.add(self.classify(x));
        }
        counts
    }
}

/// Fences of `samples` and the class of each sample, in input order;
/// `None` when there are no samples.
pub fn classify(samples: &[f64]) -> Option<(Fences, Vec<Class>)> {
    let fences = Fences::of(samples)?;
    let classes = samples.iter().map(|&x| fences.classify(x)).collect();
    Some((fences, classes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // Case C02: three 958, fourteen 1000, three 1042; Q1 = Q3 = 1000.
    #[test]
    fn timer_tick_samples_get_one_class_each_with_zero_iqr() {
        let mut v = vec![958.0; 3];
        v.extend([1000.0; 14]);
        v.extend([1042.0; 3]);
        let f = Fences::of(&v).unwrap();
        assert_eq!((f.low_outer, f.high_outer), (1000.0, 1000.0));
        let c = f.count(&v);
        assert_eq!(c.low_severe, 3);
        assert_eq!(c.normal, 14);
        assert_eq!(c.high_severe, 3);
        assert_eq!(c.low_mild + c.high_mild, 0);
        assert_eq!(c.total(), 20);
    }

    #[test]
    fn samples_on_a_fence_belong_to_the_inner_class() {
        // Q1 = 2, Q3 = 4, IQR = 2: inner fences −1 and 7, outer −4 and 10.
        let f = Fences::of(&[1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        assert_eq!(f.classify(7.0), Class::Normal);
        assert_eq!(f.classify(7.5), Class::HighMild);
        assert_eq!(f.classify(10.0), Class::HighMild);
        assert_eq!(f.classify(10.5), Class::HighSevere);
        assert_eq!(f.classify(-1.0), Class::Normal);
        assert_eq!(f.classify(-4.0), Class::LowMild);
        assert_eq!(f.classify(-4.5), Class::LowSevere);
    }

    proptest! {
        #[test]
        fn class_counts_sum_to_the_sample_count(
            xs in prop::collection::vec(-1e12f64..1e12, 1..200),
        ) {
            let (fences, classes) = classify(&xs).unwrap();
            prop_assert_eq!(classes.len(), xs.len());
            prop_assert_eq!(fences.count(&xs).total(), xs.len());
            prop_assert!(fences.low_outer <= fences.low_inner);
            prop_assert!(fences.high_inner <= fences.high_outer);
        }
    }
}
