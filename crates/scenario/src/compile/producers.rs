//! `[[producer]]` over `[defaults.producer]`, and the opening stock of each region's warehouse.

use chokepoint_core as core;
use chokepoint_core::ItemId;

use super::{Build, DAYS_PER_WEEK, Slot};
use crate::diagnostics::did_you_mean;
use crate::schema::ProducerSpec;

const DEFAULTS: &str = "defaults.producer";

impl Build<'_> {
    pub(super) fn build_producers(
        &mut self,
        items: &[core::ItemParams],
    ) -> (Vec<core::ProducerParams>, Vec<core::WarehouseStock>) {
        let f = self.file;
        let mut producers = Vec::new();
        let mut warehouses = Vec::new();
        for (k, p) in f.producer.iter().enumerate() {
            let key = format!("producer.{k}");
            let region = self.region(&format!("{key}.region"), &p.region);
            let d = &f.defaults.producer;
            let kn = &p.knobs;
            // The own-or-default lookup of one behaviour key.
            macro_rules! knob {
                ($field:ident) => {
                    self.knob(
                        &key,
                        Some(DEFAULTS),
                        stringify!($field),
                        (kn.$field.as_ref(), d.$field.as_ref()),
                    )
                };
            }
            let (stage, inputs, outputs) = self.stage(&key, p, items);
            let capacity = self.pick(
                &Slot::new(
                    format!("{key}.capacity_t_per_year"),
                    p.capacity_t_per_year.as_ref(),
                ),
                None,
            );
            let capacity_t_per_step = self.per_year_to_step(capacity);
            let utilisation = knob!(utilisation);
            let end_use_name = kn
                .end_use
                .clone()
                .or_else(|| d.end_use.clone())
                .unwrap_or_default();
            let end_use = self.sector(&format!("{key}.end_use"), &end_use_name);
            let outage_per_year = knob!(outage_prob_per_year);
            let warehouse_weeks = knob!(warehouse_weeks);
            let lead_time = self.lead_time(
                &format!("{key}.expansion_lead_time_weeks"),
                kn.expansion_lead_time_weeks.as_ref(),
                Some(&(
                    format!("{DEFAULTS}.expansion_lead_time_weeks"),
                    d.expansion_lead_time_weeks.as_ref(),
                )),
            );
            let online = self.online(&key, p);
            let economics = self.producer_economics(&key, p);
            let plan = self.producer_plan(&key, p);
            let params = core::ProducerParams {
                name: p.name.clone(),
                region,
                stage,
                capacity_t_per_step,
                utilisation,
                supply_elasticity: knob!(supply_elasticity),
                inputs,
                outputs,
                input_cover_steps: {
                    let w = knob!(input_cover_weeks);
                    self.weeks_to_steps(w)
                },
                order_adjust_steps: {
                    let w = knob!(order_adjust_weeks);
                    self.weeks_to_steps(w)
                }
                .max(1.0),
                end_use,
                outage: core::OutageParams {
                    prob_per_step: 1.0
                        - (1.0 - outage_per_year)
                            .powf(self.step_days / core::Calendar::DAYS_PER_YEAR),
                    mean_steps: {
                        let w = knob!(outage_mean_weeks);
                        self.weeks_to_steps(w)
                    }
                    .max(1.0),
                    depth_share: knob!(outage_depth_share),
                },
                expansion: core::ExpansionParams {
                    trigger_price_ratio: knob!(expansion_trigger_price_ratio),
                    sustain_steps: {
                        let w = knob!(expansion_sustain_weeks);
                        self.steps(w)
                    },
                    lead_time,
                    increment_share: knob!(expansion_increment_share),
                    max_capacity_multiple: knob!(expansion_max_capacity_multiple),
                },
                online,
                economics,
                plan,
            };
            // The opening warehouse holds weeks of the output at the start (a producer not yet
            // online holds none).
            let weekly_output = params.opening_activity() / self.step_days * DAYS_PER_WEEK;
            for o in &params.outputs {
                warehouses.push(core::WarehouseStock {
                    region,
                    item: o.item,
                    tonnes: warehouse_weeks * weekly_output * o.t_per_unit,
                });
            }
            producers.push(params);
        }
        (producers, warehouses)
    }

    /// A dated start: `online` as a (signed) step from the start date, rounded up to the next
    /// step start like shock dates, and `ramp_weeks` in steps. `ramp_weeks` without `online` is
    /// a mistake.
    fn online(&mut self, key: &str, p: &ProducerSpec) -> Option<core::Online> {
        let Some(date) = p.online else {
            // Beside a plan, `ramp_weeks` has its own message (compile/plans.rs).
            if p.ramp_weeks.is_some() && p.plan.is_none() {
                self.problem(
                    format!("{key}.ramp_weeks"),
                    "`ramp_weeks` without `online`",
                    "add `online = 2012-02-21` (the date output starts) or remove `ramp_weeks`",
                );
            }
            return None;
        };
        let ramp_weeks = match &p.ramp_weeks {
            Some(n) => self.num(&format!("{key}.ramp_weeks"), n),
            None => 0.0,
        };
        // A missing start is reported with the calendar; count from the date itself then.
        let start = self.file.scenario.start.unwrap_or(date);
        let days = (date - start).num_days();
        let step_days = i64::from(self.file.scenario.step_days.unwrap_or(7).max(1));
        let step = days.div_euclid(step_days) + i64::from(days.rem_euclid(step_days) > 0);
        Some(core::Online {
            step,
            ramp_steps: self.weeks_to_steps(ramp_weeks),
        })
    }

    /// What a producer does: its stage, inputs and outputs.
    fn stage(
        &mut self,
        key: &str,
        p: &ProducerSpec,
        items: &[core::ItemParams],
    ) -> (core::Stage, Vec<core::Flow>, Vec<core::Flow>) {
        let flow = |item, t_per_unit| core::Flow { item, t_per_unit };
        match p.stage.as_str() {
            "mining" => {
                let out = self.named(
                    &format!("{key}.output"),
                    p.output.as_deref(),
                    "item",
                    "the item mined, e.g. `output = \"concentrate\"`",
                );
                (core::Stage::Mining, vec![], vec![flow(out, 1.0)])
            }
            "separation" => {
                let feed = self.named(
                    &format!("{key}.feed"),
                    p.feed.as_deref(),
                    "item",
                    "the feed item, e.g. `feed = \"concentrate\"`",
                );
                let mut outs = Vec::new();
                for (m, n) in &p.yields {
                    let ykey = format!("{key}.yields.{m}");
                    let item = self.item(&ykey, m);
                    outs.push(flow(item, self.num(&ykey, n)));
                }
                if outs.is_empty() {
                    self.problem(
                        format!("{key}.yields"),
                        "a separation plant needs yields",
                        "add `yields = { ndpr = 0.2, dy = 0.01 }` (tonnes per tonne of feed)",
                    );
                }
                // The main output, whose price drives utilisation and expansion, is the one
                // worth most per tonne of feed (NdPr for a rare-earth refinery).
                outs.sort_by(|a: &core::Flow, b: &core::Flow| {
                    let value = |f: &core::Flow| {
                        f.t_per_unit
                            * items
                                .get(f.item.idx())
                                .map_or(0.0, |i| i.base_price_usd_per_kg)
                    };
                    value(b).total_cmp(&value(a))
                });
                (core::Stage::Separation, vec![flow(feed, 1.0)], outs)
            }
            "magnet_making" => {
                let product = self.named(
                    &format!("{key}.product"),
                    p.product.as_deref(),
                    "item",
                    "the magnet made, e.g. `product = \"ndfeb\"`",
                );
                let bom = items
                    .get(product.idx())
                    .map(|i| i.bom.clone())
                    .unwrap_or_default();
                let ins = bom
                    .iter()
                    .map(|l| flow(l.material, l.kg_per_t / 1000.0))
                    .collect();
                (core::Stage::MagnetMaking, ins, vec![flow(product, 1.0)])
            }
            other => {
                self.problem(
                    format!("{key}.stage"),
                    format!(
                        "unknown stage `{other}`{}",
                        did_you_mean(other, &["mining", "separation", "magnet_making"])
                    ),
                    "use `mining`, `separation` or `magnet_making`",
                );
                (core::Stage::Mining, vec![], vec![flow(ItemId(0), 1.0)])
            }
        }
    }
}
