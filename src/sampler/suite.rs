//! A benchmark suite measured through criterion with perfgate's sampler.
//!
//! Each case runs as criterion group `a/b` + function `c` for the id
//! `a/b/c` (criterion joins group and function with `/`, so the id
//! perfgate records is exactly the one criterion prints and filters on).
//! Inside `Bencher::iter_custom` the sampler takes criterion's samples:
//! criterion's analysis and HTML see the clean attempts, perfgate keeps
//! every attempt in a [`BenchRecord`] per id, written to [`records_dir`],
//! and a [`RunManifest`] listing what ran.
//!
//! ```no_run
//! use criterion::Criterion;
//! use perfgate::sampler::{Suite, Throughput};
//! use std::time::Duration;
//!
//! let tasks: Vec<u64> = (0..200).collect();
//! let mut suite = Suite::from_env();
//! suite.bench("demo/sum", Some(Throughput::Elements(200)), || {
//!     tasks.iter().sum::<u64>()
//! });
//! suite
//!     .bench("demo/slow/sort", None, || {
//!         let mut v: Vec<u64> = tasks.iter().rev().copied().collect();
//!         v.sort();
//!         v
//!     })
//!     .sample_size(10)
//!     .measurement_time(Duration::from_secs(2));
//! let mut criterion = Criterion::default().configure_from_args();
//! suite.run(&mut criterion).expect("records written");
//! println!("measured: {:?}", suite.measured_ids());
//! ```
//!
//! # Run time
//!
//! One case takes about its warm-up time, plus its measurement time, plus
//! a pilot of 5 samples (5% more at 100 samples, 50% at 10), plus at most
//! the retake budget (10 s by default) when the machine is busy. A case of
//! ~100 ms per iteration fits in ~10 s with `sample_size(10)`,
//! `warm_up_time(1 s)`, `measurement_time(3 s)` and a pilot of 3
//! ([`Case::sampler_config`]).
//!
//! Criterion's `--sample-size`, `--warm-up-time` and `--measurement-time`
//! options do not apply: each case's own settings do (the sampler must know
//! them to tell warm-up from measurement). Under `--test`, `--list`,
//! `--profile-time` or `--quick` the routine is timed plainly and nothing
//! is recorded.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, SamplingMode};

use super::canary::{read_speed, Canary, CANARY_ID};
use super::config::SamplerConfig;
use super::glue::{CriterionRun, MachineReader};
use super::measure::Sampler;
use super::probe::{CpuScope, OsProbe};
use super::record::BenchRecord;
use super::store::{
    records_dir, write_manifest, write_record, RunManifest, MANIFEST_SCHEMA,
};
use super::time::rfc3339_utc;
use crate::baseline::Throughput;
use crate::{Error, Result};

/// Environment variable that turns retakes off (`PERFGATE_RETAKES=off`),
/// for A/B runs of the sampler itself.
pub const RETAKES_ENV: &str = "PERFGATE_RETAKES";

/// Settings of a [`Suite`].
#[derive(Debug, Clone, PartialEq)]
pub struct SuiteConfig {
    /// How samples are taken and judged.
    pub sampler: SamplerConfig,
    /// Where records and the manifest go.
    pub records_dir: PathBuf,
    /// Sleep before [`Suite::remeasure`] measures. 0 by default: the gate
    /// waits its own confirmation backoff before asking.
    pub remeasure_delay: Duration,
    /// Measure the machine canary ([`super::canary`]) after the cases, as
    /// [`CANARY_ID`]. On by default; off for suites that run under their
    /// own timing scheme (calibration).
    pub canary: bool,
    /// Read the machine's speed with the canary just before and just after
    /// every benchmark's measurement ([`super::record::MachineReading`]),
    /// so the comparison can divide it out. On by default.
    pub machine_readings: bool,
}

impl SuiteConfig {
    /// Defaults, with the records directory from [`records_dir`] and
    /// retakes off when `PERFGATE_RETAKES=off`.
    pub fn from_env() -> Self {
        let mut sampler = SamplerConfig::default();
        if std::env::var(RETAKES_ENV).is_ok_and(|v| v.eq_ignore_ascii_case("off")) {
            sampler = sampler.without_retakes();
        }
        SuiteConfig {
            sampler,
            records_dir: records_dir(),
            remeasure_delay: Duration::ZERO,
            canary: true,
            machine_readings: true,
        }
    }
}

