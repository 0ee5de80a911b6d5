//! The export authority of a controlling exporter: control list, embargoes, quotas and the
//! licence queue.
//!
//! Licences are held per (buyer, item). A buyer that orders a controlled item without a valid
//! licence applies; applications wait in a FIFO [`LicenceQueue`]; the authority takes at most
//! `review_capacity_per_step` into review each step, and each review ends after a random lead time
//! with an approval drawn from the odds for the buyer's destination and end use.

use std::collections::VecDeque;

use crate::ids::{ItemId, RegionId};
use crate::keyed::Keyed;
use crate::params::{
    AuthorityParams, ItemParams, LeadTime, LicenceRegime, ModelParams, PolicyAction,
};

/// Where one (buyer, item) pair stands with one authority.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LicenceState {
    /// Never applied, or the last licence expired.
    None,
    /// Waiting in the queue since `applied`.
    Queued {
        /// Step of application.
        applied: u32,
    },
    /// Under review; the outcome was drawn when the review started and is revealed at `decides`.
    Review {
        /// Step of application.
        applied: u32,
        /// Step at which the decision is made.
        decides: u32,
        /// Whether it will be approved.
        approved: bool,
    },
    /// Shipments allowed before step `until`.
    Licensed {
        /// First step no longer covered.
        until: u32,
    },
    /// Refused; may apply again from step `retry`.
    Refused {
        /// First step a new application is allowed.
        retry: u32,
    },
}

/// FIFO of (buyer, item) applications, preallocated so that pushing never allocates: each pair
/// is queued at most once at a time.
#[derive(Clone, Debug)]
pub struct LicenceQueue {
    slots: VecDeque<u32>,
}

impl LicenceQueue {
    fn with_capacity(n: usize) -> Self {
        Self {
            slots: VecDeque::with_capacity(n),
        }
    }

    /// Applications waiting for review.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True when nothing waits.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }
}

/// Licence statistics over a replication.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LicenceTally {
    /// Decisions made.
    pub decided: u64,
    /// Approvals among them.
    pub approved: u64,
    /// Sum over decisions of steps from application to decision.
    pub delay_steps: u64,
}

/// State of one export authority during a replication.
#[derive(Clone, Debug)]
pub struct ExportAuthority {
    /// The exporting region.
    pub region: RegionId,
    n_items: usize,
    n_sectors: usize,
    controlled: Vec<bool>,
    /// `embargo[destination * n_items + item]`.
    embargo: Vec<bool>,
    /// Which regime is in force: `None` = baseline, `Some(k)` = the one set by event `k`.
    regime_event: Option<usize>,
    quota_annual_t: Vec<Option<f64>>,
    quota_shipped_t: Vec<f64>,
    quota_year_share: f64,
    extraterritorial_share: Option<f64>,
    /// Products whose controlled content reaches the extraterritorial threshold.
    extraterritorial_items: Vec<bool>,
    /// `licences[buyer * n_items + item]`.
    licences: Vec<LicenceState>,
    queue: LicenceQueue,
    in_review: usize,
    /// Reviews started per (buyer, item): the counter of its keyed draws.
    reviews_started: Vec<u32>,
    /// Fraction of a review carried to the next step.
    review_credit: f64,
    /// Decisions so far.
    pub tally: LicenceTally,
}

impl ExportAuthority {
    pub(crate) fn new(p: &AuthorityParams, params: &ModelParams, n_buyers: usize) -> Self {
        let n_items = params.items.len();
        let mut controlled = vec![false; n_items];
        for i in &p.controlled {
            controlled[i.idx()] = true;
        }
        let mut embargo = vec![false; params.regions.len() * n_items];
        for e in &p.embargoes {
            embargo[e.destination.idx() * n_items + e.item.idx()] = true;
        }
        let mut a = Self {
            region: p.region,
            n_items,
            n_sectors: params.sectors.len(),
            controlled,
            embargo,
            regime_event: None,
            quota_annual_t: p.quotas.iter().map(|q| q.annual_t).collect(),
            quota_shipped_t: vec![0.0; p.quotas.len()],
            quota_year_share: params.calendar.first_year_share(),
            extraterritorial_share: p.extraterritorial_share,
            extraterritorial_items: vec![false; n_items],
            licences: vec![LicenceState::None; n_buyers * n_items],
            queue: LicenceQueue::with_capacity(n_buyers * n_items),
            in_review: 0,
            reviews_started: vec![0; n_buyers * n_items],
            review_credit: 0.0,
            tally: LicenceTally::default(),
        };
        a.refresh_extraterritorial(&params.items);
        a
    }

