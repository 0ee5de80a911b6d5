//! Markets: where material changes hands and prices answer scarcity.
//!
//! [`Book`] holds every stock (region warehouses and each buyer's own), the orders of the step and
//! the [`Ledger`] of flows; [`Book::allocate`] is the one way material moves from a seller to
//! buyers (pro rata to outstanding orders). [`clear_trade`] runs the three sales of step 6 item by
//! item (domestic, free imports, controlled exports); stockpile releases, the fourth, are the
//! stockpiles' own (`stockpiles.rs`). [`Prices`] holds the world and domestic price ratios and
//! the shortage each region saw, and moves them in step 9.

use crate::authority::ExportAuthority;
use crate::buyers::Buyers;
use crate::ids::{AuthorityId, BuyerId, ItemId, RegionId};
use crate::params::{ModelParams, PriceParams};

/// Flows of one step, per region × item, in tonnes: the terms of the material balance.
#[derive(Clone, Debug, PartialEq)]
pub struct Ledger {
    n_items: usize,
    /// Made by producers.
    pub produced: Vec<f64>,
    /// Used up by producers (inputs) and manufacturers.
    pub consumed: Vec<f64>,
    /// Received from other regions.
    pub imported: Vec<f64>,
    /// Shipped to other regions.
    pub exported: Vec<f64>,
}

impl Ledger {
    fn new(n_regions: usize, n_items: usize) -> Self {
        let z = vec![0.0; n_regions * n_items];
        Self {
            n_items,
            produced: z.clone(),
            consumed: z.clone(),
            imported: z.clone(),
            exported: z,
        }
    }

    pub(crate) fn clear(&mut self) {
        for v in [
            &mut self.produced,
            &mut self.consumed,
            &mut self.imported,
            &mut self.exported,
        ] {
            v.fill(0.0);
        }
    }

    /// Index of (region, item) in the flow tables.
    #[must_use]
    pub fn at(&self, region: RegionId, item: ItemId) -> usize {
        region.idx() * self.n_items + item.idx()
    }
}

/// Who sells in an allocation.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Seller {
    /// A region's warehouse (producers' finished goods and traders).
    Warehouse(RegionId),
    /// A stockpile releasing its holdings (a buyer that sells back).
    Stockpile(BuyerId),
}

/// Stocks, orders and flows of one replication: the order book all agents trade through.
#[derive(Clone, Debug)]
pub(crate) struct Book {
    n_items: usize,
    /// Warehouse stock, `warehouse[region * n_items + item]`.
    pub(crate) warehouse: Vec<f64>,
    /// Stock each buyer holds (inventory, input stock, stockpile holdings), `held[buyer * n_items + item]`.
    pub(crate) held: Vec<f64>,
    /// Outstanding orders this step, `order[buyer * n_items + item]`.
    pub(crate) order: Vec<f64>,
    /// Orders as placed this step (before filling).
    pub(crate) ordered: Vec<f64>,
    /// Scratch: which buyers the current seller may serve.
    pub(crate) eligible: Vec<bool>,
    /// Flows of this step.
    pub(crate) ledger: Ledger,
    /// Tonnes shipped by controlling exporters this step, per item.
    pub(crate) exported_by_authorities: Vec<f64>,
    /// The same by destination region, `exported_to[item * n_regions + region]`.
    pub(crate) exported_to: Vec<f64>,
    /// Scratch: tonnes the last [`Book::allocate`] moved to each region.
    moved_to: Vec<f64>,
}

impl Book {
    /// Empty stocks and orders; warehouses filled from the parameters.
    pub(crate) fn new(params: &ModelParams, n_buyers: usize) -> Self {
        let (ni, nr) = (params.items.len(), params.regions.len());
        let mut warehouse = vec![0.0; nr * ni];
        for w in &params.warehouses {
            warehouse[w.region.idx() * ni + w.item.idx()] += w.tonnes;
        }
        Self {
            n_items: ni,
            warehouse,
            held: vec![0.0; n_buyers * ni],
            order: vec![0.0; n_buyers * ni],
            ordered: vec![0.0; n_buyers * ni],
            eligible: vec![false; n_buyers],
            ledger: Ledger::new(nr, ni),
            exported_by_authorities: vec![0.0; ni],
            exported_to: vec![0.0; ni * nr],
            moved_to: vec![0.0; nr],
        }
    }

    /// Index of (buyer, item) in `held`, `order` and `ordered`.
    #[inline]
    pub(crate) fn slot(&self, b: BuyerId, item: ItemId) -> usize {
        b.idx() * self.n_items + item.idx()
    }

