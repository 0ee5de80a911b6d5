//! `merge`: the shards of one plan into the files one machine writes.
//!
//! The shards' manifests must agree on the plan hash and shard count, every shard must be
//! there once and finished, and the plan rebuilt from the recorded [`PlanSpec`] (through the
//! caller's loader) must hash the same, so that files edited since the shards ran are caught.
//! The journals are then combined and finished by the same code as a single machine's run.

use crate::output::Tables;
use std::path::{Path, PathBuf};

use chokepoint_core::ScenarioSource;

use crate::engine::{Progress, combine, read_journals};
use crate::error::Error;
use crate::execute::{Report, finish};
use crate::folder::{self, Claim};
use crate::manifest::{ExperimentManifest, new_manifest, read_manifest, write_manifest};
use crate::output::Results;
use crate::plan::{Load, Plan, PlanSpec, Shard};
use crate::run::merged_manifest;

/// Merges the shard folders `dirs` of one plan into `out` (a new folder), rebuilding the plan
/// through `loader`, and reports as the finished plan would; `progress` hears of the folder
/// claimed (and of a stale lock taken over).
pub fn merge<S: ScenarioSource>(
    dirs: &[PathBuf],
    out: &Path,
    loader: &dyn Load<S>,
    progress: &dyn Progress,
) -> Result<Report, Error> {
    let first = dirs.first().ok_or(Error::NoShards)?;
    let spec = read_manifest(first)?
        .spec
        .ok_or_else(|| Error::NoSpec(first.clone()))?;
    let _lock = folder::claim_telling(out, Claim::Fresh, progress).map_err(|e| match e {
        Error::AlreadyHoldsResults(dir) => Error::MergeTargetHoldsResults(dir),
        other => other,
    })?;
    let (plan, results, manifest) = merge_shards(dirs, &spec, loader)?;
    // The shards recorded the format their plan's tables take: the merge writes the same.
    let tables = Tables::new(
        &plan,
        manifest.format.unwrap_or_default(),
        manifest.format_note.as_deref(),
    );
    let mut report = finish(&plan, &results, out, &tables)?;
    match (&spec, &mut report) {
        (PlanSpec::Run(run), Report::Run(r)) => {
            merged_manifest(&plan, run, out, &tables)?;
            r.merged_shards = Some(dirs.len());
        }
        _ => write_manifest(out, &manifest)?,
    }
    Ok(report)
}

/// Checks that `dirs` are all the shards of one plan, rebuilds the plan from `spec`, and
/// returns it with the combined results and the merged folder's manifest.
fn merge_shards<S: ScenarioSource>(
    dirs: &[PathBuf],
    spec: &PlanSpec,
    loader: &dyn Load<S>,
) -> Result<(Plan<S>, Results, ExperimentManifest), Error> {
    let mut manifests = Vec::new();
    for d in dirs {
        manifests.push((d.clone(), read_manifest(d)?));
    }
    let (first_dir, first) = manifests.first().cloned().ok_or(Error::NoShards)?;
    let count = shard_of(&first_dir, &first)?.count;
    let slots = usize::try_from(count).map_err(|_| Error::BadShard {
        dir: first_dir.clone(),
        message: format!("{count} shards are more than this machine can index"),
    })?;
    let mut seen: Vec<Option<PathBuf>> = vec![None; slots];
    for (dir, m) in &manifests {
        let s = shard_of(dir, m)?;
        if m.plan_sha256 != first.plan_sha256 || s.count != count {
            return Err(Error::OtherPlan {
                dir: dir.clone(),
                first_dir: first_dir.clone(),
                plan: m.plan_sha256[..12].to_owned(),
                count: s.count,
                first_plan: first.plan_sha256[..12].to_owned(),
                first_count: count,
            });
        }
        if m.status != "complete" {
            return Err(Error::UnfinishedShard {
                dir: dir.clone(),
                shard: s.to_string(),
                status: m.status.clone(),
            });
        }
        // `index < count` (checked when parsed), and `count` fits in `usize` (checked above).
        let Some(slot) = usize::try_from(s.index).ok().and_then(|i| seen.get_mut(i)) else {
            return Err(Error::BadShard {
                dir: dir.clone(),
                message: format!("shard {s} is outside 0..{count}"),
            });
        };
        if let Some(other) = slot {
            return Err(Error::ShardTwice {
                shard: s.to_string(),
                first: other.clone(),
                second: dir.clone(),
            });
        }
        *slot = Some(dir.clone());
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, d)| d.is_none())
        .map(|(i, _)| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(Error::MissingShards(missing));
    }
    let plan = Plan::from_spec(spec, loader)?;
    if plan.hash() != first.plan_sha256 {
        return Err(Error::PlanChanged {
            now: plan.hash()[..12].to_owned(),
            recorded: first.plan_sha256[..12].to_owned(),
        });
    }
    let results = combine(&plan, read_journals(dirs, &plan.hash())?)?;
    let mut manifest = new_manifest(&plan, None, 0, &first.argv);
    manifest.status = "complete".into();
    manifest.finished_at = Some(chrono::Utc::now().to_rfc3339());
    manifest.format = first.format;
    manifest.format_note.clone_from(&first.format_note);
    Ok((plan, results, manifest))
}

/// The `I/N` a shard folder's manifest records.
fn shard_of(dir: &Path, m: &ExperimentManifest) -> Result<Shard, Error> {
    let s = m
        .shard
        .as_deref()
        .ok_or_else(|| Error::NotAShard(dir.to_owned()))?;
    s.parse::<Shard>().map_err(|message| Error::BadShard {
        dir: dir.to_owned(),
        message,
    })
}
