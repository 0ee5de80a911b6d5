//! The frozen benchmark workloads (`benches/workloads/`, issue 14) keep their size.
//!
//! `small.toml` is `scenarios/list_expansion_2025_10.toml` as resolved on the day it was frozen
//! (no `extends`, so later edits to `scenarios/` never change it); `large.toml` is the same
//! market with four times as many firms per `[[demand]]` entry and a 520-week horizon. They may
//! change format when the scenario format changes, never size: the counts below are the frozen
//! ones, and a failure here means a workload (or the compiler's count of agents) changed size.
//!
//! `cargo run --example freeze_workloads` wrote them; it refuses to overwrite them.

use std::path::{Path, PathBuf};

use chokepoint_core::ModelParams;
use chokepoint_scenario::Scenario;

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
