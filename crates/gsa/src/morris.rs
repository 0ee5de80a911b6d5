//! Elementary effects (Morris 1991) with mu* (Campolongo, Cariboni & Saltelli 2007).
//!
//! The grid has `levels` (even) values per input at the middles of equal-probability strata,
//! u = (k + ½)/levels, so that no level is 0 or 1, where an unbounded quantile is infinite.
//! The step is half the unit interval (Δ = ½, `levels`/2 grid steps, Morris's choice
//! p/(2(p − 1)) carried over to the middles), so every level is equally likely to be visited.
//! A trajectory starts at a random grid point and moves each input once, in a random order, by
//! +Δ from the lower half or −Δ from the upper half: d + 1 points. The elementary effect of
//! input i is (y_after − y_before) / (u_after − u_before), in output units per unit of u (per
//! whole range of probability); mu is their mean, mu* the mean of their absolute values, sigma
//! their standard deviation, over the r trajectories. Trajectories are drawn at random, without
//! Campolongo's selection of the most spread-out ones.

// The module docs write formulas (A_B^i, y_after), not code identifiers.
#![allow(clippy::doc_markdown)]

use rand::Rng;
use rand::seq::SliceRandom;

use crate::GsaError;
use crate::bootstrap::{Estimate, interval};

/// Levels of the grid: 4, the value Campolongo et al. (2007) recommend and SALib's default.
pub const LEVELS: usize = 4;

/// A Morris design: the points and, for each step of each trajectory, the input moved and by
/// how much (in u).
#[derive(Clone, Debug, PartialEq)]
pub struct Design {
    /// Inputs.
    pub d: usize,
    /// Trajectories.
    pub r: usize,
    /// r × (d + 1) points in (0, 1)^d, trajectory by trajectory.
    pub points: Vec<Vec<f64>>,
    /// r × d steps: (input moved, signed step in u).
    pub steps: Vec<(usize, f64)>,
}

/// How many points `r` trajectories over `d` inputs have.
#[must_use]
pub fn count(r: usize, d: usize) -> Option<usize> {
    r.checked_mul(d.checked_add(1)?)
}

/// Refuses no input or fewer than two trajectories (a spread needs two).
pub fn check(r: usize, d: usize) -> Result<(), GsaError> {
    if d == 0 {
        return Err(GsaError::NoInputs);
    }
    if r < 2 {
        return Err(GsaError::TooFewTrajectories(r));
    }
    Ok(())
}

/// `r` random trajectories over `d` inputs on the [`LEVELS`]-level grid, drawn from `rng`.
pub fn design<R: Rng + ?Sized>(r: usize, d: usize, rng: &mut R) -> Result<Design, GsaError> {
    check(r, d)?;
    let half = LEVELS / 2;
    let level = |k: usize| (k as f64 + 0.5) / LEVELS as f64;
    let delta = half as f64 / LEVELS as f64;
    let mut points = Vec::with_capacity(r * (d + 1));
    let mut steps = Vec::with_capacity(r * d);
    for _ in 0..r {
        // Each input starts in the lower half (and steps up) or the upper half (and steps down).
        let start: Vec<usize> = (0..d).map(|_| rng.random_range(0..LEVELS)).collect();
        let mut order: Vec<usize> = (0..d).collect();
        order.shuffle(rng);
        let mut x: Vec<f64> = start.iter().map(|&k| level(k)).collect();
        points.push(x.clone());
        for &i in &order {
            let step = if start[i] < half { delta } else { -delta };
            x[i] = level(if start[i] < half {
                start[i] + half
            } else {
                start[i] - half
            });
            points.push(x.clone());
            steps.push((i, step));
        }
    }
    Ok(Design {
        d,
        r,
        points,
        steps,
    })
}

/// The effects of one output.
#[derive(Clone, Debug, PartialEq)]
pub struct Effects {
    /// Mean elementary effect of each input.
    pub mu: Vec<f64>,
    /// Mean absolute elementary effect, with its bootstrap interval (trajectories resampled).
    pub mu_star: Vec<Estimate>,
    /// Standard deviation of the elementary effects (n − 1).
    pub sigma: Vec<f64>,
}

