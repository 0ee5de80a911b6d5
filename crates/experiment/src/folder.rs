//! Who owns an output folder: one lock, taken before anything is written, and the one check of
//! what a new, resumed or replaced experiment may find in its folder.
//!
//! **The lock** is a file, [`LOCK_FILE`], created with `create_new` (atomic on every local file
//! system and on NFS version 3 and later), holding the owner's pid, host and start time as JSON. A second process
//! on the same folder is refused with those three. It is removed when the [`FolderLock`] guard
//! drops, on every exit path that unwinds (success, error, a stop at a batch boundary); a second
//! Ctrl-C or `kill -9` leaves it behind, and the next command on the folder finds it **stale**
//! (same host, pid no longer alive), says so and takes it over. A lock from another host is
//! never judged stale: its pid cannot be checked from here.
//!
//! Why a lock file and not `flock` (`fs4`, `fd-lock`): output folders of cluster runs live on
//! shared file systems, where `flock` is emulated, per-node or silently a no-op (NFS, Lustre,
//! `BeeGFS` depending on mount options); and the message a user needs, *who* holds the folder,
//! comes from the file's contents either way. The cost: a crashed holder leaves the file behind,
//! hence the stale-lock takeover (by pid on the same host).
//!
//! **What the folder may hold** ([`Claim`]): a new experiment needs an empty (or absent) folder;
//! `--resume` needs the experiment it continues (the caller checks its manifest); `--force`
//! replaces a previous chokepoint output: it deletes everything in the folder (it must hold a
//! `manifest.json`, so that `--force` never empties a folder chokepoint did not write) before
//! anything new is written, so old and new results never mix.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// The lock file's name inside an output folder.
pub const LOCK_FILE: &str = ".chokepoint.lock";

/// Who holds a folder: the contents of its lock file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    /// Process id of the holder.
    pub pid: u32,
    /// Host name of the holder.
    pub host: String,
    /// UTC time the lock was taken (RFC 3339).
    pub since: String,
}

impl std::fmt::Display for LockInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "process {} on {} since {}",
            self.pid, self.host, self.since
        )
    }
}

/// What a command may find in its output folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// A new experiment: the folder must be absent or empty.
    Fresh,
    /// Continue the experiment in the folder (the caller checks its manifest).
    Resume,
    /// Replace a previous chokepoint output: delete what the folder holds first.
    Force,
}

/// Holds an output folder until dropped; dropping removes the lock file (and the folder, when
/// this guard created it and nothing was written into it).
#[derive(Debug)]
pub struct FolderLock {
    dir: PathBuf,
    me: LockInfo,
    created_dir: bool,
    /// A stale lock that was taken over: whose it was.
    pub taken_over: Option<LockInfo>,
}

impl FolderLock {
    /// The folder held.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        let path = self.dir.join(LOCK_FILE);
        if read_lock(&path).as_ref() == Some(&self.me) {
            let _ = std::fs::remove_file(&path);
        }
        // `remove_dir` only removes an empty folder: one a failed validation left untouched.
        if self.created_dir {
            let _ = std::fs::remove_dir(&self.dir);
        }
    }
}

/// This machine's host name (`unknown` where it cannot be read).
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Whether process `pid` of this host is alive. Where `/proc` does not exist the answer is
/// "yes": a lock is then never taken over automatically.
fn alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

fn read_lock(path: &Path) -> Option<LockInfo> {
    serde_json::from_slice(&std::fs::read(path).ok()?).ok()
}

/// [`claim`], then tells `progress`: a note when a stale lock was taken over, and the folder
/// now held (a front door marks it `interrupted` if a second signal aborts the process).
pub(crate) fn claim_telling(
    dir: &Path,
    how: Claim,
    progress: &dyn crate::engine::Progress,
) -> Result<FolderLock, Error> {
    let lock = claim(dir, how)?;
    if let Some(h) = &lock.taken_over {
        progress.note(&format!(
            "{}: took over a stale lock of {h} (that process is gone)",
            dir.display()
        ));
    }
    progress.claimed(dir);
    Ok(lock)
}

/// Creates `dir` if needed, takes its lock (taking over a stale one) and checks what it holds
/// against `claim`; with [`Claim::Force`], deletes its previous contents.
pub fn claim(dir: &Path, claim: Claim) -> Result<FolderLock, Error> {
    let created_dir = !dir.exists();
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::file(
            format!("{}: cannot create the output folder", dir.display()),
            e,
        )
    })?;
    let me = LockInfo {
        pid: std::process::id(),
        host: host_name(),
        since: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    };
    let mut guard = FolderLock {
        dir: dir.to_owned(),
        me,
        created_dir,
        taken_over: None,
    };
    let path = dir.join(LOCK_FILE);
    let bytes = serde_json::to_vec(&guard.me)?;
    // Two attempts: the second after a stale lock was removed.
    for _ in 0..2 {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(mut f) => {
                use std::io::Write as _;
                f.write_all(&bytes)
                    .and_then(|()| f.sync_all())
                    .map_err(|e| {
                        Error::file(format!("{}: cannot write the lock", path.display()), e)
                    })?;
                check_contents(dir, claim)?;
                return Ok(guard);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let holder = read_lock(&path);
                match holder {
                    Some(h) if h.host == guard.me.host && !alive(h.pid) => {
                        // Re-read just before removing, so that a lock another process took
                        // over a moment ago is not removed.
                        if read_lock(&path).as_ref() == Some(&h) {
                            let _ = std::fs::remove_file(&path);
                        }
                        guard.taken_over = Some(h);
                    }
                    other => {
                        guard.created_dir = false;
                        return Err(Error::FolderBusy {
                            dir: dir.to_owned(),
                            holder: other.map_or_else(
                                || "an unreadable lock (being written, or not chokepoint's)".into(),
                                |h| h.to_string(),
                            ),
                            lock: path,
                        });
                    }
                }
            }
            Err(e) => {
                return Err(Error::file(
                    format!("{}: cannot create the lock file", path.display()),
                    e,
                ));
            }
        }
    }
    guard.created_dir = false;
    Err(Error::FolderBusy {
        dir: dir.to_owned(),
        holder: read_lock(&path).map_or_else(|| "another process".into(), |h| h.to_string()),
        lock: path,
    })
}

