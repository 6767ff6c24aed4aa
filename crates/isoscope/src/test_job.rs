//! Tools ▸ Test image: every file of a view read end to end (zisofs
//! decompressed, every extent), unreadable or inconsistent files listed
//! with what is wrong and where, and a summary.
//!
//! A small adapter: the app's [`TestReport`] is filled here by reading each
//! file through [`Image::open_file`]; when iso-core gains its own
//! test-image function this module calls it instead and keeps the report.

use std::io::Read;

use iso_core::{Image, NodeKind, Tree};

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
        match self.failed {
            0 => format!("{head}: no errors"),
            n => format!("{head}: {} failed", crate::format::count(n)),
        }
    }
}

/// Reads every file of `tree`. Blocking; progress counts bytes.
pub fn run(image: &Image, tree: &Tree, counters: &Counters, cancel: &CancelFlag) -> TestReport {
    let files: Vec<_> = tree
        .walk(tree.root())
        .filter(|&id| tree.kind(id) == NodeKind::File)
        .collect();
    let total = files
        .iter()
        .map(|&f| tree.size(f))
        .fold(0u64, u64::saturating_add);
    counters.begin(total, files.len() as u64);
    let mut report = TestReport::default();
    let mut buf = vec![0u8; 1 << 20];
    for (i, &f) in files.iter().enumerate() {
        if cancel.is_cancelled() {
            report.cancelled = true;
            return report;
        }
        let path = tree.path(f);
        counters.0.start_entry(i as u64, &path);
        let problem = match read_all(image, tree, f, &mut buf, counters, cancel) {
            Ok(n) if n == tree.size(f) => None,
            Ok(n) => Some(format!(
                "{} bytes could be read, the directory says {}",
                crate::format::count(n),
                crate::format::count(tree.size(f))
            )),
            Err(iso_core::Error::Cancelled) => {
                report.cancelled = true;
                return report;
            }
            Err(e) => Some(e.to_string()),
        };
        report.files += 1;
        counters.0.add_file();
        if let Some(what) = problem {
            report.failed += 1;
            if report.failures.len() < MAX_FAILURES {
                report.failures.push(TestFailure { path, what });
            }
        } else {
            report.bytes = report.bytes.saturating_add(tree.size(f));
        }
    }
    report
}

fn read_all(
    image: &Image,
    tree: &Tree,
    node: iso_core::NodeId,
    buf: &mut [u8],
    counters: &Counters,
    cancel: &CancelFlag,
) -> iso_core::Result<u64> {
    let mut r = image.open_file(tree, node)?;
    let mut n = 0u64;
    loop {
        if cancel.is_cancelled() {
            return Err(iso_core::Error::Cancelled);
        }
        match r.read(buf) {
            Ok(0) => return Ok(n),
            Ok(k) => {
                n = n.saturating_add(k as u64);
                counters.add_bytes(k as u64);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(iso_core::Error::io(n, e)),
        }
    }
}
