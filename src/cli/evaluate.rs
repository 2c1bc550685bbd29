//! Pairs baselines with candidates and judges every pair.
//!
//! The same evaluation serves `perfgate check`, the gate after
//! `cargo bench`, and `perfgate compare`. It
//! 1. applies the rename map (old baseline id → new benchmark id),
//! 2. compares every benchmark present on either side (`missing` when only
//!    the baseline exists, `new` when only the candidate does; when a name
//!    filter limited the run, baselines outside it are left out),
//! 3. warns about baselines recorded on another machine, and
//! 4. derives the exit status ([`exit_status`]).
//!
//! A benchmark whose data cannot be compared (zero timings, a zero
//! baseline, ...) is an error naming it; the others are still judged and
//! reported, and the run ends with exit status 2.

use std::collections::BTreeMap;

use crate::baseline::store::BadFile;
use crate::baseline::{Baseline, Fingerprint};
use crate::compare::{compare_benchmark, Comparison, Input, Verdict};
use crate::config::{Config, MismatchPolicy};
use crate::sampler::canary::CANARY_ID;
use crate::sampler::BenchRecord;
use crate::Error;

/// One side of a benchmark as the gate sees it, wherever it came from: the
/// comparison's input plus the machine it was measured on.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    /// Samples, throughput and (for a candidate) every attempt.
    pub input: Input,
    /// Machine it was measured on, when known.
    pub fingerprint: Option<Fingerprint>,
}

impl Measured {
    /// A committed baseline.
    pub fn from_baseline(b: &Baseline) -> Measured {
        Measured {
            input: Input::from_baseline(b),
            fingerprint: Some(b.fingerprint.clone()),
        }
    }

    /// This run's record of a benchmark, measured on `machine`.
    pub fn from_record(r: &BenchRecord, machine: &Fingerprint) -> Measured {
        Measured {
            input: Input::from_record(r),
            fingerprint: Some(machine.clone()),
        }
    }
}

/// The outcome of judging a whole run.
#[derive(Debug, Default)]
pub struct Evaluation {
    /// One comparison per benchmark judged, sorted by id.
    pub comparisons: Vec<Comparison>,
    /// Benchmarks that could not be compared.
    pub errors: Vec<Error>,
    /// Warnings about the run as a whole (another machine, ...).
    pub warnings: Vec<String>,
    /// Whether a baseline from another machine fails the run.
    pub machine_mismatch_fails: bool,
    /// The machine canary's comparison with its baseline, when both exist.
    pub canary: Option<Comparison>,
}

/// A benchmark's two sides after renames.
#[derive(Debug, Clone)]
pub struct Pair {
    /// Benchmark id (the candidate's, after a rename).
    pub id: String,
    /// Baseline id when a rename paired a different one.
    pub renamed_from: Option<String>,
    /// The baseline side.
    pub baseline: Option<Measured>,
    /// The candidate side.
    pub candidate: Option<Measured>,
}

/// Pairs both sides by id after applying `config.renames`. With
/// `filtered`, baselines without a candidate are left out rather than
/// reported `missing`.
pub fn pair(
    config: &Config,
    mut baselines: BTreeMap<String, Measured>,
    mut candidates: BTreeMap<String, Measured>,
    filtered: bool,
) -> Vec<Pair> {
    let mut pairs = Vec::new();
    for (old, new) in &config.renames {
        // Only when the new id has no baseline of its own and the old id
        // did not run under its old name: otherwise the old baseline still
        // belongs to a benchmark of that name and must judge it.
        let renamable = !baselines.contains_key(new)
            && candidates.contains_key(new)
            && !candidates.contains_key(old);
        if !renamable {
            continue;
        }
        if let Some(baseline) = baselines.remove(old) {
            pairs.push(Pair {
                id: new.clone(),
                renamed_from: Some(old.clone()),
                baseline: Some(baseline),
                candidate: candidates.remove(new),
            });
        }
    }
    let mut ids: Vec<String> = candidates.keys().cloned().collect();
    if !filtered {
        ids.extend(baselines.keys().cloned());
    }
    ids.sort();
    ids.dedup();
    for id in ids {
        pairs.push(Pair {
            renamed_from: None,
            baseline: baselines.remove(&id),
            candidate: candidates.remove(&id),
            id,
        });
    }
    pairs.sort_by(|a, b| a.id.cmp(&b.id));
    pairs
}

