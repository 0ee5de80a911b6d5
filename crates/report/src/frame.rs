//! The frame every chart shares: title, axes with calendar ticks on x and thousands-separated
//! value ticks on y, a light grid, and a legend strip underneath.

use plotters::coord::Shift;
use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;

use crate::axis::{DateTicks, ValueTicks};
use crate::error::Error;
use crate::style::{FONT, INK, LABEL_SIZE, LEGEND_HEIGHT, TITLE_SIZE};

/// Chart coordinates: days since 1970-01-01 on x, the value on y.
pub(crate) type Coords = Cartesian2d<Ticked, Ticked>;

/// A linear `f64` axis whose ticks are chosen by [`crate::axis`], not by plotters.
#[derive(Clone, Debug)]
pub(crate) struct Ticked {
    /// First value shown.
    lo: f64,
    /// Last value shown.
    hi: f64,
    /// Tick positions.
    ticks: Vec<f64>,
}

impl Ticked {
    /// An axis over `[lo, hi]` with these ticks.
    pub(crate) fn new((lo, hi): (f64, f64), ticks: &[f64]) -> Self {
        Self {
            lo,
            hi,
            ticks: ticks.to_vec(),
        }
    }
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.hi - self.lo;
        if span.abs() <= f64::EPSILON {
            return i32::midpoint(limit.0, limit.1);
        }
        let share = (value - self.lo) / span;
        let pixel = f64::from(limit.1 - limit.0).mul_add(share, f64::from(limit.0));
        #[allow(
            clippy::cast_possible_truncation,
            reason = "clamped to a million pixels either side, far inside i32"
        )]
        let pixel = pixel.round().clamp(-1.0e6, 1.0e6) as i32;
        pixel
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// Margin around the plot, pixels.
const MARGIN: u32 = 12;
/// Extra room on the right, so a tick label at the right end is not cut, pixels.
const RIGHT_MARGIN: u32 = 36;
/// Room for the x tick labels and the x axis label, pixels.
const X_LABEL_AREA: u32 = 48;
/// Room for the y tick labels and the y axis label, pixels.
const Y_LABEL_AREA: u32 = 84;

/// Maps a plotting error to [`Error::Draw`] naming the chart.
pub(crate) fn draw_error<E: std::error::Error + Send + Sync>(
    chart: &str,
) -> impl Fn(DrawingAreaErrorKind<E>) -> Error + '_ {
    move |e| Error::Draw {
        chart: chart.to_owned(),
        message: e.to_string(),
    }
}

/// A drawing area in pixels.
pub(crate) type Area<DB> = DrawingArea<DB, Shift>;

/// Fills `root` white and splits it into the plot (top) and the legend strip (bottom).
pub(crate) fn split<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<(Area<DB>, Area<DB>), Error>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)
        .map_err(draw_error::<DB::ErrorType>(title))?;
    let (_, height) = root.dim_in_pixel();
    Ok(root.split_vertically(height.saturating_sub(LEGEND_HEIGHT)))
}

/// What the axes show.
pub(crate) struct Axes<'t> {
    /// Chart title.
    pub title: &'t str,
    /// y axis label (with the unit).
    pub y_label: &'t str,
    /// x axis label.
    pub x_label: &'t str,
    /// x range in day numbers.
    pub x: (f64, f64),
    /// x ticks.
    pub x_ticks: &'t DateTicks,
    /// y ticks (their range is the y range).
    pub y_ticks: &'t ValueTicks,
}

/// Draws the title, axes, ticks and grid on `plot` and returns the chart.
pub(crate) fn frame<'a, DB>(
    plot: &'a DrawingArea<DB, Shift>,
    axes: &Axes<'_>,
) -> Result<ChartContext<'a, DB, Coords>, Error>
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
{
    let err = draw_error::<DB::ErrorType>(axes.title);
    let mut chart = ChartBuilder::on(plot)
        .caption(axes.title, (FONT, TITLE_SIZE).into_font().color(&INK))
        .margin(MARGIN)
        .margin_right(RIGHT_MARGIN)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(Y_LABEL_AREA)
        .build_cartesian_2d(
            Ticked::new(axes.x, &axes.x_ticks.days),
            Ticked::new(axes.y_ticks.range, &axes.y_ticks.values),
        )
        .map_err(&err)?;
    let x_fmt = |x: &f64| axes.x_ticks.label(*x);
    let y_fmt = |y: &f64| axes.y_ticks.label(*y);
    chart
        .configure_mesh()
        .x_desc(axes.x_label)
        .y_desc(axes.y_label)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style((FONT, LABEL_SIZE).into_font().color(&INK))
        .axis_desc_style((FONT, LABEL_SIZE).into_font().color(&INK))
        .bold_line_style(INK.mix(0.12))
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(&err)?;
    Ok(chart)
}
