//! # chokepoint-cli: the command line
//!
//! Parses flags (clap), reads scenario files, calls the runner, prints tables and writes output
//! files. It is the one place that knows about terminals, files and exit codes, and the one
//! reporting layer for errors: libraries return typed errors, this crate prints them.
//!
//! **What it is not.** No model logic and no statistics live here.
#![warn(missing_docs)]
#![deny(clippy::float_cmp)]

mod args;
mod table;

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use chokepoint_scenario::{Override, Scenario};
use clap::Parser;

use args::{Cli, Command, RunArgs};

/// Entry point of the binary: runs the command and turns errors into a message and exit code 2.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn dispatch(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(args) => run(&args),
    }
}

/// Reads and validates a scenario file.
pub fn load_scenario(path: &Path, overrides: &[Override]) -> Result<Scenario> {
    let read = |p: &Path| std::fs::read_to_string(p);
    Ok(Scenario::load(path, &read, overrides)?)
}

fn run(args: &RunArgs) -> Result<()> {
    let scenario = load_scenario(&args.scenario, &args.set)?;
    let seed = args.seed.or(scenario.seed()).unwrap_or(0);
    let rep = chokepoint_runner::run_one(&scenario, seed, args.run_id)?;
    let schema = rep.model.schema();
    println!(
        "scenario {}  seed {seed}  run id {}",
        scenario.name(),
        args.run_id
    );
    let rows: Vec<Vec<String>> = schema
        .metrics
        .iter()
        .zip(&rep.outcome.metrics)
        .map(|(name, v)| vec![name.clone(), table::number(*v)])
        .collect();
    print!("{}", table::render(&["metric", "value"], &rows));
    Ok(())
}
