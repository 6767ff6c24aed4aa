//! On-disc structures of ECMA-119 (ISO 9660), kept apart from the walking
//! logic. Field names follow the standard.

use crate::bytes::{both_u16, both_u32, slice, trimmed_text, u8_at, utf16be_text};
use crate::error::{Error, Result};
use crate::tree::Timestamp;

/// Volume descriptor type (ECMA-119 §8.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DescriptorType {
    /// 0: Boot Record (§8.2).
    BootRecord,
    /// 1: Primary Volume Descriptor (§8.4).
    Primary,
    /// 2: Supplementary (Joliet) or Enhanced (ISO 9660:1999) (§8.5).
    Supplementary,
    /// 3: Volume Partition Descriptor (§8.6).
    Partition,
    /// 255: Volume Descriptor Set Terminator (§8.3).
    Terminator,
    /// Anything else.
    Other(u8),
}

impl DescriptorType {
    /// From the type byte.
    pub fn from_byte(b: u8) -> Self {
        match b {
            0 => DescriptorType::BootRecord,
            1 => DescriptorType::Primary,
            2 => DescriptorType::Supplementary,
            3 => DescriptorType::Partition,
            255 => DescriptorType::Terminator,
            o => DescriptorType::Other(o),
        }
    }
}

/// A 17-byte "dec-datetime" of a volume descriptor (ECMA-119 §8.4.26.1):
/// digits YYYYMMDDHHMMSShh then the offset from GMT in 15-minute steps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecDateTime {
    /// The 16 digits as written.
    pub digits: String,
    /// Offset from GMT in 15-minute intervals (-48..=52).
    pub gmt_offset: i8,
    /// The instant, when the digits form a valid date (all zeros means
    /// "not specified").
    pub time: Option<Timestamp>,
}

impl DecDateTime {
    /// Parses the 17 bytes.
    pub fn parse(b: &[u8]) -> Self {
        let digits: String = slice(b, 0, 16)
            .unwrap_or_default()
            .iter()
            .map(|&c| char::from(c))
            .collect();
        let gmt_offset = u8_at(b, 16).map_or(0, |v| v as i8);
        let num = |from: usize, len: usize| -> Option<i64> {
            let s = digits.get(from..from + len)?;
            if !s.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        };
        let time = (|| {
            let year = num(0, 4)?;
            if year == 0 {
                return None;
            }
            let secs = civil_to_unix(
                year,
                num(4, 2)?,
                num(6, 2)?,
                num(8, 2)?,
                num(10, 2)?,
                num(12, 2)?,
            )?;
            let hundredths = num(14, 2)?;
            Some(Timestamp {
                seconds: secs - i64::from(gmt_offset) * 15 * 60,
                nanos: u32::try_from(hundredths * 10_000_000).ok()?,
            })
        })();
        DecDateTime {
            digits,
            gmt_offset,
            time,
        }
    }
}

/// Seconds since 1970 of a UTC civil date, `None` when a field is out of
/// range.
pub fn civil_to_unix(
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
) -> Option<i64> {
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || !(0..=23).contains(&hour)
        || !(0..=59).contains(&minute)
        || !(0..=60).contains(&second)
    {
        return None;
    }
    // Days from civil (proleptic Gregorian), counting from 1970-01-01.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second)
}

/// The 7-byte recording date of a directory record (ECMA-119 §9.1.5):
/// years since 1900, month, day, hour, minute, second, GMT offset.
pub fn parse_dir_datetime(b: &[u8]) -> Option<Timestamp> {
    let f = |i: usize| u8_at(b, i).map(i64::from);
    if b.iter().take(6).all(|&x| x == 0) {
        return None;
    }
    let secs = civil_to_unix(1900 + f(0)?, f(1)?, f(2)?, f(3)?, f(4)?, f(5)?)?;
    let off = u8_at(b, 6).map_or(0, |v| i64::from(v as i8));
    let off = if (-48..=52).contains(&off) { off } else { 0 };
    Some(Timestamp {
        seconds: secs - off * 15 * 60,
        nanos: 0,
    })
}

/// Joliet level from an SVD's escape sequences (§8.5.6), `None` if not Joliet.
pub fn joliet_level(escape_sequences: &[u8]) -> Option<u8> {
    let seq = slice(escape_sequences, 0, 3)?;
    match seq {
        b"%/@" => Some(1),
        b"%/C" => Some(2),
        b"%/E" => Some(3),
        _ => None,
    }
}

