//! Every scenario key, defined once: its table, type, unit, range, default, which shock types or
//! distributions accept it, the model parameter it becomes, and its documentation.
//!
//! This one table drives the parser's unknown-key and did-you-mean messages, the range every
//! number is checked against (and clamped to when sampled), the check that a shock or a
//! distribution holds only keys that apply to it, the mapping of the model's own validation
//! errors back to scenario keys, and the key tables of `docs/scenarios.md` (generated between
//! `<!-- BEGIN GENERATED keys:... -->` markers; [`render_docs`] rewrites them, and a test fails
//! when the checked-in file is stale). To add a key: add a field to the schema type, a line
//! here, and read it in the compiler.

use crate::num::Domain;

/// A table of the format: where a key may be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Table {
    /// The top level of the file.
    Top,
    /// `[scenario]`.
    Scenario,
    /// `[defaults]`.
    Defaults,
    /// `[defaults.price]` and an item's `price`.
    Price,
    /// `[[item]]`.
    Item,
    /// `[[region]]`.
    Region,
    /// `[[sector]]`.
    Sector,
    /// `[[producer]]` and `[defaults.producer]`.
    Producer,
    /// A lead time: `{ median, sigma, max }`.
    LeadTime,
    /// `[[demand]]` and `[defaults.manufacturer]`.
    Demand,
    /// `[[stockpile]]`.
    Stockpile,
    /// `[[stockpile.holding]]`.
    Holding,
    /// `[[exporter]]`.
    Exporter,
    /// An exporter's `licence` table.
    Licence,
    /// `[[exporter.quota]]`.
    Quota,
    /// `[[shock]]`.
    Shock,
    /// A distribution: `{ dist = "...", ... }`.
    Dist,
}

impl Table {
    /// Every table, in the order of the reference.
    pub const ALL: [Table; 17] = [
        Table::Top,
        Table::Scenario,
        Table::Defaults,
        Table::Price,
        Table::Item,
        Table::Region,
        Table::Sector,
        Table::Producer,
        Table::LeadTime,
        Table::Demand,
        Table::Stockpile,
        Table::Holding,
        Table::Exporter,
        Table::Licence,
        Table::Quota,
        Table::Shock,
        Table::Dist,
    ];

    /// The name used in docs markers and messages.
    pub fn id(self) -> &'static str {
        match self {
            Table::Top => "top",
            Table::Scenario => "scenario",
            Table::Defaults => "defaults",
            Table::Price => "price",
            Table::Item => "item",
            Table::Region => "region",
            Table::Sector => "sector",
            Table::Producer => "producer",
            Table::LeadTime => "lead_time",
            Table::Demand => "demand",
            Table::Stockpile => "stockpile",
            Table::Holding => "holding",
            Table::Exporter => "exporter",
            Table::Licence => "licence",
            Table::Quota => "quota",
            Table::Shock => "shock",
            Table::Dist => "dist",
        }
    }

    /// The keys of this table, in reference order.
    pub fn keys(self) -> impl Iterator<Item = &'static Key> {
        KEYS.iter().filter(move |k| k.table == self)
    }

    /// The key `name` of this table.
    pub fn key(self, name: &str) -> Option<&'static Key> {
        self.keys().find(|k| k.name == name)
    }
}

