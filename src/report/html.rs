//! The self-contained HTML page: inline CSS, inline SVG charts, no script
//! and nothing fetched from the network.
//!
//! Top to bottom: a banner coloured by the worst verdict with the counts and
//! the exit status; the run header (machine, commit, time, settings,
//! warnings); the verdict table; the overview chart of every change against
//! its threshold; then one section per benchmark with its numbers, notes,
//! a link to criterion's report when one exists, and its charts.
//!
//! Text is escaped with [`escape::html`]; ids of sections come from
//! [`escape::anchor`]; charts are plotters SVG, whose text plotters escapes.

use std::fmt::Write;

use super::charts::{self, Chart};
use super::criterion_link;
use super::escape::{self, html as esc};
use super::format;
use super::history::HistoryEntry;
use super::ReportOptions;
use crate::compare::{Comparison, RunResults, Verdict};

/// The HTML page of a run. `history` (oldest first) feeds the trend
/// charts; links to criterion's reports are relative to
/// [`ReportOptions::report_dir`].
pub fn html(
    results: &RunResults,
    history: &[HistoryEntry],
    opts: &ReportOptions,
) -> String {
    let rows = format::ordered(results);
    let mut page = String::with_capacity(256 * 1024);
    push_head(&mut page, results);
    push_banner(&mut page, results);
    push_run_header(&mut page, results);
    push_table(&mut page, results, &rows);
    push_overview(&mut page, &rows);
    for c in &rows {
        push_benchmark(&mut page, c, history, opts);
    }
    let _ = write!(
        page,
        "</main>\n<footer>perfgate {} · results.json holds every number on this page</footer>\n</body>\n</html>\n",
        esc(&results.perfgate_version)
    );
    page
}

