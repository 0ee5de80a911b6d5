//! The charts of `chokepoint size`: the risk curve (risk against weeks held, with its one-sided
//! bounds and the target) and, for several items, the greedy frontier (risk against cost).

use std::path::{Path, PathBuf};

use anyhow::Result;
use chokepoint_experiment::size::SizeReport;
use chokepoint_report::{BandLineChart, BandPoint, BandSeries, band_line_svg, files};

/// A size's risk with its bounds; a bound that is not finite (a mean of one replication) is
/// drawn at the estimate.
fn point(x: f64, r: &chokepoint_experiment::size::Bounds) -> BandPoint {
    let or = |v: f64| if v.is_finite() { v } else { r.estimate };
    BandPoint {
        x,
        mean: r.estimate,
        lo: or(r.lo).min(r.estimate),
        hi: or(r.hi).max(r.estimate),
    }
}

/// The target as a flat line over `xs`.
fn target_line(r: &SizeReport, xs: impl Iterator<Item = f64>) -> BandSeries {
    let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), x| {
        (l.min(x), h.max(x))
    });
    let b = r.target.bound;
    BandSeries {
        name: format!("target: {}", r.target.text),
        points: [lo, hi]
            .into_iter()
            .map(|x| BandPoint {
                x,
                mean: b,
                lo: b,
                hi: b,
            })
            .collect(),
    }
}

/// `plots/risk_curve.svg/png` (one item: every size evaluated), or `plots/frontier.svg/png`
/// (several items: the greedy steps against their cost).
pub fn draw(r: &SizeReport, out: &Path) -> Result<Vec<PathBuf>> {
    let dir = out.join(files::PLOTS_DIR);
    let evaluated = &r.found.evaluated;
    if evaluated.is_empty() {
        return Ok(Vec::new());
    }
    let (stem, x_label, points): (&str, String, Vec<BandPoint>) = if r.items.len() == 1 {
        // Latest evaluation first, so that a size judged again (on more replications) keeps
        // its last judgement after the stable sort and dedup.
        let mut pts: Vec<BandPoint> = evaluated
            .iter()
            .rev()
            .map(|e| point(e.weeks[0], &e.judged.risk))
            .collect();
        pts.sort_by(|a, b| a.x.total_cmp(&b.x));
        pts.dedup_by(|a, b| a.x.total_cmp(&b.x).is_eq());
        (
            "risk_curve",
            format!("{} held (weeks of use)", r.items[0]),
            pts,
        )
    } else {
        let pts = r
            .found
            .frontier
            .iter()
            .map(|&i| point(evaluated[i].judged.cost_usd, &evaluated[i].judged.risk))
            .collect();
        ("frontier", "mean stockpile cost (USD)".to_owned(), pts)
    };
    if points.is_empty() {
        return Ok(Vec::new());
    }
    let target = target_line(r, points.iter().map(|p| p.x));
    // Money in billions or millions, so the axis labels stay short.
    let largest = points
        .iter()
        .map(|p| p.hi.abs())
        .fold(r.target.bound.abs(), f64::max);
    let (scale, unit) = match largest {
        v if v >= 1e9 => (1e-9, " (billions)"),
        v if v >= 1e6 => (1e-6, " (millions)"),
        _ => (1.0, ""),
    };
    let scaled = |mut s: BandSeries| {
        for p in &mut s.points {
            (p.mean, p.lo, p.hi) = (p.mean * scale, p.lo * scale, p.hi * scale);
        }
        s
    };
    let statistic = r
        .target
        .text
        .split("<=")
        .next()
        .unwrap_or(&r.target.text)
        .trim();
    let mut chart = BandLineChart::new(
        format!("Risk against the size held: {}", r.target.text),
        x_label,
        format!("{statistic}{unit}"),
        vec![
            scaled(BandSeries {
                name: "estimate".into(),
                points,
            }),
            scaled(target),
        ],
    );
    chart.band = "one-sided confidence bounds of the sequential test".into();
    chart.note = format!("over {}; seed {}", r.scenarios.join(", "), r.seed);
    crate::charts::write_chart(&dir, stem, &band_line_svg(&chart)?)
}
