//! MBRs and GPTs built byte by byte from the UEFI specification (§5.2.1,
//! §5.3), good and hostile.

use super::*;
use crate::MemorySource;

/// The EFI system partition type GUID C12A7328-F81F-11D2-BA4B-00A0C93EC93B
/// as stored on disk (first three fields little-endian).
const EFI_SYSTEM_BYTES: [u8; 16] = [
    0x28, 0x73, 0x2A, 0xC1, 0x1F, 0xF8, 0xD2, 0x11, 0xBA, 0x4B, 0x00, 0xA0, 0xC9, 0x3E, 0xC9, 0x3B,
];
/// Microsoft basic data EBD0A0A2-B9E5-4433-87C0-68B6B72699C7 as stored.
const BASIC_DATA_BYTES: [u8; 16] = [
    0xA2, 0xA0, 0xD0, 0xEB, 0xE5, 0xB9, 0x33, 0x44, 0x87, 0xC0, 0x68, 0xB6, 0xB7, 0x26, 0x99, 0xC7,
];

fn mbr_entry(img: &mut [u8], slot: usize, status: u8, ty: u8, lba: u32, count: u32) {
    let b = 446 + slot * 16;
    img[b] = status;
    img[b + 4] = ty;
    img[b + 8..b + 12].copy_from_slice(&lba.to_le_bytes());
    img[b + 12..b + 16].copy_from_slice(&count.to_le_bytes());
}

fn sign_mbr(img: &mut [u8]) {
    img[510] = 0x55;
    img[511] = 0xAA;
}

/// A GPT at block 1 of `block` bytes with `count` entries of `entry_len`
/// at block 2; entries are filled by `fill`, CRCs computed last.
fn gpt(img: &mut [u8], block: usize, count: u32, entry_len: u32, fill: &dyn Fn(&mut [u8])) {
    let arr = 2 * block;
    let arr_len = (count * entry_len) as usize;
    fill(&mut img[arr..arr + arr_len]);
    let array_crc = crc32(&img[arr..arr + arr_len]);
    let h = &mut img[block..block + 92];
    h[0..8].copy_from_slice(b"EFI PART");
    h[8..12].copy_from_slice(&0x0001_0000u32.to_le_bytes());
    h[12..16].copy_from_slice(&92u32.to_le_bytes());
    h[24..32].copy_from_slice(&1u64.to_le_bytes());
    h[56..72].copy_from_slice(&[0x11; 16]);
    h[72..80].copy_from_slice(&2u64.to_le_bytes());
    h[80..84].copy_from_slice(&count.to_le_bytes());
    h[84..88].copy_from_slice(&entry_len.to_le_bytes());
    h[88..92].copy_from_slice(&array_crc.to_le_bytes());
    let crc = crc32(h);
    h[16..20].copy_from_slice(&crc.to_le_bytes());
}

fn gpt_part(e: &mut [u8], ty: &[u8; 16], first: u64, last: u64, attrs: u64, name: &str) {
    e[0..16].copy_from_slice(ty);
    e[16..32].copy_from_slice(&[0x22; 16]);
    e[32..40].copy_from_slice(&first.to_le_bytes());
    e[40..48].copy_from_slice(&last.to_le_bytes());
    e[48..56].copy_from_slice(&attrs.to_le_bytes());
    for (i, u) in name.encode_utf16().enumerate() {
        e[56 + 2 * i..58 + 2 * i].copy_from_slice(&u.to_le_bytes());
    }
}

fn read(img: Vec<u8>) -> (Vec<PartitionTable>, Vec<Warning>) {
    let mut w = Vec::new();
    let t = read_partition_tables(&MemorySource::new(img), &mut w);
    (t, w)
}

#[test]
fn crc32_check_value() {
    // The standard check value of CRC-32/ISO-HDLC.
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(crc32(b""), 0);
}

#[test]
fn guid_text_is_mixed_endian() {
    assert_eq!(
        guid_text(&EFI_SYSTEM_BYTES),
        "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
    );
    assert_eq!(gpt_type_name(&guid_text(&EFI_SYSTEM_BYTES)), "EFI system");
    assert_eq!(
        gpt_type_name(&guid_text(&BASIC_DATA_BYTES)),
        "Microsoft basic data"
    );
}

