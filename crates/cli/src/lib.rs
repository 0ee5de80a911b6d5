//! # chokepoint-cli: the command line
//!
//! A thin front door to the libraries: parses flags (clap), reads scenario files for the
//! experiment engine (through `chokepoint-engine`'s `Files`, the loader the Python module
//! shares), shows progress (indicatif), turns Ctrl-C into the engine's stop flag, prints
//! tables and maps errors to exit codes. It is the one place that knows about
//! terminals and exit codes, and the one reporting layer for errors: libraries return typed
//! errors, this crate prints them.
//!
//! **What it is not.** No model logic, no statistics and no experiment logic live here: plans,
//! shards, journals, merge, comparisons and sweeps are `chokepoint-experiment`'s, and anything
//! this crate does with them a Python module could do by calling the same functions.

mod args;
mod charts;
mod discover;
mod html;
mod plot;
mod report;
mod sensitivity_charts;
mod signals;
mod size;
mod size_charts;
mod table;

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use chokepoint_engine::Files;
use chokepoint_experiment::{Execution, Outcome, Plan, PlanSpec, Progress, Report};
use chokepoint_scenario::{Override, Scenario};
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};

use args::{
    BacktestArgs, CalibrateArgs, CheckArgs, Cli, Command, DiffArgs, ExperimentFlags, MergeArgs,
};

/// Entry point of the binary: runs the command and turns the result into an exit code, the
/// one place that decides them: 0 ok, 1 the run failed (I/O, the engine, a folder in use),
/// 2 usage or input (clap's own usage errors exit 2 too), 130 / 143 stopped by SIGINT / SIGTERM.
#[must_use]
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(()) if signals::interrupted() => ExitCode::from(signals::exit_code()),
        Ok(()) => ExitCode::SUCCESS,
        // `chokepoint check x | head` closing the pipe early is not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(error_code(&e))
        }
    }
}

/// Exit code 1 for a run that failed (I/O, the engine, a folder in use), 2 for everything about
/// what was asked for (flags, scenario and other input files, an output folder not empty).
fn error_code(e: &anyhow::Error) -> u8 {
    use chokepoint_experiment::CalibrationError;
    let engine = |x: &chokepoint_experiment::Error| if x.is_run_failure() { 1 } else { 2 };
    for cause in e.chain() {
        if cause.downcast_ref::<size::Unreachable>().is_some() {
            return size::UNREACHABLE_EXIT;
        }
        if let Some(chokepoint_experiment::size::SizeError::Engine(inner)) = cause.downcast_ref() {
            return engine(inner);
        }
        if let Some(x) = cause.downcast_ref::<chokepoint_experiment::Error>() {
            return engine(x);
        }
        if let Some(x) = cause.downcast_ref::<chokepoint_experiment::DiscoverError>() {
            return if x.is_run_failure() { 1 } else { 2 };
        }
        if let Some(x) = cause.downcast_ref::<CalibrationError>() {
            return match x {
                CalibrationError::Engine(inner) => engine(inner),
                _ => 2,
            };
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            // A file that is not UTF-8 text is bad input, not a failed run.
            return if io.kind() == std::io::ErrorKind::InvalidData {
                2
            } else {
                1
            };
        }
    }
    2
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Writes to standard output, returning an error (not panicking, as `print!` does) when the
/// reader has gone away.
fn emit(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

fn dispatch(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Run(args) => experiment(&args.spec(), &args.common),
        Command::Check(args) => check(&args),
        Command::Diff(args) => diff(&args),
        Command::Compare(args) => experiment(&args.spec(), &args.common),
        Command::Merge(args) => merge(&args),
        Command::Sweep(args) => experiment(&args.spec(), &args.common),
        Command::Plot(args) => emit(&plot::plot(&args)?),
        Command::Backtest(args) => backtest(&args),
        Command::Report(args) => emit(&format!("wrote {}\n", html::write(&args.folder)?.display())),
        Command::Calibrate(args) => calibrate(&args),
        Command::Schema(args) => schema(&args),
        Command::Discover(args) => discover::run(&args),
        Command::Sensitivity(args) => sensitivity(&args),
        Command::Size(args) => size::run(&args),
    }
}

/// `sensitivity`: the scenario's uncertain numbers (or --param ranges) as a `sobol:N` or
/// `morris:R` sweep, then the ranked indices of the metrics asked for.
fn sensitivity(args: &args::SensitivityArgs) -> Result<()> {
    let scenario = load_scenario(&args.scenario, &args.common.run.set)?;
    let params = chokepoint_engine::sensitivity_params(&scenario, &args.param)?;
    let metrics: Vec<String> = if args.metric.is_empty() {
        chokepoint_experiment::HEADLINE_METRICS
            .map(str::to_owned)
            .to_vec()
    } else {
        args.metric.clone()
    };
    experiment_showing(&args.spec(params), &args.common, &metrics)
}

/// `schema`: the JSON Schema of an input file kind (`--kind`, default scenario) on standard
/// output, or of every kind into `--out`, each generated from its one definition of the keys.
fn schema(args: &args::SchemaArgs) -> Result<()> {
    use chokepoint_engine::InputKind;
    let Some(dir) = &args.out else {
        let kind = InputKind::ALL
            .into_iter()
            .find(|k| k.name() == args.kind)
            .unwrap_or(InputKind::Scenario);
        return emit(&kind.schema_text());
    };
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("{}: cannot create the folder: {e}", dir.display()))?;
    let mut wrote = Vec::new();
    for kind in InputKind::ALL {
        chokepoint_experiment::write_atomic(dir, &kind.file_name(), kind.schema_text().as_bytes())?;
        wrote.push(format!("wrote {}\n", dir.join(kind.file_name()).display()));
    }
    emit(&wrote.concat())
}

