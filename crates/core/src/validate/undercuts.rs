//! Export pricing rules that undercut entrants (issue 18): each names an exporter's region, an
//! item and competitors with economics that make it; one rule per item.

use super::Checker;
use crate::error::ParamError;
use crate::params::ModelParams;

impl Checker {
    /// `undercuts[j]`: ids in range, the exporter controls exports, every competitor has economics
    /// and makes the item, the share is positive, no two rules price the same item.
    pub(super) fn undercuts(&mut self, p: &ModelParams) {
        for (j, u) in p.undercuts.iter().enumerate() {
            let path = format!("undercuts[{j}]");
            self.id(
                || format!("{path}.item"),
                "item",
                u.item.idx(),
                p.items.len(),
            );
            if !p.authorities.iter().any(|a| a.region == u.exporter) {
                self.errors.push(ParamError::OutOfRange {
                    path: format!("{path}.exporter"),
                    value: u.exporter.idx().to_string(),
                    expected: "the region of an export authority",
                });
            }
            if u.competitors.is_empty() {
                self.errors.push(ParamError::OutOfRange {
                    path: format!("{path}.competitors"),
                    value: "[]".to_owned(),
                    expected: "at least one producer",
                });
            }
            for (c, &k) in u.competitors.iter().enumerate() {
                let at = || format!("{path}.competitors[{c}]");
                self.id(at, "producer", k, p.producers.len());
                let Some(pr) = p.producers.get(k) else {
                    continue;
                };
                if pr.economics.is_none() {
                    self.errors.push(ParamError::OutOfRange {
                        path: at(),
                        value: pr.name.clone(),
                        expected: "a producer with economics (a cash cost)",
                    });
                }
                if !pr.outputs.iter().any(|o| o.item == u.item) {
                    self.errors.push(ParamError::OutOfRange {
                        path: at(),
                        value: pr.name.clone(),
                        expected: "a producer that makes the rule's item",
                    });
                }
            }
            self.positive(|| format!("{path}.cost_share"), u.cost_share);
            if p.undercuts[..j].iter().any(|v| v.item == u.item) {
                self.errors.push(ParamError::OutOfRange {
                    path: format!("{path}.item"),
                    value: u.item.idx().to_string(),
                    expected: "an item no earlier undercut rule prices",
                });
            }
        }
    }
}
