//! The per-replication metrics as one table: each row is a name, a unit and how the value is
//! computed from the running totals. The output schema, [`Outcome`] and [`is_event_metric`] all
//! read this table, so adding a metric touches one place (and docs/outputs.md). The order of
//! rows is the order of the outputs (golden files depend on it): the scalar rows, then each
//! per-item family over the items, then each per-group family over the manufacturer groups
//! (region × sector).

use crate::authority::ExportAuthority;
use crate::licences::LicenceTally;
use crate::outputs::Outcome;
use crate::params::{ItemKind, ModelParams};

mod levers;

pub(crate) use levers::{LEVER_METRICS, PLAN_METRICS, RECYCLING_METRICS};

/// Running totals of a replication, updated by the agents as the steps go by.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tally {
    /// Tonnes of each item behind output lost (past its deferral window), per item.
    pub(crate) unmet_t: Vec<f64>,
    /// Wanted output of every firm valued at its sector's value added, USD.
    pub(crate) wanted_usd: f64,
    /// Per manufacturer group: tonnes of inputs wanted for full output, and behind lost output.
    pub(crate) group_wanted_t: Vec<f64>,
    pub(crate) group_lost_t: Vec<f64>,
    /// Firms of importing regions halted, summed over steps.
    pub(crate) firm_steps_halted: f64,
    pub(crate) first_halt_step: Option<u32>,
    pub(crate) peak_halted_share: f64,
    /// Highest world price ratio per item.
    pub(crate) peak_price_ratio: Vec<f64>,
    pub(crate) stockpile_cost_usd: f64,
    pub(crate) released_t: f64,
    pub(crate) lost_output_usd: f64,
    pub(crate) exports_t: f64,
    /// Operators closed by their losses (issue 18).
    pub(crate) producer_closures: u32,
    /// USD paid by price floors (issue 18).
    pub(crate) floor_paid_usd: f64,
    /// USD the exporters' undercut rules forwent on their exports (issue 18).
    pub(crate) exporter_revenue_forgone_usd: f64,
    /// USD paid as grants, loans' grant elements and loans written off (issue 18).
    pub(crate) grants_paid_usd: f64,
    /// Capacity-weighted mean delay of planned producers' output, weeks (issue 18).
    pub(crate) planned_delay_weeks: f64,
    /// Share of planned producers' capacity running at the last reported step (issue 18).
    pub(crate) planned_online_share: f64,
    /// USD recycling mandates paid (issue 18).
    pub(crate) recycling_cost_usd: f64,
    /// Tonnes of material recyclers recovered (issue 18).
    pub(crate) recycled_t: f64,
}

impl Tally {
    /// Every total back to its opening value in place (no allocation): peak prices from
    /// `world`, the stockpile cost from the holdings' value `opening_cost_usd`.
    pub(crate) fn restart(&mut self, world: &[f64], opening_cost_usd: f64) {
        let mut peak = std::mem::take(&mut self.peak_price_ratio);
        peak.copy_from_slice(world);
        let mut unmet = std::mem::take(&mut self.unmet_t);
        unmet.fill(0.0);
        let mut group_wanted = std::mem::take(&mut self.group_wanted_t);
        group_wanted.fill(0.0);
        let mut group_lost = std::mem::take(&mut self.group_lost_t);
        group_lost.fill(0.0);
        *self = Self {
            unmet_t: unmet,
            group_wanted_t: group_wanted,
            group_lost_t: group_lost,
            peak_price_ratio: peak,
            stockpile_cost_usd: opening_cost_usd,
            ..Self::default()
        };
    }
}

/// What a metric is computed from: the totals and what is derived from them once per outcome.
pub(crate) struct Totals<'a> {
    tally: &'a Tally,
    params: &'a ModelParams,
    /// Licence decisions summed over the authorities.
    licences: LicenceTally,
    /// Length of a step in weeks.
    weeks: f64,
    /// Step of the first policy shock ([`ModelParams::first_policy_step`]; 0 if none), at most
    /// the horizon.
    first_shock: u32,
    n_steps: u32,
}

