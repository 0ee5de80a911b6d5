//! Government stockpiles: each step they decide, per item, to release (a shortage or price
//! trigger) or to buy towards their target within budget (step 4); those that fired release to
//! their own region's buyers (or every member region's, for a joint stockpile), the priority
//! sector first (step 6d); purchases are paid at the step's price (end of step 6).

use crate::buyers::Buyers;
use crate::ids::SectorId;
use crate::markets::{Book, Seller};
use crate::metrics::Tally;
use crate::params::ModelParams;
use crate::prices::Prices;
use crate::units::KG_PER_T;

#[derive(Clone, Copy, Debug, Default)]
struct StockpileState {
    spent_usd: f64,
    last_release_step: Option<u32>,
}

/// The mutable state of every stockpile, by [`crate::StockpileId`].
#[derive(Clone, Debug)]
pub(crate) struct Stockpiles {
    state: Vec<StockpileState>,
    /// Whether each stockpile line releases this step, flattened in stockpile order:
    /// `releasing[line_start[s] + j]` for line `j` of stockpile `s`.
    releasing: Vec<bool>,
    line_start: Vec<usize>,
}

impl Stockpiles {
    /// Opening holdings from the parameters.
    pub(crate) fn new(params: &ModelParams, buyers: &Buyers, book: &mut Book) -> Self {
        let mut line_start = Vec::with_capacity(params.stockpiles.len() + 1);
        line_start.push(0);
        for (k, s) in params.stockpiles.iter().enumerate() {
            let b = buyers.stockpile(k);
            for l in &s.lines {
                let slot = book.slot(b, l.item);
                book.held[slot] += l.initial_t;
            }
            line_start.push(line_start[k] + s.lines.len());
        }
        let n_lines = *line_start.last().unwrap_or(&0);
        Self {
            state: vec![StockpileState::default(); params.stockpiles.len()],
            releasing: vec![false; n_lines],
            line_start,
        }
    }

    /// What the stockpiles hold now, at base prices: the opening holdings count as a cost, so
    /// strategies that start full are not free.
    pub(crate) fn holdings_cost_usd(params: &ModelParams, buyers: &Buyers, book: &Book) -> f64 {
        let mut usd = 0.0;
        for (k, s) in params.stockpiles.iter().enumerate() {
            let b = buyers.stockpile(k);
            for l in &s.lines {
                let usd_per_t = params.items[l.item.idx()].base_price_usd_per_kg * KG_PER_T;
                usd += book.held[book.slot(b, l.item)] * usd_per_t;
            }
        }
        usd
    }

    /// Step 4: each line releases if last step's shortage or this step's price reached its
    /// trigger; otherwise, once rested after a release and while the price is low enough, it
    /// orders towards its target within what is left of the budget.
    pub(crate) fn place_orders(
        &mut self,
        params: &ModelParams,
        buyers: &Buyers,
        prices: &Prices,
        book: &mut Book,
        t: u32,
    ) {
        for (k, s) in params.stockpiles.iter().enumerate() {
            let b = buyers.stockpile(k);
            let st = self.state[k];
            let mut budget_left = (s.budget_usd - st.spent_usd).max(0.0);
            for (j, l) in s.lines.iter().enumerate() {
                let line = self.line_start[k] + j;
                let ratio = prices.ratio_in(s.region, l.item);
                // A joint stockpile watches the largest shortage among its members.
                let shortage = if s.members.is_empty() {
                    prices.shortage_in(s.region, l.item)
                } else {
                    s.members
                        .iter()
                        .map(|&r| prices.shortage_in(r, l.item))
                        .fold(0.0, f64::max)
                };
                let release = s
                    .release
                    .shortage_trigger_share
                    .is_some_and(|x| shortage >= x)
                    || s.release.price_trigger_ratio.is_some_and(|x| ratio >= x);
                self.releasing[line] = release;
                let rested = st
                    .last_release_step
                    .is_none_or(|r| t >= r.saturating_add(s.refill.delay_steps));
                let slot = book.slot(b, l.item);
                // Inventory position: what is already on its way counts towards the target.
                let have = book.position(slot);
                if release || !rested || ratio > s.refill.max_price_ratio || have >= l.target_t {
                    continue;
                }
                let usd_per_t = ratio * params.items[l.item.idx()].base_price_usd_per_kg * KG_PER_T;
                let want = l
                    .acquisition_t_per_step
                    .min(l.target_t - have)
                    .min(budget_left / usd_per_t);
                budget_left -= want * usd_per_t;
                book.order[slot] += want.max(0.0);
            }
        }
    }

    /// Step 6d: stockpiles whose release rule fired serve their own region's outstanding orders
    /// (no other stockpile's), or every member region's for a joint stockpile, the priority
    /// sector first. What no one orders stays in the stockpile. Release moves stock inside the
    /// region (no trade is booked); a release to a member abroad is a sale from the holder's
    /// region ([`Book::allocate`]: an export, an import, the route's transit).
    pub(crate) fn release(
        &mut self,
        params: &ModelParams,
        buyers: &Buyers,
        book: &mut Book,
        tally: &mut Tally,
        t: u32,
    ) {
        for (k, s) in params.stockpiles.iter().enumerate() {
            let holder = buyers.stockpile(k);
            for (j, l) in s.lines.iter().enumerate() {
                if !self.releasing[self.line_start[k] + j] {
                    continue;
                }
                let i = l.item.idx();
                // Never below the reserve the rule keeps back.
                let above_floor = (book.held[book.slot(holder, l.item)]
                    - s.release.floor_share * l.target_t)
                    .max(0.0);
                let mut pool = above_floor.min(l.release_cap_t_per_step);
                let before = pool;
                let passes: &[Option<SectorId>] = match s.release.priority_sector {
                    Some(sector) => &[Some(sector), None],
                    None => &[None],
                };
                let orderers = buyers.orderers(i);
                for pass in passes {
                    for &b in orderers {
                        let buyer = buyers.get(b);
                        book.eligible[b.idx()] = s.serves(buyer.region)
                            && !buyers.is_stockpile(b)
                            && pass.is_none_or(|sector| buyer.sector == sector);
                    }
                    pool -= book.allocate(buyers, Seller::Stockpile(holder), i, pool, orderers);
                }
                let released = before - pool;
                if released > 0.0 {
                    self.state[k].last_release_step = Some(t);
                    tally.released_t += released;
                }
            }
        }
    }

    /// End of step 6: what each stockpile bought this step is paid at this step's price, before
    /// the market moves.
    pub(crate) fn pay(
        &mut self,
        params: &ModelParams,
        buyers: &Buyers,
        prices: &Prices,
        book: &Book,
        tally: &mut Tally,
    ) {
        for (k, sp) in params.stockpiles.iter().enumerate() {
            let b = buyers.stockpile(k);
            for l in &sp.lines {
                let slot = book.slot(b, l.item);
                let bought = book.ordered[slot] - book.order[slot];
                if bought > 0.0 {
                    let usd = bought
                        * prices.ratio_in(sp.region, l.item)
                        * params.items[l.item.idx()].base_price_usd_per_kg
                        * KG_PER_T;
                    self.state[k].spent_usd += usd;
                    tally.stockpile_cost_usd += usd;
                }
            }
        }
    }
}
