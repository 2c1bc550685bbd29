//! `perfgate check` and the gate that ends `cargo bench`.
//!
//! Both load the configuration, the committed baselines and the last run's
//! records, judge every benchmark ([`super::evaluate`]), write the reports,
//! print the verdict table to stdout and end with the exit status:
//! 0 pass, 1 regression, 2 harness or input error, 3 inconclusive.
//!
//! The gate inside `cargo bench` can measure again: a benchmark judged
//! `regressed` or `inconclusive` is re-measured after a backoff
//! (`confirm_backoff`, doubling) up to `confirm_retries` times, and the last
//! measurement's verdict stands, so a regression must persist to fail.
//! `perfgate check` cannot run benchmarks, so its verdicts are unconfirmed.
//!
//! Two environment variables change what the gate does:
//! - `PERFGATE_GATE=off`: measure, compare and report as usual, but always
//!   exit 0 (for exploring, or a job that must not block).
//! - `PERFGATE_SAVE_BASELINE=1`: save this run's records as the baselines
//!   instead of comparing (used by `scripts/update-baselines.sh`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::baseline::{self, Fingerprint};
use crate::compare::Verdict;
use crate::config::{Config, CONFIG_FILE};
use crate::sampler::{BenchRecord, Suite};
use crate::{Error, Result};

use super::evaluate::{self, Evaluation, Measured, Pair};
use super::output::{self, print_warnings};
use super::records::{self, LastRun};
use super::save;

/// Environment variable that turns the gate off (`off`, `0`, `false`).
pub const GATE_ENV: &str = "PERFGATE_GATE";
/// Environment variable that saves baselines instead of gating (`1`).
pub const SAVE_ENV: &str = "PERFGATE_SAVE_BASELINE";
/// Environment variable naming the configuration file.
pub const CONFIG_ENV: &str = "PERFGATE_CONFIG";
/// Environment variable overriding the configuration's `reports_dir`, so a
/// CI script that reads the reports (`scripts/gate.sh`) decides where the
/// suite writes them.
pub const REPORTS_ENV: &str = "PERFGATE_REPORTS_DIR";

/// What the gate does with a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateMode {
    /// Judge, report, and exit with the verdict status.
    Gate,
    /// Judge and report, but exit 0.
    ReportOnly,
    /// Save the run's records as baselines.
    SaveBaselines,
}

impl GateMode {
    /// The mode the environment asks for.
    pub fn from_env() -> GateMode {
        let set = |name: &str| std::env::var(name).unwrap_or_default().to_lowercase();
        if matches!(set(SAVE_ENV).as_str(), "1" | "true" | "yes" | "on") {
            GateMode::SaveBaselines
        } else if matches!(set(GATE_ENV).as_str(), "off" | "0" | "false" | "no") {
            GateMode::ReportOnly
        } else {
            GateMode::Gate
        }
    }
}

/// Where the gate reads and writes, and how it behaves.
#[derive(Debug, Clone)]
pub struct GateOptions {
    /// The configuration file; built-in defaults when it does not exist.
    pub config: PathBuf,
    /// The sampler's records directory.
    pub records_dir: PathBuf,
    /// Overrides the configuration's `baselines_dir`.
    pub baselines_dir: Option<PathBuf>,
    /// Overrides the configuration's `reports_dir`.
    pub reports_dir: Option<PathBuf>,
    /// A name filter limited the run (besides what the run manifest says).
    pub filtered: bool,
    /// `missing` / `new` fail the run (besides the configuration's
    /// `strict`).
    pub strict: bool,
    /// Colour the table.
    pub color: bool,
    /// Gate, report only, or save baselines.
    pub mode: GateMode,
}

impl GateOptions {
    /// Options from the environment, as the bench harness needs them:
    /// `$PERFGATE_CONFIG` or `perfgate.toml`, the default records
    /// directory, `$PERFGATE_REPORTS_DIR` if set, colour when stdout is a terminal, and [`GateMode::from_env`].
    pub fn from_env(filtered: bool) -> GateOptions {
        let config = std::env::var_os(CONFIG_ENV)
            .filter(|c| !c.is_empty())
            .map_or_else(|| PathBuf::from(CONFIG_FILE), PathBuf::from);
        GateOptions {
            config,
            records_dir: records::default_records_dir(),
            baselines_dir: None,
            reports_dir: std::env::var_os(REPORTS_ENV)
                .filter(|d| !d.is_empty())
                .map(PathBuf::from),
            filtered,
            strict: false,
            color: output::ColorChoice::Auto.enabled(),
            mode: GateMode::from_env(),
        }
    }
}

/// Re-measures one benchmark by id and returns its fresh record.
pub type Remeasure<'a> = dyn FnMut(&str) -> anyhow::Result<BenchRecord> + 'a;

