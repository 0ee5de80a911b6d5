//! The TOML format as serde types: what a scenario file may say, before validation.
//!
//! Every key is defined, with its range and documentation, in [`crate::keys`], which also
//! generates the key tables of `docs/scenarios.md`. Numbers are [`Num`]s (fixed or a
//! distribution); names refer to items, regions, sectors, producers and shocks by their `name`.
//! Per-agent keys left out fall back to the `[defaults.*]` tables.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::num::Num;

mod destination_list;
mod economics;
mod floor;
mod plan;
mod producer;
mod recycling;
mod sourcing_cap;
mod target;
mod undercut;
pub use destination_list::DestinationListSpec;
pub use economics::{EconomicsKnobs, EconomicsSpec};
pub use floor::FloorSpec;
pub use plan::{GrantSpec, PlanKnobs, PlanSpec};
pub use producer::{LeadTimeSpec, ProducerKnobs, ProducerSpec};
pub use recycling::RecyclingSpec;
pub use sourcing_cap::SourcingCapSpec;
pub use target::TargetSpec;
pub use undercut::UndercutSpec;

/// A whole scenario file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ScenarioFile {
    /// Parent file this one modifies, relative to this file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// Name, dates, horizon, seed.
    #[serde(default)]
    pub scenario: Header,
    /// Values used where an agent does not set its own.
    #[serde(default)]
    pub defaults: Defaults,
    /// Materials, intermediates and products.
    #[serde(default)]
    pub item: Vec<ItemSpec>,
    /// Regions.
    #[serde(default)]
    pub region: Vec<RegionSpec>,
    /// End-use sectors.
    #[serde(default)]
    pub sector: Vec<SectorSpec>,
    /// Shipping routes between regions and their transit times.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub route: Vec<RouteSpec>,
    /// Mines, separation plants and magnet makers.
    #[serde(default)]
    pub producer: Vec<ProducerSpec>,
    /// Demand by region and sector; each (region, sector) is one manufacturer.
    #[serde(default)]
    pub demand: Vec<DemandSpec>,
    /// Government stockpiles.
    #[serde(default)]
    pub stockpile: Vec<StockpileSpec>,
    /// Export authorities of controlling exporters.
    #[serde(default)]
    pub exporter: Vec<ExporterSpec>,
    /// Policy and market shocks.
    #[serde(default)]
    pub shock: Vec<ShockSpec>,
    /// Observed values the outputs are compared with (`chokepoint backtest`, calibration).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub target: Vec<TargetSpec>,
    /// Price floors under producers (issue 18).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub floor: Vec<FloorSpec>,
    /// Grants and loans to planned producers (issue 18).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grant: Vec<GrantSpec>,
    /// Exporters' pricing rules that undercut entrants (issue 18).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub undercut: Vec<UndercutSpec>,
    /// Recycling mandates (issue 18).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recycling: Vec<RecyclingSpec>,
    /// Diversification targets of importing regions (issue 18).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sourcing_cap: Vec<SourcingCapSpec>,
}

/// `[scenario]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Short name; used for output folders.
    #[serde(default)]
    pub name: String,
    /// What the scenario represents.
    #[serde(default)]
    pub description: String,
    /// First day simulated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<NaiveDate>,
    /// Days per step (7 = weekly).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_days: Option<u32>,
    /// Length of the run in weeks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub horizon_weeks: Option<u32>,
    /// Weeks simulated before `start` under the baseline policy and not reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup_weeks: Option<u32>,
    /// Default master seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Default number of replications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replications: Option<u64>,
    /// Lever and producer-economics outputs; absent = on iff the file has economics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lever_metrics: Option<bool>,
    /// Recycling outputs (with lever metrics); absent = on iff the file has `[[recycling]]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recycling_metrics: Option<bool>,
    /// The sourcing metric; absent = on iff the file has a sourcing cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sourcing_metrics: Option<bool>,
}

/// `[defaults]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Defaults {
    /// Price dynamics of every item.
    #[serde(default)]
    pub price: PriceSpec,
    /// Producer behaviour.
    #[serde(default)]
    pub producer: ProducerKnobs,
    /// Manufacturer behaviour.
    #[serde(default)]
    pub manufacturer: ManufacturerKnobs,
    /// Shipping between regions.
    #[serde(default)]
    pub trade: TradeSpec,
}

/// `[defaults.trade]`: shipping between regions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TradeSpec {
    /// Transit time of every route between two regions that no `[[route]]` sets, weeks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_weeks: Option<Num>,
}

/// `[[route]]`: the transit time from one region to another.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RouteSpec {
    /// Region shipped from.
    #[serde(default)]
    pub from: String,
    /// Region shipped to.
    #[serde(default)]
    pub to: String,
    /// Weeks from sale to arrival at the buyer (door to door).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transit_weeks: Option<Num>,
}

/// Price dynamics (all optional; an item's own table overrides `[defaults.price]`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PriceSpec {
    /// Change in log price per unit of scarcity per week.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elasticity: Option<Num>,
    /// Share of the log price gap to baseline closed per week.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reversion_per_week: Option<Num>,
    /// Lowest price ratio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ratio: Option<Num>,
    /// Highest price ratio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ratio: Option<Num>,
}

