//! Result tables as CSV, Parquet or both (`--format`).
//!
//! Every table (time series, replications, summary, sweep points, comparison cells, benchmark,
//! tornado, backtest) is first made as CSV bytes by the code that knows it; `output::Tables::write`
//! then writes the CSV, its Parquet twin, or both. The Parquet file is made *from the CSV
//! bytes*, so the two hold the same values by construction (`f64` written with Rust's
//! shortest round-trip formatting parses back to the same bits).
//!
//! Column types: `step`, `rep`, `rank`, `n`, `point`, `strategy_index` are `Int64`, `seed` is
//! `UInt64`; a column of dates (`2025-04-04`: `date`, a backtest's `from` and `to`) is
//! `Date32`, one of `true`/`false` is `Boolean`, one whose every cell is a number is `Float64`
//! (an empty cell is null in each), and any other column is text, dictionary-encoded when
//! values repeat (e.g. `variable`, `metric`, `scenario`). Files are deterministic: snappy compression, a fixed
//! `created_by`, and one key-value entry, `chokepoint.manifest`, the reproducible part of the
//! folder's manifest ([`stamp`]: no times, threads, command line or shard, which would make a
//! merge or another thread count write different bytes).

use std::io::Write as _;
use std::str::FromStr;
use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, DictionaryArray, Float64Array, Int64Array, RecordBatch,
    StringArray, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema};
use chokepoint_core::ScenarioSource;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use serde::{Deserialize, Serialize};

use crate::plan::Plan;

/// The key of the manifest in a Parquet file's key-value metadata.
pub const MANIFEST_KEY: &str = "chokepoint.manifest";

/// The default of [`crate::Execution::parquet_above_bytes`]: above this estimated size of
/// `sweep.csv`, a sweep without `--format` writes Parquet only. 256 MB is where a CSV stops
/// opening comfortably in a spreadsheet or loading quickly in pandas, while Parquet (typed,
/// dictionary-encoded, compressed) is several times smaller and reads columns selectively.
pub const PARQUET_ABOVE_BYTES: u64 = 256 << 20;

/// Which files a table becomes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TableFormat {
    /// `NAME.csv` only (the default).
    #[default]
    Csv,
    /// `NAME.parquet` only.
    Parquet,
    /// Both.
    Both,
}

impl TableFormat {
    /// Whether CSV files are written.
    #[must_use]
    pub fn csv(self) -> bool {
        matches!(self, TableFormat::Csv | TableFormat::Both)
    }

    /// Whether Parquet files are written.
    #[must_use]
    pub fn parquet(self) -> bool {
        matches!(self, TableFormat::Parquet | TableFormat::Both)
    }

    /// `csv`, `parquet` or `both`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            TableFormat::Csv => "csv",
            TableFormat::Parquet => "parquet",
            TableFormat::Both => "both",
        }
    }
}

impl std::fmt::Display for TableFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TableFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "csv" => Ok(TableFormat::Csv),
            "parquet" => Ok(TableFormat::Parquet),
            "both" => Ok(TableFormat::Both),
            other => Err(format!(
                "unknown format `{other}`: use csv, parquet or both"
            )),
        }
    }
}

/// The format a plan's tables are written in: the one asked for, else CSV, except a sweep
/// whose `sweep.csv` would exceed `parquet_above_bytes` (normally [`PARQUET_ABOVE_BYTES`]),
/// which writes Parquet; then the second value says so (for stderr and the manifest).
#[must_use]
pub fn resolve_format<S: ScenarioSource>(
    plan: &Plan<S>,
    asked: Option<TableFormat>,
    parquet_above_bytes: u64,
) -> (TableFormat, Option<String>) {
    if let Some(f) = asked {
        return (f, None);
    }
    if plan.kind() != "sweep" {
        return (TableFormat::Csv, None);
    }
    // A label is a short number or name; each metric has six statistics of ~20 characters.
    let labels = plan.cells.first().map_or(0, |c| c.labels.len()) as u64;
    let row = 12 * labels + 6 * 20 * plan.metric_names.len() as u64 + 1;
    let bytes = row.saturating_mul(plan.cells.len() as u64);
    if bytes > parquet_above_bytes {
        let note = format!(
            "sweep.csv would be about {} (over {}): writing sweep.parquet instead \
             (--format csv or --format both to have the CSV)",
            megabytes(bytes),
            megabytes(parquet_above_bytes)
        );
        (TableFormat::Parquet, Some(note))
    } else {
        (TableFormat::Csv, None)
    }
}

