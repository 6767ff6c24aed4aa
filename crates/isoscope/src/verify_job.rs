//! Tools ▸ Verify image: MD5, SHA-1, SHA-256 and SHA-512 of the whole image
//! in one pass (iso-core's `verify::hash_source`), compared with the
//! checksum files beside it (iso-core's `verify::sums`), then every file
//! the disc's own lists name (md5sum.txt, sha256sum.txt, SHA256SUMS, ...:
//! iso-core's `verify::internal`).

use std::path::{Path, PathBuf};

use iso_core::verify::internal::{self, FileVerdict};
use iso_core::verify::{self, sums, Algorithm};
use iso_core::{Image, Tree};

use crate::extract_job::{CancelFlag, Counters};

/// One digest of the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageDigest {
    /// "MD5", "SHA-1", ...
    pub algorithm: &'static str,
    /// Lower-case hex.
    pub hex: String,
}

/// A checksum listed for the image in a file beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedSum {
    /// The checksum file.
    pub file: PathBuf,
    /// The algorithm.
    pub algorithm: &'static str,
    /// Whether it matches what was computed.
    pub matches: bool,
}

/// Most failed entries kept per list (the counts stay exact).
pub const MAX_FAILURES: usize = 200;

/// One checksum list inside the image, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InsideList {
    /// Its path in the image.
    pub list: String,
    /// Entries listed.
    pub total: usize,
    /// Entries whose content matched.
    pub matched: usize,
    /// Entries that did not match, with why (at most [`MAX_FAILURES`]).
    pub failures: Vec<(String, String)>,
    /// The list itself could not be read.
    pub error: Option<String>,
}

/// What a verification found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// The digests (empty when cancelled or failed).
    pub digests: Vec<ImageDigest>,
    /// Checksums found beside the image and whether they match.
    pub listed: Vec<ListedSum>,
    /// The image's own checksum lists.
    pub inside: Vec<InsideList>,
    /// Stopped by the person.
    pub cancelled: bool,
    /// Why it failed.
    pub error: Option<String>,
}

/// The name shown for an algorithm.
pub fn label(a: Algorithm) -> &'static str {
    match a {
        Algorithm::Md5 => "MD5",
        Algorithm::Sha1 => "SHA-1",
        Algorithm::Sha256 => "SHA-256",
        Algorithm::Sha512 => "SHA-512",
    }
}

/// What to verify.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The image.
    pub image: &'a Image,
    /// Its file, to find checksum files beside it.
    pub path: Option<&'a Path>,
    /// A whole tree to find the image's own checksum lists in.
    pub tree: Option<&'a Tree>,
}

/// Hashes the image, compares with the checksum files beside it, then
/// checks the files its own checksum lists name.
pub fn run(req: &Request<'_>, counters: &Counters, cancel: &CancelFlag) -> VerifyReport {
    let mut report = VerifyReport::default();
    let source = req.image.source().as_ref();
    match verify::hash_source(source, &Algorithm::ALL, &counters.0, &cancel.0) {
        Ok(ds) => {
            report.digests = ds
                .iter()
                .map(|d| ImageDigest {
                    algorithm: label(d.algorithm),
                    hex: d.hex(),
                })
                .collect();
        }
        Err(iso_core::Error::Cancelled) => {
            report.cancelled = true;
            return report;
        }
        Err(e) => {
            report.error = Some(e.to_string());
            return report;
        }
    }
    if let Some(p) = req.path {
        report.listed = compare_beside(p, &ds_of(&report));
    }
    if let Some(tree) = req.tree {
        for list in internal::find_lists(tree) {
            match internal::verify_list(req.image, tree, list, &counters.0, &cancel.0) {
                Ok(r) => report.inside.push(summarise(&r)),
                Err(iso_core::Error::Cancelled) => {
                    report.cancelled = true;
                    return report;
                }
                Err(e) => report.inside.push(InsideList {
                    list: tree.path(list),
                    error: Some(e.to_string()),
                    ..InsideList::default()
                }),
            }
        }
    }
    report
}

fn summarise(r: &internal::ListReport) -> InsideList {
    let failures = r
        .files
        .iter()
        .filter_map(|f| {
            let why = match &f.verdict {
                FileVerdict::Match => return None,
                FileVerdict::Mismatch { .. } => format!("{} differs", label(f.algorithm)),
                FileVerdict::Missing => "not in the image".to_string(),
                FileVerdict::Unreadable(e) => format!("cannot be read: {e}"),
            };
            Some((f.listed.clone(), why))
        })
        .take(MAX_FAILURES)
        .collect();
    InsideList {
        list: r.list.clone(),
        total: r.files.len(),
        matched: r.matched(),
        failures,
        error: None,
    }
}

fn ds_of(r: &VerifyReport) -> Vec<(&'static str, String)> {
    r.digests
        .iter()
        .map(|d| (d.algorithm, d.hex.clone()))
        .collect()
}

/// Checks the lines of checksum files beside the image that name it (or
/// bare digests in a file named after it).
fn compare_beside(image: &Path, digests: &[(&'static str, String)]) -> Vec<ListedSum> {
    let image_name = image
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut out = Vec::new();
    for file in sums::find_beside(image) {
        let Ok(entries) = sums::read_file(&file) else {
            continue;
        };
        let own = file
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(&image_name));
        for e in entries {
            let named_here = match &e.name {
                Some(n) => sums::base_name(n.trim_start_matches('*')) == image_name,
                None => own,
            };
            if !named_here {
                continue;
            }
            let algorithm = label(e.algorithm);
            let matches = digests
                .iter()
                .any(|(a, h)| *a == algorithm && h.eq_ignore_ascii_case(&e.hex));
            out.push(ListedSum {
                file: file.clone(),
                algorithm,
                matches,
            });
        }
    }
    out
}
