//! Locks that keep two perfgate runs on one checkout apart.
//!
//! CI on shared machines often starts two gated runs at once. Each file is
//! replaced atomically, but a *set* of files (one run's records, a save's
//! baselines, one run's reports) must also come from one run. So each set
//! has a lock file, locked exclusively (`flock` on unix, through
//! [`std::fs::File::try_lock`]) for as long as a run reads or writes it:
//!
//! | lock file | guards | taken by |
//! |---|---|---|
//! | `target/perfgate/lock` | records, run manifest | suite, `check`, `save` |
//! | `<baselines dir>/.lock` | baselines | `check`, `save` |
//! | `<reports dir>/.lock` | reports, history | `check`, `report` |
//!
//! The records lock is `lock` in the records directory's parent (by
//! default `target/perfgate/`, beside `run.json`). Locks are always taken
//! in the table's order (records, baselines, reports), so two runs cannot
//! wait for each other. A run that finds a lock held waits,
//! polling every [`POLL`], for at most `$PERFGATE_LOCK_TIMEOUT` seconds
//! ([`DEFAULT_TIMEOUT`] = 600 s, longer than a whole benchmark suite here),
//! naming the holder, then fails with exit status 2. The holder writes its
//! pid and purpose into the file; the OS releases the lock when the holder
//! ends however it ends (SIGKILL included), so a lock is never stale. The
//! lock file is never deleted or replaced: that would split the lock.
//!
//! Within one process a lock is reentrant: the gate that ends `cargo bench`
//! takes the records lock its own suite already holds. So these locks
//! exclude other processes, not other threads of the same process.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::{Error, Result};

/// Environment variable: most seconds to wait for a lock.
pub const LOCK_TIMEOUT_ENV: &str = "PERFGATE_LOCK_TIMEOUT";

/// Default wait for a lock: 600 s, longer than a full suite run here, so a
/// second CI job waits for the first rather than failing.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// How often a waiting run tries the lock again.
pub const POLL: Duration = Duration::from_millis(50);

/// File name of a directory's lock (baselines, reports).
pub const DIR_LOCK_FILE: &str = ".lock";

/// Lock files this process holds, with how many guards share each.
static HELD: Mutex<Registry> = Mutex::new(None);

/// A held lock; dropping the last guard of a path releases it.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
}

impl Lock {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let mut registry = held();
        let map = registry.get_or_insert_with(HashMap::new);
        if let Some((_, count)) = map.get_mut(&self.path) {
            *count -= 1;
            if *count == 0 {
                // Closing the file releases the OS lock.
                map.remove(&self.path);
            }
        }
    }
}

/// The records lock of a records directory: `lock` in its parent
/// (`target/perfgate/lock`), next to the run manifest.
pub fn records_lock_path(records_dir: &Path) -> PathBuf {
    match records_dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.join("lock"),
        _ => PathBuf::from("lock"),
    }
}

/// A directory's lock file (`<dir>/.lock`).
pub fn dir_lock_path(dir: &Path) -> PathBuf {
    dir.join(DIR_LOCK_FILE)
}

/// The wait from `$PERFGATE_LOCK_TIMEOUT` (seconds), else
/// [`DEFAULT_TIMEOUT`]. A value that is not a number of seconds a
/// [`Duration`] can hold falls back to the default with one warning, since
/// a typo in CI must not end the run (or the process) before it starts.
pub fn timeout_from_env() -> Duration {
    let value = std::env::var(LOCK_TIMEOUT_ENV).ok();
    parse_timeout(value.as_deref()).unwrap_or_else(|bad| {
        static WARNED: std::sync::Once = std::sync::Once::new();
        WARNED.call_once(|| {
            eprintln!(
                "warning: {LOCK_TIMEOUT_ENV}={bad:?} is not a number of seconds \
                 (0 to about 10^19); waiting the default {} s",
                DEFAULT_TIMEOUT.as_secs()
            );
        });
        DEFAULT_TIMEOUT
    })
}

/// The wait `value` asks for: the default when unset, the invalid text
/// as the error.
fn parse_timeout(value: Option<&str>) -> std::result::Result<Duration, String> {
    let Some(text) = value else {
        return Ok(DEFAULT_TIMEOUT);
    };
    text.trim()
        .parse::<f64>()
        .ok()
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| text.to_owned())
}

/// Locks `path` (created with its directory when missing) for `purpose`
/// (shown to a run that waits), waiting up to [`timeout_from_env`].
pub fn acquire(path: &Path, purpose: &str) -> Result<Lock> {
    acquire_within(path, purpose, timeout_from_env())
}

/// [`acquire`] with an explicit wait.
///
/// Where perfgate may not create the lock file (a read-only checkout), no
/// perfgate run can write the files it guards either, so they are read
/// without a lock.
pub fn acquire_within(path: &Path, purpose: &str, timeout: Duration) -> Result<Lock> {
    let file = match open(path) {
        Ok(file) => file,
        Err(Error::Io { source, .. }) if is_read_only(&source) => {
            log::debug!("{}: read-only, not locked", path.display());
            return Ok(Lock {
                path: path.to_owned(),
            });
        }
        Err(e) => return Err(e),
    };
    let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    if let Some((_, count)) = held().get_or_insert_with(HashMap::new).get_mut(&key) {
        *count += 1;
        return Ok(Lock { path: key });
    }
    // Waiting without the registry's mutex: another thread's own open file
    // conflicts with this one like another process would.
    wait_for(&file, path, timeout)?;
    stamp(&file, path, purpose);
    let mut registry = held();
    let map = registry.get_or_insert_with(HashMap::new);
    match map.get_mut(&key) {
        Some((_, count)) => *count += 1,
        None => {
            map.insert(key.clone(), (file, 1));
        }
    }
    Ok(Lock { path: key })
}

