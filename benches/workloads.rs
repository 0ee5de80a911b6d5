//! Speed on the frozen workloads (`benches/workloads/`, issue 14), through public APIs only.
//!
//! Every bench id starts with its workload and size, `<workload>_<agents>x<weeks>` (weeks
//! simulated, warm-up included), e.g. `small_253x312/step_week30-39`:
//!
//! - `step_week30-39`: one step of a warm simulation, weeks 30 to 39 (built and stepped to week
//!   30 outside the timed code, rebuilt every ten steps); throughput in agent-steps;
//! - `replication`: sample the parameters into a reused model, simulate, compute the metrics
//!   (what a worker does per replication, without aggregation);
//! - `aggregate`: add one replication's trajectory to per-step accumulators that already hold
//!   64 (so their buckets are warm);
//! - `run_10k/threads_1`, `run_10k/threads_2`: 10,000 replications with aggregation through the
//!   runner (`chokepoint_experiment::run`), as `chokepoint run` does minus the files;
//! - `compare_7strategies_8reps`: a `compare` of the workload × `strategies.toml` through the
//!   engine (plan, cells, journal, result files);
//! - `suite_benchmark/compare_2reps`: a `compare` of `scenarios/benchmark_suite.toml` (4
//!   scenarios × 7 strategies, not frozen: it follows today's scenarios).
//!
//! `cargo bench --bench workloads` runs all; a filter picks some
//! (`cargo bench --bench workloads -- small_253x312/step`). `CHOKEPOINT_BENCH_RUN_REPS=1000`
//! shrinks `run_10k` (then named `run_1000`) for a quick look. Figures go in
//! docs/performance.md with the machine and commit.

mod common;

use std::hint::black_box;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use chokepoint_core::{Model, ScenarioSource, Simulation};
use chokepoint_experiment::{MonteCarlo, streams};
use chokepoint_stats::SeriesAccumulator;
use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

use common::{SEED, Workload};

/// Weeks stepped before the timed steps, and how many steps are timed per warm simulation.
const WARM_WEEK: u32 = 30;
const TIMED_STEPS_PER_WARM: u32 = 10;
/// Trajectories the `aggregate` accumulator holds before it is timed.
const WARM_TRAJECTORIES: u64 = 64;
/// Replications of `run_10k` unless `CHOKEPOINT_BENCH_RUN_REPS` says otherwise.
const RUN_REPS: u64 = 10_000;
/// Replications per cell of the `compare` benches.
const COMPARE_REPS: u64 = 8;
const SUITE_REPS: u64 = 2;

fn warm_model(w: &Workload) -> Model {
    let mut model = w.scenario.new_model().expect("workload compiles");
    w.scenario
        .sample_into(streams::parameter_seed(SEED, 0), &mut model)
        .expect("workload samples");
    model
}

fn step(c: &mut Criterion, w: &Workload) {
    let model = warm_model(w);
    let mut g = c.benchmark_group(&w.label);
    g.throughput(Throughput::Elements(w.agents));
    g.bench_function(
        format!(
            "step_week{WARM_WEEK}-{}",
            WARM_WEEK + TIMED_STEPS_PER_WARM - 1
        ),
        |b| {
            b.iter_custom(|iters| {
                let mut timed = Duration::ZERO;
                let mut sim = Simulation::new(&model);
                let mut rngs = streams::model_streams(SEED, 0);
                let mut left = 0;
                for _ in 0..iters {
                    if left == 0 {
                        sim = Simulation::new(&model);
                        rngs = streams::model_streams(SEED, 0);
                        for _ in 0..WARM_WEEK {
                            sim.step(&mut rngs);
                        }
                        left = TIMED_STEPS_PER_WARM;
                    }
                    let start = Instant::now();
                    sim.step(&mut rngs);
                    timed += start.elapsed();
                    left -= 1;
                }
                black_box(sim.current_step());
                timed
            });
        },
    );
    g.finish();
}

fn replication(c: &mut Criterion, w: &Workload) {
    let mut model = warm_model(w);
    let mut g = c.benchmark_group(&w.label);
    g.throughput(Throughput::Elements(w.agent_steps()));
    g.sample_size(10);
    g.bench_function("replication", |b| {
        let mut run_id = 0;
        b.iter(|| {
            run_id += 1;
            w.scenario
                .sample_into(streams::parameter_seed(SEED, run_id), &mut model)
                .expect("workload samples");
            let mut sim = Simulation::new(&model);
            black_box(sim.run(&mut streams::model_streams(SEED, run_id)))
        });
    });
    g.finish();
}

