//! The unified tree: what every filesystem view of an image turns into.
//!
//! An arena of nodes addressed by [`NodeId`]. A directory's children are one
//! contiguous index range (the builder adds them in one call), names and
//! link targets are interned in one string buffer, and the rarely present
//! fields live in side tables, so a million entries fit in well under
//! 200 MB.

use std::ops::Range;

use crate::error::{Error, Result, Warning};
use crate::view::View;

/// Index of a node in a [`Tree`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

impl NodeId {
    /// The index as `usize`.
    pub fn index(self) -> usize {
        usize::try_from(self.0).unwrap_or(usize::MAX)
    }
}

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link; see [`Tree::link_target`].
    Symlink,
    /// A character device; see [`Tree::unix`] for its numbers.
    CharDevice,
    /// A block device.
    BlockDevice,
    /// A named pipe.
    Fifo,
    /// A socket.
    Socket,
}

impl NodeKind {
    /// Short lower-case name: "file", "dir", "symlink", "char device" ...
    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::File => "file",
            NodeKind::Dir => "dir",
            NodeKind::Symlink => "symlink",
            NodeKind::CharDevice => "char device",
            NodeKind::BlockDevice => "block device",
            NodeKind::Fifo => "fifo",
            NodeKind::Socket => "socket",
        }
    }
}

/// A point in time: seconds since 1970-01-01 UTC and nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp {
    /// Whole seconds since the Unix epoch (negative before 1970).
    pub seconds: i64,
    /// Nanoseconds, 0..1_000_000_000.
    pub nanos: u32,
}

/// Which of a node's timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeKind {
    /// Last modification of the content (the "modified" column).
    Modified,
    /// Last access.
    Accessed,
    /// Last change of the attributes (ctime).
    AttributesChanged,
    /// Creation.
    Created,
    /// Last backup.
    Backup,
    /// After which the file may be regarded obsolete.
    Expiration,
    /// From which the file may be used.
    Effective,
    /// The ISO 9660 directory record's recording date and time.
    Recorded,
}

impl TimeKind {
    /// Human name: "modified", "accessed" ...
    pub fn as_str(self) -> &'static str {
        match self {
            TimeKind::Modified => "modified",
            TimeKind::Accessed => "accessed",
            TimeKind::AttributesChanged => "attributes changed",
            TimeKind::Created => "created",
            TimeKind::Backup => "backup",
            TimeKind::Expiration => "expiration",
            TimeKind::Effective => "effective",
            TimeKind::Recorded => "recorded",
        }
    }
}

/// Per-node flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct NodeFlags(pub u8);

impl NodeFlags {
    /// The ISO 9660 "existence" bit: hide from the user by default.
    pub const HIDDEN: NodeFlags = NodeFlags(1);
    /// The ISO 9660 "associated file" bit (e.g. a Mac resource fork).
    pub const ASSOCIATED: NodeFlags = NodeFlags(2);
    /// Not a file on the image's filesystem but made up by us (boot images
    /// under `/[BOOT]`).
    pub const VIRTUAL: NodeFlags = NodeFlags(4);
    /// The entry was damaged; what could be read is shown.
    pub const DAMAGED: NodeFlags = NodeFlags(8);

