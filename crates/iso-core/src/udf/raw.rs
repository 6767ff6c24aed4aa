//! ECMA-167 3rd edition and OSTA UDF 2.60 on-disk structures, kept apart
//! from the walk. Every parser takes a byte slice and returns `None` (or a
//! [`TagProblem`]) instead of panicking on short or odd input; field names
//! follow the specification.

use crate::bytes::{le_u16, le_u32, le_u64, slice, u8_at};
use crate::tree::Timestamp;

/// Tag identifiers (ECMA-167 3/7.2.1 and 4/7.2.1).
pub mod tag_id {
    /// Primary Volume Descriptor (3/10.1).
    pub const PVD: u16 = 1;
    /// Anchor Volume Descriptor Pointer (3/10.2).
    pub const AVDP: u16 = 2;
    /// Volume Descriptor Pointer (3/10.3).
    pub const VDP: u16 = 3;
    /// Implementation Use Volume Descriptor (3/10.4).
    pub const IUVD: u16 = 4;
    /// Partition Descriptor (3/10.5).
    pub const PD: u16 = 5;
    /// Logical Volume Descriptor (3/10.6).
    pub const LVD: u16 = 6;
    /// Unallocated Space Descriptor (3/10.8).
    pub const USD: u16 = 7;
    /// Terminating Descriptor (3/10.9, 4/14.2).
    pub const TD: u16 = 8;
    /// Logical Volume Integrity Descriptor (3/10.10).
    pub const LVID: u16 = 9;
    /// File Set Descriptor (4/14.1).
    pub const FSD: u16 = 256;
    /// File Identifier Descriptor (4/14.4).
    pub const FID: u16 = 257;
    /// Allocation Extent Descriptor (4/14.5).
    pub const AED: u16 = 258;
    /// Indirect Entry (4/14.7).
    pub const IE: u16 = 259;
    /// Terminal Entry (4/14.8).
    pub const TE: u16 = 260;
    /// File Entry (4/14.9).
    pub const FE: u16 = 261;
    /// Extended Attribute Header Descriptor (4/14.10.1).
    pub const EAHD: u16 = 262;
    /// Extended File Entry (4/14.17).
    pub const EFE: u16 = 266;
}

/// Descriptor tag (ECMA-167 3/7.2): the 16 bytes that start every
/// descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DescriptorTag {
    /// Tag Identifier.
    pub tag_identifier: u16,
    /// Descriptor Version (2 for NSR02, 3 for NSR03).
    pub descriptor_version: u16,
    /// Tag Checksum: sum of bytes 0–3 and 5–15 modulo 256.
    pub tag_checksum: u8,
    /// Tag Serial Number.
    pub tag_serial_number: u16,
    /// Descriptor CRC (CRC-ITU-T over the bytes after the tag).
    pub descriptor_crc: u16,
    /// Descriptor CRC Length.
    pub descriptor_crc_length: u16,
    /// Tag Location: the logical sector (block) number of the descriptor,
    /// relative to its partition for partition-space descriptors.
    pub tag_location: u32,
}

/// What is wrong with a descriptor's tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagProblem {
    /// Fewer than 16 bytes.
    Short,
    /// The tag checksum does not add up: the bytes are not a tag.
    Checksum,
    /// Another descriptor than the one expected.
    WrongId(u16),
    /// The descriptor CRC does not match (the content may be damaged).
    Crc,
    /// The tag says it is at another block.
    Location(u32),
}

impl TagProblem {
    /// A sentence for messages.
    pub fn describe(&self, want: u16) -> String {
        match self {
            TagProblem::Short => "descriptor cut short".into(),
            TagProblem::Checksum => "descriptor tag checksum does not match".into(),
            TagProblem::WrongId(got) => {
                format!("tag identifier is {got}, expected {want}")
            }
            TagProblem::Crc => "descriptor CRC does not match".into(),
            TagProblem::Location(at) => format!("tag location says block {at}"),
        }
    }

    /// Whether the structure can still be used (bad CRC or location:
    /// a warning; bad checksum or another identifier: corrupt).
    pub fn is_soft(&self) -> bool {
        matches!(self, TagProblem::Crc | TagProblem::Location(_))
    }
}

