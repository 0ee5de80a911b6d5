//! `calibrate`: fit behavioural parameters of a scenario to historical targets.
//!
//! A calibration file (format in [`file`]) names a scenario, the free parameters with their
//! ranges (linear or log scale), the search budget and the seed. Each **candidate** is the
//! scenario with the parameters set, run for `replications` replications with the file's seed
//! and run ids `0..replications`: every candidate sees the same draws (common random numbers),
//! through the same [`monte_carlo::run`] as `chokepoint run`, so the loss of a candidate does not
//! depend on the thread count and differences between candidates come from the parameters.
//!
//! **Loss.** For fit targets `t` (metric, historical value `h`, relative tolerance `τ`, weight
//! `w`) and the statistic `s` of the metric over the replications (the median by default):
//!
//! ```text
//! loss = Σ_t w_t × ( ln(max(s_t, φ h_t) / h_t) / ln(1 + τ_t) )²
//! ```
//!
//! A target off by exactly its tolerance (a factor `1 + τ` either way) adds `w`. `φ` =
//! [`STAT_FLOOR_SHARE`]: a statistic at or below zero (or NaN) counts as `φ h`, a finite,
//! large loss (the logarithm is undefined there).
//!
//! **Search** ([`search`]): a seeded Latin hypercube, then Nelder–Mead from its best point, in
//! unit-box coordinates, clamped at the bounds. The chosen values are those of the candidate
//! with the lowest loss (the earliest one on a tie).
//!
//! **Journal and resume.** Every candidate is appended to `candidates.jsonl` as it is evaluated.
//! Resuming replays the deterministic search and takes each candidate the journal already holds
//! (checking that the values match), so a resumed calibration writes the same files as one that
//! was never interrupted. The manifest records a hash of the calibration file, the resolved
//! scenario and the targets; resuming with anything else is refused.

mod error;
mod file;
mod load;
mod output;
pub mod search;

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use chokepoint_core::{Model, ScenarioSource};
use chokepoint_stats::Summary;
use serde::{Deserialize, Serialize};

use crate::engine::{Progress, output_folder, resolve_threads};
use crate::monte_carlo::{self, MonteCarlo, RunError};
use chokepoint_diagnostics::did_you_mean;
use search::{Ended, Phase, SearchSettings};

pub use error::{CalibrationError, Problem};
pub use file::calibration_schema;
pub use output::{CalibrationManifest, FitRow};

/// A statistic below this share of the historical value (or not above zero, or NaN) counts as
/// this share of it: ln(0.001) / ln(1.3) ≈ −26, a loss of ≈ 690 × weight. A numerical guard,
/// not a parameter: the logarithmic loss is undefined at zero.
pub const STAT_FLOOR_SHARE: f64 = 1e-3;

/// How a parameter's range maps to the unit interval the search moves in.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// `min + u × (max − min)`.
    #[default]
    Linear,
    /// `min × (max / min)^u`: equal steps are equal ratios (for rates spanning decades).
    Log,
}

/// Which statistic of a metric over the replications is compared with history.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Statistic {
    /// The median (the default: robust to a few extreme replications).
    #[default]
    P50,
    /// The mean.
    Mean,
}

impl Statistic {
    /// `p50` or `mean`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Statistic::P50 => "p50",
            Statistic::Mean => "mean",
        }
    }
}

/// One free parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    /// Scenario key path, as for `--set`.
    pub key: String,
    /// Lowest value.
    pub min: f64,
    /// Highest value.
    pub max: f64,
    /// How the range maps to the unit interval.
    pub scale: Scale,
    /// The scenario holds a whole number here: values are rounded.
    pub integer: bool,
    /// Line of its `key` in the calibration file.
    pub line: usize,
}

impl Parameter {
    /// The value at unit coordinate `u` (in `[0, 1]`).
    #[must_use]
    pub fn value_at(&self, u: f64) -> f64 {
        let u = u.clamp(0.0, 1.0);
        let v = match self.scale {
            Scale::Linear => self.min + u * (self.max - self.min),
            Scale::Log => (self.min.ln() + u * (self.max.ln() - self.min.ln())).exp(),
        };
        let v = v.clamp(self.min, self.max);
        if self.integer { v.round() } else { v }
    }
}

/// A fitted target: the per-replication metric `metric` compared with `historical`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitTarget {
    /// Per-replication metric name (`target/<name>` for a scenario's `[[target]]`).
    pub metric: String,
    /// The observed value, in the metric's unit (> 0).
    pub historical: f64,
    /// Relative tolerance (> 0): an error of a factor `1 + tolerance` costs `weight`.
    pub tolerance: f64,
    /// Weight (>= 0).
    pub weight: f64,
}

