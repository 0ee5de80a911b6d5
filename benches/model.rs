//! Speed of the model: one replication of the calibrated baseline, and its parts.
//!
//! `cargo bench --bench model`. Results and the machine they ran on go in docs/performance.md.

use std::hint::black_box;
use std::path::Path;

use chokepoint_core::{Model, ScenarioSource, Simulation};
use chokepoint_experiment::streams;
use chokepoint_scenario::Scenario;
use criterion::{Criterion, criterion_group, criterion_main};

fn baseline() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/list_expansion_2025_10.toml");
    let read = |p: &Path| std::fs::read_to_string(p);
    Scenario::load(&path, &read, &[]).expect("shipped scenario loads")
}

fn bench(c: &mut Criterion) {
    let scenario = baseline();
    let model = Model::new(scenario.sample(1)).unwrap();
    let weeks = model.params().calendar.n_steps;

    c.bench_function("replication (sample + build + 260 weeks)", |b| {
        let mut run_id = 0;
        b.iter(|| {
            run_id += 1;
            black_box(
                chokepoint_experiment::run_one(&scenario, 7, run_id)
                    .unwrap()
                    .outcome,
            )
        });
    });
    c.bench_function("64 replications with aggregation (runner, 1 thread)", |b| {
        let cfg = chokepoint_experiment::MonteCarlo {
            seed: 7,
            replications: 64,
            batch: 64,
            threads: 1,
            targets: Vec::new(),
            max_replications: 0,
            first_run_id: 0,
        };
        let stop = std::sync::atomic::AtomicBool::new(false);
        b.iter(|| {
            black_box(
                chokepoint_experiment::run(&scenario, &cfg, &|_| {}, &stop)
                    .unwrap()
                    .replications,
            )
        });
    });
    c.bench_function("sample parameters", |b| {
        b.iter(|| black_box(scenario.sample(black_box(3))));
    });
    c.bench_function("sample into a reused model (what a worker does)", |b| {
        let mut model = scenario.new_model().unwrap();
        let mut seed = 0u64;
        b.iter(|| {
            seed += 1;
            scenario.sample_into(black_box(seed), &mut model).unwrap();
            black_box(model.params().events.len())
        });
    });
    c.bench_function(&format!("simulate {weeks} weeks"), |b| {
        b.iter(|| {
            let mut sim = Simulation::new(&model);
            black_box(sim.run(&mut streams::model_streams(7, 1)))
        });
    });
    c.bench_function("one step (week 30)", |b| {
        let mut sim = Simulation::new(&model);
        let mut rngs = streams::model_streams(7, 1);
        for _ in 0..30 {
            sim.step(&mut rngs);
        }
        b.iter_batched(
            || (Simulation::new(&model), streams::model_streams(7, 1)),
            |(mut sim, mut rngs)| {
                sim.step(&mut rngs);
                black_box(sim.current_step())
            },
            criterion::BatchSize::SmallInput,
        );
        black_box(sim.current_step());
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
