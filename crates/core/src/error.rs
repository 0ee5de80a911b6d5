//! Errors the model reports about its parameters.

use thiserror::Error;

use crate::targets::TargetError;

/// One inconsistency in a [`crate::ModelParams`]. The scenario crate reports problems with file
/// and line before the model is built; these are the model's own last line of defence, so that a
/// bad parameter set is refused instead of panicking or producing NaN.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ParamError {
    /// A reference to an item, region, sector, producer, manufacturer or authority that does not exist.
    #[error("{path}: refers to {kind} #{index}, but only {len} exist")]
    UnknownId {
        /// Where the reference stands, e.g. `producers[3].region`.
        path: String,
        /// What kind of thing was referenced.
        kind: &'static str,
        /// The index given.
        index: usize,
        /// How many there are.
        len: usize,
    },
    /// A number outside its allowed range (or NaN / infinite).
    #[error("{path}: {value} is not allowed; expected {expected}")]
    OutOfRange {
        /// Where the number stands.
        path: String,
        /// The value, printed.
        value: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A table has the wrong size.
    #[error("{path}: has {actual} entries, expected {expected}")]
    WrongLength {
        /// Where the table stands.
        path: String,
        /// Its length.
        actual: usize,
        /// The length required.
        expected: usize,
    },
    /// The model has nothing to simulate.
    #[error("{0}")]
    Empty(&'static str),
    /// A target cannot be read off the outputs.
    #[error("targets[{index}] (`{name}`): {error}")]
    Target {
        /// Its position in [`crate::ModelParams::targets`].
        index: usize,
        /// Its name.
        name: String,
        /// What is wrong.
        error: TargetError,
    },
}

/// All problems found in one parameter set.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("{} problem(s) in model parameters:\n{}", .0.len(), .0.iter().map(|e| format!("  - {e}")).collect::<Vec<_>>().join("\n"))]
pub struct ParamErrors(pub Vec<ParamError>);
