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
use chokepoint_scenario::{Num, Override, Scenario, Strategy};
use toml::Value;

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

/// The importer sections of a strategy, whose keys `size --scale` may set.
const LEVER_SECTIONS: [&str; 4] = ["stockpile", "floor", "grant", "recycling"];

/// Why `size --scale PATH` cannot scale a key, or not to a value.
#[derive(Debug, thiserror::Error)]
pub enum ScaleError {
    /// The path does not start in a lever section.
    #[error(
        "not a key of the strategy's levers; write SECTION.NAME.KEY with SECTION one of {}, NAME the lever's `name` (or its index), e.g. `floor.lynas_ndpr.budget_usd` or `grant.0.amount_usd`",
        LEVER_SECTIONS.join(", ")
    )]
    NotALever,
    /// A part of the path names nothing in the template.
    #[error("the template strategy has no `{at}`{known}; {fix}")]
    Missing {
        /// The path up to the missing part.
        at: String,
        /// What there is instead.
        known: String,
        /// How to fix it.
        fix: String,
    },
    /// The key is not a number.
    #[error(
        "the template's `{path}` is {found}, not a number; scale a numeric key (e.g. `budget_usd`, `amount_usd`, `floor_usd_per_kg`)"
    )]
    NotNumber {
        /// The path.
        path: String,
        /// What it is.
        found: &'static str,
    },
    /// The key is a distribution.
    #[error(
        "the template's `{path}` is a distribution, which a size cannot set; give it a fixed number in the strategies file"
    )]
    Distribution {
        /// The path.
        path: String,
    },
    /// At this value the levers' budgets exceed the strategy's `budget_usd`.
    #[error(
        "the strategy's budget_usd = {budget} is less than its levers' budgets at this value, {stated} in all ({parts}); give a smaller --max, or raise the strategy's `budget_usd` in the strategies file"
    )]
    OverBudget {
        /// The strategy's ceiling.
        budget: f64,
        /// The levers' sum.
        stated: f64,
        /// Each lever's part.
        parts: String,
    },
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "text",
        Value::Integer(_) | Value::Float(_) => "a number",
        Value::Boolean(_) => "true or false",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "a list",
        Value::Table(_) => "a table",
    }
}

/// The name an array entry is addressed by (`name`, else `item`, as `--set` paths).
fn entry_name(v: &Value) -> Option<&str> {
    let t = v.as_table()?;
    t.get("name")
        .or_else(|| t.get("item"))
        .and_then(Value::as_str)
}

/// The value at `path` in the scenario's resolved table, array entries by index or name, the
/// first part one of [`LEVER_SECTIONS`].
fn lever_value<'t>(table: &'t toml::Table, path: &str) -> Result<&'t Value, ScaleError> {
    let parts: Vec<&str> = path.split('.').collect();
    if parts.len() < 3 || !LEVER_SECTIONS.contains(&parts[0]) {
        return Err(ScaleError::NotALever);
    }
    let missing = |at: String, known: Vec<String>, fix: &str| ScaleError::Missing {
        at,
        known: if known.is_empty() {
            String::new()
        } else {
            format!(" (it has: {})", known.join(", "))
        },
        fix: fix.to_owned(),
    };
    let mut node = table.get(parts[0]).ok_or_else(|| {
        missing(
            parts[0].to_owned(),
            Vec::new(),
            &format!(
                "the strategy states no `[[strategy.{}]]`: pick a strategy that does",
                parts[0]
            ),
        )
    })?;
    for (k, part) in parts.iter().enumerate().skip(1) {
        let at = parts[..=k].join(".");
        node = match node {
            Value::Array(a) => {
                let found = match part.parse::<usize>() {
                    Ok(i) => a.get(i),
                    Err(_) => a.iter().find(|e| entry_name(e) == Some(*part)),
                };
                found.ok_or_else(|| {
                    let names = a
                        .iter()
                        .enumerate()
                        .map(|(i, e)| entry_name(e).map_or(i.to_string(), str::to_owned))
                        .collect();
                    missing(at.clone(), names, "use the `name` of an entry or its index")
                })?
            }
            Value::Table(t) => t.get(*part).ok_or_else(|| {
                missing(
                    at.clone(),
                    t.keys().cloned().collect(),
                    "write the key in the template strategy first (size sets a value the template states)",
                )
            })?,
            other => {
                return Err(ScaleError::NotNumber {
                    path: parts[..k].join("."),
                    found: kind(other),
                });
            }
        };
    }
    Ok(node)
}

