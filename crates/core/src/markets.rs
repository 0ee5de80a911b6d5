//! Markets: where material changes hands and prices answer scarcity.
//!
//! [`Book`] holds every stock (region warehouses and each buyer's own, and the cargo in transit
//! to each buyer), the orders of the step and the [`Ledger`] of flows; [`Book::allocate`] is the
//! one way material moves from a seller to buyers (pro rata to outstanding orders): at once
//! within a region, through the [`Pipeline`] between regions. [`clear_trade`] runs the three sales of step 6 item by
//! item (domestic, free imports, controlled exports); stockpile releases, the fourth, are the
//! stockpiles' own (`stockpiles.rs`). [`Prices`] holds the world and domestic price ratios and
//! the shortage each region saw, and moves them in step 9.

use crate::authority::ExportAuthority;
use crate::buyers::Buyers;
use crate::ids::{AuthorityId, BuyerId, ItemId, RegionId};
use crate::params::{ItemKind, ModelParams};
use crate::sourcing::Sourcing;
use crate::transit::Pipeline;

mod priority;

/// Flows of one step, per region × item, in tonnes: the terms of the material balance.
#[derive(Clone, Debug, PartialEq)]
pub struct Ledger {
    n_items: usize,
    /// Made by producers.
    pub produced: Vec<f64>,
    /// Used up by producers (inputs) and manufacturers.
    pub consumed: Vec<f64>,
    /// Received from other regions: cargo that arrived this step (sold this step on a route
    /// that takes no time, or earlier).
    pub imported: Vec<f64>,
    /// Shipped to other regions this step, whether it arrives this step or later.
    pub exported: Vec<f64>,
    /// Wanted for use, decided where use is decided: manufacturers' need for the output they
    /// plan (demand net of substitution, plus catch-up of a backlog) and producers' inputs for
    /// planned activity. `consumed <= wanted`.
    pub wanted: Vec<f64>,
    /// The part of `wanted` its users did not hold when they came to use it: what was short of
    /// *this* item. Prices answer this, not `wanted - consumed`: an input left unused because
    /// another input of the same Leontief recipe ran out is not scarce (a magnet maker short of
    /// Dy holds its NdPr; the NdPr price must not rise for it). `lacking <= wanted`.
    pub lacking: Vec<f64>,
}

impl Ledger {
    fn new(n_regions: usize, n_items: usize) -> Self {
        let z = vec![0.0; n_regions * n_items];
        Self {
            n_items,
            produced: z.clone(),
            consumed: z.clone(),
            imported: z.clone(),
            exported: z.clone(),
            wanted: z.clone(),
            lacking: z,
        }
    }

