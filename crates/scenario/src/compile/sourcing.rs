//! `[[sourcing_cap]]` (issue 18): diversification targets of importing regions, resolved
//! against the regions, items and exporters already built, their dates as reported steps.

use chokepoint_core as core;

use super::Build;

/// The example date a missing `date` suggests (the EU Critical Raw Materials Act entered into
/// force on 23 May 2024).
const EXAMPLE_DATE: &str = "2024-05-23";

impl Build<'_> {
    /// The sourcing caps of the file (section `LEVERS`, built after the authorities).
    pub(super) fn build_sourcing_caps(
        &mut self,
        params: &core::ModelParams,
    ) -> Vec<core::SourcingCap> {
        let f = self.file;
        let mut caps: Vec<core::SourcingCap> = Vec::with_capacity(f.sourcing_cap.len());
        for (j, spec) in f.sourcing_cap.iter().enumerate() {
            let key = format!("sourcing_cap.{j}");
            self.check_entry_name(
                &key,
                &spec.name,
                f.sourcing_cap[..j].iter().map(|o| o.name.as_str()),
            );
            let region = self.region(&format!("{key}.region"), &spec.region);
            // An unknown region has its own problem reported already.
            let known = f.region.iter().any(|r| r.name == spec.region);
            if known && params.authorities.iter().any(|a| a.region == region) {
                self.problem(
                    format!("{key}.region"),
                    format!(
                        "`{}` has an `[[exporter]]` table: a cap limits what an importing region takes from exporters",
                        spec.region
                    ),
                    "name an importing region (one without an `[[exporter]]` table)",
                );
            }
            if spec.items.is_empty() {
                self.problem(
                    format!("{key}.items"),
                    "no items",
                    "list the items capped, e.g. `items = [\"ndfeb\", \"dy\", \"tb\"]`",
                );
            }
            let items = self.items(&format!("{key}.items"), &spec.items);
            let max_share = self.required_share(&key, "max_share", spec.max_share.as_ref(), "0.65");
            if !(max_share > 0.0 && max_share < 1.0) {
                self.problem(
                    format!("{key}.max_share"),
                    format!("max_share = {max_share} is not strictly between 0 and 1"),
                    "write a share such as 0.65 (1 would be no cap; 0 an embargo, which is a `halt` shock)",
                );
            }
            let premium_share =
                self.required_share(&key, "premium_share", spec.premium_share.as_ref(), "0.15");
            let cal = &params.calendar;
            let dates = (spec.date, spec.duration_weeks.as_ref());
            let Some((from_step, until_step)) =
                self.lever_window(cal, &key, dates.0, dates.1, EXAMPLE_DATE)
            else {
                continue;
            };
            // Two caps on one region's item at once would hold the same sales twice.
            if let Some(other) = caps.iter().find(|o| {
                o.region == region
                    && o.items.iter().any(|i| items.contains(i))
                    && o.from_step < until_step
                    && from_step < o.until_step
            }) {
                self.problem(
                    format!("{key}.items"),
                    format!(
                        "sourcing cap `{}` caps one of these items of `{}` at the same time",
                        other.name, spec.region
                    ),
                    "keep one cap per region and item, or give them dates that do not overlap",
                );
            }
            caps.push(core::SourcingCap {
                name: spec.name.clone(),
                region,
                items,
                max_share,
                premium_share,
                from_step,
                until_step,
            });
        }
        caps
    }

    /// A required number `KEY.name` (its domain is checked by the key table), or a problem whose
    /// fix writes `example`.
    fn required_share(
        &mut self,
        key: &str,
        name: &str,
        n: Option<&crate::num::Num>,
        example: &str,
    ) -> f64 {
        if let Some(n) = n {
            self.num(&format!("{key}.{name}"), n)
        } else {
            self.problem(
                format!("{key}.{name}"),
                "missing required key",
                format!("add `{name} = {example}`"),
            );
            0.5
        }
    }
}
