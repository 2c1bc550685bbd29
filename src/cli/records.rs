//! Finding and reading the sampler's records of the last run.
//!
//! The sampler writes one [`BenchRecord`] per benchmark into the records
//! directory (file names from [`crate::names`]) and a run manifest,
//! `run.json`, next to that directory, listing the ids measured by the last
//! run. Records of ids the manifest does not list are left over from an
//! earlier run and are ignored, so a filtered run (`cargo bench --
//! large_dag`) is judged on what it measured.

use std::collections::BTreeMap;
use std::path::Path;

use crate::baseline::store::json_error_with;
use crate::sampler::record::RECORD_SCHEMA;
pub use crate::sampler::store::{
    manifest_path, records_dir as default_records_dir, RunManifest, MANIFEST_SCHEMA,
    RECORDS_DIR_ENV as RECORDS_ENV,
};
use crate::sampler::BenchRecord;
use crate::{files, names};
use crate::{Error, Result};

/// The last run: its manifest (if any) and the records it lists.
#[derive(Debug, Default)]
pub struct LastRun {
    /// The manifest; `None` when the sampler wrote none.
    pub manifest: Option<RunManifest>,
    /// Records by benchmark id.
    pub records: BTreeMap<String, BenchRecord>,
    /// Benchmarks the manifest lists whose record could not be read, with
    /// the error (it names the file and says what to do).
    pub bad: Vec<(String, Error)>,
}

/// Takes the records lock of `records_dir` ([`crate::lock`]) for
/// `purpose`, so no suite rewrites the records while they are read.
pub fn lock(records_dir: &Path, purpose: &str) -> Result<crate::lock::Lock> {
    crate::lock::acquire(&crate::lock::records_lock_path(records_dir), purpose)
}

/// Reads the last run from `records_dir`. Without a manifest every record
/// in the directory counts. A listed id without a record is an error.
pub fn load_last_run(records_dir: &Path) -> Result<LastRun> {
    let manifest_path = manifest_path(records_dir);
    let manifest = match read_text(&manifest_path) {
        Ok(text) => Some(parse_manifest(&manifest_path, &text)?),
        Err(Error::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            None
        }
        Err(e) => return Err(e),
    };
    // One damaged record does not hide the others: each is its own error.
    let mut bad = Vec::new();
    let records = match &manifest {
        Some(m) => m
            .ids
            .iter()
            .filter_map(|id| match load_record(records_dir, id) {
                Ok(record) => Some((id.clone(), record)),
                Err(e) => {
                    bad.push((id.clone(), e));
                    None
                }
            })
            .collect(),
        None => load_all_records(records_dir)?,
    };
    Ok(LastRun {
        manifest,
        records,
        bad,
    })
}

fn parse_manifest(path: &Path, text: &str) -> Result<RunManifest> {
    let manifest: RunManifest =
        serde_json::from_str(text).map_err(|e| json_error_with(path, &e, RERUN_HINT))?;
    if manifest.schema != MANIFEST_SCHEMA {
        return Err(Error::Schema {
            path: path.to_owned(),
            found: manifest.schema,
            supported: MANIFEST_SCHEMA.to_string(),
            hint: "run `cargo bench` again with this perfgate".to_owned(),
        });
    }
    if manifest.in_progress {
        return Err(Error::Parse {
            path: path.to_owned(),
            message: format!(
                "the benchmark run started at {} did not finish (it failed, or was \
                 interrupted or killed), so its records are incomplete",
                manifest.started_at
            ),
            hint: "run `cargo bench` again; nothing of the unfinished run is judged \
                   or saved"
                .to_owned(),
        });
    }
    Ok(manifest)
}

/// Reads `id`'s record, checking schema and stored id.
pub fn load_record(records_dir: &Path, id: &str) -> Result<BenchRecord> {
    let path = records_dir.join(names::file_name(id, "json"));
    let record = read_record(&path).map_err(|e| match e {
        Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            Error::benchmark(
                id,
                format!("the run lists it, but {} does not exist", path.display()),
                "run `cargo bench` again; the records directory was changed since",
            )
        }
        other => other,
    })?;
    if record.id != id {
        return Err(Error::Parse {
            path,
            message: format!("holds benchmark `{}`, not `{id}`", record.id),
            hint: "delete the records directory and run `cargo bench` again".to_owned(),
        });
    }
    Ok(record)
}

