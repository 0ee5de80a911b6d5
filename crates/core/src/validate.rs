//! Consistency checks of [`ModelParams`] before a model is built.

use crate::error::{ParamError, ParamErrors};
use crate::keyed::LeadTime;
use crate::params::{ModelParams, PriceParams};
use crate::policy::{LicenceRegime, QuotaBatch};
use crate::units::KG_PER_T;

mod events;
mod offtake;
mod partners;
mod plans;
mod recycling;
mod sourcing;
mod undercuts;

/// Collects every problem rather than stopping at the first.
struct Checker {
    errors: Vec<ParamError>,
}

impl Checker {
    fn id(&mut self, path: impl FnOnce() -> String, kind: &'static str, index: usize, len: usize) {
        if index >= len {
            self.errors.push(ParamError::UnknownId {
                path: path(),
                kind,
                index,
                len,
            });
        }
    }

    fn range(
        &mut self,
        path: impl FnOnce() -> String,
        v: f64,
        lo: f64,
        hi: f64,
        expected: &'static str,
    ) {
        if !(v.is_finite() && v >= lo && v <= hi) {
            self.errors.push(ParamError::OutOfRange {
                path: path(),
                value: v.to_string(),
                expected,
            });
        }
    }

    fn non_negative(&mut self, path: impl FnOnce() -> String, v: f64) {
        self.range(path, v, 0.0, f64::MAX, "a finite number >= 0");
    }

    fn share(&mut self, path: impl FnOnce() -> String, v: f64) {
        self.range(path, v, 0.0, 1.0, "a share in [0, 1]");
    }

    fn positive(&mut self, path: impl FnOnce() -> String, v: f64) {
        if !(v.is_finite() && v > 0.0) {
            self.errors.push(ParamError::OutOfRange {
                path: path(),
                value: v.to_string(),
                expected: "a finite number > 0",
            });
        }
    }

    fn lead_time(&mut self, path: &str, lt: &LeadTime) {
        self.non_negative(|| format!("{path}.median_steps"), lt.median_steps);
        self.non_negative(|| format!("{path}.sigma"), lt.sigma);
        self.non_negative(|| format!("{path}.max_steps"), lt.max_steps);
    }

    fn price(&mut self, path: &str, p: &PriceParams) {
        self.non_negative(|| format!("{path}.elasticity"), p.elasticity);
        self.share(
            || format!("{path}.reversion_per_step"),
            p.reversion_per_step,
        );
        self.positive(|| format!("{path}.min_ratio"), p.min_ratio);
        self.range(
            || format!("{path}.min_ratio"),
            p.min_ratio,
            0.0,
            1.0,
            "a ratio in (0, 1]",
        );
        self.range(
            || format!("{path}.max_ratio"),
            p.max_ratio,
            1.0,
            f64::MAX,
            "a ratio >= 1",
        );
    }

    fn regime(&mut self, path: &str, r: &LicenceRegime, n_regions: usize, n_sectors: usize) {
        self.range(
            || format!("{path}.review_capacity_per_step"),
            r.review_capacity_per_step,
            0.0,
            1e9,
            "applications per step in [0, 1e9]",
        );
        self.lead_time(&format!("{path}.lead_time"), &r.lead_time);
        if !r.lead_time_by_region.is_empty()
            && self.len(
                || format!("{path}.lead_time_by_region"),
                r.lead_time_by_region.len(),
                n_regions,
            )
        {
            for (k, lt) in r.lead_time_by_region.iter().enumerate() {
                self.lead_time(&format!("{path}.lead_time_by_region[{k}]"), lt);
            }
        }
        if r.approval.len() != n_regions * n_sectors {
            self.errors.push(ParamError::WrongLength {
                path: format!("{path}.approval"),
                actual: r.approval.len(),
                expected: n_regions * n_sectors,
            });
        }
        for (k, &p) in r.approval.iter().enumerate() {
            self.share(|| format!("{path}.approval[{k}]"), p);
        }
        self.len(
            || format!("{path}.validity_steps"),
            r.validity_steps.len(),
            n_regions * n_sectors,
        );
        self.non_negative(
            || format!("{path}.renewal_margin_steps"),
            r.renewal_margin_steps,
        );
        if let Some(f) = r.quantity_cover_factor {
            self.positive(|| format!("{path}.quantity_cover_factor"), f);
        }
    }

    /// A quota's batches: days within a year, non-negative shares that do not all vanish.
    fn batches(&mut self, path: &str, batches: &[QuotaBatch]) {
        for (j, b) in batches.iter().enumerate() {
            self.range(
                || format!("{path}[{j}].day_of_year"),
                f64::from(b.day_of_year),
                1.0,
                366.0,
                "a day of the year in [1, 366]",
            );
            self.non_negative(|| format!("{path}[{j}].share"), b.share);
        }
        let total: f64 = batches.iter().map(|b| b.share).sum();
        if !batches.is_empty() && total.is_finite() && total <= 0.0 {
            self.errors.push(ParamError::OutOfRange {
                path: path.to_owned(),
                value: total.to_string(),
                expected: "batch shares summing to more than 0",
            });
        }
    }
}

