//! The simulation: agent state laid out flat, and the one place where the order of events inside
//! a step is written down ([`Simulation::step`]).

use rand::Rng;

use crate::authority::{ExportAuthority, lead_steps};
use crate::error::ParamErrors;
use crate::ids::{AuthorityId, ItemId, RegionId, SectorId};
use crate::keyed::Keyed;
use crate::outputs::{Outcome, OutputSchema, Trajectory};
use crate::params::{ModelParams, PolicyAction};

/// Stock below this many tonnes counts as empty. A numerical tolerance for rounding in
/// pro-rata allocation, not a model parameter.
const EMPTY_T: f64 = 1e-9;

/// Kilograms per tonne, for USD-per-kg prices applied to tonnages.
const KG_PER_T: f64 = 1000.0;

/// The independent random streams of one replication. Each stochastic part of the model draws
/// from its own stream, so that a change in one part (a different stockpile strategy causing more
/// licence applications) does not shift the draws of another (demand noise, outages): this keeps
/// common random numbers aligned across strategies.
#[derive(Clone, Debug)]
pub struct RngStreams<R> {
    /// Demand noise: one normal draw per manufacturer per step, always.
    pub demand: R,
    /// Producer outages: two uniform draws per producer per step, always.
    pub supply: R,
    /// Licence reviews: one key at the start; each review's lead time and approval are keyed
    /// by (buyer, item, review number).
    pub licensing: R,
    /// Capacity expansion: one key at the start; each project's lead time is keyed by
    /// (producer, project number).
    pub investment: R,
}

/// Who buys: manufacturers, producers (their inputs) and stockpiles, in that order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuyerKind {
    /// A manufacturer, by index.
    Manufacturer(usize),
    /// A producer buying inputs, by index.
    Producer(usize),
    /// A stockpile, by index.
    Stockpile(usize),
}

/// A buyer of items: where it stands and under which end use it is licensed.
#[derive(Clone, Copy, Debug)]
pub struct Buyer {
    /// Region of the buyer.
    pub region: RegionId,
    /// End-use sector for licence odds and release priority.
    pub sector: SectorId,
    /// What agent it is.
    pub kind: BuyerKind,
}

/// A validated, immutable model: parameters plus the structure derived from them once.
/// It is `Send + Sync`; each replication gets its own [`Simulation`].
#[derive(Clone, Debug)]
pub struct Model {
    params: ModelParams,
    schema: OutputSchema,
    buyers: Vec<Buyer>,
    /// Buyers grouped by region: `buyers_by_region[region_start[r]..region_start[r + 1]]`.
    buyers_by_region: Vec<usize>,
    region_start: Vec<usize>,
    /// Authority index of each region, if it controls exports.
    authority_of_region: Vec<Option<AuthorityId>>,
    /// Items held by some stockpile, in item order (for `stockpile_t/<item>`).
    stockpiled_items: Vec<ItemId>,
    /// Buyers that can order each item, ascending: `orderers[orderer_start[i]..orderer_start[i + 1]]`.
    orderers: Vec<usize>,
    orderer_start: Vec<usize>,
    vars: VarLayout,
}

/// Where each group of per-step variables starts in a trajectory row.
#[derive(Clone, Debug)]
struct VarLayout {
    price: usize,
    domestic_price: usize,
    exports: usize,
    unmet: usize,
    halted: usize,
    stockpile: usize,
    backlog: usize,
}

/// Names of the scalar metrics that do not depend on the items; `peak_price_ratio/<item>`
/// follow them.
mod metric {
    pub const NAMES: [&str; 13] = [
        "unmet_demand_t",
        "unmet_demand_share",
        "any_halt",
        "weeks_to_first_halt",
        "peak_halted_share",
        "licence_approval_rate",
        "mean_licence_delay_weeks",
        "licences_decided",
        "stockpile_cost_usd",
        "stockpile_released_t",
        "lost_output_usd",
        "total_cost_usd",
        "exports_t",
    ];
}

