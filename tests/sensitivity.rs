//! `chokepoint sensitivity`: Sobol and Morris designs over a scenario's uncertain numbers,
//! reproducible at any thread and shard count, and refused with a clear message on bad input.

mod common;

use common::{chokepoint, stderr, stdout};
use std::path::Path;

/// A shorter horizon keeps each replication cheap (the analysis is the same machinery); it
/// must still hold the scenario's last target window (to 2026-03-31).
const SHORT: &str = "scenario.horizon_weeks=66";

fn args(method: &str, size: &str, out: &Path, threads: &str) -> Vec<String> {
    let mut v: Vec<String> = [
        "sensitivity",
        "scenarios/china_licensing_2025_04.toml",
        "--method",
        method,
        "--param",
        "shock.april_regime.approval.default",
        "--param",
        "shock.april_regime.lead_time_weeks.median",
        "--reps",
        "2",
        "--set",
        SHORT,
        "--threads",
        threads,
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]
    .map(str::to_owned)
    .to_vec();
    v.extend(size.split(' ').map(str::to_owned));
    v
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn sobol_indices_are_the_same_at_any_thread_and_shard_count() {
    let tmp = tempfile::tempdir().unwrap();
    let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
    let out = chokepoint(&args("sobol", "--n 4", &one, "1"));
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("unmet_magnet_t (variance") && text.contains("ST 95% CI"),
        "{text}"
    );
    let out = chokepoint(&args("sobol", "--n 4", &two, "2"));
    assert!(out.status.success(), "{}", stderr(&out));
    for f in ["sensitivity.csv", "sweep.csv"] {
        assert_eq!(
            read(&one.join(f)),
            read(&two.join(f)),
            "{f} differs between 1 and 2 threads"
        );
    }
    // 4 base points × (2 inputs + 2) = 16 design points; a row per metric × input.
    let sweep = read(&one.join("sweep.csv"));
    assert_eq!(sweep.lines().count(), 1 + 16);
    let sens = read(&one.join("sensitivity.csv"));
    let mut lines = sens.lines();
    assert_eq!(
        lines.next().unwrap(),
        "method,strategy_index,metric,rank,param,s1,s1_ci95_lo,s1_ci95_hi,st,st_ci95_lo,st_ci95_hi,variance,noise_share"
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len() % 2, 0);
    assert!(rows.iter().all(|r| r.starts_with("sobol,0,")));
    // Shards merge into the same indices (they are computed from the merged results).
    let mut shards = Vec::new();
    for i in 0..2 {
        let dir = tmp.path().join(format!("s{i}"));
        let mut a = args("sobol", "--n 4", &dir, "1");
        a.extend(["--shard".to_owned(), format!("{i}/2")]);
        let out = chokepoint(&a);
        assert!(out.status.success(), "{}", stderr(&out));
        shards.push(dir.to_str().unwrap().to_owned());
    }
    let merged = tmp.path().join("merged");
    let mut m = vec!["merge".to_owned()];
    m.extend(shards);
    m.extend(["--out".to_owned(), merged.to_str().unwrap().to_owned()]);
    let out = chokepoint(&m);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        read(&one.join("sensitivity.csv")),
        read(&merged.join("sensitivity.csv"))
    );
}

#[test]
fn morris_writes_ranked_effects() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("m");
    let mut a = args("morris", "--trajectories 2", &dir, "0");
    a.extend(["--metric".to_owned(), "firm_weeks_halted".to_owned()]);
    let out = chokepoint(&a);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("firm_weeks_halted (replication noise") && text.contains("mu*"),
        "{text}"
    );
    assert!(
        !text.contains("unmet_magnet_t ("),
        "only the metric asked for: {text}"
    );
    let sens = read(&dir.join("sensitivity.csv"));
    assert!(sens.starts_with("method,strategy_index,metric,rank,param,mu,mu_star,"));
    // A chart of the metric shown, none of the others.
    let svg = read(&dir.join("plots/sensitivity_firm_weeks_halted.svg"));
    assert!(svg.contains("What drives firm_weeks_halted") && svg.contains("mu*"));
    assert!(!dir.join("plots/sensitivity_unmet_magnet_t.svg").exists());
    // 2 trajectories × (2 inputs + 1) points.
    assert_eq!(read(&dir.join("sweep.csv")).lines().count(), 1 + 6);
    let ranks: Vec<&str> = sens
        .lines()
        .filter(|l| l.contains(",firm_weeks_halted,"))
        .map(|l| l.split(',').nth(3).unwrap())
        .collect();
    assert_eq!(ranks, ["1", "2"]);
}

#[test]
fn bad_inputs_are_refused_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "--method",
                "sobol",
                "--param",
                "shock.april_regime.approval.defualt",
            ],
            "did you mean",
        ),
        (&["--method", "sobol", "--n", "1"], "2 to 65536 base points"),
        (
            &["--method", "morris", "--trajectories", "1"],
            "at least 2 trajectories",
        ),
        (
            &["--method", "sobol", "--metric", "unmet_magnet"],
            "--metric `unmet_magnet`",
        ),
        (
            &[
                "--method",
                "sobol",
                "--param",
                "defaults.price.elasticity=3:1",
            ],
            "LO <= HI",
        ),
    ];
    for (k, (extra, expect)) in cases.iter().enumerate() {
        let dir = tmp.path().join(k.to_string());
        let mut a = vec![
            "sensitivity".to_owned(),
            "scenarios/china_licensing_2025_04.toml".to_owned(),
            "--reps".to_owned(),
            "1".to_owned(),
            "--quiet".to_owned(),
            "--out".to_owned(),
            dir.to_str().unwrap().to_owned(),
        ];
        a.extend(extra.iter().map(|s| (*s).to_owned()));
        let out = chokepoint(&a);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(expect), "{extra:?}: {}", stderr(&out));
        assert!(!dir.join("sensitivity.csv").exists());
    }
    let out = chokepoint(&[
        "sensitivity",
        "scenarios/baseline_2024.toml",
        "--method",
        "morris",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--param PATH=LO:HI"),
        "{}",
        stderr(&out)
    );
}
