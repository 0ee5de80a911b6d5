//! The concrete parameters of one replication: every number the model needs, already sampled.
//!
//! The scenario crate turns a TOML file (with distributions) into a `ModelParams` per replication;
//! the model never sees a distribution over parameters, only the per-event lead-time
//! distribution of licence reviews and expansion projects, which it samples itself.
//! Every table is a flat `Vec` indexed by the typed ids in [`crate::ids`].

use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::ids::{ItemId, RegionId, SectorId};
use crate::policy::{InForce, LicenceRegime, MarketState, PolicyEvent, PolicyState, QuotaBatch};
use crate::targets::TargetInfo;

mod economics;
mod levers;
mod plan;
mod producer;
mod recycling;

pub use economics::{Economics, OperatorParams, Restart};
pub use levers::{Floor, Offtake, SourcingCap, Undercut};
pub use plan::{Grant, Loan, Plan};
pub use producer::{ExpansionParams, Flow, Online, OutageParams, ProducerParams, Stage};
pub use recycling::Recycler;

/// Everything one replication needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelParams {
    /// The simulated clock.
    pub calendar: Calendar,
    /// Materials, intermediates and products, with their prices and bills of materials.
    pub items: Vec<ItemParams>,
    /// Regions, exporters and importers alike.
    pub regions: Vec<RegionParams>,
    /// End-use sectors.
    pub sectors: Vec<SectorParams>,
    /// Mines, separation plants and magnet makers.
    pub producers: Vec<ProducerParams>,
    /// Consumers of magnets and materials, one per region × sector.
    pub manufacturers: Vec<ManufacturerParams>,
    /// Government strategic stockpiles.
    pub stockpiles: Vec<StockpileParams>,
    /// Export authorities of the controlling exporters and their baseline regimes.
    pub authorities: Vec<AuthorityParams>,
    /// The timeline of what shocks put in force: each event holds the whole state from its step
    /// until the next one, in increasing order of step. Before the first, the baseline holds
    /// ([`ModelParams::baseline_in_force`]).
    pub events: Vec<PolicyEvent>,
    /// Initial stock held by each region's traders and producers (finished goods), tonnes.
    pub warehouses: Vec<WarehouseStock>,
    /// Shipping between regions: how long cargo spends in transit on each route.
    #[serde(default)]
    pub trade: TradeParams,
    /// Observed values the outputs are compared with (`[[target]]`); each becomes the metric
    /// `target/<name>`. They do not change the simulation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<TargetInfo>,
    /// Whether the outputs carry the lever and producer-economics metrics and series (issue 18):
    /// on for a scenario with any of them, off otherwise, so that a scenario without them keeps
    /// its outputs exactly.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub lever_metrics: bool,
    /// The businesses producers with [`Economics`] belong to (empty: no producer economics).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operators: Vec<OperatorParams>,
    /// Price floors under producers (issue 18; empty: none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub floors: Vec<Floor>,
    /// Export pricing rules that undercut entrants (issue 18; empty: none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub undercuts: Vec<Undercut>,
    /// Grants and loans to planned producers (issue 18; empty: none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<Grant>,
    /// Recycling mandates (issue 18; empty: none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recyclers: Vec<Recycler>,
    /// Whether the outputs carry the recycling metrics (with [`ModelParams::lever_metrics`]): on
    /// for a scenario with recyclers, and for every strategy of a file where some strategy has
    /// them, so that cells with and without recycling report the same metrics.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub recycling_metrics: bool,
    /// Diversification targets: caps on an importing region's share from any one controlling
    /// exporter (issue 18; empty: none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sourcing_caps: Vec<SourcingCap>,
    /// Whether the outputs carry the sourcing metric (`sourcing_premium_usd`): on with lever
    /// metrics when the file or some strategy of its strategies file states a sourcing cap, so
    /// that every lever scenario without caps keeps its outputs exactly.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sourcing_metrics: bool,
}

