//! `chokepoint size --scale PATH` end to end on `separator_at_risk` with the lever strategies
//! (a floor's budget, a grant's amount): the answer, the same files at any thread count, risk
//! non-increasing in the value where the model is monotone, the cost in `policy_cost_usd`, and
//! bad input refused (exit 2, nothing run). Small: 10 replications a size, coarse steps.

// Exact comparisons are meant: zero cost where nothing is paid, and identical risks on common
// random numbers where a lever changes nothing.
#![allow(clippy::float_cmp)]

mod common;

use common::{chokepoint, stderr, stdout};

fn json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// `size` of `strategy` on `separator_at_risk`, scaling `path` (10 replications, seed 3).
fn args(out: &std::path::Path, strategy: &str, target: &str, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = [
        "size",
        "scenarios/separator_at_risk.toml",
        "--strategies",
        "scenarios/lever_strategies.toml",
        "--strategy",
        strategy,
        "--target",
        target,
        "--reps",
        "10",
        "--max-reps",
        "10",
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

/// `(value, risk, cost)` of every row of size.csv, sorted by value.
fn rows(csv: &str) -> Vec<(f64, f64, f64)> {
    let mut lines = csv.lines();
    let head: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| head.iter().position(|h| *h == n).unwrap();
    let (risk, cost) = (col("risk"), col("cost_usd"));
    let mut v: Vec<(f64, f64, f64)> = lines
        .map(|l| {
            let c: Vec<f64> = l
                .split(',')
                .map(|x| x.parse().unwrap_or(f64::NAN))
                .collect();
            (c[2], c[risk], c[cost])
        })
        .collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    v
}

#[test]
fn a_floor_budget_is_sized_in_usd_the_same_at_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let target = "mean(lost_output_usd) <= 1.5e7";
    let extra = [
        "--scale",
        "floor.lynas_ndpr.budget_usd",
        "--max",
        "3e8",
        "--step",
        "7.5e7",
        "--resolution",
        "3.75e7",
    ];
    let mut files = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("t{threads}"));
        let mut a = args(&out, "lynas_floor", target, &extra);
        a.extend(["--threads".to_owned(), threads.to_owned()]);
        let o = chokepoint(&a);
        assert!(o.status.success(), "{}", stderr(&o));
        let text = stdout(&o);
        assert!(
            text.contains("Scaling floor.lynas_ndpr.budget_usd (the template's value: 300000000 USD), each size costed by policy_cost_usd"),
            "{text}"
        );
        assert!(
            text.contains("Answer: floor.lynas_ndpr.budget_usd = "),
            "{text}"
        );
        files.push((
            std::fs::read_to_string(out.join("size.csv")).unwrap(),
            std::fs::read(out.join("size.json")).unwrap(),
        ));
        assert_eq!(json(&out.join("manifest.json"))["status"], "complete");
    }
    assert!(
        files[0] == files[1],
        "outputs differ between 1 and 2 threads"
    );
    let csv = &files[0].0;
    assert!(
        csv.starts_with("index,phase,value/floor.lynas_ndpr.budget_usd,replications,risk,"),
        "{csv}"
    );
    let answer: serde_json::Value = serde_json::from_slice(&files[0].1).unwrap();
    assert_eq!(answer["reached"], true, "{answer}");
    assert_eq!(answer["cost_metric"], "policy_cost_usd");
    assert_eq!(answer["scaled"]["unit"], "USD");
    assert_eq!(answer["scaled"]["template"], 3e8);
    let value = answer["answer"]["value"].as_f64().unwrap();
    assert!(value > 0.0 && value <= 3e8, "{answer}");
    assert!(answer["answer"]["risk_hi"].as_f64().unwrap() <= 1.5e7);
    let r = rows(csv);
    // No floor, no cost; a floor never pays more than its budget.
    assert_eq!(r[0].0, 0.0);
    assert_eq!(r[0].2, 0.0);
    for (v, _, c) in &r {
        assert!(
            *c <= *v * (1.0 + 1e-12),
            "cost {c} over the budget {v}: {csv}"
        );
    }
    // A larger budget keeps Lynas alive longer on the same replications: risk never rises.
    assert!(
        r.windows(2).all(|w| w[1].1 <= w[0].1 + 1e-6),
        "risk rises with the floor's budget: {csv}"
    );
    assert!(r.last().unwrap().1 < r[0].1, "{csv}");
}