/// What a key holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// A string.
    Text,
    /// A whole number.
    Integer,
    /// A date (`2025-04-04`).
    Date,
    /// A number or a distribution.
    Number,
    /// One of a fixed set of words.
    Choice(&'static [&'static str]),
    /// The name of something defined in the file (`item`, `region`, ...).
    Name(&'static str),
    /// A list of names.
    Names(&'static str),
    /// A table from names to numbers.
    NumberBy(&'static str),
    /// Approval odds: by destination and end use.
    Approval,
    /// A table.
    Table(Table),
    /// An array of tables.
    Tables(Table),
}

impl Ty {
    /// True when the value is a number (so the keys below it are a distribution's).
    pub fn is_number(self) -> bool {
        matches!(self, Ty::Number | Ty::NumberBy(_) | Ty::Approval)
    }

    fn describe(self) -> String {
        match self {
            Ty::Text => "string".to_owned(),
            Ty::Integer => "integer".to_owned(),
            Ty::Date => "date".to_owned(),
            Ty::Number => "number".to_owned(),
            Ty::Choice(words) => words
                .iter()
                .map(|w| format!("`{w}`"))
                .collect::<Vec<_>>()
                .join(", "),
            Ty::Name(kind) => kind.to_owned(),
            Ty::Names(kind) => format!("array of {kind}s"),
            Ty::NumberBy(kind) => format!("table {kind} → number"),
            Ty::Approval => "table of probabilities".to_owned(),
            Ty::Table(Table::LeadTime) => "`{ median, sigma, max }`".to_owned(),
            Ty::Table(_) => "table".to_owned(),
            Ty::Tables(_) => "array of tables".to_owned(),
        }
    }
}

/// Whether a key must be given, and what its absence means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Must be set.
    Required,
    /// Must be set on the entry or in the table it falls back to (`[defaults.producer]`, the
    /// exporter's `licence` for a `licence_regime` shock).
    Fallback,
    /// May be left out; the text says what absence means.
    Optional(&'static str),
}

/// One key of the format.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    /// The table it is written in.
    pub table: Table,
    /// Its name.
    pub name: &'static str,
    /// What it holds.
    pub ty: Ty,
    /// Its unit, "" when it has none.
    pub unit: &'static str,
    /// The range a number must lie in (fixed values and distribution supports).
    pub domain: Option<Domain>,
    /// Whether it must be given.
    pub need: Need,
    /// The shock types (`[[shock]]`) or distributions (`dist`) that accept it; empty = all.
    pub applies: &'static [&'static str],
    /// The model parameter it becomes (a path below the agent in `ModelParams`), "" if none.
    pub core: &'static str,
    /// What it means.
    pub doc: &'static str,
}

const AUTHORITY_SHOCKS: &[&str] = &[
    "halt",
    "list_expansion",
    "licence_regime",
    "quota",
    "extraterritorial",
];
const LICENCE_SHOCK: &[&str] = &["licence_regime"];

/// Defines [`KEYS`]: `Table name: type, "unit", domain, need, [applies], "core path", "doc";`.
macro_rules! keys {
    ($( $table:ident $name:literal : $ty:expr, $unit:literal, $domain:expr, $need:expr,
        [$($applies:expr),*], $core:literal, $doc:literal; )*) => {
        /// Every key of the format, in reference order.
        pub const KEYS: &[Key] = &[$(
            Key {
                table: Table::$table,
                name: $name,
                ty: $ty,
                unit: $unit,
                domain: $domain,
                need: $need,
                applies: keys!(@applies $($applies),*),
                core: $core,
                doc: $doc,
            },
        )*];
    };
    (@applies) => { &[] };
    (@applies $list:expr) => { $list };
}

use Need::{Fallback as FALLBACK, Optional as Opt, Required as REQUIRED};
use Ty::{
    Approval, Choice, Date, Integer, Name, Names, Number, NumberBy, Table as Sub, Tables, Text,
};

const NN: Option<Domain> = Some(Domain::NonNegative);
const POS: Option<Domain> = Some(Domain::Positive);
const SHARE: Option<Domain> = Some(Domain::Share);
const GE1: Option<Domain> = Some(Domain::AtLeastOne);
const ANY: Option<Domain> = Some(Domain::Any);

