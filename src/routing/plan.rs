//! A routing plan: per task, the agent, the wave and why; plus counts.
//!
//! A [`Plan`] also owns the scratch buffers of a routing call (in-degrees,
//! ready waves, wave loads). Routing into a reused plan therefore clears
//! and refills buffers whose capacity is already there and does not
//! allocate per task.

use super::{AgentId, RuleId, TaskIndex};

/// How agent caps are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CapMode {
    /// A cap counts an agent's assignments in the whole plan (the original
    /// router's behaviour). Waves are the dependency levels.
    #[default]
    PerPlan,
    /// A cap counts an agent's tasks in one wave; a task goes in the
    /// earliest wave after its parents' waves where an agent has room.
    Waves,
}

/// Why a task went to its agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// This rule matched.
    Rule(RuleId),
    /// No rule matched; the agent supports the type and had room.
    CapabilityFallback,
}

/// One task's place in the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment {
    /// The agent that runs the task.
    pub agent: AgentId,
    /// The wave it runs in, from 0.
    pub wave: u32,
    /// Why this agent.
    pub reason: Reason,
}

/// Counts of a plan, for printing and checking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct PlanStats {
    /// Tasks in the DAG.
    pub tasks: usize,
    /// Dependencies in the DAG.
    pub edges: usize,
    /// Tasks given an agent.
    pub assigned: usize,
    /// Pending tasks no agent could take.
    pub unassigned: usize,
    /// Tasks already done, not planned.
    pub done: usize,
    /// Number of waves used by assigned tasks.
    pub waves: u32,
}

/// The result of routing a DAG. Build one with [`Plan::new`] and reuse it
/// across calls of [`crate::routing::Router::route_into`].
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub(crate) mode: CapMode,
    pub(crate) slots: Vec<Option<Assignment>>,
    pub(crate) order: Vec<TaskIndex>,
    pub(crate) agent_totals: Vec<u32>,
    pub(crate) stats: PlanStats,
    pub(crate) scratch: Scratch,
}

impl Plan {
    /// An empty plan.
    pub fn new() -> Self {
        Self::default()
    }

    /// The cap mode this plan was routed in.
    pub fn mode(&self) -> CapMode {
        self.mode
    }

    /// The assignment of `task`, or `None` when it is unassigned or done.
    pub fn assignment(&self, task: TaskIndex) -> Option<Assignment> {
        self.slots.get(task.index()).copied().flatten()
    }

    /// Per task, in task index order.
    pub fn assignments(&self) -> &[Option<Assignment>] {
        &self.slots
    }

    /// The tasks in the order they were routed (a topological order).
    pub fn order(&self) -> &[TaskIndex] {
        &self.order
    }

    /// Tasks assigned to each agent, indexed by [`AgentId::index`].
    pub fn agent_totals(&self) -> &[u32] {
        &self.agent_totals
    }

    /// The plan's counts.
    pub fn stats(&self) -> PlanStats {
        self.stats
    }

    /// Empties the plan, keeping its buffers' capacity.
    pub(crate) fn reset(&mut self, mode: CapMode, tasks: usize, agents: usize) {
        self.mode = mode;
        self.slots.clear();
        self.slots.resize(tasks, None);
        self.order.clear();
        self.agent_totals.clear();
        self.agent_totals.resize(agents, 0);
        self.stats = PlanStats::default();
        self.scratch.reset(tasks, agents);
    }
}

/// Buffers of one routing call, kept in the plan for reuse.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scratch {
    /// Parents not yet ordered, per task (Kahn's algorithm; only for DAGs
    /// whose index order is not topological).
    pub(crate) indegree: Vec<u32>,
    /// Per routed task, the first wave its children may take.
    pub(crate) follow: Vec<u32>,
    /// The router's type key for each of the DAG's interned types.
    pub(crate) binding: Vec<Option<super::router::TypeKey>>,
    /// Per-wave agent loads (waves mode).
    pub(crate) waves: WaveLoads,
}

impl Scratch {
    fn reset(&mut self, tasks: usize, agents: usize) {
        self.indegree.clear();
        self.follow.clear();
        self.follow.resize(tasks, 0);
        self.binding.clear();
        self.waves.reset(agents);
    }
}

/// Agent loads per wave, with a "next wave with room" pointer per (wave,
/// agent) cell: a disjoint-set forest with path compression, so finding
/// an agent's first free wave at or after a given wave costs amortised
/// near-constant time even when long runs of waves are full. Without it,
/// a type whose tasks outnumber its agent's cap would scan every earlier
/// full wave for every task: quadratic in the task count.
#[derive(Debug, Clone, Default)]
pub(crate) struct WaveLoads {
    agents: usize,
    load: Vec<u16>,
    next: Vec<u32>,
}

impl WaveLoads {
    fn reset(&mut self, agents: usize) {
        self.agents = agents;
        self.load.clear();
        self.next.clear();
    }

    fn cell(&self, wave: u32, agent: AgentId) -> usize {
        wave as usize * self.agents + agent.index()
    }

    /// Makes sure cells exist for every wave up to `wave`.
    fn ensure(&mut self, wave: u32) {
        while self.load.len() <= self.cell(wave, AgentId(0)) {
            let w = (self.load.len() / self.agents) as u32;
            self.load.extend(std::iter::repeat_n(0, self.agents));
            self.next.extend(std::iter::repeat_n(w, self.agents));
        }
    }

    /// The tasks `agent` has in `wave` (0 for a wave not reached yet).
    pub(crate) fn load(&self, wave: u32, agent: AgentId) -> u32 {
        self.load
            .get(self.cell(wave, agent))
            .map_or(0, |&l| u32::from(l))
    }

    /// The first wave at or after `from` where `agent` is below its cap.
    pub(crate) fn first_free(&mut self, agent: AgentId, from: u32) -> u32 {
        if self.load(from, agent) == 0 {
            return from;
        }
        let mut root = from;
        loop {
            self.ensure(root);
            let next = self.next[self.cell(root, agent)];
            if next == root {
                break;
            }
            root = next;
        }
        let mut wave = from;
        while wave != root {
            let cell = self.cell(wave, agent);
            wave = std::mem::replace(&mut self.next[cell], root);
        }
        root
    }

    /// Puts one more task of `agent` in `wave` (which must have room).
    pub(crate) fn add(&mut self, agent: AgentId, wave: u32, cap: u16) {
        self.ensure(wave);
        let cell = self.cell(wave, agent);
        self.load[cell] += 1;
        if self.load[cell] >= cap {
            self.next[cell] = wave + 1;
        }
    }
}