const CSS: &str = r#"
:root { --ink:#263238; --muted:#607d8b; --line:#dde3e7; --bg:#f6f8f9;
  --regressed:#c62828; --improved:#2e7d32; --inconclusive:#b26a00;
  --new:#1565c0; --missing:#6a1b9a; --pass:#546e7a; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: var(--bg); }
main, header.banner > div, footer { max-width: 1200px; margin: 0 auto; padding: 0 20px; }
header.banner { color: #fff; padding: 18px 0 16px; background: var(--pass); }
header.banner h1 { margin: 0; font-size: 26px; }
header.banner p { margin: 4px 0 0; font-size: 17px; }
header.banner p.attention { font-size: 19px; font-weight: 600; }
header.banner a { color: #fff; }
.b-regressed { background: var(--regressed) !important; }
.b-inconclusive { background: var(--inconclusive) !important; }
.b-missing { background: var(--missing) !important; }
.b-improved, .b-pass, .b-new { background: #2e7d32 !important; }
.b-error { background: #37474f !important; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px;
  margin: 16px 0; padding: 12px 16px; }
h2 { font-size: 18px; margin: 4px 0 10px; }
dl.run { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 0; }
dl.run dt { color: var(--muted); }
dl.run dd { margin: 0; }
.warn { color: var(--inconclusive); }
table { border-collapse: collapse; width: 100%; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: right;
  vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 13px; }
th:first-child, td:first-child, td.v, th.v { text-align: left; }
td { white-space: nowrap; }
td:first-child { white-space: normal; max-width: 360px; }
tr.regressed td { background: #fdecea; }
tr.inconclusive td { background: #fff6e5; }
.name { white-space: pre-wrap; overflow-wrap: anywhere; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 14px; }
.pill { display: inline-block; padding: 0 9px; border-radius: 10px; color: #fff;
  font-size: 13px; font-weight: 600; }
.v-regressed { background: var(--regressed); } .v-improved { background: var(--improved); }
.v-inconclusive { background: var(--inconclusive); } .v-new { background: var(--new); }
.v-missing { background: var(--missing); } .v-pass { background: var(--pass); }
.up { color: var(--regressed); font-weight: 600; } .down { color: var(--improved); font-weight: 600; }
.charts { display: flex; flex-wrap: wrap; gap: 8px; }
.charts > div { flex: 0 1 540px; }
.charts > div.wide { flex: 1 1 100%; }
svg { max-width: 100%; height: auto; display: block; }
.bench h2 { display: flex; gap: 12px; align-items: baseline; }
.facts { margin: 0 0 8px; }
.notes { margin: 4px 0 8px; padding-left: 20px; color: var(--muted); }
.chart-error { color: var(--regressed); }
footer { color: var(--muted); font-size: 13px; padding-bottom: 24px; }
"#;

fn push_head(page: &mut String, results: &RunResults) {
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>perfgate: {}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        esc(&format::counts_sentence(results))
    );
}

/// The banner takes the colour of the worst verdict, so the page answers
/// "did anything get slower?" before it is read.
fn push_banner(page: &mut String, results: &RunResults) {
    let class = match results.exit_status {
        1 => "b-regressed",
        2 => "b-error",
        3 => "b-inconclusive",
        _ => match format::verdict_counts(results).first() {
            Some((Verdict::Missing, _)) => "b-missing",
            _ => "b-pass",
        },
    };
    let _ = write!(
        page,
        "<header class=\"banner {class}\"><div><h1>perfgate: {}</h1>\
         <p>exit status {} ({}) · {} benchmark(s) · commit {}</p>{}</div></header>\n<main>\n",
        esc(&format::counts_sentence(results)),
        results.exit_status,
        format::exit_meaning(results.exit_status),
        results.comparisons.len(),
        esc(results.git_commit.as_deref().unwrap_or("unknown")),
        attention_list(results),
    );
}

/// The benchmarks a reader must look at (regressed, inconclusive,
/// missing), each linked to its section with its change.
fn attention_list(results: &RunResults) -> String {
    let mut out = String::new();
    for v in [Verdict::Regressed, Verdict::Inconclusive, Verdict::Missing] {
        let items: Vec<String> = format::ordered(results)
            .into_iter()
            .filter(|c| c.verdict == v)
            .map(|c| {
                format!(
                    "<a class=\"name\" href=\"#{}\">{}</a> {}",
                    escape::anchor(&c.id),
                    esc(&c.id),
                    esc(&c
                        .change
                        .map(|_| format::percent(c.change))
                        .unwrap_or_default())
                )
            })
            .collect();
        if !items.is_empty() {
            let _ = write!(out, "<p class=\"attention\">{v}: {}</p>", items.join(" · "));
        }
    }
    out
}

fn push_run_header(page: &mut String, results: &RunResults) {
    let m = &results.machine;
    let facts = [
        ("time", results.created_at.clone()),
        (
            "commit",
            results
                .git_commit
                .clone()
                .unwrap_or_else(|| "unknown".into()),
        ),
        (
            "machine",
            format!(
                "{} · {} logical cores · {} {} · kernel {}",
                m.cpu_model, m.logical_cores, m.os, m.arch, m.kernel
            ),
        ),
        ("build", format!("{} · profile {}", m.rustc, m.profile)),
        ("settings", format::settings_sentence(results)),
        ("perfgate", results.perfgate_version.clone()),
    ];
    let canary = format::canary_sentence(results).map(|line| ("machine speed", line));
    let facts = facts.into_iter().chain(canary);
    page.push_str("<section><h2>Run</h2><dl class=\"run\">");
    for (k, v) in facts {
        let _ = write!(page, "<dt>{k}</dt><dd>{}</dd>", esc(&v));
    }
    page.push_str("</dl>");
    for w in &results.warnings {
        let _ = write!(page, "<p class=\"warn\">warning: {}</p>", esc(w));
    }
    page.push_str("</section>\n");
}

fn push_table(page: &mut String, results: &RunResults, rows: &[&Comparison]) {
    let _ = write!(
        page,
        "<section><h2>Verdicts</h2><table>\n<thead><tr><th>benchmark</th><th>baseline</th>\
         <th>candidate</th><th>change [{} interval]</th><th>p-value</th><th>threshold</th>\
         <th class=\"v\">verdict</th><th>retakes</th></tr></thead>\n<tbody>\n",
        esc(&format::confidence_label(results))
    );
    for c in rows {
        let _ = writeln!(
            page,
            "<tr class=\"{v}\"><td><a class=\"name\" href=\"#{a}\">{id}</a></td><td>{b}</td>\
             <td>{k}</td><td class=\"{dir}\">{ch}</td><td>{p}</td><td>{t}</td>\
             <td class=\"v\"><span class=\"pill v-{v}\">{v}</span></td><td>{r}</td></tr>",
            v = c.verdict,
            a = escape::anchor(&c.id),
            id = esc(&c.id),
            b = esc(&format::nanos(format::baseline_median(c))),
            k = esc(&format::nanos(format::candidate_median(c))),
            dir = direction_class(c),
            ch = esc(&format::change_with_interval(c)),
            p = esc(&format::p_value(c, format::P_ZERO_SPREAD)),
            t = esc(&format::threshold(c.threshold)),
            r = esc(&format::retakes(c)),
        );
    }
    page.push_str("</tbody></table></section>\n");
}

/// `up` for a change beyond the threshold (slower), `down` for one beyond
/// it the other way, so the change column shows direction in colour.
fn direction_class(c: &Comparison) -> &'static str {
    match c.change {
        Some(x) if x.is_finite() && x > c.threshold => "up",
        Some(x) if x.is_finite() && x < -c.threshold => "down",
        _ => "",
    }
}

fn push_chart(page: &mut String, chart: Chart) {
    match chart {
        Ok(svg) => page.push_str(&svg),
        Err(e) => {
            log::warn!("a report chart could not be drawn: {e}");
            let _ = write!(
                page,
                "<p class=\"chart-error\">chart could not be drawn: {}</p>",
                esc(&e)
            );
        }
    }
}

fn push_overview(page: &mut String, rows: &[&Comparison]) {
    if rows.is_empty() {
        return;
    }
    page.push_str("<section><h2>Change of every benchmark</h2>\n");
    push_chart(page, charts::overview(rows));
    page.push_str("</section>\n");
}

fn push_benchmark(
    page: &mut String,
    c: &Comparison,
    history: &[HistoryEntry],
    opts: &ReportOptions,
) {
    let _ = write!(
        page,
        "<section class=\"bench\" id=\"{}\"><h2><span class=\"name\">{}</span>\
         <span class=\"pill v-{v}\">{v}</span></h2>\n<p class=\"facts\">{}</p>\n",
        escape::anchor(&c.id),
        esc(&c.id),
        esc(&facts_sentence(c)),
        v = c.verdict,
    );
    push_notes(page, c);
    let link = opts
        .criterion_dir
        .as_deref()
        .and_then(|dir| criterion_link::link(&c.id, dir, &opts.report_dir));
    if let Some(href) = link {
        let _ = writeln!(
            page,
            "<p><a href=\"{}\">criterion's report of this benchmark</a></p>",
            esc(&href)
        );
    }
    page.push_str("<div class=\"charts\">");
    if c.baseline.is_some() || c.candidate.is_some() {
        page.push_str("<div>");
        push_chart(page, charts::distributions(c, opts.max_points));
        page.push_str("</div>");
    }
    if let Some(chart) = charts::trend(c, history) {
        page.push_str("<div>");
        push_chart(page, chart);
        page.push_str("</div>");
    }
    if !c.records.is_empty() {
        page.push_str("<div class=\"wide\">");
        push_chart(page, charts::timeline(c, opts.max_points));
        page.push_str("</div>");
    }
    page.push_str("</div></section>\n");
}

fn push_notes(page: &mut String, c: &Comparison) {
    if c.notes.is_empty() && c.renamed_from.is_none() {
        return;
    }
    page.push_str("<ul class=\"notes\">");
    if let Some(from) = &c.renamed_from {
        let _ = write!(
            page,
            "<li>compared with the baseline of <span class=\"name\">{}</span></li>",
            esc(from)
        );
    }
    for n in &c.notes {
        let _ = write!(page, "<li>{}</li>", esc(n));
    }
    page.push_str("</ul>\n");
}

/// `median 1.20 µs → 1.35 µs, change +12.50% [+10.1%, +14.9%], p < 0.001,
/// threshold 5.0%, 3 retakes (1 flagged), confirmed by 1 re-measurement`.
fn facts_sentence(c: &Comparison) -> String {
    let mut s = format!(
        "median {} → {}, change {}, p-value {}, threshold {}, retakes {}",
        format::nanos(format::baseline_median(c)),
        format::nanos(format::candidate_median(c)),
        format::change_with_interval(c),
        format::p_value(c, format::P_ZERO_SPREAD),
        format::threshold(c.threshold),
        format::retakes(c),
    );
    if c.confirmations > 0 {
        let _ = write!(s, ", confirmed by {} re-measurement(s)", c.confirmations);
    }
    s
}
