//! From shock windows to the model's policy timeline: suspensions and lifts, what each shock
//! means ([`Measure`], added to the state by `EventState::apply`), and the whole state in force
//! ([`core::InForce`]) worked out from every active shock at each step where one starts, ends,
//! is suspended, restored or lifted, so that ending one measure never undoes another's. Each
//! step where the state changes becomes one [`PolicyEvent`] carrying it; the model only switches
//! to it. Also the timeline `chokepoint check` prints.

use chokepoint_core as core;
use chokepoint_core::{AuthorityId, ItemId, ManufacturerId, PolicyEvent, ProducerId, RegionId};

use super::Build;
use super::destination_lists::{Lists, apply_lists};
use crate::diagnostics::did_you_mean;

mod origins;

pub(crate) use origins::EventOrigin;
use origins::origins;

/// What happens to a shock at a step, for `chokepoint check`'s timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The measure takes effect.
    Starts,
    /// The measure ends (its duration is over).
    Ends,
    /// A `suspend` shock pauses its target.
    Suspended,
    /// A suspension ends; the target is in force again.
    Restored,
    /// A `lift` shock ends its target.
    Lifted,
    /// The measure is announced; it takes effect later.
    Announced,
}

/// One dated change, before it is described.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TimelineMark {
    pub step: u32,
    pub shock: usize,
    pub target: Option<usize>,
    pub phase: Phase,
}

/// One shock: (start step, end step) and the actions that put it in force; from `announced`
/// (at most `start`) until `pre_end` (it starts, or a lift withdraws it first), the measures
/// `pre` of its announcement are in force.
pub(super) struct Window {
    pub start: u32,
    pub end: u32,
    pub on: Vec<Measure>,
    pub announced: u32,
    pub pre_end: u32,
    pub pre: Vec<Measure>,
}

