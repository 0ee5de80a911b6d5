//! End-to-end tests of `chokepoint calibrate`: reproducible at any thread count, resumable to
//! the same bytes, and bad calibration files refused at their lines before anything runs.

mod common;

use std::path::{Path, PathBuf};

use common::{chokepoint, root, stderr, stdout};

/// A tiny calibration of `japan_halt_2010`: two parameters, three LHS points, two Nelder–Mead
/// iterations, two replications per candidate; written into `dir`.
fn tiny(dir: &Path, seed: u64) -> PathBuf {
    let scenario = root().join("scenarios/japan_halt_2010.toml");
    let text = format!(
        r#"name = "tiny"
scenario = "{}"
seed = {seed}
replications = 2

[search]
method = "lhs+nelder-mead"
lhs_points = 3
nelder_mead_iterations = 2

[[parameter]]
key = "defaults.price.elasticity"
min = 0.02
max = 0.5
scale = "log"

[[parameter]]
key = "defaults.manufacturer.substitution_rate_per_year"
min = 0.02
max = 0.3

[[metric_target]]
metric = "peak_price_ratio/dy"
historical = 19.5
tolerance = 0.5

[[metric_target]]
metric = "exports_t"
historical = 20000.0
tolerance = 0.5
weight = 0.5
"#,
        scenario.display().to_string().replace('\\', "/")
    );
    let path = dir.join("tiny.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn calibrate(file: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "calibrate",
        file.to_str().unwrap(),
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    chokepoint(&args)
}

const FILES: [&str; 3] = ["calibrated.toml", "candidates.csv", "fit.csv"];

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name))
        .unwrap_or_else(|e| panic!("{}/{name}: {e}", dir.display()))
}