#[test]
fn a_grant_amount_is_sized_at_the_financing_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("g");
    let o = chokepoint(&args(
        &out,
        "texas_grant",
        "mean(lost_output_usd) <= 2.5e7",
        &[
            "--scale",
            "grant.lynas_texas_construction.amount_usd",
            "--max",
            "2.4e8",
            "--step",
            "3e7",
            "--resolution",
            "1e7",
            "--report",
        ],
    ));
    assert!(o.status.success(), "{}", stderr(&o));
    // The report says what was scaled, in its unit, and the cost metric.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("Sizing grant.lynas_texas_construction.amount_usd")
            && html.contains("grant.lynas_texas_construction.amount_usd (USD)")
            && html.contains("mean policy_cost_usd"),
        "{html}"
    );
    let answer = json(&out.join("size.json"));
    assert_eq!(answer["reached"], true, "{answer}");
    // separator_at_risk.toml: the plant is financed with a grant of at least ~78 M USD
    // ((258e6 - S) x 0.15 / 1.125e6 <= 24), so the answer sits just above it.
    let value = answer["answer"]["value"].as_f64().unwrap();
    assert!((7.5e7..=9e7).contains(&value), "{answer}");
    let csv = std::fs::read_to_string(out.join("size.csv")).unwrap();
    let r = rows(&csv);
    // A grant too small to finance the plant is not paid and changes nothing.
    for (v, risk, cost) in &r {
        if *v < 7.5e7 {
            assert_eq!(*cost, 0.0, "{csv}");
            assert_eq!(*risk, r[0].1, "{csv}");
        } else if *v >= 8e7 {
            assert_eq!(*cost, *v, "{csv}");
        }
    }
    assert!(
        r.windows(2).all(|w| w[1].1 <= w[0].1 + 1e-6),
        "risk rises with the grant: {csv}"
    );
}

#[test]
fn bad_scale_input_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let target = "mean(lost_output_usd) <= 1.5e7";
    for (extra, says) in [
        (vec!["--scale", "grant.0.amount_usd"], "needs --max VALUE"),
        (
            vec![
                "--scale",
                "grant.0.amount_usd",
                "--max",
                "1e8",
                "--item",
                "ndpr",
            ],
            "drop --item",
        ),
        (
            vec![
                "--scale",
                "grant.0.amount_usd",
                "--max",
                "1e8",
                "--max-weeks",
                "4",
            ],
            "give --max VALUE",
        ),
        (vec!["--max", "1e8"], "without --scale give --max-weeks"),
        (
            vec!["--scale", "grant.nope.amount_usd", "--max", "1e8"],
            "(it has: lynas_texas_construction)",
        ),
        (
            vec!["--scale", "grant.0.amount", "--max", "1e8"],
            "no `grant.0.amount`",
        ),
        (
            vec!["--scale", "grant.0.kind", "--max", "1"],
            "is text, not a number",
        ),
        (
            vec![
                "--scale",
                "producer.lynas_malaysia.cash_cost_usd_per_kg",
                "--max",
                "20",
            ],
            "not a key of the strategy's levers",
        ),
        (
            vec!["--scale", "grant.0.amount_usd", "--max", "4e8"],
            "budget_usd = 300000000 is less than its levers' budgets",
        ),
        (
            vec![
                "--scale",
                "grant.0.amount_usd",
                "--max",
                "1e8",
                "--step",
                "0",
            ],
            "--step 0",
        ),
    ] {
        let out = dir.path().join("bad");
        let o = chokepoint(&args(&out, "texas_grant", target, &extra));
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{says}: {}", stderr(&o));
        assert!(!out.join("manifest.json").exists(), "{extra:?}");
    }
}