type Registry = Option<HashMap<PathBuf, (File, usize)>>;

fn held() -> std::sync::MutexGuard<'static, Registry> {
    HELD.lock().unwrap_or_else(|e| e.into_inner())
}

fn is_read_only(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
    )
}

fn open(path: &Path) -> Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::io(dir, "creating the lock's directory", e))?;
    }
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| Error::io(path, "opening the lock file", e))
}

/// Tries the lock until it is ours or `timeout` has passed; says once on
/// stderr who it is waiting for.
fn wait_for(file: &File, path: &Path, timeout: Duration) -> Result<()> {
    let start = Instant::now();
    let mut announced = false;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(()),
            Err(std::fs::TryLockError::WouldBlock) => {}
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(Error::io(path, "locking", e));
            }
        }
        if start.elapsed() >= timeout {
            return Err(timed_out(path, timeout));
        }
        if !announced {
            eprintln!(
                "perfgate: waiting up to {} s for {} ({})",
                timeout.as_secs(),
                path.display(),
                holder(path)
            );
            announced = true;
        }
        std::thread::sleep(POLL.min(timeout.saturating_sub(start.elapsed())));
    }
}

/// Writes who holds the lock into it, for a run that waits. Best effort:
/// the lock works without it.
fn stamp(mut file: &File, path: &Path, purpose: &str) {
    let line = format!(
        "pid {} ({purpose}) since {}\n",
        std::process::id(),
        crate::baseline::provenance::now_rfc3339()
    );
    let written = file.set_len(0).and_then(|()| {
        use std::io::Seek;
        file.seek(std::io::SeekFrom::Start(0))?;
        file.write_all(line.as_bytes())
    });
    if let Err(e) = written {
        log::debug!("{}: writing the holder failed: {e}", path.display());
    }
}

/// The holder as its lock file describes it.
fn holder(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let line = text.lines().next().unwrap_or("").trim();
    if line.is_empty() {
        "held by another process".to_owned()
    } else {
        format!("held by {}", line.escape_debug())
    }
}

fn timed_out(path: &Path, timeout: Duration) -> Error {
    Error::Usage {
        message: format!(
            "{}: still locked after {} s, {}",
            path.display(),
            timeout.as_secs_f64(),
            holder(path)
        ),
        hint: format!(
            "another perfgate run on this checkout is using these files; let it \
             finish (the lock is released the moment it ends), or wait longer \
             with {LOCK_TIMEOUT_ENV}=<seconds>"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_timeout_too_large_or_not_a_number_falls_back_to_the_default() {
        assert_eq!(parse_timeout(None), Ok(DEFAULT_TIMEOUT));
        assert_eq!(
            parse_timeout(Some(" 2.5 ")),
            Ok(Duration::from_millis(2500))
        );
        assert_eq!(parse_timeout(Some("0")), Ok(Duration::ZERO));
        for bad in ["1e300", "inf", "NaN", "-1", "abc", ""] {
            assert_eq!(parse_timeout(Some(bad)), Err(bad.to_owned()), "{bad}");
        }
    }

    #[test]
    fn a_lock_is_reentrant_within_a_process_and_released_by_its_last_guard() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lock");
        let outer = acquire_within(&path, "outer", Duration::ZERO).unwrap();
        let inner = acquire_within(&path, "inner", Duration::ZERO).unwrap();
        drop(outer);
        let other = File::open(&path).unwrap();
        assert!(other.try_lock().is_err(), "still held by the inner guard");
        drop(inner);
        assert!(other.try_lock().is_ok(), "released by the last guard");
    }

    #[test]
    fn a_lock_held_elsewhere_times_out_naming_file_holder_and_advice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lock");
        std::fs::write(&path, "pid 4242 (cargo bench) since then\n").unwrap();
        // A second open file description conflicts like another process.
        let elsewhere = File::open(&path).unwrap();
        elsewhere.lock().unwrap();
        let err = acquire_within(&path, "check", Duration::from_millis(120))
            .unwrap_err()
            .to_string();
        assert!(err.contains(&path.display().to_string()), "{err}");
        assert!(err.contains("pid 4242 (cargo bench)"), "{err}");
        assert!(
            err.contains("hint:") && err.contains(LOCK_TIMEOUT_ENV),
            "{err}"
        );
    }

    #[test]
    fn the_holder_writes_its_pid_and_purpose_into_the_lock_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("lock");
        let _lock = acquire_within(&path, "perfgate check", Duration::ZERO).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let expected = format!("pid {} (perfgate check) since ", std::process::id());
        assert!(text.starts_with(&expected), "{text}");
    }

    #[test]
    fn the_records_lock_sits_next_to_the_run_manifest() {
        assert_eq!(
            records_lock_path(Path::new("target/perfgate/records")),
            Path::new("target/perfgate/lock")
        );
        assert_eq!(records_lock_path(Path::new("records")), Path::new("lock"));
    }
}
