//! The rule table: explicit type -> agent routes with priorities, tried
//! before capability fallback.
//!
//! Each task type has its rules in an index sorted by priority, highest
//! first, ties in declaration order. [`halo_rules`] is the HALO table: one
//! rule per type, id `rule_<type>`, at priorities 20 (self-improvement to
//! `darwin`), 15 (specialised routes, and `darwin` routes guarded by a
//! metadata condition), 10 (the common routes) and 5 (`generic`).

/// Index of a rule in its router's table (declaration order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId(pub(crate) u32);

impl RuleId {
    /// The rule's position in declaration order.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The description of one rule, as given to the router.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSpec {
    /// Unique id, e.g. `rule_implement`.
    pub id: String,
    /// The task type it routes.
    pub task_type: String,
    /// Higher is tried first.
    pub priority: i32,
    /// The name of the agent it routes to.
    pub target: String,
    /// Extra conditions: every key must be present in the task's metadata
    /// with exactly this value.
    pub conditions: Vec<(String, String)>,
}

impl RuleSpec {
    /// A rule without conditions.
    pub fn new(id: &str, task_type: &str, priority: i32, target: &str) -> Self {
        RuleSpec {
            id: id.into(),
            task_type: task_type.into(),
            priority,
            target: target.into(),
            conditions: Vec::new(),
        }
    }

    /// The HALO naming: `rule_<type>`.
    fn halo(task_type: &str, priority: i32, target: &str) -> Self {
        Self::new(&format!("rule_{task_type}"), task_type, priority, target)
    }

    /// This rule with one more metadata condition.
    pub fn when(mut self, key: &str, value: &str) -> Self {
        self.conditions.push((key.into(), value.into()));
        self
    }
}

/// The HALO rule table in declaration order.
pub fn halo_rules() -> Vec<RuleSpec> {
    let mut rules = vec![
        RuleSpec::halo("evolution", 20, "darwin"),
        RuleSpec::halo("improve_agent", 20, "darwin"),
        RuleSpec::halo("frontend", 15, "frontend"),
        RuleSpec::halo("backend", 15, "backend"),
        RuleSpec::halo("api_call", 15, "builder"),
        RuleSpec::halo("file_write", 15, "builder"),
        RuleSpec::halo("test_run", 15, "qa"),
        RuleSpec::halo("fix_bug", 15, "darwin").when("target", "agent_code"),
        RuleSpec::halo("optimize", 15, "darwin").when("target", "agent_performance"),
        RuleSpec::halo("design", 10, "spec"),
        RuleSpec::halo("requirements", 10, "spec"),
        RuleSpec::halo("architecture", 10, "architect"),
        RuleSpec::halo("implement", 10, "builder"),
        RuleSpec::halo("code", 10, "builder"),
        RuleSpec::halo("test", 10, "qa"),
        RuleSpec::halo("deploy", 10, "deploy"),
        RuleSpec::halo("infrastructure", 10, "deploy"),
        RuleSpec::halo("monitor", 10, "monitoring"),
    ];
    for name in [
        "security",
        "marketing",
        "sales",
        "support",
        "analytics",
        "research",
        "finance",
    ] {
        rules.push(RuleSpec::halo(name, 10, name));
    }
    rules.push(RuleSpec::halo("generic", 5, "builder"));
    rules
}
