//! The charts' structure, read back from the SVG as XML: titles, axis labels, one shape per band,
//! one marker per point or target, tick labels with thousands separators, and degenerate input
//! that draws (or is refused with an error) rather than panics.
//!
//! Structure, not bytes: counts of elements in the chart's colours, and texts.

use chokepoint_report::{
    Error, FanChart, FanStep, HistoricalPoint, Marker, Role, TargetChart, TargetMark,
    fan_chart_svg, target_chart_svg,
};
use chrono::{Days, NaiveDate};

const MODEL: &str = "#0072B2";
const HISTORY: &str = "#D55E00";
const MEASURE: &str = "#CC79A7";

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Weekly steps from 2 Aug 2010 with a fan that widens over time, in tonnes.
fn weekly(n: u64, level: f64) -> Vec<FanStep> {
    (0..n)
        .map(|k| {
            let w = k as f64 * 0.02 * level;
            FanStep {
                date: date(2010, 8, 2).checked_add_days(Days::new(7 * k)).unwrap(),
                p5: level - 2.0 * w,
                p25: level - w,
                p50: level,
                p75: level + w,
                p95: level + 2.0 * w,
            }
        })
        .collect()
}

fn japan_points() -> Vec<HistoricalPoint> {
    [
        (9, 2246.0, "Sep"),
        (10, 1278.0, "Oct"),
        (11, 634.0, "Nov"),
        (12, 4080.0, "Dec"),
    ]
    .into_iter()
    .map(|(m, value, label)| HistoricalPoint {
        date: date(2010, m, 15),
        value,
        label: label.to_owned(),
    })
    .collect()
}

/// The parsed document, or a failure showing the SVG.
fn parse(svg: &str) -> roxmltree::Document<'_> {
    match roxmltree::Document::parse(svg) {
        Ok(doc) => doc,
        Err(e) => panic!("not XML: {e}\n{svg}"),
    }
}

/// Every `<text>` element's content.
fn texts(doc: &roxmltree::Document<'_>) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or_default().trim().to_owned())
        .collect()
}

/// Elements `tag` whose attribute `attr` is `value`.
fn count(doc: &roxmltree::Document<'_>, tag: &str, attr: &str, value: &str) -> usize {
    doc.descendants()
        .filter(|n| n.has_tag_name(tag) && n.attribute(attr) == Some(value))
        .count()
}

fn japan_fan() -> FanChart {
    let mut chart = FanChart::new(
        "Japan's imports from China & all rare earths, 2010",
        "imports (t per week)",
        weekly(26, 3000.0),
    );
    chart.points = japan_points();
    chart.markers = vec![
        Marker {
            date: date(2010, 9, 21),
            label: "halt to Japan".into(),
        },
        Marker {
            date: date(2010, 11, 24),
            label: "halt ends".into(),
        },
    ];
    chart
}

#[test]
fn a_fan_chart_has_its_title_axes_bands_points_and_markers() {
    let svg = fan_chart_svg(&japan_fan()).unwrap();
    let doc = parse(&svg);
    let t = texts(&doc);
    assert!(
        t.iter()
            .any(|s| s == "Japan's imports from China & all rare earths, 2010"),
        "{t:?}"
    );
    assert!(
        t.iter().any(|s| s == "imports (t per week)"),
        "y label: {t:?}"
    );
    assert!(t.iter().any(|s| s == "date"), "x label: {t:?}");
    // One polygon per band (p5–p95, p25–p75), in the model's colour.
    assert_eq!(count(&doc, "polygon", "fill", MODEL), 2);
    // A diamond per point, plus the legend's.
    assert_eq!(count(&doc, "polygon", "fill", HISTORY), 4 + 1);
    for label in ["Sep", "Oct", "Nov", "Dec", "halt to Japan", "halt ends"] {
        assert!(t.iter().any(|s| s == label), "{label} missing from {t:?}");
    }
    // The median line and a line per measure (plus one legend line each).
    assert_eq!(count(&doc, "polyline", "stroke", MODEL), 1 + 1);
    assert_eq!(count(&doc, "polyline", "stroke", MEASURE), 2 + 1);
    // Ticks: months on x, tonnes with thousands separators on y.
    assert!(t.iter().any(|s| s == "Sep 2010"), "{t:?}");
    assert!(t.iter().any(|s| s == "4,000"), "{t:?}");
    for legend in [
        "model median",
        "p25–p75",
        "p5–p95",
        "observed",
        "measure in force",
    ] {
        assert!(
            t.iter().any(|s| s == legend),
            "legend {legend} missing: {t:?}"
        );
    }
}

