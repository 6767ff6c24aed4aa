//! A disc as a container describes it: tracks in sessions, each stored as
//! sectors of some layout in some data file; and [`Disc`] as an
//! [`ImageSource`] of the disc's 2048-byte user data, addressed by absolute
//! logical block (LBA 0 is MSF 00:02:00), which is how ISO 9660 and UDF on
//! a CD address their blocks.

use std::io;
use std::sync::Arc;

use super::raw::{self, Msf, SectorCheck, SectorLayout, FORM2_LEN, RAW_LEN, USER_LEN};
use super::ImageSource;
use crate::error::Warning;

/// What a track holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrackMode {
    /// CD-DA audio: 2352 bytes of 16-bit stereo samples a sector.
    Audio,
    /// Mode 1 data (2048 bytes of user data, EDC/ECC).
    Mode1,
    /// Mode 2 data with the CD-ROM XA subheader: Form 1 (2048 bytes,
    /// EDC/ECC) and Form 2 (2324 bytes) sectors.
    Mode2,
}

impl TrackMode {
    /// "audio", "mode1", "mode2".
    pub fn as_str(self) -> &'static str {
        match self {
            TrackMode::Audio => "audio",
            TrackMode::Mode1 => "mode1",
            TrackMode::Mode2 => "mode2",
        }
    }

    /// Whether the track holds data sectors.
    pub fn is_data(self) -> bool {
        self != TrackMode::Audio
    }
}

/// Byte order of stored audio samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ByteOrder {
    /// Little-endian (CUE BINARY, the order of a CD's own samples).
    #[default]
    Little,
    /// Big-endian (CUE MOTOROLA).
    Big,
}

/// Where a track's sectors are stored.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Storage {
    /// Index into [`Disc::files`].
    pub file: usize,
    /// Byte offset in that file of the sector at the track's `start`.
    pub offset: u64,
    /// How each sector is stored.
    pub layout: SectorLayout,
    /// Byte order of audio samples.
    pub byte_order: ByteOrder,
}

/// One track, as the container's table of contents states it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Track {
    /// Track number (1..=99).
    pub number: u8,
    /// Session number (1 = the first).
    pub session: u8,
    /// What it holds.
    pub mode: TrackMode,
    /// Bytes per stored sector (2048, 2336, 2352, 2448).
    pub sector_len: u32,
    /// Absolute LBA of its INDEX 01.
    pub start: u32,
    /// Sectors from `start` to the track's end.
    pub length: u32,
    /// Sectors of pregap before `start` (stored or not).
    pub pregap: u32,
    /// Where its sectors are.
    pub storage: Storage,
}

impl Track {
    /// The first LBA past the track.
    pub fn end(&self) -> u32 {
        self.start.saturating_add(self.length)
    }

    /// The track's length as mm:ss:ff.
    pub fn duration(&self) -> Msf {
        Msf::from_frames(self.length)
    }

    /// Whether `lba` is one of its sectors.
    pub fn contains(&self, lba: u32) -> bool {
        lba >= self.start && lba < self.end()
    }

    fn stride(&self) -> u64 {
        u64::from(self.storage.layout.stored_len())
    }

    /// Byte offset in the data file of sector `lba` (in the track).
    fn file_offset(&self, lba: u32) -> u64 {
        self.storage
            .offset
            .saturating_add(u64::from(lba.saturating_sub(self.start)) * self.stride())
    }
}

/// Which kind of container described the disc.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContainerKind {
    /// A CUE sheet and its data files.
    Cue,
    /// A cdrdao TOC file and its data files.
    Toc,
    /// A Nero image (.nrg).
    Nrg,
    /// An Alcohol 120% descriptor (.mds) and its .mdf.
    Mds,
    /// A CloneCD sheet (.ccd) with its .img and .sub.
    Ccd,
    /// A MAME compressed hunks of data file (.chd).
    Chd,
    /// Raw sectors with no sheet (recognised by the sync pattern).
    RawSectors,
}

impl ContainerKind {
    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            ContainerKind::Cue => "CUE sheet",
            ContainerKind::Toc => "cdrdao TOC",
            ContainerKind::Nrg => "Nero NRG",
            ContainerKind::Mds => "Alcohol MDS/MDF",
            ContainerKind::Ccd => "CloneCD CCD/IMG",
            ContainerKind::Chd => "MAME CHD",
            ContainerKind::RawSectors => "raw sectors",
        }
    }
}