/// Runs the gate after a benchmark suite: judges the last run, confirms
/// regressions through `remeasure`, writes the reports, prints the table
/// and returns the exit status. Errors are printed with their causes and
/// give 2. With [`GateMode::ReportOnly`] the status is always 0.
pub fn gate(opts: &GateOptions, remeasure: &mut Remeasure<'_>) -> i32 {
    settle(opts.mode, run(opts, Some(remeasure)))
}

/// The exit status of a gate's `outcome` in `mode`: an error is printed
/// with its causes and gives 2; with [`GateMode::ReportOnly`] the status is
/// always 0, with a note on stderr when it replaced another.
pub fn settle(mode: GateMode, outcome: Result<i32>) -> i32 {
    let status = match outcome {
        Ok(status) => status,
        Err(e) => {
            super::print_error(&anyhow::Error::new(e));
            2
        }
    };
    if mode == GateMode::ReportOnly {
        if status != 0 {
            eprintln!("perfgate: {GATE_ENV}=off, exit status {status} replaced by 0");
        }
        return 0;
    }
    status
}

/// The gate after a [`Suite`] has run (the last step of a bench harness's
/// `main`): options from the environment, re-measurement through
/// [`Suite::remeasure`]. When the suite recorded nothing (criterion's
/// `--test`, `--list` or `--quick` modes) there is nothing to judge and the
/// status is 0.
///
/// ```no_run
/// # use perfgate::sampler::Suite;
/// # let mut suite = Suite::from_env();
/// let mut criterion = criterion::Criterion::default().configure_from_args();
/// let status = match suite.run(&mut criterion) {
///     Ok(()) => perfgate::cli::check::gate_suite(&mut suite),
///     Err(e) => {
///         eprintln!("error: {e}");
///         2
///     }
/// };
/// std::process::exit(status);
/// ```
pub fn gate_suite(suite: &mut Suite) -> i32 {
    if suite.measured_ids().is_empty() {
        eprintln!("perfgate: nothing was measured, so nothing is judged");
        return 0;
    }
    let opts = GateOptions::from_env(false);
    let status = gate(&opts, &mut |id: &str| Ok(suite.remeasure(id)?));
    // A signal during the last, short steps still ends with its status.
    crate::interrupt::checkpoint();
    status
}

/// The gate's work; `remeasure` is `None` for `perfgate check`.
pub fn run(opts: &GateOptions, remeasure: Option<&mut Remeasure<'_>>) -> Result<i32> {
    let config = load_config(opts)?;
    let _records_lock = records::lock(&opts.records_dir, "perfgate check")?;
    let mut last = records::load_last_run(&opts.records_dir)?;
    let bad_records = std::mem::take(&mut last.bad);
    if last.records.is_empty() {
        return match bad_records.into_iter().next() {
            Some((_, e)) => Err(e),
            None => Err(nothing_measured(opts)),
        };
    }
    let baselines_dir = opts
        .baselines_dir
        .clone()
        .unwrap_or(config.baselines_dir.clone());
    if opts.mode == GateMode::SaveBaselines {
        // A save with any bad record writes nothing.
        if let Some((_, e)) = bad_records.into_iter().next() {
            return Err(e);
        }
        if let Some(remeasure) = remeasure {
            fill_thin_records(&config, &opts.records_dir, &mut last, remeasure);
        }
        let machine = save::bench_fingerprint(&last);
        let level = save::run_machine_level(last.records.values());
        let records = last.records.values();
        return save::save_records(&baselines_dir, records, &machine, level, &config)
            .map(|_| 0);
    }
    // No directory, no baselines to guard: creating one only to lock it
    // would leave an empty `baselines/` behind.
    let _baselines_lock = match baselines_dir.is_dir() {
        true => Some(save::lock_baselines(&baselines_dir, "perfgate check")?),
        false => None,
    };

    let run = Run {
        config: &config,
        baselines_dir: &baselines_dir,
        last: &last,
        bad_records,
    };
    let (evaluation, machine) = judge(opts, run, remeasure)?;
    report(opts, &config, evaluation, machine)
}

/// The configuration of the gate. A file named on purpose by
/// PERFGATE_CONFIG that does not exist is a mistake, not a request for
/// the built-in defaults (`--config` is checked by the CLI before).
fn load_config(opts: &GateOptions) -> Result<Config> {
    let named =
        std::env::var_os(CONFIG_ENV).is_some_and(|c| Path::new(&c) == opts.config);
    let loaded = Config::load(&opts.config, named)?;
    print_warnings(&loaded.warnings);
    Ok(loaded.config)
}

