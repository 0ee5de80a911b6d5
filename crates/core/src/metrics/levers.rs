//! The metrics of levers and producer economics (issue 18): present only when
//! [`ModelParams::lever_metrics`](crate::ModelParams::lever_metrics) is on, after the per-group
//! families and before the targets, so that a scenario without levers keeps its outputs.

use super::{Better, Kind, Metric};

/// The lever metrics, in output order (after [`super::GROUP_METRICS`]).
pub(crate) const LEVER_METRICS: &[Metric] = &[
    Metric {
        name: "producer_closures",
        label: "Operators closed by their losses",
        better: Some(Better::Lower),
        unit: "count",
        kind: Kind::Quantity,
        value: |c| f64::from(c.tally.producer_closures),
    },
    Metric {
        name: "any_producer_closed",
        label: "Some operator closes by its losses",
        better: Some(Better::Lower),
        unit: "0/1",
        kind: Kind::Event,
        value: |c| f64::from(u8::from(c.tally.producer_closures > 0)),
    },
    Metric {
        name: "floor_paid_usd",
        label: "Paid by price floors",
        better: Some(Better::Lower),
        unit: "USD",
        kind: Kind::Quantity,
        value: |c| c.tally.floor_paid_usd,
    },
    Metric {
        name: "policy_cost_usd",
        label: "Cost of the importers' measures (stockpiles, floors, grants and recycling)",
        better: Some(Better::Lower),
        unit: "USD",
        kind: Kind::Quantity,
        // Recycling and sourcing premiums (issue 18) will add their own totals here.
        // Undiscounted USD, as `stockpile_cost_usd`.
        // Grants, recycling deficits and sourcing premiums add the same way (0.0 without them).
        value: |c| {
            c.tally.stockpile_cost_usd
                + c.tally.floor_paid_usd
                + c.tally.grants_paid_usd
                + c.tally.recycling_cost_usd
                + c.tally.sourcing_premium_usd
        },
    },
    Metric {
        name: "exporter_revenue_forgone_usd",
        label: "Exporters' revenue forgone by undercut pricing",
        // The exporter's cost, not the importers': in no importer total, neither better nor
        // worse for them.
        better: None,
        unit: "USD",
        kind: Kind::Quantity,
        value: |c| c.tally.exporter_revenue_forgone_usd,
    },
];

/// The metrics of planned capacity and its support (issue 18), in output order, after
/// [`LEVER_METRICS`]: present only with lever metrics on and some producer with a plan, so that
/// the lever scenarios without plans keep their outputs. (`policy_cost_usd` and
/// `total_cost_usd` count `grants_paid_usd` either way: 0.0 without plans.)
pub(crate) const PLAN_METRICS: &[Metric] = &[
    Metric {
        name: "grants_paid_usd",
        label: "Paid as grants and loans to planned capacity",
        better: Some(Better::Lower),
        unit: "USD",
        kind: Kind::Quantity,
        value: |c| c.tally.grants_paid_usd,
    },
    Metric {
        name: "planned_capacity_delay_weeks",
        label: "Delay of planned capacity past its earliest start (capacity-weighted)",
        better: Some(Better::Lower),
        unit: "weeks",
        kind: Kind::Quantity,
        value: |c| c.tally.planned_delay_weeks,
    },
    Metric {
        name: "planned_capacity_online_share",
        label: "Share of planned capacity running at the end",
        better: Some(Better::Higher),
        unit: "share",
        kind: Kind::Quantity,
        value: |c| c.tally.planned_online_share,
    },
];

/// The metrics of recycling mandates (issue 18), in output order, after [`LEVER_METRICS`]:
/// present only with lever metrics and `recycling_metrics` on (a scenario with recyclers, or
/// every strategy of a file where some strategy has them), so that the lever scenarios without
/// recyclers keep their outputs. (`policy_cost_usd` and `total_cost_usd` count
/// `recycling_cost_usd` either way: 0.0 without recyclers.)
pub(crate) const RECYCLING_METRICS: &[Metric] = &[
    Metric {
        name: "recycling_cost_usd",
        label: "Paid by recycling mandates (processing cost above the recovered materials' value)",
        better: Some(Better::Lower),
        unit: "USD",
        kind: Kind::Quantity,
        value: |c| c.tally.recycling_cost_usd,
    },
    Metric {
        name: "recycled_t",
        label: "Material recovered from end-of-life scrap",
        better: Some(Better::Higher),
        unit: "t",
        kind: Kind::Quantity,
        value: |c| c.tally.recycled_t,
    },
];

/// The metric of diversification targets (issue 18), after [`PLAN_METRICS`]: present only with
/// lever metrics and [`ModelParams::sourcing_metrics`](crate::ModelParams::sourcing_metrics) on
/// (a file or strategies file with a `[[sourcing_cap]]`), so that the lever scenarios without caps
/// keep their outputs. (`policy_cost_usd` and `total_cost_usd` count it either way: 0.0 without
/// caps.)
pub(crate) const SOURCING_METRICS: &[Metric] = &[Metric {
    name: "sourcing_premium_usd",
    label: "Premiums paid for buying elsewhere first under sourcing caps",
    better: Some(Better::Lower),
    unit: "USD",
    kind: Kind::Quantity,
    value: |c| c.tally.sourcing_premium_usd,
}];
