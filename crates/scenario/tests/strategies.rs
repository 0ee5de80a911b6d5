//! Strategies files with levers (issue 18 B12): `[[strategy.floor]]` beside
//! `[[strategy.stockpile]]`, a strategy's `budget_usd` checked against its levers' budgets at
//! load, and lever metrics on in every strategy of a file that holds a floor.

use std::path::{Path, PathBuf};

use chokepoint_scenario::{Scenario, StrategySet};

fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(name)
}

fn read(p: &Path) -> std::io::Result<String> {
    std::fs::read_to_string(p)
}

/// A strategies file from text (never on disk), loaded.
fn strategies(text: &str) -> Result<StrategySet, String> {
    let path = shipped("__strategies_test.toml");
    let reader = |p: &Path| {
        if p == path {
            Ok(text.to_owned())
        } else {
            read(p)
        }
    };
    StrategySet::load(&path, &reader).map_err(|e| e.to_string())
}

fn scenario(name: &str) -> Scenario {
    Scenario::load(&shipped(name), &read, &[]).expect("a shipped scenario loads")
}

/// One floor under Lynas Malaysia, with `extra` appended to its table.
fn floor_strategy(strategy_keys: &str, extra: &str) -> String {
    format!(
        "[[strategy]]\nname = \"none\"\n\n[[strategy]]\nname = \"floor\"\n{strategy_keys}\n[[strategy.floor]]\nname = \"f\"\nproducer = \"lynas_malaysia\"\nfloor_usd_per_kg = 110\ndate = 2025-01-06\n{extra}"
    )
}

#[test]
fn the_shipped_lever_strategies_apply_with_lever_metrics_in_every_strategy() {
    let set = StrategySet::load(&shipped("lever_strategies.toml"), &read).expect("loads");
    assert_eq!(
        set.names(),
        ["none", "ndpr_reserve", "lynas_floor", "texas_grant"]
    );
    for s in &set.strategies {
        assert_eq!(
            s.budget_usd,
            Some(if s.name == "none" { 0.0 } else { 300e6 })
        );
    }
    // On a scenario without economics, even `none` (no floor) reports the lever metrics.
    let base = scenario("baseline_2024.toml");
    assert!(!base.central().lever_metrics);
    for s in &set.strategies {
        if s.name == "texas_grant" {
            // Its grant names the planned plant of separator_at_risk, which the baseline lacks.
            let err = base.with_strategy(s).unwrap_err().to_string();
            assert!(err.contains("unknown producer `lynas_texas`"), "{err}");
            let at_risk = scenario("separator_at_risk.toml");
            let v = at_risk.with_strategy(s).expect("applies");
            assert!(v.central().lever_metrics);
            let c = v.central();
            assert_eq!(
                (c.stockpiles.len(), c.floors.len(), c.grants.len()),
                (0, 0, 1)
            );
            continue;
        }
        let v = base.with_strategy(s).expect("applies");
        assert!(v.central().lever_metrics, "{}", s.name);
        let (stockpiles, floors) = (v.central().stockpiles.len(), v.central().floors.len());
        match s.name.as_str() {
            "none" => assert_eq!((stockpiles, floors), (0, 0)),
            "ndpr_reserve" => assert_eq!((stockpiles, floors), (1, 0)),
            _ => assert_eq!((stockpiles, floors), (0, 1)),
        }
    }
}

#[test]
fn a_stockpile_only_file_leaves_lever_metrics_as_the_scenario_has_them() {
    let set = StrategySet::load(&shipped("stockpile_strategies.toml"), &read).expect("loads");
    let base = scenario("baseline_2024.toml");
    for s in &set.strategies {
        assert!(!base.with_strategy(s).unwrap().central().lever_metrics);
    }
}

#[test]
fn a_strategy_replaces_the_scenario_s_floors() {
    // A scenario with a floor, and a strategy without one: the floor is gone.
    let set = strategies(&floor_strategy("", "")).unwrap();
    let with_floor = scenario("baseline_2024.toml")
        .with_strategy(&set.strategies[1])
        .unwrap();
    assert_eq!(with_floor.central().floors.len(), 1);
    let none = with_floor.with_strategy(&set.strategies[0]).unwrap();
    assert!(none.central().floors.is_empty());
}

