//! Running a plan's units through the journal, and combining journals into results.
//!
//! A unit of work is (cell, replication) with the stable **run id** `cell × replications +
//! replication`; its random streams derive from `(seed, replication)`, the replication being
//! `run id mod replications`, so they do not depend on where or in which shard it runs. A shard
//! `I/N` runs the units whose run id is `I` mod `N`. Finished work is appended to
//! `journal.jsonl` (a line per cell and shard); resuming runs only what the journal lacks, and
//! `merge` combines shards' journals with the same [`combine`]. Every final file is then written
//! from the combined results by the same code, so one machine, a resumed run and merged shards
//! give byte-identical files.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use chokepoint_core::ScenarioSource;
use chokepoint_stats::SeriesAccumulator;

use crate::error::Error;
use crate::journal::{JournalLine, append_journal, read_journal};
use crate::manifest::{ExperimentManifest, new_manifest, read_manifest, write_manifest};
use crate::monte_carlo;
use crate::output::{CellResult, Results};
use crate::plan::{Plan, Shard};

/// Told how much work there is and how it advances (a progress bar, a log line, nothing).
/// Called from worker threads, hence `Sync`.
pub trait Progress: Sync {
    /// `total` replications are about to run.
    fn start(&self, total: u64) {
        let _ = total;
    }
    /// `n` more replications finished.
    fn advance(&self, n: u64) {
        let _ = n;
    }
    /// No more replications will run (finished or stopped).
    fn finish(&self) {}
    /// Something the user should know that is not an error (a stale lock taken over).
    fn note(&self, text: &str) {
        let _ = text;
    }
    /// The command now holds output folder `dir` (locked), also when it named none and got a
    /// default one: a front door that marks the folder on an abort remembers it.
    fn claimed(&self, dir: &Path) {
        let _ = dir;
    }
}

/// Reports nothing.
pub struct Silent;

impl Progress for Silent {}

/// How and where to execute a plan: everything that does not change its results.
pub struct Execution<'a> {
    /// Output folder; `None` = `runs/<label>-<UTC time>`.
    pub out: Option<PathBuf>,
    /// Run only this shard's units.
    pub shard: Option<Shard>,
    /// Continue the experiment already in `out` (same plan and shard).
    pub resume: bool,
    /// Replace the chokepoint output already in `out`: its files are deleted first.
    pub force: bool,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Told of progress.
    pub progress: &'a dyn Progress,
    /// Set to stop at the next batch boundary; finished work is kept.
    pub stop: &'a AtomicBool,
    /// The command that asked for it, recorded in the manifest for people.
    pub command: Vec<String>,
    /// Result tables as CSV, Parquet or both; `None` = CSV, except Parquet for a sweep whose
    /// `sweep.csv` would be huge ([`crate::resolve_format`]).
    pub format: Option<crate::TableFormat>,
    /// With `format: None`, a sweep whose `sweep.csv` is estimated above this many bytes
    /// writes Parquet (and says so in the manifest's `format_note`); normally
    /// [`crate::PARQUET_ABOVE_BYTES`].
    pub parquet_above_bytes: u64,
}

/// The most worker threads any command takes: more threads than cores only adds overhead,
/// and tens of thousands exhaust the memory for their stacks (issue 13: `--threads 100000`
/// panicked). Every front door refuses more ([`check_threads`]).
pub const MAX_THREADS: usize = 1024;

/// Refuses a thread count above [`MAX_THREADS`].
pub fn check_threads(threads: usize) -> Result<(), Error> {
    if threads > MAX_THREADS {
        return Err(Error::TooManyThreads {
            threads,
            max: MAX_THREADS,
        });
    }
    Ok(())
}

/// `0` means all cores.
pub(crate) fn resolve_threads(threads: usize) -> usize {
    if threads == 0 {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        threads
    }
}

