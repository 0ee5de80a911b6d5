//! DDSketch-style quantile sketch whose state is a set of integer counts.
//!
//! Adding and merging only increment integer counts and take exact min/max in
//! `f64::total_cmp` order, so the state does not depend on the order of inputs
//! or merges. The bucket of a value is computed from its bits with integer
//! arithmetic only (no `ln`, whose last bit may differ between libms), so two
//! machines put the same value in the same bucket.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::buckets::Buckets;
use crate::exact_sum::pow2;

/// Buckets per binary octave. Fixed for the whole project: sketches built with
/// different values could not be merged.
const K: i32 = 100;

/// A mergeable quantile sketch with relative accuracy 1/201 (< 0.5 %).
///
/// A positive normal value x = 2^e · (1 + f), f ∈ [0, 1), goes to bucket
/// `e·K + ceil(f·K)` (K = 100): buckets are linear in the mantissa within each
/// octave, so each spans a ratio of at most 1 + 1/K, and its representative
/// (the harmonic midpoint of its bounds) is within 1/(2K+1) = 1/201 of any
/// value in it. Negative values use a mirror set of buckets; zeros and values
/// with |x| < `f64::MIN_POSITIVE` (subnormals) share a zero bucket. NaN and
/// ±infinity are counted in [`non_finite`](Self::non_finite) and otherwise ignored.
///
/// Buckets are stored sparsely but flat (sorted arrays of index and count, see
/// `buckets.rs`), so memory grows with the number of distinct buckets touched
/// (at most 100 per factor of two in range), never with the number of values;
/// adding to or merging into buckets that exist allocates nothing. The serialized
/// form is a map from bucket index to count per side, as it always was.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QuantileSketch {
    count: u64,
    zero: u64,
    non_finite: u64,
    min: Option<f64>,
    max: Option<f64>,
    positive: Buckets,
    negative: Buckets,
}

impl QuantileSketch {
    /// Guaranteed relative accuracy of quantiles (up to a few ulps of rounding).
    pub const RELATIVE_ACCURACY: f64 = 1.0 / (2.0 * K as f64 + 1.0);

    /// An empty sketch.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one value, or counts it as non-finite.
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() {
            self.non_finite = self.non_finite.saturating_add(1);
            return;
        }
        self.count = self.count.saturating_add(1);
        self.min = extreme(self.min, Some(x), Ordering::Less);
        self.max = extreme(self.max, Some(x), Ordering::Greater);
        if x.abs() < f64::MIN_POSITIVE {
            self.zero = self.zero.saturating_add(1);
        } else {
            let store = if x < 0.0 {
                &mut self.negative
            } else {
                &mut self.positive
            };
            store.add_one(bucket_index(x.abs()));
        }
    }

    /// Adds all counts of another sketch; commutative and associative.
    pub fn merge(&mut self, other: &Self) {
        self.count = self.count.saturating_add(other.count);
        self.zero = self.zero.saturating_add(other.zero);
        self.non_finite = self.non_finite.saturating_add(other.non_finite);
        self.min = extreme(self.min, other.min, Ordering::Less);
        self.max = extreme(self.max, other.max, Ordering::Greater);
        self.positive.merge(&other.positive);
        self.negative.merge(&other.negative);
    }

    /// The `q`-quantile, `None` if the sketch is empty or `q` is not in [0, 1].
    ///
    /// Rank convention (nearest rank): with n values, the answer is the value of
    /// rank r = ceil(q·n) (computed in f64) clamped to [1, n] (1-based, ascending). Ranks 1 and n
    /// return the exact min and max; other ranks return their bucket's
    /// representative, clamped to [min, max], within
    /// [`RELATIVE_ACCURACY`](Self::RELATIVE_ACCURACY) of the true value.
    #[must_use]
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "q is in [0, 1], so the rank is in 0..=count"
    )]
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if !(0.0..=1.0).contains(&q) || self.count == 0 {
            return None;
        }
        let (min, max) = (self.min?, self.max?);
        let rank = ((q * self.count as f64).ceil() as u64).clamp(1, self.count);
        if rank == 1 {
            return Some(min);
        }
        if rank == self.count {
            return Some(max);
        }
        // Ascending order: most negative buckets first, then zero, then positives.
        let ascending = (self
            .negative
            .iter()
            .rev()
            .map(|(i, c)| (-representative(i), c)))
        .chain(std::iter::once((0.0, self.zero)))
        .chain(self.positive.iter().map(|(i, c)| (representative(i), c)));
        let mut seen = 0u64;
        for (v, c) in ascending {
            seen = seen.saturating_add(c);
            if seen >= rank {
                // Plain comparisons, not f64::max/min, whose choice between
                // 0.0 and -0.0 is unspecified.
                return Some(if v < min {
                    min
                } else if v > max {
                    max
                } else {
                    v
                });
            }
        }
        Some(max) // only reachable if a deserialized state's counts disagree
    }

    /// Number of finite values added.
    #[must_use]
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Number of NaN or infinite inputs that were counted but not added.
    #[must_use]
    pub fn non_finite(&self) -> u64 {
        self.non_finite
    }

    /// Exact smallest value added (in `total_cmp` order, so -0.0 < 0.0).
    #[must_use]
    pub fn min(&self) -> Option<f64> {
        self.min
    }

    /// Exact largest value added (in `total_cmp` order).
    #[must_use]
    pub fn max(&self) -> Option<f64> {
        self.max
    }
}

