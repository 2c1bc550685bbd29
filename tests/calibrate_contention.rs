//! The contention generator stops within its bound, whoever stops it.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use perfgate::calibrate::contention::{self, ContentionConfig};

/// Scheduling slack on a loaded 2-core machine; the bounds checked are a
/// correctness property (the workers end), not a speed.
const SLACK: Duration = Duration::from_secs(5);

fn config(deadline: Duration) -> ContentionConfig {
    ContentionConfig {
        threads: 2,
        gap: (Duration::from_micros(100), Duration::from_millis(2)),
        burst: (Duration::from_millis(1), Duration::from_millis(5)),
        deadline,
        seed: 7,
    }
}

fn wait_until_none_live(live: &AtomicUsize, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if live.load(Ordering::SeqCst) == 0 {
            return true;
        }
        thread::sleep(Duration::from_millis(5));
    }
    live.load(Ordering::SeqCst) == 0
}

#[test]
fn dropping_the_guard_stops_every_worker_before_drop_returns() {
    let guard = contention::start(&config(Duration::from_secs(600))).unwrap();
    let live = guard.live_workers();
    assert_eq!(live.load(Ordering::SeqCst), 2);
    thread::sleep(Duration::from_millis(20));
    drop(guard);
    assert_eq!(live.load(Ordering::SeqCst), 0);
}

#[test]
fn a_panic_while_the_generator_runs_stops_it_during_unwinding() {
    let mut seen: Option<Arc<AtomicUsize>> = None;
    let result = catch_unwind(AssertUnwindSafe(|| {
        let guard = contention::start(&config(Duration::from_secs(600))).unwrap();
        seen = Some(guard.live_workers());
        thread::sleep(Duration::from_millis(10));
        panic!("a trial failed");
    }));
    assert!(result.is_err());
    let live = seen.expect("the generator started");
    assert_eq!(live.load(Ordering::SeqCst), 0);
}

#[test]
fn the_deadline_alone_ends_a_generator_nobody_stops() {
    let deadline = Duration::from_millis(300);
    let guard = contention::start(&config(deadline)).unwrap();
    let live = guard.live_workers();
    // Leak the guard: no Drop, no stop flag; only the deadline is left.
    std::mem::forget(guard);
    assert!(
        wait_until_none_live(&live, deadline + SLACK),
        "{} workers still running",
        live.load(Ordering::SeqCst)
    );
}

#[test]
fn a_long_burst_is_cut_at_the_deadline_not_at_its_end() {
    let mut cfg = config(Duration::from_millis(200));
    cfg.gap = (Duration::ZERO, Duration::ZERO);
    cfg.burst = (Duration::from_secs(3600), Duration::from_secs(3600));
    let guard = contention::start(&cfg).unwrap();
    let live = guard.live_workers();
    std::mem::forget(guard);
    assert!(wait_until_none_live(&live, cfg.deadline + SLACK));
}

#[test]
fn stop_reports_the_bursts_the_workers_ran() {
    let mut cfg = config(Duration::from_secs(600));
    cfg.gap = (Duration::ZERO, Duration::ZERO);
    let guard = contention::start(&cfg).unwrap();
    thread::sleep(Duration::from_millis(50));
    let summary = guard.stop();
    assert!(summary.bursts >= 1, "{summary:?}");
    assert!(summary.busy_ns > 0, "{summary:?}");
}

#[test]
fn dropping_the_guard_mid_burst_does_not_wait_for_the_burst_to_end() {
    let mut cfg = config(Duration::from_secs(600));
    cfg.gap = (Duration::ZERO, Duration::ZERO);
    cfg.burst = (Duration::from_secs(3600), Duration::from_secs(3600));
    let guard = contention::start(&cfg).unwrap();
    thread::sleep(Duration::from_millis(20));
    let start = Instant::now();
    drop(guard);
    assert!(start.elapsed() < SLACK, "drop took {:?}", start.elapsed());
}
