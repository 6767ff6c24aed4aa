//! Tools ▸ Test image: every file of a view read end to end (zisofs
//! decompressed, every extent), unreadable or inconsistent files listed
//! with what is wrong and where, and a summary.
//!
//! An adapter: iso-core's `verify::check::check_tree` reads the files; the
//! app's [`TestReport`] keeps what the window shows.

use iso_core::verify::check;
use iso_core::{Image, Tree};

use crate::extract_job::{CancelFlag, Counters};

/// Most failures kept (the count stays exact).
pub const MAX_FAILURES: usize = 1000;

/// One file that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestFailure {
    /// Its path in the image.
    pub path: String,
    /// What is wrong and where (the reader's error names the offset or
    /// LBA).
    pub what: String,
}

/// What a test found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TestReport {
    /// Files read.
    pub files: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Files that failed (at most [`MAX_FAILURES`]).
    pub failures: Vec<TestFailure>,
    /// How many failed in all.
    pub failed: u64,
    /// Damage found while opening the image and reading its folders.
    pub warnings: Vec<String>,
    /// Stopped by the person.
    pub cancelled: bool,
}

impl TestReport {
    /// "1,234 files (5.0 MiB) read: no errors" or "... 2 failed".
    pub fn summary(&self) -> String {
        let head = format!(
            "{} files ({}) read",
            crate::format::count(self.files),
            crate::format::size(self.bytes)
        );
        match (self.failed, self.warnings.len()) {
            (0, 0) => format!("{head}: no errors"),
            (0, w) => format!("{head}; {w} problem(s) in the folders"),
            (n, _) => format!("{head}: {} failed", crate::format::count(n)),
        }
    }
}

/// Reads every file of `tree` through iso-core's test engine
/// (`verify::check::check_tree`). Blocking; progress counts bytes.
pub fn run(image: &Image, tree: &Tree, counters: &Counters, cancel: &CancelFlag) -> TestReport {
    let r = check::check_tree(image, tree, &counters.0, &cancel.0);
    let failures = r
        .problems
        .iter()
        .take(MAX_FAILURES)
        .map(|p| {
            let at = p.location();
            TestFailure {
                path: p.path.clone(),
                what: if at.is_empty() {
                    p.what.clone()
                } else {
                    format!("{} {at}", p.what)
                },
            }
        })
        .collect();
    TestReport {
        files: r.files_checked,
        bytes: r.bytes_read,
        failures,
        failed: r.problems.len() as u64,
        warnings: r.warnings.iter().map(ToString::to_string).collect(),
        cancelled: r.cancelled,
    }
}
