//! `[[demand]]` over `[defaults.manufacturer]`: one manufacturer per region × sector.

use chokepoint_core as core;
use chokepoint_core::{RegionId, SectorId};

use super::{Build, DAYS_PER_WEEK};

const DEFAULTS: &str = "defaults.manufacturer";

impl Build<'_> {
    pub(super) fn build_manufacturers(&mut self) -> Vec<core::ManufacturerParams> {
        let f = self.file;
        let d = &f.defaults.manufacturer;
        let mut out: Vec<core::ManufacturerParams> = Vec::new();
        for (k, dm) in f.demand.iter().enumerate() {
            let key = format!("demand.{k}");
            let r = self.resolve(&format!("{key}.region"), &dm.region, "region");
            let s = self.resolve(&format!("{key}.sector"), &dm.sector, "sector");
            let (region, sector) = (
                RegionId::from(r.unwrap_or(0)),
                SectorId::from(s.unwrap_or(0)),
            );
            if r.is_some()
                && s.is_some()
                && out.iter().any(|m| m.region == region && m.sector == sector)
            {
                self.problem(
                    &key,
                    format!("demand for {} × {} is given twice", dm.region, dm.sector),
                    "merge the two `[[demand]]` entries into one",
                );
            }
            let kn = &dm.knobs;
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
            let mut demand = Vec::new();
            for (name, n) in &dm.t_per_year {
                let dkey = format!("{key}.t_per_year.{name}");
                let item = self.item(&dkey, name);
                let t = self.num(&dkey, n);
                demand.push(core::Demand {
                    item,
                    t_per_step: self.per_year_to_step(t),
                });
            }
            if demand.is_empty() {
                self.problem(
                    format!("{key}.t_per_year"),
                    "no demand given",
                    "add `t_per_year = { ndfeb = 1000 }`",
                );
            }
            let rate_per_year = knob!(substitution_rate_per_year);
            out.push(core::ManufacturerParams {
                region,
                sector,
                demand,
                growth_per_year: knob!(growth_per_year),
                // Weekly shocks independent from week to week: sd scales with the square root of time.
                noise_sigma: knob!(noise_sigma) * (self.step_days / DAYS_PER_WEEK).sqrt(),
                cover_target_steps: {
                    let w = knob!(cover_weeks);
                    self.weeks_to_steps(w)
                },
                order_adjust_steps: {
                    let w = knob!(order_adjust_weeks);
                    self.weeks_to_steps(w)
                }
                .max(1.0),
                price_elasticity: knob!(price_elasticity),
                substitution: core::SubstitutionParams {
                    trigger_price_ratio: knob!(substitution_trigger_price_ratio),
                    lag_steps: {
                        let w = knob!(substitution_lag_weeks);
                        self.steps(w)
                    },
                    rate_per_step: self.per_year_to_step(rate_per_year),
                    cap_share: knob!(substitution_cap_share),
                },
                halt_unmet_share: knob!(halt_unmet_share),
            });
        }
        out
    }
}
