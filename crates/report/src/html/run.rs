//! The report of a `run` (and of a `backtest`, which is a run plus its targets).

use std::collections::BTreeMap;
use std::path::Path;

use super::data::{self, SeriesStep, SummaryRow};
use super::format::{interval, value};
use super::{Block, Cell, Context, Figure, Page, Section, Table, manifest_footer};
use crate::dots::{DotRow, DotWhiskerChart, dot_whisker_svg};
use crate::error::Error;
use crate::files::{backtest_rows, target_groups};
use crate::target::Role;

/// A `demand_met_share/<region>/<sector>` row is listed when its mean is below 1 − this.
const DEMAND_GAP: f64 = 0.0005;

/// The report of the run in `dir`.
///
/// # Errors
/// [`Error::Read`] or [`Error::Csv`] when a result file is missing or malformed;
/// [`Error::Draw`] if a chart cannot be drawn.
pub fn run_page(dir: &Path, ctx: &Context) -> Result<Page, Error> {
    let summary = data::summary(dir)?;
    let series = data::all_series(dir)?;
    let halts = crate::halt_times(&dir.join("replications.csv"))?;
    let mut page = header(dir, ctx, &summary, &series);
    if !ctx.measures.is_empty() {
        page.sections.push(measures(ctx));
    }
    page.sections.push(headline(ctx, &summary));
    page.sections.extend(super::run_charts::charts(
        ctx,
        &series,
        &summary,
        &halts,
        &mut page.extra_figures,
    )?);
    page.sections.push(per_item(&summary));
    if let Some(s) = demand_met(ctx, &summary) {
        page.sections.push(s);
    }
    if let Some(s) = predictions(&summary) {
        page.sections.push(s);
    }
    page.footer = manifest_footer(dir);
    Ok(page)
}

/// The report of the backtest in `dir`: the run's, then the model against history.
///
/// # Errors
/// As [`run_page`], and when `backtest.csv` is missing or malformed.
pub fn backtest_page(dir: &Path, ctx: &Context) -> Result<Page, Error> {
    let mut page = run_page(dir, ctx)?;
    let rows = backtest_rows(&dir.join("backtest.csv"))?;
    let mut section = Section {
        heading: "The model against history".into(),
        blocks: vec![Block::Paragraph(
            "Each target is a historical value over a window of dates. The model's 5th–95th \
             percentile across replications is the whisker, its median the dot; the observed \
             value is the diamond. Targets used in the calibration are filled, held-out ones \
             hollow: only the held-out ones test the model out of sample."
                .into(),
        )],
    };
    if let Some(f) = relative_to_history(&rows)? {
        section.blocks.push(Block::Figure(f));
    }
    for (name, chart) in target_groups(&rows) {
        section.blocks.push(Block::Figure(Figure {
            file: name.clone(),
            caption: chart.title.clone(),
            svg: crate::target_chart_svg(&chart)?,
        }));
    }
    let table_rows = rows
        .iter()
        .map(|r| {
            let inside = r.historical.map(|h| r.p5 <= h && h <= r.p95);
            vec![
                Cell::text(&r.target),
                Cell::text(match r.role {
                    Role::Fit => "fit",
                    Role::Holdout => "held out",
                    Role::Prediction => "prediction",
                }),
                Cell::text(format!("{} – {}", r.from, r.to)),
                Cell::number(
                    r.historical
                        .map_or_else(|| "–".into(), |h| value(h, &r.unit)),
                ),
                Cell::number(value(r.p50, &r.unit)),
                Cell::number(interval(r.p5, r.p95, &r.unit)),
                Cell::text(match inside {
                    Some(true) => "inside",
                    Some(false) => "outside",
                    None => "–",
                }),
            ]
        })
        .collect();
    section.blocks.push(Block::Table(Table {
        headers: [
            "target",
            "role",
            "window",
            "observed",
            "model median",
            "model p5 – p95",
            "observed in band",
        ]
        .map(String::from)
        .to_vec(),
        rows: table_rows,
        note: Some("Units are each target's own (backtest.csv's `unit` column).".into()),
    }));
    // History first: a backtest is read for its fit.
    page.sections.insert(1.min(page.sections.len()), section);
    Ok(page)
}

