//! Hostile images, built in memory from the valid image of `isobuild` or
//! from a decompressed fixture: loops (a CE that points at itself, a
//! directory whose extent is its parent's), lengths and extents past the
//! end, truncation, names with "/" or ".." in NM or Joliet, and
//! deterministic byte flips. Each must give an error or warnings — never a
//! panic, a hang or an allocation sized from the image.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use iso_core::{Image, MemorySource, NodeKind, OpenOptions, Tree, View};

use crate::isobuild::{self, Spec};
use crate::util::{drain_file, fixtures_dir, gunzip, hex, sha256_of};

/// Most nodes a tree of these small images may have: bounded memory.
const MAX_NODES: usize = 100_000;

/// Longest any one hostile test may take before it counts as a hang.
const HANG_SECS: u64 = 120;

/// Runs `f` on its own thread and fails if it does not finish within
/// [`HANG_SECS`] (a loop the reader did not break); panics propagate.
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(std::time::Duration::from_secs(HANG_SECS)) {
        Ok(v) => v,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what}: still running after {HANG_SECS} s (a hang)")
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => match handle.join() {
            Err(p) => std::panic::resume_unwind(p),
            Ok(()) => unreachable!("the thread sent nothing and did not panic"),
        },
    }
}

fn open(bytes: Vec<u8>) -> iso_core::Result<Image> {
    Image::from_source(Arc::new(MemorySource::new(bytes)), &OpenOptions::default())
}

/// Opens, builds every view's tree and reads every file (capped); returns
/// a description of each view's result. Panics propagate.
fn exercise(bytes: Vec<u8>) -> Vec<String> {
    let mut out = Vec::new();
    let image = match open(bytes) {
        Ok(i) => i,
        Err(e) => return vec![format!("open: {e}")],
    };
    let _ = image.boot_catalog();
    for &view in image.views() {
        match image.tree(view) {
            Ok(tree) => {
                assert!(tree.len() <= MAX_NODES, "{view}: {} nodes", tree.len());
                for id in tree.walk(tree.root()).take(MAX_NODES) {
                    let _ = tree.path(id);
                    if tree.kind(id) == NodeKind::File {
                        drain_file(&image, &tree, id, 1 << 20);
                    }
                }
                out.push(format!(
                    "{view}: {} nodes, {} warnings",
                    tree.len(),
                    tree.warnings().len()
                ));
            }
            Err(e) => out.push(format!("{view}: {e}")),
        }
    }
    out
}

fn tree_or_err(image: &Image, view: View) -> Result<Tree, String> {
    image.tree(view).map_err(|e| e.to_string())
}

/// Ok with warnings, or an error — the two acceptable outcomes.
fn assert_flagged(what: &str, result: &Result<Tree, String>) {
    if let Ok(tree) = result {
        assert!(
            !tree.warnings().is_empty(),
            "{what}: no error and no warning"
        );
    }
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}

/// The writer's valid image reads back as written, in every view (a check
/// of the writer as much as of the reader; the values come from the
/// writer's inputs, per ECMA-119, Joliet and RRIP).
#[test]
fn handmade_image_is_valid() {
    within("handmade_image_is_valid", handmade_image_is_valid_body);
}

fn handmade_image_is_valid_body() {
    let image = open(isobuild::basic()).expect("open");
    // Rock Ridge last, so that the other views are checked even where it
    // is not read.
    for (view, file, dir, inner) in [
        (View::Iso9660, "/FILE.TXT", "/DIR", "/DIR/INNER.TXT"),
        (View::Joliet, "/file.txt", "/dir", "/dir/inner.txt"),
        (View::RockRidge, "/file.txt", "/dir", "/dir/inner.txt"),
    ] {
        let tree = image.tree(view).unwrap_or_else(|e| panic!("{view}: {e}"));
        assert!(tree.warnings().is_empty(), "{view}: {:?}", tree.warnings());
        assert_eq!(tree.len(), 4, "{view}");
        let f = tree.lookup(file).unwrap_or_else(|e| panic!("{view}: {e}"));
        assert_eq!(tree.size(f), isobuild::FILE_DATA.len() as u64);
        assert_eq!(
            sha256_of(&image, &tree, f, 1 << 20).unwrap(),
            sha256(isobuild::FILE_DATA)
        );
        assert!(tree.is_dir(tree.lookup(dir).unwrap()), "{view}");
        let i = tree.lookup(inner).unwrap();
        assert_eq!(
            sha256_of(&image, &tree, i, 1 << 20).unwrap(),
            sha256(&isobuild::inner_data())
        );
        assert_eq!(
            tree.mtime(f).map(|t| t.seconds),
            Some(1_577_934_245),
            "{view}: 2020-01-02 03:04:05 UTC"
        );
        if view == View::RockRidge {
            assert_eq!(tree.unix(i).map(|u| u.mode), Some(0o100600));
        }
    }
    assert_eq!(
        image.views(),
        &[View::RockRidge, View::Joliet, View::Iso9660]
    );
}

