//! The page's charts, drawn with plotters' SVG backend into strings.
//!
//! - [`overview`]: one row per benchmark, its change (dot) with its
//!   confidence interval (bar), the ±threshold of that benchmark (grey band
//!   edged by two lines) and zero. A dot right of the band is a slowdown
//!   beyond what the benchmark may show.
//! - [`distributions`]: baseline and candidate clean samples on one shared
//!   axis, each as a strip of points over a box (quartiles, median, range).
//! - [`timeline`]: every candidate attempt in the order taken, clean,
//!   retaken and flagged samples marked differently, with both medians.
//! - [`trend`]: the candidate median of the last gated runs.
//!
//! Every axis range comes from [`span`], which widens a zero-width range
//! (all samples equal, one sample) and ignores non-finite values, so no
//! chart divides by zero or draws `NaN`. plotters escapes the text it
//! writes into SVG (`<`, `>`, `&`, quotes); labels also get control
//! characters made visible and long ids cut ([`escape::label`]).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::escape;
use super::format;
use super::history::HistoryEntry;
use crate::compare::{Comparison, Verdict};
use crate::sampler::{SampleRecord, SampleStatus};
use crate::units::Nanos;

/// A chart, or why it could not be drawn (shown in its place).
pub type Chart = Result<String, String>;

/// Width of the overview chart, px.
const OVERVIEW_WIDTH: u32 = 1140;
/// Height of one benchmark's row in the overview, px.
const OVERVIEW_ROW: u32 = 30;
/// Room for benchmark names left of the overview, px.
const OVERVIEW_NAMES: u32 = 330;
/// Longest benchmark name drawn in a chart, characters.
const LABEL_CHARS: usize = 44;
/// Size of the per-benchmark charts, px (two fit side by side).
const SMALL: (u32, u32) = (540, 260);
/// Size of the trend chart, px.
const TREND: (u32, u32) = (540, 220);
/// Size of the timeline chart, px (the page's full width: attempts need room).
const TIMELINE: (u32, u32) = (1100, 270);

const FONT: &str = "sans-serif";
const INK: RGBColor = RGBColor(0x26, 0x32, 0x38);
const GRID: RGBColor = RGBColor(0xec, 0xef, 0xf1);
const BAND: RGBColor = RGBColor(0xe3, 0xe8, 0xeb);
const BASELINE: RGBColor = RGBColor(0x90, 0x9a, 0xa3);
const CANDIDATE: RGBColor = RGBColor(0x1e, 0x6f, 0xd9);
const RETAKEN: RGBColor = RGBColor(0xef, 0x8a, 0x00);
const FLAGGED: RGBColor = RGBColor(0xc6, 0x28, 0x28);

/// The colour of a verdict, shared with the page's CSS.
pub fn verdict_color(v: Verdict) -> RGBColor {
    match v {
        Verdict::Regressed => RGBColor(0xc6, 0x28, 0x28),
        Verdict::Improved => RGBColor(0x2e, 0x7d, 0x32),
        Verdict::Inconclusive => RGBColor(0xb2, 0x6a, 0x00),
        Verdict::New => RGBColor(0x15, 0x65, 0xc0),
        Verdict::Missing => RGBColor(0x6a, 0x1b, 0x9a),
        Verdict::Pass => RGBColor(0x54, 0x6e, 0x7a),
    }
}

/// A drawable axis range around `values`: non-finite values are ignored,
/// a zero-width range is widened by 5% of its magnitude (or by 1 at zero),
/// and any other range gets a 6% margin on each side.
pub fn span(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.into_iter().filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi {
        return (0.0, 1.0);
    }
    let pad = if hi - lo > f64::EPSILON * hi.abs().max(1.0) {
        (hi - lo) * 0.06
    } else if lo.abs() > 0.0 {
        lo.abs() * 0.05
    } else {
        1.0
    };
    (lo - pad, hi + pad)
}

/// Runs a drawing closure on a fresh SVG of the given size.
fn svg(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend, Shift>) -> Result<(), String>,
) -> Chart {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        draw(&root)?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(compact(&out))
}

/// Drops attributes plotters writes with their default values, which
/// are a fifth of a scatter plot's bytes.
fn compact(svg: &str) -> String {
    svg.replace(" opacity=\"1\"", "")
        .replace(" stroke-width=\"1\"", "")
        .replace(" stroke=\"none\"", "")
}

