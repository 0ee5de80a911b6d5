//! # chokepoint-experiment: the experiment engine
//!
//! Everything between "here is a scenario" and "here are the files": replications in parallel,
//! plans of cells, run ids, shards, journals, resume, merge, comparisons of strategies on common
//! random numbers (paired differences, regret), parameter sweeps, and the output files with
//! their manifest. The CLI is one front door to it; a Python module or a server would be
//! another, calling the same functions.
//!
//! - A [`Plan`] is a list of [`Cell`]s (scenario variants) that share a seed, a number of
//!   replications and a batch size. It is built from a serialisable [`PlanSpec`] (what the user
//!   asked for: files, overrides, strategies, a design) through a [`Load`]er that the front door
//!   supplies, so the spec recorded in a shard's manifest rebuilds the very same plan at
//!   [`merge()`] time.
//! - A unit of work is (cell, replication) with the stable **run id** `cell × replications +
//!   replication`; its random streams derive from `(seed, replication)` alone ([`streams`]), so
//!   every cell sees the same draws (common random numbers) and no result depends on threads,
//!   order, shard or machine. A [`Shard`] `I/N` runs the units whose run id is `I` mod `N`.
//! - [`calibrate()`](calibrate::calibrate) fits a scenario's free parameters to historical
//!   targets (Latin hypercube, then Nelder–Mead, on common random numbers; journalled and
//!   resumable).
//! - [`execute()`] runs a plan: a plain `run` (one cell, precision targets allowed) directly,
//!   anything else through `journal.jsonl`, so that it resumes after a kill and its shards merge
//!   into exactly what one machine writes.
//!
//! **What it is not.** It knows no scenario format: a scenario is anything that implements
//! [`chokepoint_core::ScenarioSource`] (`chokepoint-scenario` implements it for its TOML
//! scenarios). It draws no progress bars and handles no signals: callers pass a [`Progress`] and
//! a stop flag. It prints nothing; it returns reports for the front door to show.
//!
//! ```
//! use chokepoint_experiment::run_one;
//! use chokepoint_scenario::Scenario;
//! let path = std::path::Path::new("../../scenarios/baseline_2024.toml");
//! let scenario = Scenario::load(path, &|p| std::fs::read_to_string(p), &[]).unwrap();
//! let run = run_one(&scenario, 1, 0).unwrap();
//! assert_eq!(run.outcome.metrics.len(), run.model.schema().metrics.len());
//! ```

pub mod admission;
mod backtest;
pub mod calibrate;
mod compare;
pub mod design;
mod discover;
mod engine;
mod error;
mod execute;
pub mod folder;
mod input_schema;
mod journal;
mod manifest;
mod merge;
mod monte_carlo;
mod output;
mod plan;
mod run;
mod sensitivity;
pub mod size;
pub mod streams;
mod suite;
mod sweep;
mod table;

pub use backtest::{BacktestReport, BacktestRow, backtest};
pub use calibrate::{
    CalibrateExec, CalibrateOutcome, Calibration, CalibrationError, CalibrationReport, FitTarget,
};
pub use chokepoint_diagnostics::did_you_mean;
/// The sensitivity designs, quantile maps and estimators (`chokepoint-gsa`), for front doors.
pub use chokepoint_gsa as gsa;
pub use compare::{CompareReport, RankRow, Ranking, RegretRow, Robustness};
pub use design::{Design, ParamRange};
pub use discover::{
    DEFAULT_MIN_COVERAGE, DiscoverError, DiscoverReport, DiscoverSpec, Draw, PrimSettings, Side,
    discover,
};
pub use engine::{Execution, MAX_THREADS, Progress, Silent, check_threads};
pub use error::{BoxError, Error};
pub use execute::{Outcome, Report, check_execution, execute, planned_folder};
pub use input_schema::schema_text;
pub use manifest::{ExperimentManifest, RunManifest, read_manifest};
pub use merge::merge;
pub use monte_carlo::{
    MonteCarlo, MonteCarloResult, PrecisionTarget, RunError, RunSet, run, run_ids,
};
pub use output::{MetricRow, write_atomic};
pub use plan::{
    Assignment, Cell, CompareSpec, DEFAULT_REPLICATIONS, Load, Plan, PlanSpec, RunSpec, Settings,
    Shard, SweepSpec,
};
pub use run::RunReport;
pub use sensitivity::{HEADLINE_METRICS, Index, SensitivityRow, check_metrics};
pub use suite::suite_schema;
pub use sweep::SweepReport;
pub use table::{
    MANIFEST_KEY, PARQUET_ABOVE_BYTES, TableError, TableFormat, csv_to_parquet, resolve_format,
    stamp,
};

use chokepoint_core::{Model, ScenarioSource, Simulation, Trajectory};

/// One finished replication.
#[derive(Clone, Debug)]
pub struct Replication {
    /// The model as sampled for this run.
    pub model: Model,
    /// Per-step outputs.
    pub trajectory: Trajectory,
    /// Scalar metrics.
    pub outcome: chokepoint_core::Outcome,
}

/// Runs replication `run_id` of `scenario` under master `seed`: the same streams and
/// parameters as the replication inside any plan, for tests, benches and debugging one run.
pub fn run_one<S: ScenarioSource>(
    scenario: &S,
    seed: u64,
    run_id: u64,
) -> Result<Replication, RunError> {
    let mut model = scenario
        .new_model()
        .map_err(|source| RunError::Params { run_id, source })?;
    monte_carlo::sample(scenario, &mut model, seed, run_id)?;
    let mut rngs = streams::model_streams(seed, run_id);
    let mut sim = Simulation::new(&model);
    let outcome = sim.run(&mut rngs);
    let trajectory = sim.trajectory().clone();
    Ok(Replication {
        model,
        trajectory,
        outcome,
    })
}