    pub(crate) fn clear(&mut self) {
        for v in [
            &mut self.produced,
            &mut self.consumed,
            &mut self.imported,
            &mut self.exported,
            &mut self.wanted,
            &mut self.lacking,
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
    /// The part of each order meant for this step's use (what the buyer plans to use, without
    /// restocking): manufacturers' planned output × need, producers' inputs for planned
    /// activity, 0 for stockpiles. `use_t[buyer * n_items + item]`.
    pub(crate) use_t: Vec<f64>,
    /// Per region × item: what buyers abroad that a controlling exporter may serve lack for this
    /// step's use after its sale ([`Book::lacking_use`]; 0 outside controlling exporters).
    pub(crate) eligible_lacking_use: Vec<f64>,
    /// Per region × item: foreign demand for this step's use that a controlling exporter may
    /// serve (buyers abroad not embargoed, licensed where controlled, each within its licensed
    /// order; all within this step's quota room), before its sale. Its producers' realised
    /// price weighs the world price by it ([`Prices::producer_ratio_in`]; 0 elsewhere).
    pub(crate) servable_foreign_use: Vec<f64>,
    /// Scratch: which buyers the current seller may serve.
    pub(crate) eligible: Vec<bool>,
    /// Scratch for free imports of one item: which buyers every extraterritorial rule lets
    /// receive it (worked out once per item, not once per selling region).
    reexport_ok: Vec<bool>,
    /// Scratch for a controlled exporter's sale of one item: the buyers it may serve, in
    /// buyer-id order (room for every buyer reserved at the start).
    served: Vec<BuyerId>,
    /// Flows of this step.
    pub(crate) ledger: Ledger,
    /// Tonnes shipped by controlling exporters this step, per item.
    pub(crate) exported_by_authorities: Vec<f64>,
    /// Cargo sold to buyers in other regions and not yet arrived.
    pub(crate) pipeline: Pipeline,
    /// The step being simulated (when a shipment sold now arrives).
    now: u32,
    /// The same by destination region, `exported_to[item * n_regions + region]`.
    pub(crate) exported_to: Vec<f64>,
    /// Scratch: tonnes the last [`Book::allocate`] moved to each region.
    moved_to: Vec<f64>,
    /// Whether step 6 counts importing regions' receipts (lever metrics on, issue 18).
    track_receipts: bool,
    /// Tonnes of materials and products that buyers in regions without an export authority
    /// received in this step's trade (step 6 (a)–(c), from any seller, domestic or abroad).
    pub(crate) receipts_t: f64,
    /// The part of `receipts_t` shipped under an exporter's licence: a controlled item from the
    /// exporter or a partner region under its control, or a re-export its extraterritorial rule
    /// covers (a general licence counts as a licence).
    pub(crate) receipts_licensed_t: f64,
    /// Diversification targets' running state (issue 18; empty without caps).
    pub(crate) sourcing: Sourcing,
}

impl Book {
    /// Empty stocks and orders; warehouses filled from the parameters.
    pub(crate) fn new(params: &ModelParams, buyers: &Buyers) -> Self {
        let (ni, nr) = (params.items.len(), params.regions.len());
        let n_buyers = buyers.len();
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
            use_t: vec![0.0; n_buyers * ni],
            eligible_lacking_use: vec![0.0; nr * ni],
            servable_foreign_use: vec![0.0; nr * ni],
            eligible: vec![false; n_buyers],
            reexport_ok: vec![true; n_buyers],
            served: Vec::with_capacity(n_buyers),
            ledger: Ledger::new(nr, ni),
            exported_by_authorities: vec![0.0; ni],
            pipeline: Pipeline::new(params, buyers),
            now: 0,
            exported_to: vec![0.0; ni * nr],
            moved_to: vec![0.0; nr],
            track_receipts: params.lever_metrics,
            receipts_t: 0.0,
            receipts_licensed_t: 0.0,
            sourcing: Sourcing::new(params, n_buyers),
        }
    }

    /// Adds what the last [`Book::allocate`] moved to buyers in regions without an export
    /// authority to this step's receipts (only for `counted` items, and only when receipts are
    /// tracked); to the licensed receipts too when the sale needed an exporter's licence.
    pub(crate) fn count_receipts(
        &mut self,
        authority_of_region: &[Option<AuthorityId>],
        counted: bool,
        licensed: bool,
    ) {
        if !self.track_receipts || !counted {
            return;
        }
        for (q, exporter) in self.moved_to.iter().zip(authority_of_region) {
            if exporter.is_none() {
                self.receipts_t += q;
                if licensed {
                    self.receipts_licensed_t += q;
                }
            }
        }
    }

    /// Start of step `t`: the cargo due now reaches its buyers and is booked as their region's
    /// imports.
    pub(crate) fn deliver(&mut self, buyers: &Buyers, t: u32) {
        self.now = t;
        if self.pipeline.is_instant() {
            return;
        }
        let ni = self.n_items;
        // Only slots some buyer orders ever receive cargo (ascending, as over every slot).
        for &slot in buyers.order_slots() {
            let q = self.pipeline.take_due(slot, t);
            if q > 0.0 {
                self.held[slot] += q;
                let region = buyers.get(BuyerId::from(slot / ni)).region.idx();
                self.ledger.imported[region * ni + slot % ni] += q;
            }
        }
    }

    /// Step 4, before orders are placed: this step's orders and use start from nothing. Only
    /// the slots some buyer can order are cleared: no other slot of `order`, `ordered` or
    /// `use_t` is ever written, so they stay 0 (the same tables as clearing every slot).
    pub(crate) fn clear_orders(&mut self, buyers: &Buyers) {
        for &slot in buyers.order_slots() {
            self.order[slot] = 0.0;
            self.use_t[slot] = 0.0;
        }
    }

    /// Step 4, once every order is placed: the orders as placed (before filling), copied
    /// for the slots some buyer can order (the only ones that differ from 0).
    pub(crate) fn record_orders(&mut self, buyers: &Buyers) {
        for &slot in buyers.order_slots() {
            self.ordered[slot] = self.order[slot];
        }
    }

    /// Inventory position of a slot: stock on hand plus cargo on its way to it. Order rules
    /// compare this, not the stock on hand, with their targets, so cargo at sea is not ordered
    /// twice.
    #[inline]
    pub(crate) fn position(&self, slot: usize) -> f64 {
        self.held[slot] + self.pipeline.in_transit(slot)
    }

    /// The cargo in transit a slot aims to keep for a use of `flow` tonnes per step (its supply
    /// line: `flow` × the baseline steps in transit of its supply; 0 for domestic supply).
    #[inline]
    pub(crate) fn supply_line(&self, slot: usize, flow: f64) -> f64 {
        self.pipeline.supply_line(slot, flow)
    }

    /// The part of the outstanding order in `slot` that is for this step's use: what the buyer
    /// wanted for use less what it received (from any seller so far), at most what it still
    /// orders (a buyer above its target orders less than its use and lacks nothing).
    /// Restocking counts as filled last.
    #[inline]
    pub(crate) fn unfilled_use(&self, slot: usize) -> f64 {
        let received = self.ordered[slot] - self.order[slot];
        (self.use_t[slot] - received).clamp(0.0, self.order[slot].max(0.0))
    }

    /// The part of this step's use the buyer in `slot` cannot cover from what it holds and
    /// did not obtain: its unfilled use, at most its use less its stock on hand (cargo at sea
    /// excluded). 0 whenever the buyer can use in full this step.
    #[inline]
    pub(crate) fn lacking_use(&self, slot: usize) -> f64 {
        self.unfilled_use(slot)
            .min((self.use_t[slot] - self.held[slot]).max(0.0))
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
            moved += q;
            let to_region = buyers.get(b).region.idx();
            self.moved_to[to_region] += q;
            if to_region == from_region {
                self.held[slot] += q;
                continue;
            }
            // Exported (and licensed) now; arrives after the route's transit.
            self.ledger.exported[from_region * ni + item] += q;
            match self.pipeline.transit(from_region, to_region) {
                0 => {
                    self.held[slot] += q;
                    self.ledger.imported[to_region * ni + item] += q;
                }
                steps => self.pipeline.ship(slot, self.now + steps, q),
            }
        }
        let source = match from {
            Seller::Warehouse(r) => &mut self.warehouse[r.idx() * ni + item],
            Seller::Stockpile(b) => &mut self.held[b.idx() * ni + item],
        };
        *source = (*source - moved).max(0.0);
        if let Seller::Warehouse(r) = from
            && self.sourcing.item_active(item)
        {
            self.sourcing.record(r, item, &self.moved_to);
        }
        moved
    }
}

