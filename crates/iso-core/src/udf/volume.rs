//! Finding a UDF volume: the volume recognition sequence (ECMA-167 2/9.1),
//! the anchor volume descriptor pointers (3/10.2) at blocks 256, N−256,
//! N (the last block) and 512, the main and reserve volume descriptor sequences (3/8.4)
//! with a per-descriptor fallback to the reserve copy, and the logical
//! volume integrity descriptor (3/10.10). Reads a few dozen blocks: cheap
//! on any image size.

use std::sync::Arc;

use super::partition::{Layout, Map, Physical};
use super::raw::{self, check_tag, revision_text, tag_id, ExtentAd, LbAddr, RegId, TagProblem};
use super::{warning, Loc};
use crate::error::Warning;
use crate::source::{read_vec, ImageSource};
use crate::tree::Timestamp;

/// What a partition map is (for `info`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapInfo {
    /// "type 1", "virtual", "sparable", "metadata" or "unknown …".
    pub kind: String,
    /// The Partition Number it refers to.
    pub partition_number: u16,
    /// A few words more: the sparing packet length, the VAT's entries, the
    /// metadata file used ("main" or "mirror").
    pub detail: String,
}

/// The logical volume integrity descriptor's numbers (ECMA-167 3/10.10,
/// UDF 2.60 §2.2.6.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntegrityInfo {
    /// Integrity Type 1 (close): the volume was closed cleanly.
    pub closed: bool,
    /// Number of Files.
    pub number_of_files: Option<u32>,
    /// Number of Directories.
    pub number_of_directories: Option<u32>,
    /// Minimum UDF Read Revision.
    pub minimum_udf_read_revision: Option<u16>,
    /// Minimum UDF Write Revision.
    pub minimum_udf_write_revision: Option<u16>,
    /// Maximum UDF Write Revision.
    pub maximum_udf_write_revision: Option<u16>,
    /// Recording Date and Time.
    pub recorded: Option<Timestamp>,
}

/// A UDF volume as its descriptors describe it.
#[derive(Debug, Clone)]
pub struct VolumeInfo {
    /// "NSR02" (UDF ≤ 1.50) or "NSR03" (UDF ≥ 2.00).
    pub nsr: String,
    /// Logical block size in bytes.
    pub block_len: u32,
    /// The UDF revision the volume is written to (domain identifier of
    /// the logical volume descriptor), e.g. 0x0250.
    pub revision: u16,
    /// Blocks where a valid anchor was found (256, N−256, N and 512; N the last block).
    pub anchors: Vec<u64>,
    /// Volume Identifier (primary volume descriptor).
    pub volume_identifier: String,
    /// Volume Set Identifier.
    pub volume_set_identifier: String,
    /// Logical Volume Identifier.
    pub logical_volume_identifier: String,
    /// File Set Identifier.
    pub file_set_identifier: String,
    /// The primary volume descriptor's Recording Date and Time.
    pub recorded: Option<Timestamp>,
    /// The partition maps, by partition reference number.
    pub maps: Vec<MapInfo>,
    /// The integrity descriptor, when readable.
    pub integrity: Option<IntegrityInfo>,
    /// Descriptors read from the reserve sequence because the main copy
    /// was damaged.
    pub from_reserve: Vec<&'static str>,
    /// The file set's root directory ICB.
    pub root_icb: LbAddr,
    /// The system stream directory ICB, when the file set has one.
    pub system_stream_icb: Option<LbAddr>,
    /// The address translation.
    pub layout: Arc<Layout>,
}

impl VolumeInfo {
    /// "2.50".
    pub fn revision_text(&self) -> String {
        revision_text(self.revision)
    }

    /// For the one-line format description: "UDF 2.50 (metadata
    /// partition)", "UDF 1.02 bridge".
    pub fn summary(&self, bridge: bool) -> String {
        let mut s = format!("UDF {}", self.revision_text());
        if bridge {
            s.push_str(" bridge");
        }
        let kinds: Vec<&str> = self
            .maps
            .iter()
            .filter(|m| m.kind != "type 1")
            .map(|m| match m.kind.as_str() {
                "virtual" => "VAT",
                "sparable" => "sparable partition",
                "metadata" => "metadata partition",
                other => other,
            })
            .collect();
        if !kinds.is_empty() {
            s.push_str(&format!(" ({})", kinds.join(", ")));
        }
        s
    }
}

const STRUCT_AVDP: &str = "UDF anchor volume descriptor pointer";
const STRUCT_VDS: &str = "UDF volume descriptor sequence";
/// Most descriptors read from one sequence (pointers included).
const MAX_VDS_BLOCKS: u32 = 256;
/// Most partition maps used (a hostile map table can claim millions).
pub const MAX_PARTITION_MAPS: u32 = 64;

