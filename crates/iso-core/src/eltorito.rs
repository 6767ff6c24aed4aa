//! El Torito bootable CD-ROM format: the boot catalog, its entries and the
//! sizes of the boot images.
//!
//! The Boot Record volume descriptor (El Torito 1.0 §2.0) holds the sector
//! of the boot catalog (§2.x): a list of 32-byte entries starting with the
//! validation entry (§2.1) and the initial/default entry (§2.2), then
//! optional sections, each a section header (§2.3) followed by its section
//! entries (§2.4) and their extensions (§2.5).
//!
//! The catalog is read defensively: at most [`MAX_CATALOG_SECTORS`] sectors
//! and [`MAX_ENTRIES`] boot entries; a damaged validation entry is an error,
//! everything after it that does not parse becomes a warning and ends the
//! walk.

use crate::bytes::{self, le_u16, le_u32, u8_at};
use crate::error::{Error, Result, Warning};
use crate::source::{read_vec, ImageSource};
use crate::units::Sector;
use crate::SECTOR_LEN;

/// Most catalog sectors read (64 × 64 entries of 32 bytes).
pub const MAX_CATALOG_SECTORS: u32 = 64;
/// Most boot entries (initial/default plus section entries) kept.
pub const MAX_ENTRIES: usize = 1024;

/// Bytes in one catalog entry.
const ENTRY_LEN: usize = 32;
/// Entries in one 2048-byte catalog sector.
const ENTRIES_PER_SECTOR: u32 = 64;
/// Byte offset of the boot catalog pointer in the Boot Record (§2.0).
const CATALOG_POINTER_OFFSET: usize = 0x47;
/// Boot system identifier of an El Torito Boot Record (§2.0).
const EL_TORITO_ID: &[u8] = b"EL TORITO SPECIFICATION";

const STRUCTURE: &str = "El Torito boot catalog";

/// Boot platform (El Torito §2.1 platform id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    /// 0x00: 80x86 BIOS.
    X86Bios,
    /// 0x01: PowerPC.
    PowerPc,
    /// 0x02: Mac.
    Mac,
    /// 0xEF: UEFI.
    Efi,
    /// Anything else.
    Other(u8),
}

impl Platform {
    /// The platform for a platform id byte.
    pub fn from_byte(b: u8) -> Self {
        match b {
            0x00 => Platform::X86Bios,
            0x01 => Platform::PowerPc,
            0x02 => Platform::Mac,
            0xEF => Platform::Efi,
            other => Platform::Other(other),
        }
    }

    /// Short name used in boot image names: "BIOS", "PowerPC", "Mac",
    /// "UEFI", or "platform0xNN".
    pub fn short_name(self) -> String {
        match self {
            Platform::X86Bios => "BIOS".into(),
            Platform::PowerPc => "PowerPC".into(),
            Platform::Mac => "Mac".into(),
            Platform::Efi => "UEFI".into(),
            Platform::Other(b) => format!("platform0x{b:02X}"),
        }
    }
}

/// Boot media emulation type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Emulation {
    /// No emulation.
    NoEmulation,
    /// 1.2 MB floppy.
    Floppy1200,
    /// 1.44 MB floppy.
    Floppy1440,
    /// 2.88 MB floppy.
    Floppy2880,
    /// Hard disk.
    HardDisk,
    /// Reserved value.
    Other(u8),
}

impl Emulation {
    /// The emulation for the boot media type byte (§2.2 offset 1; only
    /// bits 0–3 name the emulation, the others are flags in §2.4).
    pub fn from_byte(b: u8) -> Self {
        match b & 0x0F {
            0 => Emulation::NoEmulation,
            1 => Emulation::Floppy1200,
            2 => Emulation::Floppy1440,
            3 => Emulation::Floppy2880,
            4 => Emulation::HardDisk,
            other => Emulation::Other(other),
        }
    }

