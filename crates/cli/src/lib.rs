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

use args::{CheckArgs, Cli, Command, DiffArgs, RunArgs};

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
        Command::Check(args) => check(&args),
        Command::Diff(args) => diff(&args),
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

fn check(args: &CheckArgs) -> Result<()> {
    let scenario = load_scenario(&args.scenario, &args.set)?;
    let p = scenario.central();
    let cal = &p.calendar;
    println!(
        "{}: ok. Scenario `{}`: {} items, {} regions, {} sectors, {} producers, {} manufacturers, {} stockpiles; {} steps of {} days from {}.",
        args.scenario.display(),
        scenario.name(),
        p.items.len(),
        p.regions.len(),
        p.sectors.len(),
        p.producers.len(),
        p.manufacturers.len(),
        p.stockpiles.len(),
        cal.n_steps,
        cal.step_days,
        cal.start,
    );
    let uncertain = scenario.uncertain_keys();
    if !uncertain.is_empty() {
        println!(
            "{} uncertain parameters, drawn per replication: {}",
            uncertain.len(),
            uncertain.join(", ")
        );
    }
    let timeline = scenario.timeline();
    if timeline.is_empty() {
        println!("No shocks.");
        return Ok(());
    }
    println!("\nTimeline of shocks (dates of uncertain ones, marked ~, at their central values):");
    let rows: Vec<Vec<String>> = timeline
        .iter()
        .map(|e| {
            vec![
                format!("{}{}", if e.uncertain { "~" } else { "" }, e.date),
                e.step.to_string(),
                e.shock.clone(),
                e.what.clone(),
                e.whom.clone(),
            ]
        })
        .collect();
    print!(
        "{}",
        table::render(&["date", "step", "shock", "what", "whom"], &rows)
    );
    Ok(())
}

fn diff(args: &DiffArgs) -> Result<()> {
    let a = load_scenario(&args.a, &[])?;
    let b = load_scenario(&args.b, &[])?;
    let diffs = a.diff(&b);
    if diffs.is_empty() {
        println!("No resolved parameter differs.");
        return Ok(());
    }
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(absent)".to_owned());
    let rows: Vec<Vec<String>> = diffs
        .iter()
        .map(|d| vec![d.key.clone(), show(&d.left), show(&d.right)])
        .collect();
    let (ha, hb) = (args.a.display().to_string(), args.b.display().to_string());
    print!("{}", table::render(&["key", &ha, &hb], &rows));
    println!("{} resolved parameters differ.", diffs.len());
    Ok(())
}
