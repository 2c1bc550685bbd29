//! Loading and saving baseline files.
//!
//! One file per benchmark, `baselines/<names::file_name(id, "json")>`,
//! pretty-printed so a change reads well in a diff.
//!
//! Saving is atomic: the JSON goes to a temporary file in the same
//! directory, is flushed to disk (`fsync`), then renamed over the old file,
//! and the directory is synced so the rename itself survives a crash. A
//! save of several baselines ([`save_all`]) writes them all before it
//! renames any, and puts the old files back if a rename fails, so a
//! failed save leaves every previous baseline intact; a leftover temporary
//! file (`.perfgate-*.tmp`) is ignored by loaders.
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
use crate::sampler::BenchRecord;
use crate::{Error, Result};

/// The only unit baselines store.
pub const UNIT: &str = "ns_per_iteration";

/// Prefix of temporary files written during a save.
const TEMP_PREFIX: &str = ".perfgate-";

const RESTORE_HINT: &str = "restore the file from version control (`git checkout -- \
     <file>`) or record it again with `perfgate baseline save`";

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
    check_is_object(path, text)?;
    let probe: Probe = serde_json::from_str(text).map_err(|e| json_error(path, &e))?;
    let hint = match probe.schema {
        0 => {
            "the file is older than any schema this perfgate reads; record the \
              baseline again with `perfgate baseline save`"
        }
        s if s > BASELINE_SCHEMA => {
            "the file was written by a newer perfgate: upgrade perfgate, or record \
             the baseline again with this version (`perfgate baseline save`)"
        }
        _ => return Ok(()),
    };
    Err(Error::Schema {
        path: path.to_owned(),
        found: probe.schema,
        supported: format!("1 to {BASELINE_SCHEMA}"),
        hint: hint.to_owned(),
    })
}

/// Errors unless `text` is (or starts like) one JSON object: a baseline
/// is never an array, a string or a number, and saying so beats the
/// parser's view of such a file.
fn check_is_object(path: &Path, text: &str) -> Result<()> {
    let holds = match text.trim_start().chars().next() {
        Some('{') => return Ok(()),
        Some('[') => "a JSON array",
        Some('"') => "a JSON string",
        Some('0'..='9' | '-') => "a number",
        _ => "no JSON object",
    };
    Err(Error::Parse {
        path: path.to_owned(),
        message: format!(
            "holds {holds}, not a baseline: expected a JSON object with \"schema\", \
             \"id\", \"samples\", ..."
        ),
        hint: RESTORE_HINT.to_owned(),
    })
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
        check_timings(&self.id, &self.samples, &source, BASELINE_REMEDY)?;
        match self
            .machine_ns
            .and_then(crate::sampler::implausible_reading)
        {
            Some(problem) => Err(Error::Parse {
                path: path.to_owned(),
                message: format!(
                    "benchmark `{}`: machine_ns {problem}",
                    self.id.escape_debug()
                ),
                hint: "remove the `machine_ns` key and the comma before it (the \
                       comparison is then not adjusted for the machine's speed), or \
                       re-record the baseline with `perfgate baseline save`"
                    .to_owned(),
            }),
            None => Ok(()),
        }
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
            iterations: record.typical_iterations(),
            throughput: record.throughput,
            fingerprint,
            git_commit,
            date,
            perfgate_version: env!("CARGO_PKG_VERSION").to_owned(),
            machine_ns: record.sampling.machine.map(|m| m.ns()),
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

/// Saves `baseline` into `dir` (created if needed), atomically. Returns
/// the path written.
pub fn save(dir: &Path, baseline: &Baseline) -> Result<PathBuf> {
    let mut written = save_all(dir, std::slice::from_ref(baseline))?;
    Ok(written.remove(0))
}

/// Saves `baselines` into `dir` (created if needed) as one change, so a
/// failure never leaves some new and some old: every baseline is checked,
/// then written and synced to a temporary file, and only when all are on
/// disk are they renamed over the old files. A failure removes the
/// temporary files and puts back the files already replaced. Returns the
/// paths written, in order.
pub fn save_all(dir: &Path, baselines: &[Baseline]) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(dir, "creating the directory", e))?;
    for b in baselines {
        b.check(&path_for(dir, &b.id))?;
    }
    let staged = baselines
        .iter()
        .map(|b| stage(dir, b))
        .collect::<Result<Vec<_>>>()?;
    commit(dir, staged)
}

/// A new baseline written and synced under a temporary name, its file
/// closed (a suite of thousands must not run out of file descriptors).
struct Staged {
    id: String,
    path: PathBuf,
    temp: tempfile::TempPath,
}

