//! Lines with bands, for sweeps: a metric's mean against a swept parameter's value, with a band
//! (p5–p95, or a 95% interval: the caller names it), one coloured line per strategy.

use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::canvas::{
    Axis, Legend, Plane, RIGHT_MARGIN, SERIES, Y_LABEL_AREA, check_series_count, finite_range,
    plane, split_legend,
};
use crate::error::Error;
use crate::frame::draw_error;
use crate::style::{DEFAULT_SIZE, Glyph, INK, dot};

/// Opacity of a band.
const BAND_ALPHA: f64 = 0.16;
/// Half-length of a lone point's whisker caps, pixels.
const CAP_PX: i32 = 5;

/// One swept value: the metric's mean and band there.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BandPoint {
    /// The swept parameter's value.
    pub x: f64,
    /// The metric's mean.
    pub mean: f64,
    /// Lower edge of the band.
    pub lo: f64,
    /// Upper edge of the band.
    pub hi: f64,
}

/// One line: a strategy (or the scenario) across the swept values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BandSeries {
    /// Its name in the legend.
    pub name: String,
    /// Its points, in any order (drawn sorted by x).
    pub points: Vec<BandPoint>,
}

/// Everything a line-with-band chart shows.
#[derive(Clone, Debug, PartialEq)]
pub struct BandLineChart {
    /// What the chart shows, in words.
    pub title: String,
    /// The x axis words: the swept key and its unit.
    pub x_label: String,
    /// The y axis words: the metric and its unit.
    pub y_label: String,
    /// What the band is, for the legend: "p5–p95 over replications".
    pub band: String,
    /// The lines, at most 8.
    pub series: Vec<BandSeries>,
    /// A sentence under the legend (may be empty).
    pub note: String,
    /// Width and height in pixels.
    pub size: (u32, u32),
    /// Start the y axis at zero when every value is non-negative.
    pub y_from_zero: bool,
}

impl BandLineChart {
    /// A chart with a p5–p95 band, y from zero, at the default size.
    #[must_use]
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
        series: Vec<BandSeries>,
    ) -> Self {
        Self {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            band: "p5–p95 over replications".into(),
            series,
            note: String::new(),
            size: DEFAULT_SIZE,
            y_from_zero: true,
        }
    }
}

/// The series' finite points sorted by x, each checked: lo ≤ mean ≤ hi.
fn clean(title: &str, series: &BandSeries) -> Result<Vec<BandPoint>, Error> {
    let mut points: Vec<BandPoint> = series
        .points
        .iter()
        .copied()
        .filter(|p| [p.x, p.mean, p.lo, p.hi].iter().all(|v| v.is_finite()))
        .collect();
    if let Some(p) = points.iter().find(|p| !(p.lo <= p.mean && p.mean <= p.hi)) {
        return Err(Error::Invalid {
            what: title.to_owned(),
            why: format!(
                "series `{}` at x = {}: mean {} outside its band [{}, {}]; expected lo ≤ mean ≤ hi",
                series.name, p.x, p.mean, p.lo, p.hi
            ),
        });
    }
    points.sort_by(|a, b| a.x.total_cmp(&b.x));
    Ok(points)
}

