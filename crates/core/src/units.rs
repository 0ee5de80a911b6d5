//! Unit conversions shared by the whole model, written once.
//!
//! Scenario files and parameters use tonnes for material, USD per kilogram for prices and days
//! for the calendar; these are the only factors between them. They are conversions, not model
//! parameters (those live in scenario files). Code that converts must divide or multiply by the
//! constant exactly as it did before it was named here: `x / 1000.0` and `x * 0.001` differ in
//! the last bit, and the golden outputs would move.

/// Kilograms per tonne: turns USD-per-kg prices into USD per tonne, and kg-per-tonne bill of
/// materials lines into mass shares.
pub const KG_PER_T: f64 = 1000.0;

/// Days in a week, the unit of every `_weeks` output and input.
pub const DAYS_PER_WEEK: f64 = 7.0;

/// Mean days per (Julian) year, to turn annual rates (growth, quotas) into per-step ones.
pub const DAYS_PER_YEAR: f64 = 365.25;
