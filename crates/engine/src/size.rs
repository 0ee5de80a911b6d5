//! How `chokepoint size` makes the scenario of a size: [`Resize`] for TOML scenarios.
//!
//! Every `[[stockpile.holding]]` of a sized item gets `target_weeks` = the size, and its other
//! amounts scale by size / the template's `target_weeks` (its factor): `initial_weeks` and
//! `initial_t` (opening stock; `opening_share` is a share of the target and follows it by
//! itself) and `acquisition_t_per_week` (the refill takes as long as in the template). The
//! stockpile's `budget_usd` scales by the value-weighted factor of its holdings (each target at
//! base prices), so the template's ratio of budget to holdings holds at every size.
//! `release_cap_t_per_week` is a share of the region's use, not of the holding, and is kept.

use chokepoint_experiment::BoxError;
use chokepoint_experiment::size::Resize;
use chokepoint_scenario::{Num, Override, Scenario};

use crate::Files;

/// Why a template cannot be sized.
#[derive(Debug, thiserror::Error)]
pub enum ResizeError {
    /// A sized holding gives its target in tonnes, or not at all.
    #[error(
        "stockpile `{stockpile}` holds `{item}` without a fixed `target_weeks` (it gives {given}); sizing sets weeks of use: give the holding `target_weeks = <number>` in the strategies file"
    )]
    NotInWeeks {
        /// The stockpile.
        stockpile: String,
        /// The item.
        item: String,
        /// What it gives instead.
        given: &'static str,
    },
    /// A sized holding's template holds zero weeks, so nothing scales from it.
    #[error(
        "stockpile `{stockpile}` holds `{item}` with `target_weeks = 0`, so its opening stock and acquisition cannot be scaled; give the template a positive target"
    )]
    ZeroTemplate {
        /// The stockpile.
        stockpile: String,
        /// The item.
        item: String,
    },
    /// An amount to scale is a distribution.
    #[error(
        "stockpile `{stockpile}`: `{key}` is a distribution and cannot be scaled by size; give a fixed number in the strategies file"
    )]
    Uncertain {
        /// The stockpile.
        stockpile: String,
        /// The key path.
        key: String,
    },
}

/// What a holding says of one number.
enum Given {
    /// Not written.
    Absent,
    /// A fixed value.
    Fixed(f64),
    /// A distribution: a size cannot scale it.
    Uncertain,
}

fn fixed(n: Option<&Num>) -> Given {
    match n {
        None => Given::Absent,
        Some(Num::Fixed(v)) => Given::Fixed(*v),
        Some(Num::Dist(_)) => Given::Uncertain,
    }
}