fn read_record(path: &Path) -> Result<BenchRecord> {
    let text = read_text(path)?;
    let record: BenchRecord =
        serde_json::from_str(&text).map_err(|e| json_error_with(path, &e, RERUN_HINT))?;
    files::check_sample_count(path, &record.id, record.samples.len())?;
    if record.schema != RECORD_SCHEMA {
        return Err(Error::Schema {
            path: path.to_owned(),
            found: record.schema,
            supported: RECORD_SCHEMA.to_string(),
            hint: "run `cargo bench` again with this perfgate".to_owned(),
        });
    }
    check_iterations(path, &record)?;
    check_neighbour_load(path, &record)?;
    check_machine_reading(path, &record)?;
    Ok(record)
}

/// Readings of the machine canary are positive times, as the sampler
/// writes them; anything else would adjust the comparison by nonsense.
fn check_machine_reading(path: &Path, record: &BenchRecord) -> Result<()> {
    let Some(m) = record.sampling.machine else {
        return Ok(());
    };
    let bad = [("before_ns", m.before_ns), ("after_ns", m.after_ns)]
        .into_iter()
        .find_map(|(name, ns)| Some((name, crate::sampler::implausible_reading(ns)?)));
    match bad {
        Some((name, problem)) => Err(Error::Parse {
            path: path.to_owned(),
            message: format!(
                "benchmark `{}`: machine reading {name} {problem}",
                record.id.escape_debug()
            ),
            hint: RERUN_HINT.to_owned(),
        }),
        None => Ok(()),
    }
}

/// The neighbour load is a share of the other CPUs: 0 to 1, as the
/// sampler writes it. Anything else was edited by hand and would void or
/// invent a verdict.
fn check_neighbour_load(path: &Path, record: &BenchRecord) -> Result<()> {
    match record.sampling.neighbour_load {
        Some(load) if !(0.0..=1.0).contains(&load) => Err(Error::Parse {
            path: path.to_owned(),
            message: format!(
                "benchmark `{}`: neighbour_load {load} is not a share between 0 and 1",
                record.id.escape_debug()
            ),
            hint: RERUN_HINT.to_owned(),
        }),
        _ => Ok(()),
    }
}

/// Every sample times at least one iteration: the sampler never writes 0,
/// and a per-iteration time of a batch of none would be its whole wall time.
fn check_iterations(path: &Path, record: &BenchRecord) -> Result<()> {
    match record.samples.iter().find(|s| s.iterations == 0) {
        None => Ok(()),
        Some(s) => Err(Error::Parse {
            path: path.to_owned(),
            message: format!(
                "benchmark `{}`: sample {} (attempt {}) times 0 iterations",
                record.id.escape_debug(),
                s.index,
                s.attempt
            ),
            hint: RERUN_HINT.to_owned(),
        }),
    }
}

/// What to do about a damaged record or manifest.
const RERUN_HINT: &str = "delete the records directory and run `cargo bench` again";

/// Reads one of the sampler's files within [`files::MAX_FILE_BYTES`].
fn read_text(path: &Path) -> Result<String> {
    files::read_text(path, RERUN_HINT)
}

/// Every record in the directory (none when it does not exist).
fn load_all_records(records_dir: &Path) -> Result<BTreeMap<String, BenchRecord>> {
    let entries = match std::fs::read_dir(records_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(Error::io(records_dir, "listing the directory", e)),
    };
    let mut records = BTreeMap::new();
    for entry in entries {
        let path = entry
            .map_err(|e| Error::io(records_dir, "listing the directory", e))?
            .path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(".json") && !name.starts_with('.') {
            let record = read_record(&path)?;
            records.insert(record.id.clone(), record);
        }
    }
    Ok(records)
}
