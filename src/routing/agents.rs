//! The agent registry: who can do which task types, at what cost tier,
//! with which success rate, and how many tasks at once (the cap).
//!
//! [`halo_agents`] is the HALO table of sixteen agents. Caps are 10 for
//! every agent but `darwin` (3), the self-improvement agent, whose work is
//! expensive and rare.

/// Index of an agent in its router's registry (registry order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AgentId(pub(crate) u16);

impl AgentId {
    /// The agent's position in registry order.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Cost tier of an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Cheap to run.
    Cheap,
    /// Medium cost.
    Medium,
    /// Expensive; used sparingly.
    Expensive,
}

/// The description of one agent, as given to [`crate::routing::Router::new`].
#[derive(Debug, Clone, PartialEq)]
pub struct AgentSpec {
    /// Unique name; rules target agents by name.
    pub name: String,
    /// The task types the agent supports (capability fallback uses them).
    pub types: Vec<String>,
    /// Cost tier.
    pub tier: Tier,
    /// Historical success rate in [0, 1]; capability fallback prefers the
    /// highest.
    pub success_rate: f64,
    /// Most tasks the agent takes per plan (`per_plan`) or per wave
    /// (`waves`); at least 1.
    pub cap: u16,
}

/// Cap of every HALO agent except `darwin`.
pub const DEFAULT_CAP: u16 = 10;
/// Cap of the `darwin` agent.
pub const DARWIN_CAP: u16 = 3;

/// The HALO agent table in registry order.
pub fn halo_agents() -> Vec<AgentSpec> {
    use Tier::{Cheap, Expensive, Medium};
    let table: [(&str, &[&str], Tier, f64); 16] = [
        (
            "spec",
            &["design", "requirements", "architecture", "planning"],
            Cheap,
            0.85,
        ),
        (
            "architect",
            &["architecture", "system_design", "technical_spec"],
            Medium,
            0.88,
        ),
        (
            "builder",
            &[
                "implement",
                "code",
                "build",
                "develop",
                "generic",
                "api_call",
                "file_write",
            ],
            Medium,
            0.82,
        ),
        (
            "frontend",
            &["frontend", "ui", "design_implementation"],
            Medium,
            0.80,
        ),
        ("backend", &["backend", "api", "database"], Medium, 0.83),
        (
            "qa",
            &["test", "validation", "qa", "quality_assurance", "test_run"],
            Cheap,
            0.87,
        ),
        (
            "security",
            &["security", "vulnerability_scan", "penetration_test"],
            Medium,
            0.90,
        ),
        (
            "deploy",
            &["deploy", "infrastructure", "devops"],
            Medium,
            0.84,
        ),
        (
            "monitoring",
            &["monitor", "observability", "metrics"],
            Cheap,
            0.86,
        ),
        (
            "marketing",
            &["marketing", "promotion", "content"],
            Cheap,
            0.78,
        ),
        (
            "sales",
            &["sales", "outreach", "lead_generation"],
            Cheap,
            0.75,
        ),
        (
            "support",
            &["support", "customer_service", "help"],
            Cheap,
            0.82,
        ),
        (
            "analytics",
            &["analytics", "reporting", "data_analysis"],
            Medium,
            0.85,
        ),
        (
            "research",
            &["research", "discovery", "investigation"],
            Medium,
            0.81,
        ),
        (
            "finance",
            &["finance", "accounting", "budgeting"],
            Medium,
            0.88,
        ),
        (
            "darwin",
            &["evolution", "improve_agent", "fix_bug", "optimize"],
            Expensive,
            0.00,
        ),
    ];
    table
        .into_iter()
        .map(|(name, types, tier, success_rate)| AgentSpec {
            name: name.into(),
            types: types.iter().map(|t| (*t).into()).collect(),
            tier,
            success_rate,
            cap: if name == "darwin" {
                DARWIN_CAP
            } else {
                DEFAULT_CAP
            },
        })
        .collect()
}
