//! Checksum files: parsing the usual formats and finding them beside an
//! image.
//!
//! Formats read:
//! * GNU coreutils (`sha256sum` …): `HEX  name` (text mode) or `HEX *name`
//!   (binary mode); a line starting with `\` has `\\` and `\n` escapes in
//!   its name.
//! * BSD / `--tag` style: `SHA256 (name) = HEX`, also used by Fedora's
//!   CHECKSUM files.
//! * A bare `HEX` line, as in `image.iso.sha256` files holding one digest.
//! * Gentoo `.DIGESTS`: GNU lines under `# SHA512 HASH` headers (lines
//!   under headers of algorithms not computed here, like BLAKE2B, are
//!   skipped rather than mistaken for SHA-512 by their length).
//! * Any of these wrapped in an OpenPGP cleartext signature (RFC 4880 §7):
//!   the armour and signature block are skipped, dash-escaped lines undone.

use std::fs;
use std::path::{Path, PathBuf};

use super::{Algorithm, Digest};

/// One digest a checksum file lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The algorithm (from the BSD tag, a DIGESTS header, or the length).
    pub algorithm: Algorithm,
    /// Lower-case hex digest.
    pub hex: String,
    /// The file name it is for; `None` for a bare digest.
    pub name: Option<String>,
    /// Line number (1-based) in the checksum file.
    pub line: usize,
}

/// Parses a checksum file's text. Lines that are not checksums are
/// ignored.
pub fn parse(text: &str) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut in_signature = false;
    let mut header: Option<Option<Algorithm>> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        if line.starts_with("-----BEGIN PGP SIGNATURE") {
            in_signature = true;
            continue;
        }
        if line.starts_with("-----END PGP SIGNATURE") {
            in_signature = false;
            continue;
        }
        if in_signature || line.starts_with("-----BEGIN PGP") || line.starts_with("Hash: ") {
            continue;
        }
        let line = line.strip_prefix("- ").unwrap_or(line);
        if let Some(comment) = line.strip_prefix('#') {
            if let Some(name) = comment.trim().strip_suffix(" HASH") {
                header = Some(name.trim().parse().ok());
            }
            continue;
        }
        if header == Some(None) {
            continue;
        }
        if let Some(mut e) = parse_line(line.trim_start()) {
            e.line = i + 1;
            match header {
                Some(Some(a)) if a != e.algorithm => {}
                _ => out.push(e),
            }
        }
    }
    out
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn parse_line(line: &str) -> Option<Entry> {
    if line.is_empty() {
        return None;
    }
    // BSD: ALGO (name) = HEX
    if let Some((left, hex)) = line.rsplit_once(") = ") {
        let (tag, name) = left.split_once(" (")?;
        let algorithm: Algorithm = tag.trim().parse().ok()?;
        let hex = hex.trim();
        if !is_hex(hex) || hex.len() != algorithm.hex_len() {
            return None;
        }
        return Some(Entry {
            algorithm,
            hex: hex.to_ascii_lowercase(),
            name: Some(name.to_string()),
            line: 0,
        });
    }
    // GNU: [\]HEX  name | HEX *name ; or a bare HEX.
    let (escaped, body) = match line.strip_prefix('\\') {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    let (hex, name) = match body.split_once([' ', '\t']) {
        Some((h, rest)) => {
            let rest = rest.strip_prefix([' ', '*']).unwrap_or(rest);
            (h, Some(rest))
        }
        None => (body, None),
    };
    let algorithm = Algorithm::from_hex_len(hex.len())?;
    if !is_hex(hex) {
        return None;
    }
    let name =
        name.filter(|n| !n.is_empty())
            .map(|n| if escaped { unescape(n) } else { n.to_string() });
    Some(Entry {
        algorithm,
        hex: hex.to_ascii_lowercase(),
        name,
        line: 0,
    })
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The last component of a listed name ("./dir/x.iso" → "x.iso").
pub fn base_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

/// Largest checksum file read (they are small; this bounds hostile ones).
const MAX_SUMS_LEN: u64 = 4 << 20;
/// Most directory entries looked at beside an image.
const MAX_DIR_ENTRIES: usize = 10_000;

/// Whether a file called `name` beside the image `image_name` looks like a
/// checksum file for it.
pub fn is_checksum_file_name(name: &str, image_name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let generic = [
        "SHA256SUMS",
        "SHA512SUMS",
        "SHA1SUMS",
        "MD5SUMS",
        "CHECKSUM",
        "CHECKSUMS",
        "SHA256SUMS.TXT",
        "SHA512SUMS.TXT",
        "SHA1SUMS.TXT",
        "MD5SUMS.TXT",
        "SHA256SUM.TXT",
        "MD5SUM.TXT",
        "SHA256SUMS.ASC",
        "SHA512SUMS.ASC",
        "CHECKSUM.ASC",
    ];
    if generic.contains(&upper.as_str()) {
        return true;
    }
    let exts = [
        ".SHA256",
        ".SHA256SUM",
        ".SHA512",
        ".SHA512SUM",
        ".SHA1",
        ".SHA1SUM",
        ".MD5",
        ".MD5SUM",
        ".DIGESTS",
        ".CHECKSUM",
        "-CHECKSUM",
        ".SHA256.TXT",
        ".MD5.TXT",
        ".DIGESTS.ASC",
    ];
    if exts.iter().any(|e| upper.ends_with(e)) {
        return true;
    }
    let stem = image_name.rsplit_once('.').map_or(image_name, |(s, _)| s);
    upper.starts_with(&stem.to_ascii_uppercase()) && upper.contains("CHECKSUM")
}

/// Checksum files in the image's directory, sorted by name.
pub fn find_beside(image: &Path) -> Vec<PathBuf> {
    let Some(image_name) = image.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Vec::new();
    };
    let dir = match image.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(rd) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<PathBuf> = rd
        .take(MAX_DIR_ENTRIES)
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file() || t.is_symlink()))
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            n != image_name && is_checksum_file_name(&n, &image_name)
        })
        .map(|e| e.path())
        .collect();
    out.sort();
    out
}