/// `b` if it lies strictly in direction `dir` from `a` in `total_cmp` order, else `a`.
/// Total order makes the choice between -0.0 and 0.0 independent of input order.
fn extreme(a: Option<f64>, b: Option<f64>, dir: Ordering) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.total_cmp(&a) == dir { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// Bucket of a positive normal value, from its bits: `e·K + ceil(frac·K / 2^52)`.
#[allow(
    clippy::cast_possible_truncation,
    reason = "the biased exponent has 11 bits and the fraction term is at most K"
)]
fn bucket_index(a: f64) -> i32 {
    let bits = a.to_bits();
    let e = (bits >> 52) as i32 - 1023;
    let frac = u128::from(bits & ((1u64 << 52) - 1));
    e * K + (frac * K as u128).div_ceil(1 << 52) as i32
}

/// Bucket `i` holds (bound(i-1), bound(i)] with bound(e·K + j) = 2^e · (1 + j/K).
/// Its representative 2LU/(L+U) is equally far, relatively, from both bounds.
fn representative(i: i32) -> f64 {
    let mantissa = |j: i32| 1.0 + f64::from(j) / f64::from(K);
    let (el, eu) = ((i - 1).div_euclid(K), i.div_euclid(K));
    let ml = mantissa((i - 1).rem_euclid(K));
    let mu = mantissa(i.rem_euclid(K)) * if eu > el { 2.0 } else { 1.0 };
    let h = ml * mu / (ml + mu);
    // Scale by an exact power of two; split so that neither factor over- or underflows.
    if el >= 0 {
        pow2(el) * (2.0 * h)
    } else {
        pow2(el + 1) * h
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sketch(xs: &[f64]) -> QuantileSketch {
        let mut s = QuantileSketch::new();
        for &x in xs {
            s.add(x);
        }
        s
    }

    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "q is in [0, 1]"
    )]
    fn nearest_rank(xs: &[f64], q: f64) -> f64 {
        let mut v = xs.to_vec();
        v.sort_by(f64::total_cmp);
        let r = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
        v[r - 1]
    }

    #[test]
    fn bucket_bounds_and_representatives() {
        // Powers of two are the inclusive upper bound of their bucket.
        assert_eq!(bucket_index(1.0), 0);
        assert_eq!(bucket_index(1.0 + 1e-15), 1);
        assert_eq!(bucket_index(2.0), K);
        assert_eq!(bucket_index(1.5), K / 2);
        for x in [
            1.0,
            1.5,
            3.0,
            1e-300,
            f64::MIN_POSITIVE,
            123.456,
            1e300,
            f64::MAX,
        ] {
            let r = representative(bucket_index(x));
            assert!(
                ((r - x) / x).abs() <= QuantileSketch::RELATIVE_ACCURACY,
                "{x} -> {r}"
            );
        }
    }

    #[test]
    fn edge_cases() {
        let empty = QuantileSketch::new();
        assert_eq!(empty.quantile(0.5), None);
        let s = sketch(&[-3.0, 0.0, -0.0, 2.0, 1e-310, 7.0, f64::NAN, f64::INFINITY]);
        assert_eq!((s.count(), s.non_finite()), (6, 2));
        assert_eq!(s.quantile(1.5), None);
        assert_eq!(s.quantile(f64::NAN), None);
        assert_eq!(s.quantile(0.0).map(f64::to_bits), Some((-3.0f64).to_bits()));
        assert_eq!(s.quantile(1.0).map(f64::to_bits), Some(7.0f64.to_bits()));
        // Rank ceil(0.5 * 6) = 3 falls in the zero bucket.
        assert_eq!(s.quantile(0.5).map(f64::to_bits), Some(0.0f64.to_bits()));
        let q = s.quantile(0.8).unwrap(); // rank 5: the value 2.0
        assert!((q - 2.0).abs() <= 2.0 * QuantileSketch::RELATIVE_ACCURACY);
        assert_eq!(s.min().map(f64::to_bits), Some((-3.0f64).to_bits()));
    }

    fn value() -> impl Strategy<Value = f64> {
        prop_oneof![
            -1e3..1e3f64,
            1e-6..1e9f64,
            Just(0.0),
            prop::num::f64::POSITIVE | prop::num::f64::NEGATIVE | prop::num::f64::NORMAL,
        ]
    }

    proptest! {
        #[test]
        fn quantiles_within_relative_accuracy(xs in prop::collection::vec(value(), 1..300), q in 0.0..=1.0f64) {
            let exact = nearest_rank(&xs, q);
            let got = sketch(&xs).quantile(q).unwrap();
            // 1e-12 allows for the few roundings in computing the representative.
            let tol = (QuantileSketch::RELATIVE_ACCURACY + 1e-12) * exact.abs();
            prop_assert!((got - exact).abs() <= tol, "q={} exact={} got={}", q, exact, got);
        }

        #[test]
        fn merge_order_and_grouping_do_not_matter(
            (xs, ys) in prop::collection::vec(value(), 0..200)
                .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
            i in 0usize..200,
        ) {
            let one_pass = serde_json::to_string(&sketch(&xs)).unwrap();
            let i = i.min(ys.len());
            let (a, b) = (sketch(&ys[..i]), sketch(&ys[i..]));
            let mut ba = b.clone();
            ba.merge(&a);
            let mut ab = QuantileSketch::new();
            ab.merge(&a);
            ab.merge(&b);
            prop_assert_eq!(&serde_json::to_string(&ba).unwrap(), &one_pass);
            prop_assert_eq!(&serde_json::to_string(&ab).unwrap(), &one_pass);
            let back: QuantileSketch = serde_json::from_str(&one_pass).unwrap();
            prop_assert_eq!(back, sketch(&xs));
        }
    }
}
