//! `chokepoint report` and `--report`: what the report needs from the model (plain words for
//! names, the scenario's measures and controlled items) → `chokepoint-report`'s pages, written
//! into the folder under its lock.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use chokepoint_experiment::folder::{Claim, claim};
use chokepoint_report::html::{
    Context, FolderKind, Label, Measure, backtest_page, compare_page, discover_page, run_page,
    sensitivity_page, size_page, sweep_page, write_report,
};
use chokepoint_scenario::Scenario;

/// Plain words and unit of a metric or per-step variable, from the core crate's tables.
fn describe(name: &str) -> Option<Label> {
    let d = chokepoint_core::describe_metric(name)
        .or_else(|| chokepoint_core::describe_series(name))?;
    Some(Label {
        label: d.label,
        unit: d.unit.to_owned(),
        higher_is_better: d.better.map(|b| b == chokepoint_core::Better::Higher),
    })
}

/// `--format` with `--report`: the HTML report reads the CSV tables, so an unset format means
/// CSV and `parquet` alone is refused with the fix.
pub(crate) fn report_format(
    report: bool,
    format: Option<chokepoint_experiment::TableFormat>,
) -> Result<Option<chokepoint_experiment::TableFormat>, String> {
    use chokepoint_experiment::TableFormat;
    match (report, format) {
        (true, Some(TableFormat::Parquet)) => {
            Err("--report reads the CSV tables: use --format both (or drop --report)".to_owned())
        }
        (true, None) => Ok(Some(TableFormat::Csv)),
        (_, f) => Ok(f),
    }
}

/// Writes `dir/report.html` and `dir/plots/` and returns the report's path; the PNG renderer's
/// warning (no system font) goes to standard error.
pub(crate) fn write(dir: &Path) -> Result<PathBuf> {
    let kind = FolderKind::of(dir)?;
    let manifest = read_manifest(dir)?;
    match manifest.get("status").and_then(serde_json::Value::as_str) {
        Some("running") => bail!(
            "{}: the experiment in this folder is still running (manifest status `running`); \
             report it when it has finished",
            dir.display()
        ),
        Some("complete" | "interrupted") | None => {}
        Some(other) => bail!(
            "{}: manifest status `{other}`: only a complete (or interrupted) folder can be reported",
            dir.display()
        ),
    }
    let _lock = claim(dir, Claim::Resume)?;
    let ctx = context(dir, &manifest);
    let mut page = match kind {
        FolderKind::Run => run_page(dir, &ctx)?,
        FolderKind::Backtest => backtest_page(dir, &ctx)?,
        FolderKind::Compare => compare_page(dir, &ctx)?,
        FolderKind::Sweep => sweep_page(dir, &ctx)?,
        FolderKind::Sensitivity => {
            let ctx = Context {
                metrics: sensitivity_metrics(&manifest),
                ..ctx
            };
            sensitivity_page(dir, &ctx)?
        }
        FolderKind::Size => size_page(dir, &ctx)?,
        FolderKind::Discover => discover_page(dir, &ctx)?,
    };
    if manifest.get("status").and_then(serde_json::Value::as_str) == Some("interrupted") {
        page.intro.insert(
            0,
            "Interrupted: this folder holds the replications finished before the experiment \
             was stopped, not all that were asked for."
                .into(),
        );
    }
    let written = write_report(dir, &page)?;
    if let Some(w) = written.warning {
        eprintln!("warning: {w}");
    }
    Ok(written.report)
}

/// The folder's manifest (the report crate's reader), with what to check when it is missing.
pub(crate) fn read_manifest(dir: &Path) -> Result<serde_json::Value> {
    chokepoint_report::html::manifest(dir)
        .with_context(|| format!("{}: is this a chokepoint output folder?", dir.display()))
}

/// The metrics a sensitivity report shows: the `--metric`s of the command recorded in the
/// manifest, else the headline metrics `chokepoint sensitivity` shows by default.
fn sensitivity_metrics(manifest: &serde_json::Value) -> Vec<String> {
    let argv: Vec<&str> = manifest
        .get("argv")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_str)
        .collect();
    let mut asked = Vec::new();
    if argv.first() == Some(&"sensitivity") {
        let mut words = argv.iter();
        while let Some(w) = words.next() {
            if let Some(m) = w.strip_prefix("--metric=") {
                asked.push(m.to_owned());
            } else if *w == "--metric"
                && let Some(m) = words.next()
            {
                asked.push((*m).to_owned());
            }
        }
    }
    if asked.is_empty() {
        chokepoint_experiment::HEADLINE_METRICS
            .map(str::to_owned)
            .to_vec()
    } else {
        asked
    }
}

/// The report's context: labels always; for a run or backtest, its scenario's name,
/// description, measures and controlled items (from the resolved scenario in the manifest).
fn context(dir: &Path, manifest: &serde_json::Value) -> Context {
    let mut ctx = Context {
        describe,
        ..Context::default()
    };
    let Some(resolved) = manifest
        .get("resolved_scenario")
        .and_then(serde_json::Value::as_str)
    else {
        return ctx;
    };
    let scenario = match Scenario::from_str(resolved, dir.join("manifest.json")) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "warning: the report names no measures: the manifest's scenario does not load: {e}"
            );
            return ctx;
        }
    };
    let file = scenario.file();
    ctx.scenario = Some((
        scenario.name().to_owned(),
        file.scenario.description.clone(),
    ));
    ctx.step_days = scenario.central().calendar.step_days;
    ctx.measures = scenario
        .timeline()
        .into_iter()
        .filter(|e| e.step > 0)
        .map(|e| Measure {
            date: e.date,
            description: format!(
                "{}{}{}",
                e.what,
                if e.whom.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", e.whom)
                },
                if e.uncertain {
                    "; date uncertain, central date shown"
                } else {
                    ""
                }
            ),
            name: e.shock,
        })
        .collect();
    ctx.controlled_items = controlled_items(scenario.central());
    ctx
}

/// Items some export authority controls or embargoes at some step, in item order.
fn controlled_items(p: &chokepoint_core::ModelParams) -> Vec<String> {
    let n = p.items.len();
    let mut controlled = vec![false; n];
    for a in &p.authorities {
        for i in &a.controlled {
            controlled[i.idx()] = true;
        }
    }
    for event in &p.events {
        for state in &event.in_force.authorities {
            for (i, c) in state.controlled.iter().enumerate() {
                controlled[i] |= *c;
            }
            for (k, e) in state.embargo.iter().enumerate() {
                controlled[k % n] |= *e;
            }
        }
    }
    p.items
        .iter()
        .zip(controlled)
        .filter(|(_, c)| *c)
        .map(|(i, _)| i.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sensitivity_report_shows_the_metrics_of_its_command() {
        let m = serde_json::json!({"argv": ["sensitivity", "s.toml", "--metric", "any_halt",
                                            "--reps", "2", "--metric=lost_output_usd"]});
        assert_eq!(sensitivity_metrics(&m), ["any_halt", "lost_output_usd"]);
        let sweep = serde_json::json!({"argv": ["sweep", "s.toml", "--design", "sobol:8"]});
        assert_eq!(
            sensitivity_metrics(&sweep),
            chokepoint_experiment::HEADLINE_METRICS
        );
        assert_eq!(
            sensitivity_metrics(&serde_json::json!({})),
            chokepoint_experiment::HEADLINE_METRICS
        );
    }
}
