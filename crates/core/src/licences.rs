//! The licences of one export authority, per (buyer, item): what each buyer holds
//! ([`Licence`]: a term and a quantity), where its application stands ([`Application`]), the
//! review queue and the review itself.
//!
//! An application is pending (queued, then under review) until it is approved or refused. The
//! queue is first in, first out by the step of application; applications filed in the same step
//! are put in a keyed-random order (`keyed.rs`: the n-th application of (buyer, item) draws the
//! same place-in-line number in every strategy), not in buyer-id order. A review drawn when it
//! starts (lead time and outcome, keyed by the n-th review of (buyer, item)) is revealed when it
//! ends. An approval replaces any licence held: it covers shipments for the term set for the
//! buyer's destination and end use, up to a quantity (the buyer's orders per step at application
//! × the term × the regime's `quantity_cover_factor`); shipments count the quantity down.

use std::collections::VecDeque;

use crate::buyers::Buyer;
use crate::ids::{AuthorityId, ItemId};
use crate::keyed::{Keyed, lead_steps};
use crate::policy::LicenceRegime;

/// Tonnes below which what is left of a licensed quantity counts as used up (a numerical
/// tolerance for the countdown).
const USED_UP_T: f64 = 1e-9;

/// Tags the purpose of a keyed draw, so that the place-in-line draw of an application is
/// independent of the review draws of the same (buyer, item, n).
const TIEBREAK_PURPOSE: u64 = 1 << 32;

/// A licence held: shipments are allowed before step `until`, up to `remaining_t` more tonnes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Licence {
    /// First step no longer covered.
    pub until: u32,
    /// Tonnes still covered (infinite when the regime sets no quantity).
    pub remaining_t: f64,
    /// The need it was sized on: the applicant's orders per step at application.
    pub need_t_per_step: f64,
}

/// Where the latest application of one (buyer, item) stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Application {
    /// None pending (never applied, or the last one was approved).
    #[default]
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
    /// Refused; may apply again from step `retry`.
    Refused {
        /// First step a new application is allowed.
        retry: u32,
    },
}

/// Where one (buyer, item) pair stands with one authority: the licence it holds, if any (its
/// term may have run out), and its latest application.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LicenceState {
    /// The licence last granted.
    pub licence: Option<Licence>,
    /// The latest application.
    pub application: Application,
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

/// Decisions of the current step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct StepDecisions {
    /// Approvals.
    pub(crate) approved: u32,
    /// Refusals.
    pub(crate) refused: u32,
}

/// Every (buyer, item)'s licence and application with one authority, and the review queue.
/// Tables are `[buyer * n_items + item]`; nothing allocates after [`LicenceBook::new`].
#[derive(Clone, Debug)]
pub(crate) struct LicenceBook {
    n_items: usize,
    n_sectors: usize,
    licences: Vec<Option<Licence>>,
    applications: Vec<Application>,
    /// Orders per step at the latest application: the need an approval is sized on.
    need_t: Vec<f64>,
    /// Applications waiting, in order of review: (place-in-line draw, slot). Each slot is queued
    /// at most once at a time, so the capacity reserved at the start is never exceeded.
    queue: VecDeque<(u64, usize)>,
    /// Applications filed per slot: the counter of their place-in-line draws.
    filed: Vec<u32>,
    /// Reviews started per slot: the counter of their keyed draws.
    reviews_started: Vec<u32>,
    /// Slots under review (in no particular order: each decision touches only its own slot
    /// and integer counts, so the order decisions are revealed in changes nothing). Capacity
    /// for every slot is reserved at the start, so pushing never allocates.
    in_review: Vec<usize>,
    /// Fraction of a review carried to the next step.
    review_credit: f64,
    /// Decisions so far.
    pub(crate) tally: LicenceTally,
    /// Decisions this step.
    pub(crate) this_step: StepDecisions,
}

impl LicenceBook {
    pub(crate) fn new(n_buyers: usize, n_items: usize, n_sectors: usize) -> Self {
        let n = n_buyers * n_items;
        Self {
            n_items,
            n_sectors,
            licences: vec![None; n],
            applications: vec![Application::None; n],
            need_t: vec![0.0; n],
            queue: VecDeque::with_capacity(n),
            filed: vec![0; n],
            reviews_started: vec![0; n],
            in_review: Vec::with_capacity(n),
            review_credit: 0.0,
            tally: LicenceTally::default(),
            this_step: StepDecisions::default(),
        }
    }

