//! The calibration busy loop measured the way `cargo bench` measures the
//! routing suite: criterion drives, perfgate's sampler takes the samples
//! inside it, and the gate judges the run at the end.
//!
//! `scripts/compare-with-criterion.sh` runs this target twice per A/A
//! trial, so criterion's own baseline comparison and perfgate's gate
//! judge the same samples. It does nothing unless that script set
//! `PERFGATE_CALIBRATE_DIR`, so a plain `cargo bench` skips it.
//!
//! Environment:
//! - `PERFGATE_CALIBRATE_DIR`: working directory of the script; the loop's
//!   round count is kept in `rounds` there so every run times the same loop.
//! - `PERFGATE_CALIBRATE_CONTENTION=on`: run the contention generator for
//!   the whole process (bounded by [`CONTENTION_DEADLINE`]).
//! - `PERFGATE_CALIBRATE_SEED`: seed of the contention bursts.
//! - the gate's own variables (`PERFGATE_CONFIG`, `PERFGATE_RECORDS_DIR`,
//!   `PERFGATE_SAVE_BASELINE`).

use std::path::Path;
use std::time::Duration;

use criterion::Criterion;
use perfgate::calibrate::contention::{self, ContentionConfig};
use perfgate::calibrate::routine::{self, BusyLoop, DEFAULT_TARGET_NS};
use perfgate::calibrate::runner::BENCH_ID;
use perfgate::cli::check::gate_suite;
use perfgate::sampler::Suite;
use perfgate::Nanos;

/// Longest life of the contention generator: well above one run of this
/// target (about 10 s with criterion's defaults and two confirmations).
const CONTENTION_DEADLINE: Duration = Duration::from_secs(120);

fn main() {
    let Some(dir) = std::env::var_os("PERFGATE_CALIBRATE_DIR") else {
        eprintln!(
            "calibrate_busy: run by scripts/compare-with-criterion.sh only; skipped"
        );
        return;
    };
    let busy = busy_loop(Path::new(&dir));
    let seed = std::env::var("PERFGATE_CALIBRATE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let contended =
        std::env::var("PERFGATE_CALIBRATE_CONTENTION").is_ok_and(|v| v == "on");
    let guard = contended.then(|| {
        contention::start(&ContentionConfig::new(seed, CONTENTION_DEADLINE))
            .expect("starting the contention generator")
    });

    let mut suite = Suite::from_env();
    suite.bench(BENCH_ID, None, move || busy.iterate());
    let mut criterion = Criterion::default().configure_from_args();
    if let Err(e) = suite.run(&mut criterion) {
        eprintln!("calibrate_busy: {e}");
        std::process::exit(2);
    }
    criterion.final_summary();
    let status = gate_suite(&mut suite);
    drop(guard);
    println!("perfgate exit status: {status}");
    std::process::exit(status);
}

/// The loop recorded in `dir/rounds`, or a freshly calibrated one that is
/// recorded there for the next run.
fn busy_loop(dir: &Path) -> BusyLoop {
    let path = dir.join("rounds");
    if let Some(rounds) = std::fs::read_to_string(&path)
        .ok()
        .and_then(|s| s.trim().parse().ok())
    {
        return BusyLoop::new(rounds);
    }
    let busy = routine::calibrate(Nanos(DEFAULT_TARGET_NS));
    if let Err(e) = std::fs::write(&path, busy.rounds.to_string()) {
        eprintln!("calibrate_busy: {}: {e}", path.display());
    }
    busy
}
