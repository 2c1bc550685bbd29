//! perfgate: a statistical performance-regression gate for Rust benchmarks.
//!
//! Timings on shared machines are noisy. perfgate samples a routine through
//! criterion, spots samples that look contended (OS evidence or a robust
//! upper outlier against the routine's fast mode), re-takes them with
//! exponential backoff, and compares the clean samples with committed
//! baselines at fixed thresholds with a significance test. The verdict is an
//! exit status a CI job can gate on, plus HTML, Markdown and JSON reports.
//!
//! The modules follow the data's path:
//!
//! | module | job |
//! |---|---|
//! | [`routing`] | the workload under test: task DAG, agents, rules, router |
//! | [`sampler`] | collects samples, detects contention, re-takes with backoff |
//! | [`stats`] | quantiles, MAD, fences, bootstrap, Mann–Whitney U, drift |
//! | [`compare`] | turns candidate + baseline samples into verdicts |
//! | [`baseline`] | baseline schema, atomic load/save, machine fingerprint |
//! | [`report`] | terminal table, Markdown, JSON, self-contained HTML |
//! | [`cli`] | the `perfgate` binary's commands |
//! | [`calibrate`] | A/A and A/B trials that measure the gate's error rates |
//! | [`files`], [`lock`], [`interrupt`] | size limits on inputs, locks between concurrent runs, prompt stop on Ctrl-C |
//!
//! `routing` never imports the harness modules and the harness never
//! imports `routing`: only `benches/` and the CLI's `route` command join
//! them, so the harness works on any crate's benchmarks.

pub mod baseline;
pub mod calibrate;
pub mod cli;
pub mod compare;
pub mod config;
pub mod error;
pub mod files;
pub mod interrupt;
pub mod lock;
pub mod names;
pub mod report;
pub mod routing;
pub mod sampler;
pub mod stats;
pub mod units;

pub use error::{Error, Result};
pub use units::Nanos;
