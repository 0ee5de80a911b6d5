//! Manufacturers (firms; the firms of a region × sector share its parameters but not its size
//! or cover): demand (step 3), orders (step 4), production by the bill of materials with
//! curtailment, deferral, lost output and halts (step 8), and substitution after sustained
//! high prices (step 10).
//!
//! A firm's output is Leontief in the items it uses: the share of this step's wanted output it
//! makes is the least, over its items, of stock over need. It uses each input only for the
//! output it makes (the rest stays in stock). Output it cannot make waits in a backlog for
//! `deferral_steps` (the sector's) and is made up, oldest first, with up to `catch_up_share` of
//! a step's output of spare capacity; what ages past the window is lost and valued at the
//! sector's value added. A firm is halted in a step when it makes less than
//! `1 - halt_unmet_share` of its wanted output.

use rand::Rng;

use crate::buyers::Buyers;
use crate::ids::{ItemId, RegionId};
use crate::markets::Book;
use crate::metrics::Tally;
use crate::params::ModelParams;
use crate::prices::{Prices, pow};
use crate::units::KG_PER_T;

#[derive(Clone, Copy, Debug)]
struct ManufacturerState {
    surge: f64,
    substituted_share: f64,
    high_price_steps: u32,
}

/// The mutable state of every manufacturer, by [`ManufacturerId`](crate::ids::ManufacturerId).
#[derive(Clone, Debug)]
pub(crate) struct Manufacturers {
    state: Vec<ManufacturerState>,
    /// Current need for full output per demand line, flattened in manufacturer order:
    /// `line_demand[line_start[m] + j]` for line `j` of manufacturer `m`.
    line_demand: Vec<f64>,
    line_start: Vec<usize>,
    /// Per demand line, the recent log price ratio that stock-building compares today's with
    /// (an exponentially weighted moving average; only kept for firms that build stocks).
    line_ref_log: Vec<f64>,
    /// Per demand line, the cover multiple of this step (1 without stock-building).
    line_cover_multiple: Vec<f64>,
    /// Deferred output per firm, in steps of full output, a ring by age:
    /// `backlog[backlog_start[m]..backlog_start[m + 1]]` has one slot per step of the sector's
    /// deferral window; at step `t` slot `t mod window` holds the oldest (deferred at
    /// `t - window`, its last chance).
    backlog: Vec<f64>,
    backlog_start: Vec<usize>,
    /// Per firm: false only while every slot of its backlog is 0 (then serving the backlog
    /// and summing it change nothing and are skipped). Entries never go below 0, so a sum of
    /// 0 means every slot is 0.
    backlog_held: Vec<bool>,
    /// Catch-up planned this step per firm, in steps of full output (set with the orders).
    catch_up: Vec<f64>,
    /// True for a firm in a region without a controlling exporter (halt metrics count these).
    importer: Vec<bool>,
    n_importers: usize,
    /// Group (region × sector) of each firm, for the met share by group.
    group_of: Vec<usize>,
    /// Per-step caches of `pow` (the same numbers, computed once per distinct argument):
    /// `price_keys` are the distinct (region, item, −elasticity) of the demand lines and
    /// `line_price_key` each line's index into them; `price_pow` this step's
    /// `price_ratio^(−elasticity)` per key. Likewise `growth_keys`, `trend_key` and `trend_pow`
    /// for the demand trend `(1 + growth)^years` per manufacturer.
    price_keys: Vec<(RegionId, ItemId, f64)>,
    line_price_key: Vec<usize>,
    price_pow: Vec<f64>,
    growth_keys: Vec<f64>,
    trend_key: Vec<usize>,
    trend_pow: Vec<f64>,
    /// The same for stock-building's `ln(price_ratio)`: `log_keys` are the distinct (region,
    /// item) of the lines of firms that build stocks, `line_log_key` each such line's index
    /// into them (0, unread, for the lines of other firms), `log_price` this step's logs.
    log_keys: Vec<(RegionId, ItemId)>,
    line_log_key: Vec<usize>,
    log_price: Vec<f64>,
    /// Tonnes of each item behind the output lost this step.
    pub(crate) step_unmet_t: Vec<f64>,
    /// Share of importing regions' firms halted this step.
    pub(crate) step_halted_share: f64,
}

