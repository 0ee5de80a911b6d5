//! Keys of the market: the file's top level, `[scenario]`, defaults, items, regions, sectors,
//! routes, producers, demand, stockpiles, targets and distributions.

use super::super::Need::{
    Conditional as IF, Fallback as FALLBACK, Optional as Opt, Required as REQUIRED,
};
use super::super::Ty::{
    Choice, Date, Integer, Name, Names, Number, NumberBy, Table as Sub, Tables, Text,
};
use super::super::{Key, Table};
use super::{ANY, GE1, NN, POS, SHARE};

keys! {
    KEYS;
    Top "extends": Text, "", None, Opt("a file of its own"), [], "",
        "Parent file this one modifies, relative to this file's folder (see `extends` and merging).";
    Top "scenario": Sub(Table::Scenario), "", None, REQUIRED, [], "", "Name, dates, horizon, seed.";
    Top "defaults": Sub(Table::Defaults), "", None, Opt("no fallbacks"), [], "",
        "Values for every agent that does not set its own.";
    Top "item": Tables(Table::Item), "", None, REQUIRED, [], "", "Materials, intermediates and products.";
    Top "region": Tables(Table::Region), "", None, REQUIRED, [], "", "Regions.";
    Top "sector": Tables(Table::Sector), "", None, REQUIRED, [], "", "End-use sectors.";
    Top "route": Tables(Table::Route), "", None, Opt("`[defaults.trade]` for every route"), [], "",
        "Transit times between regions, one entry per (from, to).";
    Top "producer": Tables(Table::Producer), "", None, REQUIRED, [], "",
        "Mines, separation plants and magnet makers.";
    Top "demand": Tables(Table::Demand), "", None, Opt("no manufacturers"), [], "",
        "Demand by region and sector; each entry splits into `firms` manufacturers.";
    Top "stockpile": Tables(Table::Stockpile), "", None, Opt("no stockpiles"), [], "",
        "Government stockpiles.";
    Top "exporter": Tables(Table::Exporter), "", None, Opt("no export controls"), [], "",
        "Export authorities of controlling exporters.";
    Top "shock": Tables(Table::Shock), "", None, Opt("no shocks"), [], "", "Dated policy and market events.";
    Top "target": Tables(Table::Target), "", None, Opt("no targets"), [], "targets",
        "Observed values the outputs are compared with (`chokepoint backtest`) or fitted to (calibration).";

    Scenario "name": Text, "", None, REQUIRED, [], "", "Short name; names output folders.";
    Scenario "description": Text, "", None, Opt("empty"), [], "", "What the scenario represents.";
    Scenario "start": Date, "", None, REQUIRED, [], "", "First day of step 0 (e.g. `2025-01-06`).";
    Scenario "step_days": Integer, "days", None, Opt("7"), [], "", "Length of a step (at least 1).";
    Scenario "horizon_weeks": Integer, "weeks", None, REQUIRED, [], "", "Length of the run (> 0, at most a century: 5,200 weeks).";
    Scenario "warmup_weeks": Integer, "weeks", None, Opt("0"), [], "",
        "Weeks simulated before `start` under the baseline policy (no shocks, stockpiles idle, nothing recorded), so the outputs start from a settled market. Shocks keep their dates.";
    Scenario "seed": Integer, "", None, Opt("`--seed`"), [], "", "Default master seed (`--seed` overrides).";
    Scenario "replications": Integer, "", None, Opt("`--replications`"), [], "",
        "Default number of replications.";

    Defaults "price": Sub(Table::Price), "", None, Opt("none"), [], "", "Price dynamics of every item.";
    Defaults "producer": Sub(Table::Producer), "", None, Opt("none"), [], "",
        "Behaviour of every producer (the behaviour keys of `[[producer]]`).";
    Defaults "manufacturer": Sub(Table::Demand), "", None, Opt("none"), [], "",
        "Behaviour of every manufacturer (the behaviour keys of `[[demand]]`).";
    Defaults "trade": Sub(Table::Trade), "", None, Opt("none"), [], "trade",
        "Shipping between regions (below `[[route]]`).";

    Price "elasticity": Number, "per week", NN, FALLBACK, [], "elasticity",
        "Change of the log price per week per unit of scarcity: the share of what importing regions wanted for use (manufacturers' need, producers' planned inputs) that they could not use; orders to refill inventories do not count.";
    Price "reversion_per_week": Number, "share per week", SHARE, FALLBACK, [], "reversion_per_step",
        "Share of the log gap to baseline closed each week.";
    Price "min_ratio": Number, "ratio", POS, FALLBACK, [], "min_ratio",
        "Lowest price ratio; at most 1 (the baseline).";
    Price "max_ratio": Number, "ratio", GE1, FALLBACK, [], "max_ratio", "Highest price ratio.";

    Item "name": Text, "", None, REQUIRED, [], "",
        "The item (`ndpr`, `dy`, `ndfeb`, ...). Outputs are `price_ratio/<name>` etc.";
    Item "kind": Choice(&["material", "intermediate", "product"]), "", None, REQUIRED, [], "",
        "Separated rare earth, ore concentrate, or magnet.";
    Item "base_price_usd_per_kg": Number, "USD/kg", POS, REQUIRED, [], "base_price_usd_per_kg",
        "Baseline world price; every price ratio is relative to it.";
    Item "bom": NumberBy("item"), "kg per t of product", NN, Opt("none"), [], "bom",
        "Bill of materials of a product (≤ 1000 each); magnet makers consume it.";
    Item "price": Sub(Table::Price), "", None, Opt("`[defaults.price]`"), [], "price",
        "Per-item overrides of `[defaults.price]`.";

    Region "name": Text, "", None, REQUIRED, [], "", "A region (`china`, `us`, ...).";

    Sector "name": Text, "", None, REQUIRED, [], "",
        "An end-use sector (`ev_motors`, `defence`, ...).";
    Sector "value_added_usd_per_kg": Number, "USD/kg", NN, REQUIRED, [], "value_added_usd_per_kg",
        "Value added lost per kg of the sector's rare-earth input (magnet, or material for non-magnet uses) whose output is lost after the deferral window.";
    Sector "deferral_weeks": Number, "weeks", NN, Opt("0: a shortfall is lost at once"), [], "deferral_steps",
        "How long output a firm could not make waits in its backlog (orders are delayed, not cancelled) before it is lost; rounded to whole steps.";

    Route "from": Name("region"), "", None, REQUIRED, [], "", "Region shipped from.";
    Route "to": Name("region"), "", None, REQUIRED, [], "", "Region shipped to (not `from`: a domestic sale arrives at once).";
    Route "transit_weeks": Number, "weeks", NN, REQUIRED, [], "transit_steps",
        "Door-to-door time from sale to arrival at the buyer, rounded to whole steps. Cargo at sea arrives whatever the policy by then; the export licence is checked at sale.";

    Trade "transit_weeks": Number, "weeks", NN, Opt("0: every route without a `[[route]]` entry arrives at once"), [], "transit_steps",
        "Transit time of every route between two regions that no `[[route]]` entry sets.";

    Producer "name": Text, "", None, REQUIRED, [], "", "Name (shocks name producers).";
    Producer "region": Name("region"), "", None, REQUIRED, [], "", "Where it stands.";
    Producer "stage": Choice(&["mining", "separation", "magnet_making"]), "", None, REQUIRED, [], "",
        "What it does.";
    Producer "capacity_t_per_year": Number, "t/yr", NN, REQUIRED, [], "capacity_t_per_step",
        "Nameplate capacity: of output (mining, magnets) or of feed (separation).";
    Producer "output": Name("item"), "", None, Opt("required for mining"), [], "",
        "The item mined (e.g. `concentrate`).";
    Producer "feed": Name("item"), "", None, Opt("required for separation"), [], "", "The feed item.";
    Producer "yields": NumberBy("item"), "t per t of feed", SHARE, Opt("required for separation"), [], "",
        "What separation makes.";
    Producer "product": Name("item"), "", None, Opt("required for magnet making"), [], "",
        "The magnet made; inputs follow its `bom`.";
    Producer "online": Date, "", None, Opt("in operation from the start"), [], "online.step",
        "Date output starts (a mine or plant built or restarted during the run, e.g. Mountain Pass in 2012): no capacity before it, then a linear ramp over `ramp_weeks`. A date before `start` means it is ramping or at full capacity when the run opens. Opening stocks and the warm-up use the share online at `start`.";
    Producer "ramp_weeks": Number, "weeks", NN, Opt("0: full capacity at `online`"), [], "online.ramp_steps",
        "Weeks from `online` to full capacity; capacity in between is the elapsed share. Only with `online`.";
    Producer "utilisation": Number, "share", SHARE, FALLBACK, [], "utilisation",
        "Share of capacity used at baseline prices.";
    Producer "supply_elasticity": Number, "", NN, FALLBACK, [], "supply_elasticity",
        "Utilisation scales with (price ratio)^elasticity, capped at full capacity.";
    Producer "input_cover_weeks": Number, "weeks", NN, FALLBACK, [], "input_cover_steps",
        "Target and opening input inventory, in weeks of baseline input use.";
    Producer "order_adjust_weeks": Number, "weeks", GE1, FALLBACK, [], "order_adjust_steps",
        "Weeks over which an input inventory gap is ordered away.";
    Producer "warehouse_weeks": Number, "weeks", NN, FALLBACK, [], "warehouse",
        "Opening finished-goods stock in the region's warehouse, weeks of output; also the \"normal\" stock against which an exporter's glut is measured.";
    Producer "end_use": Name("sector"), "", None, FALLBACK, [], "end_use",
        "Sector under which its imports of inputs are licensed.";
    Producer "outage_prob_per_year": Number, "share", SHARE, FALLBACK, [], "outage.prob_per_step",
        "Probability of a random outage starting in a year.";
    Producer "outage_mean_weeks": Number, "weeks", GE1, FALLBACK, [], "outage.mean_steps",
        "Mean outage length (geometric).";
    Producer "outage_depth_share": Number, "share", SHARE, FALLBACK, [], "outage.depth_share",
        "Share of capacity lost during an outage.";
    Producer "expansion_trigger_price_ratio": Number, "ratio", POS, FALLBACK, [], "expansion.trigger_price_ratio",
        "Price ratio of its main output that counts as high.";
    Producer "expansion_sustain_weeks": Number, "weeks", NN, FALLBACK, [], "expansion.sustain_steps",
        "Weeks of high prices before a project starts.";
    Producer "expansion_lead_time_weeks": Sub(Table::LeadTime), "weeks", None, FALLBACK, [], "expansion.lead_time",
        "Lognormal project lead time, truncated at `max`.";
    Producer "expansion_increment_share": Number, "share", NN, FALLBACK, [], "expansion.increment_share",
        "Capacity added per project, share of initial capacity (0 = never expands).";
    Producer "expansion_max_capacity_multiple": Number, "", GE1, FALLBACK, [], "expansion.max_capacity_multiple",
        "Capacity cap, multiple of initial.";

    LeadTime "median": Number, "weeks", NN, FALLBACK, [], "median_steps", "Median.";
    LeadTime "sigma": Number, "", NN, FALLBACK, [], "sigma", "Standard deviation of the log.";
    LeadTime "max": Number, "weeks", NN, FALLBACK, [], "max_steps", "Longest; draws above it are cut to it.";

    Demand "region": Name("region"), "", None, REQUIRED, [], "region", "Where.";
    Demand "sector": Name("sector"), "", None, REQUIRED, [], "sector",
        "Which end use (sets licence odds and the value of lost output).";
    Demand "t_per_year": NumberBy("item"), "t/yr", NN, REQUIRED, [], "demand",
        "Baseline demand per item of the region × sector, shared among its firms by size.";
    Demand "firms": Integer, "", GE1, Opt("1"), [], "",
        "Number of firms (manufacturers) the entry splits into; each buys, applies for licences, curtails and halts on its own. At least 1.";
    Demand "users_share": NumberBy("item"), "share", SHARE, Opt("1 for every item"), [], "demand",
        "Share of the firms whose bill of materials has the item (a car plant needs NdFeB, not Sc): the item goes to that many firms (at least one), chosen by firm index, and its demand is shared among them by size.";
    Demand "firm_size_sigma": Number, "", NN, Opt("`[defaults.manufacturer]`, else 0"), [], "",
        "Log-sd of the firms' sizes: lognormal shares drawn per replication (one stream per firm) and scaled to the entry's demand; 0 = equal firms.";
    Demand "firm_cover_sigma": Number, "", NN, Opt("`[defaults.manufacturer]`, else 0"), [], "cover_target_steps",
        "Log-sd of each firm's inventory cover around `cover_weeks` (mean-one lognormal, drawn per replication per firm); 0 = all hold `cover_weeks`.";
    Demand "catch_up_share": Number, "share of a week's output", NN, Opt("`[defaults.manufacturer]`, else 0"), [], "catch_up_share",
        "Most of a backlog a firm makes up per week beyond its current output (spare capacity).";
    Demand "cover_weeks": Number, "weeks", NN, FALLBACK, [], "cover_target_steps",
        "Target and opening inventory, weeks of current demand.";
    Demand "order_adjust_weeks": Number, "weeks", GE1, FALLBACK, [], "order_adjust_steps",
        "Weeks over which an inventory gap is ordered away.";
    Demand "growth_per_year": Number, "per year", ANY, FALLBACK, [], "growth_per_year",
        "Trend growth of demand per year (0.08 = +8 %/yr; the model takes -0.99 to 10).";
    Demand "noise_sigma": Number, "", NN, FALLBACK, [], "noise_sigma",
        "Log-sd of mean-one lognormal weekly demand noise (scaled by √(step_days/7) for other step lengths).";
    Demand "price_elasticity": Number, "", NN, FALLBACK, [], "price_elasticity",
        "Demand scales by (price ratio)^-elasticity.";
    Demand "halt_unmet_share": Number, "share", SHARE, FALLBACK, [], "halt_unmet_share",
        "A firm is halted in a week when it makes less than (1 - this share) of the output it wanted (its scarcest input decides).";
    Demand "substitution_trigger_price_ratio": Number, "ratio", POS, FALLBACK, [], "substitution.trigger_price_ratio",
        "Price ratio that starts substitution and thrifting.";
    Demand "substitution_lag_weeks": Number, "weeks", NN, FALLBACK, [], "substitution.lag_steps",
        "Weeks of high prices before substitution starts.";
    Demand "substitution_rate_per_year": Number, "share per year", SHARE, FALLBACK, [], "substitution.rate_per_step",
        "Growth of the substituted share of demand.";
    Demand "substitution_cap_share": Number, "share", SHARE, FALLBACK, [], "substitution.cap_share",
        "Largest substituted share; substitution does not reverse.";
    Demand "stock_building_response": Number, "per unit of log-price rise", NN, Opt("`[defaults.manufacturer]`, else 0: off"), [], "stock_building.response",
        "Precautionary stock-building: the cover target is multiplied by min(1 + response × max(0, ln p − ln p_recent), `stock_building_max_cover_multiple`), p the price ratio the firm sees; as prices level off or fall the multiple returns to 1 and the extra stock is run down (destocking).";
    Demand "stock_building_window_weeks": Number, "weeks", GE1, Opt("`[defaults.manufacturer]`, else 1"), [], "stock_building.window_steps",
        "Time constant of the recent price (an exponentially weighted average of the log price ratio) that stock-building compares today's price with.";
    Demand "stock_building_max_cover_multiple": Number, "", GE1, Opt("`[defaults.manufacturer]`, else 1"), [], "stock_building.max_cover_multiple",
        "Largest multiple of the normal cover that stock-building targets.";

    Stockpile "name": Text, "", None, REQUIRED, [], "", "Name.";
    Stockpile "region": Name("region"), "", None, REQUIRED, [], "region",
        "Whose stockpile: it buys under this region's licences and holds its stock here; its releases serve this region only unless `members` is given.";
    Stockpile "members": Names("region"), "", None, Opt("`[region]`: its own region only"), [], "members",
        "A joint stockpile (issue 18): the regions whose buyers its releases serve, the stockpile's own `region` among them. A release to a member abroad is a sale from the holder's region (an export and an import, through the route's transit); the shortage trigger watches the largest shortage among the members; `*_weeks` sizes count the members' use. Purchases stay licensed under the holder's region and `end_use`.";
    Stockpile "end_use": Name("sector"), "", None, REQUIRED, [], "end_use",
        "Sector under which its purchases are licensed.";
    Stockpile "budget_usd": Number, "USD", NN, REQUIRED, [], "budget_usd",
        "Total acquisition budget over the horizon.";
    Stockpile "release_shortage_share": Number, "share", SHARE, Opt("no shortage trigger"), [], "release.shortage_trigger_share",
        "Release when last week's unmet share of the region's orders for the item reaches this.";
    Stockpile "release_price_ratio": Number, "ratio", POS, Opt("no price trigger"), [], "release.price_trigger_ratio",
        "Release when the item's price ratio reaches this.";
    Stockpile "priority_sector": Name("sector"), "", None, Opt("pro rata"), [], "release.priority_sector",
        "Served first from releases (defence first).";
    Stockpile "release_floor_share": Number, "share of target", SHARE, Opt("0: may release everything"), [], "release.floor_share",
        "A reserve: releases stop when a holding falls to this share of its target (kept for a later or longer shock).";
    Stockpile "refill_max_price_ratio": Number, "ratio", POS, REQUIRED, [], "refill.max_price_ratio",
        "Buy only at or below this price ratio.";
    Stockpile "refill_delay_weeks": Number, "weeks", NN, REQUIRED, [], "refill.delay_steps",
        "Weeks after the last release before buying again.";
    Stockpile "holding": Tables(Table::Holding), "", None, Opt("holds nothing"), [], "lines",
        "What it holds, one entry per item (below).";

    Holding "item": Name("item"), "", None, REQUIRED, [], "item", "The item held.";
    Holding "initial_t": Number, "t", NN, Opt("0, or `initial_weeks`"), [], "initial_t",
        "Opening holdings (give this or `initial_weeks`).";
    Holding "initial_weeks": Number, "weeks of the region's baseline use", NN, Opt("0, or `initial_t`"), [], "initial_t",
        "Opening holdings (give this or `initial_t`).";
    Holding "opening_share": Number, "share of target", SHARE, Opt("`initial_t`/`initial_weeks`, else 0"), [], "initial_t",
        "Opening holdings as a share of the target; a distribution when the real holdings are unknown (JOGMEC's are secret). Give this or `initial_t`/`initial_weeks`.";
    Holding "target_t": Number, "t", NN, Opt("0, or `target_weeks`"), [], "target_t",
        "Holdings it buys towards (give this or `target_weeks`).";
    Holding "target_weeks": Number, "weeks of the region's baseline use", NN, Opt("0, or `target_t`"), [], "target_t",
        "Holdings it buys towards (give this or `target_t`).";
    Holding "acquisition_t_per_week": Number, "t/week", NN, REQUIRED, [], "acquisition_t_per_step",
        "Most bought per week.";
    Holding "release_cap_t_per_week": Number, "t/week", NN, REQUIRED, [], "release_cap_t_per_step",
        "Most released per week.";

    Target "name": Text, "", None, REQUIRED, [], "name",
        "Unique name; the target's value in each replication is the metric `target/<name>`.";
    Target "series": Text, "", None, REQUIRED, [], "series",
        "A per-step variable (docs/outputs.md), e.g. `exports_t/ndpr/japan`; `*` matches one path segment and the matches are summed (`exports_t/*/japan`: every item to Japan).";
    Target "from": Date, "", None, REQUIRED, [], "from",
        "First day of the window (inclusive). The window must lie wholly inside the simulated days.";
    Target "to": Date, "", None, REQUIRED, [], "to", "Last day of the window (inclusive).";
    Target "reduce": Choice(&["sum", "mean", "max", "min", "last"]), "", None, Opt("`sum`"), [], "reduce",
        "How the window's steps become one number. `sum` and `mean` weight each step by the share of its days inside the window (a flow of f t per week over a 30-day month sums to f × 30/7); `max` and `min` take the steps the window touches; `last` the step holding `to`.";
    Target "scale": Choice(&["none", "base_price"]), "", None, Opt("`none`"), [], "scale",
        "`base_price` multiplies a `price_ratio/<item>` series by the item's `base_price_usd_per_kg`, giving USD/kg (allowed on world price ratios only).";
    Target "historical": Number, "`unit`", POS, IF("required; refused on a `prediction`"), [], "historical",
        "The observed value, in `unit` (a fixed number, not a distribution; > 0, as the loss compares logarithms).";
    Target "unit": Text, "", None, REQUIRED, [], "unit", "Unit of `historical` and of the target's metric (`t`, `USD/kg`, `ratio`).";
    Target "source": Text, "", None, REQUIRED, [], "source",
        "Where `historical` comes from (facts §N, docs/research, a publication); for a `prediction`, that no observed value is used.";
    Target "role": Choice(&["fit", "holdout", "prediction"]), "", None, Opt("`fit`"), [], "role",
        "`fit`: used by a calibration's loss; `holdout`: reported separately as out-of-sample, never fitted; `prediction`: no observed value (no `historical`, `tolerance` or `weight`), the model's interval is reported as a forecast.";
    Target "tolerance": Number, "share", POS, IF("required; refused on a `prediction`"), [], "tolerance",
        "Relative tolerance: the calibration loss is `weight × (ln(p50 / historical) / ln(1 + tolerance))²`.";
    Target "weight": Number, "", NN, Opt("1; refused on a `prediction`"), [], "weight", "Weight of the target in the calibration loss.";

    Dist "dist": Choice(&["lognormal", "uniform", "triangular", "normal", "beta", "bernoulli"]),
        "", None, REQUIRED, [], "", "The distribution.";
    Dist "median": Number, "", None, REQUIRED, [&["lognormal"]], "", "The median (> 0).";
    Dist "sigma": Number, "", None, REQUIRED, [&["lognormal"]], "", "Standard deviation of the log (≥ 0).";
    Dist "mean": Number, "", None, REQUIRED, [&["normal"]], "", "The mean.";
    Dist "sd": Number, "", None, REQUIRED, [&["normal"]], "", "The standard deviation (≥ 0).";
    Dist "lo": Number, "", None, REQUIRED, [&["uniform", "triangular", "normal"]], "",
        "Lower bound (for a normal: optional truncation, by rejection).";
    Dist "hi": Number, "", None, REQUIRED, [&["uniform", "triangular", "normal"]], "",
        "Upper bound (for a normal: optional truncation, by rejection).";
    Dist "mode": Number, "", None, REQUIRED, [&["triangular"]], "", "The mode, in [lo, hi].";
    Dist "alpha": Number, "", None, REQUIRED, [&["beta"]], "", "First shape (> 0).";
    Dist "beta": Number, "", None, REQUIRED, [&["beta"]], "", "Second shape (> 0).";
    Dist "p": Number, "", None, REQUIRED, [&["bernoulli"]], "", "Probability of 1.";
}
