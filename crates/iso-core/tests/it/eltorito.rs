//! The El Torito fixture (`xorriso-eltorito`: BIOS no-emulation isolinux,
//! UEFI FAT image, isohybrid MBR + GPT): the boot catalog against
//! `xorriso -report_el_torito plain`, the virtual `/[BOOT]` entries against
//! the `[BOOT]` entries 7-Zip lists (sizes) and the EFI image file the
//! tools extracted (content), and the partition tables against
//! `xorriso -report_system_area plain`.

use iso_core::eltorito::{Emulation, Platform};
use iso_core::partitions::Scheme;
use iso_core::tree::NodeFlags;
use iso_core::NodeKind;

use crate::fixtures::parse_listing;
use crate::util::{fixtures_dir, open_fixture, sha256_of};

const NAME: &str = "xorriso-eltorito";

fn expected(what: &str) -> String {
    let path = fixtures_dir()
        .join("expected")
        .join(format!("{NAME}.{what}"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The fields after "<label> :" of every line starting with `label`.
fn report_lines<'a>(text: &'a str, label: &str) -> Vec<Vec<&'a str>> {
    text.lines()
        .filter_map(|l| {
            let (head, rest) = l.split_once(':')?;
            (head.trim() == label).then(|| rest.split_whitespace().collect())
        })
        .collect()
}

fn hex_u32(s: &str) -> u32 {
    u32::from_str_radix(s.trim_start_matches("0x"), 16).expect("hex")
}

#[test]
fn boot_catalog_matches_xorriso() {
    let (_f, image) = open_fixture(NAME);
    let report = expected("eltorito.txt");
    let catalog = image.boot_catalog().expect("a boot catalog");
    let cat_line = &report_lines(&report, "El Torito catalog")[0];
    assert_eq!(catalog.catalog_lba, cat_line[0].parse::<u32>().unwrap());
    let imgs = report_lines(&report, "El Torito boot img");
    assert_eq!(catalog.entries.len(), imgs.len(), "{:?}", catalog.entries);
    for (entry, f) in catalog.entries.iter().zip(&imgs) {
        // N Pltf B Emul Ld_seg Hdpt Ldsiz LBA
        let platform = match f[1] {
            "BIOS" => Platform::X86Bios,
            "UEFI" => Platform::Efi,
            other => panic!("platform {other}"),
        };
        assert_eq!(entry.platform, platform, "{entry:?}");
        assert_eq!(entry.bootable, f[2] == "y", "{entry:?}");
        assert_eq!(f[3], "none");
        assert_eq!(entry.emulation, Emulation::NoEmulation, "{entry:?}");
        assert_eq!(u32::from(entry.load_segment), hex_u32(f[4]), "{entry:?}");
        assert_eq!(u32::from(entry.system_type), hex_u32(f[5]), "{entry:?}");
        assert_eq!(entry.sector_count.to_string(), f[6], "{entry:?}");
        assert_eq!(entry.load_rba.to_string(), f[7], "{entry:?}");
    }
}

/// The `/[BOOT]` entries: one per catalog entry, named under `/[BOOT]/`,
/// each with the size and content of the file xorriso says the entry boots
/// ("El Torito img path"). Issue 2 asks for the real extent of a
/// no-emulation image where it can be determined: 7-Zip shows 2048 bytes
/// for the 38912-byte isolinux.bin here (its `boot.tsv` is kept for the
/// names), xorriso's boot image path gives the real file.
#[test]
fn boot_entries_match_xorriso_boot_files() {
    let (_f, image) = open_fixture(NAME);
    let rr = parse_listing(&expected("rockridge.tsv"));
    let report = expected("eltorito.txt");
    let mut want: Vec<(u64, String)> = report
        .lines()
        .filter(|l| l.starts_with("El Torito img path"))
        .map(|l| {
            let path = l.split_whitespace().last().expect("path");
            let e = &rr[path];
            (e.size.expect("size"), e.extra.clone().expect("sha"))
        })
        .collect();
    want.sort();
    assert_eq!(
        want.len(),
        expected("boot.tsv").lines().count(),
        "7-Zip's entry count"
    );
    for &view in image.views() {
        let tree = image.tree(view).expect("tree");
        let boot: Vec<_> = tree
            .walk(tree.root())
            .filter(|&id| {
                tree.flags(id).contains(NodeFlags::VIRTUAL) && tree.kind(id) == NodeKind::File
            })
            .collect();
        let mut got: Vec<(u64, String)> = boot
            .iter()
            .map(|&id| {
                let sha = sha256_of(&image, &tree, id, 16 << 20).expect("read");
                (tree.size(id), sha)
            })
            .collect();
        got.sort();
        assert_eq!(got, want, "{view}: [BOOT] sizes and contents");
        for &id in &boot {
            assert!(tree.path(id).starts_with("/[BOOT]/"), "{}", tree.path(id));
        }
    }
}

#[test]
fn partition_tables_match_xorriso() {
    let (_f, image) = open_fixture(NAME);
    let report = expected("sysarea.txt");
    let tables = &image.info().partitions;
    let mbr = tables
        .iter()
        .find(|t| t.scheme == Scheme::Mbr)
        .expect("an MBR");
    let lines = report_lines(&report, "MBR partition");
    assert_eq!(mbr.partitions.len(), lines.len(), "{mbr:?}");
    for (p, f) in mbr.partitions.iter().zip(&lines) {
        // N Status Type Start Blocks
        assert_eq!(p.number.to_string(), f[0], "{p:?}");
        assert_eq!(p.bootable, hex_u32(f[1]) == 0x80, "{p:?}");
        assert_eq!(
            hex_u32(&p.type_id.to_ascii_lowercase()),
            hex_u32(f[2]),
            "{p:?}"
        );
        assert_eq!(p.start_sector.to_string(), f[3], "{p:?}");
        assert_eq!(p.sector_count.to_string(), f[4], "{p:?}");
    }
    let gpt = tables
        .iter()
        .find(|t| t.scheme == Scheme::Gpt)
        .expect("a GPT");
    let ranges = report_lines(&report, "GPT start and size");
    let names = report_lines(&report, "GPT partname local");
    assert_eq!(gpt.partitions.len(), ranges.len(), "{gpt:?}");
    for ((p, r), n) in gpt.partitions.iter().zip(&ranges).zip(&names) {
        assert_eq!(p.number.to_string(), r[0], "{p:?}");
        assert_eq!(p.start_sector.to_string(), r[1], "{p:?}");
        assert_eq!(p.sector_count.to_string(), r[2], "{p:?}");
        assert_eq!(p.name, n[1], "{p:?}");
    }
}
