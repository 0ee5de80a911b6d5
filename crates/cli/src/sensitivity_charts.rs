//! The charts of `chokepoint sensitivity`: per metric shown, each input's total Sobol index
//! (or Morris mu*) with its bootstrap interval, largest first, into `plots/`. The drawing is
//! the report crate's (the same chart as in report.html); this maps the engine's rows to it.

use std::path::{Path, PathBuf};

use anyhow::Result;
use chokepoint_experiment::folder::{Claim, claim};
use chokepoint_experiment::{Index, SensitivityRow};
use chokepoint_report::files;
use chokepoint_report::html::{
    IndexEstimate, Method, sensitivity_chart_stem, sensitivity_chart_svg,
};

/// Draws `plots/sensitivity_<metric>.svg/png` for each of `metrics` (strategy 0) into `dir`,
/// under the folder's lock. A metric whose indices are all undefined (a constant output) gets
/// no chart.
pub fn draw(dir: &Path, rows: &[SensitivityRow], metrics: &[String]) -> Result<Vec<PathBuf>> {
    let _lock = claim(dir, Claim::Resume)?;
    let mut written = Vec::new();
    for metric in metrics {
        let mut mine: Vec<&SensitivityRow> = rows
            .iter()
            .filter(|r| r.strategy_index == 0 && &r.metric == metric)
            .collect();
        mine.sort_by_key(|r| r.rank);
        let method = match mine.first().map(|r| &r.index) {
            Some(Index::Sobol { .. }) => Method::Sobol,
            Some(Index::Morris { .. }) => Method::Morris,
            None => continue,
        };
        let estimates: Vec<IndexEstimate> = mine
            .iter()
            .map(|r| {
                let e = match &r.index {
                    Index::Sobol { total, .. } => total,
                    Index::Morris { mu_star, .. } => mu_star,
                };
                IndexEstimate {
                    param: r.param.clone(),
                    value: e.value,
                    lo: e.lo,
                    hi: e.hi,
                }
            })
            .collect();
        if let Some(svg) = sensitivity_chart_svg(metric, method, &estimates)? {
            written.extend(crate::charts::write_chart(
                &dir.join(files::PLOTS_DIR),
                &sensitivity_chart_stem(metric),
                &svg,
            )?);
        }
    }
    Ok(written)
}