/// A primary, supplementary (Joliet) or enhanced volume descriptor
/// (ECMA-119 §8.4, §8.5), every field, for the properties panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeDescriptor {
    /// Where it is.
    pub lba: u32,
    /// Primary or supplementary.
    pub descriptor_type: DescriptorType,
    /// Descriptor version (1; 2 for ISO 9660:1999 enhanced).
    pub version: u8,
    /// Volume flags (SVD only).
    pub volume_flags: u8,
    /// System Identifier.
    pub system_identifier: String,
    /// Volume Identifier (the label).
    pub volume_identifier: String,
    /// Volume Space Size in logical blocks.
    pub volume_space_size: u32,
    /// Escape Sequences (SVD only; Joliet's "%/@", "%/C", "%/E").
    pub escape_sequences: Vec<u8>,
    /// Joliet level, when an SVD is Joliet.
    pub joliet_level: Option<u8>,
    /// Volume Set Size.
    pub volume_set_size: u16,
    /// Volume Sequence Number.
    pub volume_sequence_number: u16,
    /// Logical Block Size in bytes.
    pub logical_block_size: u16,
    /// Path Table Size in bytes.
    pub path_table_size: u32,
    /// Location of Occurrence of Type L Path Table.
    pub type_l_path_table: u32,
    /// Location of Optional Occurrence of Type L Path Table.
    pub optional_type_l_path_table: u32,
    /// Location of Occurrence of Type M Path Table.
    pub type_m_path_table: u32,
    /// Location of Optional Occurrence of Type M Path Table.
    pub optional_type_m_path_table: u32,
    /// Directory Record for Root Directory.
    pub root: DirectoryRecord,
    /// Volume Set Identifier.
    pub volume_set_identifier: String,
    /// Publisher Identifier.
    pub publisher_identifier: String,
    /// Data Preparer Identifier.
    pub data_preparer_identifier: String,
    /// Application Identifier.
    pub application_identifier: String,
    /// Copyright File Identifier.
    pub copyright_file_identifier: String,
    /// Abstract File Identifier.
    pub abstract_file_identifier: String,
    /// Bibliographic File Identifier.
    pub bibliographic_file_identifier: String,
    /// Volume Creation Date and Time.
    pub volume_creation: DecDateTime,
    /// Volume Modification Date and Time.
    pub volume_modification: DecDateTime,
    /// Volume Expiration Date and Time.
    pub volume_expiration: DecDateTime,
    /// Volume Effective Date and Time.
    pub volume_effective: DecDateTime,
    /// File Structure Version.
    pub file_structure_version: u8,
}