#[test]
fn continuation_area_pointing_at_itself() {
    within(
        "continuation_area_pointing_at_itself",
        continuation_area_pointing_at_itself_body,
    );
}

fn continuation_area_pointing_at_itself_body() {
    let spare = isobuild::SPARE;
    let mut img = isobuild::build(&Spec {
        root_dot_extra_su: isobuild::ce(spare, 0, 28),
        ..Spec::default()
    });
    isobuild::put(&mut img, spare, 0, &isobuild::ce(spare, 0, 28));
    let image = open(img).expect("open");
    assert!(
        image.views().contains(&View::RockRidge),
        "{:?}",
        image.views()
    );
    assert_flagged("CE loop", &tree_or_err(&image, View::RockRidge));
}

#[test]
fn directory_pointing_at_its_parent() {
    within(
        "directory_pointing_at_its_parent",
        directory_pointing_at_its_parent_body,
    );
}

fn directory_pointing_at_its_parent_body() {
    let img = isobuild::build(&Spec {
        dir_extent: Some(isobuild::ROOT),
        ..Spec::default()
    });
    let image = open(img).expect("open");
    for view in [View::Iso9660, View::RockRidge] {
        let tree = tree_or_err(&image, view);
        assert_flagged(&format!("{view}: directory loop"), &tree);
        if let Ok(t) = tree {
            assert!(t.len() < 50, "{view}: {} nodes", t.len());
        }
    }
}

#[test]
fn file_length_past_the_end() {
    within("file_length_past_the_end", file_length_past_the_end_body);
}

fn file_length_past_the_end_body() {
    for spec in [
        Spec {
            file_len: Some(0xFFFF_0000),
            ..Spec::default()
        },
        Spec {
            file_lba: Some(0x7FFF_0000),
            ..Spec::default()
        },
    ] {
        let image = open(isobuild::build(&spec)).expect("open");
        let tree = image.tree(View::Iso9660).expect("tree");
        let f = tree.lookup("/FILE.TXT").expect("FILE.TXT");
        let read = sha256_of(&image, &tree, f, 1 << 30);
        assert!(
            !tree.warnings().is_empty() || read.is_err(),
            "{spec:?}: read {read:?} with no warning"
        );
    }
}

#[test]
fn truncated_images() {
    within("truncated_images", truncated_images_body);
}

fn truncated_images_body() {
    let full = isobuild::basic();
    // Root present, DIR missing: the tree must say so.
    let cut = full[..isobuild::DIR as usize * isobuild::BLOCK].to_vec();
    let image = open(cut).expect("descriptors are there");
    assert_flagged("DIR cut off", &tree_or_err(&image, View::Iso9660));
    // INNER.TXT's data missing: reading it fails.
    let cut = full[..(isobuild::INNER as usize + 1) * isobuild::BLOCK].to_vec();
    let image = open(cut).expect("open");
    let tree = image.tree(View::Iso9660).expect("tree");
    let inner = tree.lookup("/DIR/INNER.TXT").expect("INNER.TXT");
    assert!(
        sha256_of(&image, &tree, inner, 1 << 20).is_err() || !tree.warnings().is_empty(),
        "reading a file past the end of the image succeeded"
    );
    // Descriptors cut off: a clean error.
    assert!(open(full[..16 * isobuild::BLOCK + 100].to_vec()).is_err());
    assert!(open(Vec::new()).is_err());
}

#[test]
fn names_with_separators_or_dot_dot() {
    within(
        "names_with_separators_or_dot_dot",
        names_with_separators_or_dot_dot_body,
    );
}

