//! Planned capacity and grants (issue 18): a plan is exclusive with a dated start and needs
//! economics (its breakeven decides financing); a grant supports a planned producer; a loan's
//! terms are in range.

use super::Checker;
use crate::error::ParamError;
use crate::params::ModelParams;

impl Checker {
    /// `producers[k].plan` and `grants[j]`.
    pub(super) fn plans(&mut self, p: &ModelParams) {
        for (k, pr) in p.producers.iter().enumerate() {
            let Some(plan) = pr.plan else { continue };
            let path = format!("producers[{k}].plan");
            if pr.online.is_some() {
                self.errors.push(ParamError::OutOfRange {
                    path: format!("producers[{k}].online"),
                    value: pr.name.clone(),
                    expected: "no dated start on a producer with a plan",
                });
            }
            if pr.economics.is_none() {
                self.errors.push(ParamError::OutOfRange {
                    path: path.clone(),
                    value: pr.name.clone(),
                    expected: "a plan on a producer with economics (a cash cost)",
                });
            }
            self.non_negative(|| format!("{path}.ramp_steps"), plan.ramp_steps);
            self.non_negative(|| format!("{path}.capex_usd"), plan.capex_usd);
            self.non_negative(
                || format!("{path}.capital_charge_share_per_step"),
                plan.capital_charge_share_per_step,
            );
            self.positive(
                || format!("{path}.financing_window_steps"),
                plan.financing_window_steps,
            );
        }
        for (j, g) in p.grants.iter().enumerate() {
            let path = format!("grants[{j}]");
            self.id(
                || format!("{path}.producer"),
                "producer",
                g.producer,
                p.producers.len(),
            );
            if p.producers
                .get(g.producer)
                .is_some_and(|pr| pr.plan.is_none())
            {
                self.errors.push(ParamError::OutOfRange {
                    path: format!("{path}.producer"),
                    value: p.producers[g.producer].name.clone(),
                    expected: "a producer with a plan",
                });
            }
            self.non_negative(|| format!("{path}.amount_usd"), g.amount_usd);
            if let Some(loan) = g.loan {
                self.share(
                    || format!("{path}.loan.grant_element_share"),
                    loan.grant_element_share,
                );
                if loan.term_steps == 0 {
                    self.errors.push(ParamError::OutOfRange {
                        path: format!("{path}.loan.term_steps"),
                        value: "0".to_owned(),
                        expected: "at least one step",
                    });
                }
            }
        }
    }
}
