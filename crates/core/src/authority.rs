//! The export authority of a controlling exporter: the policy in force ([`PolicyState`]: control
//! list, embargoes, quota caps, licence regime, extraterritorial rule), quota bookkeeping and the
//! licence queue. It reads its policy and never interprets a shock: at an event's step it
//! switches to the state the scenario worked out ([`ExportAuthority::switch_to`]).
//!
//! Licences are held per (buyer, item). A buyer that orders a controlled item without a valid
//! licence applies; applications wait in a FIFO [`LicenceQueue`]; the authority takes at most
//! `review_capacity_per_step` into review each step, and each review ends after a random lead time
//! with an approval drawn from the odds for the buyer's destination and end use.
//!
//! The authority knows buyers only as [`Buyer`]s (region, sector) by [`BuyerId`]; it reads the
//! step's orders to see who needs a licence and never touches stock itself.

use std::collections::VecDeque;

use crate::buyers::Buyer;
use crate::ids::{AuthorityId, BuyerId, ItemId, RegionId};
use crate::keyed::{Keyed, lead_steps};
use crate::params::{AuthorityParams, ItemParams, ModelParams};
use crate::policy::PolicyState;
use crate::units::KG_PER_T;

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
pub(crate) struct LicenceQueue {
    slots: VecDeque<usize>,
}

impl LicenceQueue {
    fn with_capacity(n: usize) -> Self {
        Self {
            slots: VecDeque::with_capacity(n),
        }
    }

    /// Applications waiting for review.
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }
}

/// Licence statistics over a replication.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct LicenceTally {
    /// Decisions made.
    pub(crate) decided: u64,
    /// Approvals among them.
    pub(crate) approved: u64,
    /// Sum over decisions of steps from application to decision.
    pub(crate) delay_steps: u64,
}

/// State of one export authority during a replication.
#[derive(Clone, Debug)]
pub(crate) struct ExportAuthority {
    /// The exporting region.
    pub(crate) region: RegionId,
    n_items: usize,
    n_sectors: usize,
    /// The policy in force: the baseline, then a copy of each event's state in turn.
    policy: PolicyState,
    /// Tonnes shipped this calendar year, per quota.
    quota_shipped_t: Vec<f64>,
    /// Share of the annual caps available this year (the first year pro rata).
    quota_year_share: f64,
    /// Products whose controlled content reaches the extraterritorial threshold (derived from
    /// the policy whenever it changes).
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
    pub(crate) tally: LicenceTally,
}

