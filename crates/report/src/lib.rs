//! Chokepoint's charts: plain data in, standalone SVG out.
//!
//! - [`fan_chart_svg`]: one weekly series over calendar dates, the model's median with p25–p75
//!   and p5–p95 bands across replications, observed points and dated measures overlaid.
//! - [`target_chart_svg`]: backtest targets sharing a unit, the model's p5–p95 whisker and median
//!   beside the observed value; fitted targets filled, held-out ones hollow.
//! - [`html`]: one self-contained `report.html` per output folder (run, backtest, compare,
//!   sweep), its charts also written to `plots/`.
//! - [`survival_svg`]: the share of replications with no plant halted yet, week by week
//!   (Kaplan–Meier, censored replications marked); [`histogram_svg`]: any per-replication metric.
//! - [`dot_whisker_svg`]: strategies' paired differences against the baseline with intervals;
//!   [`scatter_svg`]: cost against effect, one labelled point per strategy.
//! - [`band_line_svg`]: a metric against a swept value, mean and band per strategy;
//!   [`heat_map_svg`]: a metric over two swept values on the viridis scale.
//! - [`date_lines_svg`]: up to 8 named series of means over calendar dates, measures marked.
//! - [`svg_to_png`]: any of them as PNG (resvg, the system's fonts).
//! - [`files`]: the same charts from a run's output files (`timeseries.csv`, `backtest.csv`, a
//!   CSV of observed points), and atomic writing of the SVG files.
//!
//! Charts use the Okabe–Ito colour-blind-safe palette, calendar ticks (days, months or years),
//! thousands separators, and a generic `sans-serif` font the viewer supplies: no font file is
//! read when drawing SVG, so the crate builds and runs on a machine without fonts (only
//! [`svg_to_png`] loads the system's fonts, and says so when there are none). It knows nothing of the model,
//! the scenario or the experiment engine.
//!
//! ```
//! use chokepoint_report::{FanChart, FanStep, fan_chart_svg};
//! use chrono::NaiveDate;
//!
//! let date = NaiveDate::from_ymd_opt(2010, 9, 6).unwrap();
//! let step = FanStep { date, p5: 1.0, p25: 1.5, p50: 2.0, p75: 2.5, p95: 3.0 };
//! let svg = fan_chart_svg(&FanChart::new("Dy oxide price", "USD/kg", vec![step])).unwrap();
//! assert!(svg.starts_with("<svg"));
//! ```

mod axis;
mod band;
mod canvas;
#[cfg(test)]
mod check;
mod dots;
mod error;
mod fan;
pub mod files;
mod frame;
mod heat;
mod histogram;
pub mod html;
mod lines;
mod png;
mod replications;
mod scatter;
mod style;
mod survival;
mod target;

pub use axis::{DateTicks, ValueTicks, date_ticks, thousands, value_ticks};
pub use band::{BandLineChart, BandPoint, BandSeries, band_line_svg};
pub use dots::{DotRow, DotWhiskerChart, dot_whisker_svg};
pub use error::Error;
pub use fan::{FanChart, FanStep, HistoricalPoint, Marker, fan_chart_svg};
pub use heat::{
    HeatCell, HeatMapChart, MAX_HEAT_SIDE, PRINT_VALUES_UP_TO, heat_colour, heat_map_svg,
};
pub use histogram::{Bins, HistogramChart, MAX_BINS, MIN_BINS, histogram_bins, histogram_svg};
pub use lines::{DateLinesChart, DatePoint, DateSeries, date_lines_svg};
pub use png::{MAX_PNG_SIDE, Png, svg_to_png};
pub use replications::{halt_times, replication_column};
pub use scatter::{ScatterChart, ScatterPoint, scatter_svg};
pub use style::DEFAULT_SIZE;
pub use survival::{HaltTime, SurvivalChart, SurvivalCurve, survival_curve, survival_svg};
pub use target::{Role, TargetChart, TargetMark, target_chart_svg};
