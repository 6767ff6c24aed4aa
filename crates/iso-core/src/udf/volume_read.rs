//! From an anchor to a usable volume: the descriptor sequences, the
//! partition maps with their sparing tables, VAT and metadata file, the
//! integrity descriptor and the file set descriptor.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::icb;
use super::partition::{Layout, Map, MetaExtent, Physical};
use super::raw::{self, dstring, file_type, tag_id, ExtentAd, LbAddr, RegId, UdfTimestamp};
use super::volume::{
    map_kind, physical, pick, read_sequence, unusable, Desc, IntegrityInfo, MapInfo, VolumeInfo,
    MAX_PARTITION_MAPS,
};
use super::{warning, Loc};
use crate::bytes::{le_u16, le_u32, slice, u8_at};
use crate::error::{Result, Warning};
use crate::source::{read_vec, ImageSource};

const STRUCT_LVD: &str = "UDF logical volume descriptor";
const STRUCT_MAP: &str = "UDF partition map";
const STRUCT_VAT: &str = "UDF virtual allocation table";
const STRUCT_SPARING: &str = "UDF sparing table";
const STRUCT_META: &str = "UDF metadata file";
const STRUCT_LVID: &str = "UDF logical volume integrity descriptor";
const STRUCT_FSD: &str = "UDF file set descriptor";

/// Most blocks searched backwards from the end of the image for the VAT.
const VAT_SEARCH_BLOCKS: u64 = 256;
/// Largest VAT read (16 million entries).
const MAX_VAT_LEN: u64 = 64 << 20;