    /// Moves up to `supply` tonnes of `item` out of `from` to the buyers marked in
    /// `self.eligible`, pro rata to their outstanding orders, and books the flows between
    /// regions. Returns the tonnes moved.
    pub(crate) fn allocate(
        &mut self,
        buyers: &Buyers,
        from: Seller,
        item: usize,
        supply: f64,
        candidates: &[BuyerId],
    ) -> f64 {
        let ni = self.n_items;
        self.moved_to.fill(0.0);
        let mut demand = 0.0;
        for &b in candidates {
            if self.eligible[b.idx()] {
                demand += self.order[b.idx() * ni + item];
            }
        }
        if demand <= 0.0 || supply <= 0.0 {
            return 0.0;
        }
        let fill = (supply / demand).min(1.0);
        let from_region = match from {
            Seller::Warehouse(r) => r.idx(),
            Seller::Stockpile(b) => buyers.get(b).region.idx(),
        };
        let mut moved = 0.0;
        for &b in candidates {
            let slot = b.idx() * ni + item;
            let want = self.order[slot];
            if want <= 0.0 || !self.eligible[b.idx()] {
                continue;
            }
            // Never more than is left, so rounding cannot overdraw the source.
            let q = (want * fill).min(supply - moved).max(0.0);
            self.order[slot] -= q;
            self.held[slot] += q;
            moved += q;
            let to_region = buyers.get(b).region.idx();
            self.moved_to[to_region] += q;
            if to_region != from_region {
                self.ledger.exported[from_region * ni + item] += q;
                self.ledger.imported[to_region * ni + item] += q;
            }
        }
        let source = match from {
            Seller::Warehouse(r) => &mut self.warehouse[r.idx() * ni + item],
            Seller::Stockpile(b) => &mut self.held[b.idx() * ni + item],
        };
        *source = (*source - moved).max(0.0);
        moved
    }
}

/// Step 6 (a)–(c), item by item: (a) each region's warehouse serves its own buyers; (b) regions
/// without an export authority sell their surplus abroad, subject only to extraterritorial
/// rules; (c) controlled exporters ship to licensed, non-embargoed buyers within quota.
pub(crate) fn clear_trade(
    book: &mut Book,
    buyers: &Buyers,
    authority_of_region: &[Option<AuthorityId>],
    authorities: &mut [ExportAuthority],
    params: &ModelParams,
    t: u32,
) {
    let (ni, nr) = (book.n_items, params.regions.len());
    for i in 0..ni {
        let item = ItemId::from(i);
        // Only buyers that ever order this item take part; in buyer-id order.
        let orderers = buyers.orderers(i);
        // (a) Domestic: each region's warehouse serves its own buyers first.
        for r in 0..nr {
            if book.warehouse[r * ni + i] <= 0.0 {
                continue;
            }
            for &b in orderers {
                book.eligible[b.idx()] = buyers.get(b).region.idx() == r;
            }
            let supply = book.warehouse[r * ni + i];
            book.allocate(
                buyers,
                Seller::Warehouse(RegionId::from(r)),
                i,
                supply,
                orderers,
            );
        }
        // (b) Free imports: regions without an export authority sell their surplus abroad,
        // subject only to the authorities' extraterritorial rules.
        for (s, exporter) in authority_of_region.iter().enumerate() {
            if exporter.is_some() || book.warehouse[s * ni + i] <= 0.0 {
                continue;
            }
            for &b in orderers {
                let region = buyers.get(b).region;
                book.eligible[b.idx()] = region.idx() != s
                    && authorities.iter().all(|a| {
                        !a.covers_reexport(item) || a.region == region || a.is_licensed(b, item, t)
                    });
            }
            let supply = book.warehouse[s * ni + i];
            book.allocate(
                buyers,
                Seller::Warehouse(RegionId::from(s)),
                i,
                supply,
                orderers,
            );
        }
        // (c) Controlled exporters: embargoes, licences and quotas apply.
        for (a, auth) in authorities.iter_mut().enumerate() {
            let me = AuthorityId::from(a);
            let s = auth.region.idx();
            let supply = book.warehouse[s * ni + i].min(auth.quota_room_t(params, me, item));
            if supply <= 0.0 {
                continue;
            }
            let controlled = auth.is_controlled(item);
            for &b in orderers {
                let region = buyers.get(b).region;
                book.eligible[b.idx()] = region.idx() != s
                    && !auth.is_embargoed(region, item)
                    && (!controlled || auth.is_licensed(b, item, t));
            }
            let moved = book.allocate(buyers, Seller::Warehouse(auth.region), i, supply, orderers);
            if moved > 0.0 {
                auth.book_shipment(params, me, item, moved);
                book.exported_by_authorities[i] += moved;
                for (to, q) in book.exported_to[i * nr..(i + 1) * nr]
                    .iter_mut()
                    .zip(&book.moved_to)
                {
                    *to += q;
                }
            }
        }
    }
}

/// Prices and the scarcity they answer.
#[derive(Clone, Debug)]
pub(crate) struct Prices {
    n_items: usize,
    /// Authority of each region, if it controls exports (whose domestic price its buyers see).
    authority_of_region: Vec<Option<AuthorityId>>,
    /// World (ex-exporter) price ratio per item.
    pub(crate) world: Vec<f64>,
    /// Domestic price ratio per authority × item.
    pub(crate) domestic: Vec<f64>,
    /// Opening warehouse stock per region × item: the reference for a glut.
    normal_stock: Vec<f64>,
    /// Last step's unmet share of orders per region × item.
    pub(crate) shortage: Vec<f64>,
}

