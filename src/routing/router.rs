//! The router: assigns every task of a [`Dag`] to an agent, in topological
//! order (Kahn's algorithm, roots in task index order).
//!
//! For one task it tries the rules of the task's type by priority; a rule
//! matches when its conditions equal the task's metadata and its target is
//! below cap. Else it falls back to the agents that support the type and
//! are below cap, best first: highest success rate, then lowest load, then
//! registry order. Else the task stays unassigned, which is not an error.
//!
//! Routing borrows the router immutably and starts from a cleared
//! [`Plan`], so nothing carries over from one call to the next.

use std::collections::HashMap;

use petgraph::Direction;

use super::plan::WaveLoads;
use super::{
    AgentId, AgentSpec, Assignment, CapMode, Dag, Metadata, Plan, Reason, RoutingError,
    RuleId, RuleSpec, TaskIndex, TaskStatus,
};

/// A task type interned in a [`Router`] (a `u32`, compared as an integer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TypeKey(pub(crate) u32);

impl TypeKey {
    fn index(self) -> usize {
        self.0 as usize
    }
}

/// One entry of a type's rule index: the fields a look-up needs, so the
/// hot loop reads a few contiguous words and touches the rule's strings
/// only when it has conditions.
#[derive(Debug, Clone, Copy)]
struct RuleRef {
    rule: RuleId,
    target: AgentId,
    /// The target's cap, copied here so the loop reads no agent record.
    cap: u16,
    priority: i32,
    conditional: bool,
}

/// An agent that supports a type, with the fields fallback compares.
#[derive(Debug, Clone, Copy)]
struct Capable {
    agent: AgentId,
    cap: u16,
    success_rate: f64,
}

/// The agent registry, the rule table and its per-type index.
#[derive(Debug, Clone)]
pub struct Router {
    agents: Vec<AgentSpec>,
    agent_index: HashMap<String, AgentId>,
    type_names: Vec<Box<str>>,
    type_index: HashMap<Box<str>, TypeKey>,
    rules: Vec<RuleSpec>,
    rule_index: HashMap<String, RuleId>,
    by_type: Vec<Vec<RuleRef>>,
    capable: Vec<Vec<Capable>>,
}

impl Router {
    /// The HALO router: [`super::halo_agents`] and [`super::halo_rules`].
    pub fn halo() -> Self {
        // The built-in tables are valid; a unit test guards them.
        Self::new(super::halo_agents(), super::halo_rules())
            .expect("the built-in HALO tables are consistent")
    }

    /// A router over `agents` (registry order) and `rules` (declaration
    /// order). Errors on repeated names or ids, rules targeting unknown
    /// agents, caps of 0 and success rates outside [0, 1].
    pub fn new(
        agents: Vec<AgentSpec>,
        rules: Vec<RuleSpec>,
    ) -> Result<Self, RoutingError> {
        let mut router = Router {
            agents: Vec::with_capacity(agents.len()),
            agent_index: HashMap::new(),
            type_names: Vec::new(),
            type_index: HashMap::new(),
            rules: Vec::with_capacity(rules.len()),
            rule_index: HashMap::new(),
            by_type: Vec::new(),
            capable: Vec::new(),
        };
        for agent in agents {
            router.add_agent(agent)?;
        }
        for rule in rules {
            router.add_rule(rule)?;
        }
        Ok(router)
    }

    fn add_agent(&mut self, agent: AgentSpec) -> Result<(), RoutingError> {
        let invalid = |message: &str| RoutingError::InvalidAgent {
            agent: agent.name.clone(),
            message: message.into(),
        };
        if self.agent_index.contains_key(&agent.name) {
            return Err(invalid("the name is used twice; give every agent its own"));
        }
        if agent.cap == 0 {
            return Err(invalid("a cap of 0 can never take a task; use at least 1"));
        }
        if !(0.0..=1.0).contains(&agent.success_rate) {
            return Err(invalid("the success rate must lie in [0, 1]"));
        }
        let id = u16::try_from(self.agents.len())
            .map(AgentId)
            .map_err(|_| invalid("too many agents (at most 65536)"))?;
        for name in &agent.types {
            let key = self.intern(name);
            let capable = &mut self.capable[key.index()];
            if capable.iter().all(|c| c.agent != id) {
                capable.push(Capable {
                    agent: id,
                    cap: agent.cap,
                    success_rate: agent.success_rate,
                });
            }
        }
        self.agent_index.insert(agent.name.clone(), id);
        self.agents.push(agent);
        Ok(())
    }

