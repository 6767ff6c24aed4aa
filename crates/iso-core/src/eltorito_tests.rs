//! Boot catalogs built byte by byte from El Torito 1.0 (§2.0–§2.5), good
//! and hostile.

use super::*;
use crate::MemorySource;

const CAT_LBA: u32 = 20;

/// A Boot Record volume descriptor (§2.0) pointing at `catalog_lba`.
fn brvd(catalog_lba: u32) -> Vec<u8> {
    let mut s = vec![0u8; 2048];
    s[1..6].copy_from_slice(b"CD001");
    s[6] = 1;
    s[7..7 + 23].copy_from_slice(b"EL TORITO SPECIFICATION");
    s[0x47..0x4B].copy_from_slice(&catalog_lba.to_le_bytes());
    s
}

/// A validation entry (§2.1) with a correct checksum.
fn validation(platform: u8, id: &str) -> [u8; 32] {
    let mut e = [0u8; 32];
    e[0] = 1;
    e[1] = platform;
    e[4..4 + id.len()].copy_from_slice(id.as_bytes());
    e[30] = 0x55;
    e[31] = 0xAA;
    let sum = e
        .chunks(2)
        .map(|w| u16::from_le_bytes([w[0], w[1]]))
        .fold(0u16, u16::wrapping_add);
    e[28..30].copy_from_slice(&0u16.wrapping_sub(sum).to_le_bytes());
    e
}

/// An initial/default (§2.2) or section (§2.4) entry.
fn entry(indicator: u8, media: u8, system_type: u8, count: u16, rba: u32) -> [u8; 32] {
    let mut e = [0u8; 32];
    e[0] = indicator;
    e[1] = media;
    e[4] = system_type;
    e[6..8].copy_from_slice(&count.to_le_bytes());
    e[8..12].copy_from_slice(&rba.to_le_bytes());
    e
}

/// A section header (§2.3).
fn header(indicator: u8, platform: u8, n: u16, id: &str) -> [u8; 32] {
    let mut e = [0u8; 32];
    e[0] = indicator;
    e[1] = platform;
    e[2..4].copy_from_slice(&n.to_le_bytes());
    e[4..4 + id.len()].copy_from_slice(id.as_bytes());
    e
}

/// An image of `sectors` sectors with the catalog entries at `CAT_LBA`.
fn image(sectors: usize, entries: &[[u8; 32]]) -> Vec<u8> {
    let mut img = vec![0u8; sectors * 2048];
    let base = CAT_LBA as usize * 2048;
    for (i, e) in entries.iter().enumerate() {
        img[base + i * 32..base + i * 32 + 32].copy_from_slice(e);
    }
    img
}

fn read(img: Vec<u8>) -> (Result<Option<BootCatalog>>, Vec<Warning>) {
    let src = MemorySource::new(img);
    let mut w = Vec::new();
    let r = read_boot_catalog(&src, &brvd(CAT_LBA), &mut w);
    (r, w)
}

/// A FAT boot sector: bytes per sector, 16-bit and 32-bit totals.
fn fat_boot_sector(bps: u16, tot16: u16, tot32: u32) -> [u8; 512] {
    let mut s = [0u8; 512];
    s[0..3].copy_from_slice(&[0xEB, 0x3C, 0x90]);
    s[0x0B..0x0D].copy_from_slice(&bps.to_le_bytes());
    s[0x13..0x15].copy_from_slice(&tot16.to_le_bytes());
    s[0x20..0x24].copy_from_slice(&tot32.to_le_bytes());
    s[510] = 0x55;
    s[511] = 0xAA;
    s
}

