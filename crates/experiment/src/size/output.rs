//! A sizing's folder: `manifest.json` (written first as `running`), `size.csv` (every
//! evaluated size), `frontier.csv` (the greedy's steps, several items), `size.json` (the
//! answer), each atomically, tables as CSV, Parquet or both.

use std::path::Path;

use chokepoint_core::ScenarioSource;
use serde::{Deserialize, Serialize};

use super::search::Evaluated;
use super::{SizeError, SizeReport, SizeSpec, Target};
use crate::engine::Execution;
use crate::error::Error;
use crate::output::{Tables, csv_bytes, write_atomic};
use crate::table::TableFormat;

/// `manifest.json` of a sizing folder.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SizeManifest {
    /// `running`, `complete`, `interrupted` or `failed`.
    pub status: String,
    /// Always `size`.
    pub kind: String,
    /// The version that wrote it.
    pub chokepoint_version: String,
    /// What was asked for.
    pub spec: SizeSpec,
    /// The parsed target.
    pub target: Target,
    /// Per scenario: name and SHA-256 of the resolved template (strategy applied, size unset).
    pub scenarios: Vec<(String, String)>,
    /// Master seed.
    pub seed: u64,
    /// Worker threads of this process (results do not depend on it).
    pub threads: usize,
    /// The answer, once complete: weeks per item, or `null` when the target was not reached.
    pub answer: Option<serde_json::Value>,
    /// UTC start.
    pub started_at: String,
    /// UTC finish.
    pub finished_at: Option<String>,
    /// The command that made it.
    pub argv: Vec<String>,
    /// When not complete: the command that runs it again (sizing does not resume).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rerun_command: Option<String>,
}

fn save(dir: &Path, m: &SizeManifest) -> Result<(), SizeError> {
    let bytes = serde_json::to_vec_pretty(m).map_err(Error::from)?;
    Ok(write_atomic(dir, "manifest.json", &bytes)?)
}

/// Writes the `running` manifest.
pub(super) fn start<S: ScenarioSource>(
    dir: &Path,
    spec: &SizeSpec,
    target: &Target,
    templates: &[S],
    seed: u64,
    exec: &Execution<'_>,
) -> Result<SizeManifest, SizeError> {
    let m = SizeManifest {
        status: "running".into(),
        kind: "size".into(),
        chokepoint_version: env!("CARGO_PKG_VERSION").into(),
        spec: spec.clone(),
        target: target.clone(),
        scenarios: templates
            .iter()
            .map(|s| {
                (
                    s.name().to_owned(),
                    crate::manifest::sha256_hex(s.resolved_text().as_bytes()),
                )
            })
            .collect(),
        seed,
        threads: crate::engine::resolve_threads(exec.threads),
        answer: None,
        started_at: chrono::Utc::now().to_rfc3339(),
        finished_at: None,
        argv: exec.command.clone(),
        rerun_command: None,
    };
    save(dir, &m)?;
    Ok(m)
}

/// Records the status (and the answer) in the manifest.
pub(super) fn mark(
    dir: &Path,
    m: &mut SizeManifest,
    status: &str,
    report: Option<&SizeReport>,
) -> Result<(), SizeError> {
    m.status = status.into();
    m.finished_at = Some(chrono::Utc::now().to_rfc3339());
    if let Some(r) = report {
        m.answer = Some(answer_json(r));
    }
    if status != "complete" {
        let args: Vec<String> = m
            .argv
            .iter()
            .map(|a| crate::engine::shell_quote(a))
            .collect();
        m.rerun_command = Some(format!("chokepoint {} --force", args.join(" ")));
    }
    save(dir, m)
}

