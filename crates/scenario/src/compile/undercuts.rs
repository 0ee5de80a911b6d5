//! `[[undercut]]` (issue 18): the exporters' pricing rules against entrants, resolved against
//! the regions, exporters, items and producers already built; dates as reported steps.

use chokepoint_core as core;

use super::Build;
use crate::diagnostics::did_you_mean;

impl Build<'_> {
    /// The undercut rules of the file (section `LEVERS`, built after producers and exporters).
    pub(super) fn build_undercuts(&mut self, params: &core::ModelParams) -> Vec<core::Undercut> {
        let f = self.file;
        let cal = &params.calendar;
        let mut rules = Vec::with_capacity(f.undercut.len());
        for (j, spec) in f.undercut.iter().enumerate() {
            let key = format!("undercut.{j}");
            self.check_entry_name(
                &key,
                &spec.name,
                f.undercut[..j].iter().map(|o| o.name.as_str()),
            );
            let exporter = self.region(&format!("{key}.exporter"), &spec.exporter);
            if !spec.exporter.is_empty() && !params.authorities.iter().any(|a| a.region == exporter)
            {
                self.problem(
                    format!("{key}.exporter"),
                    format!("`{}` has no `[[exporter]]` table", spec.exporter),
                    "name the region of an `[[exporter]]` (the one whose exports are priced low)",
                );
            }
            let item = self.item(&format!("{key}.item"), &spec.item);
            if f.undercut[..j].iter().any(|u| u.item == spec.item) {
                self.problem(
                    format!("{key}.item"),
                    format!("`{}` is priced by an earlier `[[undercut]]`", spec.item),
                    "keep one rule per item (give the earlier rule these competitors)",
                );
            }
            let competitors = self.undercut_competitors(&key, spec, item, params);
            let cost_share = if let Some(n) = &spec.cost_share {
                self.num(&format!("{key}.cost_share"), n)
            } else {
                self.problem(
                    format!("{key}.cost_share"),
                    "missing required key",
                    "add `cost_share = 0.95` (the cap as a share of the cheapest competitor's breakeven)",
                );
                1.0
            };
            let until_competitors_closed = match spec.end_when.as_deref() {
                None | Some("duration") => false,
                Some("competitors_closed") => true,
                Some(other) => {
                    self.problem(
                        format!("{key}.end_when"),
                        format!("unknown value `{other}`"),
                        "use `duration` or `competitors_closed`",
                    );
                    false
                }
            };
            let Some((from_step, until_step)) = self.lever_window(
                cal,
                &key,
                spec.date,
                spec.duration_weeks.as_ref(),
                "2026-01-05",
            ) else {
                continue;
            };
            rules.push(core::Undercut {
                name: spec.name.clone(),
                exporter,
                item,
                competitors,
                cost_share,
                from_step,
                until_step,
                until_competitors_closed,
            });
        }
        rules
    }

    /// The competitors of rule `key`: known producers with economics that make `item`.
    fn undercut_competitors(
        &mut self,
        key: &str,
        spec: &crate::schema::UndercutSpec,
        item: core::ItemId,
        params: &core::ModelParams,
    ) -> Vec<usize> {
        if spec.competitors.is_empty() {
            self.problem(
                format!("{key}.competitors"),
                "no competitors",
                "name the producers undercut: `competitors = [\"us_separation\"]`",
            );
        }
        let mut found = Vec::with_capacity(spec.competitors.len());
        for (c, name) in spec.competitors.iter().enumerate() {
            let at = format!("{key}.competitors.{c}");
            let Some(k) = params.producers.iter().position(|p| &p.name == name) else {
                let names: Vec<&str> = params.producers.iter().map(|p| p.name.as_str()).collect();
                self.problem(
                    at,
                    format!("unknown producer `{name}`{}", did_you_mean(name, &names)),
                    "name a `[[producer]]` defined in the file",
                );
                continue;
            };
            let pr = &params.producers[k];
            if pr.economics.is_none() {
                self.problem(
                    at.clone(),
                    format!("`{name}` has no economics, so no breakeven to undercut"),
                    format!("give `{name}` a `cash_cost_usd_per_kg` (in its `[[producer]]`)"),
                );
            }
            if !pr.outputs.iter().any(|o| o.item == item) {
                self.problem(
                    at,
                    format!("`{name}` does not make `{}`", spec.item),
                    "name producers that make the rule's item",
                );
            }
            found.push(k);
        }
        found
    }
}
