//! The charts of `chokepoint sensitivity`: per metric shown, each input's total Sobol index
//! (or Morris mu*) with its bootstrap interval, largest first, into `plots/`.

use std::path::{Path, PathBuf};

use anyhow::Result;
use chokepoint_experiment::folder::{Claim, claim};
use chokepoint_experiment::{Index, SensitivityRow};
use chokepoint_report::{DotRow, DotWhiskerChart, dot_whisker_svg, files};

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
        let (what, dots): (&str, Vec<DotRow>) = match mine.first().map(|r| &r.index) {
            Some(Index::Sobol { .. }) => ("total Sobol index (share of variance)", dots(&mine)),
            Some(Index::Morris { .. }) => ("Morris mu* (metric units per unit of u)", dots(&mine)),
            None => continue,
        };
        if dots.is_empty() {
            continue;
        }
        // Large effects (money) in billions or millions, so the axis labels stay short.
        let largest = dots.iter().map(|d| d.hi.abs()).fold(0.0, f64::max);
        let (scale, unit) = match largest {
            v if v >= 1e9 => (1e-9, ", billions"),
            v if v >= 1e6 => (1e-6, ", millions"),
            _ => (1.0, ""),
        };
        let dots = dots
            .into_iter()
            .map(|d| DotRow {
                mean: d.mean * scale,
                lo: d.lo * scale,
                hi: d.hi * scale,
                ..d
            })
            .collect();
        let what = match what.strip_suffix(')') {
            Some(head) if !unit.is_empty() => format!("{head}{unit})"),
            _ => what.to_owned(),
        };
        let mut chart = DotWhiskerChart::new(format!("What drives {metric}"), what, dots);
        chart.dot = "estimate".into();
        chart.interval = "bootstrap 95% interval".into();
        chart.reference = "no effect".into();
        let stem = format!("sensitivity_{}", files::file_stem(metric));
        written.extend(crate::charts::write_chart(
            &dir.join(files::PLOTS_DIR),
            &stem,
            &dot_whisker_svg(&chart)?,
        )?);
    }
    Ok(written)
}

/// One dot per input with a defined index; the interval widened to hold the estimate (a
/// percentile interval need not contain the full-data estimate).
fn dots(rows: &[&SensitivityRow]) -> Vec<DotRow> {
    rows.iter()
        .filter_map(|r| {
            let e = match &r.index {
                Index::Sobol { total, .. } => total,
                Index::Morris { mu_star, .. } => mu_star,
            };
            e.value.is_finite().then(|| {
                let or = |v: f64| if v.is_finite() { v } else { e.value };
                DotRow {
                    label: r.param.clone(),
                    mean: e.value,
                    lo: or(e.lo).min(e.value),
                    hi: or(e.hi).max(e.value),
                    baseline: false,
                }
            })
        })
        .collect()
}
