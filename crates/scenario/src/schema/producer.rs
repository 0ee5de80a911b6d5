//! `[[producer]]` and `[defaults.producer]`, kept beside the other schema types (see
//! `docs/scenarios.md`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{EconomicsKnobs, EconomicsSpec, PlanKnobs, PlanSpec};
use crate::num::Num;

/// Producer behaviour; in `[defaults.producer]` and overridable per producer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProducerKnobs {
    /// Share of capacity used at baseline prices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utilisation: Option<Num>,
    /// Response of utilisation to the output price ratio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supply_elasticity: Option<Num>,
    /// Target input inventory, weeks of baseline use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_cover_weeks: Option<Num>,
    /// Weeks over which an input gap is closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_adjust_weeks: Option<Num>,
    /// Opening finished-goods stock, weeks of output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warehouse_weeks: Option<Num>,
    /// Sector under which its input imports are licensed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_use: Option<String>,
    /// Outage probability per year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outage_prob_per_year: Option<Num>,
    /// Mean outage length, weeks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outage_mean_weeks: Option<Num>,
    /// Share of capacity lost in an outage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outage_depth_share: Option<Num>,
    /// Price ratio that triggers expansion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expansion_trigger_price_ratio: Option<Num>,
    /// Weeks of high prices before a project starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expansion_sustain_weeks: Option<Num>,
    /// Project lead time, weeks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expansion_lead_time_weeks: Option<LeadTimeSpec>,
    /// Capacity added per project, share of initial capacity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expansion_increment_share: Option<Num>,
    /// Cap on capacity, multiple of initial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expansion_max_capacity_multiple: Option<Num>,
    /// Producer economics that may fall back to `[defaults.producer]` (issue 18).
    #[serde(flatten)]
    pub economics: EconomicsKnobs,
    /// Financing of planned capacity that may fall back to `[defaults.producer]` (issue 18).
    #[serde(flatten)]
    pub plan: PlanKnobs,
}

/// A lead time in weeks: lognormal around `median`, truncated at `max`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LeadTimeSpec {
    /// Median, weeks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median: Option<Num>,
    /// Log-sd.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigma: Option<Num>,
    /// Maximum, weeks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Num>,
}

/// `[[producer]]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProducerSpec {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Region.
    #[serde(default)]
    pub region: String,
    /// `mining`, `separation` or `magnet_making`.
    #[serde(default)]
    pub stage: String,
    /// Nameplate capacity, tonnes per year (of output; of feed for separation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity_t_per_year: Option<Num>,
    /// Mining: the item produced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// Separation: the feed item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feed: Option<String>,
    /// Separation: tonnes of each material per tonne of feed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub yields: BTreeMap<String, Num>,
    /// Magnet making: the product (inputs follow its bill of materials).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Date output starts (a mine or plant built or restarted during the run); absent = in
    /// operation from the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online: Option<NaiveDate>,
    /// Weeks from `online` to full capacity (linear ramp).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ramp_weeks: Option<Num>,
    /// Costs and operator (issue 18).
    #[serde(flatten)]
    pub economics: EconomicsSpec,
    /// Planned capacity that comes on only if financed (issue 18); exclusive with `online`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<PlanSpec>,
    /// Behaviour overriding the defaults.
    #[serde(flatten)]
    pub knobs: ProducerKnobs,
}
