//! `manifest.json`: what produced an output folder, so that any number in it can be reproduced.
//!
//! A plain `run` writes a [`RunManifest`] (the scenario file, its hash and its resolved text).
//! Journalled experiments and shards write an [`ExperimentManifest`]: the plan hash, which shard,
//! and the [`PlanSpec`] that rebuilds the plan, which is how `merge` and `--resume` know that
//! they continue the same experiment.

use std::fmt::Write as _;
use std::path::Path;

use chokepoint_core::ScenarioSource;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::monte_carlo::{MonteCarlo, MonteCarloResult};
use crate::output::write_atomic;
use crate::plan::{Assignment, Plan, PlanSpec, Shard};

type Result<T> = std::result::Result<T, Error>;

/// The manifest of a plain `run`'s output folder.
#[derive(Clone, Debug, Serialize)]
pub struct RunManifest {
    /// `running` while replications run, then `complete` or `interrupted` (partial results).
    pub status: &'static str,
    /// The chokepoint version that wrote the folder.
    pub chokepoint_version: &'static str,
    /// The scenario file as given.
    pub scenario_path: String,
    /// SHA-256 of the scenario file's bytes.
    pub scenario_sha256: String,
    /// SHA-256 of the resolved scenario (after `extends` and `--set`), the text below.
    pub resolved_sha256: String,
    /// `--set` overrides.
    pub overrides: Vec<String>,
    /// Master seed.
    pub seed: u64,
    /// Replications asked for (the least, with precision targets).
    pub replications_requested: u64,
    /// Replications in the results.
    pub replications: u64,
    /// Run ids per batch.
    pub batch: u64,
    /// Precision targets, `METRIC=HALFWIDTH`.
    pub targets: Vec<String>,
    /// Whether every target was met.
    pub targets_met: Option<bool>,
    /// Worker threads used (results do not depend on it).
    pub threads: usize,
    /// UTC start time.
    pub started_at: String,
    /// UTC finish time.
    pub finished_at: Option<String>,
    /// When `interrupted`: a plain run is not journalled, so it does not resume; this command
    /// runs it again into the same folder, replacing the partial results.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rerun_command: Option<String>,
    /// Result tables: `csv`, `parquet` or `both` (absent = csv).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<crate::TableFormat>,
    /// Why the format is not the one asked for (a big sweep writes Parquet).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format_note: Option<String>,
    /// The resolved scenario, as TOML.
    pub resolved_scenario: String,
}

/// SHA-256 of `bytes`, in hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex digits of `bytes`, two per byte.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(2 * bytes.len()), |mut s, b| {
            // Writing to a `String` cannot fail.
            let _ = write!(s, "{b:02x}");
            s
        })
}

impl RunManifest {
    /// The manifest of a run that is starting; reads the scenario file to hash its bytes.
    pub fn new<S: ScenarioSource>(
        path: &Path,
        scenario: &S,
        cfg: &MonteCarlo,
        overrides: &[Assignment],
        started: chrono::DateTime<chrono::Utc>,
    ) -> Result<Self> {
        let bytes = std::fs::read(path)?;
        let resolved = scenario.resolved_text();
        Ok(Self {
            status: "running",
            chokepoint_version: env!("CARGO_PKG_VERSION"),
            scenario_path: path.display().to_string(),
            scenario_sha256: sha256_hex(&bytes),
            resolved_sha256: sha256_hex(resolved.as_bytes()),
            overrides: overrides.iter().map(Assignment::to_string).collect(),
            seed: cfg.seed,
            replications_requested: cfg.replications,
            replications: 0,
            batch: cfg.batch,
            targets: cfg
                .targets
                .iter()
                .map(|t| format!("{}={}", t.metric, t.half_width))
                .collect(),
            targets_met: None,
            threads: cfg.threads,
            started_at: started.to_rfc3339(),
            finished_at: None,
            rerun_command: None,
            format: None,
            format_note: None,
            resolved_scenario: resolved,
        })
    }

    /// Records the outcome.
    pub fn finish(&mut self, result: &MonteCarloResult, finished: chrono::DateTime<chrono::Utc>) {
        self.status = if result.interrupted {
            "interrupted"
        } else {
            "complete"
        };
        self.replications = result.replications;
        self.targets_met = (!self.targets.is_empty()).then_some(result.targets_met);
        self.finished_at = Some(finished.to_rfc3339());
    }

    /// Records a run merged from shards.
    pub fn finish_merged(&mut self, replications: u64, finished: chrono::DateTime<chrono::Utc>) {
        self.status = "complete";
        self.replications = replications;
        self.finished_at = Some(finished.to_rfc3339());
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> Result<Vec<u8>> {
        Ok(serde_json::to_vec_pretty(self)?)
    }
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
    /// The command that made it (for people; the plan is rebuilt from `spec`).
    pub argv: Vec<String>,
    /// What the plan is.
    pub plan: serde_json::Value,
    /// What was asked for, as data: `merge` rebuilds the plan from it.
    #[serde(default)]
    pub spec: Option<PlanSpec>,
    /// When `interrupted`: the command that finishes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume_command: Option<String>,
    /// Result tables: `csv`, `parquet` or `both` (absent = csv); `merge` writes the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<crate::TableFormat>,
    /// Why the format is not the one asked for (a big sweep writes Parquet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format_note: Option<String>,
}

/// Reads a folder's manifest.
pub fn read_manifest(dir: &Path) -> Result<ExperimentManifest> {
    if !dir.is_dir() {
        return Err(Error::NoSuchFolder(dir.to_path_buf()));
    }
    let path = dir.join("manifest.json");
    if !path.exists() {
        return Err(Error::NoManifest(dir.to_path_buf()));
    }
    let text = std::fs::read(&path).map_err(|e| {
        Error::file(
            format!(
                "{}: no manifest.json (not an experiment or shard folder)",
                dir.display()
            ),
            e,
        )
    })?;
    // A plain run's manifest has no `kind`: say what the folder is, not which field is missing
    // (issue 13: "missing field `kind`").
    let value: serde_json::Value = serde_json::from_slice(&text)
        .map_err(|e| Error::file(format!("{}: unreadable manifest", path.display()), e))?;
    if value.get("kind").is_none() && value.get("scenario_sha256").is_some() {
        return Err(Error::NotAnExperimentFolder(dir.to_path_buf()));
    }
    serde_json::from_value(value)
        .map_err(|e| Error::file(format!("{}: unreadable manifest", path.display()), e))
}

/// Writes a plan's manifest into `dir` (atomically; after the result files when finishing).
pub(crate) fn write_manifest(dir: &Path, m: &ExperimentManifest) -> Result<()> {
    write_atomic(dir, "manifest.json", &serde_json::to_vec_pretty(m)?)
}

/// The manifest a plan's folder starts with.
pub(crate) fn new_manifest<S: ScenarioSource>(
    plan: &Plan<S>,
    shard: Option<Shard>,
    threads: usize,
    argv: &[String],
) -> ExperimentManifest {
    ExperimentManifest {
        status: "running".into(),
        kind: plan.kind().into(),
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
        argv: argv.to_vec(),
        plan: plan.description.clone(),
        spec: Some(plan.spec.clone()),
        resume_command: None,
        format: None,
        format_note: None,
    }
}
