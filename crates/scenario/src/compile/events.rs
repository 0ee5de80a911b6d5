//! From shock windows to policy events: suspensions and lifts, and the state in force at each
//! step worked out from every active shock, so that ending one measure never undoes another's.
//! Also the timeline `chokepoint check` prints.

use chokepoint_core as core;
use chokepoint_core::{
    AuthorityId, ItemId, ManufacturerId, PolicyAction, PolicyEvent, ProducerId, RegionId,
};

use super::Build;
use crate::diagnostics::did_you_mean;

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
}

/// One dated change, before it is described.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TimelineMark {
    pub step: u32,
    pub shock: usize,
    pub target: Option<usize>,
    pub phase: Phase,
}

/// One shock: (start step, end step) and the actions that put it in force.
pub(super) struct Window {
    pub start: u32,
    pub end: u32,
    pub on: Vec<PolicyAction>,
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
        // Activity is constant between these steps.
        let mut boundaries: Vec<u32> = windows
            .iter()
            .flatten()
            .flat_map(|w| [w.start, w.end])
            .chain(gaps.iter().flatten().flat_map(|&(a, b, _)| [a, b]))
            .filter(|&s| s < cal.n_steps)
            .collect();
        boundaries.sort_unstable();
        boundaries.dedup();
        // The state in force is recomputed from every active shock at each boundary, and only
        // what changed becomes an event: ending one measure never undoes another's, or the
        // baseline's. Among shocks setting the same value (a quota, the regime, the
        // extraterritorial share) the latest to start wins; derates and surges multiply.
        let baseline = EventState::baseline(params);
        let mut previous = baseline.clone();
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
            let changes = state.changes_from(
                &previous,
                params,
                &windows
                    .iter()
                    .map(|w| w.as_ref().map(|w| w.on.as_slice()))
                    .collect::<Vec<_>>(),
            );
            if self.validating() {
                for action in &changes {
                    let origin = origin(action, &order, &windows, &state);
                    self.event_origins.push(origin);
                }
            }
            events.extend(
                changes
                    .into_iter()
                    .map(|action| PolicyEvent { step, action }),
            );
            previous = state;
        }
        events
    }
}

/// The scenario key of the table that set `action` (the latest active shock that sets it, else
/// the exporter's baseline), and the table it falls back to: where a model error about it is
/// reported.
fn origin(
    action: &PolicyAction,
    order: &[usize],
    windows: &[Option<Window>],
    state: &EventState,
) -> (String, Option<String>) {
    let same = |x: &PolicyAction| match (action, x) {
        (
            PolicyAction::Control { authority: a, .. },
            PolicyAction::Control { authority: b, .. },
        )
        | (
            PolicyAction::Embargo { authority: a, .. },
            PolicyAction::Embargo { authority: b, .. },
        )
        | (
            PolicyAction::Extraterritorial { authority: a, .. },
            PolicyAction::Extraterritorial { authority: b, .. },
        ) => a == b,
        (
            PolicyAction::Quota {
                authority: a,
                quota: p,
                ..
            },
            PolicyAction::Quota {
                authority: b,
                quota: q,
                ..
            },
        ) => a == b && p == q,
        (
            PolicyAction::CapacityOutage { producers: a, .. },
            PolicyAction::CapacityOutage { producers: b, .. },
        ) => a.iter().any(|p| b.contains(p)),
        (
            PolicyAction::DemandSurge {
                manufacturers: a, ..
            },
            PolicyAction::DemandSurge {
                manufacturers: b, ..
            },
        ) => a.iter().any(|m| b.contains(m)),
        _ => false,
    };
    let authority = match action {
        PolicyAction::Control { authority, .. }
        | PolicyAction::Embargo { authority, .. }
        | PolicyAction::Quota { authority, .. }
        | PolicyAction::LicenceRegime { authority, .. }
        | PolicyAction::Extraterritorial { authority, .. } => Some(authority.idx()),
        _ => None,
    };
    if let (PolicyAction::LicenceRegime { .. }, Some(a)) = (action, authority) {
        let base = format!("exporter.{a}.licence");
        return match state.regime.get(a).copied().flatten() {
            Some(k) => (format!("shock.{k}"), Some(base)),
            None => (base, None),
        };
    }
    let shock = order
        .iter()
        .rev()
        .find(|&&k| windows[k].as_ref().is_some_and(|w| w.on.iter().any(same)));
    match (shock, action, authority) {
        (Some(k), ..) => (format!("shock.{k}"), None),
        (None, PolicyAction::Quota { quota, .. }, Some(a)) => {
            (format!("exporter.{a}.quota.{quota}"), None)
        }
        (None, _, Some(a)) => (format!("exporter.{a}"), None),
        (None, _, None) => ("shock".to_owned(), None),
    }
}

