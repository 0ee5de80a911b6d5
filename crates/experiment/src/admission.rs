//! Admission control: before a plan builds its cells or runs a replication, estimate the
//! memory and disk it will need and refuse what will not fit, saying how big it is and how
//! to shrink it (issue 13: a `grid:100` over four parameters used to allocate until the
//! machine ran out of its 24 GB).
//!
//! What grows with a plan, and is estimated here:
//! - every cell's recipe and labels (the scenario itself is built when the cell runs);
//! - every replication's metrics, held until the final files are written (each kept twice
//!   while journals are combined, plus their text in `replications.csv`);
//! - per-step accumulators of the cells that keep time series;
//! - the journal on disk (its records' text) and the final CSV files.
//!
//! The estimate is deliberately simple and rounded up; docs/outputs.md gives the formula and
//! docs/performance.md what it was checked against.

use std::path::Path;

/// A plan that will not fit, with its estimate and how to shrink it.
#[derive(Debug, thiserror::Error)]
#[error(
    "this plan needs about {need_h} of {what} ({cells} cell(s) × {reps} replication(s) × {metrics} metrics{series}), more than the {have_h} of {from}; shrink it: fewer design points (a smaller `grid:K` or `lhs:K`, or fewer `--param`s), fewer scenarios or strategies, or fewer replications (`--reps`){fix}",
    need_h = human_bytes(*need),
    have_h = human_bytes(*have),
    cells = shape.cells,
    reps = shape.replications,
    metrics = shape.metrics,
    series = if shape.series_entries > 0 { format!(", and {} per-step statistics per cell", shape.series_entries) } else { String::new() },
    fix = if *what == "memory" { "; if the estimate is wrong for this machine, set CHOKEPOINT_MEMORY_LIMIT (e.g. 64G)" } else { "; or write to a file system with more room (--out)" },
)]
pub struct TooBig {
    /// `memory` or `disk space`.
    pub what: &'static str,
    /// Estimated bytes.
    pub need: u64,
    /// Bytes there are.
    pub have: u64,
    /// Where `have` came from.
    pub from: String,
    /// The plan's size.
    pub shape: Shape,
}

/// Bytes a cell's recipe and labels take (a few short strings and one number per swept
/// parameter), rounded up from measured sweeps.
const PLAN_BYTES_PER_CELL: u64 = 1024;
/// Bytes in memory per metric value of a replication: the `f64` kept from the journal and in
/// the combined results (8 each) and its text in `replications.csv` (about 24).
const MEMORY_BYTES_PER_METRIC: u64 = 8 + 8 + 24;
/// Bytes in memory per replication beyond its values: two vector headers and allocator
/// overhead.
const MEMORY_BYTES_PER_REPLICATION: u64 = 96;
/// Bytes of one per-step accumulator entry (a step × variable) before any value: an exact sum
/// and an empty quantile sketch (240 B), and the first pages of a sketch side once it has a
/// value (page table and room for 64 bucket counts, about 290 B). Issue 14.
const MEMORY_BYTES_PER_SERIES_ENTRY: u64 = 512;
/// Bytes a quantile sketch grows by per replication, until the cap below: a value in a bucket
/// the entry has not seen may open a page of 8 counts (32 B) and widen the page table. Fitted
/// to measured peaks of `run list_expansion_2025_10` (48,100 entries; docs/outputs.md,
/// "Admission control"): 3.6 to 5.2 kB per entry per accumulator at 1,000 replications, 6.6 kB
/// at 10,000 (issue 14; was 40 B with the map-based sketch).
const MEMORY_BYTES_PER_SERIES_ENTRY_PER_REPLICATION: u64 = 5;
/// Replications after which the estimate stops growing the sketches: their distinct buckets
/// grow ever more slowly (at most 100 per factor of two a variable spans); 2,000 × 5 B covers
/// the 10,000-replication measurement.
const SKETCH_SATURATION_REPLICATIONS: u64 = 2000;
/// Bytes on disk per metric value: its shortest round-trip text and a separator, in the
/// journal and again in `replications.csv`.
const DISK_BYTES_PER_METRIC: u64 = 2 * 22;
/// Bytes on disk per step × variable of a cell's time series: its text in the journal's
/// accumulators (about 16 bytes per sketch bucket) and in `timeseries.csv`.
const DISK_BYTES_PER_SERIES_ENTRY: u64 = 128;
/// Bytes on disk a series entry grows by per replication (a sketch bucket's text), until
/// `DISK_SKETCH_SATURATION_REPLICATIONS`.
const DISK_BYTES_PER_SERIES_ENTRY_PER_REPLICATION: u64 = 16;
/// Replications after which the disk estimate stops growing the sketches' text: conservative
/// for the journal's compressed records (issue 14 measured 0.44 kB per entry at 300
/// replications and 1.1 kB at 2,000, deflated, against 6.5 kB estimated).
const DISK_SKETCH_SATURATION_REPLICATIONS: u64 = 400;
/// Memory the process needs besides the plan: the binary, the thread pools, one model and
/// its buffers per worker.
const BASE_MEMORY_BYTES: u64 = 256 << 20;

