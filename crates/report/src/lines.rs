//! Lines over dates: several named series of (date, value) on one calendar axis, one colour each,
//! dated measures marked. For a run's mean exports of a controlled item by destination: means
//! add up across destinations, quantiles do not, so the chart shows means and says so.

use chrono::NaiveDate;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::axis::day_number;
use crate::canvas::{
    Axis, Legend, MEASURE_GREY, Plane, RIGHT_MARGIN, SERIES, Y_LABEL_AREA, check_series_count,
    draw_markers, finite_range, plane, split_legend,
};
use crate::error::Error;
use crate::fan::Marker;
use crate::frame::draw_error;
use crate::style::{DEFAULT_SIZE, Glyph, dot};

/// One value at one date.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatePoint {
    /// First day of the step.
    pub date: NaiveDate,
    /// The value, in the chart's unit.
    pub value: f64,
}

/// One named line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DateSeries {
    /// Its name in the legend: "Japan".
    pub name: String,
    /// Its values, in any order (drawn in date order).
    pub points: Vec<DatePoint>,
}

/// Everything a chart of lines over dates shows.
#[derive(Clone, Debug, PartialEq)]
pub struct DateLinesChart {
    /// What the chart shows, in words.
    pub title: String,
    /// The y axis words with the unit: "mean exports (t per week)".
    pub y_label: String,
    /// The lines, at most 8.
    pub series: Vec<DateSeries>,
    /// Dated measures marked (grey lines: the palette's colours are the series').
    pub markers: Vec<Marker>,
    /// A sentence under the legend: what the lines are.
    pub note: String,
    /// Width and height in pixels.
    pub size: (u32, u32),
    /// Start the y axis at zero when every value is non-negative.
    pub y_from_zero: bool,
}

impl DateLinesChart {
    /// A chart of means across replications (the note says so), y from zero, default size.
    #[must_use]
    pub fn new(
        title: impl Into<String>,
        y_label: impl Into<String>,
        series: Vec<DateSeries>,
    ) -> Self {
        Self {
            title: title.into(),
            y_label: y_label.into(),
            series,
            markers: Vec::new(),
            note: "Lines are means across replications: means add up across the series to the \
                   mean total, quantiles would not."
                .into(),
            size: DEFAULT_SIZE,
            y_from_zero: true,
        }
    }
}

/// A series to draw: its index (colour), itself, its finite points (day number, value) in date
/// order.
type Line<'a> = (usize, &'a DateSeries, Vec<(f64, f64)>);

