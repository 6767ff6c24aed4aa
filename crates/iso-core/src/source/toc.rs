//! cdrdao TOC files: `CD_ROM`/`CD_ROM_XA`/`CD_DA`, `TRACK <mode> [RW|RW_RAW]`,
//! `FILE`/`AUDIOFILE`/`DATAFILE "name" [#offset] [start] [length]`,
//! `ZERO`/`SILENCE`, `START`, `PREGAP`, turned into a [`Disc`] (the format
//! of cdrdao's toc(5) manual page).
//!
//! A track is a run of parts (data from a file, or sectors of zeros); its
//! INDEX 01 is where `START` (or the end of `PREGAP`) puts it. A part with
//! no `#offset` continues the same file where the previous part left off.

use std::collections::HashMap;
use std::sync::Arc;

use super::container::Companions;
use super::cue::{words, MAX_TRACKS};
use super::disc::{ContainerKind, Disc, Storage, Track, TrackMode};
use super::raw::{Msf, SectorLayout};
use super::ImageSource;
use crate::error::{Error, Result, Warning};

/// Samples (16-bit stereo pairs) in one CD-DA sector.
const SAMPLES_PER_SECTOR: u64 = 588;

/// Whether `text` looks like a TOC file: a disc type line or a `TRACK`
/// followed by a mode word.
pub fn looks_like(text: &str) -> bool {
    text.lines().take(400).any(|line| {
        let w = words(strip_comment(line));
        match w.first().map(String::as_str) {
            Some("CD_ROM" | "CD_ROM_XA" | "CD_DA" | "CD_I") => true,
            Some("TRACK") => w.get(1).is_some_and(|m| track_mode(m).is_some()),
            _ => false,
        }
    })
}

fn strip_comment(line: &str) -> &str {
    // "//" inside a quoted name would be cut too; names with "//" are not
    // seen in practice.
    line.split("//").next().unwrap_or("")
}

/// A TRACK mode's meaning and stored sector size (without subchannel).
fn track_mode(word: &str) -> Option<(TrackMode, SectorLayout)> {
    Some(match word {
        "AUDIO" => (TrackMode::Audio, SectorLayout::Raw),
        "MODE1" | "MODE2_FORM1" => (
            if word == "MODE1" {
                TrackMode::Mode1
            } else {
                TrackMode::Mode2
            },
            SectorLayout::Cooked,
        ),
        "MODE1_RAW" => (TrackMode::Mode1, SectorLayout::Raw),
        "MODE2" | "MODE2_FORM_MIX" => (TrackMode::Mode2, SectorLayout::Mode2Raw),
        "MODE2_RAW" => (TrackMode::Mode2, SectorLayout::Raw),
        _ => return None,
    })
}

/// A length or position: mm:ss:ff, else a plain number in `unit`s per
/// sector (bytes for data, samples for audio).
fn sectors(word: &str, unit: u64) -> Option<u64> {
    if word.contains(':') {
        return Msf::parse(word).map(|m| u64::from(m.frames()));
    }
    word.parse::<u64>().ok().map(|n| n / unit.max(1))
}

/// One part of a track.
#[derive(Debug, Clone)]
struct Part {
    /// The file and byte offset, or `None` for zeros.
    file: Option<(usize, u64)>,
    /// Sectors; `None` to the end of the file.
    sectors: Option<u64>,
}

#[derive(Debug, Clone)]
struct TocTrack {
    mode: TrackMode,
    layout: SectorLayout,
    parts: Vec<Part>,
    /// Sectors from the track's beginning to INDEX 01.
    start: Option<u64>,
}

