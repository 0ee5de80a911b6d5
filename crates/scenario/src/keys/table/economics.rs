//! Keys of producer economics (issue 18): a `[[producer]]`'s costs and operator, its loss
//! tolerance (also in `[defaults.producer]`), and the `[scenario]` switch of lever outputs.

use super::super::Need::Optional as Opt;
use super::super::Ty::{Bool, Number, Text};
use super::super::{Key, Table};
use super::{GE1, NN, POS};

keys! {
    KEYS;
    Scenario "lever_metrics": Bool, "", None, Opt("on iff some `[[producer]]` has `cash_cost_usd_per_kg`"), [], "",
        "Whether the outputs carry the lever and producer-economics metrics and series (docs/outputs.md, Lever metrics). Set it to `true` to compare a scenario without economics with one that has them (every cell of a comparison needs the same metrics).";

    Producer "cash_cost_usd_per_kg": Number, "USD/kg", NN, Opt("no economics: it never closes"), [], "economics.cash_cost_usd_per_kg",
        "Variable cash cost per kg of activity (ore mined, feed separated, magnet made), excluding the inputs it buys, which are valued at the price it sees. With it the producer has economics: each reported step its operator's margin is its output valued at the prices it sees (its region's: domestic inside a controlling exporter, else world) minus this cost, its inputs and its fixed cost.";
    Producer "fixed_cost_usd_per_year": Number, "USD/yr", NN, Opt("0"), [], "economics.fixed_cost_usd_per_step",
        "Site cost paid whatever the output (labour, upkeep), from its operator's first output until it closes. Only with `cash_cost_usd_per_kg`.";
    Producer "operator": Text, "", None, Opt("its own name"), [], "economics.operator",
        "The business it belongs to: producers with the same operator sum their margins, share one loss counter and close together (Molycorp's mine and separator). Only with `cash_cost_usd_per_kg`.";
    Producer "close_after_loss_weeks": Number, "weeks", GE1, Opt("`[defaults.producer]`, else never closes"), [], "",
        "Its operator closes for good once its loss counter reaches this: the counter goes up a week for every week at a net loss and down a week for every other week, never below 0 (so one good week does not erase years of losses, and noise around breakeven does not close a plant). A closed producer has no capacity: it orders and makes nothing from the next step on. An operator takes the value of its first producer in file order.";
    Producer "restart_price_ratio": Number, "ratio", POS, Opt("`[defaults.producer]`, else a closed operator never restarts"), [], "",
        "A closed operator restarts once, for `restart_sustain_weeks` in a row, every one of its producers sees the price of its main output at or above this multiple of its breakeven price (its cash cost, its fixed cost spread over capacity × utilisation and its inputs, less the value of its other outputs, per kg of main output, at the prices it sees). It stays offline `restart_weeks` more, then runs again (a producer with `online` ramps again over `ramp_weeks`); its loss counter starts from 0. The operator's first producer's value.";
    Producer "restart_sustain_weeks": Number, "weeks", NN, Opt("`[defaults.producer]`, else 26"), [], "",
        "Weeks in a row prices must stay at the restart level (at least one step).";
    Producer "restart_weeks": Number, "weeks", NN, Opt("`[defaults.producer]`, else 52"), [], "",
        "Weeks offline between the restart decision and output (at least one step).";
}
