//! The chart of `chokepoint size`: the risk curve (risk against weeks held, with its one-sided
//! bounds and the target) or, for several items, the greedy frontier (risk against cost). The
//! drawing is the report crate's (the same chart as in report.html); this maps the engine's
//! report to it.

use std::path::{Path, PathBuf};

use anyhow::Result;
use chokepoint_experiment::size::SizeReport;
use chokepoint_report::files;
use chokepoint_report::html::{SizeChart, SizePoint, size_chart_svg};

/// The chart's data: every evaluated size (one item) or the greedy's steps (several).
fn chart(r: &SizeReport) -> SizeChart {
    let evaluated = &r.found.evaluated;
    let point = |x: f64, e: &chokepoint_experiment::size::Bounds| SizePoint {
        x,
        risk: e.estimate,
        lo: e.lo,
        hi: e.hi,
    };
    let points = if r.items.len() == 1 {
        evaluated
            .iter()
            .map(|e| point(e.weeks[0], &e.judged.risk))
            .collect()
    } else {
        r.found
            .frontier
            .iter()
            .map(|&i| point(evaluated[i].judged.cost_usd, &evaluated[i].judged.risk))
            .collect()
    };
    SizeChart {
        target: r.target.text.clone(),
        bound: r.target.bound,
        items: r.items.clone(),
        scenarios: r.scenarios.clone(),
        seed: r.seed,
        x_label: r.scaled.as_ref().map(|s| {
            if s.unit.is_empty() {
                s.path.clone()
            } else {
                format!("{} ({})", s.path, s.unit)
            }
        }),
        points,
    }
}

/// `plots/risk_curve.svg/png` (one item: every size evaluated), or `plots/frontier.svg/png`
/// (several items: the greedy steps against their cost).
pub fn draw(r: &SizeReport, out: &Path) -> Result<Vec<PathBuf>> {
    let c = chart(r);
    match size_chart_svg(&c)? {
        Some(svg) => crate::charts::write_chart(&out.join(files::PLOTS_DIR), c.stem(), &svg),
        None => Ok(Vec::new()),
    }
}
