//! End-to-end tests of the `chokepoint` binary.

mod common;

use common::{chokepoint, root, stderr, stdout};
use std::path::Path;
use std::process::{Command, Output};

/// A short run of the baseline: one simulated year keeps the tests quick.
fn short_run(out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        "scenarios/baseline_2024.toml",
        "--quiet",
        "--set",
        "scenario.horizon_weeks=52",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    chokepoint(&args)
}

const RESULT_FILES: [&str; 4] = [
    "summary.csv",
    "summary.json",
    "timeseries.csv",
    "replications.csv",
];

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{}/{name}: {e}", dir.display()))
}

#[test]
fn run_writes_the_four_files_and_a_manifest_and_prints_the_headline_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = short_run(dir.path(), &["--reps", "12", "--seed", "3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for want in [
        "P(any_halt)",
        "unmet_magnet_t",
        "weeks_to_first_halt",
        "peak_price_ratio/dy",
        "95% CI of mean",
        "p5 – p95",
    ] {
        assert!(text.contains(want), "missing {want} in\n{text}");
    }
    let summary = String::from_utf8(read(dir.path(), "summary.csv")).unwrap();
    assert!(
        summary.starts_with("metric,n,mean,sd,ci95_lo,ci95_hi,p5,p25,p50,p75,p95\n"),
        "{summary}"
    );
    assert!(summary.contains("\nlost_output_usd,12,"));
    let ts = String::from_utf8(read(dir.path(), "timeseries.csv")).unwrap();
    assert!(
        ts.starts_with(
            "step,date,variable,mean,p5,p25,p50,p75,p95\n0,2025-01-06,price_ratio/concentrate,"
        ),
        "{}",
        &ts[..200]
    );
    let reps = String::from_utf8(read(dir.path(), "replications.csv")).unwrap();
    assert_eq!(
        reps.lines().count(),
        13,
        "a header and one row per replication"
    );
    assert!(reps.starts_with("rep,seed,unmet_magnet_t,"));
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(dir.path(), "manifest.json")).unwrap();
    assert_eq!(manifest["status"], "complete");
    assert_eq!(manifest["seed"], 3);
    assert_eq!(manifest["replications"], 12);
    assert_eq!(manifest["scenario_sha256"].as_str().unwrap().len(), 64);
    assert!(
        manifest["resolved_scenario"]
            .as_str()
            .unwrap()
            .contains("horizon_weeks = 52")
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp")
        })
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
}

