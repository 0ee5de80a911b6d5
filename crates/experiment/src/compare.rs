//! `compare`: stockpile strategies on common random numbers, on one or many scenarios.
//!
//! Every scenario × strategy is a cell; replication *i* of every cell shares streams, so the
//! difference between two strategies is measured replication by replication (a paired
//! difference, much narrower than comparing independent runs). With several scenarios the
//! strategies are also ranked by robustness: worst case, mean and regret (the gap to the best
//! strategy in each scenario), as in robust decision making.

use std::path::{Path, PathBuf};

use chokepoint_core::ScenarioSource;
use chokepoint_stats::{PairedDiff, Proportion, Summary};

use crate::error::Error;
use crate::output::Tables;
use crate::output::{MetricRow, Results, column, csv_bytes, horizon_weeks, write_cell_files};
use crate::plan::{
    CellsBuilder, CompareInfo, CompareSpec, Finish, Load, Plan, PlanSpec, Recipe, admit_shape,
};
use crate::suite::read_suite;
use chokepoint_diagnostics::did_you_mean;

/// The metrics the ranking table shows, by name: unmet demand, halts, weeks to the first halt,
/// lost output and the cost of the measures ([`COST_METRICS`]).
const RANKED: [&str; 4] = [
    "unmet_magnet_t",
    "any_halt",
    "weeks_to_first_halt",
    "lost_output_usd",
];

/// The cost column of the ranking, first present wins: the cost of all the importers' measures
/// when the outputs have lever metrics (stockpiles and floors in one currency, issue 18), else
/// the stockpiles' cost (so stockpile-only comparisons read as before).
pub(crate) const COST_METRICS: [&str; 2] = ["policy_cost_usd", "stockpile_cost_usd"];

/// The metric of the ranking's cost column among `metric_names` ([`COST_METRICS`]).
#[must_use]
pub(crate) fn cost_metric(metric_names: &[String]) -> Option<&'static str> {
    COST_METRICS
        .into_iter()
        .find(|c| metric_names.iter().any(|m| m == c))
}

