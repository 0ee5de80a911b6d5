//! `[[demand]]` over `[defaults.manufacturer]`: each entry (a region × sector) splits into
//! `firms` manufacturers.
//!
//! **Firms.** Firm `f` of entry `k` has a size `exp(σ_s z₁ − σ_s²/2)` and a cover
//! `cover_weeks × exp(σ_c z₂ − σ_c²/2)`, with `(z₁, z₂)` standard normals drawn from the stream
//! of the key path `demand.<k>.firm.<f>` and the replication's parameter seed (like every
//! uncertain number, [`super::sample_at`]). So a firm's draws depend on the replication and
//! the firm alone: every strategy and sweep point of replication *i* sees the same firms
//! (common random numbers), whatever else the file holds. Central values (`check`, `diff`)
//! are equal firms holding `cover_weeks`. When firms differ (`firm_size_sigma` with more than
//! one firm, or `firm_cover_sigma`), the key `demand.<k>.firms` is listed among the sampled
//! keys, so each replication rebuilds the manufacturers.
//!
//! **Bills of materials.** Item `j` (in name order) of `t_per_year` goes to
//! `max(1, round(users_share × firms))` firms, the consecutive firm indices (mod `firms`) from
//! `j × firms / items`: a fixed set, spread so that no one firm collects every minor item. Its
//! demand is shared among those firms by size; a firm lists only the items it uses.

use chokepoint_core as core;
use chokepoint_core::{RegionId, SectorId};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use super::{Build, DAYS_PER_WEEK, Draw, stream_of};
use crate::num::Num;

const DEFAULTS: &str = "defaults.manufacturer";

/// The two standard normals of firm `f` of entry `k` in the replication of `param_seed`.
fn firm_normals(k: usize, f: usize, param_seed: u64) -> (f64, f64) {
    let mut rng = ChaCha8Rng::seed_from_u64(param_seed);
    rng.set_stream(stream_of(&format!("demand.{k}.firm.{f}")));
    (
        StandardNormal.sample(&mut rng),
        StandardNormal.sample(&mut rng),
    )
}

/// The firms using item line `j` of `lines` among `firms`: consecutive indices (mod `firms`)
/// from `j × firms / lines`.
fn users(j: usize, lines: usize, firms: usize, share: f64) -> impl Iterator<Item = usize> {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "a share in [0, 1] of a small count, rounded and clamped to [1, firms]"
    )]
    let n = ((share * firms as f64).round() as usize).clamp(1, firms);
    let start = j * firms / lines.max(1);
    (0..n).map(move |q| (start + q) % firms)
}

