//! Experiments of many cells: `compare` (scenarios × strategies), `sweep` (design points ×
//! strategies) and sharded `run`s. Every cell runs the same replications with the same seed, so
//! cells are compared on common random numbers.
//!
//! A unit of work is (cell, replication) with the stable **run id** `cell × replications +
//! replication`; its random streams derive from `(seed, replication)`, the replication being
//! `run id mod replications`, so they do not depend on where or in which shard it runs. A shard
//! `I/N` runs the units whose run id is `I` mod `N`. Finished work is appended to
//! `journal.jsonl` (a line per cell and shard: run ids, metrics, per-step accumulators);
//! `--resume` runs only what the journal lacks, and `merge` combines shards' journals. Every
//! final file is written from the combined journal by the same code, so one machine, a resumed
//! run and merged shards give byte-identical files.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result, bail};
use chokepoint_runner::MonteCarlo;
use chokepoint_scenario::Scenario;
use chokepoint_stats::SeriesAccumulator;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::output;

/// One unit of an experiment: a scenario variant run for every replication.
pub struct Cell {
    /// Labels that identify it in outputs (`scenario`, `strategy`, parameter values).
    pub labels: Vec<(String, String)>,
    /// The scenario to run.
    pub scenario: Scenario,
    /// Folder (under the output folder) for per-cell files; `Some("")` = the folder itself.
    pub folder: Option<PathBuf>,
}

/// `--shard I/N`: this process runs the units whose run id is `I` modulo `N`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, from 0.
    pub index: u64,
    /// How many shards.
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (i, n) = s.split_once('/').ok_or_else(|| {
            format!("`{s}` is not I/N; write e.g. `--shard 0/4` (shards are numbered from 0)")
        })?;
        let (index, count): (u64, u64) = match (i.trim().parse(), n.trim().parse()) {
            (Ok(i), Ok(n)) => (i, n),
            _ => {
                return Err(format!(
                    "`{s}` is not I/N with whole numbers; write e.g. `--shard 0/4`"
                ));
            }
        };
        if count == 0 || index >= count {
            return Err(format!(
                "`{s}`: the shard index must be from 0 to N-1, and N at least 1"
            ));
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The cells and the settings common to all of them.
pub struct Plan {
    /// `run`, `compare` or `sweep`.
    pub kind: &'static str,
    /// The cells, in output order.
    pub cells: Vec<Cell>,
    /// Seed, replications and batch shared by every cell.
    pub mc: MonteCarlo,
    /// Whether cells keep per-step accumulators (for per-cell time series).
    pub keep_series: bool,
    /// Extra description for the manifest (design, strategies, ...).
    pub description: serde_json::Value,
    /// The command-line arguments that build this plan (no output, shard or execution flags),
    /// so that `merge` can rebuild it.
    pub argv: Vec<String>,
}

impl Plan {
    /// A hash of everything that determines the results: resolved scenarios, labels, seed,
    /// replications, batch. Same hash, same files.
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

    fn run_ids(&self, cell: usize, shard: Option<Shard>) -> Vec<u64> {
        let reps = self.mc.replications;
        let base = cell as u64 * reps;
        (0..reps)
            .filter(|r| shard.is_none_or(|s| (base + r) % s.count == s.index))
            .collect()
    }
}

#[derive(Serialize, Deserialize)]
struct JournalLine {
    cell: usize,
    /// Replication indices (run id mod replications), ascending.
    reps: Vec<u64>,
    metrics: Vec<Vec<f64>>,
    series: Option<SeriesAccumulator>,
}

/// `manifest.json` of an experiment or shard folder.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExperimentManifest {
    /// `running`, `complete` or `interrupted`.
    pub status: String,
    /// `run`, `compare` or `sweep`.
    pub kind: String,
    /// Version that wrote it.
    pub chokepoint_version: String,
    /// Hash of the plan.
    pub plan_sha256: String,
    /// `I/N` for a shard folder.
    pub shard: Option<String>,
    /// Master seed.
    pub seed: u64,
    /// Replications per cell.
    pub replications: u64,
    /// Run ids per batch.
    pub batch: u64,
    /// Cells in the plan.
    pub cells: usize,
    /// Worker threads of this process (results do not depend on it).
    pub threads: usize,
    /// UTC start.
    pub started_at: String,
    /// UTC finish.
    pub finished_at: Option<String>,
    /// The arguments that rebuild the plan.
    pub argv: Vec<String>,
    /// What the plan is.
    pub plan: serde_json::Value,
}

/// One cell's replications, in replication order.
pub struct CellResult {
    /// `metrics[replication][metric]`.
    pub metrics: Vec<Vec<f64>>,
    /// Per-step accumulators, when the plan keeps them.
    pub series: Option<SeriesAccumulator>,
}