#[test]
fn initial_entry_only() {
    let img = image(40, &[validation(0, "TEST MAKER"), entry(0x88, 0, 0, 4, 30)]);
    let (r, w) = read(img);
    let cat = r.unwrap().unwrap();
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(cat.catalog_lba, CAT_LBA);
    assert_eq!(cat.id_string, "TEST MAKER");
    assert_eq!(cat.entries.len(), 1);
    let e = &cat.entries[0];
    assert!(e.bootable);
    assert_eq!(e.platform, Platform::X86Bios);
    assert_eq!(e.emulation, Emulation::NoEmulation);
    assert_eq!(e.sector_count, 4);
    assert_eq!(e.load_rba, 30);
    assert_eq!(e.section_id, None);
    assert_eq!(e.image_len, 2048);
    assert_eq!(image_name(0, e), "1-BIOS-noemul.img");
}

#[test]
fn not_el_torito_is_none() {
    let src = MemorySource::new(vec![0u8; 40 * 2048]);
    let mut b = brvd(CAT_LBA);
    b[7..30].copy_from_slice(b"SOMETHING ELSE ENTIRELY");
    let mut w = Vec::new();
    assert_eq!(read_boot_catalog(&src, &b, &mut w).unwrap(), None);
    assert_eq!(read_boot_catalog(&src, &b[..40], &mut w).unwrap(), None);
}

#[test]
fn efi_section_takes_size_from_fat_boot_sector() {
    let mut img = image(
        60,
        &[
            validation(0, ""),
            entry(0x88, 0, 0, 4, 30),
            header(0x91, 0xEF, 1, "EFI SECTION"),
            // Media byte 0x20: "continuation entry follows" (§2.4).
            entry(0x88, 0x20, 0, 1, 40),
            {
                let mut x = [0u8; 32];
                x[0] = 0x44;
                x
            },
        ],
    );
    img[40 * 2048..40 * 2048 + 512].copy_from_slice(&fat_boot_sector(512, 2880, 0));
    let (r, w) = read(img);
    let cat = r.unwrap().unwrap();
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(cat.entries.len(), 2);
    let e = &cat.entries[1];
    assert_eq!(e.platform, Platform::Efi);
    assert_eq!(e.emulation, Emulation::NoEmulation);
    assert_eq!(e.section_id.as_deref(), Some("EFI SECTION"));
    assert_eq!(e.sector_count, 1);
    assert_eq!(e.image_len, 2880 * 512);
    assert_eq!(image_name(1, e), "2-UEFI.img");
}

#[test]
fn efi_fat_32bit_total_and_non_fat_fallback() {
    let mut img = image(
        60,
        &[
            validation(0xEF, ""),
            entry(0x88, 0, 0, 3, 40),
            header(0x91, 0xEF, 1, ""),
            entry(0x88, 0, 0, 3, 50),
        ],
    );
    img[40 * 2048..40 * 2048 + 512].copy_from_slice(&fat_boot_sector(2048, 0, 100_000));
    // At 50: a boot signature but 3-byte sectors – not a FAT boot sector.
    img[50 * 2048..50 * 2048 + 512].copy_from_slice(&fat_boot_sector(3, 10, 0));
    let (r, w) = read(img);
    let cat = r.unwrap().unwrap();
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(cat.entries[0].platform, Platform::Efi);
    assert_eq!(cat.entries[0].image_len, 100_000 * 2048);
    assert_eq!(cat.entries[1].image_len, 3 * 512);
}

