//! Output files: CSV and JSON that pandas, R and a spreadsheet open directly.
//!
//! Every file is written to a temporary file in the output folder and renamed into place, so a
//! reader never sees half a file. `manifest.json` is written first with `"status": "running"`
//! and last with `"complete"` or `"interrupted"`: a folder whose manifest does not say
//! `complete` is marked as partial.
//!
//! Every experiment writes its per-cell files with [`write_cell_files`], whether the work ran on
//! one machine, was resumed, or came from shards: one function, so the same bytes.

use std::io::Write;
use std::path::Path;

use chokepoint_core::{Calendar, Model, OutputSchema, ScenarioSource};
use chokepoint_stats::{Proportion, SeriesAccumulator, SeriesSummary, Summary};
use serde::Serialize;

use crate::error::Error;
use crate::table::TableFormat;

type Result<T> = std::result::Result<T, Error>;

/// One cell's replications, in replication order.
pub(crate) struct CellResult {
    /// `metrics[replication][metric]`.
    pub metrics: Vec<Vec<f64>>,
    /// Per-step accumulators, when the plan keeps them.
    pub series: Option<SeriesAccumulator>,
}

/// A finished plan.
pub(crate) struct Results {
    /// Metric names.
    pub metric_names: Vec<String>,
    /// Per cell.
    pub cells: Vec<CellResult>,
}

/// One metric of one cell over all replications.
pub(crate) fn column(cell: &[Vec<f64>], metric: usize) -> Vec<f64> {
    cell.iter().map(|r| r[metric]).collect()
}

/// Writes `bytes` to `dir/name` atomically (temporary file, then rename), so a reader never
/// sees half a file.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    // Mode 0666 before the umask, as `File::create` gives: result files are readable by the
    // group when the user's umask says so, not 0600 as temporary files are by default.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder.tempfile_in(dir).map_err(|e| {
        Error::file(
            format!(
                "{}: cannot create a file in the output folder",
                dir.display()
            ),
            e,
        )
    })?;
    tmp.write_all(bytes)
        .map_err(|e| Error::file(format!("{}: cannot write {name}", dir.display()), e))?;
    tmp.as_file().sync_all().ok();
    tmp.persist(dir.join(name)).map_err(|e| {
        Error::file(
            format!("{}: cannot move {name} into place", dir.display()),
            e,
        )
    })?;
    Ok(())
}

/// How a plan's tables are written: the format and the manifest stamp for Parquet files.
#[derive(Clone, Debug)]
pub(crate) struct Tables {
    /// CSV, Parquet or both.
    pub format: TableFormat,
    /// [`crate::table::stamp`].
    pub manifest: String,
}

impl Tables {
    /// Tables of `plan` in `format`.
    pub(crate) fn new<S: ScenarioSource>(
        plan: &crate::plan::Plan<S>,
        format: TableFormat,
        note: Option<&str>,
    ) -> Self {
        Self {
            format,
            manifest: crate::table::stamp(plan, format, note),
        }
    }

    /// The file a reader should open for the table `name`: the CSV when one is written.
    pub(crate) fn file_name(&self, name: &str) -> String {
        if self.format.csv() {
            name.to_owned()
        } else {
            format!("{}.parquet", name.strip_suffix(".csv").unwrap_or(name))
        }
    }

    /// Writes the table `name` (`summary.csv`, ...) given as CSV bytes: the CSV, and/or
    /// `summary.parquet` made from the same bytes, each atomically.
    pub(crate) fn write(&self, dir: &Path, name: &str, csv: &[u8]) -> Result<()> {
        if self.format.csv() {
            write_atomic(dir, name, csv)?;
        }
        if self.format.parquet() {
            let stem = name.strip_suffix(".csv").unwrap_or(name);
            let pq_name = format!("{stem}.parquet");
            let bytes = crate::table::csv_to_parquet(csv, &self.manifest).map_err(|e| {
                Error::file(
                    format!("{}: cannot make {pq_name} from {name}", dir.display()),
                    e,
                )
            })?;
            write_atomic(dir, &pq_name, &bytes)?;
        }
        Ok(())
    }
}

/// How long a run of `scenario` lasts, weeks: the bound of its duration metrics.
pub(crate) fn horizon_weeks<S: ScenarioSource>(scenario: &S) -> f64 {
    let cal = scenario.calendar();
    f64::from(cal.n_steps) * cal.step_weeks()
}