/// Reads and parses one checksum file (at most 4 MiB of it).
///
/// # Errors
/// The host's error when it cannot be read.
pub fn read_file(path: &Path) -> std::io::Result<Vec<Entry>> {
    use std::io::Read;
    let mut buf = Vec::new();
    fs::File::open(path)?
        .take(MAX_SUMS_LEN)
        .read_to_end(&mut buf)?;
    Ok(parse(&String::from_utf8_lossy(&buf)))
}

/// The entries of `entries` (from the checksum file `sums_path`) that are
/// about the image `image`: listed under its file name, or bare digests
/// in a file named after the image ("x.iso.sha256", "x.sha256").
pub fn entries_for<'a>(image: &Path, sums_path: &Path, entries: &'a [Entry]) -> Vec<&'a Entry> {
    let image_name = image
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let sums_name = sums_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let image_stem = image_name
        .rsplit_once('.')
        .map_or(image_name.as_str(), |(s, _)| s);
    let named_after = sums_name.starts_with(&image_name)
        || sums_name
            .rsplit_once('.')
            .is_some_and(|(s, _)| s == image_stem);
    entries
        .iter()
        .filter(|e| match &e.name {
            Some(n) => base_name(n) == image_name,
            None => named_after,
        })
        .collect()
}

/// What a checksum file says about the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The digest matches.
    Match,
    /// The digest differs.
    Mismatch {
        /// What the file lists.
        expected: String,
        /// What the image hashes to.
        actual: String,
    },
    /// The file does not list this image.
    NotListed,
    /// Listed with an algorithm that was not computed.
    NotComputed(Algorithm),
}

/// One checksum file's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The checksum file.
    pub file: PathBuf,
    /// The algorithm of the listed digest (if listed).
    pub algorithm: Option<Algorithm>,
    /// The line it is on.
    pub line: usize,
    /// The verdict.
    pub verdict: Verdict,
}

