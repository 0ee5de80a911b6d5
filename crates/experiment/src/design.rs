//! Design points of a parameter sweep: full grids, Latin hypercubes, one-at-a-time (tornado)
//! designs, and the designs of a global sensitivity analysis (Saltelli's for Sobol indices,
//! Morris trajectories; `chokepoint-gsa`), whose unit-cube points become values through each
//! parameter's distribution where it has one.

use rand::seq::SliceRandom;
use rand::{Rng, RngCore};

use crate::streams::{Purpose, stream};

/// One swept parameter: a scenario key path and its range.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ParamRange {
    /// Key path, as for `--set`.
    pub path: String,
    /// Lowest value.
    pub lo: f64,
    /// Highest value.
    pub hi: f64,
    /// The parameter's distribution, where it is an uncertain number of the scenario: a
    /// sensitivity design maps its unit coordinate u to the quantile F⁻¹(u) (`lo` and `hi` are
    /// then the most extreme values a design can place). Without one, u maps linearly onto
    /// [lo, hi] (a uniform range).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dist: Option<chokepoint_gsa::Marginal>,
}

/// The smallest unit coordinate any design places (half the Sobol generator's `f32` spacing of
/// 2⁻²⁴; Morris levels start at 1/8): the quantile there and at 1 − it bound a distribution's
/// values in a design.
const U_EDGE: f64 = 1.0 / (1u64 << 25) as f64;

impl ParamRange {
    /// A parameter given as a distribution: `lo` and `hi` are its quantiles at the most extreme
    /// coordinates a design places, so that checking both ends checks every value it can take.
    #[must_use]
    pub fn from_marginal(path: &str, dist: chokepoint_gsa::Marginal) -> Self {
        ParamRange {
            path: path.to_owned(),
            lo: dist.quantile(U_EDGE),
            hi: dist.quantile(1.0 - U_EDGE),
            dist: Some(dist),
        }
    }

    /// The value at unit coordinate `u`: the quantile of its distribution, else the point of
    /// [lo, hi] (weighted ends: exact at both, finite however far apart they are; clamped
    /// against rounding in between).
    fn at(&self, u: f64) -> f64 {
        match &self.dist {
            Some(m) => m.quantile(u),
            None => (self.lo * (1.0 - u) + self.hi * u).clamp(self.lo, self.hi),
        }
    }
}

/// How to place the points. Recorded as its text (`grid:K`, `lhs:K`) in plan specs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", try_from = "String")]
pub enum Design {
    /// `grid:K`: K evenly spaced levels per parameter (ends included), every combination;
    /// the first parameter varies slowest.
    Grid(usize),
    /// `lhs:K`: K points, a Latin hypercube: each parameter's range cut into K equal strata,
    /// one point per stratum, strata paired at random (seeded).
    Lhs(usize),
    /// `oat`: one at a time, for a tornado: point 0 has every parameter at the middle of its
    /// range (give ranges centred on the scenario's values), then each parameter in turn at its
    /// low and at its high end with the others in the middle: 1 + 2 × parameters points.
    Oat,
    /// `sobol:N`: Saltelli's design for Sobol indices, N base points (a power of two is best)
    /// on an Owen-scrambled Sobol sequence seeded from the seed: N × (parameters + 2) points in
    /// blocks A, B, `A_B^1` … `A_B^d` of N (`chokepoint_gsa::saltelli`).
    Sobol(usize),
    /// `morris:R`: R Morris trajectories on a 4-level grid, seeded: R × (parameters + 1)
    /// points, trajectory by trajectory (`chokepoint_gsa::morris`).
    Morris(usize),
}

