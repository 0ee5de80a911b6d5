//! Scatter charts, cost against effect: one labelled point per strategy, optional error bars in
//! both directions. Labels sit beside their point, on whichever side is free of other labels and
//! inside the frame.

use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::canvas::{
    Axis, Legend, Plane, RIGHT_MARGIN, Y_LABEL_AREA, finite_range, plane, split_legend,
};
use crate::error::Error;
use crate::frame::draw_error;
use crate::style::{DEFAULT_SIZE, Glyph, INK, MODEL, SMALL_SIZE, dot, left_text, text_px};

/// Half-length of error-bar caps, pixels.
const CAP_PX: i32 = 4;
/// Gap between a point and its label, pixels.
const GAP_PX: i32 = 8;
/// Height of a label, pixels.
const LABEL_H: i32 = 14;

/// One strategy: its cost and effect, optionally their intervals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScatterPoint {
    /// The strategy's name, shown beside the point.
    pub label: String,
    /// x (the cost), in the x axis's unit.
    pub x: f64,
    /// y (the effect), in the y axis's unit.
    pub y: f64,
    /// Interval of x, `(lo, hi)` with lo ≤ x ≤ hi.
    #[serde(default)]
    pub x_interval: Option<(f64, f64)>,
    /// Interval of y, `(lo, hi)` with lo ≤ y ≤ hi.
    #[serde(default)]
    pub y_interval: Option<(f64, f64)>,
}

/// Everything a scatter chart shows.
#[derive(Clone, Debug, PartialEq)]
pub struct ScatterChart {
    /// What the chart shows, in words.
    pub title: String,
    /// The x axis words with the unit: "stockpile cost (million USD)".
    pub x_label: String,
    /// The y axis words with the unit: "unmet demand avoided (t)".
    pub y_label: String,
    /// The points.
    pub points: Vec<ScatterPoint>,
    /// What the error bars are, for the legend: "95% interval".
    pub interval: String,
    /// A sentence under the legend (may be empty).
    pub note: String,
    /// What a dot is, for the legend: "strategy".
    pub dot: String,
    /// Width and height in pixels.
    pub size: (u32, u32),
}

impl ScatterChart {
    /// A scatter chart at the default size; error bars called "95% interval".
    #[must_use]
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
        points: Vec<ScatterPoint>,
    ) -> Self {
        Self {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            points,
            interval: "95% interval".into(),
            note: String::new(),
            dot: "strategy".into(),
            size: DEFAULT_SIZE,
        }
    }
}

/// Checks an interval around `value`.
fn check_interval(
    title: &str,
    p: &ScatterPoint,
    axis: &str,
    value: f64,
    iv: Option<(f64, f64)>,
) -> Result<(), Error> {
    match iv {
        Some((lo, hi)) if !(lo.is_finite() && hi.is_finite() && lo <= value && value <= hi) => {
            Err(Error::Invalid {
                what: title.to_owned(),
                why: format!(
                    "point `{}`: {axis} {value} with interval [{lo}, {hi}]; expected finite ends \
                     with lo ≤ {axis} ≤ hi",
                    p.label
                ),
            })
        }
        _ => Ok(()),
    }
}

/// A label's box in pixels: left, top, right, bottom.
type Box4 = (i32, i32, i32, i32);

fn overlaps(a: Box4, b: Box4) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// Where a label `width` pixels wide goes beside the point at `(px, py)`: the first of right,
/// left, above-right, below-right, above-left, below-left that stays inside `frame` and clear of
/// `taken` labels and points; else the first that stays inside the frame. Returns the text's
/// left end and vertical middle.
fn place(px: i32, py: i32, width: i32, frame: Box4, taken: &[Box4]) -> (i32, i32) {
    let half = LABEL_H / 2;
    let candidates = [
        (px + GAP_PX, py),
        (px - GAP_PX - width, py),
        (px + GAP_PX / 2, py - LABEL_H),
        (px + GAP_PX / 2, py + LABEL_H),
        (px - GAP_PX / 2 - width, py - LABEL_H),
        (px - GAP_PX / 2 - width, py + LABEL_H),
    ];
    let boxed = |(x, y): (i32, i32)| (x, y - half, x + width, y + half);
    let inside = |b: Box4| b.0 >= frame.0 && b.2 <= frame.2 && b.1 >= frame.1 && b.3 <= frame.3;
    candidates
        .iter()
        .find(|c| inside(boxed(**c)) && taken.iter().all(|t| !overlaps(boxed(**c), *t)))
        .or_else(|| candidates.iter().find(|c| inside(boxed(**c))))
        .copied()
        .unwrap_or((px + GAP_PX, py))
}