/// Builds the comparison's plan: suites expanded, strategies applied to every scenario.
pub(crate) fn plan<S: ScenarioSource>(
    spec: &CompareSpec,
    loader: &dyn Load<S>,
) -> Result<Plan<S>, Error> {
    let mut scenario_paths = Vec::new();
    let (mut strategies_path, mut baseline, mut objective) = (
        spec.strategies.clone(),
        spec.baseline.clone(),
        spec.objective.clone(),
    );
    let mut suite_name = None;
    for p in &spec.scenarios {
        match read_suite(p)? {
            Some(suite) => {
                scenario_paths.extend(suite.scenarios);
                strategies_path = strategies_path.or(suite.strategies);
                baseline = baseline.or(suite.baseline);
                objective = objective.or(suite.objective);
                suite_name = Some(suite.name);
            }
            None => scenario_paths.push(p.clone()),
        }
    }
    for (k, p) in scenario_paths.iter().enumerate() {
        let same = |q: &PathBuf| {
            q == p
                || matches!((std::fs::canonicalize(q), std::fs::canonicalize(p)), (Ok(a), Ok(b)) if a == b)
        };
        if let Some(first) = scenario_paths[..k].iter().position(same) {
            return Err(Error::Duplicate {
                what: format!("scenario {}", p.display()),
                first: format!("scenario {}", first + 1),
                second: format!("scenario {}", k + 1),
                fix: "list each scenario once: a duplicate would count twice in the ranking".into(),
            });
        }
    }
    let Some(strategies_path) = strategies_path else {
        return Err(Error::NoStrategies);
    };
    let strategies = loader
        .strategies(&strategies_path)
        .map_err(Error::Scenario)?;
    let names: Vec<&str> = strategies.iter().map(|(n, _)| n.as_str()).collect();
    let first_name = names
        .first()
        .ok_or_else(|| Error::EmptyStrategies(strategies_path.clone()))?;
    let baseline = baseline.unwrap_or_else(|| (*first_name).to_owned());
    let Some(base_index) = names.iter().position(|n| *n == baseline) else {
        return Err(Error::UnknownBaseline {
            hint: did_you_mean(&baseline, &names),
            baseline,
            file: strategies_path,
            known: names.join(", "),
        });
    };
    let objective = objective.unwrap_or_else(|| "total_cost_usd".to_owned());

    let mut bases = Vec::new();
    for path in &scenario_paths {
        let scenario = loader
            .scenario(path, &spec.overrides)
            .map_err(Error::Scenario)?;
        if let Some(first) = bases.iter().position(|b: &S| b.name() == scenario.name()) {
            return Err(Error::Duplicate {
                what: format!("scenario name `{}`", scenario.name()),
                first: scenario_paths[first].display().to_string(),
                second: path.display().to_string(),
                fix: "give each scenario its own `scenario.name`: it names the rows and folders of the comparison".into(),
            });
        }
        bases.push(scenario);
    }
    let first = bases.first().ok_or(Error::NoScenarios)?;
    let mc = spec.settings.resolve(first);
    let shape = admit_shape(
        first,
        (bases.len() as u64).saturating_mul(strategies.len() as u64),
        mc.replications,
        true,
    )?;
    let mut cells = CellsBuilder::new("compare");
    let mut scenario_names = Vec::new();
    for (b, (path, scenario)) in scenario_paths.iter().zip(&bases).enumerate() {
        scenario_names.push(scenario.name().to_owned());
        for (t, (name, strategy)) in strategies.iter().enumerate() {
            let variant = scenario
                .with_strategy(strategy)
                .map_err(|e| Error::Strategy {
                    strategy: name.clone(),
                    path: path.clone(),
                    source: e.into(),
                })?;
            cells.push(
                vec![
                    ("scenario".into(), scenario.name().into()),
                    ("strategy".into(), name.clone()),
                ],
                Some(PathBuf::from(scenario.name()).join(name)),
                Recipe {
                    base: b,
                    values: Vec::new(),
                    strategy: Some(t),
                },
                &variant,
            )?;
        }
    }
    // The objective is checked against the metrics before anything runs (issue 13: it used to
    // be checked only after every cell had run).
    let schema_metrics = first
        .new_model()
        .map(|m| m.schema().metrics.clone())
        .map_err(|e| Error::Scenario(e.into()))?;
    if !schema_metrics.contains(&objective) {
        let cands: Vec<&str> = schema_metrics.iter().map(String::as_str).collect();
        return Err(Error::UnknownObjective {
            hint: did_you_mean(&objective, &cands),
            objective,
        });
    }
    let description = serde_json::json!({
        "scenarios": scenario_paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
        "strategies_file": strategies_path.display().to_string(),
        "strategies": names,
        "baseline": baseline,
        "objective": objective,
        "overrides": spec.overrides.iter().map(ToString::to_string).collect::<Vec<_>>(),
    });
    let label = suite_name.unwrap_or_else(|| format!("compare-{}", scenario_names.join("+")));
    let info = CompareInfo {
        names: names.iter().map(|n| (*n).to_owned()).collect(),
        base_index,
        objective,
        scenario_names,
    };
    let (cells, metric_names, sha256) = cells.finish(&mc);
    Ok(Plan {
        spec: PlanSpec::Compare(spec.clone()),
        cells,
        mc,
        keep_series: true,
        description,
        label,
        finish: Finish::Compare(info),
        bases,
        strategies: strategies.into_iter().map(|(_, s)| s).collect(),
        swept: Vec::new(),
        metric_names,
        sha256,
        shape,
    })
}

/// What a comparison came to, for the front door to show.
#[derive(Clone, Debug)]
pub struct CompareReport {
    /// The metric ranked by (lower is better).
    pub objective: String,
    /// One ranking per scenario, in the order given.
    pub rankings: Vec<Ranking>,
    /// With several scenarios: robustness across them.
    pub robustness: Option<Robustness>,
    /// The output folder.
    pub out: PathBuf,
}

/// The strategies on one scenario, best first by the objective.
#[derive(Clone, Debug)]
pub struct Ranking {
    /// The scenario's name.
    pub scenario: String,
    /// Replications per strategy.
    pub replications: usize,
    /// The metric of the rows' `cost_usd` ([`COST_METRICS`]).
    pub cost_metric: &'static str,
    /// Best first.
    pub rows: Vec<RankRow>,
}

