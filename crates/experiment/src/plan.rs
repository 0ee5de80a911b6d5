//! Plans: what an experiment is, before anything runs.
//!
//! A [`PlanSpec`] is what the user asked for, as data (files, overrides, strategies, design,
//! seed): serialisable, so a shard's manifest records it and `merge` rebuilds the plan from it.
//! A [`Plan`] is the spec resolved through a [`Load`]er into [`Cell`]s, scenario variants that
//! share a seed, a number of replications and a batch size, and so common random numbers.
//! Its [`Plan::hash`] covers everything that determines the results: same hash, same files.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chokepoint_core::{Model, ScenarioSource};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::design::{Design, ParamRange};
use crate::error::{BoxError, Error};
use crate::monte_carlo::{MonteCarlo, PrecisionTarget};

/// Replications when neither the caller nor the scenario says.
pub const DEFAULT_REPLICATIONS: u64 = 1000;

/// How a front door reads input files: the engine knows no file format of scenarios or
/// strategies, so it asks. `merge` calls the same loader with the paths a shard recorded.
pub trait Load<S: ScenarioSource> {
    /// Reads and validates the scenario at `path` with `overrides` applied.
    fn scenario(&self, path: &Path, overrides: &[Assignment]) -> Result<S, BoxError>;
    /// Reads a strategies file: each strategy with its name, in file order.
    fn strategies(&self, path: &Path) -> Result<Vec<(String, S::Strategy)>, BoxError>;
}

/// `PATH=VALUE`: a scenario key set from outside the file (`--set`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// Dotted key path.
    pub path: String,
    /// The value as written.
    pub value: String,
}

impl std::fmt::Display for Assignment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}={}", self.path, self.value)
    }
}

/// Seed, replications and batch as asked for; unset ones come from the scenario, then from the
/// defaults ([`Settings::resolve`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Master seed (else the scenario's, else 0).
    pub seed: Option<u64>,
    /// Replications per cell (else the scenario's, else [`DEFAULT_REPLICATIONS`]).
    pub replications: Option<u64>,
    /// Replications per batch: the unit of precision checks and of stopping.
    pub batch: u64,
}

impl Settings {
    /// Seed, replications and batch from these settings, else `scenario`, else the defaults.
    pub fn resolve<S: ScenarioSource>(&self, scenario: &S) -> MonteCarlo {
        MonteCarlo {
            seed: self.seed.or(scenario.default_seed()).unwrap_or(0),
            replications: self
                .replications
                .or(scenario.default_replications())
                .unwrap_or(DEFAULT_REPLICATIONS),
            batch: self.batch,
            threads: 0,
            targets: Vec::new(),
            max_replications: 0,
            first_run_id: 0,
        }
    }
}

/// A plain or sharded `run`: one scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunSpec {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Overrides applied to it.
    pub overrides: Vec<Assignment>,
    /// Seed, replications, batch.
    pub settings: Settings,
    /// Add batches until each metric's 95 % half-width is at most its target (not shardable).
    pub targets: Vec<PrecisionTarget>,
    /// Most replications the targets may run.
    pub max_replications: u64,
}

/// A comparison of strategies on one or more scenarios (or benchmark suite files).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompareSpec {
    /// Scenario files, or suite files (`[suite]`) listing them.
    pub scenarios: Vec<PathBuf>,
    /// The strategies file (else the suite's).
    pub strategies: Option<PathBuf>,
    /// The strategy the others are compared with (else the suite's, else the first).
    pub baseline: Option<String>,
    /// Metric to rank by, lower is better (else the suite's, else `total_cost_usd`).
    pub objective: Option<String>,
    /// Overrides applied to every scenario.
    pub overrides: Vec<Assignment>,
    /// Seed, replications, batch.
    pub settings: Settings,
}

/// A parameter sweep, optionally × strategies.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepSpec {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Swept parameters and their ranges.
    pub params: Vec<ParamRange>,
    /// How points are placed.
    pub design: Design,
    /// Also run every strategy of this file at every point.
    pub strategies: Option<PathBuf>,
    /// Overrides applied to the scenario.
    pub overrides: Vec<Assignment>,
    /// Seed, replications, batch.
    pub settings: Settings,
}

/// What the user asked for, as data: enough to rebuild the plan anywhere.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum PlanSpec {
    /// `run`.
    Run(RunSpec),
    /// `compare`.
    Compare(CompareSpec),
    /// `sweep`.
    Sweep(SweepSpec),
}

impl PlanSpec {
    /// `run`, `compare` or `sweep`: part of the plan hash and of the manifest.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            PlanSpec::Run(_) => "run",
            PlanSpec::Compare(_) => "compare",
            PlanSpec::Sweep(_) => "sweep",
        }
    }
}

