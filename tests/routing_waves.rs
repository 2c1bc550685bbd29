//! Invariants of waves mode over seeded random layered DAGs.

use std::collections::HashMap;

use perfgate::routing::{generate, CapMode, Dag, Plan, Router};
use proptest::prelude::*;

/// Types to draw from: the flat ones, `evolution` (darwin, cap 3, so caps
/// bind often), `fix_bug` without metadata (fallback to darwin) and
/// `teleport`, which no agent supports.
const POOL: [&str; 10] = [
    "design",
    "implement",
    "test",
    "deploy",
    "monitor",
    "security",
    "analytics",
    "evolution",
    "fix_bug",
    "teleport",
];

/// A case: task count, seed, types, and whether to rebuild the DAG with
/// its tasks inserted in a shuffled order (so index order is not a
/// topological order and the router's own ordering is exercised).
type Case = (usize, u64, Vec<&'static str>, bool);

fn case() -> impl Strategy<Value = Case> {
    let types = proptest::sample::subsequence(POOL.to_vec(), 1..=POOL.len());
    (0usize..2_500, any::<u64>(), types, any::<bool>())
}

/// The same DAG with its tasks inserted in a seeded random order.
fn shuffled(dag: &Dag, seed: u64) -> Dag {
    use rand::seq::SliceRandom;
    use rand::SeedableRng;
    let mut indices: Vec<_> = dag.graph().node_indices().collect();
    indices.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
    let mut out = Dag::new();
    for i in indices {
        let task = dag.task(i).unwrap();
        out.add_task(task.id(), dag.type_name(task.task_type()))
            .unwrap();
    }
    for edge in dag.graph().raw_edges() {
        let id = |t| dag.task(t).unwrap().id();
        out.add_dependency(id(edge.source()), id(edge.target()))
            .unwrap();
    }
    out
}

fn route((n, seed, types, shuffle): &Case) -> (Router, Dag, Plan) {
    let router = Router::halo();
    let mut dag = generate::layered(*n, types, *seed).unwrap();
    if *shuffle {
        dag = shuffled(&dag, *seed);
    }
    let plan = router.route(&dag, CapMode::Waves).unwrap();
    (router, dag, plan)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_assigned_task_runs_after_all_its_parents(c in case()) {
        let (_, dag, plan) = route(&c);
        for edge in dag.graph().raw_edges() {
            let parent = plan.assignment(edge.source());
            let child = plan.assignment(edge.target());
            if let (Some(p), Some(c)) = (parent, child) {
                prop_assert!(p.wave < c.wave, "parent wave {} child wave {}", p.wave, c.wave);
            }
        }
    }

    #[test]
    fn no_agent_exceeds_its_cap_in_any_wave(c in case()) {
        let (router, _, plan) = route(&c);
        let mut loads: HashMap<(usize, u32), u32> = HashMap::new();
        for a in plan.assignments().iter().flatten() {
            *loads.entry((a.agent.index(), a.wave)).or_default() += 1;
        }
        for ((agent, wave), load) in loads {
            let cap = u32::from(router.agents()[agent].cap);
            prop_assert!(load <= cap, "agent {agent} has {load} > {cap} in wave {wave}");
        }
    }

    #[test]
    fn every_supported_task_is_assigned(c in case()) {
        let (router, dag, plan) = route(&c);
        for (i, slot) in plan.assignments().iter().enumerate() {
            let task = dag.task(petgraph::graph::NodeIndex::new(i)).unwrap();
            let name = dag.type_name(task.task_type());
            let supported = router.agents().iter().any(|a| a.types.iter().any(|t| t == name));
            prop_assert_eq!(slot.is_some(), supported, "task {} of type {}", task.id(), name);
        }
        let stats = plan.stats();
        prop_assert_eq!(stats.assigned + stats.unassigned, c.0);
        let max_wave = plan.assignments().iter().flatten().map(|a| a.wave + 1).max();
        prop_assert_eq!(stats.waves, max_wave.unwrap_or(0));
    }

    #[test]
    fn the_same_seed_gives_the_same_plan(c in case()) {
        let (_, _, first) = route(&c);
        let (_, _, second) = route(&c);
        prop_assert_eq!(first.assignments(), second.assignments());
        prop_assert_eq!(first.stats(), second.stats());
    }
}

/// The agents that could take a task of type `name` (no metadata):
/// targets of its unconditional rules and the agents supporting it.
fn candidates(router: &Router, name: &str) -> Vec<usize> {
    let Some(key) = router.type_key(name) else {
        return Vec::new();
    };
    let rules = router
        .rules_for(key)
        .map(|r| router.rule(r))
        .filter(|r| r.conditions.is_empty())
        .map(|r| router.find_agent(&r.target).unwrap().index());
    let capable = router
        .agents()
        .iter()
        .enumerate()
        .filter(|(_, a)| a.types.iter().any(|t| t == name))
        .map(|(i, _)| i);
    rules.chain(capable).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Loads only grow while routing, so a task placed after its ready wave
    /// must find every candidate agent still full in each wave it skipped.
    #[test]
    fn every_task_takes_the_earliest_wave_with_room(c in case()) {
        let (router, dag, plan) = route(&c);
        let mut loads: HashMap<(usize, u32), u32> = HashMap::new();
        for a in plan.assignments().iter().flatten() {
            *loads.entry((a.agent.index(), a.wave)).or_default() += 1;
        }
        let mut follow = vec![0u32; dag.len()];
        for &task in plan.order() {
            let ready = dag.parents(task).map(|p| follow[p.index()]).max().unwrap_or(0);
            let Some(a) = plan.assignment(task) else {
                follow[task.index()] = ready + 1;
                continue;
            };
            follow[task.index()] = a.wave + 1;
            prop_assert!(a.wave >= ready);
            let name = dag.type_name(dag.task(task).unwrap().task_type());
            for skipped in ready..a.wave {
                for agent in candidates(&router, name) {
                    let cap = u32::from(router.agents()[agent].cap);
                    let load = loads.get(&(agent, skipped)).copied().unwrap_or(0);
                    prop_assert_eq!(load, cap, "agent {} had room in wave {}", agent, skipped);
                }
            }
        }
    }
}
