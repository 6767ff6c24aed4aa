//! Byte views of a disc that are not its 2048-byte user data: the 2324
//! bytes of Mode 2 Form 2 sectors (files stored in Form 2 read through
//! it), and an audio track as a WAV file. Both are [`ImageSource`]s, so
//! the ordinary extent reader reads them.

use std::io;
use std::sync::Arc;

use super::disc::{Disc, Track};
use super::raw::{FORM2_LEN, RAW_LEN, USER_LEN};
use super::ImageSource;
use crate::tree::{Extent, ExtentKind};

/// The disc's sectors laid end to end at 2324 bytes each: byte
/// `lba * 2324 + i` is byte `i` of sector `lba`'s Form 2 user data.
#[derive(Debug, Clone)]
pub struct Form2View(pub Arc<Disc>);

impl ImageSource for Form2View {
    fn len(&self) -> u64 {
        u64::from(self.0.end()) * FORM2_LEN as u64
    }

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let mut pos = offset;
        let mut done = 0usize;
        let mut sector = [0u8; FORM2_LEN];
        while done < buf.len() {
            let lba = u32::try_from(pos / FORM2_LEN as u64)
                .map_err(|_| io::Error::from(io::ErrorKind::UnexpectedEof))?;
            let within = usize::try_from(pos % FORM2_LEN as u64).unwrap_or(0);
            self.0.read_form2(lba, &mut sector)?;
            let take = (FORM2_LEN - within).min(buf.len() - done);
            super::copy_part(&sector, within, take, buf, done)?;
            done += take;
            pos += crate::bytes::u64_from(take);
        }
        Ok(())
    }
}

/// A file's extents (2048-byte blocks of the disc) as extents of the
/// [`Form2View`], and the content length they give.
pub fn form2_extents(extents: &[Extent]) -> (Vec<Extent>, u64) {
    let mut total = 0u64;
    let out = extents
        .iter()
        .map(|e| {
            let sectors = e.len.div_ceil(USER_LEN as u64);
            let len = sectors.saturating_mul(FORM2_LEN as u64);
            total = total.saturating_add(len);
            Extent {
                offset: (e.offset / USER_LEN as u64).saturating_mul(FORM2_LEN as u64),
                len,
                kind: e.kind,
            }
        })
        .collect();
    (out, total)
}

/// Whether a file's first recorded sector is a Mode 2 Form 2 sector.
pub fn is_form2(disc: &Disc, extents: &[Extent]) -> bool {
    extents
        .iter()
        .find(|e| e.kind == ExtentKind::Recorded && e.len > 0)
        .and_then(|e| u32::try_from(e.lba()).ok())
        .and_then(|lba| disc.submode(lba))
        .is_some_and(|m| m & super::raw::SUBMODE_FORM2 != 0)
}

/// Bytes of the RIFF/WAVE header in front of the samples.
pub const WAV_HEADER_LEN: u64 = 44;

/// An audio track as a WAV file: 16-bit stereo PCM at 44.1 kHz.
#[derive(Debug, Clone)]
pub struct WavView {
    disc: Arc<Disc>,
    track: Track,
}

impl WavView {
    /// The WAV file of `track` (an audio track of `disc`).
    pub fn new(disc: Arc<Disc>, track: Track) -> Self {
        WavView { disc, track }
    }

    /// Bytes of samples.
    pub fn data_len(&self) -> u64 {
        u64::from(self.track.length) * RAW_LEN as u64
    }

    /// The 44-byte header (RIFF, "fmt " chunk, "data" chunk header).
    pub fn header(&self) -> [u8; 44] {
        let data = u32::try_from(self.data_len()).unwrap_or(u32::MAX);
        let mut h = [0u8; 44];
        let mut w = Vec::with_capacity(44);
        w.extend_from_slice(b"RIFF");
        w.extend_from_slice(&data.saturating_add(36).to_le_bytes());
        w.extend_from_slice(b"WAVEfmt ");
        w.extend_from_slice(&16u32.to_le_bytes());
        w.extend_from_slice(&1u16.to_le_bytes()); // PCM
        w.extend_from_slice(&2u16.to_le_bytes()); // channels
        w.extend_from_slice(&44_100u32.to_le_bytes());
        w.extend_from_slice(&176_400u32.to_le_bytes()); // bytes per second
        w.extend_from_slice(&4u16.to_le_bytes()); // block align
        w.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
        w.extend_from_slice(b"data");
        w.extend_from_slice(&data.to_le_bytes());
        h.copy_from_slice(&w);
        h
    }
}

impl ImageSource for WavView {
    fn len(&self) -> u64 {
        WAV_HEADER_LEN.saturating_add(self.data_len())
    }

    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let end = offset
            .checked_add(crate::bytes::u64_from(buf.len()))
            .filter(|&e| e <= self.len())
            .ok_or(io::ErrorKind::UnexpectedEof)?;
        let mut done = 0usize;
        if offset < WAV_HEADER_LEN {
            let h = self.header();
            let from = usize::try_from(offset).unwrap_or(0);
            let take = (44 - from).min(buf.len());
            buf.get_mut(..take)
                .ok_or(io::ErrorKind::InvalidInput)?
                .copy_from_slice(
                    h.get(from..from + take)
                        .ok_or(io::ErrorKind::InvalidInput)?,
                );
            done = take;
        }
        let pos = offset.saturating_add(crate::bytes::u64_from(done));
        if pos < end {
            let rest = buf.get_mut(done..).ok_or(io::ErrorKind::InvalidInput)?;
            self.disc
                .read_audio(&self.track, pos - WAV_HEADER_LEN, rest)?;
        }
        Ok(())
    }
}
