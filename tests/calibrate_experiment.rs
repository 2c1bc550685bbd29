//! The experiment driver and its statistics, driven by a scripted runner:
//! no real time, exact rates.

use std::collections::HashMap;
use std::time::Duration;

use perfgate::calibrate::experiment::{self, Block, BlockBaseline, Plan, TrialOutcome};
use perfgate::calibrate::report::{self, Bound, RoutineInfo};
use perfgate::calibrate::{BusyLoop, TrialRunner};
use perfgate::compare::Verdict;

/// Replays verdicts per (contention, retakes, effect in %) in order, and
/// records what the driver asked for.
struct Scripted {
    verdicts: HashMap<(bool, bool, u32), Vec<Verdict>>,
    trial_wall: Duration,
    baseline_wall: Duration,
    calls: Vec<String>,
    open_block: Option<Block>,
    fail_on_call: Option<usize>,
}

impl Scripted {
    fn new() -> Self {
        Scripted {
            verdicts: HashMap::new(),
            trial_wall: Duration::from_secs(2),
            baseline_wall: Duration::from_secs(1),
            calls: Vec::new(),
            open_block: None,
            fail_on_call: None,
        }
    }

    fn script(&mut self, contention: bool, retakes: bool, pct: u32, v: Vec<Verdict>) {
        self.verdicts.insert((contention, retakes, pct), v);
    }
}

impl TrialRunner for Scripted {
    type Baseline = u32;

    fn baseline(&mut self, block: Block) -> perfgate::Result<BlockBaseline<u32>> {
        assert_eq!(self.open_block, None, "blocks do not nest");
        self.open_block = Some(block);
        self.calls.push(format!("baseline {block:?}"));
        Ok(BlockBaseline {
            data: self.calls.len() as u32,
            wall: self.baseline_wall,
        })
    }

    fn trial(
        &mut self,
        block: Block,
        _baseline: &u32,
        effect: f64,
    ) -> perfgate::Result<TrialOutcome> {
        assert_eq!(self.open_block, Some(block));
        self.calls.push(format!("trial {effect}"));
        if self.fail_on_call == Some(self.calls.len()) {
            return Err(perfgate::Error::benchmark(
                "calibrate/busy",
                "scripted",
                "none",
            ));
        }
        let pct = (effect * 100.0).round() as u32;
        let list = self
            .verdicts
            .get_mut(&(block.contention, block.retakes, pct))
            .expect("a scripted setting");
        Ok(TrialOutcome {
            verdict: list.remove(0),
            samples: 10,
            retaken: if block.retakes { 3 } else { 0 },
            wall: self.trial_wall,
            notes: Vec::new(),
        })
    }

    fn end_block(&mut self, block: Block) {
        assert_eq!(self.open_block, Some(block));
        self.open_block = None;
        self.calls.push("end".into());
    }
}

fn plan(trials: u32) -> Plan {
    Plan {
        trials,
        effects: vec![0.10],
        contention: vec![true],
        retakes: vec![true, false],
        budget: None,
        seed: 42,
    }
}

fn routine() -> RoutineInfo {
    RoutineInfo {
        target_ns: 5_000.0,
        busy_loop: BusyLoop::new(2_500),
    }
}

fn repeat(parts: &[(Verdict, usize)]) -> Vec<Verdict> {
    parts
        .iter()
        .flat_map(|&(v, n)| std::iter::repeat_n(v, n))
        .collect()
}

