//! Exact, order-independent summation in 256-bit fixed point.
//!
//! No crate offered what is needed here: `xsum` (Neal's superaccumulator) is
//! exact but can neither be merged, cloned nor serialized. So each input is
//! rounded once to a multiple of 2^-96 and added into a 256-bit two's-complement
//! integer. Integer addition modulo 2^256 is associative and commutative, so the
//! state is the same bits whatever the order of `add` and `merge` calls.

use serde::{Deserialize, Serialize};

/// Fractional bits: the accumulator counts units of 2^-96.
const FRAC_BITS: i32 = 96;
/// Inputs must have |x| < 2^95. With 96 fractional bits this leaves 64 bits of
/// headroom in the 256-bit accumulator, so fewer than 2^64 inputs can never
/// overflow it, and no order-dependent overflow flag is needed.
const INPUT_BITS: i32 = 95;

/// Exactly 2^n for a normal exponent, built from bits so no libm is involved.
#[allow(
    clippy::cast_sign_loss,
    reason = "n + 1023 is a normal biased exponent, in 1..=2046"
)]
pub(crate) const fn pow2(n: i32) -> f64 {
    f64::from_bits(((n + 1023) as u64) << 52)
}

/// An exact, mergeable, order-independent sum of `f64` values.
///
/// **Resolution**: each accepted input is rounded (to nearest, ties to even) to
/// a multiple of 2^-96 ≈ 1.26e-29; all later arithmetic is exact integer
/// arithmetic. **Range**: inputs with |x| < 2^95 ≈ 3.96e28 are accepted; up to
/// 2^64 of them can be summed without overflow. [`value`](Self::value) is the
/// correctly rounded `f64` of the exact fixed-point sum.
///
/// NaN and ±infinity are never added: they are counted in
/// [`non_finite`](Self::non_finite). Finite inputs too large for the range are
/// counted in [`out_of_range`](Self::out_of_range). Neither poisons the sum.
///
/// Serializes as a 64-digit hex string (the two's-complement state) plus the
/// three counters, so JSON round-trips losslessly.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "ExactSumRepr", try_from = "ExactSumRepr")]
pub struct ExactSum {
    /// High half of the 256-bit two's-complement total, in units of 2^-96.
    hi: u128,
    /// Low half of the total.
    lo: u128,
    count: u64,
    non_finite: u64,
    out_of_range: u64,
}

impl ExactSum {
    /// Smallest step the accumulator resolves: 2^-96.
    pub const RESOLUTION: f64 = pow2(-FRAC_BITS);
    /// Inputs must be strictly smaller than this in magnitude: 2^95.
    pub const INPUT_LIMIT: f64 = pow2(INPUT_BITS);

    /// An empty sum (value 0).
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `x` would be added (finite and |x| < [`INPUT_LIMIT`](Self::INPUT_LIMIT)).
    #[must_use]
    pub fn accepts(x: f64) -> bool {
        x.is_finite() && x.abs() < Self::INPUT_LIMIT
    }

    /// Adds one value, or counts it as non-finite or out of range.
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() {
            self.non_finite = self.non_finite.saturating_add(1);
        } else if !Self::accepts(x) {
            self.out_of_range = self.out_of_range.saturating_add(1);
        } else {
            self.count = self.count.saturating_add(1);
            let mag = to_fixed(x.abs());
            let signed = if x.is_sign_negative() { neg(mag) } else { mag };
            (self.hi, self.lo) = add(self.state(), signed);
        }
    }

    /// Adds everything another sum has seen; exact, so grouping does not matter.
    pub fn merge(&mut self, other: &Self) {
        (self.hi, self.lo) = add(self.state(), other.state());
        self.count = self.count.saturating_add(other.count);
        self.non_finite = self.non_finite.saturating_add(other.non_finite);
        self.out_of_range = self.out_of_range.saturating_add(other.out_of_range);
    }

    /// The exact sum of accepted inputs, correctly rounded to `f64` (ties to even).
    #[must_use]
    pub fn value(&self) -> f64 {
        let negative = self.hi >> 127 == 1;
        let (hi, lo) = if negative {
            neg(self.state())
        } else {
            self.state()
        };
        let mag = if hi == 0 {
            // `as` rounds to nearest-even; scaling by a power of two is then exact.
            lo as f64 * pow2(-FRAC_BITS)
        } else {
            // Keep the top 128 bits and fold the rest into a sticky bit, so the
            // single rounding of `as f64` is still the correct one.
            let k = 128 - hi.leading_zeros();
            let (top, sticky) = if k == 128 {
                (hi, lo != 0)
            } else {
                ((hi << (128 - k)) | (lo >> k), lo & ((1u128 << k) - 1) != 0)
            };
            // k <= 128, so the exponent fits an i32.
            (top | u128::from(sticky)) as f64 * pow2(i32::try_from(k).unwrap_or(128) - FRAC_BITS)
        };
        if negative { -mag } else { mag }
    }

    /// Number of values added to the sum.
    #[must_use]
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Number of NaN or infinite inputs that were counted but not added.
    #[must_use]
    pub fn non_finite(&self) -> u64 {
        self.non_finite
    }

    /// Number of finite inputs with |x| ≥ 2^95 that were counted but not added.
    #[must_use]
    pub fn out_of_range(&self) -> u64 {
        self.out_of_range
    }

    fn state(&self) -> (u128, u128) {
        (self.hi, self.lo)
    }
}

