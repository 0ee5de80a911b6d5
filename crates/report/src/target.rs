//! Target charts: backtest targets sharing a unit, the model's p5–p95 whisker and median beside
//! the observed value at each target's window midpoint; fitted targets filled, held-out hollow,
//! predictions (no observed value) a hollow median and no observed marker.

use chrono::NaiveDate;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::axis::{date_ticks, day_number, value_ticks};
use crate::error::Error;
use crate::frame::{Axes, draw_error, frame, split};
use crate::style::{
    DEFAULT_SIZE, Glyph, HISTORY, LEGEND_INDENT_PX, MODEL, diamond, dot, draw_legend,
};

/// Horizontal offset of the model's whisker left of the midpoint, and of the observed marker
/// right of it, pixels: side by side, so neither hides the other.
const DODGE_PX: i32 = 6;
/// Half-width of a whisker's caps, pixels.
const CAP_PX: i32 = 5;

/// Whether the calibration fitted a target or held it out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Used by calibrate (in-sample).
    Fit,
    /// Reported separately, never fitted (out-of-sample).
    Holdout,
    /// No observed value: the model's interval alone.
    Prediction,
}

/// One backtest target: its window, the observed value and the model's quantiles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetMark {
    /// The target's name.
    pub name: String,
    /// Fit, holdout or prediction.
    pub role: Role,
    /// First day of the window.
    pub from: NaiveDate,
    /// Last day of the window (inclusive).
    pub to: NaiveDate,
    /// The observed value; `None` for a prediction.
    pub historical: Option<f64>,
    /// The model's 5th percentile over replications.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

impl TargetMark {
    /// The window's midpoint, as a day number: the middle of the days from the start of `from`
    /// to the end of `to` (1–30 September: the start of 16 September).
    #[must_use]
    pub fn midpoint(&self) -> f64 {
        f64::midpoint(day_number(self.from), day_number(self.to) + 1.0)
    }

    /// The observed value lies inside the model's p5–p95 band (`false` for a prediction).
    #[must_use]
    pub fn inside(&self) -> bool {
        self.historical
            .is_some_and(|h| self.p5 <= h && h <= self.p95)
    }
}

/// Everything a target chart shows.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetChart {
    /// What the chart shows, in words.
    pub title: String,
    /// The y axis label, with the targets' shared unit.
    pub y_label: String,
    /// The targets.
    pub targets: Vec<TargetMark>,
    /// Width and height in pixels.
    pub size: (u32, u32),
}

impl TargetChart {
    /// A target chart at the default size.
    #[must_use]
    pub fn new(
        title: impl Into<String>,
        y_label: impl Into<String>,
        targets: Vec<TargetMark>,
    ) -> Self {
        Self {
            title: title.into(),
            y_label: y_label.into(),
            targets,
            size: DEFAULT_SIZE,
        }
    }
}

/// The target chart as a standalone SVG document.
///
/// Targets with a non-finite value are left out; a prediction has no observed marker. The y axis starts at zero when every value is
/// non-negative.
///
/// # Errors
/// [`Error::Empty`] when no target is left to draw; [`Error::Draw`] if the plotting library
/// fails (a bug).
pub fn target_chart_svg(chart: &TargetChart) -> Result<String, Error> {
    let targets: Vec<&TargetMark> = chart
        .targets
        .iter()
        .filter(|t| {
            t.historical.is_none_or(f64::is_finite)
                && [t.p5, t.p50, t.p95].iter().all(|v| v.is_finite())
        })
        .collect();
    if targets.is_empty() {
        return Err(Error::Empty {
            what: chart.title.clone(),
            why: "no target with finite values".into(),
        });
    }
    let (x_lo, x_hi) = targets
        .iter()
        .map(|t| t.midpoint())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), d| {
            (lo.min(d), hi.max(d))
        });
    let pad = ((x_hi - x_lo) * 0.06).max(20.0);
    let x = (x_lo - pad, x_hi + pad);
    let (y_lo, y_hi) = targets
        .iter()
        .flat_map(|t| [t.historical.unwrap_or(t.p5), t.p5, t.p95])
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let y_lo = y_lo.min(0.0);
    let x_ticks = date_ticks(x.0, x.1);
    let y_ticks = value_ticks(y_lo, y_hi + (y_hi - y_lo) * 0.04);

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
                x_label: "middle of the target's window",
                x,
                x_ticks: &x_ticks,
                y_ticks: &y_ticks,
            },
        )?;
        for t in &targets {
            let mid = t.midpoint();
            let filled = t.role == Role::Fit;
            let whisker = MODEL.stroke_width(2);
            // Whisker p5–p95 with caps, left of the midpoint, anchored at p5 (pixel offsets).
            let (_, top) = ctx.backend_coord(&(mid, t.p95));
            let (_, bottom) = ctx.backend_coord(&(mid, t.p5));
            let rise = top - bottom;
            let cap = |dy: i32| {
                PathElement::new(
                    vec![(-DODGE_PX - CAP_PX, dy), (-DODGE_PX + CAP_PX, dy)],
                    whisker,
                )
            };
            ctx.draw_series([EmptyElement::at((mid, t.p5))
                + PathElement::new(vec![(-DODGE_PX, 0), (-DODGE_PX, rise)], whisker)
                + cap(0)
                + cap(rise)])
                .map_err(&err)?;
            ctx.draw_series([EmptyElement::at((mid, t.p50)) + dot((-DODGE_PX, 0), MODEL, filled)])
                .map_err(&err)?;
            if let Some(h) = t.historical {
                ctx.draw_series([diamond((mid, h), DODGE_PX, HISTORY, filled)])
                    .map_err(&err)?;
            }
        }
        let mut entries = vec![(Glyph::Whisker(MODEL), "model p5–p95 and median".to_owned())];
        if targets.iter().any(|t| t.historical.is_some()) {
            entries.push((Glyph::Diamond(HISTORY, true), "observed".to_owned()));
        }
        if targets.iter().any(|t| t.role == Role::Fit) {
            entries.push((Glyph::Dot(MODEL, true), "filled: fitted".to_owned()));
        }
        if targets.iter().any(|t| t.role == Role::Holdout) {
            entries.push((
                Glyph::Dot(MODEL, false),
                "hollow: held out (out-of-sample)".to_owned(),
            ));
        }
        if targets.iter().any(|t| t.role == Role::Prediction) {
            entries.push((
                Glyph::Dot(MODEL, false),
                "prediction: no observed value".to_owned(),
            ));
        }
        draw_legend(&legend, &entries, LEGEND_INDENT_PX).map_err(&err)?;
        root.present().map_err(&err)?;
    }
    Ok(svg)
}
