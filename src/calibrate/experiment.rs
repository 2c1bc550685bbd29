//! The experiment: A/A and A/B trials over a grid of settings.
//!
//! A **setting** is one combination of contention (generator on/off),
//! retakes (on/off) and injected slowdown (0 for A/A). A **trial** samples
//! a candidate and compares it with a baseline through the gate's own
//! code path, giving one verdict.
//!
//! Design, and why:
//! - **Blocks.** Trials sharing contention and retakes form a block: one
//!   baseline is recorded, then one candidate per slowdown is compared with
//!   it. Every slowdown then meets the same baseline (a paired design, so
//!   the A/A and A/B rates differ by the slowdown, not by which baseline
//!   each drew), and a block costs one baseline, not one per trial.
//!   Trials of one setting come from different blocks, so they stay
//!   independent, which the Wilson intervals assume.
//! - **Rounds in random order.** Trial `i` of every setting runs in round
//!   `i`; within a round the blocks, and the slowdowns within a block, run
//!   in an order shuffled from the seed. Slow periods of the machine then
//!   fall on all settings alike instead of on whichever ran last.
//! - **Time budget.** The budget is checked before each block, so a block
//!   is never cut short and every setting of a finished block got its
//!   trial; settings end up within one trial of each other.
//!
//! The driver knows nothing of clocks or sampling: a [`TrialRunner`] does
//! the work and reports the wall time it took, so tests drive the
//! experiment with scripted outcomes.

use std::time::Duration;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::compare::Verdict;

/// The conditions shared by the trials of one block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Block {
    /// Contention generator running during baseline and candidates.
    pub contention: bool,
    /// Sample retakes (and verdict confirmation) enabled.
    pub retakes: bool,
}

/// One cell of the grid: a block's conditions plus the injected slowdown.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Setting {
    /// Contention generator on.
    pub contention: bool,
    /// Retakes on.
    pub retakes: bool,
    /// Injected slowdown as a fraction (0 for A/A trials).
    pub effect: f64,
}

/// What one trial produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrialOutcome {
    /// The gate's verdict on the candidate.
    pub verdict: Verdict,
    /// Sample slots measured for the candidate (first attempts).
    pub samples: usize,
    /// Slots whose first attempt was judged contended and re-taken.
    pub retaken: usize,
    /// Wall time of the trial: candidate sampling, comparison and any
    /// confirmation re-measure.
    pub wall: Duration,
    /// The notes of the comparison whose verdict stood (why it is what it
    /// is).
    #[serde(default)]
    pub notes: Vec<String>,
}

/// A recorded baseline, as the runner keeps it, with its cost.
#[derive(Debug)]
pub struct BlockBaseline<B> {
    /// The runner's baseline data.
    pub data: B,
    /// Wall time spent recording it.
    pub wall: Duration,
}

/// Runs the real (or scripted) work of an experiment.
pub trait TrialRunner {
    /// The runner's baseline data.
    type Baseline;

    /// Prepares a block (starts contention when asked) and records its
    /// baseline.
    fn baseline(&mut self, block: Block) -> crate::Result<BlockBaseline<Self::Baseline>>;

    /// Runs one trial: a candidate slowed by `effect` against `baseline`.
    fn trial(
        &mut self,
        block: Block,
        baseline: &Self::Baseline,
        effect: f64,
    ) -> crate::Result<TrialOutcome>;

    /// Ends a block (stops contention). Called after its last trial, also
    /// when a trial failed.
    fn end_block(&mut self, block: Block);
}

/// What to run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Trials per setting (rounds).
    pub trials: u32,
    /// Injected slowdowns; 0 (the A/A trials) is always run, first in the
    /// report.
    pub effects: Vec<f64>,
    /// Contention values to run (`[false, true]` for both).
    pub contention: Vec<bool>,
    /// Retakes values to run.
    pub retakes: Vec<bool>,
    /// Stop starting blocks once this much trial time has passed.
    pub budget: Option<Duration>,
    /// Seed of the run order (and, through the runner, of contention).
    pub seed: u64,
}

