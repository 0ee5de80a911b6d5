//! Planned capacity (`[producer.plan]`) and `[[grant]]` (issue 18), kept beside the other schema
//! types (see `docs/scenarios.md`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::num::Num;

/// `[producer.plan]`: capacity that comes on only if financed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanSpec {
    /// First day the project may be financed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_from: Option<NaiveDate>,
    /// Weeks from financing to first output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_weeks: Option<Num>,
    /// Weeks from first output to full capacity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ramp_weeks: Option<Num>,
    /// Capital cost, USD; absent = 0 (financed at `decision_from`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capex_usd: Option<Num>,
    /// Abandoned if not financed this many weeks after `decision_from`; absent = never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abandon_after_weeks: Option<Num>,
}

/// Financing keys a producer may take from `[defaults.producer]` (flattened into the knobs).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PlanKnobs {
    /// Annual capital charge per USD of capex net of support.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capital_charge_share_per_year: Option<Num>,
    /// Time constant of the expected price, weeks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub financing_window_weeks: Option<Num>,
}

/// `[[grant]]`: a grant or a loan to a planned producer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GrantSpec {
    /// Unique name.
    #[serde(default)]
    pub name: String,
    /// The planned producer supported.
    #[serde(default)]
    pub producer: String,
    /// `grant` or `loan`; absent = `grant`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Principal, USD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_usd: Option<Num>,
    /// Commitment date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// Weeks cut from the plan's `build_weeks`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_time_cut_weeks: Option<Num>,
    /// A loan's subsidy as a share of its principal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_element_share: Option<Num>,
    /// A loan's repayment term, years.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_years: Option<Num>,
}
