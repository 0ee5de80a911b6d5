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
mod compare;
mod experiment;
mod manifest;
mod output;
mod sweep;
mod table;

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, Result};
use chokepoint_scenario::{Override, Scenario};
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use manifest::Manifest;

use args::{CheckArgs, Cli, Command, DiffArgs, MergeArgs, RunArgs};

/// Entry point of the binary: runs the command and turns errors into a message and exit code 2.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // `chokepoint check x | head` closing the pipe early is not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Writes to standard output, returning an error (not panicking, as `print!` does) when the
/// reader has gone away.
pub(crate) fn emit(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

fn dispatch(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(args) => run(&args),
        Command::Check(args) => check(&args),
        Command::Diff(args) => diff(&args),
        Command::Compare(args) => compare::compare(&args),
        Command::Merge(args) => merge(&args),
        Command::Sweep(args) => sweep::sweep(&args),
    }
}

/// Reads and validates a scenario file.
pub fn load_scenario(path: &Path, overrides: &[Override]) -> Result<Scenario> {
    let read = |p: &Path| std::fs::read_to_string(p);
    Ok(Scenario::load(path, &read, overrides)?)
}

fn run(args: &RunArgs) -> Result<()> {
    if args.common.shard.is_some() {
        return run_shard(args);
    }
    if args.common.resume.is_some() {
        anyhow::bail!(
            "--resume finishes a shard: use it with --shard I/N (a whole run is short enough to run again)"
        );
    }
    let scenario = load_scenario(&args.scenario, &args.common.set)?;
    let seed = args.common.seed.or(scenario.seed()).unwrap_or(0);
    let reps = args
        .common
        .reps
        .or(scenario.replications())
        .unwrap_or(DEFAULT_REPLICATIONS);
    let threads = if args.common.threads == 0 {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        args.common.threads
    };
    let cfg = chokepoint_runner::MonteCarlo {
        seed,
        replications: reps,
        batch: args.common.batch,
        threads,
        targets: args.target_ci.clone(),
        max_replications: args.max_reps,
        first_run_id: 0,
    };
    let started = chrono::Utc::now();
    let out = args.common.out.clone().unwrap_or_else(|| {
        PathBuf::from("runs").join(format!(
            "{}-{}",
            scenario.name(),
            started.format("%Y%m%dT%H%M%SZ")
        ))
    });
    std::fs::create_dir_all(&out)
        .with_context(|| format!("{}: cannot create the output folder", out.display()))?;
    let mut manifest = Manifest::new(&args.scenario, &scenario, &cfg, &args.common.set, started)?;
    output::write_atomic(&out, "manifest.json", &manifest.to_json()?)?;

    let stop = interrupt_flag();
    let expected = if cfg.targets.is_empty() {
        reps
    } else {
        cfg.max_replications.max(reps)
    };
    let bar = progress_bar(expected, args.common.quiet);
    let result = chokepoint_runner::run(&scenario, &cfg, &|n| bar.inc(n), stop)?;
    bar.finish_and_clear();

    let rows: Vec<output::MetricRow> = result
        .schema
        .metrics
        .iter()
        .enumerate()
        .map(|(k, name)| output::MetricRow::new(name, &result.metric_values(k)))
        .collect();
    output::write_summary(&out, &rows)?;
    output::write_timeseries(
        &out,
        &result.schema,
        &scenario.central().calendar,
        &result.series.finish(),
    )?;
    output::write_replications(
        &out,
        &result.schema,
        seed,
        cfg.first_run_id,
        &result.metrics,
    )?;
    manifest.finish(&result, chrono::Utc::now());
    output::write_atomic(&out, "manifest.json", &manifest.to_json()?)?;

    let mut s = headline(&scenario, result.replications, &rows, seed)?;
    if result.interrupted {
        eprintln!(
            "interrupted after {} replications: {} is marked partial (manifest status `interrupted`)",
            result.replications,
            out.display()
        );
    } else if !result.targets_met {
        eprintln!(
            "warning: --target-ci not met after {} replications (--max-reps)",
            result.replications
        );
    }
    writeln!(s, "wrote {}", out.display())?;
    emit(&s)?;
    Ok(())
}

/// Replications when neither `--reps` nor the scenario says.
const DEFAULT_REPLICATIONS: u64 = 1000;

pub(crate) fn interrupt_flag() -> &'static AtomicBool {
    static STOP: AtomicBool = AtomicBool::new(false);
    // A second Ctrl-C while finishing the batch ends the process at once.
    let _ = ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        eprintln!("\nstopping after the current batch (Ctrl-C again to abort)");
    });
    &STOP
}

pub(crate) fn progress_bar(len: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} replications  {per_sec}  {eta} left")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

