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
    /// The government buys a share of the producer's output of `item` into a stockpile while
    /// the floor is in force (issue 18); `None` = no offtake.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offtake: Option<Offtake>,
}

/// A floor's offtake: each reported step the floor is in force, `share` × the tonnes of the
/// floored item the producer made the step before, at most what its region's warehouse holds,
/// moves into `stockpile` (a stockpile of the producer's region holding the item), paid at the
/// market price into `stockpile_cost_usd`, outside that stockpile's budget.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Offtake {
    /// Share of the producer's output of the item bought, in (0, 1].
    pub share: f64,
    /// The stockpile that receives it (index into [`crate::ModelParams::stockpiles`]).
    pub stockpile: usize,
}

/// Export pricing that undercuts entrants (issue 18, exporter side): while in force, the world
/// price of `item` is capped at `cost_share` × the lowest breakeven (USD/kg, by-product costing at
/// the prices it sees) among the competitors still open; the exporter's revenue forgone on its
/// exports of the item, (uncapped − capped price) × tonnes, is reported.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Undercut {
    /// Name for messages.
    pub name: String,
    /// The exporter's region (one with an export authority): whose exports forgo revenue.
    pub exporter: crate::ids::RegionId,
    /// The item priced low.
    pub item: ItemId,
    /// The producers undercut (indices into [`crate::ModelParams::producers`]): each has
    /// economics and makes `item`.
    pub competitors: Vec<usize>,
    /// The cap as a share of the cheapest open competitor's breakeven, > 0.
    pub cost_share: f64,
    /// First reported step in force.
    pub from_step: u32,
    /// First reported step no longer in force (`u32::MAX`: to the horizon).
    pub until_step: u32,
    /// The rule ends for good once every competitor has closed (a competitor that restarts is
    /// not undercut again); otherwise it runs its dates and caps only while some is open.
    pub until_competitors_closed: bool,
}

/// A diversification target (issue 18, the EU CRMA benchmark): while in force, `region` takes at
/// most `max_share` of each item of `items` it receives (cumulative tonnes since the cap
/// started) from any one controlling exporter, and buys elsewhere first at a premium.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourcingCap {
    /// Name for messages.
    pub name: String,
    /// The capped (importing) region: its buyers' receipts are counted and held.
    pub region: crate::ids::RegionId,
    /// The items capped, each counted on its own.
    pub items: Vec<ItemId>,
    /// Most share of the region's receipts of an item from any one controlling exporter, in
    /// (0, 1).
    pub max_share: f64,
    /// What buying elsewhere first costs extra, as a share of the world price, ≥ 0.
    pub premium_share: f64,
    /// First reported step in force.
    pub from_step: u32,
    /// First reported step no longer in force (`u32::MAX`: to the horizon).
    pub until_step: u32,
}
