//! Regression (arbitrage, docs/model.md §4, §9): under the April 2025 licensing at the shipped
//! behaviour, China's magnet makers keep making for the licensed foreign buyers who pay the world
//! price. Before producers planned on the price they expect to realise, they planned on China's
//! glutted domestic price alone, cut output to home demand and left China's NdFeB exports at 0 t
//! in every replication from December 2025 although licences were approved every week.

mod common;

use common::{chokepoint, stderr};

#[test]
fn licensed_ndfeb_exports_never_stop_for_months_under_the_2025_licensing() {
    let dir = tempfile::tempdir().unwrap();
    let out = chokepoint(&[
        "backtest",
        "scenarios/china_licensing_2025_04.toml",
        "--quiet",
        "--reps",
        "40",
        "--seed",
        "1",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(dir.path().join("backtest.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (target, p50) = (col("target"), col("p50"));
    let months = [
        "2025_06", "2025_07", "2025_08", "2025_09", "2025_10", "2025_11", "2025_12", "2026_01",
        "2026_02", "2026_03",
    ];
    let mut seen = 0;
    for rec in reader.records().map(Result::unwrap) {
        let Some(month) = rec[target].strip_prefix("china_ndfeb_exports_") else {
            continue;
        };
        if months.contains(&month) {
            seen += 1;
            let median: f64 = rec[p50].parse().unwrap();
            assert!(median > 0.0, "{}: p50 {median} t", &rec[target]);
        }
    }
    assert_eq!(
        seen,
        months.len(),
        "every monthly prediction target present:\n{text}"
    );
}
