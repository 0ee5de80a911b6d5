//! `[[target]]`: observed values, resolved against the model's per-step variables.
//!
//! The fields are read here (choices from the key table, numbers checked against their key's
//! range); the series pattern and the window are checked by the model's own resolution
//! ([`core::Model::check_targets`]), which this module runs once the rest of the scenario is
//! sound, so that what is checked is what runs. An unmatched series is reported with the
//! variables closest to it.

use chokepoint_core as core;

use super::Build;
use crate::keys::{Table, Ty};

/// How many close variable names an unmatched series lists.
const CLOSE_NAMES: usize = 6;

/// The words a `[[target]]` choice key accepts, from the key table.
fn choices(key: &str) -> &'static [&'static str] {
    match Table::Target.key(key).map(|k| k.ty) {
        Some(Ty::Choice(words)) => words,
        _ => &[],
    }
}

impl Build<'_> {
    /// Every `[[target]]`, read and checked field by field. The series and windows are resolved
    /// later, by [`Build::resolve_targets`], once the parameters are whole.
    pub(super) fn build_targets(&mut self, calendar: &core::Calendar) -> Vec<core::TargetInfo> {
        let f = self.file;
        let names: Vec<&str> = f.target.iter().map(|t| t.name.as_str()).collect();
        self.unique("target", &names);
        let mut out = Vec::with_capacity(f.target.len());
        for (k, t) in f.target.iter().enumerate() {
            let key = format!("target.{k}");
            for (field, empty, example) in [
                (
                    "name",
                    t.name.is_empty(),
                    "name = \"japan_imports_2010_09\"",
                ),
                (
                    "series",
                    t.series.is_empty(),
                    "series = \"exports_t/*/japan\"",
                ),
                ("unit", t.unit.is_empty(), "unit = \"t\""),
                ("source", t.source.is_empty(), "source = \"facts §1: ...\""),
            ] {
                if empty {
                    self.problem(
                        format!("{key}.{field}"),
                        "missing required key",
                        format!("add `{example}`"),
                    );
                }
            }
            let mut date = |field: &str, value: Option<chrono::NaiveDate>| {
                value.unwrap_or_else(|| {
                    self.problem(
                        format!("{key}.{field}"),
                        "missing required key",
                        format!("add `{field} = 2010-09-01` (a date inside the horizon)"),
                    );
                    calendar.start
                })
            };
            let (from, to) = (date("from", t.from), date("to", t.to));
            let reduce = match self.choice(&key, "reduce", t.reduce.as_deref()) {
                Some("mean") => core::Reduce::Mean,
                Some("max") => core::Reduce::Max,
                Some("min") => core::Reduce::Min,
                Some("last") => core::Reduce::Last,
                _ => core::Reduce::Sum,
            };
            let scale = match self.choice(&key, "scale", t.scale.as_deref()) {
                Some("base_price") => core::TargetScale::BasePrice,
                _ => core::TargetScale::None,
            };
            let role = match self.choice(&key, "role", t.role.as_deref()) {
                Some("holdout") => core::TargetRole::Holdout,
                Some("prediction") => core::TargetRole::Prediction,
                _ => core::TargetRole::Fit,
            };
            let (historical, tolerance, weight) = if role.is_observed() {
                let historical = self.fixed(&key, "historical", t.historical);
                let tolerance = self.fixed(&key, "tolerance", t.tolerance);
                // An unweighted target counts once: 1 is the neutral weight, not a tuned value.
                let weight = t
                    .weight
                    .map_or(1.0, |w| self.fixed(&key, "weight", Some(w)));
                (Some(historical), Some(tolerance), Some(weight))
            } else {
                self.no_observed_value(&key, t);
                (None, None, None)
            };
            out.push(core::TargetInfo {
                name: t.name.clone(),
                series: t.series.clone(),
                from,
                to,
                reduce,
                scale,
                historical,
                unit: t.unit.clone(),
                source: t.source.clone(),
                role,
                tolerance,
                weight,
            });
        }
        out
    }

    /// A prediction given `historical`, `tolerance` or `weight`: each reported at its key.
    fn no_observed_value(&mut self, key: &str, t: &crate::schema::TargetSpec) {
        for (field, given) in [
            ("historical", t.historical.is_some()),
            ("tolerance", t.tolerance.is_some()),
            ("weight", t.weight.is_some()),
        ] {
            if given {
                self.problem(
                    format!("{key}.{field}"),
                    format!("a prediction has no observed value, so `{field}` does not apply"),
                    format!(
                        "remove `{field}`, or give `role = \"fit\"` or `\"holdout\"` if the value was observed"
                    ),
                );
            }
        }
    }

    /// A choice key of target `key`: one of the key table's words, or `None` when absent or
    /// wrong (reported).
    fn choice(&mut self, key: &str, field: &str, value: Option<&str>) -> Option<&'static str> {
        let words = choices(field);
        let value = value?;
        if let Some(w) = words.iter().find(|w| **w == value) {
            return Some(w);
        }
        self.problem(
            format!("{key}.{field}"),
            format!(
                "unknown {field} `{value}`{}",
                crate::did_you_mean(value, words)
            ),
            format!("use one of: {}", words.join(", ")),
        );
        None
    }

    /// A required fixed number of target `key`, checked against its key's range.
    fn fixed(&mut self, key: &str, field: &str, value: Option<f64>) -> f64 {
        let path = format!("{key}.{field}");
        let Some(v) = value else {
            self.problem(
                path,
                "missing required key",
                format!("add `{field} = <number>`"),
            );
            return 1.0;
        };
        let domain = crate::keys::domain_at(&path);
        if !domain.contains(v) {
            self.problem(
                path,
                format!("{v} is not allowed; expected {}", domain.describe()),
                format!("give `{field}` {}", domain.describe()),
            );
        }
        v
    }

    /// The model's own resolution of every target against `params` (valid and otherwise
    /// whole): an unmatched series, a window outside the horizon, a scale on a series that is
    /// not a price, each reported at its key.
    pub(super) fn resolve_targets(&mut self, params: &core::ModelParams) {
        if params.targets.is_empty() || params.validate().is_err() {
            // The model's own errors are reported elsewhere; resolution needs a valid model.
            return;
        }
        let errors = core::Model::check_targets(params);
        if errors.is_empty() {
            return;
        }
        let vars = core::Model::step_var_names(params);
        for (k, e) in errors {
            let key = format!("target.{k}.{}", e.field());
            let (message, fix) = match &e {
                core::TargetError::NoMatch { series } => {
                    let close = close_names(series, &vars);
                    (
                        format!("{e}{}", crate::did_you_mean(series, &close_refs(&close))),
                        format!(
                            "use a per-step variable of this scenario (docs/outputs.md); close ones: {}",
                            close.join(", ")
                        ),
                    )
                }
                core::TargetError::OutsideHorizon { .. } | core::TargetError::Reversed { .. } => (
                    e.to_string(),
                    "give dates with `from` <= `to`, both inside the horizon (from `start`, `horizon_weeks` long)".to_owned(),
                ),
                core::TargetError::ScaleNotPrice { .. } => (
                    e.to_string(),
                    "remove `scale`, or point `series` at a `price_ratio/<item>`".to_owned(),
                ),
                _ => (e.to_string(), "see docs/scenarios.md, `[[target]]`".to_owned()),
            };
            self.problem(key, message, fix);
        }
    }
}

