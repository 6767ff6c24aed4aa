//! Directories (ECMA-167 4/14.4 file identifier descriptors) and the walk
//! that turns a UDF file set into a [`Tree`]: breadth first, so the root's
//! children get the first ids (a root-only tree's ids are a prefix of the
//! whole tree's), with a visited set on directory ICBs, a depth limit, and
//! a read budget.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use super::icb::{self, Entry};
use super::raw::{self, characteristics, file_type, tag_id, FileIdentifier, LbAddr};
use super::volume::VolumeInfo;
use super::{corrupt, warning, Loc};
use crate::eltorito::BootCatalog;
use crate::error::{Result, Warning};
use crate::source::ImageSource;
use crate::tree::{
    NewNode, NodeFlags, NodeId, NodeKind, Stream, TimeKind, Tree, TreeBuilder, UnixMeta,
};
use crate::walk::{clean_name, renamed, BootSizes, Guard, Limits, BOOT_DIR};
use crate::View;

const STRUCT_FID: &str = "UDF file identifier descriptor";
const STRUCT_DIR: &str = "UDF directory";
const STRUCT_STREAMS: &str = "UDF stream directory";
/// Largest directory read (a million entries of about 60 bytes).
const MAX_DIR_LEN: u64 = 256 << 20;
/// Largest symbolic link target read.
const MAX_LINK_LEN: u64 = 64 << 10;

/// What the walk needs to know.
#[derive(Debug, Clone, Copy)]
pub struct WalkOptions<'a> {
    /// Depth, entry and read limits.
    pub limits: &'a Limits,
    /// Read the root directory alone (the tree is marked partial).
    pub root_only: bool,
    /// Boot catalog, for the virtual `/[BOOT]` folder.
    pub boot: Option<&'a BootCatalog>,
}

/// A directory's child: its node, its entry when it is a directory to walk,
/// and its named streams.
type Child = (NewNode, Option<Entry>, Vec<Stream>);

struct Walker<'a> {
    source: &'a dyn ImageSource,
    vol: &'a VolumeInfo,
    b: TreeBuilder,
    guard: Guard,
    boot_sizes: BootSizes,
    warnings: Vec<Warning>,
}

/// Builds the UDF view's tree.
///
/// # Errors
/// When the root directory's file entry or data cannot be read.
pub fn build_tree(
    source: &Arc<dyn ImageSource>,
    vol: &VolumeInfo,
    opts: &WalkOptions<'_>,
) -> Result<Tree> {
    let window = super::readahead::ReadAhead::new(source.as_ref());
    let src: &dyn ImageSource = &window;
    let layout = &vol.layout;
    let mut warnings = Vec::new();
    let root = icb::read_entry(src, layout, vol.root_icb, &mut warnings)?;
    let root_node = node_for(src, layout, &root, String::new(), 0, &mut warnings);
    let mut w = Walker {
        source: src,
        vol,
        b: TreeBuilder::new(View::Udf, root_node),
        guard: Guard::new(opts.limits, source.len()),
        boot_sizes: BootSizes::new(opts.boot),
        warnings,
    };
    let _ = w.guard.visit(root.offset);
    let mut root_streams = w.streams_of(NodeId(0), &root);
    if let Some(sys) = vol.system_stream_icb {
        let mut sys_streams = w.read_streams(NodeId(0), sys);
        for s in &mut sys_streams {
            s.system = true;
        }
        root_streams.append(&mut sys_streams);
    }
    w.b.set_streams(NodeId(0), root_streams);
    let with_boot = opts.boot.is_some_and(|c| !c.entries.is_empty());
    let mut boot_dir = None;
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
        let mut streams = Vec::with_capacity(children.len());
        let (mut nodes, dirs): (Vec<NewNode>, Vec<Option<Entry>>) = children
            .into_iter()
            .map(|(n, d, s)| {
                streams.push(s);
                (n, d)
            })
            .unzip();
        if first && with_boot {
            nodes.push(NewNode {
                name: BOOT_DIR.to_string(),
                kind: Some(NodeKind::Dir),
                flags: NodeFlags::VIRTUAL,
                ..Default::default()
            });
        }
        let count = nodes.len();
        let range = w.b.add_children(node, nodes)?;
        if first && with_boot {
            boot_dir = range.clone().last().map(NodeId);
        }
        first = false;
        for (id, s) in range.clone().zip(streams) {
            w.b.set_streams(NodeId(id), s);
        }
        if opts.root_only {
            w.b.mark_partial();
            break;
        }
        for (id, sub) in range.take(count).zip(dirs) {
            let Some(sub) = sub else { continue };
            if let Err(r) = w.guard.check_depth(depth + 1) {
                let path = w.b.tree().path(NodeId(id));
                w.warnings
                    .push(warning(STRUCT_DIR, Loc::Part(sub.addr), r.describe(&path)));
                continue;
            }
            queue.push_back((NodeId(id), sub, depth + 1));
        }
    }
    // The boot images' nodes go last, so that a partial tree's ids are a
    // prefix of the whole tree's.
    if let (Some(dir), Some(cat), false) = (boot_dir, opts.boot, opts.root_only) {
        let mut warnings = std::mem::take(&mut w.warnings);
        let nodes = w
            .boot_sizes
            .boot_nodes(cat, source.len(), &mut |x| warnings.push(x));
        w.warnings = warnings;
        w.b.add_children(dir, nodes)?;
    }
    for warning in std::mem::take(&mut w.warnings) {
        w.b.warn(warning);
    }
    Ok(w.b.finish())
}

