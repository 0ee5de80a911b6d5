//! Summaries of per-replication scalar metrics, from all their values.
//!
//! Callers keep every value, so permutation invariance comes from sorting:
//! values are put in `f64::total_cmp` order (needed anyway for exact
//! quantiles) and all sums run in that canonical order with Neumaier
//! compensation. Unlike [`ExactSum`](crate::ExactSum) this has no range limit,
//! which matters for squared deviations.
//!
//! The t and z quantiles come from statrs; they depend only on n, so they are
//! the same for any order or sharding of the replications.

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};

use crate::StatsError;

/// Summary of a scalar metric over replications.
///
/// NaN and ±infinity are dropped and counted in `n_non_finite`. With `n == 0`
/// every float field is NaN. With `n == 1`, `sd` is 0 and the interval
/// collapses to the mean (one replication carries no spread information:
/// check `n`, not the width).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Finite values summarized.
    pub n: u64,
    /// Values dropped because NaN or infinite.
    pub n_non_finite: u64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation (divisor n − 1).
    pub sd: f64,
    /// Lower end of the Student-t 95 % interval for the mean.
    pub ci95_lo: f64,
    /// Upper end of the Student-t 95 % interval for the mean.
    pub ci95_hi: f64,
    /// 5th percentile (linear interpolation, type 7).
    pub p5: f64,
    /// 25th percentile (type 7).
    pub p25: f64,
    /// Median (type 7).
    pub p50: f64,
    /// 75th percentile (type 7).
    pub p75: f64,
    /// 95th percentile (type 7).
    pub p95: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

impl Summary {
    /// Summarizes `values`; the result is the same bits for any permutation.
    pub fn from_values(values: &[f64]) -> Summary {
        let mut xs: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        xs.sort_by(f64::total_cmp);
        let n_non_finite = (values.len() - xs.len()) as u64;
        let n = xs.len();
        // With n == 0 this is 0 / 0 = NaN, as are all other float fields.
        let mean = compensated_sum(xs.iter().copied()) / n as f64;
        let (sd, half_width) = match n {
            0 => (f64::NAN, f64::NAN),
            1 => (0.0, 0.0),
            _ => {
                let ss = compensated_sum(xs.iter().map(|x| (x - mean) * (x - mean)));
                let sd = (ss / (n - 1) as f64).sqrt();
                (sd, t975(n - 1) * sd / (n as f64).sqrt())
            }
        };
        Summary {
            n: n as u64,
            n_non_finite,
            mean,
            sd,
            ci95_lo: mean - half_width,
            ci95_hi: mean + half_width,
            p5: type7(&xs, 0.05),
            p25: type7(&xs, 0.25),
            p50: type7(&xs, 0.5),
            p75: type7(&xs, 0.75),
            p95: type7(&xs, 0.95),
            min: xs.first().copied().unwrap_or(f64::NAN),
            max: xs.last().copied().unwrap_or(f64::NAN),
        }
    }
}

/// Share of successes in a 0/1 metric, with a Wilson score 95 % interval.
///
/// Exactly 0.0 (or -0.0) is a failure and 1.0 a success; any other value
/// (including NaN) is dropped and counted in `n_invalid`. With `n == 0` the
/// float fields are NaN.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Proportion {
    /// Valid (0 or 1) values.
    pub n: u64,
    /// Values equal to 1.
    pub successes: u64,
    /// Values dropped because neither 0 nor 1.
    pub n_invalid: u64,
    /// successes / n.
    pub p: f64,
    /// Lower end of the Wilson score 95 % interval.
    pub wilson_lo: f64,
    /// Upper end of the Wilson score 95 % interval.
    pub wilson_hi: f64,
}

