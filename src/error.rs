//! The library's one error type. Every variant carries what a person needs
//! to act: the file or benchmark concerned, what is wrong, what to do.

use std::path::PathBuf;

/// Result alias for the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Errors of the harness. All of them are "harness or input" errors: the
/// CLI maps every one to exit status 2 ([`Error::exit_status`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {action} failed: {source}\n  hint: {}", io_hint(.source))]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// A file's content is not what perfgate expects (bad JSON/TOML, a
    /// wrong field, a truncated file).
    #[error("{path}: {message}\n  hint: {hint}")]
    Parse {
        path: PathBuf,
        message: String,
        hint: String,
    },
    /// A baseline or record was written by a schema this build cannot read.
    #[error(
        "{path}: schema version {found} is not supported (this perfgate reads {supported})\n  \
         hint: {hint}"
    )]
    Schema {
        path: PathBuf,
        found: u32,
        supported: String,
        hint: String,
    },
    /// A benchmark's data cannot be compared (zero, negative or non-finite
    /// timings, a zero baseline, ...).
    #[error("benchmark `{}`: {message}\n  hint: {hint}", crate::report::escape::visible(.id))]
    Benchmark {
        id: String,
        message: String,
        hint: String,
    },
    /// A save of baselines failed before it changed anything: every
    /// baseline in `dir` is as it was.
    #[error(
        "benchmark `{id}`: {message}\n  nothing was saved: the baselines in {dir} are \
         unchanged\n  hint: {hint}"
    )]
    Save {
        id: String,
        dir: PathBuf,
        message: String,
        hint: String,
    },
    /// Wrong use: bad option values, nothing to do, a lock held by another run.
    #[error("{message}\n  hint: {hint}")]
    Usage { message: String, hint: String },
}

impl Error {
    /// The process exit status for this error: always 2 (harness or input
    /// error), distinct from 1 (regression) and 3 (inconclusive).
    pub fn exit_status(&self) -> i32 {
        2
    }

    /// Shorthand for an [`Error::Io`].
    pub fn io(
        path: impl Into<PathBuf>,
        action: &'static str,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            path: path.into(),
            action,
            source,
        }
    }

    /// Shorthand for an [`Error::Benchmark`].
    pub fn benchmark(
        id: impl Into<String>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Error::Benchmark {
            id: id.into(),
            message: message.into(),
            hint: hint.into(),
        }
    }
}

/// What to do about an I/O error, by its kind.
fn io_hint(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind;
    match e.kind() {
        ErrorKind::NotFound => "check the path; run the step that writes this file first",
        ErrorKind::PermissionDenied | ErrorKind::ReadOnlyFilesystem => {
            "check the permissions of the file and of its directory"
        }
        ErrorKind::StorageFull | ErrorKind::QuotaExceeded => {
            "free some disk space and run again"
        }
        _ => "check the path, its permissions and the free disk space, then run again",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_benchmark_error_shows_control_characters_of_the_id_escaped() {
        let e = Error::benchmark("evil\u{1b}[2J\nname", "has no samples", "measure it");
        let text = e.to_string();
        assert!(!text.contains('\u{1b}'), "{text:?}");
        assert!(
            text.starts_with("benchmark `evil\\u{1b}[2J\\nname`"),
            "{text:?}"
        );
        assert_eq!(text.lines().count(), 2, "message and hint only: {text:?}");
    }
}
