//! Issue 14: once a worker has run its first replications, the experiment side of a replication
//! (per-step accumulators, metric bookkeeping) allocates nothing. What is left per replication
//! is the scenario's `sample_into` and the core's `Simulation::new` / `run`: counted here by
//! doing exactly those for the same run ids, and subtracted.
#![allow(
    unsafe_code,
    reason = "a counting global allocator needs unsafe impl GlobalAlloc"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use chokepoint_core::{ScenarioSource, Simulation};
use chokepoint_experiment::{MonteCarlo, run, streams};
use chokepoint_scenario::Scenario;

/// Counts every allocation made by this test binary (one test, so nothing runs alongside).
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const SEED: u64 = 11;

/// A shipped scenario with uncertain numbers, on a short horizon (a quick debug-build test).
fn scenario() -> Scenario {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/list_expansion_2025_10.toml");
    let read = |p: &Path| std::fs::read_to_string(p);
    Scenario::load(&path, &read, &[]).unwrap()
}

fn counted(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    f();
    ALLOCATIONS.load(Ordering::SeqCst) - before
}

/// Allocations of a whole Monte Carlo run of `n` replications (one thread, one batch).
fn whole_run(s: &Scenario, n: u64) -> usize {
    let cfg = MonteCarlo {
        seed: SEED,
        replications: n,
        batch: n,
        threads: 1,
        targets: Vec::new(),
        max_replications: n,
        first_run_id: 0,
    };
    let stop = AtomicBool::new(false);
    counted(|| {
        let r = run(s, &cfg, &|_| {}, &stop).unwrap();
        assert_eq!(r.replications, n);
    })
}

/// Allocations of what the core and the scenario do for run ids `0..n`, on one reused model.
fn model_side(s: &Scenario, n: u64) -> usize {
    let mut model = s.new_model().unwrap();
    counted(|| {
        for run_id in 0..n {
            s.sample_into(streams::parameter_seed(SEED, run_id), &mut model)
                .unwrap();
            let mut sim = Simulation::new(&model);
            let outcome = sim.run(&mut streams::model_streams(SEED, run_id));
            std::hint::black_box(outcome);
        }
    })
}

#[test]
fn a_replication_allocates_nothing_on_the_statistics_side() {
    const N: u64 = 40;
    let s = scenario();
    // Warm up whatever is allocated once per process (rayon's registry, thread locals).
    whole_run(&s, 2);
    let (run_n, run_2n) = (whole_run(&s, N), whole_run(&s, 2 * N));
    let (model_n, model_2n) = (model_side(&s, N), model_side(&s, 2 * N));
    let per_rep_model = (model_2n - model_n) as f64 / N as f64;
    eprintln!(
        "run of {N}: {run_n} allocations, of {}: {run_2n}; sample_into + Simulation::new + run: {per_rep_model:.1} per replication; the rest: {} and {}",
        2 * N,
        run_n - model_n,
        run_2n - model_2n
    );
    // The experiment side (pool, worker accumulators, a batch's bookkeeping) allocates once per
    // run, not per replication; what still grows is the sketches' bucket arrays, when a value
    // falls in a bucket a cell has not seen (they double, so a few times per cell per run; with
    // the range covered they allocate nothing, see chokepoint-stats' tests/no_alloc.rs). So N
    // more replications cost fewer allocations than one per cell: 42,081 for 40 more when
    // written (about 1,050 per replication at 40 to 80 replications, falling as the pages
    // fill), versus 6,779 per replication on the model side.
    let cells = 260 * 185;
    let extra = (run_2n - model_2n).saturating_sub(run_n - model_n);
    assert!(
        extra < cells,
        "{extra} more allocations for {N} more replications"
    );
}
