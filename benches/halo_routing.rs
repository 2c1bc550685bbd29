//! The routing benchmark suite (criterion). Inputs and routines come from
//! `perfgate::routing::cases`, so another driver can measure the same
//! work; each case below only builds its input once and times the routine.
//!
//! There is no rayon variant of `halo/waves/1m`. Routing is one pass in
//! topological order where each task's wave and agent depend on the loads
//! left by every task before it, so the pass cannot be split without
//! changing the plan. What could run in parallel, clearing the plan's
//! buffers, took under 5% of the call in a profile of this case (`perf
//! record` on the bench binary), so on the 2-core shared machine the suite
//! runs on, a parallel variant could gain at most a few percent while
//! competing with the other core's work.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use perfgate::routing::cases::{self, RuleMatching};
use perfgate::routing::{CapMode, Dag, Plan, Router};

/// Times routing `dag` into one reused plan.
fn bench_route(c: &mut Criterion, id: &str, dag: &Dag, mode: CapMode, throughput: bool) {
    let router = Router::halo();
    let mut plan = Plan::new();
    let mut group = c.benchmark_group("halo");
    if throughput {
        group.throughput(Throughput::Elements(dag.len() as u64));
    }
    group.bench_function(id, |b| {
        b.iter(|| router.route_into(black_box(dag), mode, &mut plan))
    });
    group.finish();
}

fn flat_cases(c: &mut Criterion) {
    let medium = cases::medium_dag().expect("medium DAG");
    bench_route(c, "medium_dag", &medium, CapMode::PerPlan, false);
    let large = cases::large_dag().expect("large DAG");
    bench_route(c, "large_dag", &large, CapMode::PerPlan, false);
    let per_task = cases::per_task_dag().expect("per-task DAG");
    bench_route(c, "per_task", &per_task, CapMode::PerPlan, true);
}

fn rule_cases(c: &mut Criterion) {
    let router = Router::halo();
    let input = RuleMatching::new(&router).expect("implement is a HALO type");
    c.bench_function("halo/rule_matching", |b| b.iter(|| input.run(&router)));

    let rules = cases::dynamic_rules();
    c.bench_function("halo/dynamic_rule_addition", |b| {
        b.iter_batched(
            Router::halo,
            |mut router| {
                cases::add_dynamic_rules(&mut router, &rules).expect("fresh rule ids");
                router
            },
            BatchSize::SmallInput,
        )
    });
}

fn waves_cases(c: &mut Criterion) {
    for (name, tasks) in cases::WAVES_SIZES {
        let router = Router::halo();
        let mut group = c.benchmark_group("halo/waves");
        group.throughput(Throughput::Elements(tasks as u64));
        if tasks >= 100_000 {
            // Each iteration takes milliseconds; 10 samples keep the case
            // to a few seconds.
            group.sample_size(10);
        }
        // The DAG is built on the closure's first call: criterion calls it
        // only for benchmarks its filter selects, so a run of `1k` alone
        // does not wait for the million-task DAG.
        let mut input: Option<Dag> = None;
        let mut plan = Plan::new();
        group.bench_function(name, |b| {
            let dag = input
                .get_or_insert_with(|| cases::waves_dag(tasks).expect("layered DAG"));
            b.iter(|| router.route_into(black_box(&*dag), CapMode::Waves, &mut plan))
        });
        group.finish();
    }
}

criterion_group!(benches, flat_cases, rule_cases, waves_cases);
criterion_main!(benches);