/// The levers' own budgets in a resolved table, as the strategies file's check counts them:
/// each stockpile's, floor's and recycling mandate's `budget_usd`, each grant's `amount_usd`
/// (times `grant_element_share` for a loan). Returns the sum and its parts.
fn levers_budget(table: &toml::Table) -> (f64, Vec<String>) {
    let num = |t: &toml::Table, k: &str| match t.get(k) {
        Some(Value::Integer(i)) => Some(*i as f64),
        Some(Value::Float(f)) => Some(*f),
        _ => None,
    };
    let mut sum = 0.0;
    let mut parts = Vec::new();
    for section in LEVER_SECTIONS {
        let Some(Value::Array(a)) = table.get(section) else {
            continue;
        };
        for e in a.iter().filter_map(Value::as_table) {
            let cost = if section == "grant" {
                let share = if e.get("kind").and_then(Value::as_str) == Some("loan") {
                    num(e, "grant_element_share")
                } else {
                    Some(1.0)
                };
                num(e, "amount_usd").zip(share).map(|(a, s)| a * s)
            } else {
                num(e, "budget_usd")
            };
            if let Some(c) = cost {
                sum += c;
                let name = e.get("name").and_then(Value::as_str).unwrap_or("?");
                parts.push(format!("{section} `{name}` {c}"));
            }
        }
    }
    (sum, parts)
}

fn resolved(scenario: &Scenario) -> Result<toml::Table, BoxError> {
    Ok(toml::from_str(&scenario.to_toml())?)
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

    fn scale_value(&self, scenario: &Scenario, path: &str) -> Result<f64, BoxError> {
        Self::scale_number(scenario, path)
    }

    fn rescale(
        &self,
        scenario: &Scenario,
        strategy: &Strategy,
        path: &str,
        value: f64,
    ) -> Result<Scenario, BoxError> {
        Self::scale_to(scenario, strategy, path, value)
    }
}

/// `size --scale`: one numeric key of the applied strategy's levers.
impl Files {
    fn scale_number(scenario: &Scenario, path: &str) -> Result<f64, BoxError> {
        let table = resolved(scenario)?;
        match lever_value(&table, path)? {
            Value::Integer(i) => Ok(*i as f64),
            Value::Float(f) => Ok(*f),
            Value::Table(_) => Err(Box::new(ScaleError::Distribution {
                path: path.to_owned(),
            })),
            other => Err(Box::new(ScaleError::NotNumber {
                path: path.to_owned(),
                found: kind(other),
            })),
        }
    }

    fn scale_to(
        scenario: &Scenario,
        strategy: &Strategy,
        path: &str,
        value: f64,
    ) -> Result<Scenario, BoxError> {
        Self::scale_number(scenario, path)?;
        let set = [Override {
            path: path.to_owned(),
            value: format!("{value:?}"),
        }];
        let variant = scenario.with_overrides(&set)?;
        if let Some(budget) = strategy.budget_usd {
            let (stated, parts) = levers_budget(&resolved(&variant)?);
            if stated > budget {
                return Err(Box::new(ScaleError::OverBudget {
                    budget,
                    stated,
                    parts: parts.join(" + "),
                }));
            }
        }
        Ok(variant)
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

    fn lever_template(name: &str) -> (Scenario, Strategy) {
        let base = Files
            .scenario(&scenarios().join("separator_at_risk.toml"), &[])
            .unwrap();
        let set = Files
            .strategies(&scenarios().join("lever_strategies.toml"))
            .unwrap();
        let (_, s) = set.into_iter().find(|(n, _)| n == name).unwrap();
        (base.with_strategy(&s).unwrap(), s)
    }

    #[test]
    fn a_scaled_key_is_read_set_and_held_under_the_strategy_budget() {
        let (tpl, strategy) = lever_template("lynas_floor");
        let path = "floor.lynas_ndpr.budget_usd";
        approx::assert_relative_eq!(Files.scale_value(&tpl, path).unwrap(), 3e8);
        approx::assert_relative_eq!(
            Files.scale_value(&tpl, "floor.0.floor_usd_per_kg").unwrap(),
            110.0
        );
        let half = Files.rescale(&tpl, &strategy, path, 1.5e8).unwrap();
        approx::assert_relative_eq!(Files.scale_value(&half, path).unwrap(), 1.5e8);
        let over = Files.rescale(&tpl, &strategy, path, 3.5e8).unwrap_err();
        assert!(
            over.to_string().contains("less than its levers' budgets"),
            "{over}"
        );
        for (bad, says) in [
            ("floor.lynas_ndpr.name", "is text, not a number"),
            ("floor.lynas_ndpr.volume", "no `floor.lynas_ndpr.volume`"),
            ("floor.3.budget_usd", "(it has: lynas_ndpr)"),
            ("grant.0.amount_usd", "states no `[[strategy.grant]]`"),
            (
                "scenario.horizon_weeks",
                "not a key of the strategy's levers",
            ),
        ] {
            let e = Files.scale_value(&tpl, bad).unwrap_err();
            assert!(e.to_string().contains(says), "{bad}: {e}");
        }
        // A distribution cannot be set by a size.
        let uncertain = tpl
            .with_overrides(&[Override {
                path: "floor.0.floor_usd_per_kg".into(),
                value: "{ dist = \"uniform\", lo = 100, hi = 120 }".into(),
            }])
            .unwrap();
        let e = Files
            .scale_value(&uncertain, "floor.0.floor_usd_per_kg")
            .unwrap_err();
        assert!(e.to_string().contains("is a distribution"), "{e}");
    }
}
