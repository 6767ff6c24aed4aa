//! CUE sheets: FILE, TRACK, INDEX, PREGAP and POSTGAP (the CDRWIN sheet
//! format as CD burning software writes it), turned into a [`Disc`].
//!
//! Positions in a sheet are mm:ss:ff counted from the start of the FILE
//! they follow; a track's sectors run from its INDEX 01 (INDEX 00 begins
//! its pregap in the file) to the next track's first index or the end of
//! the file. PREGAP and POSTGAP add sectors that are not stored.

use std::sync::Arc;

use super::container::Companions;
use super::disc::{ByteOrder, ContainerKind, Disc, Storage, Track, TrackMode};
use super::raw::{Msf, SectorLayout};
use super::ImageSource;
use crate::error::{Error, Result, Warning};

/// Most tracks on a CD (Red Book).
pub const MAX_TRACKS: usize = 99;
/// Most FILE lines honoured.
pub const MAX_FILES: usize = 99;

/// One TRACK of the sheet, before layout.
#[derive(Debug, Clone)]
struct SheetTrack {
    number: u8,
    file: usize,
    mode: TrackMode,
    layout: SectorLayout,
    /// INDEX 00, frames from the file's start.
    index0: Option<u32>,
    /// INDEX 01, frames from the file's start.
    index1: Option<u32>,
    pregap: u32,
    postgap: u32,
}

/// One FILE of the sheet.
#[derive(Debug, Clone)]
struct SheetFile {
    name: String,
    byte_order: ByteOrder,
    /// WAVE: a RIFF file whose samples start after its header.
    wave: bool,
}

/// A parsed sheet.
#[derive(Debug, Default)]
struct Sheet {
    files: Vec<SheetFile>,
    tracks: Vec<SheetTrack>,
    warnings: Vec<Warning>,
}

/// Whether `text` looks like a CUE sheet (a FILE line and a numbered
/// TRACK line).
pub fn looks_like(text: &str) -> bool {
    let mut file = false;
    let mut track = false;
    for line in text.lines().take(200) {
        let mut w = line.split_whitespace();
        match w.next().map(str::to_ascii_uppercase).as_deref() {
            Some("FILE") => file = true,
            Some("TRACK") => {
                track |= w
                    .next()
                    .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
            }
            _ => {}
        }
    }
    file && track
}

/// Splits a line into words, a double-quoted word keeping its spaces.
pub(crate) fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = line.trim().chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            let w: String = chars.by_ref().take_while(|&c| c != '"').collect();
            out.push(w);
        } else {
            let mut w = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                w.push(c);
                chars.next();
            }
            out.push(w);
        }
    }
    out
}

fn track_type(word: &str) -> Option<(TrackMode, SectorLayout)> {
    Some(match word.to_ascii_uppercase().as_str() {
        "AUDIO" | "CDG" => (TrackMode::Audio, SectorLayout::Raw),
        "MODE1/2048" => (TrackMode::Mode1, SectorLayout::Cooked),
        "MODE1/2352" => (TrackMode::Mode1, SectorLayout::Raw),
        "MODE2/2336" | "CDI/2336" => (TrackMode::Mode2, SectorLayout::Mode2Raw),
        "MODE2/2352" | "CDI/2352" => (TrackMode::Mode2, SectorLayout::Raw),
        "MODE2/2048" | "MODE2/2324" => (TrackMode::Mode2, SectorLayout::Cooked),
        _ => return None,
    })
}

