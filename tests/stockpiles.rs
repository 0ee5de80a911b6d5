//! Stockpiles open at the level their strategy states (a distribution when holdings are secret)
//! and strategies differ in cost, across strategies and across replications (issue 11).

use std::path::Path;

use chokepoint_experiment::run_one;
use chokepoint_scenario::{Scenario, StrategySet};

const SEED: u64 = 11;
const REPS: u64 = 4;

fn read(p: &Path) -> std::io::Result<String> {
    std::fs::read_to_string(p)
}

fn shipped(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn strategies() -> StrategySet {
    StrategySet::load(&shipped("stockpile_strategies.toml"), &read).expect("strategies load")
}

fn with(scenario: &Scenario, name: &str) -> Scenario {
    let set = strategies();
    let s = set
        .strategies
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no strategy {name}"));
    scenario.with_strategy(s).expect("the strategy applies")
}

#[test]
fn stockpiles_open_at_the_stated_share_of_target_drawn_per_replication() {
    let base = Scenario::load(&shipped("full_embargo.toml"), &read, &[]).unwrap();
    let scenario = with(&base, "days60_shortage");
    let mut shares = Vec::new();
    for r in 0..REPS {
        let run = run_one(&scenario, SEED, r).unwrap();
        let p = run.model.params();
        for s in &p.stockpiles {
            for l in &s.lines {
                let share = l.initial_t / l.target_t;
                assert!(
                    (0.5 - 1e-12..=1.0 + 1e-12).contains(&share),
                    "{} opens at {share} of target, outside the stated 0.5-1",
                    s.name
                );
                shares.push(share);
            }
        }
        // The stockpile series starts where the parameters say: at most the opening holdings
        // plus one week's purchase (stockpiles buy from step 0; the warm-up leaves them idle).
        let var = run.model.schema().step_var("stockpile_t/dy").unwrap();
        let opened: f64 = p
            .stockpiles
            .iter()
            .flat_map(|s| &s.lines)
            .filter(|l| p.items[l.item.idx()].name == "dy")
            .map(|l| l.initial_t + l.acquisition_t_per_step)
            .sum();
        assert!(
            run.trajectory.step(0)[var] <= opened + 1e-9,
            "step 0 holds at most the opening plus one week's purchase"
        );
    }
    let (lo, hi) = shares
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
    assert!(hi - lo > 0.05, "opening shares vary across replications");
}

#[test]
fn strategies_differ_in_cost_across_strategies_and_replications() {
    let base = Scenario::load(&shipped("full_embargo.toml"), &read, &[]).unwrap();
    let mut means = Vec::new();
    for name in ["none", "days60_shortage", "days90_price", "dy_tb_budget"] {
        let scenario = with(&base, name);
        let costs: Vec<f64> = (0..REPS)
            .map(|r| {
                let run = run_one(&scenario, SEED, r).unwrap();
                let m = run.model.schema().metric("stockpile_cost_usd").unwrap();
                run.outcome.metrics[m]
            })
            .collect();
        let mean = costs.iter().sum::<f64>() / costs.len() as f64;
        if name == "none" {
            assert!(mean.abs() < 1e-9, "no stockpile costs nothing");
        } else {
            let spread = costs.iter().fold(f64::MIN, |a, &b| a.max(b))
                - costs.iter().fold(f64::MAX, |a, &b| a.min(b));
            assert!(
                spread > 0.0,
                "{name}: stockpile cost is the same in every replication ({costs:?})"
            );
        }
        means.push((name, mean));
    }
    for (i, a) in means.iter().enumerate() {
        for b in &means[i + 1..] {
            assert!(
                (a.1 - b.1).abs() > 1e-6 * a.1.abs().max(b.1.abs()),
                "{} and {} cost the same",
                a.0,
                b.0
            );
        }
    }
}
