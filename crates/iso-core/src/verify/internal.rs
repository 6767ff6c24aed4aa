//! Per-file checksum lists shipped inside an image (Debian and Ubuntu put
//! `md5sum.txt` / `sha256sum.txt` at the root, others `SHA256SUMS`): every
//! listed file is read through [`Image::open_file`] and compared.

use std::io::Read;

use super::sums::{self, Entry};
use super::{Algorithm, Hasher};
use crate::error::{Error, Result};
use crate::extract::{Cancel, Progress};
use crate::tree::{NodeId, NodeKind, Tree};
use crate::Image;

/// Names of lists looked for at the root, compared without case.
pub const LIST_NAMES: [&str; 8] = [
    "md5sum.txt",
    "sha1sum.txt",
    "sha256sum.txt",
    "sha512sum.txt",
    "MD5SUMS",
    "SHA1SUMS",
    "SHA256SUMS",
    "SHA512SUMS",
];

/// Largest list read.
const MAX_LIST_LEN: u64 = 32 << 20;

/// The checksum lists at the root of `tree`.
pub fn find_lists(tree: &Tree) -> Vec<NodeId> {
    tree.children(tree.root())
        .filter(|&c| tree.kind(c) == NodeKind::File)
        .filter(|&c| {
            let n = tree.name(c);
            LIST_NAMES.iter().any(|l| l.eq_ignore_ascii_case(n))
        })
        .collect()
}

/// The result for one listed file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileVerdict {
    /// The content hashes to the listed digest.
    Match,
    /// It does not.
    Mismatch {
        /// Listed.
        expected: String,
        /// Computed.
        actual: String,
    },
    /// The listed file is not in the image.
    Missing,
    /// It could not be read.
    Unreadable(String),
}

/// One listed file and its verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCheck {
    /// The name as the list gives it.
    pub listed: String,
    /// The algorithm used.
    pub algorithm: Algorithm,
    /// The verdict.
    pub verdict: FileVerdict,
}

/// Everything one list said.
#[derive(Debug, Clone, Default)]
pub struct ListReport {
    /// The list's path in the image.
    pub list: String,
    /// One check per listed file, in list order.
    pub files: Vec<FileCheck>,
}

impl ListReport {
    /// Entries that matched.
    pub fn matched(&self) -> usize {
        self.files
            .iter()
            .filter(|f| f.verdict == FileVerdict::Match)
            .count()
    }

    /// Whether every listed file is there and matches.
    pub fn all_ok(&self) -> bool {
        self.files.iter().all(|f| f.verdict == FileVerdict::Match)
    }
}

/// Finds `listed` (relative to `base`), each component compared exactly
/// first and then without case (plain ISO 9660 names are upper case).
pub fn lookup(tree: &Tree, base: NodeId, listed: &str) -> Option<NodeId> {
    let mut cur = base;
    for comp in listed.split('/').filter(|c| !c.is_empty() && *c != ".") {
        if !tree.is_dir(cur) {
            return None;
        }
        cur = match comp {
            ".." => tree.parent(cur).unwrap_or(cur),
            _ => tree
                .children(cur)
                .find(|&c| tree.name(c) == comp)
                .or_else(|| {
                    tree.children(cur)
                        .find(|&c| tree.name(c).eq_ignore_ascii_case(comp))
                })?,
        };
    }
    Some(cur)
}

fn read_list(image: &Image, tree: &Tree, list: NodeId) -> Result<Vec<Entry>> {
    let mut buf = Vec::new();
    image
        .open_file(tree, list)?
        .take(MAX_LIST_LEN)
        .read_to_end(&mut buf)
        .map_err(|e| Error::io(0, e))?;
    Ok(sums::parse(&String::from_utf8_lossy(&buf)))
}

/// Checks every file `list` names. Progress totals are the listed files'
/// sizes.
///
/// # Errors
/// Reading the list itself fails; [`Error::Cancelled`].
pub fn verify_list(
    image: &Image,
    tree: &Tree,
    list: NodeId,
    progress: &Progress,
    cancel: &Cancel,
) -> Result<ListReport> {
    let entries = read_list(image, tree, list)?;
    let base = tree.parent(list).unwrap_or(tree.root());
    let targets: Vec<Option<NodeId>> = entries
        .iter()
        .map(|e| e.name.as_deref().and_then(|n| lookup(tree, base, n)))
        .collect();
    let total = targets
        .iter()
        .flatten()
        .map(|&t| tree.size(t))
        .fold(0u64, u64::saturating_add);
    progress.set_totals(total, crate::bytes::u64_from(entries.len()));
    let mut report = ListReport {
        list: tree.path(list),
        files: Vec::with_capacity(entries.len()),
    };
    let mut buf = vec![0u8; 1 << 20];
    for (e, target) in entries.iter().zip(targets) {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let listed = e.name.clone().unwrap_or_default();
        progress.start_entry(crate::bytes::u64_from(report.files.len()), &listed);
        let verdict = match target.filter(|&t| tree.kind(t) == NodeKind::File) {
            None => FileVerdict::Missing,
            Some(t) => match hash_node(image, tree, t, e.algorithm, &mut buf, progress, cancel) {
                Ok(hex) if hex == e.hex => FileVerdict::Match,
                Ok(actual) => FileVerdict::Mismatch {
                    expected: e.hex.clone(),
                    actual,
                },
                Err(Error::Cancelled) => return Err(Error::Cancelled),
                Err(err) => FileVerdict::Unreadable(err.to_string()),
            },
        };
        progress.add_file();
        report.files.push(FileCheck {
            listed,
            algorithm: e.algorithm,
            verdict,
        });
    }
    Ok(report)
}

fn hash_node(
    image: &Image,
    tree: &Tree,
    node: NodeId,
    algorithm: Algorithm,
    buf: &mut [u8],
    progress: &Progress,
    cancel: &Cancel,
) -> Result<String> {
    let mut r = image.open_file(tree, node)?;
    let mut h = Hasher::new(algorithm);
    loop {
        if cancel.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let n = match r.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Error::io(0, e)),
        };
        h.update(buf.get(..n).unwrap_or_default());
        progress.add_bytes(crate::bytes::u64_from(n));
    }
    Ok(h.finish().hex())
}