/// A checked calibration file.
#[derive(Clone, Debug)]
pub struct Calibration {
    /// The file as given.
    pub path: PathBuf,
    /// Its name (the file's `name`, else its stem).
    pub name: String,
    /// SHA-256 of the file's bytes.
    pub file_sha256: String,
    /// The scenario file, resolved against the calibration file's folder.
    pub scenario: PathBuf,
    /// Master seed, shared by every candidate.
    pub seed: u64,
    /// Replications per candidate.
    pub replications: u64,
    /// The statistic compared with history.
    pub statistic: Statistic,
    /// The search budget.
    pub search: SearchSettings,
    /// The free parameters, in file order.
    pub parameters: Vec<Parameter>,
    /// The file's `[[metric_target]]` entries.
    pub targets: Vec<FitTarget>,
}

/// One target's statistics at a candidate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetStat {
    /// 5th percentile over the replications.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Mean.
    pub mean: f64,
    /// Its share of the loss: `weight × (ln(stat / historical) / ln(1 + tolerance))²`.
    pub contribution: f64,
}

/// One evaluated candidate (a line of `candidates.jsonl`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// From 0, in the order the search proposed them.
    pub index: usize,
    /// Which phase proposed it.
    pub phase: Phase,
    /// The parameter values, in file order.
    pub values: Vec<f64>,
    /// Its loss.
    pub loss: f64,
    /// Per target, in target order.
    pub stats: Vec<TargetStat>,
}

/// How and where to run a calibration: nothing here changes its results.
pub struct CalibrateExec<'a> {
    /// Output folder; `None` = `runs/calibrate-<name>-<UTC time>`.
    pub out: Option<PathBuf>,
    /// Continue the calibration in `out`.
    pub resume: bool,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Replications per batch: a stop takes effect at a batch boundary.
    pub batch: u64,
    /// Told of progress, in replications.
    pub progress: &'a dyn Progress,
    /// Set to stop; evaluated candidates are kept in the journal.
    pub stop: &'a AtomicBool,
    /// Test hook: stop (as on Ctrl-C) after this many candidates were evaluated afresh.
    pub stop_after: Option<usize>,
    /// The command, recorded in the manifest for people.
    pub command: Vec<String>,
}

/// What a finished calibration reports.
#[derive(Clone, Debug)]
pub struct CalibrationReport {
    /// The calibration's name.
    pub name: String,
    /// The output folder.
    pub out: PathBuf,
    /// The chosen candidate.
    pub chosen: Candidate,
    /// Parameter keys, in file order (the chosen values are `chosen.values`).
    pub keys: Vec<String>,
    /// Candidates evaluated.
    pub candidates: usize,
    /// Replications per candidate.
    pub replications: u64,
    /// The fit of every target at the chosen values.
    pub fit: Vec<FitRow>,
}

/// What [`calibrate`] came to.
#[derive(Clone, Debug)]
pub enum CalibrateOutcome {
    /// Finished; the files are written.
    Done(CalibrationReport),
    /// Stopped; `out` keeps the evaluated candidates, and `--resume` continues.
    Interrupted {
        /// The folder.
        out: PathBuf,
        /// Candidates kept.
        candidates: usize,
    },
}

/// `loss` and per-target statistics of one candidate's replications.
fn score(
    metrics: &[Vec<f64>],
    index: &[usize],
    targets: &[FitTarget],
    statistic: Statistic,
) -> (f64, Vec<TargetStat>) {
    let mut loss = 0.0;
    let mut stats = Vec::with_capacity(targets.len());
    for (t, &k) in targets.iter().zip(index) {
        let s = Summary::from_values(&metrics.iter().map(|m| m[k]).collect::<Vec<_>>());
        let stat = match statistic {
            Statistic::P50 => s.p50,
            Statistic::Mean => s.mean,
        };
        let floor = STAT_FLOOR_SHARE * t.historical;
        let stat = if stat.is_nan() {
            floor
        } else {
            stat.max(floor)
        };
        let contribution = t.weight * ((stat / t.historical).ln() / t.tolerance.ln_1p()).powi(2);
        loss += contribution;
        stats.push(TargetStat {
            p5: s.p5,
            p50: s.p50,
            p95: s.p95,
            mean: s.mean,
            contribution,
        });
    }
    (loss, stats)
}