/// Shipping between regions. A shipment leaves the seller's region when it is sold (and needs its
/// export licence then) and reaches the buyer `transit_steps` steps later, whatever the policy
/// in force by then.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeParams {
    /// Steps a shipment from region `from` to region `to` spends in transit,
    /// `transit_steps[from * n_regions + to]`; the diagonal (domestic sales) is 0. Empty: every
    /// shipment arrives in the step it is sold.
    pub transit_steps: Vec<u32>,
}

impl TradeParams {
    /// Steps in transit from region `from` to region `to` (0 when no table is given).
    #[must_use]
    pub fn transit(&self, n_regions: usize, from: RegionId, to: RegionId) -> u32 {
        self.transit_steps
            .get(from.idx() * n_regions + to.idx())
            .copied()
            .unwrap_or(0)
    }

    /// The longest time any route takes, in steps.
    #[must_use]
    pub fn max_transit_steps(&self) -> u32 {
        self.transit_steps.iter().copied().max().unwrap_or(0)
    }
}

/// What kind of thing an item is; it decides which outputs mention it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A separated rare earth (oxide or metal), e.g. `dy`, `ndpr`.
    Material,
    /// Mixed rare-earth concentrate from a mine, input to separation.
    Intermediate,
    /// A finished product, e.g. `ndfeb` or `smco` magnets.
    Product,
}

/// One item and its market.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemParams {
    /// Short name used in outputs (`price_ratio/<name>`).
    pub name: String,
    /// Material, intermediate or product.
    pub kind: ItemKind,
    /// Baseline world price, USD per kg (the denominator of every price ratio).
    pub base_price_usd_per_kg: f64,
    /// Bill of materials for a product: kg of each material per tonne of product.
    pub bom: Vec<BomLine>,
    /// How this item's prices answer scarcity.
    pub price: PriceParams,
}

/// One line of a bill of materials.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BomLine {
    /// The material consumed.
    pub material: ItemId,
    /// Kilograms of the material per tonne of product.
    pub kg_per_t: f64,
}

/// Price dynamics of one item: log price ratio with mean reversion and bounded response.
///
/// Each step `ln r' = (1 - reversion_per_step) ln r + elasticity * scarcity`, clamped to
/// `[ln min_ratio, ln max_ratio]`, where scarcity is the unfilled share of orders minus (for an
/// exporter's domestic market) the glut share of its warehouse stock.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PriceParams {
    /// Change in log price per unit of scarcity per step.
    pub elasticity: f64,
    /// Share of the log price gap to baseline closed each step, in [0, 1].
    pub reversion_per_step: f64,
    /// Lowest price ratio to baseline.
    pub min_ratio: f64,
    /// Highest price ratio to baseline.
    pub max_ratio: f64,
}

/// A region.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegionParams {
    /// Short name (`china`, `us`, `japan`, ...).
    pub name: String,
}

/// An end-use sector.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SectorParams {
    /// Short name (`ev_motors`, `wind`, `defence`, ...).
    pub name: String,
    /// Value added lost per kg of the sector's rare-earth input (magnet or material) whose
    /// output is lost, USD per kg: the value of lost output.
    pub value_added_usd_per_kg: f64,
    /// Steps a shortfall of output may wait as a backlog to be made up before it is lost
    /// (0 = lost at once).
    pub deferral_steps: u32,
}

/// A consumer of items: one firm of a region × sector (the firms of a `[[demand]]` entry share
/// region and sector; each is a buyer, and a licence applicant, of its own).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ManufacturerParams {
    /// Where it stands.
    pub region: RegionId,
    /// What it makes; sets licence odds and the value of lost output.
    pub sector: SectorId,
    /// Its bill of materials: baseline need per item for full output, tonnes per step. Output
    /// is Leontief in these lines; an item it does not list it never needs.
    pub demand: Vec<Demand>,
    /// Trend growth of demand per year (0.08 = +8 %/yr).
    pub growth_per_year: f64,
    /// Log-sd of the mean-one lognormal demand noise per step.
    pub noise_sigma: f64,
    /// Target inventory cover in steps of current demand; also its opening cover.
    pub cover_target_steps: f64,
    /// Steps over which an inventory gap is closed by ordering.
    pub order_adjust_steps: f64,
    /// Price elasticity of demand (demand scales by ratio^-elasticity), >= 0.
    pub price_elasticity: f64,
    /// Substitution and thrifting after sustained high prices.
    pub substitution: SubstitutionParams,
    /// A firm is halted in a step when its output falls below `1 - halt_unmet_share` of what
    /// it wanted to make (a deeper cut than this share of its output).
    pub halt_unmet_share: f64,
    /// Most of a backlog made up per step, as a share of a step's full output (spare capacity).
    pub catch_up_share: f64,
    /// Precautionary stock-building when prices rise (none by default).
    #[serde(default)]
    pub stock_building: StockBuildingParams,
}