#[test]
fn a_calibration_reproduces_its_files_at_one_and_two_threads_and_after_an_interruption() {
    let dir = tempfile::tempdir().unwrap();
    let file = tiny(dir.path(), 5);
    let one = dir.path().join("one");
    let out = calibrate(&file, &one, &["--threads", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for want in [
        "calibration tiny:",
        "defaults.price.elasticity",
        "peak_price_ratio/dy",
        "model p5 – p95",
        "loss share",
    ] {
        assert!(text.contains(want), "missing {want} in\n{text}");
    }
    let calibrated = read(&one, "calibrated.toml");
    assert!(
        calibrated.contains("\n[defaults.price]\nelasticity = "),
        "{calibrated}"
    );
    assert!(calibrated.contains("\n[defaults.manufacturer]\nsubstitution_rate_per_year = "));
    assert!(
        calibrated.parse::<toml::Table>().is_ok(),
        "valid TOML:\n{calibrated}"
    );
    let candidates = read(&one, "candidates.csv");
    let header = candidates.lines().next().unwrap();
    assert!(
        header.starts_with(
            "index,phase,defaults.price.elasticity,defaults.manufacturer.substitution_rate_per_year,loss,"
        ),
        "{header}"
    );
    // The scenario's own fit targets come first, then the file's metric targets; its holdout
    // and prediction targets are never fitted.
    assert!(
        header.contains(",target/dy_oxide_peak_2011_p50,"),
        "{header}"
    );
    assert!(
        header.ends_with(",peak_price_ratio/dy_p50,exports_t_p50"),
        "{header}"
    );
    assert!(
        !header.contains("dy_oxide_yearend_2013"),
        "a holdout was fitted: {header}"
    );
    assert!(candidates.lines().nth(1).unwrap().starts_with("0,lhs,"));
    let rows = candidates.lines().count() - 1;
    assert!(rows > 3 + 2, "LHS then Nelder–Mead: {rows} candidates");
    assert!(candidates.contains(",nm,"));
    let fit = read(&one, "fit.csv");
    assert!(fit.starts_with("target,historical,p5,p50,p95,mean,tolerance,weight,contribution\n"));
    assert!(fit.contains("\npeak_price_ratio/dy,19.5,"), "{fit}");
    let manifest = read(&one, "manifest.json");
    assert!(manifest.contains("\"status\": \"complete\""), "{manifest}");

    // The chosen candidate is `run` with the chosen values set: the same numbers.
    let chosen: toml::Table = calibrated.parse().unwrap();
    let mut args = vec![
        "run".to_owned(),
        "scenarios/japan_halt_2010.toml".to_owned(),
    ];
    for (table, key) in [
        ("price", "elasticity"),
        ("manufacturer", "substitution_rate_per_year"),
    ] {
        let v = &chosen["defaults"][table][key];
        args.extend(["--set".to_owned(), format!("defaults.{table}.{key}={v}")]);
    }
    let run_dir = dir.path().join("run");
    args.extend(
        [
            "--reps",
            "2",
            "--seed",
            "5",
            "--quiet",
            "--out",
            run_dir.to_str().unwrap(),
        ]
        .map(str::to_owned),
    );
    let out = chokepoint(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let p50 = |csv: &str, key: &str, col: usize| {
        csv.lines()
            .find(|l| l.starts_with(key))
            .unwrap_or_else(|| panic!("{key} in {csv}"))
            .split(',')
            .nth(col)
            .unwrap()
            .to_owned()
    };
    let summary = read(&run_dir, "summary.csv");
    assert_eq!(
        p50(&summary, "peak_price_ratio/dy,", 8),
        p50(&fit, "peak_price_ratio/dy,", 3),
        "summary.csv p50 vs fit.csv p50"
    );

    // Two threads and batches of one replication: the same bytes.
    let two = dir.path().join("two");
    let out = calibrate(&file, &two, &["--threads", "2", "--batch", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    for f in FILES {
        assert_eq!(read(&one, f), read(&two, f), "{f} differs at 2 threads");
    }

    // Interrupted after 3 fresh candidates (the test hook acts as Ctrl-C), a torn journal line
    // (a kill while writing), then resumed: the same bytes.
    let cut = dir.path().join("cut");
    let out = calibrate(&file, &cut, &["--stop-after", "3"]);
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    // Kept: the 3 LHS points and the first simplex vertex (the best LHS point again, taken
    // from the earlier candidate without running); the next fresh one was not run.
    assert!(
        stderr(&out).contains("interrupted after 4 candidates"),
        "{}",
        stderr(&out)
    );
    assert!(read(&cut, "manifest.json").contains("\"status\": \"interrupted\""));
    assert!(
        read(&cut, "manifest.json").contains(&format!(
            "\"resume_command\": \"chokepoint calibrate {} --out {} --resume\"",
            file.display(),
            cut.display()
        )),
        "{}",
        read(&cut, "manifest.json")
    );
    assert!(!cut.join("calibrated.toml").exists());
    assert_eq!(read(&cut, "candidates.jsonl").lines().count(), 4);
    let mut journal = read(&cut, "candidates.jsonl");
    journal.push_str("{\"index\":4,\"phase\":\"nm\",\"val");
    std::fs::write(cut.join("candidates.jsonl"), journal).unwrap();
    let out = calibrate(&file, &cut, &["--resume", "--threads", "2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    for f in FILES {
        assert_eq!(read(&one, f), read(&cut, f), "{f} differs after resuming");
    }

    // The folder holds results: a new calibration there is refused, and so is resuming with
    // another seed.
    let out = calibrate(&file, &one, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("already holds a calibration; add --resume"),
        "{}",
        stderr(&out)
    );
    let elsewhere = dir.path().join("other");
    std::fs::create_dir(&elsewhere).unwrap();
    let other = tiny(&elsewhere, 6);
    let out = calibrate(&other, &one, &["--resume"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("holds a calibration of another file, seed, scenario or targets"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn resume_needs_an_output_folder() {
    let out = chokepoint(&["calibrate", "x.toml", "--resume"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--out"), "{}", stderr(&out));
}

#[test]
fn every_bad_calibration_file_is_refused_at_its_lines_before_anything_runs() {
    let dir = root().join("tests/fixtures/bad_calibration");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "the corpus shrank to {}", files.len());
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let expects: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .collect();
        assert!(
            !expects.is_empty(),
            "{} has no `# expect:` line",
            file.display()
        );
        let out_dir = tmp.path().join(file.file_stem().unwrap());
        let out = calibrate(file, &out_dir, &[]);
        let report = stderr(&out);
        if out.status.code() != Some(2) {
            failures.push(format!("{}: exit {:?}", file.display(), out.status.code()));
        }
        for want in expects {
            if !report.contains(want) {
                failures.push(format!(
                    "{}: report lacks `{want}`:\n{report}",
                    file.display()
                ));
            }
        }
        if out_dir.exists() || report.contains("panicked") {
            failures.push(format!("{}: ran or panicked:\n{report}", file.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn resume_takes_evaluated_candidates_from_the_journal_and_refuses_one_that_diverges() {
    let dir = tempfile::tempdir().unwrap();
    let file = tiny(dir.path(), 5);
    let doctor = |out: &Path, from: &str, to: &str| {
        let journal = read(out, "candidates.jsonl");
        let first = journal.lines().next().unwrap().to_owned();
        let changed = first.replacen(from, to, 1);
        assert_ne!(first, changed, "{from} not in {first}");
        std::fs::write(
            out.join("candidates.jsonl"),
            journal.replacen(&first, &changed, 1),
        )
        .unwrap();
    };
    // A journalled loss is taken as it is (so it was not run again).
    let taken = dir.path().join("taken");
    assert_eq!(
        calibrate(&file, &taken, &["--stop-after", "1"])
            .status
            .code(),
        Some(130),
        "stopped early: the exit code of an interrupted command"
    );
    doctor(&taken, "\"loss\":", "\"loss\":12345.5,\"was\":");
    let out = calibrate(&file, &taken, &["--resume"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let first_row = read(&taken, "candidates.csv")
        .lines()
        .nth(1)
        .unwrap()
        .to_owned();
    assert!(first_row.contains(",12345.5,"), "{first_row}");
    // A journalled candidate with other values than the search proposes is refused.
    let diverged = dir.path().join("diverged");
    assert_eq!(
        calibrate(&file, &diverged, &["--stop-after", "1"])
            .status
            .code(),
        Some(130),
        "stopped early: the exit code of an interrupted command"
    );
    doctor(&diverged, "\"values\":[", "\"values\":[0.25,");
    let out = calibrate(&file, &diverged, &["--resume"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "candidate 0 in candidates.jsonl differs from the one the search proposes now"
        ),
        "{}",
        stderr(&out)
    );
}

/// The engine's access to files, as the CLI's loader gives it.
struct Files;

impl chokepoint_experiment::Load<chokepoint_scenario::Scenario> for Files {
    fn scenario(
        &self,
        path: &Path,
        overrides: &[chokepoint_experiment::Assignment],
    ) -> Result<chokepoint_scenario::Scenario, chokepoint_experiment::BoxError> {
        assert!(overrides.is_empty());
        let read = |p: &Path| std::fs::read_to_string(p);
        Ok(chokepoint_scenario::Scenario::load(path, &read, &[])?)
    }

    fn strategies(
        &self,
        _: &Path,
    ) -> Result<Vec<(String, chokepoint_scenario::Strategy)>, chokepoint_experiment::BoxError> {
        unreachable!("a calibration reads no strategies")
    }
}

#[test]
fn the_shipped_calibration_file_checks_against_its_scenario() {
    use chokepoint_experiment::calibrate::{Calibration, Scale};
    let path = root().join("scenarios/calibration/calibration_2010.toml");
    let (cal, scenario) = Calibration::load(&path, &Files).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        chokepoint_core::ScenarioSource::name(&scenario),
        "japan_halt_2010"
    );
    assert_eq!(cal.name, "calibration_2010");
    assert!(cal.parameters.len() >= 3);
    assert_eq!(cal.parameters[0].key, "defaults.price.elasticity");
    assert_eq!(cal.parameters[0].scale, Scale::Log);
    assert!(!cal.fit_targets(&scenario).is_empty());
}