fn headline(
    scenario: &Scenario,
    replications: u64,
    rows: &[output::MetricRow],
    seed: u64,
) -> Result<String> {
    let mut s = String::new();
    writeln!(
        s,
        "scenario {}  seed {seed}  replications {}",
        scenario.name(),
        replications
    )?;
    let events: Vec<Vec<String>> = rows
        .iter()
        .filter(|r| chokepoint_core::is_event_metric(&r.metric))
        .map(|r| {
            vec![
                format!("P({})", r.metric),
                table::number(r.mean),
                format!(
                    "{} – {}",
                    table::number(r.ci95_lo),
                    table::number(r.ci95_hi)
                ),
            ]
        })
        .collect();
    if !events.is_empty() {
        write!(
            s,
            "{}",
            table::render(&["event", "probability", "95% interval (Wilson)"], &events)
        )?;
        writeln!(s)?;
    }
    let metrics: Vec<Vec<String>> = rows
        .iter()
        .filter(|r| !chokepoint_core::is_event_metric(&r.metric))
        .map(|r| {
            vec![
                r.metric.clone(),
                table::number(r.mean),
                format!(
                    "{} – {}",
                    table::number(r.ci95_lo),
                    table::number(r.ci95_hi)
                ),
                table::number(r.p50),
                format!("{} – {}", table::number(r.p5), table::number(r.p95)),
            ]
        })
        .collect();
    write!(
        s,
        "{}",
        table::render(
            &["metric", "mean", "95% CI of mean", "median", "p5 – p95"],
            &metrics
        )
    )?;
    Ok(s)
}

fn check(args: &CheckArgs) -> Result<()> {
    let mut s = String::new();
    let scenario = load_scenario(&args.scenario, &args.set)?;
    let p = scenario.central();
    let cal = &p.calendar;
    writeln!(
        s,
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
    )?;
    let uncertain = scenario.uncertain_keys();
    if !uncertain.is_empty() {
        writeln!(
            s,
            "{} uncertain parameters, drawn per replication: {}",
            uncertain.len(),
            uncertain.join(", ")
        )?;
    }
    let timeline = scenario.timeline();
    if timeline.is_empty() {
        writeln!(s, "No shocks.")?;
        emit(&s)?;
        return Ok(());
    }
    writeln!(
        s,
        "\nTimeline of shocks (dates of uncertain ones, marked ~, at their central values):"
    )?;
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
    write!(
        s,
        "{}",
        table::render(&["date", "step", "shock", "what", "whom"], &rows)
    )?;
    emit(&s)?;
    Ok(())
}

fn diff(args: &DiffArgs) -> Result<()> {
    let mut s = String::new();
    let a = load_scenario(&args.a, &[])?;
    let b = load_scenario(&args.b, &[])?;
    let diffs = a.diff(&b);
    if diffs.is_empty() {
        writeln!(s, "No resolved parameter differs.")?;
        emit(&s)?;
        return Ok(());
    }
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(absent)".to_owned());
    let rows: Vec<Vec<String>> = diffs
        .iter()
        .map(|d| vec![d.key.clone(), show(&d.left), show(&d.right)])
        .collect();
    let (ha, hb) = (args.a.display().to_string(), args.b.display().to_string());
    write!(s, "{}", table::render(&["key", &ha, &hb], &rows))?;
    writeln!(s, "{} resolved parameters differ.", diffs.len())?;
    emit(&s)?;
    Ok(())
}

/// Seed, replications and batch from the flags, else the scenario, else the defaults.
pub(crate) fn monte_carlo_settings(
    seed: Option<u64>,
    reps: Option<u64>,
    batch: u64,
    scenario: &Scenario,
    first_run_id: u64,
) -> chokepoint_runner::MonteCarlo {
    chokepoint_runner::MonteCarlo {
        seed: seed.or(scenario.seed()).unwrap_or(0),
        replications: reps
            .or(scenario.replications())
            .unwrap_or(DEFAULT_REPLICATIONS),
        batch,
        threads: 0,
        targets: Vec::new(),
        max_replications: 0,
        first_run_id,
    }
}

/// `--threads 0` means all cores.
pub(crate) fn threads(flag: usize) -> usize {
    if flag == 0 {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        flag
    }
}

/// The given folder, else `runs/<label>-<UTC timestamp>`.
pub(crate) fn output_folder(given: Option<&PathBuf>, label: &str) -> PathBuf {
    given.cloned().unwrap_or_else(|| {
        PathBuf::from("runs").join(format!(
            "{label}-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
        ))
    })
}

/// The arguments of this invocation that define its plan: everything but where the output goes,
/// which shard, resuming and execution flags. `merge` rebuilds the plan from them.
pub(crate) fn plan_argv() -> Vec<String> {
    plan_args(std::env::args().skip(1))
}

fn plan_args(args: impl IntoIterator<Item = String>) -> Vec<String> {
    const WITH_VALUE: [&str; 4] = ["--shard", "--out", "--resume", "--threads"];
    const ALONE: [&str; 1] = ["--quiet"];
    let mut out = Vec::new();
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        let name = a.split('=').next().unwrap_or("");
        if WITH_VALUE.contains(&name) {
            if !a.contains('=') {
                args.next();
            }
        } else if !ALONE.contains(&a.as_str()) {
            out.push(a);
        }
    }
    out
}