/// Precautionary stock-building: a firm's cover target for an item is multiplied by
/// `min(1 + response × max(0, ln p − r), max_cover_multiple)`, where `p` is the price ratio it
/// sees and `r` an exponentially weighted moving average of `ln p` with a time constant of
/// `window_steps` (the "recent" price). A rise above the recent price raises the target (buying
/// ahead); once prices level off or fall, `r` catches up and the target falls back to the normal
/// cover, so the extra stock is run down (destocking). `response = 0` switches it off.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct StockBuildingParams {
    /// Rise of the cover multiple per unit of log-price rise over the recent price, >= 0.
    pub response: f64,
    /// Time constant of the recent (reference) log price, steps, >= 1.
    pub window_steps: f64,
    /// Largest cover multiple, >= 1.
    pub max_cover_multiple: f64,
}

impl Default for StockBuildingParams {
    fn default() -> Self {
        Self {
            response: 0.0,
            window_steps: 1.0,
            max_cover_multiple: 1.0,
        }
    }
}

/// Baseline demand for one item.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Demand {
    /// The item.
    pub item: ItemId,
    /// Tonnes per step at the start.
    pub t_per_step: f64,
}

/// Substitution and thrifting: once the price ratio has stayed at or above the trigger for
/// `lag_steps`, the substituted share of demand grows by `rate_per_step` up to `cap_share`.
/// It does not reverse (redesigned motors stay redesigned).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubstitutionParams {
    /// Price ratio that counts as high.
    pub trigger_price_ratio: f64,
    /// Consecutive high-price steps before substitution starts.
    pub lag_steps: u32,
    /// Growth of the substituted share per step.
    pub rate_per_step: f64,
    /// Largest substituted share, in [0, 1].
    pub cap_share: f64,
}

/// A government strategic stockpile and its strategy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StockpileParams {
    /// Name for outputs.
    pub name: String,
    /// Whose stockpile: it buys under this region's licences and holds its stock here.
    pub region: RegionId,
    /// The regions whose buyers its releases serve (a joint stockpile, issue 18); empty = its
    /// own region only. A release to a member abroad is a sale from `region`: an export and an
    /// import, through the route's transit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<RegionId>,
    /// End-use sector under which its purchases are licensed.
    pub end_use: SectorId,
    /// What it holds and how it buys and releases each item.
    pub lines: Vec<StockpileLine>,
    /// Total acquisition budget over the horizon, USD.
    pub budget_usd: f64,
    /// When and to whom it releases.
    pub release: ReleaseRule,
    /// When it buys back after a release.
    pub refill: RefillRule,
}

impl StockpileParams {
    /// True when its releases may serve buyers in `region`: a member, or its own region when it
    /// names no members.
    #[must_use]
    pub fn serves(&self, region: RegionId) -> bool {
        if self.members.is_empty() {
            region == self.region
        } else {
            self.members.contains(&region)
        }
    }
}

/// One item of a stockpile.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct StockpileLine {
    /// The item held.
    pub item: ItemId,
    /// Holdings at the start, tonnes.
    pub initial_t: f64,
    /// Holdings the strategy aims for, tonnes.
    pub target_t: f64,
    /// Most it buys per step, tonnes.
    pub acquisition_t_per_step: f64,
    /// Most it releases per step, tonnes.
    pub release_cap_t_per_step: f64,
}

