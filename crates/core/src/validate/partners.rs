//! Partner regions (issue 18): regions whose plants sell abroad under an export authority's
//! policy. Each must exist, have producers, have no export authority of its own, and be the
//! partner of at most one authority at a time.

use super::Checker;
use crate::error::ParamError;
use crate::params::ModelParams;
use crate::policy::PolicyState;

impl Checker {
    /// Every authority's `partner_regions` and every event's partner tables.
    pub(super) fn partners(&mut self, p: &ModelParams) {
        let nr = p.regions.len();
        for (k, a) in p.authorities.iter().enumerate() {
            for (j, r) in a.partner_regions.iter().enumerate() {
                let path = || format!("authorities[{k}].partner_regions[{j}]");
                self.id(path, "region", r.idx(), nr);
                if r.idx() < nr {
                    self.partner_region(p, path(), r.idx());
                }
            }
        }
        let baseline = p.baseline_in_force();
        let states = std::iter::once(("baseline".to_owned(), &baseline.authorities)).chain(
            p.events
                .iter()
                .enumerate()
                .map(|(e, ev)| (format!("events[{e}].in_force"), &ev.in_force.authorities)),
        );
        for (at, authorities) in states {
            for (a, state) in authorities.iter().enumerate() {
                let path = format!("{at}.authorities[{a}].partner");
                if !state.partner.is_empty() && state.partner.len() != nr {
                    self.errors.push(ParamError::WrongLength {
                        path,
                        actual: state.partner.len(),
                        expected: nr,
                    });
                    continue;
                }
                if at == "baseline" {
                    continue; // checked as `partner_regions` above
                }
                for r in partner_regions(state) {
                    self.partner_region(p, format!("{path}[{r}]"), r);
                }
            }
            for r in 0..nr {
                let n = authorities
                    .iter()
                    .filter(|s| s.partner.get(r).copied().unwrap_or(false))
                    .count();
                if n > 1 {
                    self.errors.push(ParamError::OutOfRange {
                        path: format!("{at}.authorities[*].partner[{r}]"),
                        value: format!("partner of {n} authorities"),
                        expected: "a region under at most one authority's control at a time",
                    });
                }
            }
        }
    }

    /// One partner region (index in range): not an authority's own, with producers.
    fn partner_region(&mut self, p: &ModelParams, path: String, r: usize) {
        if p.authorities.iter().any(|a| a.region.idx() == r) {
            self.errors.push(ParamError::OutOfRange {
                path,
                value: p.regions[r].name.clone(),
                expected: "a region without an export authority of its own",
            });
        } else if !p.producers.iter().any(|pr| pr.region.idx() == r) {
            self.errors.push(ParamError::OutOfRange {
                path,
                value: p.regions[r].name.clone(),
                expected: "a region with producers (a partner's plants sell under the exporter's policy)",
            });
        }
    }
}

/// The regions a state marks as partners.
fn partner_regions(state: &PolicyState) -> impl Iterator<Item = usize> + '_ {
    state
        .partner
        .iter()
        .enumerate()
        .filter_map(|(r, &on)| on.then_some(r))
}
