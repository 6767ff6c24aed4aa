//! Information control blocks (ECMA-167 4/14.6–14.9, 4/14.17): file
//! entries and extended file entries, ICB strategies 4 and 4096, and the
//! allocation descriptors that say where a file's bytes are — short, long
//! and extended, data embedded in the entry, and allocation extent
//! descriptor (AED, 4/14.5) chains, bounded and loop-safe.

use std::collections::HashSet;

use super::partition::{Layout, Run};
use super::raw::{self, tag_id, AdKind, ExtentType, FileEntry, LbAddr, TagProblem};
use super::{corrupt, warning, Loc};
use crate::error::{Result, Warning};
use crate::source::{read_vec, ImageSource};
use crate::tree::{Extent, ExtentKind};

const STRUCT_FE: &str = "UDF file entry";
const STRUCT_AED: &str = "UDF allocation extent descriptor";

/// Most indirect entries followed from one ICB (strategy 4096).
const MAX_INDIRECT: usize = 16;
/// Most allocation extent descriptors in one file's chain.
pub const MAX_AEDS: usize = 4096;
/// Most extents one file may have.
pub const MAX_EXTENTS: usize = 1 << 20;

/// A file entry read from its ICB, with the block it is in.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The parsed FE or EFE.
    pub fe: FileEntry,
    /// The entry's block (the whole logical block).
    pub block: Vec<u8>,
    /// Where it is.
    pub addr: LbAddr,
    /// The block's byte offset on the image (a unique key per file).
    pub offset: u64,
}

impl Entry {
    /// The extended attribute area (ECMA-167 4/14.10), possibly empty.
    pub fn extended_attributes(&self) -> &[u8] {
        let len = usize::try_from(self.fe.length_of_extended_attributes).unwrap_or(usize::MAX);
        crate::bytes::slice(&self.block, self.fe.ea_offset, len).unwrap_or_default()
    }
}

/// Reads the descriptor at `addr` and checks its tag against `want`
/// (one of them). Soft problems (CRC, location) become warnings.
///
/// # Errors
/// When the block cannot be read, or its tag is not one of `want`.
pub fn read_tagged(
    source: &dyn ImageSource,
    layout: &Layout,
    addr: LbAddr,
    want: &[u16],
    structure: &'static str,
    warnings: &mut Vec<Warning>,
) -> Result<(Vec<u8>, u64, u16)> {
    let offset = layout.block_offset(addr)?;
    let len = usize::try_from(layout.block_len).unwrap_or(2048);
    let block = read_vec(source, offset, len)?;
    let tag = raw::DescriptorTag::parse(&block).map_err(|p| {
        corrupt(
            structure,
            Loc::Part(addr),
            p.describe(want.first().copied().unwrap_or(0)),
        )
    })?;
    if !want.contains(&tag.tag_identifier) {
        return Err(corrupt(
            structure,
            Loc::Part(addr),
            TagProblem::WrongId(tag.tag_identifier).describe(want.first().copied().unwrap_or(0)),
        ));
    }
    if !tag.crc_ok(&block) {
        warnings.push(warning(
            structure,
            Loc::Part(addr),
            TagProblem::Crc.describe(0),
        ));
    }
    if tag.tag_location != addr.logical_block_number {
        warnings.push(warning(
            structure,
            Loc::Part(addr),
            TagProblem::Location(tag.tag_location).describe(0),
        ));
    }
    Ok((block, offset, tag.tag_identifier))
}

