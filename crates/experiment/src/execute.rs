//! The engine's front: build a plan from its spec, execute it, finish it into files.
//!
//! A front door (the CLI, a Python module) calls [`Plan::from_spec`] and [`execute`], then
//! shows the [`Outcome`]. A plain run (one cell, no shard) runs directly, in batches with
//! optional precision targets; every other plan goes through the journal, so it resumes after
//! a kill and its shards merge into exactly what one machine writes.

use std::path::{Path, PathBuf};

use chokepoint_core::ScenarioSource;

use crate::compare::{self, CompareReport};
use crate::engine::{Execution, Journalled, output_folder, run_journalled};
use crate::error::Error;
use crate::folder::{self, Claim, FolderLock};
use crate::manifest::write_manifest;
use crate::output::Results;
use crate::output::Tables;
use crate::plan::{Finish, Load, Plan, PlanSpec, Shard};
use crate::run::{self, RunReport};
use crate::sweep::{self, SweepReport};
use crate::table::resolve_format;

/// What a finished plan reports, by kind.
#[derive(Clone, Debug)]
pub enum Report {
    /// A run: its summary rows.
    Run(RunReport),
    /// A comparison: rankings and robustness.
    Compare(CompareReport),
    /// A sweep: where its table went.
    Sweep(SweepReport),
}

/// What [`execute`] came to.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// Every cell finished and the files are written (a plain run stopped early also lands
    /// here, its report and manifest marked interrupted).
    Done(Report),
    /// This shard's share is finished and journalled; `merge` combines shards.
    ShardDone {
        /// Which shard.
        shard: Shard,
        /// Its folder.
        out: std::path::PathBuf,
    },
    /// Stopped; the journal in `out` keeps what finished, and resuming finishes the rest.
    Interrupted {
        /// The folder to resume.
        out: std::path::PathBuf,
    },
}

impl<S: ScenarioSource> Plan<S> {
    /// Resolves `spec` into cells, loading files through `loader`; every variant is validated.
    pub fn from_spec(spec: &PlanSpec, loader: &dyn Load<S>) -> Result<Self, Error> {
        match spec {
            PlanSpec::Run(s) => run::plan(s, loader),
            PlanSpec::Compare(s) => compare::plan(s, loader),
            PlanSpec::Sweep(s) => sweep::plan(s, loader),
        }
    }
}

/// Refuses execution settings the plan cannot honour, before anything is loaded or run.
pub fn check_execution(spec: &PlanSpec, exec: &Execution<'_>) -> Result<(), Error> {
    crate::engine::check_threads(exec.threads)?;
    if let PlanSpec::Run(run) = spec {
        if exec.shard.is_some() && !run.targets.is_empty() {
            return Err(Error::TargetsSharded);
        }
        if exec.shard.is_none() && exec.resume {
            return Err(Error::ResumeWithoutShard);
        }
    }
    Ok(())
}

/// The folder `execute` writes `plan` into: `exec.out`, else `runs/<label>-<UTC time>`. A
/// front door that wants to know it before the run starts (to name it in a message, or to
/// mark it on an abort) calls this and passes the answer as `exec.out`.
#[must_use]
pub fn planned_folder<S: ScenarioSource>(plan: &Plan<S>, exec: &Execution<'_>) -> PathBuf {
    let label = match (&plan.spec, exec.shard) {
        (PlanSpec::Run(_), Some(_)) => format!("{}-shard", plan.label),
        _ => plan.label.clone(),
    };
    output_folder(exec.out.as_deref(), &label)
}

/// Runs `plan` on this machine or as one shard (as `exec` says) and, when every cell is done,
/// writes the final files. The output folder is locked for the whole time ([`crate::folder`]);
/// a run that fails after its manifest was written leaves it marked `failed`.
pub fn execute<S: ScenarioSource>(plan: &Plan<S>, exec: &Execution<'_>) -> Result<Outcome, Error> {
    execute_locked(plan, exec).map(|(outcome, _lock)| outcome)
}

/// [`execute`], handing back the folder's lock, so that a caller writing more files into the
/// folder (`backtest`) keeps it until it is done.
pub(crate) fn execute_locked<S: ScenarioSource>(
    plan: &Plan<S>,
    exec: &Execution<'_>,
) -> Result<(Outcome, FolderLock), Error> {
    check_execution(&plan.spec, exec)?;
    let out = planned_folder(plan, exec);
    let how = if exec.resume {
        Claim::Resume
    } else if exec.force {
        Claim::Force
    } else {
        Claim::Fresh
    };
    crate::admission::admit(&plan.shape, Some(&out))?;
    let lock = folder::claim_telling(&out, how, exec.progress)?;
    let outcome = execute_in(plan, exec, &out);
    if outcome.is_err() {
        let _ = folder::mark_status(&out, "failed");
    }
    Ok((outcome?, lock))
}

fn execute_in<S: ScenarioSource>(
    plan: &Plan<S>,
    exec: &Execution<'_>,
    out: &Path,
) -> Result<Outcome, Error> {
    let (format, note) = resolve_format(plan, exec.format, exec.parquet_above_bytes);
    if let Some(note) = &note {
        exec.progress.note(note);
    }
    let tables = Tables::new(plan, format, note.as_deref());
    if let PlanSpec::Run(spec) = &plan.spec
        && exec.shard.is_none()
    {
        return Ok(Outcome::Done(Report::Run(run::run_here(
            plan, spec, exec, out, &tables,
        )?)));
    }
    let out = out.to_owned();
    Ok(match run_journalled(plan, &out, exec, &tables, note)? {
        Journalled::Interrupted => Outcome::Interrupted { out },
        Journalled::ShardDone(shard) => Outcome::ShardDone { shard, out },
        Journalled::Done(results, manifest) => {
            let report = finish(plan, &results, &out, &tables)?;
            write_manifest(&out, &manifest)?;
            Outcome::Done(report)
        }
    })
}

/// Writes a finished plan's files into `out` (the manifest is the caller's) by kind.
pub(crate) fn finish<S: ScenarioSource>(
    plan: &Plan<S>,
    results: &Results,
    out: &Path,
    tables: &Tables,
) -> Result<Report, Error> {
    Ok(match &plan.finish {
        Finish::Run => Report::Run(run::finish_run(plan, results, out, tables)?),
        Finish::Compare(info) => {
            Report::Compare(compare::finish_compare(plan, info, results, out, tables)?)
        }
        Finish::Sweep => Report::Sweep(sweep::finish_sweep(plan, results, out, tables)?),
    })
}
