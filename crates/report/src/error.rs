//! The report crate's errors: what a user needs to act (file, line, column, the fix).

use std::path::PathBuf;

/// Why a chart could not be read, drawn or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened or read.
    #[error("{path}: cannot read")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A CSV file is malformed: a row has a wrong type or misses a column.
    #[error("{path}:{line}: {message}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// 1-based line (0 when unknown).
        line: u64,
        /// What is wrong and what was expected.
        message: String,
    },
    /// The series asked for is not in `timeseries.csv`.
    #[error(
        "{path}: no per-step variable `{variable}`{}",
        if suggestions.is_empty() { String::new() } else { format!("; did you mean {}?", suggestions.join(", ")) }
    )]
    UnknownSeries {
        /// The `timeseries.csv` file.
        path: PathBuf,
        /// The variable asked for.
        variable: String,
        /// The closest variable names in the file.
        suggestions: Vec<String>,
    },
    /// A chart has nothing to draw: no steps, or no target.
    #[error("{what}: nothing to draw ({why})")]
    Empty {
        /// The chart.
        what: String,
        /// Why there is nothing.
        why: String,
    },
    /// The plotting library refused to draw (a bug, never bad input).
    #[error("cannot draw `{chart}`: {message}")]
    Draw {
        /// The chart's title.
        chart: String,
        /// The library's message.
        message: String,
    },
    /// A chart could not be written into place.
    #[error("{path}: cannot write")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The data cannot make the chart asked for: a whisker whose mean lies outside its interval,
    /// more series than colours, a negative time. Says which value and what was expected.
    #[error("{what}: {why}")]
    Invalid {
        /// The chart (its title) or the input.
        what: String,
        /// What is wrong and what was expected.
        why: String,
    },
    /// A table the report reads as CSV is only in the folder as Parquet (`--format parquet`).
    #[error(
        "{folder}: no {csv} in this folder, only its Parquet twin {parquet} (the experiment ran \
         with `--format parquet`); reports and charts read the CSV tables: run the experiment \
         again with `--format both` (or `csv`), or write the CSV from the Parquet file (e.g. \
         pandas: `pd.read_parquet(\"{parquet}\").to_csv(\"{csv}\", index=False)`)"
    )]
    ParquetOnly {
        /// The output folder.
        folder: PathBuf,
        /// The CSV file name the report needs (`timeseries.csv`, ...).
        csv: String,
        /// Its Parquet twin's file name.
        parquet: String,
    },
    /// An SVG could not be rendered to PNG.
    #[error("cannot render a PNG: {message}")]
    Png {
        /// Why.
        message: String,
    },
}
