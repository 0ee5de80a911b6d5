//! What an experiment needs of a scenario, as a trait, so that the experiment engine
//! (`chokepoint-experiment`) runs replications, comparisons and sweeps without knowing how a
//! scenario is written down (TOML files today, perhaps a Python object tomorrow).
//!
//! The engine never parses anything: it asks a [`ScenarioSource`] for a name, a resolved text
//! (hashed into plan ids and kept in manifests, so that a changed input is noticed), the
//! calendar, default seed and replications, and, per replication, to make a [`Model`] it keeps
//! (one per worker, reused across replications) that replication's model. Comparisons and sweeps make variants: a scenario with a
//! stockpile strategy applied, or with numbers set at key paths. Every variant is validated by
//! the implementation exactly as the original was.

use crate::{Calendar, Model, ModelParams, ParamErrors};

/// A validated scenario that can produce the model of any replication, and variants of itself.
///
/// Implementations must be deterministic: the same `param_seed` gives the same parameters, on
/// any thread or machine, because shards and resumed runs rely on it.
pub trait ScenarioSource: Send + Sync + Sized {
    /// A named alternative the comparison applies to a scenario (a set of stockpiles, say).
    type Strategy: Send + Sync;
    /// Why a variant is invalid. Shown to the user as is, so it should say where and how to fix.
    type Error: std::error::Error + Send + Sync + 'static;

    /// The scenario's name: labels cells, output folders and tables.
    fn name(&self) -> &str;

    /// The resolved scenario as text (after inheritance and overrides). Two scenarios with the
    /// same text give the same results; plan hashes and manifests record it.
    fn resolved_text(&self) -> String;

    /// Parameters with every uncertain number at its central value: the output schema, the
    /// calendar and the horizon are read from them.
    fn central(&self) -> &ModelParams;

    /// Steps ↔ dates, for time series files.
    fn calendar(&self) -> &Calendar {
        &self.central().calendar
    }

    /// The master seed the scenario asks for, if any (a command-line seed wins).
    fn default_seed(&self) -> Option<u64>;

    /// The replications the scenario asks for, if any (a command-line count wins).
    fn default_replications(&self) -> Option<u64>;

    /// A model at the central values, for [`Self::sample_into`] to make into any
    /// replication's: each worker makes one and reuses it for every replication it runs.
    fn new_model(&self) -> Result<Model, ParamErrors> {
        Model::new(self.central().clone())
    }

    /// Makes `model` the model of the replication whose uncertain numbers are drawn from
    /// `param_seed`, reusing its buffers. `model` must come from this scenario's
    /// [`Self::new_model`] (and may have been refilled since). The result depends on
    /// `param_seed` alone, never on what `model` held before. A scenario without uncertain
    /// numbers has nothing to do. `Err` says which key's sampled value the model refused.
    fn sample_into(&self, param_seed: u64, model: &mut Model) -> Result<(), Self::Error>;

    /// This scenario with `strategy` applied, validated like the original.
    fn with_strategy(&self, strategy: &Self::Strategy) -> Result<Self, Self::Error>;

    /// This scenario with numbers set at key paths (as a sweep's design point sets them),
    /// validated like the original.
    fn with_values(&self, values: &[(&str, f64)]) -> Result<Self, Self::Error>;

    /// True when the scenario holds a whole number at `path`, so that a sweep keeps it whole.
    fn is_integer_at(&self, path: &str) -> bool;
}