#[test]
fn the_fan_chart_is_a4_width_by_default() {
    let svg = fan_chart_svg(&japan_fan()).unwrap();
    let doc = parse(&svg);
    let root = doc.root_element();
    assert_eq!(root.attribute("width"), Some("800"));
    assert_eq!(root.attribute("height"), Some("400"));
}

#[test]
fn a_fan_without_points_or_markers_has_no_legend_for_them() {
    let chart = FanChart::new("Dy oxide price", "USD/kg", weekly(10, 250.0));
    let doc_svg = fan_chart_svg(&chart).unwrap();
    let doc = parse(&doc_svg);
    let t = texts(&doc);
    assert!(!t.iter().any(|s| s == "observed" || s == "measure in force"));
    assert_eq!(count(&doc, "polygon", "fill", HISTORY), 0);
}

#[test]
fn markers_outside_the_run_are_left_out() {
    let mut chart = FanChart::new("x", "t", weekly(10, 100.0));
    chart.markers = vec![Marker {
        date: date(2015, 1, 1),
        label: "far later".into(),
    }];
    let svg = fan_chart_svg(&chart).unwrap();
    assert!(!texts(&parse(&svg)).iter().any(|s| s == "far later"));
}

#[test]
fn one_step_all_equal_and_broken_values_still_draw() {
    // One step.
    let one = FanChart::new("one step", "t", weekly(1, 10.0));
    parse(&fan_chart_svg(&one).unwrap());
    // All equal, including zero everywhere.
    for level in [0.0, 1.0, 5_000.0] {
        let flat: Vec<FanStep> = (0..5)
            .map(|k| FanStep {
                date: date(2010, 1, 4).checked_add_days(Days::new(7 * k)).unwrap(),
                p5: level,
                p25: level,
                p50: level,
                p75: level,
                p95: level,
            })
            .collect();
        let svg = fan_chart_svg(&FanChart::new("flat", "t", flat)).unwrap();
        assert_eq!(count(&parse(&svg), "polygon", "fill", MODEL), 2);
    }
    // A step with a NaN is skipped, a NaN point too.
    let mut steps = weekly(5, 10.0);
    steps[2].p95 = f64::NAN;
    let mut chart = FanChart::new("nan", "t", steps);
    chart.points = vec![HistoricalPoint {
        date: date(2010, 8, 9),
        value: f64::INFINITY,
        label: String::new(),
    }];
    let svg = fan_chart_svg(&chart).unwrap();
    assert_eq!(count(&parse(&svg), "polygon", "fill", HISTORY), 0);
}

#[test]
fn a_fan_with_no_steps_is_an_error_not_a_panic() {
    let empty = FanChart::new("empty", "t", Vec::new());
    assert!(matches!(fan_chart_svg(&empty), Err(Error::Empty { .. })));
    let mut nan = weekly(1, 1.0);
    nan[0].p50 = f64::NAN;
    assert!(matches!(
        fan_chart_svg(&FanChart::new("nan", "t", nan)),
        Err(Error::Empty { .. })
    ));
}

#[test]
fn points_far_from_the_run_widen_the_axes_instead_of_vanishing() {
    let mut chart = FanChart::new("Dy", "USD/kg", weekly(10, 250.0));
    chart.points = vec![HistoricalPoint {
        date: date(2011, 7, 1),
        value: 2_840.0,
        label: "2011 peak".into(),
    }];
    let svg = fan_chart_svg(&chart).unwrap();
    let t = texts(&parse(&svg));
    assert!(t.iter().any(|s| s == "2011 peak"));
    assert!(
        t.iter().any(|s| s == "3,000"),
        "y axis reaches the point: {t:?}"
    );
}

fn mark(name: &str, role: Role, month: u32, historical: f64, p50: f64) -> TargetMark {
    let from = date(2010, month, 1);
    let to = from
        .checked_add_months(chrono::Months::new(1))
        .unwrap()
        .pred_opt()
        .unwrap();
    TargetMark {
        name: name.into(),
        role,
        from,
        to,
        historical: (role != Role::Prediction).then_some(historical),
        p5: p50 * 0.5,
        p50,
        p95: p50 * 1.6,
    }
}