/// The size of an experiment, as the admission check sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// Cells (design points × strategies, scenarios × strategies, or 1).
    pub cells: u64,
    /// Replications per cell (the most a precision target may run).
    pub replications: u64,
    /// Per-replication metrics each cell reports.
    pub metrics: u64,
    /// Steps × per-step variables of a cell that keeps time series, else 0.
    pub series_entries: u64,
}

/// What a [`Shape`] needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Footprint {
    /// Estimated peak memory, bytes.
    pub memory_bytes: u64,
    /// Estimated bytes written (journal and result files).
    pub disk_bytes: u64,
}

impl Shape {
    /// The estimate (saturating: a design too big to count is too big to run).
    #[must_use]
    pub fn footprint(&self) -> Footprint {
        let values = self.cells.saturating_mul(self.replications);
        let memory = BASE_MEMORY_BYTES
            .saturating_add(self.cells.saturating_mul(PLAN_BYTES_PER_CELL))
            .saturating_add(
                values.saturating_mul(
                    self.metrics
                        .saturating_mul(MEMORY_BYTES_PER_METRIC)
                        .saturating_add(MEMORY_BYTES_PER_REPLICATION),
                ),
            )
            .saturating_add(
                self.cells
                    .saturating_mul(self.series_entries)
                    .saturating_mul(
                        MEMORY_BYTES_PER_SERIES_ENTRY.saturating_add(
                            self.replications
                                .min(SKETCH_SATURATION_REPLICATIONS)
                                .saturating_mul(MEMORY_BYTES_PER_SERIES_ENTRY_PER_REPLICATION),
                        ),
                    ),
            );
        let disk = values
            .saturating_mul(self.metrics)
            .saturating_mul(DISK_BYTES_PER_METRIC)
            .saturating_add(
                self.cells
                    .saturating_mul(self.series_entries)
                    .saturating_mul(
                        DISK_BYTES_PER_SERIES_ENTRY.saturating_add(
                            self.replications
                                .min(DISK_SKETCH_SATURATION_REPLICATIONS)
                                .saturating_mul(DISK_BYTES_PER_SERIES_ENTRY_PER_REPLICATION),
                        ),
                    ),
            );
        Footprint {
            memory_bytes: memory,
            disk_bytes: disk,
        }
    }
}

/// Refuses a plan of `shape` when its estimate exceeds the memory this process may use
/// ([`memory_budget`]) or, given `out`, the free space where it will be written (on the
/// file system of `out` or of its nearest existing ancestor).
pub(crate) fn admit(shape: &Shape, out: Option<&Path>) -> Result<Footprint, TooBig> {
    let need = shape.footprint();
    if let Some(budget) = memory_budget()
        && need.memory_bytes > budget.bytes
    {
        return Err(TooBig {
            what: "memory",
            need: need.memory_bytes,
            have: budget.bytes,
            from: budget.source,
            shape: *shape,
        });
    }
    if let Some(free) = out.and_then(free_disk)
        && need.disk_bytes > free
    {
        return Err(TooBig {
            what: "disk space",
            need: need.disk_bytes,
            have: free,
            from: "free space on the output folder's file system".into(),
            shape: *shape,
        });
    }
    Ok(need)
}

/// How much memory a plan may use, and where the figure came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Bytes.
    pub bytes: u64,
    /// Where it came from, for the message.
    pub source: String,
}

/// The memory this process may use: `CHOKEPOINT_MEMORY_LIMIT` (bytes, or with a `K`, `M`, `G`
/// or `T` suffix) when set, else the least of the machine's available memory
/// (`MemAvailable` of `/proc/meminfo`) and the room left under the control group's limit
/// (cgroup v2 `memory.max`, as Slurm sets for a job). `None` where neither can be read: then
/// nothing is refused for memory.
#[must_use]
pub fn memory_budget() -> Option<Budget> {
    if let Ok(text) = std::env::var("CHOKEPOINT_MEMORY_LIMIT")
        && let Some(bytes) = parse_bytes(&text)
    {
        return Some(Budget {
            bytes,
            source: format!("CHOKEPOINT_MEMORY_LIMIT={text}"),
        });
    }
    let available = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| meminfo_available(&t))
        .map(|bytes| Budget {
            bytes,
            source: "available memory (MemAvailable in /proc/meminfo)".into(),
        });
    let cgroup = cgroup_room().map(|bytes| Budget {
        bytes,
        source: "room under the control group's memory limit (memory.max, e.g. Slurm's --mem)"
            .into(),
    });
    match (available, cgroup) {
        (Some(a), Some(c)) => Some(if c.bytes < a.bytes { c } else { a }),
        (a, c) => a.or(c),
    }
}

