//! Boot catalogs and partition tables of images written by xorriso,
//! checked against what xorriso itself reports about them
//! (`-report_el_torito plain -report_system_area plain`).
//!
//! The images are built in a temporary directory; when xorriso is not
//! installed the tests say so and pass without checking anything — except
//! under CI (`CI=true`), where a missing xorriso is a failure.

use std::path::Path;
use std::process::Command;

use crate::eltorito::{image_name, Emulation, Platform};
use crate::partitions::{guid_text, Scheme};
use crate::{Image, OpenOptions};

fn have_xorriso() -> bool {
    let ok = Command::new("xorriso")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").map_or(true, |v| v != "true"),
            "xorriso is not installed, and CI=true: these tests must run in CI"
        );
        eprintln!("xorriso not installed: skipping");
    }
    ok
}

fn run_xorriso(dir: &Path, args: &[&str]) {
    let out = Command::new("xorriso")
        .current_dir(dir)
        .args(["-as", "mkisofs"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// xorriso's report lines starting with `label`, split after the colon.
fn report(iso: &Path, label: &str) -> Vec<Vec<String>> {
    let out = Command::new("xorriso")
        .args(["-indev"])
        .arg(iso)
        .args(["-report_el_torito", "plain", "-report_system_area", "plain"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with(label))
        .filter_map(|l| l.split_once(':'))
        .map(|(_, rest)| rest.split_whitespace().map(String::from).collect())
        .collect()
}

/// A FAT boot sector claiming `total` 512-byte sectors, followed by zeros
/// up to that size: enough for an EFI boot image.
fn fat_image(total: u16) -> Vec<u8> {
    let mut img = vec![0u8; usize::from(total) * 512];
    img[0..3].copy_from_slice(&[0xEB, 0x3C, 0x90]);
    img[3..11].copy_from_slice(b"MSWIN4.1");
    img[0x0B..0x0D].copy_from_slice(&512u16.to_le_bytes());
    img[0x0D] = 4;
    img[0x13..0x15].copy_from_slice(&total.to_le_bytes());
    img[510] = 0x55;
    img[511] = 0xAA;
    img
}

fn xorriso_platform(p: Platform) -> &'static str {
    match p {
        Platform::X86Bios => "BIOS",
        Platform::PowerPc => "PPC",
        Platform::Mac => "Mac",
        Platform::Efi => "UEFI",
        Platform::Other(_) => "?",
    }
}

fn xorriso_emulation(e: Emulation) -> &'static str {
    match e {
        Emulation::NoEmulation => "none",
        Emulation::Floppy1200 => "fd1.2",
        Emulation::Floppy1440 => "fd1.4",
        Emulation::Floppy2880 => "fd2.8",
        Emulation::HardDisk => "hd",
        Emulation::Other(_) => "?",
    }
}

/// Compares the catalog, the MBR and the GPT with xorriso's report.
fn compare_with_xorriso(iso: &Path) -> Image {
    let image = Image::open(iso, &OpenOptions::default()).unwrap();
    let cat = image.boot_catalog().expect("a boot catalog");
    let imgs = report(iso, "El Torito boot img :");
    assert_eq!(cat.entries.len(), imgs.len());
    for (e, x) in cat.entries.iter().zip(&imgs) {
        assert_eq!(xorriso_platform(e.platform), x[1]);
        assert_eq!(if e.bootable { "y" } else { "n" }, x[2]);
        assert_eq!(xorriso_emulation(e.emulation), x[3]);
        assert_eq!(e.sector_count.to_string(), x[6]);
        assert_eq!(e.load_rba.to_string(), x[7]);
    }
    for x in report(iso, "El Torito hdsiz/512:") {
        let n: usize = x[0].parse().unwrap();
        let sectors: u64 = x[1].parse().unwrap();
        assert_eq!(cat.entries[n - 1].image_len, sectors * 512);
    }
    for x in report(iso, "El Torito img blks :") {
        let n: usize = x[0].parse().unwrap();
        let blocks: u64 = x[1].parse().unwrap();
        assert_eq!(cat.entries[n - 1].image_len, blocks * 2048);
    }
    let tables = &image.info().partitions;
    let mbr: Vec<Vec<String>> = report(iso, "MBR partition      :")
        .into_iter()
        .filter(|x| x[2] != "0x00" || x[4] != "0")
        .collect();
    let ours = tables.iter().find(|t| t.scheme == Scheme::Mbr);
    assert_eq!(ours.map_or(0, |t| t.partitions.len()), mbr.len());
    for (p, x) in ours.iter().flat_map(|t| &t.partitions).zip(&mbr) {
        assert_eq!(p.number.to_string(), x[0]);
        assert_eq!(if p.bootable { "0x80" } else { "0x00" }, x[1]);
        assert_eq!(p.type_id.to_lowercase(), x[2]);
        assert_eq!(p.start_sector.to_string(), x[3]);
        assert_eq!(p.sector_count.to_string(), x[4]);
    }
    let gpt = tables.iter().find(|t| t.scheme == Scheme::Gpt);
    let spans = report(iso, "GPT start and size :");
    assert_eq!(gpt.map_or(0, |t| t.partitions.len()), spans.len());
    if let Some(gpt) = gpt {
        let hex = |s: &str| -> Vec<u8> {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect()
        };
        let disk = &report(iso, "GPT disk GUID      :")[0][0];
        assert_eq!(gpt.disk_id, guid_text(&hex(disk)));
        let types = report(iso, "GPT type GUID      :");
        let names = report(iso, "GPT partname local :");
        for (p, x) in gpt.partitions.iter().zip(&spans) {
            assert_eq!(p.number.to_string(), x[0]);
            assert_eq!(p.start_sector.to_string(), x[1]);
            assert_eq!(p.sector_count.to_string(), x[2]);
            let ty = types.iter().find(|t| t[0] == x[0]).unwrap();
            assert_eq!(p.type_id, guid_text(&hex(&ty[1])));
            let name = names.iter().find(|t| t[0] == x[0]).unwrap();
            assert_eq!(p.name, name[1]);
        }
    }
    image
}

fn boot_names(image: &Image) -> Vec<(String, u64)> {
    let tree = image.tree(image.default_view().unwrap()).unwrap();
    let dir = tree.lookup("/[BOOT]").unwrap();
    tree.children(dir)
        .map(|id| (tree.name(id).to_string(), tree.size(id)))
        .collect()
}

#[test]
fn bios_and_efi_isohybrid_gpt() {
    if !have_xorriso() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("tree/boot")).unwrap();
    std::fs::write(d.join("tree/boot/boot.img"), vec![0x42u8; 8192]).unwrap();
    std::fs::write(d.join("tree/efi.img"), fat_image(2880)).unwrap();
    std::fs::write(d.join("mbr.bin"), [0u8; 512]).unwrap();
    #[rustfmt::skip]
    run_xorriso(d, &[
        "-o", "a.iso", "-b", "boot/boot.img", "-no-emul-boot", "-boot-load-size", "4",
        "-eltorito-alt-boot", "-e", "efi.img", "-no-emul-boot",
        "-isohybrid-mbr", "mbr.bin", "-isohybrid-gpt-basdat", "tree",
    ]);
    let image = compare_with_xorriso(&d.join("a.iso"));
    assert!(image.warnings().is_empty(), "{:?}", image.warnings());
    assert_eq!(image.info().partitions.len(), 2);
    assert_eq!(
        boot_names(&image),
        [
            ("1-BIOS-noemul.img".to_string(), 8192),
            ("2-UEFI.img".to_string(), 2880 * 512)
        ]
    );
}

#[test]
fn floppy_hard_disk_and_appended_efi_partition() {
    if !have_xorriso() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("tree")).unwrap();
    std::fs::write(d.join("tree/fl.img"), vec![0u8; 1_474_560]).unwrap();
    // A hard-disk image: an MBR with one FAT16 partition of 2000 sectors
    // at sector 63.
    let mut hd = vec![0u8; 512 * 2063];
    hd[446] = 0x80;
    hd[446 + 4] = 0x06;
    hd[446 + 8..446 + 12].copy_from_slice(&63u32.to_le_bytes());
    hd[446 + 12..446 + 16].copy_from_slice(&2000u32.to_le_bytes());
    hd[510] = 0x55;
    hd[511] = 0xAA;
    std::fs::write(d.join("tree/hd.img"), hd).unwrap();
    std::fs::write(d.join("efi.img"), fat_image(4096)).unwrap();
    #[rustfmt::skip]
    run_xorriso(d, &[
        "-o", "b.iso", "-b", "fl.img", "-eltorito-alt-boot", "-b", "hd.img", "-hard-disk-boot",
        "-eltorito-alt-boot", "-e", "--interval:appended_partition_2:all::", "-no-emul-boot",
        "-append_partition", "2", "0xef", "efi.img", "-appended_part_as_gpt",
        "-eltorito-alt-boot", "-eltorito-platform", "PPC", "-b", "fl.img", "-no-emul-boot",
        "tree",
    ]);
    let image = compare_with_xorriso(&d.join("b.iso"));
    assert!(image.warnings().is_empty(), "{:?}", image.warnings());
    let cat = image.boot_catalog().unwrap();
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
            "2-BIOS-harddisk.img",
            "3-UEFI.img",
            "4-PowerPC-noemul.img"
        ]
    );
    let sizes: Vec<u64> = boot_names(&image).into_iter().map(|(_, s)| s).collect();
    // The PowerPC entry loads fl.img without emulation: the file's size.
    assert_eq!(sizes, [1_474_560, 2063 * 512, 4096 * 512, 1_474_560]);
}