impl Manufacturers {
    /// No surge, nothing substituted, no backlog; inventories filled to their cover of
    /// baseline demand.
    pub(crate) fn new(params: &ModelParams, buyers: &Buyers, book: &mut Book) -> Self {
        let n = params.manufacturers.len();
        let mut line_start = Vec::with_capacity(n + 1);
        let mut backlog_start = Vec::with_capacity(n + 1);
        line_start.push(0);
        backlog_start.push(0);
        let mut exporter = vec![false; params.regions.len()];
        for a in &params.authorities {
            exporter[a.region.idx()] = true;
        }
        for (k, m) in params.manufacturers.iter().enumerate() {
            let b = buyers.manufacturer(k);
            for d in &m.demand {
                let slot = book.slot(b, d.item);
                book.held[slot] += m.cover_target_steps * d.t_per_step;
            }
            line_start.push(line_start[k] + m.demand.len());
            let window = params.sectors[m.sector.idx()].deferral_steps as usize;
            backlog_start.push(backlog_start[k] + window);
        }
        let importer: Vec<bool> = params
            .manufacturers
            .iter()
            .map(|m| !exporter[m.region.idx()])
            .collect();
        let n_lines = *line_start.last().unwrap_or(&0);
        let (mut price_keys, mut line_price_key) = (Vec::new(), Vec::with_capacity(n_lines));
        let (mut growth_keys, mut trend_key) = (Vec::new(), Vec::with_capacity(n));
        for m in &params.manufacturers {
            trend_key.push(key_of(&mut growth_keys, m.growth_per_year, |&g| {
                g.to_bits() == m.growth_per_year.to_bits()
            }));
            let exp = -m.price_elasticity;
            for d in &m.demand {
                let key = (m.region, d.item, exp);
                line_price_key.push(key_of(&mut price_keys, key, |&(r, i, e)| {
                    r == m.region && i == d.item && e.to_bits() == exp.to_bits()
                }));
            }
        }
        let (mut log_keys, mut line_log_key) = (Vec::new(), Vec::with_capacity(n_lines));
        for m in &params.manufacturers {
            let builds = m.stock_building.response > 0.0;
            for d in &m.demand {
                line_log_key.push(if builds {
                    key_of(&mut log_keys, (m.region, d.item), |&k| {
                        k == (m.region, d.item)
                    })
                } else {
                    0
                });
            }
        }
        let n_slots = *backlog_start.last().unwrap_or(&0);
        Self {
            state: vec![
                ManufacturerState {
                    surge: 1.0,
                    substituted_share: 0.0,
                    high_price_steps: 0,
                };
                n
            ],
            line_demand: vec![0.0; n_lines],
            line_start,
            line_ref_log: vec![0.0; n_lines],
            line_cover_multiple: vec![1.0; n_lines],
            backlog: vec![0.0; n_slots],
            backlog_start,
            backlog_held: vec![false; n],
            catch_up: vec![0.0; n],
            n_importers: importer.iter().filter(|&&x| x).count(),
            importer,
            price_pow: vec![1.0; price_keys.len()],
            price_keys,
            line_price_key,
            trend_pow: vec![1.0; growth_keys.len()],
            growth_keys,
            trend_key,
            log_price: vec![0.0; log_keys.len()],
            log_keys,
            line_log_key,
            group_of: params.manufacturer_groups().1,
            step_unmet_t: vec![0.0; params.items.len()],
            step_halted_share: 0.0,
        }
    }

    /// Step 1: the demand multipliers in force (per manufacturer; 1 = none).
    pub(crate) fn set_demand_multipliers(&mut self, multipliers: &[f64]) {
        for (st, &m) in self.state.iter_mut().zip(multipliers) {
            st.surge = m;
        }
    }

