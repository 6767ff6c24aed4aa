//! Extraction end to end: images written by a small ECMA-119 writer in
//! `support/isowriter.rs` (plain and Joliet trees), and trees built directly
//! with `TreeBuilder` for hostile names, links, holes and failures.

#[path = "support/isowriter.rs"]
mod isowriter;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use iso_core::extract::{
    extract, Answer, Cancel, CaseCheck, CaseRule, Choice, Conflict, ExtractError, ExtractOptions,
    Outcome, Overwrite, OverwritePrompt, Placement, Progress,
};
use iso_core::tree::{Extent, ExtentKind, NewNode, TimeKind, Timestamp, TreeBuilder, UnixMeta};
use iso_core::{Image, ImageSource, MemorySource, NodeId, NodeKind, OpenOptions, Tree, View};

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn open(bytes: Vec<u8>) -> Image {
    Image::from_source(Arc::new(MemorySource::new(bytes)), &OpenOptions::default()).unwrap()
}

fn run(
    image: &Image,
    tree: &Tree,
    dest: &Path,
    opts: &ExtractOptions,
) -> Result<Outcome, ExtractError> {
    extract(
        image,
        tree,
        &[tree.root()],
        dest,
        opts,
        &Progress::new(),
        &Cancel::new(),
    )
}

/// Every path under `dir`, relative, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            out.push(p.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
            if e.file_type().unwrap().is_dir() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

fn sample_items() -> Vec<isowriter::Item> {
    use isowriter::{dir, file};
    vec![
        file("README.TXT", b"hello\n"),
        file("EMPTY", b""),
        dir("DOCS"),
        file("DOCS/BIG.BIN", &pattern(3 * 2048 + 100, 7)),
        dir("DOCS/SUB"),
        file("DOCS/SUB/A.TXT", &pattern(5000, 1)),
    ]
}

#[test]
fn plain_and_joliet_trees_extract_byte_for_byte() {
    let items = sample_items();
    let image = open(isowriter::build(&items, true));
    assert_eq!(image.views(), [View::Joliet, View::Iso9660]);
    for view in [View::Iso9660, View::Joliet] {
        let tree = image.tree(view).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("out");
        let progress = Progress::new();
        let out = extract(
            &image,
            &tree,
            &[tree.root()],
            &dest,
            &ExtractOptions::default(),
            &progress,
            &Cancel::new(),
        )
        .unwrap();
        assert_eq!(out.files_written, 4, "{view}");
        assert_eq!(out.dirs_created, 2);
        assert!(out.failed.is_empty() && out.skipped.is_empty() && out.renamed.is_empty());
        let total: u64 = items
            .iter()
            .filter_map(|i| i.data.as_ref())
            .map(|d| d.len() as u64)
            .sum();
        assert_eq!(out.bytes_written, total);
        let snap = progress.snapshot();
        assert_eq!((snap.bytes_done, snap.bytes_total), (total, total));
        assert_eq!((snap.files_done, snap.files_total), (4, 4));
        for it in &items {
            let p = dest.join(&it.path);
            match &it.data {
                Some(d) => assert_eq!(&fs::read(&p).unwrap(), d, "{}", it.path),
                None => assert!(p.is_dir()),
            }
            // Times from the directory records (ECMA-119 §9.1.5).
            let m = fs::metadata(&p).unwrap();
            let mtime = filetime::FileTime::from_last_modification_time(&m);
            assert_eq!(mtime.unix_seconds(), isowriter::DATE_UNIX, "{}", it.path);
        }
        // Nothing else: no temporary files left behind.
        assert_eq!(listing(&dest).len(), items.len());
    }
}

#[test]
fn selecting_a_subdirectory_and_a_file() {
    let image = open(isowriter::build(&sample_items(), false));
    let tree = image.tree(View::Iso9660).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let sel = [
        tree.lookup("/DOCS/SUB").unwrap(),
        tree.lookup("/README.TXT").unwrap(),
    ];
    let out = extract(
        &image,
        &tree,
        &sel,
        tmp.path(),
        &ExtractOptions::default(),
        &Progress::new(),
        &Cancel::new(),
    )
    .unwrap();
    assert_eq!(out.files_written, 2);
    assert_eq!(listing(tmp.path()), ["README.TXT", "SUB", "SUB/A.TXT"]);
}

