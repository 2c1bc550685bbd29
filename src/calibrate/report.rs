//! Summaries of an experiment: per setting, the rates with their Wilson
//! intervals, the share of samples retaken and the time per trial; as a
//! terminal table and as JSON.
//!
//! For A/A trials (no slowdown) the share of `regressed` verdicts is the
//! **false-failure rate**; for A/B trials it is the **detection rate**.
//! `inconclusive` verdicts are counted separately: they fail a CI job with
//! their own exit status, so they cost a developer time, but they do not
//! claim a regression.

use std::fmt::Write as _;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::experiment::{Plan, Setting, TrialRecord, Trials};
use super::routine::BusyLoop;
use super::wilson::{wilson_95, Proportion};
use crate::compare::Verdict;

/// Version of the calibration JSON format.
pub const CALIBRATION_SCHEMA: u32 = 1;

/// Largest false-failure rate accepted: 1 in 50 A/A trials.
pub const TARGET_FALSE_FAILURE: f64 = 1.0 / 50.0;

/// Detection rates wanted, per injected slowdown.
pub const TARGET_DETECTION: [(f64, f64); 2] = [(0.05, 0.80), (0.10, 0.95)];

/// A goal a setting's rate is held to (on the point estimate).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// `at_most` (false failures) or `at_least` (detections).
    pub bound: Bound,
    /// The rate bound.
    pub rate: f64,
    /// Whether the measured rate meets it.
    pub met: bool,
}

/// Direction of a [`Target`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// The rate must not exceed the bound.
    AtMost,
    /// The rate must reach the bound.
    AtLeast,
}

/// The summary of one setting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// The setting.
    pub setting: Setting,
    /// Trials run.
    pub trials: u32,
    /// Share of `regressed` verdicts with its 95% Wilson interval: the
    /// false-failure rate when `effect` is 0, else the detection rate.
    pub regressed: Option<Proportion>,
    /// Share of `inconclusive` verdicts with its 95% Wilson interval.
    pub inconclusive: Option<Proportion>,
    /// Why the `inconclusive` verdicts were (see [`inconclusive_reason`]),
    /// with how many trials each.
    #[serde(default)]
    pub inconclusive_reasons: std::collections::BTreeMap<String, u32>,
    /// `improved` verdicts counted.
    pub improved: u32,
    /// `pass` verdicts counted.
    pub pass: u32,
    /// Candidate sample slots re-taken / slots measured, over all trials.
    pub retaken_share: Option<f64>,
    /// Mean wall time of a trial, seconds.
    pub mean_trial_s: Option<f64>,
    /// Longest trial, seconds.
    pub max_trial_s: Option<f64>,
    /// The goal for this setting, if one is set.
    pub target: Option<Target>,
}

/// What was measured about the synthetic routine.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RoutineInfo {
    /// Wanted cost of one iteration, ns.
    pub target_ns: f64,
    /// The calibrated loop.
    pub busy_loop: BusyLoop,
}

/// The whole calibration result: what `--json` prints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationReport {
    /// Format version ([`CALIBRATION_SCHEMA`]).
    pub schema: u32,
    /// perfgate version.
    pub perfgate_version: String,
    /// The plan run (seed included).
    pub plan: Plan,
    /// The synthetic routine.
    pub routine: RoutineInfo,
    /// Where the gate's settings came from and what they were, as lines.
    pub gate: Vec<String>,
    /// One entry per setting: contention, retakes, then effect.
    pub cells: Vec<Cell>,
    /// Rounds finished completely.
    pub rounds_completed: u32,
    /// The time budget ended the run early.
    pub stopped_by_budget: bool,
    /// Mean time to record a block's baseline, seconds.
    pub mean_baseline_s: Option<f64>,
    /// Total baseline and trial time, seconds.
    pub elapsed_s: f64,
}

