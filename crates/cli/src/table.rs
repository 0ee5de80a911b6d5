//! Plain-text tables for the terminal.

use std::fmt::Write as _;

/// Formats a number for people: thousands get separators-free engineering notation, small
/// numbers keep four decimals. Anything that rounds to zero at four decimals (negative zero, a
/// float residue such as -1e-12) prints as `0`, never `-0.0000` (issue 13).
pub fn number(v: f64) -> String {
    /// Half a unit in the fourth decimal: below it `{:.4}` prints zero.
    const ROUNDS_TO_ZERO: f64 = 0.5e-4;
    if !v.is_finite() {
        return v.to_string();
    }
    let a = v.abs();
    if a < ROUNDS_TO_ZERO {
        "0".to_owned()
    } else if a >= 1e9 {
        format!("{v:.3e}")
    } else if a >= 1000.0 {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.3}")
    } else {
        format!("{v:.4}")
    }
}

/// Renders rows under a header, columns padded; the first column left-aligned, others right
/// (numbers line up).
pub fn render(header: &[&str], rows: &[Vec<String>]) -> String {
    aligned(header, rows, 1)
}

/// Renders rows of text under a header, every column left-aligned.
pub fn render_left(header: &[&str], rows: &[Vec<String>]) -> String {
    aligned(header, rows, header.len())
}

/// Columns from `right_from` on are right-aligned; trailing spaces are trimmed.
fn aligned(header: &[&str], rows: &[Vec<String>], right_from: usize) -> String {
    let n = header.len();
    let mut width: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut s = String::new();
        for (k, cell) in cells.enumerate().take(n) {
            let sep = if k == 0 { "" } else { "  " };
            if k < right_from {
                let _ = write!(s, "{sep}{cell:<w$}", w = width[k]);
            } else {
                let _ = write!(s, "{sep}{cell:>w$}", w = width[k]);
            }
        }
        s.truncate(s.trim_end().len());
        s.push('\n');
        s
    };
    let mut out = line(&mut header.iter().copied());
    out.push_str(&line(
        &mut width
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
    ));
    for row in rows {
        out.push_str(&line(&mut row.iter().map(String::as_str)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_aligned_columns() {
        let t = render(
            &["metric", "value"],
            &[
                vec!["a".into(), "1.000".into()],
                vec!["longer".into(), "12".into()],
            ],
        );
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "metric  value");
        assert_eq!(lines[2], "a       1.000");
        assert_eq!(lines[3], "longer     12");
    }

    #[test]
    fn numbers_read_well() {
        assert_eq!(number(0.0), "0");
        assert_eq!(number(-0.0), "0");
        assert_eq!(number(-1e-12), "0");
        assert_eq!(number(3e-5), "0");
        assert_eq!(number(-0.0001), "-0.0001");
        assert_eq!(number(0.123456), "0.1235");
        assert_eq!(number(12.3456), "12.346");
        assert_eq!(number(123456.7), "123457");
        assert_eq!(number(2.5e10), "2.500e10");
    }
}
