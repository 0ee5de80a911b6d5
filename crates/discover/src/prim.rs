//! Peeling, pasting and the restrictions of a box (Friedman & Fisher 1999).
//!
//! Densities are compared as fractions of whole numbers (`hits_a × n_b` against
//! `hits_b × n_a`), never as rounded `f64`s, so which cut wins never depends on rounding and
//! ties are broken the same way everywhere: more cases kept, then the lower parameter index,
//! then the low end before the high end.

use statrs::distribution::{Binomial, DiscreteCDF};

use crate::{Cases, Error, Settings};

/// A box: an inclusive range per parameter, in [`Cases::names`] order.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BoxLimits {
    /// Lowest value inside, per parameter.
    pub lo: Vec<f64>,
    /// Highest value inside, per parameter.
    pub hi: Vec<f64>,
}

impl BoxLimits {
    /// The smallest box around every case.
    fn around(cases: &Cases) -> Self {
        let (lo, hi) = cases
            .columns
            .iter()
            .map(|c| {
                c.iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| {
                        (l.min(v), h.max(v))
                    })
            })
            .unzip();
        BoxLimits { lo, hi }
    }

    fn contains(&self, cases: &Cases, case: usize) -> bool {
        cases
            .columns
            .iter()
            .zip(self.lo.iter().zip(&self.hi))
            .all(|(c, (&lo, &hi))| c[case] >= lo && c[case] <= hi)
    }

    /// Whether `case` is inside on every parameter but `skip`.
    fn contains_except(&self, cases: &Cases, case: usize, skip: usize) -> bool {
        cases
            .columns
            .iter()
            .zip(self.lo.iter().zip(&self.hi))
            .enumerate()
            .all(|(j, (c, (&lo, &hi)))| j == skip || (c[case] >= lo && c[case] <= hi))
    }

    fn members(&self, cases: &Cases) -> Vec<usize> {
        (0..cases.len())
            .filter(|&i| self.contains(cases, i))
            .collect()
    }
}

/// How good a box is.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct BoxStats {
    /// Cases inside.
    pub cases: usize,
    /// Cases of interest inside.
    pub interesting: usize,
    /// Share of all cases of interest that are inside.
    pub coverage: f64,
    /// Share of the cases inside that are of interest.
    pub density: f64,
    /// Share of all cases that are inside.
    pub mass: f64,
    /// Parameters whose range the box narrows.
    pub restricted: usize,
}

/// One box of the peeling trajectory (or the pasted box).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Step {
    /// Its limits.
    pub limits: BoxLimits,
    /// Its coverage, density and mass.
    pub stats: BoxStats,
}

/// The boxes peeling went through, from the box around all cases to the last peel.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Trajectory {
    /// Step 0 is the box around all cases (coverage 1).
    pub steps: Vec<Step>,
}

impl Trajectory {
    /// The densest box with at least `min_coverage` of the cases of interest (the earliest of
    /// equally dense ones: it covers more). Step 0 covers all, so there is always one.
    #[must_use]
    pub fn choose(&self, min_coverage: f64) -> usize {
        let mut best = 0;
        for (i, s) in self.steps.iter().enumerate() {
            if s.stats.coverage >= min_coverage && denser(&s.stats, &self.steps[best].stats) {
                best = i;
            }
        }
        best
    }
}

/// Whether `a` is strictly denser than `b`, exactly.
fn denser(a: &BoxStats, b: &BoxStats) -> bool {
    (a.interesting as u128) * (b.cases as u128) > (b.interesting as u128) * (a.cases as u128)
}

fn stats(cases: &Cases, full: &BoxLimits, limits: &BoxLimits, members: &[usize]) -> BoxStats {
    let interesting = members.iter().filter(|&&i| cases.interesting[i]).count();
    let restricted = (0..full.lo.len())
        .filter(|&j| limits.lo[j] > full.lo[j] || limits.hi[j] < full.hi[j])
        .count();
    #[allow(clippy::cast_precision_loss)] // case counts are far below 2^52
    let share = |a: usize, b: usize| a as f64 / b as f64;
    BoxStats {
        cases: members.len(),
        interesting,
        coverage: share(interesting, cases.interesting_count()),
        density: if members.is_empty() {
            0.0
        } else {
            share(interesting, members.len())
        },
        mass: share(members.len(), cases.len()),
        restricted,
    }
}