/// Bytes of a finished CSV writer (into memory, which cannot fail to flush).
pub(crate) fn csv_bytes(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>> {
    w.into_inner().map_err(|e| Error::Io(e.into_error()))
}

/// Writes `run`'s files for one cell (summary, time series when kept, replications) and
/// returns the summary rows.
pub(crate) fn write_cell_files<S: ScenarioSource>(
    dir: &Path,
    scenario: &S,
    seed: u64,
    metric_names: &[String],
    result: &CellResult,
    tables: &Tables,
) -> Result<Vec<MetricRow>> {
    let model = Model::new(scenario.central().clone())?;
    let schema = model.schema();
    let horizon = horizon_weeks(scenario);
    let rows: Vec<MetricRow> = metric_names
        .iter()
        .enumerate()
        .map(|(k, name)| MetricRow::new(name, &column(&result.metrics, k), horizon))
        .collect();
    write_summary(dir, &rows, tables)?;
    if let Some(series) = &result.series {
        write_timeseries(dir, schema, scenario.calendar(), &series.finish(), tables)?;
    }
    write_replications(dir, schema, seed, 0, &result.metrics, tables)?;
    Ok(rows)
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
    /// Summarises `values`; 0/1 event metrics get a Wilson interval for their probability,
    /// other intervals are clipped to what the metric can be in a run of `horizon_weeks`
    /// ([`chokepoint_core::metric_domain`]).
    #[must_use]
    pub fn new(metric: &str, values: &[f64], horizon_weeks: f64) -> Self {
        let s = Summary::from_values(values);
        let (lo, hi) = if chokepoint_core::is_event_metric(metric) {
            let p = Proportion::from_values(values);
            (p.wilson_lo, p.wilson_hi)
        } else {
            // The t-interval of a skewed metric can reach past what is possible (negative
            // tonnes): clip it to the metric's domain.
            let (floor, ceiling) = chokepoint_core::metric_domain(metric, horizon_weeks);
            (s.ci95_lo.max(floor), s.ci95_hi.min(ceiling))
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
fn write_summary(dir: &Path, rows: &[MetricRow], tables: &Tables) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)?;
    }
    tables.write(dir, "summary.csv", &csv_bytes(w)?)?;
    let json = serde_json::to_vec_pretty(&serde_json::json!({ "metrics": rows }))?;
    write_atomic(dir, "summary.json", &json)
}

/// `timeseries.csv`: `step,date,variable,mean,p5,p25,p50,p75,p95`, long format.
fn write_timeseries(
    dir: &Path,
    schema: &OutputSchema,
    calendar: &Calendar,
    series: &SeriesSummary,
    tables: &Tables,
) -> Result<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "step", "date", "variable", "mean", "p5", "p25", "p50", "p75", "p95",
    ])?;
    for step in 0..series.n_steps {
        // Steps come from the calendar's own `u32` count; past it, `date_of` saturates anyway.
        let date = calendar
            .date_of(u32::try_from(step).unwrap_or(u32::MAX))
            .to_string();
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
    tables.write(dir, "timeseries.csv", &csv_bytes(w)?)
}

/// `replications.csv`: `rep,seed,<every metric>`, one row per replication in run-id order.
fn write_replications(
    dir: &Path,
    schema: &OutputSchema,
    seed: u64,
    first_run_id: u64,
    metrics: &[Vec<f64>],
    tables: &Tables,
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
    tables.write(dir, "replications.csv", &csv_bytes(w)?)
}

#[cfg(test)]
mod tests {
    use super::MetricRow;

    /// One replication in twenty with a large loss: the t-interval of the mean reaches below
    /// zero, which tonnes cannot; the row clips it to the metric's domain.
    #[test]
    fn intervals_are_clipped_to_what_is_possible() {
        let mut values = vec![0.0; 19];
        values.push(1000.0);
        let row = MetricRow::new("unmet_magnet_t", &values, 260.0);
        assert!(
            row.ci95_lo.to_bits() == 0.0_f64.to_bits(),
            "{}",
            row.ci95_lo
        );
        assert!(row.ci95_hi > row.mean);
        // A target (unit named by the scenario) is not clipped.
        let row = MetricRow::new("target/x", &values, 260.0);
        assert!(row.ci95_lo < 0.0);
        // Weeks cannot outlast the run: nearly every replication censored at the horizon.
        let mut weeks = vec![52.0; 19];
        weeks.push(1.0);
        let row = MetricRow::new("weeks_to_first_halt", &weeks, 52.0);
        assert!(row.ci95_hi <= 52.0 && row.ci95_lo < row.mean, "{row:?}");
    }
}