keys! {
    Top "extends": Text, "", None, Opt("a file of its own"), [], "",
        "Parent file this one modifies, relative to this file's folder (see `extends` and merging).";
    Top "scenario": Sub(Table::Scenario), "", None, REQUIRED, [], "", "Name, dates, horizon, seed.";
    Top "defaults": Sub(Table::Defaults), "", None, Opt("no fallbacks"), [], "",
        "Values for every agent that does not set its own.";
    Top "item": Tables(Table::Item), "", None, REQUIRED, [], "", "Materials, intermediates and products.";
    Top "region": Tables(Table::Region), "", None, REQUIRED, [], "", "Regions.";
    Top "sector": Tables(Table::Sector), "", None, REQUIRED, [], "", "End-use sectors.";
    Top "producer": Tables(Table::Producer), "", None, REQUIRED, [], "",
        "Mines, separation plants and magnet makers.";
    Top "demand": Tables(Table::Demand), "", None, Opt("no manufacturers"), [], "",
        "Demand by region and sector; each entry is one manufacturer.";
    Top "stockpile": Tables(Table::Stockpile), "", None, Opt("no stockpiles"), [], "",
        "Government stockpiles.";
    Top "exporter": Tables(Table::Exporter), "", None, Opt("no export controls"), [], "",
        "Export authorities of controlling exporters.";
    Top "shock": Tables(Table::Shock), "", None, Opt("no shocks"), [], "", "Dated policy and market events.";

    Scenario "name": Text, "", None, REQUIRED, [], "", "Short name; names output folders.";
    Scenario "description": Text, "", None, Opt("empty"), [], "", "What the scenario represents.";
    Scenario "start": Date, "", None, REQUIRED, [], "", "First day of step 0 (e.g. `2025-01-06`).";
    Scenario "step_days": Integer, "days", None, Opt("7"), [], "", "Length of a step (at least 1).";
    Scenario "horizon_weeks": Integer, "weeks", None, REQUIRED, [], "", "Length of the run (> 0).";
    Scenario "seed": Integer, "", None, Opt("`--seed`"), [], "", "Default master seed (`--seed` overrides).";
    Scenario "replications": Integer, "", None, Opt("`--replications`"), [], "",
        "Default number of replications.";

    Defaults "price": Sub(Table::Price), "", None, Opt("none"), [], "", "Price dynamics of every item.";
    Defaults "producer": Sub(Table::Producer), "", None, Opt("none"), [], "",
        "Behaviour of every producer (the behaviour keys of `[[producer]]`).";
    Defaults "manufacturer": Sub(Table::Demand), "", None, Opt("none"), [], "",
        "Behaviour of every manufacturer (the behaviour keys of `[[demand]]`).";

    Price "elasticity": Number, "per week", NN, FALLBACK, [], "elasticity",
        "Change of the log price per week per unit of scarcity (unfilled share of orders).";
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
    Sector "lost_output_usd_per_kg": Number, "USD/kg", NN, REQUIRED, [], "lost_output_usd_per_kg",
        "Value of output lost per kg of the sector's unmet demand.";

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
    Demand "t_per_year": NumberBy("item"), "t/yr", NN, REQUIRED, [], "demand", "Baseline demand per item.";
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
        "A manufacturer halts in a week when an item's inventory is empty and unmet demand exceeds this share of demand.";
    Demand "substitution_trigger_price_ratio": Number, "ratio", POS, FALLBACK, [], "substitution.trigger_price_ratio",
        "Price ratio that starts substitution and thrifting.";
    Demand "substitution_lag_weeks": Number, "weeks", NN, FALLBACK, [], "substitution.lag_steps",
        "Weeks of high prices before substitution starts.";
    Demand "substitution_rate_per_year": Number, "share per year", SHARE, FALLBACK, [], "substitution.rate_per_step",
        "Growth of the substituted share of demand.";
    Demand "substitution_cap_share": Number, "share", SHARE, FALLBACK, [], "substitution.cap_share",
        "Largest substituted share; substitution does not reverse.";

    Stockpile "name": Text, "", None, REQUIRED, [], "", "Name.";
    Stockpile "region": Name("region"), "", None, REQUIRED, [], "region",
        "Whose stockpile; releases serve this region only.";
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
    Holding "target_t": Number, "t", NN, Opt("0, or `target_weeks`"), [], "target_t",
        "Holdings it buys towards (give this or `target_weeks`).";
    Holding "target_weeks": Number, "weeks of the region's baseline use", NN, Opt("0, or `target_t`"), [], "target_t",
        "Holdings it buys towards (give this or `target_t`).";
    Holding "acquisition_t_per_week": Number, "t/week", NN, REQUIRED, [], "acquisition_t_per_step",
        "Most bought per week.";
    Holding "release_cap_t_per_week": Number, "t/week", NN, REQUIRED, [], "release_cap_t_per_step",
        "Most released per week.";

    Exporter "region": Name("region"), "", None, REQUIRED, [], "region", "The exporting region.";
    Exporter "controlled": Names("item"), "", None, Opt("none"), [], "controlled",
        "Items needing a licence at the start (`\"*\"` = all).";
    Exporter "licence": Sub(Table::Licence), "", None, REQUIRED, [], "regime",
        "Licence settings (below); what `licence_regime` and `list_expansion` shocks use unless they say otherwise.";
    Exporter "quota": Tables(Table::Quota), "", None, Opt("no quotas"), [], "quotas",
        "Annual export quotas (below).";
    Exporter "extraterritorial_share": Number, "share", SHARE, Opt("no rule"), [], "extraterritorial_share",
        "Extraterritorial rule in force at the start (see the `extraterritorial` shock).";

    Licence "review_capacity_per_week": Number, "applications per week", NN, FALLBACK, [], "review_capacity_per_step",
        "Applications taken into review per week, fractions carried over (0.5 = one every other week); the rest queue (FIFO). An application is one buyer agent (a region × sector, a producer or a stockpile) × one item.";
    Licence "lead_time_weeks": Sub(Table::LeadTime), "weeks", None, FALLBACK, [], "lead_time",
        "Lognormal review time once taken up, in whole steps, never past `max` (the statutory limit).";
    Licence "validity_weeks": Number, "weeks", NN, FALLBACK, [], "validity_steps",
        "How long an approved licence covers shipments.";
    Licence "reapply_delay_weeks": Number, "weeks", NN, FALLBACK, [], "reapply_delay_steps",
        "How long a refused buyer waits to apply again.";
    Licence "approval": Approval, "probability", SHARE, FALLBACK, [], "approval",
        "Approval probability by destination and end use: `default`, a sector (`defence = 0`), a region (`us = 0.6`) or a region by sector (`us = { default = 0.6, defence = 0 }`). The most specific wins: region.sector, region.default or region, sector, default.";

    Quota "name": Text, "", None, REQUIRED, [], "name", "Name (`quota` shocks refer to it).";
    Quota "items": Names("item"), "", None, REQUIRED, [], "items", "Items counted against it (`\"*\"` = all).";
    Quota "annual_t": Number, "t per calendar year", NN, Opt("no cap"), [], "annual_t",
        "Cap shared by its items; pro rata in the first year.";

    Shock "type": Choice(&["halt", "list_expansion", "licence_regime", "quota", "extraterritorial", "suspend", "lift", "capacity_outage", "demand_surge"]),
        "", None, REQUIRED, [], "", "One of the types below.";
    Shock "name": Text, "", None, Opt("`shock.<index>`"), [], "",
        "Needed if a `suspend` or `lift` refers to it; shown in the timeline.";
    Shock "note": Text, "", None, Opt("empty"), [], "", "Why, with the source.";
    Shock "date": Date, "", None, REQUIRED, [], "",
        "The day it takes effect (the first step starting on or after it). Must lie in the horizon.";
    Shock "delay_weeks": Number, "weeks", ANY, Opt("0"), [], "",
        "Shift of the date; a distribution makes the date uncertain.";
    Shock "duration_weeks": Number, "weeks", NN, Opt("to the end of the horizon"),
        [&["halt", "list_expansion", "licence_regime", "quota", "extraterritorial", "suspend", "capacity_outage", "demand_surge"]], "",
        "How long it lasts.";
    Shock "exporter": Name("region"), "", None, Opt("the first `[[exporter]]`"), [AUTHORITY_SHOCKS], "",
        "The acting exporter.";
    Shock "items": Names("item"), "", None, REQUIRED, [&["halt", "list_expansion", "licence_regime"]], "items",
        "Items affected (`\"*\"` = all).";
    Shock "destinations": Names("region"), "", None, REQUIRED, [&["halt"]], "destinations",
        "Regions no longer shipped to.";
    Shock "quota": Name("quota"), "", None, REQUIRED, [&["quota"]], "quota",
        "The exporter's quota whose cap changes.";
    Shock "annual_t": Number, "t per calendar year", NN, REQUIRED, [&["quota"]], "annual_t",
        "The quota's new cap.";
    Shock "review_capacity_per_week": Number, "applications per week", NN, FALLBACK, [LICENCE_SHOCK], "regime.review_capacity_per_step",
        "As in the exporter's `licence`, which it falls back to.";
    Shock "lead_time_weeks": Sub(Table::LeadTime), "weeks", None, FALLBACK, [LICENCE_SHOCK], "regime.lead_time",
        "As in the exporter's `licence`, which it falls back to.";
    Shock "validity_weeks": Number, "weeks", NN, FALLBACK, [LICENCE_SHOCK], "regime.validity_steps",
        "As in the exporter's `licence`, which it falls back to.";
    Shock "reapply_delay_weeks": Number, "weeks", NN, FALLBACK, [LICENCE_SHOCK], "regime.reapply_delay_steps",
        "As in the exporter's `licence`, which it falls back to.";
    Shock "approval": Approval, "probability", SHARE, FALLBACK, [LICENCE_SHOCK], "regime.approval",
        "As in the exporter's `licence`, which it falls back to (as a whole table).";
    Shock "share": Number, "share", SHARE, REQUIRED, [&["extraterritorial", "capacity_outage"]], "share",
        "`extraterritorial`: the controlled-material mass share from which a product needs a licence; `capacity_outage`: the share of capacity lost.";
    Shock "target": Name("shock"), "", None, REQUIRED, [&["suspend", "lift"]], "",
        "The `name` of the shock suspended or lifted.";
    Shock "producers": Names("producer"), "", None, REQUIRED, [&["capacity_outage"]], "producers",
        "Producers hit.";
    Shock "regions": Names("region"), "", None, Opt("all"), [&["demand_surge"]], "manufacturers",
        "Regions whose manufacturers are hit.";
    Shock "sectors": Names("sector"), "", None, Opt("all"), [&["demand_surge"]], "manufacturers",
        "Sectors whose manufacturers are hit.";
    Shock "multiplier": Number, "", NN, REQUIRED, [&["demand_surge"]], "multiplier",
        "Demand multiplier.";

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

/// Shock types and what each does while active.
pub const SHOCK_TYPES: &[(&str, &str)] = &[
    (
        "halt",
        "Embargo: no shipments of the items to the destinations (lifted).",
    ),
    (
        "list_expansion",
        "Items put on the control list under the regime in force (taken off).",
    ),
    (
        "licence_regime",
        "Items need a licence and the regime takes these settings, each falling back to the exporter's `licence` table (items off, baseline regime back).",
    ),
    (
        "quota",
        "The named quota's annual cap changes (previous cap back).",
    ),
    (
        "extraterritorial",
        "Third countries' exports of products whose controlled-material mass share reaches `share` need the exporter's licence (rule off).",
    ),
    (
        "suspend",
        "The target shock's effect is undone from `date` for `duration_weeks`, then restored if the target is still running.",
    ),
    ("lift", "The target ends at `date`."),
    (
        "capacity_outage",
        "The producers lose `share` of capacity (restored).",
    ),
    (
        "demand_surge",
        "Demand of the matching manufacturers is multiplied (back to 1).",
    ),
];

/// Distributions, their support and the central value `check` and `diff` show.
pub const DISTS: &[(&str, &str, &str)] = &[
    ("lognormal", "(0, ∞)", "median"),
    ("uniform", "[lo, hi]", "midpoint"),
    ("triangular", "[lo, hi]", "mode"),
    ("normal", "[lo, hi]", "mean (clamped to [lo, hi])"),
    ("beta", "[0, 1]", "alpha / (alpha + beta)"),
    ("bernoulli", "{0, 1}", "p"),
];

/// The names of the shock types.
pub fn shock_types() -> Vec<&'static str> {
    SHOCK_TYPES.iter().map(|(t, _)| *t).collect()
}

