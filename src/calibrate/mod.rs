//! Self-validation: can the gate be trusted on this machine?
//!
//! `perfgate calibrate` runs the gate on a synthetic routine of known cost
//! ([`routine`], a busy loop calibrated at start-up to about the cost of
//! `halo/large_dag`) many times:
//! - **A/A trials**: baseline and candidate are the same loop. Every
//!   `regressed` verdict is a false failure.
//! - **A/B trials**: the candidate runs a share more rounds (2%, 5%, 10%
//!   by default). Every `regressed` verdict is a detection.
//!
//! each with the [`contention`] generator on and off and with retakes on
//! and off, in the design described in [`experiment`]. Every trial samples
//! and compares through the same sampler and comparison `cargo bench`
//! uses, with the committed `perfgate.toml` settings. [`report`] gives,
//! per setting, the false-failure or detection rate with a 95% Wilson
//! interval ([`wilson`]), the inconclusive count, the share of samples
//! retaken and the wall time per trial.

pub mod contention;
pub mod experiment;
pub mod gate;
pub mod report;
pub mod routine;
pub mod runner;
pub mod wilson;

pub use experiment::{Block, Plan, Setting, TrialOutcome, TrialRunner, Trials};
pub use report::{CalibrationReport, Cell};
pub use routine::BusyLoop;
pub use wilson::{wilson_95, Proportion};