/// What the shocks set, at one step: the basis for turning overlapping shocks into events.
#[derive(Clone, Debug, PartialEq)]
struct EventState {
    /// Per authority, per item.
    controlled: Vec<Vec<bool>>,
    /// Per authority, per destination × item.
    embargo: Vec<Vec<bool>>,
    /// Per authority, per quota.
    quota: Vec<Vec<Option<f64>>>,
    /// Per authority: the shock whose licence regime is in force (`None` = the exporter's own).
    regime: Vec<Option<usize>>,
    /// Per authority.
    extraterritorial: Vec<Option<f64>>,
    /// Per producer: share of capacity lost.
    derate: Vec<f64>,
    /// Per manufacturer: demand multiplier.
    surge: Vec<f64>,
}

impl EventState {
    fn baseline(p: &core::ModelParams) -> Self {
        let ni = p.items.len();
        let nr = p.regions.len();
        let controlled = p
            .authorities
            .iter()
            .map(|a| {
                let mut v = vec![false; ni];
                for i in &a.controlled {
                    v[i.idx()] = true;
                }
                v
            })
            .collect();
        let embargo = p
            .authorities
            .iter()
            .map(|a| {
                let mut v = vec![false; nr * ni];
                for e in &a.embargoes {
                    v[e.destination.idx() * ni + e.item.idx()] = true;
                }
                v
            })
            .collect();
        Self {
            controlled,
            embargo,
            quota: p
                .authorities
                .iter()
                .map(|a| a.quotas.iter().map(|q| q.annual_t).collect())
                .collect(),
            regime: vec![None; p.authorities.len()],
            extraterritorial: p
                .authorities
                .iter()
                .map(|a| a.extraterritorial_share)
                .collect(),
            derate: vec![0.0; p.producers.len()],
            surge: vec![1.0; p.manufacturers.len()],
        }
    }

    /// Adds the effect of shock `k` (its "on" actions).
    fn apply(&mut self, k: usize, on: &[PolicyAction]) {
        let ni = self.controlled.first().map_or(0, Vec::len);
        for action in on {
            match action {
                PolicyAction::Control {
                    authority,
                    items,
                    controlled,
                } => {
                    for i in items {
                        if let Some(c) = self
                            .controlled
                            .get_mut(authority.idx())
                            .and_then(|v| v.get_mut(i.idx()))
                        {
                            *c |= *controlled;
                        }
                    }
                }
                PolicyAction::Embargo {
                    authority,
                    destinations,
                    items,
                    active,
                } => {
                    for d in destinations {
                        for i in items {
                            if let Some(e) = self
                                .embargo
                                .get_mut(authority.idx())
                                .and_then(|v| v.get_mut(d.idx() * ni + i.idx()))
                            {
                                *e |= *active;
                            }
                        }
                    }
                }
                PolicyAction::Quota {
                    authority,
                    quota,
                    annual_t,
                } => {
                    if let Some(q) = self
                        .quota
                        .get_mut(authority.idx())
                        .and_then(|v| v.get_mut(*quota))
                    {
                        *q = *annual_t;
                    }
                }
                PolicyAction::LicenceRegime { authority, .. } => {
                    if let Some(r) = self.regime.get_mut(authority.idx()) {
                        *r = Some(k);
                    }
                }
                PolicyAction::Extraterritorial { authority, share } => {
                    if let Some(e) = self.extraterritorial.get_mut(authority.idx()) {
                        *e = *share;
                    }
                }
                PolicyAction::CapacityOutage { producers, share } => {
                    for p in producers {
                        if let Some(d) = self.derate.get_mut(p.idx()) {
                            *d = 1.0 - (1.0 - *d) * (1.0 - share);
                        }
                    }
                }
                PolicyAction::DemandSurge {
                    manufacturers,
                    multiplier,
                } => {
                    for m in manufacturers {
                        if let Some(s) = self.surge.get_mut(m.idx()) {
                            *s *= multiplier;
                        }
                    }
                }
            }
        }
    }

