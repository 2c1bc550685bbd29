//! Reading perfgate's input files within fixed limits.
//!
//! Every file perfgate reads (baselines, records, the run manifest,
//! `results.json`, `history.jsonl`, `perfgate.toml`) may come from
//! elsewhere: hand-edited, truncated, or not perfgate's at all. Two limits
//! keep such a file from exhausting memory before a parser can reject it:
//!
//! - [`MAX_FILE_BYTES`] (64 MiB): the size is checked before reading, and
//!   the read itself stops one byte past the limit, so a file that grows
//!   meanwhile or a device that reports no size (`/dev/zero`) is refused
//!   too. A real baseline of criterion's 100 samples is about 4 KiB; a
//!   record with retakes about 40 KiB; 64 MiB is three orders of magnitude
//!   above the largest real file.
//! - [`MAX_SAMPLES`] (1 000 000): samples per baseline or record. A
//!   million samples of 2 ms each is more than half an hour of measuring
//!   one benchmark; more is a damaged or foreign file. The comparison's
//!   bootstrap resamples the samples thousands of times, so an unbounded
//!   list would turn into hours of work.
//! - [`MAX_BENCHMARKS`] (10 000): benchmarks per `results.json`, each of
//!   which becomes charts in the HTML report.
//!
//! A file that is not UTF-8 is a parse error naming it, not an I/O error;
//! a UTF-8 byte-order mark at its start is dropped.

use std::io::Read;
use std::path::Path;

use crate::{Error, Result};

/// Largest file perfgate reads: 64 MiB.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// Most samples a baseline or a record may hold.
pub const MAX_SAMPLES: usize = 1_000_000;

/// Most benchmarks a `results.json` may hold: 10 000, a hundred times a
/// large suite. Each one becomes charts in the HTML report; a file claiming
/// hundreds of thousands would take hours to render.
pub const MAX_BENCHMARKS: usize = 10_000;

/// Reads `path` as UTF-8 text of at most [`MAX_FILE_BYTES`]. `hint` says
/// what to do when the file is too large or not text.
pub fn read_text(path: &Path, hint: &str) -> Result<String> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, "reading", e))?;
    let size = file
        .metadata()
        .map_err(|e| Error::io(path, "reading the size", e))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(too_large(path, size, hint));
    }
    let mut bytes = Vec::with_capacity(size as usize);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, "reading", e))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(path, bytes.len() as u64, hint));
    }
    let mut text = String::from_utf8(bytes).map_err(|e| Error::Parse {
        path: path.to_owned(),
        message: format!(
            "byte {} is not UTF-8: this is not a text file",
            e.utf8_error().valid_up_to()
        ),
        hint: hint.to_owned(),
    })?;
    // Some Windows editors start UTF-8 files with a byte-order mark; it
    // carries no content, and JSON and TOML parsers refuse it.
    if text.starts_with(BOM) {
        text.drain(..BOM.len_utf8());
    }
    Ok(text)
}

/// The byte-order mark [`read_text`] drops from the start of a file.
const BOM: char = '\u{feff}';

/// Errors when `count` samples exceed [`MAX_SAMPLES`].
pub fn check_sample_count(path: &Path, id: &str, count: usize) -> Result<()> {
    if count <= MAX_SAMPLES {
        return Ok(());
    }
    Err(Error::Parse {
        path: path.to_owned(),
        message: format!(
            "benchmark `{id}` has {count} samples, above the limit of {MAX_SAMPLES}"
        ),
        hint: "the file is damaged or not perfgate's; restore it from version \
               control or measure again with a sample count below the limit"
            .to_owned(),
    })
}

/// Most characters of a file's content an error message quotes per line:
/// a parser's message may echo a whole line (a minified file, a hostile
/// 10 MB string), and an error must stay readable.
pub const MAX_QUOTED: usize = 200;

/// `message` with every line cut to [`MAX_QUOTED`] characters (marked
/// `…`).
pub fn clip_lines(message: &str) -> String {
    let clip = |line: &str| match line.char_indices().nth(MAX_QUOTED) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line.to_owned(),
    };
    message.lines().map(clip).collect::<Vec<_>>().join("\n")
}

fn too_large(path: &Path, size: u64, hint: &str) -> Error {
    Error::Parse {
        path: path.to_owned(),
        message: format!(
            "the file is {} MiB or more, above the {} MiB limit for perfgate's files",
            size >> 20,
            MAX_FILE_BYTES >> 20
        ),
        hint: hint.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_above_the_size_limit_is_refused_before_reading_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("huge.json");
        let file = std::fs::File::create(&path).unwrap();
        file.set_len(MAX_FILE_BYTES + 1).unwrap(); // sparse: costs no disk
        let err = read_text(&path, "restore it").unwrap_err().to_string();
        assert!(err.contains("huge.json"), "{err}");
        assert!(err.contains("above the 64 MiB limit"), "{err}");
        assert!(err.contains("hint: restore it"), "{err}");
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn an_endless_device_is_cut_at_the_limit_not_read_forever() {
        let err = read_text(Path::new("/dev/zero"), "h").unwrap_err();
        assert!(err.to_string().contains("above the 64 MiB limit"), "{err}");
    }

    #[test]
    fn bytes_that_are_not_utf8_are_a_parse_error_with_the_offset() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bin.json");
        std::fs::write(&path, b"{\"a\": \xff}").unwrap();
        let err = read_text(&path, "h").unwrap_err().to_string();
        assert!(err.contains("bin.json: byte 6 is not UTF-8"), "{err}");
    }

    #[test]
    fn a_byte_order_mark_at_the_start_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bom.json");
        std::fs::write(&path, "\u{feff}{\"a\": 1}").unwrap();
        assert_eq!(read_text(&path, "h").unwrap(), "{\"a\": 1}");
    }

    #[test]
    fn quoted_lines_are_clipped_to_stay_readable() {
        let long = format!("a\n{}\nb", "x".repeat(5000));
        let clipped = clip_lines(&long);
        assert_eq!(clipped.lines().count(), 3);
        assert_eq!(
            clipped.lines().nth(1).unwrap().chars().count(),
            MAX_QUOTED + 1
        );
        assert_eq!(clip_lines("short"), "short");
    }

    #[test]
    fn a_sample_count_above_the_limit_names_file_and_benchmark() {
        let err = check_sample_count(Path::new("b.json"), "halo/x", MAX_SAMPLES + 1)
            .unwrap_err()
            .to_string();
        assert!(err.contains("b.json") && err.contains("`halo/x`"), "{err}");
        assert!(check_sample_count(Path::new("b"), "x", MAX_SAMPLES).is_ok());
    }
}