/// The names of the distributions.
pub fn dist_names() -> Vec<&'static str> {
    DISTS.iter().map(|(d, _, _)| *d).collect()
}

/// Every key name the format knows (any table), sorted and without repeats.
pub fn known_names() -> Vec<&'static str> {
    let mut v: Vec<&str> = KEYS.iter().map(|k| k.name).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// True when `key` is accepted by the shock type or distribution `kind`.
pub fn applies(key: &Key, kind: &str) -> bool {
    key.applies.is_empty() || key.applies.contains(&kind)
}

/// The keys of `table` that a shock type or distribution `kind` accepts.
pub fn applicable(table: Table, kind: &str) -> Vec<&'static str> {
    table
        .keys()
        .filter(|k| applies(k, kind))
        .map(|k| k.name)
        .collect()
}

/// Where a dotted key path (`producer.3.capacity_t_per_year.median`) lands in the format.
#[derive(Clone, Copy, Debug)]
pub enum Place {
    /// A key of a table: the key, and how many parts of the path follow it (inside its value).
    Key(&'static Key, usize),
    /// `name` is not a key of `table`.
    Unknown(Table, usize),
}

/// Follows a dotted key path through the tables of the format.
pub fn place(path: &str) -> Option<Place> {
    let parts: Vec<&str> = path.split('.').filter(|p| !p.is_empty()).collect();
    let mut table = Table::Top;
    let mut i = 0;
    while let Some(part) = parts.get(i) {
        let Some(key) = table.key(part) else {
            return Some(Place::Unknown(table, i));
        };
        match key.ty {
            Ty::Table(sub) if i + 1 < parts.len() => {
                table = sub;
                i += 1;
            }
            Ty::Tables(sub) if i + 2 < parts.len() => {
                table = sub;
                i += 2;
            }
            _ => return Some(Place::Key(key, parts.len() - i - 1)),
        }
    }
    None
}

/// The key a path's value belongs to (for a number inside a table by name, the table's key).
pub fn key_at(path: &str) -> Option<&'static Key> {
    match place(path)? {
        Place::Key(k, _) => Some(k),
        Place::Unknown(..) => None,
    }
}

