//! Baselines: the committed reference result of each benchmark.
//!
//! [`store`] loads and saves the files (atomically), [`fingerprint`]
//! describes the machine they were recorded on, [`provenance`] stamps the
//! date and commit. The [`Summary`] type lives in [`crate::stats`].

use serde::{Deserialize, Serialize};

pub mod fingerprint;
pub mod provenance;
pub mod store;

pub use fingerprint::normalize_cpu_model;
pub use store::{load, load_dir, load_file, save};

pub use crate::stats::Summary;

/// Version of the baseline file format this build writes.
pub const BASELINE_SCHEMA: u32 = 1;

/// What one iteration processes, when a benchmark declares a throughput.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Throughput {
    /// Elements (tasks, look-ups, ...) per iteration.
    Elements(u64),
    /// Bytes per iteration.
    Bytes(u64),
}

impl Throughput {
    /// Units processed per iteration.
    pub fn per_iteration(self) -> u64 {
        match self {
            Throughput::Elements(n) | Throughput::Bytes(n) => n,
        }
    }
}

/// Where a result was measured. Two fingerprints are the same machine when
/// CPU model, logical cores, OS and architecture agree; kernel, rustc and
/// profile differences are reported but do not change that.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Fingerprint {
    /// CPU model name, as the OS reports it, with clock-rate noise removed.
    pub cpu_model: String,
    /// Logical cores.
    pub logical_cores: usize,
    /// Operating system (`linux`).
    pub os: String,
    /// CPU architecture (`x86_64`).
    pub arch: String,
    /// Kernel release.
    pub kernel: String,
    /// `rustc --version` of the build.
    pub rustc: String,
    /// Cargo profile the benchmarks were built with.
    pub profile: String,
}

/// One benchmark's committed reference result (`baselines/<stem>.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// File format version ([`BASELINE_SCHEMA`]).
    pub schema: u32,
    /// Benchmark id as criterion shows it.
    pub id: String,
    /// Unit of `samples`: always `ns_per_iteration`.
    pub unit: String,
    /// Clean per-iteration samples, ns, in the order taken.
    pub samples: Vec<f64>,
    /// Summary of `samples`; recomputed when absent.
    pub summary: Option<Summary>,
    /// Iterations per sample (the most common value).
    pub iterations: u64,
    /// Declared throughput per iteration.
    pub throughput: Option<Throughput>,
    /// Machine the baseline was recorded on.
    pub fingerprint: Fingerprint,
    /// Git commit of the recorded code, if known.
    pub git_commit: Option<String>,
    /// When it was recorded (RFC 3339, UTC).
    pub date: String,
    /// perfgate version that wrote the file.
    pub perfgate_version: String,
    /// The machine's speed while the baseline was measured: ns per
    /// iteration of the machine canary, the faster of its readings just
    /// before and just after ([`crate::sampler::MachineReading::ns`]).
    /// A comparison with a candidate that has one too is adjusted for the
    /// machine's change of speed. Absent in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_ns: Option<f64>,
}