/// Compares the image's `digests` with what the checksum file at `sums`
/// lists for it: one [`Check`] per listed digest, or one `NotListed`.
///
/// # Errors
/// The host's error when the file cannot be read.
pub fn check(image: &Path, sums: &Path, digests: &[Digest]) -> std::io::Result<Vec<Check>> {
    let entries = read_file(sums)?;
    let mine = entries_for(image, sums, &entries);
    if mine.is_empty() {
        return Ok(vec![Check {
            file: sums.to_path_buf(),
            algorithm: None,
            line: 0,
            verdict: Verdict::NotListed,
        }]);
    }
    Ok(mine
        .into_iter()
        .map(|e| {
            let verdict = match digests.iter().find(|d| d.algorithm == e.algorithm) {
                None => Verdict::NotComputed(e.algorithm),
                Some(d) if d.hex() == e.hex => Verdict::Match,
                Some(d) => Verdict::Mismatch {
                    expected: e.hex.clone(),
                    actual: d.hex(),
                },
            };
            Check {
                file: sums.to_path_buf(),
                algorithm: Some(e.algorithm),
                line: e.line,
                verdict,
            }
        })
        .collect())
}

/// The algorithms that the checksum files at `files` list for `image`.
pub fn algorithms_needed(image: &Path, files: &[PathBuf]) -> Vec<Algorithm> {
    let mut out: Vec<Algorithm> = files
        .iter()
        .filter_map(|f| read_file(f).ok().map(|e| (f, e)))
        .flat_map(|(f, entries)| {
            entries_for(image, f, &entries)
                .into_iter()
                .map(|e| e.algorithm)
                .collect::<Vec<_>>()
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const H256: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[test]
    fn gnu_bsd_bare_and_escaped() {
        let text = format!(
            "{H256}  a.iso\n{}\n{H256} *b.iso\nSHA256 (c.iso) = {}\nMD5 (d.iso) = 900150983cd24fb0d6963f7d28e17f72\n\\{H256}  e\\\\f.iso\n{H256}\nnot a line\n",
            "# comment",
            H256.to_uppercase()
        );
        let e = parse(&text);
        let names: Vec<Option<&str>> = e.iter().map(|e| e.name.as_deref()).collect();
        assert_eq!(
            names,
            [
                Some("a.iso"),
                Some("b.iso"),
                Some("c.iso"),
                Some("d.iso"),
                Some("e\\f.iso"),
                None
            ]
        );
        assert!(e
            .iter()
            .take(3)
            .all(|e| e.hex == H256 && e.algorithm == Algorithm::Sha256));
        assert_eq!(e[3].algorithm, Algorithm::Md5);
        assert_eq!(e[0].line, 1);
        assert_eq!(e[2].line, 4);
    }

    #[test]
    fn pgp_armour_and_digests_headers() {
        let text = format!(
            "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n# SHA256 HASH\n- {H256}  x.iso\n-----BEGIN PGP SIGNATURE-----\n\niQIzBAEBCAAdFiEE\n{H256}  sig.iso\n-----END PGP SIGNATURE-----\n# BLAKE2B HASH\n{}  x.iso\n",
            "ab".repeat(64)
        );
        let e = parse(&text);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].name.as_deref(), Some("x.iso"));
    }

    #[test]
    fn names_beside_an_image() {
        for n in [
            "SHA256SUMS",
            "sha256sums.txt",
            "x.iso.sha256",
            "x.iso.DIGESTS",
            "Fedora-40-x86_64-CHECKSUM",
            "x.md5",
            "CHECKSUM",
        ] {
            assert!(is_checksum_file_name(n, "x.iso"), "{n}");
        }
        for n in ["x.iso", "README", "x.iso.sig"] {
            assert!(!is_checksum_file_name(n, "x.iso"), "{n}");
        }
        assert_eq!(base_name("./sub/x.iso"), "x.iso");
    }
}
