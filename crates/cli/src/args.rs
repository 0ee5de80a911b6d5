//! Command-line flags, as close to what the user typed as possible.

use std::path::PathBuf;

use chokepoint_experiment::{CompareSpec, PlanSpec, PrecisionTarget, RunSpec, Settings, SweepSpec};
use chokepoint_scenario::Override;
use clap::{Args, Parser, Subcommand};

/// Simulate export-control disruptions of rare-earth and magnet supply chains.
#[derive(Debug, Parser)]
#[command(
    name = "chokepoint",
    version,
    about = "Simulate export-control disruptions of rare-earth and magnet supply chains as a Monte Carlo experiment.",
    after_help = "Exit codes: 0 ok; 1 the run failed (I/O, the engine, an output folder in use by another process); 2 bad usage or input (flags, scenario, files, an output folder that is not empty); 3 `size`: the target is not reachable within the bound; 130 stopped by Ctrl-C (SIGINT), 143 stopped by SIGTERM (e.g. Slurm preemption): finished work is kept and the manifest says `interrupted` with the command that resumes it.\n\nDocs: README.md, docs/scenarios.md, docs/outputs.md (exit codes, locking, resume), docs/experiments.md, docs/cluster.md, docs/model.md"
)]
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
    /// Compare stockpile strategies on common random numbers, on one or more scenarios.
    Compare(CompareArgs),
    /// Merge the shard folders of one `run`, `compare` or `sweep` into its final files.
    Merge(MergeArgs),
    /// Sweep scenario parameters over a grid or Latin hypercube (resumable).
    Sweep(SweepArgs),
    /// Draw fan charts of a run's series (and its backtest targets) as SVG into <run>/plots/.
    Plot(PlotArgs),
    /// Run a scenario and compare its `[[target]]`s with their observed values (backtest.csv).
    Backtest(BacktestArgs),
    /// Write report.html (tables and charts in one self-contained file) and plots/ (the charts
    /// as SVG and PNG) into a finished run, backtest, compare or sweep folder.
    Report(ReportArgs),
    /// Fit scenario parameters to historical targets: Latin hypercube, then Nelder–Mead, on
    /// common random numbers (resumable).
    Calibrate(CalibrateArgs),
    /// Print the JSON Schema of an input file kind (for editors: docs/scenarios.md, Editor
    /// support), or write every kind's into --out DIR (scenario, strategies, suite and
    /// calibration .schema.json).
    Schema(SchemaArgs),
    /// Scenario discovery: find the box of swept parameters (PRIM) where a metric crosses a
    /// threshold, in a finished sweep's folder.
    Discover(DiscoverArgs),
    /// Global sensitivity: Sobol indices or Morris screening of the scenario's uncertain
    /// numbers (a resumable sweep over their distributions; writes sensitivity.csv).
    Sensitivity(SensitivityArgs),
    /// Find the smallest stockpile (weeks of use of a strategy's holdings) that meets a risk
    /// target, on common random numbers, with a sequential test; exits 3 when the target is
    /// not reachable within --max-weeks or --budget-usd.
    Size(crate::size::SizeArgs),
}