impl std::str::FromStr for Design {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim() == "oat" {
            return Ok(Design::Oat);
        }
        let (kind, k) = s
            .split_once(':')
            .ok_or_else(|| format!("`{s}` is not a design; write `grid:K`, `lhs:K` or `oat`"))?;
        let k: usize = k
            .trim()
            .parse()
            .map_err(|_| format!("`{k}` is not a whole number of points; write e.g. `{kind}:5`"))?;
        if k == 0 {
            return Err("a design needs at least one point per parameter".to_owned());
        }
        match kind.trim() {
            "grid" => Ok(Design::Grid(k)),
            "lhs" => Ok(Design::Lhs(k)),
            "sobol" => Ok(Design::Sobol(k)),
            "morris" => Ok(Design::Morris(k)),
            other => Err(format!(
                "unknown design `{other}`; use `grid:K`, `lhs:K`, `oat`, `sobol:N` or `morris:R`"
            )),
        }
    }
}

impl std::fmt::Display for Design {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Design::Grid(k) => write!(f, "grid:{k}"),
            Design::Lhs(k) => write!(f, "lhs:{k}"),
            Design::Oat => write!(f, "oat"),
            Design::Sobol(n) => write!(f, "sobol:{n}"),
            Design::Morris(r) => write!(f, "morris:{r}"),
        }
    }
}

impl From<Design> for String {
    fn from(d: Design) -> String {
        d.to_string()
    }
}

impl TryFrom<String> for Design {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

/// Parses `--param PATH=LO:HI` (also how a front door reads a range from text).
impl std::str::FromStr for ParamRange {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (path, range) = s.split_once('=').ok_or_else(|| {
            format!("`{s}` is not PATH=LO:HI; write e.g. `shock.0.duration_weeks=4:52`")
        })?;
        let (lo, hi) = range
            .split_once(':')
            .ok_or_else(|| format!("`{range}` is not a range LO:HI; write e.g. `{path}=4:52`"))?;
        let num = |x: &str| {
            x.trim()
                .parse::<f64>()
                .map_err(|_| format!("`{x}` in `{s}` is not a number"))
        };
        let (lo, hi) = (num(lo)?, num(hi)?);
        if !(lo.is_finite() && hi.is_finite()) || lo > hi {
            return Err(format!("`{s}`: the range must be finite with LO <= HI"));
        }
        Ok(ParamRange {
            path: path.trim().to_owned(),
            lo,
            hi,
            dist: None,
        })
    }
}

/// How many points `design` places over `params` parameters, without making them; `None`
/// when a grid has more than a `u64` can count.
#[must_use]
pub fn count(params: usize, design: Design) -> Option<u64> {
    match design {
        Design::Grid(k) => (k as u64).checked_pow(u32::try_from(params).ok()?),
        Design::Lhs(k) => Some(k as u64),
        Design::Oat => (params as u64).checked_mul(2)?.checked_add(1),
        Design::Sobol(n) => chokepoint_gsa::saltelli::count(n, params).map(|c| c as u64),
        Design::Morris(r) => chokepoint_gsa::morris::count(r, params).map(|c| c as u64),
    }
}

/// Refuses a sensitivity design its generator cannot make (no parameter, too many, too few or
/// too many base points or trajectories) before anything is built; other designs pass.
pub fn check(params: usize, design: Design) -> Result<(), chokepoint_gsa::GsaError> {
    match design {
        Design::Sobol(n) => chokepoint_gsa::saltelli::check(n, params),
        Design::Morris(r) => chokepoint_gsa::morris::check(r, params),
        Design::Grid(_) | Design::Lhs(_) | Design::Oat => Ok(()),
    }
}

/// The Owen scrambling of a `sobol:N` design, from the `Design` stream of `seed`.
fn sobol_scramble(seed: u64) -> u32 {
    stream(seed, 0, Purpose::Design).next_u32()
}

/// The unit-cube trajectories of a `morris:R` design over `params` parameters, from the
/// `Design` stream of `seed` (the same ones whenever asked: the estimator reads their steps).
pub(crate) fn morris_design(
    r: usize,
    params: usize,
    seed: u64,
) -> Result<chokepoint_gsa::morris::Design, chokepoint_gsa::GsaError> {
    chokepoint_gsa::morris::design(r, params, &mut stream(seed, 0, Purpose::Design))
}

