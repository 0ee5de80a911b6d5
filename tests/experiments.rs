//! End-to-end tests of `compare` and `sweep`: common random numbers, benchmark suites,
//! kill-and-resume identity, and bad `--param` input.

mod common;

use common::{chokepoint, root, stderr, stdout};
use std::path::Path;
use std::process::{Command, Stdio};

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

fn column(rows: &[Vec<String>], name: &str) -> Vec<f64> {
    let k = rows[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    rows[1..].iter().map(|r| r[k].parse().unwrap()).collect()
}

fn mean_var(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    (
        m,
        x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0),
    )
}

#[test]
fn strategies_run_on_common_random_numbers_so_paired_intervals_are_narrower() {
    let dir = tempfile::tempdir().unwrap();
    let out = chokepoint(&[
        "compare",
        "scenarios/full_embargo.toml",
        "--strategies",
        "scenarios/stockpile_strategies.toml",
        "--baseline",
        "none",
        "--reps",
        "24",
        "--quiet",
        "--set",
        "scenario.horizon_weeks=80",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("rank")
            && text.contains("days60_shortage")
            && text.contains("avoided USD per USD"),
        "{text}"
    );
    // Per-strategy folders hold run's files.
    for f in ["summary.csv", "timeseries.csv", "replications.csv"] {
        assert!(
            dir.path()
                .join("full_embargo/days60_shortage")
                .join(f)
                .exists(),
            "{f}"
        );
    }
    let base = csv_rows(&dir.path().join("full_embargo/none/replications.csv"));
    let strat = csv_rows(
        &dir.path()
            .join("full_embargo/days60_shortage/replications.csv"),
    );
    let (a, b) = (
        column(&strat, "unmet_magnet_t"),
        column(&base, "unmet_magnet_t"),
    );
    let n = a.len() as f64;
    let (_, va) = mean_var(&a);
    let (_, vb) = mean_var(&b);
    let unpaired_se = (va / n + vb / n).sqrt();
    let diffs: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x - y).collect();
    let (_, vd) = mean_var(&diffs);
    let paired_se = (vd / n).sqrt();
    assert!(
        paired_se < 0.5 * unpaired_se,
        "paired {paired_se} vs unpaired {unpaired_se}"
    );
    // comparison.csv carries the paired interval, and the baseline's own difference is 0.
    let cmp = csv_rows(&dir.path().join("comparison.csv"));
    assert_eq!(
        cmp[0].join(","),
        "scenario,strategy,metric,mean,ci95_lo,ci95_hi,p5,p50,p95,diff_vs_baseline,diff_ci95_lo,diff_ci95_hi"
    );
    let row = cmp
        .iter()
        .find(|r| r[1] == "days60_shortage" && r[2] == "unmet_magnet_t")
        .unwrap();
    let (lo, hi): (f64, f64) = (row[10].parse().unwrap(), row[11].parse().unwrap());
    // An unpaired 95 % half-width is at least 2 standard errors (t > 2 for 23 degrees of freedom).
    assert!(
        (hi - lo) / 2.0 < 2.0 * unpaired_se,
        "paired half-width {} vs unpaired se {unpaired_se}",
        (hi - lo) / 2.0
    );
    let base_row = cmp
        .iter()
        .find(|r| r[1] == "none" && r[2] == "unmet_magnet_t")
        .unwrap();
    assert_eq!(base_row[9], "0");
}

