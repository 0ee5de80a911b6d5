//! End-to-end tests of `chokepoint plot`: fan charts of a real run's series with the scenario's
//! measures marked and observed points overlaid, backtest target charts, and errors that say
//! what to do.

mod common;

use common::{chokepoint, root, stderr, stdout};
use std::path::Path;

/// A short run of the 2010 halt (two replications over the scenario's whole horizon, whose
/// quota years and halt are the measures to mark).
fn short_2010_run(out: &Path) {
    let o = chokepoint(&[
        "run",
        "scenarios/japan_halt_2010.toml",
        "--quiet",
        "--reps",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

fn fixture(name: &str) -> String {
    root()
        .join("crates/report/tests/fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn plot_draws_a_fan_with_measures_and_points_and_the_backtest_targets() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    short_2010_run(&run);
    let run_s = run.to_str().unwrap();

    let o = chokepoint(&[
        "plot",
        run_s,
        "--series",
        "price_ratio/dy",
        "--points",
        &fixture("points.csv"),
        "--ylabel",
        "Dy price ratio (1 = base)",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("plots/price_ratio_dy.svg"),
        "{}",
        stdout(&o)
    );
    let svg = std::fs::read_to_string(run.join("plots/price_ratio_dy.svg")).unwrap();
    assert!(svg.starts_with("<svg"));
    for want in [
        "price_ratio/dy",
        "Dy price ratio (1 = base)",
        "Sep",
        "observed",
        "measure in force",
    ] {
        assert!(svg.contains(want), "{want} missing from the chart");
    }
    // The scenario's dated measures (its shocks after the start) are drawn as lines: at least
    // one besides the legend's.
    assert!(
        svg.matches("stroke=\"#CC79A7\"").count() >= 2,
        "no measure marked"
    );

    // With a backtest.csv in the folder, its targets are charted too.
    std::fs::copy(fixture("backtest.csv"), run.join("backtest.csv")).unwrap();
    let o = chokepoint(&["plot", run_s]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "targets-t-monthly.svg",
        "targets-t-yearly.svg",
        "targets-USD_kg-monthly.svg",
    ] {
        assert!(run.join("plots").join(f).exists(), "{f}: {}", stdout(&o));
    }
}

#[test]
fn plot_errors_say_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    short_2010_run(&run);
    let run_s = run.to_str().unwrap();

    let o = chokepoint(&["plot", run_s, "--series", "price_ratio/dyy"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `price_ratio/dy`"),
        "{}",
        stderr(&o)
    );

    let o = chokepoint(&["plot", run_s]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("give --series"), "{}", stderr(&o));

    let o = chokepoint(&["plot", run_s, "--series", "price_ratio/dy", "--scale=-1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--scale"), "{}", stderr(&o));

    // A run folder without a manifest still plots, with a warning instead of markers.
    std::fs::remove_file(run.join("manifest.json")).unwrap();
    let o = chokepoint(&["plot", run_s, "--series", "price_ratio/dy"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("measures not marked"), "{}", stderr(&o));
}