/// A finished plan.
pub struct Results {
    /// Metric names.
    pub metric_names: Vec<String>,
    /// Per cell.
    pub cells: Vec<CellResult>,
}

/// What [`execute`] came to.
pub enum Outcome {
    /// Every cell finished; here they are.
    Done(Results),
    /// This shard's share is finished and journalled; `merge` combines shards.
    ShardDone,
    /// Stopped by Ctrl-C; the journal keeps what finished.
    Interrupted,
}

fn read_journal(path: &Path) -> Vec<JournalLine> {
    // A line cut short by a kill is not valid JSON and its work is simply done again.
    std::fs::read_to_string(path)
        .map(|text| {
            text.lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect()
        })
        .unwrap_or_default()
}

fn append_journal(path: &Path, line: &JournalLine) -> Result<()> {
    drop_torn_tail(path)?;
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

/// Cuts a line left unfinished by a kill off the end of the journal, so that the next line
/// starts on a line of its own.
fn drop_torn_tail(path: &Path) -> Result<()> {
    let Ok(bytes) = std::fs::read(path) else {
        return Ok(());
    };
    if bytes.is_empty() || bytes.ends_with(b"\n") {
        return Ok(());
    }
    let keep = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |k| k + 1);
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .with_context(|| format!("{}: cannot repair the journal", path.display()))?;
    f.set_len(keep as u64)?;
    f.sync_all()?;
    Ok(())
}

/// Reads a folder's manifest.
pub fn read_manifest(dir: &Path) -> Result<ExperimentManifest> {
    let path = dir.join("manifest.json");
    let text = std::fs::read(&path).with_context(|| {
        format!(
            "{}: no manifest.json (not an experiment or shard folder)",
            dir.display()
        )
    })?;
    serde_json::from_slice(&text)
        .with_context(|| format!("{}: unreadable manifest", path.display()))
}

/// Writes a plan's manifest into `dir` (atomically; after the result files when finishing).
pub fn write_manifest(dir: &Path, m: &ExperimentManifest) -> Result<()> {
    output::write_atomic(dir, "manifest.json", &serde_json::to_vec_pretty(m)?)
}

/// The manifest a plan's folder starts with.
pub fn new_manifest(plan: &Plan, shard: Option<Shard>, threads: usize) -> ExperimentManifest {
    ExperimentManifest {
        status: "running".into(),
        kind: plan.kind.into(),
        chokepoint_version: env!("CARGO_PKG_VERSION").into(),
        plan_sha256: plan.hash(),
        shard: shard.map(|s| s.to_string()),
        seed: plan.mc.seed,
        replications: plan.mc.replications,
        batch: plan.mc.batch,
        cells: plan.cells.len(),
        threads,
        started_at: chrono::Utc::now().to_rfc3339(),
        finished_at: None,
        argv: plan.argv.clone(),
        plan: plan.description.clone(),
    }
}

/// Every cell must report the same per-replication metrics (scenarios with different items
/// cannot share a comparison table). Per-step variables may differ: each cell writes its own
/// time series (strategies hold different items).
fn check_same_outputs(plan: &Plan) -> Result<()> {
    let metrics = |c: &Cell| -> Result<Vec<String>> {
        Ok(chokepoint_core::Model::new(c.scenario.central().clone())?
            .schema()
            .metrics
            .clone())
    };
    let first = metrics(&plan.cells[0])?;
    for c in &plan.cells[1..] {
        if metrics(c)? != first {
            bail!(
                "`{}` and `{}` report different metrics (their items differ), so they cannot be compared in one table; compare them separately",
                plan.cells[0].scenario.name(),
                c.scenario.name()
            );
        }
    }
    Ok(())
}

