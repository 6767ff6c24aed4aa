//! The extraction plan: every entry to write, its host-safe relative path,
//! what to do about existing files, and the totals — all decided before the
//! first byte is written.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::sanitize::{self, CaseRule, NameSet};
use super::{
    Answer, Choice, Conflict, ExtractError, ExtractOptions, Overwrite, Placement, Renamed,
    SkipKind, Skipped,
};
use crate::tree::{ExtentKind, NodeId, NodeKind, Tree};

/// Index of the destination itself as a parent.
pub const DEST: usize = usize::MAX;

/// What one entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A directory.
    Dir,
    /// A regular file.
    File,
    /// A second name of the file at this plan index.
    HardLink(usize),
    /// A symbolic link to this target (already checked to stay inside).
    Symlink(String),
}

/// How the entry's host path is found on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDisk {
    /// Nothing there: create.
    New,
    /// A directory to merge into.
    ExistingDir,
    /// A file to replace (the overwrite policy said so).
    Replace,
}

/// One entry of the plan.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The node in the tree.
    pub node: NodeId,
    /// The plan index of its directory, or [`DEST`].
    pub parent: usize,
    /// Path relative to the destination, sanitised.
    pub rel: PathBuf,
    /// What it is.
    pub kind: EntryKind,
    /// What is on disk at its path.
    pub on_disk: OnDisk,
    /// Depth below the destination (1 for a direct child).
    pub depth: usize,
}

/// The whole plan.
#[derive(Debug, Default)]
pub struct Plan {
    /// Every entry, parents before children.
    pub entries: Vec<Entry>,
    /// Plan indices of regular files, sorted by position in the image.
    pub files: Vec<usize>,
    /// Plan indices of hard and symbolic links.
    pub links: Vec<usize>,
    /// Content bytes to write.
    pub bytes_total: u64,
    /// Non-directory entries to write.
    pub files_total: u64,
    /// Bytes of disk the plan needs (blocks rounded up).
    pub space_needed: u64,
    /// Entries skipped while planning.
    pub skipped: Vec<Skipped>,
    /// Entries renamed while planning.
    pub renamed: Vec<Renamed>,
    /// Entries that cannot be written (something in the way).
    pub failed: Vec<Skipped>,
    /// Whether the destination exists already.
    pub dest_exists: bool,
    /// Plan indices of the requested entries (the selection, or the
    /// root's children), in selection order.
    pub tops: Vec<usize>,
}

/// Allocation unit assumed for the space check.
const BLOCK: u64 = 4096;

struct Builder<'a> {
    tree: &'a Tree,
    dest: &'a Path,
    options: &'a ExtractOptions,
    sticky: Option<Choice>,
    plan: Plan,
    hardlinks: HashMap<u64, usize>,
    positions: Vec<(u64, usize)>,
    case: CaseRule,
}

impl Plan {
    /// Plans extracting `selection` of `tree` into `dest`.
    ///
    /// # Errors
    /// [`ExtractError::Selection`] for a node not in the tree;
    /// [`ExtractError::Refused`] when `dest` exists and is not a directory.
    pub fn build(
        tree: &Tree,
        selection: &[NodeId],
        dest: &Path,
        options: &ExtractOptions,
    ) -> Result<Plan, ExtractError> {
        let dest_exists = match fs::metadata(dest) {
            Ok(m) if m.is_dir() => true,
            Ok(_) => {
                return Err(ExtractError::Refused {
                    path: dest.to_path_buf(),
                    what: "the destination is not a directory".into(),
                })
            }
            Err(_) => false,
        };
        let mut b = Builder {
            tree,
            dest,
            options,
            sticky: None,
            plan: Plan {
                dest_exists,
                ..Plan::default()
            },
            hardlinks: HashMap::new(),
            positions: Vec::new(),
            case: options.case.resolve(super::existing_ancestor(dest)),
        };
        for &id in selection {
            if !tree.contains(id) {
                return Err(ExtractError::Selection(crate::Error::NotFound(format!(
                    "node {} is not in this tree",
                    id.0
                ))));
            }
        }
        let mut top_names: HashMap<usize, NameSet> = HashMap::new();
        let mut ancestors: HashMap<NodeId, Option<usize>> = HashMap::new();
        for id in outermost(tree, selection) {
            if tree.parent(id).is_none() {
                let kids: Vec<NodeId> = tree.children(id).collect();
                for kid in kids {
                    b.add_top(DEST, kid, &mut top_names);
                }
                continue;
            }
            let parent = match options.placement {
                Placement::Flat => Some(DEST),
                Placement::KeepPaths => b.add_ancestors(id, &mut top_names, &mut ancestors),
            };
            if let Some(parent) = parent {
                b.add_top(parent, id, &mut top_names);
            }
        }
        b.finish();
        Ok(b.plan)
    }
}