    /// Whether all bits of `other` are set.
    pub fn contains(self, other: NodeFlags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl std::ops::BitOr for NodeFlags {
    type Output = NodeFlags;
    fn bitor(self, rhs: NodeFlags) -> NodeFlags {
        NodeFlags(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for NodeFlags {
    fn bitor_assign(&mut self, rhs: NodeFlags) {
        self.0 |= rhs.0;
    }
}

/// A run of bytes of the image that holds part of a file (or directory).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Extent {
    /// Byte offset in the image.
    pub offset: u64,
    /// Length in bytes.
    pub len: u64,
    /// Recorded bytes, or a run that reads as zeros (unrecorded/sparse).
    pub kind: ExtentKind,
}

/// Whether an extent's bytes are on the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExtentKind {
    /// Read the bytes from the image.
    Recorded,
    /// Reads as zeros; nothing is stored (a hole).
    Zeros,
}

impl Extent {
    /// A recorded extent.
    pub fn recorded(offset: u64, len: u64) -> Self {
        Extent {
            offset,
            len,
            kind: ExtentKind::Recorded,
        }
    }

    /// The 2048-byte sector of the image where the extent starts.
    pub fn lba(&self) -> u64 {
        crate::units::Sector::containing(self.offset).0
    }
}

/// How a file's extents encode its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Encoding {
    /// The extents hold the content as is.
    #[default]
    Plain,
    /// zisofs compression (Rock Ridge ZF entry): the extents hold a zisofs
    /// file; the node's size is the uncompressed size.
    Zisofs {
        /// Header size in 4-byte words (from ZF).
        header_size_div4: u8,
        /// log2 of the block size (15, 16 or 17).
        block_size_log2: u8,
    },
    /// Stored in CD-ROM XA Mode 2 Form 2 sectors (Video CD MPEG streams,
    /// XA audio): each 2048-byte block of the extents is a sector whose
    /// 2324 bytes of user data are the content; the node's size counts
    /// 2324 bytes a sector.
    Form2,
    /// A virtual WAV file of a disc's audio track (`/[TRACKS]/NN-audio.wav`):
    /// a 44-byte RIFF header, then the track's samples.
    AudioTrack {
        /// The track number.
        track: u8,
    },
}

/// Unix metadata, from Rock Ridge PX/PN (or UDF).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct UnixMeta {
    /// File mode bits including the type bits (st_mode).
    pub mode: u32,
    /// Number of links (st_nlink).
    pub nlink: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// File serial number, when the image records one (RRIP 1.12 PX).
    pub ino: Option<u64>,
    /// Device number for device nodes (PN: high and low 32 bits).
    pub rdev: Option<u64>,
}

pub use crate::rockridge::xa::XaAttributes;

/// Everything about a node the builder is told.
#[derive(Debug, Clone, Default)]
pub struct NewNode {
    /// The display name (versions and trailing dots already removed).
    pub name: String,
    /// File, directory, link ...
    pub kind: Option<NodeKind>,
    /// Content length in bytes (uncompressed for zisofs).
    pub size: u64,
    /// Hidden, associated, virtual ...
    pub flags: NodeFlags,
    /// Timestamps the view has, most important first.
    pub times: Vec<(TimeKind, Timestamp)>,
    /// Unix metadata when the view has it.
    pub unix: Option<UnixMeta>,
    /// Link target for symlinks.
    pub target: Option<String>,
    /// Where the content is.
    pub extents: Vec<Extent>,
    /// How the extents encode the content.
    pub encoding: Encoding,
}

/// A [`NewNode`] borrowing its variable parts: how the tree walks hand
/// nodes to the builder without allocating per node.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NodeRef<'a> {
    pub name: &'a str,
    pub kind: NodeKind,
    pub size: u64,
    pub flags: NodeFlags,
    pub times: &'a [(TimeKind, Timestamp)],
    pub unix: Option<UnixMeta>,
    pub target: Option<&'a str>,
    pub extents: &'a [Extent],
    pub encoding: Encoding,
}

impl<'a> From<&'a NewNode> for NodeRef<'a> {
    fn from(n: &'a NewNode) -> Self {
        NodeRef {
            name: &n.name,
            kind: n.kind.unwrap_or(NodeKind::File),
            size: n.size,
            flags: n.flags,
            times: &n.times,
            unix: n.unix,
            target: n.target.as_deref(),
            extents: &n.extents,
            encoding: n.encoding,
        }
    }
}

const NONE: u32 = u32::MAX;

#[derive(Debug, Clone)]
struct Node {
    parent: u32,
    first_child: u32,
    child_count: u32,
    name_off: u32,
    name_len: u16,
    kind: NodeKind,
    flags: NodeFlags,
    /// Private bits: [`MTIME_IS_RECORDED`], [`RECORDED_IS_MTIME`].
    bits: u8,
    size: u64,
    /// Microseconds since the epoch (the views record at most
    /// microseconds); `i64::MIN` when there is none.
    mtime_us: i64,
    data: u32,
    extra: u32,
}

fn to_micros(t: Timestamp) -> i64 {
    t.seconds
        .saturating_mul(1_000_000)
        .saturating_add(i64::from(t.nanos / 1000))
        .max(i64::MIN + 1)
}

