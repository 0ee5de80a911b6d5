//! `[[recycling]]` (issue 18): recycling mandates, resolved against the regions and items, their
//! dates as reported steps.

use chokepoint_core as core;

use super::{Build, shift};
use crate::num::Num;

/// Share of each material recovered when `recovery_share` is absent: the design's shipped value
/// (docs/research/issue18-levers-design.md §3.3; an assumption: hydrometallurgical recovery of
/// rare earths from magnet scrap is commonly put at about 90 %).
const DEFAULT_RECOVERY_SHARE: f64 = 0.9;

impl Build<'_> {
    /// The recyclers of the file (section `LEVERS`).
    pub(super) fn build_recyclers(&mut self, params: &core::ModelParams) -> Vec<core::Recycler> {
        let f = self.file;
        let cal = &params.calendar;
        let mut out = Vec::with_capacity(f.recycling.len());
        for (j, spec) in f.recycling.iter().enumerate() {
            let key = format!("recycling.{j}");
            self.check_entry_name(
                &key,
                &spec.name,
                f.recycling[..j].iter().map(|o| o.name.as_str()),
            );
            let region = self.region(&format!("{key}.region"), &spec.region);
            let scrap_item = self.item(&format!("{key}.scrap_item"), &spec.scrap_item);
            if let Some(item) = params.items.get(scrap_item.idx())
                && self.items.iter().any(|n| n == &spec.scrap_item)
                && (item.kind != core::ItemKind::Product || item.bom.is_empty())
            {
                self.problem(
                    format!("{key}.scrap_item"),
                    format!(
                        "`{}` has no bill of materials, so recycling it recovers nothing",
                        spec.scrap_item
                    ),
                    "name a product with a `bom` (e.g. `scrap_item = \"ndfeb\"`)",
                );
            }
            let eol = self.required(&key, "eol_t_per_year", spec.eol_t_per_year.as_ref(), "1000");
            let collection_share = self.share_above_zero(
                &key,
                "collection_share",
                spec.collection_share.as_ref(),
                None,
            );
            let recovery_share = self.share_above_zero(
                &key,
                "recovery_share",
                spec.recovery_share.as_ref(),
                Some(DEFAULT_RECOVERY_SHARE),
            );
            let build_weeks = self.required(&key, "build_weeks", spec.build_weeks.as_ref(), "104");
            let ramp_weeks = spec
                .ramp_weeks
                .as_ref()
                .map_or(0.0, |n| self.num(&format!("{key}.ramp_weeks"), n));
            let cash_cost_usd_per_kg = self.required(
                &key,
                "cash_cost_usd_per_kg",
                spec.cash_cost_usd_per_kg.as_ref(),
                "35",
            );
            let budget_usd = spec
                .budget_usd
                .as_ref()
                .map(|n| self.num(&format!("{key}.budget_usd"), n));
            let Some(date) = spec.date else {
                self.problem(
                    format!("{key}.date"),
                    "missing required key",
                    "add `date = 2027-01-01` (the mandate's date)",
                );
                continue;
            };
            // Signed steps from the start date, rounded up like shock dates: a mandate dated
            // before the start may already be running.
            let first_output = shift(date, build_weeks);
            let days = (first_output - cal.start).num_days();
            let step_days = i64::from(cal.step_days.max(1));
            let start_step = days.div_euclid(step_days) + i64::from(days.rem_euclid(step_days) > 0);
            out.push(core::Recycler {
                name: spec.name.clone(),
                region,
                scrap_item,
                eol_t_per_step: self.per_year_to_step(eol),
                collection_share,
                recovery_share,
                start_step,
                ramp_steps: self.weeks_to_steps(ramp_weeks),
                cash_cost_usd_per_kg,
                budget_usd,
            });
        }
        out
    }

    /// A required number at `KEY.name`; a missing one is a problem whose fix shows `example`.
    fn required(&mut self, key: &str, name: &str, n: Option<&Num>, example: &str) -> f64 {
        if let Some(n) = n {
            self.num(&format!("{key}.{name}"), n)
        } else {
            self.problem(
                format!("{key}.{name}"),
                "missing required key",
                format!("add `{name} = {example}`"),
            );
            0.0
        }
    }

    /// A share in (0, 1] at `KEY.name` (the key table's domain checks [0, 1]; 0 is refused
    /// here: a recycler that collects or recovers nothing is a mistake, not a mandate).
    fn share_above_zero(
        &mut self,
        key: &str,
        name: &str,
        n: Option<&Num>,
        default: Option<f64>,
    ) -> f64 {
        let v = match (n, default) {
            (Some(n), _) => self.num(&format!("{key}.{name}"), n),
            (None, Some(d)) => return d,
            (None, None) => return self.required(key, name, None, "0.5"),
        };
        if v <= 0.0 {
            self.problem(
                format!("{key}.{name}"),
                format!("{v} is not allowed: a share in (0, 1]"),
                "give a share above 0 (or leave out the `[[recycling]]` table)",
            );
        }
        v
    }
}