/// What the judging of a run starts from.
struct Run<'r> {
    config: &'r Config,
    baselines_dir: &'r Path,
    last: &'r LastRun,
    /// Benchmarks whose record could not be read, with the error.
    bad_records: Vec<(String, Error)>,
}

/// Pairs the run's records with the baselines, judges them, and (with
/// `remeasure`) confirms what needs it. Returns the evaluation and the
/// machine the run was measured on.
fn judge(
    opts: &GateOptions,
    run: Run<'_>,
    remeasure: Option<&mut Remeasure<'_>>,
) -> Result<(Evaluation, Fingerprint)> {
    let config = run.config;
    let machine = save::bench_fingerprint(run.last);
    let manifest = run.last.manifest.as_ref();
    let filtered = opts.filtered || manifest.is_some_and(|m| m.filtered);
    let (mut pairs, bad_baselines) =
        pairs(config, run.baselines_dir, run.last, &machine, filtered)?;
    // A benchmark whose record is damaged is an error, never `missing`.
    let unreadable: Vec<&str> =
        run.bad_records.iter().map(|(id, _)| id.as_str()).collect();
    pairs.retain(|p| !unreadable.contains(&p.id.as_str()));
    let (mut evaluation, canary_pair) = evaluate::evaluate_run(config, &mut pairs);
    evaluation.errors.extend(bad_baselines);
    let bad_records = run.bad_records.into_iter().map(|(_, e)| e);
    evaluation.errors.extend(bad_records);
    let unused = evaluate::unused_config_warnings(config, &pairs, filtered);
    evaluation.warnings.extend(unused);
    if !run.baselines_dir.exists() {
        let warning = no_baselines_warning(run.baselines_dir);
        evaluation.warnings.push(warning);
    }
    if let Some(remeasure) = remeasure {
        let mut remeasure = |id: &str| -> anyhow::Result<BenchRecord> {
            // The confirming record replaces the benchmark's record on
            // disk, so a later `perfgate check` or `baseline save` sees
            // the samples the verdict stood on, not the ones it overruled.
            let record = remeasure(id)?;
            crate::sampler::write_record(&opts.records_dir, &record)?;
            Ok(record)
        };
        let sides = Sides {
            pairs: &pairs,
            canary: canary_pair.as_ref(),
            machine: &machine,
        };
        confirm(config, &sides, &mut evaluation, &mut remeasure);
    }
    Ok((evaluation, machine))
}

/// Derives the exit status, writes the reports and prints the table.
fn report(
    opts: &GateOptions,
    config: &Config,
    mut evaluation: Evaluation,
    machine: Fingerprint,
) -> Result<i32> {
    let strict = opts.strict || config.strict;
    evaluate::add_policy_errors(&mut evaluation, strict);
    let status = evaluate::exit_status(&evaluation, strict);
    let results = output::run_results(config, &evaluation, machine, status);
    let reports_dir = opts
        .reports_dir
        .clone()
        .unwrap_or(config.reports_dir.clone());
    let _reports_lock = output::lock_reports(&reports_dir, "perfgate check")?;
    output::write_reports(&results, &reports_dir, true)?;
    finish(&evaluation, &results, opts.color);
    Ok(status)
}

/// Prints the table (which ends with the exit status), then warnings and
/// errors.
pub(crate) fn finish(
    evaluation: &Evaluation,
    results: &crate::compare::RunResults,
    color: bool,
) {
    output::print_stdout(&output::table(results, color));
    print_warnings(&evaluation.warnings);
    for e in &evaluation.errors {
        super::print_error(&anyhow::Error::msg(e.to_string()));
    }
}

/// A baselines directory that does not exist makes every benchmark `new`
/// and the run pass: right on a first run, wrong when the path is mistyped,
/// so the run says which directory it looked in.
fn no_baselines_warning(dir: &std::path::Path) -> String {
    format!(
        "no baselines directory {}: every benchmark is `new` and nothing is \
         gated; record baselines with `perfgate baseline save`, or fix \
         `baselines_dir` / --baselines if they live elsewhere",
        dir.display()
    )
}

fn nothing_measured(opts: &GateOptions) -> Error {
    Error::Usage {
        message: format!(
            "no benchmark records in {}: nothing to check",
            opts.records_dir.display()
        ),
        hint: format!(
            "run `cargo bench` first, or point {} at the records directory",
            records::RECORDS_ENV
        ),
    }
}

fn pairs(
    config: &Config,
    baselines_dir: &std::path::Path,
    last: &LastRun,
    machine: &Fingerprint,
    filtered: bool,
) -> Result<(Vec<Pair>, Vec<Error>)> {
    let loaded = baseline::store::load_dir_each(baselines_dir)?;
    let baselines = evaluate::measured_baselines(&loaded.baselines);
    let mut candidates: BTreeMap<String, Measured> = last
        .records
        .iter()
        .map(|(id, r)| (id.clone(), Measured::from_record(r, machine)))
        .collect();
    let errors = evaluate::set_aside_bad_baselines(loaded.bad, &mut candidates);
    Ok((
        evaluate::pair(config, baselines, candidates, filtered),
        errors,
    ))
}