impl Proportion {
    /// Counts successes in `values`; order does not matter.
    #[must_use]
    pub fn from_values(values: &[f64]) -> Proportion {
        let (mut successes, mut n) = (0u64, 0u64);
        for &x in values {
            match x {
                1.0 => (successes, n) = (successes + 1, n + 1),
                0.0 => n += 1,
                _ => {}
            }
        }
        let n_invalid = values.len() as u64 - n;
        let (nf, p) = (n as f64, successes as f64 / n as f64);
        let z = Normal::standard().inverse_cdf(0.975);
        let z2n = z * z / nf;
        let centre = (p + z2n / 2.0) / (1.0 + z2n);
        let half = z / (1.0 + z2n) * (p * (1.0 - p) / nf + z2n / (4.0 * nf)).sqrt();
        // The interval lies in [0, 1] in exact arithmetic; clamp away rounding.
        Proportion {
            n,
            successes,
            n_invalid,
            p,
            wilson_lo: (centre - half).max(0.0),
            wilson_hi: (centre + half).min(1.0),
        }
    }
}

/// Mean of paired differences `a[i] - b[i]` with a Student-t 95 % interval,
/// for common-random-number comparisons of two scenarios.
///
/// Follows [`Summary`]'s conventions: non-finite differences are dropped and
/// counted, n < 2 gives sd 0 and a collapsed interval, and the result is the
/// same bits for any permutation of the pairs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairedDiff {
    /// Finite differences used.
    pub n: u64,
    /// Pairs dropped because their difference is NaN or infinite.
    pub n_non_finite: u64,
    /// Mean of `a - b`.
    pub mean_diff: f64,
    /// Sample standard deviation of `a - b`.
    pub sd: f64,
    /// Lower end of the Student-t 95 % interval for the mean difference.
    pub ci95_lo: f64,
    /// Upper end of the Student-t 95 % interval for the mean difference.
    pub ci95_hi: f64,
}

impl PairedDiff {
    /// Summarizes `a[i] - b[i]`; errors if the slices differ in length.
    pub fn from_pairs(a: &[f64], b: &[f64]) -> Result<PairedDiff, StatsError> {
        if a.len() != b.len() {
            return Err(StatsError::LengthMismatch {
                expected: a.len(),
                got: b.len(),
            });
        }
        let diffs: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
        let s = Summary::from_values(&diffs);
        Ok(PairedDiff {
            n: s.n,
            n_non_finite: s.n_non_finite,
            mean_diff: s.mean,
            sd: s.sd,
            ci95_lo: s.ci95_lo,
            ci95_hi: s.ci95_hi,
        })
    }
}

/// Neumaier-compensated sum in the given (canonical) order.
fn compensated_sum(xs: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut comp) = (0.0f64, 0.0f64);
    for x in xs {
        let t = sum + x;
        comp += if sum.abs() >= x.abs() {
            (sum - t) + x
        } else {
            (x - t) + sum
        };
        sum = t;
    }
    sum + comp
}

/// 0.975 quantile of Student's t with `df` ≥ 1 degrees of freedom.
fn t975(df: usize) -> f64 {
    StudentsT::new(0.0, 1.0, df as f64)
        .expect("df >= 1 is valid")
        .inverse_cdf(0.975)
}

