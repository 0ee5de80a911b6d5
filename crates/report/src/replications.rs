//! Per-replication values from a run's `replications.csv` (`rep, seed`, then one column per
//! scalar metric; docs/outputs.md), for histograms and survival charts.

use std::path::Path;

use crate::error::Error;
use crate::files::Frame;
use crate::survival::HaltTime;

/// The values of `column`, one per replication, in file order. An empty cell is NaN (the charts
/// leave it out).
///
/// # Errors
/// [`Error::Read`] when the file cannot be opened; [`Error::Csv`] for a missing column (naming the
/// closest columns) or a cell that is not a number (file and line).
pub fn replication_column(path: &Path, column: &str) -> Result<Vec<f64>, Error> {
    Ok(columns(path, &[column])?.remove(0))
}

/// Each replication's time to the first halt from the columns `weeks_to_first_halt` and
/// `any_halt` (1: halted; 0: censored at those weeks).
///
/// # Errors
/// As [`replication_column`]; [`Error::Csv`] when `any_halt` is neither 0 nor 1.
pub fn halt_times(path: &Path) -> Result<Vec<HaltTime>, Error> {
    let mut cols = columns(path, &["weeks_to_first_halt", "any_halt"])?;
    let (weeks, any) = (cols.remove(0), cols.remove(0));
    weeks
        .into_iter()
        .zip(any)
        .enumerate()
        .map(|(k, (weeks, any))| {
            let halted = match any {
                a if (a - 1.0).abs() < 1e-9 => true,
                a if a.abs() < 1e-9 => false,
                a => {
                    return Err(Error::Csv {
                        path: path.to_owned(),
                        line: k as u64 + 2,
                        message: format!("any_halt is {a}; expected 0 or 1"),
                    });
                }
            };
            Ok(HaltTime { weeks, halted })
        })
        .collect()
}

/// The named columns, each as one value per row.
fn columns(path: &Path, names: &[&str]) -> Result<Vec<Vec<f64>>, Error> {
    let frame = Frame::read(path)?;
    names.iter().map(|name| frame.numbers(name)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    #[test]
    fn halt_times_read_weeks_and_censoring() {
        let f = file("rep,seed,any_halt,weeks_to_first_halt\n0,7,1,12\n1,7,0,52\n2,7,1,0\n");
        let t = halt_times(f.path()).unwrap();
        assert_eq!(t.len(), 3);
        assert!(t[0].halted && !t[1].halted && t[2].halted);
        assert!((t[1].weeks - 52.0).abs() < 1e-12);
    }

    #[test]
    fn a_column_is_read_with_empty_cells_as_nan_and_bad_cells_named() {
        let f = file("rep,seed,peak_price_ratio/dy\n0,7,2.5\n1,7,\n");
        let v = replication_column(f.path(), "peak_price_ratio/dy").unwrap();
        assert!((v[0] - 2.5).abs() < 1e-12 && v[1].is_nan());
        let e = replication_column(f.path(), "peak_price_ratio/tb")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(":1: no column `peak_price_ratio/tb`")
                && e.contains("`peak_price_ratio/dy`"),
            "{e}"
        );
        let bad = file("rep,any_halt,weeks_to_first_halt\n0,2,3\n");
        let e = halt_times(bad.path()).unwrap_err().to_string();
        assert!(e.contains(":2: any_halt is 2"), "{e}");
        let bad = file("rep,x\n0,abc\n");
        let e = replication_column(bad.path(), "x").unwrap_err().to_string();
        assert!(
            e.contains(":2: column 2 (`x`): `abc` is not a number"),
            "{e}"
        );
    }
}