    /// Step 3: need = base × trend × noise × surge × (1 − substituted share) × price^(−ε), with
    /// one normal draw per manufacturer per step, always.
    pub(crate) fn form_demand<R: Rng>(
        &mut self,
        params: &ModelParams,
        prices: &Prices,
        t: u32,
        rng: &mut R,
    ) {
        let years = f64::from(t) * params.calendar.step_years();
        // Each distinct power once (pow is a pure function: the same bits as per line).
        for (out, &g) in self.trend_pow.iter_mut().zip(&self.growth_keys) {
            *out = pow(1.0 + g, years);
        }
        for (out, &(r, i, exp)) in self.price_pow.iter_mut().zip(&self.price_keys) {
            *out = pow(prices.ratio_in(r, i), exp);
        }
        for (k, m) in params.manufacturers.iter().enumerate() {
            let z: f64 = rng.sample(rand_distr::StandardNormal);
            // Mean-one lognormal noise: exactly 1 when sigma is 0.
            let noise = (m.noise_sigma * z - 0.5 * m.noise_sigma * m.noise_sigma).exp();
            let trend = self.trend_pow[self.trend_key[k]];
            let st = self.state[k];
            let common = trend * noise * st.surge * (1.0 - st.substituted_share);
            for (j, d) in m.demand.iter().enumerate() {
                let at = self.line_start[k] + j;
                let price = self.price_pow[self.line_price_key[at]];
                self.line_demand[at] = d.t_per_step * common * price;
            }
        }
    }

    /// Step 4 (first): precautionary stock-building. For each line of a firm with a positive
    /// `stock_building.response`, the cover multiple is `min(1 + response × max(0, ln p − r),
    /// max_cover_multiple)` with `p` the price ratio the firm sees and `r` the recent log price,
    /// which then moves `1 / window_steps` of the way to `ln p`.
    pub(crate) fn build_stocks(&mut self, params: &ModelParams, prices: &Prices) {
        // Each distinct log once (ln is a pure function: the same bits as per line).
        for (out, &(r, i)) in self.log_price.iter_mut().zip(&self.log_keys) {
            *out = prices.ratio_in(r, i).ln();
        }
        for (k, m) in params.manufacturers.iter().enumerate() {
            let sb = &m.stock_building;
            if sb.response <= 0.0 {
                continue;
            }
            for j in 0..m.demand.len() {
                let at = self.line_start[k] + j;
                let log_p = self.log_price[self.line_log_key[at]];
                let rise = (log_p - self.line_ref_log[at]).max(0.0);
                self.line_cover_multiple[at] =
                    (1.0 + sb.response * rise).min(sb.max_cover_multiple);
                self.line_ref_log[at] += (log_p - self.line_ref_log[at]) / sb.window_steps.max(1.0);
            }
        }
    }

    /// The cover multiple of demand line `j` of firm `k` this step (1 without stock-building).
    #[cfg(test)]
    fn cover_multiple(&self, k: usize, j: usize) -> f64 {
        self.line_cover_multiple[self.line_start[k] + j]
    }

    /// Step 4: each firm plans this step's output plus a catch-up of its backlog (at most
    /// `catch_up_share` of a step's output) and orders the inputs for it plus a share of the
    /// gap between its inventory position (on hand + in transit) and its target (cover, times
    /// the stock-building multiple, + supply line).
    pub(crate) fn place_orders(&mut self, params: &ModelParams, buyers: &Buyers, book: &mut Book) {
        for (k, m) in params.manufacturers.iter().enumerate() {
            let b = buyers.manufacturer(k);
            let ring = &self.backlog[self.backlog_start[k]..self.backlog_start[k + 1]];
            // An all-zero ring sums to +0.0 whichever way (an empty one is summed as before).
            let pending: f64 = if self.backlog_held[k] || ring.is_empty() {
                ring.iter().sum()
            } else {
                0.0
            };
            if pending == 0.0 {
                self.backlog_held[k] = false;
            }
            let catch_up = pending.min(m.catch_up_share);
            self.catch_up[k] = catch_up;
            for (j, d) in m.demand.iter().enumerate() {
                let need = self.line_demand[self.line_start[k] + j];
                let slot = book.slot(b, d.item);
                let cover = m.cover_target_steps * self.line_cover_multiple[self.line_start[k] + j];
                let target = cover * need + book.supply_line(slot, need);
                let gap = target - book.position(slot);
                let want = (need * (1.0 + catch_up) + gap / m.order_adjust_steps).max(0.0);
                book.order[slot] += want;
                book.use_t[slot] += need * (1.0 + catch_up);
            }
        }
    }