/// Runs the plan's units (this shard's, or all) that `out`'s journal lacks.
pub fn execute(
    plan: &Plan,
    out: &Path,
    shard: Option<Shard>,
    resume: bool,
    threads: usize,
    quiet: bool,
    stop: &AtomicBool,
) -> Result<Outcome> {
    check_same_outputs(plan)?;
    let mut manifest = new_manifest(plan, shard, threads);
    if resume {
        let old = read_manifest(out)?;
        if old.plan_sha256 != manifest.plan_sha256 || old.shard != manifest.shard {
            bail!(
                "{}: this folder holds a different experiment or shard (plan {}{}); resume with exactly the same scenario, strategies, parameters, design, seed, --reps, --batch and --shard",
                out.display(),
                &old.plan_sha256[..12],
                old.shard
                    .map(|s| format!(", shard {s}"))
                    .unwrap_or_default()
            );
        }
        manifest.started_at = old.started_at;
    } else if out.join("manifest.json").exists() {
        bail!(
            "{}: already holds results; use --resume {} to finish it, or another --out",
            out.display(),
            out.display()
        );
    }
    std::fs::create_dir_all(out)
        .with_context(|| format!("{}: cannot create the output folder", out.display()))?;
    write_manifest(out, &manifest)?;

    let journal = out.join("journal.jsonl");
    let mut have: Vec<Option<JournalLine>> = (0..plan.cells.len()).map(|_| None).collect();
    for line in read_journal(&journal) {
        if line.cell < have.len() {
            let cell = line.cell;
            have[cell] = Some(line);
        }
    }
    let todo: u64 = (0..plan.cells.len())
        .filter(|&k| have[k].is_none())
        .map(|k| plan.run_ids(k, shard).len() as u64)
        .sum();
    let bar = crate::progress_bar(todo, quiet);
    for (k, cell) in plan.cells.iter().enumerate() {
        if have[k].is_some() {
            continue;
        }
        let reps = plan.run_ids(k, shard);
        if reps.is_empty() {
            continue;
        }
        let set = chokepoint_runner::run_ids(
            &cell.scenario,
            plan.mc.seed,
            &reps,
            plan.mc.batch,
            threads,
            &|n| bar.inc(n),
            stop,
        )?;
        if set.interrupted {
            bar.finish_and_clear();
            manifest.status = "interrupted".into();
            write_manifest(out, &manifest)?;
            return Ok(Outcome::Interrupted);
        }
        let line = JournalLine {
            cell: k,
            reps: set.run_ids,
            metrics: set.metrics,
            series: plan.keep_series.then_some(set.series),
        };
        append_journal(&journal, &line)?;
        have[k] = Some(line);
    }
    bar.finish_and_clear();
    manifest.status = "complete".into();
    manifest.finished_at = Some(chrono::Utc::now().to_rfc3339());
    if shard.is_some() {
        write_manifest(out, &manifest)?;
        return Ok(Outcome::ShardDone);
    }
    let results = combine(plan, vec![have.into_iter().flatten().collect()])?;
    write_manifest(out, &manifest)?;
    Ok(Outcome::Done(results))
}

/// Combines journals (one per shard, or one for a single machine) into per-cell results,
/// checking that every replication of every cell is there exactly once.
fn combine(plan: &Plan, journals: Vec<Vec<JournalLine>>) -> Result<Results> {
    let reps = plan.mc.replications as usize;
    let mut slots: Vec<Vec<Option<Vec<f64>>>> =
        (0..plan.cells.len()).map(|_| vec![None; reps]).collect();
    let mut series: Vec<Option<SeriesAccumulator>> = (0..plan.cells.len()).map(|_| None).collect();
    for journal in journals {
        for line in journal {
            let Some(cell_slots) = slots.get_mut(line.cell) else {
                bail!(
                    "journal names cell {} of a plan with {}",
                    line.cell,
                    plan.cells.len()
                )
            };
            for (r, m) in line.reps.iter().zip(line.metrics) {
                let slot = cell_slots
                    .get_mut(*r as usize)
                    .with_context(|| format!("journal names replication {r} of {reps}"))?;
                if slot.is_some() {
                    bail!(
                        "cell {} replication {r} appears twice: a shard was given twice, or shards of different plans were mixed",
                        line.cell
                    );
                }
                *slot = Some(m);
            }
            if let Some(s) = line.series {
                match &mut series[line.cell] {
                    Some(acc) => acc
                        .merge(&s)
                        .context("per-step accumulators of different shapes")?,
                    empty => *empty = Some(s),
                }
            }
        }
    }
    let mut cells = Vec::with_capacity(slots.len());
    for (k, (cell_slots, s)) in slots.into_iter().zip(series).enumerate() {
        let missing = cell_slots.iter().filter(|x| x.is_none()).count();
        if missing > 0 {
            bail!(
                "cell {k} lacks {missing} of its {reps} replications: a shard is missing or unfinished"
            );
        }
        cells.push(CellResult {
            metrics: cell_slots.into_iter().flatten().collect(),
            series: s,
        });
    }
    let metric_names = chokepoint_core::Model::new(plan.cells[0].scenario.central().clone())?
        .schema()
        .metrics
        .clone();
    Ok(Results {
        metric_names,
        cells,
    })
}

