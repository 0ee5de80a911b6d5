//! The charts of a sweep report: each charted metric against each swept parameter (mean with its
//! p5–p95 band across replications), and a heat map of each over two parameters on a grid.

use std::collections::BTreeSet;

use super::data::Sweep;
use super::format::axis_scale;
use super::{Block, Context, Figure};
use crate::band::{BandLineChart, BandPoint, BandSeries, band_line_svg};
use crate::error::Error;
use crate::files::file_stem;
use crate::heat::{HeatCell, HeatMapChart, MAX_HEAT_SIDE, heat_map_svg};

/// The metrics charted against the parameters (those the file has): the objective, how much
/// demand went unmet and how soon the first halt came. The table has the others.
const CHARTED: &[&str] = &[
    "total_cost_usd",
    "unmet_demand_share",
    "weeks_to_first_halt",
];

/// Most lines on one chart (the palette's colours).
const MAX_LINES: usize = 8;

/// One design point's values.
struct Point {
    /// The swept parameters' values.
    params: Vec<f64>,
    strategy: String,
    /// Per charted metric: mean, p5, p95.
    stats: Vec<(f64, f64, f64)>,
}

fn points(sweep: &Sweep, metrics: &[&str]) -> Result<Vec<Point>, Error> {
    let f = &sweep.frame;
    let param_cols: Vec<usize> = sweep
        .params
        .iter()
        .map(|p| f.column(p))
        .collect::<Result<_, _>>()?;
    let stat_cols: Vec<[usize; 3]> = metrics
        .iter()
        .map(|m| {
            Ok([
                f.column(&format!("{m}_mean"))?,
                f.column(&format!("{m}_p5"))?,
                f.column(&format!("{m}_p95"))?,
            ])
        })
        .collect::<Result<_, Error>>()?;
    (0..f.rows.len())
        .map(|r| {
            Ok(Point {
                params: param_cols
                    .iter()
                    .map(|c| f.number(r, *c))
                    .collect::<Result<_, _>>()?,
                strategy: sweep
                    .strategy
                    .map_or_else(String::new, |c| f.rows[r][c].clone()),
                stats: stat_cols
                    .iter()
                    .map(|[m, lo, hi]| Ok((f.number(r, *m)?, f.number(r, *lo)?, f.number(r, *hi)?)))
                    .collect::<Result<_, Error>>()?,
            })
        })
        .collect()
}

/// The last part of a key path, for labels (`defaults.manufacturer.cover_weeks` → `cover_weeks`).
///
/// The last key part is enough unless another swept parameter ends the same way
/// (`approval.default`, `approval.us.default`): then as many parts as tell them apart, so no
/// two charts share a title or a file in `plots/`.
fn short<'a>(path: &'a str, all: &[String]) -> &'a str {
    path.rmatch_indices('.')
        .map(|(i, _)| i + 1)
        .chain(std::iter::once(0))
        .find(|&at| {
            let tail = &path[at..];
            !all.iter()
                .any(|o| o != path && (o == tail || o.ends_with(&format!(".{tail}"))))
        })
        .map_or(path, |at| &path[at..])
}

/// Longest y axis label that fits beside a chart's height (the rotated text runs out of the
/// picture beyond it); longer labels give way to the unit, the title names the metric.
const MAX_AXIS_LABEL_CHARS: usize = 36;

/// "label (unit)", or the unit alone when that is too long for the axis.
fn axis_label(label: &str, unit: &str) -> String {
    let full = if unit.is_empty() {
        label.to_owned()
    } else {
        format!("{label} ({unit})")
    };
    if full.chars().count() <= MAX_AXIS_LABEL_CHARS {
        full
    } else if unit.is_empty() {
        "value".into()
    } else {
        unit.to_owned()
    }
}

