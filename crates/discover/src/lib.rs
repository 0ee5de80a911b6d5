//! # chokepoint-discover: scenario discovery with PRIM
//!
//! A sweep answers "what happens at these parameter values?". Scenario discovery turns it
//! around: *which region of the parameters leads to the outcome we fear?* PRIM, the Patient Rule
//! Induction Method (Friedman & Fisher 1999, "Bump hunting in high-dimensional data"), finds a
//! box — a range per parameter — that holds many of the cases of interest (**coverage**) and
//! few others (**density**). It is the standard tool of robust decision making (Bryant &
//! Lempert 2010; the EMA Workbench's `prim`), so policy researchers can read its output.
//!
//! - **Peeling**: starting from the box around all cases, repeatedly cut a small share
//!   (`peel_alpha`) of the cases in the box off the low or high end of one parameter — the cut
//!   that leaves the highest density — until no cut raises the density or the box would hold
//!   less than `mass_min` of all cases. Each box on the way is a step of the
//!   [`Trajectory`]: coverage falls as density rises, the trade-off the analyst chooses from.
//! - **Pasting**: the chosen box is grown back, a `paste_alpha` share at a time, wherever that
//!   raises its density (peeling is greedy and may have cut too far).
//! - **Restrictions**: the parameters whose range the box narrows, each with a quasi-p-value
//!   (as in the EMA Workbench): a one-sided binomial test of whether the box's density beats
//!   that of the same box without this restriction. A large p says the restriction may be noise.
//!
//! Ties (a grid design has few distinct levels per parameter) are kept together: a peel removes
//! *every* case at or beyond its cut value, so a box limit is always a value some case has, and
//! limits are inclusive.
//!
//! Pure computation: no I/O, no threads, no randomness; the same cases give the same boxes.

#![forbid(unsafe_code)]

mod prim;

pub use prim::{BoxLimits, BoxStats, Restriction, Step, Trajectory, paste, peel, restrictions};

/// The cases PRIM looks at: one value per parameter per case, and whether the case is of
/// interest (its outcome crosses the analyst's threshold).
#[derive(Clone, Debug)]
pub struct Cases {
    names: Vec<String>,
    /// Column-major: `columns[parameter][case]`.
    columns: Vec<Vec<f64>>,
    interesting: Vec<bool>,
}

impl Cases {
    /// Checks and holds the cases. `columns[j]` are parameter `names[j]`'s values, one per case.
    ///
    /// # Errors
    /// No parameters or no cases, columns of different lengths, a value that is not finite, no
    /// case of interest, or every case of interest (then there is nothing to tell apart).
    pub fn new(
        names: Vec<String>,
        columns: Vec<Vec<f64>>,
        interesting: Vec<bool>,
    ) -> Result<Self, Error> {
        if names.is_empty() || names.len() != columns.len() {
            return Err(Error::NoParameters);
        }
        let n = interesting.len();
        if n == 0 {
            return Err(Error::NoCases);
        }
        for (name, column) in names.iter().zip(&columns) {
            if column.len() != n {
                return Err(Error::Lengths {
                    parameter: name.clone(),
                    values: column.len(),
                    cases: n,
                });
            }
            if let Some(case) = column.iter().position(|v| !v.is_finite()) {
                return Err(Error::NotFinite {
                    parameter: name.clone(),
                    case,
                });
            }
        }
        let hits = interesting.iter().filter(|&&b| b).count();
        if hits == 0 {
            return Err(Error::NoneOfInterest { cases: n });
        }
        if hits == n {
            return Err(Error::AllOfInterest { cases: n });
        }
        Ok(Cases {
            names,
            columns,
            interesting,
        })
    }

    /// Number of cases.
    #[must_use]
    pub fn len(&self) -> usize {
        self.interesting.len()
    }

    /// Never true: [`Cases::new`] refuses empty input.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.interesting.is_empty()
    }

    /// The parameters' names, in column order.
    #[must_use]
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Number of cases of interest.
    #[must_use]
    pub fn interesting_count(&self) -> usize {
        self.interesting.iter().filter(|&&b| b).count()
    }
}

/// How PRIM peels and pastes.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Settings {
    /// Share of the box's cases a peel removes (at least one case, and all ties at the cut).
    pub peel_alpha: f64,
    /// Share of the box's cases a paste adds back.
    pub paste_alpha: f64,
    /// Peeling stops before the box would hold less than this share of all cases.
    pub mass_min: f64,
}

/// The EMA Workbench's defaults (`ema_workbench.analysis.prim.Prim`: `peel_alpha=0.05`,
/// `paste_alpha=0.05`, `mass_min=0.05`), the same as Friedman & Fisher's advice of a small
/// alpha ("patience") so that early peels do not commit too soon.
impl Default for Settings {
    fn default() -> Self {
        Settings {
            peel_alpha: 0.05,
            paste_alpha: 0.05,
            mass_min: 0.05,
        }
    }
}

impl Settings {
    /// # Errors
    /// A share outside its range.
    pub fn check(&self) -> Result<(), Error> {
        let share = |name: &'static str, v: f64, max: f64| {
            if v > 0.0 && v < max {
                Ok(())
            } else {
                Err(Error::Setting {
                    name,
                    value: v,
                    range: if max < 1.0 { "(0, 0.5)" } else { "(0, 1)" },
                })
            }
        };
        share("peel_alpha", self.peel_alpha, 0.5)?;
        share("paste_alpha", self.paste_alpha, 0.5)?;
        share("mass_min", self.mass_min, 1.0)
    }
}

/// What can go wrong, worded for the person who chose the inputs.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Error {
    /// No parameter columns.
    #[error("no parameters to find a box over")]
    NoParameters,
    /// No cases.
    #[error("no cases to find a box in")]
    NoCases,
    /// A column of the wrong length.
    #[error("parameter `{parameter}` has {values} values for {cases} cases")]
    Lengths {
        /// The parameter.
        parameter: String,
        /// Its values.
        values: usize,
        /// Cases.
        cases: usize,
    },
    /// A NaN or infinite value.
    #[error("parameter `{parameter}` is not a finite number in case {case}")]
    NotFinite {
        /// The parameter.
        parameter: String,
        /// Index of the case.
        case: usize,
    },
    /// No case crosses the threshold.
    #[error(
        "none of the {cases} cases is of interest: no case crosses the threshold; choose a threshold inside the metric's range"
    )]
    NoneOfInterest {
        /// Cases.
        cases: usize,
    },
    /// Every case crosses the threshold.
    #[error(
        "all {cases} cases are of interest: every case crosses the threshold, so no box can tell them apart; choose a threshold inside the metric's range"
    )]
    AllOfInterest {
        /// Cases.
        cases: usize,
    },
    /// A setting out of range.
    #[error("{name} = {value} is outside {range}")]
    Setting {
        /// Which setting.
        name: &'static str,
        /// Its value.
        value: f64,
        /// The allowed range.
        range: &'static str,
    },
}
