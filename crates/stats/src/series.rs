//! Per-step, per-variable statistics over replications' trajectories.

use serde::{Deserialize, Serialize};

use crate::{ExactSum, QuantileSketch, StatsError};

/// Accumulates replications' trajectories, each a flat step-major table of
/// `n_steps × n_vars` values (value of variable `v` at step `s` at index
/// `s * n_vars + v`).
///
/// Every cell keeps an [`ExactSum`] and a [`QuantileSketch`], so memory depends
/// on the shape and the sketches' buckets, not on the number of replications,
/// and the state is bit-identical for any order of trajectories and merges.
/// A value that [`ExactSum::accepts`] rejects (NaN, ±infinity, |x| ≥ 2^95) is
/// left out of both the mean and the quantiles and counted in the cell's
/// `rejected`, so the two always describe the same values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesAccumulator {
    n_steps: usize,
    n_vars: usize,
    trajectories: u64,
    cells: Vec<Cell>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Cell {
    sum: ExactSum,
    sketch: QuantileSketch,
    rejected: u64,
}

impl SeriesAccumulator {
    /// An empty accumulator for `n_steps × n_vars` tables.
    ///
    /// # Panics
    /// If `n_steps * n_vars` overflows `usize`.
    #[must_use]
    pub fn new(n_steps: usize, n_vars: usize) -> Self {
        let len = n_steps
            .checked_mul(n_vars)
            .expect("series shape overflows usize");
        Self {
            n_steps,
            n_vars,
            trajectories: 0,
            cells: vec![Cell::default(); len],
        }
    }

    /// Adds one replication's flat step-major table; errors (adding nothing) if
    /// its length is not `n_steps * n_vars`.
    pub fn add_trajectory(&mut self, values: &[f64]) -> Result<(), StatsError> {
        if values.len() != self.cells.len() {
            return Err(StatsError::LengthMismatch {
                expected: self.cells.len(),
                got: values.len(),
            });
        }
        for (cell, &x) in self.cells.iter_mut().zip(values) {
            if ExactSum::accepts(x) {
                cell.sum.add(x);
                cell.sketch.add(x);
            } else {
                cell.rejected = cell.rejected.saturating_add(1);
            }
        }
        self.trajectories = self.trajectories.saturating_add(1);
        Ok(())
    }

    /// Adds several replications' tables at once: `values` holds whole tables back to back
    /// (`k * n_steps * n_vars` values); errors (adding nothing) if its length is not a multiple
    /// of one table's. The same state as adding them one by one with
    /// [`add_trajectory`](Self::add_trajectory), but faster: each cell takes all `k` values
    /// in turn, so its buckets are fetched from memory once, not `k` times (issue 14: with
    /// 48,100 cells, adds one table at a time waited on a cache miss per cell).
    pub fn add_trajectories(&mut self, values: &[f64]) -> Result<(), StatsError> {
        let len = self.cells.len();
        if len == 0 || !values.len().is_multiple_of(len) {
            if len == 0 && values.is_empty() {
                return Ok(());
            }
            return Err(StatsError::LengthMismatch {
                expected: len * (values.len() / len.max(1)).max(1),
                got: values.len(),
            });
        }
        let k = values.len() / len;
        for (j, cell) in self.cells.iter_mut().enumerate() {
            for r in 0..k {
                let x = values[r * len + j];
                if ExactSum::accepts(x) {
                    cell.sum.add(x);
                    cell.sketch.add(x);
                } else {
                    cell.rejected = cell.rejected.saturating_add(1);
                }
            }
        }
        self.trajectories = self.trajectories.saturating_add(k as u64);
        Ok(())
    }

    /// Adds everything `other` has seen; errors (changing nothing) if shapes differ.
    pub fn merge(&mut self, other: &Self) -> Result<(), StatsError> {
        if (self.n_steps, self.n_vars, self.cells.len())
            != (other.n_steps, other.n_vars, other.cells.len())
        {
            return Err(StatsError::ShapeMismatch {
                left: (self.n_steps, self.n_vars),
                right: (other.n_steps, other.n_vars),
            });
        }
        for (mine, theirs) in self.cells.iter_mut().zip(&other.cells) {
            mine.sum.merge(&theirs.sum);
            mine.sketch.merge(&theirs.sketch);
            mine.rejected = mine.rejected.saturating_add(theirs.rejected);
        }
        self.trajectories = self.trajectories.saturating_add(other.trajectories);
        Ok(())
    }

    /// Number of trajectories added, including those merged in.
    #[must_use]
    pub fn trajectories(&self) -> u64 {
        self.trajectories
    }

    /// Mean and quantiles of every cell; the accumulator stays usable.
    #[must_use]
    pub fn finish(&self) -> SeriesSummary {
        let q = |c: &Cell, p: f64| c.sketch.quantile(p).unwrap_or(f64::NAN);
        let cells = self
            .cells
            .iter()
            .map(|c| CellSummary {
                n: c.sum.count(),
                rejected: c.rejected,
                // 0 / 0 gives NaN for a cell with no accepted value.
                mean: c.sum.value() / c.sum.count() as f64,
                p5: q(c, 0.05),
                p25: q(c, 0.25),
                p50: q(c, 0.5),
                p75: q(c, 0.75),
                p95: q(c, 0.95),
            })
            .collect();
        SeriesSummary {
            n_steps: self.n_steps,
            n_vars: self.n_vars,
            trajectories: self.trajectories,
            cells,
        }
    }
}

/// Per-cell results of a [`SeriesAccumulator`], step-major like its input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesSummary {
    /// Number of steps.
    pub n_steps: usize,
    /// Number of variables per step.
    pub n_vars: usize,
    /// Number of trajectories summarized.
    pub trajectories: u64,
    /// `n_steps * n_vars` cells; cell (s, v) is at `s * n_vars + v`.
    pub cells: Vec<CellSummary>,
}