/// Whether a metric is a quantity or a 0/1 event (reported as a probability, Wilson interval).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Quantity,
    Event,
}

/// One scalar metric.
pub(crate) struct Metric {
    pub(crate) name: &'static str,
    /// What the metric measures in plain words, for people reading a report.
    pub(crate) label: &'static str,
    /// Which way is better for importers (a report marks the best strategy); None: neither.
    pub(crate) better: Option<Better>,
    /// As in docs/outputs.md.
    pub(crate) unit: &'static str,
    pub(crate) kind: Kind,
    pub(crate) value: fn(&Totals) -> f64,
}

/// A family of metrics, one per item: `<prefix>/<item name>`.
pub(crate) struct ItemMetric {
    pub(crate) prefix: &'static str,
    /// Plain words; the item's name follows.
    pub(crate) label: &'static str,
    pub(crate) better: Option<Better>,
    pub(crate) unit: &'static str,
    pub(crate) value: fn(&Totals, usize) -> f64,
}

/// A family of metrics, one per manufacturer group: `<prefix>/<region>/<sector>`.
pub(crate) struct GroupMetric {
    pub(crate) prefix: &'static str,
    /// Plain words; the region and sector follow.
    pub(crate) label: &'static str,
    pub(crate) better: Option<Better>,
    pub(crate) unit: &'static str,
    pub(crate) value: fn(&Totals, usize) -> f64,
}

/// Unmet tonnes summed over the items of one kind (tonnes of magnet and of oxide never mix).
fn unmet_of_kind(c: &Totals, kind: ItemKind) -> f64 {
    c.params
        .items
        .iter()
        .zip(&c.tally.unmet_t)
        .filter(|(item, _)| item.kind == kind)
        .map(|(_, t)| t)
        .sum()
}

