//! A refinery abroad under the exporter's control (issue 18 B8) end to end: the shipped
//! `partner_refinery.toml` runs and writes `supply_under_licence_share`; made independent
//! (`--set exporter.china.partner_regions=[]`) the same plant supplies Dy and Tb without
//! China's licence, so importers lack less of them (common random numbers: same seed).

mod common;

use common::{chokepoint, root, stderr};

/// Runs the shipped file for 66 weeks (the prediction targets run to March 2026; the April 2025 regime starts in week 13) with `extra`
/// arguments; returns `summary.csv` and `timeseries.csv`.
fn run(extra: &[&str]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().to_str().unwrap();
    let mut args = vec![
        "run",
        "scenarios/partner_refinery.toml",
        "--quiet",
        "--reps",
        "3",
        "--seed",
        "7",
        "--set",
        "scenario.horizon_weeks=66",
        "--set",
        "scenario.lever_metrics=true",
        "--out",
        out_dir,
    ];
    args.extend_from_slice(extra);
    let out = chokepoint(&args);
    assert!(out.status.success(), "{}", stderr(&out));
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

/// The per-step means of `variable` in a `timeseries.csv`, in step order.
fn series(ts: &str, variable: &str) -> Vec<f64> {
    ts.lines()
        .filter(|l| l.split(',').nth(2) == Some(variable))
        .map(|l| l.split(',').nth(3).unwrap().parse().unwrap())
        .collect()
}

#[test]
fn an_independent_refinery_relieves_what_a_partner_under_control_does_not() {
    assert!(root().join("scenarios/partner_refinery.toml").is_file());
    let (partner, partner_ts) = run(&[]);
    let (independent, independent_ts) = run(&["--set", "exporter.china.partner_regions=[]"]);
    let share = series(&partner_ts, "supply_under_licence_share");
    assert_eq!(share.len(), 66);
    assert!(share.iter().all(|s| (0.0..=1.0).contains(s)), "{share:?}");
    // Nothing needs a licence before 4 April 2025 (week 13); much does after.
    assert!(share[..13].iter().all(|&s| s == 0.0), "{share:?}");
    assert!(share[20..].iter().any(|&s| s > 0.1), "{share:?}");
    let free = series(&independent_ts, "supply_under_licence_share");
    let total = |v: &[f64]| v.iter().sum::<f64>();
    assert!(
        total(&share) > total(&free),
        "a partner's Dy and Tb need China's licence: {} vs {}",
        total(&share),
        total(&free)
    );
    for item in ["dy", "tb"] {
        let metric = format!("unmet_demand_t/{item}");
        let (a, b) = (mean_of(&partner, &metric), mean_of(&independent, &metric));
        assert!(b < a, "{metric}: independent {b} vs partner {a}");
    }
}
