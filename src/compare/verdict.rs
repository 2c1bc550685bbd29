//! The verdict of one benchmark: candidate against baseline.
//!
//! On the clean samples of both sides (per element when both declare a
//! throughput), with threshold `t`, level `alpha`, location change `c`, its
//! bootstrap interval `[lo, hi]` and the Mann–Whitney p-value `p`, the
//! first rule that applies decides:
//!
//! 0. **adjust for the machine**: when both sides carry a reading of the
//!    machine's speed (the canary's time per iteration just before and
//!    after the measurement, see [`crate::sampler::MachineReading`]) and
//!    the two differ by at most `max_machine_change`, the candidate's
//!    times are divided by `k / b` (candidate reading over baseline
//!    reading) before anything below; `c`, `[lo, hi]` and `p` are then of
//!    the adjusted times. The host's slow periods slow every routine, so
//!    a change measured in canary units does not move with them.
//! 1. **inconclusive** when either side has fewer than `min_samples` clean
//!    samples ("too few samples (2 < 10)"), or the two sides declare
//!    throughputs of different kinds (elements against bytes).
//! 2. **inconclusive** when the candidate drifts within its run: its first
//!    and last thirds differ with `p < alpha` *and* by more than `t`
//!    ([`crate::stats::drift()`]), unless the medians of both thirds,
//!    against the baseline's location, lie in the same band (both beyond
//!    `+t`, both beyond `−t`, or both within): then either end alone gives
//!    the same verdict and the rules below decide. Drift of the baseline
//!    is only noted.
//! 3. **regressed** when `c > t`, `p < alpha` and `lo > 0`, unless other
//!    processes kept more than `max_neighbour_load` of the other CPUs busy
//!    while the candidate was measured (3a): then **inconclusive**, since
//!    such a neighbour slows code invisibly to the sampler; and unless the
//!    canary read the machine more than `max_machine_change` slower (so
//!    rule 0 did not adjust) (3b): then **inconclusive** too.
//! 4. **improved** when `c < −t`, `p < alpha` and `hi < 0`.
//!    Otherwise (4b) **inconclusive** when the interval lies wholly beyond
//!    `+t` or `−t` but `p ≥ alpha`: the two kinds of evidence disagree.
//! 5. **inconclusive** when the interval is too wide to decide against the
//!    threshold: it contains `+t` or `−t` (strictly inside) and is wider
//!    than `max_interval_width · t`. Such an interval cannot tell a change
//!    within the threshold from one beyond it, so `pass` would be a guess.
//! 6. **pass** otherwise.
//!
//! Rules 3–4 come before 5 as the design asks: a significant change beyond
//! the threshold whose whole interval lies on one side of zero is reported,
//! and the gate re-measures a `regressed` benchmark before it stands.
//! With no p-value (zero spread on both sides and identical, or sizes that
//! cannot reach `alpha`) rules 3–4 cannot apply. A side without the other
//! is `new` or `missing`. Bad data (not finite, zero or negative timings, a
//! zero baseline) is an [`Error::Benchmark`], never a verdict, and no
//! comparison holds NaN or infinity.
//!
//! TODO(#4): the U test compares whole distributions while the change may
//! be measured on a low quantile; when calibration picks a location other
//! than the median, a test of that quantile should replace it.

use super::input::{check_samples, describe, units, Input, Role};
use super::{CompareOptions, Comparison, Interval, Side, Verdict};
use crate::baseline::Throughput;
use crate::stats::{self, ChangeInterval, Drift, Summary, UTest};
use crate::{Error, Result};

/// Compares one benchmark's candidate with its baseline.
///
/// `baseline` is `None` for a benchmark without a baseline (`new`),
/// `candidate` is `None` for one that did not run (`missing`). The result
/// has `renamed_from` unset and `confirmations` 0: the gate fills them.
pub fn compare_benchmark(
    id: &str,
    baseline: Option<Input>,
    candidate: Option<Input>,
    opts: &CompareOptions,
) -> Result<Comparison> {
    opts.validate()?;
    match (baseline, candidate) {
        (Some(b), Some(c)) => compare_both(id, b, c, opts),
        (None, Some(c)) => one_side(id, Role::Candidate, c, opts),
        (Some(b), None) => one_side(id, Role::Baseline, b, opts),
        (None, None) => Err(Error::benchmark(
            id,
            "neither a baseline nor a candidate to compare",
            "run the benchmark, or remove it from the comparison",
        )),
    }
}