impl VolumeDescriptor {
    /// Parses a PVD or SVD sector. Identifiers of a Joliet SVD are decoded
    /// as UCS-2.
    ///
    /// # Errors
    /// [`Error::Corrupt`] when the root directory record is unusable.
    pub fn parse(sector: &[u8], lba: u32) -> Result<Self> {
        let structure = "volume descriptor";
        let corrupt = |what: &str| Error::corrupt(structure, u64::from(lba), what);
        let descriptor_type =
            DescriptorType::from_byte(u8_at(sector, 0).ok_or_else(|| corrupt("short"))?);
        let escape_sequences = slice(sector, 88, 32).unwrap_or_default().to_vec();
        let joliet_level = if descriptor_type == DescriptorType::Supplementary {
            joliet_level(&escape_sequences)
        } else {
            None
        };
        let text = |off: usize, len: usize| -> String {
            let f = slice(sector, off, len).unwrap_or_default();
            if joliet_level.is_some() {
                // A 32-byte field holds 16 UCS-2 units; odd lengths (37)
                // leave one byte over, which is padding.
                let even = f.get(..f.len() & !1).unwrap_or_default();
                utf16be_text(even, true)
            } else {
                trimmed_text(f)
            }
        };
        // The root record is 34 bytes; some writers put another length in
        // its first byte (libarchive's test_read_format_iso_3 has 68), which
        // the field's fixed size overrides.
        let mut root_bytes: [u8; 34] =
            crate::bytes::array(sector, 156).ok_or_else(|| corrupt("short"))?;
        root_bytes[0] = 34;
        let root = DirectoryRecord::parse(&root_bytes)
            .ok_or_else(|| corrupt("the root directory record is damaged"))?;
        let both16 = |off| both_u16(sector, off).map_or(0, |v| v.0);
        let both32 = |off| both_u32(sector, off).map_or(0, |v| v.0);
        Ok(VolumeDescriptor {
            lba,
            descriptor_type,
            version: u8_at(sector, 6).unwrap_or(0),
            volume_flags: u8_at(sector, 7).unwrap_or(0),
            system_identifier: text(8, 32),
            volume_identifier: text(40, 32),
            volume_space_size: both32(80),
            escape_sequences: escape_sequences
                .iter()
                .copied()
                .take_while(|&b| b != 0)
                .collect(),
            joliet_level,
            volume_set_size: both16(120),
            volume_sequence_number: both16(124),
            logical_block_size: both16(128),
            path_table_size: both32(132),
            type_l_path_table: crate::bytes::le_u32(sector, 140).unwrap_or(0),
            optional_type_l_path_table: crate::bytes::le_u32(sector, 144).unwrap_or(0),
            type_m_path_table: crate::bytes::be_u32(sector, 148).unwrap_or(0),
            optional_type_m_path_table: crate::bytes::be_u32(sector, 152).unwrap_or(0),
            root,
            volume_set_identifier: text(190, 128),
            publisher_identifier: text(318, 128),
            data_preparer_identifier: text(446, 128),
            application_identifier: text(574, 128),
            copyright_file_identifier: text(702, 37),
            abstract_file_identifier: text(739, 37),
            bibliographic_file_identifier: text(776, 37),
            volume_creation: DecDateTime::parse(slice(sector, 813, 17).unwrap_or_default()),
            volume_modification: DecDateTime::parse(slice(sector, 830, 17).unwrap_or_default()),
            volume_expiration: DecDateTime::parse(slice(sector, 847, 17).unwrap_or_default()),
            volume_effective: DecDateTime::parse(slice(sector, 864, 17).unwrap_or_default()),
            file_structure_version: u8_at(sector, 881).unwrap_or(0),
        })
    }

    /// The block size to use for directory-record addresses: the recorded
    /// one when it is a sane power of two, else 2048.
    pub fn block_len(&self) -> u64 {
        match self.logical_block_size {
            512 | 1024 | 2048 => u64::from(self.logical_block_size),
            _ => crate::SECTOR_LEN,
        }
    }
}

/// File Flags of a directory record (ECMA-119 §9.1.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FileFlags(pub u8);

impl FileFlags {
    /// Existence: hide from the user.
    pub fn hidden(self) -> bool {
        self.0 & 0x01 != 0
    }
    /// Directory.
    pub fn directory(self) -> bool {
        self.0 & 0x02 != 0
    }
    /// Associated File.
    pub fn associated(self) -> bool {
        self.0 & 0x04 != 0
    }
    /// Multi-Extent: more records of this file follow.
    pub fn multi_extent(self) -> bool {
        self.0 & 0x80 != 0
    }
}

/// A directory record (ECMA-119 §9.1), borrowed fields copied out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryRecord {
    /// Length of Directory Record.
    pub length: u8,
    /// Extended Attribute Record Length, in logical blocks.
    pub extended_attribute_record_length: u8,
    /// Location of Extent (logical block number).
    pub location_of_extent: u32,
    /// Data Length in bytes.
    pub data_length: u32,
    /// Recording Date and Time.
    pub recording_date: Option<Timestamp>,
    /// File Flags.
    pub file_flags: FileFlags,
    /// File Unit Size (interleaving).
    pub file_unit_size: u8,
    /// Interleave Gap Size.
    pub interleave_gap_size: u8,
    /// Volume Sequence Number.
    pub volume_sequence_number: u16,
    /// File Identifier bytes as recorded.
    pub file_identifier: Vec<u8>,
    /// Offset of the System Use field within the record.
    pub system_use_offset: usize,
    /// The System Use field (SUSP / Rock Ridge entries).
    pub system_use: Vec<u8>,
}

