//! Axis ranges, tick positions and tick labels: calendar ticks (days, months, years) on a date
//! axis, "nice" steps (1, 2, 5 × 10ⁿ) on a value axis, and numbers with thousands separators.
//!
//! Dates are plotted as days since 1970-01-01 (`f64`), so one coordinate type serves every chart
//! and the tick positions are chosen here, not by the plotting library.

use chrono::{Datelike, Months, NaiveDate};

/// Most date ticks on an axis (month labels such as "Sep 2010" stay apart at A4 width).
const MAX_DATE_TICKS: usize = 9;
/// About this many value ticks.
const VALUE_TICKS: f64 = 5.0;
/// Month strides tried, shortest first; 12 and more become year strides.
const MONTH_STRIDES: [u32; 4] = [1, 2, 3, 6];
/// Year strides tried, shortest first.
const YEAR_STRIDES: [u32; 6] = [1, 2, 5, 10, 20, 50];
/// Day strides for ranges shorter than two months.
const DAY_STRIDES: [u64; 4] = [1, 2, 7, 14];

/// The day 0 of the date axis.
fn epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default()
}

/// A date as an axis coordinate: days since 1970-01-01.
#[must_use]
pub fn day_number(date: NaiveDate) -> f64 {
    date.signed_duration_since(epoch()).num_days() as f64
}

/// The date of an axis coordinate (rounded to the nearest day; saturates far outside the
/// calendar).
#[must_use]
pub fn date_of(day: f64) -> NaiveDate {
    #[allow(
        clippy::cast_possible_truncation,
        reason = "clamped to ±1e8 days, far inside i64; chrono refuses what lies past its calendar"
    )]
    let days = if day.is_finite() {
        day.round().clamp(-1.0e8, 1.0e8) as i64
    } else {
        0
    };
    epoch()
        .checked_add_signed(chrono::Duration::days(days))
        .unwrap_or_else(epoch)
}

/// Date ticks: their positions (day numbers) and how to label them.
#[derive(Clone, Debug, PartialEq)]
pub struct DateTicks {
    /// Tick positions, ascending, all inside the range.
    pub days: Vec<f64>,
    /// `chrono` format of the labels: "%Y", "%b %Y" or "%-d %b %Y".
    pub format: &'static str,
}

impl DateTicks {
    /// The label of a tick.
    #[must_use]
    pub fn label(&self, day: f64) -> String {
        date_of(day).format(self.format).to_string()
    }
}

/// Ticks on calendar boundaries inside `[lo, hi]` (day numbers): first days of years when the
/// range spans years, first days of months when it spans months, else days; at most
/// `MAX_DATE_TICKS`, the finest stride that fits.
#[must_use]
pub fn date_ticks(lo: f64, hi: f64) -> DateTicks {
    let (first, last) = (date_of(lo.min(hi)), date_of(lo.max(hi)));
    let month_start = |d: NaiveDate| d.with_day(1).unwrap_or(d);
    let mut start = month_start(first);
    if start < first {
        start = start.checked_add_months(Months::new(1)).unwrap_or(start);
    }
    let months = |stride: u32, align: u32| -> Vec<f64> {
        let mut out = Vec::new();
        let mut d = start;
        // Align to a multiple of the stride (Jan/Jul for 6, Jan/Apr/... for 3).
        while d.month0() % align != 0 {
            match d.checked_add_months(Months::new(1)) {
                Some(next) => d = next,
                None => return out,
            }
        }
        while d <= last {
            out.push(day_number(d));
            match d.checked_add_months(Months::new(stride)) {
                Some(next) => d = next,
                None => break,
            }
        }
        out
    };
    for stride in MONTH_STRIDES {
        let days = months(stride, stride);
        if days.len() > MAX_DATE_TICKS {
            continue;
        }
        if days.len() >= 2 {
            return DateTicks {
                days,
                format: "%b %Y",
            };
        }
        break;
    }
    let years = |stride: u32| -> Vec<f64> {
        let y0 = first.year() + i32::from(first.ordinal() > 1);
        let stride_i = i32::try_from(stride).unwrap_or(1);
        let y0 = y0 + (stride_i - y0.rem_euclid(stride_i)) % stride_i;
        let count = (last.year() - y0).max(-1) / stride_i;
        (0..=count)
            .map(|k| y0 + k * stride_i)
            .filter(|y| *y <= last.year())
            .filter_map(|y| NaiveDate::from_ymd_opt(y, 1, 1))
            .map(day_number)
            .collect()
    };
    if last.signed_duration_since(first).num_days() > 62 {
        for stride in YEAR_STRIDES {
            let days = years(stride);
            if days.len() <= MAX_DATE_TICKS && days.len() >= 2 {
                return DateTicks { days, format: "%Y" };
            }
        }
    }
    // Shorter than about two months (or one year boundary only): day ticks.
    let span = (hi - lo).abs();
    let stride = DAY_STRIDES
        .iter()
        .copied()
        .find(|s| span / (*s as f64) < MAX_DATE_TICKS as f64)
        .unwrap_or(DAY_STRIDES[DAY_STRIDES.len() - 1]) as f64;
    let mut days = Vec::new();
    let mut d = (lo.min(hi) / stride).ceil() * stride;
    while d <= lo.max(hi) && days.len() <= MAX_DATE_TICKS {
        days.push(d);
        d += stride;
    }
    DateTicks {
        days,
        format: "%-d %b %Y",
    }
}

