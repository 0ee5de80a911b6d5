//! The search of a calibration, in the unit box: a seeded Latin hypercube, then Nelder–Mead
//! from its best point (and from the best point so far on each restart).
//!
//! Every parameter is searched in `[0, 1]` (its range mapped linearly, or on a log scale; see
//! `calibrate::Parameter::value_at`). Nelder–Mead is argmin's (`argmin::solver::neldermead`:
//! reflection 1, expansion 2, contraction ½, shrink ½, the standard coefficients of Lagarias et
//! al. 1998). argmin's simplex knows no bounds, so the objective **clamps**: a point outside the
//! box is evaluated (and recorded) at its projection onto the box, each coordinate clamped to
//! `[0, 1]`. The search is deterministic: the same seed and the same losses give the same
//! candidates, in the same order.
//!
//! The objective may stop the search (Ctrl-C, an error): it then returns `None`, every later
//! call is answered at once with an infinite loss (argmin's `init` unwraps the cost of the first
//! simplex, so an error there would panic), and [`run`] reports that it stopped.

use std::cell::RefCell;

use argmin::core::{CostFunction, Executor, State};
use argmin::solver::neldermead::NelderMead;

use crate::design::{self, Design, ParamRange};

/// Which part of the search proposed a candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// A point of the Latin hypercube.
    Lhs,
    /// A Nelder–Mead vertex or trial point.
    Nm,
}

impl Phase {
    /// `lhs` or `nm`, as in `candidates.csv`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Lhs => "lhs",
            Phase::Nm => "nm",
        }
    }
}

/// How much searching to do.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchSettings {
    /// Points of the Latin hypercube.
    pub lhs_points: usize,
    /// Nelder–Mead iterations per start.
    pub nelder_mead_iterations: u64,
    /// Further Nelder–Mead starts, each from the best point so far with a fresh simplex.
    pub restarts: usize,
    /// Edge of the first simplex, in unit-box coordinates.
    pub initial_step: f64,
}

/// How a search ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ended {
    /// Every phase ran to its budget (or Nelder–Mead converged).
    Finished,
    /// The objective asked to stop.
    Stopped,
}

/// The objective and what it has seen, behind a `RefCell` because argmin's cost function takes
/// `&self`.
struct Cost<'a, F> {
    objective: RefCell<&'a mut F>,
    stopped: RefCell<bool>,
}

impl<F: FnMut(Phase, &[f64]) -> Option<f64>> Cost<'_, F> {
    fn eval(&self, phase: Phase, unit: &[f64]) -> f64 {
        if *self.stopped.borrow() {
            return f64::INFINITY;
        }
        let clamped: Vec<f64> = unit.iter().map(|u| u.clamp(0.0, 1.0)).collect();
        if let Some(loss) = (self.objective.borrow_mut())(phase, &clamped) {
            loss
        } else {
            *self.stopped.borrow_mut() = true;
            f64::INFINITY
        }
    }
}

/// argmin's view of the objective.
struct Nm<'c, 'a, F>(&'c Cost<'a, F>);

impl<F: FnMut(Phase, &[f64]) -> Option<f64>> CostFunction for Nm<'_, '_, F> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, p: &Self::Param) -> Result<f64, argmin::core::Error> {
        Ok(self.0.eval(Phase::Nm, p))
    }
}

/// The first simplex around `x0`: `x0` and, for each coordinate, `x0` moved by `step` towards
/// the middle of the box (so every vertex lies inside it).
fn simplex(x0: &[f64], step: f64) -> Vec<Vec<f64>> {
    let mut all = vec![x0.to_vec()];
    for d in 0..x0.len() {
        let mut v = x0.to_vec();
        v[d] = if v[d] <= 0.5 {
            v[d] + step
        } else {
            v[d] - step
        };
        all.push(v);
    }
    all
}

