//! # chokepoint-engine: the library facade the front doors share
//!
//! The experiment engine (`chokepoint-experiment`) knows no scenario format, and the scenario
//! crate knows no experiment; a front door joins them. This crate is that join, written once,
//! so the CLI and the Python module (`crates/python`) read files and run plans the same way:
//!
//! - [`Files`], the one [`Load`]er of scenario and strategies files from the file system
//!   (through [`chokepoint_diagnostics::read_text`], which refuses folders and non-UTF-8 text
//!   with a plain message);
//! - [`load_scenario`], a scenario file with `--set` overrides, validated;
//! - [`assignments`] / [`overrides`], the two spellings of `PATH=VALUE` (the engine records
//!   [`Assignment`]s, the scenario crate applies [`Override`]s);
//! - [`InputKind`], every input file kind with its generated JSON Schema (`chokepoint schema`);
//! - [`plan`] and [`run_into`], a [`PlanSpec`] resolved and executed into a folder, as
//!   `chokepoint run`, `compare` and `sweep` do.
//!
//! **What it is not.** No terminal, no progress bar, no signal handling and no exit codes
//! (the CLI's), no Python (the module's): callers pass a [`Progress`] and a stop flag.
//!
//! ```
//! use chokepoint_engine::load_scenario;
//! let path = std::path::Path::new("../../scenarios/baseline_2024.toml");
//! let scenario = load_scenario(path, &[]).unwrap();
//! assert!(!scenario.name().is_empty());
//! ```

mod schemas;
mod size;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

mod sensitivity;

use chokepoint_experiment::{BoxError, Execution, Outcome, Plan};
use chokepoint_scenario::{Strategy, StrategySet};

pub use chokepoint_experiment::{Assignment, Error, Load, PlanSpec, Progress, Silent};
pub use chokepoint_scenario::{Override, Scenario, ScenarioError};
pub use schemas::InputKind;
pub use sensitivity::{InputsError, sensitivity_params};
pub use size::ResizeError;

/// The engine's access to scenario and strategies files: straight from the file system.
#[derive(Clone, Copy, Debug, Default)]
pub struct Files;

impl Load<Scenario> for Files {
    fn scenario(&self, path: &Path, overrides: &[Assignment]) -> Result<Scenario, BoxError> {
        Ok(load_scenario(path, &self::overrides(overrides))?)
    }

    fn strategies(&self, path: &Path) -> Result<Vec<(String, Strategy)>, BoxError> {
        let set = StrategySet::load(path, &read)?;
        Ok(set
            .strategies
            .into_iter()
            .map(|s| (s.name.clone(), s))
            .collect())
    }
}

/// Reads an input file as every front door does.
fn read(path: &Path) -> std::io::Result<String> {
    chokepoint_diagnostics::read_text(path)
}

/// Reads and validates the scenario at `path` (and the files it `extends`) with `overrides`
/// applied, as `chokepoint check --set` does.
pub fn load_scenario(path: &Path, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
    Scenario::load(path, &read, overrides)
}

/// `--set` values as the engine records them.
#[must_use]
pub fn assignments(set: &[Override]) -> Vec<Assignment> {
    set.iter()
        .map(|o| Assignment {
            path: o.path.clone(),
            value: o.value.clone(),
        })
        .collect()
}

/// Recorded assignments as the scenario crate applies them.
#[must_use]
pub fn overrides(set: &[Assignment]) -> Vec<Override> {
    set.iter()
        .map(|a| Override {
            path: a.path.clone(),
            value: a.value.clone(),
        })
        .collect()
}

/// Resolves `spec` into a plan, reading its files through [`Files`].
pub fn plan(spec: &PlanSpec) -> Result<Plan<Scenario>, Error> {
    Plan::from_spec(spec, &Files)
}

