//! `[[undercut]]` (issue 18): the exporter's pricing rule against entrants (see
//! `docs/scenarios.md`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::num::Num;

/// `[[undercut]]`: an exporter prices an item at a share of its cheapest competitor's cost.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UndercutSpec {
    /// Unique name.
    #[serde(default)]
    pub name: String,
    /// The exporter's region (one with an `[[exporter]]` table).
    #[serde(default)]
    pub exporter: String,
    /// The item priced low.
    #[serde(default)]
    pub item: String,
    /// The producers undercut: each with economics, each making `item`.
    #[serde(default)]
    pub competitors: Vec<String>,
    /// The cap as a share of the cheapest open competitor's breakeven.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_share: Option<Num>,
    /// First day in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// Weeks in force; absent = to the horizon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_weeks: Option<Num>,
    /// `duration` (default) or `competitors_closed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_when: Option<String>,
}