impl Model {
    /// Validates the parameters and derives the output schema and lookup tables.
    pub fn new(params: ModelParams) -> Result<Self, ParamErrors> {
        params.validate()?;
        let ni = params.items.len();
        let mut buyers = Vec::new();
        for (k, m) in params.manufacturers.iter().enumerate() {
            buyers.push(Buyer {
                region: m.region,
                sector: m.sector,
                kind: BuyerKind::Manufacturer(k),
            });
        }
        for (k, p) in params.producers.iter().enumerate() {
            buyers.push(Buyer {
                region: p.region,
                sector: p.end_use,
                kind: BuyerKind::Producer(k),
            });
        }
        for (k, s) in params.stockpiles.iter().enumerate() {
            buyers.push(Buyer {
                region: s.region,
                sector: s.end_use,
                kind: BuyerKind::Stockpile(k),
            });
        }
        let nr = params.regions.len();
        let mut buyers_by_region: Vec<usize> = (0..buyers.len()).collect();
        buyers_by_region.sort_by_key(|&b| (buyers[b].region, b));
        let mut region_start = vec![0; nr + 1];
        for b in &buyers {
            region_start[b.region.idx() + 1] += 1;
        }
        for r in 0..nr {
            region_start[r + 1] += region_start[r];
        }
        let mut authority_of_region = vec![None; nr];
        for (k, a) in params.authorities.iter().enumerate() {
            authority_of_region[a.region.idx()].get_or_insert(AuthorityId::from(k));
        }
        let mut held = vec![false; ni];
        for s in &params.stockpiles {
            for l in &s.lines {
                held[l.item.idx()] = true;
            }
        }
        let stockpiled_items: Vec<ItemId> =
            (0..ni).filter(|&i| held[i]).map(ItemId::from).collect();
        let mut orders_item = vec![false; buyers.len() * ni];
        for (b, buyer) in buyers.iter().enumerate() {
            let items: Vec<ItemId> = match buyer.kind {
                BuyerKind::Manufacturer(k) => params.manufacturers[k]
                    .demand
                    .iter()
                    .map(|d| d.item)
                    .collect(),
                BuyerKind::Producer(k) => {
                    params.producers[k].inputs.iter().map(|f| f.item).collect()
                }
                BuyerKind::Stockpile(k) => {
                    params.stockpiles[k].lines.iter().map(|l| l.item).collect()
                }
            };
            for i in items {
                orders_item[b * ni + i.idx()] = true;
            }
        }
        let mut orderers = Vec::new();
        let mut orderer_start = vec![0];
        for i in 0..ni {
            orderers.extend((0..buyers.len()).filter(|&b| orders_item[b * ni + i]));
            orderer_start.push(orderers.len());
        }

        let mut step_vars = Vec::new();
        let item_names: Vec<&str> = params.items.iter().map(|i| i.name.as_str()).collect();
        let price = step_vars.len();
        step_vars.extend(item_names.iter().map(|n| format!("price_ratio/{n}")));
        let domestic_price = step_vars.len();
        for a in &params.authorities {
            let region = &params.regions[a.region.idx()].name;
            step_vars.extend(
                item_names
                    .iter()
                    .map(|n| format!("domestic_price_ratio/{region}/{n}")),
            );
        }
        let exports = step_vars.len();
        step_vars.extend(item_names.iter().map(|n| format!("exports_t/{n}")));
        let unmet = step_vars.len();
        step_vars.push("unmet_demand_t".to_owned());
        let halted = step_vars.len();
        step_vars.push("halted_share".to_owned());
        let stockpile = step_vars.len();
        step_vars.extend(
            stockpiled_items
                .iter()
                .map(|i| format!("stockpile_t/{}", item_names[i.idx()])),
        );
        let backlog = step_vars.len();
        step_vars.push("licence_backlog".to_owned());

        let mut metrics: Vec<String> = metric::NAMES.iter().map(|s| (*s).to_owned()).collect();
        metrics.extend(item_names.iter().map(|n| format!("peak_price_ratio/{n}")));

        Ok(Self {
            schema: OutputSchema { step_vars, metrics },
            buyers,
            buyers_by_region,
            region_start,
            authority_of_region,
            stockpiled_items,
            orderers,
            orderer_start,
            vars: VarLayout {
                price,
                domestic_price,
                exports,
                unmet,
                halted,
                stockpile,
                backlog,
            },
            params,
        })
    }

    /// The parameters the model was built from.
    pub fn params(&self) -> &ModelParams {
        &self.params
    }

    /// Names of the outputs, in the order [`Trajectory`] and [`Outcome`] use.
    pub fn schema(&self) -> &OutputSchema {
        &self.schema
    }

    /// All buyers, manufacturers first, then producers, then stockpiles.
    pub fn buyers(&self) -> &[Buyer] {
        &self.buyers
    }

    /// A zeroed trajectory of the right shape for this model.
    pub fn new_trajectory(&self) -> Trajectory {
        Trajectory::new(
            self.params.calendar.n_steps as usize,
            self.schema.step_vars.len(),
        )
    }

    fn orderers(&self, item: usize) -> &[usize] {
        &self.orderers[self.orderer_start[item]..self.orderer_start[item + 1]]
    }

    fn buyers_in(&self, r: usize) -> &[usize] {
        &self.buyers_by_region[self.region_start[r]..self.region_start[r + 1]]
    }
}

/// Flows of one step, per region × item, in tonnes: the terms of the material balance.
#[derive(Clone, Debug, PartialEq)]
pub struct Ledger {
    n_items: usize,
    /// Made by producers.
    pub produced: Vec<f64>,
    /// Used up by producers (inputs) and manufacturers.
    pub consumed: Vec<f64>,
    /// Received from other regions.
    pub imported: Vec<f64>,
    /// Shipped to other regions.
    pub exported: Vec<f64>,
}

impl Ledger {
    fn new(n_regions: usize, n_items: usize) -> Self {
        let z = vec![0.0; n_regions * n_items];
        Self {
            n_items,
            produced: z.clone(),
            consumed: z.clone(),
            imported: z.clone(),
            exported: z,
        }
    }

    fn clear(&mut self) {
        for v in [
            &mut self.produced,
            &mut self.consumed,
            &mut self.imported,
            &mut self.exported,
        ] {
            v.fill(0.0);
        }
    }

