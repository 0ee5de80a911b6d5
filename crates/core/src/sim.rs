//! One replication: [`Simulation`] owns every agent's mutable state, allocated once, and
//! [`Simulation::step`] is the one place where the order of events inside a step is written.
//!
//! Each agent kind keeps its own state and rules in its own module (`producers`,
//! `manufacturers`, `stockpiles`, `authority`, `markets`); this module only wires them together
//! in order and answers questions about the state.

use rand::Rng;

use crate::authority::ExportAuthority;
use crate::economics::Accounts;
use crate::ids::{AuthorityId, BuyerId, ItemId, RegionId};
use crate::keyed::Keyed;
use crate::licences::LicenceState;
use crate::manufacturers::Manufacturers;
use crate::markets::{self, Book, Ledger};
use crate::metrics::{self, Tally};
use crate::model::Model;
use crate::outputs::{Outcome, Trajectory};
use crate::plans::Plans;
use crate::prices::Prices;
use crate::producers::Producers;
use crate::recycling::Recyclers;
use crate::stockpiles::Stockpiles;
use crate::undercut::Undercuts;

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
    /// (producer, project number), and a planned producer's outage draws by (producer, step).
    pub investment: R,
}

/// One replication in progress: all mutable state, allocated once in [`Simulation::new`].
#[derive(Debug)]
pub struct Simulation<'m> {
    model: &'m Model,
    /// The next reported step (0 = the scenario's start date).
    step: u32,
    /// Steps simulated so far, warm-up included: the clock agents stamp events with (licence
    /// validity, review decisions, projects, stockpile rests), so that what happened during the
    /// warm-up keeps its age. Policy, the calendar and the outputs use the reported `step`.
    clock: u32,
    /// Stocks, orders and the flows of the step.
    book: Book,
    prices: Prices,
    producers: Producers,
    /// Producer economics: operators' margins, loss counters, closures (issue 18).
    accounts: Accounts,
    /// Exporters' undercut rules and this step's price caps (issue 18).
    undercuts: Undercuts,
    /// Planned capacity, its financing and the grants paid (issue 18).
    plans: Plans,
    /// Recycling mandates: what each has paid (issue 18).
    recyclers: Recyclers,
    manufacturers: Manufacturers,
    stockpiles: Stockpiles,
    authorities: Vec<ExportAuthority>,
    /// The next policy event to take effect (an index into `ModelParams::events`).
    next_event: usize,
    licence_key: Keyed,
    investment_key: Keyed,
    tally: Tally,
    trajectory: Trajectory,
}

impl<'m> Simulation<'m> {
    /// Sets every agent to its opening state.
    #[must_use]
    pub fn new(model: &'m Model) -> Self {
        let p = &model.params;
        let buyers = &model.buyers;
        let mut book = Book::new(p, buyers);
        let prices = Prices::new(p, &model.authority_of_region);
        let manufacturers = Manufacturers::new(p, buyers, &mut book);
        let producers = Producers::new(p, buyers, &mut book);
        let stockpiles = Stockpiles::new(p, buyers, &mut book);
        let authorities: Vec<ExportAuthority> = (0..p.authorities.len())
            .map(|a| ExportAuthority::new(AuthorityId::from(a), p, buyers.len()))
            .collect();
        markets::fill_pipeline(
            &mut book,
            buyers,
            &model.authority_of_region,
            &authorities,
            p,
        );
        let opening_cost_usd = Stockpiles::holdings_cost_usd(p, buyers, &book);
        Self {
            model,
            step: 0,
            clock: 0,
            book,
            prices,
            producers,
            accounts: Accounts::new(p),
            undercuts: Undercuts::new(p),
            plans: Plans::new(p),
            recyclers: Recyclers::new(p),
            manufacturers,
            stockpiles,
            authorities,
            next_event: 0,
            licence_key: Keyed::default(),
            investment_key: Keyed::default(),
            tally: Tally {
                peak_price_ratio: vec![1.0; p.items.len()],
                unmet_t: vec![0.0; p.items.len()],
                group_wanted_t: vec![0.0; p.manufacturer_groups().0.len()],
                group_lost_t: vec![0.0; p.manufacturer_groups().0.len()],
                stockpile_cost_usd: opening_cost_usd,
                ..Tally::default()
            },
            trajectory: model.new_trajectory(),
        }
    }

