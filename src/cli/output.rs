//! What the CLI shows: colour choice, the verdict table, warnings, and the
//! run's [`RunResults`].

use std::io::IsTerminal;
use std::path::Path;

use crate::baseline::provenance::{git_commit, now_rfc3339};
use crate::baseline::Fingerprint;
use crate::compare::{Comparison, RunResults};
use crate::config::Config;
use crate::Result;

use super::evaluate::Evaluation;

/// Version of the `results.json` format.
pub const RESULTS_SCHEMA: u32 = 1;

/// When to colour output (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset or empty.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    /// Decides once whether stdout gets colour.
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                let no_color =
                    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
                !no_color && std::io::stdout().is_terminal()
            }
        }
    }
}

/// Writes `text` to stdout. A reader that closed the pipe early (`perfgate
/// compare --json | head`) has seen all it wanted: the rest is dropped and
/// the run keeps its exit status, rather than panicking as `print!` does.
/// Any other failure (a full disk, `/dev/full`) is an error: a tool
/// reading the output must not take its absence for a result.
pub fn write_stdout(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(crate::Error::io("stdout", "writing the output", e))
        }
        _ => Ok(()),
    }
}

/// The first failure of [`print_stdout`], reported by [`stdout_failure`].
static STDOUT_FAILURE: std::sync::Mutex<Option<std::io::Error>> =
    std::sync::Mutex::new(None);

/// [`write_stdout`] for callers that cannot return its error: the first
/// failure is kept, and [`super::main`] ends the command with it.
pub fn print_stdout(text: &str) {
    if let Err(crate::Error::Io { source, .. }) = write_stdout(text) {
        let mut failure = STDOUT_FAILURE.lock().unwrap_or_else(|p| p.into_inner());
        failure.get_or_insert(source);
    }
}

/// The error of the first failed [`print_stdout`], once.
pub fn stdout_failure() -> Option<crate::Error> {
    let mut failure = STDOUT_FAILURE.lock().unwrap_or_else(|p| p.into_inner());
    failure
        .take()
        .map(|e| crate::Error::io("stdout", "writing the output", e))
}

/// Prints warnings to stderr, one per line.
pub fn print_warnings(warnings: &[String]) {
    for w in warnings {
        // One line each, and no terminal control sequence from a benchmark
        // name: the text is shown with its control characters escaped.
        eprintln!("warning: {}", crate::report::escape::visible(w));
    }
}

/// The whole result of a run, ready for the reports.
pub fn run_results(
    config: &Config,
    evaluation: &Evaluation,
    machine: Fingerprint,
    exit_status: i32,
) -> RunResults {
    let mut warnings = evaluation.warnings.clone();
    // One line each in every report: the error's hint joins its message.
    let one_line = |e: &crate::Error| match e.to_string().split_once("\n  hint: ") {
        Some((message, hint)) => format!("{message} (hint: {hint})"),
        None => e.to_string(),
    };
    let errors = evaluation.errors.iter();
    warnings.extend(errors.map(|e| format!("error: {}", one_line(e))));
    let mut comparisons: Vec<Comparison> = evaluation.comparisons.clone();
    comparisons.sort_by(|a, b| a.id.cmp(&b.id));
    RunResults {
        schema: RESULTS_SCHEMA,
        perfgate_version: env!("CARGO_PKG_VERSION").to_owned(),
        created_at: now_rfc3339(),
        git_commit: git_commit(),
        machine,
        warnings,
        settings: config.settings(),
        comparisons,
        exit_status,
        machine_canary: evaluation.canary.clone(),
    }
}

/// Writes the reports of `results` into `dir`. A gated run appends to the
/// history; re-rendering old results (`perfgate report`) does not.
pub fn write_reports(
    results: &RunResults,
    dir: &Path,
    append_history: bool,
) -> Result<()> {
    let opts = crate::report::ReportOptions {
        report_dir: dir.to_path_buf(),
        append_history,
        ..crate::report::ReportOptions::default()
    };
    crate::report::write_all(results, dir, &opts)
}

/// Takes the reports lock of `dir` ([`crate::lock`]) for `purpose`, so
/// two runs never interleave their reports or history lines, and removes
/// the temporary files a killed run left there.
pub fn lock_reports(dir: &Path, purpose: &str) -> Result<crate::lock::Lock> {
    let lock = crate::lock::acquire(&crate::lock::dir_lock_path(dir), purpose)?;
    crate::baseline::store::remove_stale_temporaries(dir);
    Ok(lock)
}

/// The verdict table for stdout.
pub fn table(results: &RunResults, color: bool) -> String {
    crate::report::terminal_table(results, color)
}