/// The scalar metrics, in output order.
pub(crate) const METRICS: &[Metric] = &[
    Metric {
        name: "unmet_magnet_t",
        label: "Magnet tonnes behind lost output",
        better: Some(Better::Lower),
        unit: "t",
        kind: Kind::Quantity,
        value: |c| unmet_of_kind(c, ItemKind::Product),
    },
    Metric {
        name: "unmet_material_t",
        label: "Oxide tonnes behind lost output",
        better: Some(Better::Lower),
        unit: "t",
        kind: Kind::Quantity,
        value: |c| unmet_of_kind(c, ItemKind::Material),
    },
    Metric {
        name: "unmet_demand_share",
        label: "Share of wanted output lost (by value added)",
        better: Some(Better::Lower),
        unit: "share",
        kind: Kind::Quantity,
        // Weighted by value added, so magnets and oxides add up in one unit.
        value: |c| {
            if c.tally.wanted_usd > 0.0 {
                c.tally.lost_output_usd / c.tally.wanted_usd
            } else {
                0.0
            }
        },
    },
    Metric {
        name: "any_halt",
        label: "Some plant in an importing region halts",
        better: Some(Better::Lower),
        unit: "0/1",
        kind: Kind::Event,
        value: |c| f64::from(u8::from(c.tally.first_halt_step.is_some())),
    },
    Metric {
        name: "weeks_to_first_halt",
        label: "Weeks from the first policy measure to the first halt",
        better: Some(Better::Higher),
        unit: "weeks",
        kind: Kind::Quantity,
        // Censored at the horizon when nothing halts.
        value: |c| match c.tally.first_halt_step {
            Some(h) => f64::from(h.saturating_sub(c.first_shock)) * c.weeks,
            None => f64::from(c.n_steps - c.first_shock) * c.weeks,
        },
    },
    Metric {
        name: "peak_halted_share",
        label: "Largest share of importers' plants halted at once",
        better: Some(Better::Lower),
        unit: "share",
        kind: Kind::Quantity,
        value: |c| c.tally.peak_halted_share,
    },
    Metric {
        name: "firm_weeks_halted",
        label: "Plant-weeks halted in importing regions",
        better: Some(Better::Lower),
        unit: "firm-weeks",
        kind: Kind::Quantity,
        value: |c| c.tally.firm_steps_halted * c.weeks,
    },
    Metric {
        name: "licence_approval_rate",
        label: "Share of decided licences approved",
        better: Some(Better::Higher),
        unit: "share",
        kind: Kind::Quantity,
        // Nothing decided means nothing refused.
        value: |c| {
            if c.licences.decided > 0 {
                c.licences.approved as f64 / c.licences.decided as f64
            } else {
                1.0
            }
        },
    },
    Metric {
        name: "mean_licence_delay_weeks",
        label: "Weeks from licence application to decision",
        better: Some(Better::Lower),
        unit: "weeks",
        kind: Kind::Quantity,
        value: |c| {
            if c.licences.decided > 0 {
                c.licences.delay_steps as f64 / c.licences.decided as f64 * c.weeks
            } else {
                0.0
            }
        },
    },
    Metric {
        name: "licences_decided",
        label: "Licence decisions made",
        better: None,
        unit: "count",
        kind: Kind::Quantity,
        value: |c| c.licences.decided as f64,
    },
    Metric {
        name: "stockpile_cost_usd",
        label: "Stockpile cost (holdings and purchases)",
        better: Some(Better::Lower),
        unit: "USD",
        kind: Kind::Quantity,
        value: |c| c.tally.stockpile_cost_usd,
    },
    Metric {
        name: "stockpile_released_t",
        label: "Tonnes released from stockpiles",
        better: None,
        unit: "t",
        kind: Kind::Quantity,
        value: |c| c.tally.released_t,
    },
    Metric {
        name: "lost_output_usd",
        label: "Value added lost",
        better: Some(Better::Lower),
        unit: "USD",
        kind: Kind::Quantity,
        value: |c| c.tally.lost_output_usd,
    },
    Metric {
        name: "total_cost_usd",
        label: "Total cost: value added lost plus the importers' measures (stockpiles, floors, grants)",
        better: Some(Better::Lower),
        unit: "USD",
        kind: Kind::Quantity,
        // The objective `compare` ranks strategies by: lost output plus what the importers'
        // measures cost (`policy_cost_usd`), so a floor is not free in a ranking. Without floors
        // `floor_paid_usd` is exactly 0.0 and the sum is bit-identical to lost + stockpile.
        // Grants (`grants_paid_usd`) and recycling deficits (`recycling_cost_usd`) add the same
        // way: exactly 0.0 without them.
        value: |c| {
            c.tally.lost_output_usd
                + c.tally.stockpile_cost_usd
                + c.tally.floor_paid_usd
                + c.tally.grants_paid_usd
                + c.tally.recycling_cost_usd
        },
    },
    Metric {
        name: "exports_t",
        label: "Tonnes exported by controlling exporters",
        better: None,
        unit: "t",
        kind: Kind::Quantity,
        value: |c| c.tally.exports_t,
    },
];

/// The per-item metric families, in output order, after [`METRICS`].
pub(crate) const ITEM_METRICS: &[ItemMetric] = &[
    ItemMetric {
        prefix: "peak_price_ratio",
        better: Some(Better::Lower),
        label: "Highest world price, ratio to base:",
        unit: "ratio",
        value: |c, i| c.tally.peak_price_ratio[i],
    },
    ItemMetric {
        prefix: "unmet_demand_t",
        better: Some(Better::Lower),
        label: "Tonnes behind lost output:",
        unit: "t",
        value: |c, i| c.tally.unmet_t[i],
    },
];

/// The per-group metric families, in output order, after [`ITEM_METRICS`].
pub(crate) const GROUP_METRICS: &[GroupMetric] = &[GroupMetric {
    prefix: "demand_met_share",
    better: Some(Better::Higher),
    label: "Share of wanted output made:",
    unit: "share",
    value: |c, g| {
        let wanted = c.tally.group_wanted_t[g];
        if wanted > 0.0 {
            1.0 - c.tally.group_lost_t[g] / wanted
        } else {
            1.0
        }
    },
}];

