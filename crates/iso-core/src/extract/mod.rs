//! Extraction: copies chosen entries of an image's [`Tree`] to a host
//! directory, safely and at the speed of the disk.
//!
//! [`extract`] works in four steps:
//! 1. **Plan** ([`plan`]): the selected nodes are expanded to every file,
//!    directory and link below them; each name goes through
//!    [`sanitize::sanitize_name`] and a [`sanitize::NameSet`] that compares
//!    names as the destination does (case-insensitive or not, probed
//!    there: [`case`]);
//!    existing files are resolved against the [`Overwrite`] policy (the
//!    [`OverwritePrompt`] is asked here, on the caller's thread, before
//!    anything is written); totals go into [`Progress`].
//! 2. **Check sizes and space**: every file against the largest file the
//!    destination's file system holds ([`limits`]: FAT's 4 GiB), and the
//!    bytes the plan will write against its free space.
//! 3. **Write** ([`write`]): directories first, then files sorted by their
//!    position in the image (reads go forward) on a few worker threads, each
//!    file under a temporary name renamed into place when complete, then
//!    hard links and symbolic links.
//! 4. **Finish**: directory times and modes, deepest first.
//!
//! # Security
//! Host paths are made only of sanitised components, so they stay under
//! the destination; an existing symbolic link or file where a directory is
//! needed is never followed; files are created with `O_EXCL` semantics and
//! renamed over (not written through) what is there; symbolic links are
//! created only when their target stays inside the destination.

mod batch;
pub mod case;
mod copy;
pub mod limits;
mod meta;
pub mod plan;
mod progress;
pub mod sanitize;
mod write;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::Error;
use crate::tree::{NodeId, Timestamp, Tree};
use crate::Image;

pub use case::CaseCheck;
pub use limits::{FileSizeLimit, SizeLimit, TooLarge};
pub use progress::{Cancel, Progress, Snapshot, BLOCK_LEN};
pub use sanitize::CaseRule;

/// What to do when a file about to be written already exists.
#[derive(Debug, Clone, Default)]
pub enum Overwrite {
    /// Leave the existing file, skip the entry and report it.
    #[default]
    Never,
    /// Replace the existing file.
    Always,
    /// Write under a new name: "name (2).ext".
    Rename,
    /// Ask the caller for each conflict (until it answers "apply to all").
    Ask(Arc<dyn OverwritePrompt>),
}

/// A clash between an entry and an existing file, shown to the person.
#[derive(Debug, Clone)]
pub struct Conflict<'a> {
    /// The entry's path in the image.
    pub image_path: &'a str,
    /// The existing file.
    pub host_path: &'a Path,
    /// Size of the entry in the image.
    pub new_len: u64,
    /// Modification time of the entry in the image.
    pub new_mtime: Option<Timestamp>,
    /// Size of the existing file.
    pub existing_len: u64,
}

/// What to do about one [`Conflict`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Replace the existing file.
    Overwrite,
    /// Keep the existing file, skip the entry.
    Skip,
    /// Write the entry under a new name.
    Rename,
}

/// The caller's answer to a [`Conflict`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    /// What to do.
    pub choice: Choice,
    /// Do the same for every later conflict without asking.
    pub apply_to_all: bool,
}

/// Answers overwrite questions (the app shows a dialog; tests answer
/// directly). Called on the thread that called [`extract`], during
/// planning, before anything is written.
pub trait OverwritePrompt: Send + Sync + fmt::Debug {
    /// Decides one conflict.
    fn ask(&self, conflict: &Conflict<'_>) -> Answer;
}

/// What to do with symbolic links on hosts without usable ones (Windows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ForeignSymlinks {
    /// Write a small text file naming the target in the link's place.
    #[default]
    Note,
    /// Skip them (reported).
    Skip,
}

/// Where selected entries land in the destination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Placement {
    /// Each selected entry directly in the destination under its own name
    /// (as when dragging entries out).
    #[default]
    Flat,
    /// Each selected entry keeps its path from the view's root:
    /// `/docs/a.txt` lands in `DEST/docs/a.txt` (the command line's way).
    KeepPaths,
}

