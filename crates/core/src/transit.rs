//! Cargo in transit: what has been sold to a buyer in another region and has not yet arrived.
//!
//! A [`Pipeline`] is a ring buffer per (buyer, item) slot with one place per step of the longest
//! route, allocated once: a shipment sold in step `t` on a route of `L` steps is put in the place
//! of step `t + L` and taken out at the start of that step. Nothing in it can be stopped: the
//! export licence was checked when it was sold, and a later halt does not recall it.

use crate::buyers::Buyers;
use crate::params::ModelParams;

/// Tonnes on their way to each buyer, by the step they arrive.
#[derive(Clone, Debug)]
pub(crate) struct Pipeline {
    n_regions: usize,
    /// Steps in transit, `transit[from * n_regions + to]` (empty: every route takes no time).
    transit: Vec<u32>,
    /// Places per slot: the longest route plus one, so that a shipment never lands in the place
    /// being emptied in the step it is sold.
    len: usize,
    /// Tonnes due, `ring[slot * len + arrival_step % len]`.
    ring: Vec<f64>,
    /// Steps in transit per tonne of each slot's baseline flow, from the equilibrium start
    /// ([`Pipeline::fill_steady`]): the supply line a buyer keeps, in steps of its use.
    lead_steps: Vec<f64>,
    /// The slots that can ever hold cargo (some buyer orders their item), item-major and
    /// ascending within an item: `item_slots[item_start[i]..item_start[i + 1]]` for item `i`.
    /// Empty `item_start`: every slot can (the stride of `n_items` is walked instead).
    item_slots: Vec<usize>,
    item_start: Vec<usize>,
}

impl Pipeline {
    /// An empty pipeline for every (buyer, item) slot of `buyers`.
    pub(crate) fn new(params: &ModelParams, buyers: &Buyers) -> Self {
        let ni = params.items.len();
        let mut pipe = Self::with_routes(
            params.regions.len(),
            params.trade.transit_steps.clone(),
            buyers.len() * ni,
        );
        pipe.item_start.push(0);
        for i in 0..ni {
            pipe.item_slots
                .extend(buyers.orderers(i).iter().map(|b| b.idx() * ni + i));
            pipe.item_start.push(pipe.item_slots.len());
        }
        pipe
    }

    /// An empty pipeline for `n_slots` slots on the routes `transit` (from × to, steps).
    fn with_routes(n_regions: usize, transit: Vec<u32>, n_slots: usize) -> Self {
        let len = transit.iter().copied().max().unwrap_or(0) as usize + 1;
        Self {
            n_regions,
            transit,
            len,
            ring: vec![0.0; if len > 1 { n_slots * len } else { 0 }],
            lead_steps: vec![0.0; n_slots],
            item_slots: Vec::new(),
            item_start: Vec::new(),
        }
    }

    /// True when every route takes no time (nothing is ever in transit).
    #[inline]
    pub(crate) fn is_instant(&self) -> bool {
        self.len == 1
    }

    /// Steps a shipment from region `from` to region `to` spends in transit.
    #[inline]
    pub(crate) fn transit(&self, from: usize, to: usize) -> u32 {
        self.transit
            .get(from * self.n_regions + to)
            .copied()
            .unwrap_or(0)
    }

    /// Puts `q` tonnes for `slot` on the way, arriving at the start of step `arrival`.
    #[inline]
    pub(crate) fn ship(&mut self, slot: usize, arrival: u32, q: f64) {
        self.ring[slot * self.len + arrival as usize % self.len] += q;
    }

    /// Takes out what arrives for `slot` at the start of step `t`.
    #[inline]
    pub(crate) fn take_due(&mut self, slot: usize, t: u32) -> f64 {
        std::mem::take(&mut self.ring[slot * self.len + t as usize % self.len])
    }

    /// Tonnes on the way to `slot`.
    #[inline]
    pub(crate) fn in_transit(&self, slot: usize) -> f64 {
        if self.is_instant() {
            return 0.0;
        }
        self.ring[slot * self.len..(slot + 1) * self.len]
            .iter()
            .sum()
    }