/// A baseline renamed into place. The file it replaced stays under a
/// temporary name until the whole save has succeeded, to be put back if
/// it fails; dropping the backup removes it.
struct Replaced {
    id: String,
    path: PathBuf,
    backup: Option<tempfile::TempPath>,
}

fn stage(dir: &Path, baseline: &Baseline) -> Result<Staged> {
    let path = path_for(dir, &baseline.id);
    let mut json = serde_json::to_string_pretty(baseline).map_err(|e| Error::Parse {
        path: path.clone(),
        message: format!("cannot encode the baseline: {e}"),
        hint: "report this as a bug".to_owned(),
    })?;
    json.push('\n');
    let temp = write_temp(&path, |file| file.write_all(json.as_bytes()))
        .map_err(|e| not_saved(dir, &baseline.id, "could not be written", e))?
        .into_temp_path();
    Ok(Staged {
        id: baseline.id.clone(),
        path,
        temp,
    })
}

/// Renames every staged file into place; on the first failure, undoes
/// the renames already done.
///
/// TODO(#7): a process killed between two of these renames leaves some
/// new and some old baselines, and the next save's clean-up removes the
/// backups; fixable by saving into a new directory and swapping it in
/// with one rename (or by a journal the next run replays).
fn commit(dir: &Path, staged: Vec<Staged>) -> Result<Vec<PathBuf>> {
    let mut replaced = Vec::with_capacity(staged.len());
    for s in staged {
        match replace(dir, s) {
            Ok(r) => replaced.push(r),
            Err(e) => return Err(roll_back(dir, replaced, e)),
        }
    }
    sync_dir(dir);
    Ok(replaced.into_iter().map(|r| r.path).collect())
}

fn replace(dir: &Path, staged: Staged) -> Result<Replaced> {
    let Staged { id, path, temp } = staged;
    let backup = back_up(dir, &path)
        .map_err(|e| not_saved(dir, &id, "could not replace its old baseline", e))?;
    temp.persist(&path).map_err(|e| {
        let e = Error::io(&path, "replacing the file", e.error);
        not_saved(dir, &id, "could not replace its old baseline", e)
    })?;
    Ok(Replaced { id, path, backup })
}

/// A second name for the file at `path` (a hard link, else a copy), so
/// it can be put back; `None` when there is no file yet.
fn back_up(dir: &Path, path: &Path) -> Result<Option<tempfile::TempPath>> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, "reading the metadata", e)),
        Ok(m) if !m.is_file() => {
            return Err(Error::Parse {
                path: path.to_owned(),
                message: "is not a regular file, so no baseline can be saved there"
                    .to_owned(),
                hint: "move or remove it, then run the save again".to_owned(),
            })
        }
        Ok(_) => {}
    }
    let link = |p: &Path| match std::fs::hard_link(path, p) {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => {
            std::fs::copy(path, p).map(drop)
        }
        linked => linked,
    };
    let backup = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(".tmp")
        .make_in(dir, link)
        .map_err(|e| Error::io(path, "keeping a copy of the old file", e))?;
    Ok(Some(backup.into_temp_path()))
}

/// Undoes `replaced`, newest first, and returns the error to report:
/// `cause` when every old file is back, else one that says which are not.
fn roll_back(dir: &Path, replaced: Vec<Replaced>, cause: Error) -> Error {
    let mut lost = Vec::new();
    for r in replaced.into_iter().rev() {
        let restored = match r.backup {
            Some(backup) => backup.persist(&r.path).map_err(|e| e.error),
            None => std::fs::remove_file(&r.path),
        };
        if let Err(e) = restored {
            lost.push(format!("`{}` ({}: {e})", r.id, r.path.display()));
        }
    }
    sync_dir(dir);
    if lost.is_empty() {
        return cause;
    }
    Error::Usage {
        message: format!(
            "{cause}\n  but the old baselines of {} could not be put back, so {} \
             holds new and old baselines",
            lost.join(", "),
            dir.display()
        ),
        hint: format!(
            "restore {} from version control (`git checkout -- {}`), or run the \
             save again once the cause is fixed",
            dir.display(),
            dir.display()
        ),
    }
}

/// `cause`, for benchmark `id`, as an [`Error::Save`]: the baselines in
/// `dir` are unchanged, and the hint says what to do about the cause.
fn not_saved(dir: &Path, id: &str, what: &str, cause: Error) -> Error {
    let (message, hint) = match cause {
        Error::Io {
            path,
            action,
            source,
        } => (
            format!(
                "its new baseline {what} ({}{action} failed: {source})",
                shown(&path)
            ),
            save_hint(dir, &source),
        ),
        Error::Parse {
            path,
            message,
            hint,
        } => (
            format!("its new baseline {what} ({} {message})", path.display()),
            hint,
        ),
        other => return other,
    };
    Error::Save {
        id: id.to_owned(),
        dir: dir.to_owned(),
        message,
        hint,
    }
}

