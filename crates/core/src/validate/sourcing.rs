//! Diversification targets (issue 18): each names an importing region (one without an export
//! authority) and items, a share in (0, 1) and a premium ≥ 0.

use super::Checker;
use crate::error::ParamError;
use crate::params::ModelParams;

impl Checker {
    /// `sourcing_caps[j]`: ids in range, the region exports under no authority, at least one
    /// item, `max_share` in (0, 1), `premium_share` ≥ 0, a window that is not reversed.
    pub(super) fn sourcing_caps(&mut self, p: &ModelParams) {
        for (j, c) in p.sourcing_caps.iter().enumerate() {
            let path = format!("sourcing_caps[{j}]");
            self.id(
                || format!("{path}.region"),
                "region",
                c.region.idx(),
                p.regions.len(),
            );
            if p.authorities.iter().any(|a| a.region == c.region) {
                self.errors.push(ParamError::OutOfRange {
                    path: format!("{path}.region"),
                    value: c.region.idx().to_string(),
                    expected: "a region without an export authority",
                });
            }
            if c.items.is_empty() {
                self.errors.push(ParamError::OutOfRange {
                    path: format!("{path}.items"),
                    value: "[]".to_owned(),
                    expected: "at least one item",
                });
            }
            for (k, item) in c.items.iter().enumerate() {
                self.id(
                    || format!("{path}.items[{k}]"),
                    "item",
                    item.idx(),
                    p.items.len(),
                );
            }
            if !(c.max_share > 0.0 && c.max_share < 1.0) {
                self.errors.push(ParamError::OutOfRange {
                    path: format!("{path}.max_share"),
                    value: c.max_share.to_string(),
                    expected: "a share in (0, 1)",
                });
            }
            self.non_negative(|| format!("{path}.premium_share"), c.premium_share);
            if c.until_step < c.from_step {
                self.errors.push(ParamError::OutOfRange {
                    path: format!("{path}.until_step"),
                    value: c.until_step.to_string(),
                    expected: "a step at or after from_step",
                });
            }
        }
    }
}
