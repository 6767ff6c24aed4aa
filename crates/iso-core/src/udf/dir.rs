//! Directories (ECMA-167 4/14.4 file identifier descriptors) and the walk
//! that turns a UDF file set into a [`Tree`]: breadth first, so the root's
//! children get the first ids (a root-only tree's ids are a prefix of the
//! whole tree's), with a visited set on directory ICBs, a depth limit, and
//! a read budget.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use super::icb::{self, Entry};
use super::raw::{self, characteristics, file_type, tag_id, FileIdentifier};
use super::volume::VolumeInfo;
use super::{corrupt, warning, Loc};
use crate::error::{Result, Warning};
use crate::source::ImageSource;
use crate::tree::{NewNode, NodeFlags, NodeId, NodeKind, TimeKind, Tree, TreeBuilder, UnixMeta};
use crate::View;

const STRUCT_FID: &str = "UDF file identifier descriptor";
const STRUCT_DIR: &str = "UDF directory";
/// Largest directory read (a million entries of about 60 bytes).
const MAX_DIR_LEN: u64 = 256 << 20;
/// Largest symbolic link target read.
const MAX_LINK_LEN: u64 = 64 << 10;
/// Bytes of directories read before the walk stops, at least.
const BUDGET_MIN: u64 = 1 << 28;

/// What the walk needs to know.
#[derive(Debug, Clone, Copy)]
pub struct WalkOptions {
    /// Deepest level walked (the root is level 0).
    pub max_depth: u32,
    /// Read the root directory alone (the tree is marked partial).
    pub root_only: bool,
}

struct Walker<'a> {
    source: &'a dyn ImageSource,
    vol: &'a VolumeInfo,
    b: TreeBuilder,
    visited: HashSet<u64>,
    budget: u64,
    warnings: Vec<Warning>,
}

/// Builds the UDF view's tree.
///
/// # Errors
/// When the root directory's file entry or data cannot be read.
pub fn build_tree(
    source: &Arc<dyn ImageSource>,
    vol: &VolumeInfo,
    opts: &WalkOptions,
) -> Result<Tree> {
    let src = source.as_ref();
    let layout = &vol.layout;
    let mut warnings = Vec::new();
    let root = icb::read_entry(src, layout, vol.root_icb, &mut warnings)?;
    let root_node = node_for(src, layout, &root, String::new(), 0, &mut warnings);
    let mut w = Walker {
        source: src,
        vol,
        b: TreeBuilder::new(View::Udf, root_node),
        visited: HashSet::new(),
        budget: BUDGET_MIN.max(source.len().saturating_mul(2)),
        warnings,
    };
    w.visited.insert(root.offset);
    let mut queue = VecDeque::new();
    queue.push_back((NodeId(0), root, 0u32));
    let mut first = true;
    while let Some((node, entry, depth)) = queue.pop_front() {
        let children = match w.read_dir(node, &entry) {
            Ok(c) => c,
            Err(e) if first => return Err(e),
            Err(e) => {
                w.warnings.push(e.into());
                continue;
            }
        };
        first = false;
        let (nodes, dirs): (Vec<NewNode>, Vec<Option<Entry>>) = children.into_iter().unzip();
        let range = w.b.add_children(node, nodes)?;
        if opts.root_only {
            w.b.mark_partial();
            break;
        }
        for (id, sub) in range.zip(dirs) {
            let Some(sub) = sub else { continue };
            if depth + 1 > opts.max_depth {
                let path = w.b.tree().path(NodeId(id));
                w.warnings.push(warning(
                    STRUCT_DIR,
                    Loc::Part(sub.addr),
                    format!("{path} is deeper than {} levels; not read", opts.max_depth),
                ));
                continue;
            }
            queue.push_back((NodeId(id), sub, depth + 1));
        }
    }
    for warning in std::mem::take(&mut w.warnings) {
        w.b.warn(warning);
    }
    Ok(w.b.finish())
}