impl DescriptorTag {
    /// Parses the first 16 bytes of `buf` and checks the tag checksum.
    pub fn parse(buf: &[u8]) -> Result<Self, TagProblem> {
        let t = slice(buf, 0, 16).ok_or(TagProblem::Short)?;
        let sum = t
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 4)
            .fold(0u8, |a, (_, b)| a.wrapping_add(*b));
        let tag = DescriptorTag {
            tag_identifier: le_u16(t, 0).ok_or(TagProblem::Short)?,
            descriptor_version: le_u16(t, 2).ok_or(TagProblem::Short)?,
            tag_checksum: u8_at(t, 4).ok_or(TagProblem::Short)?,
            tag_serial_number: le_u16(t, 6).ok_or(TagProblem::Short)?,
            descriptor_crc: le_u16(t, 8).ok_or(TagProblem::Short)?,
            descriptor_crc_length: le_u16(t, 10).ok_or(TagProblem::Short)?,
            tag_location: le_u32(t, 12).ok_or(TagProblem::Short)?,
        };
        if sum != tag.tag_checksum {
            return Err(TagProblem::Checksum);
        }
        Ok(tag)
    }

    /// Whether the CRC over the descriptor's body matches (a CRC length
    /// running past `buf` does not).
    pub fn crc_ok(&self, buf: &[u8]) -> bool {
        match slice(buf, 16, usize::from(self.descriptor_crc_length)) {
            Some(body) => crc_itu(body) == self.descriptor_crc,
            None => false,
        }
    }
}

/// Every problem with the tag of the descriptor in `buf`, expected to be
/// `want` at block `location`: `Err` for a hard problem, `Ok(list)` of the
/// soft ones.
pub fn check_tag(buf: &[u8], want: u16, location: u32) -> Result<Vec<TagProblem>, TagProblem> {
    let tag = DescriptorTag::parse(buf)?;
    if tag.tag_identifier != want {
        return Err(TagProblem::WrongId(tag.tag_identifier));
    }
    let mut soft = Vec::new();
    if !tag.crc_ok(buf) {
        soft.push(TagProblem::Crc);
    }
    if tag.tag_location != location {
        soft.push(TagProblem::Location(tag.tag_location));
    }
    Ok(soft)
}

/// CRC-ITU-T (CCITT): polynomial x¹⁶ + x¹² + x⁵ + 1, initial value 0, no
/// reflection (ECMA-167 1/7.2.6). Table-driven: every file entry's CRC
/// is checked during a walk.
pub fn crc_itu(data: &[u8]) -> u16 {
    data.iter().fold(0u16, |crc, &b| {
        let i = usize::from((crc >> 8) as u8 ^ b);
        (crc << 8) ^ CRC_TABLE.get(i).copied().unwrap_or(0)
    })
}

/// The CRC of each byte value, for [`crc_itu`].
const CRC_TABLE: [u16; 256] = crc_table();

// Evaluated at compile time over constant indices below 256: an
// out-of-range index or a truncation would fail the build, not a run.
#[allow(clippy::indexing_slicing, clippy::cast_possible_truncation)]
const fn crc_table() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = (i as u16) << 8;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x8000 != 0 {
                (crc << 1) ^ 0x1021
            } else {
                crc << 1
            };
            bit += 1;
        }
        t[i] = crc;
        i += 1;
    }
    t
}

/// extent_ad (ECMA-167 3/7.1): an extent in sectors of the volume space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExtentAd {
    /// Extent Length in bytes.
    pub extent_length: u32,
    /// Extent Location: first sector.
    pub extent_location: u32,
}

impl ExtentAd {
    /// Parses 8 bytes at `off`.
    pub fn parse(buf: &[u8], off: usize) -> Option<Self> {
        Some(ExtentAd {
            extent_length: le_u32(buf, off)?,
            extent_location: le_u32(buf, off.checked_add(4)?)?,
        })
    }
}

/// lb_addr (ECMA-167 4/7.1): a logical block in one partition of the
/// logical volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct LbAddr {
    /// Logical Block Number, relative to the partition.
    pub logical_block_number: u32,
    /// Partition Reference Number: index into the partition maps.
    pub partition_reference_number: u16,
}

impl LbAddr {
    /// Parses 6 bytes at `off`.
    pub fn parse(buf: &[u8], off: usize) -> Option<Self> {
        Some(LbAddr {
            logical_block_number: le_u32(buf, off)?,
            partition_reference_number: le_u16(buf, off.checked_add(4)?)?,
        })
    }
}