    /// True when exports of `item` need a licence.
    #[inline]
    pub fn is_controlled(&self, item: ItemId) -> bool {
        self.controlled[item.idx()]
    }

    /// True when shipments of `item` to `destination` are embargoed.
    #[inline]
    pub fn is_embargoed(&self, destination: RegionId, item: ItemId) -> bool {
        self.embargo[destination.idx() * self.n_items + item.idx()]
    }

    /// True when third-country re-exports of `item` need this authority's licence.
    #[inline]
    pub fn covers_reexport(&self, item: ItemId) -> bool {
        self.extraterritorial_items[item.idx()]
    }

    /// True when `buyer` holds a licence for `item` valid at `step`.
    #[inline]
    pub fn is_licensed(&self, buyer: usize, item: ItemId, step: u32) -> bool {
        matches!(self.licences[buyer * self.n_items + item.idx()], LicenceState::Licensed { until } if until > step)
    }

    /// Where (buyer, item) stands.
    pub fn state(&self, buyer: usize, item: ItemId) -> LicenceState {
        self.licences[buyer * self.n_items + item.idx()]
    }

    /// Applications queued or under review.
    pub fn backlog(&self) -> usize {
        self.queue.len() + self.in_review
    }

    fn regime<'p>(&self, params: &'p ModelParams, me: usize) -> &'p LicenceRegime {
        match self.regime_event {
            Some(k) => match &params.events[k].action {
                PolicyAction::LicenceRegime { regime, .. } => regime,
                _ => &params.authorities[me].regime,
            },
            None => &params.authorities[me].regime,
        }
    }

    fn refresh_extraterritorial(&mut self, items: &[ItemParams]) {
        for (k, item) in items.iter().enumerate() {
            self.extraterritorial_items[k] = match self.extraterritorial_share {
                Some(threshold) if !item.bom.is_empty() => {
                    let controlled_kg_per_t: f64 = item
                        .bom
                        .iter()
                        .filter(|l| self.controlled[l.material.idx()])
                        .map(|l| l.kg_per_t)
                        .sum();
                    controlled_kg_per_t > 0.0 && controlled_kg_per_t / 1000.0 >= threshold
                }
                _ => false,
            };
        }
    }

    /// Applies a policy event addressed to this authority. `event` is its index in
    /// `params.events` (a regime change refers to it rather than copying it).
    pub(crate) fn apply(&mut self, action: &PolicyAction, event: usize, params: &ModelParams) {
        match action {
            PolicyAction::Control {
                items, controlled, ..
            } => {
                for i in items {
                    self.controlled[i.idx()] = *controlled;
                }
                self.refresh_extraterritorial(&params.items);
            }
            PolicyAction::Embargo {
                destinations,
                items,
                active,
                ..
            } => {
                for r in destinations {
                    for i in items {
                        self.embargo[r.idx() * self.n_items + i.idx()] = *active;
                    }
                }
            }
            PolicyAction::Quota {
                quota, annual_t, ..
            } => self.quota_annual_t[*quota] = *annual_t,
            PolicyAction::LicenceRegime { .. } => self.regime_event = Some(event),
            PolicyAction::Extraterritorial { share, .. } => {
                self.extraterritorial_share = *share;
                self.refresh_extraterritorial(&params.items);
            }
            PolicyAction::CapacityOutage { .. } | PolicyAction::DemandSurge { .. } => {}
        }
    }

    /// Resets shipped tonnages at the start of a calendar year.
    pub(crate) fn new_year(&mut self) {
        self.quota_shipped_t.fill(0.0);
        self.quota_year_share = 1.0;
    }

    /// Tonnes of `item` that may still be shipped this year under every quota that covers it.
    pub(crate) fn quota_room_t(&self, params: &ModelParams, me: usize, item: ItemId) -> f64 {
        let mut room = f64::INFINITY;
        for (q, quota) in params.authorities[me].quotas.iter().enumerate() {
            if let Some(annual) = self.quota_annual_t[q]
                && quota.items.contains(&item)
            {
                room =
                    room.min((annual * self.quota_year_share - self.quota_shipped_t[q]).max(0.0));
            }
        }
        room
    }

    /// Books `tonnes` of `item` shipped against every quota that covers it.
    pub(crate) fn book_shipment(
        &mut self,
        params: &ModelParams,
        me: usize,
        item: ItemId,
        tonnes: f64,
    ) {
        for (q, quota) in params.authorities[me].quotas.iter().enumerate() {
            if quota.items.contains(&item) {
                self.quota_shipped_t[q] += tonnes;
            }
        }
    }

    /// Files an application for (buyer, item) if the buyer has no licence, none pending, and is
    /// not waiting out a refusal.
    pub(crate) fn apply_for(&mut self, buyer: usize, item: ItemId, step: u32) {
        let slot = buyer * self.n_items + item.idx();
        let may_apply = match self.licences[slot] {
            LicenceState::None => true,
            LicenceState::Licensed { until } => until <= step,
            LicenceState::Refused { retry } => retry <= step,
            LicenceState::Queued { .. } | LicenceState::Review { .. } => false,
        };
        if may_apply {
            self.licences[slot] = LicenceState::Queued { applied: step };
            self.queue.slots.push_back(slot as u32);
        }
    }

    /// Starts reviews up to capacity, then reveals every decision due by `step`.
    pub(crate) fn review(
        &mut self,
        params: &ModelParams,
        me: usize,
        buyers: &[crate::sim::Buyer],
        step: u32,
        key: Keyed,
    ) {
        let regime = self.regime(params, me);
        // Fractional capacity accrues as credit; whole units are spent or lost each step.
        self.review_credit += regime.review_capacity_per_step;
        let reviews = self.review_credit.floor();
        self.review_credit -= reviews;
        for _ in 0..reviews as u64 {
            let Some(slot) = self.queue.slots.pop_front() else {
                break;
            };
            let slot = slot as usize;
            let LicenceState::Queued { applied } = self.licences[slot] else {
                continue;
            };
            let buyer = &buyers[slot / self.n_items];
            let odds = regime.approval[buyer.region.idx() * self.n_sectors + buyer.sector.idx()];
            // The n-th review of this (buyer, item) draws the same numbers in every strategy.
            let nth = self.reviews_started[slot];
            self.reviews_started[slot] += 1;
            let (z, u) = key.normal_and_uniform(slot as u64, me as u64, u64::from(nth));
            let lead = lead_steps(&regime.lead_time, z);
            let approved = u < odds;
            self.licences[slot] = LicenceState::Review {
                applied,
                decides: step.saturating_add(lead),
                approved,
            };
            self.in_review += 1;
        }
        let validity = regime.validity_steps;
        let reapply = regime.reapply_delay_steps;
        if self.in_review == 0 {
            return;
        }
        for state in &mut self.licences {
            if let LicenceState::Review {
                applied,
                decides,
                approved,
            } = *state
                && decides <= step
            {
                self.in_review -= 1;
                self.tally.decided += 1;
                self.tally.delay_steps += u64::from(step - applied);
                *state = if approved {
                    self.tally.approved += 1;
                    LicenceState::Licensed {
                        until: step.saturating_add(validity),
                    }
                } else {
                    LicenceState::Refused {
                        retry: step.saturating_add(reapply),
                    }
                };
            }
        }
    }
}

/// A lead time in whole steps from a standard normal draw `z`: lognormal around the median,
/// truncated at the maximum.
pub(crate) fn lead_steps(lt: &LeadTime, z: f64) -> u32 {
    let raw = if lt.median_steps > 0.0 {
        (lt.median_steps.ln() + lt.sigma * z).exp()
    } else {
        0.0
    };
    // Rounded to whole steps but never past the maximum (a statutory limit stays a limit when a
    // step is longer than a week); clamped before the cast so a huge draw cannot wrap.
    raw.round().min(lt.max_steps.floor()).max(0.0) as u32
}
