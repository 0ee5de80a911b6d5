//! Bad input never panics; a resolved scenario written out and read back is the same scenario.

use std::path::{Path, PathBuf};

use chokepoint_scenario::{Override, Scenario};
use proptest::prelude::*;

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

fn shipped() -> Vec<(PathBuf, String)> {
    let mut out: Vec<(PathBuf, String)> = std::fs::read_dir(scenarios_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        // Strategies and benchmark-suite files live beside the scenarios but are not scenarios.
        .filter(|(_, text)| {
            text.parse::<toml::Table>()
                .is_ok_and(|t| !t.contains_key("strategy") && !t.contains_key("suite"))
        })
        .collect();
    out.sort();
    out
}

/// Loads `text` as if it were the file at `path`; parents come from disk.
fn load_as(
    path: &Path,
    text: &str,
    overrides: &[Override],
) -> Result<Scenario, chokepoint_scenario::ScenarioError> {
    let read = |p: &Path| {
        if p == path {
            Ok(text.to_owned())
        } else {
            std::fs::read_to_string(p)
        }
    };
    Scenario::load(path, &read, overrides)
}

#[derive(Clone, Debug)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    ReplaceNumber(usize, String),
    InsertText(usize, String),
    SwapChars(usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let weird_number = prop_oneof![
        Just("-1".to_owned()),
        Just("nan".to_owned()),
        Just("inf".to_owned()),
        Just("1e308".to_owned()),
        Just("0".to_owned()),
        Just("\"text\"".to_owned()),
        Just("{ dist = \"beta\", alpha = -1, beta = 2 }".to_owned()),
        Just("{ dist = \"normal\", mean = 0, sd = 1 }".to_owned()),
        Just("[1, 2]".to_owned()),
        any::<f64>().prop_map(|f| format!("{f:?}")),
    ];
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), weird_number).prop_map(|(k, v)| Mutation::ReplaceNumber(k, v)),
        (any::<usize>(), "[\\[\\]{}=\"a-z0-9 .,#\n-]{0,20}")
            .prop_map(|(k, s)| Mutation::InsertText(k, s)),
        any::<usize>().prop_map(Mutation::SwapChars),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn apply(text: &str, m: &Mutation) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    if lines.is_empty() {
        return String::new();
    }
    let n = lines.len();
    match m {
        Mutation::DeleteLine(k) => {
            lines.remove(k % n);
        }
        Mutation::DuplicateLine(k) => {
            let l = lines[k % n].clone();
            lines.insert(k % n, l);
        }
        Mutation::ReplaceNumber(k, v) => {
            let numeric: Vec<usize> = lines
                .iter()
                .enumerate()
                .filter(|(_, l)| {
                    l.contains(" = ")
                        && l.split(" = ").nth(1).is_some_and(|r| {
                            r.trim_start().starts_with(|c: char| c.is_ascii_digit())
                        })
                })
                .map(|(i, _)| i)
                .collect();
            if let Some(&i) = numeric.get(k % numeric.len().max(1)) {
                let key = lines[i].split(" = ").next().unwrap_or("").to_owned();
                lines[i] = format!("{key} = {v}");
            }
        }
        Mutation::InsertText(k, s) => lines.insert(k % n, s.clone()),
        Mutation::SwapChars(k) => {
            let l = &mut lines[k % n];
            let mut chars: Vec<char> = l.chars().collect();
            if chars.len() > 2 {
                let i = k % (chars.len() - 1);
                chars.swap(i, i + 1);
                *l = chars.into_iter().collect();
            }
        }
        Mutation::Truncate(k) => lines.truncate(k % n),
    }
    lines.join("\n")
}

/// A scenario that loads must also build and step a model without panicking.
fn exercise(s: &Scenario) {
    if let Ok(model) = chokepoint_core::Model::new(s.sample(7)) {
        let mut sim = chokepoint_core::Simulation::new(&model);
        let mut rngs = chokepoint_runner_free_streams();
        for _ in 0..8 {
            if sim.is_done() {
                break;
            }
            sim.step(&mut rngs);
        }
    }
}

fn chokepoint_runner_free_streams() -> chokepoint_core::RngStreams<rand_chacha::ChaCha8Rng> {
    use rand::SeedableRng;
    chokepoint_core::RngStreams {
        demand: rand_chacha::ChaCha8Rng::seed_from_u64(1),
        supply: rand_chacha::ChaCha8Rng::seed_from_u64(2),
        licensing: rand_chacha::ChaCha8Rng::seed_from_u64(3),
        investment: rand_chacha::ChaCha8Rng::seed_from_u64(4),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn mutated_shipped_scenarios_never_panic(which in any::<usize>(), muts in prop::collection::vec(mutation(), 1..4)) {
        let files = shipped();
        let (path, text) = &files[which % files.len()];
        let mut mutated = text.clone();
        for m in &muts {
            mutated = apply(&mutated, m);
        }
        if let Ok(s) = load_as(path, &mutated, &[]) {
            exercise(&s);
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let _ = Scenario::from_str(&text, "random.toml");
    }

    #[test]
    fn resolved_scenario_reads_back_to_the_same_parameters(
        capacity in 0.0f64..1e6,
        cover in 0.0f64..30.0,
        approval in 0.0f64..=1.0,
        median in 1.0f64..60.0,
        seed in any::<u64>(),
    ) {
        let path = scenarios_dir().join("baseline_2024.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let overrides: Vec<Override> = [
            format!("producer.china_mines.capacity_t_per_year={capacity}"),
            format!("defaults.manufacturer.cover_weeks={cover}"),
            format!("exporter.china.licence.approval.default={approval}"),
            format!("exporter.china.licence.lead_time_weeks.median={{ dist = \"lognormal\", median = {median}, sigma = 0.3 }}"),
        ]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
        let resolved = load_as(&path, &text, &overrides).unwrap();
        let written = resolved.to_toml();
        let back = Scenario::from_str(&written, "resolved.toml").unwrap();
        prop_assert_eq!(back.file(), resolved.file());
        prop_assert_eq!(back.central(), resolved.central());
        prop_assert_eq!(back.sample(seed), resolved.sample(seed));
    }
}

#[test]
fn every_shipped_scenario_checks_clean_and_runs() {
    for (path, text) in shipped() {
        let s = load_as(&path, &text, &[]).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let model = chokepoint_core::Model::new(s.sample(1)).unwrap();
        let mut sim = chokepoint_core::Simulation::new(&model);
        sim.run(&mut chokepoint_runner_free_streams());
        assert!(sim.is_done(), "{}", path.display());
    }
}

#[test]
fn overrides_by_name_and_index_reach_the_same_key() {
    let path = scenarios_dir().join("baseline_2024.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let by_name = load_as(
        &path,
        &text,
        &["producer.china_mines.utilisation=0.5".parse().unwrap()],
    )
    .unwrap();
    let by_index = load_as(
        &path,
        &text,
        &["producer.0.utilisation=0.5".parse().unwrap()],
    )
    .unwrap();
    assert_eq!(by_name.central(), by_index.central());
    assert!((by_name.central().producers[0].utilisation - 0.5).abs() < 1e-12);
    let err = load_as(
        &path,
        &text,
        &["producer.0.utilisation=1.5".parse().unwrap()],
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("--set producer.0.utilisation=1.5")
            && err.contains("expected a share in [0, 1]"),
        "{err}"
    );
}