/// The container section of [`crate::ImageInfo`]: what the image came
/// in, and its tracks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscInfo {
    /// The container format.
    pub container: ContainerKind,
    /// The tracks, as the container's table of contents states them.
    pub tracks: Vec<Track>,
    /// The number of the track whose file system the views show.
    pub data_track: Option<u8>,
}

impl DiscInfo {
    /// "CUE sheet: 3 tracks (1 data, 2 audio)".
    pub fn summary(&self) -> String {
        let data = self.tracks.iter().filter(|t| t.mode.is_data()).count();
        let audio = self.tracks.len() - data;
        let n = self.tracks.len();
        format!(
            "{}: {n} track{} ({data} data, {audio} audio)",
            self.container.label(),
            if n == 1 { "" } else { "s" }
        )
    }
}

/// A disc: its tracks, their data files, and what was odd about them.
#[derive(Debug)]
pub struct Disc {
    /// What described it.
    pub kind: ContainerKind,
    /// Tracks in order of start.
    pub tracks: Vec<Track>,
    /// The data files the tracks are stored in.
    pub files: Vec<Arc<dyn ImageSource>>,
    /// The data files' names, as the sheet gave them.
    pub file_names: Vec<String>,
    /// Problems found while reading the table of contents.
    pub warnings: Vec<Warning>,
}

/// Most sectors read from a data file in one go.
const CHUNK_SECTORS: u32 = 32;

impl Disc {
    /// Builds a disc; tracks are sorted by start, overlapping tracks and
    /// tracks whose storage runs past the end of their file are cut back
    /// with a warning.
    pub fn new(
        kind: ContainerKind,
        mut tracks: Vec<Track>,
        files: Vec<Arc<dyn ImageSource>>,
        file_names: Vec<String>,
        mut warnings: Vec<Warning>,
    ) -> Disc {
        tracks.sort_by_key(|t| (t.start, t.number));
        for i in 0..tracks.len() {
            let next_start = tracks.get(i + 1).map(|t| t.start);
            let Some(t) = tracks.get_mut(i) else { break };
            if let Some(ns) = next_start {
                if t.end() > ns {
                    warnings.push(Warning::new(
                        "track table",
                        Some(u64::from(t.start)),
                        format!(
                            "track {} overlaps the next track; cut to end there",
                            t.number
                        ),
                    ));
                    t.length = ns.saturating_sub(t.start);
                }
            }
            let file_len = files.get(t.storage.file).map_or(0, |f| f.len());
            let stride = t.stride();
            let fits = file_len.saturating_sub(t.storage.offset) / stride.max(1);
            if u64::from(t.length) > fits {
                let name = file_names.get(t.storage.file).map_or("?", String::as_str);
                warnings.push(Warning::new(
                    "track table",
                    Some(u64::from(t.start)),
                    format!(
                        "track {} claims {} sectors but its file {name:?} holds {fits} from \
                         the track's start; the rest reads as missing",
                        t.number, t.length
                    ),
                ));
                t.length = u32::try_from(fits).unwrap_or(u32::MAX);
            }
        }
        Disc {
            kind,
            tracks,
            files,
            file_names,
            warnings,
        }
    }

    /// The track holding `lba`.
    pub fn track_at(&self, lba: u32) -> Option<&Track> {
        let i = self.tracks.partition_point(|t| t.start <= lba);
        self.tracks
            .get(i.checked_sub(1)?)
            .filter(|t| t.contains(lba))
    }

    /// The track numbered `number`.
    pub fn track(&self, number: u8) -> Option<&Track> {
        self.tracks.iter().find(|t| t.number == number)
    }

    /// The first data track (of `session` when given).
    pub fn first_data_track(&self, session: Option<u8>) -> Option<&Track> {
        self.tracks
            .iter()
            .find(|t| t.mode.is_data() && session.is_none_or(|s| t.session == s))
    }

    /// The session numbers, in order.
    pub fn sessions(&self) -> Vec<u8> {
        let mut s: Vec<u8> = self.tracks.iter().map(|t| t.session).collect();
        s.dedup();
        s
    }

