//! The JSON Schemas of the input files: each shipped `schemas/<kind>.schema.json` is what its one
//! definition of the keys generates (`CHOKEPOINT_BLESS=1 cargo test --test schema` rewrites
//! them), `chokepoint schema` prints and writes the same, and every shipped file of each kind
//! (scenarios, strategies, the benchmark suite, calibration files) validates against its schema
//! while a misspelt key, a wrong choice or a number out of range does not.

mod common;

use std::path::{Path, PathBuf};

use chokepoint_engine::InputKind;
use chokepoint_scenario::keys::{scenario_schema_text, toml_to_json};
use common::{chokepoint, root, stderr, stdout};

fn shipped_schema(kind: InputKind) -> PathBuf {
    root().join("schemas").join(kind.file_name())
}

#[test]
fn the_shipped_schemas_are_up_to_date() {
    for kind in InputKind::ALL {
        let now = kind.schema_text();
        if std::env::var_os("CHOKEPOINT_BLESS").is_some() {
            std::fs::create_dir_all(root().join("schemas")).unwrap();
            std::fs::write(shipped_schema(kind), &now).unwrap();
            continue;
        }
        let shipped = std::fs::read_to_string(shipped_schema(kind)).unwrap_or_default();
        assert!(
            shipped == now,
            "schemas/{} is stale: run `CHOKEPOINT_BLESS=1 cargo test --test schema`",
            kind.file_name()
        );
    }
}

#[test]
fn the_schema_command_prints_and_writes_the_generated_schemas() {
    let out = chokepoint(&["schema"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), scenario_schema_text());
    for kind in InputKind::ALL {
        let out = chokepoint(&["schema", "--kind", kind.name()]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stdout(&out), kind.schema_text(), "{}", kind.name());
    }
    let out = chokepoint(&["schema", "--kind", "sweep"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown kind is a usage error"
    );
    assert!(stderr(&out).contains("calibration"), "{}", stderr(&out));
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    let out = chokepoint(&["schema", "--out", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    for kind in InputKind::ALL {
        assert_eq!(
            std::fs::read_to_string(dir.join(kind.file_name())).unwrap(),
            kind.schema_text()
        );
    }
}

/// The kind of a shipped TOML file, by the table that marks it (as the loaders tell them).
fn kind_of(path: &Path) -> InputKind {
    let table: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
    if table.contains_key("strategy") {
        InputKind::Strategies
    } else if table.contains_key("suite") {
        InputKind::Suite
    } else if table.contains_key("search") {
        InputKind::Calibration
    } else {
        InputKind::Scenario
    }
}

/// Every shipped TOML input file of `kind`.
fn shipped_files(kind: InputKind) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in [
        "scenarios",
        "scenarios/common",
        "scenarios/calibration",
        "benches/workloads",
    ] {
        for e in std::fs::read_dir(root().join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") && kind_of(&p) == kind {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

fn errors(validator: &jsonschema::Validator, text: &str) -> Vec<String> {
    let value = toml_to_json(toml::Value::Table(text.parse().unwrap()));
    validator
        .iter_errors(&value)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

/// Every shipped file of `kind` (at least `min` of them) validates; each of `good` does too, and
/// each of `bad` (a mistake and its name) does not.
fn check_kind(kind: InputKind, min: usize, good: &[&str], bad: &[(&str, &str)]) {
    let validator = jsonschema::validator_for(&kind.schema()).unwrap();
    let files = shipped_files(kind);
    assert!(files.len() >= min, "{}: {files:?}", kind.name());
    for f in &files {
        let problems = errors(&validator, &std::fs::read_to_string(f).unwrap());
        assert!(problems.is_empty(), "{}: {problems:#?}", f.display());
    }
    for text in good {
        let problems = errors(&validator, text);
        assert!(
            problems.is_empty(),
            "{}: {text}: {problems:#?}",
            kind.name()
        );
    }
    for (text, why) in bad {
        assert!(
            !errors(&validator, text).is_empty(),
            "{}: {why} passed",
            kind.name()
        );
    }
}

#[test]
fn every_shipped_scenario_validates_and_mistakes_do_not() {
    check_kind(
        InputKind::Scenario,
        10,
        &["extends = \"baseline_2024.toml\"\n[scenario]\nname = \"x\"\n"],
        &[
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
        ],
    );
}

#[test]
fn every_shipped_strategies_file_validates_and_mistakes_do_not() {
    check_kind(
        InputKind::Strategies,
        2,
        &[
            "[[strategy]]\nname = \"none\"\n",
            "[[strategy]]\nname = \"s\"\n[[strategy.stockpile]]\nname = \"us\"\nbudget_usd = { dist = \"uniform\", lo = 1, hi = 2 }\n",
            "[[strategy]]\nname = \"f\"\nbudget_usd = 1e6\n[[strategy.floor]]\nname = \"x\"\nproducer = \"p\"\nfloor_usd_per_kg = 110\ndate = 2025-01-06\nbudget_usd = 1e6\n",
        ],
        &[
            (
                "[[strategy]]\ndescription = \"x\"\n",
                "a strategy without a name",
            ),
            (
                "[[strategy]]\nname = \"s\"\nstockpiles = []\n",
                "misspelt key",
            ),
            (
                "[[strategy]]\nname = \"s\"\n[[strategy.stockpile]]\nnmae = \"us\"\n",
                "misspelt stockpile key",
            ),
            (
                "[[strategy]]\nname = \"s\"\n[[strategy.stockpile]]\nname = \"us\"\nrelease_shortage_share = 1.5\n",
                "a share above 1 in a stockpile",
            ),
            ("name = \"s\"\n", "no [[strategy]]"),
            (
                "[[strategy]]\nname = \"s\"\nbudget_usd = -1\n",
                "a negative strategy budget",
            ),
            (
                "[[strategy]]\nname = \"s\"\n[[strategy.floor]]\nname = \"x\"\nflor_usd_per_kg = 110\n",
                "misspelt floor key",
            ),
        ],
    );
}

#[test]
fn the_shipped_suite_validates_and_mistakes_do_not() {
    check_kind(
        InputKind::Suite,
        1,
        &["[suite]\nname = \"s\"\nscenarios = [\"a.toml\"]\n"],
        &[
            ("[suite]\nname = \"s\"\n", "no scenarios"),
            (
                "[suite]\nname = \"s\"\nscenarios = [\"a.toml\"]\nbaselin = \"none\"\n",
                "misspelt key",
            ),
            (
                "[suite]\nname = \"s\"\nscenarios = \"a.toml\"\n",
                "one path where a list goes",
            ),
        ],
    );
}

#[test]
fn the_shipped_calibration_validates_and_mistakes_do_not() {
    let good = "scenario = \"a.toml\"\nseed = 1\nreplications = 2\n[search]\nmethod = \"lhs+nelder-mead\"\nlhs_points = 4\nnelder_mead_iterations = 2\n[[parameter]]\nkey = \"defaults.price.elasticity\"\nmin = 0.1\nmax = 1.0\nscale = \"log\"\n";
    let wrong_scale = good.replace("\"log\"", "\"logarithmic\"");
    let negative_seed = good.replace("seed = 1", "seed = -1");
    let misspelt = good.replace("lhs_points", "lhs_point");
    check_kind(
        InputKind::Calibration,
        1,
        &[good],
        &[
            (&wrong_scale, "unknown scale"),
            (&negative_seed, "a negative seed"),
            (&misspelt, "misspelt search key"),
            (
                "scenario = \"a.toml\"\nseed = 1\nreplications = 2\n",
                "no [search]",
            ),
        ],
    );
}