/// What an allocation descriptor's extent holds (ECMA-167 4/14.14.1.1,
/// the two top bits of Extent Length).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtentType {
    /// Recorded and allocated.
    Recorded,
    /// Allocated but not recorded: reads as zeros.
    AllocatedUnrecorded,
    /// Neither allocated nor recorded: reads as zeros.
    Unallocated,
    /// The next extent of allocation descriptors (an AED).
    Continuation,
}

impl ExtentType {
    fn from_length(extent_length: u32) -> Self {
        match extent_length >> 30 {
            0 => ExtentType::Recorded,
            1 => ExtentType::AllocatedUnrecorded,
            2 => ExtentType::Unallocated,
            _ => ExtentType::Continuation,
        }
    }
}

/// One allocation descriptor, whichever of short_ad (4/14.14.1), long_ad
/// (4/14.14.2) or ext_ad (4/14.14.3) it was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllocationDescriptor {
    /// Length in bytes (the low 30 bits of Extent Length).
    pub extent_length: u32,
    /// The type bits.
    pub extent_type: ExtentType,
    /// Where it is. A short_ad's partition is the one of its ICB.
    pub extent_location: LbAddr,
}

/// Which kind of allocation descriptor an ICB uses (ECMA-167 4/14.6.8,
/// ICB Tag Flags bits 0–2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdKind {
    /// short_ad, 8 bytes.
    Short,
    /// long_ad, 16 bytes.
    Long,
    /// ext_ad, 20 bytes.
    Extended,
    /// The data is recorded in the allocation descriptors field.
    Embedded,
}

impl AdKind {
    /// From the ICB tag's flags; `None` for the reserved values.
    pub fn from_flags(flags: u16) -> Option<Self> {
        match flags & 7 {
            0 => Some(AdKind::Short),
            1 => Some(AdKind::Long),
            2 => Some(AdKind::Extended),
            3 => Some(AdKind::Embedded),
            _ => None,
        }
    }

    /// Bytes per descriptor (0 for embedded data).
    pub fn size(self) -> usize {
        match self {
            AdKind::Short => 8,
            AdKind::Long => 16,
            AdKind::Extended => 20,
            AdKind::Embedded => 0,
        }
    }

    /// Parses one descriptor at `off`; `partition` is the ICB's partition
    /// (for short_ad).
    pub fn parse(self, buf: &[u8], off: usize, partition: u16) -> Option<AllocationDescriptor> {
        let raw_len = le_u32(buf, off)?;
        let (raw_len, location) = match self {
            AdKind::Short => (
                raw_len,
                LbAddr {
                    logical_block_number: le_u32(buf, off.checked_add(4)?)?,
                    partition_reference_number: partition,
                },
            ),
            AdKind::Long => (raw_len, LbAddr::parse(buf, off.checked_add(4)?)?),
            // ext_ad: Extent Length, Recorded Length, Information Length,
            // Extent Location. The recorded length's type bits say what
            // is stored.
            AdKind::Extended => {
                let recorded = le_u32(buf, off.checked_add(4)?)?;
                let ty = recorded & 0xC000_0000;
                (
                    (raw_len & 0x3FFF_FFFF) | ty,
                    LbAddr::parse(buf, off.checked_add(12)?)?,
                )
            }
            AdKind::Embedded => return None,
        };
        Some(AllocationDescriptor {
            extent_length: raw_len & 0x3FFF_FFFF,
            extent_type: ExtentType::from_length(raw_len),
            extent_location: location,
        })
    }
}

/// long_ad (ECMA-167 4/14.14.2) as used for ICB locations.
pub fn long_ad(buf: &[u8], off: usize) -> Option<(u32, LbAddr)> {
    Some((
        le_u32(buf, off)? & 0x3FFF_FFFF,
        LbAddr::parse(buf, off.checked_add(4)?)?,
    ))
}

/// timestamp (ECMA-167 1/7.3), 12 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UdfTimestamp {
    /// Type and Time Zone: type in the top 4 bits (1 = local time), a
    /// signed 12-bit offset from UTC in minutes below (-2047 = none).
    pub type_and_timezone: u16,
    /// Year, 1–9999.
    pub year: i16,
    /// Month, 1–12.
    pub month: u8,
    /// Day, 1–31.
    pub day: u8,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
    /// Second, 0–60.
    pub second: u8,
    /// Centiseconds.
    pub centiseconds: u8,
    /// Hundreds of Microseconds.
    pub hundreds_of_microseconds: u8,
    /// Microseconds.
    pub microseconds: u8,
}

