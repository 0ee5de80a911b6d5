//! Dot-and-whisker charts for a comparison: one row per strategy, the paired difference of one
//! metric against the baseline as a dot with its interval as a whisker, a vertical line at zero,
//! the baseline's own row marked.

use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::canvas::{
    Axis, Legend, Plane, RIGHT_MARGIN, Y_LABEL_AREA, finite_range, label_px, plane, split_legend,
};
use crate::error::Error;
use crate::frame::draw_error;
use crate::style::{DEFAULT_SIZE, Glyph, INK, MODEL, dot};

/// Half-height of a whisker's caps, pixels.
const CAP_PX: i32 = 6;
/// Height of one row, pixels (used by [`DotWhiskerChart::new`]).
const ROW_PX: u32 = 34;
/// Share of the chart's width the row labels may take.
const MAX_LABEL_SHARE: f64 = 0.4;

/// One strategy's difference against the baseline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DotRow {
    /// The strategy's name.
    pub label: String,
    /// The mean paired difference (strategy − baseline), in the chart's unit.
    pub mean: f64,
    /// Lower end of its interval; NaN with `hi` when there is none (one replication).
    pub lo: f64,
    /// Upper end of its interval.
    pub hi: f64,
    /// This row is the baseline (its difference is 0 by definition).
    pub baseline: bool,
}

/// Everything a dot-and-whisker chart shows.
#[derive(Clone, Debug, PartialEq)]
pub struct DotWhiskerChart {
    /// What the chart shows, in words: "Unmet demand against the baseline".
    pub title: String,
    /// The x axis words with the unit: "difference in unmet demand (t)".
    pub x_label: String,
    /// Rows, drawn top to bottom in this order.
    pub rows: Vec<DotRow>,
    /// What the whisker is, for the legend: "95% interval (paired)".
    pub interval: String,
    /// What the dot is, for the legend: "mean".
    pub dot: String,
    /// What the vertical line at zero means, for the legend: "no difference".
    pub reference: String,
    /// A sentence under the legend (may be empty).
    pub note: String,
    /// Width and height in pixels.
    pub size: (u32, u32),
}

impl DotWhiskerChart {
    /// A chart of `rows` with a 95% paired interval, A4 width, as tall as the rows need.
    #[must_use]
    pub fn new(title: impl Into<String>, x_label: impl Into<String>, rows: Vec<DotRow>) -> Self {
        let n = u32::try_from(rows.len()).unwrap_or(u32::MAX).min(40);
        Self {
            title: title.into(),
            x_label: x_label.into(),
            rows,
            interval: "95% interval of the paired difference".into(),
            dot: "mean".into(),
            reference: "no difference".into(),
            note: String::new(),
            size: (DEFAULT_SIZE.0, (140 + ROW_PX * n).max(220)),
        }
    }
}

/// Checks a row: a finite mean, and either no interval (both ends NaN) or lo ≤ mean ≤ hi.
fn check(title: &str, row: &DotRow) -> Result<(), Error> {
    let bad = |why: String| Error::Invalid {
        what: title.to_owned(),
        why: format!("row `{}`: {why}", row.label),
    };
    if !row.mean.is_finite() {
        return Err(bad(format!("mean {}; expected a number", row.mean)));
    }
    match (row.lo.is_nan(), row.hi.is_nan()) {
        (true, true) => Ok(()),
        (false, false) if row.lo.is_finite() && row.hi.is_finite() => {
            if row.lo <= row.mean && row.mean <= row.hi {
                Ok(())
            } else {
                Err(bad(format!(
                    "mean {} outside its interval [{}, {}]; expected lo ≤ mean ≤ hi",
                    row.mean, row.lo, row.hi
                )))
            }
        }
        _ => Err(bad(format!(
            "interval [{}, {}]; expected two finite ends, or both NaN for none",
            row.lo, row.hi
        ))),
    }
}

/// `text` cut to about `px` pixels of label text, with an ellipsis.
fn fit(text: &str, px: u32) -> String {
    if label_px(text) <= px {
        return text.to_owned();
    }
    let mut out: String = text.to_owned();
    while !out.is_empty() && label_px(&out) + label_px("…") > px {
        out.pop();
    }
    format!("{}…", out.trim_end())
}

