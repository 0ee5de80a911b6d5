//! Global sensitivity analysis for Chokepoint: which uncertain inputs drive an output.
//!
//! Pure mathematics, no I/O and no workspace crate: a design of points in the unit cube, a
//! quantile map from each coordinate to an input's distribution ([`Marginal`]), and estimators
//! that read the outputs at the design's points in the design's order. The experiment engine
//! (`chokepoint-experiment`) runs the points as a sweep and calls the estimators at the end.
//!
//! * [`saltelli`]: Saltelli sampling on an Owen-scrambled Sobol sequence, first-order
//!   (Saltelli et al. 2010) and total (Jansen 1999) indices with bootstrap intervals.
//! * [`morris`]: Morris (1991) trajectories on a 4-level grid, mu, mu* (Campolongo et al.
//!   2007) with a bootstrap interval, sigma.
//!
//! ```
//! use chokepoint_gsa::{saltelli, Marginal};
//! use rand::SeedableRng;
//! let x = Marginal::Uniform { lo: 0.0, hi: 2.0 };
//! let pts = saltelli::points(64, 2, 1).unwrap();
//! let y: Vec<f64> = pts.iter().map(|p| x.quantile(p[0])).collect(); // only input 0 matters
//! let mut rng = rand::rngs::StdRng::seed_from_u64(1);
//! let s = saltelli::indices(&y, 64, 2, 100, &mut rng).unwrap();
//! assert!((s.total[0].value - 1.0).abs() < 0.05 && s.total[1].value.abs() < 1e-12);
//! ```

#![warn(missing_docs)]

mod bootstrap;
mod error;
mod marginal;
pub mod morris;
pub mod saltelli;

pub use bootstrap::Estimate;
pub use error::GsaError;
pub use marginal::{KINDS, Marginal};

/// Bootstrap resamples behind every interval: 1,000 puts the 2.5 % and 97.5 % percentiles on
/// 25 replicates each side, enough for a stable 95 % interval (Efron & Tibshirani 1993, §13.3,
/// ask for 1,000 or more for percentile intervals).
pub const BOOTSTRAP_RESAMPLES: usize = 1000;

/// Coverage of the bootstrap intervals.
pub const CONFIDENCE: f64 = 0.95;
