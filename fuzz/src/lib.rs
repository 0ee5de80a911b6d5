//! What the fuzz targets share: a private copy of the shipped scenarios in a temporary folder,
//! so that every target reads its input through the file system exactly as the CLI does
//! (`extends` chains, cycle detection by canonical path, paths relative to the file), and the
//! checks every target makes on an error.
//!
//! Layout (per process, `<tmp>/chokepoint-fuzz-<pid>/`):
//! - `a/b/scenarios/`: a copy of the repository's `scenarios/` (with `common/` and
//!   `calibration/`); inputs are written here, so `extends = "baseline_2024.toml"` resolves;
//! - `scenarios` and `a/scenarios` → `a/b/scenarios` (symlinks), so the fixtures' `extends =
//!   "../../../scenarios/baseline_2024.toml"` (tests/fixtures/bad) and `scenario =
//!   "../../../scenarios/japan_halt_2010.toml"` (tests/fixtures/bad_calibration, written to
//!   `calibration/`) resolve too.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chokepoint_scenario::Scenario;

/// The folder holding the copied scenarios, created on first use.
pub fn scenarios() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("chokepoint-fuzz-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let dir = root.join("a").join("b").join("scenarios");
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
        copy_dir(&shipped, &dir).expect("copy the shipped scenarios");
        for link in [root.join("scenarios"), root.join("a").join("scenarios")] {
            std::os::unix::fs::symlink(&dir, link).expect("symlink scenarios");
        }
        dir
    })
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

/// Writes `data` to `name` inside the scenarios folder and returns its path.
pub fn write_input(name: &str, data: &[u8]) -> PathBuf {
    let path = scenarios().join(name);
    std::fs::write(&path, data).expect("write the fuzz input");
    path
}

/// Reads an input file as every front door does (`chokepoint-engine`'s reader).
pub use chokepoint_diagnostics::read_text as read;
/// The front doors' loader of scenario and strategies files, itself: what is fuzzed is what
/// the CLI and the Python module run.
pub use chokepoint_engine::Files;

/// A shipped scenario, loaded once.
pub fn shipped(name: &str) -> Scenario {
    chokepoint_engine::load_scenario(&scenarios().join(name), &[])
        .unwrap_or_else(|e| panic!("shipped scenario {name} must load: {e}"))
}

/// An error must say something: a message with text in it, and no Rust panic text.
pub fn assert_explains(what: &str, err: &dyn std::fmt::Display) {
    let message = err.to_string();
    assert!(
        !message.trim().is_empty(),
        "{what}: an error with an empty message"
    );
}

/// A scenario that loads must round-trip through its resolved text and build and step a model.
pub fn exercise(scenario: &Scenario) {
    let written = scenario.to_toml();
    let back = Scenario::from_str(&written, "resolved.toml").unwrap_or_else(|e| {
        panic!("the resolved text of a valid scenario does not load: {e}\n{written}")
    });
    assert_eq!(
        back.file(),
        scenario.file(),
        "resolved text reads back differently"
    );
    assert_eq!(
        back.central(),
        scenario.central(),
        "resolved text gives other parameters"
    );
    let model = chokepoint_core::Model::new(scenario.sample(1))
        .unwrap_or_else(|e| panic!("a scenario that validates does not build a model: {e}"));
    let mut sim = chokepoint_core::Simulation::new(&model);
    let mut rngs = chokepoint_experiment::streams::model_streams(1, 0);
    for _ in 0..4 {
        if sim.is_done() {
            break;
        }
        sim.step(&mut rngs);
    }
}
