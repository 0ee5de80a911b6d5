//! The calibration file: TOML read with serde, every number checked with its file and line.
//!
//! ```toml
//! name = "japan_2010"                  # optional; default: the file's stem
//! scenario = "../japan_halt_2010.toml" # relative to this file
//! seed = 2010
//! replications = 64                    # per candidate, the same run ids for every candidate
//! statistic = "p50"                    # p50 (default) | mean
//!
//! [search]
//! method = "lhs+nelder-mead"
//! lhs_points = 20
//! nelder_mead_iterations = 40
//! restarts = 0                         # optional
//! initial_step = 0.1                   # optional: first simplex edge, unit-box coordinates
//!
//! [[parameter]]
//! key = "defaults.price.elasticity"   # a scenario key path, as for --set
//! min = 0.02
//! max = 0.5
//! scale = "log"                        # linear (default) | log
//!
//! [[metric_target]]                    # fit a per-replication metric directly
//! metric = "exports_t"
//! historical = 39800.0
//! tolerance = 0.3
//! weight = 1.0
//! source = "facts §1"
//! ```
//!
//! Shape errors (a misspelt key, a wrong type) come from serde with their position; every other
//! problem is collected, so one run of the command lists them all.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::search::SearchSettings;
use super::{CalibrationError, Problem, Scale, Statistic};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    pub name: Option<Spanned<String>>,
    pub scenario: Spanned<PathBuf>,
    pub seed: Spanned<u64>,
    pub replications: Spanned<u64>,
    #[serde(default)]
    pub statistic: Option<Spanned<Statistic>>,
    pub search: Spanned<RawSearch>,
    #[serde(default, rename = "parameter")]
    pub parameters: Vec<Spanned<RawParameter>>,
    #[serde(default, rename = "metric_target")]
    pub targets: Vec<Spanned<RawTarget>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSearch {
    pub method: Spanned<String>,
    pub lhs_points: Spanned<u64>,
    pub nelder_mead_iterations: Spanned<u64>,
    #[serde(default)]
    pub restarts: Option<Spanned<u64>>,
    #[serde(default)]
    pub initial_step: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawParameter {
    pub key: Spanned<String>,
    pub min: Spanned<f64>,
    pub max: Spanned<f64>,
    #[serde(default)]
    pub scale: Option<Spanned<Scale>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTarget {
    pub metric: Spanned<String>,
    pub historical: Spanned<f64>,
    pub tolerance: Spanned<f64>,
    #[serde(default)]
    pub weight: Option<Spanned<f64>>,
    #[serde(default)]
    #[allow(
        dead_code,
        reason = "documents where the historical value comes from; accepted so files cite it"
    )]
    pub source: Option<String>,
}

/// The one search method there is.
pub(super) const METHOD: &str = "lhs+nelder-mead";

/// Edge of the first simplex when the file does not say: a tenth of every range (in unit-box
/// coordinates), a common default for Nelder–Mead on a scaled box.
const DEFAULT_INITIAL_STEP: f64 = 0.1;

/// Line and column (from 1) of byte `offset` of `text`.
pub(super) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before.len(), |k| before.len() - k - 1)
        + 1;
    (line, col)
}

/// Where problems are put: the file and its text.
pub(super) struct At<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

impl At<'_> {
    pub fn problem<T>(
        &self,
        at: &Spanned<T>,
        key: &str,
        message: String,
        fix: Option<String>,
    ) -> Problem {
        let (line, column) = line_col(self.text, at.span().start);
        Problem {
            file: self.path.to_owned(),
            line,
            column,
            key: key.to_owned(),
            message,
            fix: fix.unwrap_or_default(),
        }
    }
}

/// What the file says, checked on its own (not yet against the scenario).
pub(super) struct Checked {
    pub search: SearchSettings,
    pub statistic: Statistic,
}

/// Parses `text` (the file at `path`).
pub(super) fn parse(path: &Path, text: &str) -> Result<RawFile, CalibrationError> {
    chokepoint_diagnostics::read_toml::<RawFile>(
        path,
        text,
        "the calibration file format in docs/experiments.md (Calibration)",
    )
    .map_err(CalibrationError::Problems)
}