/// Metric names in output order, for the [`crate::OutputSchema`].
pub(crate) fn names(params: &ModelParams) -> Vec<String> {
    let mut names: Vec<String> = METRICS.iter().map(|m| m.name.to_owned()).collect();
    for family in ITEM_METRICS {
        names.extend(
            params
                .items
                .iter()
                .map(|i| format!("{}/{}", family.prefix, i.name)),
        );
    }
    let (groups, _) = params.manufacturer_groups();
    for family in GROUP_METRICS {
        names.extend(groups.iter().map(|(r, s)| {
            format!(
                "{}/{}/{}",
                family.prefix,
                params.regions[r.idx()].name,
                params.sectors[s.idx()].name
            )
        }));
    }
    if params.lever_metrics {
        names.extend(LEVER_METRICS.iter().map(|m| m.name.to_owned()));
    }
    if has_plan_metrics(params) {
        names.extend(PLAN_METRICS.iter().map(|m| m.name.to_owned()));
    }
    if has_recycling_metrics(params) {
        names.extend(RECYCLING_METRICS.iter().map(|m| m.name.to_owned()));
    }
    names
}

/// True when the outputs carry [`PLAN_METRICS`]: lever metrics on and some producer with a plan.
fn has_plan_metrics(params: &ModelParams) -> bool {
    params.lever_metrics && params.producers.iter().any(|p| p.plan.is_some())
}

/// True when the outputs carry [`RECYCLING_METRICS`]: lever and recycling metrics on.
fn has_recycling_metrics(params: &ModelParams) -> bool {
    params.lever_metrics && params.recycling_metrics
}

/// Scalar metrics that are 0/1 events, reported as probabilities with Wilson intervals. The
/// table above is the definition; a test keeps this list equal to it.
pub const EVENT_METRICS: &[&str] = &["any_halt", "any_producer_closed"];

/// True for a 0/1 event metric (as the metrics table marks it).
#[must_use]
pub fn is_event_metric(name: &str) -> bool {
    METRICS
        .iter()
        .chain(LEVER_METRICS)
        .chain(PLAN_METRICS)
        .chain(RECYCLING_METRICS)
        .any(|m| m.kind == Kind::Event && m.name == name)
}

/// True for a lever metric: one present only with
/// [`ModelParams::lever_metrics`](crate::ModelParams::lever_metrics) on (so two scenarios that
/// differ only in it can be made comparable by switching it on).
#[must_use]
pub fn is_lever_metric(name: &str) -> bool {
    LEVER_METRICS.iter().any(|m| m.name == name)
}

/// True for a planned-capacity metric (`grants_paid_usd`, `planned_capacity_*`): present only
/// with lever metrics on and some producer with a `plan`, so switching lever metrics on does not
/// make a scenario without plans comparable with one that has them.
#[must_use]
pub fn is_plan_metric(name: &str) -> bool {
    PLAN_METRICS.iter().any(|m| m.name == name)
}

/// True for a recycling metric (`recycling_cost_usd`, `recycled_t`): present only with lever
/// metrics and [`ModelParams::recycling_metrics`](crate::ModelParams::recycling_metrics) on, so
/// the lever scenarios without recyclers keep their outputs.
#[must_use]
pub fn is_recycling_metric(name: &str) -> bool {
    RECYCLING_METRICS.iter().any(|m| m.name == name)
}

/// What a metric or a per-step variable is, for people: plain words and the unit (as in
/// docs/outputs.md). Reports label their tables and charts with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Description {
    /// Plain words, with the item, region or sector of a family member appended.
    pub label: String,
    /// The unit: `t`, `USD`, `share`, `0/1`, `weeks`, `ratio`, `count`, `firm-weeks`, `t per step`.
    pub unit: &'static str,
    /// Which way is better for the importing side, if either.
    pub better: Option<Better>,
}

