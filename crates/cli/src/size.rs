//! `chokepoint size`: flags in, the engine's sizing search, a table out. No logic of its own.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Result;
use chokepoint_engine::Files;
use chokepoint_experiment::size::scale::{
    DEFAULT_SCALE_RESOLUTION_SHARE, DEFAULT_SCALE_STEPS, with_unit,
};
use chokepoint_experiment::size::{
    self, Combine, DEFAULT_CONFIDENCE, DEFAULT_MAX_WEEKS, DEFAULT_RESOLUTION_WEEKS,
    DEFAULT_SIZE_REPLICATIONS, DEFAULT_STEP_WEEKS, MAX_REPLICATIONS_FACTOR, SearchConfig,
    SizeReport, SizeSpec,
};
use chokepoint_experiment::{Execution, TableFormat};
use chokepoint_scenario::Override;
use clap::Args;

/// Exit code when the target is not met within the bound (`--max-weeks` or `--budget-usd`):
/// the files are written and the risk at the largest size is printed.
pub const UNREACHABLE_EXIT: u8 = 3;

/// The target was not met within the bound: not a failure of the run, an answer.
#[derive(Debug)]
pub struct Unreachable(pub String);

impl std::fmt::Display for Unreachable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the target is not reachable: {}", self.0)
    }
}

impl std::error::Error for Unreachable {}

/// `chokepoint size`.
#[derive(Debug, Args)]
pub struct SizeArgs {
    /// Scenario files, or a benchmark suite file (`[suite]`) listing them.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// The strategies file (default: the suite's).
    #[arg(long)]
    pub strategies: Option<PathBuf>,
    /// The template strategy: who holds, the release and refill rules.
    #[arg(long)]
    pub strategy: String,
    /// The risk target: `P(METRIC > X) <= p`, `P(METRIC < X) <= p`, `mean(METRIC) <= X` or
    /// `quantile(METRIC, q) <= X`.
    #[arg(long)]
    pub target: String,
    /// An item to size, in weeks of use (repeatable; default: every item the strategy holds).
    /// Several items: greedy by risk reduction per dollar.
    #[arg(long = "item", value_name = "ITEM")]
    pub items: Vec<String>,
    /// Largest size searched, weeks of use per item [default: 52]. Not with --scale (give --max).
    #[arg(long)]
    pub max_weeks: Option<f64>,
    /// Size this numeric key of the template strategy instead of its stockpiles' weeks of use:
    /// SECTION.NAME.KEY, e.g. `floor.lynas_ndpr.budget_usd`, `grant.0.amount_usd`,
    /// `floor.lynas_ndpr.floor_usd_per_kg`. Needs --max; --step and --resolution are then in
    /// the key's unit.
    #[arg(long, value_name = "PATH")]
    pub scale: Option<String>,
    /// With --scale: the largest value searched, in the key's unit (e.g. 3e8 for USD).
    #[arg(long, value_name = "VALUE")]
    pub max: Option<f64>,
    /// Sizes whose mean stockpile cost exceeds this (USD) are not allowed.
    #[arg(long, value_name = "USD")]
    pub budget_usd: Option<f64>,
    /// First bracketing size and greedy increment, weeks [default: 4]; with --scale in the
    /// key's unit [default: --max / 8].
    #[arg(long)]
    pub step: Option<f64>,
    /// Bisection stops when the interval is this narrow, weeks [default: 1]; with --scale in
    /// the key's unit [default: --max / 32].
    #[arg(long)]
    pub resolution: Option<f64>,
    /// Confidence of the one-sided bounds a size is judged with.
    #[arg(long, default_value_t = DEFAULT_CONFIDENCE)]
    pub confidence: f64,
    /// Replications a size is first judged on (doubled while unsure, up to --max-reps).
    #[arg(long, default_value_t = DEFAULT_SIZE_REPLICATIONS)]
    pub reps: u64,
    /// Most replications per size (default: 16 × --reps).
    #[arg(long)]
    pub max_reps: Option<u64>,
    /// Combine several scenarios by weight, `NAME=W,NAME=W` (scenario names), instead of the
    /// worst case.
    #[arg(long, value_name = "NAME=W,...")]
    pub weights: Option<String>,
    /// Master seed (default: the first scenario's `seed`, else 0).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override a scenario parameter (repeatable), as for `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<Override>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Replications per batch: the unit of stopping on Ctrl-C.
    #[arg(long, default_value_t = 256)]
    pub batch: u64,
    /// Output folder (default: runs/size-<strategy>-<scenarios>-<UTC timestamp>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace the previous chokepoint output in --out.
    #[arg(long)]
    pub force: bool,
    /// Tables as `csv`, `parquet` or `both` (default: csv).
    #[arg(long, value_name = "csv|parquet|both")]
    pub format: Option<TableFormat>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
    /// When finished, also write report.html (the answer, every size, the risk curve or
    /// frontier) into the output folder, as `chokepoint report` does (it reads the CSV tables:
    /// not with --format parquet).
    #[arg(long)]
    pub report: bool,
}