/// Reads the file entry of the ICB at `addr`, following indirect entries
/// (strategy 4096, ECMA-167 4/14.7) to the newest one.
///
/// # Errors
/// When no file entry can be read there.
pub fn read_entry(
    source: &dyn ImageSource,
    layout: &Layout,
    addr: LbAddr,
    warnings: &mut Vec<Warning>,
) -> Result<Entry> {
    let mut at = addr;
    let mut seen = HashSet::new();
    let mut found: Option<Entry> = None;
    for _ in 0..MAX_INDIRECT {
        if !seen.insert(at) {
            break;
        }
        let want = [tag_id::FE, tag_id::EFE, tag_id::IE];
        let (block, offset, id) = match read_tagged(source, layout, at, &want, STRUCT_FE, warnings)
        {
            Ok(r) => r,
            // A strategy-4096 successor that is not there ends the chain.
            Err(e) if found.is_some() => {
                drop(e);
                break;
            }
            Err(e) => return Err(e),
        };
        if id == tag_id::IE {
            // Indirect Entry: tag, ICB tag, Indirect ICB (long_ad).
            match raw::long_ad(&block, 36) {
                Some((len, next)) if len > 0 => {
                    at = next;
                    continue;
                }
                _ => break,
            }
        }
        let fe = FileEntry::parse(&block, id == tag_id::EFE)
            .ok_or_else(|| corrupt(STRUCT_FE, Loc::Part(at), "entry cut short"))?;
        let strategy = fe.icb_tag.strategy_type;
        found = Some(Entry {
            fe,
            block,
            addr: at,
            offset,
        });
        if strategy != 4096 {
            break;
        }
        // Strategy 4096: the next block may hold an indirect entry to a
        // newer ICB.
        at = LbAddr {
            logical_block_number: at.logical_block_number.saturating_add(1),
            ..at
        };
    }
    let Some(entry) = found else {
        return Err(corrupt(
            STRUCT_FE,
            Loc::Part(addr),
            "indirect entries lead to no file entry",
        ));
    };
    match entry.fe.icb_tag.strategy_type {
        4 | 4096 => {}
        other => warnings.push(warning(
            STRUCT_FE,
            Loc::Part(addr),
            format!("ICB strategy {other} is not 4 or 4096; read as strategy 4"),
        )),
    }
    Ok(entry)
}

/// Where a file's bytes are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Data {
    /// Image extents, the unrecorded ones as [`ExtentKind::Zeros`].
    pub extents: Vec<Extent>,
    /// Bytes the extents cover (at most the information length).
    pub len: u64,
}

/// The extents of `entry`'s data, cut at its information length.
///
/// # Errors
/// A reserved allocation descriptor type, an extent outside its
/// partition or the image, or a damaged AED chain is an error naming the
/// entry; a chain that loops is cut with a warning.
pub fn data(
    source: &dyn ImageSource,
    layout: &Layout,
    entry: &Entry,
    warnings: &mut Vec<Warning>,
) -> Result<Data> {
    let fe = &entry.fe;
    let here = Loc::Part(entry.addr);
    let kind = AdKind::from_flags(fe.icb_tag.flags)
        .ok_or_else(|| corrupt(STRUCT_FE, here, "reserved allocation descriptor type"))?;
    let ad_off = fe
        .ad_offset()
        .ok_or_else(|| corrupt(STRUCT_FE, here, "extended attributes length overflows"))?;
    let l_ad = usize::try_from(fe.length_of_allocation_descriptors).unwrap_or(usize::MAX);
    let ads = crate::bytes::slice(&entry.block, ad_off, l_ad).ok_or_else(|| {
        corrupt(
            STRUCT_FE,
            here,
            "extended attributes and allocation descriptors run past the entry",
        )
    })?;
    let want = fe.information_length;
    if kind == AdKind::Embedded {
        let len = want.min(crate::bytes::u64_from(ads.len()));
        if want > len {
            warnings.push(warning(
                STRUCT_FE,
                here,
                format!("embedded data holds {len} of {want} bytes"),
            ));
        }
        let offset = entry.offset + crate::bytes::u64_from(ad_off);
        return Ok(Data {
            extents: if len > 0 {
                vec![Extent::recorded(offset, len)]
            } else {
                vec![]
            },
            len,
        });
    }
    let mut out = Data::default();
    let mut area = ads.to_vec();
    let mut seen = HashSet::new();
    let partition = entry.addr.partition_reference_number;
    'chain: for _ in 0..=MAX_AEDS {
        let mut off = 0usize;
        let mut next: Option<LbAddr> = None;
        while let Some(ad) = kind.parse(&area, off, partition) {
            off += kind.size();
            if ad.extent_length == 0 {
                break;
            }
            match ad.extent_type {
                ExtentType::Continuation => {
                    next = Some(ad.extent_location);
                    break;
                }
                _ if out.len >= want => continue,
                ty => {
                    let len = u64::from(ad.extent_length).min(want - out.len);
                    push_extent(layout, &mut out, ty, ad.extent_location, len)
                        .map_err(|e| corrupt(STRUCT_FE, here, e.to_string()))?;
                }
            }
        }
        let Some(aed) = next else { break };
        if !seen.insert(aed) || seen.len() > MAX_AEDS {
            warnings.push(warning(
                STRUCT_AED,
                Loc::Part(aed),
                format!(
                    "allocation extent chain of the entry at {} loops or is too long; cut there",
                    here_text(entry.addr)
                ),
            ));
            break 'chain;
        }
        let (block, _, _) = read_tagged(source, layout, aed, &[tag_id::AED], STRUCT_AED, warnings)?;
        let l = crate::bytes::le_u32(&block, 20)
            .and_then(|l| usize::try_from(l).ok())
            .ok_or_else(|| corrupt(STRUCT_AED, Loc::Part(aed), "cut short"))?;
        area = crate::bytes::slice(&block, 24, l)
            .ok_or_else(|| {
                corrupt(
                    STRUCT_AED,
                    Loc::Part(aed),
                    "allocation descriptors run past the block",
                )
            })?
            .to_vec();
    }
    if out.len < want {
        warnings.push(warning(
            STRUCT_FE,
            here,
            format!(
                "allocation descriptors cover {} of its {} bytes",
                out.len, want
            ),
        ));
    }
    Ok(out)
}