/// One unit of an experiment: a scenario variant run for every replication.
///
/// A cell holds the recipe of its scenario, not the scenario: a compiled scenario is about a
/// megabyte, so a sweep of ten thousand points holding them all would need gigabytes (issue
/// 13). [`Plan::scenario`] builds it when the cell runs.
pub struct Cell {
    /// Labels that identify it in outputs (`scenario`, `strategy`, parameter values).
    pub labels: Vec<(String, String)>,
    /// Folder (under the output folder) for per-cell files; `Some("")` = the folder itself.
    pub folder: Option<PathBuf>,
    /// How its scenario is made from the plan's base scenarios.
    pub(crate) recipe: Recipe,
}

/// A cell's scenario: base scenario `base`, with `values` set at the plan's swept key paths
/// (none, or one per path), then strategy `strategy` applied.
#[derive(Clone, Debug, Default)]
pub(crate) struct Recipe {
    pub base: usize,
    pub values: Vec<f64>,
    pub strategy: Option<usize>,
}

/// A cell's scenario: the base itself when the cell changes nothing, else a variant built for it.
pub enum CellScenario<'a, S> {
    /// The plan's base scenario, unchanged.
    Base(&'a S),
    /// A variant (values set, a strategy applied).
    Variant(S),
}

impl<S> std::ops::Deref for CellScenario<'_, S> {
    type Target = S;

    fn deref(&self) -> &S {
        match self {
            CellScenario::Base(s) => s,
            CellScenario::Variant(s) => s,
        }
    }
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

/// What a comparison needs beyond its cells to write its results.
pub(crate) struct CompareInfo {
    /// Strategy names, in file order.
    pub names: Vec<String>,
    /// Which strategy is the baseline.
    pub base_index: usize,
    /// The metric ranked by.
    pub objective: String,
    /// Scenario names, in the order given.
    pub scenario_names: Vec<String>,
}

/// What finishing a plan needs beyond its cells.
pub(crate) enum Finish {
    /// One cell's files in the output folder itself.
    Run,
    /// Ranking tables, comparison.csv and benchmark.csv.
    Compare(CompareInfo),
    /// sweep.csv.
    Sweep,
}

/// The cells and the settings common to all of them.
pub struct Plan<S: ScenarioSource> {
    /// What it was built from (recorded in manifests; `merge` rebuilds from it).
    pub spec: PlanSpec,
    /// The cells, in output order.
    pub cells: Vec<Cell>,
    /// Seed, replications and batch shared by every cell (and a plain run's targets).
    pub mc: MonteCarlo,
    /// Whether cells keep per-step accumulators (for per-cell time series).
    pub keep_series: bool,
    /// Extra description for the manifest (design, strategies, ...).
    pub description: serde_json::Value,
    /// Names the default output folder (`runs/<label>-<UTC time>`).
    pub label: String,
    pub(crate) finish: Finish,
    /// The scenarios cells are made from (one per scenario file).
    pub(crate) bases: Vec<S>,
    /// The strategies cells may apply, in file order.
    pub(crate) strategies: Vec<S::Strategy>,
    /// The key paths a cell's `values` set, in order.
    pub(crate) swept: Vec<String>,
    /// The per-replication metrics every cell reports.
    pub(crate) metric_names: Vec<String>,
    /// [`Plan::hash`], computed once while the cells were validated.
    pub(crate) sha256: String,
    /// Its size, as admission control saw it before building the cells.
    pub(crate) shape: crate::admission::Shape,
}

impl<S: ScenarioSource> Plan<S> {
    /// `run`, `compare` or `sweep`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        self.spec.kind()
    }

    /// A hash of everything that determines the results: resolved scenarios, labels, seed,
    /// replications, batch. Same hash, same files.
    #[must_use]
    pub fn hash(&self) -> String {
        self.sha256.clone()
    }

    /// The scenario of cell `k`, built from its recipe (validated when the plan was built, so
    /// an error here means the scenario source is not deterministic).
    pub fn scenario(&self, k: usize) -> Result<CellScenario<'_, S>, Error> {
        let recipe = &self.cells[k].recipe;
        let base = &self.bases[recipe.base];
        let with_values = if recipe.values.is_empty() {
            None
        } else {
            let values: Vec<(&str, f64)> = self
                .swept
                .iter()
                .map(String::as_str)
                .zip(recipe.values.iter().copied())
                .collect();
            Some(base.with_values(&values).map_err(Error::scenario)?)
        };
        Ok(match (recipe.strategy, with_values) {
            (None, None) => CellScenario::Base(base),
            (None, Some(s)) => CellScenario::Variant(s),
            (Some(t), s) => CellScenario::Variant(
                s.as_ref()
                    .unwrap_or(base)
                    .with_strategy(&self.strategies[t])
                    .map_err(Error::scenario)?,
            ),
        })
    }

    /// The replications of `cell` that `shard` (or a single machine) runs, ascending.
    #[must_use]
    pub fn run_ids(&self, cell: usize, shard: Option<Shard>) -> Vec<u64> {
        let reps = self.mc.replications;
        let base = cell as u64 * reps;
        (0..reps)
            .filter(|r| shard.is_none_or(|s| (base + r) % s.count == s.index))
            .collect()
    }
}

