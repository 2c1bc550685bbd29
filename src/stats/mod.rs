//! Robust statistics for timing samples.
//!
//! Everything here works on plain `f64` samples (nanoseconds per iteration,
//! or per element) and never panics on any input; functions that need at
//! least one sample return `Option`.
//!
//! | item | method |
//! |---|---|
//! | [`quantile()`], [`median`] | Hyndman–Fan definition 7 (linear interpolation, as R and NumPy) |
//! | [`Summary`], [`mean`], [`mad`] | n, median, MAD, exact shifted compensated mean, min, max |
//! | [`LimitRule`] | `center ± k · 1.4826 · MAD`, floored at a fraction of the center |
//! | [`Fences`], [`Class`] | Tukey's inner (1.5·IQR) and outer (3·IQR) fences |
//! | [`bootstrap_change`] | seeded percentile bootstrap of the change of a [`Location`] |
//! | [`mann_whitney()`] | two-sided U test, exact or tie-corrected normal |
//! | [`drift()`] | first third against last third of a run |
//!
//! Each submodule's documentation names its constants, why they were
//! chosen, and a reference.

pub mod bootstrap;
pub mod drift;
pub mod fences;
pub mod limits;
pub mod mann_whitney;
pub mod quantile;
pub mod summary;

pub use bootstrap::{
    bootstrap_change, bootstrap_distribution, BootstrapOptions, ChangeInterval, Location,
};
pub use drift::{drift, Drift, MIN_DRIFT_SAMPLES};
pub use fences::{classify, Class, ClassCounts, Fences};
pub use limits::{LimitRule, Limits};
pub use mann_whitney::{mann_whitney, min_attainable_p, Method, NoTest, UTest};
pub use quantile::{median, median_sorted, quantile, quantile_sorted, sorted};
pub use summary::{mad, mad_sorted, mean, Summary, MAD_SCALE};
