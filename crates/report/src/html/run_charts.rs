//! The charts of a run report: per section, the few series that matter most as fan charts in the
//! page, every other one written to `plots/` and named, so the page reads at a glance and
//! nothing is lost.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::data::{SeriesStep, SummaryRow};
use super::format::{interval, value};
use super::{Block, Cell, Context, Figure, Section, Table};
use crate::error::Error;
use crate::fan::{FanChart, fan_chart_svg};
use crate::files::file_stem;
use crate::lines::{DateLinesChart, DatePoint, DateSeries, date_lines_svg};
use crate::survival::{HaltTime, SurvivalChart, survival_svg};

/// A price chart is shown when some step's p5–p95 band leaves [1 − this, 1 + this]: a move of
/// less than 2 % of the base price is not worth a chart (such items are named in one sentence).
const PRICE_MOVE: f64 = 0.02;

/// Fan charts per section in the page; the rest go to `plots/` only. Four keep a section within
/// about two A4 pages.
const FANS_IN_PAGE: usize = 4;

/// Controlled items whose exports are also drawn by destination (the largest by volume).
const DESTINATION_CHARTS: usize = 2;

/// Most destinations on one chart (the palette's colours); the smallest are left out.
const MAX_DESTINATIONS: usize = 8;

/// Weeks after the first policy measure at which the share of replications with a halt is
/// tabulated: a month, two, a quarter, half a year, a year, two years.
const HALT_BY_WEEKS: [f64; 6] = [4.0, 8.0, 13.0, 26.0, 52.0, 104.0];

/// Series of one family (`prefix/<member>` with one member part), by name.
fn family<'a>(
    series: &'a BTreeMap<String, Vec<SeriesStep>>,
    prefix: &'a str,
) -> impl Iterator<Item = (&'a str, &'a [SeriesStep])> + 'a {
    series.iter().filter_map(move |(name, steps)| {
        let member = name.strip_prefix(prefix)?.strip_prefix('/')?;
        (!member.contains('/')).then_some((name.as_str(), steps.as_slice()))
    })
}

/// Whether any step's band reaches above zero (the series is not flat at zero).
fn nonzero(steps: &[SeriesStep]) -> bool {
    steps.iter().any(|s| s.fan.p95 > 0.0)
}

/// Sum of the mean over the steps (a total over the horizon for a per-week flow).
fn total_mean(steps: &[SeriesStep]) -> f64 {
    steps.iter().map(|s| s.mean).sum()
}

struct Charts<'a> {
    ctx: &'a Context,
    series: &'a BTreeMap<String, Vec<SeriesStep>>,
    summary: BTreeMap<&'a str, &'a SummaryRow>,
}

impl Charts<'_> {
    fn fan(&self, name: &str, caption: String) -> Result<Option<Figure>, Error> {
        let Some(steps) = self.series.get(name) else {
            return Ok(None);
        };
        let mut chart = FanChart::new(
            self.ctx.label(name),
            self.ctx.axis_label(name),
            steps.iter().map(|s| s.fan).collect(),
        );
        chart.markers = self.ctx.markers();
        Ok(Some(Figure {
            file: file_stem(name),
            caption,
            svg: fan_chart_svg(&chart)?,
        }))
    }

    /// Mean weekly exports of `item` by destination (means add up to the total; quantiles do
    /// not), the largest destinations first; None when no destination receives any.
    fn by_destination(&self, item: &str) -> Result<Option<Figure>, Error> {
        let prefix = format!("exports_t/{item}/");
        let mut series: Vec<(f64, DateSeries)> = self
            .series
            .iter()
            .filter_map(|(name, steps)| {
                let destination = name.strip_prefix(&prefix)?;
                let total = total_mean(steps);
                (total > 0.0).then(|| {
                    (
                        total,
                        DateSeries {
                            name: destination.to_owned(),
                            points: steps
                                .iter()
                                .map(|s| DatePoint {
                                    date: s.fan.date,
                                    value: s.mean,
                                })
                                .collect(),
                        },
                    )
                })
            })
            .collect();
        if series.is_empty() {
            return Ok(None);
        }
        series.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
        let left_out = series.len().saturating_sub(MAX_DESTINATIONS);
        series.truncate(MAX_DESTINATIONS);
        let mut chart = DateLinesChart::new(
            format!("Where the exports of {item} go: mean by destination"),
            self.ctx.axis_label(&format!("exports_t/{item}")),
            series.into_iter().map(|(_, s)| s).collect(),
        );
        chart.markers = self.ctx.markers();
        let mut caption = format!(
            "Mean tonnes of {item} shipped each week by the controlling exporters to each \
             destination region (means, which add up to the total; the fan above shows the spread)."
        );
        if left_out > 0 {
            let _ = write!(
                caption,
                " The {left_out} smallest destinations are left out."
            );
        }
        Ok(Some(Figure {
            file: file_stem(&format!("exports_by_destination_{item}")),
            caption,
            svg: date_lines_svg(&chart)?,
        }))
    }

    /// "p50 (p5–p95 lo–hi)" of a summary metric, if the run has it.
    fn spread(&self, metric: &str, unit: &str) -> Option<String> {
        let r = self.summary.get(metric)?;
        Some(format!(
            "median {} (p5–p95 {})",
            value(r.p50, unit),
            interval(r.p5, r.p95, unit)
        ))
    }

    /// A section of the `ranked` series: the first [`FANS_IN_PAGE`] in the page, the others in
    /// `extra` and named in a sentence.
    fn section(
        &self,
        heading: &str,
        ranked: &[(String, String)],
        extra: &mut Vec<Figure>,
    ) -> Result<Section, Error> {
        let mut section = Section {
            heading: heading.to_owned(),
            blocks: Vec::new(),
        };
        let mut elsewhere = Vec::new();
        for (k, (name, caption)) in ranked.iter().enumerate() {
            let Some(figure) = self.fan(name, caption.clone())? else {
                continue;
            };
            if k < FANS_IN_PAGE {
                section.blocks.push(Block::Figure(figure));
            } else {
                elsewhere.push(format!("{}.svg", figure.file));
                extra.push(figure);
            }
        }
        if !elsewhere.is_empty() {
            section.blocks.push(Block::Paragraph(format!(
                "Charts of the other {} are in plots/: {}.",
                elsewhere.len(),
                elsewhere.join(", ")
            )));
        }
        Ok(section)
    }
}

