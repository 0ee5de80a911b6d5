//! The export authority of a controlling exporter: the policy in force ([`PolicyState`]: control
//! list, embargoes, quota caps and batches, licence regime, general licences, extraterritorial
//! rule, announced controls), quota bookkeeping and its licences ([`LicenceBook`]). It reads its
//! policy and never interprets a shock: at an event's step it switches to the state the scenario
//! worked out ([`ExportAuthority::switch_to`]).
//!
//! Licences are held per (buyer, item) and cover a term and a quantity. A buyer that orders a
//! controlled item applies when it holds no valid licence or its licence is due for renewal (the
//! steps it still covers have fallen to the expected review time plus a margin), unless a general
//! licence covers its destination; see `licences.rs` for the queue and the review.
//!
//! Quotas are issued in batches through the calendar year; the exporter paces shipments so that
//! what is left of the issued tonnage is spread over the steps until the next batch (or the end
//! of the year), rather than shipping it all at once.
//!
//! The authority knows buyers only as [`Buyer`]s (region, sector) by [`BuyerId`]; it reads the
//! step's orders to see who needs a licence and never touches stock itself.

use chrono::{Datelike, NaiveDate};

use crate::buyers::{Buyer, Buyers};
use crate::calendar::Calendar;
use crate::ids::{AuthorityId, BuyerId, ItemId, RegionId};
use crate::keyed::Keyed;
use crate::licences::{LicenceBook, LicenceState, LicenceTally};
use crate::params::{AuthorityParams, ItemParams, ModelParams};
use crate::policy::PolicyState;
use crate::units::KG_PER_T;

/// State of one export authority during a replication.
#[derive(Clone, Debug)]
pub(crate) struct ExportAuthority {
    /// The exporting region.
    pub(crate) region: RegionId,
    n_items: usize,
    /// The policy in force: the baseline, then a copy of each event's state in turn.
    policy: PolicyState,
    /// Tonnes shipped this calendar year, per quota.
    quota_shipped_t: Vec<f64>,
    /// Share of the annual caps available this year (the first year pro rata).
    quota_year_share: f64,
    /// Tonnes carried over from last year, per quota (0 unless the quota carries over).
    quota_carried_t: Vec<f64>,
    /// Tonnes that may still be shipped this step, per quota (the paced room; infinite without
    /// a cap).
    quota_step_room_t: Vec<f64>,
    /// Scratch for sharing each quota's room among its items: what eligible buyers want, per
    /// quota and per item, and each item's share of the room this step.
    quota_wanted_t: Vec<f64>,
    item_wanted_t: Vec<f64>,
    item_room_t: Vec<f64>,
    /// Products whose controlled content reaches the extraterritorial threshold (derived from
    /// the policy whenever it changes).
    extraterritorial_items: Vec<bool>,
    /// Licences and applications.
    licences: LicenceBook,
    /// Scratch per buyer for the sale of a controlled item: order held back beyond what its
    /// licence covers, and order offered to the sale.
    held_back_t: Vec<f64>,
    offered_t: Vec<f64>,
}

