//! Producer economics (issue 18): each `[[producer]]`'s costs and operator, and the operators
//! (businesses) they form, in order of their first producer.

use chokepoint_core as core;

use super::Build;
use crate::num::Num;
use crate::schema::{EconomicsKnobs, ProducerSpec};

/// Weeks in a row prices must stay at a closed operator's restart level when the file does not
/// say: assumption, the 26 weeks of high prices behaviour.toml's `expansion_sustain_weeks` uses
/// before a project starts (issue 18 design §2.3).
const DEFAULT_RESTART_SUSTAIN_WEEKS: f64 = 26.0;
/// Weeks offline between a restart decision and output when the file does not say:
/// assumption, a year to rehire and recommission (Mountain Pass took ~2.5 years under a new
/// owner, design §2.3, so this is short).
const DEFAULT_RESTART_WEEKS: f64 = 52.0;

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
                (
                    "restart_price_ratio",
                    p.knobs.economics.restart_price_ratio.is_some(),
                ),
                (
                    "restart_sustain_weeks",
                    p.knobs.economics.restart_sustain_weeks.is_some(),
                ),
                ("restart_weeks", p.knobs.economics.restart_weeks.is_some()),
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
            // The operator's knobs come from its first producer: the same knob on a later member
            // would be silently ignored, so it is refused.
            for (j, q) in f.producer.iter().enumerate().skip(k + 1) {
                if q.economics.cash_cost_usd_per_kg.is_none()
                    || q.economics.operator.as_deref().unwrap_or(&q.name) != name
                {
                    continue;
                }
                let e = &q.knobs.economics;
                for (knob, set) in [
                    ("close_after_loss_weeks", e.close_after_loss_weeks.is_some()),
                    ("restart_price_ratio", e.restart_price_ratio.is_some()),
                    ("restart_sustain_weeks", e.restart_sustain_weeks.is_some()),
                    ("restart_weeks", e.restart_weeks.is_some()),
                ] {
                    if set {
                        self.problem(
                            format!("producer.{j}.{knob}"),
                            format!(
                                "`{knob}` on `{}`, not the first producer of operator `{name}`: an operator's loss tolerance and restart rule come from its first producer, `{}`",
                                q.name, p.name
                            ),
                            format!(
                                "move `{knob}` to producer `{}` (or to `[defaults.producer]`)",
                                p.name
                            ),
                        );
                    }
                }
            }
            let (own, default) = (&p.knobs.economics, &f.defaults.producer.economics);
            let close_after = self.operator_knob(k, "close_after_loss_weeks", own, default, |e| {
                e.close_after_loss_weeks.as_ref()
            });
            let ratio = self.operator_knob(k, "restart_price_ratio", own, default, |e| {
                e.restart_price_ratio.as_ref()
            });
            let sustain = self.operator_knob(k, "restart_sustain_weeks", own, default, |e| {
                e.restart_sustain_weeks.as_ref()
            });
            let offline = self.operator_knob(k, "restart_weeks", own, default, |e| {
                e.restart_weeks.as_ref()
            });
            let restart = ratio.map(|price_ratio| core::Restart {
                price_ratio,
                sustain_steps: self
                    .steps(sustain.unwrap_or(DEFAULT_RESTART_SUSTAIN_WEEKS))
                    .max(1),
                offline_steps: self.steps(offline.unwrap_or(DEFAULT_RESTART_WEEKS)).max(1),
            });
            operators.push(core::OperatorParams {
                name,
                close_after_loss_steps: close_after.map(|w| self.steps(w).max(1)),
                restart,
            });
        }
        operators
    }

    /// An operator's economics knob from its first producer `k`, else `[defaults.producer]`.
    fn operator_knob(
        &mut self,
        k: usize,
        name: &str,
        own: &EconomicsKnobs,
        default: &EconomicsKnobs,
        field: fn(&EconomicsKnobs) -> Option<&Num>,
    ) -> Option<f64> {
        match (field(own), field(default)) {
            (Some(n), _) => Some(self.num(&format!("producer.{k}.{name}"), n)),
            (None, Some(n)) => Some(self.num(&format!("defaults.producer.{name}"), n)),
            (None, None) => None,
        }
    }
}