#[test]
fn keep_paths_places_entries_under_their_image_path() {
    let image = open(isowriter::build(&sample_items(), false));
    let tree = image.tree(View::Iso9660).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let sel = [
        tree.lookup("/DOCS/SUB/A.TXT").unwrap(),
        tree.lookup("/DOCS/BIG.BIN").unwrap(),
        tree.lookup("/DOCS/SUB").unwrap(),
        tree.lookup("/README.TXT").unwrap(),
        tree.lookup("/README.TXT").unwrap(),
    ];
    let opts = ExtractOptions {
        placement: Placement::KeepPaths,
        ..Default::default()
    };
    let out = extract(
        &image,
        &tree,
        &sel,
        tmp.path(),
        &opts,
        &Progress::new(),
        &Cancel::new(),
    )
    .unwrap();
    assert_eq!(out.files_written, 3, "A.TXT once, though chosen twice over");
    assert_eq!(
        listing(tmp.path()),
        [
            "DOCS",
            "DOCS/BIG.BIN",
            "DOCS/SUB",
            "DOCS/SUB/A.TXT",
            "README.TXT"
        ]
    );
}

/// A tree built by hand over a data area appended to a small valid image.
struct Synthetic {
    image: Image,
    base: u64,
}

fn synthetic(data: &[u8]) -> Synthetic {
    let mut bytes = isowriter::build(&[], false);
    let base = bytes.len() as u64;
    bytes.extend_from_slice(data);
    Synthetic {
        image: open(bytes),
        base,
    }
}

fn node(name: &str, kind: NodeKind) -> NewNode {
    NewNode {
        name: name.into(),
        kind: Some(kind),
        ..Default::default()
    }
}

fn data_node(name: &str, offset: u64, len: u64) -> NewNode {
    NewNode {
        size: len,
        extents: vec![Extent::recorded(offset, len)],
        ..node(name, NodeKind::File)
    }
}

fn link(name: &str, target: &str) -> NewNode {
    NewNode {
        target: Some(target.into()),
        ..node(name, NodeKind::Symlink)
    }
}

#[test]
fn hostile_names_never_escape() {
    let s = synthetic(b"evil!");
    let b = s.base;
    let mut tb = TreeBuilder::new(View::RockRidge, NewNode::default());
    tb.add_children(
        NodeId(0),
        vec![
            data_node("..", b, 5),
            data_node(".", b, 5),
            data_node("CON", b, 5),
            data_node("nul.txt", b, 5),
            data_node("a\\b", b, 5),
            data_node("c:", b, 5),
            data_node("../../x", b, 5),
            data_node("/etc/passwd", b, 5),
            data_node("", b, 5),
            data_node("trail. ", b, 5),
            node("..", NodeKind::Dir),
            link("abs", "/etc/passwd"),
            link("up", "../x"),
            link("upup", "../../x"),
            link("sneaky", "ok/../../x"),
            link("fine", "CON"),
            node("dev", NodeKind::CharDevice),
        ],
    )
    .unwrap();
    // Inside the ".." directory: a link one level up is fine, two are not.
    tb.add_children(
        NodeId(11),
        vec![
            data_node("..", b, 5),
            link("back", "../fine"),
            link("out", "../../y"),
        ],
    )
    .unwrap();
    let tree = tb.finish();
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("dest");
    let out = run(&s.image, &tree, &dest, &ExtractOptions::default()).unwrap();
    // Nothing outside dest.
    assert_eq!(
        listing(tmp.path())
            .iter()
            .filter(|p| !p.starts_with("dest"))
            .count(),
        0
    );
    let names = listing(&dest);
    for bad in ["..", ".", "CON", "nul.txt", "c:", "a\\b"] {
        assert!(
            !names.contains(&bad.to_string()),
            "{bad} written as is: {names:?}"
        );
    }
    for good in [
        "__",
        "_",
        "_CON",
        "_nul.txt",
        "c_",
        "a_b",
        ".._.._x",
        "_etc_passwd",
        "_ (2)",
        "trail__",
        "__ (2)",
        "fine",
        "__ (2)/__",
        "__ (2)/back",
    ] {
        assert!(
            names.contains(&good.to_string()),
            "{good} missing from {names:?}"
        );
    }
    let skipped: Vec<&str> = out.skipped.iter().map(|s| s.path.as_str()).collect();
    for path in ["/abs", "/up", "/upup", "/sneaky", "/dev", "/../out"] {
        assert!(skipped.contains(&path), "{path} not skipped: {skipped:?}");
    }
    // Every rename reported: 10 files + the directory.
    assert!(out.renamed.len() >= 11, "{:?}", out.renamed);
    assert!(out.renamed.iter().all(|r| !r.to.is_absolute()));
    #[cfg(unix)]
    {
        assert_eq!(fs::read_link(dest.join("fine")).unwrap(), Path::new("CON"));
        assert_eq!(
            fs::read_link(dest.join("__ (2)/back")).unwrap(),
            Path::new("../fine")
        );
    }
}

