//! `backtest`: a run of a scenario that holds targets, and each target's model quantiles beside
//! its observed value, in `backtest.csv`.
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
use crate::execute::{Outcome, Report, execute};
use crate::output::{MetricRow, csv_bytes, write_atomic};
use crate::plan::{Load, Plan, PlanSpec, RunSpec};
use crate::run::RunReport;

/// One target of a backtest: one row of `backtest.csv`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BacktestRow {
    /// The target's name (its metric is `target/<name>`).
    pub target: String,
    /// `fit` or `holdout`.
    pub role: &'static str,
    /// First day of the window.
    pub from: chrono::NaiveDate,
    /// Last day of the window.
    pub to: chrono::NaiveDate,
    /// Unit of the values.
    pub unit: String,
    /// The observed value.
    pub historical: f64,
    /// The model's 5th percentile over replications.
    pub p5: f64,
    /// The model's median.
    pub p50: f64,
    /// The model's 95th percentile.
    pub p95: f64,
    /// True when `p5 <= historical <= p95`.
    pub inside_p5_p95: bool,
    /// The target's relative tolerance (the calibration loss's unit of error).
    pub tolerance: f64,
    /// True when the median is within the tolerance of the observed value, on a log scale:
    /// `historical / (1 + tolerance) <= p50 <= historical × (1 + tolerance)`. The model's
    /// p5–p95 band is narrow where only a few numbers are uncertain, so this, not the band, is
    /// what the calibration aims at and the CI guard checks.
    pub p50_within_tolerance: bool,
    /// Where the observed value comes from.
    pub source: String,
}

impl BacktestRow {
    /// The row of `target` from the summary row of its metric.
    #[must_use]
    pub fn new(target: &TargetInfo, summary: &MetricRow) -> Self {
        Self {
            target: target.name.clone(),
            role: target.role.as_str(),
            from: target.from,
            to: target.to,
            unit: target.unit.clone(),
            historical: target.historical,
            p5: summary.p5,
            p50: summary.p50,
            p95: summary.p95,
            inside_p5_p95: summary.p5 <= target.historical && target.historical <= summary.p95,
            tolerance: target.tolerance,
            p50_within_tolerance: target.historical / (1.0 + target.tolerance) <= summary.p50
                && summary.p50 <= target.historical * (1.0 + target.tolerance),
            source: target.source.clone(),
        }
    }
}

/// What a backtest came to.
#[derive(Clone, Debug)]
pub struct BacktestReport {
    /// The run behind it (its files, seed, replications, every metric's summary).
    pub run: RunReport,
    /// The fit targets, in file order, then the holdout targets.
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
        (rows.iter().filter(|r| r.inside_p5_p95).count(), rows.len())
    }

    /// (median within the tolerance, all) among the targets of `role`.
    #[must_use]
    pub fn within_tolerance(&self, role: TargetRole) -> (usize, usize) {
        let rows: Vec<&BacktestRow> = self.of_role(role).collect();
        (
            rows.iter().filter(|r| r.p50_within_tolerance).count(),
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
    let model = Model::new(plan.cells[0].scenario.central().clone())?;
    let targets = model.schema().targets.clone();
    if targets.is_empty() {
        return Err(Error::NoTargets(spec.scenario.clone()));
    }
    let run = match execute(&plan, exec)? {
        Outcome::Done(Report::Run(run)) => run,
        // An unsharded run finishes (or is marked interrupted) in place; the others need a shard.
        Outcome::Done(_) | Outcome::ShardDone { .. } | Outcome::Interrupted { .. } => {
            return Err(Error::BacktestSharded);
        }
    };
    let rows = rows(&targets, &run.rows)?;
    write_backtest(&run.out, &rows)?;
    Ok(BacktestReport { run, rows })
}

/// Each target's row from the summary rows of its metric: fit targets first, then holdouts,
/// each in file order.
fn rows(targets: &[TargetInfo], summary: &[MetricRow]) -> Result<Vec<BacktestRow>, Error> {
    let mut out = Vec::with_capacity(targets.len());
    for role in [TargetRole::Fit, TargetRole::Holdout] {
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
fn write_backtest(dir: &std::path::Path, rows: &[BacktestRow]) -> Result<(), Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)?;
    }
    write_atomic(dir, "backtest.csv", &csv_bytes(w)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chokepoint_core::{Reduce, TargetScale};
    use chrono::NaiveDate;

    fn target(name: &str, role: TargetRole, historical: f64) -> TargetInfo {
        TargetInfo {
            name: name.into(),
            series: "exports_t/*/japan".into(),
            from: NaiveDate::from_ymd_opt(2010, 9, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2010, 9, 30).unwrap(),
            reduce: Reduce::Sum,
            scale: TargetScale::None,
            historical,
            unit: "t".into(),
            source: "test".into(),
            role,
            tolerance: 0.3,
            weight: 1.0,
        }
    }

    #[test]
    fn rows_put_fit_targets_first_and_flag_the_band() {
        let targets = [
            target("held", TargetRole::Holdout, 5.0),
            target("low", TargetRole::Fit, 0.5),
            target("in", TargetRole::Fit, 2.0),
        ];
        let values = [1.0, 2.0, 3.0, 4.0, 5.0];
        let summary: Vec<MetricRow> = ["target/held", "target/low", "target/in"]
            .iter()
            .map(|m| MetricRow::new(m, &values))
            .collect();
        let rows = rows(&targets, &summary).unwrap();
        let names: Vec<&str> = rows.iter().map(|r| r.target.as_str()).collect();
        assert_eq!(names, ["low", "in", "held"]);
        let inside: Vec<bool> = rows.iter().map(|r| r.inside_p5_p95).collect();
        // p5 of 1..5 is 1.2 and p95 4.8: 0.5 below, 2 inside, 5 above.
        assert_eq!(inside, [false, true, false]);
    }

    #[test]
    fn a_target_without_its_metric_is_an_error() {
        let targets = [target("lost", TargetRole::Fit, 1.0)];
        let err = rows(&targets, &[]).unwrap_err();
        assert!(err.to_string().contains("target/lost"), "{err}");
    }
}
