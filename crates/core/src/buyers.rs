//! Who buys: every manufacturer, producer (its inputs) and stockpile under one [`BuyerId`], and
//! the lookup tables trade clearing walks (buyers by region, buyers of each item).
//!
//! Orders, inventories and licences are kept per buyer, so one loop serves all three kinds; the
//! kind is only needed where the agent's own rules apply. Built once per [`crate::Model`].

use crate::ids::{BuyerId, ItemId, ManufacturerId, ProducerId, RegionId, SectorId, StockpileId};
use crate::params::ModelParams;

/// What agent a buyer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BuyerKind {
    /// A manufacturer.
    Manufacturer(ManufacturerId),
    /// A producer buying inputs.
    Producer(ProducerId),
    /// A stockpile.
    Stockpile(StockpileId),
}

/// A buyer of items: where it stands and under which end use it is licensed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Buyer {
    /// Region of the buyer.
    pub(crate) region: RegionId,
    /// End-use sector for licence odds and release priority.
    pub(crate) sector: SectorId,
    /// What agent it is.
    pub(crate) kind: BuyerKind,
}

/// Every buyer, manufacturers first, then producers, then stockpiles, with the groupings trade
/// needs. Groups are contiguous ranges of flat vectors (no nested `Vec`s, no maps).
#[derive(Clone, Debug)]
pub(crate) struct Buyers {
    all: Vec<Buyer>,
    /// First producer's and first stockpile's buyer id.
    producer0: usize,
    stockpile0: usize,
    /// Buyers grouped by region: `by_region[region_start[r]..region_start[r + 1]]`.
    by_region: Vec<BuyerId>,
    region_start: Vec<usize>,
    /// Buyers that can order each item, ascending: `orderers[orderer_start[i]..orderer_start[i + 1]]`.
    orderers: Vec<BuyerId>,
    orderer_start: Vec<usize>,
    /// Number of items (the stride of the per region × item tables below).
    n_items: usize,
    /// Buyers in each region that can order each item, ascending:
    /// `local[local_start[r * n_items + i]..local_start[r * n_items + i + 1]]`. Trade clearing
    /// walks these instead of every orderer with a region test (the same buyers, in the same
    /// order, so every sum is the same).
    local: Vec<BuyerId>,
    local_start: Vec<usize>,
    /// The same without stockpiles (whose orders shortages do not count).
    local_users: Vec<BuyerId>,
    local_users_start: Vec<usize>,
    /// Every (buyer, item) slot some buyer can order, ascending: the only slots that ever
    /// receive an order, a delivery or cargo in transit.
    order_slots: Vec<usize>,
}

impl Buyers {
    pub(crate) fn new(params: &ModelParams) -> Self {
        let ni = params.items.len();
        let mut all = Vec::new();
        for (k, m) in params.manufacturers.iter().enumerate() {
            all.push(Buyer {
                region: m.region,
                sector: m.sector,
                kind: BuyerKind::Manufacturer(ManufacturerId::from(k)),
            });
        }
        let producer0 = all.len();
        for (k, p) in params.producers.iter().enumerate() {
            all.push(Buyer {
                region: p.region,
                sector: p.end_use,
                kind: BuyerKind::Producer(ProducerId::from(k)),
            });
        }
        let stockpile0 = all.len();
        for (k, s) in params.stockpiles.iter().enumerate() {
            all.push(Buyer {
                region: s.region,
                sector: s.end_use,
                kind: BuyerKind::Stockpile(StockpileId::from(k)),
            });
        }
        let nr = params.regions.len();
        let mut by_region: Vec<BuyerId> = (0..all.len()).map(BuyerId::from).collect();
        by_region.sort_by_key(|&b| (all[b.idx()].region, b));
        let mut region_start = vec![0; nr + 1];
        for b in &all {
            region_start[b.region.idx() + 1] += 1;
        }
        for r in 0..nr {
            region_start[r + 1] += region_start[r];
        }
        let mut orders_item = vec![false; all.len() * ni];
        for (b, buyer) in all.iter().enumerate() {
            let items: Vec<ItemId> = match buyer.kind {
                BuyerKind::Manufacturer(k) => params.manufacturers[k.idx()]
                    .demand
                    .iter()
                    .map(|d| d.item)
                    .collect(),
                BuyerKind::Producer(k) => params.producers[k.idx()]
                    .inputs
                    .iter()
                    .map(|f| f.item)
                    .collect(),
                BuyerKind::Stockpile(k) => params.stockpiles[k.idx()]
                    .lines
                    .iter()
                    .map(|l| l.item)
                    .collect(),
            };
            for i in items {
                orders_item[b * ni + i.idx()] = true;
            }
        }
        let mut orderers = Vec::new();
        let mut orderer_start = vec![0];
        for i in 0..ni {
            orderers.extend(
                (0..all.len())
                    .filter(|&b| orders_item[b * ni + i])
                    .map(BuyerId::from),
            );
            orderer_start.push(orderers.len());
        }
        let (mut local, mut local_start) = (Vec::new(), vec![0]);
        let (mut local_users, mut local_users_start) = (Vec::new(), vec![0]);
        for r in 0..nr {
            for i in 0..ni {
                for (b, buyer) in all.iter().enumerate() {
                    if buyer.region.idx() == r && orders_item[b * ni + i] {
                        local.push(BuyerId::from(b));
                        if b < stockpile0 {
                            local_users.push(BuyerId::from(b));
                        }
                    }
                }
                local_start.push(local.len());
                local_users_start.push(local_users.len());
            }
        }
        let order_slots = (0..orders_item.len()).filter(|&s| orders_item[s]).collect();
        Self {
            all,
            producer0,
            stockpile0,
            by_region,
            region_start,
            orderers,
            orderer_start,
            n_items: ni,
            local,
            local_start,
            local_users,
            local_users_start,
            order_slots,
        }
    }