    /// Short name used in boot image names: "noemul", "floppy1200",
    /// "floppy1440", "floppy2880", "harddisk", or "emulN".
    pub fn short_name(self) -> String {
        match self {
            Emulation::NoEmulation => "noemul".into(),
            Emulation::Floppy1200 => "floppy1200".into(),
            Emulation::Floppy1440 => "floppy1440".into(),
            Emulation::Floppy2880 => "floppy2880".into(),
            Emulation::HardDisk => "harddisk".into(),
            Emulation::Other(b) => format!("emul{b}"),
        }
    }

    /// Size of the emulated floppy disk in bytes, for floppy emulations.
    pub fn floppy_len(self) -> Option<u64> {
        match self {
            Emulation::Floppy1200 => Some(1_228_800),
            Emulation::Floppy1440 => Some(1_474_560),
            Emulation::Floppy2880 => Some(2_949_120),
            _ => None,
        }
    }
}

/// One boot entry (the initial/default entry or a section entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootEntry {
    /// Boot indicator 0x88.
    pub bootable: bool,
    /// Platform of the validation entry or section header.
    pub platform: Platform,
    /// Emulation type.
    pub emulation: Emulation,
    /// Load segment (0 means the default 0x7C0).
    pub load_segment: u16,
    /// System type (partition type byte for hard-disk emulation).
    pub system_type: u8,
    /// Sector count (virtual 512-byte sectors) to load.
    pub sector_count: u16,
    /// Load RBA: the first 2048-byte block of the image.
    pub load_rba: u32,
    /// Section header id string, when in a section.
    pub section_id: Option<String>,
    /// Best known size of the boot image in bytes, before looking at the
    /// filesystem tree: the floppy size for floppy emulation, the FAT boot
    /// sector's size for EFI images, else sector_count × 512.
    pub image_len: u64,
}

/// The boot catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootCatalog {
    /// Where the catalog is.
    pub catalog_lba: u32,
    /// Validation entry id string (manufacturer).
    pub id_string: String,
    /// The entries, initial/default first.
    pub entries: Vec<BootEntry>,
}

/// Reads the boot catalog that the Boot Record volume descriptor `brvd`
/// (one 2048-byte sector) points to.
///
/// Returns `Ok(None)` when `brvd` is not an El Torito Boot Record.
///
/// # Errors
/// [`crate::Error::Corrupt`] when the boot record or validation entry is
/// damaged, or the catalog lies outside the image; [`crate::Error::Io`]
/// when its first sector cannot be read.
pub fn read_boot_catalog(
    source: &dyn ImageSource,
    brvd: &[u8],
    warnings: &mut Vec<Warning>,
) -> Result<Option<BootCatalog>> {
    let is_el_torito = bytes::slice(brvd, 7, EL_TORITO_ID.len()) == Some(EL_TORITO_ID);
    if !is_el_torito {
        return Ok(None);
    }
    let Some(catalog_lba) = le_u32(brvd, CATALOG_POINTER_OFFSET) else {
        warnings.push(Warning::new(
            "El Torito boot record",
            None,
            "the boot record is too short to hold the boot catalog pointer",
        ));
        return Ok(None);
    };
    let mut cat = Catalog::open(source, catalog_lba)?;
    let validation = cat.validation(warnings)?;
    let mut out = BootCatalog {
        catalog_lba,
        id_string: validation.id_string,
        entries: Vec::new(),
    };
    let Some(initial) = cat.entry(1, warnings)? else {
        warnings.push(cat.warn(1, "the catalog ends before the initial/default entry"));
        return Ok(Some(out));
    };
    let ctx = EntryContext {
        platform: validation.platform,
        section_id: None,
    };
    out.entries
        .push(boot_entry(source, &initial, &ctx, warnings));
    read_sections(source, &mut cat, &mut out.entries, warnings)?;
    Ok(Some(out))
}