/// The [`Shape`](crate::admission::Shape) of `cells` cells of `scenario`'s kind run for
/// `replications` each, keeping time series or not; refused (before anything big is built)
/// when it will not fit in memory.
pub(crate) fn admit_shape<S: ScenarioSource>(
    scenario: &S,
    cells: u64,
    replications: u64,
    keep_series: bool,
) -> Result<crate::admission::Shape, Error> {
    let model = Model::new(scenario.central().clone())?;
    let schema = model.schema();
    let shape = crate::admission::Shape {
        cells,
        replications,
        metrics: schema.metrics.len() as u64,
        series_entries: if keep_series {
            u64::from(scenario.central().calendar.n_steps)
                .saturating_mul(schema.step_vars.len() as u64)
        } else {
            0
        },
    };
    crate::admission::admit(&shape, None)?;
    Ok(shape)
}

/// Collects a plan's cells while their scenarios are built and validated one at a time, so
/// that only one variant is in memory at once: hashes each (labels and resolved text, for
/// [`Plan::hash`]) and checks that every cell reports the same per-replication metrics
/// (scenarios with different items cannot share a comparison table; per-step variables may
/// differ, since each cell writes its own time series).
pub(crate) struct CellsBuilder {
    hasher: Sha256,
    cells: Vec<Cell>,
    first: Option<(String, Vec<String>)>,
}

impl CellsBuilder {
    pub fn new(kind: &str) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(kind.as_bytes());
        CellsBuilder {
            hasher,
            cells: Vec::new(),
            first: None,
        }
    }

    /// Adds a cell whose recipe gives `scenario`.
    pub fn push<S: ScenarioSource>(
        &mut self,
        labels: Vec<(String, String)>,
        folder: Option<PathBuf>,
        recipe: Recipe,
        scenario: &S,
    ) -> Result<(), Error> {
        for (k, v) in &labels {
            self.hasher.update(format!("{k}={v};").as_bytes());
        }
        self.hasher.update(scenario.resolved_text().as_bytes());
        let metrics = Model::new(scenario.central().clone())?
            .schema()
            .metrics
            .clone();
        match &self.first {
            None => self.first = Some((scenario.name().to_owned(), metrics)),
            Some((first, m)) if *m != metrics => {
                let missing = |a: &[String], b: &[String]| -> Vec<String> {
                    a.iter().filter(|x| !b.contains(x)).cloned().collect()
                };
                return Err(Error::DifferentMetrics {
                    first: first.clone(),
                    other: scenario.name().to_owned(),
                    only_first: missing(m, &metrics),
                    only_other: missing(&metrics, m),
                });
            }
            Some(_) => {}
        }
        self.cells.push(Cell {
            labels,
            folder,
            recipe,
        });
        Ok(())
    }

    /// The cells, the metrics they report, and the plan hash (which also covers `mc`'s seed,
    /// replications and batch).
    pub fn finish(mut self, mc: &MonteCarlo) -> (Vec<Cell>, Vec<String>, String) {
        self.hasher.update(
            format!(
                "seed={};reps={};batch={}",
                mc.seed, mc.replications, mc.batch
            )
            .as_bytes(),
        );
        let sha = self
            .hasher
            .finalize()
            .iter()
            .fold(String::with_capacity(64), |mut s, b| {
                // Writing to a `String` cannot fail.
                let _ = write!(s, "{b:02x}");
                s
            });
        let metrics = self.first.map(|(_, m)| m).unwrap_or_default();
        (self.cells, metrics, sha)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_bad_ones_explain() {
        assert_eq!("1/4".parse::<Shard>(), Ok(Shard { index: 1, count: 4 }));
        assert!(
            "4/4"
                .parse::<Shard>()
                .unwrap_err()
                .contains("from 0 to N-1")
        );
        assert!(
            "a/b"
                .parse::<Shard>()
                .unwrap_err()
                .contains("whole numbers")
        );
        assert!("3".parse::<Shard>().unwrap_err().contains("is not I/N"));
    }

    #[test]
    fn specs_round_trip_through_json() {
        let spec = PlanSpec::Sweep(SweepSpec {
            scenario: "s.toml".into(),
            params: vec!["a.b=0.1:2.5".parse().unwrap()],
            design: Design::Lhs(7),
            strategies: None,
            overrides: vec![Assignment {
                path: "x".into(),
                value: "1".into(),
            }],
            settings: Settings {
                seed: Some(3),
                replications: None,
                batch: 256,
            },
        });
        let text = serde_json::to_string(&spec).unwrap();
        assert!(text.contains("\"kind\":\"sweep\"") && text.contains("\"lhs:7\""));
        assert_eq!(serde_json::from_str::<PlanSpec>(&text).unwrap(), spec);
    }
}
