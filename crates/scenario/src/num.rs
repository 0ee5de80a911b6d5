//! Numbers that may be uncertain: a fixed value or a distribution sampled once per replication.

pub use crate::domain::Domain;
use rand::Rng;
use rand_distr::{Beta, Distribution, LogNormal, Normal, Triangular};
use serde::{Deserialize, Serialize};

/// A scenario number: `45` or `{ dist = "lognormal", median = 45, sigma = 0.4 }`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Num {
    /// A fixed value.
    Fixed(f64),
    /// A distribution, sampled once per replication.
    Dist(Dist),
}

impl From<f64> for Num {
    fn from(v: f64) -> Self {
        Num::Fixed(v)
    }
}

/// A distribution over a parameter. Which fields are required depends on `dist`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dist {
    /// `lognormal`, `uniform`, `triangular`, `normal`, `beta` or `bernoulli`.
    pub dist: String,
    /// lognormal: the median.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median: Option<f64>,
    /// lognormal: sd of the log.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigma: Option<f64>,
    /// normal: the mean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// normal: the standard deviation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
    /// uniform, triangular: lower bound; normal: truncation below.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lo: Option<f64>,
    /// uniform, triangular: upper bound; normal: truncation above.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hi: Option<f64>,
    /// triangular: the mode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<f64>,
    /// beta: first shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha: Option<f64>,
    /// beta: second shape.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beta: Option<f64>,
    /// bernoulli: probability of 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p: Option<f64>,
}

impl Num {
    /// Checks the value or distribution against `domain`; `Err` carries what is wrong and a fix.
    pub fn check(&self, domain: Domain) -> Result<(), (String, String)> {
        match self {
            Num::Fixed(v) if domain.contains(*v) => Ok(()),
            Num::Fixed(v) => Err((
                format!("{v} is not allowed; expected {}", domain.describe()),
                format!("use {}", domain.describe()),
            )),
            Num::Dist(d) => d.check(domain),
        }
    }

