//! `journal.jsonl`: one line per finished cell (of a shard), flushed to disk as it finishes.
//!
//! A line holds the cell, its replications, their metrics and, when kept, the per-step
//! accumulators. Resuming reads it back and runs only the cells it lacks; `merge` combines the
//! journals of all shards.
//!
//! **Records verify themselves** (issue 13): a line is `<sha256> <plan hash> <record>`, the
//! checksum taken over `<plan hash> <record>`. A complete line whose checksum fails (a
//! changed digit) or whose plan hash is not the plan being resumed or merged (a journal of
//! another seed, scenario or design) is an error naming the file, the line and the reason,
//! never silently used. Only the last line may be cut short (a kill while appending): without
//! its newline it is dropped when read, cut off before the next line is appended, and its cell
//! simply runs again.
//!
//! **Records are compact**: `<record>` is the record's JSON, deflated (fastest level) and
//! base64-encoded, about 4× smaller than the JSON (per-step accumulators are most of it).
//! Records written as plain JSON by earlier versions (starting with `{`) are still read.

use std::io::{Read as _, Seek as _, SeekFrom, Write as _};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
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
        out.push(decode(record).map_err(|e| bad(k + 1, e))?);
    }
    Ok(out)
}

/// A record's JSON, deflated and base64-encoded.
fn encode(line: &JournalLine) -> Result<String, Error> {
    let json = serde_json::to_vec(line)?;
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(&json)?;
    Ok(BASE64.encode(z.finish()?))
}

/// The record of a line's third field: compact, or plain JSON from an earlier version.
fn decode(record: &str) -> Result<JournalLine, String> {
    if record.starts_with('{') {
        return serde_json::from_str(record).map_err(|e| e.to_string());
    }
    let deflated = BASE64
        .decode(record)
        .map_err(|e| format!("not a compact record: {e}"))?;
    let mut json = Vec::new();
    flate2::read::DeflateDecoder::new(deflated.as_slice())
        .read_to_end(&mut json)
        .map_err(|e| format!("not a compact record: {e}"))?;
    serde_json::from_slice(&json).map_err(|e| e.to_string())
}

/// Appends a record of the plan hashed `plan` and syncs it to disk before returning.
pub(crate) fn append_journal(path: &Path, plan: &str, line: &JournalLine) -> Result<(), Error> {
    drop_torn_tail(path)?;
    let record = encode(line)?;
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
/// starts on a line of its own. Reads only the tail (back to the last newline), so appending
/// stays cheap however long the journal grows.
fn drop_torn_tail(path: &Path) -> Result<(), Error> {
    const CHUNK: u64 = 64 * 1024;
    let Ok(mut f) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
    else {
        return Ok(());
    };
    let len = f.metadata()?.len();
    let mut end = len;
    let mut buf = Vec::new();
    let keep = loop {
        if end == 0 {
            break 0;
        }
        let start = end.saturating_sub(CHUNK);
        buf.resize(usize::try_from(end - start).unwrap_or(0), 0);
        f.seek(SeekFrom::Start(start))?;
        f.read_exact(&mut buf)?;
        if end == len && buf.last() == Some(&b'\n') {
            return Ok(());
        }
        if let Some(k) = buf.iter().rposition(|&b| b == b'\n') {
            break start + k as u64 + 1;
        }
        end = start;
    };
    f.set_len(keep)
        .and_then(|()| f.sync_all())
        .map_err(|e| Error::file(format!("{}: cannot repair the journal", path.display()), e))
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
    fn records_are_compact_and_plain_json_records_of_earlier_versions_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let big = JournalLine {
            cell: 3,
            reps: (0..500).collect(),
            metrics: (0..500).map(|r| vec![f64::from(r) * 0.25; 40]).collect(),
            series: None,
        };
        append_journal(&path, PLAN, &big).unwrap();
        let json = serde_json::to_string(&big).unwrap();
        let written = std::fs::metadata(&path).unwrap().len();
        assert!(
            written * 4 < json.len() as u64,
            "{written} vs {}",
            json.len()
        );
        let back = read_journal(&path, PLAN).unwrap();
        assert_eq!((back[0].cell, &back[0].metrics), (3, &big.metrics));
        // A plain-JSON record, as written before records were compressed.
        let record = serde_json::to_string(&line(7)).unwrap();
        let old = format!("{} {PLAN} {record}\n", checksum(PLAN, &record));
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(old.as_bytes())
            .unwrap();
        let cells: Vec<usize> = read_journal(&path, PLAN)
            .unwrap()
            .iter()
            .map(|l| l.cell)
            .collect();
        assert_eq!(cells, vec![3, 7]);
    }

    #[test]
    fn a_changed_digit_or_a_foreign_plan_is_refused_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        append_journal(&path, PLAN, &line(0)).unwrap();
        append_journal(&path, PLAN, &line(1)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        // One character of the second record changed.
        let second = text.find('\n').unwrap() + 1;
        let at = second + text[second..].rfind(' ').unwrap() + 5;
        let mut changed = text.clone().into_bytes();
        changed[at] = if changed[at] == b'A' { b'B' } else { b'A' };
        let changed = String::from_utf8(changed).unwrap();
        std::fs::write(&path, &changed).unwrap();
        let e = read_journal(&path, PLAN).err().unwrap().to_string();
        assert!(e.contains("line 2") && e.contains("checksum"), "{e}");
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
