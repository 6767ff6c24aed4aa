//! Finding the same entry in another view of an image: the properties
//! panel shows which views contain a node and its name in each.
//!
//! Files are matched by where their data starts (all ISO 9660 family views
//! point at the same extents). Directories are matched by their own extent
//! (plain ISO 9660 and Rock Ridge share directory records) or, in views with
//! their own directory records (Joliet), through a file below them.

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

/// [`ExtentIndex::counterpart`] that can also climb to parents in `to`.
pub fn counterpart_in(from: &Tree, node: NodeId, to: &Tree, index: &ExtentIndex) -> Option<NodeId> {
    if node == from.root() {
        return Some(to.root());
    }
    let is_dir = from.kind(node) == NodeKind::Dir;
    if let Some(e) = from.extents(node).first() {
        if e.len > 0 || is_dir {
            if let Some(&n) = index.by_offset.get(&(e.offset, is_dir)) {
                return Some(n);
            }
        }
    }
    if !is_dir {
        return None;
    }
    let depth_of = |t: &Tree, id: NodeId| t.components(id).len();
    let start = depth_of(from, node);
    for (probe, id) in from.walk(node).enumerate() {
        if probe > MAX_PROBE {
            break;
        }
        if from.kind(id) != NodeKind::File {
            continue;
        }
        let Some(mut other) = counterpart_in(from, id, to, index) else {
            continue;
        };
        for _ in start..depth_of(from, id) {
            other = to.parent(other)?;
        }
        return Some(other);
    }
    None
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
}