/// One strategy on one scenario: means over replications.
#[derive(Clone, Debug)]
pub struct RankRow {
    /// 1 = best.
    pub rank: usize,
    /// The strategy.
    pub strategy: String,
    /// Mean unmet demand, tonnes.
    pub unmet_t: f64,
    /// Probability of any halt.
    pub p_halt: f64,
    /// Mean weeks to the first halt.
    pub weeks_to_halt: f64,
    /// Mean lost output, USD.
    pub lost_output_usd: f64,
    /// Mean cost of the measures, USD: `policy_cost_usd` (stockpiles and floors) when the
    /// outputs have it, else `stockpile_cost_usd` ([`Ranking::cost_metric`]).
    pub cost_usd: f64,
    /// USD of lost output avoided per extra USD of `cost_usd` against the baseline; `None`
    /// for the baseline and for strategies that cost no more.
    pub avoided_per_usd: Option<f64>,
    /// The objective's paired difference to the baseline, with its 95 % interval.
    pub vs_baseline: Option<PairedDiff>,
}

/// Robustness of each strategy across scenarios.
#[derive(Clone, Debug)]
pub struct Robustness {
    /// How many scenarios.
    pub scenarios: usize,
    /// Ranked by maximum regret, best first.
    pub rows: Vec<RegretRow>,
}

/// One strategy across scenarios.
#[derive(Clone, Debug)]
pub struct RegretRow {
    /// 1 = smallest maximum regret.
    pub rank: usize,
    /// The strategy.
    pub strategy: String,
    /// Largest gap to the best strategy of a scenario.
    pub max_regret: f64,
    /// Mean of the objective over scenarios.
    pub mean: f64,
    /// Worst objective over scenarios.
    pub worst: f64,
}

/// Writes the comparison's files (per-cell files, comparison.csv, benchmark.csv) from finished
/// results and returns what to show.
pub(crate) fn finish_compare<S: ScenarioSource>(
    plan: &Plan<S>,
    info: &CompareInfo,
    results: &Results,
    out: &Path,
    tables: &Tables,
) -> Result<CompareReport, Error> {
    let names: Vec<&str> = info.names.iter().map(String::as_str).collect();
    let (base_index, objective, scenario_names) =
        (info.base_index, &info.objective, &info.scenario_names);
    for (k, (cell, result)) in plan.cells.iter().zip(&results.cells).enumerate() {
        if let Some(folder) = &cell.folder {
            let dir = out.join(folder);
            std::fs::create_dir_all(&dir)?;
            let scenario = plan.scenario(k)?;
            write_cell_files(
                &dir,
                &*scenario,
                plan.mc.seed,
                &results.metric_names,
                result,
                tables,
            )?;
        }
    }
    let n_strat = names.len();
    let metric = |name: &str| results.metric_names.iter().position(|m| m == name);
    let obj = metric(objective).ok_or_else(|| {
        let cands: Vec<&str> = results.metric_names.iter().map(String::as_str).collect();
        Error::UnknownObjective {
            objective: objective.clone(),
            hint: did_you_mean(objective, &cands),
        }
    })?;

    // comparison.csv: every scenario × strategy × metric, with the paired difference to the
    // baseline strategy on the same replications.
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "scenario",
        "strategy",
        "metric",
        "mean",
        "ci95_lo",
        "ci95_hi",
        "p5",
        "p50",
        "p95",
        "diff_vs_baseline",
        "diff_ci95_lo",
        "diff_ci95_hi",
    ])?;
    let mut rankings = Vec::new();
    let mut objective_means = vec![vec![0.0; scenario_names.len()]; n_strat];
    for (si, sname) in scenario_names.iter().enumerate() {
        let cell = |t: usize| &results.cells[si * n_strat + t].metrics;
        let horizon = horizon_weeks(&plan.bases[si]);
        for (t, tname) in names.iter().enumerate() {
            for (m, mname) in results.metric_names.iter().enumerate() {
                let values = column(cell(t), m);
                let row = MetricRow::new(mname, &values, horizon);
                let d = PairedDiff::from_pairs(&values, &column(cell(base_index), m))?;
                w.write_record([
                    sname.clone(),
                    (*tname).to_owned(),
                    mname.clone(),
                    row.mean.to_string(),
                    row.ci95_lo.to_string(),
                    row.ci95_hi.to_string(),
                    row.p5.to_string(),
                    row.p50.to_string(),
                    row.p95.to_string(),
                    d.mean_diff.to_string(),
                    d.ci95_lo.to_string(),
                    d.ci95_hi.to_string(),
                ])?;
            }
            objective_means[t][si] = Summary::from_values(&column(cell(t), obj)).mean;
        }
        let cost = cost_metric(&results.metric_names)
            .ok_or_else(|| Error::MissingMetric(COST_METRICS.join(" or ")))?;
        rankings.push(Ranking {
            scenario: sname.clone(),
            replications: results.cells[si * n_strat].metrics.len(),
            cost_metric: cost,
            rows: rank(results, si, &names, base_index, obj, cost)?,
        });
    }
    tables.write(out, "comparison.csv", &csv_bytes(w)?)?;
    let robustness = if scenario_names.len() > 1 {
        Some(benchmark(
            out,
            &names,
            scenario_names,
            &objective_means,
            tables,
        )?)
    } else {
        None
    };
    Ok(CompareReport {
        objective: objective.clone(),
        rankings,
        robustness,
        out: out.to_owned(),
    })
}

