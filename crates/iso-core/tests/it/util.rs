//! Helpers shared by the test modules.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use iso_core::tree::NodeFlags;
use iso_core::{Image, NodeId, NodeKind, OpenOptions, Tree};
use sha2::{Digest, Sha256};

/// `tests/fixtures` of this crate.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The decompressed bytes of a gzip file.
pub fn gunzip(path: &Path) -> Vec<u8> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    GzDecoder::new(file)
        .read_to_end(&mut out)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    out
}

/// Writes `bytes` to a new temporary file.
pub fn temp_file(bytes: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().expect("temporary file");
    f.write_all(bytes).expect("write temporary file");
    f.flush().expect("flush temporary file");
    f
}

/// Decompresses fixture `<name>.iso.gz` to a temporary file and opens it.
/// The file must outlive the image.
pub fn open_fixture(name: &str) -> (tempfile::NamedTempFile, Image) {
    let bytes = gunzip(&fixtures_dir().join(format!("{name}.iso.gz")));
    let file = temp_file(&bytes);
    let image = Image::open(file.path(), &OpenOptions::default())
        .unwrap_or_else(|e| panic!("opening fixture {name}: {e}"));
    (file, image)
}

/// The letter the expected listings use for a kind.
pub fn kind_letter(kind: NodeKind) -> char {
    match kind {
        NodeKind::File => 'f',
        NodeKind::Dir => 'd',
        NodeKind::Symlink => 'l',
        NodeKind::CharDevice => 'c',
        NodeKind::BlockDevice => 'b',
        NodeKind::Fifo => 'p',
        NodeKind::Socket => 's',
    }
}

/// Whether `id` or one of its ancestors is made up by the library (the
/// `/[BOOT]` entries) rather than recorded in the image's tree.
pub fn is_virtual(tree: &Tree, id: NodeId) -> bool {
    let mut cur = Some(id);
    let mut steps = 0;
    while let Some(n) = cur {
        if tree.flags(n).contains(NodeFlags::VIRTUAL) {
            return true;
        }
        cur = tree.parent(n);
        steps += 1;
        if steps > 10_000 {
            return false;
        }
    }
    false
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// sha256 of a file's content read through `Image::open_file`, reading at
/// most `cap` bytes (an error past that).
pub fn sha256_of(image: &Image, tree: &Tree, id: NodeId, cap: u64) -> Result<String, String> {
    let reader = image.open_file(tree, id).map_err(|e| e.to_string())?;
    let mut hasher = Sha256::new();
    let mut limited = reader.take(cap.saturating_add(1));
    let n = std::io::copy(&mut limited, &mut hasher).map_err(|e| e.to_string())?;
    if n > cap {
        return Err(format!("more than {cap} bytes"));
    }
    if n != tree.size(id) {
        return Err(format!("read {n} bytes, size says {}", tree.size(id)));
    }
    Ok(hex(&hasher.finalize()))
}

/// Reads at most `cap` bytes of a file, for hostile images: only the
/// absence of a panic matters.
pub fn drain_file(image: &Image, tree: &Tree, id: NodeId, cap: u64) {
    if let Ok(reader) = image.open_file(tree, id) {
        let _ = std::io::copy(&mut reader.take(cap), &mut std::io::sink());
    }
}

/// Every node of a tree that is recorded in the image (virtual nodes and
/// the root left out), with its path, in walk order. Two entries may share
/// a path (e.g. a directory "A" and a file "A.;1" in plain ISO 9660).
pub fn recorded_nodes(tree: &Tree) -> Vec<(String, NodeId)> {
    tree.walk(tree.root())
        .filter(|&id| id != tree.root() && !is_virtual(tree, id))
        .map(|id| (tree.path(id), id))
        .collect()
}

/// Decodes a Rock Ridge PN device number the two ways writers store it:
/// high/low 32 bits as major/minor, or a Linux `dev_t` in the low word.
pub fn rdev_matches(rdev: u64, major: u64, minor: u64) -> bool {
    let high = rdev >> 32;
    let low = rdev & 0xffff_ffff;
    if high == major && low == minor {
        return true;
    }
    // Linux new_encode_dev / makedev.
    let linux = (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & !0xff) << 12);
    rdev == linux || (high == 0 && low == linux) || rdev == (major << 8 | minor)
}
