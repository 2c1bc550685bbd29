//! What retakes add to a benchmark's run time on this machine.
//!
//! Measures a busy loop (samples of about 2 ms, 100 samples) with the
//! default sampler, once with retakes and once without, and prints the run
//! time, the retakes and the share of the run they took.
//! `cargo run --release --example sampler_retake_cost`

use std::hint::black_box;
use std::time::Instant;

use perfgate::sampler::{BenchRecord, ContentionReason, OsProbe, Sampler, SamplerConfig};

fn busy(iterations: u64) {
    for i in 0..iterations {
        let mut x = i;
        for _ in 0..1_000 {
            x = black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1));
        }
        black_box(x);
    }
}

fn run(label: &str, config: SamplerConfig) -> BenchRecord {
    let mut sampler = Sampler::new(config, OsProbe);
    let iterations = sampler.iterations_for(&mut busy);
    let start = Instant::now();
    let rec = sampler.measure("busy", iterations, 100, &mut busy);
    let elapsed = start.elapsed().as_secs_f64();
    let retake_s = rec.sampling.retake_time_ns as f64 / 1e9;
    println!(
        "{label:>9}: {iterations} iterations/sample, run {elapsed:.3} s, \
         {} retakes, {} flagged, retakes took {retake_s:.3} s ({:.1}% of the run)",
        rec.retakes(),
        rec.flagged(),
        100.0 * retake_s / elapsed
    );
    for reason in [
        ContentionReason::ContextSwitches,
        ContentionReason::WallExceedsCpu,
        ContentionReason::UpperOutlier,
    ] {
        let n = rec
            .samples
            .iter()
            .filter(|s| s.reasons.contains(&reason))
            .count();
        println!("{:>11}{reason:?}: {n} attempts", "");
    }
    rec
}

fn main() {
    run("retakes", SamplerConfig::default());
    run("no retake", SamplerConfig::default().without_retakes());
}