/// The selected nodes that are not below another selected node, in order
/// and without repeats.
fn outermost(tree: &Tree, selection: &[NodeId]) -> Vec<NodeId> {
    let chosen: std::collections::HashSet<NodeId> = selection.iter().copied().collect();
    let mut seen = std::collections::HashSet::new();
    selection
        .iter()
        .copied()
        .filter(|&id| {
            let mut cur = id;
            for _ in 0..tree.len() {
                match tree.parent(cur) {
                    Some(p) if chosen.contains(&p) => return false,
                    Some(p) => cur = p,
                    None => break,
                }
            }
            seen.insert(id)
        })
        .collect()
}

impl Builder<'_> {
    /// Whether plan directory `dir` (or the destination) exists on disk.
    fn exists(&self, dir: usize) -> bool {
        match self.plan.entries.get(dir) {
            Some(e) => e.on_disk == OnDisk::ExistingDir,
            None => self.plan.dest_exists,
        }
    }

    /// Adds a selected node (and everything below it) under `parent`,
    /// sharing one name set per directory among all selections.
    fn add_top(&mut self, parent: usize, id: NodeId, names: &mut HashMap<usize, NameSet>) {
        let exists = self.exists(parent);
        let rule = self.case;
        let set = names
            .entry(parent)
            .or_insert_with(|| NameSet::with_rule(rule));
        let first = self.plan.entries.len();
        let added = self.add_entry(parent, id, set, exists);
        if self.plan.entries.get(first).is_some_and(|e| e.node == id) {
            self.plan.tops.push(first);
        }
        if let Some((idx, sub_exists)) = added {
            let kids: Vec<NodeId> = self.tree.children(id).collect();
            if !kids.is_empty() {
                self.add_dir_children(idx, &kids, sub_exists);
            }
        }
    }

    /// Plans the directories from the root down to `id`'s parent (each
    /// once); returns the plan index of the parent, `None` when one of them
    /// cannot be written.
    fn add_ancestors(
        &mut self,
        id: NodeId,
        names: &mut HashMap<usize, NameSet>,
        done: &mut HashMap<NodeId, Option<usize>>,
    ) -> Option<usize> {
        let mut chain = Vec::new();
        let mut cur = id;
        while let Some(p) = self.tree.parent(cur) {
            if self.tree.parent(p).is_none() || chain.len() > self.tree.len() {
                break;
            }
            chain.push(p);
            cur = p;
        }
        let mut parent = DEST;
        for a in chain.into_iter().rev() {
            let idx = match done.get(&a) {
                Some(known) => *known,
                None => {
                    let exists = self.exists(parent);
                    let rule = self.case;
                    let set = names
                        .entry(parent)
                        .or_insert_with(|| NameSet::with_rule(rule));
                    let idx = self.add_entry(parent, a, set, exists).map(|(i, _)| i);
                    done.insert(a, idx);
                    idx
                }
            };
            parent = idx?;
        }
        Some(parent)
    }

    /// Adds `children` under plan directory `parent`, then walks the
    /// directories among them (iteratively: depth is bounded by the tree,
    /// not the stack).
    fn add_dir_children(&mut self, parent: usize, children: &[NodeId], parent_exists: bool) {
        let mut stack: Vec<(usize, Vec<NodeId>, bool)> =
            vec![(parent, children.to_vec(), parent_exists)];
        while let Some((dir, kids, exists)) = stack.pop() {
            let mut names = NameSet::with_rule(self.case);
            for id in kids {
                if let Some((idx, sub_exists)) = self.add_entry(dir, id, &mut names, exists) {
                    let sub: Vec<NodeId> = self.tree.children(id).collect();
                    if !sub.is_empty() {
                        stack.push((idx, sub, sub_exists));
                    }
                }
            }
        }
    }

    fn parent_rel(&self, dir: usize) -> (PathBuf, usize) {
        match self.plan.entries.get(dir) {
            Some(e) => (e.rel.clone(), e.depth),
            None => (PathBuf::new(), 0),
        }
    }

    /// Plans one node; for a directory returns its index and whether it
    /// exists on disk already.
    fn add_entry(
        &mut self,
        dir: usize,
        id: NodeId,
        names: &mut NameSet,
        parent_exists: bool,
    ) -> Option<(usize, bool)> {
        let tree = self.tree;
        let image_path = tree.path(id);
        let kind = tree.kind(id);
        if !matches!(kind, NodeKind::File | NodeKind::Dir | NodeKind::Symlink) {
            self.plan.skipped.push(Skipped {
                path: image_path,
                reason: format!("{} entries are not created", kind.as_str()),
                kind: SkipKind::NotCreated,
            });
            return None;
        }
        let original = tree.name(id);
        let safe = sanitize::sanitize_name(original);
        let mut name = names.claim(&safe);
        let (parent_rel, parent_depth) = self.parent_rel(dir);
        let mut on_disk = OnDisk::New;
        if parent_exists {
            match fs::symlink_metadata(self.dest.join(parent_rel.join(&name))) {
                Err(_) => {}
                Ok(m) if kind == NodeKind::Dir => {
                    if m.is_dir() {
                        on_disk = OnDisk::ExistingDir;
                    } else {
                        self.plan.failed.push(Skipped {
                            path: image_path,
                            reason: format!(
                                "a {} named {name:?} is in the way of this directory",
                                if m.file_type().is_symlink() {
                                    "symbolic link"
                                } else {
                                    "file"
                                }
                            ),
                            kind: SkipKind::Error,
                        });
                        return None;
                    }
                }
                Ok(m) => match self.resolve(&image_path, id, &parent_rel, &name, &m)? {
                    Resolution::Replace => on_disk = OnDisk::Replace,
                    Resolution::Rename => {
                        let base = self.dest.join(&parent_rel);
                        name =
                            names.claim_with(&safe, |n| fs::symlink_metadata(base.join(n)).is_ok());
                    }
                },
            }
        }
        let rel = parent_rel.join(&name);
        // Sanitised names cannot climb out; confirm it all the same.
        if !sanitize::is_contained(&rel) {
            self.plan.failed.push(Skipped {
                path: image_path,
                reason: format!("{} would not stay inside the destination", rel.display()),
                kind: SkipKind::Error,
            });
            return None;
        }
        if name != original {
            self.plan.renamed.push(Renamed {
                from: image_path.clone(),
                to: rel.clone(),
            });
        }
        let entry_kind = match kind {
            NodeKind::Dir => EntryKind::Dir,
            NodeKind::Symlink => {
                let target = tree.link_target(id).unwrap_or("");
                if !sanitize::link_stays_inside(parent_depth, target) {
                    self.plan.skipped.push(Skipped {
                        path: image_path,
                        reason: format!(
                            "symbolic link to {target:?} would point outside the destination"
                        ),
                        kind: SkipKind::UnsafeLink,
                    });
                    return None;
                }
                if cfg!(not(unix)) && self.options.foreign_symlinks == super::ForeignSymlinks::Skip
                {
                    self.plan.skipped.push(Skipped {
                        path: image_path,
                        reason: "symbolic links are not created on this system".into(),
                        kind: SkipKind::NotCreated,
                    });
                    return None;
                }
                EntryKind::Symlink(target.to_string())
            }
            _ => self.file_kind(id),
        };
        let idx = self.plan.entries.len();
        let is_dir = entry_kind == EntryKind::Dir;
        match &entry_kind {
            EntryKind::Dir => self.plan.space_needed = self.plan.space_needed.saturating_add(BLOCK),
            EntryKind::File => {
                let size = tree.size(id);
                self.plan.bytes_total = self.plan.bytes_total.saturating_add(size);
                let zeros: u64 = tree
                    .extents(id)
                    .iter()
                    .filter(|e| e.kind == ExtentKind::Zeros)
                    .map(|e| e.len)
                    .fold(0, u64::saturating_add);
                let stored = size
                    .saturating_sub(zeros)
                    .div_ceil(BLOCK)
                    .saturating_mul(BLOCK);
                self.plan.space_needed = self.plan.space_needed.saturating_add(stored);
                let pos = tree
                    .extents(id)
                    .iter()
                    .find(|e| e.kind == ExtentKind::Recorded)
                    .map_or(0, |e| e.offset);
                self.positions.push((pos, idx));
                self.plan.files_total += 1;
                if let Some(key) = self.link_key(id) {
                    self.hardlinks.entry(key).or_insert(idx);
                }
            }
            EntryKind::HardLink(_) | EntryKind::Symlink(_) => {
                self.plan.links.push(idx);
                self.plan.files_total += 1;
            }
        }
        self.plan.entries.push(Entry {
            node: id,
            parent: dir,
            rel,
            kind: entry_kind,
            on_disk,
            depth: parent_depth + 1,
        });
        is_dir.then_some((idx, on_disk == OnDisk::ExistingDir))
    }

    /// The hard-link key of a file with more than one link (files merely
    /// sharing content on an image without link counts stay separate).
    fn link_key(&self, id: NodeId) -> Option<u64> {
        let nlink = self.tree.unix(id).map_or(1, |u| u.nlink);
        if nlink > 1 {
            self.tree.hardlink_key(id)
        } else {
            None
        }
    }

    fn file_kind(&self, id: NodeId) -> EntryKind {
        match self.link_key(id).and_then(|k| self.hardlinks.get(&k)) {
            Some(&first) => EntryKind::HardLink(first),
            None => EntryKind::File,
        }
    }

    /// Applies the overwrite policy to an existing non-directory; `None`
    /// means skip (recorded).
    fn resolve(
        &mut self,
        image_path: &str,
        id: NodeId,
        parent_rel: &Path,
        name: &str,
        existing: &fs::Metadata,
    ) -> Option<Resolution> {
        if existing.is_dir() {
            self.plan.failed.push(Skipped {
                path: image_path.to_string(),
                reason: format!("a directory named {name:?} is in the way"),
                kind: SkipKind::Error,
            });
            return None;
        }
        let choice = match (&self.options.overwrite, self.sticky) {
            (_, Some(c)) => c,
            (Overwrite::Never, None) => Choice::Skip,
            (Overwrite::Always, None) => Choice::Overwrite,
            (Overwrite::Rename, None) => Choice::Rename,
            (Overwrite::Ask(prompt), None) => {
                let host = self.dest.join(parent_rel.join(name));
                let Answer {
                    choice,
                    apply_to_all,
                } = prompt.ask(&Conflict {
                    image_path,
                    host_path: &host,
                    new_len: self.tree.size(id),
                    new_mtime: self.tree.mtime(id),
                    existing_len: existing.len(),
                });
                if apply_to_all {
                    self.sticky = Some(choice);
                }
                choice
            }
        };
        match choice {
            Choice::Skip => {
                self.plan.skipped.push(Skipped {
                    path: image_path.to_string(),
                    reason: "a file with this name exists already".into(),
                    kind: SkipKind::Exists,
                });
                None
            }
            Choice::Overwrite => Some(Resolution::Replace),
            Choice::Rename => Some(Resolution::Rename),
        }
    }

    fn finish(&mut self) {
        self.positions.sort_unstable();
        self.plan.files = self.positions.iter().map(|&(_, i)| i).collect();
    }
}

