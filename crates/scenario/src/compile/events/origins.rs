//! Where each value of the policy timeline came from (the latest active shock that sets it, else
//! the exporter's baseline), so that a model error about it is reported at that scenario key.

use super::{EventState, Measure, Window};

/// Where a value of the timeline came from, so that a model error about it is reported at the
/// scenario key that set it.
#[derive(Clone, Debug)]
pub(crate) struct EventOrigin {
    /// Model path of the value or table (`events[3].in_force.authorities[0].regime`).
    pub path: String,
    /// The scenario key of the table that set it: the latest active shock that sets it, else
    /// the exporter's baseline.
    pub key: String,
    /// The table `key` falls back to (a shock's licence regime, the exporter's `licence`).
    pub base: Option<String>,
}

/// Records where every value that changed between `before` and `now` came from. `at` is the
/// model path of the event's state.
#[allow(
    clippy::float_cmp,
    reason = "an unchanged value is bit-for-bit the same"
)]
pub(super) fn origins(
    at: &str,
    now: &EventState,
    before: &EventState,
    order: &[usize],
    windows: &[Option<Window>],
    out: &mut Vec<EventOrigin>,
) {
    // The latest active shock with a measure that `sets`, if any.
    let latest = |sets: &dyn Fn(&Measure) -> bool| {
        order
            .iter()
            .rev()
            .find(|&&k| windows[k].as_ref().is_some_and(|w| w.on.iter().any(sets)))
            .map(|k| format!("shock.{k}"))
    };
    let mut push = |path: String, key: String, base: Option<String>| {
        out.push(EventOrigin { path, key, base });
    };
    let (new, old) = (&now.in_force, &before.in_force);
    for (a, (x, y)) in new.authorities.iter().zip(&old.authorities).enumerate() {
        let path = format!("{at}.authorities[{a}]");
        let exporter = format!("exporter.{a}");
        let mine = |m: &Measure| m.authority().is_some_and(|b| b.idx() == a);
        if x.controlled != y.controlled {
            let key = latest(&|m| mine(m) && matches!(m, Measure::Control { .. }));
            push(
                format!("{path}.controlled"),
                key.unwrap_or(exporter.clone()),
                None,
            );
        }
        if x.embargo != y.embargo {
            let key = latest(&|m| mine(m) && matches!(m, Measure::Embargo { .. }));
            push(
                format!("{path}.embargo"),
                key.unwrap_or(exporter.clone()),
                None,
            );
        }
        for (q, (c, d)) in x.quota_annual_t.iter().zip(&y.quota_annual_t).enumerate() {
            if c != d {
                let key = latest(&|m| {
                    matches!(m, Measure::Quota { quota, .. } if *quota == q) && mine(m)
                });
                let key = key.unwrap_or_else(|| format!("{exporter}.quota.{q}"));
                push(format!("{path}.quota_annual_t[{q}]"), key, None);
            }
        }
        for (q, (c, d)) in x.quota_batches.iter().zip(&y.quota_batches).enumerate() {
            if c != d {
                let key = latest(&|m| {
                    matches!(m, Measure::Quota { quota, batches: Some(_), .. } if *quota == q)
                        && mine(m)
                });
                let key = key.unwrap_or_else(|| format!("{exporter}.quota.{q}"));
                push(format!("{path}.quota_batches[{q}]"), key, None);
            }
        }
        if x.general_licence != y.general_licence {
            let key = latest(&|m| mine(m) && matches!(m, Measure::GeneralLicence { .. }));
            push(
                format!("{path}.general_licence"),
                key.unwrap_or(exporter.clone()),
                None,
            );
        }
        if x.announcement_premium != y.announcement_premium {
            // Announcements are not in `order` (active shocks): any shock announcing one.
            let key = windows
                .iter()
                .enumerate()
                .rev()
                .find(|(_, w)| {
                    w.as_ref().is_some_and(|w| {
                        w.pre
                            .iter()
                            .any(|m| m.authority().is_some_and(|b| b.idx() == a))
                    })
                })
                .map(|(k, _)| format!("shock.{k}"));
            push(
                format!("{path}.announcement_premium"),
                key.unwrap_or(exporter.clone()),
                None,
            );
        }
        if x.regime != y.regime || now.regime_by[a] != before.regime_by[a] {
            let base = format!("{exporter}.licence");
            let (key, base) = match now.regime_by[a] {
                Some(k) => (format!("shock.{k}"), Some(base)),
                None => (base, None),
            };
            push(format!("{path}.regime"), key, base);
        }
        if x.extraterritorial_share != y.extraterritorial_share {
            let key = latest(&|m| mine(m) && matches!(m, Measure::Extraterritorial { .. }));
            push(
                format!("{path}.extraterritorial_share"),
                key.unwrap_or(exporter),
                None,
            );
        }
    }
    let (x, y) = (&new.market, &old.market);
    for (j, (c, d)) in x.derate_share.iter().zip(&y.derate_share).enumerate() {
        if c != d {
            let key = latest(
                &|m| matches!(m, Measure::CapacityOutage { producers, .. } if producers.iter().any(|p| p.idx() == j)),
            );
            push(
                format!("{at}.market.derate_share[{j}]"),
                key.unwrap_or("shock".into()),
                None,
            );
        }
    }
    for (j, (c, d)) in x
        .demand_multiplier
        .iter()
        .zip(&y.demand_multiplier)
        .enumerate()
    {
        if c != d {
            let key = latest(
                &|m| matches!(m, Measure::DemandSurge { manufacturers, .. } if manufacturers.iter().any(|x| x.idx() == j)),
            );
            push(
                format!("{at}.market.demand_multiplier[{j}]"),
                key.unwrap_or("shock".into()),
                None,
            );
        }
    }
    let covering =
        |j: usize| latest(&|m| matches!(m, Measure::TechnologyControl(c) if c.covers(j)));
    super::super::speeds::speed_origins(at, (x, y), &covering, &mut |path, key| {
        push(path, key, None);
    });
}
