//! The app's one door to extraction: the worker's Extract job, the overwrite
//! dialog and drag-out all call [`run`], which drives iso-core's engine
//! (`iso_core::extract::extract`): each selected node lands under its own
//! name, the root means "its contents", cancel leaves no partial file, and
//! an existing file is a conflict answered by the caller. The app's own
//! types here (answers, summaries) keep the rest of the app independent of
//! the engine's.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use iso_core::extract::{self as engine, Cancel, ExtractOptions, Overwrite, Progress};
use iso_core::{Image, NodeId, NodeKind, Tree};

/// What to do about an existing file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Replace it.
    Overwrite,
    /// Keep it, skip the entry.
    Skip,
    /// Write the entry as "name (2).ext".
    Rename,
}

/// The person's answer to a [`Conflict`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverwriteAnswer {
    /// What to do.
    pub choice: Choice,
    /// Do the same for every later clash of this job.
    pub apply_to_all: bool,
}

/// An entry about to replace an existing file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The entry's path in the image.
    pub image_path: String,
    /// The existing file.
    pub host_path: PathBuf,
    /// Size of the entry.
    pub new_len: u64,
    /// Size of the existing file.
    pub existing_len: u64,
}

/// Asks the person (blocking the job's thread until answered).
pub type Ask = Arc<dyn Fn(Conflict) -> OverwriteAnswer + Send + Sync>;

/// Counters of a running job, sampled by the worker.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobProgress {
    /// Bytes written.
    pub bytes_done: u64,
    /// Bytes to write.
    pub bytes_total: u64,
    /// Files written.
    pub files_done: u64,
    /// Files to write.
    pub files_total: u64,
    /// Path in the image of the entry being written.
    pub current: String,
}

/// Progress counters shared between a job and whoever samples it.
#[derive(Debug, Default)]
pub struct Counters(pub(crate) Progress);

impl Counters {
    /// The counters now.
    pub fn snapshot(&self) -> JobProgress {
        let s = self.0.snapshot();
        JobProgress {
            bytes_done: s.bytes_done,
            bytes_total: s.bytes_total,
            files_done: s.files_done,
            files_total: s.files_total,
            current: s.current_path,
        }
    }

    /// Sets the totals.
    pub fn begin(&self, bytes: u64, files: u64) {
        self.0.set_totals(bytes, files);
    }

    /// Counts bytes done.
    pub fn add_bytes(&self, n: u64) {
        self.0.add_bytes(n);
    }
}

/// A cancel flag.
#[derive(Debug, Default)]
pub struct CancelFlag(pub(crate) Cancel);

impl CancelFlag {
    /// Asks the job to stop.
    pub fn cancel(&self) {
        self.0.cancel();
    }
    /// Whether [`CancelFlag::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }
}

/// What an extraction did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobSummary {
    /// The destination folder.
    pub dest: PathBuf,
    /// Files written.
    pub files: u64,
    /// Bytes written.
    pub bytes: u64,
    /// Entries skipped on purpose, with the reason.
    pub skipped: Vec<(String, String)>,
    /// Entries that failed, with the reason.
    pub failed: Vec<(String, String)>,
    /// Stopped by the person.
    pub cancelled: bool,
    /// Why the job stopped early, naming the file.
    pub error: Option<String>,
    /// The host paths the engine wrote the selected entries to (after
    /// sanitising and renaming: `Outcome::written`), in selection order.
    pub top_level: Vec<PathBuf>,
}

/// Everything a job needs.
#[derive(Clone)]
pub struct Request<'a> {
    /// The image.
    pub image: &'a Image,
    /// The view's tree.
    pub tree: &'a Tree,
    /// What (empty: the whole view).
    pub nodes: &'a [NodeId],
    /// Where.
    pub dest: &'a Path,
    /// Who answers clashes (None: skip existing files).
    pub ask: Option<Ask>,
    /// Give the owner write permission on what is written.
    pub writable: bool,
}

impl std::fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("nodes", &self.nodes.len())
            .field("dest", &self.dest)
            .finish_non_exhaustive()
    }
}

/// The engine's overwrite question, answered by the app's [`Ask`].
struct Prompt(Ask);

impl std::fmt::Debug for Prompt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Prompt")
    }
}

impl engine::OverwritePrompt for Prompt {
    fn ask(&self, c: &engine::Conflict<'_>) -> engine::Answer {
        let a = (self.0)(Conflict {
            image_path: c.image_path.to_string(),
            host_path: c.host_path.to_path_buf(),
            new_len: c.new_len,
            existing_len: c.existing_len,
        });
        engine::Answer {
            choice: match a.choice {
                Choice::Overwrite => engine::Choice::Overwrite,
                Choice::Skip => engine::Choice::Skip,
                Choice::Rename => engine::Choice::Rename,
            },
            apply_to_all: a.apply_to_all,
        }
    }
}

/// Extracts `req.nodes` into `req.dest`. Blocking. Failing entries are
/// recorded and the rest goes on (keep-going), so the summary can name
/// every file that failed and why.
pub fn run(req: &Request<'_>, counters: &Counters, cancel: &CancelFlag) -> JobSummary {
    let mut nodes = req.nodes.to_vec();
    if nodes.is_empty() {
        nodes.push(req.tree.root());
    }
    let mut summary = JobSummary {
        dest: req.dest.to_path_buf(),
        ..JobSummary::default()
    };
    let options = ExtractOptions {
        overwrite: match &req.ask {
            Some(ask) => Overwrite::Ask(Arc::new(Prompt(ask.clone()))),
            None => Overwrite::Never,
        },
        keep_going: true,
        // Files from a disc are read-only (0444); what people extract
        // they mean to edit or delete.
        writable: req.writable,
        ..ExtractOptions::default()
    };
    let res = engine::extract(
        req.image,
        req.tree,
        &nodes,
        req.dest,
        &options,
        &counters.0,
        &cancel.0,
    );
    match res {
        Ok(out) => {
            summary.top_level = out.written.into_iter().map(|w| w.path).collect();
            summary.files = out.files_written;
            summary.bytes = out.bytes_written;
            summary.cancelled = out.cancelled;
            summary.skipped = out
                .skipped
                .into_iter()
                .map(|s| (s.path, s.reason))
                .collect();
            summary.failed = out.failed.into_iter().map(|s| (s.path, s.reason)).collect();
        }
        Err(_) if cancel.is_cancelled() => summary.cancelled = true,
        Err(e) => summary.error = Some(e.to_string()),
    }
    summary
}

/// Bytes and files below `nodes`.
pub fn totals(tree: &Tree, nodes: &[NodeId]) -> (u64, u64) {
    let mut bytes = 0u64;
    let mut files = 0u64;
    for &n in nodes {
        for id in tree.walk(n) {
            if tree.kind(id) == NodeKind::File {
                bytes = bytes.saturating_add(tree.size(id));
                files = files.saturating_add(1);
            }
        }
    }
    (bytes, files)
}
