//! Charts from a run's output files, and writing them.
//!
//! - [`fan_steps`]: one variable of `timeseries.csv` (`step, date, variable, mean, p5, p25, p50,
//!   p75, p95`; docs/outputs.md), optionally scaled.
//! - [`historical_points`]: a CSV of observed values, `date,value[,label]`.
//! - [`backtest_rows`]: `backtest.csv` (`target, role, from, to, unit, historical, p5, p50, p95,
//!   inside_p5_p95, source`); [`target_groups`] splits them into charts of one unit and one kind
//!   of window (monthly, quarterly, yearly...).
//! - [`write_svg`]: an SVG written atomically (temporary file, then rename);
//!   [`write_backtest_plots`]: every target chart of a run folder's `backtest.csv` into its
//!   `plots/`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::Deserialize;

use crate::error::Error;
use crate::fan::{FanStep, HistoricalPoint};
use crate::target::{Role, TargetChart, TargetMark};

/// Most suggestions an unknown-series error lists.
const SUGGESTIONS: usize = 5;

/// [`Error::ParquetOnly`] when the table `csv` is missing but its Parquet twin (`.parquet`
/// beside it) is there: the folder was written with `--format parquet`, and this crate reads
/// CSV only (it knows no Parquet reader, on purpose: docs/outputs.md).
///
/// # Errors
/// As said; Ok when the CSV exists or neither does.
pub fn parquet_only(csv: &Path) -> Result<(), Error> {
    let parquet = csv.with_extension("parquet");
    if csv.is_file() || !parquet.is_file() {
        return Ok(());
    }
    let name = |p: &Path| {
        p.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    };
    Err(Error::ParquetOnly {
        folder: csv.parent().map_or_else(PathBuf::new, Path::to_path_buf),
        csv: name(csv),
        parquet: name(&parquet),
    })
}

/// A CSV reader over `path` (fields trimmed), or a read error naming it ([`parquet_only`] when
/// only its Parquet twin is there).
pub(crate) fn open(path: &Path) -> Result<csv::Reader<File>, Error> {
    parquet_only(path)?;
    let file = File::open(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    Ok(csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(file))
}

/// A CSV error as the file, line and column a person can look up.
pub(crate) fn csv_error(path: &Path, e: &csv::Error) -> Error {
    let line = e.position().map_or(0, csv::Position::line);
    let message = match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => match err.field() {
            Some(k) => format!("column {}: {}", k + 1, err.kind()),
            None => err.kind().to_string(),
        },
        _ => e.to_string(),
    };
    Error::Csv {
        path: path.to_owned(),
        line,
        message,
    }
}

/// One row of `timeseries.csv`.
#[derive(Debug, Deserialize)]
struct SeriesRow {
    date: NaiveDate,
    variable: String,
    p5: f64,
    p25: f64,
    p50: f64,
    p75: f64,
    p95: f64,
}

/// The quantiles of `variable` at each step of a `timeseries.csv`, each multiplied by `scale`
/// (1 for none; a base price turns a `price_ratio/<item>` series into USD/kg).
///
/// # Errors
/// [`Error::Read`] when the file cannot be opened, [`Error::Csv`] on a malformed row (file and
/// line), [`Error::UnknownSeries`] when the variable has no row (with the closest names).
pub fn fan_steps(path: &Path, variable: &str, scale: f64) -> Result<Vec<FanStep>, Error> {
    let mut reader = open(path)?;
    let mut steps = Vec::new();
    let mut names = BTreeSet::new();
    for row in reader.deserialize::<SeriesRow>() {
        let row = row.map_err(|e| csv_error(path, &e))?;
        if row.variable == variable {
            steps.push(
                FanStep {
                    date: row.date,
                    p5: row.p5,
                    p25: row.p25,
                    p50: row.p50,
                    p75: row.p75,
                    p95: row.p95,
                }
                .scaled(scale),
            );
        } else if steps.is_empty() {
            names.insert(row.variable);
        }
    }
    if steps.is_empty() {
        return Err(Error::UnknownSeries {
            path: path.to_owned(),
            variable: variable.to_owned(),
            suggestions: closest(variable, &names),
        });
    }
    steps.sort_by_key(|s| s.date);
    Ok(steps)
}

/// The names in `names` closest to `wanted` (edit distance), best first.
fn closest(wanted: &str, names: &BTreeSet<String>) -> Vec<String> {
    let mut scored: Vec<(usize, &String)> = names
        .iter()
        .map(|n| (strsim::levenshtein(wanted, n), n))
        .collect();
    scored.sort();
    scored
        .into_iter()
        .take(SUGGESTIONS)
        .map(|(_, n)| format!("`{n}`"))
        .collect()
}

/// A CSV whose columns depend on the experiment (`sweep.csv`, `benchmark.csv`,
/// `replications.csv`, `sensitivity.csv`): headers and text cells, numbers parsed on demand with
/// file and line. The one reader of such tables in the crate.
#[derive(Clone, Debug)]
pub(crate) struct Frame {
    path: PathBuf,
    pub(crate) headers: Vec<String>,
    pub(crate) rows: Vec<Vec<String>>,
}

