//! Every shipped scenario checks clean, and its sampled parameters build a model.

use std::path::Path;

use chokepoint_scenario::Scenario;

fn load(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    Scenario::from_str(&text, &path).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn baseline_checks_clean_and_builds_a_model() {
    let s = load("baseline_2024.toml");
    let model = chokepoint_core::Model::new(s.sample(1)).unwrap();
    assert_eq!(model.params().regions.len(), 10);
    assert_eq!(model.params().calendar.n_steps, 260);
}
