//! The policy in force: what each export authority controls, embargoes and caps, and how it
//! licenses ([`PolicyState`]); and the market conditions that shocks set on firms
//! ([`MarketState`]). Together, everything in force at one time ([`InForce`]).
//!
//! The model never interprets a shock. The scenario crate works out, at every step where
//! something starts, ends, is suspended, restored or lifted, the whole state in force and hands
//! the model the timeline as [`PolicyEvent`]s (see `ModelParams::events`). At an event's step each
//! authority switches to its new state in place (no allocation: the tables keep their sizes),
//! producers take their derates and manufacturers their demand multipliers. Between events the
//! state stays as it is.
//!
//! A change of state keeps what the authority has done under the old one: tonnes shipped against
//! a quota this year, licences in force, applications in the queue.

use serde::{Deserialize, Serialize};

use crate::ids::{ItemId, RegionId};
use crate::keyed::LeadTime;

/// The policy in force for one export authority.
///
/// One more kind of measure is one more field here, filled by the scenario crate and read by the
/// authority.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyState {
    /// Per item: exports need a licence.
    pub controlled: Vec<bool>,
    /// Per destination × item, `embargo[destination * n_items + item]`: no shipments at all.
    pub embargo: Vec<bool>,
    /// Per quota of the authority (its `AuthorityParams::quotas`, same order): tonnes per
    /// calendar year; `None` = no cap.
    pub quota_annual_t: Vec<Option<f64>>,
    /// Per quota (same order): the batches in which the annual cap is issued during a calendar
    /// year; empty = the whole cap on 1 January.
    pub quota_batches: Vec<Vec<QuotaBatch>>,
    /// How licence applications are reviewed.
    pub regime: LicenceRegime,
    /// Products whose controlled-material content (mass share) reaches this need a licence when
    /// re-exported by third countries; `None` = no extraterritorial rule.
    pub extraterritorial_share: Option<f64>,
    /// Per destination × item, `general_licence[destination * n_items + item]`: a general
    /// licence covers the destination's buyers, who ship without an individual licence.
    pub general_licence: Vec<bool>,
    /// Per item: a control on it is announced but not yet in force; the world market prices it
    /// in by adding this to the item's scarcity (0 = nothing announced).
    pub announcement_premium: Vec<f64>,
    /// Per region: a region whose plants are under this authority's control (a partner refinery
    /// abroad, issue 18): their sales abroad follow this policy as the authority's own exports do
    /// (embargoes, licences on the items it controls), not its quotas. Empty = no partner.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partner: Vec<bool>,
}

/// One batch of an annual export quota: on `day_of_year` this share of the year's cap is issued.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuotaBatch {
    /// Day of the calendar year it is issued (1 = 1 January), at the first step starting on or
    /// after it.
    pub day_of_year: u32,
    /// Its share of the annual cap; the shares of a quota's batches are normalised to sum to 1.
    pub share: f64,
}

impl PolicyState {
    /// True when exports of `item` need a licence.
    #[inline]
    #[must_use]
    pub fn is_controlled(&self, item: ItemId) -> bool {
        self.controlled[item.idx()]
    }

    /// True when shipments of `item` to `destination` are embargoed.
    #[inline]
    #[must_use]
    pub fn is_embargoed(&self, destination: RegionId, item: ItemId) -> bool {
        self.embargo[destination.idx() * self.controlled.len() + item.idx()]
    }

    /// True when a general licence covers shipments of `item` to `destination`.
    #[inline]
    #[must_use]
    pub fn has_general_licence(&self, destination: RegionId, item: ItemId) -> bool {
        self.general_licence[destination.idx() * self.controlled.len() + item.idx()]
    }

    /// True when `region`'s plants are under this authority's control (a partner region).
    #[inline]
    #[must_use]
    pub fn is_partner(&self, region: RegionId) -> bool {
        self.partner.get(region.idx()).copied().unwrap_or(false)
    }

