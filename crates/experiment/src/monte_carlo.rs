//! Replications in parallel, aggregated as they finish.
//!
//! Work is cut into batches of consecutive run ids. Within a batch, rayon runs replications on
//! any thread in any order; each replication's streams come from `(seed, run id)` alone, per-step
//! values go into order-independent accumulators (exact sums, integer-count sketches) and
//! per-replication metrics are kept in run-id order. So the result is bit-identical for any
//! thread count. Between batches the loop checks precision targets and the stop flag; a batch
//! that has started runs to its end.
//!
//! Each worker thread keeps one set of per-step accumulators for the whole run (not one per
//! batch), merged once at the end (issue 14): merges are exact and order-independent, so the
//! result is the same, and a replication allocates nothing on the statistics side.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};

use chokepoint_core::{Model, OutputSchema, ParamErrors, ScenarioSource, Simulation};
use chokepoint_stats::{SeriesAccumulator, Summary};
use rayon::prelude::*;

use crate::streams;

/// How to run a Monte Carlo experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct MonteCarlo {
    /// Master seed.
    pub seed: u64,
    /// Replications to run (without precision targets), or the first batch's worth with them.
    pub replications: u64,
    /// Run ids per batch; the unit of stopping and of `--target-ci` checks.
    pub batch: u64,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Keep adding batches until each metric's 95 % half-width is at most its target.
    pub targets: Vec<PrecisionTarget>,
    /// Never run more than this many replications when targets are set.
    pub max_replications: u64,
    /// Skip this many run ids first (the runs of a plan start at 0).
    pub first_run_id: u64,
}

/// `--target-ci METRIC=HALFWIDTH`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PrecisionTarget {
    /// Metric name.
    pub metric: String,
    /// Largest acceptable half-width of the 95 % interval of its mean.
    pub half_width: f64,
}

/// Why a run could not be done.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The central parameters are invalid.
    #[error("run id {run_id}: the sampled parameters are invalid")]
    Params {
        /// Which run.
        run_id: u64,
        /// What is wrong.
        source: ParamErrors,
    },
    /// The scenario could not make a replication's model (a sampled value the model refuses):
    /// the scenario's own message, naming the key.
    #[error("run id {run_id}")]
    Sample {
        /// Which run.
        run_id: u64,
        /// What is wrong, from the scenario.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A precision target names a metric the model does not report.
    #[error("--target-ci names `{metric}`, which is not a metric{hint}; metrics: {known}")]
    UnknownMetric {
        /// The name given.
        metric: String,
        /// Did-you-mean.
        hint: String,
        /// The metrics there are.
        known: String,
    },
    /// Nothing to do.
    #[error("the number of replications must be at least 1")]
    NoReplications,
    /// The thread pool could not be built.
    #[error("cannot start {threads} worker threads: {message}")]
    Threads {
        /// Threads asked for.
        threads: usize,
        /// Why.
        message: String,
    },
}

/// The aggregated result of a Monte Carlo run.
#[derive(Clone, Debug)]
pub struct MonteCarloResult {
    /// Output names (from the first replication's model; the same for every replication).
    pub schema: OutputSchema,
    /// Per-replication metrics, `metrics[k]` for run id `first_run_id + k`.
    pub metrics: Vec<Vec<f64>>,
    /// Per-step accumulators over all replications.
    pub series: SeriesAccumulator,
    /// Replications done.
    pub replications: u64,
    /// True when the stop flag ended the run early (only whole batches are kept).
    pub interrupted: bool,
    /// Whether every precision target was met (true when there were none).
    pub targets_met: bool,
}

impl MonteCarloResult {
    /// One metric over all replications, in run-id order.
    #[must_use]
    pub fn metric_values(&self, metric: usize) -> Vec<f64> {
        self.metrics.iter().map(|m| m[metric]).collect()
    }
}

/// Makes `model` (this worker's, reused) the model of replication `run_id`.
pub(crate) fn sample<S: ScenarioSource>(
    scenario: &S,
    model: &mut Model,
    seed: u64,
    run_id: u64,
) -> Result<(), RunError> {
    scenario
        .sample_into(streams::parameter_seed(seed, run_id), model)
        .map_err(|e| RunError::Sample {
            run_id,
            source: Box::new(e),
        })
}

/// What one worker thread keeps for the whole run: its own per-step accumulators, the model it
/// refills for each of its replications, and the metrics of its replications of the current
/// batch (emptied, capacity kept, after each batch). Nothing here is made afresh per batch or
/// per replication, so once a worker has seen its first replication (and its accumulators the
/// range of the values) a replication allocates nothing here.
struct Worker {
    series: SeriesAccumulator,
    /// Up to `PENDING_TRAJECTORIES` trajectories not yet added to `series`, back to back.
    pending: Vec<f64>,
    model: Option<Model>,
    metrics: Vec<(u64, Vec<f64>)>,
}