fn from_micros(us: i64) -> Timestamp {
    Timestamp {
        seconds: us.div_euclid(1_000_000),
        nanos: u32::try_from(us.rem_euclid(1_000_000) * 1000).unwrap_or(0),
    }
}

/// The inline time is the directory record's recording time (the view has
/// no modification time).
const MTIME_IS_RECORDED: u8 = 1;
/// The recording time equals the modification time and is not stored
/// again.
const RECORDED_IS_MTIME: u8 = 2;

/// Unix metadata packed (an `Option<UnixMeta>` takes 56 bytes).
#[derive(Debug, Clone)]
struct Extra {
    mode: u32,
    nlink: u32,
    uid: u32,
    gid: u32,
    ino: u64,
    rdev: u64,
    target_off: u32,
    target_len: u32,
    times_start: u32,
    times_len: u8,
    /// [`HAS_UNIX`], [`HAS_INO`], [`HAS_RDEV`].
    has: u8,
}

const HAS_UNIX: u8 = 1;
const HAS_INO: u8 = 2;
const HAS_RDEV: u8 = 4;

/// A timestamp other than the inline one, 16 bytes.
#[derive(Debug, Clone, Copy)]
struct TimeEntry {
    seconds: i64,
    nanos: u32,
    kind: TimeKind,
}

#[derive(Debug, Clone)]
struct FileData {
    extents_start: u32,
    extents_len: u32,
    encoding: Encoding,
}

/// One filesystem view of an image as a tree of nodes.
#[derive(Debug, Clone)]
pub struct Tree {
    view: View,
    nodes: Vec<Node>,
    strings: String,
    extras: Vec<Extra>,
    times: Vec<TimeEntry>,
    files: Vec<FileData>,
    extents: Vec<Extent>,
    warnings: Vec<Warning>,
    partial: bool,
    /// CD-ROM XA attributes, by node index (ascending: nodes are added in
    /// id order). Empty on images without XA records.
    xa: Vec<(u32, XaAttributes)>,
    /// Named streams (UDF 2.60 3.3.5, 3.3.7), by node index (ascending).
    /// Empty on images without them.
    streams: Vec<(u32, Box<[Stream]>)>,
}

/// A named stream of an entry (UDF 2.60 3.3.5, ECMA-167 4/14.17 Stream
/// Directory ICB), or on the root a stream of the file set's system
/// stream directory (3.3.7). Streams are not nodes of the tree; read one
/// with [`crate::Image::open_stream`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stream {
    /// The stream's name (e.g. "*UDF Macintosh Resource Fork").
    pub name: String,
    /// Its length in bytes.
    pub size: u64,
    /// Where its bytes are.
    pub extents: Vec<Extent>,
    /// Whether it is in the file set's system stream directory (on the
    /// root only).
    pub system: bool,
}

impl Stream {
    /// A stream named `name` of `size` bytes in `extents`.
    pub fn new(name: String, size: u64, extents: Vec<Extent>) -> Self {
        Stream {
            name,
            size,
            extents,
            system: false,
        }
    }
}

/// Iterator over a directory's children.
#[derive(Debug, Clone)]
pub struct Children(Range<u32>);

impl Iterator for Children {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        self.0.next().map(NodeId)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for Children {
    fn next_back(&mut self) -> Option<NodeId> {
        self.0.next_back().map(NodeId)
    }
}

impl ExactSizeIterator for Children {}

impl Tree {
    /// The root directory.
    pub fn root(&self) -> NodeId {
        NodeId(0)
    }

    /// Which view this tree shows.
    pub fn view(&self) -> View {
        self.view
    }

    /// Number of nodes, the root included.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Never true: there is always a root.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Whether `id` names a node of this tree.
    pub fn contains(&self, id: NodeId) -> bool {
        id.index() < self.nodes.len()
    }

    /// All node ids in arena order (parents before children).
    pub fn ids(&self) -> impl ExactSizeIterator<Item = NodeId> {
        (0..u32::try_from(self.nodes.len()).unwrap_or(u32::MAX)).map(NodeId)
    }

    fn node(&self, id: NodeId) -> &Node {
        // Ids come from this tree; an id from another tree falls back to
        // the root rather than panicking.
        self.nodes
            .get(id.index())
            .or_else(|| self.nodes.first())
            .expect("a tree always has a root")
    }