#[test]
fn a_benchmark_suite_ranks_strategies_by_maximum_regret() {
    let dir = tempfile::tempdir().unwrap();
    let out = chokepoint(&[
        "compare",
        "scenarios/benchmark_suite.toml",
        "--reps",
        "3",
        "--quiet",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bench = csv_rows(&dir.path().join("benchmark.csv"));
    assert_eq!(
        &bench[0][..5],
        ["strategy", "rank", "max_regret", "mean", "worst"]
    );
    assert_eq!(bench.len(), 6, "five strategies");
    let max_regret = column(&bench, "max_regret");
    assert!(
        max_regret.windows(2).all(|w| w[0] <= w[1]),
        "ranked by max regret: {max_regret:?}"
    );
    for s in [
        "china_licensing_2025_04",
        "list_expansion_2025_10",
        "truce_2025_11",
        "full_embargo",
    ] {
        let r = column(&bench, &format!("regret/{s}"));
        assert!(
            r.iter().all(|v| *v >= 0.0) && r.contains(&0.0),
            "{s}: {r:?}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_sweep_killed_mid_way_resumes_to_the_identical_result() {
    let whole = tempfile::tempdir().unwrap();
    let args = common::sweep_args(whole.path(), 6);
    let out = chokepoint(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.status.success(), "{}", stderr(&out));

    let cut = tempfile::tempdir().unwrap();
    let args = common::sweep_args(cut.path(), 6);
    let mut child = Command::new(env!("CARGO_BIN_EXE_chokepoint"))
        .args(&args)
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let journal = cut.path().join("journal.jsonl");
    // Kill -9 as soon as at least one point is journalled (or the run ends first).
    for _ in 0..2000 {
        if std::fs::read_to_string(&journal).is_ok_and(|j| !j.is_empty())
            || child.try_wait().unwrap().is_some()
        {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
    let journalled = std::fs::read_to_string(&journal).map_or(0, |j| j.lines().count());
    assert!(
        !cut.path().join("sweep.csv").exists() || journalled == 6,
        "no final file from a killed run"
    );

    let mut resume = args.clone();
    resume.extend([
        "--resume".to_owned(),
        cut.path().to_str().unwrap().to_owned(),
    ]);
    let out = chokepoint(&resume.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(whole.path().join("sweep.csv")).unwrap(),
        std::fs::read(cut.path().join("sweep.csv")).unwrap(),
        "resumed sweep differs (journalled before the kill: {journalled})"
    );
}

#[test]
fn resuming_with_a_different_plan_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let args = common::sweep_args(dir.path(), 6);
    assert!(
        chokepoint(&args.iter().map(String::as_str).collect::<Vec<_>>())
            .status
            .success()
    );
    let mut other = args.clone();
    other[9] = "7".into(); // --reps 7
    other.extend([
        "--resume".to_owned(),
        dir.path().to_str().unwrap().to_owned(),
    ]);
    let out = chokepoint(&other.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("holds a different experiment"),
        "{}",
        stderr(&out)
    );
    let again = chokepoint(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(
        stderr(&again).contains("already holds results"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn bad_param_paths_and_ranges_get_clear_errors() {
    let cases: [(&str, &str); 6] = [
        (
            "shock.allied_embargo.duraton_weeks=4:52",
            "did you mean `duration_weeks`",
        ),
        // A shock by a misspelt name: the names it could be (issue 13).
        (
            "shock.allied_embargoo.duration_weeks=4:52",
            "is named `allied_embargoo` (did you mean `allied_embargo`?)",
        ),
        (
            "defaults.manufacturer.cover_weeks=-2:8",
            "-2 is not allowed; expected a number >= 0",
        ),
        ("defaults.manufacturer.cover_weeks=8:2", "LO <= HI"),
        ("defaults.manufacturer.cover_weeks", "is not PATH=LO:HI"),
        (
            "producer.no_such_mine.utilisation=0:1",
            "no entry of `producer` is named `no_such_mine`",
        ),
    ];
    for (param, want) in cases {
        let out = chokepoint(&[
            "sweep",
            "scenarios/full_embargo.toml",
            "--param",
            param,
            "--design",
            "grid:2",
            "--reps",
            "2",
            "--quiet",
        ]);
        assert_eq!(out.status.code(), Some(2), "{param}");
        assert!(stderr(&out).contains(want), "{param}: {}", stderr(&out));
        assert!(!stderr(&out).contains("panicked"));
    }
}

#[test]
fn sweeping_a_whole_number_key_keeps_it_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = chokepoint(&[
        "sweep",
        "scenarios/baseline_2024.toml",
        "--param",
        "scenario.horizon_weeks=20:60",
        "--design",
        "lhs:3",
        "--reps",
        "2",
        "--quiet",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let weeks = column(
        &csv_rows(&dir.path().join("sweep.csv")),
        "scenario.horizon_weeks",
    );
    assert_eq!(weeks.len(), 3);
    assert!(
        weeks
            .iter()
            .all(|w| w.fract() == 0.0 && (20.0..=60.0).contains(w)),
        "{weeks:?}"
    );
}

/// Regression: a journal line cut short by a kill used to swallow the next line written after
/// it on resume; the torn tail is now cut off first.
/// Issue 13: a journal with one digit changed, or from another seed, is refused on resume with
/// the line and the reason, instead of silently mixing into the result.
#[test]
fn a_changed_or_foreign_journal_is_refused_on_resume() {
    let dir = tempfile::tempdir().unwrap();
    let args = common::sweep_args(dir.path(), 6);
    let run = |a: &[String]| chokepoint(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(run(&args).status.success());
    let journal = dir.path().join("journal.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    std::fs::remove_file(dir.path().join("sweep.csv")).unwrap();
    let mut resume = args.clone();
    resume.extend([
        "--resume".to_owned(),
        dir.path().to_str().unwrap().to_owned(),
    ]);
    // One character of the second record changed (records are deflated and base64-encoded,
    // so any change is a changed digit of some number or a broken encoding).
    let second = text.find('\n').unwrap() + 1;
    let line_end = second + text[second..].find('\n').unwrap();
    let at = usize::midpoint(second, line_end);
    let mut bytes = text.clone().into_bytes();
    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
    std::fs::write(&journal, &bytes).unwrap();
    let out = run(&resume);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("journal.jsonl, line 2") && err.contains("checksum"),
        "{err}"
    );
    assert!(
        !dir.path().join("sweep.csv").exists(),
        "nothing finished from a bad journal"
    );
    // Intact records, but of another plan (another seed), put in this folder.
    let other = tempfile::tempdir().unwrap();
    let mut other_args = common::sweep_args(other.path(), 6);
    other_args.extend(["--seed".to_owned(), "99".to_owned()]);
    assert!(run(&other_args).status.success());
    std::fs::copy(other.path().join("journal.jsonl"), &journal).unwrap();
    let out = run(&resume);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("another plan"), "{}", stderr(&out));
    // The untouched journal resumes.
    std::fs::write(&journal, &text).unwrap();
    assert!(run(&resume).status.success());
}

#[test]
fn a_torn_journal_line_is_cut_off_on_resume() {
    let whole = tempfile::tempdir().unwrap();
    let args = common::sweep_args(whole.path(), 6);
    assert!(
        chokepoint(&args.iter().map(String::as_str).collect::<Vec<_>>())
            .status
            .success()
    );
    let torn = tempfile::tempdir().unwrap();
    let args = common::sweep_args(torn.path(), 6);
    assert!(
        chokepoint(&args.iter().map(String::as_str).collect::<Vec<_>>())
            .status
            .success()
    );
    let journal = torn.path().join("journal.jsonl");
    let text = std::fs::read_to_string(&journal).unwrap();
    let first = text.find('\n').unwrap();
    // Keep two whole lines, then half of the third, as a kill during a write leaves it.
    let second = first + 1 + text[first + 1..].find('\n').unwrap();
    let third = second + 1 + text[second + 1..].find('\n').unwrap();
    std::fs::write(&journal, &text[..second + 1 + (third - second) / 2]).unwrap();
    std::fs::remove_file(torn.path().join("sweep.csv")).unwrap();
    let mut resume = args.clone();
    resume.extend([
        "--resume".to_owned(),
        torn.path().to_str().unwrap().to_owned(),
    ]);
    let out = chokepoint(&resume.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(whole.path().join("sweep.csv")).unwrap(),
        std::fs::read(torn.path().join("sweep.csv")).unwrap()
    );
    let lines = std::fs::read_to_string(&journal).unwrap();
    // A record is `<checksum> <plan hash> <compact record>`: one whole line per point, the
    // torn one replaced (the resume above read and verified every line).
    assert_eq!(lines.lines().count(), 6, "{lines}");
    assert!(
        lines.lines().all(|l| l.split(' ').count() == 3
            && l.split(' ').nth(2).is_some_and(|r| r
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)))),
        "every journal line is whole"
    );
}

#[test]
fn a_one_at_a_time_sweep_writes_a_tornado_ranked_by_swing() {
    let dir = tempfile::tempdir().unwrap();
    let out = chokepoint(&[
        "sweep",
        "scenarios/full_embargo.toml",
        "--param",
        "defaults.manufacturer.cover_weeks=2:6",
        "--param",
        "defaults.manufacturer.price_elasticity=0.04:0.06",
        "--design",
        "oat",
        "--reps",
        "4",
        "--quiet",
        "--set",
        "scenario.horizon_weeks=104",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("tornado.csv"), "{}", stdout(&out));
    let text = std::fs::read_to_string(dir.path().join("tornado.csv")).unwrap();
    let rows: Vec<Vec<&str>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let lost: Vec<&Vec<&str>> = rows.iter().filter(|r| r[1] == "lost_output_usd").collect();
    assert_eq!(lost.len(), 2, "one row per parameter: {text}");
    assert_eq!((lost[0][2], lost[1][2]), ("1", "2"));
    let swing = |r: &Vec<&str>| r[9].parse::<f64>().unwrap().abs();
    assert!(
        swing(lost[0]) >= swing(lost[1]),
        "largest swing first: {text}"
    );
    // More inventory cover does not raise lost output: the exporter's glut reads blocked
    // foreign use, not restocking orders, so more cover no longer deepens it.
    let cover_lost = lost
        .iter()
        .find(|r| r[3] == "defaults.manufacturer.cover_weeks")
        .unwrap();
    assert!(cover_lost[9].parse::<f64>().unwrap() <= 0.0, "{text}");
    // Under a year-long embargo, firms holding more inventory cover halt later.
    let halt: Vec<&Vec<&str>> = rows
        .iter()
        .filter(|r| r[1] == "weeks_to_first_halt")
        .collect();
    let cover = halt
        .iter()
        .find(|r| r[3] == "defaults.manufacturer.cover_weeks")
        .unwrap();
    assert!(cover[9].parse::<f64>().unwrap() > 0.0, "{text}");
}