#[test]
fn case_insensitive_collisions_get_a_suffix() {
    let s = synthetic(b"abc");
    let b = s.base;
    let mut tb = TreeBuilder::new(View::RockRidge, NewNode::default());
    tb.add_children(
        NodeId(0),
        vec![
            data_node("Readme.txt", b, 1),
            data_node("README.TXT", b + 1, 1),
            data_node("readme.txt", b + 2, 1),
        ],
    )
    .unwrap();
    let tree = tb.finish();
    // A case-insensitive destination (NTFS, APFS), simulated: the probe's
    // answer is given instead of asked for.
    let tmp = tempfile::tempdir().unwrap();
    let opts = ExtractOptions {
        case: CaseCheck::Assume(CaseRule::Insensitive),
        ..Default::default()
    };
    let out = run(&s.image, &tree, tmp.path(), &opts).unwrap();
    assert_eq!(
        listing(tmp.path()),
        ["README (2).TXT", "Readme.txt", "readme (3).txt"]
    );
    assert_eq!(fs::read(tmp.path().join("README (2).TXT")).unwrap(), b"b");
    assert_eq!(out.renamed.len(), 2);
    // The real destination, probed: Linux's ext4/tmpfs tell case apart,
    // so every name is kept as it is.
    if cfg!(target_os = "linux") {
        let tmp = tempfile::tempdir().unwrap();
        let out = run(&s.image, &tree, tmp.path(), &ExtractOptions::default()).unwrap();
        assert_eq!(
            listing(tmp.path()),
            ["README.TXT", "Readme.txt", "readme.txt"]
        );
        assert_eq!(fs::read(tmp.path().join("README.TXT")).unwrap(), b"b");
        assert_eq!(fs::read(tmp.path().join("readme.txt")).unwrap(), b"c");
        assert!(out.renamed.is_empty(), "{:?}", out.renamed);
    }
}

#[cfg(unix)]
#[test]
fn existing_symlink_in_destination_is_not_followed() {
    let s = synthetic(b"payload");
    let mut tb = TreeBuilder::new(View::RockRidge, NewNode::default());
    tb.add_children(
        NodeId(0),
        vec![node("sub", NodeKind::Dir), data_node("f", s.base, 7)],
    )
    .unwrap();
    tb.add_children(NodeId(1), vec![data_node("g", s.base, 7)])
        .unwrap();
    let tree = tb.finish();
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    let dest = tmp.path().join("dest");
    fs::create_dir_all(&outside).unwrap();
    fs::create_dir_all(&dest).unwrap();
    std::os::unix::fs::symlink(&outside, dest.join("sub")).unwrap();
    std::os::unix::fs::symlink(outside.join("victim"), dest.join("f")).unwrap();
    let opts = ExtractOptions {
        overwrite: Overwrite::Always,
        ..Default::default()
    };
    let out = run(&s.image, &tree, &dest, &opts).unwrap();
    assert!(
        fs::read_dir(&outside).unwrap().next().is_none(),
        "wrote through a link"
    );
    assert_eq!(out.failed.len(), 1, "{:?}", out.failed);
    assert_eq!(out.failed[0].path, "/sub");
    // The link named "f" was replaced by the file, not written through.
    assert!(fs::symlink_metadata(dest.join("f")).unwrap().is_file());
}

#[derive(Debug)]
struct AlwaysAnswer(Choice, AtomicUsize);