impl UdfTimestamp {
    /// Parses 12 bytes at `off`.
    pub fn parse(buf: &[u8], off: usize) -> Option<Self> {
        let b = slice(buf, off, 12)?;
        Some(UdfTimestamp {
            type_and_timezone: le_u16(b, 0)?,
            year: i16::from_le_bytes(crate::bytes::array(b, 2)?),
            month: u8_at(b, 4)?,
            day: u8_at(b, 5)?,
            hour: u8_at(b, 6)?,
            minute: u8_at(b, 7)?,
            second: u8_at(b, 8)?,
            centiseconds: u8_at(b, 9)?,
            hundreds_of_microseconds: u8_at(b, 10)?,
            microseconds: u8_at(b, 11)?,
        })
    }

    /// The offset from UTC in minutes; `None` for "not specified" (-2047)
    /// or out of range.
    pub fn timezone_minutes(&self) -> Option<i64> {
        let raw = self.type_and_timezone & 0x0FFF;
        // Sign-extend 12 bits.
        let v = i64::from(raw) - if raw & 0x800 != 0 { 4096 } else { 0 };
        (-1440..=1440).contains(&v).then_some(v)
    }

    /// The instant as Unix time. An all-zero field (no time recorded) and
    /// impossible dates give `None`; with no time zone the time is taken
    /// as UTC.
    pub fn to_unix(&self) -> Option<Timestamp> {
        if self.year == 0 && self.month == 0 && self.day == 0 {
            return None;
        }
        if !(1..=12).contains(&self.month) || !(1..=31).contains(&self.day) {
            return None;
        }
        if self.hour > 23 || self.minute > 59 || self.second > 60 {
            return None;
        }
        let days = days_from_civil(i64::from(self.year), self.month, self.day);
        let local = days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second);
        let tz = self.timezone_minutes().unwrap_or(0);
        let micros = u32::from(self.centiseconds.min(99)) * 10_000
            + u32::from(self.hundreds_of_microseconds.min(99)) * 100
            + u32::from(self.microseconds.min(99));
        Some(Timestamp {
            seconds: local - tz * 60,
            nanos: micros * 1000,
        })
    }
}

/// Days from 1970-01-01 to the given proleptic Gregorian date.
fn days_from_civil(y: i64, m: u8, d: u8) -> i64 {
    let (m, d) = (i64::from(m), i64::from(d));
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Why a CS0 string could not be decoded (OSTA UDF 2.60 §2.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cs0Problem {
    /// A 16-bit string with an odd number of bytes after the
    /// compression id.
    OddLength,
    /// A compression id other than 8, 16, 254 or 255.
    CompressionId(u8),
}

impl std::fmt::Display for Cs0Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cs0Problem::OddLength => f.write_str("a 16-bit CS0 name has an odd number of bytes"),
            Cs0Problem::CompressionId(c) => write!(f, "CS0 compression id {c} is not 8 or 16"),
        }
    }
}

/// Decodes OSTA Compressed Unicode (UDF 2.60 §2.1.1): compression id 8 (one
/// byte per character) or 16 (big-endian UTF-16; 254 and 255 are their
/// UDF 2.50 "deleted" twins). An empty field is the empty string.
/// Unpaired surrogates become U+FFFD.
pub fn cs0(field: &[u8]) -> Result<String, Cs0Problem> {
    let Some((&id, rest)) = field.split_first() else {
        return Ok(String::new());
    };
    match id {
        8 | 254 => Ok(rest.iter().map(|&b| char::from(b)).collect()),
        16 | 255 => {
            if rest.len() % 2 != 0 {
                return Err(Cs0Problem::OddLength);
            }
            Ok(crate::bytes::utf16be_text(rest, false))
        }
        other => Err(Cs0Problem::CompressionId(other)),
    }
}

/// dstring (ECMA-167 1/7.2.12): a fixed field whose last byte is the
/// length of the CS0 string it starts with. Damage gives the lossy
/// reading.
pub fn dstring(field: &[u8]) -> String {
    let Some((&len, body)) = field.split_last() else {
        return String::new();
    };
    let used = body.get(..usize::from(len)).unwrap_or(body);
    match cs0(used) {
        Ok(s) => s.trim_end_matches(['\0', ' ']).to_string(),
        Err(_) => String::from_utf8_lossy(used).into_owned(),
    }
}