#[test]
fn budgets_are_checked_at_load() {
    // Enough: 300 M >= 200 M.
    strategies(&floor_strategy("budget_usd = 300e6", "budget_usd = 200e6")).unwrap();
    // Equal is enough.
    strategies(&floor_strategy("budget_usd = 200e6", "budget_usd = 200e6")).unwrap();
    let refused = [
        (
            floor_strategy("budget_usd = 1e6", "budget_usd = 2e6"),
            "__strategies_test.toml:6:1: `strategy.1.budget_usd`: budget_usd = 1000000 is less than its levers' budgets, 2000000 in all (floor `f` 2000000)",
        ),
        (
            floor_strategy("budget_usd = 1e6", ""),
            "floor `f` has no `budget_usd`",
        ),
        (
            floor_strategy("budget_usd = -1", "budget_usd = 0"),
            "budget_usd = -1 is not a number of USD >= 0",
        ),
        (
            floor_strategy("budget_usd = nan", "budget_usd = 0"),
            "budget_usd = NaN is not a number of USD >= 0",
        ),
        (
            floor_strategy("budget_usd = \"lots\"", "budget_usd = 0"),
            "expected a number of USD, found text",
        ),
    ];
    for (text, message) in refused {
        let err = strategies(&text).expect_err(&text);
        assert!(err.contains(message), "{message}\n--- got:\n{err}");
    }
    // A lever whose budget is a distribution cannot be checked against the strategy's.
    let err = strategies(&floor_strategy(
        "budget_usd = 1e6",
        "budget_usd = { dist = \"uniform\", lo = 1, hi = 2 }",
    ))
    .unwrap_err();
    assert!(
        err.contains("has a distribution as its `budget_usd`"),
        "{err}"
    );
    // A stockpile's budget counts too.
    let text = "[[strategy]]\nname = \"s\"\nbudget_usd = 10\n[[strategy.stockpile]]\nname = \"x\"\nbudget_usd = 11\n";
    let err = strategies(text).unwrap_err();
    assert!(err.contains("stockpile `x` 11"), "{err}");
}

#[test]
fn bad_floor_sections_are_refused() {
    let err = strategies("[[strategy]]\nname = \"s\"\nfloor = 3\n").unwrap_err();
    assert!(
        err.contains("expected `[[strategy.floor]]` tables"),
        "{err}"
    );
    let err =
        strategies("[[strategy]]\nname = \"s\"\n[[strategy.flor]]\nname = \"f\"\n").unwrap_err();
    assert!(err.contains("did you mean `floor`"), "{err}");
    // A floor under a producer the scenario lacks is refused when applied, at the strategies file.
    let set = strategies(&floor_strategy("", "").replace("lynas_malaysia", "lynas_texas")).unwrap();
    let err = scenario("baseline_2024.toml")
        .with_strategy(&set.strategies[1])
        .unwrap_err()
        .to_string();
    assert!(err.contains("__strategies_test.toml"), "{err}");
    assert!(err.contains("lynas_texas"), "{err}");
}

#[test]
fn a_stockpile_only_file_keeps_the_scenarios_floors_and_replaces_its_stockpiles() {
    // price_floor_vs_price_war's DoD floor is a policy input: comparing stockpile strategies on
    // it must not silently drop it; the stockpiles are the strategies' own.
    let war = scenario("price_floor_vs_price_war.toml");
    assert_eq!(war.central().floors.len(), 1);
    let set = StrategySet::load(&shipped("stockpile_strategies.toml"), &read).unwrap();
    for s in &set.strategies {
        let v = war.with_strategy(s).unwrap();
        assert_eq!(v.central().floors.len(), 1, "strategy {}", s.name);
        if s.name == "none" {
            assert!(
                v.central().stockpiles.is_empty(),
                "none holds no stockpiles"
            );
        }
    }
    // A file that speaks of floors replaces them: its `none` has none.
    let set = StrategySet::load(&shipped("lever_strategies.toml"), &read).unwrap();
    let none = set.strategies.iter().find(|s| s.name == "none").unwrap();
    assert!(war.with_strategy(none).unwrap().central().floors.is_empty());
}