impl Resize<Scenario> for Files {
    fn resize(&self, scenario: &Scenario, weeks: &[(String, f64)]) -> Result<Scenario, BoxError> {
        let file = scenario.file();
        let central = scenario.central();
        let mut set: Vec<Override> = Vec::new();
        let mut put = |path: String, v: f64| {
            set.push(Override {
                path,
                value: format!("{v:?}"),
            });
        };
        for (k, sp) in file.stockpile.iter().enumerate() {
            let mut value = 0.0;
            let mut scaled_value = 0.0;
            for (j, h) in sp.holding.iter().enumerate() {
                let at = format!("stockpile.{k}.holding.{j}");
                // The holding's target at base prices, from the compiled scenario (same order).
                let usd = central
                    .stockpiles
                    .get(k)
                    .and_then(|s| s.lines.get(j))
                    .map_or(0.0, |l| {
                        l.target_t * central.items[l.item.idx()].base_price_usd_per_kg
                    });
                value += usd;
                let Some((_, w)) = weeks.iter().find(|(i, _)| *i == h.item) else {
                    scaled_value += usd;
                    continue;
                };
                let template = match (fixed(h.target_weeks.as_ref()), &h.target_t) {
                    (Given::Fixed(t), _) => t,
                    (Given::Uncertain, _) => {
                        return Err(Box::new(ResizeError::Uncertain {
                            stockpile: sp.name.clone(),
                            key: format!("{at}.target_weeks"),
                        }));
                    }
                    (Given::Absent, given) => {
                        return Err(Box::new(ResizeError::NotInWeeks {
                            stockpile: sp.name.clone(),
                            item: h.item.clone(),
                            given: if given.is_some() {
                                "`target_t`"
                            } else {
                                "no target"
                            },
                        }));
                    }
                };
                if template <= 0.0 {
                    return Err(Box::new(ResizeError::ZeroTemplate {
                        stockpile: sp.name.clone(),
                        item: h.item.clone(),
                    }));
                }
                let factor = w / template;
                scaled_value += usd * factor;
                put(format!("{at}.target_weeks"), *w);
                for (key, n) in [
                    ("initial_weeks", &h.initial_weeks),
                    ("initial_t", &h.initial_t),
                    ("acquisition_t_per_week", &h.acquisition_t_per_week),
                ] {
                    match fixed(n.as_ref()) {
                        Given::Fixed(v) => put(format!("{at}.{key}"), v * factor),
                        Given::Absent => {}
                        Given::Uncertain => {
                            return Err(Box::new(ResizeError::Uncertain {
                                stockpile: sp.name.clone(),
                                key: format!("{at}.{key}"),
                            }));
                        }
                    }
                }
            }
            match fixed(sp.budget_usd.as_ref()) {
                Given::Fixed(b) if value > 0.0 => {
                    put(
                        format!("stockpile.{k}.budget_usd"),
                        b * scaled_value / value,
                    );
                }
                Given::Fixed(_) | Given::Absent => {}
                Given::Uncertain => {
                    return Err(Box::new(ResizeError::Uncertain {
                        stockpile: sp.name.clone(),
                        key: format!("stockpile.{k}.budget_usd"),
                    }));
                }
            }
        }
        Ok(scenario.with_overrides(&set)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chokepoint_experiment::Load;

    fn scenarios() -> std::path::PathBuf {
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
    }

    fn template(name: &str) -> Scenario {
        let base = Files
            .scenario(&scenarios().join("baseline_2024.toml"), &[])
            .unwrap();
        let set = Files
            .strategies(&scenarios().join("stockpile_strategies.toml"))
            .unwrap();
        let (_, s) = set.iter().find(|(n, _)| n == name).unwrap();
        base.with_strategy(s).unwrap()
    }

    fn ndfeb_targets(s: &Scenario) -> Vec<(f64, f64, f64)> {
        let p = s.central();
        p.stockpiles
            .iter()
            .flat_map(|sp| {
                sp.lines
                    .iter()
                    .filter(|l| p.items[l.item.idx()].name == "ndfeb")
                    .map(|l| (l.target_t, l.acquisition_t_per_step, sp.budget_usd))
            })
            .collect()
    }

    #[test]
    fn doubling_the_weeks_doubles_target_and_acquisition_and_raises_the_budget() {
        let tpl = template("days60_shortage");
        let before = ndfeb_targets(&tpl);
        let twice = Files.resize(&tpl, &[("ndfeb".to_owned(), 17.2)]).unwrap();
        let after = ndfeb_targets(&twice);
        assert_eq!(before.len(), after.len());
        assert!(!before.is_empty());
        for (b, a) in before.iter().zip(&after) {
            approx::assert_relative_eq!(a.0, 2.0 * b.0, max_relative = 1e-9);
            approx::assert_relative_eq!(a.1, 2.0 * b.1, max_relative = 1e-9);
            assert!(a.2 > b.2 && a.2 < 2.0 * b.2 + 1.0, "{a:?} {b:?}");
        }
        let zero = Files.resize(&tpl, &[("ndfeb".to_owned(), 0.0)]).unwrap();
        assert!(
            ndfeb_targets(&zero)
                .iter()
                .all(|t| t.0 == 0.0 && t.1 == 0.0)
        );
    }
}
