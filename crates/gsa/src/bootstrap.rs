//! Percentile bootstrap intervals.

/// An estimate with its bootstrap interval ([`crate::CONFIDENCE`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// The estimate from all the data.
    pub value: f64,
    /// Lower end of the percentile interval.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

/// `value` with the percentile interval of its bootstrap replicates `boot` (sorted here);
/// replicates that are not finite (a resample with no variance) are left out, and with none
/// left the interval is undefined (NaN).
pub(crate) fn interval(value: f64, boot: &mut Vec<f64>) -> Estimate {
    boot.retain(|x| x.is_finite());
    boot.sort_by(f64::total_cmp);
    let tail = (1.0 - crate::CONFIDENCE) / 2.0;
    Estimate {
        value,
        lo: percentile(boot, tail),
        hi: percentile(boot, 1.0 - tail),
    }
}

/// The `p` quantile of sorted values, linearly interpolated (Hyndman & Fan type 7, numpy's
/// default); NaN for no values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        len => {
            let h = p * (len - 1) as f64;
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "h lies in [0, len - 1]"
            )]
            let k = h.floor() as usize;
            let next = sorted[(k + 1).min(len - 1)];
            sorted[k] + (h - k as f64) * (next - sorted[k])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_like_numpy() {
        let v: Vec<f64> = (0..=100).map(f64::from).collect();
        assert!((percentile(&v, 0.025) - 2.5).abs() < 1e-12);
        assert!((percentile(&v, 0.975) - 97.5).abs() < 1e-12);
        assert!(percentile(&[], 0.5).is_nan());
        let e = interval(1.0, &mut vec![f64::NAN, 3.0, 1.0, 2.0]);
        assert!(
            (e.lo - 1.05).abs() < 1e-12 && (e.hi - 2.95).abs() < 1e-12,
            "{e:?}"
        );
    }
}
