//! Reading one directory of the walk: its records (borrowed from one
//! buffer, never copied), their Rock Ridge entries (parsed into reusable
//! scratch space) and the nodes they become, pushed straight into the
//! tree builder. Nothing is allocated per record on the common path.

use std::ops::Range;

use super::raw::{self, DateCache, RecordRef};
use super::{
    pathtable, DirLoc, NameMode, PendingDir, Walker, CHUNK, MAX_DIR_LEN, MAX_INTERLEAVED_UNITS,
    STRUCT_DIR,
};
use crate::bytes::{u64_from, usize_from};
use crate::error::{Error, Result, Warning};
use crate::rockridge::{self, Gather};
use crate::tree::{Encoding, Extent, NodeFlags, NodeId, NodeKind, NodeRef, TimeKind, Timestamp};

/// Buffers reused from record to record and directory to directory.
#[derive(Debug, Default)]
pub(super) struct Scratch {
    /// The directory's bytes.
    bytes: Vec<u8>,
    /// The current record's Rock Ridge facts.
    rr: Gather,
    /// Recording dates already converted.
    dates: DateCache,
    name: String,
    target: String,
    times: Vec<(TimeKind, Timestamp)>,
    /// The extents of every gathered file of the directory.
    all_extents: Vec<Extent>,
    /// The current node's extents.
    extents: Vec<Extent>,
    /// Child directories to queue once the directory's children are in.
    dirs: Vec<(NodeId, DirLoc)>,
}

/// One file's records, multi-extent parts merged.
struct Gathered<'a> {
    first: RecordRef<'a>,
    /// Its extents in [`Scratch::all_extents`].
    extents: Range<usize>,
    size: u64,
    lba: u64,
}

/// What the walk does after a directory's children are in.
pub(super) struct DirDone {
    /// The `/[BOOT]` node, when it was added.
    pub boot: Option<NodeId>,
}

