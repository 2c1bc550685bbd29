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
    let level = run_machine_level(last.records.values());
    save_records(
        baselines_dir,
        selected,
        &bench_fingerprint(&last),
        level,
        config,
    )
}

/// Fewest machine readings in a run for their median to stand for the
/// run's machine speed.
pub const MIN_RUN_READINGS: usize = 3;

/// The machine's speed over a whole recording run: the median of the
/// readings beside its benchmarks ([`crate::sampler::MachineReading::ns`]),
/// when at least [`MIN_RUN_READINGS`] benchmarks have one.
///
/// A baseline keeps this level rather than its own reading: the baseline
/// is the reference of every later comparison, so an error in its one
/// reading would bias all of them until it is recorded again. In one
/// recording run on these machines, the nine readings spread over 4.9%
/// while the canary's own samples had a MAD of 0.7%.
pub fn run_machine_level<'a>(
    records: impl IntoIterator<Item = &'a BenchRecord>,
) -> Option<f64> {
    let readings: Vec<f64> = records
        .into_iter()
        .filter_map(|r| r.sampling.machine.map(|m| m.ns()))
        .collect();
    if readings.len() < MIN_RUN_READINGS {
        return None;
    }
    crate::stats::median(&readings)
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

/// Turns every record into a baseline stamped with `machine` (and, when
/// `machine_level` is known, with it as the machine's speed of every
/// baseline that read one: see [`run_machine_level`]), and only when all
/// are valid, writes them under the baselines lock. Once all are
/// written, prints one line per file to stdout, and a warning for each baseline with fewer
/// clean samples than a comparison at `config` needs: it is saved (it is
/// what the machine gave), but every comparison with it will be
/// `inconclusive` until it is recorded again.
pub fn save_records<'a>(
    baselines_dir: &Path,
    records: impl IntoIterator<Item = &'a BenchRecord>,
    machine: &Fingerprint,
    machine_level: Option<f64>,
    config: &Config,
) -> Result<Vec<PathBuf>> {
    let commit = git_commit();
    let date = now_rfc3339();
    let mut baselines = records
        .into_iter()
        .map(|r| Baseline::from_record(r, machine.clone(), commit.clone(), date.clone()))
        .collect::<Result<Vec<_>>>()?;
    if let Some(level) = machine_level {
        for b in baselines.iter_mut().filter(|b| b.machine_ns.is_some()) {
            b.machine_ns = Some(level);
        }
    }
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
    use super::{count, run_machine_level};
    use crate::sampler::{BenchRecord, MachineReading, SamplingInfo, RECORD_SCHEMA};

    fn read(before_ns: f64, after_ns: f64) -> BenchRecord {
        BenchRecord {
            schema: RECORD_SCHEMA,
            id: "b".into(),
            throughput: None,
            samples: Vec::new(),
            warnings: Vec::new(),
            finished_at: String::new(),
            sampling: SamplingInfo {
                machine: Some(MachineReading {
                    before_ns,
                    after_ns,
                }),
                ..SamplingInfo::default()
            },
        }
    }

    #[test]
    fn a_run_s_machine_level_is_the_median_of_its_faster_readings() {
        let unread = BenchRecord {
            sampling: SamplingInfo::default(),
            ..read(1.0, 1.0)
        };
        let run = [
            read(100.0, 120.0),
            read(130.0, 108.0),
            read(104.0, 104.0),
            unread,
        ];
        assert_eq!(run_machine_level(&run), Some(104.0));
        // Two readings are too few to stand for the run.
        assert_eq!(run_machine_level(&run[..2]), None);
    }

    #[test]
    fn one_sample_is_counted_in_the_singular_and_others_in_the_plural() {
        assert_eq!(count(1, "sample"), "1 sample");
        assert_eq!(count(0, "sample"), "0 samples");
        assert_eq!(count(20, "clean sample"), "20 clean samples");
    }
}
