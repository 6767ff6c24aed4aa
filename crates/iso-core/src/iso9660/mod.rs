//! ECMA-119 (ISO 9660) directory hierarchies, shared by the plain, Rock
//! Ridge, Joliet and ISO 9660:1999 views: one breadth-first walk that turns
//! directory records into a [`Tree`].

mod dir;
mod pathtable;
pub mod raw;
pub mod sessions;

use std::collections::VecDeque;
use std::sync::Arc;

use crate::eltorito::BootCatalog;
use crate::error::{Error, Location, Result, Warning};
use crate::rockridge::{self, SuspInfo};
use crate::source::{read_vec, ImageSource};
use crate::tree::{Extent, NewNode, NodeId, NodeKind, TimeKind, Tree, TreeBuilder};
use crate::walk::{BootSizes, Guard, Limits};
use crate::View;
use raw::{DirectoryRecord, VolumeDescriptor};

/// How identifiers are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameMode {
    /// d-characters, ";version" removed.
    Iso,
    /// UCS-2 big-endian.
    Joliet,
    /// ISO 9660:1999: any bytes, UTF-8 when valid, else Latin-1.
    Enhanced,
}

/// What the walk needs to know.
#[derive(Debug, Clone)]
pub struct WalkOptions<'a> {
    /// The view being built.
    pub view: View,
    /// How to decode names.
    pub names: NameMode,
    /// Rock Ridge in use: parse System Use fields.
    pub rr: Option<SuspInfo>,
    /// The bounds of the walk.
    pub limits: &'a Limits,
    /// Read the root directory alone (subdirectories get no children and
    /// the tree is marked partial).
    pub root_only: bool,
    /// Boot catalog, for the virtual `/[BOOT]` folder.
    pub boot: Option<&'a BootCatalog>,
}

/// Bytes read from the image per directory read.
const CHUNK: u64 = 64 * 1024;
const STRUCT_DIR: &str = "directory record";
/// Largest directory read (a million entries take about 60 MiB); hostile
/// lengths are cut here.
const MAX_DIR_LEN: u64 = 256 << 20;

struct Walker<'a> {
    source: &'a Arc<dyn ImageSource>,
    vd: &'a VolumeDescriptor,
    opts: &'a WalkOptions<'a>,
    block_len: u64,
    image_len: u64,
    b: TreeBuilder,
    guard: Guard,
    rr_warnings: Vec<Warning>,
    path_table: Option<pathtable::PathTable>,
    /// Sizes of files whose data starts at a boot image's first byte.
    boot_sizes: BootSizes,
    /// Extents made so far for interleaved files (ECMA-119 §6.4.3).
    interleaved_units: usize,
}

/// Most extents made for interleaved files in one tree: each unit is one
/// extent, and a record may claim units of one block.
const MAX_INTERLEAVED_UNITS: usize = 1 << 20;

struct PendingDir {
    node: NodeId,
    offset: u64,
    len: u64,
    depth: u32,
    lba: u64,
}

