//! Why an experiment could not be planned, run, resumed or merged.
//!
//! Every message names the folder, file, shard, cell or flag concerned and, where there is one,
//! the fix. Errors from below (a scenario that does not load, an I/O failure) keep their own
//! message and chain as the `source`, so a front door printing the chain shows all of it.

use std::path::PathBuf;

use chokepoint_core::ParamErrors;
use chokepoint_stats::StatsError;

use crate::monte_carlo::RunError;

/// An error from outside the engine (a scenario loader, a scenario variant, a file system call),
/// shown as it is.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why an experiment failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Replications could not be run.
    #[error(transparent)]
    Run(#[from] RunError),
    /// The central parameters of a cell are invalid.
    #[error(transparent)]
    Params(#[from] ParamErrors),
    /// A statistic could not be computed (inputs of different lengths).
    #[error(transparent)]
    Stats(#[from] StatsError),
    /// A scenario or strategies file did not load, or a variant of it is invalid: the loader's
    /// or the scenario's own message.
    #[error(transparent)]
    Scenario(BoxError),
    /// A file system call failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// JSON could not be written.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// CSV could not be written.
    #[error(transparent)]
    Csv(#[from] csv::Error),
    /// A file operation failed; `context` says which file and what for.
    #[error("{context}")]
    File {
        /// `<path>: cannot ...`.
        context: String,
        /// The failure.
        source: BoxError,
    },
    /// The folder holds a different plan or shard than the one being resumed.
    #[error(
        "{}: this folder holds a different experiment or shard (plan {plan}{}); resume with exactly the same scenario, strategies, parameters, design, seed, --reps, --batch and --shard",
        dir.display(),
        shard.as_ref().map(|s| format!(", shard {s}")).unwrap_or_default()
    )]
    DifferentPlan {
        /// The folder.
        dir: PathBuf,
        /// The first 12 hex digits of the plan hash it holds.
        plan: String,
        /// The shard it holds, if any.
        shard: Option<String>,
    },
    /// A new experiment would overwrite results.
    #[error("{}: already holds results; use --resume {} to finish it, --force to delete them and start again, or another --out", .0.display(), .0.display())]
    AlreadyHoldsResults(PathBuf),
    /// Another process holds the output folder's lock.
    #[error(
        "{}: in use by {holder} (lock file {}); wait for it to finish or give another --out. If that process is gone and was on another host, delete the lock file",
        dir.display(),
        lock.display()
    )]
    FolderBusy {
        /// The folder.
        dir: PathBuf,
        /// Who holds it: pid, host, since.
        holder: String,
        /// The lock file.
        lock: PathBuf,
    },
    /// A new experiment's folder holds files that are not chokepoint's results.
    #[error(
        "{}: is not empty ({}); give a new or empty --out",
        dir.display(),
        entries.join(", ")
    )]
    FolderNotEmpty {
        /// The folder.
        dir: PathBuf,
        /// What it holds.
        entries: Vec<String>,
    },
    /// `--force` on a folder chokepoint did not write.
    #[error(
        "{}: --force deletes a previous chokepoint output, but this folder has no manifest.json ({}); give a new or empty --out",
        dir.display(),
        entries.join(", ")
    )]
    ForceNotOutput {
        /// The folder.
        dir: PathBuf,
        /// What it holds.
        entries: Vec<String>,
    },
    /// A merge would overwrite results.
    #[error("{}: already holds results; merge into a new folder", .0.display())]
    MergeTargetHoldsResults(PathBuf),
    /// Two cells report different metrics, so one table cannot hold them.
    #[error(
        "`{first}` and `{other}` report different metrics ({}), so they cannot be compared in one table; {}",
        metrics_differ(.first, .other, .only_first, .only_other),
        metrics_fix(.only_first, .only_other)
    )]
    DifferentMetrics {
        /// The first cell's scenario.
        first: String,
        /// The cell that differs.
        other: String,
        /// Metrics only the first cell reports, in its order.
        only_first: Vec<String>,
        /// Metrics only the other cell reports, in its order.
        only_other: Vec<String>,
    },
    /// `backtest` on a scenario that holds no `[[target]]`.
    #[error(
        "{}: holds no `[[target]]`, so there is nothing to backtest; add observed values as `[[target]]` entries (name, series, from, to, historical, unit, source, tolerance; docs/scenarios.md, `[[target]]`), or extend this scenario in a file that does",
        .0.display()
    )]
    NoTargets(PathBuf),
    /// `backtest` asked to run as a shard or to resume.
    #[error(
        "backtest runs on one machine in one go (no --shard or --resume); to spread it over a cluster, run the scenario with `run --shard`, `merge` the shards, and read the `target/<name>` rows of summary.csv"
    )]
    BacktestSharded,
    /// A journal line names a cell the plan does not have.
    #[error("journal names cell {cell} of a plan with {cells}")]
    JournalCell {
        /// The cell named.
        cell: usize,
        /// Cells in the plan.
        cells: usize,
    },
    /// More replications per cell than this machine can index (only on narrow targets).
    #[error("{replications} replications per cell are more than this machine can index")]
    TooManyReplications {
        /// Replications per cell asked for.
        replications: u64,
    },
    /// A journal line names a replication the plan does not have.
    #[error("journal names replication {replication} of {replications}")]
    JournalReplication {
        /// The replication named.
        replication: u64,
        /// Replications per cell.
        replications: usize,
    },
    /// Two journals hold the same unit of work.
    #[error(
        "cell {cell} replication {replication} appears twice: a shard was given twice, or shards of different plans were mixed"
    )]
    DuplicateReplication {
        /// The cell.
        cell: usize,
        /// The replication.
        replication: u64,
    },
    /// Units of work are missing from the combined journals.
    #[error(
        "cell {cell} lacks {missing} of its {replications} replications: a shard is missing or unfinished"
    )]
    MissingReplications {
        /// The cell.
        cell: usize,
        /// How many are missing.
        missing: usize,
        /// Replications per cell.
        replications: usize,
    },
    /// Journals hold per-step accumulators of different shapes.
    #[error("per-step accumulators of different shapes")]
    SeriesShape(#[source] StatsError),
    /// `merge` was given no folder.
    #[error("merge needs at least one shard folder")]
    NoShards,
    /// A folder given to `merge` is not a shard.
    #[error("{}: not a shard folder (run with --shard I/N)", .0.display())]
    NotAShard(PathBuf),
    /// A shard folder's manifest holds no plan spec (written by an older version).
    #[error(
        "{}: its manifest records no plan spec (written by an older chokepoint); run the shards again with this version",
        .0.display()
    )]
    NoSpec(PathBuf),
    /// A shard's manifest holds a malformed `I/N`.
    #[error("{}: {message}", dir.display())]
    BadShard {
        /// The folder.
        dir: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Shards of different plans were given to `merge`.
    #[error(
        "{} belongs to another plan than {} (plan {plan} of {count} shards, not {first_plan} of {first_count})",
        dir.display(),
        first_dir.display()
    )]
    OtherPlan {
        /// The folder that differs.
        dir: PathBuf,
        /// The first folder.
        first_dir: PathBuf,
        /// Its plan (12 hex digits).
        plan: String,
        /// Its shard count.
        count: u64,
        /// The first folder's plan.
        first_plan: String,
        /// The first folder's shard count.
        first_count: u64,
    },
    /// A shard has not finished.
    #[error(
        "{}: shard {shard} is not finished (status `{status}`); resume it with --resume {}",
        dir.display(),
        dir.display()
    )]
    UnfinishedShard {
        /// The folder.
        dir: PathBuf,
        /// Which shard.
        shard: String,
        /// Its manifest's status.
        status: String,
    },
    /// A shard was given twice.
    #[error("shard {shard} is given twice: {} and {}", first.display(), second.display())]
    ShardTwice {
        /// Which shard.
        shard: String,
        /// One folder.
        first: PathBuf,
        /// The other.
        second: PathBuf,
    },
    /// Shards are missing.
    #[error("missing shard(s) {}: give every shard folder of the plan", .0.join(", "))]
    MissingShards(Vec<String>),
    /// The inputs changed between running the shards and merging them.
    #[error(
        "the scenario or strategy files changed since the shards ran (plan {now} now, {recorded} in the shards)"
    )]
    PlanChanged {
        /// The rebuilt plan's hash (12 hex digits).
        now: String,
        /// The shards' (12 hex digits).
        recorded: String,
    },
    /// A plain run cannot resume.
    #[error(
        "--resume finishes a shard: use it with --shard I/N (a whole run is short enough to run again)"
    )]
    ResumeWithoutShard,
    /// `merge` or `--resume` given the folder of a plain run.
    #[error(
        "{}: the folder of a plain `run` (its results are final), not of a shard or a journalled experiment; `merge` combines the folders of `--shard I/N` runs, and `--resume` finishes a compare, sweep or shard",
        .0.display()
    )]
    NotAnExperimentFolder(PathBuf),
    /// A journal record that does not verify: changed, of another plan, or not a record.
    #[error(
        "{}, line {line}: {reason}; the journal cannot be trusted: start the experiment again in a new folder (or --force)",
        path.display()
    )]
    JournalRecord {
        /// The journal.
        path: PathBuf,
        /// Its line, from 1.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// Precision targets decide the number of replications as they go.
    #[error(
        "--target-ci decides the number of replications as it goes, so it cannot be sharded; give --reps instead"
    )]
    TargetsSharded,
    /// A comparison without strategies.
    #[error("compare needs --strategies FILE (or a suite file that names one)")]
    NoStrategies,
    /// A strategies file with no strategy.
    #[error("{}: holds no strategy", .0.display())]
    EmptyStrategies(PathBuf),
    /// A comparison without scenarios.
    #[error("compare needs at least one scenario")]
    NoScenarios,
    /// The baseline is not one of the strategies.
    #[error(
        "--baseline `{baseline}` is not a strategy in {}{hint}; strategies: {known}",
        file.display()
    )]
    UnknownBaseline {
        /// The name given.
        baseline: String,
        /// The strategies file.
        file: PathBuf,
        /// Did-you-mean.
        hint: String,
        /// The strategies there are.
        known: String,
    },
    /// The objective is not a metric.
    #[error("--objective `{objective}` is not a metric{hint}")]
    UnknownObjective {
        /// The name given.
        objective: String,
        /// Did-you-mean.
        hint: String,
    },
    /// A sensitivity design that cannot be made, or outputs that do not fit it.
    #[error(transparent)]
    Gsa(#[from] chokepoint_gsa::GsaError),
    /// A `--metric` that is not a metric of the scenario.
    #[error(
        "--metric `{name}` is not a metric of the scenario{hint}; `chokepoint metrics` lists them"
    )]
    UnknownMetric {
        /// The name given.
        name: String,
        /// Did-you-mean.
        hint: String,
    },
    /// A metric the ranking table shows is not reported.
    #[error("metric {0} missing")]
    MissingMetric(String),
    /// A strategy cannot be applied to a scenario.
    #[error("strategy `{strategy}` on {}", path.display())]
    Strategy {
        /// The strategy.
        strategy: String,
        /// The scenario file.
        path: PathBuf,
        /// Why.
        source: BoxError,
    },
    /// A benchmark suite file is malformed.
    #[error("{}: {message}", path.display())]
    Suite {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A benchmark suite file has problems, each at its file, line and column, all listed.
    #[error("{} problem(s) in the benchmark suite file:{}", .0.len(), problem_lines(.0))]
    SuiteProblems(Vec<chokepoint_diagnostics::Problem>),
    /// The same thing given twice where each must be unique (issue 13): a scenario in
    /// `compare`, two scenarios with one `scenario.name`, a swept parameter.
    #[error("{what} is given twice: {first} and {second}\n    fix: {fix}")]
    Duplicate {
        /// What is duplicated.
        what: String,
        /// Where it is first given.
        first: String,
        /// Where it is given again.
        second: String,
        /// What to do.
        fix: String,
    },
    /// A sweep without parameters.
    #[error("sweep needs at least one --param PATH=LO:HI")]
    NoParams,
    /// An end of a swept range is not a valid value of its key.
    #[error("--param {path}={lo}:{hi}: at {value}:\n{problem}")]
    ParamEnd {
        /// The key path.
        path: String,
        /// Range start.
        lo: f64,
        /// Range end.
        hi: f64,
        /// The end that failed.
        value: f64,
        /// What the scenario said.
        problem: BoxError,
    },
    /// A grid with more points than can be counted (K to the power of the parameters).
    #[error(
        "{design} over {params} parameters has more points than this machine can count; use fewer levels or `lhs:K`"
    )]
    DesignTooLarge {
        /// The design asked for.
        design: crate::Design,
        /// How many parameters it spans.
        params: usize,
    },
    /// A folder named on the command line (a shard, a folder to resume) does not exist.
    #[error(
        "{}: no such folder; give the folders the shards (or the interrupted run) wrote, e.g. `chokepoint merge runs/s0 runs/s1 --out runs/merged`",
        .0.display()
    )]
    NoSuchFolder(PathBuf),
    /// A folder that holds no `manifest.json`.
    #[error(
        "{}: holds no manifest.json, so it is not an experiment or shard folder chokepoint wrote; give the folder of a `--shard I/N` (or of the interrupted run)",
        .0.display()
    )]
    NoManifest(PathBuf),
    /// More worker threads than any machine needs.
    #[error(
        "{threads} threads is more than the maximum, {max}: more threads than cores only adds overhead; give the machine's core count, or 0 for all cores"
    )]
    TooManyThreads {
        /// Asked for.
        threads: usize,
        /// The most allowed.
        max: usize,
    },
    /// The plan would need more memory or disk than there is ([`crate::admission`]).
    #[error(transparent)]
    TooBig(#[from] crate::admission::TooBig),
    /// A design point gives an invalid scenario.
    #[error("design point {index}")]
    DesignPoint {
        /// Which point.
        index: usize,
        /// Why.
        source: BoxError,
    },
}

