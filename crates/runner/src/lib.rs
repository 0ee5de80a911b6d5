//! # chokepoint-runner: replications of a scenario
//!
//! Turns a [`Scenario`] into replications of the model. Each unit of work has a stable **run id**;
//! its random streams (parameters, demand, outages, licences, investment) derive from
//! `(seed, run id)` alone ([`streams`]), so results do not depend on threads, order or machine.
//!
//! **What it is not.** No files, no terminal: the CLI writes outputs and draws progress bars.
//!
//! ```
//! use chokepoint_runner::run_one;
//! use chokepoint_scenario::Scenario;
//! let text = std::fs::read_to_string("../../scenarios/baseline_2024.toml").unwrap();
//! let scenario = Scenario::from_str(&text, "baseline_2024.toml").unwrap();
//! let run = run_one(&scenario, 1, 0).unwrap();
//! assert_eq!(run.outcome.metrics.len(), run.model.schema().metrics.len());
//! ```
#![warn(missing_docs)]
#![deny(clippy::float_cmp)]

pub mod design;
mod monte_carlo;
pub mod streams;

pub use monte_carlo::{
    MonteCarlo, MonteCarloResult, PrecisionTarget, RunError, RunSet, run, run_ids,
};

use chokepoint_core::{Model, Outcome, ParamErrors, Simulation, Trajectory};
use chokepoint_scenario::Scenario;

/// One finished replication.
#[derive(Clone, Debug)]
pub struct Replication {
    /// The model as sampled for this run.
    pub model: Model,
    /// Per-step outputs.
    pub trajectory: Trajectory,
    /// Scalar metrics.
    pub outcome: Outcome,
}

/// Runs replication `run_id` of `scenario` under master `seed`.
pub fn run_one(scenario: &Scenario, seed: u64, run_id: u64) -> Result<Replication, ParamErrors> {
    let model = Model::new(scenario.sample(streams::parameter_seed(seed, run_id)))?;
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