/// regid (ECMA-167 1/7.4): Flags, Identifier, Identifier Suffix.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RegId {
    /// Flags.
    pub flags: u8,
    /// Identifier, NULs removed ("*UDF Sparable Partition").
    pub identifier: String,
    /// Identifier Suffix (for UDF ids: the UDF revision first).
    pub identifier_suffix: [u8; 8],
}

impl RegId {
    /// Parses 32 bytes at `off`.
    pub fn parse(buf: &[u8], off: usize) -> Option<Self> {
        let b = slice(buf, off, 32)?;
        Some(RegId {
            flags: u8_at(b, 0)?,
            identifier: crate::bytes::trimmed_text(b.get(1..24)?),
            identifier_suffix: crate::bytes::array(b, 24)?,
        })
    }

    /// The UDF revision in a domain or UDF identifier suffix (0x0102 …).
    pub fn udf_revision(&self) -> u16 {
        u16::from_le_bytes([self.identifier_suffix[0], self.identifier_suffix[1]])
    }
}

/// Formats a UDF revision number: 0x0250 → "2.50".
pub fn revision_text(rev: u16) -> String {
    format!("{:x}.{:02x}", rev >> 8, rev & 0xFF)
}

/// ICB tag (ECMA-167 4/14.6), 20 bytes inside every ICB entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IcbTag {
    /// Prior Recorded Number of Direct Entries.
    pub prior_recorded_number_of_direct_entries: u32,
    /// Strategy Type (4 or 4096 in UDF).
    pub strategy_type: u16,
    /// Maximum Number of Entries.
    pub maximum_number_of_entries: u16,
    /// File Type (4/14.6.6).
    pub file_type: u8,
    /// Parent ICB Location.
    pub parent_icb_location: LbAddr,
    /// Flags (4/14.6.8).
    pub flags: u16,
}

impl IcbTag {
    /// Parses 20 bytes at `off`.
    pub fn parse(buf: &[u8], off: usize) -> Option<Self> {
        let b = slice(buf, off, 20)?;
        Some(IcbTag {
            prior_recorded_number_of_direct_entries: le_u32(b, 0)?,
            strategy_type: le_u16(b, 4)?,
            maximum_number_of_entries: le_u16(b, 8)?,
            file_type: u8_at(b, 11)?,
            parent_icb_location: LbAddr::parse(b, 12)?,
            flags: le_u16(b, 18)?,
        })
    }
}

/// File Type values (ECMA-167 4/14.6.6, UDF 2.60 §2.3.5.2).
pub mod file_type {
    /// Unspecified (also the UDF 1.50 VAT).
    pub const UNSPECIFIED: u8 = 0;
    /// Indirect entry.
    pub const INDIRECT: u8 = 3;
    /// Directory.
    pub const DIRECTORY: u8 = 4;
    /// Random-access bytes: a regular file.
    pub const FILE: u8 = 5;
    /// Block device.
    pub const BLOCK_DEVICE: u8 = 6;
    /// Character device.
    pub const CHAR_DEVICE: u8 = 7;
    /// FIFO.
    pub const FIFO: u8 = 9;
    /// Socket.
    pub const SOCKET: u8 = 10;
    /// Terminal entry.
    pub const TERMINAL: u8 = 11;
    /// Symbolic link.
    pub const SYMLINK: u8 = 12;
    /// Stream directory.
    pub const STREAM_DIRECTORY: u8 = 13;
    /// The UDF 2.00+ virtual allocation table.
    pub const VAT: u8 = 248;
    /// Real-time file.
    pub const REALTIME: u8 = 249;
    /// The metadata file (UDF 2.50).
    pub const METADATA: u8 = 250;
    /// The metadata mirror file.
    pub const METADATA_MIRROR: u8 = 251;
    /// The metadata bitmap file.
    pub const METADATA_BITMAP: u8 = 252;
}

