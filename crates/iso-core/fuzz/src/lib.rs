//! What each fuzz target does with one input, shared with the crash
//! regression test (`crates/iso-core/tests/it/crashes.rs` includes this
//! file), so a crash file replays the same steps in CI as in the fuzzer.
//! Every step must return (an error or warnings are fine); a panic, a hang
//! or a huge allocation is the bug the fuzzer looks for.

use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use iso_core::extents::ExtentReader;
use iso_core::extract::{self, Cancel, ExtractOptions, Progress};
use iso_core::walk::Limits;
use iso_core::{udf, Image, ImageSource, MemorySource, NodeKind, OpenOptions, Tree};

/// Bytes read from one file at most.
pub const FILE_CAP: u64 = 16 << 20;
/// Bytes read from all files of one input at most.
const TOTAL_CAP: u64 = 64 << 20;

fn image(data: &[u8]) -> Option<Image> {
    Image::from_source(
        Arc::new(MemorySource::new(data.to_vec())),
        &OpenOptions::default(),
    )
    .ok()
}

/// `open`: detection, the descriptors' summary, and the root of every view.
pub fn open(data: &[u8]) {
    let Some(image) = image(data) else {
        return;
    };
    let _ = image.info().summary();
    let _ = image.default_view();
    let _ = image.boot_catalog();
    for w in image.warnings() {
        let _ = w.to_string();
    }
    for &view in image.views() {
        let _ = image.root_tree(view);
    }
}

/// Reads up to [`FILE_CAP`] bytes of every file of `tree`, within `budget`.
fn read_files(image: &Image, tree: &Tree, budget: &mut u64) {
    for id in tree.walk(tree.root()) {
        let _ = tree.path(id);
        if tree.kind(id) != NodeKind::File || *budget == 0 {
            continue;
        }
        if let Ok(r) = image.open_file(tree, id) {
            drain(r, budget);
        }
    }
}

/// `walk`: every view's whole tree, every file read through `open_file`.
pub fn walk(data: &[u8]) {
    let Some(image) = image(data) else {
        return;
    };
    let mut budget = TOTAL_CAP;
    for &view in image.views() {
        if let Ok(tree) = image.tree(view) {
            for w in tree.warnings() {
                let _ = w.to_string();
            }
            read_files(&image, &tree, &mut budget);
        }
    }
}

/// `extract`: the default view extracted into a fresh folder; nothing may
/// land outside it, and no link written inside it may lead out of it.
///
/// # Panics
/// When something was written outside the destination (the bug this
/// target looks for).
// Options are set field by field: ExtractOptions may become non_exhaustive.
#[allow(clippy::field_reassign_with_default)]
pub fn extract(data: &[u8]) {
    let Some(image) = image(data) else {
        return;
    };
    let Some(view) = image.default_view() else {
        return;
    };
    let Ok(tree) = image.tree(view) else {
        return;
    };
    let total: u64 = tree
        .walk(tree.root())
        .map(|id| tree.size(id))
        .fold(0, u64::saturating_add);
    if total > TOTAL_CAP {
        return;
    }
    let Ok(outer) = tempfile::tempdir() else {
        return;
    };
    let dest = outer.path().join("out");
    let mut options = ExtractOptions::default();
    options.keep_going = true;
    options.check_space = false;
    options.threads = 1;
    let _ = extract::extract(
        &image,
        &tree,
        &[tree.root()],
        &dest,
        &options,
        &Progress::new(),
        &Cancel::new(),
    );
    let names: Vec<_> = std::fs::read_dir(outer.path())
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(
        names.iter().all(|n| n == "out"),
        "extraction wrote outside its destination: {names:?}"
    );
    check_links(&dest, &dest, 0);
}

/// Every symbolic link under `dir` resolves (lexically) inside `root`.
fn check_links(root: &Path, dir: &Path, depth: u32) {
    if depth > 300 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.filter_map(|e| e.ok()) {
        let path = e.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.file_type().is_symlink() {
            if let Ok(target) = std::fs::read_link(&path) {
                let base = path.parent().unwrap_or(root);
                assert!(
                    lexically_inside(root, &base.join(&target)),
                    "link {} -> {} leads out of the destination",
                    path.display(),
                    target.display()
                );
            }
        } else if meta.is_dir() {
            check_links(root, &path, depth + 1);
        }
    }
}