impl Checker {
    /// Transit times: none, or one per (from, to) pair of regions; domestic sales take no time,
    /// and no route outlasts the horizon (the pipeline holds one slot per step in transit).
    fn trade(&mut self, p: &ModelParams) {
        let nr = p.regions.len();
        let t = &p.trade.transit_steps;
        if t.is_empty() || !self.len(|| "trade.transit_steps".to_owned(), t.len(), nr * nr) {
            return;
        }
        for (k, &steps) in t.iter().enumerate() {
            let (from, to) = (k / nr, k % nr);
            let (lo, hi, expected) = if from == to {
                (
                    0.0,
                    0.0,
                    "0 (a domestic sale arrives in the step it is made)",
                )
            } else {
                (
                    0.0,
                    f64::from(p.calendar.n_steps),
                    "steps in [0, the horizon]",
                )
            };
            self.range(
                || format!("trade.transit_steps[{k}]"),
                f64::from(steps),
                lo,
                hi,
                expected,
            );
        }
    }
}

impl Checker {
    /// True when `actual == expected`; records a wrong length otherwise.
    fn len(&mut self, path: impl FnOnce() -> String, actual: usize, expected: usize) -> bool {
        if actual != expected {
            self.errors.push(ParamError::WrongLength {
                path: path(),
                actual,
                expected,
            });
        }
        actual == expected
    }
}