    /// Step 8: each firm makes what its scarcest input allows of its wanted output (this
    /// step's plus the planned catch-up) and uses inputs for that only; output not made joins
    /// its backlog, made up oldest first; what ages past the deferral window is lost. Books
    /// what was wanted and used, lost output (tonnes per item and value added), halts. `t` is
    /// the reported step (for the first halt), `clock` the internal one that ages the backlog.
    #[allow(
        clippy::too_many_arguments,
        reason = "the step's two clocks and the books it writes"
    )]
    pub(crate) fn consume(
        &mut self,
        params: &ModelParams,
        buyers: &Buyers,
        book: &mut Book,
        tally: &mut Tally,
        t: u32,
        clock: u32,
    ) {
        let ni = params.items.len();
        let mut n_halted = 0usize;
        for (k, m) in params.manufacturers.iter().enumerate() {
            let b = buyers.manufacturer(k);
            let lines = self.line_start[k]..self.line_start[k + 1];
            let plan = 1.0 + self.catch_up[k];
            // Leontief: the share of a step's full output the inputs allow.
            let mut made = plan;
            let mut need_t = 0.0;
            for (d, &need) in m.demand.iter().zip(&self.line_demand[lines.clone()]) {
                if need > 0.0 {
                    made = made.min(book.held[book.slot(b, d.item)] / need);
                    need_t += need;
                }
            }
            let r = m.region.idx();
            for (d, &need) in m.demand.iter().zip(&self.line_demand[lines.clone()]) {
                let slot = book.slot(b, d.item);
                let used = (made * need).min(book.held[slot]);
                let at = r * ni + d.item.idx();
                book.ledger.lacking[at] += (plan * need - book.held[slot]).max(0.0);
                book.held[slot] -= used;
                book.ledger.wanted[at] += plan * need;
                book.ledger.consumed[at] += used;
            }
            let lost = self.defer(k, clock, made);
            let sector = &params.sectors[m.sector.idx()];
            let value_usd_per_t = sector.value_added_usd_per_kg * KG_PER_T;
            for (d, &need) in m.demand.iter().zip(&self.line_demand[lines]) {
                self.step_unmet_t[d.item.idx()] += lost * need;
                tally.unmet_t[d.item.idx()] += lost * need;
            }
            let g = self.group_of[k];
            tally.group_wanted_t[g] += need_t;
            tally.group_lost_t[g] += lost * need_t;
            tally.wanted_usd += need_t * value_usd_per_t;
            tally.lost_output_usd += lost * need_t * value_usd_per_t;
            if self.importer[k] && made < 1.0 - m.halt_unmet_share {
                n_halted += 1;
            }
        }
        if n_halted > 0 && tally.first_halt_step.is_none() {
            tally.first_halt_step = Some(t);
        }
        tally.firm_steps_halted += n_halted as f64;
        self.step_halted_share = if self.n_importers == 0 {
            0.0
        } else {
            n_halted as f64 / self.n_importers as f64
        };
        tally.peak_halted_share = tally.peak_halted_share.max(self.step_halted_share);
    }

    /// Firm `k` made `made` steps of output at step `t`: it serves its backlog oldest first,
    /// then this step's output; the oldest slot's remainder is lost and the slot takes this
    /// step's shortfall. Returns the output lost, in steps of full output.
    fn defer(&mut self, k: usize, t: u32, made: f64) -> f64 {
        let ring = &mut self.backlog[self.backlog_start[k]..self.backlog_start[k + 1]];
        let mut left = made;
        let window = ring.len();
        // Oldest first: from slot `t mod window` to the end, then from the start (no division
        // per slot).
        let oldest = if window == 0 { 0 } else { t as usize % window };
        // An all-zero ring serves nothing and stays as it is (every take is 0).
        if self.backlog_held[k] {
            let (newer, older) = ring.split_at_mut(oldest);
            for part in [older, newer] {
                for slot in part {
                    let take = left.min(*slot);
                    *slot -= take;
                    left -= take;
                }
            }
        }
        let short = (1.0 - left).max(0.0);
        if window == 0 {
            return short;
        }
        let oldest = &mut ring[t as usize % window];
        let lost = *oldest;
        *oldest = short;
        if short > 0.0 {
            self.backlog_held[k] = true;
        }
        lost
    }

    /// Share of all manufacturers' baseline demand (tonnes of every item, at start-date
    /// levels) that substitution has removed: Σ base × substituted share / Σ base.
    pub(crate) fn substituted_share(&self, params: &ModelParams) -> f64 {
        let (mut base, mut gone) = (0.0, 0.0);
        for (m, st) in params.manufacturers.iter().zip(&self.state) {
            let t: f64 = m.demand.iter().map(|d| d.t_per_step).sum();
            base += t;
            gone += t * st.substituted_share;
        }
        if base > 0.0 { gone / base } else { 0.0 }
    }

    /// Per-step counters restart (after the step is recorded).
    pub(crate) fn clear_step(&mut self) {
        self.step_unmet_t.fill(0.0);
    }

    /// Step 10: after the highest price among its inputs has stayed at or above the trigger
    /// for the lag, the substituted share grows each step up to its cap (and never reverses).
    pub(crate) fn substitute(&mut self, params: &ModelParams, prices: &Prices) {
        for (k, m) in params.manufacturers.iter().enumerate() {
            // The highest price among its inputs drives redesign.
            let ratio = m
                .demand
                .iter()
                .map(|d| prices.ratio_in(m.region, d.item))
                .fold(0.0, f64::max);
            let st = &mut self.state[k];
            if ratio >= m.substitution.trigger_price_ratio {
                st.high_price_steps += 1;
            } else {
                st.high_price_steps = 0;
            }
            if st.high_price_steps >= m.substitution.lag_steps && st.high_price_steps > 0 {
                st.substituted_share = (st.substituted_share + m.substitution.rate_per_step)
                    .min(m.substitution.cap_share);
            }
        }
    }
}

