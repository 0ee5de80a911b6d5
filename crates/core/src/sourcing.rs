//! Diversification targets (issue 18, `[[sourcing_cap]]`): while a cap is in force, an importing
//! region takes at most a share `s` of each capped item it receives from any one controlling
//! exporter, counted in cumulative tonnes since the cap started, and buys from free sellers first
//! at a premium.
//!
//! Step 6 (docs/model.md §6 and §9c): every sale from a region's warehouse to the capped region's
//! buyers is counted by the seller's region ([`Sourcing::record`]): tonnes from a controlling
//! exporter `A` are `E_A`, all others (its own warehouse, free sellers, partner regions under
//! `A`'s control, other exporters) are `O_A`. In round (c) `A`'s sale to the region's buyers is
//! held to `max(0, s/(1−s) × O_A − E_A)`, pro rata to their orders ([`Sourcing::hold_back`]), so
//! the cumulative share `E_A / (E_A + O_A)` never exceeds `s`. Before round (b)'s ordinary sales
//! a priority pass (`markets::priority`) serves the region's buyers first from free sellers; each
//! tonne bought in it costs `premium_share × world price` ([`Sourcing::pay`]).
//!
//! Nothing here allocates after [`Sourcing::new`]; with no cap in force no other code path runs.

use crate::buyers::Buyers;
use crate::ids::{BuyerId, ItemId, RegionId};
use crate::metrics::Tally;
use crate::params::ModelParams;
use crate::units::KG_PER_T;

/// One capped (region, item) of a [`crate::SourcingCap`].
#[derive(Clone, Debug)]
struct Entry {
    /// Index of its cap in [`ModelParams::sourcing_caps`].
    cap: usize,
    region: RegionId,
    item: ItemId,
    max_share: f64,
    premium_share: f64,
    from_step: u32,
    until_step: u32,
}

/// The caps' running state for one replication.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sourcing {
    n_regions: usize,
    entries: Vec<Entry>,
    /// Whether each entry is in force this step.
    active: Vec<bool>,
    /// Per item: some entry of the item is in force this step (empty without caps).
    item_active: Vec<bool>,
    /// Cumulative tonnes each entry's region received since its cap started, by the seller's
    /// region: `received[entry * n_regions + seller]`.
    received: Vec<f64>,
    /// Per buyer: the order a cap held back in the current round (c) sale.
    cut_t: Vec<f64>,
    /// Whether the current round (c) sale held anything back.
    cut_any: bool,
    /// Per entry: tonnes bought in this step's priority pass.
    priority_t: Vec<f64>,
}

impl Sourcing {
    /// The caps of `params`, one entry per (cap, item); empty tables without caps.
    pub(crate) fn new(params: &ModelParams, n_buyers: usize) -> Self {
        if params.sourcing_caps.is_empty() {
            return Self::default();
        }
        let entries: Vec<Entry> = params
            .sourcing_caps
            .iter()
            .enumerate()
            .flat_map(|(cap, c)| {
                c.items.iter().map(move |&item| Entry {
                    cap,
                    region: c.region,
                    item,
                    max_share: c.max_share,
                    premium_share: c.premium_share,
                    from_step: c.from_step,
                    until_step: c.until_step,
                })
            })
            .collect();
        let nr = params.regions.len();
        Self {
            n_regions: nr,
            active: vec![false; entries.len()],
            item_active: vec![false; params.items.len()],
            received: vec![0.0; entries.len() * nr],
            cut_t: vec![0.0; n_buyers],
            cut_any: false,
            priority_t: vec![0.0; entries.len()],
            entries,
        }
    }

    /// Start of step 6: which caps are in force at reported step `reported` (none in the
    /// warm-up); this step's priority tonnes restart.
    pub(crate) fn begin_step(&mut self, reported: Option<u32>) {
        if self.entries.is_empty() {
            return;
        }
        self.item_active.fill(false);
        for (e, a) in self.entries.iter().zip(&mut self.active) {
            *a = reported.is_some_and(|t| e.from_step <= t && t < e.until_step);
            self.item_active[e.item.idx()] |= *a;
        }
        self.priority_t.fill(0.0);
    }

    /// True when some cap of item `i` is in force this step.
    #[inline]
    pub(crate) fn item_active(&self, i: usize) -> bool {
        self.item_active.get(i).copied().unwrap_or(false)
    }

