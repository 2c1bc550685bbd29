//! The synthetic routine of known cost: a calibrated busy loop.
//!
//! One **round** is one step of a xorshift64 generator, a chain of
//! dependent integer operations the compiler cannot fold or vectorise
//! (the round count passes through `black_box`). An iteration runs
//! `rounds` rounds, so its cost is proportional to `rounds`, and an
//! injected slowdown of 5% is exactly 5% more rounds (up to rounding,
//! reported as [`BusyLoop::actual_change`]).
//!
//! [`calibrate`] picks `rounds` at start-up so that an iteration costs
//! about [`DEFAULT_TARGET_NS`], the per-iteration cost of the routing
//! suite's `halo/large_dag` case. It times [`PROBE_BATCHES`] batches of
//! [`PROBE_ROUNDS`] rounds and keeps the fastest: the floor of a batch
//! repeats across runs while its median moves with the machine's slow
//! periods, so the floor gives a loop count that does not depend on when
//! calibration ran.

use std::hint::black_box;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::units::Nanos;

/// Default cost of one iteration: 5 µs, the order of `halo/large_dag`.
pub const DEFAULT_TARGET_NS: f64 = 5_000.0;

/// Rounds in one timed calibration batch (about 0.1–0.3 ms).
pub const PROBE_ROUNDS: u64 = 100_000;

/// Calibration batches; the fastest is kept.
pub const PROBE_BATCHES: usize = 30;

/// The busy loop with its round count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BusyLoop {
    /// Rounds per iteration.
    pub rounds: u64,
    /// Rounds of the unchanged loop this one was derived from.
    pub base_rounds: u64,
}

impl BusyLoop {
    /// A loop of `rounds` rounds per iteration (at least 1).
    pub fn new(rounds: u64) -> Self {
        let rounds = rounds.max(1);
        BusyLoop {
            rounds,
            base_rounds: rounds,
        }
    }

    /// The same loop made slower by `change` (0.05 = 5% more rounds).
    pub fn slowed(&self, change: f64) -> Self {
        let rounds = (self.base_rounds as f64 * (1.0 + change)).round().max(1.0);
        BusyLoop {
            rounds: rounds as u64,
            base_rounds: self.base_rounds,
        }
    }

    /// The slowdown actually injected after rounding the round count.
    pub fn actual_change(&self) -> f64 {
        self.rounds as f64 / self.base_rounds as f64 - 1.0
    }

    /// One iteration. Returns the generator state so the work is used.
    #[inline(never)]
    pub fn iterate(&self) -> u64 {
        spin(black_box(self.rounds))
    }
}

/// `rounds` steps of xorshift64 from a fixed non-zero state.
#[inline(never)]
pub fn spin(rounds: u64) -> u64 {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..rounds {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    black_box(x)
}

/// Calibrates the loop to about `target` per iteration on this machine.
pub fn calibrate(target: Nanos) -> BusyLoop {
    calibrate_with(target, |rounds| {
        let start = Instant::now();
        black_box(spin(rounds));
        Nanos(start.elapsed().as_nanos() as f64)
    })
}

/// Calibration with a supplied batch timer (`rounds` → time taken), so the
/// arithmetic can be checked without real time.
pub fn calibrate_with(
    target: Nanos,
    mut time_batch: impl FnMut(u64) -> Nanos,
) -> BusyLoop {
    let fastest = (0..PROBE_BATCHES)
        .map(|_| time_batch(PROBE_ROUNDS).get())
        .filter(|t| t.is_finite() && *t > 0.0)
        .fold(f64::INFINITY, f64::min);
    if !fastest.is_finite() {
        // A clock too coarse to time a batch: assume 1 ns per round.
        return BusyLoop::new(target.get().round() as u64);
    }
    let per_round = fastest / PROBE_ROUNDS as f64;
    BusyLoop::new((target.get() / per_round).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calibration_scales_rounds_by_the_fastest_batch() {
        // Batches of 100k rounds take 300 µs, then once 200 µs: 2 ns a round.
        let mut times = [300_000.0, 200_000.0].into_iter().cycle();
        let busy = calibrate_with(Nanos(5_000.0), |_| Nanos(times.next().unwrap()));
        assert_eq!(busy.rounds, 2_500);
    }

    #[test]
    fn a_clock_that_never_advances_falls_back_to_one_ns_per_round() {
        let busy = calibrate_with(Nanos(4_000.0), |_| Nanos(0.0));
        assert_eq!(busy.rounds, 4_000);
    }

    #[test]
    fn slowing_scales_the_base_rounds_and_reports_the_rounded_change() {
        let busy = BusyLoop::new(3_333);
        let slow = busy.slowed(0.05);
        assert_eq!(slow.rounds, 3_500);
        assert!((slow.actual_change() - (3_500.0 / 3_333.0 - 1.0)).abs() < 1e-12);
        assert_eq!(slow.slowed(0.10).rounds, 3_666, "derived from the base");
        assert_eq!(busy.slowed(0.0), busy);
    }

    #[test]
    fn more_rounds_change_the_result_so_the_work_is_not_skipped() {
        assert_ne!(spin(1000), spin(1001));
    }
}
