//! Export pricing that undercuts entrants (issue 18 B5) end to end: the shipped
//! `price_floor_vs_price_war.toml` runs, caps NdPr at 95 % of Lynas's breakeven while the war is
//! on and writes what each side pays; lifting the rule leaves the price uncapped; bad rules are
//! refused at their line with the fix.

use std::path::Path;
use std::process::Command;

use chokepoint_scenario::Scenario;

/// Runs the shipped file for 66 weeks (the war starts in week 52) with `extra` arguments; returns
/// `summary.csv` and `timeseries.csv`.
fn run(extra: &[&str]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec![
        "run",
        "scenarios/price_floor_vs_price_war.toml",
        "--quiet",
        "--reps",
        "2",
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

/// The mean of `variable` at `step` in a `timeseries.csv`.
fn mean_at(ts: &str, step: u32, variable: &str) -> f64 {
    let prefix = format!("{step},");
    let row = ts
        .lines()
        .find(|l| l.starts_with(&prefix) && l.split(',').nth(2) == Some(variable))
        .unwrap_or_else(|| panic!("no {variable} at step {step}"));
    row.split(',').nth(3).unwrap().parse().unwrap()
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
fn the_shipped_price_war_caps_ndpr_at_lynas_breakeven_and_reports_both_sides_costs() {
    let (summary, ts) = run(&[]);
    // Lynas's breakeven at base prices: (7.0 cash + 3.0 feed − 0.5 Dy − 0.5 Tb) / 0.25 = 36 USD/kg;
    // 0.95 × 36 / 60 = 0.57 of NdPr's base price, from week 52 (2026-01-05) on.
    let capped = mean_at(&ts, 60, "price_ratio/ndpr");
    assert!((capped - 0.57).abs() < 1e-3, "capped ratio {capped}");
    assert!((mean_at(&ts, 40, "price_ratio/ndpr") - 1.0).abs() < 1e-9);
    assert!((mean_at(&ts, 60, "price_ratio_uncapped/ndpr") - 1.0).abs() < 1e-3);
    assert!(mean_of(&summary, "exporter_revenue_forgone_usd") > 0.0);
    let floor = mean_of(&summary, "floor_paid_usd");
    let policy = mean_of(&summary, "policy_cost_usd") - mean_of(&summary, "stockpile_cost_usd");
    assert!(floor > 0.0 && (policy - floor).abs() <= 1e-9 * floor);
}

#[test]
fn lifting_the_war_leaves_the_price_uncapped_and_costs_the_exporter_nothing() {
    let (summary, ts) = run(&["--set", "undercut.ndpr_price_war.duration_weeks=0"]);
    for step in [40, 52, 60, 65] {
        let (w, s) = (
            mean_at(&ts, step, "price_ratio/ndpr"),
            mean_at(&ts, step, "price_ratio_uncapped/ndpr"),
        );
        assert!((w - s).abs() < 1e-12, "step {step}: {w} vs {s}");
    }
    assert!(mean_of(&summary, "exporter_revenue_forgone_usd").abs() < 1e-9);
}

/// Loads a file extending the baseline, with the separators' costs and `rule` appended.
fn load_with(rule: &str) -> Result<Scenario, String> {
    let dir = tempfile::tempdir().unwrap();
    let parent = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline_2024.toml");
    let text = format!(
        "extends = {:?}\n[scenario]\nname = \"war_test\"\nhorizon_weeks = 20\n\
         [[producer]]\nname = \"lynas_malaysia\"\ncash_cost_usd_per_kg = 7\n{rule}",
        parent.display().to_string()
    );
    let path = dir.path().join("war.toml");
    std::fs::write(&path, text).unwrap();
    Scenario::load(&path, &|p| std::fs::read_to_string(p), &[]).map_err(|e| e.to_string())
}

const RULE: &str = "[[undercut]]\nname = \"war\"\nexporter = \"china\"\nitem = \"ndpr\"\n\
                    competitors = [\"lynas_malaysia\"]\ncost_share = 0.95\ndate = 2025-03-03\n\
                    end_when = \"competitors_closed\"\n";

#[test]
fn a_good_rule_loads_and_bad_rules_are_refused_at_their_line_with_the_fix() {
    let ok = load_with(RULE).unwrap();
    let rule = &ok.central().undercuts[0];
    assert!(ok.central().lever_metrics);
    assert!(rule.until_competitors_closed && rule.until_step == u32::MAX);
    for (bad, want) in [
        (
            RULE.replace("[\"lynas_malaysia\"]", "[\"eu_separation\"]"),
            "`eu_separation` has no economics",
        ),
        (
            RULE.replace("[\"lynas_malaysia\"]", "[\"lynas_malaysa\"]"),
            "unknown producer `lynas_malaysa`",
        ),
        (
            RULE.replace("\"ndpr\"", "\"ndfeb\""),
            "`lynas_malaysia` does not make `ndfeb`",
        ),
        (
            RULE.replace("exporter = \"china\"", "exporter = \"japan\""),
            "`japan` has no `[[exporter]]` table",
        ),
        (
            RULE.replace("\"competitors_closed\"", "\"never\""),
            "unknown value `never`",
        ),
        (RULE.replace("0.95", "0"), "cost_share"),
    ] {
        let err = load_with(&bad).unwrap_err();
        assert!(err.contains(want), "{want} not in {err}");
        assert!(err.contains("war.toml:"), "no file:line in {err}");
    }
    let twice = format!("{RULE}{}", RULE.replace("\"war\"", "\"war2\""));
    let err = load_with(&twice).unwrap_err();
    assert!(err.contains("priced by an earlier `[[undercut]]`"), "{err}");
}