impl Frame {
    /// The whole file.
    pub(crate) fn read(path: &Path) -> Result<Self, Error> {
        let mut reader = open(path)?;
        let headers = reader
            .headers()
            .map_err(|e| csv_error(path, &e))?
            .iter()
            .map(str::to_owned)
            .collect();
        let rows = reader
            .records()
            .map(|r| {
                r.map(|r| r.iter().map(str::to_owned).collect())
                    .map_err(|e| csv_error(path, &e))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            path: path.to_owned(),
            headers,
            rows,
        })
    }

    /// Whether the file has column `name`.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.headers.iter().any(|h| h == name)
    }

    /// The index of column `name`, or an error naming the file, the column and the closest
    /// columns it has.
    pub(crate) fn column(&self, name: &str) -> Result<usize, Error> {
        self.headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| Error::Csv {
                path: self.path.clone(),
                line: 1,
                message: format!(
                    "no column `{name}`; the closest are {}",
                    closest(name, &self.headers.iter().cloned().collect()).join(", ")
                ),
            })
    }

    /// The number in row `row` (0-based, after the header), column `col`; an empty cell is NaN
    /// (charts leave it out, tables show it as such).
    pub(crate) fn number(&self, row: usize, col: usize) -> Result<f64, Error> {
        let text = self.rows[row].get(col).map_or("", String::as_str);
        if text.is_empty() {
            return Ok(f64::NAN);
        }
        text.parse().map_err(|_| Error::Csv {
            path: self.path.clone(),
            line: row as u64 + 2,
            message: format!(
                "column {} (`{}`): `{text}` is not a number",
                col + 1,
                self.headers.get(col).map_or("", String::as_str)
            ),
        })
    }

    /// Every number of column `name`, in row order.
    pub(crate) fn numbers(&self, name: &str) -> Result<Vec<f64>, Error> {
        let col = self.column(name)?;
        (0..self.rows.len()).map(|r| self.number(r, col)).collect()
    }

    /// The text of row `row`, column `col` ("" past the end of a short row).
    pub(crate) fn text(&self, row: usize, col: usize) -> &str {
        self.rows[row].get(col).map_or("", String::as_str)
    }
}

/// One row of a points file.
#[derive(Debug, Deserialize)]
struct PointRow {
    date: NaiveDate,
    value: f64,
    #[serde(default)]
    label: Option<String>,
}

/// Observed points from a CSV with a header `date,value[,label]` (dates as `YYYY-MM-DD`).
///
/// # Errors
/// [`Error::Read`] when the file cannot be opened, [`Error::Csv`] on a malformed row.
pub fn historical_points(path: &Path) -> Result<Vec<HistoricalPoint>, Error> {
    let mut reader = open(path)?;
    reader
        .deserialize::<PointRow>()
        .map(|row| {
            let row = row.map_err(|e| csv_error(path, &e))?;
            Ok(HistoricalPoint {
                date: row.date,
                value: row.value,
                label: row.label.unwrap_or_default(),
            })
        })
        .collect()
}

/// One row of `backtest.csv` (the columns a chart needs; others are ignored).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct BacktestRow {
    /// The target's name.
    pub target: String,
    /// Fit, holdout or prediction.
    pub role: Role,
    /// First day of the window.
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    /// The target's unit.
    pub unit: String,
    /// The observed value; an empty cell (`None`) for a prediction.
    pub historical: Option<f64>,
    /// The model's 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// The rows of a `backtest.csv`.
///
/// # Errors
/// [`Error::Read`] when the file cannot be opened, [`Error::Csv`] on a malformed row (a role
/// other than `fit`, `holdout` or `prediction`, a date not `YYYY-MM-DD`, a missing column).
pub fn backtest_rows(path: &Path) -> Result<Vec<BacktestRow>, Error> {
    let mut reader = open(path)?;
    reader
        .deserialize::<BacktestRow>()
        .map(|row| row.map_err(|e| csv_error(path, &e)))
        .collect()
}

/// The kind of window a target covers, so that monthly values and a yearly total of the same
/// unit land on different charts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Span {
    /// Up to a week (a point in time, a weekly value, a peak).
    Week,
    /// Up to a month.
    Month,
    /// Up to a quarter.
    Quarter,
    /// Up to a year.
    Year,
    /// Longer.
    Years,
}

impl Span {
    /// The kind of window from `from` to `to` (inclusive).
    #[must_use]
    pub fn of(from: NaiveDate, to: NaiveDate) -> Self {
        match to.signed_duration_since(from).num_days() + 1 {
            ..=7 => Self::Week,
            8..=31 => Self::Month,
            32..=92 => Self::Quarter,
            93..=366 => Self::Year,
            _ => Self::Years,
        }
    }

