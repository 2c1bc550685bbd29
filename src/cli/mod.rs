//! The `perfgate` binary's commands.
//!
//! | command | job |
//! |---|---|
//! | `check` | judge the last run's records against the baselines |
//! | `baseline save [IDS...]` | save the last run's records as baselines |
//! | `compare BASELINE CANDIDATE` | judge two saved results |
//! | `report` | re-render the reports from `reports/results.json` |
//! | `route` | run the routing workload on a generated DAG |
//! | `calibrate` | measure the gate's false-failure and detection rates here |
//!
//! Results go to stdout; progress, warnings and logs (`-v`, through
//! `env_logger`) to stderr. Failing to write stdout (other than to a
//! closed pipe) is an error with status 2. An error prints its whole chain of causes and
//! ends with exit status 2. The gate used after `cargo bench` is
//! [`check::gate`]. Runs that measure (the suite, `calibrate`) stop at the
//! next sample on Ctrl-C with status 130, or 143 on SIGTERM
//! ([`crate::interrupt`]). Commands that read or write the records,
//! baselines or reports hold their locks ([`crate::lock`]), so two runs on
//! one checkout wait for each other instead of mixing files.

pub mod calibrate;
pub mod check;
pub mod compare_cmd;
pub mod evaluate;
pub mod output;
pub mod records;
pub mod route;
pub mod save;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, CONFIG_FILE};
use output::ColorChoice;

/// Statistical performance-regression gate for Rust benchmarks.
///
/// Exit status: 0 pass, 1 regression, 2 harness or input error,
/// 3 inconclusive (too noisy to decide), 130 interrupted by Ctrl-C
/// (SIGINT), 143 stopped by SIGTERM.
#[derive(Debug, Parser)]
#[command(name = "perfgate", version, about, long_about)]
pub struct Cli {
    /// When to colour output; `auto` follows `NO_COLOR` and whether stdout
    /// is a terminal.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// Log to stderr: `-v` info, `-vv` debug, `-vvv` trace.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// The gate configuration [default: perfgate.toml when it exists, else
    /// built-in defaults].
    #[arg(long, env = check::CONFIG_ENV, global = true)]
    pub config: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Judge the last run's records against the baselines, write reports,
    /// print the verdict table and exit with the verdict status.
    Check(CheckArgs),
    /// Manage baselines.
    #[command(subcommand)]
    Baseline(BaselineCommand),
    /// Judge two saved results: each a baselines directory or a
    /// results.json.
    Compare(CompareArgs),
    /// Re-render the reports from reports/results.json.
    Report(ReportArgs),
    /// Run the routing workload on a generated DAG and print its plan
    /// statistics.
    Route(route::RouteArgs),
    /// Run A/A and A/B trials on a synthetic routine and print the gate's
    /// false-failure and detection rates on this machine.
    Calibrate(calibrate::CalibrateArgs),
}

/// Where the last run's records are.
#[derive(Debug, Args)]
pub struct RecordsArg {
    /// The sampler's records directory [default: $PERFGATE_RECORDS_DIR,
    /// else $CARGO_TARGET_DIR/perfgate/records, else
    /// target/perfgate/records].
    #[arg(long)]
    pub records: Option<PathBuf>,
    /// The baselines directory [default: the configuration's
    /// baselines_dir].
    #[arg(long)]
    pub baselines: Option<PathBuf>,
}

/// Options of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub dirs: RecordsArg,
    /// The reports directory [default: the configuration's reports_dir].
    #[arg(long, env = "PERFGATE_REPORTS_DIR")]
    pub reports: Option<PathBuf>,
    /// `missing` or `new` benchmarks end the run with exit status 2.
    #[arg(long)]
    pub strict: bool,
}

/// `baseline` subcommands.
#[derive(Debug, Subcommand)]
pub enum BaselineCommand {
    /// Save the last run's records as baselines (all, or the given ids).
    Save {
        /// Benchmark ids to save; all of the last run when none.
        ids: Vec<String>,
        #[command(flatten)]
        dirs: RecordsArg,
    },
}

/// Options of `compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The reference: a baselines directory or a results.json.
    pub baseline: PathBuf,
    /// The candidate: a baselines directory or a results.json.
    pub candidate: PathBuf,
    /// Print the whole comparison as JSON instead of the table.
    #[arg(long)]
    pub json: bool,
    /// `missing` or `new` benchmarks end the run with exit status 2.
    #[arg(long)]
    pub strict: bool,
}

