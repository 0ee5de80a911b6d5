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
        tally: &mut Tally,
    ) {
        if params.operators.is_empty() {
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
            let cost =
                activity * KG_PER_T * e.cash_cost_usd_per_kg + inputs + e.fixed_cost_usd_per_step;
            self.margin[e.operator] += revenue - cost;
        }
        for (o, op) in params.operators.iter().enumerate() {
            if self.closed[o] || !self.started[o] {
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

    /// True once operator `o` has closed.
    pub(crate) fn is_closed(&self, o: usize) -> bool {
        self.closed[o]
    }

    /// Operator `o`'s loss counter, steps.
    pub(crate) fn loss_steps(&self, o: usize) -> u32 {
        self.loss_steps[o]
    }
}
