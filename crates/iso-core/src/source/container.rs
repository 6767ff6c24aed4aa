//! Recognising a container by its content, and finding the files of its
//! set beside the one that was opened.
//!
//! What is looked at, in order: a CHD header (`MComprHD`), an MDS
//! descriptor (`MEDIA DESCRIPTOR`), an NRG footer (`NER5` or `NERO` at the
//! end), a text sheet (CUE, cdrdao TOC, CloneCD CCD), then raw sectors (the
//! sync pattern at byte 0). A data file opened on its own (.bin, .img,
//! .mdf) is matched with a sheet beside it that names it, so any member of
//! a set opens the whole disc.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::disc::{ContainerKind, Disc, Storage, Track, TrackMode};
use super::raw::{self, SectorLayout};
use super::{FileSource, ImageSource};
use crate::error::{Error, Result, Warning};

/// Largest text sheet read (a real one is a few KiB).
pub const MAX_SHEET_LEN: u64 = 1 << 20;
/// Most directory entries looked at while searching for a companion.
const MAX_DIR_ENTRIES: usize = 100_000;
/// Most sheets beside a data file read while looking for its set.
const MAX_SHEETS_TRIED: usize = 64;
/// Sheet extensions looked for beside a data file.
const SHEET_EXTENSIONS: [&str; 4] = ["cue", "toc", "ccd", "mds"];

/// Finds the files a sheet names, in the sheet's folder.
#[derive(Debug, Clone)]
pub struct Companions {
    dir: PathBuf,
    sheet: PathBuf,
}

impl Companions {
    /// Companions of the sheet at `sheet`.
    pub fn beside(sheet: &Path) -> Self {
        let dir = sheet
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        Companions {
            dir,
            sheet: fs::canonicalize(sheet).unwrap_or_else(|_| sheet.to_path_buf()),
        }
    }

    /// The sheet's file name without its extension (CloneCD and Alcohol
    /// name their data files after it).
    pub fn sheet_stem(&self) -> String {
        self.sheet
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default()
    }

    /// The host path of the file a sheet calls `name`: as written
    /// (relative to the sheet), else its last component beside the sheet,
    /// else the same name in another letter case beside the sheet.
    ///
    /// # Errors
    /// [`Error::NotFound`] naming the file when none of these exists;
    /// [`Error::Corrupt`] when the sheet names itself.
    pub fn find(&self, name: &str) -> Result<PathBuf> {
        let normal = name.replace('\\', "/");
        let base = normal.rsplit('/').next().unwrap_or(&normal).to_string();
        let mut tries = vec![self.dir.join(&normal)];
        if !base.is_empty() {
            tries.push(self.dir.join(&base));
        }
        let found = tries
            .into_iter()
            .find(|p| p.is_file())
            .or_else(|| self.case_insensitive(&base));
        let Some(path) = found else {
            return Err(Error::NotFound(format!(
                "the data file {name:?} named by {} is missing (looked in {})",
                self.sheet.display(),
                self.dir.display()
            )));
        };
        if fs::canonicalize(&path).ok().as_deref() == Some(self.sheet.as_path()) {
            return Err(Error::corrupt(
                "container sheet",
                0,
                format!("it names itself ({name:?}) as its data file"),
            ));
        }
        Ok(path)
    }

    fn case_insensitive(&self, base: &str) -> Option<PathBuf> {
        if base.is_empty() {
            return None;
        }
        fs::read_dir(&self.dir)
            .ok()?
            .take(MAX_DIR_ENTRIES)
            .filter_map(|e| e.ok())
            .find(|e| e.file_name().to_string_lossy().eq_ignore_ascii_case(base))
            .map(|e| e.path())
            .filter(|p| p.is_file())
    }

    /// Opens the file a sheet calls `name`.
    ///
    /// # Errors
    /// As [`Companions::find`], and when it cannot be opened.
    pub fn open(&self, name: &str) -> Result<Arc<dyn ImageSource>> {
        let path = self.find(name)?;
        let src = FileSource::open(&path).map_err(|e| match e {
            Error::Io { source, .. } => Error::NotFound(format!(
                "the data file {} cannot be opened: {source}",
                path.display()
            )),
            other => other,
        })?;
        Ok(Arc::new(src))
    }

    /// The file beside the sheet called `name` in any letter case, when
    /// there is one (for optional members such as CloneCD's .sub).
    pub fn optional(&self, name: &str) -> Option<Arc<dyn ImageSource>> {
        self.open(name).ok()
    }
}

