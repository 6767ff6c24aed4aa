//! Checksums…: CRC32, MD5, SHA-1, SHA-256, SHA-512 and BLAKE3 of the
//! selected files (folders: the files below them), on the jobs thread
//! through iso-core's `verify::digests`, each compared with the disc's own
//! checksum lists (md5sum.txt, SHA256SUMS, ...: `verify::internal`) when
//! they list the file.

use std::collections::HashMap;
use std::io::Read;

use iso_core::verify::digests::{self, FileAlgorithm};
use iso_core::verify::{internal, sums};
use iso_core::{Image, NodeId, NodeKind, Tree};

use crate::extract_job::{CancelFlag, Counters};

/// Most files hashed in one job (the rest is reported as left out).
pub const MAX_FILES: usize = 10_000;
/// Largest checksum list read.
const MAX_LIST_LEN: u64 = 32 << 20;

/// What one of the disc's lists says about a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedMatch {
    /// The list's path in the image.
    pub list: String,
    /// The algorithm the list uses.
    pub algorithm: &'static str,
    /// Whether the computed digest equals the listed one.
    pub matches: bool,
}

/// The digests of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSums {
    /// The file.
    pub node: NodeId,
    /// Its path in the image.
    pub path: String,
    /// Algorithm label and lower-case hex, in [`FileAlgorithm::ALL`] order.
    pub digests: Vec<(&'static str, String)>,
    /// What the disc's checksum lists say about it.
    pub listed: Vec<ListedMatch>,
    /// Why it could not be read.
    pub error: Option<String>,
}

/// What a checksum job computed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChecksumReport {
    /// One entry per file, in selection order.
    pub files: Vec<FileSums>,
    /// Files left out past [`MAX_FILES`].
    pub left_out: usize,
    /// Stopped by the person.
    pub cancelled: bool,
}

/// What to hash.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The image.
    pub image: &'a Image,
    /// The view's whole tree.
    pub tree: &'a Tree,
    /// The selection.
    pub nodes: &'a [NodeId],
}

/// The files among `nodes` and below the folders among them.
fn files_of(tree: &Tree, nodes: &[NodeId]) -> Vec<NodeId> {
    let mut out = Vec::new();
    for &n in nodes {
        for id in tree.walk(n) {
            if tree.kind(id) == NodeKind::File && !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out
}

/// Every entry of the disc's own checksum lists, by the file it names:
/// (list path, algorithm, listed hex).
fn listed_sums(
    image: &Image,
    tree: &Tree,
) -> HashMap<NodeId, Vec<(String, FileAlgorithm, String)>> {
    let mut out: HashMap<NodeId, Vec<_>> = HashMap::new();
    for list in internal::find_lists(tree) {
        let mut buf = Vec::new();
        let read = image
            .open_file(tree, list)
            .map(|r| r.take(MAX_LIST_LEN).read_to_end(&mut buf));
        if !matches!(read, Ok(Ok(_))) {
            continue;
        }
        let base = tree.parent(list).unwrap_or(tree.root());
        let list_path = tree.path(list);
        for e in sums::parse(&String::from_utf8_lossy(&buf)) {
            let Some(node) = e
                .name
                .as_deref()
                .and_then(|n| internal::lookup(tree, base, n))
            else {
                continue;
            };
            out.entry(node).or_default().push((
                list_path.clone(),
                FileAlgorithm::from_list(e.algorithm),
                e.hex.to_ascii_lowercase(),
            ));
        }
    }
    out
}

/// Hashes the files of the selection. Blocking; progress counts bytes.
pub fn run(req: &Request<'_>, counters: &Counters, cancel: &CancelFlag) -> ChecksumReport {
    let mut files = files_of(req.tree, req.nodes);
    let left_out = files.len().saturating_sub(MAX_FILES);
    files.truncate(MAX_FILES);
    let total = files
        .iter()
        .map(|&f| req.tree.size(f))
        .fold(0u64, u64::saturating_add);
    counters.begin(total, files.len() as u64);
    let lists = listed_sums(req.image, req.tree);
    let mut report = ChecksumReport {
        left_out,
        ..ChecksumReport::default()
    };
    for (i, &f) in files.iter().enumerate() {
        let path = req.tree.path(f);
        counters.0.start_entry(i as u64, &path);
        let mut sums = FileSums {
            node: f,
            path,
            digests: Vec::new(),
            listed: Vec::new(),
            error: None,
        };
        match digests::hash_node(
            req.image,
            req.tree,
            f,
            &FileAlgorithm::ALL,
            &counters.0,
            &cancel.0,
        ) {
            Ok(ds) => {
                sums.digests = ds.iter().map(|d| (d.algorithm.label(), d.hex())).collect();
                for (list, algo, hex) in lists.get(&f).into_iter().flatten() {
                    let computed = ds.iter().find(|d| d.algorithm == *algo).map(|d| d.hex());
                    sums.listed.push(ListedMatch {
                        list: list.clone(),
                        algorithm: algo.label(),
                        matches: computed.as_deref() == Some(hex.as_str()),
                    });
                }
            }
            Err(iso_core::Error::Cancelled) => {
                report.cancelled = true;
                return report;
            }
            Err(e) => sums.error = Some(e.to_string()),
        }
        counters.0.add_file();
        report.files.push(sums);
    }
    report
}
