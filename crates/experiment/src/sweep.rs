//! `sweep`: design points over scenario parameters, optionally × strategies.
//!
//! Every point (× strategy) is a cell on common random numbers, so differences between points
//! come from the parameters, not from the draws. Both ends of every range are validated before
//! anything runs, and keys that hold whole numbers stay whole at every point.

use std::path::{Path, PathBuf};

use chokepoint_core::ScenarioSource;

use crate::design;
use crate::error::Error;
use crate::output::Tables;
use crate::output::{MetricRow, Results, column, csv_bytes, horizon_weeks};
use crate::plan::{CellsBuilder, Finish, Load, Plan, PlanSpec, Recipe, SweepSpec, admit_shape};

/// What a sweep came to, for the front door to show.
#[derive(Clone, Debug)]
pub struct SweepReport {
    /// The swept scenario's name.
    pub scenario: String,
    /// Cells (points × strategies).
    pub cells: usize,
    /// Replications per cell.
    pub replications: u64,
    /// The `sweep.csv` written (`sweep.parquet` when only Parquet is).
    pub file: PathBuf,
    /// The `tornado.csv` written by a one-at-a-time (`oat`) design.
    pub tornado: Option<PathBuf>,
    /// The `sensitivity.csv` written by a `sobol:N` or `morris:R` design, and its rows.
    pub sensitivity: Option<(PathBuf, Vec<crate::sensitivity::SensitivityRow>)>,
}

/// Builds the sweep's plan: the design's points, each applied to the scenario (× strategies).
pub(crate) fn plan<S: ScenarioSource>(
    spec: &SweepSpec,
    loader: &dyn Load<S>,
) -> Result<Plan<S>, Error> {
    if spec.params.is_empty() {
        return Err(Error::NoParams);
    }
    for (k, p) in spec.params.iter().enumerate() {
        if let Some(first) = spec.params[..k].iter().position(|q| q.path == p.path) {
            return Err(Error::Duplicate {
                what: format!("swept parameter `{}`", p.path),
                first: format!("--param {} (number {})", spec.params[first].path, first + 1),
                second: format!("--param {} (number {})", p.path, k + 1),
                fix: "sweep each parameter once, over one range".into(),
            });
        }
    }
    design::check(spec.params.len(), spec.design)?;
    let scenario = loader
        .scenario(&spec.scenario, &spec.overrides)
        .map_err(Error::Scenario)?;
    // Both ends of every range must be valid before anything runs.
    for p in &spec.params {
        for v in [p.lo, p.hi] {
            scenario
                .with_values(&[(&p.path, v)])
                .map_err(|e| Error::ParamEnd {
                    path: p.path.clone(),
                    lo: p.lo,
                    hi: p.hi,
                    value: v,
                    problem: e.into(),
                })?;
        }
    }
    let mc = spec.settings.resolve(&scenario);
    let strategies = spec
        .strategies
        .as_ref()
        .map(|p| loader.strategies(p))
        .transpose()
        .map_err(Error::Scenario)?;
    // Counted before a single point is made: a grid's size is K to the power of the
    // parameters, and refusing it must not first allocate it.
    let n_points =
        design::count(spec.params.len(), spec.design).ok_or_else(|| Error::DesignTooLarge {
            design: spec.design,
            params: spec.params.len(),
        })?;
    let per_point = strategies.as_ref().map_or(1, |s| s.len() as u64);
    let shape = admit_shape(
        &scenario,
        n_points.saturating_mul(per_point),
        mc.replications,
        false,
    )?;
    let mut points = design::points(&spec.params, spec.design, mc.seed).ok_or_else(|| {
        Error::DesignTooLarge {
            design: spec.design,
            params: spec.params.len(),
        }
    })?;
    // Keys that hold whole numbers (weeks of horizon, step days) stay whole.
    for (d, p) in spec.params.iter().enumerate() {
        if scenario.is_integer_at(&p.path) {
            for point in &mut points {
                point[d] = point[d].round();
            }
        }
    }
    let mut cells = CellsBuilder::new("sweep");
    for (k, point) in points.iter().enumerate() {
        let values: Vec<(&str, f64)> = spec
            .params
            .iter()
            .zip(point)
            .map(|(p, v)| (p.path.as_str(), *v))
            .collect();
        let at_point = scenario
            .with_values(&values)
            .map_err(|e| Error::DesignPoint {
                index: k,
                source: e.into(),
            })?;
        let mut labels = vec![("point".to_owned(), k.to_string())];
        labels.extend(
            spec.params
                .iter()
                .zip(point)
                .map(|(p, v)| (p.path.clone(), v.to_string())),
        );
        let recipe = |strategy| Recipe {
            base: 0,
            values: point.clone(),
            strategy,
        };
        match &strategies {
            None => cells.push(labels, None, recipe(None), &at_point)?,
            Some(set) => {
                for (t, (name, strategy)) in set.iter().enumerate() {
                    let mut l = labels.clone();
                    l.push(("strategy".to_owned(), name.clone()));
                    let variant = at_point.with_strategy(strategy).map_err(Error::scenario)?;
                    cells.push(l, None, recipe(Some(t)), &variant)?;
                }
            }
        }
    }
    let description = serde_json::json!({
        "scenario": spec.scenario.display().to_string(),
        "params": spec.params.iter().map(|p| format!("{}={}:{}", p.path, p.lo, p.hi)).collect::<Vec<_>>(),
        "design": spec.design.to_string(),
        "points": points.len(),
        "strategies": strategies.as_ref().map(|s| s.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>()),
        "overrides": spec.overrides.iter().map(ToString::to_string).collect::<Vec<_>>(),
    });
    let (cells, metric_names, sha256) = cells.finish(&mc);
    Ok(Plan {
        spec: PlanSpec::Sweep(spec.clone()),
        label: format!("sweep-{}", scenario.name()),
        cells,
        mc,
        keep_series: false,
        description,
        finish: Finish::Sweep,
        bases: vec![scenario],
        strategies: strategies
            .map(|set| set.into_iter().map(|(_, s)| s).collect())
            .unwrap_or_default(),
        swept: spec.params.iter().map(|p| p.path.clone()).collect(),
        metric_names,
        sha256,
        shape,
    })
}

