//! Shards merge to exactly what one machine produces, for run, compare and sweep.

mod common;

use common::{chokepoint, root};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn ok(args: &[String]) {
    let out = chokepoint(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn strings(a: &[&str]) -> Vec<String> {
    a.iter().map(|s| (*s).to_owned()).collect()
}

fn with(base: &[String], extra: &[&str]) -> Vec<String> {
    let mut v = base.to_vec();
    v.extend(extra.iter().map(|s| (*s).to_owned()));
    v
}

/// Every file under `a` except manifests and journals is byte-identical in `b`.
fn assert_same_files(a: &Path, b: &Path) -> usize {
    let mut n = 0;
    let mut stack = vec![a.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if name == "manifest.json" || name == "journal.jsonl" {
                continue;
            }
            let rel = p.strip_prefix(a).unwrap();
            assert!(
                std::fs::read(&p).unwrap() == std::fs::read(b.join(rel)).unwrap_or_default(),
                "{} differs",
                rel.display()
            );
            n += 1;
        }
    }
    n
}

/// Manifests agree but for times and thread counts.
fn assert_same_manifest(a: &Path, b: &Path) {
    let load = |d: &Path| {
        let mut v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(d.join("manifest.json")).unwrap()).unwrap();
        for k in ["started_at", "finished_at", "threads"] {
            v.as_object_mut().unwrap().remove(k);
        }
        v
    };
    assert_eq!(load(a), load(b));
}

fn shard_and_merge(base: &[String], n: usize, tmp: &Path) -> PathBuf {
    let dirs: Vec<PathBuf> = (0..n).map(|i| tmp.join(format!("shard{i}"))).collect();
    for (i, d) in dirs.iter().enumerate() {
        ok(&with(
            base,
            &["--shard", &format!("{i}/{n}"), "--out", d.to_str().unwrap()],
        ));
    }
    let merged = tmp.join("merged");
    let mut args = strings(&["merge"]);
    args.extend(dirs.iter().map(|d| d.to_str().unwrap().to_owned()));
    args.extend(strings(&["--out", merged.to_str().unwrap()]));
    ok(&args);
    merged
}

#[test]
fn a_run_split_in_three_shards_merges_to_the_single_run() {
    let tmp = tempfile::tempdir().unwrap();
    let base = strings(&[
        "run",
        "scenarios/baseline_2024.toml",
        "--reps",
        "14",
        "--batch",
        "4",
        "--set",
        "scenario.horizon_weeks=40",
        "--quiet",
    ]);
    let single = tmp.path().join("single");
    ok(&with(&base, &["--out", single.to_str().unwrap()]));
    let merged = shard_and_merge(&base, 3, tmp.path());
    assert_eq!(assert_same_files(&single, &merged), 4);
    assert_same_manifest(&single, &merged);
}

#[test]
fn a_comparison_split_in_four_shards_merges_to_the_single_comparison() {
    let tmp = tempfile::tempdir().unwrap();
    let base = strings(&[
        "compare",
        "scenarios/full_embargo.toml",
        "--strategies",
        "scenarios/stockpile_strategies.toml",
        "--reps",
        "5",
        "--set",
        // 66 weeks from 6 Jan 2025 hold the scenario's prediction targets (to 31 Mar 2026).
        "scenario.horizon_weeks=66",
        "--quiet",
    ]);
    let single = tmp.path().join("single");
    ok(&with(&base, &["--out", single.to_str().unwrap()]));
    let merged = shard_and_merge(&base, 4, tmp.path());
    assert!(
        assert_same_files(&single, &merged) > 20,
        "comparison.csv and every strategy's files"
    );
    assert_same_manifest(&single, &merged);
}

