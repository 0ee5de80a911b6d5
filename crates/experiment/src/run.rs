//! `run`: one scenario, a plan of one cell.
//!
//! On one machine it runs in batches of consecutive run ids with optional precision targets
//! (which decide the number of replications as they go, so such a run is not journalled and
//! cannot be sharded); as a shard it goes through the journal like any plan. Either way its
//! files are written by the same [`write_cell_files`] as every other cell.

use std::path::{Path, PathBuf};

use chokepoint_core::ScenarioSource;

use crate::engine::{Execution, resolve_threads, shell_quote};
use crate::error::Error;
use crate::manifest::RunManifest;
use crate::monte_carlo::{self, MonteCarlo};
use crate::output::Tables;
use crate::output::{CellResult, MetricRow, Results, write_atomic, write_cell_files};
use crate::plan::{CellsBuilder, Finish, Load, Plan, PlanSpec, Recipe, RunSpec, admit_shape};

/// What a run came to, for the front door to show.
#[derive(Clone, Debug)]
pub struct RunReport {
    /// The scenario's name.
    pub scenario: String,
    /// Master seed.
    pub seed: u64,
    /// Replications in the results.
    pub replications: u64,
    /// One row per metric, as in `summary.csv`.
    pub rows: Vec<MetricRow>,
    /// Stopped early: the folder is marked partial.
    pub interrupted: bool,
    /// Whether every precision target was met (true when there were none).
    pub targets_met: bool,
    /// The output folder.
    pub out: PathBuf,
    /// How many shards were merged into it, for a merged run.
    pub merged_shards: Option<usize>,
}

/// The plan of a run: one cell, the folder itself, every replication a unit.
pub(crate) fn plan<S: ScenarioSource>(
    spec: &RunSpec,
    loader: &dyn Load<S>,
) -> Result<Plan<S>, Error> {
    let scenario = loader
        .scenario(&spec.scenario, &spec.overrides)
        .map_err(Error::Scenario)?;
    let mc = MonteCarlo {
        targets: spec.targets.clone(),
        max_replications: spec.max_replications,
        ..spec.settings.resolve(&scenario)
    };
    let shape = admit_shape(&scenario, 1, mc.replications.max(mc.max_replications), true)?;
    let label = scenario.name().to_owned();
    let mut cells = CellsBuilder::new("run");
    cells.push(
        Vec::new(),
        Some(PathBuf::new()),
        Recipe::default(),
        &scenario,
    )?;
    let (cells, metric_names, sha256) = cells.finish(&mc);
    Ok(Plan {
        spec: PlanSpec::Run(spec.clone()),
        cells,
        mc,
        keep_series: true,
        description: serde_json::json!({ "scenario": spec.scenario.display().to_string() }),
        label,
        finish: Finish::Run,
        bases: vec![scenario],
        strategies: Vec::new(),
        swept: Vec::new(),
        metric_names,
        sha256,
        shape,
    })
}

/// A run on this machine: batches with precision targets, files and manifest written directly.
pub(crate) fn run_here<S: ScenarioSource>(
    plan: &Plan<S>,
    spec: &RunSpec,
    exec: &Execution<'_>,
    out: &Path,
    tables: &Tables,
) -> Result<RunReport, Error> {
    let scenario = &*plan.scenario(0)?;
    let cfg = MonteCarlo {
        threads: resolve_threads(exec.threads),
        ..plan.mc.clone()
    };
    let started = chrono::Utc::now();
    let out = out.to_owned();
    let mut manifest = RunManifest::new(&spec.scenario, scenario, &cfg, &spec.overrides, started)?;
    manifest.format = (tables.format != crate::TableFormat::Csv).then_some(tables.format);
    write_atomic(&out, "manifest.json", &manifest.to_json()?)?;

    let expected = if cfg.targets.is_empty() {
        cfg.replications
    } else {
        cfg.max_replications.max(cfg.replications)
    };
    exec.progress.start(expected);
    let result = monte_carlo::run(scenario, &cfg, &|n| exec.progress.advance(n), exec.stop)?;
    exec.progress.finish();

    let cell = CellResult {
        metrics: result.metrics.clone(),
        series: Some(result.series.clone()),
    };
    let rows = write_cell_files(
        &out,
        scenario,
        cfg.seed,
        &result.schema.metrics,
        &cell,
        tables,
    )?;
    manifest.finish(&result, chrono::Utc::now());
    if result.interrupted {
        let mut words = vec!["chokepoint".to_owned()];
        words.extend(exec.command.iter().map(|a| shell_quote(a)));
        words.push("--force --out".into());
        words.push(shell_quote(&out.display().to_string()));
        manifest.rerun_command = Some(words.join(" "));
    }
    write_atomic(&out, "manifest.json", &manifest.to_json()?)?;
    Ok(RunReport {
        scenario: scenario.name().to_owned(),
        seed: cfg.seed,
        replications: result.replications,
        rows,
        interrupted: result.interrupted,
        targets_met: result.targets_met,
        out,
        merged_shards: None,
    })
}

/// Writes a run's files from finished (journalled or merged) results.
pub(crate) fn finish_run<S: ScenarioSource>(
    plan: &Plan<S>,
    results: &Results,
    out: &Path,
    tables: &Tables,
) -> Result<RunReport, Error> {
    let scenario = plan.scenario(0)?;
    let rows = write_cell_files(
        out,
        &*scenario,
        plan.mc.seed,
        &results.metric_names,
        &results.cells[0],
        tables,
    )?;
    Ok(RunReport {
        scenario: scenario.name().to_owned(),
        seed: plan.mc.seed,
        replications: plan.mc.replications,
        rows,
        interrupted: false,
        targets_met: true,
        out: out.to_owned(),
        merged_shards: None,
    })
}

/// The manifest of a run merged from shards: as a single machine writes it.
pub(crate) fn merged_manifest<S: ScenarioSource>(
    plan: &Plan<S>,
    spec: &RunSpec,
    out: &Path,
    tables: &Tables,
) -> Result<(), Error> {
    let cfg = MonteCarlo {
        threads: 0,
        ..plan.mc.clone()
    };
    let mut m = RunManifest::new(
        &spec.scenario,
        &*plan.scenario(0)?,
        &cfg,
        &spec.overrides,
        chrono::Utc::now(),
    )?;
    m.finish_merged(plan.mc.replications, chrono::Utc::now());
    m.format = (tables.format != crate::TableFormat::Csv).then_some(tables.format);
    write_atomic(out, "manifest.json", &m.to_json()?)
}