/// Looks for a UDF volume. `None` when there is no UDF recognition
/// sequence or no usable anchor (the reason is in `warnings`).
pub fn open(source: &dyn ImageSource, warnings: &mut Vec<Warning>) -> Option<VolumeInfo> {
    let len = source.len();
    // Block sizes are tried in the order of how common they are.
    let mut vrs_seen = None;
    for bs in [2048u64, 512, 4096, 1024] {
        let Some(nsr) = recognition(source, bs) else {
            continue;
        };
        vrs_seen = Some(nsr.clone());
        let anchors = find_anchors(source, bs, len);
        if let Some(&(_, avdp)) = anchors.first() {
            let at: Vec<u64> = anchors.iter().map(|a| a.0).collect();
            // N is the last block (ECMA-167 3/8.4.2.1).
            let n = (len / bs).saturating_sub(1);
            let standard = [256, n.saturating_sub(256), n];
            let vol = super::volume_read::read(source, bs, nsr, at.clone(), avdp, warnings)?;
            let write_once = vol.maps.iter().any(|m| m.kind == "virtual");
            // An open write-once disc (VAT) has only the anchor at 256 (or
            // 512) until it is closed.
            if !write_once && standard.iter().filter(|b| at.contains(b)).count() < 2 {
                let missing: Vec<String> = standard
                    .iter()
                    .filter(|b| !at.contains(b))
                    .map(|b| b.to_string())
                    .collect();
                warnings.push(Warning::new(
                    STRUCT_AVDP,
                    None,
                    format!(
                        "no valid anchor at block {} ({bs}-byte blocks); used the one at block {}",
                        missing.join(", "),
                        at.first().copied().unwrap_or(0)
                    ),
                ));
            }
            return Some(vol);
        }
    }
    if let Some(nsr) = vrs_seen {
        warnings.push(Warning::new(
            STRUCT_AVDP,
            None,
            format!("{nsr} recognised, but no valid anchor at block 256, N−256, N or 512 (N the last block)"),
        ));
    }
    None
}

/// Scans the recognition sequence from byte 32768 in steps of
/// max(2048, block size); returns "NSR02"/"NSR03" when BEA01 … NSR0x is
/// there.
fn recognition(source: &dyn ImageSource, bs: u64) -> Option<String> {
    let step = bs.max(2048);
    let mut bea = false;
    for i in 0..64u64 {
        let off = 32768 + i * step;
        let mut id = [0u8; 7];
        source.read_exact_at(off, &mut id).ok()?;
        match id.get(1..6)? {
            b"BEA01" => bea = true,
            b"NSR02" | b"NSR03" if bea => {
                return Some(String::from_utf8_lossy(id.get(1..6)?).into_owned())
            }
            b"CD001" | b"BOOT2" | b"CDW02" | b"TEA01" | b"NSR02" | b"NSR03" => {}
            _ => return None,
        }
    }
    None
}

/// The valid anchors for block size `bs`: (block, pointer), block 256
/// first.
fn find_anchors(source: &dyn ImageSource, bs: u64, len: u64) -> Vec<(u64, (ExtentAd, ExtentAd))> {
    let count = len / bs;
    // N is the last block (ECMA-167 3/8.4.2.1).
    let n = count.saturating_sub(1);
    let mut out: Vec<(u64, (ExtentAd, ExtentAd))> = Vec::new();
    for block in [256, n.saturating_sub(256), n, 512] {
        if block < 256 || block >= count || out.iter().any(|a| a.0 == block) {
            continue;
        }
        let Ok(buf) = read_vec(source, block * bs, 512) else {
            continue;
        };
        let Ok(loc) = u32::try_from(block) else {
            continue;
        };
        if check_tag(&buf, tag_id::AVDP, loc).is_ok_and(|soft| soft.is_empty()) {
            if let (Some(main), Some(reserve)) =
                (ExtentAd::parse(&buf, 16), ExtentAd::parse(&buf, 24))
            {
                out.push((block, (main, reserve)));
            }
        }
    }
    out
}

/// One descriptor of a sequence, as read.
#[derive(Debug, Clone)]
pub(crate) struct Desc {
    pub bytes: Vec<u8>,
    pub block: u32,
    pub crc_ok: bool,
}

/// The descriptors of one volume descriptor sequence that are used.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sequence {
    pub pvd: Option<Desc>,
    pub lvd: Option<Desc>,
    pub iuvd: Option<Desc>,
    pub pds: Vec<Desc>,
}