/// Whether `path`, with `.` and `..` resolved without the file system,
/// stays below `root`.
fn lexically_inside(root: &Path, path: &Path) -> bool {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                if !out.pop() {
                    return false;
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out.starts_with(root)
}

/// Bytes of one chunk of a [`udf`] sparse input.
pub const CHUNK: usize = 2048;
/// Largest image a sparse input describes, in chunks (8 MiB: the largest
/// UDF fixture).
const MAX_CHUNKS: u32 = 4096;

/// `udf`: the UDF reader alone (volume recognition, anchors, descriptor
/// sequences, partition maps, file set, directory tree and every file's
/// data), without ISO 9660 detection. The input is tried twice: as an
/// image, and as a sparse image (see [`sparse_image`]) so that short inputs
/// reach the descriptors and trees at their real block numbers.
pub fn udf(data: &[u8]) {
    udf_image(data.to_vec());
    if let Some(image) = sparse_image(data) {
        udf_image(image);
    }
}

/// A sparse image from `data`: a little-endian u32 image length in chunks
/// of [`CHUNK`] bytes (at most 8 MiB), then records of a little-endian u32
/// chunk number (modulo the length) and the chunk's bytes (a short last
/// record is padded with zeros); chunks not given are zeros. The seeds
/// (scripts/fuzz.sh) are the fixtures' non-zero chunks.
pub fn sparse_image(data: &[u8]) -> Option<Vec<u8>> {
    let head: [u8; 4] = data.get(..4)?.try_into().ok()?;
    let chunks = u32::from_le_bytes(head).clamp(1, MAX_CHUNKS);
    let mut image = vec![0u8; chunks as usize * CHUNK];
    let mut rest = data.get(4..)?;
    while rest.len() > 4 {
        let (index, body) = rest.split_at(4);
        let index = u32::from_le_bytes(index.try_into().ok()?) % chunks;
        let (chunk, next) = body.split_at(body.len().min(CHUNK));
        let at = index as usize * CHUNK;
        image[at..at + chunk.len()].copy_from_slice(chunk);
        rest = next;
    }
    Some(image)
}

fn udf_image(data: Vec<u8>) {
    let source: Arc<dyn ImageSource> = Arc::new(MemorySource::new(data));
    let mut warnings = Vec::new();
    let Some(vol) = udf::open(source.as_ref(), &mut warnings) else {
        return;
    };
    let _ = vol.summary(false);
    let _ = vol.revision_text();
    let _ = udf::is_richer(source.as_ref(), &vol, None);
    let _ = udf::dir::root_entry_count(source.as_ref(), &vol);
    let limits = Limits::default();
    for root_only in [true, false] {
        let opts = udf::WalkOptions {
            limits: &limits,
            root_only,
            boot: None,
        };
        let Ok(tree) = udf::build_tree(&source, &vol, &opts) else {
            return;
        };
        for w in tree.warnings() {
            let _ = w.to_string();
        }
        if !root_only {
            read_udf_files(&source, &tree);
        }
    }
}

/// Reads every file of a UDF tree, up to [`FILE_CAP`] bytes each and
/// [`TOTAL_CAP`] in all.
fn read_udf_files(source: &Arc<dyn ImageSource>, tree: &Tree) {
    let mut budget = TOTAL_CAP;
    for id in tree.walk(tree.root()) {
        let _ = tree.path(id);
        if tree.kind(id) != NodeKind::File || budget == 0 {
            continue;
        }
        let reader = ExtentReader::new(source.clone(), tree.extents(id).to_vec(), tree.size(id));
        drain(reader, &mut budget);
    }
}

/// Reads `r` up to [`FILE_CAP`] bytes, within `budget`.
fn drain(mut r: impl Read, budget: &mut u64) {
    let mut buf = vec![0u8; 64 << 10];
    let mut left = FILE_CAP.min(*budget);
    while left > 0 {
        let want = usize::try_from(left.min(buf.len() as u64)).unwrap_or(buf.len());
        match r.read(&mut buf[..want]) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                left = left.saturating_sub(n as u64);
                *budget = budget.saturating_sub(n as u64);
            }
        }
    }
}

/// Reads one input from stdin: the targets' `main` when built without the
/// fuzzer, so a crash file reproduces with `cargo run --bin T < file`.
pub fn stdin_input() -> Vec<u8> {
    let mut data = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut data);
    data
}