/// |x| (finite, < 2^95) in units of 2^-96, rounded to nearest, ties to even.
fn to_fixed(a: f64) -> (u128, u128) {
    let bits = a.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let frac = u128::from(bits & ((1u64 << 52) - 1));
    // a = m * 2^e exactly, so a * 2^96 = m * 2^s.
    let (m, e) = if biased == 0 {
        (frac, -1074)
    } else {
        (frac | 1 << 52, biased - 1075)
    };
    let s = e + FRAC_BITS;
    if s >= 128 {
        (m << (s - 128), 0)
    } else if s > 0 {
        (m >> (128 - s), m << s)
    } else if s == 0 {
        (0, m)
    } else if s > -128 {
        let k = -s;
        let (q, r, half) = (m >> k, m & ((1u128 << k) - 1), 1u128 << (k - 1));
        let up = r > half || (r == half && q & 1 == 1);
        (0, q + u128::from(up))
    } else {
        (0, 0)
    }
}

fn add(a: (u128, u128), b: (u128, u128)) -> (u128, u128) {
    let (lo, carry) = a.1.overflowing_add(b.1);
    (a.0.wrapping_add(b.0).wrapping_add(u128::from(carry)), lo)
}

fn neg(a: (u128, u128)) -> (u128, u128) {
    add((!a.0, !a.1), (0, 1))
}

/// Serialized form: JSON has no 128-bit integers, so the state travels as hex.
#[derive(Serialize, Deserialize)]
struct ExactSumRepr {
    /// 64 hex digits, the 256-bit two's-complement total in units of 2^-96.
    fixed: String,
    count: u64,
    non_finite: u64,
    out_of_range: u64,
}

impl From<ExactSum> for ExactSumRepr {
    fn from(s: ExactSum) -> Self {
        Self {
            fixed: format!("{:032x}{:032x}", s.hi, s.lo),
            count: s.count,
            non_finite: s.non_finite,
            out_of_range: s.out_of_range,
        }
    }
}

impl TryFrom<ExactSumRepr> for ExactSum {
    type Error = String;

