//! `[[target]]` read from a scenario: fields and defaults, the model's metrics, and the
//! problems a bad target is reported with.

mod common;
use common::{load, scenario};

use chokepoint_core::{Model, Reduce, TargetRole, TargetScale};

const SEPTEMBER: &str = r#"
[[target]]
name = "japan_sep"
series = "exports_t/*/japan"
from = 2025-09-01
to = 2025-09-30
historical = 2246.0
unit = "t"
source = "test"
tolerance = 0.3
"#;

#[test]
fn a_target_takes_its_defaults_and_becomes_the_last_metric() {
    let s = scenario(SEPTEMBER);
    let t = &s.central().targets[0];
    assert_eq!(t.name, "japan_sep");
    assert_eq!(
        (t.reduce, t.scale, t.role),
        (Reduce::Sum, TargetScale::None, TargetRole::Fit)
    );
    assert_eq!(t.weight, Some(1.0));
    let model = Model::new(s.central().clone()).unwrap();
    assert_eq!(model.schema().targets, s.central().targets);
    assert_eq!(
        model.schema().metrics.last().map(String::as_str),
        Some("target/japan_sep")
    );
    // Targets hold no uncertain numbers: a sample keeps them as they are.
    assert_eq!(s.sample(7).targets, s.central().targets);
}

#[test]
fn every_field_of_a_target_is_read() {
    let s = scenario(
        r#"
[[target]]
name = "dy_price"
series = "price_ratio/dy"
from = 2026-12-01
to = 2026-12-31
reduce = "last"
scale = "base_price"
historical = 500.0
unit = "USD/kg"
source = "USGS"
role = "holdout"
tolerance = 0.5
weight = 2.0
"#,
    );
    let t = &s.central().targets[0];
    assert_eq!(
        (t.reduce, t.scale, t.role),
        (Reduce::Last, TargetScale::BasePrice, TargetRole::Holdout)
    );
    assert_eq!((t.weight, t.tolerance), (Some(2.0), Some(0.5)));
    assert_eq!(t.from.to_string(), "2026-12-01");
}

#[test]
fn bad_targets_are_reported_at_their_keys() {
    let e = load(&format!(
        "{SEPTEMBER}{}",
        SEPTEMBER
            .replace("2025-09-01", "2025-10-01")
            .replace("tolerance = 0.3", "tolerance = 0.0")
    ))
    .unwrap_err();
    assert!(
        e.contains("`target.1.name`: `japan_sep` is defined twice"),
        "{e}"
    );
    assert!(e.contains("`target.1.tolerance`: 0 is not allowed"), "{e}");
    let e = load(&SEPTEMBER.replace("historical = 2246.0", "historical = -1.0")).unwrap_err();
    assert!(
        e.contains("`target.0.historical`: -1 is not allowed; expected a number > 0"),
        "{e}"
    );
    let e = load(&SEPTEMBER.replace("historical = 2246.0\n", "")).unwrap_err();
    assert!(
        e.contains("`target.0.historical`: missing required key"),
        "{e}"
    );
    let e = load(&SEPTEMBER.replace("to = 2025-09-30", "to = 2025-08-30")).unwrap_err();
    assert!(
        e.contains(
            "`target.0.from`: the window is empty: `from` (2025-09-01) is after `to` (2025-08-30)"
        ),
        "{e}"
    );
    let e = load(
        &SEPTEMBER
            .replace("role = ", "")
            .replace("tolerance", "role = \"fitted\"\ntolerance"),
    )
    .unwrap_err();
    assert!(e.contains("`target.0.role`: unknown role `fitted`"), "{e}");
}

#[test]
fn a_target_source_mentioning_dist_is_not_an_uncertain_number() {
    let s = scenario(&SEPTEMBER.replace("source = \"test\"", "source = \"distributor data\""));
    assert!(
        s.uncertain().iter().all(|u| !u.key.starts_with("target.")),
        "{:?}",
        s.uncertain()
    );
}

const PREDICTION: &str = r#"
[[target]]
name = "magnets_sep"
series = "exports_t/ndfeb"
from = 2025-09-01
to = 2025-09-30
unit = "t"
source = "prediction: no observed value used"
role = "prediction"
"#;

#[test]
fn a_prediction_has_no_observed_value_and_is_a_metric() {
    let s = scenario(PREDICTION);
    let t = &s.central().targets[0];
    assert_eq!(t.role, TargetRole::Prediction);
    assert_eq!((t.historical, t.tolerance, t.weight), (None, None, None));
    assert_eq!(t.observed(), None);
    let model = Model::new(s.central().clone()).unwrap();
    assert_eq!(
        model.schema().metrics.last().map(String::as_str),
        Some("target/magnets_sep")
    );
    // The resolved scenario writes no empty or NaN observed value.
    let text = chokepoint_core::ScenarioSource::resolved_text(&s);
    assert!(!text.contains("NaN") && !text.contains("nan"), "{text}");
}

#[test]
fn a_prediction_given_an_observed_value_is_refused_at_each_key() {
    let e = load(&PREDICTION.replace(
        "role = \"prediction\"",
        "role = \"prediction\"\nhistorical = 100.0\ntolerance = 0.3\nweight = 2.0",
    ))
    .unwrap_err();
    for field in ["historical", "tolerance", "weight"] {
        assert!(
            e.contains(&format!(
                "`target.0.{field}`: a prediction has no observed value, so `{field}` does not apply"
            )),
            "{e}"
        );
    }
    // A fit target still needs its observed value and tolerance.
    let e = load(&PREDICTION.replace("role = \"prediction\"", "role = \"holdout\"")).unwrap_err();
    assert!(
        e.contains("`target.0.historical`: missing required key"),
        "{e}"
    );
    assert!(
        e.contains("`target.0.tolerance`: missing required key"),
        "{e}"
    );
}
