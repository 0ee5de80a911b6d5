//! # chokepoint-core: the model
//!
//! A discrete-time, agent-based model of the rare-earth → permanent-magnet supply chain under
//! export controls. Producers (mines, separation plants, magnet makers) turn inputs into outputs;
//! an export authority per controlling exporter runs a control list, embargoes, quotas and a
//! licence queue; manufacturers per region × sector order, hold inventory, curtail and halt;
//! government stockpiles buy and release by explicit rules; markets move prices with scarcity.
//!
//! **What it is not.** It does no I/O: no files, no TOML, no printing, no threads, no clock.
//! It never makes a random number generator: the caller passes [`RngStreams`]. Parameters come
//! already sampled ([`ModelParams`]); the scenario crate reads files, the experiment crate runs
//! replications in parallel.
//!
//! **Features.** `testkit` adds `chokepoint_core::testkit`, tiny markets with known answers, for
//! other crates' tests and benches (`[dev-dependencies]` only).
//!
//! ```
//! use chokepoint_core::{Model, RngStreams, Simulation, testkit};
//! use rand::SeedableRng;
//! use rand::rngs::SmallRng;
//!
//! let model = Model::new(testkit::two_region_market()).unwrap();
//! let mut rngs = RngStreams {
//!     demand: SmallRng::seed_from_u64(1),
//!     supply: SmallRng::seed_from_u64(2),
//!     licensing: SmallRng::seed_from_u64(3),
//!     investment: SmallRng::seed_from_u64(4),
//! };
//! let mut sim = Simulation::new(&model);
//! let outcome = sim.run(&mut rngs);
//! let unmet = model.schema().metric("unmet_magnet_t").unwrap();
//! assert!(outcome.metrics[unmet] >= 0.0);
//! ```

mod authority;
mod buyers;
mod calendar;
mod economics;
mod error;
mod ids;
mod keyed;
mod licences;
mod manufacturers;
mod markets;
mod metrics;
mod model;
mod offtake;
mod outputs;
mod params;
mod plans;
mod policy;
mod prices;
mod producers;
mod recycling;
mod series;
mod sim;
mod source;
mod sourcing;
mod stockpiles;
mod targets;
#[cfg(feature = "testkit")]
pub mod testkit;
mod transit;
mod undercut;
pub mod units;
mod validate;

pub use calendar::Calendar;
pub use error::{ParamError, ParamErrors};
pub use ids::{
    AuthorityId, BuyerId, ItemId, ManufacturerId, ProducerId, RegionId, SectorId, StockpileId,
};
pub use keyed::LeadTime;
pub use licences::{Application, Licence, LicenceState};
pub use markets::Ledger;
pub use metrics::is_recycling_metric;
pub use metrics::{
    Better, Description, EVENT_METRICS, describe_metric, is_event_metric, metric_domain,
};
pub use metrics::{is_lever_metric, is_plan_metric, is_sourcing_metric};
pub use model::Model;
pub use outputs::{Outcome, OutputSchema, Trajectory};
pub use params::*;
pub use policy::{InForce, LicenceRegime, MarketState, PolicyEvent, PolicyState, QuotaBatch};
pub use series::describe_series;
pub use sim::{RngStreams, Simulation};
pub use source::ScenarioSource;
pub use targets::{
    Observed, Reduce, TARGET_METRIC_PREFIX, TargetError, TargetInfo, TargetRole, TargetScale,
    series_matches,
};

/// The model is shared across the experiment engine's threads.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Model>();
    assert_send_sync::<ModelParams>();
};