/// The chart sections of a run report, in reading order: prices, exports of controlled items,
/// unmet demand, halts, stockpiles, the licence queue. Charts not shown go into `extra`.
pub(super) fn charts(
    ctx: &Context,
    series: &BTreeMap<String, Vec<SeriesStep>>,
    summary: &[SummaryRow],
    halts: &[HaltTime],
    extra: &mut Vec<Figure>,
) -> Result<Vec<Section>, Error> {
    let c = Charts {
        ctx,
        series,
        summary: summary.iter().map(|r| (r.metric.as_str(), r)).collect(),
    };
    let mut sections = Vec::new();

    // Prices that move, by their median peak, largest first.
    let mut moving: Vec<(f64, String, String)> = Vec::new();
    let mut flat = Vec::new();
    for (name, steps) in family(series, "price_ratio") {
        let item = &name["price_ratio/".len()..];
        let moves = steps
            .iter()
            .any(|s| s.fan.p95 > 1.0 + PRICE_MOVE || s.fan.p5 < 1.0 - PRICE_MOVE);
        if !moves {
            flat.push(item.to_owned());
            continue;
        }
        let peak = steps.iter().map(|s| s.fan.p50).fold(f64::MIN, f64::max);
        let caption = match c.spread(&format!("peak_price_ratio/{item}"), "ratio") {
            Some(s) => format!(
                "World (ex-exporter) price of {item} over its base price. Highest ratio over the horizon: {s}."
            ),
            None => format!("World (ex-exporter) price of {item} over its base price."),
        };
        moving.push((peak, name.to_owned(), caption));
    }
    moving.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let ranked: Vec<(String, String)> = moving.into_iter().map(|(_, n, c)| (n, c)).collect();
    let mut prices = c.section("World prices", &ranked, extra)?;
    if !flat.is_empty() {
        prices.blocks.push(Block::Paragraph(format!(
            "Prices of {} stay within ±{:.0} % of their base in 90 % of replications (not charted).",
            flat.join(", "),
            PRICE_MOVE * 100.0
        )));
    }
    sections.push(prices);

    // Exports of controlled items, by volume.
    let mut exports: Vec<(f64, String, String)> = ctx
        .controlled_items
        .iter()
        .filter_map(|item| {
            let name = format!("exports_t/{item}");
            let steps = series.get(&name)?;
            let total = total_mean(steps);
            Some((
                total,
                name,
                format!(
                    "Tonnes of {item} shipped abroad by the controlling exporters each week, all \
                     destinations; {} t over the horizon on average.",
                    value(total, "t")
                ),
            ))
        })
        .collect();
    exports.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let ranked: Vec<(String, String)> = exports.into_iter().map(|(_, n, c)| (n, c)).collect();
    let mut section = c.section("Exports of controlled items", &ranked, extra)?;
    for (name, _) in ranked.iter().take(DESTINATION_CHARTS) {
        if let Some(f) = c.by_destination(&name["exports_t/".len()..])? {
            section.blocks.push(Block::Figure(f));
        }
    }
    if ranked.is_empty() {
        section.blocks.push(Block::Paragraph(
            "The scenario controls no item's exports.".into(),
        ));
    }
    sections.push(section);

    // Unmet demand, by tonnes lost.
    let mut unmet: Vec<(f64, String, String)> = Vec::new();
    let mut met = Vec::new();
    for (name, steps) in family(series, "unmet_demand_t") {
        let item = &name["unmet_demand_t/".len()..];
        if !nonzero(steps) {
            met.push(item.to_owned());
            continue;
        }
        let caption = format!(
            "Tonnes of {item} behind output that firms lost each week (past their deferral \
             window). Over the horizon: {}.",
            c.spread(&format!("unmet_demand_t/{item}"), "t")
                .unwrap_or_else(|| format!("{} t on average", value(total_mean(steps), "t")))
        );
        unmet.push((total_mean(steps), name.to_owned(), caption));
    }
    unmet.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let ranked: Vec<(String, String)> = unmet.into_iter().map(|(_, n, c)| (n, c)).collect();
    let mut section = c.section("Unmet demand", &ranked, extra)?;
    if !met.is_empty() {
        section.blocks.push(Block::Paragraph(format!(
            "No output is lost for want of {} in 95 % of replications at any week.",
            met.join(", ")
        )));
    }
    sections.push(section);

    let halted = c
        .spread("peak_halted_share", "share")
        .map_or_else(String::new, |s| format!(" Largest share at once: {s}."));
    let mut section = c.section(
        "Plants halted",
        &[(
            "halted_share".into(),
            format!("Share of the plants of importing regions halted each week.{halted}"),
        )],
        extra,
    )?;
    section.blocks.extend(first_halt(halts)?);
    sections.push(section);

    let stock: Vec<(String, String)> = family(series, "stockpile_t")
        .map(|(name, _)| {
            (
                name.to_owned(),
                format!(
                    "Holdings of {} in all strategic stockpiles at the end of each week.",
                    &name["stockpile_t/".len()..]
                ),
            )
        })
        .collect();
    if !stock.is_empty() {
        sections.push(c.section("Strategic stockpiles", &stock, extra)?);
    }

    let licences: Vec<(String, String)> = ["licences_pending", "licence_queue"]
        .iter()
        .flat_map(|prefix| family(series, prefix))
        .filter(|(_, steps)| nonzero(steps))
        .map(|(name, _)| {
            (
                name.to_owned(),
                format!("{}, at the end of each week.", ctx.label(name)),
            )
        })
        .collect();
    if !licences.is_empty() {
        sections.push(c.section("Licence queue", &licences, extra)?);
    }
    Ok(sections)
}

