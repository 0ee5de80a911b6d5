//! The result files a report is made from, read once each (docs/outputs.md, docs/experiments.md).

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::error::Error;
use crate::fan::FanStep;
pub(super) use crate::files::Frame;
use crate::files::{csv_error, open};

fn rows<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>, Error> {
    open(path)?
        .deserialize()
        .map(|r| r.map_err(|e| csv_error(path, &e)))
        .collect()
}

/// `dir/manifest.json` as JSON: the one reader of a folder's manifest for the reports and the
/// CLI's charts.
///
/// # Errors
/// [`Error::Read`] when the file cannot be read (not an output folder), [`Error::Csv`] (file
/// and line) when it is not JSON.
pub fn manifest(dir: &Path) -> Result<serde_json::Value, Error> {
    json_file(&dir.join("manifest.json"))
}

/// A JSON file (`manifest.json`, `size.json`).
pub(super) fn json_file(path: &Path) -> Result<serde_json::Value, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| Error::Csv {
        path: path.to_owned(),
        line: u64::try_from(e.line()).unwrap_or(0),
        message: format!("not JSON: {e}"),
    })
}

/// One step of a per-step variable: its mean and its fan of quantiles.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct SeriesStep {
    pub(super) mean: f64,
    pub(super) fan: FanStep,
}

#[derive(Deserialize)]
struct SeriesRow {
    date: NaiveDate,
    variable: String,
    mean: f64,
    p5: f64,
    p25: f64,
    p50: f64,
    p75: f64,
    p95: f64,
}

/// Every variable of `timeseries.csv`, its steps in date order.
pub(super) fn all_series(dir: &Path) -> Result<BTreeMap<String, Vec<SeriesStep>>, Error> {
    let mut out: BTreeMap<String, Vec<SeriesStep>> = BTreeMap::new();
    for r in rows::<SeriesRow>(&dir.join("timeseries.csv"))? {
        out.entry(r.variable).or_default().push(SeriesStep {
            mean: r.mean,
            fan: FanStep {
                date: r.date,
                p5: r.p5,
                p25: r.p25,
                p50: r.p50,
                p75: r.p75,
                p95: r.p95,
            },
        });
    }
    for steps in out.values_mut() {
        steps.sort_by_key(|s| s.fan.date);
    }
    Ok(out)
}

/// One row of `summary.csv`.
#[derive(Clone, Debug, Deserialize)]
pub(super) struct SummaryRow {
    pub(super) metric: String,
    pub(super) n: u64,
    pub(super) mean: f64,
    pub(super) ci95_lo: f64,
    pub(super) ci95_hi: f64,
    pub(super) p5: f64,
    pub(super) p50: f64,
    pub(super) p95: f64,
}

/// `summary.csv`, in file order.
pub(super) fn summary(dir: &Path) -> Result<Vec<SummaryRow>, Error> {
    rows(&dir.join("summary.csv"))
}

/// One row of `comparison.csv`.
#[derive(Clone, Debug, Deserialize)]
pub(super) struct ComparisonRow {
    pub(super) scenario: String,
    pub(super) strategy: String,
    pub(super) metric: String,
    pub(super) mean: f64,
    pub(super) diff_vs_baseline: f64,
    pub(super) diff_ci95_lo: f64,
    pub(super) diff_ci95_hi: f64,
}

/// `comparison.csv`, in file order.
pub(super) fn comparison(dir: &Path) -> Result<Vec<ComparisonRow>, Error> {
    rows(&dir.join("comparison.csv"))
}

/// The metrics a sweep report charts (those the file has), as in a comparison.
pub(super) const SWEEP_KEY_METRICS: &[&str] = &[
    "total_cost_usd",
    "lost_output_usd",
    "unmet_demand_share",
    "any_halt",
    "weeks_to_first_halt",
];

/// A sweep's design read back from its files.
pub(super) struct Sweep {
    pub(super) frame: Frame,
    /// The swept parameters' column names (key paths), in order.
    pub(super) params: Vec<String>,
    /// The `strategy` column, when the sweep ran strategies.
    pub(super) strategy: Option<usize>,
    /// The key metrics the file has.
    pub(super) metrics: Vec<&'static str>,
}

impl Sweep {
    /// `dir/sweep.csv`.
    pub(super) fn read(dir: &Path) -> Result<Self, Error> {
        let frame = Frame::read(&dir.join("sweep.csv"))?;
        let params: Vec<String> = frame
            .headers
            .iter()
            .skip(1)
            .take_while(|h| *h != "strategy" && !h.ends_with("_mean"))
            .cloned()
            .collect();
        let strategy = frame.headers.iter().position(|h| h == "strategy");
        let metrics = SWEEP_KEY_METRICS
            .iter()
            .copied()
            .filter(|m| frame.headers.iter().any(|h| *h == format!("{m}_mean")))
            .collect();
        Ok(Self {
            frame,
            params,
            strategy,
            metrics,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_number_names_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sweep.csv");
        std::fs::write(&path, "point,x\n0,1.5\n1,abc\n").unwrap();
        let f = Frame::read(&path).unwrap();
        assert_eq!(f.numbers("point").unwrap(), vec![0.0, 1.0]);
        let e = f.numbers("x").unwrap_err().to_string();
        assert!(
            e.contains("sweep.csv:3") && e.contains("`x`") && e.contains("abc"),
            "{e}"
        );
        let e = f.column("y").unwrap_err().to_string();
        assert!(e.contains("no column `y`; the closest are `x`"), "{e}");
    }

    #[test]
    fn series_are_grouped_by_variable_in_date_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("timeseries.csv"),
            "step,date,variable,mean,p5,p25,p50,p75,p95\n\
             1,2025-01-13,a,2,1,1.5,2,2.5,3\n0,2025-01-06,a,1,1,1,1,1,1\n0,2025-01-06,b,0,0,0,0,0,0\n",
        )
        .unwrap();
        let s = all_series(dir.path()).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(
            s["a"][0].fan.date,
            NaiveDate::from_ymd_opt(2025, 1, 6).unwrap()
        );
        assert!((s["a"][1].mean - 2.0).abs() < f64::EPSILON);
    }
}