    /// Index of (region, item) in the flow tables.
    pub fn at(&self, region: RegionId, item: ItemId) -> usize {
        region.idx() * self.n_items + item.idx()
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct ProducerState {
    capacity_t: f64,
    outage_left_steps: u32,
    derate_share: f64,
    high_price_steps: u32,
    project_done_at: Option<u32>,
    projects_started: u32,
    planned_activity: f64,
}

#[derive(Clone, Copy, Debug)]
struct ManufacturerState {
    surge: f64,
    substituted_share: f64,
    high_price_steps: u32,
    demand_factor: f64,
}

#[derive(Clone, Copy, Debug, Default)]
struct StockpileState {
    spent_usd: f64,
    last_release_step: Option<u32>,
}

/// Running totals for the scalar metrics.
#[derive(Clone, Debug, Default)]
struct Tally {
    unmet_t: f64,
    demand_t: f64,
    first_halt_step: Option<u32>,
    peak_halted_share: f64,
    peak_price_ratio: Vec<f64>,
    stockpile_cost_usd: f64,
    released_t: f64,
    lost_output_usd: f64,
    exports_t: f64,
}

/// One replication in progress: all mutable state, allocated once in [`Simulation::new`].
#[derive(Debug)]
pub struct Simulation<'m> {
    model: &'m Model,
    step: u32,
    n_items: usize,
    /// `stock[holder * n_items + item]`; holders are region warehouses, then buyers.
    stock: Vec<f64>,
    /// Outstanding orders this step, `order[buyer * n_items + item]`.
    order: Vec<f64>,
    /// Orders as placed this step (before filling).
    ordered: Vec<f64>,
    /// Current demand per manufacturer demand line, flattened in manufacturer order.
    line_demand: Vec<f64>,
    line_start: Vec<usize>,
    /// Stockpile line releasing this step, flattened in stockpile order.
    releasing: Vec<bool>,
    stockpile_line_start: Vec<usize>,
    producers: Vec<ProducerState>,
    manufacturers: Vec<ManufacturerState>,
    stockpiles: Vec<StockpileState>,
    authorities: Vec<ExportAuthority>,
    /// World (ex-exporter) price ratio per item.
    world_ratio: Vec<f64>,
    /// Domestic price ratio per authority × item.
    domestic_ratio: Vec<f64>,
    /// Opening warehouse stock per region × item: the reference for a glut.
    normal_stock: Vec<f64>,
    /// Last step's unmet share of orders per region × item.
    shortage_share: Vec<f64>,
    halted: Vec<bool>,
    /// Scratch: which buyers a supplier may serve in the current allocation.
    eligible: Vec<bool>,
    /// Region of every stock holder (warehouses, then buyers).
    holder_region: Vec<usize>,
    /// Tonnes shipped by controlling exporters this step, per item.
    exported_by_authorities: Vec<f64>,
    step_unmet_t: f64,
    step_halted_share: f64,
    licence_key: Keyed,
    investment_key: Keyed,
    ledger: Ledger,
    tally: Tally,
    trajectory: Trajectory,
}

impl<'m> Simulation<'m> {
    /// Sets every agent to its opening state.
    pub fn new(model: &'m Model) -> Self {
        let p = &model.params;
        let (ni, nr) = (p.items.len(), p.regions.len());
        let nb = model.buyers.len();
        let mut stock = vec![0.0; (nr + nb) * ni];
        for w in &p.warehouses {
            stock[w.region.idx() * ni + w.item.idx()] += w.tonnes;
        }
        let normal_stock = stock[..nr * ni].to_vec();
        let m0 = 0;
        let p0 = p.manufacturers.len();
        let s0 = p0 + p.producers.len();
        let mut line_start = Vec::with_capacity(p.manufacturers.len() + 1);
        line_start.push(0);
        for (k, m) in p.manufacturers.iter().enumerate() {
            let holder = nr + m0 + k;
            for d in &m.demand {
                stock[holder * ni + d.item.idx()] += m.cover_target_steps * d.t_per_step;
            }
            line_start.push(line_start[k] + m.demand.len());
        }
        let mut producers = Vec::with_capacity(p.producers.len());
        for (k, pr) in p.producers.iter().enumerate() {
            let holder = nr + p0 + k;
            let activity = pr.capacity_t_per_step * pr.utilisation;
            for f in &pr.inputs {
                stock[holder * ni + f.item.idx()] += pr.input_cover_steps * activity * f.t_per_unit;
            }
            producers.push(ProducerState {
                capacity_t: pr.capacity_t_per_step,
                ..ProducerState::default()
            });
        }
        let mut stockpile_line_start = Vec::with_capacity(p.stockpiles.len() + 1);
        stockpile_line_start.push(0);
        for (k, s) in p.stockpiles.iter().enumerate() {
            let holder = nr + s0 + k;
            for l in &s.lines {
                stock[holder * ni + l.item.idx()] += l.initial_t;
            }
            stockpile_line_start.push(stockpile_line_start[k] + s.lines.len());
        }
        let n_lines = *line_start.last().unwrap_or(&0);
        let n_sp_lines = *stockpile_line_start.last().unwrap_or(&0);
        Self {
            model,
            step: 0,
            n_items: ni,
            stock,
            order: vec![0.0; nb * ni],
            ordered: vec![0.0; nb * ni],
            line_demand: vec![0.0; n_lines],
            line_start,
            releasing: vec![false; n_sp_lines],
            stockpile_line_start,
            producers,
            manufacturers: vec![
                ManufacturerState {
                    surge: 1.0,
                    substituted_share: 0.0,
                    high_price_steps: 0,
                    demand_factor: 1.0,
                };
                p.manufacturers.len()
            ],
            stockpiles: vec![StockpileState::default(); p.stockpiles.len()],
            authorities: p
                .authorities
                .iter()
                .map(|a| ExportAuthority::new(a, p, nb))
                .collect(),
            world_ratio: vec![1.0; ni],
            domestic_ratio: vec![1.0; p.authorities.len() * ni],
            normal_stock,
            shortage_share: vec![0.0; nr * ni],
            halted: vec![false; p.manufacturers.len()],
            eligible: vec![false; nb],
            holder_region: (0..nr)
                .chain(model.buyers.iter().map(|b| b.region.idx()))
                .collect(),
            exported_by_authorities: vec![0.0; ni],
            step_unmet_t: 0.0,
            step_halted_share: 0.0,
            licence_key: Keyed::default(),
            investment_key: Keyed::default(),
            ledger: Ledger::new(nr, ni),
            tally: Tally {
                peak_price_ratio: vec![1.0; ni],
                // Opening holdings count at their base price, so strategies that start full
                // are not free.
                stockpile_cost_usd: p
                    .stockpiles
                    .iter()
                    .flat_map(|s| &s.lines)
                    .map(|l| l.initial_t * p.items[l.item.idx()].base_price_usd_per_kg * KG_PER_T)
                    .sum(),
                ..Tally::default()
            },
            trajectory: model.new_trajectory(),
        }
    }