/// The answer as JSON (`size.json` and the manifest's `answer`).
fn answer_json(r: &SizeReport) -> serde_json::Value {
    let weeks = |e: &Evaluated| -> serde_json::Map<String, serde_json::Value> {
        r.items
            .iter()
            .zip(&e.weeks)
            .map(|(i, w)| (i.clone(), serde_json::json!(w)))
            .collect()
    };
    let held = |e: &Evaluated| -> serde_json::Map<String, serde_json::Value> {
        r.items
            .iter()
            .zip(&e.judged.held_t)
            .map(|(i, t)| (i.clone(), serde_json::json!(t)))
            .collect()
    };
    let row = |e: &Evaluated| {
        if r.scaled.is_some() {
            return serde_json::json!({
                "value": e.weeks[0],
                "risk": e.judged.risk.estimate,
                "risk_lo": e.judged.risk.lo,
                "risk_hi": e.judged.risk.hi,
                "cost_usd": e.judged.cost_usd,
                "replications": e.replications,
                "decision": e.decision.as_str(),
            });
        }
        serde_json::json!({
            "weeks": weeks(e),
            "held_t": held(e),
            "risk": e.judged.risk.estimate,
            "risk_lo": e.judged.risk.lo,
            "risk_hi": e.judged.risk.hi,
            "cost_usd": e.judged.cost_usd,
            "replications": e.replications,
            "decision": e.decision.as_str(),
        })
    };
    let mut json = serde_json::json!({
        "reached": r.reached(),
        "target": r.target.text,
        "metric": r.target.metric,
        "bound": r.target.bound,
        "items": r.items,
        "scenarios": r.scenarios,
        "seed": r.seed,
        "answer": r.answer().map(row),
        "known_short": r.found.known_short.map(|k| row(&r.found.evaluated[k])),
        "largest_evaluated": r.largest().map(row),
        "why_not": r.found.why_not,
        "evaluated": r.found.evaluated.len(),
    });
    // Said only when it is news, so that a stockpile sizing's size.json is as before.
    if let Some(obj) = json.as_object_mut() {
        if let Some(s) = &r.scaled {
            obj.insert("scaled".into(), serde_json::json!(s));
        }
        if r.scaled.is_some() || r.cost_metric != "stockpile_cost_usd" {
            obj.insert("cost_metric".into(), serde_json::json!(r.cost_metric));
        }
    }
    json
}

/// The rows of `size.csv` (every evaluated size) or of `frontier.csv` (the given steps).
fn table(r: &SizeReport, rows: &[&Evaluated], frontier: bool) -> Result<Vec<u8>, SizeError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec![if frontier { "step" } else { "index" }.into()];
    if !frontier {
        header.push("phase".into());
    }
    if r.scaled.is_some() {
        // One key, its value in the key's unit; nothing held in tonnes.
        header.extend(r.items.iter().map(|i| format!("value/{i}")));
    } else {
        header.extend(r.items.iter().map(|i| format!("weeks/{i}")));
        header.extend(r.items.iter().map(|i| format!("held_t/{i}")));
    }
    header.extend(
        [
            "replications",
            "risk",
            "risk_lo",
            "risk_hi",
            "bound",
            "decision",
            "cost_usd",
        ]
        .map(str::to_owned),
    );
    if r.scenarios.len() > 1 {
        for s in &r.scenarios {
            header.extend([format!("risk/{s}"), format!("risk_hi/{s}")]);
        }
    }
    w.write_record(&header).map_err(Error::from)?;
    for (n, e) in rows.iter().enumerate() {
        let mut rec = vec![if frontier { n } else { e.index }.to_string()];
        if !frontier {
            rec.push(e.phase.to_owned());
        }
        rec.extend(e.weeks.iter().map(f64::to_string));
        rec.extend(e.judged.held_t.iter().map(f64::to_string));
        let risk = &e.judged.risk;
        rec.extend([
            e.replications.to_string(),
            risk.estimate.to_string(),
            risk.lo.to_string(),
            risk.hi.to_string(),
            r.target.bound.to_string(),
            e.decision.as_str().to_owned(),
            e.judged.cost_usd.to_string(),
        ]);
        if r.scenarios.len() > 1 {
            for b in &e.judged.per_scenario {
                rec.extend([b.estimate.to_string(), b.hi.to_string()]);
            }
        }
        w.write_record(&rec).map_err(Error::from)?;
    }
    Ok(csv_bytes(w)?)
}

/// Writes `size.csv`, `frontier.csv` (several items) and `size.json`.
pub(super) fn write(
    dir: &Path,
    r: &SizeReport,
    spec: &SizeSpec,
    exec: &Execution<'_>,
) -> Result<(), SizeError> {
    let format = exec.format.unwrap_or(TableFormat::Csv);
    let stamp = serde_json::json!({
        "kind": "size",
        "chokepoint_version": env!("CARGO_PKG_VERSION"),
        "seed": r.seed,
        "spec": spec,
        "format": format,
    });
    let tables = Tables {
        format,
        manifest: stamp.to_string(),
    };
    let all: Vec<&Evaluated> = r.found.evaluated.iter().collect();
    tables.write(dir, "size.csv", &table(r, &all, false)?)?;
    if !r.found.frontier.is_empty() {
        let steps: Vec<&Evaluated> = r
            .found
            .frontier
            .iter()
            .map(|&k| &r.found.evaluated[k])
            .collect();
        tables.write(dir, "frontier.csv", &table(r, &steps, true)?)?;
    }
    let mut json = serde_json::to_vec_pretty(&answer_json(r)).map_err(Error::from)?;
    json.push(b'\n');
    write_atomic(dir, "size.json", &json)?;
    Ok(())
}