/// Index of the first entry of `keys` that `same` matches, pushing `key` when none does.
fn key_of<K>(keys: &mut Vec<K>, key: K, same: impl Fn(&K) -> bool) -> usize {
    if let Some(at) = keys.iter().position(same) {
        return at;
    }
    keys.push(key);
    keys.len() - 1
}

#[cfg(test)]
mod tests {
    use super::Manufacturers;
    use crate::buyers::Buyers;
    use crate::ids::AuthorityId;
    use crate::markets::Book;
    use crate::params::StockBuildingParams;
    use crate::prices::Prices;
    use crate::testkit;

    fn setup(response: f64) -> (crate::params::ModelParams, Manufacturers, Prices) {
        let mut p = testkit::two_region_market();
        for m in &mut p.manufacturers {
            m.stock_building = StockBuildingParams {
                response,
                window_steps: 4.0,
                max_cover_multiple: 2.0,
            };
        }
        let buyers = Buyers::new(&p);
        let mut book = Book::new(&p, &buyers);
        let m = Manufacturers::new(&p, &buyers, &mut book);
        let authority: Vec<Option<AuthorityId>> = vec![None; p.regions.len()];
        let prices = Prices::new(&p, &authority);
        (p, m, prices)
    }

    #[test]
    fn cover_target_rises_with_a_price_rise_and_falls_back() {
        let (p, mut m, mut prices) = setup(1.0);
        m.build_stocks(&p, &prices);
        assert!(
            (m.cover_multiple(0, 0) - 1.0).abs() < 1e-12,
            "flat prices: normal cover"
        );
        prices.world.fill(1.5);
        m.build_stocks(&p, &prices);
        let up = m.cover_multiple(0, 0);
        assert!((up - (1.0 + 1.5_f64.ln())).abs() < 1e-9, "{up}");
        for _ in 0..60 {
            m.build_stocks(&p, &prices);
        }
        assert!(m.cover_multiple(0, 0) < 1.001, "a plateau: back to normal");
        prices.world.fill(1.0);
        m.build_stocks(&p, &prices);
        assert!(
            (m.cover_multiple(0, 0) - 1.0).abs() < 1e-12,
            "falling prices: normal cover"
        );
        prices.world.fill(25.0);
        m.build_stocks(&p, &prices);
        assert!((m.cover_multiple(0, 0) - 2.0).abs() < 1e-12, "capped");
    }

    #[test]
    fn no_stock_building_at_zero_response() {
        let (p, mut m, mut prices) = setup(0.0);
        prices.world.fill(3.0);
        m.build_stocks(&p, &prices);
        assert!((m.cover_multiple(0, 0) - 1.0).abs() < f64::EPSILON);
    }
}