#[test]
fn a_target_chart_marks_fit_filled_and_holdout_hollow() {
    let chart = TargetChart::new(
        "Japan's monthly imports from China, Sep–Dec 2010",
        "t per month",
        vec![
            mark("japan_2010_09", Role::Fit, 9, 2246.0, 2100.0),
            mark("japan_2010_10", Role::Fit, 10, 1278.0, 1500.0),
            mark("japan_2010_11", Role::Fit, 11, 634.0, 900.0),
            mark("japan_2010_12", Role::Holdout, 12, 4080.0, 2500.0),
        ],
    );
    let svg = target_chart_svg(&chart).unwrap();
    let doc = parse(&svg);
    let t = texts(&doc);
    assert!(
        t.iter()
            .any(|s| s == "Japan's monthly imports from China, Sep–Dec 2010")
    );
    assert!(t.iter().any(|s| s == "t per month"), "{t:?}");
    assert!(t.iter().any(|s| s == "4,000"), "{t:?}");
    assert!(t.iter().any(|s| s == "Oct 2010"), "{t:?}");
    // Model medians: filled dots for the 3 fitted (+ legend), a hollow one for the holdout (+ legend).
    assert_eq!(
        count(&doc, "circle", "fill", MODEL),
        3 + 2,
        "filled: fitted + 2 legend glyphs"
    );
    assert_eq!(count(&doc, "circle", "stroke", MODEL), 1 + 1);
    // Observed values: a diamond per target (+ legend); fitted ones filled, the holdout white.
    assert_eq!(count(&doc, "polygon", "fill", HISTORY), 3 + 1);
    assert_eq!(count(&doc, "polygon", "fill", "#FFFFFF"), 1);
    assert_eq!(
        count(&doc, "polyline", "stroke", HISTORY),
        4 + 1,
        "diamond outlines"
    );
    for legend in [
        "observed",
        "filled: fitted",
        "hollow: held out (out-of-sample)",
    ] {
        assert!(t.iter().any(|s| s == legend), "{legend}: {t:?}");
    }
}

#[test]
fn target_charts_of_one_target_or_equal_values_draw_and_empty_ones_are_refused() {
    let one = TargetChart::new(
        "one",
        "USD/kg",
        vec![mark("dy", Role::Holdout, 6, 0.0, 0.0)],
    );
    parse(&target_chart_svg(&one).unwrap());
    let empty = TargetChart::new("none", "t", Vec::new());
    assert!(matches!(target_chart_svg(&empty), Err(Error::Empty { .. })));
    let mut broken = mark("x", Role::Fit, 1, f64::NAN, 1.0);
    broken.p95 = f64::INFINITY;
    assert!(matches!(
        target_chart_svg(&TargetChart::new("nan", "t", vec![broken])),
        Err(Error::Empty { .. })
    ));
}

#[test]
fn target_midpoints_and_inside_follow_the_window() {
    let t = mark("sep", Role::Fit, 9, 2246.0, 2100.0);
    let mid = chokepoint_report::date_ticks(t.midpoint(), t.midpoint() + 1.0);
    assert_eq!(mid.label(t.midpoint()), "16 Sep 2010");
    assert!(t.inside());
    assert!(!mark("x", Role::Fit, 9, 10_000.0, 2100.0).inside());
}

#[test]
fn a_prediction_has_a_whisker_and_a_hollow_median_but_no_observed_marker() {
    let chart = TargetChart::new(
        "Predicted magnet exports",
        "t",
        vec![
            mark("ndfeb_2010_09", Role::Prediction, 9, 0.0, 4000.0),
            mark("ndfeb_2010_10", Role::Prediction, 10, 0.0, 3000.0),
        ],
    );
    let svg = target_chart_svg(&chart).unwrap();
    let doc = parse(&svg);
    let t = texts(&doc);
    assert_eq!(count(&doc, "polygon", "fill", HISTORY), 0, "no diamond");
    assert!(!t.iter().any(|s| s == "observed"), "{t:?}");
    assert!(
        t.iter().any(|s| s == "prediction: no observed value"),
        "{t:?}"
    );
    // Hollow medians: one per prediction plus the legend's.
    assert_eq!(count(&doc, "circle", "stroke", MODEL), 2 + 1);
    assert!(!chart.targets[0].inside());
}