/// `[[item]]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ItemSpec {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// `material`, `intermediate` or `product`.
    #[serde(default)]
    pub kind: String,
    /// Baseline price, USD per kg.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_price_usd_per_kg: Option<Num>,
    /// Bill of materials: kg of material per tonne of product.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub bom: BTreeMap<String, Num>,
    /// Price dynamics overriding the defaults.
    #[serde(default)]
    pub price: PriceSpec,
}

/// `[[region]]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RegionSpec {
    /// Name.
    #[serde(default)]
    pub name: String,
}

/// `[[sector]]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SectorSpec {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Value added lost per kg of rare-earth input whose output is lost, USD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_added_usd_per_kg: Option<Num>,
    /// Weeks a shortfall of output waits in a backlog before it is lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferral_weeks: Option<Num>,
}

/// Manufacturer behaviour; in `[defaults.manufacturer]` and overridable per demand entry.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ManufacturerKnobs {
    /// Target and opening inventory cover, weeks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover_weeks: Option<Num>,
    /// Weeks over which an inventory gap is closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_adjust_weeks: Option<Num>,
    /// Trend growth per year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub growth_per_year: Option<Num>,
    /// Log-sd of weekly demand noise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noise_sigma: Option<Num>,
    /// Price elasticity of demand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_elasticity: Option<Num>,
    /// Halt when inventory is empty and unmet demand exceeds this share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub halt_unmet_share: Option<Num>,
    /// Price ratio that starts substitution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitution_trigger_price_ratio: Option<Num>,
    /// Weeks of high prices before substitution starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitution_lag_weeks: Option<Num>,
    /// Growth of the substituted share per year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitution_rate_per_year: Option<Num>,
    /// Largest substituted share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub substitution_cap_share: Option<Num>,
    /// Log-sd of the firms' sizes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firm_size_sigma: Option<Num>,
    /// Log-sd of the firms' inventory cover around `cover_weeks`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firm_cover_sigma: Option<Num>,
    /// Most of a backlog made up per week, share of a week's output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catch_up_share: Option<Num>,
    /// Stock-building: rise of the cover multiple per unit of log-price rise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock_building_response: Option<Num>,
    /// Stock-building: time constant of the recent price, weeks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock_building_window_weeks: Option<Num>,
    /// Stock-building: largest cover multiple.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stock_building_max_cover_multiple: Option<Num>,
}

/// `[[demand]]`: one region × sector, split into `firms` manufacturers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DemandSpec {
    /// Region.
    #[serde(default)]
    pub region: String,
    /// Sector.
    #[serde(default)]
    pub sector: String,
    /// Tonnes per year of each item.
    #[serde(default)]
    pub t_per_year: BTreeMap<String, Num>,
    /// Number of firms the entry splits into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub firms: Option<u32>,
    /// Share of the firms that use each item (absent = all).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub users_share: BTreeMap<String, Num>,
    /// Behaviour overriding the defaults.
    #[serde(flatten)]
    pub knobs: ManufacturerKnobs,
}

/// `[[stockpile]]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StockpileSpec {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Region served.
    #[serde(default)]
    pub region: String,
    /// Regions its releases serve (a joint stockpile); empty = `region` only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// Sector under which its purchases are licensed.
    #[serde(default)]
    pub end_use: String,
    /// Acquisition budget over the horizon, USD.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_usd: Option<Num>,
    /// Release when the region's unmet share of orders reaches this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_shortage_share: Option<Num>,
    /// Release when the price ratio reaches this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_price_ratio: Option<Num>,
    /// Sector served first from releases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority_sector: Option<String>,
    /// Share of each holding's target kept back from releases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_floor_share: Option<Num>,
    /// Buy only at or below this price ratio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refill_max_price_ratio: Option<Num>,
    /// Weeks after a release before buying again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refill_delay_weeks: Option<Num>,
    /// What it holds.
    #[serde(default)]
    pub holding: Vec<HoldingSpec>,
}

/// `[[stockpile.holding]]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HoldingSpec {
    /// Item.
    #[serde(default)]
    pub item: String,
    /// Opening holdings, tonnes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_t: Option<Num>,
    /// Opening holdings, weeks of the region's baseline use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_weeks: Option<Num>,
    /// Opening holdings, share of the target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opening_share: Option<Num>,
    /// Target, tonnes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_t: Option<Num>,
    /// Target, weeks of the region's baseline use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_weeks: Option<Num>,
    /// Most bought per week, tonnes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acquisition_t_per_week: Option<Num>,
    /// Most released per week, tonnes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_cap_t_per_week: Option<Num>,
}

/// Licence settings of an exporter or a `licence_regime` shock.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LicenceSpec {
    /// Applications taken into review per week.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_capacity_per_week: Option<Num>,
    /// Review time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_time_weeks: Option<LeadTimeSpec>,
    /// Weeks an approved licence covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_weeks: Option<Num>,
    /// Weeks a refused applicant waits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reapply_delay_weeks: Option<Num>,
    /// Approval odds: `default`, per sector, per region, or per region × sector
    /// (`us = { default = 0.6, defence = 0 }`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub approval: BTreeMap<String, Approval>,
    /// Licence terms by destination and end use, keyed like `approval`, in weeks.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub validity_weeks_by: BTreeMap<String, Approval>,
    /// Weeks beyond the median review time at which a holder applies for renewal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_margin_weeks: Option<Num>,
    /// Multiple of the applicant's need over the term that an approval covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity_cover_factor: Option<Num>,
}