/// Options of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The reports directory holding results.json [default: the
    /// configuration's reports_dir].
    #[arg(long, env = "PERFGATE_REPORTS_DIR")]
    pub reports: Option<PathBuf>,
}

/// Runs the CLI and returns the process exit status.
pub fn main() -> i32 {
    let cli = Cli::parse();
    init_logging(cli.verbose, cli.color);
    match run(&cli).and_then(|status| match output::stdout_failure() {
        Some(e) => Err(e.into()),
        None => Ok(status),
    }) {
        Ok(status) => status,
        Err(e) => {
            print_error(&e);
            2
        }
    }
}

fn init_logging(verbose: u8, color: ColorChoice) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let style = match color {
        ColorChoice::Always => env_logger::WriteStyle::Always,
        ColorChoice::Never => env_logger::WriteStyle::Never,
        ColorChoice::Auto => env_logger::WriteStyle::Auto,
    };
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(level))
        .write_style(style)
        .target(env_logger::Target::Stderr)
        .init();
}

/// Prints an error and each of its causes to stderr.
pub fn print_error(e: &anyhow::Error) {
    eprintln!("error: {}", without_control(&e.to_string()));
    for cause in e.chain().skip(1) {
        eprintln!("  caused by: {}", without_control(&cause.to_string()));
    }
}

/// `text` with every control character but the line breaks of its own
/// layout (`error: …` / `  hint: …`) escaped, so no terminal sequence
/// from a file or benchmark name reaches the terminal.
fn without_control(text: &str) -> String {
    let lines: Vec<String> = text
        .split('\n')
        .map(crate::report::escape::visible)
        .collect();
    lines.join("\n")
}

fn run(cli: &Cli) -> anyhow::Result<i32> {
    let color = cli.color.enabled();
    if let Some(path) = cli.config.as_ref().filter(|p| !p.exists()) {
        anyhow::bail!(
            "{}: the configuration file does not exist\n  hint: check the path given \
             to --config or {}",
            path.display(),
            check::CONFIG_ENV
        );
    }
    match &cli.command {
        Command::Check(args) => {
            let opts = check::GateOptions {
                config: config_path(cli),
                records_dir: records_dir(&args.dirs),
                baselines_dir: args.dirs.baselines.clone(),
                reports_dir: args.reports.clone(),
                filtered: false,
                strict: args.strict,
                color,
                // PERFGATE_GATE=off reports without gating, as under
                // `cargo bench`; a save is `baseline save`'s job here.
                mode: match check::GateMode::from_env() {
                    check::GateMode::ReportOnly => check::GateMode::ReportOnly,
                    _ => check::GateMode::Gate,
                },
            };
            Ok(check::settle(opts.mode, check::run(&opts, None)))
        }
        Command::Baseline(BaselineCommand::Save { ids, dirs }) => {
            let config = load_config(cli)?;
            let baselines = dirs
                .baselines
                .clone()
                .unwrap_or(config.baselines_dir.clone());
            save::save_selected(&records_dir(dirs), &baselines, ids, &config)?;
            Ok(0)
        }
        Command::Compare(args) => {
            let config = load_config(cli)?;
            let (a, b) = (&args.baseline, &args.candidate);
            Ok(compare_cmd::run(
                &config,
                a,
                b,
                args.json,
                args.strict,
                color,
            )?)
        }
        Command::Report(args) => {
            let config = load_config(cli)?;
            let dir = args.reports.clone().unwrap_or(config.reports_dir);
            let _lock = output::lock_reports(&dir, "perfgate report")?;
            let results = compare_cmd::load_results(&dir.join("results.json"))?;
            output::write_reports(&results, &dir, false)?;
            output::write_stdout(&output::table(&results, color))?;
            eprintln!("perfgate: reports written to {}", dir.display());
            Ok(0)
        }
        Command::Route(args) => route::run(args),
        Command::Calibrate(args) => calibrate::run(&calibrate::CalibrateArgs {
            config: Some(config_path(cli)),
            ..args.clone()
        }),
    }
}

fn records_dir(dirs: &RecordsArg) -> PathBuf {
    dirs.records
        .clone()
        .unwrap_or_else(records::default_records_dir)
}

fn config_path(cli: &Cli) -> PathBuf {
    cli.config
        .clone()
        .unwrap_or_else(|| PathBuf::from(CONFIG_FILE))
}

fn load_config(cli: &Cli) -> crate::Result<Config> {
    let loaded = Config::load(&config_path(cli), false)?;
    output::print_warnings(&loaded.warnings);
    Ok(loaded.config)
}