/// When a stockpile releases, and to whom first.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReleaseRule {
    /// Release when last step's unmet share of the region's orders for the item reaches this.
    pub shortage_trigger_share: Option<f64>,
    /// Release when the item's price ratio reaches this.
    pub price_trigger_ratio: Option<f64>,
    /// Buyers of this sector are served from releases before all others (defence first).
    pub priority_sector: Option<SectorId>,
    /// Releases stop when a holding falls to this share of its target (a reserve), in [0, 1].
    #[serde(default)]
    pub floor_share: f64,
}

/// When a stockpile buys.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RefillRule {
    /// Buy only while the price ratio is at or below this.
    pub max_price_ratio: f64,
    /// Steps to wait after the last release before buying again.
    pub delay_steps: u32,
}

/// Opening finished-goods stock of an item in a region's warehouse.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct WarehouseStock {
    /// Region.
    pub region: RegionId,
    /// Item.
    pub item: ItemId,
    /// Tonnes.
    pub tonnes: f64,
}

/// The export authority of a controlling exporter, with its baseline policy (in force until the
/// first event; see [`AuthorityParams::baseline_policy`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuthorityParams {
    /// The exporting region it controls.
    pub region: RegionId,
    /// Items that need an export licence at the start.
    pub controlled: Vec<ItemId>,
    /// How licences are reviewed.
    pub regime: LicenceRegime,
    /// Annual export quotas over groups of items.
    pub quotas: Vec<QuotaParams>,
    /// Destinations × items embargoed at the start.
    pub embargoes: Vec<Embargo>,
    /// Products whose controlled-material content (mass share) reaches this need a licence when
    /// re-exported by third countries; `None` = no extraterritorial rule.
    pub extraterritorial_share: Option<f64>,
    /// Destinations × items covered by a general licence at the start: their buyers ship without
    /// an individual licence.
    pub general_licences: Vec<GeneralLicence>,
    /// Regions whose plants are under this authority's control at the start (partner
    /// refineries abroad, issue 18): their sales abroad follow its embargoes and licences, not
    /// its quotas. Empty: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub partner_regions: Vec<RegionId>,
}

/// A general licence: buyers in `destination` need no individual licence for `item`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GeneralLicence {
    /// Destination region.
    pub destination: RegionId,
    /// Item.
    pub item: ItemId,
}

/// An annual quota shared by a group of items.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuotaParams {
    /// Name for outputs and events.
    pub name: String,
    /// Items whose exports count against the quota.
    pub items: Vec<ItemId>,
    /// Tonnes per calendar year; `None` = no cap.
    pub annual_t: Option<f64>,
    /// Batches in which the cap is issued through the year; empty = all on 1 January. Exporters
    /// pace shipments over each batch.
    pub batches: Vec<QuotaBatch>,
    /// Tonnage issued but not shipped in a year is added to the next year's (else it lapses).
    pub carry_over: bool,
}

/// An embargo of one destination for one item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Embargo {
    /// Destination region.
    pub destination: RegionId,
    /// Item.
    pub item: ItemId,
}

impl AuthorityParams {
    /// The policy in force before any event: this authority's control list, embargoes, quota
    /// caps, regime and extraterritorial rule, as a [`PolicyState`].
    #[must_use]
    pub fn baseline_policy(&self, n_items: usize, n_regions: usize) -> PolicyState {
        let mut controlled = vec![false; n_items];
        // Out-of-range ids are skipped here and reported by `validate`.
        for i in &self.controlled {
            if let Some(c) = controlled.get_mut(i.idx()) {
                *c = true;
            }
        }
        let mut embargo = vec![false; n_regions * n_items];
        for e in &self.embargoes {
            if e.item.idx() < n_items
                && let Some(x) = embargo.get_mut(e.destination.idx() * n_items + e.item.idx())
            {
                *x = true;
            }
        }
        let mut general_licence = vec![false; n_regions * n_items];
        for g in &self.general_licences {
            if g.item.idx() < n_items
                && let Some(x) =
                    general_licence.get_mut(g.destination.idx() * n_items + g.item.idx())
            {
                *x = true;
            }
        }
        // Empty without partners, so a policy without them is the same as before partners existed.
        let mut partner = Vec::new();
        if !self.partner_regions.is_empty() {
            partner = vec![false; n_regions];
            for r in &self.partner_regions {
                if let Some(x) = partner.get_mut(r.idx()) {
                    *x = true;
                }
            }
        }
        PolicyState {
            controlled,
            embargo,
            quota_annual_t: self.quotas.iter().map(|q| q.annual_t).collect(),
            quota_batches: self.quotas.iter().map(|q| q.batches.clone()).collect(),
            regime: self.regime.clone(),
            extraterritorial_share: self.extraterritorial_share,
            general_licence,
            announcement_premium: vec![0.0; n_items],
            partner,
        }
    }
}