/// The range of the number at `path`; [`Domain::Any`] for a path the format does not know
/// (the compiler reads only known keys; a unit test checks every shipped number resolves).
pub fn domain_at(path: &str) -> Domain {
    key_at(path).and_then(|k| k.domain).unwrap_or(Domain::Any)
}

/// The table an unknown key at `path` was written in, if the path says, and its name.
pub fn table_of_unknown(path: &str) -> Option<(Table, String)> {
    let last = path.rsplit('.').next()?.to_owned();
    match place(path)? {
        Place::Unknown(t, _) => Some((t, last)),
        // Below a number: a distribution's keys.
        Place::Key(k, rest) if k.ty.is_number() && rest > 0 => Some((Table::Dist, last)),
        Place::Key(..) => None,
    }
}

// ---- docs/scenarios.md ----

fn range(d: Option<Domain>) -> &'static str {
    match d {
        None | Some(Domain::Any) => "",
        Some(Domain::NonNegative) => "≥ 0",
        Some(Domain::Positive) => "> 0",
        Some(Domain::Share) => "[0, 1]",
        Some(Domain::AtLeastOne) => "≥ 1",
    }
}

fn need(k: &Key) -> String {
    match k.need {
        Need::Required => "required".to_owned(),
        Need::Fallback => match k.table {
            Table::Producer => "required, here or in `[defaults.producer]`".to_owned(),
            Table::Demand => "required, here or in `[defaults.manufacturer]`".to_owned(),
            Table::Price => "required, per item or in `[defaults.price]`".to_owned(),
            Table::Shock => "the exporter's `licence`".to_owned(),
            Table::LeadTime => "required (or all from the table it falls back to)".to_owned(),
            _ => "required".to_owned(),
        },
        Need::Optional(absent) => format!("optional: {absent}"),
    }
}

