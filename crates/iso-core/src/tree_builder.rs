//! [`TreeBuilder`]: how the views' walkers fill a [`Tree`]'s arenas.

use super::*;

/// Builds a [`Tree`]: a directory's children are added in one call.
#[derive(Debug)]
pub struct TreeBuilder {
    tree: Tree,
}

/// The most nodes one tree may hold: ids are `u32`, and a cap bounds memory
/// on hostile images.
pub const MAX_NODES: usize = 50_000_000;

impl TreeBuilder {
    /// A tree with only a root directory.
    pub fn new(view: View, root: NewNode) -> Self {
        let mut b = TreeBuilder {
            tree: Tree {
                view,
                nodes: Vec::new(),
                strings: String::new(),
                extras: Vec::new(),
                times: Vec::new(),
                files: Vec::new(),
                extents: Vec::new(),
                warnings: Vec::new(),
                partial: false,
                xa: Vec::new(),
                streams: Vec::new(),
            },
        };
        let root = NewNode {
            name: String::new(),
            kind: Some(NodeKind::Dir),
            ..root
        };
        b.push(NONE, &NodeRef::from(&root));
        b
    }

    /// Number of nodes so far.
    pub fn len(&self) -> usize {
        self.tree.nodes.len()
    }

    /// Never true: the root is always there.
    pub fn is_empty(&self) -> bool {
        self.tree.nodes.is_empty()
    }

    /// The tree built so far, to read names, kinds and extents while
    /// building.
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// Records the CD-ROM XA attributes of node `id`, the node just added
    /// (ids must come in ascending order; an out-of-order one is ignored).
    pub(crate) fn set_xa(&mut self, id: NodeId, xa: XaAttributes) {
        if self.tree.xa.last().is_none_or(|&(n, _)| n < id.0) {
            self.tree.xa.push((id.0, xa));
        }
    }

    /// Records the named streams of node `id` (ids must come in ascending
    /// order; an out-of-order one or an empty list is ignored).
    pub(crate) fn set_streams(&mut self, id: NodeId, streams: Vec<Stream>) {
        if !streams.is_empty() && self.tree.streams.last().is_none_or(|(n, _)| *n < id.0) {
            self.tree.streams.push((id.0, streams.into_boxed_slice()));
        }
    }

    /// Marks the tree as holding only the root directory's entries.
    pub fn mark_partial(&mut self) {
        self.tree.partial = true;
    }

    /// Records a warning.
    pub fn warn(&mut self, w: Warning) {
        // A hostile image could produce one per entry; keep a bounded list.
        if self.tree.warnings.len() < 1000 {
            self.tree.warnings.push(w);
        } else if self.tree.warnings.len() == 1000 {
            self.tree.warnings.push(Warning::new(
                "image",
                None,
                "more than 1000 warnings; the rest are not listed",
            ));
        }
    }

    /// Adds `children` to directory `parent`, which must have none yet.
    /// Returns their ids.
    ///
    /// # Errors
    /// [`Error::Unsupported`] when the tree would exceed [`MAX_NODES`];
    /// [`Error::NotADirectory`] when `parent` is not a directory or already
    /// has children.
    pub fn add_children(&mut self, parent: NodeId, children: Vec<NewNode>) -> Result<Range<u32>> {
        let first = self.begin_children(parent, children.len())?;
        for c in &children {
            self.push(parent.0, &NodeRef::from(c));
        }
        Ok(self.end_children(parent, first))
    }

    /// Checks that `parent` can take `count` children; returns the first
    /// child's id. Children are then pushed with [`Self::push_child`] and
    /// the list closed with [`Self::end_children`].
    pub(crate) fn begin_children(&mut self, parent: NodeId, count: usize) -> Result<u32> {
        let Some(p) = self.tree.nodes.get(parent.index()) else {
            return Err(Error::NotFound(format!("node {}", parent.0)));
        };
        if p.kind != NodeKind::Dir || p.child_count != 0 {
            return Err(Error::NotADirectory(self.tree.path(parent)));
        }
        self.check_room(count)?;
        self.tree.nodes.reserve(count);
        Ok(u32::try_from(self.tree.nodes.len()).unwrap_or(NONE))
    }

    fn check_room(&self, count: usize) -> Result<()> {
        if self.tree.nodes.len().saturating_add(count) > MAX_NODES {
            return Err(Error::Unsupported(format!(
                "more than {MAX_NODES} entries in one tree"
            )));
        }
        Ok(())
    }

    /// Adds one child to `parent`, between [`Self::begin_children`] and
    /// [`Self::end_children`].
    ///
    /// # Errors
    /// [`Error::Unsupported`] when the tree would exceed [`MAX_NODES`].
    pub(crate) fn push_child(&mut self, parent: NodeId, n: &NodeRef<'_>) -> Result<NodeId> {
        self.check_room(1)?;
        let id = NodeId(u32::try_from(self.tree.nodes.len()).unwrap_or(NONE));
        self.push(parent.0, n);
        Ok(id)
    }