/// The gate's view of loaded baselines.
pub fn measured_baselines(
    baselines: &BTreeMap<String, Baseline>,
) -> BTreeMap<String, Measured> {
    baselines
        .iter()
        .map(|(id, b)| (id.clone(), Measured::from_baseline(b)))
        .collect()
}

/// Turns baseline files that could not be loaded into errors, and takes
/// out of `candidates` each benchmark whose baseline file is among them:
/// judged without its baseline it would pass as `new`, hiding a
/// regression behind a damaged file. The errors keep the run's exit status
/// at 2 while every other benchmark is still judged and reported.
pub fn set_aside_bad_baselines(
    bad: Vec<BadFile>,
    candidates: &mut BTreeMap<String, Measured>,
) -> Vec<Error> {
    bad.into_iter()
        .map(|file| {
            let name = file.path.file_name().and_then(|n| n.to_str());
            let owner = candidates
                .keys()
                .find(|id| name == Some(crate::names::file_name(id, "json").as_str()))
                .cloned();
            if let Some(id) = owner {
                candidates.remove(&id);
            }
            file.error
        })
        .collect()
}

/// Warnings for entries of `[thresholds]` and `[renames]` that matched no
/// benchmark: a mistyped id silently gets the default threshold, and a
/// stale rename hides nothing but confuses. Skipped for a filtered run,
/// where most benchmarks did not run.
pub fn unused_config_warnings(
    config: &Config,
    pairs: &[Pair],
    filtered: bool,
) -> Vec<String> {
    if filtered {
        return Vec::new();
    }
    let visible = crate::report::escape::visible;
    let has_id = |id: &str| pairs.iter().any(|p| p.id == id);
    let thresholds = config
        .thresholds
        .keys()
        .filter(|id| !has_id(id) && id.as_str() != CANARY_ID);
    let mut warnings: Vec<String> = thresholds
        .map(|id| {
            format!(
                "[thresholds] \"{}\" matches no benchmark of this run; check the id \
                 (it is the id criterion shows, e.g. halo/large_dag)",
                visible(id)
            )
        })
        .collect();
    let used = |old: &str| pairs.iter().any(|p| p.renamed_from.as_deref() == Some(old));
    for (old, new) in config.renames.iter().filter(|(old, _)| !used(old)) {
        warnings.push(format!(
            "[renames] \"{}\" = \"{}\" paired nothing: there is no baseline of the \
             old id beside a run of the new one; remove the entry once the baseline \
             is saved under the new id",
            visible(old),
            visible(new)
        ));
    }
    warnings
}

/// Judges a run: takes the machine canary's pair out of `pairs` and judges
/// it apart, judges every other pair ([`evaluate`]), and applies the
/// canary's rule to each. Returns the evaluation and the canary's pair,
/// which confirmations measure again.
pub fn evaluate_run(
    config: &Config,
    pairs: &mut Vec<Pair>,
) -> (Evaluation, Option<Pair>) {
    let canary_pair = take_canary(pairs);
    let mut evaluation = evaluate(config, pairs);
    evaluation.canary =
        judge_canary(config, canary_pair.as_ref(), &mut evaluation.warnings);
    for c in &mut evaluation.comparisons {
        doubt_slow_machine(c, evaluation.canary.as_ref());
    }
    (evaluation, canary_pair)
}

/// Takes the machine canary's pair ([`CANARY_ID`]) out of `pairs`: it is
/// judged apart and never gated.
pub fn take_canary(pairs: &mut Vec<Pair>) -> Option<Pair> {
    let at = pairs.iter().position(|p| p.id == CANARY_ID)?;
    Some(pairs.remove(at))
}