/// A `new` or `missing` comparison.
fn one_side(
    id: &str,
    role: Role,
    input: Input,
    opts: &CompareOptions,
) -> Result<Comparison> {
    check_samples(id, role, &input.samples, opts.location)?;
    let side = side(input.samples.clone(), input.throughput, input.machine_ns);
    let mut c = empty(id, opts.threshold);
    if role == Role::Candidate {
        c.verdict = Verdict::New;
        c.notes
            .push("no baseline: `perfgate baseline save` records one".into());
        c.candidate = Some(side);
        take_run_facts(&mut c, input);
    } else {
        c.verdict = Verdict::Missing;
        c.notes
            .push("the baseline exists but the benchmark did not run".into());
        c.baseline = Some(side);
    }
    Ok(c)
}

/// Both sides present: check, scale, measure, decide.
fn compare_both(
    id: &str,
    baseline: Input,
    candidate: Input,
    opts: &CompareOptions,
) -> Result<Comparison> {
    check_samples(id, Role::Baseline, &baseline.samples, opts.location)?;
    check_samples(id, Role::Candidate, &candidate.samples, opts.location)?;
    check_machine(id, "baseline", baseline.machine_ns)?;
    check_machine(id, "candidate", candidate.machine_ns)?;
    let scaled = per_unit(id, &baseline, &candidate)?;
    let mut c = empty(id, opts.threshold);
    c.notes.clone_from(&scaled.notes);
    let adjustment =
        adjust_for_machine(&mut c, &baseline, &candidate, &scaled.candidate, opts);
    let k = match &adjustment {
        Adjustment::Divided(adjusted) => adjusted,
        Adjustment::AsMeasured { .. } => &scaled.candidate,
    };
    let b = &scaled.baseline;

    if let Some(note) = too_few_note(b.len(), k.len(), opts.min_samples) {
        c.change = point_change(id, b, k, opts)?;
        c.notes.push(note);
    } else {
        let evidence = Evidence::gather(id, b, k, opts)?;
        c.change = Some(evidence.interval.estimate);
        c.interval = Some(to_interval(evidence.interval));
        c.p_value = evidence.utest.p_value();
        let (verdict, notes) = decide(&evidence, opts);
        c.notes.extend(notes);
        if scaled.comparable {
            c.verdict = verdict;
        }
    }
    doubt_under_neighbours(&mut c, candidate.neighbour_load, opts);
    if matches!(adjustment, Adjustment::AsMeasured { too_slow: true }) {
        doubt_on_a_slow_machine(&mut c);
    }

    c.baseline = Some(side(
        scaled.baseline,
        baseline.throughput,
        baseline.machine_ns,
    ));
    c.candidate = Some(side(
        scaled.candidate,
        candidate.throughput,
        candidate.machine_ns,
    ));
    take_run_facts(&mut c, candidate);
    Ok(c)
}

/// Everything measured about a pair of sample sets with enough samples.
struct Evidence {
    /// The baseline's location statistic, ns.
    baseline_location: Option<f64>,
    interval: ChangeInterval,
    utest: UTest,
    candidate_drift: Option<Drift>,
    baseline_drift: Option<Drift>,
}

impl Evidence {
    fn gather(id: &str, b: &[f64], k: &[f64], opts: &CompareOptions) -> Result<Self> {
        let interval = stats::bootstrap_change(b, k, opts.location, &opts.bootstrap())
            .filter(|ci| [ci.estimate, ci.lo, ci.hi].iter().all(|x| x.is_finite()))
            .ok_or_else(|| not_finite(id))?;
        Ok(Evidence {
            baseline_location: opts.location.of(b),
            interval,
            utest: stats::mann_whitney(k, b, opts.alpha),
            candidate_drift: stats::drift(k, opts.alpha),
            baseline_drift: stats::drift(b, opts.alpha),
        })
    }
}

