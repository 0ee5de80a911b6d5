//! Experiments of many cells: `compare` (scenarios × strategies) and `sweep` (design points ×
//! strategies). Every cell runs the same run ids with the same seed, so cells are compared on
//! common random numbers. Finished cells are appended to `journal.jsonl`; `--resume DIR` runs
//! only the cells the journal lacks, and the final files are byte-identical to an uninterrupted
//! run.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result, bail};
use chokepoint_runner::{MonteCarlo, MonteCarloResult};
use chokepoint_scenario::Scenario;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::output;

/// One unit of an experiment: a scenario variant run for every replication.
pub struct Cell {
    /// Labels that identify it in outputs (`scenario`, `strategy`, parameter values).
    pub labels: Vec<(String, String)>,
    /// The scenario to run.
    pub scenario: Scenario,
    /// Folder (under the output folder) for per-cell files, if any.
    pub folder: Option<PathBuf>,
}

/// The cells and the settings common to all of them.
pub struct Plan {
    /// What kind of experiment (`compare`, `sweep`), for the manifest.
    pub kind: &'static str,
    /// The cells, in output order.
    pub cells: Vec<Cell>,
    /// Seed, replications and batch shared by every cell.
    pub mc: MonteCarlo,
    /// Extra description for the manifest (design, strategies, ...).
    pub description: serde_json::Value,
}

impl Plan {
    /// A hash of everything that determines the results: resolved scenarios, labels, seed,
    /// replications, batch. Two runs with the same hash produce the same files.
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.kind.as_bytes());
        for c in &self.cells {
            for (k, v) in &c.labels {
                h.update(format!("{k}={v};").as_bytes());
            }
            h.update(c.scenario.to_toml().as_bytes());
        }
        h.update(
            format!(
                "seed={};reps={};batch={}",
                self.mc.seed, self.mc.replications, self.mc.batch
            )
            .as_bytes(),
        );
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[derive(Serialize, Deserialize)]
struct JournalLine {
    cell: usize,
    metrics: Vec<Vec<f64>>,
}

#[derive(Serialize, Deserialize)]
struct ExperimentManifest {
    status: String,
    kind: String,
    chokepoint_version: String,
    plan_sha256: String,
    seed: u64,
    replications: u64,
    batch: u64,
    cells: usize,
    threads: usize,
    started_at: String,
    finished_at: Option<String>,
    plan: serde_json::Value,
}

/// Per-cell metrics (run-id order) of a finished plan, and the metric names.
pub struct Results {
    /// Metric names.
    pub metric_names: Vec<String>,
    /// `metrics[cell][replication][metric]`.
    pub metrics: Vec<Vec<Vec<f64>>>,
}

fn read_journal(path: &Path, n_cells: usize) -> Vec<Option<Vec<Vec<f64>>>> {
    let mut done = vec![None; n_cells];
    if let Ok(text) = std::fs::read_to_string(path) {
        // A line cut short by a kill is not valid JSON and is simply run again.
        for line in text.lines() {
            if let Ok(j) = serde_json::from_str::<JournalLine>(line)
                && j.cell < n_cells
            {
                done[j.cell] = Some(j.metrics);
            }
        }
    }
    done
}

fn append_journal(path: &Path, line: &JournalLine) -> Result<()> {
    let mut text = serde_json::to_string(line)?;
    text.push('\n');
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("{}: cannot open the journal", path.display()))?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

