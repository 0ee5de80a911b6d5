//! Every shipped scenario checks clean, and its sampled parameters build a model.

use std::path::Path;

use chokepoint_scenario::Scenario;

fn load(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../scenarios")
        .join(name);
    Scenario::load(&path, &|p| std::fs::read_to_string(p), &[]).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn baseline_checks_clean_and_builds_a_model() {
    let s = load("baseline_2024.toml");
    let model = chokepoint_core::Model::new(s.sample(1)).unwrap();
    assert_eq!(model.params().regions.len(), 10);
    assert_eq!(model.params().calendar.n_steps, 260);
}

/// Every number in every shipped scenario lands on a key of `keys::all_keys()`, which gives it its
/// range: none falls through to "any number".
#[test]
fn every_shipped_number_has_a_defined_key() {
    fn walk(v: &toml::Value, path: &str, out: &mut Vec<String>) {
        let join = |k: &str| {
            if path.is_empty() {
                k.to_owned()
            } else {
                format!("{path}.{k}")
            }
        };
        match v {
            toml::Value::Table(t) if t.contains_key("dist") => out.push(path.to_owned()),
            toml::Value::Table(t) => t.iter().for_each(|(k, x)| walk(x, &join(k), out)),
            toml::Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(j, x)| walk(x, &join(&j.to_string()), out)),
            toml::Value::Float(_) | toml::Value::Integer(_) => out.push(path.to_owned()),
            _ => {}
        }
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        // Sub-folders (scenarios/calibration/, scenarios/common/) hold other kinds of files.
        if !path.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let Ok(s) = Scenario::load(&path, &|p| std::fs::read_to_string(p), &[]) else {
            assert!(
                text.contains("[[strategy]]") || text.contains("[suite"),
                "{} does not load",
                path.display()
            );
            continue;
        };
        let mut numbers = Vec::new();
        let table: toml::Table = s.to_toml().parse().unwrap();
        walk(&toml::Value::Table(table), "", &mut numbers);
        for n in numbers {
            let key = chokepoint_scenario::keys::key_at(&n)
                .unwrap_or_else(|| panic!("{}: `{n}` has no key definition", path.display()));
            assert!(
                key.domain.is_some() || n.starts_with("scenario."),
                "{}: `{n}` has no range",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} numbers checked");
}
