//! The metrics of levers and producer economics (issue 18): present only when
//! [`ModelParams::lever_metrics`](crate::ModelParams::lever_metrics) is on, after the per-group
//! families and before the targets, so that a scenario without levers keeps its outputs.

use super::Metric;

/// The lever metrics, in output order (after [`super::GROUP_METRICS`]).
pub(crate) const LEVER_METRICS: &[Metric] = &[];
