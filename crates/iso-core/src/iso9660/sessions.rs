//! Sessions of a multi-session ISO 9660 image held in a plain file.
//!
//! A disc records where its sessions start in its table of contents; an
//! image file has no TOC, so the sessions are found from the volume
//! descriptors themselves. Two layouts occur:
//!
//! - **Overwriteable media** (xorriso/libisoburn writing to a stdio file, a
//!   DVD+RW or a BD-RE): the first session starts at LBA 32 and each later
//!   one at the next multiple of 32 (growisofs: 16) after the end of the one
//!   before. Every session carries its own system area and volume
//!   descriptor set (at start + 16), and the set at LBA 16 is rewritten on
//!   each append to describe the newest session (libisoburn's "emulated
//!   TOC"). The set at LBA 16 is then a copy, not a session of its own.
//! - **CD style** (`mkisofs -C last,next -M old`, tracks laid end to end):
//!   the set at LBA 16 belongs to session 1, which starts at LBA 0, and each
//!   later session's set is at its own start + 16.
//!
//! Either way a session's Volume Space Size counts the blocks from that
//! session's start (xorriso's `-toc` shows it as the session size), and the
//! extents in its directory records are absolute LBAs, which may point into
//! older sessions: a session is read like a whole image, only its
//! descriptors are found elsewhere. A candidate session is believed only
//! when its root directory lies inside its own blocks (a stray ISO image
//! stored as a file addresses its root relative to its own start).

use crate::error::Warning;
use crate::iso9660::raw::{DescriptorType, VolumeDescriptor};
use crate::source::{read_vec, ImageSource};
use crate::SECTOR_LEN;

/// One session of a multi-session image (one volume descriptor set and the
/// blocks it describes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// 1 for the oldest session.
    pub number: u32,
    /// Where the session starts; its volume descriptors are at `start_lba + 16`.
    pub start_lba: u32,
    /// Volume Space Size of its primary volume descriptor (ECMA-119 §8.4.8):
    /// the blocks of this session, counted from `start_lba`.
    pub volume_space_size: u32,
    /// Volume Identifier of its primary volume descriptor.
    pub volume_identifier: String,
}

/// Most sessions listed; later ones are ignored with a warning.
pub const MAX_SESSIONS: usize = 256;
/// Blocks from a session's start to its volume descriptor set.
const VDS_OFFSET: u32 = 16;
/// Where the first session of an emulated TOC starts (after a 64 KiB
/// superblock copy).
const EMULATED_FIRST_START: u32 = 32;
/// Sessions start on multiples of this many blocks (xorriso uses 32,
/// growisofs 16; mkisofs -C lets the writer choose).
const ALIGN: u32 = 16;
/// How far past a session's end the next one is looked for, in blocks.
const MAX_GAP: u32 = 1024;
/// Most sectors read while looking for sessions, all steps together.
const MAX_PROBES: u32 = 4096;
/// Most descriptors read in one set while looking for its PVD.
const MAX_SET_LEN: u32 = 64;

/// The sessions found, and which descriptor set to read for "the newest".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovery {
    /// Every session found, oldest first.
    pub sessions: Vec<Session>,
    /// LBA of the volume descriptor set that describes the newest session:
    /// 16 for single sessions and emulated TOCs (LBA 16 is kept up to
    /// date), the last session's own set for CD-style images.
    pub newest_vds_lba: u32,
}

impl Discovery {
    /// LBA of the volume descriptor set of session `number` (1-based), or
    /// of the newest when `None`.
    ///
    /// # Errors
    /// [`crate::Error::NotFound`] for a session the image does not have.
    pub fn vds_lba(&self, number: Option<u32>) -> crate::Result<u32> {
        let Some(n) = number else {
            return Ok(self.newest_vds_lba);
        };
        let found = usize::try_from(n)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| self.sessions.get(i));
        match found {
            Some(s) => Ok(s.start_lba.saturating_add(VDS_OFFSET)),
            None if self.sessions.is_empty() => Err(crate::Error::NotFound(format!(
                "session {n} (the image has no ISO 9660 sessions)"
            ))),
            None => Err(crate::Error::NotFound(format!(
                "session {n} (the image has sessions 1..{})",
                self.sessions.len()
            ))),
        }
    }
}

/// What a session's primary volume descriptor says about it.
#[derive(Debug, Clone)]
struct Head {
    volume_space_size: u32,
    volume_identifier: String,
    /// Byte offset of the root directory's extent.
    root_offset: u64,
}

/// Reads sectors, counting them against [`MAX_PROBES`].
struct Prober<'a> {
    source: &'a dyn ImageSource,
    reads: u32,
}