    /// Becomes `other`, in place: allocates nothing when the tables have the same sizes (as
    /// validated parameters guarantee) and each quota's batch list has room for the longest one
    /// of the timeline (reserved by the authority at the start).
    pub(crate) fn assign(&mut self, other: &Self) {
        self.controlled.clone_from(&other.controlled);
        self.embargo.clone_from(&other.embargo);
        self.quota_annual_t.clone_from(&other.quota_annual_t);
        for (mine, theirs) in self.quota_batches.iter_mut().zip(&other.quota_batches) {
            mine.clone_from(theirs);
        }
        self.regime.assign(&other.regime);
        self.extraterritorial_share = other.extraterritorial_share;
        self.general_licence.clone_from(&other.general_licence);
        self.announcement_premium
            .clone_from(&other.announcement_premium);
        self.partner.clone_from(&other.partner);
    }
}

/// How an authority reviews licence applications.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LicenceRegime {
    /// Applications taken into review per step; may be fractional (0.5 = one every other step).
    /// The rest wait in the queue.
    pub review_capacity_per_step: f64,
    /// Time a review takes once started.
    pub lead_time: LeadTime,
    /// Time a review takes for an applicant in each destination region, by region id; empty =
    /// `lead_time` everywhere (read through [`LicenceRegime::lead_time_for`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lead_time_by_region: Vec<LeadTime>,
    /// Approval probability by destination region (rows) and end-use sector (columns),
    /// `approval[region * n_sectors + sector]`.
    pub approval: Vec<f64>,
    /// Steps an approved licence covers shipments (its term), by destination region (rows) and
    /// end-use sector (columns), `validity_steps[region * n_sectors + sector]`.
    pub validity_steps: Vec<u32>,
    /// Steps a refused applicant waits before applying again.
    pub reapply_delay_steps: u32,
    /// A licence holder applies for renewal when the steps its licence still covers fall to the
    /// median review time plus this margin.
    pub renewal_margin_steps: f64,
    /// An approved licence covers this multiple of the applicant's need over its term (its
    /// orders per step at application × the term); `None` = no quantity limit.
    pub quantity_cover_factor: Option<f64>,
}

impl LicenceRegime {
    /// The review time for an applicant in `region`: its own if the regime has one per region,
    /// else the regime's `lead_time`.
    #[must_use]
    pub fn lead_time_for(&self, region: RegionId) -> &LeadTime {
        self.lead_time_by_region
            .get(region.idx())
            .unwrap_or(&self.lead_time)
    }

    /// Becomes `other`, in place (the approval table is copied into the existing one).
    fn assign(&mut self, other: &Self) {
        self.review_capacity_per_step = other.review_capacity_per_step;
        self.lead_time = other.lead_time;
        self.lead_time_by_region
            .clone_from(&other.lead_time_by_region);
        self.approval.clone_from(&other.approval);
        self.validity_steps.clone_from(&other.validity_steps);
        self.reapply_delay_steps = other.reapply_delay_steps;
        self.renewal_margin_steps = other.renewal_margin_steps;
        self.quantity_cover_factor = other.quantity_cover_factor;
    }
}

/// Market conditions set by shocks: capacity outages (a disaster, a strike), demand surges and
/// technology controls' slower construction and ramp-up. They act on firms, not through an
/// authority's licensing, so they are not part of any [`PolicyState`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MarketState {
    /// Per producer: share of capacity lost, in [0, 1] (0 = none).
    pub derate_share: Vec<f64>,
    /// Per manufacturer: demand multiplier, >= 0 (1 = none).
    pub demand_multiplier: Vec<f64>,
    /// Per producer: the share of a normal step's construction progress its planned plant or
    /// expansion project makes, in (0, 1] (technology controls, issue 18; overlapping controls
    /// multiply). Empty = 1 for every producer, as without any control.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub build_speed: Vec<f64>,
    /// Per producer: the share of a normal step's ramp-up progress it makes once producing, in
    /// (0, 1] (as `build_speed`). Empty = 1 for every producer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ramp_speed: Vec<f64>,
}

/// Everything in force at one time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InForce {
    /// Per authority (same order as `ModelParams::authorities`).
    pub authorities: Vec<PolicyState>,
    /// Derates and demand multipliers.
    pub market: MarketState,
}

/// From the start of step `step` until the next event, `in_force` holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyEvent {
    /// Step at whose start it takes effect.
    pub step: u32,
    /// The whole state in force from then on.
    pub in_force: InForce,
}
