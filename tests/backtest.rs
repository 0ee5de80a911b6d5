//! `chokepoint backtest` end to end: the table, backtest.csv, the inside flag, thread
//! invariance of the target metrics, predictions (no observed value), and the refusal of a
//! scenario without targets.

mod common;

use common::{chokepoint, stderr, stdout};
use std::path::Path;

const FIXTURE: &str = "tests/fixtures/targets/japan_halt_2010.toml";

fn backtest(out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "backtest",
        FIXTURE,
        "--quiet",
        "--reps",
        "6",
        "--seed",
        "11",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    chokepoint(&args)
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// backtest.csv as records (header skipped).
fn records(dir: &Path) -> Vec<csv::StringRecord> {
    let text = read(dir, "backtest.csv");
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(Result::unwrap)
        .collect()
}

/// The `target/*` columns of replications.csv, one row per replication.
fn target_columns(dir: &Path) -> Vec<Vec<String>> {
    let text = read(dir, "replications.csv");
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().clone();
    let cols: Vec<usize> = (0..header.len())
        .filter(|&k| header[k].starts_with("target/"))
        .collect();
    assert!(!cols.is_empty(), "{header:?}");
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            cols.iter().map(|&k| rec[k].to_owned()).collect()
        })
        .collect()
}

#[test]
fn backtest_prints_fit_then_holdout_and_writes_backtest_csv() {
    let dir = tempfile::tempdir().unwrap();
    let out = backtest(dir.path(), &["--threads", "1"]);
    // A backtest reports; targets outside their bands do not fail it.
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let fit = text.find("Fit targets").expect("a fit block");
    let holdout = text.find("Holdout targets").expect("a holdout block");
    assert!(fit < holdout, "{text}");
    assert!(
        text[fit..holdout].contains("japan_imports_from_china_2010_09"),
        "{text}"
    );
    assert!(
        text[holdout..].contains("dy_oxide_price_2011_year_end"),
        "{text}"
    );

    let csv = read(dir.path(), "backtest.csv");
    assert!(
        csv.starts_with("target,role,from,to,unit,historical,p5,p50,p95,inside_p5_p95,tolerance,p50_within_tolerance,source\n"),
        "{csv}"
    );
    let rows = records(dir.path());
    // The fixture's targets merge with the shipped japan_halt_2010.toml's by name: count both.
    let roles: Vec<&str> = rows.iter().map(|r| &r[1]).collect();
    let fit = roles.iter().filter(|r| **r == "fit").count();
    assert!(fit >= 6 && roles.len() > fit, "{roles:?}");
    assert!(roles[..fit].iter().all(|r| *r == "fit"), "{roles:?}");
    assert!(roles[fit..].iter().all(|r| *r == "holdout"), "{roles:?}");
    assert!(
        text.contains(&format!(" of {fit} fit targets inside their p5–p95 band, ")),
        "{text}"
    );
    assert_eq!(&rows[0][2], "2010-09-01");
    assert_eq!(&rows[0][4], "t");
    assert!(rows.iter().any(|r| &r[4] == "USD/kg"), "{rows:?}");
    for r in &rows {
        let num = |k: usize| r[k].parse::<f64>().unwrap();
        let (h, p5, p50, p95) = (num(5), num(6), num(7), num(8));
        assert!(p5 <= p50 && p50 <= p95, "{r:?}");
        let inside = p5 <= h && h <= p95;
        assert_eq!(&r[9], if inside { "true" } else { "false" }, "{r:?}");
    }
    // The targets are metrics like any other: in summary.csv and replications.csv.
    let summary = read(dir.path(), "summary.csv");
    assert!(
        summary.contains("\ntarget/china_exports_2010,6,"),
        "{summary}"
    );
    let reps = target_columns(dir.path());
    assert_eq!(reps.len(), 6);
    assert_eq!(
        reps[0].len(),
        rows.len(),
        "a target/ column per backtest row"
    );
    assert!(dir.path().join("manifest.json").exists());
}

