//! The frozen workloads and the engine's file loader, shared by the benches.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use chokepoint_experiment::{CompareSpec, Execution, Plan, PlanSpec, Settings, Silent};
use chokepoint_scenario::Scenario;

/// Master seed of every bench.
pub const SEED: u64 = 7;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The frozen strategies file (a copy of `scenarios/stockpile_strategies.toml`).
pub fn strategies() -> PathBuf {
    root().join("benches/workloads/strategies.toml")
}

/// A frozen workload and its size.
pub struct Workload {
    pub path: PathBuf,
    pub scenario: Scenario,
    /// Producers, manufacturers, stockpiles and export authorities.
    pub agents: u64,
    /// Weeks simulated per replication: reported plus warm-up.
    pub weeks: u64,
    /// `<name>_<agents>x<weeks>`, the prefix of every bench id.
    pub label: String,
}

impl Workload {
    pub fn load(name: &str) -> Self {
        let path = root()
            .join("benches/workloads")
            .join(format!("{name}.toml"));
        let read = |p: &Path| std::fs::read_to_string(p);
        let scenario =
            Scenario::load(&path, &read, &[]).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let p = scenario.central();
        let agents =
            (p.producers.len() + p.manufacturers.len() + p.stockpiles.len() + p.authorities.len())
                as u64;
        let weeks = u64::from(p.calendar.n_steps + p.calendar.warmup_steps);
        Workload {
            label: format!("{name}_{agents}x{weeks}"),
            path,
            scenario,
            agents,
            weeks,
        }
    }

    /// Agents × weeks simulated: the work of one replication.
    pub fn agent_steps(&self) -> u64 {
        self.agents * self.weeks
    }
}

/// Scenario and strategies files, read from the file system: the loader the CLI and the
/// Python module use.
use chokepoint_engine::Files;

pub fn compare_spec(scenarios: Vec<PathBuf>, strategies: Option<PathBuf>, reps: u64) -> PlanSpec {
    PlanSpec::Compare(CompareSpec {
        scenarios,
        strategies,
        baseline: None,
        objective: None,
        overrides: Vec::new(),
        settings: Settings {
            seed: Some(SEED),
            replications: Some(reps),
            batch: reps,
        },
    })
}

/// Plans and executes `spec` into the empty folder `out` with the engine's default threads.
pub fn compare(spec: &PlanSpec, out: &Path) -> u64 {
    let plan = Plan::from_spec(spec, &Files).expect("the plan builds");
    let stop = AtomicBool::new(false);
    let exec = Execution {
        out: Some(out.join("out")),
        shard: None,
        resume: false,
        force: false,
        threads: 0,
        progress: &Silent,
        stop: &stop,
        command: Vec::new(),
        format: None,
        parquet_above_bytes: chokepoint_experiment::PARQUET_ABOVE_BYTES,
    };
    chokepoint_experiment::execute(&plan, &exec).expect("the comparison runs");
    plan.cells.len() as u64
}