impl Prober<'_> {
    /// The sector at `lba`; `None` past the end, on a read error or when the
    /// probe budget is spent.
    fn sector(&mut self, lba: u32) -> Option<Vec<u8>> {
        if self.reads >= MAX_PROBES {
            return None;
        }
        let offset = u64::from(lba).checked_mul(SECTOR_LEN)?;
        if offset.checked_add(SECTOR_LEN)? > self.source.len() {
            return None;
        }
        self.reads = self.reads.saturating_add(1);
        read_vec(self.source, offset, 2048).ok()
    }

    /// The primary volume descriptor of the set starting at `vds_lba`.
    fn head(&mut self, vds_lba: u32) -> Option<Head> {
        for i in 0..MAX_SET_LEN {
            let lba = vds_lba.checked_add(i)?;
            let sector = self.sector(lba)?;
            if sector.get(1..6) != Some(b"CD001".as_slice()) {
                return None;
            }
            match DescriptorType::from_byte(sector.first().copied().unwrap_or(0)) {
                DescriptorType::Primary => {
                    let vd = VolumeDescriptor::parse(&sector, lba).ok()?;
                    let root_offset =
                        u64::from(vd.root.location_of_extent).checked_mul(vd.block_len())?;
                    return Some(Head {
                        volume_space_size: vd.volume_space_size,
                        volume_identifier: vd.volume_identifier,
                        root_offset,
                    });
                }
                DescriptorType::Terminator => return None,
                _ => {}
            }
        }
        None
    }

    /// The head of a session starting at `start`, if its root directory
    /// lies within its own blocks.
    fn session_head(&mut self, start: u32) -> Option<Head> {
        let head = self.head(start.checked_add(VDS_OFFSET)?)?;
        let first = u64::from(start).checked_mul(SECTOR_LEN)?;
        let end = u64::from(start)
            .checked_add(u64::from(head.volume_space_size))?
            .checked_mul(SECTOR_LEN)?;
        (first..end).contains(&head.root_offset).then_some(head)
    }
}

/// Finds the sessions of the image in `source`. Never fails: an image
/// without ISO 9660 descriptors has no sessions, and a broken chain ends
/// the list (with a warning where something was expected).
pub fn discover(source: &dyn ImageSource, warnings: &mut Vec<Warning>) -> Discovery {
    let mut probe = Prober { source, reads: 0 };
    let Some(top) = probe.head(VDS_OFFSET) else {
        return Discovery {
            sessions: Vec::new(),
            newest_vds_lba: VDS_OFFSET,
        };
    };
    // Emulated TOC: a chain from LBA 32 that leads to the session the set
    // at LBA 16 describes (the same root directory).
    if let Some(first) = probe.session_head(EMULATED_FIRST_START) {
        let mut chain = walk(&mut probe, EMULATED_FIRST_START, first, warnings);
        if let Some(i) = chain
            .iter()
            .position(|(_, h)| h.root_offset == top.root_offset)
        {
            chain.truncate(i.saturating_add(1));
            return Discovery {
                sessions: chain.into_iter().map(|(s, _)| s).collect(),
                newest_vds_lba: VDS_OFFSET,
            };
        }
        if top.volume_space_size > EMULATED_FIRST_START {
            warnings.push(Warning::new(
                "volume descriptor set",
                Some(u64::from(EMULATED_FIRST_START + VDS_OFFSET)),
                "descriptors of a session starting at LBA 32 do not lead to the session \
                 described at LBA 16; read the image as starting at LBA 0",
            ));
        }
    }
    let chain = walk(&mut probe, 0, top, warnings);
    let newest_vds_lba = chain
        .last()
        .map_or(VDS_OFFSET, |(s, _)| s.start_lba.saturating_add(VDS_OFFSET));
    Discovery {
        sessions: chain.into_iter().map(|(s, _)| s).collect(),
        newest_vds_lba,
    }
}

/// Follows sessions from the one at `start` (whose head is `head`) while
/// the next one is found within [`MAX_GAP`] blocks of the previous end.
fn walk(
    probe: &mut Prober<'_>,
    start: u32,
    head: Head,
    warnings: &mut Vec<Warning>,
) -> Vec<(Session, Head)> {
    let mut out: Vec<(Session, Head)> = Vec::new();
    let mut next = Some((start, head));
    while let Some((start, head)) = next.take() {
        if out.len() >= MAX_SESSIONS {
            warnings.push(Warning::new(
                "volume descriptor set",
                Some(u64::from(start.saturating_add(VDS_OFFSET))),
                format!("more than {MAX_SESSIONS} sessions; the rest are not listed"),
            ));
            break;
        }
        let number = u32::try_from(out.len())
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        let end = start.checked_add(head.volume_space_size);
        out.push((
            Session {
                number,
                start_lba: start,
                volume_space_size: head.volume_space_size,
                volume_identifier: head.volume_identifier.clone(),
            },
            head,
        ));
        // A session of no blocks, or one ending past 2^32 blocks, has no
        // successor to look for.
        if let Some(end) = end.filter(|&e| e > start) {
            next = find_next(probe, end);
        }
    }
    out
}

/// The first plausible session starting at an [`ALIGN`]ed LBA from `end`
/// to `end + MAX_GAP`.
fn find_next(probe: &mut Prober<'_>, end: u32) -> Option<(u32, Head)> {
    let first = end.checked_add(ALIGN - 1)? / ALIGN * ALIGN;
    let last = end.saturating_add(MAX_GAP);
    let mut at = first;
    while at <= last {
        let vds = u64::from(at).checked_add(u64::from(VDS_OFFSET))?;
        if vds.checked_add(1)?.checked_mul(SECTOR_LEN)? > probe.source.len() {
            return None;
        }
        if let Some(head) = probe.session_head(at) {
            return Some((at, head));
        }
        at = at.checked_add(ALIGN)?;
    }
    None
}

#[cfg(test)]
#[path = "sessions_tests.rs"]
mod tests;