/// The verdict and the notes saying why, by the rules in the module docs.
fn decide(e: &Evidence, opts: &CompareOptions) -> (Verdict, Vec<String>) {
    let (t, alpha) = (opts.threshold, opts.alpha);
    let ChangeInterval {
        estimate, lo, hi, ..
    } = e.interval;
    let mut notes = Vec::new();
    if let UTest::NotApplicable(why) = e.utest {
        notes.push(format!("p-value {}", why.describe()));
    }
    if let Some(d) = e.baseline_drift.filter(|d| d.is_drifting(alpha, t)) {
        notes.push(format!(
            "the baseline drifts within its run: {}",
            drift_words(&d)
        ));
    }
    if let Some(d) = e.candidate_drift.filter(|d| d.is_drifting(alpha, t)) {
        notes.push(format!(
            "the candidate drifts within its run: {}",
            drift_words(&d)
        ));
        if !drift_keeps_the_verdict(&d, e.baseline_location, t) {
            return (Verdict::Inconclusive, notes);
        }
        notes.push(
            "both ends of the candidate's run lie on the same side of the threshold, \
             so the drift does not change the verdict"
                .into(),
        );
    }

    let significant = e.utest.p_value().is_some_and(|p| p < alpha);
    let interval = format!("{} … {}", pct(lo), pct(hi));
    if significant && estimate > t && lo > 0.0 {
        notes.push(format!(
            "slower by {} (interval {interval}), beyond the {} threshold",
            pct(estimate),
            pct(t)
        ));
        return (Verdict::Regressed, notes);
    }
    if significant && estimate < -t && hi < 0.0 {
        let faster = pct(-estimate).trim_start_matches('+').to_owned();
        notes.push(format!("faster by {faster} (interval {interval})"));
        return (Verdict::Improved, notes);
    }
    if let Some(p) = e.utest.p_value().filter(|_| lo > t || hi < -t) {
        // The interval says beyond the threshold, the U test says the
        // difference may be chance: evidence that disagrees is no pass.
        notes.push(format!(
            "the interval {interval} lies beyond the ±{} threshold, but the \
             Mann–Whitney test is not significant (p = {p:.3}, alpha {alpha})",
            pct(t).trim_start_matches('+'),
        ));
        return (Verdict::Inconclusive, notes);
    }
    if too_wide(lo, hi, opts) {
        notes.push(format!(
            "interval too wide to decide against the ±{} threshold: {interval} \
             is wider than {} points",
            pct(t).trim_start_matches('+'),
            pct(opts.max_interval_width * t).trim_start_matches('+'),
        ));
        return (Verdict::Inconclusive, notes);
    }
    (Verdict::Pass, notes)
}

/// Rule 2's exception: the first and the last third of a drifting
/// candidate, each against the baseline's location, fall in the same band
/// (beyond `+t`, beyond `−t`, or within): either end alone would be judged
/// alike, so where in the run the level moved does not matter.
fn drift_keeps_the_verdict(d: &Drift, baseline: Option<f64>, t: f64) -> bool {
    let Some(base) = baseline.filter(|b| *b > 0.0) else {
        return false;
    };
    let band = |m: f64| {
        let change = m / base - 1.0;
        if change > t {
            1
        } else if change < -t {
            -1
        } else {
            0
        }
    };
    band(d.first_median) == band(d.last_median)
}

/// Rule 5: the interval straddles a threshold and is wider than allowed.
fn too_wide(lo: f64, hi: f64, opts: &CompareOptions) -> bool {
    let t = opts.threshold;
    let straddles = |x: f64| lo < x && x < hi;
    (straddles(t) || straddles(-t)) && hi - lo > opts.max_interval_width * t
}

/// The note for too few clean samples on either side, if so.
fn too_few_note(baseline: usize, candidate: usize, min: usize) -> Option<String> {
    let short = [("baseline", baseline), ("candidate", candidate)]
        .into_iter()
        .filter(|(_, n)| *n < min)
        .map(|(role, n)| format!("too few samples ({n} < {min}) in the {role}"))
        .collect::<Vec<_>>();
    (!short.is_empty()).then(|| short.join("; "))
}

/// The change without interval, when both sides have any samples.
fn point_change(
    id: &str,
    b: &[f64],
    k: &[f64],
    opts: &CompareOptions,
) -> Result<Option<f64>> {
    let (Some(lb), Some(lk)) = (opts.location.of(b), opts.location.of(k)) else {
        return Ok(None);
    };
    let change = lk / lb - 1.0;
    if change.is_finite() {
        Ok(Some(change))
    } else {
        Err(not_finite(id))
    }
}

/// Samples of both sides, per unit when comparable, plus notes.
struct Scaled {
    baseline: Vec<f64>,
    candidate: Vec<f64>,
    /// False when the throughputs are of different kinds.
    comparable: bool,
    notes: Vec<String>,
}

