//! The search for the smallest stockpile meeting a risk target, on a noisy, (near-)monotone
//! non-increasing risk.
//!
//! Every size is judged by a **sequential test**: its replications (always run ids `0..n`, the
//! same for every size: common random numbers) give the risk with one-sided bounds at the
//! confidence level; the size *meets* the target when the upper bound is at or under it,
//! *fails* when the lower bound is above it, and is *unsure* otherwise, in which case the
//! replications are doubled up to a cap. A size still unsure at the cap counts as not meeting
//! (the answer errs towards holding more).
//!
//! - One item: **bracket, then bisect**. Size 0 first; then `first`, `2·first`, `4·first`, ...
//!   up to the largest size allowed, until one meets; then bisection between the largest size
//!   that did not meet and the smallest that did, on a grid of `resolution` weeks. The answer
//!   is the smallest size that met; the interval below it is the largest size known to fail.
//! - Several items: **greedy by marginal risk reduction per dollar**. From zero, each step
//!   tries one increment of each item (on the base replications, paired), keeps the one with
//!   the largest fall in risk per extra USD of stockpile cost, and tests it; it stops when the
//!   target is met. Its steps are the trade-off frontier. Greedy is not optimal: an item that
//!   helps only in combination with another, or only after several increments, is not seen.

use serde::{Deserialize, Serialize};

use super::error::SizeError;
use super::target::{Bounds, Target};

/// One judged point: the risk statistic at a size.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Judged {
    /// The combined statistic (worst case or weighted over scenarios).
    pub risk: Bounds,
    /// Per scenario, in order.
    pub per_scenario: Vec<Bounds>,
    /// Mean stockpile cost, USD (weighted over scenarios like the risk).
    pub cost_usd: f64,
    /// Per sized item, the tonnes the strategy's stockpiles aim to hold at this size (their
    /// targets: weeks of use × the covered use at base), weighted over scenarios like the cost.
    pub held_t: Vec<f64>,
}

/// What the sequential test decided about a size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// The upper bound is at or under the target.
    Meets,
    /// The lower bound is above the target.
    Fails,
    /// Neither, at the replication cap.
    Unsure,
}

impl Decision {
    /// As written in tables.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Meets => "meets",
            Decision::Fails => "fails",
            Decision::Unsure => "unsure",
        }
    }
}

/// A size that was evaluated: a row of `size.csv`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluated {
    /// In evaluation order, from 0.
    pub index: usize,
    /// `bracket`, `bisect`, `greedy` or `candidate` (a greedy step's trial).
    pub phase: &'static str,
    /// Weeks of use held, per sized item (in the order of the items).
    pub weeks: Vec<f64>,
    /// Replications it was judged on.
    pub replications: u64,
    /// The risk, its bounds and cost.
    pub judged: Judged,
    /// What the test decided (`Unsure` for greedy trials, which are not tested).
    pub decision: Decision,
}

/// Evaluates sizes: runs (or reuses) replications `0..reps` at `weeks` and judges them.
pub(crate) trait Oracle {
    /// The judged risk at `weeks` on the first `reps` replications.
    fn judge(&mut self, weeks: &[f64], reps: u64) -> Result<Judged, SizeError>;
}

/// How the search runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchConfig {
    /// Replications a size is first judged on.
    pub replications: u64,
    /// Most replications a size is judged on (doubling while unsure).
    pub max_replications: u64,
    /// Largest size, weeks of use.
    pub max_weeks: f64,
    /// Sizes costing more than this (mean stockpile cost, USD) are not allowed.
    pub budget_usd: Option<f64>,
    /// The first bracketing size, and the greedy increment, in weeks.
    pub step_weeks: f64,
    /// Bisection stops when the interval is this narrow, in weeks.
    pub resolution_weeks: f64,
    /// The confidence level of the one-sided bounds.
    pub confidence: f64,
}

/// Most sizes any search evaluates: a guard against a search that does not settle (each is a
/// full set of replications, so this is hours of computing on the shipped scenarios).
pub const MAX_EVALUATIONS: usize = 200;

