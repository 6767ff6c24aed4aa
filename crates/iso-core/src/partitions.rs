//! MBR and GPT partition tables found in an image's system area (isohybrid
//! images), reported in `info`.
//!
//! CONTRACT (filled in by the partition-table work).

use crate::error::Warning;
use crate::source::ImageSource;

/// Which scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Master boot record.
    Mbr,
    /// GUID partition table.
    Gpt,
}

/// One partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partition {
    /// 1-based number in its table.
    pub number: u32,
    /// Type: MBR type byte as "0x83", or the GPT type GUID.
    pub type_id: String,
    /// Readable type name, e.g. "EFI system", "Linux", "ISO 9660 (0xCD)".
    pub type_name: String,
    /// First 512-byte sector.
    pub start_sector: u64,
    /// Length in 512-byte sectors.
    pub sector_count: u64,
    /// MBR active flag / GPT legacy-bootable attribute.
    pub bootable: bool,
    /// GPT partition name.
    pub name: String,
}

/// One partition table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionTable {
    /// MBR or GPT.
    pub scheme: Scheme,
    /// GPT disk GUID or MBR disk signature.
    pub disk_id: String,
    /// The partitions in table order, empty slots left out.
    pub partitions: Vec<Partition>,
}

/// Reads the MBR at byte 0 and the GPT at 512-byte sector 1 (and, for
/// GPT on 2048-byte-block media, at byte 2048), if present.
pub fn read_partition_tables(
    source: &dyn ImageSource,
    warnings: &mut Vec<Warning>,
) -> Vec<PartitionTable> {
    let _ = (source, warnings);
    Vec::new()
}
