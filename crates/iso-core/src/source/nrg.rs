//! Nero images (.nrg): the sectors first, then a chain of IFF-style chunks
//! (four-character id, 32-bit big-endian size, body), found through a
//! footer at the very end: `NERO` + 32-bit offset (version 1) or `NER5` +
//! 64-bit offset (version 2, Nero 5.5 on). All numbers are big-endian.
//! The layout followed is the one documented publicly from Nero's files
//! (there is no official specification):
//!
//! - `DAOI` / `DAOX` (disc-at-once): size again, 13-byte UPC, a pad byte,
//!   a 16-bit TOC type, first and last track; then per track 12 bytes of
//!   ISRC, 16-bit sector size, 8-bit mode, 3 bytes, and the file offsets
//!   of INDEX 00, INDEX 01 and the track's end (32-bit in DAOI, 64-bit in
//!   DAOX).
//! - `CUES` / `CUEX`: 8-byte cue points (control/ADR, BCD track, BCD index,
//!   0, then the address: BCD MSF in CUES, a signed 32-bit LBA in CUEX).
//! - `ETNF` / `ETN2` (track-at-once): per track the file offset, the
//!   length in bytes (32-bit each in ETNF, 64-bit in ETN2), 32-bit mode,
//!   32-bit start LBA, and 4 (ETNF) or 8 (ETN2) unused bytes. Each track
//!   after the first is preceded by the 150-sector pregap a TAO recorder
//!   writes itself, which is not stored (libcdio's cd-info reads it so).
//! - `SINF`: one per session, the 32-bit count of its tracks.
//! - `MTYP`: media type; `END!` ends the chain.

use std::path::Path;
use std::sync::Arc;

use super::disc::{ContainerKind, Disc, Storage, Track, TrackMode};
use super::raw::{Msf, SectorLayout};
use super::{FileSource, ImageSource};
use crate::bytes::{be_u16, be_u32, be_u64, u8_at};
use crate::error::{Error, Result, Warning};

/// Most chunks read.
const MAX_CHUNKS: usize = 4096;
/// Largest chunk body read into memory.
const MAX_CHUNK_LEN: u64 = 1 << 20;
/// The pregap of a track-at-once track.
const TAO_PREGAP: u32 = 150;

/// One chunk of the chain.
struct Chunk {
    id: [u8; 4],
    body: Vec<u8>,
}

/// Opens `path` as an NRG when its last bytes are a Nero footer;
/// `Ok(None)` otherwise.
///
/// # Errors
/// A damaged chunk chain (offsets past the file, no track table).
pub fn open_if_nrg(path: &Path, len: u64) -> Result<Option<Disc>> {
    if len < 12 {
        return Ok(None);
    }
    let file: Arc<dyn ImageSource> = Arc::new(FileSource::open(path)?);
    let mut tail = [0u8; 12];
    file.read_exact_at(len - 12, &mut tail)
        .map_err(|e| Error::io(len - 12, e))?;
    let (v2, first, footer) = if tail.get(..4) == Some(b"NER5") {
        (true, be_u64(&tail, 4).unwrap_or(0), 12)
    } else if tail.get(4..8) == Some(b"NERO") {
        (false, u64::from(be_u32(&tail, 8).unwrap_or(0)), 8)
    } else {
        return Ok(None);
    };
    let chain_end = len - footer;
    let chunks = read_chain(file.as_ref(), first, chain_end)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut warnings = Vec::new();
    let tracks = tracks_from(&chunks, v2, file.as_ref(), &mut warnings)?;
    Ok(Some(Disc::new(
        ContainerKind::Nrg,
        tracks,
        vec![file],
        vec![name],
        warnings,
    )))
}

