//! Checking every raw data sector of a disc: EDC, then ECC where the EDC
//! fails (ECMA-130 §14.3, Annex A), and whether each header names the
//! address it is stored at. A damaged sector is named by its track and
//! MSF address.

use super::disc::{Disc, Track};
use super::raw::{self, Msf, SectorCheck, RAW_LEN};
use crate::error::{Error, Result};
use crate::extract::{Cancel, Progress};

/// Most damaged sectors listed one by one (all are counted).
pub const MAX_LISTED: usize = 10_000;

/// One sector that is not as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectorProblem {
    /// Absolute logical block address.
    pub lba: u32,
    /// Its MSF address (LBA 0 is 00:02:00).
    pub msf: Msf,
    /// The track it belongs to.
    pub track: u8,
    /// What checking it found.
    pub check: SectorCheck,
    /// The header names another address (or none that is valid BCD).
    pub header_mismatch: bool,
}

impl std::fmt::Display for SectorProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "track {} sector {} (LBA {}): ",
            self.track, self.msf, self.lba
        )?;
        match self.check {
            SectorCheck::Corrected { bytes } => {
                write!(f, "EDC mismatch, corrected by the ECC ({bytes} bytes)")?
            }
            SectorCheck::Uncorrectable => write!(f, "EDC mismatch the ECC cannot correct")?,
            SectorCheck::Form2EdcMismatch => write!(f, "Mode 2 Form 2 EDC mismatch (no ECC)")?,
            SectorCheck::NoSync => write!(f, "sync pattern missing")?,
            SectorCheck::BadMode(m) => write!(f, "header claims mode {m}")?,
            SectorCheck::Good | SectorCheck::Unchecked => write!(f, "EDC good")?,
        }
        if self.header_mismatch {
            write!(f, "; the header names another address")?;
        }
        Ok(())
    }
}

/// What [`check_sectors`] found.
#[derive(Debug, Clone, Default)]
pub struct ScanReport {
    /// Raw data sectors checked.
    pub checked: u64,
    /// Sectors whose EDC matched.
    pub good: u64,
    /// Sectors with nothing to check (Form 2 without EDC, Mode 0).
    pub unchecked: u64,
    /// Sectors the ECC corrected.
    pub corrected: u64,
    /// Sectors that are damaged beyond the ECC (or have no sync, a bad
    /// mode, a Form 2 EDC mismatch).
    pub damaged: u64,
    /// Data sectors stored without EDC/ECC (2048-byte tracks): not
    /// checkable.
    pub cooked: u64,
    /// The problems, in address order (at most [`MAX_LISTED`]).
    pub problems: Vec<SectorProblem>,
    /// Whether the scan was cancelled before the end.
    pub cancelled: bool,
}

impl ScanReport {
    /// Whether every checked sector is good or was corrected.
    pub fn all_readable(&self) -> bool {
        self.damaged == 0
    }
}

/// Checks every raw data sector of `disc`. `progress` counts bytes of
/// stored sectors (its total is set first); `cancel` stops between
/// sectors.
///
/// # Errors
/// [`Error::Io`] when a data file cannot be read.
pub fn check_sectors(disc: &Disc, progress: &Progress, cancel: &Cancel) -> Result<ScanReport> {
    let data: Vec<&Track> = disc.tracks.iter().filter(|t| t.mode.is_data()).collect();
    let total: u64 = data
        .iter()
        .map(|t| u64::from(t.length) * u64::from(t.sector_len))
        .sum();
    progress.set_totals(total, u64::try_from(data.len()).unwrap_or(0));
    let mut r = ScanReport::default();
    for t in data {
        if !t.storage.layout.is_raw() {
            r.cooked += u64::from(t.length);
            progress.add_bytes(u64::from(t.length) * u64::from(t.sector_len));
            progress.add_file();
            continue;
        }
        for lba in t.start..t.end() {
            if cancel.is_cancelled() {
                r.cancelled = true;
                return Ok(r);
            }
            let sector = disc
                .raw_sector(lba)
                .map_err(|e| Error::io(u64::from(lba) * RAW_LEN as u64, e))?;
            let Some(mut s) = sector else { continue };
            note(&mut r, t, lba, &mut s);
            progress.add_bytes(u64::from(t.sector_len));
        }
        progress.add_file();
    }
    Ok(r)
}

fn note(r: &mut ScanReport, t: &Track, lba: u32, s: &mut [u8; RAW_LEN]) {
    let check = raw::check(s);
    let msf = Msf::from_lba(lba);
    let header_mismatch = check != SectorCheck::NoSync && raw::header(s).msf != Some(msf);
    r.checked += 1;
    match check {
        SectorCheck::Good => r.good += 1,
        SectorCheck::Unchecked => r.unchecked += 1,
        SectorCheck::Corrected { .. } => r.corrected += 1,
        _ => r.damaged += 1,
    }
    let problem = header_mismatch || !matches!(check, SectorCheck::Good | SectorCheck::Unchecked);
    if problem && r.problems.len() < MAX_LISTED {
        r.problems.push(SectorProblem {
            lba,
            msf,
            track: t.number,
            check,
            header_mismatch,
        });
    }
}
