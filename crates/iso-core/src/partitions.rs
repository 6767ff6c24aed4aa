//! MBR and GPT partition tables found in an image's system area (isohybrid
//! images), reported in `info`.
//!
//! The MBR is the classic PC layout: four 16-byte partition entries at byte
//! 446 and the signature 0x55 0xAA at 510 (UEFI 2.10 §5.2.1, "Legacy MBR").
//! The GPT (UEFI 2.10 §5.3) has its header in logical block 1 and an array
//! of partition entries it points to. Isohybrid images use 512-byte blocks;
//! a GPT laid out in 2048-byte blocks (header at byte 2048) is looked for
//! too. Both tables are reported when both exist (a GPT image normally has
//! a protective MBR too).
//!
//! Nothing here fails: damage becomes a [`Warning`] and the table is left
//! out or reported as far as it could be read.

use crate::bytes::{self, le_u16, le_u32, le_u64, u8_at};
use crate::error::Warning;
use crate::source::{read_vec, ImageSource};

/// Most GPT partition entries read.
pub const MAX_GPT_ENTRIES: u32 = 1024;
/// Largest GPT partition entry size accepted, in bytes.
pub const MAX_GPT_ENTRY_LEN: u32 = 4096;
/// Most bytes of GPT partition entries read (the array's CRC is checked
/// only when the whole array fits).
const MAX_GPT_ARRAY_LEN: u64 = 1 << 20;

const MBR_STRUCTURE: &str = "MBR partition table";
const GPT_STRUCTURE: &str = "GPT partition table";

/// Which scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Master boot record.
    Mbr,
    /// GUID partition table.
    Gpt,
}

impl Scheme {
    /// "MBR" or "GPT".
    pub fn label(self) -> &'static str {
        match self {
            Scheme::Mbr => "MBR",
            Scheme::Gpt => "GPT",
        }
    }
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
    let mut out = Vec::new();
    let image_sectors = source.len() / 512;
    if let Ok(sector0) = read_vec(source, 0, 512) {
        if let Some(mbr) = parse_mbr(&sector0, warnings) {
            out.push(mbr);
        }
    }
    for block_len in [512u64, 2048] {
        if let Some(gpt) = read_gpt(source, block_len, warnings) {
            out.push(gpt);
            break;
        }
    }
    for table in &out {
        check_bounds(table, image_sectors, warnings);
    }
    out
}

/// Warns, once per table, about partitions that end past the end of the
/// image (a truncated image, or a table that does not belong to it).
fn check_bounds(table: &PartitionTable, image_sectors: u64, warnings: &mut Vec<Warning>) {
    let structure = match table.scheme {
        Scheme::Mbr => MBR_STRUCTURE,
        Scheme::Gpt => GPT_STRUCTURE,
    };
    let past: Vec<String> = table
        .partitions
        .iter()
        .filter(|p| p.start_sector.saturating_add(p.sector_count) > image_sectors)
        .map(|p| p.number.to_string())
        .collect();
    if !past.is_empty() {
        let furthest = table
            .partitions
            .iter()
            .map(|p| p.start_sector.saturating_add(p.sector_count))
            .max()
            .unwrap_or(0);
        warnings.push(Warning::new(
            structure,
            None,
            format!(
                "{} {} {} past the end of the image (the table reaches 512-byte sector {furthest}, the image has {image_sectors}); the image may be truncated",
                if past.len() == 1 { "partition" } else { "partitions" },
                past.join(", "),
                if past.len() == 1 { "runs" } else { "run" }
            ),
        ));
    }
}

/// Parses the MBR in the image's first 512 bytes, `None` when there is
/// none (no 0x55 0xAA signature, or entries that cannot be partitions).
fn parse_mbr(sector: &[u8], warnings: &mut Vec<Warning>) -> Option<PartitionTable> {
    if bytes::slice(sector, 510, 2) != Some(&[0x55, 0xAA][..]) {
        return None;
    }
    let mut partitions = Vec::new();
    for k in 0..4u32 {
        let base = 446usize.checked_add(usize::try_from(k).ok()?.checked_mul(16)?)?;
        let entry = bytes::slice(sector, base, 16)?;
        let status = u8_at(entry, 0)?;
        let os_type = u8_at(entry, 4)?;
        if status != 0x00 && status != 0x80 {
            // A boot sector with a 0x55 0xAA signature that is no MBR (a
            // FAT or other volume boot record) has garbage here.
            warnings.push(Warning::new(
                MBR_STRUCTURE,
                Some(0),
                format!(
                    "entry {} has status {status:#04x} (not 0x00 or 0x80); not read as an MBR",
                    k + 1
                ),
            ));
            return None;
        }
        let start = le_u32(entry, 8)?;
        let count = le_u32(entry, 12)?;
        // Type 0x00 marks an unused slot, but isohybrid GPT images put a
        // bootable type-0x00 entry over the whole image in slot 1; keep
        // such entries when they describe sectors.
        if os_type == 0 && count == 0 {
            continue;
        }
        partitions.push(Partition {
            number: k + 1,
            type_id: format!("0x{os_type:02X}"),
            type_name: mbr_type_name(os_type).to_string(),
            start_sector: u64::from(start),
            sector_count: u64::from(count),
            bootable: status == 0x80,
            name: String::new(),
        });
    }
    Some(PartitionTable {
        scheme: Scheme::Mbr,
        disk_id: format!("0x{:08x}", le_u32(sector, 440)?),
        partitions,
    })
}

