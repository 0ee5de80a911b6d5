//! Random streams derived from (seed, run id) alone.
//!
//! Every stream is a ChaCha8 generator, a counter-based keyed generator: its 256-bit key is
//! `seed (u64 LE) ‖ run id (u64 LE) ‖ purpose (u64 LE) ‖ 0u64`, and its output is ChaCha8 of the
//! key and a block counter. No state passes between replications, so replication `i` draws the
//! same numbers whichever thread, process or cluster node runs it, in whatever order.

use chokepoint_core::RngStreams;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What a stream is for; part of its key, so streams never overlap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Sampling the scenario's uncertain parameters and shock dates.
    Parameters = 1,
    /// Demand noise.
    Demand = 2,
    /// Producer outages.
    Supply = 3,
    /// Licence reviews.
    Licensing = 4,
    /// Capacity expansion projects.
    Investment = 5,
    /// Latin hypercube designs of sweeps (run id 0).
    Design = 6,
    /// Bootstrap resamples of a sensitivity analysis (run id: strategy × metrics + metric).
    Bootstrap = 7,
}

/// The generator for one (seed, run id, purpose).
#[must_use]
pub fn stream(seed: u64, run_id: u64, purpose: Purpose) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&run_id.to_le_bytes());
    key[16..24].copy_from_slice(&(purpose as u64).to_le_bytes());
    ChaCha8Rng::from_seed(key)
}

/// The model's streams for one run.
#[must_use]
pub fn model_streams(seed: u64, run_id: u64) -> RngStreams<ChaCha8Rng> {
    RngStreams {
        demand: stream(seed, run_id, Purpose::Demand),
        supply: stream(seed, run_id, Purpose::Supply),
        licensing: stream(seed, run_id, Purpose::Licensing),
        investment: stream(seed, run_id, Purpose::Investment),
    }
}

/// The seed from which the scenario samples this run's uncertain parameters.
#[must_use]
pub fn parameter_seed(seed: u64, run_id: u64) -> u64 {
    stream(seed, run_id, Purpose::Parameters).next_u64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_depend_on_seed_run_and_purpose_only() {
        let a = stream(1, 2, Purpose::Demand).next_u64();
        assert_eq!(a, stream(1, 2, Purpose::Demand).next_u64());
        assert_ne!(a, stream(1, 3, Purpose::Demand).next_u64());
        assert_ne!(a, stream(2, 2, Purpose::Demand).next_u64());
        assert_ne!(a, stream(1, 2, Purpose::Supply).next_u64());
    }

    const PINNED: u64 = 5_952_004_014_005_906_206;

    #[test]
    fn key_layout_is_stable() {
        // Pinned so that a dependency upgrade that changed the streams would be noticed:
        // published results must stay reproducible.
        assert_eq!(parameter_seed(42, 7), PINNED);
    }
}