/// How [`extract`] behaves.
#[derive(Debug, Clone)]
pub struct ExtractOptions {
    /// What to do when a file exists.
    pub overwrite: Overwrite,
    /// Record a failing entry and go on, instead of stopping.
    pub keep_going: bool,
    /// Apply modification and access times.
    pub times: bool,
    /// Apply Unix modes (on Unix).
    pub permissions: bool,
    /// Keep setuid/setgid bits (dropped by default).
    pub keep_setuid: bool,
    /// Give every extracted file and directory the owner write bit, so
    /// that what came off a read-only disc (modes 0444/0555 are usual) can
    /// be edited and deleted. Off by default (modes are kept as recorded);
    /// the app turns it on. Setuid/setgid stay dropped unless
    /// `keep_setuid`. On Windows it means "not read-only".
    pub writable: bool,
    /// Symbolic links on hosts without them.
    pub foreign_symlinks: ForeignSymlinks,
    /// Check free space before writing.
    pub check_space: bool,
    /// How the destination's largest possible file is found (FAT holds
    /// nothing of 4 GiB or more); checked before anything is written.
    pub size_limit: SizeLimit,
    /// What to do with files larger than that.
    pub too_large: TooLarge,
    /// Worker threads for file contents; 0 picks a number for this host.
    pub threads: usize,
    /// Where selected entries land.
    pub placement: Placement,
    /// Whether names differing only in case clash at the destination
    /// (probed there by default).
    pub case: CaseCheck,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        ExtractOptions {
            overwrite: Overwrite::Never,
            keep_going: false,
            times: true,
            permissions: true,
            keep_setuid: false,
            writable: false,
            foreign_symlinks: ForeignSymlinks::Note,
            check_space: true,
            size_limit: SizeLimit::Detect,
            too_large: TooLarge::Refuse,
            threads: 0,
            placement: Placement::Flat,
            case: CaseCheck::Probe,
        }
    }
}

/// Why an entry was not written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipKind {
    /// A file of that name exists and the overwrite policy kept it.
    Exists,
    /// A symbolic link whose target would leave the destination.
    UnsafeLink,
    /// Something this host or these options do not create (device nodes,
    /// FIFOs, sockets; links where there are none).
    NotCreated,
    /// It failed: something in the way, or a read or write error.
    Error,
    /// Larger than the destination's file system can hold (FAT), left
    /// out with [`TooLarge::SkipThem`].
    TooLarge,
}

/// An entry that was not written, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Path in the image.
    pub path: String,
    /// Why, in words.
    pub reason: String,
    /// Why, as a kind.
    pub kind: SkipKind,
}

/// An entry written under another name than the image gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Renamed {
    /// Path in the image.
    pub from: String,
    /// Path written, relative to the destination.
    pub to: PathBuf,
}

/// A requested entry and the host path the engine wrote it to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The node in the tree.
    pub node: NodeId,
    /// Where it is on the host: the destination joined with the entry's
    /// sanitised (and, after a clash, renamed) path.
    pub path: PathBuf,
}

/// What [`extract`] did.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The requested entries that were written, each with the host path
    /// it really has (after sanitising and renaming), in selection order:
    /// what a drag-out hands to the file manager. Selecting the root
    /// requests its children. A directory counts as written when it was
    /// created or merged into.
    pub written: Vec<Written>,
    /// Regular files written (hard links included).
    pub files_written: u64,
    /// Directories created (existing ones merged into are not counted).
    pub dirs_created: u64,
    /// Symbolic and hard links created.
    pub links_created: u64,
    /// Content bytes written.
    pub bytes_written: u64,
    /// Entries not written on purpose (existing files, unsafe links,
    /// device nodes), with the reason.
    pub skipped: Vec<Skipped>,
    /// Entries written under a host-safe or non-clashing name.
    pub renamed: Vec<Renamed>,
    /// Entries that failed (with keep-going), with the reason.
    pub failed: Vec<Skipped>,
    /// Whether the caller cancelled before the end.
    pub cancelled: bool,
}