/// At least one case, `alpha` of `n` rounded up.
fn at_least_one(alpha: f64, n: usize) -> usize {
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let k = (alpha * n as f64).ceil() as usize;
    k.max(1)
}

/// A candidate box and its members, kept while searching for the best cut.
struct Candidate {
    limits: BoxLimits,
    members: Vec<usize>,
    stats: BoxStats,
}

fn better(new: &BoxStats, best: Option<&Candidate>) -> bool {
    match best {
        None => true,
        Some(b) => denser(new, &b.stats) || (!denser(&b.stats, new) && new.cases > b.stats.cases),
    }
}

/// Peels from the box around all cases until no cut raises the density or the box would hold
/// less than `mass_min` of the cases.
///
/// # Errors
/// A setting out of range.
pub fn peel(cases: &Cases, settings: &Settings) -> Result<Trajectory, Error> {
    settings.check()?;
    let full = BoxLimits::around(cases);
    let mut limits = full.clone();
    let mut members: Vec<usize> = (0..cases.len()).collect();
    let mut steps = vec![Step {
        stats: stats(cases, &full, &limits, &members),
        limits: limits.clone(),
    }];
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let min_cases = ((settings.mass_min * cases.len() as f64).ceil() as usize).max(1);
    let mut sorted = Vec::with_capacity(cases.len());
    loop {
        let k = at_least_one(settings.peel_alpha, members.len());
        let mut best: Option<Candidate> = None;
        for (j, column) in cases.columns.iter().enumerate() {
            sorted.clear();
            sorted.extend(members.iter().map(|&i| column[i]));
            sorted.sort_by(f64::total_cmp);
            let n = sorted.len();
            // Low end: drop every case at or below the k-th smallest value.
            let cut_lo = sorted[k.min(n) - 1];
            // High end: drop every case at or above the k-th largest value.
            let cut_hi = sorted[n - k.min(n)];
            for low_end in [true, false] {
                let keep: Vec<usize> = members
                    .iter()
                    .copied()
                    .filter(|&i| {
                        if low_end {
                            column[i] > cut_lo
                        } else {
                            column[i] < cut_hi
                        }
                    })
                    .collect();
                if keep.len() < min_cases {
                    continue;
                }
                let mut next = limits.clone();
                let kept = keep.iter().map(|&i| column[i]);
                if low_end {
                    next.lo[j] = kept.fold(f64::INFINITY, f64::min);
                } else {
                    next.hi[j] = kept.fold(f64::NEG_INFINITY, f64::max);
                }
                let s = stats(cases, &full, &next, &keep);
                if better(&s, best.as_ref()) {
                    best = Some(Candidate {
                        limits: next,
                        members: keep,
                        stats: s,
                    });
                }
            }
        }
        let current = &steps[steps.len() - 1].stats;
        match best {
            Some(c) if denser(&c.stats, current) => {
                limits = c.limits;
                members = c.members;
                steps.push(Step {
                    limits: limits.clone(),
                    stats: c.stats,
                });
            }
            _ => break,
        }
    }
    Ok(Trajectory { steps })
}

