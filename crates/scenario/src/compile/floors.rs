//! `[[floor]]` (issue 18): price floors under producers, resolved against the producers and
//! items already built, their dates as reported steps.

use chokepoint_core as core;

use super::{Build, shift};
use crate::diagnostics::did_you_mean;

impl Build<'_> {
    /// The steps a dated lever (`[[floor]]`, `[[undercut]]`) is in force: from `date` for
    /// `duration_weeks` (none: to the end). A missing date is a problem at `KEY.date`, whose fix
    /// shows `example` as the date to write.
    pub(super) fn lever_window(
        &mut self,
        cal: &core::Calendar,
        key: &str,
        date: Option<chrono::NaiveDate>,
        duration_weeks: Option<&crate::num::Num>,
        example: &str,
    ) -> Option<(u32, u32)> {
        let Some(date) = date else {
            self.problem(
                format!("{key}.date"),
                "missing required key",
                format!("add `date = {example}` (the first day in force)"),
            );
            return None;
        };
        let from_step = cal.step_of(date);
        let until_step = match duration_weeks {
            Some(n) => {
                let w = self.num(&format!("{key}.duration_weeks"), n);
                cal.step_of(shift(date, w)).max(from_step)
            }
            None => u32::MAX,
        };
        Some((from_step, until_step))
    }

    /// The floors of the file (section `LEVERS`, built after `producers`).
    pub(super) fn build_floors(&mut self, params: &core::ModelParams) -> Vec<core::Floor> {
        let f = self.file;
        let cal = &params.calendar;
        let mut floors = Vec::with_capacity(f.floor.len());
        for (j, spec) in f.floor.iter().enumerate() {
            let key = format!("floor.{j}");
            self.check_entry_name(
                &key,
                &spec.name,
                f.floor[..j].iter().map(|o| o.name.as_str()),
            );
            let Some(producer) = params
                .producers
                .iter()
                .position(|p| p.name == spec.producer)
            else {
                let names: Vec<&str> = params.producers.iter().map(|p| p.name.as_str()).collect();
                self.problem(
                    format!("{key}.producer"),
                    format!(
                        "unknown producer `{}`{}",
                        spec.producer,
                        did_you_mean(&spec.producer, &names)
                    ),
                    "name a `[[producer]]` defined in the file",
                );
                continue;
            };
            let pr = &params.producers[producer];
            let item = match &spec.item {
                // A producer without outputs has its own problem reported already.
                None => match pr.outputs.first() {
                    Some(o) => o.item,
                    None => continue,
                },
                Some(name) => {
                    let item = self.item(&format!("{key}.item"), name);
                    if !pr.outputs.iter().any(|o| o.item == item) {
                        self.problem(
                            format!("{key}.item"),
                            format!("`{}` does not make `{name}`", pr.name),
                            "name an item the producer makes, or leave `item` out for its main output",
                        );
                    }
                    item
                }
            };
            let floor_usd_per_kg = if let Some(n) = &spec.floor_usd_per_kg {
                self.num(&format!("{key}.floor_usd_per_kg"), n)
            } else {
                self.problem(
                    format!("{key}.floor_usd_per_kg"),
                    "missing required key",
                    "add `floor_usd_per_kg = 110` (USD per kg)",
                );
                0.0
            };
            let Some((from_step, until_step)) = self.lever_window(
                cal,
                &key,
                spec.date,
                spec.duration_weeks.as_ref(),
                "2025-07-10",
            ) else {
                continue;
            };
            let max_t_per_year = spec
                .max_t_per_year
                .as_ref()
                .map(|n| self.num(&format!("{key}.max_t_per_year"), n));
            let budget_usd = spec
                .budget_usd
                .as_ref()
                .map(|n| self.num(&format!("{key}.budget_usd"), n));
            // Two floors under one producer's item at once would both pay the gap.
            if let Some(other) = floors.iter().find(|o: &&core::Floor| {
                o.producer == producer
                    && o.item == item
                    && o.from_step < until_step
                    && from_step < o.until_step
            }) {
                self.problem(
                    format!("{key}.date"),
                    format!(
                        "floor `{}` is in force at the same time under the same producer and item: both would pay the gap",
                        other.name
                    ),
                    "keep one floor, or give them dates and durations that do not overlap",
                );
            }
            floors.push(core::Floor {
                name: spec.name.clone(),
                producer,
                item,
                floor_usd_per_kg,
                from_step,
                until_step,
                max_t_per_year,
                budget_usd,
                offtake: self.floor_offtake(params, &key, spec, producer, item),
            });
        }
        floors
    }

    /// A floor's offtake: `offtake_share` in (0, 1] (0 or absent: none) into
    /// `offtake_stockpile`, a stockpile of the producer's region holding the floored item.
    fn floor_offtake(
        &mut self,
        params: &core::ModelParams,
        key: &str,
        spec: &crate::schema::FloorSpec,
        producer: usize,
        item: core::ItemId,
    ) -> Option<core::Offtake> {
        let share = spec
            .offtake_share
            .as_ref()
            .map_or(0.0, |n| self.num(&format!("{key}.offtake_share"), n));
        let Some(name) = &spec.offtake_stockpile else {
            if share > 0.0 {
                self.problem(
                    format!("{key}.offtake_share"),
                    "`offtake_share` without `offtake_stockpile`",
                    "add `offtake_stockpile = \"...\"`: a `[[stockpile]]` of the producer's region that holds the item",
                );
            }
            return None;
        };
        if share <= 0.0 {
            self.problem(
                format!("{key}.offtake_stockpile"),
                "`offtake_stockpile` without an `offtake_share` above 0",
                "add `offtake_share = 1.0` (the share of the producer's output bought), or remove `offtake_stockpile`",
            );
            return None;
        }
        let Some(stockpile) = params.stockpiles.iter().position(|s| &s.name == name) else {
            let names: Vec<&str> = params.stockpiles.iter().map(|s| s.name.as_str()).collect();
            self.problem(
                format!("{key}.offtake_stockpile"),
                format!("unknown stockpile `{name}`{}", did_you_mean(name, &names)),
                "name a `[[stockpile]]` defined in the file",
            );
            return None;
        };
        let (s, pr) = (&params.stockpiles[stockpile], &params.producers[producer]);
        if s.region != pr.region || !s.lines.iter().any(|l| l.item == item) {
            let region = &params.regions[pr.region.idx()].name;
            let item = &params.items[item.idx()].name;
            self.problem(
                format!("{key}.offtake_stockpile"),
                format!(
                    "stockpile `{name}` is not a stockpile of `{region}` holding `{item}`: the offtake moves the producer's output within its region"
                ),
                format!(
                    "name a `[[stockpile]]` with `region = \"{region}\"` and a `[[stockpile.holding]]` of `{item}`"
                ),
            );
            return None;
        }
        Some(core::Offtake { share, stockpile })
    }
}
