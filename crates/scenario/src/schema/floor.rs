//! `[[floor]]` (issue 18), kept beside the other schema types (see `docs/scenarios.md`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::num::Num;

/// `[[floor]]`: a price floor (contract for difference) under one producer's output.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FloorSpec {
    /// Unique name.
    #[serde(default)]
    pub name: String,
    /// The producer covered.
    #[serde(default)]
    pub producer: String,
    /// The item whose price is floored; absent = the producer's main output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// The floor, USD per kg.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub floor_usd_per_kg: Option<Num>,
    /// First day in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// Weeks in force; absent = to the horizon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_weeks: Option<Num>,
    /// Most tonnes covered per calendar year; absent = no cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_t_per_year: Option<Num>,
    /// Most USD paid in all; absent = no cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_usd: Option<Num>,
    /// Share of the producer's output of the item the government buys; absent = none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offtake_share: Option<Num>,
    /// The stockpile the offtake goes into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offtake_stockpile: Option<String>,
}
