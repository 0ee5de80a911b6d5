//! Fan charts: one weekly series over calendar dates, the model's median with its p25–p75 and
//! p5–p95 bands across replications, observed points overlaid and dated measures marked.

use chrono::NaiveDate;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::axis::{date_ticks, day_number, value_ticks};
use crate::canvas::draw_markers;
use crate::error::Error;
use crate::frame::{Axes, draw_error, frame, split};
use crate::style::{
    DEFAULT_SIZE, Glyph, HISTORY, INK, INNER_BAND_ALPHA, LEGEND_INDENT_PX, MEASURE, MODEL,
    OUTER_BAND_ALPHA, SMALL_SIZE, diamond, draw_legend, left_text, text_px,
};

/// Days a weekly step covers: a one-step fan is drawn over its week.
const STEP_DAYS: u64 = 7;

/// The model's quantiles over replications at one step.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct FanStep {
    /// First day of the step.
    pub date: NaiveDate,
    /// 5th percentile.
    pub p5: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
}

impl FanStep {
    /// True when p5 ≤ p25 ≤ p50 ≤ p75 ≤ p95 (and all are numbers).
    #[must_use]
    pub fn is_ordered(&self) -> bool {
        self.p5 <= self.p25 && self.p25 <= self.p50 && self.p50 <= self.p75 && self.p75 <= self.p95
    }

    /// All five quantiles are finite.
    fn is_finite(&self) -> bool {
        [self.p5, self.p25, self.p50, self.p75, self.p95]
            .iter()
            .all(|v| v.is_finite())
    }

    /// The step with every quantile multiplied by `factor` (a unit conversion or base price).
    #[must_use]
    pub fn scaled(self, factor: f64) -> Self {
        Self {
            p5: self.p5 * factor,
            p25: self.p25 * factor,
            p50: self.p50 * factor,
            p75: self.p75 * factor,
            p95: self.p95 * factor,
            ..self
        }
    }
}

/// An observed value to compare with the model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoricalPoint {
    /// When (for a monthly or yearly value, the middle of its period).
    pub date: NaiveDate,
    /// The value, in the chart's unit.
    pub value: f64,
    /// A short label shown beside the point (may be empty).
    #[serde(default)]
    pub label: String,
}

/// A dated measure, drawn as a vertical line with its label.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Marker {
    /// When it takes effect.
    pub date: NaiveDate,
    /// What it is.
    pub label: String,
}

/// Everything a fan chart shows.
#[derive(Clone, Debug, PartialEq)]
pub struct FanChart {
    /// What the chart shows, in words.
    pub title: String,
    /// The y axis label, with the unit: "Dy oxide price (USD/kg)".
    pub y_label: String,
    /// The model's quantiles, one per step, in date order.
    pub steps: Vec<FanStep>,
    /// Observed values overlaid.
    pub points: Vec<HistoricalPoint>,
    /// Dated measures marked.
    pub markers: Vec<Marker>,
    /// Width and height in pixels.
    pub size: (u32, u32),
    /// Start the y axis at zero when every value is non-negative (tonnes and prices: the honest
    /// default); false lets it hug the data.
    pub y_from_zero: bool,
}

impl FanChart {
    /// A fan chart of `steps` without points or markers, at the default size.
    #[must_use]
    pub fn new(title: impl Into<String>, y_label: impl Into<String>, steps: Vec<FanStep>) -> Self {
        Self {
            title: title.into(),
            y_label: y_label.into(),
            steps,
            points: Vec::new(),
            markers: Vec::new(),
            size: DEFAULT_SIZE,
            y_from_zero: true,
        }
    }

    /// The x range (day numbers): steps and points, padded.
    fn x_range(&self, steps: &[FanStep]) -> (f64, f64) {
        let days = steps
            .iter()
            .map(|s| day_number(s.date))
            .chain(self.points.iter().map(|p| day_number(p.date)));
        let (lo, hi) = days.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), d| {
            (lo.min(d), hi.max(d))
        });
        let hi = hi.max(lo + STEP_DAYS as f64);
        let pad = ((hi - lo) * 0.02).max(3.0);
        (lo - pad, hi + pad)
    }

    /// The y range before ticks: bands and points, from zero when asked and possible.
    fn y_range(&self, steps: &[FanStep]) -> (f64, f64) {
        let values = steps
            .iter()
            .flat_map(|s| [s.p5, s.p95])
            .chain(self.points.iter().map(|p| p.value))
            .filter(|v| v.is_finite());
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        let lo = if self.y_from_zero && lo >= 0.0 {
            0.0
        } else {
            lo
        };
        (lo, hi + (hi - lo) * 0.04)
    }
}