/// One benchmark of a suite; its setters return `&mut Self` to chain.
pub struct Case<'a> {
    id: String,
    throughput: Option<Throughput>,
    scope: CpuScope,
    sample_size: usize,
    warm_up_time: Duration,
    measurement_time: Duration,
    sampling_mode: SamplingMode,
    sampler: Option<SamplerConfig>,
    batch: Box<dyn FnMut(u64) + 'a>,
    /// Iterations per sample of the case's last run through criterion:
    /// a re-measurement takes samples of the same length, since on these
    /// machines the per-iteration time of shorter samples came out a few
    /// percent apart for some cases.
    iterations: Option<u64>,
}

impl<'a> Case<'a> {
    /// criterion's default: 100 samples.
    pub const DEFAULT_SAMPLE_SIZE: usize = 100;
    /// criterion's default: 3 s of warm-up.
    pub const DEFAULT_WARM_UP_TIME: Duration = Duration::from_secs(3);
    /// criterion's default: 5 s of measurement.
    pub const DEFAULT_MEASUREMENT_TIME: Duration = Duration::from_secs(5);

    /// The benchmark id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Samples per run (criterion needs at least 10).
    pub fn sample_size(&mut self, n: usize) -> &mut Self {
        self.sample_size = n;
        self
    }

    /// Criterion's warm-up time for this case.
    pub fn warm_up_time(&mut self, t: Duration) -> &mut Self {
        self.warm_up_time = t;
        self
    }

    /// Criterion's target measurement time for this case.
    pub fn measurement_time(&mut self, t: Duration) -> &mut Self {
        self.measurement_time = t;
        self
    }

    /// Criterion's sampling mode (`Auto` unless set).
    pub fn sampling_mode(&mut self, mode: SamplingMode) -> &mut Self {
        self.sampling_mode = mode;
        self
    }

    /// Sampler settings for this case instead of the suite's (a smaller
    /// pilot for a case of few long samples, no wall-versus-CPU check for
    /// a routine that waits on I/O, ...).
    pub fn sampler_config(&mut self, config: SamplerConfig) -> &mut Self {
        self.sampler = Some(config);
        self
    }

    /// The group and function criterion gets for this id.
    fn split_id(&self) -> Option<(&str, &str)> {
        let (group, function) = self.id.rsplit_once('/')?;
        (!group.is_empty() && !function.is_empty()).then_some((group, function))
    }

    fn check(&self) -> Result<()> {
        if self.split_id().is_none() {
            return Err(Error::benchmark(
                &self.id,
                "the id is not `group/function`",
                "name it like `halo/large_dag`: criterion shows group and function \
                 joined by `/`",
            ));
        }
        if self.sample_size < 10 {
            return Err(Error::benchmark(
                &self.id,
                format!(
                    "sample size {} is below criterion's minimum",
                    self.sample_size
                ),
                "set a sample size of at least 10",
            ));
        }
        if self.warm_up_time.is_zero() || self.measurement_time.is_zero() {
            return Err(Error::benchmark(
                &self.id,
                "warm-up and measurement time must be positive",
                "give both a duration above zero",
            ));
        }
        Ok(())
    }
}

/// A set of benchmarks run through criterion with contention-aware
/// sampling; see the [module docs](self).
pub struct Suite<'a> {
    config: SuiteConfig,
    cases: Vec<Case<'a>>,
    measured: Vec<String>,
    plain_timing: bool,
    lock: Option<crate::lock::Lock>,
    /// The machine canary is among `cases` (added by the first run).
    canary_added: bool,
}

impl<'a> Suite<'a> {
    /// A suite configured from the environment ([`SuiteConfig::from_env`])
    /// that follows criterion's mode from the command line.
    pub fn from_env() -> Self {
        let mut suite = Suite::new(SuiteConfig::from_env());
        suite.plain_timing = records_nothing(std::env::args());
        suite
    }

    /// A suite with explicit settings (always samples).
    pub fn new(config: SuiteConfig) -> Self {
        Suite {
            config,
            cases: Vec::new(),
            measured: Vec::new(),
            plain_timing: false,
            lock: None,
            canary_added: false,
        }
    }

