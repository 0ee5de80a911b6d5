//! Planned capacity and its financing (issue 18, design §2.4 and §3.2): step 10 finances a
//! planned producer in the first reported step where the price its owners expect covers its
//! breakeven plus a capital charge, and pays the grants committed to it; step 7b writes off a
//! loan's unpaid principal when its operator closes. Deterministic: no random draws, and no
//! allocation after [`Plans::new`].

use crate::economics::{Accounts, breakeven_usd_per_kg};
use crate::metrics::Tally;
use crate::params::ModelParams;
use crate::prices::Prices;
use crate::producers::Producers;
use crate::units::KG_PER_T;

/// The state of every plan and grant.
#[derive(Clone, Debug)]
pub(crate) struct Plans {
    /// Producers with a plan, in producer order.
    planned: Vec<usize>,
    /// Per producer: the expected price of its main output, USD/kg (an EWMA; NaN before the
    /// first reported step).
    expected_usd_per_kg: Vec<f64>,
    /// Per producer: the reported step it was financed in.
    financed_at: Vec<Option<u32>>,
    /// Per producer: its build steps once the grants' cuts are taken off (set when financed).
    build_steps: Vec<u32>,
    /// Per producer: abandoned, never to be financed.
    abandoned: Vec<bool>,
    /// Per producer: the reported step its output started (its build done, at whatever speed
    /// technology controls allowed), recorded by [`Plans::report`].
    started_at: Vec<Option<u32>>,
    /// Per grant: paid (its project was financed with it committed).
    paid: Vec<bool>,
    /// Per grant: a loan whose unpaid principal has been written off.
    written_off: Vec<bool>,
}

impl Plans {
    /// No plan financed yet.
    pub(crate) fn new(params: &ModelParams) -> Self {
        let n = params.producers.len();
        Self {
            planned: (0..n)
                .filter(|&k| params.producers[k].plan.is_some())
                .collect(),
            expected_usd_per_kg: vec![f64::NAN; n],
            financed_at: vec![None; n],
            build_steps: vec![0; n],
            abandoned: vec![false; n],
            started_at: vec![None; n],
            paid: vec![false; params.grants.len()],
            written_off: vec![false; params.grants.len()],
        }
    }

    /// Step 10 (reported steps): each planned producer's expected price moves towards the
    /// step's price; from its decision step, an unfinanced project is abandoned once its time is
    /// up, or financed in the first step where max(expected price, a floor in force on its main
    /// output) ≥ breakeven + capital charge (a project without capex is financed at its
    /// decision step). Financing pays the grants committed to it and starts the build.
    pub(crate) fn finance(
        &mut self,
        params: &ModelParams,
        producers: &mut Producers,
        prices: &Prices,
        accounts: &Accounts,
        t: u32,
        tally: &mut Tally,
    ) {
        for &k in &self.planned {
            let pr = &params.producers[k];
            let Some(plan) = pr.plan else { continue };
            let main = pr.outputs[0].item;
            let price =
                prices.ratio_in(pr.region, main) * params.items[main.idx()].base_price_usd_per_kg;
            let e = &mut self.expected_usd_per_kg[k];
            *e = if e.is_nan() {
                price
            } else {
                *e + (price - *e) / plan.financing_window_steps.max(1.0)
            };
            let expected = *e;
            // A project of a closed operator is not financed (its plant would never run).
            if self.financed_at[k].is_some()
                || self.abandoned[k]
                || t < plan.decision_step
                || producers.is_closed(k)
            {
                continue;
            }
            if plan
                .abandon_after_steps
                .is_some_and(|a| t >= plan.decision_step.saturating_add(a))
            {
                self.abandoned[k] = true;
                continue;
            }
            let committed = || {
                params
                    .grants
                    .iter()
                    .filter(move |g| g.producer == k && g.from_step <= t)
            };
            let financed = if plan.capex_usd <= 0.0 {
                true
            } else {
                let support: f64 = committed().map(crate::params::Grant::support_usd).sum();
                let made_kg =
                    pr.capacity_t_per_step * pr.utilisation * KG_PER_T * pr.outputs[0].t_per_unit;
                let charge = if made_kg > 0.0 {
                    (plan.capex_usd - support).max(0.0) * plan.capital_charge_share_per_step
                        / made_kg
                } else {
                    f64::INFINITY
                };
                let breakeven = pr
                    .economics
                    .map_or(0.0, |ec| breakeven_usd_per_kg(params, pr, &ec, prices));
                let floor = params
                    .floors
                    .iter()
                    .enumerate()
                    .filter(|(j, f)| {
                        f.producer == k
                            && f.item == main
                            && f.from_step <= t
                            && t < f.until_step
                            && accounts.floor_has_budget(*j, f)
                    })
                    .map(|(_, f)| f.floor_usd_per_kg)
                    .fold(f64::NEG_INFINITY, f64::max);
                expected.max(floor) >= breakeven + charge
            };
            if !financed {
                continue;
            }
            let cut: u32 = committed().map(|g| g.lead_time_cut_steps).sum();
            let build = plan.build_steps.saturating_sub(cut);
            self.financed_at[k] = Some(t);
            self.build_steps[k] = build;
            producers.start_building(k, build);
            for (j, g) in params.grants.iter().enumerate() {
                if g.producer == k && g.from_step <= t {
                    self.paid[j] = true;
                    tally.grants_paid_usd += g.support_usd();
                }
            }
        }
    }

