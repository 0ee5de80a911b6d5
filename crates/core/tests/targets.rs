//! Targets read off a replication: known values on a market whose flows are constant, and the
//! metrics `target/<name>` at the end of the outcome.

mod common;
use chokepoint_core::{
    Model, ParamError, Reduce, Simulation, TargetInfo, TargetRole, TargetScale, testkit,
};
use chrono::NaiveDate;
use common::streams;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn target(name: &str, series: &str, reduce: Reduce, scale: TargetScale) -> TargetInfo {
    TargetInfo {
        name: name.into(),
        series: series.into(),
        // The test kit's calendar starts on Monday 2025-01-06, weekly, 52 steps.
        from: date(2025, 9, 1),
        to: date(2025, 9, 30),
        reduce,
        scale,
        historical: Some(1.0),
        unit: "t".into(),
        source: "test".into(),
        role: TargetRole::Holdout,
        tolerance: Some(0.3),
        weight: Some(1.0),
    }
}

#[test]
fn targets_on_a_steady_market_have_their_analytic_values() {
    // Japan takes 10 t of magnets a week from China, no noise, no shock: every week exports
    // 10 t and the price stays at its base (60 USD/kg).
    let mut p = testkit::embargo_case(10.0, 4.0, None);
    p.targets = vec![
        target(
            "japan_sep",
            "exports_t/*/japan",
            Reduce::Sum,
            TargetScale::None,
        ),
        target(
            "magnet_price",
            "price_ratio/ndfeb",
            Reduce::Mean,
            TargetScale::BasePrice,
        ),
        target(
            "weekly_peak",
            "exports_t/ndfeb",
            Reduce::Max,
            TargetScale::None,
        ),
    ];
    let model = Model::new(p).unwrap();
    let schema = model.schema();
    assert_eq!(schema.targets.len(), 3);
    let n = schema.metrics.len();
    assert_eq!(
        &schema.metrics[n - 3..],
        [
            "target/japan_sep",
            "target/magnet_price",
            "target/weekly_peak"
        ]
    );
    let mut sim = Simulation::new(&model);
    let out = sim.run(&mut streams(1));
    let traj = sim.trajectory();
    let var = schema.step_var("exports_t/ndfeb/japan").unwrap();
    assert!(
        traj.series(var).all(|x| (x - 10.0).abs() < 1e-9),
        "the test market should ship 10 t every week"
    );
    let got = &out.metrics[n - 3..];
    assert!((got[0] - 10.0 * 30.0 / 7.0).abs() < 1e-9, "{got:?}");
    assert!((got[1] - 60.0).abs() < 1e-9, "{got:?}");
    assert!((got[2] - 10.0).abs() < 1e-9, "{got:?}");
}

#[test]
fn a_target_the_outputs_cannot_give_is_refused_by_the_model() {
    let mut p = testkit::embargo_case(10.0, 4.0, None);
    p.targets = vec![target(
        "nope",
        "exports_t/*/korea",
        Reduce::Sum,
        TargetScale::None,
    )];
    let errors = Model::new(p).unwrap_err();
    assert!(
        matches!(&errors.0[..], [ParamError::Target { index: 0, .. }]),
        "{errors}"
    );
    assert!(errors.to_string().contains("exports_t/*/korea"), "{errors}");
}

#[test]
fn a_prediction_is_a_metric_like_any_target() {
    // No observed value: the metric is computed as for a fit target, and the schema carries
    // the prediction with no historical value, tolerance or weight.
    let mut p = testkit::embargo_case(10.0, 4.0, None);
    p.targets = vec![TargetInfo {
        role: TargetRole::Prediction,
        historical: None,
        tolerance: None,
        weight: None,
        ..target(
            "japan_sep",
            "exports_t/*/japan",
            Reduce::Sum,
            TargetScale::None,
        )
    }];
    let model = Model::new(p).unwrap();
    let schema = model.schema();
    assert_eq!(schema.targets[0].observed(), None);
    assert_eq!(schema.metrics.last().unwrap(), "target/japan_sep");
    let mut sim = Simulation::new(&model);
    let out = sim.run(&mut streams(1));
    let got = *out.metrics.last().unwrap();
    assert!((got - 10.0 * 30.0 / 7.0).abs() < 1e-9, "{got}");
}
