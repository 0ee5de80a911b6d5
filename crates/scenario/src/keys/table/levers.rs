//! Keys of the importers' levers (issue 18): `[[floor]]` so far.

use super::super::Need::{Optional as Opt, Required as REQUIRED};
use super::super::Ty::{Date, Name, Number, Tables, Text};
use super::super::{Key, Table};
use super::NN;

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
        "The floor. In every reported step in force the government pays the producer (floor − the price it sees) × the tonnes of the item it made that step, when the price is below the floor; the payment adds to its operator's margin (so a floor keeps a producer with economics open) and to `floor_paid_usd` and `policy_cost_usd`. Offtake (the government buying the output) is not modelled yet.";
    Floor "date": Date, "", None, REQUIRED, [], "from_step",
        "First day in force (rounded up to the next step start, like shock dates).";
    Floor "duration_weeks": Number, "weeks", NN, Opt("to the horizon"), [], "until_step",
        "Weeks in force.";
    Floor "max_t_per_year": Number, "t/yr", NN, Opt("no cap"), [], "max_t_per_year",
        "Most tonnes covered per calendar year; the first, from `date` to the end of its year, gets the whole cap (not pro rata).";
    Floor "budget_usd": Number, "USD", NN, Opt("no cap"), [], "budget_usd",
        "Most paid in all; payments stop once it is spent (the last step's covered tonnes are cut to fit).";
}
