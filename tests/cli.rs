//! End-to-end tests of the `chokepoint` binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chokepoint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chokepoint"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn run_prints_every_headline_metric_for_the_baseline() {
    let out = chokepoint(&["run", "scenarios/baseline_2024.toml", "--run-id", "3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for metric in [
        "unmet_demand_t",
        "unmet_demand_share",
        "any_halt",
        "weeks_to_first_halt",
        "peak_price_ratio/dy",
        "licence_approval_rate",
        "mean_licence_delay_weeks",
        "stockpile_cost_usd",
        "lost_output_usd",
    ] {
        assert!(text.contains(metric), "missing {metric} in\n{text}");
    }
}

#[test]
fn same_seed_prints_the_same_and_another_seed_differs() {
    let a = stdout(&chokepoint(&[
        "run",
        "scenarios/baseline_2024.toml",
        "--seed",
        "5",
    ]));
    let b = stdout(&chokepoint(&[
        "run",
        "scenarios/baseline_2024.toml",
        "--seed",
        "5",
    ]));
    let c = stdout(&chokepoint(&[
        "run",
        "scenarios/baseline_2024.toml",
        "--seed",
        "6",
    ]));
    assert_eq!(a, b);
    assert_ne!(a.replace("seed 5", ""), c.replace("seed 6", ""));
}

#[test]
fn missing_file_is_a_clear_error_not_a_panic() {
    let out = chokepoint(&["run", "scenarios/no_such_file.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("no_such_file.toml") && err.contains("cannot read"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}

#[test]
fn bad_scenario_reports_file_line_key_and_fix() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("scenarios/baseline_2024.toml")).unwrap();
    let bad = text.replacen("utilisation = 0.9 ", "utilisaton = 0.9 ", 1);
    let path: &Path = &dir.path().join("bad.toml");
    std::fs::write(path, bad).unwrap();
    let out = chokepoint(&["run", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("bad.toml:"), "{err}");
    assert!(err.contains("did you mean `utilisation`"), "{err}");
    assert!(err.contains("fix:"), "{err}");
}
