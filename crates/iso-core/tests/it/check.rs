//! The image test (`verify::check`) on xorriso's zisofs fixture with one
//! file's compressed data overwritten: that file is reported, with where,
//! and every other file reads whole.

use iso_core::extract::{Cancel, Progress};
use iso_core::verify::check::check_tree;
use iso_core::{Image, NodeKind, OpenOptions, View};

use crate::util::{fixtures_dir, gunzip, temp_file};

#[test]
fn a_damaged_zisofs_file_is_reported_and_the_rest_reads() {
    let mut bytes = gunzip(&fixtures_dir().join("xorriso-zisofs-32k.iso.gz"));
    let image = Image::from_source(
        std::sync::Arc::new(iso_core::MemorySource::new(bytes.clone())),
        &OpenOptions::default(),
    )
    .unwrap();
    let tree = image.tree(View::RockRidge).unwrap();
    let clean = check_tree(&image, &tree, &Progress::new(), &Cancel::new());
    assert!(clean.is_clean(), "{:?}", clean.problems);
    // The largest compressed file: overwrite its data after the 16-byte
    // header and the block pointers with 0xFF (not a deflate stream).
    let victim = tree
        .ids()
        .filter(|&id| tree.kind(id) == NodeKind::File)
        .filter(|&id| matches!(tree.encoding(id), iso_core::tree::Encoding::Zisofs { .. }))
        .max_by_key(|&id| tree.size(id))
        .unwrap();
    let ext = tree.extents(victim)[0];
    let start = usize::try_from(ext.offset).unwrap() + 256;
    let end = start + 4096;
    assert!(end as u64 <= ext.offset + ext.len);
    bytes[start..end].fill(0xFF);
    let file = temp_file(&bytes);
    let image = Image::open(file.path(), &OpenOptions::default()).unwrap();
    let tree = image.tree(View::RockRidge).unwrap();
    let progress = Progress::new();
    let report = check_tree(&image, &tree, &progress, &Cancel::new());
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    let p = &report.problems[0];
    assert_eq!(p.path, tree.path(victim));
    assert!(p.what.contains("unreadable"), "{}", p.what);
    assert_eq!(
        p.image_offset,
        Some(ext.offset),
        "where its compressed data is"
    );
    assert_eq!(report.files_ok + 1, report.files_checked);
    assert_eq!(progress.snapshot().files_done, report.files_checked);
}
