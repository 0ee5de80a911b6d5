//! Recycling mandates and joint stockpiles' members (issue 18).

use super::Checker;
use crate::error::ParamError;
use crate::params::{ItemKind, ModelParams};

impl Checker {
    /// `recyclers[j]`: ids in range, the scrap item a product with a bill of materials, shares
    /// in (0, 1], non-negative tonnes, costs and budget, a finite ramp.
    pub(super) fn recyclers(&mut self, p: &ModelParams) {
        for (j, r) in p.recyclers.iter().enumerate() {
            let path = format!("recyclers[{j}]");
            self.id(
                || format!("{path}.region"),
                "region",
                r.region.idx(),
                p.regions.len(),
            );
            self.id(
                || format!("{path}.scrap_item"),
                "item",
                r.scrap_item.idx(),
                p.items.len(),
            );
            if let Some(item) = p.items.get(r.scrap_item.idx())
                && (item.kind != ItemKind::Product || item.bom.is_empty())
            {
                self.errors.push(ParamError::OutOfRange {
                    path: format!("{path}.scrap_item"),
                    value: item.name.clone(),
                    expected: "a product with a bill of materials",
                });
            }
            for (key, v) in [
                ("collection_share", r.collection_share),
                ("recovery_share", r.recovery_share),
            ] {
                if !(v.is_finite() && v > 0.0 && v <= 1.0) {
                    self.errors.push(ParamError::OutOfRange {
                        path: format!("{path}.{key}"),
                        value: v.to_string(),
                        expected: "a share in (0, 1]",
                    });
                }
            }
            self.non_negative(|| format!("{path}.eol_t_per_step"), r.eol_t_per_step);
            self.non_negative(|| format!("{path}.ramp_steps"), r.ramp_steps);
            self.non_negative(
                || format!("{path}.cash_cost_usd_per_kg"),
                r.cash_cost_usd_per_kg,
            );
            if let Some(b) = r.budget_usd {
                self.non_negative(|| format!("{path}.budget_usd"), b);
            }
        }
    }

    /// `stockpiles[k].members`: regions in range, none twice, the holder's own among them.
    pub(super) fn stockpile_members(&mut self, p: &ModelParams) {
        for (k, s) in p.stockpiles.iter().enumerate() {
            for (m, r) in s.members.iter().enumerate() {
                let at = || format!("stockpiles[{k}].members[{m}]");
                self.id(at, "region", r.idx(), p.regions.len());
                if s.members[..m].contains(r) {
                    self.errors.push(ParamError::OutOfRange {
                        path: at(),
                        value: r.idx().to_string(),
                        expected: "a region not already a member",
                    });
                }
            }
            if !s.members.is_empty() && !s.members.contains(&s.region) {
                self.errors.push(ParamError::OutOfRange {
                    path: format!("stockpiles[{k}].members"),
                    value: format!("{:?}", s.members),
                    expected: "a list that includes the stockpile's own region",
                });
            }
        }
    }
}