impl Plan {
    /// The blocks of the grid in report order.
    pub fn blocks(&self) -> Vec<Block> {
        let mut out = Vec::new();
        for &contention in &self.contention {
            for &retakes in &self.retakes {
                out.push(Block {
                    contention,
                    retakes,
                });
            }
        }
        out
    }

    /// The injected slowdowns, 0 first, without duplicates.
    pub fn effects(&self) -> Vec<f64> {
        let mut out = vec![0.0];
        for &e in &self.effects {
            if !out.iter().any(|&o| (o - e).abs() < 1e-12) {
                out.push(e);
            }
        }
        out
    }
}

/// One trial's result with its setting and place in the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrialRecord {
    /// Round the trial ran in (0-based).
    pub round: u32,
    /// Its setting.
    pub setting: Setting,
    /// Its outcome.
    pub outcome: TrialOutcome,
}

/// Everything an experiment produced, before summarising.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trials {
    /// Every trial in the order run.
    pub records: Vec<TrialRecord>,
    /// Wall time of each baseline recorded.
    pub baseline_walls: Vec<Duration>,
    /// Rounds finished completely.
    pub rounds_completed: u32,
    /// The budget ran out before all rounds were run.
    pub stopped_by_budget: bool,
    /// Sum of baseline and trial wall times.
    pub elapsed: Duration,
}

/// Runs the plan with `runner`.
///
/// # Errors
/// The first error a runner returns; the block it happened in is ended.
pub fn run<R: TrialRunner>(plan: &Plan, runner: &mut R) -> crate::Result<Trials> {
    run_observed(plan, runner, &mut |_, _| {})
}

/// [`run`], calling `progress` after every trial with the trial and the
/// number of trials the plan holds in all.
///
/// # Errors
/// As [`run`].
pub fn run_observed<R: TrialRunner>(
    plan: &Plan,
    runner: &mut R,
    progress: &mut dyn FnMut(&TrialRecord, usize),
) -> crate::Result<Trials> {
    let total = plan.trials as usize * plan.blocks().len() * plan.effects().len();
    let mut rng = ChaCha8Rng::seed_from_u64(plan.seed);
    let mut trials = Trials {
        records: Vec::new(),
        baseline_walls: Vec::new(),
        rounds_completed: 0,
        stopped_by_budget: false,
        elapsed: Duration::ZERO,
    };
    let blocks = plan.blocks();
    let effects = plan.effects();
    'rounds: for round in 0..plan.trials {
        let mut order = blocks.clone();
        order.shuffle(&mut rng);
        for block in order {
            if plan.budget.is_some_and(|b| trials.elapsed >= b) {
                trials.stopped_by_budget = true;
                break 'rounds;
            }
            let mut effect_order = effects.clone();
            effect_order.shuffle(&mut rng);
            let result =
                run_block(runner, block, round, &effect_order, &mut trials, &mut |r| {
                    progress(r, total)
                });
            runner.end_block(block);
            result?;
        }
        trials.rounds_completed = round + 1;
    }
    Ok(trials)
}

fn run_block<R: TrialRunner>(
    runner: &mut R,
    block: Block,
    round: u32,
    effects: &[f64],
    trials: &mut Trials,
    progress: &mut dyn FnMut(&TrialRecord),
) -> crate::Result<()> {
    let baseline = runner.baseline(block)?;
    trials.baseline_walls.push(baseline.wall);
    trials.elapsed += baseline.wall;
    for &effect in effects {
        let outcome = runner.trial(block, &baseline.data, effect)?;
        trials.elapsed += outcome.wall;
        trials.records.push(TrialRecord {
            round,
            setting: Setting {
                contention: block.contention,
                retakes: block.retakes,
                effect,
            },
            outcome,
        });
        progress(trials.records.last().expect("just pushed"));
    }
    Ok(())
}
