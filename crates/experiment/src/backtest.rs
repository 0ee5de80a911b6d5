//! `backtest`: a run of a scenario that holds targets, and each target's model quantiles beside
//! its observed value, in `backtest.csv`. A prediction (a target with no observed value) gets
//! its quantiles and empty cells where an observed target has its value and the comparisons.
//!
//! The run goes through the same plan and [`execute`] as `run`, so its usual files are written
//! as `run` writes them; the targets come from the model's [`chokepoint_core::OutputSchema`]
//! (the engine never reads a scenario file) and their values are the run's `target/<name>`
//! metrics. A backtest reports; it does not judge: a target outside its band is a row, not an
//! error.

use chokepoint_core::{Model, ScenarioSource, TargetInfo, TargetRole};
use serde::Serialize;

use crate::engine::Execution;
use crate::error::Error;
use crate::execute::{Outcome, Report, execute_locked};
use crate::output::{MetricRow, csv_bytes};
use crate::plan::{Load, Plan, PlanSpec, RunSpec};
use crate::run::RunReport;

/// One target of a backtest: one row of `backtest.csv`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BacktestRow {
    /// The target's name (its metric is `target/<name>`).
    pub target: String,
    /// `fit`, `holdout` or `prediction`.
    pub role: &'static str,
    /// First day of the window.
    pub from: chrono::NaiveDate,
    /// Last day of the window.
    pub to: chrono::NaiveDate,
    /// Unit of the values.
    pub unit: String,
    /// The observed value; `None` (an empty cell) for a prediction.
    pub historical: Option<f64>,
    /// The model's 5th percentile over replications.
    pub p5: f64,
    /// The model's median.
    pub p50: f64,
    /// The model's 95th percentile.
    pub p95: f64,
    /// True when `p5 <= historical <= p95`; `None` for a prediction.
    pub inside_p5_p95: Option<bool>,
    /// The target's relative tolerance (the calibration loss's unit of error); `None` for a
    /// prediction.
    pub tolerance: Option<f64>,
    /// True when the median is within the tolerance of the observed value, on a log scale:
    /// `historical / (1 + tolerance) <= p50 <= historical × (1 + tolerance)`. The model's
    /// p5–p95 band is narrow where only a few numbers are uncertain, so this, not the band, is
    /// what the calibration aims at and the CI guard checks. `None` for a prediction.
    pub p50_within_tolerance: Option<bool>,
    /// Where the observed value comes from.
    pub source: String,
}

impl BacktestRow {
    /// The row of `target` from the summary row of its metric.
    #[must_use]
    pub fn new(target: &TargetInfo, summary: &MetricRow) -> Self {
        let observed = target.observed();
        Self {
            target: target.name.clone(),
            role: target.role.as_str(),
            from: target.from,
            to: target.to,
            unit: target.unit.clone(),
            historical: observed.map(|o| o.historical),
            p5: summary.p5,
            p50: summary.p50,
            p95: summary.p95,
            inside_p5_p95: observed
                .map(|o| summary.p5 <= o.historical && o.historical <= summary.p95),
            tolerance: observed.map(|o| o.tolerance),
            p50_within_tolerance: observed.map(|o| {
                o.historical / (1.0 + o.tolerance) <= summary.p50
                    && summary.p50 <= o.historical * (1.0 + o.tolerance)
            }),
            source: target.source.clone(),
        }
    }
}

/// What a backtest came to.
#[derive(Clone, Debug)]
pub struct BacktestReport {
    /// The run behind it (its files, seed, replications, every metric's summary).
    pub run: RunReport,
    /// The fit targets, in file order, then the holdout targets, then the predictions.
    pub rows: Vec<BacktestRow>,
}

impl BacktestReport {
    /// Rows of one role, in file order.
    pub fn of_role(&self, role: TargetRole) -> impl Iterator<Item = &BacktestRow> {
        self.rows.iter().filter(move |r| r.role == role.as_str())
    }

    /// (inside their p5–p95 band, all) among the targets of `role`.
    #[must_use]
    pub fn inside(&self, role: TargetRole) -> (usize, usize) {
        let rows: Vec<&BacktestRow> = self.of_role(role).collect();
        (
            rows.iter()
                .filter(|r| r.inside_p5_p95 == Some(true))
                .count(),
            rows.len(),
        )
    }

    /// (median within the tolerance, all) among the targets of `role`.
    #[must_use]
    pub fn within_tolerance(&self, role: TargetRole) -> (usize, usize) {
        let rows: Vec<&BacktestRow> = self.of_role(role).collect();
        (
            rows.iter()
                .filter(|r| r.p50_within_tolerance == Some(true))
                .count(),
            rows.len(),
        )
    }
}