impl Walker<'_> {
    /// Reads one directory: its children, and for each subdirectory its
    /// entry (to be walked later).
    fn read_dir(&mut self, node: NodeId, entry: &Entry) -> Result<Vec<(NewNode, Option<Entry>)>> {
        let layout = &self.vol.layout;
        let here = Loc::Part(entry.addr);
        let data = icb::data(self.source, layout, entry, &mut self.warnings)?;
        if data.len > self.budget {
            return Err(corrupt(
                STRUCT_DIR,
                here,
                "the directories read exceed the read budget for this image; the rest are not read",
            ));
        }
        self.budget -= data.len;
        let bytes = icb::read_all(self.source, &data, MAX_DIR_LEN, "directory")?;
        let mut out = Vec::new();
        let mut off = 0usize;
        let mut names = HashSet::new();
        while off < bytes.len() {
            let rest = bytes.get(off..).unwrap_or_default();
            // Zero padding up to a block boundary ends the entries.
            if rest.iter().take(16).all(|&b| b == 0) {
                break;
            }
            let fid = match raw::DescriptorTag::parse(rest) {
                Ok(t) if t.tag_identifier == tag_id::FID => FileIdentifier::parse(rest),
                Ok(t) => {
                    self.warn_dir(
                        node,
                        here,
                        off,
                        &format!(
                            "tag identifier {} where a FID was expected",
                            t.tag_identifier
                        ),
                    );
                    break;
                }
                Err(p) => {
                    self.warn_dir(node, here, off, &p.describe(tag_id::FID));
                    break;
                }
            };
            let Some(fid) = fid else {
                self.warn_dir(
                    node,
                    here,
                    off,
                    "its lengths run past the end of the directory",
                );
                break;
            };
            off += fid.len.max(4);
            let c = fid.file_characteristics;
            if c & (characteristics::PARENT | characteristics::DELETED) != 0 {
                continue;
            }
            let mut name = match raw::cs0(fid.file_identifier) {
                Ok(n) => n,
                Err(e) => {
                    self.warn_dir(node, here, off, &format!("{e}; entry skipped"));
                    continue;
                }
            };
            self.clean_name(&mut name, node, here);
            if !names.insert(name.clone()) {
                self.warnings.push(warning(
                    STRUCT_DIR,
                    here,
                    format!(
                        "{} holds {name:?} twice; the second is skipped",
                        self.b.tree().path(node)
                    ),
                ));
                continue;
            }
            let child = match icb::read_entry(self.source, layout, fid.icb.1, &mut self.warnings) {
                Ok(e) => e,
                Err(e) => {
                    self.warnings.push(Warning::new(
                        STRUCT_FID,
                        None,
                        format!(
                            "{}/{name}: {e}",
                            self.b.tree().path(node).trim_end_matches('/')
                        ),
                    ));
                    continue;
                }
            };
            let mut n = node_for(self.source, layout, &child, name, c, &mut self.warnings);
            let sub = if n.kind == Some(NodeKind::Dir) {
                if self.visited.insert(child.offset) {
                    Some(child)
                } else {
                    self.warnings.push(warning(
                        STRUCT_DIR,
                        Loc::Part(child.addr),
                        format!(
                            "{}/{}: directory already seen (a loop); shown empty",
                            self.b.tree().path(node).trim_end_matches('/'),
                            n.name
                        ),
                    ));
                    n.flags |= NodeFlags::DAMAGED;
                    None
                }
            } else {
                None
            };
            out.push((n, sub));
        }
        Ok(out)
    }

    fn warn_dir(&mut self, node: NodeId, here: Loc, off: usize, what: &str) {
        let path = self.b.tree().path(node);
        self.warnings.push(warning(
            STRUCT_FID,
            here,
            format!("directory {path}, byte {off}: {what}; the rest of the directory is not read"),
        ));
    }

    /// No '/', NUL, "", "." or ".." as a name.
    fn clean_name(&mut self, name: &mut String, node: NodeId, here: Loc) {
        let bad = name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']);
        if !bad {
            return;
        }
        let fixed = match name.as_str() {
            "" => "_".to_string(),
            "." => "_.".to_string(),
            ".." => "_..".to_string(),
            _ => name.replace(['/', '\0'], "_"),
        };
        self.warnings.push(warning(
            STRUCT_FID,
            here,
            format!(
                "the name {name:?} in {} cannot be a file name; shown as {fixed:?}",
                self.b.tree().path(node)
            ),
        ));
        *name = fixed;
    }
}

