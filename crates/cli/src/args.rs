//! Command-line flags, as close to what the user typed as possible.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Simulate export-control disruptions of rare-earth and magnet supply chains.
#[derive(Debug, Parser)]
#[command(name = "chokepoint", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario and print its metrics.
    Run(RunArgs),
    /// Validate a scenario and print its resolved timeline of shocks.
    Check(CheckArgs),
    /// Print the resolved parameters that differ between two scenarios.
    Diff(DiffArgs),
}

/// `chokepoint run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Master seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Which replication to run.
    #[arg(long, default_value_t = 0)]
    pub run_id: u64,
    /// Override a scenario parameter: `--set shock.2.approval.us=0.5` (repeatable; array
    /// entries by index or name). Validated like the file.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<chokepoint_scenario::Override>,
}

/// `chokepoint check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Override a scenario parameter, as for `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<chokepoint_scenario::Override>,
}

/// `chokepoint diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The first scenario.
    pub a: PathBuf,
    /// The second scenario.
    pub b: PathBuf,
}
