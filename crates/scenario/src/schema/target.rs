//! `[[target]]`, kept beside the other schema types (see `docs/scenarios.md`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// `[[target]]`: an observed value and the output it is compared with. Its numbers are fixed
/// (never distributions): they are data, not model parameters.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TargetSpec {
    /// Unique name; the metric is `target/<name>`.
    #[serde(default)]
    pub name: String,
    /// A per-step variable name; `*` matches one path segment, matches are summed.
    #[serde(default)]
    pub series: String,
    /// First day of the window (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Last day of the window (inclusive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
    /// `sum`, `mean`, `max`, `min` or `last`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reduce: Option<String>,
    /// `none` or `base_price`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<String>,
    /// The observed value, in `unit` (none for a prediction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub historical: Option<f64>,
    /// Unit of the observed value.
    #[serde(default)]
    pub unit: String,
    /// Where the observed value comes from.
    #[serde(default)]
    pub source: String,
    /// `fit`, `holdout` or `prediction` (no observed value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Relative tolerance of the calibration loss.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<f64>,
    /// Weight in the calibration loss.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
}
