//! Producer economics (issue 18), step 7b: each operator's margin in a reported step, its loss
//! counter and its closure. Idle in the warm-up and for an operator until its first output (a
//! plant not yet built neither earns nor loses). No random draws.

use crate::metrics::Tally;
use crate::params::ModelParams;
use crate::prices::Prices;
use crate::producers::Producers;
use crate::units::KG_PER_T;

/// Per operator ([`ModelParams::operators`]): loss counter, open or closed, started.
#[derive(Clone, Debug)]
pub(crate) struct Accounts {
    /// Steps of net loss: up one for a step at a loss, down one otherwise, never below 0.
    loss_steps: Vec<u32>,
    closed: Vec<bool>,
    /// True from the operator's first output on.
    started: Vec<bool>,
    /// The step's margin, USD (scratch, sized once).
    margin: Vec<f64>,
    /// A closed operator's steps in a row with every producer's price above its restart level.
    restart_high_steps: Vec<u32>,
    /// A closed operator's steps left offline once its restart is decided.
    offline_left_steps: Vec<Option<u32>>,
    /// Per floor: USD paid so far, and tonnes covered in the current year.
    floor_paid_usd: Vec<f64>,
    floor_year_t: Vec<f64>,
    /// Per floor, the share of its yearly volume cap open in the current year: the share of its
    /// first calendar year left from its start (pro rata), then 1.
    floor_year_share: Vec<f64>,
}

impl Accounts {
    /// Every operator open, with no losses counted.
    pub(crate) fn new(params: &ModelParams) -> Self {
        let n = params.operators.len();
        Self {
            loss_steps: vec![0; n],
            closed: vec![false; n],
            started: vec![false; n],
            margin: vec![0.0; n],
            restart_high_steps: vec![0; n],
            offline_left_steps: vec![None; n],
            floor_paid_usd: vec![0.0; params.floors.len()],
            floor_year_t: vec![0.0; params.floors.len()],
            floor_year_share: params
                .floors
                .iter()
                .map(|f| params.calendar.year_share_from(f.from_step))
                .collect(),
        }
    }

    /// Step 7b (reported steps): each open operator's margin at this step's prices (before
    /// step 9 updates them), its loss counter, and closure once the counter reaches its
    /// threshold: its producers have no capacity from the next step on.
    pub(crate) fn settle(
        &mut self,
        params: &ModelParams,
        producers: &mut Producers,
        prices: &Prices,
        t: u32,
        tally: &mut Tally,
    ) {
        if params.operators.is_empty() && params.floors.is_empty() {
            return;
        }
        self.margin.fill(0.0);
        for (k, pr) in params.producers.iter().enumerate() {
            let Some(e) = pr.economics else { continue };
            if self.closed[e.operator] {
                continue;
            }
            let activity = producers.activity(k);
            if activity > 0.0 {
                self.started[e.operator] = true;
            }
            let value = |item: crate::ItemId, tonnes: f64| {
                tonnes
                    * KG_PER_T
                    * prices.ratio_in(pr.region, item)
                    * params.items[item.idx()].base_price_usd_per_kg
            };
            let revenue: f64 = pr
                .outputs
                .iter()
                .map(|f| value(f.item, activity * f.t_per_unit))
                .sum();
            let inputs: f64 = pr
                .inputs
                .iter()
                .map(|f| value(f.item, activity * f.t_per_unit))
                .sum();
            // A member plant not yet built (before its dated start) carries no site cost.
            let fixed = if producers.online_share(k) > 0.0 {
                e.fixed_cost_usd_per_step
            } else {
                0.0
            };
            let cost = activity * KG_PER_T * e.cash_cost_usd_per_kg + inputs + fixed;
            self.margin[e.operator] += revenue - cost;
        }
        self.pay_floors(params, producers, prices, t, tally);
        for (o, op) in params.operators.iter().enumerate() {
            if self.closed[o] {
                if let Some(rule) = op.restart {
                    self.consider_restart(o, rule, params, producers, prices);
                }
                continue;
            }
            if !self.started[o] {
                continue;
            }
            if self.margin[o] < 0.0 {
                self.loss_steps[o] += 1;
            } else {
                self.loss_steps[o] = self.loss_steps[o].saturating_sub(1);
            }
            if op
                .close_after_loss_steps
                .is_some_and(|n| self.loss_steps[o] >= n)
            {
                self.closed[o] = true;
                tally.producer_closures += 1;
                for (k, pr) in params.producers.iter().enumerate() {
                    if pr.economics.is_some_and(|e| e.operator == o) {
                        producers.close(k);
                    }
                }
            }
        }
    }

