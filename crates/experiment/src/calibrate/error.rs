//! Why a calibration could not be read, run or resumed; problems in a calibration file.

use std::fmt::Write as _;
use std::path::PathBuf;

use crate::error::BoxError;
use crate::monte_carlo::RunError;

/// A problem in a calibration file, where it is and how to fix it: the one kind every input
/// file reports (`chokepoint-diagnostics`).
pub use chokepoint_diagnostics::Problem;

fn lines(problems: &[Problem]) -> String {
    problems.iter().fold(String::new(), |mut s, p| {
        let _ = write!(s, "\n  {p}");
        s
    })
}

/// Why a calibration could not be read, run or resumed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CalibrationError {
    /// The calibration file has problems, each with its line.
    #[error("the calibration file has {} problem(s):{}", .0.len(), lines(.0))]
    Problems(Vec<Problem>),
    /// The file could not be read.
    #[error("{}: cannot read the calibration file", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The scenario did not load.
    #[error("{}: the scenario named by the calibration file does not load", path.display())]
    Scenario {
        /// The scenario file.
        path: PathBuf,
        /// The loader's message.
        source: BoxError,
    },
    /// Nothing to fit.
    #[error(
        "no fit targets: add [[metric_target]] entries to the calibration file (or [[target]] entries with role = \"fit\" to the scenario)"
    )]
    NoTargets,
    /// A candidate inside the ranges gives an invalid scenario (two parameters together).
    #[error("candidate {index} ({values}) is not a valid scenario; narrow the ranges")]
    Candidate {
        /// Which candidate.
        index: usize,
        /// Its values, `key=value, ...`.
        values: String,
        /// The scenario's message.
        source: BoxError,
    },
    /// Replications could not be run.
    #[error(transparent)]
    Run(#[from] RunError),
    /// The engine failed (files, the model).
    #[error(transparent)]
    Engine(#[from] crate::Error),
    /// The optimiser refused its configuration.
    #[error("the Nelder–Mead solver failed: {0}")]
    Search(String),
    /// The output folder holds a calibration already.
    #[error("{}: already holds a calibration; add --resume to finish it, or give another --out", .0.display())]
    AlreadyHoldsResults(PathBuf),
    /// `--resume` on a folder without a calibration.
    #[error("{}: holds no calibration to resume (no manifest.json)", .0.display())]
    NothingToResume(PathBuf),
    /// The folder holds another calibration.
    #[error(
        "{}: holds a calibration of another file, seed, scenario or targets (hash {recorded}, now {now}); resume with the same calibration file and scenario, or give another --out",
        dir.display()
    )]
    DifferentCalibration {
        /// The folder.
        dir: PathBuf,
        /// The recorded hash (12 hex digits).
        recorded: String,
        /// This calibration's (12 hex digits).
        now: String,
    },
    /// The journal does not match the replayed search.
    #[error(
        "{}: candidate {index} in candidates.jsonl differs from the one the search proposes now (written by another version?); start again in a new folder",
        dir.display()
    )]
    Diverged {
        /// The folder.
        dir: PathBuf,
        /// The candidate.
        index: usize,
    },
}
