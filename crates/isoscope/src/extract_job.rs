//! The app's one door to extraction: the worker's Extract job, the overwrite
//! dialog and drag-out all call [`run`]. Until iso-core's extraction engine
//! (`iso_core::extract`) is on main, this file holds a small stand-in with
//! the same contract (each selected node lands under its own name; the root
//! means "its contents"; cancel leaves no partial file; an existing file is
//! a conflict answered by the caller). Only this file changes when the
//! engine lands.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

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

/// Atomic progress counters shared between a job and whoever samples it.
#[derive(Debug, Default)]
pub struct Counters {
    bytes_done: AtomicU64,
    bytes_total: AtomicU64,
    files_done: AtomicU64,
    files_total: AtomicU64,
    current: Mutex<String>,
}

impl Counters {
    /// The counters now.
    pub fn snapshot(&self) -> JobProgress {
        JobProgress {
            bytes_done: self.bytes_done.load(Ordering::Relaxed),
            bytes_total: self.bytes_total.load(Ordering::Relaxed),
            files_done: self.files_done.load(Ordering::Relaxed),
            files_total: self.files_total.load(Ordering::Relaxed),
            current: self.current.lock().map(|c| c.clone()).unwrap_or_default(),
        }
    }

    /// Sets the totals.
    pub fn begin(&self, bytes: u64, files: u64) {
        self.bytes_total.store(bytes, Ordering::Relaxed);
        self.files_total.store(files, Ordering::Relaxed);
    }

    /// Counts bytes done.
    pub fn add_bytes(&self, n: u64) {
        self.bytes_done.fetch_add(n, Ordering::Relaxed);
    }

    fn set_current(&self, path: &str) {
        if let Ok(mut c) = self.current.lock() {
            path.clone_into(&mut c);
        }
    }
}

/// A cancel flag.
#[derive(Debug, Default)]
pub struct CancelFlag(AtomicBool);

impl CancelFlag {
    /// Asks the job to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    /// Whether [`CancelFlag::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
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
    /// The top-level paths created in `dest`.
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
}

impl std::fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("nodes", &self.nodes.len())
            .field("dest", &self.dest)
            .finish_non_exhaustive()
    }
}

/// Extracts `req.nodes` into `req.dest`. Blocking.
pub fn run(req: &Request<'_>, counters: &Counters, cancel: &CancelFlag) -> JobSummary {
    let mut nodes = req.nodes.to_vec();
    if nodes.is_empty() {
        nodes.push(req.tree.root());
    }
    let mut summary = JobSummary {
        dest: req.dest.to_path_buf(),
        top_level: top_level_paths(req.tree, &nodes, req.dest),
        ..JobSummary::default()
    };
    let (bytes, files) = totals(req.tree, &nodes);
    counters.begin(bytes, files);
    let mut w = Writer {
        req,
        counters,
        cancel,
        summary: &mut summary,
        sticky: None,
    };
    if let Err(e) = fs::create_dir_all(req.dest) {
        w.summary.error = Some(format!("cannot create {}: {e}", req.dest.display()));
        return summary;
    }
    for &n in &nodes {
        let res = if n == req.tree.root() {
            w.children(n, req.dest)
        } else {
            w.entry(n, req.dest)
        };
        if let Err(stop) = res {
            match stop {
                Stop::Cancelled => w.summary.cancelled = true,
                Stop::Failed(msg) => w.summary.error = Some(msg),
            }
            break;
        }
    }
    summary
}