/// Where and how [`run_into`] writes: what `--out`, `--force`, `--threads` and `--format`
/// say on the command line.
#[derive(Clone, Debug)]
pub struct Destination {
    /// The output folder: new or empty, or replaced when `force`.
    pub out: PathBuf,
    /// Replace the chokepoint output already in `out`.
    pub force: bool,
    /// Worker threads (0: all cores); results do not depend on it.
    pub threads: usize,
    /// Result tables as CSV, Parquet or both; `None` as the CLI without `--format` (CSV, or
    /// Parquet for a huge sweep, said in the manifest).
    pub format: Option<chokepoint_experiment::TableFormat>,
}

/// Runs `spec` on this machine into `to`, as `chokepoint run|compare|sweep --out OUT` does.
/// Setting `stop` stops the run at its next batch boundary; the outcome then says so.
pub fn run_into(
    spec: &PlanSpec,
    to: &Destination,
    progress: &dyn Progress,
    stop: &AtomicBool,
    command: Vec<String>,
) -> Result<Outcome, Error> {
    let exec = Execution {
        out: Some(to.out.clone()),
        shard: None,
        resume: false,
        force: to.force,
        threads: to.threads,
        progress,
        stop,
        command,
        format: to.format,
        parquet_above_bytes: chokepoint_experiment::PARQUET_ABOVE_BYTES,
    };
    chokepoint_experiment::check_execution(spec, &exec)?;
    let plan = plan(spec)?;
    chokepoint_experiment::execute(&plan, &exec)
}

/// The message of `err` and of every error below it, joined by `": "`: what the CLI prints
/// after `error: ` (anyhow's `{:#}`), so every front door words an error the same way.
#[must_use]
pub fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// The scenario error inside `err`, when a scenario, strategies or suite file (or an override
/// of it) is what went wrong: front doors tell bad input from a failed run by it. (The engine
/// wraps a loader's error transparently, so its `source()` chain skips the error itself: the
/// wrapped error is looked at first.)
#[must_use]
pub fn scenario_error(err: &Error) -> Option<&ScenarioError> {
    let wrapped = match err {
        Error::Scenario(b)
        | Error::Strategy { source: b, .. }
        | Error::DesignPoint { source: b, .. } => find_scenario_error(b.as_ref()),
        _ => None,
    };
    wrapped.or_else(|| find_scenario_error(err))
}

fn find_scenario_error<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a ScenarioError> {
    let mut cause = Some(err);
    while let Some(c) = cause {
        if let Some(s) = c.downcast_ref::<ScenarioError>() {
            return Some(s);
        }
        cause = c.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenarios() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
    }

    #[test]
    fn an_override_of_an_unknown_key_is_a_scenario_error_naming_it() {
        let bad = [Override {
            path: "shock.no_such_shock.approval.us".into(),
            value: "0.5".into(),
        }];
        let err = load_scenario(&scenarios().join("list_expansion_2025_10.toml"), &bad)
            .expect_err("an unknown shock must be refused");
        assert!(err.to_string().contains("no_such_shock"), "{err}");
    }

    #[test]
    fn a_missing_file_through_the_engine_is_found_as_a_scenario_error() {
        let spec = PlanSpec::Run(chokepoint_experiment::RunSpec {
            scenario: scenarios().join("no_such_file.toml"),
            overrides: Vec::new(),
            settings: chokepoint_experiment::Settings {
                seed: Some(1),
                replications: Some(2),
                batch: 2,
            },
            targets: Vec::new(),
            max_replications: 0,
        });
        let err = plan(&spec).err().expect("a missing file must be refused");
        assert!(scenario_error(&err).is_some(), "{err:?}");
        assert!(chain(&err).contains("no_such_file.toml"), "{}", chain(&err));
    }

    #[test]
    fn assignments_and_overrides_round_trip() {
        let o = vec![Override {
            path: "a.b".into(),
            value: "1".into(),
        }];
        assert_eq!(overrides(&assignments(&o)), o);
    }
}
