//! Finding the same entry in another view of an image: the properties
//! panel shows which views contain a node and its name in each.
//!
//! Files are matched by where their data starts (all ISO 9660 family views
//! point at the same extents). Directories are matched by their own extent
//! (plain ISO 9660 and Rock Ridge share directory records) or, in views with
//! their own directory records (Joliet), through a file below them. Entries
//! without data (empty files, symbolic links, devices) have no extent to go
//! by: they are matched by name within the parent's counterpart, the names
//! compared the way shorter views cut them (upper case, other characters as
//! `_`, one a prefix of the other), and only when one entry fits.

use std::collections::HashMap;

use crate::tree::{NodeId, NodeKind, Tree};

/// Node of one tree by the byte offset of its first extent.
#[derive(Debug, Clone, Default)]
pub struct ExtentIndex {
    by_offset: HashMap<(u64, bool), NodeId>,
}

/// How many entries below a directory are tried to match it through a file.
const MAX_PROBE: usize = 64;

impl ExtentIndex {
    /// Indexes every non-empty file and every directory of `tree`.
    pub fn new(tree: &Tree) -> Self {
        let mut by_offset = HashMap::with_capacity(tree.len());
        for id in tree.ids() {
            let kind = tree.kind(id);
            let is_dir = kind == NodeKind::Dir;
            if kind != NodeKind::File && !is_dir {
                continue;
            }
            if let Some(e) = tree.extents(id).first() {
                if e.len > 0 || is_dir {
                    by_offset.entry((e.offset, is_dir)).or_insert(id);
                }
            }
        }
        ExtentIndex { by_offset }
    }
}

/// The names `node` of `from` has in each of `others` (view trees with
/// their indexes), where it has a counterpart.
pub fn names_in(
    from: &Tree,
    node: NodeId,
    others: &[(&Tree, &ExtentIndex)],
) -> Vec<(crate::View, String)> {
    let mut out = Vec::new();
    for (tree, index) in others {
        if let Some(n) = counterpart_in(from, node, tree, index) {
            out.push((tree.view(), tree.path(n)));
        }
    }
    out
}

/// The counterpart of `node` of `from` in `to`: by extent, else (a
/// directory) through a file below it, else by name within the parent's
/// counterpart.
///
/// Every step that recurses goes to the parent, so the recursion ends at
/// the root: the directory probe only follows file extents, never names
/// (a folder of empty files would otherwise send the probe back up to the
/// folder it came from).
pub fn counterpart_in(from: &Tree, node: NodeId, to: &Tree, index: &ExtentIndex) -> Option<NodeId> {
    if node == from.root() {
        return Some(to.root());
    }
    if let Some(n) = by_extent(from, node, index) {
        return Some(n);
    }
    if from.kind(node) == NodeKind::Dir {
        if let Some(n) = through_a_file(from, node, to, index) {
            return Some(n);
        }
    }
    by_name(from, node, to, index)
}

/// The entry of `index` that starts where `node` does (a directory's own
/// records, or a file's data).
fn by_extent(from: &Tree, node: NodeId, index: &ExtentIndex) -> Option<NodeId> {
    let is_dir = from.kind(node) == NodeKind::Dir;
    let e = from.extents(node).first()?;
    if e.len > 0 || is_dir {
        index.by_offset.get(&(e.offset, is_dir)).copied()
    } else {
        None
    }
}

/// A directory found through one of the first files below it that has
/// data: that file's counterpart, climbed up as many levels.
fn through_a_file(from: &Tree, dir: NodeId, to: &Tree, index: &ExtentIndex) -> Option<NodeId> {
    let depth_of = |t: &Tree, id: NodeId| t.components(id).len();
    let start = depth_of(from, dir);
    for (probe, id) in from.walk(dir).enumerate() {
        if probe > MAX_PROBE {
            break;
        }
        if from.kind(id) != NodeKind::File {
            continue;
        }
        let Some(mut other) = by_extent(from, id, index) else {
            continue;
        };
        for _ in start..depth_of(from, id) {
            other = to.parent(other)?;
        }
        return Some(other);
    }
    None
}

/// An entry no extent identifies (no data, or a directory whose files
/// have none), found by its name in the parent's counterpart among the
/// entries of its kind.
fn by_name(from: &Tree, node: NodeId, to: &Tree, index: &ExtentIndex) -> Option<NodeId> {
    let has_data = |t: &Tree, id: NodeId| t.extents(id).first().is_some_and(|e| e.len > 0);
    let is_dir = from.kind(node) == NodeKind::Dir;
    if !is_dir && has_data(from, node) {
        return None;
    }
    let parent = counterpart_in(from, from.parent(node)?, to, index)?;
    let want = squash(from.name(node));
    let mut found = None;
    for c in to.children(parent) {
        if (to.kind(c) == NodeKind::Dir) != is_dir || (!is_dir && has_data(to, c)) {
            continue;
        }
        let name = squash(to.name(c));
        if name.is_empty() || !(name.starts_with(&want) || want.starts_with(&name)) {
            continue;
        }
        if name == want {
            return Some(c);
        }
        if found.is_some() {
            // Two entries fit: do not guess.
            return None;
        }
        found = Some(c);
    }
    found
}

