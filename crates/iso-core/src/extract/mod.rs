//! Extraction: copies chosen entries of an image's [`Tree`] to a host
//! directory, safely and at the speed of the disk.
//!
//! [`extract`] works in four steps:
//! 1. **Plan** ([`plan`]): the selected nodes are expanded to every file,
//!    directory and link below them; each name goes through
//!    [`sanitize::sanitize_name`] and a case-insensitive [`sanitize::NameSet`];
//!    existing files are resolved against the [`Overwrite`] policy (the
//!    [`OverwritePrompt`] is asked here, on the caller's thread, before
//!    anything is written); totals go into [`Progress`].
//! 2. **Check space**: the bytes the plan will write against the free space
//!    of the destination's file system.
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
mod copy;
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

pub use progress::{Cancel, Progress, Snapshot, BLOCK_LEN};

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
    /// Symbolic links on hosts without them.
    pub foreign_symlinks: ForeignSymlinks,
    /// Check free space before writing.
    pub check_space: bool,
    /// Worker threads for file contents; 0 picks a number for this host.
    pub threads: usize,
    /// Where selected entries land.
    pub placement: Placement,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        ExtractOptions {
            overwrite: Overwrite::Never,
            keep_going: false,
            times: true,
            permissions: true,
            keep_setuid: false,
            foreign_symlinks: ForeignSymlinks::Note,
            check_space: true,
            threads: 0,
            placement: Placement::Flat,
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

/// What [`extract`] did.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
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
    let plan = plan::Plan::build(tree, selection, dest, options)?;
    progress.set_totals(plan.bytes_total, plan.files_total);
    if options.check_space {
        check_space(dest, plan.space_needed)?;
    }
    write::run(image, tree, &plan, dest, options, progress, cancel)
}

/// Fails when the file system holding `dest` (or its nearest existing
/// ancestor) has less than `needed` bytes free.
fn check_space(dest: &Path, needed: u64) -> Result<(), ExtractError> {
    let mut probe = dest;
    while std::fs::symlink_metadata(probe).is_err() {
        match probe.parent() {
            Some(p) if !p.as_os_str().is_empty() => probe = p,
            _ => {
                probe = Path::new(".");
                break;
            }
        }
    }
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
