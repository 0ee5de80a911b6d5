//! A calibration's folder: `manifest.json`, the journal `candidates.jsonl`, and the final
//! `candidates.csv`, `fit.csv` and `calibrated.toml`, each written atomically. The final files
//! are written from the journal's candidates alone, so a resumed calibration writes the same
//! bytes as an uninterrupted one.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Calibration, CalibrationError, Candidate, FitTarget, Scale};
use crate::error::Error;
use crate::output::{csv_bytes, write_atomic};

/// The journal of evaluated candidates, a JSON line each.
const JOURNAL: &str = "candidates.jsonl";

pub(super) use crate::manifest::{hex, sha256_hex};

/// `manifest.json` of a calibration folder.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CalibrationManifest {
    /// `running`, `complete`, `interrupted` or `failed`.
    pub status: String,
    /// Always `calibrate`.
    pub kind: String,
    /// The version that wrote it.
    pub chokepoint_version: String,
    /// The calibration file as given.
    pub calibration_path: String,
    /// SHA-256 of the calibration file's bytes.
    pub calibration_sha256: String,
    /// Hash of the calibration file, the resolved scenario and the targets: `--resume` refuses
    /// a folder with another.
    pub calibration_hash: String,
    /// The scenario file.
    pub scenario_path: String,
    /// Master seed.
    pub seed: u64,
    /// Replications per candidate.
    pub replications: u64,
    /// Candidates evaluated so far.
    pub candidates: usize,
    /// The chosen candidate, once complete.
    pub chosen: Option<usize>,
    /// Worker threads of this process (results do not depend on it).
    pub threads: usize,
    /// UTC start.
    pub started_at: String,
    /// UTC finish.
    pub finished_at: Option<String>,
    /// The command that made it.
    pub argv: Vec<String>,
    /// When `interrupted`: the command that finishes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume_command: Option<String>,
}

fn write_manifest(dir: &Path, m: &CalibrationManifest) -> Result<(), CalibrationError> {
    let bytes = serde_json::to_vec_pretty(m).map_err(Error::from)?;
    Ok(write_atomic(dir, "manifest.json", &bytes)?)
}

/// Starts (or, with `resume`, reopens) the folder: checks that it belongs to this calibration
/// and returns its manifest and the candidates its journal already holds.
pub(super) fn open(
    dir: &Path,
    cal: &Calibration,
    hash: &str,
    threads: usize,
    resume: bool,
    argv: &[String],
) -> Result<(CalibrationManifest, Vec<Candidate>), CalibrationError> {
    let path = dir.join("manifest.json");
    let mut manifest = CalibrationManifest {
        status: "running".into(),
        kind: "calibrate".into(),
        chokepoint_version: env!("CARGO_PKG_VERSION").into(),
        calibration_path: cal.path.display().to_string(),
        calibration_sha256: cal.file_sha256.clone(),
        calibration_hash: hash.to_owned(),
        scenario_path: cal.scenario.display().to_string(),
        seed: cal.seed,
        replications: cal.replications,
        candidates: 0,
        chosen: None,
        threads,
        started_at: chrono::Utc::now().to_rfc3339(),
        finished_at: None,
        argv: argv.to_vec(),
        resume_command: None,
    };
    let mut journal = Vec::new();
    if resume {
        let bytes =
            std::fs::read(&path).map_err(|_| CalibrationError::NothingToResume(dir.to_owned()))?;
        let old: CalibrationManifest = serde_json::from_slice(&bytes)
            .map_err(|_| CalibrationError::NothingToResume(dir.to_owned()))?;
        if old.calibration_hash != hash {
            return Err(CalibrationError::DifferentCalibration {
                dir: dir.to_owned(),
                recorded: old.calibration_hash.chars().take(12).collect(),
                now: hash.chars().take(12).collect(),
            });
        }
        manifest.started_at = old.started_at;
        // A line cut short by a kill is not valid JSON: it and anything after it are dropped,
        // and the journal is cut back to the valid lines before new ones are appended.
        let text = std::fs::read_to_string(dir.join(JOURNAL)).unwrap_or_default();
        let mut keep = 0;
        for line in text.split_inclusive('\n') {
            match serde_json::from_str::<Candidate>(line.trim_end()) {
                Ok(c) if line.ends_with('\n') && c.index == journal.len() => {
                    keep += line.len();
                    journal.push(c);
                }
                _ => break,
            }
        }
        if keep < text.len() {
            let f = std::fs::OpenOptions::new()
                .write(true)
                .open(dir.join(JOURNAL))
                .map_err(|e| {
                    Error::file(format!("{}: cannot repair the journal", dir.display()), e)
                })?;
            f.set_len(keep as u64).map_err(Error::from)?;
        }
    } else if path.exists() {
        return Err(CalibrationError::AlreadyHoldsResults(dir.to_owned()));
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::file(
            format!("{}: cannot create the output folder", dir.display()),
            e,
        )
    })?;
    write_manifest(dir, &manifest)?;
    Ok((manifest, journal))
}

/// Appends one candidate to the journal and syncs it to disk.
pub(super) fn append(dir: &Path, c: &Candidate) -> Result<(), CalibrationError> {
    let mut line = serde_json::to_string(c).map_err(Error::from)?;
    line.push('\n');
    let path = dir.join(JOURNAL);
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| Error::file(format!("{}: cannot open the journal", path.display()), e))?;
    f.write_all(line.as_bytes()).map_err(Error::from)?;
    f.sync_all().map_err(Error::from)?;
    Ok(())
}