impl OverwritePrompt for AlwaysAnswer {
    fn ask(&self, c: &Conflict<'_>) -> Answer {
        assert_eq!(c.new_len, 1);
        self.1.fetch_add(1, Ordering::Relaxed);
        Answer {
            choice: self.0,
            apply_to_all: true,
        }
    }
}

#[test]
fn overwrite_policies() {
    let s = synthetic(b"NM");
    let mut tb = TreeBuilder::new(View::RockRidge, NewNode::default());
    tb.add_children(
        NodeId(0),
        vec![data_node("a.txt", s.base, 1), data_node("b", s.base + 1, 1)],
    )
    .unwrap();
    let tree = tb.finish();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let reset = || {
        for e in fs::read_dir(d).unwrap() {
            fs::remove_file(e.unwrap().path()).unwrap();
        }
        fs::write(d.join("a.txt"), "old").unwrap();
        fs::write(d.join("b"), "old").unwrap();
    };
    reset();
    let out = run(&s.image, &tree, d, &ExtractOptions::default()).unwrap();
    assert_eq!(out.skipped.len(), 2);
    assert_eq!(fs::read(d.join("a.txt")).unwrap(), b"old");

    reset();
    let opts = |o| ExtractOptions {
        overwrite: o,
        ..Default::default()
    };
    run(&s.image, &tree, d, &opts(Overwrite::Always)).unwrap();
    assert_eq!(fs::read(d.join("a.txt")).unwrap(), b"N");
    assert_eq!(listing(d), ["a.txt", "b"]);

    reset();
    let out = run(&s.image, &tree, d, &opts(Overwrite::Rename)).unwrap();
    assert_eq!(listing(d), ["a (2).txt", "a.txt", "b", "b (2)"]);
    assert_eq!(fs::read(d.join("b (2)")).unwrap(), b"M");
    assert_eq!(out.renamed.len(), 2);

    reset();
    let prompt = Arc::new(AlwaysAnswer(Choice::Overwrite, AtomicUsize::new(0)));
    run(&s.image, &tree, d, &opts(Overwrite::Ask(prompt.clone()))).unwrap();
    assert_eq!(
        prompt.1.load(Ordering::Relaxed),
        1,
        "apply to all asks once"
    );
    assert_eq!(fs::read(d.join("b")).unwrap(), b"M");
}