/// Runs the search over `dims` unit coordinates. `objective(phase, unit)` returns the loss at a
/// point of the box, or `None` to stop. Returns how it ended; the caller keeps the candidates.
///
/// # Errors
/// Only when argmin refuses its configuration (it does not for the settings checked at load).
pub fn run<F>(
    dims: usize,
    settings: &SearchSettings,
    seed: u64,
    objective: &mut F,
) -> Result<Ended, argmin::core::Error>
where
    F: FnMut(Phase, &[f64]) -> Option<f64>,
{
    let unit: Vec<ParamRange> = (0..dims)
        .map(|d| ParamRange {
            path: d.to_string(),
            lo: 0.0,
            hi: 1.0,
            dist: None,
        })
        .collect();
    let points =
        design::points(&unit, Design::Lhs(settings.lhs_points.max(1)), seed).unwrap_or_default();
    let cost = Cost {
        objective: RefCell::new(objective),
        stopped: RefCell::new(false),
    };
    let mut best: Option<(f64, Vec<f64>)> = None;
    let keep = |loss: f64, x: &[f64], best: &mut Option<(f64, Vec<f64>)>| {
        // Strictly lower: ties keep the earlier point, so the choice is deterministic.
        if best.as_ref().is_none_or(|(b, _)| loss < *b) {
            *best = Some((loss, x.iter().map(|u| u.clamp(0.0, 1.0)).collect()));
        }
    };
    for p in points.iter().take(settings.lhs_points) {
        let loss = cost.eval(Phase::Lhs, p);
        if *cost.stopped.borrow() {
            return Ok(Ended::Stopped);
        }
        keep(loss, p, &mut best);
    }
    if dims == 0 {
        return Ok(Ended::Finished);
    }
    for _ in 0..=settings.restarts {
        if settings.nelder_mead_iterations == 0 {
            break;
        }
        let Some((_, x0)) = best.clone() else {
            break;
        };
        let solver = NelderMead::new(simplex(&x0, settings.initial_step));
        let result = Executor::new(Nm(&cost), solver)
            .configure(|s| s.max_iters(settings.nelder_mead_iterations))
            .timer(false)
            .run()?;
        if *cost.stopped.borrow() {
            return Ok(Ended::Stopped);
        }
        if let Some(x) = result.state().get_best_param() {
            keep(result.state().get_best_cost(), x, &mut best);
        }
    }
    Ok(Ended::Finished)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(lhs: usize, iters: u64) -> SearchSettings {
        SearchSettings {
            lhs_points: lhs,
            nelder_mead_iterations: iters,
            restarts: 1,
            initial_step: 0.1,
        }
    }

    /// Runs the search on `f` and returns every candidate, in order, with its loss.
    fn search(
        dims: usize,
        s: &SearchSettings,
        seed: u64,
        f: impl Fn(&[f64]) -> f64,
    ) -> Vec<(Phase, Vec<f64>, f64)> {
        let mut seen = Vec::new();
        let ended = run(dims, s, seed, &mut |phase, u: &[f64]| {
            let loss = f(u);
            seen.push((phase, u.to_vec(), loss));
            Some(loss)
        })
        .unwrap();
        assert_eq!(ended, Ended::Finished);
        seen
    }

    fn best(seen: &[(Phase, Vec<f64>, f64)]) -> &(Phase, Vec<f64>, f64) {
        seen.iter()
            .min_by(|a, b| a.2.total_cmp(&b.2))
            .expect("candidates")
    }

    /// Rosenbrock's valley on x, y in [-2, 2] (unit 0.75, 0.75 is its minimum at 1, 1).
    fn rosenbrock(u: &[f64]) -> f64 {
        let (x, y) = (4.0 * u[0] - 2.0, 4.0 * u[1] - 2.0);
        (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2)
    }

    #[test]
    fn lhs_then_nelder_mead_finds_the_minimum_of_rosenbrock() {
        let seen = search(2, &settings(20, 400), 7, rosenbrock);
        let (_, x, loss) = best(&seen);
        approx::assert_abs_diff_eq!(*loss, 0.0, epsilon = 1e-6);
        approx::assert_abs_diff_eq!(x[0], 0.75, epsilon = 1e-3);
        approx::assert_abs_diff_eq!(x[1], 0.75, epsilon = 1e-3);
        assert!(seen[..20].iter().all(|c| c.0 == Phase::Lhs));
        assert!(seen[20..].iter().all(|c| c.0 == Phase::Nm));
    }

    #[test]
    fn a_bowl_with_its_minimum_on_the_boundary_is_found_by_clamping() {
        // Minimum outside the box at u0 = 1.3: the best point in the box is u0 = 1.
        let f = |u: &[f64]| (u[0] - 1.3).powi(2) + (u[1] - 0.2).powi(2) + (u[2] - 0.6).powi(2);
        let seen = search(3, &settings(10, 200), 3, f);
        let (_, x, _) = best(&seen);
        assert!(
            seen.iter()
                .all(|c| c.1.iter().all(|u| (0.0..=1.0).contains(u)))
        );
        approx::assert_abs_diff_eq!(x[0], 1.0, epsilon = 1e-9);
        approx::assert_abs_diff_eq!(x[1], 0.2, epsilon = 1e-3);
        approx::assert_abs_diff_eq!(x[2], 0.6, epsilon = 1e-3);
    }

    #[test]
    fn the_same_seed_gives_the_same_candidates_and_another_seed_other_ones() {
        let a = search(2, &settings(8, 30), 11, rosenbrock);
        let b = search(2, &settings(8, 30), 11, rosenbrock);
        let c = search(2, &settings(8, 30), 12, rosenbrock);
        let bits = |s: &[(Phase, Vec<f64>, f64)]| {
            s.iter()
                .map(|(p, x, l)| {
                    (
                        *p,
                        x.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                        l.to_bits(),
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(bits(&a), bits(&b));
        assert_ne!(bits(&a), bits(&c));
    }

    #[test]
    fn a_stop_ends_the_search_without_panicking_even_inside_the_first_simplex() {
        for stop_at in [3, 9, 10, 11, 25] {
            let mut n = 0;
            let ended = run(2, &settings(8, 30), 1, &mut |_, u: &[f64]| {
                n += 1;
                (n < stop_at).then(|| rosenbrock(u))
            })
            .unwrap();
            assert_eq!(ended, Ended::Stopped, "stop at {stop_at}");
            assert_eq!(n, stop_at, "no call after the stop reaches the objective");
        }
    }
}
