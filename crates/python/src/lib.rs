//! # chokepoint-python: the `chokepoint._native` extension module
//!
//! The thin Rust half of the `chokepoint` Python package (the Python half, in
//! `python/chokepoint/`, turns the output files into pandas data frames and adapts runs to the
//! EMA Workbench). Everything here goes through `chokepoint-engine`, the facade the CLI uses
//! too, with the same parsers for `PATH=VALUE` overrides, `PATH=LO:HI` ranges and designs: so
//! a run from Python and `chokepoint run` with the same arguments write identical files.
//!
//! Simulating releases the GIL: the plan runs on a worker thread while the calling thread
//! waits without the GIL and checks for Ctrl-C (`check_signals`) twenty times a second; on
//! Ctrl-C it sets the engine's stop flag, waits for the batch in progress to finish (the
//! output folder keeps finished work and is marked `interrupted`), then raises
//! `KeyboardInterrupt`.

// #[pyfunction] arguments are extracted from Python objects into owned values; pyo3 cannot
// extract into borrowed slices.
#![allow(clippy::needless_pass_by_value)]

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chokepoint_engine::{Destination, Error, Override, PlanSpec, Silent};
use chokepoint_experiment::{
    CompareSpec, Design, Outcome, ParamRange, Report, RunSpec, Settings, SweepSpec, TableFormat,
};
use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyKeyboardInterrupt};
use pyo3::prelude::*;

create_exception!(
    chokepoint,
    ChokepointError,
    PyException,
    "Anything chokepoint refused or could not do; the message is the CLI's."
);
create_exception!(
    chokepoint,
    ScenarioError,
    ChokepointError,
    "A scenario, strategies or suite file, or a value set in it, is invalid: the message gives file:line:column and the key, as `chokepoint check` prints it."
);

/// How to run, shared by `run`, `compare` and `sweep` (a dict from Python).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Options {
    seed: Option<u64>,
    reps: Option<u64>,
    batch: u64,
    threads: usize,
    out: PathBuf,
    force: bool,
    /// `csv`, `parquet`, `both` or `None` (as the CLI without `--format`).
    format: Option<String>,
    command: Vec<String>,
}

impl Options {
    fn settings(&self) -> Settings {
        Settings {
            seed: self.seed,
            replications: self.reps,
            batch: self.batch,
        }
    }

    /// Where to write, with the format parsed by the CLI's own parser.
    fn destination(&self) -> PyResult<Destination> {
        let format = self
            .format
            .as_deref()
            .map(str::parse::<TableFormat>)
            .transpose()
            .map_err(ChokepointError::new_err)?;
        Ok(Destination {
            out: self.out.clone(),
            force: self.force,
            threads: self.threads,
            format,
        })
    }
}

/// An engine error as the Python exception of its kind, worded as the CLI words it.
fn engine_error(e: &Error) -> PyErr {
    let text = chokepoint_engine::chain(e);
    let input = chokepoint_engine::scenario_error(e).is_some()
        || matches!(
            e,
            Error::Scenario(_)
                | Error::Strategy { .. }
                | Error::Suite { .. }
                | Error::DesignPoint { .. }
        );
    if input {
        ScenarioError::new_err(text)
    } else {
        ChokepointError::new_err(text)
    }
}

/// `PATH=VALUE` texts through the CLI's own parser.
fn parse_overrides(set: &[String]) -> PyResult<Vec<Override>> {
    set.iter()
        .map(|s| s.parse::<Override>().map_err(ScenarioError::new_err))
        .collect()
}

/// One line of a scenario's timeline: date, step, shock, what, whom, uncertain.
type TimelineRow = (String, u32, String, String, String, bool);

/// Loads and validates a scenario with overrides (`PATH=VALUE`): its name, description and
/// timeline of shocks.
#[pyfunction]
fn load(path: PathBuf, overrides: Vec<String>) -> PyResult<(String, String, Vec<TimelineRow>)> {
    let overrides = parse_overrides(&overrides)?;
    let s = chokepoint_engine::load_scenario(&path, &overrides)
        .map_err(|e| ScenarioError::new_err(chokepoint_engine::chain(&e)))?;
    let timeline = s
        .timeline()
        .into_iter()
        .map(|e| {
            (
                e.date.to_string(),
                e.step,
                e.shock,
                e.what,
                e.whom,
                e.uncertain,
            )
        })
        .collect();
    Ok((
        s.name().to_owned(),
        s.file().scenario.description.clone(),
        timeline,
    ))
}