impl Prices {
    /// Every price at its baseline; `opening_warehouse` becomes the reference stock for gluts.
    pub(crate) fn new(
        params: &ModelParams,
        authority_of_region: &[Option<AuthorityId>],
        opening_warehouse: &[f64],
    ) -> Self {
        let (ni, nr) = (params.items.len(), params.regions.len());
        Self {
            n_items: ni,
            authority_of_region: authority_of_region.to_vec(),
            world: vec![1.0; ni],
            domestic: vec![1.0; params.authorities.len() * ni],
            normal_stock: opening_warehouse.to_vec(),
            shortage: vec![0.0; nr * ni],
        }
    }

    /// The price ratio a buyer or producer in `region` sees for `item`: its authority's domestic
    /// price inside a controlling exporter, the world price elsewhere.
    #[inline]
    pub(crate) fn ratio_in(&self, region: RegionId, item: ItemId) -> f64 {
        match self.authority_of_region[region.idx()] {
            Some(a) => self.domestic[a.idx() * self.n_items + item.idx()],
            None => self.world[item.idx()],
        }
    }

    /// Last step's unmet share of orders for `item` in `region`.
    #[inline]
    pub(crate) fn shortage_in(&self, region: RegionId, item: ItemId) -> f64 {
        self.shortage[region.idx() * self.n_items + item.idx()]
    }

    /// Shortage per region × item before any stockpile release: the unmet share of orders
    /// (stockpiles' own excluded). Measured before releases so that a release which covers the
    /// gap does not switch its own trigger off the next step.
    pub(crate) fn measure_shortage(&mut self, book: &Book, buyers: &Buyers) {
        let ni = self.n_items;
        let nr = self.shortage.len() / ni.max(1);
        for r in 0..nr {
            for i in 0..ni {
                let (mut ordered, mut unfilled) = (0.0, 0.0);
                for &b in buyers.in_region(r) {
                    if !buyers.is_stockpile(b) {
                        ordered += book.ordered[b.idx() * ni + i];
                        unfilled += book.order[b.idx() * ni + i];
                    }
                }
                self.shortage[r * ni + i] = if ordered > 0.0 {
                    unfilled / ordered
                } else {
                    0.0
                };
            }
        }
    }

    /// Step 9: the world price from the unfilled share of orders outside the controlling
    /// exporters; each exporter's domestic price from its own shortage less its warehouse glut.
    /// `peak` keeps the highest world ratio per item.
    pub(crate) fn update(
        &mut self,
        params: &ModelParams,
        book: &Book,
        buyers: &Buyers,
        authorities: &[ExportAuthority],
        peak: &mut [f64],
    ) {
        let ni = self.n_items;
        let nr = params.regions.len();
        for (i, item) in params.items.iter().enumerate() {
            // World market: unfilled share of orders placed outside the controlling exporters.
            let (mut ordered, mut unfilled) = (0.0, 0.0);
            for r in 0..nr {
                if self.authority_of_region[r].is_some() {
                    continue;
                }
                for &b in buyers.in_region(r) {
                    ordered += book.ordered[b.idx() * ni + i];
                    unfilled += book.order[b.idx() * ni + i];
                }
            }
            let scarcity = if ordered > 0.0 {
                unfilled / ordered
            } else {
                0.0
            };
            self.world[i] = next_ratio(self.world[i], scarcity, &item.price);
            peak[i] = peak[i].max(self.world[i]);
            // Domestic market of each exporter: its own shortage less its warehouse glut, so a
            // blocked export drives the domestic price down and opens the wedge.
            for (a, auth) in authorities.iter().enumerate() {
                let r = auth.region.idx();
                let normal = self.normal_stock[r * ni + i];
                let glut = if normal > 0.0 {
                    ((book.warehouse[r * ni + i] - normal) / normal).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                let scarcity = self.shortage[r * ni + i] - glut;
                let slot = a * ni + i;
                self.domestic[slot] = next_ratio(self.domestic[slot], scarcity, &item.price);
            }
        }
    }
}

/// One step of the log-price recursion, clamped to the item's bounds.
fn next_ratio(ratio: f64, scarcity: f64, pp: &PriceParams) -> f64 {
    let log = (1.0 - pp.reversion_per_step) * ratio.ln() + pp.elasticity * scarcity;
    log.clamp(pp.min_ratio.ln(), pp.max_ratio.ln()).exp()
}

/// `base^exp`, skipping the library call in the common cases where IEEE 754 defines the result
/// as exactly 1 (a base of 1 or an exponent of 0): a third of a replication's time went to `pow`
/// when prices sat at baseline.
#[allow(
    clippy::float_cmp,
    reason = "exact cases of pow, bit-identical to calling it"
)]
#[inline]
pub(crate) fn pow(base: f64, exp: f64) -> f64 {
    if base == 1.0 || exp == 0.0 {
        1.0
    } else {
        base.powf(exp)
    }
}