impl ExportAuthority {
    pub(crate) fn new(me: AuthorityId, params: &ModelParams, n_buyers: usize) -> Self {
        let p = &params.authorities[me.idx()];
        let n_items = params.items.len();
        let mut policy = p.baseline_policy(n_items, params.regions.len());
        // Room for the longest batch list of the timeline, so that switching never allocates.
        for (q, batches) in policy.quota_batches.iter_mut().enumerate() {
            let longest = params
                .events
                .iter()
                .filter_map(|e| e.in_force.authorities.get(me.idx()))
                .filter_map(|s| s.quota_batches.get(q).map(Vec::len))
                .max()
                .unwrap_or(0);
            batches.reserve(longest.saturating_sub(batches.len()));
        }
        // Room for a partner table (one flag per region), so that a partner control starting
        // later switches without allocating.
        let nr = params.regions.len();
        policy
            .partner
            .reserve(nr.saturating_sub(policy.partner.len()));
        let nq = p.quotas.len();
        let mut a = Self {
            region: p.region,
            n_items,
            policy,
            quota_shipped_t: vec![0.0; nq],
            quota_year_share: params.calendar.first_year_share(),
            quota_carried_t: vec![0.0; nq],
            quota_step_room_t: vec![f64::INFINITY; nq],
            quota_wanted_t: vec![0.0; nq],
            item_wanted_t: vec![0.0; n_items],
            item_room_t: vec![f64::INFINITY; n_items],
            extraterritorial_items: vec![false; n_items],
            licences: LicenceBook::new(n_buyers, n_items, params.sectors.len()),
            held_back_t: vec![0.0; n_buyers],
            offered_t: vec![0.0; n_buyers],
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

    /// True when `buyer` (in `region`) may receive `item` where this authority's licence is
    /// needed: a general licence covers its destination, or it holds a valid licence with
    /// quantity left at `step`.
    #[inline]
    pub(crate) fn is_authorised(
        &self,
        buyer: BuyerId,
        region: RegionId,
        item: ItemId,
        step: u32,
    ) -> bool {
        self.policy.has_general_licence(region, item)
            || self
                .licences
                .is_licensed(self.licences.slot(buyer.idx(), item), step)
    }

    /// Where (buyer, item) stands.
    pub(crate) fn state(&self, buyer: BuyerId, item: ItemId) -> LicenceState {
        self.licences.state(self.licences.slot(buyer.idx(), item))
    }

    /// Applications queued or under review.
    pub(crate) fn backlog(&self) -> usize {
        self.licences.pending()
    }

    /// Applications waiting for review.
    pub(crate) fn queued(&self) -> usize {
        self.licences.queued()
    }

    /// Approvals and refusals decided this step.
    pub(crate) fn decisions_this_step(&self) -> (u32, u32) {
        let d = self.licences.this_step;
        (d.approved, d.refused)
    }

    /// Decisions so far.
    pub(crate) fn tally(&self) -> LicenceTally {
        self.licences.tally
    }

    /// The premium an announced, not yet enforced control of `item` adds to its world scarcity
    /// (0 when none is announced, or the item is already controlled).
    #[inline]
    pub(crate) fn announcement_premium(&self, item: ItemId) -> f64 {
        if self.is_controlled(item) {
            0.0
        } else {
            self.policy.announcement_premium[item.idx()]
        }
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

    /// After the warm-up: the first quota year starts empty (still pro rata, nothing carried)
    /// and the licence decisions counted so far are forgotten; licences, the queue and reviews
    /// carry on.
    pub(crate) fn restart_counts(&mut self) {
        self.quota_shipped_t.fill(0.0);
        self.quota_carried_t.fill(0.0);
        self.licences.tally = LicenceTally::default();
    }

    /// Step 1, at the start of a calendar year: what was issued and not shipped last year is
    /// carried over (quotas that carry over) or lapses; shipped tonnages restart.
    pub(crate) fn new_year(&mut self, p: &AuthorityParams) {
        for (q, quota) in p.quotas.iter().enumerate() {
            self.quota_carried_t[q] = match self.policy.quota_annual_t[q] {
                Some(annual) if quota.carry_over => (annual * self.quota_year_share
                    + self.quota_carried_t[q]
                    - self.quota_shipped_t[q])
                    .max(0.0),
                _ => 0.0,
            };
        }
        self.quota_shipped_t.fill(0.0);
        self.quota_year_share = 1.0;
    }

    /// Step 1, once the policy of the step is set: the room of each quota this step. The
    /// tonnage issued so far this year (the batches dated on or before the step's first day,
    /// plus any carry-over) less what was shipped is spread evenly over the steps left until
    /// the next batch or the end of the year.
    pub(crate) fn pace_quotas(&mut self, calendar: &Calendar, t: u32) {
        let date = calendar.date_of(t);
        let day = date.ordinal();
        let year_end = NaiveDate::from_ymd_opt(date.year() + 1, 1, 1).unwrap_or(NaiveDate::MAX);
        for (q, room) in self.quota_step_room_t.iter_mut().enumerate() {
            let Some(annual) = self.policy.quota_annual_t[q] else {
                *room = f64::INFINITY;
                continue;
            };
            let batches = &self.policy.quota_batches[q];
            let (issued_share, next) = if batches.is_empty() {
                (1.0, year_end)
            } else {
                let total: f64 = batches.iter().map(|b| b.share).sum();
                let issued: f64 = batches
                    .iter()
                    .filter(|b| b.day_of_year <= day)
                    .map(|b| b.share)
                    .sum();
                let next = batches
                    .iter()
                    .map(|b| b.day_of_year)
                    .filter(|&d| d > day)
                    .min()
                    .and_then(|d| NaiveDate::from_yo_opt(date.year(), d))
                    .unwrap_or(year_end);
                (if total > 0.0 { issued / total } else { 0.0 }, next)
            };
            let days_left = (next - date).num_days().unsigned_abs().max(1);
            let steps_left = days_left.div_ceil(u64::from(calendar.step_days.max(1)));
            let issued_t = annual * self.quota_year_share * issued_share + self.quota_carried_t[q];
            #[allow(
                clippy::cast_precision_loss,
                reason = "steps in a year, far below 2^52"
            )]
            let steps_left = steps_left as f64;
            *room = (issued_t - self.quota_shipped_t[q]).max(0.0) / steps_left;
        }
    }

    /// True when this authority may ship `item` to `buyer` in `region` at `step`: a foreign,
    /// non-embargoed buyer, authorised when the item is controlled.
    #[inline]
    pub(crate) fn may_ship(
        &self,
        buyer: BuyerId,
        region: RegionId,
        item: ItemId,
        step: u32,
    ) -> bool {
        region != self.region
            && !self.is_embargoed(region, item)
            && (!self.is_controlled(item) || self.is_authorised(buyer, region, item, step))
    }

    /// True when `region`'s plants are under this authority's control (a partner region).
    #[inline]
    pub(crate) fn is_partner(&self, region: RegionId) -> bool {
        self.policy.is_partner(region)
    }

    /// True when a plant of a partner region (under this authority's control) may ship `item`
    /// to `buyer` in `region` at `step`: into the authority's own region freely, elsewhere as the
    /// authority itself may ship ([`ExportAuthority::may_ship`]: not embargoed, authorised when
    /// the item is controlled). Quotas do not apply.
    #[inline]
    pub(crate) fn partner_may_ship(
        &self,
        buyer: BuyerId,
        region: RegionId,
        item: ItemId,
        step: u32,
    ) -> bool {
        region == self.region || self.may_ship(buyer, region, item, step)
    }

    /// Step 6 (c), before any item is sold: each quota's room this step is shared among its
    /// items in proportion to what the buyers it may ship to still order of each (within their
    /// licences), so that no item is served before another. `order` is the book's.
    pub(crate) fn share_quota_rooms(
        &mut self,
        params: &ModelParams,
        me: AuthorityId,
        buyers: &Buyers,
        order: &[f64],
        step: u32,
    ) {
        let quotas = &params.authorities[me.idx()].quotas;
        self.quota_wanted_t.fill(0.0);
        for i in 0..self.n_items {
            let item = ItemId::from(i);
            let capped = |q: usize| self.policy.quota_annual_t[q].is_some();
            if !quotas
                .iter()
                .enumerate()
                .any(|(q, quota)| capped(q) && quota.items.contains(&item))
            {
                self.item_wanted_t[i] = 0.0;
                continue;
            }
            let mut wanted = 0.0;
            for &b in buyers.orderers(i) {
                let region = buyers.get(b).region;
                if self.may_ship(b, region, item, step) {
                    let slot = self.licences.slot(b.idx(), item);
                    let covered = if self.is_controlled(item)
                        && !self.policy.has_general_licence(region, item)
                    {
                        self.licences.room_t(slot, step)
                    } else {
                        f64::INFINITY
                    };
                    wanted += order[slot].min(covered);
                }
            }
            self.item_wanted_t[i] = wanted;
            for (q, quota) in quotas.iter().enumerate() {
                if quota.items.contains(&item) {
                    self.quota_wanted_t[q] += wanted;
                }
            }
        }
        for (i, room) in self.item_room_t.iter_mut().enumerate() {
            let item = ItemId::from(i);
            *room = f64::INFINITY;
            for (q, quota) in quotas.iter().enumerate() {
                if self.policy.quota_annual_t[q].is_some() && quota.items.contains(&item) {
                    let share = if self.quota_wanted_t[q] > 0.0 {
                        self.item_wanted_t[i] / self.quota_wanted_t[q]
                    } else {
                        0.0
                    };
                    *room = room.min(self.quota_step_room_t[q].max(0.0) * share);
                }
            }
        }
    }

    /// Tonnes of `item` that may still be shipped this step under every quota that covers it
    /// (its share of each quota's room, [`ExportAuthority::share_quota_rooms`]).
    pub(crate) fn quota_room_t(&self, item: ItemId) -> f64 {
        self.item_room_t[item.idx()]
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
                self.quota_step_room_t[q] -= tonnes;
            }
        }
    }

    /// Step 6 (c), before a controlled item is sold: the order of each buyer in `served` (those
    /// it may ship to) is cut to the quantity its licence still covers (no cut under a general
    /// licence); the rest is held back. `order` is the book's, `order[buyer * n_items + item]`.
    /// Other buyers take no part (nothing of theirs is held back).
    pub(crate) fn hold_back_beyond_licences(
        &mut self,
        buyers: &Buyers,
        item: ItemId,
        served: &[BuyerId],
        order: &mut [f64],
        step: u32,
    ) {
        for &b in served {
            let slot = self.licences.slot(b.idx(), item);
            let covered = if self.policy.has_general_licence(buyers.get(b).region, item) {
                f64::INFINITY
            } else {
                self.licences.room_t(slot, step)
            };
            let back = (order[slot] - covered).max(0.0);
            order[slot] -= back;
            self.held_back_t[b.idx()] = back;
            self.offered_t[b.idx()] = order[slot];
        }
    }

    /// Step 6 (c), after the sale: what each buyer in `served` received under an individual
    /// licence is counted against its quantity, and the orders held back are restored (still
    /// unmet).
    pub(crate) fn count_down_licences(
        &mut self,
        buyers: &Buyers,
        item: ItemId,
        served: &[BuyerId],
        order: &mut [f64],
    ) {
        for &b in served {
            let slot = self.licences.slot(b.idx(), item);
            let shipped = self.offered_t[b.idx()] - order[slot];
            if shipped > 0.0 && !self.policy.has_general_licence(buyers.get(b).region, item) {
                self.licences.count_down(slot, shipped);
            }
            order[slot] += self.held_back_t[b.idx()];
            self.held_back_t[b.idx()] = 0.0;
        }
    }

    /// Step 5, first half: every foreign buyer that orders an item this authority controls (or
    /// covers by its extraterritorial rule), is not embargoed and is not covered by a general
    /// licence applies for a licence if it has none, or its licence is due for renewal (see
    /// `licences.rs`). Applications of the same step are put in a keyed-random order.
    /// `order` is the step's orders, `order[buyer * n_items + item]`.
    pub(crate) fn take_applications(
        &mut self,
        buyers: &[Buyer],
        order_slots: &[usize],
        order: &[f64],
        step: u32,
        keyed: (AuthorityId, Keyed),
    ) {
        let ni = self.n_items;
        let regime = &self.policy.regime;
        let mut filed = 0;
        // Only slots some buyer orders can hold a positive order; ascending, i.e. buyer by
        // buyer and item by item, the order applications are filed in.
        for &at in order_slots {
            let need = order[at];
            if need <= 0.0 {
                continue;
            }
            let (b, i) = (at / ni, at % ni);
            let buyer = &buyers[b];
            let item = ItemId::from(i);
            if buyer.region != self.region
                && (self.is_controlled(item) || self.covers_reexport(item))
                && !self.is_embargoed(buyer.region, item)
                && !self.policy.has_general_licence(buyer.region, item)
            {
                let slot = self.licences.slot(b, item);
                let renew_steps =
                    regime.lead_time_for(buyer.region).median_steps + regime.renewal_margin_steps;
                filed += usize::from(self.licences.apply(slot, need, step, renew_steps, keyed));
            }
        }
        self.licences.order_latest(filed);
    }

    /// Step 5, second half: starts reviews up to capacity, then reveals every decision due by
    /// `step`.
    pub(crate) fn review(&mut self, buyers: &[Buyer], step: u32, keyed: (AuthorityId, Keyed)) {
        self.licences
            .review(&self.policy.regime, keyed, buyers, step);
    }
}