/// Writes sweep.csv from finished results: one row per cell, its labels, then each metric's
/// mean, interval and quantiles.
pub(crate) fn finish_sweep<S: ScenarioSource>(
    plan: &Plan<S>,
    results: &Results,
    out: &Path,
    tables: &Tables,
) -> Result<SweepReport, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = plan.cells[0]
        .labels
        .iter()
        .map(|(k, _)| k.clone())
        .collect();
    for m in &results.metric_names {
        for stat in ["mean", "ci95_lo", "ci95_hi", "p5", "p50", "p95"] {
            header.push(format!("{m}_{stat}"));
        }
    }
    w.write_record(&header)?;
    // Durations are bounded by the horizon, unless the sweep moves the horizon itself.
    let horizon = if plan.swept.iter().any(|p| p.starts_with("scenario.")) {
        f64::INFINITY
    } else {
        horizon_weeks(&plan.bases[0])
    };
    for (cell, result) in plan.cells.iter().zip(&results.cells) {
        let metrics = &result.metrics;
        let mut rec: Vec<String> = cell.labels.iter().map(|(_, v)| v.clone()).collect();
        for (m, name) in results.metric_names.iter().enumerate() {
            let r = MetricRow::new(name, &column(metrics, m), horizon);
            rec.extend([r.mean, r.ci95_lo, r.ci95_hi, r.p5, r.p50, r.p95].map(|x| x.to_string()));
        }
        w.write_record(&rec)?;
    }
    tables.write(out, "sweep.csv", &csv_bytes(w)?)?;
    let mut tornado_file = None;
    if let PlanSpec::Sweep(spec) = &plan.spec
        && spec.design == design::Design::Oat
    {
        let bytes = tornado(spec, plan.cells.len(), results)?;
        tables.write(out, "tornado.csv", &bytes)?;
        tornado_file = Some(out.join(tables.file_name("tornado.csv")));
    }
    let mut sensitivity = None;
    if let PlanSpec::Sweep(spec) = &plan.spec
        && let Some((bytes, rows)) =
            crate::sensitivity::table(spec, plan.cells.len(), plan.mc.seed, results)?
    {
        tables.write(out, "sensitivity.csv", &bytes)?;
        sensitivity = Some((out.join(tables.file_name("sensitivity.csv")), rows));
    }
    Ok(SweepReport {
        scenario: plan.bases[0].name().to_owned(),
        cells: plan.cells.len(),
        replications: plan.mc.replications,
        file: out.join(tables.file_name("sweep.csv")),
        tornado: tornado_file,
        sensitivity,
    })
}

/// `tornado.csv` of a one-at-a-time sweep: for each metric, each parameter's effect (mean at
/// its high end minus mean at its low end, a paired difference on common random numbers, with
/// its 95 % interval), largest swing first. Cells are points × strategies, points in
/// [`design::Design::Oat`] order (middle, then low and high of each parameter).
fn tornado(spec: &SweepSpec, n_cells: usize, results: &Results) -> Result<Vec<u8>, Error> {
    let n_points = 1 + 2 * spec.params.len();
    let n_strategies = (n_cells / n_points).max(1);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "strategy_index",
        "metric",
        "rank",
        "param",
        "lo",
        "hi",
        "mean_middle",
        "mean_at_lo",
        "mean_at_hi",
        "effect_hi_minus_lo",
        "effect_ci95_lo",
        "effect_ci95_hi",
    ])?;
    for s in 0..n_strategies {
        let cell = |point: usize| &results.cells[point * n_strategies + s].metrics;
        for (m, name) in results.metric_names.iter().enumerate() {
            let mean =
                |point: usize| MetricRow::new(name, &column(cell(point), m), f64::INFINITY).mean;
            let mut rows = Vec::with_capacity(spec.params.len());
            for (d, p) in spec.params.iter().enumerate() {
                let (lo, hi) = (1 + 2 * d, 2 + 2 * d);
                let effect = chokepoint_stats::PairedDiff::from_pairs(
                    &column(cell(hi), m),
                    &column(cell(lo), m),
                )?;
                rows.push((p, mean(lo), mean(hi), effect));
            }
            // Largest swing first; ties (and NaN swings, last) keep the parameters' order.
            rows.sort_by(|a, b| {
                let swing = |r: &(_, _, _, chokepoint_stats::PairedDiff)| {
                    let x = r.3.mean_diff.abs();
                    if x.is_nan() { -1.0 } else { x }
                };
                swing(b).total_cmp(&swing(a))
            });
            let middle = mean(0);
            for (rank, (p, at_lo, at_hi, e)) in rows.iter().enumerate() {
                w.write_record([
                    s.to_string(),
                    name.clone(),
                    (rank + 1).to_string(),
                    p.path.clone(),
                    p.lo.to_string(),
                    p.hi.to_string(),
                    middle.to_string(),
                    at_lo.to_string(),
                    at_hi.to_string(),
                    e.mean_diff.to_string(),
                    e.ci95_lo.to_string(),
                    e.ci95_hi.to_string(),
                ])?;
            }
        }
    }
    csv_bytes(w)
}
