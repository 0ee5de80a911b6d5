//! Every input in `tests/fixtures/fuzz/` (the fuzz targets' seeds and the crashes fuzz runs found,
//! `crash-*`) ends cleanly through the front door that reads its kind of input: exit 0, or exit 2
//! with a message; never a panic. See `tests/fixtures/fuzz/README.md`.

mod common;

use std::path::{Path, PathBuf};

use chokepoint_experiment::design::{self, Design, ParamRange};
use common::{chokepoint, stderr};

/// Largest design whose points are placed here (as in `fuzz/fuzz_targets/sweep_design.rs`).
const MAX_POINTS: usize = 10_000;

fn files(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
}

/// Exit 0, or exit 2 with a message; no panic.
fn assert_clean(what: &str, o: &std::process::Output) {
    let err = stderr(o);
    assert!(!err.contains("panicked"), "{what}: panicked:\n{err}");
    match o.status.code() {
        Some(0) => {}
        Some(2) => assert!(!err.trim().is_empty(), "{what}: exit 2 without a message"),
        other => panic!("{what}: exit {other:?}, want 0 or 2:\n{err}"),
    }
}

#[test]
fn scenario_inputs_check_cleanly() {
    for f in files("scenario_text") {
        assert_clean(
            &f.display().to_string(),
            &chokepoint(&[Path::new("check"), &f]),
        );
    }
}

#[test]
fn set_inputs_check_cleanly() {
    for f in files("set_values") {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        let mut args = vec![
            "check".to_owned(),
            "scenarios/list_expansion_2025_10.toml".to_owned(),
        ];
        for line in text.lines() {
            args.push(format!("--set={line}"));
        }
        assert_clean(&f.display().to_string(), &chokepoint(&args));
    }
}

#[test]
fn sweep_design_inputs_parse_and_place_points_inside_their_ranges() {
    let inputs = files("sweep_design");
    assert!(
        inputs.iter().any(|f| f
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("crash-")),
        "the crash found by the fuzz run is kept"
    );
    for f in inputs {
        let text = String::from_utf8_lossy(&std::fs::read(&f).unwrap()).into_owned();
        let mut lines = text.lines();
        let Some(Ok(design)) = lines.next().map(str::parse::<Design>) else {
            continue;
        };
        let params: Vec<ParamRange> = lines.filter_map(|l| l.parse().ok()).collect();
        let Some(points) = design::points(&params, design, 7) else {
            continue;
        };
        assert!(
            points.len() <= MAX_POINTS,
            "{}: a seed stays small",
            f.display()
        );
        for point in &points {
            for (v, p) in point.iter().zip(&params) {
                assert!(
                    v.is_finite() && p.lo <= *v && *v <= p.hi,
                    "{}: {}: {v} outside {}..{}",
                    f.display(),
                    p.path,
                    p.lo,
                    p.hi
                );
            }
        }
    }
}

#[test]
fn every_crash_has_a_test() {
    // Crashes of the other targets need their own check above before they are kept.
    for target in ["strategies_text", "suite_text", "calibration_text"] {
        for f in files(target) {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                !name.starts_with("crash-"),
                "{}: add a check for {target} crashes to tests/fuzz_fixtures.rs",
                f.display()
            );
        }
    }
}
