//! Carrying out a [`Plan`]: directories, then file contents on a few
//! worker threads, then links, then directory metadata.
//!
//! Each file is written to a temporary name in its own directory
//! (".name.isoscope-PID-N.part", created exclusively) and renamed over its
//! final name only when complete, so a cancel, a failure or a full disk
//! never leaves a half-written file under a real name; the temporary file
//! is removed on every early exit ([`TempFile`]'s `Drop`).

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use super::plan::{is_disk_full, Entry, EntryKind, OnDisk, Plan, DEST};
use super::{batch, copy, meta};
use super::{Cancel, ExtractError, ExtractOptions, Outcome, Progress, SkipKind, Skipped, Written};
use crate::error::Error;
use crate::tree::{Encoding, NodeId, Tree};
use crate::Image;

/// Bytes moved per read/write (and per `copy_file_range` call) between
/// two cancel checks.
pub(super) const CHUNK: usize = 4 << 20;

/// Most worker threads used for file contents.
const MAX_THREADS: usize = 4;

/// Why one file could not be written.
pub(super) enum FileError {
    /// Reading the image failed.
    Read(Error),
    /// Writing the host file failed.
    Write(io::Error),
    /// Cancelled, or another worker hit a fatal error.
    Stopped,
}

pub(super) struct Shared<'a> {
    pub(super) image: &'a Image,
    pub(super) tree: &'a Tree,
    pub(super) plan: &'a Plan,
    pub(super) dest: &'a Path,
    pub(super) options: &'a ExtractOptions,
    pub(super) progress: &'a Progress,
    pub(super) cancel: &'a Cancel,
    pub(super) blocked: Vec<bool>,
    pub(super) done: Vec<AtomicBool>,
    pub(super) next: AtomicUsize,
    pub(super) stop: AtomicBool,
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(super) no_copy_range: AtomicBool,
    pub(super) umask: Option<u32>,
    pub(super) fatal: Mutex<Option<ExtractError>>,
    pub(super) failed: Mutex<Vec<Skipped>>,
    pub(super) files_written: AtomicU64,
    pub(super) bytes_written: AtomicU64,
}

/// Runs `plan`.
pub(super) fn run(
    image: &Image,
    tree: &Tree,
    plan: &Plan,
    dest: &Path,
    options: &ExtractOptions,
    progress: &Progress,
    cancel: &Cancel,
) -> Result<Outcome, ExtractError> {
    let mut outcome = Outcome {
        skipped: plan.skipped.clone(),
        renamed: plan.renamed.clone(),
        failed: plan.failed.clone(),
        ..Outcome::default()
    };
    if !plan.dest_exists {
        fs::create_dir_all(dest).map_err(|e| write_error(dest, e))?;
    }
    let mut s = Shared {
        image,
        tree,
        plan,
        dest,
        options,
        progress,
        cancel,
        blocked: vec![false; plan.entries.len()],
        done: plan
            .entries
            .iter()
            .map(|_| AtomicBool::new(false))
            .collect(),
        next: AtomicUsize::new(0),
        stop: AtomicBool::new(false),
        no_copy_range: AtomicBool::new(false),
        umask: meta::umask(),
        fatal: Mutex::new(None),
        failed: Mutex::new(Vec::new()),
        files_written: AtomicU64::new(0),
        bytes_written: AtomicU64::new(0),
    };
    outcome.dirs_created = make_dirs(&mut s)?;
    if !cancel.is_cancelled() {
        run_workers(&s);
    }
    if let Some(e) = s.fatal.lock().ok().and_then(|mut f| f.take()) {
        return Err(e);
    }
    if !cancel.is_cancelled() {
        outcome.links_created = make_links(&s)?;
    }
    if !cancel.is_cancelled() {
        finish_dirs(&s);
    }
    outcome.cancelled = cancel.is_cancelled();
    outcome.files_written = s.files_written.load(Ordering::Relaxed);
    outcome.bytes_written = s.bytes_written.load(Ordering::Relaxed);
    if let Ok(mut f) = s.failed.lock() {
        outcome.failed.append(&mut f);
    }
    outcome.written = written(&s);
    Ok(outcome)
}

