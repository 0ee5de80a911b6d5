//! Producer economics (issue 18) on a shipped market: the steady 2024 baseline with costs on
//! every producer keeps them all open (no closure in a steady baseline), lever outputs appear
//! only with economics, and keys that need a cash cost are refused without one, at their line.

use std::path::Path;
use std::process::Command;

use chokepoint_experiment::run_one;
use chokepoint_scenario::{Override, Scenario};

const SEED: u64 = 20261202;
/// Replications of the steady-baseline check: enough to see a closure that noise could cause,
/// few enough for seconds.
const REPS: u64 = 4;

fn baseline(overrides: &[Override]) -> Result<Scenario, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline_2024.toml");
    let read = |p: &Path| std::fs::read_to_string(p);
    Scenario::load(&path, &read, overrides).map_err(|e| e.to_string())
}

fn set(path: &str, value: &str) -> Override {
    Override {
        path: path.to_owned(),
        value: value.to_owned(),
    }
}

#[test]
fn the_steady_baseline_with_costs_on_every_producer_closes_none() {
    let plain = baseline(&[]).unwrap();
    assert!(
        !plain.central().lever_metrics,
        "no economics, no lever outputs"
    );
    let n = plain.file().producer.len();
    // 1 USD/kg of activity and 1 M USD/yr of site cost: below every producer's margin at base
    // prices (a mine's 3 USD/kg concentrate, a separator's ~16 USD of oxides per kg of feed
    // against 3 USD of concentrate, a magnet maker's 45 USD/kg against its bill of materials;
    // the smallest plant, eu_smco, sells ~9 M USD a year, so 10 M USD/yr would close it).
    let mut overrides = vec![
        set("defaults.producer.close_after_loss_weeks", "26"),
        set("defaults.producer.restart_price_ratio", "1.2"),
        set("defaults.producer.restart_weeks", "13"),
    ];
    for k in 0..n {
        overrides.push(set(&format!("producer.{k}.cash_cost_usd_per_kg"), "1"));
        overrides.push(set(&format!("producer.{k}.fixed_cost_usd_per_year"), "1e6"));
    }
    let scenario = baseline(&overrides).unwrap();
    let operators = &scenario.central().operators;
    assert_eq!(operators.len(), n, "each producer its own operator");
    let restart = operators[0]
        .restart
        .expect("a restart rule from the defaults");
    assert_eq!(
        (
            operators[0].close_after_loss_steps,
            restart.sustain_steps,
            restart.offline_steps
        ),
        (Some(26), 26, 13),
        "weeks to steps; the sustain period's default"
    );
    assert!(
        scenario.central().lever_metrics,
        "economics switch lever outputs on"
    );
    for r in 0..REPS {
        let run = run_one(&scenario, SEED, r).unwrap();
        let schema = run.model.schema();
        let closures = run.outcome.metrics[schema.metric("producer_closures").unwrap()];
        let last = run.trajectory.step(run.trajectory.n_steps() - 1);
        for (v, name) in schema.step_vars.iter().enumerate() {
            if name.starts_with("producer_open/") {
                assert!(
                    (last[v] - 1.0).abs() < 1e-12,
                    "replication {r}: {name} closed"
                );
            }
            if name.starts_with("loss_weeks/") {
                assert!(
                    last[v].abs() < 1e-12,
                    "replication {r}: {name} = {}",
                    last[v]
                );
            }
        }
        assert!(
            closures.abs() < 1e-12,
            "replication {r}: {closures} closures"
        );
    }
}

#[test]
fn economics_keys_without_a_cash_cost_are_refused_where_they_stand() {
    let err = baseline(&[set("producer.us_separation.operator", "\"mp\"")]).unwrap_err();
    assert!(
        err.contains("`operator` without `cash_cost_usd_per_kg`"),
        "{err}"
    );
    assert!(err.contains("cash_cost_usd_per_kg = ..."), "{err}");
    let err = baseline(&[set("producer.us_separation.restart_weeks", "10")]).unwrap_err();
    assert!(
        err.contains("`restart_weeks` without `cash_cost_usd_per_kg`"),
        "{err}"
    );
    let err = baseline(&[set("producer.us_separation.cash_cost_usd_per_kg", "-1")]).unwrap_err();
    assert!(err.contains("cash_cost_usd_per_kg"), "{err}");
}

