//! Targets: observed values a scenario is compared with (a backtest) or fitted to (a
//! calibration), and predictions (a target with no observed value: an out-of-sample forecast
//! reported with its interval). Each target names a per-step variable (`*` matches one path segment; matches
//! are summed), a window of calendar dates and how the window's steps reduce to one number; its
//! value in each replication is the per-replication metric `target/<name>`.
//!
//! A target does not change the simulation: it is read off the replication's [`crate::Trajectory`]
//! once, when the outcome is computed. At model build every target is compiled into the
//! matched variables and the per-step weights of its window (`CompiledTarget`), so that the
//! evaluation allocates nothing and looks nothing up by name. (This module imports neither the
//! parameters nor the outputs, which both hold [`TargetInfo`]: items and trajectories come in as
//! plain slices and lookups.)
//!
//! **Weights.** Step `s` covers the days `[start + s·d, start + (s+1)·d)` of a `d`-day step. Its
//! weight `w_s` is the share of those days inside the window (both ends inclusive). With `v_s` the
//! step's value (the sum of the matched variables, each multiplied by its scale):
//! `sum = Σ w_s v_s`, `mean = Σ w_s v_s / Σ w_s`, `max`/`min` over the steps with `w_s > 0`, and
//! `last` = `v_s` of the step holding the window's last day. A flow of `f` tonnes per weekly step
//! summed over a 30-day month is `f × 30 / 7`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;

/// Prefix of the per-replication metric of a target: `target/<name>`.
pub const TARGET_METRIC_PREFIX: &str = "target/";

/// The per-step variable whose values `scale = "base_price"` turns from ratios into USD/kg.
const PRICE_RATIO_PREFIX: &str = "price_ratio/";

/// Whether a target is fitted by a calibration, kept out of it, or a prediction with nothing
/// observed to compare with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetRole {
    /// Used by the calibration's loss.
    #[default]
    Fit,
    /// Reported separately and never fitted: an out-of-sample check.
    Holdout,
    /// No observed value: the model's interval is reported as a prediction, never fitted or
    /// compared (the 2025 scenarios, whose outcomes the model must not be tuned to).
    Prediction,
}

impl TargetRole {
    /// `fit`, `holdout` or `prediction`, as written in scenario files and result files.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            TargetRole::Fit => "fit",
            TargetRole::Holdout => "holdout",
            TargetRole::Prediction => "prediction",
        }
    }

    /// True for the roles that carry an observed value (`fit`, `holdout`).
    #[must_use]
    pub fn is_observed(self) -> bool {
        self != TargetRole::Prediction
    }
}

/// How the steps of a target's window become one number (see the module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reduce {
    /// Weighted sum: a flow's total over the window.
    #[default]
    Sum,
    /// Weighted mean.
    Mean,
    /// Largest step value.
    Max,
    /// Smallest step value.
    Min,
    /// Value of the step holding the window's last day.
    Last,
}

impl Reduce {
    /// The word written in scenario files.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Reduce::Sum => "sum",
            Reduce::Mean => "mean",
            Reduce::Max => "max",
            Reduce::Min => "min",
            Reduce::Last => "last",
        }
    }
}

/// What a target's step values are multiplied by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetScale {
    /// As recorded.
    #[default]
    None,
    /// A `price_ratio/<item>` series times the item's `base_price_usd_per_kg` (read from the
    /// replication's parameters, so a sampled base price scales its own replication): USD/kg.
    BasePrice,
}

/// One target: what is compared, over which dates, with which observed value. The model holds
/// them in [`crate::ModelParams::targets`] and the [`crate::OutputSchema`] carries them, so the
/// experiment engine reads them without knowing the scenario format.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TargetInfo {
    /// Unique name; the metric is `target/<name>`.
    pub name: String,
    /// A per-step variable name; `*` matches one path segment, matches are summed.
    pub series: String,
    /// First day of the window (inclusive).
    pub from: NaiveDate,
    /// Last day of the window (inclusive).
    pub to: NaiveDate,
    /// How the window's steps become one number.
    pub reduce: Reduce,
    /// What the step values are multiplied by.
    pub scale: TargetScale,
    /// The observed value, in `unit`; `None` exactly for a prediction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub historical: Option<f64>,
    /// Unit of the value (e.g. `t`, `USD/kg`).
    pub unit: String,
    /// Where the observed value comes from (for a prediction: that none is used).
    pub source: String,
    /// Fitted, held out or predicted.
    pub role: TargetRole,
    /// Relative tolerance: a calibration's loss is
    /// `weight · (ln(p50 / historical) / ln(1 + tolerance))²`; `None` exactly for a prediction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<f64>,
    /// Weight in a calibration's loss; `None` exactly for a prediction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
}

/// What a `fit` or `holdout` target was observed to be, and how a calibration weighs it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Observed {
    /// The observed value, in the target's unit (> 0).
    pub historical: f64,
    /// Relative tolerance (> 0).
    pub tolerance: f64,
    /// Weight in a calibration's loss (>= 0).
    pub weight: f64,
}

