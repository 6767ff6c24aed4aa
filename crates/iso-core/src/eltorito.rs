//! El Torito bootable CD-ROM format: the boot catalog, its entries and the
//! sizes of the boot images.
//!
//! CONTRACT (filled in by the El Torito work).

use crate::error::{Result, Warning};
use crate::source::ImageSource;

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
/// # Errors
/// [`crate::Error::Corrupt`] when the boot record or validation entry is
/// damaged.
pub fn read_boot_catalog(
    source: &dyn ImageSource,
    brvd: &[u8],
    warnings: &mut Vec<Warning>,
) -> Result<Option<BootCatalog>> {
    let _ = (source, brvd, warnings);
    Ok(None)
}

/// The virtual file name for entry `index` (0-based) shown under
/// `/[BOOT]`, e.g. "1-BIOS-noemul.img", "2-UEFI.img".
pub fn image_name(index: usize, entry: &BootEntry) -> String {
    let _ = entry;
    format!("{}-boot.img", index + 1)
}