    /// Runs every remaining step and returns the scalar metrics.
    pub fn run<R: Rng>(&mut self, rngs: &mut RngStreams<R>) -> Outcome {
        while !self.is_done() {
            self.step(rngs);
        }
        self.outcome()
    }

    /// True once the horizon is reached.
    pub fn is_done(&self) -> bool {
        self.step >= self.model.params.calendar.n_steps
    }

    /// The next step to simulate.
    pub fn current_step(&self) -> u32 {
        self.step
    }

    /// The per-step record so far (rows past the current step are zero).
    pub fn trajectory(&self) -> &Trajectory {
        &self.trajectory
    }

    /// Flows of the last completed step.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Total stock of `item` held in `region` by warehouses, manufacturers, producers and
    /// stockpiles.
    pub fn region_stock(&self, region: RegionId, item: ItemId) -> f64 {
        let ni = self.n_items;
        let mut total = self.stock[region.idx() * ni + item.idx()];
        let nr = self.model.params.regions.len();
        for &b in self.model.buyers_in(region.idx()) {
            total += self.stock[(nr + b) * ni + item.idx()];
        }
        total
    }

    /// Every stock, price and capacity in the state (for invariant checks).
    pub fn state_values(&self) -> impl Iterator<Item = f64> + '_ {
        self.stock
            .iter()
            .chain(&self.world_ratio)
            .chain(&self.domestic_ratio)
            .copied()
            .chain(self.producers.iter().map(|p| p.capacity_t))
    }

    /// Where (buyer, item) stands with authority `a`.
    pub fn licence_state(&self, a: AuthorityId, buyer: usize, item: ItemId) -> crate::LicenceState {
        self.authorities[a.idx()].state(buyer, item)
    }

    /// Advances one step. **The order of events inside a step is written here and nowhere
    /// else**; ARCHITECTURE.md describes it.
    pub fn step<R: Rng>(&mut self, rngs: &mut RngStreams<R>) {
        let t = self.step;
        if t == 0 {
            // One key per purpose; events then draw by what they are (see `keyed`).
            self.licence_key = Keyed(rngs.licensing.random());
            self.investment_key = Keyed(rngs.investment.random());
        }
        self.ledger.clear();
        self.apply_policy(t); // 1. policy and market events dated this step; quota year
        self.update_capacity(t, &mut rngs.supply); // 2. outages start/end, projects complete
        self.form_demand(t, &mut rngs.demand); // 3. manufacturers' demand this step
        self.place_orders(t); // 4. orders: manufacturers, producers' inputs, stockpiles
        self.process_licences(t); // 5. applications, reviews, decisions
        self.clear_trade(t); // 6. domestic, free imports, controlled imports, releases
        self.produce(); // 7. producers turn inputs into outputs
        self.consume(t); // 8. manufacturers use inventory; curtailment and halts
        self.update_prices(); // 9. markets answer scarcity
        self.adapt(t); // 10. substitution; capacity projects start
        self.record(t); // 11. the step's outputs
        self.step += 1;
    }

    // ---- 1. policy -------------------------------------------------------------------------

    fn apply_policy(&mut self, t: u32) {
        let p = &self.model.params;
        if p.calendar.starts_new_year(t) {
            for a in &mut self.authorities {
                a.new_year();
            }
        }
        for (k, e) in p.events.iter().enumerate() {
            if e.step != t {
                continue;
            }
            match &e.action {
                PolicyAction::Control { authority, .. }
                | PolicyAction::Embargo { authority, .. }
                | PolicyAction::Quota { authority, .. }
                | PolicyAction::LicenceRegime { authority, .. }
                | PolicyAction::Extraterritorial { authority, .. } => {
                    self.authorities[authority.idx()].apply(&e.action, k, p);
                }
                PolicyAction::CapacityOutage { producers, share } => {
                    for pr in producers {
                        self.producers[pr.idx()].derate_share = *share;
                    }
                }
                PolicyAction::DemandSurge {
                    manufacturers,
                    multiplier,
                } => {
                    for m in manufacturers {
                        self.manufacturers[m.idx()].surge = *multiplier;
                    }
                }
            }
        }
    }

    // ---- 2. capacity -----------------------------------------------------------------------

    fn update_capacity<R: Rng>(&mut self, t: u32, rng: &mut R) {
        for (k, pr) in self.model.params.producers.iter().enumerate() {
            let st = &mut self.producers[k];
            // Two draws per producer per step whatever happens, to keep the stream aligned.
            let (u_start, u_len): (f64, f64) = (rng.random(), rng.random());
            if st.outage_left_steps > 0 {
                st.outage_left_steps -= 1;
            } else if u_start < pr.outage.prob_per_step {
                st.outage_left_steps = geometric_steps(pr.outage.mean_steps, u_len);
            }
            if st.project_done_at == Some(t) {
                let max = pr.capacity_t_per_step * pr.expansion.max_capacity_multiple;
                st.capacity_t = (st.capacity_t
                    + pr.capacity_t_per_step * pr.expansion.increment_share)
                    .min(max);
                st.project_done_at = None;
            }
        }
    }

    fn available_capacity(&self, k: usize) -> f64 {
        let pr = &self.model.params.producers[k];
        let st = &self.producers[k];
        let outage = if st.outage_left_steps > 0 {
            pr.outage.depth_share
        } else {
            0.0
        };
        st.capacity_t * (1.0 - outage) * (1.0 - st.derate_share)
    }