/// `chokepoint discover`.
#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// The folder of a finished sweep (best a Latin hypercube, `--design lhs:K` with K in the
    /// hundreds: each design point is one case).
    pub sweep: PathBuf,
    /// The outcome: a metric's name (its mean over each point's replications) or any column of
    /// sweep.csv, e.g. `lost_output_usd_p95`.
    #[arg(long, value_name = "NAME")]
    pub metric: String,
    /// Cases of interest have the outcome above this value (below it with --below).
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    pub threshold: f64,
    /// Cases of interest have the outcome below the threshold.
    #[arg(long)]
    pub below: bool,
    /// The strategy whose rows to use, when the sweep ran strategies.
    #[arg(long, value_name = "NAME")]
    pub strategy: Option<String>,
    /// The chosen box is the densest that holds at least this share of the cases of interest.
    #[arg(long, value_name = "SHARE", default_value_t = chokepoint_experiment::DEFAULT_MIN_COVERAGE)]
    pub min_coverage: f64,
    /// Share of the box's cases one peel removes.
    #[arg(long, value_name = "SHARE", default_value_t = chokepoint_experiment::PrimSettings::default().peel_alpha)]
    pub peel_alpha: f64,
    /// Share of the box's cases one paste adds back.
    #[arg(long, value_name = "SHARE", default_value_t = chokepoint_experiment::PrimSettings::default().paste_alpha)]
    pub paste_alpha: f64,
    /// Peeling stops before the box would hold less than this share of all cases.
    #[arg(long, value_name = "SHARE", default_value_t = chokepoint_experiment::PrimSettings::default().mass_min)]
    pub mass_min: f64,
    /// Output folder (default: `discover` inside the sweep's folder); must be empty.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Replace what the output folder holds.
    #[arg(long)]
    pub force: bool,
    /// Tables as `csv`, `parquet` or `both` (default: csv).
    #[arg(long, value_name = "csv|parquet|both")]
    pub format: Option<chokepoint_experiment::TableFormat>,
    /// When finished, also write report.html (the box, its table and charts) into the output
    /// folder, as `chokepoint report` does (it reads the CSV tables: not with --format parquet).
    #[arg(long)]
    pub report: bool,
}

impl DiscoverArgs {
    /// The library's spec.
    #[must_use]
    pub fn spec(&self) -> chokepoint_experiment::DiscoverSpec {
        chokepoint_experiment::DiscoverSpec {
            sweep: self.sweep.clone(),
            metric: self.metric.clone(),
            threshold: self.threshold,
            side: if self.below {
                chokepoint_experiment::Side::Below
            } else {
                chokepoint_experiment::Side::Above
            },
            strategy: self.strategy.clone(),
            min_coverage: self.min_coverage,
            prim: chokepoint_experiment::PrimSettings {
                peel_alpha: self.peel_alpha,
                paste_alpha: self.paste_alpha,
                mass_min: self.mass_min,
            },
            out: self
                .out
                .clone()
                .unwrap_or_else(|| self.sweep.join("discover")),
            force: self.force,
            format: self.format.unwrap_or_default(),
        }
    }
}

/// `chokepoint schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Folder to write the schema files into (the repository ships them in `schemas/`).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The file kind whose schema is printed (without --out).
    #[arg(long, default_value = "scenario", value_parser = clap::builder::PossibleValuesParser::new(
        chokepoint_engine::InputKind::ALL.map(chokepoint_engine::InputKind::name)))]
    pub kind: String,
}

/// `chokepoint plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// The run's output folder (with timeseries.csv; backtest.csv is charted too when present).
    pub run: PathBuf,
    /// A per-step variable of timeseries.csv to draw as a fan chart, e.g. `price_ratio/dy`
    /// (repeatable).
    #[arg(long = "series", value_name = "VARIABLE")]
    pub series: Vec<String>,
    /// Multiply the series by F (e.g. a base price in USD/kg, to turn a price ratio into a price).
    #[arg(long, value_name = "F", default_value_t = 1.0)]
    pub scale: f64,
    /// Observed points to overlay: a CSV with a header `date,value[,label]`, in the scaled unit.
    #[arg(long, value_name = "FILE")]
    pub points: Option<PathBuf>,
    /// Chart title (default: the variable's name).
    #[arg(long)]
    pub title: Option<String>,
    /// y axis label with its unit (default: the variable's name, times the scale if not 1).
    #[arg(long)]
    pub ylabel: Option<String>,
    /// Do not mark the scenario's measures (read from the run's manifest.json).
    #[arg(long)]
    pub no_markers: bool,
}

/// `chokepoint backtest`: a run plus each target's model p5/p50/p95 beside its observed value.
/// Exits 0 whether or not targets fall inside their bands: a backtest reports, it does not judge.
#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// The scenario file (TOML), with `[[target]]` entries.
    pub scenario: PathBuf,
    /// Replications, seed, output.
    #[command(flatten)]
    pub run: RunFlags,
}

