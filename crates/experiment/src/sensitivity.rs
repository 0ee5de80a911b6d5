//! Global sensitivity analysis of a finished `sobol:N` or `morris:R` sweep: `sensitivity.csv`.
//!
//! The sweep's points are the design's (`chokepoint_gsa`), each run for K replications on
//! common random numbers; the output at a point is the **mean of the metric over its K
//! replications** (`sweep.csv`'s `<metric>_mean`), so the indices are those of the K-replication
//! mean. The model's own noise left in that mean adds variance no input explains: its size,
//! the mean over points of (replications' variance)/K, is reported beside the indices
//! (`noise_share` of the variance for Sobol, `noise_sd` for Morris). Everything is computed
//! from the finished results, so a resumed or merged sweep writes the same file.

use chokepoint_gsa::{BOOTSTRAP_RESAMPLES, Estimate, morris, saltelli};

use crate::design::{self, Design};
use crate::error::Error;
use crate::output::{MetricRow, Results, column, csv_bytes};
use crate::plan::SweepSpec;
use crate::streams::{Purpose, stream};

/// The metrics a front door shows when none is asked for: unmet magnet demand, any halt, weeks
/// of firms halted and lost output (the questions the 2025 scenarios ask).
pub const HEADLINE_METRICS: [&str; 4] = [
    "unmet_magnet_t",
    "any_halt",
    "firm_weeks_halted",
    "lost_output_usd",
];

/// The indices of one parameter for one metric.
#[derive(Clone, Debug, PartialEq)]
pub enum Index {
    /// Variance-based.
    Sobol {
        /// First-order index with its bootstrap 95 % interval.
        first: Estimate,
        /// Total index with its interval.
        total: Estimate,
        /// Variance of the per-point means over the A and B points.
        variance: f64,
        /// Share of that variance that is the replications' noise (mean of variance / K).
        noise_share: f64,
    },
    /// Elementary effects (per unit of the parameter's probability scale u).
    Morris {
        /// Mean effect.
        mu: f64,
        /// Mean absolute effect with its bootstrap 95 % interval.
        mu_star: Estimate,
        /// Standard deviation of the effects.
        sigma: f64,
        /// Standard deviation of a point's mean that is the replications' noise, √(mean of
        /// variance / K): effects of this size can be noise.
        noise_sd: f64,
    },
}

/// One row of `sensitivity.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct SensitivityRow {
    /// Which strategy (0 without strategies), in the strategies file's order.
    pub strategy_index: usize,
    /// The metric.
    pub metric: String,
    /// 1 for the parameter with the largest total index (or mu*); undefined ones last.
    pub rank: usize,
    /// The parameter's key path.
    pub param: String,
    /// Its indices.
    pub index: Index,
}

impl SensitivityRow {
    /// What the rows are ranked by: the total index, or mu*.
    #[must_use]
    pub fn key(&self) -> f64 {
        match &self.index {
            Index::Sobol { total, .. } => total.value,
            Index::Morris { mu_star, .. } => mu_star.value,
        }
    }
}

/// `sensitivity.csv`'s bytes and its rows.
pub(crate) type Table = (Vec<u8>, Vec<SensitivityRow>);