#[test]
fn holes_modes_times_and_hard_links() {
    let s = synthetic(&pattern(8192, 3));
    let b = s.base;
    let t = Timestamp {
        seconds: 1_000_000_000,
        nanos: 0,
    };
    let at = Timestamp {
        seconds: 1_100_000_000,
        nanos: 0,
    };
    let unix = |mode, nlink, ino| UnixMeta {
        mode,
        nlink,
        ino: Some(ino),
        ..Default::default()
    };
    let sparse = NewNode {
        size: 3 << 20,
        extents: vec![
            Extent::recorded(b, 100),
            Extent {
                offset: 0,
                len: (3 << 20) - 200,
                kind: ExtentKind::Zeros,
            },
            Extent::recorded(b + 100, 100),
        ],
        ..node("sparse", NodeKind::File)
    };
    let tail_hole = NewNode {
        size: 1 << 20,
        extents: vec![
            Extent::recorded(b, 10),
            Extent {
                offset: 0,
                len: (1 << 20) - 10,
                kind: ExtentKind::Zeros,
            },
        ],
        ..node("tailhole", NodeKind::File)
    };
    let suid = NewNode {
        unix: Some(unix(0o104755, 1, 1)),
        times: vec![(TimeKind::Modified, t), (TimeKind::Accessed, at)],
        ..data_node("suid", b, 10)
    };
    let h1 = NewNode {
        unix: Some(unix(0o100644, 2, 42)),
        ..data_node("h1", b + 500, 20)
    };
    let h2 = NewNode {
        name: "h2".into(),
        ..h1.clone()
    };
    let mut ro_dir = node("ro", NodeKind::Dir);
    ro_dir.unix = Some(unix(0o040555, 2, 7));
    ro_dir.times = vec![(TimeKind::Modified, t)];
    let mut tb = TreeBuilder::new(View::RockRidge, NewNode::default());
    tb.add_children(NodeId(0), vec![sparse, tail_hole, suid, h1, h2, ro_dir])
        .unwrap();
    tb.add_children(NodeId(6), vec![data_node("inner", b, 4)])
        .unwrap();
    let tree = tb.finish();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let out = run(&s.image, &tree, d, &ExtractOptions::default()).unwrap();
    assert!(out.failed.is_empty(), "{:?}", out.failed);
    let src = pattern(8192, 3);
    let sp = fs::read(d.join("sparse")).unwrap();
    assert_eq!(sp.len(), 3 << 20);
    assert_eq!(&sp[..100], &src[..100]);
    assert!(sp[100..(3 << 20) - 100].iter().all(|&x| x == 0));
    assert_eq!(&sp[(3 << 20) - 100..], &src[100..200]);
    let th = fs::read(d.join("tailhole")).unwrap();
    assert_eq!(th.len(), 1 << 20);
    assert_eq!(&th[..10], &src[..10]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let m = fs::metadata(d.join("sparse")).unwrap();
        assert!(
            m.blocks() * 512 < 1 << 20,
            "the hole was written: {} blocks",
            m.blocks()
        );
        let m = fs::metadata(d.join("suid")).unwrap();
        assert_eq!(m.mode() & 0o7777, 0o755, "setuid dropped");
        assert_eq!(m.mtime(), t.seconds);
        assert_eq!(m.atime(), at.seconds);
        let (a, b2) = (
            fs::metadata(d.join("h1")).unwrap(),
            fs::metadata(d.join("h2")).unwrap(),
        );
        assert_eq!(a.ino(), b2.ino(), "hard link");
        assert_eq!(fs::read(d.join("h2")).unwrap(), &src[500..520]);
        let m = fs::metadata(d.join("ro")).unwrap();
        assert_eq!(m.mode() & 0o7777, 0o555);
        assert_eq!(m.mtime(), t.seconds);
        assert_eq!(fs::read(d.join("ro/inner")).unwrap(), &src[..4]);
        // Make it removable again for the temp dir cleanup.
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(d.join("ro"), fs::Permissions::from_mode(0o755)).unwrap();
    }
    assert_eq!(out.links_created, 1);
    let tmp2 = tempfile::tempdir().unwrap();
    let opts = ExtractOptions {
        keep_setuid: true,
        times: false,
        ..Default::default()
    };
    run(&s.image, &tree, tmp2.path(), &opts).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let m = fs::metadata(tmp2.path().join("suid")).unwrap();
        assert_eq!(m.mode() & 0o7777, 0o4755);
        assert_ne!(m.mtime(), t.seconds);
        fs::set_permissions(tmp2.path().join("ro"), fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// A hard link whose first name was kept as the user's own file is
/// written as a copy from the image, never linked to the user's file.
#[cfg(unix)]
#[test]
fn hard_link_to_a_skipped_file_becomes_a_copy() {
    use std::os::unix::fs::MetadataExt;
    let s = synthetic(b"image data");
    let linked = |name: &str| NewNode {
        unix: Some(UnixMeta {
            mode: 0o100644,
            nlink: 2,
            ino: Some(9),
            ..Default::default()
        }),
        ..data_node(name, s.base, 10)
    };
    let mut tb = TreeBuilder::new(View::RockRidge, NewNode::default());
    tb.add_children(NodeId(0), vec![linked("a"), linked("b")])
        .unwrap();
    let tree = tb.finish();
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("a"), "mine").unwrap();
    let out = run(&s.image, &tree, tmp.path(), &ExtractOptions::default()).unwrap();
    assert_eq!(out.skipped.len(), 1);
    assert_eq!(fs::read(tmp.path().join("a")).unwrap(), b"mine");
    assert_eq!(fs::read(tmp.path().join("b")).unwrap(), b"image data");
    let (a, b) = (
        fs::metadata(tmp.path().join("a")).unwrap(),
        fs::metadata(tmp.path().join("b")).unwrap(),
    );
    assert_ne!(a.ino(), b.ino());
    assert_eq!(out.links_created, 0);
}

#[test]
fn keep_going_records_unreadable_entries() {
    let s = synthetic(b"0123456789");
    let b = s.base;
    let mut tb = TreeBuilder::new(View::RockRidge, NewNode::default());
    tb.add_children(
        NodeId(0),
        vec![
            data_node("good", b, 10),
            data_node("past-end", b + 5, 1000),
            data_node("good2", b + 1, 3),
        ],
    )
    .unwrap();
    let tree = tb.finish();
    let tmp = tempfile::tempdir().unwrap();
    let err = run(
        &s.image,
        &tree,
        tmp.path(),
        &ExtractOptions {
            threads: 1,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(
        matches!(&err, ExtractError::Read { path, .. } if path == "/past-end"),
        "{err}"
    );
    assert!(!listing(tmp.path()).iter().any(|p| p.contains("past-end")));
    let tmp = tempfile::tempdir().unwrap();
    let opts = ExtractOptions {
        keep_going: true,
        ..Default::default()
    };
    let out = run(&s.image, &tree, tmp.path(), &opts).unwrap();
    assert_eq!(out.failed.len(), 1);
    assert_eq!(out.failed[0].path, "/past-end");
    assert_eq!(listing(tmp.path()), ["good", "good2"]);
    assert_eq!(fs::read(tmp.path().join("good2")).unwrap(), b"123");
}

/// A source that sleeps on every read, to cancel in the middle of a file.
#[derive(Debug)]
struct Slow(MemorySource);

impl ImageSource for Slow {
    fn len(&self) -> u64 {
        self.0.len()
    }
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        std::thread::sleep(Duration::from_millis(30));
        self.0.read_exact_at(offset, buf)
    }
}

#[test]
fn cancel_mid_file_leaves_nothing_partial() {
    let data = pattern(64 << 20, 9);
    let mut bytes = isowriter::build(&[isowriter::file("SMALL.TXT", b"small")], false);
    let base = bytes.len() as u64;
    bytes.extend_from_slice(&data);
    let image = Image::from_source(
        Arc::new(Slow(MemorySource::new(bytes))),
        &OpenOptions::default(),
    )
    .unwrap();
    let mut tb = TreeBuilder::new(View::RockRidge, NewNode::default());
    tb.add_children(NodeId(0), vec![data_node("huge", base, data.len() as u64)])
        .unwrap();
    let tree = tb.finish();
    let tmp = tempfile::tempdir().unwrap();
    let progress = Progress::new();
    let cancel = Cancel::new();
    let out = std::thread::scope(|sc| {
        let h = sc.spawn(|| {
            extract(
                &image,
                &tree,
                &[tree.root()],
                tmp.path(),
                &ExtractOptions::default(),
                &progress,
                &cancel,
            )
        });
        while progress.bytes_done() < 3 << 20 {
            std::thread::sleep(Duration::from_millis(5));
        }
        let asked = std::time::Instant::now();
        cancel.cancel();
        let out = h.join().unwrap();
        assert!(
            asked.elapsed() < Duration::from_secs(1),
            "cancel took {:?}",
            asked.elapsed()
        );
        out
    })
    .unwrap();
    assert!(out.cancelled);
    assert_eq!(out.files_written, 0);
    assert!(progress.bytes_done() < 64 << 20);
    assert_eq!(
        listing(tmp.path()),
        Vec::<String>::new(),
        "partial file left"
    );
}

#[test]
fn not_enough_space_is_refused_before_writing() {
    let s = synthetic(b"x");
    let mut tb = TreeBuilder::new(View::RockRidge, NewNode::default());
    let huge = NewNode {
        size: 1 << 60,
        extents: vec![Extent::recorded(s.base, 1 << 60)],
        ..node("huge", NodeKind::File)
    };
    tb.add_children(NodeId(0), vec![data_node("small", s.base, 1), huge])
        .unwrap();
    let tree = tb.finish();
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("d");
    let err = run(&s.image, &tree, &dest, &ExtractOptions::default()).unwrap_err();
    match &err {
        ExtractError::NotEnoughSpace {
            needed, available, ..
        } => assert!(needed > available),
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("bytes needed"), "{err}");
    assert!(!dest.exists(), "something was written");
}

/// Mounts a 1 MiB tmpfs (needs root); `None` with a note when it cannot.
fn small_tmpfs() -> Option<(tempfile::TempDir, PathBuf)> {
    let tmp = tempfile::tempdir().ok()?;
    let mnt = tmp.path().join("mnt");
    fs::create_dir(&mnt).ok()?;
    let ok = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&mnt)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("note: cannot mount a small tmpfs here (not root?); full-disk test skipped");
        return None;
    }
    Some((tmp, mnt))
}

