//! Simulated time: steps of a fixed number of days from a start date.

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

/// The simulated clock: `n_steps` steps of `step_days` days each, starting on `start`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    /// The first day of step 0.
    pub start: NaiveDate,
    /// Length of one step in days (7 = weekly).
    pub step_days: u32,
    /// Number of steps simulated and reported (the horizon).
    pub n_steps: u32,
    /// Steps simulated before `start` and not reported (the warm-up): the opening state runs
    /// under the baseline policy until stocks, orders and prices settle, then the outputs start
    /// at `start`. Step numbers (events, outputs) count from `start`; the warm-up steps come
    /// before step 0.
    #[serde(default)]
    pub warmup_steps: u32,
}

impl Calendar {
    /// Days in a week, the unit of every `_weeks` output ([`crate::units::DAYS_PER_WEEK`]).
    pub const DAYS_PER_WEEK: f64 = crate::units::DAYS_PER_WEEK;
    /// Mean days per year, used to turn annual rates (growth, quotas) into per-step ones
    /// ([`crate::units::DAYS_PER_YEAR`]).
    pub const DAYS_PER_YEAR: f64 = crate::units::DAYS_PER_YEAR;

    /// The first day of step `step`.
    #[must_use]
    pub fn date_of(&self, step: u32) -> NaiveDate {
        self.start
            .checked_add_days(Days::new(u64::from(step) * u64::from(self.step_days)))
            .unwrap_or(NaiveDate::MAX)
    }

    /// Length of one step in weeks.
    #[must_use]
    pub fn step_weeks(&self) -> f64 {
        f64::from(self.step_days) / Self::DAYS_PER_WEEK
    }

    /// Length of one step in years.
    #[must_use]
    pub fn step_years(&self) -> f64 {
        f64::from(self.step_days) / Self::DAYS_PER_YEAR
    }

    /// The first step whose start date is on or after `date` (`n_steps` if beyond the horizon).
    #[must_use]
    pub fn step_of(&self, date: NaiveDate) -> u32 {
        let days = (date - self.start).num_days();
        if days <= 0 {
            return 0;
        }
        let days = days.unsigned_abs();
        let step = days.div_ceil(u64::from(self.step_days.max(1)));
        u32::try_from(step).unwrap_or(u32::MAX).min(self.n_steps)
    }

    /// True when `step` is the first step of a new calendar year (quotas reset then).
    #[must_use]
    pub fn starts_new_year(&self, step: u32) -> bool {
        step > 0 && self.date_of(step).year() != self.date_of(step - 1).year()
    }

    /// Share of the calendar year of `start` that lies on or after `start` (for pro-rata quotas).
    #[must_use]
    pub fn first_year_share(&self) -> f64 {
        self.year_share_from(0)
    }

    /// Share of the calendar year of step `step`'s first day that lies on or after that day (a
    /// yearly allowance that starts mid-year is pro rata in its first year).
    #[must_use]
    pub fn year_share_from(&self, step: u32) -> f64 {
        let from = self.date_of(step);
        let year = from.year();
        let (Some(jan1), Some(next)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year + 1, 1, 1),
        ) else {
            return 1.0;
        };
        let total = (next - jan1).num_days() as f64;
        (next - from).num_days() as f64 / total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal() -> Calendar {
        Calendar {
            start: NaiveDate::from_ymd_opt(2025, 1, 6).unwrap(),
            step_days: 7,
            n_steps: 260,
            warmup_steps: 0,
        }
    }

    #[test]
    fn dates_advance_by_step_length() {
        let c = cal();
        assert_eq!(c.date_of(0), c.start);
        assert_eq!(c.date_of(4), NaiveDate::from_ymd_opt(2025, 2, 3).unwrap());
    }

    #[test]
    fn step_of_rounds_up_to_the_next_step_start() {
        let c = cal();
        assert_eq!(c.step_of(c.start), 0);
        assert_eq!(c.step_of(NaiveDate::from_ymd_opt(2025, 1, 7).unwrap()), 1);
        assert_eq!(c.step_of(NaiveDate::from_ymd_opt(2025, 1, 13).unwrap()), 1);
        assert_eq!(c.step_of(NaiveDate::from_ymd_opt(2040, 1, 1).unwrap()), 260);
    }

    #[test]
    fn new_year_detected_once() {
        let c = cal();
        let starts: Vec<u32> = (0..c.n_steps).filter(|&s| c.starts_new_year(s)).collect();
        assert_eq!(
            starts.len(),
            4,
            "five years of weekly steps cross four new years"
        );
        assert_eq!(c.date_of(starts[0]).year(), 2026);
    }
}
