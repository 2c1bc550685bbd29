//! `perfgate baseline save [IDS...]`: the last run's records become the
//! committed baselines.
//!
//! Every selected record is turned into a baseline and checked before the
//! first file is written, so a bad record (zero timings, no clean samples)
//! stops the save with nothing changed. The files are then written
//! together ([`crate::baseline::store::save_all`]): all or, on a failure,
//! none, and the `saved ...` lines are printed only once all are in place.

use std::path::{Path, PathBuf};

use crate::baseline::provenance::{git_commit, now_rfc3339};
use crate::baseline::{self, Baseline, Fingerprint};
use crate::config::Config;
use crate::sampler::BenchRecord;
use crate::{Error, Result};

use super::records;

/// Saves the records of `ids` (all of the last run when empty) from
/// `records_dir` into `baselines_dir`. Returns the paths written.
pub fn save_selected(
    records_dir: &Path,
    baselines_dir: &Path,
    ids: &[String],
    config: &Config,
) -> Result<Vec<PathBuf>> {
    let _records_lock = records::lock(records_dir, "perfgate baseline save")?;
    let mut last = records::load_last_run(records_dir)?;
    // A save with any bad record writes nothing.
    if let Some((_, e)) = last.bad.drain(..).next() {
        return Err(e);
    }
    if last.records.is_empty() {
        return Err(Error::Usage {
            message: format!("no benchmark records in {}", records_dir.display()),
            hint: "run `cargo bench` first".to_owned(),
        });
    }
    let mut selected = Vec::new();
    for id in ids {
        let record = last.records.get(id).ok_or_else(|| Error::Usage {
            message: format!(
                "benchmark `{}` was not measured by the last run",
                crate::report::escape::visible(id)
            ),
            hint: format!(
                "measured: {}",
                last.records
                    .keys()
                    .map(|id| crate::report::escape::visible(id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?;
        selected.push(record);
    }
    if ids.is_empty() {
        selected.extend(last.records.values());
    }
    save_records(baselines_dir, selected, &bench_fingerprint(&last), config)
}

/// The machine and build profile the last run was measured with: the run
/// manifest's, else (a manifest from before it recorded one) this
/// process's.
pub fn bench_fingerprint(last: &records::LastRun) -> Fingerprint {
    last.manifest
        .as_ref()
        .and_then(|m| m.fingerprint.clone())
        .unwrap_or_else(Fingerprint::current)
}

/// Takes the baselines lock of `dir` ([`crate::lock`]) for `purpose`, and
/// removes the temporary files a killed save left there.
pub fn lock_baselines(dir: &Path, purpose: &str) -> Result<crate::lock::Lock> {
    let lock = crate::lock::acquire(&crate::lock::dir_lock_path(dir), purpose)?;
    baseline::store::remove_stale_temporaries(dir);
    Ok(lock)
}

/// Turns every record into a baseline stamped with `machine`, and only
/// when all are valid, writes them under the baselines lock. Once all are
/// written, prints one line per file to stdout, and a warning for each baseline with fewer
/// clean samples than a comparison at `config` needs: it is saved (it is
/// what the machine gave), but every comparison with it will be
/// `inconclusive` until it is recorded again.
pub fn save_records<'a>(
    baselines_dir: &Path,
    records: impl IntoIterator<Item = &'a BenchRecord>,
    machine: &Fingerprint,
    config: &Config,
) -> Result<Vec<PathBuf>> {
    let commit = git_commit();
    let date = now_rfc3339();
    let baselines = records
        .into_iter()
        .map(|r| Baseline::from_record(r, machine.clone(), commit.clone(), date.clone()))
        .collect::<Result<Vec<_>>>()?;
    let _lock = lock_baselines(baselines_dir, "perfgate baseline save")?;
    let written = baseline::store::save_all(baselines_dir, &baselines)?;
    for (b, path) in baselines.iter().zip(&written) {
        super::output::print_stdout(&format!(
            "saved {} ({}) -> {}\n",
            crate::report::escape::visible(&b.id),
            count(b.samples.len(), "sample"),
            path.display()
        ));
        let needed = config.compare_options(&b.id).min_samples;
        if b.samples.len() < needed {
            super::output::print_warnings(&[format!(
                "baseline of {} has {}, fewer than the {needed} a \
                 comparison needs: every comparison with it will be inconclusive; \
                 record it again on a quieter machine (or give the benchmark more \
                 samples)",
                crate::report::escape::visible(&b.id),
                count(b.samples.len(), "clean sample")
            )]);
        }
    }
    Ok(written)
}

/// `n` and `noun`, plural unless `n` is 1: "1 sample", "20 samples".
fn count(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ => format!("{n} {noun}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::count;

    #[test]
    fn one_sample_is_counted_in_the_singular_and_others_in_the_plural() {
        assert_eq!(count(1, "sample"), "1 sample");
        assert_eq!(count(0, "sample"), "0 samples");
        assert_eq!(count(20, "clean sample"), "20 clean samples");
    }
}
