//! `chokepoint compare`: stockpile strategies on common random numbers, one or many scenarios.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chokepoint_scenario::{StrategySet, did_you_mean};
use chokepoint_stats::{PairedDiff, Proportion, Summary};
use serde::Deserialize;

use crate::args::CompareArgs;
use crate::experiment::{self, Cell, Plan};
use crate::{load_scenario, output, table};

/// A benchmark suite file: `[suite]` with the scenarios (and optionally strategies) to compare.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SuiteFile {
    suite: Suite,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Suite {
    name: String,
    #[serde(default)]
    description: String,
    scenarios: Vec<PathBuf>,
    strategies: Option<PathBuf>,
    baseline: Option<String>,
    objective: Option<String>,
}

fn read_suite(path: &Path) -> Result<Option<Suite>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let Ok(table) = text.parse::<toml::Table>() else {
        return Ok(None);
    };
    if !table.contains_key("suite") {
        return Ok(None);
    }
    let mut file: SuiteFile = toml::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message().trim()))?;
    let dir = path.parent().unwrap_or(Path::new(""));
    for s in &mut file.suite.scenarios {
        *s = dir.join(&*s);
    }
    file.suite.strategies = file.suite.strategies.map(|s| dir.join(s));
    Ok(Some(file.suite))
}

/// The metrics the ranking table shows, by name.
const RANKED: [&str; 5] = [
    "unmet_demand_t",
    "any_halt",
    "weeks_to_first_halt",
    "lost_output_usd",
    "stockpile_cost_usd",
];

/// What the comparison needs beyond the plan to write its results.
pub struct CompareInfo {
    names: Vec<String>,
    base_index: usize,
    objective: String,
    scenario_names: Vec<String>,
    label: String,
}

/// Builds the comparison's plan from its arguments (also used by `merge`).
pub fn compare_plan(args: &CompareArgs, argv: Vec<String>) -> Result<(Plan, CompareInfo)> {
    let mut scenario_paths = Vec::new();
    let (mut strategies_path, mut baseline, mut objective) = (
        args.strategies.clone(),
        args.baseline.clone(),
        args.objective.clone(),
    );
    let mut suite_name = None;
    for p in &args.scenarios {
        match read_suite(p)? {
            Some(suite) => {
                scenario_paths.extend(suite.scenarios);
                strategies_path = strategies_path.or(suite.strategies);
                baseline = baseline.or(suite.baseline);
                objective = objective.or(suite.objective);
                suite_name = Some(suite.name);
                let _ = suite.description;
            }
            None => scenario_paths.push(p.clone()),
        }
    }
    let Some(strategies_path) = strategies_path else {
        bail!("compare needs --strategies FILE (or a suite file that names one)");
    };
    let read = |p: &Path| std::fs::read_to_string(p);
    let strategies = StrategySet::load(&strategies_path, &read)?;
    let names = strategies.names();
    let baseline = baseline.unwrap_or_else(|| names[0].to_owned());
    let Some(base_index) = names.iter().position(|n| *n == baseline) else {
        bail!(
            "--baseline `{baseline}` is not a strategy in {}{}; strategies: {}",
            strategies_path.display(),
            did_you_mean(&baseline, &names),
            names.join(", ")
        );
    };
    let objective = objective.unwrap_or_else(|| "total_cost_usd".to_owned());

    let mut cells = Vec::new();
    let mut scenario_names = Vec::new();
    let mut first = None;
    for path in &scenario_paths {
        let scenario = load_scenario(path, &args.common.set)?;
        scenario_names.push(scenario.name().to_owned());
        for s in &strategies.strategies {
            let variant = scenario
                .with_strategy(s)
                .with_context(|| format!("strategy `{}` on {}", s.name, path.display()))?;
            cells.push(Cell {
                labels: vec![
                    ("scenario".into(), scenario.name().into()),
                    ("strategy".into(), s.name.clone()),
                ],
                scenario: variant,
                folder: Some(PathBuf::from(scenario.name()).join(&s.name)),
            });
        }
        first.get_or_insert(scenario);
    }
    let first = first.context("compare needs at least one scenario")?;
    let mc = crate::monte_carlo_settings(
        args.common.seed,
        args.common.reps,
        args.common.batch,
        &first,
        0,
    );
    let plan = Plan {
        kind: "compare",
        cells,
        mc,
        keep_series: true,
        argv,
        description: serde_json::json!({
            "scenarios": scenario_paths.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            "strategies_file": strategies_path.display().to_string(),
            "strategies": names,
            "baseline": baseline,
            "objective": objective,
            "overrides": args.common.set.iter().map(|o| format!("{}={}", o.path, o.value)).collect::<Vec<_>>(),
        }),
    };
    let label = suite_name.unwrap_or_else(|| format!("compare-{}", scenario_names.join("+")));
    let info = CompareInfo {
        names: names.iter().map(|n| (*n).to_owned()).collect(),
        base_index,
        objective,
        scenario_names,
        label,
    };
    Ok((plan, info))
}

pub fn compare(args: &CompareArgs) -> Result<()> {
    let (plan, info) = compare_plan(args, crate::plan_argv())?;
    experiment::run_and_finish(&plan, &args.common, &info.label, |results, out| {
        finish_compare(&plan, &info, results, out)
    })
}