/// Runs a scenario into `options["out"]`, as `chokepoint run --out`.
#[pyfunction]
fn run(
    py: Python<'_>,
    scenario: PathBuf,
    overrides: Vec<String>,
    options: Options,
) -> PyResult<String> {
    let spec = PlanSpec::Run(RunSpec {
        scenario,
        overrides: chokepoint_engine::assignments(&parse_overrides(&overrides)?),
        settings: options.settings(),
        targets: Vec::new(),
        max_replications: 0,
    });
    execute(py, spec, options)
}

/// Compares strategies on scenarios into `options["out"]`, as `chokepoint compare --out`.
#[pyfunction]
#[pyo3(signature = (scenarios, strategies, baseline, objective, overrides, options))]
fn compare(
    py: Python<'_>,
    scenarios: Vec<PathBuf>,
    strategies: Option<PathBuf>,
    baseline: Option<String>,
    objective: Option<String>,
    overrides: Vec<String>,
    options: Options,
) -> PyResult<String> {
    let spec = PlanSpec::Compare(CompareSpec {
        scenarios,
        strategies,
        baseline,
        objective,
        overrides: chokepoint_engine::assignments(&parse_overrides(&overrides)?),
        settings: options.settings(),
    });
    execute(py, spec, options)
}

/// Sweeps parameters (`PATH=LO:HI`) over a design (`grid:K`, `lhs:K`, `oat`) into
/// `options["out"]`, as `chokepoint sweep --out`.
#[pyfunction]
#[pyo3(signature = (scenario, params, design, strategies, overrides, options))]
fn sweep(
    py: Python<'_>,
    scenario: PathBuf,
    params: Vec<String>,
    design: &str,
    strategies: Option<PathBuf>,
    overrides: Vec<String>,
    options: Options,
) -> PyResult<String> {
    let params = params
        .iter()
        .map(|p| p.parse::<ParamRange>().map_err(ChokepointError::new_err))
        .collect::<PyResult<Vec<_>>>()?;
    let design: Design = design.parse().map_err(ChokepointError::new_err)?;
    let spec = PlanSpec::Sweep(SweepSpec {
        scenario,
        params,
        design,
        strategies,
        overrides: chokepoint_engine::assignments(&parse_overrides(&overrides)?),
        settings: options.settings(),
    });
    execute(py, spec, options)
}

/// Runs `spec` on a worker thread without the GIL, stopping it on Ctrl-C.
fn execute(py: Python<'_>, spec: PlanSpec, options: Options) -> PyResult<String> {
    chokepoint_experiment::check_threads(options.threads).map_err(|e| engine_error(&e))?;
    let to = options.destination()?;
    let stop = Arc::new(AtomicBool::new(false));
    let worker = {
        let stop = Arc::clone(&stop);
        let to = to.clone();
        let command = options.command;
        std::thread::spawn(move || chokepoint_engine::run_into(&spec, &to, &Silent, &stop, command))
    };
    let mut interrupt: Option<PyErr> = None;
    while !worker.is_finished() {
        py.detach(|| std::thread::sleep(Duration::from_millis(50)));
        if interrupt.is_none()
            && let Err(e) = py.check_signals()
        {
            stop.store(true, Ordering::SeqCst);
            interrupt = Some(e);
        }
    }
    let result = py
        .detach(|| worker.join())
        .map_err(|_| ChokepointError::new_err("the simulation thread panicked"))?;
    let outcome = result.map_err(|e| engine_error(&e))?;
    let out = to.out.display().to_string();
    let stopped = match &outcome {
        Outcome::Interrupted { .. } => true,
        Outcome::Done(Report::Run(r)) => r.interrupted,
        _ => false,
    };
    if let Some(e) = interrupt {
        // Python's own Ctrl-C, reworded to say what was kept; another handler's error as it is.
        if e.is_instance_of::<PyKeyboardInterrupt>(py) {
            return Err(PyKeyboardInterrupt::new_err(format!(
                "stopped by Ctrl-C at the end of a batch: finished work is kept in {out}, marked interrupted"
            )));
        }
        return Err(e);
    }
    if stopped {
        return Err(PyKeyboardInterrupt::new_err(format!(
            "stopped: finished work is kept in {out}"
        )));
    }
    Ok(out)
}

/// The `chokepoint._native` module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("ChokepointError", py.get_type::<ChokepointError>())?;
    m.add("ScenarioError", py.get_type::<ScenarioError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(sweep, m)?)?;
    Ok(())
}