impl ModelParams {
    /// Everything in force before any event: each authority's baseline policy, no derates, no
    /// surges.
    #[must_use]
    pub fn baseline_in_force(&self) -> InForce {
        let (ni, nr) = (self.items.len(), self.regions.len());
        InForce {
            authorities: self
                .authorities
                .iter()
                .map(|a| a.baseline_policy(ni, nr))
                .collect(),
            market: MarketState {
                derate_share: vec![0.0; self.producers.len()],
                demand_multiplier: vec![1.0; self.manufacturers.len()],
                build_speed: Vec::new(),
                ramp_speed: Vec::new(),
            },
        }
    }

    /// What is in force during step `step`: the last event at or before it, else the baseline.
    #[must_use]
    pub fn in_force_at(&self, step: u32) -> InForce {
        self.events
            .iter()
            .rev()
            .find(|e| e.step <= step)
            .map_or_else(|| self.baseline_in_force(), |e| e.in_force.clone())
    }

    /// Index of an item by name.
    pub fn item_id(&self, name: &str) -> Option<ItemId> {
        self.items
            .iter()
            .position(|i| i.name == name)
            .map(ItemId::from)
    }

    /// Index of a region by name.
    pub fn region_id(&self, name: &str) -> Option<RegionId> {
        self.regions
            .iter()
            .position(|r| r.name == name)
            .map(RegionId::from)
    }

    /// Index of a sector by name.
    pub fn sector_id(&self, name: &str) -> Option<SectorId> {
        self.sectors
            .iter()
            .position(|s| s.name == name)
            .map(SectorId::from)
    }

    /// The manufacturer groups (region × sector, in order of first appearance) and each
    /// manufacturer's group: the firms of one `[[demand]]` entry form one group.
    #[must_use]
    pub fn manufacturer_groups(&self) -> (Vec<(RegionId, SectorId)>, Vec<usize>) {
        let mut groups: Vec<(RegionId, SectorId)> = Vec::new();
        let mut of = Vec::with_capacity(self.manufacturers.len());
        for m in &self.manufacturers {
            let key = (m.region, m.sector);
            let g = groups.iter().position(|&x| x == key).unwrap_or_else(|| {
                groups.push(key);
                groups.len() - 1
            });
            of.push(g);
        }
        (groups, of)
    }

    /// The step of the first event that changes an export authority's policy (an announcement
    /// included), if any: the "first shock" from which `weeks_to_first_halt` counts.
    #[must_use]
    pub fn first_event_step(&self) -> Option<u32> {
        self.events.iter().map(|e| e.step).min()
    }

    /// The step of the first **policy** shock, if any: the first event that changes what an
    /// export authority has in force (controls, embargoes, quotas, licence regime,
    /// extraterritorial rule). Market events (outages, demand surges) do not count. The "first
    /// shock" that `weeks_to_first_halt` counts from.
    #[must_use]
    pub fn first_policy_step(&self) -> Option<u32> {
        let baseline = self.baseline_in_force();
        let mut before = &baseline.authorities;
        for e in &self.events {
            if e.in_force.authorities != *before {
                return Some(e.step);
            }
            before = &e.in_force.authorities;
        }
        None
    }
}