/// The effects from `y`, the outputs at `design.points` in order; intervals of mu* from
/// `resamples` bootstrap resamples of the trajectories, drawn from `rng`.
pub fn effects<R: Rng + ?Sized>(
    design: &Design,
    y: &[f64],
    resamples: usize,
    rng: &mut R,
) -> Result<Effects, GsaError> {
    let (d, r) = (design.d, design.r);
    if y.len() != design.points.len() {
        return Err(GsaError::OutputCount {
            expected: design.points.len(),
            got: y.len(),
        });
    }
    // ee[i][t]: input i's effect in trajectory t.
    let mut ee = vec![vec![0.0; r]; d];
    for t in 0..r {
        for k in 0..d {
            let (i, step) = design.steps[t * d + k];
            let before = y[t * (d + 1) + k];
            let after = y[t * (d + 1) + k + 1];
            ee[i][t] = (after - before) / step;
        }
    }
    let rf = r as f64;
    let mean_abs = |e: &[f64], pick: &mut dyn Iterator<Item = usize>| {
        pick.map(|t| e[t].abs()).sum::<f64>() / rf
    };
    let mut boot = vec![Vec::with_capacity(resamples); d];
    let mut pick = vec![0; r];
    for _ in 0..resamples {
        for p in &mut pick {
            *p = rng.random_range(0..r);
        }
        for i in 0..d {
            boot[i].push(mean_abs(&ee[i], &mut pick.iter().copied()));
        }
    }
    let mu: Vec<f64> = ee.iter().map(|e| e.iter().sum::<f64>() / rf).collect();
    let sigma = ee
        .iter()
        .zip(&mu)
        .map(|(e, m)| (e.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (rf - 1.0)).sqrt())
        .collect();
    let mu_star = ee
        .iter()
        .zip(&mut boot)
        .map(|(e, b)| interval(mean_abs(e, &mut (0..r)), b))
        .collect();
    Ok(Effects { mu, mu_star, sigma })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn rng() -> rand_chacha::ChaCha8Rng {
        rand_chacha::ChaCha8Rng::seed_from_u64(11)
    }

    #[test]
    fn inert_factors_have_no_effect_and_linear_ones_their_slope() {
        // y = 3 u0 − 2 u2 + 5 u1 u3: u4 inert, u0 and u2 linear, u1 and u3 interacting.
        let f = |x: &[f64]| 3.0 * x[0] - 2.0 * x[2] + 5.0 * x[1] * x[3];
        let des = design(20, 5, &mut rng()).unwrap();
        let y: Vec<f64> = des.points.iter().map(|p| f(p)).collect();
        let e = effects(&des, &y, 200, &mut rng()).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(e.mu[0], 3.0) && close(e.mu_star[0].value, 3.0) && close(e.sigma[0], 0.0));
        assert!(close(e.mu[2], -2.0) && close(e.mu_star[2].value, 2.0) && close(e.sigma[2], 0.0));
        assert!(close(e.mu_star[4].value, 0.0) && close(e.mu_star[4].hi, 0.0));
        // Interactions: the effect of u1 is 5 u3, u3 takes levels 1/8 … 7/8 => spread > 0.
        assert!(e.sigma[1] > 0.1 && e.mu_star[1].value > 0.5);
        assert!(e.mu_star[1].lo <= e.mu_star[1].value && e.mu_star[1].value <= e.mu_star[1].hi);
    }

    #[test]
    fn trajectories_move_one_input_at_a_time_on_the_grid() {
        let des = design(6, 3, &mut rng()).unwrap();
        assert_eq!(des.points.len(), count(6, 3).unwrap());
        assert_eq!(des, design(6, 3, &mut rng()).unwrap(), "seeded");
        for t in 0..6 {
            for k in 0..3 {
                let (a, b) = (&des.points[t * 4 + k], &des.points[t * 4 + k + 1]);
                let moved: Vec<usize> = (0..3).filter(|&i| (a[i] - b[i]).abs() > 0.0).collect();
                let (i, step) = des.steps[t * 3 + k];
                assert_eq!(moved, vec![i]);
                assert!((b[i] - a[i] - step).abs() < 1e-15 && (step.abs() - 0.5).abs() < 1e-15);
            }
        }
        assert!(
            des.points
                .iter()
                .flatten()
                .all(|&u| [0.125, 0.375, 0.625, 0.875].contains(&u))
        );
    }

    #[test]
    fn bad_requests_are_refused() {
        assert_eq!(
            design(1, 3, &mut rng()).unwrap_err(),
            GsaError::TooFewTrajectories(1)
        );
        assert_eq!(design(4, 0, &mut rng()).unwrap_err(), GsaError::NoInputs);
        let des = design(2, 2, &mut rng()).unwrap();
        assert!(matches!(
            effects(&des, &[0.0; 5], 10, &mut rng()),
            Err(GsaError::OutputCount { .. })
        ));
    }
}