impl Build<'_> {
    /// The events of all shocks' windows, with suspensions and lifts applied.
    pub(super) fn schedule(
        &mut self,
        mut windows: Vec<Option<Window>>,
        params: &core::ModelParams,
    ) -> Vec<PolicyEvent> {
        let f = self.file;
        let cal = &params.calendar;
        // Suspensions and lifts act on their targets: lifts first (each cuts the target short,
        // whatever the file order), then suspensions as gaps in the target's activity.
        let n = windows.len();
        let mut lifted_by: Vec<Option<usize>> = vec![None; n];
        let mut gaps: Vec<Vec<(u32, u32, usize)>> = vec![Vec::new(); n];
        let targets: Vec<Option<usize>> = f
            .shock
            .iter()
            .enumerate()
            .map(|(k, s)| {
                if !matches!(s.kind.as_str(), "suspend" | "lift") {
                    return None;
                }
                let target = s.target.clone().unwrap_or_default();
                let found = f
                    .shock
                    .iter()
                    .position(|x| x.name == target && !target.is_empty());
                if found.is_none() {
                    let cands: Vec<&str> = f
                        .shock
                        .iter()
                        .map(|x| x.name.as_str())
                        .filter(|n| !n.is_empty())
                        .collect();
                    self.problem(
                        format!("shock.{k}.target"),
                        format!("unknown shock `{target}`{}", did_you_mean(&target, &cands)),
                        "name the `name` of the shock to suspend or lift",
                    );
                }
                found
            })
            .collect();
        for (k, t) in targets.iter().enumerate() {
            let (Some(t), Some(lift)) = (*t, windows[k].as_ref().map(|w| w.start)) else {
                continue;
            };
            if f.shock[k].kind == "lift"
                && let Some(tw) = windows[t].as_mut()
                && lift < tw.end
            {
                tw.end = lift.max(tw.start);
                // A lift before the measure takes effect also ends its announcement.
                tw.pre_end = tw.pre_end.min(lift);
                lifted_by[t] = Some(k);
            }
        }
        for (k, t) in targets.iter().enumerate() {
            let (Some(t), Some((a, b))) = (*t, windows[k].as_ref().map(|w| (w.start, w.end)))
            else {
                continue;
            };
            if f.shock[k].kind == "suspend" {
                gaps[t].push((a, b, k));
            }
        }
        let active = |k: usize, step: u32| {
            windows[k]
                .as_ref()
                .is_some_and(|w| !w.on.is_empty() && step >= w.start && step < w.end)
                && !gaps[k].iter().any(|&(a, b, _)| step >= a && step < b)
        };
        let announcing = |k: usize, step: u32| {
            windows[k]
                .as_ref()
                .is_some_and(|w| !w.pre.is_empty() && step >= w.announced && step < w.pre_end)
                && !gaps[k].iter().any(|&(a, b, _)| step >= a && step < b)
        };
        // Activity is constant between these steps.
        let mut boundaries: Vec<u32> = windows
            .iter()
            .flatten()
            .flat_map(|w| [w.announced, w.pre_end, w.start, w.end])
            .chain(gaps.iter().flatten().flat_map(|&(a, b, _)| [a, b]))
            .filter(|&s| s < cal.n_steps)
            .collect();
        boundaries.sort_unstable();
        boundaries.dedup();
        // The state in force is recomputed from every active shock at each boundary on top of
        // the baseline, and becomes an event when it changed: ending one measure never undoes
        // another's, or the baseline's. Among shocks setting the same value (a quota, the
        // regime, the extraterritorial share) the latest to start wins; derates combine and
        // surges multiply.
        let lists = std::mem::take(&mut self.lists);
        let raw = self.raw_authorities.take();
        let ns = params.sectors.len();
        let baseline = EventState::baseline(params, raw.as_deref(), &lists);
        let mut previous = baseline.clone();
        previous.finish(&lists, ns);
        let mut was_active = vec![false; n];
        let mut events = Vec::new();
        for &step in &boundaries {
            let mut order: Vec<usize> = (0..n).filter(|&k| active(k, step)).collect();
            order.sort_by_key(|&k| (windows[k].as_ref().map_or(0, |w| w.start), k));
            let mut state = baseline.clone();
            for &k in &order {
                if let Some(w) = &windows[k] {
                    state.apply(k, &w.on);
                }
            }
            for k in (0..n).filter(|&k| announcing(k, step)) {
                if let Some(w) = &windows[k] {
                    state.apply(k, &w.pre);
                }
                if windows[k].as_ref().is_some_and(|w| w.announced == step) {
                    self.timeline.push(TimelineMark {
                        step,
                        shock: k,
                        target: None,
                        phase: Phase::Announced,
                    });
                }
            }
            for k in 0..n {
                let now = active(k, step);
                if now == was_active[k] {
                    continue;
                }
                let w = windows[k].as_ref().expect("active shocks have windows");
                let gap_start = gaps[k]
                    .iter()
                    .find(|&&(a, _, _)| a == step)
                    .map(|&(_, _, g)| g);
                let gap_end = gaps[k]
                    .iter()
                    .find(|&&(_, b, _)| b == step)
                    .map(|&(_, _, g)| g);
                let mark = |shock, target, phase| TimelineMark {
                    step,
                    shock,
                    target,
                    phase,
                };
                self.timeline.push(match (now, gap_start, gap_end) {
                    (true, _, Some(g)) if step != w.start => mark(g, Some(k), Phase::Restored),
                    (true, _, _) => mark(k, None, Phase::Starts),
                    (false, Some(g), _) => mark(g, Some(k), Phase::Suspended),
                    (false, _, _) => match lifted_by[k] {
                        Some(l) if step == w.end => mark(l, Some(k), Phase::Lifted),
                        _ => mark(k, None, Phase::Ends),
                    },
                });
                was_active[k] = now;
            }
            // A suspension that starts while its target is not in force (announced only, or
            // due to start later: No. 70 suspended No. 61 before it began) changes no activity
            // above, but `check` must still show when it starts (issue 13).
            for (t, target_gaps) in gaps.iter().enumerate() {
                for &(a, _, g) in target_gaps {
                    let shown = self
                        .timeline
                        .iter()
                        .any(|m| m.step == step && m.shock == g && m.target == Some(t));
                    if a == step && !shown {
                        self.timeline.push(TimelineMark {
                            step,
                            shock: g,
                            target: Some(t),
                            phase: Phase::Suspended,
                        });
                    }
                }
            }
            state.finish(&lists, ns);
            if state == previous {
                continue;
            }
            if self.validating() {
                let at = format!("events[{}].in_force", events.len());
                origins(
                    &at,
                    &state,
                    &previous,
                    &order,
                    &windows,
                    &mut self.event_origins,
                );
            }
            events.push(PolicyEvent {
                step,
                in_force: state.in_force.clone(),
            });
            previous = state;
        }
        events
    }
}