/// What a search came to.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Found {
    /// The answer: weeks per item, when the target was met within the bounds.
    pub answer: Option<usize>,
    /// The largest size (evaluated, not meeting) below the answer whose lower bound fails the
    /// target: the size is known to be above it. `None` when none failed clearly.
    pub known_short: Option<usize>,
    /// Every evaluated size, in order.
    pub evaluated: Vec<Evaluated>,
    /// The greedy steps (indices into `evaluated`), from zero; empty for one item.
    pub frontier: Vec<usize>,
    /// Why the search stopped without an answer.
    pub why_not: Option<String>,
}

fn decide(target: &Target, risk: &Bounds) -> Decision {
    if risk.hi <= target.bound {
        Decision::Meets
    } else if risk.lo > target.bound {
        Decision::Fails
    } else {
        Decision::Unsure
    }
}

struct Searcher<'a, O> {
    oracle: &'a mut O,
    target: &'a Target,
    cfg: &'a SearchConfig,
    evaluated: Vec<Evaluated>,
}

impl<O: Oracle> Searcher<'_, O> {
    /// The sequential test at `weeks`.
    fn test(&mut self, weeks: &[f64], phase: &'static str) -> Result<usize, SizeError> {
        let mut reps = self.cfg.replications.max(1);
        let cap = self.cfg.max_replications.max(reps);
        loop {
            let judged = self.oracle.judge(weeks, reps)?;
            let decision = decide(self.target, &judged.risk);
            if decision != Decision::Unsure || reps >= cap {
                return Ok(self.push(weeks, phase, reps, judged, decision));
            }
            reps = reps.saturating_mul(2).min(cap);
        }
    }

    /// Judges `weeks` once on the base replications (a greedy trial).
    fn trial(&mut self, weeks: &[f64]) -> Result<usize, SizeError> {
        let reps = self.cfg.replications.max(1);
        let judged = self.oracle.judge(weeks, reps)?;
        Ok(self.push(weeks, "candidate", reps, judged, Decision::Unsure))
    }

    fn push(
        &mut self,
        weeks: &[f64],
        phase: &'static str,
        replications: u64,
        judged: Judged,
        decision: Decision,
    ) -> usize {
        let index = self.evaluated.len();
        self.evaluated.push(Evaluated {
            index,
            phase,
            weeks: weeks.to_vec(),
            replications,
            judged,
            decision,
        });
        index
    }

    fn over_budget(&self, k: usize) -> bool {
        self.cfg
            .budget_usd
            .is_some_and(|b| self.evaluated[k].judged.cost_usd > b)
    }

    fn guard(&self) -> Result<(), SizeError> {
        if self.evaluated.len() >= MAX_EVALUATIONS {
            return Err(SizeError::Flag {
                flag: "--resolution",
                value: format!("{}", self.cfg.resolution_weeks),
                message: format!(
                    "the search evaluated {MAX_EVALUATIONS} sizes without settling; give a coarser --resolution or --step"
                ),
            });
        }
        Ok(())
    }
}

/// Rounds `w` to the grid of `resolution` (0 = no grid).
fn on_grid(w: f64, resolution: f64) -> f64 {
    if resolution > 0.0 {
        (w / resolution).round() * resolution
    } else {
        w
    }
}