fn read_chain(file: &dyn ImageSource, first: u64, end: u64) -> Result<Vec<Chunk>> {
    let bad = |what: String| Error::corrupt("NRG chunk chain", first / 2048, what);
    if first >= end {
        return Err(bad(format!(
            "the footer points at byte {first}, past the chunks' end ({end})"
        )));
    }
    let mut out = Vec::new();
    let mut pos = first;
    while pos < end {
        if out.len() >= MAX_CHUNKS {
            return Err(bad(format!("more than {MAX_CHUNKS} chunks")));
        }
        let mut head = [0u8; 8];
        file.read_exact_at(pos, &mut head)
            .map_err(|_| bad(format!("chunk header at byte {pos} cannot be read")))?;
        let id: [u8; 4] = crate::bytes::array(&head, 0).unwrap_or_default();
        let size = u64::from(be_u32(&head, 4).unwrap_or(0));
        let body_at = pos + 8;
        let next = body_at
            .checked_add(size)
            .filter(|&n| n <= end)
            .ok_or_else(|| {
                bad(format!(
                    "chunk {:?} at byte {pos} claims {size} bytes, past the end of the chain ({end})",
                    String::from_utf8_lossy(&id)
                ))
            })?;
        if &id == b"END!" {
            break;
        }
        if size > MAX_CHUNK_LEN {
            return Err(bad(format!("chunk at byte {pos} is {size} bytes long")));
        }
        let mut body = vec![0u8; usize::try_from(size).unwrap_or(0)];
        file.read_exact_at(body_at, &mut body)
            .map_err(|e| Error::io(body_at, e))?;
        out.push(Chunk { id, body });
        pos = next;
    }
    Ok(out)
}

/// A track as the DAO or TAO table gives it, before sessions.
struct Raw {
    sector_len: u32,
    mode: u32,
    index0: u64,
    index1: u64,
    end: u64,
    /// Start LBA, when the table gives one (TAO, or the cue points).
    lba: Option<u32>,
    /// Unstored pregap sectors (track-at-once).
    tao_pregap: u32,
}