/// The requested entries that are on disk now, with their host paths.
fn written(s: &Shared<'_>) -> Vec<Written> {
    s.plan
        .tops
        .iter()
        .filter(|&&idx| s.done.get(idx).is_some_and(|d| d.load(Ordering::Relaxed)))
        .filter_map(|&idx| s.entry(idx))
        .map(|e| Written {
            node: e.node,
            path: super::longpath::handed_back(s.dest.join(&e.rel)),
        })
        .collect()
}

fn write_error(path: &Path, source: io::Error) -> ExtractError {
    if is_disk_full(&source) {
        ExtractError::DiskFull {
            path: path.to_path_buf(),
        }
    } else {
        ExtractError::Write {
            path: path.to_path_buf(),
            source,
        }
    }
}

impl Shared<'_> {
    fn entry(&self, idx: usize) -> Option<&Entry> {
        self.plan.entries.get(idx)
    }

    /// The `k`-th file of the plan's position-sorted list.
    pub(super) fn file(&self, k: usize) -> Option<(usize, &Entry)> {
        let idx = *self.plan.files.get(k)?;
        Some((idx, self.entry(idx)?))
    }

    fn parent_blocked(&self, e: &Entry) -> bool {
        e.parent != DEST && self.blocked.get(e.parent).copied().unwrap_or(true)
    }

    /// Records that entry `idx` is on disk.
    fn mark_done(&self, idx: usize) {
        if let Some(d) = self.done.get(idx) {
            d.store(true, Ordering::Relaxed);
        }
    }

    pub(super) fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed) || self.cancel.is_cancelled()
    }

    fn record_failure(&self, node: NodeId, reason: String) {
        if let Ok(mut f) = self.failed.lock() {
            f.push(Skipped {
                path: self.tree.path(node),
                reason,
                kind: SkipKind::Error,
            });
        }
    }

    /// Records a failed entry, or makes it fatal (without keep-going, or a
    /// full disk).
    fn fail(&self, e: &Entry, err: FileError) {
        let final_path = self.dest.join(&e.rel);
        let fatal = match err {
            FileError::Stopped => return,
            FileError::Write(io) if is_disk_full(&io) => write_error(&final_path, io),
            FileError::Write(io) if self.options.keep_going => {
                return self.record_failure(
                    e.node,
                    format!("cannot write {}: {io}", final_path.display()),
                )
            }
            FileError::Write(io) => write_error(&final_path, io),
            FileError::Read(err) if self.options.keep_going => {
                return self.record_failure(e.node, format!("cannot read from the image: {err}"))
            }
            FileError::Read(source) => ExtractError::Read {
                path: self.tree.path(e.node),
                source,
            },
        };
        self.stop.store(true, Ordering::Relaxed);
        if let Ok(mut f) = self.fatal.lock() {
            f.get_or_insert(fatal);
        }
    }
}

/// Creates the plan's directories in order (parents first). Returns how
/// many were created.
fn make_dirs(s: &mut Shared<'_>) -> Result<u64, ExtractError> {
    let mut created = 0u64;
    for (idx, e) in s.plan.entries.iter().enumerate() {
        if e.kind != EntryKind::Dir {
            continue;
        }
        if s.cancel.is_cancelled() {
            break;
        }
        let path = s.dest.join(&e.rel);
        let result = if s.parent_blocked(e) {
            Err("its parent directory could not be created".to_string())
        } else {
            match (e.on_disk, fs::create_dir(&path)) {
                (OnDisk::New, Ok(())) => {
                    created += 1;
                    Ok(())
                }
                (_, Err(err)) if err.kind() != io::ErrorKind::AlreadyExists => {
                    if is_disk_full(&err) || !s.options.keep_going {
                        return Err(write_error(&path, err));
                    }
                    Err(format!("cannot create {}: {err}", path.display()))
                }
                // It exists: use it only if it really is a directory, not a
                // link to one somewhere else.
                _ => match fs::symlink_metadata(&path) {
                    Ok(m) if m.is_dir() => Ok(()),
                    _ => Err(format!(
                        "{} exists and is not a directory; not followed",
                        path.display()
                    )),
                },
            }
        };
        match result {
            Ok(()) => {
                if let Some(d) = s.done.get(idx) {
                    d.store(true, Ordering::Relaxed);
                }
            }
            Err(reason) => {
                if let Some(b) = s.blocked.get_mut(idx) {
                    *b = true;
                }
                s.record_failure(e.node, reason);
            }
        }
    }
    Ok(created)
}

