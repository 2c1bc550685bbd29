//! The Markdown summary, fit for a pull-request comment and for
//! `$GITHUB_STEP_SUMMARY`: a headline with the counts per verdict and the
//! exit status, the verdict table, then notes and warnings.

use std::fmt::Write;

use super::escape;
use super::format;
use crate::compare::{Comparison, RunResults, Verdict};

/// The Markdown summary of a run. Every id and note is escaped for a
/// table cell or list item ([`escape::markdown`]).
pub fn markdown(results: &RunResults) -> String {
    let mut out = String::new();
    push_headline(&mut out, results);
    push_table(&mut out, results);
    push_notes(&mut out, results);
    push_footer(&mut out, results);
    out
}

fn push_headline(out: &mut String, results: &RunResults) {
    let mark = match results.exit_status {
        0 => "✅",
        1 => "❌",
        3 => "⚠️",
        _ => "⛔",
    };
    let _ = writeln!(
        out,
        "## {mark} perfgate: {} — exit status {} ({})\n",
        format::counts_sentence(results),
        results.exit_status,
        format::exit_meaning(results.exit_status)
    );
}

fn push_table(out: &mut String, results: &RunResults) {
    if results.comparisons.is_empty() {
        out.push_str("No benchmark was compared.\n\n");
        return;
    }
    let _ = writeln!(
        out,
        "| benchmark | baseline | candidate | change [{} interval] | p-value | threshold | verdict | retakes |",
        format::confidence_label(results)
    );
    out.push_str("|---|--:|--:|--:|--:|--:|---|--:|\n");
    for c in format::ordered(results) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            escape::markdown(&c.id),
            format::nanos(format::baseline_median(c)),
            format::nanos(format::candidate_median(c)),
            format::change_with_interval(c),
            format::p_value(c, format::P_ZERO_SPREAD),
            format::threshold(c.threshold),
            verdict_cell(c.verdict),
            format::retakes(c),
        );
    }
    out.push('\n');
}

fn verdict_cell(v: Verdict) -> String {
    match v {
        Verdict::Regressed => "**regressed**".to_string(),
        Verdict::Inconclusive => "*inconclusive*".to_string(),
        other => other.to_string(),
    }
}

fn push_notes(out: &mut String, results: &RunResults) {
    let noted: Vec<&Comparison> = format::ordered(results)
        .into_iter()
        .filter(|c| !c.notes.is_empty() || c.renamed_from.is_some())
        .collect();
    if results.warnings.is_empty() && noted.is_empty() {
        return;
    }
    out.push_str("### Notes\n\n");
    for w in &results.warnings {
        let _ = writeln!(out, "- {}", escape::markdown(w));
    }
    for c in noted {
        let id = escape::markdown(&c.id);
        if let Some(from) = &c.renamed_from {
            let _ = writeln!(
                out,
                "- {id}: compared with the baseline of {}",
                escape::markdown(from)
            );
        }
        for n in &c.notes {
            let _ = writeln!(out, "- {id}: {}", escape::markdown(n));
        }
    }
    out.push('\n');
}

fn push_footer(out: &mut String, results: &RunResults) {
    if let Some(line) = format::canary_sentence(results) {
        let _ = writeln!(out, "{}\n", escape::markdown(&line));
    }
    let commit = results.git_commit.as_deref().unwrap_or("unknown commit");
    let _ = writeln!(
        out,
        "<sub>perfgate {} · {} · {} · {} ({} logical cores) · {}</sub>",
        escape::markdown(&results.perfgate_version),
        escape::markdown(commit),
        escape::markdown(&results.created_at),
        escape::markdown(&results.machine.cpu_model),
        results.machine.logical_cores,
        escape::markdown(&format::settings_sentence(results)),
    );
}
