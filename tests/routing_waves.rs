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

fn case() -> impl Strategy<Value = (usize, u64, Vec<&'static str>)> {
    let types = proptest::sample::subsequence(POOL.to_vec(), 1..=POOL.len());
    (0usize..2_500, any::<u64>(), types)
}

fn route(n: usize, seed: u64, types: &[&str]) -> (Router, Dag, Plan) {
    let router = Router::halo();
    let dag = generate::layered(n, types, seed).unwrap();
    let plan = router.route(&dag, CapMode::Waves).unwrap();
    (router, dag, plan)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_assigned_task_runs_after_all_its_parents((n, seed, types) in case()) {
        let (_, dag, plan) = route(n, seed, &types);
        for edge in dag.graph().raw_edges() {
            let parent = plan.assignment(edge.source());
            let child = plan.assignment(edge.target());
            if let (Some(p), Some(c)) = (parent, child) {
                prop_assert!(p.wave < c.wave, "parent wave {} child wave {}", p.wave, c.wave);
            }
        }
    }

    #[test]
    fn no_agent_exceeds_its_cap_in_any_wave((n, seed, types) in case()) {
        let (router, _, plan) = route(n, seed, &types);
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
    fn every_supported_task_is_assigned((n, seed, types) in case()) {
        let (router, dag, plan) = route(n, seed, &types);
        for (i, slot) in plan.assignments().iter().enumerate() {
            let task = dag.task(petgraph::graph::NodeIndex::new(i)).unwrap();
            let name = dag.type_name(task.task_type());
            let supported = router.agents().iter().any(|a| a.types.iter().any(|t| t == name));
            prop_assert_eq!(slot.is_some(), supported, "task {} of type {}", task.id(), name);
        }
        let stats = plan.stats();
        prop_assert_eq!(stats.assigned + stats.unassigned, n);
        let max_wave = plan.assignments().iter().flatten().map(|a| a.wave + 1).max();
        prop_assert_eq!(stats.waves, max_wave.unwrap_or(0));
    }

    #[test]
    fn the_same_seed_gives_the_same_plan((n, seed, types) in case()) {
        let (_, _, first) = route(n, seed, &types);
        let (_, _, second) = route(n, seed, &types);
        prop_assert_eq!(first.assignments(), second.assignments());
        prop_assert_eq!(first.stats(), second.stats());
    }
}
