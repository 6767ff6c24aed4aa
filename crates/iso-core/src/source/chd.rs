//! MAME CHD files of CD-ROMs. The `chd` crate reads the header and hunk
//! map and decompresses hunks; the track layout is read here from the
//! `CHT2` (or older `CHTR`) metadata, one text entry per track, in the
//! form MAME's chdman writes:
//! `TRACK:2 TYPE:AUDIO SUBTYPE:NONE FRAMES:375 PREGAP:150 PGTYPE:VAUDIO
//! PGSUB:NONE POSTGAP:0`.
//!
//! The hunks hold 2448-byte frames (2352 bytes of sector, then 96 of
//! subchannel) laid end to end; each track's frames are padded to a
//! multiple of 4. `FRAMES` counts the stored frames, which include the
//! pregap when its type starts with `V`; audio samples are stored
//! big-endian.

use std::fs::File;
use std::io::{self, BufReader};
use std::path::Path;
use std::sync::{Arc, Mutex};

use super::disc::{ByteOrder, ContainerKind, Disc, Storage, Track, TrackMode};
use super::raw::SectorLayout;
use super::ImageSource;
use crate::error::{Error, Result, Warning};

/// Bytes of one stored frame.
const FRAME_LEN: u64 = 2448;
/// Tracks are padded to a multiple of this many frames.
const TRACK_PADDING: u64 = 4;
/// Most metadata entries read.
const MAX_METADATA: usize = 256;
/// The metadata tags of CD track entries: "CHT2", "CHTR".
const CHT2: u32 = u32::from_be_bytes(*b"CHT2");
const CHTR: u32 = u32::from_be_bytes(*b"CHTR");

type ChdFile = chd::Chd<BufReader<File>>;

/// The decompressed hunks of a CHD as one byte range.
struct ChdSource {
    inner: Mutex<Inner>,
    len: u64,
    hunk_len: u64,
}

struct Inner {
    chd: ChdFile,
    /// The last hunk read, and its number.
    cache: Option<(u32, Vec<u8>)>,
    compressed: Vec<u8>,
}

impl std::fmt::Debug for ChdSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChdSource").field("len", &self.len).finish()
    }
}

impl ImageSource for ChdSource {
    fn len(&self) -> u64 {
        self.len
    }

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let end = offset
            .checked_add(crate::bytes::u64_from(buf.len()))
            .filter(|&e| e <= self.len)
            .ok_or(io::ErrorKind::UnexpectedEof)?;
        let mut inner = self
            .inner
            .lock()
            .map_err(|_| io::Error::other("CHD reader poisoned"))?;
        let mut pos = offset;
        let mut done = 0usize;
        while pos < end {
            let hunk =
                u32::try_from(pos / self.hunk_len).map_err(|_| io::ErrorKind::InvalidInput)?;
            let within = usize::try_from(pos % self.hunk_len).unwrap_or(0);
            if inner.cache.as_ref().map(|(n, _)| *n) != Some(hunk) {
                let Inner {
                    chd, compressed, ..
                } = &mut *inner;
                let mut out = chd.get_hunksized_buffer();
                chd.hunk(hunk)
                    .and_then(|mut h| h.read_hunk_in(compressed, &mut out))
                    .map_err(|e| io::Error::other(format!("CHD hunk {hunk}: {e}")))?;
                inner.cache = Some((hunk, out));
            }
            let data = inner
                .cache
                .as_ref()
                .map(|(_, d)| d.as_slice())
                .unwrap_or_default();
            let take = (data.len().saturating_sub(within)).min(buf.len() - done);
            if take == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            super::copy_part(data, within, take, buf, done)?;
            done += take;
            pos += crate::bytes::u64_from(take);
        }
        Ok(())
    }
}

fn bad(what: String) -> Error {
    Error::corrupt("CHD file", 0, what)
}

