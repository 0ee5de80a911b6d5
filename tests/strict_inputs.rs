//! Strict inputs (issue 13): every input file kind reports problems at `file:line:column` in plain
//! words (exit 2); a bad `--set` is reported once; duplicates and absurd `--threads` are refused.

mod common;

use std::path::{Path, PathBuf};

use common::{chokepoint, root, stderr};

/// The `# expect:` lines of a fixture.
fn expectations(path: &Path) -> Vec<String> {
    let bytes = std::fs::read(path).unwrap();
    String::from_utf8_lossy(&bytes)
        .lines()
        .filter_map(|l| l.strip_prefix("# expect: ").map(str::to_owned))
        .collect()
}

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures").join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    v.sort();
    v
}

/// Runs `args` and checks exit code 2 and every expectation of `fixture` in stderr.
fn expect_refused(fixture: &Path, args: &[String]) {
    let out = chokepoint(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{}: {err}", fixture.display());
    for e in expectations(fixture) {
        assert!(
            err.contains(&e),
            "{}: expected `{e}` in:\n{err}",
            fixture.display()
        );
    }
}

fn s(x: impl AsRef<std::ffi::OsStr>) -> String {
    x.as_ref().to_string_lossy().into_owned()
}

#[test]
fn bad_strategies_files_are_located() {
    let tmp = tempfile::tempdir().unwrap();
    for f in fixtures("bad_strategies") {
        let scenario = root().join("scenarios/full_embargo.toml");
        expect_refused(
            &f,
            &[
                "compare".into(),
                s(&scenario),
                "--strategies".into(),
                s(&f),
                "--quiet".into(),
                "--out".into(),
                s(tmp.path().join("o")),
            ],
        );
    }
}

#[test]
fn bad_suite_files_are_located() {
    let tmp = tempfile::tempdir().unwrap();
    for f in fixtures("bad_suite") {
        expect_refused(
            &f,
            &[
                "compare".into(),
                s(&f),
                "--quiet".into(),
                "--out".into(),
                s(tmp.path().join("o")),
            ],
        );
        assert!(!tmp.path().join("o").exists(), "{}", f.display());
    }
}

#[test]
fn non_utf8_files_name_line_column_and_fix() {
    let f = root().join("tests/fixtures/not_utf8/scenario.toml");
    expect_refused(&f, &["check".into(), s(&f)]);
}

#[test]
fn a_bad_set_value_is_reported_once_at_the_set() {
    let licensing = root().join("scenarios/china_licensing_2025_04.toml");
    for (set, want) in [
        (
            "scenario.horizon_weeks=abc",
            "expected a whole number ≥ 0, found the text \"abc\"",
        ),
        (
            "scenario.horizon_weeks=1.5",
            "expected a whole number ≥ 0, found the number 1.5",
        ),
        ("scenario.start=notadate", "expected a date like 2025-04-04"),
        ("scenario.seed=-3", "expected a whole number ≥ 0"),
        ("shock.april_regime.delay_weeks=x", "expected a number"),
        (
            "shock.april_regime.approval.us.default=abc",
            "expected a probability",
        ),
        (
            "shock.nosuch.delay_weeks=1",
            "no entry of `shock` is named `nosuch`",
        ),
    ] {
        let out = chokepoint(&[
            "check".into(),
            s(&licensing),
            "--set".into(),
            set.to_owned(),
        ]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{set}: {err}");
        assert!(err.contains("1 problem in --set "), "{set}: {err}");
        assert!(err.contains("--set "), "{set}: {err}");
        assert!(err.contains(want), "{set}: expected `{want}` in {err}");
        assert!(
            !err.contains(".toml:"),
            "{set}: a problem at a file line: {err}"
        );
    }
}

/// Words of a programmer, not of a policy researcher.
const RUST_WORDS: [&str; 12] = [
    "u32",
    "u64",
    "u8",
    "usize",
    "i64",
    "f64",
    "a sequence",
    "struct ",
    "enum ",
    "invalid type: map",
    "invalid type",
    "invalid value",
];

#[test]
fn no_rust_type_names_in_any_message() {
    let mut cases: Vec<Vec<String>> = Vec::new();
    for dir in ["bad", "bad_calibration", "not_utf8"] {
        for f in fixtures(dir) {
            cases.push(vec!["check".into(), s(&f)]);
        }
    }
    let licensing = s(root().join("scenarios/china_licensing_2025_04.toml"));
    for set in [
        "scenario.horizon_weeks=abc",
        "scenario.horizon_weeks={ a = 1 }",
        "scenario.seed=[1, 2]",
        "scenario.name=3",
        "shock.april_regime.items=3",
        "shock.april_regime.delay_weeks=[1]",
        "defaults.price.elasticity=true",
    ] {
        cases.push(vec![
            "check".into(),
            licensing.clone(),
            "--set".into(),
            set.into(),
        ]);
    }
    for dir in ["bad_suite"] {
        for f in fixtures(dir) {
            cases.push(vec!["compare".into(), s(&f), "--quiet".into()]);
        }
    }
    for f in fixtures("bad_calibration") {
        cases.push(vec!["calibrate".into(), s(&f), "--quiet".into()]);
    }
    for args in cases {
        let out = chokepoint(&args);
        let err = stderr(&out);
        assert_ne!(out.status.code(), Some(0), "{args:?}");
        for w in RUST_WORDS {
            assert!(!err.contains(w), "{args:?}: `{w}` in:\n{err}");
        }
    }
}

#[test]
fn the_same_scenario_twice_in_compare_is_refused() {
    let e = s(root().join("scenarios/full_embargo.toml"));
    let strategies = s(root().join("scenarios/stockpile_strategies.toml"));
    let out = chokepoint(&["compare", &e, &e, "--strategies", &strategies, "--quiet"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("is given twice: scenario 1 and scenario 2"),
        "{err}"
    );
}

#[test]
fn the_same_swept_parameter_twice_is_refused() {
    let e = s(root().join("scenarios/full_embargo.toml"));
    let out = chokepoint(&[
        "sweep",
        &e,
        "--design",
        "grid:2",
        "--param",
        "scenario.horizon_weeks=60:70",
        "--param",
        "scenario.horizon_weeks=60:80",
        "--quiet",
    ]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("swept parameter `scenario.horizon_weeks` is given twice"),
        "{err}"
    );
}

#[test]
fn absurd_thread_counts_are_refused() {
    let e = s(root().join("scenarios/full_embargo.toml"));
    for cmd in [vec!["run", &e], vec!["calibrate", "x.toml"]] {
        let mut args: Vec<&str> = cmd.clone();
        args.extend(["--threads", "100000"]);
        let out = chokepoint(&args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("more than the maximum, 1024"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}
