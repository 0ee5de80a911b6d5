//! Producer economics keys (issue 18), kept beside the other schema types: the costs and
//! operator of a `[[producer]]`, and the loss tolerance it may take from `[defaults.producer]`.

use serde::{Deserialize, Serialize};

use crate::num::Num;

/// A `[[producer]]`'s own economics keys (flattened into it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EconomicsSpec {
    /// Variable cash cost, USD per kg of activity; absent = no economics (never closes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cash_cost_usd_per_kg: Option<Num>,
    /// Site cost per year whatever the output, USD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed_cost_usd_per_year: Option<Num>,
    /// The business it belongs to; absent = its own name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operator: Option<String>,
}

/// Economics keys a producer may take from `[defaults.producer]` (flattened into the knobs).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EconomicsKnobs {
    /// Weeks of net loss after which its operator closes; absent = never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub close_after_loss_weeks: Option<Num>,
    /// A closed operator restarts once prices reach this multiple of its breakeven; absent =
    /// never restarts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_price_ratio: Option<Num>,
    /// Weeks in a row prices must stay there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_sustain_weeks: Option<Num>,
    /// Weeks offline after that before output starts again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_weeks: Option<Num>,
}
