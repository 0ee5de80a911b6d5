//! `technology_control` shocks (issue 18, design §4.2): an exporter bans the export of the
//! know-how to build and run plants of some stages, so that covered producers abroad build and
//! ramp up slower. While active, the producers of the listed `stages` standing in the listed
//! `regions` (default: every region but the exporter's) make `build_speed_share` of a normal
//! step's construction progress and `ramp_speed_share` of its ramp-up progress; overlapping
//! controls multiply, like outages (`super::speeds`). The model takes the speeds with the
//! derates at step 1 ([`core::MarketState::build_speed`]).

use chokepoint_core as core;
use chokepoint_core::{AuthorityId, ProducerId, RegionId, Stage};

use super::Build;
use super::events::Measure;
use super::speeds::{Control, FULL_SPEED};
use crate::diagnostics::did_you_mean;
use crate::schema::ShockSpec;

/// The stages a control may name, as written in a scenario file.
const STAGES: [(&str, Stage); 3] = [
    ("mining", Stage::Mining),
    ("separation", Stage::Separation),
    ("magnet_making", Stage::MagnetMaking),
];

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
        vec![Measure::TechnologyControl(Control {
            producers,
            build,
            ramp,
        })]
    }
}