/// The plan of a sharded `run`: one cell, every replication a unit.
fn run_plan(args: &RunArgs, argv: Vec<String>) -> Result<experiment::Plan> {
    if !args.target_ci.is_empty() {
        anyhow::bail!(
            "--target-ci decides the number of replications as it goes, so it cannot be sharded; give --reps instead"
        );
    }
    let scenario = load_scenario(&args.scenario, &args.common.set)?;
    let mc = monte_carlo_settings(
        args.common.seed,
        args.common.reps,
        args.common.batch,
        &scenario,
        0,
    );
    Ok(experiment::Plan {
        kind: "run",
        cells: vec![experiment::Cell {
            labels: Vec::new(),
            scenario,
            folder: Some(PathBuf::new()),
        }],
        mc,
        keep_series: true,
        description: serde_json::json!({ "scenario": args.scenario.display().to_string() }),
        argv,
    })
}

fn run_shard(args: &RunArgs) -> Result<()> {
    let plan = run_plan(args, plan_argv())?;
    let label = format!("{}-shard", plan.cells[0].scenario.name());
    // A shard never finishes the run itself: `merge` does.
    experiment::run_and_finish(&plan, &args.common, &label, |_, _| Ok(String::new()))
}

fn merge(args: &MergeArgs) -> Result<()> {
    let first = args.shards.first().context("merge needs shard folders")?;
    let manifest = experiment::read_manifest(first)?;
    let parse = |argv: &[String]| -> Result<Command> {
        let mut full = vec!["chokepoint".to_owned()];
        full.extend(argv.iter().cloned());
        Ok(Cli::try_parse_from(&full)
            .with_context(|| format!("{}: the recorded command no longer parses", first.display()))?
            .command)
    };
    let command = parse(&manifest.argv)?;
    let out = &args.out;
    if out.join("manifest.json").exists() {
        anyhow::bail!(
            "{}: already holds results; merge into a new folder",
            out.display()
        );
    }
    std::fs::create_dir_all(out)
        .with_context(|| format!("{}: cannot create the output folder", out.display()))?;
    let text = match command {
        Command::Run(run_args) => {
            let (plan, results, _) =
                experiment::merge_shards(&args.shards, |argv| run_plan(&run_args, argv.to_vec()))?;
            let cell = &plan.cells[0];
            let result = &results.cells[0];
            experiment::write_cell_files(out, cell, plan.mc.seed, &results.metric_names, result)?;
            let cfg = chokepoint_runner::MonteCarlo {
                threads: 0,
                ..plan.mc.clone()
            };
            let mut m = Manifest::new(
                &run_args.scenario,
                &cell.scenario,
                &cfg,
                &run_args.common.set,
                chrono::Utc::now(),
            )?;
            m.finish_merged(plan.mc.replications, chrono::Utc::now());
            output::write_atomic(out, "manifest.json", &m.to_json()?)?;
            let rows: Vec<output::MetricRow> = results
                .metric_names
                .iter()
                .enumerate()
                .map(|(k, name)| {
                    output::MetricRow::new(name, &experiment::column(&result.metrics, k))
                })
                .collect();
            let mut s = headline(&cell.scenario, plan.mc.replications, &rows, plan.mc.seed)?;
            writeln!(
                s,
                "merged {} shards into {}",
                args.shards.len(),
                out.display()
            )?;
            s
        }
        Command::Compare(compare_args) => {
            let info = std::cell::RefCell::new(None);
            let (plan, results, m) = experiment::merge_shards(&args.shards, |argv| {
                let (plan, i) = compare::compare_plan(&compare_args, argv.to_vec())?;
                *info.borrow_mut() = Some(i);
                Ok(plan)
            })?;
            let info = info.into_inner().context("comparison plan")?;
            let s = compare::finish_compare(&plan, &info, &results, out)?;
            experiment::write_manifest(out, &m)?;
            s
        }
        Command::Sweep(sweep_args) => {
            let (plan, results, m) = experiment::merge_shards(&args.shards, |argv| {
                sweep::sweep_plan(&sweep_args, argv.to_vec())
            })?;
            let s = sweep::finish_sweep(&plan, &results, out)?;
            experiment::write_manifest(out, &m)?;
            s
        }
        _ => anyhow::bail!("{}: not a shard of run, compare or sweep", first.display()),
    };
    emit(&text)
}

#[cfg(test)]
mod tests {
    use super::plan_args;

    #[test]
    fn plan_arguments_drop_output_shard_and_execution_flags_only() {
        let given = "sweep s.toml --shard 1/4 --param a=1:2 --out=/x --threads 8 --quiet --reps 5 --resume /y --set b=3";
        let kept = plan_args(given.split(' ').map(str::to_owned));
        assert_eq!(
            kept.join(" "),
            "sweep s.toml --param a=1:2 --reps 5 --set b=3"
        );
    }
}