    fn try_from(r: ExactSumRepr) -> Result<Self, String> {
        let bad = || format!("ExactSum.fixed must be 64 hex digits, got {:?}", r.fixed);
        if r.fixed.len() != 64 || !r.fixed.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        let half = |s: &str| u128::from_str_radix(s, 16).map_err(|_| bad());
        Ok(Self {
            hi: half(&r.fixed[..32])?,
            lo: half(&r.fixed[32..])?,
            count: r.count,
            non_finite: r.non_finite,
            out_of_range: r.out_of_range,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sum(xs: &[f64]) -> ExactSum {
        let mut s = ExactSum::new();
        for &x in xs {
            s.add(x);
        }
        s
    }

    fn bits(x: f64) -> u64 {
        x.to_bits()
    }

    #[test]
    fn cancellation_is_exact_in_every_order() {
        let xs = [1e16, 1.0, -1e16];
        for o in [
            [0, 1, 2],
            [0, 2, 1],
            [1, 0, 2],
            [1, 2, 0],
            [2, 0, 1],
            [2, 1, 0],
        ] {
            assert_eq!(bits(sum(&o.map(|i| xs[i])).value()), bits(1.0));
        }
    }

    #[test]
    fn value_is_correctly_rounded() {
        let t53 = pow2(53);
        let cases: [(&[f64], f64); 11] = [
            // 2^53 + 1 is a tie, rounded to even; a tiny extra (sticky bit) breaks it upward.
            (&[t53, 1.0], t53),
            (&[t53, 1.0, pow2(-96)], t53 + 2.0),
            (&[-t53, -1.0, -pow2(-96)], -t53 - 2.0),
            // Ten copies of the double nearest 0.1 sum to 1 + 5.55e-17, which rounds to 1.
            (&[0.1; 10], 1.0),
            (&[pow2(94); 4], pow2(96)),
            (&[], 0.0),
            (&[-2.5, 1.0], -1.5),
            // Inputs round to multiples of 2^-96: 2^-97 is a tie (to even: 0), 3 * 2^-98 rounds up.
            (&[pow2(-97)], 0.0),
            (&[3.0 * pow2(-98)], pow2(-96)),
            (&[-3.0 * pow2(-98)], -pow2(-96)),
            (&[f64::MIN_POSITIVE / 4.0], 0.0),
        ];
        for (xs, want) in cases {
            assert_eq!(bits(sum(xs).value()), bits(want), "{xs:?}");
        }
    }

    #[test]
    fn rejected_inputs_are_counted_not_added() {
        let below = f64::from_bits(ExactSum::INPUT_LIMIT.to_bits() - 1);
        let s = sum(&[
            1.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            ExactSum::INPUT_LIMIT,
            -1e300,
            below,
            -below,
        ]);
        assert_eq!((s.count(), s.non_finite(), s.out_of_range()), (3, 3, 2));
        assert_eq!(bits(s.value()), bits(1.0));
    }

    #[test]
    fn serde_round_trips_losslessly() {
        let s = sum(&[-1e28, 3.25, pow2(-96), f64::NAN]);
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<ExactSum>(&json).unwrap(), s);
        assert!(
            serde_json::from_str::<ExactSum>(
                r#"{"fixed":"zz","count":0,"non_finite":0,"out_of_range":0}"#
            )
            .is_err()
        );
    }

    fn value() -> impl Strategy<Value = f64> {
        prop_oneof![
            -1e6..1e6,
            -1e25..1e25f64,
            -1e-20..1e-20f64,
            Just(0.0),
            Just(-0.0)
        ]
    }

    proptest! {
        #[test]
        fn permutation_gives_identical_state(
            (xs, ys) in prop::collection::vec(value(), 0..60)
                .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
        ) {
            let (a, b) = (sum(&xs), sum(&ys));
            prop_assert_eq!(&a, &b);
            prop_assert_eq!(bits(a.value()), bits(b.value()));
        }

        #[test]
        fn merged_shards_equal_one_pass(xs in prop::collection::vec(value(), 0..60), i in 0usize..60, j in 0usize..60) {
            let (i, j) = (i.min(xs.len()), j.min(xs.len()));
            let (i, j) = (i.min(j), i.max(j));
            let (a, b, c) = (sum(&xs[..i]), sum(&xs[i..j]), sum(&xs[j..]));
            let mut left = a.clone();
            left.merge(&b);
            left.merge(&c);
            let mut right = c.clone();
            let mut bc = b.clone();
            bc.merge(&a);
            right.merge(&bc);
            prop_assert_eq!(&left, &sum(&xs));
            prop_assert_eq!(&right, &sum(&xs));
        }

        // IEEE addition of two doubles is correctly rounded, and these doubles
        // are exact multiples of 2^-96, so the exact sum must match it bit for bit.
        #[test]
        fn two_term_sum_matches_ieee(x in -1e25..1e25f64, y in -1e20..1e20f64, t in 1e-12..1e-9f64, neg: bool) {
            // |t| >= 2^-44 keeps its last bit at or above 2^-96.
            let tiny = if neg { -t } else { t };
            for (a, b) in [(x, y), (x, tiny), (y, tiny)] {
                prop_assert_eq!(bits(sum(&[a, b]).value()), bits(a + b));
            }
        }
    }
}
