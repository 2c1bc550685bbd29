//! The HTML report as a reader's browser sees it: parsed with an HTML5
//! parser, names shown literally, nothing injected, every link resolving.

mod report_support;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use perfgate::report::{self, criterion_report_dirs, ReportOptions};
use scraper::{Html, Selector};

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

/// Writes `results` into `<tmp>/my reports` (a space, C08) with a criterion
/// directory holding reports for `with_criterion` ids.
fn write_report(
    results: &perfgate::compare::RunResults,
    with_criterion: &[&str],
) -> (tempfile::TempDir, PathBuf, Html) {
    let tmp = tempfile::tempdir().unwrap();
    let criterion = tmp.path().join("target dir/criterion");
    for id in with_criterion {
        let dir = criterion.join(&criterion_report_dirs(id)[0]).join("report");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "<html></html>").unwrap();
    }
    let dir = tmp.path().join("my reports");
    let opts = ReportOptions {
        criterion_dir: Some(criterion),
        ..ReportOptions::default()
    };
    report::write_all(results, &dir, &opts).unwrap();
    let text = std::fs::read_to_string(dir.join(report::HTML_FILE)).unwrap();
    (tmp, dir, Html::parse_document(&text))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn every_hostile_name_is_shown_literally_and_injects_nothing() {
    let (_tmp, _dir, doc) = write_report(&report_support::hostile(), &[]);
    let text: String = doc.root_element().text().collect();
    for name in report_support::HOSTILE_NAMES {
        assert!(text.contains(name), "{name:?} is not shown literally");
        let in_table = doc
            .select(&sel("table a.name"))
            .any(|a| a.text().collect::<String>() == name);
        assert!(
            in_table,
            "{name:?} has no row of its own in the verdict table"
        );
    }
    assert_eq!(doc.select(&sel("img")).count(), 0, "an <img> was injected");
    assert_eq!(doc.select(&sel("script")).count(), 0, "a <script> exists");
    assert_eq!(doc.select(&sel("iframe, object, embed, link")).count(), 0);
    for el in doc
        .root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
    {
        for (attr, _) in el.value().attrs() {
            assert!(
                !attr.starts_with("on"),
                "event handler attribute {attr} on <{}>",
                el.value().name()
            );
        }
    }
}

#[test]
fn every_local_link_resolves_to_a_file_or_an_anchor() {
    let results = report_support::suite(20);
    let linked = [
        "halo/large_dag",
        "halo/waves/1k",
        report_support::HOSTILE_NAMES[0],
    ];
    let (_tmp, dir, doc) = write_report(&results, &linked);
    let ids: HashSet<&str> = doc
        .select(&sel("[id]"))
        .filter_map(|e| e.value().id())
        .collect();

    let mut files = 0;
    for a in doc.select(&sel("[href]")) {
        let href = a.value().attr("href").unwrap();
        if let Some(anchor) = href.strip_prefix('#') {
            assert!(ids.contains(anchor), "dangling anchor {href}");
        } else {
            assert!(!href.contains("://"), "non-local link {href}");
            let target = dir.join(percent_decode(href));
            assert!(target.is_file(), "{href} does not resolve to a file");
            files += 1;
        }
    }
    // halo/large_dag and halo/waves/1k have criterion reports.
    assert_eq!(files, 2, "criterion reports must be linked when they exist");
}