#[test]
fn no_tables_in_a_blank_system_area() {
    let (t, w) = read(vec![0u8; 32768]);
    assert!(t.is_empty());
    assert!(w.is_empty());
    let (t, w) = read(vec![0u8; 100]);
    assert!(t.is_empty() && w.is_empty());
}

#[test]
fn mbr_entries() {
    let mut img = vec![0u8; 4096 * 512];
    img[440..444].copy_from_slice(&0xDEAD_BEEFu32.to_le_bytes());
    mbr_entry(&mut img, 0, 0x80, 0x17, 0, 2048);
    mbr_entry(&mut img, 2, 0x00, 0xEF, 2048, 100);
    mbr_entry(&mut img, 3, 0x00, 0xCD, 3000, 16);
    sign_mbr(&mut img);
    let (t, w) = read(img);
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(t.len(), 1);
    let m = &t[0];
    assert_eq!(m.scheme, Scheme::Mbr);
    assert_eq!(m.disk_id, "0xdeadbeef");
    let got: Vec<(u32, &str, &str, u64, u64, bool)> = m
        .partitions
        .iter()
        .map(|p| {
            (
                p.number,
                p.type_id.as_str(),
                p.type_name.as_str(),
                p.start_sector,
                p.sector_count,
                p.bootable,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (1, "0x17", "hidden NTFS", 0, 2048, true),
            (3, "0xEF", "EFI system", 2048, 100, false),
            (4, "0xCD", "ISO 9660 (isohybrid)", 3000, 16, false),
        ]
    );
}

#[test]
fn mbr_with_bad_status_is_not_an_mbr() {
    let mut img = vec![0u8; 4096];
    mbr_entry(&mut img, 0, 0x33, 0x83, 1, 2);
    sign_mbr(&mut img);
    let (t, w) = read(img);
    assert!(t.is_empty());
    assert_eq!(w.len(), 1);
}

#[test]
fn mbr_partition_past_end_warns() {
    let mut img = vec![0u8; 64 * 512];
    mbr_entry(&mut img, 0, 0x80, 0x83, 0, 1 << 30);
    sign_mbr(&mut img);
    let (t, w) = read(img);
    assert_eq!(t[0].partitions.len(), 1);
    assert_eq!(w.len(), 1);
    assert!(w[0].what.contains("past the end"), "{}", w[0]);
}

#[test]
fn gpt_with_protective_mbr() {
    let mut img = vec![0u8; 200 * 512];
    mbr_entry(&mut img, 0, 0x00, 0xEE, 1, 199);
    sign_mbr(&mut img);
    gpt(&mut img, 512, 128, 128, &|a| {
        gpt_part(&mut a[0..128], &EFI_SYSTEM_BYTES, 64, 127, 0, "EFI boot");
        gpt_part(
            &mut a[256..384],
            &BASIC_DATA_BYTES,
            128,
            199,
            1 << 2,
            "Gap1 ü",
        );
    });
    let (t, w) = read(img);
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].partitions[0].type_name, "GPT protective");
    let g = &t[1];
    assert_eq!(g.scheme, Scheme::Gpt);
    assert_eq!(g.disk_id, "11111111-1111-1111-1111-111111111111");
    assert_eq!(g.partitions.len(), 2);
    let p = &g.partitions[0];
    assert_eq!(p.number, 1);
    assert_eq!(p.type_id, "C12A7328-F81F-11D2-BA4B-00A0C93EC93B");
    assert_eq!(p.type_name, "EFI system");
    assert_eq!((p.start_sector, p.sector_count), (64, 64));
    assert!(!p.bootable);
    assert_eq!(p.name, "EFI boot");
    let p = &g.partitions[1];
    assert_eq!(p.number, 3);
    assert_eq!(p.type_name, "Microsoft basic data");
    assert_eq!((p.start_sector, p.sector_count), (128, 72));
    assert!(p.bootable);
    assert_eq!(p.name, "Gap1 ü");
}