/// `calibrate`: read and check the calibration file against its scenario, then search.
fn calibrate(args: &CalibrateArgs) -> Result<()> {
    use chokepoint_experiment::calibrate::{self, CalibrateExec, CalibrateOutcome, Calibration};
    let (cal, scenario) = Calibration::load::<Scenario>(&args.calibration, &Files)?;
    let targets = cal.fit_targets(&scenario);
    let bar = Bar::new(args.quiet);
    let exec = CalibrateExec {
        out: args.out.clone(),
        resume: args.resume,
        threads: args.threads,
        batch: args.batch,
        progress: &bar,
        stop: signals::stop_flag(args.out.as_deref()),
        stop_after: args.stop_after,
        command: std::env::args().skip(1).collect(),
    };
    match calibrate::calibrate(&cal, &scenario, &targets, &exec)? {
        CalibrateOutcome::Interrupted { out, candidates } => {
            signals::mark_interrupted();
            eprintln!(
                "interrupted after {candidates} candidates, kept in {0}; run the same command with --out {0} --resume to finish",
                out.display()
            );
            Ok(())
        }
        CalibrateOutcome::Done(r) => emit(&report::calibration(&r)),
    }
}

/// `check --resolved [--json]`: the resolved scenario as TOML (the manifest's
/// `resolved_scenario`), or that same text as structured JSON.
fn resolved(scenario: &Scenario, json: bool) -> Result<String> {
    use chokepoint_core::ScenarioSource as _;
    let text = scenario.resolved_text();
    if !json {
        return Ok(text);
    }
    let value: toml::Value = toml::from_str(&text)?;
    let mut out = serde_json::to_string_pretty(&chokepoint_scenario::keys::toml_to_json(value))?;
    out.push('\n');
    Ok(out)
}

/// `backtest`: a run through the engine, then the targets' table. Targets outside their bands
/// are reported, not an error (exit code 0).
fn backtest(args: &BacktestArgs) -> Result<()> {
    let bar = Bar::new(args.run.quiet);
    let exec = Execution {
        out: args.run.out.clone(),
        shard: None,
        resume: false,
        force: args.run.force,
        threads: args.run.threads,
        progress: &bar,
        stop: signals::stop_flag(args.run.out.as_deref()),
        command: plan_argv(),
        format: args.run.format().map_err(anyhow::Error::msg)?,
        parquet_above_bytes: chokepoint_experiment::PARQUET_ABOVE_BYTES,
    };
    let r = chokepoint_experiment::backtest(&args.spec(), &Files, &exec)?;
    if r.run.interrupted {
        signals::mark_interrupted();
        eprintln!(
            "interrupted after {} replications: {} is marked partial, and backtest.csv holds those replications only",
            r.run.replications,
            r.run.out.display()
        );
    }
    let mut s = report::backtest(&r);
    writeln!(s, "wrote {}", r.run.out.display())?;
    if args.run.report && !r.run.interrupted {
        writeln!(s, "wrote {}", html::write(&r.run.out)?.display())?;
    }
    emit(&s)
}

/// Reads and validates a scenario file.
fn load_scenario(path: &Path, overrides: &[Override]) -> Result<Scenario> {
    Ok(chokepoint_engine::load_scenario(path, overrides)?)
}

/// `run`, `compare` or `sweep`: one plan through the engine, on this machine or as a shard.
fn experiment(spec: &PlanSpec, flags: &ExperimentFlags) -> Result<()> {
    experiment_showing(spec, flags, &[])
}