/// The canary's comparison, when it has both sides and they can be
/// compared; otherwise a warning says why the machine's speed was not
/// checked (a canary that cannot be compared is no evidence either way).
pub fn judge_canary(
    config: &Config,
    pair: Option<&Pair>,
    warnings: &mut Vec<String>,
) -> Option<Comparison> {
    let pair = pair?;
    let unchecked = "the machine's speed was not checked against the baselines'";
    let problem = match (&pair.baseline, &pair.candidate) {
        (Some(_), Some(_)) => match judge_pair(config, pair) {
            Ok(c) => return Some(c),
            Err(e) => format!("could not be compared ({e})"),
        },
        (Some(_), None) => "has a baseline but was not measured in this run".to_owned(),
        (None, _) => "has no baseline; record the baselines again \
                      (scripts/update-baselines.sh)"
            .to_owned(),
    };
    let problem = problem.replace("\n  hint: ", "; ");
    warnings.push(format!(
        "the machine canary ({CANARY_ID}) {problem}: {unchecked}"
    ));
    None
}

/// Rule of the canary: a `regressed` benchmark while the canary ran
/// slower than its baseline by more than its threshold is `inconclusive`,
/// since the slowdown may be the machine's (a host-level slow period that
/// nothing inside the machine shows). A comparison already adjusted for
/// the machine's speed, read just before and after the benchmark itself,
/// is left alone: that reading is the closer one, and it is divided out.
pub fn doubt_slow_machine(c: &mut Comparison, canary: Option<&Comparison>) {
    if c.machine_change.is_some() {
        return;
    }
    let slower = canary.and_then(Comparison::clear_slowdown);
    let Some(slower) = slower else {
        return;
    };
    if c.verdict == Verdict::Regressed {
        c.verdict = Verdict::Inconclusive;
        c.notes.push(format!(
            "not judged regressed: the machine canary ({CANARY_ID}) ran {} slower \
             than when the baselines were recorded, so the slowdown may be the \
             machine's; measure again when the machine is back to its speed",
            crate::report::format::percent(Some(slower)).trim_start_matches('+')
        ));
    }
}

/// Judges one pair at its configured threshold.
pub fn judge_pair(config: &Config, pair: &Pair) -> Result<Comparison, Error> {
    let input = |side: &Option<Measured>| side.as_ref().map(|m| m.input.clone());
    let mut comparison = compare_benchmark(
        &pair.id,
        input(&pair.baseline),
        input(&pair.candidate),
        &config.compare_options(&pair.id),
    )?;
    comparison.renamed_from = pair.renamed_from.clone();
    Ok(comparison)
}

/// Judges every pair and checks the machines.
pub fn evaluate(config: &Config, pairs: &[Pair]) -> Evaluation {
    let mut evaluation = Evaluation::default();
    for pair in pairs {
        match judge_pair(config, pair) {
            Ok(c) => evaluation.comparisons.push(c),
            Err(e) => evaluation.errors.push(e),
        }
    }
    let mismatches = machine_mismatches(pairs);
    evaluation.machine_mismatch_fails =
        !mismatches.is_empty() && config.machine_mismatch == MismatchPolicy::Fail;
    evaluation.warnings.extend(mismatches);
    evaluation
}

/// One warning per distinct machine difference between the sides, naming
/// how many benchmarks it concerns.
fn machine_mismatches(pairs: &[Pair]) -> Vec<String> {
    let mut by_difference: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for pair in pairs {
        let fingerprints = (
            pair.baseline.as_ref().and_then(|b| b.fingerprint.as_ref()),
            pair.candidate.as_ref().and_then(|c| c.fingerprint.as_ref()),
        );
        let (Some(base), Some(cand)) = fingerprints else {
            continue;
        };
        // A fingerprint without a CPU model was written by hand or by a
        // tool that does not record one: nothing to compare.
        if base.cpu_model.is_empty()
            || cand.cpu_model.is_empty()
            || base.same_machine(cand)
        {
            continue;
        }
        let what = base.differences(cand).join("; ");
        by_difference
            .entry(what)
            .or_default()
            .push(pair.id.as_str());
    }
    by_difference
        .into_iter()
        .map(|(what, ids)| {
            format!(
                "baseline recorded on another machine ({what}) for {} benchmark(s): {}",
                ids.len(),
                ids.join(", ")
            )
        })
        .collect()
}