    /// Step 7b (after the accounts): a paid loan whose producer's operator has closed is written
    /// off: the principal not yet repaid (straight-line over its term from the producer's first
    /// output) is a cost, once.
    pub(crate) fn write_off(
        &mut self,
        params: &ModelParams,
        accounts: &Accounts,
        t: u32,
        tally: &mut Tally,
    ) {
        for (j, g) in params.grants.iter().enumerate() {
            let Some(loan) = g.loan else { continue };
            if !self.paid[j] || self.written_off[j] {
                continue;
            }
            let Some(ec) = params.producers[g.producer].economics else {
                continue;
            };
            if !accounts.is_closed(ec.operator) {
                continue;
            }
            self.written_off[j] = true;
            let start = self.output_step(g.producer).unwrap_or(t);
            let since = f64::from(t.saturating_sub(start));
            let repaid = (since / f64::from(loan.term_steps.max(1))).min(1.0);
            tally.grants_paid_usd += g.amount_usd * (1.0 - repaid);
        }
    }

    /// The step a financed plan's output started (its build done), if it has.
    fn output_step(&self, k: usize) -> Option<u32> {
        self.started_at[k]
    }

    /// End of reported step `t`: the planned-capacity metrics so far, into the tally: the
    /// capacity-weighted mean delay (start of output − earliest possible start, both censored
    /// at the steps simulated) and the share of planned capacity running.
    pub(crate) fn report(
        &mut self,
        params: &ModelParams,
        producers: &Producers,
        t: u32,
        tally: &mut Tally,
    ) {
        if self.planned.is_empty() {
            return;
        }
        let now = t.saturating_add(1);
        let (mut weight, mut delay, mut running) = (0.0, 0.0, 0.0);
        for &k in &self.planned {
            let pr = &params.producers[k];
            let Some(plan) = pr.plan else { continue };
            if self.financed_at[k].is_some()
                && self.started_at[k].is_none()
                && producers.has_started(k)
            {
                self.started_at[k] = Some(t);
            }
            let build = if self.financed_at[k].is_some() {
                self.build_steps[k]
            } else {
                let cut: u32 = params
                    .grants
                    .iter()
                    .filter(|g| g.producer == k && g.from_step <= t)
                    .map(|g| g.lead_time_cut_steps)
                    .sum();
                plan.build_steps.saturating_sub(cut)
            };
            let earliest = plan.decision_step.saturating_add(build).min(now);
            let start = self.output_step(k).unwrap_or(u32::MAX).min(now);
            let cap = pr.capacity_t_per_step;
            weight += cap;
            delay += cap * f64::from(start.saturating_sub(earliest));
            running += cap * producers.running_share(k);
        }
        if weight > 0.0 {
            tally.planned_delay_weeks = delay / weight * params.calendar.step_weeks();
            tally.planned_online_share = running / weight;
        }
    }
}
