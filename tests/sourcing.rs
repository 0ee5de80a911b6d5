//! Sourcing caps (issue 18 B9): `compare` with `scenarios/sourcing_strategies.toml` runs, every
//! cell reports `sourcing_premium_usd` (0 without a cap), the premium is in `policy_cost_usd` and
//! `total_cost_usd`, the cap cuts the EU's imports of capped items from China, and a bad cap in a
//! strategies file is refused at its line in that file.

mod common;

use common::{chokepoint, comparison_means, stderr, stdout};

/// A short horizon and few replications: the test checks accounting, not results.
const SHORT: [&str; 8] = [
    "--reps",
    "2",
    "--seed",
    "7",
    "--threads",
    "2",
    "--set",
    "scenario.horizon_weeks=26",
];

#[test]
fn a_sourcing_cap_compares_on_policy_cost_with_its_premium() {
    let out = tempfile::tempdir().expect("temp dir");
    let dir = out.path().join("cmp");
    let mut args = vec![
        "compare",
        "scenarios/baseline_2024.toml",
        "--strategies",
        "scenarios/sourcing_strategies.toml",
        "--out",
        dir.to_str().unwrap(),
    ];
    args.extend(SHORT);
    let o = chokepoint(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("policy cost USD"), "{}", stdout(&o));
    let m = comparison_means(&dir);
    let get = |s: &str, k: &str| {
        *m.get(&(s.to_owned(), k.to_owned()))
            .unwrap_or_else(|| panic!("no {k} for {s}"))
    };
    for s in ["none", "eu_crma_65"] {
        let policy = get(s, "policy_cost_usd");
        let split = get(s, "stockpile_cost_usd")
            + get(s, "floor_paid_usd")
            + get(s, "sourcing_premium_usd");
        assert!((policy - split).abs() <= 1e-9 * policy.max(1.0), "{s}");
        let total = get(s, "total_cost_usd");
        let parts = get(s, "lost_output_usd") + policy;
        assert!((total - parts).abs() <= 1e-9 * parts.max(1.0), "{s}");
    }
    assert_eq!(
        get("none", "sourcing_premium_usd").to_bits(),
        0,
        "exactly 0"
    );
    assert!(get("eu_crma_65", "sourcing_premium_usd") > 0.0);
}

#[test]
fn a_bad_cap_in_a_strategies_file_is_refused_at_its_line() {
    let out = tempfile::tempdir().expect("temp dir");
    let file = out.path().join("bad.toml");
    std::fs::write(
        &file,
        "[[strategy]]\nname = \"all_in\"\n[[strategy.sourcing_cap]]\nname = \"eu\"\nregion = \"eu\"\n\
         items = [\"dy\"]\nmax_share = 1.0\npremium_share = 0.1\ndate = 2025-01-06\n",
    )
    .unwrap();
    let o = chokepoint(&[
        "compare",
        "scenarios/baseline_2024.toml",
        "--strategies",
        file.to_str().unwrap(),
        "--reps",
        "1",
        "--out",
        out.path().join("cmp").to_str().unwrap(),
    ]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("bad.toml:7"), "{err}");
    assert!(err.contains("not strictly between 0 and 1"), "{err}");
}