fn parse(text: &str) -> Result<Sheet> {
    let mut s = Sheet::default();
    for (n, line) in text.lines().enumerate() {
        let w = words(line);
        let Some(cmd) = w.first() else { continue };
        let lineno = n + 1;
        let warn = |s: &mut Sheet, what: String| {
            s.warnings.push(Warning::new(
                "CUE sheet",
                None,
                format!("line {lineno}: {what}"),
            ))
        };
        match cmd.to_ascii_uppercase().as_str() {
            "FILE" => {
                if s.files.len() >= MAX_FILES {
                    return Err(Error::Unsupported(format!(
                        "CUE sheet line {lineno}: more than {MAX_FILES} FILE lines"
                    )));
                }
                let name = w.get(1).cloned().unwrap_or_default();
                let ty = w.get(2).map(|t| t.to_ascii_uppercase()).unwrap_or_default();
                s.files.push(SheetFile {
                    name,
                    byte_order: if ty == "MOTOROLA" {
                        ByteOrder::Big
                    } else {
                        ByteOrder::Little
                    },
                    wave: ty == "WAVE",
                });
            }
            "TRACK" => {
                if s.tracks.len() >= MAX_TRACKS {
                    return Err(Error::Unsupported(format!(
                        "CUE sheet line {lineno}: more than {MAX_TRACKS} tracks (a CD holds at most 99)"
                    )));
                }
                let Some(file) = s.files.len().checked_sub(1) else {
                    return Err(Error::corrupt(
                        "CUE sheet",
                        0,
                        format!("line {lineno}: TRACK before any FILE"),
                    ));
                };
                let number = w.get(1).and_then(|n| n.parse::<u8>().ok()).unwrap_or(0);
                let Some((mode, layout)) = w.get(2).and_then(|t| track_type(t)) else {
                    return Err(Error::Unsupported(format!(
                        "CUE sheet line {lineno}: track type {:?}",
                        w.get(2).map_or("", String::as_str)
                    )));
                };
                s.tracks.push(SheetTrack {
                    number,
                    file,
                    mode,
                    layout,
                    index0: None,
                    index1: None,
                    pregap: 0,
                    postgap: 0,
                });
            }
            "INDEX" => {
                let idx = w.get(1).and_then(|n| n.parse::<u8>().ok());
                let at = w.get(2).and_then(|m| Msf::parse(m)).map(Msf::frames);
                let (Some(idx), Some(at)) = (idx, at) else {
                    warn(&mut s, "INDEX line not understood; ignored".into());
                    continue;
                };
                let Some(t) = s.tracks.last_mut() else {
                    warn(&mut s, "INDEX before any TRACK; ignored".into());
                    continue;
                };
                match idx {
                    0 => t.index0 = Some(at),
                    1 => t.index1 = Some(at),
                    _ => {}
                }
            }
            "PREGAP" | "POSTGAP" => {
                let at = w.get(1).and_then(|m| Msf::parse(m)).map(Msf::frames);
                match (s.tracks.last_mut(), at) {
                    (Some(t), Some(f)) if cmd.eq_ignore_ascii_case("PREGAP") => t.pregap = f,
                    (Some(t), Some(f)) => t.postgap = f,
                    _ => warn(&mut s, format!("{cmd} line not understood; ignored")),
                }
            }
            _ => {}
        }
    }
    if s.tracks.is_empty() {
        return Err(Error::corrupt("CUE sheet", 0, "no TRACK lines"));
    }
    Ok(s)
}

/// Reads a CUE sheet and opens the files it names (found beside the sheet
/// by `companions`).
///
/// # Errors
/// A sheet that cannot be understood, or a data file that is missing.
pub fn open(text: &str, companions: &Companions) -> Result<Disc> {
    let sheet = parse(text)?;
    let mut files: Vec<Arc<dyn ImageSource>> = Vec::new();
    let mut names = Vec::new();
    let mut data_starts = Vec::new();
    for f in &sheet.files {
        let src = companions.open(&f.name)?;
        data_starts.push(if f.wave {
            wave_data_offset(src.as_ref())
        } else {
            0
        });
        files.push(src);
        names.push(f.name.clone());
    }
    let mut warnings = sheet.warnings;
    let tracks = layout(
        &sheet.tracks,
        &sheet.files,
        &files,
        &data_starts,
        &mut warnings,
    );
    Ok(Disc::new(
        ContainerKind::Cue,
        tracks,
        files,
        names,
        warnings,
    ))
}

/// Where the samples of a WAVE file start (after its "data" chunk
/// header); 44 when the header cannot be read.
fn wave_data_offset(src: &dyn ImageSource) -> u64 {
    let mut head = [0u8; 12];
    if src.read_exact_at(0, &mut head).is_err() || head.get(..4) != Some(b"RIFF") {
        return 0;
    }
    let mut pos = 12u64;
    for _ in 0..64 {
        let mut ch = [0u8; 8];
        if src.read_exact_at(pos, &mut ch).is_err() {
            break;
        }
        let size = u64::from(crate::bytes::le_u32(&ch, 4).unwrap_or(0));
        if ch.get(..4) == Some(b"data") {
            return pos + 8;
        }
        pos = pos.saturating_add(8).saturating_add(size + (size & 1));
    }
    44
}

