//! `[[stockpile]]` and its `[[stockpile.holding]]` lines.

use chokepoint_core as core;
use chokepoint_core::{ItemId, RegionId};

use super::{Build, DAYS_PER_WEEK, Slot};
use crate::num::Num;

/// Baseline use of an item in a region, tonnes per step: manufacturers' demand plus producers'
/// inputs. The unit of `*_weeks` stockpile sizes.
fn regional_use(
    region: RegionId,
    item: ItemId,
    ms: &[core::ManufacturerParams],
    ps: &[core::ProducerParams],
) -> f64 {
    let m: f64 = ms
        .iter()
        .filter(|m| m.region == region)
        .flat_map(|m| &m.demand)
        .filter(|d| d.item == item)
        .map(|d| d.t_per_step)
        .sum();
    let p: f64 = ps
        .iter()
        .filter(|p| p.region == region)
        .flat_map(|p| p.inputs.iter().map(move |f| (f, p.opening_activity())))
        .filter(|(f, _)| f.item == item)
        .map(|(f, a)| f.t_per_unit * a)
        .sum();
    m + p
}

impl Build<'_> {
    pub(super) fn build_stockpiles(
        &mut self,
        ms: &[core::ManufacturerParams],
        ps: &[core::ProducerParams],
    ) -> Vec<core::StockpileParams> {
        let f = self.file;
        let mut out = Vec::new();
        for (k, s) in f.stockpile.iter().enumerate() {
            let key = format!("stockpile.{k}");
            let region = self.region(&format!("{key}.region"), &s.region);
            let end_use = self.sector(&format!("{key}.end_use"), &s.end_use);
            let members = self.stockpile_members(&key, s, region);
            let mut lines = Vec::new();
            for (j, h) in s.holding.iter().enumerate() {
                let hkey = format!("{key}.holding.{j}");
                if s.holding[..j].iter().any(|other| other.item == h.item) {
                    self.problem(
                        format!("{hkey}.item"),
                        format!("`{}` is held twice in this stockpile", h.item),
                        "merge the two `[[stockpile.holding]]` entries for it into one",
                    );
                }
                let item = self.item(&format!("{hkey}.item"), &h.item);
                // A joint stockpile's weeks are weeks of its members' use.
                let use_per_step = if members.is_empty() {
                    regional_use(region, item, ms, ps)
                } else {
                    members.iter().map(|&r| regional_use(r, item, ms, ps)).sum()
                };
                let use_per_week = use_per_step * DAYS_PER_WEEK / self.step_days;
                let tonnes =
                    |b: &mut Self, t: Option<&Num>, w: Option<&Num>, name: &str| match (t, w) {
                        (Some(t), None) => b.num(&format!("{hkey}.{name}_t"), t),
                        (None, Some(w)) => b.num(&format!("{hkey}.{name}_weeks"), w) * use_per_week,
                        (None, None) => 0.0,
                        (Some(_), Some(_)) => {
                            b.problem(
                                format!("{hkey}.{name}_t"),
                                format!("both `{name}_t` and `{name}_weeks` are given"),
                                "keep one of them",
                            );
                            0.0
                        }
                    };
                let target_t = tonnes(self, h.target_t.as_ref(), h.target_weeks.as_ref(), "target");
                let initial_t = match &h.opening_share {
                    None => tonnes(
                        self,
                        h.initial_t.as_ref(),
                        h.initial_weeks.as_ref(),
                        "initial",
                    ),
                    Some(share) => {
                        if h.initial_t.is_some() || h.initial_weeks.is_some() {
                            self.problem(
                                format!("{hkey}.opening_share"),
                                "both `opening_share` and an `initial_*` holding are given",
                                "keep one of them",
                            );
                        }
                        self.num(&format!("{hkey}.opening_share"), share) * target_t
                    }
                };
                let per_step = self.step_days / DAYS_PER_WEEK;
                lines.push(core::StockpileLine {
                    item,
                    initial_t,
                    target_t,
                    acquisition_t_per_step: self.pick(
                        &Slot::new(
                            format!("{hkey}.acquisition_t_per_week"),
                            h.acquisition_t_per_week.as_ref(),
                        ),
                        None,
                    ) * per_step,
                    release_cap_t_per_step: self.pick(
                        &Slot::new(
                            format!("{hkey}.release_cap_t_per_week"),
                            h.release_cap_t_per_week.as_ref(),
                        ),
                        None,
                    ) * per_step,
                });
            }
            let opt = |b: &mut Self, name: &str, n: Option<&Num>| {
                n.map(|n| b.num(&format!("{key}.{name}"), n))
            };
            let priority_sector = s
                .priority_sector
                .as_ref()
                .map(|n| self.sector(&format!("{key}.priority_sector"), n));
            out.push(core::StockpileParams {
                name: s.name.clone(),
                region,
                members,
                end_use,
                lines,
                budget_usd: self.pick(
                    &Slot::new(format!("{key}.budget_usd"), s.budget_usd.as_ref()),
                    None,
                ),
                release: core::ReleaseRule {
                    shortage_trigger_share: opt(
                        self,
                        "release_shortage_share",
                        s.release_shortage_share.as_ref(),
                    ),
                    price_trigger_ratio: opt(
                        self,
                        "release_price_ratio",
                        s.release_price_ratio.as_ref(),
                    ),
                    priority_sector,
                    floor_share: opt(self, "release_floor_share", s.release_floor_share.as_ref())
                        .unwrap_or(0.0),
                },
                refill: core::RefillRule {
                    max_price_ratio: self.pick(
                        &Slot::new(
                            format!("{key}.refill_max_price_ratio"),
                            s.refill_max_price_ratio.as_ref(),
                        ),
                        None,
                    ),
                    delay_steps: {
                        let w = self.pick(
                            &Slot::new(
                                format!("{key}.refill_delay_weeks"),
                                s.refill_delay_weeks.as_ref(),
                            ),
                            None,
                        );
                        self.steps(w)
                    },
                },
            });
        }
        out
    }
}

impl Build<'_> {
    /// A joint stockpile's member regions (empty when it names none): each known, none twice,
    /// its own `region` among them.
    fn stockpile_members(
        &mut self,
        key: &str,
        s: &crate::schema::StockpileSpec,
        region: RegionId,
    ) -> Vec<RegionId> {
        let mut members = Vec::with_capacity(s.members.len());
        for (m, name) in s.members.iter().enumerate() {
            let at = format!("{key}.members.{m}");
            let r = self.region(&at, name);
            if members.contains(&r) {
                self.problem(
                    at,
                    format!("`{name}` is a member twice"),
                    "list each member region once",
                );
            }
            members.push(r);
        }
        if !members.is_empty() && !members.contains(&region) {
            self.problem(
                format!("{key}.members"),
                format!("the stockpile's own region `{}` is not a member", s.region),
                format!(
                    "add `\"{}\"` to `members` (the holder's region is served too)",
                    s.region
                ),
            );
        }
        members
    }
}