/// Runs the calibration `cal` of `scenario` against `targets` (at least one), writing its files
/// into `exec.out`.
pub fn calibrate<S: ScenarioSource>(
    cal: &Calibration,
    scenario: &S,
    targets: &[FitTarget],
    exec: &CalibrateExec<'_>,
) -> Result<CalibrateOutcome, CalibrationError> {
    if targets.is_empty() {
        return Err(CalibrationError::NoTargets);
    }
    let schema = Model::new(scenario.central().clone())
        .map_err(|e| CalibrationError::Engine(e.into()))?
        .schema()
        .clone();
    let names: Vec<&str> = schema.metrics.iter().map(String::as_str).collect();
    let index = targets
        .iter()
        .map(|t| {
            schema.metric(&t.metric).ok_or_else(|| {
                CalibrationError::Run(RunError::UnknownMetric {
                    metric: t.metric.clone(),
                    hint: did_you_mean(&t.metric, &names),
                    known: names.join(", "),
                })
            })
        })
        .collect::<Result<Vec<usize>, _>>()?;
    let hash = cal.hash(scenario, targets);
    let out = output_folder(exec.out.as_deref(), &format!("calibrate-{}", cal.name));
    crate::engine::check_threads(exec.threads)?;
    let threads = resolve_threads(exec.threads);
    let how = if exec.resume {
        crate::folder::Claim::Resume
    } else {
        crate::folder::Claim::Fresh
    };
    let _lock = crate::folder::claim_telling(&out, how, exec.progress).map_err(|e| match e {
        crate::Error::AlreadyHoldsResults(dir) => CalibrationError::AlreadyHoldsResults(dir),
        other => other.into(),
    })?;
    let (mut manifest, journal) =
        output::open(&out, cal, &hash, threads, exec.resume, &exec.command)?;

    let dims = cal.parameters.len();
    let s = &cal.search;
    let per_start = (dims as u64 + 1) + s.nelder_mead_iterations * 2;
    exec.progress
        .start((s.lhs_points as u64 + (s.restarts as u64 + 1) * per_start) * cal.replications);
    let mut done: Vec<Candidate> = Vec::new();
    let mut fresh = 0usize;
    let mut failure: Option<CalibrationError> = None;
    let ended = search::run(dims, &cal.search, cal.seed, &mut |phase, unit| {
        let values = cal.values_at(unit);
        let k = done.len();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let candidate = if let Some(old) = journal.get(k) {
            if old.phase != phase || bits(&old.values) != bits(&values) {
                failure = Some(CalibrationError::Diverged {
                    dir: out.clone(),
                    index: k,
                });
                return None;
            }
            exec.progress.advance(cal.replications);
            old.clone()
        } else {
            let candidate =
                if let Some(same) = done.iter().find(|c| bits(&c.values) == bits(&values)) {
                    // The same values again (a clamped point, a rounded key): the same replications
                    // would give the same loss, so it is not run again.
                    exec.progress.advance(cal.replications);
                    Candidate {
                        index: k,
                        phase,
                        ..same.clone()
                    }
                } else {
                    if exec.stop_after.is_some_and(|n| fresh >= n)
                        || exec.stop.load(std::sync::atomic::Ordering::Relaxed)
                    {
                        return None;
                    }
                    match evaluate(cal, scenario, &values, k, targets, &index, exec, threads) {
                        Ok(Some((loss, stats))) => {
                            fresh += 1;
                            Candidate {
                                index: k,
                                phase,
                                values,
                                loss,
                                stats,
                            }
                        }
                        Ok(None) => return None,
                        Err(e) => {
                            failure = Some(e);
                            return None;
                        }
                    }
                };
            if let Err(e) = output::append(&out, &candidate) {
                failure = Some(e);
                return None;
            }
            candidate
        };
        let loss = candidate.loss;
        done.push(candidate);
        Some(loss)
    })
    .map_err(|e| CalibrationError::Search(e.to_string()))?;
    exec.progress.finish();
    if let Some(e) = failure {
        output::mark(&out, &mut manifest, "failed", done.len(), None)?;
        return Err(e);
    }
    if ended == Ended::Stopped {
        manifest.resume_command = Some(format!(
            "chokepoint calibrate {} --out {} --resume",
            crate::engine::shell_quote(&cal.path.display().to_string()),
            crate::engine::shell_quote(&out.display().to_string())
        ));
        output::mark(&out, &mut manifest, "interrupted", done.len(), None)?;
        return Ok(CalibrateOutcome::Interrupted {
            out,
            candidates: done.len(),
        });
    }
    let Some(chosen) = done
        .iter()
        .fold(None::<&Candidate>, |b, c| match b {
            Some(b) if b.loss <= c.loss => Some(b),
            _ => Some(c),
        })
        .cloned()
    else {
        return Err(CalibrationError::Search(
            "no candidate was evaluated".into(),
        ));
    };
    let fit = output::write_results(&out, cal, targets, &hash, &done, &chosen)?;
    output::mark(
        &out,
        &mut manifest,
        "complete",
        done.len(),
        Some(chosen.index),
    )?;
    Ok(CalibrateOutcome::Done(CalibrationReport {
        name: cal.name.clone(),
        out,
        keys: cal.parameters.iter().map(|p| p.key.clone()).collect(),
        candidates: done.len(),
        replications: cal.replications,
        chosen,
        fit,
    }))
}