impl DirectoryRecord {
    /// Parses one record from the start of `b`; `None` when the record is
    /// shorter than its fixed part or its identifier runs past its length.
    pub fn parse(b: &[u8]) -> Option<Self> {
        let r = RecordRef::parse(b)?;
        Some(DirectoryRecord {
            length: r.length,
            extended_attribute_record_length: r.extended_attribute_record_length,
            location_of_extent: r.location_of_extent,
            data_length: r.data_length,
            recording_date: parse_dir_datetime(r.recording_date),
            file_flags: r.file_flags,
            file_unit_size: r.file_unit_size,
            interleave_gap_size: r.interleave_gap_size,
            volume_sequence_number: r.volume_sequence_number,
            file_identifier: r.file_identifier.to_vec(),
            system_use_offset: r.system_use_offset,
            system_use: r.system_use.to_vec(),
        })
    }

    /// Whether this is the "." (0x00) or ".." (0x01) record.
    pub fn is_dot_or_dotdot(&self) -> bool {
        matches!(self.file_identifier.as_slice(), [0] | [1])
    }
}

/// A directory record (ECMA-119 §9.1) borrowing its variable fields from
/// the directory's bytes: what the tree walk reads, without copying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecordRef<'a> {
    /// Length of Directory Record.
    pub length: u8,
    /// Extended Attribute Record Length, in logical blocks.
    pub extended_attribute_record_length: u8,
    /// Location of Extent (logical block number).
    pub location_of_extent: u32,
    /// Data Length in bytes.
    pub data_length: u32,
    /// Recording Date and Time, the 7 bytes as recorded (§9.1.5).
    pub recording_date: &'a [u8],
    /// File Flags.
    pub file_flags: FileFlags,
    /// File Unit Size (interleaving).
    pub file_unit_size: u8,
    /// Interleave Gap Size.
    pub interleave_gap_size: u8,
    /// Volume Sequence Number.
    pub volume_sequence_number: u16,
    /// File Identifier bytes as recorded.
    pub file_identifier: &'a [u8],
    /// Offset of the System Use field within the record.
    pub system_use_offset: usize,
    /// The System Use field (SUSP / Rock Ridge entries).
    pub system_use: &'a [u8],
}

impl<'a> RecordRef<'a> {
    /// Parses one record from the start of `b`, like
    /// [`DirectoryRecord::parse`].
    pub fn parse(b: &'a [u8]) -> Option<Self> {
        let length = u8_at(b, 0)?;
        if length < 34 {
            return None;
        }
        let rec = slice(b, 0, usize::from(length))?;
        let len_fi = usize::from(u8_at(rec, 32)?);
        let file_identifier = slice(rec, 33, len_fi)?;
        let padding = usize::from(len_fi % 2 == 0);
        let system_use_offset = (33 + len_fi + padding).min(usize::from(length));
        Some(RecordRef {
            length,
            extended_attribute_record_length: u8_at(rec, 1)?,
            location_of_extent: both_u32(rec, 2)?.0,
            data_length: both_u32(rec, 10)?.0,
            recording_date: slice(rec, 18, 7)?,
            file_flags: FileFlags(u8_at(rec, 25)?),
            file_unit_size: u8_at(rec, 26)?,
            interleave_gap_size: u8_at(rec, 27)?,
            volume_sequence_number: both_u16(rec, 28)?.0,
            file_identifier,
            system_use_offset,
            system_use: rec.get(system_use_offset..).unwrap_or_default(),
        })
    }

    /// Whether this is the "." (0x00) or ".." (0x01) record.
    pub fn is_dot_or_dotdot(&self) -> bool {
        matches!(self.file_identifier, [0] | [1])
    }
}

/// Remembers the last 7-byte date converted: the records of one image
/// mostly carry the same few dates.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct DateCache {
    /// The last 7 bytes as a number (bit 56 set, so never 0), and their
    /// date.
    last: (u64, Option<Timestamp>),
}

impl DateCache {
    /// [`parse_dir_datetime`] of `b`, reusing the last result when the
    /// bytes are the same.
    pub fn dir_datetime(&mut self, b: &[u8]) -> Option<Timestamp> {
        let b = slice(b, 0, 7)?;
        let key = b.iter().fold(1u64, |k, &x| (k << 8) | u64::from(x));
        if self.last.0 == key {
            return self.last.1;
        }
        let v = parse_dir_datetime(b);
        self.last = (key, v);
        v
    }
}

