//! The report of a `sweep`: each key metric against each swept parameter, a heat map for two,
//! and the tornado of a one-at-a-time design.

use std::path::Path;

use super::data::{self, Frame, SWEEP_KEY_METRICS, Sweep};
use super::format::{interval, value};
use super::{Block, Cell, Context, Page, Section, Table, manifest_footer};
use crate::error::Error;

/// Most design points listed in the report's table (the whole design is in `sweep.csv`).
const MAX_LISTED_POINTS: usize = 40;

/// The report of the sweep in `dir`.
///
/// # Errors
/// [`Error::Read`] or [`Error::Csv`] when `sweep.csv` (or `tornado.csv`) is missing or
/// malformed.
pub fn sweep_page(dir: &Path, ctx: &Context) -> Result<Page, Error> {
    let sweep = Sweep::read(dir)?;
    let manifest = data::manifest(dir).ok();
    let plan = manifest.as_ref().and_then(|m| m.get("plan"));
    let design = plan
        .and_then(|p| p.get("design"))
        .and_then(serde_json::Value::as_str)
        .unwrap_or("?");
    let scenario = plan
        .and_then(|p| p.get("scenario"))
        .and_then(serde_json::Value::as_str)
        .map_or_else(String::new, |s| {
            Path::new(s)
                .file_stem()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        });
    let ranges: Vec<String> = plan
        .and_then(|p| p.get("params"))
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_str)
        .map(|p| p.replacen('=', " from ", 1).replacen(':', " to ", 1))
        .collect();
    let n = manifest
        .as_ref()
        .and_then(|m| m.get("replications"))
        .and_then(serde_json::Value::as_u64);
    let mut page = Page {
        title: format!("Sweep of {scenario}"),
        intro: vec![format!(
            "Design `{design}`: {} point{} over {}{}. Every point runs on common random numbers, \
             so differences between points are the parameters' effect, not noise between runs.",
            sweep.frame.rows.len(),
            if sweep.frame.rows.len() == 1 { "" } else { "s" },
            if ranges.is_empty() {
                sweep.params.join(", ")
            } else {
                ranges.join("; ")
            },
            n.map_or_else(String::new, |n| format!(", {n} replications each")),
        )],
        ..Page::default()
    };
    let charts = super::sweep_charts::charts(ctx, &sweep)?;
    if !charts.is_empty() {
        page.sections.push(Section {
            heading: "Metrics against the swept parameters".into(),
            blocks: charts,
        });
    }
    page.sections.push(points_table(ctx, &sweep)?);
    let tornado = dir.join("tornado.csv");
    if tornado.is_file() {
        page.sections
            .push(tornado_section(ctx, &Frame::read(&tornado)?)?);
    }
    page.footer = manifest_footer(dir);
    Ok(page)
}

fn points_table(ctx: &Context, sweep: &Sweep) -> Result<Section, Error> {
    let f = &sweep.frame;
    let mut headers: Vec<String> = sweep.params.clone();
    if sweep.strategy.is_some() {
        headers.push("strategy".into());
    }
    headers.extend(sweep.metrics.iter().map(|m| {
        let unit = ctx.unit(m);
        if unit.is_empty() {
            ctx.label(m)
        } else {
            format!("{} ({unit}): mean", ctx.label(m))
        }
    }));
    let param_cols: Vec<usize> = sweep
        .params
        .iter()
        .map(|p| f.column(p))
        .collect::<Result<_, _>>()?;
    let metric_cols: Vec<usize> = sweep
        .metrics
        .iter()
        .map(|m| f.column(&format!("{m}_mean")))
        .collect::<Result<_, _>>()?;
    let mut rows = Vec::new();
    for r in 0..f.rows.len().min(MAX_LISTED_POINTS) {
        // Three significant digits: a sampled design's values (`0.008802119755305919`) would
        // widen the table past the page; sweep.csv has them in full.
        let mut row: Vec<Cell> = param_cols
            .iter()
            .map(|c| Ok(Cell::number(value(f.number(r, *c)?, ""))))
            .collect::<Result<_, Error>>()?;
        if let Some(s) = sweep.strategy {
            row.push(Cell::text(&f.rows[r][s]));
        }
        for (m, c) in sweep.metrics.iter().zip(&metric_cols) {
            row.push(Cell::number(value(f.number(r, *c)?, &ctx.unit(m))));
        }
        rows.push(row);
    }
    let note = (f.rows.len() > MAX_LISTED_POINTS).then(|| {
        format!(
            "The first {MAX_LISTED_POINTS} of {} points; all are in sweep.csv.",
            f.rows.len()
        )
    });
    Ok(Section {
        heading: "Design points".into(),
        blocks: vec![Block::Table(Table {
            headers,
            rows,
            note,
        })],
    })
}

/// `tornado.csv`: for the key metrics, each parameter's effect from its low to its high end.
fn tornado_section(ctx: &Context, frame: &Frame) -> Result<Section, Error> {
    let metric = frame.column("metric")?;
    let param = frame.column("param")?;
    let effect = frame.column("effect_hi_minus_lo")?;
    let lo = frame.column("effect_ci95_lo")?;
    let hi = frame.column("effect_ci95_hi")?;
    let mut rows = Vec::new();
    for r in 0..frame.rows.len() {
        let m = frame.rows[r][metric].as_str();
        if !SWEEP_KEY_METRICS.contains(&m) {
            continue;
        }
        let unit = ctx.unit(m);
        rows.push(vec![
            Cell::text(ctx.label(m)),
            Cell::text(&frame.rows[r][param]),
            Cell::number(value(frame.number(r, effect)?, &unit)),
            Cell::number(interval(frame.number(r, lo)?, frame.number(r, hi)?, &unit)),
        ]);
    }
    Ok(Section {
        heading: "One at a time: which parameter matters most".into(),
        blocks: vec![Block::Table(Table {
            headers: ["metric", "parameter", "effect, high end minus low end", "95 % interval"]
                .map(String::from)
                .to_vec(),
            rows,
            note: Some(
                "Each parameter alone from the low to the high end of its range, the others in the \
                 middle; ranked by the size of the effect within each metric (tornado.csv)."
                    .into(),
            ),
        })],
    })
}