/// The design points, each a value per parameter (in `params` order). LHS draws come from the
/// `Design` stream of `seed`, so the same command gives the same points. `None` when a grid
/// has more points (K to the power of the number of parameters) than a `usize` can count.
#[must_use]
pub fn points(params: &[ParamRange], design: Design, seed: u64) -> Option<Vec<Vec<f64>>> {
    // Weighted ends, not `lo + (hi - lo) * x`: exact at both ends (0.3 + 0.6 × 1 is
    // 0.9000000000000001, which a probability of at most 0.9 or 1 refuses) and finite however far
    // apart they are (`hi - lo` overflows for ±1e308); clamped against rounding in between
    // (found by fuzz/fuzz_targets/sweep_design.rs).
    let at = |p: &ParamRange, x: f64| p.at(x);
    let unit = |cube: Vec<Vec<f64>>| {
        cube.into_iter()
            .map(|u| params.iter().zip(u).map(|(p, x)| at(p, x)).collect())
            .collect()
    };
    match design {
        Design::Sobol(n) => chokepoint_gsa::saltelli::points(n, params.len(), sobol_scramble(seed))
            .ok()
            .map(unit),
        Design::Morris(r) => morris_design(r, params.len(), seed)
            .ok()
            .map(|m| unit(m.points)),
        Design::Grid(k) => {
            let level = |j: usize| {
                if k == 1 {
                    0.5
                } else {
                    j as f64 / (k - 1) as f64
                }
            };
            let n = k.checked_pow(u32::try_from(params.len()).ok()?)?;
            let grid = (0..n)
                .map(|mut idx| {
                    let mut v = vec![0.0; params.len()];
                    for (d, p) in params.iter().enumerate().rev() {
                        v[d] = at(p, level(idx % k));
                        idx /= k;
                    }
                    v
                })
                .collect();
            Some(grid)
        }
        Design::Oat => {
            let middle: Vec<f64> = params.iter().map(|p| at(p, 0.5)).collect();
            let mut all = vec![middle.clone()];
            for (d, p) in params.iter().enumerate() {
                for end in [p.lo, p.hi] {
                    let mut v = middle.clone();
                    v[d] = end;
                    all.push(v);
                }
            }
            Some(all)
        }
        Design::Lhs(k) => {
            let mut rng = stream(seed, 0, Purpose::Design);
            let columns: Vec<Vec<f64>> = params
                .iter()
                .map(|p| {
                    let mut strata: Vec<usize> = (0..k).collect();
                    strata.shuffle(&mut rng);
                    strata
                        .into_iter()
                        .map(|s| at(p, (s as f64 + rng.random::<f64>()) / k as f64))
                        .collect()
                })
                .collect();
            Some(
                (0..k)
                    .map(|j| columns.iter().map(|c| c[j]).collect())
                    .collect(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges() -> Vec<ParamRange> {
        vec![
            ParamRange {
                path: "a".into(),
                lo: 0.0,
                hi: 1.0,
                dist: None,
            },
            ParamRange {
                path: "b".into(),
                lo: 10.0,
                hi: 20.0,
                dist: None,
            },
        ]
    }

    #[test]
    fn count_matches_the_points_made_and_overflow_is_none() {
        for d in [
            Design::Grid(3),
            Design::Grid(1),
            Design::Lhs(7),
            Design::Oat,
        ] {
            let n = points(&ranges(), d, 1).unwrap().len() as u64;
            assert_eq!(count(ranges().len(), d), Some(n), "{d}");
        }
        assert_eq!(count(4, Design::Grid(100)), Some(100_000_000));
        assert_eq!(count(40, Design::Grid(100)), None);
    }

    #[test]
    fn grid_covers_every_combination_with_ends() {
        let p = points(&ranges(), Design::Grid(3), 1).unwrap();
        assert_eq!(p.len(), 9);
        assert_eq!(p[0], vec![0.0, 10.0]);
        assert_eq!(p[1], vec![0.0, 15.0]);
        assert_eq!(p[8], vec![1.0, 20.0]);
    }

    #[test]
    fn oat_moves_one_parameter_at_a_time_from_the_middle() {
        let p = points(&ranges(), Design::Oat, 1).unwrap();
        assert_eq!(
            p,
            vec![
                vec![0.5, 15.0],
                vec![0.0, 15.0],
                vec![1.0, 15.0],
                vec![0.5, 10.0],
                vec![0.5, 20.0],
            ]
        );
        assert_eq!("oat".parse::<Design>(), Ok(Design::Oat));
        assert_eq!(Design::Oat.to_string(), "oat");
    }

    #[test]
    fn lhs_puts_one_point_in_every_stratum_of_every_parameter() {
        let k = 10;
        let p = points(&ranges(), Design::Lhs(k), 42).unwrap();
        assert_eq!(p.len(), k);
        for (d, r) in ranges().iter().enumerate() {
            let mut strata: Vec<usize> = p
                .iter()
                .map(|v| {
                    let stratum = (((v[d] - r.lo) / (r.hi - r.lo)) * k as f64).floor();
                    assert!(
                        (0.0..k as f64).contains(&stratum),
                        "{stratum} outside 0..{k}"
                    );
                    #[allow(
                        clippy::cast_possible_truncation,
                        clippy::cast_sign_loss,
                        reason = "a whole number checked to lie in 0..k just above"
                    )]
                    let stratum = stratum as usize;
                    stratum
                })
                .collect();
            strata.sort_unstable();
            assert_eq!(strata, (0..k).collect::<Vec<_>>());
        }
        assert_eq!(
            Some(&p),
            points(&ranges(), Design::Lhs(k), 42).as_ref(),
            "seeded"
        );
        assert_ne!(Some(&p), points(&ranges(), Design::Lhs(k), 43).as_ref());
    }

    #[test]
    fn a_grid_too_large_to_count_is_refused_not_wrapped() {
        let many = vec![ranges()[0].clone(); 10];
        assert_eq!(
            points(&many, Design::Grid(100), 1),
            None,
            "100^10 > usize::MAX"
        );
        assert_eq!(
            points(&many[..2], Design::Grid(100), 1).map(|p| p.len()),
            Some(10_000)
        );
    }

    #[test]
    fn every_point_lies_inside_its_range_and_the_ends_are_exact() {
        let params = vec![
            ParamRange {
                path: "p".into(),
                lo: 0.3,
                hi: 0.9,
                dist: None,
            },
            ParamRange {
                path: "wide".into(),
                lo: -1e308,
                hi: 1e308,
                dist: None,
            },
        ];
        for design in [Design::Grid(3), Design::Lhs(7), Design::Oat] {
            for point in points(&params, design, 3).unwrap() {
                for (v, p) in point.iter().zip(&params) {
                    assert!(v.is_finite() && p.lo <= *v && *v <= p.hi, "{design}: {v}");
                }
            }
        }
        let grid = points(&params[..1], Design::Grid(3), 1).unwrap();
        assert_eq!(grid, vec![vec![0.3], vec![0.6], vec![0.9]]);
    }

    #[test]
    fn designs_parse_and_bad_ones_explain() {
        assert_eq!("grid:4".parse::<Design>(), Ok(Design::Grid(4)));
        assert_eq!("lhs:20".parse::<Design>(), Ok(Design::Lhs(20)));
        assert!("grid".parse::<Design>().unwrap_err().contains("grid:K"));
        assert!(
            "halton:8"
                .parse::<Design>()
                .unwrap_err()
                .contains("unknown design")
        );
    }
}
