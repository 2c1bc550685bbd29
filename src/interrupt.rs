//! Stopping a run promptly on SIGINT (Ctrl-C) or SIGTERM.
//!
//! criterion owns the benchmark loop, so perfgate cannot unwind out of it.
//! Instead [`install`] sets a handler (through `libc::sigaction`, with
//! `SA_RESTART` so file writes elsewhere are not cut short) that only
//! records the signal in an atomic. The places that can run for long check
//! it: the sampler before every sample and retake and its backoff sleeps,
//! the gate's confirmation backoff, calibration between trials. There
//! [`checkpoint`] ends the process with status 128 + the signal number:
//! **130** for SIGINT, **143** for SIGTERM, distinct from the verdict
//! statuses 0–3.
//!
//! Ending the process is safe at a checkpoint: every file is replaced
//! atomically, the run manifest says the run is still in progress until it
//! ends (so an interrupted run is never judged), the locks are released by
//! the OS, and the contention generator's worker threads end with the
//! process. A second signal while the first is being handled restores the
//! default action and re-raises it, so a stuck run still dies at once.
//!
//! Sleeps go through [`sleep`], in slices of at most [`SLICE`], so an
//! interrupted backoff ends within a slice instead of after seconds.

use std::io::Write;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Once;
use std::time::{Duration, Instant};

/// Exit status after SIGINT (128 + 2), as shells report it.
pub const SIGINT_STATUS: i32 = 128 + libc::SIGINT;
/// Exit status after SIGTERM (128 + 15).
pub const SIGTERM_STATUS: i32 = 128 + libc::SIGTERM;

/// Longest piece of an interruptible sleep: 20 ms, far below a human's
/// patience and far above the cost of waking.
pub const SLICE: Duration = Duration::from_millis(20);

/// The signal received, 0 for none.
static RECEIVED: AtomicI32 = AtomicI32::new(0);
static INSTALL: Once = Once::new();

extern "C" fn on_signal(signal: libc::c_int) {
    if RECEIVED.swap(signal, Ordering::SeqCst) != 0 {
        // SAFETY: `signal` and `raise` are async-signal-safe; restoring the
        // default action and raising again ends the process as the signal
        // normally would.
        unsafe {
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
    }
}

/// Routes SIGINT and SIGTERM to the flag. Idempotent.
pub fn install() {
    INSTALL.call_once(|| {
        for signal in [libc::SIGINT, libc::SIGTERM] {
            // SAFETY: a zeroed sigaction is valid; the handler only touches
            // an atomic, which is async-signal-safe.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as *const () as libc::sighandler_t;
                action.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                if libc::sigaction(signal, &action, std::ptr::null_mut()) != 0 {
                    log::warn!("signal {signal}: handler not installed");
                }
            }
        }
    });
}

/// The signal received since [`install`], if any.
pub fn requested() -> Option<i32> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// The exit status for `signal`: 128 + its number.
pub fn exit_status(signal: i32) -> i32 {
    128 + signal
}

/// Ends the process with [`exit_status`] when a signal arrived.
pub fn checkpoint() {
    if let Some(signal) = requested() {
        let name = match signal {
            libc::SIGINT => "SIGINT",
            libc::SIGTERM => "SIGTERM",
            _ => "a signal",
        };
        let status = exit_status(signal);
        let _ = std::io::stdout().flush();
        eprintln!(
            "\nperfgate: interrupted by {name}; stopped before judging anything \
             further, exit status {status}. Files already written are complete; \
             run again to measure."
        );
        std::process::exit(status);
    }
}

/// Sleeps `duration` in slices, passing a [`checkpoint`] before each.
/// A duration too long for the clock (a configured wait of millions of
/// years) sleeps until a signal arrives rather than overflowing.
pub fn sleep(duration: Duration) {
    let end = Instant::now().checked_add(duration);
    loop {
        checkpoint();
        let left = end.map_or(SLICE, |end| end.saturating_duration_since(Instant::now()));
        if left.is_zero() {
            return;
        }
        std::thread::sleep(left.min(SLICE));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_follow_the_shell_convention() {
        assert_eq!(SIGINT_STATUS, 130);
        assert_eq!(SIGTERM_STATUS, 143);
        assert_eq!(exit_status(libc::SIGINT), SIGINT_STATUS);
    }

    #[test]
    fn an_uninterrupted_sleep_lasts_its_whole_duration() {
        let start = Instant::now();
        sleep(Duration::from_millis(45));
        assert!(start.elapsed() >= Duration::from_millis(45));
    }
}
