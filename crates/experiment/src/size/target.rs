//! Risk targets: `P(METRIC > X) <= p`, `P(METRIC < X) <= p`, `mean(METRIC) <= X` and
//! `quantile(METRIC, q) <= X`, parsed into a typed [`Target`], and the one-sided confidence
//! bounds the sizing search decides with.
//!
//! A probability is bounded with the Clopper–Pearson (exact binomial) interval, a mean with
//! Student's t. `quantile(M, q) <= X` holds exactly when `P(M > X) <= 1 - q` (the quantile is
//! the smallest x with `P(M <= x) >= q`), so it is decided as that probability.

use serde::{Deserialize, Serialize};
use statrs::distribution::{Beta, ContinuousCDF, StudentsT};

use super::error::SizeError;

/// What a target bounds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Statistic {
    /// `P(metric > x)` (`above`) or `P(metric < x)`.
    Exceedance {
        /// The threshold x.
        x: f64,
        /// True for `>`, false for `<`.
        above: bool,
    },
    /// `mean(metric)`.
    Mean,
}

/// A parsed risk target: `statistic(metric) <= bound`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Target {
    /// The text as given.
    pub text: String,
    /// A per-replication metric (`chokepoint_core` metrics table).
    pub metric: String,
    /// What is bounded.
    pub statistic: Statistic,
    /// The largest acceptable value of the statistic (a probability for exceedances).
    pub bound: f64,
}

/// How to write a target, for error messages.
const GRAMMAR: &str = "write one of `P(METRIC > X) <= p`, `P(METRIC < X) <= p`, `mean(METRIC) <= X`, `quantile(METRIC, q) <= X`, e.g. \"P(firm_weeks_halted > 4) <= 0.05\"";

fn bad(text: &str, message: impl Into<String>) -> SizeError {
    SizeError::Target {
        text: text.to_owned(),
        message: message.into(),
        fix: GRAMMAR.to_owned(),
    }
}

fn number(text: &str, s: &str, what: &str) -> Result<f64, SizeError> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| bad(text, format!("`{}` is not a number ({what})", s.trim())))?;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(bad(
            text,
            format!("{what} must be finite, not `{}`", s.trim()),
        ))
    }
}

impl Target {
    /// Parses `text`, checking the metric against `metrics` (did-you-mean on a miss).
    pub fn parse(text: &str, metrics: &[String]) -> Result<Self, SizeError> {
        let t = text.trim();
        let (lhs, rhs) = t
            .rsplit_once("<=")
            .ok_or_else(|| bad(text, "no `<=`: a target bounds a risk from above"))?;
        let (head, args) = lhs
            .trim()
            .split_once('(')
            .ok_or_else(|| bad(text, "expected `P(`, `mean(` or `quantile(`"))?;
        let args = args
            .trim()
            .strip_suffix(')')
            .ok_or_else(|| bad(text, "the `(` is not closed by `)` before `<=`"))?;
        let bound = number(text, rhs, "the bound after `<=`")?;
        let (metric, statistic, bound) = match head.trim() {
            "P" | "p" => {
                let (metric, x, above) = if let Some((m, x)) = args.split_once('>') {
                    (m, x, true)
                } else if let Some((m, x)) = args.split_once('<') {
                    (m, x, false)
                } else {
                    return Err(bad(
                        text,
                        "inside P(...) write `METRIC > X` or `METRIC < X`",
                    ));
                };
                if x.trim_start().starts_with('=') {
                    return Err(bad(
                        text,
                        "`>=` and `<=` inside P(...) are not taken: write `>` or `<`",
                    ));
                }
                let x = number(text, x, "the threshold X")?;
                if !(0.0..=1.0).contains(&bound) {
                    return Err(bad(
                        text,
                        format!("a probability bound must be from 0 to 1, not {bound}"),
                    ));
                }
                (metric, Statistic::Exceedance { x, above }, bound)
            }
            "mean" => (args, Statistic::Mean, bound),
            "quantile" => {
                let (m, q) = args
                    .split_once(',')
                    .ok_or_else(|| bad(text, "write `quantile(METRIC, q)` with q from 0 to 1"))?;
                let q = number(text, q, "the quantile level q")?;
                if !(q > 0.0 && q < 1.0) {
                    return Err(bad(text, format!("q must be between 0 and 1, not {q}")));
                }
                (
                    m,
                    Statistic::Exceedance {
                        x: bound,
                        above: true,
                    },
                    1.0 - q,
                )
            }
            other => {
                return Err(bad(
                    text,
                    format!(
                        "unknown statistic `{other}`{}",
                        chokepoint_diagnostics::did_you_mean(other, &["P", "mean", "quantile"])
                    ),
                ));
            }
        };
        let metric = metric.trim().to_owned();
        if !metrics.contains(&metric) {
            let names: Vec<&str> = metrics.iter().map(String::as_str).collect();
            return Err(SizeError::UnknownMetric {
                hint: chokepoint_diagnostics::did_you_mean(&metric, &names),
                metric,
                known: names.join(", "),
            });
        }
        Ok(Target {
            text: t.to_owned(),
            metric,
            statistic,
            bound,
        })
    }