/// Readable name of an MBR partition type byte.
pub fn mbr_type_name(os_type: u8) -> &'static str {
    match os_type {
        0x00 => "empty",
        0x01 => "FAT12",
        0x04 | 0x06 => "FAT16",
        0x05 | 0x0F => "extended",
        0x07 => "NTFS/exFAT",
        0x0B | 0x0C => "FAT32",
        0x0E => "FAT16 (LBA)",
        0x11 | 0x14 | 0x16 | 0x1B | 0x1C | 0x1E => "hidden FAT",
        0x17 => "hidden NTFS",
        0x27 => "Windows recovery",
        0x82 => "Linux swap",
        0x83 => "Linux",
        0x8E => "Linux LVM",
        0x96 => "ISO 9660 (CHRP)",
        0xA5 => "FreeBSD",
        0xA6 => "OpenBSD",
        0xA8 => "Apple UFS",
        0xA9 => "NetBSD",
        0xAB => "Apple boot",
        0xAF => "Apple HFS/HFS+",
        0xCD => "ISO 9660 (isohybrid)",
        0xEE => "GPT protective",
        0xEF => "EFI system",
        0xFD => "Linux RAID",
        _ => "unknown",
    }
}

/// Reads and checks a GPT whose header is in block 1 of `block_len`-byte
/// blocks; `None` when there is no "EFI PART" signature there.
fn read_gpt(
    source: &dyn ImageSource,
    block_len: u64,
    warnings: &mut Vec<Warning>,
) -> Option<PartitionTable> {
    let header = read_vec(source, block_len, 512).ok()?;
    if bytes::slice(&header, 0, 8) != Some(&b"EFI PART"[..]) {
        return None;
    }
    let lba = Some(block_len / crate::SECTOR_LEN);
    let warn = |what: String| {
        Warning::new(
            GPT_STRUCTURE,
            lba,
            format!("header at byte {block_len}: {what}"),
        )
    };
    let header_size = le_u32(&header, 12)?;
    if !(92..=512).contains(&header_size) {
        warnings.push(warn(format!(
            "header size {header_size} is outside 92..=512; table not read"
        )));
        return None;
    }
    let stored_crc = le_u32(&header, 16)?;
    let mut copy = bytes::slice(&header, 0, usize::try_from(header_size).ok()?)?.to_vec();
    if let Some(field) = copy.get_mut(16..20) {
        field.fill(0);
    }
    let crc = crc32(&copy);
    if crc != stored_crc {
        warnings.push(warn(format!(
            "header CRC32 is {stored_crc:#010x} but the header's bytes give {crc:#010x}; read anyway"
        )));
    }
    let disk_id = guid_text(bytes::slice(&header, 56, 16)?);
    let entries_lba = le_u64(&header, 72)?;
    let count = le_u32(&header, 80)?;
    let entry_len = le_u32(&header, 84)?;
    let array_crc = le_u32(&header, 88)?;
    let mut table = PartitionTable {
        scheme: Scheme::Gpt,
        disk_id,
        partitions: Vec::new(),
    };
    if !(128..=MAX_GPT_ENTRY_LEN).contains(&entry_len) {
        warnings.push(warn(format!(
            "partition entry size {entry_len} is outside 128..={MAX_GPT_ENTRY_LEN}; entries not read"
        )));
        return Some(table);
    }
    let mut read_count = count.min(MAX_GPT_ENTRIES);
    let full_len = u64::from(count).saturating_mul(u64::from(entry_len));
    while u64::from(read_count).saturating_mul(u64::from(entry_len)) > MAX_GPT_ARRAY_LEN {
        read_count /= 2;
    }
    if read_count < count {
        warnings.push(warn(format!(
            "{count} partition entries claimed; only the first {read_count} were read and the entry CRC was not checked"
        )));
    }
    let array_len = u64::from(read_count).saturating_mul(u64::from(entry_len));
    let array_offset = entries_lba.saturating_mul(block_len);
    let Some(array) =
        bytes::usize_from(array_len).and_then(|len| read_vec(source, array_offset, len).ok())
    else {
        warnings.push(warn(format!(
            "the partition entry array ({array_len} bytes at block {entries_lba}) lies outside the image"
        )));
        return Some(table);
    };
    if read_count == count && full_len == array_len && crc32(&array) != array_crc {
        warnings.push(warn(format!(
            "partition entry array CRC32 is {array_crc:#010x} but the entries give {:#010x}; read anyway",
            crc32(&array)
        )));
    }
    let sectors_per_block = block_len / 512;
    let step = usize::try_from(entry_len).ok()?;
    for (k, entry) in (1u32..).zip(array.chunks_exact(step)) {
        if let Some(p) = gpt_entry(entry, k, sectors_per_block, &mut |w| warnings.push(warn(w))) {
            table.partitions.push(p);
        }
    }
    Some(table)
}

