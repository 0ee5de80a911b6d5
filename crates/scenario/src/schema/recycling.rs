//! `[[recycling]]` (issue 18): recycling mandates (see `docs/scenarios.md`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::num::Num;

/// `[[recycling]]`: end-of-life scrap of a product collected in a region and its materials
/// recovered, after a lead time, at a cost the mandate covers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RecyclingSpec {
    /// Unique name.
    #[serde(default)]
    pub name: String,
    /// Where the scrap arises and the recovered materials go.
    #[serde(default)]
    pub region: String,
    /// The product recycled (one with a `bom`).
    #[serde(default)]
    pub scrap_item: String,
    /// End-of-life arisings, tonnes per year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eol_t_per_year: Option<Num>,
    /// Share collected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection_share: Option<Num>,
    /// Share of each material recovered; absent = 0.9.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_share: Option<Num>,
    /// The mandate's date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// Weeks from the mandate to first output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_weeks: Option<Num>,
    /// Weeks from first output to full collection; absent = 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ramp_weeks: Option<Num>,
    /// Processing cost, USD per kg of scrap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cash_cost_usd_per_kg: Option<Num>,
    /// Most the mandate pays; absent = no cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_usd: Option<Num>,
}