impl BacktestArgs {
    /// The run behind the backtest, as the engine's run spec.
    pub fn spec(&self) -> RunSpec {
        RunSpec {
            scenario: self.scenario.clone(),
            overrides: assignments(&self.run.set),
            settings: self.run.settings(),
            targets: Vec::new(),
            // Read only with precision targets, which a backtest does not take.
            max_replications: 0,
        }
    }
}

/// `chokepoint run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Replications, seed, output, sharding.
    #[command(flatten)]
    pub common: ExperimentFlags,
    /// Add batches of replications until the 95 % interval half-width of METRIC is at most
    /// HALFWIDTH (repeatable).
    #[arg(long = "target-ci", value_name = "METRIC=HALFWIDTH", value_parser = parse_target)]
    pub target_ci: Vec<PrecisionTarget>,
    /// Most replications --target-ci may run.
    #[arg(long, default_value_t = 100_000)]
    pub max_reps: u64,
}

/// Flags shared by `run`, `compare` and `sweep`: how many replications, where the output goes
/// (`RunFlags`), sharding and resuming.
#[derive(Debug, Args)]
pub struct ExperimentFlags {
    /// Run only shard I of N (`--shard 0/4`): the units whose run id is I modulo N. Combine the
    /// shard folders with `chokepoint merge`.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<chokepoint_experiment::Shard>,
    /// Replications, seed, output.
    #[command(flatten)]
    pub run: RunFlags,
    /// Finish an interrupted journalled experiment (compare, sweep, or any --shard) in this
    /// folder (same arguments otherwise). A plain `run` is not journalled: run it again with
    /// --force, or as --shard 0/1 to make it resumable.
    #[arg(long, conflicts_with = "force")]
    pub resume: Option<PathBuf>,
}

/// Flags of every command that runs one plan on this machine (`run`, `compare`, `sweep`,
/// `backtest`): replications, seed, threads, output folder, overrides.
#[derive(Debug, Args)]
pub struct RunFlags {
    /// Replications (per cell for compare and sweep). Default: the scenario's `replications`,
    /// else 1000. With `run --target-ci`, the least to run.
    #[arg(long)]
    pub reps: Option<u64>,
    /// Master seed (default: the scenario's `seed`, else 0).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores; at most 1024: more threads than cores only adds
    /// overhead). Results do not depend on it.
    #[arg(long, default_value_t = 0, value_parser = parse_threads)]
    pub threads: usize,
    /// Output folder (default: runs/<name>-<UTC timestamp>/). It must be new or empty, unless
    /// --force.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the previous chokepoint output in --out: its files are deleted first, so old and
    /// new results never mix (refused on a folder without manifest.json).
    #[arg(long)]
    pub force: bool,
    /// Override a scenario parameter: `--set shock.april_regime.approval.us.default=0.5` (repeatable; array
    /// entries by index or name). Validated like the file.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<Override>,
    /// Replications per batch: the unit of --target-ci checks and of stopping on Ctrl-C.
    #[arg(long, default_value_t = 256)]
    pub batch: u64,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// When finished, also write report.html and plots/ into the output folder, as
    /// `chokepoint report` does.
    #[arg(long)]
    pub report: bool,
    /// Result tables as `csv`, `parquet` or `both` (default: csv; a sweep whose sweep.csv would
    /// exceed 256 MB writes Parquet unless --format says otherwise). Parquet files carry the
    /// manifest under the key `chokepoint.manifest`.
    #[arg(long, value_name = "csv|parquet|both")]
    pub format: Option<chokepoint_experiment::TableFormat>,
}

/// `chokepoint report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The output folder of a finished `run`, `backtest`, `compare` or `sweep` (merged, if it
    /// ran as shards).
    pub folder: PathBuf,
}

fn parse_target(s: &str) -> Result<PrecisionTarget, String> {
    let (metric, hw) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not METRIC=HALFWIDTH, e.g. `unmet_demand_share=0.001`"))?;
    let half_width: f64 = hw
        .trim()
        .parse()
        .map_err(|_| format!("`{hw}` is not a number; write e.g. `{metric}=0.01`"))?;
    if !(half_width.is_finite() && half_width > 0.0) {
        return Err(format!("the half-width must be a number > 0, not `{hw}`"));
    }
    Ok(PrecisionTarget {
        metric: metric.trim().to_owned(),
        half_width,
    })
}

