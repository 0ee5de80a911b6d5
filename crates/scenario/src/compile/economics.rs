//! Producer economics (issue 18): each `[[producer]]`'s costs and operator, and the operators
//! (businesses) they form, in order of their first producer.

use chokepoint_core as core;

use super::Build;
use crate::schema::ProducerSpec;

impl Build<'_> {
    /// The operator names in order of first appearance among producers with economics; a
    /// producer's operator is its `operator`, else its own name.
    fn operator_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for p in &self.file.producer {
            if p.economics.cash_cost_usd_per_kg.is_some() {
                let name = p.economics.operator.as_deref().unwrap_or(&p.name);
                if !names.contains(&name) {
                    names.push(name);
                }
            }
        }
        names
    }

    /// Producer `k`'s economics, if it has a cash cost; keys that need one are refused without.
    pub(super) fn producer_economics(
        &mut self,
        key: &str,
        p: &ProducerSpec,
    ) -> Option<core::Economics> {
        let e = &p.economics;
        let Some(cash) = &e.cash_cost_usd_per_kg else {
            for (name, given) in [
                (
                    "fixed_cost_usd_per_year",
                    e.fixed_cost_usd_per_year.is_some(),
                ),
                ("operator", e.operator.is_some()),
                (
                    "close_after_loss_weeks",
                    p.knobs.economics.close_after_loss_weeks.is_some(),
                ),
            ] {
                if given {
                    self.problem(
                        format!("{key}.{name}"),
                        format!("`{name}` without `cash_cost_usd_per_kg`"),
                        "add `cash_cost_usd_per_kg = ...` (the producer's variable cost) or remove it",
                    );
                }
            }
            return None;
        };
        let cash_cost_usd_per_kg = self.num(&format!("{key}.cash_cost_usd_per_kg"), cash);
        let fixed = match &e.fixed_cost_usd_per_year {
            Some(n) => self.num(&format!("{key}.fixed_cost_usd_per_year"), n),
            None => 0.0,
        };
        let name = e.operator.as_deref().unwrap_or(&p.name);
        let operator = self
            .operator_names()
            .iter()
            .position(|n| *n == name)
            .unwrap_or_default();
        Some(core::Economics {
            cash_cost_usd_per_kg,
            fixed_cost_usd_per_step: self.per_year_to_step(fixed),
            operator,
        })
    }

    /// The operators, each with the loss tolerance of its first producer (own, else
    /// `[defaults.producer]`, else never closes).
    pub(super) fn build_operators(&mut self) -> Vec<core::OperatorParams> {
        let f = self.file;
        let names: Vec<String> = self
            .operator_names()
            .into_iter()
            .map(str::to_owned)
            .collect();
        let mut operators = Vec::with_capacity(names.len());
        for name in names {
            // Every operator name comes from a producer with economics.
            let Some((k, p)) = f.producer.iter().enumerate().find(|(_, p)| {
                p.economics.cash_cost_usd_per_kg.is_some()
                    && p.economics.operator.as_deref().unwrap_or(&p.name) == name
            }) else {
                continue;
            };
            let own = p.knobs.economics.close_after_loss_weeks.as_ref();
            let default = f
                .defaults
                .producer
                .economics
                .close_after_loss_weeks
                .as_ref();
            let close_after_loss_steps = match (own, default) {
                (Some(n), _) => Some(self.num(&format!("producer.{k}.close_after_loss_weeks"), n)),
                (None, Some(n)) => Some(self.num("defaults.producer.close_after_loss_weeks", n)),
                (None, None) => None,
            }
            .map(|w| self.steps(w).max(1));
            operators.push(core::OperatorParams {
                name,
                close_after_loss_steps,
            });
        }
        operators
    }
}