/// Reads the volume the anchor `avdp` (main, reserve) points at.
pub(crate) fn read(
    source: &dyn ImageSource,
    bs: u64,
    nsr: String,
    anchors: Vec<u64>,
    avdp: (ExtentAd, ExtentAd),
    warnings: &mut Vec<Warning>,
) -> Option<VolumeInfo> {
    let main = read_sequence(source, bs, avdp.0, "main", warnings);
    let reserve = read_sequence(source, bs, avdp.1, "reserve", warnings);
    let mut from_reserve = Vec::new();
    let mut pk = |m, r, name| pick(m, r, name, &mut from_reserve, warnings, bs);
    let pvd = pk(main.pvd, reserve.pvd, "primary volume descriptor");
    let lvd = pk(main.lvd, reserve.lvd, "logical volume descriptor");
    let mut pds = Vec::new();
    let mut numbers: Vec<u16> = main
        .pds
        .iter()
        .chain(&reserve.pds)
        .filter_map(|d| le_u16(&d.bytes, 22))
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    for n in numbers {
        let find = |v: &[Desc]| v.iter().find(|d| le_u16(&d.bytes, 22) == Some(n)).cloned();
        if let Some(d) = pk(find(&main.pds), find(&reserve.pds), "partition descriptor") {
            pds.push(d);
        }
    }
    let Some(lvd) = lvd else {
        warnings.push(Warning::new(
            STRUCT_LVD,
            None,
            "no logical volume descriptor in the main or reserve sequence",
        ));
        return None;
    };
    let lvd_loc = Loc::Block {
        block: u64::from(lvd.block),
        block_len: bs,
    };
    let b = &lvd.bytes;
    let logical_block_size = le_u32(b, 212).unwrap_or(0);
    if u64::from(logical_block_size) != bs {
        warnings.push(warning(
            STRUCT_LVD,
            lvd_loc,
            format!("logical block size {logical_block_size} but the anchors are {bs}-byte blocks; used {bs}"),
        ));
    }
    let mut revision = RegId::parse(b, 216).map_or(0, |r| r.udf_revision());
    let fsd_addr = raw::long_ad(b, 248).map(|(_, a)| a).unwrap_or_default();
    let mut layout = Layout {
        block_len: bs,
        image_len: source.len(),
        maps: Vec::new(),
    };
    let mut infos = Vec::new();
    let mut metadata = Vec::new();
    read_maps(
        source,
        &lvd,
        &pds,
        &mut layout,
        &mut infos,
        &mut metadata,
        warnings,
    );
    let vat_integrity = resolve_virtual(source, &mut layout, &mut infos, warnings);
    let mut mirror_used = std::collections::HashSet::new();
    for (i, (idx, map)) in metadata.iter().enumerate() {
        let got = load_metadata(source, &layout, map, MetaFile::Main, warnings);
        let got = match got {
            Ok(m) => Ok(m),
            Err(e) => {
                warnings.push(warning(
                    STRUCT_META,
                    Loc::Part(map.main),
                    format!("{e}; trying the mirror"),
                ));
                mirror_used.insert(i);
                load_metadata(source, &layout, map, MetaFile::Mirror, warnings)
            }
        };
        set_map(
            &mut layout,
            *idx,
            got.unwrap_or_else(|e| unusable(e.to_string())),
        );
    }
    // A main metadata file that reads but leads to no file set: retry
    // with the mirror.
    let mut fsd = read_fsd(source, &layout, fsd_addr, &mut Vec::new());
    for (i, (idx, map)) in metadata.iter().enumerate() {
        if fsd.is_ok() || mirror_used.contains(&i) {
            break;
        }
        if let Ok(m) = load_metadata(source, &layout, map, MetaFile::Mirror, warnings) {
            let old = layout.maps.get(*idx).cloned();
            set_map(&mut layout, *idx, m);
            let again = read_fsd(source, &layout, fsd_addr, &mut Vec::new());
            if again.is_ok() {
                warnings.push(warning(
                    STRUCT_META,
                    Loc::Part(map.main),
                    "the file set is unreadable through the metadata file; used the mirror",
                ));
                mirror_used.insert(i);
                fsd = again;
            } else if let Some(old) = old {
                set_map(&mut layout, *idx, old);
            }
        }
    }
    for (i, (idx, _)) in metadata.iter().enumerate() {
        if let Some(info) = infos.get_mut(*idx) {
            info.detail = if mirror_used.contains(&i) {
                "mirror metadata file".into()
            } else {
                "main metadata file".into()
            };
        }
    }
    let fsd = match read_fsd(source, &layout, fsd_addr, warnings) {
        Ok(f) => f,
        Err(e) => {
            drop(fsd);
            warnings.push(e.into());
            return None;
        }
    };
    if revision == 0 {
        revision = RegId::parse(&fsd, 416).map_or(0, |r| r.udf_revision());
    }
    let integrity = le_u32(b, 432).zip(le_u32(b, 436)).and_then(|(len, loc)| {
        read_integrity(
            source,
            bs,
            ExtentAd {
                extent_length: len,
                extent_location: loc,
            },
            warnings,
        )
    });
    // On write-once media the VAT takes the integrity descriptor's place
    // (UDF 2.60 §2.2.11): its numbers are the current ones, and a volume
    // whose VAT was found is consistent (closed) whatever its integrity
    // descriptor, left open while the disc is appendable, says. A UDF 1.50
    // VAT has no numbers: the descriptor's stay.
    let vat_found = layout.maps.iter().any(|m| matches!(m, Map::Virtual { .. }));
    let integrity = vat_integrity.or(integrity).map(|mut i| {
        i.closed |= vat_found;
        i
    });
    let pvd_b = pvd.as_ref().map(|d| d.bytes.as_slice()).unwrap_or_default();
    Some(VolumeInfo {
        nsr,
        block_len: u32::try_from(bs).unwrap_or(2048),
        revision,
        anchors,
        volume_identifier: slice(pvd_b, 24, 32).map(dstring).unwrap_or_default(),
        volume_set_identifier: slice(pvd_b, 72, 128).map(dstring).unwrap_or_default(),
        logical_volume_identifier: slice(b, 84, 128).map(dstring).unwrap_or_default(),
        file_set_identifier: slice(&fsd, 304, 32).map(dstring).unwrap_or_default(),
        recorded: UdfTimestamp::parse(pvd_b, 376).and_then(|t| t.to_unix()),
        maps: infos,
        integrity,
        from_reserve,
        root_icb: raw::long_ad(&fsd, 400).map(|a| a.1).unwrap_or_default(),
        system_stream_icb: raw::long_ad(&fsd, 464).filter(|a| a.0 > 0).map(|a| a.1),
        layout: Arc::new(layout),
    })
}