fn text_style(size: u32, color: RGBColor, h: HPos) -> TextStyle<'static> {
    (FONT, size)
        .into_font()
        .color(&color)
        .pos(Pos::new(h, VPos::Center))
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// The overview of every benchmark's change, rows in the given order.
pub fn overview(rows: &[&Comparison]) -> Chart {
    let n = rows.len().max(1);
    let height = 70 + OVERVIEW_ROW * n as u32;
    let (lo, hi) = span(rows.iter().flat_map(|c| {
        let i = c.interval.filter(|_| c.change.is_some());
        [
            c.change,
            i.map(|i| i.lo),
            i.map(|i| i.hi),
            Some(c.threshold),
            Some(-c.threshold),
        ]
        .into_iter()
        .flatten()
        .map(|v| v * 100.0)
    }));
    svg((OVERVIEW_WIDTH, height), |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .margin_left(OVERVIEW_NAMES)
            .margin_right(150)
            .x_label_area_size(40)
            .build_cartesian_2d(lo..hi, -0.5..(n as f64 - 0.5))
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .light_line_style(GRID)
            .max_light_lines(2)
            .x_desc(
                "change of the median, % (bar: confidence interval; band: ±threshold)",
            )
            .x_label_formatter(&|v| format!("{v:+.0}%"))
            .label_style((FONT, 15))
            .draw()
            .map_err(err)?;
        for (i, c) in rows.iter().enumerate() {
            let y = (n - 1 - i) as f64;
            draw_overview_row(&mut chart, root, c, y, (lo, hi))?;
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
                INK.stroke_width(1),
            )))
            .map_err(err)?;
        Ok(())
    })
}

type Cart = Cartesian2d<
    plotters::coord::types::RangedCoordf64,
    plotters::coord::types::RangedCoordf64,
>;

fn draw_overview_row(
    chart: &mut ChartContext<SVGBackend, Cart>,
    root: &DrawingArea<SVGBackend, Shift>,
    c: &Comparison,
    y: f64,
    (lo, hi): (f64, f64),
) -> Result<(), String> {
    let color = verdict_color(c.verdict);
    let t = c.threshold * 100.0;
    if t.is_finite() {
        let band = Rectangle::new(
            [(-t.max(lo), y - 0.42), (t.min(hi), y + 0.42)],
            BAND.filled(),
        );
        let edges = [-t, t]
            .into_iter()
            .filter(|x| (lo..=hi).contains(x))
            .map(|x| {
                PathElement::new(
                    vec![(x, y - 0.42), (x, y + 0.42)],
                    BASELINE.stroke_width(2),
                )
            });
        chart.draw_series(std::iter::once(band)).map_err(err)?;
        chart.draw_series(edges).map_err(err)?;
    }
    let change = c.change.filter(|v| v.is_finite()).map(|v| v * 100.0);
    if let (Some(x), Some(i)) = (change, c.interval) {
        if i.lo.is_finite() && i.hi.is_finite() {
            let (a, b) = (i.lo * 100.0, i.hi * 100.0);
            let bar = [
                vec![(a, y), (b, y)],
                vec![(a, y - 0.18), (a, y + 0.18)],
                vec![(b, y - 0.18), (b, y + 0.18)],
            ];
            chart
                .draw_series(
                    bar.into_iter()
                        .map(|p| PathElement::new(p, color.stroke_width(3))),
                )
                .map_err(err)?;
        }
        chart
            .draw_series(std::iter::once(Circle::new((x, y), 6, color.filled())))
            .map_err(err)?;
    }

    let (px, py) = chart.backend_coord(&(lo, y));
    let name = escape::label(&c.id, LABEL_CHARS);
    root.draw(&Text::new(
        name,
        (px - 10, py),
        text_style(17, INK, HPos::Right),
    ))
    .map_err(err)?;
    let (rx, _) = chart.backend_coord(&(hi, y));
    let value = match change {
        Some(_) => format!("{} {}", format::percent(c.change), c.verdict),
        None => c.verdict.to_string(),
    };
    root.draw(&Text::new(
        value,
        (rx + 10, py),
        text_style(17, color, HPos::Left),
    ))
    .map_err(err)?;
    Ok(())
}

/// The label of a count axis (attempts, runs): whole numbers from 0 to
/// `max` only, so a short axis never shows `0, 0, 1, 1` or `-0`.
fn whole_number_label(v: f64, max: f64) -> String {
    let r = v.round();
    if (v - r).abs() < 1e-6 && r >= 0.0 && r <= max {
        format!("{}", r.abs())
    } else {
        String::new()
    }
}