#[test]
fn scripted_verdicts_give_exact_rates_and_wilson_intervals() {
    use Verdict::*;
    let mut runner = Scripted::new();
    // Retakes on: 1 false failure and 2 inconclusive in 50 A/A trials,
    // 48 detections in 50 A/B trials.
    runner.script(
        true,
        true,
        0,
        repeat(&[(Regressed, 1), (Inconclusive, 2), (Pass, 47)]),
    );
    runner.script(true, true, 10, repeat(&[(Regressed, 48), (Pass, 2)]));
    // Retakes off: 5 false failures, 40 detections.
    runner.script(
        true,
        false,
        0,
        repeat(&[(Regressed, 5), (Improved, 3), (Pass, 42)]),
    );
    runner.script(
        true,
        false,
        10,
        repeat(&[(Regressed, 40), (Inconclusive, 10)]),
    );

    let plan = plan(50);
    let trials = experiment::run(&plan, &mut runner).unwrap();
    let rep = report::summarise(&plan, routine(), vec![], &trials);

    assert_eq!(rep.rounds_completed, 50);
    assert!(!rep.stopped_by_budget);
    assert_eq!(rep.cells.len(), 4);
    let aa_on = &rep.cells[0];
    assert_eq!((aa_on.setting.retakes, aa_on.setting.effect), (true, 0.0));
    let ff = aa_on.regressed.unwrap();
    assert_eq!((ff.k, ff.n), (1, 50));
    assert_eq!(ff.rate, 0.02);
    // Reference: the score interval formula evaluated independently
    // (Newcombe 1998, method 3) for 1/50 and 48/50, to 4 decimals.
    assert!(
        (ff.lo - 0.0035).abs() < 5e-5 && (ff.hi - 0.1050).abs() < 5e-5,
        "{ff:?}"
    );
    assert_eq!(aa_on.inconclusive.unwrap().k, 2);
    assert_eq!(aa_on.pass, 47);
    assert_eq!(aa_on.retaken_share, Some(0.3));
    assert_eq!(aa_on.mean_trial_s, Some(2.0));
    assert!(aa_on.target.unwrap().met, "1 in 50 meets <= 1 in 50");

    let det_on = rep.cells[1].regressed.unwrap();
    assert_eq!((det_on.k, det_on.n), (48, 50));
    assert!((det_on.lo - 0.8654).abs() < 5e-5 && (det_on.hi - 0.9890).abs() < 5e-5);
    let t = rep.cells[1].target.unwrap();
    assert_eq!((t.bound, t.rate, t.met), (Bound::AtLeast, 0.95, true));

    let aa_off = &rep.cells[2];
    assert_eq!(aa_off.regressed.unwrap().k, 5);
    assert_eq!(aa_off.improved, 3);
    assert_eq!(aa_off.retaken_share, Some(0.0));
    assert!(!aa_off.target.unwrap().met);
    assert_eq!(rep.cells[3].regressed.unwrap().rate, 0.8);
    assert!(!rep.cells[3].target.unwrap().met);
    // 2 blocks x 50 rounds x (1 s baseline + 2 trials x 2 s).
    assert_eq!(rep.elapsed_s, 500.0);
}

#[test]
fn every_round_runs_each_block_once_with_one_baseline_and_every_effect() {
    let mut runner = Scripted::new();
    for retakes in [true, false] {
        for pct in [0, 10] {
            runner.script(true, retakes, pct, vec![Verdict::Pass; 3]);
        }
    }
    let mut seen = Vec::new();
    let trials = experiment::run_observed(&plan(3), &mut runner, &mut |r, total| {
        seen.push((r.round, total));
    })
    .unwrap();
    assert_eq!(trials.records.len(), 12);
    assert_eq!(seen.len(), 12, "progress after every trial");
    assert!(seen.iter().all(|&(_, total)| total == 12));
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "rounds in order");
    assert_eq!(trials.baseline_walls.len(), 6);
    for round in 0..3 {
        let in_round: Vec<_> =
            trials.records.iter().filter(|r| r.round == round).collect();
        assert_eq!(in_round.len(), 4);
    }
    // Each block: baseline, two trials, end.
    for chunk in runner.calls.chunks(4) {
        assert!(chunk[0].starts_with("baseline"));
        assert!(chunk[1].starts_with("trial") && chunk[2].starts_with("trial"));
        assert_eq!(chunk[3], "end");
    }
}

#[test]
fn the_run_order_is_shuffled_from_the_seed_and_repeats_with_it() {
    let order = |seed| {
        let mut runner = Scripted::new();
        for retakes in [true, false] {
            for pct in [0, 10] {
                runner.script(true, retakes, pct, vec![Verdict::Pass; 20]);
            }
        }
        let mut p = plan(20);
        p.seed = seed;
        experiment::run(&p, &mut runner).unwrap();
        runner.calls
    };
    assert_eq!(order(1), order(1));
    assert_ne!(order(1), order(2));
    let calls = order(1);
    let firsts: std::collections::HashSet<_> =
        calls.chunks(8).map(|round| round[0].clone()).collect();
    assert_eq!(firsts.len(), 2, "both blocks come first in some round");
}

#[test]
fn the_budget_stops_before_a_block_and_keeps_settings_within_one_trial() {
    let mut runner = Scripted::new();
    for retakes in [true, false] {
        for pct in [0, 10] {
            runner.script(true, retakes, pct, vec![Verdict::Pass; 50]);
        }
    }
    let mut p = plan(50);
    // A block costs 5 s: the budget is reached after 7 blocks (35 s).
    p.budget = Some(Duration::from_secs(33));
    let trials = experiment::run(&p, &mut runner).unwrap();
    assert!(trials.stopped_by_budget);
    assert_eq!(trials.baseline_walls.len(), 7);
    assert_eq!(trials.rounds_completed, 3);
    let rep = report::summarise(&p, routine(), vec![], &trials);
    let ns: Vec<u32> = rep.cells.iter().map(|c| c.trials).collect();
    let (lo, hi) = (ns.iter().min().unwrap(), ns.iter().max().unwrap());
    assert!(hi - lo <= 1, "{ns:?}");
    assert!(report::render_table(&rep).contains("time budget ended the run"));
}