/// The fan chart as a standalone SVG document.
///
/// Steps with a non-finite quantile are left out; points with a non-finite value too. A single
/// step is drawn over its week.
///
/// # Errors
/// [`Error::Empty`] when no step has finite quantiles; [`Error::Draw`] if the plotting library
/// fails (a bug).
pub fn fan_chart_svg(chart: &FanChart) -> Result<String, Error> {
    let mut steps: Vec<FanStep> = chart
        .steps
        .iter()
        .copied()
        .filter(FanStep::is_finite)
        .collect();
    let Some(first) = steps.first().copied() else {
        return Err(Error::Empty {
            what: chart.title.clone(),
            why: "no step with finite quantiles".into(),
        });
    };
    if steps.len() == 1 {
        let next = first
            .date
            .checked_add_days(chrono::Days::new(STEP_DAYS))
            .unwrap_or(first.date);
        steps.push(FanStep {
            date: next,
            ..first
        });
    }
    let x = chart.x_range(&steps);
    let (y_lo, y_hi) = chart.y_range(&steps);
    let x_ticks = date_ticks(x.0, x.1);
    let y_ticks = value_ticks(y_lo, y_hi);
    let points: Vec<&HistoricalPoint> = chart
        .points
        .iter()
        .filter(|p| p.value.is_finite())
        .collect();
    let markers: Vec<&Marker> = chart
        .markers
        .iter()
        .filter(|m| (x.0..=x.1).contains(&day_number(m.date)))
        .collect();

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, chart.size).into_drawing_area();
        let err = draw_error::<std::io::Error>(&chart.title);
        let (plot, legend) = split(&root, &chart.title)?;
        let mut ctx = frame(
            &plot,
            &Axes {
                title: &chart.title,
                y_label: &chart.y_label,
                x_label: "date",
                x,
                x_ticks: &x_ticks,
                y_ticks: &y_ticks,
            },
        )?;
        let band = |lo: fn(&FanStep) -> f64, hi: fn(&FanStep) -> f64| -> Vec<(f64, f64)> {
            let upper = steps.iter().map(|s| (day_number(s.date), hi(s)));
            let lower = steps.iter().rev().map(|s| (day_number(s.date), lo(s)));
            upper.chain(lower).collect()
        };
        ctx.draw_series([
            Polygon::new(
                band(|s| s.p5, |s| s.p95),
                MODEL.mix(OUTER_BAND_ALPHA).filled(),
            ),
            Polygon::new(
                band(|s| s.p25, |s| s.p75),
                MODEL.mix(INNER_BAND_ALPHA).filled(),
            ),
        ])
        .map_err(&err)?;
        ctx.draw_series([PathElement::new(
            steps
                .iter()
                .map(|s| (day_number(s.date), s.p50))
                .collect::<Vec<_>>(),
            MODEL.stroke_width(2),
        )])
        .map_err(&err)?;

        // Measures: a labelled line over the whole height (the one drawing every chart shares).
        let dated: Vec<(f64, String)> = markers
            .iter()
            .map(|m| (day_number(m.date), m.label.clone()))
            .collect();
        draw_markers(
            &mut ctx,
            &plot,
            &dated,
            x,
            y_ticks.range,
            MEASURE,
            &chart.title,
        )?;
        let (right_edge, _) = plot.dim_in_pixel();
        let right_edge = i32::try_from(right_edge).unwrap_or(i32::MAX);

        // Observed points: diamonds, labelled on whichever side has room.
        for p in &points {
            let at = (day_number(p.date), p.value);
            ctx.draw_series([diamond(at, 0, HISTORY, true)])
                .map_err(&err)?;
            if !p.label.is_empty() {
                let (px, py) = ctx.backend_coord(&at);
                let width = text_px(&p.label);
                let x_text = if px + 10 + width < right_edge {
                    px + 10
                } else {
                    px - 10 - width
                };
                plot.draw(&Text::new(
                    p.label.clone(),
                    (x_text, py),
                    left_text(SMALL_SIZE, INK),
                ))
                .map_err(&err)?;
            }
        }

        let mut entries = vec![
            (Glyph::Line(MODEL), "model median".to_owned()),
            (
                Glyph::Band(MODEL, INNER_BAND_ALPHA + OUTER_BAND_ALPHA),
                "p25–p75".to_owned(),
            ),
            (Glyph::Band(MODEL, OUTER_BAND_ALPHA), "p5–p95".to_owned()),
        ];
        if !points.is_empty() {
            entries.push((Glyph::Diamond(HISTORY, true), "observed".to_owned()));
        }
        if !markers.is_empty() {
            entries.push((Glyph::Line(MEASURE), "measure in force".to_owned()));
        }
        draw_legend(&legend, &entries, LEGEND_INDENT_PX).map_err(&err)?;
        root.present().map_err(&err)?;
    }
    Ok(svg)
}
