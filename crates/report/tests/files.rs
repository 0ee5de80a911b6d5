//! Charts from a run's files: `timeseries.csv`, `backtest.csv` and points files read into chart
//! data, errors that name the file and line, and SVGs written atomically.

use std::path::{Path, PathBuf};

use chokepoint_report::files::{
    Span, backtest_rows, fan_steps, historical_points, target_groups, write_backtest_plots,
    write_svg,
};
use chokepoint_report::{Error, Role};
use chrono::NaiveDate;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn one_variable_of_the_timeseries_is_read_and_scaled() {
    let steps = fan_steps(&fixture("timeseries.csv"), "price_ratio/dy", 100.0).unwrap();
    assert_eq!(steps.len(), 3);
    assert_eq!(steps[0].date, date(2010, 9, 6));
    assert!((steps[2].p95 - 220.0).abs() < 1e-9);
    assert!((steps[1].p50 - 120.0).abs() < 1e-9);
    assert!(steps.iter().all(chokepoint_report::FanStep::is_ordered));
}

#[test]
fn an_unknown_series_names_the_closest_ones() {
    let err = fan_steps(&fixture("timeseries.csv"), "price_ratio/dyy", 1.0).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::UnknownSeries { .. }));
    assert!(text.contains("did you mean `price_ratio/dy`"), "{text}");
}

#[test]
fn a_bad_number_is_reported_with_its_line() {
    let err = fan_steps(&fixture("timeseries_bad_number.csv"), "price_ratio/dy", 1.0).unwrap_err();
    let Error::Csv { line, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(*line, 3, "{err}");
    assert!(
        err.to_string().contains("timeseries_bad_number.csv:3"),
        "{err}"
    );
}

#[test]
fn a_missing_file_is_a_read_error() {
    let err = fan_steps(&fixture("no_such.csv"), "x", 1.0).unwrap_err();
    assert!(matches!(err, Error::Read { .. }), "{err}");
}

#[test]
fn points_are_read_with_optional_labels_and_bad_dates_refused() {
    let points = historical_points(&fixture("points.csv")).unwrap();
    assert_eq!(points.len(), 2);
    assert_eq!(points[0].label, "Sep");
    assert_eq!(points[1].label, "");
    let err = historical_points(&fixture("points_bad_date.csv")).unwrap_err();
    assert!(err.to_string().contains("points_bad_date.csv:2"), "{err}");
}

#[test]
fn backtest_rows_group_by_unit_and_window() {
    let rows = backtest_rows(&fixture("backtest.csv")).unwrap();
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[2].role, Role::Holdout);
    assert_eq!(Span::of(rows[0].from, rows[0].to), Span::Month);
    assert_eq!(Span::of(rows[3].from, rows[3].to), Span::Year);
    let groups = target_groups(&rows);
    let names: Vec<&str> = groups.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "targets-USD_kg-monthly",
            "targets-t-monthly",
            "targets-t-yearly"
        ]
    );
    let (_, japan) = &groups[1];
    assert_eq!(japan.targets.len(), 3);
    assert_eq!(japan.y_label, "t");
    assert!(
        japan.title.contains("japan_imports_from_china_2010"),
        "{}",
        japan.title
    );
}

#[test]
fn predictions_read_with_an_empty_historical_cell_and_chart_on_their_own() {
    let rows = backtest_rows(&fixture("backtest_predictions.csv")).unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1].role, Role::Prediction);
    assert_eq!(rows[1].historical, None);
    assert_eq!(rows[0].historical, Some(2246.0));
    let groups = target_groups(&rows);
    let names: Vec<&str> = groups.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["targets-ratio-yearly", "targets-t-monthly"]);
    assert!(
        groups[0].1.title.starts_with("Predictions, yearly"),
        "{}",
        groups[0].1.title
    );
    assert!(
        groups[1].1.title.starts_with("Backtest"),
        "{}",
        groups[1].1.title
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("backtest_predictions.csv"),
        dir.path().join("backtest.csv"),
    )
    .unwrap();
    assert_eq!(write_backtest_plots(dir.path()).unwrap().len(), 2);
}

#[test]
fn a_role_other_than_fit_or_holdout_is_refused_with_its_line() {
    let err = backtest_rows(&fixture("backtest_bad_role.csv")).unwrap_err();
    assert!(err.to_string().contains("backtest_bad_role.csv:3"), "{err}");
}

#[test]
fn svgs_are_written_atomically_into_plots() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("backtest.csv"), dir.path().join("backtest.csv")).unwrap();
    let written = write_backtest_plots(dir.path()).unwrap();
    assert_eq!(written.len(), 3);
    let plots = dir.path().join("plots");
    let mut files: Vec<String> = std::fs::read_dir(&plots)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "targets-USD_kg-monthly.svg",
            "targets-t-monthly.svg",
            "targets-t-yearly.svg"
        ],
        "no temporary file left behind"
    );
    for f in written {
        let svg = std::fs::read_to_string(f).unwrap();
        roxmltree::Document::parse(&svg).unwrap();
    }
    // Overwriting an existing file works too.
    write_svg(&plots, "targets-t-yearly.svg", "<svg/>").unwrap();
    assert_eq!(
        std::fs::read_to_string(plots.join("targets-t-yearly.svg")).unwrap(),
        "<svg/>"
    );
}