    /// Declares a single-threaded benchmark (thread CPU time): `routine` is
    /// one iteration; its result goes through `black_box`.
    pub fn bench<R>(
        &mut self,
        id: impl Into<String>,
        throughput: Option<Throughput>,
        routine: impl FnMut() -> R + 'a,
    ) -> &mut Case<'a> {
        self.add(id.into(), throughput, CpuScope::Thread, routine)
    }

    /// Declares a parallel benchmark (process CPU time, process-wide
    /// context switches).
    pub fn bench_parallel<R>(
        &mut self,
        id: impl Into<String>,
        throughput: Option<Throughput>,
        routine: impl FnMut() -> R + 'a,
    ) -> &mut Case<'a> {
        self.add(id.into(), throughput, CpuScope::Process, routine)
    }

    fn add<R>(
        &mut self,
        id: String,
        throughput: Option<Throughput>,
        scope: CpuScope,
        mut routine: impl FnMut() -> R + 'a,
    ) -> &mut Case<'a> {
        let batch = move |iterations: u64| {
            for _ in 0..iterations {
                black_box(routine());
            }
        };
        self.cases.push(Case {
            id,
            throughput,
            scope,
            sample_size: Case::DEFAULT_SAMPLE_SIZE,
            warm_up_time: Case::DEFAULT_WARM_UP_TIME,
            measurement_time: Case::DEFAULT_MEASUREMENT_TIME,
            sampling_mode: SamplingMode::Auto,
            sampler: None,
            batch: Box::new(batch),
            iterations: None,
        });
        let last = self.cases.len() - 1;
        &mut self.cases[last]
    }

    /// The declared ids, in declaration order.
    pub fn ids(&self) -> Vec<String> {
        self.cases.iter().map(|c| c.id.clone()).collect()
    }

    /// Ids measured by the last [`Suite::run`] (criterion filters the
    /// rest, e.g. `cargo bench -- large_dag`).
    pub fn measured_ids(&self) -> Vec<String> {
        self.measured.clone()
    }

    /// Runs every case through `criterion`, writing one record per
    /// measured id and the run manifest. Cases of one group run together,
    /// groups in the order first declared.
    ///
    /// The run holds the records lock ([`crate::lock`]) until the suite is
    /// dropped, so the gate that follows judges exactly these records, and
    /// stops at once with status 130 on Ctrl-C ([`crate::interrupt`]). Its
    /// manifest says `in_progress` until the last record is written.
    pub fn run(&mut self, criterion: &mut Criterion) -> Result<()> {
        self.check()?;
        crate::interrupt::install();
        let mut manifest = self.start_manifest();
        self.measured.clear();
        if !self.plain_timing {
            let lock_path = crate::lock::records_lock_path(&self.config.records_dir);
            self.lock = Some(crate::lock::acquire(&lock_path, "cargo bench")?);
            write_manifest(&self.config.records_dir, &manifest)?;
        }
        for group in self.groups() {
            self.run_group(criterion, &group)?;
        }
        if self.plain_timing {
            return Ok(());
        }
        manifest.filtered = self.measured.len() < manifest.declared.len();
        self.run_canary()?;
        manifest.finished_at = rfc3339_utc(SystemTime::now());
        manifest.ids = self.measured.clone();
        manifest.in_progress = false;
        write_manifest(&self.config.records_dir, &manifest)?;
        Ok(())
    }

    /// The manifest of a run that has just started.
    fn start_manifest(&self) -> RunManifest {
        RunManifest {
            schema: MANIFEST_SCHEMA,
            started_at: rfc3339_utc(SystemTime::now()),
            finished_at: String::new(),
            ids: Vec::new(),
            declared: self.ids(),
            filtered: false,
            in_progress: true,
            fingerprint: Some(crate::baseline::Fingerprint::current()),
        }
    }

    /// Measures `id` again with the sampler alone (no criterion): after
    /// [`SuiteConfig::remeasure_delay`], with the iterations per sample of
    /// its run through criterion (else for samples of about
    /// [`SamplerConfig::target_sample_time`]) and the case's sample size.
    /// The record is returned, not written.
    pub fn remeasure(&mut self, id: &str) -> Result<BenchRecord> {
        let delay = self.config.remeasure_delay;
        let case = self.cases.iter_mut().find(|c| c.id == id).ok_or_else(|| {
            Error::benchmark(
                id,
                "is not declared in this suite",
                "check the id against the suite's `bench` calls",
            )
        })?;
        let config = case
            .sampler
            .clone()
            .unwrap_or_else(|| self.config.sampler.clone());
        crate::interrupt::sleep(delay);
        let mut sampler = Sampler::new(config, OsProbe).with_scope(case.scope);
        let iterations = match case.iterations {
            Some(n) => n,
            None => sampler.iterations_for(&mut case.batch),
        };
        let samples = u32::try_from(case.sample_size).unwrap_or(u32::MAX);
        let mut reader = (self.config.machine_readings && id != CANARY_ID)
            .then(|| machine_reader(&self.config.sampler));
        let before = reader.as_mut().and_then(MachineReader::read);
        let mut record = sampler.measure(id, iterations, samples, &mut case.batch);
        let after = reader.as_mut().and_then(MachineReader::read);
        record.sampling.machine = super::glue::reading(before, after);
        record.throughput = case.throughput;
        Ok(record)
    }

    /// Measures the machine canary once the cases are done (when any was
    /// measured and the canary is on), with the sampler alone: criterion's
    /// filter must not skip it, and its analysis has nothing to say of it.
    fn run_canary(&mut self) -> Result<()> {
        if !self.config.canary || self.measured.is_empty() {
            return Ok(());
        }
        if !self.canary_added {
            let mut canary = Canary::new();
            self.add(CANARY_ID.to_owned(), None, CpuScope::Thread, move || {
                canary.step()
            })
            .sample_size(30);
            self.canary_added = true;
        }
        let record = self.remeasure(CANARY_ID)?;
        write_record(&self.config.records_dir, &record)?;
        self.measured.push(record.id);
        Ok(())
    }

    fn check(&self) -> Result<()> {
        for (i, case) in self.cases.iter().enumerate() {
            case.check()?;
            if case.id == CANARY_ID && !self.canary_added {
                return Err(Error::benchmark(
                    &case.id,
                    "is the id of perfgate's machine canary, measured with every suite",
                    "give the benchmark another id",
                ));
            }
            if self.cases[..i].iter().any(|c| c.id == case.id) {
                return Err(Error::benchmark(
                    &case.id,
                    "is declared twice",
                    "give every case its own id",
                ));
            }
        }
        Ok(())
    }

    /// Case indices by criterion group, groups in first-declared order.
    fn groups(&self) -> Vec<Vec<usize>> {
        let mut groups: Vec<(&str, Vec<usize>)> = Vec::new();
        for (i, case) in self.cases.iter().enumerate() {
            let (name, _) = case.split_id().unwrap_or((&case.id, ""));
            match groups.iter_mut().find(|(g, _)| *g == name) {
                Some((_, members)) => members.push(i),
                None => groups.push((name, vec![i])),
            }
        }
        groups.into_iter().map(|(_, members)| members).collect()
    }

    fn run_group(&mut self, criterion: &mut Criterion, members: &[usize]) -> Result<()> {
        let first = &self.cases[members[0]];
        let name = first
            .split_id()
            .map_or(first.id.clone(), |(g, _)| g.to_owned());
        let mut group = criterion.benchmark_group(&name);
        let mut has_throughput = false;
        for &i in members {
            // criterion cannot unset a group's throughput: a case without
            // one after a case with one needs a fresh group.
            // TODO(#3): the second group of that name replaces the first in
            // criterion's HTML group summary; fixable by ordering such cases
            // first once the suite's order no longer matters.
            if has_throughput && self.cases[i].throughput.is_none() {
                group.finish();
                group = criterion.benchmark_group(&name);
                has_throughput = false;
            }
            has_throughput |= self.cases[i].throughput.is_some();
            if let Some(record) = self.run_case(&mut group, i) {
                write_record(&self.config.records_dir, &record)?;
                self.measured.push(record.id);
            }
        }
        group.finish();
        Ok(())
    }

    fn run_case(
        &mut self,
        group: &mut BenchmarkGroup<'_, WallTime>,
        index: usize,
    ) -> Option<BenchRecord> {
        let plain = self.plain_timing;
        let case = &mut self.cases[index];
        let config = case
            .sampler
            .clone()
            .unwrap_or_else(|| self.config.sampler.clone());
        let sampler = Sampler::new(config, OsProbe);
        configure(group, case);
        let (_, function) = case.split_id()?;
        let function = function.to_owned();
        let batch = &mut case.batch;
        if plain {
            group.bench_function(function, |b| b.iter_custom(|n| time_plainly(n, batch)));
            return None;
        }
        let sampler = sampler.with_scope(case.scope);
        let mut run = CriterionRun::new(sampler, case.warm_up_time, case.sample_size);
        if self.config.machine_readings {
            run = run.with_machine_reader(machine_reader(&self.config.sampler));
        }
        group.bench_function(function, |b| b.iter_custom(|n| run.call(n, batch)));
        let record = run.finish(&case.id, case.throughput)?;
        case.iterations = Some(record.typical_iterations()).filter(|&n| n > 0);
        Some(record)
    }
}