    /// Adds a rule after the existing ones. It is inserted into its type's
    /// index after every rule of higher or equal priority, which keeps the
    /// index sorted by priority with ties in declaration order.
    pub fn add_rule(&mut self, rule: RuleSpec) -> Result<RuleId, RoutingError> {
        if self.rule_index.contains_key(&rule.id) {
            return Err(RoutingError::DuplicateRule { rule: rule.id });
        }
        let target =
            self.find_agent(&rule.target)
                .ok_or_else(|| RoutingError::UnknownAgent {
                    rule: rule.id.clone(),
                    agent: rule.target.clone(),
                })?;
        let id = RuleId(self.rules.len() as u32);
        let key = self.intern(&rule.task_type);
        let entry = RuleRef {
            rule: id,
            target,
            cap: self.agents[target.index()].cap,
            priority: rule.priority,
            conditional: !rule.conditions.is_empty(),
        };
        let index = &mut self.by_type[key.index()];
        let at = index.partition_point(|r| r.priority >= entry.priority);
        index.insert(at, entry);
        self.rule_index.insert(rule.id.clone(), id);
        self.rules.push(rule);
        Ok(id)
    }

    fn intern(&mut self, name: &str) -> TypeKey {
        if let Some(&key) = self.type_index.get(name) {
            return key;
        }
        let key = TypeKey(self.type_names.len() as u32);
        self.type_names.push(name.into());
        self.type_index.insert(name.into(), key);
        self.by_type.push(Vec::new());
        self.capable.push(Vec::new());
        key
    }

    /// The agents in registry order.
    pub fn agents(&self) -> &[AgentSpec] {
        &self.agents
    }

    /// The agent `id` stands for.
    pub fn agent(&self, id: AgentId) -> &AgentSpec {
        &self.agents[id.index()]
    }

    /// The id of the agent named `name`.
    pub fn find_agent(&self, name: &str) -> Option<AgentId> {
        self.agent_index.get(name).copied()
    }

    /// The rule `id` stands for.
    pub fn rule(&self, id: RuleId) -> &RuleSpec {
        &self.rules[id.index()]
    }

    /// The rules in declaration order.
    pub fn rules(&self) -> &[RuleSpec] {
        &self.rules
    }

    /// The key of a task type known to the router (named by an agent or a
    /// rule).
    pub fn type_key(&self, name: &str) -> Option<TypeKey> {
        self.type_index.get(name).copied()
    }

    /// The name of a type key.
    pub fn type_name(&self, key: TypeKey) -> &str {
        &self.type_names[key.index()]
    }

    /// Every type the router knows, in key order.
    pub fn type_keys(&self) -> impl Iterator<Item = TypeKey> {
        (0..self.type_names.len() as u32).map(TypeKey)
    }

