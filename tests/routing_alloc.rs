//! Routing into a reused plan allocates nothing per task: the count of
//! heap allocations for a 10,000-task DAG is no larger than for a
//! 1,000-task one. A counting global allocator tallies allocations made by
//! the current thread only, so the test harness's own threads do not
//! disturb the count.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use perfgate::routing::{generate, CapMode, Dag, Plan, Router};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn bump() {
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// only extra work is a thread-local counter that never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump();
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        bump();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_while(f: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

fn count(router: &Router, dag: &Dag, mode: CapMode, plan: &mut Plan) -> u64 {
    allocations_while(|| router.route_into(dag, mode, plan).unwrap())
}

/// A chain whose tasks are added last-to-first, so the router must order
/// it with Kahn's algorithm rather than walk index order.
fn reversed_chain(n: usize) -> Dag {
    let mut dag = Dag::with_capacity(n, n);
    for i in (0..n).rev() {
        dag.add_task(&format!("t{i}"), "test").unwrap();
    }
    for i in 1..n {
        dag.add_dependency(&format!("t{}", i - 1), &format!("t{i}"))
            .unwrap();
    }
    dag
}

#[test]
fn routing_into_a_reused_plan_allocates_no_more_for_ten_times_the_tasks() {
    let router = Router::halo();
    let layered = |n| generate::layered(n, &generate::FLAT_TYPES, 11).unwrap();
    let pairs = [
        (layered(1_000), layered(10_000)),
        (reversed_chain(1_000), reversed_chain(10_000)),
    ];
    for ((small, large), mode) in pairs
        .iter()
        .flat_map(|p| [(p, CapMode::PerPlan), (p, CapMode::Waves)])
    {
        let mut plan = Plan::new();
        let cold = count(&router, large, mode, &mut plan);
        assert!(cold > 0, "a fresh plan must grow its buffers at least once");

        let small_count = count(&router, small, mode, &mut plan);
        let large_count = count(&router, large, mode, &mut plan);
        assert!(
            large_count <= small_count,
            "{mode:?}: {large_count} allocations for 10,000 tasks, \
             {small_count} for 1,000"
        );
        assert_eq!(large_count, 0, "{mode:?}: a warm plan should not allocate");
    }
}
