//! UDF: the fixtures of tests/fixtures/udf (mkudffs, pycdlib, genisoimage,
//! udfkit) compared with what udfinfo and 7-Zip's UDF reader report
//! (expected/*.udfinfo.txt, *.7z-udf.tsv) or, where no reader copes, with
//! the writer's input tree (*.input.tsv); damaged copies of them (a main
//! descriptor sequence, a metadata file) that must fall back to the
//! reserve copy or the mirror; and hostile images built here by patching
//! the fixtures, which must give an error or a warning naming the
//! structure and where — never a panic, a hang or a huge allocation.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use iso_core::udf::{icb, raw};
use iso_core::{Image, MemorySource, NodeKind, OpenOptions, Tree, View};

use crate::util::{gunzip, sha256_of};

fn dir() -> PathBuf {
    crate::util::fixtures_dir().join("udf")
}

fn bytes_of(name: &str) -> Vec<u8> {
    gunzip(&dir().join(format!("{name}.udf.gz")))
}

fn open_bytes(bytes: Vec<u8>) -> Result<Image, iso_core::Error> {
    Image::from_source(Arc::new(MemorySource::new(bytes)), &OpenOptions::default())
}

fn open(name: &str) -> Image {
    open_bytes(bytes_of(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn expected(file: &str) -> String {
    std::fs::read_to_string(dir().join("expected").join(file))
        .unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// `key=value` lines of udfinfo, and its "start=…, type=…" layout lines.
fn udfinfo(name: &str) -> (BTreeMap<String, String>, Vec<(u64, String)>) {
    let text = expected(&format!("{name}.udfinfo.txt"));
    let mut kv = BTreeMap::new();
    let mut layout = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("start=") {
            let start = rest.split(',').next().unwrap().parse().unwrap();
            let ty = line.rsplit("type=").next().unwrap().to_string();
            layout.push((start, ty));
        } else if let Some((k, v)) = line.split_once('=') {
            kv.insert(k.to_string(), v.to_string());
        }
    }
    (kv, layout)
}

/// Our UDF tree in the .7z-udf.tsv format: path, type, size, sha256.
fn listing(image: &Image, tree: &Tree) -> Vec<String> {
    let mut out: Vec<String> = tree
        .walk(tree.root())
        .filter(|&id| id != tree.root())
        .map(|id| {
            let path = tree.path(id);
            match tree.kind(id) {
                NodeKind::Dir => format!("{path}\td\t-\t-"),
                NodeKind::Symlink => {
                    format!("{path}\tl\t-\t{}", tree.link_target(id).unwrap_or(""))
                }
                _ => format!(
                    "{path}\tf\t{}\t{}",
                    tree.size(id),
                    sha256_of(image, tree, id, 1 << 30).unwrap()
                ),
            }
        })
        .collect();
    out.sort();
    out
}

fn want_listing(file: &str) -> Vec<String> {
    expected(file).lines().map(str::to_string).collect()
}

/// Every mkudffs media type and block size: revision, block size, labels,
/// the anchors found, the partition map kinds and the integrity numbers
/// as udfinfo reports them; the root is empty.
#[test]
fn mkudffs_volumes_match_udfinfo() {
    let names = [
        "mkudffs-hd-512",
        "mkudffs-hd-2048",
        "mkudffs-hd-4096",
        "mkudffs-hd-150",
        "mkudffs-dvd",
        "mkudffs-dvdram",
        "mkudffs-dvdrw",
        "mkudffs-cdrw",
        "mkudffs-cdr",
        "mkudffs-cdr-150",
        "mkudffs-worm-201",
        "mkudffs-bdr-250",
        "mkudffs-bdr-260",
    ];
    for name in names {
        let image = open(name);
        let (kv, layout) = udfinfo(name);
        let u = image.info().udf.as_ref().expect(name);
        assert_eq!(u.block_len.to_string(), kv["blocksize"], "{name}");
        assert_eq!(u.logical_volume_identifier, kv["lvid"], "{name}");
        assert_eq!(u.volume_identifier, kv["vid"], "{name}");
        assert_eq!(u.file_set_identifier, kv["fsid"], "{name}");
        // udfinfo's udfrev is the minimum read revision, udfwriterev the
        // maximum write revision (of the integrity descriptor, or the VAT).
        let integrity = u.integrity.expect(name);
        let rev = |r: Option<u16>| r.map(raw::revision_text).unwrap_or_default();
        assert_eq!(
            rev(integrity.minimum_udf_read_revision),
            kv["udfrev"],
            "{name}"
        );
        assert_eq!(
            rev(integrity.maximum_udf_write_revision),
            kv["udfwriterev"],
            "{name}"
        );
        assert_eq!(
            integrity.number_of_files.unwrap().to_string(),
            kv["numfiles"],
            "{name}"
        );
        assert_eq!(
            integrity.number_of_directories.unwrap().to_string(),
            kv["numdirs"],
            "{name}"
        );
        assert_eq!(
            kv["integrity"],
            if integrity.closed { "closed" } else { "open" },
            "{name}"
        );
        let anchors: Vec<u64> = layout
            .iter()
            .filter(|(_, t)| t == "ANCHOR")
            .map(|(s, _)| *s)
            .collect();
        assert_eq!(u.anchors, anchors, "{name}");
        let kinds: Vec<&str> = u.maps.iter().map(|m| m.kind.as_str()).collect();
        let sparable = layout.iter().any(|(_, t)| t == "STABLE");
        assert_eq!(kinds.contains(&"sparable"), sparable, "{name}: {kinds:?}");
        assert_eq!(
            kinds.contains(&"virtual"),
            kv.contains_key("vatblock"),
            "{name}: {kinds:?}"
        );
        assert_eq!(image.default_view(), Some(View::Udf), "{name}");
        assert!(
            image.warnings().is_empty(),
            "{name}: {:?}",
            image.warnings()
        );
        let tree = image.tree(View::Udf).unwrap();
        assert_eq!(tree.len(), 1, "{name}: the root is empty");
        assert!(tree.warnings().is_empty(), "{name}: {:?}", tree.warnings());
    }
}

/// Images with files: the UDF view entry for entry (name, type, size,
/// content) as 7-Zip extracts it, and the volume numbers udfinfo reports.
#[test]
fn udf_listings_match_7zip() {
    for name in [
        "pycdlib-udf260",
        "pycdlib-winlike",
        "genisoimage-dvdvideo",
        "udfkit-bdmv",
    ] {
        let image = open(name);
        let tree = image.tree(View::Udf).unwrap();
        assert!(tree.warnings().is_empty(), "{name}: {:?}", tree.warnings());
        assert_eq!(
            listing(&image, &tree),
            want_listing(&format!("{name}.7z-udf.tsv")),
            "{name}"
        );
        let (kv, _) = udfinfo(name);
        let u = image.info().udf.as_ref().unwrap();
        let i = u.integrity.unwrap();
        let rev = i.minimum_udf_read_revision.map(raw::revision_text);
        assert_eq!(rev.as_deref(), Some(kv["udfrev"].as_str()), "{name}");
        assert_eq!(
            i.number_of_files.unwrap().to_string(),
            kv["numfiles"],
            "{name}"
        );
        assert_eq!(
            i.number_of_directories.unwrap().to_string(),
            kv["numdirs"],
            "{name}"
        );
    }
}

/// A Windows-install-like bridge: the ISO 9660 tree is a README stub, so
/// the UDF view is the default; the DVD-Video bridge holds the same files
/// in both, so the ISO 9660 view stays the default.
#[test]
fn default_view_on_bridges() {
    let image = open("pycdlib-winlike");
    assert_eq!(image.default_view(), Some(View::Udf));
    let iso = image.tree(View::Joliet).unwrap();
    assert_eq!(iso.len(), 2, "the Joliet tree holds README.TXT alone");
    assert!(
        image.info().summary().contains("UDF 1.02 bridge"),
        "{}",
        image.info().summary()
    );
    let dvd = open("genisoimage-dvdvideo");
    assert_eq!(dvd.default_view(), Some(View::Iso9660));
    assert!(dvd.views().contains(&View::Udf));
}

/// A partial tree (root directory alone) has ids that are a prefix of the
/// whole tree's.
#[test]
fn root_tree_is_a_prefix() {
    let image = open("udfkit-bdmv");
    let whole = image.tree(View::Udf).unwrap();
    let root = image.root_tree(View::Udf).unwrap();
    assert!(root.is_partial());
    assert_eq!(root.children(root.root()).len(), 2);
    for id in root.ids() {
        assert_eq!(root.path(id), whole.path(id));
    }
}

/// The Blu-ray shape with a 4.5 GiB stream (udfkit, sparse): sizes and
/// hashes from the writer's input tree; the stream is many extents under
/// 1 GiB, read back at its start and its end.
#[test]
fn bdmv_stream_over_4g() {
    let source = crate::fixtures::SparseSource::load(&dir().join("udfkit-bdmv-4g.sparse.gz"));
    let image = Image::from_source(Arc::new(source), &OpenOptions::default()).unwrap();
    let tree = image.tree(View::Udf).unwrap();
    for line in want_listing("udfkit-bdmv-4g.input.tsv") {
        let f: Vec<&str> = line.split('\t').collect();
        let id = tree
            .lookup(f[0])
            .unwrap_or_else(|e| panic!("{}: {e}", f[0]));
        match f[1] {
            "d" => assert!(tree.is_dir(id)),
            _ => {
                assert_eq!(tree.size(id).to_string(), f[2], "{}", f[0]);
                if tree.size(id) < 1 << 20 {
                    assert_eq!(sha256_of(&image, &tree, id, 1 << 20).unwrap(), f[3]);
                }
            }
        }
    }
    let big = tree.lookup("/BDMV/STREAM/00000.m2ts").unwrap();
    assert_eq!(tree.size(big), 4_831_838_208);
    assert!(tree.extents(big).len() >= 5, "{:?}", tree.extents(big));
    use std::io::{Read, Seek, SeekFrom};
    let mut r = image.open_file(&tree, big).unwrap();
    let mut head = [0u8; 12];
    r.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"STREAM START");
    r.seek(SeekFrom::End(-4)).unwrap();
    let mut tail = Vec::new();
    r.read_to_end(&mut tail).unwrap();
    assert_eq!(tail, [0, 0, 0, 0]);
}

/// Where a descriptor with tag `id` is in the main volume descriptor
/// sequence (2048-byte blocks), from the anchor at block 256.
fn main_vds_block(img: &[u8], id: u16) -> usize {
    let avdp = &img[256 * 2048..];
    let start = u32::from_le_bytes(avdp[20..24].try_into().unwrap()) as usize;
    (start..start + 16)
        .find(|b| u16::from_le_bytes([img[b * 2048], img[b * 2048 + 1]]) == id)
        .expect("descriptor in the main sequence")
}

/// Recomputes a descriptor's CRC (over its CRC length) and tag checksum.
fn retag(d: &mut [u8]) {
    let crc_len = u16::from_le_bytes([d[10], d[11]]) as usize;
    let crc = raw::crc_itu(&d[16..16 + crc_len]);
    d[8..10].copy_from_slice(&crc.to_le_bytes());
    d[4] = 0;
    d[4] = d[..16].iter().fold(0u8, |a, b| a.wrapping_add(*b));
}

/// A damaged main logical volume descriptor (bad CRC): the reserve copy
/// is used, with a warning, and the tree is complete.
#[test]
fn damaged_main_vds_uses_the_reserve() {
    let mut img = bytes_of("udfkit-bdmv");
    let b = main_vds_block(&img, 6);
    img[b * 2048 + 100] ^= 0xFF; // in the logical volume identifier
    let image = open_bytes(img).unwrap();
    let u = image.info().udf.as_ref().unwrap();
    assert_eq!(u.from_reserve, vec!["logical volume descriptor"]);
    let w = image
        .warnings()
        .iter()
        .map(|w| w.to_string())
        .collect::<Vec<_>>();
    assert!(
        w.iter()
            .any(|w| w.contains("used the reserve copy") && w.contains(&format!("LBA {b}"))),
        "{w:?}"
    );
    let tree = image.tree(View::Udf).unwrap();
    assert_eq!(
        listing(&image, &tree),
        want_listing("udfkit-bdmv.7z-udf.tsv")
    );
}

/// A wrong tag identifier in the main sequence's partition descriptor
/// makes that descriptor corrupt; the reserve copy stands in.
#[test]
fn wrong_tag_in_main_vds_uses_the_reserve() {
    let mut img = bytes_of("udfkit-bdmv");
    let b = main_vds_block(&img, 5);
    img[b * 2048] = 0x63;
    retag(&mut img[b * 2048..b * 2048 + 2048]);
    let image = open_bytes(img).unwrap();
    let u = image.info().udf.as_ref().unwrap();
    assert!(
        u.from_reserve.contains(&"partition descriptor"),
        "{:?}",
        u.from_reserve
    );
    let tree = image.tree(View::Udf).unwrap();
    assert_eq!(
        listing(&image, &tree),
        want_listing("udfkit-bdmv.7z-udf.tsv")
    );
}

/// The metadata partition's main file (udfkit writes it at the first
/// block of the physical partition) damaged: the mirror is used. 7-Zip
/// does not read the mirror, so the listing is 7-Zip's of the undamaged
/// image (the writer's tree).
#[test]
fn damaged_metadata_file_uses_the_mirror() {
    let image = open("udfkit-bdmv");
    let u = image.info().udf.as_ref().unwrap();
    let phys = u.layout.block_offset(raw::LbAddr::default()).unwrap() as usize;
    let mut img = bytes_of("udfkit-bdmv");
    assert_eq!(
        u16::from_le_bytes([img[phys], img[phys + 1]]),
        266,
        "an EFE"
    );
    img[phys + 5] ^= 0x55; // tag checksum no longer adds up
    let image = open_bytes(img.clone()).unwrap();
    let u = image.info().udf.as_ref().unwrap();
    assert_eq!(u.maps[1].detail, "mirror metadata file");
    let w = image
        .warnings()
        .iter()
        .map(|w| w.to_string())
        .collect::<Vec<_>>();
    assert!(
        w.iter()
            .any(|w| w.contains("UDF metadata file") && w.contains("partition 0 block 0")),
        "{w:?}"
    );
    let tree = image.tree(View::Udf).unwrap();
    assert_eq!(
        listing(&image, &tree),
        want_listing("udfkit-bdmv.7z-udf.tsv")
    );

    // The metadata file's extent pointing outside its partition: also the
    // mirror.
    let mut img2 = bytes_of("udfkit-bdmv");
    let fe = &mut img2[phys..phys + 2048];
    let l_ea = u32::from_le_bytes(fe[208..212].try_into().unwrap()) as usize;
    let ad = 216 + l_ea;
    fe[ad + 4..ad + 8].copy_from_slice(&0x00F0_0000u32.to_le_bytes());
    retag(fe);
    let image = open_bytes(img2).unwrap();
    let w = image
        .warnings()
        .iter()
        .map(|w| w.to_string())
        .collect::<Vec<_>>();
    assert!(
        w.iter()
            .any(|w| w.contains("runs past the end of partition 0")),
        "{w:?}"
    );
    assert_eq!(
        image.info().udf.as_ref().unwrap().maps[1].detail,
        "mirror metadata file"
    );
}

/// The file entry of `path` in the UDF file set of `img`, found through
/// the directories' FIDs; with its image offset.
fn entry_of(img: &[u8], path: &str) -> (usize, icb::Entry) {
    let image = open_bytes(img.to_vec()).unwrap();
    let u = image.info().udf.clone().unwrap();
    let src = MemorySource::new(img.to_vec());
    let mut w = Vec::new();
    let mut entry = icb::read_entry(&src, &u.layout, u.root_icb, &mut w).unwrap();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        let d = icb::data(&src, &u.layout, &entry, &mut w).unwrap();
        let bytes = icb::read_all(&src, &d, 1 << 20, "directory").unwrap();
        let mut off = 0;
        let mut next = None;
        while let Some(fid) = bytes.get(off..).and_then(raw::FileIdentifier::parse) {
            if raw::cs0(fid.file_identifier).as_deref() == Ok(part) {
                next = Some(fid.icb.1);
            }
            off += fid.len;
        }
        entry = icb::read_entry(&src, &u.layout, next.expect(part), &mut w).unwrap();
    }
    (entry.offset as usize, entry)
}

fn warnings_of(tree: &Tree) -> Vec<String> {
    tree.warnings().iter().map(|w| w.to_string()).collect()
}

/// An allocation extent chain that loops (an AED continuing to itself):
/// cut with a warning naming the AED; the open and the walk end.
#[test]
fn hostile_aed_chain_loops() {
    let mut img = bytes_of("pycdlib-udf260");
    let (fe_off, entry) = entry_of(&img, "/hello.txt");
    let ad_kind = raw::AdKind::from_flags(entry.fe.icb_tag.flags).unwrap();
    assert_eq!(ad_kind, raw::AdKind::Short, "pycdlib writes short_ads");
    let ad = fe_off + entry.fe.ad_offset().unwrap();
    // The file's data block becomes an AED whose one descriptor continues
    // to itself; the file's AD points at it as a continuation.
    let data_lbn = u32::from_le_bytes(img[ad + 4..ad + 8].try_into().unwrap());
    let data_off = (entry.offset as i64
        + (data_lbn as i64 - entry.addr.logical_block_number as i64) * 2048)
        as usize;
    let len_cont = (3u32 << 30) | 2048;
    img[ad..ad + 4].copy_from_slice(&len_cont.to_le_bytes());
    retag(&mut img[fe_off..fe_off + 2048]);
    let aed = &mut img[data_off..data_off + 2048];
    aed.fill(0);
    aed[0..2].copy_from_slice(&258u16.to_le_bytes());
    aed[2] = 3;
    aed[12..16].copy_from_slice(&data_lbn.to_le_bytes());
    // Length of Allocation Descriptors: one short_ad.
    aed[20..24].copy_from_slice(&8u32.to_le_bytes());
    aed[24..28].copy_from_slice(&len_cont.to_le_bytes());
    aed[28..32].copy_from_slice(&data_lbn.to_le_bytes());
    aed[10..12].copy_from_slice(&16u16.to_le_bytes());
    retag(aed);
    let image = open_bytes(img).unwrap();
    let tree = image.tree(View::Udf).unwrap();
    let w = warnings_of(&tree);
    assert!(
        w.iter()
            .any(|w| w.contains("UDF allocation extent descriptor") && w.contains("loops")),
        "{w:?}"
    );
    assert_eq!(tree.size(tree.lookup("/hello.txt").unwrap()), 0);
}

/// An ICB that is its own parent (an indirect entry pointing at itself):
/// the entry is reported and skipped, the rest of the directory is there.
#[test]
fn hostile_icb_is_its_own_indirect_entry() {
    let mut img = bytes_of("pycdlib-udf260");
    let (fe_off, entry) = entry_of(&img, "/hello.txt");
    let fe = &mut img[fe_off..fe_off + 2048];
    fe[0..2].copy_from_slice(&259u16.to_le_bytes());
    // Indirect ICB (long_ad at 36) = this very block; parent ICB too.
    fe[36..40].copy_from_slice(&2048u32.to_le_bytes());
    fe[40..44].copy_from_slice(&entry.addr.logical_block_number.to_le_bytes());
    fe[44..46].copy_from_slice(&entry.addr.partition_reference_number.to_le_bytes());
    fe[28..32].copy_from_slice(&entry.addr.logical_block_number.to_le_bytes());
    fe[10..12].copy_from_slice(&36u16.to_le_bytes());
    retag(fe);
    let image = open_bytes(img).unwrap();
    let tree = image.tree(View::Udf).unwrap();
    let w = warnings_of(&tree);
    assert!(
        w.iter()
            .any(|w| w.contains("/hello.txt") && w.contains("indirect entries")),
        "{w:?}"
    );
    assert!(tree.lookup("/hello.txt").is_err());
    assert!(tree.lookup("/dir/big.bin").is_ok());
}

/// A directory that contains itself: a FID in /dir pointing at /dir's own
/// ICB. Shown once, empty, with a loop warning.
#[test]
fn hostile_directory_contains_itself() {
    let mut img = bytes_of("pycdlib-udf260");
    let (_, dir_entry) = entry_of(&img, "/dir");
    let data = first_extent(&img, "/dir");
    // The FIDs of /dir: parent, "big.bin", "Février…". Point the second
    // at /dir and make it a directory.
    let fid2 = data + fid_len(&img[data..]);
    img[fid2 + 18] |= 2;
    img[fid2 + 24..fid2 + 28].copy_from_slice(&dir_entry.addr.logical_block_number.to_le_bytes());
    img[fid2 + 28..fid2 + 30]
        .copy_from_slice(&dir_entry.addr.partition_reference_number.to_le_bytes());
    let l = fid_len(&img[fid2..]);
    retag_fid(&mut img[fid2..fid2 + l]);
    let image = open_bytes(img).unwrap();
    let tree = image.tree(View::Udf).unwrap();
    let w = warnings_of(&tree);
    assert!(w.iter().any(|w| w.contains("(a loop)")), "{w:?}");
    assert!(tree.len() < 10);
}

/// The image offset of the directory `path`'s data (one extent).
fn first_extent(img: &[u8], path: &str) -> usize {
    let (_, entry) = entry_of(img, path);
    let image = open_bytes(img.to_vec()).unwrap();
    let u = image.info().udf.clone().unwrap();
    let src = MemorySource::new(img.to_vec());
    let d = icb::data(&src, &u.layout, &entry, &mut Vec::new()).unwrap();
    d.extents[0].offset as usize
}

fn fid_len(f: &[u8]) -> usize {
    let l_fi = f[19] as usize;
    let l_iu = u16::from_le_bytes([f[36], f[37]]) as usize;
    (38 + l_iu + l_fi + 3) & !3
}

fn retag_fid(f: &mut [u8]) {
    let n = f.len() - 16;
    f[10..12].copy_from_slice(&(n as u16).to_le_bytes());
    retag(f);
}

/// A FID whose lengths run past the end of the directory: a warning that
/// names the FID and the directory; the entries before it are listed.
#[test]
fn hostile_fid_runs_past_the_directory() {
    let mut img = bytes_of("pycdlib-udf260");
    let data = first_extent(&img, "/");
    // The root's FIDs: parent, then the entries; make the last one's
    // implementation-use length huge.
    let mut off = data;
    let mut last = data;
    while u16::from_le_bytes([img[off], img[off + 1]]) == 257 {
        last = off;
        off += fid_len(&img[off..]);
    }
    img[last + 36..last + 38].copy_from_slice(&0xFFF0u16.to_le_bytes());
    retag(&mut img[last..last + 1024]);
    let image = open_bytes(img).unwrap();
    let tree = image.tree(View::Udf).unwrap();
    let w = warnings_of(&tree);
    assert!(
        w.iter()
            .any(|w| w.contains("UDF file identifier descriptor")
                && w.contains("run past the end of the directory")
                && w.contains("partition 0 block")),
        "{w:?}"
    );
    assert!(tree.children(tree.root()).len() >= 2);
}

/// A CS0 name with an odd byte count (compression id 16, then an odd
/// number of bytes): that entry is skipped with a warning.
#[test]
fn hostile_cs0_odd_length() {
    let mut img = bytes_of("pycdlib-udf260");
    let data = first_extent(&img, "/");
    let mut off = data;
    loop {
        assert_eq!(u16::from_le_bytes([img[off], img[off + 1]]), 257);
        let l_fi = img[off + 19] as usize;
        let l_iu = u16::from_le_bytes([img[off + 36], img[off + 37]]) as usize;
        let name = &img[off + 38 + l_iu..off + 38 + l_iu + l_fi];
        if name == b"\x08hello.txt" {
            img[off + 38 + l_iu] = 16; // 9 bytes after the id: odd
            let l = fid_len(&img[off..]);
            retag_fid(&mut img[off..off + l]);
            break;
        }
        off += fid_len(&img[off..]);
    }
    let image = open_bytes(img).unwrap();
    let tree = image.tree(View::Udf).unwrap();
    let w = warnings_of(&tree);
    assert!(w.iter().any(|w| w.contains("odd number of bytes")), "{w:?}");
    assert!(tree.lookup("/hello.txt").is_err());
    assert!(tree.lookup("/empty.txt").is_ok());
}

/// A logical volume claiming thousands of partition maps: only the first
/// 64 are considered, with a warning; the volume still opens.
#[test]
fn hostile_thousands_of_partition_maps() {
    let mut img = bytes_of("udfkit-bdmv");
    let b = main_vds_block(&img, 6);
    let d = &mut img[b * 2048..b * 2048 + 2048];
    d[268..272].copy_from_slice(&5000u32.to_le_bytes());
    retag(d);
    let image = open_bytes(img).unwrap();
    let w = image
        .warnings()
        .iter()
        .map(|w| w.to_string())
        .collect::<Vec<_>>();
    assert!(w.iter().any(|w| w.contains("5000 partition maps")), "{w:?}");
    assert!(image.info().udf.as_ref().unwrap().maps.len() <= 64);
}

/// A VAT file entry claiming 2^32 entries: first an information length
/// of 16 GiB over the few bytes embedded in the entry (the embedded bytes
/// are used, with a warning), then allocation descriptors that really
/// cover 17 GiB (unrecorded extents): refused at the VAT's size cap before
/// anything is allocated; the volume cannot be read and the error says
/// why.
#[test]
fn hostile_vat_claims_4g_entries() {
    let good = bytes_of("mkudffs-cdr");
    let (kv, _) = udfinfo("mkudffs-cdr");
    let vat: usize = kv["vatblock"].parse().unwrap();
    let mut img = good.clone();
    let fe = &mut img[vat * 2048..vat * 2048 + 2048];
    // Information Length is at byte 56 in a FE and an EFE alike.
    fe[56..64].copy_from_slice(&(4u64 << 32).to_le_bytes());
    retag(fe);
    let image = open_bytes(img).unwrap();
    let w = image
        .warnings()
        .iter()
        .map(|w| w.to_string())
        .collect::<Vec<_>>();
    assert!(w.iter().any(|w| w.contains("embedded data holds")), "{w:?}");
    let u = image.info().udf.as_ref().unwrap();
    assert_eq!(u.maps[1].detail, "VAT of 2 entries");

    let mut img = good;
    let fe = &mut img[vat * 2048..vat * 2048 + 2048];
    let efe = u16::from_le_bytes([fe[0], fe[1]]) == 266;
    let (l_ea_at, ea_at) = if efe { (208, 216) } else { (168, 176) };
    let l_ea = u32::from_le_bytes(fe[l_ea_at..l_ea_at + 4].try_into().unwrap()) as usize;
    let ad_at = ea_at + l_ea;
    fe[34] &= !7; // ICB tag flags (byte 18 of the ICB tag): short_ad
    let one = 0x3FFF_F800u32;
    for i in 0..17 {
        let o = ad_at + 8 * i;
        fe[o..o + 4].copy_from_slice(&((1u32 << 30) | one).to_le_bytes());
        fe[o + 4..o + 8].copy_from_slice(&0u32.to_le_bytes());
    }
    fe[l_ea_at + 4..l_ea_at + 8].copy_from_slice(&(17u32 * 8).to_le_bytes());
    fe[56..64].copy_from_slice(&(17 * u64::from(one)).to_le_bytes());
    let crc_len = (ad_at + 17 * 8 - 16) as u16;
    fe[10..12].copy_from_slice(&crc_len.to_le_bytes());
    retag(fe);
    let e = open_bytes(img).unwrap_err().to_string();
    assert!(
        e.contains("UDF volume is recognised but cannot be read")
            && e.contains("the VAT at partition 0 block")
            && e.contains("limit"),
        "{e}"
    );
}

/// A file extent pointing outside its partition: the file is marked
/// damaged with a warning naming the partition; the others are read.
#[test]
fn hostile_extent_outside_the_partition() {
    let mut img = bytes_of("pycdlib-udf260");
    let (fe_off, entry) = entry_of(&img, "/dir/big.bin");
    let ad = fe_off + entry.fe.ad_offset().unwrap();
    img[ad + 4..ad + 8].copy_from_slice(&0x7FFF_0000u32.to_le_bytes());
    retag(&mut img[fe_off..fe_off + 2048]);
    let image = open_bytes(img).unwrap();
    let tree = image.tree(View::Udf).unwrap();
    let w = warnings_of(&tree);
    assert!(
        w.iter()
            .any(|w| w.contains("runs past the end of partition 0")),
        "{w:?}"
    );
    let id = tree.lookup("/dir/big.bin").unwrap();
    assert!(tree.flags(id).contains(iso_core::tree::NodeFlags::DAMAGED));
    assert!(tree.lookup("/hello.txt").is_ok());
}

/// Deterministic byte flips over the descriptor and directory areas of
/// every fixture: opening and walking never panic.
#[test]
fn hostile_byte_flips_never_panic() {
    for name in [
        "pycdlib-udf260",
        "udfkit-bdmv",
        "mkudffs-cdr",
        "mkudffs-dvdrw",
    ] {
        let good = bytes_of(name);
        let mut seed = 0x1234_5678u64;
        for _ in 0..60 {
            let mut img = good.clone();
            for _ in 0..8 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let pos = (seed >> 33) as usize % img.len().min(600 * 2048);
                img[pos] ^= (seed >> 13) as u8 | 1;
            }
            if let Ok(image) = open_bytes(img) {
                if image.views().contains(&View::Udf) {
                    if let Ok(tree) = image.tree(View::Udf) {
                        for id in tree.ids() {
                            crate::util::drain_file(&image, &tree, id, 1 << 20);
                        }
                    }
                }
            }
        }
    }
}

