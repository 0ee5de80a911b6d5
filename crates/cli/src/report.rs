//! What the terminal shows of the engine's reports: tables of numbers for people.

use std::fmt::Write as _;

use chokepoint_core::TargetRole;
use chokepoint_experiment::{
    BacktestReport, CalibrationReport, CompareReport, MetricRow, RunReport, SweepReport,
};

use crate::table::{self, number};

/// A run's headline: event probabilities with Wilson intervals, then every other metric.
pub fn headline(report: &RunReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "scenario {}  seed {}  replications {}",
        report.scenario, report.seed, report.replications
    );
    let interval = |r: &MetricRow| format!("{} – {}", number(r.ci95_lo), number(r.ci95_hi));
    let events: Vec<Vec<String>> = report
        .rows
        .iter()
        .filter(|r| chokepoint_core::is_event_metric(&r.metric))
        .map(|r| vec![format!("P({})", r.metric), number(r.mean), interval(r)])
        .collect();
    if !events.is_empty() {
        s.push_str(&table::render(
            &["event", "probability", "95% interval (Wilson)"],
            &events,
        ));
        s.push('\n');
    }
    let metrics: Vec<Vec<String>> = report
        .rows
        .iter()
        .filter(|r| !chokepoint_core::is_event_metric(&r.metric))
        .map(|r| {
            vec![
                r.metric.clone(),
                number(r.mean),
                interval(r),
                number(r.p50),
                format!("{} – {}", number(r.p5), number(r.p95)),
            ]
        })
        .collect();
    s.push_str(&table::render(
        &["metric", "mean", "95% CI of mean", "median", "p5 – p95"],
        &metrics,
    ));
    s
}

/// A comparison: a ranking table per scenario, then robustness across scenarios.
pub fn comparison(report: &CompareReport) -> String {
    let mut text = String::new();
    for ranking in &report.rankings {
        let _ = writeln!(
            text,
            "{}: strategies on common random numbers, {} replications each, ranked by {}",
            ranking.scenario, ranking.replications, report.objective
        );
        let rows: Vec<Vec<String>> = ranking
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.rank.to_string(),
                    r.strategy.clone(),
                    number(r.unmet_t),
                    number(r.p_halt),
                    number(r.weeks_to_halt),
                    number(r.lost_output_usd),
                    number(r.cost_usd),
                    r.avoided_per_usd.map_or("–".to_owned(), number),
                    r.vs_baseline.as_ref().map_or("–".to_owned(), |d| {
                        format!(
                            "{} [{} – {}]",
                            number(d.mean_diff),
                            number(d.ci95_lo),
                            number(d.ci95_hi)
                        )
                    }),
                ]
            })
            .collect();
        text.push_str(&table::render(
            &[
                "rank",
                "strategy",
                "unmet magnet t",
                "P(halt)",
                "weeks to halt",
                "lost output USD",
                cost_header(ranking.cost_metric),
                "avoided USD per USD",
                "objective vs baseline [95% paired]",
            ],
            &rows,
        ));
        text.push('\n');
    }
    if let Some(robust) = &report.robustness {
        let _ = writeln!(
            text,
            "Robustness across {} scenarios ({}, lower is better):",
            robust.scenarios, report.objective
        );
        let rows: Vec<Vec<String>> = robust
            .rows
            .iter()
            .map(|r| {
                vec![
                    r.rank.to_string(),
                    r.strategy.clone(),
                    number(r.max_regret),
                    number(r.mean),
                    number(r.worst),
                ]
            })
            .collect();
        text.push_str(&table::render(
            &["rank", "strategy", "max regret", "mean", "worst"],
            &rows,
        ));
        text.push('\n');
    }
    let _ = writeln!(text, "wrote {}", report.out.display());
    text
}

/// A sweep: how many cells, and where the table went.
pub fn sweep(report: &SweepReport) -> String {
    let mut text = format!(
        "sweep of {}: {} cells, {} replications each\nwrote {}\n",
        report.scenario,
        report.cells,
        report.replications,
        report.file.display()
    );
    if let Some(t) = &report.tornado {
        let _ = writeln!(text, "wrote {}", t.display());
    }
    if let Some((f, _)) = &report.sensitivity {
        let _ = writeln!(text, "wrote {}", f.display());
    }
    text
}

/// The ranked sensitivity indices of `metrics` (of the first strategy), one table per metric.
pub fn sensitivity(report: &SweepReport, metrics: &[String]) -> String {
    use chokepoint_experiment::Index;
    let Some((_, rows)) = &report.sensitivity else {
        return String::new();
    };
    let mut text = String::new();
    let range = |lo: f64, hi: f64| format!("{} – {}", table::number(lo), table::number(hi));
    for metric in metrics {
        let mine: Vec<_> = rows
            .iter()
            .filter(|r| r.strategy_index == 0 && &r.metric == metric)
            .collect();
        let Some(first) = mine.first() else { continue };
        let (header, note): (&[&str], String) = match &first.index {
            Index::Sobol {
                variance,
                noise_share,
                ..
            } => (
                &["rank", "input", "S1", "S1 95% CI", "ST", "ST 95% CI"],
                format!(
                    "variance {}, of which replication noise {}",
                    table::number(*variance),
                    percent(*noise_share)
                ),
            ),
            Index::Morris { noise_sd, .. } => (
                &["rank", "input", "mu*", "mu* 95% CI", "mu", "sigma"],
                format!(
                    "replication noise sd of a point {}",
                    table::number(*noise_sd)
                ),
            ),
        };
        let body: Vec<Vec<String>> = mine
            .iter()
            .map(|r| {
                let mut v = vec![r.rank.to_string(), r.param.clone()];
                match &r.index {
                    Index::Sobol { first, total, .. } => v.extend([
                        table::number(first.value),
                        range(first.lo, first.hi),
                        table::number(total.value),
                        range(total.lo, total.hi),
                    ]),
                    Index::Morris {
                        mu, mu_star, sigma, ..
                    } => v.extend([
                        table::number(mu_star.value),
                        range(mu_star.lo, mu_star.hi),
                        table::number(*mu),
                        table::number(*sigma),
                    ]),
                }
                v
            })
            .collect();
        let _ = writeln!(text, "\n{metric} ({note}):");
        text.push_str(&table::render(header, &body));
    }
    text
}

