//! The report of a `compare`: strategies against the baseline, scenario by scenario, then
//! robustness across scenarios.

use std::collections::BTreeMap;
use std::path::Path;

use super::data::{self, ComparisonRow, Frame};
use super::format::{axis_scale, interval, value};
use super::{Block, Cell, Context, Figure, Page, Section, Table, manifest_footer};
use crate::dots::{DotRow, DotWhiskerChart, dot_whisker_svg};
use crate::error::Error;
use crate::files::file_stem;
use crate::scatter::{ScatterChart, ScatterPoint, scatter_svg};

/// The metrics a comparison puts side by side, in this order (those the folder has): the
/// objective's parts, then how bad the shortage got and how soon.
const KEY_METRICS: &[&str] = &[
    "total_cost_usd",
    "lost_output_usd",
    "stockpile_cost_usd",
    "policy_cost_usd",
    "unmet_demand_share",
    "any_halt",
    "weeks_to_first_halt",
    "firm_weeks_halted",
];

/// The cost a strategy is charged in the cost-against-effect chart, first present wins: all the
/// importers' measures when the folder has lever metrics (stockpiles and floors), else the
/// stockpiles' (as `compare`'s ranking table).
const COST_METRICS: [(&str, &str); 2] = [
    ("policy_cost_usd", "Cost of the measures"),
    ("stockpile_cost_usd", "Stockpile cost"),
];

