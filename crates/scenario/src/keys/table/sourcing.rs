//! Keys of diversification targets (issue 18): `[[sourcing_cap]]` and the `[scenario]` switch
//! of its metric.

use super::super::Need::{Optional as Opt, Required as REQUIRED};
use super::super::Ty::{Bool, Date, Name, Names, Number, Tables, Text};
use super::super::{Key, Table};
use super::{NN, SHARE};

keys! {
    KEYS;
    Scenario "sourcing_metrics": Bool, "", None, Opt("on iff the file has a `[[sourcing_cap]]` (a strategies file with one sets it on every strategy)"), [], "",
        "Whether the outputs carry `sourcing_premium_usd` (with the lever metrics on). Set it to `true` to compare a scenario without sourcing caps with one that has them.";

    Top "sourcing_cap": Tables(Table::SourcingCap), "", None, Opt("no sourcing caps"), [], "sourcing_caps",
        "Diversification targets (issue 18): at most a share of an importing region's supply from any one controlling exporter, met by buying elsewhere at a premium.";

    SourcingCap "name": Text, "", None, REQUIRED, [], "name", "Unique name.";
    SourcingCap "region": Name("region"), "", None, REQUIRED, [], "region",
        "The importing region capped: one without an `[[exporter]]` table. Its buyers' receipts (manufacturers, producers' inputs, stockpiles) are counted.";
    SourcingCap "items": Names("item"), "", None, REQUIRED, [], "items",
        "The items capped, each counted on its own (`\"*\"` = all).";
    SourcingCap "max_share": Number, "share", SHARE, REQUIRED, [], "max_share",
        "Most share, strictly between 0 and 1, of the region's receipts of each item, in tonnes summed since the cap started, from any one controlling exporter (0.65: the EU Critical Raw Materials Act's benchmark). In step 6 (c) an exporter's sale to the region's buyers is held to max(0, s/(1−s) × O − E), pro rata to their orders, where E is what the region received from that exporter and O from everyone else (its own warehouse, free sellers, partner regions under the exporter's control, other exporters) since the cap started. Orders held back stay unmet.";
    SourcingCap "premium_share": Number, "share", NN, REQUIRED, [], "premium_share",
        "What buying elsewhere first costs extra, as a share of the world price. While the cap is in force, step 6 (b) first serves the region's buyers from every free seller (a region without an export authority that is no partner of one), ahead of other importers; every tonne bought in that pass costs premium_share × the world price, summed in `sourcing_premium_usd`, `policy_cost_usd` and `total_cost_usd`.";
    SourcingCap "date": Date, "", None, REQUIRED, [], "from_step",
        "First day in force (rounded up to the next step start, like shock dates); the counts start then.";
    SourcingCap "duration_weeks": Number, "weeks", NN, Opt("to the horizon"), [], "until_step",
        "Weeks in force.";
}