#[test]
fn target_metrics_do_not_depend_on_threads_and_historical_values_do_not_change_the_run() {
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    let a = backtest(one.path(), &["--threads", "1"]);
    assert!(a.status.success(), "{}", stderr(&a));
    let p50 = records(one.path())[0][7].to_owned();
    // Move the first target's observed value onto the model's median: the run is the same
    // (targets do not change the simulation) and the target is now inside its band.
    let set = format!("target.japan_imports_from_china_2010_09.historical={p50}");
    let b = backtest(two.path(), &["--threads", "2", "--set", &set]);
    assert!(b.status.success(), "{}", stderr(&b));
    assert_eq!(target_columns(one.path()), target_columns(two.path()));
    let (ra, rb) = (records(one.path()), records(two.path()));
    for (x, y) in ra.iter().zip(&rb) {
        for k in 6..9 {
            assert_eq!(x[k], y[k], "quantiles moved: {x:?} vs {y:?}");
        }
    }
    assert_eq!(&rb[0][9], "true", "{:?}", rb[0]);
}

#[test]
fn backtest_of_a_scenario_without_targets_says_how_to_add_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = chokepoint(&[
        "backtest",
        "scenarios/baseline_2024.toml",
        "--quiet",
        "--reps",
        "2",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("baseline_2024.toml: holds no `[[target]]`"),
        "{err}"
    );
    assert!(err.contains("docs/scenarios.md"), "{err}");
    assert!(
        !dir.path().join("summary.csv").exists(),
        "nothing runs without targets"
    );
}

#[test]
fn predictions_come_last_with_empty_observed_cells_and_are_not_counted() {
    let dir = tempfile::tempdir().unwrap();
    let out = chokepoint(&[
        "backtest",
        "tests/fixtures/targets/japan_halt_2010_prediction.toml",
        "--quiet",
        "--reps",
        "4",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let fit = text.find("Fit targets").expect("a fit block");
    let holdout = text.find("Holdout targets").expect("a holdout block");
    let pred = text
        .find("Predictions (no observed value):")
        .expect("a predictions block");
    assert!(fit < holdout && holdout < pred, "{text}");
    assert!(
        text[pred..].contains("japan_imports_from_china_2012_06"),
        "{text}"
    );
    assert!(
        text.contains("1 prediction: no observed value, not counted."),
        "{text}"
    );

    let csv = read(dir.path(), "backtest.csv");
    assert!(!csv.contains("NaN"), "{csv}");
    let rows = records(dir.path());
    let of_role = |role: &str| rows.iter().filter(|r| &r[1] == role).count();
    let (fit, held) = (of_role("fit"), of_role("holdout"));
    assert_eq!(of_role("prediction"), 1);
    assert_eq!(rows.len(), fit + held + 1);
    // Counts are of fit and holdout targets only.
    assert!(
        text.contains(&format!(" of {fit} fit targets inside their p5–p95 band, ")),
        "{text}"
    );
    assert!(text.contains(&format!(" of {held} inside, ")), "{text}");
    let last = rows.last().unwrap();
    assert_eq!(
        (&last[0], &last[1]),
        ("japan_imports_from_china_2012_06", "prediction")
    );
    // historical, inside_p5_p95, tolerance, p50_within_tolerance: empty cells.
    for k in [5, 9, 10, 11] {
        assert_eq!(&last[k], "", "column {k}: {last:?}");
    }
    let num = |k: usize| last[k].parse::<f64>().unwrap();
    assert!(num(6) <= num(7) && num(7) <= num(8), "{last:?}");
    assert!(num(7) > 0.0, "Japan keeps importing in June 2012: {last:?}");
}

#[test]
fn a_2025_scenario_of_predictions_only_backtests() {
    let dir = tempfile::tempdir().unwrap();
    let out = chokepoint(&[
        "backtest",
        "scenarios/china_licensing_2025_04.toml",
        "--quiet",
        "--reps",
        "2",
        // The predictions end on 31 Mar 2026: 66 weeks from 6 Jan 2025 hold them all.
        "--set",
        "scenario.horizon_weeks=66",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Predictions (no observed value):"), "{text}");
    assert!(!text.contains("Fit targets"), "{text}");
    assert!(!text.contains("fit targets inside"), "{text}");
    for name in [
        "china_ndfeb_exports_2025_04",
        "china_ndfeb_exports_2026_03",
        "china_ndfeb_exports_2025_04_to_12",
        "dy_price_ratio_max_2025_04_to_12",
        "tb_price_ratio_mean_2025_12",
        "ndfeb_price_ratio_max_2025_04_to_2026_03",
    ] {
        assert!(text.contains(name), "{name}: {text}");
    }
    let rows = records(dir.path());
    assert_eq!(rows.len(), 18);
    assert!(
        rows.iter()
            .all(|r| &r[1] == "prediction" && r[5].is_empty())
    );
}