struct Unmount(PathBuf);
impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn full_disk_names_the_file_and_leaves_nothing_partial() {
    let Some((_tmp, mnt)) = small_tmpfs() else {
        return;
    };
    let _guard = Unmount(mnt.clone());
    let data = pattern(3 << 20, 5);
    let s = synthetic(&data);
    let mut tb = TreeBuilder::new(View::RockRidge, NewNode::default());
    tb.add_children(
        NodeId(0),
        vec![
            data_node("first", s.base, 300_000),
            data_node("second", s.base + 300_000, 2 << 20),
        ],
    )
    .unwrap();
    let tree = tb.finish();
    // With the check: refused up front.
    let err = run(&s.image, &tree, &mnt, &ExtractOptions::default()).unwrap_err();
    assert!(matches!(err, ExtractError::NotEnoughSpace { .. }), "{err}");
    // Without it: the disk fills up in "second".
    let opts = ExtractOptions {
        check_space: false,
        threads: 1,
        ..Default::default()
    };
    let err = run(&s.image, &tree, &mnt, &opts).unwrap_err();
    match &err {
        ExtractError::DiskFull { path } => assert!(path.ends_with("second"), "{err}"),
        other => panic!("expected disk full, got {other}"),
    }
    assert!(err.to_string().contains("disk full"));
    assert_eq!(listing(&mnt), ["first"]);
    assert_eq!(fs::read(mnt.join("first")).unwrap(), &data[..300_000]);
}