/// One item: bracket from zero by doubling, then bisect (see the module's doc).
/// `unit` names the sizes' unit in the reasons the search gives (`weeks`, or a scaled key's).
pub(crate) fn bisect<O: Oracle>(
    oracle: &mut O,
    target: &Target,
    cfg: &SearchConfig,
    unit: &str,
) -> Result<Found, SizeError> {
    let mut s = Searcher {
        oracle,
        target,
        cfg,
        evaluated: Vec::new(),
    };
    let mut short: Option<usize> = None;
    let mut met: Option<usize> = None;
    let mut why_not = None;
    let mut size = 0.0;
    loop {
        s.guard()?;
        let k = s.test(&[size], "bracket")?;
        if s.over_budget(k) {
            why_not = Some(format!(
                "{size} {unit} already costs more than the budget ({:.0} USD)",
                s.evaluated[k].judged.cost_usd
            ));
            break;
        }
        if s.evaluated[k].decision == Decision::Meets {
            met = Some(k);
            break;
        }
        short = Some(k);
        if size >= cfg.max_weeks {
            why_not = Some(format!(
                "the target is not met at the largest size allowed, {} {unit}",
                cfg.max_weeks
            ));
            break;
        }
        size = if size <= 0.0 {
            cfg.step_weeks.min(cfg.max_weeks)
        } else {
            (size * 2.0).min(cfg.max_weeks)
        };
    }
    if let (Some(mut hi), Some(mut lo)) = (met, short) {
        loop {
            let (a, b) = (s.evaluated[lo].weeks[0], s.evaluated[hi].weeks[0]);
            let mid = on_grid(f64::midpoint(a, b), cfg.resolution_weeks);
            if b - a <= cfg.resolution_weeks || mid <= a || mid >= b {
                break;
            }
            s.guard()?;
            let k = s.test(&[mid], "bisect")?;
            if s.evaluated[k].decision == Decision::Meets {
                hi = k;
            } else {
                lo = k;
            }
        }
        met = Some(hi);
    }
    let answer = met;
    let known_short = answer.and_then(|a| {
        let at = s.evaluated[a].weeks[0];
        s.evaluated
            .iter()
            .filter(|e| e.decision == Decision::Fails && e.weeks[0] < at)
            .max_by(|x, y| x.weeks[0].total_cmp(&y.weeks[0]))
            .map(|e| e.index)
    });
    Ok(Found {
        answer,
        known_short,
        evaluated: s.evaluated,
        frontier: Vec::new(),
        why_not,
    })
}