impl TargetInfo {
    /// The name of the target's per-replication metric, `target/<name>`.
    #[must_use]
    pub fn metric(&self) -> String {
        format!("{TARGET_METRIC_PREFIX}{}", self.name)
    }

    /// The observed value, tolerance and weight of a `fit` or `holdout` target; `None` for a
    /// prediction (and for a target missing one of them, which [`crate::Model::new`] refuses).
    #[must_use]
    pub fn observed(&self) -> Option<Observed> {
        if !self.role.is_observed() {
            return None;
        }
        Some(Observed {
            historical: self.historical?,
            tolerance: self.tolerance?,
            weight: self.weight?,
        })
    }
}

/// Why a target cannot be read off the model's outputs.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// The series pattern matches no per-step variable.
    #[error("`{series}` matches no per-step variable")]
    NoMatch {
        /// The pattern as written.
        series: String,
    },
    /// `from` is after `to`.
    #[error("the window is empty: `from` ({from}) is after `to` ({to})")]
    Reversed {
        /// First day.
        from: NaiveDate,
        /// Last day.
        to: NaiveDate,
    },
    /// Part of the window lies outside the simulated days.
    #[error(
        "the window {from} to {to} is not inside the simulated days {first} to {last} (a window partly outside the horizon is refused, not cut)"
    )]
    OutsideHorizon {
        /// First day of the window.
        from: NaiveDate,
        /// Last day of the window.
        to: NaiveDate,
        /// First simulated day.
        first: NaiveDate,
        /// Last simulated day.
        last: NaiveDate,
    },
    /// `scale = "base_price"` on a variable that is not a world price ratio.
    #[error(
        "`scale = \"base_price\"` applies to `price_ratio/<item>` only, and `{var}` is not one"
    )]
    ScaleNotPrice {
        /// The matched variable.
        var: String,
    },
    /// A number outside its range.
    #[error("`{field}` = {value} is not allowed; expected {expected}")]
    OutOfRange {
        /// The field.
        field: &'static str,
        /// The value, printed.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A `fit` or `holdout` target without a number it needs.
    #[error("a `{role}` target needs `{field}`")]
    Missing {
        /// The field.
        field: &'static str,
        /// The target's role.
        role: &'static str,
    },
    /// A prediction given a number only an observed target has.
    #[error("a prediction has no observed value: `{field}` does not apply")]
    NotForPrediction {
        /// The field.
        field: &'static str,
    },
    /// Two targets share a name (their metrics would collide).
    #[error("the name `{name}` is used by another target")]
    Duplicate {
        /// The name.
        name: String,
    },
}

impl TargetError {
    /// The `[[target]]` key the error is about.
    #[must_use]
    pub fn field(&self) -> &'static str {
        match self {
            TargetError::NoMatch { .. } => "series",
            TargetError::Reversed { .. } => "from",
            TargetError::OutsideHorizon { from, first, .. } => {
                if from < first {
                    "from"
                } else {
                    "to"
                }
            }
            TargetError::ScaleNotPrice { .. } => "scale",
            TargetError::OutOfRange { field, .. }
            | TargetError::Missing { field, .. }
            | TargetError::NotForPrediction { field } => field,
            TargetError::Duplicate { .. } => "name",
        }
    }
}

/// True when the variable `name` matches `pattern`: as many `/`-separated segments, each equal
/// or `*`.
#[must_use]
pub fn series_matches(pattern: &str, name: &str) -> bool {
    let (mut p, mut n) = (pattern.split('/'), name.split('/'));
    loop {
        match (p.next(), n.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a == "*" || a == b => {}
            _ => return false,
        }
    }
}

/// A target ready to evaluate: matched variables, per-step weights of its window.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CompiledTarget {
    /// Each matched variable and the item whose base price scales it (`scale = "base_price"`).
    vars: Vec<(usize, Option<usize>)>,
    /// The step holding the window's first day.
    first_step: usize,
    /// Weight of each step from `first_step` on (the last holds the window's last day).
    weights: Vec<f64>,
    reduce: Reduce,
}

impl CompiledTarget {
    /// Resolves `t` against the model's per-step variables `step_vars` and its calendar;
    /// `item_of` gives the index of an item by name.
    pub(crate) fn new(
        t: &TargetInfo,
        step_vars: &[String],
        calendar: &Calendar,
        item_of: &dyn Fn(&str) -> Option<usize>,
    ) -> Result<Self, TargetError> {
        check_observed(t)?;
        let mut vars = Vec::new();
        for (k, name) in step_vars.iter().enumerate() {
            if !series_matches(&t.series, name) {
                continue;
            }
            let item = match t.scale {
                TargetScale::None => None,
                TargetScale::BasePrice => {
                    let item = name.strip_prefix(PRICE_RATIO_PREFIX).and_then(item_of);
                    match item {
                        Some(i) => Some(i),
                        None => return Err(TargetError::ScaleNotPrice { var: name.clone() }),
                    }
                }
            };
            vars.push((k, item));
        }
        if vars.is_empty() {
            return Err(TargetError::NoMatch {
                series: t.series.clone(),
            });
        }
        let (first_step, weights) = window_weights(t.from, t.to, calendar)?;
        Ok(Self {
            vars,
            first_step,
            weights,
            reduce: t.reduce,
        })
    }