/// The first bytes of a file, and its length.
fn head(path: &Path, max: usize) -> Result<(Vec<u8>, u64)> {
    let f = fs::File::open(path).map_err(|e| Error::io(0, e))?;
    let len = f.metadata().map_err(|e| Error::io(0, e))?.len();
    let mut buf = Vec::new();
    f.take(crate::bytes::u64_from(max))
        .read_to_end(&mut buf)
        .map_err(|e| Error::io(0, e))?;
    Ok((buf, len))
}

/// Which text sheet `text` is.
fn sheet_kind(text: &str) -> Option<ContainerKind> {
    if text.trim_start().starts_with("[CloneCD]") || text.contains("\n[CloneCD]") {
        Some(ContainerKind::Ccd)
    } else if super::cue::looks_like(text) {
        Some(ContainerKind::Cue)
    } else if super::toc::looks_like(text) {
        Some(ContainerKind::Toc)
    } else {
        None
    }
}

/// Text of a sheet: UTF-8, else Latin-1 (older Windows tools); `None` for
/// bytes that hold NULs (binary data).
fn sheet_text(bytes: &[u8]) -> Option<String> {
    if bytes.contains(&0) {
        return None;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    Some(match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    })
}

/// Opens `path` as a container when it is one (or a member of one);
/// `Ok(None)` for anything else (a plain image).
///
/// # Errors
/// A container that cannot be read: a damaged sheet, a missing data file
/// (named), an unsupported variant.
pub fn open(path: &Path) -> Result<Option<Disc>> {
    open_depth(path, 0)
}

fn open_depth(path: &Path, depth: u32) -> Result<Option<Disc>> {
    let (head, len) = head(path, 64 * 1024)?;
    if head.starts_with(b"MComprHD") {
        return super::chd::open(path).map(Some);
    }
    if head.starts_with(b"MEDIA DESCRIPTOR") {
        return super::mds::open(path).map(Some);
    }
    if let Some(disc) = super::nrg::open_if_nrg(path, len)? {
        return Ok(Some(disc));
    }
    if len <= MAX_SHEET_LEN {
        if let Some(text) = sheet_text(&head) {
            let companions = Companions::beside(path);
            return match sheet_kind(&text) {
                Some(ContainerKind::Cue) => super::cue::open(&text, &companions).map(Some),
                Some(ContainerKind::Toc) => super::toc::open(&text, &companions).map(Some),
                Some(ContainerKind::Ccd) => super::ccd::open(&text, &companions).map(Some),
                _ => Ok(None),
            };
        }
    }
    let synced = raw::has_sync(&head);
    if depth == 0 && (synced || is_member_extension(path)) {
        if let Some(sheet) = sheet_beside(path) {
            if let Some(disc) = open_depth(&sheet, depth + 1)? {
                return Ok(Some(disc));
            }
        }
    }
    if synced {
        return raw_sectors(path, &head).map(Some);
    }
    Ok(None)
}

fn is_member_extension(path: &Path) -> bool {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    matches!(ext.as_str(), "bin" | "img" | "mdf" | "sub" | "raw")
}

/// A sheet beside the data file `path` that belongs to it: one with the
/// same stem, else one that names the file.
fn sheet_beside(path: &Path) -> Option<PathBuf> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty())?;
    let file_name = path.file_name()?.to_string_lossy().to_string();
    let stem = path.file_stem()?.to_string_lossy().to_ascii_lowercase();
    let mut sheets: Vec<PathBuf> = fs::read_dir(dir)
        .ok()?
        .take(MAX_DIR_ENTRIES)
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|e| {
                SHEET_EXTENSIONS.contains(&e.to_string_lossy().to_ascii_lowercase().as_str())
            })
        })
        .collect();
    sheets.sort();
    let same_stem = sheets.iter().find(|p| {
        p.file_stem()
            .is_some_and(|s| s.to_string_lossy().to_ascii_lowercase() == stem)
    });
    if let Some(p) = same_stem {
        return Some(p.clone());
    }
    let needle = file_name.to_ascii_lowercase();
    sheets.into_iter().take(MAX_SHEETS_TRIED).find(|p| {
        fs::metadata(p).is_ok_and(|m| m.len() <= MAX_SHEET_LEN)
            && fs::read(p).is_ok_and(|b| {
                String::from_utf8_lossy(&b)
                    .to_ascii_lowercase()
                    .contains(&needle)
            })
    })
}

