//! The timeline of policy events: steps in increasing order, every table sized to the model,
//! each value checked in the event where it takes effect.

use super::Checker;
use crate::error::ParamError;
use crate::params::ModelParams;
use crate::policy::{InForce, MarketState};

/// True when `now` differs from `before` (or there was nothing before): a value is checked in
/// the event where it takes effect, so that an error points at what set it.
fn changed<T: Copy>(now: T, before: Option<T>, same: impl Fn(T, T) -> bool) -> bool {
    before.is_none_or(|b| !same(now, b))
}

fn same_f64(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits()
}

fn same_cap(a: Option<f64>, b: Option<f64>) -> bool {
    a.map(f64::to_bits) == b.map(f64::to_bits)
}

impl Checker {
    /// The timeline of states in force: steps in increasing order, every table sized to the
    /// model, and each value that takes effect in an event within its range.
    pub(super) fn events(&mut self, p: &ModelParams) {
        let (ni, nr, ns) = (p.items.len(), p.regions.len(), p.sectors.len());
        let baseline = p.baseline_in_force();
        let mut before: &InForce = &baseline;
        let mut last_step = None;
        for (k, e) in p.events.iter().enumerate() {
            if last_step.is_some_and(|s| e.step <= s) {
                self.errors.push(ParamError::OutOfRange {
                    path: format!("events[{k}].step"),
                    value: e.step.to_string(),
                    expected: "a step later than the previous event's",
                });
            }
            last_step = Some(e.step);
            let path = format!("events[{k}].in_force");
            let now = &e.in_force;
            let na = p.authorities.len();
            if self.len(|| format!("{path}.authorities"), now.authorities.len(), na) {
                for (a, (state, auth)) in now.authorities.iter().zip(&p.authorities).enumerate() {
                    let was = before.authorities.get(a);
                    let path = format!("{path}.authorities[{a}]");
                    self.len(|| format!("{path}.controlled"), state.controlled.len(), ni);
                    self.len(|| format!("{path}.embargo"), state.embargo.len(), nr * ni);
                    let nq = auth.quotas.len();
                    self.len(
                        || format!("{path}.quota_annual_t"),
                        state.quota_annual_t.len(),
                        nq,
                    );
                    for (q, &cap) in state.quota_annual_t.iter().enumerate() {
                        let prev = was.and_then(|w| w.quota_annual_t.get(q).copied());
                        if let Some(t) = cap
                            && changed(cap, prev, same_cap)
                        {
                            self.non_negative(|| format!("{path}.quota_annual_t[{q}]"), t);
                        }
                    }
                    self.len(
                        || format!("{path}.quota_batches"),
                        state.quota_batches.len(),
                        nq,
                    );
                    for (q, b) in state.quota_batches.iter().enumerate() {
                        if was.is_none_or(|w| w.quota_batches.get(q) != Some(b)) {
                            self.batches(&format!("{path}.quota_batches[{q}]"), b);
                        }
                    }
                    if was.is_none_or(|w| w.regime != state.regime) {
                        self.regime(&format!("{path}.regime"), &state.regime, nr, ns);
                    }
                    self.len(
                        || format!("{path}.general_licence"),
                        state.general_licence.len(),
                        nr * ni,
                    );
                    self.len(
                        || format!("{path}.announcement_premium"),
                        state.announcement_premium.len(),
                        ni,
                    );
                    for (i, &x) in state.announcement_premium.iter().enumerate() {
                        let prev = was.and_then(|w| w.announcement_premium.get(i).copied());
                        if changed(x, prev, same_f64) {
                            self.non_negative(|| format!("{path}.announcement_premium[{i}]"), x);
                        }
                    }
                    let share = state.extraterritorial_share;
                    if let Some(s) = share
                        && changed(share, was.map(|w| w.extraterritorial_share), same_cap)
                    {
                        self.share(|| format!("{path}.extraterritorial_share"), s);
                    }
                }
            }
            let (m, was) = (&now.market, &before.market);
            self.len(
                || format!("{path}.market.derate_share"),
                m.derate_share.len(),
                p.producers.len(),
            );
            for (j, &s) in m.derate_share.iter().enumerate() {
                if changed(s, was.derate_share.get(j).copied(), same_f64) {
                    self.share(|| format!("{path}.market.derate_share[{j}]"), s);
                }
            }
            self.len(
                || format!("{path}.market.demand_multiplier"),
                m.demand_multiplier.len(),
                p.manufacturers.len(),
            );
            for (j, &x) in m.demand_multiplier.iter().enumerate() {
                if changed(x, was.demand_multiplier.get(j).copied(), same_f64) {
                    self.non_negative(|| format!("{path}.market.demand_multiplier[{j}]"), x);
                }
            }
            self.speeds(&path, m, was, p.producers.len());
            before = now;
        }
    }

    /// Technology controls' build and ramp speeds: each table empty (full speed) or one per
    /// producer, each speed that takes effect in (0, 1] (0 would stop a plant for good).
    fn speeds(&mut self, path: &str, m: &MarketState, was: &MarketState, n_producers: usize) {
        for (name, now, before) in [
            ("build_speed", &m.build_speed, &was.build_speed),
            ("ramp_speed", &m.ramp_speed, &was.ramp_speed),
        ] {
            if now.is_empty() {
                continue;
            }
            self.len(|| format!("{path}.market.{name}"), now.len(), n_producers);
            for (j, &x) in now.iter().enumerate() {
                if changed(x, before.get(j).copied(), same_f64) && !(x > 0.0 && x <= 1.0) {
                    self.errors.push(ParamError::OutOfRange {
                        path: format!("{path}.market.{name}[{j}]"),
                        value: x.to_string(),
                        expected: "a speed share in (0, 1]",
                    });
                }
            }
        }
    }
}