/// The fields of a File Entry (ECMA-167 4/14.9) or Extended File Entry
/// (4/14.17) that the walk uses; the offsets differ between the two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Whether this was an Extended File Entry.
    pub extended: bool,
    /// ICB Tag.
    pub icb_tag: IcbTag,
    /// Uid (0xFFFFFFFF: not set).
    pub uid: u32,
    /// Gid (0xFFFFFFFF: not set).
    pub gid: u32,
    /// Permissions (4/14.9.5).
    pub permissions: u32,
    /// File Link Count.
    pub file_link_count: u16,
    /// Information Length: the file's size in bytes.
    pub information_length: u64,
    /// Access Date and Time.
    pub access_time: Option<UdfTimestamp>,
    /// Modification Date and Time.
    pub modification_time: Option<UdfTimestamp>,
    /// Creation Date and Time (EFE only).
    pub creation_time: Option<UdfTimestamp>,
    /// Attribute Date and Time.
    pub attribute_time: Option<UdfTimestamp>,
    /// Stream Directory ICB (EFE only; length 0 when absent).
    pub stream_directory_icb: Option<(u32, LbAddr)>,
    /// Unique Id.
    pub unique_id: u64,
    /// Offset of the extended attributes in the entry.
    pub ea_offset: usize,
    /// Length of Extended Attributes.
    pub length_of_extended_attributes: u32,
    /// Length of Allocation Descriptors.
    pub length_of_allocation_descriptors: u32,
}

impl FileEntry {
    /// Parses an FE (`extended` false) or EFE whose tag was checked.
    pub fn parse(b: &[u8], extended: bool) -> Option<Self> {
        let icb_tag = IcbTag::parse(b, 16)?;
        let (info_off, times, stream, uid_off, eal_off, ea_offset) = if extended {
            (
                56,
                [80usize, 92, 104, 116],
                Some(152usize),
                200usize,
                208usize,
                216usize,
            )
        } else {
            (56, [72, 84, 0, 96], None, 160, 168, 176)
        };
        let ts = |o: usize| {
            if o == 0 {
                None
            } else {
                UdfTimestamp::parse(b, o)
            }
        };
        Some(FileEntry {
            extended,
            icb_tag,
            uid: le_u32(b, 36)?,
            gid: le_u32(b, 40)?,
            permissions: le_u32(b, 44)?,
            file_link_count: le_u16(b, 48)?,
            information_length: le_u64(b, info_off)?,
            access_time: ts(times[0]),
            modification_time: ts(times[1]),
            creation_time: ts(times[2]),
            attribute_time: ts(times[3]),
            stream_directory_icb: match stream {
                Some(o) => long_ad(b, o).filter(|(len, _)| *len > 0),
                None => None,
            },
            unique_id: le_u64(b, uid_off)?,
            ea_offset,
            length_of_extended_attributes: le_u32(b, eal_off)?,
            length_of_allocation_descriptors: le_u32(b, eal_off.checked_add(4)?)?,
        })
    }

    /// Where the allocation descriptors start in the entry.
    pub fn ad_offset(&self) -> Option<usize> {
        self.ea_offset
            .checked_add(usize::try_from(self.length_of_extended_attributes).ok()?)
    }
}

/// File Characteristics bits of a FID (ECMA-167 4/14.4.3).
pub mod characteristics {
    /// Existence: hide from the user.
    pub const HIDDEN: u8 = 1;
    /// Directory.
    pub const DIRECTORY: u8 = 2;
    /// Deleted.
    pub const DELETED: u8 = 4;
    /// Parent: the identifier of the parent directory.
    pub const PARENT: u8 = 8;
    /// Metadata (stream directories).
    pub const METADATA: u8 = 16;
}

/// File Identifier Descriptor (ECMA-167 4/14.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileIdentifier<'a> {
    /// File Characteristics.
    pub file_characteristics: u8,
    /// ICB: length and location of the file's entry.
    pub icb: (u32, LbAddr),
    /// File Identifier (CS0 bytes, compression id first).
    pub file_identifier: &'a [u8],
    /// The descriptor's whole length, padded to 4 bytes.
    pub len: usize,
}

impl<'a> FileIdentifier<'a> {
    /// Parses the FID at the start of `b` (its tag already checked);
    /// `None` when its lengths run past `b`.
    pub fn parse(b: &'a [u8]) -> Option<Self> {
        let l_fi = usize::from(u8_at(b, 19)?);
        let l_iu = usize::from(le_u16(b, 36)?);
        let id_off = 38usize.checked_add(l_iu)?;
        let file_identifier = slice(b, id_off, l_fi)?;
        let len = id_off.checked_add(l_fi)?.checked_add(3)? & !3;
        Some(FileIdentifier {
            file_characteristics: u8_at(b, 18)?,
            icb: long_ad(b, 20)?,
            file_identifier,
            len,
        })
    }
}