/// Symbolic links from path component records and a hard link (two FIDs,
/// one ICB), against the writer's input (7-Zip refuses the image): link
/// targets, the hard link's shared inode and link count.
#[test]
fn symlinks_and_hard_links() {
    let image = open("pycdlib-links");
    let tree = image.tree(View::Udf).unwrap();
    assert!(tree.warnings().is_empty(), "{:?}", tree.warnings());
    assert_eq!(
        listing(&image, &tree),
        want_listing("pycdlib-links.input.tsv")
    );
    let a = tree.lookup("/hello.txt").unwrap();
    let b = tree.lookup("/hard.txt").unwrap();
    // pycdlib points both FIDs at one ICB but records a link count of 1;
    // the two share their data, which is the hard-link key.
    assert_eq!(tree.extents(a), tree.extents(b));
    assert!(tree.hardlink_key(a).is_some());
    assert_eq!(tree.hardlink_key(a), tree.hardlink_key(b));
    let link = tree.lookup("/link").unwrap();
    assert_eq!(tree.kind(link), NodeKind::Symlink);
    assert_eq!(tree.size(link), "hello.txt".len() as u64);
    assert_eq!(tree.unix(link).unwrap().mode & 0o170000, 0o120000);
}

/// Sparing (mkudffs-dvdrw, a sparable partition with two sparing table
/// copies at blocks 112 and 4080 per udfinfo): the packets holding the
/// file set descriptor and the root move to spare packets, the originals
/// blanked;
/// with the remapping recorded in the second table copy only (the first
/// copy damaged), the volume still opens through the remapped packet, and
/// the damaged copy is reported.
#[test]
fn sparable_packet_remapped() {
    let mut img = bytes_of("mkudffs-dvdrw");
    let (_, layout) = udfinfo("mkudffs-dvdrw");
    let tables: Vec<usize> = layout
        .iter()
        .filter(|(_, t)| t == "STABLE")
        .map(|(s, _)| *s as usize)
        .collect();
    assert_eq!(tables.len(), 2);
    let pspace = layout.iter().find(|(_, t)| t == "PSPACE").unwrap().0 as usize;
    let second = &img[tables[1] * 2048..tables[1] * 2048 + 2048];
    assert_eq!(&second[17..35], b"*UDF Sparing Table");
    // Packet length 16 (mkudffs' for DVD-RW, as the map says). Packets 1
    // and 2 hold the file set descriptor (partition block 16) and the
    // root's entry (block 32); they move to the first two spare packets.
    let packet = 16 * 2048;
    for (entry, orig) in [(0usize, 16u32), (1, 32)] {
        let t = tables[1] * 2048 + 56 + 8 * entry;
        let mapped = u32::from_le_bytes(img[t + 4..t + 8].try_into().unwrap()) as usize;
        let from = (pspace + orig as usize) * 2048;
        let moved = img[from..from + packet].to_vec();
        img[mapped * 2048..mapped * 2048 + packet].copy_from_slice(&moved);
        img[from..from + packet].fill(0);
        img[t..t + 4].copy_from_slice(&orig.to_le_bytes());
    }
    retag(&mut img[tables[1] * 2048..tables[1] * 2048 + 2048]);
    // The first copy: damaged (CRC no longer matches).
    img[tables[0] * 2048 + 40] ^= 0xFF;
    let image = open_bytes(img).unwrap();
    let u = image.info().udf.as_ref().expect("the volume opens");
    assert_eq!(u.maps[0].kind, "sparable");
    assert!(
        u.maps[0].detail.contains("2 packets remapped"),
        "{}",
        u.maps[0].detail
    );
    let w = image
        .warnings()
        .iter()
        .map(|w| w.to_string())
        .collect::<Vec<_>>();
    assert!(
        w.iter()
            .any(|w| w.contains("UDF sparing table") && w.contains(&format!("LBA {}", tables[0]))),
        "{w:?}"
    );
    let tree = image.tree(View::Udf).unwrap();
    assert!(tree.warnings().is_empty(), "{:?}", tree.warnings());
    assert_eq!(u.file_set_identifier, "LinuxUDF");
}

