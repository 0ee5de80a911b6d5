//! Problems found in a scenario, located at file, line and column, each with a fix: the one
//! reporting machinery of every input file kind lives in `chokepoint-diagnostics`.

pub use chokepoint_diagnostics::{Located, Problem, did_you_mean, line_col};
