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