    /// The first LBA past the last track.
    pub fn end(&self) -> u32 {
        self.tracks.iter().map(Track::end).max().unwrap_or(0)
    }

    fn read_stored(&self, t: &Track, lba: u32, buf: &mut [u8]) -> io::Result<()> {
        let file = self
            .files
            .get(t.storage.file)
            .ok_or(io::ErrorKind::NotFound)?;
        file.read_exact_at(t.file_offset(lba), buf)
    }

    /// The whole 2352-byte sector at `lba`, rebuilt for the 2336-byte
    /// layout; `None` for a cooked (2048-byte) track, an audio sector or an
    /// LBA outside every track.
    ///
    /// # Errors
    /// When the data file cannot be read.
    pub fn raw_sector(&self, lba: u32) -> io::Result<Option<Box<[u8; RAW_LEN]>>> {
        let Some(t) = self.track_at(lba).filter(|t| t.mode.is_data()) else {
            return Ok(None);
        };
        let layout = t.storage.layout;
        if !layout.is_raw() {
            return Ok(None);
        }
        let mut stored = vec![0u8; usize::try_from(layout.stored_len()).unwrap_or(RAW_LEN)];
        self.read_stored(t, lba, &mut stored)?;
        let mut out = Box::new([0u8; RAW_LEN]);
        Ok(raw::to_raw(layout, &stored, lba, &mut out).then_some(out))
    }

    /// Checks the sector at `lba` (see [`raw::check`]); `None` when it
    /// has no raw form to check.
    ///
    /// # Errors
    /// When the data file cannot be read.
    pub fn check_sector(&self, lba: u32) -> io::Result<Option<SectorCheck>> {
        Ok(self.raw_sector(lba)?.map(|mut s| raw::check(&mut s)))
    }

    /// The subheader submode byte of a Mode 2 sector (`None` for other
    /// sectors).
    pub fn submode(&self, lba: u32) -> Option<u8> {
        let t = self
            .track_at(lba)
            .filter(|t| t.mode == TrackMode::Mode2 && t.storage.layout.is_raw())?;
        let at = t.storage.layout.user_offset(t.mode).checked_sub(6)?;
        let mut b = [0u8; 1];
        let file = self.files.get(t.storage.file)?;
        let off = t.file_offset(lba).checked_add(crate::bytes::u64_from(at))?;
        file.read_exact_at(off, &mut b).ok()?;
        Some(b[0])
    }

    /// Reads the 2324 bytes of Mode 2 Form 2 user data of the sector at
    /// `lba` into `buf`.
    ///
    /// # Errors
    /// When `lba` is not in a raw Mode 2 track or the file cannot be read.
    pub fn read_form2(&self, lba: u32, buf: &mut [u8; FORM2_LEN]) -> io::Result<()> {
        let t = self
            .track_at(lba)
            .filter(|t| t.mode == TrackMode::Mode2 && t.storage.layout.is_raw())
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("LBA {lba} is not in a raw Mode 2 track"),
                )
            })?;
        let at = crate::bytes::u64_from(t.storage.layout.user_offset(t.mode));
        let file = self
            .files
            .get(t.storage.file)
            .ok_or(io::ErrorKind::NotFound)?;
        file.read_exact_at(t.file_offset(lba).saturating_add(at), buf)
    }

    /// Reads `buf.len()` bytes of a track's stored audio from byte `pos`
    /// (2352 bytes a sector, little-endian samples whatever the file's byte
    /// order).
    ///
    /// # Errors
    /// When the data file cannot be read or the range runs past the track.
    pub fn read_audio(&self, t: &Track, pos: u64, buf: &mut [u8]) -> io::Result<()> {
        let stride = t.stride();
        let mut done = 0usize;
        let mut pos = pos;
        while done < buf.len() {
            let sector = pos / RAW_LEN as u64;
            let within = pos % RAW_LEN as u64;
            u32::try_from(sector)
                .ok()
                .and_then(|s| t.start.checked_add(s))
                .filter(|&l| t.contains(l))
                .ok_or(io::ErrorKind::UnexpectedEof)?;
            let take = usize::try_from(
                (RAW_LEN as u64 - within).min(crate::bytes::u64_from(buf.len() - done)),
            )
            .unwrap_or(0);
            let file = self
                .files
                .get(t.storage.file)
                .ok_or(io::ErrorKind::NotFound)?;
            let off = t
                .storage
                .offset
                .saturating_add(sector * stride)
                .saturating_add(within);
            let out = buf
                .get_mut(done..done + take)
                .ok_or(io::ErrorKind::InvalidInput)?;
            file.read_exact_at(off, out)?;
            if t.storage.byte_order == ByteOrder::Big {
                swap_pairs(out, within);
            }
            done += take;
            pos += crate::bytes::u64_from(take);
        }
        Ok(())
    }

    /// Reads user data of consecutive sectors of one track starting at
    /// `lba` into `out` (a whole number of 2048-byte sectors).
    fn read_user_run(&self, t: &Track, lba: u32, out: &mut [u8]) -> io::Result<()> {
        let layout = t.storage.layout;
        if layout == SectorLayout::Cooked {
            return self.read_stored(t, lba, out);
        }
        let stride = usize::try_from(layout.stored_len()).unwrap_or(RAW_LEN);
        let at = layout.user_offset(t.mode);
        let n = out.len() / USER_LEN;
        let mut stored = vec![0u8; n * stride];
        self.read_stored(t, lba, &mut stored)?;
        for (dst, src) in out
            .chunks_exact_mut(USER_LEN)
            .zip(stored.chunks_exact(stride))
        {
            if let Some(s) = src.get(at..at + USER_LEN) {
                dst.copy_from_slice(s);
            }
        }
        Ok(())
    }
}

