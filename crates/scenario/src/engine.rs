//! [`Scenario`] as the experiment engine sees it: `chokepoint_core::ScenarioSource`.
//!
//! Every method forwards to the scenario's own API, so variants made by the engine (a strategy
//! applied, a sweep's design point) validate through the same path as `--set` and the file.

use chokepoint_core::{Model, ModelParams, ScenarioSource};

use crate::{Override, Scenario, ScenarioError, Strategy};

impl ScenarioSource for Scenario {
    type Strategy = Strategy;
    type Error = ScenarioError;

    fn name(&self) -> &str {
        Scenario::name(self)
    }

    fn resolved_text(&self) -> String {
        self.to_toml()
    }

    fn central(&self) -> &ModelParams {
        Scenario::central(self)
    }

    fn default_seed(&self) -> Option<u64> {
        self.seed()
    }

    fn default_replications(&self) -> Option<u64> {
        self.replications()
    }

    /// Rebuilds only what the uncertain numbers reach; nothing when there are none.
    fn sample_into(&self, param_seed: u64, model: &mut Model) -> Result<(), ScenarioError> {
        self.sample_model(param_seed, model)
    }

    fn with_strategy(&self, strategy: &Strategy) -> Result<Self, ScenarioError> {
        Scenario::with_strategy(self, strategy)
    }

    /// Each value is written as `--set` would receive it (`{v}`: `4` for a whole number, so a
    /// key that holds an integer keeps an integer).
    fn with_values(&self, values: &[(&str, f64)]) -> Result<Self, ScenarioError> {
        let overrides: Vec<Override> = values
            .iter()
            .map(|(path, v)| Override {
                path: (*path).to_owned(),
                value: format!("{v}"),
            })
            .collect();
        self.with_overrides(&overrides)
    }

    fn is_integer_at(&self, path: &str) -> bool {
        Scenario::is_integer_at(self, path)
    }
}
