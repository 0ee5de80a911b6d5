//! Numbers as people read them, by unit: shares as per cent, USD in millions or billions,
//! tonnes with thousands separators, ratios with two decimals.

use crate::axis::thousands;

/// `v` in `unit` (docs/outputs.md's units; anything else gets three significant digits).
pub(super) fn value(v: f64, unit: &str) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    match unit {
        "share" | "0/1" => format!("{}\u{a0}%", trim(v * 100.0, 1)),
        "USD" => usd(v),
        "ratio" => format!("{v:.2}"),
        "weeks" => format!("{v:.1}"),
        "count" | "firm-weeks" | "applications" => thousands(v, 0),
        _ => significant(v),
    }
}

/// "lo – hi" in `unit`.
pub(super) fn interval(lo: f64, hi: f64, unit: &str) -> String {
    format!("{} – {}", value(lo, unit), value(hi, unit))
}

/// How a chart axis shows values of `unit` whose largest magnitude is `max`: the divisor and the
/// unit's words ("USD bn" for billions); shares as per cent.
pub(super) fn axis_scale(unit: &str, max: f64) -> (f64, String) {
    match unit {
        "USD" if max >= 1e9 => (1e9, "USD bn".into()),
        "USD" if max >= 1e6 => (1e6, "USD m".into()),
        "share" | "0/1" => (0.01, "%".into()),
        _ => (1.0, unit.to_owned()),
    }
}

/// USD in bn / m / k with three significant digits.
fn usd(v: f64) -> String {
    let a = v.abs();
    let (scaled, suffix) = if a >= 1e9 {
        (v / 1e9, "\u{a0}bn")
    } else if a >= 1e6 {
        (v / 1e6, "\u{a0}m")
    } else if a >= 1e3 {
        (v / 1e3, "\u{a0}k")
    } else {
        (v, "")
    };
    format!("USD\u{a0}{}{suffix}", significant(scaled))
}

/// Three significant digits, thousands separated; no exponent.
/// Below this a number is shown in scientific notation: three significant digits of it would
/// need more than five decimals.
const SMALLEST_IN_DECIMALS: f64 = 1e-3;

fn significant(v: f64) -> String {
    let a = v.abs();
    if a > 0.0 && a < SMALLEST_IN_DECIMALS {
        // Three significant digits in scientific notation (a quasi-p of 3.05e-5): fixed
        // decimals would need more than six places.
        return format!("{v:.2e}");
    }
    let decimals = if a == 0.0 || a >= 100.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        // Small values keep three significant digits (0.00123): at most five decimals here.
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a is in (0, 1): -log10 is positive and small"
        )]
        let d = (2.0 - a.log10().floor()) as usize;
        d.min(6)
    };
    thousands(v, decimals)
}

/// `v` with at most `decimals` decimals, trailing zeros dropped, never "-0".
fn trim(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    };
    if s == "-0" { "0".to_owned() } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_read_as_people_expect() {
        assert_eq!(value(0.1234, "share"), "12.3\u{a0}%");
        assert_eq!(value(1.0, "0/1"), "100\u{a0}%");
        assert_eq!(value(-0.00001, "share"), "0\u{a0}%");
        assert_eq!(value(2.5e9, "USD"), "USD\u{a0}2.50\u{a0}bn");
        assert_eq!(value(-1.234e6, "USD"), "USD\u{a0}-1.23\u{a0}m");
        assert_eq!(value(23_300.4, "t"), "23,300");
        assert_eq!(value(12.345, "t"), "12.3");
        assert_eq!(value(0.001_234, "t"), "0.00123");
        assert_eq!(value(3.051_757_8e-5, ""), "3.05e-5");
        assert_eq!(value(-0.000_123_4, ""), "-1.23e-4");
        assert_eq!(value(0.0, "t"), "0");
        assert_eq!(value(2.345, "ratio"), "2.35");
        assert_eq!(value(f64::NAN, "t"), "–");
        assert_eq!(interval(1.0, 2.0, "weeks"), "1.0 – 2.0");
        assert_eq!(axis_scale("USD", 3.2e10), (1e9, "USD bn".to_owned()));
        assert_eq!(axis_scale("USD", 4.0e7), (1e6, "USD m".to_owned()));
        assert_eq!(axis_scale("share", 0.5), (0.01, "%".to_owned()));
    }
}