impl ModelParams {
    /// Checks ids, ranges and table sizes. A model is only built from parameters that pass.
    pub fn validate(&self) -> Result<(), ParamErrors> {
        let mut c = Checker { errors: Vec::new() };
        let (ni, nr, ns) = (self.items.len(), self.regions.len(), self.sectors.len());
        if self.calendar.n_steps == 0 {
            c.errors.push(ParamError::Empty("the horizon has no steps"));
        }
        if self.calendar.step_days == 0 {
            c.errors
                .push(ParamError::Empty("a step must last at least one day"));
        }
        if ni == 0 || nr == 0 || ns == 0 {
            c.errors.push(ParamError::Empty(
                "the model needs at least one item, region and sector",
            ));
        }
        for (k, item) in self.items.iter().enumerate() {
            c.positive(
                || format!("items[{k}].base_price_usd_per_kg"),
                item.base_price_usd_per_kg,
            );
            c.price(&format!("items[{k}].price"), &item.price);
            for (j, line) in item.bom.iter().enumerate() {
                c.id(
                    || format!("items[{k}].bom[{j}].material"),
                    "item",
                    line.material.idx(),
                    ni,
                );
                c.range(
                    || format!("items[{k}].bom[{j}].kg_per_t"),
                    line.kg_per_t,
                    0.0,
                    KG_PER_T,
                    "kg per tonne in [0, 1000]",
                );
            }
        }
        for (k, s) in self.sectors.iter().enumerate() {
            c.non_negative(
                || format!("sectors[{k}].value_added_usd_per_kg"),
                s.value_added_usd_per_kg,
            );
        }
        for (k, p) in self.producers.iter().enumerate() {
            let path = format!("producers[{k}]");
            c.id(|| format!("{path}.region"), "region", p.region.idx(), nr);
            c.id(|| format!("{path}.end_use"), "sector", p.end_use.idx(), ns);
            c.non_negative(
                || format!("{path}.capacity_t_per_step"),
                p.capacity_t_per_step,
            );
            c.share(|| format!("{path}.utilisation"), p.utilisation);
            c.non_negative(|| format!("{path}.supply_elasticity"), p.supply_elasticity);
            c.non_negative(|| format!("{path}.input_cover_steps"), p.input_cover_steps);
            c.range(
                || format!("{path}.order_adjust_steps"),
                p.order_adjust_steps,
                1.0,
                f64::MAX,
                "at least 1 step",
            );
            if p.outputs.is_empty() {
                c.errors.push(ParamError::Empty(
                    "every producer needs at least one output",
                ));
            }
            for (j, f) in p.inputs.iter().chain(&p.outputs).enumerate() {
                c.id(
                    || format!("{path}.flows[{j}].item"),
                    "item",
                    f.item.idx(),
                    ni,
                );
                c.non_negative(|| format!("{path}.flows[{j}].t_per_unit"), f.t_per_unit);
            }
            c.share(
                || format!("{path}.outage.prob_per_step"),
                p.outage.prob_per_step,
            );
            c.range(
                || format!("{path}.outage.mean_steps"),
                p.outage.mean_steps,
                1.0,
                f64::MAX,
                "at least 1 step",
            );
            c.share(
                || format!("{path}.outage.depth_share"),
                p.outage.depth_share,
            );
            c.positive(
                || format!("{path}.expansion.trigger_price_ratio"),
                p.expansion.trigger_price_ratio,
            );
            c.lead_time(
                &format!("{path}.expansion.lead_time"),
                &p.expansion.lead_time,
            );
            c.non_negative(
                || format!("{path}.expansion.increment_share"),
                p.expansion.increment_share,
            );
            c.range(
                || format!("{path}.expansion.max_capacity_multiple"),
                p.expansion.max_capacity_multiple,
                1.0,
                f64::MAX,
                "a multiple >= 1",
            );
            if let Some(o) = p.online {
                c.non_negative(|| format!("{path}.online.ramp_steps"), o.ramp_steps);
            }
            if let Some(e) = p.economics {
                c.non_negative(
                    || format!("{path}.economics.cash_cost_usd_per_kg"),
                    e.cash_cost_usd_per_kg,
                );
                c.non_negative(
                    || format!("{path}.economics.fixed_cost_usd_per_step"),
                    e.fixed_cost_usd_per_step,
                );
                c.id(
                    || format!("{path}.economics.operator"),
                    "operator",
                    e.operator,
                    self.operators.len(),
                );
            }
        }
        for (j, f) in self.floors.iter().enumerate() {
            let path = format!("floors[{j}]");
            c.id(
                || format!("{path}.producer"),
                "producer",
                f.producer,
                self.producers.len(),
            );
            let made = self
                .producers
                .get(f.producer)
                .is_some_and(|p| p.outputs.iter().any(|o| o.item == f.item));
            if !made {
                c.errors.push(ParamError::OutOfRange {
                    path: format!("{path}.item"),
                    value: f.item.idx().to_string(),
                    expected: "an item the producer makes",
                });
            }
            let overlaps = self.floors[..j].iter().any(|o| {
                o.producer == f.producer
                    && o.item == f.item
                    && o.from_step < f.until_step
                    && f.from_step < o.until_step
            });
            if overlaps {
                c.errors.push(ParamError::OutOfRange {
                    path: format!("{path}.from_step"),
                    value: f.from_step.to_string(),
                    expected: "no other floor of the same producer and item in force at the same time",
                });
            }
            c.non_negative(|| format!("{path}.floor_usd_per_kg"), f.floor_usd_per_kg);
            if let Some(v) = f.max_t_per_year {
                c.non_negative(|| format!("{path}.max_t_per_year"), v);
            }
            if let Some(v) = f.budget_usd {
                c.non_negative(|| format!("{path}.budget_usd"), v);
            }
        }
        for (o, op) in self.operators.iter().enumerate() {
            if op.close_after_loss_steps == Some(0) {
                c.errors.push(ParamError::OutOfRange {
                    path: format!("operators[{o}].close_after_loss_steps"),
                    value: "0".to_owned(),
                    expected: "at least 1 step",
                });
            }
            if let Some(r) = op.restart {
                c.positive(
                    || format!("operators[{o}].restart.price_ratio"),
                    r.price_ratio,
                );
            }
        }
        for (k, m) in self.manufacturers.iter().enumerate() {
            let path = format!("manufacturers[{k}]");
            c.id(|| format!("{path}.region"), "region", m.region.idx(), nr);
            c.id(|| format!("{path}.sector"), "sector", m.sector.idx(), ns);
            for (j, d) in m.demand.iter().enumerate() {
                c.id(
                    || format!("{path}.demand[{j}].item"),
                    "item",
                    d.item.idx(),
                    ni,
                );
                c.non_negative(|| format!("{path}.demand[{j}].t_per_step"), d.t_per_step);
            }
            c.range(
                || format!("{path}.growth_per_year"),
                m.growth_per_year,
                -0.99,
                10.0,
                "a growth rate in [-0.99, 10]",
            );
            c.non_negative(|| format!("{path}.noise_sigma"), m.noise_sigma);
            c.non_negative(
                || format!("{path}.cover_target_steps"),
                m.cover_target_steps,
            );
            c.range(
                || format!("{path}.order_adjust_steps"),
                m.order_adjust_steps,
                1.0,
                f64::MAX,
                "at least 1 step",
            );
            c.non_negative(|| format!("{path}.price_elasticity"), m.price_elasticity);
            c.positive(
                || format!("{path}.substitution.trigger_price_ratio"),
                m.substitution.trigger_price_ratio,
            );
            c.share(
                || format!("{path}.substitution.rate_per_step"),
                m.substitution.rate_per_step,
            );
            c.share(
                || format!("{path}.substitution.cap_share"),
                m.substitution.cap_share,
            );
            c.share(|| format!("{path}.halt_unmet_share"), m.halt_unmet_share);
            c.non_negative(|| format!("{path}.catch_up_share"), m.catch_up_share);
            let sb = &m.stock_building;
            c.non_negative(|| format!("{path}.stock_building.response"), sb.response);
            c.range(
                || format!("{path}.stock_building.window_steps"),
                sb.window_steps,
                1.0,
                f64::MAX,
                "at least 1 step",
            );
            c.range(
                || format!("{path}.stock_building.max_cover_multiple"),
                sb.max_cover_multiple,
                1.0,
                f64::MAX,
                "a multiple >= 1",
            );
        }
        for (k, s) in self.stockpiles.iter().enumerate() {
            let path = format!("stockpiles[{k}]");
            c.id(|| format!("{path}.region"), "region", s.region.idx(), nr);
            c.id(|| format!("{path}.end_use"), "sector", s.end_use.idx(), ns);
            c.non_negative(|| format!("{path}.budget_usd"), s.budget_usd);
            for (j, l) in s.lines.iter().enumerate() {
                c.id(
                    || format!("{path}.lines[{j}].item"),
                    "item",
                    l.item.idx(),
                    ni,
                );
                c.non_negative(|| format!("{path}.lines[{j}].initial_t"), l.initial_t);
                c.non_negative(|| format!("{path}.lines[{j}].target_t"), l.target_t);
                c.non_negative(
                    || format!("{path}.lines[{j}].acquisition_t_per_step"),
                    l.acquisition_t_per_step,
                );
                c.non_negative(
                    || format!("{path}.lines[{j}].release_cap_t_per_step"),
                    l.release_cap_t_per_step,
                );
            }
            if let Some(v) = s.release.shortage_trigger_share {
                c.share(|| format!("{path}.release.shortage_trigger_share"), v);
            }
            if let Some(v) = s.release.price_trigger_ratio {
                c.positive(|| format!("{path}.release.price_trigger_ratio"), v);
            }
            c.share(
                || format!("{path}.release.floor_share"),
                s.release.floor_share,
            );
            if let Some(sec) = s.release.priority_sector {
                c.id(
                    || format!("{path}.release.priority_sector"),
                    "sector",
                    sec.idx(),
                    ns,
                );
            }
            c.positive(
                || format!("{path}.refill.max_price_ratio"),
                s.refill.max_price_ratio,
            );
        }
        for (k, a) in self.authorities.iter().enumerate() {
            let path = format!("authorities[{k}]");
            c.id(|| format!("{path}.region"), "region", a.region.idx(), nr);
            for (j, i) in a.controlled.iter().enumerate() {
                c.id(|| format!("{path}.controlled[{j}]"), "item", i.idx(), ni);
            }
            c.regime(&format!("{path}.regime"), &a.regime, nr, ns);
            for (q, quota) in a.quotas.iter().enumerate() {
                for (j, i) in quota.items.iter().enumerate() {
                    c.id(
                        || format!("{path}.quotas[{q}].items[{j}]"),
                        "item",
                        i.idx(),
                        ni,
                    );
                }
                if let Some(t) = quota.annual_t {
                    c.non_negative(|| format!("{path}.quotas[{q}].annual_t"), t);
                }
                c.batches(&format!("{path}.quotas[{q}].batches"), &quota.batches);
            }
            for (j, g) in a.general_licences.iter().enumerate() {
                c.id(
                    || format!("{path}.general_licences[{j}].destination"),
                    "region",
                    g.destination.idx(),
                    nr,
                );
                c.id(
                    || format!("{path}.general_licences[{j}].item"),
                    "item",
                    g.item.idx(),
                    ni,
                );
            }
            for (j, e) in a.embargoes.iter().enumerate() {
                c.id(
                    || format!("{path}.embargoes[{j}].destination"),
                    "region",
                    e.destination.idx(),
                    nr,
                );
                c.id(
                    || format!("{path}.embargoes[{j}].item"),
                    "item",
                    e.item.idx(),
                    ni,
                );
            }
            if let Some(s) = a.extraterritorial_share {
                c.share(|| format!("{path}.extraterritorial_share"), s);
            }
        }
        for (k, w) in self.warehouses.iter().enumerate() {
            c.id(
                || format!("warehouses[{k}].region"),
                "region",
                w.region.idx(),
                nr,
            );
            c.id(|| format!("warehouses[{k}].item"), "item", w.item.idx(), ni);
            c.non_negative(|| format!("warehouses[{k}].tonnes"), w.tonnes);
        }
        c.trade(self);
        c.events(self);
        c.undercuts(self);
        c.recyclers(self);
        c.stockpile_members(self);
        c.offtakes(self);
        c.sourcing_caps(self);
        c.partners(self);
        c.plans(self);
        if c.errors.is_empty() {
            Ok(())
        } else {
            Err(ParamErrors(c.errors))
        }
    }
}