    /// A type's rules in the order routing tries them.
    pub fn rules_for(&self, key: TypeKey) -> impl Iterator<Item = RuleId> + '_ {
        self.by_type[key.index()].iter().map(|r| r.rule)
    }

    fn conditions_hold(&self, rule: RuleId, metadata: &Metadata) -> bool {
        self.rules[rule.index()]
            .conditions
            .iter()
            .all(|(key, value)| metadata.get(key) == Some(value.as_str()))
    }

    /// Routes one task of type `key` given each agent's current `load`
    /// (tasks counted against its cap): the first matching rule whose
    /// target is below cap, else capability fallback, else `None`.
    #[inline]
    pub fn choose(
        &self,
        key: TypeKey,
        metadata: &Metadata,
        load: impl Fn(AgentId) -> u32,
    ) -> Option<(AgentId, Reason)> {
        for r in &self.by_type[key.index()] {
            if load(r.target) < u32::from(r.cap)
                && (!r.conditional || self.conditions_hold(r.rule, metadata))
            {
                return Some((r.target, Reason::Rule(r.rule)));
            }
        }
        self.fallback(key, load)
            .map(|agent| (agent, Reason::CapabilityFallback))
    }

    fn fallback(&self, key: TypeKey, load: impl Fn(AgentId) -> u32) -> Option<AgentId> {
        let mut best: Option<(AgentId, f64, u32)> = None;
        for c in &self.capable[key.index()] {
            let l = load(c.agent);
            if l >= u32::from(c.cap) {
                continue;
            }
            let better = match best {
                None => true,
                Some((_, best_rate, best_load)) => {
                    c.success_rate > best_rate
                        || (c.success_rate == best_rate && l < best_load)
                }
            };
            if better {
                best = Some((c.agent, c.success_rate, l));
            }
        }
        best.map(|(agent, _, _)| agent)
    }

    /// Routes `dag` into a fresh plan.
    pub fn route(&self, dag: &Dag, mode: CapMode) -> Result<Plan, RoutingError> {
        let mut plan = Plan::new();
        self.route_into(dag, mode, &mut plan)?;
        Ok(plan)
    }

    /// Routes `dag` into `plan`, replacing its content and reusing its
    /// buffers. A cycle is an error naming a task on it, and leaves the
    /// plan empty.
    pub fn route_into(
        &self,
        dag: &Dag,
        mode: CapMode,
        plan: &mut Plan,
    ) -> Result<(), RoutingError> {
        plan.reset(mode, dag.len(), self.agents.len());
        if let Err(task) = topological_order(dag, plan) {
            plan.reset(mode, 0, self.agents.len());
            return Err(RoutingError::Cycle { task: task.into() });
        }
        self.bind_types(dag, plan);

        for at in 0..plan.order.len() {
            let task = plan.order[at];
            let ready = ready_wave(dag, task, &plan.scratch.follow);
            let follow = match mode {
                CapMode::PerPlan => self.place_per_plan(dag, task, ready, plan),
                CapMode::Waves => self.place_in_waves(dag, task, ready, plan),
            };
            plan.scratch.follow[task.index()] = follow;
        }

        plan.stats.tasks = dag.len();
        plan.stats.edges = dag.dependency_count();
        Ok(())
    }

    /// Maps each of the DAG's interned types to the router's key: one
    /// string look-up per distinct type, none per task.
    fn bind_types(&self, dag: &Dag, plan: &mut Plan) {
        let binding = &mut plan.scratch.binding;
        binding.extend(dag.type_names().map(|name| self.type_key(name)));
    }

    /// Places `task` with per-plan caps in its `ready` wave; returns the
    /// first wave its children may take (0 for a done task).
    fn place_per_plan(
        &self,
        dag: &Dag,
        task: TaskIndex,
        ready: u32,
        plan: &mut Plan,
    ) -> u32 {
        let t = &dag.graph()[task];
        if t.status() == TaskStatus::Done {
            plan.stats.done += 1;
            return 0;
        }
        let wave = ready;
        let choice = plan.scratch.binding[t.task_type().index()].and_then(|key| {
            let totals = &plan.agent_totals;
            self.choose(key, t.metadata(), |a| totals[a.index()])
        });
        self.record(plan, task, wave, choice);
        wave + 1
    }

    /// Places `task` with per-wave caps in the earliest wave at or after
    /// `ready` where one of its candidate agents has room; returns the
    /// first wave its children may take. An unassigned task holds its
    /// children back as if it ran in `ready`, so the plan keeps the DAG's
    /// layering (0 for a done task).
    fn place_in_waves(
        &self,
        dag: &Dag,
        task: TaskIndex,
        ready: u32,
        plan: &mut Plan,
    ) -> u32 {
        let t = &dag.graph()[task];
        if t.status() == TaskStatus::Done {
            plan.stats.done += 1;
            return 0;
        }
        let Some(key) = plan.scratch.binding[t.task_type().index()] else {
            self.record(plan, task, ready, None);
            return ready + 1;
        };
        let waves = &mut plan.scratch.waves;
        // Most tasks find room in their ready wave; only the others need
        // the search over later waves.
        let mut wave = ready;
        let mut choice = self.choose(key, t.metadata(), |a| waves.load(ready, a));
        if choice.is_none() {
            let Some(later) = self.earliest_wave(key, t.metadata(), ready, waves) else {
                self.record(plan, task, ready, None);
                return ready + 1;
            };
            wave = later;
            choice = self.choose(key, t.metadata(), |a| waves.load(wave, a));
        }
        if let Some((agent, _)) = choice {
            waves.add(agent, wave, self.agents[agent.index()].cap);
        }
        self.record(plan, task, wave, choice);
        wave + 1
    }

    /// The first wave at or after `from` where a matching rule's target or
    /// a capable agent has room; `None` when the type has no candidate.
    fn earliest_wave(
        &self,
        key: TypeKey,
        metadata: &Metadata,
        from: u32,
        waves: &mut WaveLoads,
    ) -> Option<u32> {
        let rules = self.by_type[key.index()]
            .iter()
            .filter(|r| !r.conditional || self.conditions_hold(r.rule, metadata))
            .map(|r| r.target);
        let capable = self.capable[key.index()].iter().map(|c| c.agent);
        rules
            .chain(capable)
            .map(|agent| waves.first_free(agent, from))
            .min()
    }

    fn record(
        &self,
        plan: &mut Plan,
        task: TaskIndex,
        wave: u32,
        choice: Option<(AgentId, Reason)>,
    ) {
        let Some((agent, reason)) = choice else {
            plan.stats.unassigned += 1;
            return;
        };
        plan.slots[task.index()] = Some(Assignment {
            agent,
            wave,
            reason,
        });
        plan.agent_totals[agent.index()] += 1;
        plan.stats.assigned += 1;
        plan.stats.waves = plan.stats.waves.max(wave + 1);
    }
}