/// Step 6 (a)–(c), item by item: (a) each region's warehouse serves its own buyers; (b) regions
/// without an export authority sell their surplus abroad, subject only to extraterritorial
/// rules; then, once every item's (a) and (b) are done and each quota's room is shared among its
/// items, (c) controlled exporters ship to licensed, non-embargoed buyers within quota.
pub(crate) fn clear_trade(
    book: &mut Book,
    buyers: &Buyers,
    authority_of_region: &[Option<AuthorityId>],
    authorities: &mut [ExportAuthority],
    params: &ModelParams,
    t: u32,
) {
    let (ni, nr) = (book.n_items, params.regions.len());
    book.receipts_t = 0.0;
    book.receipts_licensed_t = 0.0;
    for i in 0..ni {
        let item = ItemId::from(i);
        // Receipts count towards `supply_under_licence_share` for materials and products only
        // (mixed concentrate is feedstock, not rare earths as used).
        let counted = params.items[i].kind != ItemKind::Intermediate;
        // Only buyers that ever order this item take part; in buyer-id order.
        let orderers = buyers.orderers(i);
        // (a) Domestic: each region's warehouse serves its own buyers first.
        for r in 0..nr {
            if book.warehouse[r * ni + i] <= 0.0 {
                continue;
            }
            // Its own buyers of the item, in the order of `orderers` (the same sums as walking
            // every orderer with only these eligible).
            let local = buyers.local_orderers(r, i);
            for &b in local {
                book.eligible[b.idx()] = true;
            }
            let supply = book.warehouse[r * ni + i];
            book.allocate(
                buyers,
                Seller::Warehouse(RegionId::from(r)),
                i,
                supply,
                local,
            );
            book.count_receipts(authority_of_region, counted, false);
        }
        // (b) Free imports: regions without an export authority sell their surplus abroad,
        // subject only to the authorities' extraterritorial rules. Whom those rules let receive
        // the item does not depend on the selling region (and no licence changes before (c)):
        // worked out once, only when some rule covers the item.
        if book.sourcing.item_active(i) {
            let ctx = (i, counted);
            priority::priority_pass(book, buyers, authority_of_region, authorities, ctx, t);
        }
        let rule_applies = authorities.iter().any(|a| a.covers_reexport(item));
        let mut ok_worked_out = false;
        for (s, exporter) in authority_of_region.iter().enumerate() {
            if exporter.is_some() || book.warehouse[s * ni + i] <= 0.0 {
                continue;
            }
            if rule_applies && !ok_worked_out {
                for &b in orderers {
                    let region = buyers.get(b).region;
                    book.reexport_ok[b.idx()] = authorities.iter().all(|a| {
                        !a.covers_reexport(item)
                            || a.region == region
                            || a.is_authorised(b, region, item, t)
                    });
                }
                ok_worked_out = true;
            }
            // A partner region's plants sell abroad under their controlling exporter's policy.
            if let Some(a) = authorities
                .iter()
                .position(|a| a.is_partner(RegionId::from(s)))
            {
                let licensed = authorities[a].is_controlled(item) || rule_applies;
                partner_sale(
                    book,
                    buyers,
                    &mut authorities[a],
                    (s, item),
                    rule_applies,
                    t,
                );
                book.count_receipts(authority_of_region, counted, licensed);
                continue;
            }
            for &b in orderers {
                book.eligible[b.idx()] =
                    buyers.get(b).region.idx() != s && (!rule_applies || book.reexport_ok[b.idx()]);
            }
            let supply = book.warehouse[s * ni + i];
            book.allocate(
                buyers,
                Seller::Warehouse(RegionId::from(s)),
                i,
                supply,
                orderers,
            );
            book.count_receipts(authority_of_region, counted, rule_applies);
        }
    }
    // Each quota's room this step is shared among its items by what eligible buyers still want.
    for (a, auth) in authorities.iter_mut().enumerate() {
        auth.share_quota_rooms(params, AuthorityId::from(a), buyers, &book.order, t);
    }
    for i in 0..ni {
        let item = ItemId::from(i);
        let counted = params.items[i].kind != ItemKind::Intermediate;
        let orderers = buyers.orderers(i);
        // (c) Controlled exporters: embargoes, licences and quotas apply.
        for (a, auth) in authorities.iter_mut().enumerate() {
            let me = AuthorityId::from(a);
            let s = auth.region.idx();
            let controlled = auth.is_controlled(item);
            // The buyers it may serve, in buyer-id order; every later pass walks only these
            // (the others take no part: the same sums, in the same order).
            let mut served = std::mem::take(&mut book.served);
            served.clear();
            for &b in orderers {
                let region = buyers.get(b).region;
                let ok = auth.may_ship(b, region, item, t);
                book.eligible[b.idx()] = ok;
                if ok {
                    served.push(b);
                }
            }
            // A sourcing cap holds the sale to its region's buyers first (issue 18).
            let capped = book.sourcing.item_active(i);
            if capped {
                let at = (auth.region, i);
                book.sourcing
                    .hold_back(buyers, at, &served, &mut book.order, ni);
            }
            // A licence covers a quantity: orders beyond it wait, and shipments count it down.
            if controlled {
                auth.hold_back_beyond_licences(buyers, item, &served, &mut book.order, t);
            }
            // Foreign use it may serve (within licences and this step's quota room), whatever
            // its warehouse holds: what its producers can sell abroad at the world price.
            let mut servable = 0.0;
            for &b in &served {
                let slot = book.slot(b, item);
                servable += book.use_t[slot].min(book.order[slot]).max(0.0);
            }
            book.servable_foreign_use[s * ni + i] = servable.min(auth.quota_room_t(item));
            let supply = book.warehouse[s * ni + i].min(auth.quota_room_t(item));
            let moved = if supply > 0.0 {
                book.allocate(buyers, Seller::Warehouse(auth.region), i, supply, &served)
            } else {
                0.0
            };
            if moved > 0.0 {
                book.count_receipts(authority_of_region, counted, controlled);
            }
            if controlled {
                auth.count_down_licences(buyers, item, &served, &mut book.order);
            }
            if capped {
                book.sourcing.restore(&served, &mut book.order, (i, ni));
            }
            // What the buyers it may serve still lack for use (its domestic price reads it).
            let mut lacking = 0.0;
            for &b in &served {
                lacking += book.lacking_use(book.slot(b, item));
            }
            book.served = served;
            book.eligible_lacking_use[s * ni + i] = lacking;
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

/// Step 6 (b) for a partner region `s` (under `auth`'s control) selling `item`: its warehouse
/// serves the buyers abroad that `auth` may ship to as if it were the authority's own exports
/// (embargoes, licences, general licences; quantities counted against licences) and buyers in
/// the authority's own region freely; other exporters' extraterritorial rules still apply.
/// Quotas do not (a documented limit).
fn partner_sale(
    book: &mut Book,
    buyers: &Buyers,
    auth: &mut ExportAuthority,
    (s, item): (usize, ItemId),
    rule_applies: bool,
    t: u32,
) {
    let (ni, i) = (book.n_items, item.idx());
    let orderers = buyers.orderers(i);
    let controlled = auth.is_controlled(item);
    // Buyers whose receipts the authority licenses (all but its own region's), in buyer-id
    // order, for the licence quantities.
    let mut served = std::mem::take(&mut book.served);
    served.clear();
    for &b in orderers {
        let region = buyers.get(b).region;
        let ok = region.idx() != s
            && (!rule_applies || book.reexport_ok[b.idx()])
            && auth.partner_may_ship(b, region, item, t);
        book.eligible[b.idx()] = ok;
        if ok && region != auth.region {
            served.push(b);
        }
    }
    if controlled {
        auth.hold_back_beyond_licences(buyers, item, &served, &mut book.order, t);
    }
    let supply = book.warehouse[s * ni + i];
    book.allocate(
        buyers,
        Seller::Warehouse(RegionId::from(s)),
        i,
        supply,
        orderers,
    );
    if controlled {
        auth.count_down_licences(buyers, item, &served, &mut book.order);
    }
    book.served = served;
}

/// The equilibrium start: fills `book`'s pipeline with what steady baseline trade has at sea at
/// the start of step 0, so that imports do not start from a hole. One step of trade is cleared
/// on a copy of the book (and of the authorities, with the policy in force at the start): each
/// warehouse holds one step of its producers' baseline output (capacity × utilisation), every
/// manufacturer orders its baseline demand and every producer the inputs of its baseline
/// activity. Each route's share of that step's sales is put at sea once for each step of its
/// transit. This opening cargo is stock like any other: it enters the global material balance
/// as in-transit stock at the start.
pub(crate) fn fill_pipeline(
    book: &mut Book,
    buyers: &Buyers,
    authority_of_region: &[Option<AuthorityId>],
    authorities: &[ExportAuthority],
    params: &ModelParams,
) {
    if book.pipeline.is_instant() {
        return;
    }
    let ni = book.n_items;
    let mut dry = book.clone();
    dry.warehouse.fill(0.0);
    dry.order.fill(0.0);
    for (k, pr) in params.producers.iter().enumerate() {
        let activity = pr.opening_activity();
        for f in &pr.outputs {
            dry.warehouse[pr.region.idx() * ni + f.item.idx()] += activity * f.t_per_unit;
        }
        let b = buyers.producer(k);
        for f in &pr.inputs {
            let slot = dry.slot(b, f.item);
            dry.order[slot] += activity * f.t_per_unit;
        }
    }
    for (k, m) in params.manufacturers.iter().enumerate() {
        let b = buyers.manufacturer(k);
        for d in &m.demand {
            let slot = dry.slot(b, d.item);
            dry.order[slot] += d.t_per_step;
        }
    }
    let baseline_order = dry.order.clone();
    let mut authorities = authorities.to_vec();
    clear_trade(
        &mut dry,
        buyers,
        authority_of_region,
        &mut authorities,
        params,
        0,
    );
    book.pipeline.fill_steady(&dry.pipeline, &baseline_order);
}