/// Path Component (ECMA-167 4/14.16.1) types, for symbolic links.
pub mod component_type {
    /// The root of the hierarchy the link lives in.
    pub const ROOT: u8 = 1;
    /// The root directory of the file set ("/").
    pub const ROOT_DIRECTORY: u8 = 2;
    /// The parent directory ("..").
    pub const PARENT: u8 = 3;
    /// The current directory (".").
    pub const CURRENT: u8 = 4;
    /// A named component.
    pub const NAMED: u8 = 5;
}

/// Decodes a symbolic link's path component records (ECMA-167 4/14.16)
/// into a `/`-separated target.
pub fn symlink_target(data: &[u8]) -> Result<String, String> {
    let mut parts: Vec<String> = Vec::new();
    let mut absolute = false;
    let mut off = 0usize;
    while off < data.len() {
        let ty = u8_at(data, off).ok_or("path component cut short")?;
        let l_ci = usize::from(u8_at(data, off + 1).ok_or("path component cut short")?);
        let ident = slice(data, off + 4, l_ci).ok_or("path component runs past the data")?;
        match ty {
            component_type::ROOT | component_type::ROOT_DIRECTORY => {
                absolute = true;
                parts.clear();
            }
            component_type::PARENT => parts.push("..".into()),
            component_type::CURRENT => parts.push(".".into()),
            component_type::NAMED => parts.push(cs0(ident).map_err(|e| e.to_string())?),
            other => return Err(format!("path component type {other}")),
        }
        off = off + 4 + l_ci;
    }
    let joined = parts.join("/");
    Ok(if absolute {
        format!("/{joined}")
    } else {
        joined
    })
}

/// Permissions (ECMA-167 4/14.9.5) and ICB flags (4/14.6.8) as Unix mode
/// bits (without the file type).
pub fn unix_permissions(permissions: u32, icb_flags: u16) -> u32 {
    let rwx = |shift: u32| {
        let p = permissions >> shift;
        (if p & 4 != 0 { 4 } else { 0 }) | (if p & 2 != 0 { 2 } else { 0 }) | (p & 1)
    };
    let mut mode = (rwx(10) << 6) | (rwx(5) << 3) | rwx(0);
    if icb_flags & (1 << 6) != 0 {
        mode |= 0o4000;
    }
    if icb_flags & (1 << 7) != 0 {
        mode |= 0o2000;
    }
    if icb_flags & (1 << 8) != 0 {
        mode |= 0o1000;
    }
    mode
}

