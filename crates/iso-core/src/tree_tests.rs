//! Unit tests of the tree arena.

use super::*;

fn file(name: &str, size: u64) -> NewNode {
    NewNode {
        name: name.into(),
        kind: Some(NodeKind::File),
        size,
        extents: vec![Extent::recorded(4096, size)],
        ..Default::default()
    }
}

fn dir(name: &str) -> NewNode {
    NewNode {
        name: name.into(),
        kind: Some(NodeKind::Dir),
        ..Default::default()
    }
}

#[test]
fn build_walk_lookup() {
    let mut b = TreeBuilder::new(View::Iso9660, NewNode::default());
    let r = b
        .add_children(NodeId(0), vec![dir("a"), file("b.txt", 5)])
        .unwrap();
    assert_eq!(r, 1..3);
    b.add_children(NodeId(1), vec![file("c", 7)]).unwrap();
    assert!(b.add_children(NodeId(1), vec![file("d", 1)]).is_err());
    assert!(b.add_children(NodeId(2), vec![file("d", 1)]).is_err());
    let t = b.finish();
    assert_eq!(t.len(), 4);
    let c = t.lookup("/a/c").unwrap();
    assert_eq!(t.path(c), "/a/c");
    assert_eq!(t.size(c), 7);
    assert_eq!(t.parent(c), Some(NodeId(1)));
    assert!(matches!(t.lookup("/b.txt/x"), Err(Error::NotADirectory(_))));
    assert!(matches!(t.lookup("/zz"), Err(Error::NotFound(_))));
    let order: Vec<_> = t.walk(t.root()).map(|n| t.path(n)).collect();
    assert_eq!(order, ["/", "/a", "/a/c", "/b.txt"]);
    assert_eq!(t.path(t.root()), "/");
    assert_eq!(t.allocated_len(c), 2048);
}

#[test]
fn extras_and_links() {
    let mut b = TreeBuilder::new(View::RockRidge, NewNode::default());
    let ts = Timestamp {
        seconds: 100,
        nanos: 5000,
    };
    b.add_children(
        NodeId(0),
        vec![NewNode {
            name: "l".into(),
            kind: Some(NodeKind::Symlink),
            target: Some("../x".into()),
            times: vec![(TimeKind::Modified, ts), (TimeKind::Accessed, ts)],
            unix: Some(UnixMeta {
                mode: 0o120777,
                nlink: 1,
                ..Default::default()
            }),
            ..Default::default()
        }],
    )
    .unwrap();
    let t = b.finish();
    let l = NodeId(1);
    assert_eq!(t.link_target(l), Some("../x"));
    assert_eq!(t.mtime(l), Some(ts));
    assert_eq!(t.time(l, TimeKind::Accessed), Some(ts));
    assert_eq!(t.unix(l).unwrap().mode, 0o120777);
    assert_eq!(t.link_target(t.root()), None);
    // An id from elsewhere does not panic.
    assert_eq!(t.name(NodeId(99)), "");
}

#[test]
fn times_round_trip_and_stay_small() {
    let t = |s| Timestamp {
        seconds: s,
        nanos: 0,
    };
    let mut b = TreeBuilder::new(View::RockRidge, NewNode::default());
    b.add_children(
        NodeId(0),
        vec![
            NewNode {
                name: "a".into(),
                times: vec![
                    (TimeKind::Modified, t(5)),
                    (TimeKind::Accessed, t(6)),
                    (TimeKind::Recorded, t(5)),
                ],
                ..Default::default()
            },
            NewNode {
                name: "b".into(),
                times: vec![(TimeKind::Recorded, t(7))],
                ..Default::default()
            },
            NewNode {
                name: "c".into(),
                times: vec![(TimeKind::Modified, t(8)), (TimeKind::Recorded, t(9))],
                ..Default::default()
            },
        ],
    )
    .unwrap();
    let tree = b.finish();
    assert_eq!(
        tree.times(NodeId(1)),
        [
            (TimeKind::Modified, t(5)),
            (TimeKind::Recorded, t(5)),
            (TimeKind::Accessed, t(6))
        ]
    );
    assert_eq!(tree.times(NodeId(2)), [(TimeKind::Recorded, t(7))]);
    assert_eq!(tree.mtime(NodeId(2)), Some(t(7)));
    assert_eq!(tree.time(NodeId(3), TimeKind::Recorded), Some(t(9)));
    assert_eq!(tree.mtime(NodeId(3)), Some(t(8)));
    // The per-entry budget (issue 2: under 200 bytes an entry).
    assert!(std::mem::size_of::<Node>() <= 48);
    assert!(std::mem::size_of::<TimeEntry>() <= 16);
    assert!(std::mem::size_of::<Extra>() <= 48);
}

#[test]
fn first_with_prefix_ignores_case() {
    let mut b = TreeBuilder::new(View::RockRidge, NewNode::default());
    b.add_children(
        NodeId(0),
        vec![
            file("data.bin", 1),
            file("README.txt", 1),
            file("Ärger.txt", 1),
            file("re", 1),
        ],
    )
    .unwrap();
    let tree = b.finish();
    let ids: Vec<NodeId> = tree.children(tree.root()).collect();
    assert_eq!(tree.first_with_prefix(&ids, "read"), Some(1));
    assert_eq!(tree.first_with_prefix(&ids, "re"), Some(1));
    assert_eq!(tree.first_with_prefix(&ids[2..], "re"), Some(1));
    assert_eq!(tree.first_with_prefix(&ids, "reads"), None);
    assert_eq!(tree.first_with_prefix(&ids, "är"), Some(2));
    assert_eq!(tree.first_with_prefix(&ids, "ár"), None);
    assert_eq!(tree.first_with_prefix(&ids, ""), Some(0));
    assert_eq!(tree.first_with_prefix(&[], "a"), None);
}
