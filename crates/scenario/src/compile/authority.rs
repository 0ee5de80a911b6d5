//! `[[exporter]]`: export authorities, their licence regimes (also the regimes of
//! `licence_regime` shocks, over the exporter's), approval odds and quotas.

use std::collections::BTreeMap;

use chokepoint_core as core;

use chokepoint_core::{ItemId, RegionId};

use super::destination_lists::apply_lists;
use super::{Build, DAYS_PER_WEEK, Slot};
use crate::diagnostics::did_you_mean;
use crate::schema::{Approval, BatchSpec, LicenceSpec};

impl Build<'_> {
    /// A licence regime from `own` settings over `base` (the exporter's baseline).
    pub(super) fn regime(
        &mut self,
        key: &str,
        own: &LicenceSpec,
        base: Option<(&str, &LicenceSpec)>,
    ) -> core::LicenceRegime {
        let bkey = base.map(|b| b.0);
        let bspec = base.map(|b| b.1);
        let capacity = self.knob(
            key,
            bkey,
            "review_capacity_per_week",
            (
                own.review_capacity_per_week.as_ref(),
                bspec.and_then(|b| b.review_capacity_per_week.as_ref()),
            ),
        );
        let validity = self.knob(
            key,
            bkey,
            "validity_weeks",
            (
                own.validity_weeks.as_ref(),
                bspec.and_then(|b| b.validity_weeks.as_ref()),
            ),
        );
        let reapply = self.knob(
            key,
            bkey,
            "reapply_delay_weeks",
            (
                own.reapply_delay_weeks.as_ref(),
                bspec.and_then(|b| b.reapply_delay_weeks.as_ref()),
            ),
        );
        let lead_time = self.lead_time(
            &format!("{key}.lead_time_weeks"),
            own.lead_time_weeks.as_ref(),
            bkey.map(|k| {
                (
                    format!("{k}.lead_time_weeks"),
                    bspec.and_then(|b| b.lead_time_weeks.as_ref()),
                )
            })
            .as_ref(),
        );
        // Approval odds fall back as a whole table.
        let (akey, approval_spec) = if own.approval.is_empty() {
            (bkey.unwrap_or(key), bspec.map(|b| &b.approval))
        } else {
            (key, Some(&own.approval))
        };
        let approval = self.by_destination(&format!("{akey}.approval"), approval_spec, None);
        // Terms by destination fall back as a whole table too, then to `validity_weeks`.
        let (vkey, validity_spec) = if own.validity_weeks_by.is_empty() {
            (bkey.unwrap_or(key), bspec.map(|b| &b.validity_weeks_by))
        } else {
            (key, Some(&own.validity_weeks_by))
        };
        let validity_steps = self
            .by_destination(
                &format!("{vkey}.validity_weeks_by"),
                validity_spec,
                Some(validity),
            )
            .into_iter()
            .map(|w| self.steps(w))
            .collect();
        // Optional keys: own, else the base table's, else absent.
        let fallback_key = bkey.unwrap_or(key);
        let margin = match (
            own.renewal_margin_weeks.as_ref(),
            bspec.and_then(|b| b.renewal_margin_weeks.as_ref()),
        ) {
            (Some(n), _) => self.num(&format!("{key}.renewal_margin_weeks"), n),
            (None, Some(n)) => self.num(&format!("{fallback_key}.renewal_margin_weeks"), n),
            (None, None) => 0.0,
        };
        let cover = match (
            own.quantity_cover_factor.as_ref(),
            bspec.and_then(|b| b.quantity_cover_factor.as_ref()),
        ) {
            (Some(n), _) => Some(self.num(&format!("{key}.quantity_cover_factor"), n)),
            (None, Some(n)) => Some(self.num(&format!("{fallback_key}.quantity_cover_factor"), n)),
            (None, None) => None,
        };
        core::LicenceRegime {
            review_capacity_per_step: capacity * self.step_days / DAYS_PER_WEEK,
            lead_time,
            lead_time_by_region: Vec::new(),
            approval,
            validity_steps,
            reapply_delay_steps: self.steps(reapply),
            renewal_margin_steps: self.weeks_to_steps(margin),
            quantity_cover_factor: cover,
        }
    }

    /// A number per destination × sector (approval odds, licence terms). The most specific
    /// entry wins: region.sector, region.default or region, sector, default; then `fallback`
    /// (without one, a missing entry is a problem).
    fn by_destination(
        &mut self,
        key: &str,
        spec: Option<&BTreeMap<String, Approval>>,
        fallback: Option<f64>,
    ) -> Vec<f64> {
        let empty = BTreeMap::new();
        let spec = spec.unwrap_or(&empty);
        let regions = self.regions.clone();
        let sectors = self.sectors.clone();
        for (name, entry) in spec {
            let is_region = regions.contains(name);
            if !(is_region || sectors.contains(name) || name == "default") {
                let mut cands: Vec<&str> =
                    regions.iter().chain(&sectors).map(String::as_str).collect();
                cands.push("default");
                self.problem(
                    format!("{key}.{name}"),
                    format!(
                        "`{name}` is not a region, a sector or `default`{}",
                        did_you_mean(name, &cands)
                    ),
                    "key the table by a region name, a sector name or `default`",
                );
            }
            if let Approval::BySector(t) = entry {
                if !is_region {
                    self.problem(
                        format!("{key}.{name}"),
                        "only a region may hold a table by sector",
                        format!("write `{name} = <probability>`"),
                    );
                }
                for s in t.keys() {
                    if !(sectors.contains(s) || s == "default") {
                        let cands: Vec<&str> = sectors
                            .iter()
                            .map(String::as_str)
                            .chain(["default"])
                            .collect();
                        self.problem(
                            format!("{key}.{name}.{s}"),
                            format!(
                                "`{s}` is not a sector or `default`{}",
                                did_you_mean(s, &cands)
                            ),
                            "key entries within a region by sector name or `default`",
                        );
                    }
                }
            }
        }
        let mut out = Vec::with_capacity(regions.len() * sectors.len());
        let mut missing = false;
        for r in &regions {
            for s in &sectors {
                let found = match spec.get(r) {
                    Some(Approval::BySector(t)) => t
                        .get(s)
                        .map(|n| (format!("{key}.{r}.{s}"), n))
                        .or_else(|| t.get("default").map(|n| (format!("{key}.{r}.default"), n))),
                    Some(Approval::Odds(n)) => Some((format!("{key}.{r}"), n)),
                    None => None,
                }
                .or_else(|| match spec.get(s) {
                    Some(Approval::Odds(n)) => Some((format!("{key}.{s}"), n)),
                    _ => None,
                })
                .or_else(|| match spec.get("default") {
                    Some(Approval::Odds(n)) => Some((format!("{key}.default"), n)),
                    _ => None,
                });
                if let Some((k, n)) = found {
                    out.push(self.num(&k, n));
                } else if let Some(f) = fallback {
                    out.push(f);
                } else {
                    missing = true;
                    out.push(0.0);
                }
            }
        }
        if missing {
            self.problem(
                key,
                "approval odds are not given for every destination and sector",
                "add `default = <probability>` to the approval table",
            );
        }
        out
    }

    /// The export authorities, with the destination lists in force at the start applied to
    /// their baseline regimes and general licences.
    pub(super) fn build_authorities(&mut self) -> Vec<core::AuthorityParams> {
        let mut out = self.raw_authorities();
        let lists = self.destination_lists();
        if !lists.any() {
            return out;
        }
        let (ni, nr, ns) = (self.items.len(), self.regions.len(), self.sectors.len());
        for ((a, lists), members) in out.iter_mut().zip(&lists.lists).zip(&lists.members) {
            let mut policy = a.baseline_policy(ni, nr);
            apply_lists(&mut policy, lists, members, ns);
            a.regime = policy.regime;
            for (at, &on) in policy.general_licence.iter().enumerate() {
                let (destination, item) = (RegionId::from(at / ni), ItemId::from(at % ni));
                let g = core::GeneralLicence { destination, item };
                if on && !a.general_licences.contains(&g) {
                    a.general_licences.push(g);
                }
            }
        }
        out
    }

    /// The export authorities as their tables state them, without destination lists.
    pub(super) fn raw_authorities(&mut self) -> Vec<core::AuthorityParams> {
        let f = self.file;
        let mut out = Vec::new();
        for (k, e) in f.exporter.iter().enumerate() {
            let key = format!("exporter.{k}");
            let region = self.region(&format!("{key}.region"), &e.region);
            if out
                .iter()
                .any(|a: &core::AuthorityParams| a.region == region)
            {
                self.problem(
                    format!("{key}.region"),
                    format!("`{}` has two exporter tables", e.region),
                    "merge them into one `[[exporter]]`",
                );
            }
            let controlled = self.items(&format!("{key}.controlled"), &e.controlled);
            let regime = self.regime(&format!("{key}.licence"), &e.licence, None);
            let mut quotas = Vec::new();
            for (q, spec) in e.quota.iter().enumerate() {
                let qkey = format!("{key}.quota.{q}");
                quotas.push(core::QuotaParams {
                    name: spec.name.clone(),
                    items: self.items(&format!("{qkey}.items"), &spec.items),
                    annual_t: spec
                        .annual_t
                        .as_ref()
                        .map(|n| self.num(&format!("{qkey}.annual_t"), n)),
                    batches: self.batches(&format!("{qkey}.batches"), &spec.batches),
                    carry_over: spec.carry_over.unwrap_or(false),
                });
            }
            let extraterritorial_share = e
                .extraterritorial_share
                .as_ref()
                .map(|n| self.num(&format!("{key}.extraterritorial_share"), n));
            let mut general_licences = Vec::new();
            for (g, spec) in e.general_licence.iter().enumerate() {
                let gkey = format!("{key}.general_licence.{g}");
                let (destinations, items) =
                    self.destinations_and_items(&gkey, &spec.destinations, &spec.items);
                for &destination in &destinations {
                    for &item in &items {
                        general_licences.push(core::GeneralLicence { destination, item });
                    }
                }
            }
            let partner_regions = self.partner_regions(
                &format!("{key}.partner_regions"),
                &e.partner_regions,
                &e.region,
            );
            out.push(core::AuthorityParams {
                region,
                controlled,
                regime,
                quotas,
                embargoes: vec![],
                extraterritorial_share,
                general_licences,
                partner_regions,
            });
        }
        out
    }

    /// The partner regions at `key` (an exporter's `partner_regions` or a `partner_control`
    /// shock's `regions`) of the exporter in region `exporter`: each a known region without an
    /// `[[exporter]]` of its own and with producers.
    pub(super) fn partner_regions(
        &mut self,
        key: &str,
        names: &[String],
        exporter: &str,
    ) -> Vec<core::RegionId> {
        let f = self.file;
        let mut out = Vec::with_capacity(names.len());
        for (j, name) in names.iter().enumerate() {
            let at = format!("{key}.{j}");
            let region = self.region(&at, name);
            if f.exporter.iter().any(|e| &e.region == name) {
                let fix = if name == exporter {
                    "an exporter's own region is not its partner; name a region abroad (add a `[[region]]` for the partner plant)"
                } else {
                    "a region with its own `[[exporter]]` follows its own policy; name a region without one"
                };
                self.problem(
                    at,
                    format!("`{name}` is an exporter's region, not a partner region"),
                    fix,
                );
            } else if self.regions.contains(name) && !f.producer.iter().any(|p| &p.region == name) {
                self.problem(
                    at,
                    format!("`{name}` has no producers, so a partnership there sells nothing"),
                    format!("add the partner plant as a `[[producer]]` with `region = \"{name}\"`, or name the region that holds it"),
                );
            } else if out.contains(&region) {
                self.problem(
                    at,
                    format!("`{name}` is named twice"),
                    "name each partner region once",
                );
            }
            out.push(region);
        }
        out
    }

    /// A quota's batches at `key` (each `{ day_of_year, share }` required).
    pub(super) fn batches(&mut self, key: &str, specs: &[BatchSpec]) -> Vec<core::QuotaBatch> {
        let mut out = Vec::with_capacity(specs.len());
        for (j, b) in specs.iter().enumerate() {
            let bkey = format!("{key}.{j}");
            let day_of_year = b.day_of_year.unwrap_or_else(|| {
                self.problem(
                    format!("{bkey}.day_of_year"),
                    "missing required key",
                    "add `day_of_year = 1` (1 = 1 January)",
                );
                1
            });
            if !(1..=366).contains(&day_of_year) {
                self.problem(
                    format!("{bkey}.day_of_year"),
                    format!("{day_of_year} is not a day of the year"),
                    "use a day from 1 (1 January) to 366",
                );
            }
            let share = self.pick(&Slot::new(format!("{bkey}.share"), b.share.as_ref()), None);
            out.push(core::QuotaBatch { day_of_year, share });
        }
        out
    }

    /// The `destinations` and `items` of a general licence or a shock, both required.
    pub(super) fn destinations_and_items(
        &mut self,
        key: &str,
        destinations: &[String],
        items: &[String],
    ) -> (Vec<core::RegionId>, Vec<core::ItemId>) {
        if destinations.is_empty() {
            self.problem(
                format!("{key}.destinations"),
                "no destinations given",
                "add `destinations = [\"eu\"]`",
            );
        }
        let destinations = destinations
            .iter()
            .enumerate()
            .map(|(j, n)| self.region(&format!("{key}.destinations.{j}"), n))
            .collect();
        if items.is_empty() {
            self.problem(
                format!("{key}.items"),
                "no items given",
                "add `items = [\"dy\", \"tb\"]` (or `[\"*\"]` for all)",
            );
        }
        (destinations, self.items(&format!("{key}.items"), items))
    }
}
