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
/// One more kind of measure (general licences: which exporters or destinations hold a blanket
/// licence from a date) is one more field here, filled by the scenario crate and read by the
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
    /// How licence applications are reviewed.
    pub regime: LicenceRegime,
    /// Products whose controlled-material content (mass share) reaches this need a licence when
    /// re-exported by third countries; `None` = no extraterritorial rule.
    pub extraterritorial_share: Option<f64>,
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

    /// Becomes `other`, in place: allocates nothing when the tables have the same sizes (as
    /// validated parameters guarantee).
    pub(crate) fn assign(&mut self, other: &Self) {
        self.controlled.clone_from(&other.controlled);
        self.embargo.clone_from(&other.embargo);
        self.quota_annual_t.clone_from(&other.quota_annual_t);
        self.regime.assign(&other.regime);
        self.extraterritorial_share = other.extraterritorial_share;
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
    /// Approval probability by destination region (rows) and end-use sector (columns),
    /// `approval[region * n_sectors + sector]`.
    pub approval: Vec<f64>,
    /// Steps an approved licence covers shipments.
    pub validity_steps: u32,
    /// Steps a refused applicant waits before applying again.
    pub reapply_delay_steps: u32,
}

impl LicenceRegime {
    /// Becomes `other`, in place (the approval table is copied into the existing one).
    fn assign(&mut self, other: &Self) {
        self.review_capacity_per_step = other.review_capacity_per_step;
        self.lead_time = other.lead_time;
        self.approval.clone_from(&other.approval);
        self.validity_steps = other.validity_steps;
        self.reapply_delay_steps = other.reapply_delay_steps;
    }
}

/// Market conditions set by shocks: capacity outages (a disaster, a strike) and demand surges.
/// They act on firms, not through an authority, so they are not part of any [`PolicyState`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MarketState {
    /// Per producer: share of capacity lost, in [0, 1] (0 = none).
    pub derate_share: Vec<f64>,
    /// Per manufacturer: demand multiplier, >= 0 (1 = none).
    pub demand_multiplier: Vec<f64>,
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