/// An approval entry: a number, or a table of sector → number with an optional `default`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Approval {
    /// Odds for a sector, a region or the default.
    Odds(Num),
    /// Odds per sector for one region.
    BySector(BTreeMap<String, Num>),
}

/// `[[exporter.quota]]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QuotaSpec {
    /// Name (shocks refer to it).
    #[serde(default)]
    pub name: String,
    /// Items counted against it.
    #[serde(default)]
    pub items: Vec<String>,
    /// Tonnes per calendar year; absent = no cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_t: Option<Num>,
    /// Batches in which the cap is issued; absent = all on 1 January.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub batches: Vec<BatchSpec>,
    /// Unused tonnage carries over into the next year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carry_over: Option<bool>,
}

/// One batch of a quota: `{ day_of_year, share }`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BatchSpec {
    /// Day of the calendar year it is issued (1 = 1 January).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day_of_year: Option<u32>,
    /// Share of the annual cap (normalised over the quota's batches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<Num>,
}

/// `[[exporter.general_licence]]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GeneralLicenceSpec {
    /// Regions whose buyers it covers.
    #[serde(default)]
    pub destinations: Vec<String>,
    /// Items it covers.
    #[serde(default)]
    pub items: Vec<String>,
}

/// `[[exporter]]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ExporterSpec {
    /// The region whose exports it controls.
    #[serde(default)]
    pub region: String,
    /// Items needing a licence at the start.
    #[serde(default)]
    pub controlled: Vec<String>,
    /// Licence settings.
    #[serde(default)]
    pub licence: LicenceSpec,
    /// Annual quotas.
    #[serde(default)]
    pub quota: Vec<QuotaSpec>,
    /// Extraterritorial content threshold in force at the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extraterritorial_share: Option<Num>,
    /// General licences in force at the start.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub general_licence: Vec<GeneralLicenceSpec>,
    /// Regions whose plants are under its control from the start (partner refineries abroad).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partner_regions: Vec<String>,
    /// Destination lists with their own licence terms (issue 18).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destination_list: Vec<DestinationListSpec>,
}

/// `[[shock]]`: one dated policy or market event. Which keys apply depends on `type`
/// (see `docs/scenarios.md`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ShockSpec {
    /// `halt`, `quota`, `licence_regime`, `list_expansion`, `suspend`, `lift`,
    /// `extraterritorial`, `general_licence`, `capacity_outage`, `demand_surge` or
    /// `technology_control`.
    #[serde(default, rename = "type")]
    pub kind: String,
    /// Name, for `suspend`/`lift` and the timeline.
    #[serde(default)]
    pub name: String,
    /// Why, with the source.
    #[serde(default)]
    pub note: String,
    /// Date it takes effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// Uncertain shift of the date, weeks (may be a distribution).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_weeks: Option<Num>,
    /// Date it is announced, before it takes effect.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announced: Option<NaiveDate>,
    /// Weeks from announcement to effect (instead of `announced`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announced_weeks_before: Option<Num>,
    /// Scarcity premium on the world price of its items while announced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub announcement_log_premium: Option<Num>,
    /// How long it lasts, weeks; absent = to the end of the horizon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_weeks: Option<Num>,
    /// The exporter acting (its region); default the first exporter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exporter: Option<String>,
    /// Items affected (`"*"` = all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<String>,
    /// Destination regions (`halt`, `general_licence`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destinations: Vec<String>,
    /// Quota name (`quota`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<String>,
    /// New annual cap, tonnes (`quota`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_t: Option<Num>,
    /// Batches of the new cap (`quota`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub batches: Vec<BatchSpec>,
    /// Licence settings (`licence_regime`), over the exporter's baseline.
    #[serde(default, flatten)]
    pub licence: LicenceSpec,
    /// Share: capacity lost (`capacity_outage`) or content threshold (`extraterritorial`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<Num>,
    /// The shock suspended or lifted (`suspend`, `lift`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Producers hit (`capacity_outage`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub producers: Vec<String>,
    /// Regions hit (`demand_surge`; empty = all), put under control (`partner_control`), moved
    /// onto a list (`destination_list`) or covered (`technology_control`; empty = every region
    /// but the exporter's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// The exporter's destination list the regions move onto (`destination_list`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<String>,
    /// Sectors hit (`demand_surge`; empty = all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sectors: Vec<String>,
    /// Demand multiplier (`demand_surge`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiplier: Option<Num>,
    /// Stages whose know-how is banned (`technology_control`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<String>,
    /// Share of a step's construction progress covered producers make (`technology_control`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_speed_share: Option<Num>,
    /// Share of a step's ramp-up progress covered producers make (`technology_control`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ramp_speed_share: Option<Num>,
}
