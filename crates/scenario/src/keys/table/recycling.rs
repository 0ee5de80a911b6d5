//! Keys of recycling mandates (issue 18): `[[recycling]]`.

use super::super::Need::{Optional as Opt, Required as REQUIRED};
use super::super::Ty::{Bool, Date, Name, Number, Tables, Text};
use super::super::{Key, Table};
use super::{NN, SHARE};

keys! {
    KEYS;
    Scenario "recycling_metrics": Bool, "", None, Opt("on iff the file has a `[[recycling]]` table"), [], "",
        "Whether the outputs carry the recycling metrics (`recycling_cost_usd`, `recycled_t`; only with the lever metrics on). A strategies file with `[[strategy.recycling]]` sets it in every strategy's run, so a strategy without recycling reports them as 0 beside one with it.";

    Top "recycling": Tables(Table::Recycling), "", None, Opt("no recycling"), [], "recyclers",
        "Recycling mandates: end-of-life magnets collected and their materials recovered (issue 18).";

    Recycling "name": Text, "", None, REQUIRED, [], "name", "Unique name.";
    Recycling "region": Name("region"), "", None, REQUIRED, [], "region",
        "Where the scrap arises and where the recovered materials go (the region's warehouse, booked as its production).";
    Recycling "scrap_item": Name("item"), "", None, REQUIRED, [], "scrap_item",
        "The product recycled, one with a `bom` (e.g. `ndfeb`): each material of its bill is recovered.";
    Recycling "eol_t_per_year": Number, "t/yr", NN, REQUIRED, [], "eol_t_per_step",
        "End-of-life arisings of the product in the region.";
    Recycling "collection_share": Number, "share", SHARE, REQUIRED, [], "collection_share",
        "Share of the arisings collected, in (0, 1].";
    Recycling "recovery_share": Number, "share", SHARE, Opt("0.9"), [], "recovery_share",
        "Share of each material of the bill recovered from the collected scrap, in (0, 1]. Each step the recycler adds arisings × collection × online share × `bom` kg per t / 1000 × recovery tonnes of each material.";
    Recycling "date": Date, "", None, REQUIRED, [], "start_step",
        "The mandate's date (rounded up to the next step start, like shock dates); output starts `build_weeks` later.";
    Recycling "build_weeks": Number, "weeks", NN, REQUIRED, [], "start_step",
        "Lead time from the mandate to first output.";
    Recycling "ramp_weeks": Number, "weeks", NN, Opt("0: full at once"), [], "ramp_steps",
        "Weeks from first output to full collection (a linear ramp).";
    Recycling "cash_cost_usd_per_kg": Number, "USD/kg", NN, REQUIRED, [], "cash_cost_usd_per_kg",
        "Processing cost per kg of scrap collected. In every reported step the mandate pays max(0, cost − the recovered materials' value at the region's prices) into `recycling_cost_usd` and `policy_cost_usd`; a recycler never closes.";
    Recycling "budget_usd": Number, "USD", NN, Opt("no cap"), [], "budget_usd",
        "Most the mandate pays in all; once the money left cannot cover a step's deficit the recycler runs only as far as it pays for, then stops while recovery stays at a loss.";
}