    /// A word for titles and file names.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            Self::Week => "weekly",
            Self::Month => "monthly",
            Self::Quarter => "quarterly",
            Self::Year => "yearly",
            Self::Years => "multi-year",
        }
    }
}

/// The backtest's targets as charts, one per (unit, kind of window), in that order, each titled
/// "Backtest, <kind> targets: ..." ("Predictions, <kind>: ..." when every target of the chart is a
/// prediction) and named for a file (`targets-<unit>-<kind>`).
#[must_use]
pub fn target_groups(rows: &[BacktestRow]) -> Vec<(String, TargetChart)> {
    let mut groups: BTreeMap<(String, Span), Vec<TargetMark>> = BTreeMap::new();
    for r in rows {
        groups
            .entry((r.unit.clone(), Span::of(r.from, r.to)))
            .or_default()
            .push(TargetMark {
                name: r.target.clone(),
                role: r.role,
                from: r.from,
                to: r.to,
                historical: r.historical,
                p5: r.p5,
                p50: r.p50,
                p95: r.p95,
            });
    }
    groups
        .into_iter()
        .map(|((unit, span), targets)| {
            let names: Vec<&str> = targets.iter().map(|t| t.name.as_str()).collect();
            let title = if targets.iter().all(|t| t.role == Role::Prediction) {
                format!(
                    "Predictions, {}: model p5–p95 and median, no observed value ({})",
                    span.word(),
                    common_prefix(&names)
                )
            } else {
                format!(
                    "Backtest, {} targets: model against history ({})",
                    span.word(),
                    common_prefix(&names)
                )
            };
            let file = format!("targets-{}-{}", file_stem(&unit), span.word());
            (file, TargetChart::new(title, unit, targets))
        })
        .collect()
}

/// The longest common prefix of the names, cut at the last `_` (or "several targets").
fn common_prefix(names: &[&str]) -> String {
    let Some(first) = names.first() else {
        return String::new();
    };
    if names.len() == 1 {
        return (*first).to_owned();
    }
    let mut len = first.len();
    for n in &names[1..] {
        len = len.min(
            first
                .bytes()
                .zip(n.bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    let prefix = &first[..len];
    match prefix.rfind('_') {
        Some(k) if k > 0 => prefix[..k].to_owned(),
        _ => "several targets".to_owned(),
    }
}

/// A file-name-safe form of `name`: letters and digits kept, anything else becomes `_`.
#[must_use]
pub fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let stem = stem.trim_matches('_');
    if stem.is_empty() {
        "chart".to_owned()
    } else {
        stem.to_owned()
    }
}

/// Writes `svg` to `dir/name` atomically, as [`write_bytes`] does, and returns the path.
///
/// # Errors
/// [`Error::Write`] when the folder or file cannot be made.
pub fn write_svg(dir: &Path, name: &str, svg: &str) -> Result<PathBuf, Error> {
    write_bytes(dir, name, svg.as_bytes())
}

/// Writes `bytes` to `dir/name` atomically (a temporary file in `dir`, then rename), creating
/// `dir` if needed, and returns the path: for SVG, PNG, HTML or any other file.
///
/// # Errors
/// [`Error::Write`] when the folder or file cannot be made.
pub fn write_bytes(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, Error> {
    let path = dir.join(name);
    let fail = |source| Error::Write {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let mut builder = tempfile::Builder::new();
    let prefix = format!(".{name}.");
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder.tempfile_in(dir).map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    tmp.as_file().sync_all().ok();
    tmp.persist(&path).map_err(|e| fail(e.error))?;
    Ok(path)
}

/// Renders `svg` to PNG at `scale` ([`crate::svg_to_png`]) and writes it to `dir/name`
/// atomically. Returns the path and the renderer's warning, if any (no font found: the PNG has
/// no text), for the caller to print.
///
/// # Errors
/// As [`crate::svg_to_png`] and [`write_bytes`].
pub fn write_png(
    dir: &Path,
    name: &str,
    svg: &str,
    scale: f32,
) -> Result<(PathBuf, Option<String>), Error> {
    let png = crate::svg_to_png(svg, scale)?;
    let path = write_bytes(dir, name, &png.bytes)?;
    Ok((path, png.warning))
}

/// Where a run folder's charts go.
pub const PLOTS_DIR: &str = "plots";

/// Draws every target chart of `run_dir/backtest.csv` ([`target_groups`]) into
/// `run_dir/plots/<name>.svg` and returns the files written.
///
/// # Errors
/// As [`backtest_rows`], [`crate::target_chart_svg`] and [`write_svg`].
pub fn write_backtest_plots(run_dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let rows = backtest_rows(&run_dir.join("backtest.csv"))?;
    target_groups(&rows)
        .iter()
        .map(|(name, chart)| {
            let svg = crate::target_chart_svg(chart)?;
            write_svg(&run_dir.join(PLOTS_DIR), &format!("{name}.svg"), &svg)
        })
        .collect()
}
