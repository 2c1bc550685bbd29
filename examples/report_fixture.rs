//! Writes the reports of synthetic runs, for the browser check
//! (`scripts/browser-check.sh`) and for looking at the page by hand.
//!
//! `cargo run --example report_fixture -- <dir>` writes the routing suite
//! (one regression among ten benchmarks, fifteen earlier runs in its trend)
//! into `<dir>/suite/` and the hostile-names case into `<dir>/hostile/`.
//! An optional second argument sets the samples per benchmark (default 60).

#[path = "../tests/report_support/mod.rs"]
mod report_support;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use perfgate::report::{self, ReportOptions};

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: report_fixture <output dir>");
        return ExitCode::from(2);
    };
    let samples = match std::env::args().nth(2).map(|s| s.parse::<u32>()) {
        None => 60,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("report_fixture: samples must be a positive whole number");
            return ExitCode::from(2);
        }
    };
    match write(&dir, samples) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn write(dir: &Path, samples: u32) -> perfgate::Result<()> {
    let opts = ReportOptions::default();

    let suite = report_support::suite(samples);
    let suite_dir = dir.join("suite");
    fresh_history(&suite_dir, &report_support::past_history(&suite, 15))?;
    report::write_all(&suite, &suite_dir, &opts)?;

    let hostile = report_support::hostile();
    let hostile_dir = dir.join("hostile");
    fresh_history(&hostile_dir, &report_support::past_history(&hostile, 3))?;
    report::write_all(&hostile, &hostile_dir, &opts)?;

    println!("{}", suite_dir.join(report::HTML_FILE).display());
    println!("{}", hostile_dir.join(report::HTML_FILE).display());
    Ok(())
}

/// Starts the history over with the given earlier runs, so every run of
/// the example draws the same trend.
fn fresh_history(dir: &Path, past: &[report::HistoryEntry]) -> perfgate::Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| perfgate::Error::io(dir, "create directory", e))?;
    let path = dir.join(report::HISTORY_FILE);
    match std::fs::remove_file(&path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(perfgate::Error::io(&path, "remove", e)),
    }
    past.iter()
        .try_for_each(|h| report::append_history(&path, h))
}
