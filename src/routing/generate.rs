//! DAG generators for tests, benchmarks and `perfgate route`.
//!
//! - [`flat`]: `n` independent tasks cycling a list of types (the
//!   original router's benchmark input);
//! - [`layered`]: a seeded random layered DAG: layers of [`LAYER_WIDTH`]
//!   tasks, each task past the first layer depending on 1 to
//!   [`MAX_PARENTS`] distinct tasks of the layer before (uniform, so about
//!   3 on average), types drawn uniformly from a list;
//! - [`chain`]: `n` tasks each depending on the one before;
//! - [`pipeline`]: the 8-task delivery pipeline.
//!
//! Task ids are `task_<i>` (pipeline: the stage name).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::{Dag, RoutingError, TaskIndex};

/// The flat benchmark types, in the order `--types K` takes them.
pub const FLAT_TYPES: [&str; 7] = [
    "design",
    "implement",
    "test",
    "deploy",
    "monitor",
    "security",
    "analytics",
];

/// Tasks per layer of [`layered`]. Wide enough that a layer holds several
/// tasks of each type (so per-wave caps bind), narrow enough that a large
/// DAG is deep (1,000,000 tasks make 15,625 layers).
pub const LAYER_WIDTH: usize = 64;

/// Most parents of a task in [`layered`]; the count is uniform in
/// 1..=MAX_PARENTS, so the average in-degree is (1 + 5) / 2 = 3.
pub const MAX_PARENTS: usize = 5;

/// The pipeline's stages (each task's id and type) and dependencies.
const PIPELINE: [&str; 8] = [
    "design",
    "architecture",
    "frontend",
    "backend",
    "qa",
    "security",
    "deploy",
    "marketing",
];
const PIPELINE_EDGES: [(&str, &str); 8] = [
    ("design", "architecture"),
    ("architecture", "frontend"),
    ("architecture", "backend"),
    ("frontend", "qa"),
    ("backend", "qa"),
    ("qa", "security"),
    ("security", "deploy"),
    ("deploy", "marketing"),
];

fn check_types(n: usize, types: &[&str]) -> Result<(), RoutingError> {
    if n > 0 && types.is_empty() {
        return Err(RoutingError::NoTaskTypes);
    }
    Ok(())
}

/// `n` tasks without dependencies; task `i` has type `types[i % len]`.
pub fn flat(n: usize, types: &[&str]) -> Result<Dag, RoutingError> {
    check_types(n, types)?;
    let mut dag = Dag::with_capacity(n, 0);
    for i in 0..n {
        dag.add_task(&format!("task_{i}"), types[i % types.len()])?;
    }
    Ok(dag)
}

/// `n` tasks in a line, each depending on the one before; types cycle as
/// in [`flat`].
pub fn chain(n: usize, types: &[&str]) -> Result<Dag, RoutingError> {
    check_types(n, types)?;
    let mut dag = Dag::with_capacity(n, n.saturating_sub(1));
    for i in 0..n {
        let task = dag.add_task(&format!("task_{i}"), types[i % types.len()])?;
        if i > 0 {
            dag.add_dependency_at(TaskIndex::new(i - 1), task)?;
        }
    }
    Ok(dag)
}

/// A seeded random layered DAG of `n` tasks (see the module docs). The
/// same seed gives the same DAG.
pub fn layered(n: usize, types: &[&str], seed: u64) -> Result<Dag, RoutingError> {
    check_types(n, types)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut dag = Dag::with_capacity(n, n * (MAX_PARENTS + 1) / 2);
    for i in 0..n {
        let ty = types[rng.gen_range(0..types.len())];
        let task = dag.add_task(&format!("task_{i}"), ty)?;
        let layer_start = i - i % LAYER_WIDTH;
        if layer_start == 0 {
            continue;
        }
        let previous = layer_start - LAYER_WIDTH;
        let mut parents = [0usize; MAX_PARENTS];
        let count = rng.gen_range(1..=MAX_PARENTS);
        for k in 0..count {
            parents[k] = distinct_pick(&mut rng, previous, &parents[..k]);
            dag.add_dependency_at(TaskIndex::new(parents[k]), task)?;
        }
    }
    Ok(dag)
}

/// A task of the layer starting at `start` not already in `taken`.
fn distinct_pick(rng: &mut ChaCha8Rng, start: usize, taken: &[usize]) -> usize {
    loop {
        let pick = start + rng.gen_range(0..LAYER_WIDTH);
        if !taken.contains(&pick) {
            return pick;
        }
    }
}

/// The pipeline design -> architecture -> {frontend, backend} -> qa ->
/// security -> deploy -> marketing; each task's id is its type.
pub fn pipeline() -> Dag {
    let mut dag = Dag::with_capacity(PIPELINE.len(), PIPELINE_EDGES.len());
    for stage in PIPELINE {
        // Ids are distinct and edges name known ids, so neither call fails.
        let _ = dag.add_task(stage, stage);
    }
    for (parent, child) in PIPELINE_EDGES {
        let _ = dag.add_dependency(parent, child);
    }
    dag
}