/// The dot-and-whisker chart as a standalone SVG document.
///
/// # Errors
/// [`Error::Empty`] without rows; [`Error::Invalid`] naming the first row whose mean is not a
/// number or lies outside its interval; [`Error::Draw`] if the plotting library fails (a bug).
pub fn dot_whisker_svg(chart: &DotWhiskerChart) -> Result<String, Error> {
    if chart.rows.is_empty() {
        return Err(Error::Empty {
            what: chart.title.clone(),
            why: "no strategy".into(),
        });
    }
    for row in &chart.rows {
        check(&chart.title, row)?;
    }
    let n = chart.rows.len();
    let (lo, hi) = finite_range(
        chart
            .rows
            .iter()
            .flat_map(|r| [r.mean, r.lo, r.hi])
            .chain([0.0]),
    )
    .unwrap_or((0.0, 0.0));
    let pad = (hi - lo) * 0.05;
    let x_axis = Axis::nice(lo - pad, hi + pad);
    // Labels bottom to top: the first row at the top.
    let words: Vec<String> = chart
        .rows
        .iter()
        .rev()
        .map(|r| {
            if r.baseline {
                format!("{} (baseline)", r.label)
            } else {
                r.label.clone()
            }
        })
        .collect();
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a share of the chart's width"
    )]
    let room = (f64::from(chart.size.0) * MAX_LABEL_SHARE) as u32;
    let widest = words.iter().map(|w| label_px(w)).max().unwrap_or(0);
    let y_label_area = (widest + 24).clamp(Y_LABEL_AREA, room.max(Y_LABEL_AREA));
    let words: Vec<String> = words.iter().map(|w| fit(w, y_label_area - 20)).collect();
    let y_axis = Axis::categories(&words, 1);
    let y_of = |k: usize| (n - 1 - k) as f64;

    let mut entries = vec![(
        Glyph::Whisker(MODEL),
        format!("{} and {}", chart.dot, chart.interval),
    )];
    if chart.rows.iter().any(|r| r.baseline) {
        entries.push((Glyph::Dot(INK, false), "baseline (0 by definition)".into()));
    }
    entries.push((Glyph::Line(INK), chart.reference.clone()));
    let mut note = chart.note.clone();
    if chart.rows.iter().any(|r| !r.baseline && r.lo.is_nan()) {
        if !note.is_empty() {
            note.push(' ');
        }
        note.push_str("A dot without a whisker has no interval (too few replications).");
    }
    let legend = Legend { entries, note };

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, chart.size).into_drawing_area();
        let err = draw_error::<std::io::Error>(&chart.title);
        let (plot, strip) = split_legend(&root, &chart.title, &legend)?;
        let mut ctx = plane(
            &plot,
            &Plane {
                title: &chart.title,
                x_label: &chart.x_label,
                y_label: "",
                x: &x_axis,
                y: &y_axis,
                y_label_area,
                right_margin: RIGHT_MARGIN,
            },
        )?;
        ctx.draw_series([PathElement::new(
            vec![(0.0, y_axis.range.0), (0.0, y_axis.range.1)],
            INK.stroke_width(1),
        )])
        .map_err(&err)?;
        for (k, row) in chart.rows.iter().enumerate() {
            let y = y_of(k);
            if row.baseline {
                ctx.draw_series([EmptyElement::at((row.mean, y)) + dot((0, 0), INK, false)])
                    .map_err(&err)?;
                continue;
            }
            if row.lo.is_finite() {
                let style = MODEL.stroke_width(2);
                let cap = || PathElement::new(vec![(0, -CAP_PX), (0, CAP_PX)], style);
                ctx.draw_series([PathElement::new(vec![(row.lo, y), (row.hi, y)], style)])
                    .map_err(&err)?;
                ctx.draw_series([
                    EmptyElement::at((row.lo, y)) + cap(),
                    EmptyElement::at((row.hi, y)) + cap(),
                ])
                .map_err(&err)?;
            }
            ctx.draw_series([EmptyElement::at((row.mean, y)) + dot((0, 0), MODEL, true)])
                .map_err(&err)?;
        }
        legend.draw(&strip).map_err(&err)?;
        root.present().map_err(&err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{assert_finite_marks, count, parse, texts};

    fn row(label: &str, mean: f64, lo: f64, hi: f64) -> DotRow {
        DotRow {
            label: label.into(),
            mean,
            lo,
            hi,
            baseline: false,
        }
    }

    fn rows() -> Vec<DotRow> {
        vec![
            DotRow {
                baseline: true,
                ..row("no stockpile", 0.0, 0.0, 0.0)
            },
            row("release 10 kt", -1200.0, -1500.0, -900.0),
            row(
                "release 30 kt over a year, then refill",
                -2500.0,
                -2900.0,
                -2100.0,
            ),
            row("tariff", 150.0, -50.0, 350.0),
        ]
    }

    #[test]
    fn rows_have_dots_whiskers_a_zero_line_and_a_marked_baseline() {
        let chart = DotWhiskerChart::new("Unmet demand", "difference in unmet demand (t)", rows());
        let svg = dot_whisker_svg(&chart).unwrap();
        let doc = parse(&svg);
        assert_finite_marks(&doc);
        assert_eq!(
            count(&doc, "circle", "fill", "#0072B2"),
            3 + 1,
            "dots and legend"
        );
        assert_eq!(
            count(&doc, "circle", "stroke", "#000000"),
            1 + 1,
            "baseline and legend"
        );
        let all = texts(&doc).join(" | ");
        assert!(all.contains("no stockpile (baseline)"), "{all}");
        assert!(all.contains("-2,000") || all.contains("-3,000"), "{all}");
        assert!(all.contains("95% interval"), "{all}");
        // Top to bottom in the given order: the baseline's label is the last row label drawn.
        let first = all.find("tariff").unwrap();
        assert!(
            first < all.find("no stockpile (baseline)").unwrap(),
            "{all}"
        );
    }

    #[test]
    fn a_mean_outside_its_interval_or_nan_is_refused_naming_the_row() {
        for bad in [
            row("odd", 5.0, 6.0, 7.0),
            row("odd", 8.0, 6.0, 7.0),
            row("odd", f64::NAN, 6.0, 7.0),
            row("odd", 6.5, f64::NAN, 7.0),
            row("odd", 6.5, 6.0, f64::INFINITY),
        ] {
            let chart = DotWhiskerChart::new("t", "x", vec![bad.clone()]);
            let e = dot_whisker_svg(&chart).unwrap_err().to_string();
            assert!(e.contains("row `odd`"), "{bad:?}: {e}");
        }
        let e = dot_whisker_svg(&DotWhiskerChart::new("t", "x", vec![])).unwrap_err();
        assert!(matches!(e, Error::Empty { .. }));
    }

    #[test]
    fn one_row_equal_values_and_no_interval_still_draw() {
        for rows in [
            vec![row("only", 0.0, 0.0, 0.0)],
            vec![row("one rep", 3.0, f64::NAN, f64::NAN)],
            vec![row("a", 2.0, 2.0, 2.0), row("b", 2.0, 2.0, 2.0)],
        ] {
            let svg = dot_whisker_svg(&DotWhiskerChart::new("t", "x (t)", rows)).unwrap();
            assert_finite_marks(&parse(&svg));
        }
        let svg = dot_whisker_svg(&DotWhiskerChart::new(
            "t",
            "x",
            vec![row("one rep", 3.0, f64::NAN, f64::NAN)],
        ))
        .unwrap();
        assert!(texts(&parse(&svg)).join(" ").contains("no interval"));
    }

    #[test]
    fn long_labels_are_cut_to_the_room_and_the_height_follows_the_rows() {
        let long = "a strategy with a name far too long to sit beside the axis of any chart at all";
        let chart = DotWhiskerChart::new("t", "x", vec![row(long, 1.0, 0.0, 2.0)]);
        assert_eq!(chart.size.1, 220);
        let doc_svg = dot_whisker_svg(&chart).unwrap();
        let labels = texts(&parse(&doc_svg));
        assert!(
            labels
                .iter()
                .any(|t| t.ends_with('…') && t.len() < long.len()),
            "{labels:?}"
        );
        assert!(DotWhiskerChart::new("t", "x", rows()).size.1 > 220);
    }
}
