//! `technology_control` shocks (issue 18, design §4.2): an exporter bans the export of the
//! know-how to build and run plants of some stages, so that covered producers abroad build and
//! ramp up slower. While active, the producers of the listed `stages` standing in the listed
//! `regions` (default: every region but the exporter's) make `build_speed_share` of a normal
//! step's construction progress and `ramp_speed_share` of its ramp-up progress; overlapping
//! controls multiply, like outages. The model takes the speeds with the derates at step 1
//! ([`core::MarketState::build_speed`]).

use chokepoint_core as core;
use chokepoint_core::{AuthorityId, ProducerId, RegionId, Stage};

use super::Build;
use super::events::Measure;
use crate::diagnostics::did_you_mean;
use crate::schema::ShockSpec;

/// The stages a control may name, as written in a scenario file.
const STAGES: [(&str, Stage); 3] = [
    ("mining", Stage::Mining),
    ("separation", Stage::Separation),
    ("magnet_making", Stage::MagnetMaking),
];

/// Progress per step with no control in force: the speed a missing share means.
const FULL_SPEED: f64 = 1.0;

impl Build<'_> {
    /// The producers a `technology_control` covers and the speeds it sets.
    pub(super) fn technology_control(
        &mut self,
        key: &str,
        s: &ShockSpec,
        authority: AuthorityId,
        params: &core::ModelParams,
    ) -> Vec<Measure> {
        let names: Vec<&str> = STAGES.iter().map(|(n, _)| *n).collect();
        let mut stages = Vec::new();
        for (j, n) in s.stages.iter().enumerate() {
            match STAGES.iter().find(|(name, _)| name == n) {
                Some(&(_, st)) => stages.push(st),
                None => self.problem(
                    format!("{key}.stages.{j}"),
                    format!("unknown stage `{n}`{}", did_you_mean(n, &names)),
                    "use `mining`, `separation` or `magnet_making`",
                ),
            }
        }
        if s.stages.is_empty() {
            self.problem(
                format!("{key}.stages"),
                "a technology control needs the stages whose know-how it bans",
                "add `stages = [\"separation\", \"magnet_making\"]`",
            );
        }
        let own = params.authorities.get(authority.idx()).map(|a| a.region);
        let mut regions = Vec::new();
        for (j, n) in s.regions.iter().enumerate() {
            let r = self.region(&format!("{key}.regions.{j}"), n);
            if Some(r) == own {
                self.problem(
                    format!("{key}.regions.{j}"),
                    format!("`{n}` is the exporter's own region: its controls do not slow it"),
                    "remove it (leave `regions` out for every region but the exporter's)",
                );
            }
            regions.push(r);
        }
        if s.regions.is_empty() {
            regions = (0..params.regions.len())
                .map(RegionId::from)
                .filter(|&r| Some(r) != own)
                .collect();
        }
        let mut speed = |name: &str, n: Option<&crate::num::Num>| {
            n.map_or(FULL_SPEED, |n| self.num(&format!("{key}.{name}"), n))
        };
        let build = speed("build_speed_share", s.build_speed_share.as_ref());
        let ramp = speed("ramp_speed_share", s.ramp_speed_share.as_ref());
        if s.build_speed_share.is_none() && s.ramp_speed_share.is_none() {
            self.problem(
                format!("{key}.build_speed_share"),
                "a technology control that slows neither building nor ramping does nothing",
                "add `build_speed_share = 0.75` and/or `ramp_speed_share = 0.5` (in (0, 1])",
            );
        }
        let producers = params
            .producers
            .iter()
            .enumerate()
            .filter(|(_, p)| stages.contains(&p.stage) && regions.contains(&p.region))
            .map(|(k, _)| ProducerId::from(k))
            .collect();
        vec![Measure::TechnologyControl {
            producers,
            build,
            ramp,
        }]
    }
}

/// Adds a control's speeds to the market state: the covered producers' speeds are multiplied
/// by the control's. Tables of ones are stored empty (the model's "no control"), so a control
/// at full speed changes nothing, not even the timeline's events.
pub(super) fn slow(
    market: &mut core::MarketState,
    producers: &[ProducerId],
    build: f64,
    ramp: f64,
) {
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