    /// After a sale of item `i` from the warehouse of region `from` that moved `moved_to[region]`
    /// tonnes to each region's buyers: the capped regions' receipts, by the seller's region.
    /// (Stockpile releases are not counted: the material was counted when the stockpile bought
    /// it.)
    pub(crate) fn record(&mut self, from: RegionId, i: usize, moved_to: &[f64]) {
        let nr = self.n_regions;
        for (e, entry) in self.entries.iter().enumerate() {
            if self.active[e] && entry.item.idx() == i {
                self.received[e * nr + from.idx()] += moved_to[entry.region.idx()];
            }
        }
    }

    /// Round (c), before the licences hold orders back: exporter region `s`'s sale of item `i`
    /// to each capped region's buyers among `served` is held to `max(0, s/(1−s) × O − E)`, pro
    /// rata to their orders in `order` (restored by [`Sourcing::restore`]).
    pub(crate) fn hold_back(
        &mut self,
        buyers: &Buyers,
        (s, i): (RegionId, usize),
        served: &[BuyerId],
        order: &mut [f64],
        n_items: usize,
    ) {
        let nr = self.n_regions;
        for (e, entry) in self.entries.iter().enumerate() {
            if !self.active[e] || entry.item.idx() != i || entry.region == s {
                continue;
            }
            let got = &self.received[e * nr..(e + 1) * nr];
            let from_exporter = got[s.idx()];
            let others = got.iter().sum::<f64>() - from_exporter;
            let room =
                (entry.max_share / (1.0 - entry.max_share) * others - from_exporter).max(0.0);
            let mut wanted = 0.0;
            for &b in served {
                if buyers.get(b).region == entry.region {
                    wanted += order[b.idx() * n_items + i].max(0.0);
                }
            }
            if wanted <= room {
                continue;
            }
            let keep = room / wanted;
            for &b in served {
                if buyers.get(b).region == entry.region {
                    let slot = b.idx() * n_items + i;
                    let cut = order[slot].max(0.0) * (1.0 - keep);
                    order[slot] -= cut;
                    self.cut_t[b.idx()] += cut;
                }
            }
            self.cut_any = true;
        }
    }

    /// Round (c), after the sale: the orders a cap held back are restored (still unmet).
    pub(crate) fn restore(
        &mut self,
        served: &[BuyerId],
        order: &mut [f64],
        (i, ni): (usize, usize),
    ) {
        if !self.cut_any {
            return;
        }
        for &b in served {
            order[b.idx() * ni + i] += self.cut_t[b.idx()];
            self.cut_t[b.idx()] = 0.0;
        }
        self.cut_any = false;
    }

    /// After step 6: the premium on the tonnes bought in this step's priority passes,
    /// `premium_share × world price × base × 1000` per tonne, into the tally.
    pub(crate) fn pay(&self, params: &ModelParams, world: &[f64], tally: &mut Tally) {
        for (e, entry) in self.entries.iter().enumerate() {
            let q = self.priority_t[e];
            if q > 0.0 {
                let i = entry.item.idx();
                let price = world[i] * params.items[i].base_price_usd_per_kg;
                tally.sourcing_premium_usd += entry.premium_share * price * q * KG_PER_T;
            }
        }
    }

    /// How many (cap, item) entries there are.
    pub(crate) fn n_entries(&self) -> usize {
        self.entries.len()
    }

    /// The region of entry `e` when it is in force this step and caps `item`.
    pub(crate) fn capped_region(&self, e: usize, item: ItemId) -> Option<RegionId> {
        let entry = &self.entries[e];
        (self.active[e] && entry.item == item).then_some(entry.region)
    }

    /// Adds `q` tonnes bought in this step's priority pass to entry `e`.
    pub(crate) fn add_priority(&mut self, e: usize, q: f64) {
        self.priority_t[e] += q;
    }

    /// The entry of cap `cap` for `item`, if it caps it.
    fn entry(&self, cap: usize, item: ItemId) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| e.cap == cap && e.item == item)
    }

    /// Cumulative tonnes of `item` the region of cap `cap` received from `seller`'s warehouse
    /// since the cap started (0 when the cap does not cover the item).
    pub(crate) fn received_t(&self, cap: usize, item: ItemId, seller: RegionId) -> f64 {
        self.entry(cap, item)
            .map_or(0.0, |e| self.received[e * self.n_regions + seller.idx()])
    }

    /// Tonnes of `item` the region of cap `cap` bought in the last step's priority pass.
    pub(crate) fn priority_t(&self, cap: usize, item: ItemId) -> f64 {
        self.entry(cap, item).map_or(0.0, |e| self.priority_t[e])
    }
}
