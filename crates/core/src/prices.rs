//! World and domestic prices, the scarcity they answer and the price an exporter's producers
//! plan on (docs/model.md §9). Split from `markets` (which keeps stocks, orders and trade).

use crate::authority::ExportAuthority;
use crate::buyers::Buyers;
use crate::ids::{AuthorityId, ItemId, RegionId};
use crate::markets::Book;
use crate::params::{ModelParams, PriceParams};

/// Prices and the scarcity they answer.
#[derive(Clone, Debug)]
pub(crate) struct Prices {
    n_items: usize,
    /// Authority of each region, if it controls exports (whose domestic price its buyers see).
    authority_of_region: Vec<Option<AuthorityId>>,
    /// World (ex-exporter) price ratio per item.
    pub(crate) world: Vec<f64>,
    /// The world ratio per item without any exporter's undercut cap (issue 18): it follows the
    /// price recursion, and the world ratio is it capped; equal to `world` when no cap binds.
    pub(crate) uncapped: Vec<f64>,
    /// Domestic price ratio per authority × item.
    pub(crate) domestic: Vec<f64>,
    /// The price ratio an exporter's producers expect to realise per authority × item: the
    /// domestic and world ratios weighted by home use and the foreign use it may serve.
    producer: Vec<f64>,
    /// Last step's unmet share of orders per region × item (what stockpiles' release rules
    /// watch; prices do not read it).
    pub(crate) shortage: Vec<f64>,
    /// This step's glut per region × item: the share of what an exporter's warehouse could
    /// have sold for foreign use that controls kept from foreign buyers (0 outside controlling
    /// exporters).
    glut: Vec<f64>,
    /// This step's export shortfall per region × item: the share of what an exporter could
    /// have sold that buyers abroad it may serve wanted for use and its warehouse could not
    /// supply (0 outside controlling exporters).
    unserved: Vec<f64>,
}

