//! Tools ▸ Verify image: MD5, SHA-1, SHA-256 and SHA-512 of the whole image
//! in one pass (iso-core's `verify::hash_source`), compared with the
//! checksum files beside it (iso-core's `verify::sums`).

use std::path::{Path, PathBuf};

use iso_core::verify::{self, sums, Algorithm};
use iso_core::ImageSource;

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

/// What a verification found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    /// The digests (empty when cancelled or failed).
    pub digests: Vec<ImageDigest>,
    /// Checksums found beside the image and whether they match.
    pub listed: Vec<ListedSum>,
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

/// Hashes `source`; `path` (the image file, when there is one) is used to
/// find checksum files beside it.
pub fn run(
    source: &dyn ImageSource,
    path: Option<&Path>,
    counters: &Counters,
    cancel: &CancelFlag,
) -> VerifyReport {
    let mut report = VerifyReport::default();
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
    if let Some(p) = path {
        report.listed = compare_beside(p, &ds_of(&report));
    }
    report
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_of_abc_matches_rfc_1321() {
        // RFC 1321 appendix A.5: MD5("abc").
        let src = iso_core::MemorySource::new(b"abc".to_vec());
        let r = run(&src, None, &Counters::default(), &CancelFlag::default());
        assert_eq!(r.digests[0].algorithm, "MD5");
        assert_eq!(r.digests[0].hex, "900150983cd24fb0d6963f7d28e17f72");
    }
}