/// Quartiles and range of a sample set (linear interpolation between
/// order statistics), or `None` when it holds no finite value.
fn five_numbers(values: &[f64]) -> Option<[f64; 5]> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let q = |p: f64| {
        let pos = p * (v.len() - 1) as f64;
        let (i, frac) = (pos.floor() as usize, pos.fract());
        let next = v[(i + 1).min(v.len() - 1)];
        v[i] + (next - v[i]) * frac
    };
    Some([v[0], q(0.25), q(0.5), q(0.75), v[v.len() - 1]])
}

/// Evenly spaced positions `0..len`, at most `max` of them.
fn thin(len: usize, max: usize) -> impl Iterator<Item = usize> {
    let step = len.div_ceil(max.max(1)).max(1);
    (0..len).step_by(step)
}

/// Baseline and candidate clean samples on one shared axis.
pub fn distributions(c: &Comparison, max_points: usize) -> Chart {
    let sides = [
        ("baseline", BASELINE, c.baseline.as_ref(), 1.0),
        ("candidate", CANDIDATE, c.candidate.as_ref(), 0.0),
    ];
    let (lo, hi) = span(
        sides
            .iter()
            .filter_map(|s| s.2)
            .flat_map(|s| s.samples.iter().copied()),
    );
    svg(SMALL, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .margin_left(130)
            .margin_right(34)
            .caption("clean samples, baseline vs candidate", (FONT, 17))
            .x_label_area_size(36)
            .build_cartesian_2d(lo..hi, -0.6..1.6)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .light_line_style(GRID)
            .max_light_lines(2)
            .x_labels(5)
            .x_label_formatter(&|v| Nanos(*v).to_string())
            .x_desc(unit_desc(c))
            .label_style((FONT, 14))
            .draw()
            .map_err(err)?;
        for (name, color, side, y) in sides {
            let (px, py) = chart.backend_coord(&(lo, y));
            let label = format!("{name} (n={})", side.map_or(0, |s| s.samples.len()));
            root.draw(&Text::new(
                label,
                (px - 8, py),
                text_style(15, INK, HPos::Right),
            ))
            .map_err(err)?;
            if let Some(side) = side {
                draw_strip(&mut chart, &side.samples, color, y, max_points)?;
            }
        }
        Ok(())
    })
}

fn draw_strip(
    chart: &mut ChartContext<SVGBackend, Cart>,
    samples: &[f64],
    color: RGBColor,
    y: f64,
    max_points: usize,
) -> Result<(), String> {
    // Deterministic jitter (golden-ratio sequence) spreads equal values.
    let points = thin(samples.len(), max_points)
        .filter(|&i| samples[i].is_finite())
        .map(|i| {
            let jitter = ((i as f64 * 0.618_034).fract() - 0.5) * 0.5;
            Circle::new(
                (samples[i], y + 0.15 + jitter * 0.5),
                2,
                color.mix(0.55).filled(),
            )
        });
    chart.draw_series(points).map_err(err)?;

    let Some([min, q1, med, q3, max]) = five_numbers(samples) else {
        return Ok(());
    };
    let (b0, b1) = (y - 0.38, y - 0.08);
    let whisker = PathElement::new(
        vec![(min, y - 0.23), (max, y - 0.23)],
        color.stroke_width(1),
    );
    let caps = [min, max].map(|x| {
        PathElement::new(vec![(x, b0 + 0.06), (x, b1 - 0.06)], color.stroke_width(1))
    });
    chart.draw_series(std::iter::once(whisker)).map_err(err)?;
    chart.draw_series(caps).map_err(err)?;
    chart
        .draw_series([
            Rectangle::new([(q1, b0), (q3, b1)], WHITE.filled()),
            Rectangle::new([(q1, b0), (q3, b1)], color.stroke_width(2)),
        ])
        .map_err(err)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(med, b0 - 0.04), (med, b1 + 0.04)],
            color.stroke_width(4),
        )))
        .map_err(err)?;
    Ok(())
}

/// The x- or y-axis unit of a benchmark's sample values.
fn unit_desc(c: &Comparison) -> &'static str {
    if per_element(c) {
        "time per element"
    } else {
        "time per iteration"
    }
}

/// Clean samples are per element when both sides declare a throughput of
/// the same kind.
fn per_element(c: &Comparison) -> bool {
    use crate::baseline::Throughput::{Bytes, Elements};
    let declared =
        |s: &Option<crate::compare::Side>| s.as_ref().and_then(|s| s.throughput);
    matches!(
        (declared(&c.baseline), declared(&c.candidate)),
        (Some(Elements(_)), Some(Elements(_))) | (Some(Bytes(_)), Some(Bytes(_)))
    )
}