fn thread_count(s: &Shared<'_>) -> usize {
    let wanted = if s.options.threads > 0 {
        s.options.threads
    } else {
        std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(MAX_THREADS)
    };
    wanted.min(s.plan.files.len()).max(1)
}

fn run_workers(s: &Shared<'_>) {
    let n = thread_count(s);
    if n == 1 {
        worker(s);
        return;
    }
    std::thread::scope(|scope| {
        for _ in 0..n {
            scope.spawn(|| worker(s));
        }
    });
}

/// Takes files off the shared list until it is empty or the work stops.
/// Runs of small files lying close together in the image are claimed
/// together and read with one read.
fn worker(s: &Shared<'_>) {
    let mut buf = Vec::new();
    let mut span = Vec::new();
    while !s.stopped() {
        let k = s.next.fetch_add(1, Ordering::Relaxed);
        if k >= s.plan.files.len() {
            break;
        }
        let run = batch::claim_run(s, k);
        if run.len() > 1 {
            if let Some(start) = batch::read_run(s, run.clone(), &mut span) {
                for k in run {
                    if s.stopped() {
                        break;
                    }
                    let Some((idx, e)) = s.file(k) else { continue };
                    let bytes = batch::slice_of(s, e, start, &span);
                    write_entry(s, idx, e, &mut buf, bytes);
                }
                continue;
            }
        }
        for k in run {
            if let Some((idx, e)) = s.file(k) {
                write_entry(s, idx, e, &mut buf, None);
            }
        }
    }
}

fn write_entry(s: &Shared<'_>, idx: usize, e: &Entry, buf: &mut Vec<u8>, preloaded: Option<&[u8]>) {
    if s.parent_blocked(e) {
        s.record_failure(e.node, "its directory could not be created".into());
        s.progress.add_file();
        return;
    }
    s.progress
        .start_entry(crate::bytes::u64_from(idx), &s.tree.path(e.node));
    match write_file(s, e, buf, preloaded) {
        Ok(n) => {
            s.files_written.fetch_add(1, Ordering::Relaxed);
            s.bytes_written.fetch_add(n, Ordering::Relaxed);
            s.mark_done(idx);
        }
        Err(err) => s.fail(e, err),
    }
    s.progress.add_file();
}

/// A temporary file removed on drop unless [`TempFile::keep`] was called.
struct TempFile {
    path: PathBuf,
    armed: bool,
}

impl TempFile {
    fn keep(mut self) {
        self.armed = false;
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if self.armed {
            let _ = fs::remove_file(&self.path);
        }
    }
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The process id, asked for once (it names temporary files).
fn pid() -> u32 {
    static PID: std::sync::OnceLock<u32> = std::sync::OnceLock::new();
    *PID.get_or_init(std::process::id)
}

/// A fresh temporary path in `dir` for the file `name`.
fn temp_path(dir: &Path, name: &str) -> PathBuf {
    let mut short = name;
    let mut cut = name.len().min(200);
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    if let Some(s) = name.get(..cut) {
        short = s;
    }
    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".{short}.isoscope-{:x}-{n:x}.part", pid()))
}