/// Every target with an observed value on one chart, whatever its unit: the model's median and
/// p5–p95 as a share above or below the observed value (0 = history). None when no target has a
/// positive observed value.
fn relative_to_history(rows: &[crate::files::BacktestRow]) -> Result<Option<Figure>, Error> {
    let dots: Vec<DotRow> = rows
        .iter()
        .filter_map(|r| {
            let h = r.historical.filter(|h| *h > 0.0)?;
            let rel = |v: f64| (v / h - 1.0) * 100.0;
            Some(DotRow {
                label: match r.role {
                    Role::Holdout => format!("{} (holdout)", r.target),
                    _ => r.target.clone(),
                },
                mean: rel(r.p50),
                lo: rel(r.p5),
                hi: rel(r.p95),
                baseline: false,
            })
        })
        .collect();
    if dots.is_empty() {
        return Ok(None);
    }
    let mut chart = DotWhiskerChart::new(
        "The model relative to history, target by target",
        "model minus observed, % of observed (0 = history)",
        dots,
    );
    chart.interval = "model p5–p95 across replications".into();
    chart.note = "dot: the model's median".into();
    Ok(Some(Figure {
        file: "backtest_relative_to_history".into(),
        caption:
            "For each target with an observed value: how far the model's median (dot) and its \
                  5th–95th percentile (whisker) sit from the observed value, in per cent of it. \
                  A whisker across the zero line holds history within the model's band."
                .into(),
        svg: dot_whisker_svg(&chart)?,
    }))
}

fn header(
    dir: &Path,
    ctx: &Context,
    summary: &[SummaryRow],
    series: &BTreeMap<String, Vec<SeriesStep>>,
) -> Page {
    let (name, description) = ctx.scenario.clone().unwrap_or_else(|| {
        (
            dir.file_name()
                .map_or_else(|| "run".into(), |n| n.to_string_lossy().into_owned()),
            String::new(),
        )
    });
    let n = summary.first().map_or(0, |r| r.n);
    let dates = series
        .values()
        .next()
        .and_then(|s| Some((s.first()?.fan.date, s.last()?.fan.date)));
    let mut intro = Vec::new();
    if !description.is_empty() {
        intro.push(description);
    }
    intro.push(match dates {
        Some((a, b)) => format!(
            "{n} replications of the scenario, one step every {} days from {a} to {b}. Charts show \
             the median across replications (line), the middle half (p25–p75, dark band) and \
             90 % of them (p5–p95, light band); vertical lines mark the scenario's measures.",
            ctx.step_days
        ),
        None => format!("{n} replications."),
    });
    Page {
        title: format!("Scenario {name}"),
        intro,
        ..Page::default()
    }
}

fn measures(ctx: &Context) -> Section {
    Section {
        heading: "Measures in the scenario".into(),
        blocks: vec![Block::Table(Table {
            headers: vec!["from".into(), "measure".into(), "what it does".into()],
            rows: ctx
                .measures
                .iter()
                .map(|m| {
                    vec![
                        Cell::text(m.date.to_string()),
                        Cell::text(&m.name),
                        Cell::text(&m.description),
                    ]
                })
                .collect(),
            note: None,
        })],
    }
}