    /// The step's value: the matched variables, each scaled, summed.
    fn step_value(&self, row: &[f64], base_price: &dyn Fn(usize) -> f64) -> f64 {
        self.vars
            .iter()
            .map(|&(var, item)| row[var] * item.map_or(1.0, base_price))
            .sum()
    }

    /// The target's value in a finished replication: `rows` is its trajectory, step-major with
    /// `n_vars` variables a step; `base_price` gives an item's base price in that replication.
    pub(crate) fn value(
        &self,
        rows: &[f64],
        n_vars: usize,
        base_price: &dyn Fn(usize) -> f64,
    ) -> f64 {
        let steps = self.weights.iter().enumerate().map(|(j, &w)| {
            let at = (self.first_step + j) * n_vars;
            (w, self.step_value(&rows[at..at + n_vars], base_price))
        });
        match self.reduce {
            Reduce::Sum => steps.map(|(w, v)| w * v).sum(),
            Reduce::Mean => {
                let (wv, w) = steps.fold((0.0, 0.0), |(wv, ws), (w, v)| (wv + w * v, ws + w));
                if w > 0.0 { wv / w } else { 0.0 }
            }
            Reduce::Max => steps
                .filter(|(w, _)| *w > 0.0)
                .map(|(_, v)| v)
                .fold(f64::NEG_INFINITY, f64::max),
            Reduce::Min => steps
                .filter(|(w, _)| *w > 0.0)
                .map(|(_, v)| v)
                .fold(f64::INFINITY, f64::min),
            Reduce::Last => steps.last().map_or(0.0, |(_, v)| v),
        }
    }
}

/// The numbers of an observed target are present and in range; a prediction has none.
fn check_observed(t: &TargetInfo) -> Result<(), TargetError> {
    let fields = [
        (
            "historical",
            t.historical,
            (|v: f64| v.is_finite() && v > 0.0) as fn(f64) -> bool,
            "a number > 0 (the loss compares logarithms)",
        ),
        (
            "tolerance",
            t.tolerance,
            |v: f64| v.is_finite() && v > 0.0,
            "a number > 0",
        ),
        (
            "weight",
            t.weight,
            |v: f64| v.is_finite() && v >= 0.0,
            "a number >= 0",
        ),
    ];
    for (field, value, ok, expected) in fields {
        match (t.role.is_observed(), value) {
            (false, Some(_)) => return Err(TargetError::NotForPrediction { field }),
            (true, None) => {
                return Err(TargetError::Missing {
                    field,
                    role: t.role.as_str(),
                });
            }
            (true, Some(v)) if !ok(v) => {
                return Err(TargetError::OutOfRange {
                    field,
                    value: v.to_string(),
                    expected,
                });
            }
            // A prediction without the number, or an observed target with it in range.
            _ => {}
        }
    }
    Ok(())
}

/// The step holding `from` and the share of each step's days in `[from, to]`, up to the step
/// holding `to`. Errors when the window is empty or not wholly inside the simulated days.
fn window_weights(
    from: NaiveDate,
    to: NaiveDate,
    calendar: &Calendar,
) -> Result<(usize, Vec<f64>), TargetError> {
    if from > to {
        return Err(TargetError::Reversed { from, to });
    }
    let step_days = i64::from(calendar.step_days.max(1));
    let first = calendar.start;
    let last = calendar
        .date_of(calendar.n_steps)
        .pred_opt()
        .unwrap_or(first);
    if from < first || to > last || calendar.n_steps == 0 {
        return Err(TargetError::OutsideHorizon {
            from,
            to,
            first,
            last,
        });
    }
    // Day numbers from the start, both inside [0, n_steps · step_days).
    let (a, b) = ((from - first).num_days(), (to - first).num_days());
    let (s0, s1) = (a / step_days, b / step_days);
    let weights = (s0..=s1)
        .map(|s| {
            let (lo, hi) = (s * step_days, (s + 1) * step_days - 1);
            let days = hi.min(b) - lo.max(a) + 1;
            days as f64 / step_days as f64
        })
        .collect();
    Ok((usize::try_from(s0).unwrap_or(0), weights))
}

/// Compiles every target of a model; errors are paired with the target's index. Names must be
/// unique.
pub(crate) fn compile_all(
    targets: &[TargetInfo],
    step_vars: &[String],
    calendar: &Calendar,
    item_of: &dyn Fn(&str) -> Option<usize>,
) -> Result<Vec<CompiledTarget>, Vec<(usize, TargetError)>> {
    let mut out = Vec::with_capacity(targets.len());
    let mut errors = Vec::new();
    for (k, t) in targets.iter().enumerate() {
        if targets[..k].iter().any(|o| o.name == t.name) {
            errors.push((
                k,
                TargetError::Duplicate {
                    name: t.name.clone(),
                },
            ));
            continue;
        }
        match CompiledTarget::new(t, step_vars, calendar, item_of) {
            Ok(c) => out.push(c),
            Err(e) => errors.push((k, e)),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests;
