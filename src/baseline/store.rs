//! Loading and saving baseline files.
//!
//! One file per benchmark, `baselines/<names::file_name(id, "json")>`,
//! pretty-printed so a change reads well in a diff.
//!
//! Saving is atomic: the JSON goes to a temporary file in the same
//! directory, is flushed to disk (`fsync`), then renamed over the old file,
//! and the directory is synced so the rename itself survives a crash. A
//! save that fails or is interrupted at any point leaves the previous
//! baseline intact; a leftover temporary file (`.perfgate-*.tmp`) is
//! ignored by loaders.
//!
//! Loading trusts nothing: an empty, truncated or corrupt file is an error
//! naming the file and the line and column, a future schema names the
//! version found and the versions supported, a stored id that differs from
//! the requested one (a hand-copied file, a name collision) is an error,
//! and timings that are not positive finite numbers name the benchmark.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Baseline, Fingerprint, Summary, BASELINE_SCHEMA};
use crate::names;
use crate::sampler::{BenchRecord, SampleStatus};
use crate::{Error, Result};

/// The only unit baselines store.
pub const UNIT: &str = "ns_per_iteration";

/// Prefix of temporary files written during a save.
const TEMP_PREFIX: &str = ".perfgate-";

const RESTORE_HINT: &str = "restore the file from version control (`git checkout -- \
     baselines/`) or record it again with `perfgate baseline save`";

/// The path of `id`'s baseline in `dir`.
pub fn path_for(dir: &Path, id: &str) -> PathBuf {
    dir.join(names::file_name(id, "json"))
}

/// Loads the baseline of `id` from `dir`; `Ok(None)` when it has none.
pub fn load(dir: &Path, id: &str) -> Result<Option<Baseline>> {
    let path = path_for(dir, id);
    if !path.exists() {
        return Ok(None);
    }
    let baseline = load_file(&path)?;
    if baseline.id != id {
        return Err(Error::Parse {
            path,
            message: format!(
                "holds benchmark `{}`, but benchmark `{id}` was requested",
                baseline.id
            ),
            hint: "the file was copied or renamed by hand; delete it and run \
                   `perfgate baseline save`"
                .to_owned(),
        });
    }
    Ok(Some(baseline))
}

/// Loads every baseline in `dir`, keyed by benchmark id. A directory that
/// does not exist holds no baselines. Each file must sit under the name
/// its stored id maps to, so two files can never claim one benchmark.
pub fn load_dir(dir: &Path) -> Result<BTreeMap<String, Baseline>> {
    let loaded = load_dir_each(dir)?;
    match loaded.bad.into_iter().next() {
        Some(bad) => Err(bad.error),
        None => Ok(loaded.baselines),
    }
}

/// A baselines directory read file by file: the good baselines, and each
/// bad file with its error.
#[derive(Debug, Default)]
pub struct LoadedDir {
    /// Every baseline that loaded, keyed by benchmark id.
    pub baselines: BTreeMap<String, Baseline>,
    /// Every file that did not, in file-name order.
    pub bad: Vec<BadFile>,
}

/// A baseline file that could not be loaded.
#[derive(Debug)]
pub struct BadFile {
    /// The file.
    pub path: PathBuf,
    /// Why it could not be loaded (names the file, says what to do).
    pub error: Error,
}

/// Loads every baseline in `dir` like [`load_dir`], but a bad file does not
/// stop the others: the gate still judges every benchmark whose baseline
/// is sound and reports the bad files as errors. Only a directory that
/// cannot be listed is an error here.
pub fn load_dir_each(dir: &Path) -> Result<LoadedDir> {
    let mut loaded = LoadedDir::default();
    for path in json_files(dir)? {
        match load_named(&path) {
            Ok(baseline) => {
                loaded.baselines.insert(baseline.id.clone(), baseline);
            }
            Err(error) => loaded.bad.push(BadFile { path, error }),
        }
    }
    Ok(loaded)
}

/// Loads one baseline file and checks that it sits under the name its
/// stored id maps to.
fn load_named(path: &Path) -> Result<Baseline> {
    let baseline = load_file(path)?;
    let expected = names::file_name(&baseline.id, "json");
    if path.file_name().and_then(|n| n.to_str()) != Some(expected.as_str()) {
        return Err(Error::Parse {
            message: format!(
                "holds benchmark `{}`, whose baseline file is named `{expected}`",
                crate::report::escape::visible(&baseline.id)
            ),
            path: path.to_owned(),
            hint: "the file was copied or renamed by hand; delete it and run \
                   `perfgate baseline save`"
                .to_owned(),
        });
    }
    Ok(baseline)
}