/// Summarises `trials` run under `plan`.
pub fn summarise(
    plan: &Plan,
    routine: RoutineInfo,
    gate: Vec<String>,
    trials: &Trials,
) -> CalibrationReport {
    let mut cells = Vec::new();
    for block in plan.blocks() {
        for effect in plan.effects() {
            let setting = Setting {
                contention: block.contention,
                retakes: block.retakes,
                effect,
            };
            let of_cell: Vec<&TrialRecord> = trials
                .records
                .iter()
                .filter(|r| same_setting(&r.setting, &setting))
                .collect();
            cells.push(cell(setting, &of_cell));
        }
    }
    CalibrationReport {
        schema: CALIBRATION_SCHEMA,
        perfgate_version: env!("CARGO_PKG_VERSION").to_string(),
        plan: plan.clone(),
        routine,
        gate,
        cells,
        rounds_completed: trials.rounds_completed,
        stopped_by_budget: trials.stopped_by_budget,
        mean_baseline_s: mean_secs(&trials.baseline_walls),
        elapsed_s: trials.elapsed.as_secs_f64(),
    }
}

fn same_setting(a: &Setting, b: &Setting) -> bool {
    a.contention == b.contention
        && a.retakes == b.retakes
        && (a.effect - b.effect).abs() < 1e-12
}

fn cell(setting: Setting, records: &[&TrialRecord]) -> Cell {
    let n = records.len() as u32;
    let count =
        |v: Verdict| records.iter().filter(|r| r.outcome.verdict == v).count() as u32;
    let regressed = wilson_95(count(Verdict::Regressed), n);
    let samples: usize = records.iter().map(|r| r.outcome.samples).sum();
    let retaken: usize = records.iter().map(|r| r.outcome.retaken).sum();
    let walls: Vec<Duration> = records.iter().map(|r| r.outcome.wall).collect();
    let mut inconclusive_reasons = std::collections::BTreeMap::new();
    for r in records
        .iter()
        .filter(|r| r.outcome.verdict == Verdict::Inconclusive)
    {
        let why = inconclusive_reason(&r.outcome.notes);
        *inconclusive_reasons.entry(why.to_owned()).or_insert(0) += 1;
    }
    Cell {
        inconclusive_reasons,
        setting,
        trials: n,
        regressed,
        inconclusive: wilson_95(count(Verdict::Inconclusive), n),
        improved: count(Verdict::Improved),
        pass: count(Verdict::Pass),
        retaken_share: (samples > 0).then(|| retaken as f64 / samples as f64),
        mean_trial_s: mean_secs(&walls),
        max_trial_s: walls.iter().max().map(Duration::as_secs_f64),
        target: regressed.and_then(|r| target(setting.effect, r.rate)),
    }
}

/// The rule that made a comparison `inconclusive`, in a few words, from
/// its notes (the rules of [`crate::compare::verdict`]).
pub fn inconclusive_reason(notes: &[String]) -> &'static str {
    // Only the notes of rules that decide `inconclusive` count: others
    // (the neighbour load, a drift that kept the verdict) are information.
    let has = |words: &str| notes.iter().any(|n| n.contains(words));
    if has("not judged regressed: other processes kept") {
        "neighbour load"
    } else if has("not judged regressed: the machine canary read the machine too slow") {
        "machine reading beyond max_machine_change"
    } else if has("not judged regressed: the machine canary (") {
        "slow machine canary"
    } else if has("too few samples") {
        "too few clean samples"
    } else if has("candidate drifts within its run")
        && !has("does not change the verdict")
    {
        "candidate drifted"
    } else if has("Mann–Whitney test is not significant") {
        "interval beyond the threshold, test not significant"
    } else if has("interval too wide") {
        "interval too wide"
    } else {
        "other"
    }
}

/// The goal for a slowdown of `effect`, judged on `rate`.
pub fn target(effect: f64, rate: f64) -> Option<Target> {
    if effect == 0.0 {
        return Some(Target {
            bound: Bound::AtMost,
            rate: TARGET_FALSE_FAILURE,
            met: rate <= TARGET_FALSE_FAILURE,
        });
    }
    TARGET_DETECTION
        .iter()
        .find(|(e, _)| (e - effect).abs() < 1e-9)
        .map(|&(_, want)| Target {
            bound: Bound::AtLeast,
            rate: want,
            met: rate >= want,
        })
}

