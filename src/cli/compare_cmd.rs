//! `perfgate compare BASELINE CANDIDATE`: judges two saved results against
//! each other without running anything. Each side is a baselines directory
//! or a `results.json` written by an earlier run (its candidate sides).

use std::collections::BTreeMap;
use std::path::Path;

use crate::baseline;
use crate::baseline::store::{json_error_with, BadFile};
use crate::baseline::Throughput;
use crate::compare::{Comparison, Input, RunResults};
use crate::config::Config;
use crate::{Error, Result};

use super::evaluate::{self, Measured};
use super::output;

/// Compares `baseline` with `candidate`, prints the table (or the whole
/// results as JSON) to stdout and returns the exit status.
pub fn run(
    config: &Config,
    baseline: &Path,
    candidate: &Path,
    json: bool,
    strict: bool,
    color: bool,
) -> Result<i32> {
    let (mut baselines, bad_baselines) = load_side_each(baseline)?;
    let (mut candidates, bad_candidates) = load_side_each(candidate)?;
    // A damaged file on either side takes its benchmark out of the
    // comparison, as an error, rather than leaving it `new` or `missing`.
    let mut errors = evaluate::set_aside_bad_baselines(bad_baselines, &mut candidates);
    errors.extend(evaluate::set_aside_bad_baselines(
        bad_candidates,
        &mut baselines,
    ));
    let machine = first_machine(&candidates).unwrap_or_default();
    let mut pairs = evaluate::pair(config, baselines, candidates, false);
    let (mut evaluation, _) = evaluate::evaluate_run(config, &mut pairs);
    evaluation.errors.extend(errors);
    let unused = evaluate::unused_config_warnings(config, &pairs, false);
    evaluation.warnings.extend(unused);
    let strict = strict || config.strict;
    evaluate::add_policy_errors(&mut evaluation, strict);
    let status = evaluate::exit_status(&evaluation, strict);
    let results = output::run_results(config, &evaluation, machine, status);
    if json {
        let text = serde_json::to_string_pretty(&results).map_err(|e| Error::Usage {
            message: format!("cannot encode the results: {e}"),
            hint: "report this as a bug".to_owned(),
        })?;
        output::write_stdout(&format!("{text}\n"))?;
        output::print_warnings(&evaluation.warnings);
        for e in &evaluation.errors {
            super::print_error(&anyhow::Error::msg(e.to_string()));
        }
    } else {
        super::check::finish(&evaluation, &results, color);
    }
    Ok(status)
}

fn first_machine(sides: &BTreeMap<String, Measured>) -> Option<baseline::Fingerprint> {
    sides.values().find_map(|m| m.fingerprint.clone())
}

/// What to pass when a side is neither a baselines directory nor a
/// results.json.
const RESULTS_HINT: &str =
    "pass a baselines directory or a results.json written by perfgate";

/// One side of the comparison, by benchmark id, and the baseline files of
/// that side that could not be loaded.
pub fn load_side(path: &Path) -> Result<BTreeMap<String, Measured>> {
    let (side, bad) = load_side_each(path)?;
    match bad.into_iter().next() {
        Some(file) => Err(file.error),
        None => Ok(side),
    }
}

/// [`load_side`], keeping going past bad baseline files of a directory.
fn load_side_each(path: &Path) -> Result<(BTreeMap<String, Measured>, Vec<BadFile>)> {
    if path.is_dir() {
        // A directory perfgate has saved into holds its lock file: taking
        // it keeps a concurrent `baseline save` from showing this side some
        // old and some new files. A directory without one (written by hand,
        // a test fixture) has no perfgate writer to wait for, and a
        // comparison must not leave a lock file in it.
        let lock_path = crate::lock::dir_lock_path(path);
        let _lock = match lock_path.is_file() {
            true => Some(crate::lock::acquire(&lock_path, "perfgate compare")?),
            false => None,
        };
        let loaded = baseline::store::load_dir_each(path)?;
        return Ok((evaluate::measured_baselines(&loaded.baselines), loaded.bad));
    }
    let results = load_results(path)?;
    // The canary is kept apart in a results file; it joins its side again
    // so the comparison reads the machine's speed as the run did.
    let canary = results.machine_canary.iter();
    let side = results
        .comparisons
        .iter()
        .chain(canary)
        .filter_map(|c| {
            let side = c.candidate.as_ref()?;
            let input = Input {
                neighbour_load: c.neighbour_load,
                machine_ns: side.machine_ns,
                ..Input::new(per_iteration(c)?).with_throughput(side.throughput)
            };
            let measured = Measured {
                input,
                fingerprint: Some(results.machine.clone()),
            };
            Some((c.id.clone(), measured))
        })
        .collect();
    Ok((side, Vec::new()))
}