    /// The price ratio a buyer or producer in `region` sees for `item`: its authority's domestic
    /// price inside a controlling exporter, the world price elsewhere.
    fn price_ratio_in(&self, region: RegionId, item: ItemId) -> f64 {
        match self.model.authority_of_region[region.idx()] {
            Some(a) => self.domestic_ratio[a.idx() * self.n_items + item.idx()],
            None => self.world_ratio[item.idx()],
        }
    }

    // ---- 3. demand -------------------------------------------------------------------------

    fn form_demand<R: Rng>(&mut self, t: u32, rng: &mut R) {
        let p = &self.model.params;
        let years = f64::from(t) * p.calendar.step_years();
        for (k, m) in p.manufacturers.iter().enumerate() {
            let z: f64 = rng.sample(rand_distr::StandardNormal);
            // Mean-one lognormal noise: exactly 1 when sigma is 0.
            let noise = (m.noise_sigma * z - 0.5 * m.noise_sigma * m.noise_sigma).exp();
            let trend = pow(1.0 + m.growth_per_year, years);
            let st = self.manufacturers[k];
            let common = trend * noise * st.surge * (1.0 - st.substituted_share);
            self.manufacturers[k].demand_factor = common;
            for (j, d) in m.demand.iter().enumerate() {
                let price = pow(self.price_ratio_in(m.region, d.item), -m.price_elasticity);
                self.line_demand[self.line_start[k] + j] = d.t_per_step * common * price;
            }
        }
    }

    // ---- 4. orders -------------------------------------------------------------------------

    fn place_orders(&mut self, t: u32) {
        let p = &self.model.params;
        let (ni, nr) = (self.n_items, p.regions.len());
        self.order.fill(0.0);
        for (k, m) in p.manufacturers.iter().enumerate() {
            let b = k;
            for (j, d) in m.demand.iter().enumerate() {
                let demand = self.line_demand[self.line_start[k] + j];
                let have = self.stock[(nr + b) * ni + d.item.idx()];
                let target = m.cover_target_steps * demand;
                let want = (demand + (target - have) / m.order_adjust_steps).max(0.0);
                self.order[b * ni + d.item.idx()] += want;
            }
        }
        let p0 = p.manufacturers.len();
        for (k, pr) in p.producers.iter().enumerate() {
            let b = p0 + k;
            let ratio = self.price_ratio_in(pr.region, pr.outputs[0].item);
            let utilisation = (pr.utilisation * pow(ratio, pr.supply_elasticity)).min(1.0);
            let activity = self.available_capacity(k) * utilisation;
            self.producers[k].planned_activity = activity;
            let baseline = pr.capacity_t_per_step * pr.utilisation;
            for f in &pr.inputs {
                let have = self.stock[(nr + b) * ni + f.item.idx()];
                let target = pr.input_cover_steps * baseline * f.t_per_unit;
                let want =
                    (activity * f.t_per_unit + (target - have) / pr.order_adjust_steps).max(0.0);
                self.order[b * ni + f.item.idx()] += want;
            }
        }
        let s0 = p0 + p.producers.len();
        for (k, s) in p.stockpiles.iter().enumerate() {
            let b = s0 + k;
            let st = self.stockpiles[k];
            let mut budget_left = (s.budget_usd - st.spent_usd).max(0.0);
            for (j, l) in s.lines.iter().enumerate() {
                let line = self.stockpile_line_start[k] + j;
                let ratio = self.price_ratio_in(s.region, l.item);
                let shortage = self.shortage_share[s.region.idx() * ni + l.item.idx()];
                let release = s
                    .release
                    .shortage_trigger_share
                    .is_some_and(|x| shortage >= x)
                    || s.release.price_trigger_ratio.is_some_and(|x| ratio >= x);
                self.releasing[line] = release;
                let rested = st
                    .last_release_step
                    .is_none_or(|r| t >= r.saturating_add(s.refill.delay_steps));
                let have = self.stock[(nr + b) * ni + l.item.idx()];
                if release || !rested || ratio > s.refill.max_price_ratio || have >= l.target_t {
                    continue;
                }
                let usd_per_t = ratio * p.items[l.item.idx()].base_price_usd_per_kg * KG_PER_T;
                let want = l
                    .acquisition_t_per_step
                    .min(l.target_t - have)
                    .min(budget_left / usd_per_t);
                budget_left -= want * usd_per_t;
                self.order[b * ni + l.item.idx()] += want.max(0.0);
            }
        }
        self.ordered.copy_from_slice(&self.order);
    }

    // ---- 5. licences -----------------------------------------------------------------------

    fn process_licences(&mut self, t: u32) {
        let ni = self.n_items;
        let key = self.licence_key;
        let model = self.model;
        for (a, auth) in self.authorities.iter_mut().enumerate() {
            for (b, buyer) in model.buyers.iter().enumerate() {
                if buyer.region == auth.region {
                    continue;
                }
                for i in 0..ni {
                    let item = ItemId::from(i);
                    if self.order[b * ni + i] > 0.0
                        && (auth.is_controlled(item) || auth.covers_reexport(item))
                        && !auth.is_embargoed(buyer.region, item)
                    {
                        auth.apply_for(b, item, t);
                    }
                }
            }
            auth.review(&model.params, a, &model.buyers, t, key);
        }
    }

    // ---- 6. trade --------------------------------------------------------------------------