/// Reads a TOC file and opens the files it names.
///
/// # Errors
/// A TOC that cannot be understood, or a missing data file.
pub fn open(text: &str, companions: &Companions) -> Result<Disc> {
    let mut tracks: Vec<TocTrack> = Vec::new();
    let mut files: Vec<Arc<dyn ImageSource>> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut next_byte: HashMap<usize, u64> = HashMap::new();
    let mut warnings = Vec::new();
    let mut brace_depth = 0u32;
    for (n, line) in text.lines().enumerate() {
        let line = strip_comment(line);
        // CD_TEXT { ... } blocks say nothing about the layout.
        let opens = u32::try_from(line.matches('{').count()).unwrap_or(u32::MAX);
        let closes = u32::try_from(line.matches('}').count()).unwrap_or(u32::MAX);
        let was = brace_depth;
        brace_depth = brace_depth.saturating_add(opens).saturating_sub(closes);
        if was > 0 || opens > 0 {
            continue;
        }
        let w = words(line);
        let Some(cmd) = w.first().map(String::as_str) else {
            continue;
        };
        let lineno = n + 1;
        match cmd {
            "TRACK" => {
                if tracks.len() >= MAX_TRACKS {
                    return Err(Error::Unsupported(format!(
                        "TOC line {lineno}: more than {MAX_TRACKS} tracks"
                    )));
                }
                let Some((mode, mut layout)) = w.get(1).and_then(|m| track_mode(m)) else {
                    return Err(Error::Unsupported(format!(
                        "TOC line {lineno}: track mode {:?}",
                        w.get(1).map_or("", String::as_str)
                    )));
                };
                if matches!(w.get(2).map(String::as_str), Some("RW" | "RW_RAW")) {
                    if layout == SectorLayout::Raw {
                        layout = SectorLayout::RawSub;
                    } else {
                        return Err(Error::Unsupported(format!(
                            "TOC line {lineno}: subchannel data with a non-raw track"
                        )));
                    }
                }
                tracks.push(TocTrack {
                    mode,
                    layout,
                    parts: Vec::new(),
                    start: None,
                });
            }
            "FILE" | "AUDIOFILE" | "DATAFILE" => {
                let Some(t) = tracks.last_mut() else {
                    return Err(Error::corrupt(
                        "TOC file",
                        0,
                        format!("line {lineno}: {cmd} before TRACK"),
                    ));
                };
                let name = w.get(1).cloned().unwrap_or_default();
                let idx = match names.iter().position(|x| *x == name) {
                    Some(i) => i,
                    None => {
                        files.push(companions.open(&name)?);
                        names.push(name.clone());
                        names.len() - 1
                    }
                };
                let mut rest: Vec<&str> = w.iter().skip(2).map(String::as_str).collect();
                let mut offset = next_byte.get(&idx).copied().unwrap_or(0);
                if let Some(o) = rest.first().and_then(|r| r.strip_prefix('#')) {
                    offset = o.parse().unwrap_or(0);
                    rest.remove(0);
                }
                let stride = u64::from(t.layout.stored_len());
                let unit = if t.mode == TrackMode::Audio {
                    SAMPLES_PER_SECTOR
                } else {
                    stride
                };
                if cmd != "DATAFILE" {
                    // FILE's first number is where in the file to start.
                    if let Some(s) = rest.first().and_then(|s| sectors(s, SAMPLES_PER_SECTOR)) {
                        offset = offset.saturating_add(s.saturating_mul(stride));
                    }
                    rest.drain(..rest.len().min(1));
                }
                let len = rest.first().and_then(|l| sectors(l, unit));
                let file_len = files.get(idx).map_or(0, |f| f.len());
                let len_sectors = len.unwrap_or(file_len.saturating_sub(offset) / stride);
                next_byte.insert(
                    idx,
                    offset.saturating_add(len_sectors.saturating_mul(stride)),
                );
                t.parts.push(Part {
                    file: Some((idx, offset)),
                    sectors: Some(len_sectors),
                });
            }
            "ZERO" | "SILENCE" | "PREGAP" => {
                let Some(t) = tracks.last_mut() else { continue };
                let len = w
                    .last()
                    .and_then(|l| sectors(l, SAMPLES_PER_SECTOR))
                    .unwrap_or(0);
                t.parts.push(Part {
                    file: None,
                    sectors: Some(len),
                });
                if cmd == "PREGAP" {
                    t.start = Some(total(&t.parts));
                }
            }
            "START" => {
                let Some(t) = tracks.last_mut() else { continue };
                t.start = Some(
                    match w.get(1).and_then(|s| sectors(s, SAMPLES_PER_SECTOR)) {
                        Some(s) => s,
                        None => total(&t.parts),
                    },
                );
            }
            _ => {}
        }
    }
    if tracks.is_empty() {
        return Err(Error::corrupt("TOC file", 0, "no TRACK lines"));
    }
    let out = layout(&tracks, &mut warnings);
    Ok(Disc::new(ContainerKind::Toc, out, files, names, warnings))
}

fn total(parts: &[Part]) -> u64 {
    parts
        .iter()
        .map(|p| p.sectors.unwrap_or(0))
        .fold(0, u64::saturating_add)
}

fn layout(tracks: &[TocTrack], warnings: &mut Vec<Warning>) -> Vec<Track> {
    let mut out = Vec::new();
    let mut lba: u64 = 0;
    for (i, t) in tracks.iter().enumerate() {
        let number = u8::try_from(i + 1).unwrap_or(u8::MAX);
        let all = total(&t.parts);
        let pregap = t.start.unwrap_or(0).min(all);
        // The part holding INDEX 01, and how far into it INDEX 01 is; the
        // parts from there on must be one file's data for the track to be
        // read whole.
        let mut before = 0u64;
        let mut storage = None;
        let mut data_parts = 0;
        let stride = u64::from(t.layout.stored_len());
        for p in &t.parts {
            let len = p.sectors.unwrap_or(0);
            let holds_start = pregap < before.saturating_add(len) || (len == 0 && pregap == before);
            if let Some((file, offset)) = p.file.filter(|_| storage.is_some() || holds_start) {
                data_parts += 1;
                if storage.is_none() {
                    let skip = pregap.saturating_sub(before);
                    storage = Some((file, offset.saturating_add(skip.saturating_mul(stride))));
                }
            }
            before = before.saturating_add(len);
        }
        if data_parts > 1 {
            warnings.push(Warning::new(
                "TOC file",
                None,
                format!("track {number} is made of {data_parts} file parts after its start; only the first is read"),
            ));
        }
        let (file, offset) = storage.unwrap_or((0, 0));
        // Track 1's pregap lies before LBA 0 (00:02:00).
        let start = if i == 0 {
            0
        } else {
            lba.saturating_add(pregap)
        };
        out.push(Track {
            number,
            session: 1,
            mode: t.mode,
            sector_len: t.layout.stored_len(),
            start: u32::try_from(start).unwrap_or(u32::MAX),
            length: u32::try_from(all - pregap).unwrap_or(u32::MAX),
            pregap: u32::try_from(pregap).unwrap_or(u32::MAX),
            storage: Storage {
                file,
                offset,
                layout: t.layout,
                byte_order: Default::default(),
            },
        });
        lba = start.saturating_add(all - pregap);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_toc_files() {
        assert!(looks_like("CD_ROM\n\n// Track 1\nTRACK MODE1_RAW\n"));
        assert!(!looks_like("FILE \"a.bin\" BINARY\nTRACK 01 MODE1/2352\n"));
    }

    #[test]
    fn lengths_in_msf_bytes_and_samples() {
        assert_eq!(sectors("00:04:02", 2352), Some(302));
        assert_eq!(sectors("710304", 2352), Some(302));
        assert_eq!(sectors("1176", 588), Some(2));
    }
}
