//! `perfgate route`: runs the routing workload on a generated DAG and
//! prints the plan's statistics, so its size and speed can be seen outside
//! a benchmark. `route_ns` times the routing call alone (into a fresh
//! plan), not the DAG's generation.

use std::time::Instant;

use anyhow::Context as _;
use serde::Serialize;

use crate::routing::{generate, CapMode, Dag, Plan, Router};

/// Most tasks `--tasks` accepts. A layered DAG needs about 240 bytes a
/// task (measured peak: 237 MB at one million), so this bound keeps a
/// mistyped count to a few gigabytes and a clear usage error beyond it.
pub const MAX_TASKS: u64 = 20_000_000;

/// The DAG shapes `perfgate route` can generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Shape {
    /// Independent tasks cycling the first `--types` flat types.
    Flat,
    /// Seeded random layers, about 3 parents per task.
    Layered,
    /// Each task depends on the one before.
    Chain,
    /// The fixed 8-task delivery pipeline.
    Pipeline,
}

/// How agent caps are counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// A cap counts assignments in the whole plan.
    PerPlan,
    /// A cap counts an agent's tasks in one wave.
    Waves,
}

impl From<Mode> for CapMode {
    fn from(mode: Mode) -> Self {
        match mode {
            Mode::PerPlan => CapMode::PerPlan,
            Mode::Waves => CapMode::Waves,
        }
    }
}

/// Options of `perfgate route`.
#[derive(Debug, Clone, clap::Args)]
pub struct RouteArgs {
    /// Shape of the generated DAG.
    #[arg(long, value_enum, default_value_t = Shape::Flat)]
    pub shape: Shape,
    /// Number of tasks (the pipeline always has 8), at most 20,000,000.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u64).range(0..=MAX_TASKS))]
    pub tasks: u64,
    /// How many of design, implement, test, deploy, monitor, security,
    /// analytics the tasks cycle through (flat, chain) or draw from
    /// (layered).
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u8).range(1..=7))]
    pub types: u8,
    /// Cap mode.
    #[arg(long, value_enum, default_value_t = Mode::PerPlan)]
    pub mode: Mode,
    /// Seed of the layered generator.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
}

/// The printed statistics (the `--json` object).
#[derive(Debug, Serialize)]
struct RouteReport<'a> {
    shape: Shape,
    mode: Mode,
    seed: u64,
    types: u8,
    tasks: usize,
    edges: usize,
    assigned: usize,
    unassigned: usize,
    done: usize,
    waves: u32,
    route_ns: u128,
    agents: Vec<(&'a str, u32)>,
}

/// Generates the DAG, routes it once and prints the statistics. Returns
/// exit status 0; a routing error (which the generators cannot produce)
/// comes back as an error.
pub fn run(args: &RouteArgs) -> anyhow::Result<i32> {
    let dag = build(args).context("generating the task DAG")?;
    let router = Router::halo();

    let mut plan = Plan::new();
    let start = Instant::now();
    let routed = router.route_into(&dag, args.mode.into(), &mut plan);
    let route_ns = start.elapsed().as_nanos();
    routed.context("routing the generated DAG")?;

    let stats = plan.stats();
    let agents = router
        .agents()
        .iter()
        .zip(plan.agent_totals())
        .filter(|(_, &n)| n > 0)
        .map(|(a, &n)| (a.name.as_str(), n))
        .collect();
    let report = RouteReport {
        shape: args.shape,
        mode: args.mode,
        seed: args.seed,
        types: args.types,
        tasks: stats.tasks,
        edges: stats.edges,
        assigned: stats.assigned,
        unassigned: stats.unassigned,
        done: stats.done,
        waves: stats.waves,
        route_ns,
        agents,
    };
    if args.json {
        let text = serde_json::to_string(&report)?;
        super::output::write_stdout(&format!("{text}\n"))?;
    } else {
        super::output::write_stdout(&text(&report))?;
    }
    Ok(0)
}

fn build(args: &RouteArgs) -> anyhow::Result<Dag> {
    let types = &generate::FLAT_TYPES[..usize::from(args.types)];
    let tasks = usize::try_from(args.tasks)?;
    let dag = match args.shape {
        Shape::Flat => generate::flat(tasks, types)?,
        Shape::Layered => generate::layered(tasks, types, args.seed)?,
        Shape::Chain => generate::chain(tasks, types)?,
        Shape::Pipeline => generate::pipeline(),
    };
    Ok(dag)
}

/// How `value` is spelled on the command line (`per-plan`), not its Rust
/// name (`PerPlan`).
fn flag(value: impl clap::ValueEnum) -> String {
    value
        .to_possible_value()
        .map_or_else(String::new, |v| v.get_name().to_owned())
}

fn text(r: &RouteReport<'_>) -> String {
    let mut out = format!(
        "shape       {} (seed {}, {} types)\n\
         mode        {}\n\
         tasks       {}\n\
         edges       {}\n\
         assigned    {}\n\
         unassigned  {}\n\
         waves       {}\n\
         route       {:.3} ms\n",
        flag(r.shape),
        r.seed,
        r.types,
        flag(r.mode),
        r.tasks,
        r.edges,
        r.assigned,
        r.unassigned,
        r.waves,
        r.route_ns as f64 / 1e6
    );
    for (agent, n) in &r.agents {
        out.push_str(&format!("  {agent:<12}{n}\n"));
    }
    out
}