/// Writes the comparison's files from finished results and returns the terminal report.
pub fn finish_compare(
    plan: &Plan,
    info: &CompareInfo,
    results: &experiment::Results,
    out: &Path,
) -> Result<String> {
    let names: Vec<&str> = info.names.iter().map(String::as_str).collect();
    let (base_index, objective, scenario_names) =
        (info.base_index, &info.objective, &info.scenario_names);
    for (cell, result) in plan.cells.iter().zip(&results.cells) {
        if let Some(folder) = &cell.folder {
            let dir = out.join(folder);
            std::fs::create_dir_all(&dir)?;
            experiment::write_cell_files(&dir, cell, plan.mc.seed, &results.metric_names, result)?;
        }
    }
    let n_strat = names.len();
    let metric = |name: &str| results.metric_names.iter().position(|m| m == name);
    let obj = metric(objective).with_context(|| {
        let cands: Vec<&str> = results.metric_names.iter().map(String::as_str).collect();
        format!(
            "--objective `{objective}` is not a metric{}",
            did_you_mean(objective, &cands)
        )
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
    let mut text = String::new();
    let mut objective_means = vec![vec![0.0; scenario_names.len()]; n_strat];
    for (si, sname) in scenario_names.iter().enumerate() {
        let cell = |t: usize| &results.cells[si * n_strat + t].metrics;
        for (t, tname) in names.iter().enumerate() {
            for (m, mname) in results.metric_names.iter().enumerate() {
                let values = experiment::column(cell(t), m);
                let row = output::MetricRow::new(mname, &values);
                let d = PairedDiff::from_pairs(&values, &experiment::column(cell(base_index), m))?;
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
            objective_means[t][si] = Summary::from_values(&experiment::column(cell(t), obj)).mean;
        }
        writeln!(
            text,
            "{sname}: strategies on common random numbers, {} replications each, ranked by {objective}",
            results.cells[si * n_strat].metrics.len()
        )?;
        text.push_str(&ranking_table(
            results, si, n_strat, &names, base_index, obj,
        )?);
        text.push('\n');
    }
    output::write_atomic(out, "comparison.csv", &w.into_inner()?)?;
    if scenario_names.len() > 1 {
        text.push_str(&benchmark(
            out,
            &names,
            scenario_names,
            &objective_means,
            objective,
        )?);
    }
    writeln!(text, "wrote {}", out.display())?;
    Ok(text)
}

fn ranking_table(
    results: &experiment::Results,
    si: usize,
    n_strat: usize,
    names: &[&str],
    base: usize,
    obj: usize,
) -> Result<String> {
    let idx = |name: &str| {
        results
            .metric_names
            .iter()
            .position(|m| m == name)
            .with_context(|| format!("metric {name} missing"))
    };
    let [unmet, halt, weeks, lost, cost] = RANKED.map(idx);
    let (unmet, halt, weeks, lost, cost) = (unmet?, halt?, weeks?, lost?, cost?);
    let cell = |t: usize| &results.cells[si * n_strat + t].metrics;
    let mean = |t: usize, m: usize| Summary::from_values(&experiment::column(cell(t), m)).mean;
    let mut order: Vec<usize> = (0..n_strat).collect();
    order.sort_by(|&a, &b| mean(a, obj).total_cmp(&mean(b, obj)));
    let rows: Vec<Vec<String>> = order
        .iter()
        .enumerate()
        .map(|(rank, &t)| {
            let p = Proportion::from_values(&experiment::column(cell(t), halt));
            let d = PairedDiff::from_pairs(
                &experiment::column(cell(t), obj),
                &experiment::column(cell(base), obj),
            )
            .ok();
            let extra_cost = mean(t, cost) - mean(base, cost);
            let avoided = mean(base, lost) - mean(t, lost);
            let effectiveness = if t != base && extra_cost > 0.0 {
                table::number(avoided / extra_cost)
            } else {
                "–".to_owned()
            };
            vec![
                (rank + 1).to_string(),
                names[t].to_owned(),
                table::number(mean(t, unmet)),
                table::number(p.p),
                table::number(mean(t, weeks)),
                table::number(mean(t, lost)),
                table::number(mean(t, cost)),
                effectiveness,
                d.map_or("–".to_owned(), |d| {
                    format!(
                        "{} [{} – {}]",
                        table::number(d.mean_diff),
                        table::number(d.ci95_lo),
                        table::number(d.ci95_hi)
                    )
                }),
            ]
        })
        .collect();
    Ok(table::render(
        &[
            "rank",
            "strategy",
            "unmet t",
            "P(halt)",
            "weeks to halt",
            "lost output USD",
            "stockpile USD",
            "avoided USD per USD",
            "objective vs baseline [95% paired]",
        ],
        &rows,
    ))
}

/// Robustness across scenarios: worst case, mean and regret (gap to the best strategy in each
/// scenario), ranked by maximum regret; writes benchmark.csv.
fn benchmark(
    out: &Path,
    names: &[&str],
    scenarios: &[String],
    means: &[Vec<f64>],
    objective: &str,
) -> Result<String> {
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
    header.extend(scenarios.iter().map(|s| s.to_string()));
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
        rows.push(vec![
            (rank + 1).to_string(),
            names[t].to_owned(),
            table::number(max_regret[t]),
            table::number(mean),
            table::number(worst),
        ]);
    }
    output::write_atomic(out, "benchmark.csv", &w.into_inner()?)?;
    let mut s = format!(
        "Robustness across {} scenarios ({objective}, lower is better):\n",
        scenarios.len()
    );
    s.push_str(&table::render(
        &["rank", "strategy", "max regret", "mean", "worst"],
        &rows,
    ));
    s.push('\n');
    Ok(s)
}
