//! Golden outputs: every shipped scenario, a comparison and a sweep, at a fixed seed, must give
//! the same bytes as the files recorded in `tests/golden/`. A restructuring must leave them
//! unchanged; a model change re-records them on purpose (`CHOKEPOINT_BLESS=1 cargo test --test
//! golden`) and says in its commit which numbers moved and why.
//!
//! `summary.csv` and `comparison.csv` are kept whole so a change reads as a diff; the larger files
//! are kept as SHA-256 digests in `tests/golden/digests.txt`.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use common::{chokepoint, root, stderr};
use sha2::{Digest, Sha256};

const REPS: &str = "6";
const SEED: &str = "20261201";

/// True for a file of `scenarios/` that is not a scenario: a strategies file (`[[strategy]]`) or a
/// suite (`[suite]`), which are inputs of `compare`; read from the content, so a new one is
/// recognised without naming it here.
fn is_scenario_file(path: &Path) -> bool {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    !text.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("[[strategy]]") || l.starts_with("[suite]")
    })
}

/// Scenario files in `scenarios/` (the strategies and suite files are inputs of `compare`).
fn shipped_scenarios() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            Path::new(n)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
        })
        .filter(|n| is_scenario_file(&root().join("scenarios").join(n)))
        .collect();
    names.sort();
    names
}

fn digest(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Sha256::digest(&bytes)
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn run_ok(args: &[&str]) {
    let out = chokepoint(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
}

/// Runs everything and returns (name → digest, name → whole text) of the golden files.
fn produce(work: &Path) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let mut digests = BTreeMap::new();
    let mut texts = BTreeMap::new();
    for file in shipped_scenarios() {
        let stem = file.trim_end_matches(".toml").to_owned();
        let out = work.join(&stem);
        let scenario = format!("scenarios/{file}");
        run_ok(&[
            "run",
            &scenario,
            "--reps",
            REPS,
            "--seed",
            SEED,
            "--threads",
            "2",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ]);
        for f in ["timeseries.csv", "replications.csv", "summary.json"] {
            digests.insert(format!("{stem}/{f}"), digest(&out.join(f)));
        }
        let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
        texts.insert(format!("{stem}.summary.csv"), summary);
    }

    let cmp = work.join("compare");
    run_ok(&[
        "compare",
        "scenarios/benchmark_suite.toml",
        "--strategies",
        "scenarios/stockpile_strategies.toml",
        "--reps",
        "3",
        "--seed",
        SEED,
        "--quiet",
        "--out",
        cmp.to_str().unwrap(),
    ]);
    texts.insert(
        "compare.comparison.csv".into(),
        std::fs::read_to_string(cmp.join("comparison.csv")).unwrap(),
    );
    digests.insert(
        "compare/benchmark.csv".into(),
        digest(&cmp.join("benchmark.csv")),
    );

    let sweep = work.join("sweep");
    run_ok(&[
        "sweep",
        "scenarios/full_embargo.toml",
        "--param",
        "defaults.manufacturer.cover_weeks=2:8",
        "--design",
        "grid:3",
        "--reps",
        "3",
        "--seed",
        SEED,
        "--quiet",
        "--out",
        sweep.to_str().unwrap(),
    ]);
    texts.insert(
        "sweep.sweep.csv".into(),
        std::fs::read_to_string(sweep.join("sweep.csv")).unwrap(),
    );
    (digests, texts)
}

#[test]
fn shipped_scenarios_comparisons_and_sweeps_reproduce_their_golden_outputs() {
    let golden = root().join("tests/golden");
    let work = tempfile::tempdir().unwrap();
    let (digests, texts) = produce(work.path());
    let digest_text = digests.iter().fold(String::new(), |mut s, (k, v)| {
        let _ = writeln!(s, "{v}  {k}");
        s
    });

    if std::env::var_os("CHOKEPOINT_BLESS").is_some() {
        std::fs::create_dir_all(&golden).unwrap();
        std::fs::write(golden.join("digests.txt"), &digest_text).unwrap();
        for (name, text) in &texts {
            std::fs::write(golden.join(name), text).unwrap();
        }
        return;
    }

    let mut changed = Vec::new();
    for (name, text) in &texts {
        let want = std::fs::read_to_string(golden.join(name)).unwrap_or_default();
        if &want != text {
            changed.push(format!("{name}:\n--- recorded\n{want}\n+++ now\n{text}"));
        }
    }
    let want_digests = std::fs::read_to_string(golden.join("digests.txt")).unwrap_or_default();
    if want_digests != digest_text {
        changed.push(format!(
            "digests.txt:\n--- recorded\n{want_digests}\n+++ now\n{digest_text}"
        ));
    }
    assert!(
        changed.is_empty(),
        "golden outputs changed (re-record with CHOKEPOINT_BLESS=1 only for an intended model \
         change, and say why in the commit):\n{}",
        changed.join("\n")
    );
}
