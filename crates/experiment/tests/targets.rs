//! Targets through the engine, as a library: `backtest` returns the rows it writes, and a run
//! of a scenario with targets merged from shards gives the same `target/<name>` summary as one
//! machine.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use chokepoint_core::TargetRole;
use chokepoint_experiment::{
    Assignment, BoxError, Execution, Load, Outcome, Plan, PlanSpec, RunSpec, Settings, Shard,
    Silent, backtest, execute, merge,
};
use chokepoint_scenario::{Override, Scenario, Strategy};

/// Scenario files, read from the file system.
struct Files;

impl Load<Scenario> for Files {
    fn scenario(&self, path: &Path, overrides: &[Assignment]) -> Result<Scenario, BoxError> {
        let overrides: Vec<Override> = overrides
            .iter()
            .map(|a| Override {
                path: a.path.clone(),
                value: a.value.clone(),
            })
            .collect();
        let read = |p: &Path| std::fs::read_to_string(p);
        Ok(Scenario::load(path, &read, &overrides)?)
    }

    fn strategies(&self, path: &Path) -> Result<Vec<(String, Strategy)>, BoxError> {
        Err(format!("{}: no strategies in these tests", path.display()).into())
    }
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/targets/japan_halt_2010.toml")
}

fn spec() -> RunSpec {
    RunSpec {
        scenario: fixture(),
        overrides: Vec::new(),
        settings: Settings {
            seed: Some(9),
            replications: Some(4),
            batch: 2,
        },
        targets: Vec::new(),
        max_replications: 0,
    }
}

fn execution<'a>(out: &Path, shard: Option<Shard>, stop: &'a AtomicBool) -> Execution<'a> {
    Execution {
        out: Some(out.to_owned()),
        shard,
        resume: false,
        force: false,
        threads: 2,
        progress: &Silent,
        stop,
        command: Vec::new(),
        format: None,
        parquet_above_bytes: chokepoint_experiment::PARQUET_ABOVE_BYTES,
    }
}

/// The `target/` rows of a summary.csv.
fn target_rows(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("summary.csv"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("target/"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn backtest_returns_the_rows_of_backtest_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let stop = AtomicBool::new(false);
    let report = backtest(&spec(), &Files, &execution(tmp.path(), None, &stop)).unwrap();
    // The fixture's targets merge with the shipped japan_halt_2010.toml's by name.
    let n = report.rows.len();
    let (fit, held) = (
        report.inside(TargetRole::Fit).1,
        report.inside(TargetRole::Holdout).1,
    );
    assert!(fit >= 6 && held >= 4, "{fit} fit, {held} holdout");
    assert_eq!(fit + held, n, "no predictions in the 2010 fixture");
    let csv = std::fs::read_to_string(tmp.path().join("backtest.csv")).unwrap();
    assert_eq!(csv.lines().count(), n + 1, "a header and a row per target");
    assert_eq!(target_rows(tmp.path()).len(), n);

    let refused = backtest(
        &spec(),
        &Files,
        &execution(
            &tmp.path().join("shard"),
            Some("0/2".parse().unwrap()),
            &stop,
        ),
    )
    .unwrap_err();
    assert!(refused.to_string().contains("one machine"), "{refused}");
}

#[test]
fn target_metrics_of_shards_merge_into_what_one_machine_gives() {
    let tmp = tempfile::tempdir().unwrap();
    let stop = AtomicBool::new(false);
    let plan: Plan<Scenario> = Plan::from_spec(&PlanSpec::Run(spec()), &Files).unwrap();
    let whole = tmp.path().join("whole");
    let Outcome::Done(_) = execute(&plan, &execution(&whole, None, &stop)).unwrap() else {
        panic!("a plain run finishes");
    };
    let mut shards = Vec::new();
    for i in 0..2 {
        let dir = tmp.path().join(format!("shard{i}"));
        let shard: Shard = format!("{i}/2").parse().unwrap();
        let Outcome::ShardDone { .. } =
            execute(&plan, &execution(&dir, Some(shard), &stop)).unwrap()
        else {
            panic!("a shard finishes its share");
        };
        shards.push(dir);
    }
    let merged = tmp.path().join("merged");
    merge::<Scenario>(&shards, &merged, &Files, &chokepoint_experiment::Silent).unwrap();
    assert!(target_rows(&whole).len() >= 10);
    assert_eq!(target_rows(&whole), target_rows(&merged));
}
