//! The run history behind the trend charts: `history.jsonl`, one JSON
//! object per line, one line per gated run, appended.
//!
//! A line is written with a single `write` on a file opened for appending,
//! so a killed run leaves at most one torn last line. The loader skips a
//! line it cannot parse (with a warning in the log) instead of failing the
//! report: losing one point of a trend is better than losing the report.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::compare::RunResults;
use crate::{Error, Result};

/// One gated run in the history file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    /// When the comparison ran (RFC 3339, UTC), copied from the results.
    pub created_at: String,
    /// Git commit of the candidate, if known.
    pub git_commit: Option<String>,
    /// The run's exit status.
    pub exit_status: i32,
    /// Median of each benchmark's clean candidate samples, ns per
    /// iteration (per element when a throughput is declared on both sides),
    /// keyed by benchmark id. Benchmarks that did not run are absent.
    pub medians: BTreeMap<String, f64>,
}

impl HistoryEntry {
    /// The history line of a run: its candidate medians.
    pub fn from_results(results: &RunResults) -> Self {
        let medians = results
            .comparisons
            .iter()
            .filter_map(|c| {
                let m = super::format::candidate_median(c)?;
                m.is_finite().then(|| (c.id.clone(), m))
            })
            .collect();
        HistoryEntry {
            created_at: results.created_at.clone(),
            git_commit: results.git_commit.clone(),
            exit_status: results.exit_status,
            medians,
        }
    }
}

/// Appends one entry as a line to the history file (created when missing).
pub fn append_history(path: &Path, entry: &HistoryEntry) -> Result<()> {
    let mut line = serde_json::to_string(entry).map_err(|e| Error::Parse {
        path: path.to_path_buf(),
        message: format!("history entry could not be encoded: {e}"),
        hint: "this is a bug in perfgate".to_string(),
    })?;
    line.push('\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)
        .map_err(|e| Error::io(path, "open for appending", e))?;
    // A torn last line (killed run) must not swallow this entry.
    if ends_without_newline(&mut file).map_err(|e| Error::io(path, "read", e))? {
        line.insert(0, '\n');
    }
    file.write_all(line.as_bytes())
        .map_err(|e| Error::io(path, "append", e))
}

/// Moves to the last [`crate::files::MAX_FILE_BYTES`] of a longer file;
/// returns how many leading lines to skip (1: the cut first line).
fn seek_to_tail(file: &mut std::fs::File) -> std::io::Result<usize> {
    use std::io::{Seek, SeekFrom};
    let len = file.metadata()?.len();
    let max = crate::files::MAX_FILE_BYTES;
    if len <= max {
        return Ok(0);
    }
    file.seek(SeekFrom::Start(len - max))?;
    Ok(1)
}

fn ends_without_newline(file: &mut std::fs::File) -> std::io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    if file.metadata()?.len() == 0 {
        return Ok(false);
    }
    file.seek(SeekFrom::End(-1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    Ok(last[0] != b'\n')
}

/// The last `limit` entries of the history file, oldest first. A missing
/// file is an empty history; unparsable lines are skipped with a warning.
///
/// Only the last [`crate::files::MAX_FILE_BYTES`] of the file are read (the
/// history grows by one line a run, forever), and bytes that are not UTF-8
/// spoil only their own line.
pub fn load_history(path: &Path, limit: usize) -> Result<Vec<HistoryEntry>> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io(path, "open", e)),
    };
    let skipped = seek_to_tail(&mut file).map_err(|e| Error::io(path, "read", e))?;
    let mut entries = Vec::new();
    let reader = BufReader::new(file.take(crate::files::MAX_FILE_BYTES));
    for (n, line) in reader.split(b'\n').enumerate().skip(skipped) {
        let line = line.map_err(|e| Error::io(path, "read", e))?;
        let line = String::from_utf8_lossy(&line);
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<HistoryEntry>(&line) {
            Ok(entry) => entries.push(entry),
            Err(e) => log::warn!(
                "{}:{}: history line skipped ({e}); the trend misses one run",
                path.display(),
                n + 1
            ),
        }
    }
    let skip = entries.len().saturating_sub(limit);
    Ok(entries.split_off(skip))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(t: &str, median: f64) -> HistoryEntry {
        HistoryEntry {
            created_at: t.to_string(),
            git_commit: None,
            exit_status: 0,
            medians: [("halo/large_dag".to_string(), median)].into(),
        }
    }

    #[test]
    fn history_keeps_the_last_runs_in_order_and_skips_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history.jsonl");
        for i in 0..5 {
            append_history(&path, &entry(&format!("t{i}"), 100.0 + i as f64)).unwrap();
        }
        // A run killed in the middle of its write leaves a torn line.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"{\"created_at\": \"t5\", \"med").unwrap();
        drop(f);
        append_history(&path, &entry("t6", 106.0)).unwrap();

        let loaded = load_history(&path, 3).unwrap();
        let times: Vec<&str> = loaded.iter().map(|e| e.created_at.as_str()).collect();
        assert_eq!(times, ["t3", "t4", "t6"]);
        assert_eq!(loaded[2].medians["halo/large_dag"], 106.0);
    }

    #[test]
    fn a_missing_history_file_is_an_empty_history() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load_history(&dir.path().join("none.jsonl"), 30)
            .unwrap()
            .is_empty());
    }
}
