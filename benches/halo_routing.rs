//! The routing benchmark suite, gated.
//!
//! `cargo bench` runs every case through criterion with perfgate's
//! contention-aware sampler ([`Suite`]), then compares the clean samples
//! with `baselines/` and exits with the verdict status (0 pass,
//! 1 regression, 2 harness or input error, 3 inconclusive). Inputs and
//! routines come from `perfgate::routing::cases`, so other drivers measure
//! the same work; each case here builds its input once and times the
//! routine.
//!
//! - `PERFGATE_GATE=off cargo bench` measures and reports but exits 0, for
//!   exploring.
//! - `PERFGATE_SAVE_BASELINE=1 cargo bench` saves the run as the new
//!   baselines (`scripts/update-baselines.sh`).
//! - `cargo bench -- large_dag` runs and judges the matching cases only.
//!
//! There is no rayon variant of `halo/waves/1m`. Routing is one pass in
//! topological order where each task's wave and agent depend on the loads
//! left by every task before it, so the pass cannot be split without
//! changing the plan. What could run in parallel, clearing the plan's
//! buffers, took under 5% of the call in a profile of this case (`perf
//! record` on the bench binary), so on the 2-core shared machine the suite
//! runs on, a parallel variant could gain at most a few percent while
//! competing with the other core's work.

use std::time::Duration;

use criterion::{Criterion, SamplingMode};
use perfgate::routing::cases::{self, RuleMatching};
use perfgate::routing::{CapMode, Plan, Router};
use perfgate::sampler::{Case, Suite, Throughput};

/// Warm-up of every case: the routines take nanoseconds to tens of
/// milliseconds, so one second reaches a steady state for all of them.
const WARM_UP: Duration = Duration::from_secs(1);

/// Measurement time of a case. One second of 100 flat samples makes
/// samples of about 10 ms: short enough that a sample on a quiet 2-core
/// machine rarely sees an involuntary context switch (criterion's linear
/// sampling would make the last samples twice the average; a 20 ms sample
/// saw one in most samples while the other core compiled), long enough
/// that the timer's resolution is irrelevant. The whole suite, retakes
/// and confirmations included, stays within a few minutes.
const MEASUREMENT: Duration = Duration::from_secs(1);

/// Applies the suite's common timing settings to a case.
fn timing<'c, 'a>(case: &'c mut Case<'a>) -> &'c mut Case<'a> {
    case.warm_up_time(WARM_UP)
        .measurement_time(MEASUREMENT)
        .sampling_mode(SamplingMode::Flat)
}

fn main() {
    let router = Router::halo();
    let medium = cases::medium_dag().expect("the medium DAG is well-formed");
    let large = cases::large_dag().expect("the large DAG is well-formed");
    let per_task = cases::per_task_dag().expect("the per-task DAG is well-formed");
    let matching = RuleMatching::new(&router).expect("implement is a HALO type");
    let dynamic_rules = cases::dynamic_rules();

    let mut suite = Suite::from_env();
    let flat = [
        ("halo/medium_dag", &medium, None),
        ("halo/large_dag", &large, None),
        (
            "halo/per_task",
            &per_task,
            Some(Throughput::Elements(per_task.len() as u64)),
        ),
    ];
    for (id, dag, throughput) in flat {
        let mut plan = Plan::new();
        let router = &router;
        timing(suite.bench(id, throughput, move || {
            router.route_into(dag, CapMode::PerPlan, &mut plan).is_ok()
        }));
    }

    timing(suite.bench("halo/rule_matching", None, || matching.run(&router)));

    // Adding rules changes the router, so every iteration starts from a
    // fresh copy of the HALO tables; the copy is part of the timed work.
    timing(suite.bench("halo/dynamic_rule_addition", None, || {
        let mut fresh = router.clone();
        cases::add_dynamic_rules(&mut fresh, &dynamic_rules).is_ok()
    }));

    for (name, tasks) in cases::WAVES_SIZES {
        add_waves_case(&mut suite, &router, name, tasks);
    }

    let mut criterion = Criterion::default().configure_from_args();
    if let Err(e) = suite.run(&mut criterion) {
        eprintln!("perfgate: {e}");
        std::process::exit(2);
    }
    criterion.final_summary();
    std::process::exit(perfgate::cli::check::gate_suite(&mut suite));
}

/// `halo/waves/<name>`: a seeded layered DAG of `tasks` tasks in waves mode,
/// throughput in tasks.
///
/// The DAG is built here, before criterion starts: built lazily inside the
/// routine, the first warm-up call would include seconds of generation and
/// mislead criterion's estimate of the routine's cost. Building all four
/// costs about 3 s and 250 MB even when a filter skips them.
fn add_waves_case<'a>(
    suite: &mut Suite<'a>,
    router: &'a Router,
    name: &str,
    tasks: usize,
) {
    let dag = cases::waves_dag(tasks).expect("the layered DAG is well-formed");
    let mut plan = Plan::new();
    let case = suite.bench(
        format!("halo/waves/{name}"),
        Some(Throughput::Elements(tasks as u64)),
        move || router.route_into(&dag, CapMode::Waves, &mut plan).is_ok(),
    );
    timing(case);
    // The large cases take tens of milliseconds per iteration: samples of
    // one or a few iterations, and more of them, so that a sample rarely
    // spans a context switch and a few retaken ones still leave enough
    // clean samples (`min_samples` in perfgate.toml) on both sides. With
    // 20 samples of 7 iterations (150 ms each) most samples saw a switch
    // and baselines kept as few as 5 clean ones.
    if tasks >= 1_000_000 {
        // About 20-35 ms per iteration: 40 samples of one iteration.
        case.sample_size(40)
            .measurement_time(Duration::from_millis(800));
    } else if tasks >= 100_000 {
        // About 2-3 ms per iteration: 50 samples of about 20 ms.
        case.sample_size(50);
    }
}