/// Records the status (and, when complete, the chosen candidate) in the manifest.
pub(super) fn mark(
    dir: &Path,
    m: &mut CalibrationManifest,
    status: &str,
    candidates: usize,
    chosen: Option<usize>,
) -> Result<(), CalibrationError> {
    m.status = status.into();
    m.candidates = candidates;
    m.chosen = chosen;
    m.finished_at = Some(chrono::Utc::now().to_rfc3339());
    write_manifest(dir, m)
}

/// One row of `fit.csv`: a target at the chosen values.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FitRow {
    /// The metric.
    pub target: String,
    /// The observed value.
    pub historical: f64,
    /// Model 5th percentile over the replications.
    pub p5: f64,
    /// Model median.
    pub p50: f64,
    /// Model 95th percentile.
    pub p95: f64,
    /// Model mean.
    pub mean: f64,
    /// Relative tolerance.
    pub tolerance: f64,
    /// Weight.
    pub weight: f64,
    /// Its share of the loss.
    pub contribution: f64,
}

/// A value as TOML writes it: whole-number keys as integers, others as floats.
fn toml_number(v: f64, integer: bool) -> String {
    if integer && v.fract() == 0.0 && v.abs() < 9.0e15 {
        #[allow(
            clippy::cast_possible_truncation,
            reason = "a whole number below 2^53, checked just above"
        )]
        let i = v as i64;
        i.to_string()
    } else {
        toml::Value::Float(v).to_string()
    }
}

/// Writes `candidates.csv`, `fit.csv` and `calibrated.toml`; returns the fit rows.
pub(super) fn write_results(
    dir: &Path,
    cal: &Calibration,
    targets: &[FitTarget],
    hash: &str,
    all: &[Candidate],
    chosen: &Candidate,
) -> Result<Vec<FitRow>, CalibrationError> {
    let stat = cal.statistic.as_str();
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["index".to_owned(), "phase".to_owned()];
    header.extend(cal.parameters.iter().map(|p| p.key.clone()));
    header.push("loss".to_owned());
    header.extend(targets.iter().map(|t| format!("{}_{stat}", t.metric)));
    w.write_record(&header).map_err(Error::from)?;
    for c in all {
        let mut rec = vec![c.index.to_string(), c.phase.as_str().to_owned()];
        rec.extend(c.values.iter().map(f64::to_string));
        rec.push(c.loss.to_string());
        rec.extend(c.stats.iter().map(|s| match cal.statistic {
            super::Statistic::P50 => s.p50.to_string(),
            super::Statistic::Mean => s.mean.to_string(),
        }));
        w.write_record(&rec).map_err(Error::from)?;
    }
    write_atomic(dir, "candidates.csv", &csv_bytes(w)?)?;

    let rows: Vec<FitRow> = targets
        .iter()
        .zip(&chosen.stats)
        .map(|(t, s)| FitRow {
            target: t.metric.clone(),
            historical: t.historical,
            p5: s.p5,
            p50: s.p50,
            p95: s.p95,
            mean: s.mean,
            tolerance: t.tolerance,
            weight: t.weight,
            contribution: s.contribution,
        })
        .collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in &rows {
        w.serialize(r).map_err(Error::from)?;
    }
    write_atomic(dir, "fit.csv", &csv_bytes(w)?)?;
    write_atomic(
        dir,
        "calibrated.toml",
        calibrated_toml(cal, hash, all.len(), chosen).as_bytes(),
    )?;
    Ok(rows)
}

/// The chosen values as a TOML fragment: keys under `defaults.` grouped into their tables,
/// ready to paste into `scenarios/common/behaviour.toml`; any other key (an array entry such as
/// a shock's) as a comment to copy by hand.
fn calibrated_toml(cal: &Calibration, hash: &str, candidates: usize, chosen: &Candidate) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Calibrated by `chokepoint calibrate` (chokepoint {}).",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        s,
        "# calibration: {} `{}` (file sha256 {}, calibration hash {})",
        cal.path.display(),
        cal.name,
        cal.file_sha256,
        hash
    );
    let _ = writeln!(
        s,
        "# seed {}, {} replications per candidate, statistic {}; search {} LHS points + Nelder–Mead ({} iterations, {} restarts)",
        cal.seed,
        cal.replications,
        cal.statistic.as_str(),
        cal.search.lhs_points,
        cal.search.nelder_mead_iterations,
        cal.search.restarts
    );
    let _ = writeln!(
        s,
        "# loss {} at candidate {} ({}) of {}",
        chosen.loss,
        chosen.index,
        chosen.phase.as_str(),
        candidates
    );
    let mut tables: Vec<(&str, Vec<String>)> = Vec::new();
    let mut loose = Vec::new();
    for (p, v) in cal.parameters.iter().zip(&chosen.values) {
        let range = format!(
            "calibrated: {}..{}{}",
            p.min,
            p.max,
            if p.scale == Scale::Log { " log" } else { "" }
        );
        let value = toml_number(*v, p.integer);
        match p.key.rsplit_once('.') {
            Some((table, leaf)) if table.starts_with("defaults.") && !table.contains('"') => {
                let line = format!("{leaf} = {value}  # {range}");
                match tables.iter_mut().find(|(t, _)| *t == table) {
                    Some((_, lines)) => lines.push(line),
                    None => tables.push((table, vec![line])),
                }
            }
            _ => loose.push(format!(
                "# {} = {value}  ({range}; set it in the scenario)",
                p.key
            )),
        }
    }
    for (table, lines) in tables {
        let _ = writeln!(s, "\n[{table}]");
        for l in lines {
            let _ = writeln!(s, "{l}");
        }
    }
    if !loose.is_empty() {
        s.push('\n');
        for l in loose {
            let _ = writeln!(s, "{l}");
        }
    }
    s
}