impl Walker<'_> {
    /// Reads every record of directory `d` and adds its children to the
    /// tree (plus `/[BOOT]` when `boot`); their subdirectories are left in
    /// `s.dirs`. A directory that cannot be read gets no children and a
    /// warning; only the root's read errors and the tree's limits fail.
    pub(super) fn read_dir(
        &mut self,
        d: &PendingDir,
        s: &mut Scratch,
        boot: bool,
    ) -> Result<DirDone> {
        s.dirs.clear();
        let mut bytes = std::mem::take(&mut s.bytes);
        let read = self.read_dir_bytes(d, &mut bytes);
        let done = match read {
            Ok(n) => self.add_records(d, bytes.get(..n).unwrap_or_default(), s, boot),
            Err(e) if d.node == NodeId(0) => Err(e),
            Err(e) => {
                self.b.warn(e.into());
                Ok(DirDone { boot: None })
            }
        };
        s.bytes = bytes;
        done
    }

    /// Checks `d` against the visited set, the image, the caps and the
    /// budget, and reads its bytes into `bytes`; returns how many.
    fn read_dir_bytes(&mut self, d: &PendingDir, bytes: &mut Vec<u8>) -> Result<usize> {
        if let Err(refusal) = self.guard.visit(d.offset) {
            let what = refusal.describe(&self.b.tree().path(d.node));
            return Err(Error::corrupt_at(STRUCT_DIR, self.loc(d.lba), what));
        }
        let mut len = d.len;
        if !self.extent_ok(d.offset, len) {
            let avail = self.image_len.saturating_sub(d.offset);
            if avail == 0 {
                return Err(Error::corrupt_at(
                    STRUCT_DIR,
                    self.loc(d.lba),
                    format!(
                        "directory {} starts past the end of the image",
                        self.b.tree().path(d.node)
                    ),
                ));
            }
            self.b.warn(Warning::at(
                STRUCT_DIR,
                self.loc(d.lba),
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
            self.b.warn(Warning::at(
                STRUCT_DIR,
                self.loc(d.lba),
                format!(
                    "directory {} claims {} bytes; read only the first {}",
                    self.b.tree().path(d.node),
                    len,
                    MAX_DIR_LEN
                ),
            ));
            len = MAX_DIR_LEN;
        }
        if let Err(refusal) = self.guard.charge(len) {
            let what = refusal.describe(&self.b.tree().path(d.node));
            return Err(Error::corrupt_at(STRUCT_DIR, self.loc(d.lba), what));
        }
        self.read_bytes(d.offset, len, bytes)
    }

    /// Reads `len` bytes at `offset` into the start of `bytes`, a chunk
    /// at a time, so the buffer only grows as far as bytes are actually
    /// read; returns how many were read. Bytes after those are stale (the
    /// buffer is reused without zeroing it again).
    fn read_bytes(&self, offset: u64, len: u64, bytes: &mut Vec<u8>) -> Result<usize> {
        let mut pos = 0u64;
        let mut at = 0usize;
        while pos < len {
            let n = CHUNK.min(len - pos);
            let end = at.saturating_add(usize_from(n).unwrap_or(0));
            if bytes.len() < end {
                bytes.resize(end, 0);
            }
            let buf = bytes.get_mut(at..end).unwrap_or_default();
            self.source
                .read_exact_at(offset + pos, buf)
                .map_err(|e| Error::io(offset + pos, e))?;
            pos += n;
            at = end;
        }
        Ok(at)
    }

    /// The directory records in `bytes` (read from `offset`), each with
    /// the LBA of its block.
    pub(super) fn parse_records<'a>(
        &mut self,
        bytes: &'a [u8],
        offset: u64,
        node: NodeId,
    ) -> Vec<(RecordRef<'a>, u64)> {
        // About one record per 40 bytes; capped, as a hostile directory
        // may be mostly zeros (the vector grows with the records found).
        let mut records = Vec::with_capacity((bytes.len() / 40).min(1 << 16));
        let mut damaged = false;
        let block_len = usize_from(self.block_len).unwrap_or(2048);
        // Records never cross a logical block; walk each block.
        for (bi, block) in bytes.chunks(block_len).enumerate() {
            let block_lba = offset / self.block_len + u64_from(bi);
            let mut off = 0usize;
            while let Some(&rlen) = block.get(off) {
                if rlen == 0 {
                    break;
                }
                match block.get(off..).and_then(RecordRef::parse) {
                    Some(rec) => records.push((rec, block_lba)),
                    None => {
                        if !damaged {
                            self.b.warn(Warning::at(
STRUCT_DIR,
self.loc(block_lba),
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
        records
    }

    fn add_records(
        &mut self,
        d: &PendingDir,
        bytes: &[u8],
        s: &mut Scratch,
        boot: bool,
    ) -> Result<DirDone> {
        let records = self.parse_records(bytes, d.offset, d.node);
        // ECMA-119 §6.8.2.2: a directory's first record is its "." entry.
        let starts_with_dot = records
            .first()
            .is_some_and(|(r, lba)| *lba == d.lba && r.file_identifier == [0]);
        if !starts_with_dot && !bytes.is_empty() {
            self.b.warn(Warning::at(
STRUCT_DIR,
self.loc(d.lba),
                format!(
                    "directory {} does not start with its \".\" record; it is damaged or is not a directory",
                    self.b.tree().path(d.node)
                ),
            ));
        }
        let mut gathered = self.gather(d, &records, &mut s.all_extents);
        let (take, cut) = self
            .guard
            .admit(gathered.len(), &self.b.tree().path(d.node));
        if let Some(what) = cut {
            self.b.warn(Warning::at(STRUCT_DIR, self.loc(d.lba), what));
            gathered.truncate(take);
        }
        let first = self
            .b
            .begin_children(d.node, gathered.len() + usize::from(boot))?;
        for g in &gathered {
            self.push_record(d, g, s)?;
        }
        let mut done = DirDone { boot: None };
        if boot {
            done.boot = Some(self.b.push_child(d.node, &crate::walk::boot_dir_node())?);
        }
        self.b.end_children(d.node, first);
        Ok(done)
    }

    /// Merges the records of multi-extent files; skips "." and "..".
    fn gather<'a>(
        &mut self,
        d: &PendingDir,
        records: &[(RecordRef<'a>, u64)],
        all_extents: &mut Vec<Extent>,
    ) -> Vec<Gathered<'a>> {
        all_extents.clear();
        let mut gathered: Vec<Gathered<'a>> = Vec::with_capacity(records.len());
        let mut open_multi = false;
        for &(rec, lba) in records {
            if rec.is_dot_or_dotdot() {
                continue;
            }
            if open_multi {
                if let Some(g) = gathered.last_mut() {
                    if g.first.file_identifier == rec.file_identifier {
                        let size = self.record_extents(&rec, all_extents);
                        g.extents.end = all_extents.len();
                        g.size = g.size.saturating_add(size);
                        open_multi = rec.file_flags.multi_extent();
                        continue;
                    }
                    self.b.warn(Warning::at(
                        STRUCT_DIR,
                        self.loc(lba),
                        "a multi-extent file's next record has another name; kept the parts read",
                    ));
                }
            }
            open_multi = rec.file_flags.multi_extent();
            let start = all_extents.len();
            let size = self.record_extents(&rec, all_extents);
            gathered.push(Gathered {
                first: rec,
                extents: start..all_extents.len(),
                size,
                lba,
            });
        }
        if open_multi {
            self.b.warn(Warning::at(
                STRUCT_DIR,
                self.loc(d.lba),
                "the last multi-extent file of this directory has no final record",
            ));
        }
        gathered
    }

    /// Appends a record's extents (interleaving resolved) to `out`;
    /// returns its byte length.
    /// Interleaved units stop at the image's end (past it they hold
    /// nothing: reading there is an error) and at
    /// [`MAX_INTERLEAVED_UNITS`] in the whole tree, so that records claiming
    /// tiny units cannot fill memory with extents.
    fn record_extents(&mut self, rec: &RecordRef<'_>, out: &mut Vec<Extent>) -> u64 {
        let size = u64::from(rec.data_length);
        let start = (u64::from(rec.location_of_extent)
            + u64::from(rec.extended_attribute_record_length))
            * self.block_len;
        let unit = u64::from(rec.file_unit_size);
        let gap = u64::from(rec.interleave_gap_size);
        if unit == 0 || gap == 0 || rec.file_flags.directory() {
            out.push(Extent::recorded(start, size));
            return size;
        }
        // Interleaved (ECMA-119 §6.4.3): units of `unit` blocks separated
        // by `gap` blocks.
        let unit_len = unit * self.block_len;
        let mut left = size;
        let mut at = start;
        let mut n = 0usize;
        while left > 0 && n < 1 << 16 && at < self.image_len {
            if self.interleaved_units >= MAX_INTERLEAVED_UNITS {
                if self.interleaved_units > MAX_INTERLEAVED_UNITS {
                    break;
                }
                // Said once per tree.
                self.interleaved_units += 1;
                self.b.warn(Warning::new(
                    STRUCT_DIR,
                    Some(u64::from(rec.location_of_extent)),
                    format!(
                        "interleaved files have more than {MAX_INTERLEAVED_UNITS} units in all; the rest of this file is not read"
                    ),
                ));
                break;
            }
            self.interleaved_units += 1;
            let len = left.min(unit_len);
            out.push(Extent::recorded(at, len));
            n += 1;
            left -= len;
            at = at.saturating_add(unit_len + gap * self.block_len);
        }
        size
    }

    /// Parses a record's System Use field into `gather` (reset first);
    /// warnings are kept, bounded.
    fn parse_rr(&mut self, su: &[u8], lba: u64, gather: &mut Gather) {
        gather.reset();
        let Some(susp) = self.opts.rr else {
            return;
        };
        let mut warnings = Vec::new();
        rockridge::parse_into(self.source.as_ref(), su, susp, lba, &mut warnings, gather);
        for w in warnings {
            if self.rr_warnings.len() < 1000 {
                self.rr_warnings.push(w);
            }
        }
    }

    /// Whether the directory at `loc` holds only relocated (RE) entries:
    /// then it is Rock Ridge's "rr_moved" bookkeeping and hidden.
    fn only_relocated(&mut self, loc: DirLoc, node: NodeId) -> bool {
        let Some(susp) = self.opts.rr else {
            return false;
        };
        if !self.extent_ok(loc.offset, loc.len)
            || loc.len > 16 << 20
            || self.guard.charge(loc.len).is_err()
        {
            return false;
        }
        let mut bytes = Vec::new();
        let Ok(n) = self.read_bytes(loc.offset, loc.len, &mut bytes) else {
            return false;
        };
        let records = self.parse_records(bytes.get(..n).unwrap_or_default(), loc.offset, node);
        let mut warnings = Vec::new();
        records
            .iter()
            .filter(|(r, _)| !r.is_dot_or_dotdot())
            .all(|(r, lba)| {
                rockridge::parse(
                    self.source.as_ref(),
                    r.system_use,
                    susp,
                    *lba,
                    &mut warnings,
                )
                .relocated
            })
    }

    /// Writes the display name of identifier `id` into `out`.
    fn decode_name(&self, id: &[u8], out: &mut String) {
        out.clear();
        match self.opts.names {
            NameMode::Iso => out.push_str(&raw::display_name_iso(id)),
            NameMode::Joliet => out.push_str(&raw::display_name_joliet(id)),
            NameMode::Enhanced => push_text(id, out),
        }
    }

    /// Makes a name safe to show as one path component (see
    /// [`crate::walk::clean_name`]), with a warning when it changes.
    fn clean_name(&mut self, name: &mut String, d: &PendingDir, lba: u64) {
        if let Some(original) = crate::walk::clean_name(name) {
            let what = crate::walk::renamed(&original, &self.b.tree().path(d.node), name);
            self.b.warn(Warning::at(STRUCT_DIR, self.loc(lba), what));
        }
    }

    fn path_table_route(&mut self, d: &PendingDir, id: &[u8]) -> Option<u32> {
        self.load_path_table();
        let mut name = String::new();
        self.decode_name(id, &mut name);
        let pt: &pathtable::PathTable = self.path_table.as_ref()?;
        let parent_path = self.b.tree().components(d.node);
        pt.find(&parent_path, &name)
    }

    /// Turns one gathered file into a child node of `d`.
    fn push_record(&mut self, d: &PendingDir, g: &Gathered<'_>, s: &mut Scratch) -> Result<()> {
        let rec = &g.first;
        self.parse_rr(rec.system_use, g.lba, &mut s.rr);
        let rr = s.rr.facts();
        if rr.relocated {
            // RE: the real place of this directory is where its CL points
            // from; hide it here.
            return Ok(());
        }
        let child_link = rr.child_link;
        let unix = rr.unix;
        let zf = rr.zf;
        match (s.rr.name(), self.opts.rr) {
            (Some(n), Some(_)) => {
                s.name.clear();
                push_text(n, &mut s.name);
            }
            _ => self.decode_name(rec.file_identifier, &mut s.name),
        }
        let mut name = std::mem::take(&mut s.name);
        self.clean_name(&mut name, d, g.lba);
        let pushed = self.push_named(d, g, s, &name, (child_link, unix, zf));
        s.name = name;
        pushed
    }

    fn push_named(
        &mut self,
        d: &PendingDir,
        g: &Gathered<'_>,
        s: &mut Scratch,
        name: &str,
        (child_link, unix, zf): (
            Option<u32>,
            Option<crate::tree::UnixMeta>,
            Option<rockridge::ZfInfo>,
        ),
    ) -> Result<()> {
        let rec = &g.first;
        s.extents.clear();
        s.extents
            .extend_from_slice(s.all_extents.get(g.extents.clone()).unwrap_or_default());
        let rr_moved = d.node == NodeId(0)
            && self.opts.rr.is_some()
            && rec.file_flags.directory()
            && child_link.is_none()
            && (name.eq_ignore_ascii_case("rr_moved") || name.eq_ignore_ascii_case(".rr_moved"));
        if rr_moved {
            let e = s.extents.first().copied().unwrap_or(Extent::recorded(0, 0));
            let loc = DirLoc {
                offset: e.offset,
                len: e.len,
                lba: e.offset / self.block_len,
            };
            if self.only_relocated(loc, d.node) {
                return Ok(());
            }
        }
        let mut flags = NodeFlags::default();
        if rec.file_flags.hidden() {
            flags |= NodeFlags::HIDDEN;
        }
        if rec.file_flags.associated() {
            flags |= NodeFlags::ASSOCIATED;
        }
        s.times.clear();
        s.times.extend_from_slice(s.rr.times());
        if let Some(t) = s.dates.dir_datetime(rec.recording_date) {
            s.times.push((TimeKind::Recorded, t));
        }
        let mut kind = if rec.file_flags.directory() {
            NodeKind::Dir
        } else {
            NodeKind::File
        };
        if let Some(u) = unix {
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
        let symlink = s.rr.symlink();
        if symlink.is_some() {
            kind = NodeKind::Symlink;
        }
        let mut dir = None;
        let mut size = g.size;
        let mut encoding = Encoding::Plain;
        if let Some(cl) = child_link {
            // CL: a placeholder file standing for a directory relocated
            // elsewhere (RRIP §4.1.5.1); read that directory here.
            kind = NodeKind::Dir;
            let offset = u64::from(cl) * self.block_len;
            let len = self.dot_record_len(offset).unwrap_or(self.block_len);
            s.extents.clear();
            s.extents.push(Extent::recorded(offset, len));
            dir = Some(DirLoc {
                offset,
                len,
                lba: u64::from(cl),
            });
        } else if kind == NodeKind::Dir {
            let e = s.extents.first().copied().unwrap_or(Extent::recorded(0, 0));
            let mut offset = e.offset;
            let mut len = e.len;
            if !self.extent_ok(offset, len.max(1)) {
                if let Some(loc) = self.path_table_route(d, rec.file_identifier) {
                    offset = u64::from(loc) * self.block_len;
                    len = self.dot_record_len(offset).unwrap_or(self.block_len);
                    self.b.warn(Warning::at(
STRUCT_DIR,
self.loc(g.lba),
                        format!(
                            "directory {:?} points outside the image; found it through the path table",
                            name
                        ),
                    ));
                    s.extents.clear();
                    s.extents.push(Extent::recorded(offset, len));
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
            if let Some(zf) = zf {
                if &zf.algorithm == b"pz" {
                    encoding = Encoding::Zisofs {
                        header_size_div4: zf.header_size_div4,
                        block_size_log2: zf.block_size_log2,
                    };
                    size = zf.uncompressed_len;
                } else {
                    self.b.warn(Warning::at(
                        "Rock Ridge ZF entry",
                        self.loc(g.lba),
                        format!(
                            "{:?} uses compression {:?}, which is not supported; shown as stored",
                            name,
                            String::from_utf8_lossy(&zf.algorithm)
                        ),
                    ));
                }
            }
            self.check_file_extents(d, g.lba, name, &s.extents, &mut flags);
        }
        let target = if kind == NodeKind::Symlink {
            s.target.clear();
            push_text(symlink.unwrap_or_default(), &mut s.target);
            Some(s.target.as_str())
        } else {
            None
        };
        if kind != NodeKind::File && kind != NodeKind::Dir {
            s.extents.clear();
        }
        let node = NodeRef {
            name,
            kind,
            size,
            flags,
            times: &s.times,
            unix,
            target,
            extents: &s.extents,
            encoding,
        };
        let id = self.b.push_child(d.node, &node)?;
        if let Some(xa) = rockridge::xa::parse(rec.system_use) {
            self.b.set_xa(id, xa);
        }
        if let Some(loc) = dir {
            s.dirs.push((id, loc));
        }
        Ok(())
    }

    /// Marks a file whose extents leave the image; notes the sizes of
    /// files that start where a boot image does.
    fn check_file_extents(
        &mut self,
        d: &PendingDir,
        lba: u64,
        name: &str,
        extents: &[Extent],
        flags: &mut NodeFlags,
    ) {
        let stored: u64 = extents.iter().map(|e| e.len).fold(0, u64::saturating_add);
        if extents
            .iter()
            .any(|e| e.len > 0 && !self.extent_ok(e.offset, e.len))
        {
            *flags |= NodeFlags::DAMAGED;
            self.b.warn(Warning::at(
                STRUCT_DIR,
                self.loc(lba),
                format!(
                    "file {:?} in {} ({} bytes) lies partly outside the image",
                    name,
                    self.b.tree().path(d.node),
                    stored
                ),
            ));
        }
        self.boot_sizes.note(extents.first(), stored);
    }
}

/// Appends a Rock Ridge name or link target, or an ISO 9660:1999
/// identifier: UTF-8 where the bytes are valid UTF-8, the other bytes kept
/// as escape code points ([`crate::tree::names`]).
fn push_text(b: &[u8], out: &mut String) {
    crate::tree::names::push_bytes(b, out);
}

impl Scratch {
    /// The subdirectories of the directory just read, with their ids.
    pub(super) fn dirs(&self) -> &[(NodeId, DirLoc)] {
        &self.dirs
    }
}