/// A Windows-install-like bridge with a 4.5 GiB file in the UDF tree only
/// (pycdlib, sparse source): UDF is the default view, the listing is
/// 7-Zip's (`7z l -slt`: path, type, size), the big file is several
/// extents under 1 GiB that read back its first bytes.
#[test]
fn winlike_bridge_with_a_file_over_4g() {
    use std::io::Read;
    let source = crate::fixtures::SparseSource::load(&dir().join("pycdlib-winlike-4g.sparse.gz"));
    let image = Image::from_source(Arc::new(source), &OpenOptions::default()).unwrap();
    assert_eq!(image.default_view(), Some(View::Udf));
    assert_eq!(
        image.tree(View::Joliet).unwrap().len(),
        2,
        "README.TXT alone"
    );
    let tree = image.tree(View::Udf).unwrap();
    let mut ours: Vec<String> = tree
        .walk(tree.root())
        .filter(|&id| id != tree.root())
        .map(|id| match tree.kind(id) {
            NodeKind::Dir => format!("{}\td\t-", tree.path(id)),
            _ => format!("{}\tf\t{}", tree.path(id), tree.size(id)),
        })
        .collect();
    ours.sort();
    assert_eq!(ours, want_listing("pycdlib-winlike-4g.7z-udf-slt.tsv"));
    let big = tree.lookup("/sources/install.wim").unwrap();
    let extents = tree.extents(big);
    assert!(extents.len() >= 5, "{extents:?}");
    assert!(extents.iter().all(|e| e.len < 1 << 30), "{extents:?}");
    let mut head = [0u8; 21];
    image
        .open_file(&tree, big)
        .unwrap()
        .read_exact(&mut head)
        .unwrap();
    assert_eq!(&head, b"START OF THE BIG FILE");
}