/// The `*.json` files directly in `dir`, sorted; none if `dir` is absent.
fn json_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(dir, "listing the directory", e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| Error::io(dir, "listing the directory", e))?
            .path();
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if !hidden && path.extension().is_some_and(|e| e == "json") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Reads and checks one baseline file. The returned baseline always has a
/// summary: recomputed from the samples when the file has none.
pub fn load_file(path: &Path) -> Result<Baseline> {
    let text = crate::files::read_text(path, RESTORE_HINT)?;
    if text.trim().is_empty() {
        return Err(Error::Parse {
            path: path.to_owned(),
            message: "the file is empty; it holds no baseline".to_owned(),
            hint: RESTORE_HINT.to_owned(),
        });
    }
    check_schema(path, &text)?;
    let mut baseline: Baseline =
        serde_json::from_str(&text).map_err(|e| json_error(path, &e))?;
    baseline.check(path)?;
    if baseline
        .summary
        .as_ref()
        .is_none_or(|s| s.n != baseline.samples.len())
    {
        log::info!("{}: summary recomputed from the samples", path.display());
        baseline.summary = Summary::of(&baseline.samples);
    }
    Ok(baseline)
}

/// Reads only the schema version, so a future file reports its version
/// rather than whichever field it renamed.
fn check_schema(path: &Path, text: &str) -> Result<()> {
    #[derive(Deserialize)]
    struct Probe {
        schema: u32,
    }
    let probe: Probe = serde_json::from_str(text).map_err(|e| json_error(path, &e))?;
    if probe.schema == 0 || probe.schema > BASELINE_SCHEMA {
        return Err(Error::Schema {
            path: path.to_owned(),
            found: probe.schema,
            supported: format!("1 to {BASELINE_SCHEMA}"),
            hint: "upgrade perfgate, or record the baseline again with this \
                   version (`perfgate baseline save`)"
                .to_owned(),
        });
    }
    Ok(())
}

/// A baseline's JSON error as a [`Error::Parse`] with `line L, column C`
/// and what kind of damage it is.
pub(crate) fn json_error(path: &Path, e: &serde_json::Error) -> Error {
    json_error_with(path, e, RESTORE_HINT)
}

/// [`json_error`] for another kind of file, with its own `hint`.
pub(crate) fn json_error_with(path: &Path, e: &serde_json::Error, hint: &str) -> Error {
    let kind = match e.classify() {
        serde_json::error::Category::Eof => "the file is truncated",
        serde_json::error::Category::Syntax => "the file is not valid JSON",
        serde_json::error::Category::Data => "unexpected content",
        serde_json::error::Category::Io => "read error",
    };
    let detail = e.to_string();
    let detail = detail.split(" at line ").next().unwrap_or(&detail);
    let detail = crate::files::clip_lines(detail);
    Error::Parse {
        path: path.to_owned(),
        message: format!("line {}, column {}: {kind}: {detail}", e.line(), e.column()),
        hint: hint.to_owned(),
    }
}

impl Baseline {
    /// Checks unit and timings: a non-empty set of positive finite
    /// samples, at most [`crate::files::MAX_SAMPLES`] of them, so a save
    /// never writes a baseline that cannot be loaded again.
    fn check(&self, path: &Path) -> Result<()> {
        crate::files::check_sample_count(path, &self.id, self.samples.len())?;
        if self.unit != UNIT {
            return Err(Error::Parse {
                path: path.to_owned(),
                message: format!(
                    "unit `{}` is not supported (expected `{UNIT}`)",
                    self.unit
                ),
                hint: RESTORE_HINT.to_owned(),
            });
        }
        let source = path.display().to_string();
        check_timings(&self.id, &self.samples, &source, BASELINE_REMEDY)
    }

    /// A baseline from a benchmark's record: its clean samples, the most
    /// common iteration count, its throughput, and where and when.
    pub fn from_record(
        record: &BenchRecord,
        fingerprint: Fingerprint,
        git_commit: Option<String>,
        date: String,
    ) -> Result<Baseline> {
        let samples = record.clean_per_iteration();
        check_timings(&record.id, &samples, "this run's record", RECORD_REMEDY)?;
        Ok(Baseline {
            schema: BASELINE_SCHEMA,
            id: record.id.clone(),
            unit: UNIT.to_owned(),
            summary: Summary::of(&samples),
            samples,
            iterations: most_common_iterations(record),
            throughput: record.throughput,
            fingerprint,
            git_commit,
            date,
            perfgate_version: env!("CARGO_PKG_VERSION").to_owned(),
        })
    }
}