fn names_with_separators_or_dot_dot_body() {
    for bad in ["a/b", "..", ".", "x\0y"] {
        let image = open(isobuild::build(&Spec {
            joliet_file_name: Some(bad.into()),
            ..Spec::default()
        }))
        .expect("open");
        let tree = tree_or_err(&image, View::Joliet);
        assert_flagged(&format!("Joliet {bad:?}"), &tree);
        if let Ok(t) = tree {
            for id in t.walk(t.root()).skip(1) {
                let n = t.name(id);
                assert!(
                    n != ".." && n != "." && !n.contains('/') && !n.contains('\0'),
                    "Joliet {bad:?}: {n:?}"
                );
            }
        }
    }
    for bad in [&b"a/b"[..], b"..", b".", b"x\0y"] {
        let image = open(isobuild::build(&Spec {
            file_nm: Some(bad.to_vec()),
            ..Spec::default()
        }))
        .expect("open");
        assert!(image.views().contains(&View::RockRidge));
        let tree = tree_or_err(&image, View::RockRidge);
        assert_flagged(&format!("NM {bad:?}"), &tree);
        if let Ok(t) = tree {
            for id in t.walk(t.root()).skip(1) {
                let n = t.name(id);
                assert!(
                    n != ".." && n != "." && !n.contains('/') && !n.contains('\0'),
                    "NM {bad:?}: {n:?}"
                );
            }
        }
    }
}

/// Marsaglia's xorshift64: deterministic "random" numbers.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Runs `exercise` on each variant, catching panics; fails listing them.
fn run_variants(what: &str, variants: impl Iterator<Item = (String, Vec<u8>)>) {
    let mut panics = Vec::new();
    let mut count = 0;
    for (label, bytes) in variants {
        count += 1;
        if let Err(p) = catch_unwind(AssertUnwindSafe(|| exercise(bytes))) {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panics.push(format!("{label}: {msg}"));
        }
    }
    assert!(
        panics.is_empty(),
        "{what}: {} of {count} variants panicked:\n{}",
        panics.len(),
        panics
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn truncations(base: &[u8], seed: u64, random: usize) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = (0..=base.len() / isobuild::BLOCK)
        .map(|n| {
            let at = n * isobuild::BLOCK;
            (
                format!("cut at block {n}"),
                base[..at.min(base.len())].to_vec(),
            )
        })
        .collect();
    let mut rng = XorShift(seed);
    for _ in 0..random {
        let at = rng.below(base.len());
        out.push((format!("cut at byte {at}"), base[..at].to_vec()));
    }
    out
}

fn flips<'a>(
    base: &'a [u8],
    blocks: &[u32],
    seed: u64,
    count: usize,
) -> impl Iterator<Item = (String, Vec<u8>)> + 'a {
    let blocks = blocks.to_vec();
    let mut rng = XorShift(seed);
    (0..count).map(move |i| {
        let mut bytes = base.to_vec();
        let n = 1 + rng.below(4);
        let mut changes = Vec::new();
        for _ in 0..n {
            let block = blocks[rng.below(blocks.len())] as usize;
            let at = block * isobuild::BLOCK + rng.below(isobuild::BLOCK);
            if at < bytes.len() {
                let v = match rng.below(4) {
                    0 => 0xFF,
                    1 => 0,
                    _ => rng.next() as u8,
                };
                bytes[at] = v;
                changes.push(format!("{at}={v:#x}"));
            }
        }
        (format!("flip #{i} [{}]", changes.join(" ")), bytes)
    })
}

#[test]
fn handmade_image_cut_and_flipped() {
    within(
        "handmade_image_cut_and_flipped",
        handmade_image_cut_and_flipped_body,
    );
}

fn handmade_image_cut_and_flipped_body() {
    let base = isobuild::basic();
    run_variants(
        "truncated handmade image",
        truncations(&base, 0x1234_5678, 64).into_iter(),
    );
    let meta = [
        16,
        17,
        18,
        19,
        21,
        isobuild::ROOT,
        isobuild::DIR,
        isobuild::JROOT,
        isobuild::JDIR,
    ];
    run_variants(
        "flipped handmade image",
        flips(&base, &meta, 0x9E37_79B9_7F4A_7C15, 3000),
    );
}

#[test]
fn fixture_cut_and_flipped() {
    within("fixture_cut_and_flipped", fixture_cut_and_flipped_body);
}

fn fixture_cut_and_flipped_body() {
    let base = gunzip(&fixtures_dir().join("xorriso-rr-joliet.iso.gz"));
    // Flip bytes in the descriptors and the directory blocks (everything
    // between the descriptors and the first file's data).
    let image = open(base.clone()).expect("open");
    let tree = image.tree(View::Iso9660).expect("tree");
    let first_data = tree
        .walk(tree.root())
        .filter(|&id| tree.kind(id) == NodeKind::File)
        .filter_map(|id| tree.extents(id).first().map(|e| e.lba()))
        .min()
        .expect("a file");
    let meta: Vec<u32> = (16..u32::try_from(first_data).expect("small")).collect();
    let cuts = truncations(&base, 42, 32);
    run_variants("truncated fixture", cuts.into_iter().step_by(3));
    run_variants("flipped fixture", flips(&base, &meta, 7, 400));
}

