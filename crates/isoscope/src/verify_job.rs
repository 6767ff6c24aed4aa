//! Tools ▸ Verify image: MD5, SHA-1, SHA-256 and SHA-512 of the whole image
//! in one pass, compared with checksum files beside it. Until iso-core's
//! `verify` module is on main this hashes here; only this file changes when
//! it lands.

use std::path::{Path, PathBuf};

use md5::Digest as _;

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
    /// The algorithm (from the length of the hex).
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

const BLOCK: usize = 1 << 20;

/// Hashes `source`; `path` (the image file, when there is one) is used to
/// find checksum files beside it.
pub fn run(
    source: &dyn ImageSource,
    path: Option<&Path>,
    counters: &Counters,
    cancel: &CancelFlag,
) -> VerifyReport {
    let mut report = VerifyReport::default();
    let len = source.len();
    counters.begin(len, 1);
    let mut md5 = md5::Md5::new();
    let mut sha1 = sha1::Sha1::new();
    let mut sha256 = sha2::Sha256::new();
    let mut sha512 = sha2::Sha512::new();
    let mut buf = vec![0u8; BLOCK];
    let mut offset = 0u64;
    while offset < len {
        if cancel.is_cancelled() {
            report.cancelled = true;
            return report;
        }
        let n = usize::try_from(len - offset).unwrap_or(BLOCK).min(BLOCK);
        let Some(chunk) = buf.get_mut(..n) else { break };
        if let Err(e) = source.read_exact_at(offset, chunk) {
            report.error = Some(format!("cannot read the image at byte {offset}: {e}"));
            return report;
        }
        md5.update(&*chunk);
        sha1.update(&*chunk);
        sha256.update(&*chunk);
        sha512.update(&*chunk);
        let n = u64::try_from(n).unwrap_or(0);
        offset = offset.saturating_add(n);
        counters.add_bytes(n);
    }
    report.digests = vec![
        digest("MD5", &md5.finalize()),
        digest("SHA-1", &sha1.finalize()),
        digest("SHA-256", &sha256.finalize()),
        digest("SHA-512", &sha512.finalize()),
    ];
    if let Some(p) = path {
        report.listed = compare_beside(p, &report.digests);
    }
    report
}

fn digest(algorithm: &'static str, bytes: &[u8]) -> ImageDigest {
    ImageDigest {
        algorithm,
        hex: bytes.iter().map(|b| format!("{b:02x}")).collect(),
    }
}

fn algorithm_for(hex_len: usize) -> Option<&'static str> {
    match hex_len {
        32 => Some("MD5"),
        40 => Some("SHA-1"),
        64 => Some("SHA-256"),
        128 => Some("SHA-512"),
        _ => None,
    }
}

/// Reads checksum files in the image's folder (`image.iso.sha256`,
/// `SHA256SUMS`, `MD5SUMS`, `*.md5`, ...) and compares the lines naming
/// the image (or the only line of a file named after it).
fn compare_beside(image: &Path, digests: &[ImageDigest]) -> Vec<ListedSum> {
    let Some(dir) = image.parent() else {
        return Vec::new();
    };
    let image_name = image.file_name().and_then(|s| s.to_str()).unwrap_or("");
    let Ok(entries) = std::fs::read_dir(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    }) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let p = e.path();
        let name = p.file_name().and_then(|s| s.to_str()).unwrap_or("");
        let lower = name.to_ascii_lowercase();
        let own = name.starts_with(image_name) && name != image_name;
        let sums = lower.contains("sums") || lower.ends_with(".md5") || lower.ends_with(".sha256");
        if !(own || sums) || e.metadata().map(|m| m.len() > 1 << 20).unwrap_or(true) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        for (hex, listed_name) in parse_lines(&text) {
            let named_here = listed_name
                .map(|n| n.trim_start_matches('*').rsplit(['/', '\\']).next() == Some(image_name))
                .unwrap_or(own);
            let Some(algo) = algorithm_for(hex.len()) else {
                continue;
            };
            if !named_here {
                continue;
            }
            let matches = digests
                .iter()
                .any(|d| d.algorithm == algo && d.hex.eq_ignore_ascii_case(&hex));
            out.push(ListedSum {
                file: p.clone(),
                algorithm: algo,
                matches,
            });
        }
    }
    out.sort_by(|a, b| a.file.cmp(&b.file));
    out
}

/// `hex  name`, `hex *name`, `ALGO (name) = hex` or a bare `hex`.
fn parse_lines(text: &str) -> Vec<(String, Option<&str>)> {
    let mut out = Vec::new();
    for line in text.lines().take(10_000) {
        let line = line.trim();
        if let Some((left, hex)) = line.rsplit_once(" = ") {
            let name = left
                .split_once('(')
                .and_then(|(_, r)| r.rsplit_once(')'))
                .map(|(n, _)| n);
            out.push((hex.trim().to_string(), name));
        } else if let Some((hex, name)) = line.split_once(char::is_whitespace) {
            out.push((hex.to_string(), Some(name.trim())));
        } else if !line.is_empty() {
            out.push((line.to_string(), None));
        }
    }
    out.retain(|(h, _)| h.chars().all(|c| c.is_ascii_hexdigit()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_formats() {
        let v = parse_lines("d41d8cd98f00b204e9800998ecf8427e  a.iso\nSHA256 (b.iso) = ab\nff\n");
        assert_eq!(
            v,
            vec![
                (
                    "d41d8cd98f00b204e9800998ecf8427e".to_string(),
                    Some("a.iso")
                ),
                ("ab".to_string(), Some("b.iso")),
                ("ff".to_string(), None),
            ]
        );
    }

    #[test]
    fn md5_of_abc_matches_rfc_1321() {
        // RFC 1321 appendix A.5: MD5("abc").
        let src = iso_core::MemorySource::new(b"abc".to_vec());
        let r = run(&src, None, &Counters::default(), &CancelFlag::default());
        assert_eq!(r.digests[0].hex, "900150983cd24fb0d6963f7d28e17f72");
    }
}