/// Each problem on its own indented line.
fn problem_lines(problems: &[chokepoint_diagnostics::Problem]) -> String {
    use std::fmt::Write as _;
    problems.iter().fold(String::new(), |mut s, p| {
        let _ = write!(s, "\n  {p}");
        s
    })
}

impl Error {
    /// Wraps an error from outside the engine.
    pub(crate) fn scenario(e: impl Into<BoxError>) -> Self {
        Error::Scenario(e.into())
    }

    /// Whether the run itself failed (I/O, the engine, a folder in use): exit code 1. Every
    /// other error is about what was asked for (a bad scenario, flag, file or folder; exit
    /// code 2).
    #[must_use]
    pub fn is_run_failure(&self) -> bool {
        matches!(
            self,
            Error::Io(_)
                | Error::File { .. }
                | Error::Json(_)
                | Error::Csv(_)
                | Error::Stats(_)
                | Error::SeriesShape(_)
                | Error::FolderBusy { .. }
        )
    }

    /// A file operation that failed, with what it was for.
    pub(crate) fn file(context: String, source: impl Into<BoxError>) -> Self {
        Error::File {
            context,
            source: source.into(),
        }
    }
}

/// The largest number of metric names a `DifferentMetrics` message lists per side (a scenario
/// with other items differs in dozens of per-item metrics; the first few say which).
const METRICS_NAMED: usize = 6;

