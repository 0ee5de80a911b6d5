//! Mergeable, order-independent statistics for Chokepoint's Monte Carlo outputs.
//!
//! Replications may run on any number of threads and be split into shards on
//! different machines, so every result here is **bit-identical** whatever the
//! order in which values are added and whatever the order or grouping of merges:
//!
//! - [`ExactSum`]: exact fixed-point sum of `f64` values (integer addition is
//!   associative, floating-point addition is not).
//! - [`QuantileSketch`]: DDSketch-style quantile sketch with integer bucket counts.
//! - [`SeriesAccumulator`]: per-step, per-variable mean and quantiles of trajectories.
//! - [`Summary`], [`Proportion`], [`PairedDiff`]: scalar summaries of
//!   per-replication metrics, invariant under permutation of their input.
//!
//! It is pure computation: it does no I/O, spawns no threads and knows nothing
//! of the supply-chain model. Callers decide what to record and when to merge.
//!
//! Sketch buckets and exact sums use only integer arithmetic and correctly
//! rounded IEEE operations, so they also agree across machines. The t and z
//! quantiles in [`Summary`], [`Proportion`] and [`PairedDiff`] come from statrs
//! (libm-based): they depend only on n, never on order or sharding.
//!
//! All types implement serde. Shard states sent as JSON round-trip bit for bit
//! only if `serde_json`'s `float_roundtrip` feature is on (its default float
//! parser may be off by one ulp).
//!
//! ```
//! use chokepoint_stats::ExactSum;
//! let (mut shard_a, mut shard_b) = (ExactSum::new(), ExactSum::new());
//! shard_a.add(1e16);
//! shard_a.add(1.0);
//! shard_b.add(-1e16);
//! shard_b.merge(&shard_a);
//! assert_eq!(shard_b.value().to_bits(), 1.0f64.to_bits()); // naive f64 in the order 1e16, 1, -1e16: 0.0
//! ```

#![forbid(unsafe_code)]

mod buckets;
mod error;
mod exact_sum;
mod series;
mod sketch;
mod summary;

pub use error::StatsError;
pub use exact_sum::ExactSum;
pub use series::{CellSummary, SeriesAccumulator, SeriesSummary};
pub use sketch::QuantileSketch;
pub use summary::{PairedDiff, Proportion, Summary};
