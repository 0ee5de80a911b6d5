//! What a replication reports: per-step series (for fan charts) and per-replication metrics.
//!
//! Names and units are documented in `docs/outputs.md`; the order of variables is fixed when the
//! model is built, so a [`Trajectory`] is a flat `steps × variables` table that the experiment engine can
//! reuse from one replication to the next without allocating.

use serde::{Deserialize, Serialize};

use crate::targets::TargetInfo;

/// Names of the per-step variables and per-replication metrics of one model, in output order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutputSchema {
    /// Per-step variable names, e.g. `price_ratio/dy`.
    pub step_vars: Vec<String>,
    /// Per-replication scalar metric names, e.g. `unmet_magnet_t`.
    pub metrics: Vec<String>,
    /// The scenario's targets, in file order; target `k`'s value is the metric
    /// [`TargetInfo::metric`] (the metrics end with them, in this order).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<TargetInfo>,
}

impl OutputSchema {
    /// Position of a per-step variable.
    #[must_use]
    pub fn step_var(&self, name: &str) -> Option<usize> {
        self.step_vars.iter().position(|v| v == name)
    }

    /// Position of a scalar metric.
    #[must_use]
    pub fn metric(&self, name: &str) -> Option<usize> {
        self.metrics.iter().position(|v| v == name)
    }
}

/// Per-step values of one replication: `values[step * n_vars + var]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Trajectory {
    n_vars: usize,
    values: Vec<f64>,
}

impl Trajectory {
    /// A zeroed table for `n_steps` steps of `n_vars` variables.
    #[must_use]
    pub fn new(n_steps: usize, n_vars: usize) -> Self {
        Self {
            n_vars,
            values: vec![0.0; n_steps * n_vars],
        }
    }

    /// Number of variables per step.
    #[must_use]
    pub fn n_vars(&self) -> usize {
        self.n_vars
    }

    /// Number of steps.
    #[must_use]
    pub fn n_steps(&self) -> usize {
        self.values.len().checked_div(self.n_vars).unwrap_or(0)
    }

    /// All variables of one step, in schema order.
    #[must_use]
    pub fn step(&self, step: usize) -> &[f64] {
        &self.values[step * self.n_vars..(step + 1) * self.n_vars]
    }

    /// One variable over all steps.
    pub fn series(&self, var: usize) -> impl Iterator<Item = f64> + '_ {
        self.values
            .iter()
            .skip(var)
            .step_by(self.n_vars.max(1))
            .copied()
    }

    /// The flat table, step-major.
    #[must_use]
    pub fn as_slice(&self) -> &[f64] {
        &self.values
    }

    pub(crate) fn step_mut(&mut self, step: usize) -> &mut [f64] {
        &mut self.values[step * self.n_vars..(step + 1) * self.n_vars]
    }
}

/// Scalar metrics of one replication, in [`OutputSchema::metrics`] order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// One value per metric.
    pub metrics: Vec<f64>,
}