/// The given folder, else `runs/<label>-<UTC timestamp>`, with the label made safe for a path
/// (it comes from a scenario's `name`, which may hold `/` or `..`: issue 13).
pub(crate) fn output_folder(given: Option<&Path>, label: &str) -> PathBuf {
    given.map_or_else(
        || {
            PathBuf::from("runs").join(format!(
                "{}-{}",
                path_safe(label),
                chrono::Utc::now().format("%Y%m%dT%H%M%SZ")
            ))
        },
        Path::to_path_buf,
    )
}

/// `label` with every character outside `[A-Za-z0-9_.-]` replaced by `_` and no leading dot,
/// so it is one plain folder name inside `runs/`.
pub(crate) fn path_safe(label: &str) -> String {
    let safe: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let trimmed = safe.trim_start_matches('.');
    if trimmed.is_empty() {
        "run".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// The command that finishes an interrupted journalled experiment: the plan's arguments, its
/// shard, and `--resume <out>`, quoted for a POSIX shell.
pub(crate) fn resume_command(command: &[String], shard: Option<Shard>, out: &Path) -> String {
    let mut words: Vec<String> = vec!["chokepoint".into()];
    words.extend(command.iter().map(|a| shell_quote(a)));
    if let Some(s) = shard {
        words.push(format!("--shard {s}"));
    }
    words.push(format!(
        "--resume {}",
        shell_quote(&out.display().to_string())
    ));
    words.join(" ")
}

/// `arg` as one word of a POSIX shell command line.
pub(crate) fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

/// What running a plan's journalled units came to.
pub(crate) enum Journalled {
    /// Every cell finished; the manifest (saying `complete`) is written once the final files
    /// are, so that a failure while finishing leaves it `running`, then marked `failed`.
    Done(Results, Box<ExperimentManifest>),
    /// This shard's share is finished and journalled.
    ShardDone(Shard),
    /// Stopped; the journal keeps what finished.
    Interrupted,
}

/// Runs the plan's units (this shard's, or all) that `out`'s journal lacks.
pub(crate) fn run_journalled<S: ScenarioSource>(
    plan: &Plan<S>,
    out: &Path,
    exec: &Execution<'_>,
    tables: &crate::output::Tables,
    format_note: Option<String>,
) -> Result<Journalled, Error> {
    let threads = resolve_threads(exec.threads);
    let mut manifest = new_manifest(plan, exec.shard, threads, &exec.command);
    manifest.format = (tables.format != crate::TableFormat::Csv).then_some(tables.format);
    manifest.format_note = format_note;
    if exec.resume {
        let old = read_manifest(out)?;
        if old.plan_sha256 != manifest.plan_sha256 || old.shard != manifest.shard {
            return Err(Error::DifferentPlan {
                dir: out.to_owned(),
                plan: old.plan_sha256[..12].to_owned(),
                shard: old.shard,
            });
        }
        manifest.started_at = old.started_at;
    }
    write_manifest(out, &manifest)?;

    let journal = out.join("journal.jsonl");
    let mut have: Vec<Option<JournalLine>> = (0..plan.cells.len()).map(|_| None).collect();
    for line in read_journal(&journal, &manifest.plan_sha256)? {
        if line.cell < have.len() {
            let cell = line.cell;
            have[cell] = Some(line);
        }
    }
    let todo: u64 = (0..plan.cells.len())
        .filter(|&k| have[k].is_none())
        .map(|k| plan.run_ids(k, exec.shard).len() as u64)
        .sum();
    exec.progress.start(todo);
    for (k, slot) in have.iter_mut().enumerate() {
        if slot.is_some() {
            continue;
        }
        let reps = plan.run_ids(k, exec.shard);
        if reps.is_empty() {
            continue;
        }
        let scenario = plan.scenario(k)?;
        let set = monte_carlo::run_ids(
            &*scenario,
            plan.mc.seed,
            &reps,
            plan.mc.batch,
            threads,
            &|n| exec.progress.advance(n),
            exec.stop,
        )?;
        if set.interrupted {
            exec.progress.finish();
            manifest.status = "interrupted".into();
            manifest.resume_command = Some(resume_command(&exec.command, exec.shard, out));
            write_manifest(out, &manifest)?;
            return Ok(Journalled::Interrupted);
        }
        let line = JournalLine {
            cell: k,
            reps: set.run_ids,
            metrics: set.metrics,
            series: plan.keep_series.then_some(set.series),
        };
        append_journal(&journal, &manifest.plan_sha256, &line)?;
        *slot = Some(line);
    }
    exec.progress.finish();
    manifest.status = "complete".into();
    manifest.finished_at = Some(chrono::Utc::now().to_rfc3339());
    if let Some(shard) = exec.shard {
        write_manifest(out, &manifest)?;
        return Ok(Journalled::ShardDone(shard));
    }
    let results = combine(plan, vec![have.into_iter().flatten().collect()])?;
    Ok(Journalled::Done(results, Box::new(manifest)))
}

/// The journals of `dirs`, one per folder, every record checked against the plan hashed `plan`.
pub(crate) fn read_journals(dirs: &[PathBuf], plan: &str) -> Result<Vec<Vec<JournalLine>>, Error> {
    dirs.iter()
        .map(|d| read_journal(&d.join("journal.jsonl"), plan))
        .collect()
}

/// Combines journals (one per shard, or one for a single machine) into per-cell results,
/// checking that every replication of every cell is there exactly once.
pub(crate) fn combine<S: ScenarioSource>(
    plan: &Plan<S>,
    journals: Vec<Vec<JournalLine>>,
) -> Result<Results, Error> {
    let reps = usize::try_from(plan.mc.replications).map_err(|_| Error::TooManyReplications {
        replications: plan.mc.replications,
    })?;
    let mut slots: Vec<Vec<Option<Vec<f64>>>> =
        (0..plan.cells.len()).map(|_| vec![None; reps]).collect();
    let mut series: Vec<Option<SeriesAccumulator>> = (0..plan.cells.len()).map(|_| None).collect();
    for journal in journals {
        for line in journal {
            let Some(cell_slots) = slots.get_mut(line.cell) else {
                return Err(Error::JournalCell {
                    cell: line.cell,
                    cells: plan.cells.len(),
                });
            };
            for (r, m) in line.reps.iter().zip(line.metrics) {
                let slot = usize::try_from(*r)
                    .ok()
                    .and_then(|r| cell_slots.get_mut(r))
                    .ok_or(Error::JournalReplication {
                        replication: *r,
                        replications: reps,
                    })?;
                if slot.is_some() {
                    return Err(Error::DuplicateReplication {
                        cell: line.cell,
                        replication: *r,
                    });
                }
                *slot = Some(m);
            }
            if let Some(s) = line.series {
                match &mut series[line.cell] {
                    Some(acc) => acc.merge(&s).map_err(Error::SeriesShape)?,
                    empty => *empty = Some(s),
                }
            }
        }
    }
    let mut cells = Vec::with_capacity(slots.len());
    for (k, (cell_slots, s)) in slots.into_iter().zip(series).enumerate() {
        let missing = cell_slots.iter().filter(|x| x.is_none()).count();
        if missing > 0 {
            return Err(Error::MissingReplications {
                cell: k,
                missing,
                replications: reps,
            });
        }
        cells.push(CellResult {
            metrics: cell_slots.into_iter().flatten().collect(),
            series: s,
        });
    }
    Ok(Results {
        metric_names: plan.metric_names.clone(),
        cells,
    })
}

#[cfg(test)]
mod path_tests {
    use super::path_safe;

    #[test]
    fn labels_cannot_leave_runs() {
        assert_eq!(path_safe("../../etc/x"), "_.._etc_x");
        assert_eq!(
            path_safe("list_expansion_2025_10"),
            "list_expansion_2025_10"
        );
        assert_eq!(path_safe("a b/c"), "a_b_c");
        assert_eq!(path_safe(".."), "run");
        assert_eq!(path_safe(""), "run");
    }
}