/// Number text without needless decimals.
fn level(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The sweep's charts.
pub(super) fn charts(ctx: &Context, sweep: &Sweep) -> Result<Vec<Block>, Error> {
    let metrics: Vec<&str> = CHARTED
        .iter()
        .copied()
        .filter(|m| sweep.metrics.contains(m))
        .collect();
    let points = points(sweep, &metrics)?;
    let mut blocks = Vec::new();
    for (p, param) in sweep.params.iter().enumerate() {
        // Lines: one per strategy and combination of the other parameters' levels, when there
        // are few (a grid); else one per strategy over every point (a Latin hypercube).
        let key = |pt: &Point, with_others: bool| {
            let mut parts = Vec::new();
            if !pt.strategy.is_empty() {
                parts.push(pt.strategy.clone());
            }
            if with_others {
                for (q, other) in sweep.params.iter().enumerate().filter(|(q, _)| *q != p) {
                    parts.push(format!(
                        "{} = {}",
                        short(other, &sweep.params),
                        level(pt.params[q])
                    ));
                }
            }
            parts.join(", ")
        };
        let groups_with_others: BTreeSet<String> = points.iter().map(|pt| key(pt, true)).collect();
        // A grid: few combinations, each seen at several values of this parameter.
        let with_others =
            groups_with_others.len() <= MAX_LINES && points.len() >= 2 * groups_with_others.len();
        for (k, metric) in metrics.iter().enumerate() {
            let unit = ctx.unit(metric);
            let max = points
                .iter()
                .map(|pt| pt.stats[k].2.abs().max(pt.stats[k].1.abs()))
                .filter(|v| v.is_finite())
                .fold(0.0, f64::max);
            let (div, unit_words) = axis_scale(&unit, max);
            // Lines in the order of the other parameters' levels (a stable sort: strategies stay in
            // the file's order).
            let mut lines: Vec<(String, Vec<f64>, Vec<BandPoint>)> = Vec::new();
            for pt in &points {
                let (mean, lo, hi) = pt.stats[k];
                let name = key(pt, with_others);
                let levels: Vec<f64> = if with_others {
                    (0..pt.params.len())
                        .filter(|q| *q != p)
                        .map(|q| pt.params[q])
                        .collect()
                } else {
                    Vec::new()
                };
                let point = BandPoint {
                    x: pt.params[p],
                    mean: mean / div,
                    lo: lo / div,
                    hi: hi / div,
                };
                match lines.iter_mut().find(|(n, _, _)| *n == name) {
                    Some((_, _, points)) => points.push(point),
                    None => lines.push((name, levels, vec![point])),
                }
            }
            lines.sort_by(|a, b| {
                a.1.iter()
                    .zip(&b.1)
                    .map(|(x, y)| x.total_cmp(y))
                    .find(|o| o.is_ne())
                    .unwrap_or(std::cmp::Ordering::Equal)
            });
            if lines.len() > MAX_LINES {
                continue; // more strategies than colours: the table has the numbers
            }
            let chart = BandLineChart::new(
                format!(
                    "{} against {}",
                    ctx.label(metric),
                    short(param, &sweep.params)
                ),
                param.clone(),
                axis_label(&ctx.label(metric), &unit_words),
                lines
                    .into_iter()
                    .map(|(name, _, points)| BandSeries {
                        name: if name.is_empty() { "mean".into() } else { name },
                        points,
                    })
                    .collect(),
            );
            blocks.push(Block::Figure(Figure {
                file: file_stem(&format!(
                    "sweep_{metric}_by_{}",
                    short(param, &sweep.params)
                )),
                caption: format!(
                    "{} at each design point (line: mean over replications; band: p5–p95 across \
                     them) against `{param}`.",
                    ctx.label(metric)
                ),
                svg: band_line_svg(&chart)?,
            }));
        }
    }
    if let Some(maps) = heat_maps(ctx, sweep, &metrics, &points)? {
        blocks.extend(maps);
    }
    Ok(blocks)
}

/// Heat maps of each charted metric over two parameters, when the design is a grid on them (one
/// point per pair of levels) and it ran one strategy.
fn heat_maps(
    ctx: &Context,
    sweep: &Sweep,
    metrics: &[&str],
    points: &[Point],
) -> Result<Option<Vec<Block>>, Error> {
    if sweep.params.len() != 2 || points.iter().any(|p| p.strategy != points[0].strategy) {
        return Ok(None);
    }
    let distinct = |q: usize| {
        let mut v: Vec<f64> = points.iter().map(|p| p.params[q]).collect();
        v.sort_by(f64::total_cmp);
        v.dedup();
        v.len()
    };
    let (nx, ny) = (distinct(0), distinct(1));
    if nx < 2 || ny < 2 || nx > MAX_HEAT_SIDE || ny > MAX_HEAT_SIDE || nx * ny != points.len() {
        return Ok(None);
    }
    let (px, py) = (&sweep.params[0], &sweep.params[1]);
    let mut blocks = Vec::new();
    for (k, metric) in metrics.iter().enumerate() {
        let unit = ctx.unit(metric);
        let max = points
            .iter()
            .map(|p| p.stats[k].0.abs())
            .filter(|v| v.is_finite())
            .fold(0.0, f64::max);
        let (div, unit_words) = axis_scale(&unit, max);
        let chart = HeatMapChart::new(
            format!(
                "{}: {} × {}",
                ctx.label(metric),
                short(px, &sweep.params),
                short(py, &sweep.params)
            ),
            px.clone(),
            py.clone(),
            if unit_words.is_empty() {
                ctx.label(metric)
            } else {
                format!("mean ({unit_words})")
            },
            points
                .iter()
                .map(|p| HeatCell {
                    x: p.params[0],
                    y: p.params[1],
                    value: p.stats[k].0 / div,
                })
                .collect(),
        );
        blocks.push(Block::Figure(Figure {
            file: file_stem(&format!("sweep_{metric}_heat")),
            caption: format!(
                "Mean {} over replications at each pair of levels of the two swept parameters.",
                ctx.label(metric).to_lowercase()
            ),
            svg: heat_map_svg(&chart)?,
        }));
    }
    Ok(Some(blocks))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_short_and_levels_plain() {
        let all = [
            "defaults.manufacturer.cover_weeks",
            "x",
            "a.default",
            "a.us.default",
        ]
        .map(String::from);
        assert_eq!(
            short("defaults.manufacturer.cover_weeks", &all),
            "cover_weeks"
        );
        assert_eq!(short("x", &all), "x");
        assert_eq!(short("a.default", &all), "a.default");
        assert_eq!(short("a.us.default", &all), "us.default");
        assert_eq!(level(4.0), "4");
        assert_eq!(level(2.5), "2.5");
        assert_eq!(
            axis_label("Value added lost", "USD bn"),
            "Value added lost (USD bn)"
        );
        assert_eq!(
            axis_label(
                "Weeks from the first policy measure to the first halt",
                "weeks"
            ),
            "weeks"
        );
    }
}