    /// The table index of (buyer, item).
    #[inline]
    pub(crate) fn slot(&self, buyer: usize, item: ItemId) -> usize {
        buyer * self.n_items + item.idx()
    }

    /// True when `slot` holds a licence in its term with quantity left at `step`.
    #[inline]
    pub(crate) fn is_licensed(&self, slot: usize, step: u32) -> bool {
        self.licences[slot].is_some_and(|l| l.until > step && l.remaining_t > USED_UP_T)
    }

    /// Tonnes `slot` may still receive under its licence at `step` (0 without a valid one).
    #[inline]
    pub(crate) fn room_t(&self, slot: usize, step: u32) -> f64 {
        if self.is_licensed(slot, step) {
            self.licences[slot].map_or(0.0, |l| l.remaining_t)
        } else {
            0.0
        }
    }

    /// Counts `tonnes` shipped under the licence of `slot` against its quantity.
    #[inline]
    pub(crate) fn count_down(&mut self, slot: usize, tonnes: f64) {
        if let Some(l) = &mut self.licences[slot] {
            l.remaining_t = (l.remaining_t - tonnes).max(0.0);
        }
    }

    /// Where `slot` stands.
    pub(crate) fn state(&self, slot: usize) -> LicenceState {
        LicenceState {
            licence: self.licences[slot],
            application: self.applications[slot],
        }
    }

    /// Applications waiting for review.
    pub(crate) fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Applications queued or under review.
    pub(crate) fn pending(&self) -> usize {
        self.queue.len() + self.in_review.len()
    }

    /// True when the licence of `slot` is due for renewal at `step`: none is valid, or the
    /// steps it still covers (by term, or by quantity at the need it was sized on) have fallen
    /// to `renew_steps`.
    fn due(&self, slot: usize, step: u32, renew_steps: f64) -> bool {
        if !self.is_licensed(slot, step) {
            return true;
        }
        let Some(l) = self.licences[slot] else {
            return true;
        };
        let by_term = f64::from(l.until - step);
        let by_quantity = if l.need_t_per_step > 0.0 {
            l.remaining_t / l.need_t_per_step
        } else {
            f64::INFINITY
        };
        by_term.min(by_quantity) <= renew_steps
    }

    /// Files an application for `slot` with need `need_t` per step if its licence is due for
    /// renewal (or it has none), none is pending and it is not waiting out a refusal. Returns
    /// true when one was filed. Its place in line among this step's applications is drawn by
    /// `(slot, authority, n-th application)`.
    pub(crate) fn apply(
        &mut self,
        slot: usize,
        need_t: f64,
        step: u32,
        renew_steps: f64,
        (me, key): (AuthorityId, Keyed),
    ) -> bool {
        let may_apply = match self.applications[slot] {
            Application::None => true,
            Application::Refused { retry } => retry <= step,
            Application::Queued { .. } | Application::Review { .. } => false,
        };
        if !may_apply || !self.due(slot, step, renew_steps) {
            return false;
        }
        let nth = self.filed[slot];
        self.filed[slot] += 1;
        let place = key.bits(
            slot as u64,
            me.idx() as u64 | TIEBREAK_PURPOSE,
            u64::from(nth),
        );
        self.applications[slot] = Application::Queued { applied: step };
        self.need_t[slot] = need_t;
        self.queue.push_back((place, slot));
        true
    }

    /// Puts the last `n` applications (all filed this step) in their drawn order. The draw
    /// decides; the slot only breaks a tie between two equal draws.
    pub(crate) fn order_latest(&mut self, n: usize) {
        if n < 2 {
            return;
        }
        let len = self.queue.len();
        self.queue.make_contiguous()[len - n..].sort_unstable();
    }