    /// Closes the child list begun at `first`: everything pushed since
    /// belongs to `parent`.
    pub(crate) fn end_children(&mut self, parent: NodeId, first: u32) -> Range<u32> {
        let end = u32::try_from(self.tree.nodes.len()).unwrap_or(NONE);
        let count = end.saturating_sub(first);
        if let Some(p) = self.tree.nodes.get_mut(parent.index()) {
            p.first_child = first;
            p.child_count = count;
        }
        first..first.saturating_add(count)
    }

    /// Interns `s`, cut at `max` bytes (on a character boundary).
    fn intern(&mut self, s: &str, max: usize) -> (u32, u32) {
        let mut end = s.len().min(max);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        let s = s.get(..end).unwrap_or_default();
        let off = u32::try_from(self.tree.strings.len()).unwrap_or(NONE);
        self.tree.strings.push_str(s);
        (off, u32::try_from(s.len()).unwrap_or(0))
    }

    fn push(&mut self, parent: u32, n: &NodeRef<'_>) {
        let (name_off, name_len) = self.intern(n.name, usize::from(u16::MAX));
        let modified = n.times.iter().find(|(k, _)| *k == TimeKind::Modified);
        let recorded = n.times.iter().find(|(k, _)| *k == TimeKind::Recorded);
        let mut bits = 0u8;
        let mtime = match (modified, recorded) {
            (Some(&(_, m)), Some(&(_, r))) if m == r => {
                bits |= RECORDED_IS_MTIME;
                Some(m)
            }
            (Some(&(_, m)), _) => Some(m),
            (None, Some(&(_, r))) => {
                bits |= MTIME_IS_RECORDED;
                Some(r)
            }
            (None, None) => None,
        };
        // Everything but the inline time goes to the side table.
        let inline_kind = if bits & MTIME_IS_RECORDED != 0 {
            TimeKind::Recorded
        } else {
            TimeKind::Modified
        };
        let keep = |k: TimeKind| {
            k != inline_kind && !(k == TimeKind::Recorded && bits & RECORDED_IS_MTIME != 0)
        };
        let rest_len = n
            .times
            .iter()
            .filter(|(k, _)| keep(*k))
            .count()
            .min(usize::from(u8::MAX));
        let extra = if n.unix.is_some() || n.target.is_some() || rest_len > 0 {
            let times_start = u32::try_from(self.tree.times.len()).unwrap_or(NONE);
            let times_len = u8::try_from(rest_len).unwrap_or(u8::MAX);
            self.tree
                .times
                .extend(n.times.iter().filter(|(k, _)| keep(*k)).take(rest_len).map(
                    |(kind, t)| TimeEntry {
                        seconds: t.seconds,
                        nanos: t.nanos,
                        kind: *kind,
                    },
                ));
            let (target_off, target_len) = match n.target {
                Some(t) => self.intern(t, usize::MAX),
                None => (NONE, 0),
            };
            let u = n.unix.unwrap_or_default();
            let mut has = 0u8;
            if n.unix.is_some() {
                has |= HAS_UNIX;
            }
            if u.ino.is_some() {
                has |= HAS_INO;
            }
            if u.rdev.is_some() {
                has |= HAS_RDEV;
            }
            self.tree.extras.push(Extra {
                mode: u.mode,
                nlink: u.nlink,
                uid: u.uid,
                gid: u.gid,
                ino: u.ino.unwrap_or(0),
                rdev: u.rdev.unwrap_or(0),
                target_off,
                target_len,
                times_start,
                times_len,
                has,
            });
            u32::try_from(self.tree.extras.len() - 1).unwrap_or(NONE)
        } else {
            NONE
        };
        let data = if n.extents.is_empty() && n.encoding == Encoding::Plain {
            NONE
        } else {
            let extents_start = u32::try_from(self.tree.extents.len()).unwrap_or(NONE);
            let extents_len = u32::try_from(n.extents.len()).unwrap_or(0);
            self.tree.extents.extend_from_slice(n.extents);
            self.tree.files.push(FileData {
                extents_start,
                extents_len,
                encoding: n.encoding,
            });
            u32::try_from(self.tree.files.len() - 1).unwrap_or(NONE)
        };
        self.tree.nodes.push(Node {
            parent,
            first_child: 0,
            child_count: 0,
            name_off,
            name_len: u16::try_from(name_len).unwrap_or(u16::MAX),
            kind: n.kind,
            flags: n.flags,
            bits,
            size: n.size,
            mtime_us: mtime.map_or(i64::MIN, to_micros),
            data,
            extra,
        });
    }

    /// The finished tree.
    pub fn finish(mut self) -> Tree {
        self.tree.nodes.shrink_to_fit();
        self.tree.strings.shrink_to_fit();
        self.tree.extras.shrink_to_fit();
        self.tree.times.shrink_to_fit();
        self.tree.files.shrink_to_fit();
        self.tree.extents.shrink_to_fit();
        self.tree.xa.shrink_to_fit();
        self.tree.streams.shrink_to_fit();
        self.tree
    }
}