/// A share as a percentage, or "unknown" when it is not a number (one replication).
fn percent(share: f64) -> String {
    if share.is_finite() {
        format!("{:.1} %", 100.0 * share)
    } else {
        "unknown".to_owned()
    }
}

/// A backtest: the fit targets, then the holdout targets in their own block, then the
/// predictions (no observed value) in a third, then how many fit and holdout targets fall inside
/// their band (predictions are not counted: there is nothing to compare them with).
pub fn backtest(report: &BacktestReport) -> String {
    let run = &report.run;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "backtest of {}  seed {}  replications {}",
        run.scenario, run.seed, run.replications
    );
    let header = [
        "target",
        "from",
        "to",
        "historical",
        "p5",
        "p50",
        "p95",
        "unit",
        "inside p5–p95",
        "p50 within tol.",
    ];
    let yes_no = |b: Option<bool>| match b {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    };
    for (role, title) in [
        (TargetRole::Fit, "Fit targets (in sample)"),
        (
            TargetRole::Holdout,
            "Holdout targets (out of sample, never fitted)",
        ),
    ] {
        let rows: Vec<Vec<String>> = report
            .of_role(role)
            .map(|r| {
                vec![
                    r.target.clone(),
                    r.from.to_string(),
                    r.to.to_string(),
                    r.historical.map(number).unwrap_or_default(),
                    number(r.p5),
                    number(r.p50),
                    number(r.p95),
                    r.unit.clone(),
                    yes_no(r.inside_p5_p95).to_owned(),
                    format!(
                        "{} (±{:.0} %)",
                        yes_no(r.p50_within_tolerance),
                        r.tolerance.unwrap_or_default() * 100.0
                    ),
                ]
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(s, "\n{title}:");
        s.push_str(&table::render(&header, &rows));
    }
    let predictions: Vec<Vec<String>> = report
        .of_role(TargetRole::Prediction)
        .map(|r| {
            vec![
                r.target.clone(),
                r.from.to_string(),
                r.to.to_string(),
                number(r.p5),
                number(r.p50),
                number(r.p95),
                r.unit.clone(),
            ]
        })
        .collect();
    if !predictions.is_empty() {
        let _ = writeln!(s, "\nPredictions (no observed value):");
        s.push_str(&table::render(
            &["target", "from", "to", "p5", "p50", "p95", "unit"],
            &predictions,
        ));
    }
    let (inside, all) = report.inside(TargetRole::Fit);
    let (h_inside, h_all) = report.inside(TargetRole::Holdout);
    if all + h_all > 0 {
        let (tol, _) = report.within_tolerance(TargetRole::Fit);
        let (h_tol, _) = report.within_tolerance(TargetRole::Holdout);
        let _ = writeln!(
            s,
            "\n{inside} of {all} fit targets inside their p5–p95 band, {tol} with the median within tolerance; \
             holdout: {h_inside} of {h_all} inside, {h_tol} within tolerance."
        );
    }
    if !predictions.is_empty() {
        let n = predictions.len();
        let _ = writeln!(
            s,
            "{n} prediction{}: no observed value, not counted.",
            if n == 1 { "" } else { "s" }
        );
    }
    s
}

/// A finished calibration: the chosen values, then each target's fit at them.
pub fn calibration(r: &CalibrationReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "calibration {}: {} candidates of {} replications each; chosen candidate {} ({}), loss {}",
        r.name,
        r.candidates,
        r.replications,
        r.chosen.index,
        r.chosen.phase.as_str(),
        number(r.chosen.loss)
    );
    let values: Vec<Vec<String>> = r
        .keys
        .iter()
        .zip(&r.chosen.values)
        .map(|(k, v)| vec![k.clone(), v.to_string()])
        .collect();
    s.push_str(&table::render_left(&["parameter", "chosen value"], &values));
    s.push('\n');
    let fit: Vec<Vec<String>> = r
        .fit
        .iter()
        .map(|f| {
            vec![
                f.target.clone(),
                number(f.historical),
                number(f.p50),
                format!("{} – {}", number(f.p5), number(f.p95)),
                number(f.tolerance),
                number(f.weight),
                number(f.contribution),
            ]
        })
        .collect();
    s.push_str(&table::render(
        &[
            "target",
            "historical",
            "model median",
            "model p5 – p95",
            "tolerance",
            "weight",
            "loss share",
        ],
        &fit,
    ));
    let _ = writeln!(
        s,
        "wrote {0}/calibrated.toml, fit.csv, candidates.csv",
        r.out.display()
    );
    s
}

/// The ranking's cost column header: the cost metric it shows, in words.
fn cost_header(metric: &str) -> &'static str {
    if metric == "policy_cost_usd" {
        "policy cost USD"
    } else {
        "stockpile USD"
    }
}