/// The candidate's samples per iteration. A comparison stores them per
/// element when both sides declared a throughput of the same kind.
fn per_iteration(c: &Comparison) -> Option<Vec<f64>> {
    let side = c.candidate.as_ref()?;
    let throughputs = (
        c.baseline.as_ref().and_then(|b| b.throughput),
        side.throughput,
    );
    let per_unit = match throughputs {
        (Some(Throughput::Elements(_)), Some(Throughput::Elements(n)))
        | (Some(Throughput::Bytes(_)), Some(Throughput::Bytes(n))) => n.max(1) as f64,
        _ => 1.0,
    };
    Some(side.samples.iter().map(|x| x * per_unit).collect())
}

/// The error for a file that is not a `results.json`. One baseline file is
/// the likely mistake (a side names a file, not its directory), so that
/// case says which directory to pass instead.
fn results_error(path: &Path, text: &str, e: &serde_json::Error) -> Error {
    let one_baseline = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .filter(|v| v.get("id").is_some() && v.get("samples").is_some());
    let mut err = json_error_with(path, e, RESULTS_HINT);
    if let Error::Parse { message, hint, .. } = &mut err {
        if let Some(v) = one_baseline {
            let dir = path.parent().unwrap_or(Path::new("."));
            *message = format!(
                "holds the baseline of one benchmark ({}), not a results.json",
                v["id"]
            );
            *hint = format!("pass the baselines directory {} instead", dir.display());
        }
    }
    err
}

/// Rejects a `results.json` of another schema version before its fields
/// are read, so a file from a newer perfgate names its version instead of
/// being judged (or failing on a field) as if it were this one's.
fn check_results_schema(path: &Path, text: &str) -> Result<()> {
    #[derive(serde::Deserialize)]
    struct Probe {
        schema: u32,
    }
    let Ok(probe) = serde_json::from_str::<Probe>(text) else {
        return Ok(()); // the full parse reports what is wrong
    };
    if probe.schema == output::RESULTS_SCHEMA {
        return Ok(());
    }
    Err(Error::Schema {
        path: path.to_owned(),
        found: probe.schema,
        supported: output::RESULTS_SCHEMA.to_string(),
        hint: "re-run the comparison with this perfgate, or read the file with \
               the perfgate version that wrote it"
            .to_owned(),
    })
}

/// Reads a `results.json`.
pub fn load_results(path: &Path) -> Result<RunResults> {
    let text = crate::files::read_text(path, RESULTS_HINT)?;
    if text.trim().is_empty() {
        return Err(Error::Parse {
            path: path.to_owned(),
            message: "the file is empty".to_owned(),
            hint: RESULTS_HINT.to_owned(),
        });
    }
    check_results_schema(path, &text)?;
    let results: RunResults =
        serde_json::from_str(&text).map_err(|e| results_error(path, &text, &e))?;
    if results.comparisons.len() > crate::files::MAX_BENCHMARKS {
        return Err(Error::Parse {
            path: path.to_owned(),
            message: format!(
                "{} benchmarks, above the limit of {}",
                results.comparisons.len(),
                crate::files::MAX_BENCHMARKS
            ),
            hint: RESULTS_HINT.to_owned(),
        });
    }
    for c in &results.comparisons {
        for side in [&c.baseline, &c.candidate].into_iter().flatten() {
            crate::files::check_sample_count(path, &c.id, side.samples.len())?;
        }
    }
    Ok(results)
}