fn set_map(layout: &mut Layout, idx: usize, m: Map) {
    if let Some(slot) = layout.maps.get_mut(idx) {
        *slot = m;
    }
}

/// A metadata partition map's fields (UDF 2.60 §2.2.10).
#[derive(Debug, Clone, Copy)]
struct MetadataMap {
    /// Index of the physical map the files are on.
    on: u16,
    main: LbAddr,
    mirror: LbAddr,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MetaFile {
    Main,
    Mirror,
}

/// Reads the partition maps of the logical volume descriptor (3/10.6).
fn read_maps(
    source: &dyn ImageSource,
    lvd: &Desc,
    pds: &[Desc],
    layout: &mut Layout,
    infos: &mut Vec<MapInfo>,
    metadata: &mut Vec<(usize, MetadataMap)>,
    warnings: &mut Vec<Warning>,
) {
    let b = &lvd.bytes;
    let loc = Loc::Block {
        block: u64::from(lvd.block),
        block_len: layout.block_len,
    };
    let table_len = le_u32(b, 264).unwrap_or(0);
    let mut count = le_u32(b, 268).unwrap_or(0);
    if count > MAX_PARTITION_MAPS {
        warnings.push(warning(
            STRUCT_LVD,
            loc,
            format!("{count} partition maps claimed; only the first {MAX_PARTITION_MAPS} are read"),
        ));
        count = MAX_PARTITION_MAPS;
    }
    let table = slice(b, 440, usize::try_from(table_len).unwrap_or(usize::MAX))
        .or_else(|| b.get(440..))
        .unwrap_or_default();
    let phys_of = |n: u16| -> Option<Physical> {
        pds.iter()
            .filter_map(physical)
            .map(|p| p.0)
            .find(|p| p.partition_number == n)
    };
    let mut off = 0usize;
    for i in 0..count {
        let ty = u8_at(table, off);
        let len = usize::from(u8_at(table, off + 1).unwrap_or(0));
        let Some(m) = (len >= 6).then(|| slice(table, off, len)).flatten() else {
            warnings.push(warning(
                STRUCT_MAP,
                loc,
                format!("partition map {i} runs past the map table; the rest are not read"),
            ));
            break;
        };
        off += len;
        let (kind, ident) = map_kind(m);
        let number = if ty == Some(1) {
            le_u16(m, 4)
        } else {
            le_u16(m, 38)
        }
        .unwrap_or(0);
        let phys = phys_of(number);
        let mut info = MapInfo {
            kind: String::new(),
            partition_number: number,
            detail: String::new(),
        };
        let map = match (kind, ident.as_str(), phys) {
            (_, _, None) => {
                info.kind = if kind == 1 {
                    "type 1".into()
                } else {
                    ident.clone()
                };
                unusable(format!("no partition descriptor for partition {number}"))
            }
            (1, _, Some(p)) => {
                info.kind = "type 1".into();
                Map::Physical(p)
            }
            (2, "*UDF Virtual Partition", Some(p)) => {
                info.kind = "virtual".into();
                Map::Virtual {
                    physical: p,
                    vat: Vec::new(),
                }
            }
            (2, "*UDF Sparable Partition", Some(p)) => {
                info.kind = "sparable".into();
                sparable(source, layout.block_len, m, p, &mut info, warnings)
            }
            (2, "*UDF Metadata Partition", Some(p)) => {
                info.kind = "metadata".into();
                let on = layout
                    .maps
                    .iter()
                    .position(|x| matches!(x, Map::Physical(q) | Map::Sparable { physical: q, .. } if q.partition_number == p.partition_number))
                    .and_then(|x| u16::try_from(x).ok())
                    .unwrap_or(0);
                let at = |o| LbAddr {
                    logical_block_number: le_u32(m, o).unwrap_or(u32::MAX),
                    partition_reference_number: on,
                };
                metadata.push((
                    infos.len(),
                    MetadataMap {
                        on,
                        main: at(40),
                        mirror: at(44),
                    },
                ));
                unusable("metadata file not read yet")
            }
            (_, other, Some(_)) => {
                info.kind = format!("unknown ({other})");
                unusable(format!("partition map type {kind} {other:?} is not known"))
            }
        };
        if let Map::Unusable(why) = &map {
            if !matches!(info.kind.as_str(), "metadata") {
                warnings.push(warning(
                    STRUCT_MAP,
                    loc,
                    format!("partition map {i}: {why}"),
                ));
            }
        }
        layout.maps.push(map);
        infos.push(info);
    }
}

/// A sparable map (UDF 2.60 §2.2.9) and its sparing tables (§2.2.12):
/// every copy is read; the sound one with the highest sequence number is
/// used.
fn sparable(
    source: &dyn ImageSource,
    bs: u64,
    m: &[u8],
    p: Physical,
    info: &mut MapInfo,
    warnings: &mut Vec<Warning>,
) -> Map {
    let packet_length = u32::from(le_u16(m, 40).unwrap_or(32));
    let tables = u8_at(m, 42).unwrap_or(0).min(4);
    let size = le_u32(m, 44).unwrap_or(0).min(1 << 20);
    let mut best: Option<(u32, BTreeMap<u32, u32>)> = None;
    for t in 0..usize::from(tables) {
        let Some(at) = le_u32(m, 48 + 4 * t) else {
            break;
        };
        let loc = Loc::Block {
            block: u64::from(at),
            block_len: bs,
        };
        let len = usize::try_from(size).unwrap_or(0).max(64);
        let Ok(buf) = read_vec(source, u64::from(at) * bs, len) else {
            warnings.push(warning(STRUCT_SPARING, loc, "copy cannot be read"));
            continue;
        };
        match raw::check_tag(&buf, 0, at) {
            Ok(soft) if soft.is_empty() => {}
            Ok(soft) => {
                warnings.push(warning(
                    STRUCT_SPARING,
                    loc,
                    format!(
                        "{}; copy not used",
                        soft.iter()
                            .map(|s| s.describe(0))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
                continue;
            }
            Err(e) => {
                warnings.push(warning(
                    STRUCT_SPARING,
                    loc,
                    format!("{}; copy not used", e.describe(0)),
                ));
                continue;
            }
        }
        let entries = usize::from(le_u16(&buf, 48).unwrap_or(0));
        let seq = le_u32(&buf, 52).unwrap_or(0);
        let mut remap = BTreeMap::new();
        for e in 0..entries {
            let (Some(orig), Some(mapped)) = (le_u32(&buf, 56 + 8 * e), le_u32(&buf, 60 + 8 * e))
            else {
                break;
            };
            if orig < 0xFFFF_FFF0 && packet_length > 0 && orig % packet_length == 0 {
                remap.insert(orig, mapped);
            }
        }
        if best.as_ref().is_none_or(|b| seq >= b.0) {
            best = Some((seq, remap));
        }
    }
    let remap = match best {
        Some((_, r)) => r,
        None => {
            warnings.push(Warning::new(
                STRUCT_SPARING,
                None,
                format!(
                    "no readable sparing table for partition {}; read without remapping",
                    p.partition_number
                ),
            ));
            BTreeMap::new()
        }
    };
    info.detail = format!(
        "packet length {packet_length}, {} packets remapped",
        remap.len()
    );
    Map::Sparable {
        physical: p,
        packet_length,
        remap,
    }
}

/// Finds and reads the VAT of every virtual map (UDF 2.60 §2.2.11): the
/// file entry in the last recorded block, searched backwards at most
/// [`VAT_SEARCH_BLOCKS`].
fn resolve_virtual(
    source: &dyn ImageSource,
    layout: &mut Layout,
    infos: &mut [MapInfo],
    warnings: &mut Vec<Warning>,
) -> Option<IntegrityInfo> {
    let mut integrity = None;
    for idx in 0..layout.maps.len() {
        let Some(Map::Virtual { physical, .. }) = layout.maps.get(idx).cloned() else {
            continue;
        };
        let mut tmp = layout.clone();
        set_map(&mut tmp, idx, Map::Physical(physical));
        let got = find_vat(source, &tmp, idx, physical, warnings);
        let m = match got {
            Ok((vat, header)) => {
                integrity = integrity.or(header);
                if let Some(info) = infos.get_mut(idx) {
                    info.detail = format!("VAT of {} entries", vat.len());
                }
                Map::Virtual { physical, vat }
            }
            Err(why) => {
                warnings.push(Warning::new(STRUCT_VAT, None, why.clone()));
                Map::Unusable(why)
            }
        };
        set_map(layout, idx, m);
    }
    integrity
}

/// The VAT's entries, and for a UDF 2.00+ VAT the numbers of its header.
type Vat = (Vec<u32>, Option<IntegrityInfo>);

fn find_vat(
    source: &dyn ImageSource,
    tmp: &Layout,
    idx: usize,
    p: Physical,
    warnings: &mut Vec<Warning>,
) -> Result<Vat, String> {
    let bs = tmp.block_len;
    let last = (source.len() / bs).saturating_sub(1);
    let start = u64::from(p.partition_starting_location);
    let end = start.saturating_add(u64::from(p.partition_length));
    let top = last.min(end.saturating_sub(1));
    let low = top.saturating_sub(VAT_SEARCH_BLOCKS).max(start);
    // Read the searched range in one go (at most 1 MiB).
    let count = top.saturating_sub(low).saturating_add(1);
    let buf = read_vec(source, low * bs, usize::try_from(count * bs).unwrap_or(0))
        .map_err(|e| e.to_string())?;
    let part = u16::try_from(idx).unwrap_or(0);
    for block in (low..=top).rev() {
        let rel = block - start;
        let b = slice(
            &buf,
            usize::try_from((block - low) * bs).unwrap_or(usize::MAX),
            usize::try_from(bs).unwrap_or(0),
        )
        .unwrap_or_default();
        let Ok(tag) = raw::DescriptorTag::parse(b) else {
            continue;
        };
        if !matches!(tag.tag_identifier, tag_id::FE | tag_id::EFE)
            || u64::from(tag.tag_location) != rel
        {
            continue;
        }
        let addr = LbAddr {
            logical_block_number: u32::try_from(rel).unwrap_or(u32::MAX),
            partition_reference_number: part,
        };
        let Ok(entry) = icb::read_entry(source, tmp, addr, &mut Vec::new()) else {
            continue;
        };
        let ft = entry.fe.icb_tag.file_type;
        if ft != file_type::VAT && ft != file_type::UNSPECIFIED {
            continue;
        }
        let data = icb::data(source, tmp, &entry, warnings).map_err(|e| e.to_string())?;
        if data.len > MAX_VAT_LEN {
            return Err(format!(
                "the VAT at partition {} block {rel} is {} bytes, more than the {MAX_VAT_LEN}-byte limit",
                p.partition_number, data.len
            ));
        }
        let bytes = icb::read_all(source, &data, MAX_VAT_LEN, "VAT").map_err(|e| e.to_string())?;
        let (from, to) = if ft == file_type::VAT {
            (usize::from(le_u16(&bytes, 0).unwrap_or(152)), bytes.len())
        } else {
            // UDF 1.50: entries, then the "*UDF Virtual Alloc Tbl" regid
            // and the previous VAT's location.
            let tail = bytes.len().saturating_sub(36);
            if RegId::parse(&bytes, tail).is_none_or(|r| r.identifier != "*UDF Virtual Alloc Tbl") {
                continue;
            }
            (0, tail)
        };
        let body = bytes.get(from..to).unwrap_or_default();
        let max = usize::try_from(p.partition_length).unwrap_or(usize::MAX);
        let entries = body
            .chunks_exact(4)
            .take(max)
            .filter_map(|c| le_u32(c, 0))
            .collect();
        // UDF 2.00+ VAT header: Number of Files at 136, Number of
        // Directories at 140, the three revisions at 144.
        let header = (ft == file_type::VAT).then(|| IntegrityInfo {
            closed: true,
            number_of_files: le_u32(&bytes, 136),
            number_of_directories: le_u32(&bytes, 140),
            minimum_udf_read_revision: le_u16(&bytes, 144),
            minimum_udf_write_revision: le_u16(&bytes, 146),
            maximum_udf_write_revision: le_u16(&bytes, 148),
            recorded: entry.fe.modification_time.and_then(|t| t.to_unix()),
        });
        return Ok((entries, header));
    }
    Err(format!(
        "no VAT file entry in the last {VAT_SEARCH_BLOCKS} blocks of partition {}; the virtual partition is unreadable",
        p.partition_number
    ))
}

/// Reads the metadata (or mirror) file's extents (UDF 2.60 §2.2.13).
fn load_metadata(
    source: &dyn ImageSource,
    layout: &Layout,
    map: &MetadataMap,
    which: MetaFile,
    warnings: &mut Vec<Warning>,
) -> Result<Map> {
    let (addr, want) = match which {
        MetaFile::Main => (map.main, file_type::METADATA),
        MetaFile::Mirror => (map.mirror, file_type::METADATA_MIRROR),
    };
    let _ = map.on;
    let entry = icb::read_entry(source, layout, addr, warnings)?;
    if entry.fe.icb_tag.file_type != want {
        return Err(super::corrupt(
            STRUCT_META,
            Loc::Part(addr),
            format!(
                "file type is {}, expected {want}",
                entry.fe.icb_tag.file_type
            ),
        ));
    }
    let data = icb::data(source, layout, &entry, warnings)?;
    let bs = layout.block_len;
    let mut extents = Vec::new();
    let mut start = 0u64;
    for e in &data.extents {
        let len = e.len.div_ceil(bs);
        extents.push(MetaExtent {
            start,
            len,
            offset: (e.kind == crate::tree::ExtentKind::Recorded).then_some(e.offset),
        });
        start += len;
    }
    Ok(Map::Metadata { extents })
}

/// Reads the file set descriptor (ECMA-167 4/14.1).
fn read_fsd(
    source: &dyn ImageSource,
    layout: &Layout,
    addr: LbAddr,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<u8>> {
    icb::read_tagged(source, layout, addr, &[tag_id::FSD], STRUCT_FSD, warnings).map(|r| r.0)
}

/// Reads the integrity sequence, following Next Integrity Extent, and
/// returns the last descriptor's numbers.
fn read_integrity(
    source: &dyn ImageSource,
    bs: u64,
    mut extent: ExtentAd,
    warnings: &mut Vec<Warning>,
) -> Option<IntegrityInfo> {
    let mut last = None;
    let mut hops = 0;
    let mut i = 0u32;
    let mut reads = 0;
    while reads < 64 && u64::from(i) * bs < u64::from(extent.extent_length) {
        reads += 1;
        let block = extent.extent_location.saturating_add(i);
        i += 1;
        let Ok(b) = read_vec(source, u64::from(block) * bs, usize::try_from(bs).ok()?) else {
            break;
        };
        let loc = Loc::Block {
            block: u64::from(block),
            block_len: bs,
        };
        match raw::check_tag(&b, tag_id::LVID, block) {
            Ok(soft) => {
                for s in soft {
                    warnings.push(warning(STRUCT_LVID, loc, s.describe(tag_id::LVID)));
                }
            }
            Err(raw::TagProblem::WrongId(tag_id::TD)) => break,
            Err(_) => break,
        }
        let n = usize::try_from(le_u32(&b, 72)?).ok()?.min(1024);
        let iu = 80 + 8 * n;
        let rev = |o: usize| le_u16(&b, iu + o);
        last = Some(IntegrityInfo {
            closed: le_u32(&b, 28) == Some(1),
            number_of_files: le_u32(&b, iu + 32),
            number_of_directories: le_u32(&b, iu + 36),
            minimum_udf_read_revision: rev(40),
            minimum_udf_write_revision: rev(42),
            maximum_udf_write_revision: rev(44),
            recorded: UdfTimestamp::parse(&b, 16).and_then(|t| t.to_unix()),
        });
        if let Some(next) = ExtentAd::parse(&b, 32).filter(|e| e.extent_length > 0) {
            hops += 1;
            if hops > 16 {
                break;
            }
            extent = next;
            i = 0;
        }
    }
    last
}
