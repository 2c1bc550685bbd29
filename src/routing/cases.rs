//! The inputs and routines of the routing benchmark cases, built here so
//! any driver (criterion, perfgate's sampler) measures the same work:
//! build the input once with these constructors, then call the routine
//! repeatedly.
//!
//! | case | input | routine |
//! |---|---|---|
//! | `halo/medium_dag` | [`medium_dag`] | [`Router::route_into`], per_plan |
//! | `halo/large_dag` | [`large_dag`] | [`Router::route_into`], per_plan |
//! | `halo/rule_matching` | [`RuleMatching::new`] | [`RuleMatching::run`] |
//! | `halo/per_task` | [`per_task_dag`] | [`Router::route_into`], per_plan |
//! | `halo/dynamic_rule_addition` | [`Router::halo`] | [`add_dynamic_rules`] |
//! | `halo/waves/<size>` | [`waves_dag`] | [`Router::route_into`], waves |

use super::generate::{self, FLAT_TYPES};
use super::{AgentId, Dag, Metadata, Router, RoutingError, RuleSpec, TypeKey};

/// Tasks of `halo/medium_dag` (flat, 7 types).
pub const MEDIUM_TASKS: usize = 50;
/// Tasks of `halo/large_dag` (flat, 7 types): the original router's
/// "large-DAG halo routing" case.
pub const LARGE_TASKS: usize = 200;
/// Tasks of `halo/per_task` (flat, 4 types); its throughput in tasks.
pub const PER_TASK_TASKS: usize = 100;
/// Types cycled by `halo/per_task`.
pub const PER_TASK_TYPES: usize = 4;
/// Rule look-ups per iteration of `halo/rule_matching`.
pub const RULE_LOOKUPS: usize = 1000;
/// Rules added per iteration of `halo/dynamic_rule_addition`.
pub const DYNAMIC_RULES: usize = 10;
/// Seed of the `halo/waves/*` DAGs; fixed so every run routes the same DAG.
pub const WAVES_SEED: u64 = 0x4a10;
/// The `halo/waves/*` cases: (name, tasks).
pub const WAVES_SIZES: [(&str, usize); 4] = [
    ("1k", 1_000),
    ("10k", 10_000),
    ("100k", 100_000),
    ("1m", 1_000_000),
];

/// Input of `halo/medium_dag`.
pub fn medium_dag() -> Result<Dag, RoutingError> {
    generate::flat(MEDIUM_TASKS, &FLAT_TYPES)
}

/// Input of `halo/large_dag`.
pub fn large_dag() -> Result<Dag, RoutingError> {
    generate::flat(LARGE_TASKS, &FLAT_TYPES)
}

/// Input of `halo/per_task`.
pub fn per_task_dag() -> Result<Dag, RoutingError> {
    generate::flat(PER_TASK_TASKS, &FLAT_TYPES[..PER_TASK_TYPES])
}

/// Input of `halo/waves/<size>`: a seeded layered DAG of `tasks` tasks.
pub fn waves_dag(tasks: usize) -> Result<Dag, RoutingError> {
    generate::layered(tasks, &FLAT_TYPES, WAVES_SEED)
}

/// The rules `halo/dynamic_rule_addition` adds: [`DYNAMIC_RULES`] rules
/// over existing types at mixed priorities, so insertion lands at the
/// front, middle and back of the per-type index.
pub fn dynamic_rules() -> Vec<RuleSpec> {
    let targets = ["builder", "qa", "spec", "deploy", "security"];
    (0..DYNAMIC_RULES)
        .map(|i| {
            let task_type = FLAT_TYPES[i % FLAT_TYPES.len()];
            let priority = [25, 10, 1][i % 3];
            let id = format!("rule_dynamic_{i}");
            RuleSpec::new(&id, task_type, priority, targets[i % targets.len()])
        })
        .collect()
}

/// Routine of `halo/dynamic_rule_addition`: adds `rules` to `router`.
pub fn add_dynamic_rules(
    router: &mut Router,
    rules: &[RuleSpec],
) -> Result<(), RoutingError> {
    for rule in rules {
        router.add_rule(rule.clone())?;
    }
    Ok(())
}

/// Input of `halo/rule_matching`: one `implement` task, no metadata, every
/// agent idle.
#[derive(Debug, Clone)]
pub struct RuleMatching {
    key: TypeKey,
    metadata: Metadata,
    loads: Vec<u32>,
}

impl RuleMatching {
    /// The input for `router`; `None` when it does not know `implement`.
    pub fn new(router: &Router) -> Option<Self> {
        Some(RuleMatching {
            key: router.type_key("implement")?,
            metadata: Metadata::default(),
            loads: vec![0; router.agents().len()],
        })
    }

    /// Routine: [`RULE_LOOKUPS`] look-ups; returns how many found an agent
    /// (so the work cannot be optimised away).
    pub fn run(&self, router: &Router) -> usize {
        let loads = &self.loads;
        (0..RULE_LOOKUPS)
            .filter(|_| {
                let key = std::hint::black_box(self.key);
                router
                    .choose(key, &self.metadata, |a: AgentId| loads[a.index()])
                    .is_some()
            })
            .count()
    }
}