    /// Advances one reported step. The first call runs the warm-up first
    /// ([`crate::Calendar::warmup_steps`]): the model steps under the baseline policy with idle
    /// stockpiles and records nothing, then every running total restarts, so the outputs begin
    /// at the scenario's start from a settled market.
    pub fn step<R: Rng>(&mut self, rngs: &mut RngStreams<R>) {
        let warmup = self.model.params.calendar.warmup_steps;
        if self.clock < warmup {
            while self.clock < warmup {
                self.advance(rngs, None);
            }
            self.restart_tallies();
        }
        self.advance(rngs, Some(self.step));
        self.step += 1;
    }

    /// One step of the model. **The order of events inside a step is written here and nowhere
    /// else**; ARCHITECTURE.md describes it. `reported` is the step's number from the start
    /// date, or `None` during the warm-up (no policy events, no quota years, stockpiles idle,
    /// nothing recorded; demand at its start-date level).
    fn advance<R: Rng>(&mut self, rngs: &mut RngStreams<R>, reported: Option<u32>) {
        let clock = self.clock;
        let t = reported.unwrap_or(0);
        let active = reported.is_some();
        let model = self.model;
        let (p, buyers) = (&model.params, &model.buyers);
        if clock == 0 {
            // One key per purpose; events then draw by what they are (see `keyed`).
            self.licence_key = Keyed(rngs.licensing.random());
            self.investment_key = Keyed(rngs.investment.random());
        }
        self.book.ledger.clear();
        // 0. Arrivals: cargo due this step reaches its buyers (the region's imports).
        // (by the internal clock: cargo shipped during the warm-up lands on time).
        self.book.deliver(buyers, clock);
        // 1. Quota year; the policy and market conditions of an event dated this step.
        if active {
            self.apply_policy(t);
        }
        // 2. Capacity: dated starts ramp up, outages start or end, expansion projects advance at
        // the build speed in force and complete.
        self.producers.set_online(p);
        self.producers
            .update_capacity(p, &mut rngs.supply, self.investment_key, clock);
        // 3. Demand.
        self.manufacturers
            .form_demand(p, &self.prices, t, &mut rngs.demand);
        // 4. Orders: manufacturers, producers' inputs, stockpiles (which also decide to release).
        self.book.clear_orders(buyers);
        self.manufacturers.build_stocks(p, &self.prices);
        self.manufacturers.place_orders(p, buyers, &mut self.book);
        self.producers
            .place_orders(p, buyers, &self.prices, &mut self.book);
        if active {
            self.stockpiles
                .place_orders(p, buyers, &self.prices, &mut self.book, clock);
        }
        self.book.record_orders(buyers);
        // 5. Licences: applications, reviews, decisions.
        for (a, auth) in self.authorities.iter_mut().enumerate() {
            let keyed = (AuthorityId::from(a), self.licence_key);
            auth.take_applications(
                buyers.all(),
                buyers.order_slots(),
                &self.book.order,
                clock,
                keyed,
            );
            auth.review(buyers.all(), clock, keyed);
        }
        // 6. Trade: (a) domestic, (b) free imports, (c) controlled exports; the shortage seen
        // before releases; (d) stockpile releases; stockpile purchases paid.
        // (a0) Floors' offtake: the government's share of a covered producer's output, from the
        // region's warehouse into its stockpile, before anything is sold.
        if active && p.floors.iter().any(|f| f.offtake.is_some()) {
            crate::offtake::take(
                p,
                buyers,
                &self.producers,
                &self.prices,
                &mut self.book,
                t,
                &mut self.tally,
            );
        }
        let exporters = &model.authority_of_region;
        self.book.sourcing.begin_step(reported);
        markets::clear_trade(
            &mut self.book,
            buyers,
            exporters,
            &mut self.authorities,
            p,
            clock,
        );
        self.prices.measure_shortage(&self.book, buyers);
        if active && !p.sourcing_caps.is_empty() {
            // Sourcing caps' premiums on what was bought elsewhere first, at this step's prices.
            let world = &self.prices.world;
            self.book.sourcing.pay(p, world, &mut self.tally);
        }
        if active {
            self.stockpiles
                .release(p, buyers, &mut self.book, &mut self.tally, clock);
            self.stockpiles
                .pay(p, buyers, &self.prices, &self.book, &mut self.tally);
        }
        // 7. Production, into the region's warehouse.
        self.producers.produce(p, buyers, &mut self.book);
        // 7b. Accounts: operators' margins at this step's prices, loss counters, closures.
        if active {
            self.accounts
                .settle(p, &mut self.producers, &self.prices, t, &mut self.tally);
            if !p.grants.is_empty() {
                self.plans.write_off(p, &self.accounts, t, &mut self.tally);
            }
        }
        // 7c. Recycling: recovered materials into the region's warehouse; mandates pay deficits.
        if !p.recyclers.is_empty() {
            self.recyclers
                .recycle(p, &self.prices, &mut self.book, reported, &mut self.tally);
        }
        // 8. Consumption: manufacturers use inventory; lost output and halts.
        self.manufacturers
            .consume(p, buyers, &mut self.book, &mut self.tally, t, clock);
        // 9. Exporters' undercut rules: revenue forgone on this step's exports, caps in force.
        // Prices answer the scarcity of consumption (wanted for use vs used), under the caps.
        if active && !p.undercuts.is_empty() {
            self.undercuts.settle(
                p,
                &self.accounts,
                &self.prices,
                &self.book,
                t,
                &mut self.tally,
            );
        }
        let peak = &mut self.tally.peak_price_ratio;
        let caps = self.undercuts.caps();
        self.prices
            .update(p, &self.book, &self.authorities, caps, peak);
        // 10. Adaptation: substitution; capacity projects start; planned capacity is financed.
        self.manufacturers.substitute(p, &self.prices);
        self.producers.expand(p, &self.prices, self.investment_key);
        if active {
            self.plans.finance(
                p,
                &mut self.producers,
                &self.prices,
                &self.accounts,
                t,
                &mut self.tally,
            );
            self.plans.report(p, &self.producers, t, &mut self.tally);
            // Dated and planned starts progress at the build and ramp speeds in force.
            self.producers.advance_online(p);
        }
        // 11. Record the step's outputs (per-step counters restart either way).
        if active {
            self.record(t);
        }
        self.end_step();
        self.clock += 1;
    }

