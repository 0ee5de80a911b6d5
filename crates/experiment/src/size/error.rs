//! Why a sizing could not be done. Each message names what was given and how to fix it.

use std::path::PathBuf;

use crate::error::{BoxError, Error};

/// Why `size` failed (an unreachable target is not an error: see
/// [`SizeReport::reached`](super::SizeReport)).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SizeError {
    /// The engine failed (a scenario, a run, a file).
    #[error(transparent)]
    Engine(#[from] Error),
    /// The target text does not parse.
    #[error("--target \"{text}\": {message}; {fix}")]
    Target {
        /// The text as given.
        text: String,
        /// What is wrong.
        message: String,
        /// How to write it.
        fix: String,
    },
    /// The target names no metric.
    #[error(
        "--target names `{metric}`, which is not a per-replication metric{hint}; metrics: {known}"
    )]
    UnknownMetric {
        /// The name given.
        metric: String,
        /// Did-you-mean.
        hint: String,
        /// The metrics there are.
        known: String,
    },
    /// The strategy is not in the strategies file.
    #[error("{}: no strategy `{name}`{hint}; strategies: {known}", file.display())]
    UnknownStrategy {
        /// The name given.
        name: String,
        /// The strategies file.
        file: PathBuf,
        /// Did-you-mean.
        hint: String,
        /// The names there are.
        known: String,
    },
    /// An item to size is not held by the strategy.
    #[error(
        "strategy `{strategy}` holds no `{item}`{hint}, so there is nothing to size; it holds: {held} (give --item one of them, or use a strategy that holds {item})"
    )]
    NotHeld {
        /// The strategy.
        strategy: String,
        /// The item given.
        item: String,
        /// Did-you-mean.
        hint: String,
        /// What it holds.
        held: String,
    },
    /// The strategy holds nothing at all.
    #[error(
        "strategy `{0}` has no stockpile holdings to size; pick a strategy with `[[strategy.stockpile.holding]]` entries"
    )]
    NothingHeld(String),
    /// The template's holdings cannot be scaled (the front door's message says which key).
    #[error("cannot size strategy `{strategy}` at {weeks}")]
    Resize {
        /// The strategy.
        strategy: String,
        /// The sizes asked for, `item=weeks`.
        weeks: String,
        /// Why.
        source: BoxError,
    },
    /// `--scale`'s key cannot be scaled, or not to a value the search needs (the front door's
    /// message says why and how to fix it).
    #[error("--scale {path}{at}")]
    Scale {
        /// The key path given.
        path: String,
        /// ` at VALUE` for the value tried; empty when reading the template's own.
        at: String,
        /// Why.
        source: BoxError,
    },
    /// A flag is out of its range.
    #[error("{flag} {value}: {message}")]
    Flag {
        /// The flag.
        flag: &'static str,
        /// Its value.
        value: String,
        /// What is wrong and what to give.
        message: String,
    },
    /// `--weights` does not match the scenarios.
    #[error("--weights: {0}")]
    Weights(String),
    /// Every replication gave a value that is not a number for the target's metric.
    #[error(
        "`{metric}` is not a number in any replication of scenario `{scenario}`, so the target cannot be judged; pick another metric"
    )]
    NoValues {
        /// The metric.
        metric: String,
        /// The scenario.
        scenario: String,
    },
    /// Stopped by the stop flag (Ctrl-C); sizing does not resume.
    #[error("{}: stopped before the answer was found; sizing does not resume: run it again", dir.display())]
    Interrupted {
        /// The output folder (marked interrupted).
        dir: PathBuf,
    },
}
