//! The System Use Sharing Protocol (SUSP 1.12, IEEE P1281): walking the
//! entries of a System Use field and of the Continuation Areas its CE
//! entries point to.
//!
//! Every entry starts with a 4-byte header (SUSP §4.1): Signature Word
//! (BP1–2), Length (BP3, header included) and System Use Entry Version
//! (BP4). The SUSP entries themselves (SP, ST, CE, PD, ER, ES) are handled
//! here; everything else is handed to the caller.

use crate::bytes::{both_u32, slice, u64_from, u8_at, usize_from};
use crate::error::Warning;
use crate::source::{read_vec, ImageSource};

/// At most this many CE hops are followed for one directory record.
pub(crate) const MAX_HOPS: usize = 16;
/// At most this many bytes of System Use field and Continuation Areas are
/// read for one directory record.
pub(crate) const MAX_TOTAL_LEN: u64 = 64 * 1024;
/// Logical block size the CE block locations count in. SUSP counts in the
/// volume's logical blocks; every image this crate reads uses 2048.
const BLOCK_LEN: u64 = crate::SECTOR_LEN;

const STRUCT_ENTRY: &str = "SUSP entry";
const STRUCT_CE: &str = "SUSP continuation area";

/// One System Use Entry that is not a SUSP entry (SUSP §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry<'a> {
    /// Signature Word (BP1–2).
    pub signature: [u8; 2],
    /// System Use Entry Version (BP4).
    pub version: u8,
    /// The entry's bytes after the 4-byte header (BP5 to Length).
    pub data: &'a [u8],
    /// Where the entry is, for warnings: the record's LBA or the
    /// continuation area's block.
    pub lba: u64,
}

/// A CE entry (SUSP §5.1): where the next Continuation Area is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ContinuationArea {
    /// Block Location of Continuation Area (BP5–12).
    pub block_location: u32,
    /// Offset to Start of Continuation Area (BP13–20).
    pub offset: u32,
    /// Length of the Continuation Area (BP21–28).
    pub length: u32,
}

impl ContinuationArea {
    /// Decodes a CE entry's data (the bytes after its header).
    fn parse(data: &[u8]) -> Option<Self> {
        Some(ContinuationArea {
            block_location: both_u32(data, 0)?.0,
            offset: both_u32(data, 8)?.0,
            length: both_u32(data, 16)?.0,
        })
    }
}