    /// After the warm-up: every running total starts again, as if the market had opened in
    /// the state the warm-up left (peak prices from today's, stockpile holdings valued now).
    fn restart_tallies(&mut self) {
        let p = &self.model.params;
        let opening_cost = Stockpiles::holdings_cost_usd(p, &self.model.buyers, &self.book);
        self.tally.restart(&self.prices.world, opening_cost);
        for a in &mut self.authorities {
            a.restart_counts();
        }
    }

    /// Step 1: new-year quota reset, then the state of the event dated `t`, if any, takes
    /// effect: each authority switches to its policy, producers to their derates and their
    /// build and ramp speeds (technology controls), manufacturers to their demand multipliers;
    /// then each authority paces its quotas for the step.
    fn apply_policy(&mut self, t: u32) {
        let p = &self.model.params;
        if p.calendar.starts_new_year(t) {
            for (a, params) in self.authorities.iter_mut().zip(&p.authorities) {
                a.new_year(params);
            }
        }
        // Events are in increasing order of step (validated), so this takes each in turn.
        while let Some(e) = p.events.get(self.next_event)
            && e.step <= t
        {
            let in_force = &e.in_force;
            for (a, state) in self.authorities.iter_mut().zip(&in_force.authorities) {
                a.switch_to(state, &p.items);
            }
            self.producers.set_derates(&in_force.market.derate_share);
            let m = &in_force.market;
            self.producers.set_speeds(&m.build_speed, &m.ramp_speed);
            self.manufacturers
                .set_demand_multipliers(&in_force.market.demand_multiplier);
            self.next_event += 1;
        }
        for a in &mut self.authorities {
            a.pace_quotas(&p.calendar, t);
        }
    }

    /// Step 11: the step's row of the trajectory; per-step counters restart.
    fn record(&mut self, t: u32) {
        let model = self.model;
        let row = self.trajectory.step_mut(t as usize);
        model.series.write_row(
            row,
            &self.prices,
            &self.book,
            &self.manufacturers.step_unmet_t,
            self.manufacturers.step_halted_share,
            model.buyers.stockpiles(),
            &self.authorities,
            self.manufacturers.substituted_share(&model.params),
            &self.accounts,
            &self.producers,
        );
        self.tally.exports_t += self.book.exported_by_authorities.iter().sum::<f64>();
    }

