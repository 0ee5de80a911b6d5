//! What the model's integration tests share: the random streams of a replication, as the
//! experiment engine would inject them (one ChaCha8 stream per purpose).

use chokepoint_core::{ParamError, RngStreams};
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

/// The parameter path of each validation error (the debug text of an error without one), to
/// check that a refusal names what is wrong.
#[allow(dead_code, reason = "only the test files of refused parameters use it")]
pub fn error_paths(errors: &[ParamError]) -> Vec<String> {
    errors
        .iter()
        .map(|e| match e {
            ParamError::UnknownId { path, .. } | ParamError::OutOfRange { path, .. } => {
                path.clone()
            }
            other => format!("{other:?}"),
        })
        .collect()
}