/// What the confirmations re-measure against: the benchmarks' pairs, the
/// canary's pair, and the machine the candidates were measured on.
struct Sides<'p> {
    pairs: &'p [Pair],
    canary: Option<&'p Pair>,
    machine: &'p Fingerprint,
}

/// Re-measures every `regressed` or `inconclusive` benchmark after a
/// growing backoff until its verdict changes or the retries run out; the
/// last measurement's verdict stands. The canary is measured again just
/// before each re-measurement, so its verdict on the machine's speed is
/// as fresh as the benchmark's.
fn confirm(
    config: &Config,
    sides: &Sides<'_>,
    evaluation: &mut Evaluation,
    remeasure: &mut Remeasure<'_>,
) {
    let mut canary = evaluation.canary.take();
    for comparison in &mut evaluation.comparisons {
        let Some(pair) = sides.pairs.iter().find(|p| p.id == comparison.id) else {
            continue;
        };
        let mut backoff = config.confirm_backoff;
        let mut confirmations = 0;
        while needs_confirmation(comparison.verdict)
            && confirmations < config.confirm_retries
        {
            let first = comparison.verdict;
            backoff = back_off(backoff);
            confirmations += 1;
            if let Some(fresh) = sides
                .canary
                .and_then(|p| remeasure_pair(config, p, sides.machine, remeasure).ok())
            {
                canary = Some(fresh);
            }
            match remeasure_pair(config, pair, sides.machine, remeasure) {
                Ok(mut again) => {
                    evaluate::doubt_slow_machine(&mut again, canary.as_ref());
                    again.notes.push(format!(
                        "measured again ({confirmations}): {first} before, {} now",
                        again.verdict
                    ));
                    *comparison = again;
                }
                Err(e) => {
                    let message =
                        format!("benchmark `{}`: re-measuring failed: {e:#}", pair.id);
                    evaluation.warnings.push(message);
                    break;
                }
            }
            comparison.confirmations = confirmations;
        }
    }
    evaluation.canary = canary;
}

/// Sleeps `delay` (Ctrl-C ends it at once) and returns the next one:
/// twice as long, at most a minute.
fn back_off(delay: Duration) -> Duration {
    crate::interrupt::sleep(delay);
    delay.saturating_mul(2).min(Duration::from_secs(60))
}

fn needs_confirmation(verdict: Verdict) -> bool {
    matches!(verdict, Verdict::Regressed | Verdict::Inconclusive)
}

/// Before a save: measures again, after the confirmations' backoff, each
/// benchmark with fewer clean samples than a comparison needs (a slow
/// period of the machine made the sampler flag most of them), up to
/// `confirm_retries` times, and keeps the record with the most clean
/// samples, on disk too. A baseline that can never be compared would make
/// every later run of that benchmark `inconclusive`.
fn fill_thin_records(
    config: &Config,
    records_dir: &std::path::Path,
    last: &mut LastRun,
    remeasure: &mut Remeasure<'_>,
) {
    for (id, record) in &mut last.records {
        let needed = config.compare_options(id).min_samples;
        let mut backoff = config.confirm_backoff;
        for _ in 0..config.confirm_retries {
            let clean = record.clean_per_iteration().len();
            if clean >= needed {
                break;
            }
            backoff = back_off(backoff);
            let again = match remeasure(id) {
                Ok(again) => again,
                Err(e) => {
                    let id = crate::report::escape::visible(id);
                    print_warnings(&[format!(
                        "benchmark `{id}`: re-measuring failed: {e:#}"
                    )]);
                    break;
                }
            };
            let kept = again.clean_per_iteration().len();
            eprintln!(
                "perfgate: {}: {clean} clean samples, fewer than {needed}; measured \
                 again: {kept}",
                crate::report::escape::visible(id)
            );
            if kept > clean && crate::sampler::write_record(records_dir, &again).is_ok() {
                *record = again;
            }
        }
    }
}

fn remeasure_pair(
    config: &Config,
    pair: &Pair,
    machine: &Fingerprint,
    remeasure: &mut Remeasure<'_>,
) -> anyhow::Result<crate::compare::Comparison> {
    let record = remeasure(&pair.id)?;
    let again = Pair {
        candidate: Some(Measured::from_record(&record, machine)),
        ..pair.clone()
    };
    Ok(evaluate::judge_pair(config, &again)?)
}