    /// Per-step counters restart (recorded or not).
    fn end_step(&mut self) {
        self.book.exported_by_authorities.fill(0.0);
        self.manufacturers.clear_step();
        self.book.exported_to.fill(0.0);
    }

    /// Runs every remaining step and returns the scalar metrics.
    pub fn run<R: Rng>(&mut self, rngs: &mut RngStreams<R>) -> Outcome {
        while !self.is_done() {
            self.step(rngs);
        }
        self.outcome()
    }

    /// The scalar metrics of the replication so far, the targets' values last (read off the
    /// trajectory: steps not yet simulated count as zero).
    #[must_use]
    pub fn outcome(&self) -> Outcome {
        let p = &self.model.params;
        let mut outcome = metrics::outcome(&self.tally, &self.authorities, p);
        let base_price = |i: usize| p.items[i].base_price_usd_per_kg;
        let (rows, n_vars) = (self.trajectory.as_slice(), self.trajectory.n_vars());
        outcome.metrics.extend(
            self.model
                .targets
                .iter()
                .map(|t| t.value(rows, n_vars, &base_price)),
        );
        debug_assert_eq!(outcome.metrics.len(), self.model.schema().metrics.len());
        outcome
    }

    /// True once the horizon is reached.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.step >= self.model.params.calendar.n_steps
    }

    /// The next step to simulate.
    #[must_use]
    pub fn current_step(&self) -> u32 {
        self.step
    }

    /// The per-step record so far (rows past the current step are zero).
    #[must_use]
    pub fn trajectory(&self) -> &Trajectory {
        &self.trajectory
    }

    /// Flows of the last completed step.
    #[must_use]
    pub fn ledger(&self) -> &Ledger {
        &self.book.ledger
    }

    /// Cumulative tonnes of `item` the region of sourcing cap `cap` (an index into
    /// [`ModelParams::sourcing_caps`](crate::ModelParams::sourcing_caps)) received from
    /// `seller`'s warehouse since the cap started (0 when the cap does not cover the item).
    #[must_use]
    pub fn sourcing_received_t(&self, cap: usize, item: ItemId, seller: RegionId) -> f64 {
        self.book.sourcing.received_t(cap, item, seller)
    }

    /// Tonnes of `item` the region of sourcing cap `cap` bought first from free sellers in the
    /// last step (the tonnes its premium is paid on).
    #[must_use]
    pub fn sourcing_priority_t(&self, cap: usize, item: ItemId) -> f64 {
        self.book.sourcing.priority_t(cap, item)
    }

    /// Premiums paid under sourcing caps so far, USD (issue 18).
    #[must_use]
    pub fn sourcing_premium_usd(&self) -> f64 {
        self.tally.sourcing_premium_usd
    }

    /// The world price ratio of `item` now (the ratio the next step trades at).
    #[must_use]
    pub fn world_price_ratio(&self, item: ItemId) -> f64 {
        self.prices.world[item.idx()]
    }

    /// Total stock of `item` held in `region` by warehouses, manufacturers, producers and
    /// stockpiles.
    #[must_use]
    pub fn region_stock(&self, region: RegionId, item: ItemId) -> f64 {
        let mut total = self.book.warehouse[self.book.ledger.at(region, item)];
        for &b in self.model.buyers.in_region(region.idx()) {
            total += self.book.held[self.book.slot(b, item)];
        }
        total
    }

    /// Tonnes of `item` sold to buyers in other regions and not yet arrived: stock that is in
    /// no region's [`Simulation::region_stock`] but in the global material balance.
    #[must_use]
    pub fn in_transit(&self, item: ItemId) -> f64 {
        self.book
            .pipeline
            .item_total(item.idx(), self.model.params.items.len())
    }

    /// Every stock, price and capacity in the state (for invariant checks).
    pub fn state_values(&self) -> impl Iterator<Item = f64> + '_ {
        self.book
            .warehouse
            .iter()
            .chain(&self.book.held)
            .chain(self.book.pipeline.values())
            .chain(&self.prices.world)
            .chain(&self.prices.domestic)
            .copied()
            .chain(self.producers.capacities())
    }

    /// Where (buyer, item) stands with authority `a` (see [`Model::manufacturer_buyer`]).
    #[must_use]
    pub fn licence_state(&self, a: AuthorityId, buyer: BuyerId, item: ItemId) -> LicenceState {
        self.authorities[a.idx()].state(buyer, item)
    }
}
