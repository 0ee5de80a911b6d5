//! `journal.jsonl`: one line per finished cell (of a shard), flushed to disk as it finishes.
//!
//! A line holds the cell, its replications, their metrics and, when kept, the per-step
//! accumulators. Resuming reads it back and runs only the cells it lacks; `merge` combines the
//! journals of all shards. A line cut short by a kill is not valid JSON: it is skipped when
//! read, cut off before the next line is appended, and its cell simply runs again.

use std::io::Write as _;
use std::path::Path;

use chokepoint_stats::SeriesAccumulator;
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// One finished cell of one shard (or of a single machine).
#[derive(Serialize, Deserialize)]
pub(crate) struct JournalLine {
    pub cell: usize,
    /// Replication indices (run id mod replications), ascending.
    pub reps: Vec<u64>,
    pub metrics: Vec<Vec<f64>>,
    pub series: Option<SeriesAccumulator>,
}

/// The valid lines of a journal (none when there is no journal yet).
pub(crate) fn read_journal(path: &Path) -> Vec<JournalLine> {
    // A line cut short by a kill is not valid JSON and its work is simply done again.
    std::fs::read_to_string(path)
        .map(|text| {
            text.lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Appends a line and syncs it to disk before returning.
pub(crate) fn append_journal(path: &Path, line: &JournalLine) -> Result<(), Error> {
    drop_torn_tail(path)?;
    let mut text = serde_json::to_string(line)?;
    text.push('\n');
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
        append_journal(&path, &line(0)).unwrap();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"{\"cell\":1,\"re").unwrap();
        assert_eq!(read_journal(&path).len(), 1);
        append_journal(&path, &line(2)).unwrap();
        let cells: Vec<usize> = read_journal(&path).iter().map(|l| l.cell).collect();
        assert_eq!(cells, vec![0, 2]);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
    }
}
