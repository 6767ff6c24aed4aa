//! Replays the fuzz targets' steps on the inputs in `tests/crashes/` (each
//! one crashed, hung or over-allocated a target before its fix; see
//! FUZZING.md) and on the committed fixture images.

use std::path::{Path, PathBuf};

#[path = "../../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod harness;

use crate::util::{fixtures_dir, gunzip};

fn crash_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/crashes");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"));
    files.sort();
    files
}

fn replay(what: &str, data: &[u8]) {
    let data = data.to_vec();
    let what = what.to_string();
    // Each input on its own thread with a deadline: a hang fails the test.
    let (tx, rx) = std::sync::mpsc::channel();
    let name = what.clone();
    std::thread::spawn(move || {
        harness::udf(&data);
        harness::open(&data);
        harness::walk(&data);
        harness::extract(&data);
        let _ = tx.send(());
    });
    match rx.recv_timeout(std::time::Duration::from_secs(60)) {
        Ok(()) => {}
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("{name}: still running after 60 s")
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => panic!("{what}: a target panicked"),
    }
}

#[test]
fn crash_inputs_and_fixtures_pass_every_target() {
    for f in crash_files() {
        // Large inputs are kept gzipped.
        let data = if f.extension().is_some_and(|e| e == "gz") {
            gunzip(&f)
        } else {
            std::fs::read(&f).unwrap()
        };
        replay(&f.display().to_string(), &data);
    }
    assert!(replay_fixtures("", ".iso.gz") >= 10, "too few ISO fixtures");
    assert!(
        replay_fixtures("udf", ".udf.gz") >= 10,
        "too few UDF fixtures"
    );
}

/// Replays every fixture in `fixtures/SUBDIR` whose name ends with
/// `suffix`; how many.
fn replay_fixtures(subdir: &str, suffix: &str) -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(fixtures_dir().join(subdir)).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(suffix) {
            continue;
        }
        replay(&name, &gunzip(&path));
        n += 1;
    }
    n
}

/// Interleaved records (file unit size and gap non-zero, ECMA-119 §6.4.3)
/// made one extent per unit, up to 65,536 per record and without bound per
/// tree, even for units past the image's end: the fuzzer's input took
/// 260 ms and a 12 MiB vector per open. Units now stop at the image's end.
#[test]
fn interleaved_units_stop_at_the_image_end() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/crashes/open-iso9660-interleaved-records-too-many-extents.iso.gz");
    let data = gunzip(&path);
    let blocks = data.len() as u64 / 2048;
    let image = iso_core::Image::from_source(
        std::sync::Arc::new(iso_core::MemorySource::new(data)),
        &iso_core::OpenOptions::default(),
    )
    .unwrap();
    let mut total = 0u64;
    for &view in image.views() {
        let Ok(tree) = image.tree(view) else { continue };
        for id in tree.walk(tree.root()) {
            total += tree.extents(id).len() as u64;
        }
    }
    assert!(
        total <= blocks,
        "{total} extents in an image of {blocks} blocks"
    );
}