/// Calls `visit` for every non-SUSP entry of `field` (LEN_SKP already
/// skipped) and of the Continuation Areas it chains to, in order.
///
/// The chain is bounded: at most [`MAX_HOPS`] continuation areas and
/// [`MAX_TOTAL_LEN`] bytes in all, and an area already visited (a loop)
/// ends it. Damage ends the walk of an area with a warning.
pub(crate) fn walk(
    source: &dyn ImageSource,
    field: &[u8],
    lba: u64,
    warnings: &mut Vec<Warning>,
    visit: &mut dyn FnMut(&Entry<'_>, &mut Vec<Warning>),
) {
    let mut next = walk_area(field, lba, warnings, visit);
    let mut visited: Vec<(u32, u32)> = Vec::new();
    let mut total = u64_from(field.len());
    while let Some(ce) = next.take() {
        if visited.len() >= MAX_HOPS {
            warnings.push(Warning::new(
                STRUCT_CE,
                Some(lba),
                format!(
                    "more than {MAX_HOPS} continuation areas chained from one directory record; \
                     stopped following them"
                ),
            ));
            return;
        }
        if visited.contains(&(ce.block_location, ce.offset)) {
            warnings.push(Warning::new(
                STRUCT_CE,
                Some(u64::from(ce.block_location)),
                format!(
                    "the CE entry points back at a continuation area already read \
                     (block {}, offset {}): a loop; stopped following it",
                    ce.block_location, ce.offset
                ),
            ));
            return;
        }
        visited.push((ce.block_location, ce.offset));
        let Some(area) = read_area(source, ce, lba, total, warnings) else {
            return;
        };
        total = total.saturating_add(u64_from(area.len()));
        next = walk_area(&area, u64::from(ce.block_location), warnings, visit);
    }
}

/// Reads one continuation area, or warns why not.
fn read_area(
    source: &dyn ImageSource,
    ce: ContinuationArea,
    lba: u64,
    total: u64,
    warnings: &mut Vec<Warning>,
) -> Option<Vec<u8>> {
    let block = u64::from(ce.block_location);
    let mut warn = |what: String| {
        warnings.push(Warning::new(STRUCT_CE, Some(block), what));
        None
    };
    let len = u64::from(ce.length);
    if len == 0 {
        return None;
    }
    if total.saturating_add(len) > MAX_TOTAL_LEN {
        return warn(format!(
            "the System Use entries of the record at LBA {lba} run to more than \
             {MAX_TOTAL_LEN} bytes; the rest was not read"
        ));
    }
    let start = block
        .checked_mul(BLOCK_LEN)
        .and_then(|b| b.checked_add(u64::from(ce.offset)));
    let end = start.and_then(|s| s.checked_add(len));
    let (Some(start), Some(end)) = (start, end) else {
        return warn("the continuation area's location overflows".into());
    };
    if end > source.len() {
        return warn(format!(
            "the continuation area (block {}, offset {}, {} bytes) lies past the end of \
             the image; not read",
            ce.block_location, ce.offset, ce.length
        ));
    }
    match read_vec(source, start, usize_from(len)?) {
        Ok(v) => Some(v),
        Err(e) => warn(format!("cannot read the continuation area: {e}")),
    }
}

/// Walks the entries of one area; returns the CE entry found in it, if
/// any (processed once this area is done, SUSP §5.1).
fn walk_area(
    area: &[u8],
    lba: u64,
    warnings: &mut Vec<Warning>,
    visit: &mut dyn FnMut(&Entry<'_>, &mut Vec<Warning>),
) -> Option<ContinuationArea> {
    let mut ce: Option<ContinuationArea> = None;
    let mut pos = 0usize;
    let warn = |warnings: &mut Vec<Warning>, what: String| {
        warnings.push(Warning::new(STRUCT_ENTRY, Some(lba), what));
    };
    while let Some(header) = slice(area, pos, 4) {
        let signature = [u8_at(header, 0).unwrap_or(0), u8_at(header, 1).unwrap_or(0)];
        // Zero padding after the last entry (checked only when the entry
        // would start with a zero byte, so the walk stays linear).
        if signature[0] == 0 && area.get(pos..).unwrap_or_default().iter().all(|&b| b == 0) {
            break;
        }
        let len = usize::from(u8_at(header, 2).unwrap_or(0));
        let shown = || String::from_utf8_lossy(&signature).into_owned();
        if len < 4 {
            warn(
                warnings,
                format!(
                    "entry {:?} at byte {pos} has length {len} (less than its header); \
                     stopped reading this area",
                    shown()
                ),
            );
            break;
        }
        let Some(entry) = slice(area, pos, len) else {
            warn(
                warnings,
                format!(
                    "entry {:?} at byte {pos} ({len} bytes) runs past the end of its \
                     area ({} bytes); stopped reading this area",
                    shown(),
                    area.len()
                ),
            );
            break;
        };
        let data = entry.get(4..).unwrap_or_default();
        match &signature {
            b"CE" => match ContinuationArea::parse(data) {
                Some(c) if ce.is_none() => ce = Some(c),
                Some(_) => warn(
                    warnings,
                    "a second CE entry in one area; only the first is followed".into(),
                ),
                None => warn(warnings, format!("CE entry of {len} bytes is too short")),
            },
            // ST (SUSP §5.4): the last entry of this area.
            b"ST" => break,
            // SP (§5.3) only matters in the root's "." record; PD (§5.2)
            // is padding; ER/ES (§5.5, §5.6) name extensions: no effect on
            // what is read.
            b"SP" | b"PD" | b"ER" | b"ES" => {}
            _ => visit(
                &Entry {
                    signature,
                    version: u8_at(header, 3).unwrap_or(0),
                    data,
                    lba,
                },
                warnings,
            ),
        }
        pos = pos.saturating_add(len);
    }
    ce
}