/// The virtual file name for entry `index` (0-based) shown under
/// `/[BOOT]`.
///
/// The scheme is `{n}-{platform}-{emulation}.img` with `n` = `index + 1`
/// (so names are unique even when two entries look alike), `platform` one
/// of "BIOS", "PowerPC", "Mac", "UEFI" or "platform0xNN", and `emulation`
/// one of "noemul", "floppy1200", "floppy1440", "floppy2880", "harddisk"
/// or "emulN". A UEFI no-emulation image, the common case of an EFI
/// system partition image, is just `{n}-UEFI.img`.
///
/// Examples: "1-BIOS-noemul.img", "2-UEFI.img", "1-BIOS-floppy1440.img",
/// "1-BIOS-harddisk.img", "3-PowerPC-noemul.img", "4-Mac-noemul.img".
pub fn image_name(index: usize, entry: &BootEntry) -> String {
    let n = index.saturating_add(1);
    match (entry.platform, entry.emulation) {
        (Platform::Efi, Emulation::NoEmulation) => format!("{n}-UEFI.img"),
        (p, e) => format!("{n}-{}-{}.img", p.short_name(), e.short_name()),
    }
}

/// The validation entry's fields (§2.1).
struct Validation {
    platform: Platform,
    id_string: String,
}

/// Platform and section id shared by the entries of one section.
struct EntryContext {
    platform: Platform,
    section_id: Option<String>,
}

/// The catalog's sectors, read on demand and bounded.
struct Catalog<'a> {
    source: &'a dyn ImageSource,
    lba: u32,
    /// Sectors that can be read: capped by the image's end and by
    /// [`MAX_CATALOG_SECTORS`].
    sector_limit: u32,
    /// The catalog bytes read so far, whole sectors.
    data: Vec<u8>,
}

impl<'a> Catalog<'a> {
    /// Checks that the catalog starts inside the image and reads its first
    /// sector.
    fn open(source: &'a dyn ImageSource, lba: u32) -> Result<Self> {
        let image_sectors = source.len() / SECTOR_LEN;
        let left = image_sectors.saturating_sub(u64::from(lba));
        if left == 0 {
            return Err(Error::corrupt(
                STRUCTURE,
                u64::from(lba),
                format!(
                    "the boot record points past the end of the image ({image_sectors} sectors)"
                ),
            ));
        }
        let sector_limit =
            u32::try_from(left.min(u64::from(MAX_CATALOG_SECTORS))).unwrap_or(MAX_CATALOG_SECTORS);
        let mut cat = Catalog {
            source,
            lba,
            sector_limit,
            data: Vec::new(),
        };
        cat.load_next()?;
        Ok(cat)
    }

    /// Reads the next catalog sector.
    fn load_next(&mut self) -> Result<()> {
        let k = u32::try_from(self.data.len() / Sector::LEN_USIZE).unwrap_or(u32::MAX);
        let offset = Sector::from(self.lba).plus(u64::from(k)).offset();
        let sector = read_vec(self.source, offset, Sector::LEN_USIZE)?;
        self.data.extend_from_slice(&sector);
        Ok(())
    }

    /// Entry number `i` (0 = validation entry), `None` past the end of
    /// the readable catalog (with a warning saying why).
    fn entry(&mut self, i: usize, warnings: &mut Vec<Warning>) -> Result<Option<[u8; 32]>> {
        let Some(offset) = i.checked_mul(ENTRY_LEN) else {
            return Ok(None);
        };
        while offset >= self.data.len() {
            let loaded = u32::try_from(self.data.len() / Sector::LEN_USIZE).unwrap_or(u32::MAX);
            if loaded >= self.sector_limit {
                let why = if loaded >= MAX_CATALOG_SECTORS {
                    format!("the catalog is longer than {MAX_CATALOG_SECTORS} sectors; the rest was not read")
                } else {
                    "the catalog runs past the end of the image".to_string()
                };
                warnings.push(self.warn(i, why));
                return Ok(None);
            }
            self.load_next()?;
        }
        Ok(bytes::array(&self.data, offset))
    }

    /// The LBA of the sector holding entry `i`.
    fn entry_lba(&self, i: usize) -> u64 {
        let per = bytes::u64_from(i) / u64::from(ENTRIES_PER_SECTOR);
        u64::from(self.lba).saturating_add(per)
    }

    /// A warning about entry `i`.
    fn warn(&self, i: usize, what: impl Into<String>) -> Warning {
        Warning::new(
            STRUCTURE,
            Some(self.entry_lba(i)),
            format!("entry {i}: {}", what.into()),
        )
    }

