//! Output files: CSV and JSON that pandas, R and a spreadsheet open directly.
//!
//! Every file is written to a temporary file in the output folder and renamed into place, so a
//! reader never sees half a file. `manifest.json` is written first with `"status": "running"`
//! and last with `"complete"` or `"interrupted"`: a folder whose manifest does not say
//! `complete` is marked as partial.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use chokepoint_core::{Calendar, OutputSchema};
use chokepoint_stats::{Proportion, SeriesSummary, Summary};
use serde::Serialize;

/// Writes `bytes` to `dir/name` atomically (temporary file, then rename).
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| {
            format!(
                "{}: cannot create a file in the output folder",
                dir.display()
            )
        })?;
    tmp.write_all(bytes)
        .with_context(|| format!("{}: cannot write {name}", dir.display()))?;
    tmp.as_file().sync_all().ok();
    tmp.persist(dir.join(name))
        .with_context(|| format!("{}: cannot move {name} into place", dir.display()))?;
    Ok(())
}

/// Summary statistics of one scalar metric, one row of `summary.csv`.
#[derive(Clone, Debug, Serialize)]
pub struct MetricRow {
    /// Metric name.
    pub metric: String,
    /// Replications.
    pub n: u64,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation.
    pub sd: f64,
    /// Student-t 95 % interval of the mean (Wilson for event probabilities).
    pub ci95_lo: f64,
    /// Upper end.
    pub ci95_hi: f64,
    /// Quantiles over replications.
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

impl MetricRow {
    /// Summarises `values`; 0/1 event metrics get a Wilson interval for their probability.
    pub fn new(metric: &str, values: &[f64]) -> Self {
        let s = Summary::from_values(values);
        let (lo, hi) = if chokepoint_core::is_event_metric(metric) {
            let p = Proportion::from_values(values);
            (p.wilson_lo, p.wilson_hi)
        } else {
            (s.ci95_lo, s.ci95_hi)
        };
        Self {
            metric: metric.to_owned(),
            n: s.n,
            mean: s.mean,
            sd: s.sd,
            ci95_lo: lo,
            ci95_hi: hi,
            p5: s.p5,
            p25: s.p25,
            p50: s.p50,
            p75: s.p75,
            p95: s.p95,
        }
    }
}

/// `summary.csv` and `summary.json`.
pub fn write_summary(dir: &Path, rows: &[MetricRow]) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)?;
    }
    write_atomic(dir, "summary.csv", &w.into_inner()?)?;
    let json = serde_json::to_vec_pretty(&serde_json::json!({ "metrics": rows }))?;
    write_atomic(dir, "summary.json", &json)
}

/// `timeseries.csv`: `step,date,variable,mean,p5,p25,p50,p75,p95`, long format.
pub fn write_timeseries(
    dir: &Path,
    schema: &OutputSchema,
    calendar: &Calendar,
    series: &SeriesSummary,
) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "step", "date", "variable", "mean", "p5", "p25", "p50", "p75", "p95",
    ])?;
    for step in 0..series.n_steps {
        let date = calendar.date_of(step as u32).to_string();
        for (var, name) in schema.step_vars.iter().enumerate() {
            let Some(c) = series.get(step, var) else {
                continue;
            };
            w.write_record([
                step.to_string(),
                date.clone(),
                name.clone(),
                c.mean.to_string(),
                c.p5.to_string(),
                c.p25.to_string(),
                c.p50.to_string(),
                c.p75.to_string(),
                c.p95.to_string(),
            ])?;
        }
    }
    write_atomic(dir, "timeseries.csv", &w.into_inner()?)
}

/// `replications.csv`: `rep,seed,<every metric>`, one row per replication in run-id order.
pub fn write_replications(
    dir: &Path,
    schema: &OutputSchema,
    seed: u64,
    first_run_id: u64,
    metrics: &[Vec<f64>],
) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["rep".to_owned(), "seed".to_owned()];
    header.extend(schema.metrics.iter().cloned());
    w.write_record(&header)?;
    for (k, row) in metrics.iter().enumerate() {
        let mut rec = vec![(first_run_id + k as u64).to_string(), seed.to_string()];
        rec.extend(row.iter().map(f64::to_string));
        w.write_record(&rec)?;
    }
    write_atomic(dir, "replications.csv", &w.into_inner()?)
}
