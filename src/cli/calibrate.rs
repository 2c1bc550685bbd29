//! `perfgate calibrate`: measure how far the gate can be trusted here.
//!
//! Runs A/A and A/B trials on a calibrated busy loop (see
//! [`crate::calibrate`]) and prints, per setting, the false-failure and
//! detection rates with 95% Wilson intervals. Results go to stdout (a
//! table, or JSON with `--json`); progress goes to stderr. A `--save-json`
//! file that cannot be written is an error before the first trial; should
//! writing it fail after the trials anyway, the result is on stdout first.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::calibrate::experiment::{self, Plan};
use crate::calibrate::gate::SamplerGate;
use crate::calibrate::report::{self, RoutineInfo};
use crate::calibrate::routine::{self, DEFAULT_TARGET_NS};
use crate::calibrate::runner::GateRunner;
use crate::config::CONFIG_FILE;
use crate::{Error, Nanos};

/// Which values of an on/off factor to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Switch {
    /// Only on.
    On,
    /// Only off.
    Off,
    /// Both, side by side.
    Both,
}

impl Switch {
    fn values(self) -> Vec<bool> {
        match self {
            Switch::On => vec![true],
            Switch::Off => vec![false],
            Switch::Both => vec![true, false],
        }
    }
}

/// Options of `perfgate calibrate`.
#[derive(Debug, Clone, clap::Args)]
pub struct CalibrateArgs {
    /// Trials per setting (each setting: contention × retakes × effect).
    #[arg(long, default_value_t = 20)]
    pub trials: u32,
    /// Injected slowdowns of the A/B trials, as fractions (0.05 = 5%);
    /// A/A trials always run.
    #[arg(long, value_delimiter = ',', default_value = "0.02,0.05,0.10")]
    pub effects: Vec<f64>,
    /// Run with the contention generator on, off, or both.
    #[arg(long, value_enum, default_value_t = Switch::Both)]
    pub contention: Switch,
    /// Run with sample retakes (and verdict confirmation) on, off, or both.
    #[arg(long, value_enum, default_value_t = Switch::Both)]
    pub retakes: Switch,
    /// Stop starting new trials after this many seconds of trials.
    #[arg(long, default_value_t = 600)]
    pub budget: u64,
    /// Seed of the run order and the contention bursts; printed when
    /// chosen at random.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Print the whole result as JSON on stdout instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Also write the JSON result to this file (the table still goes to
    /// stdout).
    #[arg(long, value_name = "FILE")]
    pub save_json: Option<PathBuf>,
    /// Wanted cost of one iteration of the busy loop, in nanoseconds.
    #[arg(long, default_value_t = DEFAULT_TARGET_NS)]
    pub routine_ns: f64,
    /// The gate configuration whose settings the trials use; the
    /// dispatcher fills it from the global `--config` (default
    /// `perfgate.toml`, built-in defaults when that does not exist).
    #[arg(skip)]
    pub config: Option<PathBuf>,
    /// Override the configured default threshold (a fraction), to see what
    /// another value would give.
    #[arg(long)]
    pub threshold: Option<f64>,
}

/// Runs `perfgate calibrate`; returns the exit status (0 when the
/// experiment ran, whatever its rates).
///
/// # Errors
/// Bad options (exit status 2) and failures of the sampler or comparison.
pub fn run(args: &CalibrateArgs) -> anyhow::Result<i32> {
    let plan = plan(args)?;
    if let Some(path) = &args.save_json {
        check_save_path(path)?;
    }
    let gate = load_gate(args)?;
    // Ctrl-C ends the trials at the next sample with status 130; the
    // contention generator's threads end with the process.
    crate::interrupt::install();
    if args.seed.is_none() {
        eprintln!(
            "calibrate: seed {} (repeat with --seed {})",
            plan.seed, plan.seed
        );
    }
    let busy = routine::calibrate(Nanos(args.routine_ns));
    eprintln!(
        "calibrate: busy loop of {} rounds for ~{} per iteration",
        busy.rounds,
        Nanos(args.routine_ns)
    );
    let settings = gate.describe();
    let mut runner = GateRunner::with_gate(gate, busy, plan.seed);
    let bar = progress_bar();
    let trials = experiment::run_observed(&plan, &mut runner, &mut |record, total| {
        bar.set_length(total as u64);
        bar.inc(1);
        bar.set_message(format!("round {}", record.round + 1));
    })?;
    bar.finish_and_clear();
    let routine = RoutineInfo {
        target_ns: args.routine_ns,
        busy_loop: busy,
    };
    let summary = report::summarise(&plan, routine, settings, &trials);
    let json = serde_json::to_string_pretty(&summary)? + "\n";
    if args.json {
        super::output::write_stdout(&json)?;
    } else {
        super::output::write_stdout(&report::render_table(&summary))?;
    }
    if let Some(path) = &args.save_json {
        std::fs::write(path, json).map_err(|e| save_error(path, &e.to_string()))?;
    }
    Ok(0)
}

