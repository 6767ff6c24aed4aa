//! Alcohol 120% descriptors (.mds) and their .mdf data files. There is no
//! official specification; the layout is the one documented publicly from
//! Alcohol's files (all numbers little-endian):
//!
//! - header, 88 bytes: "MEDIA DESCRIPTOR", version (2 bytes), medium type
//!   (u16 at 0x12), session count (u16 at 0x14), ..., the offset of the
//!   first session block (u32 at 0x50).
//! - session block, 24 bytes: start and end sector (i32), session number
//!   (u16), track blocks in all (u8) and of them lead-in points (u8),
//!   first and last track (u16 each), 4 bytes, the offset of its track
//!   blocks (u32 at 0x14).
//! - track block, 80 bytes: mode (u8: low nibble 9 audio, 0xA Mode 1,
//!   0xB–0xD Mode 2), subchannel (u8: 8 = 96 bytes after each sector),
//!   ADR/control, TNO, point (the track number; 0xA0–0xA2 are lead-in
//!   points), MSF and PMSF, the offset of its extra block (u32 at 0x0C),
//!   sector size (u16 at 0x10), the start sector (u32 at 0x24), the start
//!   offset in the MDF (u64 at 0x28), the file name count and offset
//!   (u32 at 0x30, 0x34).
//! - extra block, 8 bytes: pregap and length in sectors (u32 each).
//! - file name block, 16 bytes: the name's offset (u32) and type (u8: 0
//!   narrow, 1 UTF-16); "*.mdf" means the descriptor's own name with .mdf.

use std::path::Path;
use std::sync::Arc;

use super::container::Companions;
use super::disc::{ContainerKind, Disc, Storage, Track, TrackMode};
use super::raw::SectorLayout;
use super::{FileSource, ImageSource};
use crate::bytes::{le_u16, le_u32, le_u64, u8_at};
use crate::error::{Error, Result};

/// Largest descriptor read (a real one is a few KiB).
const MAX_MDS_LEN: u64 = 1 << 20;
/// Most sessions read.
const MAX_SESSIONS: usize = 99;

fn bad(what: String) -> Error {
    Error::corrupt("MDS descriptor", 0, what)
}

/// `len` bytes at `at` of the descriptor, or an error saying which
/// structure runs past its end.
fn block<'a>(mds: &'a [u8], at: u64, len: usize, what: &str) -> Result<&'a [u8]> {
    usize::try_from(at)
        .ok()
        .and_then(|a| crate::bytes::slice(mds, a, len))
        .ok_or_else(|| {
            bad(format!(
                "the {what} at byte {at} runs past the end of the descriptor ({} bytes)",
                mds.len()
            ))
        })
}

/// Opens an MDS descriptor and the MDF it names.
///
/// # Errors
/// A descriptor whose offsets point outside it, or a missing MDF.
pub fn open(path: &Path) -> Result<Disc> {
    let src = FileSource::open(path)?;
    if src.len() > MAX_MDS_LEN {
        return Err(bad(format!(
            "{} bytes is too large for a descriptor",
            src.len()
        )));
    }
    let mds = super::read_vec(&src, 0, usize::try_from(src.len()).unwrap_or(0))?;
    let companions = Companions::beside(path);
    let header = block(&mds, 0, 0x58, "header")?;
    let sessions = usize::from(le_u16(header, 0x14).unwrap_or(0)).min(MAX_SESSIONS);
    let first_session = u64::from(le_u32(header, 0x50).unwrap_or(0));
    let mut tracks = Vec::new();
    let mut file_name = None;
    for s in 0..sessions {
        let sb = block(&mds, first_session + 24 * s as u64, 24, "session block")?;
        let number = u8::try_from(le_u16(sb, 8).unwrap_or(1)).unwrap_or(1);
        let blocks = usize::from(u8_at(sb, 0x0A).unwrap_or(0));
        let tracks_at = u64::from(le_u32(sb, 0x14).unwrap_or(0));
        for b in 0..blocks {
            let tb = block(&mds, tracks_at + 80 * b as u64, 80, "track block")?;
            let point = u8_at(tb, 4).unwrap_or(0);
            if !(1..=99).contains(&point) {
                continue;
            }
            if file_name.is_none() {
                file_name = Some(track_file_name(&mds, tb, &companions)?);
            }
            tracks.push(track(&mds, tb, number, point)?);
        }
    }
    if tracks.is_empty() {
        return Err(bad("no track blocks".into()));
    }
    let name = file_name.unwrap_or_else(|| format!("{}.mdf", companions.sheet_stem()));
    let mdf: Arc<dyn ImageSource> = companions.open(&name)?;
    fill_lengths(&mut tracks, mdf.len());
    Ok(Disc::new(
        ContainerKind::Mds,
        tracks,
        vec![mdf],
        vec![name],
        Vec::new(),
    ))
}

