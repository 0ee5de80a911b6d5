//! `discover`: scenario discovery (PRIM) over a finished sweep's design points.
//!
//! A case is one design point (of one strategy): its parameter values from `sweep.csv`, and
//! whether its metric statistic (by default the mean over the point's replications) lies beyond
//! the threshold. [`chokepoint_discover`] peels a box around the cases of interest; this module
//! reads the sweep, chooses and pastes the box, and writes `prim_trajectory.csv` and
//! `prim_box.csv` with a manifest into a locked folder of their own (the sweep stays as it was).

use std::path::{Path, PathBuf};

pub use chokepoint_discover::Settings as PrimSettings;
use chokepoint_discover::{Cases, Restriction, Step, Trajectory};

use crate::error::Error;
use crate::folder::{Claim, claim};
use crate::manifest::{read_manifest, sha256_hex};
use crate::output::{Tables, csv_bytes, write_atomic};
use crate::plan::PlanSpec;

/// Which side of the threshold the cases of interest lie on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// Of interest when the value is above the threshold (a loss, a shortage).
    Above,
    /// Of interest when the value is below the threshold (exports, weeks to a halt).
    Below,
}

/// What to discover, as the user asked for it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct DiscoverSpec {
    /// The finished sweep's folder.
    pub sweep: PathBuf,
    /// A column of `sweep.csv` (`lost_output_usd_p95`), or a metric name for its mean.
    pub metric: String,
    /// The threshold the cases of interest lie beyond.
    pub threshold: f64,
    /// Which side of it.
    pub side: Side,
    /// The strategy whose rows to use, when the sweep ran strategies.
    pub strategy: Option<String>,
    /// The chosen box is the densest with at least this share of the cases of interest.
    pub min_coverage: f64,
    /// Peeling and pasting.
    pub prim: PrimSettings,
    /// Where to write (a fresh folder).
    pub out: PathBuf,
    /// Replace what `out` holds.
    pub force: bool,
    /// CSV, Parquet or both for the two tables.
    pub format: crate::TableFormat,
}

/// The EMA Workbench's usual reading of a peeling trajectory picks a box of high density that
/// still explains most cases of interest; 0.8 of the cases is the level Bryant & Lempert (2010)
/// use as an example. A flag, so the analyst can move along the trade-off.
pub const DEFAULT_MIN_COVERAGE: f64 = 0.8;

/// What discovery found.
#[derive(Clone, Debug)]
pub struct DiscoverReport {
    /// The column the cases were judged on.
    pub column: String,
    /// Cases (design points of the strategy).
    pub cases: usize,
    /// Cases of interest.
    pub interesting: usize,
    /// Every box peeling went through.
    pub trajectory: Trajectory,
    /// The step chosen from it (before pasting).
    pub chosen: usize,
    /// The chosen box after pasting.
    pub boxed: Step,
    /// The parameters it narrows.
    pub restrictions: Vec<Restriction>,
    /// The files written.
    pub files: Vec<PathBuf>,
}

/// Why discovery could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DiscoverError {
    /// The folder is not a finished sweep.
    #[error(
        "{}: is a `{kind}` folder ({status}); discover reads a finished sweep: run `chokepoint sweep ... --out DIR` (with `--design lhs:K`, K in the hundreds) and give DIR",
        dir.display()
    )]
    NotASweep {
        /// The folder.
        dir: PathBuf,
        /// What it holds.
        kind: String,
        /// Its status.
        status: String,
    },
    /// `sweep.parquet` could not be read as a chokepoint table.
    #[error("{}: cannot read it as a chokepoint table: {source}", .file.display())]
    Parquet {
        /// The file.
        file: PathBuf,
        /// Why.
        source: crate::TableError,
    },
    /// A column that `sweep.csv` lacks.
    #[error("{}: has no column `{wanted}`{suggestion}; its metric columns include {known}", file.display())]
    NoColumn {
        /// `sweep.csv`.
        file: PathBuf,
        /// What was asked for.
        wanted: String,
        /// ` (did you mean ...?)` or nothing.
        suggestion: String,
        /// A few columns that exist.
        known: String,
    },
    /// The sweep ran strategies and none was chosen, or an unknown one.
    #[error("{}: the sweep ran strategies {known}; choose one with `--strategy NAME`{}", file.display(), given.as_ref().map(|g| format!(" (`{g}` is not one of them)")).unwrap_or_default())]
    Strategy {
        /// `sweep.csv`.
        file: PathBuf,
        /// The strategies in it.
        known: String,
        /// What was given, if anything.
        given: Option<String>,
    },
    /// A cell of `sweep.csv` that is not a number.
    #[error("{}: row {row}, column `{column}`: `{value}` is not a number", file.display())]
    NotANumber {
        /// `sweep.csv`.
        file: PathBuf,
        /// 1-based data row.
        row: usize,
        /// The column.
        column: String,
        /// What it holds.
        value: String,
    },
    /// `--min-coverage` outside (0, 1].
    #[error(
        "--min-coverage {0} is outside (0, 1]; give the share of the cases of interest the box must hold, e.g. 0.8"
    )]
    MinCoverage(f64),
    /// A threshold that is not a number.
    #[error("--threshold {0} is not a finite number")]
    Threshold(f64),
    /// PRIM refused the cases or settings.
    #[error("{}: `{column}` ranges from {lo} to {hi} over the {cases} cases", file.display())]
    Prim {
        /// `sweep.csv`.
        file: PathBuf,
        /// The outcome column.
        column: String,
        /// Its lowest value.
        lo: f64,
        /// Its highest value.
        hi: f64,
        /// Cases.
        cases: usize,
        /// Why.
        source: chokepoint_discover::Error,
    },
    /// Reading, locking or writing failed.
    #[error(transparent)]
    Experiment(#[from] Error),
}

