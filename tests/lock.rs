//! Folder ownership, signals and exit codes, end to end with the real binary: a second process
//! on a folder is refused, a stale lock is taken over, `run` does not write into a non-empty
//! folder unless `--force`, and SIGINT / SIGTERM stop at a batch boundary with exit 130 / 143,
//! leaving a manifest that says `interrupted` and, for a journalled experiment, the command that
//! resumes it to byte-identical files.

mod common;

use common::{chokepoint, root, stderr};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const LOCK: &str = ".chokepoint.lock";

fn run_args(out: &Path, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = [
        "run",
        "scenarios/baseline_2024.toml",
        "--quiet",
        "--set",
        "scenario.horizon_weeks=52",
        "--out",
    ]
    .map(str::to_owned)
    .to_vec();
    a.push(out.to_str().unwrap().to_owned());
    a.extend(extra.iter().map(|s| (*s).to_owned()));
    a
}

/// A run long enough to be interrupted: 100 000 replications of 4 at a time on one thread.
fn spawn_long_run(out: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_chokepoint"))
        .args(run_args(
            out,
            &["--reps", "100000", "--batch", "4", "--threads", "1"],
        ))
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn wait_for(path: &Path) {
    for _ in 0..400 {
        if path.exists() {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("{} never appeared", path.display());
}

fn kill(child: &Child, signal: &str) {
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

#[cfg(unix)]
#[test]
fn a_second_process_on_a_busy_folder_is_refused_and_the_first_finishes_intact() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("busy");
    let first = spawn_long_run(&out);
    wait_for(&out.join("manifest.json"));
    std::thread::sleep(Duration::from_millis(500));
    let second = chokepoint(&run_args(&out, &["--reps", "4"]));
    assert_eq!(second.status.code(), Some(1), "{}", stderr(&second));
    let err = stderr(&second);
    assert!(
        err.contains(&format!("in use by process {}", first.id())) && err.contains(" since "),
        "{err}"
    );
    // The refused process wrote nothing: the manifest is still the first's, running.
    assert_eq!(manifest(&out)["status"], "running");
    assert_eq!(manifest(&out)["replications_requested"], 100_000);
    kill(&first, "-TERM");
    let done = first.wait_with_output().unwrap();
    assert_eq!(done.status.code(), Some(143), "{}", stderr(&done));
    let m = manifest(&out);
    assert_eq!(m["status"], "interrupted");
    let n = m["replications"].as_u64().unwrap();
    assert!(n.is_multiple_of(4) && n < 100_000, "{n}");
    let reps = std::fs::read_to_string(out.join("replications.csv")).unwrap();
    assert_eq!(reps.lines().count() as u64, n + 1, "whole batches only");
    assert!(
        m["rerun_command"].as_str().unwrap().contains("--force"),
        "{m}"
    );
    assert!(!out.join(LOCK).exists(), "the lock goes with the process");
}

fn host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_default()
}

#[cfg(target_os = "linux")]
#[test]
fn a_stale_lock_is_reported_and_taken_over() {
    let dir = tempfile::tempdir().unwrap();
    // A pid that is certainly gone: a child that has exited and been reaped.
    let mut gone = Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    let lock = serde_json::json!({ "pid": pid, "host": host(), "since": "2025-01-01T00:00:00Z" });
    std::fs::write(dir.path().join(LOCK), lock.to_string()).unwrap();
    let out = chokepoint(&run_args(dir.path(), &["--reps", "4"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("took over a stale lock of process {pid}")),
        "{err}"
    );
    assert_eq!(manifest(dir.path())["status"], "complete");
    assert!(!dir.path().join(LOCK).exists());

    // A live holder on this host is not stale.
    let lock = serde_json::json!({ "pid": std::process::id(), "host": host(), "since": "x" });
    let busy = tempfile::tempdir().unwrap();
    std::fs::write(busy.path().join(LOCK), lock.to_string()).unwrap();
    let out = chokepoint(&run_args(busy.path(), &["--reps", "4"]));
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!busy.path().join("manifest.json").exists());
}

#[test]
fn run_refuses_a_non_empty_folder_unless_force_which_replaces_the_old_results() {
    let dir = tempfile::tempdir().unwrap();
    let out = chokepoint(&run_args(dir.path(), &["--reps", "4", "--seed", "1"]));
    assert!(out.status.success(), "{}", stderr(&out));
    let before = std::fs::read(dir.path().join("replications.csv")).unwrap();
    // A file only the old output has: --force must not leave it mixed with the new results.
    std::fs::write(dir.path().join("backtest.csv"), "old").unwrap();

    let again = chokepoint(&run_args(dir.path(), &["--reps", "4", "--seed", "2"]));
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(stderr(&again).contains("already holds results"));
    assert_eq!(
        std::fs::read(dir.path().join("replications.csv")).unwrap(),
        before
    );

    let forced = chokepoint(&run_args(
        dir.path(),
        &["--reps", "4", "--seed", "2", "--force"],
    ));
    assert!(forced.status.success(), "{}", stderr(&forced));
    assert_eq!(manifest(dir.path())["seed"], 2);
    assert_ne!(
        std::fs::read(dir.path().join("replications.csv")).unwrap(),
        before
    );
    assert!(!dir.path().join("backtest.csv").exists());

    // A folder chokepoint did not write is never emptied, with or without --force.
    let mine = tempfile::tempdir().unwrap();
    std::fs::write(mine.path().join("thesis.tex"), "mine").unwrap();
    for extra in [&["--reps", "4"][..], &["--reps", "4", "--force"]] {
        let o = chokepoint(&run_args(mine.path(), extra));
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(stderr(&o).contains("thesis.tex"), "{}", stderr(&o));
    }
    assert!(mine.path().join("thesis.tex").exists());
}

#[test]
fn a_validation_failure_leaves_no_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("never");
    let o = chokepoint(&run_args(
        &out,
        &["--reps", "4", "--set", "scenario.horizon_weeks=-3"],
    ));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!out.exists());
    // A bad --objective is refused before any cell runs (it used to be checked after all of
    // them, leaving a folder behind): no folder, and the close name suggested.
    let o = chokepoint(&[
        "compare",
        "scenarios/full_embargo.toml",
        "--strategies",
        "scenarios/stockpile_strategies.toml",
        "--baseline",
        "none",
        "--reps",
        "2",
        "--quiet",
        "--set",
        "scenario.horizon_weeks=80",
        "--objective",
        "no_such_metric",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is not a metric"), "{}", stderr(&o));
    assert!(!out.exists(), "no folder for a refused objective");
}

/// Every file under `dir` but the manifest and journal, by relative path.
fn result_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if !["manifest.json", "journal.jsonl"]
                .contains(&p.file_name().unwrap().to_str().unwrap())
            {
                files.push((
                    p.strip_prefix(dir).unwrap().to_owned(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    files.sort();
    files
}

#[cfg(unix)]
#[test]
fn sigterm_mid_sweep_exits_143_and_its_resume_command_gives_identical_files() {
    let whole = tempfile::tempdir().unwrap();
    let o = chokepoint(&common::sweep_args(whole.path(), 8));
    assert!(o.status.success(), "{}", stderr(&o));

    let cut = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_chokepoint"))
        .args(common::sweep_args(cut.path(), 8))
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Mid-way: once at least one point is journalled (a point takes a fraction of a second).
    let journal = cut.path().join("journal.jsonl");
    for _ in 0..2000 {
        if std::fs::read_to_string(&journal).is_ok_and(|j| !j.is_empty()) {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    kill(&child, "-TERM");
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(143), "{}", stderr(&o));
    let m = manifest(cut.path());
    assert_eq!(m["status"], "interrupted", "{m}");
    let resume = m["resume_command"].as_str().unwrap().to_owned();
    assert!(stderr(&o).contains(&resume), "{}", stderr(&o));
    assert!(!cut.path().join("sweep.csv").exists());
    let journalled = std::fs::read_to_string(&journal).unwrap().lines().count();
    assert!(
        (1..8).contains(&journalled),
        "{journalled} of 8 points journalled"
    );

    let words: Vec<&str> = resume.split(' ').collect();
    assert_eq!(words[0], "chokepoint");
    let o = chokepoint(&words[1..]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(manifest(cut.path())["status"], "complete");
    let (a, b) = (result_files(whole.path()), result_files(cut.path()));
    assert!(a.iter().any(|(p, _)| p == Path::new("sweep.csv")));
    assert_eq!(a.len(), b.len());
    for ((pa, fa), (pb, fb)) in a.iter().zip(&b) {
        assert_eq!(pa, pb);
        assert!(
            fa == fb,
            "{} differs after SIGTERM and resume",
            pa.display()
        );
    }
}

#[cfg(unix)]
#[test]
fn sigint_exits_130_with_the_manifest_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let child = spawn_long_run(dir.path());
    wait_for(&dir.path().join("manifest.json"));
    kill(&child, "-INT");
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert_eq!(manifest(dir.path())["status"], "interrupted");
}

/// Issue 13: result files used to be created 0600 (temporary files' mode); they follow the
/// umask like any file a program creates, so a group can read a shared project folder.
#[cfg(unix)]
#[test]
fn result_files_follow_the_umask() {
    use std::os::unix::fs::PermissionsExt as _;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 002; exec '{}' run scenarios/baseline_2024.toml --reps 2 --quiet --out '{}'",
            env!("CARGO_BIN_EXE_chokepoint"),
            out.display()
        ))
        .current_dir(root())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    for name in [
        "manifest.json",
        "summary.csv",
        "replications.csv",
        "timeseries.csv",
    ] {
        let mode = std::fs::metadata(out.join(name))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o664, "{name}: {mode:o}");
    }
}

/// Issue 13: an error after the folder was written to leaves its manifest `failed` (exit 1),
/// not `running`. Here the final `sweep.csv` cannot be moved into place (a folder is in the way)
/// when a finished sweep is resumed.
#[test]
fn a_failure_while_finishing_marks_the_manifest_failed() {
    let dir = tempfile::tempdir().unwrap();
    let args = common::sweep_args(dir.path(), 2);
    let run = |a: &[String]| chokepoint(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(run(&args).status.success());
    std::fs::remove_file(dir.path().join("sweep.csv")).unwrap();
    std::fs::create_dir(dir.path().join("sweep.csv")).unwrap();
    std::fs::write(dir.path().join("sweep.csv").join("x"), "in the way").unwrap();
    let mut resume = args.clone();
    resume.extend([
        "--resume".to_owned(),
        dir.path().to_str().unwrap().to_owned(),
    ]);
    let o = run(&resume);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("sweep.csv"), "{err}");
    assert_eq!(manifest(dir.path())["status"], "failed");
    assert!(!dir.path().join(LOCK).exists());
}

/// Issue 13: a second signal aborts at once and marks the manifest `interrupted`, also when
/// the command named no `--out` and wrote into its default `runs/<name>-<time>/` folder (a
/// backtest here), which the signal handler used not to know.
#[cfg(unix)]
#[test]
fn a_second_signal_marks_the_default_folder_of_a_backtest_interrupted() {
    let cwd = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/japan_halt_2010.toml");
    let child = Command::new(env!("CARGO_BIN_EXE_chokepoint"))
        .arg("backtest")
        .arg(&scenario)
        .args([
            "--reps",
            "100000",
            "--batch",
            "100000",
            "--threads",
            "1",
            "--quiet",
        ])
        .current_dir(cwd.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let runs = cwd.path().join("runs");
    wait_for(&runs);
    let folder = loop {
        if let Some(Ok(e)) = std::fs::read_dir(&runs).unwrap().next() {
            break e.path();
        }
        std::thread::sleep(Duration::from_millis(25));
    };
    wait_for(&folder.join("manifest.json"));
    // Two different signals (two of one kind may merge into one while pending), back to back:
    // the second arrives long before the current replication ends, so it aborts.
    let both = Command::new("sh")
        .arg("-c")
        .arg(format!("kill -INT {0}; kill -TERM {0}", child.id()))
        .status()
        .unwrap();
    assert!(both.success());
    let o = child.wait_with_output().unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(130), "{err}");
    assert!(err.contains("aborted by a second SIGTERM"), "{err}");
    assert_eq!(manifest(&folder)["status"], "interrupted", "{err}");
    assert!(!folder.join(LOCK).exists());
}