/// The chart as a standalone SVG document. Points with a non-finite value are left out; a series
/// with one point is a dot.
///
/// # Errors
/// [`Error::Invalid`] for more than 8 series (naming the limit); [`Error::Empty`] when no series
/// has a finite point; [`Error::Draw`] if the plotting library fails (a bug).
pub fn date_lines_svg(chart: &DateLinesChart) -> Result<String, Error> {
    check_series_count(&chart.title, chart.series.len())?;
    let lines: Vec<Line<'_>> = chart
        .series
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let mut p: Vec<(f64, f64)> = s
                .points
                .iter()
                .filter(|p| p.value.is_finite())
                .map(|p| (day_number(p.date), p.value))
                .collect();
            p.sort_by(|a, b| a.0.total_cmp(&b.0));
            (k, s, p)
        })
        .filter(|(_, _, p)| !p.is_empty())
        .collect();
    let all = || lines.iter().flat_map(|(_, _, p)| p.iter().copied());
    let (Some((x_lo, x_hi)), Some((y_lo, y_hi))) = (
        finite_range(all().map(|p| p.0)),
        finite_range(all().map(|p| p.1)),
    ) else {
        return Err(Error::Empty {
            what: chart.title.clone(),
            why: "no series with a finite value".into(),
        });
    };
    let x_hi = x_hi.max(x_lo + 7.0);
    let pad = ((x_hi - x_lo) * 0.02).max(3.0);
    let x = (x_lo - pad, x_hi + pad);
    let x_axis = Axis::dates(x.0, x.1);
    let y_lo = if chart.y_from_zero && y_lo >= 0.0 {
        0.0
    } else {
        y_lo
    };
    let y_axis = Axis::nice(y_lo, y_hi + (y_hi - y_lo) * 0.04);
    let markers: Vec<(f64, String)> = chart
        .markers
        .iter()
        .map(|m| (day_number(m.date), m.label.clone()))
        .filter(|(d, _)| (x.0..=x.1).contains(d))
        .collect();

    let mut entries: Vec<(Glyph, String)> = lines
        .iter()
        .map(|(k, s, _)| (Glyph::Line(SERIES[*k]), s.name.clone()))
        .collect();
    if !markers.is_empty() {
        entries.push((Glyph::Line(MEASURE_GREY), "measure in force".into()));
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
                x_label: "date",
                y_label: &chart.y_label,
                x: &x_axis,
                y: &y_axis,
                y_label_area: Y_LABEL_AREA,
                right_margin: RIGHT_MARGIN,
            },
        )?;
        draw_markers(
            &mut ctx,
            &plot,
            &markers,
            x,
            y_axis.range,
            MEASURE_GREY,
            &chart.title,
        )?;
        for (k, _, points) in &lines {
            let colour = SERIES[*k];
            if points.len() == 1 {
                ctx.draw_series([EmptyElement::at(points[0]) + dot((0, 0), colour, true)])
                    .map_err(&err)?;
            } else {
                ctx.draw_series([PathElement::new(points.clone(), colour.stroke_width(2))])
                    .map_err(&err)?;
            }
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
    use chrono::Days;

    fn series(name: &str, level: f64, weeks: u64) -> DateSeries {
        let start = NaiveDate::from_ymd_opt(2025, 10, 9).unwrap();
        DateSeries {
            name: name.into(),
            points: (0..weeks)
                .map(|k| DatePoint {
                    date: start + Days::new(7 * k),
                    value: level * (1.0 + 0.1 * (k as f64).sin()),
                })
                .collect(),
        }
    }

    #[test]
    fn each_series_is_a_line_in_its_colour_with_a_legend_and_the_note_says_means() {
        let mut chart = DateLinesChart::new(
            "Mean NdFeB magnet exports by destination",
            "mean exports (t per week)",
            vec![
                series("Japan", 120.0, 30),
                series("EU", 80.0, 30),
                series("USA", 1500.0, 30),
            ],
        );
        chart.markers = vec![Marker {
            date: NaiveDate::from_ymd_opt(2025, 12, 1).unwrap(),
            label: "licences required".into(),
        }];
        let svg = date_lines_svg(&chart).unwrap();
        let doc = parse(&svg);
        assert_finite_marks(&doc);
        for colour in ["#0072B2", "#D55E00", "#009E73"] {
            assert_eq!(count(&doc, "polyline", "stroke", colour), 1 + 1, "{colour}");
        }
        assert_eq!(
            count(&doc, "polyline", "stroke", "#707070"),
            1 + 1,
            "marker and legend"
        );
        let all = texts(&doc).join(" | ");
        for words in [
            "Japan",
            "USA",
            "licences required",
            "means across replications",
            "1,500",
            "Nov 2025",
        ] {
            assert!(all.contains(words), "{words}: {all}");
        }
    }

    #[test]
    fn nine_series_are_refused_naming_the_limit() {
        let nine: Vec<DateSeries> = (0..9).map(|k| series(&format!("d{k}"), 1.0, 3)).collect();
        let e = date_lines_svg(&DateLinesChart::new("t", "y", nine)).unwrap_err();
        assert!(e.to_string().contains("9 series; at most 8"), "{e}");
        let eight: Vec<DateSeries> = (0..8).map(|k| series(&format!("d{k}"), 1.0, 3)).collect();
        assert_finite_marks(&parse(
            &date_lines_svg(&DateLinesChart::new("t", "y", eight)).unwrap(),
        ));
    }

    #[test]
    fn one_point_flat_nan_and_empty_inputs() {
        let mut nan = series("n", 5.0, 4);
        nan.points[2].value = f64::NAN;
        for s in [
            vec![series("one", 3.0, 1)],
            vec![series("flat", 0.0, 5)],
            vec![nan],
        ] {
            assert_finite_marks(&parse(
                &date_lines_svg(&DateLinesChart::new("t", "y", s)).unwrap(),
            ));
        }
        let none = DateSeries {
            name: "x".into(),
            points: vec![],
        };
        let e = date_lines_svg(&DateLinesChart::new("t", "y", vec![none]));
        assert!(matches!(e, Err(Error::Empty { .. })));
    }
}