impl DiscoverError {
    /// Whether the run failed (I/O, a busy folder): exit code 1; anything else is about what
    /// was asked for: exit code 2.
    #[must_use]
    pub fn is_run_failure(&self) -> bool {
        matches!(self, DiscoverError::Experiment(e) if e.is_run_failure())
    }
}

/// The sweep's table, as read.
struct Table {
    file: PathBuf,
    /// SHA-256 of the file's bytes, for the manifest.
    sha256: String,
    header: Vec<String>,
    rows: Vec<csv::StringRecord>,
}

impl Table {
    /// `sweep.csv`, else `sweep.parquet` (a big sweep, or `--format parquet`) read as the CSV
    /// it was made from: the same cells, so the same box either way.
    fn read(dir: &Path) -> Result<Self, DiscoverError> {
        let csv_file = dir.join("sweep.csv");
        let parquet_file = dir.join("sweep.parquet");
        let file = if !csv_file.exists() && parquet_file.exists() {
            parquet_file
        } else {
            csv_file
        };
        let bytes = std::fs::read(&file)
            .map_err(|e| Error::file(format!("{}: cannot read", file.display()), e))?;
        let sha256 = sha256_hex(&bytes);
        let text = if file.extension().is_some_and(|e| e == "parquet") {
            crate::table::parquet_to_csv(&bytes).map_err(|source| DiscoverError::Parquet {
                file: file.clone(),
                source,
            })?
        } else {
            bytes
        };
        let mut reader = csv::Reader::from_reader(text.as_slice());
        let header = reader
            .headers()
            .map_err(Error::Csv)?
            .iter()
            .map(str::to_owned)
            .collect();
        let rows = reader
            .records()
            .collect::<Result<_, _>>()
            .map_err(Error::Csv)?;
        Ok(Table {
            file,
            sha256,
            header,
            rows,
        })
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The column `metric`, or `metric_mean`.
    fn metric_column(&self, metric: &str) -> Result<(usize, String), DiscoverError> {
        for name in [metric.to_owned(), format!("{metric}_mean")] {
            if let Some(i) = self.index(&name) {
                return Ok((i, name));
            }
        }
        let means: Vec<&String> = self
            .header
            .iter()
            .filter(|h| h.ends_with("_mean"))
            .collect();
        let names: Vec<&str> = self.header.iter().map(String::as_str).collect();
        let suggestion = chokepoint_diagnostics::did_you_mean(metric, &names);
        Err(DiscoverError::NoColumn {
            file: self.file.clone(),
            wanted: metric.to_owned(),
            suggestion,
            known: means
                .iter()
                .take(6)
                .map(|h| format!("`{h}`"))
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    fn number(&self, row: usize, column: usize) -> Result<f64, DiscoverError> {
        let value = self.rows[row].get(column).unwrap_or_default();
        value
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| DiscoverError::NotANumber {
                file: self.file.clone(),
                row: row + 1,
                column: self.header[column].clone(),
                value: value.to_owned(),
            })
    }

    /// The rows of `strategy` (all rows when the sweep ran none).
    fn rows_of(&self, strategy: Option<&str>) -> Result<Vec<usize>, DiscoverError> {
        let Some(col) = self.index("strategy") else {
            return Ok((0..self.rows.len()).collect());
        };
        let mut known: Vec<&str> = self.rows.iter().filter_map(|r| r.get(col)).collect();
        known.dedup();
        let err = |given: Option<&str>| DiscoverError::Strategy {
            file: self.file.clone(),
            known: known
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", "),
            given: given.map(str::to_owned),
        };
        let Some(name) = strategy else {
            return Err(err(None));
        };
        let rows: Vec<usize> = (0..self.rows.len())
            .filter(|&i| self.rows[i].get(col) == Some(name))
            .collect();
        if rows.is_empty() {
            return Err(err(Some(name)));
        }
        Ok(rows)
    }
}

/// Draws a report's charts into the output folder (under its lock, before the manifest that
/// marks it complete) and returns the files written; the front door supplies it, as the
/// engine draws nothing.
pub type Draw<'a> = &'a dyn Fn(&DiscoverReport, &Path) -> Result<Vec<PathBuf>, crate::BoxError>;

/// Runs PRIM over the sweep in `spec.sweep` and writes its tables, `draw`'s charts and a
/// manifest into `spec.out`.
///
/// # Errors
/// A folder that is not a finished sweep, a column or strategy it lacks, a threshold no case
/// (or every case) crosses, settings out of range, an output folder in use or not empty.
pub fn discover(spec: &DiscoverSpec, draw: Draw<'_>) -> Result<DiscoverReport, DiscoverError> {
    if !(spec.min_coverage > 0.0 && spec.min_coverage <= 1.0) {
        return Err(DiscoverError::MinCoverage(spec.min_coverage));
    }
    if !spec.threshold.is_finite() {
        return Err(DiscoverError::Threshold(spec.threshold));
    }
    // A plain run's manifest is another shape: tell by its kind before reading it as an
    // experiment's.
    let found = std::fs::read(spec.sweep.join("manifest.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
    if let Some(value) = found {
        // A plain run's manifest has no `kind`.
        let kind = value.get("kind").and_then(|k| k.as_str()).unwrap_or("run");
        if kind != "sweep" {
            return Err(DiscoverError::NotASweep {
                dir: spec.sweep.clone(),
                kind: kind.to_owned(),
                status: value
                    .get("status")
                    .and_then(|k| k.as_str())
                    .unwrap_or("complete")
                    .to_owned(),
            });
        }
    }
    let manifest = read_manifest(&spec.sweep)?;
    let params = match &manifest.spec {
        Some(PlanSpec::Sweep(s)) if manifest.status == "complete" => s.params.clone(),
        _ => {
            return Err(DiscoverError::NotASweep {
                dir: spec.sweep.clone(),
                kind: manifest.kind.clone(),
                status: manifest.status.clone(),
            });
        }
    };
    let table = Table::read(&spec.sweep)?;
    let (metric, column) = table.metric_column(&spec.metric)?;
    let rows = table.rows_of(spec.strategy.as_deref())?;
    let param_columns: Vec<usize> = params
        .iter()
        .map(|p| {
            table.index(&p.path).ok_or_else(|| DiscoverError::NoColumn {
                file: table.file.clone(),
                wanted: p.path.clone(),
                suggestion: String::new(),
                known: "the swept parameters".into(),
            })
        })
        .collect::<Result<_, _>>()?;
    let mut columns = vec![Vec::with_capacity(rows.len()); params.len()];
    let mut interesting = Vec::with_capacity(rows.len());
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &r in &rows {
        for (values, &c) in columns.iter_mut().zip(&param_columns) {
            values.push(table.number(r, c)?);
        }
        let y = table.number(r, metric)?;
        (lo, hi) = (lo.min(y), hi.max(y));
        interesting.push(match spec.side {
            Side::Above => y > spec.threshold,
            Side::Below => y < spec.threshold,
        });
    }
    let prim_error = |source| DiscoverError::Prim {
        file: table.file.clone(),
        column: column.clone(),
        lo,
        hi,
        cases: rows.len(),
        source,
    };
    let names = params.iter().map(|p| p.path.clone()).collect();
    let cases = Cases::new(names, columns, interesting).map_err(prim_error)?;
    let trajectory = chokepoint_discover::peel(&cases, &spec.prim).map_err(prim_error)?;
    let chosen = trajectory.choose(spec.min_coverage);
    let boxed = chokepoint_discover::paste(&cases, &spec.prim, &trajectory.steps[chosen].limits)
        .map_err(prim_error)?;
    let restrictions = chokepoint_discover::restrictions(&cases, &boxed.limits);
    let report = DiscoverReport {
        column,
        cases: cases.len(),
        interesting: cases.interesting_count(),
        trajectory,
        chosen,
        boxed,
        restrictions,
        files: Vec::new(),
    };
    write(spec, &manifest, &table.file, &table.sha256, report, draw)
}

fn write(
    spec: &DiscoverSpec,
    sweep: &crate::ExperimentManifest,
    sweep_table: &Path,
    sweep_sha256: &str,
    mut report: DiscoverReport,
    draw: Draw<'_>,
) -> Result<DiscoverReport, DiscoverError> {
    let lock = claim(
        &spec.out,
        if spec.force {
            Claim::Force
        } else {
            Claim::Fresh
        },
    )?;
    let dir = lock.dir().to_path_buf();
    let tables = Tables {
        format: spec.format,
        manifest: serde_json::json!({
            "kind": "discover",
            "chokepoint_version": env!("CARGO_PKG_VERSION"),
            "sweep_plan_sha256": sweep.plan_sha256,
            "table": sweep_table.file_name().map(|n| n.to_string_lossy().into_owned()),
            "table_sha256": sweep_sha256,
            "column": report.column,
            "threshold": spec.threshold,
            "side": spec.side,
            "format": spec.format,
        })
        .to_string(),
    };
    let mut files = Vec::new();
    for (name, bytes) in [
        ("prim_trajectory.csv", trajectory_csv(&report)?),
        ("prim_box.csv", box_csv(&report)?),
    ] {
        tables.write(&dir, name, &bytes)?;
        files.push(dir.join(tables.file_name(name)));
    }
    let charts = draw(&report, &dir)
        .map_err(|e| Error::file(format!("{}: cannot draw the charts", dir.display()), e))?;
    files.extend(charts);
    let manifest = serde_json::json!({
        "status": "complete",
        "kind": "discover",
        "chokepoint_version": env!("CARGO_PKG_VERSION"),
        "sweep": {
            "folder": spec.sweep.display().to_string(),
            "plan_sha256": sweep.plan_sha256,
            "table": sweep_table.file_name().map(|n| n.to_string_lossy().into_owned()),
            "table_sha256": sweep_sha256,
            "seed": sweep.seed,
            "replications": sweep.replications,
        },
        "column": report.column,
        "threshold": spec.threshold,
        "side": spec.side,
        "strategy": spec.strategy,
        "min_coverage": spec.min_coverage,
        "prim": spec.prim,
        "format": spec.format,
        "cases": report.cases,
        "interesting": report.interesting,
    });
    let bytes = serde_json::to_vec_pretty(&manifest).map_err(Error::Json)?;
    write_atomic(&dir, "manifest.json", &bytes)?;
    files.push(dir.join("manifest.json"));
    report.files = files;
    Ok(report)
}

/// One row per peeling step, then the pasted box as step `pasted`.
fn trajectory_csv(report: &DiscoverReport) -> Result<Vec<u8>, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "step",
        "coverage",
        "density",
        "mass",
        "cases",
        "interesting",
        "restricted",
        "chosen",
    ])?;
    let row = |w: &mut csv::Writer<Vec<u8>>, step: String, s: &Step, chosen: bool| {
        let st = &s.stats;
        w.write_record([
            step,
            st.coverage.to_string(),
            st.density.to_string(),
            st.mass.to_string(),
            st.cases.to_string(),
            st.interesting.to_string(),
            st.restricted.to_string(),
            chosen.to_string(),
        ])
    };
    for (i, s) in report.trajectory.steps.iter().enumerate() {
        row(&mut w, i.to_string(), s, i == report.chosen)?;
    }
    row(&mut w, "pasted".into(), &report.boxed, false)?;
    csv_bytes(w)
}

/// One row per restricted parameter of the pasted box.
fn box_csv(report: &DiscoverReport) -> Result<Vec<u8>, Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["param", "lo", "hi", "sweep_lo", "sweep_hi", "quasi_p"])?;
    for r in &report.restrictions {
        w.write_record([
            r.parameter.clone(),
            r.lo.to_string(),
            r.hi.to_string(),
            r.cases_lo.to_string(),
            r.cases_hi.to_string(),
            r.quasi_p.to_string(),
        ])?;
    }
    csv_bytes(w)
}
