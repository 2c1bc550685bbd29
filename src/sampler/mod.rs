//! The contention-aware sampler.
//!
//! A **sample** is one timed batch of `iterations` calls of the routine.
//! For each attempt the sampler reads wall time, CPU time (the thread's for
//! a single-threaded routine, the process's for a parallel one) and the
//! involuntary context switches during the batch ([`Probe`]).
//!
//! # When a sample is contended
//!
//! - **OS evidence**: more than
//!   [`max_involuntary_switches`](SamplerConfig::max_involuntary_switches)
//!   (0) involuntary context switches, or wall time above CPU time by more
//!   than [`wall_cpu_slack`](SamplerConfig::wall_cpu_slack) (5%);
//! - **upper outlier**: a per-iteration time above the upper limit of the
//!   routine's *fast mode* (see [`anchor`]): first a pilot batch of
//!   [`pilot_samples`](SamplerConfig::pilot_samples) (5), then every clean
//!   sample refines it. The limit is the fast mode's median plus
//!   `k` = 3 scaled MADs, at least 5% of it (the fallback when the MAD is 0)
//!   and at least one timer tick.
//!
//! A contended sample is **retaken** after a sleep of
//! `1 ms · 4^(attempt − 1)`, capped at 4 s ([`Backoff`]), up to 8 attempts
//! per sample and within a budget of 100 retakes and 10 s per benchmark
//! ([`RetakeBudget`]), so a run's time stays bounded on a busy machine.
//! A sample still contended after its last attempt is kept, **flagged**,
//! and excluded from the comparison. A sample below the lower limit is
//! marked `fast` and never retaken: contention cannot speed code up. At the
//! end every clean sample is checked against the final limits once more.
//! Every default's reason is documented on [`SamplerConfig`].
//!
//! # Use
//!
//! Through criterion, with a [`Suite`] (see [`suite`]): criterion's analysis
//! sees the clean samples, perfgate keeps every attempt in a
//! [`BenchRecord`] per benchmark id. Standalone:
//!
//! ```no_run
//! use perfgate::sampler::{OsProbe, Sampler, SamplerConfig};
//! let mut batch = |iterations: u64| {
//!     for i in 0..iterations {
//!         std::hint::black_box(i.count_ones());
//!     }
//! };
//! let mut sampler = Sampler::new(SamplerConfig::default(), OsProbe);
//! let iterations = sampler.iterations_for(&mut batch);
//! let record = sampler.measure("demo/count_ones", iterations, 50, &mut batch);
//! println!("{} clean samples", record.clean_per_iteration().len());
//! ```

pub mod anchor;
pub mod canary;
pub mod config;
pub mod fake;
pub mod glue;
pub mod measure;
pub mod probe;
pub mod record;
pub mod store;
pub mod suite;
mod time;

pub use crate::baseline::Throughput;
pub use anchor::SampleLimits;
pub use config::{Backoff, RetakeBudget, SamplerConfig};
pub use glue::{CriterionRun, MachineReader, Phase, PhaseTracker};
pub use measure::{Reading, Sampler, SlotOutcome};
pub use probe::{CpuScope, MachineBusy, OsProbe, Probe};
pub use record::{
    implausible_reading, plausible_machine_ns, BenchRecord, ContentionReason,
    MachineReading, SampleRecord, SampleStatus, SamplingInfo, MACHINE_NS_RANGE,
    RECORD_SCHEMA,
};
pub use store::{records_dir, write_manifest, write_record, RunManifest};
pub use suite::{Case, Suite, SuiteConfig};
