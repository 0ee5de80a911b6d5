//! Resolve once, sample per replication.
//!
//! At load the compiler builds the central parameters and records every number given as a
//! distribution (its key path; its range and stream follow from the key). From those keys a
//! [`Sampling`] works out, once, which sections of the parameters a replication changes: the
//! sections the numbers are written into and every section computed from them
//! ([`Sections::closed`]). Sampling a replication starts from the central parameters (or any
//! earlier replication's, since those sections are rewritten whole) and rebuilds only those
//! sections with the compiler's own code, each uncertain number drawn from its own stream
//! ([`crate::compile::sample_at`]), so a sample is exactly what a full rebuild gives. A
//! scenario without uncertain numbers does nothing per replication.

use chokepoint_core::{Model, ModelParams, ParamErrors};

use crate::compile::{Build, Draw, Sections, key_of_param_error};
use crate::parse::locate;
use crate::{Scenario, ScenarioError, source};

/// What a replication of a scenario samples, worked out at load.
#[derive(Clone, Debug)]
pub(crate) struct Sampling {
    /// Key paths of the numbers given as distributions, in the order the compiler reads them.
    keys: Vec<String>,
    /// The sections of the parameters they change.
    reach: Sections,
}

impl Sampling {
    /// The plan for the uncertain numbers at `keys`.
    pub(crate) fn new(keys: Vec<String>) -> Self {
        let reach = keys
            .iter()
            .fold(Sections::NONE, |s, k| s.with(Sections::of_key(k)))
            .closed();
        Self { keys, reach }
    }

    /// Key paths of the numbers sampled per replication.
    pub(crate) fn keys(&self) -> &[String] {
        &self.keys
    }
}

impl Scenario {
    /// Makes `params` the parameters of the replication of `param_seed`: the same values as
    /// [`Scenario::sample`], rewriting only what the uncertain numbers reach. `params` must hold
    /// this scenario's central parameters or an earlier sample of it.
    pub fn sample_params_into(&self, param_seed: u64, params: &mut ModelParams) {
        if self.sampling.reach != Sections::NONE {
            Build::new(&self.file, Draw::Sample(param_seed)).rebuild(self.sampling.reach, params);
        }
    }

    /// [`Scenario::sample_params_into`] a model of this scenario (see
    /// `chokepoint_core::ScenarioSource::sample_into`); the model is validated again only when
    /// something was sampled, and a refused value is reported at its key.
    pub(crate) fn sample_model(
        &self,
        param_seed: u64,
        model: &mut Model,
    ) -> Result<(), ScenarioError> {
        if self.sampling.reach == Sections::NONE {
            return Ok(());
        }
        model
            .refill(|params| self.sample_params_into(param_seed, params))
            .map_err(|errors| self.refused(param_seed, &errors))
    }

    /// The model's errors about the replication of `param_seed`, each at the scenario key behind
    /// it: the replication is compiled again, recording where each policy event came from.
    fn refused(&self, param_seed: u64, errors: &ParamErrors) -> ScenarioError {
        let mut build = Build::new(&self.file, Draw::Diagnose(param_seed));
        let params = build.params();
        let is_set = |key: &str| source::value_at(&self.loaded.table, key).is_some();
        let mut problems: Vec<_> = errors
            .0
            .iter()
            .map(|e| {
                let (key, message, fix) =
                    key_of_param_error(e, &params, &build.event_origins, &is_set);
                let message =
                    format!("{message} (a value sampled with parameter seed {param_seed})");
                let fix = format!("narrow the distribution so that every draw is allowed; {fix}");
                locate(key, message, fix, &self.loaded, &self.top)
            })
            .collect();
        problems.dedup();
        ScenarioError::Invalid(problems)
    }
}

#[cfg(test)]
mod tests;