/// The distribution of weeks to the first halt: the survival curve (share of replications with
/// no plant halted yet; replications that never halt are censored at the horizon) and the share
/// with a halt within some weeks of the first policy measure.
fn first_halt(times: &[HaltTime]) -> Result<Vec<Block>, Error> {
    let n = times.len();
    if n == 0 {
        return Ok(Vec::new());
    }
    let mut chart = SurvivalChart::new(
        "Share of replications with no plant halted yet",
        times.to_vec(),
    );
    chart.x_label = "weeks after the first policy measure".into();
    let figure = Figure {
        file: "weeks_to_first_halt".into(),
        caption:
            "Weeks from the first policy measure to the first halt of a plant in an importing \
                  region, across replications: the curve is the share still without a halt."
                .into(),
        svg: survival_svg(&chart)?,
    };
    let halts = times.iter().filter(|t| t.halted).count();
    let rows = HALT_BY_WEEKS
        .iter()
        .map(|by| {
            let within = times.iter().filter(|t| t.halted && t.weeks <= *by).count();
            vec![
                Cell::text(format!("{by:.0} weeks")),
                Cell::number(value(within as f64 / n as f64, "share")),
            ]
        })
        .collect();
    Ok(vec![
        Block::Figure(figure),
        Block::Table(Table {
            headers: vec![
                "within, after the first policy measure".into(),
                "share of replications with a plant halted".into(),
            ],
            rows,
            note: Some(format!(
                "{halts} of {n} replications see a halt; the others run to the horizon without one."
            )),
        }),
    ])
}
