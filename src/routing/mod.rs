//! The workload perfgate guards: a HALO-style router that assigns the
//! tasks of a dependency DAG to agents.
//!
//! - [`Dag`]: tasks with interned types, metadata and a status;
//!   dependencies as `petgraph` edges parent -> child.
//! - [`AgentSpec`] / [`halo_agents`]: the agent registry (types, tier,
//!   success rate, cap).
//! - [`RuleSpec`] / [`halo_rules`]: the rule table, indexed per type by
//!   priority; [`Router::add_rule`] keeps the index sorted.
//! - [`Router`]: routes in topological order, in either [`CapMode`]; each
//!   [`Assignment`] carries its [`Reason`] as data.
//! - [`generate`]: flat, layered, chain and pipeline DAGs.
//! - [`cases`]: the inputs and routines of the `halo/*` benchmark cases.
//!
//! Build the input once and route it repeatedly into one [`Plan`]:
//!
//! ```
//! use perfgate::routing::{generate, CapMode, Plan, Router};
//!
//! let router = Router::halo();
//! let dag = generate::flat(200, &generate::FLAT_TYPES).unwrap();
//! let mut plan = Plan::new();
//! router.route_into(&dag, CapMode::PerPlan, &mut plan).unwrap();
//! assert_eq!(plan.stats().assigned, 70);
//! ```
//!
//! This module imports nothing else from the crate, so the workload stands
//! alone; it has its own [`RoutingError`].

mod agents;
pub mod cases;
mod dag;
mod error;
pub mod generate;
mod plan;
mod router;
mod rules;

pub use agents::{halo_agents, AgentId, AgentSpec, Tier, DARWIN_CAP, DEFAULT_CAP};
pub use dag::{Dag, Metadata, Task, TaskIndex, TaskStatus, TaskType};
pub use error::RoutingError;
pub use plan::{Assignment, CapMode, Plan, PlanStats, Reason};
pub use router::{Router, TypeKey};
pub use rules::{halo_rules, RuleId, RuleSpec};
