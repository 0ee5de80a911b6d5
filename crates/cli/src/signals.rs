//! SIGINT (Ctrl-C) and SIGTERM (`kill`, Slurm preemption): the first one sets the engine's stop
//! flag, so the run stops at the end of its current batch, keeps and flushes what finished, and
//! marks its manifest `interrupted`; the process then exits 130 (SIGINT) or 143 (SIGTERM). A
//! second signal aborts at once, first marking the folder's manifest `interrupted` (if it still
//! says `running`) and removing its lock.
//!
//! `signal-hook` rather than `ctrlc`: `ctrlc`'s handler is not told which signal arrived, and
//! the exit code must say it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Mutex, Once};

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// The engine's stop flag.
static STOP: AtomicBool = AtomicBool::new(false);
/// The first signal received (0: none).
static SIGNAL: AtomicI32 = AtomicI32::new(0);
/// Whether the command reported that it stopped early.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// The output folder being written, marked on an abort.
static FOLDER: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Installs the handlers (once) and returns the stop flag to pass to the engine; `folder`, when
/// known, is the output folder an abort marks.
pub(crate) fn stop_flag(folder: Option<&Path>) -> &'static AtomicBool {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| match Signals::new([SIGINT, SIGTERM]) {
        Ok(mut signals) => {
            std::thread::spawn(move || {
                for sig in signals.forever() {
                    on_signal(sig);
                }
            });
        }
        Err(e) => eprintln!(
            "warning: Ctrl-C and SIGTERM cannot be caught ({e}): they will end the run at once"
        ),
    });
    if let Some(f) = folder {
        set_folder(f);
    }
    &STOP
}

/// The output folder an abort marks `interrupted`.
pub(crate) fn set_folder(folder: &Path) {
    if let Ok(mut f) = FOLDER.lock() {
        *f = Some(folder.to_owned());
    }
}

fn name(sig: i32) -> &'static str {
    if sig == SIGTERM { "SIGTERM" } else { "Ctrl-C" }
}

fn on_signal(sig: i32) {
    if STOP.swap(true, Ordering::SeqCst) {
        let folder = FOLDER.lock().ok().and_then(|f| f.clone());
        if let Some(dir) = folder {
            chokepoint_experiment::folder::abandon(&dir);
        }
        eprintln!("\naborted by a second {}", name(sig));
        std::process::exit(i32::from(exit_code()));
    }
    SIGNAL.store(sig, Ordering::SeqCst);
    eprintln!(
        "\n{} received: stopping after the current batch ({} again to abort)",
        name(sig),
        name(sig)
    );
}

/// The command stopped early (a signal, or the calibration's `--stop-after` hook).
pub(crate) fn mark_interrupted() {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Whether the command stopped early.
pub(crate) fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// 128 + the first signal's number: 130 for SIGINT (also when no signal was seen), 143 for
/// SIGTERM.
pub(crate) fn exit_code() -> u8 {
    let sig = match SIGNAL.load(Ordering::SeqCst) {
        0 => SIGINT,
        s => s,
    };
    u8::try_from(128 + sig).unwrap_or(130)
}
