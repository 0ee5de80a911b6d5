//! Recycling mandates and joint stockpiles (issue 18 B10/B11) end to end: a `[[recycling]]` and a
//! stockpile's `members` load into the model as written (units, dates, the switches), a run
//! reports what was recovered and what it cost inside `policy_cost_usd`, and `compare` of the
//! shipped `recycling_strategies.toml` gives every cell the same metrics. Also a floor's
//! offtake (design §3.1) on the shipped market: it buys the covered output into a stockpile.

mod common;

use std::path::{Path, PathBuf};

use chokepoint_scenario::Scenario;
use common::{chokepoint, comparison_means, root, stderr};

/// A scenario on the 2024 baseline with an EU recycling mandate dated before the start (so it
/// runs from week 0 at full collection) and a joint stockpile of the EU, Japan and Korea.
const EXTRA: &str = r#"
[scenario]
name = "recycling_demo"

[[recycling]]
name = "eu_ndfeb"
region = "eu"
scrap_item = "ndfeb"
eol_t_per_year = 900
collection_share = 0.5
date = 2023-01-02
build_weeks = 52
cash_cost_usd_per_kg = 35

[[stockpile]]
name = "eu_joint"
region = "eu"
members = ["eu", "japan", "korea"]
end_use = "industrial"
budget_usd = 1e8
release_shortage_share = 0.2
refill_max_price_ratio = 1.2
refill_delay_weeks = 26
[[stockpile.holding]]
item = "dy"
initial_t = 40
target_weeks = 8
acquisition_t_per_week = 1
release_cap_t_per_week = 2
"#;

/// The scenario file: `extends` the shipped baseline by its absolute path.
fn scenario_text() -> String {
    let base = root().join("scenarios/baseline_2024.toml");
    format!("extends = {:?}\n{EXTRA}", base.to_str().unwrap())
}

fn write_scenario(dir: &Path) -> PathBuf {
    let path = dir.join("recycling.toml");
    std::fs::write(&path, scenario_text()).unwrap();
    path
}

#[test]
fn a_recycling_mandate_and_a_joint_stockpile_load_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_scenario(dir.path());
    let read = |p: &Path| std::fs::read_to_string(p);
    let scenario = Scenario::load(&path, &read, &[])
        .map_err(|e| e.to_string())
        .unwrap();
    let p = scenario.central();
    assert!(
        p.lever_metrics && p.recycling_metrics,
        "recycling switches both on"
    );
    let r = &p.recyclers[0];
    let region = |name: &str| p.regions.iter().position(|g| g.name == name).unwrap();
    assert_eq!(r.region.idx(), region("eu"));
    assert_eq!(p.items[r.scrap_item.idx()].name, "ndfeb");
    // 900 t/yr in weekly steps; recovery defaults to 0.9.
    assert!((r.eol_t_per_step - 900.0 * 7.0 / 365.25).abs() < 1e-9);
    assert!((r.recovery_share - 0.9).abs() < 1e-12);
    // 2023-01-02 + 52 weeks = 2024-01-01, 53 weeks before the start (2025-01-06).
    assert_eq!(r.start_step, -53);
    assert!((r.online_share(0) - 1.0).abs() < 1e-12);
    let joint = p.stockpiles.iter().find(|s| s.name == "eu_joint").unwrap();
    let members: Vec<usize> = joint.members.iter().map(|m| m.idx()).collect();
    assert_eq!(members, [region("eu"), region("japan"), region("korea")]);
    // The baseline's own stockpiles name no members: their releases stay at home.
    assert!(
        p.stockpiles
            .iter()
            .filter(|s| s.name != "eu_joint")
            .all(|s| s.members.is_empty())
    );
}

/// The mean of `metric` in a `summary.csv`.
fn mean_of(summary: &str, metric: &str) -> f64 {
    let row = summary
        .lines()
        .find(|l| l.split(',').next() == Some(metric))
        .unwrap_or_else(|| panic!("no {metric} in\n{summary}"));
    row.split(',').nth(2).unwrap().parse().unwrap()
}