#[test]
fn the_hostile_criterion_report_is_linked_through_the_same_mapping() {
    let (_tmp, dir, doc) =
        write_report(&report_support::hostile(), &report_support::HOSTILE_NAMES);
    let links: Vec<String> = doc
        .select(&sel("section.bench a[href]"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    assert_eq!(links.len(), report_support::HOSTILE_NAMES.len());
    for href in links {
        assert!(dir.join(percent_decode(&href)).is_file(), "{href}");
    }
}

#[test]
fn each_benchmark_section_has_its_charts_with_marked_samples() {
    let results = report_support::suite(30);
    let (_tmp, _dir, doc) = write_report(&results, &[]);
    for c in &results.comparisons {
        let anchor = format!("#{}", perfgate::names::file_stem(&c.id));
        let section = doc
            .select(&sel("section.bench"))
            .find(|s| s.value().id().unwrap().ends_with(&anchor[1..]))
            .unwrap_or_else(|| panic!("no section for {}", c.id));
        let svgs = section.select(&sel("svg")).count();
        let expected =
            1 + usize::from(!c.records.is_empty()) + usize::from(c.candidate.is_some());
        assert_eq!(svgs, expected, "charts of {}", c.id);
        if c.flagged > 0 {
            let text: String = section.text().collect();
            assert!(
                text.contains(&format!("flagged ({})", c.flagged)),
                "legend of {}",
                c.id
            );
            assert!(text.contains("retaken ("), "legend of {}", c.id);
        }
    }
    // The overview has one row label per benchmark.
    let overview = doc.select(&sel("section svg")).next().unwrap();
    let labels: String = overview.text().collect();
    for c in &results.comparisons {
        assert!(labels.contains(&c.id), "{} missing from the overview", c.id);
    }
}

#[test]
fn zero_spread_and_single_samples_render_without_nan_or_infinity() {
    let (_tmp, dir, doc) = write_report(&report_support::hostile(), &[]);
    for file in [report::HTML_FILE, report::MARKDOWN_FILE, report::JSON_FILE] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        for bad in ["NaN", "nan%", "inf", "Infinity"] {
            assert!(!text.contains(bad), "{file} contains {bad}");
        }
    }
    let text: String = doc.root_element().text().collect();
    assert!(text.contains("not applicable (zero spread)"));
    assert!(text.contains("+3.70%"), "C03 variant: 27 ns against 28 ns");
    // Every chart of the C03 and C04 sections was drawn, none failed.
    assert_eq!(doc.select(&sel(".chart-error")).count(), 0);
}

#[test]
fn the_page_loads_nothing_from_the_network() {
    let (_tmp, dir, _doc) = write_report(&report_support::suite(20), &[]);
    let text = std::fs::read_to_string(dir.join(report::HTML_FILE)).unwrap();
    // `http://` may appear only as the SVG namespace plotters declares.
    let text = text.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    for bad in ["http://", "https://", "@import", "url(", "<script", "<link"] {
        assert!(!text.contains(bad), "page contains {bad}");
    }
}

#[test]
fn a_ten_benchmark_report_with_a_thousand_samples_each_stays_small() {
    let results = report_support::suite(1000);
    let (_tmp, dir, _doc) = write_report(&results, &[]);
    let bytes = std::fs::metadata(dir.join(report::HTML_FILE))
        .unwrap()
        .len();
    assert!(bytes < 2_000_000, "index.html is {bytes} bytes");
}

#[test]
fn html_is_a_pure_function_of_its_inputs() {
    let results = report_support::suite(20);
    let history = report_support::past_history(&results, 5);
    let opts = ReportOptions {
        criterion_dir: None,
        ..ReportOptions::default()
    };
    assert_eq!(
        report::html(&results, &history, &opts),
        report::html(&results, &history, &opts)
    );
}

#[test]
fn criterion_links_climb_out_of_the_report_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let criterion = tmp.path().join("target/criterion/halo/large_dag/report");
    std::fs::create_dir_all(&criterion).unwrap();
    std::fs::write(criterion.join("index.html"), "").unwrap();
    let dir: &Path = &tmp.path().join("reports");
    std::fs::create_dir_all(dir).unwrap();
    let opts = ReportOptions {
        criterion_dir: Some(tmp.path().join("target/criterion")),
        report_dir: dir.to_path_buf(),
        ..ReportOptions::default()
    };
    let page = report::html(&report_support::suite(10), &[], &opts);
    assert!(
        page.contains("href=\"../target/criterion/halo/large_dag/report/index.html\"")
    );
}