/// What a shock puts in force while it is active. The one definition of what each shock type
/// means: [`EventState::apply`] adds it to the state in force.
#[derive(Clone, Debug)]
pub(super) enum Measure {
    /// Items need a licence.
    Control {
        authority: AuthorityId,
        items: Vec<ItemId>,
    },
    /// No shipments of the items to the destinations.
    Embargo {
        authority: AuthorityId,
        destinations: Vec<RegionId>,
        items: Vec<ItemId>,
    },
    /// An annual cap for one of the exporter's quotas, issued in these batches (`None` = the
    /// batches in force).
    Quota {
        authority: AuthorityId,
        quota: usize,
        annual_t: f64,
        batches: Option<Vec<core::QuotaBatch>>,
    },
    /// Buyers in the destinations need no individual licence for the items.
    GeneralLicence {
        authority: AuthorityId,
        destinations: Vec<RegionId>,
        items: Vec<ItemId>,
    },
    /// A control of the items is announced: their world price carries a premium.
    Announce {
        authority: AuthorityId,
        items: Vec<ItemId>,
        premium: f64,
    },
    /// A licence regime replaces the one in force.
    LicenceRegime {
        authority: AuthorityId,
        regime: core::LicenceRegime,
    },
    /// An extraterritorial content threshold.
    Extraterritorial { authority: AuthorityId, share: f64 },
    /// Producers lose a share of capacity.
    CapacityOutage {
        producers: Vec<ProducerId>,
        share: f64,
    },
    /// Manufacturers' demand is multiplied.
    DemandSurge {
        manufacturers: Vec<ManufacturerId>,
        multiplier: f64,
    },
    /// The regions' plants sell abroad under the exporter's policy.
    Partner {
        authority: AuthorityId,
        regions: Vec<RegionId>,
    },
    /// The regions move onto one of the exporter's destination lists.
    DestinationList {
        authority: AuthorityId,
        list: usize,
        regions: Vec<RegionId>,
    },
    /// Producers build and ramp slower (a technology control; `super::tech`).
    TechnologyControl(super::speeds::Control),
}

impl Measure {
    /// The exporter acting, for measures of an export authority.
    fn authority(&self) -> Option<AuthorityId> {
        match self {
            Self::Control { authority, .. }
            | Self::Embargo { authority, .. }
            | Self::Quota { authority, .. }
            | Self::GeneralLicence { authority, .. }
            | Self::Announce { authority, .. }
            | Self::LicenceRegime { authority, .. }
            | Self::Extraterritorial { authority, .. }
            | Self::Partner { authority, .. }
            | Self::DestinationList { authority, .. } => Some(*authority),
            Self::CapacityOutage { .. } | Self::DemandSurge { .. } | Self::TechnologyControl(_) => {
                None
            }
        }
    }
}

/// What the shocks set, at one step: everything in force, and which shock's licence regime each
/// authority follows (two shocks may set equal regimes; a change of shock is still an event).
#[derive(Clone, Debug, PartialEq)]
struct EventState {
    in_force: core::InForce,
    /// Per authority: the shock whose licence regime is in force (`None` = the exporter's own).
    regime_by: Vec<Option<usize>>,
    /// Per authority, per region: the destination list it is on (empty without lists).
    members: Vec<Vec<Option<usize>>>,
}

impl EventState {
    /// The baseline before destination lists: the exporters as their tables state them
    /// (`raw`, when there are lists), the lists' members at the start.
    fn baseline(
        p: &core::ModelParams,
        raw: Option<&[core::AuthorityParams]>,
        lists: &Lists,
    ) -> Self {
        let mut in_force = p.baseline_in_force();
        if let Some(raw) = raw {
            let (ni, nr) = (p.items.len(), p.regions.len());
            in_force.authorities = raw.iter().map(|a| a.baseline_policy(ni, nr)).collect();
        }
        Self {
            in_force,
            regime_by: vec![None; p.authorities.len()],
            members: lists.members.clone(),
        }
    }

