//! Floors' offtake (issue 18): a share in (0, 1] into a stockpile of the producer's region that
//! holds the floored item.

use super::Checker;
use crate::error::ParamError;
use crate::params::ModelParams;

impl Checker {
    /// `floors[j].offtake`: the share in (0, 1], the stockpile known, in the producer's region,
    /// holding the floored item.
    pub(super) fn offtakes(&mut self, p: &ModelParams) {
        for (j, f) in p.floors.iter().enumerate() {
            let Some(o) = f.offtake else { continue };
            let path = format!("floors[{j}].offtake");
            if !(o.share.is_finite() && o.share > 0.0 && o.share <= 1.0) {
                self.errors.push(ParamError::OutOfRange {
                    path: format!("{path}.share"),
                    value: o.share.to_string(),
                    expected: "a share in (0, 1]",
                });
            }
            self.id(
                || format!("{path}.stockpile"),
                "stockpile",
                o.stockpile,
                p.stockpiles.len(),
            );
            let (Some(s), Some(pr)) = (p.stockpiles.get(o.stockpile), p.producers.get(f.producer))
            else {
                continue;
            };
            if s.region != pr.region || !s.lines.iter().any(|l| l.item == f.item) {
                self.errors.push(ParamError::OutOfRange {
                    path: format!("{path}.stockpile"),
                    value: s.name.clone(),
                    expected: "a stockpile of the producer's region that holds the floored item",
                });
            }
        }
    }
}