/// Turns the policies that end a run with status 2 without any bad input
/// (`strict` with `missing` or `new` benchmarks, a baseline from another
/// machine under `machine_mismatch = "fail"`) into errors, so the run says
/// why it failed and what to do instead of only printing status 2.
pub fn add_policy_errors(evaluation: &mut Evaluation, strict: bool) {
    let ids = |v: Verdict| -> Vec<String> {
        let with = evaluation.comparisons.iter().filter(|c| c.verdict == v);
        with.map(|c| crate::report::escape::visible(&c.id))
            .collect()
    };
    let (missing, new) = (ids(Verdict::Missing), ids(Verdict::New));
    if strict && !(missing.is_empty() && new.is_empty()) {
        let mut sides = Vec::new();
        if !missing.is_empty() {
            sides.push(format!(
                "missing (baseline, did not run): {}",
                missing.join(", ")
            ));
        }
        if !new.is_empty() {
            sides.push(format!("new (no baseline): {}", new.join(", ")));
        }
        evaluation.errors.push(Error::Usage {
            message: format!(
                "strict mode: benchmarks on one side only; {}",
                sides.join("; ")
            ),
            hint: "save baselines for new benchmarks with `perfgate baseline save`, \
                   delete the baselines of removed ones or pair a renamed one in \
                   [renames] of perfgate.toml, or run without --strict"
                .to_owned(),
        });
    }
    if evaluation.machine_mismatch_fails {
        evaluation.errors.push(Error::Usage {
            message: "machine_mismatch = \"fail\": baselines were recorded on another \
                      machine (see the warning above)"
                .to_owned(),
            hint: "record the baselines on this machine with \
                   scripts/update-baselines.sh, or set machine_mismatch = \"warn\""
                .to_owned(),
        });
    }
}

/// The run's exit status: 2 when a benchmark could not be compared, when
/// another machine's baseline fails by policy, or, with `strict`, when a
/// benchmark is `missing` or `new`; else 1 when one `regressed`; else 3
/// when one is `inconclusive`; else 0.
pub fn exit_status(evaluation: &Evaluation, strict: bool) -> i32 {
    let has = |v: Verdict| evaluation.comparisons.iter().any(|c| c.verdict == v);
    let unmatched = has(Verdict::Missing) || has(Verdict::New);
    if !evaluation.errors.is_empty()
        || evaluation.machine_mismatch_fails
        || (strict && unmatched)
    {
        2
    } else if has(Verdict::Regressed) {
        1
    } else if has(Verdict::Inconclusive) {
        3
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compare::{CompareOptions, Input};

    fn judged(base: f64, cand: f64, machine: Option<(f64, f64)>) -> Comparison {
        let noisy = |c: f64| {
            (0..30)
                .map(|i| c * (1.0 + 0.001 * f64::from(i % 7)))
                .collect()
        };
        let (b, k) = machine.map_or((None, None), |(b, k)| (Some(b), Some(k)));
        compare_benchmark(
            "halo/large_dag",
            Some(Input {
                machine_ns: b,
                ..Input::new(noisy(base))
            }),
            Some(Input {
                machine_ns: k,
                ..Input::new(noisy(cand))
            }),
            &CompareOptions::default(),
        )
        .unwrap()
    }

    #[test]
    fn the_run_canary_doubts_only_a_slowdown_not_adjusted_for_the_machine() {
        let canary = judged(100.0, 110.0, None);
        assert!(canary.clear_slowdown().is_some());

        let mut unadjusted = judged(100.0, 120.0, None);
        assert_eq!(unadjusted.verdict, Verdict::Regressed);
        doubt_slow_machine(&mut unadjusted, Some(&canary));
        assert_eq!(unadjusted.verdict, Verdict::Inconclusive);

        // 20% slower on a machine read 5% slower beside it: +14% adjusted.
        let mut adjusted = judged(100.0, 126.0, Some((50.0, 52.5)));
        assert_eq!(adjusted.verdict, Verdict::Regressed);
        doubt_slow_machine(&mut adjusted, Some(&canary));
        assert_eq!(adjusted.verdict, Verdict::Regressed, "{:?}", adjusted.notes);
    }
}
