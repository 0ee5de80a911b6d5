//! Quantile functions of the scenario's distributions: a design point's coordinate u in (0, 1)
//! becomes the input value F⁻¹(u), so that indices are taken over the scenario's own
//! uncertainty (a uniform u gives the input its distribution).

use statrs::distribution::{Beta, ContinuousCDF, Normal};

use crate::GsaError;

/// The distribution of one input, as a scenario writes it (`dist = "..."` and its keys), or the
/// uniform range of a fixed key given one on the command line.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "dist", rename_all = "lowercase")]
pub enum Marginal {
    /// Uniform on [lo, hi].
    Uniform {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
    },
    /// Triangular on [lo, hi] with its mode.
    Triangular {
        /// Lower end.
        lo: f64,
        /// Most likely value.
        mode: f64,
        /// Upper end.
        hi: f64,
    },
    /// Lognormal: exp of a normal with mean ln(median) and sd sigma.
    Lognormal {
        /// Median.
        median: f64,
        /// Standard deviation of the log.
        sigma: f64,
    },
    /// Normal, truncated to [lo, hi] where given.
    Normal {
        /// Mean before truncation.
        mean: f64,
        /// Standard deviation before truncation.
        sd: f64,
        /// Truncation below.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        lo: Option<f64>,
        /// Truncation above.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hi: Option<f64>,
    },
    /// Beta on [0, 1].
    Beta {
        /// First shape.
        alpha: f64,
        /// Second shape.
        beta: f64,
    },
    /// 1 with probability p, else 0.
    Bernoulli {
        /// Probability of 1.
        p: f64,
    },
}

/// The `dist` kinds with a quantile function, as a scenario names them.
pub const KINDS: [&str; 6] = [
    "uniform",
    "triangular",
    "lognormal",
    "normal",
    "beta",
    "bernoulli",
];

impl Marginal {
    /// The marginal of `key` from its `dist` kind and a lookup of its keys (`lo`, `median`,
    /// ...), checked: every parameter finite and defining a distribution.
    pub fn from_parts(
        key: &str,
        dist: &str,
        get: impl Fn(&str) -> Option<f64>,
    ) -> Result<Self, GsaError> {
        let need = |name: &str| {
            get(name)
                .filter(|v| v.is_finite())
                .ok_or_else(|| GsaError::BadDist {
                    key: key.to_owned(),
                    problem: format!("a {dist} distribution needs a finite `{name}`"),
                })
        };
        let m = match dist {
            "uniform" => Marginal::Uniform {
                lo: need("lo")?,
                hi: need("hi")?,
            },
            "triangular" => Marginal::Triangular {
                lo: need("lo")?,
                mode: need("mode")?,
                hi: need("hi")?,
            },
            "lognormal" => Marginal::Lognormal {
                median: need("median")?,
                sigma: need("sigma")?,
            },
            "normal" => Marginal::Normal {
                mean: need("mean")?,
                sd: need("sd")?,
                lo: get("lo"),
                hi: get("hi"),
            },
            "beta" => Marginal::Beta {
                alpha: need("alpha")?,
                beta: need("beta")?,
            },
            "bernoulli" => Marginal::Bernoulli { p: need("p")? },
            other => {
                return Err(GsaError::UnknownDist {
                    key: key.to_owned(),
                    dist: other.to_owned(),
                    known: KINDS.join(", "),
                });
            }
        };
        m.check().map_err(|problem| GsaError::BadDist {
            key: key.to_owned(),
            problem,
        })?;
        Ok(m)
    }

    /// `Err` says why the parameters define no distribution.
    fn check(&self) -> Result<(), String> {
        let ordered = |lo: f64, hi: f64| {
            if lo <= hi {
                Ok(())
            } else {
                Err(format!("lo = {lo} is above hi = {hi}"))
            }
        };
        match *self {
            Marginal::Uniform { lo, hi } => ordered(lo, hi),
            Marginal::Triangular { lo, mode, hi } => {
                ordered(lo, hi)?;
                if (lo..=hi).contains(&mode) {
                    Ok(())
                } else {
                    Err(format!("mode = {mode} is outside [{lo}, {hi}]"))
                }
            }
            Marginal::Lognormal { median, sigma } if median > 0.0 && sigma >= 0.0 => Ok(()),
            Marginal::Lognormal { .. } => Err("a lognormal needs median > 0 and sigma >= 0".into()),
            Marginal::Normal { sd, lo, hi, .. } => {
                if sd < 0.0 {
                    return Err("a normal needs sd >= 0".into());
                }
                ordered(lo.unwrap_or(f64::MIN), hi.unwrap_or(f64::MAX))
            }
            Marginal::Beta { alpha, beta } if alpha > 0.0 && beta > 0.0 => Ok(()),
            Marginal::Beta { .. } => Err("a beta needs alpha > 0 and beta > 0".into()),
            Marginal::Bernoulli { p } if (0.0..=1.0).contains(&p) => Ok(()),
            Marginal::Bernoulli { p } => Err(format!("p = {p} is not a probability")),
        }
    }