/// A record's time in the unit of the clean samples.
fn record_value(c: &Comparison, r: &SampleRecord) -> f64 {
    let per_iteration = r.per_iteration_ns();
    match c.candidate.as_ref().and_then(|s| s.throughput) {
        Some(t) if per_element(c) && t.per_iteration() > 0 => {
            per_iteration / t.per_iteration() as f64
        }
        _ => per_iteration,
    }
}

/// Indices of the records drawn: every retaken and flagged one (up to
/// half the budget), clean ones thinned evenly into the rest.
fn drawn_records(records: &[SampleRecord], max_points: usize) -> Vec<usize> {
    let marked: Vec<usize> = (0..records.len())
        .filter(|&i| records[i].status != SampleStatus::Clean)
        .collect();
    let marked_budget = (max_points / 2).max(1);
    let mut keep: Vec<usize> = thin(marked.len(), marked_budget)
        .map(|k| marked[k])
        .collect();
    let clean: Vec<usize> = (0..records.len())
        .filter(|&i| records[i].status == SampleStatus::Clean)
        .collect();
    let clean_budget = max_points.saturating_sub(keep.len()).max(1);
    keep.extend(thin(clean.len(), clean_budget).map(|k| clean[k]));
    keep
}

/// Every candidate attempt in the order taken.
pub fn timeline(c: &Comparison, max_points: usize) -> Chart {
    let drawn = drawn_records(&c.records, max_points);
    let value = |i: usize| record_value(c, &c.records[i]);
    let medians = [
        format::baseline_median(c).map(|m| ("baseline median", BASELINE, m)),
        format::candidate_median(c).map(|m| ("candidate median", CANDIDATE, m)),
    ];
    let (ylo, yhi) = span(
        drawn
            .iter()
            .map(|&i| value(i))
            .chain(medians.iter().flatten().map(|m| m.2)),
    );
    let xmax = (c.records.len().max(2) - 1) as f64;
    // An empty strip right of the last attempt holds the legend, so it
    // never hides a sample.
    let legend_room = (xmax + 1.0) * 0.22;
    svg(TIMELINE, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .margin_right(20)
            .caption(
                "candidate samples in the order taken (every attempt, retakes included)",
                (FONT, 17),
            )
            .x_label_area_size(36)
            .y_label_area_size(78)
            .build_cartesian_2d(-0.5..xmax + 0.5 + legend_room, ylo..yhi)
            .map_err(err)?;
        chart
            .configure_mesh()
            .light_line_style(GRID)
            .max_light_lines(2)
            .x_desc("attempt order")
            .y_desc(unit_desc(c))
            .x_labels(12)
            .y_labels(5)
            .x_label_formatter(&|v| whole_number_label(*v, xmax))
            .y_label_formatter(&|v| Nanos(*v).to_string())
            .label_style((FONT, 14))
            .draw()
            .map_err(err)?;
        for (label, color, m) in medians.into_iter().flatten() {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(-0.5, m), (xmax + 0.5, m)],
                    color.stroke_width(2),
                )))
                .map_err(err)?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
                });
        }
        draw_marked_series(&mut chart, c, &drawn)?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(GRID)
            .label_font((FONT, 14))
            .draw()
            .map_err(err)?;
        Ok(())
    })
}

fn draw_marked_series(
    chart: &mut ChartContext<SVGBackend, Cart>,
    c: &Comparison,
    drawn: &[usize],
) -> Result<(), String> {
    let pts = |status: SampleStatus| {
        drawn
            .iter()
            .filter(move |&&i| c.records[i].status == status)
            .map(move |&i| (i as f64, record_value(c, &c.records[i])))
            .filter(|p| p.1.is_finite())
    };
    let count =
        |status: SampleStatus| c.records.iter().filter(|r| r.status == status).count();

    chart
        .draw_series(
            pts(SampleStatus::Clean).map(|p| Circle::new(p, 2, CANDIDATE.filled())),
        )
        .map_err(err)?
        .label(format!("clean ({})", count(SampleStatus::Clean)))
        .legend(|(x, y)| Circle::new((x + 8, y), 3, CANDIDATE.filled()));
    chart
        .draw_series(
            pts(SampleStatus::Retaken)
                .map(|p| TriangleMarker::new(p, 5, RETAKEN.filled())),
        )
        .map_err(err)?
        .label(format!("retaken ({})", count(SampleStatus::Retaken)))
        .legend(|(x, y)| TriangleMarker::new((x + 8, y), 5, RETAKEN.filled()));
    chart
        .draw_series(
            pts(SampleStatus::Flagged).map(|p| Cross::new(p, 5, FLAGGED.stroke_width(2))),
        )
        .map_err(err)?
        .label(format!("flagged ({})", count(SampleStatus::Flagged)))
        .legend(|(x, y)| Cross::new((x + 8, y), 5, FLAGGED.stroke_width(2)));
    Ok(())
}

