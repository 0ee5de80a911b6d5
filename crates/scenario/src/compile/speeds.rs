//! What a technology control does to the state in force (`super::events` applies it): the
//! covered producers' build and ramp speeds multiply, stored empty when all are at full speed;
//! and where a changed speed came from, for the model's own checks. Kept apart from
//! `super::tech` (which parses the shock into a measure) so that `events` needs no parser.

use chokepoint_core as core;
use chokepoint_core::ProducerId;

/// Progress per step with no control in force: the speed a missing share means.
pub(super) const FULL_SPEED: f64 = 1.0;

/// What one technology control puts in force: the producers it covers and their speeds.
#[derive(Clone, Debug)]
pub(super) struct Control {
    /// The covered producers.
    pub producers: Vec<ProducerId>,
    /// Share of a step's construction progress they make.
    pub build: f64,
    /// Share of a step's ramp-up progress they make.
    pub ramp: f64,
}

impl Control {
    /// True when it covers producer `j`.
    pub(super) fn covers(&self, j: usize) -> bool {
        self.producers.iter().any(|p| p.idx() == j)
    }

    /// Adds its speeds to the market state: the covered producers' speeds are multiplied by
    /// the control's. Tables of ones are stored empty (the model's "no control"), so a control
    /// at full speed changes nothing, not even the timeline's events.
    pub(super) fn slow(&self, market: &mut core::MarketState) {
        slow(market, &self.producers, self.build, self.ramp);
    }
}

fn slow(market: &mut core::MarketState, producers: &[ProducerId], build: f64, ramp: f64) {
    let n = market.derate_share.len();
    for (table, share) in [
        (&mut market.build_speed, build),
        (&mut market.ramp_speed, ramp),
    ] {
        if table.is_empty() {
            table.resize(n, FULL_SPEED);
        }
        for p in producers {
            if let Some(x) = table.get_mut(p.idx()) {
                *x *= share;
            }
        }
        #[allow(clippy::float_cmp, reason = "exactly full speed, as stored")]
        if table.iter().all(|&x| x == FULL_SPEED) {
            table.clear();
        }
    }
}

/// Where a changed speed came from: the latest active control covering the producer (for the
/// model's own range check to name the scenario key).
pub(super) fn speed_origins(
    at: &str,
    (now, before): (&core::MarketState, &core::MarketState),
    latest_covering: &dyn Fn(usize) -> Option<String>,
    push: &mut dyn FnMut(String, String),
) {
    for (name, x, y) in [
        ("build_speed", &now.build_speed, &before.build_speed),
        ("ramp_speed", &now.ramp_speed, &before.ramp_speed),
    ] {
        let n = x.len().max(y.len());
        let at_j = |v: &Vec<f64>, j: usize| v.get(j).copied().unwrap_or(FULL_SPEED);
        for j in 0..n {
            if at_j(x, j).to_bits() != at_j(y, j).to_bits() {
                let key = latest_covering(j).unwrap_or_else(|| "shock".into());
                push(format!("{at}.market.{name}[{j}]"), key);
            }
        }
    }
}
