//! Reports of a gated run: terminal table, Markdown, JSON and one
//! self-contained HTML page.
//!
//! Every output is made from one [`RunResults`]:
//!
//! | output | function | file written by [`write_all`] |
//! |---|---|---|
//! | verdict table for a terminal | [`terminal_table`] | — |
//! | PR comment / `$GITHUB_STEP_SUMMARY` | [`markdown`] | `summary.md` |
//! | the whole comparison, for other tools | `serde_json` | `results.json` |
//! | page with charts | [`html`] | `index.html` |
//! | trend of candidate medians | [`HistoryEntry`] | `history.jsonl` (appended) |
//!
//! Rows are listed by how much they need a reader's attention (regressed,
//! inconclusive, missing, improved, new, pass), then by benchmark id, in
//! every output, so the first row answers "did it get slower?".
//!
//! Benchmark ids are arbitrary text. Each output escapes them for the
//! context they land in: HTML text and attributes, Markdown table cells,
//! terminal cells (control characters made visible). Anchors and file names
//! come from [`crate::names`], the same mapping that names files on disk.
//! Missing or non-finite numbers are printed as `n/a`, never `NaN`.
//!
//! Files are replaced atomically (a temporary file in the same directory,
//! then a rename), so a run killed half-way leaves either the old or the
//! new file, never a truncated one.

mod charts;
mod criterion_link;
pub(crate) mod escape;
pub(crate) mod format;
mod history;
mod html;
mod markdown;
mod terminal;

use std::io::Write;
use std::path::{Path, PathBuf};

pub use criterion_link::criterion_report_dirs;
pub use history::{append_history, load_history, HistoryEntry};
pub use html::html;
pub use markdown::markdown;
pub use terminal::terminal_table;

use crate::compare::RunResults;
use crate::{Error, Result};

/// File name of the HTML page inside the report directory.
pub const HTML_FILE: &str = "index.html";
/// File name of the Markdown summary inside the report directory.
pub const MARKDOWN_FILE: &str = "summary.md";
/// File name of the JSON results inside the report directory.
pub const JSON_FILE: &str = "results.json";
/// File name of the run history inside the report directory.
pub const HISTORY_FILE: &str = "history.jsonl";

/// Runs drawn in each benchmark's trend chart: enough to see a drift over
/// a few weeks of pull requests, few enough to keep the chart readable.
pub const DEFAULT_TREND_RUNS: usize = 30;

/// Most points drawn per series in a chart. Beyond it, clean samples are
/// thinned evenly (retaken and flagged ones are kept first), which keeps a
/// ten-benchmark page far below 2 MB while the shape stays visible.
pub const DEFAULT_MAX_POINTS: usize = 400;

/// How the reports are written.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportOptions {
    /// criterion's output directory (`target/criterion`). When
    /// `<criterion_dir>/<benchmark dir>/report/index.html` exists, the HTML
    /// links to it. `None` disables the links.
    pub criterion_dir: Option<PathBuf>,
    /// Directory the HTML page lives in; links are made relative to it.
    /// [`write_all`] sets it to the directory it writes to.
    pub report_dir: PathBuf,
    /// Whether [`write_all`] appends this run to the history file. A gated
    /// run does; re-rendering old results does not.
    pub append_history: bool,
    /// Number of most recent runs drawn in each trend chart.
    pub trend_runs: usize,
    /// Most points drawn per chart series.
    pub max_points: usize,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            criterion_dir: Some(PathBuf::from("target/criterion")),
            report_dir: PathBuf::from("reports"),
            append_history: true,
            trend_runs: DEFAULT_TREND_RUNS,
            max_points: DEFAULT_MAX_POINTS,
        }
    }
}

/// Writes `index.html`, `summary.md` and `results.json` into `dir`
/// (created when missing), each replaced atomically, and appends the run to
/// `history.jsonl` when [`ReportOptions::append_history`] is set.
///
/// The history is appended before the page is drawn, so the trend charts
/// end with this run.
pub fn write_all(results: &RunResults, dir: &Path, opts: &ReportOptions) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "create directory", e))?;

    let history_path = dir.join(HISTORY_FILE);
    if opts.append_history {
        append_history(&history_path, &HistoryEntry::from_results(results))?;
    }
    let history = load_history(&history_path, opts.trend_runs)?;

    let json = serde_json::to_string_pretty(results).map_err(|e| {
        Error::benchmark(
            "(all)",
            format!("results could not be encoded as JSON: {e}"),
            "this is a bug in perfgate; the other reports are still written",
        )
    })?;
    write_atomic(&dir.join(JSON_FILE), json.as_bytes())?;
    write_atomic(&dir.join(MARKDOWN_FILE), markdown(results).as_bytes())?;

    let page_opts = ReportOptions {
        report_dir: dir.to_path_buf(),
        ..opts.clone()
    };
    let page = html(results, &history, &page_opts);
    write_atomic(&dir.join(HTML_FILE), page.as_bytes())
}

/// Replaces `path` with `bytes` atomically through
/// [`crate::baseline::store::write_atomic`] (temporary file in the same
/// directory, synced, renamed over `path`). The file keeps the permissions
/// of the one it replaces; a new one is readable by all (`0644`), not
/// private like a temporary file, since reports are meant to be shared.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let perms = std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions())
        .or_else(default_permissions);
    crate::baseline::store::write_atomic(path, |file| {
        if let Some(p) = perms {
            file.set_permissions(p)?;
        }
        file.write_all(bytes)
    })
}

#[cfg(unix)]
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

/// Only unix gives temporary files a private mode to undo.
#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    None
}