    /// Checks that a distribution holds only keys its `dist` takes (per [`crate::keys`]);
    /// `Err` carries the offending key, what is wrong and a fix.
    pub fn check_keys(&self) -> Result<(), (String, String, String)> {
        let Num::Dist(d) = self else { return Ok(()) };
        if !crate::keys::dist_names().contains(&d.dist.as_str()) {
            return Ok(()); // reported by `check`
        }
        let given = [
            ("median", d.median),
            ("sigma", d.sigma),
            ("mean", d.mean),
            ("sd", d.sd),
            ("lo", d.lo),
            ("hi", d.hi),
            ("mode", d.mode),
            ("alpha", d.alpha),
            ("beta", d.beta),
            ("p", d.p),
        ];
        let table = crate::keys::Table::Dist;
        for (name, value) in given {
            if value.is_some()
                && let Some(key) = table.key(name)
                && !crate::keys::applies(key, &d.dist)
            {
                let takes = crate::keys::applicable(table, &d.dist);
                return Err((
                    name.to_owned(),
                    format!("`{name}` does not apply to a {} distribution", d.dist),
                    format!(
                        "remove it; a {} distribution takes {}",
                        d.dist,
                        takes.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A central value (median or midpoint): what `check` and `diff` show for a distribution.
    #[must_use]
    pub fn central(&self) -> f64 {
        match self {
            Num::Fixed(v) => *v,
            Num::Dist(d) => d.central(),
        }
    }

    /// Draws a value. Distributions must have passed [`Num::check`]; the result is clamped to
    /// the domain so that a rounding edge cannot produce an invalid parameter.
    pub fn sample<R: Rng + ?Sized>(&self, domain: Domain, rng: &mut R) -> f64 {
        match self {
            Num::Fixed(v) => *v,
            Num::Dist(d) => domain.clamp(d.sample(rng)),
        }
    }
}

fn need(v: Option<f64>, name: &str, dist: &str) -> Result<f64, (String, String)> {
    match v {
        Some(x) if x.is_finite() => Ok(x),
        _ => Err((
            format!("a {dist} distribution needs `{name}`"),
            format!("add `{name} = <number>` to the distribution"),
        )),
    }
}

impl Dist {
    fn check(&self, domain: Domain) -> Result<(), (String, String)> {
        let (dlo, dhi) = domain.bounds();
        let inside = |lo: f64, hi: f64| -> Result<(), (String, String)> {
            if lo < dlo || hi > dhi || (domain.excludes_zero() && lo <= 0.0) {
                Err((
                    format!(
                        "the {} distribution ranges over [{lo}, {hi}], outside {}",
                        self.dist,
                        domain.describe()
                    ),
                    "narrow the distribution (set `lo`/`hi`) to the allowed range".to_owned(),
                ))
            } else {
                Ok(())
            }
        };
        match self.dist.as_str() {
            "lognormal" => {
                let m = need(self.median, "median", "lognormal")?;
                let s = need(self.sigma, "sigma", "lognormal")?;
                if m <= 0.0 || s < 0.0 {
                    return Err((
                        "a lognormal needs median > 0 and sigma >= 0".into(),
                        "fix `median` or `sigma`".into(),
                    ));
                }
                if dhi < f64::MAX {
                    return Err((
                        format!(
                            "a lognormal is unbounded above; expected {}",
                            domain.describe()
                        ),
                        "use a beta or a uniform distribution for shares".into(),
                    ));
                }
                inside(f64::MIN_POSITIVE, f64::MAX)
            }
            "uniform" | "triangular" => {
                let lo = need(self.lo, "lo", &self.dist)?;
                let hi = need(self.hi, "hi", &self.dist)?;
                if lo > hi {
                    return Err((
                        format!("lo = {lo} is above hi = {hi}"),
                        "swap `lo` and `hi`".into(),
                    ));
                }
                if self.dist == "triangular" {
                    let mode = need(self.mode, "mode", "triangular")?;
                    if !(lo..=hi).contains(&mode) {
                        return Err((
                            format!("mode = {mode} is outside [{lo}, {hi}]"),
                            "put `mode` between `lo` and `hi`".into(),
                        ));
                    }
                }
                inside(lo, hi)
            }
            "normal" => {
                need(self.mean, "mean", "normal")?;
                let sd = need(self.sd, "sd", "normal")?;
                if sd < 0.0 {
                    return Err(("sd must be >= 0".into(), "use a positive `sd`".into()));
                }
                let lo = self.lo.unwrap_or(f64::MIN);
                let hi = self.hi.unwrap_or(f64::MAX);
                if lo > hi {
                    return Err((
                        format!("lo = {lo} is above hi = {hi}"),
                        "swap `lo` and `hi`".into(),
                    ));
                }
                inside(lo, hi).map_err(|(m, _)| {
                    (
                        m,
                        "truncate the normal with `lo` and `hi` inside the allowed range".into(),
                    )
                })
            }
            "beta" => {
                let a = need(self.alpha, "alpha", "beta")?;
                let b = need(self.beta, "beta", "beta")?;
                if a <= 0.0 || b <= 0.0 {
                    return Err((
                        "beta shapes must be > 0".into(),
                        "use alpha > 0 and beta > 0".into(),
                    ));
                }
                inside(0.0, 1.0)
            }
            "bernoulli" => {
                let p = need(self.p, "p", "bernoulli")?;
                if !(0.0..=1.0).contains(&p) {
                    return Err((
                        format!("p = {p} is not a probability"),
                        "use p in [0, 1]".into(),
                    ));
                }
                inside(0.0, 1.0)
            }
            other => Err((
                format!(
                    "unknown distribution `{other}`{}",
                    crate::diagnostics::did_you_mean(other, &crate::keys::dist_names())
                ),
                format!("use one of {}", crate::keys::dist_names().join(", ")),
            )),
        }
    }

    fn central(&self) -> f64 {
        let g = |v: Option<f64>| v.unwrap_or(0.0);
        match self.dist.as_str() {
            "lognormal" => g(self.median),
            "uniform" => 0.5 * (g(self.lo) + g(self.hi)),
            "triangular" => g(self.mode),
            "normal" => {
                g(self.mean).clamp(self.lo.unwrap_or(f64::MIN), self.hi.unwrap_or(f64::MAX))
            }
            "beta" => g(self.alpha) / (g(self.alpha) + g(self.beta)),
            "bernoulli" => g(self.p),
            _ => 0.0,
        }
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let g = |v: Option<f64>| v.unwrap_or(0.0);
        match self.dist.as_str() {
            "lognormal" => LogNormal::new(g(self.median).ln(), g(self.sigma))
                .map_or(g(self.median), |d| d.sample(rng)),
            "uniform" => {
                let (lo, hi) = (g(self.lo), g(self.hi));
                lo + (hi - lo) * rng.random::<f64>()
            }
            "triangular" => Triangular::new(g(self.lo), g(self.hi), g(self.mode))
                .map_or(g(self.mode), |d| d.sample(rng)),
            "normal" => {
                // Truncation by rejection; the clamp after a bounded number of tries keeps it total.
                let (lo, hi) = (self.lo.unwrap_or(f64::MIN), self.hi.unwrap_or(f64::MAX));
                let Ok(d) = Normal::new(g(self.mean), g(self.sd)) else {
                    return g(self.mean);
                };
                for _ in 0..1000 {
                    let x = d.sample(rng);
                    if (lo..=hi).contains(&x) {
                        return x;
                    }
                }
                g(self.mean).clamp(lo, hi)
            }
            "beta" => Beta::new(g(self.alpha), g(self.beta)).map_or(0.5, |d| d.sample(rng)),
            "bernoulli" => f64::from(u8::from(rng.random::<f64>() < g(self.p))),
            _ => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn d(src: &str) -> Num {
        toml::from_str::<std::collections::BTreeMap<String, Num>>(&format!("x = {src}")).unwrap()["x"].clone()
    }

    #[test]
    fn parses_fixed_and_distributions() {
        assert_eq!(d("45"), Num::Fixed(45.0));
        assert!((d("45.5").central() - 45.5).abs() < 1e-12);
        let ln = d(r#"{ dist = "lognormal", median = 45, sigma = 0.4 }"#);
        assert!((ln.central() - 45.0).abs() < 1e-12);
        assert!(ln.check(Domain::Positive).is_ok());
    }

    #[test]
    fn rejects_supports_outside_the_domain() {
        assert!(
            d(r#"{ dist = "uniform", lo = 0.2, hi = 1.2 }"#)
                .check(Domain::Share)
                .is_err()
        );
        assert!(
            d(r#"{ dist = "normal", mean = 0.5, sd = 0.1 }"#)
                .check(Domain::Share)
                .is_err()
        );
        assert!(
            d(r#"{ dist = "normal", mean = 0.5, sd = 0.1, lo = 0, hi = 1 }"#)
                .check(Domain::Share)
                .is_ok()
        );
        assert!(
            d(r#"{ dist = "lognormal", median = 0.5, sigma = 0.1 }"#)
                .check(Domain::Share)
                .is_err()
        );
        let (msg, fix) = d(r#"{ dist = "lognormall", median = 1, sigma = 1 }"#)
            .check(Domain::Positive)
            .unwrap_err();
        assert!(msg.contains("did you mean `lognormal`"), "{msg}");
        assert!(fix.contains("use one of"), "{fix}");
    }

    #[test]
    fn samples_stay_in_support() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let tri = d(r#"{ dist = "triangular", lo = 2, mode = 3, hi = 10 }"#);
        let beta = d(r#"{ dist = "beta", alpha = 2, beta = 5 }"#);
        let tn = d(r#"{ dist = "normal", mean = 0.9, sd = 0.3, lo = 0, hi = 1 }"#);
        for _ in 0..2000 {
            assert!((2.0..=10.0).contains(&tri.sample(Domain::Positive, &mut rng)));
            assert!((0.0..=1.0).contains(&beta.sample(Domain::Share, &mut rng)));
            assert!((0.0..=1.0).contains(&tn.sample(Domain::Share, &mut rng)));
        }
    }
}