/// Display name of an ISO 9660 (or ISO 9660:1999) identifier: the
/// ";version" suffix and a trailing "." of an empty extension removed
/// (§7.5.1). The bytes are decoded as UTF-8 where they are valid UTF-8
/// (genisoimage `-iso-level 4` and pycdlib write the source's UTF-8
/// names); other bytes are kept as escape code points
/// ([`crate::tree::names`]), so a Shift-JIS name stays its bytes.
pub fn display_name_iso(id: &[u8]) -> String {
    let mut s = String::with_capacity(id.len());
    crate::tree::names::push_bytes(id, &mut s);
    strip_version(&s)
}

/// Display name of a Joliet (UCS-2/UTF-16 BE) identifier, version
/// removed; unpaired surrogates (and an odd last byte) kept as escape
/// code points ([`crate::tree::names`]) instead of dropped.
pub fn display_name_joliet(id: &[u8]) -> String {
    let mut s = String::with_capacity(id.len());
    let pairs = id.chunks_exact(2);
    let odd = pairs.remainder();
    crate::tree::names::push_utf16(
        pairs.map(|c| {
            u16::from_be_bytes([
                c.first().copied().unwrap_or(0),
                c.get(1).copied().unwrap_or(0),
            ])
        }),
        &mut s,
    );
    crate::tree::names::push_bytes(odd, &mut s);
    strip_version(&s)
}

fn strip_version(s: &str) -> String {
    let base = match s.rfind(';') {
        Some(p)
            if s.get(p + 1..)
                .is_some_and(|v| v.bytes().all(|c| c.is_ascii_digit())) =>
        {
            s.get(..p).unwrap_or(s)
        }
        _ => s,
    };
    let base = if base.len() > 1 && base.ends_with('.') {
        base.get(..base.len() - 1).unwrap_or(base)
    } else {
        base
    };
    base.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(display_name_iso(b"README.TXT;1"), "README.TXT");
        assert_eq!(display_name_iso(b"A_FILE.;1"), "A_FILE");
        assert_eq!(display_name_iso(b"DIR"), "DIR");
        assert_eq!(display_name_iso(b"X;Y"), "X;Y");
        assert_eq!(display_name_joliet(&[0, b'a', 0, b';', 0, b'1']), "a");
        // UTF-8 bytes (genisoimage -iso-level 4) are text.
        assert_eq!(display_name_iso("Ünï.txt;1".as_bytes()), "Ünï.txt");
        // Shift-JIS bytes are kept.
        let sjis = display_name_iso(b"\x83e\x83X\x83g.txt;1");
        assert_eq!(
            &*crate::tree::names::host_bytes(&sjis),
            b"\x83e\x83X\x83g.txt"
        );
        // Joliet: an unpaired surrogate is kept, not dropped.
        let j = display_name_joliet(&[0xD8, 0x00, 0, b'x']);
        assert_eq!(crate::tree::names::display(&j), "\\u{d800}x");
    }

    #[test]
    fn dates() {
        assert_eq!(civil_to_unix(1970, 1, 1, 0, 0, 0), Some(0));
        assert_eq!(civil_to_unix(2000, 3, 1, 0, 0, 0), Some(951_868_800));
        assert_eq!(civil_to_unix(2000, 13, 1, 0, 0, 0), None);
        // 2009-09-27 19:15:32 +09:00
        let d = DecDateTime::parse(b"2009092719153200\x24");
        assert_eq!(d.time.unwrap().seconds, 1_254_046_532);
        assert_eq!(DecDateTime::parse(b"0000000000000000\0").time, None);
        let t = parse_dir_datetime(&[109, 9, 27, 19, 15, 32, 36]).unwrap();
        assert_eq!(t.seconds, 1_254_046_532);
        assert_eq!(parse_dir_datetime(&[0; 7]), None);
    }

    #[test]
    fn record_bounds() {
        let mut r = vec![0u8; 34];
        r[0] = 34;
        r[32] = 1;
        assert!(DirectoryRecord::parse(&r).is_some());
        r[32] = 2; // identifier runs past the record
        assert!(DirectoryRecord::parse(&r).is_none());
        r[0] = 20;
        assert!(DirectoryRecord::parse(&r).is_none());
    }
}
