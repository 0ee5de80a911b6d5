//! Producers' parameters: stage, recipe, capacity, dated start, outages and expansion.

use serde::{Deserialize, Serialize};

use crate::ids::{ItemId, RegionId, SectorId};
use crate::keyed::LeadTime;

/// The stage of a producer, for reporting; what it does is set by its recipe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Mining: ore to mixed concentrate.
    Mining,
    /// Separation and refining: concentrate to individual oxides and metals.
    Separation,
    /// Magnet making: materials to magnets by the bill of materials.
    MagnetMaking,
}

/// One input or output of a producer's recipe, per unit of activity.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Flow {
    /// The item.
    pub item: ItemId,
    /// Tonnes per tonne of activity.
    pub t_per_unit: f64,
}

/// A mine, separation plant or magnet maker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProducerParams {
    /// Name for outputs and error messages.
    pub name: String,
    /// Where it stands; its output goes to this region's warehouse.
    pub region: RegionId,
    /// Mining, separation or magnet making.
    pub stage: Stage,
    /// Nameplate capacity, tonnes of activity per step.
    pub capacity_t_per_step: f64,
    /// Share of capacity used at baseline prices, in [0, 1].
    pub utilisation: f64,
    /// Response of utilisation to the price ratio of its first output (0 = none).
    pub supply_elasticity: f64,
    /// Inputs consumed per unit of activity (empty for a mine).
    pub inputs: Vec<Flow>,
    /// Outputs made per unit of activity; the first is its main product.
    pub outputs: Vec<Flow>,
    /// Target input inventory, in steps of baseline input use; also its opening inventory.
    pub input_cover_steps: f64,
    /// Steps over which an input inventory gap is closed by ordering.
    pub order_adjust_steps: f64,
    /// End-use sector under which its imports of inputs are licensed.
    pub end_use: SectorId,
    /// Random outages.
    pub outage: OutageParams,
    /// Capacity expansion in answer to sustained high prices.
    pub expansion: ExpansionParams,
    /// A dated start (a mine or plant built or restarted during the run): no capacity before
    /// it, then a linear ramp to full; `None` = in operation from the start.
    #[serde(default)]
    pub online: Option<Online>,
    /// Its costs (issue 18); `None` = no economics: it never closes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub economics: Option<super::Economics>,
    /// Planned capacity that comes on only if financed (issue 18); exclusive with `online`.
    /// `None` = in operation, or dated by `online`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<super::Plan>,
}

/// When a producer comes on stream: nothing before `step`, then a linear ramp that reaches full
/// capacity `ramp_steps` later (a share of `(t - step) / ramp_steps` at step `t`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Online {
    /// Reported step at which output starts (negative = before the start date: already
    /// ramping, or at full capacity, when the run opens).
    pub step: i64,
    /// Steps from first output to full capacity (0 = full at once).
    pub ramp_steps: f64,
}

impl ProducerParams {
    /// Share of its capacity in operation at reported step `t`: 1 without a dated start; 0
    /// before it; `(t - step) / ramp_steps` during the ramp, capped at 1. The warm-up runs at
    /// the share of step 0. A planned producer's start depends on its financing, so its share
    /// here is 0 (it has nothing at the start).
    #[must_use]
    pub fn online_share(&self, t: u32) -> f64 {
        if self.plan.is_some() {
            return 0.0;
        }
        match self.online {
            None => 1.0,
            Some(o) => {
                #[allow(clippy::cast_precision_loss, reason = "step counts are far below 2^52")]
                let since = (i64::from(t) - o.step) as f64;
                if since < 0.0 {
                    0.0
                } else if o.ramp_steps <= 0.0 {
                    1.0
                } else {
                    (since / o.ramp_steps).min(1.0)
                }
            }
        }
    }

    /// Baseline activity at the start (capacity × utilisation × the share online at step 0),
    /// tonnes per step: what opening stocks and the opening pipeline are sized on.
    #[must_use]
    pub fn opening_activity(&self) -> f64 {
        self.capacity_t_per_step * self.utilisation * self.online_share(0)
    }
}

/// Random outages of a producer.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutageParams {
    /// Probability per step that an outage starts, in [0, 1].
    pub prob_per_step: f64,
    /// Mean length of an outage in steps (geometric).
    pub mean_steps: f64,
    /// Share of capacity lost during an outage, in [0, 1].
    pub depth_share: f64,
}

/// Slow capacity expansion: a project starts after the price of the producer's main output has
/// stayed at or above `trigger_price_ratio` for `sustain_steps`, and adds capacity after a random
/// lead time.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExpansionParams {
    /// Price ratio that counts as high.
    pub trigger_price_ratio: f64,
    /// Consecutive high-price steps before a project starts.
    pub sustain_steps: u32,
    /// Project lead time.
    pub lead_time: LeadTime,
    /// Capacity added per project, as a share of the initial capacity.
    pub increment_share: f64,
    /// Capacity never exceeds this multiple of the initial capacity.
    pub max_capacity_multiple: f64,
}
