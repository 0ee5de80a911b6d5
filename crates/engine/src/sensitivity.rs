//! The inputs of `chokepoint sensitivity`: a scenario's uncertain numbers as parameters with
//! their distributions, or fixed keys given a uniform range.

use chokepoint_experiment::ParamRange;
use chokepoint_experiment::gsa::{GsaError, Marginal};
use chokepoint_scenario::{Dist, Scenario};

/// Why the inputs of a sensitivity analysis could not be worked out.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputsError {
    /// Nothing is uncertain and no range was given.
    #[error(
        "{scenario} has no number given as a distribution, so there is nothing to analyse by default; give inputs with --param PATH=LO:HI (a uniform range)"
    )]
    NothingUncertain {
        /// The scenario's name.
        scenario: String,
    },
    /// `--param PATH` names a key that is not a distribution of the scenario.
    #[error(
        "--param {path}: not a number given as a distribution in {scenario}{hint}; uncertain: {known}; for a fixed key give a range, --param {path}=LO:HI"
    )]
    NotUncertain {
        /// The path given.
        path: String,
        /// The scenario's name.
        scenario: String,
        /// Did-you-mean.
        hint: String,
        /// The scenario's uncertain keys.
        known: String,
    },
    /// `--param PATH=LO:HI` that does not parse.
    #[error("--param {0}")]
    Range(String),
    /// The same key twice.
    #[error("--param {0} is given twice; analyse each input once")]
    Duplicate(String),
    /// A distribution without a quantile function, or with bad parameters.
    #[error(transparent)]
    Dist(#[from] GsaError),
}

/// The inputs of a sensitivity analysis of `scenario`: each of `requested` (`PATH`, an
/// uncertain number of the scenario, analysed over its own distribution; or `PATH=LO:HI`, any
/// key over a uniform range), or every uncertain number when none is requested.
pub fn sensitivity_params(
    scenario: &Scenario,
    requested: &[String],
) -> Result<Vec<ParamRange>, InputsError> {
    let uncertain = scenario.uncertain();
    let dist_of = |key: &str, text: &str| -> Result<ParamRange, InputsError> {
        let marginal =
            toml::from_str::<std::collections::BTreeMap<String, Dist>>(&format!("x = {text}"))
                .ok()
                .and_then(|mut t| t.remove("x"))
                .ok_or_else(|| GsaError::BadDist {
                    key: key.to_owned(),
                    problem: format!("`{text}` is not a distribution"),
                })
                .and_then(|d| marginal(key, &d))?;
        Ok(ParamRange::from_marginal(key, marginal))
    };
    let mut params: Vec<ParamRange> = Vec::new();
    if requested.is_empty() {
        if uncertain.is_empty() {
            return Err(InputsError::NothingUncertain {
                scenario: scenario.name().to_owned(),
            });
        }
        for u in &uncertain {
            params.push(dist_of(&u.key, &u.value)?);
        }
        return Ok(params);
    }
    for req in requested {
        let p = if req.contains('=') {
            req.parse::<ParamRange>().map_err(InputsError::Range)?
        } else if let Some(u) = uncertain.iter().find(|u| u.key == req.trim()) {
            dist_of(&u.key, &u.value)?
        } else {
            let keys: Vec<&str> = uncertain.iter().map(|u| u.key.as_str()).collect();
            return Err(InputsError::NotUncertain {
                path: req.clone(),
                scenario: scenario.name().to_owned(),
                hint: chokepoint_scenario::did_you_mean(req, &keys),
                known: if keys.is_empty() {
                    "none".to_owned()
                } else {
                    keys.join(", ")
                },
            });
        };
        if params.iter().any(|q| q.path == p.path) {
            return Err(InputsError::Duplicate(p.path));
        }
        params.push(p);
    }
    Ok(params)
}

/// The quantile-mapped marginal of a scenario distribution.
fn marginal(key: &str, d: &Dist) -> Result<Marginal, GsaError> {
    Marginal::from_parts(key, &d.dist, |name| match name {
        "median" => d.median,
        "sigma" => d.sigma,
        "mean" => d.mean,
        "sd" => d.sd,
        "lo" => d.lo,
        "hi" => d.hi,
        "mode" => d.mode,
        "alpha" => d.alpha,
        "beta" => d.beta,
        "p" => d.p,
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(name: &str) -> Scenario {
        crate::load_scenario(
            std::path::Path::new(&format!("../../scenarios/{name}.toml")),
            &[],
        )
        .unwrap()
    }

    #[test]
    fn every_uncertain_number_becomes_an_input_with_its_distribution() {
        let s = scenario("china_licensing_2025_04");
        let p = sensitivity_params(&s, &[]).unwrap();
        assert_eq!(p.len(), 5);
        let lead = p
            .iter()
            .find(|p| p.path.ends_with("lead_time_weeks.median"))
            .unwrap();
        assert_eq!(
            lead.dist,
            Some(Marginal::Triangular {
                lo: 4.0,
                mode: 7.0,
                hi: 9.0
            })
        );
        assert!(lead.lo >= 4.0 && lead.hi <= 9.0 && lead.lo < 4.01 && lead.hi > 8.99);
        let one = sensitivity_params(
            &s,
            &[
                "shock.april_regime.approval.default".into(),
                "defaults.price.elasticity=1:3".into(),
            ],
        )
        .unwrap();
        assert!(matches!(one[0].dist, Some(Marginal::Beta { .. })));
        assert_eq!(
            (one[1].lo, one[1].hi, one[1].dist.as_ref()),
            (1.0, 3.0, None)
        );
    }

    #[test]
    fn unknown_and_repeated_inputs_are_explained() {
        let s = scenario("china_licensing_2025_04");
        let e =
            sensitivity_params(&s, &["shock.april_regime.approval.defualt".into()]).unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("did you mean") && text.contains("=LO:HI"),
            "{text}"
        );
        let twice = vec!["shock.april_regime.approval.default".to_owned(); 2];
        assert!(matches!(
            sensitivity_params(&s, &twice),
            Err(InputsError::Duplicate(_))
        ));
        let none = scenario("baseline_2024");
        let e = sensitivity_params(&none, &[]).unwrap_err();
        assert!(e.to_string().contains("--param PATH=LO:HI"), "{e}");
    }
}