/// Why [`extract`] stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExtractError {
    /// The plan needs more space than the destination has free.
    #[error("not enough free space in {}: {needed} bytes needed, {available} bytes free", dest.display())]
    NotEnoughSpace {
        /// The destination.
        dest: PathBuf,
        /// Bytes the plan writes.
        needed: u64,
        /// Bytes free.
        available: u64,
    },
    /// Files are larger than the destination's file system can hold;
    /// nothing was written. [`TooLarge::SkipThem`] extracts the rest.
    #[error("{first} ({first_len} bytes) is too large for {}: {} holds files of at most {} bytes{}", dest.display(), limit.file_system, limit.max_len, more_text(*count))]
    TooLarge {
        /// The destination.
        dest: PathBuf,
        /// The limit.
        limit: FileSizeLimit,
        /// Path in the image of the first file that does not fit.
        first: String,
        /// Its size.
        first_len: u64,
        /// How many files do not fit (the first included).
        count: usize,
    },
    /// The disk filled up while writing.
    #[error("disk full while writing {}: the file was removed, completed files are intact", path.display())]
    DiskFull {
        /// The file being written.
        path: PathBuf,
    },
    /// Writing to the destination failed.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The host path.
        path: PathBuf,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// Reading an entry from the image failed.
    #[error("cannot read {path} from the image: {source}")]
    Read {
        /// Path in the image.
        path: String,
        /// The error.
        #[source]
        source: Error,
    },
    /// Something the plan found makes writing unsafe or impossible.
    #[error("{path}: {what}")]
    Refused {
        /// The host path.
        path: PathBuf,
        /// Why.
        what: String,
    },
    /// A selected node is not in the tree.
    #[error("{0}")]
    Selection(Error),
}

/// Extracts `selection` (nodes of `tree`, a tree of `image`) into `dest`.
///
/// Each selected node lands in `dest` under its own name (or under its
/// full path, see [`Placement`]); selecting the root extracts its contents
/// into `dest`. A node below another selected node is taken once. `progress` is updated as the
/// work goes; setting `cancel` stops it within one block (the outcome then
/// says `cancelled`, and no partial file is left).
///
/// # Errors
/// [`ExtractError::NotEnoughSpace`] before anything is written;
/// [`ExtractError::DiskFull`] when the disk fills up; the first failing
/// entry's error unless `keep_going` is set, in which case failures are
/// listed in the [`Outcome`]. Files completed before an error are intact.
pub fn extract(
    image: &Image,
    tree: &Tree,
    selection: &[NodeId],
    dest: &Path,
    options: &ExtractOptions,
    progress: &Progress,
    cancel: &Cancel,
) -> Result<Outcome, ExtractError> {
    let mut plan = plan::Plan::build(tree, selection, dest, options)?;
    if let Some(limit) = options.size_limit.resolve(existing_ancestor(dest)) {
        check_sizes(tree, &mut plan, dest, limit, options.too_large)?;
    }
    progress.set_totals(plan.bytes_total, plan.files_total);
    if options.check_space {
        check_space(dest, plan.space_needed)?;
    }
    write::run(image, tree, &plan, dest, options, progress, cancel)
}

fn more_text(count: usize) -> String {
    match count {
        0 | 1 => String::new(),
        n => format!(" ({} more files do not fit either)", n - 1),
    }
}

/// Refuses the plan, or leaves out its files, when some are larger than
/// `limit`.
fn check_sizes(
    tree: &Tree,
    plan: &mut plan::Plan,
    dest: &Path,
    limit: FileSizeLimit,
    too_large: TooLarge,
) -> Result<(), ExtractError> {
    let big = plan.larger_than(tree, limit.max_len);
    let Some(&first) = big.first() else {
        return Ok(());
    };
    match too_large {
        TooLarge::Refuse => {
            let node = plan.entries.get(first).map_or(tree.root(), |e| e.node);
            Err(ExtractError::TooLarge {
                dest: dest.to_path_buf(),
                limit,
                first: tree.path(node),
                first_len: tree.size(node),
                count: big.len(),
            })
        }
        TooLarge::SkipThem => {
            let reason = format!(
                "larger than the {} bytes {} holds in one file",
                limit.max_len, limit.file_system
            );
            plan.leave_out(tree, &big, &reason, SkipKind::TooLarge);
            Ok(())
        }
    }
}

/// `dest`, or its nearest ancestor that exists ("." when none does).
fn existing_ancestor(dest: &Path) -> &Path {
    let mut probe = dest;
    while std::fs::symlink_metadata(probe).is_err() {
        match probe.parent() {
            Some(p) if !p.as_os_str().is_empty() => probe = p,
            _ => return Path::new("."),
        }
    }
    probe
}

/// Fails when the file system holding `dest` (or its nearest existing
/// ancestor) has less than `needed` bytes free.
fn check_space(dest: &Path, needed: u64) -> Result<(), ExtractError> {
    let probe = existing_ancestor(dest);
    let available = fs4::available_space(probe).map_err(|source| ExtractError::Write {
        path: probe.to_path_buf(),
        source,
    })?;
    if needed > available {
        return Err(ExtractError::NotEnoughSpace {
            dest: dest.to_path_buf(),
            needed,
            available,
        });
    }
    Ok(())
}