/// Value ticks: positions and the decimals their labels need.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueTicks {
    /// Tick positions, ascending.
    pub values: Vec<f64>,
    /// The axis range they cover: `[values[0], values[last]]`.
    pub range: (f64, f64),
    /// Decimals shown in labels (enough to tell neighbouring ticks apart).
    pub decimals: usize,
}

impl ValueTicks {
    /// The label of a tick, with thousands separators.
    #[must_use]
    pub fn label(&self, value: f64) -> String {
        thousands(value, self.decimals)
    }
}

/// "Nice" ticks covering `[lo, hi]`: a step of 1, 2 or 5 × 10ⁿ giving about five ticks, the
/// range widened to whole steps. A range of zero width is widened to one unit around the value
/// (or 10 % of it), so flat series still get an axis.
#[must_use]
pub fn value_ticks(lo: f64, hi: f64) -> ValueTicks {
    let (mut lo, mut hi) = if lo.is_finite() && hi.is_finite() {
        (lo.min(hi), lo.max(hi))
    } else {
        (0.0, 1.0)
    };
    if hi - lo <= f64::EPSILON * hi.abs().max(1.0) {
        let pad = if lo.abs() > 0.0 { lo.abs() * 0.1 } else { 1.0 };
        if lo >= 0.0 && lo - pad < 0.0 {
            lo = 0.0;
        } else {
            lo -= pad;
        }
        hi += pad;
    }
    let raw = (hi - lo) / VALUE_TICKS;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step).floor();
    let last = (hi / step).ceil();
    // At most a few dozen ticks: step ≥ (hi − lo) / 5.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a whole, non-negative count, capped at 64"
    )]
    let count = (last - first).clamp(0.0, 64.0) as usize;
    let values: Vec<f64> = (0..=count).map(|k| (first + k as f64) * step).collect();
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a whole number of decimals between 0 and 17"
    )]
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()).clamp(0.0, 17.0) as usize
    };
    ValueTicks {
        range: (values[0], values[values.len() - 1]),
        values,
        decimals,
    }
}