/// `bytes` in words: whole megabytes, or bytes below one (a lowered threshold in a test).
fn megabytes(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{} MB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// The reproducible part of a plan's manifest, stored in every Parquet file it writes: what
/// made the numbers, nothing that differs between machines, thread counts, shards or times.
#[must_use]
pub fn stamp<S: ScenarioSource>(plan: &Plan<S>, format: TableFormat, note: Option<&str>) -> String {
    let value = serde_json::json!({
        "kind": plan.kind(),
        "chokepoint_version": env!("CARGO_PKG_VERSION"),
        "plan_sha256": plan.hash(),
        "seed": plan.mc.seed,
        "replications": plan.mc.replications,
        "batch": plan.mc.batch,
        "cells": plan.cells.len(),
        "plan": plan.description,
        "spec": plan.spec,
        "format": format,
        "format_note": note,
    });
    value.to_string()
}

/// Why a CSV table could not become Parquet.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    /// The CSV bytes did not parse (a bug in the writer of that table).
    #[error("the table does not read back as CSV: {0}")]
    Csv(#[from] csv::Error),
    /// Arrow refused the columns.
    #[error("Arrow refused the table: {0}")]
    Arrow(#[from] arrow_schema::ArrowError),
    /// The Parquet writer failed.
    #[error("the Parquet writer failed: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    /// Writing into memory failed.
    #[error("cannot write the Parquet bytes: {0}")]
    Io(#[from] std::io::Error),
    /// A Parquet column of a type chokepoint never writes (the file is not one of its tables).
    #[error("column `{column}` is {data_type}, a type chokepoint's tables never have")]
    ColumnType {
        /// The column.
        column: String,
        /// Its Arrow type.
        data_type: String,
    },
}

/// Columns that hold counts or indices, as `Int64`.
const INTEGER_COLUMNS: [&str; 6] = ["step", "rep", "rank", "n", "point", "strategy_index"];

/// Converts a CSV table (header row, then records) into Parquet bytes carrying `manifest`
/// under [`MANIFEST_KEY`]. An empty table (header only) gives a file with no rows.
pub fn csv_to_parquet(csv: &[u8], manifest: &str) -> Result<Vec<u8>, TableError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(csv);
    let header: Vec<String> = reader.headers()?.iter().map(str::to_owned).collect();
    let mut columns: Vec<Vec<String>> = vec![Vec::new(); header.len()];
    for record in reader.records() {
        let record = record?;
        for (col, value) in columns.iter_mut().zip(record.iter()) {
            col.push(value.to_owned());
        }
    }
    let mut fields = Vec::with_capacity(header.len());
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(header.len());
    for (name, values) in header.iter().zip(&columns) {
        let (dt, array) = column_array(name, values);
        fields.push(Field::new(name, dt, true));
        arrays.push(array);
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = if arrays.is_empty() {
        RecordBatch::new_empty(schema.clone())
    } else {
        RecordBatch::try_new(schema.clone(), arrays)?
    };
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_created_by(format!("chokepoint {}", env!("CARGO_PKG_VERSION")))
        .set_key_value_metadata(Some(vec![KeyValue::new(
            MANIFEST_KEY.to_owned(),
            manifest.to_owned(),
        )]))
        .build();
    let mut out = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut out, schema, Some(props))?;
    writer.write(&batch)?;
    writer.close()?;
    out.flush()?;
    Ok(out)
}

/// The Arrow type and array of one CSV column (see the module documentation).
fn column_array(name: &str, values: &[String]) -> (DataType, ArrayRef) {
    let present = || values.iter().filter(|v| !v.is_empty());
    if INTEGER_COLUMNS.contains(&name) && present().all(|v| v.parse::<i64>().is_ok()) {
        let a: Int64Array = values.iter().map(|v| v.parse().ok()).collect();
        return (DataType::Int64, Arc::new(a));
    }
    if name == "seed" && present().all(|v| v.parse::<u64>().is_ok()) {
        let a: UInt64Array = values.iter().map(|v| v.parse().ok()).collect();
        return (DataType::UInt64, Arc::new(a));
    }
    if present().next().is_some() && present().all(|v| days_since_epoch(v).is_some()) {
        let a: Date32Array = values.iter().map(|v| days_since_epoch(v)).collect();
        return (DataType::Date32, Arc::new(a));
    }
    if present().next().is_some() && present().all(|v| v == "true" || v == "false") {
        let a: BooleanArray = values
            .iter()
            .map(|v| (!v.is_empty()).then_some(v == "true"))
            .collect();
        return (DataType::Boolean, Arc::new(a));
    }
    if present().all(|v| v.parse::<f64>().is_ok()) {
        let a: Float64Array = values.iter().map(|v| v.parse().ok()).collect();
        return (DataType::Float64, Arc::new(a));
    }
    let distinct: std::collections::BTreeSet<&str> = values.iter().map(String::as_str).collect();
    if distinct.len() < values.len() {
        let a: DictionaryArray<Int32Type> = values.iter().map(String::as_str).collect();
        let dt = DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8));
        return (dt, Arc::new(a));
    }
    let a: StringArray = values.iter().map(|v| Some(v.as_str())).collect();
    (DataType::Utf8, Arc::new(a))
}

