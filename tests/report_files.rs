//! The files `report::write_all` leaves behind: complete, atomic, with
//! the history growing by one line per gated run.

mod report_support;

use perfgate::compare::RunResults;
use perfgate::report::{self, ReportOptions};

#[test]
fn write_all_writes_the_three_reports_and_no_temporary_file() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("reports with space");
    report::write_all(&report_support::suite(20), &dir, &ReportOptions::default())
        .unwrap();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["history.jsonl", "index.html", "results.json", "summary.md"]
    );
}

#[test]
fn results_json_reads_back_as_the_same_results() {
    let tmp = tempfile::tempdir().unwrap();
    let results = report_support::hostile();
    report::write_all(&results, tmp.path(), &ReportOptions::default()).unwrap();
    let text = std::fs::read_to_string(tmp.path().join(report::JSON_FILE)).unwrap();
    let back: RunResults = serde_json::from_str(&text).unwrap();
    assert!(
        back == results,
        "results.json does not read back as written"
    );
}

#[test]
fn a_second_run_replaces_the_reports_and_extends_the_history() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = ReportOptions::default();
    let first = report_support::suite(20);
    report::write_all(&first, tmp.path(), &opts).unwrap();

    let mut second = report_support::suite(20);
    second.created_at = "2026-12-04T09:00:00Z".to_string();
    second.comparisons.retain(|c| c.id != "halo/large_dag");
    report::write_all(&second, tmp.path(), &opts).unwrap();

    let md = std::fs::read_to_string(tmp.path().join(report::MARKDOWN_FILE)).unwrap();
    assert!(
        !md.contains("large"),
        "summary.md still holds the first run"
    );
    let history =
        report::load_history(&tmp.path().join(report::HISTORY_FILE), 30).unwrap();
    assert_eq!(history.len(), 2);
    assert!(history[0].medians.contains_key("halo/large_dag"));
    assert!(!history[1].medians.contains_key("halo/large_dag"));
    assert!(
        !history[1].medians.contains_key("halo/flat_legacy"),
        "missing has no median"
    );
}

#[test]
fn re_rendering_without_appending_leaves_the_history_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let results = report_support::suite(10);
    report::write_all(&results, tmp.path(), &ReportOptions::default()).unwrap();
    let opts = ReportOptions {
        append_history: false,
        ..ReportOptions::default()
    };
    report::write_all(&results, tmp.path(), &opts).unwrap();
    let history =
        report::load_history(&tmp.path().join(report::HISTORY_FILE), 30).unwrap();
    assert_eq!(history.len(), 1);
}

#[test]
fn the_trend_draws_only_the_last_runs() {
    let results = report_support::suite(10);
    let history = report_support::past_history(&results, 40);
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(report::HISTORY_FILE);
    for h in &history {
        report::append_history(&path, h).unwrap();
    }
    let opts = ReportOptions {
        trend_runs: 12,
        ..ReportOptions::default()
    };
    report::write_all(&results, tmp.path(), &opts).unwrap();
    let page = std::fs::read_to_string(tmp.path().join(report::HTML_FILE)).unwrap();
    assert!(page.contains("last 12 gated runs"));
    assert!(!page.contains("last 41 gated runs"));
}

#[test]
fn an_unwritable_report_dir_is_an_error_naming_the_path() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("not a dir");
    std::fs::write(&file, "").unwrap();
    let err =
        report::write_all(&report_support::suite(5), &file, &ReportOptions::default())
            .unwrap_err();
    assert!(err.to_string().contains("not a dir"), "{err}");
}

#[test]
fn an_interrupted_write_leaves_the_old_file_whole() {
    // write_atomic renames a complete temporary file over the target; a
    // failed write (here: the directory vanished) leaves the target as is.
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("summary.md");
    report::write_atomic(&target, b"old").unwrap();
    let gone = tmp.path().join("gone/summary.md");
    assert!(report::write_atomic(&gone, b"new").is_err());
    assert_eq!(std::fs::read(&target).unwrap(), b"old");
}

#[cfg(unix)]
#[test]
fn reports_are_readable_by_everyone_not_private_like_temporary_files() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    report::write_all(
        &report_support::suite(5),
        tmp.path(),
        &ReportOptions::default(),
    )
    .unwrap();
    for file in [report::HTML_FILE, report::MARKDOWN_FILE, report::JSON_FILE] {
        let mode = std::fs::metadata(tmp.path().join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o044, 0o044, "{file} has mode {mode:o}");
    }
}