/// One [`Worker`] per thread of the pool, indexed by `rayon::current_thread_index`. Each is
/// locked only by its own thread, so the locks are never contended. Nothing done while a
/// worker's lock is held (sampling, the simulation, the accumulators) may use rayon: a thread
/// waiting inside rayon may steal another replication of the same batch and lock its own
/// worker again (core, scenario and stats use no rayon; `progress` is called after unlocking).
struct Workers(Vec<Mutex<Worker>>);

impl Workers {
    fn new(pool: &rayon::ThreadPool, central: &Model) -> Self {
        let (n_steps, n_vars) = shape(central);
        Self(
            (0..pool.current_num_threads())
                .map(|_| {
                    Mutex::new(Worker {
                        series: SeriesAccumulator::new(n_steps, n_vars),
                        pending: Vec::new(),
                        model: None,
                        metrics: Vec::new(),
                    })
                })
                .collect(),
        )
    }

    /// Runs the replications `ids` on the pool, each folded into the accumulators of the worker
    /// that ran it, and returns their metrics in run-id order. A batch always runs to its end:
    /// the stop flag is checked between batches, so the accumulators hold whole batches only.
    fn run_batch<S: ScenarioSource>(
        &self,
        pool: &rayon::ThreadPool,
        scenario: &S,
        central: &Model,
        seed: u64,
        ids: &[u64],
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Vec<Vec<f64>>, RunError> {
        // Room for the whole batch in every worker, reserved once for the run's largest batch.
        for w in &self.0 {
            w.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .metrics
                .reserve(ids.len());
        }
        pool.install(|| {
            ids.par_iter()
                .with_min_len(MIN_REPLICATIONS_PER_TASK)
                .try_for_each(|&run_id| {
                    let k = rayon::current_thread_index().unwrap_or(0);
                    let mut guard = self.0[k].lock().unwrap_or_else(PoisonError::into_inner);
                    let w = &mut *guard;
                    let model = w.model.get_or_insert_with(|| central.clone());
                    sample(scenario, model, seed, run_id)?;
                    let mut sim = Simulation::new(model);
                    let outcome = sim.run(&mut streams::model_streams(seed, run_id));
                    let table = sim.trajectory().as_slice();
                    if w.pending.capacity() == 0 {
                        w.pending.reserve_exact(PENDING_TRAJECTORIES * table.len());
                    }
                    w.pending.extend_from_slice(table);
                    if w.pending.len() >= PENDING_TRAJECTORIES * table.len() {
                        w.flush();
                    }
                    w.metrics.push((run_id, outcome.metrics));
                    drop(guard);
                    progress(1);
                    Ok(())
                })
        })?;
        let mut metrics = Vec::with_capacity(ids.len());
        for w in &self.0 {
            let mut w = w.lock().unwrap_or_else(PoisonError::into_inner);
            w.flush();
            metrics.append(&mut w.metrics);
        }
        metrics.sort_unstable_by_key(|(id, _)| *id);
        Ok(metrics.into_iter().map(|(_, m)| m).collect())
    }

    /// All workers' accumulators merged (exact and order-independent, so the result does not
    /// depend on which worker ran which replication).
    fn into_series(self) -> SeriesAccumulator {
        let mut all = self.0.into_iter().map(|w| {
            w.into_inner()
                .unwrap_or_else(PoisonError::into_inner)
                .series
        });
        let mut series = all.next().expect("a pool has at least one thread");
        for other in all {
            series.merge(&other).expect("same shape");
        }
        series
    }
}

impl Worker {
    /// Adds the pending trajectories to the accumulators, cell by cell.
    fn flush(&mut self) {
        self.series
            .add_trajectories(&self.pending)
            .expect("every replication has the schema's shape");
        self.pending.clear();
    }
}

/// Trajectories a worker gathers before adding them to its accumulators cell by cell: each
/// cell's buckets are then fetched from memory once per this many replications (6 MB of
/// pending values per worker for `list_expansion_2025_10`'s 260 steps × 185 variables).
const PENDING_TRAJECTORIES: usize = 16;

/// Fewest replications a pool task takes at a time (fewer, larger tasks: less scheduling).
const MIN_REPLICATIONS_PER_TASK: usize = 8;

/// (steps, per-step variables) of the trajectories of `model`.
fn shape(model: &Model) -> (usize, usize) {
    (
        model.params().calendar.n_steps as usize,
        model.schema().step_vars.len(),
    )
}

/// Runs `cfg` on `scenario`. `progress` is called with the number of replications finished
/// since its last call (from worker threads); `stop` ends the run at the next batch boundary.
///
/// # Panics
/// Not on any scenario: only if accumulators built from the same model had different shapes.
pub fn run<S: ScenarioSource>(
    scenario: &S,
    cfg: &MonteCarlo,
    progress: &(dyn Fn(u64) + Sync),
    stop: &AtomicBool,
) -> Result<MonteCarloResult, RunError> {
    if cfg.replications == 0 {
        return Err(RunError::NoReplications);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(cfg.threads)
        .build()
        .map_err(|e| RunError::Threads {
            threads: cfg.threads,
            message: e.to_string(),
        })?;
    let probe = scenario.new_model().map_err(|source| RunError::Params {
        run_id: cfg.first_run_id,
        source,
    })?;
    let schema = probe.schema().clone();
    let target_index = cfg
        .targets
        .iter()
        .map(|t| {
            schema.metric(&t.metric).ok_or_else(|| {
                let names: Vec<&str> = schema.metrics.iter().map(String::as_str).collect();
                RunError::UnknownMetric {
                    metric: t.metric.clone(),
                    hint: crate::did_you_mean(&t.metric, &names),
                    known: names.join(", "),
                }
            })
        })
        .collect::<Result<Vec<usize>, _>>()?;
    let workers = Workers::new(&pool, &probe);
    let mut metrics: Vec<Vec<f64>> =
        Vec::with_capacity(usize::try_from(cfg.replications).unwrap_or(0));
    let limit = if cfg.targets.is_empty() {
        cfg.replications
    } else {
        cfg.max_replications.max(cfg.replications)
    };
    let batch = cfg.batch.max(1);
    let mut done = 0u64;
    let mut interrupted = false;
    let mut targets_met = cfg.targets.is_empty();
    while done < limit {
        if stop.load(Ordering::Relaxed) {
            interrupted = true;
            break;
        }
        // Without targets run exactly `replications`; with them, at least `replications`,
        // then whole batches until the targets are met.
        let size = batch.min(limit - done);
        let first = cfg.first_run_id + done;
        let ids: Vec<u64> = (first..first + size).collect();
        metrics.extend(workers.run_batch(&pool, scenario, &probe, cfg.seed, &ids, progress)?);
        done += size;
        if !cfg.targets.is_empty() && done >= cfg.replications {
            targets_met = cfg.targets.iter().zip(&target_index).all(|(t, &k)| {
                let s = Summary::from_values(&metrics.iter().map(|m| m[k]).collect::<Vec<_>>());
                (s.ci95_hi - s.ci95_lo) / 2.0 <= t.half_width
            });
            if targets_met {
                break;
            }
        }
        if stop.load(Ordering::Relaxed) {
            interrupted = done < limit;
            break;
        }
    }
    Ok(MonteCarloResult {
        schema,
        metrics,
        series: workers.into_series(),
        replications: done,
        interrupted,
        targets_met,
    })
}

/// Replications of an explicit set of run ids (a shard's share of a plan).
#[derive(Clone, Debug)]
pub struct RunSet {
    /// The run ids done, ascending.
    pub run_ids: Vec<u64>,
    /// Their metrics, in the same order.
    pub metrics: Vec<Vec<f64>>,
    /// Per-step accumulators over them.
    pub series: SeriesAccumulator,
    /// True when the stop flag ended it early (nothing is returned then).
    pub interrupted: bool,
}

/// Runs the replications `run_ids` (ascending) of `scenario` under `seed`, `batch` at a time on
/// `threads` workers. Replication `r` uses the streams of `(seed, r)`, exactly as [`run`] does,
/// so any partition of a plan's run ids merges back into the single-machine result.
///
/// # Panics
/// Not on any scenario: only if accumulators built from the same model had different shapes.
pub fn run_ids<S: ScenarioSource>(
    scenario: &S,
    seed: u64,
    run_ids: &[u64],
    batch: u64,
    threads: usize,
    progress: &(dyn Fn(u64) + Sync),
    stop: &AtomicBool,
) -> Result<RunSet, RunError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| RunError::Threads {
            threads,
            message: e.to_string(),
        })?;
    let probe = scenario.new_model().map_err(|source| RunError::Params {
        run_id: run_ids.first().copied().unwrap_or(0),
        source,
    })?;
    let workers = Workers::new(&pool, &probe);
    let mut metrics = Vec::with_capacity(run_ids.len());
    // A batch larger than `usize` can count is larger than any slice: one chunk, as intended.
    let chunk_len = usize::try_from(batch.max(1)).unwrap_or(usize::MAX);
    for chunk in run_ids.chunks(chunk_len) {
        if stop.load(Ordering::Relaxed) {
            let (n_steps, n_vars) = shape(&probe);
            return Ok(RunSet {
                run_ids: Vec::new(),
                metrics: Vec::new(),
                series: SeriesAccumulator::new(n_steps, n_vars),
                interrupted: true,
            });
        }
        metrics.extend(workers.run_batch(&pool, scenario, &probe, seed, chunk, progress)?);
    }
    Ok(RunSet {
        run_ids: run_ids.to_vec(),
        metrics,
        series: workers.into_series(),
        interrupted: false,
    })
}