/// Several items: greedy by marginal risk reduction per USD (see the module's doc).
pub(crate) fn greedy<O: Oracle>(
    oracle: &mut O,
    target: &Target,
    cfg: &SearchConfig,
    items: usize,
) -> Result<Found, SizeError> {
    let mut s = Searcher {
        oracle,
        target,
        cfg,
        evaluated: Vec::new(),
    };
    let mut current = vec![0.0; items];
    let mut at = s.test(&current, "greedy")?;
    let mut frontier = vec![at];
    let mut why_not = None;
    while s.evaluated[at].decision != Decision::Meets {
        if s.over_budget(at) {
            why_not = Some(format!(
                "the cheapest combination found costs more than the budget ({:.0} USD) before meeting the target",
                s.evaluated[at].judged.cost_usd
            ));
            break;
        }
        // The base point's risk and cost on the base replications, to pair with the trials.
        let base = s.oracle.judge(&current, cfg.replications.max(1))?;
        let mut best: Option<(f64, usize, Vec<f64>)> = None;
        for j in 0..items {
            if current[j] >= cfg.max_weeks {
                continue;
            }
            s.guard()?;
            let mut w = current.clone();
            w[j] = (w[j] + cfg.step_weeks).min(cfg.max_weeks);
            let k = s.trial(&w)?;
            let e = &s.evaluated[k].judged;
            let fall = base.risk.estimate - e.risk.estimate;
            let extra = (e.cost_usd - base.cost_usd).max(f64::MIN_POSITIVE);
            let per_usd = fall / extra;
            if best.as_ref().is_none_or(|(b, _, _)| per_usd > *b) {
                best = Some((per_usd, j, w));
            }
        }
        let Some((_, _, w)) = best else {
            why_not = Some(format!(
                "the target is not met with every item at the largest size allowed, {} weeks",
                cfg.max_weeks
            ));
            break;
        };
        current = w;
        s.guard()?;
        at = s.test(&current, "greedy")?;
        frontier.push(at);
    }
    let met = s.evaluated[at].decision == Decision::Meets && !s.over_budget(at);
    Ok(Found {
        answer: met.then_some(at),
        known_short: None,
        evaluated: s.evaluated,
        frontier,
        why_not,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::size::target::Statistic;

    /// A synthetic risk: replication i fails when its uniform draw `u_i` (fixed per i: common
    /// random numbers) is below p(w) = 0.6·exp(-w/5), so risk falls with size and
    /// P(fail) <= 0.05 exactly from w* = 5·ln(12) = 12.42 weeks. Cost: 1000 USD per week.
    struct Synthetic {
        calls: usize,
    }

    fn u(i: u64) -> f64 {
        // SplitMix64 of i, as a uniform in [0, 1).
        let mut z = i.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    fn target() -> Target {
        Target {
            text: "P(x > 0) <= 0.05".into(),
            metric: "x".into(),
            statistic: Statistic::Exceedance {
                x: 0.0,
                above: true,
            },
            bound: 0.05,
        }
    }

    impl Oracle for Synthetic {
        fn judge(&mut self, weeks: &[f64], reps: u64) -> Result<Judged, SizeError> {
            self.calls += 1;
            let p = 0.6 * weeks.iter().map(|w| (-w / 5.0).exp()).product::<f64>();
            let values: Vec<f64> = (0..reps).map(|i| f64::from(u8::from(u(i) < p))).collect();
            let risk = target().estimate(&values, 0.95);
            Ok(Judged {
                risk,
                per_scenario: vec![risk],
                cost_usd: 1000.0 * weeks.iter().sum::<f64>(),
                held_t: weeks.iter().map(|w| 10.0 * w).collect(),
            })
        }
    }

    fn cfg() -> SearchConfig {
        SearchConfig {
            replications: 400,
            max_replications: 6400,
            max_weeks: 52.0,
            budget_usd: None,
            step_weeks: 4.0,
            resolution_weeks: 0.5,
            confidence: 0.95,
        }
    }

    #[test]
    fn bisection_brackets_the_known_threshold() {
        let truth = 5.0 * 12f64.ln();
        let found = bisect(&mut Synthetic { calls: 0 }, &target(), &cfg(), "weeks").unwrap();
        let answer = found.evaluated[found.answer.unwrap()].weeks[0];
        let below = found.evaluated[found.known_short.unwrap()].weeks[0];
        assert!(
            below < truth && truth <= answer,
            "{below} < {truth} <= {answer}"
        );
        // The answer errs high by the test's margin, not by much.
        assert!(answer < truth + 6.0, "{answer}");
        // Every size at or above the answer that was tested did not fail.
        assert!(
            found
                .evaluated
                .iter()
                .all(|e| e.weeks[0] < answer || e.decision != Decision::Fails)
        );
        // Sizes 0, 4, 8, 16 bracket it.
        let bracket: Vec<f64> = found
            .evaluated
            .iter()
            .filter(|e| e.phase == "bracket")
            .map(|e| e.weeks[0])
            .collect();
        assert_eq!(bracket, vec![0.0, 4.0, 8.0, 16.0]);
    }

    #[test]
    fn an_unreachable_target_says_so_with_the_largest_size() {
        let mut c = cfg();
        c.max_weeks = 6.0;
        let found = bisect(&mut Synthetic { calls: 0 }, &target(), &c, "weeks").unwrap();
        assert!(found.answer.is_none());
        assert!(found.why_not.unwrap().contains("6 weeks"));
        assert!((found.evaluated.last().unwrap().weeks[0] - 6.0).abs() < 1e-12);
    }

    #[test]
    fn a_budget_stops_the_bracket() {
        let mut c = cfg();
        c.budget_usd = Some(10_000.0);
        let found = bisect(&mut Synthetic { calls: 0 }, &target(), &c, "weeks").unwrap();
        assert!(found.answer.is_none());
        assert!(found.why_not.unwrap().contains("budget"));
    }

    #[test]
    fn greedy_meets_the_target_and_its_frontier_falls() {
        // Two items with the same effect: p = 0.6·exp(-(a+b)/5); the sum must reach 12.42.
        let mut c = cfg();
        c.step_weeks = 4.0;
        let found = greedy(&mut Synthetic { calls: 0 }, &target(), &c, 2).unwrap();
        let a = &found.evaluated[found.answer.unwrap()];
        let total: f64 = a.weeks.iter().sum();
        assert!(total >= 5.0 * 12f64.ln(), "{total}");
        let risks: Vec<f64> = found
            .frontier
            .iter()
            .map(|&k| found.evaluated[k].judged.risk.estimate)
            .collect();
        assert!(risks.windows(2).all(|w| w[1] <= w[0]), "{risks:?}");
    }
}
