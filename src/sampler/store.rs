//! Where records go: one JSON file per benchmark id in the records
//! directory, plus a run manifest (`run.json`) in its parent listing what
//! this run measured. Every write is atomic: a temporary file in the same
//! directory, then a rename, so an interrupted run never leaves half a
//! file.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::record::BenchRecord;
use crate::{names, Error, Result};

/// Environment variable naming the records directory.
pub const RECORDS_DIR_ENV: &str = "PERFGATE_RECORDS_DIR";

/// File name of the run manifest, in the records directory's parent.
pub const MANIFEST_FILE: &str = "run.json";

/// Version of the manifest format.
pub const MANIFEST_SCHEMA: u32 = 1;

/// The records directory: `$PERFGATE_RECORDS_DIR`, else
/// `$CARGO_TARGET_DIR/perfgate/records`, else `./target/perfgate/records`
/// (`cargo bench` runs benchmarks from the package root).
pub fn records_dir() -> PathBuf {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(dir) = var(RECORDS_DIR_ENV) {
        return PathBuf::from(dir);
    }
    let target =
        var("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    target.join("perfgate").join("records")
}

/// The manifest's path for a records directory.
pub fn manifest_path(records_dir: &Path) -> PathBuf {
    match records_dir.parent() {
        Some(parent) => parent.join(MANIFEST_FILE),
        None => PathBuf::from(MANIFEST_FILE),
    }
}

/// What one suite run measured, so the gate compares only that.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunManifest {
    /// Manifest format version ([`MANIFEST_SCHEMA`]).
    pub schema: u32,
    /// When the run started (RFC 3339, UTC).
    pub started_at: String,
    /// When the run finished (RFC 3339, UTC).
    pub finished_at: String,
    /// Ids measured by this run, in the order measured.
    pub ids: Vec<String>,
    /// Ids the suite declared.
    pub declared: Vec<String>,
    /// True when some declared benchmarks did not run (a name filter such
    /// as `cargo bench -- large_dag`).
    pub filtered: bool,
    /// True from the run's start until it has written every record: a
    /// manifest still in progress after the run is over means the run was
    /// interrupted or killed, and its records are not judged.
    #[serde(default)]
    pub in_progress: bool,
    /// The machine and build profile of the benchmarks (the bench binary's,
    /// not the `perfgate` binary's), stamped into saved baselines.
    #[serde(default)]
    pub fingerprint: Option<crate::baseline::Fingerprint>,
}

/// Writes `record` atomically to `dir` under its id's file name.
pub fn write_record(dir: &Path, record: &BenchRecord) -> Result<PathBuf> {
    let path = dir.join(names::file_name(&record.id, "json"));
    write_json_atomically(&path, record)?;
    Ok(path)
}

/// Writes `manifest` atomically next to the records directory.
pub fn write_manifest(records_dir: &Path, manifest: &RunManifest) -> Result<PathBuf> {
    let path = manifest_path(records_dir);
    write_json_atomically(&path, manifest)?;
    Ok(path)
}

fn write_json_atomically(path: &Path, value: &impl Serialize) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "creating directory", e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| Error::io(dir, "creating a temporary file", e))?;
    // Serialising records and manifests cannot fail: plain data, string keys.
    let json = serde_json::to_vec_pretty(value).map_err(|e| Error::Parse {
        path: path.to_owned(),
        message: format!("cannot serialise: {e}"),
        hint: "report this as a perfgate bug".to_owned(),
    })?;
    tmp.write_all(&json)
        .and_then(|()| tmp.write_all(b"\n"))
        .map_err(|e| Error::io(tmp.path(), "writing", e))?;
    tmp.persist(path)
        .map_err(|e| Error::io(path, "renaming into place", e.error))?;
    Ok(())
}