    /// Tonnes of item `item` on the way to anyone (slots are buyer-major with `n_items` items).
    pub(crate) fn item_total(&self, item: usize, n_items: usize) -> f64 {
        if self.is_instant() {
            return 0.0;
        }
        if self.item_start.is_empty() {
            let n_slots = self.ring.len() / self.len;
            return (item..n_slots)
                .step_by(n_items.max(1))
                .map(|slot| self.in_transit(slot))
                .sum();
        }
        // Only slots that can hold cargo: the others hold +0.0, which adds nothing (the sum
        // starts from +0.0 and every term is +0.0 or more, so the result is bit-identical).
        self.item_slots[self.item_start[item]..self.item_start[item + 1]]
            .iter()
            .fold(0.0, |sum, &slot| sum + self.in_transit(slot))
    }

    /// The supply line `slot` keeps for a flow of `flow` tonnes per step: the tonnes in transit
    /// that flow needs when it comes by the baseline routes.
    #[inline]
    pub(crate) fn supply_line(&self, slot: usize, flow: f64) -> f64 {
        self.lead_steps[slot] * flow
    }

    /// Every tonne in transit (for invariant checks).
    pub(crate) fn values(&self) -> &[f64] {
        &self.ring
    }

    /// The equilibrium start: given `one_step`, a pipeline holding the shipments of one
    /// steady-state step sold at step 0 (a shipment on a route of `L` steps in place `L`), puts
    /// what steady trade would have at sea at the start of step 0: each route's flow once in
    /// every place `0..L` (sold at steps `-L..-1`), so that step 0 receives a full step's
    /// imports. `baseline_order` (per slot, tonnes per step) turns the tonnes at sea into steps
    /// of supply line.
    pub(crate) fn fill_steady(&mut self, one_step: &Pipeline, baseline_order: &[f64]) {
        if self.is_instant() {
            return;
        }
        let len = self.len;
        for (slot, lead) in self.lead_steps.iter_mut().enumerate() {
            let base = slot * len;
            let mut at_sea = 0.0;
            for l in 1..len {
                let q = one_step.ring[base + l];
                if q > 0.0 {
                    for place in &mut self.ring[base..base + l] {
                        *place += q;
                    }
                    #[allow(
                        clippy::cast_precision_loss,
                        reason = "a number of steps, far below 2^52"
                    )]
                    let steps = l as f64;
                    at_sea += steps * q;
                }
            }
            *lead = if baseline_order[slot] > 0.0 {
                at_sea / baseline_order[slot]
            } else {
                0.0
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two regions, three steps from one to the other.
    fn two_regions(n_slots: usize) -> Pipeline {
        Pipeline::with_routes(2, vec![0, 3, 3, 0], n_slots)
    }

    #[test]
    fn a_shipment_arrives_exactly_its_transit_later_and_only_once() {
        let mut pipe = two_regions(2);
        assert_eq!((pipe.transit(0, 1), pipe.transit(1, 1)), (3, 0));
        pipe.ship(1, 5 + 3, 7.0);
        assert!((pipe.in_transit(1) - 7.0).abs() < 1e-12);
        for t in 5..8 {
            assert!(pipe.take_due(1, t).abs() < 1e-12, "nothing before step 8");
        }
        assert!((pipe.take_due(1, 8) - 7.0).abs() < 1e-12);
        assert!(pipe.in_transit(1).abs() < 1e-12);
        assert!(pipe.take_due(1, 12).abs() < 1e-12, "not again a ring later");
    }

    #[test]
    fn the_steady_pipeline_holds_each_flow_once_per_step_of_its_route() {
        let mut one = two_regions(1);
        one.ship(0, 3, 60.0);
        let mut pipe = two_regions(1);
        pipe.fill_steady(&one, &[100.0]);
        assert!((pipe.in_transit(0) - 180.0).abs() < 1e-12);
        assert!((pipe.supply_line(0, 100.0) - 180.0).abs() < 1e-12);
        for t in 0..3 {
            assert!((pipe.take_due(0, t) - 60.0).abs() < 1e-12, "step {t}");
        }
        assert!(pipe.in_transit(0).abs() < 1e-12);
    }
}