/// Runs every cell of `plan` not yet in the journal of `out`, writing per-cell files as it
/// goes. Returns `None` when interrupted.
pub fn run_plan(
    plan: &Plan,
    out: &Path,
    resume: bool,
    threads: usize,
    quiet: bool,
    stop: &AtomicBool,
) -> Result<Option<Results>> {
    let hash = plan.hash();
    let manifest_path = out.join("manifest.json");
    if resume {
        let text = std::fs::read(&manifest_path).with_context(|| {
            format!(
                "{}: no experiment to resume here (no manifest.json)",
                out.display()
            )
        })?;
        let old: ExperimentManifest = serde_json::from_slice(&text)
            .with_context(|| format!("{}: unreadable manifest", manifest_path.display()))?;
        if old.plan_sha256 != hash {
            bail!(
                "{}: this folder holds a different experiment (plan {} here, {} now); resume with exactly the same scenario, strategies, parameters, design, seed, --reps and --batch",
                out.display(),
                &old.plan_sha256[..12],
                &hash[..12]
            );
        }
    } else if manifest_path.exists() {
        bail!(
            "{}: already holds results; use --resume {} to finish it, or another --out",
            out.display(),
            out.display()
        );
    }
    std::fs::create_dir_all(out)
        .with_context(|| format!("{}: cannot create the output folder", out.display()))?;
    let started = chrono::Utc::now();
    let mut manifest = ExperimentManifest {
        status: "running".into(),
        kind: plan.kind.into(),
        chokepoint_version: env!("CARGO_PKG_VERSION").into(),
        plan_sha256: hash,
        seed: plan.mc.seed,
        replications: plan.mc.replications,
        batch: plan.mc.batch,
        cells: plan.cells.len(),
        threads,
        started_at: started.to_rfc3339(),
        finished_at: None,
        plan: plan.description.clone(),
    };
    output::write_atomic(out, "manifest.json", &serde_json::to_vec_pretty(&manifest)?)?;

    let journal = out.join("journal.jsonl");
    let mut done = read_journal(&journal, plan.cells.len());
    let todo = done.iter().filter(|d| d.is_none()).count() as u64;
    let bar = crate::progress_bar(todo * plan.mc.replications, quiet);
    let mut metric_names = Vec::new();
    for (k, cell) in plan.cells.iter().enumerate() {
        if done[k].is_some() {
            continue;
        }
        let mc = MonteCarlo {
            threads,
            ..plan.mc.clone()
        };
        let result: MonteCarloResult =
            chokepoint_runner::run(&cell.scenario, &mc, &|n| bar.inc(n), stop)?;
        if result.interrupted {
            bar.finish_and_clear();
            manifest.status = "interrupted".into();
            output::write_atomic(out, "manifest.json", &serde_json::to_vec_pretty(&manifest)?)?;
            return Ok(None);
        }
        if let Some(folder) = &cell.folder {
            let dir = out.join(folder);
            std::fs::create_dir_all(&dir)?;
            write_cell_files(&dir, cell, &mc, &result)?;
        }
        metric_names = result.schema.metrics.clone();
        append_journal(
            &journal,
            &JournalLine {
                cell: k,
                metrics: result.metrics.clone(),
            },
        )?;
        done[k] = Some(result.metrics);
    }
    bar.finish_and_clear();
    if metric_names.is_empty() {
        metric_names = chokepoint_core::Model::new(plan.cells[0].scenario.central().clone())?
            .schema()
            .metrics
            .clone();
    }
    manifest.status = "complete".into();
    manifest.finished_at = Some(chrono::Utc::now().to_rfc3339());
    output::write_atomic(out, "manifest.json", &serde_json::to_vec_pretty(&manifest)?)?;
    Ok(Some(Results {
        metric_names,
        metrics: done.into_iter().map(|d| d.unwrap_or_default()).collect(),
    }))
}

fn write_cell_files(
    dir: &Path,
    cell: &Cell,
    mc: &MonteCarlo,
    result: &MonteCarloResult,
) -> Result<()> {
    let rows: Vec<output::MetricRow> = result
        .schema
        .metrics
        .iter()
        .enumerate()
        .map(|(k, name)| output::MetricRow::new(name, &result.metric_values(k)))
        .collect();
    output::write_summary(dir, &rows)?;
    output::write_timeseries(
        dir,
        &result.schema,
        &cell.scenario.central().calendar,
        &result.series.finish(),
    )?;
    output::write_replications(
        dir,
        &result.schema,
        mc.seed,
        mc.first_run_id,
        &result.metrics,
    )
}

/// One metric of one cell over all replications.
pub fn column(cell: &[Vec<f64>], metric: usize) -> Vec<f64> {
    cell.iter().map(|r| r[metric]).collect()
}