/// The candidate median of a benchmark over the history's runs, oldest
/// first, with the baseline median as a reference line; `None` when no run
/// holds the benchmark.
pub fn trend(c: &Comparison, history: &[HistoryEntry]) -> Option<Chart> {
    let points: Vec<(f64, f64)> = history
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.medians.get(&c.id).map(|&m| (i as f64 + 1.0, m)))
        .filter(|p| p.1.is_finite())
        .collect();
    let last = *points.last()?;
    let baseline = format::baseline_median(c).filter(|m| m.is_finite());
    let (ylo, yhi) = span(points.iter().map(|p| p.1).chain(baseline));
    // Headroom above the line keeps the legend off the data.
    let yhi = yhi + (yhi - ylo) * 0.4;
    let xmax = history.len().max(2) as f64;
    Some(svg(TREND, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .margin_right(20)
            .caption(
                format!("candidate median, last {} gated runs", history.len()),
                (FONT, 17),
            )
            .x_label_area_size(36)
            .y_label_area_size(78)
            .build_cartesian_2d(0.5..xmax + 0.5, ylo..yhi)
            .map_err(err)?;
        chart
            .configure_mesh()
            .light_line_style(GRID)
            .max_light_lines(2)
            .x_desc("gated run (oldest to newest)")
            .x_labels(8)
            .y_labels(4)
            .x_label_formatter(&|v| whole_number_label(*v, xmax))
            .y_label_formatter(&|v| Nanos(*v).to_string())
            .label_style((FONT, 14))
            .draw()
            .map_err(err)?;
        if let Some(m) = baseline {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(0.5, m), (xmax + 0.5, m)],
                    BASELINE.stroke_width(2),
                )))
                .map_err(err)?
                .label("baseline median")
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], BASELINE.stroke_width(2))
                });
        }
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                CANDIDATE.stroke_width(2),
            ))
            .map_err(err)?
            .label("candidate median (circled: this run)")
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 16, y)], CANDIDATE.stroke_width(2))
            });
        chart
            .draw_series(
                points
                    .iter()
                    .map(|&p| Circle::new(p, 3, CANDIDATE.filled())),
            )
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Circle::new(last, 7, INK.stroke_width(2))))
            .map_err(err)?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(GRID)
            .label_font((FONT, 14))
            .draw()
            .map_err(err)?;
        Ok(())
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_widens_a_zero_width_range_and_ignores_non_finite_values() {
        assert_eq!(span([27.0, 27.0]), (27.0 - 1.35, 27.0 + 1.35));
        assert_eq!(span([0.0]), (-1.0, 1.0));
        assert_eq!(span([]), (0.0, 1.0));
        assert_eq!(span([f64::NAN, f64::INFINITY]), (0.0, 1.0));
        let (lo, hi) = span([1e17, 1e17]);
        assert!(lo < 1e17 && hi > 1e17);
    }

    #[test]
    fn five_numbers_of_one_sample_are_that_sample() {
        assert_eq!(five_numbers(&[3.0]), Some([3.0; 5]));
        assert_eq!(
            five_numbers(&[1.0, 2.0, 3.0, 4.0, 5.0]),
            Some([1.0, 2.0, 3.0, 4.0, 5.0])
        );
        assert_eq!(five_numbers(&[f64::NAN]), None);
    }

    #[test]
    fn count_axes_label_only_whole_numbers_in_range() {
        assert_eq!(whole_number_label(0.0, 3.0), "0");
        assert_eq!(whole_number_label(-0.0, 3.0), "0");
        assert_eq!(whole_number_label(0.5, 3.0), "");
        assert_eq!(whole_number_label(-1.0, 3.0), "");
        assert_eq!(whole_number_label(4.0, 3.0), "");
    }

    #[test]
    fn thinning_never_exceeds_the_budget_and_keeps_the_first_point() {
        let kept: Vec<usize> = thin(1000, 300).collect();
        assert!(kept.len() <= 300);
        assert_eq!(kept[0], 0);
        assert_eq!(thin(5, 300).count(), 5);
    }
}
