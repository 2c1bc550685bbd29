//! One side of a comparison and the checks its data must pass.

use crate::baseline::{Baseline, Throughput};
use crate::sampler::{BenchRecord, SampleRecord};
use crate::stats::Location;
use crate::{Error, Result};

/// What one side (baseline or candidate) brings to a comparison.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Input {
    /// Clean per-iteration samples, ns, in the order taken.
    pub samples: Vec<f64>,
    /// Declared throughput per iteration, if any.
    pub throughput: Option<Throughput>,
    /// Every sample attempt, retakes included (candidate only).
    pub records: Vec<SampleRecord>,
    /// Retakes of single samples (candidate only).
    pub retakes: usize,
    /// Samples still contended after their last attempt (candidate only).
    pub flagged: usize,
    /// What the sampler warned about while measuring (candidate only):
    /// spread at the timer's resolution, a retake budget exhausted, ...
    pub warnings: Vec<String>,
    /// Share of the other CPUs other processes kept busy while the
    /// candidate was measured (candidate only; see
    /// [`crate::sampler::SamplingInfo::neighbour_load`]).
    pub neighbour_load: Option<f64>,
    /// The machine's speed while this side was measured, ns per iteration
    /// of the machine canary; `None` when it was not read.
    pub machine_ns: Option<f64>,
}

impl Input {
    /// An input of clean per-iteration samples and nothing else.
    pub fn new(samples: Vec<f64>) -> Self {
        Input {
            samples,
            ..Input::default()
        }
    }

    /// The same input with a declared throughput.
    pub fn with_throughput(self, throughput: Option<Throughput>) -> Self {
        Input { throughput, ..self }
    }

    /// The baseline side from a baseline file.
    pub fn from_baseline(baseline: &Baseline) -> Self {
        Input {
            machine_ns: baseline.machine_ns,
            ..Input::new(baseline.samples.clone()).with_throughput(baseline.throughput)
        }
    }

    /// The candidate side from the sampler's record of this run.
    pub fn from_record(record: &BenchRecord) -> Self {
        Input {
            samples: record.clean_per_iteration(),
            throughput: record.throughput,
            records: record.samples.clone(),
            retakes: record.retakes(),
            flagged: record.flagged(),
            warnings: record.warnings.clone(),
            neighbour_load: record.sampling.neighbour_load,
            machine_ns: record.sampling.machine.map(|m| m.ns()),
        }
    }
}

/// Which side a sample set belongs to, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Baseline,
    Candidate,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Baseline => "baseline",
            Role::Candidate => "candidate",
        }
    }

    /// Where bad data of this side is fixed.
    fn remedy(self) -> &'static str {
        match self {
            Role::Baseline => "re-record it with `perfgate baseline save`",
            Role::Candidate => "re-run the benchmark",
        }
    }
}

/// Rejects samples no change can be computed from: not finite, zero or
/// negative, or (baseline) a location of 0.
pub(crate) fn check_samples(
    id: &str,
    role: Role,
    samples: &[f64],
    location: Location,
) -> Result<()> {
    let n = samples.len();
    let bad = samples.iter().filter(|x| !x.is_finite()).count();
    if bad > 0 {
        return Err(Error::benchmark(
            id,
            format!("{bad} of {n} {} samples are NaN or infinite", role.name()),
            format!("the data is corrupt: {}", role.remedy()),
        ));
    }
    let zero_location = location.of(samples).is_some_and(|l| l <= 0.0);
    if role == Role::Baseline && zero_location {
        return Err(Error::benchmark(
            id,
            format!(
                "percent change undefined for a zero baseline (its {} is 0 ns)",
                location.name()
            ),
            "make sure the benchmark does work (use `std::hint::black_box`), \
             then re-record it with `perfgate baseline save`",
        ));
    }
    let bad = samples.iter().filter(|x| **x <= 0.0).count();
    if bad > 0 {
        return Err(Error::benchmark(
            id,
            format!(
                "zero or negative timings: {bad} of {n} {} samples are ≤ 0 ns",
                role.name()
            ),
            format!(
                "the routine may be optimised away or faster than the timer resolves: \
                 wrap its inputs and result in `std::hint::black_box`, time more \
                 iterations per sample, and {}",
                role.remedy()
            ),
        ));
    }
    Ok(())
}

/// Units processed per iteration and their name (`element`, `byte`).
pub(crate) fn units(t: Throughput) -> (u64, &'static str) {
    match t {
        Throughput::Elements(n) => (n, "element"),
        Throughput::Bytes(n) => (n, "byte"),
    }
}

/// `1 element`, `2 elements`.
pub(crate) fn describe(t: Throughput) -> String {
    let (n, unit) = units(t);
    let plural = if n == 1 { "" } else { "s" };
    format!("{n} {unit}{plural}")
}