fn parse_weights(s: &str) -> Result<Vec<(String, f64)>> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').ok_or_else(|| {
                anyhow::anyhow!("--weights: `{p}` is not NAME=W; write e.g. --weights a=0.7,b=0.3")
            })?;
            let w: f64 = v.trim().parse().map_err(|_| {
                anyhow::anyhow!(
                    "--weights: `{v}` is not a number; write e.g. {}=0.5",
                    k.trim()
                )
            })?;
            Ok((k.trim().to_owned(), w))
        })
        .collect()
}

impl SizeArgs {
    /// `(max, step, resolution)`: in weeks, or with `--scale` in the key's unit; the flags that
    /// belong to the other mode are refused.
    fn range(&self) -> Result<(f64, f64, f64)> {
        let Some(path) = &self.scale else {
            if let Some(m) = self.max {
                anyhow::bail!(
                    "--max {m} is the largest value of a --scale key; without --scale give --max-weeks (weeks of use), or add --scale PATH"
                );
            }
            return Ok((
                self.max_weeks.unwrap_or(DEFAULT_MAX_WEEKS),
                self.step.unwrap_or(DEFAULT_STEP_WEEKS),
                self.resolution.unwrap_or(DEFAULT_RESOLUTION_WEEKS),
            ));
        };
        if let Some(w) = self.max_weeks {
            anyhow::bail!(
                "--max-weeks {w} sizes stockpiles in weeks of use, but --scale {path} sizes one key: give --max VALUE in the key's unit instead"
            );
        }
        if !self.items.is_empty() {
            anyhow::bail!(
                "--item {} sizes stockpiles in weeks of use, but --scale {path} sizes one key: drop --item (or drop --scale)",
                self.items.join(" --item ")
            );
        }
        let Some(max) = self.max else {
            anyhow::bail!(
                "--scale {path} needs --max VALUE, the largest value to search in the key's unit (e.g. --max 3e8 for a budget in USD)"
            );
        };
        Ok((
            max,
            self.step.unwrap_or(max / DEFAULT_SCALE_STEPS),
            self.resolution
                .unwrap_or(max * DEFAULT_SCALE_RESOLUTION_SHARE),
        ))
    }

    /// What to size, as the engine's spec.
    pub fn spec(&self) -> Result<SizeSpec> {
        let (max, step, resolution) = self.range()?;
        let combine = match &self.weights {
            Some(w) => Combine::Weighted {
                weights: parse_weights(w)?,
            },
            None => Combine::WorstCase,
        };
        Ok(SizeSpec {
            scenarios: self.scenarios.clone(),
            strategies: self.strategies.clone(),
            strategy: self.strategy.clone(),
            target: self.target.clone(),
            items: self.items.clone(),
            combine,
            overrides: chokepoint_engine::assignments(&self.set),
            seed: self.seed,
            batch: self.batch,
            search: SearchConfig {
                replications: self.reps,
                max_replications: self
                    .max_reps
                    .unwrap_or(self.reps.saturating_mul(MAX_REPLICATIONS_FACTOR)),
                max_weeks: max,
                budget_usd: self.budget_usd,
                step_weeks: step,
                resolution_weeks: resolution,
                confidence: self.confidence,
            },
            scale: self.scale.clone(),
        })
    }
}

/// Runs `size` and prints its answer; an unreachable target is an [`Unreachable`] error
/// (exit [`UNREACHABLE_EXIT`]) after the table is printed.
pub fn run(args: &SizeArgs) -> Result<()> {
    let spec = args.spec()?;
    let format =
        crate::html::report_format(args.report, args.format).map_err(anyhow::Error::msg)?;
    let bar = crate::Bar::new(args.quiet);
    let exec = Execution {
        out: args.out.clone(),
        shard: None,
        resume: false,
        force: args.force,
        threads: args.threads,
        progress: &bar,
        stop: crate::signals::stop_flag(args.out.as_deref()),
        command: std::env::args().skip(1).collect(),
        format,
        parquet_above_bytes: chokepoint_experiment::PARQUET_ABOVE_BYTES,
    };
    let draw = |r: &SizeReport,
                out: &std::path::Path|
     -> Result<Vec<PathBuf>, chokepoint_experiment::BoxError> {
        crate::size_charts::draw(r, out).map_err(Into::into)
    };
    let report = match size::size(&spec, &Files, &exec, &draw) {
        Err(size::SizeError::Interrupted { dir }) => {
            crate::signals::mark_interrupted();
            eprintln!(
                "interrupted: {} is marked interrupted; sizing does not resume, run it again with --force",
                dir.display()
            );
            return Ok(());
        }
        other => other?,
    };
    let mut s = render(&report);
    writeln!(s, "wrote {}", report.out.display())?;
    if args.report {
        writeln!(s, "wrote {}", crate::html::write(&report.out)?.display())?;
    }
    crate::emit(&s)?;
    match &report.found.why_not {
        Some(why) if !report.reached() => Err(Unreachable(why.clone()).into()),
        _ => Ok(()),
    }
}

