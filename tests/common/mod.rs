//! Helpers shared by the end-to-end tests: run the real binary from the repository root.

#![allow(dead_code, reason = "each test file uses a different subset")]

use std::path::PathBuf;
use std::process::{Command, Output};

/// The repository root (where `scenarios/` is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `chokepoint` with `args` from the repository root.
pub fn chokepoint<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chokepoint"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the binary runs")
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The stationarity criterion of `tests/baseline.rs` and `tests/market_2010.rs`: the first run of
/// `window` steps whose mean of the median path `med` is more than `band` × `scale` from `first`
/// (or more than `band` from 0 when `scale` is at most `zero`), described for the failure list.
pub fn drift(
    name: &str,
    med: &[f64],
    first: f64,
    scale: f64,
    (window, band, zero): (usize, f64, f64),
) -> Option<String> {
    med.chunks(window).enumerate().find_map(|(w, chunk)| {
        #[allow(clippy::cast_precision_loss, reason = "a window of a few steps")]
        let mean = chunk.iter().sum::<f64>() / chunk.len() as f64;
        let off = if scale > zero {
            (mean - first).abs() / scale
        } else {
            mean.abs()
        };
        (off > band).then(|| {
            format!(
                "{name}: weeks {}..{} median mean {mean:.4} vs first weeks {first:.4}",
                w * window,
                w * window + chunk.len()
            )
        })
    })
}

/// A small sweep of `full_embargo` (two parameters, a Latin hypercube of `points`, 6
/// replications, one thread) into `out`: the interrupted-and-resumed experiment of the
/// journal, lock and signal tests.
pub fn sweep_args(out: &std::path::Path, points: usize) -> Vec<String> {
    [
        "sweep",
        "scenarios/full_embargo.toml",
        "--param",
        "shock.allied_embargo.duration_weeks=4:40",
        "--param",
        "defaults.manufacturer.cover_weeks=2:8",
        "--design",
        &format!("lhs:{points}"),
        "--reps",
        "6",
        "--threads",
        "1",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]
    .map(str::to_owned)
    .to_vec()
}

/// `chokepoint size` on the April 2025 licensing scenario with the `days60_shortage` strategy,
/// few replications and the shortest horizon holding its target windows, into `out`, with
/// `target` and `extra` flags.
pub fn size_args(out: &std::path::Path, target: &str, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = [
        "size",
        "scenarios/china_licensing_2025_04.toml",
        "--strategies",
        "scenarios/stockpile_strategies.toml",
        "--strategy",
        "days60_shortage",
        "--target",
        target,
        "--set",
        // The shortest horizon that holds the scenario's target windows (to March 2026).
        "scenario.horizon_weeks=66",
        "--reps",
        "6",
        "--max-reps",
        "6",
        "--seed",
        "3",
        "--quiet",
        "--out",
    ]
    .map(str::to_owned)
    .to_vec();
    a.push(out.display().to_string());
    a.extend(extra.iter().map(|s| (*s).to_owned()));
    a
}

/// (strategy, metric) → mean, from a comparison's `comparison.csv` in `dir`.
pub fn comparison_means(
    dir: &std::path::Path,
) -> std::collections::BTreeMap<(String, String), f64> {
    let mut reader = csv::Reader::from_path(dir.join("comparison.csv")).expect("comparison.csv");
    reader
        .records()
        .map(|r| {
            let r = r.expect("a row");
            (
                (r[1].to_owned(), r[2].to_owned()),
                r[3].parse::<f64>().expect("a mean"),
            )
        })
        .collect()
}
