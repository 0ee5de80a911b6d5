//! Writes the frozen benchmark workloads `benches/workloads/{small,large}.toml` from today's
//! `scenarios/list_expansion_2025_10.toml` (issue 14). Run once, by hand, only when a workload's
//! *format* must change (delete the file first: it refuses to overwrite); `tests/workloads.rs`
//! checks that their size never changes.
//!
//! ```sh
//! cargo run --example freeze_workloads
//! ```

use std::path::{Path, PathBuf};

use chokepoint_scenario::{Scenario, ScenarioFile};

/// `large`: each `[[demand]]` entry's firms multiplied by this (same tonnes).
const LARGE_FIRMS_FACTOR: u32 = 4;
/// `large`: its horizon.
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

const HEADER_SMALL: &str = "\
# Frozen benchmark workload `small` (issue 14): 253 agents (19 producers, 231 manufacturers,
# 2 stockpiles, 1 export authority) x 312 simulated weeks (260 reported + 52 warm-up).
#
# A mechanical copy of scenarios/list_expansion_2025_10.toml resolved through its `extends`
# chain (Scenario::to_toml), written by `cargo run --example freeze_workloads`.
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
# dates). Written by `cargo run --example freeze_workloads`; may change format,
# never size (tests/workloads.rs).

";

/// Writes the two workloads from today's scenario. Run once, by hand; refuses to overwrite.
fn main() {
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
    let p = large.central();
    assert_eq!(
        p.producers.len() + p.manufacturers.len() + p.stockpiles.len() + p.authorities.len(),
        946,
        "large has its frozen number of agents"
    );
    std::fs::write(workload("large"), &large_text).unwrap();
}