    /// The value one replication contributes: an indicator for exceedances, the metric for a
    /// mean. `None` for a value that is not a number (left out, and counted).
    #[must_use]
    pub fn contribution(&self, v: f64) -> Option<f64> {
        if !v.is_finite() {
            return None;
        }
        Some(match self.statistic {
            Statistic::Exceedance { x, above: true } => f64::from(u8::from(v > x)),
            Statistic::Exceedance { x, above: false } => f64::from(u8::from(v < x)),
            Statistic::Mean => v,
        })
    }

    /// The statistic over `values` (contributions) with its one-sided lower and upper bounds,
    /// each at `confidence`.
    #[must_use]
    pub fn estimate(&self, values: &[f64], confidence: f64) -> Bounds {
        match self.statistic {
            Statistic::Exceedance { .. } => {
                #[allow(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "a sum of 0/1 indicators: a whole number from 0 to n"
                )]
                let k = values.iter().sum::<f64>().round() as u64;
                clopper_pearson(k, values.len() as u64, confidence)
            }
            Statistic::Mean => t_bounds(values, confidence),
        }
    }
}

/// A statistic with its one-sided bounds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    /// The point estimate.
    pub estimate: f64,
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
}

/// `k` successes in `n`: the proportion and its exact one-sided bounds at `confidence`.
#[must_use]
pub fn clopper_pearson(k: u64, n: u64, confidence: f64) -> Bounds {
    if n == 0 {
        return Bounds {
            estimate: f64::NAN,
            lo: 0.0,
            hi: 1.0,
        };
    }
    let (kf, nf) = (k as f64, n as f64);
    let alpha = 1.0 - confidence;
    let lo = if k == 0 {
        0.0
    } else {
        Beta::new(kf, nf - kf + 1.0).map_or(0.0, |b| b.inverse_cdf(alpha))
    };
    let hi = if k == n {
        1.0
    } else {
        Beta::new(kf + 1.0, nf - kf).map_or(1.0, |b| b.inverse_cdf(confidence))
    };
    Bounds {
        estimate: kf / nf,
        lo,
        hi,
    }
}