#[test]
fn a_sweep_split_in_two_shards_one_killed_and_resumed_merges_to_the_single_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let base = strings(&[
        "sweep",
        "scenarios/full_embargo.toml",
        "--param",
        "shock.allied_embargo.duration_weeks=4:40",
        "--design",
        "grid:4",
        "--reps",
        "6",
        "--threads",
        "1",
        "--quiet",
    ]);
    let single = tmp.path().join("single");
    ok(&with(&base, &["--out", single.to_str().unwrap()]));
    // Shard 1 is killed once it has journalled something, then resumed.
    let s0 = tmp.path().join("s0");
    let s1 = tmp.path().join("s1");
    ok(&with(
        &base,
        &["--shard", "0/2", "--out", s0.to_str().unwrap()],
    ));
    let args = with(&base, &["--shard", "1/2", "--out", s1.to_str().unwrap()]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_chokepoint"))
        .args(&args)
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..2000 {
        if std::fs::read_to_string(s1.join("journal.jsonl")).is_ok_and(|j| !j.is_empty())
            || child.try_wait().unwrap().is_some()
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
    let resumed = with(&base, &["--shard", "1/2", "--resume", s1.to_str().unwrap()]);
    ok(&resumed);
    let merged = tmp.path().join("merged");
    ok(&strings(&[
        "merge",
        s0.to_str().unwrap(),
        s1.to_str().unwrap(),
        "--out",
        merged.to_str().unwrap(),
    ]));
    assert_eq!(
        std::fs::read(single.join("sweep.csv")).unwrap(),
        std::fs::read(merged.join("sweep.csv")).unwrap()
    );
    assert_same_manifest(&single, &merged);
}

/// A 4-replication run of `baseline_2024` (20 weeks) as two shards in `tmp/s0`, `tmp/s1`; returns
/// its arguments and `folders` folder names `tmp/s{i}` (those past the first two not yet written).
fn two_small_shards(tmp: &Path, folders: usize) -> (Vec<String>, Vec<String>) {
    let base = strings(&[
        "run",
        "scenarios/baseline_2024.toml",
        "--reps",
        "4",
        "--set",
        "scenario.horizon_weeks=20",
        "--quiet",
    ]);
    let d: Vec<String> = (0..folders)
        .map(|i| tmp.join(format!("s{i}")).to_str().unwrap().to_owned())
        .collect();
    for (i, dir) in d.iter().enumerate().take(2) {
        ok(&with(&base, &["--shard", &format!("{i}/2"), "--out", dir]));
    }
    (base, d)
}

#[test]
fn merge_refuses_missing_duplicate_foreign_and_unfinished_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let (base, d) = two_small_shards(tmp.path(), 3);
    // A shard of another plan (different seed).
    ok(&with(
        &base,
        &["--seed", "99", "--shard", "0/2", "--out", &d[2]],
    ));
    let out = |dirs: &[&str], name: &str| {
        let mut a = strings(&["merge"]);
        a.extend(dirs.iter().map(|s| (*s).to_owned()));
        a.extend(strings(&["--out", tmp.path().join(name).to_str().unwrap()]));
        let o = chokepoint(&a);
        assert_eq!(o.status.code(), Some(2), "{dirs:?}");
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    assert!(out(&[&d[0]], "m1").contains("missing shard(s) 1/2"));
    assert!(out(&[&d[0], &d[0], &d[1]], "m2").contains("shard 0/2 is given twice"));
    assert!(out(&[&d[0], &d[2]], "m3").contains("belongs to another plan"));
    // An unfinished shard: its manifest still says running.
    let m = std::path::Path::new(&d[1]).join("manifest.json");
    let text = std::fs::read_to_string(&m)
        .unwrap()
        .replace("\"complete\"", "\"running\"");
    std::fs::write(&m, text).unwrap();
    assert!(out(&[&d[0], &d[1]], "m4").contains("is not finished"));
    // A plain run's folder (issue 13: it said "missing field `kind`").
    let plain = tmp.path().join("plain");
    ok(&with(&base, &["--out", plain.to_str().unwrap()]));
    let said = out(&[plain.to_str().unwrap()], "m5");
    assert!(said.contains("the folder of a plain `run`"), "{said}");
    assert!(!said.contains("missing field"), "{said}");
    // A shard folder that is not there, or holds no manifest: input errors (exit 2), named.
    let nowhere = tmp.path().join("nowhere");
    let said = out(&[&d[0], nowhere.to_str().unwrap()], "m6");
    assert!(said.contains("nowhere: no such folder"), "{said}");
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let said = out(&[&d[0], empty.to_str().unwrap()], "m7");
    assert!(said.contains("holds no manifest.json"), "{said}");
    assert!(!said.contains("os error"), "{said}");
}

#[cfg(target_os = "linux")]
#[test]
fn merge_reports_a_stale_lock_it_takes_over() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, d) = two_small_shards(tmp.path(), 2);
    let merged = tmp.path().join("merged");
    std::fs::create_dir(&merged).unwrap();
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let lock =
        serde_json::json!({ "pid": pid, "host": host.trim(), "since": "2025-01-01T00:00:00Z" });
    std::fs::write(merged.join(".chokepoint.lock"), lock.to_string()).unwrap();
    let o = chokepoint(&strings(&[
        "merge",
        &d[0],
        &d[1],
        "--out",
        merged.to_str().unwrap(),
    ]));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains(&format!("took over a stale lock of process {pid}")),
        "{err}"
    );
}

#[test]
fn bad_shard_flags_are_refused() {
    let base = strings(&[
        "run",
        "scenarios/baseline_2024.toml",
        "--reps",
        "4",
        "--quiet",
    ]);
    for (flag, want) in [
        ("4/4", "from 0 to N-1"),
        ("a/b", "whole numbers"),
        ("3", "is not I/N"),
    ] {
        let o = chokepoint(&with(&base, &["--shard", flag]));
        assert_eq!(o.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains(want),
            "{flag}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let o = chokepoint(&with(
        &base,
        &["--shard", "0/2", "--target-ci", "exports_t=10"],
    ));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot be sharded"));
}