/// Turns sheet positions into absolute LBAs and file offsets.
fn layout(
    sheet: &[SheetTrack],
    sheet_files: &[SheetFile],
    files: &[Arc<dyn ImageSource>],
    data_starts: &[u64],
    warnings: &mut Vec<Warning>,
) -> Vec<Track> {
    let mut out = Vec::new();
    let mut disc_lba: u64 = 0;
    // Byte position in the current file of the current track's first
    // index, and that index in frames.
    let mut cursor: (usize, u64, u32) = (usize::MAX, 0, 0);
    for (i, t) in sheet.iter().enumerate() {
        let Some(index1) = t.index1 else {
            warnings.push(Warning::new(
                "CUE sheet",
                None,
                format!("track {} has no INDEX 01; skipped", t.number),
            ));
            continue;
        };
        let first = t.index0.unwrap_or(index1).min(index1);
        let stride = u64::from(t.layout.stored_len());
        if cursor.0 != t.file {
            cursor = (t.file, data_starts.get(t.file).copied().unwrap_or(0), 0);
        }
        // Bytes from the previous track's first index to this one's,
        // counted in the previous track's sector size (kept in cursor).
        let (_, base, base_frames) = cursor;
        let prev_stride = out
            .last()
            .filter(|p: &&Track| p.storage.file == t.file)
            .map_or(stride, |p| u64::from(p.sector_len));
        let first_byte =
            base.saturating_add(u64::from(first.saturating_sub(base_frames)) * prev_stride);
        let index1_byte = first_byte.saturating_add(u64::from(index1 - first) * stride);
        cursor = (t.file, first_byte, first);
        let file_len = files.get(t.file).map_or(0, |f| f.len());
        // The track ends where the next track in the same file begins.
        let next_first = sheet
            .get(i + 1)
            .filter(|n| n.file == t.file)
            .and_then(|n| n.index0.or(n.index1));
        let length = match next_first {
            Some(nf) => u64::from(nf.saturating_sub(index1)),
            None => file_len.saturating_sub(index1_byte) / stride,
        };
        if index1_byte >= file_len {
            let name = sheet_files.get(t.file).map_or("?", |f| f.name.as_str());
            warnings.push(Warning::new(
                "CUE sheet",
                None,
                format!(
                    "track {} starts at byte {index1_byte}, past the end of {name:?} ({file_len} bytes)",
                    t.number
                ),
            ));
        }
        let stored_pregap = u64::from(index1 - first);
        let pregap = stored_pregap + u64::from(t.pregap);
        if !out.is_empty() || i > 0 {
            disc_lba = disc_lba.saturating_add(pregap);
        }
        let start = u32::try_from(disc_lba).unwrap_or(u32::MAX);
        let length = u32::try_from(length).unwrap_or(u32::MAX);
        out.push(Track {
            number: t.number,
            session: 1,
            mode: t.mode,
            sector_len: t.layout.stored_len(),
            start,
            length,
            pregap: u32::try_from(pregap).unwrap_or(u32::MAX),
            storage: Storage {
                file: t.file,
                offset: index1_byte,
                layout: t.layout,
                byte_order: sheet_files
                    .get(t.file)
                    .map_or(ByteOrder::Little, |f| f.byte_order),
            },
        });
        disc_lba = disc_lba
            .saturating_add(u64::from(length))
            .saturating_add(u64::from(t.postgap));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_quoted_spaces() {
        assert_eq!(
            words(r#"FILE "My Disc (Track 1).bin" BINARY"#),
            vec!["FILE", "My Disc (Track 1).bin", "BINARY"]
        );
    }

    #[test]
    fn recognises_sheets() {
        assert!(looks_like("FILE \"a.bin\" BINARY\n  TRACK 01 MODE1/2352\n"));
        assert!(!looks_like("CD_ROM\nTRACK MODE1_RAW\nDATAFILE \"a.bin\"\n"));
    }

    #[test]
    fn too_many_tracks_is_an_error() {
        let mut text = String::from("FILE \"a.bin\" BINARY\n");
        for n in 0..10_000 {
            text.push_str(&format!("TRACK {n:02} AUDIO\nINDEX 01 00:00:00\n"));
        }
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains("more than 99 tracks"), "{err}");
    }
}