/// The mean of `values` with one-sided Student-t bounds at `confidence`; unbounded with fewer
/// than two values.
#[must_use]
pub fn t_bounds(values: &[f64], confidence: f64) -> Bounds {
    let n = values.len() as f64;
    if values.is_empty() {
        return Bounds {
            estimate: f64::NAN,
            lo: f64::NEG_INFINITY,
            hi: f64::INFINITY,
        };
    }
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return Bounds {
            estimate: mean,
            lo: f64::NEG_INFINITY,
            hi: f64::INFINITY,
        };
    }
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let t = StudentsT::new(0.0, 1.0, n - 1.0).map_or(f64::INFINITY, |d| d.inverse_cdf(confidence));
    let half = t * (var / n).sqrt();
    Bounds {
        estimate: mean,
        lo: mean - half,
        hi: mean + half,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics() -> Vec<String> {
        ["firm_weeks_halted", "any_halt", "lost_output_usd"]
            .map(str::to_owned)
            .to_vec()
    }

    #[test]
    fn the_four_forms_parse() {
        let m = metrics();
        let t = Target::parse("P(firm_weeks_halted > 4) <= 0.05", &m).unwrap();
        assert_eq!(t.metric, "firm_weeks_halted");
        assert_eq!(
            t.statistic,
            Statistic::Exceedance {
                x: 4.0,
                above: true
            }
        );
        approx::assert_relative_eq!(t.bound, 0.05);
        let t = Target::parse(" P( any_halt < 0.5 )<=0.9", &m).unwrap();
        assert_eq!(
            t.statistic,
            Statistic::Exceedance {
                x: 0.5,
                above: false
            }
        );
        let t = Target::parse("mean(lost_output_usd) <= 1e9", &m).unwrap();
        assert_eq!(t.statistic, Statistic::Mean);
        approx::assert_relative_eq!(t.bound, 1e9);
        let t = Target::parse("quantile(firm_weeks_halted, 0.95) <= 10", &m).unwrap();
        assert_eq!(
            t.statistic,
            Statistic::Exceedance {
                x: 10.0,
                above: true
            }
        );
        approx::assert_relative_eq!(t.bound, 0.05, epsilon = 1e-12);
    }

    #[test]
    fn bad_targets_name_the_text_and_the_fix() {
        let m = metrics();
        for (text, says) in [
            ("P(firm_weeks_halted > 4) < 0.05", "no `<=`"),
            ("P(firm_weeks_halted > 4) <= 1.5", "from 0 to 1"),
            ("P(firm_weeks_halted = 4) <= 0.05", "METRIC > X"),
            ("median(any_halt) <= 1", "unknown statistic"),
            ("mean(any_halt <= 1", "not closed"),
            ("quantile(any_halt, 1.2) <= 1", "between 0 and 1"),
            ("P(any_halt > x) <= 0.1", "not a number"),
        ] {
            let e = Target::parse(text, &m).unwrap_err().to_string();
            assert!(e.contains(says), "{text}: {e}");
            assert!(e.contains(text.trim()) || e.contains(text), "{e}");
            assert!(e.contains("e.g."), "{e}");
        }
        let e = Target::parse("P(firm_weeks_halt > 4) <= 0.05", &m)
            .unwrap_err()
            .to_string();
        assert!(e.contains("did you mean `firm_weeks_halted`"), "{e}");
    }

    #[test]
    fn clopper_pearson_matches_known_values() {
        // 0 of 20: the one-sided 95 % upper bound is 1 - 0.05^(1/20) = 0.13911.
        let b = clopper_pearson(0, 20, 0.95);
        approx::assert_relative_eq!(b.hi, 1.0 - 0.05f64.powf(1.0 / 20.0), epsilon = 1e-9);
        assert!(b.lo.abs() < f64::EPSILON);
        // n of n: the lower bound is 0.05^(1/n).
        let b = clopper_pearson(10, 10, 0.95);
        approx::assert_relative_eq!(b.lo, 0.05f64.powf(0.1), epsilon = 1e-9);
        let b = clopper_pearson(5, 10, 0.95);
        assert!(b.lo < 0.5 && b.hi > 0.5);
    }

    #[test]
    fn t_bounds_of_one_value_are_open_and_of_equal_values_closed() {
        let b = t_bounds(&[3.0], 0.95);
        assert!(b.hi.is_infinite());
        let b = t_bounds(&[2.0, 2.0, 2.0], 0.95);
        approx::assert_relative_eq!(b.hi, 2.0);
        // Two values 0 and 2: mean 1, sd sqrt(2), t(0.95; 1) = 6.3138.
        let b = t_bounds(&[0.0, 2.0], 0.95);
        approx::assert_relative_eq!(b.hi, 1.0 + 6.313_751_5, epsilon = 1e-5);
    }
}