/// Where the selected nodes land in `dest`.
pub fn top_level_paths(tree: &Tree, nodes: &[NodeId], dest: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for &n in nodes {
        if n == tree.root() {
            for c in tree.children(n) {
                out.extend(safe_name(tree.name(c)).map(|s| dest.join(s)));
            }
        } else {
            out.extend(safe_name(tree.name(n)).map(|s| dest.join(s)));
        }
    }
    out
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

/// A name from the image usable as one host path component, or None.
fn safe_name(name: &str) -> Option<&str> {
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.contains(['/', '\\', '\0'])
        || (cfg!(windows) && name.contains(':'));
    (!bad).then_some(name)
}

enum Stop {
    Cancelled,
    Failed(String),
}

struct Writer<'r, 'a> {
    req: &'r Request<'a>,
    counters: &'r Counters,
    cancel: &'r CancelFlag,
    summary: &'r mut JobSummary,
    sticky: Option<Choice>,
}

const CHUNK: usize = 256 * 1024;

impl Writer<'_, '_> {
    fn children(&mut self, dir: NodeId, host: &Path) -> Result<(), Stop> {
        for c in self.req.tree.children(dir) {
            self.entry(c, host)?;
        }
        Ok(())
    }

    fn entry(&mut self, n: NodeId, parent: &Path) -> Result<(), Stop> {
        if self.cancel.is_cancelled() {
            return Err(Stop::Cancelled);
        }
        let tree = self.req.tree;
        let image_path = tree.path(n);
        let Some(name) = safe_name(tree.name(n)) else {
            self.summary
                .skipped
                .push((image_path, "name is not safe as a file name".into()));
            return Ok(());
        };
        let host = parent.join(name);
        match tree.kind(n) {
            NodeKind::Dir => {
                fs::create_dir_all(&host).map_err(|e| {
                    Stop::Failed(format!("cannot create folder {}: {e}", host.display()))
                })?;
                self.children(n, &host)
            }
            NodeKind::File => self.file(n, &image_path, host),
            other => {
                self.summary.skipped.push((
                    image_path,
                    format!("{} entries are not extracted", other.as_str()),
                ));
                Ok(())
            }
        }
    }

    fn file(&mut self, n: NodeId, image_path: &str, mut host: PathBuf) -> Result<(), Stop> {
        self.counters.set_current(image_path);
        if let Ok(meta) = fs::symlink_metadata(&host) {
            let choice = match (self.sticky, &self.req.ask) {
                (Some(c), _) => c,
                (None, Some(ask)) => {
                    let a = ask(Conflict {
                        image_path: image_path.to_string(),
                        host_path: host.clone(),
                        new_len: self.req.tree.size(n),
                        existing_len: meta.len(),
                    });
                    if a.apply_to_all {
                        self.sticky = Some(a.choice);
                    }
                    a.choice
                }
                (None, None) => Choice::Skip,
            };
            if self.cancel.is_cancelled() {
                return Err(Stop::Cancelled);
            }
            match choice {
                Choice::Skip => {
                    self.summary.skipped.push((
                        image_path.to_string(),
                        "a file with this name exists".into(),
                    ));
                    self.counters.files_done.fetch_add(1, Ordering::Relaxed);
                    return Ok(());
                }
                Choice::Rename => host = free_name(&host),
                Choice::Overwrite => {}
            }
        }
        let written = self.copy(n, image_path, &host)?;
        self.summary.files += 1;
        self.summary.bytes = self.summary.bytes.saturating_add(written);
        self.counters.files_done.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// Copies into a temporary file beside `host`, renamed into place at the
    /// end: a cancelled or failed copy leaves nothing behind.
    fn copy(&mut self, n: NodeId, image_path: &str, host: &Path) -> Result<u64, Stop> {
        let tmp = host.with_file_name(format!(
            ".{}.isoscope-part",
            host.file_name().and_then(|s| s.to_str()).unwrap_or("file")
        ));
        let res = self.copy_to(n, image_path, &tmp);
        match res {
            Ok(len) => fs::rename(&tmp, host).map(|()| len).map_err(|e| {
                let _ = fs::remove_file(&tmp);
                Stop::Failed(format!("cannot write {}: {e}", host.display()))
            }),
            Err(stop) => {
                let _ = fs::remove_file(&tmp);
                Err(stop)
            }
        }
    }

    fn copy_to(&mut self, n: NodeId, image_path: &str, tmp: &Path) -> Result<u64, Stop> {
        let mut reader =
            self.req.image.open_file(self.req.tree, n).map_err(|e| {
                Stop::Failed(format!("cannot read {image_path} from the image: {e}"))
            })?;
        let mut out = fs::File::create(tmp)
            .map_err(|e| Stop::Failed(format!("cannot write {}: {e}", tmp.display())))?;
        let mut buf = vec![0u8; CHUNK];
        let mut total = 0u64;
        loop {
            if self.cancel.is_cancelled() {
                return Err(Stop::Cancelled);
            }
            let got = reader.read(&mut buf).map_err(|e| {
                Stop::Failed(format!("cannot read {image_path} from the image: {e}"))
            })?;
            if got == 0 {
                break;
            }
            let chunk = buf.get(..got).unwrap_or_default();
            out.write_all(chunk)
                .map_err(|e| Stop::Failed(format!("cannot write {}: {e}", tmp.display())))?;
            let got = u64::try_from(got).unwrap_or(0);
            total = total.saturating_add(got);
            self.counters.bytes_done.fetch_add(got, Ordering::Relaxed);
        }
        Ok(total)
    }
}

/// "name (2).ext", "name (3).ext", ... the first that does not exist.
fn free_name(host: &Path) -> PathBuf {
    let stem = host
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("file")
        .to_string();
    let ext = host.extension().and_then(|s| s.to_str());
    for i in 2..10_000u32 {
        let name = match ext {
            Some(e) => format!("{stem} ({i}).{e}"),
            None => format!("{stem} ({i})"),
        };
        let p = host.with_file_name(name);
        if fs::symlink_metadata(&p).is_err() {
            return p;
        }
    }
    host.to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_names_are_refused() {
        assert_eq!(safe_name(".."), None);
        assert_eq!(safe_name("a/b"), None);
        assert_eq!(safe_name("a\\b"), None);
        assert_eq!(safe_name(""), None);
        assert_eq!(safe_name("ok.txt"), Some("ok.txt"));
    }

    #[test]
    fn free_name_counts_up() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        fs::write(&p, b"x").unwrap();
        assert_eq!(free_name(&p), dir.path().join("a (2).txt"));
    }
}