/// Which way of a metric is better for the importing side (whose strategies `compare` ranks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    /// Less is better (costs, tonnes unmet, halts).
    Lower,
    /// More is better (weeks before a halt, demand met).
    Higher,
}

/// The member part of a family's name (`dy` of `peak_price_ratio/dy`), if `name` is one.
pub(crate) fn member<'n>(name: &'n str, prefix: &str) -> Option<&'n str> {
    name.strip_prefix(prefix)?.strip_prefix('/')
}

/// The plain-words label and unit of a per-replication metric (from the tables above), or
/// None for a name that is not one (targets carry their own unit in the scenario).
#[must_use]
pub fn describe_metric(name: &str) -> Option<Description> {
    if let Some(m) = METRICS
        .iter()
        .chain(LEVER_METRICS)
        .chain(PLAN_METRICS)
        .chain(RECYCLING_METRICS)
        .find(|m| m.name == name)
    {
        return Some(Description {
            label: m.label.to_owned(),
            unit: m.unit,
            better: m.better,
        });
    }
    let family = |prefix, label: &str, unit, better| {
        member(name, prefix).map(|rest| Description {
            label: format!("{label} {}", rest.replace('/', ", ")),
            unit,
            better,
        })
    };
    ITEM_METRICS
        .iter()
        .find_map(|m| family(m.prefix, m.label, m.unit, m.better))
        .or_else(|| {
            GROUP_METRICS
                .iter()
                .find_map(|m| family(m.prefix, m.label, m.unit, m.better))
        })
}

/// The values a metric can take, from its unit in the tables above: shares and 0/1 events lie
/// in [0, 1]; durations in weeks lie in [0, `horizon_weeks`] (a wait or a time to the first halt
/// cannot outlast the run); tonnes, USD, counts, firm-weeks and price ratios are never
/// negative; anything else (targets, whose unit the scenario names) is unbounded. Summaries
/// clip their confidence intervals to it, so an interval never claims what cannot happen
/// (issue 13).
#[must_use]
pub fn metric_domain(name: &str, horizon_weeks: f64) -> (f64, f64) {
    let unit = describe_metric(name).map(|d| d.unit);
    match unit {
        Some("share" | "0/1") => (0.0, 1.0),
        Some("weeks") => (0.0, horizon_weeks),
        Some("t" | "USD" | "count" | "firm-weeks" | "ratio") => (0.0, f64::INFINITY),
        _ => (f64::NEG_INFINITY, f64::INFINITY),
    }
}

/// Every metric's value, in output order.
pub(crate) fn outcome(
    tally: &Tally,
    authorities: &[ExportAuthority],
    params: &ModelParams,
) -> Outcome {
    let cal = &params.calendar;
    let licences = authorities
        .iter()
        .fold(LicenceTally::default(), |mut acc, a| {
            let t = a.tally();
            acc.decided += t.decided;
            acc.approved += t.approved;
            acc.delay_steps += t.delay_steps;
            acc
        });
    let totals = Totals {
        tally,
        params,
        licences,
        weeks: cal.step_weeks(),
        first_shock: params.first_policy_step().unwrap_or(0).min(cal.n_steps),
        n_steps: cal.n_steps,
    };
    let n_items = params.items.len();
    let n_groups = tally.group_wanted_t.len();
    let n_lever = if params.lever_metrics {
        LEVER_METRICS.len()
    } else {
        0
    };
    let mut metrics = Vec::with_capacity(
        METRICS.len() + ITEM_METRICS.len() * n_items + GROUP_METRICS.len() * n_groups + n_lever,
    );
    metrics.extend(METRICS.iter().map(|m| (m.value)(&totals)));
    for family in ITEM_METRICS {
        metrics.extend((0..n_items).map(|i| (family.value)(&totals, i)));
    }
    for family in GROUP_METRICS {
        metrics.extend((0..n_groups).map(|g| (family.value)(&totals, g)));
    }
    if params.lever_metrics {
        metrics.extend(LEVER_METRICS.iter().map(|m| (m.value)(&totals)));
    }
    if has_plan_metrics(params) {
        metrics.extend(PLAN_METRICS.iter().map(|m| (m.value)(&totals)));
    }
    if has_recycling_metrics(params) {
        metrics.extend(RECYCLING_METRICS.iter().map(|m| (m.value)(&totals)));
    }
    Outcome { metrics }
}