/// The node for a file entry.
fn node_for(
    source: &dyn ImageSource,
    layout: &super::partition::Layout,
    e: &Entry,
    name: String,
    chars: u8,
    warnings: &mut Vec<Warning>,
) -> NewNode {
    let fe = &e.fe;
    let (kind, type_bits) = match fe.icb_tag.file_type {
        file_type::DIRECTORY | file_type::STREAM_DIRECTORY => (NodeKind::Dir, 0o040000),
        file_type::SYMLINK => (NodeKind::Symlink, 0o120000),
        file_type::BLOCK_DEVICE => (NodeKind::BlockDevice, 0o060000),
        file_type::CHAR_DEVICE => (NodeKind::CharDevice, 0o020000),
        file_type::FIFO => (NodeKind::Fifo, 0o010000),
        file_type::SOCKET => (NodeKind::Socket, 0o140000),
        _ => (NodeKind::File, 0o100000),
    };
    let mut flags = NodeFlags::default();
    if chars & characteristics::HIDDEN != 0 {
        flags |= NodeFlags::HIDDEN;
    }
    let mut times = Vec::new();
    for (k, t) in [
        (TimeKind::Modified, fe.modification_time),
        (TimeKind::Accessed, fe.access_time),
        (TimeKind::AttributesChanged, fe.attribute_time),
        (TimeKind::Created, fe.creation_time),
    ] {
        if let Some(t) = t.and_then(|t| t.to_unix()) {
            times.push((k, t));
        }
    }
    let rdev = matches!(kind, NodeKind::BlockDevice | NodeKind::CharDevice)
        .then(|| raw::device_numbers(e.extended_attributes()))
        .flatten()
        .map(|(major, minor)| (u64::from(major) << 32) | u64::from(minor));
    let unix = UnixMeta {
        mode: type_bits | raw::unix_permissions(fe.permissions, fe.icb_tag.flags),
        nlink: u32::from(fe.file_link_count),
        uid: fe.uid,
        gid: fe.gid,
        ino: Some(e.offset),
        rdev,
    };
    let mut n = NewNode {
        name,
        kind: Some(kind),
        flags,
        times,
        unix: Some(unix),
        ..Default::default()
    };
    if kind == NodeKind::Dir {
        return n;
    }
    match icb::data(source, layout, e, warnings) {
        Ok(d) => {
            if d.len < fe.information_length {
                n.flags |= NodeFlags::DAMAGED;
            }
            n.size = d.len;
            if kind == NodeKind::Symlink {
                match icb::read_all(source, &d, MAX_LINK_LEN, "symbolic link")
                    .map_err(|e| e.to_string())
                    .and_then(|b| raw::symlink_target(&b))
                {
                    Ok(t) => n.target = Some(t),
                    Err(why) => {
                        warnings.push(warning("UDF symbolic link", Loc::Part(e.addr), why));
                        n.flags |= NodeFlags::DAMAGED;
                    }
                }
            } else if kind == NodeKind::File {
                n.extents = d.extents;
            }
        }
        Err(err) => {
            warnings.push(err.into());
            n.flags |= NodeFlags::DAMAGED;
        }
    }
    n
}

/// The entries of the root directory (parent and deleted identifiers not
/// counted), read without their file entries: cheap on any image.
///
/// # Errors
/// When the root directory cannot be read.
pub fn root_entry_count(source: &dyn ImageSource, vol: &VolumeInfo) -> Result<usize> {
    let mut warnings = Vec::new();
    let root = icb::read_entry(source, &vol.layout, vol.root_icb, &mut warnings)?;
    let data = icb::data(source, &vol.layout, &root, &mut warnings)?;
    let bytes = icb::read_all(source, &data, MAX_DIR_LEN, "directory")?;
    let mut off = 0usize;
    let mut count = 0;
    while let Some(fid) = bytes
        .get(off..)
        .filter(|r| raw::DescriptorTag::parse(r).is_ok_and(|t| t.tag_identifier == tag_id::FID))
        .and_then(FileIdentifier::parse)
    {
        off += fid.len.max(4);
        if fid.file_characteristics & (characteristics::PARENT | characteristics::DELETED) == 0 {
            count += 1;
        }
    }
    Ok(count)
}