/// A file of raw sectors with no sheet: one data track, its layout found
/// from where the next sync pattern is and its mode from the first header.
fn raw_sectors(path: &Path, head: &[u8]) -> Result<Disc> {
    let layout = if head.get(2448..2460).is_some_and(raw::has_sync)
        && !head.get(2352..2364).is_some_and(raw::has_sync)
    {
        SectorLayout::RawSub
    } else {
        SectorLayout::Raw
    };
    let mut warnings = Vec::new();
    let mode = match head.get(15).copied() {
        Some(1) => TrackMode::Mode1,
        Some(2) => TrackMode::Mode2,
        other => {
            warnings.push(Warning::new(
                "raw sector header",
                Some(0),
                format!(
                    "the first sector's header claims mode {}; read as Mode 1",
                    other.unwrap_or(0)
                ),
            ));
            TrackMode::Mode1
        }
    };
    let file: Arc<dyn ImageSource> = Arc::new(FileSource::open(path)?);
    let length = u32::try_from(file.len() / u64::from(layout.stored_len())).unwrap_or(u32::MAX);
    let track = Track {
        number: 1,
        session: 1,
        mode,
        sector_len: layout.stored_len(),
        start: 0,
        length,
        pregap: 0,
        storage: Storage {
            file: 0,
            offset: 0,
            layout,
            byte_order: Default::default(),
        },
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    Ok(Disc::new(
        ContainerKind::RawSectors,
        vec![track],
        vec![file],
        vec![name],
        warnings,
    ))
}

/// The data track whose file system is read: `track` when given, else the
/// first data track of `session` (1-based, in the order of
/// [`Disc::sessions`]), else the first data track of the newest session
/// that has one. `Ok(None)` when the disc has no data track at all.
///
/// # Errors
/// [`Error::NotFound`] for a track or session the disc does not have, or a
/// track that holds audio.
pub fn pick_track(disc: &Disc, track: Option<u8>, session: Option<u32>) -> Result<Option<&Track>> {
    if let Some(n) = track {
        let t = disc.track(n).ok_or_else(|| {
            Error::NotFound(format!(
                "track {n} (the disc has tracks {})",
                track_list(disc)
            ))
        })?;
        if !t.mode.is_data() {
            return Err(Error::NotFound(format!(
                "a file system on track {n}: it is an audio track"
            )));
        }
        return Ok(Some(t));
    }
    let sessions = disc.sessions();
    if sessions.len() > 1 {
        if let Some(s) = session {
            let number = usize::try_from(s)
                .ok()
                .and_then(|s| s.checked_sub(1))
                .and_then(|i| sessions.get(i))
                .ok_or_else(|| {
                    Error::NotFound(format!(
                        "session {s} (the disc has sessions 1..{})",
                        sessions.len()
                    ))
                })?;
            return disc
                .first_data_track(Some(*number))
                .map(Some)
                .ok_or_else(|| Error::NotFound(format!("a data track in session {s}")));
        }
        if let Some(t) = sessions
            .iter()
            .rev()
            .find_map(|&s| disc.first_data_track(Some(s)))
        {
            return Ok(Some(t));
        }
    }
    Ok(disc.first_data_track(None))
}

fn track_list(disc: &Disc) -> String {
    disc.tracks
        .iter()
        .map(|t| t.number.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The ISO 9660 sessions of a disc as its session table gives them: for
/// each session, the primary volume descriptor at its first data track's
/// start + 16.
pub fn disc_sessions(disc: &Disc, source: &dyn ImageSource) -> Vec<crate::Session> {
    let mut out = Vec::new();
    for s in disc.sessions() {
        let Some(t) = disc.first_data_track(Some(s)) else {
            continue;
        };
        let lba = t.start.saturating_add(16);
        let Ok(sector) = super::read_vec(source, u64::from(lba) * crate::SECTOR_LEN, 2048) else {
            continue;
        };
        if let Ok(vd) = crate::iso9660::raw::VolumeDescriptor::parse(&sector, lba) {
            out.push(crate::Session {
                number: u32::from(s),
                start_lba: t.start,
                volume_space_size: vd.volume_space_size,
                volume_identifier: vd.volume_identifier,
            });
        }
    }
    out
}