    fn str_at(&self, off: u32, len: u32) -> &str {
        let start = off as usize;
        let end = start.saturating_add(len as usize);
        self.strings.get(start..end).unwrap_or("")
    }

    /// The node's name ("" for the root). Bytes of the name that are not
    /// UTF-8 (and unpaired Joliet surrogates) appear as escape code points
    /// ([`names`]): show names with [`Tree::display_name`], write them to
    /// a host with [`Tree::name_bytes`] or [`names::host_name`].
    pub fn name(&self, id: NodeId) -> &str {
        let n = self.node(id);
        self.str_at(n.name_off, u32::from(n.name_len))
    }

    /// The bytes the node's name stands for (see [`names`]): what the disc
    /// holds, for a host name on Unix. Borrowed unless the name has bytes
    /// that are not UTF-8.
    pub fn name_bytes(&self, id: NodeId) -> std::borrow::Cow<'_, [u8]> {
        names::host_bytes(self.name(id))
    }

    /// The node's name for people: bytes that are not UTF-8 as `\x83`,
    /// unpaired UTF-16 surrogates as `\u{d800}` (see [`names`]).
    pub fn display_name(&self, id: NodeId) -> std::borrow::Cow<'_, str> {
        names::display(self.name(id))
    }

    /// The index of the first of `ids` whose name starts with `lower` (in
    /// lower case), ignoring case — type-to-select in a listing. Kept here
    /// so the scan runs optimised even in an app's debug build: a million
    /// names take milliseconds.
    pub fn first_with_prefix(&self, ids: &[NodeId], lower: &str) -> Option<usize> {
        if lower.is_ascii() {
            let l = lower.as_bytes();
            return ids.iter().position(|&id| {
                let n = self.name(id).as_bytes();
                n.get(..l.len()).is_some_and(|head| {
                    head.iter()
                        .zip(l)
                        .all(|(a, b)| a.to_ascii_lowercase() == *b)
                })
            });
        }
        ids.iter().position(|&id| {
            let mut name = self.name(id).chars().flat_map(char::to_lowercase);
            lower.chars().all(|c| name.next() == Some(c))
        })
    }

    /// The parent directory; `None` for the root.
    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        let p = self.node(id).parent;
        (p != NONE).then_some(NodeId(p))
    }

    /// The children of a directory, in the order the image lists them.
    pub fn children(&self, id: NodeId) -> Children {
        let n = self.node(id);
        Children(n.first_child..n.first_child.saturating_add(n.child_count))
    }

    /// What the node is.
    pub fn kind(&self, id: NodeId) -> NodeKind {
        self.node(id).kind
    }

    /// Whether the node is a directory.
    pub fn is_dir(&self, id: NodeId) -> bool {
        self.kind(id) == NodeKind::Dir
    }

    /// Content length in bytes (uncompressed for zisofs; 0 for directories).
    pub fn size(&self, id: NodeId) -> u64 {
        self.node(id).size
    }

    /// Flags: hidden, associated, virtual, damaged.
    pub fn flags(&self, id: NodeId) -> NodeFlags {
        self.node(id).flags
    }

    /// The modification time, the one shown in listings.
    pub fn mtime(&self, id: NodeId) -> Option<Timestamp> {
        let n = self.node(id);
        (n.mtime_us != i64::MIN).then(|| from_micros(n.mtime_us))
    }

    /// Every timestamp the view records for the node, the modification
    /// time (or else the recording time) first.
    pub fn times(&self, id: NodeId) -> Vec<(TimeKind, Timestamp)> {
        let n = self.node(id);
        let mut out = Vec::new();
        if let Some(t) = self.mtime(id) {
            if n.bits & MTIME_IS_RECORDED != 0 {
                out.push((TimeKind::Recorded, t));
            } else {
                out.push((TimeKind::Modified, t));
                if n.bits & RECORDED_IS_MTIME != 0 {
                    out.push((TimeKind::Recorded, t));
                }
            }
        }
        if let Some(x) = self.extra(id) {
            let start = x.times_start as usize;
            let stored = self
                .times
                .get(start..start.saturating_add(usize::from(x.times_len)))
                .unwrap_or_default();
            out.extend(stored.iter().map(|e| {
                (
                    e.kind,
                    Timestamp {
                        seconds: e.seconds,
                        nanos: e.nanos,
                    },
                )
            }));
        }
        out
    }

    /// One timestamp, if recorded.
    pub fn time(&self, id: NodeId, kind: TimeKind) -> Option<Timestamp> {
        self.times(id)
            .into_iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, t)| t)
    }

    fn extra(&self, id: NodeId) -> Option<&Extra> {
        let e = self.node(id).extra;
        if e == NONE {
            None
        } else {
            self.extras.get(e as usize)
        }
    }

    /// Unix mode, owner, links, device numbers when the view has them.
    pub fn unix(&self, id: NodeId) -> Option<UnixMeta> {
        let x = self.extra(id)?;
        (x.has & HAS_UNIX != 0).then_some(UnixMeta {
            mode: x.mode,
            nlink: x.nlink,
            uid: x.uid,
            gid: x.gid,
            ino: (x.has & HAS_INO != 0).then_some(x.ino),
            rdev: (x.has & HAS_RDEV != 0).then_some(x.rdev),
        })
    }

    /// The target of a symbolic link.
    pub fn link_target(&self, id: NodeId) -> Option<&str> {
        let x = self.extra(id)?;
        (x.target_off != NONE).then(|| self.str_at(x.target_off, x.target_len))
    }

    /// Where the node's bytes are.
    pub fn extents(&self, id: NodeId) -> &[Extent] {
        let d = self.node(id).data;
        let Some(f) = self.files.get(d as usize) else {
            return &[];
        };
        let start = f.extents_start as usize;
        self.extents
            .get(start..start.saturating_add(f.extents_len as usize))
            .unwrap_or_default()
    }

    /// Marks a file as stored in another encoding, with its content size
    /// (disc containers: Mode 2 Form 2 files).
    pub(crate) fn set_encoding(&mut self, id: NodeId, encoding: Encoding, size: u64) {
        let Some(n) = self.nodes.get_mut(id.index()) else {
            return;
        };
        n.size = size;
        if let Some(f) = self.files.get_mut(n.data as usize) {
            f.encoding = encoding;
        }
    }

    /// How the extents encode the content.
    pub fn encoding(&self, id: NodeId) -> Encoding {
        let d = self.node(id).data;
        self.files
            .get(d as usize)
            .map(|f| f.encoding)
            .unwrap_or_default()
    }

    /// Bytes the node occupies on the image (its extents rounded up to
    /// whole blocks).
    pub fn allocated_len(&self, id: NodeId) -> u64 {
        self.extents(id)
            .iter()
            .filter(|e| e.kind == ExtentKind::Recorded)
            .map(|e| e.len.div_ceil(crate::SECTOR_LEN) * crate::SECTOR_LEN)
            .fold(0u64, u64::saturating_add)
    }

    /// A key shared by the nodes that are hard links of one file: the
    /// recorded inode number when the file has more than one link, else the
    /// first extent of a non-empty file.
    pub fn hardlink_key(&self, id: NodeId) -> Option<u64> {
        if self.kind(id) != NodeKind::File {
            return None;
        }
        if let Some(UnixMeta {
            ino: Some(ino),
            nlink,
            ..
        }) = self.unix(id)
        {
            return (nlink > 1).then_some(ino);
        }
        match self.extents(id).first() {
            Some(e) if e.len > 0 && e.kind == ExtentKind::Recorded => Some(e.offset | (1 << 63)),
            _ => None,
        }
    }

    /// The `/`-separated path from the root ("/" for the root).
    pub fn path(&self, id: NodeId) -> String {
        let mut parts = Vec::new();
        let mut cur = id;
        while let Some(p) = self.parent(cur) {
            parts.push(self.name(cur));
            cur = p;
            if parts.len() > self.nodes.len() {
                break;
            }
        }
        if parts.is_empty() {
            return "/".to_string();
        }
        let mut s = String::new();
        for part in parts.iter().rev() {
            s.push('/');
            s.push_str(part);
        }
        s
    }

    /// The names from the root down to `id` (the root excluded).
    pub fn components(&self, id: NodeId) -> Vec<&str> {
        let mut parts = Vec::new();
        let mut cur = id;
        while let Some(p) = self.parent(cur) {
            parts.push(self.name(cur));
            cur = p;
            if parts.len() > self.nodes.len() {
                break;
            }
        }
        parts.reverse();
        parts
    }

    /// Finds a node by `/`-separated path from the root. Empty components
    /// and "." are ignored; names compare exactly — a name with bytes that
    /// are not UTF-8 also in its escaped display form ([`names::display`]).
    ///
    /// # Errors
    /// [`Error::NotFound`] or [`Error::NotADirectory`].
    pub fn lookup(&self, path: &str) -> Result<NodeId> {
        let mut cur = self.root();
        for comp in path.split('/').filter(|c| !c.is_empty() && *c != ".") {
            if comp == ".." {
                cur = self.parent(cur).unwrap_or(cur);
                continue;
            }
            if !self.is_dir(cur) {
                return Err(Error::NotADirectory(self.path(cur)));
            }
            cur = self
                .children(cur)
                .find(|&c| self.name(c) == comp)
                .or_else(|| {
                    // A name that is not UTF-8, as listings show it
                    // ("\x83e.txt"): what a person copies from `ls`.
                    self.children(cur)
                        .find(|&c| names::has_escapes(self.name(c)) && self.display_name(c) == comp)
                })
                .ok_or_else(|| Error::NotFound(path.to_string()))?;
        }
        Ok(cur)
    }

    /// Depth-first walk of `start` and everything below it, parents before
    /// children.
    pub fn walk(&self, start: NodeId) -> Walk<'_> {
        Walk {
            tree: self,
            stack: vec![start],
        }
    }

    /// The CD-ROM XA attributes of the node's directory record (Mode 2
    /// Form 1/Form 2, interleaving), on images written with them.
    pub fn xa(&self, id: NodeId) -> Option<XaAttributes> {
        let i = self.xa.binary_search_by_key(&id.0, |&(n, _)| n).ok()?;
        self.xa.get(i).map(|&(_, a)| a)
    }

    /// The named streams of the node (on the root, also the file set's
    /// system streams); empty for most entries.
    pub fn streams(&self, id: NodeId) -> &[Stream] {
        match self.streams.binary_search_by_key(&id.0, |(n, _)| *n) {
            Ok(i) => self.streams.get(i).map(|(_, s)| &**s).unwrap_or_default(),
            Err(_) => &[],
        }
    }

    /// Whether this tree holds only the root directory's entries (see
    /// [`crate::Image::root_tree`]): its subdirectories show no children.
    pub fn is_partial(&self) -> bool {
        self.partial
    }

    /// What went wrong while reading this view.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Heap bytes held by the tree (for the memory benchmark).
    pub fn heap_len(&self) -> usize {
        use std::mem::size_of;
        self.nodes.capacity() * size_of::<Node>()
            + self.strings.capacity()
            + self.extras.capacity() * size_of::<Extra>()
            + self.times.capacity() * size_of::<TimeEntry>()
            + self.files.capacity() * size_of::<FileData>()
            + self.extents.capacity() * size_of::<Extent>()
            + self.xa.capacity() * size_of::<(u32, XaAttributes)>()
            + self.streams.capacity() * size_of::<(u32, Box<[Stream]>)>()
            + self
                .streams
                .iter()
                .flat_map(|(_, s)| s.iter())
                .map(|s| size_of::<Stream>() + s.name.len() + s.extents.len() * size_of::<Extent>())
                .sum::<usize>()
    }
}

/// Depth-first iterator from [`Tree::walk`].
#[derive(Debug)]
pub struct Walk<'a> {
    tree: &'a Tree,
    stack: Vec<NodeId>,
}

impl Iterator for Walk<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        let id = self.stack.pop()?;
        // Children are pushed in reverse so they come out in order. The
        // builder only ever gives a directory children with larger ids, so
        // this cannot loop.
        self.stack.extend(self.tree.children(id).rev());
        Some(id)
    }
}

#[path = "tree_names.rs"]
pub mod names;

#[path = "tree_builder.rs"]
mod builder;
pub use builder::{TreeBuilder, MAX_NODES};

#[cfg(test)]
#[path = "tree_tests.rs"]
mod tests;