fn weeks(r: &SizeReport, w: &[f64]) -> String {
    if let Some(s) = &r.scaled {
        return format!("{} = {}", s.path, with_unit(w[0], &s.unit));
    }
    r.items
        .iter()
        .zip(w)
        .map(|(i, w)| format!("{i} {w} weeks"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The tonnes those weeks are (the stockpiles' targets).
fn tonnes(r: &SizeReport, t: &[f64]) -> String {
    if r.scaled.is_some() {
        return String::new();
    }
    let t = r
        .items
        .iter()
        .zip(t)
        .map(|(i, t)| format!("{} t of {i}", crate::table::number(*t)))
        .collect::<Vec<_>>()
        .join(", ");
    format!(" = {t}")
}

/// The answer and the risk curve as the terminal shows them.
fn render(r: &SizeReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Target {} over {} (seed {}), {} sizes evaluated:",
        r.target.text,
        r.scenarios.join(", "),
        r.seed,
        r.found.evaluated.len()
    );
    if let Some(sc) = &r.scaled {
        let _ = writeln!(
            s,
            "Scaling {} (the template's value: {}), each size costed by {}:",
            sc.path,
            with_unit(sc.template, &sc.unit),
            r.cost_metric
        );
    }
    let mut header: Vec<String> = vec!["phase".into()];
    match &r.scaled {
        Some(sc) if sc.unit.is_empty() => header.push(sc.path.clone()),
        Some(sc) => header.push(format!("{} ({})", sc.path, sc.unit)),
        None => header.extend(r.items.iter().map(|i| format!("{i} wk"))),
    }
    header.extend(
        ["reps", "risk", "upper", "decision", "cost USD"]
            .iter()
            .map(|h| (*h).to_owned()),
    );
    let rows: Vec<Vec<String>> = r
        .found
        .evaluated
        .iter()
        .map(|e| {
            let mut row = vec![e.phase.to_owned()];
            row.extend(e.weeks.iter().map(|w| format!("{w}")));
            row.extend([
                e.replications.to_string(),
                crate::table::number(e.judged.risk.estimate),
                crate::table::number(e.judged.risk.hi),
                e.decision.as_str().to_owned(),
                crate::table::number(e.judged.cost_usd),
            ]);
            row
        })
        .collect();
    let head: Vec<&str> = header.iter().map(String::as_str).collect();
    s.push_str(&crate::table::render(&head, &rows));
    match r.answer() {
        Some(a) => {
            let _ = writeln!(
                s,
                "Answer: {}{} (risk {}, upper bound {} <= {}; mean {} {} USD).",
                weeks(r, &a.weeks),
                tonnes(r, &a.judged.held_t),
                crate::table::number(a.judged.risk.estimate),
                crate::table::number(a.judged.risk.hi),
                r.target.bound,
                if r.scaled.is_some() {
                    format!("cost ({})", r.cost_metric)
                } else {
                    "stockpile cost".to_owned()
                },
                crate::table::number(a.judged.cost_usd)
            );
            if let Some(k) = r.found.known_short {
                let e = &r.found.evaluated[k];
                let _ = writeln!(
                    s,
                    "Known short: {} fails the target (lower bound {} > {}).",
                    weeks(r, &e.weeks),
                    crate::table::number(e.judged.risk.lo),
                    r.target.bound
                );
            }
        }
        None => {
            if let Some(e) = r.largest() {
                let _ = writeln!(
                    s,
                    "Not reached: {}. At the largest size, {}, the risk is {:.4} (bounds {:.4} to {:.4}).",
                    r.found
                        .why_not
                        .as_deref()
                        .unwrap_or("no size met the target"),
                    weeks(r, &e.weeks),
                    e.judged.risk.estimate,
                    e.judged.risk.lo,
                    e.judged.risk.hi
                );
            }
        }
    }
    s
}