    /// The value at probability `u` (clamped to [0, 1]): the smallest x with F(x) ≥ u.
    /// Finite for every u in (0, 1); the ends of an unbounded distribution are infinite.
    #[must_use]
    pub fn quantile(&self, u: f64) -> f64 {
        let u = if u.is_nan() { 0.5 } else { u.clamp(0.0, 1.0) };
        match *self {
            // Weighted ends: exact at both ends.
            Marginal::Uniform { lo, hi } => (lo * (1.0 - u) + hi * u).clamp(lo, hi),
            Marginal::Triangular { lo, mode, hi } => {
                let width = hi - lo;
                if width <= 0.0 {
                    return lo;
                }
                let x = if u * width < mode - lo {
                    lo + (u * width * (mode - lo)).sqrt()
                } else {
                    hi - ((1.0 - u) * width * (hi - mode)).sqrt()
                };
                x.clamp(lo, hi)
            }
            Marginal::Lognormal { median, sigma } => {
                median * (sigma * std_normal_quantile(u)).exp()
            }
            Marginal::Normal { mean, sd, lo, hi } => {
                let (lo, hi) = (lo.unwrap_or(f64::NEG_INFINITY), hi.unwrap_or(f64::INFINITY));
                if sd == 0.0 {
                    return mean.clamp(lo, hi);
                }
                let Ok(n) = Normal::new(mean, sd) else {
                    return mean.clamp(lo, hi);
                };
                let (a, b) = (n.cdf(lo), n.cdf(hi));
                n.inverse_cdf(a + u * (b - a)).clamp(lo, hi)
            }
            Marginal::Beta { alpha, beta } => Beta::new(alpha, beta)
                .map_or(alpha / (alpha + beta), |d| d.inverse_cdf(u))
                .clamp(0.0, 1.0),
            Marginal::Bernoulli { p } => {
                if u <= 1.0 - p {
                    0.0
                } else {
                    1.0
                }
            }
        }
    }
}

/// Φ⁻¹(u) of the standard normal.
fn std_normal_quantile(u: f64) -> f64 {
    // Mean 0 and sd 1 are valid parameters: `new` cannot fail.
    Normal::new(0.0, 1.0).map_or(0.0, |n| n.inverse_cdf(u))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol, "{a} vs {b}");
    }

    #[test]
    fn quantiles_match_known_values() {
        close(
            Marginal::Uniform { lo: 2.0, hi: 4.0 }.quantile(0.25),
            2.5,
            1e-15,
        );
        // Triangular(0, 1, 2) is symmetric: median 1; F(0.5) = 0.125.
        let tri = Marginal::Triangular {
            lo: 0.0,
            mode: 1.0,
            hi: 2.0,
        };
        close(tri.quantile(0.5), 1.0, 1e-12);
        close(tri.quantile(0.125), 0.5, 1e-12);
        close(tri.quantile(0.875), 1.5, 1e-12);
        let ln = Marginal::Lognormal {
            median: 52.0,
            sigma: 0.35,
        };
        close(ln.quantile(0.5), 52.0, 1e-9);
        // Φ⁻¹(0.975) = 1.959963985.
        close(
            ln.quantile(0.975),
            52.0 * (0.35_f64 * 1.959963985).exp(),
            1e-6,
        );
        // Beta(1, 1) is uniform; Beta(2, 1) has F(x) = x², so F⁻¹(u) = √u.
        close(
            Marginal::Beta {
                alpha: 1.0,
                beta: 1.0,
            }
            .quantile(0.3),
            0.3,
            1e-9,
        );
        close(
            Marginal::Beta {
                alpha: 2.0,
                beta: 1.0,
            }
            .quantile(0.49),
            0.7,
            1e-9,
        );
        let tn = Marginal::Normal {
            mean: 0.0,
            sd: 1.0,
            lo: Some(0.0),
            hi: None,
        };
        // Half-normal: median Φ⁻¹(0.75) = 0.6744897502.
        close(tn.quantile(0.5), 0.6744897502, 1e-8);
        let b = Marginal::Bernoulli { p: 0.3 };
        assert!(b.quantile(0.69) < 0.5 && b.quantile(0.71) > 0.5);
    }

    #[test]
    fn quantiles_stay_in_the_support_at_the_ends() {
        let all = [
            Marginal::Uniform { lo: 0.3, hi: 0.9 },
            Marginal::Triangular {
                lo: 4.0,
                mode: 7.0,
                hi: 9.0,
            },
            Marginal::Normal {
                mean: 0.9,
                sd: 0.3,
                lo: Some(0.0),
                hi: Some(1.0),
            },
            Marginal::Beta {
                alpha: 1.0,
                beta: 19.0,
            },
            Marginal::Triangular {
                lo: 1.0,
                mode: 1.0,
                hi: 1.0,
            },
        ];
        for m in &all {
            for u in [0.0, 1e-9, 0.5, 1.0 - 1e-9, 1.0, f64::NAN] {
                let x = m.quantile(u);
                assert!(x.is_finite(), "{m:?} at {u}: {x}");
            }
        }
        let ln = Marginal::Lognormal {
            median: 6.0,
            sigma: 0.4,
        };
        assert!(ln.quantile(2f64.powi(-25)) > 0.0 && ln.quantile(1.0 - 2f64.powi(-25)).is_finite());
    }

    #[test]
    fn bad_and_unknown_distributions_are_explained() {
        let get = |v: f64| move |k: &str| (k == "lo" || k == "hi" || k == "p").then_some(v);
        let e = Marginal::from_parts("a.b", "weibull", get(1.0)).unwrap_err();
        assert!(
            e.to_string().contains("`a.b`") && e.to_string().contains("lognormal"),
            "{e}"
        );
        let e = Marginal::from_parts("a.b", "bernoulli", get(1.5)).unwrap_err();
        assert!(e.to_string().contains("not a probability"), "{e}");
        let e = Marginal::from_parts("a.b", "beta", get(1.0)).unwrap_err();
        assert!(e.to_string().contains("`alpha`"), "{e}");
        assert_eq!(
            Marginal::from_parts("k", "uniform", get(2.0)).unwrap(),
            Marginal::Uniform { lo: 2.0, hi: 2.0 }
        );
    }
}