#[test]
fn a_run_reports_recovered_tonnes_and_their_cost_inside_policy_cost() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_scenario(dir.path());
    let out = dir.path().join("out");
    let o = chokepoint(&[
        "run",
        path.to_str().unwrap(),
        "--quiet",
        "--reps",
        "2",
        "--set",
        "scenario.horizon_weeks=20",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    // 20 weeks at full collection: 900 × 7 / 365.25 × 0.5 t of scrap a week, and per tonne
    // 280 + 10 + 2 kg of NdPr, Dy and Tb recovered at 0.9.
    let want = 20.0 * 900.0 * 7.0 / 365.25 * 0.5 * 0.292 * 0.9;
    let got = mean_of(&summary, "recycled_t");
    assert!((got - want).abs() <= 1e-9 * want, "{got} vs {want}");
    // At base prices a kg of scrap yields ~19 USD of metal against a 35 USD cost: a deficit.
    let paid = mean_of(&summary, "recycling_cost_usd");
    assert!(paid > 0.0);
    let parts =
        mean_of(&summary, "stockpile_cost_usd") + mean_of(&summary, "floor_paid_usd") + paid;
    let policy = mean_of(&summary, "policy_cost_usd");
    assert!(
        (policy - parts).abs() <= 1e-9 * policy,
        "{policy} vs {parts}"
    );
}

#[test]
fn the_shipped_recycling_strategies_compare_with_the_same_metrics_in_every_cell() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("cmp");
    let o = chokepoint(&[
        "compare",
        "scenarios/baseline_2024.toml",
        "--strategies",
        "scenarios/recycling_strategies.toml",
        "--reps",
        "2",
        "--seed",
        "7",
        "--set",
        "scenario.horizon_weeks=20",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let m = comparison_means(&dir);
    let get = |s: &str, k: &str| {
        *m.get(&(s.to_owned(), k.to_owned()))
            .unwrap_or_else(|| panic!("no {k} for {s}"))
    };
    for s in ["none", "eu_stockpile", "joint_stockpile", "eu_recycling"] {
        for k in ["recycled_t", "recycling_cost_usd", "policy_cost_usd"] {
            let v = get(s, k);
            assert!(v.is_finite() && v >= 0.0, "{s} {k} {v}");
        }
    }
    // The mandate starts producing after its two-year build: nothing in 20 weeks, nothing paid.
    assert!(get("eu_recycling", "recycled_t").abs() < 1e-12);
    assert!(get("none", "policy_cost_usd").abs() < 1e-12);
    // The stockpiles buy the same metal at the same prices (common random numbers).
    let (own, joint) = (
        get("eu_stockpile", "stockpile_cost_usd"),
        get("joint_stockpile", "stockpile_cost_usd"),
    );
    assert!(
        own > 0.0 && (own - joint).abs() <= 1e-9 * own,
        "{own} vs {joint}"
    );
}

/// The Defense Department floor under the US separator with full offtake into a US NdPr stockpile, on the
/// steady 2024 baseline: the stockpile's cost grows by the offtake's market value, about
/// 60 / (110 − 60) = 1.2 × what the floor pays on the same tonnes at base prices.
#[test]
fn a_floor_offtake_buys_the_covered_output_into_the_stockpile_at_the_market_price() {
    let text = |offtake: &str| {
        let base = root().join("scenarios/baseline_2024.toml");
        format!(
            r#"extends = {:?}
[[stockpile]]
name = "us_ndpr"
region = "us"
end_use = "defence"
budget_usd = 0
refill_max_price_ratio = 1.2
refill_delay_weeks = 26
[[stockpile.holding]]
item = "ndpr"
acquisition_t_per_week = 0
release_cap_t_per_week = 0

[[floor]]
name = "dod_ndpr"
producer = "us_separation"
item = "ndpr"
floor_usd_per_kg = 110
date = 2025-01-06
{offtake}
"#,
            base.to_str().unwrap()
        )
    };
    let run = |offtake: &str| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("offtake.toml");
        std::fs::write(&path, text(offtake)).unwrap();
        let read = |p: &Path| std::fs::read_to_string(p);
        let set = chokepoint_scenario::Override {
            path: "scenario.horizon_weeks".to_owned(),
            value: "20".to_owned(),
        };
        let scenario = Scenario::load(&path, &read, &[set])
            .map_err(|e| e.to_string())
            .unwrap();
        let run = chokepoint_experiment::run_one(&scenario, 5, 0).unwrap();
        let m = |k: &str| run.outcome.metrics[run.model.schema().metric(k).unwrap()];
        (m("stockpile_cost_usd"), m("floor_paid_usd"))
    };
    let (plain, paid) = run("");
    let (bought, paid_too) = run("offtake_share = 1.0\nofftake_stockpile = \"us_ndpr\"");
    assert!(paid > 0.0 && bought > plain);
    let ratio = (bought - plain) / paid_too;
    assert!(
        (1.1..1.3).contains(&ratio),
        "offtake value / floor paid = {ratio}"
    );
}

/// A scenario with recycling beside one without cannot be compared as they are; the message
/// names both switches, and with them the comparison runs.
#[test]
fn cells_without_recycling_metrics_beside_cells_with_them_are_refused_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_scenario(dir.path());
    let out = dir.path().join("cmp");
    let mut args = vec![
        "compare".to_owned(),
        "scenarios/baseline_2024.toml".to_owned(),
        path.to_str().unwrap().to_owned(),
        "--strategies".to_owned(),
        "scenarios/stockpile_strategies.toml".to_owned(),
        "--reps".to_owned(),
        "2".to_owned(),
        "--set".to_owned(),
        "scenario.horizon_weeks=10".to_owned(),
        "--out".to_owned(),
        out.to_str().unwrap().to_owned(),
    ];
    let o = chokepoint(&args);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("`recycling_cost_usd`"), "{err}");
    assert!(
        err.contains("--set scenario.lever_metrics=true --set scenario.recycling_metrics=true"),
        "{err}"
    );
    for set in [
        "scenario.lever_metrics=true",
        "scenario.recycling_metrics=true",
    ] {
        args.extend(["--set".to_owned(), set.to_owned()]);
    }
    let o = chokepoint(&args);
    assert!(o.status.success(), "{}", stderr(&o));
}
