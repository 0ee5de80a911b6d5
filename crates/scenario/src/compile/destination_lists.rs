//! `[[exporter.destination_list]]` (issue 18): destinations an exporter treats alike, with their
//! own approval odds, review time, licence term and general licences. A list's terms are applied
//! as a final pass over the state in force ([`apply_lists`]), after the regime in force is
//! chosen: each region on a list gets the list's values in its rows, and whatever the list does
//! not set stays the regime's. Which list a region is on starts from the lists' `regions` and
//! changes with `destination_list` shocks (`events.rs`).

use chokepoint_core as core;
use chokepoint_core::ItemId;

use super::Build;
use crate::diagnostics::did_you_mean;

/// One compiled list: what it sets for its regions (`None` = the regime in force's).
#[derive(Clone, Debug, PartialEq)]
pub(super) struct DestinationList {
    /// Its name (shocks refer to it).
    pub name: String,
    /// Approval odds per sector.
    pub approval: Vec<Option<f64>>,
    /// Review time of its applicants.
    pub lead_time: Option<core::LeadTime>,
    /// Licence term, every sector, in steps.
    pub validity_steps: Option<u32>,
    /// Items under a general licence for its regions.
    pub general: Vec<ItemId>,
}

/// Every exporter's lists, and the list each region is on at the start.
#[derive(Clone, Debug, Default)]
pub(super) struct Lists {
    /// Per authority (file order of `[[exporter]]`): its lists.
    pub lists: Vec<Vec<DestinationList>>,
    /// Per authority, per region: the list it is on at the start.
    pub members: Vec<Vec<Option<usize>>>,
}

impl Lists {
    /// True when some exporter has a list.
    pub(super) fn any(&self) -> bool {
        self.lists.iter().any(|l| !l.is_empty())
    }
}

/// Applies `lists` to one authority's `policy` for the regions `members` puts on a list: their
/// rows of approval odds and terms, their review time and their general licences. The final pass
/// over the state in force; without members it changes nothing.
pub(super) fn apply_lists(
    policy: &mut core::PolicyState,
    lists: &[DestinationList],
    members: &[Option<usize>],
    n_sectors: usize,
) {
    let ni = policy.controlled.len();
    let nr = members.len();
    let on = |r: usize| members[r].and_then(|l| lists.get(l));
    if (0..nr).any(|r| on(r).is_some_and(|l| l.lead_time.is_some())) {
        let regime_lead = policy.regime.lead_time;
        policy.regime.lead_time_by_region = vec![regime_lead; nr];
    }
    let regime = &mut policy.regime;
    for r in 0..nr {
        let Some(list) = on(r) else { continue };
        for s in 0..n_sectors {
            let at = r * n_sectors + s;
            if let (Some(Some(p)), Some(x)) = (list.approval.get(s), regime.approval.get_mut(at)) {
                *x = *p;
            }
            if let (Some(v), Some(x)) = (list.validity_steps, regime.validity_steps.get_mut(at)) {
                *x = v;
            }
        }
        if let (Some(lt), Some(x)) = (list.lead_time, regime.lead_time_by_region.get_mut(r)) {
            *x = lt;
        }
        for i in &list.general {
            if let Some(g) = policy.general_licence.get_mut(r * ni + i.idx()) {
                *g = true;
            }
        }
    }
}

impl Build<'_> {
    /// Every exporter's lists and their members at the start, with every problem recorded: a
    /// missing or repeated name, an unknown region, sector or item, a region on two lists.
    pub(super) fn destination_lists(&mut self) -> Lists {
        let f = self.file;
        let nr = self.regions.len();
        let sectors = self.sectors.clone();
        let mut out = Lists::default();
        for (k, e) in f.exporter.iter().enumerate() {
            let mut lists = Vec::new();
            let mut members = vec![None; nr];
            for (l, spec) in e.destination_list.iter().enumerate() {
                let key = format!("exporter.{k}.destination_list.{l}");
                if spec.name.is_empty() {
                    self.problem(
                        format!("{key}.name"),
                        "missing required key",
                        "add `name = \"partners\"`",
                    );
                } else if e.destination_list[..l].iter().any(|x| x.name == spec.name) {
                    self.problem(
                        format!("{key}.name"),
                        format!("list `{}` is defined twice", spec.name),
                        "give each of the exporter's lists its own name",
                    );
                }
                for (j, name) in spec.regions.iter().enumerate() {
                    let at = format!("{key}.regions.{j}");
                    let r = self.region(&at, name).idx();
                    let before: Option<usize> = members.get(r).copied().flatten();
                    match before {
                        Some(other) if self.regions.contains(name) => {
                            let other = &e.destination_list[other].name;
                            self.problem(
                                at,
                                format!("`{name}` is already on list `{other}`"),
                                "put each region on one list at the start (a `destination_list` shock moves it later)",
                            );
                        }
                        _ => members[r] = Some(l),
                    }
                }
                for name in spec.approval.keys() {
                    if name != "default" && !sectors.contains(name) {
                        let mut cands: Vec<&str> = sectors.iter().map(String::as_str).collect();
                        cands.push("default");
                        self.problem(
                            format!("{key}.approval.{name}"),
                            format!(
                                "`{name}` is not a sector or `default`{}",
                                did_you_mean(name, &cands)
                            ),
                            "key a list's approval odds by sector or `default` (the list sets its regions)",
                        );
                    }
                }
                let default = spec
                    .approval
                    .get("default")
                    .map(|n| self.num(&format!("{key}.approval.default"), n));
                let approval = sectors
                    .iter()
                    .map(|s| {
                        spec.approval
                            .get(s)
                            .map(|n| self.num(&format!("{key}.approval.{s}"), n))
                            .or(default)
                    })
                    .collect();
                let lead_time = spec
                    .lead_time_weeks
                    .as_ref()
                    .map(|lt| self.lead_time(&format!("{key}.lead_time_weeks"), Some(lt), None));
                let validity_steps = spec.validity_weeks.as_ref().map(|n| {
                    let w = self.num(&format!("{key}.validity_weeks"), n);
                    self.steps(w)
                });
                let general = self.items(&format!("{key}.general_licence"), &spec.general_licence);
                lists.push(DestinationList {
                    name: spec.name.clone(),
                    approval,
                    lead_time,
                    validity_steps,
                    general,
                });
            }
            out.lists.push(lists);
            out.members.push(members);
        }
        out
    }

    /// The list `name` of authority `a`'s lists, or a problem at `key` naming the lists there
    /// are.
    pub(super) fn list_index(
        &mut self,
        key: &str,
        lists: &[DestinationList],
        name: &str,
    ) -> Option<usize> {
        let found = lists.iter().position(|l| l.name == name);
        if found.is_none() {
            let names: Vec<&str> = lists.iter().map(|l| l.name.as_str()).collect();
            let fix = if names.is_empty() {
                "define the list under the exporter's `[[exporter.destination_list]]`".to_owned()
            } else {
                format!("name one of the exporter's lists: {}", names.join(", "))
            };
            self.problem(
                key,
                format!(
                    "unknown destination list `{name}`{}",
                    did_you_mean(name, &names)
                ),
                fix,
            );
        }
        found
    }

    /// Runs `f` without keeping the problems or uncertain keys it records: for recomputing a
    /// section another section needs (the events read the exporters before their lists), whose
    /// problems are reported where it is built.
    pub(super) fn quietly<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        let (problems, uncertain) = (self.problems.len(), self.uncertain.len());
        let out = f(self);
        self.problems.truncate(problems);
        self.uncertain.truncate(uncertain);
        out
    }
}
