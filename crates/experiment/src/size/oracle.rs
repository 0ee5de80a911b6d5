//! The real [`search::Oracle`] of a sizing: runs the replications of each scenario at a size
//! (weeks of use, or a scaled key's value) and judges the target on them.

use std::path::Path;
use std::sync::atomic::Ordering;

use chokepoint_core::ScenarioSource;

use super::search::{self, Judged};
use super::{Bounds, Resize, SizeError, Target};
use crate::engine::Execution;
use crate::error::Error;
use crate::monte_carlo::{self, MonteCarlo};

/// Per scenario, `(metric, cost)` of each replication run so far.
type PerScenario = Vec<Vec<(f64, f64)>>;

/// The real [`search::Oracle`]: runs replications of each scenario at a size, keeping them so
/// that more replications add only the new run ids.
pub(super) struct Engine<'a, S: ScenarioSource, L> {
    pub(super) templates: &'a [S],
    pub(super) loader: &'a L,
    pub(super) items: &'a [String],
    pub(super) strategy: &'a str,
    /// The template strategy (its `budget_usd` bounds a scaled key).
    pub(super) template: &'a S::Strategy,
    /// The key scaled (`--scale`), else weeks of `items`.
    pub(super) scale: Option<&'a str>,
    pub(super) target: &'a Target,
    pub(super) metric: usize,
    pub(super) cost: usize,
    pub(super) weights: Vec<f64>,
    pub(super) worst: bool,
    pub(super) seed: u64,
    pub(super) batch: u64,
    pub(super) confidence: f64,
    pub(super) exec: &'a Execution<'a>,
    pub(super) out: &'a Path,
    /// Per size (bits of its weeks): per scenario, `(metric, cost)` by replication.
    pub(super) cache: Vec<(Vec<u64>, PerScenario)>,
    /// Per size (as `cache`): per scenario, tonnes held per item ([`held_t`]).
    pub(super) held: Vec<Vec<Vec<f64>>>,
}

/// Tonnes the stockpiles of `params` aim to hold of each of `items` (the sum of their lines'
/// targets): a size in weeks of use turned into what a government buys.
fn held_t(params: &chokepoint_core::ModelParams, items: &[String]) -> Vec<f64> {
    items
        .iter()
        .map(|name| {
            let id = params.items.iter().position(|i| i.name == *name);
            params
                .stockpiles
                .iter()
                .flat_map(|s| &s.lines)
                .filter(|l| Some(l.item.idx()) == id)
                .map(|l| l.target_t)
                .sum()
        })
        .collect()
}

impl<S: ScenarioSource, L: Resize<S>> Engine<'_, S, L> {
    fn rows(&mut self, weeks: &[f64], reps: u64) -> Result<usize, SizeError> {
        let key: Vec<u64> = weeks.iter().map(|w| w.to_bits()).collect();
        let at = if let Some(k) = self.cache.iter().position(|(c, _)| *c == key) {
            k
        } else {
            self.cache
                .push((key, vec![Vec::new(); self.templates.len()]));
            self.held.push(Vec::with_capacity(self.templates.len()));
            self.cache.len() - 1
        };
        let pairs: Vec<(String, f64)> = self
            .items
            .iter()
            .cloned()
            .zip(weeks.iter().copied())
            .collect();
        for (s, tpl) in self.templates.iter().enumerate() {
            let have = self.cache[at].1[s].len() as u64;
            if have >= reps && self.held[at].len() > s {
                continue;
            }
            let variant = if let Some(path) = self.scale {
                self.loader
                    .rescale(tpl, self.template, path, weeks[0])
                    .map_err(|source| SizeError::Scale {
                        path: path.to_owned(),
                        at: format!(" at {}", weeks[0]),
                        source,
                    })?
            } else {
                self.loader
                    .resize(tpl, &pairs)
                    .map_err(|source| SizeError::Resize {
                        strategy: self.strategy.to_owned(),
                        weeks: pairs
                            .iter()
                            .map(|(i, w)| format!("{i}={w}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        source,
                    })?
            };
            if self.held[at].len() == s {
                // A scaled key holds no tonnes of its own: nothing per item.
                let held = if self.scale.is_some() {
                    Vec::new()
                } else {
                    held_t(variant.central(), self.items)
                };
                self.held[at].push(held);
            }
            if have >= reps {
                continue;
            }
            let cfg = MonteCarlo {
                seed: self.seed,
                replications: reps - have,
                batch: self.batch,
                threads: self.exec.threads,
                targets: Vec::new(),
                max_replications: 0,
                first_run_id: have,
            };
            let progress = self.exec.progress;
            let r = monte_carlo::run(&variant, &cfg, &|n| progress.advance(n), self.exec.stop)
                .map_err(Error::Run)?;
            if r.interrupted || self.exec.stop.load(Ordering::Relaxed) {
                return Err(SizeError::Interrupted {
                    dir: self.out.to_owned(),
                });
            }
            let (m, c) = (self.metric, self.cost);
            self.cache[at].1[s].extend(r.metrics.iter().map(|row| (row[m], row[c])));
        }
        Ok(at)
    }
}

impl<S: ScenarioSource, L: Resize<S>> search::Oracle for Engine<'_, S, L> {
    fn judge(&mut self, weeks: &[f64], reps: u64) -> Result<Judged, SizeError> {
        let at = self.rows(weeks, reps)?;
        let n = usize::try_from(reps).unwrap_or(usize::MAX);
        let mut per_scenario = Vec::new();
        let mut cost_usd = 0.0;
        let n_held = if self.scale.is_some() {
            0
        } else {
            self.items.len()
        };
        let mut held_t = vec![0.0; n_held];
        for (s, rows) in self.cache[at].1.iter().enumerate() {
            for (sum, t) in held_t.iter_mut().zip(&self.held[at][s]) {
                *sum += self.weights[s] * t;
            }
            let rows = &rows[..n.min(rows.len())];
            let values: Vec<f64> = rows
                .iter()
                .filter_map(|(v, _)| self.target.contribution(*v))
                .collect();
            if values.is_empty() {
                return Err(SizeError::NoValues {
                    metric: self.target.metric.clone(),
                    scenario: self.templates[s].name().to_owned(),
                });
            }
            per_scenario.push(self.target.estimate(&values, self.confidence));
            let costs: Vec<f64> = rows
                .iter()
                .map(|(_, c)| *c)
                .filter(|c| c.is_finite())
                .collect();
            if !costs.is_empty() {
                cost_usd += self.weights[s] * costs.iter().sum::<f64>() / costs.len() as f64;
            }
        }
        let risk = if self.worst {
            let max = |f: fn(&Bounds) -> f64| {
                per_scenario.iter().map(f).fold(f64::NEG_INFINITY, f64::max)
            };
            Bounds {
                estimate: max(|b| b.estimate),
                lo: max(|b| b.lo),
                hi: max(|b| b.hi),
            }
        } else {
            let sum = |f: fn(&Bounds) -> f64| {
                per_scenario
                    .iter()
                    .zip(&self.weights)
                    .map(|(b, w)| w * f(b))
                    .sum()
            };
            Bounds {
                estimate: sum(|b| b.estimate),
                lo: sum(|b| b.lo),
                hi: sum(|b| b.hi),
            }
        };
        Ok(Judged {
            risk,
            per_scenario,
            cost_usd,
            held_t,
        })
    }
}