impl Prices {
    /// Every price at its baseline.
    pub(crate) fn new(params: &ModelParams, authority_of_region: &[Option<AuthorityId>]) -> Self {
        let (ni, nr) = (params.items.len(), params.regions.len());
        Self {
            n_items: ni,
            authority_of_region: authority_of_region.to_vec(),
            world: vec![1.0; ni],
            uncapped: vec![1.0; ni],
            domestic: vec![1.0; params.authorities.len() * ni],
            producer: vec![1.0; params.authorities.len() * ni],
            shortage: vec![0.0; nr * ni],
            glut: vec![0.0; nr * ni],
            unserved: vec![0.0; nr * ni],
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

    /// The price ratio a producer in `region` plans its output of `item` on (arbitrage): inside
    /// a controlling exporter the price it expects to realise, `(H × D + F × W) / (H + F)` with
    /// `D` the domestic and `W` the world ratio, `H` its region's use and `F` the foreign use
    /// the exporter may serve (`D` when both are 0); the world price elsewhere.
    #[inline]
    pub(crate) fn producer_ratio_in(&self, region: RegionId, item: ItemId) -> f64 {
        match self.authority_of_region[region.idx()] {
            Some(a) => self.producer[a.idx() * self.n_items + item.idx()],
            None => self.world[item.idx()],
        }
    }

    /// Last step's unmet share of orders for `item` in `region`.
    #[inline]
    pub(crate) fn shortage_in(&self, region: RegionId, item: ItemId) -> f64 {
        self.shortage[region.idx() * self.n_items + item.idx()]
    }

    /// Right after trade, before any stockpile release: the unmet share of orders per region ×
    /// item (stockpiles' own excluded), which stockpile rules watch; measured before releases
    /// so that a release which covers the gap does not switch its own trigger off the next
    /// step. Also, for each controlling exporter, the two sides of foreign demand for *use*
    /// (what buyers abroad wanted for this step's use and did not receive; restocking and
    /// stockpile orders excluded): its glut, the part its warehouse still held stock for
    /// (what embargoes, licences and quotas kept at home), and its export shortfall, the part
    /// of what buyers it may serve lacked that its warehouse could not supply; each as a share
    /// of both plus what it sold (exported, and bought by its own buyers).
    pub(crate) fn measure_shortage(&mut self, book: &Book, buyers: &Buyers) {
        let ni = self.n_items;
        let nr = self.shortage.len() / ni.max(1);
        for r in 0..nr {
            for i in 0..ni {
                let (mut ordered, mut unfilled) = (0.0, 0.0);
                // Buyers that never order the item add +0.0: skipping them changes no bit.
                for &b in buyers.local_users(r, i) {
                    ordered += book.ordered[b.idx() * ni + i];
                    unfilled += book.order[b.idx() * ni + i];
                }
                self.shortage[r * ni + i] = if ordered > 0.0 {
                    unfilled / ordered
                } else {
                    0.0
                };
            }
        }
        for (r, a) in self.authority_of_region.iter().enumerate() {
            if a.is_none() {
                continue;
            }
            for i in 0..ni {
                let (mut foreign_lacking, mut home_bought) = (0.0, 0.0);
                for &b in buyers.orderers(i) {
                    let slot = b.idx() * ni + i;
                    if buyers.get(b).region.idx() == r {
                        home_bought += book.ordered[slot] - book.order[slot];
                    } else {
                        foreign_lacking += book.unfilled_use(slot);
                    }
                }
                let at = r * ni + i;
                let left = book.warehouse[at];
                let blocked = foreign_lacking.min(left);
                let short = (book.eligible_lacking_use[at] - left).max(0.0);
                let could_sell = blocked + short + book.ledger.exported[at] + home_bought;
                let (glut, unserved) = if could_sell > 0.0 {
                    (blocked / could_sell, short / could_sell)
                } else {
                    (0.0, 0.0)
                };
                self.glut[at] = glut;
                self.unserved[at] = unserved;
            }
        }
    }

    /// Step 9: prices answer the scarcity of *use*, not of orders: the world price the share of
    /// what importing regions (those without a controlling exporter) wanted for use and did not
    /// hold, `lacking / wanted` (an input idle because another input of the same recipe ran
    /// short is not lacking); each exporter's managed domestic price its
    /// own region's such share less its glut plus its export shortfall (arbitrage: foreign use
    /// it may serve and cannot supply bids its price up, as blocked foreign use pushes it
    /// down). With use met in full at home and abroad and no exports blocked, both revert to 1
    /// whatever inventories are short of their targets. `peak` keeps the
    /// highest world ratio per item. `caps` per item: an exporter's undercut cap on the world
    /// ratio (`INFINITY` = none, which leaves every bit as without caps); the uncapped ratio
    /// follows the recursion.
    pub(crate) fn update(
        &mut self,
        params: &ModelParams,
        book: &Book,
        authorities: &[ExportAuthority],
        caps: &[f64],
        peak: &mut [f64],
    ) {
        let ni = self.n_items;
        let ledger = &book.ledger;
        for (i, item) in params.items.iter().enumerate() {
            let (mut wanted, mut lacking) = (0.0, 0.0);
            for (r, a) in self.authority_of_region.iter().enumerate() {
                if a.is_none() {
                    wanted += ledger.wanted[r * ni + i];
                    lacking += ledger.lacking[r * ni + i];
                }
            }
            // Anticipation: an announced control not yet in force is priced in as extra
            // scarcity (the largest premium among the exporters announcing one).
            let announced = authorities
                .iter()
                .map(|a| a.announcement_premium(ItemId::from(i)))
                .fold(0.0, f64::max);
            let uncapped = next_ratio(
                self.uncapped[i],
                lacking_share(wanted, lacking) + announced,
                &item.price,
            );
            self.uncapped[i] = uncapped;
            self.world[i] = uncapped.min(caps[i]);
            peak[i] = peak[i].max(self.world[i]);
            for (a, auth) in authorities.iter().enumerate() {
                let r = auth.region.idx();
                let at = r * ni + i;
                let scarcity = lacking_share(ledger.wanted[at], ledger.lacking[at]) - self.glut[at]
                    + self.unserved[at];
                let slot = a * ni + i;
                self.domestic[slot] = next_ratio(self.domestic[slot], scarcity, &item.price);
                // Arbitrage: its producers sell at home at the domestic price and abroad, as
                // far as controls let them, at the world price.
                let (home, foreign) = (ledger.wanted[at], book.servable_foreign_use[at]);
                self.producer[slot] = if home + foreign > 0.0 {
                    (home * self.domestic[slot] + foreign * self.world[i]) / (home + foreign)
                } else {
                    self.domestic[slot]
                };
            }
        }
    }
}

/// `lacking / wanted`, in [0, 1]: the share of what was wanted for use that its users did not
/// hold; 0 when nothing was wanted, and exactly 0 when every user held all it wanted.
fn lacking_share(wanted: f64, lacking: f64) -> f64 {
    if wanted > 0.0 {
        (lacking / wanted).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// One step of the log-price recursion, clamped to the item's bounds. At ratio 1 and no
/// scarcity it stays exactly 1 (ln 1 = 0).
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