#[test]
fn a_failing_trial_ends_its_block_and_returns_the_error() {
    let mut runner = Scripted::new();
    runner.script(true, true, 0, vec![Verdict::Pass; 5]);
    runner.script(true, true, 10, vec![Verdict::Pass; 5]);
    runner.fail_on_call = Some(2);
    let mut p = plan(5);
    p.retakes = vec![true];
    let err = experiment::run(&p, &mut runner).unwrap_err();
    assert!(err.to_string().contains("calibrate/busy"));
    assert_eq!(runner.calls.last().unwrap(), "end");
    assert_eq!(runner.open_block, None);
}

#[test]
fn a_setting_without_trials_reports_no_rate_instead_of_nan() {
    let p = Plan {
        trials: 0,
        ..plan(0)
    };
    let trials = experiment::run(&p, &mut Scripted::new()).unwrap();
    let rep = report::summarise(&p, routine(), vec![], &trials);
    assert!(rep
        .cells
        .iter()
        .all(|c| c.regressed.is_none() && c.target.is_none()));
    let table = report::render_table(&rep);
    let json = serde_json::to_string(&rep).unwrap();
    for text in [&table, &json] {
        assert!(!text.contains("NaN") && !text.contains("inf"), "{text}");
    }
}

#[test]
fn the_table_shows_one_row_per_setting_with_rate_interval_and_target() {
    let mut runner = Scripted::new();
    runner.script(true, true, 0, vec![Verdict::Pass, Verdict::Regressed]);
    runner.script(true, true, 10, vec![Verdict::Regressed, Verdict::Regressed]);
    let mut p = plan(2);
    p.retakes = vec![true];
    let trials = experiment::run(&p, &mut runner).unwrap();
    let rep = report::summarise(&p, routine(), vec!["threshold 5%".into()], &trials);
    let table = report::render_table(&rep);
    let aa = table.lines().find(|l| l.contains("A/A")).unwrap();
    assert!(
        aa.contains("1/2 50.0% [9.5, 90.5]") && aa.contains("<=2% MISSED"),
        "{aa}"
    );
    let ab = table.lines().find(|l| l.contains("+10%")).unwrap();
    assert!(
        ab.contains("2/2 100.0%") && ab.contains(">=95% met"),
        "{ab}"
    );
    assert!(table.contains("gate: threshold 5%"));
}

#[test]
fn inconclusive_trials_are_counted_by_the_rule_that_made_them_so() {
    use perfgate::calibrate::experiment::{Setting, TrialRecord, Trials};
    let setting = Setting {
        contention: true,
        retakes: true,
        effect: 0.10,
    };
    let outcome = |verdict, note: &str| TrialOutcome {
        verdict,
        samples: 100,
        retaken: 0,
        wall: Duration::from_secs(1),
        notes: vec![note.to_owned()],
    };
    let drift = "the candidate drifts within its run: median of the first 33 samples …";
    let machine = "not judged regressed: the machine canary read the machine too slow \
                   to tell its slowdown from the code's";
    let records = [
        outcome(Verdict::Inconclusive, drift),
        outcome(Verdict::Inconclusive, drift),
        outcome(Verdict::Inconclusive, machine),
        outcome(Verdict::Regressed, "slower by +10.20%"),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, outcome)| TrialRecord {
        round: i as u32,
        setting,
        outcome,
    })
    .collect();
    let trials = Trials {
        records,
        baseline_walls: vec![Duration::from_secs(1); 4],
        rounds_completed: 4,
        stopped_by_budget: false,
        elapsed: Duration::from_secs(8),
    };
    let mut p = plan(4);
    p.retakes = vec![true];
    let rep = report::summarise(&p, routine(), vec![], &trials);
    let cell = rep.cells.iter().find(|c| c.setting.effect == 0.10).unwrap();
    let reasons: Vec<(&str, u32)> = cell
        .inconclusive_reasons
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        reasons,
        [
            ("candidate drifted", 2),
            ("machine reading beyond max_machine_change", 1)
        ]
    );
    let table = report::render_table(&rep);
    assert!(
        table.contains(
            "inconclusive with contention on, retakes on, +10%: candidate drifted 2, \
             machine reading beyond max_machine_change 1"
        ),
        "{table}"
    );
}

#[test]
fn only_the_rule_that_decided_names_an_inconclusive_trial() {
    use perfgate::calibrate::report::inconclusive_reason;
    let notes = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // A drift that kept the verdict, then a reading too slow to trust.
    let kept_drift = notes(&[
        "the candidate drifts within its run: median …",
        "both ends of the candidate's run lie on the same side of the threshold, so the drift does not change the verdict",
        "not judged regressed: the machine canary read the machine too slow to tell its slowdown from the code's",
    ]);
    assert_eq!(
        inconclusive_reason(&kept_drift),
        "machine reading beyond max_machine_change"
    );
    // The neighbour load is only information when rule 3a did not fire.
    let wide = notes(&[
        "other processes kept 40% of the other CPUs busy while it was measured",
        "interval too wide to decide against the ±3.00% threshold: …",
    ]);
    assert_eq!(inconclusive_reason(&wide), "interval too wide");
}
