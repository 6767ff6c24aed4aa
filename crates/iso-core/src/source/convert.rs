//! Save as ISO: a disc's data track as a plain image of 2048-byte sectors,
//! the job bchunk, nrg2iso, mdf2iso and ccd2iso do.
//!
//! Files stored in Mode 2 Form 2 sectors (Video CD MPEG streams, XA audio)
//! hold 2324 bytes a sector, which a plain ISO cannot: such a track is
//! refused unless [`Form2Policy::Form1Only`] is asked for, which writes
//! the Form 1 sectors and zeros in place of the Form 2 ones.

use std::io::Write;

use super::disc::{Disc, Track, TrackMode};
use super::raw::{SUBMODE_FORM2, USER_LEN};
use super::ImageSource;
use crate::error::{Error, Result};
use crate::extract::{Cancel, Progress};
use crate::tree::{ExtentKind, NodeKind, Tree};

/// What to do with Mode 2 Form 2 sectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Form2Policy {
    /// Refuse a track whose files are stored in Form 2.
    #[default]
    Refuse,
    /// Write Form 1 sectors only (Form 2 sectors become zeros).
    Form1Only,
}

/// Options for [`write_iso`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ConvertOptions {
    /// Mode 2 Form 2 handling.
    pub form2: Form2Policy,
}

/// What [`write_iso`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConvertOutcome {
    /// Sectors written.
    pub sectors: u64,
    /// Form 2 sectors written as zeros.
    pub form2_zeroed: u64,
    /// Whether it was cancelled before the end.
    pub cancelled: bool,
}

/// Sectors read and written in one go.
const CHUNK: u32 = 64;

/// Files of `tree` whose first sector is a Mode 2 Form 2 sector of `disc`
/// (at most `max` of their paths).
pub fn form2_files(disc: &Disc, tree: &Tree, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    for id in tree.walk(tree.root()) {
        if out.len() >= max {
            break;
        }
        if tree.kind(id) != NodeKind::File {
            continue;
        }
        let form2 = tree.extents(id).iter().any(|e| {
            e.kind == ExtentKind::Recorded
                && e.len > 0
                && u32::try_from(e.lba())
                    .ok()
                    .and_then(|lba| disc.submode(lba))
                    .is_some_and(|m| m & SUBMODE_FORM2 != 0)
        });
        if form2 {
            out.push(tree.path(id));
        }
    }
    out
}

/// Writes the user data of `track` to `out`, 2048 bytes a sector. A track
/// that does not start at LBA 0 is written from LBA 0 on (earlier tracks
/// as zeros), so the addresses its file system records still hold.
///
/// `form2_paths` are the files the caller found stored in Form 2 (see
/// [`form2_files`]); with [`Form2Policy::Refuse`] any of them makes this
/// an error before anything is written.
///
/// # Errors
/// [`Error::Unsupported`] for an audio track or refused Form 2 files;
/// [`Error::Io`] when reading or writing fails.
pub fn write_iso(
    disc: &Disc,
    track: &Track,
    form2_paths: &[String],
    out: &mut dyn Write,
    options: &ConvertOptions,
    progress: &Progress,
    cancel: &Cancel,
) -> Result<ConvertOutcome> {
    if !track.mode.is_data() {
        return Err(Error::Unsupported(format!(
            "track {} is an audio track; only a data track can be saved as an ISO",
            track.number
        )));
    }
    if options.form2 == Form2Policy::Refuse {
        if let Some(first) = form2_paths.first() {
            return Err(Error::Unsupported(format!(
                "track {} holds files stored in Mode 2 Form 2 sectors (2324 bytes each, e.g. \
                 Video CD MPEG streams: {first}{}), which a plain ISO cannot hold; ask for \
                 Form 1 sectors only to write the rest",
                track.number,
                if form2_paths.len() > 1 {
                    " and others"
                } else {
                    ""
                }
            )));
        }
    }
    let end = track.end();
    progress.set_totals(u64::from(end) * USER_LEN as u64, 1);
    let mut buf = vec![0u8; usize::try_from(CHUNK).unwrap_or(64) * USER_LEN];
    let mut r = ConvertOutcome::default();
    let mut lba = 0u32;
    while lba < end {
        if cancel.is_cancelled() {
            r.cancelled = true;
            return Ok(r);
        }
        let n = CHUNK.min(end - lba);
        let len = usize::try_from(n).unwrap_or(0) * USER_LEN;
        let chunk = buf.get_mut(..len).unwrap_or_default();
        let offset = u64::from(lba) * USER_LEN as u64;
        if lba < track.start {
            chunk.fill(0);
        } else {
            disc.read_exact_at(offset, chunk)
                .map_err(|e| Error::io(offset, e))?;
            if options.form2 == Form2Policy::Form1Only
                && track.mode == TrackMode::Mode2
                && track.storage.layout.is_raw()
            {
                r.form2_zeroed += zero_form2(disc, lba, chunk);
            }
        }
        out.write_all(chunk).map_err(|e| Error::io(offset, e))?;
        progress.add_bytes(crate::bytes::u64_from(len));
        r.sectors += u64::from(n);
        lba += n;
    }
    progress.add_file();
    Ok(r)
}

/// Zeros the Form 2 sectors of a run starting at `lba`; returns how many.
fn zero_form2(disc: &Disc, lba: u32, chunk: &mut [u8]) -> u64 {
    let mut zeroed = 0;
    for (i, sector) in chunk.chunks_exact_mut(USER_LEN).enumerate() {
        let Some(l) = u32::try_from(i).ok().and_then(|i| lba.checked_add(i)) else {
            break;
        };
        if disc.submode(l).is_some_and(|m| m & SUBMODE_FORM2 != 0) {
            sector.fill(0);
            zeroed += 1;
        }
    }
    zeroed
}