/// `chokepoint check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// Override a scenario parameter, as for `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<Override>,
    /// Print the fully resolved scenario (after `extends` and `--set`) instead of the timeline;
    /// with --json, as JSON for other tools.
    #[arg(long)]
    pub resolved: bool,
    /// With --resolved: print JSON (the manifest's `resolved_scenario` as structured data).
    #[arg(long, requires = "resolved")]
    pub json: bool,
}

/// `chokepoint diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The first scenario.
    pub a: PathBuf,
    /// The second scenario.
    pub b: PathBuf,
}

/// `chokepoint compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario files, or a benchmark suite file (`[suite]`) listing them.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// The strategies file (default: the suite's).
    #[arg(long)]
    pub strategies: Option<PathBuf>,
    /// The strategy the others are compared with (default: the first).
    #[arg(long)]
    pub baseline: Option<String>,
    /// Metric to rank by, lower is better (default: `total_cost_usd`).
    #[arg(long)]
    pub objective: Option<String>,
    /// Replications, seed, output, sharding.
    #[command(flatten)]
    pub common: ExperimentFlags,
}

/// `chokepoint sweep`.
#[derive(Debug, Args)]
pub struct SweepArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// A swept parameter and its range (repeatable): `--param shock.0.duration_weeks=4:52`.
    #[arg(long, value_name = "PATH=LO:HI")]
    pub param: Vec<chokepoint_experiment::ParamRange>,
    /// `grid:K` (K levels per parameter, every combination), `lhs:K` (K points) or `oat` (one
    /// at a time from the middle of the ranges: writes tornado.csv too).
    #[arg(long)]
    pub design: chokepoint_experiment::Design,
    /// Also run every strategy of this file at every point (common random numbers).
    #[arg(long)]
    pub strategies: Option<PathBuf>,
    /// Replications, seed, output, sharding.
    #[command(flatten)]
    pub common: ExperimentFlags,
}

/// `chokepoint merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Every shard folder of the plan.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Where to write the merged files.
    #[arg(long)]
    pub out: PathBuf,
}

/// `chokepoint calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// The calibration file (TOML; see docs/experiments.md, Calibration).
    pub calibration: PathBuf,
    /// Output folder (default: runs/calibrate-<name>-<UTC timestamp>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Continue the interrupted calibration in --out (same calibration file and scenario).
    #[arg(long, requires = "out")]
    pub resume: bool,
    /// Worker threads (default: all cores; at most 1024: more threads than cores only adds
    /// overhead). Results do not depend on it.
    #[arg(long, default_value_t = 0, value_parser = parse_threads)]
    pub threads: usize,
    /// Replications per batch: the unit of stopping on Ctrl-C. Results do not depend on it.
    #[arg(long, default_value_t = 256)]
    pub batch: u64,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// Test hook: stop, as on Ctrl-C, after N candidates were evaluated afresh.
    #[arg(long, hide = true, value_name = "N")]
    pub stop_after: Option<usize>,
}

/// `--set` values as the engine records them (the engine facade's, shared with Python).
pub use chokepoint_engine::assignments;

impl RunFlags {
    /// `--format` as the engine takes it. The HTML report reads the CSV tables, so with
    /// `--report` an unset format means CSV and `parquet` alone is refused.
    pub fn format(&self) -> Result<Option<chokepoint_experiment::TableFormat>, String> {
        crate::html::report_format(self.report, self.format)
    }

    fn settings(&self) -> Settings {
        Settings {
            seed: self.seed,
            replications: self.reps,
            batch: self.batch,
        }
    }
}

impl RunArgs {
    /// What to run, as the engine's plan spec.
    pub fn spec(&self) -> PlanSpec {
        PlanSpec::Run(RunSpec {
            scenario: self.scenario.clone(),
            overrides: assignments(&self.common.run.set),
            settings: self.common.run.settings(),
            targets: self.target_ci.clone(),
            max_replications: self.max_reps,
        })
    }
}