/// The generated Markdown table of one table's keys.
pub fn render_table(table: Table) -> String {
    let with_applies = table == Table::Shock;
    let mut s = String::from("| key | type | unit | range | if absent | meaning |");
    s += if with_applies {
        " types |\n| --- | --- | --- | --- | --- | --- | --- |\n"
    } else {
        "\n| --- | --- | --- | --- | --- | --- |\n"
    };
    for k in table.keys() {
        s += &format!(
            "| `{}` | {} | {} | {} | {} | {} |",
            k.name,
            k.ty.describe(),
            k.unit,
            range(k.domain),
            need(k),
            k.doc
        );
        if with_applies {
            s += &format!(
                " {} |",
                if k.applies.is_empty() {
                    "all".to_owned()
                } else {
                    k.applies.join(", ")
                }
            );
        }
        s += "\n";
    }
    s
}

fn render_shock_types() -> String {
    let mut s = String::from(
        "| `type` | keys (besides the common ones) | effect while active |\n| --- | --- | --- |\n",
    );
    for (t, effect) in SHOCK_TYPES {
        let own: Vec<String> = Table::Shock
            .keys()
            .filter(|k| !k.applies.is_empty() && k.applies.contains(t))
            .filter(|k| k.name != "duration_weeks" && k.name != "exporter")
            .map(|k| format!("`{}`", k.name))
            .collect();
        s += &format!("| `{t}` | {} | {effect} |\n", own.join(", "));
    }
    s
}