/// Tracks without an extra block run to the next track's start (or the
/// end of the MDF).
fn fill_lengths(tracks: &mut [Track], mdf_len: u64) {
    tracks.sort_by_key(|t| t.start);
    for i in 0..tracks.len() {
        let next = tracks.get(i + 1).map(|n| n.start);
        let Some(t) = tracks.get_mut(i) else { break };
        if t.length == 0 {
            t.length = match next {
                Some(n) => n.saturating_sub(t.start),
                None => u32::try_from(
                    mdf_len.saturating_sub(t.storage.offset) / u64::from(t.sector_len.max(1)),
                )
                .unwrap_or(u32::MAX),
            };
        }
    }
}

fn track(mds: &[u8], tb: &[u8], session: u8, point: u8) -> Result<Track> {
    let mode_byte = u8_at(tb, 0).unwrap_or(0);
    let mode = match mode_byte & 0x0F {
        0x09 => TrackMode::Audio,
        0x0A => TrackMode::Mode1,
        _ => TrackMode::Mode2,
    };
    let sector_len = u32::from(le_u16(tb, 0x10).unwrap_or(2352));
    let layout = SectorLayout::from_len(sector_len).ok_or_else(|| {
        bad(format!(
            "track {point}: sector size {sector_len} not understood"
        ))
    })?;
    let start = le_u32(tb, 0x24).unwrap_or(0);
    let offset = le_u64(tb, 0x28).unwrap_or(0);
    let extra_at = u64::from(le_u32(tb, 0x0C).unwrap_or(0));
    let (pregap, length) = if extra_at == 0 {
        (0, 0)
    } else {
        let eb = block(mds, extra_at, 8, "extra block")?;
        (le_u32(eb, 0).unwrap_or(0), le_u32(eb, 4).unwrap_or(0))
    };
    Ok(Track {
        number: point,
        session,
        mode,
        sector_len,
        start,
        length,
        pregap,
        storage: Storage {
            file: 0,
            offset,
            layout,
            byte_order: Default::default(),
        },
    })
}

/// The data file a track block names ("*.mdf": the descriptor's stem).
fn track_file_name(mds: &[u8], tb: &[u8], companions: &Companions) -> Result<String> {
    let stem_mdf = || format!("{}.mdf", companions.sheet_stem());
    let count = le_u32(tb, 0x30).unwrap_or(0);
    let at = u64::from(le_u32(tb, 0x34).unwrap_or(0));
    if count == 0 || at == 0 {
        return Ok(stem_mdf());
    }
    let fb = block(mds, at, 16, "file name block")?;
    let name_at = usize::try_from(le_u32(fb, 0).unwrap_or(0)).unwrap_or(usize::MAX);
    let wide = u8_at(fb, 4) == Some(1);
    let rest = mds.get(name_at..).ok_or_else(|| {
        bad(format!(
            "the file name at byte {name_at} lies past the end of the descriptor"
        ))
    })?;
    let name = if wide {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .filter_map(|c| le_u16(c, 0))
            .take_while(|&u| u != 0)
            .take(1024)
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        rest.iter()
            .take_while(|&&b| b != 0)
            .take(1024)
            .map(|&b| char::from(b))
            .collect()
    };
    Ok(if name.starts_with("*.") || name.is_empty() {
        match name.strip_prefix("*.") {
            Some(ext) if !ext.is_empty() => format!("{}.{ext}", companions.sheet_stem()),
            _ => stem_mdf(),
        }
    } else {
        name
    })
}
