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
    assert!((t.weight - 1.0).abs() < f64::EPSILON);
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
    assert!((t.weight - 2.0).abs() < f64::EPSILON && (t.tolerance - 0.5).abs() < f64::EPSILON);
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
