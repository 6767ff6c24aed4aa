//! Testing an image: every file of a view read end to end, as an archiver's
//! "test" does — every extent read, zisofs content decompressed — and
//! every file that cannot be read, or whose content does not match what
//! its directory entry says, listed with what is wrong and where.
//!
//! Files are read in the order they lie in the image, so the reads go
//! forward. The caller samples [`Progress`] (totals: the files' sizes and
//! count) and may stop the run with [`Cancel`]; the report then says so.

use std::io::Read;

use crate::error::Warning;
use crate::extract::{Cancel, Progress};
use crate::tree::{Encoding, ExtentKind, NodeFlags, NodeId, NodeKind, Tree};
use crate::Image;

/// Bytes read per call.
const BUF_LEN: usize = 1 << 20;

/// What is wrong with one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file.
    pub node: NodeId,
    /// Its path in the view.
    pub path: String,
    /// What is wrong, in words.
    pub what: String,
    /// Byte offset in the file where reading stopped, when it did.
    pub file_offset: Option<u64>,
    /// Byte offset in the image where the failing read was, when known.
    pub image_offset: Option<u64>,
}

impl Problem {
    /// "at byte N of the file (LBA L)" or "" — where, for messages.
    pub fn location(&self) -> String {
        match (self.file_offset, self.image_offset) {
            (Some(f), Some(i)) => format!(
                "at byte {f} of the file (image byte {i}, LBA {})",
                i / crate::SECTOR_LEN
            ),
            (Some(f), None) => format!("at byte {f} of the file"),
            (None, Some(i)) => format!("at image byte {i} (LBA {})", i / crate::SECTOR_LEN),
            (None, None) => String::new(),
        }
    }
}

/// What [`check_tree`] found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// Files read (to the end or to the first error).
    pub files_checked: u64,
    /// Of those, files read whole without a problem.
    pub files_ok: u64,
    /// Content bytes read (decompressed for zisofs).
    pub bytes_read: u64,
    /// Files that could not be read or are inconsistent, in image order.
    pub problems: Vec<Problem>,
    /// Damage found while opening the image and reading the view's
    /// directories (from [`Image::warnings`] and [`Tree::warnings`]).
    pub warnings: Vec<Warning>,
    /// Whether the caller stopped the run before the end.
    pub cancelled: bool,
}

impl Report {
    /// Whether everything was read and nothing is wrong.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty() && self.warnings.is_empty() && !self.cancelled
    }
}

/// Reads every regular file of `tree` (a tree of `image`) end to end.
///
/// Never fails as a whole: what cannot be read becomes a [`Problem`].
pub fn check_tree(image: &Image, tree: &Tree, progress: &Progress, cancel: &Cancel) -> Report {
    let mut files: Vec<(u64, NodeId)> = tree
        .ids()
        .filter(|&id| tree.kind(id) == NodeKind::File)
        .map(|id| {
            let pos = tree
                .extents(id)
                .iter()
                .find(|e| e.kind == ExtentKind::Recorded)
                .map_or(0, |e| e.offset);
            (pos, id)
        })
        .collect();
    files.sort_unstable();
    let total = files
        .iter()
        .map(|&(_, id)| tree.size(id))
        .fold(0u64, u64::saturating_add);
    progress.set_totals(total, crate::bytes::u64_from(files.len()));
    let mut report = Report {
        warnings: image
            .warnings()
            .iter()
            .chain(tree.warnings())
            .cloned()
            .collect(),
        ..Report::default()
    };
    let mut buf = vec![0u8; BUF_LEN];
    for (k, &(_, id)) in files.iter().enumerate() {
        if cancel.is_cancelled() {
            report.cancelled = true;
            break;
        }
        progress.start_entry(crate::bytes::u64_from(k), &tree.path(id));
        let (read, problem) = check_file(image, tree, id, &mut buf, progress, cancel);
        report.bytes_read = report.bytes_read.saturating_add(read);
        match problem {
            Some(_) if cancel.is_cancelled() => {
                report.cancelled = true;
                break;
            }
            Some(p) => report.problems.push(p),
            None => report.files_ok += 1,
        }
        report.files_checked += 1;
        progress.add_file();
    }
    report
}

