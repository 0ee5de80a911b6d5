//! Admission control end to end (issue 13): plans that will not fit are refused before
//! anything is allocated or written, with the estimate and how to shrink them.

mod common;

use std::process::Command;

use common::{root, stderr};

/// `chokepoint args...` under a 1 GiB address-space limit (`ulimit -v`), so that a plan that
/// starts allocating its design fails with an allocation abort instead of the refusal.
fn chokepoint_in_1_gib(args: &str) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v 1048576; exec timeout 60 '{}' {args}",
            env!("CARGO_BIN_EXE_chokepoint")
        ))
        .current_dir(root())
        .output()
        .expect("sh runs")
}

#[test]
fn a_grid_of_a_hundred_million_points_is_refused_up_front_in_bounded_memory() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("big");
    let o = chokepoint_in_1_gib(&format!(
        "sweep scenarios/full_embargo.toml --design grid:100 \
         --param shock.allied_embargo.duration_weeks=4:52 \
         --param defaults.manufacturer.cover_weeks=2:8 \
         --param defaults.price.elasticity=1:3 \
         --param defaults.manufacturer.order_adjust_weeks=1:4 \
         --reps 10 --quiet --out {}",
        dir.display()
    ));
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("100000000 cell(s) × 10 replication(s)") && err.contains("TB of memory"),
        "{err}"
    );
    assert!(err.contains("smaller `grid:K`"), "{err}");
    assert!(!dir.exists(), "nothing is written for a refused plan");
}

#[test]
fn too_many_replications_for_the_memory_limit_are_refused_before_running() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("r");
    let o = Command::new(env!("CARGO_BIN_EXE_chokepoint"))
        .args([
            "run",
            "scenarios/baseline_2024.toml",
            "--reps",
            "100000",
            "--quiet",
        ])
        .arg("--out")
        .arg(&dir)
        .env("CHOKEPOINT_MEMORY_LIMIT", "300M")
        .current_dir(root())
        .output()
        .unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("300.0 MB of CHOKEPOINT_MEMORY_LIMIT=300M") && err.contains("--reps"),
        "{err}"
    );
    assert!(!dir.exists());
}