    /// Number of buyers.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.all.len()
    }

    /// All buyers in id order.
    #[inline]
    pub(crate) fn all(&self) -> &[Buyer] {
        &self.all
    }

    /// One buyer.
    #[inline]
    pub(crate) fn get(&self, b: BuyerId) -> &Buyer {
        &self.all[b.idx()]
    }

    /// Buyers that ever order `item`, in buyer-id order.
    #[inline]
    pub(crate) fn orderers(&self, item: usize) -> &[BuyerId] {
        &self.orderers[self.orderer_start[item]..self.orderer_start[item + 1]]
    }

    /// Buyers in region `r` that ever order `item`, in buyer-id order.
    #[inline]
    pub(crate) fn local_orderers(&self, r: usize, item: usize) -> &[BuyerId] {
        let at = r * self.n_items + item;
        &self.local[self.local_start[at]..self.local_start[at + 1]]
    }

    /// Buyers in region `r` that ever order `item`, stockpiles excluded, in buyer-id order.
    #[inline]
    pub(crate) fn local_users(&self, r: usize, item: usize) -> &[BuyerId] {
        let at = r * self.n_items + item;
        &self.local_users[self.local_users_start[at]..self.local_users_start[at + 1]]
    }

    /// Every (buyer, item) slot some buyer can order (`buyer * n_items + item`), ascending.
    #[inline]
    pub(crate) fn order_slots(&self) -> &[usize] {
        &self.order_slots
    }

    /// Buyers standing in region `r`, in buyer-id order.
    #[inline]
    pub(crate) fn in_region(&self, r: usize) -> &[BuyerId] {
        &self.by_region[self.region_start[r]..self.region_start[r + 1]]
    }

    /// The buyer id of a manufacturer.
    #[inline]
    #[allow(
        clippy::unused_self,
        reason = "manufacturers come first today; callers ask the table, not the layout"
    )]
    pub(crate) fn manufacturer(&self, m: usize) -> BuyerId {
        BuyerId::from(m)
    }

    /// The buyer id of a producer (buying its inputs).
    #[inline]
    pub(crate) fn producer(&self, p: usize) -> BuyerId {
        BuyerId::from(self.producer0 + p)
    }

    /// The buyer id of a stockpile.
    #[inline]
    pub(crate) fn stockpile(&self, s: usize) -> BuyerId {
        BuyerId::from(self.stockpile0 + s)
    }

    /// Buyer ids of the stockpiles, in stockpile order.
    #[inline]
    pub(crate) fn stockpiles(&self) -> std::ops::Range<usize> {
        self.stockpile0..self.all.len()
    }

    /// True for a stockpile (stockpiles neither count in shortages nor receive releases).
    #[inline]
    pub(crate) fn is_stockpile(&self, b: BuyerId) -> bool {
        b.idx() >= self.stockpile0
    }
}
