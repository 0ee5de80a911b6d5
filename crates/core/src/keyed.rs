//! Draws keyed by what they are for, so that common random numbers survive a change of strategy.
//!
//! Licence reviews and expansion projects happen at times that depend on the rest of the
//! model: a stockpile strategy that adds a buyer also adds licence applications. Drawn one after
//! another from a stream, every later review would then see other numbers. Instead, each
//! replication takes one 64-bit key per purpose from its injected stream (the model still makes
//! no generator of its own), and the k-th review of buyer b for item i draws from
//! SplitMix64(key, b, i, k): the same lead time and the same approval in every strategy.

use serde::{Deserialize, Serialize};

/// A random delay in steps: lognormal with a median and log-sd, truncated at `max_steps`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeadTime {
    /// Median delay, steps.
    pub median_steps: f64,
    /// Standard deviation of the log delay (0 = fixed at the median).
    pub sigma: f64,
    /// Longest possible delay, steps (a statutory limit for licence reviews).
    pub max_steps: f64,
}

/// A replication's key for one purpose.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Keyed(pub u64);

/// SplitMix64's finaliser (Steele, Lea and Flood 2014): a bijective mix of 64 bits.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform in [0, 1) from the top 53 bits.
fn unit(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

impl Keyed {
    /// 64 random bits for event (`who`, `what`, `nth`), e.g. a place in a queue among equals.
    pub(crate) fn bits(self, who: u64, what: u64, nth: u64) -> u64 {
        mix(mix(mix(mix(self.0 ^ mix(who)) ^ what) ^ nth) ^ 3)
    }

    /// Two independent uniforms in [0, 1) for event (`who`, `what`, `nth`).
    pub(crate) fn uniforms(self, who: u64, what: u64, nth: u64) -> (f64, f64) {
        let h = self.bits(who, what, nth);
        (unit(mix(h)), unit(mix(h ^ 1)))
    }

    /// A standard normal and a uniform for event (`who`, `what`, `nth`).
    pub(crate) fn normal_and_uniform(self, who: u64, what: u64, nth: u64) -> (f64, f64) {
        let h = mix(mix(mix(self.0 ^ mix(who)) ^ what) ^ nth);
        let (u1, u2, u3) = (unit(mix(h)), unit(mix(h ^ 1)), unit(mix(h ^ 2)));
        // Box–Muller; 1 − u1 lies in (0, 1], so the logarithm is finite.
        let z = (-2.0 * (1.0 - u1).ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
        (z, u3)
    }
}

/// A lead time in whole steps from a standard normal draw `z`: lognormal around the median,
/// truncated at the maximum.
pub(crate) fn lead_steps(lt: &LeadTime, z: f64) -> u32 {
    let raw = if lt.median_steps > 0.0 {
        (lt.median_steps.ln() + lt.sigma * z).exp()
    } else {
        0.0
    };
    // Rounded to whole steps but never past the maximum (a statutory limit stays a limit when a
    // step is longer than a week); clamped before the cast so a huge draw cannot wrap.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "clamped to [0, max] first; `as` saturates above u32::MAX"
    )]
    let steps = raw.round().min(lt.max_steps.floor()).max(0.0) as u32;
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_depend_only_on_key_and_event() {
        let k = Keyed(42);
        assert_eq!(k.normal_and_uniform(3, 4, 0), k.normal_and_uniform(3, 4, 0));
        assert_ne!(k.normal_and_uniform(3, 4, 0), k.normal_and_uniform(3, 4, 1));
        assert_ne!(k.normal_and_uniform(3, 4, 0), k.normal_and_uniform(4, 3, 0));
        assert_ne!(
            k.normal_and_uniform(3, 4, 0),
            Keyed(43).normal_and_uniform(3, 4, 0)
        );
    }

    #[test]
    fn normals_and_uniforms_have_the_right_moments() {
        let k = Keyed(7);
        let n = 200_000u64;
        let (mut sz, mut szz, mut su) = (0.0, 0.0, 0.0);
        for i in 0..n {
            let (z, u) = k.normal_and_uniform(i % 97, i / 97, i);
            assert!((0.0..1.0).contains(&u));
            sz += z;
            szz += z * z;
            su += u;
        }
        let nf = n as f64;
        assert!((sz / nf).abs() < 0.01, "mean of normals {}", sz / nf);
        assert!(
            (szz / nf - 1.0).abs() < 0.01,
            "variance of normals {}",
            szz / nf
        );
        assert!(
            (su / nf - 0.5).abs() < 0.005,
            "mean of uniforms {}",
            su / nf
        );
    }
}
