//! The machine canary: a fixed routine measured beside every suite, so the
//! gate can tell a slower machine from slower code.
//!
//! On the shared virtual machines perfgate runs on, a host-level slow
//! period can last minutes and slow every routine by 10–30% with no trace
//! inside the machine: CPU time grows with wall time, no context switch,
//! no neighbour on the other core. Within one run the sampler cannot see
//! it (the fast mode itself is slow), and the confirming re-measurements
//! of a `regressed` benchmark fall in the same period. What does show it
//! is a routine whose code never changes: the canary. Its baseline is
//! saved with the others; when the canary itself runs slower than its
//! baseline by more than its threshold, a slowdown of any benchmark may be
//! the machine's, so the gate does not call it `regressed`.
//!
//! The routine is integer arithmetic (a xorshift generator) with dependent
//! reads and writes over a buffer of [`CANARY_BYTES`] that stays in the
//! core's L2 cache. Arithmetic is what slow periods of the host slow most
//! (memory-bound code slows less). A buffer beyond the L2 was tried and
//! dropped: inside the benchmark process, after the suite's large cases,
//! its reads missed every cache for seconds at a time (ten times slower
//! than the same routine alone), a state of the process, not of the
//! machine, that would have made the canary cry wolf.
//!
//! TODO(#4): contention for the host's memory (other tenants' traffic)
//! slows the memory-bound cases (`halo/waves/*`) by up to 25% while an
//! L2-resident canary keeps its speed; a second, memory-bound canary can
//! cover it once its in-process behaviour (above) is understood.

use std::hint::black_box;

use super::config::SamplerConfig;
use super::measure::Sampler;
use super::probe::{CpuScope, OsProbe};
use crate::stats::quantile::median;

/// Id of the canary's record and baseline. The `perfgate/` prefix keeps it
/// apart from any suite's own ids.
pub const CANARY_ID: &str = "perfgate/machine";

/// Size of the canary's buffer: 64 KiB, well inside the 1 MiB L2 cache of
/// a core of these machines.
pub const CANARY_BYTES: usize = 64 << 10;

/// Dependent accesses per iteration: tens of microseconds here, so
/// samples of the sampler's default target time hold dozens of
/// iterations.
const STEPS: u32 = 4096;

/// The canary's state: its buffer and generator.
#[derive(Debug, Clone)]
pub struct Canary {
    data: Vec<u64>,
    state: u64,
}

impl Default for Canary {
    fn default() -> Self {
        Canary::new()
    }
}

impl Canary {
    /// A canary with its buffer filled from a fixed seed.
    pub fn new() -> Self {
        let mut state = 0x9E37_79B9_7F4A_7C15;
        let data = (0..CANARY_BYTES / 8)
            .map(|_| xorshift(&mut state))
            .collect();
        Canary { data, state }
    }

    /// One iteration: dependent random reads and writes over the buffer.
    pub fn step(&mut self) -> u64 {
        let mask = self.data.len() - 1;
        let mut acc = 0u64;
        for _ in 0..STEPS {
            let x = xorshift(&mut self.state);
            let i = ((x ^ acc) as usize) & mask;
            acc = acc.wrapping_mul(31).wrapping_add(self.data[i]);
            self.data[i] = acc ^ x;
        }
        black_box(acc)
    }
}

/// Samples of one reading of the machine's speed (about 40 ms with the
/// sampler's 2 ms samples): enough for a median that repeats within a
/// fraction of a percent on a quiet machine, short enough to take one
/// before and one after every measurement.
pub const READING_SAMPLES: u32 = 20;

/// Most attempts per sample of a reading: a contended sample is retaken
/// after a millisecond or so, never after the sampler's long backoffs, so
/// a reading stays short; contention that outlasts them shows in one of
/// the two readings only, and [`super::record::MachineReading::ns`] keeps
/// the other.
const READING_ATTEMPTS: u32 = 3;

/// Reads the machine's speed: the canary's median per-iteration time over
/// [`READING_SAMPLES`] samples taken by a sampler configured as `config`
/// (retakes capped at 3 attempts a sample). `None` when no sample came
/// out clean.
pub fn read_speed(canary: &mut Canary, config: &SamplerConfig) -> Option<f64> {
    let mut config = config.clone();
    config.max_attempts = config.max_attempts.min(READING_ATTEMPTS);
    let mut sampler = Sampler::new(config, OsProbe).with_scope(CpuScope::Thread);
    let mut batch = |n: u64| {
        for _ in 0..n {
            black_box(canary.step());
        }
    };
    let iterations = sampler.iterations_for(&mut batch);
    let record = sampler.measure(CANARY_ID, iterations, READING_SAMPLES, &mut batch);
    median(&record.clean_per_iteration())
        .filter(|m| super::record::plausible_machine_ns(*m))
}

/// Marsaglia's xorshift64: fast, fixed, good enough to scatter addresses.
fn xorshift(state: &mut u64) -> u64 {
    let mut x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_canary_does_the_same_work_every_time() {
        let (mut a, mut b) = (Canary::new(), Canary::new());
        let first: Vec<u64> = (0..3).map(|_| a.step()).collect();
        let again: Vec<u64> = (0..3).map(|_| b.step()).collect();
        assert_eq!(first, again);
        assert_eq!(a.data.len() * 8, CANARY_BYTES);
        assert!(a.data.len().is_power_of_two());
    }

    #[test]
    fn a_reading_of_the_machine_is_a_positive_time_per_iteration() {
        let mut canary = Canary::new();
        let ns =
            read_speed(&mut canary, &SamplerConfig::default()).expect("clean samples");
        assert!(ns.is_finite() && ns > 0.0, "{ns}");
    }
}