/// A reader of the machine's speed with its own canary, sampled as `config`
/// says.
fn machine_reader(config: &SamplerConfig) -> MachineReader {
    let mut canary = Canary::new();
    let config = config.clone();
    MachineReader(Box::new(move || read_speed(&mut canary, &config)))
}

/// Applies a case's settings to its criterion group.
fn configure(group: &mut BenchmarkGroup<'_, WallTime>, case: &Case<'_>) {
    group
        .sample_size(case.sample_size)
        .warm_up_time(case.warm_up_time)
        .measurement_time(case.measurement_time)
        .sampling_mode(case.sampling_mode);
    match case.throughput {
        Some(Throughput::Elements(n)) => {
            group.throughput(criterion::Throughput::Elements(n));
        }
        Some(Throughput::Bytes(n)) => {
            group.throughput(criterion::Throughput::Bytes(n));
        }
        None => {}
    }
}

fn time_plainly(iterations: u64, batch: &mut dyn FnMut(u64)) -> Duration {
    let start = Instant::now();
    batch(iterations);
    start.elapsed()
}

/// Whether criterion's command line asks for a mode in which perfgate
/// records nothing: not benchmarking (`--test`, `--list`, a run without
/// `--bench` as `cargo test` makes), profiling, or quick mode.
fn records_nothing(args: impl Iterator<Item = String>) -> bool {
    let args: Vec<String> = args.skip(1).collect();
    let has = |flag: &str| {
        args.iter()
            .any(|a| a == flag || a.starts_with(&format!("{flag}=")))
    };
    !has("--bench")
        || has("--test")
        || has("--list")
        || has("--profile-time")
        || has("--quick")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> impl Iterator<Item = String> {
        std::iter::once("bench-binary")
            .chain(list.iter().copied())
            .map(str::to_owned)
            .collect::<Vec<_>>()
            .into_iter()
    }

    #[test]
    fn only_a_plain_bench_run_is_recorded() {
        assert!(!records_nothing(args(&["--bench"])));
        assert!(!records_nothing(args(&["--bench", "large_dag"])));
        assert!(records_nothing(args(&[])), "cargo test --benches");
        assert!(records_nothing(args(&["--bench", "--test"])));
        assert!(records_nothing(args(&["--bench", "--list"])));
        assert!(records_nothing(args(&["--bench", "--profile-time", "5"])));
        assert!(records_nothing(args(&["--bench", "--profile-time=5"])));
        assert!(records_nothing(args(&["--bench", "--quick"])));
    }

    #[test]
    fn ids_split_into_criterion_group_and_function_at_the_last_slash() {
        let mut suite = Suite::new(SuiteConfig::from_env());
        suite.bench("halo/waves/1m_rayon", None, || ());
        suite.bench("halo/large_dag", None, || ());
        assert_eq!(suite.cases[0].split_id(), Some(("halo/waves", "1m_rayon")));
        assert_eq!(suite.cases[1].split_id(), Some(("halo", "large_dag")));
        assert_eq!(suite.groups(), [vec![0], vec![1]]);
    }

    #[test]
    fn an_id_without_a_group_is_an_error_naming_it() {
        let mut suite = Suite::new(SuiteConfig::from_env());
        suite.bench("fib", None, || ());
        let err = suite.run(&mut Criterion::default()).unwrap_err();
        assert!(err.to_string().contains("`fib`"), "{err}");
        assert!(suite.measured_ids().is_empty());
    }

    #[test]
    fn a_sample_size_below_ten_is_an_error_not_a_criterion_panic() {
        let mut suite = Suite::new(SuiteConfig::from_env());
        suite.bench("g/f", None, || ()).sample_size(5);
        let err = suite.run(&mut Criterion::default()).unwrap_err();
        assert!(err.to_string().contains("sample size 5"), "{err}");
    }

    #[test]
    fn remeasuring_an_unknown_id_is_an_error_naming_it() {
        let mut suite = Suite::new(SuiteConfig::from_env());
        let err = suite.remeasure("halo/nope").unwrap_err();
        assert!(err.to_string().contains("halo/nope"), "{err}");
    }
}