/// What the folder holds besides the lock, sorted.
fn entries(dir: &Path) -> Result<Vec<String>, Error> {
    let read = std::fs::read_dir(dir)
        .map_err(|e| Error::file(format!("{}: cannot list the folder", dir.display()), e))?;
    let mut names = Vec::new();
    for e in read {
        let e =
            e.map_err(|e| Error::file(format!("{}: cannot list the folder", dir.display()), e))?;
        let name = e.file_name().to_string_lossy().into_owned();
        if name != LOCK_FILE {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

/// The one check of a folder's contents for every command that writes one.
fn check_contents(dir: &Path, claim: Claim) -> Result<(), Error> {
    let names = entries(dir)?;
    if names.is_empty() || claim == Claim::Resume {
        return Ok(());
    }
    let holds_results = names.iter().any(|n| n == "manifest.json");
    match claim {
        Claim::Resume => Ok(()),
        Claim::Fresh if holds_results => Err(Error::AlreadyHoldsResults(dir.to_owned())),
        Claim::Fresh => Err(Error::FolderNotEmpty {
            dir: dir.to_owned(),
            entries: names,
        }),
        Claim::Force if !holds_results => Err(Error::ForceNotOutput {
            dir: dir.to_owned(),
            entries: names,
        }),
        Claim::Force => {
            for n in names {
                let p = dir.join(&n);
                let removed = if p.is_dir() {
                    std::fs::remove_dir_all(&p)
                } else {
                    std::fs::remove_file(&p)
                };
                removed.map_err(|e| {
                    Error::file(
                        format!("{}: cannot delete a previous result (--force)", p.display()),
                        e,
                    )
                })?;
            }
            Ok(())
        }
    }
}

/// Rewrites the `status` of `dir/manifest.json` from `running` to `status` (whatever kind of
/// manifest it is); does nothing when there is no such manifest or it says something else.
pub fn mark_status(dir: &Path, status: &str) -> Result<(), Error> {
    let path = dir.join("manifest.json");
    let Ok(bytes) = std::fs::read(&path) else {
        return Ok(());
    };
    let Ok(mut m) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Ok(());
    };
    if m.get("status").and_then(serde_json::Value::as_str) != Some("running") {
        return Ok(());
    }
    m["status"] = status.into();
    crate::output::write_atomic(dir, "manifest.json", &serde_json::to_vec_pretty(&m)?)
}

/// For a process about to end at once (a second Ctrl-C or SIGTERM): marks the folder's manifest
/// `interrupted` if it still says `running`, and removes the lock if this process holds it.
/// Best effort: errors are ignored, there is no time left to report them.
pub fn abandon(dir: &Path) {
    let _ = mark_status(dir, "interrupted");
    let path = dir.join(LOCK_FILE);
    if read_lock(&path).is_some_and(|h| h.pid == std::process::id()) {
        let _ = std::fs::remove_file(&path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_claim_is_refused_naming_the_holder_and_the_lock_goes_with_the_guard() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("out");
        let held = claim(&dir, Claim::Fresh).unwrap();
        let err = claim(&dir, Claim::Fresh).unwrap_err().to_string();
        assert!(
            err.contains(&format!("process {}", std::process::id())),
            "{err}"
        );
        drop(held);
        assert!(!dir.exists(), "an untouched folder it created is removed");
        let held = claim(&dir, Claim::Fresh).unwrap();
        std::fs::write(dir.join("manifest.json"), "{\"status\":\"running\"}").unwrap();
        drop(held);
        assert!(!dir.join(LOCK_FILE).exists());
        assert!(dir.join("manifest.json").exists());
    }

    #[test]
    fn a_stale_lock_is_taken_over_and_force_deletes_only_chokepoint_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let dead = LockInfo {
            pid: u32::MAX - 1,
            host: host_name(),
            since: "2020-01-01T00:00:00Z".into(),
        };
        std::fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
        let err = claim(tmp.path(), Claim::Force).unwrap_err();
        assert!(matches!(err, Error::ForceNotOutput { .. }), "{err}");
        assert!(tmp.path().join("notes.txt").exists());
        std::fs::write(tmp.path().join("manifest.json"), "{}").unwrap();
        std::fs::write(
            tmp.path().join(LOCK_FILE),
            serde_json::to_vec(&dead).unwrap(),
        )
        .unwrap();
        let held = claim(tmp.path(), Claim::Force).unwrap();
        assert_eq!(held.taken_over, Some(dead));
        assert_eq!(entries(tmp.path()).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn mark_status_changes_only_a_running_manifest() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join("manifest.json"),
            "{\"status\":\"complete\"}",
        )
        .unwrap();
        mark_status(tmp.path(), "failed").unwrap();
        assert!(
            std::fs::read_to_string(tmp.path().join("manifest.json"))
                .unwrap()
                .contains("complete")
        );
        std::fs::write(tmp.path().join("manifest.json"), "{\"status\":\"running\"}").unwrap();
        mark_status(tmp.path(), "failed").unwrap();
        assert!(
            std::fs::read_to_string(tmp.path().join("manifest.json"))
                .unwrap()
                .contains("failed")
        );
    }
}
