//! Rock Ridge (RRIP, IEEE P1282) over the System Use Sharing Protocol
//! (SUSP, IEEE P1281): POSIX names, modes, owners, times, symlinks, device
//! numbers, deep-directory relocation, and zisofs (ZF) entries.
//!
//! [`detect_susp`] finds the SP entry in the root directory's "." record;
//! [`parse`] then reads the entries of each directory record's System Use
//! field and follows its CE continuation areas (bounded and loop-safe).
//! Damage never fails the walk: it becomes warnings, and what could be read
//! is used.

mod entries;
mod susp;
pub mod xa;

pub(crate) use entries::Gather;

use crate::bytes::slice;
use crate::error::Warning;
use crate::source::ImageSource;
use crate::tree::{TimeKind, Timestamp, UnixMeta};

/// What the SUSP "SP" entry in the root's "." record says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuspInfo {
    /// LEN_SKP: bytes to skip at the start of every System Use field.
    pub len_skp: u8,
}

/// zisofs parameters from a ZF entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZfInfo {
    /// Algorithm, b"pz" for zisofs.
    pub algorithm: [u8; 2],
    /// Header size in 4-byte words.
    pub header_size_div4: u8,
    /// log2 of the block size.
    pub block_size_log2: u8,
    /// Uncompressed size of the file.
    pub uncompressed_len: u64,
}

/// The Rock Ridge facts about one directory record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RrEntry {
    /// The POSIX name from NM (all pieces joined); `None` without NM or
    /// when NM marks "." or "..".
    pub name: Option<String>,
    /// PX (+ PN for devices): mode, links, uid, gid, inode, rdev.
    pub unix: Option<UnixMeta>,
    /// TF timestamps.
    pub times: Vec<(TimeKind, Timestamp)>,
    /// SL: the symlink target, components joined with '/'.
    pub symlink: Option<String>,
    /// CL: this record stands for a directory relocated to this LBA.
    pub child_link: Option<u32>,
    /// PL: the real parent of a relocated directory.
    pub parent_link: Option<u32>,
    /// RE: this is a relocated directory; hide it where it is.
    pub relocated: bool,
    /// ZF: the file is zisofs-compressed.
    pub zf: Option<ZfInfo>,
    /// Any RRIP entry (PX, NM, TF, SL, ...) was seen.
    pub has_rr: bool,
}

/// Looks for the SUSP "SP" entry (SUSP 1.12 §5.3) at the start of the root
/// "." record's System Use field — or right after the 14-byte CD-ROM XA
/// record that XA writers put first ([`xa`]; genisoimage -XA and pycdlib
/// then say LEN_SKP 14): Signature Word "SP", Length 7, Version 1, Check
/// Bytes BE EF, LEN_SKP.
pub fn detect_susp(system_use: &[u8]) -> Option<SuspInfo> {
    sp_at(system_use, 0).or_else(|| sp_at(system_use, xa::skip_len(system_use)))
}

/// The SP entry at `at`, if there is one (`at` 0 or after an XA record).
fn sp_at(system_use: &[u8], at: usize) -> Option<SuspInfo> {
    match slice(system_use, at, 7)? {
        [b'S', b'P', 7, _, 0xBE, 0xEF, len_skp] => Some(SuspInfo { len_skp: *len_skp }),
        _ => None,
    }
}

/// Parses one directory record's System Use field (`system_use`, with
/// LEN_SKP not yet skipped) and its continuation areas. `lba` is where the
/// record is, for warnings. Never fails: damage becomes warnings.
///
/// LEN_SKP bytes are skipped at the start of every System Use field except
/// the one holding the SP entry itself at BP1 (the root's "." record, SUSP
/// §5.3), then a CD-ROM XA record if one is still there; continuation
/// areas are not skipped into. CE chains are followed at most 16 hops and 64 KiB deep and never
/// into an area already read.
///
/// # Security
/// Bounded in time and memory whatever the bytes say.
pub fn parse(
    source: &dyn ImageSource,
    system_use: &[u8],
    susp: SuspInfo,
    lba: u64,
    warnings: &mut Vec<Warning>,
) -> RrEntry {
    let mut gather = Gather::default();
    parse_into(source, system_use, susp, lba, warnings, &mut gather);
    gather.to_entry()
}

/// [`parse`] into a reusable [`Gather`] (reset first), without building an
/// [`RrEntry`]: the tree walk's path, which allocates nothing per record.
pub(crate) fn parse_into(
    source: &dyn ImageSource,
    system_use: &[u8],
    susp: SuspInfo,
    lba: u64,
    warnings: &mut Vec<Warning>,
    gather: &mut Gather,
) {
    let skip = if sp_at(system_use, 0).is_some() {
        0
    } else {
        usize::from(susp.len_skp)
    };
    let field = system_use.get(skip..).unwrap_or_default();
    // An XA record LEN_SKP did not account for: SUSP starts after it.
    let field = field.get(xa::skip_len(field)..).unwrap_or_default();
    gather.reset();
    susp::walk(source, field, lba, warnings, &mut |e, w| gather.entry(e, w));
    gather.finish(lba, warnings);
}

#[cfg(test)]
mod tests;