/// `MemAvailable` of a `/proc/meminfo` text, in bytes.
fn meminfo_available(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// Room under this process's cgroup v2 memory limit, if it has one.
fn cgroup_room() -> Option<u64> {
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let rel = own.lines().find_map(|l| l.strip_prefix("0::"))?;
    let dir = Path::new("/sys/fs/cgroup").join(rel.trim_start_matches('/'));
    let max = std::fs::read_to_string(dir.join("memory.max")).ok()?;
    let max: u64 = max.trim().parse().ok()?; // "max" = no limit
    let current: u64 = std::fs::read_to_string(dir.join("memory.current"))
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(0);
    Some(max.saturating_sub(current))
}

/// `12345`, `512M`, `8G`, `1.5T` (binary units) as bytes.
pub(crate) fn parse_bytes(text: &str) -> Option<u64> {
    let t = text.trim();
    let (num, shift) = match t.chars().last()?.to_ascii_uppercase() {
        'K' => (&t[..t.len() - 1], 10),
        'M' => (&t[..t.len() - 1], 20),
        'G' => (&t[..t.len() - 1], 30),
        'T' => (&t[..t.len() - 1], 40),
        _ => (t, 0),
    };
    let x: f64 = num.trim().parse().ok()?;
    let bytes = x * f64::from(1u32 << (shift / 2)) * f64::from(1u32 << (shift - shift / 2));
    // Truncation is intended: a byte count; the range is checked first.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    (x.is_finite() && x >= 0.0 && bytes < 1.8e19).then_some(bytes as u64)
}

/// Free bytes on the file system that holds `path` (or its nearest existing ancestor).
fn free_disk(path: &Path) -> Option<u64> {
    let mut p = if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    };
    while !p.exists() {
        p = p.parent().filter(|q| !q.as_os_str().is_empty())?;
    }
    statvfs_free(p)
}

#[cfg(unix)]
fn statvfs_free(p: &Path) -> Option<u64> {
    let s = rustix::fs::statvfs(p).ok()?;
    Some(s.f_bavail.saturating_mul(s.f_frsize))
}

#[cfg(not(unix))]
fn statvfs_free(_: &Path) -> Option<u64> {
    None
}

/// `bytes` for people: `1.2 GB`, `340 MB`.
#[must_use]
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KB", "MB", "GB", "TB", "PB"];
    let mut x = bytes as f64;
    let mut u = 0;
    while x >= 1024.0 && u + 1 < UNITS.len() {
        x /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{x:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_binary_units() {
        assert_eq!(parse_bytes("1024"), Some(1024));
        assert_eq!(parse_bytes("2K"), Some(2048));
        assert_eq!(parse_bytes("1.5G"), Some(3 << 29));
        assert_eq!(parse_bytes("8g"), Some(8 << 30));
        assert_eq!(parse_bytes("lots"), None);
        assert_eq!(parse_bytes("-1G"), None);
    }

    #[test]
    fn meminfo_gives_bytes() {
        let text = "MemTotal:       24000000 kB\nMemAvailable:   1000 kB\n";
        assert_eq!(meminfo_available(text), Some(1_024_000));
        assert_eq!(meminfo_available("MemTotal: 5 kB\n"), None);
    }

    #[test]
    fn footprint_grows_with_cells_and_replications_and_saturates() {
        let small = Shape {
            cells: 10,
            replications: 1000,
            metrics: 50,
            series_entries: 0,
        };
        let big = Shape {
            cells: 10_000,
            ..small
        };
        let a = small.footprint();
        let b = big.footprint();
        assert!(b.memory_bytes > 900 * (a.memory_bytes - BASE_MEMORY_BYTES));
        assert!(b.disk_bytes == 1000 * a.disk_bytes);
        let absurd = Shape {
            cells: 100u64.pow(4),
            replications: u64::MAX,
            metrics: 50,
            series_entries: 10_000,
        };
        assert_eq!(absurd.footprint().memory_bytes, u64::MAX);
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(3 << 30), "3.0 GB");
    }
}