/// Fails at once when `--save-json`'s file cannot be written, rather than
/// after the trials: its directory must exist and take a new file.
fn check_save_path(path: &Path) -> crate::Result<()> {
    if path.is_dir() {
        return Err(usage(
            format!("--save-json: {} is a directory", path.display()),
            "give a file name, e.g. --save-json calibration.json",
        ));
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.is_dir() {
        let why = format!("the directory {} does not exist", dir.display());
        return Err(save_error(path, &why));
    }
    tempfile::NamedTempFile::new_in(dir).map(drop).map_err(|e| {
        save_error(path, &format!("{} cannot be written: {e}", dir.display()))
    })
}

/// The calibration JSON cannot be written to `path`, because `why`.
fn save_error(path: &Path, why: &str) -> Error {
    usage(
        format!("--save-json {}: {why}", path.display()),
        "create the directory (or fix its permissions), or give --save-json \
         another path",
    )
}

/// The gate at the configured settings; its warnings go to stderr.
fn load_gate(args: &CalibrateArgs) -> crate::Result<SamplerGate> {
    let config = args
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from(CONFIG_FILE));
    let (gate, warnings) = SamplerGate::load(&config, args.threshold)?;
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    Ok(gate)
}

/// Checks the options and turns them into a [`Plan`].
fn plan(args: &CalibrateArgs) -> crate::Result<Plan> {
    if let Some(&bad) = args
        .effects
        .iter()
        .find(|e| !(e.is_finite() && **e > 0.0 && **e < 1.0))
    {
        return Err(usage(
            format!("--effects: {bad} is not a slowdown fraction in (0, 1)"),
            "give fractions, e.g. --effects 0.02,0.05,0.10",
        ));
    }
    if !(args.routine_ns.is_finite() && args.routine_ns >= 10.0) {
        return Err(usage(
            format!(
                "--routine-ns: {} is not a usable iteration cost",
                args.routine_ns
            ),
            "give at least 10 ns, e.g. --routine-ns 5000",
        ));
    }
    if args.budget == 0 {
        return Err(usage(
            "--budget: 0 s leaves no time for a trial",
            "e.g. --budget 600",
        ));
    }
    Ok(Plan {
        trials: args.trials,
        effects: args.effects.clone(),
        contention: args.contention.values(),
        retakes: args.retakes.values(),
        budget: Some(Duration::from_secs(args.budget)),
        seed: args.seed.unwrap_or_else(random_seed),
    })
}

fn usage(message: impl Into<String>, hint: impl Into<String>) -> Error {
    Error::Usage {
        message: message.into(),
        hint: hint.into(),
    }
}

/// A seed from the clock, so runs without `--seed` see different burst
/// patterns; it is printed so a run can be repeated.
fn random_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// A progress bar on stderr; indicatif hides it when stderr is not a
/// terminal. Drawn at most twice a second so it barely disturbs sampling.
fn progress_bar() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        None,
        indicatif::ProgressDrawTarget::stderr_with_hz(2),
    );
    let style = indicatif::ProgressStyle::with_template(
        "calibrate {bar:30} {pos}/{len} trials, {msg}, {elapsed}",
    );
    if let Ok(style) = style {
        bar.set_style(style);
    }
    bar
}
