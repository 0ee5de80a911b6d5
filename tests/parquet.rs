//! `--format parquet|both`: every table's Parquet twin holds the CSV's values, carries the
//! manifest, and is byte-identical across thread counts and shard merges; `check --resolved
//! --json` prints the resolved scenario.

mod common;

use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int32Type, Int64Type, UInt64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use common::{chokepoint, stderr, stdout};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::reader::FileReader;

fn ok(args: &[&str]) -> String {
    let out = chokepoint(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

/// Every cell of a Parquet file as the CSV writes it (empty for null).
fn parquet_as_text(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let file = std::fs::File::open(path).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
    let schema = batches[0].schema();
    let header = schema.fields().iter().map(|f| f.name().clone()).collect();
    let mut rows = Vec::new();
    for b in &batches {
        for r in 0..b.num_rows() {
            let row = (0..b.num_columns())
                .map(|c| cell(b.column(c).as_ref(), r))
                .collect();
            rows.push(row);
        }
    }
    (header, rows)
}

fn cell(a: &dyn Array, r: usize) -> String {
    if a.is_null(r) {
        return String::new();
    }
    match a.data_type() {
        DataType::Int64 => a.as_primitive::<Int64Type>().value(r).to_string(),
        DataType::UInt64 => a.as_primitive::<UInt64Type>().value(r).to_string(),
        DataType::Float64 => a.as_primitive::<Float64Type>().value(r).to_string(),
        DataType::Date32 => {
            let days = a.as_primitive::<Date32Type>().value(r);
            (chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()
                + chrono::Duration::days(i64::from(days)))
            .to_string()
        }
        DataType::Boolean => a.as_boolean().value(r).to_string(),
        DataType::Utf8 => a.as_string::<i32>().value(r).to_owned(),
        DataType::Dictionary(_, _) => {
            let d = a.as_dictionary::<Int32Type>();
            let k = usize::try_from(d.keys().value(r)).unwrap();
            d.values().as_string::<i32>().value(k).to_owned()
        }
        other => panic!("unexpected column type {other}"),
    }
}

fn csv_as_text(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// Every `*.parquet` under `dir`, sorted.
fn parquet_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "parquet") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Each Parquet file under `dir` holds exactly its CSV's cells and the manifest; returns how many.
fn assert_twins(dir: &Path) -> usize {
    let files = parquet_files(dir);
    for pq in &files {
        let csv = pq.with_extension("csv");
        let (ph, prows) = parquet_as_text(pq);
        let (ch, crows) = csv_as_text(&csv);
        assert_eq!(ph, ch, "{}: columns", pq.display());
        assert_eq!(prows.len(), crows.len(), "{}: rows", pq.display());
        for (p, c) in prows.iter().zip(&crows) {
            for (a, b) in p.iter().zip(c) {
                // The same number may be written `0` or `0.0`: compare numbers by their bits.
                let same = a == b
                    || matches!((a.parse::<f64>(), b.parse::<f64>()),
                        (Ok(x), Ok(y)) if x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()));
                assert!(same, "{}: {a} != CSV {b}", pq.display());
            }
        }
        let reader = parquet::file::serialized_reader::SerializedFileReader::new(
            std::fs::File::open(pq).unwrap(),
        )
        .unwrap();
        let kv = reader
            .metadata()
            .file_metadata()
            .key_value_metadata()
            .cloned()
            .unwrap_or_default();
        let manifest = kv
            .iter()
            .find(|k| k.key == "chokepoint.manifest")
            .and_then(|k| k.value.clone())
            .unwrap_or_else(|| panic!("{}: no chokepoint.manifest", pq.display()));
        let m: serde_json::Value = serde_json::from_str(&manifest).unwrap();
        assert!(
            m["plan_sha256"].as_str().is_some_and(|h| h.len() == 64),
            "{m}"
        );
    }
    files.len()
}

fn same_parquet(a: &Path, b: &Path) -> usize {
    let fa = parquet_files(a);
    assert!(!fa.is_empty());
    for p in &fa {
        let rel = p.strip_prefix(a).unwrap();
        assert!(
            std::fs::read(p).unwrap() == std::fs::read(b.join(rel)).unwrap_or_default(),
            "{} differs",
            rel.display()
        );
    }
    fa.len()
}

#[test]
fn a_run_in_both_formats_has_twin_tables_identical_across_thread_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let one = tmp.path().join("one");
    let three = tmp.path().join("three");
    let base = [
        "run",
        "scenarios/baseline_2024.toml",
        "--reps",
        "6",
        "--set",
        "scenario.horizon_weeks=20",
        "--quiet",
        "--format",
        "both",
    ];
    for (dir, threads) in [(&one, "1"), (&three, "3")] {
        let mut args = base.to_vec();
        args.extend(["--threads", threads, "--out", dir.to_str().unwrap()]);
        ok(&args);
    }
    assert_eq!(assert_twins(&one), 3, "summary, timeseries, replications");
    assert_eq!(same_parquet(&one, &three), 3);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(one.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["format"], "both");
    // Types a reader expects: dates, integers, dictionary-encoded names.
    let file = std::fs::File::open(one.join("timeseries.parquet")).unwrap();
    let schema = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .schema()
        .clone();
    assert_eq!(schema.field(0).data_type(), &DataType::Int64);
    assert_eq!(schema.field(1).data_type(), &DataType::Date32);
    assert!(matches!(
        schema.field(2).data_type(),
        DataType::Dictionary(..)
    ));
    assert_eq!(schema.field(3).data_type(), &DataType::Float64);
}