    /// Moves up to `supply` tonnes of `item` out of holder `from` to the buyers marked in
    /// `self.eligible`, pro rata to their outstanding orders, and books the flows between
    /// regions. Returns the tonnes moved.
    fn allocate(&mut self, from: usize, item: usize, supply: f64, candidates: &[usize]) -> f64 {
        let ni = self.n_items;
        let model = self.model;
        let nr = model.params.regions.len();
        let mut demand = 0.0;
        for &b in candidates {
            if self.eligible[b] {
                demand += self.order[b * ni + item];
            }
        }
        if demand <= 0.0 || supply <= 0.0 {
            return 0.0;
        }
        let fill = (supply / demand).min(1.0);
        let from_region = self.holder_region[from];
        let mut moved = 0.0;
        for &b in candidates {
            let want = self.order[b * ni + item];
            if want <= 0.0 || !self.eligible[b] {
                continue;
            }
            // Never more than is left, so rounding cannot overdraw the source.
            let q = (want * fill).min(supply - moved).max(0.0);
            self.order[b * ni + item] -= q;
            self.stock[(nr + b) * ni + item] += q;
            moved += q;
            let to_region = model.buyers[b].region.idx();
            if to_region != from_region {
                self.ledger.exported[from_region * ni + item] += q;
                self.ledger.imported[to_region * ni + item] += q;
            }
        }
        self.stock[from * ni + item] = (self.stock[from * ni + item] - moved).max(0.0);
        moved
    }

    fn clear_trade(&mut self, t: u32) {
        let model = self.model;
        let p = &model.params;
        let (ni, nr) = (self.n_items, p.regions.len());
        let s0 = p.manufacturers.len() + p.producers.len();
        for i in 0..ni {
            let item = ItemId::from(i);
            // Only buyers that ever order this item take part; in buyer-id order.
            let orderers = model.orderers(i);
            // (a) Domestic: each region's warehouse serves its own buyers first.
            for r in 0..nr {
                if self.stock[r * ni + i] <= 0.0 {
                    continue;
                }
                for &b in orderers {
                    self.eligible[b] = model.buyers[b].region.idx() == r;
                }
                self.allocate(r, i, self.stock[r * ni + i], orderers);
            }
            // (b) Free imports: regions without an export authority sell their surplus abroad,
            // subject only to the authorities' extraterritorial rules.
            for s in 0..nr {
                if model.authority_of_region[s].is_some() || self.stock[s * ni + i] <= 0.0 {
                    continue;
                }
                for &b in orderers {
                    let region = model.buyers[b].region;
                    self.eligible[b] = region.idx() != s
                        && self.authorities.iter().all(|a| {
                            !a.covers_reexport(item)
                                || a.region == region
                                || a.is_licensed(b, item, t)
                        });
                }
                self.allocate(s, i, self.stock[s * ni + i], orderers);
            }
            // (c) Controlled exporters: embargoes, licences and quotas apply.
            for a in 0..self.authorities.len() {
                let auth = &self.authorities[a];
                let s = auth.region.idx();
                let supply = self.stock[s * ni + i].min(auth.quota_room_t(p, a, item));
                if supply <= 0.0 {
                    continue;
                }
                let controlled = auth.is_controlled(item);
                for &b in orderers {
                    let region = model.buyers[b].region;
                    self.eligible[b] = region.idx() != s
                        && !auth.is_embargoed(region, item)
                        && (!controlled || auth.is_licensed(b, item, t));
                }
                let moved = self.allocate(s, i, supply, orderers);
                if moved > 0.0 {
                    self.authorities[a].book_shipment(p, a, item, moved);
                    self.exported_by_authorities[i] += moved;
                }
            }
        }
        // Shortage per region × item before any stockpile release: the unmet share of orders
        // (stockpiles' own excluded). Measured before releases so that a release which covers the
        // gap does not switch its own trigger off the next step.
        for r in 0..nr {
            for i in 0..ni {
                let (mut ordered, mut unfilled) = (0.0, 0.0);
                for &b in model.buyers_in(r) {
                    if b < s0 {
                        ordered += self.ordered[b * ni + i];
                        unfilled += self.order[b * ni + i];
                    }
                }
                self.shortage_share[r * ni + i] = if ordered > 0.0 {
                    unfilled / ordered
                } else {
                    0.0
                };
            }
        }
        self.release_stockpiles();
        // Stockpile purchases are paid at this step's price, before the market moves.
        for (k, sp) in p.stockpiles.iter().enumerate() {
            let b = s0 + k;
            for l in &sp.lines {
                let slot = b * ni + l.item.idx();
                let bought = self.ordered[slot] - self.order[slot];
                if bought > 0.0 {
                    let usd = bought
                        * self.price_ratio_in(sp.region, l.item)
                        * p.items[l.item.idx()].base_price_usd_per_kg
                        * KG_PER_T;
                    self.stockpiles[k].spent_usd += usd;
                    self.tally.stockpile_cost_usd += usd;
                }
            }
        }
    }

    /// Stockpiles whose release rule fired serve their own region's outstanding orders, the
    /// priority sector first. What no one orders stays in the stockpile.
    fn release_stockpiles(&mut self) {
        let model = self.model;
        let p = &model.params;
        let (ni, nr) = (self.n_items, p.regions.len());
        let s0 = p.manufacturers.len() + p.producers.len();
        for (k, s) in p.stockpiles.iter().enumerate() {
            let holder = nr + s0 + k;
            for (j, l) in s.lines.iter().enumerate() {
                if !self.releasing[self.stockpile_line_start[k] + j] {
                    continue;
                }
                let i = l.item.idx();
                let mut pool = self.stock[holder * ni + i].min(l.release_cap_t_per_step);
                let before = pool;
                let passes: &[Option<SectorId>] = match s.release.priority_sector {
                    Some(sector) => &[Some(sector), None],
                    None => &[None],
                };
                let orderers = model.orderers(i);
                for pass in passes {
                    for &b in orderers {
                        let buyer = &model.buyers[b];
                        self.eligible[b] = buyer.region == s.region
                            && b < s0
                            && pass.is_none_or(|sector| buyer.sector == sector);
                    }
                    // Release moves stock inside the region: no trade is booked.
                    pool -= self.allocate(holder, i, pool, orderers);
                }
                let released = before - pool;
                if released > 0.0 {
                    self.stockpiles[k].last_release_step = Some(self.step);
                    self.tally.released_t += released;
                }
            }
        }
    }