    /// Parses the validation entry (§2.1): header id 1, key bytes 0x55
    /// 0xAA, and a checksum making the sixteen words sum to zero.
    fn validation(&mut self, warnings: &mut Vec<Warning>) -> Result<Validation> {
        let e = self.entry(0, warnings)?.unwrap_or([0; 32]);
        let corrupt = |what: &str| {
            Error::corrupt(
                STRUCTURE,
                u64::from(self.lba),
                format!("validation entry: {what}"),
            )
        };
        if bytes::slice(&e, 30, 2) != Some(&[0x55, 0xAA][..]) {
            return Err(corrupt("key bytes 0x55 0xAA are missing"));
        }
        if u8_at(&e, 0) != Some(1) {
            return Err(corrupt("header id is not 1"));
        }
        let sum = e
            .chunks_exact(2)
            .filter_map(|w| le_u16(w, 0))
            .fold(0u16, u16::wrapping_add);
        if sum != 0 {
            warnings.push(Warning::new(
                STRUCTURE,
                Some(u64::from(self.lba)),
                format!("validation entry checksum is wrong (words sum to {sum:#06x}, not 0); read anyway"),
            ));
        }
        Ok(Validation {
            platform: Platform::from_byte(u8_at(&e, 1).unwrap_or(0)),
            id_string: bytes::trimmed_text(bytes::slice(&e, 4, 24).unwrap_or_default()),
        })
    }
}

/// Reads the section headers (§2.3) and section entries (§2.4) after the
/// initial/default entry, skipping entry extensions (§2.5).
fn read_sections(
    source: &dyn ImageSource,
    cat: &mut Catalog<'_>,
    entries: &mut Vec<BootEntry>,
    warnings: &mut Vec<Warning>,
) -> Result<()> {
    let max_index = usize::try_from(MAX_CATALOG_SECTORS.saturating_mul(ENTRIES_PER_SECTOR))
        .unwrap_or(usize::MAX);
    let mut i = 2usize;
    // Entries the current section header still promises.
    let mut pending: u32 = 0;
    let mut final_header = false;
    let mut ctx = EntryContext {
        platform: Platform::X86Bios,
        section_id: None,
    };
    while i < max_index {
        if pending == 0 && final_header {
            return Ok(());
        }
        let Some(e) = cat.entry(i, warnings)? else {
            if pending > 0 || (!final_header && i > 2) {
                warnings.push(cat.warn(i, "the catalog ended before its final section"));
            }
            return Ok(());
        };
        if e.iter().all(|&b| b == 0) {
            // Zero padding: the end of the catalog's data.
            if pending > 0 {
                warnings.push(cat.warn(
                    i,
                    format!("the section header promised {pending} more entries, but the catalog ends here"),
                ));
            } else if !final_header && i > 2 {
                warnings.push(cat.warn(i, "the catalog ended without a final section header"));
            }
            return Ok(());
        }
        let indicator = u8_at(&e, 0).unwrap_or(0);
        match indicator {
            0x90 | 0x91 => {
                if pending > 0 {
                    warnings.push(cat.warn(
                        i,
                        format!("a section header came where {pending} more section entries were promised"),
                    ));
                }
                final_header = indicator == 0x91;
                pending = u32::from(le_u16(&e, 2).unwrap_or(0));
                ctx = EntryContext {
                    platform: Platform::from_byte(u8_at(&e, 1).unwrap_or(0)),
                    section_id: Some(bytes::trimmed_text(
                        bytes::slice(&e, 4, 28).unwrap_or_default(),
                    )),
                };
            }
            0x44 => {} // section entry extension (§2.5): vendor data only
            0x88 | 0x00 if pending > 0 => {
                if entries.len() >= MAX_ENTRIES {
                    warnings.push(cat.warn(
                        i,
                        format!("more than {MAX_ENTRIES} boot entries; the rest were not read"),
                    ));
                    return Ok(());
                }
                entries.push(boot_entry(source, &e, &ctx, warnings));
                pending = pending.saturating_sub(1);
            }
            other => {
                warnings.push(cat.warn(
                    i,
                    format!(
                        "unexpected entry type {other:#04x}; the rest of the catalog was not read"
                    ),
                ));
                return Ok(());
            }
        }
        i = i.saturating_add(1);
    }
    Ok(())
}