/// A name as ISO 9660's d-characters would hold it: upper case, anything
/// else `_`, trailing `_` left out (a dropped dot).
fn squash(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    while s.ends_with('_') {
        s.pop();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::{Extent, NewNode, TreeBuilder};
    use crate::View;

    fn node(name: &str, kind: NodeKind, offset: u64, len: u64) -> NewNode {
        NewNode {
            name: name.into(),
            kind: Some(kind),
            size: if kind == NodeKind::File { len } else { 0 },
            extents: vec![Extent::recorded(offset, len)],
            ..Default::default()
        }
    }

    #[test]
    fn matches_files_by_extent_and_dirs_through_files() {
        // Plain view: /DIR/FILE.TXT; Joliet: /Dir/file.txt with its own
        // directory extent.
        let mut a = TreeBuilder::new(View::Iso9660, NewNode::default());
        a.add_children(NodeId(0), vec![node("DIR", NodeKind::Dir, 20 * 2048, 2048)])
            .unwrap();
        a.add_children(
            NodeId(1),
            vec![node("FILE.TXT", NodeKind::File, 30 * 2048, 5)],
        )
        .unwrap();
        let a = a.finish();
        let mut j = TreeBuilder::new(View::Joliet, NewNode::default());
        j.add_children(NodeId(0), vec![node("Dir", NodeKind::Dir, 25 * 2048, 2048)])
            .unwrap();
        j.add_children(
            NodeId(1),
            vec![node("file.txt", NodeKind::File, 30 * 2048, 5)],
        )
        .unwrap();
        let j = j.finish();
        let ji = ExtentIndex::new(&j);
        let names = names_in(&a, NodeId(2), &[(&j, &ji)]);
        assert_eq!(names, vec![(View::Joliet, "/Dir/file.txt".to_string())]);
        let names = names_in(&a, NodeId(1), &[(&j, &ji)]);
        assert_eq!(names, vec![(View::Joliet, "/Dir".to_string())]);
        assert_eq!(counterpart_in(&a, a.root(), &j, &ji), Some(j.root()));
    }

    #[test]
    fn a_folder_of_empty_files_with_its_own_records_matches_by_name() {
        // Rock Ridge: /big/{e0,e1} empty (xorriso gives them no extent);
        // Joliet: /big with its own directory records, the same names.
        // Neither the folder nor its files have an extent in common.
        let tree = |view, dir_lba: u64| {
            let mut b = TreeBuilder::new(view, NewNode::default());
            b.add_children(
                NodeId(0),
                vec![node("big", NodeKind::Dir, dir_lba * 2048, 2048)],
            )
            .unwrap();
            let empty = |name: &str| {
                let mut n = node(name, NodeKind::File, 0, 0);
                n.extents.clear();
                n
            };
            b.add_children(NodeId(1), vec![empty("e0"), empty("e1")])
                .unwrap();
            b.finish()
        };
        let r = tree(View::RockRidge, 20);
        let j = tree(View::Joliet, 30);
        let ji = ExtentIndex::new(&j);
        // This recursed without end (probe → by name → parent → probe).
        let names = names_in(&r, NodeId(1), &[(&j, &ji)]);
        assert_eq!(names, vec![(View::Joliet, "/big".to_string())]);
        let names = names_in(&r, NodeId(3), &[(&j, &ji)]);
        assert_eq!(names, vec![(View::Joliet, "/big/e1".to_string())]);
    }

    #[test]
    fn entries_without_data_match_by_cut_names_only_when_one_fits() {
        // Rock Ridge: /d/readme-link (a link), /d/empty-a, /d/empty-b;
        // plain ISO 9660 (level 1 cuts names to 8 characters): README_L,
        // EMPTY_A, EMPTY_B. Same directory extent.
        let mut r = TreeBuilder::new(View::RockRidge, NewNode::default());
        r.add_children(NodeId(0), vec![node("d", NodeKind::Dir, 20 * 2048, 2048)])
            .unwrap();
        let mut link = node("readme-link", NodeKind::Symlink, 0, 0);
        link.extents.clear();
        r.add_children(
            NodeId(1),
            vec![
                link,
                node("empty-a", NodeKind::File, 40 * 2048, 0),
                node("empty-b", NodeKind::File, 40 * 2048, 0),
                node("empty", NodeKind::File, 40 * 2048, 0),
            ],
        )
        .unwrap();
        let r = r.finish();
        let mut p = TreeBuilder::new(View::Iso9660, NewNode::default());
        p.add_children(NodeId(0), vec![node("D", NodeKind::Dir, 20 * 2048, 2048)])
            .unwrap();
        p.add_children(
            NodeId(1),
            vec![
                node("README_L", NodeKind::File, 40 * 2048, 0),
                node("EMPTY_A", NodeKind::File, 40 * 2048, 0),
                node("EMPTY_B", NodeKind::File, 40 * 2048, 0),
            ],
        )
        .unwrap();
        let p = p.finish();
        let pi = ExtentIndex::new(&p);
        let path = |id: Option<NodeId>| id.map(|n| p.path(n));
        assert_eq!(
            path(counterpart_in(&r, NodeId(2), &p, &pi)),
            Some("/D/README_L".into())
        );
        assert_eq!(
            path(counterpart_in(&r, NodeId(3), &p, &pi)),
            Some("/D/EMPTY_A".into())
        );
        // "empty" is a prefix of both EMPTY_A and EMPTY_B: no guess.
        assert_eq!(counterpart_in(&r, NodeId(5), &p, &pi), None);
    }
}