#[test]
fn a_parquet_comparison_in_shards_merges_to_the_same_bytes_and_writes_no_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let base = [
        "compare",
        "scenarios/full_embargo.toml",
        "--strategies",
        "scenarios/stockpile_strategies.toml",
        "--reps",
        "4",
        "--set",
        "scenario.horizon_weeks=66",
        "--quiet",
        "--format",
        "parquet",
    ];
    let single = tmp.path().join("single");
    let mut args = base.to_vec();
    args.extend(["--out", single.to_str().unwrap()]);
    ok(&args);
    let shards: Vec<PathBuf> = (0..2).map(|i| tmp.path().join(format!("s{i}"))).collect();
    for (i, d) in shards.iter().enumerate() {
        let shard = format!("{i}/2");
        let mut args = base.to_vec();
        args.extend(["--shard", &shard, "--out", d.to_str().unwrap()]);
        ok(&args);
    }
    let merged = tmp.path().join("merged");
    ok(&[
        "merge",
        shards[0].to_str().unwrap(),
        shards[1].to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]);
    assert!(same_parquet(&single, &merged) > 3);
    assert!(single.join("comparison.parquet").exists());
    let csvs: Vec<_> = walk_names(&merged)
        .into_iter()
        .filter(|n| {
            std::path::Path::new(n)
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
        })
        .collect();
    assert!(csvs.is_empty(), "no CSV with --format parquet: {csvs:?}");
}

fn walk_names(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.file_name().unwrap().to_string_lossy().into_owned());
            }
        }
    }
    out
}

#[test]
fn a_sweep_in_both_formats_has_a_twin_sweep_table() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    ok(&[
        "sweep",
        "scenarios/full_embargo.toml",
        "--param",
        "shock.allied_embargo.duration_weeks=4:40",
        "--design",
        "oat",
        "--reps",
        "3",
        "--set",
        "scenario.horizon_weeks=66",
        "--quiet",
        "--format",
        "both",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(assert_twins(&out), 2, "sweep and tornado");
}

#[test]
fn parquet_alone_with_a_report_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = chokepoint(&[
        "run",
        "scenarios/baseline_2024.toml",
        "--format",
        "parquet",
        "--report",
        "--out",
        tmp.path().join("x").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--format both"), "{}", stderr(&out));
    let bad = chokepoint(&["run", "scenarios/baseline_2024.toml", "--format", "xlsx"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("csv, parquet or both"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn check_resolved_json_prints_the_resolved_scenario_with_overrides() {
    let text = ok(&[
        "check",
        "scenarios/baseline_2024.toml",
        "--resolved",
        "--json",
        "--set",
        "scenario.horizon_weeks=33",
    ]);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["scenario"]["horizon_weeks"], 33);
    // `extends` is resolved: the behavioural parameters of scenarios/common are inline.
    assert!(
        v.get("extends").is_none(),
        "{}",
        &text[..200.min(text.len())]
    );
    assert!(v["scenario"]["start"].is_string(), "dates are text");
    // Without --json: the same scenario as TOML, as the manifest records it.
    let toml_text = ok(&["check", "scenarios/baseline_2024.toml", "--resolved"]);
    assert!(toml_text.parse::<toml::Table>().is_ok());
    // --json needs --resolved.
    let out = chokepoint(&["check", "scenarios/baseline_2024.toml", "--json"]);
    assert_eq!(out.status.code(), Some(2));
}