/// Builds the tree of one view from its volume descriptor.
///
/// # Errors
/// When even the root directory cannot be read.
pub fn build_tree(
    source: &Arc<dyn ImageSource>,
    vd: &VolumeDescriptor,
    opts: &WalkOptions<'_>,
) -> Result<Tree> {
    let block_len = vd.block_len();
    let image_len = source.len();
    let root_rec = &vd.root;
    let mut root = NewNode {
        kind: Some(NodeKind::Dir),
        extents: vec![Extent::recorded(
            u64::from(root_rec.location_of_extent) * block_len,
            u64::from(root_rec.data_length),
        )],
        ..Default::default()
    };
    // The root's own Rock Ridge entries (mode, owner, times) are in the
    // "." record of its directory.
    let mut root_warnings = Vec::new();
    if let Some(susp) = opts.rr {
        let offset = u64::from(root_rec.location_of_extent) * block_len;
        if let Some(dot) = read_vec(source.as_ref(), offset, 2048)
            .ok()
            .and_then(|sector| DirectoryRecord::parse(&sector))
        {
            let rr = rockridge::parse(
                source.as_ref(),
                &dot.system_use,
                susp,
                u64::from(root_rec.location_of_extent),
                &mut root_warnings,
            );
            root.times = rr.times;
            root.unix = rr.unix;
        }
    }
    if let Some(t) = root_rec.recording_date {
        root.times.push((TimeKind::Recorded, t));
    }
    let mut w = Walker {
        source,
        vd,
        opts,
        block_len,
        image_len,
        b: TreeBuilder::new(opts.view, root),
        guard: Guard::new(opts.limits, image_len),
        rr_warnings: Vec::new(),
        path_table: None,
        boot_sizes: BootSizes::new(opts.boot),
        interleaved_units: 0,
    };
    for warning in root_warnings {
        w.b.warn(warning);
    }
    let mut root_loc = u64::from(root_rec.location_of_extent);
    let mut root_len = u64::from(root_rec.data_length);
    if !w.extent_ok(root_loc * block_len, root_len) {
        // The root record is damaged: the path table's first record is
        // another route to the root directory.
        w.load_path_table();
        match w.path_table.as_ref().and_then(|p| p.root_location()) {
            Some(loc) if w.extent_ok(u64::from(loc) * block_len, block_len) => {
                w.b.warn(Warning::new(
                    "root directory record",
                    Some(u64::from(vd.lba)),
                    "its extent is outside the image; found the root through the path table",
                ));
                root_loc = u64::from(loc);
                root_len = w.dot_record_len(root_loc * block_len).unwrap_or(block_len);
            }
            _ => {
                return Err(Error::corrupt(
                    "root directory record",
                    u64::from(vd.lba),
                    format!(
                        "the root directory (LBA {}, {} bytes) lies outside the image ({} bytes)",
                        root_rec.location_of_extent, root_rec.data_length, image_len
                    ),
                ))
            }
        }
    }
    let mut queue = VecDeque::new();
    queue.push_back(PendingDir {
        node: NodeId(0),
        offset: root_loc * block_len,
        len: root_len,
        depth: 0,
        lba: root_loc,
    });
    let mut boot_dir: Option<NodeId> = None;
    let mut scratch = dir::Scratch::default();
    let with_boot = opts.boot.is_some_and(|c| !c.entries.is_empty());
    while let Some(d) = queue.pop_front() {
        let is_root = d.node == NodeId(0);
        let done = w.read_dir(&d, &mut scratch, is_root && with_boot)?;
        boot_dir = boot_dir.or(done.boot);
        if opts.root_only {
            w.b.mark_partial();
            break;
        }
        for &(id, DirLoc { offset, len, lba }) in scratch.dirs() {
            if let Err(refusal) = w.guard.check_depth(d.depth + 1) {
                let what = refusal.describe(&w.b.tree().path(id));
                w.b.warn(Warning::at(STRUCT_DIR, w.loc(lba), what));
                continue;
            }
            queue.push_back(PendingDir {
                node: id,
                offset,
                len,
                depth: d.depth + 1,
                lba,
            });
        }
    }
    // The boot images' nodes go last, so that a partial tree's ids are a
    // prefix of the whole tree's; a partial tree leaves them out.
    if let (Some(dir), Some(cat), false) = (boot_dir, opts.boot, opts.root_only) {
        let mut warnings = Vec::new();
        let nodes = w
            .boot_sizes
            .boot_nodes(cat, image_len, &mut |x| warnings.push(x));
        for x in warnings {
            w.b.warn(x);
        }
        w.b.add_children(dir, nodes)?;
    }
    let rr_warnings = std::mem::take(&mut w.rr_warnings);
    for warning in rr_warnings {
        w.b.warn(warning);
    }
    Ok(w.b.finish())
}

/// Where a directory's records are.
#[derive(Debug, Clone, Copy)]
struct DirLoc {
    offset: u64,
    len: u64,
    lba: u64,
}

impl Walker<'_> {
    /// Block `lba` of this volume, in its logical block size.
    fn loc(&self, lba: u64) -> Location {
        Location::Lba {
            lba,
            block_len: u32::try_from(self.block_len).unwrap_or(u32::MAX),
        }
    }

    fn extent_ok(&self, offset: u64, len: u64) -> bool {
        offset
            .checked_add(len)
            .is_some_and(|end| end <= self.image_len)
    }

    fn load_path_table(&mut self) {
        if self.path_table.is_none() {
            self.path_table = pathtable::PathTable::read(
                self.source.as_ref(),
                self.vd,
                self.opts.names == NameMode::Joliet,
            )
            .ok();
        }
    }

    /// Data length from the "." record at the start of a directory.
    fn dot_record_len(&self, offset: u64) -> Option<u64> {
        let sector = read_vec(self.source.as_ref(), offset, 2048).ok()?;
        let rec = DirectoryRecord::parse(&sector)?;
        Some(u64::from(rec.data_length))
    }
}
