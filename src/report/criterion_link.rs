//! Links from the perfgate page to criterion's own report of a benchmark.
//!
//! criterion 0.8 stores a benchmark's report under
//! `<criterion dir>/<directory>/report/index.html`, where `<directory>` is
//! the id's parts (group, function, value) each made file-name safe and
//! joined with `/`: the characters `? " / \ * < > : | ^` become `_` and a
//! part is cut to [`PART_MAX_BYTES`] bytes. Only the full id reaches
//! perfgate, and a group name may itself contain `/`, so every split of the
//! id at up to two of its slashes is a candidate; the first whose report
//! file exists is linked. No file, no link: a link never dangles.

use std::path::{Component, Path};

use crate::names;

/// criterion's longest directory-name part, in bytes.
pub const PART_MAX_BYTES: usize = 64;

/// criterion's file-name-safe form of one id part.
fn safe_part(part: &str) -> String {
    let mut s: String = part
        .chars()
        .map(|c| match c {
            '?' | '"' | '/' | '\\' | '*' | '<' | '>' | ':' | '|' | '^' => '_',
            c => c,
        })
        .collect();
    let mut cut = PART_MAX_BYTES.min(s.len());
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.truncate(cut);
    s
}

/// Every directory (relative to criterion's output directory) where
/// criterion may have put the report of `id`, most likely first: the id
/// split at its first slashes, up to three parts.
pub fn criterion_report_dirs(id: &str) -> Vec<String> {
    let slashes: Vec<usize> = id.match_indices('/').map(|(i, _)| i).collect();
    let mut splits: Vec<Vec<usize>> = vec![vec![]];
    for (a, &i) in slashes.iter().enumerate() {
        splits.push(vec![i]);
        for &j in &slashes[a + 1..] {
            splits.push(vec![i, j]);
        }
    }
    // Two separators first (group/function/value), then one, then none:
    // criterion ids made with `BenchmarkId` have the most parts.
    splits.sort_by_key(|s| std::cmp::Reverse(s.len()));

    let mut dirs: Vec<String> = Vec::new();
    for cuts in splits {
        let mut parts = Vec::new();
        let mut start = 0;
        for &c in &cuts {
            parts.push(safe_part(&id[start..c]));
            start = c + 1;
        }
        parts.push(safe_part(&id[start..]));
        let dir = parts.join("/");
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    dirs
}

/// A percent-encoded relative link from `report_dir` to criterion's report
/// of `id`, when that file exists under `criterion_dir`.
pub fn link(id: &str, criterion_dir: &Path, report_dir: &Path) -> Option<String> {
    let file = criterion_report_dirs(id)
        .into_iter()
        .map(|d| criterion_dir.join(d).join("report").join("index.html"))
        .find(|p| p.is_file())?;
    let from = report_dir.canonicalize().ok()?;
    let to = file.canonicalize().ok()?;
    relative_href(&from, &to)
}

/// A relative URL from directory `from` to file `to` (both absolute),
/// each path segment percent-encoded.
fn relative_href(from: &Path, to: &Path) -> Option<String> {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return None;
    }
    let mut segments: Vec<String> = vec!["..".to_string(); from.len() - common];
    for c in &to[common..] {
        let s = c.as_os_str().to_str()?;
        segments.push(names::percent_encode(s));
    }
    Some(segments.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ids_keep_their_slashes_as_directories() {
        let dirs = criterion_report_dirs("halo/waves/1k");
        assert_eq!(dirs[0], "halo/waves/1k");
        assert!(dirs.contains(&"halo_waves/1k".to_string()));
        assert!(dirs.contains(&"halo/waves_1k".to_string()));
        assert!(dirs.contains(&"halo_waves_1k".to_string()));
        assert_eq!(criterion_report_dirs("plain"), ["plain"]);
    }

    #[test]
    fn unsafe_characters_become_underscores_like_criterion() {
        let dirs = criterion_report_dirs("a.b{c/d");
        assert_eq!(dirs, ["a.b{c/d", "a.b{c_d"]);
        assert!(criterion_report_dirs("std::map<std::string, int>::insert")
            .contains(&"std__map_std__string, int>__insert".replace('>', "_")));
    }

    #[test]
    fn long_parts_are_cut_on_a_character_boundary() {
        let id = "é".repeat(40);
        let dirs = criterion_report_dirs(&id);
        assert_eq!(dirs[0].len(), 64);
    }

    #[test]
    fn criterions_own_layout_of_the_routing_suite_is_found() {
        // The directories criterion 0.8 wrote for the routing suite: ids
        // from `bench_function` keep their slashes folded into one part,
        // grouped ids keep the group / value split.
        let tmp = tempfile::tempdir().unwrap();
        let criterion = tmp.path().join("criterion");
        let written = [
            ("halo/large_dag", "halo/large_dag"),
            ("halo/dynamic_rule_addition", "halo_dynamic_rule_addition"),
            ("halo/waves/10k", "halo_waves/10k"),
        ];
        for (_, dir) in written {
            let report = criterion.join(dir).join("report");
            std::fs::create_dir_all(&report).unwrap();
            std::fs::write(report.join("index.html"), "").unwrap();
        }
        let reports = tmp.path().join("reports");
        std::fs::create_dir_all(&reports).unwrap();
        for (id, dir) in written {
            let href = link(id, &criterion, &reports);
            assert_eq!(
                href,
                Some(format!("../criterion/{dir}/report/index.html")),
                "{id}"
            );
        }
        assert_eq!(link("halo/not_run", &criterion, &reports), None);
    }

    #[test]
    fn links_are_relative_and_percent_encoded() {
        let href = relative_href(
            Path::new("/w/my reports"),
            Path::new("/w/target/criterion/résumé/report/index.html"),
        );
        assert_eq!(
            href.as_deref(),
            Some("../target/criterion/r%C3%A9sum%C3%A9/report/index.html")
        );
    }
}