/// An extended file entry (ECMA-167 4/14.17) made from the file entry
/// (4/14.9) `fe`, with a Stream Directory ICB at `stream` (partition
/// block, partition reference number). Tag CRC recomputed.
fn fe_to_efe(fe: &[u8], tag_location: u32, stream: (u32, u16)) -> Vec<u8> {
    let u32_at = |o: usize| u32::from_le_bytes(fe[o..o + 4].try_into().unwrap()) as usize;
    let (l_ea, l_ad) = (u32_at(168), u32_at(172));
    let mut e = vec![0u8; fe.len()];
    e[..56].copy_from_slice(&fe[..56]);
    e[0..2].copy_from_slice(&266u16.to_le_bytes());
    e[12..16].copy_from_slice(&tag_location.to_le_bytes());
    e[56..64].copy_from_slice(&fe[56..64]); // Information Length
    e[64..72].copy_from_slice(&fe[56..64]); // Object Size
    e[72..80].copy_from_slice(&fe[64..72]); // Logical Blocks Recorded
    e[80..92].copy_from_slice(&fe[72..84]); // Access
    e[92..104].copy_from_slice(&fe[84..96]); // Modification
    e[104..116].copy_from_slice(&fe[84..96]); // Creation
    e[116..128].copy_from_slice(&fe[96..108]); // Attribute
    e[128..132].copy_from_slice(&fe[108..112]); // Checkpoint
    e[136..152].copy_from_slice(&fe[112..128]); // Extended Attribute ICB
    e[152..156].copy_from_slice(&1u32.to_le_bytes()); // a nonzero length
    e[156..160].copy_from_slice(&stream.0.to_le_bytes());
    e[160..162].copy_from_slice(&stream.1.to_le_bytes());
    e[168..200].copy_from_slice(&fe[128..160]); // Implementation Identifier
    e[200..216].copy_from_slice(&fe[160..176]); // Unique Id, L_EA, L_AD
    e[216..216 + l_ea + l_ad].copy_from_slice(&fe[176..176 + l_ea + l_ad]);
    let crc_len = (216 + l_ea + l_ad - 16) as u16;
    e[10..12].copy_from_slice(&crc_len.to_le_bytes());
    retag(&mut e);
    e
}

