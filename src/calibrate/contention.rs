//! The contention generator: bursts of busy work on the other cores.
//!
//! Calibration must show how the gate behaves when the machine interferes,
//! so this module makes the machine interfere on purpose. Each worker
//! thread alternates an idle gap and a burst, both of random length drawn
//! from a seeded generator (one stream per worker, so a run repeats). A
//! burst sweeps a buffer larger than a typical L2 cache ([`SWEEP_BYTES`])
//! with arithmetic in between, so it competes for the core, the shared
//! caches and memory bandwidth, as a parallel build does.
//!
//! The generator is bounded three ways, any one of which stops it:
//! - a **deadline** fixed at start, checked inside the burst loop after
//!   every short chunk of work ([`CHUNK_BYTES`]) and bounding every idle
//!   wait, so a generator that nobody stops still ends on time;
//! - a **stop flag**, set by [`ContentionGuard::stop`];
//! - the guard's **`Drop`**, which sets the flag, wakes the workers and
//!   joins them: leaving the scope, an early `?` return and unwinding from
//!   a panic all stop the workers before the guard is gone.

// The workers are threads of the measuring process. That suits the busy
// loop, which is single-threaded and measured with its thread's CPU time; a
// parallel routine measured with process-wide CPU time would count their
// work as its own, so calibrating one would need them in a child process.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Bytes a burst sweeps: 4 MiB, larger than L2 on common machines, so a
/// burst evicts the measured routine's data from shared caches.
pub const SWEEP_BYTES: usize = 4 << 20;

/// Bytes touched between two deadline checks: 64 KiB, well under a
/// millisecond of work, so the deadline is honoured within about that.
pub const CHUNK_BYTES: usize = 64 << 10;

/// Settings of the contention generator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContentionConfig {
    /// Worker threads; by default one fewer than the logical cores (at
    /// least one), so the measured routine keeps a core of its own.
    pub threads: usize,
    /// Shortest and longest idle gap between bursts.
    pub gap: (Duration, Duration),
    /// Shortest and longest burst.
    pub burst: (Duration, Duration),
    /// Hard bound on the generator's life, counted from its start.
    pub deadline: Duration,
    /// Seed of the burst timing.
    pub seed: u64,
}

impl ContentionConfig {
    /// Defaults: gaps of 10–300 ms and bursts of 2–150 ms (busy about a
    /// third of the time, with slow periods from milliseconds to a tenth
    /// of a second as measured on the shared machines), on all cores but
    /// one, for at most `deadline`.
    pub fn new(seed: u64, deadline: Duration) -> Self {
        let cores = thread::available_parallelism().map_or(2, |n| n.get());
        ContentionConfig {
            threads: cores.saturating_sub(1).max(1),
            gap: (Duration::from_millis(10), Duration::from_millis(300)),
            burst: (Duration::from_millis(2), Duration::from_millis(150)),
            deadline,
            seed,
        }
    }
}

/// What the workers did, summed over all of them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentionSummary {
    /// Bursts started.
    pub bursts: u64,
    /// Time spent busy, ns.
    pub busy_ns: u64,
}

/// A running contention generator; dropping it stops and joins the workers.
#[derive(Debug)]
pub struct ContentionGuard {
    stop: Arc<AtomicBool>,
    live: Arc<AtomicUsize>,
    workers: Vec<JoinHandle<ContentionSummary>>,
}

/// Starts the workers. They run until the guard is stopped or dropped, or
/// until `config.deadline` has passed, whichever comes first.
///
/// # Errors
/// When the OS refuses a thread; the workers already started are stopped.
pub fn start(config: &ContentionConfig) -> std::io::Result<ContentionGuard> {
    let mut guard = ContentionGuard {
        stop: Arc::new(AtomicBool::new(false)),
        live: Arc::new(AtomicUsize::new(0)),
        workers: Vec::with_capacity(config.threads),
    };
    let deadline = Instant::now() + config.deadline;
    for i in 0..config.threads {
        let worker = Worker {
            stop: Arc::clone(&guard.stop),
            deadline,
            gap: config.gap,
            burst: config.burst,
            rng: ChaCha8Rng::seed_from_u64(config.seed),
            stream: i as u64,
        };
        guard.live.fetch_add(1, Ordering::SeqCst);
        let alive = LiveToken(Arc::clone(&guard.live));
        let handle = thread::Builder::new()
            .name(format!("perfgate-contention-{i}"))
            .spawn(move || {
                let _alive = alive;
                worker.run()
            })?;
        guard.workers.push(handle);
    }
    Ok(guard)
}