/// `value` with `decimals` decimals and a comma between each group of three digits:
/// `thousands(23300.0, 0) == "23,300"`, `thousands(-1234.5, 1) == "-1,234.5"`.
#[must_use]
pub fn thousands(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let text = format!("{:.*}", decimals, value.abs());
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (text.as_str(), None),
    };
    let mut out = String::with_capacity(text.len() + text.len() / 3 + 1);
    let zero = text.chars().all(|c| c == '0' || c == '.');
    if value < 0.0 && !zero {
        out.push('-');
    }
    for (k, c) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> f64 {
        day_number(NaiveDate::from_ymd_opt(y, m, day).unwrap())
    }

    #[test]
    fn thousands_groups_digits_and_keeps_signs_and_decimals() {
        assert_eq!(thousands(0.0, 0), "0");
        assert_eq!(thousands(999.0, 0), "999");
        assert_eq!(thousands(1000.0, 0), "1,000");
        assert_eq!(thousands(23_300.0, 0), "23,300");
        assert_eq!(thousands(1_234_567.0, 0), "1,234,567");
        assert_eq!(thousands(-1234.5, 1), "-1,234.5");
        assert_eq!(thousands(0.25, 2), "0.25");
        assert_eq!(thousands(-0.0001, 1), "0.0", "no negative zero");
    }

    #[test]
    fn day_numbers_round_trip() {
        let date = NaiveDate::from_ymd_opt(2010, 9, 21).unwrap();
        assert_eq!(date_of(day_number(date)), date);
        assert_eq!(date_of(f64::NAN), epoch());
    }

    #[test]
    fn months_of_one_season_get_month_ticks() {
        let t = date_ticks(d(2010, 8, 20), d(2011, 1, 10));
        assert_eq!(t.format, "%b %Y");
        let labels: Vec<String> = t.days.iter().map(|x| t.label(*x)).collect();
        assert_eq!(
            labels,
            ["Sep 2010", "Oct 2010", "Nov 2010", "Dec 2010", "Jan 2011"]
        );
    }

    #[test]
    fn two_years_get_quarter_or_half_year_ticks() {
        let t = date_ticks(d(2010, 1, 1), d(2011, 12, 31));
        assert_eq!(t.format, "%b %Y");
        assert!(t.days.len() <= MAX_DATE_TICKS && t.days.len() >= 4);
        assert_eq!(t.label(t.days[0]), "Jan 2010");
        assert_eq!(t.label(t.days[1]), "Apr 2010");
    }

    #[test]
    fn six_years_get_year_ticks() {
        let t = date_ticks(d(2010, 1, 1), d(2015, 12, 31));
        assert_eq!(t.format, "%Y");
        let labels: Vec<String> = t.days.iter().map(|x| t.label(*x)).collect();
        assert_eq!(labels, ["2010", "2011", "2012", "2013", "2014", "2015"]);
    }

    #[test]
    fn decades_get_strided_year_ticks() {
        let t = date_ticks(d(2000, 3, 1), d(2040, 1, 1));
        assert_eq!(t.format, "%Y");
        assert!(t.days.len() <= MAX_DATE_TICKS);
        assert_eq!(t.label(t.days[0]), "2005");
    }

    #[test]
    fn a_few_weeks_get_day_ticks() {
        let t = date_ticks(d(2010, 9, 5), d(2010, 9, 30));
        assert_eq!(t.format, "%-d %b %Y");
        assert!(t.days.len() >= 2 && t.days.len() <= MAX_DATE_TICKS + 1);
        assert!(
            t.days
                .iter()
                .all(|x| *x >= d(2010, 9, 5) && *x <= d(2010, 9, 30))
        );
    }

    #[test]
    fn value_ticks_are_nice_and_cover_the_range() {
        let t = value_ticks(0.0, 4080.0);
        assert_eq!(t.values, [0.0, 1000.0, 2000.0, 3000.0, 4000.0, 5000.0]);
        assert_eq!(t.decimals, 0);
        assert_eq!(t.label(5000.0), "5,000");
        let t = value_ticks(0.9, 1.35);
        assert_eq!(t.decimals, 1);
        assert!(t.range.0 <= 0.9 && t.range.1 >= 1.35);
    }

    #[test]
    fn flat_and_broken_ranges_still_get_an_axis() {
        let t = value_ticks(0.0, 0.0);
        assert_eq!(t.range, (0.0, 1.0));
        let t = value_ticks(250.0, 250.0);
        assert!(t.range.0 < 250.0 && t.range.1 > 250.0);
        let t = value_ticks(f64::NAN, 3.0);
        assert!(t.values.len() >= 2);
    }
}
