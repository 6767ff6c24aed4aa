//! ECMA-119 features that genisoimage and xorriso do not write, checked on
//! images built by [`crate::isobuild`] against the standard's rules.

use std::io::Read;
use std::sync::Arc;

use iso_core::{Image, MemorySource, OpenOptions, View};

use crate::isobuild::{self, put, Spec, BLOCK, FILE, FILE_DATA, JROOT, ROOT, SPARE};

fn open(bytes: Vec<u8>) -> Image {
    Image::from_source(Arc::new(MemorySource::new(bytes)), &OpenOptions::default()).expect("open")
}

fn read(image: &Image, view: View, path: &str) -> Vec<u8> {
    let tree = image.tree(view).expect("tree");
    let id = tree.lookup(path).expect("lookup");
    let mut out = Vec::new();
    image
        .open_file(&tree, id)
        .expect("open_file")
        .read_to_end(&mut out)
        .expect("read");
    out
}

/// Offset of the directory record whose identifier is `id` in block `lba`.
fn record_offset(img: &[u8], lba: u32, id: &[u8]) -> usize {
    let start = lba as usize * BLOCK;
    let block = &img[start..start + BLOCK];
    let mut off = 0;
    while off < BLOCK && block[off] != 0 {
        let len = block[off] as usize;
        let id_len = block[off + 32] as usize;
        if &block[off + 33..off + 33 + id_len] == id {
            return start + off;
        }
        off += len;
    }
    panic!("no record {id:?} in block {lba}");
}

fn ucs2(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_be_bytes).collect()
}

/// ECMA-119 §9.5 / §6.5.2: an extended attribute record of N blocks sits at
/// the start of the extent and the file's data follows it; Data Length
/// counts only the data.
#[test]
fn extended_attribute_record_is_skipped() {
    let mut img = isobuild::build(&Spec {
        file_lba: Some(SPARE),
        ..Spec::default()
    });
    // One block of extended attribute record, then the data.
    put(&mut img, SPARE, 0, &[0xEAu8; BLOCK]);
    put(&mut img, SPARE + 1, 0, FILE_DATA);
    for (dir, id) in [(ROOT, b"FILE.TXT;1".to_vec()), (JROOT, ucs2("file.txt;1"))] {
        let rec = record_offset(&img, dir, &id);
        img[rec + 1] = 1; // Extended Attribute Record Length
    }
    let image = open(img);
    for view in [View::Iso9660, View::Joliet, View::RockRidge] {
        let path = if view == View::Iso9660 {
            "/FILE.TXT"
        } else {
            "/file.txt"
        };
        assert_eq!(read(&image, view, path), FILE_DATA, "{view}");
    }
}

/// ECMA-119 §6.4.3: an interleaved file is recorded in file units of
/// File Unit Size blocks separated by Interleave Gap Size blocks.
#[test]
fn interleaved_file_is_joined() {
    let data: Vec<u8> = (0..2500u32).map(|i| (i % 251) as u8).collect();
    let mut img = isobuild::build(&Spec {
        file_lba: Some(FILE),
        file_len: Some(data.len() as u32),
        ..Spec::default()
    });
    // Unit 1 block at 27, gap 2 blocks (28-29, INNER.TXT's), unit at 30.
    put(&mut img, FILE, 0, &data[..BLOCK]);
    put(&mut img, SPARE, 0, &data[BLOCK..]);
    let rec = record_offset(&img, ROOT, b"FILE.TXT;1");
    img[rec + 26] = 1; // File Unit Size
    img[rec + 27] = 2; // Interleave Gap Size
    let image = open(img);
    assert_eq!(read(&image, View::Iso9660, "/FILE.TXT"), data);
    // INNER.TXT in the gap is untouched.
    assert_eq!(
        read(&image, View::Iso9660, "/DIR/INNER.TXT"),
        isobuild::inner_data()
    );
}

/// ECMA-119 §9.4: the path table also records every directory's extent;
/// when a directory record points outside the image, the path table is the
/// way to the directory, and a warning says so.
#[test]
fn path_table_finds_a_directory_whose_record_is_damaged() {
    let image = open(isobuild::build(&Spec {
        dir_extent: Some(100_000),
        ..Spec::default()
    }));
    let tree = image.tree(View::Iso9660).expect("tree");
    assert!(
        tree.warnings()
            .iter()
            .any(|w| w.what.contains("path table")),
        "{:?}",
        tree.warnings()
    );
    assert_eq!(
        read(&image, View::Iso9660, "/DIR/INNER.TXT"),
        isobuild::inner_data()
    );
}
