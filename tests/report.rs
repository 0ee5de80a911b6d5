//! End-to-end tests of `chokepoint report` and `--report`: one self-contained report.html per
//! kind of output folder, its charts in plots/, and errors that say what to do. The real-browser
//! check of the same files is `ci/browser.sh` (run by `ci/reports.sh` in `.ci/run`).

mod common;

use std::path::Path;

use common::{chokepoint, stderr, stdout};

fn ok(args: &[&str]) -> String {
    let o = chokepoint(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every chart follows the page's contract (`<figure class="chart">` with an inline svg and a
/// caption) and the page fetches nothing.
fn check_page(html: &str) -> usize {
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..100]);
    assert!(!html.contains("<script"), "no script needed");
    assert!(
        !html.contains("<?xml"),
        "svg inlined without its XML declaration"
    );
    for fetch in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(
            !html.contains(fetch),
            "the report must not fetch anything: {fetch}"
        );
    }
    let figures = html.matches("<figure class=\"chart\"").count();
    assert_eq!(figures, html.matches("<figcaption>").count());
    assert!(html.contains("<footer>") && html.contains("chokepoint 0."));
    figures
}

#[test]
fn a_run_report_has_headline_measures_fans_and_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let out = ok(&[
        "run",
        "scenarios/list_expansion_2025_10.toml",
        "--reps",
        "12",
        "--quiet",
        "--report",
        "--out",
        run.to_str().unwrap(),
    ]);
    assert!(out.contains("report.html"), "{out}");
    let html = read(&run.join("report.html"));
    let figures = check_page(&html);
    assert!(figures >= 8, "{figures} charts");
    for words in [
        "Scenario list_expansion_2025_10",
        "Measures in the scenario",
        "no57_expansion",
        "Some plant in an importing region halts: probability",
        "Value added lost",
        "World prices",
        "Exports of controlled items",
        "Unmet demand",
        "Plants halted",
        "share of replications with a plant halted",
        "resolved scenario SHA-256",
        "chokepoint run scenarios/list_expansion_2025_10.toml --reps 12",
    ] {
        assert!(html.contains(words), "missing {words:?}");
    }
    // Every chart of the page, and those only named in it, are in plots/.
    let plots: Vec<_> = std::fs::read_dir(run.join("plots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(plots.len() >= figures, "{plots:?}");
    assert!(plots.iter().any(|p| p == "price_ratio_dy.svg"), "{plots:?}");

    // `report` on the same folder writes the same page (deterministic, no timestamps of its own).
    ok(&["report", run.to_str().unwrap()]);
    assert_eq!(read(&run.join("report.html")), html);
}

#[test]
fn the_run_fans_are_ordered_and_on_the_run_calendar() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    ok(&[
        "run",
        "scenarios/china_licensing_2025_04.toml",
        "--reps",
        "6",
        "--quiet",
        "--out",
        run.to_str().unwrap(),
    ]);
    let steps =
        chokepoint_report::files::fan_steps(&run.join("timeseries.csv"), "price_ratio/dy", 1.0)
            .unwrap();
    let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 6).unwrap();
    for (k, s) in steps.iter().enumerate() {
        assert!(s.is_ordered(), "step {k}: {s:?}");
        assert_eq!(s.date, start + chrono::Days::new(7 * k as u64), "step {k}");
    }
}

#[test]
fn compare_sweep_and_backtest_reports() {
    let dir = tempfile::tempdir().unwrap();
    let cmp = dir.path().join("cmp");
    ok(&[
        "compare",
        "scenarios/full_embargo.toml",
        "--strategies",
        "scenarios/stockpile_strategies.toml",
        "--reps",
        "4",
        "--quiet",
        "--report",
        "--out",
        cmp.to_str().unwrap(),
    ]);
    let html = read(&cmp.join("report.html"));
    assert!(
        check_page(&html) >= 2,
        "dot-and-whisker and cost against effect"
    );
    for words in [
        "Stockpile strategies compared",
        "none (baseline)",
        "Mean paired difference to `none`",
        "chokepoint compare scenarios/full_embargo.toml",
    ] {
        assert!(html.contains(words), "compare: missing {words:?}");
    }
    assert!(
        html.contains("class=\"num best\""),
        "a best strategy is marked"
    );

    let sweep = dir.path().join("sweep");
    let mut args = common::sweep_args(&sweep, 3);
    args.push("--report".into());
    let o = chokepoint(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = read(&sweep.join("report.html"));
    let figures = check_page(&html);
    assert!(
        html.contains("Sweep of full_embargo") && html.contains("lhs:3"),
        "sweep"
    );
    assert!(
        figures >= 2,
        "each charted metric against each parameter: {figures}"
    );
    assert!(
        sweep
            .join("plots/sweep_total_cost_usd_by_cover_weeks.png")
            .is_file()
    );

    let bt = dir.path().join("bt");
    ok(&[
        "backtest",
        "scenarios/japan_halt_2010.toml",
        "--reps",
        "4",
        "--quiet",
        "--report",
        "--out",
        bt.to_str().unwrap(),
    ]);
    let html = read(&bt.join("report.html"));
    let figures = check_page(&html);
    assert!(html.contains("The model against history") && html.contains("held out"));
    assert!(figures >= 3, "{figures}");
}

#[test]
fn report_refuses_a_folder_that_is_not_a_finished_output() {
    let dir = tempfile::tempdir().unwrap();
    let o = chokepoint(&["report", dir.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains("not a finished output folder"), "{e}");
    assert!(!dir.path().join("report.html").exists());
}

/// Every metric and per-step variable of every shipped scenario has plain words and a unit, so
/// no report shows a bare name.
#[test]
fn every_output_name_of_the_shipped_scenarios_is_described() {
    let root = common::root();
    for entry in std::fs::read_dir(root.join("scenarios")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let read = |p: &Path| chokepoint_diagnostics::read_text(p);
        let Ok(scenario) = chokepoint_scenario::Scenario::load(&path, &read, &[]) else {
            continue; // strategies and suites are not scenarios
        };
        let model = chokepoint_core::Model::new(scenario.central().clone()).unwrap();
        let schema = model.schema();
        for name in &schema.step_vars {
            assert!(
                chokepoint_core::describe_series(name).is_some(),
                "{}: series {name}",
                path.display()
            );
        }
        for name in schema.metrics.iter().filter(|m| !m.starts_with("target/")) {
            assert!(
                chokepoint_core::describe_metric(name).is_some(),
                "{}: metric {name}",
                path.display()
            );
        }
    }
}
