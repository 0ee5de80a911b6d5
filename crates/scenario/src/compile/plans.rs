//! Planned capacity (`[producer.plan]`) and `[[grant]]` (issue 18): a producer's plan with its
//! financing knobs (own, else `[defaults.producer]`, else the defaults below), and the grants
//! and loans resolved against the planned producers, their dates as reported steps.

use chokepoint_core as core;

use super::Build;
use crate::diagnostics::did_you_mean;
use crate::num::Num;
use crate::schema::{PlanKnobs, ProducerSpec};

/// Annual capital charge per USD of capex when the file does not say: assumption, the
/// capital-recovery factor of a 10-year life at ~8 % cost of capital, 0.149 (design §2.4).
const DEFAULT_CAPITAL_CHARGE_SHARE_PER_YEAR: f64 = 0.15;
/// Time constant of the expected price when the file does not say: assumption, the 26 weeks of
/// high prices behaviour.toml's `expansion_sustain_weeks` waits before a project (design §2.4).
const DEFAULT_FINANCING_WINDOW_WEEKS: f64 = 26.0;
/// Days in a year, to turn a loan's `term_years` into steps (365.25, as the calendar's).
const DAYS_PER_YEAR: f64 = core::Calendar::DAYS_PER_YEAR;

impl Build<'_> {
    /// Producer `key`'s plan, if it has one; a plan with `online` or without a cash cost, and
    /// the financing knobs without a plan, are refused.
    pub(super) fn producer_plan(&mut self, key: &str, p: &ProducerSpec) -> Option<core::Plan> {
        let own = &p.knobs.plan;
        let Some(spec) = &p.plan else {
            for (name, given) in [
                (
                    "capital_charge_share_per_year",
                    own.capital_charge_share_per_year.is_some(),
                ),
                (
                    "financing_window_weeks",
                    own.financing_window_weeks.is_some(),
                ),
            ] {
                if given {
                    self.problem(
                        format!("{key}.{name}"),
                        format!("`{name}` without `plan`"),
                        "add a `plan = { decision_from = ..., build_weeks = ... }` or remove it",
                    );
                }
            }
            return None;
        };
        if p.online.is_some() {
            self.problem(
                format!("{key}.plan"),
                "`plan` together with `online`: a planned producer's start depends on its financing",
                "keep `online` (a dated start, built whatever the prices) or `plan` (built only if financed), not both",
            );
        }
        if p.ramp_weeks.is_some() {
            self.problem(
                format!("{key}.ramp_weeks"),
                "`ramp_weeks` beside `plan`",
                "move it into the plan: `plan = { ..., ramp_weeks = 52 }`",
            );
        }
        if p.economics.cash_cost_usd_per_kg.is_none() {
            self.problem(
                format!("{key}.plan"),
                "`plan` without `cash_cost_usd_per_kg`: its breakeven decides its financing",
                "add `cash_cost_usd_per_kg = ...` (the producer's variable cost)",
            );
        }
        let pkey = format!("{key}.plan");
        let decision_step = if let Some(date) = spec.decision_from {
            let start = self.file.scenario.start.unwrap_or(date);
            let days = (date - start).num_days();
            let step_days = i64::from(self.file.scenario.step_days.unwrap_or(7).max(1));
            let step = days.div_euclid(step_days) + i64::from(days.rem_euclid(step_days) > 0);
            u32::try_from(step.max(0)).unwrap_or(u32::MAX)
        } else {
            self.problem(
                format!("{pkey}.decision_from"),
                "missing required key",
                "add `decision_from = 2025-01-06` (the first day the project may be financed)",
            );
            0
        };
        let build_steps = if let Some(n) = &spec.build_weeks {
            let w = self.num(&format!("{pkey}.build_weeks"), n);
            self.steps(w)
        } else {
            self.problem(
                format!("{pkey}.build_weeks"),
                "missing required key",
                "add `build_weeks = 104` (construction from financing to first output)",
            );
            0
        };
        let ramp_weeks = self.opt_num(&format!("{pkey}.ramp_weeks"), spec.ramp_weeks.as_ref());
        let capex_usd = self
            .opt_num(&format!("{pkey}.capex_usd"), spec.capex_usd.as_ref())
            .unwrap_or(0.0);
        let abandon = self.opt_num(
            &format!("{pkey}.abandon_after_weeks"),
            spec.abandon_after_weeks.as_ref(),
        );
        let default = &self.file.defaults.producer.plan;
        let charge = self
            .plan_knob(key, "capital_charge_share_per_year", own, default, |k| {
                k.capital_charge_share_per_year.as_ref()
            })
            .unwrap_or(DEFAULT_CAPITAL_CHARGE_SHARE_PER_YEAR);
        let window = self
            .plan_knob(key, "financing_window_weeks", own, default, |k| {
                k.financing_window_weeks.as_ref()
            })
            .unwrap_or(DEFAULT_FINANCING_WINDOW_WEEKS);
        Some(core::Plan {
            decision_step,
            build_steps,
            ramp_steps: self.weeks_to_steps(ramp_weeks.unwrap_or(0.0)),
            capex_usd,
            capital_charge_share_per_step: self.per_year_to_step(charge),
            financing_window_steps: self.weeks_to_steps(window).max(1.0),
            abandon_after_steps: abandon.map(|w| self.steps(w)),
        })
    }

    fn opt_num(&mut self, key: &str, n: Option<&Num>) -> Option<f64> {
        n.map(|n| self.num(key, n))
    }

    /// A financing knob of producer `key`, else `[defaults.producer]`.
    fn plan_knob(
        &mut self,
        key: &str,
        name: &str,
        own: &PlanKnobs,
        default: &PlanKnobs,
        field: fn(&PlanKnobs) -> Option<&Num>,
    ) -> Option<f64> {
        match (field(own), field(default)) {
            (Some(n), _) => Some(self.num(&format!("{key}.{name}"), n)),
            (None, Some(n)) => Some(self.num(&format!("defaults.producer.{name}"), n)),
            (None, None) => None,
        }
    }

    /// The grants and loans of the file (section `LEVERS`, built after `producers`).
    pub(super) fn build_grants(&mut self, params: &core::ModelParams) -> Vec<core::Grant> {
        let f = self.file;
        let cal = &params.calendar;
        let mut grants = Vec::with_capacity(f.grant.len());
        for (j, spec) in f.grant.iter().enumerate() {
            let key = format!("grant.{j}");
            self.check_entry_name(
                &key,
                &spec.name,
                f.grant[..j].iter().map(|o| o.name.as_str()),
            );
            let Some(producer) = params
                .producers
                .iter()
                .position(|p| p.name == spec.producer)
            else {
                let names: Vec<&str> = params.producers.iter().map(|p| p.name.as_str()).collect();
                self.problem(
                    format!("{key}.producer"),
                    format!(
                        "unknown producer `{}`{}",
                        spec.producer,
                        did_you_mean(&spec.producer, &names)
                    ),
                    "name a `[[producer]]` with a `plan` defined in the file",
                );
                continue;
            };
            if params.producers[producer].plan.is_none() {
                self.problem(
                    format!("{key}.producer"),
                    format!(
                        "`{}` has no `plan`: a grant supports planned capacity",
                        spec.producer
                    ),
                    "give the producer a `plan = { decision_from = ..., build_weeks = ..., capex_usd = ... }`, or name a planned producer",
                );
            }
            let loan = match spec.kind.as_deref() {
                None | Some("grant") => {
                    for (name, given) in [
                        ("grant_element_share", spec.grant_element_share.is_some()),
                        ("term_years", spec.term_years.is_some()),
                    ] {
                        if given {
                            self.problem(
                                format!("{key}.{name}"),
                                format!("`{name}` on a grant"),
                                "set `kind = \"loan\"`, or remove it (a grant is paid whole)",
                            );
                        }
                    }
                    false
                }
                Some("loan") => true,
                Some(other) => {
                    self.problem(
                        format!("{key}.kind"),
                        format!(
                            "unknown kind `{other}`{}",
                            did_you_mean(other, &["grant", "loan"])
                        ),
                        "use `grant` or `loan`",
                    );
                    false
                }
            };
            let loan = if loan {
                let share = self.opt_num(
                    &format!("{key}.grant_element_share"),
                    spec.grant_element_share.as_ref(),
                );
                let years = self.opt_num(&format!("{key}.term_years"), spec.term_years.as_ref());
                if share.is_none() {
                    self.problem(
                        format!("{key}.grant_element_share"),
                        "a loan without `grant_element_share`",
                        "add `grant_element_share = 0.35` (the share of the principal that is a subsidy)",
                    );
                }
                if years.is_none() {
                    self.problem(
                        format!("{key}.term_years"),
                        "a loan without `term_years`",
                        "add `term_years = 10` (straight-line repayment from first output)",
                    );
                }
                #[allow(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "rounded to whole steps and clamped to [1, u32::MAX] first"
                )]
                let term_steps = (years.unwrap_or(1.0) * DAYS_PER_YEAR / self.step_days)
                    .round()
                    .clamp(1.0, f64::from(u32::MAX)) as u32;
                Some(core::Loan {
                    grant_element_share: share.unwrap_or(0.0),
                    term_steps,
                })
            } else {
                None
            };
            let amount_usd = if let Some(n) = &spec.amount_usd {
                self.num(&format!("{key}.amount_usd"), n)
            } else {
                self.problem(
                    format!("{key}.amount_usd"),
                    "missing required key",
                    "add `amount_usd = 100e6` (USD)",
                );
                0.0
            };
            let Some(date) = spec.date else {
                self.problem(
                    format!("{key}.date"),
                    "missing required key",
                    "add `date = 2025-01-06` (the commitment date)",
                );
                continue;
            };
            let lead_time_cut_steps = spec.lead_time_cut_weeks.as_ref().map_or(0, |n| {
                let w = self.num(&format!("{key}.lead_time_cut_weeks"), n);
                self.steps(w)
            });
            grants.push(core::Grant {
                name: spec.name.clone(),
                producer,
                amount_usd,
                from_step: cal.step_of(date),
                lead_time_cut_steps,
                loan,
            });
        }
        grants
    }
}
