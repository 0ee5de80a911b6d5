//! Producer economics (issue 18): a producer's costs and the business ("operator") it belongs
//! to, whose margin decides whether it stays open. Absent everywhere, the model runs exactly as
//! without them.

use serde::{Deserialize, Serialize};

/// A producer's costs. Revenue is its output valued at the prices it sees
/// ([`crate::Simulation`]'s step 7b); costs are these plus its inputs valued the same way.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Economics {
    /// Variable cash cost, USD per kg of activity (ore mined, feed separated, magnet made),
    /// excluding inputs bought (valued at the price it sees).
    pub cash_cost_usd_per_kg: f64,
    /// Site cost paid every step whatever the output (labour, upkeep), USD per step, while open.
    pub fixed_cost_usd_per_step: f64,
    /// Index into [`crate::ModelParams::operators`]: the business it belongs to.
    pub operator: usize,
}

/// A business owning one or more producers with [`Economics`]: their margins are summed, it has
/// one loss counter, and its producers close together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OperatorParams {
    /// Name for outputs (`loss_weeks/<operator>`).
    pub name: String,
    /// Closes when its loss counter (up one step for every step at a loss, down one for every
    /// other step, never below 0) reaches this many steps; `None` = never closes.
    pub close_after_loss_steps: Option<u32>,
    /// How a closed operator reopens; `None` = closed for good (a restart needs a new owner:
    /// Mountain Pass was closed from 2015 to 2018).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart: Option<Restart>,
}

/// A closed operator reopens once every one of its producers has seen the price of its main
/// output at or above `price_ratio` × its breakeven price for `sustain_steps` steps in a row;
/// it stays offline `offline_steps` more, then its producers run again (a producer with a dated
/// start ramps again over its `ramp_steps`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Restart {
    /// Multiple of the breakeven price that counts as high enough (> 0).
    pub price_ratio: f64,
    /// Steps in a row the price must stay there.
    pub sustain_steps: u32,
    /// Steps offline after that before output starts again.
    pub offline_steps: u32,
}