/// Metric names, at most [`METRICS_NAMED`] of them, then how many more.
fn name_metrics(names: &[String]) -> String {
    let shown: Vec<String> = names
        .iter()
        .take(METRICS_NAMED)
        .map(|n| format!("`{n}`"))
        .collect();
    let more = names.len().saturating_sub(METRICS_NAMED);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// Which metrics one cell has and the other lacks, in words.
fn metrics_differ(
    first: &str,
    other: &str,
    only_first: &[String],
    only_other: &[String],
) -> String {
    let mut parts = Vec::new();
    if !only_first.is_empty() {
        parts.push(format!("only `{first}` has {}", name_metrics(only_first)));
    }
    if !only_other.is_empty() {
        parts.push(format!("only `{other}` has {}", name_metrics(only_other)));
    }
    if parts.is_empty() {
        "the same metrics in another order".to_owned()
    } else {
        parts.join("; ")
    }
}

/// The fix for a `DifferentMetrics`: lever metrics can be switched on; plans, items and targets
/// cannot be made alike, so those scenarios are compared separately.
fn metrics_fix(only_first: &[String], only_other: &[String]) -> String {
    // Recycling metrics (issue 18) have their own switch beside the lever metrics'.
    let missing = || only_first.iter().chain(only_other);
    if missing().any(|m| chokepoint_core::is_recycling_metric(m))
        && missing()
            .all(|m| chokepoint_core::is_recycling_metric(m) || chokepoint_core::is_lever_metric(m))
    {
        return "the missing ones are recycling (and lever) metrics: add `--set scenario.lever_metrics=true --set scenario.recycling_metrics=true` (or both `[scenario]` keys in the scenario without them) so every cell reports them".to_owned();
    }
    let missing_only_levers = only_first
        .iter()
        .chain(only_other)
        .all(|m| chokepoint_core::is_lever_metric(m));
    let missing_only_plans = only_first
        .iter()
        .chain(only_other)
        .all(|m| chokepoint_core::is_lever_metric(m) || chokepoint_core::is_plan_metric(m));
    let missing_only_switchable = only_first
        .iter()
        .chain(only_other)
        .all(|m| chokepoint_core::is_lever_metric(m) || chokepoint_core::is_sourcing_metric(m));
    if missing_only_switchable
        && !missing_only_levers
        && !(only_first.is_empty() && only_other.is_empty())
    {
        "the missing ones include `sourcing_premium_usd`: add `--set scenario.lever_metrics=true --set scenario.sourcing_metrics=true` (or both keys in `[scenario]` of the scenario without them) so every cell reports them".to_owned()
    } else if missing_only_plans
        && !missing_only_levers
        && !(only_first.is_empty() && only_other.is_empty())
    {
        "the missing ones include planned-capacity metrics, which only a scenario with a producer `plan` reports: compare the scenarios with and without plans separately".to_owned()
    } else if missing_only_levers && !(only_first.is_empty() && only_other.is_empty()) {
        "the missing ones are lever metrics: add `--set scenario.lever_metrics=true` (or `[scenario] lever_metrics = true` in the scenario without them) so every cell reports them".to_owned()
    } else {
        "their items or their `[[target]]` entries differ; compare them separately".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::metrics_fix;

    #[test]
    fn a_missing_sourcing_metric_names_its_switch() {
        let only = vec!["sourcing_premium_usd".to_owned()];
        assert!(metrics_fix(&only, &[]).contains("scenario.sourcing_metrics=true"));
        let levers = vec!["floor_paid_usd".to_owned()];
        assert!(metrics_fix(&levers, &[]).contains("scenario.lever_metrics=true"));
        let mixed = vec![
            "floor_paid_usd".to_owned(),
            "sourcing_premium_usd".to_owned(),
        ];
        assert!(metrics_fix(&[], &mixed).contains("scenario.sourcing_metrics=true"));
    }
}
