//! What the engine tells its caller about the host side: the paths it
//! really wrote (drag-out hands these to the file manager), writable
//! modes, and the file-size limit of FAT destinations.

use super::*;
use iso_core::extract::{FileSizeLimit, SizeLimit, SkipKind, TooLarge, Written};

#[test]
fn outcome_names_the_host_paths_really_written() {
    let s = synthetic(b"payload!");
    let b = s.base;
    let mut tb = TreeBuilder::new(View::RockRidge, NewNode::default());
    tb.add_children(
        NodeId(0),
        vec![
            data_node("a:b", b, 3),
            data_node("CON", b, 3),
            node("dir.", NodeKind::Dir),
            data_node("taken.txt", b, 8),
            link("out", "../../x"),
        ],
    )
    .unwrap();
    tb.add_children(NodeId(3), vec![data_node("inner", b, 2)])
        .unwrap();
    let tree = tb.finish();
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("taken.txt"), b"mine").unwrap();
    let opts = ExtractOptions {
        overwrite: Overwrite::Rename,
        ..Default::default()
    };
    let sel: Vec<NodeId> = tree.children(tree.root()).collect();
    let out = extract(
        &s.image,
        &tree,
        &sel,
        tmp.path(),
        &opts,
        &Progress::new(),
        &Cancel::new(),
    )
    .unwrap();
    let names = |w: &Written| w.path.strip_prefix(tmp.path()).unwrap().to_path_buf();
    let got: Vec<(NodeId, PathBuf)> = out.written.iter().map(|w| (w.node, names(w))).collect();
    // The unsafe link was not written, so it is not handed on.
    assert_eq!(
        got,
        [
            (NodeId(1), PathBuf::from("a_b")),
            (NodeId(2), PathBuf::from("_CON")),
            (NodeId(3), PathBuf::from("dir_")),
            (NodeId(4), PathBuf::from("taken (2).txt")),
        ]
    );
    for w in &out.written {
        assert!(
            fs::symlink_metadata(&w.path).is_ok(),
            "{}",
            w.path.display()
        );
    }
    assert_eq!(fs::read(tmp.path().join("taken.txt")).unwrap(), b"mine");
    assert_eq!(
        fs::read(tmp.path().join("taken (2).txt")).unwrap(),
        b"payload!"
    );
    assert_eq!(fs::read(tmp.path().join("dir_/inner")).unwrap(), b"pa");
    // Selecting the root hands on its children.
    let tmp2 = tempfile::tempdir().unwrap();
    let out = run(&s.image, &tree, tmp2.path(), &ExtractOptions::default()).unwrap();
    assert_eq!(out.written.len(), 4);
    assert_eq!(out.written[0].path, tmp2.path().join("a_b"));
}

#[cfg(unix)]
#[test]
fn writable_gives_the_owner_write_bit_and_drops_setuid() {
    use std::os::unix::fs::PermissionsExt;
    let s = synthetic(b"xyz");
    let b = s.base;
    let unix = |mode| UnixMeta {
        mode,
        nlink: 1,
        ..Default::default()
    };
    let mut tb = TreeBuilder::new(View::RockRidge, NewNode::default());
    tb.add_children(
        NodeId(0),
        vec![
            NewNode {
                unix: Some(unix(0o100444)),
                ..data_node("ro.txt", b, 3)
            },
            NewNode {
                unix: Some(unix(0o104555)),
                ..data_node("suid", b, 3)
            },
            NewNode {
                unix: Some(unix(0o040555)),
                ..node("rodir", NodeKind::Dir)
            },
        ],
    )
    .unwrap();
    tb.add_children(
        NodeId(3),
        vec![NewNode {
            unix: Some(unix(0o100400)),
            ..data_node("inside", b, 1)
        }],
    )
    .unwrap();
    let tree = tb.finish();
    let mode = |p: &Path| fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777;
    for (writable, want) in [
        (false, [0o444, 0o555, 0o555, 0o400]),
        (true, [0o644, 0o755, 0o755, 0o600]),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let opts = ExtractOptions {
            writable,
            ..Default::default()
        };
        run(&s.image, &tree, tmp.path(), &opts).unwrap();
        let got = ["ro.txt", "suid", "rodir", "rodir/inside"].map(|n| mode(&tmp.path().join(n)));
        assert_eq!(got, want, "writable: {writable}");
        // Let the temporary directory be removed.
        fs::set_permissions(tmp.path().join("rodir"), fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// A tree with one file too large for FAT (5 GiB, stored as a hole so the
/// image stays small) and one small file.
fn big_and_small(s: &Synthetic) -> Tree {
    let five_gib = 5 << 30;
    let mut tb = TreeBuilder::new(View::RockRidge, NewNode::default());
    tb.add_children(
        NodeId(0),
        vec![
            data_node("small.txt", s.base, 4),
            node("sources", NodeKind::Dir),
        ],
    )
    .unwrap();
    tb.add_children(
        NodeId(2),
        vec![NewNode {
            size: five_gib,
            extents: vec![Extent {
                offset: 0,
                len: five_gib,
                kind: ExtentKind::Zeros,
            }],
            ..node("install.wim", NodeKind::File)
        }],
    )
    .unwrap();
    tb.finish()
}

const FAT: FileSizeLimit = FileSizeLimit {
    max_len: u32::MAX as u64,
    file_system: "FAT",
};

#[test]
fn a_file_too_large_for_fat_is_refused_before_anything_is_written() {
    let s = synthetic(b"tiny");
    let tree = big_and_small(&s);
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("stick");
    let opts = ExtractOptions {
        size_limit: SizeLimit::Assume(FAT),
        ..Default::default()
    };
    let err = run(&s.image, &tree, &dest, &opts).unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, ExtractError::TooLarge { count: 1, .. }),
        "{msg}"
    );
    assert!(msg.contains("/sources/install.wim"), "{msg}");
    assert!(msg.contains("4294967295"), "{msg}");
    assert!(!dest.exists(), "nothing may be written");
    // The choice to extract the rest.
    let opts = ExtractOptions {
        too_large: TooLarge::SkipThem,
        ..opts
    };
    let out = run(&s.image, &tree, &dest, &opts).unwrap();
    assert_eq!(listing(&dest), ["small.txt", "sources"]);
    assert_eq!(out.files_written, 1);
    assert_eq!(out.skipped.len(), 1);
    assert_eq!(out.skipped[0].path, "/sources/install.wim");
    assert_eq!(out.skipped[0].kind, SkipKind::TooLarge);
    // Without a limit (this host's own file system is not FAT) the big
    // file is written, as a hole.
    if cfg!(target_os = "linux") {
        let other = tmp.path().join("disk");
        let out = run(&s.image, &tree, &other, &ExtractOptions::default()).unwrap();
        assert_eq!(out.files_written, 2);
        let len = fs::metadata(other.join("sources/install.wim"))
            .unwrap()
            .len();
        assert_eq!(len, 5 << 30);
    }
}