fn here_text(a: LbAddr) -> String {
    format!(
        "partition {} block {}",
        a.partition_reference_number, a.logical_block_number
    )
}

fn push_extent(
    layout: &Layout,
    out: &mut Data,
    ty: ExtentType,
    at: LbAddr,
    len: u64,
) -> Result<()> {
    let runs = match ty {
        ExtentType::Recorded => layout.resolve(at, len)?,
        _ => vec![Run {
            offset: 0,
            len,
            zeros: true,
        }],
    };
    for r in runs {
        if out.extents.len() >= MAX_EXTENTS {
            return Err(corrupt(
                STRUCT_FE,
                Loc::Part(at),
                "more than a million extents",
            ));
        }
        let kind = if r.zeros {
            ExtentKind::Zeros
        } else {
            ExtentKind::Recorded
        };
        match out.extents.last_mut() {
            // Merge touching recorded runs (a file in many ADs that are
            // contiguous on the image is one extent).
            Some(last)
                if kind == ExtentKind::Recorded
                    && last.kind == ExtentKind::Recorded
                    && last.offset + last.len == r.offset
                    && last.len + r.len <= 1 << 30 =>
            {
                last.len += r.len
            }
            _ => out.extents.push(Extent {
                offset: r.offset,
                len: r.len,
                kind,
            }),
        }
        out.len += r.len;
    }
    Ok(())
}

/// Reads the whole of a small file's data (directories, symlinks, the
/// VAT), up to `cap` bytes. Unrecorded extents read as zeros.
///
/// # Errors
/// When the data is longer than `cap` or cannot be read.
pub fn read_all(source: &dyn ImageSource, data: &Data, cap: u64, what: &str) -> Result<Vec<u8>> {
    if data.len > cap {
        return Err(crate::Error::Unsupported(format!(
            "{what} of {} bytes is larger than the {cap}-byte limit",
            data.len
        )));
    }
    let mut out = Vec::with_capacity(usize::try_from(data.len).unwrap_or(0));
    for e in &data.extents {
        let len = usize::try_from(e.len).unwrap_or(0);
        match e.kind {
            ExtentKind::Recorded => out.extend_from_slice(&read_vec(source, e.offset, len)?),
            ExtentKind::Zeros => out.resize(out.len() + len, 0),
        }
    }
    Ok(out)
}
