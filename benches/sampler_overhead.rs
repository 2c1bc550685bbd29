//! The sampler's own cost per sample, beyond the routine.
//!
//! `sample/noop` times `Sampler::sample` with a routine of one empty
//! iteration: what remains is the sampler (six probe readings, the
//! judgment, the anchor update, the record). `probe/*` split that into its
//! readings; `sample/logic_only` uses a scripted probe to show the rest.
//! `cargo bench --bench sampler_overhead`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use perfgate::sampler::fake::{FakeMachine, Step};
use perfgate::sampler::{CpuScope, OsProbe, Probe, Sampler, SamplerConfig};

/// Samples per timed batch: the reference set grows to this size, like a
/// 100-sample benchmark's.
const SAMPLES: u64 = 100;

fn noop(iterations: u64) {
    for i in 0..iterations {
        black_box(i);
    }
}

fn sample_overhead(c: &mut Criterion) {
    c.bench_function("sample/noop", |b| {
        b.iter_custom(|rounds| {
            let mut total = Duration::ZERO;
            for _ in 0..rounds.div_ceil(SAMPLES) {
                // Retakes off: a 50 ns sample is often "contended", and a retake
                // would time the backoff, not the sampler.
                let config = SamplerConfig::default().without_retakes();
                let mut sampler = Sampler::new(config, OsProbe);
                sampler.pilot(1, &mut noop);
                let start = Instant::now();
                for _ in 0..SAMPLES {
                    black_box(sampler.sample(1, &mut noop));
                }
                total += start.elapsed();
            }
            // Per sample: criterion divides by `rounds`.
            total.mul_f64(rounds as f64 / (rounds.div_ceil(SAMPLES) * SAMPLES) as f64)
        })
    });
}

/// The sampler's logic alone: a scripted probe whose readings cost a few
/// nanoseconds, so what remains is judgment, anchor update and record.
fn sample_logic(c: &mut Criterion) {
    c.bench_function("sample/logic_only", |b| {
        b.iter_custom(|rounds| {
            let mut total = Duration::ZERO;
            for _ in 0..rounds.div_ceil(SAMPLES) {
                let machine = FakeMachine::new([Step::quiet(1000)]);
                let mut batch = machine.batch();
                let mut sampler = Sampler::new(SamplerConfig::default(), machine);
                sampler.pilot(1, &mut batch);
                let start = Instant::now();
                for _ in 0..SAMPLES {
                    black_box(sampler.sample(1, &mut batch));
                }
                total += start.elapsed();
            }
            total.mul_f64(rounds as f64 / (rounds.div_ceil(SAMPLES) * SAMPLES) as f64)
        })
    });
}

fn probe_readings(c: &mut Criterion) {
    let mut p = OsProbe;
    c.bench_function("probe/now_ns", |b| b.iter(|| p.now_ns()));
    c.bench_function("probe/thread_cpu_ns", |b| {
        b.iter(|| p.cpu_ns(CpuScope::Thread))
    });
    c.bench_function("probe/thread_switches", |b| {
        b.iter(|| p.involuntary_switches(CpuScope::Thread))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        // Short: this target runs with every `cargo bench`.
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1));
    targets = sample_overhead, sample_logic, probe_readings
}
criterion_main!(benches);
