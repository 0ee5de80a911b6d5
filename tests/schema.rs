//! The JSON Schema of scenario files: the shipped `schemas/scenario.schema.json` is what the key
//! table generates (`CHOKEPOINT_BLESS=1 cargo test --test schema` rewrites it), `chokepoint
//! schema` prints and writes the same, and every shipped scenario validates against it while a
//! misspelt key, a wrong choice or a share above 1 does not.

mod common;

use std::path::{Path, PathBuf};

use chokepoint_scenario::keys::{scenario_schema, scenario_schema_text, toml_to_json};
use common::{chokepoint, root, stderr, stdout};

fn shipped_schema() -> PathBuf {
    root().join("schemas/scenario.schema.json")
}

#[test]
fn the_shipped_schema_is_up_to_date() {
    let now = scenario_schema_text();
    if std::env::var_os("CHOKEPOINT_BLESS").is_some() {
        std::fs::create_dir_all(root().join("schemas")).unwrap();
        std::fs::write(shipped_schema(), &now).unwrap();
        return;
    }
    let shipped = std::fs::read_to_string(shipped_schema()).unwrap_or_default();
    assert!(
        shipped == now,
        "schemas/scenario.schema.json is stale: run `CHOKEPOINT_BLESS=1 cargo test --test schema`"
    );
}

#[test]
fn the_schema_command_prints_and_writes_the_generated_schema() {
    let out = chokepoint(&["schema"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), scenario_schema_text());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    let out = chokepoint(&["schema", "--out", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.join("scenario.schema.json")).unwrap(),
        scenario_schema_text()
    );
}

fn scenario_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["scenarios", "scenarios/common", "benches/workloads"] {
        for e in std::fs::read_dir(root().join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") && is_scenario(&p) {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

/// Strategies and suite files live beside scenarios (and parents such as `common/behaviour.toml`
/// are scenarios too).
fn is_scenario(path: &Path) -> bool {
    let table: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
    !table.contains_key("strategy") && !table.contains_key("suite")
}

fn errors(validator: &jsonschema::Validator, text: &str) -> Vec<String> {
    let value = toml_to_json(toml::Value::Table(text.parse().unwrap()));
    validator
        .iter_errors(&value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn every_shipped_scenario_validates_and_mistakes_do_not() {
    let validator = jsonschema::validator_for(&scenario_schema()).unwrap();
    let files = scenario_files();
    assert!(files.len() >= 10, "{files:?}");
    for f in &files {
        let problems = errors(&validator, &std::fs::read_to_string(f).unwrap());
        assert!(problems.is_empty(), "{}: {problems:#?}", f.display());
    }
    let child = "extends = \"baseline_2024.toml\"\n[scenario]\nname = \"x\"\n";
    assert!(errors(&validator, child).is_empty());
    for (bad, why) in [
        (
            "extends = \"a.toml\"\n[scenario]\nnmae = \"x\"\n",
            "misspelt key",
        ),
        (
            "extends = \"a.toml\"\n[[item]]\nname = \"x\"\nkind = \"gadget\"\n",
            "unknown choice",
        ),
        (
            "extends = \"a.toml\"\n[[exporter]]\nregion = \"cn\"\n[exporter.licence.approval]\ndefault = 1.5\n",
            "share above 1",
        ),
        (
            "extends = \"a.toml\"\n[scenario]\nhorizon_weeks = { dist = \"gamma\", k = 2 }\n",
            "a distribution where an integer goes",
        ),
    ] {
        assert!(!errors(&validator, bad).is_empty(), "{why} passed");
    }
}
