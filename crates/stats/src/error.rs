//! Errors for shape mismatches; everything else in the crate is total.

/// Why an accumulator refused an input or a merge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatsError {
    /// A slice had the wrong length (a trajectory, or the second half of a pair).
    #[error("expected {expected} values, got {got}")]
    LengthMismatch {
        /// Length the accumulator or the first slice required.
        expected: usize,
        /// Length actually given.
        got: usize,
    },
    /// Two series accumulators of different shapes cannot be merged.
    #[error("cannot merge series of shape {left:?} (steps, vars) with {right:?}")]
    ShapeMismatch {
        /// Shape of the accumulator merged into.
        left: (usize, usize),
        /// Shape of the accumulator merged from.
        right: (usize, usize),
    },
}
