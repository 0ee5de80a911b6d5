//! `[[shock]]`: each shock's dates and what it sets while active. Only the keys its `type`
//! accepts (per [`crate::keys`]) may be given. Each shock becomes the [`Measure`]s it puts in
//! force; turning overlapping shocks into the states in force is [`super::events`]' job.

use chokepoint_core as core;
use chokepoint_core::{AuthorityId, ManufacturerId, PolicyEvent, ProducerId, RegionId, SectorId};

use super::events::{Measure, Window};
use super::{Build, Slot, shift};
use crate::diagnostics::did_you_mean;
use crate::keys::{self, Table};
use crate::schema::ShockSpec;

impl Build<'_> {
    pub(super) fn build_events(&mut self, params: &core::ModelParams) -> Vec<PolicyEvent> {
        let f = self.file;
        // Destination lists are applied over the exporters as their tables state them (their
        // problems are reported with the exporters).
        if f.exporter.iter().any(|e| !e.destination_list.is_empty()) {
            let (raw, lists) = self.quietly(|b| (b.raw_authorities(), b.destination_lists()));
            self.raw_authorities = Some(raw);
            self.lists = lists;
        }
        let names: Vec<&str> = f.shock.iter().map(|s| s.name.as_str()).collect();
        let mut windows: Vec<Option<Window>> = Vec::new();
        for (k, s) in f.shock.iter().enumerate() {
            let key = format!("shock.{k}");
            if !s.name.is_empty() && names[..k].contains(&s.name.as_str()) {
                self.problem(
                    format!("{key}.name"),
                    format!("shock `{}` is defined twice", s.name),
                    "give each shock its own name",
                );
            }
            if self.validating() {
                self.keys_apply(&key, s);
            }
            windows.push(self.window(&key, s, params));
        }
        self.schedule(windows, params)
    }

    /// Every key given to a shock must be one its type accepts.
    fn keys_apply(&mut self, key: &str, s: &ShockSpec) {
        if !keys::shock_types().contains(&s.kind.as_str()) {
            return; // reported with the type
        }
        let Ok(toml::Value::Table(given)) = toml::Value::try_from(s) else {
            return;
        };
        for name in given.keys() {
            if let Some(def) = Table::Shock.key(name)
                && !keys::applies(def, &s.kind)
            {
                self.problem(
                    format!("{key}.{name}"),
                    format!("`{name}` does not apply to a shock of type `{}`", s.kind),
                    format!(
                        "remove it; type `{}` takes {}",
                        s.kind,
                        keys::applicable(Table::Shock, &s.kind).join(", ")
                    ),
                );
            }
        }
    }

    /// When the shock starts and ends, and what it sets meanwhile; `None` when it cannot act.
    fn window(&mut self, key: &str, s: &ShockSpec, params: &core::ModelParams) -> Option<Window> {
        let cal = &params.calendar;
        let end_date = cal.date_of(cal.n_steps);
        let Some(date) = s.date else {
            self.problem(
                format!("{key}.date"),
                "missing required key",
                "add `date = 2025-04-04` (the day it takes effect)",
            );
            return None;
        };
        if date < cal.start || date >= end_date {
            self.problem(
                format!("{key}.date"),
                format!("{date} is outside the horizon {} to {}", cal.start, end_date),
                "move the date inside the horizon, or change `scenario.start` / `scenario.horizon_weeks`",
            );
        }
        let delay = s
            .delay_weeks
            .as_ref()
            .map_or(0.0, |n| self.num(&format!("{key}.delay_weeks"), n));
        let shifted = shift(date, delay);
        let start = cal.step_of(shifted);
        let end = match &s.duration_weeks {
            Some(n) => {
                let w = self.num(&format!("{key}.duration_weeks"), n);
                cal.step_of(shift(shifted, w)).max(start)
            }
            None => u32::MAX,
        };
        let authority = self.authority(key, s, params);
        let needs_authority = !matches!(
            s.kind.as_str(),
            "capacity_outage" | "demand_surge" | "suspend" | "lift"
        );
        if needs_authority && params.authorities.is_empty() {
            self.problem(
                format!("{key}.type"),
                format!("a `{}` shock needs an exporter", s.kind),
                "add an `[[exporter]]` table",
            );
            return None;
        }
        let on = self.actions(key, s, authority, params);
        let (announced, pre) = self.announcement(key, s, (shifted, start), authority, params);
        Some(Window {
            start,
            end,
            on,
            announced,
            pre_end: start,
            pre,
        })
    }

    /// When a control is announced before it takes effect (`announced` or
    /// `announced_weeks_before`), and what is in force meanwhile: its items' announcement
    /// premium. Without an announcement, (`start`, nothing).
    fn announcement(
        &mut self,
        key: &str,
        s: &ShockSpec,
        (effective, start): (chrono::NaiveDate, u32),
        authority: AuthorityId,
        params: &core::ModelParams,
    ) -> (u32, Vec<Measure>) {
        let date = match (s.announced, &s.announced_weeks_before) {
            (None, None) => return (start, vec![]),
            (Some(_), Some(_)) => {
                self.problem(
                    format!("{key}.announced_weeks_before"),
                    "both `announced` and `announced_weeks_before` are given",
                    "keep one of them",
                );
                return (start, vec![]);
            }
            (Some(d), None) => {
                if d > effective {
                    self.problem(
                        format!("{key}.announced"),
                        format!("announced on {d}, after it takes effect on {effective}"),
                        "announce it on or before `date` (shifted by `delay_weeks`)",
                    );
                }
                d
            }
            (None, Some(n)) => {
                let w = self.num(&format!("{key}.announced_weeks_before"), n);
                shift(effective, -w)
            }
        };
        let premium = s.announcement_log_premium.as_ref().map_or(0.0, |n| {
            self.num(&format!("{key}.announcement_log_premium"), n)
        });
        let items = self.items(&format!("{key}.items"), &s.items);
        let announced = params.calendar.step_of(date).min(start);
        (
            announced,
            vec![Measure::Announce {
                authority,
                items,
                premium,
            }],
        )
    }

    /// The exporter acting: named, else the first.
    fn authority(&mut self, key: &str, s: &ShockSpec, params: &core::ModelParams) -> AuthorityId {
        let Some(name) = &s.exporter else {
            return AuthorityId(0);
        };
        let r = self.region(&format!("{key}.exporter"), name);
        if let Some(a) = params.authorities.iter().position(|a| a.region == r) {
            AuthorityId::from(a)
        } else {
            self.problem(
                format!("{key}.exporter"),
                format!("`{name}` has no `[[exporter]]` table"),
                "add an `[[exporter]]` for it or name another exporter",
            );
            AuthorityId(0)
        }
    }

    /// What the shock puts in force while active; the state in force is computed from the
    /// measures of all active shocks ([`Build::schedule`]).
    fn actions(
        &mut self,
        key: &str,
        s: &ShockSpec,
        authority: AuthorityId,
        params: &core::ModelParams,
    ) -> Vec<Measure> {
        match s.kind.as_str() {
            "halt" => {
                let items = self.require_items(key, &s.items);
                let destinations: Vec<RegionId> = s
                    .destinations
                    .iter()
                    .enumerate()
                    .map(|(j, n)| self.region(&format!("{key}.destinations.{j}"), n))
                    .collect();
                if destinations.is_empty() {
                    self.problem(
                        format!("{key}.destinations"),
                        "a halt needs destinations",
                        "add `destinations = [\"japan\"]`",
                    );
                }
                vec![Measure::Embargo {
                    authority,
                    destinations,
                    items,
                }]
            }
            "list_expansion" => {
                let items = self.require_items(key, &s.items);
                vec![Measure::Control { authority, items }]
            }
            "licence_regime" => {
                let items = self.require_items(key, &s.items);
                let base_key = format!("exporter.{}.licence", authority.idx());
                let base = self.file.exporter.get(authority.idx()).map(|e| &e.licence);
                let regime = self.regime(key, &s.licence, base.map(|b| (base_key.as_str(), b)));
                vec![
                    Measure::Control { authority, items },
                    Measure::LicenceRegime { authority, regime },
                ]
            }
            "quota" => self.quota(key, s, authority, params),
            "general_licence" => {
                let (destinations, items) =
                    self.destinations_and_items(key, &s.destinations, &s.items);
                vec![Measure::GeneralLicence {
                    authority,
                    destinations,
                    items,
                }]
            }
            "extraterritorial" => {
                let share = self.pick(&Slot::new(format!("{key}.share"), s.share.as_ref()), None);
                vec![Measure::Extraterritorial { authority, share }]
            }
            "capacity_outage" => self.capacity_outage(key, s, params),
            "demand_surge" => self.demand_surge(key, s, params),
            "partner_control" => {
                let exporter = self
                    .file
                    .exporter
                    .get(authority.idx())
                    .map(|e| e.region.clone())
                    .unwrap_or_default();
                if s.regions.is_empty() {
                    self.problem(
                        format!("{key}.regions"),
                        "a partner control needs regions",
                        "add `regions = [\"malaysia_partner\"]` (the region of the partner plant)",
                    );
                }
                let regions =
                    self.partner_regions(&format!("{key}.regions"), &s.regions, &exporter);
                vec![Measure::Partner { authority, regions }]
            }
            "destination_list" => self.destination_list_shock(key, s, authority),
            "technology_control" => self.technology_control(key, s, authority, params),
            "suspend" | "lift" => vec![],
            other => {
                let kinds = keys::shock_types();
                self.problem(
                    format!("{key}.type"),
                    format!(
                        "unknown shock type `{other}`{}",
                        did_you_mean(other, &kinds)
                    ),
                    format!("use one of {}", kinds.join(", ")),
                );
                vec![]
            }
        }
    }

    fn quota(
        &mut self,
        key: &str,
        s: &ShockSpec,
        authority: AuthorityId,
        params: &core::ModelParams,
    ) -> Vec<Measure> {
        let qname = s.quota.clone().unwrap_or_default();
        let quotas = params
            .authorities
            .get(authority.idx())
            .map(|a| a.quotas.clone())
            .unwrap_or_default();
        let q = quotas.iter().position(|q| q.name == qname);
        if q.is_none() {
            let cands: Vec<&str> = quotas.iter().map(|q| q.name.as_str()).collect();
            self.problem(
                format!("{key}.quota"),
                format!("unknown quota `{qname}`{}", did_you_mean(&qname, &cands)),
                "name a quota defined under the exporter's `[[exporter.quota]]`",
            );
        }
        let annual = self.pick(
            &Slot::new(format!("{key}.annual_t"), s.annual_t.as_ref()),
            None,
        );
        let batches = if s.batches.is_empty() {
            None
        } else {
            Some(self.batches(&format!("{key}.batches"), &s.batches))
        };
        vec![Measure::Quota {
            authority,
            quota: q.unwrap_or(0),
            annual_t: annual,
            batches,
        }]
    }

    fn capacity_outage(
        &mut self,
        key: &str,
        s: &ShockSpec,
        params: &core::ModelParams,
    ) -> Vec<Measure> {
        let share = self.pick(&Slot::new(format!("{key}.share"), s.share.as_ref()), None);
        let mut producers = Vec::new();
        for (j, n) in s.producers.iter().enumerate() {
            if let Some(p) = params.producers.iter().position(|p| &p.name == n) {
                producers.push(ProducerId::from(p));
            } else {
                let cands: Vec<&str> = params.producers.iter().map(|p| p.name.as_str()).collect();
                self.problem(
                    format!("{key}.producers.{j}"),
                    format!("unknown producer `{n}`{}", did_you_mean(n, &cands)),
                    "name a `[[producer]]` defined in the file",
                );
            }
        }
        if s.producers.is_empty() {
            self.problem(
                format!("{key}.producers"),
                "a capacity outage needs producers",
                "add `producers = [\"...\"]`",
            );
        }
        vec![Measure::CapacityOutage { producers, share }]
    }

    fn demand_surge(
        &mut self,
        key: &str,
        s: &ShockSpec,
        params: &core::ModelParams,
    ) -> Vec<Measure> {
        let multiplier = self.pick(
            &Slot::new(format!("{key}.multiplier"), s.multiplier.as_ref()),
            None,
        );
        let regions: Vec<RegionId> = s
            .regions
            .iter()
            .enumerate()
            .map(|(j, n)| self.region(&format!("{key}.regions.{j}"), n))
            .collect();
        let sectors: Vec<SectorId> = s
            .sectors
            .iter()
            .enumerate()
            .map(|(j, n)| self.sector(&format!("{key}.sectors.{j}"), n))
            .collect();
        let manufacturers: Vec<ManufacturerId> = params
            .manufacturers
            .iter()
            .enumerate()
            .filter(|(_, m)| {
                (regions.is_empty() || regions.contains(&m.region))
                    && (sectors.is_empty() || sectors.contains(&m.sector))
            })
            .map(|(j, _)| ManufacturerId::from(j))
            .collect();
        vec![Measure::DemandSurge {
            manufacturers,
            multiplier,
        }]
    }

    /// `destination_list`: the regions move onto the exporter's named list.
    fn destination_list_shock(
        &mut self,
        key: &str,
        s: &ShockSpec,
        authority: AuthorityId,
    ) -> Vec<Measure> {
        let name = s.list.clone().unwrap_or_default();
        let lists = self
            .lists
            .lists
            .get(authority.idx())
            .cloned()
            .unwrap_or_default();
        let list = if s.list.is_none() {
            self.problem(
                format!("{key}.list"),
                "missing required key",
                "add `list = \"<name>\"`: one of the exporter's `[[exporter.destination_list]]`",
            );
            None
        } else {
            self.list_index(&format!("{key}.list"), &lists, &name)
        };
        if s.regions.is_empty() {
            self.problem(
                format!("{key}.regions"),
                "a destination list shock needs regions",
                "add `regions = [\"eu\"]` (the regions moved onto the list)",
            );
        }
        let regions: Vec<RegionId> = s
            .regions
            .iter()
            .enumerate()
            .map(|(j, n)| self.region(&format!("{key}.regions.{j}"), n))
            .collect();
        list.map(|list| Measure::DestinationList {
            authority,
            list,
            regions,
        })
        .into_iter()
        .collect()
    }

    fn require_items(&mut self, key: &str, names: &[String]) -> Vec<core::ItemId> {
        if names.is_empty() {
            self.problem(
                format!("{key}.items"),
                "no items given",
                "add `items = [\"dy\", \"tb\"]` (or `[\"*\"]` for all)",
            );
        }
        self.items(&format!("{key}.items"), names)
    }
}