/// With `ISOSCOPE_CORPUS` set (the shared corpus directory), every image
/// that xorriso extracted is extracted here too, and each file's SHA-256
/// must be the one xorriso's extraction gave (the corpus truth files).
#[test]
fn corpus_extractions_match_xorriso() {
    use sha2::{Digest, Sha256};
    let Ok(root) = std::env::var("ISOSCOPE_CORPUS") else {
        eprintln!("note: ISOSCOPE_CORPUS not set; corpus extraction check skipped");
        return;
    };
    let mut truths = Vec::new();
    let mut stack = vec![PathBuf::from(&root)];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(".truth.json") {
                truths.push(p);
            }
        }
    }
    let mut checked = 0;
    for t in truths {
        let truth: serde_json::Value = serde_json::from_slice(&fs::read(&t).unwrap()).unwrap();
        let x = &truth["views"]["xorriso"];
        if x["rc"] != 0 || x["extract_rc"] != 0 || x["content_hashed"] != true {
            continue;
        }
        let img = PathBuf::from(&root).join(truth["image"].as_str().unwrap());
        let Ok(image) = Image::open(&img, &OpenOptions::default()) else {
            continue;
        };
        let view = if image.views().contains(&View::RockRidge) {
            View::RockRidge
        } else {
            continue;
        };
        let tree = image.tree(view).unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let opts = ExtractOptions {
            keep_going: true,
            ..Default::default()
        };
        let out = run(&image, &tree, tmp.path(), &opts).unwrap();
        let renamed: Vec<&str> = out.renamed.iter().map(|r| r.from.as_str()).collect();
        for line in x["entries"].as_array().unwrap() {
            let f: Vec<&str> = line.as_str().unwrap().split('\t').collect();
            if f[1] != "f" || f[3].is_empty() || renamed.iter().any(|r| f[0].starts_with(r)) {
                continue;
            }
            let p = tmp.path().join(f[0].trim_start_matches('/'));
            let data = fs::read(&p)
                .unwrap_or_else(|e| panic!("{}: {}: {e}; {:?}", img.display(), f[0], out.failed));
            let hex: String = Sha256::digest(&data)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(hex, f[3], "{}: {}", img.display(), f[0]);
            checked += 1;
        }
    }
    eprintln!("corpus: {checked} files match xorriso's extraction");
}

/// Host-side results: written paths, writable modes, FAT's size limit.
#[path = "extract/host.rs"]
mod host;