fn close_refs(names: &[String]) -> Vec<&str> {
    names.iter().map(String::as_str).collect()
}

/// The variables closest to the pattern `series`, written with the pattern's `*` segments (so
/// `exports_t/*/japn` finds `exports_t/*/japan`), best first; the closest whole names when no
/// variable has as many segments.
fn close_names(series: &str, vars: &[String]) -> Vec<String> {
    let pattern: Vec<&str> = series.split('/').collect();
    let mut scored: Vec<(f64, String)> = vars
        .iter()
        .map(|v| {
            let segs: Vec<&str> = v.split('/').collect();
            let starred = if segs.len() == pattern.len() {
                segs.iter()
                    .zip(&pattern)
                    .map(|(s, p)| if *p == "*" { "*" } else { *s })
                    .collect::<Vec<_>>()
                    .join("/")
            } else {
                v.clone()
            };
            (strsim::jaro_winkler(series, &starred), starred)
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let mut out: Vec<String> = Vec::new();
    for (_, name) in scored {
        if !out.contains(&name) {
            out.push(name);
        }
        if out.len() == CLOSE_NAMES {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::close_names;

    #[test]
    fn close_names_keep_the_patterns_stars() {
        let vars: Vec<String> = [
            "exports_t/dy/japan",
            "exports_t/ndpr/japan",
            "exports_t/dy/us",
            "price_ratio/dy",
        ]
        .map(str::to_owned)
        .to_vec();
        let close = close_names("exports_t/*/japn", &vars);
        assert_eq!(close[0], "exports_t/*/japan");
        assert_eq!(
            close.iter().filter(|c| *c == "exports_t/*/japan").count(),
            1
        );
    }
}
