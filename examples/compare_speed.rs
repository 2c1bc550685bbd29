//! Times one comparison of 100 samples a side with 10 000 bootstrap
//! resamples, the size `perfgate check` judges per benchmark by default.
//!
//! `cargo run --release --example compare_speed [threads]`

use std::time::Instant;

use perfgate::compare::{compare_benchmark, CompareOptions, Input};

fn samples(center: f64, n: u32) -> Vec<f64> {
    (0..n)
        .map(|i| center * (1.0 + 0.002 * f64::from(i * i * 13 % 97)))
        .collect()
}

fn main() {
    let threads = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(0);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .expect("the global thread pool is set once");
    let opts = CompareOptions::default();
    let mut times = Vec::new();
    for _ in 0..20 {
        let start = Instant::now();
        let c = compare_benchmark(
            "speed",
            Some(Input::new(samples(100.0, 100))),
            Some(Input::new(samples(103.0, 100))),
            &opts,
        )
        .expect("valid samples");
        times.push(start.elapsed().as_secs_f64() * 1e3);
        std::hint::black_box(c);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "100 + 100 samples, {} resamples, {} threads: min {:.2} ms, median {:.2} ms, max {:.2} ms",
        opts.resamples,
        rayon::current_num_threads(),
        times[0],
        times[times.len() / 2],
        times[times.len() - 1]
    );
}