fn tracks_from(
    chunks: &[Chunk],
    v2: bool,
    file: &dyn ImageSource,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Track>> {
    let find = |a: &[u8; 4], b: &[u8; 4]| chunks.iter().find(|c| &c.id == a || &c.id == b);
    let mut raws = if let Some(dao) = find(b"DAOI", b"DAOX") {
        let mut r = dao_tracks(&dao.body, &dao.id == b"DAOX");
        apply_cues(&mut r, find(b"CUES", b"CUEX"));
        r
    } else if let Some(tao) = find(b"ETNF", b"ETN2") {
        tao_tracks(&tao.body, &tao.id == b"ETN2")
    } else {
        return Err(Error::corrupt(
            "NRG chunk chain",
            0,
            format!(
                "no track table (DAOI/DAOX/ETNF/ETN2 chunk); version {}",
                if v2 { 2 } else { 1 }
            ),
        ));
    };
    raws.truncate(super::cue::MAX_TRACKS);
    let session_sizes: Vec<u32> = chunks
        .iter()
        .filter(|c| &c.id == b"SINF")
        .map(|c| be_u32(&c.body, 0).unwrap_or(0))
        .collect();
    let mut out = Vec::new();
    let mut lba: u32 = 0;
    for (i, r) in raws.iter().enumerate() {
        let Some(layout) = SectorLayout::from_len(r.sector_len) else {
            warnings.push(Warning::new(
                "NRG track table",
                None,
                format!(
                    "track {}: sector size {} not understood; skipped",
                    i + 1,
                    r.sector_len
                ),
            ));
            continue;
        };
        let stride = u64::from(r.sector_len);
        let pregap = u32::try_from(r.index1.saturating_sub(r.index0) / stride)
            .unwrap_or(0)
            .saturating_add(r.tao_pregap);
        let start = r
            .lba
            .unwrap_or(lba.saturating_add(if i == 0 { 0 } else { pregap }));
        let length = u32::try_from(r.end.saturating_sub(r.index1) / stride).unwrap_or(0);
        let mode = track_mode(r.mode, layout, file, r.index1);
        out.push(Track {
            number: u8::try_from(i + 1).unwrap_or(u8::MAX),
            session: session_of(&session_sizes, i),
            mode,
            sector_len: r.sector_len,
            start,
            length,
            pregap,
            storage: Storage {
                file: 0,
                offset: r.index1,
                layout,
                byte_order: super::disc::ByteOrder::Little,
            },
        });
        lba = start.saturating_add(length);
    }
    Ok(out)
}

fn session_of(sizes: &[u32], track_index: usize) -> u8 {
    let mut seen = 0usize;
    for (s, &n) in sizes.iter().enumerate() {
        seen = seen.saturating_add(usize::try_from(n).unwrap_or(0));
        if track_index < seen {
            return u8::try_from(s + 1).unwrap_or(u8::MAX);
        }
    }
    1
}

/// Audio for Nero's audio modes (7, and 16 with subchannel); data
/// otherwise, Mode 1 or 2 as the first sector's header says.
fn track_mode(mode: u32, layout: SectorLayout, file: &dyn ImageSource, at: u64) -> TrackMode {
    if mode == 7 || mode == 16 {
        return TrackMode::Audio;
    }
    match layout {
        SectorLayout::Mode2Raw => TrackMode::Mode2,
        SectorLayout::Cooked => {
            if mode == 2 || mode == 3 {
                TrackMode::Mode2
            } else {
                TrackMode::Mode1
            }
        }
        _ => {
            let mut h = [0u8; 16];
            match file.read_exact_at(at, &mut h) {
                Ok(()) if u8_at(&h, 15) == Some(2) => TrackMode::Mode2,
                _ => TrackMode::Mode1,
            }
        }
    }
}

fn dao_tracks(body: &[u8], v2: bool) -> Vec<Raw> {
    let entry = if v2 { 42 } else { 30 };
    let first = u8_at(body, 20).unwrap_or(1);
    let last = u8_at(body, 21).unwrap_or(0);
    let count = usize::from(last.saturating_sub(first)) + 1;
    let mut out = Vec::new();
    for i in 0..count.min(99) {
        let at = 22 + i * entry;
        let off = |k: usize| {
            if v2 {
                be_u64(body, at + 18 + 8 * k)
            } else {
                be_u32(body, at + 18 + 4 * k).map(u64::from)
            }
        };
        let (Some(len), Some(mode), Some(i0), Some(i1), Some(end)) = (
            be_u16(body, at + 12),
            u8_at(body, at + 14),
            off(0),
            off(1),
            off(2),
        ) else {
            break;
        };
        out.push(Raw {
            sector_len: u32::from(len),
            mode: u32::from(mode),
            index0: i0,
            index1: i1,
            end,
            lba: None,
            tao_pregap: 0,
        });
    }
    out
}

fn tao_tracks(body: &[u8], v2: bool) -> Vec<Raw> {
    let entry = if v2 { 32 } else { 20 };
    let mut out = Vec::new();
    for (i, e) in body.chunks_exact(entry).take(99).enumerate() {
        let (offset, length, rest) = if v2 {
            (be_u64(e, 0), be_u64(e, 8), 16)
        } else {
            (be_u32(e, 0).map(u64::from), be_u32(e, 4).map(u64::from), 8)
        };
        let (Some(offset), Some(length), Some(mode), Some(lba)) =
            (offset, length, be_u32(e, rest), be_u32(e, rest + 4))
        else {
            break;
        };
        let sector_len = match mode {
            0 | 2 => 2048,
            3 => 2336,
            0x0F..=0x11 => 2448,
            _ => 2352,
        };
        let start = if i == 0 {
            lba
        } else {
            lba.saturating_add(TAO_PREGAP)
        };
        out.push(Raw {
            sector_len,
            mode,
            index0: offset,
            index1: offset,
            end: offset.saturating_add(length),
            lba: Some(start),
            tao_pregap: if i == 0 { 0 } else { TAO_PREGAP },
        });
    }
    out
}

/// Takes each track's INDEX 01 address from the cue points.
fn apply_cues(raws: &mut [Raw], cues: Option<&Chunk>) {
    let Some(c) = cues else { return };
    let v2 = &c.id == b"CUEX";
    for p in c.body.chunks_exact(8) {
        let (Some(track), Some(index)) = (u8_at(p, 1), u8_at(p, 2)) else {
            continue;
        };
        if index != 1 {
            continue;
        }
        let n = usize::from((track >> 4) * 10 + (track & 0x0F));
        let lba = if v2 {
            be_u32(p, 4).and_then(|v| u32::try_from(i32::from_be_bytes(v.to_be_bytes())).ok())
        } else {
            let bcd = |b: u8| (b >> 4) * 10 + (b & 0x0F);
            let msf = Msf {
                minute: bcd(u8_at(p, 5).unwrap_or(0)),
                second: bcd(u8_at(p, 6).unwrap_or(0)),
                frame: bcd(u8_at(p, 7).unwrap_or(0)),
            };
            msf.frames().checked_sub(super::raw::MSF_OFFSET)
        };
        if let (Some(r), Some(lba)) = (n.checked_sub(1).and_then(|i| raws.get_mut(i)), lba) {
            r.lba = Some(lba);
        }
    }
}