fn render_dists() -> String {
    let mut s =
        String::from("| `dist` | keys | support | central value |\n| --- | --- | --- | --- |\n");
    for (d, support, central) in DISTS {
        let keys: Vec<String> = Table::Dist
            .keys()
            .filter(|k| k.applies.contains(d))
            .map(|k| format!("`{}`", k.name))
            .collect();
        s += &format!("| `{d}` | {} | {support} | {central} |\n", keys.join(", "));
    }
    s
}

/// The generated text for a docs marker (`keys:producer`, `shock_types`, `dists`).
pub fn render_marker(name: &str) -> Option<String> {
    match name {
        "shock_types" => Some(render_shock_types()),
        "dists" => Some(render_dists()),
        _ => {
            let id = name.strip_prefix("keys:")?;
            Table::ALL
                .iter()
                .find(|t| t.id() == id)
                .map(|t| render_table(*t))
        }
    }
}

/// Start of a generated block in `docs/scenarios.md`; the marker name follows.
pub const BEGIN: &str = "<!-- BEGIN GENERATED ";
/// End of a generated block.
pub const END: &str = "<!-- END GENERATED -->";

/// `docs` with every generated block rewritten from this table; `Err` names an unknown marker.
pub fn render_docs(docs: &str) -> Result<String, String> {
    let mut out = String::with_capacity(docs.len());
    let mut rest = docs;
    while let Some(at) = rest.find(BEGIN) {
        let after = &rest[at + BEGIN.len()..];
        let close = after
            .find("-->")
            .ok_or_else(|| "unclosed BEGIN GENERATED marker".to_owned())?;
        let name = after[..close].trim();
        let body = render_marker(name).ok_or_else(|| format!("unknown marker `{name}`"))?;
        let end = after
            .find(END)
            .ok_or_else(|| format!("marker `{name}` has no {END}"))?;
        out += &rest[..at + BEGIN.len() + close + 3];
        out += "\n";
        out += &body;
        out += END;
        rest = &after[end + END.len()..];
    }
    out += rest;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_land_on_their_keys() {
        let at = |p: &str| key_at(p).map(|k| (k.table, k.name));
        assert_eq!(
            at("producer.3.capacity_t_per_year"),
            Some((Table::Producer, "capacity_t_per_year"))
        );
        assert_eq!(
            at("defaults.producer.expansion_lead_time_weeks.median"),
            Some((Table::LeadTime, "median"))
        );
        assert_eq!(
            at("exporter.0.licence.approval.us.defence"),
            Some((Table::Licence, "approval"))
        );
        assert_eq!(
            at("stockpile.1.holding.0.initial_weeks"),
            Some((Table::Holding, "initial_weeks"))
        );
        assert_eq!(at("item.2.bom.ndpr"), Some((Table::Item, "bom")));
        assert_eq!(
            at("defaults.manufacturer.cover_weeks"),
            Some((Table::Demand, "cover_weeks"))
        );
        assert!(matches!(
            table_of_unknown("shock.3.aproval"),
            Some((Table::Shock, _))
        ));
        assert!(matches!(
            table_of_unknown("producer.0.capacity_t_per_year.mu"),
            Some((Table::Dist, _))
        ));
    }

    #[test]
    fn every_key_is_defined_once_per_table() {
        for (j, k) in KEYS.iter().enumerate() {
            assert!(
                !KEYS[..j]
                    .iter()
                    .any(|o| o.table == k.table && o.name == k.name),
                "{}.{} twice",
                k.table.id(),
                k.name
            );
            for a in k.applies {
                let known = match k.table {
                    Table::Dist => dist_names().contains(a),
                    _ => shock_types().contains(a),
                };
                assert!(
                    known,
                    "{}.{} applies to unknown `{a}`",
                    k.table.id(),
                    k.name
                );
            }
        }
    }
}
