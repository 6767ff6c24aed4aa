//! ECMA-119 (ISO 9660) directory hierarchies, shared by the plain, Rock
//! Ridge, Joliet and ISO 9660:1999 views: one breadth-first walk that turns
//! directory records into a [`Tree`].

mod pathtable;
pub mod raw;
pub mod sessions;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use crate::eltorito::{self, BootCatalog, Emulation, Platform};
use crate::error::{Error, Result, Warning};
use crate::rockridge::{self, RrEntry, SuspInfo};
use crate::source::{read_vec, ImageSource};
use crate::tree::{
    Encoding, Extent, NewNode, NodeFlags, NodeId, NodeKind, TimeKind, Tree, TreeBuilder,
};
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
    /// Deepest level walked.
    pub max_depth: u32,
    /// Boot catalog, for the virtual `/[BOOT]` folder.
    pub boot: Option<&'a BootCatalog>,
}

/// Bytes read from directories before the walk stops (hostile images can
/// point many directories at the same huge extent).
const DIR_BYTES_BUDGET_MIN: u64 = 1 << 30;
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
    visited: HashSet<u64>,
    budget: u64,
    rr_warnings: Vec<Warning>,
    path_table: Option<pathtable::PathTable>,
    /// Sizes of files whose data starts at a boot image's first byte.
    boot_offsets: HashMap<u64, u64>,
}

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
        visited: HashSet::new(),
        budget: DIR_BYTES_BUDGET_MIN.max(image_len.saturating_mul(2)),
        rr_warnings: Vec::new(),
        path_table: None,
        boot_offsets: opts
            .boot
            .map(|c| {
                c.entries
                    .iter()
                    .map(|e| (u64::from(e.load_rba) * crate::SECTOR_LEN, 0))
                    .collect()
            })
            .unwrap_or_default(),
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
    while let Some(d) = queue.pop_front() {
        let is_root = d.node == NodeId(0);
        let mut children = match w.read_dir(&d) {
            Ok(c) => c,
            Err(e) if is_root => return Err(e),
            Err(e) => {
                w.b.warn(e.into());
                Vec::new()
            }
        };
        if is_root && opts.boot.is_some_and(|c| !c.entries.is_empty()) {
            children.push(Child {
                node: NewNode {
                    name: "[BOOT]".into(),
                    kind: Some(NodeKind::Dir),
                    flags: NodeFlags::VIRTUAL,
                    ..Default::default()
                },
                dir: None,
                is_boot: true,
            });
        }
        let dirs: Vec<(Option<DirLoc>, bool)> =
            children.iter().map(|c| (c.dir, c.is_boot)).collect();
        let nodes: Vec<NewNode> = children.into_iter().map(|c| c.node).collect();
        let range = w.b.add_children(d.node, nodes)?;
        for (id, (dir, is_boot)) in range.zip(dirs) {
            if is_boot {
                boot_dir = Some(NodeId(id));
            } else if let Some(DirLoc { offset, len, lba }) = dir {
                if d.depth + 1 > opts.max_depth {
                    w.b.warn(Warning::new(
                        STRUCT_DIR,
                        Some(lba),
                        format!(
                            "{} is deeper than {} levels; not read",
                            w.b.tree().path(NodeId(id)),
                            opts.max_depth
                        ),
                    ));
                    continue;
                }
                queue.push_back(PendingDir {
                    node: NodeId(id),
                    offset,
                    len,
                    depth: d.depth + 1,
                    lba,
                });
            }
        }
    }
    if let (Some(dir), Some(cat)) = (boot_dir, opts.boot) {
        let nodes = w.boot_nodes(cat);
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

struct Child {
    node: NewNode,
    /// For directories: where their records are.
    dir: Option<DirLoc>,
    is_boot: bool,
}

/// One file's records, multi-extent parts merged.
struct Gathered {
    first: DirectoryRecord,
    rr: Option<RrEntry>,
    extents: Vec<Extent>,
    size: u64,
    lba: u64,
}

impl Walker<'_> {
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

    /// Reads every record of one directory into child nodes.
    fn read_dir(&mut self, d: &PendingDir) -> Result<Vec<Child>> {
        if !self.visited.insert(d.offset) {
            return Err(Error::corrupt(
                STRUCT_DIR,
                d.lba,
                format!(
                    "{} points back at a directory already read (a loop); left empty",
                    self.b.tree().path(d.node)
                ),
            ));
        }
        let mut len = d.len;
        if !self.extent_ok(d.offset, len) {
            let avail = self.image_len.saturating_sub(d.offset);
            if avail == 0 {
                return Err(Error::corrupt(
                    STRUCT_DIR,
                    d.lba,
                    format!(
                        "directory {} starts past the end of the image",
                        self.b.tree().path(d.node)
                    ),
                ));
            }
            self.b.warn(Warning::new(
                STRUCT_DIR,
                Some(d.lba),
                format!(
                    "directory {} claims {} bytes but the image ends after {}; read what is there",
                    self.b.tree().path(d.node),
                    len,
                    avail
                ),
            ));
            len = avail;
        }
        if len > MAX_DIR_LEN {
            self.b.warn(Warning::new(
                STRUCT_DIR,
                Some(d.lba),
                format!(
                    "directory {} claims {} bytes; read only the first {}",
                    self.b.tree().path(d.node),
                    len,
                    MAX_DIR_LEN
                ),
            ));
            len = MAX_DIR_LEN;
        }
        if len > self.budget {
            return Err(Error::corrupt(
                STRUCT_DIR,
                d.lba,
                "directories claim more bytes than the image could hold; stopped reading them",
            ));
        }
        self.budget -= len;
        let records = self.read_records(d.offset, len, d.node)?;
        // ECMA-119 §6.8.2.2: a directory's first record is its "." entry.
        let starts_with_dot = records
            .first()
            .is_some_and(|(r, lba)| *lba == d.lba && r.file_identifier == [0]);
        if !starts_with_dot && len > 0 {
            self.b.warn(Warning::new(
                STRUCT_DIR,
                Some(d.lba),
                format!(
                    "directory {} does not start with its \".\" record; it is damaged or is not a directory",
                    self.b.tree().path(d.node)
                ),
            ));
        }
        self.records_to_children(d, records)
    }

    fn records_to_children(
        &mut self,
        d: &PendingDir,
        records: Vec<(DirectoryRecord, u64)>,
    ) -> Result<Vec<Child>> {
        let mut gathered: Vec<Gathered> = Vec::with_capacity(records.len());
        let mut open_multi = false;
        for (rec, lba) in records {
            if rec.is_dot_or_dotdot() {
                continue;
            }
            let (extents, size) = self.record_extents(&rec);
            if open_multi {
                if let Some(g) = gathered.last_mut() {
                    if g.first.file_identifier == rec.file_identifier {
                        g.extents.extend(extents);
                        g.size = g.size.saturating_add(size);
                        open_multi = rec.file_flags.multi_extent();
                        continue;
                    }
                    self.b.warn(Warning::new(
                        STRUCT_DIR,
                        Some(lba),
                        "a multi-extent file's next record has another name; kept the parts read",
                    ));
                }
            }
            open_multi = rec.file_flags.multi_extent();
            gathered.push(Gathered {
                first: rec,
                rr: None,
                extents,
                size,
                lba,
            });
        }
        if open_multi {
            self.b.warn(Warning::new(
                STRUCT_DIR,
                Some(d.lba),
                "the last multi-extent file of this directory has no final record",
            ));
        }
        let mut out = Vec::with_capacity(gathered.len());
        for mut g in gathered {
            if self.opts.rr.is_some() {
                let su = std::mem::take(&mut g.first.system_use);
                g.rr = self.parse_rr_bytes(&su, g.lba);
            }
            if let Some(c) = self.child_from(d, g)? {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// Reads the directory records in `len` bytes at `offset`.
    fn read_records(
        &mut self,
        offset: u64,
        len: u64,
        node: NodeId,
    ) -> Result<Vec<(DirectoryRecord, u64)>> {
        // About one record per 40 bytes; capped so that a hostile length
        // cannot reserve much before the bytes are actually read.
        let estimate = crate::bytes::usize_from(len / 40).unwrap_or(0).min(1 << 16);
        let mut records: Vec<(DirectoryRecord, u64)> = Vec::with_capacity(estimate);
        let mut pos = 0u64;
        let mut damaged = false;
        let block_len = crate::bytes::usize_from(self.block_len).unwrap_or(2048);
        while pos < len {
            let n = CHUNK.min(len - pos);
            let chunk = read_vec(
                self.source.as_ref(),
                offset + pos,
                crate::bytes::usize_from(n).unwrap_or(0),
            )?;
            // Records never cross a logical block; walk each block.
            for (bi, block) in chunk.chunks(block_len).enumerate() {
                let block_lba = (offset + pos) / self.block_len + crate::bytes::u64_from(bi);
                let mut off = 0usize;
                while let Some(&rlen) = block.get(off) {
                    if rlen == 0 {
                        break;
                    }
                    match block.get(off..).and_then(DirectoryRecord::parse) {
                        Some(rec) => records.push((rec, block_lba)),
                        None => {
                            if !damaged {
                                self.b.warn(Warning::new(
                                    STRUCT_DIR,
                                    Some(block_lba),
                                    format!(
                                        "damaged record at byte {} of directory {}; skipped the rest of its block",
                                        off,
                                        self.b.tree().path(node)
                                    ),
                                ));
                            }
                            damaged = true;
                            break;
                        }
                    }
                    off += usize::from(rlen);
                }
            }
            pos += n;
        }
        Ok(records)
    }

    /// Whether the directory at `loc` holds only relocated (RE) entries:
    /// then it is Rock Ridge's "rr_moved" bookkeeping and hidden.
    fn only_relocated(&mut self, loc: DirLoc, node: NodeId) -> bool {
        let Some(susp) = self.opts.rr else {
            return false;
        };
        if !self.extent_ok(loc.offset, loc.len) || loc.len > 16 << 20 {
            return false;
        }
        let Ok(records) = self.read_records(loc.offset, loc.len, node) else {
            return false;
        };
        let mut warnings = Vec::new();
        records
            .iter()
            .filter(|(r, _)| !r.is_dot_or_dotdot())
            .all(|(r, lba)| {
                rockridge::parse(
                    self.source.as_ref(),
                    &r.system_use,
                    susp,
                    *lba,
                    &mut warnings,
                )
                .relocated
            })
    }

    fn parse_rr_bytes(&mut self, su: &[u8], lba: u64) -> Option<RrEntry> {
        let susp = self.opts.rr?;
        let mut warnings = Vec::new();
        let e = rockridge::parse(self.source.as_ref(), su, susp, lba, &mut warnings);
        for w in warnings {
            if self.rr_warnings.len() < 1000 {
                self.rr_warnings.push(w);
            }
        }
        Some(e)
    }

    /// A record's extents (interleaving resolved) and byte length.
    fn record_extents(&self, rec: &DirectoryRecord) -> (Vec<Extent>, u64) {
        let size = u64::from(rec.data_length);
        let start = (u64::from(rec.location_of_extent)
            + u64::from(rec.extended_attribute_record_length))
            * self.block_len;
        let unit = u64::from(rec.file_unit_size);
        let gap = u64::from(rec.interleave_gap_size);
        if unit == 0 || gap == 0 || rec.file_flags.directory() {
            return (vec![Extent::recorded(start, size)], size);
        }
        // Interleaved (ECMA-119 §6.4.3): units of `unit` blocks separated
        // by `gap` blocks.
        let unit_len = unit * self.block_len;
        let mut extents = Vec::new();
        let mut left = size;
        let mut at = start;
        while left > 0 && extents.len() < 1 << 16 {
            let n = left.min(unit_len);
            extents.push(Extent::recorded(at, n));
            left -= n;
            at = at.saturating_add(unit_len + gap * self.block_len);
        }
        (extents, size)
    }

    fn decode_name(&self, id: &[u8]) -> String {
        match self.opts.names {
            NameMode::Iso => raw::display_name_iso(id),
            NameMode::Joliet => raw::display_name_joliet(id),
            NameMode::Enhanced => match std::str::from_utf8(id) {
                Ok(s) => s.to_string(),
                Err(_) => id.iter().map(|&b| char::from(b)).collect(),
            },
        }
    }

    /// Makes a name safe to show as one path component: no '/', no NUL,
    /// not empty, "." or "..". Hostile names are kept recognisable.
    fn clean_name(&mut self, name: String, d: &PendingDir, lba: u64) -> String {
        let bad = name.is_empty()
            || name == "."
            || name == ".."
            || name.contains('/')
            || name.contains('\0');
        if !bad {
            return name;
        }
        let fixed = match name.as_str() {
            "" => "_".to_string(),
            "." => "_.".to_string(),
            ".." => "_..".to_string(),
            _ => name.replace(['/', '\0'], "_"),
        };
        self.b.warn(Warning::new(
            STRUCT_DIR,
            Some(lba),
            format!(
                "the name {:?} in {} cannot be a file name; shown as {:?}",
                name,
                self.b.tree().path(d.node),
                fixed
            ),
        ));
        fixed
    }

    fn child_from(&mut self, d: &PendingDir, g: Gathered) -> Result<Option<Child>> {
        let rec = &g.first;
        let rr = g.rr.unwrap_or_default();
        if rr.relocated {
            // RE: the real place of this directory is where its CL points
            // from; hide it here.
            return Ok(None);
        }
        let raw_name = match (&rr.name, self.opts.rr) {
            (Some(n), Some(_)) => n.clone(),
            _ => self.decode_name(&rec.file_identifier),
        };
        let name = self.clean_name(raw_name, d, g.lba);
        let rr_moved = d.node == NodeId(0)
            && self.opts.rr.is_some()
            && rec.file_flags.directory()
            && rr.child_link.is_none()
            && matches!(name.to_ascii_lowercase().as_str(), "rr_moved" | ".rr_moved");
        if rr_moved {
            let e = g.extents.first().copied().unwrap_or(Extent::recorded(0, 0));
            let loc = DirLoc {
                offset: e.offset,
                len: e.len,
                lba: e.offset / self.block_len,
            };
            if self.only_relocated(loc, d.node) {
                return Ok(None);
            }
        }
        let mut flags = NodeFlags::default();
        if rec.file_flags.hidden() {
            flags |= NodeFlags::HIDDEN;
        }
        if rec.file_flags.associated() {
            flags |= NodeFlags::ASSOCIATED;
        }
        let mut times = Vec::new();
        times.extend(rr.times.iter().copied());
        if let Some(t) = rec.recording_date {
            times.push((TimeKind::Recorded, t));
        }
        let mut kind = if rec.file_flags.directory() {
            NodeKind::Dir
        } else {
            NodeKind::File
        };
        if let Some(u) = rr.unix {
            kind = match u.mode & 0o170000 {
                0o040000 => NodeKind::Dir,
                0o120000 => NodeKind::Symlink,
                0o020000 => NodeKind::CharDevice,
                0o060000 => NodeKind::BlockDevice,
                0o010000 => NodeKind::Fifo,
                0o140000 => NodeKind::Socket,
                _ => kind,
            };
        }
        if rr.symlink.is_some() {
            kind = NodeKind::Symlink;
        }
        let mut dir = None;
        let mut extents = g.extents;
        let mut size = g.size;
        let mut encoding = Encoding::Plain;
        if let Some(cl) = rr.child_link {
            // CL: a placeholder file standing for a directory relocated
            // elsewhere (RRIP §4.1.5.1); read that directory here.
            kind = NodeKind::Dir;
            let offset = u64::from(cl) * self.block_len;
            let len = self.dot_record_len(offset).unwrap_or(self.block_len);
            extents = vec![Extent::recorded(offset, len)];
            dir = Some(DirLoc {
                offset,
                len,
                lba: u64::from(cl),
            });
        } else if kind == NodeKind::Dir {
            let e = extents.first().copied().unwrap_or(Extent::recorded(0, 0));
            let mut offset = e.offset;
            let mut len = e.len;
            if !self.extent_ok(offset, len.max(1)) {
                if let Some(loc) = self.path_table_route(d, rec) {
                    offset = u64::from(loc) * self.block_len;
                    len = self.dot_record_len(offset).unwrap_or(self.block_len);
                    self.b.warn(Warning::new(
                        STRUCT_DIR,
                        Some(g.lba),
                        format!(
                            "directory {:?} points outside the image; found it through the path table",
                            name
                        ),
                    ));
                    extents = vec![Extent::recorded(offset, len)];
                }
            }
            dir = Some(DirLoc {
                offset,
                len,
                lba: offset / self.block_len,
            });
        }
        if kind != NodeKind::File {
            size = 0;
        } else {
            if let Some(zf) = rr.zf {
                if &zf.algorithm == b"pz" {
                    encoding = Encoding::Zisofs {
                        header_size_div4: zf.header_size_div4,
                        block_size_log2: zf.block_size_log2,
                    };
                    size = zf.uncompressed_len;
                } else {
                    self.b.warn(Warning::new(
                        "Rock Ridge ZF entry",
                        Some(g.lba),
                        format!(
                            "{:?} uses compression {:?}, which is not supported; shown as stored",
                            name,
                            String::from_utf8_lossy(&zf.algorithm)
                        ),
                    ));
                }
            }
            let stored: u64 = extents.iter().map(|e| e.len).fold(0, u64::saturating_add);
            if extents
                .iter()
                .any(|e| e.len > 0 && !self.extent_ok(e.offset, e.len))
            {
                flags |= NodeFlags::DAMAGED;
                self.b.warn(Warning::new(
                    STRUCT_DIR,
                    Some(g.lba),
                    format!(
                        "file {:?} in {} ({} bytes) lies partly outside the image",
                        name,
                        self.b.tree().path(d.node),
                        stored
                    ),
                ));
            }
            if let Some(first) = extents.first() {
                if let Some(slot) = self.boot_offsets.get_mut(&first.offset) {
                    *slot = (*slot).max(stored);
                }
            }
        }
        let target = if kind == NodeKind::Symlink {
            Some(rr.symlink.clone().unwrap_or_default())
        } else {
            None
        };
        if kind != NodeKind::File && kind != NodeKind::Dir {
            extents.clear();
        }
        Ok(Some(Child {
            node: NewNode {
                name,
                kind: Some(kind),
                size,
                flags,
                times,
                unix: rr.unix,
                target,
                extents,
                encoding,
            },
            dir,
            is_boot: false,
        }))
    }

    fn path_table_route(&mut self, d: &PendingDir, rec: &DirectoryRecord) -> Option<u32> {
        self.load_path_table();
        let pt = self.path_table.as_ref()?;
        let parent_path = self.b.tree().components(d.node);
        pt.find(&parent_path, &self.decode_name(&rec.file_identifier))
    }

    fn boot_nodes(&mut self, cat: &BootCatalog) -> Vec<NewNode> {
        let mut out = Vec::new();
        for (i, e) in cat.entries.iter().enumerate() {
            let offset = u64::from(e.load_rba) * crate::SECTOR_LEN;
            let from_tree = self.boot_offsets.get(&offset).copied().unwrap_or(0);
            let len = match (e.emulation, e.platform) {
                (Emulation::NoEmulation, Platform::Efi) => e.image_len.max(from_tree),
                (Emulation::NoEmulation, _) if from_tree > 0 => from_tree,
                _ => e.image_len,
            };
            let avail = self.image_len.saturating_sub(offset);
            let len = if len > avail {
                self.b.warn(Warning::new(
                    "El Torito boot entry",
                    Some(u64::from(e.load_rba)),
                    format!(
                        "boot image {} runs past the end of the image; cut short",
                        i + 1
                    ),
                ));
                avail
            } else {
                len
            };
            out.push(NewNode {
                name: eltorito::image_name(i, e),
                kind: Some(NodeKind::File),
                size: len,
                flags: NodeFlags::VIRTUAL,
                extents: vec![Extent::recorded(offset, len)],
                ..Default::default()
            });
        }
        out
    }
}