/// Parses one GPT partition entry (UEFI 2.10 §5.3.3), `None` when unused
/// (type GUID all zeros).
fn gpt_entry(
    entry: &[u8],
    number: u32,
    sectors_per_block: u64,
    warn: &mut dyn FnMut(String),
) -> Option<Partition> {
    let type_guid = bytes::slice(entry, 0, 16)?;
    if type_guid.iter().all(|&b| b == 0) {
        return None;
    }
    let first = le_u64(entry, 32)?;
    let last = le_u64(entry, 40)?;
    let attributes = le_u64(entry, 48)?;
    if last < first {
        warn(format!(
            "partition {number} ends (block {last}) before it starts (block {first})"
        ));
    }
    let blocks = last.checked_sub(first).map_or(0, |d| d.saturating_add(1));
    let type_id = guid_text(type_guid);
    Some(Partition {
        number,
        type_name: gpt_type_name(&type_id).to_string(),
        type_id,
        start_sector: first.saturating_mul(sectors_per_block),
        sector_count: blocks.saturating_mul(sectors_per_block),
        bootable: attributes & (1 << 2) != 0,
        name: bytes::slice(entry, 56, 72)
            .map(utf16le_name)
            .unwrap_or_default(),
    })
}

/// A GUID in its usual text form: the first three fields are stored
/// little-endian, the last two big-endian (UEFI 2.10 Appendix A).
pub fn guid_text(b: &[u8]) -> String {
    let d1 = le_u32(b, 0).unwrap_or(0);
    let d2 = le_u16(b, 4).unwrap_or(0);
    let d3 = le_u16(b, 6).unwrap_or(0);
    let tail: String = b
        .get(8..16)
        .unwrap_or_default()
        .iter()
        .map(|x| format!("{x:02X}"))
        .collect();
    let (d4, d5) = tail.split_at(tail.len().min(4));
    format!("{d1:08X}-{d2:04X}-{d3:04X}-{d4}-{d5}")
}

/// A GPT partition name: UTF-16LE, ended by the first NUL.
fn utf16le_name(field: &[u8]) -> String {
    let units = field
        .chunks_exact(2)
        .filter_map(|c| le_u16(c, 0))
        .take_while(|&u| u != 0);
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// Readable name of a GPT partition type GUID (as from [`guid_text`]).
pub fn gpt_type_name(guid: &str) -> &'static str {
    match guid {
        "C12A7328-F81F-11D2-BA4B-00A0C93EC93B" => "EFI system",
        "21686148-6449-6E6F-744E-656564454649" => "BIOS boot",
        "024DEE41-33E7-11D3-9D69-0008C781F39F" => "MBR partition scheme",
        "E3C9E316-0B5C-4DB8-817D-F92DF00215AE" => "Microsoft reserved",
        "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7" => "Microsoft basic data",
        "DE94BBA4-06D1-4D40-A16A-BFD50179D6AC" => "Windows recovery",
        "0FC63DAF-8483-4772-8E79-3D69D8477DE4" => "Linux filesystem",
        "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F" => "Linux swap",
        "E6D6D379-F507-44C2-A23C-238F2A3DF928" => "Linux LVM",
        "A19D880F-05FC-4D3B-A006-743F0F84911E" => "Linux RAID",
        "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709" => "Linux root (x86-64)",
        "44479540-F297-41B2-9AF7-D131D5F0458A" => "Linux root (x86)",
        "B921B045-1DF0-41C3-AF44-4C6F280D3FAE" => "Linux root (ARM64)",
        "BC13C2FF-59E6-4262-A352-B275FD6F7172" => "Linux extended boot",
        "48465300-0000-11AA-AA11-00306543ECAC" => "Apple HFS+",
        "7C3457EF-0000-11AA-AA11-00306543ECAC" => "Apple APFS",
        "426F6F74-0000-11AA-AA11-00306543ECAC" => "Apple boot",
        "55465300-0000-11AA-AA11-00306543ECAC" => "Apple UFS",
        "FE3A2A5D-4F32-41A7-B725-ACCC3285A309" => "ChromeOS kernel",
        "3CB8E202-3B7E-47DD-8A3C-7FF2A13CFCEC" => "ChromeOS root",
        "516E7CB4-6ECF-11D6-8FF8-00022D09712B" => "FreeBSD data",
        _ => "unknown",
    }
}

/// CRC-32 as used by GPT (IEEE 802.3 polynomial, reflected 0xEDB88320,
/// initial value and final XOR 0xFFFFFFFF). Bitwise: the inputs are at most
/// a header and a 1 MiB entry array, read once per open.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = u32::MAX;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            let mask = 0u32.wrapping_sub(crc & 1);
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

#[cfg(test)]
#[path = "partitions_tests.rs"]
mod tests;
