//! The frozen benchmark workloads (`benches/workloads/`, issue 14) keep their size.
//!
//! `small.toml` is `scenarios/list_expansion_2025_10.toml` as resolved on the day it was frozen
//! (no `extends`, so later edits to `scenarios/` never change it); `large.toml` is the same
//! market with four times as many firms per `[[demand]]` entry and a 520-week horizon. They may
//! change format when the scenario format changes, never size: the counts below are the frozen
//! ones, and a failure here means a workload (or the compiler's count of agents) changed size.
//!
//! `cargo test --test workloads -- --ignored freeze` wrote them; it refuses to overwrite them.

use std::path::{Path, PathBuf};

use chokepoint_core::ModelParams;
use chokepoint_scenario::{Scenario, ScenarioFile};

/// Agents and steps of a workload, as frozen.
#[derive(Debug, PartialEq, Eq)]
struct Size {
    producers: usize,
    manufacturers: usize,
    stockpiles: usize,
    authorities: usize,
    items: usize,
    regions: usize,
    reported_weeks: u32,
    warmup_weeks: u32,
}

impl Size {
    fn of(p: &ModelParams) -> Self {
        Size {
            producers: p.producers.len(),
            manufacturers: p.manufacturers.len(),
            stockpiles: p.stockpiles.len(),
            authorities: p.authorities.len(),
            items: p.items.len(),
            regions: p.regions.len(),
            reported_weeks: p.calendar.n_steps,
            warmup_weeks: p.calendar.warmup_steps,
        }
    }

    fn agents(&self) -> usize {
        self.producers + self.manufacturers + self.stockpiles + self.authorities
    }
}

/// `small`: 253 agents × 312 simulated weeks (260 reported + 52 warm-up).
const SMALL: Size = Size {
    producers: 19,
    manufacturers: 231,
    stockpiles: 2,
    authorities: 1,
    items: 16,
    regions: 10,
    reported_weeks: 260,
    warmup_weeks: 52,
};

/// `large`: 946 agents × 572 simulated weeks (520 reported + 52 warm-up).
const LARGE: Size = Size {
    producers: 19,
    manufacturers: 924,
    stockpiles: 2,
    authorities: 1,
    items: 16,
    regions: 10,
    reported_weeks: 520,
    warmup_weeks: 52,
};

/// Firms per `[[demand]]` entry in `large`, relative to `small`.
const LARGE_FIRMS_FACTOR: u32 = 4;
/// The horizon of `large`, weeks.
const LARGE_HORIZON_WEEKS: u32 = 520;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn workload(name: &str) -> PathBuf {
    root()
        .join("benches/workloads")
        .join(format!("{name}.toml"))
}

fn load(path: &Path) -> Scenario {
    let read = |p: &Path| std::fs::read_to_string(p);
    Scenario::load(path, &read, &[]).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn small_workload_keeps_its_frozen_size() {
    let s = load(&workload("small"));
    let size = Size::of(s.central());
    assert_eq!(size, SMALL);
    assert_eq!(size.agents(), 253);
    assert!(
        s.file().extends.is_none(),
        "small.toml must be self-contained"
    );
}

#[test]
fn large_workload_keeps_its_frozen_size() {
    let s = load(&workload("large"));
    let size = Size::of(s.central());
    assert_eq!(size, LARGE);
    assert_eq!(size.agents(), 946);
    assert!(
        s.file().extends.is_none(),
        "large.toml must be self-contained"
    );
}

#[test]
fn workloads_sample_like_their_source() {
    // Both keep the scenario's uncertain numbers (six shock values and the firms' sizes and
    // covers of each of the 42 demand entries), so a replication samples as `run` would.
    let small = load(&workload("small"));
    let large = load(&workload("large"));
    assert_eq!(small.sampled_keys().len(), 48, "{:?}", small.sampled_keys());
    assert_eq!(small.sampled_keys(), large.sampled_keys());
}

const HEADER_SMALL: &str = "\
# Frozen benchmark workload `small` (issue 14): 253 agents (19 producers, 231 manufacturers,
# 2 stockpiles, 1 export authority) x 312 simulated weeks (260 reported + 52 warm-up).
#
# A mechanical copy of scenarios/list_expansion_2025_10.toml resolved through its `extends`
# chain (Scenario::to_toml), written by `cargo test --test workloads -- --ignored freeze`.
# Every number and its source is the one in scenarios/ at the commit named in
# benches/workloads/README.md; comments are not carried over. Do not edit numbers here:
# the workload may change format, never size (tests/workloads.rs).

";

const HEADER_LARGE: &str = "\
# Frozen benchmark workload `large` (issue 14): 946 agents (19 producers, 924 manufacturers,
# 2 stockpiles, 1 export authority) x 572 simulated weeks (520 reported + 52 warm-up).
#
# The `small` workload's market with every [[demand]] entry split into 4x as many firms
# (same tonnes, so the same market in more, smaller firms) and a 520-week horizon: a
# benchmark of size, not a scenario of the world (the horizon runs past every source's
# dates). Written by `cargo test --test workloads -- --ignored freeze`; may change format,
# never size (tests/workloads.rs).

";

/// Writes the two workloads from today's scenario. Run once, by hand; refuses to overwrite.
#[test]
#[ignore = "writes benches/workloads/*.toml once; they are frozen"]
fn freeze() {
    let source = load(&root().join("scenarios/list_expansion_2025_10.toml"));
    for name in ["small", "large"] {
        assert!(
            !workload(name).exists(),
            "{} exists: workloads are frozen, delete it by hand only to change its format",
            workload(name).display()
        );
    }
    std::fs::create_dir_all(root().join("benches/workloads")).unwrap();

    let small_text = format!("{HEADER_SMALL}{}", source.to_toml());
    let small = Scenario::from_str(&small_text, workload("small")).unwrap();
    assert_eq!(
        small.central(),
        source.central(),
        "small resolves to the same parameters"
    );
    assert_eq!(small.sampled_keys(), source.sampled_keys());
    std::fs::write(workload("small"), &small_text).unwrap();

    let mut file: ScenarioFile = source.file().clone();
    file.extends = None;
    "list_expansion_2025_10_large".clone_into(&mut file.scenario.name);
    file.scenario.description = format!(
        "Benchmark workload: {} with {LARGE_FIRMS_FACTOR}x the firms per demand entry and a {LARGE_HORIZON_WEEKS}-week horizon",
        source.name()
    );
    file.scenario.horizon_weeks = Some(LARGE_HORIZON_WEEKS);
    for d in &mut file.demand {
        d.firms = Some(d.firms.unwrap_or(1) * LARGE_FIRMS_FACTOR);
    }
    let large_text = format!(
        "{HEADER_LARGE}{}",
        toml::to_string(&file).expect("a scenario file serialises")
    );
    let large = Scenario::from_str(&large_text, workload("large")).unwrap();
    assert_eq!(Size::of(large.central()), LARGE);
    std::fs::write(workload("large"), &large_text).unwrap();
}