    // ---- 7. production ---------------------------------------------------------------------

    fn produce(&mut self) {
        let p = &self.model.params;
        let (ni, nr) = (self.n_items, p.regions.len());
        let p0 = p.manufacturers.len();
        for (k, pr) in p.producers.iter().enumerate() {
            let holder = nr + p0 + k;
            let mut activity = self.producers[k].planned_activity;
            for f in &pr.inputs {
                if f.t_per_unit > 0.0 {
                    activity = activity.min(self.stock[holder * ni + f.item.idx()] / f.t_per_unit);
                }
            }
            if activity <= 0.0 {
                continue;
            }
            let r = pr.region.idx();
            for f in &pr.inputs {
                let used = activity * f.t_per_unit;
                let slot = holder * ni + f.item.idx();
                self.stock[slot] = (self.stock[slot] - used).max(0.0);
                self.ledger.consumed[r * ni + f.item.idx()] += used;
            }
            for f in &pr.outputs {
                let made = activity * f.t_per_unit;
                self.stock[r * ni + f.item.idx()] += made;
                self.ledger.produced[r * ni + f.item.idx()] += made;
            }
        }
    }

    // ---- 8. consumption --------------------------------------------------------------------

    fn consume(&mut self, t: u32) {
        let p = &self.model.params;
        let (ni, nr) = (self.n_items, p.regions.len());
        let mut n_halted = 0usize;
        for (k, m) in p.manufacturers.iter().enumerate() {
            let holder = nr + k;
            let value_usd_per_t = p.sectors[m.sector.idx()].lost_output_usd_per_kg * KG_PER_T;
            let mut halted = false;
            for (j, d) in m.demand.iter().enumerate() {
                let demand = self.line_demand[self.line_start[k] + j];
                let slot = holder * ni + d.item.idx();
                let used = demand.min(self.stock[slot]);
                self.stock[slot] -= used;
                self.ledger.consumed[m.region.idx() * ni + d.item.idx()] += used;
                let unmet = demand - used;
                self.tally.demand_t += demand;
                self.tally.unmet_t += unmet;
                self.tally.lost_output_usd += unmet * value_usd_per_t;
                self.step_unmet_t += unmet;
                if demand > 0.0
                    && self.stock[slot] <= EMPTY_T
                    && unmet > m.halt_unmet_share * demand + EMPTY_T
                {
                    halted = true;
                }
            }
            self.halted[k] = halted;
            n_halted += usize::from(halted);
        }
        if n_halted > 0 && self.tally.first_halt_step.is_none() {
            self.tally.first_halt_step = Some(t);
        }
        self.step_halted_share = if p.manufacturers.is_empty() {
            0.0
        } else {
            n_halted as f64 / p.manufacturers.len() as f64
        };
        self.tally.peak_halted_share = self.tally.peak_halted_share.max(self.step_halted_share);
    }

    // ---- 9. prices -------------------------------------------------------------------------

