//! Manufacturers (one per region × sector): demand (step 3), orders (step 4), consumption,
//! lost output and halts (step 8), and substitution after sustained high prices (step 10).

use rand::Rng;

use crate::buyers::Buyers;
use crate::markets::{Book, Prices, pow};
use crate::metrics::Tally;
use crate::params::ModelParams;
use crate::units::KG_PER_T;

/// Stock below this many tonnes counts as empty. A numerical tolerance for rounding in
/// pro-rata allocation, not a model parameter.
const EMPTY_T: f64 = 1e-9;

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
    /// Current demand per demand line, flattened in manufacturer order:
    /// `line_demand[line_start[m] + j]` for line `j` of manufacturer `m`.
    line_demand: Vec<f64>,
    line_start: Vec<usize>,
    /// Unmet demand this step, all manufacturers and items, tonnes.
    pub(crate) step_unmet_t: f64,
    /// Share of importing manufacturers halted this step.
    pub(crate) step_halted_share: f64,
    /// Whether each manufacturer stands in an importing region (none of the controlling
    /// exporters): only those count in `halted_share` and the halt metrics.
    importer: Vec<bool>,
    n_importers: usize,
}

impl Manufacturers {
    /// No surge, nothing substituted; inventories filled to their cover of baseline demand.
    pub(crate) fn new(params: &ModelParams, buyers: &Buyers, book: &mut Book) -> Self {
        let mut line_start = Vec::with_capacity(params.manufacturers.len() + 1);
        line_start.push(0);
        for (k, m) in params.manufacturers.iter().enumerate() {
            let b = buyers.manufacturer(k);
            for d in &m.demand {
                let slot = book.slot(b, d.item);
                book.held[slot] += m.cover_target_steps * d.t_per_step;
            }
            line_start.push(line_start[k] + m.demand.len());
        }
        let n_lines = *line_start.last().unwrap_or(&0);
        let importer: Vec<bool> = params
            .manufacturers
            .iter()
            .map(|m| params.authorities.iter().all(|a| a.region != m.region))
            .collect();
        let n_importers = importer.iter().filter(|&&x| x).count();
        Self {
            importer,
            n_importers,
            state: vec![
                ManufacturerState {
                    surge: 1.0,
                    substituted_share: 0.0,
                    high_price_steps: 0,
                };
                params.manufacturers.len()
            ],
            line_demand: vec![0.0; n_lines],
            line_start,
            step_unmet_t: 0.0,
            step_halted_share: 0.0,
        }
    }

    /// Step 1: the demand multipliers in force (per manufacturer; 1 = none).
    pub(crate) fn set_demand_multipliers(&mut self, multipliers: &[f64]) {
        for (st, &m) in self.state.iter_mut().zip(multipliers) {
            st.surge = m;
        }
    }

    /// Step 3: demand = base × trend × noise × surge × (1 − substituted share) × price^(−ε), with
    /// one normal draw per manufacturer per step, always.
    pub(crate) fn form_demand<R: Rng>(
        &mut self,
        params: &ModelParams,
        prices: &Prices,
        t: u32,
        rng: &mut R,
    ) {
        let years = f64::from(t) * params.calendar.step_years();
        for (k, m) in params.manufacturers.iter().enumerate() {
            let z: f64 = rng.sample(rand_distr::StandardNormal);
            // Mean-one lognormal noise: exactly 1 when sigma is 0.
            let noise = (m.noise_sigma * z - 0.5 * m.noise_sigma * m.noise_sigma).exp();
            let trend = pow(1.0 + m.growth_per_year, years);
            let st = self.state[k];
            let common = trend * noise * st.surge * (1.0 - st.substituted_share);
            for (j, d) in m.demand.iter().enumerate() {
                let price = pow(prices.ratio_in(m.region, d.item), -m.price_elasticity);
                self.line_demand[self.line_start[k] + j] = d.t_per_step * common * price;
            }
        }
    }

    /// Step 4: each manufacturer orders its demand plus a share of its inventory gap.
    pub(crate) fn place_orders(&self, params: &ModelParams, buyers: &Buyers, book: &mut Book) {
        for (k, m) in params.manufacturers.iter().enumerate() {
            let b = buyers.manufacturer(k);
            for (j, d) in m.demand.iter().enumerate() {
                let demand = self.line_demand[self.line_start[k] + j];
                let slot = book.slot(b, d.item);
                let have = book.held[slot];
                let target = m.cover_target_steps * demand;
                let want = (demand + (target - have) / m.order_adjust_steps).max(0.0);
                book.order[slot] += want;
            }
        }
    }

    /// Step 8: manufacturers use inventory; unmet demand is lost output; a manufacturer halts
    /// when an item's inventory is empty and unmet demand exceeds its halt share.
    pub(crate) fn consume(
        &mut self,
        params: &ModelParams,
        buyers: &Buyers,
        book: &mut Book,
        tally: &mut Tally,
        t: u32,
    ) {
        let ni = params.items.len();
        let mut n_halted = 0usize;
        for (k, m) in params.manufacturers.iter().enumerate() {
            let b = buyers.manufacturer(k);
            let value_usd_per_t = params.sectors[m.sector.idx()].lost_output_usd_per_kg * KG_PER_T;
            let mut halted = false;
            for (j, d) in m.demand.iter().enumerate() {
                let demand = self.line_demand[self.line_start[k] + j];
                let slot = book.slot(b, d.item);
                let used = demand.min(book.held[slot]);
                book.held[slot] -= used;
                book.ledger.consumed[m.region.idx() * ni + d.item.idx()] += used;
                let unmet = demand - used;
                tally.demand_t += demand;
                tally.unmet_t += unmet;
                tally.lost_output_usd += unmet * value_usd_per_t;
                self.step_unmet_t += unmet;
                if demand > 0.0
                    && book.held[slot] <= EMPTY_T
                    && unmet > m.halt_unmet_share * demand + EMPTY_T
                {
                    halted = true;
                }
            }
            // The exporter's own manufacturers are not what its controls are aimed at.
            n_halted += usize::from(halted && self.importer[k]);
        }
        if n_halted > 0 && tally.first_halt_step.is_none() {
            tally.first_halt_step = Some(t);
        }
        self.step_halted_share = if self.n_importers == 0 {
            0.0
        } else {
            n_halted as f64 / self.n_importers as f64
        };
        tally.peak_halted_share = tally.peak_halted_share.max(self.step_halted_share);
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
