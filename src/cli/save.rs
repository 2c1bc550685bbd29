//! `perfgate baseline save [IDS...]`: the last run's records become the
//! committed baselines.
//!
//! Every selected record is turned into a baseline and checked before the
//! first file is written, so a bad record (zero timings, no clean samples)
//! stops the save with nothing changed. Each file is then replaced
//! atomically ([`crate::baseline::store`]).

use std::path::{Path, PathBuf};

use crate::baseline::provenance::{git_commit, now_rfc3339};
use crate::baseline::{self, Baseline, Fingerprint};
use crate::sampler::BenchRecord;
use crate::{Error, Result};

use super::records;

/// Saves the records of `ids` (all of the last run when empty) from
/// `records_dir` into `baselines_dir`. Returns the paths written.
pub fn save_selected(
    records_dir: &Path,
    baselines_dir: &Path,
    ids: &[String],
) -> Result<Vec<PathBuf>> {
    let last = records::load_last_run(records_dir)?;
    if last.records.is_empty() {
        return Err(Error::Usage {
            message: format!("no benchmark records in {}", records_dir.display()),
            hint: "run `cargo bench` first".to_owned(),
        });
    }
    let mut selected = Vec::new();
    for id in ids {
        let record = last.records.get(id).ok_or_else(|| Error::Usage {
            message: format!("benchmark `{id}` was not measured by the last run"),
            hint: format!(
                "measured: {}",
                last.records.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        })?;
        selected.push(record);
    }
    if ids.is_empty() {
        selected.extend(last.records.values());
    }
    save_records(baselines_dir, selected)
}

/// Turns every record into a baseline, and only when all are valid,
/// writes them. Prints one line per file to stdout.
pub fn save_records<'a>(
    baselines_dir: &Path,
    records: impl IntoIterator<Item = &'a BenchRecord>,
) -> Result<Vec<PathBuf>> {
    // TODO(#7): `perfgate baseline save` stamps the profile of the perfgate
    // binary (debug under `cargo run`), not the bench's; fixed once the
    // run manifest records the bench's fingerprint.
    let machine = Fingerprint::current();
    let commit = git_commit();
    let date = now_rfc3339();
    let baselines = records
        .into_iter()
        .map(|r| Baseline::from_record(r, machine.clone(), commit.clone(), date.clone()))
        .collect::<Result<Vec<_>>>()?;
    let mut written = Vec::new();
    for b in &baselines {
        let path = baseline::save(baselines_dir, b)?;
        println!(
            "saved {} ({} samples) -> {}",
            b.id.escape_debug(),
            b.samples.len(),
            path.display()
        );
        written.push(path);
    }
    Ok(written)
}