/// Device Specification extended attribute (ECMA-167 4/14.10.7): finds
/// the major and minor numbers in an extended attribute area (which
/// starts with the Extended Attribute Header Descriptor, 4/14.10.1).
pub fn device_numbers(ea: &[u8]) -> Option<(u32, u32)> {
    let tag = DescriptorTag::parse(ea).ok()?;
    if tag.tag_identifier != tag_id::EAHD {
        return None;
    }
    let mut off = 24usize;
    // Each attribute: Attribute Type, Subtype, reserved, Attribute Length.
    for _ in 0..256 {
        let ty = le_u32(ea, off)?;
        let len = usize::try_from(le_u32(ea, off.checked_add(8)?)?).ok()?;
        if len < 12 {
            return None;
        }
        if ty == 12 {
            return Some((le_u32(ea, off + 16)?, le_u32(ea, off + 20)?));
        }
        off = off.checked_add(len)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_of_known_text() {
        // CRC-16/XMODEM ("123456789") = 0x31C3 — the same polynomial and
        // initial value as ECMA-167's CRC.
        assert_eq!(crc_itu(b"123456789"), 0x31C3);
        assert_eq!(crc_itu(&[]), 0);
    }

    #[test]
    fn tag_checksum_and_crc() {
        let mut d = vec![0u8; 32];
        d[0] = 2; // AVDP
        d[12] = 0x00;
        d[13] = 1; // location 256
        d[16..20].copy_from_slice(&[1, 2, 3, 4]);
        let crc = crc_itu(&d[16..32]);
        d[8..10].copy_from_slice(&crc.to_le_bytes());
        d[10] = 16;
        let sum = d[..16]
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 4)
            .fold(0u8, |a, (_, b)| a.wrapping_add(*b));
        d[4] = sum;
        assert_eq!(check_tag(&d, tag_id::AVDP, 256), Ok(vec![]));
        assert_eq!(
            check_tag(&d, tag_id::AVDP, 257),
            Ok(vec![TagProblem::Location(256)])
        );
        assert_eq!(check_tag(&d, tag_id::PVD, 256), Err(TagProblem::WrongId(2)));
        d[20] = 9;
        assert_eq!(check_tag(&d, tag_id::AVDP, 256), Ok(vec![TagProblem::Crc]));
        d[0] = 3;
        assert_eq!(check_tag(&d, tag_id::AVDP, 256), Err(TagProblem::Checksum));
        assert_eq!(
            check_tag(&d[..10], tag_id::AVDP, 256),
            Err(TagProblem::Short)
        );
    }

    #[test]
    fn cs0_names() {
        assert_eq!(cs0(&[8, b'a', 0xE9]).unwrap(), "a\u{e9}");
        assert_eq!(cs0(&[16, 0x04, 0x1F, 0, b'x']).unwrap(), "\u{41f}x");
        assert_eq!(cs0(&[16, 0, b'a', 0]), Err(Cs0Problem::OddLength));
        assert_eq!(cs0(&[7, b'a']), Err(Cs0Problem::CompressionId(7)));
        assert_eq!(cs0(&[]).unwrap(), "");
        let mut field = [0u8; 32];
        field[..4].copy_from_slice(&[8, b'V', b'O', b'L']);
        field[31] = 4;
        assert_eq!(dstring(&field), "VOL");
        field[31] = 200; // length past the field: the whole body, no panic
        assert_eq!(dstring(&field), "VOL");
    }

    #[test]
    fn timestamps_with_and_without_zone() {
        let mut b = [0u8; 12];
        // 2020-01-02 03:04:05 at UTC+01:00 (type 1, zone +60).
        b[0..2].copy_from_slice(&(0x1000u16 | 60).to_le_bytes());
        b[2..4].copy_from_slice(&2020i16.to_le_bytes());
        b[4..9].copy_from_slice(&[1, 2, 3, 4, 5]);
        let t = UdfTimestamp::parse(&b, 0).unwrap();
        assert_eq!(t.timezone_minutes(), Some(60));
        assert_eq!(t.to_unix().unwrap().seconds, 1_577_934_245 - 3600);
        // -2047: no time zone, read as UTC.
        let raw = (0x1000u16) | ((-2047i16 as u16) & 0x0FFF);
        b[0..2].copy_from_slice(&raw.to_le_bytes());
        let t = UdfTimestamp::parse(&b, 0).unwrap();
        assert_eq!(t.timezone_minutes(), None);
        assert_eq!(t.to_unix().unwrap().seconds, 1_577_934_245);
        // Negative zone -05:00.
        let raw = 0x1000u16 | ((-300i16 as u16) & 0x0FFF);
        b[0..2].copy_from_slice(&raw.to_le_bytes());
        let t = UdfTimestamp::parse(&b, 0).unwrap();
        assert_eq!(t.to_unix().unwrap().seconds, 1_577_934_245 + 300 * 60);
        b[4] = 13;
        assert_eq!(UdfTimestamp::parse(&b, 0).unwrap().to_unix(), None);
    }

    #[test]
    fn permissions_to_mode() {
        // owner rwx (bits 10-12), group r-x, other r--.
        let p = (7 << 10) | (5 << 5) | 4;
        assert_eq!(unix_permissions(p, 0), 0o754);
        assert_eq!(unix_permissions(p, 1 << 6), 0o4754);
    }

    #[test]
    fn symlink_components() {
        let mut d = vec![2, 0, 0, 0];
        d.extend([5, 4, 0, 0, 8, b'e', b't', b'c']);
        d.extend([3, 0, 0, 0]);
        d.extend([5, 2, 0, 0, 8, b'x']);
        assert_eq!(symlink_target(&d).unwrap(), "/etc/../x");
        assert!(symlink_target(&[5, 9, 0, 0, 8]).is_err());
        assert!(symlink_target(&[5, 2, 0, 0, 16, 0]).is_err());
    }

    #[test]
    fn fid_lengths_past_buffer() {
        let mut b = vec![0u8; 40];
        b[19] = 10; // L_FI runs past
        assert!(FileIdentifier::parse(&b).is_none());
        b[19] = 2;
        let f = FileIdentifier::parse(&b).unwrap();
        assert_eq!(f.len, 40);
    }
}