/// Grows `start` back, a `paste_alpha` share of its cases at a time, on whichever end of
/// whichever parameter gives the densest box, while that raises the density or keeps it and
/// covers more cases of interest.
///
/// # Errors
/// A setting out of range, or limits with another number of parameters than the cases.
pub fn paste(cases: &Cases, settings: &Settings, start: &BoxLimits) -> Result<Step, Error> {
    settings.check()?;
    if start.lo.len() != cases.columns.len() || start.hi.len() != cases.columns.len() {
        return Err(Error::NoParameters);
    }
    let full = BoxLimits::around(cases);
    let mut limits = start.clone();
    let mut members = limits.members(cases);
    let mut current = stats(cases, &full, &limits, &members);
    let mut outside = Vec::with_capacity(cases.len());
    loop {
        let k = at_least_one(settings.paste_alpha, members.len());
        let mut best: Option<Candidate> = None;
        for (j, column) in cases.columns.iter().enumerate() {
            for low_end in [true, false] {
                // Cases inside on every other parameter and beyond this end, nearest first.
                outside.clear();
                outside.extend((0..cases.len()).filter_map(|i| {
                    let v = column[i];
                    let beyond = if low_end {
                        v < limits.lo[j]
                    } else {
                        v > limits.hi[j]
                    };
                    (beyond && limits.contains_except(cases, i, j)).then_some(v)
                }));
                if outside.is_empty() {
                    continue;
                }
                outside.sort_by(|a, b| {
                    if low_end {
                        b.total_cmp(a)
                    } else {
                        a.total_cmp(b)
                    }
                });
                let edge = outside[k.min(outside.len()) - 1];
                let mut next = limits.clone();
                if low_end {
                    next.lo[j] = edge;
                } else {
                    next.hi[j] = edge;
                }
                let grown = next.members(cases);
                let s = stats(cases, &full, &next, &grown);
                if better(&s, best.as_ref()) {
                    best = Some(Candidate {
                        limits: next,
                        members: grown,
                        stats: s,
                    });
                }
            }
        }
        // Accept a paste that raises the density, or keeps it and covers more: either way the
        // box is no worse on one measure and better on the other.
        let improves = |s: &BoxStats| {
            denser(s, &current) || (!denser(&current, s) && s.interesting > current.interesting)
        };
        match best {
            Some(c) if improves(&c.stats) => {
                limits = c.limits;
                members = c.members;
                current = c.stats;
            }
            _ => break,
        }
    }
    Ok(Step {
        limits,
        stats: current,
    })
}

/// One parameter a box narrows.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Restriction {
    /// The parameter's name.
    pub parameter: String,
    /// Lowest value inside the box.
    pub lo: f64,
    /// Highest value inside the box.
    pub hi: f64,
    /// Lowest value among all cases.
    pub cases_lo: f64,
    /// Highest value among all cases.
    pub cases_hi: f64,
    /// One-sided binomial test: the chance of at least the box's cases of interest among its
    /// cases if they were drawn at the density of the box without this restriction.
    pub quasi_p: f64,
}

/// The parameters `limits` narrows, in [`Cases::names`] order, with their quasi-p-values.
#[must_use]
pub fn restrictions(cases: &Cases, limits: &BoxLimits) -> Vec<Restriction> {
    let full = BoxLimits::around(cases);
    let members = limits.members(cases);
    let inside = stats(cases, &full, limits, &members);
    (0..full.lo.len())
        .filter(|&j| limits.lo[j] > full.lo[j] || limits.hi[j] < full.hi[j])
        .map(|j| {
            let mut loose = limits.clone();
            loose.lo[j] = full.lo[j];
            loose.hi[j] = full.hi[j];
            let wider = loose.members(cases);
            let base = stats(cases, &full, &loose, &wider);
            Restriction {
                parameter: cases.names[j].clone(),
                lo: limits.lo[j],
                hi: limits.hi[j],
                cases_lo: full.lo[j],
                cases_hi: full.hi[j],
                quasi_p: at_least(inside.interesting, inside.cases, base.density),
            }
        })
        .collect()
}

/// P(X ≥ `hits`) for X ~ Binomial(`n`, `p`).
fn at_least(hits: usize, n: usize, p: f64) -> f64 {
    if hits == 0 {
        return 1.0;
    }
    match Binomial::new(p.clamp(0.0, 1.0), n as u64) {
        Ok(b) => b.sf(hits as u64 - 1),
        Err(_) => f64::NAN,
    }
}

#[cfg(test)]
mod tests;