/// Quantile of sorted `xs` (NaN if empty) by linear interpolation between order
/// statistics at h = (n − 1)q (Hyndman–Fan type 7, numpy's and R's default),
/// using numpy's two-sided lerp so that results match it.
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "q is in [0, 1], so h is in 0..=n-1"
)]
fn type7(xs: &[f64], q: f64) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    let h = (xs.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let (a, b) = (xs[lo], xs[(lo + 1).min(xs.len() - 1)]);
    let (t, d) = (h - lo as f64, b - a);
    if t >= 0.5 {
        b - d * (1.0 - t)
    } else {
        a + d * t
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;
    use proptest::prelude::*;

    #[test]
    fn summary_of_one_to_four() {
        let s = Summary::from_values(&[3.0, 1.0, 4.0, 2.0]);
        assert_eq!((s.n, s.n_non_finite), (4, 0));
        assert_eq!(s.mean.to_bits(), 2.5f64.to_bits());
        assert_relative_eq!(s.sd, 1.2909944487358056, max_relative = 1e-15);
        // t(0.975, 3) = 3.18244630528371 (mpmath; scipy: 3.1824463052837078).
        let half = 3.1824463052837078 * 1.2909944487358056 / 2.0;
        assert_relative_eq!(s.ci95_lo, 2.5 - half, max_relative = 1e-12);
        assert_relative_eq!(s.ci95_hi, 2.5 + half, max_relative = 1e-12);
        assert_relative_eq!(s.ci95_lo, 0.445_739_743_239_478, max_relative = 1e-12);
        // numpy.percentile([1, 2, 3, 4], [5, 25, 50, 75, 95]).
        let got = [s.p5, s.p25, s.p50, s.p75, s.p95, s.min, s.max];
        let want = [1.15, 1.75, 2.5, 3.25, 3.8499999999999996, 1.0, 4.0];
        assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits));
    }

    #[test]
    fn type7_matches_numpy() {
        let s = Summary::from_values(&[3.5, -1.25, 10.0, 0.0, 2.0, 7.75, 4.0]);
        // numpy: mean, std(ddof=1) and percentile(y, [5, 25, 50, 75, 95]).
        let got = [s.mean, s.sd, s.p5, s.p25, s.p50, s.p75, s.p95];
        let want = [
            3.7142857142857144,
            4.027066165927983,
            -0.875,
            1.0,
            3.5,
            5.875,
            9.325,
        ];
        assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits));
    }

    #[test]
    fn degenerate_inputs() {
        let one = Summary::from_values(&[7.0, f64::NAN, f64::INFINITY]);
        assert_eq!((one.n, one.n_non_finite), (1, 2));
        let ends = [one.sd, one.ci95_lo, one.ci95_hi, one.p5, one.p95];
        assert_eq!(
            ends.map(f64::to_bits),
            [0.0, 7.0, 7.0, 7.0, 7.0].map(f64::to_bits)
        );
        let none = Summary::from_values(&[]);
        assert!(none.n == 0 && none.mean.is_nan() && none.ci95_hi.is_nan() && none.max.is_nan());
    }

    #[test]
    fn wilson_interval_three_of_ten() {
        let mut v = vec![0.0; 7];
        v.extend([1.0, 1.0, 1.0, 0.5, f64::NAN]);
        let p = Proportion::from_values(&v);
        assert_eq!((p.n, p.successes, p.n_invalid), (10, 3, 2));
        assert_relative_eq!(p.p, 0.3);
        // mpmath, 40 digits: 0.10779126740630102..., 0.60322185253885468...
        assert_relative_eq!(p.wilson_lo, 0.10779126740630102, max_relative = 1e-13);
        assert_relative_eq!(p.wilson_hi, 0.6032218525388547, max_relative = 1e-13);
        let zero = Proportion::from_values(&[0.0; 5]);
        assert!(zero.wilson_lo.to_bits() == 0.0f64.to_bits() && zero.wilson_hi > 0.0);
        assert!(Proportion::from_values(&[]).p.is_nan());
    }

    #[test]
    fn paired_difference() {
        let d = PairedDiff::from_pairs(&[2.0, 4.0, 6.0, 8.0], &[1.0, 2.0, 3.0, 4.0]).unwrap();
        let s = Summary::from_values(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(d.n, 4);
        let got = [d.mean_diff, d.sd, d.ci95_lo, d.ci95_hi];
        assert_eq!(
            got.map(f64::to_bits),
            [s.mean, s.sd, s.ci95_lo, s.ci95_hi].map(f64::to_bits)
        );
        let err = PairedDiff::from_pairs(&[1.0], &[]).unwrap_err();
        assert_eq!(
            err,
            StatsError::LengthMismatch {
                expected: 1,
                got: 0
            }
        );
    }

    proptest! {
        #[test]
        fn permutation_gives_identical_bits(
            (pairs, shuffled) in prop::collection::vec(
                (prop_oneof![-1e9..1e9f64, -1.0..1.0f64, Just(-0.0)], -1e3..1e3f64), 0..80)
                .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
        ) {
            let json = |p: &[(f64, f64)]| {
                let (a, b): (Vec<f64>, Vec<f64>) = p.iter().copied().unzip();
                let flags: Vec<f64> = a.iter().map(|&x| f64::from(u8::from(x > 0.0))).collect();
                serde_json::to_string(&(
                    Summary::from_values(&a),
                    Proportion::from_values(&flags),
                    PairedDiff::from_pairs(&a, &b).unwrap(),
                ))
                .unwrap()
            };
            prop_assert_eq!(json(&pairs), json(&shuffled));
        }
    }
}