    /// Starts reviews up to the capacity of `regime`, then reveals every decision due by
    /// `step`.
    pub(crate) fn review(
        &mut self,
        regime: &LicenceRegime,
        (me, key): (AuthorityId, Keyed),
        buyers: &[Buyer],
        step: u32,
    ) {
        self.this_step = StepDecisions::default();
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
            let Some((_, slot)) = self.queue.pop_front() else {
                break;
            };
            let Application::Queued { applied } = self.applications[slot] else {
                continue;
            };
            let buyer = &buyers[slot / self.n_items];
            let odds = regime.approval[buyer.region.idx() * self.n_sectors + buyer.sector.idx()];
            // The n-th review of this (buyer, item) draws the same numbers in every strategy.
            let nth = self.reviews_started[slot];
            self.reviews_started[slot] += 1;
            let (z, u) = key.normal_and_uniform(slot as u64, me.idx() as u64, u64::from(nth));
            let lead = lead_steps(regime.lead_time_for(buyer.region), z);
            self.applications[slot] = Application::Review {
                applied,
                decides: step.saturating_add(lead),
                approved: u < odds,
            };
            self.in_review.push(slot);
        }
        // Only the slots under review (not every slot's application) are looked at.
        let mut k = 0;
        while k < self.in_review.len() {
            let slot = self.in_review[k];
            let Application::Review {
                applied,
                decides,
                approved,
            } = self.applications[slot]
            else {
                // Never happens (only a decision ends a review); dropped if it did.
                self.in_review.swap_remove(k);
                continue;
            };
            if decides > step {
                k += 1;
                continue;
            }
            self.in_review.swap_remove(k);
            self.tally.decided += 1;
            self.tally.delay_steps += u64::from(step - applied);
            if approved {
                self.tally.approved += 1;
                self.this_step.approved += 1;
                let buyer = &buyers[slot / self.n_items];
                let term =
                    regime.validity_steps[buyer.region.idx() * self.n_sectors + buyer.sector.idx()];
                let need = self.need_t[slot];
                self.licences[slot] = Some(Licence {
                    until: step.saturating_add(term),
                    remaining_t: regime
                        .quantity_cover_factor
                        .map_or(f64::INFINITY, |f| need * f64::from(term) * f),
                    need_t_per_step: need,
                });
                self.applications[slot] = Application::None;
            } else {
                self.this_step.refused += 1;
                self.applications[slot] = Application::Refused {
                    retry: step.saturating_add(regime.reapply_delay_steps),
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buyers::BuyerKind;
    use crate::ids::{ManufacturerId, RegionId, SectorId};
    use crate::keyed::LeadTime;

    fn regime(capacity: f64) -> LicenceRegime {
        LicenceRegime {
            review_capacity_per_step: capacity,
            lead_time: LeadTime {
                median_steps: 0.0,
                sigma: 0.0,
                max_steps: 0.0,
            },
            lead_time_by_region: Vec::new(),
            approval: vec![1.0],
            validity_steps: vec![10],
            reapply_delay_steps: 2,
            renewal_margin_steps: 0.0,
            quantity_cover_factor: Some(1.5),
        }
    }

    fn buyers(n: usize) -> Vec<Buyer> {
        vec![
            Buyer {
                region: RegionId(0),
                sector: SectorId(0),
                kind: BuyerKind::Manufacturer(ManufacturerId(0)),
            };
            n
        ]
    }

    /// The order in which the applications of `applicants` (buyer ids, one item), all filed in
    /// one step, are reviewed at one review a step.
    fn review_order(applicants: &[usize], key: Keyed) -> Vec<usize> {
        let n_buyers = applicants.iter().max().map_or(0, |m| m + 1);
        let mut book = LicenceBook::new(n_buyers, 1, 1);
        let me = (AuthorityId(0), key);
        for &b in applicants {
            assert!(book.apply(b, 1.0, 0, 0.0, me));
        }
        book.order_latest(applicants.len());
        let (r, all) = (regime(1.0), buyers(n_buyers));
        let mut order = Vec::new();
        for step in 0..u32::try_from(applicants.len()).unwrap() {
            book.review(&r, me, &all, step);
            for &b in applicants {
                if book.licences[b].is_some() && !order.contains(&b) {
                    order.push(b);
                }
            }
        }
        order
    }

    #[test]
    fn same_day_applications_are_reviewed_in_keyed_random_order_stable_across_strategies() {
        let buyers_in_id_order: Vec<usize> = (0..8).collect();
        let mut differs = false;
        for k in 0..20 {
            let key = Keyed(k);
            let order = review_order(&buyers_in_id_order, key);
            assert_eq!(order.len(), 8, "everyone reviewed: {order:?}");
            differs |= order != buyers_in_id_order;
            // Same key, same order: reproducible.
            assert_eq!(order, review_order(&buyers_in_id_order, key));
            // A strategy that adds an applicant (a stockpile, buyer 8) leaves the others in the
            // same relative order.
            let mut with_extra = buyers_in_id_order.clone();
            with_extra.push(8);
            let others: Vec<usize> = review_order(&with_extra, key)
                .into_iter()
                .filter(|&b| b != 8)
                .collect();
            assert_eq!(others, order, "key {k}");
        }
        assert!(differs, "ties are not broken in buyer-id order");
    }

    #[test]
    fn earlier_applications_are_reviewed_first_whatever_their_draw() {
        let mut book = LicenceBook::new(2, 1, 1);
        let me = (AuthorityId(0), Keyed(9));
        // Buyer 1 applies a step before buyer 0; capacity one a step from step 1.
        assert!(book.apply(1, 1.0, 0, 0.0, me));
        book.order_latest(1);
        assert!(book.apply(0, 1.0, 1, 0.0, me));
        book.order_latest(1);
        let all = buyers(2);
        book.review(&regime(1.0), me, &all, 1);
        assert!(book.licences[1].is_some() && book.licences[0].is_none());
    }

    #[test]
    fn an_approval_covers_the_need_over_the_term_and_shipments_use_it_up() {
        let mut book = LicenceBook::new(1, 1, 1);
        let me = (AuthorityId(0), Keyed(1));
        assert!(book.apply(0, 4.0, 0, 0.0, me));
        book.review(&regime(1.0), me, &buyers(1), 0);
        // 4 t a step × 10 steps × 1.5.
        approx::assert_abs_diff_eq!(book.room_t(0, 0), 60.0);
        assert!(!book.due(0, 0, 3.0), "15 steps of cover left");
        book.count_down(0, 50.0);
        assert!(book.is_licensed(0, 1));
        assert!(book.due(0, 1, 3.0), "2.5 steps of need left");
        book.count_down(0, 10.0);
        assert!(!book.is_licensed(0, 1), "used up");
        assert!(book.due(0, 1, 0.0));
    }

    #[test]
    fn a_holder_applies_only_when_its_term_runs_low() {
        let mut book = LicenceBook::new(1, 1, 1);
        let me = (AuthorityId(0), Keyed(1));
        let mut r = regime(1.0);
        r.quantity_cover_factor = None;
        assert!(book.apply(0, 4.0, 0, 3.0, me));
        book.review(&r, me, &buyers(1), 0);
        // Valid until step 10: due from step 7 (3 steps left).
        for step in 1..7 {
            assert!(!book.apply(0, 4.0, step, 3.0, me), "step {step}");
        }
        assert!(book.apply(0, 4.0, 7, 3.0, me));
    }

    #[test]
    fn reviews_under_way_are_each_decided_at_their_own_step_and_only_once() {
        // Three applicants, a lead time drawn around 3 steps: every review is decided exactly
        // once, at its drawn step, whatever order the reviews under way are kept in.
        let mut book = LicenceBook::new(3, 1, 1);
        let me = (AuthorityId(0), Keyed(5));
        let mut r = regime(3.0);
        r.lead_time = LeadTime {
            median_steps: 3.0,
            sigma: 0.8,
            max_steps: 8.0,
        };
        for b in 0..3 {
            assert!(book.apply(b, 1.0, 0, 0.0, me));
        }
        book.order_latest(3);
        let all = buyers(3);
        book.review(&r, me, &all, 0);
        let decides: Vec<u32> = (0..3)
            .map(|slot| match book.applications[slot] {
                Application::Review { decides, .. } => decides,
                other => panic!("slot {slot}: {other:?}"),
            })
            .collect();
        assert!(decides.iter().any(|&d| d != decides[0]), "{decides:?}");
        let mut decided = 0;
        for step in 1..=10 {
            book.review(&r, me, &all, step);
            let now = decides.iter().filter(|&&d| d == step).count();
            assert_eq!(book.this_step.approved as usize, now, "step {step}");
            decided += now;
            assert_eq!(book.pending(), 3 - decided, "step {step}");
        }
        assert_eq!(book.tally.decided, 3);
    }

    #[test]
    fn a_refused_applicant_waits_out_the_delay() {
        let mut book = LicenceBook::new(1, 1, 1);
        let me = (AuthorityId(0), Keyed(1));
        let mut r = regime(1.0);
        r.approval = vec![0.0];
        assert!(book.apply(0, 4.0, 0, 0.0, me));
        book.review(&r, me, &buyers(1), 0);
        assert_eq!(book.this_step.refused, 1);
        assert!(!book.apply(0, 4.0, 1, 0.0, me));
        assert!(book.apply(0, 4.0, 2, 0.0, me));
    }
}
