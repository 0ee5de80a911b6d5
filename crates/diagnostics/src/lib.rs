//! # chokepoint-diagnostics: one way to report a problem in any input file
//!
//! Scenario, strategies, benchmark-suite and calibration files, and `--set` values, all report
//! their problems the same way: a [`Problem`] at `file:line:column`, naming the key, saying what is
//! wrong in plain words (never a Rust type name: [`plain`] translates serde's), with did-you-mean
//! for a misspelt key and a fix. [`read_toml`] reads any serde-typed file so, listing every wrong
//! type, unknown and missing key at once; [`read_text`] reads a file that must be UTF-8 and says
//! where it is not.
//!
//! **What it is not.** It knows no file format of its own: each crate brings its types.

mod located;
mod plain;
mod strict;
mod text;

pub use located::{Located, Problem, did_you_mean, line_col};
pub use plain::plain;
pub use strict::read_toml;
pub use text::{decode, read_text};
