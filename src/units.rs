//! Units carried in types.

use serde::{Deserialize, Serialize};

/// A duration in nanoseconds, as a float so that sub-nanosecond
/// per-iteration times are not truncated.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Nanos(pub f64);

impl Nanos {
    /// The raw value in nanoseconds.
    pub fn get(self) -> f64 {
        self.0
    }
}

impl std::fmt::Display for Nanos {
    /// Human units: `1.23 µs`, `45.6 ms`, three significant digits.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = self.0;
        let (scaled, unit) = if !v.is_finite() {
            return write!(f, "n/a");
        } else if v.abs() >= 1e9 {
            (v / 1e9, "s")
        } else if v.abs() >= 1e6 {
            (v / 1e6, "ms")
        } else if v.abs() >= 1e3 {
            (v / 1e3, "µs")
        } else {
            (v, "ns")
        };
        if scaled.abs() >= 1e6 {
            // Over eleven days per iteration: only from absurd input, and
            // hundreds of digits help nobody.
            return write!(f, "{scaled:.2e} {unit}");
        }
        let digits = if scaled.abs() >= 100.0 {
            1
        } else if scaled.abs() >= 10.0 {
            2
        } else {
            3
        };
        write!(f, "{scaled:.digits$} {unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::Nanos;

    #[test]
    fn absurdly_long_times_print_in_scientific_notation() {
        assert_eq!(Nanos(1e307).to_string(), "1.00e298 s");
        assert_eq!(Nanos(1e17).to_string(), "1.00e8 s");
    }

    #[test]
    fn display_picks_a_human_unit() {
        assert_eq!(Nanos(1.8).to_string(), "1.800 ns");
        assert_eq!(Nanos(1234.0).to_string(), "1.234 µs");
        assert_eq!(Nanos(45_600_000.0).to_string(), "45.60 ms");
        assert_eq!(Nanos(3e10).to_string(), "30.00 s");
        assert_eq!(Nanos(f64::NAN).to_string(), "n/a");
    }
}