/// Checks every number that can be checked without the scenario; collects all problems.
pub(super) fn check(raw: &RawFile, at: &At<'_>) -> Result<Checked, Vec<Problem>> {
    let mut problems = Vec::new();
    let s = raw.search.get_ref();
    if s.method.get_ref() != METHOD {
        problems.push(at.problem(
            &s.method,
            "search.method",
            format!("unknown search method `{}`", s.method.get_ref()),
            Some(format!("write `method = \"{METHOD}\"`")),
        ));
    }
    if *raw.replications.get_ref() == 0 {
        problems.push(at.problem(
            &raw.replications,
            "replications",
            "must be at least 1".to_owned(),
            None,
        ));
    }
    if *s.lhs_points.get_ref() == 0 {
        problems.push(
            at.problem(
                &s.lhs_points,
                "search.lhs_points",
                "must be at least 1 (Nelder–Mead starts from the best point of the hypercube)"
                    .to_owned(),
                None,
            ),
        );
    }
    let initial_step = s
        .initial_step
        .as_ref()
        .map_or(DEFAULT_INITIAL_STEP, |x| *x.get_ref());
    if let Some(x) = &s.initial_step
        && !(*x.get_ref() > 0.0 && *x.get_ref() <= 0.5)
    {
        problems.push(at.problem(
            x,
            "search.initial_step",
            format!("must lie in (0, 0.5], not {}", x.get_ref()),
            Some("it is a share of every parameter's range (unit-box coordinates)".to_owned()),
        ));
    }
    if raw.parameters.is_empty() {
        problems.push(at.problem(
            &raw.search,
            "parameter",
            "the file names no [[parameter]] to calibrate".to_owned(),
            Some("add [[parameter]] entries with key, min and max".to_owned()),
        ));
    }
    for (k, p) in raw.parameters.iter().enumerate() {
        let p = p.get_ref();
        let key = p.key.get_ref();
        let (lo, hi) = (*p.min.get_ref(), *p.max.get_ref());
        if !(lo.is_finite() && hi.is_finite()) || lo >= hi {
            problems.push(at.problem(
                &p.min,
                &format!("parameter.{k}.min"),
                format!("`{key}`: min ({lo}) must be finite and below max ({hi})"),
                None,
            ));
        }
        if p.scale.as_ref().is_some_and(|s| *s.get_ref() == Scale::Log) && lo <= 0.0 {
            problems.push(at.problem(
                &p.min,
                &format!("parameter.{k}.min"),
                format!("`{key}`: a log scale needs min > 0, not {lo}"),
                Some("use scale = \"linear\", or a positive min".to_owned()),
            ));
        }
        if let Some(first) = raw.parameters[..k]
            .iter()
            .position(|q| q.get_ref().key.get_ref() == key)
        {
            problems.push(at.problem(
                &p.key,
                &format!("parameter.{k}.key"),
                format!("`{key}` is already parameter {first}"),
                Some("give each key once".to_owned()),
            ));
        }
    }
    for (k, t) in raw.targets.iter().enumerate() {
        let t = t.get_ref();
        let metric = t.metric.get_ref();
        let h = *t.historical.get_ref();
        if !(h.is_finite() && h > 0.0) {
            problems.push(at.problem(
                &t.historical,
                &format!("metric_target.{k}.historical"),
                format!("`{metric}`: must be a number > 0 (the loss compares logarithms), not {h}"),
                None,
            ));
        }
        let tol = *t.tolerance.get_ref();
        if !(tol.is_finite() && tol > 0.0) {
            problems.push(at.problem(
                &t.tolerance,
                &format!("metric_target.{k}.tolerance"),
                format!("`{metric}`: must be a number > 0 (a relative error), not {tol}"),
                None,
            ));
        }
        if let Some(w) = &t.weight
            && !(w.get_ref().is_finite() && *w.get_ref() >= 0.0)
        {
            problems.push(at.problem(
                w,
                &format!("metric_target.{k}.weight"),
                format!("`{metric}`: must be a number >= 0, not {}", w.get_ref()),
                None,
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Checked {
        search: SearchSettings {
            lhs_points: usize::try_from(*s.lhs_points.get_ref()).unwrap_or(usize::MAX),
            nelder_mead_iterations: *s.nelder_mead_iterations.get_ref(),
            restarts: s
                .restarts
                .as_ref()
                .map_or(0, |r| usize::try_from(*r.get_ref()).unwrap_or(usize::MAX)),
            initial_step,
        },
        statistic: raw
            .statistic
            .as_ref()
            .map_or(Statistic::P50, |s| *s.get_ref()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_count_from_one() {
        let text = "a = 1\nbb = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        assert_eq!(line_col(text, 11), (2, 6));
    }
}