impl CompareArgs {
    /// What to compare, as the engine's plan spec.
    pub fn spec(&self) -> PlanSpec {
        PlanSpec::Compare(CompareSpec {
            scenarios: self.scenarios.clone(),
            strategies: self.strategies.clone(),
            baseline: self.baseline.clone(),
            objective: self.objective.clone(),
            overrides: assignments(&self.common.run.set),
            settings: self.common.run.settings(),
        })
    }
}

impl SweepArgs {
    /// What to sweep, as the engine's plan spec.
    pub fn spec(&self) -> PlanSpec {
        PlanSpec::Sweep(SweepSpec {
            scenario: self.scenario.clone(),
            params: self.param.clone(),
            design: self.design,
            strategies: self.strategies.clone(),
            overrides: assignments(&self.common.run.set),
            settings: self.common.run.settings(),
        })
    }
}

/// `--threads N`: 0 (all cores) to the engine's
/// [`MAX_THREADS`](chokepoint_experiment::MAX_THREADS), checked by the engine's own rule.
fn parse_threads(s: &str) -> Result<usize, String> {
    let n: usize = s.trim().parse().map_err(|_| {
        format!("`{s}` is not a whole number ≥ 0; write e.g. --threads 4 (0: all cores)")
    })?;
    chokepoint_experiment::check_threads(n).map_err(|e| e.to_string())?;
    Ok(n)
}

/// Base points of a Sobol analysis when --n is not given: 64 (a power of two, as the Sobol
/// sequence wants) gives intervals of about ±0.1 on the indices of a smooth model, enough to
/// rank a handful of inputs; raise it (256, 1024) to read the indices themselves.
pub const DEFAULT_BASE_POINTS: usize = 64;

/// Morris trajectories when --trajectories is not given: 20, within the 10–50 Campolongo et
/// al. (2007) recommend for screening.
pub const DEFAULT_TRAJECTORIES: usize = 20;

/// `--method`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    /// First-order and total Sobol indices (Saltelli design, N × (inputs + 2) points).
    Sobol,
    /// Morris elementary effects (R × (inputs + 1) points): screening.
    Morris,
}

/// `chokepoint sensitivity`.
#[derive(Debug, Args)]
pub struct SensitivityArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// `sobol` (variance shares) or `morris` (screening, fewer runs).
    #[arg(long, value_enum)]
    pub method: Method,
    /// An input (repeatable): `PATH`, a number the scenario gives as a distribution, or
    /// `PATH=LO:HI`, any key over a uniform range. Default: every distribution in the scenario.
    #[arg(long, value_name = "PATH[=LO:HI]")]
    pub param: Vec<String>,
    /// Sobol: base points N (N × (inputs + 2) design points; a power of two).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_BASE_POINTS, conflicts_with = "trajectories")]
    pub n: usize,
    /// Morris: trajectories R (R × (inputs + 1) design points).
    #[arg(long, value_name = "R", default_value_t = DEFAULT_TRAJECTORIES)]
    pub trajectories: usize,
    /// A metric to show in the terminal (repeatable; sensitivity.csv has every metric).
    /// Default: `unmet_magnet_t`, `any_halt`, `firm_weeks_halted`, `lost_output_usd`.
    #[arg(long, value_name = "NAME")]
    pub metric: Vec<String>,
    /// Replications per design point (--reps K: the output at a point is their mean), seed,
    /// output, sharding, resuming.
    #[command(flatten)]
    pub common: ExperimentFlags,
}

impl SensitivityArgs {
    /// The design the method asks for.
    #[must_use]
    pub fn design(&self) -> chokepoint_experiment::Design {
        match self.method {
            Method::Sobol => chokepoint_experiment::Design::Sobol(self.n),
            Method::Morris => chokepoint_experiment::Design::Morris(self.trajectories),
        }
    }

    /// The sweep the analysis runs, over `params` (worked out from the scenario).
    #[must_use]
    pub fn spec(&self, params: Vec<chokepoint_experiment::ParamRange>) -> PlanSpec {
        PlanSpec::Sweep(SweepSpec {
            scenario: self.scenario.clone(),
            params,
            design: self.design(),
            strategies: None,
            overrides: assignments(&self.common.run.set),
            settings: self.common.run.settings(),
        })
    }
}
