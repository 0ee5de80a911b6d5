//! The report of `chokepoint size --scale PATH`: one numeric key of the template strategy (a
//! floor's budget, a grant's amount, ...) sized in its own unit, costed by `cost_metric`
//! (`size.json`'s `scaled` says what and in which unit; `size.csv` has `value/PATH`).

use std::path::Path;

use super::data::{Frame, json_file};
use super::format::{interval, value};
use super::size::{SizeChart, SizePoint, number, size_chart_svg, strings};
use super::{Block, Cell, Context, Figure, Page, Section, Table, manifest_footer};
use crate::error::Error;

/// The report of the sizing in `dir`: a `--scale` sizing's page (when `size.json` has
/// `scaled`), else the stockpile sizing's.
///
/// # Errors
/// [`Error::Read`] or [`Error::Csv`] when `size.json` or `size.csv` (or `frontier.csv` for
/// several items) is missing or malformed; [`Error::Draw`] if the chart cannot be drawn.
pub fn size_page(dir: &Path, ctx: &Context) -> Result<Page, Error> {
    let a = json_file(&dir.join("size.json"))?;
    if a.get("scaled").is_some_and(|s| !s.is_null()) {
        page(dir, ctx, &a)
    } else {
        super::size::size_page(dir, ctx)
    }
}

/// The page of a `--scale` sizing in `dir`, `a` its `size.json`.
fn page(dir: &Path, ctx: &Context, a: &serde_json::Value) -> Result<Page, Error> {
    let text = |v: &serde_json::Value, k: &str| {
        v.get(k)
            .and_then(serde_json::Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let scaled = a.get("scaled").cloned().unwrap_or_default();
    let (path, key_unit) = (text(&scaled, "path"), text(&scaled, "unit"));
    let target = text(a, "target");
    let cost_metric = text(a, "cost_metric");
    let scenarios = strings(a, "scenarios");
    let unit = if target.trim_start().starts_with("mean") {
        ctx.unit(&text(a, "metric"))
    } else {
        "share".to_owned()
    };
    let label = if key_unit.is_empty() {
        path.clone()
    } else {
        format!("{path} ({key_unit})")
    };
    let sizes = Frame::read(&dir.join("size.csv"))?;
    let mut page = Page {
        title: format!("Sizing {path}: {target}"),
        intro: vec![format!(
            "The smallest value of the template strategy's {path} (in {}; the template has {}) \
             that meets the target over {}, on common random numbers; each value is judged by \
             a sequential test with one-sided confidence bounds and costed by {cost_metric}.",
            if key_unit.is_empty() {
                "its own unit"
            } else {
                &key_unit
            },
            value(number(&scaled, "template"), &key_unit),
            scenarios.join(", ")
        )],
        ..Page::default()
    };
    let reached = a.get("reached").and_then(serde_json::Value::as_bool) == Some(true);
    let answer = match a.get("answer").filter(|x| !x.is_null()) {
        Some(ans) if reached => format!(
            "Answer: {path} = {}; the target's statistic is {} (one-sided bounds {}), at a mean \
             {cost_metric} of {}.",
            value(number(ans, "value"), &key_unit),
            value(number(ans, "risk"), &unit),
            interval(number(ans, "risk_lo"), number(ans, "risk_hi"), &unit),
            value(number(ans, "cost_usd"), "USD"),
        ),
        _ => format!(
            "The target is not reachable: {}",
            a.get("why_not")
                .and_then(|w| w.as_str())
                .unwrap_or("no value met it")
        ),
    };
    page.sections.push(Section {
        heading: "The answer".into(),
        blocks: vec![Block::Paragraph(answer)],
    });
    let col = |c: &str| sizes.column(c);
    let (x, reps, risk, lo, hi, decision, cost) = (
        col(&format!("value/{path}"))?,
        col("replications")?,
        col("risk")?,
        col("risk_lo")?,
        col("risk_hi")?,
        col("decision")?,
        col("cost_usd")?,
    );
    let phase = col("phase")?;
    let mut points = Vec::with_capacity(sizes.rows.len());
    let mut rows = Vec::with_capacity(sizes.rows.len());
    for r in 0..sizes.rows.len() {
        points.push(SizePoint {
            x: sizes.number(r, x)?,
            risk: sizes.number(r, risk)?,
            lo: sizes.number(r, lo)?,
            hi: sizes.number(r, hi)?,
        });
        rows.push(vec![
            Cell::text(sizes.text(r, phase)),
            Cell::number(value(sizes.number(r, x)?, &key_unit)),
            Cell::number(sizes.text(r, reps)),
            Cell::number_with(
                value(sizes.number(r, risk)?, &unit),
                interval(sizes.number(r, lo)?, sizes.number(r, hi)?, &unit),
            ),
            Cell::text(sizes.text(r, decision)),
            Cell::number(value(sizes.number(r, cost)?, "USD")),
        ]);
    }
    let chart = SizeChart {
        target: target.clone(),
        bound: number(a, "bound"),
        items: vec![path.clone()],
        scenarios,
        seed: a
            .get("seed")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0),
        x_label: Some(label.clone()),
        points,
    };
    let mut blocks = Vec::new();
    if let Some(svg) = size_chart_svg(&chart)? {
        blocks.push(Block::Figure(Figure {
            file: chart.stem().into(),
            caption: "The target's statistic at every value evaluated (line), its one-sided \
                      bounds (band) and the target (flat line): the answer is the smallest value \
                      whose upper bound meets the target."
                .into(),
            svg,
        }));
    }
    blocks.push(Block::Table(Table {
        headers: vec![
            "phase".into(),
            label,
            "replications".into(),
            "risk (one-sided bounds)".into(),
            "decision".into(),
            format!("mean {cost_metric}"),
        ],
        rows,
        note: Some("Every row of size.csv, in order; size.json holds the answer.".into()),
    }));
    page.sections.push(Section {
        heading: format!("Risk against {path}"),
        blocks,
    });
    page.footer = manifest_footer(dir);
    Ok(page)
}