/// Divides each side by its declared units per iteration when both declare
/// the same kind; says so in the notes whenever the throughputs differ.
fn per_unit(id: &str, b: &Input, k: &Input) -> Result<Scaled> {
    let mut s = Scaled {
        baseline: b.samples.clone(),
        candidate: k.samples.clone(),
        comparable: true,
        notes: Vec::new(),
    };
    match (b.throughput, k.throughput) {
        (None, None) => {}
        (Some(tb), Some(tk)) if units(tb).1 == units(tk).1 => {
            s.baseline = divide(id, "baseline", &b.samples, tb)?;
            s.candidate = divide(id, "candidate", &k.samples, tk)?;
            if tb != tk {
                s.notes.push(format!(
                    "throughput changed: {} → {} per iteration; compared per {}",
                    describe(tb),
                    describe(tk),
                    units(tk).1
                ));
            }
        }
        (Some(tb), Some(tk)) => {
            s.comparable = false;
            s.notes.push(format!(
                "throughput changed: {} → {} per iteration; not comparable, \
                 re-record the baseline with `perfgate baseline save`",
                describe(tb),
                describe(tk)
            ));
        }
        (tb, _) => s.notes.push(format!(
            "throughput declared by the {} only; compared per iteration",
            if tb.is_some() {
                "baseline"
            } else {
                "candidate"
            },
        )),
    }
    Ok(s)
}

/// `samples` divided by the units one iteration processes.
fn divide(id: &str, role: &str, samples: &[f64], t: Throughput) -> Result<Vec<f64>> {
    let (n, unit) = units(t);
    if n == 0 {
        return Err(Error::benchmark(
            id,
            format!("the {role} declares a throughput of 0 {unit}s per iteration"),
            "declare how many units one iteration processes, or no throughput",
        ));
    }
    Ok(samples.iter().map(|x| x / n as f64).collect())
}

/// A comparison with nothing measured yet.
fn empty(id: &str, threshold: f64) -> Comparison {
    Comparison {
        id: id.to_string(),
        renamed_from: None,
        verdict: Verdict::Inconclusive,
        baseline: None,
        candidate: None,
        change: None,
        interval: None,
        p_value: None,
        threshold,
        retakes: 0,
        flagged: 0,
        confirmations: 0,
        notes: Vec::new(),
        neighbour_load: None,
        machine_change: None,
        records: Vec::new(),
    }
}

/// A side's reading of the machine's speed, when it has one, is plausible.
fn check_machine(id: &str, role: &str, ns: Option<f64>) -> Result<()> {
    match ns.and_then(crate::sampler::implausible_reading) {
        Some(problem) => Err(Error::benchmark(
            id,
            format!("the {role}'s machine reading {problem}"),
            "the file was damaged or edited: remove its `machine_ns` (it is then \
             compared as measured), or record it again",
        )),
        None => Ok(()),
    }
}

/// What rule 0 made of the candidate's times.
enum Adjustment {
    /// Divided by the machine's change of speed.
    Divided(Vec<f64>),
    /// Compared as measured; `too_slow` when the canary read the machine
    /// more than `max_machine_change` slower (rule 3b then applies).
    AsMeasured { too_slow: bool },
}

/// Rule 0: the candidate's times divided by the machine's change of speed
/// between the two measurements, when both sides read it, the options ask
/// for it and the change is within `max_machine_change`; the change is
/// recorded and a note says so (unless it rounds to nothing). As measured
/// otherwise, with a note when one side lacks a reading or the change is
/// too large to trust.
fn adjust_for_machine(
    c: &mut Comparison,
    baseline: &Input,
    candidate: &Input,
    samples: &[f64],
    opts: &CompareOptions,
) -> Adjustment {
    let as_measured = Adjustment::AsMeasured { too_slow: false };
    if !opts.machine_adjust {
        return as_measured;
    }
    let Some(k) = candidate.machine_ns else {
        if baseline.machine_ns.is_some() {
            c.notes.push(
                "not adjusted for the machine's speed: the candidate has no reading of it"
                    .into(),
            );
        }
        return as_measured;
    };
    let Some(b) = baseline.machine_ns else {
        c.notes.push(
            "not adjusted for the machine's speed: the baseline has no reading of it \
             (re-record it with `perfgate baseline save`)"
                .into(),
        );
        return as_measured;
    };
    // Both readings are plausible (`check_machine`), so the factor is a
    // finite positive number.
    let factor = k / b;
    let shift = factor - 1.0;
    let words = if shift >= 0.0 { "slower" } else { "faster" };
    let by = pct(shift.abs()).trim_start_matches('+').to_owned();
    // A hair of rounding must not refuse a change of exactly the bound.
    if shift.abs() > opts.max_machine_change + 1e-12 {
        c.notes.push(format!(
            "not adjusted for the machine's speed: the machine canary read {by} \
             {words} than at the baseline, beyond the {} it is trusted for",
            pct(opts.max_machine_change).trim_start_matches('+'),
        ));
        return Adjustment::AsMeasured {
            too_slow: shift > 0.0,
        };
    }
    c.machine_change = Some(shift);
    if by != "0.00%" {
        c.notes.push(format!(
            "the machine ran {by} {words} than when the baseline was measured \
             (machine canary read beside both); the change is adjusted for it"
        ));
    }
    Adjustment::Divided(samples.iter().map(|x| x / factor).collect())
}

