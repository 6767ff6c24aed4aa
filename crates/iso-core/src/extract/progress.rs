//! [`Progress`]: counters an extraction (or a verification) updates and the
//! caller samples from another thread; [`Cancel`]: the flag that stops it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

/// Counters the worker updates and the caller samples (e.g. ten times a
/// second for a progress bar). Totals are set once the plan is known,
/// before the first byte is written.
#[derive(Debug, Default)]
pub struct Progress {
    bytes_total: AtomicU64,
    files_total: AtomicU64,
    bytes_done: AtomicU64,
    files_done: AtomicU64,
    current_index: AtomicU64,
    current_path: Mutex<String>,
}

/// One consistent-enough reading of a [`Progress`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Bytes to write in all (known after planning).
    pub bytes_total: u64,
    /// Entries to write in all: files, links and other non-directories.
    pub files_total: u64,
    /// Bytes written so far.
    pub bytes_done: u64,
    /// Entries finished so far (written, skipped or failed).
    pub files_done: u64,
    /// Index in the plan of the entry most recently started.
    pub current_index: u64,
    /// Path (in the image) of the entry most recently started.
    pub current_path: String,
}

impl Progress {
    /// Fresh counters, all zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the totals (called once the plan is known).
    pub fn set_totals(&self, bytes: u64, files: u64) {
        self.bytes_total.store(bytes, Ordering::Relaxed);
        self.files_total.store(files, Ordering::Relaxed);
    }

    /// Adds `n` bytes done.
    pub fn add_bytes(&self, n: u64) {
        self.bytes_done.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts one entry finished.
    pub fn add_file(&self) {
        self.files_done.fetch_add(1, Ordering::Relaxed);
    }

    /// Records which entry is being worked on.
    pub fn start_entry(&self, index: u64, path: &str) {
        self.current_index.store(index, Ordering::Relaxed);
        if let Ok(mut p) = self.current_path.lock() {
            p.clear();
            p.push_str(path);
        }
    }

    /// Bytes done so far.
    pub fn bytes_done(&self) -> u64 {
        self.bytes_done.load(Ordering::Relaxed)
    }

    /// Entries done so far.
    pub fn files_done(&self) -> u64 {
        self.files_done.load(Ordering::Relaxed)
    }

    /// Bytes to do in all.
    pub fn bytes_total(&self) -> u64 {
        self.bytes_total.load(Ordering::Relaxed)
    }

    /// Entries to do in all.
    pub fn files_total(&self) -> u64 {
        self.files_total.load(Ordering::Relaxed)
    }

    /// All counters at once.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            bytes_total: self.bytes_total(),
            files_total: self.files_total(),
            bytes_done: self.bytes_done(),
            files_done: self.files_done(),
            current_index: self.current_index.load(Ordering::Relaxed),
            current_path: self
                .current_path
                .lock()
                .map(|p| p.clone())
                .unwrap_or_default(),
        }
    }
}

/// A cancel flag shared between the caller and the worker. The worker
/// checks it between blocks of at most [`BLOCK_LEN`] bytes, so a cancel
/// takes effect within a fraction of a second even inside a huge file.
#[derive(Debug, Default)]
pub struct Cancel(AtomicBool);

/// Largest block read or written between two cancel checks (4 MiB).
pub const BLOCK_LEN: usize = 4 << 20;

impl Cancel {
    /// A flag that is not set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the work to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether stopping was asked for.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_cancel() {
        let p = Progress::new();
        p.set_totals(100, 3);
        p.add_bytes(40);
        p.add_file();
        p.start_entry(2, "/a/b");
        let s = p.snapshot();
        assert_eq!((s.bytes_total, s.files_total), (100, 3));
        assert_eq!((s.bytes_done, s.files_done), (40, 1));
        assert_eq!((s.current_index, s.current_path.as_str()), (2, "/a/b"));
        let c = Cancel::new();
        assert!(!c.is_cancelled());
        c.cancel();
        assert!(c.is_cancelled());
    }
}