    fn update_prices(&mut self) {
        let model = self.model;
        let p = &model.params;
        let (ni, nr) = (self.n_items, p.regions.len());
        for (i, item) in p.items.iter().enumerate() {
            // World market: unfilled share of orders placed outside the controlling exporters.
            let (mut ordered, mut unfilled) = (0.0, 0.0);
            for r in 0..nr {
                if model.authority_of_region[r].is_some() {
                    continue;
                }
                for &b in model.buyers_in(r) {
                    ordered += self.ordered[b * ni + i];
                    unfilled += self.order[b * ni + i];
                }
            }
            let scarcity = if ordered > 0.0 {
                unfilled / ordered
            } else {
                0.0
            };
            self.world_ratio[i] = next_ratio(self.world_ratio[i], scarcity, &item.price);
            self.tally.peak_price_ratio[i] =
                self.tally.peak_price_ratio[i].max(self.world_ratio[i]);
            // Domestic market of each exporter: its own shortage less its warehouse glut, so a
            // blocked export drives the domestic price down and opens the wedge.
            for a in 0..self.authorities.len() {
                let r = self.authorities[a].region.idx();
                let normal = self.normal_stock[r * ni + i];
                let glut = if normal > 0.0 {
                    ((self.stock[r * ni + i] - normal) / normal).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                let scarcity = self.shortage_share[r * ni + i] - glut;
                let slot = a * ni + i;
                self.domestic_ratio[slot] =
                    next_ratio(self.domestic_ratio[slot], scarcity, &item.price);
            }
        }
    }

    // ---- 10. slow adaptation ---------------------------------------------------------------

    fn adapt(&mut self, t: u32) {
        let key = self.investment_key;
        let p = &self.model.params;
        for (k, m) in p.manufacturers.iter().enumerate() {
            // The highest price among its inputs drives redesign.
            let ratio = m
                .demand
                .iter()
                .map(|d| self.price_ratio_in(m.region, d.item))
                .fold(0.0, f64::max);
            let st = &mut self.manufacturers[k];
            if ratio >= m.substitution.trigger_price_ratio {
                st.high_price_steps += 1;
            } else {
                st.high_price_steps = 0;
            }
            if st.high_price_steps >= m.substitution.lag_steps && st.high_price_steps > 0 {
                st.substituted_share = (st.substituted_share + m.substitution.rate_per_step)
                    .min(m.substitution.cap_share);
            }
        }
        for (k, pr) in p.producers.iter().enumerate() {
            let ratio = self.price_ratio_in(pr.region, pr.outputs[0].item);
            let st = &mut self.producers[k];
            if ratio >= pr.expansion.trigger_price_ratio {
                st.high_price_steps += 1;
            } else {
                st.high_price_steps = 0;
            }
            let max = pr.capacity_t_per_step * pr.expansion.max_capacity_multiple;
            if st.project_done_at.is_none()
                && st.high_price_steps >= pr.expansion.sustain_steps
                && st.high_price_steps > 0
                && pr.expansion.increment_share > 0.0
                && st.capacity_t < max
            {
                let (z, _) = key.normal_and_uniform(k as u64, 0, u64::from(st.projects_started));
                st.projects_started += 1;
                let lead = lead_steps(&pr.expansion.lead_time, z).max(1);
                st.project_done_at = Some(t.saturating_add(lead));
                st.high_price_steps = 0;
            }
        }
    }

    // ---- 11. record ------------------------------------------------------------------------

    fn record(&mut self, t: u32) {
        let model = self.model;
        let p = &model.params;
        let (ni, nr) = (self.n_items, p.regions.len());
        let v = &model.vars;
        let s0 = nr + p.manufacturers.len() + p.producers.len();
        let row = self.trajectory.step_mut(t as usize);
        row[v.price..v.price + ni].copy_from_slice(&self.world_ratio);
        row[v.domestic_price..v.domestic_price + self.domestic_ratio.len()]
            .copy_from_slice(&self.domestic_ratio);
        row[v.exports..v.exports + ni].copy_from_slice(&self.exported_by_authorities);
        row[v.unmet] = self.step_unmet_t;
        row[v.halted] = self.step_halted_share;
        for (j, item) in model.stockpiled_items.iter().enumerate() {
            row[v.stockpile + j] = (0..p.stockpiles.len())
                .map(|k| self.stock[(s0 + k) * ni + item.idx()])
                .sum();
        }
        row[v.backlog] = self.authorities.iter().map(|a| a.backlog() as f64).sum();
        self.tally.exports_t += self.exported_by_authorities.iter().sum::<f64>();
        self.exported_by_authorities.fill(0.0);
        self.step_unmet_t = 0.0;
    }

    /// The scalar metrics of the replication so far.
    pub fn outcome(&self) -> Outcome {
        let p = &self.model.params;
        let cal = &p.calendar;
        let weeks = cal.step_weeks();
        let first_shock = p.first_event_step().unwrap_or(0).min(cal.n_steps);
        let weeks_to_first_halt = match self.tally.first_halt_step {
            Some(h) => f64::from(h.saturating_sub(first_shock)) * weeks,
            None => f64::from(cal.n_steps - first_shock) * weeks,
        };
        let lt = self.authorities.iter().fold(
            crate::authority::LicenceTally::default(),
            |mut acc, a| {
                acc.decided += a.tally.decided;
                acc.approved += a.tally.approved;
                acc.delay_steps += a.tally.delay_steps;
                acc
            },
        );
        let (approval_rate, mean_delay_weeks) = if lt.decided > 0 {
            (
                lt.approved as f64 / lt.decided as f64,
                lt.delay_steps as f64 / lt.decided as f64 * weeks,
            )
        } else {
            (1.0, 0.0)
        };
        let tally = &self.tally;
        let mut metrics = vec![
            tally.unmet_t,
            if tally.demand_t > 0.0 {
                tally.unmet_t / tally.demand_t
            } else {
                0.0
            },
            f64::from(u8::from(tally.first_halt_step.is_some())),
            weeks_to_first_halt,
            tally.peak_halted_share,
            approval_rate,
            mean_delay_weeks,
            lt.decided as f64,
            tally.stockpile_cost_usd,
            tally.released_t,
            tally.lost_output_usd,
            tally.lost_output_usd + tally.stockpile_cost_usd,
            tally.exports_t,
        ];
        metrics.extend_from_slice(&tally.peak_price_ratio);
        debug_assert_eq!(metrics.len(), self.model.schema.metrics.len());
        Outcome { metrics }
    }
}

/// `base^exp`, skipping the library call in the common cases where IEEE 754 defines the result
/// as exactly 1 (a base of 1 or an exponent of 0): a third of a replication's time went to `pow`
/// when prices sat at baseline.
#[allow(
    clippy::float_cmp,
    reason = "exact cases of pow, bit-identical to calling it"
)]
#[inline]
fn pow(base: f64, exp: f64) -> f64 {
    if base == 1.0 || exp == 0.0 {
        1.0
    } else {
        base.powf(exp)
    }
}

/// One step of the log-price recursion, clamped to the item's bounds.
fn next_ratio(ratio: f64, scarcity: f64, pp: &crate::params::PriceParams) -> f64 {
    let log = (1.0 - pp.reversion_per_step) * ratio.ln() + pp.elasticity * scarcity;
    log.clamp(pp.min_ratio.ln(), pp.max_ratio.ln()).exp()
}

/// Steps of an outage: geometric with the given mean, from one uniform draw.
fn geometric_steps(mean_steps: f64, u: f64) -> u32 {
    let q = 1.0 / mean_steps.max(1.0);
    if q >= 1.0 {
        return 1;
    }
    let steps = ((1.0 - u).ln() / (1.0 - q).ln()).ceil();
    steps.clamp(1.0, f64::from(u32::MAX)) as u32
}