/// [`experiment`], also showing the sensitivity indices of `metrics` (checked to exist before
/// anything runs) when the plan is a sensitivity design.
fn experiment_showing(spec: &PlanSpec, flags: &ExperimentFlags, metrics: &[String]) -> Result<()> {
    let bar = Bar::new(flags.run.quiet);
    let mut exec = Execution {
        out: flags.run.out.clone().or_else(|| flags.resume.clone()),
        shard: flags.shard,
        resume: flags.resume.is_some(),
        force: flags.run.force,
        threads: flags.run.threads,
        progress: &bar,
        stop: signals::stop_flag(None),
        command: plan_argv(),
        format: flags.run.format().map_err(anyhow::Error::msg)?,
        parquet_above_bytes: chokepoint_experiment::PARQUET_ABOVE_BYTES,
    };
    chokepoint_experiment::check_execution(spec, &exec)?;
    let plan: Plan<Scenario> = Plan::from_spec(spec, &Files)?;
    chokepoint_experiment::check_metrics(&plan, metrics)?;
    // Fix the folder now (its default name holds the time), so that an abort can mark it.
    let folder = chokepoint_experiment::planned_folder(&plan, &exec);
    signals::set_folder(&folder);
    exec.out = Some(folder.clone());
    let report_line = |s: &mut String| -> Result<()> {
        if flags.run.report {
            writeln!(s, "wrote {}", html::write(&folder)?.display())?;
        }
        Ok(())
    };
    match chokepoint_experiment::execute(&plan, &exec)? {
        Outcome::Interrupted { out } => {
            signals::mark_interrupted();
            let resume = chokepoint_experiment::read_manifest(&out)
                .ok()
                .and_then(|m| m.resume_command);
            eprintln!(
                "interrupted: finished work is kept in {}; to finish, run\n  {}",
                out.display(),
                resume
                    .unwrap_or_else(|| format!("the same command with --resume {}", out.display()))
            );
            Ok(())
        }
        Outcome::ShardDone { shard, out } => {
            emit(&format!("shard {shard} done: {}\n", out.display()))
        }
        Outcome::Done(Report::Run(r)) => {
            let mut s = report::headline(&r);
            if r.interrupted {
                signals::mark_interrupted();
                eprintln!(
                    "interrupted after {} replications: {} is marked partial (manifest status `interrupted`)",
                    r.replications,
                    r.out.display()
                );
            } else if !r.targets_met {
                eprintln!(
                    "warning: --target-ci not met after {} replications (--max-reps)",
                    r.replications
                );
            }
            writeln!(s, "wrote {}", r.out.display())?;
            if !r.interrupted {
                report_line(&mut s)?;
            }
            emit(&s)
        }
        Outcome::Done(report) => {
            let mut s = render(&report);
            if let Report::Sweep(w) = &report {
                s.push_str(&report::sensitivity(w, metrics));
                if let Some((file, rows)) = &w.sensitivity
                    && let Some(dir) = file.parent()
                {
                    for f in sensitivity_charts::draw(dir, rows, metrics)? {
                        writeln!(s, "wrote {}", f.display())?;
                    }
                }
            }
            report_line(&mut s)?;
            emit(&s)
        }
    }
}

/// A finished compare or sweep (or a merged run) as the terminal shows it.
fn render(report: &Report) -> String {
    match report {
        Report::Run(r) => {
            let mut s = report::headline(r);
            let _ = writeln!(
                s,
                "merged {} shards into {}",
                r.merged_shards.unwrap_or(0),
                r.out.display()
            );
            s
        }
        Report::Compare(c) => report::comparison(c),
        Report::Sweep(w) => report::sweep(w),
    }
}

fn merge(args: &MergeArgs) -> Result<()> {
    let bar = Bar::new(true);
    let report = chokepoint_experiment::merge::<Scenario>(&args.shards, &args.out, &Files, &bar)?;
    emit(&render(&report))
}

/// A progress bar on standard error when it is a terminal and `--quiet` is not given.
struct Bar(ProgressBar);

impl Bar {
    fn new(quiet: bool) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return Bar(ProgressBar::hidden());
        }
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:40} {pos}/{len} replications  {per_sec}  {eta} left",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Bar(bar)
    }
}

impl Progress for Bar {
    fn start(&self, total: u64) {
        self.0.set_length(total);
    }

    fn advance(&self, n: u64) {
        self.0.inc(n);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }

    fn note(&self, text: &str) {
        self.0.suspend(|| eprintln!("note: {text}"));
    }

    fn claimed(&self, dir: &std::path::Path) {
        signals::set_folder(dir);
    }
}

fn check(args: &CheckArgs) -> Result<()> {
    let mut s = String::new();
    let scenario = load_scenario(&args.scenario, &args.set)?;
    if args.resolved {
        return emit(&resolved(&scenario, args.json)?);
    }
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
    let uncertain = scenario.uncertain();
    if !uncertain.is_empty() {
        writeln!(
            s,
            "\n{} uncertain parameters, drawn per replication:",
            uncertain.len()
        )?;
        let rows: Vec<Vec<String>> = uncertain
            .iter()
            .map(|u| {
                vec![
                    u.key.clone(),
                    u.value.clone(),
                    u.unit.to_owned(),
                    u.meaning.to_owned(),
                ]
            })
            .collect();
        s.push_str(&table::render_left(
            &["key", "distribution", "unit", "meaning"],
            &rows,
        ));
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

/// The arguments of this invocation that define its plan: everything but where the output goes,
/// which shard, resuming and execution flags. `merge` rebuilds the plan from them.
pub(crate) fn plan_argv() -> Vec<String> {
    plan_args(std::env::args().skip(1))
}

fn plan_args(args: impl IntoIterator<Item = String>) -> Vec<String> {
    const WITH_VALUE: [&str; 4] = ["--shard", "--out", "--resume", "--threads"];
    const ALONE: [&str; 2] = ["--quiet", "--force"];
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