/// Opens a CD-ROM CHD.
///
/// # Errors
/// A damaged header or hunk map, a CHD that is not a CD-ROM, or track
/// types this reader does not handle.
pub fn open(path: &Path) -> Result<Disc> {
    let file = File::open(path).map_err(|e| Error::io(0, e))?;
    let mut chd = chd::Chd::open(BufReader::new(file), None)
        .map_err(|e| bad(format!("{}: {e}", path.display())))?;
    let hunk_len = u64::from(chd.header().hunk_size());
    let len = u64::from(chd.header().hunk_count()).saturating_mul(hunk_len);
    if hunk_len == 0 || hunk_len % FRAME_LEN != 0 {
        return Err(Error::Unsupported(format!(
            "CHD with {hunk_len}-byte hunks: not a CD-ROM CHD"
        )));
    }
    let refs: Vec<_> = chd.metadata_refs().take(MAX_METADATA).collect();
    let mut entries = Vec::new();
    for r in refs {
        use chd::metadata::MetadataTag;
        if r.metatag() != CHT2 && r.metatag() != CHTR {
            continue;
        }
        let m = r
            .read(chd.inner())
            .map_err(|e| bad(format!("track metadata: {e}")))?;
        entries.push(
            String::from_utf8_lossy(&m.value)
                .trim_end_matches('\0')
                .to_string(),
        );
    }
    if entries.is_empty() {
        return Err(Error::Unsupported(
            "CHD without CD track metadata (CHT2/CHTR): not a CD-ROM CHD".into(),
        ));
    }
    let mut warnings = Vec::new();
    let tracks = layout(&entries, &mut warnings)?;
    let source: Arc<dyn ImageSource> = Arc::new(ChdSource {
        inner: Mutex::new(Inner {
            chd,
            cache: None,
            compressed: Vec::new(),
        }),
        len,
        hunk_len,
    });
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    Ok(Disc::new(
        ContainerKind::Chd,
        tracks,
        vec![source],
        vec![name],
        warnings,
    ))
}

/// `KEY:VALUE` fields of one metadata entry.
fn field<'a>(entry: &'a str, key: &str) -> Option<&'a str> {
    entry
        .split_whitespace()
        .find_map(|w| w.strip_prefix(key)?.strip_prefix(':'))
}

fn layout(entries: &[String], warnings: &mut Vec<Warning>) -> Result<Vec<Track>> {
    let mut out = Vec::new();
    let mut frame: u64 = 0;
    let mut lba: u64 = 0;
    for (i, e) in entries.iter().enumerate().take(99) {
        let number = field(e, "TRACK")
            .and_then(|n| n.parse::<u8>().ok())
            .unwrap_or(0);
        let ty = field(e, "TYPE").unwrap_or("");
        let frames: u64 = field(e, "FRAMES").and_then(|n| n.parse().ok()).unwrap_or(0);
        let pregap: u64 = field(e, "PREGAP").and_then(|n| n.parse().ok()).unwrap_or(0);
        let postgap: u64 = field(e, "POSTGAP")
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        let stored_pregap = field(e, "PGTYPE").is_some_and(|t| t.starts_with('V'));
        let mode = match ty {
            "AUDIO" => TrackMode::Audio,
            "MODE1_RAW" => TrackMode::Mode1,
            "MODE2_RAW" => TrackMode::Mode2,
            other => {
                return Err(Error::Unsupported(format!(
                    "CHD track {number} of type {other}: only MODE1_RAW, MODE2_RAW and AUDIO tracks are read"
                )))
            }
        };
        let skip = if stored_pregap { pregap } else { 0 };
        let length = frames.saturating_sub(skip);
        let start = if i == 0 {
            0
        } else {
            lba.saturating_add(pregap)
        };
        if frames == 0 {
            warnings.push(Warning::new(
                "CHD track metadata",
                None,
                format!("track {number} has no frames"),
            ));
        }
        out.push(Track {
            number,
            session: 1,
            mode,
            sector_len: 2448,
            start: u32::try_from(start).unwrap_or(u32::MAX),
            length: u32::try_from(length).unwrap_or(u32::MAX),
            pregap: u32::try_from(pregap).unwrap_or(u32::MAX),
            storage: Storage {
                file: 0,
                offset: frame.saturating_add(skip).saturating_mul(FRAME_LEN),
                layout: SectorLayout::RawSub,
                byte_order: if mode == TrackMode::Audio {
                    ByteOrder::Big
                } else {
                    ByteOrder::Little
                },
            },
        });
        frame = frame.saturating_add(frames.div_ceil(TRACK_PADDING) * TRACK_PADDING);
        lba = start.saturating_add(length).saturating_add(postgap);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_of_a_track_entry() {
        let e = "TRACK:2 TYPE:AUDIO SUBTYPE:NONE FRAMES:375 PREGAP:150 PGTYPE:VAUDIO PGSUB:NONE POSTGAP:0";
        assert_eq!(field(e, "FRAMES"), Some("375"));
        assert_eq!(field(e, "PGTYPE"), Some("VAUDIO"));
        let t = layout(
            &[
                "TRACK:1 TYPE:MODE1_RAW SUBTYPE:NONE FRAMES:45 PREGAP:0 PGTYPE:MODE1 PGSUB:NONE POSTGAP:0".into(),
                e.into(),
            ],
            &mut Vec::new(),
        )
        .unwrap();
        assert_eq!(
            (t[1].start, t[1].length, t[1].storage.offset),
            (195, 225, (48 + 150) * 2448)
        );
    }
}
