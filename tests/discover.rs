//! End-to-end tests of `chokepoint discover`: PRIM over a finished sweep.

mod common;

use common::{chokepoint, stderr, stdout};

/// A sweep of `full_embargo` over the embargo's length and firms' cover (30 points), with its
/// table as CSV and Parquet.
fn sweep(dir: &std::path::Path) {
    let mut args = common::sweep_args(dir, 30);
    args.extend(["--format".to_owned(), "both".to_owned()]);
    let o = chokepoint(&args);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// The median of `column` in the sweep's table.
fn median(dir: &std::path::Path, column: &str) -> f64 {
    let mut r = csv::Reader::from_path(dir.join("sweep.csv")).unwrap();
    let i = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == column)
        .unwrap();
    let mut v: Vec<f64> = r
        .records()
        .map(|x| x.unwrap()[i].parse().unwrap())
        .collect();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn discover(sweep: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["discover", sweep.to_str().unwrap()];
    args.extend_from_slice(extra);
    chokepoint(&args)
}

#[test]
fn finds_that_long_embargoes_cost_output_and_refuses_what_it_cannot_do() {
    let dir = tempfile::tempdir().unwrap();
    sweep(dir.path());
    let threshold = median(dir.path(), "lost_output_usd_mean").to_string();
    let o = discover(
        dir.path(),
        &["--metric", "lost_output_usd", "--threshold", &threshold],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = dir.path().join("discover");
    for f in [
        "prim_trajectory.csv",
        "prim_box.csv",
        "manifest.json",
        "plots/prim_tradeoff.svg",
        "plots/prim_tradeoff.png",
    ] {
        assert!(out.join(f).exists(), "{f} missing; {}", stdout(&o));
    }
    // The embargo's length drives lost output: the box keeps the long embargoes.
    let mut boxes = csv::Reader::from_path(out.join("prim_box.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = boxes.records().map(Result::unwrap).collect();
    let duration = rows
        .iter()
        .find(|r| &r[0] == "shock.allied_embargo.duration_weeks")
        .unwrap_or_else(|| panic!("duration not restricted: {}", stdout(&o)));
    let (lo, sweep_lo): (f64, f64) = (duration[1].parse().unwrap(), duration[3].parse().unwrap());
    assert!(lo > sweep_lo + 5.0, "box {lo} vs swept from {sweep_lo}");
    assert!(duration[5].parse::<f64>().unwrap() < 0.05, "{duration:?}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["kind"], "discover");
    assert_eq!(manifest["column"], "lost_output_usd_mean");

    // The same inputs give the same bytes; a used folder is refused unless --force.
    let first = std::fs::read(out.join("prim_trajectory.csv")).unwrap();
    let again = discover(
        dir.path(),
        &["--metric", "lost_output_usd", "--threshold", &threshold],
    );
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    let forced = discover(
        dir.path(),
        &[
            "--metric",
            "lost_output_usd",
            "--threshold",
            &threshold,
            "--force",
        ],
    );
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_eq!(
        first,
        std::fs::read(out.join("prim_trajectory.csv")).unwrap()
    );

    // A sweep that kept only Parquet gives the same box: its cells are read as the CSV's.
    let parquet_only = dir.path().join("parquet_only");
    std::fs::create_dir(&parquet_only).unwrap();
    for f in ["manifest.json", "sweep.parquet"] {
        std::fs::copy(dir.path().join(f), parquet_only.join(f)).unwrap();
    }
    let o = discover(
        &parquet_only,
        &["--metric", "lost_output_usd", "--threshold", &threshold],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["prim_trajectory.csv", "prim_box.csv"] {
        assert_eq!(
            std::fs::read(out.join(f)).unwrap(),
            std::fs::read(parquet_only.join("discover").join(f)).unwrap(),
            "{f} from sweep.parquet differs from the one from sweep.csv"
        );
    }
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(parquet_only.join("discover/manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["sweep"]["table"], "sweep.parquet");

    // A misspelt metric gets a did-you-mean; a threshold no case crosses says the range.
    let other = dir.path().join("other");
    let bad = discover(
        dir.path(),
        &[
            "--metric",
            "lost_output_usd_meen",
            "--threshold",
            "1",
            "--out",
            other.to_str().unwrap(),
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("did you mean `lost_output_usd_mean`"),
        "{}",
        stderr(&bad)
    );
    let none = discover(
        dir.path(),
        &[
            "--metric",
            "lost_output_usd",
            "--threshold",
            "1e30",
            "--out",
            other.to_str().unwrap(),
        ],
    );
    assert_eq!(none.status.code(), Some(2));
    let msg = stderr(&none);
    assert!(
        msg.contains("ranges from") && msg.contains("none of the 30 cases"),
        "{msg}"
    );
    assert!(!other.exists(), "a refused discovery leaves no folder");
}

#[test]
fn refuses_a_folder_that_is_not_a_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let o = chokepoint(&[
        "run",
        "scenarios/full_embargo.toml",
        "--reps",
        "2",
        "--quiet",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let d = discover(dir.path(), &["--metric", "any_halt", "--threshold", "0.5"]);
    assert_eq!(d.status.code(), Some(2));
    assert!(
        stderr(&d).contains("discover reads a finished sweep"),
        "{}",
        stderr(&d)
    );
}