/// The inverse of [`csv_to_parquet`] for the readers of tables (`discover`): a chokepoint
/// Parquet table as CSV text, one cell per value, so that a Parquet-only folder is read by the
/// same CSV code as any other. Numbers are written in Rust's shortest round-trip form, so each
/// parses back to the very `f64` the file holds (the value the original CSV text gave); a null
/// is an empty cell, as it was.
///
/// # Errors
/// Bytes that are not Parquet, or a column of a type chokepoint never writes.
pub fn parquet_to_csv(parquet: &[u8]) -> Result<Vec<u8>, TableError> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Date32Type, Float64Type, Int64Type, UInt64Type};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

    let builder = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::copy_from_slice(parquet))?;
    let schema = builder.schema().clone();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(schema.fields().iter().map(|f| f.name().as_str()))?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    for batch in builder.build()? {
        let batch = batch?;
        let mut rows = vec![vec![String::new(); batch.num_columns()]; batch.num_rows()];
        for (c, (field, column)) in schema.fields().iter().zip(batch.columns()).enumerate() {
            for (r, row) in rows.iter_mut().enumerate() {
                if column.is_null(r) {
                    continue;
                }
                row[c] = match field.data_type() {
                    DataType::Float64 => column.as_primitive::<Float64Type>().value(r).to_string(),
                    DataType::Int64 => column.as_primitive::<Int64Type>().value(r).to_string(),
                    DataType::UInt64 => column.as_primitive::<UInt64Type>().value(r).to_string(),
                    DataType::Boolean => column.as_boolean().value(r).to_string(),
                    DataType::Utf8 => column.as_string::<i32>().value(r).to_owned(),
                    DataType::Date32 => {
                        let days = column.as_primitive::<Date32Type>().value(r);
                        let date = epoch + chrono::Duration::days(i64::from(days));
                        date.format("%Y-%m-%d").to_string()
                    }
                    DataType::Dictionary(key, value)
                        if **key == DataType::Int32 && **value == DataType::Utf8 =>
                    {
                        let dict = column.as_dictionary::<Int32Type>();
                        let values = dict.values().as_string::<i32>();
                        let key = usize::try_from(dict.keys().value(r)).unwrap_or_default();
                        values.value(key).to_owned()
                    }
                    other => {
                        return Err(TableError::ColumnType {
                            column: field.name().clone(),
                            data_type: other.to_string(),
                        });
                    }
                };
            }
        }
        for row in rows {
            w.write_record(&row)?;
        }
    }
    w.flush()?;
    w.into_inner()
        .map_err(|e| TableError::Io(std::io::Error::other(e.to_string())))
}