/// What to do about bad timings in a committed baseline file.
const BASELINE_REMEDY: &str = "the baseline file is damaged or was edited by hand: \
     restore it with `git checkout -- <file>`, or run the benchmark and \
     re-record it with `perfgate baseline save`";

/// What to do about bad timings in this run's record.
const RECORD_REMEDY: &str = "check that the routine really runs (a timing of 0 \
     means the work was optimised away), then measure again";

/// Errors unless `samples` is a non-empty set of positive finite timings;
/// `remedy` says what to do about bad ones where they come from.
pub(crate) fn check_timings(
    id: &str,
    samples: &[f64],
    source: &str,
    remedy: &str,
) -> Result<()> {
    if samples.is_empty() {
        return Err(Error::benchmark(
            id,
            format!("{source} has no clean samples"),
            "run the benchmark again; if every sample is contended, see the \
             sampler's warnings",
        ));
    }
    if let Some(bad) = samples.iter().find(|x| !x.is_finite() || **x <= 0.0) {
        return Err(Error::benchmark(
            id,
            format!("{source} has zero, negative or non-finite timings (e.g. {bad})"),
            remedy,
        ));
    }
    Ok(())
}

fn most_common_iterations(record: &BenchRecord) -> u64 {
    let mut counts: BTreeMap<u64, usize> = BTreeMap::new();
    for s in record
        .samples
        .iter()
        .filter(|s| s.status == SampleStatus::Clean)
    {
        *counts.entry(s.iterations).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|&(iterations, count)| (count, iterations))
        .map_or(0, |(iterations, _)| iterations)
}

/// Saves `baseline` into `dir` (created if needed), atomically. Returns
/// the path written.
pub fn save(dir: &Path, baseline: &Baseline) -> Result<PathBuf> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(dir, "creating the directory", e))?;
    let path = path_for(dir, &baseline.id);
    baseline.check(&path)?;
    let mut json = serde_json::to_string_pretty(baseline).map_err(|e| Error::Parse {
        path: path.clone(),
        message: format!("cannot encode the baseline: {e}"),
        hint: "report this as a bug".to_owned(),
    })?;
    json.push('\n');
    write_atomic(&path, |file| file.write_all(json.as_bytes()))?;
    Ok(path)
}

/// Writes `path` through `fill` on a temporary file in the same directory,
/// syncs it, and renames it over `path`. If `fill` fails, the temporary
/// file is removed and `path` is untouched. The file keeps the permissions
/// of the one it replaces; a new one gets `0644` on unix (a temporary file
/// starts private, but baselines and reports are meant to be shared).
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, "creating a temporary file", e))?;
    if let Some(perms) = shared_permissions(path) {
        temp.as_file()
            .set_permissions(perms)
            .map_err(|e| Error::io(temp.path(), "setting permissions", e))?;
    }
    fill(temp.as_file_mut()).map_err(|e| Error::io(temp.path(), "writing", e))?;
    temp.as_file()
        .sync_all()
        .map_err(|e| Error::io(temp.path(), "syncing", e))?;
    temp.persist(path)
        .map_err(|e| Error::io(path, "replacing the file", e.error))?;
    sync_dir(dir);
    Ok(())
}

/// Removes temporary files (`.perfgate-*.tmp`) a killed run left in `dir`.
/// Call it only while holding `dir`'s lock ([`crate::lock`]): then no
/// live run is writing one. Best effort; returns how many were removed.
pub fn remove_stale_temporaries(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let stale = entries.filter_map(|e| e.ok()).filter(|e| {
        let name = e.file_name();
        let name = name.to_string_lossy();
        name.starts_with(TEMP_PREFIX) && name.ends_with(".tmp")
    });
    let mut removed = 0;
    for entry in stale {
        match std::fs::remove_file(entry.path()) {
            Ok(()) => removed += 1,
            Err(e) => log::debug!("{}: not removed: {e}", entry.path().display()),
        }
    }
    removed
}

/// The permissions of the file being replaced, else readable by all.
fn shared_permissions(path: &Path) -> Option<std::fs::Permissions> {
    let existing = std::fs::metadata(path).ok().map(|m| m.permissions());
    #[cfg(unix)]
    let fallback = {
        use std::os::unix::fs::PermissionsExt;
        Some(std::fs::Permissions::from_mode(0o644))
    };
    #[cfg(not(unix))]
    let fallback = None;
    existing.or(fallback)
}