    /// The final pass: each exporter's destination lists over the state in force.
    fn finish(&mut self, lists: &Lists, n_sectors: usize) {
        for ((policy, lists), members) in self
            .in_force
            .authorities
            .iter_mut()
            .zip(&lists.lists)
            .zip(&self.members)
        {
            if !lists.is_empty() {
                apply_lists(policy, lists, members, n_sectors);
            }
        }
    }

    /// Adds the effect of shock `k` (its measures). Single values (a quota, the regime, the
    /// extraterritorial share) are overwritten, so applying shocks in order of start makes the
    /// latest win; derates combine and surges multiply.
    fn apply(&mut self, k: usize, on: &[Measure]) {
        let in_force = &mut self.in_force;
        for measure in on {
            let policy = measure
                .authority()
                .and_then(|a| in_force.authorities.get_mut(a.idx()));
            match (measure, policy) {
                (Measure::Control { items, .. }, Some(policy)) => {
                    for i in items {
                        if let Some(c) = policy.controlled.get_mut(i.idx()) {
                            *c = true;
                        }
                    }
                }
                (
                    Measure::Embargo {
                        destinations,
                        items,
                        ..
                    },
                    Some(policy),
                ) => {
                    let ni = policy.controlled.len();
                    for d in destinations {
                        for i in items {
                            if let Some(e) = policy.embargo.get_mut(d.idx() * ni + i.idx()) {
                                *e = true;
                            }
                        }
                    }
                }
                (
                    Measure::Quota {
                        quota,
                        annual_t,
                        batches,
                        ..
                    },
                    Some(policy),
                ) => {
                    if let Some(q) = policy.quota_annual_t.get_mut(*quota) {
                        *q = Some(*annual_t);
                    }
                    if let (Some(b), Some(to)) = (batches, policy.quota_batches.get_mut(*quota)) {
                        to.clone_from(b);
                    }
                }
                (
                    Measure::GeneralLicence {
                        destinations,
                        items,
                        ..
                    },
                    Some(policy),
                ) => {
                    let ni = policy.controlled.len();
                    for d in destinations {
                        for i in items {
                            if let Some(g) = policy.general_licence.get_mut(d.idx() * ni + i.idx())
                            {
                                *g = true;
                            }
                        }
                    }
                }
                (Measure::Announce { items, premium, .. }, Some(policy)) => {
                    for i in items {
                        if let Some(p) = policy.announcement_premium.get_mut(i.idx()) {
                            *p = p.max(*premium);
                        }
                    }
                }
                (Measure::LicenceRegime { authority, regime }, Some(policy)) => {
                    policy.regime = regime.clone();
                    self.regime_by[authority.idx()] = Some(k);
                }
                (Measure::Extraterritorial { share, .. }, Some(policy)) => {
                    policy.extraterritorial_share = Some(*share);
                }
                (
                    Measure::DestinationList {
                        authority,
                        list,
                        regions,
                    },
                    Some(_),
                ) => {
                    if let Some(members) = self.members.get_mut(authority.idx()) {
                        for r in regions {
                            if let Some(m) = members.get_mut(r.idx()) {
                                *m = Some(*list);
                            }
                        }
                    }
                }
                (Measure::Partner { regions, .. }, Some(policy)) => {
                    // One flag per region (the embargo table is region × item).
                    let nr = policy.embargo.len() / policy.controlled.len().max(1);
                    policy.partner.resize(nr, false);
                    for r in regions {
                        if let Some(x) = policy.partner.get_mut(r.idx()) {
                            *x = true;
                        }
                    }
                }
                (Measure::CapacityOutage { producers, share }, _) => {
                    for p in producers {
                        if let Some(d) = in_force.market.derate_share.get_mut(p.idx()) {
                            *d = 1.0 - (1.0 - *d) * (1.0 - share);
                        }
                    }
                }
                (
                    Measure::DemandSurge {
                        manufacturers,
                        multiplier,
                    },
                    _,
                ) => {
                    for m in manufacturers {
                        if let Some(s) = in_force.market.demand_multiplier.get_mut(m.idx()) {
                            *s *= multiplier;
                        }
                    }
                }
                (Measure::TechnologyControl(c), _) => c.slow(&mut in_force.market),
                (_, None) => {}
            }
        }
    }
}
