//! The verdict table printed to the terminal at the end of a run.
//!
//! Columns are padded by character count of the uncoloured text, so the
//! ANSI colour codes added when `color` is set never shift a column.
//!
//! TODO(#5): ids with double-width characters (CJK, emoji) misalign the
//! columns after them, since widths count characters, not terminal cells;
//! fixable with a display-width table (the `unicode-width` crate) once such
//! ids show up in real suites.
//! Ids have their control characters made visible, so a name with a
//! newline or an escape sequence cannot break the table or the terminal.

use super::escape;
use super::format;
use crate::compare::{Comparison, RunResults, Verdict};

const HEADERS: [&str; 8] = [
    "benchmark",
    "baseline",
    "candidate",
    "change [interval]",
    "p-value",
    "threshold",
    "verdict",
    "retakes",
];

/// Columns holding numbers, aligned to the right.
const RIGHT_ALIGNED: [bool; 8] = [false, true, true, true, true, true, false, true];

/// The verdict table: benchmark, baseline median, candidate median, change
/// with its interval, p-value, threshold, verdict and retakes, one row per
/// benchmark in report order, the benchmarks' notes, then a line with the
/// counts per verdict and the exit status. With `color`, verdicts and the count line are coloured
/// by verdict (ANSI escape codes).
pub fn terminal_table(results: &RunResults, color: bool) -> String {
    let rows: Vec<(Verdict, [String; 8])> = format::ordered(results)
        .into_iter()
        .map(|c| (c.verdict, row(c)))
        .collect();
    let widths = column_widths(rows.iter().map(|(_, r)| r));

    let mut out = String::new();
    push_line(&mut out, &HEADERS.map(String::from), &widths, None);
    let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
    out.push_str(rule.join("  ").as_str());
    out.push('\n');
    for (verdict, cells) in &rows {
        push_line(&mut out, cells, &widths, color.then_some(*verdict));
    }
    out.push_str(&notes(results));
    out.push_str(&footer(results, color));
    out
}

/// The notes of each benchmark (why it is `inconclusive`, how to record a
/// `new` one, which baseline a renamed one was compared with), one line
/// each under the table, so the terminal says what the verdicts mean and
/// what to do without opening the reports.
fn notes(results: &RunResults) -> String {
    let mut out = String::new();
    for c in format::ordered(results) {
        let id = escape::visible(&c.id);
        if let Some(from) = &c.renamed_from {
            let from = escape::visible(from);
            out.push_str(&format!("  {id}: compared with the baseline of {from}\n"));
        }
        for n in &c.notes {
            out.push_str(&format!("  {id}: {}\n", escape::visible(n)));
        }
    }
    if out.is_empty() {
        return out;
    }
    format!("\nnotes:\n{out}")
}

fn row(c: &Comparison) -> [String; 8] {
    [
        escape::visible(&c.id),
        format::nanos(format::baseline_median(c)),
        format::nanos(format::candidate_median(c)),
        format::change_with_interval(c),
        format::p_value(c, "n/a (zero spread)"),
        format::threshold(c.threshold),
        c.verdict.to_string(),
        format::retakes(c),
    ]
}

fn column_widths<'a>(rows: impl Iterator<Item = &'a [String; 8]>) -> [usize; 8] {
    let mut widths = HEADERS.map(|h| h.chars().count());
    for r in rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    widths
}

fn push_line(
    out: &mut String,
    cells: &[String; 8],
    widths: &[usize; 8],
    color: Option<Verdict>,
) {
    let mut parts = Vec::with_capacity(8);
    for (i, cell) in cells.iter().enumerate() {
        let pad = " ".repeat(widths[i] - cell.chars().count());
        let text = match color {
            // Column 6 is the verdict.
            Some(v) if i == 6 => paint(cell, v),
            _ => cell.clone(),
        };
        parts.push(if RIGHT_ALIGNED[i] {
            format!("{pad}{text}")
        } else {
            format!("{text}{pad}")
        });
    }
    out.push_str(parts.join("  ").trim_end());
    out.push('\n');
}

fn footer(results: &RunResults, color: bool) -> String {
    let counts: Vec<String> = format::verdict_counts(results)
        .into_iter()
        .map(|(v, n)| {
            let text = format!("{n} {v}");
            if color {
                paint(&text, v)
            } else {
                text
            }
        })
        .collect();
    let counts = if counts.is_empty() {
        "no benchmarks".to_string()
    } else {
        counts.join(", ")
    };
    let canary = format::canary_sentence(results)
        .map(|line| format!("\n{line}"))
        .unwrap_or_default();
    format!(
        "{canary}\n{counts}; exit status {} ({})\n",
        results.exit_status,
        format::exit_meaning(results.exit_status)
    )
}

/// Wraps text in the ANSI colour of its verdict.
fn paint(text: &str, v: Verdict) -> String {
    let code = match v {
        Verdict::Regressed => "1;31",
        Verdict::Improved => "32",
        Verdict::Inconclusive => "33",
        Verdict::New => "36",
        Verdict::Missing => "35",
        Verdict::Pass => "2",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}