/// Runs one candidate's replications; `None` when stopped.
#[allow(
    clippy::too_many_arguments,
    reason = "one call site; the pieces of one evaluation"
)]
fn evaluate<S: ScenarioSource>(
    cal: &Calibration,
    scenario: &S,
    values: &[f64],
    k: usize,
    targets: &[FitTarget],
    index: &[usize],
    exec: &CalibrateExec<'_>,
    threads: usize,
) -> Result<Option<(f64, Vec<TargetStat>)>, CalibrationError> {
    let pairs: Vec<(&str, f64)> = cal
        .parameters
        .iter()
        .zip(values)
        .map(|(p, v)| (p.key.as_str(), *v))
        .collect();
    let variant = scenario
        .with_values(&pairs)
        .map_err(|e| CalibrationError::Candidate {
            index: k,
            values: pairs
                .iter()
                .map(|(p, v)| format!("{p}={v}"))
                .collect::<Vec<_>>()
                .join(", "),
            source: Box::new(e),
        })?;
    let cfg = MonteCarlo {
        seed: cal.seed,
        replications: cal.replications,
        batch: exec.batch.max(1),
        threads,
        targets: Vec::new(),
        max_replications: 0,
        first_run_id: 0,
    };
    let result = monte_carlo::run(&variant, &cfg, &|n| exec.progress.advance(n), exec.stop)?;
    if result.interrupted {
        return Ok(None);
    }
    Ok(Some(score(&result.metrics, index, targets, cal.statistic)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(h: f64) -> FitTarget {
        FitTarget {
            metric: "m".into(),
            historical: h,
            tolerance: 0.3,
            weight: 2.0,
        }
    }

    #[test]
    fn a_target_off_by_its_tolerance_costs_its_weight_and_zero_is_floored() {
        let metrics = vec![vec![130.0], vec![130.0], vec![130.0]];
        let (loss, stats) = score(&metrics, &[0], &[target(100.0)], Statistic::P50);
        approx::assert_relative_eq!(loss, 2.0, max_relative = 1e-12);
        approx::assert_relative_eq!(stats[0].p50, 130.0);
        let under = vec![vec![100.0 / 1.3]];
        let (loss, _) = score(&under, &[0], &[target(100.0)], Statistic::Mean);
        approx::assert_relative_eq!(loss, 2.0, max_relative = 1e-12);
        let zero = vec![vec![0.0], vec![-1.0]];
        let (loss, _) = score(&zero, &[0], &[target(100.0)], Statistic::P50);
        let floored = 2.0 * (STAT_FLOOR_SHARE.ln() / 0.3f64.ln_1p()).powi(2);
        approx::assert_relative_eq!(loss, floored, max_relative = 1e-12);
        assert!(loss.is_finite());
    }

    #[test]
    fn log_scale_maps_the_middle_to_the_geometric_mean_and_integers_round() {
        let mut p = Parameter {
            key: "k".into(),
            min: 0.01,
            max: 1.0,
            scale: Scale::Log,
            integer: false,
            line: 1,
        };
        approx::assert_relative_eq!(p.value_at(0.5), 0.1, max_relative = 1e-12);
        approx::assert_relative_eq!(p.value_at(0.0), 0.01, max_relative = 1e-12);
        approx::assert_relative_eq!(p.value_at(1.0), 1.0, max_relative = 1e-12);
        approx::assert_relative_eq!(p.value_at(1.7), 1.0, max_relative = 1e-12);
        p.scale = Scale::Linear;
        p.min = 2.0;
        p.max = 8.0;
        p.integer = true;
        approx::assert_relative_eq!(p.value_at(0.45), 5.0);
    }
}