/// The scatter chart as a standalone SVG document. Points with a non-finite coordinate are left
/// out.
///
/// # Errors
/// [`Error::Empty`] when no point is finite; [`Error::Invalid`] naming a point whose interval does
/// not hold its value; [`Error::Draw`] if the plotting library fails (a bug).
pub fn scatter_svg(chart: &ScatterChart) -> Result<String, Error> {
    let points: Vec<&ScatterPoint> = chart
        .points
        .iter()
        .filter(|p| p.x.is_finite() && p.y.is_finite())
        .collect();
    if points.is_empty() {
        return Err(Error::Empty {
            what: chart.title.clone(),
            why: "no point with finite coordinates".into(),
        });
    }
    for p in &points {
        check_interval(&chart.title, p, "x", p.x, p.x_interval)?;
        check_interval(&chart.title, p, "y", p.y, p.y_interval)?;
    }
    let span = |values: Vec<f64>| {
        let (lo, hi) = finite_range(values).unwrap_or((0.0, 0.0));
        Axis::padded(lo, hi, 0.08)
    };
    let xs = points
        .iter()
        .flat_map(|p| {
            [
                Some(p.x),
                p.x_interval.map(|i| i.0),
                p.x_interval.map(|i| i.1),
            ]
        })
        .flatten()
        .collect();
    let ys = points
        .iter()
        .flat_map(|p| {
            [
                Some(p.y),
                p.y_interval.map(|i| i.0),
                p.y_interval.map(|i| i.1),
            ]
        })
        .flatten()
        .collect();
    let (x_axis, y_axis) = (span(xs), span(ys));
    let bars = points
        .iter()
        .any(|p| p.x_interval.is_some() || p.y_interval.is_some());
    let mut entries = vec![(Glyph::Dot(MODEL, true), chart.dot.clone())];
    if bars {
        entries.push((Glyph::Whisker(MODEL), chart.interval.clone()));
    }
    let legend = Legend {
        entries,
        note: chart.note.clone(),
    };

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
                y_label: &chart.y_label,
                x: &x_axis,
                y: &y_axis,
                y_label_area: Y_LABEL_AREA,
                right_margin: RIGHT_MARGIN,
            },
        )?;
        let bar = MODEL.mix(0.6).stroke_width(1);
        for p in &points {
            if let Some((lo, hi)) = p.x_interval {
                let cap = || PathElement::new(vec![(0, -CAP_PX), (0, CAP_PX)], bar);
                ctx.draw_series([PathElement::new(vec![(lo, p.y), (hi, p.y)], bar)])
                    .map_err(&err)?;
                ctx.draw_series([
                    EmptyElement::at((lo, p.y)) + cap(),
                    EmptyElement::at((hi, p.y)) + cap(),
                ])
                .map_err(&err)?;
            }
            if let Some((lo, hi)) = p.y_interval {
                let cap = || PathElement::new(vec![(-CAP_PX, 0), (CAP_PX, 0)], bar);
                ctx.draw_series([PathElement::new(vec![(p.x, lo), (p.x, hi)], bar)])
                    .map_err(&err)?;
                ctx.draw_series([
                    EmptyElement::at((p.x, lo)) + cap(),
                    EmptyElement::at((p.x, hi)) + cap(),
                ])
                .map_err(&err)?;
            }
        }
        ctx.draw_series(
            points
                .iter()
                .map(|p| EmptyElement::at((p.x, p.y)) + dot((0, 0), MODEL, true)),
        )
        .map_err(&err)?;
        // Labels: every point's dot is taken first, then labels one by one.
        let (xr, yr) = ctx.plotting_area().get_pixel_range();
        let frame = (xr.start, yr.start, xr.end, yr.end);
        let at: Vec<(i32, i32)> = points
            .iter()
            .map(|p| ctx.backend_coord(&(p.x, p.y)))
            .collect();
        let mut taken: Vec<Box4> = at
            .iter()
            .map(|(x, y)| (x - 5, y - 5, x + 5, y + 5))
            .collect();
        // Error bars too, as thin boxes, so a label does not sit on one.
        for p in &points {
            if let Some((lo, hi)) = p.x_interval {
                let (a, y) = ctx.backend_coord(&(lo, p.y));
                let (b, _) = ctx.backend_coord(&(hi, p.y));
                taken.push((a, y - CAP_PX, b, y + CAP_PX));
            }
            if let Some((lo, hi)) = p.y_interval {
                let (x, a) = ctx.backend_coord(&(p.x, lo));
                let (_, b) = ctx.backend_coord(&(p.x, hi));
                taken.push((x - CAP_PX, b, x + CAP_PX, a));
            }
        }
        for (p, (px, py)) in points.iter().zip(at) {
            if p.label.is_empty() {
                continue;
            }
            let width = text_px(&p.label);
            let (x, y) = place(px, py, width, frame, &taken);
            taken.push((x, y - LABEL_H / 2, x + width, y + LABEL_H / 2));
            plot.draw(&Text::new(
                p.label.clone(),
                (x, y),
                left_text(SMALL_SIZE, INK),
            ))
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

    fn point(label: &str, x: f64, y: f64) -> ScatterPoint {
        ScatterPoint {
            label: label.into(),
            x,
            y,
            x_interval: None,
            y_interval: None,
        }
    }

    #[test]
    fn each_point_has_a_dot_a_label_and_its_error_bars() {
        let mut pts = vec![
            point("baseline", 0.0, 0.0),
            point("release 10 kt", 120.0, 900.0),
        ];
        pts.push(ScatterPoint {
            x_interval: Some((280.0, 320.0)),
            y_interval: Some((1500.0, 2300.0)),
            ..point("release 30 kt", 300.0, 1900.0)
        });
        let chart = ScatterChart::new(
            "Cost against effect",
            "cost (million USD)",
            "unmet demand avoided (t)",
            pts,
        );
        let svg = scatter_svg(&chart).unwrap();
        let doc = parse(&svg);
        assert_finite_marks(&doc);
        assert_eq!(
            count(&doc, "circle", "fill", "#0072B2"),
            3 + 2,
            "dots, legend dot and whisker"
        );
        let all = texts(&doc).join(" | ");
        for label in ["baseline", "release 10 kt", "release 30 kt", "95% interval"] {
            assert!(all.contains(label), "{label}: {all}");
        }
    }

    #[test]
    fn labels_stay_inside_the_frame_and_apart() {
        let frame = (100, 20, 700, 300);
        // A point at the right edge: its label goes left.
        let (x, _) = place(695, 100, 80, frame, &[]);
        assert!(x + 80 <= 700 && x < 695);
        // A second label at the same place does not sit on the first.
        let first = (703 - 80 - GAP_PX - 8, 93, 695 - GAP_PX, 107);
        let (x2, y2) = place(695, 100, 80, frame, &[first]);
        assert!(!overlaps((x2, y2 - 7, x2 + 80, y2 + 7), first), "{x2},{y2}");
    }

    #[test]
    fn bad_intervals_are_refused_and_broken_points_left_out() {
        let bad = ScatterPoint {
            y_interval: Some((5.0, 4.0)),
            ..point("odd", 1.0, 4.5)
        };
        let e = scatter_svg(&ScatterChart::new("t", "x", "y", vec![bad])).unwrap_err();
        assert!(e.to_string().contains("point `odd`"), "{e}");
        let e = scatter_svg(&ScatterChart::new(
            "t",
            "x",
            "y",
            vec![point("n", f64::NAN, 1.0)],
        ));
        assert!(matches!(e, Err(Error::Empty { .. })));
        for pts in [
            vec![point("one", 3.0, 3.0)],
            vec![point("a", 1.0, 1.0), point("b", 1.0, 1.0)],
        ] {
            let svg = scatter_svg(&ScatterChart::new("t", "x", "y", pts)).unwrap();
            assert_finite_marks(&parse(&svg));
        }
    }
}
