//! `chokepoint plot`: flags → chart data → SVG files in `<run>/plots/`. The charts, the file
//! readers and the writing are `chokepoint-report`'s; this module only adds the measures' dates,
//! read from the scenario stored in the run's manifest.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Result, bail};
use chokepoint_report::files::{
    PLOTS_DIR, fan_steps, file_stem, historical_points, write_backtest_plots, write_svg,
};
use chokepoint_report::{FanChart, Marker, fan_chart_svg};
use chokepoint_scenario::Scenario;

use crate::args::PlotArgs;

/// Draws the charts asked for and returns the lines to print (one per file written).
pub(crate) fn plot(args: &PlotArgs) -> Result<String> {
    let backtest = args.run.join("backtest.csv");
    chokepoint_report::files::parquet_only(&args.run.join("timeseries.csv"))?;
    chokepoint_report::files::parquet_only(&backtest)?;
    if args.series.is_empty() && !backtest.exists() {
        bail!(
            "{}: nothing to plot: give --series VARIABLE (see timeseries.csv), or run `chokepoint backtest` into this folder",
            args.run.display()
        );
    }
    if !args.scale.is_finite() || args.scale <= 0.0 {
        bail!("--scale {}: must be a positive number", args.scale);
    }
    let points = match &args.points {
        Some(p) => historical_points(p)?,
        None => Vec::new(),
    };
    let markers = if args.no_markers {
        Vec::new()
    } else {
        markers(&args.run)
    };
    let mut out = String::new();
    for variable in &args.series {
        let steps = fan_steps(&args.run.join("timeseries.csv"), variable, args.scale)?;
        let default_label = if (args.scale - 1.0).abs() > f64::EPSILON {
            format!("{variable} × {}", args.scale)
        } else {
            variable.clone()
        };
        let mut chart = FanChart::new(
            args.title.clone().unwrap_or_else(|| variable.clone()),
            args.ylabel.clone().unwrap_or(default_label),
            steps,
        );
        chart.points.clone_from(&points);
        chart.markers.clone_from(&markers);
        let svg = fan_chart_svg(&chart)?;
        let path = write_svg(
            &args.run.join(PLOTS_DIR),
            &format!("{}.svg", file_stem(variable)),
            &svg,
        )?;
        writeln!(out, "wrote {}", path.display())?;
    }
    if backtest.exists() {
        for path in write_backtest_plots(&args.run)? {
            writeln!(out, "wrote {}", path.display())?;
        }
    }
    Ok(out)
}

/// The measures of the run's scenario (its manifest's resolved scenario), after its start.
/// None when the manifest or its scenario cannot be read: a chart without markers is still a
/// chart, and the warning says why.
fn markers(run: &Path) -> Vec<Marker> {
    match read_markers(run) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("warning: measures not marked: {e:#}");
            Vec::new()
        }
    }
}

fn read_markers(run: &Path) -> Result<Vec<Marker>> {
    let path = run.join("manifest.json");
    let manifest = crate::html::read_manifest(run)?;
    let Some(resolved) = manifest
        .get("resolved_scenario")
        .and_then(serde_json::Value::as_str)
    else {
        bail!("{}: no `resolved_scenario`", path.display());
    };
    let scenario = Scenario::from_str(resolved, &path)?;
    Ok(scenario
        .timeline()
        .into_iter()
        .filter(|e| e.step > 0)
        .map(|e| Marker {
            date: e.date,
            // The shock's name only: full descriptions overlap on a chart where several
            // measures are close (`chokepoint check` prints them).
            label: e.shock.clone(),
        })
        .collect())
}
