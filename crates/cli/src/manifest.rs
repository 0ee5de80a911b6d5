//! `manifest.json`: what produced an output folder, so that any number in it can be reproduced.

use std::path::Path;

use anyhow::Result;
use chokepoint_runner::{MonteCarlo, MonteCarloResult};
use chokepoint_scenario::{Override, Scenario};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The manifest of one output folder.
#[derive(Clone, Debug, Serialize)]
pub struct Manifest {
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
    /// The resolved scenario, as TOML.
    pub resolved_scenario: String,
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Manifest {
    /// The manifest of a run that is starting.
    pub fn new(
        path: &Path,
        scenario: &Scenario,
        cfg: &MonteCarlo,
        overrides: &[Override],
        started: chrono::DateTime<chrono::Utc>,
    ) -> Result<Self> {
        let bytes = std::fs::read(path)?;
        let resolved = scenario.to_toml();
        Ok(Self {
            status: "running",
            chokepoint_version: env!("CARGO_PKG_VERSION"),
            scenario_path: path.display().to_string(),
            scenario_sha256: sha256_hex(&bytes),
            resolved_sha256: sha256_hex(resolved.as_bytes()),
            overrides: overrides
                .iter()
                .map(|o| format!("{}={}", o.path, o.value))
                .collect(),
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
