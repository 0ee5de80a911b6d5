//! Export pricing that undercuts entrants (issue 18, docs/model.md §9b): while a rule is in
//! force the world price of its item is capped at `cost_share` × the lowest breakeven among its
//! competitors still open; the exporter's revenue forgone on its exports of the item is counted.
//! Rules on prices and states only: no random draws, nothing allocated after `new`.

use crate::economics::{Accounts, breakeven_of_output};
use crate::markets::Book;
use crate::metrics::Tally;
use crate::params::ModelParams;
use crate::prices::Prices;
use crate::units::KG_PER_T;

/// The undercut rules' state and this step's caps.
#[derive(Clone, Debug)]
pub(crate) struct Undercuts {
    /// Per rule ([`ModelParams::undercuts`]): ended for good (every competitor closed under
    /// `until_competitors_closed`).
    ended: Vec<bool>,
    /// Per item: the cap on the world ratio the next price update applies (`INFINITY`: none).
    cap: Vec<f64>,
}

impl Undercuts {
    /// No rule ended, no cap.
    pub(crate) fn new(params: &ModelParams) -> Self {
        Self {
            ended: vec![false; params.undercuts.len()],
            cap: vec![f64::INFINITY; params.items.len()],
        }
    }

    /// Per item, the cap on the world ratio for [`Prices::update`].
    pub(crate) fn caps(&self) -> &[f64] {
        &self.cap
    }

    /// Step 9, before prices are updated (reported steps): the revenue each rule's exporter
    /// forwent on this step's exports of its item, sold at this step's (capped) world price
    /// instead of the uncapped one; then the caps for the update of reported step `t`: for a
    /// rule in force, `cost_share` × the lowest breakeven (USD/kg at this step's prices) among
    /// its competitors still open, as a ratio of the item's base price and never below the
    /// item's `min_ratio`; none when every competitor is closed (and the rule then ends for good
    /// if it says so).
    pub(crate) fn settle(
        &mut self,
        params: &ModelParams,
        accounts: &Accounts,
        prices: &Prices,
        book: &Book,
        t: u32,
        tally: &mut Tally,
    ) {
        let ni = params.items.len();
        for (j, u) in params.undercuts.iter().enumerate() {
            let i = u.item.idx();
            let item = &params.items[i];
            let gap = prices.uncapped[i] - prices.world[i];
            if gap > 0.0 {
                let sold = book.ledger.exported[u.exporter.idx() * ni + i];
                tally.exporter_revenue_forgone_usd +=
                    sold * KG_PER_T * gap * item.base_price_usd_per_kg;
            }
            self.cap[i] = f64::INFINITY;
            if self.ended[j] || t < u.from_step || t >= u.until_step {
                continue;
            }
            let mut cheapest = f64::INFINITY;
            let mut open = false;
            for &k in &u.competitors {
                let pr = &params.producers[k];
                let Some(e) = pr.economics else { continue };
                if accounts.is_closed(e.operator) {
                    continue;
                }
                open = true;
                for (o, f) in pr.outputs.iter().enumerate() {
                    if f.item == u.item {
                        cheapest = cheapest.min(breakeven_of_output(params, pr, &e, prices, o));
                    }
                }
            }
            if !open {
                self.ended[j] = u.until_competitors_closed;
                continue;
            }
            let cap = u.cost_share * cheapest / item.base_price_usd_per_kg;
            self.cap[i] = cap.max(item.price.min_ratio);
        }
    }
}
