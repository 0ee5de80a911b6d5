//! Technology controls end to end (issue 18 B7): the shipped `tech_ban_delay.toml` runs, and on
//! the same seed its planned magnet capacity arrives later with the controls than with their
//! speed shares set to 1; the timeline shows them.

mod common;

use std::process::Command;

use common::{chokepoint, stdout};

/// Every speed share of the file's two controls at 1: the controls off.
const NO_BAN: [&str; 8] = [
    "--set",
    "shock.dec2023_catalogue.build_speed_share=1",
    "--set",
    "shock.dec2023_catalogue.ramp_speed_share=1",
    "--set",
    "shock.no62.build_speed_share=1",
    "--set",
    "shock.no62.ramp_speed_share=1",
];

/// Runs the shipped file for 66 weeks with `extra` arguments; returns `summary.csv` and
/// `timeseries.csv`.
fn run(extra: &[&str]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec![
        "run",
        "scenarios/tech_ban_delay.toml",
        "--quiet",
        "--reps",
        "2",
        "--seed",
        "7",
        "--set",
        "scenario.horizon_weeks=66",
        "--out",
        dir.path().to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = Command::new(env!("CARGO_BIN_EXE_chokepoint"))
        .args(&args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).unwrap();
    (read("summary.csv"), read("timeseries.csv"))
}

/// The mean of `metric` in a `summary.csv`.
fn mean_of(summary: &str, metric: &str) -> f64 {
    let row = summary
        .lines()
        .find(|l| l.split(',').next() == Some(metric))
        .unwrap_or_else(|| panic!("no {metric} in\n{summary}"));
    row.split(',').nth(2).unwrap().parse().unwrap()
}

/// The mean of `variable` at `step` in a `timeseries.csv`.
fn mean_at(ts: &str, step: u32, variable: &str) -> f64 {
    let prefix = format!("{step},");
    let row = ts
        .lines()
        .find(|l| l.starts_with(&prefix) && l.split(',').nth(2) == Some(variable))
        .unwrap_or_else(|| panic!("no {variable} at step {step}"));
    row.split(',').nth(3).unwrap().parse().unwrap()
}

#[test]
fn the_ban_delays_planned_magnet_capacity_on_the_same_seed() {
    let (with, ts_with) = run(&[]);
    let (without, ts_without) = run(&NO_BAN);
    let delay = |s: &str| mean_of(s, "planned_capacity_delay_weeks");
    // Without the controls a committed plant starts on its plan: no delay at all.
    assert!(delay(&without).abs() < 1e-12, "{}", delay(&without));
    // e-VAC (1,500 of the 13,500 t/yr planned) builds 43 weeks at 0.9 and then slower: its first
    // output comes weeks later, the only delay inside 66 weeks.
    assert!(delay(&with) > 0.5, "{}", delay(&with));
    let evac = "online_share/us_ndfeb_evac";
    assert!(mean_at(&ts_without, 44, evac) > 0.0);
    assert!(mean_at(&ts_with, 44, evac).abs() < 1e-12);
    assert!(mean_at(&ts_with, 65, evac) < mean_at(&ts_without, 65, evac));
}

#[test]
fn check_shows_the_controls_in_the_timeline() {
    let out = chokepoint(&["check", "scenarios/tech_ban_delay.toml"]);
    assert!(out.status.success());
    let text = stdout(&out);
    for want in [
        "dec2023_catalogue",
        "know-how banned: build x 0.9, ramp x 0.9",
        "know-how banned: build x 0.75, ramp x 0.5",
        "separation, magnet_making outside the exporter",
    ] {
        assert!(text.contains(want), "{want}:\n{text}");
    }
}