/// Creates a new temporary file beside `final_path`.
fn create_temp(final_path: &Path, mode: Option<u32>) -> io::Result<(File, TempFile)> {
    let dir = final_path.parent().unwrap_or(Path::new("."));
    let name = final_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut last = io::Error::from(io::ErrorKind::AlreadyExists);
    for _ in 0..8 {
        let path = temp_path(dir, &name);
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        if let Some(m) = mode {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(m);
        }
        #[cfg(not(unix))]
        let _ = mode;
        match opts.open(&path) {
            Ok(f) => return Ok((f, TempFile { path, armed: true })),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

/// Writes one regular file: temporary file, content, metadata, rename.
fn write_file(
    s: &Shared<'_>,
    e: &Entry,
    buf: &mut Vec<u8>,
    preloaded: Option<&[u8]>,
) -> Result<u64, FileError> {
    let final_path = s.dest.join(&e.rel);
    let wanted = meta::mode(s.tree, e.node, s.options);
    let (create_mode, later_mode) = meta::creation_mode(wanted, s.umask);
    let (mut file, temp) = create_temp(&final_path, create_mode).map_err(FileError::Write)?;
    let size = s.tree.size(e.node);
    match (preloaded, s.tree.encoding(e.node)) {
        (Some(bytes), _) => {
            file.write_all(bytes).map_err(FileError::Write)?;
            s.progress.add_bytes(crate::bytes::u64_from(bytes.len()));
        }
        (None, Encoding::Plain) => {
            copy::copy_plain(s, s.tree.extents(e.node), size, &mut file, buf)?
        }
        // zisofs, Form 2 and audio tracks: read through Image::open_file.
        (None, _) => copy::copy_stream(s, e.node, &mut file, buf)?,
    }
    meta::apply_to_file(&file, s.tree, e.node, s.options, later_mode).map_err(FileError::Write)?;
    drop(file);
    fs::rename(&temp.path, &final_path).map_err(FileError::Write)?;
    temp.keep();
    Ok(size)
}

/// Creates hard links and symbolic links (after all files exist).
fn make_links(s: &Shared<'_>) -> Result<u64, ExtractError> {
    let mut made = 0u64;
    let mut buf = Vec::new();
    for &idx in &s.plan.links {
        if s.cancel.is_cancelled() {
            break;
        }
        let Some(e) = s.entry(idx) else { continue };
        if s.parent_blocked(e) {
            s.record_failure(e.node, "its directory could not be created".into());
            s.progress.add_file();
            continue;
        }
        s.progress
            .start_entry(crate::bytes::u64_from(idx), &s.tree.path(e.node));
        let final_path = s.dest.join(&e.rel);
        match &e.kind {
            EntryKind::HardLink(first) => {
                let first_done = s
                    .done
                    .get(*first)
                    .is_some_and(|d| d.load(Ordering::Relaxed));
                let first_path = s.entry(*first).map(|f| s.dest.join(&f.rel));
                match first_path.filter(|_| first_done) {
                    Some(fp) if link_into_place(&final_path, |t| fs::hard_link(&fp, t)).is_ok() => {
                        made += 1;
                        s.mark_done(idx);
                        s.progress.add_file();
                    }
                    // No hard links here (or the first name failed): a copy.
                    _ => write_entry(s, idx, e, &mut buf, None),
                }
            }
            EntryKind::Symlink(target) => {
                match link_into_place(&final_path, |t| meta::symlink(target, t)) {
                    Ok(()) => {
                        meta::apply_to_symlink(&final_path, s.tree, e.node, s.options);
                        made += 1;
                        s.mark_done(idx);
                    }
                    Err(err) => s.fail(e, FileError::Write(err)),
                }
            }
            EntryKind::Dir | EntryKind::File => {}
        }
        if !matches!(e.kind, EntryKind::HardLink(_)) {
            s.progress.add_file();
        }
        if let Some(err) = s.fatal.lock().ok().and_then(|mut f| f.take()) {
            return Err(err);
        }
    }
    Ok(made)
}

/// Makes a link under a temporary name, then renames it over `final_path`.
fn link_into_place(final_path: &Path, make: impl Fn(&Path) -> io::Result<()>) -> io::Result<()> {
    let dir = final_path.parent().unwrap_or(Path::new("."));
    let name = final_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = temp_path(dir, &name);
    make(&temp)?;
    fs::rename(&temp, final_path).inspect_err(|_| {
        let _ = fs::remove_file(&temp);
    })
}

/// Applies directory times and modes, deepest first (so writing inside a
/// directory does not change its time again, and a read-only directory is
/// made read-only only after it is filled).
fn finish_dirs(s: &Shared<'_>) {
    for (idx, e) in s.plan.entries.iter().enumerate().rev() {
        if e.kind != EntryKind::Dir || s.blocked.get(idx).copied().unwrap_or(true) {
            continue;
        }
        let path = s.dest.join(&e.rel);
        if let Err(err) = meta::apply_to_dir(&path, s.tree, e.node, s.options) {
            s.record_failure(
                e.node,
                format!("cannot set times or mode of {}: {err}", path.display()),
            );
        }
    }
}