/// Rule 3b: a `regressed` verdict on times the machine canary read more
/// than `max_machine_change` slower than at the baseline (so not adjusted)
/// becomes `inconclusive`: the slowdown may be the machine's.
fn doubt_on_a_slow_machine(c: &mut Comparison) {
    if c.verdict == Verdict::Regressed {
        c.verdict = Verdict::Inconclusive;
        c.notes.push(
            "not judged regressed: the machine canary read the machine too slow \
             to tell its slowdown from the code's"
                .into(),
        );
    }
}

/// Carries the candidate's run facts over, its sampler warnings as notes
/// so that every report shows them beside the verdict they qualify.
fn take_run_facts(c: &mut Comparison, candidate: Input) {
    let warnings = candidate.warnings.iter();
    c.notes.extend(warnings.map(|w| format!("sampler: {w}")));
    c.neighbour_load = candidate.neighbour_load;
    c.retakes = candidate.retakes;
    c.flagged = candidate.flagged;
    c.records = candidate.records;
}

/// Rule 3a: a `regressed` verdict measured while other processes kept
/// more than `max_neighbour_load` of the other CPUs busy becomes
/// `inconclusive`, since such a neighbour slows a routine through shared
/// caches and memory without any trace the sampler can see per sample.
fn doubt_under_neighbours(c: &mut Comparison, load: Option<f64>, opts: &CompareOptions) {
    let Some(load) = load.filter(|&l| l > opts.max_neighbour_load) else {
        return;
    };
    if c.verdict == Verdict::Regressed {
        c.verdict = Verdict::Inconclusive;
        c.notes.push(format!(
            "not judged regressed: other processes kept {:.0}% of the other CPUs \
             busy while it was measured (limit {:.0}%), which slows code unseen; \
             measure again on a quiet machine",
            load * 100.0,
            opts.max_neighbour_load * 100.0
        ));
    } else {
        c.notes.push(format!(
            "other processes kept {:.0}% of the other CPUs busy while it was measured",
            load * 100.0
        ));
    }
}

fn side(
    samples: Vec<f64>,
    throughput: Option<Throughput>,
    machine_ns: Option<f64>,
) -> Side {
    let summary = Summary::of(&samples).unwrap_or(Summary {
        n: 0,
        median: 0.0,
        mad: 0.0,
        mean: 0.0,
        min: 0.0,
        max: 0.0,
    });
    Side {
        summary,
        samples,
        throughput,
        machine_ns,
    }
}

fn to_interval(ci: ChangeInterval) -> Interval {
    Interval {
        lo: ci.lo,
        hi: ci.hi,
        level: ci.level,
    }
}

fn not_finite(id: &str) -> Error {
    Error::benchmark(
        id,
        "the change is not a finite number (timings differ by more than f64 can hold)",
        "check that both sides time the same routine in the same unit",
    )
}

fn drift_words(d: &Drift) -> String {
    let shift = d.shift.map_or_else(|| "n/a".to_string(), pct);
    format!(
        "median of the first {n} samples {}, of the last {n} {} ({shift})",
        crate::units::Nanos(d.first_median),
        crate::units::Nanos(d.last_median),
        n = d.third
    )
}

/// A fraction as a signed percentage with two decimals: `+3.70%`.
pub(crate) fn pct(x: f64) -> String {
    format!("{:+.2}%", x * 100.0)
}
