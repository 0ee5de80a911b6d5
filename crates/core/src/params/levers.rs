//! Importers' levers (issue 18): price floors so far.

use serde::{Deserialize, Serialize};

use crate::ids::ItemId;

/// A price floor (a contract for difference): while in force, the government pays a producer
/// the gap between the floor and the market price it sees on each tonne of `item` it makes, up
/// to a yearly volume and a budget.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Floor {
    /// Name for messages.
    pub name: String,
    /// The producer covered (index into [`crate::ModelParams::producers`]).
    pub producer: usize,
    /// The item whose price is floored: one of the producer's outputs.
    pub item: ItemId,
    /// The floor, USD per kg.
    pub floor_usd_per_kg: f64,
    /// First reported step in force.
    pub from_step: u32,
    /// First reported step no longer in force (`u32::MAX`: to the horizon).
    pub until_step: u32,
    /// Most tonnes covered per calendar year (counted from the floor's start); `None` = no cap.
    pub max_t_per_year: Option<f64>,
    /// Most USD paid in all; `None` = no cap.
    pub budget_usd: Option<f64>,
}