impl Walker<'_> {
    /// Reads one directory: its children, and for each subdirectory its
    /// entry (to be walked later).
    fn read_dir(&mut self, node: NodeId, entry: &Entry) -> Result<Vec<Child>> {
        let layout = &self.vol.layout;
        let here = Loc::Part(entry.addr);
        let data = icb::data(self.source, layout, entry, &mut self.warnings)?;
        if let Err(r) = self.guard.charge(data.len) {
            let path = self.b.tree().path(node);
            return Err(corrupt(STRUCT_DIR, here, r.describe(&path)));
        }
        let bytes = icb::read_all(self.source, &data, MAX_DIR_LEN, "directory")?;
        let fids = self.parse_fids(node, here, &bytes);
        let path = self.b.tree().path(node);
        let (take, why) = self.guard.admit(fids.len(), &path);
        if let Some(why) = why {
            self.warnings.push(warning(STRUCT_DIR, here, why));
        }
        let mut out = Vec::with_capacity(take);
        let mut names = HashSet::new();
        for (mut name, chars, icb_addr) in fids.into_iter().take(take) {
            if let Some(orig) = clean_name(&mut name) {
                self.warnings
                    .push(warning(STRUCT_FID, here, renamed(&orig, &path, &name)));
            }
            if !names.insert(name.clone()) {
                self.warnings.push(warning(
                    STRUCT_DIR,
                    here,
                    format!("{path} holds {name:?} twice; the second is skipped"),
                ));
                continue;
            }
            let child = match icb::read_entry(self.source, layout, icb_addr, &mut self.warnings) {
                Ok(e) => e,
                Err(e) => {
                    self.warnings.push(Warning::at(
                        STRUCT_FID,
                        Loc::Part(icb_addr).into(),
                        format!("{}/{name}: {e}", path.trim_end_matches('/')),
                    ));
                    continue;
                }
            };
            let mut n = node_for(self.source, layout, &child, name, chars, &mut self.warnings);
            let streams = self.streams_of(node, &child);
            self.boot_sizes.note(n.extents.first(), n.size);
            let sub = if n.kind == Some(NodeKind::Dir) {
                match self.guard.visit(child.offset) {
                    Ok(()) => Some(child),
                    Err(r) => {
                        let p = format!("{}/{}", path.trim_end_matches('/'), n.name);
                        self.warnings.push(warning(
                            STRUCT_DIR,
                            Loc::Part(child.addr),
                            r.describe(&p),
                        ));
                        n.flags |= NodeFlags::DAMAGED;
                        None
                    }
                }
            } else {
                None
            };
            out.push((n, sub, streams));
        }
        Ok(out)
    }

    /// The live identifiers of a directory (parent and deleted ones
    /// skipped): name, characteristics, ICB.
    fn parse_fids(&mut self, node: NodeId, here: Loc, bytes: &[u8]) -> Vec<(String, u8, LbAddr)> {
        let mut out = Vec::new();
        let mut off = 0usize;
        while off < bytes.len() {
            let rest = bytes.get(off..).unwrap_or_default();
            // Zero padding up to a block boundary ends the entries.
            if rest.iter().take(16).all(|&b| b == 0) {
                break;
            }
            let fid = match raw::DescriptorTag::parse(rest) {
                Ok(t) if t.tag_identifier == tag_id::FID => FileIdentifier::parse(rest),
                Ok(t) => {
                    let what = format!(
                        "tag identifier {} where a FID was expected",
                        t.tag_identifier
                    );
                    self.warn_dir(node, here, off, &what);
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
            let at = off;
            off += fid.len.max(4);
            let c = fid.file_characteristics;
            if c & (characteristics::PARENT | characteristics::DELETED) != 0 {
                continue;
            }
            match raw::cs0(fid.file_identifier) {
                Ok(name) => out.push((name, c, fid.icb.1)),
                Err(e) => {
                    let path = self.b.tree().path(node);
                    self.warnings.push(warning(
                        STRUCT_FID,
                        here,
                        format!("directory {path}, byte {at}: {e}; entry skipped"),
                    ));
                }
            }
        }
        out
    }

    /// The named streams of `entry` (a child of `parent`, or the root).
    fn streams_of(&mut self, parent: NodeId, entry: &Entry) -> Vec<Stream> {
        match entry.fe.stream_directory_icb {
            Some((_, at)) => self.read_streams(parent, at),
            None => Vec::new(),
        }
    }

    /// Reads the stream directory at `at` (UDF 2.60 3.3.5): one level of
    /// FIDs, each naming a stream with its own file entry. Stream
    /// directories of streams are not followed, so a stream directory
    /// that points back at its owner or at itself cannot loop. Damage is a
    /// warning; the streams read so far are kept.
    fn read_streams(&mut self, parent: NodeId, at: LbAddr) -> Vec<Stream> {
        match self.try_read_streams(parent, at) {
            Ok(s) => s,
            Err(e) => {
                self.warnings.push(e.into());
                Vec::new()
            }
        }
    }

    fn try_read_streams(&mut self, parent: NodeId, at: LbAddr) -> Result<Vec<Stream>> {
        let layout = &self.vol.layout;
        let here = Loc::Part(at);
        let dir = icb::read_entry(self.source, layout, at, &mut self.warnings)?;
        if dir.fe.icb_tag.file_type != file_type::STREAM_DIRECTORY {
            return Err(corrupt(
                STRUCT_STREAMS,
                here,
                format!(
                    "file type {} where a stream directory (13) was expected; its streams are not listed",
                    dir.fe.icb_tag.file_type
                ),
            ));
        }
        let data = icb::data(self.source, layout, &dir, &mut self.warnings)?;
        if let Err(r) = self.guard.charge(data.len) {
            let path = self.b.tree().path(parent);
            return Err(corrupt(STRUCT_STREAMS, here, r.describe(&path)));
        }
        let bytes = icb::read_all(self.source, &data, MAX_DIR_LEN, "stream directory")?;
        let fids = self.parse_fids(parent, here, &bytes);
        let path = self.b.tree().path(parent);
        let (take, why) = self.guard.admit(fids.len(), &path);
        if let Some(why) = why {
            self.warnings.push(warning(STRUCT_STREAMS, here, why));
        }
        let mut out = Vec::with_capacity(take);
        for (name, _, icb_addr) in fids.into_iter().take(take) {
            let got = icb::read_entry(self.source, layout, icb_addr, &mut self.warnings)
                .and_then(|e| icb::data(self.source, layout, &e, &mut self.warnings));
            match got {
                Ok(d) => out.push(Stream::new(name, d.len, d.extents)),
                Err(e) => self.warnings.push(Warning::at(
                    STRUCT_STREAMS,
                    Loc::Part(icb_addr).into(),
                    format!("stream {name:?}: {e}"),
                )),
            }
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
        // The entry's image offset identifies the file; it is given as the
        // inode number only when the entry counts more than one link (a
        // writer that records 1 for a hard-linked file still has its FIDs
        // share the data, which the tree's hard-link key follows).
        ino: (fe.file_link_count > 1 && kind != NodeKind::Dir).then_some(e.offset),
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
                    Ok(t) => {
                        // A link's size is its target's length, as lstat
                        // gives it.
                        n.size = u64::try_from(t.len()).unwrap_or(0);
                        n.target = Some(t);
                    }
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
