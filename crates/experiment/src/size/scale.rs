//! `size --scale PATH`: sizing any one numeric key of the template strategy (a floor's budget,
//! a grant's amount, a floor's price, a stockpile's budget, ...) instead of its stockpiles'
//! weeks of use. The search is the same (bracket from 0, then bisect, on the key's value in its
//! own unit); the front door's [`Resize::rescale`](super::Resize::rescale) sets the key and
//! checks what depends on it (a strategy's `budget_usd` ceiling) at every value.

use serde::{Deserialize, Serialize};

/// How many bracketing steps reach `--max` when `--step` is not given with `--scale`: the
/// bracket is 0, max/8, max/4, max/2, max (doubling), four runs before bisection starts.
pub const DEFAULT_SCALE_STEPS: f64 = 8.0;
/// Bisection stops at this share of `--max` when `--resolution` is not given with `--scale`:
/// 1/32 of the range, five halvings below the first step, about as fine as a few hundred
/// replications can tell risks apart.
pub const DEFAULT_SCALE_RESOLUTION_SHARE: f64 = 1.0 / 32.0;

/// The cost metrics a size is costed with, the first the outputs have: all the measures in
/// USD (stockpiles, floors, grants, recycling) when the lever metrics are on, else the
/// stockpiles' cost (as `compare` ranks).
pub const COST_METRICS: [&str; 2] = ["policy_cost_usd", "stockpile_cost_usd"];

/// What a `--scale` sizing scales: recorded in `size.json` and shown by every front end.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scaled {
    /// The key path as given, e.g. `floor.lynas_ndpr.budget_usd`.
    pub path: String,
    /// The key's unit, from its name ([`unit_of`]).
    pub unit: String,
    /// The template strategy's own value at the path (of the first scenario).
    pub template: f64,
}

/// Key-name suffixes and their units, longest first where one ends another.
const UNITS: [(&str, &str); 9] = [
    ("_usd_per_kg", "USD/kg"),
    ("_usd_per_t", "USD/t"),
    ("_usd", "USD"),
    ("_t_per_week", "t/week"),
    ("_t_per_year", "t/yr"),
    ("_t", "t"),
    ("_weeks", "weeks"),
    ("_share", "share"),
    ("_ratio", "ratio"),
];

/// The unit of a key, from the suffix of its last part (the scenario format's naming rule:
/// `_usd`, `_usd_per_kg`, `_weeks`, `_t`, `_t_per_week`, `_share`, ...); `""` when the name does
/// not say.
#[must_use]
pub fn unit_of(path: &str) -> &'static str {
    let key = path.rsplit('.').next().unwrap_or(path);
    UNITS
        .iter()
        .find(|(suffix, _)| key.ends_with(suffix))
        .map_or("", |(_, unit)| unit)
}

/// A value with its unit, as the terminal and tables show it (`1.5e8 USD`).
#[must_use]
pub fn with_unit(v: f64, unit: &str) -> String {
    if unit.is_empty() {
        format!("{v}")
    } else {
        format!("{v} {unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_come_from_the_key_suffix_longest_first() {
        assert_eq!(unit_of("floor.lynas_ndpr.budget_usd"), "USD");
        assert_eq!(unit_of("floor.0.floor_usd_per_kg"), "USD/kg");
        assert_eq!(unit_of("grant.g.amount_usd"), "USD");
        assert_eq!(unit_of("stockpile.0.holding.0.target_weeks"), "weeks");
        assert_eq!(
            unit_of("stockpile.0.holding.0.acquisition_t_per_week"),
            "t/week"
        );
        assert_eq!(unit_of("stockpile.0.holding.0.initial_t"), "t");
        assert_eq!(unit_of("grant.g.grant_element_share"), "share");
        assert_eq!(unit_of("floor.f.duration"), "");
        assert_eq!(with_unit(2.5, "USD"), "2.5 USD");
        assert_eq!(with_unit(2.5, ""), "2.5");
    }
}