/// `chokepoint merge`: checks that `dirs` are all the shards of one plan, rebuilds the plan from
/// their manifest, and returns it with the combined results.
pub fn merge_shards(
    dirs: &[PathBuf],
    rebuild: impl Fn(&[String]) -> Result<Plan>,
) -> Result<(Plan, Results, ExperimentManifest)> {
    let mut manifests = Vec::new();
    for d in dirs {
        manifests.push((d.clone(), read_manifest(d)?));
    }
    let (first_dir, first) = manifests
        .first()
        .cloned()
        .context("merge needs at least one shard folder")?;
    let count = shard_of(&first_dir, &first)?.count;
    let mut seen: Vec<Option<PathBuf>> = vec![None; count as usize];
    for (dir, m) in &manifests {
        let s = shard_of(dir, m)?;
        if m.plan_sha256 != first.plan_sha256 || s.count != count {
            bail!(
                "{} belongs to another plan than {} (plan {} of {} shards, not {} of {})",
                dir.display(),
                first_dir.display(),
                &m.plan_sha256[..12],
                s.count,
                &first.plan_sha256[..12],
                count
            );
        }
        if m.status != "complete" {
            bail!(
                "{}: shard {s} is not finished (status `{}`); resume it with --resume {}",
                dir.display(),
                m.status,
                dir.display()
            );
        }
        if let Some(other) = &seen[s.index as usize] {
            bail!(
                "shard {s} is given twice: {} and {}",
                other.display(),
                dir.display()
            );
        }
        seen[s.index as usize] = Some(dir.clone());
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, d)| d.is_none())
        .map(|(i, _)| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        bail!(
            "missing shard(s) {}: give every shard folder of the plan",
            missing.join(", ")
        );
    }
    let plan = rebuild(&first.argv)?;
    if plan.hash() != first.plan_sha256 {
        bail!(
            "the scenario or strategy files changed since the shards ran (plan {} now, {} in the shards)",
            &plan.hash()[..12],
            &first.plan_sha256[..12]
        );
    }
    let journals = manifests
        .iter()
        .map(|(d, _)| read_journal(&d.join("journal.jsonl")))
        .collect();
    let results = combine(&plan, journals)?;
    let mut manifest = new_manifest(&plan, None, 0);
    manifest.status = "complete".into();
    manifest.finished_at = Some(chrono::Utc::now().to_rfc3339());
    Ok((plan, results, manifest))
}

fn shard_of(dir: &Path, m: &ExperimentManifest) -> Result<Shard> {
    let s = m.shard.as_deref().with_context(|| {
        format!(
            "{}: not a shard folder (run with --shard I/N)",
            dir.display()
        )
    })?;
    s.parse::<Shard>()
        .map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))
}

/// Writes `run`'s files for one cell: summary, timeseries, replications.
pub fn write_cell_files(
    dir: &Path,
    cell: &Cell,
    seed: u64,
    metric_names: &[String],
    result: &CellResult,
) -> Result<()> {
    let model = chokepoint_core::Model::new(cell.scenario.central().clone())?;
    let schema = model.schema();
    let rows: Vec<output::MetricRow> = metric_names
        .iter()
        .enumerate()
        .map(|(k, name)| output::MetricRow::new(name, &column(&result.metrics, k)))
        .collect();
    output::write_summary(dir, &rows)?;
    if let Some(series) = &result.series {
        output::write_timeseries(
            dir,
            schema,
            &cell.scenario.central().calendar,
            &series.finish(),
        )?;
    }
    output::write_replications(dir, schema, seed, 0, &result.metrics)
}

/// Runs `plan` on this machine or as one shard (as `flags` say), then, when every cell is done,
/// writes the final files with `finish` and prints what it returns.
pub fn run_and_finish(
    plan: &Plan,
    flags: &crate::args::ExperimentFlags,
    label: &str,
    finish: impl FnOnce(&Results, &Path) -> Result<String>,
) -> Result<()> {
    let out = crate::output_folder(flags.out.as_ref().or(flags.resume.as_ref()), label);
    let threads = crate::threads(flags.threads);
    match execute(
        plan,
        &out,
        flags.shard,
        flags.resume.is_some(),
        threads,
        flags.quiet,
        crate::interrupt_flag(),
    )? {
        Outcome::Interrupted => {
            eprintln!(
                "interrupted: finished work is kept in {0}; run the same command with --resume {0} to finish",
                out.display()
            );
            Ok(())
        }
        Outcome::ShardDone => crate::emit(&format!(
            "shard {} done: {}\n",
            flags.shard.map(|s| s.to_string()).unwrap_or_default(),
            out.display()
        )),
        Outcome::Done(results) => crate::emit(&finish(&results, &out)?),
    }
}

/// One metric of one cell over all replications.
pub fn column(cell: &[Vec<f64>], metric: usize) -> Vec<f64> {
    cell.iter().map(|r| r[metric]).collect()
}