/// The report of the comparison in `dir`.
///
/// # Errors
/// [`Error::Read`] or [`Error::Csv`] when `comparison.csv` (or `benchmark.csv`) is missing or
/// malformed; [`Error::Invalid`] when a difference lies outside its interval.
pub fn compare_page(dir: &Path, ctx: &Context) -> Result<Page, Error> {
    let rows = data::comparison(dir)?;
    let manifest = data::manifest(dir).ok();
    let plan = manifest.as_ref().and_then(|m| m.get("plan"));
    let text = |k: &str| {
        plan.and_then(|p| p.get(k))
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let scenarios = ordered(rows.iter().map(|r| r.scenario.as_str()));
    let strategies = ordered(rows.iter().map(|r| r.strategy.as_str()));
    let baseline = text("baseline")
        .or_else(|| strategies.first().map(|s| (*s).to_owned()))
        .unwrap_or_default();
    let objective = text("objective").unwrap_or_else(|| "total_cost_usd".into());
    let n = manifest
        .as_ref()
        .and_then(|m| m.get("replications"))
        .and_then(serde_json::Value::as_u64);
    let mut page = Page {
        title: "Stockpile strategies compared".into(),
        intro: vec![format!(
            "{} strateg{} on {} scenario{}{}, on common random numbers: every strategy meets the \
             same random draws, so its difference to the baseline strategy `{baseline}` is paired \
             and its interval measures the strategy's effect, not the noise between runs. \
             Strategies are ranked by {} (lower is better).",
            strategies.len(),
            if strategies.len() == 1 { "y" } else { "ies" },
            scenarios.len(),
            if scenarios.len() == 1 { "" } else { "s" },
            n.map_or_else(String::new, |n| format!(", {n} replications each")),
            ctx.label(&objective),
        )],
        ..Page::default()
    };
    for scenario in &scenarios {
        let of: Vec<&ComparisonRow> = rows.iter().filter(|r| r.scenario == *scenario).collect();
        let mut section = scenario_section(ctx, scenario, &strategies, &baseline, &of);
        section.blocks.extend(charts(
            ctx,
            scenario,
            &strategies,
            &baseline,
            &objective,
            &of,
        )?);
        page.sections.push(section);
    }
    let benchmark = dir.join("benchmark.csv");
    if benchmark.is_file() {
        page.sections.push(robustness(
            &Frame::read(&benchmark)?,
            &ctx.unit(&objective),
        )?);
    }
    page.footer = manifest_footer(dir);
    Ok(page)
}

/// Distinct values in first-seen order.
fn ordered<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for v in values {
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// The row index of the best value of each column, where one way is better.
fn best_of(values: &[f64], higher_is_better: Option<bool>) -> Option<usize> {
    let higher = higher_is_better?;
    let mut best: Option<(usize, f64)> = None;
    for (k, v) in values.iter().enumerate().filter(|(_, v)| v.is_finite()) {
        let better = best.is_none_or(|(_, b)| if higher { *v > b } else { *v < b });
        if better {
            best = Some((k, *v));
        }
    }
    best.map(|(k, _)| k)
}

fn scenario_section(
    ctx: &Context,
    scenario: &str,
    strategies: &[&str],
    baseline: &str,
    rows: &[&ComparisonRow],
) -> Section {
    let lookup: BTreeMap<(&str, &str), &ComparisonRow> = rows
        .iter()
        .map(|r| ((r.strategy.as_str(), r.metric.as_str()), *r))
        .collect();
    let metrics: Vec<&str> = KEY_METRICS
        .iter()
        .copied()
        .filter(|m| rows.iter().any(|r| r.metric == *m))
        .collect();
    // Means, best per column marked.
    let mut table = Table {
        headers: std::iter::once("strategy".to_owned())
            .chain(metrics.iter().map(|m| headed(ctx, m)))
            .collect(),
        rows: strategies
            .iter()
            .map(|s| {
                let mut row = vec![Cell::text(if *s == baseline {
                    format!("{s} (baseline)")
                } else {
                    (*s).to_owned()
                })];
                for m in &metrics {
                    row.push(Cell::number(
                        lookup
                            .get(&(*s, *m))
                            .map_or_else(|| "–".into(), |r| value(r.mean, &ctx.unit(m))),
                    ));
                }
                row
            })
            .collect(),
        note: Some("Means over replications; the best strategy of each column is marked.".into()),
    };
    for (c, m) in metrics.iter().enumerate() {
        let values: Vec<f64> = strategies
            .iter()
            .map(|s| lookup.get(&(*s, *m)).map_or(f64::NAN, |r| r.mean))
            .collect();
        if let Some(k) = best_of(&values, ctx.higher_is_better(m)) {
            table.rows[k][c + 1].best = true;
        }
    }
    // Paired differences to the baseline.
    let diffs = Table {
        headers: std::iter::once("strategy".to_owned())
            .chain(metrics.iter().map(|m| headed(ctx, m)))
            .collect(),
        rows: strategies
            .iter()
            .filter(|s| **s != baseline)
            .map(|s| {
                let mut row = vec![Cell::text(*s)];
                for m in &metrics {
                    let unit = ctx.unit(m);
                    row.push(lookup.get(&(*s, *m)).map_or_else(
                        || Cell::number("–"),
                        |r| {
                            Cell::number_with(
                                value(r.diff_vs_baseline, &unit),
                                interval(r.diff_ci95_lo, r.diff_ci95_hi, &unit),
                            )
                        },
                    ));
                }
                row
            })
            .collect(),
        note: Some(format!(
            "Mean paired difference to `{baseline}` with its 95 % interval; an interval that \
             excludes zero is an effect the replications can tell from noise."
        )),
    };
    Section {
        heading: format!("Scenario {scenario}"),
        blocks: vec![Block::Table(table), Block::Table(diffs)],
    }
}

/// The scenario's charts: each strategy's paired difference in the objective against the
/// baseline (dot and whisker), and what it costs against the lost output it avoids (scatter).
fn charts(
    ctx: &Context,
    scenario: &str,
    strategies: &[&str],
    baseline: &str,
    objective: &str,
    rows: &[&ComparisonRow],
) -> Result<Vec<Block>, Error> {
    let find = |s: &str, m: &str| {
        rows.iter()
            .copied()
            .find(|r| r.strategy == s && r.metric == m)
    };
    let mut blocks = Vec::new();
    let diffs: Vec<&ComparisonRow> = strategies
        .iter()
        .filter_map(|s| find(s, objective))
        .collect();
    if !diffs.is_empty() {
        let max = diffs
            .iter()
            .flat_map(|r| [r.diff_ci95_lo.abs(), r.diff_ci95_hi.abs()])
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let (div, unit) = axis_scale(&ctx.unit(objective), max);
        let chart = DotWhiskerChart::new(
            format!("{scenario}: {} against `{baseline}`", ctx.label(objective)),
            format!("difference to {baseline} ({unit}); below zero is better"),
            diffs
                .iter()
                .map(|r| DotRow {
                    label: r.strategy.clone(),
                    mean: r.diff_vs_baseline / div,
                    lo: r.diff_ci95_lo / div,
                    hi: r.diff_ci95_hi / div,
                    baseline: r.strategy == baseline,
                })
                .collect(),
        );
        blocks.push(Block::Figure(Figure {
            file: file_stem(&format!("{scenario}_{objective}_vs_baseline")),
            caption: format!(
                "Mean paired difference of each strategy's {} to the baseline's, with its 95 % \
                 interval: a whisker clear of zero is an effect, not noise.",
                ctx.label(objective).to_lowercase()
            ),
            svg: dot_whisker_svg(&chart)?,
        }));
    }
    let (cost_metric, cost_words) = COST_METRICS
        .into_iter()
        .find(|(m, _)| strategies.iter().any(|s| find(s, m).is_some()))
        .unwrap_or(COST_METRICS[1]);
    let points: Vec<(&str, &ComparisonRow, &ComparisonRow)> = strategies
        .iter()
        .filter_map(|s| Some((*s, find(s, cost_metric)?, find(s, "lost_output_usd")?)))
        .collect();
    if !points.is_empty() {
        let max_x = points.iter().map(|p| p.1.mean.abs()).fold(0.0, f64::max);
        let max_y = points
            .iter()
            .flat_map(|p| [p.2.diff_ci95_lo.abs(), p.2.diff_ci95_hi.abs()])
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let (dx, ux) = axis_scale("USD", max_x);
        let (dy, uy) = axis_scale("USD", max_y);
        let chart = ScatterChart::new(
            format!("{scenario}: what each strategy costs and what it saves"),
            format!("{} ({ux})", cost_words.to_lowercase()),
            format!("value added saved against {baseline} ({uy})"),
            points
                .iter()
                .map(|(s, cost, lost)| ScatterPoint {
                    label: (*s).to_owned(),
                    x: cost.mean / dx,
                    y: -lost.diff_vs_baseline / dy,
                    x_interval: None,
                    y_interval: (lost.diff_ci95_lo.is_finite() && lost.diff_ci95_hi.is_finite())
                        .then(|| (-lost.diff_ci95_hi / dy, -lost.diff_ci95_lo / dy)),
                })
                .collect(),
        );
        blocks.push(Block::Figure(Figure {
            file: file_stem(&format!("{scenario}_cost_against_effect")),
            caption: format!(
                "{cost_words} (mean, `{cost_metric}`) against the value added it saves compared \
                 with the baseline (mean paired difference, 95 % interval): up and to the left \
                 is cheap and effective."
            ),
            svg: scatter_svg(&chart)?,
        }));
    }
    Ok(blocks)
}

/// "label (unit)" for a column header.
fn headed(ctx: &Context, metric: &str) -> String {
    let unit = ctx.unit(metric);
    match unit.as_str() {
        // Every cell says "USD ... bn".
        "" | "USD" => ctx.label(metric),
        "0/1" => format!("P({})", ctx.label(metric).to_lowercase()),
        _ => format!("{} ({unit})", ctx.label(metric)),
    }
}

/// `benchmark.csv`: the strategies ranked by maximum regret (the robust choice first), then the
/// objective in each scenario with its regret under it; best per column marked.
fn robustness(frame: &Frame, unit: &str) -> Result<Section, Error> {
    let strategy = frame.column("strategy")?;
    let summary = ["max_regret", "mean", "worst"]
        .iter()
        .map(|c| frame.numbers(c))
        .collect::<Result<Vec<_>, _>>()?;
    let scenarios: Vec<&str> = frame
        .headers
        .iter()
        .filter_map(|h| h.strip_prefix("regret/"))
        .collect();
    let means = scenarios
        .iter()
        .map(|s| frame.numbers(s))
        .collect::<Result<Vec<_>, _>>()?;
    let regrets = scenarios
        .iter()
        .map(|s| frame.numbers(&format!("regret/{s}")))
        .collect::<Result<Vec<_>, _>>()?;
    let names: Vec<&str> = frame.rows.iter().map(|r| r[strategy].as_str()).collect();
    let mut ranking: Vec<Vec<Cell>> = names
        .iter()
        .enumerate()
        .map(|(k, s)| {
            std::iter::once(Cell::text(*s))
                .chain(summary.iter().map(|col| Cell::number(value(col[k], unit))))
                .collect()
        })
        .collect();
    let mut per_scenario: Vec<Vec<Cell>> = names
        .iter()
        .enumerate()
        .map(|(k, s)| {
            std::iter::once(Cell::text(*s))
                .chain(means.iter().zip(&regrets).map(|(m, r)| {
                    Cell::number_with(value(m[k], unit), format!("regret {}", value(r[k], unit)))
                }))
                .collect()
        })
        .collect();
    for (c, col) in summary.iter().enumerate() {
        if let Some(best) = best_of(col, Some(false)) {
            ranking[best][c + 1].best = true;
        }
    }
    for (c, col) in means.iter().enumerate() {
        if let Some(best) = best_of(col, Some(false)) {
            per_scenario[best][c + 1].best = true;
        }
    }
    Ok(Section {
        heading: "Across scenarios: regret and worst case".into(),
        blocks: vec![
            Block::Table(Table {
                headers: [
                    "strategy",
                    "largest regret",
                    "mean over scenarios",
                    "worst scenario",
                ]
                .map(String::from)
                .to_vec(),
                rows: ranking,
                note: Some(
                    "Regret: the gap to the best strategy of a scenario. Strategies in order of \
                     their largest regret, the robust choice first; lowest of each column marked."
                        .into(),
                ),
            }),
            Block::Table(Table {
                headers: std::iter::once("strategy".to_owned())
                    .chain(scenarios.iter().map(|s| (*s).to_owned()))
                    .collect(),
                rows: per_scenario,
                note: Some("The objective's mean in each scenario, its regret under it.".into()),
            }),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_follows_the_better_direction_and_skips_nan() {
        let v = [3.0, f64::NAN, 1.0, 2.0];
        assert_eq!(best_of(&v, Some(false)), Some(2));
        assert_eq!(best_of(&v, Some(true)), Some(0));
        assert_eq!(best_of(&v, None), None);
        assert_eq!(best_of(&[f64::NAN], Some(true)), None);
    }
}
