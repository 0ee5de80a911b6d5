//! `journal.jsonl`: one line per finished cell (of a shard), flushed to disk as it finishes.
//!
//! A line holds the cell, its replications, their metrics and, when kept, the per-step
//! accumulators. Resuming reads it back and runs only the cells it lacks; `merge` combines the
//! journals of all shards.
//!
//! **Records verify themselves** (issue 13): a line is `<sha256> <plan hash> <record JSON>`,
//! the checksum taken over `<plan hash> <record JSON>`. A complete line whose checksum fails (a
//! changed digit) or whose plan hash is not the plan being resumed or merged (a journal of
//! another seed, scenario or design) is an error naming the file, the line and the reason,
//! never silently used. Only the last line may be cut short (a kill while appending): without
//! its newline it is dropped when read, cut off before the next line is appended, and its cell
//! simply runs again.

use std::io::Write as _;
use std::path::Path;

use chokepoint_stats::SeriesAccumulator;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::manifest::hex;

/// One finished cell of one shard (or of a single machine).
#[derive(Serialize, Deserialize)]
pub(crate) struct JournalLine {
    pub cell: usize,
    /// Replication indices (run id mod replications), ascending.
    pub reps: Vec<u64>,
    pub metrics: Vec<Vec<f64>>,
    pub series: Option<SeriesAccumulator>,
}

fn checksum(plan: &str, record: &str) -> String {
    let mut h = Sha256::new();
    h.update(plan.as_bytes());
    h.update(b" ");
    h.update(record.as_bytes());
    hex(&h.finalize())
}

/// The records of a journal written for the plan hashed `plan` (none when there is no journal
/// yet), checked line by line.
pub(crate) fn read_journal(path: &Path, plan: &str) -> Result<Vec<JournalLine>, Error> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(Vec::new());
    };
    // Only complete lines (a kill may leave the last one without its newline).
    let complete = text.rfind('\n').map_or("", |k| &text[..=k]);
    let bad = |line: usize, reason: String| Error::JournalRecord {
        path: path.to_owned(),
        line,
        reason,
    };
    let mut out = Vec::new();
    for (k, l) in complete.lines().enumerate() {
        let mut parts = l.splitn(3, ' ');
        let (Some(sum), Some(its_plan), Some(record)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(bad(
                k + 1,
                "not a journal record (checksum, plan hash, record)".into(),
            ));
        };
        if checksum(its_plan, record) != sum {
            return Err(bad(
                k + 1,
                "its checksum does not match: the record was changed after it was written".into(),
            ));
        }
        if its_plan != plan {
            return Err(bad(
                k + 1,
                format!(
                    "it belongs to another plan ({}), not this one ({}): another seed, scenario or design",
                    &its_plan[..its_plan.len().min(12)],
                    &plan[..plan.len().min(12)]
                ),
            ));
        }
        out.push(serde_json::from_str(record).map_err(|e| bad(k + 1, e.to_string()))?);
    }
    Ok(out)
}

/// Appends a record of the plan hashed `plan` and syncs it to disk before returning.
pub(crate) fn append_journal(path: &Path, plan: &str, line: &JournalLine) -> Result<(), Error> {
    drop_torn_tail(path)?;
    let record = serde_json::to_string(line)?;
    let text = format!("{} {plan} {record}\n", checksum(plan, &record));
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| Error::file(format!("{}: cannot open the journal", path.display()), e))?;
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    Ok(())
}

/// Cuts a line left unfinished by a kill off the end of the journal, so that the next line
/// starts on a line of its own.
fn drop_torn_tail(path: &Path) -> Result<(), Error> {
    let Ok(bytes) = std::fs::read(path) else {
        return Ok(());
    };
    if bytes.is_empty() || bytes.ends_with(b"\n") {
        return Ok(());
    }
    let keep = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |k| k + 1);
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| Error::file(format!("{}: cannot repair the journal", path.display()), e))?;
    f.set_len(keep as u64)?;
    f.sync_all()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    fn line(cell: usize) -> JournalLine {
        JournalLine {
            cell,
            reps: vec![0, 2],
            metrics: vec![vec![1.5], vec![0.1]],
            series: None,
        }
    }

    #[test]
    fn a_torn_last_line_is_skipped_then_cut_before_the_next_append() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        append_journal(&path, PLAN, &line(0)).unwrap();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"0123 aaaa {\"cell\":1,\"re").unwrap();
        assert_eq!(read_journal(&path, PLAN).unwrap().len(), 1);
        append_journal(&path, PLAN, &line(2)).unwrap();
        let cells: Vec<usize> = read_journal(&path, PLAN)
            .unwrap()
            .iter()
            .map(|l| l.cell)
            .collect();
        assert_eq!(cells, vec![0, 2]);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
    }

    #[test]
    fn a_changed_digit_or_a_foreign_plan_is_refused_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        append_journal(&path, PLAN, &line(0)).unwrap();
        append_journal(&path, PLAN, &line(1)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        // One digit of the second record's metrics changed.
        let changed = text.replacen("[0.1]", "[0.2]", 2);
        std::fs::write(&path, &changed).unwrap();
        let e = read_journal(&path, PLAN).err().unwrap().to_string();
        assert!(e.contains("line 1") && e.contains("checksum"), "{e}");
        // Intact records of another plan.
        std::fs::write(&path, &text).unwrap();
        let other = "b".repeat(64);
        let e = read_journal(&path, &other).err().unwrap().to_string();
        assert!(e.contains("line 1") && e.contains("another plan"), "{e}");
        // Not a record at all.
        std::fs::write(&path, "{\"cell\":0}\n").unwrap();
        let e = read_journal(&path, PLAN).err().unwrap().to_string();
        assert!(e.contains("not a journal record"), "{e}");
    }
}