fn mean_secs(walls: &[Duration]) -> Option<f64> {
    (!walls.is_empty()).then(|| {
        walls.iter().map(Duration::as_secs_f64).sum::<f64>() / walls.len() as f64
    })
}

/// The report as a terminal table, one row per setting.
pub fn render_table(report: &CalibrationReport) -> String {
    let mut out = String::new();
    let b = &report.routine.busy_loop;
    let _ = writeln!(
        out,
        "synthetic routine: busy loop of {} rounds (~{} per iteration), seed {}",
        b.rounds,
        crate::Nanos(report.routine.target_ns),
        report.plan.seed
    );
    for line in &report.gate {
        let _ = writeln!(out, "gate: {line}");
    }
    let _ = writeln!(
        out,
        "{:<10} {:<7} {:>6} {:>4}  {:<26} {:<17} {:>7} {:>7} {:>7}  target",
        "contention",
        "retakes",
        "effect",
        "n",
        "regressed [95% CI]",
        "inconclusive",
        "retaken",
        "s/trial",
        "max s"
    );
    for c in &report.cells {
        out.push_str(&row(c));
        out.push('\n');
    }
    out.push_str(&footer(report));
    out
}

fn row(c: &Cell) -> String {
    let s = &c.setting;
    let effect = effect_name(s.effect);
    format!(
        "{:<10} {:<7} {:>6} {:>4}  {:<26} {:<17} {:>7} {:>7} {:>7}  {}",
        on_off(s.contention),
        on_off(s.retakes),
        effect,
        c.trials,
        fmt_prop(c.regressed),
        fmt_count(c.inconclusive),
        c.retaken_share
            .map_or("-".into(), |r| format!("{:.1}%", r * 100.0)),
        c.mean_trial_s.map_or("-".into(), |t| format!("{t:.2}")),
        c.max_trial_s.map_or("-".into(), |t| format!("{t:.2}")),
        fmt_target(c.target),
    )
}

fn footer(report: &CalibrationReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "regressed = false-failure rate for A/A, detection rate for slowdowns; \
         {} rounds in {:.0} s (baselines {}/block)",
        report.rounds_completed,
        report.elapsed_s,
        report
            .mean_baseline_s
            .map_or("-".into(), |t| format!("{t:.2} s")),
    );
    if report.stopped_by_budget {
        out.push_str("the time budget ended the run before all trials ran\n");
    }
    for c in report
        .cells
        .iter()
        .filter(|c| !c.inconclusive_reasons.is_empty())
    {
        let reasons: Vec<String> = c
            .inconclusive_reasons
            .iter()
            .map(|(why, n)| format!("{why} {n}"))
            .collect();
        let s = &c.setting;
        let _ = writeln!(
            out,
            "inconclusive with contention {}, retakes {}, {}: {}",
            on_off(s.contention),
            on_off(s.retakes),
            effect_name(s.effect),
            reasons.join(", ")
        );
    }
    out
}

fn effect_name(effect: f64) -> String {
    if effect == 0.0 {
        "A/A".to_string()
    } else {
        format!("+{}%", fmt_pct_short(effect))
    }
}

fn on_off(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}

fn fmt_pct_short(f: f64) -> String {
    let p = f * 100.0;
    if (p - p.round()).abs() < 1e-9 {
        format!("{p:.0}")
    } else {
        format!("{p:.1}")
    }
}

fn fmt_prop(p: Option<Proportion>) -> String {
    p.map_or("-".into(), |p| {
        format!(
            "{}/{} {:.1}% [{:.1}, {:.1}]",
            p.k,
            p.n,
            p.rate * 100.0,
            p.lo * 100.0,
            p.hi * 100.0
        )
    })
}

fn fmt_count(p: Option<Proportion>) -> String {
    p.map_or("-".into(), |p| {
        format!("{}/{} {:.1}%", p.k, p.n, p.rate * 100.0)
    })
}

fn fmt_target(t: Option<Target>) -> String {
    t.map_or(String::new(), |t| {
        let sign = match t.bound {
            Bound::AtMost => "<=",
            Bound::AtLeast => ">=",
        };
        let met = if t.met { "met" } else { "MISSED" };
        format!("{sign}{}% {met}", fmt_pct_short(t.rate))
    })
}