#[cfg(test)]
mod tests {

    #[test]
    fn domains_follow_units() {
        assert_eq!(metric_domain("peak_halted_share", 260.0), (0.0, 1.0));
        assert_eq!(metric_domain("any_halt", 260.0), (0.0, 1.0));
        assert_eq!(metric_domain("unmet_magnet_t", 260.0), (0.0, f64::INFINITY));
        assert_eq!(metric_domain("weeks_to_first_halt", 260.0), (0.0, 260.0));
        assert_eq!(
            metric_domain("unmet_demand_t/dy", 260.0),
            (0.0, f64::INFINITY)
        );
        assert_eq!(
            metric_domain("peak_price_ratio/ndfeb", 260.0),
            (0.0, f64::INFINITY)
        );
        assert_eq!(
            metric_domain("demand_met_share/us/defence", 260.0),
            (0.0, 1.0)
        );
        // A target's unit is the scenario's: unbounded; so is a name that only shares a prefix.
        assert_eq!(
            metric_domain("target/dy_oxide_peak_2011", 260.0),
            (f64::NEG_INFINITY, f64::INFINITY)
        );
        assert_eq!(
            metric_domain("unmet_demand_tonnes", 260.0),
            (f64::NEG_INFINITY, f64::INFINITY)
        );
    }
    use super::*;

    #[test]
    fn names_are_unique_and_units_given() {
        let mut seen = std::collections::BTreeSet::new();
        for m in METRICS
            .iter()
            .chain(LEVER_METRICS)
            .chain(PLAN_METRICS)
            .chain(RECYCLING_METRICS)
        {
            assert!(seen.insert(m.name), "{} twice", m.name);
            assert!(!m.unit.is_empty(), "{} has no unit", m.name);
        }
        for f in ITEM_METRICS {
            assert!(!f.unit.is_empty(), "{} has no unit", f.prefix);
        }
        for f in GROUP_METRICS {
            assert!(!f.unit.is_empty(), "{} has no unit", f.prefix);
        }
    }

    #[test]
    fn the_public_event_list_is_the_tables() {
        let events: Vec<&str> = METRICS
            .iter()
            .chain(LEVER_METRICS)
            .chain(PLAN_METRICS)
            .chain(RECYCLING_METRICS)
            .filter(|m| m.kind == Kind::Event)
            .map(|m| m.name)
            .collect();
        assert_eq!(events, EVENT_METRICS);
    }

    /// Every metric and unit is documented in docs/outputs.md.
    #[test]
    fn every_metric_is_documented_with_its_unit() {
        let doc = include_str!("../../../docs/outputs.md");
        for m in METRICS
            .iter()
            .chain(LEVER_METRICS)
            .chain(PLAN_METRICS)
            .chain(RECYCLING_METRICS)
        {
            let row = format!("| `{}` | {} |", m.name, m.unit);
            assert!(doc.contains(&row), "docs/outputs.md lacks {row}");
        }
        for f in ITEM_METRICS {
            let row = format!("| `{}/<item>` | {} |", f.prefix, f.unit);
            assert!(doc.contains(&row), "docs/outputs.md lacks {row}");
        }
        for f in GROUP_METRICS {
            let row = format!("| `{}/<region>/<sector>` | {} |", f.prefix, f.unit);
            assert!(doc.contains(&row), "docs/outputs.md lacks {row}");
        }
    }
}