/// Event probabilities in words, then the scalar metrics.
fn headline(ctx: &Context, summary: &[SummaryRow]) -> Section {
    let mut blocks = Vec::new();
    for r in summary.iter().filter(|r| ctx.unit(&r.metric) == "0/1") {
        blocks.push(Block::Paragraph(format!(
            "{}: probability {} (95 % interval {}).",
            ctx.label(&r.metric),
            value(r.mean, "share"),
            interval(r.ci95_lo, r.ci95_hi, "share")
        )));
    }
    let rows = summary
        .iter()
        .filter(|r| !r.metric.contains('/') && ctx.unit(&r.metric) != "0/1")
        .map(|r| metric_row(ctx, r))
        .collect();
    blocks.push(Block::Table(Table {
        headers: [
            "what",
            "mean",
            "95 % interval of the mean",
            "median",
            "p5 – p95",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        note: Some(
            "Over the scenario's horizon, per replication. The interval is the mean's (Student t, \
             clipped to what the quantity can be); p5 – p95 is the spread across replications."
                .into(),
        ),
    }));
    Section {
        heading: "Headline".into(),
        blocks,
    }
}

fn metric_row(ctx: &Context, r: &SummaryRow) -> Vec<Cell> {
    let unit = ctx.unit(&r.metric);
    vec![
        Cell::text(ctx.label(&r.metric)),
        Cell::number(value(r.mean, &unit)),
        Cell::number(interval(r.ci95_lo, r.ci95_hi, &unit)),
        Cell::number(value(r.p50, &unit)),
        Cell::number(interval(r.p5, r.p95, &unit)),
    ]
}

fn per_item(summary: &[SummaryRow]) -> Section {
    let by_name: BTreeMap<&str, &SummaryRow> =
        summary.iter().map(|r| (r.metric.as_str(), r)).collect();
    let items: Vec<&str> = summary
        .iter()
        .filter_map(|r| r.metric.strip_prefix("peak_price_ratio/"))
        .collect();
    let rows = items
        .iter()
        .map(|item| {
            let peak = by_name.get(format!("peak_price_ratio/{item}").as_str());
            let unmet = by_name.get(format!("unmet_demand_t/{item}").as_str());
            vec![
                Cell::text(*item),
                Cell::number(peak.map_or_else(|| "–".into(), |r| value(r.p50, "ratio"))),
                Cell::number(peak.map_or_else(|| "–".into(), |r| interval(r.p5, r.p95, "ratio"))),
                Cell::number(unmet.map_or_else(|| "–".into(), |r| value(r.mean, "t"))),
                Cell::number(unmet.map_or_else(|| "–".into(), |r| interval(r.p5, r.p95, "t"))),
            ]
        })
        .collect();
    Section {
        heading: "Per item".into(),
        blocks: vec![Block::Table(Table {
            headers: [
                "item",
                "highest price, ratio to base: median",
                "p5 – p95",
                "tonnes behind lost output: mean",
                "p5 – p95",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            note: None,
        })],
    }
}

fn demand_met(ctx: &Context, summary: &[SummaryRow]) -> Option<Section> {
    let rows: Vec<Vec<Cell>> = summary
        .iter()
        .filter(|r| r.metric.starts_with("demand_met_share/") && r.mean < 1.0 - DEMAND_GAP)
        .map(|r| {
            let mut row = metric_row(ctx, r);
            row[0] = Cell::text(
                r.metric
                    .trim_start_matches("demand_met_share/")
                    .replace('/', ", "),
            );
            row
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    Some(Section {
        heading: "Demand met, by region and sector".into(),
        blocks: vec![Block::Table(Table {
            headers: [
                "region, sector",
                "mean",
                "95 % interval of the mean",
                "median",
                "p5 – p95",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            note: Some(format!(
                "Share of wanted output made (on time or within the deferral window), by tonnes of \
                 input. Groups that make more than {:.2} % of it are left out.",
                (1.0 - DEMAND_GAP) * 100.0
            )),
        })],
    })
}

fn predictions(summary: &[SummaryRow]) -> Option<Section> {
    let rows: Vec<Vec<Cell>> = summary
        .iter()
        .filter_map(|r| {
            let name = r.metric.strip_prefix("target/")?;
            Some(vec![
                Cell::text(name),
                Cell::number(value(r.p50, "")),
                Cell::number(interval(r.p5, r.p95, "")),
                Cell::number(value(r.mean, "")),
            ])
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    Some(Section {
        heading: "The scenario's targets".into(),
        blocks: vec![Block::Table(Table {
            headers: ["target", "median", "p5 – p95", "mean"].map(String::from).to_vec(),
            rows,
            note: Some(
                "Each in the unit its `[[target]]` names in the scenario; see `chokepoint backtest` \
                 for the observed values where there are any."
                    .into(),
            ),
        })],
    })
}