/// `sensitivity.csv`'s bytes and rows for a finished sweep whose design is `sobol:N` or
/// `morris:R`; `None` for any other design.
pub(crate) fn table(
    spec: &SweepSpec,
    n_cells: usize,
    seed: u64,
    results: &Results,
) -> Result<Option<Table>, Error> {
    let d = spec.params.len();
    let (method, morris_design) = match spec.design {
        Design::Sobol(_) => ("sobol", None),
        Design::Morris(r) => ("morris", Some(design::morris_design(r, d, seed)?)),
        Design::Grid(_) | Design::Lhs(_) | Design::Oat => return Ok(None),
    };
    let n_points = design::count(d, spec.design)
        .and_then(|c| usize::try_from(c).ok())
        .unwrap_or(0);
    let n_strategies = (n_cells / n_points.max(1)).max(1);
    let n_metrics = results.metric_names.len();
    let mut rows = Vec::new();
    for s in 0..n_strategies {
        for (m, name) in results.metric_names.iter().enumerate() {
            let summaries: Vec<MetricRow> = (0..n_points)
                .map(|k| {
                    let cell = &results.cells[k * n_strategies + s].metrics;
                    MetricRow::new(name, &column(cell, m), f64::INFINITY)
                })
                .collect();
            let y: Vec<f64> = summaries.iter().map(|r| r.mean).collect();
            // Bootstrap draws of their own, per (strategy, metric): the same whatever else ran.
            let mut rng = stream(seed, (s * n_metrics + m) as u64, Purpose::Bootstrap);
            let indices: Vec<Index> = match (&spec.design, &morris_design) {
                (Design::Sobol(n), _) => {
                    let est = saltelli::indices(&y, *n, d, BOOTSTRAP_RESAMPLES, &mut rng)?;
                    let noise = noise(&summaries[..2 * n]);
                    (0..d)
                        .map(|i| Index::Sobol {
                            first: est.first[i],
                            total: est.total[i],
                            variance: est.variance,
                            noise_share: noise / est.variance,
                        })
                        .collect()
                }
                (_, Some(des)) => {
                    let eff = morris::effects(des, &y, BOOTSTRAP_RESAMPLES, &mut rng)?;
                    let noise_sd = noise(&summaries).sqrt();
                    (0..d)
                        .map(|i| Index::Morris {
                            mu: eff.mu[i],
                            mu_star: eff.mu_star[i],
                            sigma: eff.sigma[i],
                            noise_sd,
                        })
                        .collect()
                }
                _ => return Ok(None),
            };
            let mut block: Vec<SensitivityRow> = spec
                .params
                .iter()
                .zip(indices)
                .map(|(p, index)| SensitivityRow {
                    strategy_index: s,
                    metric: name.clone(),
                    rank: 0,
                    param: p.path.clone(),
                    index,
                })
                .collect();
            // Largest first; ties keep the parameters' order, undefined (NaN) last.
            block.sort_by(|a, b| {
                let k = |r: &SensitivityRow| {
                    if r.key().is_nan() {
                        f64::NEG_INFINITY
                    } else {
                        r.key()
                    }
                };
                k(b).total_cmp(&k(a))
            });
            for (rank, row) in block.iter_mut().enumerate() {
                row.rank = rank + 1;
            }
            rows.extend(block);
        }
    }
    Ok(Some((csv(method, &rows)?, rows)))
}

/// The mean over points of the variance of a point's mean, sd² / K (NaN with one replication).
fn noise(points: &[MetricRow]) -> f64 {
    points.iter().map(|r| r.sd * r.sd / r.n as f64).sum::<f64>() / points.len().max(1) as f64
}

fn csv(method: &str, rows: &[SensitivityRow]) -> Result<Vec<u8>, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let head = ["method", "strategy_index", "metric", "rank", "param"];
    let tail: &[&str] = if method == "sobol" {
        &[
            "s1",
            "s1_ci95_lo",
            "s1_ci95_hi",
            "st",
            "st_ci95_lo",
            "st_ci95_hi",
            "variance",
            "noise_share",
        ]
    } else {
        &[
            "mu",
            "mu_star",
            "mu_star_ci95_lo",
            "mu_star_ci95_hi",
            "sigma",
            "noise_sd",
        ]
    };
    w.write_record(head.iter().chain(tail))?;
    for r in rows {
        let mut rec = vec![
            method.to_owned(),
            r.strategy_index.to_string(),
            r.metric.clone(),
            r.rank.to_string(),
            r.param.clone(),
        ];
        let nums: Vec<f64> = match &r.index {
            Index::Sobol {
                first,
                total,
                variance,
                noise_share,
            } => vec![
                first.value,
                first.lo,
                first.hi,
                total.value,
                total.lo,
                total.hi,
                *variance,
                *noise_share,
            ],
            Index::Morris {
                mu,
                mu_star,
                sigma,
                noise_sd,
            } => {
                vec![
                    *mu,
                    mu_star.value,
                    mu_star.lo,
                    mu_star.hi,
                    *sigma,
                    *noise_sd,
                ]
            }
        };
        rec.extend(nums.iter().map(ToString::to_string));
        w.write_record(&rec)?;
    }
    csv_bytes(w)
}

/// Refuses `--metric` names a plan does not report, with a did-you-mean, before it runs.
pub fn check_metrics<S: chokepoint_core::ScenarioSource>(
    plan: &crate::Plan<S>,
    names: &[String],
) -> Result<(), Error> {
    for name in names {
        if !plan.metric_names.contains(name) {
            let known: Vec<&str> = plan.metric_names.iter().map(String::as_str).collect();
            return Err(Error::UnknownMetric {
                name: name.clone(),
                hint: chokepoint_diagnostics::did_you_mean(name, &known),
            });
        }
    }
    Ok(())
}