/// Sets the ICB tag's File Type (ECMA-167 4/14.6.6) of the entry at
/// `off` and retags it.
fn set_file_type(img: &mut [u8], off: usize, ty: u8) {
    img[off + 27] = ty;
    retag(&mut img[off..off + 2048]);
}

/// udfkit's /BDMV/index.bdmv made an EFE whose stream directory is
/// /BDMV/STREAM's ICB (file type set to 13, stream directory): its named
/// streams are that directory's entries, with the names, sizes and
/// contents 7-Zip lists for them; they are not files of the tree, and the
/// tree is otherwise what 7-Zip lists.
#[test]
fn named_streams_of_an_extended_file_entry() {
    let mut img = bytes_of("udfkit-bdmv");
    let (dir_off, dir) = entry_of(&img, "/BDMV/STREAM");
    assert_eq!(u16::from_le_bytes([img[dir_off], img[dir_off + 1]]), 261);
    set_file_type(&mut img, dir_off, 13);
    let (fe_off, fe) = entry_of(&img, "/BDMV/index.bdmv");
    let a = dir.addr;
    let efe = fe_to_efe(
        &img[fe_off..fe_off + 2048],
        fe.addr.logical_block_number,
        (a.logical_block_number, a.partition_reference_number),
    );
    img[fe_off..fe_off + 2048].copy_from_slice(&efe);
    let image = open_bytes(img).unwrap();
    let tree = image.tree(View::Udf).unwrap();
    assert_eq!(
        listing(&image, &tree),
        want_listing("udfkit-bdmv.7z-udf.tsv")
    );
    let id = tree.lookup("/BDMV/index.bdmv").unwrap();
    let want: Vec<(String, u64, String)> = expected("udfkit-bdmv.7z-udf.tsv")
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let name = f[0].strip_prefix("/BDMV/STREAM/")?;
            Some((name.to_string(), f[2].parse().unwrap(), f[3].to_string()))
        })
        .collect();
    assert_eq!(want.len(), 2);
    let got: Vec<(String, u64, String)> = tree
        .streams(id)
        .iter()
        .enumerate()
        .map(|(i, s)| {
            use sha2::{Digest, Sha256};
            let mut r = image.open_stream(&tree, id, i).unwrap();
            let mut h = Sha256::new();
            std::io::copy(&mut r, &mut h).unwrap();
            let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
            (s.name.clone(), s.size, hex)
        })
        .collect();
    assert_eq!(got, want);
    assert!(tree
        .streams(tree.lookup("/BDMV/MovieObject.bdmv").unwrap())
        .is_empty());
    assert!(image.open_stream(&tree, id, 2).is_err());
}

