//! `[[sourcing_cap]]` (issue 18), kept beside the other schema types (see `docs/scenarios.md`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::num::Num;

/// `[[sourcing_cap]]`: a diversification target: at most a share of an importing region's
/// supply of some items from any one controlling exporter, met by buying elsewhere at a premium.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SourcingCapSpec {
    /// Unique name.
    #[serde(default)]
    pub name: String,
    /// The importing region capped.
    #[serde(default)]
    pub region: String,
    /// The items capped (`"*"` = all).
    #[serde(default)]
    pub items: Vec<String>,
    /// Most share from any one controlling exporter, in (0, 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_share: Option<Num>,
    /// First day in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// Weeks in force; absent = to the horizon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_weeks: Option<Num>,
    /// What buying elsewhere first costs extra, as a share of the world price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub premium_share: Option<Num>,
}
