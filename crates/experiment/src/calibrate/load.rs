//! Reading a calibration file and checking it against its scenario.

use std::fmt::Write as _;
use std::path::Path;

use chokepoint_core::{Model, ScenarioSource, TargetInfo, TargetRole};
use sha2::{Digest, Sha256};

use super::{Calibration, CalibrationError, FitTarget, Parameter, Problem, Scale, file, output};
use crate::plan::Load;
use chokepoint_diagnostics::did_you_mean;

impl Calibration {
    /// Reads and checks the file at `path` on its own (not yet against its scenario).
    pub fn read(path: &Path) -> Result<Self, CalibrationError> {
        let text = read_text(path)?;
        let raw = file::parse(path, &text)?;
        let at = file::At { path, text: &text };
        let checked = file::check(&raw, &at).map_err(CalibrationError::Problems)?;
        Ok(Self::build(path, &text, &raw, checked))
    }

    /// Reads the file, loads its scenario through `loader` and checks the file against it: every
    /// parameter at both ends of its range, and every metric target's metric. All problems
    /// (of the file alone and against the scenario) are reported at once, each at its line, in
    /// line order, before anything runs.
    pub fn load<S: ScenarioSource>(
        path: &Path,
        loader: &dyn Load<S>,
    ) -> Result<(Self, S), CalibrationError> {
        let text = read_text(path)?;
        let raw = file::parse(path, &text)?;
        let at = file::At { path, text: &text };
        let (checked, mut problems) = match file::check(&raw, &at) {
            Ok(c) => (Some(c), Vec::new()),
            Err(p) => (None, p),
        };
        let dir = path.parent().unwrap_or(Path::new(""));
        let scenario_path = dir.join(raw.scenario.get_ref());
        let scenario =
            loader
                .scenario(&scenario_path, &[])
                .map_err(|source| CalibrationError::Scenario {
                    path: scenario_path.clone(),
                    source,
                })?;
        problems.extend(against_scenario(&raw, &at, &scenario)?);
        problems.sort_by_key(|p| (p.line, p.column));
        match checked {
            Some(checked) if problems.is_empty() => {
                let mut cal = Self::build(path, &text, &raw, checked);
                for p in &mut cal.parameters {
                    p.integer = scenario.is_integer_at(&p.key);
                }
                Ok((cal, scenario))
            }
            _ => Err(CalibrationError::Problems(problems)),
        }
    }

    fn build(path: &Path, text: &str, raw: &file::RawFile, checked: file::Checked) -> Self {
        let dir = path.parent().unwrap_or(Path::new(""));
        let name = raw.name.as_ref().map_or_else(
            || {
                path.file_stem()
                    .map_or("calibration".into(), |s| s.to_string_lossy().into_owned())
            },
            |n| n.get_ref().clone(),
        );
        Calibration {
            path: path.to_owned(),
            name,
            file_sha256: output::sha256_hex(text.as_bytes()),
            scenario: dir.join(raw.scenario.get_ref()),
            seed: *raw.seed.get_ref(),
            replications: *raw.replications.get_ref(),
            statistic: checked.statistic,
            search: checked.search,
            parameters: raw
                .parameters
                .iter()
                .map(|p| {
                    let q = p.get_ref();
                    Parameter {
                        key: q.key.get_ref().clone(),
                        min: *q.min.get_ref(),
                        max: *q.max.get_ref(),
                        scale: q.scale.as_ref().map_or(Scale::Linear, |s| *s.get_ref()),
                        integer: false,
                        line: file::line_col(text, q.key.span().start).0,
                    }
                })
                .collect(),
            targets: raw
                .targets
                .iter()
                .map(|t| {
                    let t = t.get_ref();
                    FitTarget {
                        metric: t.metric.get_ref().clone(),
                        historical: *t.historical.get_ref(),
                        tolerance: *t.tolerance.get_ref(),
                        weight: t.weight.as_ref().map_or(1.0, |w| *w.get_ref()),
                    }
                })
                .collect(),
        }
    }

    /// The parameter values at unit coordinates `unit`.
    #[must_use]
    pub fn values_at(&self, unit: &[f64]) -> Vec<f64> {
        self.parameters
            .iter()
            .zip(unit)
            .map(|(p, u)| p.value_at(*u))
            .collect()
    }

    /// What the calibration fits: the scenario's own `[[target]]` entries with `role = "fit"`
    /// (metric `target/<name>`, in file order; holdout targets and predictions are never
    /// fitted), then the
    /// `[[metric_target]]` entries of the calibration file.
    #[must_use]
    pub fn fit_targets<S: ScenarioSource>(&self, scenario: &S) -> Vec<FitTarget> {
        let mut out = scenario_fit_targets(&scenario.central().targets);
        out.extend(self.targets.iter().cloned());
        out
    }