/// The strategies on scenario `si`, best first by the objective `obj`.
fn rank(
    results: &Results,
    si: usize,
    names: &[&str],
    base: usize,
    obj: usize,
    cost: &str,
) -> Result<Vec<RankRow>, Error> {
    let idx = |name: &str| {
        results
            .metric_names
            .iter()
            .position(|m| m == name)
            .ok_or_else(|| Error::MissingMetric(name.to_owned()))
    };
    let [unmet, halt, weeks, lost] = RANKED.map(idx);
    let (unmet, halt, weeks, lost, cost) = (unmet?, halt?, weeks?, lost?, idx(cost)?);
    let n_strat = names.len();
    let cell = |t: usize| &results.cells[si * n_strat + t].metrics;
    let mean = |t: usize, m: usize| Summary::from_values(&column(cell(t), m)).mean;
    let mut order: Vec<usize> = (0..n_strat).collect();
    order.sort_by(|&a, &b| mean(a, obj).total_cmp(&mean(b, obj)));
    Ok(order
        .iter()
        .enumerate()
        .map(|(rank, &t)| {
            let extra_cost = mean(t, cost) - mean(base, cost);
            let avoided = mean(base, lost) - mean(t, lost);
            RankRow {
                rank: rank + 1,
                strategy: names[t].to_owned(),
                unmet_t: mean(t, unmet),
                p_halt: Proportion::from_values(&column(cell(t), halt)).p,
                weeks_to_halt: mean(t, weeks),
                lost_output_usd: mean(t, lost),
                cost_usd: mean(t, cost),
                avoided_per_usd: (t != base && extra_cost > 0.0).then(|| avoided / extra_cost),
                vs_baseline: PairedDiff::from_pairs(
                    &column(cell(t), obj),
                    &column(cell(base), obj),
                )
                .ok(),
            }
        })
        .collect())
}

/// Robustness across scenarios: worst case, mean and regret (gap to the best strategy in each
/// scenario), ranked by maximum regret; writes benchmark.csv.
fn benchmark(
    out: &Path,
    names: &[&str],
    scenarios: &[String],
    means: &[Vec<f64>],
    tables: &Tables,
) -> Result<Robustness, Error> {
    let best: Vec<f64> = (0..scenarios.len())
        .map(|s| means.iter().map(|m| m[s]).fold(f64::INFINITY, f64::min))
        .collect();
    let regret: Vec<Vec<f64>> = means
        .iter()
        .map(|m| m.iter().zip(&best).map(|(v, b)| v - b).collect())
        .collect();
    let max_regret: Vec<f64> = regret
        .iter()
        .map(|r| r.iter().copied().fold(0.0, f64::max))
        .collect();
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| max_regret[a].total_cmp(&max_regret[b]));
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "strategy".to_owned(),
        "rank".to_owned(),
        "max_regret".to_owned(),
        "mean".to_owned(),
        "worst".to_owned(),
    ];
    header.extend(scenarios.iter().cloned());
    header.extend(scenarios.iter().map(|s| format!("regret/{s}")));
    w.write_record(&header)?;
    let mut rows = Vec::new();
    for (rank, &t) in order.iter().enumerate() {
        let mean = means[t].iter().sum::<f64>() / scenarios.len() as f64;
        let worst = means[t].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut rec = vec![
            names[t].to_owned(),
            (rank + 1).to_string(),
            max_regret[t].to_string(),
            mean.to_string(),
            worst.to_string(),
        ];
        rec.extend(means[t].iter().map(f64::to_string));
        rec.extend(regret[t].iter().map(f64::to_string));
        w.write_record(&rec)?;
        rows.push(RegretRow {
            rank: rank + 1,
            strategy: names[t].to_owned(),
            max_regret: max_regret[t],
            mean,
            worst,
        });
    }
    tables.write(out, "benchmark.csv", &csv_bytes(w)?)?;
    Ok(Robustness {
        scenarios: scenarios.len(),
        rows,
    })
}