impl ContentionGuard {
    /// Stops the workers, waits for them and sums what they did.
    pub fn stop(mut self) -> ContentionSummary {
        self.halt()
    }

    /// A counter of workers still running, for callers that must check the
    /// generator is gone (it reaches 0 once every worker has returned).
    pub fn live_workers(&self) -> Arc<AtomicUsize> {
        Arc::clone(&self.live)
    }

    fn halt(&mut self) -> ContentionSummary {
        self.stop.store(true, Ordering::SeqCst);
        for w in &self.workers {
            w.thread().unpark();
        }
        let mut total = ContentionSummary::default();
        for w in self.workers.drain(..) {
            // A worker that panicked did no harm worth failing the run for;
            // its share of the summary is lost.
            if let Ok(s) = w.join() {
                total.bursts += s.bursts;
                total.busy_ns += s.busy_ns;
            }
        }
        total
    }
}

impl Drop for ContentionGuard {
    fn drop(&mut self) {
        self.halt();
    }
}

/// Decrements the live-worker count when a worker ends, however it ends.
struct LiveToken(Arc<AtomicUsize>);

impl Drop for LiveToken {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

struct Worker {
    stop: Arc<AtomicBool>,
    deadline: Instant,
    gap: (Duration, Duration),
    burst: (Duration, Duration),
    rng: ChaCha8Rng,
    stream: u64,
}

impl Worker {
    fn run(mut self) -> ContentionSummary {
        self.rng.set_stream(self.stream);
        let mut buf = vec![0u64; SWEEP_BYTES / 8];
        let mut summary = ContentionSummary::default();
        while self.running() {
            let gap = draw(&mut self.rng, self.gap);
            self.idle(gap);
            if !self.running() {
                break;
            }
            let len = draw(&mut self.rng, self.burst);
            summary.bursts += 1;
            summary.busy_ns += self.burst(len, &mut buf);
        }
        summary
    }

    fn running(&self) -> bool {
        !self.stop.load(Ordering::Relaxed) && Instant::now() < self.deadline
    }

    /// Waits for `gap`, waking early on stop (the guard unparks) and never
    /// past the deadline.
    fn idle(&self, gap: Duration) {
        let until = (Instant::now() + gap).min(self.deadline);
        while self.running() {
            let now = Instant::now();
            if now >= until {
                return;
            }
            thread::park_timeout(until - now);
        }
    }

    /// Busy work for `len`, in chunks short enough that the stop flag and
    /// the deadline are checked often. Returns the ns spent.
    fn burst(&self, len: Duration, buf: &mut [u64]) -> u64 {
        let start = Instant::now();
        let until = (start + len).min(self.deadline);
        let chunk = CHUNK_BYTES / 8;
        let mut at = 0;
        let mut x = self.stream.wrapping_add(0x9e37_79b9_7f4a_7c15);
        while !self.stop.load(Ordering::Relaxed) && Instant::now() < until {
            for slot in &mut buf[at..at + chunk] {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *slot = slot.wrapping_add(x);
            }
            at = (at + chunk) % buf.len();
        }
        std::hint::black_box(&buf);
        start.elapsed().as_nanos() as u64
    }
}

/// A uniform draw in `[lo, hi]` (either order accepted).
fn draw(rng: &mut ChaCha8Rng, (a, b): (Duration, Duration)) -> Duration {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    if lo == hi {
        return lo;
    }
    Duration::from_nanos(rng.gen_range(lo.as_nanos() as u64..=hi.as_nanos() as u64))
}