/// Counts the bytes read through it.
#[derive(Debug)]
struct Counting {
    inner: MemorySource,
    read: std::sync::atomic::AtomicU64,
}

impl iso_core::ImageSource for Counting {
    fn len(&self) -> u64 {
        self.inner.len()
    }
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<()> {
        self.read
            .fetch_add(buf.len() as u64, std::sync::atomic::Ordering::Relaxed);
        self.inner.read_exact_at(offset, buf)
    }
}

#[test]
fn directories_claiming_more_than_the_image_stop_at_the_read_budget() {
    within(
        "directories_claiming_more_than_the_image_stop_at_the_read_budget",
        read_budget_body,
    );
}

/// A 2 MiB image whose root lists 60 directories, each starting one block
/// further into the image and running to its end: together they claim
/// about 60 times the image. Every one has its own start (the visited set
/// does not stop them), so only the read budget does: twice the image's
/// length, at least 16 MiB — not the 1 GiB floor there once was.
fn read_budget_body() {
    use iso_core::ImageSource as _;
    const BLOCKS: u32 = 1024;
    let mut img = isobuild::build(&Spec::default());
    img.resize(BLOCKS as usize * isobuild::BLOCK, 0);
    // Volume space size (ECMA-119 §8.4.8) grows with the image.
    img[16 * isobuild::BLOCK + 80..16 * isobuild::BLOCK + 88]
        .copy_from_slice(&isobuild::both32(BLOCKS));
    let mut root = Vec::new();
    root.extend(isobuild::dir_record(&[0], isobuild::ROOT, 4 * 2048, 2, &[]));
    root.extend(isobuild::dir_record(&[1], isobuild::ROOT, 4 * 2048, 2, &[]));
    let first = 40u32;
    for i in 0..60u32 {
        let lba = first + i;
        let len = (BLOCKS - lba) * 2048;
        root.extend(isobuild::dir_record(
            format!("D{i:02}").as_bytes(),
            lba,
            len,
            2,
            &[],
        ));
    }
    // Records do not cross a block (ECMA-119 §6.8.1.1): lay them out block
    // by block over four blocks at the root's place and after it (blocks
    // 23..27 are overwritten; the fixture's own files are not needed).
    let root_at = isobuild::ROOT as usize * isobuild::BLOCK;
    img[root_at..root_at + 4 * isobuild::BLOCK].fill(0);
    let (mut block, mut at) = (0usize, 0usize);
    let mut i = 0usize;
    while i < root.len() {
        let rlen = usize::from(root[i]);
        if at + rlen > isobuild::BLOCK {
            block += 1;
            at = 0;
        }
        let dst = root_at + block * isobuild::BLOCK + at;
        img[dst..dst + rlen].copy_from_slice(&root[i..i + rlen]);
        at += rlen;
        i += rlen;
    }
    // The PVD's root record: 4 blocks long.
    let pvd_root = 16 * isobuild::BLOCK + 156;
    img[pvd_root + 10..pvd_root + 18].copy_from_slice(&isobuild::both32(4 * 2048));
    let len = img.len() as u64;
    let source = Arc::new(Counting {
        inner: MemorySource::new(img),
        read: 0.into(),
    });
    assert_eq!(source.len(), len);
    let image = Image::from_source(source.clone(), &OpenOptions::default()).expect("open");
    let tree = image.tree(View::Iso9660).expect("the root reads");
    let read = source.read.load(std::sync::atomic::Ordering::Relaxed);
    let claimed: u64 = (0..60u64)
        .map(|i| (u64::from(BLOCKS) - 40 - i) * 2048)
        .sum();
    assert!(claimed > 50 * len, "the test claims too little: {claimed}");
    assert!(
        read <= (16 << 20) + 4 * len,
        "read {read} bytes of a {len}-byte image"
    );
    assert!(
        tree.warnings()
            .iter()
            .any(|w| w.what.contains("read budget")),
        "no warning names the read budget: {:?}",
        tree.warnings()
    );
    assert!(tree.children(tree.root()).len() >= 60);
}
