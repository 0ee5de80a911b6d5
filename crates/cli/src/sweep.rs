//! `chokepoint sweep`: design points over scenario parameters, optionally × strategies.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};
use chokepoint_runner::design::{self, ParamRange};
use chokepoint_scenario::{Override, StrategySet};

use crate::args::SweepArgs;
use crate::experiment::{self, Cell, Plan};
use crate::{load_scenario, output};

/// Parses `--param PATH=LO:HI`.
pub fn parse_param(s: &str) -> Result<ParamRange, String> {
    let (path, range) = s.split_once('=').ok_or_else(|| {
        format!("`{s}` is not PATH=LO:HI; write e.g. `shock.0.duration_weeks=4:52`")
    })?;
    let (lo, hi) = range
        .split_once(':')
        .ok_or_else(|| format!("`{range}` is not a range LO:HI; write e.g. `{path}=4:52`"))?;
    let num = |x: &str| {
        x.trim()
            .parse::<f64>()
            .map_err(|_| format!("`{x}` in `{s}` is not a number"))
    };
    let (lo, hi) = (num(lo)?, num(hi)?);
    if !(lo.is_finite() && hi.is_finite()) || lo > hi {
        return Err(format!("`{s}`: the range must be finite with LO <= HI"));
    }
    Ok(ParamRange {
        path: path.trim().to_owned(),
        lo,
        hi,
    })
}

fn set(path: &str, v: f64) -> Override {
    Override {
        path: path.to_owned(),
        value: format!("{v}"),
    }
}

/// Builds the sweep's plan from its arguments (also used by `merge`).
pub fn sweep_plan(args: &SweepArgs, argv: Vec<String>) -> Result<Plan> {
    if args.param.is_empty() {
        bail!("sweep needs at least one --param PATH=LO:HI");
    }
    let scenario = load_scenario(&args.scenario, &args.common.set)?;
    // Both ends of every range must be valid before anything runs.
    for p in &args.param {
        for v in [p.lo, p.hi] {
            scenario.with_overrides(&[set(&p.path, v)]).map_err(|e| {
                anyhow::anyhow!("--param {}={}:{}: at {v}:\n{e}", p.path, p.lo, p.hi)
            })?;
        }
    }
    let mc = crate::monte_carlo_settings(
        args.common.seed,
        args.common.reps,
        args.common.batch,
        &scenario,
        0,
    );
    let mut points = design::points(&args.param, args.design, mc.seed);
    // Keys that hold whole numbers (weeks of horizon, step days) stay whole.
    for (d, p) in args.param.iter().enumerate() {
        if scenario.is_integer_at(&p.path) {
            for point in &mut points {
                point[d] = point[d].round();
            }
        }
    }
    let read = |p: &Path| std::fs::read_to_string(p);
    let strategies = args
        .strategies
        .as_ref()
        .map(|p| StrategySet::load(p, &read))
        .transpose()?;
    let mut cells = Vec::new();
    for (k, point) in points.iter().enumerate() {
        let overrides: Vec<Override> = args
            .param
            .iter()
            .zip(point)
            .map(|(p, v)| set(&p.path, *v))
            .collect();
        let at_point = scenario
            .with_overrides(&overrides)
            .with_context(|| format!("design point {k}"))?;
        let mut labels = vec![("point".to_owned(), k.to_string())];
        labels.extend(
            args.param
                .iter()
                .zip(point)
                .map(|(p, v)| (p.path.clone(), v.to_string())),
        );
        match &strategies {
            None => cells.push(Cell {
                labels,
                scenario: at_point,
                folder: None,
            }),
            Some(set) => {
                for s in &set.strategies {
                    let mut l = labels.clone();
                    l.push(("strategy".to_owned(), s.name.clone()));
                    cells.push(Cell {
                        labels: l,
                        scenario: at_point.with_strategy(s)?,
                        folder: None,
                    });
                }
            }
        }
    }
    let plan = Plan {
        kind: "sweep",
        cells,
        mc,
        keep_series: false,
        argv,
        description: serde_json::json!({
            "scenario": args.scenario.display().to_string(),
            "params": args.param.iter().map(|p| format!("{}={}:{}", p.path, p.lo, p.hi)).collect::<Vec<_>>(),
            "design": args.design.to_string(),
            "points": points.len(),
            "strategies": strategies.as_ref().map(|s| s.names()),
            "overrides": args.common.set.iter().map(|o| format!("{}={}", o.path, o.value)).collect::<Vec<_>>(),
        }),
    };
    Ok(plan)
}

pub fn sweep(args: &SweepArgs) -> Result<()> {
    let plan = sweep_plan(args, crate::plan_argv())?;
    let label = format!("sweep-{}", plan.cells[0].scenario.name());
    experiment::run_and_finish(&plan, &args.common, &label, |results, out| {
        finish_sweep(&plan, results, out)
    })
}

/// Writes sweep.csv from finished results and returns the terminal report.
pub fn finish_sweep(plan: &Plan, results: &experiment::Results, out: &Path) -> Result<String> {
    // sweep.csv: one row per cell: labels, then each metric's mean, CI and quantiles.
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
    for (cell, result) in plan.cells.iter().zip(&results.cells) {
        let metrics = &result.metrics;
        let mut rec: Vec<String> = cell.labels.iter().map(|(_, v)| v.clone()).collect();
        for (m, name) in results.metric_names.iter().enumerate() {
            let r = output::MetricRow::new(name, &experiment::column(metrics, m));
            rec.extend([r.mean, r.ci95_lo, r.ci95_hi, r.p5, r.p50, r.p95].map(|x| x.to_string()));
        }
        w.write_record(&rec)?;
    }
    output::write_atomic(out, "sweep.csv", &w.into_inner()?)?;
    let mut text = String::new();
    writeln!(
        text,
        "sweep of {}: {} cells, {} replications each",
        plan.cells[0].scenario.name(),
        plan.cells.len(),
        plan.mc.replications
    )?;
    writeln!(text, "wrote {}", out.join("sweep.csv").display())?;
    Ok(text)
}
