//! `chokepoint size` end to end: a small scenario (a 66-week horizon, a few replications), the
//! answer reproducible at any thread count, an unreachable target (exit 3), several items
//! (greedy frontier) and bad input (exit 2, nothing run).

mod common;

use common::{chokepoint, size_args as args, stderr, stdout};

fn json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn size_finds_a_size_and_the_same_files_at_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let target = "mean(lost_output_usd) <= 1.2e10";
    let extra = ["--item", "ndfeb", "--max-weeks", "16", "--resolution", "2"];
    let mut files = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("t{threads}"));
        let mut a = args(&out, target, &extra);
        a.extend(["--threads".to_owned(), threads.to_owned()]);
        let o = chokepoint(&a);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("Answer: ndfeb"), "{}", stdout(&o));
        let answer = json(&out.join("size.json"));
        assert_eq!(answer["reached"], true, "{answer}");
        let weeks = answer["answer"]["weeks"]["ndfeb"].as_f64().unwrap();
        assert!(weeks > 0.0 && weeks <= 16.0, "{answer}");
        assert!(answer["answer"]["risk_hi"].as_f64().unwrap() <= 1.2e10);
        let m = json(&out.join("manifest.json"));
        assert_eq!(m["status"], "complete");
        assert_eq!(m["kind"], "size");
        // The risk curve, drawn under the folder's lock before the manifest said complete.
        let svg = std::fs::read_to_string(out.join("plots/risk_curve.svg")).unwrap();
        assert!(
            svg.contains("ndfeb held") && svg.contains("target: mean"),
            "{svg}"
        );
        assert!(out.join("plots/risk_curve.png").exists());
        files.push((
            std::fs::read(out.join("size.csv")).unwrap(),
            std::fs::read(out.join("size.json")).unwrap(),
        ));
    }
    assert!(
        files[0] == files[1],
        "size.csv or size.json differ between 1 and 2 threads"
    );
    // Every evaluated size is in size.csv, the first at zero weeks.
    let csv = String::from_utf8(files[0].0.clone()).unwrap();
    assert!(csv.starts_with("index,phase,weeks/ndfeb,held_t/ndfeb,replications,risk,risk_lo,risk_hi,bound,decision,cost_usd\n0,bracket,0,0,6,"), "{csv}");
    // Tonnes are the stockpiles' targets: proportional to the weeks held, nothing at zero.
    let per_week: Vec<f64> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|c| c[2].parse::<f64>().unwrap() > 0.0)
        .map(|c| c[3].parse::<f64>().unwrap() / c[2].parse::<f64>().unwrap())
        .collect();
    assert!(!per_week.is_empty(), "{csv}");
    assert!(per_week[0] > 0.0, "{csv}");
    for t in &per_week {
        assert!(
            (t / per_week[0] - 1.0).abs() < 1e-9,
            "tonnes not proportional to weeks: {csv}"
        );
    }
    let answer: serde_json::Value = serde_json::from_slice(&files[0].1).unwrap();
    let (weeks, held) = (
        answer["answer"]["weeks"]["ndfeb"].as_f64().unwrap(),
        answer["answer"]["held_t"]["ndfeb"].as_f64().unwrap(),
    );
    assert!(
        (held - weeks * per_week[0]).abs() <= 1e-9 * held,
        "{answer}"
    );
}

#[test]
fn an_unreachable_target_exits_3_with_the_risk_at_the_largest_size() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("u");
    // Minor rare earths' users halt whatever the magnet stockpile (stockpile_strategies.toml).
    let o = chokepoint(&args(
        &out,
        "P(firm_weeks_halted > 4) <= 0.05",
        &["--item", "ndfeb", "--max-weeks", "4"],
    ));
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("not reachable"), "{}", stderr(&o));
    assert!(stdout(&o).contains("Not reached"), "{}", stdout(&o));
    assert!(stdout(&o).contains("ndfeb 4 weeks"), "{}", stdout(&o));
    let answer = json(&out.join("size.json"));
    assert_eq!(answer["reached"], false);
    assert_eq!(answer["largest_evaluated"]["weeks"]["ndfeb"], 4.0);
    assert_eq!(json(&out.join("manifest.json"))["status"], "complete");
}

#[test]
fn several_items_write_a_greedy_frontier_of_rising_cost() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("g");
    let o = chokepoint(&args(
        &out,
        "mean(lost_output_usd) <= 1e6",
        &["--item", "ndfeb", "--item", "smco", "--max-weeks", "4"],
    ));
    // Unreachable at 4 weeks of both, so every greedy step is on the frontier.
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let frontier = std::fs::read_to_string(out.join("frontier.csv")).unwrap();
    assert!(out.join("plots/frontier.svg").exists());
    let mut lines = frontier.lines();
    assert_eq!(
        lines.next().unwrap(),
        "step,weeks/ndfeb,weeks/smco,held_t/ndfeb,held_t/smco,replications,risk,risk_lo,risk_hi,bound,decision,cost_usd"
    );
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').filter_map(|c| c.parse::<f64>().ok()).collect())
        .collect();
    assert_eq!(rows.len(), 3, "{frontier}");
    assert_eq!((rows[0][1], rows[0][2]), (0.0, 0.0));
    assert_eq!((rows[2][1], rows[2][2]), (4.0, 4.0));
    let cost = |r: &Vec<f64>| *r.last().unwrap();
    assert!(cost(&rows[1]) > cost(&rows[0]) && cost(&rows[2]) > cost(&rows[1]));
}

#[test]
fn bad_input_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    for (target, extra, says) in [
        (
            "P(firm_weeks_halt > 4) <= 0.05",
            vec![],
            "did you mean `firm_weeks_halted`",
        ),
        ("P(any_halt > 0) < 0.05", vec![], "no `<=`"),
        (
            "P(any_halt > 0) <= 0.05",
            vec!["--item", "ndfb"],
            "did you mean `ndfeb`",
        ),
        (
            "P(any_halt > 0) <= 0.05",
            vec!["--max-weeks=-1"],
            "--max-weeks",
        ),
        (
            "P(any_halt > 0) <= 0.05",
            vec!["--weights", "nope=1"],
            "--weights",
        ),
    ] {
        let out = dir.path().join("bad");
        let o = chokepoint(&args(&out, target, &extra));
        assert_eq!(
            o.status.code(),
            Some(2),
            "{target} {extra:?}: {}",
            stderr(&o)
        );
        assert!(stderr(&o).contains(says), "{says}: {}", stderr(&o));
        assert!(!out.join("manifest.json").exists());
    }
    let mut a = args(&dir.path().join("s"), "P(any_halt > 0) <= 0.05", &[]);
    let k = a.iter().position(|x| x == "days60_shortage").unwrap();
    a[k] = "days60_shortag".into();
    let o = chokepoint(&a);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `days60_shortage`"),
        "{}",
        stderr(&o)
    );
}