fn aggregate(c: &mut Criterion, w: &Workload) {
    let trajectories: Vec<Vec<f64>> = (0..WARM_TRAJECTORIES)
        .map(|run_id| {
            let r = chokepoint_experiment::run_one(&w.scenario, SEED, run_id).expect("runs");
            r.trajectory.as_slice().to_vec()
        })
        .collect();
    let first = chokepoint_experiment::run_one(&w.scenario, SEED, 0).expect("runs");
    let (n_steps, n_vars) = (first.trajectory.n_steps(), first.trajectory.n_vars());
    let mut acc = SeriesAccumulator::new(n_steps, n_vars);
    for t in &trajectories {
        acc.add_trajectory(t).expect("shape");
    }
    let mut g = c.benchmark_group(&w.label);
    g.throughput(Throughput::Elements((n_steps * n_vars) as u64));
    g.bench_function(format!("aggregate_{n_steps}x{n_vars}"), |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % trajectories.len();
            acc.add_trajectory(black_box(&trajectories[i]))
                .expect("shape");
        });
    });
    g.finish();
    black_box(acc.trajectories());
}

fn run_reps() -> u64 {
    std::env::var("CHOKEPOINT_BENCH_RUN_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(RUN_REPS)
}

fn run_10k(c: &mut Criterion, w: &Workload) {
    let reps = run_reps();
    let name = if reps == RUN_REPS {
        "run_10k".to_owned()
    } else {
        format!("run_{reps}")
    };
    let mut g = c.benchmark_group(format!("{}/{name}", w.label));
    g.throughput(Throughput::Elements(reps * w.agent_steps()));
    g.sample_size(10);
    g.sampling_mode(SamplingMode::Flat);
    g.warm_up_time(Duration::from_millis(1));
    g.measurement_time(Duration::from_secs(1));
    let stop = AtomicBool::new(false);
    for threads in [1, 2] {
        let cfg = MonteCarlo {
            seed: SEED,
            replications: reps,
            batch: 256,
            threads,
            targets: Vec::new(),
            max_replications: 0,
            first_run_id: 0,
        };
        g.bench_function(format!("threads_{threads}"), |b| {
            b.iter(|| {
                let r =
                    chokepoint_experiment::run(&w.scenario, &cfg, &|_| {}, &stop).expect("runs");
                black_box(r.replications)
            });
        });
    }
    g.finish();
}

fn compare(c: &mut Criterion, w: &Workload) {
    let spec = common::compare_spec(
        vec![w.path.clone()],
        Some(common::strategies()),
        COMPARE_REPS,
    );
    let mut g = c.benchmark_group(&w.label);
    g.sample_size(10);
    g.sampling_mode(SamplingMode::Flat);
    g.warm_up_time(Duration::from_millis(1));
    g.bench_function(format!("compare_7strategies_{COMPARE_REPS}reps"), |b| {
        b.iter_batched(
            || tempfile::tempdir().expect("temporary folder"),
            |dir| black_box(common::compare(&spec, dir.path())),
            BatchSize::PerIteration,
        );
    });
    g.finish();
}

fn suite(c: &mut Criterion) {
    let spec = common::compare_spec(
        vec![common::root().join("scenarios/benchmark_suite.toml")],
        None,
        SUITE_REPS,
    );
    let mut g = c.benchmark_group("suite_benchmark");
    g.sample_size(10);
    g.sampling_mode(SamplingMode::Flat);
    g.warm_up_time(Duration::from_millis(1));
    g.bench_function(format!("compare_{SUITE_REPS}reps"), |b| {
        b.iter_batched(
            || tempfile::tempdir().expect("temporary folder"),
            |dir| black_box(common::compare(&spec, dir.path())),
            BatchSize::PerIteration,
        );
    });
    g.finish();
}

fn sample(c: &mut Criterion, w: &Workload) {
    let mut model = warm_model(w);
    let mut g = c.benchmark_group(&w.label);
    g.bench_function("sample_into_reused_model", |b| {
        let mut run_id = 0;
        b.iter(|| {
            run_id += 1;
            w.scenario
                .sample_into(streams::parameter_seed(SEED, run_id), &mut model)
                .expect("workload samples");
            black_box(model.params().events.len())
        });
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    for name in ["small", "large"] {
        let w = Workload::load(name);
        step(c, &w);
        sample(c, &w);
        replication(c, &w);
        aggregate(c, &w);
        compare(c, &w);
        run_10k(c, &w);
    }
    suite(c);
}

criterion_group!(workloads, benches);
criterion_main!(workloads);