/// Makes a rename durable. Best effort: some file systems refuse to sync a
/// directory, and the data itself is already on disk.
fn sync_dir(dir: &Path) {
    if let Err(e) = File::open(dir).and_then(|d| d.sync_all()) {
        log::debug!("{}: syncing the directory failed: {e}", dir.display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn baseline(id: &str, samples: &[f64]) -> Baseline {
        Baseline {
            schema: BASELINE_SCHEMA,
            id: id.to_owned(),
            unit: UNIT.to_owned(),
            samples: samples.to_vec(),
            summary: Summary::of(samples),
            iterations: 100,
            throughput: None,
            fingerprint: Fingerprint::default(),
            git_commit: None,
            date: "2025-01-01T00:00:00Z".to_owned(),
            perfgate_version: "0.1.0".to_owned(),
        }
    }

    #[test]
    fn saved_baselines_load_back_unchanged_for_hostile_ids() {
        let dir = tempfile::tempdir().unwrap();
        for id in [
            "halo/large_dag",
            "lookup/\"key/with/slash\"",
            "résumé",
            "a\nb",
        ] {
            let b = baseline(id, &[1.8, 2.2, 2.0]);
            save(dir.path(), &b).unwrap();
            assert_eq!(load(dir.path(), id).unwrap(), Some(b));
        }
        assert_eq!(load_dir(dir.path()).unwrap().len(), 4);
    }

    #[test]
    fn a_failed_write_leaves_the_previous_baseline_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let old = baseline("kept", &[100.0, 101.0]);
        let path = save(dir.path(), &old).unwrap();
        let before = std::fs::read(&path).unwrap();

        let result = write_atomic(&path, |file| {
            file.write_all(b"{\"schema\": 1, \"id\": \"ke")?;
            Err(io::Error::other("disk full"))
        });

        assert!(matches!(result, Err(Error::Io { .. })));
        assert_eq!(std::fs::read(&path).unwrap(), before);
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "temporary file left behind: {names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn saved_baselines_are_readable_by_all_not_private_like_temporary_files() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = save(dir.path(), &baseline("kept", &[1.0])).unwrap();
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644);
    }

    #[test]
    fn a_baseline_under_another_ids_file_name_is_a_collision_error() {
        let dir = tempfile::tempdir().unwrap();
        let saved = save(dir.path(), &baseline("a", &[1.0])).unwrap();
        std::fs::rename(&saved, path_for(dir.path(), "b")).unwrap();
        let err = load(dir.path(), "b").unwrap_err().to_string();
        assert!(err.contains("holds benchmark `a`"), "{err}");
        assert!(load_dir(dir.path()).is_err());
    }

    #[test]
    fn truncated_json_names_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json");
        std::fs::write(
            &path,
            "{\"schema\": 1,\n \"id\": \"fib_20\", \"samples\": [187",
        )
        .unwrap();
        let err = load_file(&path).unwrap_err().to_string();
        assert!(
            err.contains("line 2, column 32: the file is truncated"),
            "{err}"
        );
    }

    #[test]
    fn a_baseline_above_the_sample_limit_is_never_written() {
        let dir = tempfile::tempdir().unwrap();
        let huge = baseline("huge", &vec![1.0; crate::files::MAX_SAMPLES + 1]);
        let err = save(dir.path(), &huge).unwrap_err().to_string();
        assert!(
            err.contains("`huge`") && err.contains("above the limit"),
            "{err}"
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn stale_temporary_files_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        save(dir.path(), &baseline("kept", &[1.0])).unwrap();
        std::fs::write(dir.path().join(".perfgate-abc.tmp"), "{\"sch").unwrap();
        std::fs::write(dir.path().join(".lock"), "").unwrap();
        assert_eq!(remove_stale_temporaries(dir.path()), 1);
        let left = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(left, 2, "the baseline and the lock file stay");
    }

    #[test]
    fn leftover_temporary_files_are_ignored_by_the_directory_loader() {
        let dir = tempfile::tempdir().unwrap();
        save(dir.path(), &baseline("kept", &[1.0])).unwrap();
        std::fs::write(dir.path().join(".perfgate-abc.tmp"), "{\"sch").unwrap();
        assert_eq!(load_dir(dir.path()).unwrap().len(), 1);
    }

    #[test]
    fn non_positive_samples_are_an_error_naming_the_benchmark() {
        let dir = tempfile::tempdir().unwrap();
        let zero = baseline("zero", &[0.0, 0.0]);
        assert!(save(dir.path(), &zero).is_err(), "never written");
        let json = serde_json::to_string(&zero).unwrap();
        std::fs::write(path_for(dir.path(), "zero"), json).unwrap();
        let err = load(dir.path(), "zero").unwrap_err().to_string();
        assert!(err.contains("benchmark `zero`"), "{err}");
        assert!(err.contains("zero, negative or non-finite"), "{err}");
    }
}
