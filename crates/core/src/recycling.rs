//! Recycling mandates (issue 18, docs/model.md §7c), step 7c: each recycler collects its share of
//! the region's end-of-life scrap and recovers each material of the scrap's bill of materials
//! into the region's warehouse, booked as the region's production (so the material balance
//! holds: recovered material enters like mine output). The mandate pays the deficit when
//! processing costs more than the recovered materials fetch at the region's prices, within its
//! budget; once the budget cannot cover a step's deficit the recycler runs only as far as the
//! money left pays for. Rules on prices only: no random draws, nothing allocated after `new`.

use crate::markets::Book;
use crate::metrics::Tally;
use crate::params::ModelParams;
use crate::prices::Prices;
use crate::units::KG_PER_T;

/// The recyclers' running state, by position in [`ModelParams::recyclers`].
#[derive(Clone, Debug)]
pub(crate) struct Recyclers {
    /// USD each mandate has paid so far (reported steps only).
    spent_usd: Vec<f64>,
}

impl Recyclers {
    /// Nothing paid yet.
    pub(crate) fn new(params: &ModelParams) -> Self {
        Self {
            spent_usd: vec![0.0; params.recyclers.len()],
        }
    }

    /// Step 7c, after production. `reported` is the reported step, or `None` in the warm-up:
    /// then recyclers run at their share of step 0 as if funded (like producers' dated starts),
    /// and nothing is paid or counted. In a reported step each pays `max(0, cost − revenue)`
    /// within its budget and adds what it recovered and paid to `tally`.
    pub(crate) fn recycle(
        &mut self,
        params: &ModelParams,
        prices: &Prices,
        book: &mut Book,
        reported: Option<u32>,
        tally: &mut Tally,
    ) {
        let t = reported.unwrap_or(0);
        for (j, r) in params.recyclers.iter().enumerate() {
            let collected = r.collected_t(t);
            if collected <= 0.0 {
                continue;
            }
            let bom = &params.items[r.scrap_item.idx()].bom;
            let revenue: f64 = bom
                .iter()
                .map(|l| {
                    let tonnes = collected * (l.kg_per_t / KG_PER_T) * r.recovery_share;
                    tonnes
                        * KG_PER_T
                        * prices.ratio_in(r.region, l.material)
                        * params.items[l.material.idx()].base_price_usd_per_kg
                })
                .sum();
            let cost = collected * KG_PER_T * r.cash_cost_usd_per_kg;
            let deficit = (cost - revenue).max(0.0);
            // The share of this step's collection the mandate can pay for.
            let mut funded = 1.0;
            if reported.is_some() {
                if let Some(budget) = r.budget_usd {
                    let left = (budget - self.spent_usd[j]).max(0.0);
                    if deficit > left {
                        funded = left / deficit;
                    }
                }
                let paid = deficit * funded;
                self.spent_usd[j] += paid;
                tally.recycling_cost_usd += paid;
            }
            if funded <= 0.0 {
                continue;
            }
            let run = collected * funded;
            for l in bom {
                let tonnes = run * (l.kg_per_t / KG_PER_T) * r.recovery_share;
                let at = book.ledger.at(r.region, l.material);
                book.warehouse[at] += tonnes;
                book.ledger.produced[at] += tonnes;
                if reported.is_some() {
                    tally.recycled_t += tonnes;
                }
            }
        }
    }
}