    /// A hash of everything that determines the candidates and their losses: the calibration
    /// file, the resolved scenario and the targets.
    #[must_use]
    pub fn hash<S: ScenarioSource>(&self, scenario: &S, targets: &[FitTarget]) -> String {
        let mut h = Sha256::new();
        h.update(self.file_sha256.as_bytes());
        h.update(b"\0");
        h.update(scenario.resolved_text().as_bytes());
        h.update(b"\0");
        h.update(serde_json::to_vec(targets).unwrap_or_default());
        output::hex(&h.finalize())
    }
}

/// The `fit` targets among a scenario's `[[target]]` entries, in file order, as the loss takes
/// them: holdouts and predictions (which have no observed value) are left out.
fn scenario_fit_targets(targets: &[TargetInfo]) -> Vec<FitTarget> {
    targets
        .iter()
        .filter(|t| t.role == TargetRole::Fit)
        .filter_map(|t| {
            let o = t.observed()?;
            Some(FitTarget {
                metric: t.metric(),
                historical: o.historical,
                tolerance: o.tolerance,
                weight: o.weight,
            })
        })
        .collect()
}

/// An error and its sources, on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(c) = src {
        let _ = write!(s, ": {c}");
        src = c.source();
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn read_text(path: &Path) -> Result<String, CalibrationError> {
    chokepoint_diagnostics::read_text(path).map_err(|source| CalibrationError::Read {
        path: path.to_owned(),
        source,
    })
}

/// Problems of the file against its scenario: a parameter the scenario refuses at either end of
/// its range, a metric target naming no metric.
fn against_scenario<S: ScenarioSource>(
    raw: &file::RawFile,
    at: &file::At<'_>,
    scenario: &S,
) -> Result<Vec<Problem>, CalibrationError> {
    let mut problems = Vec::new();
    for (k, p) in raw.parameters.iter().enumerate() {
        let p = p.get_ref();
        for end in [&p.min, &p.max] {
            if let Err(e) = scenario.with_values(&[(p.key.get_ref(), *end.get_ref())]) {
                problems.push(at.problem(
                    &p.key,
                    &format!("parameter.{k}.key"),
                    format!(
                        "the scenario refuses `{}` = {}: {}",
                        p.key.get_ref(),
                        end.get_ref(),
                        chain(&e)
                    ),
                    None,
                ));
                break;
            }
        }
    }
    let schema = Model::new(scenario.central().clone())
        .map_err(|e| CalibrationError::Engine(e.into()))?
        .schema()
        .clone();
    let names: Vec<&str> = schema.metrics.iter().map(String::as_str).collect();
    for (k, t) in raw.targets.iter().enumerate() {
        let m = t.get_ref().metric.get_ref();
        if schema.metric(m).is_none() {
            problems.push(at.problem(
                &t.get_ref().metric,
                &format!("metric_target.{k}.metric"),
                format!(
                    "`{m}` is not a metric of the scenario{}",
                    did_you_mean(m, &names)
                ),
                Some("docs/outputs.md lists the per-replication metrics".to_owned()),
            ));
        }
    }
    Ok(problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chokepoint_core::{Reduce, TargetScale};
    use chrono::NaiveDate;

    fn target(name: &str, role: TargetRole, historical: Option<f64>) -> TargetInfo {
        let observed = role != TargetRole::Prediction;
        TargetInfo {
            name: name.into(),
            series: "exports_t/ndfeb".into(),
            from: NaiveDate::from_ymd_opt(2025, 4, 1).unwrap(),
            to: NaiveDate::from_ymd_opt(2025, 4, 30).unwrap(),
            reduce: Reduce::Sum,
            scale: TargetScale::None,
            historical,
            unit: "t".into(),
            source: "test".into(),
            role,
            tolerance: observed.then_some(0.3),
            weight: observed.then_some(2.0),
        }
    }

    #[test]
    fn only_fit_targets_are_fitted_never_holdouts_or_predictions() {
        let targets = [
            target("ahead", TargetRole::Prediction, None),
            target("fitted", TargetRole::Fit, Some(100.0)),
            target("held", TargetRole::Holdout, Some(50.0)),
            target("later", TargetRole::Prediction, None),
        ];
        let fit = scenario_fit_targets(&targets);
        assert_eq!(
            fit,
            [FitTarget {
                metric: "target/fitted".into(),
                historical: 100.0,
                tolerance: 0.3,
                weight: 2.0,
            }]
        );
        let only_predictions = [target("ahead", TargetRole::Prediction, None)];
        assert!(scenario_fit_targets(&only_predictions).is_empty());
    }
}