/// End to end through the binary: a separator whose cash cost is far above its margin closes
/// in every replication, and the lever outputs are written.
#[test]
fn run_writes_the_lever_outputs_of_a_closing_separator() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_chokepoint"))
        .args([
            "run",
            "scenarios/baseline_2024.toml",
            "--quiet",
            "--reps",
            "2",
            "--set",
            "scenario.horizon_weeks=20",
            "--set",
            "producer.us_separation.cash_cost_usd_per_kg=100",
            "--set",
            "producer.us_separation.close_after_loss_weeks=4",
            "--out",
            dir.path().to_str().unwrap(),
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = std::fs::read_to_string(dir.path().join("summary.csv")).unwrap();
    for row in [
        "\nproducer_closures,2,1.0,0.0,",
        "\nany_producer_closed,2,1.0,",
        "\npolicy_cost_usd,2,",
    ] {
        assert!(summary.contains(row), "no {row:?} in\n{summary}");
    }
    let ts = std::fs::read_to_string(dir.path().join("timeseries.csv")).unwrap();
    // Open in the first weeks, closed from week 3 (the 4th week at a loss) on.
    assert!(
        ts.contains("\n0,2025-01-06,producer_open/us_separation,1,"),
        "step 0 open"
    );
    assert!(ts.contains("\n19,"), "twenty steps");
    let last: Vec<&str> = ts
        .lines()
        .filter(|l| l.starts_with("19,") && l.contains(",producer_open/us_separation,"))
        .collect();
    assert_eq!(last.len(), 1);
    assert!(
        last[0].contains(",producer_open/us_separation,0,"),
        "{}",
        last[0]
    );
}

/// A file extending the baseline with `extra` appended, in a temporary folder.
fn baseline_with(extra: &str) -> (tempfile::TempDir, Result<Scenario, String>) {
    let dir = tempfile::tempdir().unwrap();
    let parent = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline_2024.toml");
    let text = format!(
        "extends = {:?}\n[scenario]\nname = \"floor_test\"\nhorizon_weeks = 20\n{extra}",
        parent.display().to_string()
    );
    let path = dir.path().join("floor.toml");
    std::fs::write(&path, text).unwrap();
    let read = |p: &Path| std::fs::read_to_string(p);
    let scenario = Scenario::load(&path, &read, &[]).map_err(|e| e.to_string());
    (dir, scenario)
}

#[test]
fn a_floor_under_the_us_separator_pays_and_switches_lever_outputs_on() {
    let floor = "[[floor]]\nname = \"dod_ndpr\"\nproducer = \"us_separation\"\nitem = \"ndpr\"\n\
                 floor_usd_per_kg = 110\ndate = 2025-01-06\n";
    let (_dir, scenario) = baseline_with(floor);
    let scenario = scenario.unwrap();
    assert!(scenario.central().lever_metrics);
    assert_eq!(scenario.central().floors.len(), 1);
    let run = run_one(&scenario, SEED, 0).unwrap();
    let m = |name: &str| run.outcome.metrics[run.model.schema().metric(name).unwrap()];
    // NdPr's base price is 60 USD/kg: about 50 USD/kg on every kg the separator makes.
    assert!(m("floor_paid_usd") > 0.0);
    let policy = m("stockpile_cost_usd") + m("floor_paid_usd");
    assert!((m("policy_cost_usd") - policy).abs() <= 1e-9 * policy);
    let (_dir, bad) = baseline_with(&floor.replace("us_separation", "us_separator"));
    let err = bad.unwrap_err();
    assert!(err.contains("unknown producer `us_separator`"), "{err}");
    assert!(err.contains("us_separation"), "did you mean: {err}");
    let (_dir, bad) = baseline_with(&floor.replace("\"ndpr\"", "\"ndfeb\""));
    let err = bad.unwrap_err();
    assert!(
        err.contains("`us_separation` does not make `ndfeb`"),
        "{err}"
    );
    // Two floors under the same producer and item at the same time would both pay: refused,
    // and so is a name used twice; back to back they are fine.
    let second = floor
        .replace("dod_ndpr", "dod_extra")
        .replace("2025-01-06", "2025-03-03");
    let (_dir, bad) = baseline_with(&format!("{floor}duration_weeks = 12\n{second}"));
    let err = bad.unwrap_err();
    assert!(
        err.contains("floor `dod_ndpr` is in force at the same time") && err.contains("date"),
        "{err}"
    );
    let (_dir, bad) = baseline_with(&format!("{floor}{floor}"));
    assert!(bad.unwrap_err().contains("`dod_ndpr` is defined twice"));
    let (_dir, ok) = baseline_with(&format!("{floor}duration_weeks = 8\n{second}"));
    assert_eq!(ok.unwrap().central().floors.len(), 2);
}