#[test]
fn results_are_bit_identical_for_one_two_and_four_threads() {
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    for (dir, threads) in dirs.iter().zip(["1", "2", "4"]) {
        // Batches smaller than the run make threads interleave across several batches.
        let out = short_run(
            dir.path(),
            &["--reps", "20", "--batch", "7", "--threads", threads],
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    for name in RESULT_FILES {
        let first = read(dirs[0].path(), name);
        for dir in &dirs[1..] {
            assert!(
                first == read(dir.path(), name),
                "{name} differs between thread counts"
            );
        }
    }
}

#[test]
fn same_seed_same_bytes_and_another_seed_differs() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    short_run(a.path(), &["--reps", "6", "--seed", "5"]);
    short_run(b.path(), &["--reps", "6", "--seed", "5"]);
    short_run(c.path(), &["--reps", "6", "--seed", "6"]);
    assert_eq!(
        read(a.path(), "timeseries.csv"),
        read(b.path(), "timeseries.csv")
    );
    assert_ne!(
        read(a.path(), "timeseries.csv"),
        read(c.path(), "timeseries.csv")
    );
}

#[test]
fn target_ci_adds_batches_until_the_interval_is_narrow_enough() {
    let dir = tempfile::tempdir().unwrap();
    let out = short_run(
        dir.path(),
        &[
            "--reps",
            "8",
            "--batch",
            "8",
            "--target-ci",
            "exports_t=50",
            "--max-reps",
            "200",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(dir.path(), "manifest.json")).unwrap();
    let n = manifest["replications"].as_u64().unwrap();
    assert!(n >= 8 && n.is_multiple_of(8), "whole batches: {n}");
    let summary = String::from_utf8(read(dir.path(), "summary.csv")).unwrap();
    let row: Vec<f64> = summary
        .lines()
        .find(|l| l.starts_with("exports_t,"))
        .unwrap()
        .split(',')
        .skip(1)
        .map(|x| x.parse().unwrap())
        .collect();
    let half_width = (row[4] - row[3]) / 2.0;
    if manifest["targets_met"] == true {
        assert!(half_width <= 50.0, "{half_width}");
    } else {
        assert_eq!(n, 200, "only --max-reps may stop it short of the target");
    }
}

#[test]
fn unknown_target_metric_is_refused_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let out = short_run(
        dir.path(),
        &["--reps", "4", "--target-ci", "unmet_magnet=5"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("did you mean `unmet_magnet_t`"), "{err}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_leaves_a_folder_marked_interrupted_with_whole_batches() {
    let dir = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_chokepoint"))
        .args([
            "run",
            "scenarios/baseline_2024.toml",
            "--quiet",
            "--reps",
            "100000",
            "--batch",
            "4",
            "--threads",
            "1",
            "--out",
        ])
        .arg(dir.path())
        .current_dir(root())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until it is running (the manifest says so), then interrupt.
    let manifest_path = dir.path().join("manifest.json");
    for _ in 0..200 {
        if manifest_path.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(700));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    let manifest: serde_json::Value =
        serde_json::from_slice(&read(dir.path(), "manifest.json")).unwrap();
    assert_eq!(manifest["status"], "interrupted");
    let n = manifest["replications"].as_u64().unwrap();
    assert!(n.is_multiple_of(4) && n < 100_000, "{n}");
    let reps = String::from_utf8(read(dir.path(), "replications.csv")).unwrap();
    assert_eq!(reps.lines().count() as u64, n + 1, "no half-written rows");
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
    // The OS's reason once, not repeated by the error chain (issue 13).
    assert_eq!(err.matches("os error").count(), 1, "{err}");
}

#[test]
fn bad_scenario_reports_file_line_key_and_fix() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("scenarios/baseline_2024.toml")).unwrap();
    let behaviour = root().join("scenarios/common/behaviour.toml");
    let bad = text
        .replacen("utilisation = 0.9 ", "utilisaton = 0.9 ", 1)
        .replacen(
            "\"common/behaviour.toml\"",
            &format!("{:?}", behaviour.to_str().unwrap()),
            1,
        );
    let path: &Path = &dir.path().join("bad.toml");
    std::fs::write(path, bad).unwrap();
    let out = chokepoint(&[
        "run",
        path.to_str().unwrap(),
        "--out",
        dir.path().join("out").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("bad.toml:"), "{err}");
    assert!(err.contains("did you mean `utilisation`"), "{err}");
    assert!(err.contains("fix:"), "{err}");
    assert!(
        !dir.path().join("out").exists(),
        "no output folder for a refused scenario"
    );
}

#[test]
fn check_prints_the_timeline_and_diff_the_differences() {
    let dir = tempfile::tempdir().unwrap();
    let child = dir.path().join("child.toml");
    let base = root().join("scenarios/baseline_2024.toml");
    std::fs::write(
        &child,
        format!(
            "extends = {:?}\n[scenario]\nname = \"child\"\n[[shock]]\nname = \"jp_halt\"\ntype = \"halt\"\ndate = 2025-09-22\ndestinations = [\"japan\"]\nitems = [\"*\"]\nduration_weeks = {{ dist = \"triangular\", lo = 8, mode = 9, hi = 10 }}\n",
            base.to_str().unwrap()
        ),
    )
    .unwrap();
    let out = chokepoint(&["check", child.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("ok."), "{text}");
    assert!(
        text.contains("~2025-09-22")
            && text.contains("jp_halt")
            && text.contains("shipments halted")
            && text.contains("to japan"),
        "{text}"
    );
    let row = text
        .lines()
        .find(|l| l.starts_with("shock.jp_halt.duration_weeks"))
        .unwrap_or_else(|| panic!("uncertain keys listed: {text}"));
    assert!(
        row.contains("triangular") && row.contains("weeks"),
        "the row shows the distribution and the key table's unit: {row}"
    );
    let out = chokepoint(&["diff", base.to_str().unwrap(), child.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("scenario.name") && text.contains("shock.jp_halt.type"),
        "{text}"
    );
    assert!(!text.contains("producer."), "nothing else differs: {text}");
}

/// Issue 13: `check` shows when every measure starts, including a suspension that starts
/// while its target is not yet in force (No. 70 suspends No. 61 before it begins, and No. 57
/// on the day it would start): these used to be missing, so the truce seemed to start nowhere.
#[test]
fn check_shows_when_a_suspension_starts_even_before_its_target_is_in_force() {
    let out = chokepoint(&["check", "scenarios/truce_2025_11.toml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let line = |needle: &str| {
        text.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no `{needle}` in {text}"))
            .to_owned()
    };
    assert!(
        line("suspends no57_expansion").starts_with("2025-11-10"),
        "{text}"
    );
    assert!(
        line("suspends no61_extraterritorial").starts_with("2025-11-10"),
        "{text}"
    );
    assert!(
        line("no61_extraterritorial back in force").starts_with("2026-11-"),
        "{text}"
    );
}