/// Fills `plan.order` with a topological order: index order when the DAG
/// says it is one, else Kahn's algorithm with roots in index order (the
/// order vector doubles as its queue). A cycle returns a task on it.
fn topological_order<'d>(dag: &'d Dag, plan: &mut Plan) -> Result<(), &'d str> {
    if dag.index_order_is_topological() {
        plan.order.extend((0..dag.len()).map(TaskIndex::new));
        return Ok(());
    }
    let indegree = &mut plan.scratch.indegree;
    indegree.resize(dag.len(), 0);
    for edge in dag.graph().raw_edges() {
        indegree[edge.target().index()] += 1;
    }
    let roots = indegree.iter().enumerate().filter(|(_, &d)| d == 0);
    plan.order.extend(roots.map(|(i, _)| TaskIndex::new(i)));

    let mut head = 0;
    while let Some(&task) = plan.order.get(head) {
        head += 1;
        for child in dag.graph().neighbors_directed(task, Direction::Outgoing) {
            let left = &mut indegree[child.index()];
            *left -= 1;
            if *left == 0 {
                plan.order.push(child);
            }
        }
    }
    if plan.order.len() < dag.len() {
        return Err(task_on_cycle(dag, indegree));
    }
    Ok(())
}

/// The first wave `task` may take: the latest `follow` of its parents.
#[inline]
fn ready_wave(dag: &Dag, task: TaskIndex, follow: &[u32]) -> u32 {
    dag.parents(task)
        .map(|p| follow[p.index()])
        .max()
        .unwrap_or(0)
}

/// After Kahn's algorithm stalls, every task left has a parent left too.
/// Walking such parents as many steps as there are tasks must then end on
/// a cycle (pigeonhole), so the task reached lies on one.
fn task_on_cycle<'d>(dag: &'d Dag, indegree: &[u32]) -> &'d str {
    let left = |t: &TaskIndex| indegree[t.index()] > 0;
    let Some(start) = (0..dag.len()).map(TaskIndex::new).find(left) else {
        return "";
    };
    let mut task = start;
    for _ in 0..dag.len() {
        match dag.parents(task).find(left) {
            Some(parent) => task = parent,
            None => break,
        }
    }
    dag.graph()[task].id()
}
