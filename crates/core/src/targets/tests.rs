use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Weekly steps from Monday 2010-01-04, 156 of them (2010-2012).
fn cal() -> Calendar {
    Calendar {
        start: date(2010, 1, 4),
        step_days: 7,
        n_steps: 156,
        warmup_steps: 0,
    }
}

fn target(series: &str, from: NaiveDate, to: NaiveDate, reduce: Reduce) -> TargetInfo {
    TargetInfo {
        name: "t".into(),
        series: series.into(),
        from,
        to,
        reduce,
        scale: TargetScale::None,
        historical: Some(1.0),
        unit: "t".into(),
        source: "test".into(),
        role: TargetRole::Fit,
        tolerance: Some(0.3),
        weight: Some(1.0),
    }
}

fn vars() -> Vec<String> {
    [
        "price_ratio/dy",
        "price_ratio/ndpr",
        "exports_t/dy",
        "exports_t/dy/japan",
        "exports_t/dy/us",
        "exports_t/ndpr/japan",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn item_of(name: &str) -> Option<usize> {
    ["dy", "ndpr"].iter().position(|n| *n == name)
}

fn compile(t: &TargetInfo) -> Result<CompiledTarget, TargetError> {
    CompiledTarget::new(t, &vars(), &cal(), &item_of)
}

/// A trajectory of `cal()`'s steps where variable `k` is `f(step, k)`.
fn rows(f: impl Fn(usize, usize) -> f64) -> Vec<f64> {
    let n = vars().len();
    (0..156 * n).map(|x| f(x / n, x % n)).collect()
}

#[test]
fn a_star_matches_one_segment_and_only_as_many_segments() {
    assert!(series_matches("exports_t/*/japan", "exports_t/dy/japan"));
    assert!(series_matches("exports_t/*/*", "exports_t/dy/us"));
    assert!(!series_matches("exports_t/*/japan", "exports_t/dy"));
    assert!(!series_matches("exports_t/*", "exports_t/dy/japan"));
    assert!(!series_matches("exports_t/*/japan", "exports_t/dy/us"));
    assert!(series_matches("price_ratio/dy", "price_ratio/dy"));
}

#[test]
fn september_2010_weights_the_edge_weeks_by_their_days_inside() {
    // Steps start on Mondays: 2010-08-30 (step 34) holds 1-5 Sep, then 6, 13, 20 Sep, and
    // 2010-09-27 (step 38) holds 27-30 Sep.
    let (first, w) = window_weights(date(2010, 9, 1), date(2010, 9, 30), &cal()).unwrap();
    assert_eq!(first, 34);
    let want = [5.0 / 7.0, 1.0, 1.0, 1.0, 4.0 / 7.0];
    assert_eq!(w.len(), want.len());
    for (g, e) in w.iter().zip(want) {
        assert!((g - e).abs() < 1e-12, "{w:?}");
    }
    assert!((w.iter().sum::<f64>() - 30.0 / 7.0).abs() < 1e-12);
}

#[test]
fn a_one_day_window_weighs_one_seventh_of_its_step() {
    let (first, w) = window_weights(date(2010, 1, 6), date(2010, 1, 6), &cal()).unwrap();
    assert_eq!((first, w.as_slice()), (0, [1.0 / 7.0].as_slice()));
}

#[test]
fn a_constant_flow_summed_over_a_month_is_flow_times_days_over_seven() {
    let t = target(
        "exports_t/dy/japan",
        date(2010, 9, 1),
        date(2010, 9, 30),
        Reduce::Sum,
    );
    let c = compile(&t).unwrap();
    let r = rows(|_, k| if k == 3 { 70.0 } else { 1000.0 });
    let got = c.value(&r, vars().len(), &|_| 0.0);
    assert!((got - 70.0 * 30.0 / 7.0).abs() < 1e-9, "{got}");
}

#[test]
fn a_star_sums_its_matches() {
    let t = target(
        "exports_t/*/japan",
        date(2010, 1, 4),
        date(2010, 1, 10),
        Reduce::Sum,
    );
    let c = compile(&t).unwrap();
    // dy to Japan 3 t, NdPr to Japan 5 t in the first week; nothing else counts.
    let r = rows(|_, k| match k {
        3 => 3.0,
        5 => 5.0,
        _ => 100.0,
    });
    assert!((c.value(&r, vars().len(), &|_| 0.0) - 8.0).abs() < 1e-12);
}

#[test]
fn mean_max_min_and_last_read_the_window_only() {
    // exports_t/dy is the step number: steps 34..=38 hold September 2010.
    let r = rows(|s, k| if k == 2 { s as f64 } else { -1.0 });
    let sep = |reduce| {
        let t = target("exports_t/dy", date(2010, 9, 1), date(2010, 9, 30), reduce);
        compile(&t).unwrap().value(&r, vars().len(), &|_| 0.0)
    };
    let mean = (34.0 * 5.0 + 35.0 * 7.0 + 36.0 * 7.0 + 37.0 * 7.0 + 38.0 * 4.0) / 30.0;
    assert!((sep(Reduce::Mean) - mean).abs() < 1e-12);
    assert!((sep(Reduce::Max) - 38.0).abs() < 1e-12);
    assert!((sep(Reduce::Min) - 34.0).abs() < 1e-12);
    assert!((sep(Reduce::Last) - 38.0).abs() < 1e-12);
}

#[test]
fn a_price_ratio_of_one_scaled_by_base_price_is_the_base_price() {
    let mut t = target(
        "price_ratio/ndpr",
        date(2011, 12, 1),
        date(2011, 12, 31),
        Reduce::Mean,
    );
    t.scale = TargetScale::BasePrice;
    let c = compile(&t).unwrap();
    let r = rows(|_, k| if k == 1 { 1.0 } else { 9.0 });
    let base = |i: usize| [300.0, 42.5][i];
    assert!((c.value(&r, vars().len(), &base) - 42.5).abs() < 1e-12);
}

#[test]
fn bad_targets_are_refused_with_the_key_at_fault() {
    let sep = (date(2010, 9, 1), date(2010, 9, 30));
    let err = |t: TargetInfo| compile(&t).unwrap_err();

    let e = err(target("exports_t/*/japn", sep.0, sep.1, Reduce::Sum));
    assert!(matches!(e, TargetError::NoMatch { .. }));
    assert_eq!(e.field(), "series");

    let e = err(target("exports_t/dy", sep.1, sep.0, Reduce::Sum));
    assert!(matches!(e, TargetError::Reversed { .. }));
    assert_eq!(e.field(), "from");

    // The horizon's last day is 2012-12-30 (156 weeks from 2010-01-04).
    let e = err(target(
        "exports_t/dy",
        date(2012, 12, 1),
        date(2012, 12, 31),
        Reduce::Sum,
    ));
    assert!(matches!(e, TargetError::OutsideHorizon { .. }), "{e}");
    assert_eq!(e.field(), "to");
    assert!(
        compile(&target(
            "exports_t/dy",
            date(2012, 12, 1),
            date(2012, 12, 30),
            Reduce::Sum
        ))
        .is_ok()
    );
    let e = err(target(
        "exports_t/dy",
        date(2009, 12, 1),
        date(2010, 1, 31),
        Reduce::Sum,
    ));
    assert_eq!(e.field(), "from");

    let mut t = target("exports_t/dy", sep.0, sep.1, Reduce::Sum);
    t.scale = TargetScale::BasePrice;
    let e = err(t);
    assert!(matches!(e, TargetError::ScaleNotPrice { .. }));
    assert_eq!(e.field(), "scale");

    let mut t = target("exports_t/dy", sep.0, sep.1, Reduce::Sum);
    t.tolerance = Some(0.0);
    assert_eq!(err(t).field(), "tolerance");

    let mut t = target("exports_t/dy", sep.0, sep.1, Reduce::Sum);
    t.historical = None;
    let e = err(t);
    assert_eq!(e.to_string(), "a `fit` target needs `historical`");
    assert_eq!(e.field(), "historical");
}

/// A prediction: no historical value, tolerance or weight.
fn prediction() -> TargetInfo {
    TargetInfo {
        role: TargetRole::Prediction,
        historical: None,
        tolerance: None,
        weight: None,
        ..target(
            "exports_t/dy",
            date(2010, 9, 1),
            date(2010, 9, 30),
            Reduce::Sum,
        )
    }
}

#[test]
fn a_prediction_compiles_without_an_observed_value_and_refuses_one() {
    let p = prediction();
    let c = compile(&p).unwrap();
    // Its value is computed as any target's: 2 t a week over September.
    let v = c.value(&rows(|_, _| 2.0), vars().len(), &|_| 1.0);
    assert!((v - 2.0 * 30.0 / 7.0).abs() < 1e-12, "{v}");
    assert_eq!(p.observed(), None);
    for (field, set) in [
        (
            "historical",
            (|t: &mut TargetInfo| t.historical = Some(5.0)) as fn(&mut TargetInfo),
        ),
        ("tolerance", |t: &mut TargetInfo| t.tolerance = Some(0.3)),
        ("weight", |t: &mut TargetInfo| t.weight = Some(1.0)),
    ] {
        let mut t = prediction();
        set(&mut t);
        let e = compile(&t).unwrap_err();
        assert_eq!(e.field(), field);
        assert!(
            e.to_string()
                .starts_with("a prediction has no observed value"),
            "{e}"
        );
    }
}

#[test]
fn an_observed_target_gives_its_numbers() {
    let t = target(
        "exports_t/dy",
        date(2010, 9, 1),
        date(2010, 9, 30),
        Reduce::Sum,
    );
    assert_eq!(
        t.observed(),
        Some(Observed {
            historical: 1.0,
            tolerance: 0.3,
            weight: 1.0
        })
    );
}

#[test]
fn two_targets_of_one_name_are_refused() {
    let t = target(
        "exports_t/dy",
        date(2010, 9, 1),
        date(2010, 9, 30),
        Reduce::Sum,
    );
    let errors = compile_all(&[t.clone(), t], &vars(), &cal(), &item_of).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].0, 1);
    assert_eq!(errors[0].1.field(), "name");
}