    /// Floors in force at reported step `t`: each pays the gap between its floor and the
    /// price the producer sees on the tonnes of its item made this step, within the year's
    /// volume and the budget left; the payment adds to the producer's operator's margin.
    fn pay_floors(
        &mut self,
        params: &ModelParams,
        producers: &Producers,
        prices: &Prices,
        t: u32,
        tally: &mut Tally,
    ) {
        for (j, f) in params.floors.iter().enumerate() {
            if t < f.from_step || t >= f.until_step {
                continue;
            }
            if t > f.from_step && params.calendar.starts_new_year(t) {
                self.floor_year_t[j] = 0.0;
                self.floor_year_share[j] = 1.0;
            }
            let pr = &params.producers[f.producer];
            let made: f64 = pr
                .outputs
                .iter()
                .filter(|o| o.item == f.item)
                .map(|o| producers.activity(f.producer) * o.t_per_unit)
                .sum();
            let price = prices.ratio_in(pr.region, f.item)
                * params.items[f.item.idx()].base_price_usd_per_kg;
            let gap = f.floor_usd_per_kg - price;
            if gap <= 0.0 || made <= 0.0 {
                continue;
            }
            let mut tonnes = made;
            if let Some(cap) = f.max_t_per_year {
                tonnes = tonnes.min(cap * self.floor_year_share[j] - self.floor_year_t[j]);
            }
            if let Some(budget) = f.budget_usd {
                tonnes = tonnes.min((budget - self.floor_paid_usd[j]) / (gap * KG_PER_T));
            }
            let tonnes = tonnes.max(0.0);
            let paid = tonnes * KG_PER_T * gap;
            self.floor_year_t[j] += tonnes;
            self.floor_paid_usd[j] += paid;
            tally.floor_paid_usd += paid;
            if let Some(e) = pr.economics {
                self.margin[e.operator] += paid;
            }
        }
    }

    /// A closed operator's restart rule, one step: count steps with every producer's main
    /// output priced at or above `price_ratio` × its breakeven; once enough, wait offline, then
    /// reopen (loss counter back to 0).
    fn consider_restart(
        &mut self,
        o: usize,
        rule: crate::params::Restart,
        params: &ModelParams,
        producers: &mut Producers,
        prices: &Prices,
    ) {
        if let Some(left) = self.offline_left_steps[o] {
            if left > 1 {
                self.offline_left_steps[o] = Some(left - 1);
                return;
            }
            self.offline_left_steps[o] = None;
            self.closed[o] = false;
            self.loss_steps[o] = 0;
            self.restart_high_steps[o] = 0;
            for (k, pr) in params.producers.iter().enumerate() {
                if pr.economics.is_some_and(|e| e.operator == o) {
                    producers.reopen(params, k);
                }
            }
            return;
        }
        let high = params.producers.iter().all(|pr| {
            pr.economics.is_none_or(|e| {
                e.operator != o || {
                    let main = pr.outputs[0].item;
                    let price = prices.ratio_in(pr.region, main)
                        * params.items[main.idx()].base_price_usd_per_kg;
                    price >= rule.price_ratio * breakeven_usd_per_kg(params, pr, &e, prices)
                }
            })
        });
        self.restart_high_steps[o] = if high {
            self.restart_high_steps[o] + 1
        } else {
            0
        };
        if self.restart_high_steps[o] >= rule.sustain_steps.max(1) {
            self.offline_left_steps[o] = Some(rule.offline_steps.max(1));
        }
    }

    /// True while floor `j` (`f`) has budget left to pay (always without a budget).
    pub(crate) fn floor_has_budget(&self, j: usize, f: &crate::params::Floor) -> bool {
        f.budget_usd.is_none_or(|b| self.floor_paid_usd[j] < b)
    }

    /// True once operator `o` has closed.
    pub(crate) fn is_closed(&self, o: usize) -> bool {
        self.closed[o]
    }

    /// Operator `o`'s loss counter, steps.
    pub(crate) fn loss_steps(&self, o: usize) -> u32 {
        self.loss_steps[o]
    }
}

/// Breakeven price of a producer's main output, USD/kg, at the prices it sees: its cash cost,
/// its fixed cost spread over its baseline activity (capacity × utilisation) and its inputs,
/// less the value of its other outputs (by-product costing), per kg of main output. Infinite
/// when it makes none of its main output per unit of activity.
pub(crate) fn breakeven_usd_per_kg(
    params: &ModelParams,
    pr: &crate::params::ProducerParams,
    e: &crate::params::Economics,
    prices: &Prices,
) -> f64 {
    breakeven_of_output(params, pr, e, prices, 0)
}

/// Breakeven price of a producer's output number `j` (its place in `outputs`), USD/kg, by the
/// same by-product costing as [`breakeven_usd_per_kg`] (which is `j = 0`): every other output
/// is valued at the price the producer sees.
pub(crate) fn breakeven_of_output(
    params: &ModelParams,
    pr: &crate::params::ProducerParams,
    e: &crate::params::Economics,
    prices: &Prices,
    j: usize,
) -> f64 {
    let price = |item: crate::ItemId| {
        prices.ratio_in(pr.region, item) * params.items[item.idx()].base_price_usd_per_kg
    };
    let baseline_kg = pr.capacity_t_per_step * pr.utilisation * KG_PER_T;
    let fixed_per_kg = if baseline_kg > 0.0 {
        e.fixed_cost_usd_per_step / baseline_kg
    } else {
        0.0
    };
    let inputs: f64 = pr.inputs.iter().map(|f| f.t_per_unit * price(f.item)).sum();
    let others: f64 = pr
        .outputs
        .iter()
        .enumerate()
        .filter(|&(o, _)| o != j)
        .map(|(_, f)| f.t_per_unit * price(f.item))
        .sum();
    let made = pr.outputs[j].t_per_unit;
    if made > 0.0 {
        (e.cash_cost_usd_per_kg + fixed_per_kg + inputs - others) / made
    } else {
        f64::INFINITY
    }
}