/// The line-with-band chart as a standalone SVG document. Points with a non-finite value are
/// left out; a series with one point is a dot with a whisker.
///
/// # Errors
/// [`Error::Invalid`] for more than 8 series or a mean outside its band (naming the series and
/// x); [`Error::Empty`] when no series has a finite point; [`Error::Draw`] if the plotting
/// library fails (a bug).
pub fn band_line_svg(chart: &BandLineChart) -> Result<String, Error> {
    check_series_count(&chart.title, chart.series.len())?;
    let lines: Vec<(usize, &BandSeries, Vec<BandPoint>)> = chart
        .series
        .iter()
        .enumerate()
        .map(|(k, s)| clean(&chart.title, s).map(|p| (k, s, p)))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|(_, _, p)| !p.is_empty())
        .collect();
    let all = || lines.iter().flat_map(|(_, _, p)| p.iter());
    let (Some((x_lo, x_hi)), Some((y_lo, y_hi))) = (
        finite_range(all().map(|p| p.x)),
        finite_range(all().flat_map(|p| [p.lo, p.hi])),
    ) else {
        return Err(Error::Empty {
            what: chart.title.clone(),
            why: "no point with finite values".into(),
        });
    };
    let x_axis = Axis::padded(x_lo, x_hi, 0.03);
    let y_lo = if chart.y_from_zero && y_lo >= 0.0 {
        0.0
    } else {
        y_lo
    };
    let y_axis = Axis::nice(y_lo, y_hi + (y_hi - y_lo) * 0.04);

    let mut entries: Vec<(Glyph, String)> = lines
        .iter()
        .map(|(k, s, _)| (Glyph::Line(SERIES[*k]), s.name.clone()))
        .collect();
    entries.push((
        Glyph::Band(INK, BAND_ALPHA),
        format!("shaded, in each line's colour: {}", chart.band),
    ));
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
        // Bands first, all of them, so no band hides another series' line.
        for (k, _, points) in &lines {
            let colour = SERIES[*k];
            if points.len() > 1 {
                let upper = points.iter().map(|p| (p.x, p.hi));
                let lower = points.iter().rev().map(|p| (p.x, p.lo));
                ctx.draw_series([Polygon::new(
                    upper.chain(lower).collect::<Vec<_>>(),
                    colour.mix(BAND_ALPHA).filled(),
                )])
                .map_err(&err)?;
            } else {
                let p = points[0];
                let style = colour.mix(0.6).stroke_width(2);
                let cap = || PathElement::new(vec![(-CAP_PX, 0), (CAP_PX, 0)], style);
                ctx.draw_series([PathElement::new(vec![(p.x, p.lo), (p.x, p.hi)], style)])
                    .map_err(&err)?;
                ctx.draw_series([
                    EmptyElement::at((p.x, p.lo)) + cap(),
                    EmptyElement::at((p.x, p.hi)) + cap(),
                ])
                .map_err(&err)?;
            }
        }
        for (k, _, points) in &lines {
            let colour = SERIES[*k];
            ctx.draw_series([PathElement::new(
                points.iter().map(|p| (p.x, p.mean)).collect::<Vec<_>>(),
                colour.stroke_width(2),
            )])
            .map_err(&err)?;
            ctx.draw_series(
                points
                    .iter()
                    .map(|p| EmptyElement::at((p.x, p.mean)) + dot((0, 0), colour, true)),
            )
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

    fn series(name: &str, xs: &[f64], level: f64) -> BandSeries {
        BandSeries {
            name: name.into(),
            points: xs
                .iter()
                .map(|x| BandPoint {
                    x: *x,
                    mean: level * x,
                    lo: level * x * 0.7,
                    hi: level * x * 1.4,
                })
                .collect(),
        }
    }

    #[test]
    fn each_series_has_a_band_a_line_and_dots_in_its_colour_sorted_by_x() {
        let chart = BandLineChart::new(
            "Unmet demand against the licence delay",
            "licence review (weeks)",
            "unmet demand (t)",
            vec![
                series("baseline", &[12.0, 4.0, 8.0], 100.0),
                series("stockpile", &[4.0, 8.0, 12.0], 60.0),
            ],
        );
        let svg = band_line_svg(&chart).unwrap();
        let doc = parse(&svg);
        assert_finite_marks(&doc);
        assert_eq!(count(&doc, "polygon", "fill", "#0072B2"), 1);
        assert_eq!(count(&doc, "polygon", "fill", "#D55E00"), 1);
        assert_eq!(count(&doc, "circle", "fill", "#D55E00"), 3);
        let line = doc
            .descendants()
            .find(|n| n.has_tag_name("polyline") && n.attribute("stroke") == Some("#0072B2"))
            .unwrap();
        let xs: Vec<f64> = line
            .attribute("points")
            .unwrap()
            .split(' ')
            .filter_map(|p| p.split(',').next()?.parse().ok())
            .collect();
        assert!(xs.windows(2).all(|w| w[1] > w[0]), "sorted by x: {xs:?}");
        let all = texts(&doc).join(" | ");
        assert!(
            all.contains("stockpile") && all.contains("shaded, in each line's colour: p5–p95"),
            "{all}"
        );
    }

    #[test]
    fn nine_series_or_a_mean_outside_its_band_are_refused() {
        let nine: Vec<BandSeries> = (0..9)
            .map(|k| series(&format!("s{k}"), &[1.0], 1.0))
            .collect();
        let e = band_line_svg(&BandLineChart::new("t", "x", "y", nine)).unwrap_err();
        assert!(e.to_string().contains("at most 8"), "{e}");
        let mut bad = series("odd", &[1.0, 2.0], 1.0);
        bad.points[1].mean = 10.0;
        let e = band_line_svg(&BandLineChart::new("t", "x", "y", vec![bad])).unwrap_err();
        assert!(e.to_string().contains("series `odd` at x = 2"), "{e}");
    }

    #[test]
    fn one_point_nan_and_flat_series_draw_and_empty_is_an_error() {
        let mut nan = series("n", &[1.0, 2.0, 3.0], 1.0);
        nan.points[1].mean = f64::NAN;
        let flat = BandSeries {
            name: "flat".into(),
            points: vec![
                BandPoint {
                    x: 1.0,
                    mean: 5.0,
                    lo: 5.0,
                    hi: 5.0
                };
                2
            ],
        };
        for s in [vec![series("one", &[3.0], 2.0)], vec![nan], vec![flat]] {
            let svg = band_line_svg(&BandLineChart::new("t", "x", "y", s)).unwrap();
            assert_finite_marks(&parse(&svg));
        }
        let e = band_line_svg(&BandLineChart::new("t", "x", "y", vec![]));
        assert!(matches!(e, Err(Error::Empty { .. })));
    }
}
