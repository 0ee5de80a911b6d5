//! The engine driven as a library, with no command line: what a Python module or a server
//! would do. A comparison run on one machine and the same comparison run as two shards and
//! merged give the same files; a plain run reports what it wrote.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use chokepoint_experiment::{
    Assignment, CompareSpec, Design, Execution, Outcome, PARQUET_ABOVE_BYTES, ParamRange, Plan,
    PlanSpec, Report, RunSpec, Settings, Shard, Silent, SweepSpec, execute, merge,
};
use chokepoint_scenario::Scenario;

/// Scenario and strategies files, read from the file system: the loader the CLI and the
/// Python module use.
use chokepoint_engine::Files;

fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(name)
}

fn settings() -> Settings {
    Settings {
        seed: Some(5),
        replications: Some(3),
        batch: 2,
    }
}

fn horizon(weeks: u32) -> Vec<Assignment> {
    vec![Assignment {
        path: "scenario.horizon_weeks".into(),
        value: weeks.to_string(),
    }]
}

fn execution<'a>(out: &Path, shard: Option<Shard>, stop: &'a AtomicBool) -> Execution<'a> {
    Execution {
        out: Some(out.to_owned()),
        shard,
        resume: false,
        force: false,
        threads: 1,
        progress: &Silent,
        stop,
        command: Vec::new(),
        format: None,
        parquet_above_bytes: chokepoint_experiment::PARQUET_ABOVE_BYTES,
    }
}

#[test]
fn a_comparison_merged_from_shards_equals_one_machine() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = PlanSpec::Compare(CompareSpec {
        scenarios: vec![shipped("full_embargo.toml")],
        strategies: Some(shipped("stockpile_strategies.toml")),
        baseline: None,
        objective: None,
        overrides: horizon(80),
        settings: settings(),
    });
    let plan: Plan<Scenario> = Plan::from_spec(&spec, &Files).unwrap();
    let stop = AtomicBool::new(false);
    let single = tmp.path().join("single");
    let Outcome::Done(Report::Compare(report)) =
        execute(&plan, &execution(&single, None, &stop)).unwrap()
    else {
        panic!("a comparison on one machine finishes");
    };
    assert_eq!(report.rankings.len(), 1);
    assert_eq!(report.rankings[0].replications, 3);

    let mut shards = Vec::new();
    for index in 0..2 {
        let dir = tmp.path().join(format!("shard-{index}"));
        let shard = Some(Shard { index, count: 2 });
        let outcome = execute(&plan, &execution(&dir, shard, &stop)).unwrap();
        assert!(matches!(outcome, Outcome::ShardDone { .. }));
        shards.push(dir);
    }
    let merged = tmp.path().join("merged");
    let Report::Compare(_) =
        merge::<Scenario>(&shards, &merged, &Files, &chokepoint_experiment::Silent).unwrap()
    else {
        panic!("the shards of a comparison merge into a comparison");
    };
    assert_eq!(
        std::fs::read(single.join("comparison.csv")).unwrap(),
        std::fs::read(merged.join("comparison.csv")).unwrap()
    );
}

#[test]
fn a_plain_run_is_a_one_cell_plan_and_reports_its_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = PlanSpec::Run(RunSpec {
        scenario: shipped("baseline_2024.toml"),
        overrides: horizon(20),
        settings: settings(),
        targets: Vec::new(),
        max_replications: 0,
    });
    let plan: Plan<Scenario> = Plan::from_spec(&spec, &Files).unwrap();
    assert_eq!(plan.cells.len(), 1);
    let stop = AtomicBool::new(false);
    let out = tmp.path().join("run");
    let Outcome::Done(Report::Run(report)) = execute(&plan, &execution(&out, None, &stop)).unwrap()
    else {
        panic!("a plain run finishes");
    };
    assert_eq!(report.replications, 3);
    assert!(report.rows.iter().any(|r| r.metric == "unmet_magnet_t"));
    for file in [
        "summary.csv",
        "timeseries.csv",
        "replications.csv",
        "manifest.json",
    ] {
        assert!(out.join(file).exists(), "{file}");
    }
}

/// A sweep with no `--format`, run with the automatic Parquet switch at `above` bytes.
fn sweep_with_threshold(out: &Path, above: u64) -> serde_json::Value {
    let spec = PlanSpec::Sweep(SweepSpec {
        scenario: shipped("full_embargo.toml"),
        params: vec![
            "shock.allied_embargo.duration_weeks=4:40"
                .parse::<ParamRange>()
                .unwrap(),
        ],
        design: "grid:2".parse::<Design>().unwrap(),
        strategies: None,
        overrides: horizon(66),
        settings: Settings {
            replications: Some(2),
            ..settings()
        },
    });
    let plan: Plan<Scenario> = Plan::from_spec(&spec, &Files).unwrap();
    let stop = AtomicBool::new(false);
    let exec = Execution {
        parquet_above_bytes: above,
        ..execution(out, None, &stop)
    };
    assert!(matches!(
        execute(&plan, &exec).unwrap(),
        Outcome::Done(Report::Sweep(_))
    ));
    serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn a_sweep_over_the_parquet_threshold_writes_parquet_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    // Two points of a few hundred bytes each: over a 100-byte threshold.
    let over = tmp.path().join("over");
    let manifest = sweep_with_threshold(&over, 100);
    assert!(over.join("sweep.parquet").exists());
    assert!(!over.join("sweep.csv").exists());
    assert_eq!(manifest["format"], "parquet");
    let note = manifest["format_note"].as_str().unwrap();
    assert!(
        note.contains("over 100 bytes") && note.contains("--format csv"),
        "{note}"
    );

    let under = tmp.path().join("under");
    let manifest = sweep_with_threshold(&under, PARQUET_ABOVE_BYTES);
    assert!(under.join("sweep.csv").exists());
    assert!(!under.join("sweep.parquet").exists());
    assert!(manifest["format_note"].is_null(), "{manifest}");
    assert!(
        manifest["format"].is_null() || manifest["format"] == "csv",
        "{manifest}"
    );
}