/// `path` and a colon for a message, or nothing for a temporary file,
/// whose name means nothing to a reader once it is removed.
fn shown(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy());
    match name {
        Some(n) if n.starts_with(TEMP_PREFIX) => String::new(),
        _ => format!("{}: ", path.display()),
    }
}

/// What to do when writing into the baselines directory `dir` failed.
fn save_hint(dir: &Path, e: &io::Error) -> String {
    let dir = dir.display();
    match e.kind() {
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
            format!("free some disk space on the file system of {dir}, then run the save again")
        }
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => format!(
            "check that {dir} and its files may be written (permissions, a read-only \
             mount), then run the save again"
        ),
        _ => format!(
            "check the free disk space and the permissions of {dir}, then run the \
             save again"
        ),
    }
}

/// Writes `path` through `fill` on a temporary file in the same directory,
/// syncs it, and renames it over `path`. If `fill` fails, the temporary
/// file is removed and `path` is untouched.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<()> {
    let temp = write_temp(path, fill)?;
    temp.persist(path)
        .map_err(|e| Error::io(path, "replacing the file", e.error))?;
    sync_dir(parent_dir(path));
    Ok(())
}

/// A temporary file next to `path`, filled through `fill` and synced;
/// dropping it removes it. It has the permissions of the file it will
/// replace; one replacing nothing gets `0644` on unix (a temporary file
/// starts private, but baselines and reports are meant to be shared).
fn write_temp(
    path: &Path,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<tempfile::NamedTempFile> {
    let dir = parent_dir(path);
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
    Ok(temp)
}

/// The directory `path` is in; `.` for a bare file name.
fn parent_dir(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
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
            machine_ns: None,
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

    /// Every file directly in `dir`, by name: a directory as `None`.
    fn contents(dir: &Path) -> Vec<(String, Option<Vec<u8>>)> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read(&p).ok())
            })
            .collect();
        files.sort();
        files
    }

    /// Nine old baselines, and new ones for all whose last (or first)
    /// file name is taken by a directory.
    fn nine_with_a_directory_at(blocked: usize) -> (tempfile::TempDir, Vec<Baseline>) {
        let dir = tempfile::tempdir().unwrap();
        let ids: Vec<String> = (0..9).map(|i| format!("b{i}")).collect();
        for id in &ids {
            save(dir.path(), &baseline(id, &[100.0, 101.0])).unwrap();
        }
        let target = path_for(dir.path(), &ids[blocked]);
        std::fs::remove_file(&target).unwrap();
        std::fs::create_dir(&target).unwrap();
        let new = ids.iter().map(|id| baseline(id, &[7.0; 2000])).collect();
        (dir, new)
    }

    #[test]
    fn a_save_failing_at_its_last_rename_puts_every_replaced_baseline_back() {
        let (dir, new) = nine_with_a_directory_at(8);
        let before = contents(dir.path());
        let err = save_all(dir.path(), &new).unwrap_err();
        assert!(
            matches!(err, Error::Save { ref id, .. } if id == "b8"),
            "{err}"
        );
        let text = err.to_string();
        assert!(text.contains(&dir.path().display().to_string()), "{text}");
        assert!(
            text.contains("nothing was saved") && text.contains("hint:"),
            "{text}"
        );
        assert_eq!(contents(dir.path()), before, "changed, or a temporary left");
    }

    #[test]
    fn a_save_failing_at_its_first_rename_leaves_no_temporary_file() {
        let (dir, new) = nine_with_a_directory_at(0);
        let before = contents(dir.path());
        let err = save_all(dir.path(), &new).unwrap_err().to_string();
        assert!(err.contains("benchmark `b0`") && err.contains("not a regular file"));
        assert_eq!(contents(dir.path()), before, "changed, or a temporary left");
    }

    #[test]
    fn a_successful_save_of_many_leaves_only_the_new_baselines() {
        let (dir, mut new) = nine_with_a_directory_at(8);
        std::fs::remove_dir(path_for(dir.path(), "b8")).unwrap();
        new[0].samples = vec![5.0];
        save_all(dir.path(), &new).unwrap();
        assert_eq!(load(dir.path(), "b0").unwrap().unwrap().samples, vec![5.0]);
        assert_eq!(load_dir(dir.path()).unwrap().len(), 9);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 9);
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