/// `YYYY-MM-DD` as days since 1970-01-01 (Arrow's `Date32`).
fn days_since_epoch(text: &str) -> Option<i32> {
    let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?;
    i32::try_from((date - epoch).num_days()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Date32Type, Float64Type, Int64Type};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use parquet::file::reader::FileReader;

    fn read(bytes: Vec<u8>) -> RecordBatch {
        let builder = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes)).unwrap();
        let schema = builder.schema().clone();
        let batches: Vec<RecordBatch> = builder.build().unwrap().map(Result::unwrap).collect();
        assert!(batches.len() <= 1, "small tables are one batch");
        batches
            .into_iter()
            .next()
            .unwrap_or_else(|| RecordBatch::new_empty(schema))
    }

    #[test]
    fn parquet_reads_back_as_the_csv_it_was_made_from() {
        let csv = "step,date,strategy,any_halt,seed,mean,p5\n\
                   0,2025-04-04,none,true,18446744073709551615,0.1,\n\
                   1,2025-04-11,hold,false,0,-0.30000000000000004,NaN\n\
                   2,1969-12-31,none,true,7,1e300,-inf\n";
        let back = parquet_to_csv(&csv_to_parquet(csv.as_bytes(), "{}").unwrap()).unwrap();
        let text = String::from_utf8(back).unwrap();
        let cells = |t: &str| -> Vec<Vec<String>> {
            t.lines()
                .map(|l| l.split(',').map(str::to_owned).collect())
                .collect()
        };
        let (want, got) = (cells(csv), cells(&text));
        assert_eq!(want.len(), got.len());
        for (w, g) in want.iter().zip(&got) {
            for (a, b) in w.iter().zip(g) {
                match (a.parse::<f64>(), b.parse::<f64>()) {
                    (Ok(x), Ok(y)) if x.is_nan() => assert!(y.is_nan(), "{a} vs {b}"),
                    (Ok(x), Ok(y)) => assert_eq!(x.to_bits(), y.to_bits(), "{a} vs {b}"),
                    _ => assert_eq!(a, b),
                }
            }
        }
        assert!(parquet_to_csv(b"not parquet").is_err());
    }

    #[test]
    fn columns_get_their_types_and_values_round_trip() {
        let csv = "step,date,variable,mean,p5\n\
                   0,2025-04-04,price/x,0.1,\n\
                   0,2025-04-04,stock/x,1e300,NaN\n\
                   1,2025-04-11,price/x,-0.30000000000000004,inf\n";
        let batch = read(csv_to_parquet(csv.as_bytes(), "{}").unwrap());
        let schema = batch.schema();
        assert_eq!(schema.field(0).data_type(), &DataType::Int64);
        assert_eq!(schema.field(1).data_type(), &DataType::Date32);
        assert!(matches!(
            schema.field(2).data_type(),
            DataType::Dictionary(_, _)
        ));
        assert_eq!(schema.field(3).data_type(), &DataType::Float64);
        let step = batch.column(0).as_primitive::<Int64Type>();
        assert_eq!(step.values().to_vec(), vec![0, 0, 1]);
        let date = batch.column(1).as_primitive::<Date32Type>();
        // 2025-04-04 is day 20182 of the Unix epoch.
        assert_eq!(date.value(0), 20182);
        let mean = batch.column(3).as_primitive::<Float64Type>();
        assert_eq!(
            mean.value(2).to_bits(),
            (-0.30000000000000004_f64).to_bits()
        );
        assert_eq!(mean.value(1).to_bits(), 1e300_f64.to_bits());
        let p5 = batch.column(4).as_primitive::<Float64Type>();
        assert!(p5.is_null(0), "an empty cell is null");
        assert!(p5.value(1).is_nan());
        assert!(p5.value(2).is_infinite());
    }

    #[test]
    fn the_manifest_is_in_the_metadata_and_bytes_are_deterministic() {
        let csv = b"metric,n,mean\na,10,1.5\nb,10,2\n";
        let one = csv_to_parquet(csv, "{\"seed\":1}").unwrap();
        let two = csv_to_parquet(csv, "{\"seed\":1}").unwrap();
        assert_eq!(one, two);
        let reader =
            parquet::file::serialized_reader::SerializedFileReader::new(bytes::Bytes::from(one))
                .unwrap();
        let meta = reader.metadata().file_metadata();
        let kv = meta.key_value_metadata().unwrap();
        let manifest = kv.iter().find(|k| k.key == MANIFEST_KEY).unwrap();
        assert_eq!(manifest.value.as_deref(), Some("{\"seed\":1}"));
        assert!(meta.created_by().unwrap().starts_with("chokepoint "));
    }

    #[test]
    fn an_empty_table_and_text_columns_are_fine() {
        let batch = read(csv_to_parquet(b"strategy,mean\n", "{}").unwrap());
        assert_eq!(batch.num_rows(), 0);
        // Unique names stay plain text; a number-like name among words is text too.
        let batch = read(csv_to_parquet(b"strategy,mean\nnone,1\n2,3\n", "{}").unwrap());
        assert_eq!(batch.schema().field(0).data_type(), &DataType::Utf8);
        assert_eq!(batch.column(0).as_string::<i32>().value(1), "2");
    }

    #[test]
    fn formats_parse_and_print() {
        for f in [TableFormat::Csv, TableFormat::Parquet, TableFormat::Both] {
            assert_eq!(f.as_str().parse::<TableFormat>().unwrap(), f);
        }
        assert!("xlsx".parse::<TableFormat>().unwrap_err().contains("csv"));
    }
}