/// Reads one file; returns the bytes read and what went wrong, if anything.
fn check_file(
    image: &Image,
    tree: &Tree,
    id: NodeId,
    buf: &mut [u8],
    progress: &Progress,
    cancel: &Cancel,
) -> (u64, Option<Problem>) {
    let problem = |what: String, file_offset: Option<u64>| Problem {
        node: id,
        path: tree.path(id),
        what,
        file_offset,
        image_offset: file_offset.and_then(|o| image_offset(tree, id, o)),
    };
    let size = tree.size(id);
    let mut reader = match image.open_file(tree, id) {
        Ok(r) => r,
        Err(e) => return (0, Some(problem(format!("cannot be opened: {e}"), None))),
    };
    let mut done = 0u64;
    loop {
        if cancel.is_cancelled() {
            return (done, Some(problem("cancelled".into(), Some(done))));
        }
        match reader.read(buf) {
            Ok(0) => break,
            Ok(n) => {
                let n = crate::bytes::u64_from(n);
                done = done.saturating_add(n);
                progress.add_bytes(n);
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                let what = format!("unreadable after {done} of {size} bytes: {e}");
                return (done, Some(problem(what, Some(done))));
            }
        }
    }
    if done != size {
        let what = format!("its entry says {size} bytes, but its content ends after {done}");
        return (done, Some(problem(what, Some(done))));
    }
    if tree.flags(id).contains(NodeFlags::DAMAGED) {
        let what = "read whole, but its directory entry is marked damaged".into();
        return (done, Some(problem(what, None)));
    }
    (done, None)
}

/// The image byte holding byte `at` of a plainly stored file; for zisofs
/// files, the start of the compressed data.
fn image_offset(tree: &Tree, id: NodeId, at: u64) -> Option<u64> {
    let extents = tree.extents(id);
    if tree.encoding(id) != Encoding::Plain {
        return extents.first().map(|e| e.offset);
    }
    let mut start = 0u64;
    for e in extents {
        let end = start.saturating_add(e.len);
        if at < end {
            return (e.kind == ExtentKind::Recorded).then(|| e.offset.saturating_add(at - start));
        }
        start = end;
    }
    // Past the last extent: where the stored bytes end.
    extents
        .iter()
        .rev()
        .find(|e| e.kind == ExtentKind::Recorded)
        .map(|e| e.offset.saturating_add(e.len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::{Extent, NewNode, TreeBuilder};
    use crate::{MemorySource, OpenOptions, View};
    use std::sync::Arc;

    fn file(name: &str, size: u64, extents: Vec<Extent>) -> NewNode {
        NewNode {
            name: name.into(),
            kind: Some(NodeKind::File),
            size,
            extents,
            ..NewNode::default()
        }
    }

    /// A fixture image serves as the byte store; the tree is made by hand.
    fn fixture() -> Image {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/genisoimage-level1.iso.gz"
        );
        let mut bytes = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
            .read_to_end(&mut bytes)
            .unwrap();
        Image::from_source(Arc::new(MemorySource::new(bytes)), &OpenOptions::default()).unwrap()
    }

    #[test]
    fn reports_short_and_outside_files() {
        run_cases(&fixture());
    }

    fn run_cases(image: &Image) {
        let len = image.source().len();
        let mut b = TreeBuilder::new(View::Iso9660, NewNode::default());
        let kids = vec![
            file("ok", 4096, vec![Extent::recorded(0, 4096)]),
            file("outside", 4096, vec![Extent::recorded(len - 2048, 4096)]),
            file("short", 5000, vec![Extent::recorded(0, 4096)]),
        ];
        let root = b.tree().root();
        b.add_children(root, kids).unwrap();
        let tree = b.finish();
        let r = check_tree(image, &tree, &Progress::new(), &Cancel::new());
        assert_eq!(r.files_checked, 3);
        assert_eq!(r.files_ok, 1);
        let paths: Vec<&str> = r.problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["/short", "/outside"]);
        let short = &r.problems[0];
        assert_eq!(short.file_offset, Some(4096));
        assert_eq!(short.image_offset, Some(4096));
        let outside = &r.problems[1];
        assert!(outside.what.contains("unreadable"), "{}", outside.what);
        assert_eq!(outside.image_offset, Some(len - 2048));
        let c = Cancel::new();
        c.cancel();
        let r = check_tree(image, &tree, &Progress::new(), &c);
        assert!(r.cancelled && r.problems.is_empty() && !r.is_clean());
    }
}