/// Hostile stream directories: a file whose stream directory ICB is the
/// file itself (not a stream directory: a warning naming the partition
/// block, no streams), and a stream directory whose own stream directory
/// is itself (one level read, no loop).
#[test]
fn hostile_stream_directory_is_its_own_parent() {
    let mut img = bytes_of("udfkit-bdmv");
    let (fe_off, fe) = entry_of(&img, "/BDMV/index.bdmv");
    let a = fe.addr;
    let efe = fe_to_efe(
        &img[fe_off..fe_off + 2048],
        a.logical_block_number,
        (a.logical_block_number, a.partition_reference_number),
    );
    img[fe_off..fe_off + 2048].copy_from_slice(&efe);
    let (dir_off, dir) = entry_of(&img, "/BDMV/STREAM");
    let d = dir.addr;
    let mut efe = fe_to_efe(
        &img[dir_off..dir_off + 2048],
        d.logical_block_number,
        (d.logical_block_number, d.partition_reference_number),
    );
    efe[27] = 13;
    retag(&mut efe);
    img[dir_off..dir_off + 2048].copy_from_slice(&efe);
    let image = open_bytes(img).unwrap();
    let tree = image.tree(View::Udf).unwrap();
    let w = warnings_of(&tree);
    let place = format!(
        "partition {} block {}",
        a.partition_reference_number, a.logical_block_number
    );
    assert!(
        w.iter()
            .any(|w| w.contains("UDF stream directory") && w.contains(&place)),
        "{w:?}"
    );
    assert!(tree
        .streams(tree.lookup("/BDMV/index.bdmv").unwrap())
        .is_empty());
    let s = tree.streams(tree.lookup("/BDMV/STREAM").unwrap());
    let names: Vec<&str> = s.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["00000.m2ts", "00001.m2ts"]);
    assert_eq!(
        tree.size(tree.lookup("/BDMV/STREAM/00000.m2ts").unwrap()),
        300000
    );
}