/// Runs the scenario of `spec` (as `run` does, on this machine: `exec` must not name a shard)
/// and writes `backtest.csv` beside the run's files. A scenario without targets is refused
/// before anything runs.
pub fn backtest<S: ScenarioSource>(
    spec: &RunSpec,
    loader: &dyn Load<S>,
    exec: &Execution<'_>,
) -> Result<BacktestReport, Error> {
    if exec.shard.is_some() || exec.resume {
        return Err(Error::BacktestSharded);
    }
    let plan_spec = PlanSpec::Run(spec.clone());
    let plan = Plan::from_spec(&plan_spec, loader)?;
    let model = Model::new(plan.scenario(0)?.central().clone())?;
    let targets = model.schema().targets.clone();
    if targets.is_empty() {
        return Err(Error::NoTargets(spec.scenario.clone()));
    }
    let (outcome, _lock) = execute_locked(&plan, exec)?;
    let run = match outcome {
        Outcome::Done(Report::Run(run)) => run,
        // An unsharded run finishes (or is marked interrupted) in place; the others need a shard.
        Outcome::Done(_) | Outcome::ShardDone { .. } | Outcome::Interrupted { .. } => {
            return Err(Error::BacktestSharded);
        }
    };
    let rows = rows(&targets, &run.rows)?;
    let (format, note) = crate::table::resolve_format(&plan, exec.format, exec.parquet_above_bytes);
    let tables = crate::output::Tables::new(&plan, format, note.as_deref());
    write_backtest(&run.out, &rows, &tables)?;
    Ok(BacktestReport { run, rows })
}

/// Each target's row from the summary rows of its metric: fit targets first, then holdouts,
/// then predictions, each in file order.
fn rows(targets: &[TargetInfo], summary: &[MetricRow]) -> Result<Vec<BacktestRow>, Error> {
    let mut out = Vec::with_capacity(targets.len());
    for role in [TargetRole::Fit, TargetRole::Holdout, TargetRole::Prediction] {
        for t in targets.iter().filter(|t| t.role == role) {
            let metric = t.metric();
            let row = summary
                .iter()
                .find(|r| r.metric == metric)
                .ok_or(Error::MissingMetric(metric))?;
            out.push(BacktestRow::new(t, row));
        }
    }
    Ok(out)
}

/// `backtest.csv`, written atomically.
fn write_backtest(
    dir: &std::path::Path,
    rows: &[BacktestRow],
    tables: &crate::output::Tables,
) -> Result<(), Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)?;
    }
    tables.write(dir, "backtest.csv", &csv_bytes(w)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chokepoint_core::{Reduce, TargetScale};
    use chrono::NaiveDate;

    fn target(name: &str, role: TargetRole, historical: f64) -> TargetInfo {
        let observed = role != TargetRole::Prediction;
        TargetInfo {
            name: name.into(),
            series: "exports_t/*/japan".into(),
            from: NaiveDate::from_ymd_opt(2010, 9, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2010, 9, 30).unwrap(),
            reduce: Reduce::Sum,
            scale: TargetScale::None,
            historical: observed.then_some(historical),
            unit: "t".into(),
            source: "test".into(),
            role,
            tolerance: observed.then_some(0.3),
            weight: observed.then_some(1.0),
        }
    }

    #[test]
    fn rows_put_fit_targets_first_and_flag_the_band() {
        let targets = [
            target("ahead", TargetRole::Prediction, 0.0),
            target("held", TargetRole::Holdout, 5.0),
            target("low", TargetRole::Fit, 0.5),
            target("in", TargetRole::Fit, 2.0),
        ];
        let values = [1.0, 2.0, 3.0, 4.0, 5.0];
        let summary: Vec<MetricRow> = ["target/ahead", "target/held", "target/low", "target/in"]
            .iter()
            .map(|m| MetricRow::new(m, &values, f64::INFINITY))
            .collect();
        let rows = rows(&targets, &summary).unwrap();
        let names: Vec<&str> = rows.iter().map(|r| r.target.as_str()).collect();
        assert_eq!(names, ["low", "in", "held", "ahead"]);
        let inside: Vec<Option<bool>> = rows.iter().map(|r| r.inside_p5_p95).collect();
        // p5 of 1..5 is 1.2 and p95 4.8: 0.5 below, 2 inside, 5 above; a prediction has none.
        assert_eq!(inside, [Some(false), Some(true), Some(false), None]);
        let ahead = &rows[3];
        assert_eq!(
            (
                ahead.historical,
                ahead.tolerance,
                ahead.p50_within_tolerance
            ),
            (None, None, None)
        );
        assert!((ahead.p50 - 3.0).abs() < 1e-12);
    }

    #[test]
    fn a_prediction_writes_empty_cells_and_is_not_counted() {
        let targets = [
            target("in", TargetRole::Fit, 2.0),
            target("ahead", TargetRole::Prediction, 0.0),
        ];
        let values = [1.0, 2.0, 3.0];
        let summary: Vec<MetricRow> = ["target/in", "target/ahead"]
            .iter()
            .map(|m| MetricRow::new(m, &values, f64::INFINITY))
            .collect();
        let rows = rows(&targets, &summary).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let tables = crate::output::Tables {
            format: crate::TableFormat::Both,
            manifest: "{}".to_owned(),
        };
        write_backtest(dir.path(), &rows, &tables).unwrap();
        // The prediction's empty cells are nulls in the Parquet twin.
        assert!(dir.path().join("backtest.parquet").is_file());
        let csv = std::fs::read_to_string(dir.path().join("backtest.csv")).unwrap();
        let ahead = csv.lines().find(|l| l.starts_with("ahead,")).unwrap();
        assert!(
            ahead.starts_with("ahead,prediction,2010-09-01,2010-09-30,t,,"),
            "{ahead}"
        );
        assert!(ahead.ends_with(",,,test"), "{ahead}");
        assert!(!csv.contains("NaN"), "{csv}");
    }

    #[test]
    fn a_target_without_its_metric_is_an_error() {
        let targets = [target("lost", TargetRole::Fit, 1.0)];
        let err = rows(&targets, &[]).unwrap_err();
        assert!(err.to_string().contains("target/lost"), "{err}");
    }
}
