//! What the model's integration tests share: the random streams of a replication, as the
//! experiment engine would inject them (one ChaCha8 stream per purpose).

use chokepoint_core::RngStreams;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Independent streams for demand, supply, licensing and investment, from one seed.
pub fn streams(seed: u64) -> RngStreams<ChaCha8Rng> {
    let make = |stream: u64| {
        let mut r = ChaCha8Rng::seed_from_u64(seed);
        r.set_stream(stream);
        r
    };
    RngStreams {
        demand: make(0),
        supply: make(1),
        licensing: make(2),
        investment: make(3),
    }
}