    /// The events that turn `before` into `self`. `on[k]` are shock k's actions (for the
    /// licence regime a shock sets).
    #[allow(
        clippy::float_cmp,
        reason = "an unchanged value is bit-for-bit the same"
    )]
    fn changes_from(
        &self,
        before: &Self,
        p: &core::ModelParams,
        on: &[Option<&[PolicyAction]>],
    ) -> Vec<PolicyAction> {
        let mut out = Vec::new();
        let ni = p.items.len();
        for (a, (now, was)) in self.controlled.iter().zip(&before.controlled).enumerate() {
            let authority = AuthorityId::from(a);
            for flag in [true, false] {
                let items: Vec<ItemId> = (0..ni)
                    .filter(|&i| now[i] != was[i] && now[i] == flag)
                    .map(ItemId::from)
                    .collect();
                if !items.is_empty() {
                    out.push(PolicyAction::Control {
                        authority,
                        items,
                        controlled: flag,
                    });
                }
            }
        }
        for (a, (now, was)) in self.embargo.iter().zip(&before.embargo).enumerate() {
            let authority = AuthorityId::from(a);
            for d in 0..p.regions.len() {
                for flag in [true, false] {
                    let items: Vec<ItemId> = (0..ni)
                        .filter(|&i| now[d * ni + i] != was[d * ni + i] && now[d * ni + i] == flag)
                        .map(ItemId::from)
                        .collect();
                    if !items.is_empty() {
                        out.push(PolicyAction::Embargo {
                            authority,
                            destinations: vec![RegionId::from(d)],
                            items,
                            active: flag,
                        });
                    }
                }
            }
        }
        for (a, (now, was)) in self.quota.iter().zip(&before.quota).enumerate() {
            for (q, (x, y)) in now.iter().zip(was).enumerate() {
                if x != y {
                    out.push(PolicyAction::Quota {
                        authority: AuthorityId::from(a),
                        quota: q,
                        annual_t: *x,
                    });
                }
            }
        }
        for (a, (now, was)) in self.regime.iter().zip(&before.regime).enumerate() {
            if now != was {
                let authority = AuthorityId::from(a);
                let regime = now
                    .and_then(|k| on.get(k).copied().flatten())
                    .and_then(|acts| {
                        acts.iter().find_map(|x| match x {
                            PolicyAction::LicenceRegime { regime, .. } => Some(regime.clone()),
                            _ => None,
                        })
                    })
                    .unwrap_or_else(|| p.authorities[a].regime.clone());
                out.push(PolicyAction::LicenceRegime { authority, regime });
            }
        }
        for (a, (now, was)) in self
            .extraterritorial
            .iter()
            .zip(&before.extraterritorial)
            .enumerate()
        {
            if now != was {
                out.push(PolicyAction::Extraterritorial {
                    authority: AuthorityId::from(a),
                    share: *now,
                });
            }
        }
        for (k, (now, was)) in self.derate.iter().zip(&before.derate).enumerate() {
            if now != was {
                out.push(PolicyAction::CapacityOutage {
                    producers: vec![ProducerId::from(k)],
                    share: *now,
                });
            }
        }
        for (k, (now, was)) in self.surge.iter().zip(&before.surge).enumerate() {
            if now != was {
                out.push(PolicyAction::DemandSurge {
                    manufacturers: vec![ManufacturerId::from(k)],
                    multiplier: *now,
                });
            }
        }
        out
    }
}