impl SeriesSummary {
    /// The cell of variable `var` at step `step`, if within the shape.
    #[must_use]
    pub fn get(&self, step: usize, var: usize) -> Option<&CellSummary> {
        (step < self.n_steps && var < self.n_vars).then(|| &self.cells[step * self.n_vars + var])
    }
}

/// Statistics of one (step, variable) cell across trajectories.
///
/// Quantiles follow [`QuantileSketch::quantile`] (nearest rank, relative
/// accuracy 1/201). With `n == 0` every float field is NaN.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellSummary {
    /// Values included.
    pub n: u64,
    /// Values left out: NaN, ±infinity or |x| ≥ 2^95.
    pub rejected: u64,
    /// Exact sum / n, correctly rounded sum then one division.
    pub mean: f64,
    /// 5th percentile.
    pub p5: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn accumulate(n_steps: usize, n_vars: usize, trajs: &[Vec<f64>]) -> SeriesAccumulator {
        let mut acc = SeriesAccumulator::new(n_steps, n_vars);
        for t in trajs {
            acc.add_trajectory(t).unwrap();
        }
        acc
    }

    #[test]
    fn small_known_example() {
        // 2 steps × 2 vars, 3 replications.
        let trajs = [
            vec![1.0, 10.0, 2.0, f64::NAN],
            vec![2.0, 20.0, 4.0, 1.0],
            vec![3.0, 30.0, 6.0, 1.0],
        ];
        let s = accumulate(2, 2, &trajs).finish();
        assert_eq!(s.trajectories, 3);
        let c = s.get(0, 0).unwrap();
        assert_eq!((c.n, c.rejected), (3, 0));
        assert_eq!(c.mean.to_bits(), 2.0f64.to_bits());
        assert_eq!(c.p5.to_bits(), 1.0f64.to_bits()); // rank 1: exact min
        assert_eq!(c.p95.to_bits(), 3.0f64.to_bits()); // rank 3: exact max
        assert!((c.p50 - 2.0).abs() <= 2.0 * QuantileSketch::RELATIVE_ACCURACY);
        assert_eq!(s.get(0, 1).unwrap().mean.to_bits(), 20.0f64.to_bits());
        let d = s.get(1, 1).unwrap();
        assert_eq!((d.n, d.rejected), (2, 1));
        assert_eq!(d.mean.to_bits(), 1.0f64.to_bits());
        assert!(s.get(2, 0).is_none());
        assert!(SeriesAccumulator::new(1, 1).finish().cells[0].mean.is_nan());
    }

    #[test]
    fn shape_errors() {
        let mut a = SeriesAccumulator::new(2, 3);
        let err = |r: Result<(), StatsError>| r.unwrap_err().to_string();
        assert_eq!(err(a.add_trajectory(&[0.0; 5])), "expected 6 values, got 5");
        assert_eq!(a.trajectories(), 0);
        let b = SeriesAccumulator::new(3, 2);
        let msg = "cannot merge series of shape (2, 3) (steps, vars) with (3, 2)";
        assert_eq!(err(a.merge(&b)), msg);
    }

    #[test]
    fn several_tables_at_once_equal_one_by_one() {
        let trajs: Vec<Vec<f64>> = (0..5)
            .map(|r| (0..6).map(|i| f64::from(r * 7 - i) * 0.3).collect())
            .collect();
        let mut flat = trajs.concat();
        flat[4] = f64::NAN;
        let mut one_by_one = SeriesAccumulator::new(3, 2);
        for t in flat.chunks(6) {
            one_by_one.add_trajectory(t).unwrap();
        }
        let mut at_once = SeriesAccumulator::new(3, 2);
        at_once.add_trajectories(&flat).unwrap();
        assert_eq!(at_once, one_by_one);
        assert_eq!(at_once.trajectories(), 5);
        let err = at_once.add_trajectories(&flat[..7]).unwrap_err();
        assert_eq!(err.to_string(), "expected 6 values, got 7");
        assert_eq!(at_once.trajectories(), 5);
    }

    proptest! {
        #[test]
        fn order_and_sharding_do_not_matter(
            (trajs, shuffled) in prop::collection::vec(
                prop::collection::vec(prop_oneof![9 => -1e6..1e6f64, 1 => Just(f64::NAN)], 6), 0..40)
                .prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle())),
            i in 0usize..40,
            j in 0usize..40,
        ) {
            let one_pass = accumulate(3, 2, &trajs);
            let (i, j) = (i.min(j).min(trajs.len()), j.max(i).min(trajs.len()));
            let (a, b, c) = (
                accumulate(3, 2, &shuffled[..i]),
                accumulate(3, 2, &shuffled[i..j]),
                accumulate(3, 2, &shuffled[j..]),
            );
            let mut cba = c.clone();
            cba.merge(&b).unwrap();
            cba.merge(&a).unwrap();
            let mut a_bc = b.clone();
            a_bc.merge(&c).unwrap();
            let mut merged = a.clone();
            merged.merge(&a_bc).unwrap();
            let json = |s: &SeriesAccumulator| serde_json::to_string(s).unwrap();
            let summary = |s: &SeriesAccumulator| serde_json::to_string(&s.finish()).unwrap();
            prop_assert_eq!(json(&cba), json(&one_pass));
            prop_assert_eq!(json(&merged), json(&one_pass));
            prop_assert_eq!(summary(&cba), summary(&one_pass));
            let back: SeriesAccumulator = serde_json::from_str(&json(&one_pass)).unwrap();
            prop_assert_eq!(json(&back), json(&one_pass));
        }
    }
}