#[test]
fn floppy_and_hard_disk_sizes() {
    let mut img = image(
        60,
        &[
            validation(0, ""),
            entry(0x88, 2, 0, 1, 30),
            header(0x90, 0, 2, "FLOPPIES"),
            entry(0x88, 1, 0, 1, 30),
            entry(0x00, 3, 0, 1, 30),
            header(0x91, 0, 1, "DISK"),
            entry(0x88, 4, 0x83, 1, 40),
        ],
    );
    // An MBR at the start of the hard-disk image: one partition at 63 of
    // 1000 sectors (type 0x83), boot signature 0x55 0xAA.
    let mbr = 40 * 2048;
    img[mbr + 446] = 0x80;
    img[mbr + 446 + 4] = 0x83;
    img[mbr + 446 + 8..mbr + 446 + 12].copy_from_slice(&63u32.to_le_bytes());
    img[mbr + 446 + 12..mbr + 446 + 16].copy_from_slice(&1000u32.to_le_bytes());
    img[mbr + 510] = 0x55;
    img[mbr + 511] = 0xAA;
    let (r, w) = read(img);
    let cat = r.unwrap().unwrap();
    assert!(w.is_empty(), "{w:?}");
    let lens: Vec<u64> = cat.entries.iter().map(|e| e.image_len).collect();
    assert_eq!(lens, [1_474_560, 1_228_800, 2_949_120, 1063 * 512]);
    assert!(!cat.entries[2].bootable);
    assert_eq!(cat.entries[3].system_type, 0x83);
    let names: Vec<String> = cat
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| image_name(i, e))
        .collect();
    assert_eq!(
        names,
        [
            "1-BIOS-floppy1440.img",
            "2-BIOS-floppy1200.img",
            "3-BIOS-floppy2880.img",
            "4-BIOS-harddisk.img"
        ]
    );
}

#[test]
fn hard_disk_without_mbr_uses_sector_count() {
    let img = image(40, &[validation(0, ""), entry(0x88, 4, 0, 7, 30)]);
    let (r, _) = read(img);
    assert_eq!(r.unwrap().unwrap().entries[0].image_len, 7 * 512);
}

#[test]
fn other_platform_names() {
    let mk = |platform, emulation| BootEntry {
        bootable: true,
        platform,
        emulation,
        load_segment: 0,
        system_type: 0,
        sector_count: 0,
        load_rba: 0,
        section_id: None,
        image_len: 0,
    };
    assert_eq!(
        image_name(2, &mk(Platform::PowerPc, Emulation::NoEmulation)),
        "3-PowerPC-noemul.img"
    );
    assert_eq!(
        image_name(3, &mk(Platform::Mac, Emulation::NoEmulation)),
        "4-Mac-noemul.img"
    );
    assert_eq!(
        image_name(0, &mk(Platform::Efi, Emulation::Floppy1440)),
        "1-UEFI-floppy1440.img"
    );
    assert_eq!(
        image_name(0, &mk(Platform::Other(0x7F), Emulation::Other(9))),
        "1-platform0x7F-emul9.img"
    );
}

#[test]
fn catalog_spanning_two_sectors() {
    // 61 filler entries in a first section, so the second header sits in
    // entry 64: the first entry of the catalog's second sector.
    let mut entries = vec![
        validation(0, ""),
        entry(0x88, 0, 0, 4, 30),
        header(0x90, 0, 61, "A"),
    ];
    entries.extend((0..61).map(|_| entry(0x88, 0, 0, 4, 30)));
    entries.push(header(0x91, 0x01, 1, "PPC"));
    entries.push(entry(0x88, 0, 0, 8, 31));
    let (r, w) = read(image(40, &entries));
    let cat = r.unwrap().unwrap();
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(cat.entries.len(), 63);
    let last = cat.entries.last().unwrap();
    assert_eq!(last.platform, Platform::PowerPc);
    assert_eq!(last.load_rba, 31);
    assert_eq!(last.image_len, 8 * 512);
}

#[test]
fn hostile_pointer_past_end_is_error() {
    let src = MemorySource::new(image(40, &[validation(0, "")]));
    let mut w = Vec::new();
    for lba in [40, 1000, u32::MAX] {
        let err = read_boot_catalog(&src, &brvd(lba), &mut w).unwrap_err();
        assert!(
            matches!(err, Error::Corrupt { at, .. } if at == crate::Location::sector(u64::from(lba))),
            "{err}"
        );
        assert!(err.to_string().contains("past the end"), "{err}");
    }
}

#[test]
fn hostile_bad_checksum_is_warning() {
    let mut v = validation(0, "MAKER");
    v[28] ^= 0x01;
    let (r, w) = read(image(40, &[v, entry(0x88, 0, 0, 4, 30)]));
    let cat = r.unwrap().unwrap();
    assert_eq!(cat.entries.len(), 1);
    assert_eq!(w.len(), 1);
    assert!(w[0].what.contains("checksum"), "{}", w[0]);
}