/// Parses an initial/default entry (§2.2) or section entry (§2.4).
fn boot_entry(
    source: &dyn ImageSource,
    e: &[u8; 32],
    ctx: &EntryContext,
    warnings: &mut Vec<Warning>,
) -> BootEntry {
    let emulation = Emulation::from_byte(u8_at(e, 1).unwrap_or(0));
    let sector_count = le_u16(e, 6).unwrap_or(0);
    let load_rba = le_u32(e, 8).unwrap_or(0);
    let mut entry = BootEntry {
        bootable: u8_at(e, 0) == Some(0x88),
        platform: ctx.platform,
        emulation,
        load_segment: le_u16(e, 2).unwrap_or(0),
        system_type: u8_at(e, 4).unwrap_or(0),
        sector_count,
        load_rba,
        section_id: ctx.section_id.clone(),
        image_len: u64::from(sector_count).saturating_mul(512),
    };
    let start = u64::from(load_rba).saturating_mul(SECTOR_LEN);
    if start >= source.len() {
        warnings.push(Warning::new(
            "El Torito boot entry",
            Some(u64::from(load_rba)),
            format!(
                "the boot image's load RBA {load_rba} lies past the end of the image ({} sectors)",
                source.len() / SECTOR_LEN
            ),
        ));
        return entry;
    }
    entry.image_len = image_len(source, &entry);
    entry
}

/// The best known size of a boot image, see [`BootEntry::image_len`].
fn image_len(source: &dyn ImageSource, e: &BootEntry) -> u64 {
    let counted = u64::from(e.sector_count).saturating_mul(512);
    let start = u64::from(e.load_rba).saturating_mul(SECTOR_LEN);
    if let Some(len) = e.emulation.floppy_len() {
        return len;
    }
    let Ok(first) = read_vec(source, start, 512) else {
        return counted;
    };
    match (e.emulation, e.platform) {
        (Emulation::HardDisk, _) => mbr_len(&first).unwrap_or(counted),
        (Emulation::NoEmulation, Platform::Efi) => fat_len(&first).unwrap_or(counted),
        _ => counted,
    }
}

/// The size of an emulated hard disk from the MBR at its start: the end of
/// its furthest partition (the image holds the MBR and any gap before the
/// partition, El Torito §3.0 says a hard-disk image has one partition).
fn mbr_len(sector: &[u8]) -> Option<u64> {
    if bytes::slice(sector, 510, 2) != Some(&[0x55, 0xAA][..]) {
        return None;
    }
    let end = (0..4usize)
        .filter_map(|k| {
            let base = 446usize.checked_add(k.checked_mul(16)?)?;
            let ty = u8_at(sector, base.checked_add(4)?)?;
            let lba = le_u32(sector, base.checked_add(8)?)?;
            let count = le_u32(sector, base.checked_add(12)?)?;
            (ty != 0 && count != 0).then(|| u64::from(lba).saturating_add(u64::from(count)))
        })
        .max()?;
    Some(end.saturating_mul(512))
}

/// The size of a FAT filesystem from its boot sector (Microsoft FAT spec:
/// BPB_BytsPerSec at 0x0B, BPB_TotSec16 at 0x13, BPB_TotSec32 at 0x20,
/// signature 0x55 0xAA at 510), when it looks like one.
fn fat_len(sector: &[u8]) -> Option<u64> {
    if bytes::slice(sector, 510, 2) != Some(&[0x55, 0xAA][..]) {
        return None;
    }
    let bytes_per_sector = le_u16(sector, 0x0B)?;
    if !matches!(bytes_per_sector, 512 | 1024 | 2048 | 4096) {
        return None;
    }
    let total = match le_u16(sector, 0x13)? {
        0 => le_u32(sector, 0x20)?,
        n => u32::from(n),
    };
    if total == 0 {
        return None;
    }
    Some(u64::from(total).saturating_mul(u64::from(bytes_per_sector)))
}

#[cfg(test)]
#[path = "eltorito_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "boot_xorriso_tests.rs"]
mod xorriso_tests;