/// Reads the sequence in `extent`, following volume descriptor pointers.
pub(crate) fn read_sequence(
    source: &dyn ImageSource,
    bs: u64,
    extent: ExtentAd,
    which: &str,
    warnings: &mut Vec<Warning>,
) -> Sequence {
    let mut seq = Sequence::default();
    let mut start = extent.extent_location;
    let mut blocks = u32::try_from(u64::from(extent.extent_length) / bs).unwrap_or(0);
    let mut read = 0u32;
    let mut pointers = 0;
    let mut i = 0u32;
    while i < blocks && read < MAX_VDS_BLOCKS {
        read += 1;
        let block = start.saturating_add(i);
        i += 1;
        let loc = Loc::Block {
            block: u64::from(block),
            block_len: bs,
        };
        let Ok(bytes) = read_vec(
            source,
            u64::from(block) * bs,
            usize::try_from(bs).unwrap_or(2048),
        ) else {
            warnings.push(warning(
                STRUCT_VDS,
                loc,
                format!("{which} sequence: cannot read the block"),
            ));
            break;
        };
        let tag = match raw::DescriptorTag::parse(&bytes) {
            Ok(t) => t,
            Err(p) => {
                warnings.push(warning(
                    STRUCT_VDS,
                    loc,
                    format!("{which} sequence: {}; descriptor skipped", p.describe(0)),
                ));
                continue;
            }
        };
        let crc_ok = tag.crc_ok(&bytes);
        if tag.tag_location != block {
            warnings.push(warning(
                STRUCT_VDS,
                loc,
                format!(
                    "{which} sequence: {}",
                    TagProblem::Location(tag.tag_location).describe(0)
                ),
            ));
        }
        let d = Desc {
            bytes,
            block,
            crc_ok,
        };
        match tag.tag_identifier {
            tag_id::TD => break,
            tag_id::VDP if pointers < 8 => {
                pointers += 1;
                // Volume Descriptor Pointer: Next Volume Descriptor
                // Sequence Extent at byte 20.
                if let Some(next) = ExtentAd::parse(&d.bytes, 20) {
                    start = next.extent_location;
                    blocks = u32::try_from(u64::from(next.extent_length) / bs).unwrap_or(0);
                    i = 0;
                }
            }
            tag_id::PVD => keep_newest(&mut seq.pvd, d),
            tag_id::LVD => keep_newest(&mut seq.lvd, d),
            tag_id::IUVD => keep_newest(&mut seq.iuvd, d),
            tag_id::PD => {
                let num = |x: &Desc| crate::bytes::le_u16(&x.bytes, 22);
                match seq.pds.iter().position(|p| num(p) == num(&d)) {
                    Some(i) => {
                        let mut slot = seq.pds.get(i).cloned();
                        keep_newest(&mut slot, d);
                        if let (Some(n), Some(p)) = (slot, seq.pds.get_mut(i)) {
                            *p = n;
                        }
                    }
                    None if seq.pds.len() < 64 => seq.pds.push(d),
                    None => {}
                }
            }
            _ => {}
        }
    }
    seq
}

/// Keeps the descriptor with the higher Volume Descriptor Sequence Number
/// (byte 16), preferring one whose CRC matches.
fn keep_newest(slot: &mut Option<Desc>, d: Desc) {
    let vdsn = |x: &Desc| crate::bytes::le_u32(&x.bytes, 16).unwrap_or(0);
    let better = match slot {
        None => true,
        Some(old) => (d.crc_ok && !old.crc_ok) || (d.crc_ok == old.crc_ok && vdsn(&d) >= vdsn(old)),
    };
    if better {
        *slot = Some(d);
    }
}

/// Picks the main copy of a descriptor unless it is missing or damaged
/// and the reserve one is sound.
pub(crate) fn pick(
    main: Option<Desc>,
    reserve: Option<Desc>,
    name: &'static str,
    from_reserve: &mut Vec<&'static str>,
    warnings: &mut Vec<Warning>,
    bs: u64,
) -> Option<Desc> {
    match (main, reserve) {
        (Some(m), _) if m.crc_ok => Some(m),
        (m, Some(r)) if r.crc_ok => {
            if let Some(m) = &m {
                warnings.push(warning(
                    STRUCT_VDS,
                    Loc::Block {
                        block: u64::from(m.block),
                        block_len: bs,
                    },
                    format!("{name}: descriptor CRC does not match; used the reserve copy"),
                ));
            } else {
                warnings.push(Warning::new(
                    STRUCT_VDS,
                    None,
                    format!("{name} missing from the main sequence; used the reserve copy"),
                ));
            }
            from_reserve.push(name);
            Some(r)
        }
        (Some(m), _) => {
            warnings.push(warning(
                STRUCT_VDS,
                Loc::Block { block: u64::from(m.block), block_len: bs },
                format!("{name}: descriptor CRC does not match and no sound reserve copy; used it anyway"),
            ));
            Some(m)
        }
        (None, r) => r,
    }
}

/// Parses a partition descriptor (ECMA-167 3/10.5).
pub(crate) fn physical(pd: &Desc) -> Option<(Physical, u32)> {
    let b = &pd.bytes;
    Some((
        Physical {
            partition_number: crate::bytes::le_u16(b, 22)?,
            partition_starting_location: crate::bytes::le_u32(b, 188)?,
            partition_length: crate::bytes::le_u32(b, 192)?,
        },
        crate::bytes::le_u32(b, 184)?,
    ))
}

/// The type-2 map identifiers (UDF 2.60 §2.2.8–2.2.10).
pub(crate) fn map_kind(map: &[u8]) -> (u8, String) {
    let ty = crate::bytes::u8_at(map, 0).unwrap_or(0);
    let ident = RegId::parse(map, 4)
        .map(|r| r.identifier)
        .unwrap_or_default();
    (ty, ident)
}

/// The placeholder for a map being resolved.
pub(crate) fn unusable(why: impl Into<String>) -> Map {
    Map::Unusable(why.into())
}