#[test]
fn hostile_missing_key_bytes_or_header_id_is_error() {
    let mut v = validation(0, "");
    v[31] = 0;
    let (r, _) = read(image(40, &[v, entry(0x88, 0, 0, 4, 30)]));
    let err = r.unwrap_err();
    assert!(err.to_string().contains("0x55 0xAA"), "{err}");
    let mut v = validation(0, "");
    v[0] = 2;
    let (r, _) = read(image(40, &[v, entry(0x88, 0, 0, 4, 30)]));
    assert!(matches!(r, Err(Error::Corrupt { .. })));
    // An all-zero catalog sector.
    let (r, _) = read(image(40, &[]));
    assert!(matches!(r, Err(Error::Corrupt { .. })));
}

#[test]
fn hostile_section_claiming_65535_entries() {
    // Three real entries, then zeros.
    let mut entries = vec![
        validation(0, ""),
        entry(0x88, 0, 0, 4, 30),
        header(0x91, 0xEF, 65535, ""),
    ];
    entries.extend((0..3).map(|_| entry(0x88, 0, 0, 4, 30)));
    let (r, w) = read(image(40, &entries));
    assert_eq!(r.unwrap().unwrap().entries.len(), 4);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].what.contains("65532 more entries"), "{}", w[0]);

    // The whole catalog area full of entries: the entry cap stops it.
    let mut entries = vec![
        validation(0, ""),
        entry(0x88, 0, 0, 4, 30),
        header(0x91, 0, 65535, ""),
    ];
    entries.extend((0..64 * 64 - 3).map(|_| entry(0x88, 0, 0, 4, 30)));
    let (r, w) = read(image(CAT_LBA as usize + 70, &entries));
    assert_eq!(r.unwrap().unwrap().entries.len(), MAX_ENTRIES);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].what.contains("more than 1024"), "{}", w[0]);
}

#[test]
fn hostile_catalog_runs_past_image_end() {
    // The catalog is the image's last sector and its section header, in
    // the last entry, promises one entry more.
    let mut entries = vec![validation(0, ""), entry(0x88, 0, 0, 4, 0)];
    entries.extend((2..63).map(|_| [0x44u8; 32]));
    entries.push(header(0x91, 0, 1, ""));
    let (r, w) = read(image(CAT_LBA as usize + 1, &entries));
    assert_eq!(r.unwrap().unwrap().entries.len(), 1);
    assert!(
        w.iter()
            .any(|w| w.what.contains("past the end of the image")),
        "{w:?}"
    );
}

#[test]
fn hostile_unknown_entry_and_load_rba_past_end() {
    let entries = [
        validation(0, ""),
        entry(0x88, 0, 0, 4, 5000),
        [0x17; 32],
        header(0x91, 0, 1, ""),
        entry(0x88, 0, 0, 4, 30),
    ];
    let (r, w) = read(image(40, &entries));
    let cat = r.unwrap().unwrap();
    assert_eq!(cat.entries.len(), 1);
    assert_eq!(cat.entries[0].image_len, 4 * 512);
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(w[0].what.contains("load RBA 5000"), "{}", w[0]);
    assert!(w[1].what.contains("0x17"), "{}", w[1]);
}

#[test]
fn all_zero_initial_entry_is_kept_not_bootable() {
    // The catalog sector holds only the validation entry and the image
    // ends after it: no initial entry to read.
    let mut img = image(CAT_LBA as usize, &[]);
    img.extend_from_slice(&validation(0, "X"));
    img.resize(img.len() + 2016, 0);
    let (r, w) = read(img);
    // Entry 1 is all zeros: an initial entry pointing at sector 0.
    let cat = r.unwrap().unwrap();
    assert_eq!(cat.entries.len(), 1);
    assert!(!cat.entries[0].bootable);
    assert!(w.is_empty(), "{w:?}");
}