#[test]
fn gpt_in_2048_byte_blocks() {
    let mut img = vec![0u8; 100 * 2048];
    gpt(&mut img, 2048, 4, 128, &|a| {
        gpt_part(&mut a[0..128], &EFI_SYSTEM_BYTES, 10, 19, 0, "");
    });
    let (t, w) = read(img);
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(t.len(), 1);
    let p = &t[0].partitions[0];
    // Blocks 10..=19 of 2048 bytes are 512-byte sectors 40..80.
    assert_eq!((p.start_sector, p.sector_count), (40, 40));
}

#[test]
fn hostile_gpt_header_crc_wrong() {
    let mut img = vec![0u8; 200 * 512];
    gpt(&mut img, 512, 4, 128, &|a| {
        gpt_part(&mut a[0..128], &EFI_SYSTEM_BYTES, 64, 127, 0, "x");
    });
    img[512 + 16] ^= 0xFF;
    let (t, w) = read(img);
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].partitions.len(), 1);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].what.contains("header CRC32"), "{}", w[0]);
}

#[test]
fn hostile_gpt_entry_crc_wrong() {
    let mut img = vec![0u8; 200 * 512];
    gpt(&mut img, 512, 4, 128, &|a| {
        gpt_part(&mut a[0..128], &EFI_SYSTEM_BYTES, 64, 127, 0, "x");
    });
    img[1024 + 60] ^= 0x01; // a byte of the name
    let (t, w) = read(img);
    assert_eq!(t[0].partitions.len(), 1);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].what.contains("entry array CRC32"), "{}", w[0]);
}

#[test]
fn hostile_gpt_entry_count_and_size() {
    // u32::MAX entries: capped, read what is there, no huge allocation.
    let mut img = vec![0u8; 2048 * 512];
    gpt(&mut img, 512, 4, 128, &|a| {
        gpt_part(&mut a[0..128], &EFI_SYSTEM_BYTES, 64, 127, 0, "x");
    });
    let fix_crc = |img: &mut Vec<u8>| {
        img[512 + 16..512 + 20].fill(0);
        let crc = crc32(&img[512..512 + 92]);
        img[512 + 16..512 + 20].copy_from_slice(&crc.to_le_bytes());
    };
    img[512 + 80..512 + 84].copy_from_slice(&u32::MAX.to_le_bytes());
    fix_crc(&mut img);
    let (t, w) = read(img.clone());
    assert_eq!(t[0].partitions.len(), 1);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].what.contains("only the first 1024"), "{}", w[0]);

    // Entry size 64 (< 128): the table is reported without entries.
    img[512 + 80..512 + 84].copy_from_slice(&4u32.to_le_bytes());
    img[512 + 84..512 + 88].copy_from_slice(&64u32.to_le_bytes());
    fix_crc(&mut img);
    let (t, w) = read(img.clone());
    assert!(t[0].partitions.is_empty());
    assert!(w[0].what.contains("entry size 64"), "{}", w[0]);

    // Entry array pointed past the end of the image.
    img[512 + 84..512 + 88].copy_from_slice(&128u32.to_le_bytes());
    img[512 + 72..512 + 80].copy_from_slice(&u64::MAX.to_le_bytes());
    fix_crc(&mut img);
    let (t, w) = read(img.clone());
    assert!(t[0].partitions.is_empty());
    assert!(w[0].what.contains("outside the image"), "{}", w[0]);

    // Header size larger than a block.
    img[512 + 12..512 + 16].copy_from_slice(&u32::MAX.to_le_bytes());
    let (t, w) = read(img);
    assert!(t.is_empty());
    assert!(w[0].what.contains("header size"), "{}", w[0]);
}

#[test]
fn hostile_gpt_entry_ending_before_start() {
    let mut img = vec![0u8; 200 * 512];
    gpt(&mut img, 512, 4, 128, &|a| {
        gpt_part(&mut a[0..128], &EFI_SYSTEM_BYTES, 100, 50, 0, "x");
    });
    let (t, w) = read(img);
    assert_eq!(t[0].partitions[0].sector_count, 0);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].what.contains("before it starts"), "{}", w[0]);
}
