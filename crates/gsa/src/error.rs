//! What can go wrong in a sensitivity analysis, with what to do about it.

/// An error of the designs, quantile maps or estimators.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GsaError {
    /// A design over no input.
    #[error(
        "a sensitivity analysis needs at least one uncertain input; give one with --param PATH or PATH=LO:HI"
    )]
    NoInputs,
    /// More inputs than the Sobol sequence has dimensions for.
    #[error(
        "{inputs} inputs is more than a Saltelli design supports ({max}); choose a subset with --param"
    )]
    TooManyInputs {
        /// Inputs asked for.
        inputs: usize,
        /// The most supported.
        max: usize,
    },
    /// A base sample size outside what the Sobol sequence provides.
    #[error(
        "a Saltelli design needs 2 to {max} base points, not {n}; write e.g. --n 256 (a power of two)"
    )]
    BadBaseSize {
        /// Base points asked for.
        n: usize,
        /// The most supported.
        max: usize,
    },
    /// Morris needs at least two trajectories for a spread.
    #[error(
        "Morris screening needs at least 2 trajectories, not {0}; write e.g. --trajectories 20"
    )]
    TooFewTrajectories(usize),
    /// The outputs do not match the design.
    #[error("the design has {expected} points but {got} outputs were given")]
    OutputCount {
        /// Points of the design.
        expected: usize,
        /// Outputs given.
        got: usize,
    },
    /// A distribution kind without a quantile function here.
    #[error("`{key}`: the distribution `{dist}` has no quantile function; use one of {known}")]
    UnknownDist {
        /// The key whose distribution it is.
        key: String,
        /// The kind.
        dist: String,
        /// The kinds supported.
        known: String,
    },
    /// A distribution whose parameters do not define one.
    #[error("`{key}`: {problem}")]
    BadDist {
        /// The key whose distribution it is.
        key: String,
        /// What is wrong.
        problem: String,
    },
}