impl Build<'_> {
    /// An optional behaviour key: the entry's own value, else the defaults', else `absent`.
    fn optional_knob(
        &mut self,
        own: &str,
        name: &str,
        values: (Option<&Num>, Option<&Num>),
        absent: f64,
    ) -> f64 {
        match values {
            (Some(n), _) => self.num(&format!("{own}.{name}"), n),
            (None, Some(n)) => self.num(&format!("{DEFAULTS}.{name}"), n),
            (None, None) => absent,
        }
    }

    #[allow(
        clippy::too_many_lines,
        reason = "one entry's keys read in order; the firm split is the tail"
    )]
    pub(super) fn build_manufacturers(&mut self) -> Vec<core::ManufacturerParams> {
        let f = self.file;
        let d = &f.defaults.manufacturer;
        let mut out: Vec<core::ManufacturerParams> = Vec::new();
        for (k, dm) in f.demand.iter().enumerate() {
            let key = format!("demand.{k}");
            let r = self.resolve(&format!("{key}.region"), &dm.region, "region");
            let s = self.resolve(&format!("{key}.sector"), &dm.sector, "sector");
            let (region, sector) = (
                RegionId::from(r.unwrap_or(0)),
                SectorId::from(s.unwrap_or(0)),
            );
            if r.is_some()
                && s.is_some()
                && out.iter().any(|m| m.region == region && m.sector == sector)
            {
                self.problem(
                    &key,
                    format!("demand for {} × {} is given twice", dm.region, dm.sector),
                    "merge the two `[[demand]]` entries into one",
                );
            }
            let kn = &dm.knobs;
            // The own-or-default lookup of one behaviour key.
            macro_rules! knob {
                ($field:ident) => {
                    self.knob(
                        &key,
                        Some(DEFAULTS),
                        stringify!($field),
                        (kn.$field.as_ref(), d.$field.as_ref()),
                    )
                };
            }
            macro_rules! optional {
                ($field:ident) => {
                    self.optional_knob(
                        &key,
                        stringify!($field),
                        (kn.$field.as_ref(), d.$field.as_ref()),
                        0.0,
                    )
                };
            }
            let mut lines = Vec::new();
            for (name, n) in &dm.t_per_year {
                let dkey = format!("{key}.t_per_year.{name}");
                let item = self.item(&dkey, name);
                let t = self.num(&dkey, n);
                let ukey = format!("{key}.users_share.{name}");
                let share = match dm.users_share.get(name) {
                    // It decides which firms buy the item: the structure of the model.
                    Some(Num::Dist(_)) => {
                        self.problem(
                            &ukey,
                            "a users share must be a fixed number",
                            "give a number in [0, 1]: it decides which firms use the item",
                        );
                        1.0
                    }
                    Some(u) => self.num(&ukey, u),
                    None => 1.0,
                };
                lines.push((item, self.per_year_to_step(t), share));
            }
            for name in dm.users_share.keys() {
                if !dm.t_per_year.contains_key(name) {
                    self.problem(
                        format!("{key}.users_share.{name}"),
                        format!("`{name}` has a users share but no demand in `t_per_year`"),
                        format!("add `{name}` to `t_per_year` or remove it here"),
                    );
                }
            }
            if lines.is_empty() {
                self.problem(
                    format!("{key}.t_per_year"),
                    "no demand given",
                    "add `t_per_year = { ndfeb = 1000 }`",
                );
            }
            let n_firms = dm.firms.unwrap_or(1);
            if n_firms == 0 {
                self.problem(
                    format!("{key}.firms"),
                    "an entry needs at least one firm",
                    "use `firms = 1` (one manufacturer) or more",
                );
            }
            let n_firms = n_firms.max(1) as usize;
            let size_sigma = optional!(firm_size_sigma);
            let cover_sigma = optional!(firm_cover_sigma);
            let catch_up_share = optional!(catch_up_share);
            let stock_building = core::StockBuildingParams {
                response: optional!(stock_building_response),
                window_steps: {
                    let w = self.optional_knob(
                        &key,
                        "stock_building_window_weeks",
                        (
                            kn.stock_building_window_weeks.as_ref(),
                            d.stock_building_window_weeks.as_ref(),
                        ),
                        1.0,
                    );
                    self.weeks_to_steps(w).max(1.0)
                },
                max_cover_multiple: self.optional_knob(
                    &key,
                    "stock_building_max_cover_multiple",
                    (
                        kn.stock_building_max_cover_multiple.as_ref(),
                        d.stock_building_max_cover_multiple.as_ref(),
                    ),
                    1.0,
                ),
            };
            let rate_per_year = knob!(substitution_rate_per_year);
            let cover_steps = {
                let w = knob!(cover_weeks);
                self.weeks_to_steps(w)
            };
            let differ = (n_firms > 1 && size_sigma > 0.0) || cover_sigma > 0.0;
            let firms_key = format!("{key}.firms");
            if differ && matches!(self.draw, Draw::Validate) && !self.uncertain.contains(&firms_key)
            {
                self.uncertain.push(firms_key);
            }
            // Each firm's size and cover multiple: mean-one lognormals, 1 at central values.
            let draws: Vec<(f64, f64)> = (0..n_firms)
                .map(|firm| match self.draw {
                    Draw::Sample(seed) | Draw::Diagnose(seed) if differ => {
                        let (z1, z2) = firm_normals(k, firm, seed);
                        (
                            (size_sigma * z1 - 0.5 * size_sigma * size_sigma).exp(),
                            (cover_sigma * z2 - 0.5 * cover_sigma * cover_sigma).exp(),
                        )
                    }
                    _ => (1.0, 1.0),
                })
                .collect();
            let template = core::ManufacturerParams {
                region,
                sector,
                demand: Vec::new(),
                growth_per_year: knob!(growth_per_year),
                // Weekly shocks independent from week to week: sd scales with the square root of time.
                noise_sigma: knob!(noise_sigma) * (self.step_days / DAYS_PER_WEEK).sqrt(),
                cover_target_steps: cover_steps,
                order_adjust_steps: {
                    let w = knob!(order_adjust_weeks);
                    self.weeks_to_steps(w)
                }
                .max(1.0),
                price_elasticity: knob!(price_elasticity),
                substitution: core::SubstitutionParams {
                    trigger_price_ratio: knob!(substitution_trigger_price_ratio),
                    lag_steps: {
                        let w = knob!(substitution_lag_weeks);
                        self.steps(w)
                    },
                    rate_per_step: self.per_year_to_step(rate_per_year),
                    cap_share: knob!(substitution_cap_share),
                },
                halt_unmet_share: knob!(halt_unmet_share),
                // A share of a week's output per week is the same share of a step's per step.
                catch_up_share,
                stock_building,
            };
            let mut firms: Vec<core::ManufacturerParams> = draws
                .iter()
                .map(|&(_, cover)| core::ManufacturerParams {
                    cover_target_steps: cover_steps * cover,
                    ..template.clone()
                })
                .collect();
            for (j, &(item, t_per_step, share)) in lines.iter().enumerate() {
                let using: Vec<usize> = users(j, lines.len(), n_firms, share).collect();
                let total: f64 = using.iter().map(|&u| draws[u].0).sum();
                for u in using {
                    firms[u].demand.push(core::Demand {
                        item,
                        t_per_step: t_per_step * draws[u].0 / total,
                    });
                }
            }
            // A firm that uses no item (more firms than item users) buys nothing: drop it.
            out.extend(firms.into_iter().filter(|m| !m.demand.is_empty()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::users;

    #[test]
    fn minor_items_go_to_a_fixed_spread_subset_of_firms() {
        let a: Vec<usize> = users(0, 2, 10, 1.0).collect();
        assert_eq!(a, (0..10).collect::<Vec<_>>());
        let b: Vec<usize> = users(1, 2, 10, 0.2).collect();
        assert_eq!(b, vec![5, 6]);
        // At least one firm, even for a tiny share.
        assert_eq!(users(3, 4, 10, 0.001).count(), 1);
    }
}