impl ExportAuthority {
    pub(crate) fn new(p: &AuthorityParams, params: &ModelParams, n_buyers: usize) -> Self {
        let n_items = params.items.len();
        let mut a = Self {
            region: p.region,
            n_items,
            n_sectors: params.sectors.len(),
            policy: p.baseline_policy(n_items, params.regions.len()),
            quota_shipped_t: vec![0.0; p.quotas.len()],
            quota_year_share: params.calendar.first_year_share(),
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
    pub(crate) fn is_controlled(&self, item: ItemId) -> bool {
        self.policy.is_controlled(item)
    }

    /// True when shipments of `item` to `destination` are embargoed.
    #[inline]
    pub(crate) fn is_embargoed(&self, destination: RegionId, item: ItemId) -> bool {
        self.policy.is_embargoed(destination, item)
    }

    /// True when third-country re-exports of `item` need this authority's licence.
    #[inline]
    pub(crate) fn covers_reexport(&self, item: ItemId) -> bool {
        self.extraterritorial_items[item.idx()]
    }

    /// True when `buyer` holds a licence for `item` valid at `step`.
    #[inline]
    pub(crate) fn is_licensed(&self, buyer: BuyerId, item: ItemId, step: u32) -> bool {
        matches!(self.licences[buyer.idx() * self.n_items + item.idx()], LicenceState::Licensed { until } if until > step)
    }

    /// Where (buyer, item) stands.
    pub(crate) fn state(&self, buyer: BuyerId, item: ItemId) -> LicenceState {
        self.licences[buyer.idx() * self.n_items + item.idx()]
    }

    /// Applications queued or under review.
    pub(crate) fn backlog(&self) -> usize {
        self.queue.len() + self.in_review
    }

    fn refresh_extraterritorial(&mut self, items: &[ItemParams]) {
        for (k, item) in items.iter().enumerate() {
            self.extraterritorial_items[k] = match self.policy.extraterritorial_share {
                Some(threshold) if !item.bom.is_empty() => {
                    let controlled_kg_per_t: f64 = item
                        .bom
                        .iter()
                        .filter(|l| self.policy.controlled[l.material.idx()])
                        .map(|l| l.kg_per_t)
                        .sum();
                    controlled_kg_per_t > 0.0 && controlled_kg_per_t / KG_PER_T >= threshold
                }
                _ => false,
            };
        }
    }

    /// Step 1: the policy in force becomes `state` (an event's, for this authority). What was
    /// done under the old one stays: shipments counted against quotas this year, licences,
    /// the queue and reviews under way.
    pub(crate) fn switch_to(&mut self, state: &PolicyState, items: &[ItemParams]) {
        self.policy.assign(state);
        self.refresh_extraterritorial(items);
    }

    /// After the warm-up: the first quota year starts empty (still pro rata) and the licence
    /// decisions counted so far are forgotten; licences, the queue and reviews carry on.
    pub(crate) fn restart_counts(&mut self) {
        self.quota_shipped_t.fill(0.0);
        self.tally = LicenceTally::default();
    }

    /// Resets shipped tonnages at the start of a calendar year.
    pub(crate) fn new_year(&mut self) {
        self.quota_shipped_t.fill(0.0);
        self.quota_year_share = 1.0;
    }

    /// Tonnes of `item` that may still be shipped this year under every quota that covers it.
    pub(crate) fn quota_room_t(&self, params: &ModelParams, me: AuthorityId, item: ItemId) -> f64 {
        let mut room = f64::INFINITY;
        for (q, quota) in params.authorities[me.idx()].quotas.iter().enumerate() {
            if let Some(annual) = self.policy.quota_annual_t[q]
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
        me: AuthorityId,
        item: ItemId,
        tonnes: f64,
    ) {
        for (q, quota) in params.authorities[me.idx()].quotas.iter().enumerate() {
            if quota.items.contains(&item) {
                self.quota_shipped_t[q] += tonnes;
            }
        }
    }

    /// Step 5, first half: every foreign buyer that orders an item this authority controls (or
    /// covers by its extraterritorial rule), and is not embargoed, applies for a licence.
    /// `order` is the step's orders, `order[buyer * n_items + item]`.
    pub(crate) fn take_applications(&mut self, buyers: &[Buyer], order: &[f64], step: u32) {
        let ni = self.n_items;
        for (b, buyer) in buyers.iter().enumerate() {
            if buyer.region == self.region {
                continue;
            }
            for i in 0..ni {
                let item = ItemId::from(i);
                if order[b * ni + i] > 0.0
                    && (self.is_controlled(item) || self.covers_reexport(item))
                    && !self.is_embargoed(buyer.region, item)
                {
                    self.apply_for(b, item, step);
                }
            }
        }
    }

    /// Files an application for (buyer, item) if the buyer has no licence, none pending, and is
    /// not waiting out a refusal.
    fn apply_for(&mut self, buyer: usize, item: ItemId, step: u32) {
        let slot = buyer * self.n_items + item.idx();
        let may_apply = match self.licences[slot] {
            LicenceState::None => true,
            LicenceState::Licensed { until } => until <= step,
            LicenceState::Refused { retry } => retry <= step,
            LicenceState::Queued { .. } | LicenceState::Review { .. } => false,
        };
        if may_apply {
            self.licences[slot] = LicenceState::Queued { applied: step };
            self.queue.slots.push_back(slot);
        }
    }

    /// Step 5, second half: starts reviews up to capacity, then reveals every decision due by
    /// `step`.
    pub(crate) fn review(&mut self, me: AuthorityId, buyers: &[Buyer], step: u32, key: Keyed) {
        let regime = &self.policy.regime;
        // Fractional capacity accrues as credit; whole units are spent or lost each step.
        self.review_credit += regime.review_capacity_per_step;
        let reviews = self.review_credit.floor();
        self.review_credit -= reviews;
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a whole, non-negative number of reviews; `as` saturates"
        )]
        let reviews = reviews as u64;
        for _ in 0..reviews {
            let Some(slot) = self.queue.slots.pop_front() else {
                break;
            };
            let LicenceState::Queued { applied } = self.licences[slot] else {
                continue;
            };
            let buyer = &buyers[slot / self.n_items];
            let odds = regime.approval[buyer.region.idx() * self.n_sectors + buyer.sector.idx()];
            // The n-th review of this (buyer, item) draws the same numbers in every strategy.
            let nth = self.reviews_started[slot];
            self.reviews_started[slot] += 1;
            let (z, u) = key.normal_and_uniform(slot as u64, me.idx() as u64, u64::from(nth));
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
