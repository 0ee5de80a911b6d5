//! Keys of the levers (issue 18): importers' `[[floor]]` and the exporter's `[[undercut]]`.

use super::super::Need::{Optional as Opt, Required as REQUIRED};
use super::super::Ty::{Choice, Date, Name, Names, Number, Tables, Text};
use super::super::{Key, Table};
use super::{NN, POS, SHARE};

keys! {
    KEYS;
    Top "floor": Tables(Table::Floor), "", None, Opt("no price floors"), [], "floors",
        "Price floors (contracts for difference) under producers (issue 18).";

    Floor "name": Text, "", None, REQUIRED, [], "name", "Unique name.";
    Floor "producer": Name("producer"), "", None, REQUIRED, [], "producer",
        "The producer whose output is covered.";
    Floor "item": Name("item"), "", None, Opt("the producer's main output (its first)"), [], "item",
        "The item whose price is floored: one the producer makes.";
    Floor "floor_usd_per_kg": Number, "USD/kg", NN, REQUIRED, [], "floor_usd_per_kg",
        "The floor. In every reported step in force the government pays the producer (floor − the price it sees) × the tonnes of the item it made that step, when the price is below the floor; the payment adds to its operator's margin (so a floor keeps a producer with economics open) and to `floor_paid_usd` and `policy_cost_usd`. With `offtake_share` the government also buys part of the output (below).";
    Floor "date": Date, "", None, REQUIRED, [], "from_step",
        "First day in force (rounded up to the next step start, like shock dates).";
    Floor "duration_weeks": Number, "weeks", NN, Opt("to the horizon"), [], "until_step",
        "Weeks in force.";
    Floor "max_t_per_year": Number, "t/yr", NN, Opt("no cap"), [], "max_t_per_year",
        "Most tonnes covered per calendar year; pro rata in the first, from `date` to the end of its year (a floor from 1 July covers about half the cap that year).";
    Floor "budget_usd": Number, "USD", NN, Opt("no cap"), [], "budget_usd",
        "Most paid in all; payments stop once it is spent (the last step's covered tonnes are cut to fit).";
    Floor "offtake_share": Number, "share", SHARE, Opt("0: no offtake"), [], "offtake.share",
        "Offtake: in every reported step in force, the government buys this share of the tonnes of the item the producer made the step before (at most what its region's warehouse holds) into `offtake_stockpile`, at the market price in the region, counted in `stockpile_cost_usd` (outside that stockpile's `budget_usd`, not in the floor's). The floor still pays the gap on every tonne made, so an offtake tonne costs the floor in all. Needs `offtake_stockpile`.";
    Floor "offtake_stockpile": Name("stockpile"), "", None, Opt("required with `offtake_share`"), [], "offtake.stockpile",
        "The `[[stockpile]]` the offtake goes into: one of the producer's region with a `[[stockpile.holding]]` of the item (it then releases by its own rules).";

    Top "undercut": Tables(Table::Undercut), "", None, Opt("no undercut pricing"), [], "undercuts",
        "Exporters' pricing rules that undercut entrants (issue 18).";

    Undercut "name": Text, "", None, REQUIRED, [], "name", "Unique name.";
    Undercut "exporter": Name("region"), "", None, REQUIRED, [], "exporter",
        "The exporter's region (one with an `[[exporter]]` table): whose exports of the item forgo revenue, reported as `exporter_revenue_forgone_usd`.";
    Undercut "item": Name("item"), "", None, REQUIRED, [], "item",
        "The item priced low. One rule per item.";
    Undercut "competitors": Names("producer"), "", None, REQUIRED, [], "competitors",
        "The producers undercut: each has economics (`cash_cost_usd_per_kg`) and makes the item.";
    Undercut "cost_share": Number, "share", POS, REQUIRED, [], "cost_share",
        "In every reported step in force the world price of the item is capped at this × the lowest breakeven (USD/kg: cash cost, fixed cost per kg at baseline output and inputs, less the other outputs at the prices it sees; docs/model.md §9b) among the competitors still open, never below the item's `min_ratio`; no cap while all are closed. 1 = at cost; below 1 every open competitor sells at a loss.";
    Undercut "date": Date, "", None, REQUIRED, [], "from_step",
        "First day in force (rounded up to the next step start, like shock dates).";
    Undercut "duration_weeks": Number, "weeks", NN, Opt("to the horizon"), [], "until_step",
        "Weeks in force.";
    Undercut "end_when": Choice(&["duration", "competitors_closed"]), "", None, Opt("`duration`"), [], "until_competitors_closed",
        "`duration`: the rule runs its dates (capping only while some competitor is open); `competitors_closed`: it also ends for good once every competitor has closed, so a competitor that restarts is not undercut again.";
}