enum Resolution {
    Replace,
    Rename,
}

impl Plan {
    /// Plan indices of the files (and hard links) longer than `max_len`,
    /// in plan order.
    pub fn larger_than(&self, tree: &Tree, max_len: u64) -> Vec<usize> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| matches!(e.kind, EntryKind::File | EntryKind::HardLink(_)))
            .filter(|(_, e)| tree.size(e.node) > max_len)
            .map(|(i, _)| i)
            .collect()
    }

    /// Takes the entries `drop` (files and hard links) out of the plan,
    /// recording each as skipped with `reason`.
    pub fn leave_out(&mut self, tree: &Tree, drop: &[usize], reason: &str, kind: SkipKind) {
        let gone: std::collections::HashSet<usize> = drop.iter().copied().collect();
        self.files.retain(|i| !gone.contains(i));
        self.links.retain(|i| !gone.contains(i));
        self.tops.retain(|i| !gone.contains(i));
        for &i in drop {
            let Some(e) = self.entries.get(i) else {
                continue;
            };
            let size = tree.size(e.node);
            self.files_total = self.files_total.saturating_sub(1);
            if e.kind == EntryKind::File {
                self.bytes_total = self.bytes_total.saturating_sub(size);
                let stored = size.div_ceil(BLOCK).saturating_mul(BLOCK);
                self.space_needed = self.space_needed.saturating_sub(stored);
            }
            self.skipped.push(Skipped {
                path: tree.path(e.node),
                reason: reason.to_string(),
                kind,
            });
        }
    }
}

/// Whether an I/O error means the disk is full.
pub fn is_disk_full(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded
    )
}