/// Swaps the bytes of each 16-bit sample; `phase` is the position of
/// `buf[0]` in the sample stream (odd: it starts in the middle of one).
fn swap_pairs(buf: &mut [u8], phase: u64) {
    // A read starting mid-sample cannot be swapped in place without the
    // other half; callers read whole samples (WAV readers do), so an odd
    // start simply leaves the first byte.
    let skip = usize::from(phase % 2 == 1);
    if let Some(rest) = buf.get_mut(skip..) {
        for pair in rest.chunks_exact_mut(2) {
            pair.swap(0, 1);
        }
    }
}

impl ImageSource for Disc {
    fn len(&self) -> u64 {
        u64::from(self.end()) * USER_LEN as u64
    }

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let end = offset
            .checked_add(crate::bytes::u64_from(buf.len()))
            .filter(|&e| e <= self.len())
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!(
                        "{} bytes at offset {offset} run past the end of the disc",
                        buf.len()
                    ),
                )
            })?;
        let mut pos = offset;
        let mut done = 0usize;
        let mut sector = vec![0u8; 0];
        while pos < end {
            let lba =
                u32::try_from(pos / USER_LEN as u64).map_err(|_| io::ErrorKind::InvalidInput)?;
            let within = usize::try_from(pos % USER_LEN as u64).unwrap_or(0);
            let left = buf.len() - done;
            let Some(t) = self.track_at(lba).filter(|t| t.mode.is_data()) else {
                // Gaps, pregaps and audio read as zeros.
                let take = (USER_LEN - within).min(left);
                buf.get_mut(done..done + take).unwrap_or_default().fill(0);
                done += take;
                pos += crate::bytes::u64_from(take);
                continue;
            };
            if within == 0 && left >= USER_LEN {
                let n = u32::try_from(left / USER_LEN)
                    .unwrap_or(u32::MAX)
                    .min(t.end() - lba)
                    .min(CHUNK_SECTORS);
                let len = usize::try_from(n).unwrap_or(0) * USER_LEN;
                let out = buf
                    .get_mut(done..done + len)
                    .ok_or(io::ErrorKind::InvalidInput)?;
                self.read_user_run(t, lba, out)?;
                done += len;
                pos += crate::bytes::u64_from(len);
            } else {
                sector.resize(USER_LEN, 0);
                self.read_user_run(t, lba, &mut sector)?;
                let take = (USER_LEN - within).min(left);
                super::copy_part(&sector, within, take, buf, done)?;
                done += take;
                pos += crate::bytes::u64_from(take);
            }
        }
        Ok(())
    }
}
